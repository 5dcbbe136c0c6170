//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

use serde_json::{Value, json};

use crate::checks::registry::Rule;
use crate::finding::{Finding, Severity};
use crate::policy::{Profile, Suppression};
use crate::report::locate::Locator;

/// One `[rules]` entry of the policy for the run's profile.
pub struct Override {
    pub rule: &'static Rule,
    /// None: the rule is off.
    pub level: Option<Severity>,
    pub reason: Option<String>,
}

/// What a run was, beside its findings: the command, profile, stage and
/// policy, and the policy's trace (shared by the JSON document).
pub struct RunInfo<'a> {
    /// `check` or `probe`.
    pub command: &'static str,
    pub profile: Profile,
    pub stage: Option<crate::stage::Stage>,
    pub policy_file: Option<&'a str>,
    /// Findings the policy hid, each with why; sanitized.
    pub suppressed: &'a [(Finding, Suppression)],
    pub overrides: &'a [Override],
    /// The service classes judged, and how each was chosen.
    pub services: &'a [serde_json::Value],
}

impl RunInfo<'_> {
    /// `runAutomationDetails.id`: code scanning keeps one analysis per
    /// category (the id up to its last `/`), so a dev run and a prod run
    /// (or a build and a deploy run) never close each other's alerts.
    pub fn automation_id(&self) -> String {
        match self.stage {
            Some(stage) => format!(
                "swml-sec/{}/{}/{}/",
                self.command,
                stage.as_str(),
                self.profile.as_str()
            ),
            None => format!("swml-sec/{}/{}/", self.command, self.profile.as_str()),
        }
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn descriptor(rule: &Rule) -> Value {
    let help = format!(
        "{}\n\nWhy: {}\n\nFix: {}\n\nExample: {}",
        rule.summary, rule.why, rule.fix, rule.example
    );
    json!({
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": format!("{} {}", rule.summary, rule.why)},
        "help": {"text": help, "markdown": format!("**{}**\n\n{}\n\n**Fix:** {}\n\n**Example:** `{}`", rule.summary, rule.why, rule.fix, rule.example)},
        "defaultConfiguration": {"level": level(rule.default_severity())},
        "properties": {"tags": ["security", rule.family.as_str()]},
    })
}

/// A repository-relative path as a URI reference: each segment
/// percent-encoded (`my dir/c#1.json` is `my%20dir/c%231.json`).
pub fn uri_of(path: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    // RFC 3986 unreserved characters stay as they are.
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    path.split('/')
        .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

fn result(
    f: &Finding,
    rules: &[&'static Rule],
    locator: &Locator,
    suppression: Option<&Suppression>,
) -> Value {
    let place = locator.place(f);
    let mut physical =
        json!({"artifactLocation": {"uri": uri_of(&place.uri), "uriBaseId": "SRCROOT"}});
    if let Some(r) = &place.region {
        let mut region = json!({"startLine": r.start_line, "startColumn": r.start_column});
        if let (Some(el), Some(ec)) = (r.end_line, r.end_column) {
            region["endLine"] = json!(el);
            region["endColumn"] = json!(ec);
        }
        physical["region"] = region;
    }
    let mut location = json!({"physicalLocation": physical});
    if let Some(var) = &place.variable {
        location["logicalLocations"] = json!([{"name": var, "kind": "variable"}]);
    }
    let mut text = f.message.clone();
    if let Some(var) = &place.variable
        && !text.contains(var.as_str())
    {
        text = format!("{text} (set by {var})");
    }
    if let Some(help) = &f.help {
        text = format!("{text}. {help}");
    }
    let mut result = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": {"text": text},
        "locations": [location],
    });
    if let Some(i) = rules.iter().position(|r| r.id == f.rule) {
        result["ruleIndex"] = json!(i);
    }
    if let Some(s) = &f.setting {
        result["properties"] = json!({"setting": s});
    }
    if !f.services.is_empty() {
        result["properties"]["services"] = json!(f.services);
    }
    if !f.refused_by.is_empty() {
        result["properties"]["refused_by"] = json!(f.refused_by);
    }
    if let Some(why) = suppression {
        // Kept, with why, so that code scanning does not take the alert
        // for fixed.
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": why.reason,
            "properties": {"policy": why.kind, "origin": why.origin},
        }]);
    }
    result
}

/// The results, each built and serialised in turn: 80,000 findings never
/// stand as a tree in memory at once.
struct Results<'a> {
    findings: &'a [Finding],
    suppressed: &'a [(Finding, Suppression)],
    rules: &'a [&'static Rule],
    locator: &'a Locator<'a>,
}

impl serde::Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq =
            serializer.serialize_seq(Some(self.findings.len() + self.suppressed.len()))?;
        for f in self.findings {
            seq.serialize_element(&result(f, self.rules, self.locator, None))?;
        }
        for (f, why) in self.suppressed {
            seq.serialize_element(&result(f, self.rules, self.locator, Some(why)))?;
        }
        seq.end()
    }
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Value,
    automation_details: Value,
    invocations: Value,
    column_kind: &'static str,
    results: Results<'a>,
    properties: Value,
}

#[derive(serde::Serialize)]
struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

/// `rules`: the rules that ran (on in the profile), in registry order; the
/// rules the policy turns off follow them, so that each override and each
/// suppressed result can name its rule. The findings are sanitized
/// already; the document is serialised directly.
pub fn render(
    findings: &[Finding],
    rules: &[&'static Rule],
    locator: &Locator,
    info: &RunInfo,
) -> String {
    let mut rules: Vec<&'static Rule> = rules.to_vec();
    for o in info.overrides {
        if !rules.iter().any(|r| r.id == o.rule.id) {
            rules.push(o.rule);
        }
    }
    let rules = &rules[..];
    let overrides: Vec<Value> = info
        .overrides
        .iter()
        .map(|o| {
            let mut entry = json!({
                "descriptor": {"id": o.rule.id},
                "configuration": {
                    "enabled": o.level.is_some(),
                    "level": o.level.map_or("none", level),
                },
            });
            if let Some(i) = rules.iter().position(|r| r.id == o.rule.id) {
                entry["descriptor"]["index"] = json!(i);
            }
            let mut properties = json!({});
            if let Some(reason) = &o.reason {
                properties["justification"] = json!(reason);
            }
            if let Some(policy) = info.policy_file {
                properties["origin"] = json!(policy);
            }
            entry["properties"] = properties;
            entry
        })
        .collect();
    let mut invocation = json!({"executionSuccessful": true});
    if !overrides.is_empty() {
        invocation["ruleConfigurationOverrides"] = json!(overrides);
    }
    let mut properties = json!({"profile": info.profile.as_str()});
    if let Some(stage) = info.stage {
        properties["stage"] = json!(stage.as_str());
    }
    properties["policyFile"] = json!(info.policy_file);
    properties["suppressed"] = json!(info.suppressed.len());
    properties["services"] = json!(info.services);
    let log = SarifLog {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: json!({"driver": {
                "name": "swml-sec",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/swml-sec/swml-sec",
                "rules": rules.iter().map(|r| descriptor(r)).collect::<Vec<_>>(),
            }}),
            automation_details: json!({"id": info.automation_id()}),
            invocations: json!([invocation]),
            column_kind: "unicodeCodePoints",
            results: Results {
                findings,
                suppressed: info.suppressed,
                rules,
                locator,
            },
            properties,
        }],
    };
    // Serialising plain data into a String cannot fail.
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_percent_encoded_per_segment() {
        assert_eq!(super::uri_of("my dir/c#1.json"), "my%20dir/c%231.json");
        assert_eq!(super::uri_of("a/b-c_d.e~f"), "a/b-c_d.e~f");
        assert_eq!(super::uri_of("caf\u{e9}/%"), "caf%C3%A9/%25");
    }
}
