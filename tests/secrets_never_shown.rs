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
            "list shape under basic",
            format!(r#"{{"security": {{"auth": {{"basic": ["bob", "{PW}"]}}}}}}"#),
        ),
        literal(
            "list shape as security",
            format!(r#"{{"security": ["bob", "{PW}"]}}"#),
        ),
        literal(
            "nested list under auth",
            format!(r#"{{"security": {{"auth": [["bob", "{PW}"]]}}}}"#),
        ),
        literal(
            "list under a token key",
            format!(r#"{{"security": {{"api_token": ["{PW}"]}}}}"#),
        ),
        literal(
            "user_password",
            format!(
                r#"{{"security": {{"auth": {{"basic": {{"user": "bob", "user_password": "{PW}"}}}}}}}}"#
            ),
        ),
        literal(
            "auth_pw",
            format!(r#"{{"security": {{"auth_pw": "{PW}"}}}}"#),
        ),
        literal(
            "basic_auth string",
            format!(r#"{{"security": {{"basic_auth": "bob:{PW}"}}}}"#),
        ),
        literal(
            "a quote pasted unescaped",
            format!(r#"{{"security": {{"auth": {{"basic": {{"password": "Pa55"{PW}"}}}}}}}}"#),
        ),
        literal(
            "a raw newline in the value",
            format!(
                "{{\"security\": {{\"auth\": {{\"basic\": {{\"password\": \"Pa55\n{PW}\"}}}}}}}}"
            ),
        ),
        literal(
            "escaped key overridden by a later duplicate",
            format!(
                r#"{{"security": {{"auth": {{"basic": {{"p\u0061ssword": "{PW}", "password": "Other-Strong-Pass-77"}}}}}}}}"#
            ),
        ),
        Placement {
            name: "password spelt with JSON escapes elsewhere",
            env: vec![("SWML_BASIC_AUTH_PASSWORD", PW.to_string())],
            config: format!(r#"{{"security": {{"domain": "\u005a{}"}}}}"#, &PW[1..]),
        },
        Placement {
            name: "user written as user:password",
            env: vec![("SWML_BASIC_AUTH_USER", format!("bob:{PW}"))],
            config: "{}".into(),
        },
        Placement {
            name: "password in a URL another setting takes",
            env: vec![("DATABASE_URL", format!("postgres://u:{PW}@db.internal/app"))],
            config: r#"{"security": {"domain": "${DATABASE_URL}"}}"#.into(),
        },
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
    assert!(placements().len() >= 33);
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

#[test]
fn percent_encoded_and_shell_quoted_forms_are_hidden() {
    // A password with a space and a hyphen: SARIF's per-segment encoding
    // keeps the hyphen; `--format env` writes a tab as \x09.
    let pw = "correct-horse battery\tstaple";
    let sb = Sandbox::new().env("SWML_BASIC_AUTH_PASSWORD", pw);
    std::fs::create_dir_all(sb.path("correct-horse battery\tstaple")).unwrap();
    sb.file(
        "correct-horse battery\tstaple/config.json",
        r#"{"security": {"domain": "${UNSET}"}}"#,
    );
    let out = sb.run_with(
        &[(
            "SWML_PROXY_URL_BASE",
            &format!("https://bob:{pw}@proxy.example.com"),
        )],
        &[
            "check",
            "--format",
            "sarif",
            "correct-horse battery\tstaple/config.json",
        ],
    );
    for form in [
        "correct-horse%20battery",
        "correct-horse battery",
        "horse%20battery",
    ] {
        assert!(!out.stdout.contains(form), "{form} in {}", out.stdout);
    }
    let out = sb.run_with(
        &[(
            "SWML_PROXY_URL_BASE",
            &format!("https://bob:{pw}@proxy.example.com"),
        )],
        &["resolve", "--format", "env", "--no-env"],
    );
    let env_out = sb.run_with(
        &[(
            "SWML_PROXY_URL_BASE",
            &format!("https://bob:{pw}@proxy.example.com"),
        )],
        &["resolve", "--format", "env"],
    );
    for text in [&out.stdout, &env_out.stdout] {
        assert!(!text.contains("battery\\x09staple"), "{text}");
        assert!(!text.contains("battery"), "{text}");
    }
}

#[test]
fn a_policy_file_masks_multi_line_and_escaped_secrets() {
    let sb = Sandbox::new();
    sb.file("config.json", "{}");
    for policy in [
        format!("password = \"\"\"{PW}\"\"\"\nbogus = [\n"),
        format!("\"p\\u0061ssword\" = \"{PW}\"\nbogus = [\n"),
        format!("DB_USER_PASSWORD={PW}\n"),
    ] {
        sb.file("policy.toml", &policy);
        let out = sb.run(&["check", "--policy", "policy.toml", "config.json"]);
        assert_eq!(out.code, Some(2), "{}", out.stderr);
        assert_eq!(leaks(&out.stderr), None, "{policy}: {}", out.stderr);
    }
}

#[test]
fn the_working_directory_is_not_a_secret() {
    let sb = Sandbox::new();
    sb.file("config.json", r#"{"security": {"domain": "${UNSET}"}}"#);
    let work = sb.work().to_str().unwrap().to_string();
    let abs = format!("{work}/config.json");
    let out = sb.run_with(
        &[("PWD", &work), ("OLDPWD", &work)],
        &["check", "--format", "short", &abs],
    );
    assert!(out.stdout.contains(&abs), "{}", out.stdout);
    assert!(!out.stdout.contains("<redacted>"), "{}", out.stdout);
}

/// A PEM private key pasted where a path goes (the config's `ssl_key_path`
/// or `ssl_cert_path`, `SWML_SSL_KEY_PATH` in the environment or a dotenv
/// file, a variable the config references): no command or format prints
/// its body, and snippets mask its slot. With `--show-secrets`, `resolve`
/// gives it byte for byte.
#[test]
fn a_private_key_pasted_into_a_path_setting_is_never_shown() {
    let pem = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .unwrap()
        .serialize_pem();
    let body: Vec<&str> = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(body.len() >= 2, "{pem}");
    // Every 12-character piece of the body, whatever escaping split lines.
    let pieces: Vec<&str> = body
        .iter()
        .flat_map(|l| {
            (0..l.len().saturating_sub(12))
                .step_by(6)
                .map(|i| &l[i..i + 12])
        })
        .collect();
    let json_pem = serde_json::to_string(&pem).unwrap();
    let dotenv_pem = format!("\"{}\"", pem.replace('\n', "\\n"));
    let on = r#""ssl_enabled": true, "domain": "agent.example.com""#;
    // Name, environment, config, dotenv file, where `resolve --format json`
    // puts its value.
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, String)>,
        String,
        Option<String>,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            "config ssl_key_path",
            vec![],
            format!(
                r#"{{"security": {{{on}, "ssl_cert_path": "c.pem", "ssl_key_path": {json_pem}}}}}"#
            ),
            None,
            "/settings/ssl_key_path/value",
        ),
        (
            "config ssl_cert_path",
            vec![],
            format!(
                r#"{{"security": {{{on}, "ssl_cert_path": {json_pem}, "ssl_key_path": "k.pem"}}}}"#
            ),
            None,
            "/settings/ssl_cert_path/value",
        ),
        (
            "env SWML_SSL_KEY_PATH",
            vec![("SWML_SSL_KEY_PATH", pem.clone())],
            format!(r#"{{"security": {{{on}, "ssl_cert_path": "c.pem"}}}}"#),
            None,
            "/settings/ssl_key_path/value",
        ),
        (
            "dotenv SWML_SSL_KEY_PATH",
            vec![],
            format!(r#"{{"security": {{{on}, "ssl_cert_path": "c.pem"}}}}"#),
            Some(format!("SWML_SSL_KEY_PATH={dotenv_pem}\n")),
            "/settings/ssl_key_path/value",
        ),
        (
            "config references a plain variable",
            vec![("TLS_MATERIAL", pem.clone())],
            format!(
                r#"{{"security": {{{on}, "ssl_cert_path": "c.pem", "ssl_key_path": "${{TLS_MATERIAL}}"}}}}"#
            ),
            None,
            "/settings/ssl_key_path/value",
        ),
        (
            "env SWML_SCHEMA_PATH (a flag)",
            vec![("SWML_SCHEMA_PATH", pem.clone())],
            format!(r#"{{"security": {{{on}}}}}"#),
            None,
            "/env_flags/schema_path/value",
        ),
    ];
    let mut runs = 0;
    for (name, env, config, dotenv, setting) in &cases {
        let sb = Sandbox::new();
        sb.file("config.json", config);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut extra: Vec<&str> = vec![];
        if let Some(text) = dotenv {
            sb.file("deploy.env", text);
            extra.extend(["--env-file", "deploy.env"]);
        }
        let mut commands: Vec<Vec<&str>> = Vec::new();
        for f in ["human", "json", "toml", "env"] {
            commands.push(vec!["resolve", "--format", f]);
        }
        for f in ["human", "json", "sarif", "github", "junit"] {
            commands.push(vec!["check", "--format", f]);
        }
        for mut args in commands {
            args.extend(extra.iter().copied());
            args.push("config.json");
            let out = sb.run_with(&env, &args);
            assert!(
                out.code.is_some_and(|c| c <= 2),
                "{name}: {args:?} crashed: {}",
                out.stderr
            );
            for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                if let Some(piece) = pieces.iter().find(|p| text.contains(**p)) {
                    panic!("{name}: {args:?} shows {piece:?} of the key on {stream}:\n{text}");
                }
            }
            if args[..3] == ["check", "--format", "json"] && setting.starts_with("/settings/") {
                let found = common::judged(&out);
                assert!(
                    found.iter().any(|(rule, _)| rule == "tls-file-unreadable"),
                    "{name}: {found:?}"
                );
            }
            if args[..3] == ["resolve", "--format", "json"] {
                assert_eq!(out.json().pointer(setting).unwrap(), "<redacted>", "{name}");
            }
            runs += 1;
        }
        let mut shown = vec!["resolve", "--format", "json", "--show-secrets"];
        shown.extend(extra.iter().copied());
        shown.push("config.json");
        let doc = sb.run_with(&env, &shown).json();
        assert_eq!(doc.pointer(setting).unwrap(), pem.as_str(), "{name}");
        // `--format env` with --show-secrets exports it, quoted.
        let mut env_shown = vec!["resolve", "--format", "env", "--show-secrets"];
        env_shown.extend(extra.iter().copied());
        env_shown.push("config.json");
        let env_out = sb.run_with(&env, &env_shown);
        assert!(
            env_out.stdout.contains(body[0]),
            "{name}: {}",
            env_out.stdout
        );
    }
    assert_eq!(runs, cases.len() * 9);
}
