//! What the probe takes from the peer (header values, certificate names,
//! error reasons) passes through [`Shown::text`] before it reaches a message
//! or a log line: known credential forms become `<redacted>`, and control and
//! bidirectional-formatting characters become visible escapes.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

pub const REDACTED: &str = "<redacted>";

/// Every form in which the credentials could come back: the password, the
/// `user:password` pair, and its base64 (standard and URL-safe, with and
/// without padding) and percent-encoded forms. Longest first, empty forms
/// dropped, so replacing them in order never leaves a part behind.
pub fn credential_forms(user: &str, password: &str) -> Vec<String> {
    if password.is_empty() {
        return Vec::new();
    }
    let pair = format!("{user}:{password}");
    let mut forms = vec![
        password.to_string(),
        pair.clone(),
        STANDARD.encode(&pair),
        STANDARD_NO_PAD.encode(&pair),
        URL_SAFE.encode(&pair),
        URL_SAFE_NO_PAD.encode(&pair),
        url::form_urlencoded::byte_serialize(password.as_bytes()).collect(),
    ];
    forms.retain(|f| !f.is_empty());
    forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    forms.dedup();
    forms
}

/// Replaces every known credential form with `<redacted>`.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if !s.is_empty() && out.contains(s.as_str()) {
            out = out.replace(s.as_str(), REDACTED);
        }
    }
    out
}

/// Bidirectional formatting characters: they reorder what a terminal or a
/// review page shows.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Escapes C0 controls (all of them, tab and newlines included), DEL, C1
/// controls and bidi controls: `\x1b` for ASCII, `\u{202e}` otherwise.
pub fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_control() {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else if c.is_control() || is_bidi_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Makes peer text safe to show: redacted, then escaped, then redacted
/// again (an escape could not have formed a secret, but it costs nothing).
pub fn shown(text: &str, secrets: &[String]) -> String {
    redact(&escape_controls(&redact(text, secrets)), secrets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_credential_form_is_redacted() {
        let forms = credential_forms("admin", "pa ss/w+rd?");
        let pair = "admin:pa ss/w+rd?";
        for leaked in [
            "pa ss/w+rd?".to_string(),
            pair.to_string(),
            format!("Basic {}", STANDARD.encode(pair)),
            URL_SAFE.encode(pair),
            URL_SAFE_NO_PAD.encode(pair),
            "pa+ss%2Fw%2Brd%3F".to_string(),
        ] {
            let out = shown(&format!("served X: {leaked}!"), &forms);
            assert!(out.contains(REDACTED), "{out}");
            for f in &forms {
                assert!(!out.contains(f.as_str()), "{f} in {out}");
            }
        }
        assert!(credential_forms("admin", "").is_empty());
        assert_eq!(redact("nothing here", &forms), "nothing here");
    }

    #[test]
    fn controls_and_bidi_are_escaped() {
        let out =
            escape_controls("a\u{1b}[31m\u{7f}\u{85}\u{9b}\u{202e}b\u{2066}\u{200f}\u{61c}\tc\n");
        assert_eq!(
            out,
            "a\\x1b[31m\\x7f\\u{85}\\u{9b}\\u{202e}b\\u{2066}\\u{200f}\\u{61c}\\x09c\\x0a"
        );
        assert_eq!(escape_controls("plain é ✓"), "plain é ✓");
    }
}
