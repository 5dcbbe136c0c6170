//! The tool's own words: rule ids, severities, setting and variable names,
//! the keys and markup of every output format, the rules' explain text and
//! the command-line help. The redaction net never searches for a secret
//! that is one of these words or a piece of them (it would rewrite the
//! report's own text and tell the reader the password), and never cuts
//! through one where it stands as a whole token.

use std::collections::HashSet;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Keys and fixed words of the JSON, SARIF, TOML, JUnit, GitHub, env and
/// human formats.
const FORMAT_WORDS: &[&str] = &[
    // check/resolve JSON
    "version",
    "profile",
    "config_file",
    "config_loaded",
    "findings",
    "rule",
    "severity",
    "message",
    "help",
    "setting",
    "location",
    "kind",
    "path",
    "line",
    "column",
    "pointer",
    "via",
    "name",
    "env_file",
    "url",
    "file",
    "env",
    "default",
    "summary",
    "error",
    "warning",
    "note",
    "settings",
    "value",
    "python_type",
    "source",
    "env_flags",
    "diagnostics",
    "label",
    "variable",
    "ignored",
    "stage",
    "deferred",
    "range",
    "start",
    "end",
    "null",
    "true",
    "false",
    "none",
    "str",
    "int",
    "bool",
    "list",
    "float",
    "NoneType",
    // SARIF 2.1.0
    "$schema",
    "https://json.schemastore.org/sarif-2.1.0.json",
    "2.1.0",
    "runs",
    "tool",
    "driver",
    "semanticVersion",
    "informationUri",
    "https://github.com/swml-sec/swml-sec",
    "rules",
    "id",
    "shortDescription",
    "fullDescription",
    "text",
    "markdown",
    "defaultConfiguration",
    "level",
    "properties",
    "tags",
    "security",
    "results",
    "ruleId",
    "ruleIndex",
    "locations",
    "physicalLocation",
    "artifactLocation",
    "uri",
    "uriBaseId",
    "SRCROOT",
    "region",
    "startLine",
    "startColumn",
    "endLine",
    "endColumn",
    "logicalLocations",
    "originalUriBaseIds",
    "invocations",
    "executionSuccessful",
    "columnKind",
    "unicodeCodePoints",
    "utf16CodeUnits",
    "artifacts",
    "swml-sec",
    "**Fix:**",
    "**Example:**",
    // JUnit
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
    "UTF-8",
    "xml",
    "encoding",
    "testsuites",
    "testsuite",
    "testcase",
    "classname",
    "failure",
    "skipped",
    "system-out",
    "system-err",
    "tests",
    "failures",
    "errors",
    "skipped",
    "time",
    "type",
    "<redacted>",
    "&lt;redacted&gt;",
    // GitHub workflow commands
    "::error",
    "::warning",
    "::notice",
    "notice",
    "file=",
    "line=",
    "col=",
    "endLine=",
    "endColumn=",
    "title=",
    // env and human
    "export",
    "unset",
    "# Effective SDK security settings, as environment variables (swml-sec resolve --format env)",
    "is set but redacted: add --show-secrets to print it",
    "no password: the SDK generates a new one at every start",
    "an item is empty, has a comma or surrounding spaces, which a variable cannot carry",
    "config file: ",
    "(ignored by the SDK)",
    "none found (environment and defaults only)",
    "setting",
    "(generated at each start)",
    "(none)",
    "errors",
    "warnings",
    "notes",
    "no findings",
    "prod",
    "staging",
    "dev",
    "build",
    "deploy",
    "help:",
    "SWML_",
    "SWML",
];

pub struct Vocabulary {
    /// Every word and text, lower-cased, one per line: a secret found in it
    /// is a piece of the tool's own text.
    text: String,
    /// Whole tokens the net never cuts: ids, severities, keys, names.
    tokens: HashSet<&'static str>,
    /// The same tokens, for finding them in a text.
    finder: Option<AhoCorasick>,
}

fn collect() -> Vocabulary {
    use crate::checks::registry::RULES;
    use crate::model::{FlagId, SettingId};
    let mut tokens: Vec<&'static str> = FORMAT_WORDS.to_vec();
    let mut text = String::new();
    for rule in RULES {
        tokens.push(rule.id);
        tokens.push(rule.family.as_str());
        for t in [rule.summary, rule.why, rule.fix, rule.example] {
            text.push_str(t);
            text.push('\n');
        }
    }
    for id in SettingId::ALL {
        tokens.push(id.name());
        tokens.push(id.env_var());
    }
    for id in FlagId::ALL {
        tokens.push(id.name());
        tokens.push(id.env_var());
    }
    for s in [
        crate::severity::Severity::Error,
        crate::severity::Severity::Warning,
        crate::severity::Severity::Note,
    ] {
        tokens.push(s.as_str());
    }
    for t in &tokens {
        text.push_str(t);
        text.push('\n');
    }
    let mut cmd = <crate::cli::Cli as clap::CommandFactory>::command();
    text.push_str(&cmd.render_long_help().to_string());
    for sub in cmd.get_subcommands_mut() {
        text.push_str(&sub.render_long_help().to_string());
    }
    let text = text.to_lowercase();
    tokens.sort_unstable();
    tokens.dedup();
    // A finder over a few hundred short words: any kind is small; the
    // contiguous NFA keeps its build linear.
    let finder = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(&tokens)
        .ok();
    Vocabulary {
        text,
        tokens: tokens.into_iter().collect(),
        finder,
    }
}

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(collect);

/// True when `secret` (ignoring case) is a piece of the tool's own text.
pub fn is_own_text(secret: &str) -> bool {
    VOCABULARY.text.contains(&secret.to_lowercase())
}

/// True when `text` is exactly one of the tool's tokens (a rule id, a
/// severity, a key).
pub fn is_own_token(text: &str) -> bool {
    VOCABULARY.tokens.contains(text)
}

/// Where the tool's own tokens stand as whole words in `text` (not inside
/// a longer word of letters, digits, `-` or `_`), sorted and disjoint.
pub fn own_token_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let Some(finder) = &VOCABULARY.finder else {
        return Vec::new();
    };
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
    finder
        .find_iter(text)
        .map(|m| m.range())
        .filter(|r| {
            let token = &text[r.clone()];
            // Markup such as `::error` or `file=` has its own edges.
            let edged = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
            let first = token.chars().next();
            let last = token.chars().next_back();
            let before = text[..r.start].chars().next_back();
            let after = text[r.end..].chars().next();
            (!edged(first) || !word(before)) && (!edged(last) || !word(after))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_severities_and_names_are_own_text() {
        for w in [
            "error",
            "auth-password-weak",
            "password",
            "SWML",
            "UTF-8",
            "ruleId",
            "pass",
            "word",
        ] {
            assert!(is_own_text(w), "{w}");
        }
        assert!(!is_own_text("Zq8-hunter2-Vx41-Lm"));
        assert!(is_own_token("cert-expired"));
        assert!(!is_own_token("cert-expired2"));
        let text = "::error file=a.json,title=auth-password-weak::x error-prone";
        let found: Vec<&str> = own_token_ranges(text)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert!(found.contains(&"::error"), "{found:?}");
        assert!(found.contains(&"auth-password-weak"), "{found:?}");
        assert!(!found.contains(&"error"), "{found:?}");
    }
}
