//! The JSON Schema of the SDK config file, generated from this model, so
//! editors can complete and validate `config.json`.
//!
//! Every value may also be a string with `${VAR|default}` references, which
//! the SDK expands and re-types; the schema allows that everywhere.

// The fields only exist for the schema generator.
#![allow(dead_code)]

use schemars::JsonSchema;

/// A string that may contain `${VAR}` or `${VAR|default}` references.
#[derive(JsonSchema)]
#[schemars(extend("pattern" = r"\$\{[^}|]+(\|[^}]*)?\}"))]
struct Reference(String);

#[derive(JsonSchema)]
#[serde(untagged)]
enum Flag {
    Bool(bool),
    Reference(Reference),
}

#[derive(JsonSchema)]
#[serde(untagged)]
enum Integer {
    Int(i64),
    /// Digits, or a `${VAR|default}` that expands to digits.
    Text(String),
}

#[derive(JsonSchema)]
#[serde(untagged)]
enum HostList {
    List(Vec<String>),
    /// `*`, or names separated by commas.
    CommaSeparated(String),
}

// The names are Python's ssl.CERT_* constants, prefix included.
#[allow(clippy::enum_variant_names)]
#[derive(JsonSchema)]
#[schemars(rename_all = "SCREAMING_SNAKE_CASE")]
enum VerifyMode {
    CertRequired,
    CertOptional,
    CertNone,
}

#[derive(JsonSchema)]
#[serde(untagged)]
enum VerifyModeValue {
    Mode(VerifyMode),
    Reference(Reference),
}

/// Basic authentication for every agent route.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Basic {
    /// The user name; "signalwire" when unset or empty.
    user: Option<String>,
    /// The password: use a `${VAR}` reference, never a literal. Generated at every start when unset or empty.
    password: Option<String>,
}

#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Auth {
    basic: Option<Basic>,
}

/// The settings SecurityConfig reads (signalwire-agents 1.1.0). Each overrides the SWML_* variable of the same name.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Security {
    /// Serve HTTPS (SWML_SSL_ENABLED). Any non-empty string, even "no", is true: use JSON true/false.
    #[schemars(default = "default_false")]
    ssl_enabled: Option<Flag>,
    /// PEM certificate chain, leaf first (SWML_SSL_CERT_PATH); relative to the working directory.
    ssl_cert_path: Option<String>,
    /// PEM private key, unencrypted (SWML_SSL_KEY_PATH).
    ssl_key_path: Option<String>,
    /// Public host name used to build URLs (SWML_DOMAIN).
    domain: Option<String>,
    /// SWML_SSL_VERIFY_MODE.
    #[schemars(default = "default_verify_mode")]
    ssl_verify_mode: Option<VerifyModeValue>,
    /// Accepted Host headers (SWML_ALLOWED_HOSTS); "*" accepts any.
    #[schemars(default = "default_star")]
    allowed_hosts: Option<HostList>,
    /// Allowed CORS origins (SWML_CORS_ORIGINS); credentials are always allowed, so avoid "*".
    #[schemars(default = "default_star")]
    cors_origins: Option<HostList>,
    /// Largest request body in bytes (SWML_MAX_REQUEST_SIZE).
    #[schemars(default = "default_max_request_size")]
    max_request_size: Option<Integer>,
    /// Requests per minute (SWML_RATE_LIMIT).
    #[schemars(default = "default_rate_limit")]
    rate_limit: Option<Integer>,
    /// Seconds (SWML_REQUEST_TIMEOUT).
    #[schemars(default = "default_timeout")]
    request_timeout: Option<Integer>,
    /// Send Strict-Transport-Security over HTTPS (SWML_USE_HSTS).
    #[schemars(default = "default_true")]
    use_hsts: Option<Flag>,
    /// HSTS max-age in seconds (SWML_HSTS_MAX_AGE).
    #[schemars(default = "default_hsts_max_age")]
    hsts_max_age: Option<Integer>,
    auth: Option<Auth>,
}

fn default_false() -> bool {
    false
}
fn default_true() -> bool {
    true
}
fn default_verify_mode() -> &'static str {
    "CERT_REQUIRED"
}
fn default_star() -> &'static str {
    "*"
}
fn default_max_request_size() -> i64 {
    10 * 1024 * 1024
}
fn default_rate_limit() -> i64 {
    60
}
fn default_timeout() -> i64 {
    30
}
fn default_hsts_max_age() -> i64 {
    31_536_000
}

/// A SignalWire AI Agents SDK config file. Only `security` is described; other top-level keys belong to other services.
#[derive(JsonSchema)]
#[schemars(title = "SignalWire AI Agents SDK config file")]
struct ConfigFile {
    security: Option<Security>,
}

/// The schema as pretty JSON, exactly as committed in schemas/.
pub fn config_schema() -> String {
    let schema = schemars::schema_for!(ConfigFile);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
