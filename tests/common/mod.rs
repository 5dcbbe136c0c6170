//! Helpers for driving the real binary in a scratch working directory.
#![allow(dead_code)]

pub mod matrix;
pub mod pki;
pub mod server;

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

/// Rules whose presence means swml-sec says clients refuse the chain (the
/// verdict webpki also gives): tests/path_corpus.rs and tests/x509_limbo.rs.
pub const VERDICT_RULES: [&str; 7] = [
    "cert-invalid",
    "cert-expired",
    "cert-not-yet-valid",
    "cert-not-for-server",
    "cert-untrusted",
    "cert-hostname-mismatch",
    "cert-weak-signature",
];

/// The end of a conformance run against an oracle's goldens: how many of
/// `total` cases agreed, printed, and every case that differs named.
pub fn assert_every_case_agrees(label: &str, total: usize, failures: &[String]) {
    println!("{label}: {total} cases, {} passed", total - failures.len());
    assert!(
        failures.is_empty(),
        "{} of {total} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// How long a run may take before it counts as hung and is killed. A guard,
/// not an assertion on speed: a debug build on two shared cores is ten
/// times slower than a release build on a quiet one, and no test may fail
/// for that. Speed is measured by scripts/bench-large.py and benches/.
pub const HANG_GUARD: Duration = Duration::from_secs(300);

pub struct Sandbox {
    pub home: tempfile::TempDir,
    pub work: PathBuf,
    env: Vec<(String, String)>,
}

impl Sandbox {
    pub fn new() -> Self {
        let home = tempfile::tempdir().unwrap();
        let work = home.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        Sandbox {
            home,
            work,
            env: Vec::new(),
        }
    }

    pub fn file(&self, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.work.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.work.join(name)
    }

    /// The binary with an empty environment but PATH, HOME and the sandbox's variables.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("swml-sec").unwrap();
        cmd.current_dir(&self.work)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .timeout(HANG_GUARD);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with(&[], args)
    }

    /// Runs with extra variables on top of the sandbox's.
    pub fn run_with(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = self.cmd();
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.args(args).output().unwrap();
        Output {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn work(&self) -> &Path {
        &self.work
    }
}

/// A named pipe at `path`: reading it would block until a writer comes.
pub fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

#[derive(Debug)]
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    pub fn rules(&self, key: &str) -> Vec<String> {
        self.json()[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    }
}

/// (rule, severity) of every finding of a JSON check.
pub fn judged(out: &Output) -> Vec<(String, String)> {
    out.json()["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{}{}", out.stdout, out.stderr))
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The severities of `rule`'s findings in `found`.
pub fn severity_of<'a>(found: &'a [(String, String)], rule: &str) -> Vec<&'a str> {
    found
        .iter()
        .filter(|(r, _)| r == rule)
        .map(|(_, s)| s.as_str())
        .collect()
}

/// Every key at every depth of a JSON document, with its path of keys
/// (array indexes left out).
pub fn key_paths(
    v: &serde_json::Value,
    prefix: &str,
    out: &mut std::collections::BTreeSet<String>,
) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let p = format!("{prefix}/{k}");
                out.insert(p.clone());
                key_paths(v, &p, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| key_paths(i, prefix, out)),
        _ => {}
    }
}
