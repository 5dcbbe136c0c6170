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
    EnvFile(#[source] crate::input::EnvError),
    #[error("{0}")]
    Password(#[from] crate::password::PasswordError),
    #[error("{0}")]
    Other(String),
    #[error(transparent)]
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

/// One style for every error, as clap writes its own: `error: ` and the
/// message, each cause once (a cause whose text the message already holds
/// is not repeated), and the snippet of the file where there is one. No
/// internal codes.
struct ErrorReport<'a> {
    message: String,
    inner: &'a dyn miette::Diagnostic,
}

impl ErrorReport<'_> {
    fn new(err: &dyn miette::Diagnostic) -> ErrorReport<'_> {
        let mut message = err.to_string();
        let mut cause = std::error::Error::source(err);
        while let Some(c) = cause {
            let text = c.to_string();
            if !message.contains(&text) {
                message = format!("{message}: {text}");
            }
            cause = c.source();
        }
        ErrorReport {
            message,
            inner: err,
        }
    }
}

impl std::fmt::Debug for ErrorReport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::fmt::Display for ErrorReport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ErrorReport<'_> {}

impl miette::Diagnostic for ErrorReport<'_> {
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.inner.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.inner.labels()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.help()
    }
}

fn print_error(err: &dyn miette::Diagnostic, color: bool) {
    let report = ErrorReport::new(err);
    let out = crate::report::human::render_error(&report, color);
    // Errors come before a run's secrets are known: escaped, and redacted
    // of nothing but what their own text names.
    Output::new(Redactor::none(), false, color).stderr(&out);
}

/// Parses the command line and runs it. clap's own messages (help, version,
/// usage errors) leave through the output gate too: an argument can carry
/// a CR or a bidi control as well as any file can.
pub fn main_with_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> u8 {
    match <Cli as clap::Parser>::try_parse_from(args) {
        Ok(cli) => run(cli),
        Err(e) => {
            let to_stderr = e.use_stderr();
            let terminal = if to_stderr {
                std::io::stderr().is_terminal()
            } else {
                std::io::stdout().is_terminal()
            };
            let color = use_color(ColorChoice::Auto, terminal);
            let text = if color {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let output = Output::new(Redactor::none(), color, color);
            if to_stderr {
                output.stderr(&text);
            } else if output.stdout(Document::Text(text)).is_err() {
                return EXIT_ERROR;
            }
            // 0 for --help and --version, 2 for a usage error.
            u8::try_from(e.exit_code()).unwrap_or(EXIT_ERROR)
        }
    }
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
        Command::Services => write_stdout(&crate::service::docs::render()).map(|()| EXIT_OK),
        Command::Schema => write_stdout(&crate::schema::config_schema()).map(|()| EXIT_OK),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, "swml-sec", &mut out);
            write_stdout(&String::from_utf8_lossy(&out)).map(|()| EXIT_OK)
        }
        Command::Man => match meta::man_page() {
            Ok(page) => write_stdout(&page).map(|()| EXIT_OK),
            Err(e) => Err(UsageError::Other(format!(
                "cannot render the man page: {e}"
            ))),
        },
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
