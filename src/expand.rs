//! `${VAR|default}` expansion exactly as the SDK's `ConfigLoader.substitute_vars`
//! does it, followed by its re-typing of the whole string.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::input::EnvView;
use crate::py::{PyValue, float_from_digit_str, py_isdigit, py_lower};

/// The SDK's pattern, verbatim. Rust's `regex` and Python's `re` agree on it:
/// no backtracking-sensitive constructs, and a negated class matches newlines
/// in both.
static VAR_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    // Invariant: the pattern is a literal that is known to compile.
    Regex::new(r"\$\{([^}|]+)(?:\|([^}]*))?\}").expect("the SDK's variable pattern compiles")
});

/// Where the text of one `${...}` came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubstitutionOutcome {
    /// The variable is set (possibly to the empty string).
    Variable,
    /// The variable is unset and the reference has a `|default`.
    Default,
    /// The variable is unset and there is no default: the SDK inserts "".
    Empty,
}

#[derive(Debug, Clone)]
pub struct Substitution {
    pub name: String,
    pub default: Option<String>,
    pub outcome: SubstitutionOutcome,
    /// Byte range of the whole `${...}` in the unexpanded string.
    pub range: Range<usize>,
}

/// A questionable `${` construct that the SDK nevertheless accepts silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxProblem {
    /// `${ NAME }`: the name has spaces around it and is looked up verbatim.
    SpacedName { name: String },
    /// `${A|${B|x}}`: the SDK does not nest; the inner `${` becomes text.
    Nested,
    /// A `${` with no closing brace is left in the value as text.
    Unterminated,
    /// `${}` or `${|x}`: the pattern needs a name, so this stays as text.
    EmptyName,
}

#[derive(Debug, Clone)]
pub struct SyntaxIssue {
    pub problem: SyntaxProblem,
    pub range: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Expansion {
    pub text: String,
    pub substitutions: Vec<Substitution>,
    pub syntax_issues: Vec<SyntaxIssue>,
}

impl Expansion {
    /// Describes which variables or defaults produced the text, e.g.
    /// `RL default` or `DOMAIN, PORT unset`; None for a literal string.
    pub fn via(&self) -> Option<String> {
        if self.substitutions.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .substitutions
            .iter()
            .map(|s| match s.outcome {
                SubstitutionOutcome::Variable => s.name.clone(),
                SubstitutionOutcome::Default => format!("{} default", s.name),
                SubstitutionOutcome::Empty => format!("{} unset", s.name),
            })
            .collect();
        Some(parts.join(", "))
    }
}

/// Expands every `${VAR|default}` in `raw` against `env`.
pub fn expand(raw: &str, env: &EnvView) -> Expansion {
    let mut text = String::with_capacity(raw.len());
    let mut substitutions = Vec::new();
    let mut syntax_issues = Vec::new();
    let mut last = 0;
    for caps in VAR_PATTERN.captures_iter(raw) {
        // Invariant: group 0 always exists for a match, group 1 is mandatory.
        let (Some(whole), Some(name)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        text.push_str(&raw[last..whole.start()]);
        let default = caps.get(2).map(|m| m.as_str().to_string());
        let (value, outcome) = match env.get(name.as_str()) {
            Some(v) => (v.to_string(), SubstitutionOutcome::Variable),
            None => match &default {
                Some(d) => (d.clone(), SubstitutionOutcome::Default),
                None => (String::new(), SubstitutionOutcome::Empty),
            },
        };
        text.push_str(&value);
        let name_str = name.as_str();
        if name_str.contains("${") || default.as_deref().is_some_and(|d| d.contains("${")) {
            syntax_issues.push(SyntaxIssue {
                problem: SyntaxProblem::Nested,
                range: whole.range(),
            });
        } else if name_str.trim() != name_str {
            syntax_issues.push(SyntaxIssue {
                problem: SyntaxProblem::SpacedName {
                    name: name_str.to_string(),
                },
                range: whole.range(),
            });
        }
        substitutions.push(Substitution {
            name: name_str.to_string(),
            default,
            outcome,
            range: whole.range(),
        });
        last = whole.end();
    }
    text.push_str(&raw[last..]);
    find_leftover_openers(raw, &substitutions, &mut syntax_issues);
    Expansion {
        text,
        substitutions,
        syntax_issues,
    }
}

/// Reports each `${` that no match consumed: unterminated or empty references
/// the SDK leaves in the value as literal text.
fn find_leftover_openers(raw: &str, subs: &[Substitution], issues: &mut Vec<SyntaxIssue>) {
    // Both in text order: one pass over the substitutions, not one per `${`.
    let mut next_sub = 0;
    for (pos, _) in raw.match_indices("${") {
        while subs.get(next_sub).is_some_and(|s| s.range.end <= pos) {
            next_sub += 1;
        }
        if subs.get(next_sub).is_some_and(|s| s.range.contains(&pos)) {
            continue;
        }
        let rest = &raw[pos + 2..];
        let problem = if rest.starts_with('}') || rest.starts_with('|') {
            SyntaxProblem::EmptyName
        } else {
            SyntaxProblem::Unterminated
        };
        issues.push(SyntaxIssue {
            problem,
            range: pos..pos + 2,
        });
    }
}

/// The length in bytes `raw` expands to, without building it.
pub fn expanded_len(raw: &str, env: &EnvView) -> usize {
    let mut len = raw.len();
    for caps in VAR_PATTERN.captures_iter(raw) {
        let (Some(whole), Some(name)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        let value = env
            .get(name.as_str())
            .or_else(|| caps.get(2).map(|d| d.as_str()))
            .map_or(0, str::len);
        len = len - whole.len() + value;
    }
    len
}

/// Every `${NAME|default}` reference in `raw`: its name and default.
pub fn references(raw: &str) -> impl Iterator<Item = (&str, Option<&str>)> {
    VAR_PATTERN.captures_iter(raw).filter_map(|caps| {
        let name = caps.get(1)?.as_str();
        Some((name, caps.get(2).map(|m| m.as_str())))
    })
}

/// The byte range of every whole `${NAME|default}` reference in `raw`.
pub fn reference_spans(raw: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    VAR_PATTERN.find_iter(raw).map(|m| m.range())
}

/// The parts of `raw` that only name variables (`${NAME`, and the closing
/// `}`), which are no secret even when the value is: everything else in a
/// password literal (text and defaults) may be.
pub fn reference_name_spans(raw: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    for caps in VAR_PATTERN.captures_iter(raw) {
        if let (Some(whole), Some(name)) = (caps.get(0), caps.get(1)) {
            spans.push(whole.start()..name.end());
            spans.push(whole.end() - 1..whole.end());
        }
    }
    spans
}

/// The SDK's re-typing of an expanded string: booleans, then digit strings,
/// then digit strings with one dot; anything else stays a string.
pub fn retype(text: String) -> Result<PyValue, String> {
    retype_for(text, crate::model::Sdk::default())
}

/// `retype` for one SDK: signalwire-sdk 3 converts only ASCII digit strings
/// (`result.isascii() and result.isdigit()`), so `"\u{661}\u{662}"` or `"²"`
/// stay strings there.
pub fn retype_for(text: String, sdk: crate::model::Sdk) -> Result<PyValue, String> {
    let ascii_only = sdk == crate::model::Sdk::SignalwireSdk3;
    let lowered = py_lower(&text);
    if lowered == "true" || lowered == "false" {
        return Ok(PyValue::Bool(lowered == "true"));
    }
    if (!ascii_only || text.is_ascii()) && py_isdigit(&text) {
        return crate::py::int_from_str(&text).map(PyValue::Int);
    }
    let without_one_dot = text.replacen('.', "", 1);
    if (!ascii_only || text.is_ascii()) && py_isdigit(&without_one_dot) {
        return float_from_digit_str(&text).map(PyValue::Float);
    }
    Ok(PyValue::Str(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigInt;

    fn int_value(i: i64) -> PyValue {
        PyValue::Int(BigInt::from(i))
    }

    fn env(pairs: &[(&str, &str)]) -> EnvView {
        EnvView::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn expands_set_default_and_unset() {
        let e = env(&[("A", "x"), ("EMPTY", "")]);
        assert_eq!(expand("${A}-${B|d}-${C}-${EMPTY|z}", &e).text, "x-d--");
    }

    #[test]
    fn nesting_is_not_supported_like_the_sdk() {
        let e = env(&[]);
        let x = expand("${A|${B|x}}", &e);
        assert_eq!(x.text, "${B|x}");
        assert!(
            x.syntax_issues
                .iter()
                .any(|i| i.problem == SyntaxProblem::Nested)
        );
    }

    #[test]
    fn unterminated_and_empty_stay_as_text() {
        let e = env(&[]);
        let x = expand("a${B", &e);
        assert_eq!(x.text, "a${B");
        assert_eq!(x.syntax_issues[0].problem, SyntaxProblem::Unterminated);
        assert_eq!(
            expand("${}", &e).syntax_issues[0].problem,
            SyntaxProblem::EmptyName
        );
    }

    #[test]
    fn spaced_names_are_looked_up_verbatim() {
        let e = env(&[("HOST", "h")]);
        let x = expand("${ HOST }", &e);
        assert_eq!(x.text, "");
        assert!(matches!(
            x.syntax_issues[0].problem,
            SyntaxProblem::SpacedName { .. }
        ));
    }

    #[test]
    fn retype_follows_the_sdk() {
        assert_eq!(retype("TRUE".into()).unwrap(), PyValue::Bool(true));
        assert_eq!(retype("007".into()).unwrap(), int_value(7));
        assert_eq!(retype("1.5".into()).unwrap(), PyValue::Float(1.5));
        assert_eq!(retype("2.".into()).unwrap(), PyValue::Float(2.0));
        assert_eq!(retype(".5".into()).unwrap(), PyValue::Float(0.5));
        assert_eq!(retype(".".into()).unwrap(), PyValue::Str(".".into()));
        assert_eq!(
            retype("1.2.3".into()).unwrap(),
            PyValue::Str("1.2.3".into())
        );
        assert_eq!(retype("-1".into()).unwrap(), PyValue::Str("-1".into()));
        assert_eq!(retype("".into()).unwrap(), PyValue::Str(String::new()));
        assert!(retype("\u{00B2}".into()).is_err());
    }
}
