//! Renderers: one per output format. They present findings and settings;
//! they never decide what is found.

pub mod check_out;
pub mod github;
pub mod human;
pub mod junit;
pub mod locate;
pub mod resolve_out;
pub mod rules_out;
pub mod sarif;

use crate::model::{Effective, SettingId, Settings};

pub const REDACTED: &str = "<redacted>";

/// `["a", "b"]`: items quoted and escaped, for messages and tables.
pub fn quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

/// What may be shown of the credentials.
#[derive(Debug, Clone, Copy)]
pub struct Secrets {
    pub show: bool,
}

impl Secrets {
    /// The displayed value of a setting, with the password redacted, and the
    /// user too when it equals the password.
    pub fn display(&self, settings: &Settings, id: SettingId) -> Effective {
        let value = settings.value(id).clone();
        if self.show {
            return value;
        }
        let password = settings.value(SettingId::BasicAuthPassword).as_str();
        match id {
            SettingId::BasicAuthPassword if password.is_some() => {
                Effective::Str(Some(REDACTED.into()))
            }
            SettingId::BasicAuthUser if password.is_some() && value.as_str() == password => {
                Effective::Str(Some(REDACTED.into()))
            }
            _ => value,
        }
    }
}

/// The config text with every secret masked, for snippets: the password's
/// literal (and the user's, when it equals the password), any
/// `"password": "..."` string (also in files that are not valid JSON), and
/// any other occurrence of the effective password. Bytes are replaced one
/// for one, so that spans stay valid.
pub fn redacted_source(text: &str, res: &crate::resolve::Resolution) -> String {
    use std::sync::LazyLock;
    static PASSWORD_MEMBER: LazyLock<regex::Regex> = LazyLock::new(|| {
        // Invariant: a literal pattern known to compile.
        regex::Regex::new(r#""password"\s*:\s*"((?:[^"\\]|\\.)*)""#)
            .expect("the password pattern compiles")
    });
    let mut bytes = text.as_bytes().to_vec();
    let mut mask = |range: std::ops::Range<usize>| {
        let Some(raw) = text.get(range.clone()) else {
            return;
        };
        let keep = crate::expand::reference_name_spans(raw);
        for (i, b) in bytes.get_mut(range).into_iter().flatten().enumerate() {
            if !matches!(*b, b'\n' | b'"') && !keep.iter().any(|k| k.contains(&i)) {
                *b = b'*';
            }
        }
    };
    let settings = &res.settings;
    let password = settings.value(SettingId::BasicAuthPassword).as_str();
    for id in [SettingId::BasicAuthPassword, SettingId::BasicAuthUser] {
        let s = settings.get(id);
        let secret = id == SettingId::BasicAuthPassword
            || (password.is_some() && s.value.as_str() == password);
        if let (true, crate::model::Source::File(span)) = (secret, &s.source) {
            mask(span.range.clone());
        }
    }
    for caps in PASSWORD_MEMBER.captures_iter(text) {
        if let Some(m) = caps.get(1) {
            mask(m.range());
        }
    }
    if let Some(pw) = password.filter(|p| p.len() >= 4) {
        for (start, _) in text.match_indices(pw) {
            mask(start..start + pw.len());
        }
    }
    // Masking replaced whole bytes with ASCII, except inside multi-byte
    // characters cut at a range edge; lossy decoding keeps the length.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
