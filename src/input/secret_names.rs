//! Which names of keys and variables hold secrets, for the redaction layer
//! and for the readers that collect candidate secrets.

/// Parts of a key or variable name that mark its value as secret, wherever
/// they stand in it (`user_password`, `profile_secret`, `authorization`).
const SECRET_WORDS: &[&str] = &[
    "pass", "pasw", "pwd", "pswd", "pword", "secret", "token", "cred", "private", "bearer",
    "authoriz",
];

/// [`SECRET_WORDS`] searched in one pass: a name is tested against all of
/// them for each key of a config (300,000 keys, eleven substring searches
/// each, were most of a run).
static SECRET_WORD_MATCHER: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| aho_corasick::AhoCorasick::new(SECRET_WORDS).ok());

fn has_secret_word(lowered: &str) -> bool {
    match SECRET_WORD_MATCHER.as_ref() {
        Some(matcher) => matcher.is_match(lowered),
        // Building a matcher of eleven short words does not fail; if it
        // did, the plain search gives the same answer.
        None => SECRET_WORDS.iter().any(|w| lowered.contains(w)),
    }
}

/// Every piece of text without which [`is_secret_name`] is false: its
/// words, whole-word tokens, scalar keys and the `…key` ending.
static SECRET_HINT_MATCHER: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| {
        let hints = SECRET_WORDS
            .iter()
            .chain(SECRET_TOKENS)
            .chain(SECRET_WHEN_SCALAR)
            .chain(&["key"]);
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(hints)
            .ok()
    });

/// False only when no name within `raw` (a key as written, quotes and
/// escapes included) can be secret: a cheap test before a name is
/// decoded and judged. An escape may spell anything, so it says true.
pub fn may_hold_secret_name(raw: &str) -> bool {
    raw.contains('\\')
        || SECRET_HINT_MATCHER
            .as_ref()
            .is_none_or(|matcher| matcher.is_match(raw))
}

/// Words that are secret only as a whole word of the name (`auth_pw`, `pw`),
/// since as parts they are everywhere (`typewriter`).
const SECRET_TOKENS: &[&str] = &["pw", "pin"];

/// Keys whose value is an object in a well-formed config; a string or a
/// list there is a credential in the wrong shape (`"auth": "PW"`,
/// `"basic": "u:PW"`, `"basic": ["u", "PW"]`).
const SECRET_WHEN_SCALAR: &[&str] = &["auth", "basic", "security", "basic_auth"];

/// Shell variables whose names merely look secret: the working directory.
const NOT_SECRET: &[&str] = &["pwd", "oldpwd"];

/// The words of a name: split at non-alphanumerics and at camelCase humps.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `ssl_key`, `tls_key`, `SWML_SSL_KEY`: the TLS key as the SDK takes it,
/// by the path of its file (`ssl_key_path`, of which these are the usual
/// misspellings). The path is no secret, and masking it would hide the
/// very value a finding about the key is about; the file is checked on its
/// own.
fn names_tls_key_file(words: &[String]) -> bool {
    words.last().is_some_and(|w| w == "key") && words.iter().any(|w| w == "ssl" || w == "tls")
}

/// True for names like `password`, `Pasword`, `passwd`, `"password "`,
/// `user_password`, `auth_pw`, `api_key`, `SWML_BASIC_AUTH_PASS`, `auth`,
/// `authorization`, but not `ssl_key_path`, `ssl_key`, `password_file`,
/// `PWD` or `SWML_BASIC_AUTH_USER`.
pub fn is_secret_name(name: &str) -> bool {
    let lowered = name.trim().to_ascii_lowercase();
    // A path to a secret is not one (its file is checked on its own).
    if lowered.ends_with("path") || lowered.ends_with("file") || lowered.ends_with("dir") {
        return false;
    }
    if NOT_SECRET.contains(&lowered.as_str()) {
        return false;
    }
    if has_secret_word(&lowered) {
        return true;
    }
    // The words of the name matter only for a whole-word token or a
    // `…key` name: most names (300,000 unknown keys) stop here, unsplit.
    if !(SECRET_TOKENS.iter().any(|t| lowered.contains(t)) || lowered.ends_with("key")) {
        return SECRET_WHEN_SCALAR.contains(&lowered.as_str());
    }
    let words = words(name);
    if names_tls_key_file(&words) {
        return false;
    }
    SECRET_WHEN_SCALAR.contains(&lowered.as_str())
        || words.iter().any(|w| SECRET_TOKENS.contains(&w.as_str()))
        // `api_key`, `apiKey`, `signing-key`; not `key0001` or `keys`.
        || lowered.ends_with("key")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cheap test before the judgement never turns a secret name away,
    /// whatever its case, quoting or surroundings.
    #[test]
    fn the_hint_test_never_misses_a_secret_name() {
        let words = [
            "pass", "pasw", "pwd", "pswd", "pword", "secret", "token", "cred", "private", "bearer",
            "authoriz", "pw", "pin", "key", "auth", "basic", "security", "x", "ssl", "tls", "user",
            "domain", "1", "_", "-", "Pa", "sS", "KE", "y", "API",
        ];
        let mut judged = 0;
        for a in words {
            for b in words {
                for c in ["", "_", "Word", "Key", "0"] {
                    for name in [
                        format!("{a}{b}{c}"),
                        format!("{a}_{b}{c}"),
                        format!("{}{b}{c}", a.to_uppercase()),
                    ] {
                        if is_secret_name(&name) {
                            judged += 1;
                            for raw in [
                                name.clone(),
                                format!("\"{name}\": "),
                                format!("'{name}' = "),
                            ] {
                                assert!(may_hold_secret_name(&raw), "{raw:?}");
                            }
                        }
                    }
                }
            }
        }
        assert!(judged > 1000, "{judged}");
        assert!(may_hold_secret_name("\"\\u0070ass\": "));
        assert!(!may_hold_secret_name("\"unknown_12345\": 1"));
    }

    #[test]
    fn secret_names() {
        for n in [
            "password",
            "Password",
            "pasword",
            "passwd",
            "password ",
            "api_key",
            "SWML_BASIC_AUTH_PASS",
            "auth",
            "security",
            "client_secret",
            "user_password",
            "password_username",
            "auth_pw",
            "basic_auth_pw",
            "userPass",
            "pswd",
            "profile_secret",
            "authorization",
            "Bearer",
            "basic_auth",
            "ssl_private_key",
            "tls_key_password",
            "signing_key",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "ssl_key_path",
            "domain",
            "rate_limit",
            "user",
            "allowed_hosts",
            "SWML_BASIC_AUTH_USER",
            "PWD",
            "OLDPWD",
            "password_file",
            "hash_passwd_file",
            "typewriter",
            "SWML_SSL_KEY_PATH",
            "oauth_domain",
            "ssl_key",
            "tls_key",
            "SWML_SSL_KEY",
            "sslKey",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }
}
