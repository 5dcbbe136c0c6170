//! Runs `swml-sec resolve` on every case of tests/conformance/cases (made by
//! the real SDK through ../shared/sdk-oracle, see scripts/regen-goldens.sh)
//! and compares all 14 effective settings and whether the SDK can start;
//! tests/conformance/cases-signalwire-sdk-3 holds the same cases answered by
//! signalwire-sdk 3.7.5, checked with `--sdk signalwire-sdk-3`.

mod common;

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const SETTINGS: [&str; 14] = [
    "ssl_enabled",
    "ssl_cert_path",
    "ssl_key_path",
    "domain",
    "ssl_verify_mode",
    "allowed_hosts",
    "cors_origins",
    "max_request_size",
    "rate_limit",
    "request_timeout",
    "use_hsts",
    "hsts_max_age",
    "basic_auth_user",
    "basic_auth_password",
];

fn run_case(path: &Path, sdk: &str) -> Result<(), String> {
    let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let home = tempfile::tempdir().unwrap();
    let work = home.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    for (name, text) in case["files"].as_object().unwrap() {
        let file = work.join(name);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text.as_str().unwrap()).unwrap();
    }
    let mut cmd = Command::cargo_bin("swml-sec").unwrap();
    cmd.current_dir(&work)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path());
    for (k, v) in case["env"].as_object().unwrap() {
        cmd.env(k, v.as_str().unwrap());
    }
    cmd.args([
        "resolve",
        "--format",
        "json",
        "--show-secrets",
        "--sdk",
        sdk,
    ]);
    if let Some(c) = case.get("config_file").and_then(Value::as_str) {
        cmd.arg(c);
    }
    if let Some(s) = case.get("service").and_then(Value::as_str) {
        cmd.args(["--service", s]);
    }
    let output = cmd
        // A guard against a hang, not a measure of speed.
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let got: Value = serde_json::from_str(&stdout).map_err(|e| {
        format!(
            "no JSON on stdout ({e}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    let blocks = got["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["blocks_start"] == Value::Bool(true));
    let expected = &case["expected"];
    if expected["ok"] == Value::Bool(false) {
        if !blocks || output.status.code() != Some(2) {
            return Err(format!(
                "the SDK fails to start ({}), but swml-sec exited {:?} with blocks_start={blocks}",
                expected["error"],
                output.status.code()
            ));
        }
        return Ok(());
    }
    if blocks {
        return Err(format!(
            "swml-sec says the SDK cannot start, but it does; diagnostics: {}",
            got["diagnostics"]
        ));
    }
    let mut diffs = Vec::new();
    for name in SETTINGS {
        let want = &expected["effective"][name];
        let mut have = &got["settings"][name]["value"];
        // The oracle reports a falsy password as null (the SDK generates
        // one at start); `--show-secrets` shows the '' the SDK holds.
        if name == "basic_auth_password"
            && have == ""
            && got["settings"][name]["python_type"] == "str"
        {
            have = &Value::Null;
        }
        if want != have {
            diffs.push(format!("{name}: SDK {want}, swml-sec {have}"));
        }
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("; "))
    }
}

fn check_corpus(dir: &str, sdk: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 150,
        "the corpus has only {} cases",
        paths.len()
    );
    let failures: Vec<String> = paths
        .iter()
        .filter_map(|p| {
            run_case(p, sdk)
                .err()
                .map(|e| format!("{}: {e}", p.file_name().unwrap().to_string_lossy()))
        })
        .collect();
    common::assert_every_case_agrees(&format!("conformance ({sdk})"), paths.len(), &failures);
}

/// signalwire-agents 1.1.0, through ../shared/sdk-oracle.
#[test]
fn resolve_agrees_with_the_real_sdk_on_every_case() {
    check_corpus("tests/conformance/cases", "signalwire-agents-1.1");
}

/// signalwire-sdk 3.7.5, through scripts/conformance/oracle.py.
#[test]
fn resolve_agrees_with_signalwire_sdk_3_on_every_case() {
    check_corpus(
        "tests/conformance/cases-signalwire-sdk-3",
        "signalwire-sdk-3",
    );
}
