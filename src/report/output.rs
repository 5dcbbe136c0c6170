//! The exit of every byte: standard output and standard error are written
//! only through [`Output`], which redacts every secret of the run and
//! escapes what a terminal, a CI log or an XML reader must not see raw.

use std::io::Write;

use crate::finding::Finding;
use crate::report::escape::escape_document;
use crate::report::redact::Redactor;

/// A rendered document, by how it may be redacted without breaking it.
pub enum Document {
    /// Lines of text (human, short, github, env): redacted and escaped as text.
    Text(String),
    /// JSON (json, sarif): every string redacted, then serialised.
    Json(serde_json::Value),
    /// JSON serialised from sanitized data (check's findings): redacted
    /// again as text, a last line of defence that never meets a secret.
    JsonText(String),
    /// TOML, made from the same data as JSON.
    Toml(serde_json::Value),
    /// XML (junit): built from sanitized findings; redacted and escaped
    /// again as text, which keeps every character XML 1.0 allows.
    Xml(String),
}

#[derive(Debug, Clone, Default)]
pub struct Output {
    pub redactor: Redactor,
    /// Colour on standard output: ESC then belongs to our own styling.
    pub stdout_color: bool,
    pub stderr_color: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot write the output: {0}")]
pub struct WriteError(#[from] std::io::Error);

/// Every string of `value`, keys included, with its unsafe characters
/// escaped as text.
fn escape_json_strings(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(e) = crate::report::escape::escape(s) {
                *s = e;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(escape_json_strings),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (k, mut v) in entries {
                escape_json_strings(&mut v);
                map.insert(crate::report::escape::escape(&k).into_owned(), v);
            }
        }
        _ => {}
    }
}

impl Output {
    pub fn new(redactor: Redactor, stdout_color: bool, stderr_color: bool) -> Self {
        Output {
            redactor,
            stdout_color,
            stderr_color,
        }
    }

    /// Redacts, escapes and clips every text of every finding, once, before
    /// any renderer sees them.
    pub fn sanitize(&self, findings: &mut [Finding]) {
        for f in findings {
            self.redactor.sanitize_finding(f);
        }
    }

    /// The bytes `document` becomes on the way out.
    pub fn finish(&self, document: Document, color: bool) -> String {
        match document {
            Document::Text(text) => self.finish_text(text, color),
            Document::Json(mut value) => {
                self.redactor.redact_json(&mut value);
                // Serialising a Value cannot fail (string keys only).
                let text = serde_json::to_string_pretty(&value).unwrap_or_default() + "\n";
                self.redactor.redact_json_text(&text)
            }
            Document::Toml(mut value) => {
                self.redactor.redact_json(&mut value);
                // Escaped before serialising: escaping the TOML text would
                // write `\u{202e}` inside a basic string, which TOML rejects.
                escape_json_strings(&mut value);
                let text = crate::report::resolve_out::json_to_toml_text(&value);
                let redacted = self.redactor.redact_toml_text(&text);
                escape_document(&redacted, false).into_owned()
            }
            Document::Xml(text) => {
                let redacted = self.redactor.redact_xml_text(&text);
                escape_document(&redacted, false).into_owned()
            }
            Document::JsonText(text) => self.redactor.redact_json_text(&text),
        }
    }

    /// Redacted and escaped text, copied only where something changed.
    fn finish_text(&self, text: String, color: bool) -> String {
        let redacted = match self.redactor.redact(&text) {
            std::borrow::Cow::Borrowed(_) => text,
            std::borrow::Cow::Owned(r) => r,
        };
        match escape_document(&redacted, color) {
            std::borrow::Cow::Borrowed(_) => redacted,
            std::borrow::Cow::Owned(e) => e,
        }
    }

    pub fn stdout(&self, document: Document) -> Result<(), WriteError> {
        let text = self.finish(document, self.stdout_color);
        let mut out = std::io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
            Ok(()) => Ok(()),
            // A closed pipe (`| head`) is not an error worth a message.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(WriteError(e)),
        }
    }

    /// Standard error: diagnostics and messages. A failing stderr has
    /// nowhere left to be reported.
    pub fn stderr(&self, text: &str) {
        let text = self.finish(Document::Text(text.to_string()), self.stderr_color);
        let _ = writeln!(std::io::stderr(), "{}", text.trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_output_stays_toml_whatever_the_strings_hold() {
        let output = Output::default();
        let value = serde_json::json!({
            "k\u{1b}\u{202e}": {"v": "a\u{1b}[31m\u{7}\r\n\u{85}\u{202e}evil\u{ffff}\u{2028}'\\"}
        });
        let text = output.finish(Document::Toml(value), false);
        let parsed: toml::Table = text.parse().unwrap_or_else(|e| panic!("{e}:\n{text}"));
        let inner = parsed
            .values()
            .next()
            .and_then(|t| t.get("v"))
            .and_then(|v| v.as_str())
            .unwrap();
        assert_eq!(
            inner,
            "a\\u{1b}[31m\\u{7}\\r\\n\\u{85}\\u{202e}evil\\u{ffff}\\u{2028}'\\"
        );
        assert!(!text.contains(['\u{1b}', '\u{202e}', '\u{ffff}', '\r']));
    }
}
