//! Placeholder passwords from the SDK's own docs, tutorials and templates,
//! and their variants, are caught; generated and real passphrases are not.

mod common;

use common::Sandbox;

/// Passwords the SDK's guides and examples print, and the ways people
/// adapt them (case, separators, a short suffix).
const PLACEHOLDERS: &[&str] = &[
    // The SDK's docs and tutorials, as written.
    "your_secure_password_here",
    "secure_password_123",
    "a-long-random-password",
    "choose-something-long",
    "your-secure-password",
    "mysecurepassword",
    "devpass123",
    "staging_secure_password",
    // Variants.
    "YourSecurePasswordHere",
    "your-secure-password-2024",
    "Secure_Password_123!",
    "a_long_random_password",
    "ALongRandomPassword",
    "choose_something_long!",
    "my-super-secret-password",
    "replace-with-a-long-random-password",
    "example-password-123",
    "random_password_here",
    "changeme!",
    "your.api.token.here",
    // Marker phrases, whatever surrounds them, and date-like suffixes.
    "CHANGE_ME_IN_PRODUCTION",
    "change-me-before-deploy",
    "please-change-me",
    "set-a-real-password-here",
    "changeme123456",
    "mypass-2024-01-01",
];

/// Strong passwords that share letters or words with the templates.
const NOT_PLACEHOLDERS: &[&str] = &[
    "kT9-mW2pL4-Zq8vX7-rB3nJ6",
    "Zq8#vkT9!mW2pL4xRr7",
    "tangerine-otter-47-glacier-violin",
    "correct-horse-battery-staple-9",
    "passport-lantern-quiver-marmot",
];

fn auth_rules(password: &str) -> Vec<String> {
    let sandbox = Sandbox::new().env("SWML_BASIC_AUTH_USER", "agent-ops");
    sandbox
        .run_with(
            &[("SWML_BASIC_AUTH_PASSWORD", password)],
            &["check", "--format", "json", "--profile", "prod"],
        )
        .rules("findings")
        .into_iter()
        .filter(|r| r.starts_with("auth-password"))
        .collect()
}

#[test]
fn the_sdks_placeholders_and_their_variants_are_caught() {
    for password in PLACEHOLDERS {
        let rules = auth_rules(password);
        assert!(
            rules.iter().any(|r| r == "auth-password-placeholder"),
            "{password:?} not caught: {rules:?}"
        );
    }
}

#[test]
fn strong_passwords_are_not_placeholders() {
    for password in NOT_PLACEHOLDERS {
        let rules = auth_rules(password);
        assert!(
            !rules.iter().any(|r| r == "auth-password-placeholder"),
            "{password:?} taken for a placeholder: {rules:?}"
        );
    }
}

#[test]
fn the_template_word_test_is_exact_about_its_bounds() {
    use swml_sec::checks::auth::is_template_phrase;
    assert!(is_template_phrase("your_secure_password_here"));
    // More than eight trailing digits: not a template's suffix.
    assert!(is_template_phrase("secure_password_2024-01-01"));
    assert!(!is_template_phrase("secure_password_123456789"));
    // One word outside the vocabulary.
    assert!(!is_template_phrase("secure_password_otter"));
    // Long text is not searched (template passwords are short), and stays linear.
    assert!(!is_template_phrase(&"password".repeat(100_000)));
    assert!(!is_template_phrase(""));
    assert!(!is_template_phrase("1234"));
}
