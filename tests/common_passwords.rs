//! Short and common passwords over every command and format: the password
//! is masked in its own slot, and the report's own text (rule ids,
//! severities, keys, markup, file names) stays exactly as it is.

mod common;

use std::collections::BTreeSet;

use common::{Sandbox, key_paths};
use serde_json::Value;

/// Words the tool itself writes, as passwords.
const PASSWORDS: &[&str] = &[
    "error",
    "true",
    "user",
    "SWML",
    "UTF-8",
    "note",
    "password",
    "pass",
    "word",
    "agent",
    "warning",
    "json",
    "notice",
    "file",
    "level",
    "rule",
    "ruleId",
    "testcase",
    "export",
    "config",
    "    ",
    "1",
    "60",
    "auth-password-weak",
    "SWML_SSL_ENABLED",
    "schema",
];

/// A strong password: the baseline every weak run is compared with.
const STRONG: &str = "Zq8-hunter2-Vx41-Lm";

const CONFIG: &str = r#"{"security": {"ssl_enabled": true, "allowed_hosts": ["*", "agent.example.com"],
  "cors_origins": ["*", "http://app.example.com"], "rate_limit": 60, "domain": "agent.example.com"}}"#;

fn known_rules(sb: &Sandbox) -> BTreeSet<String> {
    let out = sb.run(&["rules", "--format", "json"]);
    let doc = out.json();
    let list = doc
        .as_array()
        .cloned()
        .or_else(|| doc["rules"].as_array().cloned())
        .expect("rules --format json lists the rules");
    let rules: BTreeSet<String> = list
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(rules.contains("auth-password-weak"));
    rules
}

fn sarif_validator() -> jsonschema::Validator {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn sandbox(pw: &str) -> Sandbox {
    let sb = Sandbox::new().env("SWML_BASIC_AUTH_PASSWORD", pw);
    sb.file("config.json", CONFIG);
    sb
}

/// The value `export NAME=…` lines give each variable once sourced by bash.
fn sourced(sb: &Sandbox, env_text: &str, names: &[String]) -> Vec<Option<String>> {
    let file = sb.file("resolved.env", env_text);
    let mut script = format!("set -e; . '{}'\n", file.display());
    for n in names {
        script.push_str(&format!(
            "if [ -n \"${{{n}+x}}\" ]; then printf 'S%s\\0' \"${n}\"; else printf 'U\\0'; fi\n"
        ));
    }
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env_clear()
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{env_text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    text.split('\0')
        .filter(|s| !s.is_empty())
        .map(|s| s.strip_prefix('S').map(str::to_string))
        .collect()
}

/// A JSON setting value as the SDK reads it from the environment.
fn as_env_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(if items.is_empty() {
            ",".to_string()
        } else {
            items
                .iter()
                .map(|i| i.as_str().unwrap().to_string())
                .collect::<Vec<_>>()
                .join(",")
        }),
        Value::Object(_) => panic!("an object as a setting value"),
    }
}

fn assert_resolve_env_matches_json(sb: &Sandbox, args: &[&str], context: &str) {
    let mut json_args = vec!["resolve", "--format", "json"];
    json_args.extend_from_slice(args);
    let doc = sb.run(&json_args).json();
    let mut env_args = vec!["resolve", "--format", "env"];
    env_args.extend_from_slice(args);
    let env_out = sb.run(&env_args);
    assert!(
        !env_out
            .stdout
            .lines()
            .any(|l| !l.starts_with('#') && l.contains("<redacted>") && !l.contains("'")),
        "{context}: an unquoted <redacted>:\n{}",
        env_out.stdout
    );
    let settings = doc["settings"].as_object().unwrap();
    let env_names: Vec<String> = settings
        .keys()
        .map(|k| format!("SWML_{}", k.to_uppercase()))
        .collect();
    let values = sourced(sb, &env_out.stdout, &env_names);
    for ((name, entry), got) in settings.iter().zip(values) {
        let want = &entry["value"];
        if want == "<redacted>" {
            // A secret: never exported.
            assert_eq!(got, None, "{context}: {name} exported:\n{}", env_out.stdout);
            continue;
        }
        if name == "basic_auth_user" && got.is_none() {
            continue;
        }
        assert_eq!(
            got,
            as_env_text(want),
            "{context}: {name} sourced differs from JSON:\n{}",
            env_out.stdout
        );
    }
}

#[test]
fn common_words_as_passwords_leave_every_format_intact() {
    let base = sandbox(STRONG);
    let rules = known_rules(&base);
    let validator = sarif_validator();
    let baseline_check = base
        .run(&["check", "--format", "json", "config.json"])
        .json();
    let mut baseline_keys = BTreeSet::new();
    key_paths(&baseline_check, "", &mut baseline_keys);
    let baseline_resolve = base
        .run(&["resolve", "--format", "json", "config.json"])
        .json();
    let baseline_sarif = base
        .run(&["check", "--format", "sarif", "config.json"])
        .json();
    let mut baseline_sarif_keys = BTreeSet::new();
    key_paths(&baseline_sarif, "", &mut baseline_sarif_keys);
    let github_line = regex::Regex::new(
        r"^::(error|warning|notice) file=[^,:]+(,line=\d+,col=\d+)?(,endLine=\d+)?(,endColumn=\d+)?,title=([a-z0-9-]+)::",
    )
    .unwrap();
    for &pw in PASSWORDS {
        let sb = sandbox(pw);
        let ctx = format!("password {pw:?}");

        // check --format json: keys, rule ids and severities intact.
        let out = sb.run(&["check", "--format", "json", "config.json"]);
        let doc = out.json();
        assert_eq!(keys(&doc), keys(&baseline_check), "{ctx}");
        let mut paths = BTreeSet::new();
        key_paths(&doc, "", &mut paths);
        assert!(
            paths.is_subset(&baseline_keys)
                || paths
                    .difference(&baseline_keys)
                    .all(|p| p.starts_with("/findings/")),
            "{ctx}: keys {:?}",
            paths.difference(&baseline_keys).collect::<Vec<_>>()
        );
        assert_eq!(
            keys(&doc["summary"]),
            keys(&baseline_check["summary"]),
            "{ctx}"
        );
        assert_eq!(doc["config_file"], "config.json", "{ctx}");
        let findings = doc["findings"].as_array().unwrap();
        for f in findings {
            let rule = f["rule"].as_str().unwrap();
            assert!(rules.contains(rule), "{ctx}: rule {rule:?}");
            let sev = f["severity"].as_str().unwrap();
            assert!(["error", "warning", "note"].contains(&sev), "{ctx}: {sev}");
        }
        let ids: BTreeSet<&str> = findings
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        // Short and dictionary passwords are reported weak (or worse).
        if !pw.trim().is_empty() && pw.len() < 16 {
            assert!(
                ids.contains("auth-password-weak") || ids.contains("auth-password-placeholder"),
                "{ctx}: {ids:?}"
            );
        }
        // Every finding of the baseline that is not about the password
        // is still there, under its own id.
        for expected in baseline_check["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .filter(|r| !r.starts_with("auth-"))
        {
            assert!(
                ids.contains(expected),
                "{ctx}: {expected} missing in {ids:?}"
            );
        }

        // SARIF: valid, levels and rule ids intact.
        let out = sb.run(&["check", "--format", "sarif", "config.json"]);
        let sarif = out.json();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{ctx}: SARIF invalid: {errors:#?}");
        // A weak password adds a result located at its variable; no key
        // is rewritten.
        let mut spaths = BTreeSet::new();
        key_paths(&sarif, "", &mut spaths);
        for extra in spaths.difference(&baseline_sarif_keys) {
            assert!(
                extra.starts_with("/runs/results/locations/logicalLocations"),
                "{ctx}: SARIF key {extra:?}"
            );
        }
        assert!(
            baseline_sarif_keys
                .difference(&spaths)
                .all(|k| k.contains("region/end")),
            "{ctx}: SARIF keys lost: {:?}",
            baseline_sarif_keys.difference(&spaths).collect::<Vec<_>>()
        );
        for r in sarif["runs"][0]["results"].as_array().unwrap() {
            assert!(rules.contains(r["ruleId"].as_str().unwrap()), "{ctx}: {r}");
            assert!(
                ["error", "warning", "note"].contains(&r["level"].as_str().unwrap()),
                "{ctx}: {r}"
            );
        }
        for d in sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
        {
            assert!(rules.contains(d["id"].as_str().unwrap()), "{ctx}: {d}");
        }

        // GitHub workflow commands: every line well formed.
        let out = sb.run(&["check", "--format", "github", "config.json"]);
        let mut titles = BTreeSet::new();
        // The last line names the service judged, whatever the password.
        assert!(
            out.stdout.ends_with(
                "::notice title=swml-sec service::AgentBase (assumed: no SDK service class found in the repository's Python files; choose one with --service-class)\n"
            ),
            "{ctx}: {}",
            out.stdout
        );
        for line in out
            .stdout
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with("::notice title=swml-sec service::"))
        {
            let caps = github_line
                .captures(line)
                .unwrap_or_else(|| panic!("{ctx}: malformed line {line:?}"));
            titles.insert(caps[5].to_string());
        }
        assert_eq!(
            titles,
            ids.iter().map(|s| s.to_string()).collect(),
            "{ctx}: {}",
            out.stdout
        );

        // JUnit: parses, testcases named by rule ids.
        let out = sb.run(&["check", "--format", "junit", "config.json"]);
        let xml = roxmltree::Document::parse(&out.stdout)
            .unwrap_or_else(|e| panic!("{ctx}: JUnit does not parse: {e}\n{}", out.stdout));
        for case in xml.descendants().filter(|n| n.has_tag_name("testcase")) {
            let name = case.attribute("name").unwrap();
            assert!(rules.contains(name), "{ctx}: testcase {name:?}");
        }

        // Human and short: every rule id and severity word as written.
        for format in ["human", "short"] {
            let out = sb.run(&[
                "check",
                "--format",
                format,
                "--color",
                "never",
                "config.json",
            ]);
            for id in &ids {
                assert!(
                    out.stdout.contains(id),
                    "{ctx}: {format} lacks {id}:\n{}",
                    out.stdout
                );
            }
            assert!(out.stdout.contains("error"), "{ctx}: {format}");
        }

        // resolve json: the password slot masked, every other value as the
        // baseline has it.
        let doc = sb
            .run(&["resolve", "--format", "json", "config.json"])
            .json();
        assert_eq!(keys(&doc), keys(&baseline_resolve), "{ctx}");
        assert_eq!(doc["config_file"], "config.json", "{ctx}");
        for (name, entry) in doc["settings"].as_object().unwrap() {
            let value = &entry["value"];
            let user_is_password =
                name == "basic_auth_user" && baseline_resolve["settings"][name]["value"] == pw;
            if name == "basic_auth_password" || user_is_password {
                assert_eq!(value, "<redacted>", "{ctx}");
            } else {
                assert_eq!(
                    value, &baseline_resolve["settings"][name]["value"],
                    "{ctx}: {name}"
                );
                assert_eq!(
                    entry["python_type"],
                    baseline_resolve["settings"][name]["python_type"]
                );
            }
        }

        // resolve toml parses and holds the same settings.
        let out = sb.run(&["resolve", "--format", "toml", "config.json"]);
        let toml: toml::Table = out
            .stdout
            .parse()
            .unwrap_or_else(|e| panic!("{ctx}: TOML does not parse: {e}\n{}", out.stdout));
        let settings = toml["settings"].as_table().unwrap();
        assert_eq!(
            settings.len(),
            doc["settings"].as_object().unwrap().len(),
            "{ctx}"
        );
        assert_eq!(
            settings["basic_auth_password"]["value"].as_str(),
            Some("<redacted>"),
            "{ctx}"
        );

        // resolve human: the password row shows the mask.
        let out = sb.run(&["resolve", "--format", "human", "config.json"]);
        let row = out
            .stdout
            .lines()
            .find(|l| l.starts_with("basic_auth_password"))
            .unwrap_or_else(|| panic!("{ctx}: {}", out.stdout));
        assert!(row.contains("\"<redacted>\""), "{ctx}: {row}");
        assert!(
            out.stdout.contains("config file: config.json"),
            "{ctx}: {}",
            out.stdout
        );
        for id in ["ssl_enabled", "allowed_hosts", "SWML"] {
            let _ = id;
        }
        assert!(out.stdout.contains("allowed_hosts"), "{ctx}");

        // resolve env: sourced by bash, every non-secret value as JSON has it.
        assert_resolve_env_matches_json(&sb, &["config.json"], &ctx);
        let env_out = sb.run(&["resolve", "--format", "env", "config.json"]);
        assert!(
            !env_out.stdout.contains("export SWML_BASIC_AUTH_PASSWORD="),
            "{ctx}: {}",
            env_out.stdout
        );
    }
}

#[test]
fn a_dotenv_password_that_is_a_common_word_leaves_names_and_hosts_alone() {
    let sb = Sandbox::new();
    sb.file(
        "agent_config.json",
        r#"{"security": {"allowed_hosts": ["agent.example.com", "api.example.com"], "domain": "agent.example.com"}}"#,
    );
    sb.file(
        ".env",
        "POSTGRES_PASSWORD=agent\nSWML_BASIC_AUTH_PASSWORD=agent\n",
    );
    let doc = sb
        .run(&["resolve", "--format", "json", "--env-file", ".env"])
        .json();
    assert_eq!(doc["config_file"], "agent_config.json");
    assert_eq!(
        doc["settings"]["allowed_hosts"]["value"],
        serde_json::json!(["agent.example.com", "api.example.com"])
    );
    assert_eq!(
        doc["settings"]["basic_auth_password"]["value"],
        "<redacted>"
    );
    assert_resolve_env_matches_json(&sb, &["--env-file", ".env"], "agent");
    let env_out = sb.run(&["resolve", "--format", "env", "--env-file", ".env"]);
    assert!(
        env_out
            .stdout
            .contains("export SWML_ALLOWED_HOSTS='agent.example.com,api.example.com'"),
        "{}",
        env_out.stdout
    );
    let doc = sb
        .run(&["check", "--format", "json", "--env-file", ".env"])
        .json();
    assert_eq!(doc["config_file"], "agent_config.json");
    for format in ["human", "short", "json", "sarif", "github", "junit"] {
        let out = sb.run(&["check", "--format", format, "--env-file", ".env"]);
        // The password is in no slot of a check report: nothing to mask.
        assert!(
            !out.stdout.contains("<redacted>"),
            "{format}: {}",
            out.stdout
        );
        assert!(
            !out.stdout.contains("redacted&gt;"),
            "{format}: {}",
            out.stdout
        );
    }
}

#[test]
fn a_reference_inside_a_password_is_not_shown_as_a_name() {
    let sb = Sandbox::new();
    sb.file(
        "config.json",
        r#"{"security": {"auth": {"basic": {"password": "Zq8#v${kT9!mW2}pL4"}}}}"#,
    );
    for args in [
        vec!["check", "--format", "json", "config.json"],
        vec![
            "check",
            "--format",
            "human",
            "--color",
            "never",
            "config.json",
        ],
        vec!["check", "--format", "sarif", "config.json"],
        vec!["check", "--format", "github", "config.json"],
        vec!["check", "--format", "junit", "config.json"],
        vec!["resolve", "--format", "json", "config.json"],
        vec!["resolve", "--format", "human", "config.json"],
    ] {
        let out = sb.run(&args);
        for piece in ["kT9!mW2", "kT9", "Zq8#v", "pL4"] {
            assert!(
                !out.all().contains(piece),
                "{args:?} shows {piece}:\n{}",
                out.all()
            );
        }
    }
    let doc = sb.run(&["check", "--format", "json", "config.json"]).json();
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"var-unset"), "{rules:?}");
}

#[test]
fn sarif_and_github_regions_of_a_password_do_not_span_it() {
    let sb = Sandbox::new();
    sb.file(
        "config.json",
        "{\"security\": {\"auth\": {\"basic\": {\"password\": \"Zq8-hunter2-Vx41-Lm\"}}}}",
    );
    let sarif = sb
        .run(&["check", "--format", "sarif", "config.json"])
        .json();
    let mut located = 0;
    for r in sarif["runs"][0]["results"].as_array().unwrap() {
        if r["properties"]["setting"] == "basic_auth_password" {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert!(region.get("startLine").is_some(), "{r}");
            assert!(region.get("endColumn").is_none(), "{r}");
            located += 1;
        }
    }
    assert!(located > 0, "{sarif}");
    let out = sb.run(&["check", "--format", "github", "config.json"]);
    for line in out
        .stdout
        .lines()
        .filter(|l| l.contains("auth-secret-in-config"))
    {
        assert!(!line.contains("endColumn="), "{line}");
    }
}

/// `probe` with each password configured, against a local HTTPS server
/// that asks for it and echoes the credentials it receives into the
/// headers it serves (the Authorization value, its URL-safe base64, and
/// `user:password` as the HSTS max-age): every probe format keeps its
/// structure, and the echoed credentials reach the findings masked.
#[test]
fn common_words_as_passwords_leave_every_probe_format_intact() {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};
    use common::pki::{Ca, CertSpec, KeyKind};
    use common::server::{Behaviour, start};

    const USER: &str = "agent-webhooks";
    let ca = Ca::new("Probe Root");
    let (chain, key) = ca.sign(
        &CertSpec::leaf(&["localhost", "127.0.0.1"]),
        KeyKind::EcP256Pkcs8,
    );
    let sandbox = |pw: &str| {
        let sb = Sandbox::new()
            .env("SWML_SSL_ENABLED", "true")
            .env("SWML_SSL_CERT_PATH", "tls/cert.pem")
            .env("SWML_SSL_KEY_PATH", "tls/key.pem")
            .env("SWML_DOMAIN", "localhost")
            .env("SWML_ALLOWED_HOSTS", "localhost")
            .env("SWML_CORS_ORIGINS", "https://app.example.com")
            .env("SWML_BASIC_AUTH_USER", USER)
            .env("SWML_BASIC_AUTH_PASSWORD", pw);
        sb.file("tls/cert.pem", &chain);
        sb.file("tls/key.pem", &key);
        sb.file("tls/ca.pem", &ca.pem);
        sb
    };
    let run = |sb: &Sandbox, url: &str, format: &str| {
        let out = sb.run(&[
            "probe",
            url,
            "--format",
            format,
            "--ca-file",
            "tls/ca.pem",
            "--color",
            "never",
            "--timeout",
            "10",
        ]);
        assert!(
            matches!(out.code, Some(0 | 1)),
            "{format}: exit {:?}: {}",
            out.code,
            out.all()
        );
        out
    };
    // One server per password, which asks for that password.
    let server = |pw: &str| {
        let mut b = Behaviour::secure(Some((chain.clone(), key.clone())), (USER, pw), "localhost");
        b.echo_authorization = true;
        let s = start(b);
        (format!("https://localhost:{}/agent", s.port), s)
    };

    let rules = known_rules(&Sandbox::new());
    let validator = sarif_validator();
    let (url, _base_server) = server(STRONG);
    let base = sandbox(STRONG);
    let baseline = run(&base, &url, "json").json();
    let baseline_ids: BTreeSet<String> = baseline["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    // The echo gives findings on the headers it replaced.
    assert!(!baseline_ids.is_empty(), "{baseline}");
    let mut baseline_keys = BTreeSet::new();
    key_paths(&baseline, "", &mut baseline_keys);
    let github_line = regex::Regex::new(
        r"^::(error|warning|notice) (file=[^,:]+(,line=\d+,col=\d+)?(,endLine=\d+)?(,endColumn=\d+)?,)?title=([a-z0-9-]+)::",
    )
    .unwrap();

    for &pw in PASSWORDS {
        let ctx = format!("password {pw:?}");
        let (url, server) = server(pw);
        let sb = sandbox(pw);
        let pair = format!("{USER}:{pw}");
        // Every form of the credentials the server echoes.
        let forms = [pair.clone(), STANDARD.encode(&pair), URL_SAFE.encode(&pair)];

        // Each format once; every output is checked below.
        let outs: Vec<(&str, common::Output)> =
            ["human", "short", "json", "sarif", "github", "junit"]
                .into_iter()
                .map(|format| (format, run(&sb, &url, format)))
                .collect();
        let out_of = |format: &str| &outs.iter().find(|(f, _)| *f == format).unwrap().1;

        // json: keys, rule ids, severities as the baseline has them.
        let doc = out_of("json").json();
        assert_eq!(keys(&doc), keys(&baseline), "{ctx}");
        assert_eq!(keys(&doc["probe"]), keys(&baseline["probe"]), "{ctx}");
        assert_eq!(
            doc["probe"]["credentials"], baseline["probe"]["credentials"],
            "{ctx}"
        );
        let mut paths = BTreeSet::new();
        key_paths(&doc, "", &mut paths);
        assert_eq!(
            paths
                .symmetric_difference(&baseline_keys)
                .collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "{ctx}"
        );
        let ids: BTreeSet<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let sev = f["severity"].as_str().unwrap();
                assert!(["error", "warning", "note"].contains(&sev), "{ctx}: {sev}");
                f["rule"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(ids, baseline_ids, "{ctx}");
        assert!(ids.iter().all(|r| rules.contains(r)), "{ctx}: {ids:?}");

        // Each echoed value is masked whole in its slot: no piece of the
        // password beside the mask.
        let messages: Vec<&str> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        for (slot, header) in [
            ("served max-age=", "Strict-Transport-Security"),
            ("served X-Frame-Options: ", "X-Frame-Options"),
            ("served X-Content-Type-Options: ", "X-Content-Type-Options"),
        ] {
            let m = messages
                .iter()
                .find(|m| m.contains(slot))
                .unwrap_or_else(|| {
                    panic!("{ctx}: no finding on the echoed {header}: {messages:?}")
                });
            // HTTP trims a header value: a blank password is not served.
            if !pw.trim().is_empty() || header != "Strict-Transport-Security" {
                assert!(m.ends_with(&format!("{slot}<redacted>")), "{ctx}: {m}");
            }
        }

        // sarif: valid, rule ids and levels intact.
        let sarif = out_of("sarif").json();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{ctx}: SARIF invalid: {errors:#?}");
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        let sarif_ids: BTreeSet<String> = results
            .iter()
            .map(|r| {
                let level = r["level"].as_str().unwrap();
                assert!(["error", "warning", "note"].contains(&level), "{ctx}: {r}");
                r["ruleId"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(sarif_ids, ids, "{ctx}");

        // github: every line a well-formed command titled by a rule id.
        let out = out_of("github");
        let titles: BTreeSet<String> = out
            .stdout
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with("::notice title=swml-sec service::"))
            .map(|line| {
                let caps = github_line
                    .captures(line)
                    .unwrap_or_else(|| panic!("{ctx}: malformed line {line:?}"));
                caps[6].to_string()
            })
            .collect();
        assert_eq!(titles, ids, "{ctx}: {}", out.stdout);

        // junit: parses, testcases named by rule ids.
        let out = out_of("junit");
        let xml = roxmltree::Document::parse(&out.stdout)
            .unwrap_or_else(|e| panic!("{ctx}: JUnit does not parse: {e}\n{}", out.stdout));
        let cases: BTreeSet<String> = xml
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .map(|n| n.attribute("name").unwrap().to_string())
            .collect();
        assert!(cases.iter().all(|c| rules.contains(c)), "{ctx}: {cases:?}");
        assert!(ids.is_subset(&cases), "{ctx}: {cases:?}");

        // Every format: the echoed credentials are masked where the served
        // value is quoted, and no form of them is shown.
        for (format, out) in &outs {
            assert!(
                out.stdout.contains("redacted"),
                "{ctx}: {format}: {}",
                out.stdout
            );
            if !pw.trim().is_empty() {
                for marker in ["<redacted>", "&lt;redacted&gt;"] {
                    assert!(
                        !out.all().contains(&format!("{marker}{pw}")),
                        "{ctx}: {format} shows the password beside the mask:\n{}",
                        out.all()
                    );
                }
            }
            for form in &forms {
                assert!(
                    !out.all().contains(form.as_str()),
                    "{ctx}: {format} shows {form:?}:\n{}",
                    out.all()
                );
            }
            if ["human", "short"].contains(format) {
                for id in &ids {
                    assert!(
                        out.stdout.contains(id.as_str()),
                        "{ctx}: {format} lacks {id}"
                    );
                }
            }
        }
        assert!(
            !server.authorizations.lock().unwrap().is_empty(),
            "{ctx}: the probe sent no credentials"
        );
    }
}
