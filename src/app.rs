//! Runs a parsed command line; returns the process exit code.

use std::io::{IsTerminal, Write};

use crate::cli::{
    Cli, ColorChoice, Command, GenPasswordArgs, InputArgs, PasswordFormat, ResolveArgs,
    ResolveFormat,
};
use crate::input::{ConfigChoice, EnvView};
use crate::password::{DEFAULT_BYTES, Shape, generate};
use crate::policy::{Profile, apply_profile};
use crate::report::human::{Sources, render_findings};
use crate::report::{Secrets, resolve_out};
use crate::resolve::{Resolution, resolve};

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
    let _ = writeln!(std::io::stderr(), "{}", out.trim_end());
}

pub fn run(cli: Cli) -> u8 {
    let stderr_color = use_color(cli.color, std::io::stderr().is_terminal());
    let result = match cli.command {
        Command::Resolve(args) => run_resolve(args, stderr_color),
        Command::GenPassword(args) => run_gen_password(args),
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

pub fn sources_of(res: &Resolution) -> Sources {
    let mut sources = Sources::default();
    if let Some(c) = &res.config
        && let Some(text) = &c.text
    {
        sources.add(&c.path, text.clone());
    }
    sources
}

fn write_stdout(text: &str) -> Result<(), UsageError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(UsageError::Other(format!("cannot write output: {e}"))),
    }
}

fn run_resolve(args: ResolveArgs, stderr_color: bool) -> Result<u8, UsageError> {
    let (env, choice) = build_inputs(&args.input)?;
    let mut res = resolve(&env, &choice);
    // resolve reports its diagnostics with the production severities.
    res.findings = apply_profile(std::mem::take(&mut res.findings), Profile::Prod);
    res.findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let secrets = Secrets {
        show: args.show_secrets,
    };
    let fatal = res.blocks_start()
        || res.config_ignored()
        || res
            .findings
            .iter()
            .any(|f| f.rule == "config-unreadable" || f.rule == "config-invalid-json");
    if fatal {
        let text = render_findings(
            &res.findings
                .iter()
                .filter(|f| f.blocks_start || f.rule.starts_with("config-"))
                .cloned()
                .collect::<Vec<_>>(),
            &sources_of(&res),
            stderr_color,
        );
        let _ = writeln!(std::io::stderr(), "{}", text.trim_end());
        let summary = if res.blocks_start() {
            "error: the SDK would fail to start with these settings"
        } else {
            "error: the SDK would silently ignore the config file"
        };
        let _ = writeln!(std::io::stderr(), "{summary}");
        if args.format == ResolveFormat::Json {
            write_stdout(&resolve_out::render_json(&res, secrets))?;
        }
        return Ok(EXIT_ERROR);
    }
    let output = match args.format {
        ResolveFormat::Human => {
            if !res.findings.is_empty() {
                let text = render_findings(&res.findings, &sources_of(&res), stderr_color);
                let _ = writeln!(std::io::stderr(), "{}", text.trim_end());
            }
            resolve_out::render_human(&res, secrets)
        }
        ResolveFormat::Json => resolve_out::render_json(&res, secrets),
        ResolveFormat::Toml => resolve_out::render_toml(&res, secrets),
        ResolveFormat::Env => {
            if !res.findings.is_empty() {
                let text = render_findings(&res.findings, &sources_of(&res), stderr_color);
                let _ = writeln!(std::io::stderr(), "{}", text.trim_end());
            }
            resolve_out::render_env(&res, secrets)
        }
    };
    write_stdout(&output)?;
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
