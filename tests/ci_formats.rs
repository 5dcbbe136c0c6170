//! SARIF, GitHub annotations, JUnit, the config schema, completions.

mod common;

use common::Sandbox;
use common::pki::{Ca, CertSpec, KeyKind};
use serde_json::Value;

fn sarif_validator() -> jsonschema::Validator {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// SARIF of a check judged as WebService (the class that applies every
/// setting), unless `extra` names a class.
fn check_sarif(sb: &Sandbox, extra: &[&str]) -> Value {
    let mut args = vec!["check", "--format", "sarif"];
    if !extra.contains(&"--service-class") {
        args.extend_from_slice(&["--service-class", "web-service"]);
    }
    args.extend_from_slice(extra);
    let out = sb.run(&args);
    assert!(matches!(out.code, Some(0 | 1)), "{}", out.stderr);
    assert!(
        !out.stdout.contains(sb.work().to_str().unwrap()),
        "an absolute path of this machine in the SARIF"
    );
    let doc = out.json();
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF does not validate: {errors:#?}");
    // GitHub code scanning rejects the whole file if one result lacks a
    // physical location with a relative uri.
    for result in doc["runs"][0]["results"].as_array().unwrap() {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_else(|| panic!("no uri: {result}"));
        assert!(
            !uri.is_empty() && !uri.starts_with('/') && !uri.contains("..") && !uri.contains(':'),
            "bad uri {uri:?}"
        );
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "SRCROOT"
        );
    }
    doc
}

fn results_for<'a>(doc: &'a Value, rule: &str) -> Vec<&'a Value> {
    doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == rule)
        .collect()
}

#[test]
fn sarif_for_defaults_only_points_at_an_anchor() {
    let sb = Sandbox::new();
    let doc = check_sarif(&sb, &[]);
    let r = &results_for(&doc, "tls-disabled")[0];
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "README.md"
    );
    let doc = check_sarif(&sb, &["--sarif-anchor", ".github/workflows/ci.yml"]);
    let r = &results_for(&doc, "tls-disabled")[0];
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        ".github/workflows/ci.yml"
    );
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.len() > 50);
    assert!(
        rules
            .iter()
            .all(|r| r["help"]["text"].as_str().is_some_and(|t| !t.is_empty()))
    );
}

#[test]
fn sarif_for_an_unset_variable_has_the_region_on_the_right_line() {
    let sb = Sandbox::new();
    sb.file(
        "config.json",
        "{\n  \"security\": {\n    \"domain\": \"${DOMAIN}\"\n  }\n}\n",
    );
    let doc = check_sarif(&sb, &[]);
    let r = &results_for(&doc, "var-unset")[0];
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "config.json");
    assert_eq!(loc["region"]["startLine"], 3);
    assert_eq!(loc["region"]["startColumn"], 16);
    // Findings about defaults point at the `security` key of the config file.
    let r = &results_for(&doc, "hosts-wildcard")[0];
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
}

#[test]
fn sarif_for_variables_names_them_and_points_at_the_env_file() {
    let sb = Sandbox::new().env("SWML_RATE_LIMIT", "0");
    // rate_limit is read and enforced by no service: the one limits finding
    // names the variable that set it.
    sb.file(
        "deploy.env",
        "# settings\nSWML_CORS_ORIGINS=http://app.example.com\n",
    );
    let doc = check_sarif(&sb, &["--env-file", "deploy.env"]);
    let r = &results_for(&doc, "cors-insecure-origin")[0];
    let loc = &r["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "deploy.env"
    );
    assert_eq!(loc["physicalLocation"]["region"]["startLine"], 2);
    assert_eq!(loc["logicalLocations"][0]["name"], "SWML_CORS_ORIGINS");
    let r = &results_for(&doc, "limits-not-enforced")[0];
    assert_eq!(
        r["locations"][0]["logicalLocations"][0]["name"],
        "SWML_RATE_LIMIT"
    );
    assert!(
        r["message"]["text"]
            .as_str()
            .unwrap()
            .contains("SWML_RATE_LIMIT")
    );
}

#[test]
fn sarif_for_invalid_json_and_clean_setups() {
    let sb = Sandbox::new();
    sb.file(
        "config.json",
        "{\n  \"security\": {\"ssl_enabled\": true,}\n}\n",
    );
    let doc = check_sarif(&sb, &[]);
    let r = &results_for(&doc, "config-invalid-json")[0];
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );

    let ca = Ca::new("Root");
    let (leaf, key) = ca.sign(
        &CertSpec::leaf(&["agent.example.com"]),
        KeyKind::EcP256Pkcs8,
    );
    let sb = Sandbox::new()
        .env("SWML_SSL_ENABLED", "true")
        .env("SWML_SSL_CERT_PATH", "cert.pem")
        .env("SWML_SSL_KEY_PATH", "key.pem")
        .env("SWML_DOMAIN", "agent.example.com")
        .env("SWML_ALLOWED_HOSTS", "agent.example.com")
        .env("SWML_CORS_ORIGINS", "https://app.example.com")
        .env("SWML_BASIC_AUTH_USER", "agent")
        .env("SWML_BASIC_AUTH_PASSWORD", "vN3q-Xr8t_Lp2Zk9-Wm4Hc7Yb");
    sb.file("cert.pem", &leaf);
    sb.file("ca.pem", &ca.pem);
    let key_path = sb.file("key.pem", &key);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let doc = check_sarif(&sb, &["--ca-file", "ca.pem"]);
    let results: Vec<&str> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    // No service enforces request limits: that note is all that remains.
    assert_eq!(results, ["limits-not-enforced"], "{doc}");
    assert_eq!(
        doc["runs"][0]["properties"]["services"][0]["class"],
        "WebService"
    );

    // An expired certificate points at the certificate file.
    let (leaf, key) = ca.sign(
        &CertSpec {
            not_before_days: -100,
            not_after_days: -2,
            ..CertSpec::leaf(&["agent.example.com"])
        },
        KeyKind::EcP256Pkcs8,
    );
    sb.file("cert.pem", &leaf);
    sb.file("key.pem", &key);
    let doc = check_sarif(&sb, &["--ca-file", "ca.pem"]);
    let r = &results_for(&doc, "cert-expired")[0];
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "cert.pem"
    );
    assert_eq!(r["level"], "error");
}

#[test]
fn sarif_never_uses_absolute_paths_of_the_machine() {
    let sb = Sandbox::new();
    let abs = sb.file("conf/config.json", "{\"security\": {\"domain\": \"${X}\"}}");
    let doc = check_sarif(&sb, &[abs.to_str().unwrap()]);
    let r = &results_for(&doc, "var-unset")[0];
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "conf/config.json"
    );
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), "{\"security\": {\"domain\": \"${X}\"}}").unwrap();
    let doc = check_sarif(&sb, &[outside.path().to_str().unwrap()]);
    let r = &results_for(&doc, "var-unset")[0];
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "README.md"
    );
}

#[test]
fn github_annotations_carry_file_line_col_and_are_escaped() {
    let sb = Sandbox::new();
    sb.file(
        "we,ird:name.json",
        "{\n  \"security\": {\n    \"domain\": \"${DOMAIN}\",\n    \"50%\\nkey\": 1\n  }\n}\n",
    );
    let out = sb.run(&["check", "--format", "github", "we,ird:name.json"]);
    assert_eq!(out.code, Some(1));
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("title=var-unset"))
        .unwrap();
    assert!(
        line.starts_with("::error file=we%2Cird%3Aname.json,line=3,col=16,"),
        "{line}"
    );
    let unknown = out
        .stdout
        .lines()
        .find(|l| l.contains("title=config-unknown-key"))
        .unwrap();
    assert!(unknown.starts_with("::warning "), "{unknown}");
    // The key's newline is shown escaped (`\n`), so the line stays one
    // workflow command; `%` is escaped for GitHub.
    assert!(unknown.contains("50%25\\nkey"), "{unknown}");
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("::notice ") && l.contains("title=auth-default-user"))
    );
    // The service judged is a notice of its own, after the findings.
    assert_eq!(
        out.stdout.lines().last(),
        Some(
            "::notice title=swml-sec service::AgentBase (assumed: no SDK service class found in the repository's Python files; choose one with --service-class)"
        )
    );
    // On GitHub Actions, github is the default format.
    let auto = sb
        .cmd()
        .env("GITHUB_ACTIONS", "true")
        .args(["check", "we,ird:name.json"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&auto.stdout).starts_with("::error "));
}

#[test]
fn junit_parses_with_the_right_failure_count() {
    let sb = Sandbox::new();
    let out = sb.run(&["check", "--format", "junit"]);
    assert_eq!(out.code, Some(1));
    let doc = roxmltree::Document::parse(&out.stdout).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    let json = sb.run(&["check", "--format", "json"]).json();
    let errors = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["rule"].as_str().unwrap())
        .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(failures, errors.len());
    assert_eq!(
        root.attribute("failures")
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        errors.len()
    );
    let suites: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert!(
        suites.contains(&"tls") && suites.contains(&"auth"),
        "{suites:?}"
    );
    // With --fail-on warning the warnings fail too.
    let out = sb.run(&["check", "--format", "junit", "--fail-on", "warning"]);
    let doc = roxmltree::Document::parse(&out.stdout).unwrap();
    assert!(
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count()
            > errors.len()
    );
}

#[test]
fn committed_config_schema_is_up_to_date() {
    let sb = Sandbox::new();
    let printed = sb.run(&["schema"]).stdout;
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/swml-config.schema.json"),
    )
    .unwrap();
    assert_eq!(
        printed, committed,
        "schemas/swml-config.schema.json is stale: run `swml-sec schema > schemas/swml-config.schema.json`"
    );
    let schema: Value = serde_json::from_str(&committed).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let good: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/scenarios/production.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(validator.is_valid(&good));
    assert!(validator.is_valid(
        &serde_json::json!({"security": {"rate_limit": "${RL|30}", "ssl_enabled": "${SSL}"}})
    ));
    assert!(!validator.is_valid(&serde_json::json!({"security": {"ssl_enable": true}})));
    assert!(!validator.is_valid(&serde_json::json!({"security": {"ssl_verify_mode": "required"}})));
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    let sb = Sandbox::new();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = sb.run(&["completions", shell]);
        assert_eq!(out.code, Some(0), "{shell}");
        assert!(
            out.stdout.contains("gen-password")
                && out.stdout.contains("profile")
                && out.stdout.contains("sarif"),
            "{shell}"
        );
    }
    let man = sb.run(&["man"]);
    assert!(man.stdout.starts_with(".ie") && man.stdout.contains("swml\\-sec"));
}

#[test]
fn rules_reference_is_up_to_date_and_machine_readable() {
    let sb = Sandbox::new();
    let markdown = sb.run(&["rules", "--format", "markdown"]).stdout;
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md"),
    )
    .unwrap();
    assert_eq!(
        markdown, committed,
        "docs/rules.md is stale: run `swml-sec rules --format markdown > docs/rules.md`"
    );
    let j = sb.run(&["rules", "--format", "json"]).json();
    assert_eq!(j["version"], 1);
    let rules = j["rules"].as_array().unwrap();
    let human = sb.run(&["rules"]).stdout;
    assert_eq!(rules.len(), human.lines().count() - 1);
    let hsts = rules.iter().find(|r| r["id"] == "hsts-disabled").unwrap();
    assert_eq!(
        hsts["severity"],
        serde_json::json!({"prod": "error", "staging": "warning", "dev": null})
    );
}
