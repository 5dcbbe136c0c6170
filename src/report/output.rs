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
                self.redactor.redact(&text).into_owned()
            }
            Document::Toml(mut value) => {
                self.redactor.redact_json(&mut value);
                let text = crate::report::resolve_out::json_to_toml_text(&value);
                let redacted = self.redactor.redact(&text);
                escape_document(&redacted, false).into_owned()
            }
            Document::Xml(text) => self.finish_text(text, false),
            Document::JsonText(text) => match self.redactor.redact(&text) {
                std::borrow::Cow::Borrowed(_) => text,
                std::borrow::Cow::Owned(r) => r,
            },
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
