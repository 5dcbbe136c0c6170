//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

use std::io::Write as _;

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

#[derive(serde::Serialize)]
struct Text {
    text: String,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct RegionOut {
    start_line: usize,
    start_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<RegionOut>,
}

#[derive(serde::Serialize)]
struct LogicalLocation {
    name: String,
    kind: &'static str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct LocationOut {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    logical_locations: Option<[LogicalLocation; 1]>,
}

#[derive(serde::Serialize)]
struct ResultProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    setting: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    services: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    refused_by: &'a [&'static str],
}

#[derive(serde::Serialize)]
struct SuppressionProperties<'a> {
    policy: &'static str,
    origin: &'a str,
}

#[derive(serde::Serialize)]
struct SuppressionOut<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
    properties: SuppressionProperties<'a>,
}

/// One SARIF result, borrowed from its finding: serialised as it is built,
/// with no tree of its own.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultOut<'a> {
    rule_id: &'static str,
    level: &'static str,
    message: Text,
    locations: [LocationOut; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[SuppressionOut<'a>; 1]>,
}

fn result<'a>(
    f: &'a Finding,
    rule_index: &std::collections::HashMap<&'static str, usize>,
    locator: &Locator,
    suppression: Option<&'a Suppression>,
) -> ResultOut<'a> {
    let place = locator.place(f);
    let mut text = f.message.to_string();
    if let Some(var) = &place.variable
        && !text.contains(var.as_str())
    {
        text = format!("{text} (set by {var})");
    }
    if let Some(help) = &f.help {
        text = format!("{text}. {help}");
    }
    let location = LocationOut {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri_of(&place.uri),
                uri_base_id: "SRCROOT",
            },
            region: place.region.as_ref().map(|r| {
                let end = r.end_line.zip(r.end_column);
                RegionOut {
                    start_line: r.start_line,
                    start_column: r.start_column,
                    end_line: end.map(|(line, _)| line),
                    end_column: end.map(|(_, column)| column),
                }
            }),
        },
        logical_locations: place.variable.map(|name| {
            [LogicalLocation {
                name,
                kind: "variable",
            }]
        }),
    };
    let properties = (f.setting.is_some()
        || !f.services().is_empty()
        || !f.refusing_clients().is_empty())
    .then(|| ResultProperties {
        setting: f.setting.as_deref(),
        services: f.services(),
        refused_by: f.refusing_clients(),
    });
    ResultOut {
        rule_id: f.rule,
        level: level(f.severity),
        message: Text { text },
        locations: [location],
        rule_index: rule_index.get(f.rule).copied(),
        properties,
        // Kept, with why, so that code scanning does not take the alert
        // for fixed.
        suppressions: suppression.map(|why| {
            [SuppressionOut {
                kind: "external",
                status: "accepted",
                justification: &why.reason,
                properties: SuppressionProperties {
                    policy: why.kind,
                    origin: &why.origin,
                },
            }]
        }),
    }
}

/// The results, each built and serialised in turn: 300,000 findings never
/// stand as a tree in memory at once.
struct Results<'a> {
    findings: &'a [Finding],
    suppressed: &'a [(Finding, Suppression)],
    /// Each rule's index in the driver's `rules`.
    rule_index: std::collections::HashMap<&'static str, usize>,
    locator: &'a Locator<'a>,
}

impl serde::Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq =
            serializer.serialize_seq(Some(self.findings.len() + self.suppressed.len()))?;
        for f in self.findings {
            seq.serialize_element(&result(f, &self.rule_index, self.locator, None))?;
        }
        for (f, why) in self.suppressed {
            seq.serialize_element(&result(f, &self.rule_index, self.locator, Some(why)))?;
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
/// already; the document is serialised straight into `out`.
pub fn render(
    findings: &[Finding],
    rules: &[&'static Rule],
    locator: &Locator,
    info: &RunInfo,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
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
                rule_index: rules
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.id, i))
                    .rev()
                    .collect(),
                locator,
            },
            properties,
        }],
    };
    // Buffered before the gate: the serialiser writes token by token.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 14, out);
    super::pretty::to_writer(&mut buffered, &log).map_err(std::io::Error::from)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
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
