//! `--env-file` against the real python-dotenv 1.2.4: every case of
//! tests/goldens/dotenv.json (made by scripts/regen-dotenv-goldens.sh) runs
//! through `swml-sec resolve`, and the tested variables' values, the lines
//! that set them, the skipped lines and python-dotenv's warnings must agree.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const TESTED: [(&str, &str); 5] = [
    ("SWML_DOMAIN", "domain"),
    ("SWML_SSL_CERT_PATH", "ssl_cert_path"),
    ("SWML_SSL_KEY_PATH", "ssl_key_path"),
    ("SWML_SSL_VERIFY_MODE", "ssl_verify_mode"),
    ("SWML_BASIC_AUTH_PASSWORD", "basic_auth_password"),
];

fn run_case(case: &Value) -> Result<(), String> {
    let home = tempfile::tempdir().unwrap();
    let work = home.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let files = case["files"].as_array().unwrap();
    let names: Vec<&str> = files.iter().map(|f| f[0].as_str().unwrap()).collect();
    let mut cmd = Command::cargo_bin("swml-sec").unwrap();
    cmd.current_dir(&work)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path());
    for (k, v) in case["env"].as_object().unwrap() {
        cmd.env(k, v.as_str().unwrap());
    }
    cmd.args(["resolve", "--format", "json", "--show-secrets"]);
    for f in files {
        std::fs::write(work.join(f[0].as_str().unwrap()), f[1].as_str().unwrap()).unwrap();
        cmd.args(["--env-file", f[0].as_str().unwrap()]);
    }
    let output = cmd
        // A guard against a hang, not a measure of speed.
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected = &case["expected"];
    if let Some(raises) = expected["raises"].as_str() {
        return if output.status.code() == Some(2) && stderr.contains("python-dotenv raises") {
            Ok(())
        } else {
            Err(format!(
                "python-dotenv raises {raises}; swml-sec exited {:?}: {stderr}",
                output.status.code()
            ))
        };
    }
    let got: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("no JSON on stdout ({e}); stderr: {stderr}"))?;
    let mut diffs = Vec::new();
    for (var, setting) in TESTED {
        let want = &expected["vars"][var];
        let s = &got["settings"][setting];
        let from_env = s["source"]["kind"] == "env" && s["source"]["name"] == var;
        match want.as_str() {
            None if from_env => diffs.push(format!(
                "{var}: python-dotenv leaves it unset, swml-sec {}",
                s["value"]
            )),
            None => {}
            Some(_) if !from_env => diffs.push(format!(
                "{var}: python-dotenv sets {want}, swml-sec takes it from {}",
                s["source"]
            )),
            Some(v) => {
                // An empty password is replaced by a generated one (null).
                let ok = s["value"] == *want || (v.is_empty() && s["value"].is_null());
                if !ok {
                    diffs.push(format!(
                        "{var}: python-dotenv {want}, swml-sec {}",
                        s["value"]
                    ));
                }
                if let Some(at) = expected["lines"][var].as_array() {
                    let file = names[at[0].as_u64().unwrap() as usize];
                    if s["source"]["env_file"] != file || s["source"]["line"] != at[1] {
                        diffs.push(format!(
                            "{var}: set at {file}:{}, swml-sec says {}",
                            at[1], s["source"]
                        ));
                    }
                }
            }
        }
    }
    let mut skipped = BTreeSet::new();
    let mut warned = BTreeSet::new();
    for d in got["diagnostics"].as_array().unwrap() {
        if d["rule"] != "dotenv-line-skipped" {
            continue;
        }
        let loc = &d["location"];
        let file = names
            .iter()
            .position(|n| loc["path"] == *n)
            .ok_or_else(|| format!("skipped line in an unknown file: {loc}"))?;
        let line = loc["line"].as_u64().unwrap();
        let help = d["help"].as_str().unwrap_or_default();
        let kind = if help.contains("could not parse") {
            "error"
        } else {
            "no-value"
        };
        skipped.insert((file as u64, line, kind.to_string()));
        if let Some(rest) = help.split("starting at line ").nth(1) {
            let n: u64 = rest.split('"').next().unwrap().parse().unwrap();
            warned.insert((file as u64, n));
        }
    }
    let want_skipped: BTreeSet<(u64, u64, String)> = expected["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s[0].as_u64().unwrap(),
                s[1].as_u64().unwrap(),
                s[2].as_str().unwrap().to_string(),
            )
        })
        .collect();
    if skipped != want_skipped {
        diffs.push(format!(
            "skipped lines: python-dotenv {want_skipped:?}, swml-sec {skipped:?}"
        ));
    }
    let want_warned: BTreeSet<(u64, u64)> = expected["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s[0].as_u64().unwrap(), s[1].as_u64().unwrap()))
        .collect();
    if warned != want_warned {
        diffs.push(format!(
            "warnings: python-dotenv {want_warned:?}, swml-sec {warned:?}"
        ));
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("; "))
    }
}

#[test]
fn env_files_load_as_python_dotenv_does() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/goldens/dotenv.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(doc["python-dotenv"], "1.2.4");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 300, "only {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            run_case(c)
                .err()
                .map(|e| format!("{}: {e}", c["name"].as_str().unwrap()))
        })
        .collect();
    common::assert_every_case_agrees("dotenv conformance", cases.len(), &failures);
}
