//! JUnit XML: one testsuite per rule family, one testcase per rule that ran;
//! every other rule is a skipped testcase that says why it did not run.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::checks::registry::{Family, RULES, Rule};
use crate::finding::{Finding, Severity};
use crate::policy::Profile;
use crate::report::locate::Locator;

/// What ran: the command, the profile, and whether HTTPS was judged.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub profile: Profile,
    /// `probe` (true) or `check` (false).
    pub probe: bool,
    /// `check`: ssl_enabled is on. `probe`: the server answered over TLS.
    pub tls: bool,
}

/// Why `rule` did not run in `scope`, or None when it ran.
pub fn skip_reason(rule: &Rule, ran: &[&'static Rule], scope: Scope) -> Option<String> {
    use crate::checks::tls::{CHAIN_RULES, TLS_OFF_RULES};
    if !ran.iter().any(|r| r.id == rule.id) {
        return Some(if rule.severity(scope.profile).is_none() {
            format!("off in the {} profile", scope.profile.as_str())
        } else {
            "turned off by the policy".to_string()
        });
    }
    match (scope.probe, rule.family) {
        (false, Family::Probe) => Some("a probe rule: it runs only in `swml-sec probe`".into()),
        (false, Family::Tls) if !scope.tls && !TLS_OFF_RULES.contains(&rule.id) => {
            Some("HTTPS is off (ssl_enabled): certificate and key rules did not run".into())
        }
        (true, Family::Tls) if !CHAIN_RULES.contains(&rule.id) => {
            Some("a configuration rule: `probe` judges the served certificate only".into())
        }
        (true, Family::Tls) if !scope.tls => {
            Some("the server did not answer over TLS: no certificate to judge".into())
        }
        (true, Family::Probe | Family::Tls | Family::Policy) => None,
        (true, _) => Some("a configuration rule: it runs in `swml-sec check`".into()),
        _ => None,
    }
}

pub fn render(
    findings: &[Finding],
    ran: &[&'static Rule],
    scope: Scope,
    fail_on: Severity,
    locator: &Locator,
    services: &[String],
) -> std::io::Result<String> {
    let mut report = Report::new("swml-sec");
    // Each rule's findings, gathered in one pass: rules times findings
    // was 24 million comparisons for a config of 300,000 unknown keys.
    let mut by_rule: std::collections::HashMap<&str, Vec<&Finding>> =
        std::collections::HashMap::new();
    for f in findings {
        by_rule.entry(f.rule).or_default().push(f);
    }
    let mut families: Vec<_> = RULES.iter().map(|r| r.family).collect();
    families.sort();
    families.dedup();
    for family in families {
        let mut suite = TestSuite::new(family.as_str());
        for service in services {
            suite.add_property(quick_junit::Property::new("service", service.as_str()));
        }
        for rule in RULES.iter().filter(|r| r.family == family) {
            let hits = by_rule.remove(rule.id).unwrap_or_default();
            let skipped = if hits.is_empty() {
                skip_reason(rule, ran, scope)
            } else {
                None
            };
            let failing: Vec<&&Finding> = hits.iter().filter(|f| f.severity >= fail_on).collect();
            let describe = |f: &Finding| {
                let place = locator.place(f);
                let at = match &place.region {
                    Some(r) => format!("{}:{}:{}", place.uri, r.start_line, r.start_column),
                    None => place.uri.clone(),
                };
                format!("[{}] {} ({at})", f.severity.as_str(), f.message)
            };
            let mut case = if let Some(reason) = skipped {
                let mut status = TestCaseStatus::skipped();
                status.set_message(reason);
                TestCase::new(rule.id, status)
            } else if failing.is_empty() {
                TestCase::new(rule.id, TestCaseStatus::success())
            } else {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(failing[0].message.clone());
                status.set_type(failing[0].severity.as_str());
                status.set_description(
                    failing
                        .iter()
                        .map(|f| describe(f))
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
                TestCase::new(rule.id, status)
            };
            case.set_classname(format!("swml-sec.{}", family.as_str()));
            let below: Vec<String> = hits
                .iter()
                .filter(|f| f.severity < fail_on)
                .map(|f| describe(f))
                .collect();
            if !below.is_empty() {
                case.set_system_out(below.join("\n"));
            }
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .map_err(|e| std::io::Error::other(serialize_error_words(&e)))
}

/// quick-junit's error says only that serialising failed; the cause is its
/// source.
fn serialize_error_words(e: &quick_junit::SerializeError) -> String {
    match std::error::Error::source(e) {
        Some(cause) => format!("cannot write the JUnit report: {cause}"),
        None => format!("cannot write the JUnit report: {e}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_serialisation_error_is_given_with_its_cause() {
        let e = quick_junit::SerializeError::from(std::io::Error::other("disk full"));
        let words = super::serialize_error_words(&e);
        assert!(
            words.starts_with("cannot write the JUnit report: "),
            "{words}"
        );
        assert!(words.contains("disk full"), "{words}");
    }
}
