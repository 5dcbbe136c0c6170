//! The service goldens, live: each case of tests/goldens/services.json is
//! run again on the real SDK service (signalwire-agents 1.1.0 and
//! signalwire-sdk 3.7.5, installed by .ci/run into target/sdk-venv and
//! target/sdk3-venv) and must be observed exactly as committed. The model
//! and `check` are compared with the goldens in tests/service_model.rs.
//!
//! It needs both SDKs, so it is `#[ignore]`d: `cargo test` reports it as
//! ignored with the reason, never as passed. `.ci/run` installs the SDKs
//! (scripts/install-sdks.sh) and runs it with `--ignored`; run that way, a
//! missing SDK fails it.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;

fn python(var: &str, venv: &str, module: &str) -> Option<PathBuf> {
    let python = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(venv));
    let ok = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(python)
}

#[test]
#[ignore = "needs the real SDKs (signalwire-agents 1.1.0, signalwire-sdk 3.7.5): .ci/run runs it; by hand, `bash scripts/install-sdks.sh && cargo test --test service_live -- --ignored`"]
fn every_service_golden_is_observed_again_on_the_real_service() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let goldens: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/goldens/services.json")).unwrap(),
    )
    .unwrap();
    let spec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/services/cases.json")).unwrap(),
    )
    .unwrap();
    let pythons = [
        (
            "signalwire-agents",
            python(
                "SWML_SEC_SDK_PYTHON",
                "target/sdk-venv/bin/python",
                "signalwire_agents",
            ),
        ),
        (
            "signalwire-sdk",
            python(
                "SWML_SEC_SDK3_PYTHON",
                "target/sdk3-venv/bin/python",
                "signalwire",
            ),
        ),
    ];
    for (sdk, python) in &pythons {
        assert!(
            python.is_some(),
            "{sdk} is not installed: bash scripts/install-sdks.sh (or set SWML_SEC_SDK_PYTHON / SWML_SEC_SDK3_PYTHON)"
        );
    }
    let jobs: Vec<(PathBuf, serde_json::Value, serde_json::Value)> = goldens["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|case| {
            let sdk = case["sdk"].as_str().unwrap();
            let python = pythons.iter().find(|(s, _)| *s == sdk)?.1.clone()?;
            let mut input = spec["scenarios"][case["scenario"].as_str().unwrap()].clone();
            input["sdk"] = case["sdk"].clone();
            input["class"] = case["class"].clone();
            Some((python, input, case.clone()))
        })
        .collect();
    let queue = Mutex::new(jobs.into_iter());
    let failures = Mutex::new(Vec::new());
    let observer = root.join("tests/services/observe_service.py");
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let Some((python, input, case)) = queue.lock().unwrap().next() else {
                        return;
                    };
                    let out = Command::new(&python)
                        .arg(&observer)
                        .arg("observe")
                        .arg(input.to_string())
                        .env_clear()
                        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                        .output()
                        .unwrap();
                    let observed: serde_json::Value = serde_json::from_slice(&out.stdout)
                        .unwrap_or_else(|e| {
                            panic!(
                                "observer output is not JSON ({e}): {}",
                                String::from_utf8_lossy(&out.stderr)
                            )
                        });
                    if observed != case["observed"] {
                        failures.lock().unwrap().push(format!(
                            "{} {} {}: observed {observed}, golden {}",
                            case["sdk"], case["class"], case["scenario"], case["observed"]
                        ));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "the real services no longer behave as the goldens say (regenerate with scripts/regen-service-goldens.py if the SDK changed on purpose):\n{}",
        failures.join("\n")
    );
}
