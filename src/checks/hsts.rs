//! Strict-Transport-Security over HTTPS.

use crate::checks::CheckContext;
use crate::finding::Finding;
use crate::model::SettingId;
use crate::resolve::source_location;

const ONE_YEAR: i64 = 31_536_000;

pub fn check(cx: &mut CheckContext) {
    let s = &cx.res.settings;
    if !s.value(SettingId::SslEnabled).as_bool() {
        return;
    }
    let use_hsts = s.get(SettingId::UseHsts);
    if !use_hsts.value.as_bool() {
        cx.push(
            Finding::new(
                "hsts-disabled",
                "HTTPS is on but HSTS is off: browsers can be downgraded to plain HTTP",
            )
            .help("unset SWML_USE_HSTS or set it to true")
            .setting("use_hsts")
            .at(source_location(&use_hsts.source)),
        );
        return;
    }
    let max_age = s.get(SettingId::HstsMaxAge);
    if max_age.value.as_i64().is_some_and(|v| v < ONE_YEAR)
        || max_age
            .value
            .as_int()
            .is_some_and(|v| v.sign() == num_bigint::Sign::Minus)
    {
        cx.push(
            Finding::new(
                "hsts-short-max-age",
                format!(
                    "hsts_max_age is {} seconds, less than one year",
                    max_age
                        .value
                        .as_int()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                ),
            )
            .help("set SWML_HSTS_MAX_AGE=31536000 or more")
            .setting("hsts_max_age")
            .at(source_location(&max_age.source)),
        );
    }
}
