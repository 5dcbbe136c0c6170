//! Which SDK service class runs, and what it does with each setting.
//!
//! SecurityConfig reads every setting, but each service class applies only
//! some of them: AgentBase never checks the Host header and always sends its
//! own HSTS header, AgentServer takes TLS from the environment alone, and no
//! class enforces the request limits. A verdict about a setting is true only
//! for the class that runs, so every rule asks this model first.
//!
//! The table is data, one row per SDK line and class, derived from the
//! SDK's source and proven by tests that start each real class and observe
//! it from outside (tests/service_model.rs, tests/goldens/services.json).

pub mod detect;
pub mod docs;

use crate::model::Sdk;

/// The SDK classes that serve HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum ServiceClass {
    /// AgentBase and every class built on it (the prefabs), run with
    /// `serve()` or `run()`.
    #[value(name = "agent-base")]
    AgentBase,
    /// An AgentBase served through `get_app()` by another server (gunicorn,
    /// uvicorn, Lambda adapters).
    #[value(name = "agent-base-app")]
    AgentBaseApp,
    /// An AgentBase's `as_router()` mounted in the project's own FastAPI app.
    #[value(name = "agent-base-router")]
    AgentBaseRouter,
    /// AgentServer: several agents under one FastAPI app.
    #[value(name = "agent-server")]
    AgentServer,
    /// SWMLService alone (AgentBase's base class).
    #[value(name = "swml-service")]
    SwmlService,
    /// WebService: static files.
    #[value(name = "web-service")]
    WebService,
    /// SearchService: the local search API.
    #[value(name = "search-service")]
    SearchService,
}

impl ServiceClass {
    pub const ALL: [ServiceClass; 7] = [
        ServiceClass::AgentBase,
        ServiceClass::AgentBaseApp,
        ServiceClass::AgentBaseRouter,
        ServiceClass::AgentServer,
        ServiceClass::SwmlService,
        ServiceClass::WebService,
        ServiceClass::SearchService,
    ];

    /// The name people know it by.
    pub fn name(self) -> &'static str {
        match self {
            ServiceClass::AgentBase => "AgentBase",
            ServiceClass::AgentBaseApp => "AgentBase.get_app()",
            ServiceClass::AgentBaseRouter => "AgentBase.as_router()",
            ServiceClass::AgentServer => "AgentServer",
            ServiceClass::SwmlService => "SWMLService",
            ServiceClass::WebService => "WebService",
            ServiceClass::SearchService => "SearchService",
        }
    }

    /// The `--service-class` value.
    pub fn flag_value(self) -> &'static str {
        match self {
            ServiceClass::AgentBase => "agent-base",
            ServiceClass::AgentBaseApp => "agent-base-app",
            ServiceClass::AgentBaseRouter => "agent-base-router",
            ServiceClass::AgentServer => "agent-server",
            ServiceClass::SwmlService => "swml-service",
            ServiceClass::WebService => "web-service",
            ServiceClass::SearchService => "search-service",
        }
    }
}

/// Where the class takes its TLS settings from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsSource {
    /// SecurityConfig: the environment, then the config file.
    SecurityConfig,
    /// `SWML_SSL_ENABLED`, `SWML_SSL_CERT_PATH`, `SWML_SSL_KEY_PATH` read from
    /// the environment alone: TLS in the config file is ignored.
    EnvOnly,
    /// The class does not start a server: whatever serves it decides.
    Host,
}

/// What the class does when TLS is on but a certificate or key file does
/// not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingFile {
    /// uvicorn raises FileNotFoundError: the service does not start.
    Crashes,
    /// The class logs it and serves plain HTTP.
    PlainHttp,
    /// The class does not start a server.
    NotApplicable,
}

/// What the class does with the Host header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostCheck {
    /// Never looked at: any Host is served.
    Never,
    /// `should_allow_host`: the Host header without its port must be in
    /// allowed_hosts, unless `*` is; else 400.
    AllowedHosts,
}

/// The CORS answer the class gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cors {
    /// No CORS middleware: no Access-Control-* header, so browsers keep
    /// other sites from reading any answer.
    None,
    /// Every origin allowed, without credentials, whatever cors_origins says.
    AnyOriginWithoutCredentials,
    /// cors_origins applied, with credentials always allowed.
    ConfiguredWithCredentials,
}

/// The Strict-Transport-Security header the class sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hsts {
    /// Never sent.
    None,
    /// Always this value while the class believes TLS is on, whatever
    /// use_hsts and hsts_max_age say.
    Fixed { value: &'static str, when: HstsWhen },
    /// `max-age=<hsts_max_age>; includeSubDomains` over HTTPS when use_hsts.
    Configured,
}

/// When a fixed HSTS header is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HstsWhen {
    /// The class's `ssl_enabled` (from SecurityConfig) is true, even when
    /// it fell back to plain HTTP.
    SslEnabledSetting,
    /// `SWML_SSL_ENABLED` in the environment is true, 1 or yes.
    SslEnabledEnv,
}

/// The value every SDK class hard-codes.
pub const FIXED_HSTS: &str = "max-age=31536000; includeSubDomains";

/// One row of the table: what one class of one SDK line does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceModel {
    pub class: ServiceClass,
    pub tls_source: TlsSource,
    pub missing_file: MissingFile,
    pub hosts: HostCheck,
    pub cors: Cors,
    pub hsts: Hsts,
    /// The security headers sent on every answer.
    pub headers: &'static [&'static str],
    /// rate_limit, max_request_size and request_timeout are enforced.
    pub limits_enforced: bool,
    /// A request body limit the class applies whatever max_request_size
    /// says (413 above it), in bytes.
    pub fixed_body_limit: Option<u64>,
    /// ssl_verify_mode reaches the TLS server.
    pub verify_mode_used: bool,
    /// The service name that the config search order starts from
    /// (`NAME_config.json`), when it is fixed.
    pub config_name: Option<&'static str>,
    /// Where in the SDK's source the row comes from.
    pub source: &'static str,
}

/// `MAX_REQUEST_BODY_SIZE`: the agents' handlers answer 413 above it.
const TEN_MIB: u64 = 10 * 1024 * 1024;

const AGENT_HEADERS: &[&str] = &[
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
];
const SECURITY_CONFIG_HEADERS: &[&str] = &[
    "X-Content-Type-Options",
    "X-Frame-Options",
    "X-XSS-Protection",
    "Referrer-Policy",
];

const AGENT_BASE: ServiceModel = ServiceModel {
    class: ServiceClass::AgentBase,
    tls_source: TlsSource::SecurityConfig,
    missing_file: MissingFile::Crashes,
    hosts: HostCheck::Never,
    cors: Cors::None,
    hsts: Hsts::Fixed {
        value: FIXED_HSTS,
        when: HstsWhen::SslEnabledSetting,
    },
    headers: AGENT_HEADERS,
    limits_enforced: false,
    fixed_body_limit: Some(TEN_MIB),
    verify_mode_used: false,
    config_name: None,
    source: "core/mixins/web_mixin.py: WebMixin.serve()",
};

const AGENT_BASE_APP: ServiceModel = ServiceModel {
    class: ServiceClass::AgentBaseApp,
    tls_source: TlsSource::Host,
    missing_file: MissingFile::NotApplicable,
    cors: Cors::AnyOriginWithoutCredentials,
    source: "core/mixins/web_mixin.py: WebMixin.get_app()",
    ..AGENT_BASE
};

const AGENT_BASE_ROUTER: ServiceModel = ServiceModel {
    class: ServiceClass::AgentBaseRouter,
    tls_source: TlsSource::Host,
    missing_file: MissingFile::NotApplicable,
    cors: Cors::None,
    hsts: Hsts::None,
    headers: &[],
    source: "core/mixins/web_mixin.py: WebMixin.as_router()",
    ..AGENT_BASE
};

const AGENT_SERVER: ServiceModel = ServiceModel {
    class: ServiceClass::AgentServer,
    tls_source: TlsSource::EnvOnly,
    missing_file: MissingFile::PlainHttp,
    hosts: HostCheck::Never,
    cors: Cors::None,
    hsts: Hsts::Fixed {
        value: FIXED_HSTS,
        when: HstsWhen::SslEnabledEnv,
    },
    headers: AGENT_HEADERS,
    limits_enforced: false,
    fixed_body_limit: Some(TEN_MIB),
    verify_mode_used: false,
    config_name: None,
    source: "agent_server.py: AgentServer.__init__() and _run_server()",
};

const SWML_SERVICE: ServiceModel = ServiceModel {
    class: ServiceClass::SwmlService,
    tls_source: TlsSource::SecurityConfig,
    missing_file: MissingFile::PlainHttp,
    hosts: HostCheck::Never,
    cors: Cors::None,
    hsts: Hsts::None,
    headers: &[],
    limits_enforced: false,
    fixed_body_limit: None,
    verify_mode_used: false,
    config_name: None,
    source: "core/swml_service.py: SWMLService.serve()",
};

const WEB_SERVICE: ServiceModel = ServiceModel {
    class: ServiceClass::WebService,
    tls_source: TlsSource::SecurityConfig,
    missing_file: MissingFile::PlainHttp,
    hosts: HostCheck::AllowedHosts,
    cors: Cors::ConfiguredWithCredentials,
    hsts: Hsts::Configured,
    headers: SECURITY_CONFIG_HEADERS,
    limits_enforced: false,
    fixed_body_limit: None,
    verify_mode_used: false,
    config_name: Some("web"),
    source: "web/web_service.py: WebService._setup_security() and start()",
};

const SEARCH_SERVICE: ServiceModel = ServiceModel {
    class: ServiceClass::SearchService,
    config_name: Some("search"),
    source: "search/search_service.py: SearchService._setup_security() and start()",
    ..WEB_SERVICE
};

/// The table for signalwire-agents 1.1.
const AGENTS_1_1: [ServiceModel; 7] = [
    AGENT_BASE,
    AGENT_BASE_APP,
    AGENT_BASE_ROUTER,
    AGENT_SERVER,
    SWML_SERVICE,
    WEB_SERVICE,
    SEARCH_SERVICE,
];
/// signalwire-sdk 3.7.5, read and observed: the same on every row.
/// (Its SWMLService limits bodies on a /swaig route it may host, not on the
/// service's own route, where an 11 MiB POST was observed to pass.) A
/// table of its own, so that a difference in a later release is one edit.
const SDK_3: [ServiceModel; 7] = AGENTS_1_1;

/// The row for `class` in `sdk`'s table.
pub fn model(sdk: Sdk, class: ServiceClass) -> &'static ServiceModel {
    let table: &'static [ServiceModel; 7] = match sdk {
        Sdk::SignalwireAgents11 => &AGENTS_1_1,
        Sdk::SignalwireSdk3 => &SDK_3,
    };
    // Invariant: each table has one row per class, in ServiceClass::ALL
    // order (the unit test `every_class_has_its_row` checks it).
    let index = ServiceClass::ALL
        .iter()
        .position(|c| *c == class)
        .unwrap_or(0);
    &table[index]
}

/// How the class that runs was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Found in a Python file of the repository.
    Detected { path: String, line: usize },
    /// `--service-class`.
    Flag,
    /// Nothing was found: the SDK's main use is assumed. `walk_stopped`:
    /// the directory was too large to read whole.
    Assumed { walk_stopped: bool },
}

/// One service that `check` judges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub class: ServiceClass,
    pub origin: Origin,
    /// What detection saw, e.g. "class SupportAgent(InfoGathererAgent)".
    pub evidence: Option<String>,
}

impl Service {
    /// "AgentServer, main.py:7", "AgentBase (assumed: no service class
    /// found; choose one with --service-class)".
    pub fn describe(&self) -> String {
        match &self.origin {
            // A file name may hold a newline: escaped, so it cannot forge a
            // line of its own.
            Origin::Detected { path, line } => format!(
                "{}, {}:{line}",
                self.class.name(),
                crate::report::escape::escape(path)
            ),
            Origin::Flag => format!("{} (--service-class)", self.class.name()),
            Origin::Assumed {
                walk_stopped: false,
            } => format!(
                "{} (assumed: no SDK service class found in the repository's Python files; choose one with --service-class)",
                self.class.name()
            ),
            Origin::Assumed { walk_stopped: true } => format!(
                "{} (assumed: the working directory is too large to search for Python files; run check in the repository, or choose with --service-class)",
                self.class.name()
            ),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "class": self.class.name(),
            "flag": self.class.flag_value(),
        });
        match &self.origin {
            Origin::Detected { path, line } => {
                v["origin"] = "detected".into();
                v["path"] = path.as_str().into();
                v["line"] = (*line).into();
            }
            Origin::Flag => v["origin"] = "flag".into(),
            Origin::Assumed { .. } => v["origin"] = "assumed".into(),
        }
        if let Some(e) = &self.evidence {
            v["evidence"] = e.as_str().into();
        }
        v
    }
}

/// What the model says a running service does, for the settings `check`
/// resolved: the tests compare it with what the real service did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prediction {
    /// The service starts and accepts connections.
    pub starts: bool,
    /// "https" or "http".
    pub scheme: Option<&'static str>,
    /// A request with a foreign Host header is refused (400).
    pub foreign_host_refused: bool,
    /// Access-Control-Allow-Origin answered to a foreign origin's preflight.
    pub preflight_allow_origin: Option<String>,
    pub preflight_allow_credentials: bool,
    /// The Strict-Transport-Security header served.
    pub hsts: Option<String>,
    /// An authenticated 11 MiB POST to the service's route gets 413.
    pub large_body_refused: bool,
}

/// The TLS settings the class acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveTls {
    pub enabled: bool,
    pub cert_path: Option<String>,
    pub key_path: Option<String>,
}

impl ServiceModel {
    /// The TLS settings this class acts on: SecurityConfig's, or the
    /// environment's alone for AgentServer.
    pub fn effective_tls(
        &self,
        settings: &crate::model::Settings,
        env: &crate::input::EnvView,
    ) -> EffectiveTls {
        use crate::model::SettingId;
        match self.tls_source {
            TlsSource::SecurityConfig | TlsSource::Host => EffectiveTls {
                enabled: settings.value(SettingId::SslEnabled).as_bool(),
                // Judged only (set? exists?): a key pasted here is a secret.
                cert_path: settings
                    .value(SettingId::SslCertPath)
                    .expose_str()
                    .map(str::to_string),
                key_path: settings
                    .value(SettingId::SslKeyPath)
                    .expose_str()
                    .map(str::to_string),
            },
            TlsSource::EnvOnly => EffectiveTls {
                enabled: env_ssl_enabled(env),
                cert_path: env.get("SWML_SSL_CERT_PATH").map(str::to_string),
                key_path: env.get("SWML_SSL_KEY_PATH").map(str::to_string),
            },
        }
    }

    /// What the running service does, given the resolved settings, the
    /// environment, and which paths exist.
    pub fn predict(
        &self,
        settings: &crate::model::Settings,
        env: &crate::input::EnvView,
        exists: impl Fn(&str) -> bool,
    ) -> Prediction {
        use crate::model::SettingId;
        let tls = self.effective_tls(settings, env);
        let paths_set = tls.cert_path.as_deref().is_some_and(|p| !p.is_empty())
            && tls.key_path.as_deref().is_some_and(|p| !p.is_empty());
        let files_exist = paths_set
            && tls.cert_path.as_deref().is_some_and(&exists)
            && tls.key_path.as_deref().is_some_and(&exists);
        let (starts, https) = match (self.tls_source, tls.enabled, paths_set, files_exist) {
            (TlsSource::Host, ..) => (true, false),
            (_, false, ..) | (_, true, false, _) => (true, false),
            (_, true, true, true) => (true, true),
            (_, true, true, false) => match self.missing_file {
                MissingFile::Crashes => (false, false),
                MissingFile::PlainHttp | MissingFile::NotApplicable => (true, false),
            },
        };
        if !starts {
            return Prediction {
                starts,
                scheme: None,
                foreign_host_refused: false,
                preflight_allow_origin: None,
                preflight_allow_credentials: false,
                hsts: None,
                large_body_refused: false,
            };
        }
        let hosts = settings.value(SettingId::AllowedHosts).as_list();
        let foreign_host_refused =
            self.hosts == HostCheck::AllowedHosts && !hosts.iter().any(|h| h == "*");
        let origins = settings.value(SettingId::CorsOrigins).as_list();
        let (preflight_allow_origin, preflight_allow_credentials) = match self.cors {
            Cors::None => (None, false),
            Cors::AnyOriginWithoutCredentials => (Some("*".to_string()), false),
            // Starlette echoes the origin when credentials are allowed, and
            // refuses a preflight from an origin not listed.
            Cors::ConfiguredWithCredentials if origins.iter().any(|o| o == "*") => {
                (Some(FOREIGN_ORIGIN.to_string()), true)
            }
            Cors::ConfiguredWithCredentials => (None, false),
        };
        let hsts = match self.hsts {
            Hsts::None => None,
            Hsts::Fixed {
                value,
                when: HstsWhen::SslEnabledSetting,
            } => tls.enabled.then(|| value.to_string()),
            Hsts::Fixed {
                value,
                when: HstsWhen::SslEnabledEnv,
            } => env_ssl_enabled(env).then(|| value.to_string()),
            Hsts::Configured => {
                (https && settings.value(SettingId::UseHsts).as_bool()).then(|| {
                    format!(
                        "max-age={}; includeSubDomains",
                        settings
                            .value(SettingId::HstsMaxAge)
                            .as_int()
                            .map(ToString::to_string)
                            .unwrap_or_default()
                    )
                })
            }
        };
        Prediction {
            starts,
            scheme: Some(if https { "https" } else { "http" }),
            foreign_host_refused,
            preflight_allow_origin,
            preflight_allow_credentials,
            hsts,
            large_body_refused: self.fixed_body_limit.is_some_and(|l| l < 11 * 1024 * 1024),
        }
    }
}

/// The origin the observation tests send as a foreign site.
pub const FOREIGN_ORIGIN: &str = "https://attacker.invalid";

/// AgentServer's own reading of `SWML_SSL_ENABLED` (the same as
/// SecurityConfig's: true, 1 or yes, any case, untrimmed).
fn env_ssl_enabled(env: &crate::input::EnvView) -> bool {
    env.get("SWML_SSL_ENABLED")
        .is_some_and(|v| matches!(v.to_lowercase().as_str(), "true" | "1" | "yes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_its_row() {
        for sdk in [Sdk::SignalwireAgents11, Sdk::SignalwireSdk3] {
            for class in ServiceClass::ALL {
                assert_eq!(model(sdk, class).class, class, "{sdk:?} {class:?}");
            }
        }
    }

    #[test]
    fn flag_values_round_trip() {
        use clap::ValueEnum;
        for class in ServiceClass::ALL {
            assert_eq!(ServiceClass::from_str(class.flag_value(), false), Ok(class));
        }
    }

    #[test]
    fn no_class_enforces_limits_or_uses_verify_mode() {
        for sdk in [Sdk::SignalwireAgents11, Sdk::SignalwireSdk3] {
            for class in ServiceClass::ALL {
                let m = model(sdk, class);
                assert!(!m.limits_enforced && !m.verify_mode_used, "{class:?}");
            }
        }
    }
}
