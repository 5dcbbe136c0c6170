//! The command line: commands and their shared option groups.

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "swml-sec",
    version,
    about = "Resolve and check the security settings of SignalWire AI Agents SDK services",
    max_term_width = 100
)]
pub struct Cli {
    /// When to use colour: auto follows the terminal and NO_COLOR.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the effective settings the SDK resolves, each with its source.
    Resolve(ResolveArgs),
    /// Run the security checklist on the effective settings.
    Check(CheckArgs),
    /// Check what a running service actually serves against what is configured.
    Probe(ProbeArgs),
    /// Generate strong credentials from the OS's secure random generator.
    GenPassword(GenPasswordArgs),
    /// List every rule with its severity per profile.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
        format: RulesFormat,
    },
    /// Explain a rule: what it checks, why it matters, how to fix it.
    Explain {
        /// The rule id, e.g. cert-expired.
        rule: String,
    },
    /// Print what each SDK service class does with each setting (Markdown; docs/services.md).
    Services,
    /// Print the JSON Schema of the SDK config file.
    Schema,
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Human,
    /// One line per finding: `path:line:col: severity[rule] message`.
    Short,
    Json,
    Sarif,
    Github,
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
}

/// How findings are judged and reported: shared by `check` and `probe`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// File that SARIF results without a file of their own point at (default: the policy file or README.md).
    #[arg(long, value_name = "PATH")]
    pub sarif_anchor: Option<String>,
    /// The repository's root, which file paths in sarif, github and junit output are relative to (default: the working directory). For a service in a subdirectory: --repo-root "$(git rev-parse --show-toplevel)".
    #[arg(long, value_name = "DIR")]
    pub repo_root: Option<String>,
    /// The deployment scenario; default prod (or the policy file's).
    #[arg(long, value_enum)]
    pub profile: Option<crate::policy::Profile>,
    /// Output format; default human, or github when GITHUB_ACTIONS=true.
    #[arg(long, value_enum)]
    pub format: Option<CheckFormat>,
    /// Exit 1 when a finding is at or above this severity (default error).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Warn when the certificate expires within N days (default 30).
    #[arg(long, value_name = "N")]
    pub warn_days: Option<u32>,
    /// Judge certificate validity at this date (YYYY-MM-DD or RFC 3339) instead of now.
    #[arg(long, value_name = "DATE")]
    pub at: Option<String>,
    /// Extra trust anchors (PEM) for cert-untrusted, e.g. a private CA.
    #[arg(long = "ca-file", value_name = "FILE")]
    pub ca_files: Vec<String>,
    /// Policy file (default .swml-sec.toml in the working directory, if present).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<String>,
    /// Do not report this rule (repeatable).
    #[arg(long = "ignore", value_name = "RULE")]
    pub ignores: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Where the check runs: build (repository CI: unset secrets, missing certificate files and example-file placeholders are notes) or deploy (the running container: everything).
    #[arg(long, value_enum, default_value_t = crate::stage::Stage::Deploy)]
    pub stage: crate::stage::Stage,
    #[command(flatten)]
    pub service: ServiceArgs,
    /// TLS ends at a proxy or ingress in front of the service: plain HTTP in the service is then a note (as with SWML_PROXY_URL_BASE=https://...).
    #[arg(long)]
    pub tls_at_proxy: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Which SDK service class runs.
#[derive(Debug, Args)]
pub struct ServiceArgs {
    /// The SDK class that serves the settings; without it, detected from the Python files under the working directory (AgentBase when none is found).
    #[arg(long, value_enum, value_name = "CLASS")]
    pub service_class: Option<crate::service::ServiceClass>,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The running service's URL, including the agent's route (e.g. https://agent.example.com/agent).
    pub url: String,
    /// Basic auth user (default: the configured one).
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Environment variable holding the password (default: the configured password). Never a flag.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// Accept an unverified peer: do not report an untrusted chain, and send the credentials even when the certificate does not verify.
    #[arg(long)]
    pub insecure: bool,
    /// Send credentials over plain http:// too.
    #[arg(long)]
    pub allow_insecure_auth: bool,
    /// Seconds to wait for a TCP connection.
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    pub connect_timeout: u64,
    /// Seconds for the whole probe: one deadline for every connection, request and response.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub timeout: u64,
    #[command(flatten)]
    pub service: ServiceArgs,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Where the settings come from: the same options for every command.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Config file; without it, the SDK's search order from the working directory.
    pub config: Option<String>,
    /// Service name: also searches NAME_config.json and .swml/NAME_config.json first.
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// Read variables from a dotenv file as python-dotenv's load_dotenv() does (repeatable, in order; `-` is standard input); never overrides a variable already set.
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<String>,
    /// Ignore the process environment, in `${VAR}` inside dotenv files too.
    #[arg(long)]
    pub no_env: bool,
    /// The SDK package to model.
    #[arg(long, value_enum, default_value_t = crate::model::Sdk::default(), value_name = "SDK")]
    pub sdk: crate::model::Sdk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ResolveFormat {
    Human,
    Json,
    Toml,
    Env,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[arg(long, value_enum, default_value_t = ResolveFormat::Human)]
    pub format: ResolveFormat,
    /// Print the password instead of <redacted>.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PasswordFormat {
    Raw,
    Env,
    Json,
}

#[derive(Debug, Args)]
pub struct GenPasswordArgs {
    /// Random bytes, printed as URL-safe base64 without padding.
    #[arg(long, value_name = "N", conflicts_with = "length")]
    pub bytes: Option<usize>,
    /// Exactly N characters from A-Z a-z 0-9 - _ (6 bits each, no modulo bias).
    #[arg(long, value_name = "N")]
    pub length: Option<usize>,
    #[arg(long, value_enum, default_value_t = PasswordFormat::Raw)]
    pub format: PasswordFormat,
    /// How many to print, one per line.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub count: usize,
}
