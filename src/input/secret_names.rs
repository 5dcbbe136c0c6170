//! Which names of keys and variables hold secrets, for the redaction layer
//! and for the readers that collect candidate secrets.

/// Words of a key or variable name that mark its value as secret.
const SECRET_WORDS: &[&str] = &[
    "pass", "pasw", "pwd", "pword", "secret", "token", "cred", "private",
];

/// Keys whose value is an object in a well-formed config; a string there
/// is a credential in the wrong shape (`"auth": "PW"`, `"basic": "u:PW"`).
const SECRET_WHEN_SCALAR: &[&str] = &["auth", "basic", "security"];

/// True for names like `password`, `Pasword`, `passwd`, `"password "`,
/// `api_key`, `SWML_BASIC_AUTH_PASS`, `auth`, but not `ssl_key_path` or
/// `SWML_BASIC_AUTH_USER`.
pub fn is_secret_name(name: &str) -> bool {
    let lowered = name.trim().to_ascii_lowercase();
    if ["path", "file", "user"].iter().any(|w| lowered.contains(w)) {
        return false;
    }
    SECRET_WHEN_SCALAR.contains(&lowered.as_str())
        || SECRET_WORDS.iter().any(|w| lowered.contains(w))
        // `api_key`, `apiKey`, `signing-key`; not `key0001` or `keys`.
        || lowered.ends_with("key")
}

#[cfg(test)]
mod tests {
    use super::*;

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
            "oauth_domain",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }
}
