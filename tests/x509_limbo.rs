//! x509-limbo's SERVER cases judged by `check` and by rustls-webpki, both
//! against the suite's expected result. The suite is not vendored: build
//! its limbo.json (github.com/C2SP/x509-limbo, `limbo compile`) and run
//!
//!     LIMBO_JSON=/path/to/limbo.json cargo test --test x509_limbo -- --ignored --nocapture
//!
//! It prints the counts and fails if `check` agrees with the expected
//! result on fewer cases than rustls-webpki does.

mod common;

use std::time::Duration as StdDuration;

use common::Sandbox;
use common::VERDICT_RULES;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

fn ders(pems: &[serde_json::Value]) -> Vec<CertificateDer<'static>> {
    pems.iter()
        .filter_map(|p| CertificateDer::from_pem_slice(p.as_str()?.as_bytes()).ok())
        .collect()
}

fn time_of(case: &serde_json::Value) -> i64 {
    match case["validation_time"].as_str() {
        Some(t) => time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .unwrap()
            .unix_timestamp(),
        None => time::OffsetDateTime::now_utc().unix_timestamp(),
    }
}

fn webpki_accepts(case: &serde_json::Value, name: &str) -> bool {
    let Some(peer) = ders(std::slice::from_ref(&case["peer_certificate"])).pop() else {
        return false;
    };
    let trusted = ders(case["trusted_certs"].as_array().unwrap());
    let anchors: Vec<_> = trusted
        .iter()
        .filter_map(|d| webpki::anchor_from_trusted_cert(d).ok())
        .collect();
    let inter = ders(case["untrusted_intermediates"].as_array().unwrap());
    let Ok(ee) = webpki::EndEntityCert::try_from(&peer) else {
        return false;
    };
    let time = UnixTime::since_unix_epoch(StdDuration::from_secs(time_of(case).max(0) as u64));
    let algs = rustls::crypto::ring::default_provider()
        .signature_verification_algorithms
        .all;
    ee.verify_for_usage(
        algs,
        &anchors,
        &inter,
        time,
        webpki::KeyUsage::server_auth(),
        None,
        None,
    )
    .is_ok()
        && ServerName::try_from(name).is_ok_and(|n| ee.verify_is_valid_for_subject_name(&n).is_ok())
}

fn check_accepts(case: &serde_json::Value, name: &str) -> (bool, Vec<String>) {
    let sb = Sandbox::new()
        .env("SWML_SSL_ENABLED", "true")
        .env("SWML_SSL_CERT_PATH", "chain.pem")
        .env("SWML_SSL_KEY_PATH", "key.pem")
        .env("SWML_DOMAIN", name)
        .env("SWML_ALLOWED_HOSTS", name);
    let mut chain = case["peer_certificate"].as_str().unwrap().to_string();
    for p in case["untrusted_intermediates"].as_array().unwrap() {
        chain.push_str(p.as_str().unwrap());
    }
    sb.file("chain.pem", chain);
    let ca: String = case["trusted_certs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    sb.file("ca.pem", ca);
    let at = time::OffsetDateTime::from_unix_timestamp(time_of(case))
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let mut args = vec![
        "check",
        "--format",
        "json",
        "--profile",
        "prod",
        "--at",
        at.as_str(),
    ];
    if !case["trusted_certs"].as_array().unwrap().is_empty() {
        args.extend(["--ca-file", "ca.pem"]);
    }
    let out = sb.run(&args);
    if !matches!(out.code, Some(0 | 1)) {
        return (false, vec![format!("exit {:?}: {}", out.code, out.stderr)]);
    }
    // A verdict that names the client families refusing is about those
    // clients only (a --ca-file intermediate: OpenSSL and Node; a CA:TRUE
    // leaf: rustls). The suite is compared with check's verdict for the
    // rustls family, the one rustls-webpki gives: refused when a verdict
    // is every client's or names rustls.
    let json = out.json();
    let verdicts: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| VERDICT_RULES.contains(&f["rule"].as_str().unwrap()))
        .map(|f| format!("{} {}", f["rule"].as_str().unwrap(), f["refused_by"]))
        .collect();
    let refused = verdicts
        .iter()
        .any(|v| v.ends_with(" null") || v.contains("\"rustls\""));
    (!refused, verdicts)
}

struct Tally {
    total: usize,
    skipped: usize,
    check_right: usize,
    webpki_right: usize,
    check_wrong: Vec<String>,
}

fn judge_suite(suite: &serde_json::Value) -> Tally {
    let mut t = Tally {
        total: 0,
        skipped: 0,
        check_right: 0,
        webpki_right: 0,
        check_wrong: Vec::new(),
    };
    for case in suite["testcases"].as_array().unwrap() {
        if case["validation_kind"] != "SERVER" {
            continue;
        }
        let id = case["id"].as_str().unwrap();
        // Revocation lists and depth limits are outside what a server's
        // certificate file can say; names other than DNS/IP too.
        let name = case["expected_peer_name"]["value"].as_str();
        let kind = case["expected_peer_name"]["kind"].as_str();
        let Some(name) = name.filter(|_| {
            case["crls"].as_array().is_none_or(|c| c.is_empty())
                && case["max_chain_depth"].is_null()
                && matches!(kind, Some("DNS" | "IP"))
        }) else {
            t.skipped += 1;
            continue;
        };
        t.total += 1;
        let expected = case["expected_result"] == "SUCCESS";
        let webpki = webpki_accepts(case, name);
        let (check, verdicts) = check_accepts(case, name);
        t.webpki_right += usize::from(webpki == expected);
        t.check_right += usize::from(check == expected);
        if check != expected {
            t.check_wrong.push(format!(
                "{id}: expected {expected}, webpki {webpki}, check {verdicts:?}"
            ));
        }
    }
    t
}

#[test]
#[ignore = "needs LIMBO_JSON, a compiled x509-limbo suite"]
fn limbo_server_cases() {
    let path = std::env::var("LIMBO_JSON").expect("LIMBO_JSON");
    let suite: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let t = judge_suite(&suite);
    eprintln!(
        "x509-limbo SERVER cases: {} judged ({} skipped: CRLs, depth limits, non-DNS/IP names); expected result matched by check {}, by rustls-webpki {}",
        t.total, t.skipped, t.check_right, t.webpki_right
    );
    for line in &t.check_wrong {
        eprintln!("  check wrong: {line}");
    }
    assert!(
        t.check_right >= t.webpki_right,
        "{}",
        t.check_wrong.join("\n")
    );
}

/// A committed subset (tests/goldens/x509-limbo-subset.json, certificates
/// valid until 2969): the path-building cases where judging every
/// certificate of the file gave false errors ("the chain of pain", an
/// intermediate as the anchor, CVE-2024-0567's cross-signed cycle), and
/// two that must fail.
#[test]
fn limbo_path_building_subset() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/goldens/x509-limbo-subset.json");
    let suite: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let t = judge_suite(&suite);
    assert_eq!(t.total, 6);
    assert!(t.check_wrong.is_empty(), "{}", t.check_wrong.join("\n"));
    assert_eq!(t.webpki_right, 6);
}
