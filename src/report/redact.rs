//! The one redaction layer every byte of output passes through.
//!
//! It is fed with every value of the run that is, or may be, a secret: the
//! effective password and each candidate for it (the environment, dotenv
//! files, the config literal and the defaults and variables of its
//! `${…|default}` references), a user equal to it, values under
//! secret-looking keys anywhere in the config text (misspelt, misplaced, or
//! in a file that is not valid JSON), values of secret-looking variables,
//! and `user:password` with its base64 (a probe's Authorization header).
//! Each secret is searched for in every form an output format may give it
//! (as is, JSON-escaped, Rust-escaped, XML-escaped, escaped for GitHub
//! workflow commands, shell-quoted, percent-encoded) and replaced.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use base64::Engine as _;
use regex::Regex;

use crate::finding::{Finding, Location};
use crate::input::{EnvView, is_secret_name};

pub const REDACTED: &str = "<redacted>";

/// Secrets shorter than this are not searched for in free text: they would
/// match everywhere (and auth-password-weak reports them). Where they are
/// the value of a setting they are still redacted.
pub const MIN_SEARCHED_LEN: usize = 4;

#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Every searched form (matched leftmost-longest).
    forms: Vec<String>,
    /// Secrets too short to search for, still redacted as whole values.
    short: Vec<String>,
    matcher: Option<AhoCorasick>,
}

impl Redactor {
    /// A redactor that redacts nothing (`--show-secrets`).
    pub fn none() -> Self {
        Self::default()
    }

    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut forms = Vec::new();
        let mut short = Vec::new();
        let unique: std::collections::BTreeSet<String> = secrets.into_iter().collect();
        for secret in unique {
            if secret.is_empty() {
                continue;
            }
            if secret.chars().count() < MIN_SEARCHED_LEN {
                short.push(secret);
                continue;
            }
            forms.extend(forms_of(&secret));
        }
        forms.retain(|f| f.chars().count() >= MIN_SEARCHED_LEN);
        forms.sort_unstable();
        forms.dedup();
        short.sort();
        short.dedup();
        // Building fails only past aho-corasick's size limits, far beyond
        // any set of secrets a run has; then every output is withheld
        // rather than shown unredacted (see `redact`).
        let matcher = (!forms.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&forms)
                .ok()
        });
        Redactor {
            forms,
            short,
            matcher: matcher.flatten(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.forms.is_empty() && self.short.is_empty()
    }

    fn broken(&self) -> bool {
        !self.forms.is_empty() && self.matcher.is_none()
    }

    /// `text` with every form of every secret replaced by `<redacted>`.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.broken() {
            return Cow::Owned(REDACTED.to_string());
        }
        let Some(matcher) = &self.matcher else {
            return Cow::Borrowed(text);
        };
        if !matcher.is_match(text) {
            return Cow::Borrowed(text);
        }
        Cow::Owned(matcher.replace_all(text, &vec![REDACTED; self.forms.len()]))
    }

    /// True when `value` is a secret or contains one.
    pub fn hides(&self, value: &str) -> bool {
        self.short.iter().any(|s| s == value) || matches!(self.redact(value), Cow::Owned(_))
    }

    /// Byte ranges of `text` that hold a secret, for masking a snippet's
    /// source without moving its spans.
    pub fn find_ranges(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        match &self.matcher {
            Some(m) => m.find_iter(text).map(|m| m.range()).collect(),
            None => Vec::new(),
        }
    }

    /// Redacts every string of a JSON document in place, keys included, so
    /// that the document stays valid whatever the secret looks like.
    pub fn redact_json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(s) => {
                if self.short.iter().any(|x| x == s) {
                    *s = REDACTED.to_string();
                } else if let Cow::Owned(r) = self.redact(s) {
                    *s = r;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_json(v)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (k, mut v) in entries {
                    self.redact_json(&mut v);
                    map.insert(self.redact(&k).into_owned(), v);
                }
            }
            _ => {}
        }
    }

    /// Redacts, escapes and clips every text of a finding: messages, help,
    /// labels, settings and locations. Renderers then only see safe text.
    pub fn sanitize_finding(&self, f: &mut Finding) {
        let text = |s: &str| -> String {
            let redacted = self.redact(s);
            let escaped = super::escape::escape(&redacted);
            super::escape::clip(&escaped, MAX_MESSAGE_CHARS).into_owned()
        };
        f.message = text(&f.message);
        f.help = f.help.as_deref().map(text);
        f.label = f.label.as_deref().map(text);
        f.setting = f.setting.as_deref().map(text);
        match &mut f.location {
            Location::File { path, pointer, .. } => {
                *path = text(path);
                *pointer = pointer.as_deref().map(text);
            }
            Location::Path { path } => *path = text(path),
            Location::Env { name, env_file, .. } => {
                *name = text(name);
                *env_file = env_file.as_deref().map(text);
            }
            Location::Url { url } => *url = text(url),
            Location::Default => {}
        }
    }
}

/// A finding's texts stay a few lines, whatever they quote.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// The forms a secret can take in our outputs.
fn forms_of(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_string()];
    if let Ok(json) = serde_json::to_string(secret) {
        forms.push(json[1..json.len() - 1].to_string());
    }
    let debug = format!("{secret:?}");
    forms.push(debug[1..debug.len() - 1].to_string());
    forms.push(super::escape::escape(secret).into_owned());
    forms.push(
        secret
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&apos;"),
    );
    forms.push(super::github::escape_data(secret));
    forms.push(super::github::escape_property(secret));
    forms.push(secret.replace('\'', "'\\''"));
    forms.push(
        percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
    );
    // As a query string or form body carries it (`a b` as `a+b`).
    forms.push(url::form_urlencoded::byte_serialize(secret.as_bytes()).collect());
    forms
}

/// `user:password` as an HTTP Basic credential would carry it.
pub fn basic_credential_forms(user: &str, password: &str) -> Vec<String> {
    let pair = format!("{user}:{password}");
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    vec![
        STANDARD.encode(&pair),
        STANDARD_NO_PAD.encode(&pair),
        URL_SAFE.encode(&pair),
        URL_SAFE_NO_PAD.encode(&pair),
        pair,
    ]
}

/// `key: value` pairs under a secret-looking key, in any text: valid JSON,
/// JSON with comments, single-quoted or unquoted values, an unterminated
/// string. Group `key` is the key, `value` the value's text (still escaped).
static SECRET_MEMBER: LazyLock<Regex> = LazyLock::new(|| {
    // Invariant: a literal pattern known to compile.
    Regex::new(
        r#"(?x)
        ["']?(?P<key>[A-Za-z0-9_.\-\x20]{1,64})["']?\s*[:=]\s*
        (?:
            "(?P<dq>(?:[^"\\\n]|\\.)*)"?
          | '(?P<sq>[^'\n]*)'?
          | (?P<bare>[^\s,}\]\[{"'][^,}\]\n]*)
        )"#,
    )
    .expect("the secret member pattern compiles")
});

/// One value found under a secret-looking key: its byte range in the text
/// and its text (JSON escapes decoded where they can be).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMember {
    pub range: std::ops::Range<usize>,
    pub value: String,
}

/// Every value under a secret-looking key in `text`, valid JSON or not.
pub fn secret_members(text: &str) -> Vec<SecretMember> {
    let mut found = Vec::new();
    for caps in SECRET_MEMBER.captures_iter(text) {
        let Some(key) = caps.name("key") else {
            continue;
        };
        if !is_secret_name(key.as_str().trim()) {
            continue;
        }
        let Some(m) = caps
            .name("dq")
            .or_else(|| caps.name("sq"))
            .or_else(|| caps.name("bare"))
        else {
            continue;
        };
        let raw = m.as_str().trim_end();
        if caps.name("bare").is_some() && matches!(raw, "true" | "false" | "null") {
            continue;
        }
        let value = if caps.name("dq").is_some() {
            serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap_or_else(|_| raw.into())
        } else {
            raw.to_string()
        };
        found.push(SecretMember {
            range: m.start()..m.start() + raw.len(),
            value,
        });
    }
    found
}

/// `text` with every value under a secret-looking key replaced by `*`, byte
/// for byte (spans stay valid): for snippets of files that are not the
/// config, such as a policy file (or a dotenv file given as one).
pub fn mask_secret_members(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for member in secret_members(text) {
        for b in bytes.get_mut(member.range).into_iter().flatten() {
            if !matches!(*b, b'\n' | b'"') {
                *b = b'*';
            }
        }
    }
    // Whole bytes replaced with ASCII, except inside a multi-byte character
    // cut at a range edge; lossy decoding keeps the length.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Words that configure rather than authenticate (`"token_auth": "off"`).
fn is_flag_word(value: &str) -> bool {
    let lowered = value.trim().to_ascii_lowercase();
    matches!(
        lowered.as_str(),
        "true" | "false" | "null" | "none" | "yes" | "no" | "on" | "off" | "enabled" | "disabled"
    )
}

/// Every secret value of a run, for [`Redactor::new`].
pub fn secrets_of_run(
    res: &crate::resolve::Resolution,
    env: &EnvView,
    extra: impl IntoIterator<Item = String>,
) -> Vec<String> {
    use crate::model::SettingId;
    let mut secrets: Vec<String> = extra.into_iter().collect();
    let password = res
        .settings
        .value(SettingId::BasicAuthPassword)
        .as_str()
        .map(str::to_string);
    let user = res
        .settings
        .value(SettingId::BasicAuthUser)
        .as_str()
        .map(str::to_string);
    let mut passwords: Vec<String> = password.iter().cloned().collect();
    passwords.extend(env.get("SWML_BASIC_AUTH_PASSWORD").map(str::to_string));
    // Every value loaded for a secret-looking variable (process or dotenv,
    // applied or not), and the words of dotenv lines that were skipped;
    // but not `USE_API_KEY=true`: hiding every "true" of a report would
    // protect nothing. (The password itself is hidden whatever it is.)
    secrets.extend(env.secret_values().into_iter().filter(|v| !is_flag_word(v)));
    // A variable of any name is a secret where the config makes it one
    // (`"domain": "${DB_PASSWORD}"` is caught above; `"password": "${X}"`
    // below).
    if let Some(text) = res.config.as_ref().and_then(|c| c.text.as_deref()) {
        for member in secret_members(text) {
            let refs: Vec<(&str, Option<&str>)> =
                crate::expand::references(&member.value).collect();
            if refs.is_empty() {
                if is_flag_word(&member.value) {
                    continue;
                }
                // `user:password` in a wrong shape: the part after the colon too.
                if let Some((_, after)) = member.value.split_once(':') {
                    passwords.push(after.to_string());
                }
                passwords.push(member.value);
            } else {
                for (name, default) in refs {
                    passwords.extend(env.get(name).map(str::to_string));
                    passwords.extend(default.map(str::to_string));
                }
                passwords.push(crate::expand::expand(&member.value, env).text);
            }
        }
    }
    if let Some(user) = &user {
        for pw in &passwords {
            secrets.extend(basic_credential_forms(user, pw));
        }
    }
    secrets.extend(passwords);
    secrets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values_under_secret_keys_in_broken_text() {
        let text = r#"{'pasword': 'pw-one', passwd: pw-two, "password ": "pw\"three
        // "token": "pw-four"
        "password": "pw-five"#;
        let values: Vec<String> = secret_members(text).into_iter().map(|m| m.value).collect();
        assert_eq!(
            values,
            ["pw-one", "pw-two", "pw\"three", "pw-four", "pw-five"]
        );
    }

    #[test]
    fn redacts_every_form() {
        let r = Redactor::new(["p\"a\\ss w\u{1b}rd".to_string()]);
        for text in [
            "p\"a\\ss w\u{1b}rd",
            "p\\\"a\\\\ss w\\u001brd",
            "p\\\"a\\\\ss w\\u{1b}rd",
        ] {
            assert_eq!(r.redact(&format!("x {text} y")), "x <redacted> y", "{text}");
        }
        let mut doc = serde_json::json!({"a": ["p\"a\\ss w\u{1b}rd!"], "p\"a\\ss w\u{1b}rd": 1});
        r.redact_json(&mut doc);
        assert_eq!(
            doc,
            serde_json::json!({"a": ["<redacted>!"], "<redacted>": 1})
        );
    }

    #[test]
    fn flag_words_under_secret_names_are_not_secrets() {
        let env = EnvView::from_pairs([
            ("USE_API_KEY".to_string(), "true".to_string()),
            ("DB_PASSWORD".to_string(), "s3cret-db-pass".to_string()),
        ]);
        let res = crate::resolve::resolve_with_config_bytes(
            &env,
            "c.json",
            br#"{"security": {"token_auth": "off", "pasword": "pw-in-file"}}"#,
        );
        let secrets = secrets_of_run(&res, &env, []);
        assert!(secrets.contains(&"s3cret-db-pass".to_string()));
        assert!(secrets.contains(&"pw-in-file".to_string()));
        assert!(
            !secrets.iter().any(|s| s == "true" || s == "off"),
            "{secrets:?}"
        );
    }

    #[test]
    fn short_secrets_are_whole_values_only() {
        let r = Redactor::new(["ab".to_string()]);
        assert_eq!(r.redact("absolutely"), "absolutely");
        assert!(r.hides("ab"));
    }
}
