//! The security checklist: one module per rule family over the resolved
//! settings. Checks build findings and never print.

pub mod auth;
pub mod flags;
pub mod hosts;
pub mod hsts;
pub mod limits;
pub mod registry;
pub mod tls;

use rustls_pki_types::CertificateDer;

use crate::finding::Finding;
use crate::resolve::Resolution;

/// What the checks may be tuned with.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Unix time at which certificate validity is judged.
    pub at: i64,
    pub warn_days: u32,
    /// Extra trust anchors from --ca-file.
    pub ca_anchors: Vec<CertificateDer<'static>>,
    pub min_password_length: usize,
    /// The service class judged, and the SDK line whose table describes it.
    pub service: crate::service::ServiceClass,
    pub sdk: crate::model::Sdk,
    /// TLS ends at a proxy or ingress in front of the service
    /// (`--tls-at-proxy`, or SWML_PROXY_URL_BASE is https://).
    pub tls_at_proxy: bool,
    /// The settings from the environment alone, for a class that reads its
    /// TLS settings there only (AgentServer). None: use the resolution's.
    pub env_settings: Option<crate::model::Settings>,
}

impl CheckOptions {
    /// The defaults of `check`, judging certificates at Unix time `at`.
    pub fn at_time(at: i64) -> Self {
        CheckOptions {
            at,
            warn_days: 30,
            ca_anchors: Vec::new(),
            min_password_length: 16,
            service: crate::service::ServiceClass::AgentBase,
            sdk: crate::model::Sdk::default(),
            tls_at_proxy: false,
            env_settings: None,
        }
    }

    /// The row of the service model for the class judged.
    pub fn service_model(&self) -> &'static crate::service::ServiceModel {
        crate::service::model(self.sdk, self.service)
    }
}

pub struct CheckContext<'a> {
    pub res: &'a Resolution,
    pub options: &'a CheckOptions,
    findings: Vec<Finding>,
}

impl<'a> CheckContext<'a> {
    pub fn new(res: &'a Resolution, options: &'a CheckOptions) -> Self {
        CheckContext {
            res,
            options,
            findings: Vec::new(),
        }
    }

    /// What the class judged does with each setting.
    pub fn service(&self) -> &'static crate::service::ServiceModel {
        self.options.service_model()
    }

    /// The settings the class takes its TLS from: SecurityConfig's, or the
    /// environment's alone (AgentServer).
    pub fn tls_settings(&self) -> &'a crate::model::Settings {
        match (&self.options.env_settings, self.service().tls_source) {
            (Some(env), crate::service::TlsSource::EnvOnly) => env,
            _ => &self.res.settings,
        }
    }

    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// A family's check over the resolved settings.
pub type FamilyCheck = fn(&mut CheckContext);

/// The families whose checks read the resolved settings.
pub const FAMILIES: [(registry::Family, FamilyCheck); 6] = [
    (registry::Family::Tls, tls::check),
    (registry::Family::Auth, auth::check),
    (registry::Family::Hosts, hosts::check),
    (registry::Family::Hsts, hsts::check),
    (registry::Family::Limits, limits::check),
    (registry::Family::Flags, flags::check),
];

/// Runs every family; the resolver's own findings come first.
pub fn run_all(res: &Resolution, options: &CheckOptions) -> Vec<Finding> {
    let mut cx = CheckContext {
        res,
        options,
        findings: res.findings.clone(),
    };
    for (_, check) in FAMILIES {
        check(&mut cx);
    }
    cx.findings
}

/// [`run_all`], moving the resolver's findings out of `res` instead of
/// copying them (80,000 unknown keys are 80,000 findings).
pub fn run_all_taking(res: &mut Resolution, options: &CheckOptions) -> Vec<Finding> {
    let findings = std::mem::take(&mut res.findings);
    let mut cx = CheckContext {
        res: &*res,
        options,
        findings,
    };
    for (_, check) in FAMILIES {
        check(&mut cx);
    }
    cx.findings
}

/// One family alone (for benchmarks).
pub fn run_family(
    family: registry::Family,
    res: &Resolution,
    options: &CheckOptions,
) -> Vec<Finding> {
    let mut cx = CheckContext {
        res,
        options,
        findings: Vec::new(),
    };
    for (f, check) in FAMILIES {
        if f == family {
            check(&mut cx);
        }
    }
    cx.findings
}

/// The certificate and key checks on in-memory PEM (or garbage), with
/// `domain` as the name to cover: for fuzzing and property tests.
pub fn check_pem(cert: &[u8], key: &[u8], domain: &str, options: &CheckOptions) -> Vec<Finding> {
    let env = crate::input::EnvView::from_pairs([("SWML_DOMAIN".to_string(), domain.to_string())]);
    let res = crate::resolve::resolve_with_config_bytes(&env, "config.json", b"{}");
    let mut cx = CheckContext {
        res: &res,
        options,
        findings: Vec::new(),
    };
    tls::check_material(&mut cx, "cert.pem", Some(cert), "key.pem", Some(key));
    cx.findings
}
