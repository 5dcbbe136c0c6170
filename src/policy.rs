//! Profiles, and how a finding's severity is decided.

use crate::checks::registry::rule;
use crate::finding::{Finding, Severity};

pub use crate::severity::Profile;

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
    /// Per-rule severity: "error", "warning" or "note", or a table with
    /// `level` and `reason`; "off" needs the table, with a reason.
    #[serde(default)]
    pub rules: RuleLevels,
    #[serde(default)]
    pub ignore: Vec<toml::Spanned<IgnoreEntry>>,
    /// `[profiles.dev]` and so on: what changes for one profile.
    #[serde(default)]
    pub profiles: std::collections::BTreeMap<Profile, ProfilePolicy>,
}

/// A `[profiles.NAME]` section: its `fail_on` replaces the top-level one,
/// its `[profiles.NAME.rules]` win over `[rules]`, and its ignores add to
/// the top-level ones, for that profile only.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfilePolicy {
    pub fail_on: Option<String>,
    #[serde(default)]
    pub rules: RuleLevels,
    #[serde(default)]
    pub ignore: Vec<toml::Spanned<IgnoreEntry>>,
}

/// A `[rules]` table: each rule id (spanned, so that an error points at
/// the key) and its level.
pub type RuleLevels = std::collections::BTreeMap<toml::Spanned<String>, toml::Spanned<RuleLevel>>;

/// One `[rules]` entry: `"rule" = "warning"`, or
/// `"rule" = { level = "off", reason = "..." }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleLevel {
    pub level: String,
    pub reason: Option<String>,
}

impl<'de> serde::Deserialize<'de> for RuleLevel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RuleLevel;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a level (\"error\", \"warning\", \"note\") or a table { level = \"off\", reason = \"...\" }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RuleLevel, E> {
                Ok(RuleLevel {
                    level: v.to_string(),
                    reason: None,
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RuleLevel, A::Error> {
                let (mut level, mut reason) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "level" => level = Some(map.next_value::<String>()?),
                        "reason" => reason = Some(map.next_value::<String>()?),
                        other => {
                            return Err(serde::de::Error::unknown_field(
                                other,
                                &["level", "reason"],
                            ));
                        }
                    }
                }
                let level = level.ok_or_else(|| serde::de::Error::missing_field("level"))?;
                Ok(RuleLevel { level, reason })
            }
        }
        d.deserialize_any(Visitor)
    }
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
            let (masked, map) = crate::report::redact::mask_secret_members_mapped(text);
            let indexed = crate::report::snippet::IndexedText::new(std::sync::Arc::new(masked));
            let range = span.clone().unwrap_or(0..0);
            let (_, column) = crate::resolve::LineIndex::new(text).line_col(range.start);
            let range = map.map_range(&range);
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
        let sections = std::iter::once((String::new(), &policy.rules, &policy.ignore)).chain(
            policy
                .profiles
                .iter()
                .map(|(p, s)| (format!("profiles.{}.", p.as_str()), &s.rules, &s.ignore)),
        );
        for (prefix, rules, ignores) in sections {
            for (id, level) in rules {
                if rule(id.get_ref()).is_none() {
                    let hint = crate::resolve::did_you_mean(
                        id.get_ref(),
                        crate::checks::registry::RULES.iter().map(|r| r.id),
                    )
                    .map_or(String::new(), |s| format!(" (did you mean {s}?)"));
                    return Err(error(
                        format!(
                            "unknown rule {:?} in [{prefix}rules]{}",
                            id.get_ref(),
                            if hint.is_empty() {
                                crate::checks::registry::retired_hint(id.get_ref())
                            } else {
                                hint
                            }
                        ),
                        Some(id.span()),
                    ));
                }
                let id = id.get_ref();
                let RuleLevel {
                    level: name,
                    reason,
                } = level.get_ref();
                if !matches!(name.as_str(), "error" | "warning" | "note" | "off") {
                    return Err(error(
                        format!("severity {name:?} for {id} must be error, warning, note or off"),
                        Some(level.span()),
                    ));
                }
                // A rule turned off hides every finding of it, as an ignore
                // does one: it stays reviewable only with its reason.
                if name == "off" && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    return Err(error(
                        format!(
                            "turning {id} off needs a reason: write \"{id}\" = {{ level = \"off\", reason = \"why\" }}"
                        ),
                        Some(level.span()),
                    ));
                }
            }
            for entry in ignores {
                if rule(&entry.get_ref().rule).is_none() {
                    let hint = crate::resolve::did_you_mean(
                        &entry.get_ref().rule,
                        crate::checks::registry::RULES.iter().map(|r| r.id),
                    )
                    .map_or(String::new(), |s| format!(" (did you mean {s}?)"));
                    return Err(error(
                        format!(
                            "unknown rule {:?} in [[{prefix}ignore]]{}",
                            entry.get_ref().rule,
                            if hint.is_empty() {
                                crate::checks::registry::retired_hint(&entry.get_ref().rule)
                            } else {
                                hint.clone()
                            }
                        ),
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
        }
        for (prefix, fail_on) in std::iter::once((String::new(), &policy.fail_on)).chain(
            policy
                .profiles
                .iter()
                .map(|(p, s)| (format!("profiles.{}.", p.as_str()), &s.fail_on)),
        ) {
            if let Some(f) = fail_on
                && Severity::parse(f).is_none()
            {
                return Err(error(
                    format!("{prefix}fail_on {f:?} must be error, warning or note"),
                    None,
                ));
            }
        }
        Ok(policy)
    }

    /// The `fail_on` for `profile`: its section's, else the top-level one.
    pub fn fail_on_for(&self, profile: Profile) -> Option<Severity> {
        self.profiles
            .get(&profile)
            .and_then(|s| s.fail_on.as_deref())
            .or(self.fail_on.as_deref())
            .and_then(Severity::parse)
    }

    /// Per-rule levels for `profile`: `[rules]`, then its section's.
    pub fn levels_for(&self, profile: Profile) -> std::collections::BTreeMap<String, RuleLevel> {
        let mut rules: std::collections::BTreeMap<String, RuleLevel> = self
            .rules
            .iter()
            .map(|(k, v)| (k.get_ref().clone(), v.get_ref().clone()))
            .collect();
        if let Some(section) = self.profiles.get(&profile) {
            rules.extend(
                section
                    .rules
                    .iter()
                    .map(|(k, v)| (k.get_ref().clone(), v.get_ref().clone())),
            );
        }
        rules
    }

    /// Per-rule severities for `profile`: `[rules]`, then its section's.
    pub fn rules_for(&self, profile: Profile) -> std::collections::BTreeMap<String, String> {
        self.levels_for(profile)
            .into_iter()
            .map(|(k, v)| (k, v.level))
            .collect()
    }

    /// Why each rule is set as it is for `profile`, where the file says.
    pub fn reasons_for(&self, profile: Profile) -> std::collections::BTreeMap<String, String> {
        self.levels_for(profile)
            .into_iter()
            .filter_map(|(k, v)| Some((k, v.reason?)))
            .collect()
    }

    /// The ignores for `profile`: the top-level ones, then its section's.
    pub fn ignores_for(&self, profile: Profile) -> impl Iterator<Item = &IgnoreEntry> {
        self.ignore
            .iter()
            .chain(
                self.profiles
                    .get(&profile)
                    .into_iter()
                    .flat_map(|s| &s.ignore),
            )
            .map(|i| i.get_ref())
    }
}
/// One ignore, from the policy file or `--ignore`, and whether it matched.
#[derive(Debug, Clone)]
pub struct Ignore {
    pub rule: String,
    pub setting: Option<String>,
    /// The policy's reason; for `--ignore`, a sentence that says none was given.
    pub reason: String,
    /// "--ignore" or the policy file's path, for the unused-ignore message.
    pub origin: String,
    pub location: crate::finding::Location,
}

/// The severity `f` has in `profile` with the policy's per-rule
/// `overrides`, or None when the rule is off there. The one place a
/// severity is decided: the registry's default for the profile, the
/// finding's own floor and cap, the policy override, and last the stage
/// (a finding deferred to `--stage deploy` is at most a note).
pub fn severity_of(
    f: &Finding,
    profile: Profile,
    overrides: &std::collections::BTreeMap<String, String>,
) -> Option<Severity> {
    let severity = match overrides.get(f.rule).map(String::as_str) {
        Some("off") => None,
        Some(level) => Severity::parse(level),
        None => rule(f.rule)
            .and_then(|r| r.severity(profile))
            .map(|s| s.max(f.at_least.unwrap_or(s)))
            .map(|s| s.min(f.at_most.unwrap_or(s))),
    }?;
    Some(if f.deferred_reason().is_some() {
        Severity::Note
    } else {
        severity
    })
}

/// Whether `rule_id` reports anything in `profile` with `overrides`.
pub fn rule_is_on(
    rule_id: &str,
    profile: Profile,
    overrides: &std::collections::BTreeMap<String, String>,
) -> bool {
    match overrides.get(rule_id).map(String::as_str) {
        Some("off") => false,
        Some(_) => true,
        None => rule(rule_id).is_some_and(|r| r.severity(profile).is_some()),
    }
}

/// Why a finding is not reported: the trace a policy leaves in JSON and
/// SARIF, so that a hidden finding stays reviewable.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Suppression {
    /// `ignore` (an `[[ignore]]` or `--ignore`) or `rule-off` (`[rules]`
    /// turns the rule off).
    pub kind: &'static str,
    pub reason: String,
    /// The policy file's path, or `--ignore`.
    pub origin: String,
}

/// What [`apply_policy`] keeps, and what the policy hid, each with why.
#[derive(Debug, Default)]
pub struct Judged {
    pub findings: Vec<Finding>,
    /// Each with the severity it would have had.
    pub suppressed: Vec<(Finding, Suppression)>,
}

impl Judged {
    /// How many findings ignores hid (not counting rules turned off).
    pub fn ignored(&self) -> usize {
        self.suppressed
            .iter()
            .filter(|(_, s)| s.kind == "ignore")
            .count()
    }
}

/// Applies the profile, per-rule overrides and ignores; reports every
/// ignore that matched nothing where its rule is on (an ignore of a rule
/// the profile turns off has nothing to match, and is not unused).
/// `reasons` are the policy's reasons per rule, `origin` the policy file.
pub fn apply_policy(
    findings: Vec<Finding>,
    profile: Profile,
    overrides: &std::collections::BTreeMap<String, String>,
    reasons: &std::collections::BTreeMap<String, String>,
    origin: Option<&str>,
    ignores: &[Ignore],
) -> Judged {
    let mut used = vec![false; ignores.len()];
    // An index, not a scan of every ignore for every finding (30,000 of
    // each took 11 s).
    let mut first_ignore: std::collections::HashMap<(&str, Option<&str>), usize> =
        std::collections::HashMap::new();
    for (i, ignore) in ignores.iter().enumerate() {
        first_ignore
            .entry((ignore.rule.as_str(), ignore.setting.as_deref()))
            .or_insert(i);
    }
    let none = std::collections::BTreeMap::new();
    // In place: a run with 80,000 findings holds them once.
    let mut judged = Judged {
        findings,
        suppressed: Vec::new(),
    };
    let suppressed = &mut judged.suppressed;
    judged.findings.retain_mut(|f| {
        let Some(severity) = severity_of(f, profile, overrides) else {
            // Turned off by the policy where the profile reports it: kept
            // as suppressed, so the finding is not taken for fixed.
            if overrides.get(f.rule).is_some_and(|l| l == "off")
                && let Some(severity) = severity_of(f, profile, &none)
            {
                f.severity = severity;
                suppressed.push((
                    f.clone(),
                    Suppression {
                        kind: "rule-off",
                        reason: reasons.get(f.rule).cloned().unwrap_or_default(),
                        origin: origin.unwrap_or_default().to_string(),
                    },
                ));
            }
            return false;
        };
        f.severity = severity;
        // The first ignore that matches: by rule alone or by rule and setting.
        let by_rule = first_ignore.get(&(f.rule, None)).copied();
        let by_setting = f
            .setting
            .as_deref()
            .and_then(|s| first_ignore.get(&(f.rule, Some(s))).copied());
        let matching = by_rule.into_iter().chain(by_setting).min();
        if let Some(i) = matching {
            used[i] = true;
            suppressed.push((
                f.clone(),
                Suppression {
                    kind: "ignore",
                    reason: ignores[i].reason.clone(),
                    origin: ignores[i].origin.clone(),
                },
            ));
            return false;
        }
        true
    });
    for (ignore, used) in ignores.iter().zip(used) {
        if used || !rule_is_on(&ignore.rule, profile, overrides) {
            continue;
        }
        let f = Finding::new(
            "policy-unused-ignore",
            format!(
                "the ignore of {} ({}) matched no finding",
                ignore.rule, ignore.origin
            ),
        )
        .help("remove the ignore: it would hide the next real finding")
        .at(ignore.location.clone());
        if let Some(severity) = severity_of(&f, profile, overrides) {
            let mut f = f;
            f.severity = severity;
            judged.findings.push(f);
        }
    }
    judged
}
