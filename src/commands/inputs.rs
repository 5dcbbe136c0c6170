//! Input handling shared by the commands: the environment view and config
//! choice, the resolution, the policy file, `--ca-file` anchors and `--at`.

use crate::cli::InputArgs;
use crate::input::{ConfigChoice, EnvView};
use crate::policy::Profile;
use crate::report::human::Sources;
use crate::report::redact::Redactor;
use crate::resolve::{Resolution, resolve_for};

use super::UsageError;

/// Where the config comes from: a path or the SDK's search, or standard
/// input (`-`), read once up to the size cap.
pub enum ConfigInput {
    Choice(ConfigChoice),
    Stdin(Vec<u8>),
}

/// The display path of a config read from standard input.
pub const STDIN_CONFIG: &str = "<stdin>";

/// Resolves `config` as the SDK package `sdk` would.
pub fn resolve_config(env: &EnvView, config: &ConfigInput, sdk: crate::model::Sdk) -> Resolution {
    match config {
        ConfigInput::Choice(choice) => resolve_for(env, choice, sdk),
        ConfigInput::Stdin(bytes) => {
            crate::resolve::resolve_with_config_bytes_for(env, STDIN_CONFIG, bytes, sdk)
        }
    }
}

/// The environment view and config shared by resolve and check.
pub fn build_inputs(input: &InputArgs) -> Result<(EnvView, ConfigInput), UsageError> {
    if input.config.as_deref() == Some("-") && input.env_files.iter().any(|f| f == "-") {
        return Err(UsageError::Other(
            "the config and an --env-file cannot both be `-`: standard input can be read only once"
                .into(),
        ));
    }
    let mut env = if input.no_env {
        EnvView::empty()
    } else {
        EnvView::from_process()
    };
    for file in &input.env_files {
        env.load_env_file(file).map_err(UsageError::EnvFile)?;
    }
    let choice = match &input.config {
        Some(path) if path.is_empty() => {
            return Err(UsageError::Other("the config path is empty".into()));
        }
        Some(path) if path == "-" => {
            let bytes = crate::input::read_env_source("-", crate::input::CONFIG_SIZE_CAP)
                .map_err(|e| UsageError::Other(format!("cannot read the config from {e}")))?;
            return Ok((env, ConfigInput::Stdin(bytes)));
        }
        Some(path) => ConfigChoice::Explicit(path.clone()),
        None => {
            let home = env
                .get("HOME")
                .map(std::path::PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(std::path::PathBuf::from));
            ConfigChoice::Discover {
                service: input.service.clone(),
                home,
            }
        }
    };
    Ok((env, ConfigInput::Choice(choice)))
}

/// Resolves the inputs; a config file named on the command line must exist.
pub fn resolve_inputs(input: &InputArgs) -> Result<(EnvView, Resolution), UsageError> {
    let (env, config) = build_inputs(input)?;
    let res = resolve_config(&env, &config, input.sdk);
    if let Some(c) = &res.config
        && c.explicit
        && c.text.is_none()
        && let Some(f) = res.findings.iter().find(|f| f.rule == "config-unreadable")
    {
        return Err(UsageError::Other(
            crate::report::escape::escape(&f.message).into_owned(),
        ));
    }
    Ok((env, res))
}

pub fn sources_of(res: &Resolution, redactor: &Redactor) -> Sources {
    let mut sources = Sources::default();
    if let Some(c) = &res.config
        && let Some(text) = &c.text
    {
        let (masked, map) = crate::report::redacted_source_mapped(text, res, redactor);
        sources.add_mapped(&c.path, std::sync::Arc::new(masked), map);
    }
    sources
}

/// Parses `YYYY-MM-DD` or RFC 3339 (`YYYY-MM-DDTHH:MM:SS[Z|±HH:MM]`) as Unix time.
pub fn parse_date(s: &str) -> Option<i64> {
    let (date, time) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    // Four-digit years (RFC 3339), and only days the month has: no
    // rolling 2026-02-31 over to March, no arithmetic that can overflow.
    if parts.next().is_some()
        || !(1..=9999).contains(&y)
        || !(1..=12).contains(&m)
        || !(1..=days_in_month(y, m)).contains(&d)
    {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let yy = if m <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let mut seconds = days * 86_400;
    if let Some(t) = time {
        let (clock, offset) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
            (c, 0)
        } else if let Some(i) = t.rfind(['+', '-']) {
            let (c, o) = t.split_at(i);
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let (oh, om) = o[1..].split_once(':')?;
            let (oh, om): (i64, i64) = (oh.parse().ok()?, om.parse().ok()?);
            if !(0..24).contains(&oh) || !(0..60).contains(&om) {
                return None;
            }
            (c, sign * (oh * 3600 + om * 60))
        } else {
            (t, 0)
        };
        let mut hms = clock.split(':');
        let h: i64 = hms.next()?.parse().ok()?;
        let mi: i64 = hms.next().unwrap_or("0").parse().ok()?;
        let sec: f64 = hms.next().unwrap_or("0").parse().ok()?;
        if hms.next().is_some()
            || !(0..24).contains(&h)
            || !(0..60).contains(&mi)
            || !(0.0..61.0).contains(&sec)
        {
            return None;
        }
        seconds += h * 3600 + mi * 60 + sec as i64 - offset;
    }
    Some(seconds)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn load_policy(
    path: Option<&str>,
) -> Result<Option<(String, crate::policy::PolicyFile)>, UsageError> {
    let (path, explicit) = match path {
        Some(p) => (p.to_string(), true),
        None if std::path::Path::new(".swml-sec.toml").exists() => {
            (".swml-sec.toml".to_string(), false)
        }
        None => return Ok(None),
    };
    let bytes = crate::input::read_bounded(&path, crate::input::CONFIG_SIZE_CAP).map_err(|e| {
        UsageError::Other(format!(
            "cannot read policy file {e}{}",
            if explicit {
                ""
            } else {
                " (found in the working directory)"
            }
        ))
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| UsageError::Other(format!("policy file {path} is not valid UTF-8")))?;
    Ok(Some((
        path.clone(),
        crate::policy::PolicyFile::parse(&path, &text)?,
    )))
}

fn read_ca_files(
    paths: &[String],
) -> Result<Vec<rustls_pki_types::CertificateDer<'static>>, UsageError> {
    use rustls_pki_types::pem::PemObject;
    let mut anchors = Vec::new();
    for path in paths {
        let bytes = crate::input::read_bounded(path, crate::input::PEM_SIZE_CAP)
            .map_err(|e| UsageError::Other(format!("cannot read --ca-file {e}")))?;
        let certs: Vec<_> = rustls_pki_types::CertificateDer::pem_slice_iter(&bytes)
            .filter_map(Result::ok)
            .collect();
        if certs.is_empty() {
            return Err(UsageError::Other(format!(
                "--ca-file {path} holds no PEM certificate"
            )));
        }
        anchors.extend(certs);
    }
    Ok(anchors)
}

/// What `check` and `probe` share: the policy, profile and check options.
pub struct Judging {
    pub profile: Profile,
    pub fail_on: crate::finding::Severity,
    pub options: crate::checks::CheckOptions,
    pub overrides: std::collections::BTreeMap<String, String>,
    /// The policy's reason for each rule it sets, where it gives one.
    pub reasons: std::collections::BTreeMap<String, String>,
    pub ignores: Vec<crate::policy::Ignore>,
    pub policy_path: Option<String>,
    /// `check --stage`; None for `probe`.
    pub stage: Option<crate::stage::Stage>,
}

impl Judging {
    /// No policy file, no flags: the profile's defaults, judged at `at`.
    pub fn defaults(profile: Profile, at: i64) -> Self {
        Judging {
            profile,
            fail_on: crate::finding::Severity::Error,
            options: crate::checks::CheckOptions::at_time(at),
            overrides: Default::default(),
            reasons: Default::default(),
            ignores: Vec::new(),
            policy_path: None,
            stage: None,
        }
    }
}

pub fn prepare(args: &crate::cli::ReportArgs) -> Result<Judging, UsageError> {
    use crate::cli::FailOn;
    use crate::finding::Severity;
    let (policy_path, policy) = match load_policy(args.policy.as_deref())? {
        Some((p, f)) => (Some(p), f),
        None => (None, crate::policy::PolicyFile::default()),
    };
    let profile = args.profile.or(policy.profile).unwrap_or(Profile::Prod);
    let fail_on = match args.fail_on {
        Some(FailOn::Error) => Severity::Error,
        Some(FailOn::Warning) => Severity::Warning,
        Some(FailOn::Note) => Severity::Note,
        None => policy.fail_on_for(profile).unwrap_or(Severity::Error),
    };
    let at = match &args.at {
        Some(text) => parse_date(text).ok_or_else(|| {
            UsageError::Other(format!(
                "--at {text:?} is not a date: use YYYY-MM-DD or RFC 3339"
            ))
        })?,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
    };
    for id in &args.ignores {
        if crate::checks::registry::rule(id).is_none() {
            let hint = crate::resolve::did_you_mean(
                id,
                crate::checks::registry::RULES.iter().map(|r| r.id),
            )
            .map_or_else(
                || crate::checks::registry::retired_hint(id),
                |s| format!(" (did you mean {s}?)"),
            );
            return Err(UsageError::Other(format!(
                "--ignore {id}: no such rule{hint}; see `swml-sec rules`"
            )));
        }
    }
    let options = crate::checks::CheckOptions {
        warn_days: args.warn_days.or(policy.warn_days).unwrap_or(30),
        ca_anchors: read_ca_files(&args.ca_files)?,
        min_password_length: policy.password.min_length.unwrap_or(16),
        ..crate::checks::CheckOptions::at_time(at)
    };
    let mut ignores: Vec<crate::policy::Ignore> = policy
        .ignores_for(profile)
        .map(|i| crate::policy::Ignore {
            rule: i.rule.clone(),
            setting: i.setting.clone(),
            reason: i.reason.clone(),
            origin: policy_path.clone().unwrap_or_default(),
            location: crate::finding::Location::Path {
                path: policy_path.as_deref().unwrap_or_default().into(),
            },
        })
        .collect();
    ignores.extend(args.ignores.iter().map(|r| crate::policy::Ignore {
        rule: r.clone(),
        setting: None,
        reason: "--ignore on the command line (it takes no reason)".into(),
        origin: "--ignore".into(),
        location: crate::finding::Location::Default,
    }));
    Ok(Judging {
        profile,
        fail_on,
        options,
        overrides: policy.rules_for(profile),
        reasons: policy.reasons_for(profile),
        ignores,
        policy_path,
        stage: None,
    })
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates_that_do_not_exist_are_refused() {
        assert_eq!(parse_date("2026-12-01"), Some(1_796_083_200));
        assert_eq!(parse_date("2024-02-29"), Some(1_709_164_800));
        assert_eq!(
            parse_date("2026-12-01T10:00:00+02:00"),
            Some(1_796_083_200 + 8 * 3600)
        );
        for bad in [
            "2026-02-31",
            "2026-02-29",
            "2100-02-29",
            "2026-04-31",
            "9223372036854775807-01-01",
            "10000-01-01",
            "0-01-01",
            "2026-01-01T10:00:00+99999999999:00",
            "2026-01-01T10:00:00:00",
            "2026-01-01TNaN",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
