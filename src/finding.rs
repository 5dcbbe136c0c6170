//! The one type every check and the resolver report through.

use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

pub use crate::severity::Severity;

/// Where a finding points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Location {
    /// A span of a file (the config file, or a certificate or key file).
    File {
        /// Shared by every finding in the file: a config with 300,000
        /// unknown keys would otherwise hold its path 300,000 times.
        path: Arc<str>,
        /// 1-based; see [`position`].
        line: u32,
        column: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        pointer: Option<Box<str>>,
        #[serde(skip)]
        range: Range<usize>,
    },
    /// A whole file, with no useful position in it.
    Path { path: Box<str> },
    /// An environment variable, and the dotenv line that set it, if any.
    Env {
        name: Box<str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        env_file: Option<Box<str>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<usize>,
    },
    /// A live URL (`probe`).
    Url { url: Box<str> },
    /// The value is the SDK's default: nothing to point at.
    Default,
}

/// A line or column number as a [`Location::File`] keeps it. Every file
/// swml-sec reads is capped far below 4 GiB (16 MiB for a config), so no
/// real position saturates; 4 bytes each instead of 8 add up over the
/// 300,000 findings of a large config.
pub fn position(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Texts are `Box<str>`, not `String`: a finding is built once and its text
/// replaced whole (redaction), never grown, and a config with 300,000
/// unknown keys holds 300,000 findings until the report is written.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: Box<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<Box<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setting: Option<Box<str>>,
    pub location: Location,
    /// The SDK itself raises on this: the service cannot start.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub blocks_start: bool,
    /// What few findings carry, boxed: a config with 300,000 unknown keys
    /// holds as many findings, and each inline empty part cost 24 bytes.
    /// Its `refused_by` and `services` are members of the finding's JSON.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    annotations: Option<Box<Annotations>>,
    /// A floor over the profile's severity for this instance (a permissive
    /// CORS answer that also allows credentials is an error in any profile
    /// that reports the rule). A policy override still wins.
    #[serde(skip)]
    pub at_least: Option<Severity>,
    /// A cap under the profile's severity for this instance (a deprecated
    /// header's absence is a note in every profile). A policy override
    /// still wins.
    #[serde(skip)]
    pub at_most: Option<Severity>,
}

/// The rarely set parts of a finding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
struct Annotations {
    /// The TLS client families that refuse what the finding is about, where
    /// clients differ (scripts/tls-matrix measured them); empty when every
    /// client agrees. JSON `refused_by`, absent when empty (added in JSON
    /// version 1 without a version change: readers that ignore it lose
    /// nothing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    refused_by: Vec<&'static str>,
    /// The service classes the finding is about, when `check` judges
    /// several and not all of them give it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    services: Vec<String>,
    /// Short text for the label under the span in human output.
    #[serde(skip)]
    label: Option<String>,
    /// `check --stage build`: why this is left to `--stage deploy` (the
    /// value is provided at deploy). The finding is then at most a note.
    #[serde(skip)]
    deferred: Option<String>,
    /// The environment variable the finding is about (`var-unset`).
    #[serde(skip)]
    variable: Option<String>,
}

impl Finding {
    fn annotations(&mut self) -> &mut Annotations {
        self.annotations.get_or_insert_with(Box::default)
    }

    /// The TLS client families that refuse what the finding is about (empty
    /// when every client agrees).
    pub fn refusing_clients(&self) -> &[&'static str] {
        self.annotations.as_ref().map_or(&[], |a| &a.refused_by)
    }

    /// The service classes the finding is about, when only some of the
    /// judged ones give it (empty when all do).
    pub fn services(&self) -> &[String] {
        self.annotations.as_ref().map_or(&[], |a| &a.services)
    }

    /// Sets the service classes the finding is about.
    pub fn set_services(&mut self, services: Vec<String>) {
        if services.is_empty() {
            if let Some(a) = &mut self.annotations {
                a.services.clear();
            }
        } else {
            self.annotations().services = services;
        }
    }

    /// The label under the span in human output, if any.
    pub fn label_text(&self) -> Option<&str> {
        self.annotations.as_ref()?.label.as_deref()
    }

    /// Rewrites the label's text (redaction and escaping).
    pub fn map_label(&mut self, f: impl FnOnce(&str) -> String) {
        if let Some(a) = &mut self.annotations
            && let Some(label) = &a.label
        {
            a.label = Some(f(label));
        }
    }

    /// Why `check --stage build` leaves this to `--stage deploy`, if it does.
    pub fn deferred_reason(&self) -> Option<&str> {
        self.annotations.as_ref()?.deferred.as_deref()
    }

    /// Leaves the finding to `--stage deploy`, for `reason`.
    pub fn defer(&mut self, reason: String) {
        self.annotations().deferred = Some(reason);
    }

    /// The environment variable the finding is about, if any.
    pub fn variable_name(&self) -> Option<&str> {
        self.annotations.as_ref()?.variable.as_deref()
    }

    /// A finding for `rule`; its severity is set later from the profile and
    /// policy, so checks never decide it.
    pub fn new(rule: &'static str, message: impl Into<String>) -> Self {
        debug_assert!(
            crate::checks::registry::rule(rule).is_some(),
            "unregistered rule {rule}"
        );
        Finding {
            rule,
            severity: Severity::Error,
            message: message.into().into_boxed_str(),
            help: None,
            setting: None,
            location: Location::Default,
            blocks_start: false,
            at_least: None,
            at_most: None,
            annotations: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into().into_boxed_str());
        self
    }

    pub fn setting(mut self, name: impl Into<String>) -> Self {
        self.setting = Some(name.into().into_boxed_str());
        self
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = location;
        self
    }

    pub fn variable(mut self, name: impl Into<String>) -> Self {
        self.annotations().variable = Some(name.into());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.annotations().label = Some(label.into());
        self
    }

    pub fn at_least(mut self, severity: Severity) -> Self {
        self.at_least = Some(severity);
        self
    }

    pub fn at_most(mut self, severity: Severity) -> Self {
        self.at_most = Some(severity);
        self
    }

    pub fn refused_by(mut self, families: &[&'static str]) -> Self {
        self.annotations().refused_by = families.to_vec();
        self
    }

    pub fn blocks_start(mut self) -> Self {
        self.blocks_start = true;
        self
    }
}
