//! `swml-sec probe` against a real SignalWire AgentBase agent
//! (signalwire-agents 1.1.0), over HTTP and over HTTPS.
//!
//! The test needs the real SDK, which a plain `cargo test` cannot assume:
//! it is `#[ignore]`d, so `cargo test` reports it as ignored with the
//! reason, never as passed. `.ci/run` installs the SDK into target/sdk-venv
//! and runs it (`cargo test --test probe_sdk -- --ignored`); run that way,
//! a missing SDK fails the test instead of skipping it.

mod common;

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Sandbox;
use common::pki::{Ca, CertSpec, KeyKind};

const USER: &str = "probe-user";
const PASSWORD: &str = "Sdk-Agent-Secret-4Qz8";

fn sdk_python() -> Option<PathBuf> {
    let python = std::env::var_os("SWML_SEC_SDK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/sdk-venv/bin/python")
        });
    let ok = Command::new(&python)
        .args(["-c", "import signalwire_agents"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(python)
}

struct Agent(Child);

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_agent(
    python: &PathBuf,
    port: u16,
    env: &[(&str, String)],
    log: &std::path::Path,
) -> Agent {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/agent/minimal_agent.py");
    let log_file = std::fs::File::create(log).unwrap();
    let mut cmd = Command::new(python);
    cmd.arg(script)
        .arg(port.to_string())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AGENT_USER", USER)
        .env("AGENT_PASSWORD", PASSWORD)
        .stdout(log_file.try_clone().unwrap())
        .stderr(log_file);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut agent = Agent(cmd.spawn().unwrap());
    // Waits for the agent to listen, or to exit. The limit only stops a
    // hang (an agent that neither listens nor exits); it is no measure.
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        let exited = agent.0.try_wait().ok().flatten();
        assert!(
            exited.is_none() && start.elapsed() < Duration::from_secs(300),
            "the agent did not start ({exited:?}): {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    agent
}

/// Probes `url` with the agent's settings and its password in a variable.
fn probe_agent(sb: &Sandbox, env: &[(&str, String)], url: &str, extra: &[&str]) -> common::Output {
    let mut run_env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    run_env.push(("AGENT_PW", PASSWORD));
    let mut args = vec![
        "probe",
        url,
        "--password-env",
        "AGENT_PW",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    sb.run_with(&run_env, &args)
}

fn rules_of(out: &common::Output) -> Vec<String> {
    out.rules("findings")
}

#[test]
#[ignore = "needs the real SDK (signalwire-agents 1.1.0): .ci/run runs it; by hand, `cargo test --test probe_sdk -- --ignored` with target/sdk-venv or SWML_SEC_SDK_PYTHON"]
fn probe_reports_what_a_real_agent_serves() {
    let Some(python) = sdk_python() else {
        panic!(
            "signalwire-agents 1.1.0 is not importable from target/sdk-venv/bin/python or \
             $SWML_SEC_SDK_PYTHON: install it (.ci/run does) to run this test"
        );
    };
    let sb = Sandbox::new();

    // Over HTTP, with allowed_hosts restricted in the configuration.
    let port = free_port();
    let env = vec![
        ("SWML_ALLOWED_HOSTS", "localhost".to_string()),
        ("SWML_BASIC_AUTH_USER", USER.to_string()),
    ];
    let _agent = start_agent(&python, port, &env, &sb.path("agent-http.log"));
    let url = format!("http://127.0.0.1:{port}/agent");
    let out = probe_agent(
        &sb,
        &env,
        &url,
        &["--allow-insecure-auth", "--profile", "prod"],
    );
    println!(
        "probe over HTTP found: {:?}\n{}",
        rules_of(&out),
        out.stderr
    );
    let rules = rules_of(&out);
    assert!(!out.all().contains(PASSWORD));
    assert!(
        !rules.contains(&"probe-auth-not-required".to_string()),
        "AgentBase requires auth: {rules:?}"
    );
    assert!(
        !rules.contains(&"probe-auth-rejected".to_string()),
        "the right credentials work: {rules:?}"
    );
    assert!(
        out.stdout.contains("X-XSS-Protection"),
        "AgentBase sends no X-XSS-Protection: {}",
        out.stdout
    );
    // Deprecated in every current browser: a note, whatever the profile.
    let xss = out.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["message"]
                .as_str()
                .is_some_and(|m| m.contains("X-XSS-Protection"))
        })
        .map(|f| f["severity"].clone());
    assert_eq!(xss, Some(serde_json::json!("note")), "{}", out.stdout);
    assert!(
        rules.contains(&"probe-host-not-enforced".to_string()),
        "AgentBase ignores allowed_hosts: {rules:?}"
    );

    // A wrong route: AgentBase answers 404 (before asking for credentials).
    let out = probe_agent(
        &sb,
        &env,
        &format!("http://127.0.0.1:{port}/agnet"),
        &["--allow-insecure-auth"],
    );
    let rules = rules_of(&out);
    println!("probe of a wrong route found: {rules:?}\n{}", out.stderr);
    assert!(
        rules.contains(&"probe-route-not-found".to_string()),
        "{rules:?}"
    );
    assert!(
        !rules.iter().any(|r| r.starts_with("probe-auth-")),
        "{rules:?}"
    );

    // Over HTTPS with a certificate made now, and an HSTS max-age AgentBase ignores.
    let ca = Ca::new("SDK Probe Root");
    let (chain, key) = ca.sign(
        &CertSpec::leaf(&["localhost", "127.0.0.1"]),
        KeyKind::EcP256Pkcs8,
    );
    let cert_path = sb.file("tls/cert.pem", &chain);
    let key_path = sb.file("tls/key.pem", &key);
    sb.file("tls/ca.pem", &ca.pem);
    let port = free_port();
    let env = vec![
        ("SWML_SSL_ENABLED", "true".to_string()),
        (
            "SWML_SSL_CERT_PATH",
            cert_path.to_string_lossy().into_owned(),
        ),
        ("SWML_SSL_KEY_PATH", key_path.to_string_lossy().into_owned()),
        ("SWML_DOMAIN", "localhost".to_string()),
        ("SWML_ALLOWED_HOSTS", "localhost".to_string()),
        ("SWML_HSTS_MAX_AGE", "63072000".to_string()),
        ("SWML_BASIC_AUTH_USER", USER.to_string()),
    ];
    let _tls_agent = start_agent(&python, port, &env, &sb.path("agent-https.log"));
    let url = format!("https://localhost:{port}/agent");
    let out = probe_agent(&sb, &env, &url, &["--ca-file", "tls/ca.pem"]);
    println!(
        "probe over HTTPS found: {:?}\n{}",
        rules_of(&out),
        out.stderr
    );
    let rules = rules_of(&out);
    assert!(!out.all().contains(PASSWORD));
    assert!(
        !rules
            .iter()
            .any(|r| r == "probe-tls-failed" || r == "probe-unreachable"),
        "{rules:?}"
    );
    assert!(
        !rules.iter().any(|r| r.starts_with("cert-")),
        "the served certificate is fine: {rules:?}"
    );
    assert!(
        !rules.contains(&"probe-cert-mismatch".to_string()),
        "it serves the configured certificate: {rules:?}"
    );
    // AgentBase sends its fixed one-year header whatever hsts_max_age says:
    // the service model expects exactly that, so the probe reports no
    // mismatch, and `check` says the setting has no effect.
    assert!(
        !rules.contains(&"probe-hsts-mismatch".to_string()),
        "AgentBase sends the max-age the model says: {rules:?}"
    );
    let check = sb.run_with(
        &env.iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
        &["check", "--format", "json", "--ca-file", "tls/ca.pem"],
    );
    assert!(
        check
            .rules("findings")
            .contains(&"hsts-not-applied".to_string()),
        "{}",
        check.stdout
    );
    assert!(
        rules.contains(&"probe-host-not-enforced".to_string()),
        "{rules:?}"
    );
    assert!(out.stdout.contains("X-XSS-Protection"));
}
