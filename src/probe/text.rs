//! What the probe takes from the peer (header values, certificate names,
//! error reasons) passes through [`Shown::text`] before it reaches a message
//! or a log line: known credential forms become `<redacted>`, and control and
//! bidirectional-formatting characters become visible escapes.

use crate::report::redact::{Redactor, basic_credential_forms};

pub use crate::report::redact::REDACTED;

/// Every form in which the credentials could come back: the password, the
/// `user:password` pair, and its base64 (standard and URL-safe, with and
/// without padding); the redactor adds the escaped and percent-encoded
/// forms of each.
pub fn credential_forms(user: &str, password: &str) -> Vec<String> {
    if password.is_empty() {
        return Vec::new();
    }
    let mut forms = basic_credential_forms(user, password);
    forms.push(password.to_string());
    forms
}

/// Makes peer text safe to show: redacted, then escaped (control and bidi
/// characters as visible escapes, newlines and tabs included).
pub fn shown(text: &str, secrets: &Redactor) -> String {
    let redacted = secrets.redact(text);
    crate::report::escape::escape(&redacted).into_owned()
}

/// A value the peer served, quoted in its own slot (a header's value):
/// masked whole when it holds a secret, so that no piece of it stands
/// beside the mask (a common-word password after `user:`).
pub fn shown_value(text: &str, secrets: &Redactor) -> String {
    if secrets.hides(text) {
        REDACTED.to_string()
    } else {
        shown(text, secrets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};

    #[test]
    fn every_credential_form_is_redacted() {
        let forms = credential_forms("admin", "pa ss/w+rd?");
        let redactor = Redactor::new(forms.clone());
        let pair = "admin:pa ss/w+rd?";
        for leaked in [
            "pa ss/w+rd?".to_string(),
            pair.to_string(),
            format!("Basic {}", STANDARD.encode(pair)),
            URL_SAFE.encode(pair),
            URL_SAFE_NO_PAD.encode(pair),
            "pa+ss%2Fw%2Brd%3F".to_string(),
        ] {
            let out = shown(&format!("served X: {leaked}!"), &redactor);
            assert!(out.contains(REDACTED), "{out}");
            for f in &forms {
                assert!(!out.contains(f.as_str()), "{f} in {out}");
            }
        }
        assert!(credential_forms("admin", "").is_empty());
        assert_eq!(shown("nothing here", &redactor), "nothing here");
        // A common word as the password: the served value goes whole.
        let redactor = Redactor::new(credential_forms("agent-webhooks", "error"));
        assert_eq!(shown_value("max=agent-webhooks:error", &redactor), REDACTED);
        assert_eq!(shown_value("error", &redactor), REDACTED);
        assert_eq!(shown_value("DENY", &redactor), "DENY");
    }

    #[test]
    fn controls_and_bidi_are_escaped() {
        let none = Redactor::none();
        let out = shown(
            "a\u{1b}[31m\u{7f}\u{85}\u{9b}\u{202e}b\u{2066}\u{200f}\u{61c}\tc\n",
            &none,
        );
        assert_eq!(
            out,
            "a\\u{1b}[31m\\u{7f}\\u{85}\\u{9b}\\u{202e}b\\u{2066}\\u{200f}\\u{61c}\\tc\\n"
        );
        assert_eq!(shown("plain é ✓", &none), "plain é ✓");
    }
}
