//! `--env-file` on the real binary: what the python-dotenv goldens cannot
//! show (--no-env, stdin, FIFOs, caps, findings, secrets).

mod common;

use std::io::Write;

use common::Sandbox;

fn resolve_json(sb: &Sandbox, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["resolve", "--format", "json"];
    all.extend_from_slice(args);
    let out = sb.run(&all);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    out.json()
}

fn rules(j: &serde_json::Value) -> Vec<String> {
    j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn no_env_hides_the_process_environment_from_interpolation_too() {
    let sb = Sandbox::new().env("LEAKED", "process-value");
    sb.file("a.env", "SWML_DOMAIN=${LEAKED:-none}\n");
    let j = resolve_json(&sb, &["--no-env", "--env-file", "a.env"]);
    assert_eq!(j["settings"]["domain"]["value"], "none");
    let j = resolve_json(&sb, &["--env-file", "a.env"]);
    assert_eq!(j["settings"]["domain"]["value"], "process-value");
}

#[test]
fn later_files_see_earlier_ones_and_never_override_them() {
    let sb = Sandbox::new();
    sb.file("a.env", "HOST=a.example\nSWML_SSL_CERT_PATH=/a\n");
    sb.file(
        "b.env",
        "SWML_DOMAIN=agent.${HOST}\nSWML_SSL_CERT_PATH=/b\n",
    );
    let j = resolve_json(
        &sb,
        &["--no-env", "--env-file", "a.env", "--env-file", "b.env"],
    );
    assert_eq!(j["settings"]["domain"]["value"], "agent.a.example");
    assert_eq!(j["settings"]["ssl_cert_path"]["value"], "/a");
    assert_eq!(j["settings"]["domain"]["source"]["env_file"], "b.env");
}

#[test]
fn standard_input_and_fifos_are_read_with_the_cap() {
    let sb = Sandbox::new();
    let mut child = sb
        .cmd()
        .args(["resolve", "--format", "json", "--env-file", "-"])
        .write_stdin("SWML_DOMAIN=stdin.example\n")
        .output()
        .unwrap();
    assert_eq!(child.status.code(), Some(0));
    let j: serde_json::Value = serde_json::from_slice(&child.stdout).unwrap();
    assert_eq!(j["settings"]["domain"]["value"], "stdin.example");
    assert_eq!(j["settings"]["domain"]["source"]["env_file"], "-");

    let fifo = sb.path("secrets.env");
    common::mkfifo(&fifo);
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(writer_path)
            .unwrap();
        f.write_all(b"SWML_DOMAIN=fifo.example\n").unwrap();
    });
    let j = resolve_json(&sb, &["--env-file", fifo.to_str().unwrap()]);
    writer.join().unwrap();
    assert_eq!(j["settings"]["domain"]["value"], "fifo.example");

    // More than the cap on standard input: refused, not read forever.
    child = sb
        .cmd()
        .args(["resolve", "--env-file", "-"])
        .write_stdin(vec![b'#'; 17 * 1024 * 1024])
        .output()
        .unwrap();
    assert_eq!(child.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&child.stderr).contains("limit"));
    // A directory is still refused.
    std::fs::create_dir(sb.path("dir.env")).unwrap();
    let out = sb.run(&["resolve", "--env-file", "dir.env"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("directory"), "{}", out.stderr);
}

#[test]
fn an_expansion_bomb_ends_quickly_with_a_finding() {
    let sb = Sandbox::new();
    let mut text = String::from("A0=xxxxxxxxxxxxxxxx\n");
    for i in 1..60 {
        text.push_str(&format!(
            "A{i}=${{A{p}}}${{A{p}}}${{A{p}}}${{A{p}}}\n",
            p = i - 1
        ));
    }
    text.push_str("SWML_DOMAIN=${A59}\nSWML_SSL_CERT_PATH=${A5}\n");
    sb.file("bomb.env", &text);
    let out = sb.run(&[
        "resolve",
        "--format",
        "json",
        "--no-env",
        "--env-file",
        "bomb.env",
    ]);
    // Bounded work: the expansion stops at the cap (16 MiB per value) and
    // the refused value is not printed: 4^59 copies would never end.
    assert!(
        out.stdout.len() + out.stderr.len() < 256 * 1024,
        "{} bytes of output",
        out.stdout.len() + out.stderr.len()
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let j = out.json();
    assert!(rules(&j).contains(&"dotenv-value-too-large".to_string()));
    assert_eq!(j["settings"]["domain"]["source"]["kind"], "default");
    assert_eq!(
        j["settings"]["ssl_cert_path"]["value"]
            .as_str()
            .unwrap()
            .len(),
        16 * 4usize.pow(5)
    );
}

#[test]
fn disabled_and_version_notes_are_findings() {
    let sb = Sandbox::new().env("PYTHON_DOTENV_DISABLED", "Yes");
    sb.file("a.env", "SWML_DOMAIN=a.example\n");
    let j = resolve_json(&sb, &["--env-file", "a.env"]);
    assert_eq!(j["settings"]["domain"]["source"]["kind"], "default");
    let d = &j["diagnostics"][0];
    assert_eq!(d["rule"], "dotenv-disabled");
    assert!(d["help"].as_str().unwrap().contains("1.2.0"));

    let sb = Sandbox::new();
    sb.file("b.env", "\u{feff}SWML_DOMAIN= # later\n");
    let j = resolve_json(&sb, &["--env-file", "b.env"]);
    assert_eq!(j["settings"]["domain"]["value"], "");
    let helps: Vec<&str> = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "dotenv-version-differs")
        .map(|d| d["help"].as_str().unwrap())
        .collect();
    assert_eq!(helps.len(), 2, "{helps:?}");
    assert!(helps.iter().any(|h| h.contains("1.2.3")) && helps.iter().any(|h| h.contains("1.2.4")));
}

#[test]
fn skipped_lines_point_at_file_line_column_without_their_text() {
    let sb = Sandbox::new();
    sb.file(
        "s.env",
        "SWML_DOMAIN=ok.example\n\n   SWML_BASIC_AUTH_PASSWORD hunter2-secret\nSWML_SSL_CERT_PATH=\"open\n",
    );
    let out = sb.run(&["resolve", "--format", "json", "--env-file", "s.env"]);
    assert_eq!(out.code, Some(0));
    assert!(!out.all().contains("hunter2-secret"), "{}", out.all());
    let j = out.json();
    let skipped: Vec<&serde_json::Value> = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "dotenv-line-skipped")
        .collect();
    assert_eq!(skipped.len(), 2);
    assert_eq!(skipped[0]["location"]["line"], 3);
    assert_eq!(skipped[0]["location"]["column"], 4);
    assert!(
        skipped[0]["message"]
            .as_str()
            .unwrap()
            .contains("SWML_BASIC_AUTH_PASSWORD")
    );
    assert!(skipped[0]["help"].as_str().unwrap().contains("line 2"));
    assert_eq!(skipped[1]["location"]["line"], 4);
    let out = sb.run(&["check", "--color", "never", "--env-file", "s.env"]);
    assert!(out.all().contains("s.env:3:4"), "{}", out.all());
    assert!(!out.all().contains("hunter2-secret"));
}

#[test]
fn a_dotenv_password_stays_redacted() {
    let sb = Sandbox::new();
    sb.file("p.env", "SWML_BASIC_AUTH_PASSWORD='pa$$word-from-dotenv'\n");
    for args in [
        vec!["resolve", "--env-file", "p.env"],
        vec!["resolve", "--format", "json", "--env-file", "p.env"],
        vec!["check", "--env-file", "p.env"],
        vec!["check", "--format", "sarif", "--env-file", "p.env"],
    ] {
        let out = sb.run(&args);
        assert!(
            !out.all().contains("pa$$word-from-dotenv"),
            "{args:?}: {}",
            out.all()
        );
    }
    let j = resolve_json(&sb, &["--show-secrets", "--env-file", "p.env"]);
    assert_eq!(
        j["settings"]["basic_auth_password"]["value"],
        "pa$$word-from-dotenv"
    );
}

#[test]
fn python_dotenv_raising_stops_with_exit_2() {
    let sb = Sandbox::new();
    sb.file("n.env", "'A=B'=1\n");
    let out = sb.run(&["resolve", "--env-file", "n.env"]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.contains("n.env:1") && out.stderr.contains("illegal environment variable name"),
        "{}",
        out.stderr
    );
}

#[test]
fn signalwire_sdk_3_cannot_start_without_a_home() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .env_remove("HOME")
        .args([
            "resolve",
            "--format",
            "json",
            "--no-env",
            "--sdk",
            "signalwire-sdk-3",
        ])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &j["diagnostics"][0];
    assert_eq!(d["rule"], "sdk-no-home");
    assert_eq!(d["blocks_start"], true);
    assert_eq!(out.status.code(), Some(2));
    // The same environment with signalwire-agents 1.1 starts.
    let out = sb
        .cmd()
        .env_remove("HOME")
        .args(["resolve", "--format", "json", "--no-env"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}
