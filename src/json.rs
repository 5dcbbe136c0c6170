//! JSON with byte spans, accepting exactly what Python's `json.load` accepts.
//!
//! jsonc-parser in strict mode does the parsing and gives every node its
//! range; a pass over its tokens then rejects what it still allows and Python
//! does not (other whitespace, raw control characters in strings, numbers
//! such as `01` or `-NaN`), and the tree keeps Python's dict semantics for
//! duplicate keys (first position, last value).

use std::ops::Range;
use std::sync::LazyLock;

use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions, parse_to_ast};
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

pub fn parse_str(text: &str) -> Result<JNode, JsonError> {
    let options = ParseOptions {
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
    };
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
        JsonError { beyond_swml_sec, ..JsonError::new(message, start..r.end.max(start + 1).min(text.len())) }
    })?;
    check_python_strictness(text)?;
    let Some(value) = parsed.value else {
        let at = text.len();
        return Err(JsonError::new(
            "Expecting value: the file holds no JSON value",
            at..at,
        ));
    };
    convert_root(&value)
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
    let mut members: Vec<JMember> = Vec::with_capacity(o.properties.len());
    // Where each key sits in `members`: one lookup per key, so objects
    // with hundreds of thousands of keys stay linear.
    let mut positions: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(o.properties.len());
    for prop in &o.properties {
        let name = prop.name.as_str();
        let kr = prop.name.range();
        let member = JMember {
            key: name.to_string(),
            key_range: kr.start..kr.end,
            value: convert_value(name, &prop.value)?,
        };
        // Python's dict keeps the first position and the last value.
        match positions.get(name) {
            Some(&i) => members[i] = member,
            None => {
                positions.insert(name, members.len());
                members.push(member);
            }
        }
    }
    Ok(JNode {
        value: JValue::Object(members),
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

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(200_000);
        assert!(err(&deep).contains("levels"));
    }
}
