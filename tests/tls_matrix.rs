//! The TLS client matrix (scripts/tls-matrix) replayed against `check`: each
//! set-up is made again from the committed keys, and swml-sec's verdict must
//! be the one the real clients gave (tests/goldens/tls-matrix.json):
//!
//! - the server does not start: a finding says so (`blocks_start`), error;
//!   it starts: no finding says it does not;
//! - every client refuses: an error among the certificate findings;
//! - some refuse: a warning whose `refused_by` names exactly those
//!   families, and no error;
//! - none refuses: no error, and no warning but `cert-unneeded` (an
//!   expired or unrelated certificate off the path that old clients may try).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::Sandbox;
use common::matrix::{Setup, setups};

/// Writes every set-up into $TLS_MATRIX_DIR for scripts/tls-matrix/run.py.
#[test]
#[ignore = "run by scripts/tls-matrix/run.py"]
fn write_setups() {
    let dir = std::env::var_os("TLS_MATRIX_DIR").expect("TLS_MATRIX_DIR");
    let dir = std::path::Path::new(&dir);
    for s in setups() {
        s.write(&dir.join(s.name));
    }
}

fn goldens() -> serde_json::Value {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/goldens/tls-matrix.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// swml-sec's certificate findings on one set-up, in prod.
fn judge(setup: &Setup) -> Vec<serde_json::Value> {
    judge_with(setup, setup.ca.is_some())
}

fn judge_with(setup: &Setup, ca_file: bool) -> Vec<serde_json::Value> {
    let sb = Sandbox::new()
        .env("SWML_SSL_ENABLED", "true")
        .env("SWML_SSL_CERT_PATH", "s/cert.pem")
        .env("SWML_SSL_KEY_PATH", "s/key.pem")
        .env("SWML_DOMAIN", setup.host)
        .env("SWML_ALLOWED_HOSTS", setup.host);
    setup.write(&sb.path("s"));
    let mut args = vec!["check", "--format", "json", "--profile", "prod"];
    if ca_file {
        args.extend(["--ca-file", "s/ca.pem"]);
    }
    let out = sb.run(&args);
    assert!(
        matches!(out.code, Some(0 | 1)),
        "{}: {}",
        setup.name,
        out.all()
    );
    out.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let rule = f["rule"].as_str().unwrap();
            (rule.starts_with("cert-") || rule.starts_with("key-")) && rule != "key-permissions"
        })
        .cloned()
        .collect()
}

fn families(list: &serde_json::Value) -> BTreeSet<String> {
    list.as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// What is wrong with swml-sec's verdict on one set-up, if anything.
fn disagreement(
    name: &str,
    gold: &serde_json::Value,
    findings: &[serde_json::Value],
) -> Option<String> {
    let severity = |f: &serde_json::Value| f["severity"].as_str().unwrap().to_string();
    let errors: Vec<&serde_json::Value> =
        findings.iter().filter(|f| severity(f) == "error").collect();
    let shown: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{}[{}] {} {:?}",
                severity(f),
                f["rule"].as_str().unwrap(),
                f["message"].as_str().unwrap(),
                families(&f["refused_by"])
            )
        })
        .collect();
    if gold["server"]["starts"] == false {
        let says = findings
            .iter()
            .any(|f| f["blocks_start"] == true && severity(f) == "error");
        return (!says).then(|| format!("{name}: the server does not start, swml-sec {shown:#?}"));
    }
    if let Some(f) = findings.iter().find(|f| f["blocks_start"] == true) {
        return Some(format!(
            "{name}: the server starts, but swml-sec says {}",
            f["message"]
        ));
    }
    let verdicts = gold["clients"].as_object().unwrap();
    let all: BTreeSet<String> = verdicts
        .values()
        .map(|v| v["family"].as_str().unwrap().to_string())
        .collect();
    let refusing: BTreeSet<String> = verdicts
        .values()
        .filter(|v| v["verdict"] == "refuse")
        .map(|v| v["family"].as_str().unwrap().to_string())
        .collect();
    // No finding may say a family refuses when it accepted.
    if let Some(f) = findings
        .iter()
        .find(|f| !families(&f["refused_by"]).is_subset(&refusing))
    {
        return Some(format!(
            "{name}: refused by {refusing:?}, but swml-sec says {}",
            f["message"]
        ));
    }
    // A family whose clients disagree among themselves counts as refusing.
    let ok = if refusing.is_empty() {
        errors.is_empty()
            && findings
                .iter()
                .all(|f| severity(f) != "warning" || f["rule"] == "cert-unneeded")
    } else if refusing == all {
        !errors.is_empty()
    } else {
        errors.is_empty()
            && findings
                .iter()
                .any(|f| severity(f) == "warning" && families(&f["refused_by"]) == refusing)
    };
    (!ok).then(|| format!("{name}: refused by {refusing:?}, swml-sec {shown:#?}"))
}

#[test]
fn check_gives_the_verdicts_of_real_clients() {
    let gold = goldens();
    let setups = setups();
    let mut problems = Vec::new();
    let mut judged = 0;
    for setup in &setups {
        let g = &gold["setups"][setup.name];
        assert!(
            g.is_object(),
            "{} is not in the goldens: run scripts/tls-matrix/run.py",
            setup.name
        );
        judged += 1;
        if let Some(p) = disagreement(setup.name, g, &judge(setup)) {
            problems.push(p);
        }
    }
    let golden_names: BTreeSet<&str> = gold["setups"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let made: BTreeSet<&str> = setups.iter().map(|s| s.name).collect();
    assert_eq!(
        golden_names, made,
        "the goldens and the set-ups differ: run scripts/tls-matrix/run.py"
    );
    assert!(
        problems.is_empty(),
        "{} of {judged} set-ups disagree:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The goldens hold each client's verdict on each started set-up, and the
/// families the README table lists.
#[test]
fn goldens_cover_every_family_on_every_setup() {
    let gold = goldens();
    let mut per_family: BTreeMap<String, usize> = BTreeMap::new();
    for (name, s) in gold["setups"].as_object().unwrap() {
        if s["server"]["starts"] == false {
            continue;
        }
        let clients = s["clients"].as_object().unwrap();
        assert!(clients.len() >= 10, "{name}: {} clients", clients.len());
        for v in clients.values() {
            *per_family
                .entry(v["family"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    let families: Vec<&str> = per_family.keys().map(String::as_str).collect();
    assert_eq!(
        families,
        [
            "GnuTLS",
            "Go",
            "Java",
            "Node",
            "OpenSSL",
            "Python 3.11",
            "Python 3.13",
            "curl",
            "rustls"
        ]
    );
}

/// Without --ca-file every client refuses the private chain, and the
/// finding says why; a certificate off the path is still only
/// `cert-unneeded`, never the reason (webpki's error is taken on the path a
/// client builds, not on an expired alternative it tried).
#[test]
fn off_path_certificates_are_never_the_verdict() {
    let off_path = [
        "unneeded-expired-cross-sign",
        "expired-cross-sign-first",
        "stale-expired-intermediate",
        "unused-clientauth-intermediate",
        "unrelated-certificate",
    ];
    for setup in setups().iter().filter(|s| off_path.contains(&s.name)) {
        for ca_file in [true, false] {
            let findings = judge_with(setup, ca_file);
            let rules: Vec<&str> = findings
                .iter()
                .map(|f| f["rule"].as_str().unwrap())
                .collect();
            assert!(
                !rules.iter().any(|r| matches!(
                    *r,
                    "cert-expired" | "cert-not-for-server" | "cert-chain-order"
                )),
                "{} (--ca-file {ca_file}): {rules:?}",
                setup.name
            );
            assert!(
                rules.contains(&"cert-unneeded"),
                "{}: {rules:?}",
                setup.name
            );
            assert_eq!(
                rules.contains(&"cert-untrusted"),
                !ca_file,
                "{}: {rules:?}",
                setup.name
            );
        }
    }
}
