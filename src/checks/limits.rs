//! Request limits: rate, size, timeout.

use num_bigint::BigInt;

use crate::checks::CheckContext;
use crate::finding::Finding;
use crate::model::SettingId;
use crate::resolve::source_location;

const LIMITS: [(SettingId, &str, &str, i64, &str); 3] = [
    (
        SettingId::RateLimit,
        "rate-limit-invalid",
        "rate-limit-high",
        1000,
        "requests per minute",
    ),
    (
        SettingId::MaxRequestSize,
        "request-size-invalid",
        "request-size-large",
        100 * 1024 * 1024,
        "bytes",
    ),
    (
        SettingId::RequestTimeout,
        "timeout-invalid",
        "timeout-large",
        300,
        "seconds",
    ),
];

pub fn check(cx: &mut CheckContext) {
    for (id, invalid, high, max, unit) in LIMITS {
        let s = cx.res.settings.get(id);
        let Some(v) = s.value.as_int() else { continue };
        let location = source_location(&s.source);
        if *v <= BigInt::from(0) {
            cx.push(
                Finding::new(
                    invalid,
                    format!("{} is {v}: it must be positive", id.name()),
                )
                .help(format!("set a positive number of {unit}"))
                .setting(id.name())
                .at(location),
            );
        } else if *v > BigInt::from(max) {
            cx.push(
                Finding::new(high, format!("{} is {v} {unit}, above {max}", id.name()))
                    .help(format!("keep {} near what real traffic needs", id.name()))
                    .setting(id.name())
                    .at(location),
            );
        }
    }
}
