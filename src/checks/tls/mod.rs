//! HTTPS: the switch, the paths, the certificate chain and the key.

use crate::checks::CheckContext;
use crate::finding::Finding;
use crate::model::SettingId;
use crate::resolve::source_location;

use files::{contains, parse_chain, read_tls_file};
use keys::{check_key_match, check_key_permissions, parse_key};
use path::check_chain;

mod clients;
mod files;
mod keys;
mod names;
mod path;
mod service;
mod usage;
mod webpki_errors;

pub use keys::KeyInfo;
pub use names::{WantedName, is_internal_name, name_matches};
pub use path::check_served_chain;

const VERIFY_MODES: [&str; 3] = ["CERT_REQUIRED", "CERT_OPTIONAL", "CERT_NONE"];

/// The rules that run when HTTPS is off.
pub const TLS_OFF_RULES: [&str; 4] = [
    "tls-disabled",
    "tls-config-ignored",
    "tls-hosted",
    "verify-mode-unused",
];

/// The rules a certificate chain is judged by (`check_chain_at`), also on a
/// served chain in `probe`.
pub const CHAIN_RULES: [&str; 14] = [
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
    "cert-unneeded",
    "cert-key-usage",
];

/// What a finding adds when Python's ssl refuses the material as it loads
/// it (`codes`: OpenSSL's reasons), so that the service does not start.
fn refused_when_loaded(codes: &str) -> String {
    format!(
        "; Python's ssl on OpenSSL 3 (security level 2, the default of Debian and Ubuntu images) refuses it in load_cert_chain ({codes}): the service will not start"
    )
}

pub fn check(cx: &mut CheckContext) {
    let s = cx.tls_settings();
    let enabled = s.get(SettingId::SslEnabled);
    check_verify_mode(cx);
    if cx.service().tls_source == crate::service::TlsSource::Host {
        // The class loads no certificate: the server that runs the app does.
        cx.push(service::tls_hosted(cx, &enabled.source));
        return;
    }
    let ignored = service::check_config_ignored(cx);
    if !enabled.value.as_bool() {
        if !ignored {
            cx.push(service::tls_disabled(cx, &enabled.source));
        }
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
        s.get(SettingId::SslCertPath),
        source_location(&cert_setting),
    );
    let key_bytes = read_tls_file(
        cx,
        &key_path,
        "key",
        s.get(SettingId::SslKeyPath),
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
        // The key belongs to a later certificate: the leaf is not first.
        let leaf_at = key
            .as_ref()
            .filter(|key| keys::key_matches(&chain[0], key) == Some(Some(false)))
            .and_then(|key| {
                (1..chain.len()).find(|&i| keys::key_matches(&chain[i], key) == Some(Some(true)))
            });
        match leaf_at {
            Some(i) => path::check_leaf_not_first(cx, cert_path, chain, i),
            None => {
                check_chain(cx, cert_path, chain);
                if let Some(key) = &key {
                    check_key_match(cx, cert_path, key_path, &chain[0], key);
                }
            }
        }
    }
}

/// ssl_verify_mode is read by SecurityConfig and passed to no server: a
/// value other than the default changes nothing, whatever it says.
fn check_verify_mode(cx: &mut CheckContext) {
    if cx.service().verify_mode_used {
        return;
    }
    let mode = cx.res.settings.get(SettingId::SslVerifyMode);
    if matches!(mode.source, crate::model::Source::Default) {
        return;
    }
    let text = mode.value.as_str().unwrap_or("");
    let hint = if text == "CERT_NONE" {
        ": it does not turn certificate verification off"
    } else if !VERIFY_MODES.contains(&text) {
        ": a misspelt mode is harmless"
    } else {
        ""
    };
    cx.push(
        Finding::new(
            "verify-mode-unused",
            format!(
                "ssl_verify_mode is {text:?}, but {} never passes it to the server{hint}; uvicorn requests no client certificates",
                cx.service().class.name()
            ),
        )
        .help("remove the setting: it has no effect (authenticate clients with Basic auth, or with mTLS at the proxy)")
        .setting("ssl_verify_mode")
        .at(source_location(&mode.source)),
    );
}

fn path_of(cx: &mut CheckContext, id: SettingId) -> Option<String> {
    let setting = cx.tls_settings().get(id);
    // A key pasted here is typed secret: read_tls_file never shows it.
    match setting.value.expose_str() {
        Some(p) if !p.is_empty() => Some(p.to_string()),
        _ => {
            let var = id.env_var();
            cx.push(
                Finding::new(
                    "tls-path-missing",
                    format!(
                        "HTTPS is on but {} is unset or empty: {}",
                        id.name(),
                        service::path_unset_consequence(cx.service())
                    ),
                )
                .help(format!("set {var}"))
                .setting(id.name())
                .at(source_location(&setting.source)),
            );
            None
        }
    }
}
