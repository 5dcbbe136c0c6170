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
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};
use base64::Engine as _;
use regex::Regex;

use crate::finding::{Finding, Location};
use crate::input::{EnvView, is_secret_name};

pub const REDACTED: &str = "<redacted>";

/// Secrets shorter than this (in characters) are not searched for in free
/// text by the net: they would match the tool's own words (`error`, `SWML`)
/// and what was cut would tell the reader the password. They are masked in
/// their own slot, and auth-password-weak reports them.
pub const NET_MIN_CHARS: usize = 8;

/// A secret whose zxcvbn estimate is below this many guesses (log10) is a
/// dictionary word or a common password: as ambiguous as a short one.
const COMMON_GUESSES_LOG10: f64 = 6.0;

/// Longer forms are searched by their first bytes and confirmed in the
/// text: the automaton stays small whatever the secret's length (a
/// repetitive or 1 MiB secret made aho-corasick's DFA quadratic).
const ANCHOR_LEN: usize = 64;

/// Whether the net may search for `secret` in free text: long enough, not a
/// piece of the tool's own text, not a dictionary word or common password.
pub fn is_unambiguous(secret: &str) -> bool {
    is_unambiguous_within(secret, &mut 1)
}

/// How many secrets of a run zxcvbn judges (the shortest first): about
/// 0.2 ms each, and a dotenv file can hold thousands of candidates.
const ZXCVBN_BUDGET: usize = 256;

/// [`is_unambiguous`], spending one of `zxcvbn_budget` on a dictionary
/// check; past the budget a secret is searched for (hiding it matters more).
fn is_unambiguous_within(secret: &str, zxcvbn_budget: &mut usize) -> bool {
    if secret.trim().chars().nth(NET_MIN_CHARS - 1).is_none() {
        return false;
    }
    let short = secret.chars().nth(256).is_none();
    if short && super::vocab::is_own_text(secret) {
        return false;
    }
    // zxcvbn only where a dictionary word or common password can be: they
    // have a few dozen characters at most.
    if secret.chars().nth(32).is_none() && *zxcvbn_budget > 0 {
        *zxcvbn_budget -= 1;
        return zxcvbn::zxcvbn(secret, &[]).guesses_log10() >= COMMON_GUESSES_LOG10;
    }
    true
}

#[derive(Clone, Default)]
pub struct Redactor {
    /// Every secret of the run: a value slot equal to one is masked.
    all: HashSet<String>,
    /// For each anchor of the net's automaton, the whole forms that start
    /// with it, longest first.
    full: Vec<Vec<String>>,
    matcher: Option<AhoCorasick>,
    /// The ambiguous secrets as a message quotes a value (`"agent"`):
    /// hidden there without touching the same word elsewhere.
    quoted: Option<AhoCorasick>,
    /// The automaton could not be built: every output is withheld.
    broken: bool,
}

impl std::fmt::Debug for Redactor {
    /// How many secrets, never which.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.all.len())
            .field("net_patterns", &self.full.len())
            .field("broken", &self.broken)
            .finish()
    }
}

fn build_matcher(patterns: &[String]) -> Option<AhoCorasick> {
    // The contiguous NFA: linear to build in the patterns' size, where the
    // DFA grew with the square of a repetitive pattern.
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(patterns)
        .ok()
}

impl Redactor {
    /// A redactor that redacts nothing (`--show-secrets`).
    pub fn none() -> Self {
        Self::default()
    }

    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let all: HashSet<String> = secrets.into_iter().filter(|s| !s.is_empty()).collect();
        let mut by_anchor: HashMap<String, Vec<String>> = HashMap::new();
        let mut quoted_forms: Vec<String> = Vec::new();
        let mut ordered: Vec<&String> = all.iter().collect();
        ordered.sort_unstable_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        let mut zxcvbn_budget = ZXCVBN_BUDGET;
        for secret in ordered {
            if !is_unambiguous_within(secret, &mut zxcvbn_budget) {
                if !secret.trim().is_empty() && secret.len() <= 256 {
                    quoted_forms.push(format!("{secret:?}"));
                    quoted_forms.push(format!("'{secret}'"));
                    quoted_forms.push(format!("`{secret}`"));
                }
                continue;
            }
            let mut forms = forms_of(secret);
            forms.sort_unstable();
            forms.dedup();
            for form in forms {
                if form.chars().nth(NET_MIN_CHARS - 1).is_none() {
                    continue;
                }
                // Never empty: a form has at least NET_MIN_CHARS characters.
                let cut = super::escape::floor_char_boundary(&form, ANCHOR_LEN);
                let anchor = form[..cut].to_string();
                by_anchor.entry(anchor).or_default().push(form);
            }
        }
        let mut anchors: Vec<(String, Vec<String>)> = by_anchor.into_iter().collect();
        anchors.sort_unstable();
        let mut full = Vec::with_capacity(anchors.len());
        let mut patterns = Vec::with_capacity(anchors.len());
        for (anchor, mut forms) in anchors {
            forms.sort_unstable_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
            forms.dedup();
            patterns.push(anchor);
            full.push(forms);
        }
        // Building fails only past aho-corasick's size limits, far beyond
        // the anchors a run has; then every output is withheld rather than
        // shown unredacted.
        let matcher = if patterns.is_empty() {
            None
        } else {
            build_matcher(&patterns)
        };
        let broken = !patterns.is_empty() && matcher.is_none();
        quoted_forms.sort_unstable();
        quoted_forms.dedup();
        let quoted = if quoted_forms.is_empty() {
            None
        } else {
            build_matcher(&quoted_forms)
        };
        Redactor {
            all,
            full,
            matcher,
            quoted,
            broken,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    fn broken(&self) -> bool {
        self.broken
    }

    /// The automaton could not be built: every output is withheld.
    pub fn withholds_all(&self) -> bool {
        self.broken
    }

    /// A form the net searches for holds a line break, so a document may
    /// only be gated whole, never line by line.
    pub fn spans_lines(&self) -> bool {
        self.full
            .iter()
            .flatten()
            .any(|form| form.contains(['\n', '\r']))
    }

    /// Patterns in the net's automaton: a bound on its size.
    pub fn net_patterns(&self) -> usize {
        self.full.len()
    }

    /// Bytes of every pattern in the net's automaton.
    pub fn net_pattern_bytes(&self) -> usize {
        self.matcher.as_ref().map_or(0, AhoCorasick::memory_usage)
    }

    /// The byte ranges where a searched secret stands in `text`, sorted and
    /// disjoint. Linear in the text, plus the length of each secret
    /// confirmed past its anchor.
    fn net_matches(&self, text: &str) -> Vec<Range<usize>> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < text.len() {
            let Some(m) = matcher.find(Input::new(text).span(pos..text.len())) else {
                break;
            };
            let rest = &text[m.start()..];
            let end = self.full[m.pattern().as_usize()]
                .iter()
                .find(|form| rest.starts_with(form.as_str()))
                .map_or(m.end(), |form| m.start() + form.len());
            out.push(m.start()..end);
            pos = end.max(m.end());
        }
        out
    }

    /// `text` with every searched secret replaced by `<redacted>`, the
    /// tool's own tokens left standing.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.redact_as(text, REDACTED)
    }

    /// `text` with every searched secret replaced by `replacement`.
    fn redact_as<'a>(&self, text: &'a str, replacement: &'static str) -> Cow<'a, str> {
        if self.broken() {
            return Cow::Owned(replacement.to_string());
        }
        let matches = self.net_matches(text);
        if matches.is_empty() {
            return Cow::Borrowed(text);
        }
        let whole = [Content::part(0..text.len(), replacement)];
        Cow::Owned(cut(text, &matches, &whole))
    }

    /// A message, help or label: the net, then each ambiguous secret where
    /// the text quotes it as a value (`"agent"`).
    fn redact_message<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let netted = self.redact(text);
        let Some(quoted) = &self.quoted else {
            return netted;
        };
        if !quoted.is_match(netted.as_ref()) {
            return netted;
        }
        let mut out = String::with_capacity(netted.len());
        let mut last = 0;
        for m in quoted.find_iter(netted.as_ref()) {
            let q = &netted[m.range()];
            let open = q.chars().next().map_or(1, char::len_utf8);
            let close = q.chars().next_back().map_or(1, char::len_utf8);
            out.push_str(&netted[last..m.start() + open]);
            out.push_str(REDACTED);
            out.push_str(&netted[m.end() - close..m.end()]);
            last = m.end();
        }
        out.push_str(&netted[last..]);
        Cow::Owned(out)
    }

    /// A serialised JSON document with its secrets redacted token by token,
    /// so that it stays valid JSON: inside strings the marker replaces the
    /// secret; a number that holds one becomes the string `"<redacted>"`;
    /// keys, rule ids, severities and `true`/`false`/`null` are never cut.
    pub fn redact_json_text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let matches = match self.matches_to_cut(text) {
            Ok(matches) => matches,
            Err(answer) => return answer,
        };
        let scalar = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+');
        let mut content = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'"' {
                let body = i + 1;
                let mut j = body;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let j = j.min(bytes.len());
                content.push(Content::part(body..j, REDACTED));
                i = j + 1;
            } else if scalar(bytes[i]) {
                let start = i;
                while i < bytes.len() && scalar(bytes[i]) {
                    i += 1;
                }
                if !matches!(&text[start..i], "true" | "false" | "null") {
                    content.push(Content {
                        range: start..i,
                        whole: true,
                        marker: "\"<redacted>\"",
                    });
                }
            } else {
                i += 1;
            }
        }
        Cow::Owned(cut(text, &matches, &content))
    }

    /// Where the structure-aware redactors cut `text`, or their answer when
    /// there is nothing to cut: all withheld when the matcher could not be
    /// built, the text as it is when no secret stands in it.
    fn matches_to_cut<'a>(&self, text: &'a str) -> Result<Vec<Range<usize>>, Cow<'a, str>> {
        if self.broken() {
            return Err(Cow::Borrowed(REDACTED));
        }
        let matches = self.net_matches(text);
        if matches.is_empty() {
            Err(Cow::Borrowed(text))
        } else {
            Ok(matches)
        }
    }

    /// A serialised XML document (ours: well-formed, double or single
    /// quoted attributes, no CDATA) with its secrets redacted in character
    /// data and attribute values only, the marker written `&lt;redacted&gt;`,
    /// so that it stays well-formed. The XML declaration is never touched.
    pub fn redact_xml_text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let matches = match self.matches_to_cut(text) {
            Ok(matches) => matches,
            Err(answer) => return answer,
        };
        let mut content = Vec::new();
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            if rest.starts_with("<?") || rest.starts_with("<!") {
                // The declaration and comments: markup only.
                i += rest.find('>').map_or(rest.len(), |e| e + 1);
            } else if rest.starts_with('<') {
                let mut quote: Option<(u8, usize)> = None;
                let mut end = rest.len();
                for (k, &b) in rest.as_bytes().iter().enumerate() {
                    match quote {
                        Some((q, start)) if b == q => {
                            content.push(Content::part(i + start..i + k, MARKER));
                            quote = None;
                        }
                        Some(_) => {}
                        None if b == b'"' || b == b'\'' => quote = Some((b, k + 1)),
                        None if b == b'>' => {
                            end = k + 1;
                            break;
                        }
                        None => {}
                    }
                }
                if let Some((_, start)) = quote {
                    // Unterminated value (not produced by our writer).
                    content.push(Content::part(i + start..text.len(), MARKER));
                }
                i += end;
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                content.push(Content::part(i..i + end, MARKER));
                i += end;
            }
        }
        Cow::Owned(cut(text, &matches, &content))
    }

    /// A serialised TOML document (ours: made from JSON data, every string
    /// already redacted and escaped, no comments) whose text still holds a
    /// secret across a string and its punctuation: the parts inside strings
    /// are replaced, so that it stays valid TOML.
    pub fn redact_toml_text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let matches = match self.matches_to_cut(text) {
            Ok(matches) => matches,
            Err(answer) => return answer,
        };
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
        Cow::Owned(cut(text, &matches, &content))
    }

    /// True when `value` is a secret of the run or holds one the net
    /// searches for: its slot is then masked.
    pub fn hides(&self, value: &str) -> bool {
        self.broken() || self.all.contains(value) || !self.net_matches(value).is_empty()
    }

    /// Byte ranges of `text` that hold a secret, for masking a snippet's
    /// source.
    pub fn find_ranges(&self, text: &str) -> Vec<Range<usize>> {
        self.net_matches(text)
    }

    /// Redacts every string of a JSON document in place, keys included, so
    /// that the document stays valid whatever the secret looks like. A
    /// string that is one of the tool's own tokens is never touched.
    pub fn redact_json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(s) => {
                if super::vocab::is_own_token(s) {
                    return;
                }
                if self.all.contains(s.as_str()) {
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
                    let key = if super::vocab::is_own_token(&k) {
                        k
                    } else {
                        self.redact(&k).into_owned()
                    };
                    map.insert(key, v);
                }
            }
            // A password of digits re-typed to a number, shown as another
            // setting's value: the number becomes the marker string.
            Value::Number(_) => {
                if !self.net_matches(&value.to_string()).is_empty() {
                    *value = Value::String(REDACTED.to_string());
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }

    /// Redacts, escapes and clips every text of a finding: messages, help,
    /// labels, settings and locations. Renderers then only see safe text.
    pub fn sanitize_finding(&self, f: &mut Finding) {
        // Each text is replaced only where something changed: most of the
        // 300,000 findings of a large config have nothing to redact.
        let sanitized = |s: &str| -> Option<String> {
            let redacted = self.redact_message(s);
            let escaped = super::escape::escape(&redacted);
            let clipped = super::escape::clip(&escaped, MAX_MESSAGE_CHARS);
            let changed = [&redacted, &escaped, &clipped]
                .iter()
                .any(|step| matches!(step, Cow::Owned(_)));
            changed.then(|| clipped.into_owned())
        };
        let in_place = |s: &mut Box<str>| {
            if let Some(new) = sanitized(s) {
                *s = new.into();
            }
        };
        in_place(&mut f.message);
        f.help.iter_mut().for_each(in_place);
        f.map_label(|s| sanitized(s).unwrap_or_else(|| s.to_string()));
        f.setting.iter_mut().for_each(in_place);
        match &mut f.location {
            Location::File { path, pointer, .. } => {
                if let Some(new) = sanitized(path) {
                    *path = new.into();
                }
                pointer.iter_mut().for_each(in_place);
            }
            Location::Path { path } => in_place(path),
            Location::Env { name, env_file, .. } => {
                in_place(name);
                env_file.iter_mut().for_each(in_place);
            }
            Location::Url { url } => in_place(url),
            Location::Default => {}
        }
    }
}

fn push_edit(
    edits: &mut Vec<(Range<usize>, &'static str)>,
    piece: Range<usize>,
    marker: &'static str,
) {
    if !piece.is_empty() && edits.last().is_none_or(|(last, _)| last.end <= piece.start) {
        edits.push((piece, marker));
    }
}

/// `text` with each secret match removed from the content it touches: the
/// part inside each content range (or, for a `whole` one, the whole range)
/// becomes its marker, except where one of the tool's own tokens stands
/// (a secret made of markup and a rule id leaves the rule id). Matches,
/// contents and tokens are each sorted and disjoint: one sweep, linear.
fn cut(text: &str, matches: &[Range<usize>], content: &[Content]) -> String {
    let own = super::vocab::own_token_ranges(text);
    let mut edits: Vec<(Range<usize>, &'static str)> = Vec::new();
    let mut o = 0;
    let mut c = 0;
    for r in matches {
        while c < content.len() && content[c].range.end <= r.start {
            c += 1;
        }
        let mut k = c;
        while k < content.len() && content[k].range.start < r.end {
            let item = &content[k];
            k += 1;
            let piece = if item.whole {
                item.range.clone()
            } else {
                r.start.max(item.range.start)..r.end.min(item.range.end)
            };
            if piece.is_empty() {
                continue;
            }
            while o < own.len() && own[o].end <= piece.start {
                o += 1;
            }
            if item.whole {
                // A scalar token goes whole, unless it touches our own.
                if own.get(o).is_none_or(|t| t.start >= piece.end) {
                    push_edit(&mut edits, piece, item.marker);
                }
                continue;
            }
            let mut start = piece.start;
            let mut t = o;
            while start < piece.end {
                match own.get(t) {
                    Some(token) if token.start < piece.end => {
                        let gap = start..token.start.max(start);
                        // Only spaces between two of our own words: markup.
                        if !text[gap.clone()].trim().is_empty() {
                            push_edit(&mut edits, gap, item.marker);
                        }
                        start = start.max(token.end);
                        t += 1;
                    }
                    _ => {
                        push_edit(&mut edits, start..piece.end, item.marker);
                        break;
                    }
                }
            }
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (piece, marker) in edits {
        out.push_str(&text[last..piece.start]);
        out.push_str(marker);
        last = piece.end;
    }
    out.push_str(&text[last..]);
    out
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
/// A member's key and the separator after it: the part [`MEMBER`] and
/// [`MEMBER_KEY`] share.
const MEMBER_KEY_PART: &str = r#"
        (?:
            "(?P<qkey>(?:[^"\\\n]|\\.){1,80})"
          | '(?P<skey>[^'\n]{1,80})'
          | (?P<key>[A-Za-z0-9_.\-]{1,80})
        )
        [\x20\t]*[:=][\x20\t]*"#;

static MEMBER: LazyLock<Regex> = LazyLock::new(|| {
    // Invariant: a literal pattern known to compile.
    Regex::new(&format!(
        r#"(?x){MEMBER_KEY_PART}
        (?P<value>
            (?P<tdq>""")
          | (?P<tsq>''')
          | "(?P<dq>(?:[^"\\\n]|\\.)*)(?P<dqend>"?)
          | '(?P<sq>[^'\n]*)'?
          | (?P<list>\[)
          | (?P<bare>[^\s,}}\]\[{{"'][^,}}\]\n]*)
        )"#
    ))
    .expect("the member pattern compiles")
});

/// The key part of [`MEMBER`] and the first character of its value.
static MEMBER_KEY: LazyLock<Regex> = LazyLock::new(|| {
    // Invariant: a literal pattern known to compile.
    Regex::new(&format!(r#"(?x){MEMBER_KEY_PART}(?P<vstart>[^\s,}}\]{{])"#))
        .expect("the member key pattern compiles")
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
        // The key alone first: matching a whole member for every key made
        // `k:k:k:…` quadratic (each bare value runs to the end of its line).
        let Some(found_key) = MEMBER_KEY.find_at(text, pos) else {
            break;
        };
        if !crate::input::may_hold_secret_name(found_key.as_str()) {
            // Most keys of a large config: no capture groups, no decoding.
            let value_char = found_key
                .as_str()
                .chars()
                .next_back()
                .map_or(1, char::len_utf8);
            pos = (found_key.end() - value_char).max(pos + 1);
            continue;
        }
        let Some(key_caps) = MEMBER_KEY.captures_at(text, found_key.start()) else {
            break;
        };
        let (Some(key_whole), Some(value_start)) = (key_caps.get(0), key_caps.name("vstart"))
        else {
            break;
        };
        let key = if let Some(k) = key_caps.name("qkey") {
            decode_json_string(k.as_str())
        } else if let Some(k) = key_caps.name("skey").or_else(|| key_caps.name("key")) {
            k.as_str().to_string()
        } else {
            String::new()
        };
        if !is_secret_name(key.trim()) {
            // Go on from the value itself, not past it.
            pos = value_start.start().max(pos + 1);
            continue;
        }
        let Some(caps) = MEMBER.captures_at(text, key_whole.start()) else {
            pos = value_start.start().max(pos + 1);
            continue;
        };
        let Some(whole) = caps.get(0) else {
            break;
        };
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
    mask_secret_members_mapped(text).0
}

/// [`mask_secret_members`], and where the original offsets land.
pub fn mask_secret_members_mapped(text: &str) -> (String, OffsetMap) {
    let mut masked = Masked::new(text, false);
    for member in secret_members(text) {
        masked.mask(member.range);
    }
    masked.finish_mapped()
}

/// A text with secrets masked: each run of a secret's bytes becomes one
/// fixed-width mask, whatever its length (line breaks and quotes stay, and
/// with `keep_names` the `${NAME` parts of references made only of
/// references). An [`OffsetMap`] moves spans into the original text onto
/// the masked one.
pub(crate) struct Masked<'a> {
    text: &'a str,
    masked: Vec<bool>,
    keep_names: bool,
}

/// What a masked run of a secret's bytes becomes: the same width for any
/// secret, so a snippet does not tell its length.
pub const MASK: &str = "*****";

/// Where spans of a text land once its secrets are masked.
#[derive(Debug, Clone, Default)]
pub struct OffsetMap {
    /// (original run, masked run), sorted and disjoint.
    runs: Vec<(Range<usize>, Range<usize>)>,
}

impl OffsetMap {
    /// `pos` in the original text as an offset in the masked one: inside a
    /// masked run, its start (`end` false) or its end.
    pub fn map(&self, pos: usize, end: bool) -> usize {
        let i = self.runs.partition_point(|(orig, _)| orig.start <= pos);
        let Some((orig, new)) = i.checked_sub(1).and_then(|i| self.runs.get(i)) else {
            return pos;
        };
        if pos < orig.end {
            if end && pos > orig.start {
                new.end
            } else {
                new.start
            }
        } else {
            pos - orig.end + new.end
        }
    }

    pub fn map_range(&self, range: &Range<usize>) -> Range<usize> {
        let start = self.map(range.start, false);
        start..self.map(range.end, true).max(start)
    }
}

impl<'a> Masked<'a> {
    pub(crate) fn new(text: &'a str, keep_names: bool) -> Self {
        Masked {
            text,
            masked: vec![false; text.len()],
            keep_names,
        }
    }

    pub(crate) fn mask(&mut self, range: std::ops::Range<usize>) {
        let Some(raw) = self.text.get(range.clone()) else {
            return;
        };
        // Names of references stay readable only where the value is made of
        // references alone (`${PW}`): beside literal text (`Zq8#v${kT9!mW2}pL4`)
        // a "name" may be a piece of the password.
        let keep = if self.keep_names {
            let spans = crate::expand::reference_name_spans(raw);
            let mut covered = vec![false; raw.len()];
            for r in crate::expand::reference_spans(raw) {
                covered[r].iter_mut().for_each(|c| *c = true);
            }
            let literal = raw
                .bytes()
                .zip(&covered)
                .any(|(b, c)| !*c && !b.is_ascii_whitespace());
            if literal { Vec::new() } else { spans }
        } else {
            Vec::new()
        };
        // `keep` is sorted and disjoint: one pointer, linear in the range.
        let mut k = 0;
        let bytes = raw.as_bytes();
        for (i, m) in self.masked[range].iter_mut().enumerate() {
            while k < keep.len() && keep[k].end <= i {
                k += 1;
            }
            let kept = keep.get(k).is_some_and(|r| r.contains(&i));
            if !matches!(bytes[i], b'\n' | b'"') && !kept {
                *m = true;
            }
        }
    }

    /// The masked text and where the original offsets land in it.
    pub(crate) fn finish_mapped(self) -> (String, OffsetMap) {
        let text = self.text;
        let mut out = String::with_capacity(text.len());
        let mut map = OffsetMap::default();
        let mut last = 0;
        let mut i = 0;
        while i < text.len() {
            if !self.masked[i] {
                i += 1;
                continue;
            }
            // A run, widened to whole characters.
            let start = super::escape::floor_char_boundary(text, i).max(last);
            let mut end = i;
            while end < text.len() && self.masked[end] {
                end += 1;
            }
            while end < text.len() && !text.is_char_boundary(end) {
                end += 1;
            }
            out.push_str(&text[last..start]);
            let new_start = out.len();
            out.push_str(MASK);
            map.runs.push((start..end, new_start..out.len()));
            last = end;
            i = end;
        }
        out.push_str(&text[last..]);
        (out, map)
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
        .as_secret()
        .map(|p| p.expose().to_string());
    // Every other value typed secret where it was read (a private key
    // pasted where a path goes), so that the net also finds it elsewhere.
    secrets.extend(
        SettingId::ALL
            .into_iter()
            .filter(|id| *id != SettingId::BasicAuthPassword)
            .filter_map(|id| res.settings.value(id).as_secret())
            .chain(
                res.settings
                    .flags
                    .iter()
                    .filter_map(|f| f.value.as_secret()),
            )
            .map(|s| s.expose().to_string()),
    );
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
    secrets.extend(
        env.secret_values()
            .into_iter()
            .map(crate::model::Secret::into_exposed)
            .filter(|v| !is_flag_word(v)),
    );
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
    fn a_debug_print_of_the_redactor_names_no_secret() {
        let r = Redactor::new(["Zq8-hunter2-Vx41-Lm".to_string(), "agent".to_string()]);
        let printed = format!("{r:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains("agent"), "{printed}");
    }

    #[test]
    fn finds_values_under_secret_keys_in_broken_text() {
        let text = r#"{'pasword': 'pw-one', passwd: pw-two, "password ": "pw\"three
        // "token": "pw-four"
        "password": "pw-five"#;
        let values: Vec<String> = secret_members(text)
            .into_iter()
            .map(|m| m.value)
            .filter(|v| v.len() >= 4)
            .collect();
        assert_eq!(
            values,
            ["pw-one", "pw-two", "pw\"three", "pw-four", "pw-five"]
        );
    }

    #[test]
    fn redacts_every_form() {
        let r = Redactor::new(["p\"a\\ss w\u{1b}rd".to_string()]);
        assert!(is_unambiguous("p\"a\\ss w\u{1b}rd"));
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
        let secrets = ["Hq7-zunt3r-22x", "83920571946", "    "].map(String::from);
        let r = Redactor::new(secrets);
        let text = serde_json::to_string_pretty(&serde_json::json!({
            "version": 1,
            "a": "x Hq7-zunt3r-22x y",
            "n": 83920571946_u64,
            "Hq7-zunt3r-22x": [true, "z\"83920571946\""],
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
        let r = Redactor::new(["Zq9.pem\",".to_string(), "x</a><b y=\"1".to_string()]);
        let text =
            serde_json::to_string_pretty(&serde_json::json!({"a": "k.Zq9.pem", "n": 1})).unwrap();
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
        let r = Redactor::new(["Zq9.pem\"\nb".to_string(), "Zq9x\\'s\"".to_string()]);
        let text = "a = \"k.Zq9.pem\"\nb = 'x\\'\nc = \"Zq9x\\\\'s\\\"\"\n";
        let out = r.redact_toml_text(text);
        let t: toml::Table = out.parse().unwrap_or_else(|e| panic!("{e}: {out}"));
        assert_eq!(t["a"].as_str(), Some("k.<redacted>"));
        assert_eq!(t["b"].as_str(), Some("x\\"));
        assert_eq!(t["c"].as_str(), Some("<redacted>"));
    }

    #[test]
    fn json_values_that_are_a_secret_as_numbers_are_redacted() {
        let r = Redactor::new(["83920571946".to_string()]);
        let mut doc = serde_json::json!({"rate_limit": 83920571946_u64, "port": 3000});
        r.redact_json(&mut doc);
        assert_eq!(
            doc,
            serde_json::json!({"rate_limit": "<redacted>", "port": 3000})
        );
    }

    #[test]
    fn xml_text_stays_xml_when_a_secret_is_in_an_attribute_or_the_markup() {
        // `ssl_enabled` and `testcase` are the tool's own words: never
        // searched, never cut.
        let r = Redactor::new([
            "ssl_enabled".to_string(),
            "testcase".to_string(),
            "p&w'\"<>x-Zq9".to_string(),
        ]);
        let text = concat!(
            r#"<?xml version="1.0"?><testsuite><testcase name='a' classname="x">"#,
            r#"<skipped message="HTTPS is off (ssl_enabled) p&amp;w&apos;&quot;&lt;&gt;x-Zq9"/>"#,
            "ssl_enabled p&amp;w&apos;&quot;&lt;&gt;x-Zq9</testcase></testsuite>"
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
            Some("HTTPS is off (ssl_enabled) <redacted>")
        );
        let tail = case.last_child().and_then(|n| n.text());
        assert_eq!(tail, Some("ssl_enabled <redacted>"));
    }

    #[test]
    fn a_secret_made_of_markup_and_own_words_never_cuts_them() {
        let r = Redactor::new([
            "error file=Zq9-x".to_string(),
            "\"rule\": \"cert-expired\", \"sev".to_string(),
        ]);
        let out = r.redact("::error file=Zq9-x.json,title=cert-expired::m");
        assert!(out.starts_with("::error file="), "{out}");
        assert!(!out.contains("Zq9-x"), "{out}");
        let json = "{\"rule\": \"cert-expired\", \"severity\": \"error\"}";
        let out = r.redact_json_text(json);
        let v: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        assert_eq!(v["rule"], "cert-expired");
        assert_eq!(v["severity"], "error");
    }

    #[test]
    fn common_and_short_secrets_are_not_searched_but_hidden_in_their_slot() {
        for pw in [
            "error",
            "password",
            "SWML",
            "UTF-8",
            "agent",
            "password123",
            "    ",
        ] {
            assert!(!is_unambiguous(pw), "{pw}");
            let r = Redactor::new([pw.to_string()]);
            let text =
                "error[auth-password-weak]: SWML_SSL_ENABLED UTF-8 agent_config.json password123";
            assert_eq!(r.redact(text), text);
            assert!(r.hides(pw));
        }
        assert!(is_unambiguous("Zq8-hunter2-Vx41-Lm"));
    }

    #[test]
    fn a_long_or_repetitive_secret_keeps_the_automaton_small() {
        let long = "a".repeat(1 << 20);
        let r = Redactor::new([format!("x{long}"), "b".repeat(8192)]);
        assert!(r.net_patterns() <= 2, "{}", r.net_patterns());
        // Anchors of at most 64 bytes: the automaton is small.
        assert!(
            r.net_pattern_bytes() < 64 * 1024,
            "{}",
            r.net_pattern_bytes()
        );
        let text = format!("[x{long}] [{}]", "b".repeat(8192));
        assert_eq!(r.redact(&text), "[<redacted>] [<redacted>]");
        // A piece of the anchor's length is still hidden.
        let piece = format!("<x{}>", &long[..100]);
        assert!(!r.redact(&piece).contains(&long[..70]));
    }

    #[test]
    fn masking_is_linear_fixed_width_and_keeps_only_names_of_pure_references() {
        let text = "\"Zq8#v${kT9!mW2}pL4\" \"${PW}\"";
        let mut m = Masked::new(text, true);
        m.mask(1..19);
        m.mask(22..27);
        let (out, _) = m.finish_mapped();
        assert!(!out.contains("kT9"), "{out}");
        assert!(out.contains("${PW}"), "{out}");
        // Fixed width: a 3- and a 30-character secret mask the same.
        let masked = |secret: &str| {
            let text = format!("{{\"p\": \"{secret}\", \"n\": 1}}");
            let mut m = Masked::new(&text, false);
            m.mask(7..7 + secret.len());
            let (out, map) = m.finish_mapped();
            // The span of `"n"` still points at it.
            let n = text.find("\"n\"").unwrap();
            let mapped = map.map_range(&(n..n + 3));
            assert_eq!(&out[mapped], "\"n\"");
            out
        };
        assert_eq!(masked("abc"), masked(&"x".repeat(30)));
        assert_eq!(masked("é-ü"), format!("{{\"p\": \"{MASK}\", \"n\": 1}}"));
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
