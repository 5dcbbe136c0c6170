//! The two stages on a realistic repository, policy per profile, and one
//! CLI style (errors, severity in words, `--format short`, a config from
//! standard input, help and man page), on the real binary.

mod common;

use common::pki::{Ca, CertSpec, KeyKind};
use common::{Sandbox, judged, severity_of};

const STRONG: &str = "vN3q-Xr8t_Lp2Zk9-Wm4Hc7Yb";

/// A WebService, the class that applies allowed_hosts and cors_origins:
/// `check` finds it and judges those settings as that class does.
const WEB_SERVICE_PY: &str =
    "from signalwire_agents.web import WebService\n\nWebService(port=8002).start()\n";

/// The findings about settings an AgentBase agent ignores (the repository
/// fixture has no Python file, so AgentBase is assumed): true of the
/// committed files in every stage.
const IGNORED_BY_AGENT_BASE: [&str; 3] = [
    "hosts-not-enforced",
    "cors-not-applied",
    "limits-not-enforced",
];

/// A sandbox holding a copy of fixtures/repo: config.json with `${VAR}`s
/// and a .env.example with placeholders; no certificates, no secrets.
fn repo() -> Sandbox {
    let sb = Sandbox::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/repo");
    for name in ["config.json", ".env.example"] {
        sb.file(name, std::fs::read(dir.join(name)).unwrap());
    }
    sb
}

// ---- two stages -------------------------------------------------------

#[test]
fn build_stage_passes_the_repo_with_notes() {
    let sb = repo();
    let out = sb.run(&[
        "check",
        "--stage",
        "build",
        "--env-file",
        ".env.example",
        "config.json",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    let found = judged(&out);
    // The certificate files are mounted at deploy; the password is a placeholder.
    assert_eq!(severity_of(&found, "tls-file-unreadable"), ["note", "note"]);
    assert_eq!(severity_of(&found, "auth-password-placeholder"), ["note"]);
    assert!(
        found
            .iter()
            .all(|(r, s)| s == "note" || IGNORED_BY_AGENT_BASE.contains(&r.as_str())),
        "{found:?}"
    );
    // The limits the config sets are enforced by no service: a warning.
    assert_eq!(severity_of(&found, "limits-not-enforced"), ["warning"]);
    let doc = out.json();
    let help = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "tls-file-unreadable")
        .unwrap()["help"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(help.contains("checked by `--stage deploy`"), "{help}");

    let human = sb.run(&[
        "check",
        "--stage",
        "build",
        "--env-file",
        ".env.example",
        "config.json",
        "--color",
        "never",
    ]);
    assert_eq!(human.code, Some(0));
    assert!(
        human
            .stdout
            .contains("0 errors, 2 warnings, 4 notes, 0 ignored (profile prod)"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("placeholder from the example file .env.example")
    );
    // The placeholder password itself is never printed.
    assert!(!human.stdout.contains("changeme"), "{}", human.stdout);
}

#[test]
fn deploy_stage_fails_the_repo_on_the_missing_pieces() {
    let sb = repo();
    for stage in [&["--stage", "deploy"][..], &[][..]] {
        let mut args = vec![
            "check",
            "--env-file",
            ".env.example",
            "config.json",
            "--format",
            "json",
        ];
        args.extend_from_slice(stage);
        let out = sb.run(&args);
        assert_eq!(out.code, Some(1), "{stage:?}: {}", out.stdout);
        let found = judged(&out);
        assert_eq!(
            severity_of(&found, "tls-file-unreadable"),
            ["error", "error"]
        );
        assert_eq!(severity_of(&found, "auth-password-placeholder"), ["error"]);
    }
}

#[test]
fn build_stage_leaves_only_secret_variables_to_deploy() {
    let sb = repo();
    let out = sb.run(&[
        "check",
        "--stage",
        "build",
        "config.json",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, Some(1), "{}", out.stdout);
    let findings = out.json()["findings"].as_array().unwrap().clone();
    let var_unset = |var: &str| -> Vec<String> {
        findings
            .iter()
            .filter(|f| f["rule"] == "var-unset" && f["message"].as_str().unwrap().contains(var))
            .map(|f| f["severity"].as_str().unwrap().to_string())
            .collect()
    };
    // A secret, and the variables behind the certificate paths: provided at deploy.
    assert_eq!(var_unset("SWML_BASIC_AUTH_PASSWORD"), ["note"]);
    assert_eq!(var_unset("SWML_SSL_CERT_PATH"), ["note"]);
    // The domain is no secret: the repository must set it (it is in .env.example).
    assert_eq!(var_unset("SWML_DOMAIN"), ["error", "error"]);
    let found = judged(&out);
    assert_eq!(severity_of(&found, "tls-path-missing"), ["note", "note"]);
    assert_eq!(severity_of(&found, "auth-password-unset"), ["note"]);
}

#[test]
fn build_stage_recognises_a_variable_by_the_password_it_feeds() {
    let sb = Sandbox::new();
    sb.file(
        "config.json",
        r#"{"security": {"domain": "${HOST_NAME}", "auth": {"basic": {"user": "hooks", "password": "${HOOKS_PW_VALUE}"}}}}"#,
    );
    let out = sb.run(&[
        "check",
        "--stage",
        "build",
        "config.json",
        "--format",
        "short",
    ]);
    let line = |var: &str| {
        out.stdout
            .lines()
            .find(|l| l.contains("[var-unset]") && l.contains(var))
            .unwrap_or_else(|| panic!("{var}: {}", out.stdout))
            .to_string()
    };
    assert!(line("HOOKS_PW_VALUE").contains(": note[var-unset]"));
    assert!(line("HOST_NAME").contains(": error[var-unset]"));
}

#[test]
fn build_stage_checks_present_files_in_full() {
    let sb = Sandbox::new();
    sb.file("tls/cert.pem", "not a certificate");
    sb.file("tls/key.pem", "not a key");
    sb.file(
        "config.json",
        r#"{"security": {"ssl_enabled": true, "ssl_cert_path": "tls/cert.pem", "ssl_key_path": "tls/missing-key.pem", "domain": "agent.example.com"}}"#,
    );
    let out = sb.run(&[
        "check",
        "--stage",
        "build",
        "config.json",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, Some(1));
    let found = judged(&out);
    assert_eq!(severity_of(&found, "cert-invalid"), ["error"]);
    assert_eq!(severity_of(&found, "tls-file-unreadable"), ["note"]);
}

#[test]
fn deploy_stage_passes_with_the_real_environment_and_mounted_files() {
    let ca = Ca::new("Test Root CA");
    let inter = ca.intermediate("Test Intermediate CA");
    let (leaf, key) = inter.sign(
        &CertSpec::leaf(&["agent.example.com"]),
        KeyKind::EcP256Pkcs8,
    );
    let sb = repo();
    sb.file("tls/tls.crt", format!("{leaf}{}", inter.pem));
    let key_path = sb.file("tls/tls.key", key);
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    sb.file("tls/ca.pem", &ca.pem);
    let out = sb.run_with(
        &[
            ("SWML_DOMAIN", "agent.example.com"),
            ("SWML_SSL_CERT_PATH", "tls/tls.crt"),
            ("SWML_SSL_KEY_PATH", "tls/tls.key"),
            ("SWML_BASIC_AUTH_PASSWORD", STRONG),
        ],
        &[
            "check",
            "--stage",
            "deploy",
            "config.json",
            "--ca-file",
            "tls/ca.pem",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    // Only what the agent ignores of the committed config remains.
    let found = judged(&out);
    assert!(
        found
            .iter()
            .all(|(r, _)| IGNORED_BY_AGENT_BASE.contains(&r.as_str())),
        "{found:?}"
    );
    assert_eq!(severity_of(&found, "hosts-not-enforced"), ["warning"]);
}

// ---- policy per profile -----------------------------------------------

const SELF_SIGNED_POLICY: &str = r#"
fail_on = "warning"

[[ignore]]
rule = "cert-self-signed"
reason = "the staging CA is private"

[profiles.dev]
fail_on = "error"

[profiles.dev.rules]
hosts-malformed = { level = "off", reason = "dev hosts are whatever the laptop calls itself" }

[[profiles.dev.ignore]]
rule = "config-unknown-key"
reason = "a key for the next SDK release"
"#;

fn profile_sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.file("web.py", WEB_SERVICE_PY);
    sb.file(".swml-sec.toml", SELF_SIGNED_POLICY);
    sb.file(
        "config.json",
        r#"{"security": {"allowed_hosts": ["bad host"], "ssl_enable": true, "domain": "${ HOST }"}}"#,
    );
    sb
}

#[test]
fn a_profile_section_sets_its_own_fail_on_rules_and_ignores() {
    let sb = profile_sandbox();
    let dev = sb.run(&[
        "check",
        "config.json",
        "--profile",
        "dev",
        "--format",
        "json",
    ]);
    let found = judged(&dev);
    // The top-level ignore's rule is off in dev: not an unused ignore there.
    assert!(
        severity_of(&found, "policy-unused-ignore").is_empty(),
        "{found:?}"
    );
    // [profiles.dev.rules] turns hosts-malformed off; its ignore hides domain-unset.
    assert!(
        severity_of(&found, "hosts-malformed").is_empty(),
        "{found:?}"
    );
    assert!(severity_of(&found, "domain-unset").is_empty(), "{found:?}");
    // fail_on = "error" in dev: the warnings left do not fail the run.
    assert!(found.iter().all(|(_, s)| s != "error"), "{found:?}");
    assert!(found.iter().any(|(_, s)| s == "warning"), "{found:?}");
    assert_eq!(dev.code, Some(0), "{}", dev.stdout);

    let prod = sb.run(&[
        "check",
        "config.json",
        "--profile",
        "prod",
        "--format",
        "json",
    ]);
    let found = judged(&prod);
    // In prod the rule is on, the ignore matched nothing: reported.
    assert_eq!(severity_of(&found, "policy-unused-ignore"), ["warning"]);
    assert_eq!(severity_of(&found, "hosts-malformed"), ["warning"]);
    assert_eq!(severity_of(&found, "config-unknown-key"), ["warning"]);
    assert_eq!(prod.code, Some(1));
}

#[test]
fn a_profile_section_is_validated_like_the_top_level() {
    let sb = Sandbox::new();
    sb.file("p.toml", "[profiles.dev.rules]\nno-such-rule = \"off\"\n");
    let out = sb.run(&["check", "--policy", "p.toml"]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr
            .contains("unknown rule \"no-such-rule\" in [profiles.dev.rules]"),
        "{}",
        out.stderr
    );
    sb.file("q.toml", "[profiles.qa]\nfail_on = \"error\"\n");
    let out = sb.run(&["check", "--policy", "q.toml"]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.starts_with("error: invalid policy file q.toml"),
        "{}",
        out.stderr
    );
}

// ---- one CLI style ----------------------------------------------------

fn assert_one_style(out: &common::Output, cause: &str) {
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert!(!out.stderr.contains("swml_sec::"), "{}", out.stderr);
    assert_eq!(
        out.stderr.matches(cause).count(),
        1,
        "the cause once: {}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn every_error_has_one_style_and_each_cause_once() {
    let sb = Sandbox::new();
    sb.file("config.json", "{}");
    assert_one_style(
        &sb.run(&["gen-password", "--length", "21"]),
        "126 bits of entropy is too little",
    );
    assert_one_style(
        &sb.run(&["gen-password", "--bytes", "100000000"]),
        "--bytes must be at most",
    );
    assert_one_style(
        &sb.run(&["check", "--env-file", "missing.env", "config.json"]),
        "missing.env: no such file",
    );
    assert_one_style(&sb.run(&["check", "--ignore", "nope"]), "no such rule");
    sb.file("p.toml", "fail_on = 3\n");
    let policy = sb.run(&["check", "--policy", "p.toml", "config.json"]);
    assert_eq!(policy.code, Some(2));
    assert!(
        policy
            .stderr
            .starts_with("error: invalid policy file p.toml"),
        "{}",
        policy.stderr
    );
    assert!(!policy.stderr.contains("swml_sec::"), "{}", policy.stderr);
    // clap's own errors have the same head.
    let clap = sb.run(&["check", "--frob"]);
    assert_eq!(clap.code, Some(2));
    assert!(clap.stderr.starts_with("error: "), "{}", clap.stderr);
}

#[test]
fn severity_is_said_in_words_and_the_summary_counts_ignored() {
    let sb = Sandbox::new();
    sb.file("web.py", WEB_SERVICE_PY);
    sb.file(
        "config.json",
        r#"{"security": {"ssl_enabled": true, "auth": {"basic": {"user": "hooks", "password": "changeme"}}}}"#,
    );
    let out = sb.run(&[
        "check",
        "config.json",
        "--color",
        "never",
        "--ignore",
        "hosts-wildcard",
        "--ignore",
        "cors-wildcard",
    ]);
    assert_eq!(out.code, Some(1));
    for glyph in ['×', '⚠', '☞'] {
        assert!(!out.stdout.contains(glyph), "{glyph} in {}", out.stdout);
    }
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("error[auth-password-placeholder]: the password is")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("warning[domain-unset]: "))
    );
    let summary = out.stdout.lines().last().unwrap();
    assert!(summary.ends_with(", 2 ignored (profile prod)"), "{summary}");
}

#[test]
fn short_format_is_one_line_per_finding() {
    let sb = repo();
    let args = ["check", "--env-file", ".env.example", "config.json"];
    let json = sb.run(&[&args[..], &["--format", "json"]].concat());
    let short = sb.run(&[&args[..], &["--format", "short"]].concat());
    assert_eq!(short.code, json.code);
    let findings = json.json()["findings"].as_array().unwrap().clone();
    let mut lines: Vec<&str> = short.stdout.lines().collect();
    // After the findings, the service judged.
    assert_eq!(
        lines.pop(),
        Some(
            "service: AgentBase (assumed: no SDK service class found in the repository's Python files; choose one with --service-class)"
        )
    );
    assert_eq!(lines.len(), findings.len(), "{}", short.stdout);
    for (line, f) in lines.iter().zip(&findings) {
        let loc = &f["location"];
        let want = format!(
            "{}:{}:{}: {}[{}] {}",
            loc["path"].as_str().unwrap(),
            loc["line"],
            loc["column"],
            f["severity"].as_str().unwrap(),
            f["rule"].as_str().unwrap(),
            f["message"].as_str().unwrap()
        );
        assert_eq!(*line, want);
    }
    assert!(!short.stdout.contains("changeme"));
}

#[test]
fn dash_reads_the_config_from_standard_input() {
    let sb = Sandbox::new();
    let config = r#"{"security": {"auth": {"basic": {"user": "hooks", "password": "${PW}"}}}}"#;
    let out = sb
        .cmd()
        .args(["check", "-", "--format", "short"])
        .write_stdin(config)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("<stdin>:1:") && l.contains("[var-unset] ${PW}")),
        "{stdout}"
    );
    let json = sb
        .cmd()
        .args(["check", "-", "--format", "json"])
        .write_stdin(config)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["config_file"], "<stdin>");
    // Standard input is read once: not for the config and an --env-file both.
    let both = sb
        .cmd()
        .args(["check", "-", "--env-file", "-"])
        .write_stdin(config)
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&both.stderr);
    assert!(
        stderr.starts_with("error: ") && stderr.contains("both be `-`"),
        "{stderr}"
    );
    // Bounded: more than the size cap is refused, not buffered.
    let huge = vec![b' '; 16 * 1024 * 1024 + 10];
    let big = sb
        .cmd()
        .args(["check", "-"])
        .write_stdin(huge)
        .output()
        .unwrap();
    assert_eq!(big.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&big.stderr).starts_with("error: cannot read the config"));
}

#[test]
fn help_wraps_between_words() {
    let sb = Sandbox::new();
    for cmd in ["check", "probe", "resolve"] {
        let out = sb.run(&[cmd, "--help"]);
        assert_eq!(out.code, Some(0));
        for line in out.stdout.lines() {
            assert!(line.chars().count() <= 100, "{cmd}: {line}");
            assert!(
                !line.trim_end().ends_with('-') || line.trim().len() == 1,
                "{cmd}: {line}"
            );
        }
        assert!(out.stdout.contains("--env-file <FILE>"));
    }
    let check = sb.run(&["check", "--help"]).stdout;
    assert!(check.contains("--ca-file <FILE>"));
    assert!(check.contains("--stage <STAGE>"));
}

#[test]
fn man_page_is_one_page_with_exit_status() {
    let sb = Sandbox::new();
    let out = sb.run(&["man"]);
    assert_eq!(out.code, Some(0));
    // No reference to a sub-page that is never installed.
    assert!(
        !out.stdout.contains("swml\\-sec\\-check(1)"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("(1)"), "{}", out.stdout);
    for sub in [
        "resolve",
        "check",
        "probe",
        "gen-password",
        "explain",
        "man",
    ] {
        assert!(
            out.stdout.contains(&format!(".SS \"{sub}\"")),
            "no section for {sub}"
        );
    }
    assert!(
        out.stdout.contains("\\-\\-stage"),
        "the check options are in"
    );
    assert!(out.stdout.contains(".SH \"EXIT STATUS\""));
}

// ---- layout -----------------------------------------------------------

#[test]
fn registry_finding_and_policy_import_no_circle() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    // The code of a file, without its comments.
    let read = |p: &str| {
        std::fs::read_to_string(src.join(p))
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let severity = read("severity.rs");
    assert!(!severity.contains("crate::"), "severity.rs is a leaf");
    let registry = read("checks/registry.rs");
    for dep in ["crate::policy", "crate::finding"] {
        assert!(!registry.contains(dep), "registry.rs uses {dep}");
    }
    let finding = read("finding.rs");
    assert!(
        !finding.contains("crate::policy"),
        "finding.rs uses crate::policy"
    );
    // The one place severities are decided.
    for file in [
        "report/check_out.rs",
        "commands/report.rs",
        "report/sarif.rs",
    ] {
        assert!(
            !read(file).contains(".severity(profile)"),
            "{file} decides severities"
        );
    }
}
