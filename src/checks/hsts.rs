//! Strict-Transport-Security over HTTPS, as the class that runs sends it.

use crate::checks::CheckContext;
use crate::finding::{Finding, Severity};
use crate::model::{SettingId, Source};
use crate::resolve::source_location;
use crate::service::Hsts;

const ONE_YEAR: i64 = 31_536_000;

pub fn check(cx: &mut CheckContext) {
    if !cx.tls_settings().value(SettingId::SslEnabled).as_bool() {
        return;
    }
    match cx.service().hsts {
        Hsts::Configured => check_configured(cx),
        Hsts::Fixed { value, .. } => fixed_header(cx, value),
        Hsts::None => no_header(cx),
    }
}

/// The class sends its own header whatever use_hsts and hsts_max_age say:
/// said only where the settings ask for something else.
fn fixed_header(cx: &mut CheckContext, value: &str) {
    let s = &cx.res.settings;
    let use_hsts = s.get(SettingId::UseHsts);
    let max_age = s.get(SettingId::HstsMaxAge);
    let class = cx.service().class.name();
    let asked = if !use_hsts.value.as_bool() {
        Some(("use_hsts is false", use_hsts))
    } else if !matches!(max_age.source, Source::Default) && max_age.value.as_i64() != Some(ONE_YEAR)
    {
        Some(("hsts_max_age is set", max_age))
    } else {
        None
    };
    let Some((what, setting)) = asked else { return };
    cx.push(
        Finding::new(
            "hsts-not-applied",
            format!("{what}, but {class} ignores use_hsts and hsts_max_age: it always sends Strict-Transport-Security: {value}"),
        )
        .help("remove the setting (it has no effect); to send another HSTS header, set it in your proxy")
        .setting(setting.id.name())
        .at(source_location(&setting.source)),
    );
}

/// The class sends no HSTS header at all, whatever the settings say.
fn no_header(cx: &mut CheckContext) {
    let use_hsts = cx.res.settings.get(SettingId::UseHsts);
    let class = cx.service().class.name();
    cx.push(
        Finding::new(
            "hsts-not-applied",
            format!("{class} sends no Strict-Transport-Security header over HTTPS, whatever use_hsts says: browsers can be downgraded to plain HTTP"),
        )
        .help("add `Strict-Transport-Security: max-age=31536000; includeSubDomains` in your proxy")
        .setting("use_hsts")
        .at(source_location(&use_hsts.source))
        .at_least(Severity::Warning),
    );
}

/// use_hsts and hsts_max_age reach the header (WebService, SearchService).
fn check_configured(cx: &mut CheckContext) {
    let s = &cx.res.settings;
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
