//! Runs a parsed command line; returns the process exit code.

use std::io::IsTerminal;

use crate::cli::{
    Cli, ColorChoice, Command, GenPasswordArgs, InputArgs, PasswordFormat, ResolveArgs,
    ResolveFormat,
};
use crate::input::{ConfigChoice, EnvView};
use crate::password::{DEFAULT_BYTES, Shape, generate};
use crate::policy::{Profile, apply_profile};
use crate::report::human::{Sources, render_findings};
use crate::report::output::{Document, Output};
use crate::report::redact::{Redactor, secrets_of_run};
use crate::report::{Secrets, resolve_out};
use crate::resolve::{Resolution, resolve_for};

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// An error that stops a command before it can report: printed with miette.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum UsageError {
    #[error("cannot read --env-file {0}")]
    #[diagnostic(code(swml_sec::env_file))]
    EnvFile(#[source] crate::input::EnvError),
    #[error("{0}")]
    #[diagnostic(code(swml_sec::password))]
    Password(#[from] crate::password::PasswordError),
    #[error("{0}")]
    #[diagnostic(code(swml_sec::usage))]
    Other(String),
    #[error(transparent)]
    #[diagnostic(code(swml_sec::output))]
    Write(#[from] crate::report::output::WriteError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Policy(#[from] Box<crate::policy::PolicyError>),
}

pub fn use_color(choice: ColorChoice, stream_is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn print_error(err: &dyn miette::Diagnostic, color: bool) {
    let mut out = String::new();
    let _ = crate::report::human::handler(color).render_report(&mut out, err);
    // Errors come before a run's secrets are known: escaped, and redacted
    // of nothing but what their own text names.
    Output::new(Redactor::none(), false, color).stderr(&out);
}

pub fn run(cli: Cli) -> u8 {
    let stderr_color = use_color(cli.color, std::io::stderr().is_terminal());
    let result = match cli.command {
        Command::Resolve(args) => run_resolve(args, stderr_color),
        Command::Check(args) => run_check(args, cli.color),
        Command::Probe(args) => run_probe(args, cli.color),
        Command::GenPassword(args) => run_gen_password(args),
        Command::Rules { format } => run_rules(format),
        Command::Explain { rule } => run_explain(&rule),
        Command::Schema => write_stdout(&crate::schema::config_schema()).map(|()| EXIT_OK),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, "swml-sec", &mut out);
            write_stdout(&String::from_utf8_lossy(&out)).map(|()| EXIT_OK)
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            match clap_mangen::Man::new(cmd).render(&mut out) {
                Ok(()) => write_stdout(&String::from_utf8_lossy(&out)).map(|()| EXIT_OK),
                Err(e) => Err(UsageError::Other(format!(
                    "cannot render the man page: {e}"
                ))),
            }
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            print_error(&e, stderr_color);
            EXIT_ERROR
        }
    }
}

/// The environment view and config choice shared by resolve and check.
pub fn build_inputs(input: &InputArgs) -> Result<(EnvView, ConfigChoice), UsageError> {
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
    Ok((env, choice))
}

pub fn sources_of(res: &Resolution, redactor: &Redactor) -> Sources {
    let mut sources = Sources::default();
    if let Some(c) = &res.config
        && let Some(text) = &c.text
    {
        sources.add(
            &c.path,
            std::sync::Arc::new(crate::report::redacted_source(text, res, redactor)),
        );
    }
    sources
}

/// Output that holds no value from input (rules, explain, schema, man,
/// completions, generated passwords): still through the one exit.
fn write_stdout(text: &str) -> Result<(), UsageError> {
    Ok(Output::default().stdout(Document::Text(text.to_string()))?)
}

fn run_resolve(args: ResolveArgs, stderr_color: bool) -> Result<u8, UsageError> {
    let (env, choice) = build_inputs(&args.input)?;
    let mut res = resolve_for(&env, &choice, args.input.sdk);
    // resolve reports its diagnostics with the production severities.
    res.findings = apply_profile(std::mem::take(&mut res.findings), Profile::Prod);
    res.findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let redactor = if args.show_secrets {
        Redactor::none()
    } else {
        Redactor::new(secrets_of_run(&res, &env, []))
    };
    let output = Output::new(redactor, false, stderr_color);
    output.sanitize(&mut res.findings);
    let secrets = Secrets {
        show: args.show_secrets,
        redactor: &output.redactor,
    };
    let eprint_findings = |findings: &[crate::finding::Finding]| {
        if !findings.is_empty() {
            let sources = sources_of(&res, &output.redactor);
            output.stderr(&render_findings(findings, &sources, stderr_color));
        }
    };
    // An unreadable or invalid config file always comes back as not loaded.
    if res.blocks_start() || res.config_ignored() {
        let fatal: Vec<_> = res
            .findings
            .iter()
            .filter(|f| f.blocks_start || f.rule.starts_with("config-"))
            .cloned()
            .collect();
        eprint_findings(&fatal);
        let summary = if res.blocks_start() {
            "error: the SDK would fail to start with these settings"
        } else if res.config.as_ref().is_some_and(|c| c.beyond_swml_sec) {
            "error: swml-sec cannot follow this config file, which the SDK may still load"
        } else {
            "error: the SDK would silently ignore the config file"
        };
        output.stderr(summary);
        if args.format == ResolveFormat::Json {
            output.stdout(Document::Json(resolve_out::to_json(&res, secrets)))?;
        }
        return Ok(EXIT_ERROR);
    }
    let document = match args.format {
        ResolveFormat::Human => {
            eprint_findings(&res.findings);
            Document::Text(resolve_out::render_human(&res, secrets))
        }
        ResolveFormat::Json => Document::Json(resolve_out::to_json(&res, secrets)),
        ResolveFormat::Toml => Document::Toml(resolve_out::to_json(&res, secrets)),
        ResolveFormat::Env => {
            eprint_findings(&res.findings);
            Document::Text(resolve_out::render_env(&res, secrets))
        }
    };
    output.stdout(document)?;
    Ok(EXIT_OK)
}

fn run_gen_password(args: GenPasswordArgs) -> Result<u8, UsageError> {
    let shape = match (args.bytes, args.length) {
        (_, Some(n)) => Shape::Length(n),
        (Some(n), None) => Shape::Bytes(n),
        (None, None) => Shape::Bytes(DEFAULT_BYTES),
    };
    shape.validate()?;
    if args.count == 0 || args.count > 1000 {
        return Err(UsageError::Other(
            "--count must be between 1 and 1000".into(),
        ));
    }
    if args.format == PasswordFormat::Env && args.count > 1 {
        return Err(UsageError::Other(
            "--format env prints one password: drop --count".into(),
        ));
    }
    let passwords = (0..args.count)
        .map(|_| generate(shape))
        .collect::<Result<Vec<_>, _>>()?;
    let text = match args.format {
        PasswordFormat::Raw => passwords.iter().map(|p| format!("{p}\n")).collect(),
        PasswordFormat::Env => format!(
            "export SWML_BASIC_AUTH_PASSWORD={}\n",
            resolve_out::shell_quote(&passwords[0])
        ),
        PasswordFormat::Json => {
            let doc = serde_json::json!({
                "version": 1,
                "entropy_bits": shape.entropy_bits(),
                "passwords": passwords,
            });
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
    };
    write_stdout(&text)?;
    Ok(EXIT_OK)
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
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
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
            (
                c,
                sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60),
            )
        } else {
            (t, 0)
        };
        let mut hms = clock.split(':');
        let h: i64 = hms.next()?.parse().ok()?;
        let mi: i64 = hms.next().unwrap_or("0").parse().ok()?;
        let sec: f64 = hms.next().unwrap_or("0").parse().ok()?;
        if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0.0..61.0).contains(&sec) {
            return None;
        }
        seconds += h * 3600 + mi * 60 + sec as i64 - offset;
    }
    Some(seconds)
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
struct Judging {
    profile: Profile,
    fail_on: crate::finding::Severity,
    options: crate::checks::CheckOptions,
    overrides: std::collections::BTreeMap<String, String>,
    ignores: Vec<crate::policy::Ignore>,
    policy_path: Option<String>,
}

fn prepare(args: &crate::cli::ReportArgs) -> Result<Judging, UsageError> {
    use crate::cli::FailOn;
    use crate::finding::Severity;
    let (policy_path, policy) = match load_policy(args.policy.as_deref())? {
        Some((p, f)) => (Some(p), f),
        None => (None, crate::policy::PolicyFile::default()),
    };
    let fail_on = match args.fail_on {
        Some(FailOn::Error) => Severity::Error,
        Some(FailOn::Warning) => Severity::Warning,
        Some(FailOn::Note) => Severity::Note,
        None => policy
            .fail_on
            .as_deref()
            .and_then(Severity::parse)
            .unwrap_or(Severity::Error),
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
            .map_or(String::new(), |s| format!(" (did you mean {s}?)"));
            return Err(UsageError::Other(format!(
                "--ignore {id}: no such rule{hint}; see `swml-sec rules`"
            )));
        }
    }
    let options = crate::checks::CheckOptions {
        at,
        warn_days: args.warn_days.or(policy.warn_days).unwrap_or(30),
        ca_anchors: read_ca_files(&args.ca_files)?,
        min_password_length: policy.password.min_length.unwrap_or(16),
    };
    let mut ignores: Vec<crate::policy::Ignore> = policy
        .ignore
        .iter()
        .map(|i| crate::policy::Ignore {
            rule: i.get_ref().rule.clone(),
            setting: i.get_ref().setting.clone(),
            origin: policy_path.clone().unwrap_or_default(),
            location: crate::finding::Location::Path {
                path: policy_path.clone().unwrap_or_default(),
            },
        })
        .collect();
    ignores.extend(args.ignores.iter().map(|r| crate::policy::Ignore {
        rule: r.clone(),
        setting: None,
        origin: "--ignore".into(),
        location: crate::finding::Location::Default,
    }));
    Ok(Judging {
        profile: args.profile.or(policy.profile).unwrap_or(Profile::Prod),
        fail_on,
        options,
        overrides: policy
            .rules
            .iter()
            .map(|(k, v)| (k.clone(), v.get_ref().clone()))
            .collect(),
        ignores,
        policy_path,
    })
}

/// Resolves the inputs; a config file named on the command line must exist.
fn resolve_inputs(input: &InputArgs) -> Result<(EnvView, Resolution), UsageError> {
    let (env, choice) = build_inputs(input)?;
    let res = resolve_for(&env, &choice, input.sdk);
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

/// Applies the policy to `findings`, renders them, and gives the exit code.
fn report(
    findings: Vec<crate::finding::Finding>,
    res: &Resolution,
    redactor: Redactor,
    judging: &Judging,
    args: &crate::cli::ReportArgs,
    color: ColorChoice,
    extra: Option<(&str, serde_json::Value)>,
) -> Result<u8, UsageError> {
    use crate::cli::CheckFormat;
    let profile = judging.profile;
    let mut findings =
        crate::policy::apply_policy(findings, profile, &judging.overrides, &judging.ignores);
    let stdout_color = use_color(color, std::io::stdout().is_terminal());
    let output = Output::new(redactor, stdout_color, false);
    output.sanitize(&mut findings);
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.rule.cmp(b.rule)));
    let on_github = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    let format = args.format.unwrap_or(if on_github {
        CheckFormat::Github
    } else {
        CheckFormat::Human
    });
    let config_file = res.config.as_ref().map(|c| c.path.as_str());
    let rules_that_ran: Vec<&'static crate::checks::registry::Rule> =
        crate::checks::registry::RULES
            .iter()
            .filter(|r| match judging.overrides.get(r.id).map(String::as_str) {
                Some("off") => false,
                Some(_) => true,
                None => r.severity(profile).is_some(),
            })
            .collect();
    // SARIF needs a repository-relative file for every result.
    let readme = std::path::Path::new("README.md")
        .exists()
        .then(|| "README.md".to_string());
    let locator = crate::report::locate::Locator::new(
        std::env::current_dir().unwrap_or_default(),
        res.config.as_ref(),
        &[
            args.sarif_anchor.clone(),
            judging.policy_path.clone(),
            readme,
            config_file.map(str::to_string),
        ],
    );
    let document = match format {
        CheckFormat::Json => Document::Json(crate::report::check_out::render_json(
            &findings,
            profile,
            config_file,
            extra,
        )),
        CheckFormat::Sarif => Document::Json(crate::report::sarif::render(
            &findings,
            &rules_that_ran,
            &locator,
        )),
        CheckFormat::Github => Document::Text(crate::report::github::render(&findings, &locator)),
        CheckFormat::Junit => {
            let probe = extra
                .as_ref()
                .map(|(_, observed)| !observed["tls_version"].is_null());
            let scope = crate::report::junit::Scope {
                profile,
                probe: probe.is_some(),
                tls: probe.unwrap_or_else(|| {
                    res.settings
                        .value(crate::model::SettingId::SslEnabled)
                        .as_bool()
                }),
            };
            Document::Xml(crate::report::junit::render(
                &findings,
                &rules_that_ran,
                scope,
                judging.fail_on,
                &locator,
            ))
        }
        CheckFormat::Human => Document::Text(crate::report::check_out::render_human(
            &findings,
            profile,
            &sources_of(res, &output.redactor),
            stdout_color,
        )),
    };
    output.stdout(document)?;
    Ok(if findings.iter().any(|f| f.severity >= judging.fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

fn run_check(args: crate::cli::CheckArgs, color: ColorChoice) -> Result<u8, UsageError> {
    let judging = prepare(&args.report)?;
    let (env, res) = resolve_inputs(&args.input)?;
    let findings = crate::checks::run_all(&res, &judging.options);
    let redactor = Redactor::new(secrets_of_run(&res, &env, []));
    report(
        findings,
        &res,
        redactor,
        &judging,
        &args.report,
        color,
        None,
    )
}

fn run_probe(args: crate::cli::ProbeArgs, color: ColorChoice) -> Result<u8, UsageError> {
    let judging = prepare(&args.report)?;
    let target = crate::probe::http::Target::parse(&args.url).map_err(UsageError::Other)?;
    let (env, res) = resolve_inputs(&args.input)?;
    let password = match &args.password_env {
        Some(var) => Some(std::env::var(var).map_err(|_| {
            UsageError::Other(format!(
                "--password-env {var}: the variable is unset or not UTF-8"
            ))
        })?),
        None => None,
    };
    let options = crate::probe::ProbeOptions {
        url: args.url.clone(),
        target,
        user: args.user.clone(),
        password,
        insecure: args.insecure,
        allow_insecure_auth: args.allow_insecure_auth,
        limits: crate::probe::http::Limits {
            connect_timeout: std::time::Duration::from_secs(args.connect_timeout.clamp(1, 120)),
            total_timeout: std::time::Duration::from_secs(args.timeout.clamp(1, 300)),
        },
    };
    // The probe's own credentials, in every form a server could echo.
    let probe_secrets = options.secret_forms(&res);
    let redactor = Redactor::new(secrets_of_run(&res, &env, probe_secrets));
    let outcome = crate::probe::probe(&res, &judging.options, &options);
    let log_output = Output::new(
        redactor.clone(),
        false,
        use_color(color, std::io::stderr().is_terminal()),
    );
    for line in &outcome.log {
        log_output.stderr(&format!("probe: {}", crate::report::escape::escape(line)));
    }
    let observed = serde_json::json!({
        "url": args.url,
        "tls_version": outcome.tls_version,
        "credentials": outcome.credentials.as_str(),
        "log": outcome.log,
    });
    report(
        outcome.findings,
        &res,
        redactor,
        &judging,
        &args.report,
        color,
        Some(("probe", observed)),
    )
}

fn run_rules(format: crate::cli::RulesFormat) -> Result<u8, UsageError> {
    use crate::cli::RulesFormat;
    use crate::report::rules_out;
    let text = match format {
        RulesFormat::Human => rules_out::render_table(),
        RulesFormat::Json => rules_out::render_json(),
        RulesFormat::Markdown => rules_out::render_markdown(),
    };
    write_stdout(&text)?;
    Ok(EXIT_OK)
}

fn run_explain(id: &str) -> Result<u8, UsageError> {
    use crate::checks::registry::{RULES, rule};
    let Some(r) = rule(id) else {
        let hint = crate::resolve::did_you_mean(id, RULES.iter().map(|r| r.id))
            .map_or(String::new(), |s| format!(" (did you mean {s}?)"));
        return Err(UsageError::Other(format!(
            "no rule {id:?}{hint}; `swml-sec rules` lists them"
        )));
    };
    let text = crate::report::rules_out::render_explain(r);
    write_stdout(&text)?;
    Ok(EXIT_OK)
}
