//! Renderers: one per output format. They present findings and settings;
//! they never decide what is found.

pub mod check_out;
pub mod escape;
pub mod github;
pub mod human;
pub mod junit;
pub mod locate;
pub mod output;
pub mod pretty;
pub mod redact;
pub mod resolve_out;
pub mod rules_out;
pub mod sarif;
pub mod snippet;
pub mod vocab;

use crate::model::{Effective, Secret, SettingId, Settings};

pub use redact::REDACTED;

/// `["a", "b"]`: items quoted and escaped, for messages and tables.
pub fn quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

/// What may be shown of the credentials.
#[derive(Debug, Clone, Copy)]
pub struct Secrets<'a> {
    pub show: bool,
    pub redactor: &'a redact::Redactor,
}

impl Secrets<'_> {
    /// The displayed value of a setting: a value typed secret (the
    /// password, a private key where a path goes), the user when it equals
    /// the password, and any other setting whose value holds a secret
    /// (`"domain": "${SWML_BASIC_AUTH_PASSWORD}"`) come back as
    /// `Effective::Secret(Some(_))`, which the renderers print as the mask
    /// in the value's slot. With `--show-secrets`, every value is plain.
    pub fn display(&self, settings: &Settings, id: SettingId) -> Effective {
        let value = settings.value(id);
        if self.show {
            // The SDK holds '' (an empty variable or key), not None, and
            // generates a password from it at start: shown as it holds it.
            if id == SettingId::BasicAuthPassword
                && value.is_none()
                && *settings.get(id).python.exposed() == crate::py::PyValue::Str(String::new())
            {
                return Effective::Str(Some(String::new()));
            }
            return match value {
                Effective::Secret(s) => Effective::Str(s.as_ref().map(|s| s.expose().to_string())),
                other => other.clone(),
            };
        }
        let password = settings.value(SettingId::BasicAuthPassword).as_secret();
        let masked = |text: String| Effective::Secret(Some(Secret::new(text)));
        match value {
            Effective::Secret(None) => Effective::Str(None),
            Effective::Str(Some(s))
                if id == SettingId::BasicAuthUser && password.is_some_and(|p| p.expose() == s) =>
            {
                masked(s.clone())
            }
            Effective::Str(Some(s)) if self.redactor.hides(s) => masked(s.clone()),
            Effective::List(items) if items.iter().any(|i| self.redactor.hides(i)) => {
                masked(items.join(","))
            }
            other => other.clone(),
        }
    }
}

impl Secrets<'_> {
    /// A SWML_* flag's displayed value: one typed secret (a private key
    /// pasted into it) is masked unless `--show-secrets`.
    pub fn display_flag(&self, value: &Effective) -> Effective {
        match value {
            Effective::Secret(s) if self.show => {
                Effective::Str(s.as_ref().map(|s| s.expose().to_string()))
            }
            Effective::Secret(None) => Effective::Str(None),
            other => other.clone(),
        }
    }
}

/// A JSON string literal with at least one backslash escape in it.
static ESCAPED_STRING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    // Invariant: a literal pattern known to compile.
    regex::Regex::new(r#""(?:[^"\\\n]|\\.)*\\(?:[^"\\\n]|\\.)*""#)
        .expect("the escaped string pattern compiles")
});

/// The config text with every secret masked, for snippets: the password's
/// literal (and the user's, when it equals the password), every value under
/// a secret-looking key (also in files that are not valid JSON), and every
/// occurrence of a secret the redactor knows. Bytes are replaced one for
/// one, so that spans stay valid; the names in `${NAME}` stay readable.
pub fn redacted_source(
    text: &str,
    res: &crate::resolve::Resolution,
    redactor: &redact::Redactor,
) -> String {
    redacted_source_mapped(text, res, redactor).0
}

/// [`redacted_source`], and where the original offsets land in it.
pub fn redacted_source_mapped(
    text: &str,
    res: &crate::resolve::Resolution,
    redactor: &redact::Redactor,
) -> (String, redact::OffsetMap) {
    let mut masked = redact::Masked::new(text, true);
    let settings = &res.settings;
    let password = settings.value(SettingId::BasicAuthPassword).as_secret();
    for id in SettingId::ALL {
        let s = settings.get(id);
        // The password's literal whatever it holds, any value typed secret
        // (a private key where a path goes), and a user equal to the password.
        let secret = id == SettingId::BasicAuthPassword
            || matches!(s.value, Effective::Secret(Some(_)))
            || password.is_some_and(|p| s.value.as_str() == Some(p.expose()));
        if let (true, crate::model::Source::File(span)) = (secret, &s.source) {
            masked.mask(span.range.clone());
        }
    }
    if redactor.is_empty() {
        // --show-secrets: nothing else is hidden.
    } else {
        for member in redact::secret_members(text) {
            masked.mask(member.range);
        }
        for range in redactor.find_ranges(text) {
            masked.mask(range);
        }
        // The password spelt with JSON escapes (`"\u0048unter2"`): the
        // string literal whose decoded text holds a secret.
        let escapes = if text.contains('\\') {
            ESCAPED_STRING.find_iter(text).collect()
        } else {
            Vec::new()
        };
        for literal in escapes {
            let inner = &literal.as_str()[1..literal.len().saturating_sub(1).max(1)];
            if let Ok(decoded) = serde_json::from_str::<String>(&format!("\"{inner}\""))
                && redactor.hides(&decoded)
            {
                masked.mask(literal.start() + 1..literal.end().saturating_sub(1));
            }
        }
    }
    masked.finish_mapped()
}
