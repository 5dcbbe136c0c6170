//! TLS as the class that runs applies it: where it reads its TLS settings,
//! what it does when a file is missing, and TLS that ends at a proxy.

use crate::checks::CheckContext;
use crate::finding::{Finding, Severity};
use crate::model::{FlagId, SettingId, Source};
use crate::resolve::source_location;
use crate::service::{MissingFile, ServiceModel, TlsSource};

/// What the class does when TLS is on and a path is unset or empty.
pub fn path_unset_consequence(model: &ServiceModel) -> String {
    let class = model.class.name();
    match model.class {
        // WebMixin.serve() checks the paths itself and says nothing.
        crate::service::ServiceClass::AgentBase => {
            format!("{class} serves plain HTTP without a word in its log")
        }
        _ if model.tls_source == TlsSource::Host => {
            format!("{class} does not start a server: whatever serves the app decides")
        }
        _ => format!("{class} logs it and serves plain HTTP"),
    }
}

/// What the class does when a certificate or key file does not exist.
pub fn missing_file_consequence(model: &ServiceModel) -> String {
    let class = model.class.name();
    match model.missing_file {
        MissingFile::Crashes => {
            format!("{class} does not start: uvicorn raises FileNotFoundError while loading it")
        }
        MissingFile::PlainHttp => format!("{class} logs it and falls back to plain HTTP"),
        MissingFile::NotApplicable => {
            format!("{class} does not load it: the server that runs the app does")
        }
    }
}

/// A class that does not serve HTTP itself (`get_app()`, `as_router()`):
/// TLS is the hosting server's, and the TLS settings load nothing.
pub fn tls_hosted(cx: &CheckContext, source: &Source) -> Finding {
    let class = cx.service().class.name();
    let effect = match cx.service().hsts {
        crate::service::Hsts::Fixed { .. } => {
            "ssl_enabled only adds its HSTS header and https:// URLs"
        }
        _ => "ssl_enabled only makes its URLs https://",
    };
    Finding::new(
        "tls-hosted",
        format!("{class} does not serve HTTP itself: the server that runs the app decides whether it speaks HTTPS, and the certificate and key settings are not loaded; {effect}"),
    )
    .help("configure TLS on that server (uvicorn --ssl-certfile/--ssl-keyfile, gunicorn --certfile/--keyfile) or at the proxy or API gateway in front of it, then check it from outside with `swml-sec probe https://…`")
    .setting("ssl_enabled")
    .at(source_location(source))
}

/// `tls-disabled`, with the words that fit where TLS ends.
pub fn tls_disabled(cx: &CheckContext, source: &Source) -> Finding {
    let proxy = cx.res.settings.flag(FlagId::ProxyUrlBase);
    let https_base = proxy.value.as_str().map(str::trim).filter(|u| {
        u.len() > 8
            && u.get(..8)
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
    });
    let class = cx.service().class.name();
    let at_proxy = match https_base {
        Some(base) => Some((
            format!("SWML_PROXY_URL_BASE is {base}"),
            "keep the hop from the proxy to the service on a private network, have the proxy redirect http:// to https://, and send Strict-Transport-Security from the proxy (the service sends none while its own TLS is off)",
        )),
        None if cx.options.tls_at_proxy => Some((
            "--tls-at-proxy says".to_string(),
            "set SWML_PROXY_URL_BASE to the public https:// URL so the SDK builds webhook URLs with it, keep the proxy-to-service hop private, redirect http:// to https:// and send Strict-Transport-Security at the proxy",
        )),
        None => None,
    };
    if let Some((why, help)) = at_proxy {
        return Finding::new(
            "tls-disabled",
            format!("{class} serves plain HTTP; {why}, so TLS ends at the proxy or ingress in front of it"),
        )
        .help(help)
        .setting("ssl_enabled")
        .at(source_location(source))
        .at_most(Severity::Note);
    }
    let help = match cx.service().tls_source {
        TlsSource::EnvOnly => {
            "set SWML_SSL_ENABLED=true with SWML_SSL_CERT_PATH and SWML_SSL_KEY_PATH in the environment (AgentServer reads TLS nowhere else), or end TLS at a proxy and set SWML_PROXY_URL_BASE=https://…"
        }
        _ => {
            "set SWML_SSL_ENABLED=true with SWML_SSL_CERT_PATH and SWML_SSL_KEY_PATH, or end TLS at a proxy and set SWML_PROXY_URL_BASE=https://…"
        }
    };
    Finding::new(
        "tls-disabled",
        format!("HTTPS is off: {class} serves plain HTTP"),
    )
    .help(help)
    .setting("ssl_enabled")
    .at(source_location(source))
}

/// A class that reads TLS from the environment alone, with TLS turned on
/// in the config file only: it serves plain HTTP. True when reported (the
/// plain `tls-disabled` would then say the same thing again).
pub fn check_config_ignored(cx: &mut CheckContext) -> bool {
    if cx.service().tls_source != TlsSource::EnvOnly {
        return false;
    }
    let in_file = cx.res.settings.get(SettingId::SslEnabled);
    if !matches!(in_file.source, Source::File(_)) || !in_file.value.as_bool() {
        return false;
    }
    if cx.tls_settings().value(SettingId::SslEnabled).as_bool() {
        return false;
    }
    let class = cx.service().class.name();
    let file = cx
        .res
        .config
        .as_ref()
        .map_or("the config file", |c| c.path.as_str());
    cx.push(
        Finding::new(
            "tls-config-ignored",
            format!("ssl_enabled is true in {file}, but {class} reads TLS only from the SWML_SSL_* environment variables: it ignores the file's TLS settings and serves plain HTTP"),
        )
        .help("set SWML_SSL_ENABLED=true, SWML_SSL_CERT_PATH and SWML_SSL_KEY_PATH in the service's environment")
        .setting("ssl_enabled")
        .label("ignored by this class")
        .at(source_location(&in_file.source)),
    );
    true
}
