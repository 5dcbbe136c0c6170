//! HTTPS: the switch, the paths, the certificate chain and the key.

use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;

use crate::checks::CheckContext;
use crate::finding::{Finding, Location};
use crate::input::{PEM_SIZE_CAP, ReadError, read_bounded};
use crate::model::SettingId;
use crate::resolve::source_location;

const VERIFY_MODES: [&str; 3] = ["CERT_REQUIRED", "CERT_OPTIONAL", "CERT_NONE"];

/// OIDs of signature algorithms that can be forged.
const WEAK_SIGNATURES: [(&str, &str); 6] = [
    ("1.2.840.113549.1.1.2", "MD2 with RSA"),
    ("1.2.840.113549.1.1.4", "MD5 with RSA"),
    ("1.2.840.113549.1.1.5", "SHA-1 with RSA"),
    ("1.2.840.10045.4.1", "ECDSA with SHA-1"),
    ("1.2.840.10040.4.3", "DSA with SHA-1"),
    ("1.3.14.3.2.29", "SHA-1 with RSA (OIW)"),
];

/// The rules that run when HTTPS is off.
pub const TLS_OFF_RULES: [&str; 3] = ["tls-disabled", "verify-mode-none", "verify-mode-invalid"];

/// The rules a certificate chain is judged by (`check_chain_at`), also on a
/// served chain in `probe`.
pub const CHAIN_RULES: [&str; 12] = [
    "cert-invalid",
    "cert-expired",
    "cert-not-yet-valid",
    "cert-expiring",
    "cert-self-signed",
    "cert-not-for-server",
    "cert-weak-key",
    "cert-weak-signature",
    "cert-chain-order",
    "cert-hostname-mismatch",
    "cert-hostname-internal",
    "cert-untrusted",
];

pub fn check(cx: &mut CheckContext) {
    let s = &cx.res.settings;
    let enabled = s.get(SettingId::SslEnabled);
    check_verify_mode(cx);
    if !enabled.value.as_bool() {
        let f = Finding::new(
            "tls-disabled",
            "HTTPS is off: the service serves plain HTTP",
        )
        .help("set SWML_SSL_ENABLED=true with SWML_SSL_CERT_PATH and SWML_SSL_KEY_PATH")
        .setting("ssl_enabled")
        .at(source_location(&enabled.source));
        cx.push(f);
        return;
    }
    let domain = s.get(SettingId::Domain);
    if domain.value.as_str().is_none_or(str::is_empty) {
        cx.push(
            Finding::new("domain-unset", "HTTPS is on but `domain` is unset: the SDK builds URLs from the request's Host header")
                .help("set SWML_DOMAIN to the public host name")
                .setting("domain")
                .at(source_location(&domain.source)),
        );
    }
    let cert_path = path_of(cx, SettingId::SslCertPath);
    let key_path = path_of(cx, SettingId::SslKeyPath);
    let (Some(cert_path), Some(key_path)) = (cert_path, key_path) else {
        return;
    };
    let cert_setting = s.get(SettingId::SslCertPath).source.clone();
    let key_setting = s.get(SettingId::SslKeyPath).source.clone();
    let cert_bytes = read_tls_file(
        cx,
        &cert_path,
        "certificate",
        "ssl_cert_path",
        source_location(&cert_setting),
    );
    let key_bytes = read_tls_file(
        cx,
        &key_path,
        "key",
        "ssl_key_path",
        source_location(&key_setting),
    );
    if key_bytes.is_some() {
        check_key_permissions(cx, &key_path, "ssl_key_path", None);
    }
    // A key bundled into the certificate file is as secret as the key file.
    if cert_bytes
        .as_deref()
        .is_some_and(|b| contains(b, b"PRIVATE KEY-----"))
        && cert_path != key_path
    {
        check_key_permissions(
            cx,
            &cert_path,
            "ssl_cert_path",
            Some("holds a private key bundled with the certificate"),
        );
    }
    check_material(
        cx,
        &cert_path,
        cert_bytes.as_deref(),
        &key_path,
        key_bytes.as_deref(),
    );
}

/// The certificate chain and key checks on the files' contents.
pub fn check_material(
    cx: &mut CheckContext,
    cert_path: &str,
    cert: Option<&[u8]>,
    key_path: &str,
    key: Option<&[u8]>,
) {
    let chain = cert.and_then(|b| parse_chain(cx, cert_path, b));
    let key = key.and_then(|b| parse_key(cx, key_path, b));
    if let Some(chain) = &chain {
        check_chain(cx, cert_path, chain);
        if let Some(key) = &key {
            check_key_match(cx, cert_path, key_path, &chain[0], key);
        }
    }
}

fn check_verify_mode(cx: &mut CheckContext) {
    let mode = cx.res.settings.get(SettingId::SslVerifyMode);
    let text = mode.value.as_str().unwrap_or("");
    if text == "CERT_NONE" {
        cx.push(
            Finding::new(
                "verify-mode-none",
                "ssl_verify_mode is CERT_NONE: certificate verification is off",
            )
            .help("use CERT_REQUIRED (the default)")
            .setting("ssl_verify_mode")
            .at(source_location(&mode.source)),
        );
    } else if !VERIFY_MODES.contains(&text) {
        let suggestion =
            crate::resolve::did_you_mean(&text.to_uppercase(), VERIFY_MODES.into_iter())
                .map_or(String::new(), |s| format!(" (did you mean {s}?)"));
        cx.push(
            Finding::new("verify-mode-invalid", format!("ssl_verify_mode {text:?} is not CERT_REQUIRED, CERT_OPTIONAL or CERT_NONE{suggestion}"))
                .help("spell the mode exactly as one of the three")
                .setting("ssl_verify_mode")
                .at(source_location(&mode.source)),
        );
    }
}

fn path_of(cx: &mut CheckContext, id: SettingId) -> Option<String> {
    let setting = cx.res.settings.get(id);
    match setting.value.as_str() {
        Some(p) if !p.is_empty() => Some(p.to_string()),
        _ => {
            let var = id.env_var();
            cx.push(
                Finding::new("tls-path-missing", format!("HTTPS is on but {} is unset or empty: the SDK logs an error and serves plain HTTP", id.name()))
                    .help(format!("set {var}"))
                    .setting(id.name())
                    .at(source_location(&setting.source)),
            );
            None
        }
    }
}

fn read_tls_file(
    cx: &mut CheckContext,
    path: &str,
    what: &str,
    setting: &str,
    at: Location,
) -> Option<Vec<u8>> {
    match read_bounded(path, PEM_SIZE_CAP) {
        Ok(b) => Some(b),
        Err(e) => {
            let consequence = match e {
                ReadError::NotFound { .. } if std::path::Path::new(path).is_relative() => {
                    "the SDK falls back to plain HTTP (a relative path is taken from the service's working directory, not from the config file's folder)"
                }
                ReadError::NotFound { .. } => "the SDK falls back to plain HTTP",
                _ => "the server cannot load it at start-up",
            };
            cx.push(
                Finding::new(
                    "tls-file-unreadable",
                    format!("the {what} file cannot be read: {e}"),
                )
                .help(format!(
                    "{consequence}; point {setting} at a readable regular file"
                ))
                .setting(setting)
                .at(at),
            );
            None
        }
    }
}

fn file_location(path: &str) -> Location {
    Location::Path {
        path: path.to_string(),
    }
}

fn parse_chain(
    cx: &mut CheckContext,
    path: &str,
    bytes: &[u8],
) -> Option<Vec<CertificateDer<'static>>> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(bytes)
        .filter_map(Result::ok)
        .collect();
    if certs.is_empty() {
        let what = if bytes.is_empty() {
            "the file is empty".to_string()
        } else if bytes.first() == Some(&0x30) {
            "it looks like DER; uvicorn needs PEM".to_string()
        } else if contains(bytes, b"PRIVATE KEY-----") {
            "it holds a private key, not a certificate".to_string()
        } else {
            "no -----BEGIN CERTIFICATE----- block".to_string()
        };
        cx.push(
            Finding::new(
                "cert-invalid",
                format!("{path} holds no PEM certificate: {what}"),
            )
            .help("point ssl_cert_path at the PEM certificate chain (leaf first)")
            .setting("ssl_cert_path")
            .at(file_location(path)),
        );
        return None;
    }
    for (i, der) in certs.iter().enumerate() {
        if let Err(e) = X509Certificate::from_der(der) {
            cx.push(
                Finding::new(
                    "cert-invalid",
                    format!("{path}: certificate #{} cannot be parsed: {e}", i + 1),
                )
                .setting("ssl_cert_path")
                .at(file_location(path)),
            );
            return None;
        }
    }
    Some(certs)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn parsed<'a>(der: &'a CertificateDer<'_>) -> Option<X509Certificate<'a>> {
    X509Certificate::from_der(der).ok().map(|(_, c)| c)
}

fn is_self_issued(c: &X509Certificate) -> bool {
    c.subject().as_raw() == c.issuer().as_raw() && c.verify_signature(None).is_ok()
}

fn is_ca(c: &X509Certificate) -> bool {
    c.basic_constraints()
        .ok()
        .flatten()
        .is_some_and(|bc| bc.value.ca)
}

fn date(t: i64) -> String {
    x509_parser::time::ASN1Time::from_timestamp(t).map_or_else(|_| t.to_string(), |d| d.to_string())
}

/// A name the leaf must cover, where it came from, and where to point.
pub struct WantedName {
    pub host: String,
    pub origin: String,
    pub setting: Option<&'static str>,
    pub location: Location,
}

/// The names from `domain` and every non-wildcard allowed host.
fn configured_names(cx: &CheckContext) -> Vec<WantedName> {
    let settings = &cx.res.settings;
    let mut wanted = Vec::new();
    let domain = settings.get(SettingId::Domain);
    if let Some(d) = domain.value.as_str().filter(|d| !d.is_empty()) {
        wanted.push(WantedName {
            host: d.to_string(),
            origin: "domain".into(),
            setting: Some("domain"),
            location: source_location(&domain.source),
        });
    }
    let hosts = settings.get(SettingId::AllowedHosts);
    for h in hosts.value.as_list() {
        if !h.is_empty() && !h.contains('*') && !h.contains('/') && !h.starts_with('.') {
            wanted.push(WantedName {
                host: host_of(h).to_string(),
                origin: "allowed_hosts".into(),
                setting: Some("allowed_hosts"),
                location: source_location(&hosts.source),
            });
        }
    }
    wanted
}

fn check_chain(cx: &mut CheckContext, path: &str, chain: &[CertificateDer<'static>]) {
    let names = configured_names(cx);
    check_chain_at(cx, &file_location(path), chain, names, true);
}

/// The certificate rules on a chain a server presented, for `probe`;
/// `judge_trust` false (`--insecure`) skips `cert-untrusted`.
pub fn check_served_chain(
    cx: &mut CheckContext,
    url: &str,
    host: &str,
    chain: &[CertificateDer<'static>],
    judge_trust: bool,
) {
    let at = Location::Url {
        url: url.to_string(),
    };
    let names = vec![WantedName {
        host: host.to_string(),
        origin: "the probed URL".into(),
        setting: None,
        location: at.clone(),
    }];
    check_chain_at(cx, &at, chain, names, judge_trust);
}

/// How a finding names one certificate of the file: its position and subject.
fn describe_cert(c: &X509Certificate, index: usize) -> String {
    let subject = c.subject().to_string();
    let subject = if subject.is_empty() {
        "an empty subject".to_string()
    } else {
        subject
    };
    if index == 0 {
        format!("the leaf certificate (#1, {subject})")
    } else {
        format!("certificate #{} of the chain ({subject})", index + 1)
    }
}

/// The trailing self-issued certificate of a chain: clients use their own
/// copy of a root, so its validity and signature do not matter.
fn is_trailing_root(certs: &[X509Certificate], index: usize) -> bool {
    index > 0 && index + 1 == certs.len() && is_self_issued(&certs[index])
}

fn check_chain_at(
    cx: &mut CheckContext,
    at: &Location,
    chain: &[CertificateDer<'static>],
    names: Vec<WantedName>,
    judge_trust: bool,
) {
    let certs: Vec<X509Certificate> = chain.iter().filter_map(parsed).collect();
    let Some(leaf) = certs.first() else { return };
    let first_finding = cx.findings.len();
    let at = at.clone();
    for index in 0..certs.len() {
        if !is_trailing_root(&certs, index) {
            check_validity(cx, &certs[index], index, &at);
        }
    }
    if is_self_issued(leaf) {
        cx.push(
            Finding::new("cert-self-signed", "the leaf certificate is self-signed")
                .help("SignalWire calls the service over the public internet: use a certificate from a public CA")
                .setting("ssl_cert_path")
                .at(at.clone()),
        );
    }
    check_server_usage(cx, &certs, &at);
    for (i, c) in certs.iter().enumerate() {
        let which = describe_cert(c, i);
        check_key_strength(cx, c, &which, &at);
        if !is_trailing_root(&certs, i) {
            let oid = c.signature_algorithm.algorithm.to_id_string();
            if let Some((_, name)) = WEAK_SIGNATURES.iter().find(|(o, _)| *o == oid) {
                cx.push(
                    Finding::new(
                        "cert-weak-signature",
                        format!("{which} is signed with {name}"),
                    )
                    .help("re-issue it with SHA-256 or better")
                    .setting("ssl_cert_path")
                    .at(at.clone()),
                );
            }
        }
    }
    check_order(cx, &certs, &at);
    let ee = webpki::EndEntityCert::try_from(&chain[0]);
    check_hostnames(cx, leaf, ee.as_ref().ok(), names);
    match ee {
        Ok(ee) if judge_trust => check_trust(cx, &ee, chain, &certs, &at, first_finding),
        Ok(_) => {}
        // webpki cannot even read the leaf: every client built on it
        // refuses the certificate, --insecure or not.
        Err(e) => {
            push_webpki_error(cx, &e, chain, &certs, &at, first_finding);
            if judge_trust && !reaches_anchor(&certs, &anchors(cx)) {
                push_once(cx, first_finding, untrusted(NO_ANCHOR, &at));
            }
        }
    }
}

fn check_validity(cx: &mut CheckContext, c: &X509Certificate, index: usize, at: &Location) {
    let now = cx.options.at;
    let which = describe_cert(c, index);
    let not_before = c.validity().not_before.timestamp();
    let not_after = c.validity().not_after.timestamp();
    if now > not_after {
        cx.push(
            Finding::new(
                "cert-expired",
                format!(
                    "{which} expired on {} ({} days ago)",
                    date(not_after),
                    (now - not_after) / 86_400
                ),
            )
            .help(if index == 0 {
                "renew the certificate"
            } else {
                "serve the current intermediate of your CA (download the chain again)"
            })
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
    } else if now < not_before {
        cx.push(
            Finding::new(
                "cert-not-yet-valid",
                format!("{which} is not valid before {}", date(not_before)),
            )
            .help("check the clock where it was issued, or wait")
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
    } else if not_after - now < i64::from(cx.options.warn_days) * 86_400 {
        cx.push(
            Finding::new(
                "cert-expiring",
                format!(
                    "{which} expires on {}, in {} days",
                    date(not_after),
                    (not_after - now) / 86_400
                ),
            )
            .help(format!(
                "renew it: it is inside the {}-day warning window",
                cx.options.warn_days
            ))
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
    }
}

/// Whether a certificate's extended key usage, when present, lacks
/// serverAuth. rustls-webpki does not accept anyExtendedKeyUsage for it.
fn lacks_server_auth(c: &X509Certificate) -> bool {
    matches!(c.extended_key_usage(), Ok(Some(eku)) if !eku.value.server_auth)
}

fn check_server_usage(cx: &mut CheckContext, certs: &[X509Certificate], at: &Location) {
    let Some(leaf) = certs.first() else { return };
    if is_ca(leaf) {
        cx.push(
            Finding::new(
                "cert-not-for-server",
                format!(
                    "{} is a CA certificate (basicConstraints CA:TRUE)",
                    describe_cert(leaf, 0)
                ),
            )
            .help("use the server certificate issued by the CA, not the CA's own")
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
    }
    for (index, c) in certs.iter().enumerate() {
        if is_trailing_root(certs, index) || !lacks_server_auth(c) {
            continue;
        }
        let (message, help) = if index == 0 {
            (
                format!(
                    "the extended key usage of {} does not include serverAuth",
                    describe_cert(c, 0)
                ),
                "re-issue it with extendedKeyUsage = serverAuth",
            )
        } else {
            (
                format!(
                    "{} limits its extended key usage and serverAuth is not in it: clients refuse every server certificate below it",
                    describe_cert(c, index)
                ),
                "use an intermediate of your CA that allows serverAuth",
            )
        };
        cx.push(
            Finding::new("cert-not-for-server", message)
                .help(help)
                .setting("ssl_cert_path")
                .at(at.clone()),
        );
    }
}

fn check_key_strength(cx: &mut CheckContext, c: &X509Certificate, which: &str, at: &Location) {
    let Ok(pk) = c.public_key().parsed() else {
        return;
    };
    let weak = match &pk {
        PublicKey::RSA(rsa) if rsa.key_size() < 2048 => {
            Some(format!("RSA {} bits", rsa.key_size()))
        }
        PublicKey::EC(ec) if ec.key_size() < 256 => Some(format!("EC {} bits", ec.key_size())),
        PublicKey::DSA(_) => Some("DSA, which TLS clients no longer accept".to_string()),
        _ => None,
    };
    if let Some(what) = weak {
        cx.push(
            Finding::new("cert-weak-key", format!("{which} has a weak key: {what}"))
                .help("re-issue with RSA 2048+ or ECDSA P-256+")
                .setting("ssl_cert_path")
                .at(at.clone()),
        );
    }
}

/// Whether `issuer` issued `child`: the names link, and the signature
/// verifies, or cannot be checked because of its algorithm (a weak or
/// unsupported signature is cert-weak-signature, not an ordering problem).
fn issued_by(child: &X509Certificate, issuer: &X509Certificate) -> bool {
    child.issuer().as_raw() == issuer.subject().as_raw()
        && (child.signature_algorithm != child.tbs_certificate.signature
            || match child.verify_signature(Some(issuer.public_key())) {
                Ok(()) => true,
                Err(x509_parser::error::X509Error::SignatureVerificationError) => false,
                Err(_) => true,
            })
}

fn check_order(cx: &mut CheckContext, certs: &[X509Certificate], at: &Location) {
    if certs.len() > 1 && is_ca(&certs[0]) && certs[1..].iter().any(|c| !is_ca(c)) {
        cx.push(
            Finding::new(
                "cert-chain-order",
                "the first certificate is a CA but a later one is not: the leaf must come first",
            )
            .help("order the file leaf first, then each issuer")
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
        return;
    }
    for (i, pair) in certs.windows(2).enumerate() {
        if !issued_by(&pair[0], &pair[1]) {
            cx.push(
                Finding::new(
                    "cert-chain-order",
                    format!(
                        "{} is not issued by {} that follows it",
                        describe_cert(&pair[0], i),
                        describe_cert(&pair[1], i + 1)
                    ),
                )
                .help(
                    "order the file leaf first, then each issuer, and drop unrelated certificates",
                )
                .setting("ssl_cert_path")
                .at(at.clone()),
            );
            return;
        }
    }
}

/// RFC 6125 matching: case-insensitive, a wildcard covers exactly one
/// left-most label.
pub fn name_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(suffix) => host.split_once('.').is_some_and(|(label, rest)| {
            !label.is_empty() && rest == suffix && suffix.contains('.')
        }),
        None => pattern == host,
    }
}

/// The host part of an allowed_hosts item (the Host header may carry a port).
fn host_of(item: &str) -> &str {
    if let Some(rest) = item.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match item.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) && !h.contains(':') => h,
        _ => item,
    }
}

/// A name no public CA can put in a certificate: localhost, a private,
/// loopback or link-local address, or a single-label or internal name.
pub fn is_internal_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => {
            v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified()
        }
        Ok(std::net::IpAddr::V6(v6)) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
        Err(_) => {
            !host.contains('.')
                || [".localhost", ".local", ".internal", ".lan", ".home.arpa"]
                    .iter()
                    .any(|s| host.ends_with(s))
        }
    }
}

/// Above this many SANs, hosts are matched through sets rather than by
/// rustls-webpki, whose check walks every SAN for every host.
const WEBPKI_NAMES_MAX: usize = 64;

fn check_hostnames(
    cx: &mut CheckContext,
    leaf: &X509Certificate,
    ee: Option<&webpki::EndEntityCert>,
    wanted: Vec<WantedName>,
) {
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    if let Ok(Some(san)) = leaf.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => dns.push(d.to_string()),
                GeneralName::IPAddress(bytes) => ips.push(bytes.to_vec()),
                _ => {}
            }
        }
    }
    // Names as sets: SANs x hosts pairs made 10k x 10k take 19 s.
    let exact: std::collections::HashSet<String> = dns
        .iter()
        .filter(|p| !p.starts_with("*."))
        .map(|p| p.trim_end_matches('.').to_ascii_lowercase())
        .collect();
    // `*.example.com` covers one label before `example.com` (as name_matches).
    let wildcards: std::collections::HashSet<String> = dns
        .iter()
        .filter_map(|p| {
            p.trim_end_matches('.')
                .to_ascii_lowercase()
                .strip_prefix("*.")
                .map(str::to_string)
        })
        .filter(|suffix| suffix.contains('.'))
        .collect();
    let addresses: std::collections::HashSet<&[u8]> = ips.iter().map(Vec::as_slice).collect();
    // The list a finding quotes, made once and bounded.
    const LISTED_MAX: usize = 20;
    let names: Vec<String> = dns
        .iter()
        .cloned()
        .chain(ips.iter().filter_map(|ip| ip_text(ip)))
        .collect();
    let listed = match names.len() {
        0 => "no DNS names or addresses".to_string(),
        n if n <= LISTED_MAX => names.join(", "),
        n => format!(
            "{} and {} more",
            names[..LISTED_MAX].join(", "),
            n - LISTED_MAX
        ),
    };
    let mut seen = std::collections::HashSet::new();
    for name in wanted {
        let host = name.host;
        if !seen.insert(host.to_ascii_lowercase()) {
            continue;
        }
        let ours = match host.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(v4)) => addresses.contains(v4.octets().as_slice()),
            Ok(std::net::IpAddr::V6(v6)) => addresses.contains(v6.octets().as_slice()),
            Err(_) => {
                let host = host.trim_end_matches('.').to_ascii_lowercase();
                exact.contains(&host)
                    || host
                        .split_once('.')
                        .is_some_and(|(label, rest)| !label.is_empty() && wildcards.contains(rest))
            }
        };
        // rustls-webpki is the judge when it can read the leaf and the name,
        // and the leaf lists few enough names that asking it once per host
        // stays linear; beyond that the same RFC 6125 rules above judge.
        let covered = match (ee, rustls_pki_types::ServerName::try_from(host.as_str())) {
            (Some(ee), Ok(server_name)) if dns.len() + ips.len() <= WEBPKI_NAMES_MAX => {
                ee.verify_is_valid_for_subject_name(&server_name).is_ok()
            }
            _ => ours,
        };
        if covered {
            continue;
        }
        let internal = name.origin == "allowed_hosts" && is_internal_name(&host);
        let mut f = if internal {
            Finding::new(
                "cert-hostname-internal",
                format!("the certificate does not cover {host:?} (from allowed_hosts), an internal name no public CA can certify; it lists {listed}"),
            )
            .help("nothing to re-issue: clients that use this name (health checks, a local proxy) must connect over plain HTTP on a private port or skip name verification; SignalWire uses the public name")
        } else {
            Finding::new(
                "cert-hostname-mismatch",
                format!("the certificate does not cover {host:?} (from {}); it lists {listed}", name.origin),
            )
            .help("re-issue the certificate with this name in its subjectAltName (a wildcard covers one label)")
        }
        .at(name.location);
        if let Some(setting) = name.setting {
            f = f.setting(setting);
        }
        cx.push(f);
    }
}

fn ip_text(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes)
            .ok()
            .map(|b| std::net::Ipv4Addr::from(b).to_string()),
        16 => <[u8; 16]>::try_from(bytes)
            .ok()
            .map(|b| std::net::Ipv6Addr::from(b).to_string()),
        _ => None,
    }
}

/// The trust anchors: the public web roots and the --ca-file certificates.
fn anchors(cx: &CheckContext) -> Vec<rustls_pki_types::TrustAnchor<'static>> {
    let mut anchors: Vec<rustls_pki_types::TrustAnchor> = webpki_roots::TLS_SERVER_ROOTS.to_vec();
    for der in &cx.options.ca_anchors {
        if let Ok(a) = webpki::anchor_from_trusted_cert(der) {
            anchors.push(a.to_owned());
        }
    }
    anchors
}

fn check_trust(
    cx: &mut CheckContext,
    ee: &webpki::EndEntityCert,
    chain: &[CertificateDer<'static>],
    certs: &[X509Certificate],
    at: &Location,
    first_finding: usize,
) {
    let anchors = anchors(cx);
    let algs = rustls::crypto::ring::default_provider()
        .signature_verification_algorithms
        .all;
    let time = UnixTime::since_unix_epoch(Duration::from_secs(cx.options.at.max(0) as u64));
    let result = ee.verify_for_usage(
        algs,
        &anchors,
        &chain[1..],
        time,
        webpki::KeyUsage::server_auth(),
        None,
        None,
    );
    let Err(error) = result else { return };
    push_webpki_error(cx, &error, chain, certs, at, first_finding);
    // webpki reports one error per chain: when it is not about the anchor,
    // say separately whether the chain reaches one at all.
    let about_anchor = matches!(error, webpki::Error::UnknownIssuer);
    if !about_anchor && !reaches_anchor(certs, &anchors) {
        push_once(cx, first_finding, untrusted(NO_ANCHOR, at));
    }
}

const NO_ANCHOR: &str =
    "no certificate in the file is issued by a public web root or a --ca-file anchor";

fn untrusted(reason: &str, at: &Location) -> Finding {
    Finding::new(
        "cert-untrusted",
        format!("clients refuse the chain: {reason}"),
    )
    .help("serve the full chain of a public CA; for a private CA that is intended, pass it with --ca-file")
    .setting("ssl_cert_path")
    .at(at.clone())
}

/// Pushes `finding` unless this chain already has a finding of its rule.
fn push_once(cx: &mut CheckContext, first_finding: usize, finding: Finding) {
    let already = cx.findings[first_finding.min(cx.findings.len())..]
        .iter()
        .any(|f| f.rule == finding.rule);
    if !already {
        cx.push(finding);
    }
}

/// Whether a certificate on the leaf's issuer links is an anchor or is
/// signed by one (names and signature; validity and usage are judged
/// elsewhere). Only that path, as a client builds it: every certificate of
/// the file against every anchor made 1000 x 1000 signature checks.
fn reaches_anchor(certs: &[X509Certificate], anchors: &[rustls_pki_types::TrustAnchor]) -> bool {
    let mut by_subject: std::collections::HashMap<&[u8], Vec<usize>> = Default::default();
    for (i, c) in certs.iter().enumerate().skip(1) {
        by_subject.entry(c.subject().as_raw()).or_default().push(i);
    }
    let mut on_path = vec![false; certs.len()];
    let mut queue = vec![0];
    if let Some(first) = on_path.first_mut() {
        *first = true;
    }
    while let Some(i) = queue.pop() {
        for &j in by_subject
            .get(certs[i].issuer().as_raw())
            .into_iter()
            .flatten()
        {
            if !on_path[j] {
                on_path[j] = true;
                queue.push(j);
            }
        }
    }
    certs
        .iter()
        .zip(&on_path)
        .filter(|(_, on)| **on)
        .any(|(c, _)| {
            let issuer = name_contents(c.issuer().as_raw());
            let own_spki = spki_contents(c.public_key().raw);
            anchors.iter().any(|a| {
                if own_spki == Some(a.subject_public_key_info.as_ref())
                    && name_contents(c.subject().as_raw()) == Some(a.subject.as_ref())
                {
                    return true;
                }
                if issuer != Some(a.subject.as_ref()) {
                    return false;
                }
                let spki = der_sequence(a.subject_public_key_info.as_ref());
                match x509_parser::x509::SubjectPublicKeyInfo::from_der(&spki) {
                    Ok((_, spki)) => !matches!(
                        c.verify_signature(Some(&spki)),
                        Err(x509_parser::error::X509Error::SignatureVerificationError)
                    ),
                    Err(_) => false,
                }
            })
        })
}

/// The contents of a DER SEQUENCE (a Name or SubjectPublicKeyInfo), which is
/// how rustls-pki-types stores a trust anchor's fields.
fn name_contents(der: &[u8]) -> Option<&[u8]> {
    spki_contents(der)
}

fn spki_contents(der: &[u8]) -> Option<&[u8]> {
    let (&tag, rest) = der.split_first()?;
    if tag != 0x30 {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    if first < 0x80 {
        return rest.get(..usize::from(first));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return None;
    }
    let (len_bytes, rest) = (rest.get(..count)?, rest.get(count..)?);
    let len = len_bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    rest.get(..len)
}

fn der_sequence(contents: &[u8]) -> Vec<u8> {
    let mut out = vec![0x30];
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(contents);
    out
}

/// The certificate of the file whose validity ends (or starts) at `t`.
fn cert_with_time(certs: &[X509Certificate], t: u64, end: bool) -> Option<String> {
    certs.iter().enumerate().find_map(|(i, c)| {
        let v = if end {
            c.validity().not_after.timestamp()
        } else {
            c.validity().not_before.timestamp()
        };
        (u64::try_from(v).ok() == Some(t)).then(|| describe_cert(c, i))
    })
}

/// The name of a signature algorithm from the DER of its OID.
fn algorithm_name(oid_der: &[u8]) -> String {
    let oid = x509_parser::der_parser::oid::Oid::new(std::borrow::Cow::Borrowed(oid_der));
    let id = oid.to_id_string();
    match WEAK_SIGNATURES.iter().find(|(o, _)| *o == id) {
        Some((_, name)) => name.to_string(),
        None => match id.as_str() {
            "1.2.840.10040.4.3" | "2.16.840.1.101.3.4.3.2" => "DSA".to_string(),
            _ => format!("the algorithm {id}"),
        },
    }
}

/// Turns an identifier such as `CertExpired` into `cert expired`.
fn plain_words(debug: &str) -> String {
    let ident: String = debug
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let mut out = String::new();
    for (i, c) in ident.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Which certificate of the file a webpki error is about, in words.
fn culprit(error: &webpki::Error, chain: &[CertificateDer], certs: &[X509Certificate]) -> String {
    use webpki::Error as E;
    let found = match error {
        // Errors in reading a certificate: read each one alone.
        E::UnsupportedCriticalExtension
        | E::ExtensionValueInvalid
        | E::MalformedExtensions
        | E::BadDer
        | E::TrailingData(_)
        | E::BadDerTime
        | E::InvalidCertValidity
        | E::UnsupportedCertVersion
        | E::InvalidSerialNumber
        | E::SignatureAlgorithmMismatch
        | E::MalformedDnsIdentifier
        | E::MalformedNameConstraint
        | E::InvalidNetworkMaskConstraint
        | E::UnsupportedNameType
        | E::EmptyEkuExtension => {
            let fails = |der: &CertificateDer| webpki::EndEntityCert::try_from(der).err();
            chain
                .iter()
                .position(|der| fails(der).as_ref() == Some(error))
                .or_else(|| chain.iter().position(|der| fails(der).is_some()))
                .or_else(|| {
                    matches!(error, E::SignatureAlgorithmMismatch).then(|| {
                        certs
                            .iter()
                            .position(|c| c.signature_algorithm != c.tbs_certificate.signature)
                    })?
                })
        }
        E::EndEntityUsedAsCa => (1..certs.len()).find(|&i| !is_ca(&certs[i])),
        E::RequiredEkuNotFoundContext(_) => {
            (0..certs.len()).find(|&i| lacks_server_auth(&certs[i]))
        }
        E::UnsupportedSignatureAlgorithmContext(c) => (0..certs.len()).find(|&i| {
            c.signature_algorithm_id
                .ends_with(certs[i].signature_algorithm.algorithm.as_bytes())
        }),
        _ => None,
    };
    found.map_or_else(
        || "a certificate of the chain".to_string(),
        |i| describe_cert(&certs[i], i),
    )
}

/// One webpki verdict as a finding in plain words; never dropped.
fn push_webpki_error(
    cx: &mut CheckContext,
    error: &webpki::Error,
    chain: &[CertificateDer],
    certs: &[X509Certificate],
    at: &Location,
    first_finding: usize,
) {
    use webpki::Error as E;
    let date_of = |t: &UnixTime| date(t.as_secs() as i64);
    let which_end = |t: &UnixTime| {
        cert_with_time(certs, t.as_secs(), true)
            .unwrap_or_else(|| "a certificate of the chain".into())
    };
    let which_start = |t: &UnixTime| {
        cert_with_time(certs, t.as_secs(), false)
            .unwrap_or_else(|| "a certificate of the chain".into())
    };
    let who = culprit(error, chain, certs);
    let invalid = |what: &str| {
        Finding::new("cert-invalid", format!("clients refuse the chain: {what}"))
            .help("re-issue the certificate with a standard profile (your CA's defaults)")
            .setting("ssl_cert_path")
            .at(at.clone())
    };
    #[allow(deprecated)]
    let finding = match error {
        E::CertExpired { not_after, .. } => Finding::new(
            "cert-expired",
            format!("{} expired on {}", which_end(not_after), date_of(not_after)),
        )
        .help("renew it, or serve the current chain of your CA")
        .setting("ssl_cert_path")
        .at(at.clone()),
        E::CertNotValidYet { not_before, .. } => Finding::new(
            "cert-not-yet-valid",
            format!(
                "{} is not valid before {}",
                which_start(not_before),
                date_of(not_before)
            ),
        )
        .help("check the clock where it was issued, or wait")
        .setting("ssl_cert_path")
        .at(at.clone()),
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => {
            Finding::new(
                "cert-not-for-server",
                format!("{who} limits its extended key usage and serverAuth is not in it"),
            )
            .help("re-issue it with extendedKeyUsage = serverAuth")
            .setting("ssl_cert_path")
            .at(at.clone())
        }
        E::CaUsedAsEndEntity => Finding::new(
            "cert-not-for-server",
            "the leaf certificate is a CA certificate (basicConstraints CA:TRUE)",
        )
        .help("use the server certificate issued by the CA, not the CA's own")
        .setting("ssl_cert_path")
        .at(at.clone()),
        E::UnsupportedSignatureAlgorithmContext(c)
        | E::UnsupportedCrlSignatureAlgorithmContext(c) => Finding::new(
            "cert-weak-signature",
            format!(
                "{who} is signed with {}, which clients no longer accept",
                algorithm_name(&c.signature_algorithm_id)
            ),
        )
        .help("re-issue it with SHA-256 or better")
        .setting("ssl_cert_path")
        .at(at.clone()),
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedCrlSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedCrlSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
        | E::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_) => Finding::new(
            "cert-weak-signature",
            "a certificate of the chain is signed with an algorithm clients do not accept for its issuer's key",
        )
        .help("re-issue it with SHA-256 or better (RSA or ECDSA P-256/P-384)")
        .setting("ssl_cert_path")
        .at(at.clone()),
        E::SignatureAlgorithmMismatch => invalid(&format!(
            "the signature algorithm of {who} differs from the one in its signed part (RFC 5280 4.1.1.2)"
        )),
        E::UnsupportedCriticalExtension => invalid(&format!(
            "{who} has a critical extension that clients do not know"
        )),
        E::ExtensionValueInvalid | E::MalformedExtensions => invalid(&format!(
            "{who} has a malformed extension (such as authorityInfoAccess)"
        )),
        E::BadDer | E::TrailingData(_) => invalid(&format!("{who} is not valid DER")),
        E::BadDerTime | E::InvalidCertValidity => invalid(&format!(
            "the validity dates of {who} are malformed or out of order"
        )),
        E::UnsupportedCertVersion => invalid(&format!("{who} is not X.509 version 3")),
        E::InvalidSerialNumber => invalid(&format!("the serial number of {who} is invalid")),
        E::MalformedDnsIdentifier => invalid(&format!("{who} holds a malformed DNS name")),
        E::MalformedNameConstraint | E::InvalidNetworkMaskConstraint => {
            invalid(&format!("the name constraints of {who} are malformed"))
        }
        E::UnsupportedNameType => invalid(&format!(
            "{who} holds a name of a type clients cannot check"
        )),
        E::UnknownIssuer => untrusted(
            "it does not lead to a public web root or a --ca-file anchor",
            at,
        ),
        E::InvalidSignatureForPublicKey => untrusted(
            "a signature in the chain does not verify with its issuer's key",
            at,
        ),
        E::EndEntityUsedAsCa => untrusted(
            &format!("{who} is not a CA (basicConstraints) but issues another certificate"),
            at,
        ),
        E::PathLenConstraintViolated => untrusted(
            "the path is longer than an issuer's basicConstraints pathLen allows",
            at,
        ),
        E::NameConstraintViolation => untrusted(
            "the leaf's names are outside an issuer's name constraints",
            at,
        ),
        E::MaximumPathDepthExceeded
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumSignatureChecksExceeded
        | E::MaximumNameConstraintComparisonsExceeded => untrusted(
            "the chain is too long or complex for clients to check",
            at,
        ),
        E::CertDistrusted => untrusted("a certificate of the chain is distrusted", at),
        E::CertRevoked => untrusted("a certificate of the chain is revoked", at),
        E::CertNotValidForName(_) => Finding::new(
            "cert-hostname-mismatch",
            "the certificate does not cover the expected name",
        )
        .help("re-issue the certificate with this name in its subjectAltName")
        .setting("ssl_cert_path")
        .at(at.clone()),
        E::CrlExpired { .. }
        | E::InvalidCrlNumber
        | E::InvalidCrlSignatureForPublicKey
        | E::IssuerNotCrlSigner
        | E::UnknownRevocationStatus
        | E::UnsupportedCrlIssuingDistributionPoint
        | E::UnsupportedCrlVersion
        | E::UnsupportedDeltaCrl
        | E::UnsupportedIndirectCrl
        | E::UnsupportedRevocationReason
        | E::UnsupportedRevocationReasonsPartitioning => untrusted(
            &format!("revocation cannot be checked ({})", plain_words(&error.to_string())),
            at,
        ),
        // A variant added after this list was written: still reported, in
        // the words of its name.
        other => untrusted(
            &format!("rustls-webpki rejects it ({})", plain_words(&other.to_string())),
            at,
        ),
    };
    push_once(cx, first_finding, finding);
}

/// A parsed private key, or why it could not be used.
pub struct KeyInfo {
    der: PrivateKeyDer<'static>,
}

fn parse_key(cx: &mut CheckContext, path: &str, bytes: &[u8]) -> Option<KeyInfo> {
    if contains(bytes, b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        || contains(bytes, b"Proc-Type: 4,ENCRYPTED")
    {
        cx.push(
            Finding::new("key-encrypted", format!("{path} is passphrase-protected; the SDK passes no passphrase"))
                .help("store it decrypted with strict permissions: openssl pkey -in enc.key -out agent.key")
                .setting("ssl_key_path")
                .at(file_location(path)),
        );
        return None;
    }
    match PrivateKeyDer::from_pem_slice(bytes) {
        Ok(der) => Some(KeyInfo { der }),
        Err(_) => {
            let what = if bytes.is_empty() {
                "the file is empty"
            } else if contains(bytes, b"-----BEGIN CERTIFICATE-----") {
                "it holds a certificate, not a private key"
            } else if bytes.first() == Some(&0x30) {
                "it looks like DER; uvicorn needs PEM"
            } else {
                "no PEM private key block (PKCS#1, PKCS#8 or SEC1)"
            };
            cx.push(
                Finding::new(
                    "key-invalid",
                    format!("{path} holds no usable private key: {what}"),
                )
                .help("point ssl_key_path at the PEM private key of the certificate")
                .setting("ssl_key_path")
                .at(file_location(path)),
            );
            None
        }
    }
}

/// The key file's mode, and its directory's: a key that group or others can
/// read, or that anyone can replace because its directory is writable by
/// others without the sticky bit. `bundled` says why a certificate file is
/// judged as a key.
fn check_key_permissions(
    cx: &mut CheckContext,
    path: &str,
    setting: &'static str,
    bundled: Option<&str>,
) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let what = bundled.map_or(String::new(), |b| format!(" ({b})"));
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                cx.push(
                    Finding::new(
                        "key-permissions",
                        format!(
                            "{path}{what} has mode {mode:04o}: group or others can access the private key"
                        ),
                    )
                    .help(if bundled.is_some() {
                        format!("keep the key in its own file, or chmod 600 {path}")
                    } else {
                        format!("chmod 600 {path}")
                    })
                    .setting(setting)
                    .at(file_location(path)),
                );
            }
        }
        let path_ref = std::path::Path::new(path);
        let dir = match path_ref.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        if let Ok(meta) = std::fs::metadata(&dir) {
            let mode = meta.permissions().mode() & 0o7777;
            let others_write = mode & 0o002 != 0;
            let sticky = mode & 0o1000 != 0;
            if others_write && !sticky {
                let dir_text = dir.display();
                cx.push(
                    Finding::new(
                        "key-permissions",
                        format!(
                            "{path}{what} is in {dir_text}, which has mode {mode:04o}: anyone can replace or remove the private key"
                        ),
                    )
                    .help(format!(
                        "chmod o-w {dir_text}, or move the key to a directory only the service's user can write"
                    ))
                    .setting(setting)
                    .at(file_location(path)),
                );
            }
        }
    }
}

fn check_key_match(
    cx: &mut CheckContext,
    cert_path: &str,
    key_path: &str,
    leaf: &CertificateDer,
    key: &KeyInfo,
) {
    let Some(cert) = parsed(leaf) else { return };
    let cert_spki = cert.public_key().raw;
    let matches = match rustls::crypto::ring::sign::any_supported_type(&key.der) {
        Ok(signing) => signing.public_key().map(|spki| spki.as_ref() == cert_spki),
        // ring refuses RSA keys below 2048 bits: compare the moduli directly.
        Err(_) => rsa_modulus_of_key(&key.der).map(|n| match cert.public_key().parsed() {
            Ok(PublicKey::RSA(rsa)) => strip_zeros(rsa.modulus) == strip_zeros(&n),
            _ => false,
        }),
    };
    match matches {
        Some(true) => {}
        Some(false) => cx.push(
            Finding::new(
                "key-mismatch",
                format!("{key_path} is not the private key of the certificate in {cert_path}"),
            )
            .help("use the key the certificate was issued for")
            .setting("ssl_key_path")
            .at(file_location(key_path)),
        ),
        None => cx.push(
            Finding::new(
                "key-invalid",
                format!("{key_path}: the key type is not supported for TLS"),
            )
            .setting("ssl_key_path")
            .at(file_location(key_path)),
        ),
    }
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    &b[start..]
}

/// The modulus of an RSA private key (PKCS#1, or PKCS#1 inside PKCS#8).
fn rsa_modulus_of_key(key: &PrivateKeyDer) -> Option<Vec<u8>> {
    use x509_parser::der_parser::ber::BerObjectContent;
    use x509_parser::der_parser::der::parse_der;
    let pkcs1: Vec<u8> = match key {
        PrivateKeyDer::Pkcs1(k) => k.secret_pkcs1_der().to_vec(),
        PrivateKeyDer::Pkcs8(k) => {
            let (_, obj) = parse_der(k.secret_pkcs8_der()).ok()?;
            let seq = obj.as_sequence().ok()?;
            match &seq.get(2)?.content {
                BerObjectContent::OctetString(inner) => inner.to_vec(),
                _ => return None,
            }
        }
        _ => return None,
    };
    let (_, obj) = parse_der(&pkcs1).ok()?;
    let seq = obj.as_sequence().ok()?;
    match &seq.get(1)?.content {
        BerObjectContent::Integer(n) => Some(n.to_vec()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{name_matches, plain_words, push_webpki_error};
    use crate::checks::{CheckContext, CheckOptions};
    use crate::finding::Location;

    #[test]
    fn unknown_webpki_errors_are_put_in_words() {
        assert_eq!(plain_words("CertExpired { time: 1 }"), "cert expired");
        assert_eq!(plain_words("UnknownIssuer"), "unknown issuer");
    }

    /// Every variant becomes a finding in plain words: no Rust names, no
    /// braces, never nothing.
    #[test]
    #[allow(deprecated)]
    fn every_webpki_error_becomes_a_plain_finding() {
        use webpki::Error as E;
        let env = crate::input::EnvView::from_pairs(Vec::<(String, String)>::new());
        let res = crate::resolve::resolve_with_config_bytes(&env, "config.json", b"{}");
        let options = CheckOptions::at_time(0);
        let t = rustls_pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(1));
        let errors = vec![
            E::BadDer,
            E::BadDerTime,
            E::CaUsedAsEndEntity,
            E::CertDistrusted,
            E::CertExpired {
                time: t,
                not_after: t,
            },
            E::CertNotValidYet {
                time: t,
                not_before: t,
            },
            E::CertRevoked,
            E::CrlExpired {
                time: t,
                next_update: t,
            },
            E::EmptyEkuExtension,
            E::EndEntityUsedAsCa,
            E::ExtensionValueInvalid,
            E::InvalidCertValidity,
            E::InvalidCrlNumber,
            E::InvalidNetworkMaskConstraint,
            E::InvalidSerialNumber,
            E::InvalidCrlSignatureForPublicKey,
            E::InvalidSignatureForPublicKey,
            E::IssuerNotCrlSigner,
            E::MalformedDnsIdentifier,
            E::MalformedExtensions,
            E::MalformedNameConstraint,
            E::MaximumNameConstraintComparisonsExceeded,
            E::MaximumPathBuildCallsExceeded,
            E::MaximumPathDepthExceeded,
            E::MaximumSignatureChecksExceeded,
            E::NameConstraintViolation,
            E::PathLenConstraintViolated,
            E::RequiredEkuNotFound,
            E::SignatureAlgorithmMismatch,
            E::UnknownIssuer,
            E::UnknownRevocationStatus,
            E::UnsupportedCertVersion,
            E::UnsupportedCriticalExtension,
            E::UnsupportedCrlIssuingDistributionPoint,
            E::UnsupportedCrlVersion,
            E::UnsupportedDeltaCrl,
            E::UnsupportedIndirectCrl,
            E::UnsupportedNameType,
            E::UnsupportedRevocationReason,
            E::UnsupportedRevocationReasonsPartitioning,
            E::UnsupportedCrlSignatureAlgorithm,
            E::UnsupportedSignatureAlgorithm,
            E::UnsupportedCrlSignatureAlgorithmForPublicKey,
            E::UnsupportedSignatureAlgorithmForPublicKey,
        ];
        for error in errors {
            let mut cx = CheckContext::new(&res, &options);
            push_webpki_error(&mut cx, &error, &[], &[], &Location::Default, 0);
            let findings = cx.into_findings();
            assert_eq!(findings.len(), 1, "{error:?}");
            let message = &findings[0].message;
            let camel = message
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| {
                    w.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                        && w.chars().skip(1).any(|c| c.is_ascii_uppercase())
                        && w.chars().any(|c| c.is_ascii_lowercase())
                });
            assert!(!camel && !message.contains('{'), "{error:?}: {message}");
        }
    }

    #[test]
    fn wildcards_cover_exactly_one_label() {
        assert!(name_matches("*.example.com", "a.example.com"));
        assert!(name_matches("*.Example.com", "A.example.COM"));
        assert!(!name_matches("*.example.com", "example.com"));
        assert!(!name_matches("*.example.com", "a.b.example.com"));
        assert!(!name_matches("*.com", "example.com"));
        assert!(name_matches("agent.example.com", "agent.example.com."));
    }
}
