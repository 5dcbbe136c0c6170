//! One module per command: each gathers its inputs (shared handling in
//! [`inputs`]), runs the library, and hands the result to a renderer and
//! the output gate. `run` dispatches and maps errors to exit code 2.

use std::io::IsTerminal;

use crate::cli::{Cli, ColorChoice, Command};
use crate::report::output::{Document, Output};
use crate::report::redact::Redactor;

pub mod check;
mod gen_password;
pub mod inputs;
mod meta;
mod probe;
pub mod report;
mod resolve;

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
        Command::Resolve(args) => resolve::run_resolve(args, stderr_color),
        Command::Check(args) => check::run_check(args, cli.color),
        Command::Probe(args) => probe::run_probe(args, cli.color),
        Command::GenPassword(args) => gen_password::run_gen_password(args),
        Command::Rules { format } => meta::run_rules(format),
        Command::Explain { rule } => meta::run_explain(&rule),
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

/// Output that holds no value from input (rules, explain, schema, man,
/// completions, generated passwords): still through the one exit.
pub(crate) fn write_stdout(text: &str) -> Result<(), UsageError> {
    Ok(Output::default().stdout(Document::Text(text.to_string()))?)
}
