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

    /// `text` with every secret form replaced by `replacement`.
    fn redact_as<'a>(&self, text: &'a str, replacement: &str) -> Cow<'a, str> {
        if self.broken() {
            return Cow::Owned(replacement.to_string());
        }
        match &self.matcher {
            Some(m) if m.is_match(text) => {
                Cow::Owned(m.replace_all(text, &vec![replacement; self.forms.len()]))
            }
            _ => Cow::Borrowed(text),
        }
    }

    /// A serialised JSON document with its secrets redacted token by token,
    /// so that it stays valid JSON: inside strings the marker replaces the
    /// secret; a number or literal that holds one becomes the string
    /// `"<redacted>"`. A secret that still shows across tokens is then
    /// redacted as plain text (see `redact_overlapping`): hiding it matters
    /// more than the document's validity.
    pub fn redact_json_text(&self, text: &str) -> String {
        if let Some(unchanged) = self.nothing_to_scan(text) {
            return unchanged;
        }
        let mut out = String::with_capacity(text.len());
        let mut content = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(body) = rest.strip_prefix('"') {
                // A string token: up to the first unescaped quote.
                let mut end = body.len();
                let mut escaped = false;
                for (i, c) in body.char_indices() {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '"' => {
                            end = i;
                            break;
                        }
                        _ => {}
                    }
                }
                out.push('"');
                let start = out.len();
                out.push_str(&self.redact(&body[..end]));
                content.push(Content::part(start..out.len(), REDACTED));
                out.push_str(body.get(end..end + 1).unwrap_or(""));
                rest = body.get(end + 1..).unwrap_or("");
            } else {
                // Punctuation, whitespace and scalar tokens up to the next string.
                let end = rest.find('"').unwrap_or(rest.len());
                let mut piece = &rest[..end];
                while !piece.is_empty() {
                    let token_end = piece
                        .find(|c: char| {
                            !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
                        })
                        .unwrap_or(piece.len());
                    if token_end == 0 {
                        let n = piece.chars().next().map_or(1, char::len_utf8);
                        out.push_str(&piece[..n]);
                        piece = &piece[n..];
                    } else {
                        let token = &piece[..token_end];
                        let start = out.len();
                        if matches!(self.redact(token), Cow::Owned(_)) {
                            out.push('"');
                            out.push_str(REDACTED);
                            out.push('"');
                        } else {
                            out.push_str(token);
                        }
                        content.push(Content {
                            range: start..out.len(),
                            whole: true,
                            marker: "\"<redacted>\"",
                        });
                        piece = &piece[token_end..];
                    }
                }
                rest = &rest[end..];
            }
        }
        self.redact_overlapping(&out, &content)
    }

    /// The answer of the structure-aware redactors when there is nothing to
    /// scan for: all withheld when the matcher could not be built, the text
    /// as it is when there are no secrets.
    fn nothing_to_scan(&self, text: &str) -> Option<String> {
        if self.broken() {
            Some(REDACTED.to_string())
        } else if self.forms.is_empty() {
            Some(text.to_string())
        } else {
            None
        }
    }

    /// A serialised XML document (ours: well-formed, double or single
    /// quoted attributes, no CDATA) with its secrets redacted in character
    /// data and attribute values only, the marker written `&lt;redacted&gt;`,
    /// so that it stays well-formed. As for JSON, a secret still showing
    /// across the markup and a value is then redacted as plain text.
    pub fn redact_xml_text(&self, text: &str) -> String {
        if let Some(unchanged) = self.nothing_to_scan(text) {
            return unchanged;
        }
        let mut out = String::with_capacity(text.len());
        let mut content = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if rest.starts_with('<') {
                // A tag: names verbatim, quoted attribute values redacted.
                let mut quote: Option<char> = None;
                let mut value_start = 0;
                let mut end = rest.len();
                for (i, c) in rest.char_indices() {
                    match quote {
                        Some(q) if c == q => {
                            let start = out.len();
                            out.push_str(&self.redact_as(&rest[value_start..i], MARKER));
                            content.push(Content::part(start..out.len(), MARKER));
                            out.push(c);
                            quote = None;
                        }
                        Some(_) => {}
                        None => {
                            out.push(c);
                            if c == '"' || c == '\'' {
                                quote = Some(c);
                                value_start = i + 1;
                            } else if c == '>' {
                                end = i + 1;
                                break;
                            }
                        }
                    }
                }
                if quote.is_some() {
                    // Unterminated value (not produced by our writer).
                    let start = out.len();
                    out.push_str(&self.redact_as(&rest[value_start..], MARKER));
                    content.push(Content::part(start..out.len(), MARKER));
                }
                rest = &rest[end..];
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                let start = out.len();
                out.push_str(&self.redact_as(&rest[..end], MARKER));
                content.push(Content::part(start..out.len(), MARKER));
                rest = &rest[end..];
            }
        }
        self.redact_overlapping(&out, &content)
    }

    /// A serialised TOML document (ours: made from JSON data, every string
    /// already redacted and escaped, no comments) whose text still holds a
    /// secret across a string and its punctuation: the parts inside strings
    /// are replaced, so that it stays valid TOML.
    pub fn redact_toml_text(&self, text: &str) -> String {
        if let Some(unchanged) = self.nothing_to_scan(text) {
            return unchanged;
        }
        let mut content = Vec::new();
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            let (open, close, escapes) = if rest.starts_with("\"\"\"") {
                (3, "\"\"\"", true)
            } else if rest.starts_with("'''") {
                (3, "'''", false)
            } else if rest.starts_with('"') {
                (1, "\"", true)
            } else if rest.starts_with('\'') {
                (1, "'", false)
            } else {
                i += rest.chars().next().map_or(1, char::len_utf8);
                continue;
            };
            let body = &rest[open..];
            let mut end = body.len();
            let mut escaped = false;
            for (j, c) in body.char_indices() {
                if escaped {
                    escaped = false;
                } else if escapes && c == '\\' {
                    escaped = true;
                } else if body[j..].starts_with(close) {
                    end = j;
                    break;
                }
            }
            content.push(Content::part(i + open..i + open + end, REDACTED));
            i += open + (end + close.len()).min(body.len());
        }
        self.redact_overlapping(text, &content)
    }

    /// The last pass over a structured document: a secret still found in
    /// it that touches its content (it spans a value and the punctuation
    /// around it) loses the part of it inside each value it touches, the
    /// markup is kept, and the document stays valid. A secret made of the
    /// document's own markup alone (a password `testcase`) is left: that
    /// text is the same in every report and tells nothing.
    fn redact_overlapping(&self, text: &str, content: &[Content]) -> String {
        let Some(matcher) = &self.matcher else {
            return text.to_string();
        };
        let mut edits: Vec<(std::ops::Range<usize>, &str)> = Vec::new();
        for hit in matcher.find_iter(text) {
            let r = hit.range();
            for c in content {
                if !(c.range.start < r.end && r.start < c.range.end) {
                    continue;
                }
                let cut = if c.whole {
                    c.range.clone()
                } else {
                    r.start.max(c.range.start)..r.end.min(c.range.end)
                };
                if edits.last().is_none_or(|(last, _)| last.end <= cut.start) {
                    edits.push((cut, c.marker));
                }
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (cut, marker) in edits {
            out.push_str(&text[last..cut.start]);
            out.push_str(marker);
            last = cut.end;
        }
        out.push_str(&text[last..]);
        out
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
            // A password of digits re-typed to a number, shown as another
            // setting's value: the number becomes the marker string.
            Value::Number(_) | Value::Bool(_) => {
                if matches!(self.redact(&value.to_string()), Cow::Owned(_)) {
                    *value = Value::String(REDACTED.to_string());
                }
            }
            Value::Null => {}
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

/// The marker as XML text.
const MARKER: &str = "&lt;redacted&gt;";

/// A value's text in a serialised document, and how a secret touching it
/// is removed: the part inside it, or (a number) the whole token.
struct Content {
    range: std::ops::Range<usize>,
    whole: bool,
    marker: &'static str,
}

impl Content {
    fn part(range: std::ops::Range<usize>, marker: &'static str) -> Self {
        Content {
            range,
            whole: false,
            marker,
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
    // Percent-encoded as strictly as possible, as a path segment keeps
    // RFC 3986's unreserved characters (SARIF `uri`s), and as a URL's
    // userinfo keeps its sub-delimiters too.
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    const USERINFO: &AsciiSet = &UNRESERVED
        .remove(b'!')
        .remove(b'$')
        .remove(b'&')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')')
        .remove(b'*')
        .remove(b'+')
        .remove(b',')
        .remove(b';')
        .remove(b'=');
    for set in [NON_ALPHANUMERIC, UNRESERVED, USERINFO] {
        forms.push(utf8_percent_encode(secret, set).to_string());
    }
    // As a query string or form body carries it (`a b` as `a+b`).
    forms.push(url::form_urlencoded::byte_serialize(secret.as_bytes()).collect());
    // Inside the dollar-single quotes of `resolve --format env`.
    let dollar = super::resolve_out::shell_quote(secret);
    if let Some(inner) = dollar.strip_prefix("$'").and_then(|d| d.strip_suffix('\'')) {
        forms.push(inner.to_string());
    }
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

/// `key: value` pairs in any text: valid JSON, JSON with comments, TOML,
/// dotenv, single-quoted or unquoted values, an unterminated string, a
/// list. A quoted key may hold escapes (`"p\u0061ssword"`). Each value
/// alternative stays on its line; lists and triple-quoted strings are only
/// opened here and closed by hand, within a bound.
static MEMBER: LazyLock<Regex> = LazyLock::new(|| {
    // Invariant: a literal pattern known to compile.
    Regex::new(
        r#"(?x)
        (?:
            "(?P<qkey>(?:[^"\\\n]|\\.){1,80})"
          | '(?P<skey>[^'\n]{1,80})'
          | (?P<key>[A-Za-z0-9_.\-]{1,80})
        )
        [\x20\t]*[:=][\x20\t]*
        (?P<value>
            (?P<tdq>""")
          | (?P<tsq>''')
          | "(?P<dq>(?:[^"\\\n]|\\.)*)(?P<dqend>"?)
          | '(?P<sq>[^'\n]*)'?
          | (?P<list>\[)
          | (?P<bare>[^\s,}\]\[{"'][^,}\]\n]*)
        )"#,
    )
    .expect("the member pattern compiles")
});

/// How far a list or a triple-quoted string under a secret key is
/// followed when it does not close: far enough for any real credential,
/// and a bound on the work an adversarial file can cause.
const OPEN_VALUE_MAX: usize = 64 * 1024;

/// A string inside a list's text: `"a"`, `'b'`.
static LIST_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    // Invariant: a literal pattern known to compile.
    Regex::new(r#""((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'"#).expect("the item pattern compiles")
});

/// One value found under a secret-looking key: its byte range in the text
/// and its text (JSON escapes decoded where they can be).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMember {
    pub range: std::ops::Range<usize>,
    pub value: String,
}

fn decode_json_string(raw: &str) -> String {
    serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap_or_else(|_| raw.into())
}

/// The end of an open value starting at `from`: just past `closer`, or the
/// bound, or the end of the text.
fn close_open_value(text: &str, from: usize, closer: &str) -> (usize, usize) {
    let limit = super::escape::floor_char_boundary(text, from.saturating_add(OPEN_VALUE_MAX));
    match text[from..limit].find(closer) {
        Some(i) => (from + i, from + i + closer.len()),
        None => (limit, limit),
    }
}

/// Every value under a secret-looking key in `text`, valid JSON or not.
/// The value of any other key is searched too (a secret may sit inside
/// it: `"x": [ … {"basic": "admin:PW"} …`).
pub fn secret_members(text: &str) -> Vec<SecretMember> {
    let mut found = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let Some(caps) = MEMBER.captures_at(text, pos) else {
            break;
        };
        let (Some(whole), Some(value_group)) = (caps.get(0), caps.name("value")) else {
            break;
        };
        let key = if let Some(k) = caps.name("qkey") {
            decode_json_string(k.as_str())
        } else if let Some(k) = caps.name("skey").or_else(|| caps.name("key")) {
            k.as_str().to_string()
        } else {
            String::new()
        };
        if !is_secret_name(key.trim()) {
            // Go on from the value itself, not past it.
            pos = value_group.start().max(pos + 1);
            continue;
        }
        pos = whole.end().max(pos + 1);
        if let Some(open) = caps.name("list") {
            // `"basic": ["user", "PW"]`, over lines: every string of it.
            let (inner_end, end) = close_open_value(text, open.end(), "]");
            let inner = &text[open.end()..inner_end];
            for item in LIST_ITEM.captures_iter(inner) {
                if let Some(m) = item.get(1).or_else(|| item.get(2)) {
                    let start = open.end() + m.start();
                    found.push(SecretMember {
                        range: start..start + m.len(),
                        value: decode_json_string(m.as_str()),
                    });
                }
            }
            pos = pos.max(end);
            continue;
        }
        if let Some(open) = caps.name("tdq").or_else(|| caps.name("tsq")) {
            let (inner_end, end) = close_open_value(text, open.end(), open.as_str());
            found.push(SecretMember {
                range: open.end()..inner_end,
                value: text[open.end()..inner_end].to_string(),
            });
            pos = pos.max(end);
            continue;
        }
        let Some(m) = ["dq", "sq", "bare"].iter().find_map(|name| caps.name(name)) else {
            continue;
        };
        let raw = m.as_str().trim_end();
        if caps.name("bare").is_some() && matches!(raw, "true" | "false" | "null") {
            continue;
        }
        let mut range = m.start()..m.start() + raw.len();
        let mut value = if caps.name("dq").is_some() {
            decode_json_string(raw)
        } else {
            raw.to_string()
        };
        if caps.name("dq").is_some() {
            let line_end = text[range.end..]
                .find('\n')
                .map_or(text.len(), |i| range.end + i);
            let terminated = caps.name("dqend").is_some_and(|e| !e.is_empty());
            let after = text[whole.end().min(line_end)..line_end].trim_start();
            if !terminated {
                // A raw newline inside the value: it goes on to the next
                // line's first quote.
                let next_end = text
                    .get(line_end + 1..)
                    .and_then(|rest| rest.find(['"', '\n']))
                    .map_or(text.len(), |i| line_end + 1 + i);
                if next_end > line_end + 1 {
                    found.push(SecretMember {
                        range: line_end + 1..next_end,
                        value: text[line_end + 1..next_end].trim().to_string(),
                    });
                }
            } else if !after.is_empty()
                && !after.starts_with([',', '}', ']'])
                && !after.starts_with("//")
            {
                // `"password": "Pa55"word-rest"`: a quote pasted unescaped;
                // the value runs to the last quote of the line.
                let rest = &text[range.end..line_end];
                let last_quote = rest.rfind('"').unwrap_or(rest.len());
                value = text[range.start..range.end + last_quote].to_string();
                range.end = line_end;
            }
        }
        found.push(SecretMember { range, value });
    }
    found
}

/// `text` with every value under a secret-looking key replaced by `*`, byte
/// for byte (spans stay valid): for snippets of files that are not the
/// config, such as a policy file (or a dotenv file given as one).
pub fn mask_secret_members(text: &str) -> String {
    let mut masked = Masked::new(text, false);
    for member in secret_members(text) {
        masked.mask(member.range);
    }
    masked.finish()
}

/// A text masked byte for byte: every byte of a secret becomes `*` (line
/// breaks and quotes stay, and with `keep_names` the `${NAME` parts of
/// references), so that spans into it keep their offsets.
pub(crate) struct Masked<'a> {
    text: &'a str,
    bytes: Vec<u8>,
    keep_names: bool,
}

impl<'a> Masked<'a> {
    pub(crate) fn new(text: &'a str, keep_names: bool) -> Self {
        Masked {
            text,
            bytes: text.as_bytes().to_vec(),
            keep_names,
        }
    }

    pub(crate) fn mask(&mut self, range: std::ops::Range<usize>) {
        let Some(raw) = self.text.get(range.clone()) else {
            return;
        };
        let keep = if self.keep_names {
            crate::expand::reference_name_spans(raw)
        } else {
            Vec::new()
        };
        for (i, b) in self.bytes.get_mut(range).into_iter().flatten().enumerate() {
            if !matches!(*b, b'\n' | b'"') && !keep.iter().any(|k| k.contains(&i)) {
                *b = b'*';
            }
        }
    }

    pub(crate) fn finish(self) -> String {
        // Whole bytes replaced with ASCII, except inside a multi-byte
        // character cut at a range edge; lossy decoding keeps the length.
        String::from_utf8(self.bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
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
    // applied or not), and the words of dotenv lines that were skipped.
    // ... but not `USE_API_KEY=true`: hiding every "true" of a report would
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
                let expansion = crate::expand::expand(&member.value, env);
                // Literal text beside the references (`${A}${B}cd`): the
                // value as written holds part of the password, wherever
                // else it is repeated. `${PW}` alone is only a name.
                let referenced: usize = expansion.substitutions.iter().map(|s| s.range.len()).sum();
                if referenced < member.value.len() {
                    secrets.push(member.value.clone());
                }
                passwords.push(expansion.text);
            }
        }
    }
    // A user written as `user:password` (auth-user-invalid) carries one.
    if let Some((_, after)) = user.as_deref().and_then(|u| u.split_once(':')) {
        passwords.push(after.to_string());
        secrets.extend(user.clone());
    }
    // Passwords inside URLs, `scheme://user:password@host`, in the values
    // the run reads (`SWML_PROXY_URL_BASE`, `DATABASE_URL` that a setting
    // references) and anywhere in the config text.
    let config_text = res
        .config
        .as_ref()
        .and_then(|c| c.text.as_deref())
        .map(String::as_str);
    for text in env.iter().map(|(_, v)| v.value.as_str()).chain(config_text) {
        // Most texts hold no URL with credentials: skip the pattern then.
        if !(text.contains("://") && text.contains('@')) {
            continue;
        }
        for caps in URL_USERINFO.captures_iter(text) {
            if let Some(m) = caps.get(1) {
                secrets.push(m.as_str().to_string());
                if let Ok(decoded) = percent_encoding::percent_decode_str(m.as_str()).decode_utf8()
                {
                    secrets.push(decoded.into_owned());
                }
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

/// The password of a URL's userinfo: `scheme://user:PASSWORD@host`.
static URL_USERINFO: LazyLock<Regex> = LazyLock::new(|| {
    // Invariant: a literal pattern known to compile.
    Regex::new(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]*:([^@\s/]+)@")
        .expect("the userinfo pattern compiles")
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values_under_secret_keys_in_broken_text() {
        let text = r#"{'pasword': 'pw-one', passwd: pw-two, "password ": "pw\"three
        // "token": "pw-four"
        "password": "pw-five"#;
        let values: Vec<String> = secret_members(text)
            .into_iter()
            .map(|m| m.value)
            .filter(|v| v.len() >= MIN_SEARCHED_LEN)
            .collect();
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
    fn json_text_stays_json_when_a_secret_matches_its_structure() {
        // "    " is the indentation itself: left, the document stays valid.
        let secrets = ["hunter22", "12345678", "    "].map(String::from);
        let r = Redactor::new(secrets);
        let text = serde_json::to_string_pretty(&serde_json::json!({
            "version": 1,
            "a": "x hunter22 y",
            "n": 12345678,
            "hunter22": [true, "z\"12345678\""],
        }))
        .unwrap();
        let out = r.redact_json_text(&text);
        let v: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        assert_eq!(
            v,
            serde_json::json!({
                "version": 1,
                "a": "x <redacted> y",
                "n": "<redacted>",
                "<redacted>": [true, "z\"<redacted>\""],
            })
        );
    }

    #[test]
    fn a_secret_across_a_value_and_its_punctuation_keeps_the_document_valid() {
        let r = Redactor::new(["pem\",".to_string(), "x</a><b y=\"1".to_string()]);
        let text =
            serde_json::to_string_pretty(&serde_json::json!({"a": "k.pem", "n": 1})).unwrap();
        let out = r.redact_json_text(&text);
        let v: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        assert_eq!(v, serde_json::json!({"a": "k.<redacted>", "n": 1}));

        let out = r.redact_xml_text(r#"<r><a>x</a><b y="12">z</b></r>"#);
        let doc = roxmltree::Document::parse(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(texts, ["<redacted>", "z"]);
        let b = doc.descendants().find(|n| n.has_tag_name("b")).unwrap();
        assert_eq!(b.attribute("y"), Some("<redacted>2"));
    }

    #[test]
    fn toml_text_stays_toml_when_a_secret_spans_a_string_and_its_quote() {
        let r = Redactor::new(["pem\"\nb".to_string(), "x\\'s\"".to_string()]);
        let text = "a = \"k.pem\"\nb = 'x\\'\nc = \"x\\\\'s\\\"\"\n";
        let out = r.redact_toml_text(text);
        let t: toml::Table = out.parse().unwrap_or_else(|e| panic!("{e}: {out}"));
        assert_eq!(t["a"].as_str(), Some("k.<redacted>"));
        assert_eq!(t["b"].as_str(), Some("x\\"));
        assert_eq!(t["c"].as_str(), Some("<redacted>"));
    }

    #[test]
    fn json_values_that_are_a_secret_as_numbers_are_redacted() {
        let r = Redactor::new(["12345678".to_string()]);
        let mut doc = serde_json::json!({"rate_limit": 12345678, "port": 3000});
        r.redact_json(&mut doc);
        assert_eq!(
            doc,
            serde_json::json!({"rate_limit": "<redacted>", "port": 3000})
        );
    }

    #[test]
    fn xml_text_stays_xml_when_a_secret_is_in_an_attribute_or_the_markup() {
        let r = Redactor::new([
            "ssl_enabled".to_string(),
            "testcase".to_string(),
            "p&w'\"<>x".to_string(),
        ]);
        let text = concat!(
            r#"<?xml version="1.0"?><testsuite><testcase name='a' classname="x">"#,
            r#"<skipped message="HTTPS is off (ssl_enabled) p&amp;w&apos;&quot;&lt;&gt;x"/>"#,
            "ssl_enabled p&amp;w&apos;&quot;&lt;&gt;x</testcase></testsuite>"
        );
        let out = r.redact_xml_text(text);
        let doc = roxmltree::Document::parse(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        let case = doc
            .descendants()
            .find(|n| n.has_tag_name("testcase"))
            .unwrap();
        assert_eq!(case.text(), None);
        let skipped = doc
            .descendants()
            .find(|n| n.has_tag_name("skipped"))
            .unwrap();
        assert_eq!(
            skipped.attribute("message"),
            Some("HTTPS is off (<redacted>) <redacted>")
        );
        let tail = case.last_child().and_then(|n| n.text());
        assert_eq!(tail, Some("<redacted> <redacted>"));
    }

    #[test]
    fn a_password_mixing_references_and_text_is_hidden_as_written() {
        let env = EnvView::from_pairs([("PW".to_string(), "x".to_string())]);
        let config = br#"{"security": {"auth": {"basic": {"password": "${A}${B}cd-literal"}},
            "ssl_cert_path": "${A}${B}cd-literal", "domain": "${PW}"}}"#;
        let res = crate::resolve::resolve_with_config_bytes(&env, "config.json", config);
        let secrets = secrets_of_run(&res, &env, []);
        assert!(secrets.iter().any(|s| s == "${A}${B}cd-literal"));
        // A reference alone is only a name.
        let config = br#"{"security": {"auth": {"basic": {"password": "${PW}"}}}}"#;
        let res = crate::resolve::resolve_with_config_bytes(&env, "config.json", config);
        assert!(!secrets_of_run(&res, &env, []).iter().any(|s| s == "${PW}"));
        for format in [
            crate::cli::CheckFormat::Human,
            crate::cli::CheckFormat::Json,
        ] {
            let out = crate::commands::check::check_in_memory(
                br#"{"security": {"auth": {"basic": {"password": "${A}${B}cd-literal"}},
                    "ssl_enabled": true, "ssl_cert_path": "${A}${B}cd-literal"}}"#,
                &env,
                format,
                crate::policy::Profile::Prod,
                1_800_000_000,
            );
            assert!(!out.contains("cd-literal"), "{out}");
        }
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
    fn a_secret_inside_an_open_list_of_another_key_is_found() {
        // Found by the redact fuzz target: `"x": [` never closed swallowed
        // the next line, where the credential was.
        let text = "{'passwo\u{17}d': 1, \"x\": [\n{\"security\":{\"auth\":{\"basic\":\"admin:s3cr3t\\\\u0041bc\"}}}";
        let values: Vec<String> = secret_members(text).into_iter().map(|m| m.value).collect();
        assert!(
            values.contains(&"admin:s3cr3t\\u0041bc".to_string()),
            "{values:?}"
        );
        // A list under a secret key is followed over lines, within a bound.
        let text = "\"api_token\": [\n  \"tok-one-1234\",\n  \"tok-two-5678\"\n]";
        let values: Vec<String> = secret_members(text).into_iter().map(|m| m.value).collect();
        assert_eq!(values, ["tok-one-1234", "tok-two-5678"]);
        let open = format!("\"token\": [{}", "\"a\", ".repeat(100_000));
        assert!(secret_members(&open).len() < 100_000);
    }

    #[test]
    fn short_secrets_are_whole_values_only() {
        let r = Redactor::new(["ab".to_string()]);
        assert_eq!(r.redact("absolutely"), "absolutely");
        assert!(r.hides("ab"));
    }
}
