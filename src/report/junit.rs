//! JUnit XML: one testsuite per rule family, one testcase per rule that ran.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::checks::registry::Rule;
use crate::finding::{Finding, Severity};
use crate::report::locate::Locator;

pub fn render(
    findings: &[Finding],
    rules: &[&'static Rule],
    fail_on: Severity,
    locator: &Locator,
) -> String {
    let mut report = Report::new("swml-sec");
    let mut families: Vec<_> = rules.iter().map(|r| r.family).collect();
    families.sort();
    families.dedup();
    for family in families {
        let mut suite = TestSuite::new(family.as_str());
        for rule in rules.iter().filter(|r| r.family == family) {
            let hits: Vec<&Finding> = findings.iter().filter(|f| f.rule == rule.id).collect();
            let failing: Vec<&&Finding> = hits.iter().filter(|f| f.severity >= fail_on).collect();
            let describe = |f: &Finding| {
                let place = locator.place(f);
                let at = match &place.region {
                    Some(r) => format!("{}:{}:{}", place.uri, r.start_line, r.start_column),
                    None => place.uri.clone(),
                };
                format!("[{}] {} ({at})", f.severity.as_str(), f.message)
            };
            let mut case = if failing.is_empty() {
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
    report.to_string().unwrap_or_default()
}
