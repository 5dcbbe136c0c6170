//! No output of any command or format shows a secret, wherever it sits:
//! every placement × every command and format, through the real binary.

mod common;

use base64::Engine as _;
use common::Sandbox;

const PW: &str = "Zq8-hunter2-Vx41-Lm";
const USER: &str = "ops-admin";

/// Where the secret sits: the environment and the config file's text.
struct Placement {
    name: &'static str,
    env: Vec<(&'static str, String)>,
    config: String,
}

fn placements() -> Vec<Placement> {
    let pw_env = || vec![("SWML_BASIC_AUTH_PASSWORD", PW.to_string())];
    let with_pw = |name, config: &str| Placement {
        name,
        env: pw_env(),
        config: config.to_string(),
    };
    let literal = |name, config: String| Placement {
        name,
        env: vec![],
        config,
    };
    vec![
        with_pw(
            "env password",
            r#"{"security": {"domain": "agent.example.com"}}"#,
        ),
        with_pw(
            "another setting takes it (rate_limit)",
            r#"{"security": {"rate_limit": "${SWML_BASIC_AUTH_PASSWORD}"}}"#,
        ),
        with_pw(
            "another setting takes it (domain)",
            r#"{"security": {"domain": "${SWML_BASIC_AUTH_PASSWORD}"}}"#,
        ),
        with_pw(
            "another setting takes it (allowed_hosts item)",
            r#"{"security": {"allowed_hosts": ["a.example.com", "${SWML_BASIC_AUTH_PASSWORD}"]}}"#,
        ),
        with_pw(
            "another setting takes it (ssl_cert_path)",
            r#"{"security": {"ssl_enabled": true, "ssl_cert_path": "${SWML_BASIC_AUTH_PASSWORD}", "ssl_key_path": "k.pem"}}"#,
        ),
        literal(
            "config literal",
            format!(
                r#"{{"security": {{"auth": {{"basic": {{"user": "{USER}", "password": "{PW}"}}}}}}}}"#
            ),
        ),
        literal(
            "default of a reference",
            format!(
                r#"{{"security": {{"auth": {{"basic": {{"password": "${{PW_UNSET|{PW}}}"}}}}}}}}"#
            ),
        ),
        Placement {
            name: "variable the password references",
            env: vec![("MY_PW", PW.to_string())],
            config: r#"{"security": {"auth": {"basic": {"password": "${MY_PW}"}}}}"#.into(),
        },
        literal(
            "wrong shape basic user:pw",
            format!(r#"{{"security": {{"auth": {{"basic": "admin:{PW}"}}}}}}"#),
        ),
        literal(
            "wrong shape auth string",
            format!(r#"{{"security": {{"auth": "{PW}"}}}}"#),
        ),
        literal(
            "wrong shape security string",
            format!(r#"{{"security": "{PW}"}}"#),
        ),
        literal(
            "misspelt pasword",
            format!(r#"{{"security": {{"auth": {{"basic": {{"pasword": "{PW}"}}}}}}}}"#),
        ),
        literal(
            "capitalised Password",
            format!(r#"{{"security": {{"auth": {{"basic": {{"Password": "{PW}"}}}}}}}}"#),
        ),
        literal(
            "passwd",
            format!(r#"{{"security": {{"auth": {{"basic": {{"passwd": "{PW}"}}}}}}}}"#),
        ),
        literal(
            "key with a trailing space",
            format!(r#"{{"security": {{"auth": {{"basic": {{"password ": "{PW}"}}}}}}}}"#),
        ),
        literal(
            "misplaced security.basic_auth_password",
            format!(r#"{{"security": {{"basic_auth_password": "{PW}"}}}}"#),
        ),
        literal(
            "invalid JSON: single quotes",
            format!("{{'security': {{'auth': {{'basic': {{'password': '{PW}'}}}}}}}}"),
        ),
        literal(
            "invalid JSON: unquoted",
            format!("{{security: {{auth: {{basic: {{password: {PW}}}}}}}}}"),
        ),
        literal(
            "invalid JSON: unterminated",
            format!("{{\"security\": {{\"auth\": {{\"basic\": {{\"password\": \"{PW}\n"),
        ),
        literal(
            "invalid JSON: in a comment",
            format!("{{\n  // \"password\": \"{PW}\"\n  \"security\": {{}}\n}}\n"),
        ),
    ]
}

fn leaks(text: &str) -> Option<String> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PW}"));
    let basic_admin = base64::engine::general_purpose::STANDARD.encode(format!("admin:{PW}"));
    for form in [PW, &basic, &basic_admin, "Zq8-hunter2", "hunter2-Vx41"] {
        if text.contains(form) {
            return Some(form.to_string());
        }
    }
    None
}

#[test]
fn no_command_or_format_shows_the_password_wherever_it_sits() {
    let mut runs = 0;
    for p in placements() {
        let sb = Sandbox::new();
        sb.file("config.json", &p.config);
        let env: Vec<(&str, &str)> = p.env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut commands: Vec<Vec<&str>> = Vec::new();
        for f in ["human", "json", "toml", "env"] {
            commands.push(vec!["resolve", "--format", f, "config.json"]);
        }
        for f in ["human", "json", "sarif", "github", "junit"] {
            commands.push(vec!["check", "--format", f, "config.json"]);
        }
        for args in commands {
            let out = sb.run_with(&env, &args);
            assert!(
                out.code.is_some_and(|c| c <= 2),
                "{}: {args:?} crashed: {}",
                p.name,
                out.stderr
            );
            for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                if let Some(form) = leaks(text) {
                    panic!("{}: {args:?} shows {form:?} on {stream}:\n{text}", p.name);
                }
            }
            runs += 1;
        }
    }
    assert_eq!(runs, placements().len() * 9);
}

#[test]
fn a_weak_password_finding_does_not_give_its_length() {
    let sb = Sandbox::new().env("SWML_BASIC_AUTH_PASSWORD", "Kx9#mQ2$vL");
    sb.file("config.json", "{}");
    let out = sb.run(&["check", "--format", "json", "config.json"]);
    let weak = out
        .json()
        .get("findings")
        .and_then(|f| f.as_array().cloned())
        .unwrap()
        .into_iter()
        .find(|f| f["rule"] == "auth-password-weak")
        .expect("a 10-character password is weak");
    let message = weak["message"].as_str().unwrap();
    assert!(!message.contains("10"), "{message}");
}

#[test]
fn a_policy_file_snippet_masks_a_password_on_its_line() {
    let sb = Sandbox::new();
    sb.file("config.json", "{}");
    sb.file("policy.toml", format!("SWML_BASIC_AUTH_PASSWORD={PW}\n"));
    let out = sb.run(&["check", "--policy", "policy.toml", "config.json"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("policy.toml"), "{}", out.stderr);
    assert_eq!(leaks(&out.stderr), None, "{}", out.stderr);
}

#[test]
fn resolve_show_secrets_shows_it_when_asked() {
    let sb = Sandbox::new().env("SWML_BASIC_AUTH_PASSWORD", PW);
    sb.file(
        "config.json",
        r#"{"security": {"domain": "${SWML_BASIC_AUTH_PASSWORD}"}}"#,
    );
    let out = sb.run(&[
        "resolve",
        "--format",
        "json",
        "--show-secrets",
        "config.json",
    ]);
    let doc = out.json();
    assert_eq!(doc["settings"]["basic_auth_password"]["value"], PW);
    assert_eq!(doc["settings"]["domain"]["value"], PW);
    let hidden = sb
        .run(&["resolve", "--format", "json", "config.json"])
        .json();
    assert_eq!(hidden["settings"]["domain"]["value"], "<redacted>");
}
