//! allowed_hosts and cors_origins, as the class that runs applies them.

use crate::checks::CheckContext;
use crate::finding::{Finding, Location, position};
use crate::model::{SettingId, Source};
use crate::resolve::{LineIndex, source_location};
use crate::service::{Cors, HostCheck};

/// Where one item of a list setting is: its own text in the config file when
/// it can be found inside the list's literal, else the whole setting.
fn item_location(cx: &CheckContext, source: &Source, item: &str) -> Location {
    let whole = source_location(source);
    let (Source::File(span), Some(text)) = (
        source,
        cx.res.config.as_ref().and_then(|c| c.text.as_deref()),
    ) else {
        return whole;
    };
    let Some(literal) = text.get(span.range.clone()) else {
        return whole;
    };
    let quoted = format!("\"{item}\"");
    let found = literal
        .find(&quoted)
        .map(|i| i + 1)
        .or_else(|| literal.find(item));
    let Some(offset) = found else { return whole };
    let start = span.range.start + offset;
    let (line, column) = LineIndex::new(text).line_col(start);
    Location::File {
        path: span.path.as_str().into(),
        line: position(line),
        column: position(column),
        pointer: Some(span.pointer.as_str().into()),
        range: start..start + item.len(),
    }
}

pub fn check(cx: &mut CheckContext) {
    match cx.service().hosts {
        HostCheck::Never => hosts_not_enforced(cx),
        HostCheck::AllowedHosts => check_allowed_hosts(cx),
    }
    match cx.service().cors {
        Cors::ConfiguredWithCredentials => check_cors_origins(cx),
        other => cors_not_applied(cx, other),
    }
}

/// The class never reads the Host header: allowed_hosts has no effect, so
/// the advice is where host names can be enforced instead.
fn hosts_not_enforced(cx: &mut CheckContext) {
    let hosts = cx.res.settings.get(SettingId::AllowedHosts);
    let class = cx.service().class.name();
    let listed = hosts.value.as_list();
    let message = if matches!(hosts.source, Source::Default) || listed.iter().any(|h| h == "*") {
        format!("{class} never checks the Host header: a request for any host name is served")
    } else {
        format!(
            "allowed_hosts lists {}, but {class} never checks the Host header, so the setting has no effect: a request for any host name is served",
            crate::report::quoted_list(listed)
        )
    };
    cx.push(
        Finding::new("hosts-not-enforced", message)
            .help("enforce host names in your proxy or ingress (nginx: a default server that refuses unknown names with `return 444`; Kubernetes: Ingress host rules)")
            .setting("allowed_hosts")
            .at(source_location(&hosts.source)),
    );
}

/// The class ignores cors_origins. Its own answer is safe (no CORS headers,
/// or every origin without credentials), so this is said only when it is
/// not what the settings ask for.
fn cors_not_applied(cx: &mut CheckContext, cors: Cors) {
    let origins = cx.res.settings.get(SettingId::CorsOrigins);
    let class = cx.service().class.name();
    let set = !matches!(origins.source, Source::Default);
    let message = match cors {
        Cors::AnyOriginWithoutCredentials => format!(
            "{class} ignores cors_origins: it allows every origin, without credentials, so other sites can read answers that need no login"
        ),
        _ if set => format!(
            "cors_origins is set, but {class} ignores it and sends no CORS headers: browsers keep every other origin, the listed ones included, from reading its answers"
        ),
        _ => return,
    };
    cx.push(
        Finding::new("cors-not-applied", message)
            .help("remove cors_origins (it has no effect); if a web app on another origin must call the service, add the CORS headers for exactly that origin in your proxy")
            .setting("cors_origins")
            .at(source_location(&origins.source)),
    );
}

fn check_allowed_hosts(cx: &mut CheckContext) {
    let class = cx.service().class.name();
    let hosts = cx.res.settings.get(SettingId::AllowedHosts);
    let location = source_location(&hosts.source);
    let items = hosts.value.as_list().to_vec();
    if items.iter().any(|h| h == "*") {
        cx.push(
            Finding::new(
                "hosts-wildcard",
                format!("allowed_hosts contains `*`: {class} accepts any Host header"),
            )
            .help("list the service's host names in SWML_ALLOWED_HOSTS")
            .setting("allowed_hosts")
            .at(location.clone()),
        );
    }
    for h in items.iter().filter(|h| h.as_str() != "*" && !h.is_empty()) {
        if let Some((problem, help)) = host_problem(h) {
            let at = item_location(cx, &hosts.source, h);
            cx.push(
                Finding::new("hosts-malformed", format!("allowed host {h:?} {problem}: {class} compares the Host header, without its port, verbatim, so it never matches"))
                    .help(help)
                    .setting("allowed_hosts")
                    .label(problem)
                    .at(at),
            );
        }
    }
}

fn check_cors_origins(cx: &mut CheckContext) {
    let class = cx.service().class.name();
    let cors = cx.res.settings.get(SettingId::CorsOrigins);
    let location = source_location(&cors.source);
    let origins = cors.value.as_list().to_vec();
    if origins.iter().any(|o| o == "*") {
        cx.push(
            Finding::new("cors-wildcard", format!("cors_origins contains `*` and {class} allows credentials with it (unless created with enable_cors=False): any site can call the service as its visitors"))
                .help("list the exact origins in SWML_CORS_ORIGINS")
                .setting("cors_origins")
                .at(location.clone()),
        );
    }
    for o in origins
        .iter()
        .filter(|o| o.as_str() != "*" && !o.is_empty())
    {
        let at = item_location(cx, &cors.source, o);
        match origin_problem(o) {
            Some(problem) => cx.push(
                Finding::new("cors-origin-malformed", format!("CORS origin {o:?} {problem}: browsers send scheme://host[:port] exactly, without the default port, so it never matches"))
                    .help("write origins as https://host or https://host:port, one per origin (no wildcards)")
                    .setting("cors_origins")
                    .label(problem)
                    .at(at),
            ),
            None if o.to_ascii_lowercase().starts_with("http://") => cx.push(
                Finding::new("cors-insecure-origin", format!("CORS origin {o:?} is plain http://"))
                    .help("allow only https:// origins")
                    .setting("cors_origins")
                    .at(at),
            ),
            None => {}
        }
    }
}

const BARE: &str = "list bare host names, e.g. agent.example.com";

fn host_problem(h: &str) -> Option<(&'static str, &'static str)> {
    if h.contains("://") {
        Some(("has a scheme", BARE))
    } else if h.contains('/') {
        Some(("has a path", BARE))
    } else if h.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some(("contains whitespace", BARE))
    } else if h.contains('@') {
        Some(("contains user information", BARE))
    } else if h.contains('*') {
        Some((
            "is a wildcard pattern",
            "the SDK matches no patterns: list each host name (or `*` alone to accept any)",
        ))
    } else if h.starts_with('.') {
        Some((
            "starts with a dot (a domain pattern)",
            "the SDK matches no patterns: list each host name in full",
        ))
    } else if has_port(h) {
        Some((
            "has a port",
            "the service drops the port from the Host header before comparing: list the bare host name",
        ))
    } else {
        None
    }
}

/// `host:port` or `[v6]:port`: should_allow_host compares the Host header
/// cut at its first `:`, so a listed port never matches.
fn has_port(authority: &str) -> bool {
    match authority.rsplit_once(':') {
        Some((host, port)) if host.ends_with(']') || !host.contains(':') => {
            !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// `host:443` or `host:80` (also `[v6]:443`): clients omit these ports.
fn has_default_port(authority: &str) -> bool {
    let port = match authority.rsplit_once(':') {
        Some((host, port)) if host.ends_with(']') || !host.contains(':') => port,
        _ => return false,
    };
    matches!(port, "443" | "80")
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
    let authority = o.split_once("://").map_or("", |(_, rest)| {
        rest.split(['/', '?', '#']).next().unwrap_or("")
    });
    if authority.contains('*') {
        return Some("has a wildcard");
    }
    if url.port().is_none() && has_default_port(authority) {
        return Some("has the default port");
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
