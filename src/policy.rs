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
