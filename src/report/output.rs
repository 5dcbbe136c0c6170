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

/// A document written piece by piece through the gate: what the gate may
/// cut it at, and how it redacts each piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Lines of text (human, short, github): redacted and escaped as text.
    Text,
    /// Pretty-printed JSON (json, sarif), serialised from sanitized data:
    /// each piece redacted token by token. A newline of pretty-printed
    /// JSON never stands inside a string, so a piece is whole tokens.
    Json,
}

/// Pieces gated at once: large enough that the per-piece work is noise,
/// small enough that 300,000 findings never stand in memory as text.
const PIECE_BYTES: usize = 1 << 16;

/// The output gate on a stream: bytes written to it are cut at newlines
/// into pieces, and each piece is redacted and escaped before it reaches
/// `sink`. A secret never spans pieces: the net's secrets hold no newline,
/// and when one does the document is gated whole.
pub struct Gate<'o, W: Write> {
    output: &'o Output,
    kind: Stream,
    color: bool,
    pending: Vec<u8>,
    sink: W,
    /// A secret of the net holds a newline: no piece may end at one.
    whole: bool,
    /// The redactor could not be built: the document is withheld, its mask
    /// written once.
    withheld: bool,
}

impl<W: Write> Gate<'_, W> {
    /// Gates the pending bytes and empties them (the buffer is kept).
    fn pass(&mut self) -> std::io::Result<()> {
        let piece = std::mem::take(&mut self.pending);
        let written = self.pass_piece(&piece);
        self.pending = piece;
        self.pending.clear();
        written
    }

    fn pass_piece(&mut self, piece: &[u8]) -> std::io::Result<()> {
        if self.withheld {
            return Ok(());
        }
        if self.output.redactor.withholds_all() {
            self.withheld = true;
            return self
                .sink
                .write_all(crate::report::redact::REDACTED.as_bytes());
        }
        // Our renderers write UTF-8 and a piece ends at a newline, never
        // inside a character; a lossy reading is only a guard.
        let text = match std::str::from_utf8(piece) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(piece),
        };
        let gated = match self.kind {
            Stream::Json => self.output.redactor.redact_json_text(&text),
            Stream::Text => self.output.finish_text(&text, self.color),
        };
        self.sink.write_all(gated.as_bytes())
    }

    /// Gates what is left and flushes; gives the sink back.
    pub fn finish(mut self) -> std::io::Result<W> {
        if !self.pending.is_empty() {
            self.pass()?;
        }
        self.sink.flush()?;
        Ok(self.sink)
    }
}

impl<W: Write> Write for Gate<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.whole
            && self.pending.len() + buf.len() >= PIECE_BYTES
            && let Some(newline) = memchr::memrchr(b'\n', buf)
        {
            // The piece ends at the last newline of this write; the rest
            // starts the next one.
            self.pending.extend_from_slice(&buf[..=newline]);
            self.pass()?;
            self.pending.extend_from_slice(&buf[newline + 1..]);
        } else {
            self.pending.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // Pending bytes wait for a newline: a flush in mid-line must not
        // cut a secret in two.
        self.sink.flush()
    }
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
            Document::Text(text) => match self.finish_text(&text, color) {
                std::borrow::Cow::Owned(finished) => finished,
                std::borrow::Cow::Borrowed(_) => text,
            },
            Document::Json(mut value) => {
                self.redactor.redact_json(&mut value);
                // Serialising a Value cannot fail (string keys only).
                let text = serde_json::to_string_pretty(&value).unwrap_or_default() + "\n";
                self.redactor.redact_json_text(&text).into_owned()
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
            Document::JsonText(text) => match self.redactor.redact_json_text(&text) {
                std::borrow::Cow::Owned(redacted) => redacted,
                std::borrow::Cow::Borrowed(_) => text,
            },
        }
    }

    /// Redacted and escaped text, copied only where something changed.
    fn finish_text<'a>(&self, text: &'a str, color: bool) -> std::borrow::Cow<'a, str> {
        let redacted = self.redactor.redact(text);
        match escape_document(&redacted, color) {
            std::borrow::Cow::Owned(escaped) => std::borrow::Cow::Owned(escaped),
            std::borrow::Cow::Borrowed(_) => redacted,
        }
    }

    /// The gate for a document of `kind` written to `sink`.
    pub fn gate<W: Write>(&self, kind: Stream, color: bool, sink: W) -> Gate<'_, W> {
        Gate {
            output: self,
            kind,
            color,
            pending: Vec::with_capacity(PIECE_BYTES + 4096),
            sink,
            whole: self.redactor.spans_lines(),
            withheld: false,
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

    /// A document of many pieces written in small, uneven writes, as a
    /// serialiser makes them.
    fn stream_through(output: &Output, kind: Stream, document: &str) -> String {
        let mut gate = output.gate(kind, false, Vec::new());
        for chunk in document.as_bytes().chunks(7) {
            gate.write_all(chunk).unwrap();
        }
        String::from_utf8(gate.finish().unwrap()).unwrap()
    }

    #[test]
    fn a_streamed_document_is_gated_as_the_whole_one_would_be() {
        let secret = "Zq8#vkT9!mW2pL4x";
        let output = Output::new(Redactor::new([secret.to_string()]), false, false);
        // Far past one piece, the secret at every offset a cut could fall.
        let mut document = String::new();
        for i in 0..20_000 {
            document.push_str(&format!(
                "{}{secret} line {i} \u{1b}[2J\n",
                "x".repeat(i % 97)
            ));
        }
        assert!(document.len() > 4 * PIECE_BYTES);
        let streamed = stream_through(&output, Stream::Text, &document);
        assert_eq!(streamed, output.finish(Document::Text(document), false));
        assert!(!streamed.contains(secret));
        assert_eq!(streamed.matches("<redacted>").count(), 20_000);
    }

    #[test]
    fn json_is_gated_piece_by_piece_into_the_same_valid_document() {
        let secret = "Zq8#vkT9!mW2pL4x";
        let output = Output::new(Redactor::new([secret.to_string()]), false, false);
        let items: Vec<serde_json::Value> = (0..5_000)
            .map(|i| serde_json::json!({"ruleId": "auth-password-weak", "text": format!("{i} {secret}")}))
            .collect();
        let document = serde_json::to_string_pretty(&items).unwrap();
        assert!(document.len() > 4 * PIECE_BYTES);
        let streamed = stream_through(&output, Stream::Json, &document);
        assert_eq!(streamed, output.finish(Document::JsonText(document), false));
        let parsed: Vec<serde_json::Value> = serde_json::from_str(&streamed).unwrap();
        assert_eq!(parsed[4_999]["text"], "4999 <redacted>");
        assert_eq!(parsed[0]["ruleId"], "auth-password-weak");
    }

    #[test]
    fn a_secret_that_spans_lines_makes_the_gate_take_the_document_whole() {
        let secret = "first-Zq8#vkT9\nsecond-mW2pL4x";
        let output = Output::new(Redactor::new([secret.to_string()]), false, false);
        let padding = "p".repeat(PIECE_BYTES - 10);
        let document = format!("{padding}first-Zq8#vkT9\nsecond-mW2pL4x and more\n");
        let streamed = stream_through(&output, Stream::Text, &document);
        assert!(
            !streamed.contains("first-Zq8#vkT9"),
            "{}",
            &streamed[streamed.len() - 80..]
        );
        assert!(!streamed.contains("second-mW2pL4x"));
    }

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
