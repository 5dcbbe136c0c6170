//! The SDK's security settings, each with its effective value and the place
//! that value came from.

use std::ops::Range;

use num_bigint::BigInt;
use num_traits::ToPrimitive;
use serde::Serialize;

use crate::py::PyValue;

/// The SDK package whose settings loader is modelled. Both keep the same
/// SecurityConfig/ConfigLoader; they differ in two corners (README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Sdk {
    /// signalwire-agents 1.1 (module signalwire_agents), tested with 1.1.0:
    /// the package existing projects pin.
    #[default]
    #[value(name = "signalwire-agents-1.1")]
    SignalwireAgents11,
    /// signalwire-sdk 3.x (module signalwire), tested with 3.7.5.
    #[value(name = "signalwire-sdk-3")]
    SignalwireSdk3,
}

impl Sdk {
    pub fn as_str(self) -> &'static str {
        match self {
            Sdk::SignalwireAgents11 => "signalwire-agents-1.1",
            Sdk::SignalwireSdk3 => "signalwire-sdk-3",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SettingKind {
    Bool,
    Int,
    Str,
    List,
    User,
    Secret,
}

/// One row of SDK-SEMANTICS.md's settings table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SettingId {
    SslEnabled,
    SslCertPath,
    SslKeyPath,
    Domain,
    SslVerifyMode,
    AllowedHosts,
    CorsOrigins,
    MaxRequestSize,
    RateLimit,
    RequestTimeout,
    UseHsts,
    HstsMaxAge,
    BasicAuthUser,
    BasicAuthPassword,
}

impl SettingId {
    pub const ALL: [SettingId; 14] = [
        SettingId::SslEnabled,
        SettingId::SslCertPath,
        SettingId::SslKeyPath,
        SettingId::Domain,
        SettingId::SslVerifyMode,
        SettingId::AllowedHosts,
        SettingId::CorsOrigins,
        SettingId::MaxRequestSize,
        SettingId::RateLimit,
        SettingId::RequestTimeout,
        SettingId::UseHsts,
        SettingId::HstsMaxAge,
        SettingId::BasicAuthUser,
        SettingId::BasicAuthPassword,
    ];

    /// The output name, which is also the key in the config's `security` object
    /// (except for the two auth settings, which live under `auth.basic`).
    pub fn name(self) -> &'static str {
        match self {
            SettingId::SslEnabled => "ssl_enabled",
            SettingId::SslCertPath => "ssl_cert_path",
            SettingId::SslKeyPath => "ssl_key_path",
            SettingId::Domain => "domain",
            SettingId::SslVerifyMode => "ssl_verify_mode",
            SettingId::AllowedHosts => "allowed_hosts",
            SettingId::CorsOrigins => "cors_origins",
            SettingId::MaxRequestSize => "max_request_size",
            SettingId::RateLimit => "rate_limit",
            SettingId::RequestTimeout => "request_timeout",
            SettingId::UseHsts => "use_hsts",
            SettingId::HstsMaxAge => "hsts_max_age",
            SettingId::BasicAuthUser => "basic_auth_user",
            SettingId::BasicAuthPassword => "basic_auth_password",
        }
    }

    pub fn env_var(self) -> &'static str {
        match self {
            SettingId::SslEnabled => "SWML_SSL_ENABLED",
            SettingId::SslCertPath => "SWML_SSL_CERT_PATH",
            SettingId::SslKeyPath => "SWML_SSL_KEY_PATH",
            SettingId::Domain => "SWML_DOMAIN",
            SettingId::SslVerifyMode => "SWML_SSL_VERIFY_MODE",
            SettingId::AllowedHosts => "SWML_ALLOWED_HOSTS",
            SettingId::CorsOrigins => "SWML_CORS_ORIGINS",
            SettingId::MaxRequestSize => "SWML_MAX_REQUEST_SIZE",
            SettingId::RateLimit => "SWML_RATE_LIMIT",
            SettingId::RequestTimeout => "SWML_REQUEST_TIMEOUT",
            SettingId::UseHsts => "SWML_USE_HSTS",
            SettingId::HstsMaxAge => "SWML_HSTS_MAX_AGE",
            SettingId::BasicAuthUser => "SWML_BASIC_AUTH_USER",
            SettingId::BasicAuthPassword => "SWML_BASIC_AUTH_PASSWORD",
        }
    }

    pub fn kind(self) -> SettingKind {
        match self {
            SettingId::SslEnabled | SettingId::UseHsts => SettingKind::Bool,
            SettingId::MaxRequestSize
            | SettingId::RateLimit
            | SettingId::RequestTimeout
            | SettingId::HstsMaxAge => SettingKind::Int,
            SettingId::AllowedHosts | SettingId::CorsOrigins => SettingKind::List,
            SettingId::BasicAuthUser => SettingKind::User,
            SettingId::BasicAuthPassword => SettingKind::Secret,
            _ => SettingKind::Str,
        }
    }

    /// The JSON pointer of the setting in the config file.
    pub fn config_pointer(self) -> String {
        match self {
            SettingId::BasicAuthUser => "/security/auth/basic/user".into(),
            SettingId::BasicAuthPassword => "/security/auth/basic/password".into(),
            other => format!("/security/{}", other.name()),
        }
    }

    pub fn from_name(name: &str) -> Option<SettingId> {
        SettingId::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// The keys the SDK reads directly under `security`.
pub const SECURITY_KEYS: [&str; 13] = [
    "ssl_enabled",
    "ssl_cert_path",
    "ssl_key_path",
    "domain",
    "ssl_verify_mode",
    "allowed_hosts",
    "cors_origins",
    "max_request_size",
    "rate_limit",
    "request_timeout",
    "use_hsts",
    "hsts_max_age",
    "auth",
];

/// The SDK's other SWML_* variables: env only, read outside SecurityConfig.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlagId {
    ProxyUrlBase,
    TrustProxyHeaders,
    TrustRemoteUser,
    AllowPrivateUrls,
    SkipSchemaValidation,
    ProxyDebug,
    SchemaPath,
}

impl FlagId {
    pub const ALL: [FlagId; 7] = [
        FlagId::ProxyUrlBase,
        FlagId::TrustProxyHeaders,
        FlagId::TrustRemoteUser,
        FlagId::AllowPrivateUrls,
        FlagId::SkipSchemaValidation,
        FlagId::ProxyDebug,
        FlagId::SchemaPath,
    ];

    pub fn env_var(self) -> &'static str {
        match self {
            FlagId::ProxyUrlBase => "SWML_PROXY_URL_BASE",
            FlagId::TrustProxyHeaders => "SWML_TRUST_PROXY_HEADERS",
            FlagId::TrustRemoteUser => "SWML_TRUST_REMOTE_USER",
            FlagId::AllowPrivateUrls => "SWML_ALLOW_PRIVATE_URLS",
            FlagId::SkipSchemaValidation => "SWML_SKIP_SCHEMA_VALIDATION",
            FlagId::ProxyDebug => "SWML_PROXY_DEBUG",
            FlagId::SchemaPath => "SWML_SCHEMA_PATH",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FlagId::ProxyUrlBase => "proxy_url_base",
            FlagId::TrustProxyHeaders => "trust_proxy_headers",
            FlagId::TrustRemoteUser => "trust_remote_user",
            FlagId::AllowPrivateUrls => "allow_private_urls",
            FlagId::SkipSchemaValidation => "skip_schema_validation",
            FlagId::ProxyDebug => "proxy_debug",
            FlagId::SchemaPath => "schema_path",
        }
    }

    /// True for the four flags the SDK reads as booleans; the others are strings.
    pub fn is_bool(self) -> bool {
        matches!(
            self,
            FlagId::TrustProxyHeaders
                | FlagId::TrustRemoteUser
                | FlagId::AllowPrivateUrls
                | FlagId::SkipSchemaValidation
        )
    }
}

/// Every SWML_* name the SDK reads.
pub fn known_env_vars() -> impl Iterator<Item = &'static str> {
    SettingId::ALL
        .into_iter()
        .map(SettingId::env_var)
        .chain(FlagId::ALL.into_iter().map(FlagId::env_var))
}

/// A value read from a secret (a password, a token, a value under a
/// secret-looking key or variable, a private key pasted where a path goes).
/// Display, Debug and Serialize all give the same fixed-width `<redacted>`,
/// whatever the value: it can be logged, put in a message or serialised
/// without leaking it or its length. Only [`Secret::expose`] gives the text,
/// for comparison and redaction. `Secret<PyValue>` is the Python object the
/// SDK holds for a secret.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Secret<T = String>(T);

impl Secret {
    pub const MASK: &'static str = "<redacted>";

    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn into_exposed(self) -> String {
        self.0
    }
}

impl<T> Secret<T> {
    /// Any value typed secret (a `PyValue` the SDK holds).
    pub fn wrap(value: T) -> Self {
        Secret(value)
    }

    pub fn exposed(&self) -> &T {
        &self.0
    }
}

impl<T> std::fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(Secret::MASK)
    }
}

impl<T> std::fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(Secret::MASK)
    }
}

impl<T> Serialize for Secret<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(Secret::MASK)
    }
}

/// A PEM private key (`-----BEGIN … PRIVATE KEY-----`), wherever it is
/// written: a key pasted into a setting that takes a path is a secret.
pub fn looks_like_private_key(text: &str) -> bool {
    text.find("-----BEGIN ")
        .is_some_and(|at| text[at..].contains("PRIVATE KEY-----"))
}

/// Where a value in the config file is: the span of its JSON literal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSpan {
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// JSON pointer of the value, e.g. `/security/rate_limit`.
    pub pointer: String,
    /// Which variables or defaults supplied the text, e.g. `RL default`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    #[serde(skip)]
    pub range: Range<usize>,
}

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    Default,
    Env {
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        env_file: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<usize>,
    },
    File(FileSpan),
}

/// An effective value, normalised the way the SDK uses it.
#[derive(Debug, Clone, PartialEq)]
pub enum Effective {
    Bool(bool),
    Int(BigInt),
    Str(Option<String>),
    List(Vec<String>),
    /// A string read from a secret: the password (always, `None` when
    /// unset), or a private key where a path goes. Never a `Str`, so that
    /// no `as_str()` hands it to a message; judges use [`Secret::expose`].
    Secret(Option<Secret>),
}

impl Effective {
    /// A string setting's value as read: typed secret when it is a PEM
    /// private key.
    pub fn text(value: Option<String>) -> Effective {
        match value {
            Some(v) if looks_like_private_key(&v) => Effective::Secret(Some(Secret::new(v))),
            other => Effective::Str(other),
        }
    }

    /// No string at all (`None` as the SDK holds it), secret or not.
    pub fn is_none(&self) -> bool {
        matches!(self, Effective::Str(None) | Effective::Secret(None))
    }

    /// The text, secret or not: for judges only (does the path exist),
    /// never for a message.
    pub fn expose_str(&self) -> Option<&str> {
        match self {
            Effective::Str(s) => s.as_deref(),
            Effective::Secret(s) => s.as_ref().map(Secret::expose),
            _ => None,
        }
    }

    pub fn as_secret(&self) -> Option<&Secret> {
        match self {
            Effective::Secret(s) => s.as_ref(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> bool {
        matches!(self, Effective::Bool(true))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Effective::Str(s) => s.as_deref(),
            _ => None,
        }
    }

    pub fn as_list(&self) -> &[String] {
        match self {
            Effective::List(l) => l,
            _ => &[],
        }
    }

    pub fn as_int(&self) -> Option<&BigInt> {
        match self {
            Effective::Int(i) => Some(i),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.as_int().and_then(ToPrimitive::to_i64)
    }
}

#[derive(Debug, Clone)]
pub struct ResolvedSetting {
    pub id: SettingId,
    pub value: Effective,
    /// The Python object the SDK holds (its type matters: a password that
    /// became an int can never match).
    pub python: Held,
    pub source: Source,
}

/// The Python object the SDK holds for a setting: a secret's is typed
/// secret, so that no Debug print of the settings shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Held {
    Plain(PyValue),
    Secret(Secret<PyValue>),
}

impl Held {
    /// Typed secret when the setting's value is.
    pub fn of(value: &Effective, python: PyValue) -> Held {
        match value {
            Effective::Secret(_) => Held::Secret(Secret::wrap(python)),
            _ => Held::Plain(python),
        }
    }

    /// The object, for judging its type and truth; never for a message.
    pub fn exposed(&self) -> &PyValue {
        match self {
            Held::Plain(p) => p,
            Held::Secret(s) => s.exposed(),
        }
    }

    pub fn type_name(&self) -> &'static str {
        self.exposed().type_name()
    }
}

#[derive(Debug, Clone)]
pub struct ResolvedFlag {
    pub id: FlagId,
    /// Booleans: the SDK's reading; strings: the value as set.
    pub value: Effective,
    pub source: Source,
}

/// The SDK's `SecurityConfig` after defaults, environment and config file.
#[derive(Debug, Clone)]
pub struct Settings {
    pub items: Vec<ResolvedSetting>,
    pub flags: Vec<ResolvedFlag>,
}

impl Settings {
    pub fn get(&self, id: SettingId) -> &ResolvedSetting {
        // Invariant: `items` holds every SettingId, in SettingId::ALL order.
        &self.items[SettingId::ALL.iter().position(|s| *s == id).unwrap_or(0)]
    }

    pub fn value(&self, id: SettingId) -> &Effective {
        &self.get(id).value
    }

    pub fn flag(&self, id: FlagId) -> &ResolvedFlag {
        // Invariant: `flags` holds every FlagId, in FlagId::ALL order.
        &self.flags[FlagId::ALL.iter().position(|f| *f == id).unwrap_or(0)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_renders_the_same_fixed_mask_everywhere() {
        for value in ["a", "hunter2", &"x".repeat(500)] {
            let s = Secret::new(value);
            assert_eq!(s.to_string(), "<redacted>");
            assert_eq!(format!("{s:?}"), "<redacted>");
            assert_eq!(serde_json::to_string(&s).unwrap(), "\"<redacted>\"");
            assert_eq!(s.expose(), value);
        }
    }

    const PW: &str = "Zq8-hunter2-Vx41-Lm";

    /// Every Debug and Display path over a resolution: the settings, one
    /// setting, its value and Python object, the whole resolution, the
    /// environment.
    fn printed(env: &crate::input::EnvView, config: &str) -> String {
        let res = crate::resolve::resolve_with_config_bytes(env, "config.json", config.as_bytes());
        let pw = res.settings.get(SettingId::BasicAuthPassword);
        let key = res.settings.get(SettingId::SslKeyPath);
        [
            format!("{:?}", res.settings),
            format!("{res:?}"),
            format!("{pw:?} {:?} {:?}", pw.value, pw.python),
            format!("{key:?} {:?} {:?}", key.value, key.python),
            format!("{:#?}", res.settings.items),
            format!("{env:?}"),
        ]
        .join("\n")
    }

    #[test]
    fn no_debug_print_of_the_settings_shows_the_password() {
        let from_env = crate::input::EnvView::from_pairs([(
            "SWML_BASIC_AUTH_PASSWORD".to_string(),
            PW.to_string(),
        )]);
        let plain = crate::input::EnvView::from_pairs([("MY_PW".to_string(), PW.to_string())]);
        for (env, config) in [
            (&from_env, "{}".to_string()),
            (
                &crate::input::EnvView::empty(),
                format!(r#"{{"security": {{"auth": {{"basic": {{"password": "{PW}"}}}}}}}}"#),
            ),
            // A variable of any name, made the password by the config.
            (
                &plain,
                r#"{"security": {"auth": {"basic": {"password": "${MY_PW}"}}}}"#.to_string(),
            ),
        ] {
            let res =
                crate::resolve::resolve_with_config_bytes(env, "config.json", config.as_bytes());
            let value = res.settings.value(SettingId::BasicAuthPassword);
            assert_eq!(value.as_secret().map(Secret::expose), Some(PW), "{config}");
            assert_eq!(value.as_str(), None, "a password is never a plain Str");
            let text = printed(env, &config);
            assert!(!text.contains("hunter2"), "{config}: {text}");
            assert!(text.contains(Secret::MASK), "{text}");
        }
    }

    #[test]
    fn a_private_key_where_a_path_goes_is_typed_secret() {
        let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIG6Vmv7Az4h8ozRRMX93Nom\n-----END PRIVATE KEY-----\n";
        let from_env =
            crate::input::EnvView::from_pairs([("SWML_SSL_KEY_PATH".to_string(), pem.to_string())]);
        for (env, config) in [
            (&from_env, "{}".to_string()),
            (
                &crate::input::EnvView::empty(),
                format!(
                    r#"{{"security": {{"ssl_key_path": {}}}}}"#,
                    serde_json::to_string(pem).unwrap()
                ),
            ),
        ] {
            let res =
                crate::resolve::resolve_with_config_bytes(env, "config.json", config.as_bytes());
            let value = res.settings.value(SettingId::SslKeyPath);
            assert!(value.as_secret().is_some(), "{config}: {value:?}");
            assert_eq!(
                res.settings.get(SettingId::SslKeyPath).python.type_name(),
                "str"
            );
            let text = printed(env, &config);
            assert!(!text.contains("MC4CAQAw"), "{config}: {text}");
        }
        // A SWML_* flag that holds one.
        let env =
            crate::input::EnvView::from_pairs([("SWML_SCHEMA_PATH".to_string(), pem.to_string())]);
        let res = crate::resolve::resolve_env_only(&env, Sdk::default());
        let flag = res.settings.flag(FlagId::SchemaPath);
        assert!(flag.value.as_secret().is_some(), "{flag:?}");
        assert!(!format!("{flag:?}").contains("MC4CAQAw"));
        // A path stays a path.
        let res = crate::resolve::resolve_with_config_bytes(
            &crate::input::EnvView::empty(),
            "config.json",
            br#"{"security": {"ssl_key_path": "/etc/ssl/private/BEGIN PRIVATE KEY.pem"}}"#,
        );
        assert_eq!(
            res.settings.value(SettingId::SslKeyPath).as_str(),
            Some("/etc/ssl/private/BEGIN PRIVATE KEY.pem")
        );
    }
}
