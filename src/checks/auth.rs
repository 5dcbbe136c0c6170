//! Basic authentication: the user and password the SDK will demand.

use crate::checks::CheckContext;
use crate::finding::{Finding, Location};
use crate::model::{SettingId, Source};
use crate::resolve::source_location;

/// Example and template passwords from the SDK's security guide, its project
/// templates and common defaults (compared case-insensitively, ignoring
/// separators).
const PLACEHOLDERS: &[&str] = &[
    "mysecurepassword",
    "your-secure-password",
    "yoursecurepassword",
    "devpass123",
    "staging_secure_password",
    "strong-password-here",
    "strongpasswordhere",
    "your-password",
    "your_password_here",
    "password",
    "password123",
    "changeme",
    "change-me",
    "changeit",
    "secret",
    "letmein",
    "admin",
    "admin123",
    "signalwire",
    "test",
    "test123",
    "example",
    "default",
    "qwerty",
    "123456",
    "12345678",
    "your-basic-auth-password",
    "securepassword",
    "supersecret",
    "replace-me",
    "replaceme",
    "todo",
    "xxx",
];

/// The words the SDK's guides, tutorials and templates build example
/// passwords from (`your_secure_password_here`, `secure_password_123`,
/// `a-long-random-password`, `choose-something-long`). A password made of
/// these words alone, with at most a short tail of digits or punctuation, is
/// a placeholder, however it is spelt or joined.
const TEMPLATE_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "my",
    "your",
    "our",
    "this",
    "that",
    "some",
    "something",
    "here",
    "goes",
    "put",
    "insert",
    "enter",
    "replace",
    "with",
    "change",
    "changeme",
    "me",
    "it",
    "to",
    "of",
    "set",
    "choose",
    "pick",
    "use",
    "new",
    "secure",
    "securely",
    "strong",
    "super",
    "very",
    "really",
    "long",
    "longer",
    "random",
    "complex",
    "unique",
    "hard",
    "good",
    "safe",
    "password",
    "passwd",
    "passphrase",
    "pass",
    "pwd",
    "pw",
    "secret",
    "token",
    "key",
    "api",
    "auth",
    "basic",
    "admin",
    "user",
    "agent",
    "signalwire",
    "swml",
    "example",
    "sample",
    "dummy",
    "placeholder",
    "default",
    "test",
    "testing",
    "demo",
    "dev",
    "development",
    "staging",
    "prod",
    "production",
    "local",
    "value",
    "string",
    "generated",
    "xxx",
    "todo",
    "fixme",
    "foo",
    "bar",
];
/// Template passwords are short; longer text is not searched.
const TEMPLATE_PHRASE_MAX: usize = 64;
/// Phrases that make a password a placeholder whatever surrounds them
/// (`CHANGE_ME_IN_PRODUCTION`, `please-change-me`, `set-a-real-password-here`),
/// compared with the letters and digits of the password, lower-cased.
const TEMPLATE_MARKERS: &[&str] = &[
    "changeme",
    "changeit",
    "changethis",
    "replaceme",
    "replacethis",
    "replacewith",
    "passwordhere",
    "secrethere",
    "tokenhere",
    "keyhere",
    "goeshere",
    "yourpassword",
    "yoursecret",
    "putyour",
    "enteryour",
    "insertyour",
    "setareal",
    "placeholder",
    "notarealpassword",
];

/// True when `password` holds one of [`TEMPLATE_MARKERS`], or is made of
/// [`TEMPLATE_WORDS`] only, joined by separators or run together, with at
/// most eight digits (a year, a date) and any punctuation at the end:
/// `-2024`, `_123!`, `-2024-01-01`.
pub fn is_template_phrase(password: &str) -> bool {
    if password.len() > TEMPLATE_PHRASE_MAX || !password.is_ascii() {
        return false;
    }
    let lower = password.to_ascii_lowercase();
    let letters: String = lower.chars().filter(char::is_ascii_alphanumeric).collect();
    if TEMPLATE_MARKERS.iter().any(|m| letters.contains(m)) {
        return true;
    }
    let core = lower.trim_end_matches(|c: char| !c.is_ascii_alphabetic());
    let tail_digits = lower[core.len()..]
        .bytes()
        .filter(u8::is_ascii_digit)
        .count();
    if core.is_empty() || tail_digits > 8 {
        return false;
    }
    core.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .all(|part| segments_into_words(part.as_bytes()))
}

/// Word break over [`TEMPLATE_WORDS`]: `reachable[i]` is true when the
/// first `i` bytes are a sequence of words (at most 64 bytes, so the
/// quadratic table stays tiny).
fn segments_into_words(part: &[u8]) -> bool {
    let mut reachable = vec![false; part.len() + 1];
    reachable[0] = true;
    for start in 0..part.len() {
        if !reachable[start] {
            continue;
        }
        for word in TEMPLATE_WORDS {
            if part[start..].starts_with(word.as_bytes()) {
                reachable[start + word.len()] = true;
            }
        }
    }
    reachable[part.len()]
}

fn normalized(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn location_of(source: &Source) -> Location {
    source_location(source)
}

pub fn check(cx: &mut CheckContext) {
    let s = &cx.res.settings;
    let user_setting = s.get(SettingId::BasicAuthUser);
    let password_setting = s.get(SettingId::BasicAuthPassword);
    let user = user_setting
        .value
        .as_str()
        .unwrap_or("signalwire")
        .to_string();
    let user_loc = location_of(&user_setting.source);
    let pw_loc = location_of(&password_setting.source);
    // Typed secret: exposed only to judge it, never put in a message.
    let password = password_setting.value.as_secret();
    let user_is_secret = password.is_some_and(|p| p.expose() == user);
    let shown_user = if user_is_secret {
        "<redacted>".to_string()
    } else {
        format!("{user:?}")
    };

    if user == "signalwire" {
        cx.push(
            Finding::new(
                "auth-default-user",
                "the Basic auth user is the SDK's default, `signalwire`",
            )
            .help("set SWML_BASIC_AUTH_USER to a name of your own")
            .setting("basic_auth_user")
            .at(user_loc.clone()),
        );
    }
    if user.contains(':') || user.chars().any(char::is_control) {
        cx.push(
            Finding::new("auth-user-invalid", format!("the Basic auth user {shown_user} contains `:` or a control character: no client can log in"))
                .help("use a user name without `:` and control characters")
                .setting("basic_auth_user")
                .at(user_loc.clone()),
        );
    }
    if user.trim() != user {
        cx.push(
            Finding::new(
                "auth-credential-whitespace",
                "the Basic auth user starts or ends with whitespace",
            )
            .help("strip the value where it is set")
            .setting("basic_auth_user")
            .at(user_loc.clone()),
        );
    }
    let Some(password) = password else {
        cx.push(
            Finding::new("auth-password-unset", "no Basic auth password: the SDK generates a new one at every start, so stored webhook credentials break on restart")
                .help("set SWML_BASIC_AUTH_PASSWORD from your secret store (swml-sec gen-password)")
                .setting("basic_auth_password")
                .at(pw_loc),
        );
        return;
    };
    let password = password.expose();
    if password.trim() != password {
        cx.push(
            Finding::new(
                "auth-credential-whitespace",
                "the Basic auth password starts or ends with whitespace (a pasted newline?)",
            )
            .help("strip the value where it is set")
            .setting("basic_auth_password")
            .at(pw_loc.clone()),
        );
    }
    if let Source::File(span) = &password_setting.source {
        // `via` lists each `${...}` as `NAME`, `NAME default` or `NAME unset`.
        let defaulted: Vec<&str> = span
            .via
            .as_deref()
            .map(|v| {
                v.split(", ")
                    .filter_map(|p| p.strip_suffix(" default"))
                    .collect()
            })
            .unwrap_or_default();
        let message = if span.via.is_none() {
            Some("the config file holds the password itself".to_string())
        } else {
            // The default is the password: never quote it.
            defaulted.first().map(|var| format!(
                "{var} is unset, so the password is the default written after `|` in ${{{var}|…}}: a password committed in the config file"
            ))
        };
        if let Some(message) = message {
            cx.push(
                Finding::new("auth-secret-in-config", message)
                    .help("reference a variable without a default: \"password\": \"${SWML_BASIC_AUTH_PASSWORD}\", and set it from your secret store")
                    .setting("basic_auth_password")
                    .at(pw_loc.clone()),
            );
        }
    }
    let norm = normalized(password);
    if PLACEHOLDERS.iter().any(|p| normalized(p) == norm) || is_template_phrase(password) {
        cx.push(
            Finding::new(
                "auth-password-placeholder",
                "the password is a known example or template value",
            )
            .help("replace it with a generated secret (swml-sec gen-password)")
            .setting("basic_auth_password")
            .at(pw_loc),
        );
        return;
    }
    if password == user {
        cx.push(
            Finding::new(
                "auth-password-equals-user",
                "the password equals the user name",
            )
            .help("use a generated password (swml-sec gen-password)")
            .setting("basic_auth_password")
            .at(pw_loc),
        );
        return;
    }
    let length = password.chars().count();
    let min = cx.options.min_password_length;
    let reason = if length < min {
        // Never its length: that narrows a brute force as much as it informs.
        Some(format!("it is shorter than {min} characters"))
    } else {
        let domain = s
            .value(SettingId::Domain)
            .as_str()
            .unwrap_or("")
            .to_string();
        let inputs = [user.as_str(), domain.as_str(), "signalwire"];
        let estimate = zxcvbn::zxcvbn(password, &inputs);
        let score = estimate.score() as u8;
        (score < 3).then(|| format!("its strength estimate is {score}/4 (zxcvbn)"))
    };
    if let Some(reason) = reason {
        cx.push(
            Finding::new(
                "auth-password-weak",
                format!("the password is weak: {reason}"),
            )
            .help(format!(
                "use at least {min} random characters (swml-sec gen-password)"
            ))
            .setting("basic_auth_password")
            .at(pw_loc),
        );
    }
}
