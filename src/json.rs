//! JSON with byte spans, accepting exactly what Python's `json.load` accepts.
//!
//! jsonc-parser in strict mode does the parsing and gives every node its
//! range; a pass over its tokens then rejects what it still allows and Python
//! does not (other whitespace, raw control characters in strings, numbers
//! such as `01` or `-NaN`), and the tree keeps Python's dict semantics for
//! duplicate keys (first position, last value).
//!
//! Plain JSON, the common case, is read straight from jsonc-parser's scanner
//! into that tree ([`parse_plain`]); anything else goes through its syntax
//! tree ([`parse_through_ast`]), which has the precise error messages. A
//! test holds the two to the same tree on every input the first accepts.

use std::hash::BuildHasher;
use std::ops::Range;
use std::sync::LazyLock;

use hashbrown::HashTable;

use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use jsonc_parser::tokens::Token;
use jsonc_parser::{
    CollectOptions, CommentCollectionStrategy, ParseOptions, Scanner, ScannerOptions, parse_to_ast,
};
use num_bigint::BigInt;
use regex::Regex;

use crate::py::{INT_MAX_STR_DIGITS, PyValue};

/// jsonc-parser refuses nesting deeper than this; CPython's limit is its
/// recursion limit (about 990 levels from where the SDK calls it).
pub const MAX_NESTING: usize = 512;

#[derive(Debug, Clone, PartialEq)]
pub enum JValue {
    Null,
    Bool(bool),
    Int(BigInt),
    Float(f64),
    Str(String),
    Array(Vec<JNode>),
    Object(Vec<JMember>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct JNode {
    pub value: JValue,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JMember {
    pub key: String,
    pub key_range: Range<usize>,
    pub value: JNode,
}

impl JNode {
    pub fn get(&self, key: &str) -> Option<&JMember> {
        match &self.value {
            JValue::Object(members) => members.iter().find(|m| m.key == key),
            _ => None,
        }
    }

    /// Python's truth value of the object `json.load` would build, without
    /// building it (a config of 400,000 keys is truthy at once).
    pub fn truthy(&self) -> bool {
        match &self.value {
            JValue::Null => false,
            JValue::Bool(b) => *b,
            JValue::Int(i) => i.sign() != num_bigint::Sign::NoSign,
            JValue::Float(f) => *f != 0.0,
            JValue::Str(s) => !s.is_empty(),
            JValue::Array(items) => !items.is_empty(),
            JValue::Object(members) => !members.is_empty(),
        }
    }

    /// The Python object `json.load` would build for this node.
    pub fn to_py(&self) -> PyValue {
        match &self.value {
            JValue::Null => PyValue::None,
            JValue::Bool(b) => PyValue::Bool(*b),
            JValue::Int(i) => PyValue::Int(i.clone()),
            JValue::Float(f) => PyValue::Float(*f),
            JValue::Str(s) => PyValue::Str(s.clone()),
            JValue::Array(items) => PyValue::List(items.iter().map(JNode::to_py).collect()),
            JValue::Object(members) => PyValue::Dict(
                members
                    .iter()
                    .map(|m| (m.key.clone(), m.value.to_py()))
                    .collect(),
            ),
        }
    }
}

/// Why Python's `json.load` (and so the SDK) would reject the text.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct JsonError {
    pub message: String,
    /// Byte range in the text (or in the raw bytes, for a decoding error).
    pub range: Range<usize>,
    /// Python may still accept the text: it is valid JSON that swml-sec
    /// cannot follow (too deep, or a lone surrogate escape).
    pub beyond_swml_sec: bool,
}

impl JsonError {
    fn new(message: impl Into<String>, range: Range<usize>) -> Self {
        Self {
            message: message.into(),
            range,
            beyond_swml_sec: false,
        }
    }
}

/// Python's JSON number grammar (`json.scanner.NUMBER_RE`) plus its three
/// non-finite constants.
static PY_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    // Invariant: a literal pattern known to compile.
    Regex::new(r"^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|NaN|Infinity|-Infinity)$")
        .expect("the JSON number pattern compiles")
});

/// Decodes the bytes as Python's `open(path, 'r')` would (UTF-8) and parses
/// them as `json.load` would.
pub fn parse_bytes(bytes: &[u8]) -> Result<(String, JNode), JsonError> {
    parse_owned(bytes.to_vec()).map_err(|(_, e)| e)
}

/// [`parse_bytes`] on bytes it may keep as the text (no copy of a 16 MiB
/// file); on an error, the bytes come back with it.
pub fn parse_owned(bytes: Vec<u8>) -> Result<(String, JNode), (Vec<u8>, JsonError)> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        let e = JsonError::new(
            "the file starts with a UTF-8 byte order mark (BOM), which Python's json module refuses",
            0..3,
        );
        return Err((bytes, e));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let error = JsonError::new(
            format!(
                "not valid UTF-8 (invalid byte 0x{:02X} at offset {at})",
                bytes[at]
            ),
            at..at + 1,
        );
        (bytes, error)
    })?;
    match parse_str(&text) {
        Ok(node) => Ok((text, node)),
        Err(e) => Err((text.into_bytes(), e)),
    }
}

/// Parses the text as Python's `json.loads` would, keeping of a root object
/// only `security` (see [`convert_root`]).
pub fn parse_str(text: &str) -> Result<JNode, JsonError> {
    match parse_plain(text) {
        Some(root) => {
            check_python_strictness(text)?;
            Ok(root)
        }
        None => parse_through_ast(text),
    }
}

/// jsonc-parser's strict mode, with Python's three non-finite constants.
fn strict_options() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: true,
        allow_extended_string_escapes: false,
    }
}

/// The full parser: jsonc-parser's syntax tree, then the tree swml-sec keeps.
/// Slower and larger than [`parse_plain`] (the syntax tree of a 7 MiB
/// config is 100 MiB), but it has a precise message for every error.
fn parse_through_ast(text: &str) -> Result<JNode, JsonError> {
    parse_syntax_tree(text).map_err(|e| match e.surrogate {
        true => error_past_lone_surrogates(text).unwrap_or(e.error),
        false => e.error,
    })
}

/// A parse error, and whether jsonc-parser stopped at a lone UTF-16
/// surrogate escape (which Python accepts).
struct TreeError {
    error: JsonError,
    surrogate: bool,
}

impl From<JsonError> for TreeError {
    fn from(error: JsonError) -> Self {
        TreeError {
            error,
            surrogate: false,
        }
    }
}

/// jsonc-parser stops at the first lone surrogate escape, which Python
/// accepts; the file may still hold an error further on, which Python
/// would stop at. The text is parsed again with every surrogate escape in
/// a string made a space (`\u0020`, the same length, so positions hold): an
/// error Python would not give there (nesting, surrogates) proves nothing,
/// any other is the file's real error. None when there is none.
fn error_past_lone_surrogates(text: &str) -> Option<JsonError> {
    let mut patched = text.as_bytes().to_vec();
    let (mut i, mut in_string) = (0, false);
    while i < patched.len() {
        match (in_string, patched[i]) {
            (_, b'"') => in_string = !in_string,
            (true, b'\\') => {
                let hex = patched
                    .get(i + 2..i + 6)
                    .and_then(|h| std::str::from_utf8(h).ok());
                let code = hex.and_then(|h| u32::from_str_radix(h, 16).ok());
                if patched.get(i + 1) == Some(&b'u')
                    && code.is_some_and(|c| (0xD800..=0xDFFF).contains(&c))
                {
                    patched[i + 2..i + 6].copy_from_slice(b"0020");
                }
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    // Only ASCII hex digits were replaced by ASCII digits.
    let patched = String::from_utf8(patched).ok()?;
    match parse_syntax_tree(&patched) {
        Err(e) if !e.surrogate && !e.error.beyond_swml_sec => Some(e.error),
        _ => None,
    }
}

fn parse_syntax_tree(text: &str) -> Result<JNode, TreeError> {
    let options = strict_options();
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    let parsed = parse_to_ast(text, &collect, &options).map_err(|e| {
        let r = e.range();
        let message = match e.kind() {
            jsonc_parser::errors::ParseErrorKind::NestingDepthExceeded => format!(
                "nested more than {MAX_NESTING} levels deep: too deep for swml-sec to follow (Python gives up at about 980 levels, depending on its stack)"
            ),
            jsonc_parser::errors::ParseErrorKind::String(jsonc_parser::ParseStringErrorKind::InvalidUnicodeEscapeSequence(_)) => {
                format!("{}: swml-sec cannot represent a lone UTF-16 surrogate, which Python would accept", e.kind())
            }
            kind => kind.to_string(),
        };
        // An error at the end of the text has an empty span there.
        let start = r.start.min(text.len());
        let beyond_swml_sec = matches!(
            e.kind(),
            jsonc_parser::errors::ParseErrorKind::NestingDepthExceeded
                | jsonc_parser::errors::ParseErrorKind::String(jsonc_parser::ParseStringErrorKind::InvalidUnicodeEscapeSequence(_))
        );
        let surrogate = matches!(
            e.kind(),
            jsonc_parser::errors::ParseErrorKind::String(jsonc_parser::ParseStringErrorKind::InvalidUnicodeEscapeSequence(_))
        );
        TreeError {
            error: JsonError { beyond_swml_sec, ..JsonError::new(message, start..r.end.max(start + 1).min(text.len())) },
            surrogate,
        }
    })?;
    check_python_strictness(text)?;
    let Some(value) = parsed.value else {
        let at = text.len();
        return Err(JsonError::new("Expecting value: the file holds no JSON value", at..at).into());
    };
    Ok(convert_root(&value)?)
}

/// Nesting the plain parser follows. Each level is one container, which is
/// at most two entries of jsonc-parser's range stack (object and member), so
/// the full parser accepts every depth the plain one does.
const PLAIN_NESTING: usize = MAX_NESTING / 4;

/// The tree [`parse_through_ast`] would build, built straight from
/// jsonc-parser's own scanner (so tokens, string escapes and numbers are
/// read by the same code), for text that is plain JSON. `None` at the first
/// thing that is not: a scanner error, a comment, a stray word, a grammar
/// error, or deep nesting; the full parser then gives its exact message
/// (or, for nesting, the same tree). The Python-strictness pass still runs
/// after it, as after the full parser.
fn parse_plain(text: &str) -> Option<JNode> {
    // The scanner options parse_to_ast derives from the same ParseOptions.
    let strict = strict_options();
    let options = ScannerOptions {
        allow_single_quoted_strings: strict.allow_single_quoted_strings,
        allow_hexadecimal_numbers: strict.allow_hexadecimal_numbers,
        allow_unary_plus_numbers: strict.allow_unary_plus_numbers,
        allow_bare_decimal_point_numbers: strict.allow_bare_decimal_point_numbers,
        allow_non_finite_numbers: strict.allow_non_finite_numbers,
        allow_extended_string_escapes: strict.allow_extended_string_escapes,
    };
    let mut parser = PlainParser {
        scanner: Scanner::new(text, &options),
    };
    let first = parser.token()?;
    let root = parser.value(first, Keep::Root, 0)?;
    // One value and nothing after it (not even a comment).
    match parser.scanner.scan() {
        Ok(None) => Some(root),
        _ => None,
    }
}

/// What [`PlainParser::value`] keeps of a value.
#[derive(Clone, Copy, PartialEq)]
enum Keep {
    /// The document's root: of an object, only `security` (see [`convert_root`]).
    Root,
    /// All of it.
    All,
    /// Only its range: the SDK never reads it.
    Range,
}

struct PlainParser<'a> {
    scanner: Scanner<'a>,
}

impl<'a> PlainParser<'a> {
    /// The next token, or `None` at a scanner error, a comment, or the end.
    fn token(&mut self) -> Option<Token<'a>> {
        match self.scanner.scan() {
            Ok(Some(Token::CommentLine(_) | Token::CommentBlock(_))) | Ok(None) | Err(_) => None,
            Ok(Some(token)) => Some(token),
        }
    }

    fn value(&mut self, first: Token<'a>, keep: Keep, depth: usize) -> Option<JNode> {
        let start = self.scanner.token_start();
        let value = match first {
            Token::OpenBrace | Token::OpenBracket if depth >= PLAIN_NESTING => return None,
            Token::OpenBrace => self.object(keep, depth + 1)?,
            Token::OpenBracket => self.array(keep, depth + 1)?,
            Token::String(_) | Token::Number(_) | Token::Boolean(_) | Token::Null
                if keep == Keep::Range =>
            {
                JValue::Null
            }
            Token::String(s) => JValue::Str(s.into_owned()),
            // Python refuses it, and BigInt's parser is quadratic: a
            // 16 MiB integer would take minutes before the full parser's
            // strictness pass refuses it at once.
            Token::Number(n) if is_oversized_int(n) => return None,
            Token::Number(n) => convert_number(n, &(start..self.scanner.token_end())).ok()?,
            Token::Boolean(b) => JValue::Bool(b),
            Token::Null => JValue::Null,
            _ => return None,
        };
        // After a container, the current token is its closing bracket.
        Some(JNode {
            value,
            range: start..self.scanner.token_end(),
        })
    }

    /// The entries of an array or object up to `close`, each read by `entry`
    /// from its first token, with a comma between two and none after the
    /// last.
    fn entries(
        &mut self,
        close: Token<'a>,
        mut entry: impl FnMut(&mut Self, Token<'a>) -> Option<()>,
    ) -> Option<()> {
        let mut token = self.token()?;
        if token == close {
            return Some(());
        }
        loop {
            entry(self, token)?;
            match self.token()? {
                Token::Comma => token = self.token()?,
                next if next == close => return Some(()),
                _ => return None,
            }
        }
    }

    fn object(&mut self, keep: Keep, depth: usize) -> Option<JValue> {
        let mut members = DictMembers::default();
        self.entries(Token::CloseBrace, |parser, token| {
            let Token::String(key) = token else {
                return None;
            };
            let key_range = parser.scanner.token_start()..parser.scanner.token_end();
            if parser.token()? != Token::Colon {
                return None;
            }
            let member_keep = match keep {
                Keep::Root if key == "security" => Keep::All,
                Keep::Root | Keep::Range => Keep::Range,
                Keep::All => Keep::All,
            };
            let first = parser.token()?;
            let value = parser.value(first, member_keep, depth)?;
            if keep != Keep::Range {
                members.insert(JMember {
                    key: key.into_owned(),
                    key_range,
                    value,
                });
            }
            Some(())
        })?;
        Some(match keep {
            Keep::Range => JValue::Null,
            Keep::Root | Keep::All => JValue::Object(members.into_vec()),
        })
    }

    fn array(&mut self, keep: Keep, depth: usize) -> Option<JValue> {
        // A root array is converted whole, as by `convert`.
        let keep = if keep == Keep::Root { Keep::All } else { keep };
        let mut items = Vec::new();
        self.entries(Token::CloseBracket, |parser, token| {
            let item = parser.value(token, keep, depth)?;
            if keep == Keep::All {
                items.push(item);
            }
            Some(())
        })?;
        Some(match keep {
            Keep::Range => JValue::Null,
            Keep::Root | Keep::All => JValue::Array(items),
        })
    }
}

/// An object's members as Python's dict keeps them: a repeated key keeps its
/// first position and takes the last value. One hash lookup per key, so
/// objects with hundreds of thousands of keys stay linear. The index holds
/// each key's position and hash, not the key: growing it then never goes
/// back to the keys.
#[derive(Default)]
struct DictMembers {
    members: Vec<JMember>,
    positions: HashTable<(usize, u64)>,
    hasher: foldhash::fast::RandomState,
}

impl DictMembers {
    fn insert(&mut self, member: JMember) {
        let Self {
            members,
            positions,
            hasher,
        } = self;
        let hash = hasher.hash_one(member.key.as_str());
        match positions.find(hash, |&(i, _)| members[i].key == member.key) {
            Some(&(i, _)) => members[i] = member,
            None => {
                positions.insert_unique(hash, (members.len(), hash), |&(_, hash)| hash);
                members.push(member);
            }
        }
    }

    fn into_vec(self) -> Vec<JMember> {
        self.members
    }
}

/// The document as the SDK uses it: of a root object, only `security` is
/// converted in full. Every other member keeps its key and ranges, and its
/// value becomes `Null` (the SDK never reads it), so that a config with a
/// 16 MiB data section is not held twice in memory.
fn convert_root(value: &ast::Value) -> Result<JNode, JsonError> {
    let ast::Value::Object(o) = value else {
        return convert(value);
    };
    convert_object(o, |key, value| {
        if key == "security" {
            convert(value)
        } else {
            let r = value.range();
            Ok(JNode {
                value: JValue::Null,
                range: r.start..r.end,
            })
        }
    })
}

/// What Python's `json` refuses and jsonc-parser's strict mode still
/// accepts. Runs after a successful parse, so the structure is known to be
/// valid; one pass over the bytes, no allocation.
fn check_python_strictness(text: &str) -> Result<(), JsonError> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b'{' | b'}' | b'[' | b']' | b',' | b':' => i += 1,
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] < 0x20 {
                        return Err(JsonError::new(
                            format!(
                                "raw control character 0x{:02X} in a string: Python requires an escape",
                                bytes[i]
                            ),
                            i..i + 1,
                        ));
                    }
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                debug_assert!(i > start);
            }
            b'-' | b'0'..=b'9' | b'N' | b'I' | b't' | b'f' | b'n' => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'-' | b'+' | b'.'))
                {
                    i += 1;
                }
                let word = &text[start..i];
                if matches!(word, "true" | "false" | "null") {
                    continue;
                }
                if !PY_NUMBER.is_match(word) {
                    return Err(JsonError::new(
                        format!("number `{word}` is not valid JSON for Python"),
                        start..i,
                    ));
                }
                if is_oversized_int(word) {
                    return Err(JsonError::new(
                        format!(
                            "integer with more than {INT_MAX_STR_DIGITS} digits: Python refuses to convert it"
                        ),
                        start..i,
                    ));
                }
            }
            _ => {
                let c = text[i..].chars().next().unwrap_or('\u{FFFD}');
                return Err(JsonError::new(
                    format!(
                        "unexpected character U+{:04X} where JSON allows only whitespace",
                        c as u32
                    ),
                    i..i + c.len_utf8(),
                ));
            }
        }
    }
    Ok(())
}

fn is_oversized_int(n: &str) -> bool {
    !n.contains(['.', 'e', 'E', 'N', 'I']) && n.trim_start_matches('-').len() > INT_MAX_STR_DIGITS
}

fn convert(value: &ast::Value) -> Result<JNode, JsonError> {
    let r = value.range();
    let range = r.start..r.end;
    let value = match value {
        ast::Value::NullKeyword(_) => JValue::Null,
        ast::Value::BooleanLit(b) => JValue::Bool(b.value),
        ast::Value::StringLit(s) => JValue::Str(s.value.to_string()),
        ast::Value::NumberLit(n) => convert_number(n.value, &range)?,
        ast::Value::Array(a) => {
            JValue::Array(a.elements.iter().map(convert).collect::<Result<_, _>>()?)
        }
        ast::Value::Object(o) => return convert_object(o, |_, v| convert(v)),
    };
    Ok(JNode { value, range })
}

fn convert_object(
    o: &ast::Object,
    convert_value: impl Fn(&str, &ast::Value) -> Result<JNode, JsonError>,
) -> Result<JNode, JsonError> {
    let r = o.range();
    let mut members = DictMembers::default();
    for prop in &o.properties {
        let name = prop.name.as_str();
        let kr = prop.name.range();
        members.insert(JMember {
            key: name.to_string(),
            key_range: kr.start..kr.end,
            value: convert_value(name, &prop.value)?,
        });
    }
    Ok(JNode {
        value: JValue::Object(members.into_vec()),
        range: r.start..r.end,
    })
}

fn convert_number(text: &str, range: &Range<usize>) -> Result<JValue, JsonError> {
    match text {
        "NaN" => return Ok(JValue::Float(f64::NAN)),
        "Infinity" => return Ok(JValue::Float(f64::INFINITY)),
        "-Infinity" => return Ok(JValue::Float(f64::NEG_INFINITY)),
        _ => {}
    }
    if text.contains(['.', 'e', 'E']) {
        // Both Rust and Python round correctly, and both give inf on overflow.
        text.parse::<f64>()
            .map(JValue::Float)
            .map_err(|_| JsonError::new(format!("number `{text}` is not valid"), range.clone()))
    } else if let Ok(small) = text.parse::<i64>() {
        // Most integers fit: BigInt's own parser is ten times slower.
        Ok(JValue::Int(BigInt::from(small)))
    } else {
        text.parse::<BigInt>()
            .map(JValue::Int)
            .map_err(|_| JsonError::new(format!("number `{text}` is not valid"), range.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse_str(text).unwrap_err().message
    }

    #[test]
    fn accepts_what_python_accepts() {
        for ok in [
            r#"{"a": NaN, "b": Infinity, "c": -Infinity}"#,
            r#"{"a": 1, "a": 2}"#,
            "\t\r\n{ }\n",
            r#"[1e400, -0.0, 0, 1E+2]"#,
            r#""\u00e9\ud83d\ude00""#,
            "123",
        ] {
            assert!(parse_str(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_what_python_rejects() {
        for bad in [
            "{\"a\": 1,}",
            "{\"a\": 1} // c",
            "{'a': 1}",
            "{a: 1}",
            "[01]",
            "[-NaN]",
            "[+1]",
            "[.5]",
            "[1.]",
            "[0x10]",
            "{\"a\": \"x\ty\"}",
            "\u{00A0}{}",
            "\u{000B}{}",
            "",
            "{} {}",
            "[\"\\x41\"]",
        ] {
            assert!(parse_str(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn duplicate_keys_keep_first_position_and_last_value() {
        let node = parse_str(r#"{"security": {"a": 1, "b": 2, "a": 3}}"#).unwrap();
        let JValue::Object(m) = &node.get("security").unwrap().value.value else {
            panic!()
        };
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].key, "a");
        assert_eq!(m[0].value.value, JValue::Int(BigInt::from(3)));
    }

    #[test]
    fn only_security_is_kept_of_the_root() {
        let text = r#"{"data": {"big": [1, 2]}, "security": {"x": [1]}, "security": {"y": 2}}"#;
        let node = parse_str(text).unwrap();
        let data = node.get("data").unwrap();
        assert_eq!(data.value.value, JValue::Null);
        assert_eq!(&text[data.value.range.clone()], r#"{"big": [1, 2]}"#);
        // The last `security` wins, in the first one's position.
        let JValue::Object(m) = &node.get("security").unwrap().value.value else {
            panic!()
        };
        assert_eq!(m[0].key, "y");
    }

    #[test]
    fn bom_and_bad_utf8_are_reported() {
        assert!(
            parse_bytes(b"\xEF\xBB\xBF{}")
                .unwrap_err()
                .message
                .contains("BOM")
        );
        assert!(
            parse_bytes(b"{\"a\": \"\xff\"}")
                .unwrap_err()
                .message
                .contains("UTF-8")
        );
    }

    #[test]
    fn error_spans_stay_inside_the_text() {
        // Found by the json_resolve fuzz target: an error at end of input.
        for text in ["{\r\n\"seczurity\"", "{", "[1,", "\"abc"] {
            let e = parse_str(text).unwrap_err();
            assert!(
                e.range.start <= e.range.end && e.range.end <= text.len(),
                "{text:?}: {:?}",
                e.range
            );
        }
    }

    /// Deepest nesting of brackets outside strings.
    fn nesting(text: &str) -> usize {
        let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
        for b in text.bytes() {
            match (in_string, b) {
                (true, _) if escaped => escaped = false,
                (true, b'\\') => escaped = true,
                (true, b'"') => in_string = false,
                (true, _) => {}
                (false, b'"') => in_string = true,
                (false, b'{' | b'[') => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                (false, b'}' | b']') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        deepest
    }

    /// The plain parser gives exactly the full parser's tree (ranges, dict
    /// semantics, the root's `security` rule) on every text the full parser
    /// accepts, and nothing on any text it refuses; it may leave to the full
    /// parser only what nests deeper than it follows. Trees are compared by
    /// their Debug text, where NaN equals NaN.
    fn assert_parsers_agree(text: &str) {
        let plain = parse_plain(text).filter(|_| check_python_strictness(text).is_ok());
        let full = parse_through_ast(text).ok();
        if plain.is_none() && full.is_some() {
            assert!(
                nesting(text) > PLAIN_NESTING,
                "the plain parser refused JSON the full parser accepts: {text:?}"
            );
            return;
        }
        assert_eq!(format!("{plain:?}"), format!("{full:?}"), "{text:?}");
    }

    #[test]
    fn plain_parser_agrees_on_hand_picked_texts() {
        let deep_ok = format!(
            "{}1{}",
            "[".repeat(PLAIN_NESTING),
            "]".repeat(PLAIN_NESTING)
        );
        let deeper = format!(
            "{}1{}",
            "[".repeat(PLAIN_NESTING + 1),
            "]".repeat(PLAIN_NESTING + 1)
        );
        for text in [
            r#"{"security": {"a": 1, "b": [1, 2.5, -0, 1e400, NaN, -Infinity], "a": {"x": null}}}"#,
            r#"{"data": {"big": [1, 2]}, "security": {"x": [1]}, "security": {"y": 2}, "z": "s"}"#,
            r#"{"security": {"k\u00e9y": "v\n\"\\\/", "\ud83d\ude00": true}}"#,
            r#"["security", {"security": {"a": 1}}]"#,
            "\"just a string\"",
            "  42  ",
            "{}",
            "[]",
            "{\"security\": {}}\n",
            "\t\r\n{\"a\" :\t[ ] }",
            r#"{"a": 1} // comment"#,
            r#"{"a": /* c */ 1}"#,
            r#"{"a": 1,}"#,
            r#"[1, 2,]"#,
            r#"{"a" 1}"#,
            r#"{"a": 1 "b": 2}"#,
            r#"{a: 1}"#,
            r#"{'a': 1}"#,
            r#"{"a": tru}"#,
            r#"{"a": truex}"#,
            r#"{"a": nulll}"#,
            r#"[01]"#,
            r#"[-NaN]"#,
            r#"[+1]"#,
            r#"[.5]"#,
            r#"[1.]"#,
            r#"[0x10]"#,
            r#"["\x41"]"#,
            r#"["\ud800"]"#,
            "[\"a\tb\"]",
            "\u{00A0}{}",
            "\u{000B}{}",
            "{} {}",
            "{} x",
            "",
            "   ",
            "[",
            "{\"a\":",
            "\"abc",
            "[1 }",
            "{\"a\": 1]",
            "[,1]",
            "{,}",
            "{\"a\"::1}",
            "[1e]",
            "[-]",
            "[1",
            &"9".repeat(5000),
            &deep_ok,
            &deeper,
        ] {
            assert_parsers_agree(text);
        }
        // Plain JSON is read by the plain parser, not left to the full one.
        for text in [
            r#"{"security": {"a": [1, {"b": "c"}]}}"#,
            "[]",
            "1",
            &deep_ok,
        ] {
            assert!(parse_plain(text).is_some(), "{text}");
        }
        assert!(parse_plain(&deeper).is_none());
        // An integer Python refuses is left to the full parser, whose
        // strictness pass refuses it before any conversion (BigInt's parser
        // is quadratic: 16 MiB of digits took minutes).
        let long = "9".repeat(INT_MAX_STR_DIGITS + 1);
        for text in [
            format!("{{\"security\": {{\"rate_limit\": {long}}}}}"),
            format!("[{long}]"),
        ] {
            assert!(parse_plain(&text).is_none());
            assert!(parse_str(&text).unwrap_err().message.contains("digits"));
        }
        let longest = "9".repeat(INT_MAX_STR_DIGITS);
        assert!(parse_plain(&format!("[{longest}]")).is_some());
    }

    /// Every config text in the SDK conformance cases, the fixtures and the
    /// fuzz seeds.
    #[test]
    fn plain_parser_agrees_on_every_committed_config() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        for dir in [
            "tests/conformance/cases",
            "tests/conformance/cases-signalwire-sdk-3",
        ] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let case: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap();
                for text in case["files"].as_object().unwrap().values() {
                    texts.push(text.as_str().unwrap().to_string());
                }
            }
        }
        let mut dirs = vec![root.join("fixtures"), root.join("fuzz/seeds/json_resolve")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "json")
                    || path.starts_with(root.join("fuzz"))
                {
                    texts
                        .push(String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned());
                }
            }
        }
        assert!(texts.len() > 800, "{} texts", texts.len());
        let plain = texts.iter().filter(|t| parse_plain(t).is_some()).count();
        assert!(
            plain > 400,
            "only {plain} texts were read by the plain parser"
        );
        for text in &texts {
            assert_parsers_agree(text);
        }
    }

    mod generated {
        use super::*;
        use proptest::prelude::*;

        /// Pieces of JSON, valid and not, for token soup.
        const PIECES: &[&str] = &[
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"security\"",
            "\"a\"",
            "\"a\"",
            "\"\\u00e9\"",
            "\"\\ud800\"",
            "\"\\ud83d\\ude00\"",
            "\"x\\ny\"",
            "\"\\q\"",
            "'s'",
            "1",
            "-0",
            "01",
            "1.5e-3",
            "1e400",
            "-",
            "+1",
            ".5",
            "NaN",
            "-Infinity",
            "Infinity",
            "-NaN",
            "true",
            "false",
            "null",
            "nul",
            "truex",
            "//c\n",
            "/*c*/",
            " ",
            "\n",
            "\t",
            "\u{a0}",
            "\u{b}",
            "\u{7}",
            "\"\t\"",
            "x",
            "0x1F",
            "123456789012345678901234567890",
        ];

        fn json(depth: u32) -> BoxedStrategy<String> {
            let scalar = prop_oneof![
                Just("null".to_string()),
                any::<bool>().prop_map(|b| b.to_string()),
                any::<i64>().prop_map(|i| i.to_string()),
                any::<f64>()
                    .prop_filter("finite", |f| f.is_finite())
                    .prop_map(|f| format!("{f:e}")),
                "[a-z\\\\\"é😀 ]{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
                Just("NaN".to_string()),
            ];
            if depth == 0 {
                return scalar.boxed();
            }
            let key = prop_oneof![
                Just("security".to_string()),
                "[a-c]{1,2}",
                Just("k\u{e9}".to_string()),
            ]
            .prop_map(|k| serde_json::to_string(&k).unwrap());
            let ws = prop_oneof![Just(""), Just(" "), Just("\n  "), Just("\t")];
            prop_oneof![
                scalar,
                prop::collection::vec((json(depth - 1), ws.clone()), 0..5).prop_map(|items| {
                    let items: Vec<String> = items
                        .into_iter()
                        .map(|(v, w)| format!("{w}{v}{w}"))
                        .collect();
                    format!("[{}]", items.join(","))
                }),
                prop::collection::vec((key, json(depth - 1), ws), 0..5).prop_map(|members| {
                    let members: Vec<String> = members
                        .into_iter()
                        .map(|(k, v, w)| format!("{w}{k}{w}:{w}{v}"))
                        .collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
            .boxed()
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

            #[test]
            fn on_token_soup(pieces in prop::collection::vec(prop::sample::select(PIECES), 0..24)) {
                assert_parsers_agree(&pieces.concat());
            }

            #[test]
            fn on_json_and_json_with_one_piece_changed(
                text in json(4),
                at in any::<prop::sample::Index>(),
                piece in prop::sample::select(PIECES),
                change in 0..3u8,
            ) {
                assert_parsers_agree(&text);
                let mut cut = at.index(text.len() + 1);
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                let changed = match change {
                    0 => format!("{}{piece}{}", &text[..cut], &text[cut..]),
                    1 => format!("{}{}", &text[..cut], text[cut..].chars().skip(1).collect::<String>()),
                    _ => format!("{}{piece}{}", &text[..cut], text[cut..].chars().skip(1).collect::<String>()),
                };
                assert_parsers_agree(&changed);
            }
        }
    }

    /// jsonc-parser stops at a lone surrogate escape, which Python accepts:
    /// the file is "beyond swml-sec" only when nothing else in it is an
    /// error. Verdicts from CPython 3.11's json.loads.
    #[test]
    fn an_error_past_a_lone_surrogate_is_the_files_real_error() {
        for (text, python_accepts) in [
            (r#"{"a": "\ud800"}"#, true),
            (r#"["\udc00\ud800", "\ud800\n"]"#, true),
            (r#"{"a": "\ud800", }"#, false),
            (r#"{"a": "\ud800", "b": 01}"#, false),
            (r#"["\ud800\u0041", {"x": [1,]}]"#, false),
            ("{\"secu\\ud800:\u{2029}}", false),
            (r#"["\ud800\x"]"#, false),
        ] {
            let e = parse_str(text).unwrap_err();
            assert_eq!(e.beyond_swml_sec, python_accepts, "{text}: {}", e.message);
            assert_eq!(
                e.message.contains("surrogate"),
                python_accepts,
                "{text}: {}",
                e.message
            );
            assert!(e.range.end <= text.len());
        }
        // An escaped backslash before `u` is no escape: the comma is the error.
        let e = parse_str(r#"{"a": "\\ud800",}"#).unwrap_err();
        assert!(
            !e.beyond_swml_sec && e.message.contains("comma"),
            "{}",
            e.message
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(200_000);
        assert!(err(&deep).contains("levels"));
    }
}
