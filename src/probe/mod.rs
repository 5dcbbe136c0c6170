//! `swml-sec probe URL`: what a running service actually serves, compared
//! with what was configured. Every finding says "configured X, served Y"
//! where the two differ.

pub mod http;
pub mod text;

use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::checks::{CheckContext, CheckOptions};
use crate::finding::{Finding, Location};
use crate::input::{PEM_SIZE_CAP, read_bounded};
use crate::model::{Secret, SettingId};
use crate::resolve::Resolution;
use http::{Exchange, Limits, ProbeError, Response, Scheme, Target, Trust, request};

/// An Origin and a Host no deployment allows.
pub const FOREIGN_ORIGIN: &str = "https://swml-sec-probe.invalid";
pub const FOREIGN_HOST: &str = "swml-sec-probe.invalid";

pub struct ProbeOptions {
    pub url: String,
    pub target: Target,
    pub user: Option<String>,
    /// From the variable named by --password-env; never from a flag.
    pub password: Option<Secret>,
    /// Accept an unverified peer: no `cert-untrusted`, and credentials are
    /// sent even when the certificate does not verify.
    pub insecure: bool,
    pub allow_insecure_auth: bool,
    pub limits: Limits,
}

impl ProbeOptions {
    /// The credentials the probe uses: --user / --password-env, else the
    /// configured ones.
    pub fn credentials(&self, res: &Resolution) -> Option<(String, Secret)> {
        let s = &res.settings;
        let user = self.user.clone().or_else(|| {
            s.value(SettingId::BasicAuthUser)
                .as_str()
                .map(str::to_string)
        })?;
        let password = self
            .password
            .clone()
            .or_else(|| s.value(SettingId::BasicAuthPassword).as_secret().cloned())?;
        Some((user, password))
    }

    /// Every form of the credentials that must never be printed (the
    /// password, `user:password`, its base64 standard and URL-safe, ...),
    /// for an output layer's redaction list.
    pub fn secret_forms(&self, res: &Resolution) -> Vec<String> {
        self.credentials(res)
            .map(|(user, password)| text::credential_forms(&user, password.expose()))
            .unwrap_or_default()
    }
}

/// What became of the credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialUse {
    /// Neither --password-env nor a configured password.
    NoneToSend,
    /// A plain http:// URL without --allow-insecure-auth.
    NotOverPlainHttp,
    /// The peer's certificate does not verify (and no --insecure).
    Withheld,
    /// The route is missing (404/405): nothing to authenticate against.
    NoRoute,
    Sent,
    /// The probe stopped at its deadline before sending them.
    NotReached,
    /// The TLS handshake failed before any request.
    HandshakeFailed,
}

impl CredentialUse {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialUse::NoneToSend => "none to send",
            CredentialUse::NotOverPlainHttp => "not sent over plain http",
            CredentialUse::Withheld => "withheld from an unverified peer",
            CredentialUse::NoRoute => "not sent: the route does not exist",
            CredentialUse::Sent => "sent",
            CredentialUse::NotReached => "not sent: the probe stopped at its deadline",
            CredentialUse::HandshakeFailed => "not sent: the TLS handshake failed",
        }
    }
}

pub struct ProbeOutcome {
    pub findings: Vec<Finding>,
    /// The negotiated protocol, e.g. "TLS 1.3", for an https:// URL that answered.
    pub tls_version: Option<String>,
    /// What the probe did and saw, for people (never credentials).
    pub log: Vec<String>,
    pub credentials: CredentialUse,
}

struct Prober<'a> {
    cx: CheckContext<'a>,
    tls_version: Option<String>,
    res: &'a Resolution,
    opts: &'a ProbeOptions,
    log: Vec<String>,
    /// One deadline for the whole probe: --timeout from its start.
    deadline: Instant,
    trust: Trust,
    secrets: crate::report::redact::Redactor,
    credentials: CredentialUse,
    /// Why the credentials were withheld, once reported.
    withheld: Option<String>,
    /// The probe hit its deadline: no further exchange is attempted.
    stopped: bool,
}

impl Prober<'_> {
    fn at(&self) -> Location {
        Location::Url {
            url: self.opts.url.as_str().into(),
        }
    }

    fn push(&mut self, rule: &'static str, message: String, help: &str) {
        let f = Finding::new(rule, message).help(help).at(self.at());
        self.cx.push(f);
    }

    /// Peer text, safe to put into a message: see [`text::shown`].
    fn shown(&self, peer_text: &str) -> String {
        text::shown(peer_text, &self.secrets)
    }

    /// A served value in its own slot: see [`text::shown_value`].
    fn shown_value(&self, served: &str) -> String {
        text::shown_value(served, &self.secrets)
    }

    /// Past the deadline (CPU spent verifying counts as well as I/O): the
    /// probe stops, says so once, and `what` does not run.
    fn stop_at_deadline(&mut self, what: &str) -> bool {
        if self.stopped {
            return true;
        }
        if Instant::now() < self.deadline {
            return false;
        }
        self.stopped = true;
        let message = format!(
            "the probe of {} stopped at its deadline before {what}",
            self.opts.url
        );
        self.push(
            "probe-unreachable",
            message,
            "a client with a time limit (SignalWire's included) gives up the same way: check the service and the network, or raise --timeout",
        );
        true
    }

    /// One exchange. `with_credentials` marks headers that carry them: over
    /// TLS they are written only to a verified peer, unless --insecure.
    /// After a time-out the probe stops: it reports that once, names what
    /// did not run, and later exchanges are not attempted.
    fn get(
        &mut self,
        scheme: Scheme,
        host: &str,
        headers: &[(&str, String)],
        with_credentials: bool,
        what: &str,
    ) -> Result<(Response, Option<http::TlsInfo>), ProbeError> {
        if self.stopped {
            return Err(self.opts.limits.timeout("the exchanges after the deadline"));
        }
        let ex = Exchange {
            scheme,
            host_header: host,
            headers,
            verified_peer_only: with_credentials && !self.opts.insecure,
        };
        let result = request(
            &self.opts.target,
            &ex,
            self.opts.limits,
            self.deadline,
            &self.trust,
        );
        if let Err(e @ ProbeError::Timeout { .. }) = &result {
            self.stopped = true;
            let message = format!(
                "the probe of {} stopped at its deadline in {what}: {}",
                self.opts.url,
                self.shown(&e.to_string())
            );
            self.push(
                "probe-unreachable",
                message,
                "a client with a time limit (SignalWire's included) gives up the same way: check the service and the network, or raise --timeout",
            );
        }
        result
    }

    fn credentials(&self) -> Option<(String, Secret)> {
        self.opts.credentials(self.res)
    }

    /// May credentials travel on this URL: HTTPS, or the user opted in.
    fn may_send_credentials(&self) -> bool {
        self.opts.target.scheme == Scheme::Https || self.opts.allow_insecure_auth
    }

    /// The credentials will not go to this peer: say why in the log, once.
    fn withhold(&mut self, reason: &str) {
        self.credentials = CredentialUse::Withheld;
        if self.withheld.is_none() {
            let reason = self.shown(reason);
            self.log.push(format!(
                "credentials withheld: {reason} (only a verified peer gets them; --insecure sends them anyway)"
            ));
            self.withheld = Some(reason);
        }
    }
}

fn basic_authorization(user: &str, password: &Secret) -> (&'static str, String) {
    (
        "Authorization",
        format!(
            "Basic {}",
            STANDARD.encode(format!("{user}:{}", password.expose()))
        ),
    )
}

/// Probes the service at `opts.url`. --timeout bounds the whole probe: one
/// deadline from here, shared by every exchange.
pub fn probe(res: &Resolution, options: &CheckOptions, opts: &ProbeOptions) -> ProbeOutcome {
    let secrets = crate::report::redact::Redactor::new(opts.secret_forms(res));
    let mut p = Prober {
        cx: CheckContext::new(res, options),
        tls_version: None,
        res,
        opts,
        log: Vec::new(),
        deadline: Instant::now() + opts.limits.total_timeout,
        trust: Trust::new(&options.ca_anchors),
        secrets,
        credentials: CredentialUse::NoneToSend,
        withheld: None,
        stopped: false,
    };
    run(&mut p);
    // Findings and log lines leave through the output layer, which redacts
    // and escapes them (with these credentials among its secrets).
    ProbeOutcome {
        findings: p.cx.into_findings(),
        tls_version: p.tls_version,
        log: p.log,
        credentials: p.credentials,
    }
}

fn run(p: &mut Prober) {
    let target = &p.opts.target;
    let authority = target.authority();
    // HTTPS as the class that runs reads it (AgentServer: the environment).
    let ssl_configured = p.cx.tls_settings().value(SettingId::SslEnabled).as_bool();
    let (first, tls) = match p.get(
        target.scheme,
        &authority,
        &[],
        false,
        "the first request (without credentials)",
    ) {
        Ok(ok) => ok,
        Err(ProbeError::Tls {
            host,
            reason,
            chain,
        }) => {
            handshake_failed(p, &host, &reason, &chain);
            return;
        }
        Err(ProbeError::Timeout { .. }) => {
            if p.credentials().is_some() {
                p.credentials = CredentialUse::NotReached;
            }
            return;
        }
        Err(e) => {
            let e = p.shown(&e.to_string());
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
        check_served_certificate(p, tls);
    } else if ssl_configured {
        p.push(
            "probe-plain-http-open",
            format!("configured ssl_enabled=true, served plain HTTP at {}", p.opts.url),
            "serve HTTPS only: check SWML_SSL_CERT_PATH and SWML_SSL_KEY_PATH (the SDK falls back to HTTP when either is missing)",
        );
    }
    let authed = if route_missing(p, &first) {
        if p.credentials().is_some() {
            p.credentials = CredentialUse::NoRoute;
        }
        None
    } else {
        check_unauthenticated(p, &first);
        let authed = check_authenticated(p);
        // A proxy that asks for credentials before routing: only they show
        // that the route is missing.
        if let Some(r) = &authed {
            route_missing(p, r);
        }
        authed
    };
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

/// AgentBase's catch-all answer for a path outside the agent's route:
/// 200 with `{"error": "Invalid route"}`.
fn is_agentbase_invalid_route(r: &Response) -> bool {
    (200..300).contains(&r.status)
        && serde_json::from_slice::<serde_json::Value>(&r.body_start)
            .is_ok_and(|v| v.get("error").and_then(|e| e.as_str()) == Some("Invalid route"))
}

/// 404, 405, or AgentBase's "Invalid route" at the probed URL: reports
/// `probe-route-not-found`; authentication is not judged there.
fn route_missing(p: &mut Prober, r: &Response) -> bool {
    let what = match r.status {
        404 => "404 Not Found".to_string(),
        405 => "405 Method Not Allowed".to_string(),
        _ if is_agentbase_invalid_route(r) => format!(
            "{} with AgentBase's {{\"error\": \"Invalid route\"}} (its catch-all for paths outside the agent's route)",
            r.status
        ),
        _ => return false,
    };
    let message = format!(
        "{} answers {what}: no agent route there, so authentication was not judged",
        p.opts.url
    );
    p.push(
        "probe-route-not-found",
        message,
        "probe the agent's route as SignalWire calls it (e.g. https://agent.example.com/agent)",
    );
    true
}

/// The handshake failed. A chain the server presented first is judged by
/// the certificate rules (an RSA-1024 leaf: rustls refuses its handshake
/// signature, and the finding that explains it is cert-weak-key), and the
/// credentials, if any, were not sent because of the handshake.
fn handshake_failed(p: &mut Prober, host: &str, reason: &str, chain: &[CertificateDer<'static>]) {
    let mut weak_key = false;
    if !chain.is_empty() {
        for f in judge_served_chain(p, chain) {
            weak_key |= f.rule == "cert-weak-key";
            p.cx.push(f);
        }
    }
    if p.credentials().is_some() && p.may_send_credentials() {
        p.credentials = CredentialUse::HandshakeFailed;
    }
    let reason = p.shown(reason);
    if weak_key {
        p.push(
            "probe-tls-failed",
            format!("the TLS handshake with {host} failed: the server's certificate has a key too weak for clients (see cert-weak-key), so rustls refuses its handshake signature ({reason})"),
            "re-issue the certificate with RSA 2048+ or ECDSA P-256+",
        );
    } else {
        p.push(
            "probe-tls-failed",
            format!("the TLS handshake with {host} failed: {reason}"),
            "check that the port serves HTTPS with a certificate and key that load",
        );
    }
}

/// Certificate findings that explain why a verifying client refuses the peer.
const REFUSAL_RULES: [&str; 4] = [
    "cert-untrusted",
    "cert-hostname-mismatch",
    "cert-expired",
    "cert-not-yet-valid",
];

fn check_served_certificate(p: &mut Prober, tls: &http::TlsInfo) {
    // One deadline for I/O and verification alike: judging the chain does
    // not start after it, and nothing else runs once judging passed it.
    if p.stop_at_deadline("judging the served certificate") {
        return;
    }
    check_served_certificate_now(p, tls);
    p.stop_at_deadline("the exchanges that follow the certificate's check");
}

/// The certificate rules on the chain the peer served (trust judged
/// unless --insecure).
fn judge_served_chain(p: &Prober, chain: &[CertificateDer<'static>]) -> Vec<Finding> {
    let mut cx = CheckContext::new(p.res, p.cx.options);
    crate::checks::tls::check_served_chain(
        &mut cx,
        &p.opts.url,
        &p.opts.target.host,
        chain,
        !p.opts.insecure,
    );
    cx.into_findings()
}

fn check_served_certificate_now(p: &mut Prober, tls: &http::TlsInfo) {
    let chain = &tls.chain;
    let mut found = judge_served_chain(p, chain);
    if let Err(reason) = &tls.verified
        && !p.opts.insecure
    {
        let withheld = p.credentials().is_some() && p.may_send_credentials();
        let consequence = if withheld {
            "; the probe withheld the credentials from this peer"
        } else {
            ""
        };
        let mut explained = false;
        for f in found.iter_mut().filter(|f| REFUSAL_RULES.contains(&f.rule)) {
            f.message = [&*f.message, consequence].concat().into();
            explained = true;
        }
        if !explained {
            let message = format!(
                "the probe's verifier (rustls with rustls-webpki) refuses the certificate of {}: {}{consequence}",
                p.opts.target.host,
                p.shown(reason)
            );
            found.push(
                Finding::new("probe-tls-failed", message)
                    .help("serve a chain that verifies for this host name")
                    .at(p.at()),
            );
        }
        if withheld {
            p.withhold(reason);
        }
    }
    for f in found {
        p.cx.push(f);
    }
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
            p.shown(&describe(served))
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
        p.credentials = CredentialUse::NotOverPlainHttp;
        p.log.push(
            "credentials not sent over plain http:// (add --allow-insecure-auth to send them)"
                .into(),
        );
        return None;
    }
    if p.withheld.is_some() {
        return None;
    }
    let authority = p.opts.target.authority();
    match p.get(
        p.opts.target.scheme,
        &authority,
        &[basic_authorization(&user, &password)],
        true,
        "the request with credentials",
    ) {
        Ok((r, _)) => {
            p.credentials = CredentialUse::Sent;
            p.log.push(format!(
                "GET {} with credentials: {}",
                p.opts.target.path, r.status
            ));
            if r.status == 401 || r.status == 403 {
                let message = format!(
                    "configured credentials (user {}) get {} from {}",
                    if user == password.expose() {
                        text::REDACTED.to_string()
                    } else {
                        format!("\"{}\"", p.shown(&user))
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
        Err(ProbeError::Withheld(reason)) => {
            // This connection's peer did not verify, although an earlier one may have.
            p.withhold(&reason);
            let message = format!(
                "a verifying client refuses the certificate {} presented to the request with credentials: {}; the probe withheld the credentials from this peer",
                p.opts.target.host,
                p.shown(&reason)
            );
            p.push(
                "probe-tls-failed",
                message,
                "serve a chain that verifies for this host name on every connection",
            );
            None
        }
        Err(e @ ProbeError::Timeout { .. }) => {
            p.credentials = if e.after_sending() {
                CredentialUse::Sent
            } else {
                CredentialUse::NotReached
            };
            None
        }
        Err(e) => {
            let e = p.shown(&e.to_string());
            p.log
                .push(format!("the request with credentials failed: {e}"));
            None
        }
    }
}

/// The guide's headers: name, the value it lists (if it names one), and
/// whether the header is deprecated (a note in every profile).
const GUIDE_HEADERS: [(&str, Option<&str>, bool); 4] = [
    ("X-Content-Type-Options", Some("nosniff"), false),
    ("X-Frame-Options", Some("DENY"), false),
    ("X-XSS-Protection", None, true),
    ("Referrer-Policy", None, false),
];

fn check_headers(p: &mut Prober, r: &Response, https: bool) {
    for (name, want, deprecated) in GUIDE_HEADERS {
        let (message, help) = match (r.header(name), want) {
            (None, _) if deprecated => (
                format!(
                    "the SDK's security guide lists {name}, served none; the header is deprecated and every current browser ignores it, so its absence is harmless in current browsers (OWASP: send 0 or omit it)"
                ),
                "nothing to do for current browsers; if you add it, send X-XSS-Protection: 0",
            ),
            (None, _) => (
                format!(
                    "the SDK's security guide lists {name}{}, served none",
                    want.map_or(String::new(), |w| format!(": {w}"))
                ),
                "add the header in the service or the reverse proxy",
            ),
            (Some(v), Some(w)) if !v.trim().eq_ignore_ascii_case(w) => (
                format!(
                    "the SDK's security guide lists {name}: {w}, served {name}: {}",
                    p.shown_value(v)
                ),
                "set the header to the guide's value",
            ),
            _ => continue,
        };
        let mut f = Finding::new("probe-header-missing", message)
            .help(help)
            .at(p.at());
        if deprecated {
            f = f
                .at_least(crate::finding::Severity::Note)
                .at_most(crate::finding::Severity::Note);
        }
        p.cx.push(f);
    }
    if !https {
        return;
    }
    let s = &p.res.settings;
    let model = p.cx.service();
    let class = model.class.name();
    let served = r.header("Strict-Transport-Security").map(str::to_string);
    // What the class sends, from the service model: a fixed header, the
    // configured one, or none.
    let (use_hsts, expected_age, help) = match model.hsts {
        // Sent only while the class believes TLS is on: its ssl_enabled, or
        // AgentServer's SWML_SSL_ENABLED (both read by tls_settings).
        crate::service::Hsts::Fixed { value, .. } => (
            p.cx.tls_settings().value(SettingId::SslEnabled).as_bool(),
            value
                .strip_prefix("max-age=")
                .and_then(|v| v.split(';').next())
                .unwrap_or("")
                .to_string(),
            format!(
                "{class} always sends {value} and ignores use_hsts and hsts_max_age: a different header comes from a proxy in front of it"
            ),
        ),
        crate::service::Hsts::Configured => (
            s.value(SettingId::UseHsts).as_bool(),
            s.value(SettingId::HstsMaxAge)
                .as_int()
                .map(ToString::to_string)
                .unwrap_or_default(),
            "align use_hsts and hsts_max_age with what is served, or set the header in the proxy"
                .to_string(),
        ),
        crate::service::Hsts::None => (
            false,
            String::new(),
            format!("{class} sends no HSTS header: add it in the proxy"),
        ),
    };
    let served_age = served.as_deref().and_then(|v| {
        v.split(';').find_map(|part| {
            part.trim()
                .strip_prefix("max-age=")
                .map(|a| a.trim_matches('"').to_string())
        })
    });
    let expected = if model.hsts == crate::service::Hsts::Configured {
        format!("configured use_hsts={use_hsts} with max-age {expected_age}")
    } else {
        format!("{class} sends max-age {expected_age}")
    };
    let message = match (&served, use_hsts) {
        (None, true) => Some(format!("{expected}, served no Strict-Transport-Security")),
        (None, false) if model.hsts == crate::service::Hsts::None => Some(format!(
            "{class} sends no Strict-Transport-Security over HTTPS, and none was served"
        )),
        // A header the class does not send comes from a proxy in front of
        // it: a mismatch only where the settings asked for none.
        (Some(v), false) if model.hsts == crate::service::Hsts::Configured => Some(format!(
            "configured use_hsts=false, served Strict-Transport-Security: {}",
            p.shown_value(v)
        )),
        (Some(_), true) if served_age.as_deref() != Some(expected_age.as_str()) => Some(format!(
            "{expected}, served max-age={}",
            served_age
                .as_deref()
                .map_or("(none)".to_string(), |a| p.shown_value(a))
        )),
        _ => None,
    };
    if let Some(m) = message {
        p.push("probe-hsts-mismatch", m, &help);
    }
}

fn check_cors(p: &mut Prober) {
    let authority = p.opts.target.authority();
    let mut headers = vec![("Origin", FOREIGN_ORIGIN.to_string())];
    let with_credentials = p.credentials == CredentialUse::Sent;
    if let Some((user, password)) = p.credentials().filter(|_| with_credentials) {
        headers.push(basic_authorization(&user, &password));
    }
    let r = match p.get(
        p.opts.target.scheme,
        &authority,
        &headers,
        with_credentials,
        "the CORS request",
    ) {
        Ok((r, _)) => r,
        Err(ProbeError::Withheld(reason)) => {
            p.withhold(&reason);
            return;
        }
        Err(_) => return,
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
    let model = p.cx.service();
    // What was configured, and where the answer can be changed: in
    // cors_origins only for a class that applies it.
    let (configured, help) = match model.cors {
        crate::service::Cors::ConfiguredWithCredentials => (
            format!(
                "configured cors_origins {}",
                crate::report::quoted_list(&configured)
            ),
            "restrict cors_origins to the origins that need it".to_string(),
        ),
        _ => (
            format!("{} ignores cors_origins", model.class.name()),
            format!(
                "{} does not apply cors_origins: restrict CORS in the proxy in front of it",
                model.class.name()
            ),
        ),
    };
    let mut f = Finding::new(
        "probe-cors-permissive",
        format!("{configured}; served Access-Control-Allow-Origin: {allowed}{with} to Origin {FOREIGN_ORIGIN}"),
    )
    .help(help)
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
    let Ok((r, _)) = p.get(
        p.opts.target.scheme,
        FOREIGN_HOST,
        &[],
        false,
        "the request with a foreign Host",
    ) else {
        return;
    };
    p.log
        .push(format!("GET with Host: {FOREIGN_HOST}: {}", r.status));
    let model = p.cx.service();
    let host_help = match model.hosts {
        crate::service::HostCheck::Never => format!(
            "enforce allowed hosts in the proxy or ingress: {} never checks the Host header",
            model.class.name()
        ),
        crate::service::HostCheck::AllowedHosts => format!(
            "{} checks allowed_hosts, so something in front of it answered: enforce host names there too",
            model.class.name()
        ),
    };
    if (200..300).contains(&r.status) || r.status == 401 || r.status == 403 {
        p.push(
            "probe-host-not-enforced",
            format!(
                "configured allowed_hosts {}, served {} for Host: {FOREIGN_HOST}",
                crate::report::quoted_list(&configured),
                r.status
            ),
            &host_help,
        );
    }
}

fn check_plain_http(p: &mut Prober) {
    let authority = p.opts.target.authority();
    match p.get(
        Scheme::Http,
        &authority,
        &[],
        false,
        "the plain-HTTP request",
    ) {
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
        Err(ProbeError::Timeout { .. }) => {}
        Err(_) => p.log.push("plain HTTP on the same port is refused".into()),
    }
}
