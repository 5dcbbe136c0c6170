//! The service model against the real services: what each SDK class did
//! when it was started and observed from outside (tests/goldens/services.json,
//! made by scripts/regen-service-goldens.py and replayed live by
//! tests/service_live.rs), what the model predicts, and what `check` says.

mod common;

use std::collections::BTreeSet;

use common::Sandbox;
use serde_json::Value;
use swml_sec::input::EnvView;
use swml_sec::model::Sdk;
use swml_sec::service::{ServiceClass, model};

fn goldens() -> Value {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/goldens/services.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn scenarios() -> Value {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/services/cases.json"),
    )
    .unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["scenarios"].clone()
}

fn class_of(name: &str) -> ServiceClass {
    match name {
        "AgentBase" => ServiceClass::AgentBase,
        "AgentBase.get_app" => ServiceClass::AgentBaseApp,
        "AgentBase.as_router" => ServiceClass::AgentBaseRouter,
        "AgentServer" => ServiceClass::AgentServer,
        "SWMLService" => ServiceClass::SwmlService,
        "WebService" => ServiceClass::WebService,
        other => panic!("unknown class {other}"),
    }
}

fn sdk_of(name: &str) -> Sdk {
    match name {
        "signalwire-agents" => Sdk::SignalwireAgents11,
        "signalwire-sdk" => Sdk::SignalwireSdk3,
        other => panic!("unknown SDK {other}"),
    }
}

/// The case's environment and config with `{cert}`/`{key}` made real: the
/// key always exists, the certificate only for a "valid" case.
struct Materialized {
    sandbox: Sandbox,
    env: Vec<(String, String)>,
    config: Option<String>,
}

fn materialize(scenario: &Value) -> Materialized {
    let sandbox = Sandbox::new();
    let cert = sandbox.path("tls/cert.pem");
    let key = sandbox.file("tls/key.pem", "not read by these checks");
    if scenario["cert"] == "valid" {
        sandbox.file("tls/cert.pem", "not read by these checks");
    }
    let fill = |s: &str| {
        s.replace("{cert}", cert.to_str().unwrap())
            .replace("{key}", key.to_str().unwrap())
    };
    let env = scenario["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), fill(v.as_str().unwrap())))
        .collect();
    let config = (!scenario["config"].is_null()).then(|| fill(&scenario["config"].to_string()));
    Materialized {
        sandbox,
        env,
        config,
    }
}

#[test]
fn the_goldens_cover_every_class_and_scenario_on_both_sdk_lines() {
    let goldens = goldens();
    let cases = goldens["cases"].as_array().unwrap();
    let seen: BTreeSet<(String, String, String)> = cases
        .iter()
        .map(|c| {
            (
                c["sdk"].as_str().unwrap().to_string(),
                c["class"].as_str().unwrap().to_string(),
                c["scenario"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let scenarios = scenarios();
    assert_eq!(seen.len(), 2 * 6 * scenarios.as_object().unwrap().len());
    assert_eq!(goldens["versions"]["signalwire-agents"], "1.1.0");
    assert_eq!(goldens["versions"]["signalwire-sdk"], "3.7.5");
}

/// What the model predicts for each case equals what the real service did.
#[test]
fn the_model_predicts_what_each_real_service_did() {
    let scenarios = scenarios();
    let mut compared = 0;
    for case in goldens()["cases"].as_array().unwrap() {
        let name = case["scenario"].as_str().unwrap();
        let m = materialize(&scenarios[name]);
        let env = EnvView::from_pairs(m.env.clone());
        let config = m.config.clone().unwrap_or_else(|| "{}".into());
        let res = swml_sec::resolve::resolve_with_config_bytes_for(
            &env,
            "config.json",
            config.as_bytes(),
            sdk_of(case["sdk"].as_str().unwrap()),
        );
        let class = class_of(case["class"].as_str().unwrap());
        let row = model(sdk_of(case["sdk"].as_str().unwrap()), class);
        let p = row.predict(&res.settings, &env, |path| {
            std::path::Path::new(path).exists()
        });
        let o = &case["observed"];
        let what = format!("{} {} {name}", case["sdk"], case["class"]);
        assert_eq!(p.starts, o["starts"].as_bool().unwrap(), "starts: {what}");
        if !p.starts {
            continue;
        }
        assert_eq!(p.scheme, o["scheme"].as_str(), "scheme: {what}");
        assert_eq!(
            p.foreign_host_refused,
            o["foreign_host"] == 400,
            "foreign Host: {what}"
        );
        let allow_origin = o["preflight"]["allow_origin"].as_str();
        assert_eq!(
            p.preflight_allow_origin.as_deref(),
            allow_origin,
            "CORS preflight: {what}"
        );
        if allow_origin.is_some() {
            assert_eq!(
                p.preflight_allow_credentials,
                o["preflight"]["allow_credentials"] == "true",
                "CORS credentials: {what}"
            );
        }
        assert_eq!(p.hsts.as_deref(), o["hsts"].as_str(), "HSTS: {what}");
        assert_eq!(
            p.large_body_refused,
            o["body_11mib"] == 413,
            "an 11 MiB body: {what}"
        );
        let headers: Vec<&str> = o["headers"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .filter(|h| *h != "Content-Security-Policy")
            .collect();
        assert_eq!(row.headers, headers.as_slice(), "headers: {what}");
        compared += 1;
    }
    assert!(compared >= 40, "only {compared} cases compared");
}

/// `check` with each case's settings, run beside the Python file of the
/// case's class (which it detects), says what the real service did: an error for plain HTTP where TLS was meant,
/// host advice only where the Host was served, CORS and HSTS verdicts only
/// where the service acted on the settings.
#[test]
fn check_agrees_with_what_each_real_service_did() {
    let scenarios = scenarios();
    let mut checked = 0;
    for case in goldens()["cases"].as_array().unwrap() {
        let name = case["scenario"].as_str().unwrap();
        let scenario = &scenarios[name];
        let m = materialize(scenario);
        if let Some(config) = &m.config {
            m.sandbox.file("config.json", config);
        }
        let class = class_of(case["class"].as_str().unwrap());
        let sdk = sdk_of(case["sdk"].as_str().unwrap());
        let env: Vec<(&str, &str)> = m
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain([("SWML_BASIC_AUTH_PASSWORD", "kT9-mW2pL4-Zq8vX7-rB3nJ6")])
            .collect();
        // The service's own Python file beside the config: `check` finds
        // the class itself.
        copy_dir(&fixture_of(class), &m.sandbox.work);
        let out = m
            .sandbox
            .run_with(&env, &["check", "--format", "json", "--sdk", sdk.as_str()]);
        let doc = out.json();
        assert_eq!(
            doc["services"][0]["class"],
            class.name(),
            "detected class: {}",
            out.stdout
        );
        let what = format!("{} {} {name}: {}", case["sdk"], case["class"], out.stdout);
        let findings = doc["findings"].as_array().unwrap();
        let has = |rule: &str| findings.iter().any(|f| f["rule"] == rule);
        let error = |rule: &str| {
            findings
                .iter()
                .any(|f| f["rule"] == rule && f["severity"] == "error")
        };
        let o = &case["observed"];
        let blocks = findings.iter().any(|f| f["blocks_start"] == true);
        assert_eq!(!blocks, o["starts"] == true, "starts: {what}");
        if o["starts"] != true {
            continue;
        }
        let tls_meant = scenario["env"]["SWML_SSL_ENABLED"] == "true"
            || scenario["config"]["security"]["ssl_enabled"] == true;
        let plain_http_errors = [
            "tls-disabled",
            "tls-config-ignored",
            "tls-file-unreadable",
            "tls-path-missing",
        ];
        if matches!(
            class,
            ServiceClass::AgentBaseApp | ServiceClass::AgentBaseRouter
        ) {
            // The app's server decides TLS (these were served by plain
            // uvicorn): one note says so, and no advice about SWML_SSL_*.
            assert!(has("tls-hosted"), "{what}");
            for rule in plain_http_errors {
                assert!(!has(rule), "{rule} for a hosted app: {what}");
            }
        } else {
            assert!(!has("tls-hosted"), "{what}");
            if o["scheme"] == "https" {
                for rule in plain_http_errors {
                    assert!(!has(rule), "{rule} but HTTPS was served: {what}");
                }
            } else if tls_meant {
                assert!(
                    plain_http_errors.iter().any(|r| error(r)),
                    "TLS was meant, plain HTTP was served, and no error says so: {what}"
                );
            }
        }
        let restricted_hosts = scenario["env"]["SWML_ALLOWED_HOSTS"].is_string()
            || scenario["config"]["security"]["allowed_hosts"].is_array();
        if o["foreign_host"] == 400 {
            assert!(
                !has("hosts-not-enforced") && !has("hosts-wildcard"),
                "{what}"
            );
        } else {
            assert!(
                has("hosts-not-enforced") != has("hosts-wildcard"),
                "a served foreign Host needs exactly one host finding: {what}"
            );
            if restricted_hosts {
                assert!(has("hosts-not-enforced"), "{what}");
            }
        }
        let granted = o["preflight"]["allow_origin"] == "https://attacker.invalid"
            && o["preflight"]["allow_credentials"] == "true";
        assert_eq!(
            error("cors-wildcard"),
            granted,
            "cors-wildcard iff a foreign origin was granted credentials: {what}"
        );
        if has("hsts-disabled") {
            assert!(o["hsts"].is_null(), "hsts-disabled but HSTS served: {what}");
        }
        if let Some(hsts) = o["hsts"].as_str() {
            let short = hsts.starts_with("max-age=60;");
            assert_eq!(has("hsts-short-max-age"), short, "{what}");
            assert!(!has("hsts-disabled"), "{what}");
        }
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} cases checked");
}

/// `check` run beside each service's Python file finds the class that runs
/// and says so, with the file and line, in every format.
#[test]
fn check_detects_the_class_beside_each_service_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/services");
    for (dir, class, path, line) in [
        ("agent-base", "AgentBase", "agent.py", 5),
        ("agent-server", "AgentServer", "main.py", 6),
        ("web-service", "WebService", "serve_docs.py", 3),
        ("swml-service", "SWMLService", "voicemail.py", 9),
        ("prefab-sdk3", "AgentBase", "app.py", 4),
        ("get-app", "AgentBase.get_app()", "lambda_handler.py", 5),
        ("router", "AgentBase.as_router()", "app.py", 8),
    ] {
        let sandbox = Sandbox::new();
        copy_dir(&root.join(dir), &sandbox.work);
        let out = sandbox.run(&["check", "--format", "json"]);
        let doc = out.json();
        let services = doc["services"].as_array().unwrap();
        assert_eq!(services.len(), 1, "{dir}: {}", out.stdout);
        assert_eq!(services[0]["class"], class, "{dir}");
        assert_eq!(services[0]["origin"], "detected", "{dir}");
        assert_eq!(services[0]["path"], path, "{dir}");
        assert_eq!(services[0]["line"], line, "{dir}");
        let human = sandbox.run(&["check", "--color", "never"]);
        assert!(
            human
                .stdout
                .starts_with(&format!("service: {class}, {path}:{line}\n")),
            "{dir}: {}",
            human.stdout
        );
    }
}

#[test]
fn several_services_are_each_judged_and_findings_name_their_class() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/services/multi");
    let sandbox = Sandbox::new();
    copy_dir(&root, &sandbox.work);
    let out = sandbox.run(&["check", "--format", "json"]);
    let doc = out.json();
    let classes: Vec<&str> = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["class"].as_str().unwrap())
        .collect();
    // The SDK copy inside the virtual environment is not the repository's.
    assert_eq!(classes, ["AgentBase", "WebService"], "{}", out.stdout);
    let findings = doc["findings"].as_array().unwrap();
    let of = |rule: &str| {
        findings
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule}: {}", out.stdout))
    };
    assert_eq!(
        of("hosts-not-enforced")["services"],
        serde_json::json!(["AgentBase"])
    );
    assert_eq!(
        of("hosts-wildcard")["services"],
        serde_json::json!(["WebService"])
    );
    assert_eq!(
        of("cors-wildcard")["services"],
        serde_json::json!(["WebService"])
    );
    // A finding both classes give alike is reported once, untagged.
    let unset: Vec<_> = findings
        .iter()
        .filter(|f| f["rule"] == "auth-password-unset")
        .collect();
    assert_eq!(unset.len(), 1);
    assert!(unset[0].get("services").is_none());
}

#[test]
fn nothing_found_says_which_class_was_assumed_and_how_to_choose() {
    let sandbox = Sandbox::new();
    sandbox.file("app.py", "print('no SDK here')\n");
    let human = sandbox.run(&["check", "--color", "never"]);
    assert!(
        human.stdout.starts_with(
            "service: AgentBase (assumed: no SDK service class found in the repository's Python files; choose one with --service-class)\n"
        ),
        "{}",
        human.stdout
    );
    let flagged = sandbox.run(&[
        "check",
        "--format",
        "json",
        "--service-class",
        "web-service",
    ]);
    assert_eq!(flagged.json()["services"][0]["class"], "WebService");
    assert_eq!(flagged.json()["services"][0]["origin"], "flag");
}

#[test]
fn docs_services_md_is_current() {
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/services.md"),
    )
    .unwrap();
    let sandbox = Sandbox::new();
    let out = sandbox.run(&["services"]);
    assert_eq!(
        committed, out.stdout,
        "docs/services.md is stale: run `swml-sec services > docs/services.md`"
    );
}

/// The fixture repository whose Python file runs `class`.
fn fixture_of(class: ServiceClass) -> std::path::PathBuf {
    let dir = match class {
        ServiceClass::AgentBase => "agent-base",
        ServiceClass::AgentBaseApp => "get-app",
        ServiceClass::AgentBaseRouter => "router",
        ServiceClass::AgentServer => "agent-server",
        ServiceClass::SwmlService => "swml-service",
        ServiceClass::WebService => "web-service",
        ServiceClass::SearchService => unreachable!("not observed"),
    };
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/services")
        .join(dir)
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The class judged is in every format, where each format carries such
/// things.
#[test]
fn the_service_is_shown_in_every_format() {
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/services/agent-server");
    let sandbox = Sandbox::new();
    copy_dir(&root, &sandbox.work);
    let described = "AgentServer, main.py:6";
    let run = |format: &str| sandbox.run(&["check", "--format", format]).stdout;
    assert!(run("human").starts_with(&format!("service: {described}\n")));
    assert!(run("short").ends_with(&format!("service: {described}\n")));
    assert!(
        run("github").ends_with(&format!("::notice title=swml-sec service::{described}\n")),
        "{}",
        run("github")
    );
    let sarif: Value = serde_json::from_str(&run("sarif")).unwrap();
    assert_eq!(
        sarif["runs"][0]["properties"]["services"][0]["class"],
        "AgentServer"
    );
    assert_eq!(sarif["runs"][0]["properties"]["services"][0]["line"], 6);
    let junit = run("junit");
    let doc = roxmltree::Document::parse(&junit).unwrap();
    let properties: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("property") && n.attribute("name") == Some("service"))
        .filter_map(|n| n.attribute("value"))
        .collect();
    assert!(!properties.is_empty());
    assert!(properties.iter().all(|v| *v == described), "{properties:?}");
}

/// Detection reads only small regular files, follows no links and never
/// hangs: FIFOs, unreadable files, huge files, link loops and invalid UTF-8
/// are passed over.
#[test]
fn detection_passes_over_hostile_trees() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    common::mkfifo(&sandbox.path("pipe.py"));
    let locked = sandbox.file(
        "locked.py",
        "from signalwire_agents import AgentServer\nAgentServer()\n",
    );
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let huge = format!(
        "from signalwire_agents import AgentServer\nAgentServer()\n{}",
        "#".repeat(2 * 1024 * 1024)
    );
    sandbox.file("huge.py", huge);
    std::os::unix::fs::symlink(&sandbox.work, sandbox.path("loop")).unwrap();
    sandbox.file(
        "latin1.py",
        b"from signalwire_agents.web import WebService\n# caf\xe9\nWebService().start()\n",
    );
    // A file name that would forge a line of output.
    sandbox.file(
        "x\nservice: SearchService, forged.py",
        "from signalwire_agents.web import WebService\nWebService().start()\n",
    );
    let human = sandbox.run(&["check", "--color", "never"]);
    assert!(
        !human
            .stdout
            .lines()
            .any(|l| l.starts_with("service: SearchService")),
        "{}",
        human.stdout
    );
    let out = sandbox.run(&["check", "--format", "json"]);
    assert!(matches!(out.code, Some(0 | 1)), "{}", out.stderr);
    let classes: Vec<String> = out.json()["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["class"].as_str().unwrap().to_string())
        .collect();
    // root can read the 0o000 file; as another user it is passed over.
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    let expected: Vec<&str> = if root {
        vec!["WebService", "AgentServer", "WebService"]
    } else {
        vec!["WebService", "WebService"]
    };
    assert_eq!(classes, expected);
}
