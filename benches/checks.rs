//! Criterion benchmarks: expansion, resolution, and each check family on a
//! production-like setup (certificate chain and key made with rcgen).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use swml_sec::checks::registry::Family;
use swml_sec::checks::{CheckOptions, FAMILIES, run_all, run_family};
use swml_sec::expand::{expand, retype};
use swml_sec::input::EnvView;
use swml_sec::resolve::resolve_with_config_bytes;

struct Setup {
    _dir: tempfile::TempDir,
    env: EnvView,
    config: Vec<u8>,
    options: CheckOptions,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["agent.example.com".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let cert_path = dir.path().join("fullchain.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, format!("{}{}", leaf.pem(), ca_cert.pem())).unwrap();
    std::fs::write(&key_path, leaf_key.serialize_pem()).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let env = EnvView::from_pairs([
        (
            "SWML_BASIC_AUTH_PASSWORD".to_string(),
            "vN3q-Xr8t_Lp2Zk9-Wm4Hc7Yb".to_string(),
        ),
        ("CERT".to_string(), cert_path.to_string_lossy().into_owned()),
        ("KEY".to_string(), key_path.to_string_lossy().into_owned()),
    ]);
    let config = br#"{"security": {"ssl_enabled": true, "ssl_cert_path": "${CERT}", "ssl_key_path": "${KEY}",
        "domain": "agent.example.com", "allowed_hosts": ["agent.example.com"], "cors_origins": ["https://app.example.com"],
        "rate_limit": "${RL|60}", "auth": {"basic": {"user": "agent", "password": "${SWML_BASIC_AUTH_PASSWORD}"}}}}"#
        .to_vec();
    // The private root is a --ca-file anchor, and validity is judged now, as
    // `check` does: the setup passes with no finding.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut options = CheckOptions::at_time(now);
    options.ca_anchors.push(ca_cert.der().clone());
    Setup {
        _dir: dir,
        env,
        config,
        options,
    }
}

fn benches(c: &mut Criterion) {
    let s = setup();
    let env = EnvView::from_pairs([("HOST".to_string(), "agent".to_string())]);
    c.bench_function("expand/3-references", |b| {
        b.iter(|| retype(expand(black_box("${HOST}.${ZONE|example.com}:${PORT|8443}"), &env).text))
    });
    c.bench_function("resolve/production-config", |b| {
        b.iter(|| resolve_with_config_bytes(&s.env, "config.json", black_box(&s.config)))
    });
    let res = resolve_with_config_bytes(&s.env, "config.json", &s.config);
    let findings = run_all(&res, &s.options);
    assert!(
        findings.is_empty(),
        "the benchmark setup should pass: {findings:?}"
    );
    for (family, _) in FAMILIES {
        let name = format!("check/{}", family.as_str());
        c.bench_function(&name, |b| {
            b.iter(|| run_family(black_box(family), &res, &s.options))
        });
    }
    c.bench_function("check/all", |b| b.iter(|| run_all(&res, &s.options)));
    let _ = Family::Config;
}

criterion_group!(name = group; config = Criterion::default().sample_size(30); targets = benches);
criterion_main!(group);
