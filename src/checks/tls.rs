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
        check_key_permissions(cx, &key_path);
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
        if !h.is_empty() && !h.contains('*') && !h.contains('/') {
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

fn check_chain_at(
    cx: &mut CheckContext,
    at: &Location,
    chain: &[CertificateDer<'static>],
    names: Vec<WantedName>,
    judge_trust: bool,
) {
    let certs: Vec<X509Certificate> = chain.iter().filter_map(parsed).collect();
    let Some(leaf) = certs.first() else { return };
    let at = at.clone();
    let now = cx.options.at;
    let not_before = leaf.validity().not_before.timestamp();
    let not_after = leaf.validity().not_after.timestamp();
    if now > not_after {
        cx.push(
            Finding::new(
                "cert-expired",
                format!(
                    "the certificate expired on {} ({} days ago)",
                    date(not_after),
                    (now - not_after) / 86_400
                ),
            )
            .help("renew the certificate")
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
    } else if now < not_before {
        cx.push(
            Finding::new(
                "cert-not-yet-valid",
                format!("the certificate is not valid before {}", date(not_before)),
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
                    "the certificate expires on {}, in {} days",
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
    if is_self_issued(leaf) {
        cx.push(
            Finding::new("cert-self-signed", "the leaf certificate is self-signed")
                .help("SignalWire calls the service over the public internet: use a certificate from a public CA")
                .setting("ssl_cert_path")
                .at(at.clone()),
        );
    }
    check_server_usage(cx, leaf, &at);
    for (i, c) in certs.iter().enumerate() {
        let which = if i == 0 {
            "the leaf certificate".to_string()
        } else {
            format!("certificate #{} of the chain", i + 1)
        };
        check_key_strength(cx, c, &which, &at);
        let is_last_root = i > 0 && i + 1 == certs.len() && is_self_issued(c);
        if !is_last_root {
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
    check_hostnames(cx, leaf, names);
    if judge_trust {
        check_trust(cx, chain, &at);
    }
}

fn check_server_usage(cx: &mut CheckContext, leaf: &X509Certificate, at: &Location) {
    if is_ca(leaf) {
        cx.push(
            Finding::new(
                "cert-not-for-server",
                "the leaf certificate is a CA certificate (basicConstraints CA:TRUE)",
            )
            .help("use the server certificate issued by the CA, not the CA's own")
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
    } else if let Ok(Some(eku)) = leaf.extended_key_usage()
        && !eku.value.server_auth
        && !eku.value.any
    {
        cx.push(
            Finding::new(
                "cert-not-for-server",
                "the certificate's extended key usage does not include serverAuth",
            )
            .help("re-issue it with extendedKeyUsage = serverAuth")
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
        let (child, issuer) = (&pair[0], &pair[1]);
        let links = child.issuer().as_raw() == issuer.subject().as_raw()
            && child.verify_signature(Some(issuer.public_key())).is_ok();
        if !links {
            cx.push(
                Finding::new(
                    "cert-chain-order",
                    format!(
                        "certificate #{} is not issued by certificate #{} that follows it",
                        i + 1,
                        i + 2
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

fn check_hostnames(cx: &mut CheckContext, leaf: &X509Certificate, wanted: Vec<WantedName>) {
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
    let mut seen = std::collections::HashSet::new();
    for name in wanted {
        let host = name.host;
        if !seen.insert(host.to_ascii_lowercase()) {
            continue;
        }
        let covered = match host.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(v4)) => ips.iter().any(|ip| ip.as_slice() == v4.octets()),
            Ok(std::net::IpAddr::V6(v6)) => ips.iter().any(|ip| ip.as_slice() == v6.octets()),
            Err(_) => dns.iter().any(|p| name_matches(p, &host)),
        };
        if !covered {
            let listed = if dns.is_empty() {
                "no DNS names".to_string()
            } else {
                dns.join(", ")
            };
            let mut f = Finding::new(
                "cert-hostname-mismatch",
                format!("the certificate does not cover {host:?} (from {}); it lists {listed}", name.origin),
            )
            .help("re-issue the certificate with this name in its subjectAltName (a wildcard covers one label)")
            .at(name.location);
            if let Some(setting) = name.setting {
                f = f.setting(setting);
            }
            cx.push(f);
        }
    }
}

fn check_trust(cx: &mut CheckContext, chain: &[CertificateDer<'static>], at: &Location) {
    let Ok(ee) = webpki::EndEntityCert::try_from(&chain[0]) else {
        return;
    };
    let mut anchors: Vec<rustls_pki_types::TrustAnchor> = webpki_roots::TLS_SERVER_ROOTS.to_vec();
    for der in &cx.options.ca_anchors {
        if let Ok(a) = webpki::anchor_from_trusted_cert(der) {
            anchors.push(a.to_owned());
        }
    }
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
    match result {
        Ok(_) => {}
        // Expiry and usage have their own rules; only the path matters here.
        Err(webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. } | webpki::Error::RequiredEkuNotFoundContext(_)) => {}
        Err(e) => cx.push(
            Finding::new("cert-untrusted", format!("the chain does not lead to a public web root or a --ca-file anchor ({e:?})"))
                .help("serve the full chain of a public CA; for a private CA that is intended, pass it with --ca-file")
                .setting("ssl_cert_path")
                .at(at.clone()),
        ),
    }
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

fn check_key_permissions(cx: &mut CheckContext, path: &str) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                cx.push(
                    Finding::new(
                        "key-permissions",
                        format!(
                            "{path} has mode {mode:04o}: group or others can access the private key"
                        ),
                    )
                    .help(format!("chmod 600 {path}"))
                    .setting("ssl_key_path")
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
    use super::name_matches;

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
