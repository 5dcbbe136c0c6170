//! allowed_hosts and cors_origins.

use crate::checks::CheckContext;
use crate::finding::Finding;
use crate::model::SettingId;
use crate::resolve::source_location;

pub fn check(cx: &mut CheckContext) {
    let hosts = cx.res.settings.get(SettingId::AllowedHosts);
    let location = source_location(&hosts.source);
    let items = hosts.value.as_list().to_vec();
    if items.iter().any(|h| h == "*") {
        cx.push(
            Finding::new(
                "hosts-wildcard",
                "allowed_hosts contains `*`: any Host header is accepted",
            )
            .help("list the service's host names in SWML_ALLOWED_HOSTS")
            .setting("allowed_hosts")
            .at(location.clone()),
        );
    }
    for h in items.iter().filter(|h| h.as_str() != "*" && !h.is_empty()) {
        if let Some(problem) = host_problem(h) {
            cx.push(
                Finding::new("hosts-malformed", format!("allowed host {h:?} {problem}: the SDK compares the Host header verbatim, so it never matches"))
                    .help("list bare host names, e.g. agent.example.com")
                    .setting("allowed_hosts")
                    .at(location.clone()),
            );
        }
    }
    let cors = cx.res.settings.get(SettingId::CorsOrigins);
    let location = source_location(&cors.source);
    let origins = cors.value.as_list().to_vec();
    if origins.iter().any(|o| o == "*") {
        cx.push(
            Finding::new("cors-wildcard", "cors_origins contains `*` and the SDK always allows credentials: any site can call the service as its visitors")
                .help("list the exact origins in SWML_CORS_ORIGINS")
                .setting("cors_origins")
                .at(location.clone()),
        );
    }
    for o in origins
        .iter()
        .filter(|o| o.as_str() != "*" && !o.is_empty())
    {
        match origin_problem(o) {
            Some(problem) => cx.push(
                Finding::new("cors-origin-malformed", format!("CORS origin {o:?} {problem}: browsers send scheme://host[:port] exactly, so it never matches"))
                    .help("write origins as https://host or https://host:port")
                    .setting("cors_origins")
                    .at(location.clone()),
            ),
            None if o.to_ascii_lowercase().starts_with("http://") => cx.push(
                Finding::new("cors-insecure-origin", format!("CORS origin {o:?} is plain http://"))
                    .help("allow only https:// origins")
                    .setting("cors_origins")
                    .at(location.clone()),
            ),
            None => {}
        }
    }
}

fn host_problem(h: &str) -> Option<&'static str> {
    if h.contains("://") {
        Some("has a scheme")
    } else if h.contains('/') {
        Some("has a path")
    } else if h.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("contains whitespace")
    } else if h.contains('@') {
        Some("contains user information")
    } else {
        None
    }
}

fn origin_problem(o: &str) -> Option<&'static str> {
    if !o.contains("://") {
        return Some("has no scheme");
    }
    let Ok(url) = url::Url::parse(o) else {
        return Some("is not a valid URL");
    };
    if url.host_str().is_none_or(str::is_empty) {
        return Some("has no host");
    }
    if o.ends_with('/') {
        return Some("has a trailing slash");
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Some("has a path");
    }
    if !url.username().is_empty() {
        return Some("has user information");
    }
    None
}
