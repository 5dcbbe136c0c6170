//! Escaping of text taken from input (keys, values, paths, variable names,
//! server headers) before it reaches a terminal, a CI log or an XML file.
//!
//! A terminal obeys ESC and BEL, a CR rewrites the line, a newline lets a
//! value start a GitHub workflow command (`::add-mask::`), bidi controls
//! reorder what a reviewer reads, and XML 1.0 cannot carry most C0 controls
//! or U+FFFE/U+FFFF at all. Each such character is shown as a Rust-style
//! escape (`\n`, `\u{1b}`), which keeps the text readable and valid in
//! every format.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters that are never written as they are.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || is_bidi_control(c)
        || matches!(c, '\u{2028}' | '\u{2029}') // line and paragraph separators
        || is_noncharacter(c)
}

fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Unicode noncharacters (U+FDD0..U+FDEF and the last two code points of
/// every plane): invalid in XML, and never meaningful text.
fn is_noncharacter(c: char) -> bool {
    let u = c as u32;
    (0xFDD0..=0xFDEF).contains(&u) || (u & 0xFFFE) == 0xFFFE
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        // Writing into a String cannot fail.
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// `s` with every unsafe character escaped, newlines and tabs included:
/// for text that must stay on one line (messages, names, values, paths).
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_where(s, is_unsafe)
}

/// Like [`escape`], but keeps newlines and tabs: for whole documents whose
/// line structure is ours (a rendered report), as a last line of defence.
/// `keep_colour` keeps the SGR sequences (`ESC [ 1;31 m`) of a terminal we
/// style ourselves; any other ESC (clear screen, cursor moves, titles) is
/// escaped, wherever it came from.
pub fn escape_document(s: &str, keep_colour: bool) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    let is_sgr_at = |i: usize| {
        let rest = &bytes[i + 1..];
        rest.first() == Some(&b'[')
            && rest[1..]
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b';'))
                .is_some_and(|end| rest[1 + end] == b'm')
    };
    let keep = |i: usize, c: char| {
        c == '\n' || c == '\t' || (keep_colour && c == '\u{1b}' && is_sgr_at(i)) || !is_unsafe(c)
    };
    if s.char_indices().all(|(i, c)| keep(i, c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, c) in s.char_indices() {
        if keep(i, c) {
            out.push(c);
        } else {
            push_escaped(&mut out, c);
        }
    }
    Cow::Owned(out)
}

fn escape_where(s: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    let Some(first) = s.find(&unsafe_char) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if unsafe_char(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The largest char boundary of `text` at or below `i` (clamped to its
/// length): for byte offsets from input that may fall inside a character.
pub fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// At most `max` characters of `s`, with `…` and the number of characters
/// left out, so that a finding about a megabyte-long key stays a line.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((cut, _)) => {
            let rest = s[cut..].chars().count();
            Cow::Owned(format!("{}… ({rest} more characters)", &s[..cut]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_bidi_separators_and_noncharacters() {
        assert_eq!(escape("a\u{1b}[31mb\u{7}"), "a\\u{1b}[31mb\\u{7}");
        assert_eq!(escape("x\ny\rz\t"), "x\\ny\\rz\\t");
        assert_eq!(escape("\u{202e}evil\u{2066}"), "\\u{202e}evil\\u{2066}");
        assert_eq!(escape("\u{85}\u{9b}\u{7f}"), "\\u{85}\\u{9b}\\u{7f}");
        assert_eq!(
            escape("k\u{fffe}\u{ffff}\u{1fffe}"),
            "k\\u{fffe}\\u{ffff}\\u{1fffe}"
        );
        assert_eq!(escape("\u{2028}"), "\\u{2028}");
        assert!(matches!(escape("café ✓ 日本"), Cow::Borrowed(_)));
    }

    #[test]
    fn document_escaping_keeps_lines_and_optionally_colour() {
        assert_eq!(escape_document("a\nb\t\u{7}", false), "a\nb\t\\u{7}");
        assert_eq!(
            escape_document("\u{1b}[1;31mx\u{1b}[0m", true),
            "\u{1b}[1;31mx\u{1b}[0m"
        );
        assert_eq!(escape_document("\u{1b}[1m", false), "\\u{1b}[1m");
        assert_eq!(
            escape_document("\u{1b}[2J\u{1b}]0;t\u{7}", true),
            "\\u{1b}[2J\\u{1b}]0;t\\u{7}"
        );
    }

    #[test]
    fn clips_long_text_and_says_how_much() {
        assert_eq!(clip("abcdef", 10), "abcdef");
        assert_eq!(clip("abcdef", 3), "abc… (3 more characters)");
        assert_eq!(clip("ééé", 1), "é… (2 more characters)");
    }
}
