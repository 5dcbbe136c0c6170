//! Request limits: rate, size, timeout. SecurityConfig reads them and no
//! SDK service enforces them, so the one finding says where limits can be
//! enforced instead.

use crate::checks::CheckContext;
use crate::finding::{Finding, Location, Severity};
use crate::model::{SettingId, Source};
use crate::resolve::source_location;

const LIMITS: [SettingId; 3] = [
    SettingId::RateLimit,
    SettingId::MaxRequestSize,
    SettingId::RequestTimeout,
];

pub fn check(cx: &mut CheckContext) {
    if cx.service().limits_enforced {
        return;
    }
    let class = cx.service().class.name();
    let set: Vec<_> = LIMITS
        .iter()
        .map(|id| cx.res.settings.get(*id))
        .filter(|s| !matches!(s.source, Source::Default))
        .collect();
    let listed = set
        .iter()
        .map(|s| {
            let value = s
                .value
                .as_int()
                .map_or_else(|| "?".to_string(), ToString::to_string);
            format!("{}={value}", s.id.name())
        })
        .collect::<Vec<_>>()
        .join(", ");
    // What the class accepts: any rate and duration, and bodies up to its
    // own fixed limit or of any size.
    let accepts = match cx.service().fixed_body_limit {
        Some(limit) => format!(
            "any request rate and duration, and bodies up to a fixed {} MiB whatever max_request_size says",
            limit / (1024 * 1024)
        ),
        None => "any request rate, body size and duration".to_string(),
    };
    let message = if set.is_empty() {
        format!(
            "no SDK service enforces rate_limit, max_request_size or request_timeout: {class} accepts {accepts}"
        )
    } else {
        format!(
            "{listed} {} read by the SDK but enforced by no service: {class} accepts {accepts}",
            if set.len() == 1 { "is" } else { "are" }
        )
    };
    let at = set
        .first()
        .map_or(Location::Default, |s| source_location(&s.source));
    let mut f = Finding::new("limits-not-enforced", message)
        .help("enforce limits in your proxy or ingress: nginx `limit_req`, `client_max_body_size` and `proxy_read_timeout`; ingress-nginx annotations `nginx.ingress.kubernetes.io/limit-rps`, `proxy-body-size`, `proxy-read-timeout`")
        .setting(
            set.first()
                .map_or(SettingId::RateLimit.name(), |s| s.id.name()),
        )
        .at(at);
    // Set limits mean someone believes they are protected.
    if !set.is_empty() {
        f = f.at_least(Severity::Warning);
    }
    cx.push(f);
}
