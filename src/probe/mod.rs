//! `swml-sec probe URL`: what a running service actually serves, compared
//! with what was configured. Every finding says "configured X, served Y"
//! where the two differ.

pub mod http;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::checks::{CheckContext, CheckOptions};
use crate::finding::{Finding, Location};
use crate::input::{PEM_SIZE_CAP, read_bounded};
use crate::model::SettingId;
use crate::resolve::Resolution;
use http::{Limits, ProbeError, Response, Scheme, Target, request};

/// An Origin and a Host no deployment allows.
pub const FOREIGN_ORIGIN: &str = "https://swml-sec-probe.invalid";
pub const FOREIGN_HOST: &str = "swml-sec-probe.invalid";

pub struct ProbeOptions {
    pub url: String,
    pub target: Target,
    pub user: Option<String>,
    /// From the variable named by --password-env; never from a flag.
    pub password: Option<String>,
    pub insecure: bool,
    pub allow_insecure_auth: bool,
    pub limits: Limits,
}

pub struct ProbeOutcome {
    pub findings: Vec<Finding>,
    /// The negotiated protocol, e.g. "TLS 1.3", for an https:// URL that answered.
    pub tls_version: Option<String>,
    /// What the probe did and saw, for people (never credentials).
    pub log: Vec<String>,
}

struct Prober<'a> {
    cx: CheckContext<'a>,
    tls_version: Option<String>,
    res: &'a Resolution,
    opts: &'a ProbeOptions,
    log: Vec<String>,
}

impl Prober<'_> {
    fn at(&self) -> Location {
        Location::Url {
            url: self.opts.url.clone(),
        }
    }

    fn push(&mut self, rule: &'static str, message: String, help: &str) {
        let f = Finding::new(rule, message).help(help).at(self.at());
        self.cx.push(f);
    }

    fn get(
        &self,
        scheme: Scheme,
        host: &str,
        headers: &[(&str, String)],
    ) -> Result<(Response, Option<http::TlsInfo>), ProbeError> {
        request(&self.opts.target, scheme, host, headers, self.opts.limits)
    }

    fn credentials(&self) -> Option<(String, String)> {
        let s = &self.res.settings;
        let user = self.opts.user.clone().or_else(|| {
            s.value(SettingId::BasicAuthUser)
                .as_str()
                .map(str::to_string)
        })?;
        let password = self.opts.password.clone().or_else(|| {
            s.value(SettingId::BasicAuthPassword)
                .as_str()
                .map(str::to_string)
        })?;
        Some((user, password))
    }

    /// May credentials travel on this URL: HTTPS, or the user opted in.
    fn may_send_credentials(&self) -> bool {
        self.opts.target.scheme == Scheme::Https || self.opts.allow_insecure_auth
    }
}

fn basic_authorization(user: &str, password: &str) -> (&'static str, String) {
    (
        "Authorization",
        format!("Basic {}", STANDARD.encode(format!("{user}:{password}"))),
    )
}

/// Probes the service at `opts.url`.
pub fn probe(res: &Resolution, options: &CheckOptions, opts: &ProbeOptions) -> ProbeOutcome {
    let mut p = Prober {
        cx: CheckContext::new(res, options),
        tls_version: None,
        res,
        opts,
        log: Vec::new(),
    };
    run(&mut p);
    ProbeOutcome {
        findings: p.cx.into_findings(),
        tls_version: p.tls_version,
        log: p.log,
    }
}

fn run(p: &mut Prober) {
    let target = &p.opts.target;
    let authority = target.authority();
    let settings = &p.res.settings;
    let ssl_configured = settings.value(SettingId::SslEnabled).as_bool();
    let (first, tls) = match p.get(target.scheme, &authority, &[]) {
        Ok(ok) => ok,
        Err(ProbeError::Tls { host, reason }) => {
            p.push(
                "probe-tls-failed",
                format!("the TLS handshake with {host} failed: {reason}"),
                "check that the port serves HTTPS with a certificate and key that load",
            );
            return;
        }
        Err(e) => {
            p.push(
                "probe-unreachable",
                format!("{} is unreachable: {e}", p.opts.url),
                "check the URL, the port and that the service runs",
            );
            return;
        }
    };
    p.log.push(format!(
        "GET {} without credentials: {}",
        target.path, first.status
    ));
    if let Some(tls) = &tls {
        p.tls_version = Some(tls.version.clone());
        p.log.push(format!(
            "{} with a chain of {} certificate(s)",
            tls.version,
            tls.chain.len()
        ));
        check_served_certificate(p, &tls.chain);
    } else if ssl_configured {
        p.push(
            "probe-plain-http-open",
            format!("configured ssl_enabled=true, served plain HTTP at {}", p.opts.url),
            "serve HTTPS only: check SWML_SSL_CERT_PATH and SWML_SSL_KEY_PATH (the SDK falls back to HTTP when either is missing)",
        );
    }
    check_unauthenticated(p, &first);
    let authed = check_authenticated(p);
    let for_headers = authed
        .as_ref()
        .filter(|r| (200..300).contains(&r.status))
        .unwrap_or(&first)
        .clone();
    check_headers(p, &for_headers, tls.is_some());
    check_cors(p);
    check_host(p);
    if target.scheme == Scheme::Https {
        check_plain_http(p);
    }
}

fn check_served_certificate(p: &mut Prober, chain: &[CertificateDer<'static>]) {
    let judge_trust = !p.opts.insecure;
    crate::checks::tls::check_served_chain(
        &mut p.cx,
        &p.opts.url,
        &p.opts.target.host,
        chain,
        judge_trust,
    );
    let Some(served) = chain.first() else { return };
    let Some(path) = p
        .res
        .settings
        .value(SettingId::SslCertPath)
        .as_str()
        .filter(|s| !s.is_empty())
    else {
        return;
    };
    let Ok(bytes) = read_bounded(path, PEM_SIZE_CAP) else {
        return;
    };
    let Some(Ok(configured)) = CertificateDer::pem_slice_iter(&bytes).next() else {
        return;
    };
    if configured.as_ref() != served.as_ref() {
        let describe = |der: &CertificateDer| {
            x509_parser::parse_x509_certificate(der).map_or_else(
                |_| "an unparsable certificate".to_string(),
                |(_, c)| {
                    format!(
                        "{} (serial {}, valid until {})",
                        c.subject(),
                        c.raw_serial_as_string(),
                        c.validity().not_after
                    )
                },
            )
        };
        let message = format!(
            "configured ssl_cert_path {path} holds {}, served {}",
            describe(&configured),
            describe(served)
        );
        p.push(
            "probe-cert-mismatch",
            message,
            "restart the service after renewing, or check the certificate of the proxy in front",
        );
    }
}

fn check_unauthenticated(p: &mut Prober, first: &Response) {
    if (200..300).contains(&first.status) {
        p.push(
            "probe-auth-not-required",
            format!(
                "{} answers {} without credentials",
                p.opts.url, first.status
            ),
            "require Basic auth on this route (probe the agent's route, not a health check)",
        );
    } else if first.status == 401 {
        let basic = first
            .header("WWW-Authenticate")
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("basic"));
        if !basic {
            p.log.push("401 without `WWW-Authenticate: Basic`: clients will not know to send Basic credentials".into());
        }
    }
}

fn check_authenticated(p: &mut Prober) -> Option<Response> {
    let Some((user, password)) = p.credentials() else {
        p.log.push("no credentials to test: the password is unset (the SDK generates one at each start) and --password-env was not given".into());
        return None;
    };
    if !p.may_send_credentials() {
        p.log.push(
            "credentials not sent over plain http:// (add --allow-insecure-auth to send them)"
                .into(),
        );
        return None;
    }
    let authority = p.opts.target.authority();
    match p.get(
        p.opts.target.scheme,
        &authority,
        &[basic_authorization(&user, &password)],
    ) {
        Ok((r, _)) => {
            p.log.push(format!(
                "GET {} with credentials: {}",
                p.opts.target.path, r.status
            ));
            if r.status == 401 || r.status == 403 {
                let message = format!(
                    "configured credentials (user {}) get {} from {}",
                    if user == password {
                        "<redacted>".to_string()
                    } else {
                        format!("{user:?}")
                    },
                    r.status,
                    p.opts.url
                );
                p.push(
                    "probe-auth-rejected",
                    message,
                    "make the service and its configuration use the same user and password",
                );
            }
            Some(r)
        }
        Err(e) => {
            p.log
                .push(format!("the request with credentials failed: {e}"));
            None
        }
    }
}

fn check_headers(p: &mut Prober, r: &Response, https: bool) {
    let expected: [(&str, Option<&str>); 4] = [
        ("X-Content-Type-Options", Some("nosniff")),
        ("X-Frame-Options", Some("DENY")),
        ("X-XSS-Protection", None),
        ("Referrer-Policy", None),
    ];
    for (name, want) in expected {
        match (r.header(name), want) {
            (None, _) => p.push(
                "probe-header-missing",
                format!(
                    "the SDK's security guide lists {name}{}, served none",
                    want.map_or(String::new(), |w| format!(": {w}"))
                ),
                "add the header in the service or the reverse proxy",
            ),
            (Some(v), Some(w)) if !v.trim().eq_ignore_ascii_case(w) => p.push(
                "probe-header-missing",
                format!("the SDK's security guide lists {name}: {w}, served {name}: {v}"),
                "set the header to the guide's value",
            ),
            _ => {}
        }
    }
    if !https {
        return;
    }
    let s = &p.res.settings;
    let use_hsts = s.value(SettingId::UseHsts).as_bool();
    let configured_age = s
        .value(SettingId::HstsMaxAge)
        .as_int()
        .map(ToString::to_string)
        .unwrap_or_default();
    let served = r.header("Strict-Transport-Security").map(str::to_string);
    let served_age = served.as_deref().and_then(|v| {
        v.split(';').find_map(|part| {
            part.trim()
                .strip_prefix("max-age=")
                .map(|a| a.trim_matches('"').to_string())
        })
    });
    let message = match (&served, use_hsts) {
        (None, true) => Some(format!(
            "configured use_hsts=true with max-age {configured_age}, served no Strict-Transport-Security"
        )),
        (Some(v), false) => Some(format!(
            "configured use_hsts=false, served Strict-Transport-Security: {v}"
        )),
        (Some(_), true) if served_age.as_deref() != Some(configured_age.as_str()) => Some(format!(
            "configured hsts_max_age {configured_age}, served max-age={}",
            served_age.as_deref().unwrap_or("(none)")
        )),
        _ => None,
    };
    if let Some(m) = message {
        p.push("probe-hsts-mismatch", m, "AgentBase always sends max-age=31536000: align hsts_max_age, or set the header in the proxy");
    }
}

fn check_cors(p: &mut Prober) {
    let authority = p.opts.target.authority();
    let mut headers = vec![("Origin", FOREIGN_ORIGIN.to_string())];
    if let Some((user, password)) = p.credentials().filter(|_| p.may_send_credentials()) {
        headers.push(basic_authorization(&user, &password));
    }
    let Ok((r, _)) = p.get(p.opts.target.scheme, &authority, &headers) else {
        return;
    };
    let allowed = r.header("Access-Control-Allow-Origin").map(str::to_string);
    let credentials = r
        .header("Access-Control-Allow-Credentials")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let Some(allowed) = allowed.filter(|a| a == FOREIGN_ORIGIN || a == "*") else {
        return;
    };
    let configured = p
        .res
        .settings
        .value(SettingId::CorsOrigins)
        .as_list()
        .to_vec();
    let with = if credentials { " with credentials" } else { "" };
    let mut f = Finding::new(
        "probe-cors-permissive",
        format!("configured cors_origins {}, served Access-Control-Allow-Origin: {allowed}{with} to Origin {FOREIGN_ORIGIN}", crate::report::quoted_list(&configured)),
    )
    .help("restrict CORS to the origins that need it, in the service or the proxy")
    .at(p.at());
    if credentials {
        f = f.at_least(crate::finding::Severity::Error);
    }
    p.cx.push(f);
}

fn check_host(p: &mut Prober) {
    let configured = p
        .res
        .settings
        .value(SettingId::AllowedHosts)
        .as_list()
        .to_vec();
    if configured.iter().any(|h| h == "*") {
        return;
    }
    let Ok((r, _)) = p.get(p.opts.target.scheme, FOREIGN_HOST, &[]) else {
        return;
    };
    p.log
        .push(format!("GET with Host: {FOREIGN_HOST}: {}", r.status));
    if (200..300).contains(&r.status) || r.status == 401 || r.status == 403 {
        p.push(
            "probe-host-not-enforced",
            format!(
                "configured allowed_hosts {}, served {} for Host: {FOREIGN_HOST}",
                crate::report::quoted_list(&configured),
                r.status
            ),
            "enforce allowed hosts in the reverse proxy: AgentBase does not check the Host header",
        );
    }
}

fn check_plain_http(p: &mut Prober) {
    let authority = p.opts.target.authority();
    match p.get(Scheme::Http, &authority, &[]) {
        Ok((r, _)) if (300..400).contains(&r.status) => p.log.push(format!(
            "plain HTTP on the same port redirects ({})",
            r.status
        )),
        Ok((r, _)) if r.status < 400 || r.status == 401 => {
            let url = format!("http://{}{}", authority, p.opts.target.path);
            p.push(
                "probe-plain-http-open",
                format!(
                    "configured HTTPS, served {} over plain HTTP at {url}",
                    r.status
                ),
                "refuse or redirect plain HTTP",
            );
        }
        Ok((r, _)) => p
            .log
            .push(format!("plain HTTP on the same port answers {}", r.status)),
        Err(_) => p.log.push("plain HTTP on the same port is refused".into()),
    }
}
