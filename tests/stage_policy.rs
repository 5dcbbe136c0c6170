//! The build stage defers only what the repository lacks (on variants of
//! fixtures/repo), a policy leaves a trace in JSON and SARIF, and the
//! smaller points of issue 18, on the real binary.

mod common;

use serde_json::Value;

use common::pki::{Ca, CertSpec, KeyKind};
use common::{Sandbox, judged, severity_of};

const STRONG: &str = "vN3q-Xr8t_Lp2Zk9-Wm4Hc7Yb";

/// A sandbox holding a copy of fixtures/repo (config.json with `${VAR}`s, a
/// .env.example with placeholders), with `edit` applied to config.json.
fn repo_with(edit: impl Fn(&mut Value)) -> Sandbox {
    let sb = Sandbox::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/repo");
    let mut config: Value =
        serde_json::from_slice(&std::fs::read(dir.join("config.json")).unwrap()).unwrap();
    edit(&mut config);
    sb.file(
        "config.json",
        serde_json::to_string_pretty(&config).unwrap(),
    );
    sb.file(
        ".env.example",
        std::fs::read(dir.join(".env.example")).unwrap(),
    );
    sb
}

fn repo() -> Sandbox {
    repo_with(|_| {})
}

fn build(sb: &Sandbox, env_file: &str, extra: &[&str]) -> common::Output {
    let mut args = vec![
        "check",
        "--stage",
        "build",
        "--env-file",
        env_file,
        "config.json",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    sb.run(&args)
}

// ---- the build stage defers only what the repository lacks ------------

/// An expired certificate and a group-readable key, in the repository.
fn broken_tls_files(sb: &Sandbox) {
    use std::os::unix::fs::PermissionsExt;
    let ca = Ca::new("Repo Root");
    let mut spec = CertSpec::leaf(&["agent.example.com"]);
    spec.not_before_days = -400;
    spec.not_after_days = -3;
    let (cert, key) = ca.sign(&spec, KeyKind::EcP256Pkcs8);
    sb.file("tls/tls.crt", cert);
    let key = sb.file("tls/tls.key", key);
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
}

#[test]
fn a_file_that_exists_is_judged_in_full_whoever_names_it() {
    let sb = repo();
    broken_tls_files(&sb);
    let names = "SWML_DOMAIN=agent.example.com\nSWML_SSL_CERT_PATH=tls/tls.crt\nSWML_SSL_KEY_PATH=tls/tls.key\nSWML_BASIC_AUTH_PASSWORD=changeme\n";
    sb.file(".env.example", names);
    sb.file("prod.env", names);
    let mut verdicts = Vec::new();
    for file in [".env.example", "prod.env"] {
        let out = build(&sb, file, &[]);
        assert_eq!(out.code, Some(1), "{file}: {}", out.stdout);
        let found = judged(&out);
        assert_eq!(severity_of(&found, "cert-expired"), ["error"], "{file}");
        assert_eq!(
            severity_of(&found, "key-permissions"),
            ["warning"],
            "{file}"
        );
        let files: Vec<(String, String)> = found
            .into_iter()
            .filter(|(r, _)| r.starts_with("cert-") || r.starts_with("key-"))
            .collect();
        verdicts.push(files);
    }
    // Whoever names the files, they get the same verdict.
    assert_eq!(verdicts[0], verdicts[1]);
    // The placeholder password of the example file stays a note; in
    // prod.env it is a committed password and a placeholder.
    let example = judged(&build(&sb, ".env.example", &[]));
    assert_eq!(severity_of(&example, "auth-password-placeholder"), ["note"]);
    assert!(severity_of(&example, "auth-secret-committed").is_empty());
    let prod = judged(&build(&sb, "prod.env", &[]));
    assert_eq!(severity_of(&prod, "auth-password-placeholder"), ["error"]);
}

#[test]
fn a_missing_file_is_still_left_to_deploy() {
    let sb = repo();
    let out = build(&sb, ".env.example", &[]);
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    let found = judged(&out);
    assert_eq!(severity_of(&found, "tls-file-unreadable"), ["note", "note"]);
    // A directory where the key should be exists: an error, not deploy's.
    std::fs::create_dir_all(sb.path("etc-tls")).unwrap();
    sb.file(
        "dir.env",
        format!(
            "SWML_SSL_CERT_PATH=etc-tls\nSWML_SSL_KEY_PATH=etc-tls\nSWML_DOMAIN=agent.example.com\nSWML_BASIC_AUTH_PASSWORD={STRONG}\n"
        ),
    );
    sb.file(".env.example", "");
    let out = sb.run(&[
        "check",
        "--stage",
        "build",
        "--env-file",
        "dir.env",
        "--env-file",
        ".env.example",
        "config.json",
        "--format",
        "json",
    ]);
    let found = judged(&out);
    assert_eq!(
        severity_of(&found, "tls-file-unreadable"),
        ["error", "error"],
        "{found:?}"
    );
}

#[test]
fn a_committed_password_is_an_error_in_prod() {
    let sb = repo();
    sb.file(".env", format!("SWML_BASIC_AUTH_PASSWORD={STRONG}\n"));
    let out = build(&sb, ".env", &["--env-file", ".env.example"]);
    assert_eq!(out.code, Some(1), "{}", out.stdout);
    assert!(!out.all().contains(STRONG), "the password was printed");
    let found = judged(&out);
    assert_eq!(severity_of(&found, "auth-secret-committed"), ["error"]);
    let f = out.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "auth-secret-committed")
        .cloned()
        .unwrap();
    assert_eq!(f["location"]["env_file"], ".env", "{f}");
    assert_eq!(f["location"]["line"], 1, "{f}");
    // A warning in dev; nothing at deploy, where the file is the deployment's.
    let dev = judged(&build(&sb, ".env", &["--profile", "dev"]));
    assert_eq!(severity_of(&dev, "auth-secret-committed"), ["warning"]);
    let deploy = sb.run(&[
        "check",
        "--env-file",
        ".env",
        "config.json",
        "--format",
        "json",
    ]);
    assert!(severity_of(&judged(&deploy), "auth-secret-committed").is_empty());
    // A dotenv file outside the checkout (a mounted secret) is not committed.
    let outside = sb.home.path().join("secrets.env");
    std::fs::write(&outside, format!("SWML_BASIC_AUTH_PASSWORD={STRONG}\n")).unwrap();
    let out = build(&sb, outside.to_str().unwrap(), &[]);
    assert!(
        severity_of(&judged(&out), "auth-secret-committed").is_empty(),
        "{}",
        out.stdout
    );
}

#[test]
fn a_literal_password_in_the_config_is_committed() {
    let sb = repo_with(|c| c["security"]["auth"]["basic"]["password"] = STRONG.into());
    let out = build(&sb, ".env.example", &[]);
    assert_eq!(out.code, Some(1), "{}", out.stdout);
    assert!(!out.all().contains(STRONG));
    let found = judged(&out);
    assert_eq!(severity_of(&found, "auth-secret-committed"), ["error"]);
    assert_eq!(severity_of(&found, "auth-secret-in-config"), ["warning"]);
    // Through a variable set by a committed dotenv file, too.
    let sb = repo_with(|c| c["security"]["auth"]["basic"]["password"] = "${HOOKS_PW}".into());
    sb.file("hooks.env", format!("HOOKS_PW={STRONG}\n"));
    let out = build(&sb, "hooks.env", &["--env-file", ".env.example"]);
    let found = judged(&out);
    assert_eq!(
        severity_of(&found, "auth-secret-committed"),
        ["error"],
        "{}",
        out.stdout
    );
}

#[test]
fn example_values_that_matter_stay_visible() {
    let sb = repo_with(|c| {
        let security = c["security"].as_object_mut().unwrap();
        security.remove("ssl_enabled");
        security.remove("allowed_hosts");
    });
    sb.file(
        ".env.example",
        "SWML_SSL_ENABLED=false\nSWML_ALLOWED_HOSTS=*\nSWML_TRUST_REMOTE_USER=true\nSWML_DOMAIN=agent.example.com\nSWML_BASIC_AUTH_PASSWORD=changeme\n",
    );
    // Judged as WebService, which applies allowed_hosts (for an agent the
    // wildcard is hosts-not-enforced, a warning: see service_model.rs).
    let out = build(&sb, ".env.example", &["--service-class", "web-service"]);
    assert_eq!(out.code, Some(1), "{}", out.stdout);
    let found = judged(&out);
    // Deployments copy these: judged as in any env file.
    assert_eq!(severity_of(&found, "tls-disabled"), ["error"]);
    assert_eq!(severity_of(&found, "hosts-wildcard"), ["error"]);
    assert_eq!(severity_of(&found, "trust-remote-user"), ["warning"]);
    // A placeholder secret is provided at deploy.
    assert_eq!(severity_of(&found, "auth-password-placeholder"), ["note"]);
}

// ---- a policy leaves a trace ---------------------------------------------

const POLICY: &str = r#"
profile = "staging"

[rules]
"tls-disabled" = { level = "off", reason = "TLS ends at the platform's load balancer" }
"trust-proxy-headers" = "warning"

[[ignore]]
rule = "cors-wildcard"
reason = "the agent serves no browser"
"#;

fn policy_sandbox() -> Sandbox {
    let sb = Sandbox::new();
    // A WebService: the class that applies cors_origins, so cors-wildcard
    // fires and the policy's ignore has something to hide.
    sb.file(
        "web.py",
        "from signalwire_agents.web import WebService\n\nWebService(port=8002).start()\n",
    );
    sb.file(".swml-sec.toml", POLICY);
    sb.file("README.md", "# agent\n");
    sb.file(
        "config.json",
        "{\"security\": {\"ssl_enabled\": false, \"allowed_hosts\": [\"agent.example.com\"]}}\n",
    );
    sb
}

fn sarif_validator() -> jsonschema::Validator {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn sarif_of_a_policy_run_shows_suppressions_and_overrides() {
    let sb = policy_sandbox();
    let out = sb.run(&["check", "config.json", "--format", "sarif"]);
    let sarif = out.json();
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let run = &sarif["runs"][0];
    // The profile comes from the policy file: the upload says so.
    assert_eq!(run["properties"]["profile"], "staging");
    assert_eq!(run["properties"]["stage"], "deploy");
    assert_eq!(run["properties"]["policyFile"], ".swml-sec.toml");
    assert_eq!(
        run["automationDetails"]["id"],
        "swml-sec/check/deploy/staging/"
    );
    let results = run["results"].as_array().unwrap();
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let result_of = |id: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == id)
            .unwrap_or_else(|| panic!("no result for {id}: {results:?}"))
    };
    for (id, reason) in [
        ("tls-disabled", "TLS ends at the platform's load balancer"),
        ("cors-wildcard", "the agent serves no browser"),
    ] {
        let r = result_of(id);
        let s = &r["suppressions"][0];
        assert_eq!(s["kind"], "external", "{r}");
        assert_eq!(s["justification"], reason, "{r}");
        // The result names its rule in the driver.
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id);
    }
    assert!(
        result_of("auth-password-unset")
            .get("suppressions")
            .is_none()
    );
    let overrides = run["invocations"][0]["ruleConfigurationOverrides"]
        .as_array()
        .unwrap();
    let off = overrides
        .iter()
        .find(|o| o["descriptor"]["id"] == "tls-disabled")
        .unwrap();
    assert_eq!(off["configuration"]["enabled"], false);
    assert_eq!(
        off["properties"]["justification"],
        "TLS ends at the platform's load balancer"
    );
    let index = off["descriptor"]["index"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "tls-disabled");
    let raised = overrides
        .iter()
        .find(|o| o["descriptor"]["id"] == "trust-proxy-headers")
        .unwrap();
    assert_eq!(raised["configuration"]["level"], "warning");
    // Another profile is another analysis in code scanning.
    let prod = sb.run(&[
        "check",
        "config.json",
        "--format",
        "sarif",
        "--profile",
        "prod",
    ]);
    assert_eq!(
        prod.json()["runs"][0]["automationDetails"]["id"],
        "swml-sec/check/deploy/prod/"
    );
}

#[test]
fn json_lists_suppressed_findings_with_reasons_and_counts_them() {
    let sb = policy_sandbox();
    let out = sb.run(&["check", "config.json", "--format", "json"]);
    let j = out.json();
    assert_eq!(j["version"], 1);
    let suppressed = j["suppressed"].as_array().unwrap();
    let reason_of = |id: &str| {
        suppressed
            .iter()
            .find(|f| f["rule"] == id)
            .map(|f| f["suppression"].clone())
            .unwrap_or_else(|| panic!("{id} not suppressed: {suppressed:?}"))
    };
    assert_eq!(
        reason_of("tls-disabled"),
        serde_json::json!({"kind": "rule-off", "reason": "TLS ends at the platform's load balancer", "origin": ".swml-sec.toml"})
    );
    assert_eq!(reason_of("cors-wildcard")["kind"], "ignore");
    assert_eq!(
        reason_of("cors-wildcard")["reason"],
        "the agent serves no browser"
    );
    // With the severity the profile gives them (staging).
    assert_eq!(suppressed[0]["severity"], "error", "{suppressed:?}");
    assert_eq!(suppressed[1]["severity"], "warning", "{suppressed:?}");
    assert_eq!(j["summary"]["suppressed"], suppressed.len());
    assert_eq!(suppressed.len(), 2);
    let rules: Vec<String> = out.rules("findings");
    assert!(!rules.contains(&"tls-disabled".to_string()), "{rules:?}");
    assert!(!rules.contains(&"cors-wildcard".to_string()), "{rules:?}");
    // The human summary names both.
    let human = sb.run(&["check", "config.json", "--color", "never"]);
    assert!(
        human
            .stdout
            .contains(", 1 ignored, 1 in rules the policy turns off (profile staging)"),
        "{}",
        human.stdout
    );
    // --ignore leaves a trace too, saying it has no reason.
    let out = sb.run(&[
        "check",
        "config.json",
        "--format",
        "json",
        "--ignore",
        "auth-password-unset",
    ]);
    let suppressed = out.json()["suppressed"].as_array().unwrap().clone();
    let cli = suppressed
        .iter()
        .find(|f| f["rule"] == "auth-password-unset")
        .unwrap_or_else(|| panic!("{suppressed:?}"));
    assert_eq!(cli["suppression"]["origin"], "--ignore");
}

#[test]
fn off_needs_a_reason() {
    let sb = Sandbox::new();
    sb.file("config.json", "{}");
    for (policy, words) in [
        ("[rules]\n\"tls-disabled\" = \"off\"\n", "needs a reason"),
        (
            "[rules]\n\"tls-disabled\" = { level = \"off\", reason = \"  \" }\n",
            "needs a reason",
        ),
        (
            "[profiles.dev.rules]\n\"cert-self-signed\" = \"off\"\n",
            "needs a reason",
        ),
        (
            "[rules]\n\"tls-disabled\" = { level = \"off\", why = \"x\" }\n",
            "unknown field `why`",
        ),
    ] {
        sb.file("p.toml", policy);
        let out = sb.run(&["check", "--policy", "p.toml", "config.json"]);
        assert_eq!(out.code, Some(2), "{policy}: {}", out.stderr);
        assert!(out.stderr.contains(words), "{policy}: {}", out.stderr);
    }
    sb.file(
        "p.toml",
        "[rules]\n\"tls-disabled\" = { level = \"warning\" }\n\"cert-self-signed\" = { level = \"off\", reason = \"private CA\" }\n",
    );
    let out = sb.run(&[
        "check",
        "--policy",
        "p.toml",
        "config.json",
        "--format",
        "json",
    ]);
    assert_eq!(
        severity_of(&judged(&out), "tls-disabled"),
        ["warning"],
        "{}",
        out.stderr
    );
}

#[test]
fn an_unknown_rule_gets_a_did_you_mean_with_the_caret_on_the_key() {
    let sb = Sandbox::new();
    sb.file("config.json", "{}");
    sb.file("p.toml", "[rules]\n\"tls-disabld\" = \"warning\"\n");
    let out = sb.run(&["check", "--policy", "p.toml", "--color", "never"]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.contains("(did you mean tls-disabled?)"),
        "{}",
        out.stderr
    );
    // Line 2, column 1: the key, not the value after `=`.
    assert!(out.stderr.contains("[p.toml:2:1]"), "{}", out.stderr);
    let snippet_line = out
        .stderr
        .lines()
        .position(|l| l.contains("\"tls-disabld\" = \"warning\""))
        .unwrap();
    let text_line = out.stderr.lines().nth(snippet_line).unwrap();
    let underline = out.stderr.lines().nth(snippet_line + 1).unwrap();
    let key_at = text_line.find("\"tls-disabld\"").unwrap();
    let mark_at = underline.find('─').unwrap();
    assert_eq!(
        text_line[..key_at].chars().count(),
        underline[..mark_at].chars().count(),
        "{}",
        out.stderr
    );
    assert_eq!(
        underline.matches(['─', '┬']).count(),
        "\"tls-disabld\"".len()
    );
    // An ignore of a misspelt rule gets one too.
    sb.file(
        "q.toml",
        "[[ignore]]\nrule = \"cors-wildcad\"\nreason = \"no browser\"\n",
    );
    let out = sb.run(&["check", "--policy", "q.toml", "--color", "never"]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.contains("(did you mean cors-wildcard?)"),
        "{}",
        out.stderr
    );
}

// ---- smaller points ----------------------------------------------------

#[test]
fn var_unset_in_a_key_the_sdk_never_reads_is_a_note() {
    let sb = Sandbox::new();
    sb.file(
        "config.json",
        r#"{"security": {"domain": "${AGENT_HOST}", "auth": {"bearer": "${API_TOKEN}", "basic": {"user": "${HOOK_USER}"}}}}"#,
    );
    let out = sb.run(&["check", "config.json", "--format", "json"]);
    let findings = out.json()["findings"].as_array().unwrap().clone();
    let var_unset = |var: &str| -> Vec<String> {
        findings
            .iter()
            .filter(|f| f["rule"] == "var-unset" && f["message"].as_str().unwrap().contains(var))
            .map(|f| f["severity"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(var_unset("API_TOKEN"), ["note"]);
    assert_eq!(var_unset("AGENT_HOST"), ["error"]);
    assert_eq!(var_unset("HOOK_USER"), ["error"]);
    let bearer = findings
        .iter()
        .find(|f| f["rule"] == "var-unset" && f["message"].as_str().unwrap().contains("API_TOKEN"))
        .unwrap();
    assert!(
        bearer["message"]
            .as_str()
            .unwrap()
            .contains("security.auth.bearer which the SDK never reads"),
        "{bearer}"
    );
}

#[test]
fn a_snippet_shows_the_path_under_ssl_key() {
    let sb = Sandbox::new().env("SWML_BASIC_AUTH_PASSWORD", STRONG);
    sb.file(
        "config.json",
        "{\"security\": {\"ssl_enabled\": true, \"ssl_cert_path\": \"tls/agent.crt\", \"ssl_key\": \"tls/agent.key\"}}\n",
    );
    let out = sb.run(&["check", "config.json", "--color", "never"]);
    assert!(
        out.stdout.contains("[config-unknown-key]"),
        "{}",
        out.stdout
    );
    let snippet = out
        .stdout
        .lines()
        .find(|l| l.contains("\"ssl_key\":"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert!(snippet.contains("\"tls/agent.key\""), "{snippet}");
    // A password is still masked in the same snippet machinery.
    assert!(!out.all().contains(STRONG));
}

#[test]
fn show_secrets_shows_the_empty_password_the_sdk_holds() {
    let sb = Sandbox::new().env("SWML_BASIC_AUTH_PASSWORD", "");
    let out = sb.run(&["resolve", "--format", "json", "--show-secrets"]);
    let pw = &out.json()["settings"]["basic_auth_password"];
    assert_eq!(pw["value"], "", "{pw}");
    assert_eq!(pw["python_type"], "str");
    let human = sb.run(&["resolve", "--show-secrets", "--color", "never"]);
    assert!(
        human
            .stdout
            .lines()
            .any(|l| l.starts_with("basic_auth_password")
                && l.contains("\"\" (generated at each start)")),
        "{}",
        human.stdout
    );
    // Unset, the SDK holds None: null.
    let unset = Sandbox::new().run(&["resolve", "--format", "json", "--show-secrets"]);
    assert_eq!(
        unset.json()["settings"]["basic_auth_password"]["value"],
        Value::Null
    );
    // Without --show-secrets the contract is unchanged: null, generated.
    let plain = sb.run(&["resolve", "--format", "json"]);
    assert_eq!(
        plain.json()["settings"]["basic_auth_password"]["value"],
        Value::Null
    );
}

#[test]
fn sdk_help_speaks_to_users() {
    let sb = Sandbox::new();
    for cmd in ["check", "resolve"] {
        let out = sb.run(&[cmd, "--help"]);
        assert_eq!(out.code, Some(0));
        assert!(
            out.stdout.contains("signalwire-agents-1.1"),
            "{}",
            out.stdout
        );
        assert!(!out.stdout.contains("oracle"), "{}", out.stdout);
    }
}

#[test]
fn repo_root_makes_paths_repository_relative() {
    let sb = Sandbox::new();
    sb.file("README.md", "# monorepo\n");
    sb.file(
        "services/agent/config.json",
        "{\"security\": {\"ssl_enabled\": false}}\n",
    );
    let dir = sb.path("services/agent");
    let root = sb.work().to_str().unwrap().to_string();
    let run = |args: &[&str]| {
        let out = sb.cmd().current_dir(&dir).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (_, sarif, _) = run(&["check", "--format", "sarif", "--repo-root", &root]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(!uris.is_empty());
    assert!(
        uris.iter().all(|u| *u == "services/agent/config.json"),
        "{uris:?}"
    );
    let (_, github, _) = run(&["check", "--format", "github", "--repo-root", &root]);
    assert!(
        github.contains("::error file=services/agent/config.json,"),
        "{github}"
    );
    // Without it, paths stay relative to the working directory.
    let (_, github, _) = run(&["check", "--format", "github"]);
    assert!(github.contains("::error file=config.json,"), "{github}");
    // A root that does not hold the working directory is refused.
    let (code, _, stderr) = run(&["check", "--repo-root", "/nonexistent-root"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--repo-root /nonexistent-root"), "{stderr}");
    let other = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(&["check", "--repo-root", other.path().to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("does not contain the working directory"),
        "{stderr}"
    );
}
