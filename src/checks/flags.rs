//! The SDK's other SWML_* switches.

use crate::checks::CheckContext;
use crate::finding::Finding;
use crate::model::FlagId;
use crate::resolve::source_location;

pub fn check(cx: &mut CheckContext) {
    for (id, rule, message) in [
        (
            FlagId::TrustRemoteUser,
            "trust-remote-user",
            "SWML_TRUST_REMOTE_USER is on: REMOTE_USER is trusted, bypassing Basic auth unless the web server authenticates",
        ),
        (
            FlagId::AllowPrivateUrls,
            "allow-private-urls",
            "SWML_ALLOW_PRIVATE_URLS is on: the SSRF guard on outbound URLs is off",
        ),
        (
            FlagId::TrustProxyHeaders,
            "trust-proxy-headers",
            "SWML_TRUST_PROXY_HEADERS is on: X-Forwarded-* headers are trusted",
        ),
        (
            FlagId::SkipSchemaValidation,
            "schema-validation-skipped",
            "SWML_SKIP_SCHEMA_VALIDATION is on: SWML is not validated",
        ),
    ] {
        let flag = cx.res.settings.flag(id);
        if flag.value.as_bool() {
            let f = Finding::new(rule, message).at(source_location(&flag.source));
            cx.push(f);
        }
    }
    let base = cx.res.settings.flag(FlagId::ProxyUrlBase);
    if let Some(url) = base.value.as_str()
        && url.trim().to_ascii_lowercase().starts_with("http://")
    {
        cx.push(
            Finding::new("proxy-url-insecure", format!("SWML_PROXY_URL_BASE is {url}: webhooks and their credentials travel in clear text"))
                .help("use the https:// public URL")
                .at(source_location(&base.source)),
        );
    }
}
