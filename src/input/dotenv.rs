//! python-dotenv 1.2.4's grammar, statement by statement, as its
//! `dotenv/parser.py` reads a file, and its `${VAR}` / `${VAR:-default}`
//! interpolation (`dotenv/variables.py`).
//!
//! The parser works on the text after `open(path, encoding="utf-8")`, i.e.
//! after universal-newline translation (`\r\n` and a lone `\r` become `\n`),
//! and after the leading U+FEFF is dropped (`Reader.__init__`, since 1.2.3).
//! Every regular expression of parser.py is followed here by hand: none can
//! backtrack into a different match, so one forward scan gives the same
//! result. Positions are counted in characters, as Python's `str` does.

use crate::py::is_py_space;

/// One statement of the file: python-dotenv's `Binding`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// None for a comment or blank tail, and for an error.
    pub key: Option<String>,
    /// The value before interpolation; None for a key without `=`.
    pub value: Option<String>,
    /// python-dotenv could not parse the statement: it warns and skips it.
    pub error: bool,
    /// The line python-dotenv's warning names: where the previous statement
    /// ended, before any blank lines.
    pub mark_line: usize,
    /// 1-based line and column (in characters) of the statement itself.
    pub line: usize,
    pub column: usize,
    /// The statement is `KEY=<spaces># comment`: an empty value since 1.2.4,
    /// the text `# comment` before.
    pub comment_after_equals: bool,
    /// Why python-dotenv skipped it, when `error`.
    pub failed: Option<Failed>,
    /// The name read before the failure, when `error`.
    pub failed_key: Option<String>,
    /// The raw statement text (never shown: only mined for secret values).
    pub raw: String,
}

/// python-dotenv's text after `open()`: universal newlines, then without a
/// leading byte order mark. Returns whether a BOM was dropped.
pub fn normalize(text: &str) -> (Vec<char>, bool) {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    let bom = out.first() == Some(&'\u{feff}');
    if bom {
        out.remove(0);
    }
    (out, bom)
}

/// `[^\S\r\n]`: whitespace other than a line break.
fn is_blank(c: char) -> bool {
    c != '\n' && c != '\r' && is_py_space(c)
}

/// Why python-dotenv could not parse a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    NoName,
    UnterminatedQuotedName,
    UnterminatedQuotedValue,
    TextAfterValue,
}

impl Failed {
    pub fn reason(self) -> &'static str {
        match self {
            Failed::NoName => "there is no name before `=`",
            Failed::UnterminatedQuotedName => "a single-quoted name has no closing quote",
            Failed::UnterminatedQuotedValue => {
                "a quoted value has no closing quote (python-dotenv looks for it across lines, up to the end of the file)"
            }
            Failed::TextAfterValue => {
                "there is text after the name or the value that is neither `=` nor a `#` comment (a space in a name, `KEY: value`, or two quoted parts)"
            }
        }
    }
}

struct Reader<'a> {
    s: &'a [char],
    pos: usize,
    line: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.pos).copied()
    }

    fn at(&self, offset: usize) -> Option<char> {
        self.s.get(self.pos + offset).copied()
    }

    /// Moves to `to`, counting line breaks (`_newline` after translation).
    fn advance_to(&mut self, to: usize) {
        self.line += self.s[self.pos..to].iter().filter(|&&c| c == '\n').count();
        self.pos = to;
    }

    fn skip_while(&mut self, f: impl Fn(char) -> bool) {
        let mut end = self.pos;
        while end < self.s.len() && f(self.s[end]) {
            end += 1;
        }
        self.advance_to(end);
    }

    fn take_string(&self, from: usize, to: usize) -> String {
        self.s[from..to].iter().collect()
    }

    /// `_export`: `(?:export[^\S\r\n]+)?`
    fn export(&mut self) {
        let word = ['e', 'x', 'p', 'o', 'r', 't'];
        if self.s[self.pos..].starts_with(&word) && self.at(6).is_some_and(is_blank) {
            self.advance_to(self.pos + 6);
            self.skip_while(is_blank);
        }
    }

    /// `parse_key`
    fn key(&mut self) -> Result<Option<String>, Failed> {
        match self.peek() {
            Some('#') => Ok(None),
            Some('\'') => {
                // `'([^']+)'`
                let start = self.pos + 1;
                let mut end = start;
                while end < self.s.len() && self.s[end] != '\'' {
                    end += 1;
                }
                if end == start || end >= self.s.len() {
                    return Err(Failed::UnterminatedQuotedName);
                }
                let key = self.take_string(start, end);
                self.advance_to(end + 1);
                Ok(Some(key))
            }
            _ => {
                // `([^=\#\s]+)`
                let start = self.pos;
                let mut end = start;
                while end < self.s.len()
                    && !matches!(self.s[end], '=' | '#')
                    && !is_py_space(self.s[end])
                {
                    end += 1;
                }
                if end == start {
                    return Err(Failed::NoName);
                }
                let key = self.take_string(start, end);
                self.advance_to(end);
                Ok(Some(key))
            }
        }
    }

    /// `'((?:\\.|[^'\\])*)'` or its double-quoted twin, with DOTALL.
    fn quoted(&mut self, quote: char) -> Result<String, Failed> {
        let start = self.pos + 1;
        let mut i = start;
        loop {
            match self.s.get(i) {
                None => return Err(Failed::UnterminatedQuotedValue),
                Some('\\') => {
                    if i + 1 >= self.s.len() {
                        return Err(Failed::UnterminatedQuotedValue);
                    }
                    i += 2;
                }
                Some(&c) if c == quote => break,
                Some(_) => i += 1,
            }
        }
        let inner = &self.s[start..i];
        let value = decode_escapes(inner, quote == '"');
        self.advance_to(i + 1);
        Ok(value)
    }

    /// `parse_value`
    fn value(&mut self) -> Result<String, Failed> {
        match self.peek() {
            Some('\'') => self.quoted('\''),
            Some('"') => self.quoted('"'),
            None | Some('\n') | Some('\r') => Ok(String::new()),
            Some(_) => {
                // `([^\r\n]*)`, then `re.sub(r"\s+#.*", "", part).rstrip()`
                let start = self.pos;
                let mut end = start;
                while end < self.s.len() && !matches!(self.s[end], '\r' | '\n') {
                    end += 1;
                }
                let part = &self.s[start..end];
                self.advance_to(end);
                let mut cut = part.len();
                let mut i = 0;
                while i < part.len() {
                    if is_py_space(part[i]) {
                        let run = i;
                        while i < part.len() && is_py_space(part[i]) {
                            i += 1;
                        }
                        if part.get(i) == Some(&'#') {
                            cut = run;
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                let mut kept = &part[..cut];
                while let Some((&last, rest)) = kept.split_last() {
                    if !is_py_space(last) {
                        break;
                    }
                    kept = rest;
                }
                Ok(kept.iter().collect())
            }
        }
    }

    /// `_comment`: `(?:[^\S\r\n]*#[^\r\n]*)?`
    fn comment(&mut self) {
        let mut i = self.pos;
        while i < self.s.len() && is_blank(self.s[i]) {
            i += 1;
        }
        if self.s.get(i) == Some(&'#') {
            while i < self.s.len() && !matches!(self.s[i], '\r' | '\n') {
                i += 1;
            }
            self.advance_to(i);
        }
    }

    /// `_end_of_line`: `[^\S\r\n]*(?:\r\n|\n|\r|$)`
    fn end_of_line(&mut self) -> Result<(), Failed> {
        let mut i = self.pos;
        while i < self.s.len() && is_blank(self.s[i]) {
            i += 1;
        }
        match self.s.get(i) {
            None => {
                self.advance_to(i);
                Ok(())
            }
            Some('\n') | Some('\r') => {
                self.advance_to(i + 1);
                Ok(())
            }
            Some(_) => Err(Failed::TextAfterValue),
        }
    }

    /// `_rest_of_line`: `[^\r\n]*(?:\r|\n|\r\n)?`
    fn rest_of_line(&mut self) {
        let mut i = self.pos;
        while i < self.s.len() && !matches!(self.s[i], '\r' | '\n') {
            i += 1;
        }
        if i < self.s.len() {
            i += 1;
        }
        self.advance_to(i);
    }
}

/// `decode_escapes`: `\\[\\']` in single quotes; `\\[\\'"abfnrtv]` in double
/// quotes, each decoded as Python's `unicode-escape` codec does. Any other
/// backslash stays as it is.
fn decode_escapes(inner: &[char], double: bool) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        if inner[i] == '\\'
            && let Some(&next) = inner.get(i + 1)
        {
            let decoded = match next {
                '\\' => Some('\\'),
                '\'' => Some('\''),
                '"' if double => Some('"'),
                'a' if double => Some('\u{07}'),
                'b' if double => Some('\u{08}'),
                'f' if double => Some('\u{0c}'),
                'n' if double => Some('\n'),
                'r' if double => Some('\r'),
                't' if double => Some('\t'),
                'v' if double => Some('\u{0b}'),
                _ => None,
            };
            if let Some(c) = decoded {
                out.push(c);
                i += 2;
                continue;
            }
        }
        out.push(inner[i]);
        i += 1;
    }
    out
}

/// `parse_stream`: every statement of the (normalized) text, in order.
pub fn parse(s: &[char]) -> Vec<Binding> {
    let mut reader = Reader { s, pos: 0, line: 1 };
    let mut out = Vec::new();
    while reader.pos < s.len() {
        let mark_line = reader.line;
        // `_multiline_whitespace`
        reader.skip_while(is_py_space);
        if reader.pos >= s.len() {
            break;
        }
        let start = reader.pos;
        let line = reader.line;
        let column = start
            - s[..start]
                .iter()
                .rposition(|&c| c == '\n')
                .map_or(0, |p| p + 1)
            + 1;
        let mut comment_after_equals = false;
        let mut failed_key = None;
        let parsed = (|| -> Result<(Option<String>, Option<String>), Failed> {
            reader.export();
            let key = reader.key()?;
            failed_key.clone_from(&key);
            reader.skip_while(is_blank);
            let value = if reader.peek() == Some('=') {
                let before = reader.pos;
                reader.advance_to(before + 1);
                reader.skip_while(is_blank);
                if reader.pos - before > 1 && reader.peek() == Some('#') {
                    comment_after_equals = true;
                    Some(String::new())
                } else {
                    Some(reader.value()?)
                }
            } else {
                None
            };
            reader.comment();
            reader.end_of_line()?;
            Ok((key, value))
        })();
        let (key, value, failed) = match parsed {
            Ok((k, v)) => (k, v, None),
            Err(why) => {
                reader.rest_of_line();
                (None, None, Some(why))
            }
        };
        let error = failed.is_some();
        if !error {
            failed_key = None;
        }
        out.push(Binding {
            key,
            value,
            error,
            mark_line,
            line,
            column,
            comment_after_equals,
            failed,
            failed_key,
            raw: reader.take_string(start, reader.pos),
        });
    }
    out
}

/// One piece of a value: text, or `${name}` / `${name:-default}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom<'a> {
    Literal(&'a str),
    Variable {
        name: &'a str,
        default: Option<&'a str>,
    },
}

/// `parse_variables`: the `_posix_variable` matches, left to right.
pub fn atoms(value: &str) -> Vec<Atom<'_>> {
    let mut out = Vec::new();
    let bytes = value.as_bytes();
    let mut cursor = 0;
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'$' || bytes[i + 1] != b'{' {
            i += 1;
            continue;
        }
        // `(?P<name>[^\}:]*)`: ASCII delimiters, so byte scanning is exact.
        let name_start = i + 2;
        let mut j = name_start;
        while j < bytes.len() && bytes[j] != b'}' && bytes[j] != b':' {
            j += 1;
        }
        let name = &value[name_start..j];
        let matched = if bytes.get(j) == Some(&b'}') {
            Some((None, j + 1))
        } else if bytes.get(j) == Some(&b':') && bytes.get(j + 1) == Some(&b'-') {
            let d_start = j + 2;
            let mut k = d_start;
            while k < bytes.len() && bytes[k] != b'}' {
                k += 1;
            }
            (k < bytes.len()).then(|| (Some(&value[d_start..k]), k + 1))
        } else {
            None
        };
        match matched {
            Some((default, end)) => {
                if i > cursor {
                    out.push(Atom::Literal(&value[cursor..i]));
                }
                out.push(Atom::Variable { name, default });
                cursor = end;
                i = end;
            }
            None => i += 1,
        }
    }
    if cursor < value.len() {
        out.push(Atom::Literal(&value[cursor..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Vec<Binding> {
        parse(&normalize(text).0)
    }

    fn kv(text: &str) -> Vec<(Option<String>, Option<String>, bool)> {
        parse_str(text)
            .into_iter()
            .map(|b| (b.key, b.value, b.error))
            .collect()
    }

    fn one(k: &str, v: &str) -> (Option<String>, Option<String>, bool) {
        (Some(k.into()), Some(v.into()), false)
    }

    #[test]
    fn quotes_escapes_and_comments() {
        assert_eq!(kv("a=pa$$word"), vec![one("a", "pa$$word")]);
        assert_eq!(kv("a=a b # c"), vec![one("a", "a b")]);
        assert_eq!(kv("a=a#b"), vec![one("a", "a#b")]);
        assert_eq!(kv("a='x'#c"), vec![one("a", "x")]);
        assert_eq!(kv(r#"a="a\tb\u00e9""#), vec![one("a", "a\tb\\u00e9")]);
        assert_eq!(kv(r"a='it\'s\n'"), vec![one("a", "it's\\n")]);
        assert_eq!(kv("a= # c"), vec![one("a", "")]);
        assert_eq!(kv("export  a=1"), vec![one("a", "1")]);
        assert_eq!(kv("'k y'=1"), vec![one("k y", "1")]);
    }

    #[test]
    fn skipped_lines_and_positions() {
        let b = parse_str("A=1\n\n  a: b\nC\nD=\"x\n");
        assert_eq!(b.len(), 4);
        assert!(b[1].error && b[1].mark_line == 2 && b[1].line == 3 && b[1].column == 3);
        assert_eq!(
            (b[2].key.as_deref(), b[2].value.as_deref()),
            (Some("C"), None)
        );
        assert!(b[3].error);
    }

    #[test]
    fn universal_newlines_and_bom() {
        let (s, bom) = normalize("\u{feff}A=\"x\r\ny\"\rB=2\r\n");
        assert!(bom);
        let b = parse(&s);
        assert_eq!(b[0].value.as_deref(), Some("x\ny"));
        assert_eq!((b[1].key.as_deref(), b[1].line), (Some("B"), 3));
    }

    #[test]
    fn variables() {
        assert_eq!(
            atoms("a${X}b${Y:-d}${Z:x}$W${"),
            vec![
                Atom::Literal("a"),
                Atom::Variable {
                    name: "X",
                    default: None
                },
                Atom::Literal("b"),
                Atom::Variable {
                    name: "Y",
                    default: Some("d")
                },
                Atom::Literal("${Z:x}$W${"),
            ]
        );
    }
}
