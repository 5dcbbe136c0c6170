//! Profiles, and how a finding's severity is decided.

use clap::ValueEnum;

use crate::checks::registry::rule;
use crate::finding::{Finding, Severity};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    Dev,
    Staging,
    Prod,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Dev => "dev",
            Profile::Staging => "staging",
            Profile::Prod => "prod",
        }
    }
}

/// Sets each finding's severity from the profile and drops the rules the
/// profile turns off.
pub fn apply_profile(findings: Vec<Finding>, profile: Profile) -> Vec<Finding> {
    findings
        .into_iter()
        .filter_map(|mut f| {
            let severity: Option<Severity> = rule(f.rule).and_then(|r| r.severity(profile));
            severity.map(|s| {
                f.severity = s;
                f
            })
        })
        .collect()
}

/// `.swml-sec.toml`: the team's settings for `check`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    pub profile: Option<Profile>,
    pub warn_days: Option<u32>,
    pub fail_on: Option<String>,
    #[serde(default)]
    pub password: PasswordPolicy,
    /// Per-rule severity: "error", "warning", "note" or "off".
    #[serde(default)]
    pub rules: std::collections::BTreeMap<String, toml::Spanned<String>>,
    #[serde(default)]
    pub ignore: Vec<toml::Spanned<IgnoreEntry>>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    pub min_length: Option<usize>,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    pub rule: String,
    /// Why the finding is accepted: required, so that ignores stay reviewable.
    pub reason: String,
    /// Only findings about this setting.
    pub setting: Option<String>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("invalid policy file {path}: {message}")]
#[diagnostic(code(swml_sec::policy))]
pub struct PolicyError {
    pub path: String,
    pub message: String,
    /// A bounded window of the file around the span, secrets masked.
    #[source_code]
    pub src: crate::report::snippet::Window,
    #[label("{message}")]
    pub span: Option<miette::SourceSpan>,
}

impl PolicyFile {
    pub fn parse(path: &str, text: &str) -> Result<PolicyFile, Box<PolicyError>> {
        let error = |message: String, span: Option<std::ops::Range<usize>>| {
            let masked = std::sync::Arc::new(crate::report::redact::mask_secret_members(text));
            let indexed = crate::report::snippet::IndexedText::new(masked);
            let range = span.clone().unwrap_or(0..0);
            let (_, column) = crate::resolve::LineIndex::new(text).line_col(range.start);
            let (src, window_span) = crate::report::snippet::window(path, &indexed, range, column);
            Box::new(PolicyError {
                path: crate::report::escape::escape(path).into_owned(),
                message: crate::report::escape::escape(&message).into_owned(),
                src,
                span: span.map(|_| window_span),
            })
        };
        let policy: PolicyFile =
            toml::from_str(text).map_err(|e| error(e.message().to_string(), e.span()))?;
        for (id, level) in &policy.rules {
            if rule(id).is_none() {
                return Err(error(
                    format!("unknown rule {id:?} in [rules]"),
                    Some(level.span()),
                ));
            }
            if !matches!(
                level.get_ref().as_str(),
                "error" | "warning" | "note" | "off"
            ) {
                return Err(error(
                    format!(
                        "severity {:?} for {id} must be error, warning, note or off",
                        level.get_ref()
                    ),
                    Some(level.span()),
                ));
            }
        }
        for entry in &policy.ignore {
            if rule(&entry.get_ref().rule).is_none() {
                return Err(error(
                    format!("unknown rule {:?} in [[ignore]]", entry.get_ref().rule),
                    Some(entry.span()),
                ));
            }
            if entry.get_ref().reason.trim().is_empty() {
                return Err(error(
                    "an ignore needs a non-empty reason".into(),
                    Some(entry.span()),
                ));
            }
        }
        if let Some(f) = &policy.fail_on
            && Severity::parse(f).is_none()
        {
            return Err(error(
                format!("fail_on {f:?} must be error, warning or note"),
                None,
            ));
        }
        Ok(policy)
    }
}

/// One ignore, from the policy file or `--ignore`, and whether it matched.
#[derive(Debug, Clone)]
pub struct Ignore {
    pub rule: String,
    pub setting: Option<String>,
    /// "--ignore" or the policy file's path, for the unused-ignore message.
    pub origin: String,
    pub location: crate::finding::Location,
}

/// Applies the profile, per-rule overrides and ignores; reports every
/// ignore that matched nothing.
pub fn apply_policy(
    findings: Vec<Finding>,
    profile: Profile,
    overrides: &std::collections::BTreeMap<String, String>,
    ignores: &[Ignore],
) -> Vec<Finding> {
    let mut used = vec![false; ignores.len()];
    // In place: a run with 80,000 findings holds them once.
    let mut kept = findings;
    kept.retain_mut(|f| {
        let severity = match overrides.get(f.rule).map(String::as_str) {
            Some("off") => None,
            Some(level) => Severity::parse(level),
            None => rule(f.rule)
                .and_then(|r| r.severity(profile))
                .map(|s| s.max(f.at_least.unwrap_or(s)))
                .map(|s| s.min(f.at_most.unwrap_or(s))),
        };
        let Some(severity) = severity else {
            return false;
        };
        f.severity = severity;
        let matching = ignores.iter().position(|i| {
            i.rule == f.rule
                && i.setting
                    .as_deref()
                    .is_none_or(|s| f.setting.as_deref() == Some(s))
        });
        if let Some(i) = matching {
            used[i] = true;
            return false;
        }
        true
    });
    for (ignore, used) in ignores.iter().zip(used) {
        if !used
            && let Some(severity) = rule("policy-unused-ignore").and_then(|r| r.severity(profile))
        {
            let mut f = Finding::new(
                "policy-unused-ignore",
                format!(
                    "the ignore of {} ({}) matched no finding",
                    ignore.rule, ignore.origin
                ),
            )
            .help("remove the ignore: it would hide the next real finding")
            .at(ignore.location.clone());
            f.severity = severity;
            kept.push(f);
        }
    }
    kept
}
