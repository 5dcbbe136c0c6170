//! `swml-sec check` on the real binary: every rule with a case that
//! triggers it and a close case that does not.

mod common;

use common::Sandbox;
use common::pki::{Ca, CertSpec, KeyKind, fixture, self_signed};

const STRONG: &str = "vN3q-Xr8t_Lp2Zk9-Wm4Hc7Yb";
const DOMAIN: &str = "agent.example.com";

/// A production setup that passes: leaf + intermediate from a private CA
/// (trusted with --ca-file), matching key with mode 0600, restricted hosts
/// and origins, strong credentials.
struct Setup {
    sb: Sandbox,
    ca: Ca,
}

fn write_private(sb: &Sandbox, name: &str, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = sb.file(name, text);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

fn prod() -> Setup {
    let ca = Ca::new("Test Root CA");
    let inter = ca.intermediate("Test Intermediate CA");
    let (leaf, key) = inter.sign(&CertSpec::leaf(&[DOMAIN]), KeyKind::EcP256Pkcs8);
    let sb = Sandbox::new()
        .env("SWML_SSL_ENABLED", "true")
        .env("SWML_SSL_CERT_PATH", "tls/fullchain.pem")
        .env("SWML_SSL_KEY_PATH", "tls/key.pem")
        .env("SWML_DOMAIN", DOMAIN)
        .env("SWML_ALLOWED_HOSTS", DOMAIN)
        .env("SWML_CORS_ORIGINS", "https://app.example.com")
        .env("SWML_BASIC_AUTH_USER", "agent-webhooks")
        .env("SWML_BASIC_AUTH_PASSWORD", STRONG);
    sb.file("tls/fullchain.pem", format!("{leaf}{}", inter.pem));
    write_private(&sb, "tls/key.pem", &key);
    sb.file("tls/ca.pem", &ca.pem);
    Setup { sb, ca }
}

/// The rules a JSON check reports. Judged as WebService unless `extra`
/// names a class: WebService applies every setting the rules judge (hosts,
/// CORS, HSTS), so each rule's trigger is tested where it means something.
fn rules(sb: &Sandbox, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["check", "--format", "json", "--ca-file", "tls/ca.pem"];
    if !extra.contains(&"--service-class") {
        args.extend_from_slice(&["--service-class", "web-service"]);
    }
    args.extend_from_slice(extra);
    let out = sb.run(&args);
    assert!(
        matches!(out.code, Some(0 | 1)),
        "exit {:?}: {}",
        out.code,
        out.stderr
    );
    out.rules("findings")
}

fn assert_fires(sb: &Sandbox, rule: &str, extra: &[&str]) {
    let got = rules(sb, extra);
    assert!(
        got.iter().any(|r| r == rule),
        "expected {rule}, got {got:?}"
    );
}

fn assert_quiet(sb: &Sandbox, rule: &str, extra: &[&str]) {
    let got = rules(sb, extra);
    assert!(
        !got.iter().any(|r| r == rule),
        "did not expect {rule}, got {got:?}"
    );
}

#[test]
fn production_setup_passes_prod() {
    // Judged as WebService, which applies hosts, CORS and HSTS: only the
    // note that no SDK service enforces request limits remains.
    let s = prod();
    let out = s.sb.run(&[
        "check",
        "--profile",
        "prod",
        "--ca-file",
        "tls/ca.pem",
        "--color",
        "never",
        "--service-class",
        "web-service",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("0 errors, 0 warnings, 1 note, 0 ignored (profile prod)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("note[limits-not-enforced]"),
        "{}",
        out.stdout
    );
    // The same settings for an AgentBase agent: it never checks the Host
    // header and ignores cors_origins, and says so instead of passing.
    let got = rules(&s.sb, &["--service-class", "agent-base"]);
    assert_eq!(
        got,
        [
            "hosts-not-enforced",
            "cors-not-applied",
            "limits-not-enforced"
        ],
        "{got:?}"
    );
}

#[test]
fn production_setup_passes_from_the_committed_fixture_config() {
    // The same scenario, with settings in a config file referencing variables.
    let s = prod();
    let config = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios/production.json"),
    )
    .unwrap();
    let sb = Sandbox::new().env("SWML_BASIC_AUTH_PASSWORD", STRONG);
    sb.file("config.json", config);
    std::fs::create_dir_all(sb.path("tls")).unwrap();
    for f in ["fullchain.pem", "key.pem", "ca.pem"] {
        std::fs::copy(s.sb.path(&format!("tls/{f}")), sb.path(&format!("tls/{f}"))).unwrap();
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        sb.path("tls/key.pem"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let out = sb.run(&["check", "--profile", "prod", "--ca-file", "tls/ca.pem"]);
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
}

#[test]
fn development_settings_pass_dev() {
    let sb = Sandbox::new();
    sb.file("config.json", fixture("scenarios/development.json"));
    let sb = sb.env("SWML_BASIC_AUTH_PASSWORD", "devpass-local-only-2f9");
    let out = sb.run(&["check", "--profile", "dev"]);
    assert_eq!(out.code, Some(0), "{}", out.stdout);
}

#[test]
fn staging_with_self_signed_certificate_passes_staging() {
    let (cert, key) = self_signed(
        &CertSpec::leaf(&["staging.example.com"]),
        KeyKind::EcP256Pkcs8,
    );
    let sb = Sandbox::new().env("SWML_BASIC_AUTH_PASSWORD", STRONG);
    sb.file("config.json", fixture("scenarios/staging.json"));
    sb.file("tls/staging.crt", cert);
    write_private(&sb, "tls/staging.key", &key);
    let out = sb.run(&["check", "--profile", "staging"]);
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    assert!(
        out.stdout.contains("cert-self-signed"),
        "self-signed is a note in staging: {}",
        out.stdout
    );
}

#[test]
fn empty_environment_fails_prod_with_the_basics() {
    // Nothing detected: AgentBase, which ignores the wildcard defaults of
    // allowed_hosts and cors_origins (no CORS headers at all).
    let sb = Sandbox::new();
    let out = sb.run(&["check", "--format", "json"]);
    assert_eq!(out.code, Some(1));
    let got = out.rules("findings");
    for rule in ["tls-disabled", "hosts-not-enforced", "auth-password-unset"] {
        assert!(got.iter().any(|r| r == rule), "{rule} missing from {got:?}");
    }
    for rule in ["hosts-wildcard", "cors-wildcard", "cors-not-applied"] {
        assert!(!got.iter().any(|r| r == rule), "{rule} in {got:?}");
    }
    let j = out.json();
    assert_eq!(j["version"], 1);
    assert_eq!(j["profile"], "prod");
    assert_eq!(j["summary"]["error"], 1);
    // A WebService applies the wildcards, credentials included.
    let out = sb.run(&[
        "check",
        "--format",
        "json",
        "--service-class",
        "web-service",
    ]);
    let got = out.rules("findings");
    for rule in ["tls-disabled", "hosts-wildcard", "cors-wildcard"] {
        assert!(got.iter().any(|r| r == rule), "{rule} missing from {got:?}");
    }
    assert_eq!(out.json()["summary"]["error"], 3);
}

#[test]
fn every_key_kind_matches_its_certificate() {
    for kind in [
        KeyKind::EcP256Pkcs8,
        KeyKind::EcP384Pkcs8,
        KeyKind::EcP256Sec1,
        KeyKind::Ed25519,
        KeyKind::RsaPkcs8,
        KeyKind::RsaPkcs1,
    ] {
        let s = prod();
        let (leaf, key) = s.ca.sign(&CertSpec::leaf(&[DOMAIN]), kind);
        s.sb.file("tls/fullchain.pem", &leaf);
        write_private(&s.sb, "tls/key.pem", &key);
        let got = rules(&s.sb, &[]);
        assert_eq!(got, ["limits-not-enforced"], "{kind:?}: {got:?}");
        // The same certificate with another key of the same kind is a mismatch.
        let (_, other_key) = s.ca.sign(
            &CertSpec::leaf(&[DOMAIN]),
            if kind == KeyKind::EcP256Pkcs8 {
                KeyKind::EcP384Pkcs8
            } else {
                KeyKind::EcP256Pkcs8
            },
        );
        write_private(&s.sb, "tls/key.pem", &other_key);
        assert_fires(&s.sb, "key-mismatch", &[]);
    }
}

#[test]
fn weak_rsa_key_is_compared_by_modulus_and_flagged() {
    let s = prod();
    let leaf = s.ca.sign_public_key(
        &CertSpec::leaf(&[DOMAIN]),
        &fixture("keys/rsa1024-public.pem"),
    );
    s.sb.file("tls/fullchain.pem", &leaf);
    for key in ["keys/rsa1024-pkcs8.pem", "keys/rsa1024-pkcs1.pem"] {
        write_private(&s.sb, "tls/key.pem", &fixture(key));
        let got = rules(&s.sb, &[]);
        assert!(got.contains(&"cert-weak-key".to_string()), "{got:?}");
        assert!(!got.contains(&"key-mismatch".to_string()), "{key}: {got:?}");
    }
    write_private(&s.sb, "tls/key.pem", &fixture("keys/rsa2048-pkcs8.pem"));
    assert_fires(&s.sb, "key-mismatch", &[]);
}

#[test]
fn encrypted_keys_are_reported_as_such() {
    for key in [
        "keys/rsa2048-encrypted-pkcs8.pem",
        "keys/rsa2048-encrypted-pkcs1.pem",
    ] {
        let s = prod();
        write_private(&s.sb, "tls/key.pem", &fixture(key));
        let got = rules(&s.sb, &[]);
        assert!(
            got.contains(&"key-encrypted".to_string()) && !got.contains(&"key-invalid".to_string()),
            "{key}: {got:?}"
        );
    }
}

#[test]
fn invalid_keys_and_certificates() {
    let s = prod();
    for junk in [
        "",
        "garbage",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    ] {
        write_private(&s.sb, "tls/key.pem", junk);
        assert_fires(&s.sb, "key-invalid", &[]);
    }
    let s = prod();
    assert_quiet(&s.sb, "key-invalid", &[]);
    for junk in [
        &b""[..],
        b"not a certificate",
        &[0x30, 0x82, 0x01, 0x00, 0x00][..],
    ] {
        s.sb.file("tls/fullchain.pem", junk);
        assert_fires(&s.sb, "cert-invalid", &[]);
    }
}

#[test]
fn tls_files_missing_or_special() {
    let s = prod();
    assert_quiet(&s.sb, "tls-file-unreadable", &[]);
    std::fs::remove_file(s.sb.path("tls/key.pem")).unwrap();
    assert_fires(&s.sb, "tls-file-unreadable", &[]);
    let out =
        s.sb.run(&["check", "--format", "json", "--ca-file", "tls/ca.pem"]);
    assert!(
        out.stdout
            .contains("working directory, not from the config file"),
        "{}",
        out.stdout
    );
    for special in ["/dev/zero", "tls"] {
        let sb = prod().sb.env("SWML_SSL_CERT_PATH", special);
        let out = sb.run(&["check", "--format", "json"]);
        assert_eq!(out.code, Some(1));
        assert!(out.stdout.contains(special), "{}", out.stdout);
        assert!(
            out.rules("findings")
                .contains(&"tls-file-unreadable".to_string())
        );
    }
}

#[test]
fn validity_window() {
    let s = prod();
    let expired = s.ca.sign(
        &CertSpec {
            not_before_days: -400,
            not_after_days: -1,
            ..CertSpec::leaf(&[DOMAIN])
        },
        KeyKind::EcP256Pkcs8,
    );
    s.sb.file("tls/fullchain.pem", &expired.0);
    write_private(&s.sb, "tls/key.pem", &expired.1);
    assert_fires(&s.sb, "cert-expired", &[]);
    assert_quiet(&s.sb, "cert-expired", &["--at", &past_date(30)]);

    let future = s.ca.sign(
        &CertSpec {
            not_before_days: 2,
            not_after_days: 300,
            ..CertSpec::leaf(&[DOMAIN])
        },
        KeyKind::EcP256Pkcs8,
    );
    s.sb.file("tls/fullchain.pem", &future.0);
    write_private(&s.sb, "tls/key.pem", &future.1);
    assert_fires(&s.sb, "cert-not-yet-valid", &[]);
    assert_quiet(&s.sb, "cert-not-yet-valid", &["--at", &past_date(-5)]);

    let soon = s.ca.sign(
        &CertSpec {
            not_after_days: 10,
            ..CertSpec::leaf(&[DOMAIN])
        },
        KeyKind::EcP256Pkcs8,
    );
    s.sb.file("tls/fullchain.pem", &soon.0);
    write_private(&s.sb, "tls/key.pem", &soon.1);
    assert_fires(&s.sb, "cert-expiring", &[]);
    assert_quiet(&s.sb, "cert-expiring", &["--warn-days", "5"]);
}

/// The date `days` days ago (negative: in the future), as YYYY-MM-DD.
fn past_date(days: i64) -> String {
    let d = time::OffsetDateTime::now_utc() - time::Duration::days(days);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[test]
fn hostnames_and_wildcards() {
    let s = prod();
    assert_quiet(&s.sb, "cert-hostname-mismatch", &[]);
    let sb = s.sb.env("SWML_DOMAIN", "other.example.com");
    assert_fires(&sb, "cert-hostname-mismatch", &[]);
    let s = prod();
    let (leaf, key) =
        s.ca.sign(&CertSpec::leaf(&["*.example.com"]), KeyKind::EcP256Pkcs8);
    s.sb.file("tls/fullchain.pem", &leaf);
    write_private(&s.sb, "tls/key.pem", &key);
    assert_quiet(&s.sb, "cert-hostname-mismatch", &[]);
    let sb = s.sb.env(
        "SWML_ALLOWED_HOSTS",
        "agent.example.com,deep.agent.example.com:8443",
    );
    assert_fires(&sb, "cert-hostname-mismatch", &[]);
}

#[test]
fn chain_order_and_trust() {
    let s = prod();
    let ca2 = Ca::new("Other Root");
    let inter = s.ca.intermediate("Test Intermediate CA");
    let (leaf, key) = inter.sign(&CertSpec::leaf(&[DOMAIN]), KeyKind::EcP256Pkcs8);
    write_private(&s.sb, "tls/key.pem", &key);
    s.sb.file("tls/fullchain.pem", format!("{}{leaf}", inter.pem));
    assert_fires(&s.sb, "cert-chain-order", &[]);
    // An unrelated certificate is off the path, not an order problem (issue 16).
    s.sb.file("tls/fullchain.pem", format!("{leaf}{}", ca2.pem));
    assert_fires(&s.sb, "cert-unneeded", &[]);
    assert_quiet(&s.sb, "cert-chain-order", &[]);
    s.sb.file("tls/fullchain.pem", format!("{leaf}{}", inter.pem));
    assert_quiet(&s.sb, "cert-chain-order", &[]);
    assert_quiet(&s.sb, "cert-untrusted", &[]);
    let out = s.sb.run(&["check", "--format", "json"]);
    assert!(
        out.rules("findings")
            .contains(&"cert-untrusted".to_string()),
        "without --ca-file the private CA is untrusted"
    );
}

/// The intermediate first (issue 16, item 4): uvicorn cannot start, and
/// that is the one finding; the chain is judged as if ordered.
#[test]
fn intermediate_first_is_one_error_that_the_service_will_not_start() {
    let s = prod();
    let inter = s.ca.intermediate("Test Intermediate CA");
    let (leaf, key) = inter.sign(&CertSpec::leaf(&[DOMAIN]), KeyKind::EcP256Pkcs8);
    write_private(&s.sb, "tls/key.pem", &key);
    s.sb.file("tls/fullchain.pem", format!("{}{leaf}", inter.pem));
    let out =
        s.sb.run(&["check", "--format", "json", "--ca-file", "tls/ca.pem"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    let j = out.json();
    let findings = j["findings"].as_array().unwrap();
    let tls: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| {
            let r = f["rule"].as_str().unwrap();
            r.starts_with("cert-") || r.starts_with("key-")
        })
        .collect();
    assert_eq!(tls.len(), 1, "{tls:#?}");
    assert_eq!(tls[0]["rule"], "cert-chain-order");
    assert_eq!(tls[0]["severity"], "error");
    assert_eq!(tls[0]["blocks_start"], true);
    let message = tls[0]["message"].as_str().unwrap();
    assert!(
        message.contains("the leaf must come first") && message.contains("KEY_VALUES_MISMATCH"),
        "{message}"
    );
}

/// Issuers out of order with the leaf first: clients reorder, so a note.
#[test]
fn issuers_out_of_order_are_a_note() {
    let s = prod();
    let inter = s.ca.intermediate("Test Intermediate CA");
    let (leaf, key) = inter.sign(&CertSpec::leaf(&[DOMAIN]), KeyKind::EcP256Pkcs8);
    write_private(&s.sb, "tls/key.pem", &key);
    s.sb.file(
        "tls/fullchain.pem",
        format!("{leaf}{}{}", s.ca.pem, inter.pem),
    );
    let out =
        s.sb.run(&["check", "--format", "json", "--ca-file", "tls/ca.pem"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let j = out.json();
    let order: Vec<&serde_json::Value> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "cert-chain-order")
        .collect();
    assert_eq!(order.len(), 1, "{j:#}");
    assert_eq!(order[0]["severity"], "note");
}

#[test]
fn self_signed_ca_and_usage() {
    let s = prod();
    let (cert, key) = self_signed(&CertSpec::leaf(&[DOMAIN]), KeyKind::EcP256Pkcs8);
    s.sb.file("tls/fullchain.pem", &cert);
    write_private(&s.sb, "tls/key.pem", &key);
    assert_fires(&s.sb, "cert-self-signed", &[]);
    let s = prod();
    assert_quiet(&s.sb, "cert-self-signed", &[]);
    assert_quiet(&s.sb, "cert-not-for-server", &[]);
    let (leaf, key) = s.ca.sign(
        &CertSpec {
            eku: vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth],
            ..CertSpec::leaf(&[DOMAIN])
        },
        KeyKind::EcP256Pkcs8,
    );
    s.sb.file("tls/fullchain.pem", &leaf);
    write_private(&s.sb, "tls/key.pem", &key);
    assert_fires(&s.sb, "cert-not-for-server", &[]);
    let (leaf, key) = s.ca.sign(
        &CertSpec {
            is_ca: true,
            ..CertSpec::leaf(&[DOMAIN])
        },
        KeyKind::EcP256Pkcs8,
    );
    s.sb.file("tls/fullchain.pem", &leaf);
    write_private(&s.sb, "tls/key.pem", &key);
    assert_fires(&s.sb, "cert-not-for-server", &[]);
}

#[test]
fn weak_signature_from_a_static_sha1_certificate() {
    let s = prod();
    let sb =
        s.sb.env("SWML_DOMAIN", "sha1.example.com")
            .env("SWML_ALLOWED_HOSTS", "sha1.example.com");
    sb.file("tls/fullchain.pem", fixture("certs/sha1-selfsigned.pem"));
    write_private(&sb, "tls/key.pem", &fixture("certs/sha1-selfsigned.key"));
    assert_fires(&sb, "cert-weak-signature", &[]);
    assert_quiet(&prod().sb, "cert-weak-signature", &[]);
}

#[test]
fn key_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let s = prod();
    assert_quiet(&s.sb, "key-permissions", &[]);
    std::fs::set_permissions(
        s.sb.path("tls/key.pem"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    assert_fires(&s.sb, "key-permissions", &[]);
}

#[test]
fn tls_switch_paths_domain_and_verify_mode() {
    assert_fires(
        &prod().sb.env("SWML_SSL_ENABLED", "on"),
        "tls-disabled",
        &[],
    );
    assert_quiet(&prod().sb, "tls-disabled", &[]);
    assert_fires(
        &prod().sb.env("SWML_SSL_KEY_PATH", ""),
        "tls-path-missing",
        &[],
    );
    assert_quiet(&prod().sb, "tls-path-missing", &[]);
    assert_fires(&prod().sb.env("SWML_DOMAIN", ""), "domain-unset", &[]);
    assert_quiet(&prod().sb, "domain-unset", &[]);
    // No service passes ssl_verify_mode to the server: any value set is
    // only a note that it changes nothing; the default says nothing.
    for mode in ["CERT_NONE", "required", "CERT_OPTIONAL"] {
        assert_fires(
            &prod().sb.env("SWML_SSL_VERIFY_MODE", mode),
            "verify-mode-unused",
            &[],
        );
    }
    assert_quiet(&prod().sb, "verify-mode-unused", &[]);
}

#[test]
fn tls_at_a_proxy_is_a_note_with_proxy_advice() {
    let plain = || prod().sb.env("SWML_SSL_ENABLED", "false");
    let severity = |sb: &Sandbox, extra: &[&str]| {
        let mut args = vec!["check", "--format", "json"];
        args.extend_from_slice(extra);
        let out = sb.run(&args);
        let doc = out.json();
        let f = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "tls-disabled")
            .cloned()
            .unwrap_or_else(|| panic!("no tls-disabled: {}", out.stdout));
        (
            f["severity"].as_str().unwrap().to_string(),
            f["help"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(severity(&plain(), &[]).0, "error");
    let (level, help) = severity(
        &plain().env("SWML_PROXY_URL_BASE", "https://agent.example.com"),
        &[],
    );
    assert_eq!(level, "note");
    assert!(help.contains("proxy"), "{help}");
    assert_eq!(severity(&plain(), &["--tls-at-proxy"]).0, "note");
    // A multi-byte character where the scheme would end: no panic, no proxy.
    let out = plain()
        .env("SWML_PROXY_URL_BASE", "https:/\u{e9}x.example.com")
        .run(&["check", "--format", "json"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    // An http:// base is no proxy TLS.
    assert_eq!(
        severity(
            &plain().env("SWML_PROXY_URL_BASE", "http://agent.example.com"),
            &[]
        )
        .0,
        "error"
    );
}

#[test]
fn passwords() {
    let with = |pw: &str| prod().sb.env("SWML_BASIC_AUTH_PASSWORD", pw);
    assert_fires(
        &prod().sb.env("SWML_BASIC_AUTH_PASSWORD", ""),
        "auth-password-unset",
        &[],
    );
    assert_quiet(&prod().sb, "auth-password-unset", &[]);
    assert_fires(&with("short-Pw1"), "auth-password-weak", &[]);
    assert_fires(&with("qwertyuiopasdfgh"), "auth-password-weak", &[]);
    // Made of template words only: a placeholder, reported as that alone.
    assert_fires(
        &with("passwordpassword1234"),
        "auth-password-placeholder",
        &[],
    );
    assert_quiet(&prod().sb, "auth-password-weak", &[]);
    for placeholder in [
        "mysecurepassword",
        "your-secure-password",
        "devpass123",
        "staging_secure_password",
        "strong-password-here",
        "ChangeMe",
    ] {
        assert_fires(&with(placeholder), "auth-password-placeholder", &[]);
    }
    assert_quiet(&prod().sb, "auth-password-placeholder", &[]);
    let same = "Agent-Webhooks-Name-2024-xyz";
    let sb = prod()
        .sb
        .env("SWML_BASIC_AUTH_USER", same)
        .env("SWML_BASIC_AUTH_PASSWORD", same);
    assert_fires(&sb, "auth-password-equals-user", &[]);
    assert_quiet(&prod().sb, "auth-password-equals-user", &[]);
    assert_fires(
        &with(&format!("{STRONG}\n")),
        "auth-credential-whitespace",
        &[],
    );
    assert_quiet(&prod().sb, "auth-credential-whitespace", &[]);
}

#[test]
fn users() {
    assert_fires(
        &prod().sb.env("SWML_BASIC_AUTH_USER", ""),
        "auth-default-user",
        &[],
    );
    assert_quiet(&prod().sb, "auth-default-user", &[]);
    assert_fires(
        &prod().sb.env("SWML_BASIC_AUTH_USER", "team:agent"),
        "auth-user-invalid",
        &[],
    );
    assert_quiet(
        &prod().sb.env("SWML_BASIC_AUTH_USER", "team.agent"),
        "auth-user-invalid",
        &[],
    );
}

#[test]
fn secrets_in_the_config_and_retyped_secrets() {
    let s = prod();
    s.sb.file(
        "config.json",
        format!("{{\"security\": {{\"auth\": {{\"basic\": {{\"password\": \"{STRONG}\"}}}}}}}}"),
    );
    assert_fires(&s.sb, "auth-secret-in-config", &[]);
    s.sb.file(
        "config.json",
        "{\"security\": {\"auth\": {\"basic\": {\"password\": \"${SWML_BASIC_AUTH_PASSWORD}\"}}}}",
    );
    assert_quiet(&s.sb, "auth-secret-in-config", &[]);
    assert_quiet(&s.sb, "value-retyped-secret", &[]);
    let sb = s.sb.env("PIN", "20240101");
    sb.file(
        "config.json",
        "{\"security\": {\"auth\": {\"basic\": {\"password\": \"${PIN}\"}}}}",
    );
    assert_fires(&sb, "value-retyped-secret", &[]);
}

#[test]
fn hosts_and_cors() {
    assert_fires(
        &prod().sb.env("SWML_ALLOWED_HOSTS", "*"),
        "hosts-wildcard",
        &[],
    );
    assert_quiet(&prod().sb, "hosts-wildcard", &[]);
    assert_fires(
        &prod().sb.env("SWML_CORS_ORIGINS", "*"),
        "cors-wildcard",
        &[],
    );
    assert_quiet(&prod().sb, "cors-wildcard", &[]);
    assert_fires(
        &prod()
            .sb
            .env("SWML_ALLOWED_HOSTS", "https://agent.example.com"),
        "hosts-malformed",
        &[],
    );
    assert_fires(
        &prod().sb.env("SWML_ALLOWED_HOSTS", "agent.example.com/"),
        "hosts-malformed",
        &[],
    );
    // WebService cuts the Host header at its first `:` before comparing,
    // so a listed port never matches.
    assert_fires(
        &prod()
            .sb
            .env("SWML_ALLOWED_HOSTS", "agent.example.com:8443"),
        "hosts-malformed",
        &[],
    );
    for bad in [
        "https://app.example.com/",
        "app.example.com",
        "https://app.example.com/path",
    ] {
        assert_fires(
            &prod().sb.env("SWML_CORS_ORIGINS", bad),
            "cors-origin-malformed",
            &[],
        );
    }
    assert_quiet(
        &prod()
            .sb
            .env("SWML_CORS_ORIGINS", "https://app.example.com:8443"),
        "cors-origin-malformed",
        &[],
    );
    assert_fires(
        &prod().sb.env("SWML_CORS_ORIGINS", "http://app.example.com"),
        "cors-insecure-origin",
        &[],
    );
    assert_quiet(&prod().sb, "cors-insecure-origin", &[]);
    assert_fires(
        &prod().sb.env(
            "SWML_CORS_ORIGINS",
            "https://a.example.com,,https://b.example.com",
        ),
        "list-empty-entry",
        &[],
    );
    assert_quiet(&prod().sb, "list-empty-entry", &[]);
}

#[test]
fn hsts() {
    assert_fires(
        &prod().sb.env("SWML_USE_HSTS", "false"),
        "hsts-disabled",
        &[],
    );
    assert_quiet(&prod().sb.env("SWML_USE_HSTS", "0"), "hsts-disabled", &[]);
    assert_fires(
        &prod().sb.env("SWML_USE_HSTS", "0"),
        "value-ambiguous-bool",
        &[],
    );
    assert_quiet(&prod().sb, "value-ambiguous-bool", &[]);
    assert_fires(
        &prod().sb.env("SWML_HSTS_MAX_AGE", "3600"),
        "hsts-short-max-age",
        &[],
    );
    assert_quiet(
        &prod().sb.env("SWML_HSTS_MAX_AGE", "31536000"),
        "hsts-short-max-age",
        &[],
    );
    // AgentBase and AgentServer send their own header whatever the
    // settings say; SWMLService sends none.
    for class in ["agent-base", "agent-server"] {
        let off = prod().sb.env("SWML_USE_HSTS", "false");
        assert_fires(&off, "hsts-not-applied", &["--service-class", class]);
        assert_quiet(&off, "hsts-disabled", &["--service-class", class]);
        let short = prod().sb.env("SWML_HSTS_MAX_AGE", "3600");
        assert_fires(&short, "hsts-not-applied", &["--service-class", class]);
        assert_quiet(&short, "hsts-short-max-age", &["--service-class", class]);
        assert_quiet(&prod().sb, "hsts-not-applied", &["--service-class", class]);
    }
    let found = findings_of(
        &prod().sb,
        "hsts-not-applied",
        &["--service-class", "swml-service"],
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["severity"], "warning");
}

#[test]
fn limits() {
    // No service enforces them: one finding, a note, and a warning once a
    // limit is set (someone then believes it protects the service).
    let severity = |sb: &Sandbox| {
        let found = findings_of(sb, "limits-not-enforced", &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        found[0]["severity"].as_str().unwrap().to_string()
    };
    assert_eq!(severity(&prod().sb), "note");
    for var in [
        "SWML_RATE_LIMIT",
        "SWML_MAX_REQUEST_SIZE",
        "SWML_REQUEST_TIMEOUT",
    ] {
        let sb = prod().sb.env(var, "30");
        assert_eq!(severity(&sb), "warning", "{var}");
        let found = findings_of(&sb, "limits-not-enforced", &[]);
        assert_eq!(found[0]["location"]["name"], var);
        assert!(found[0]["help"].as_str().unwrap().contains("limit_req"));
    }
    // A policy naming a retired limit rule is told what replaced it.
    let sb = prod().sb;
    let out = sb.run(&["check", "--ignore", "rate-limit-high"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("limits-not-enforced"), "{}", out.stderr);
}

#[test]
fn flags() {
    for (var, rule) in [
        ("SWML_TRUST_REMOTE_USER", "trust-remote-user"),
        ("SWML_ALLOW_PRIVATE_URLS", "allow-private-urls"),
        ("SWML_TRUST_PROXY_HEADERS", "trust-proxy-headers"),
        ("SWML_SKIP_SCHEMA_VALIDATION", "schema-validation-skipped"),
    ] {
        assert_fires(&prod().sb.env(var, "yes"), rule, &[]);
        assert_quiet(&prod().sb.env(var, "false"), rule, &[]);
    }
    assert_fires(
        &prod()
            .sb
            .env("SWML_PROXY_URL_BASE", "http://agent.example.com"),
        "proxy-url-insecure",
        &[],
    );
    assert_quiet(
        &prod()
            .sb
            .env("SWML_PROXY_URL_BASE", "https://agent.example.com"),
        "proxy-url-insecure",
        &[],
    );
}

/// Unknown keys are reported from their places in the text once the
/// document is dropped: a key written with escapes is reported decoded, in
/// the file's order, with its pointer escaped and its line and column.
#[test]
fn unknown_keys_written_with_escapes_are_reported_decoded_in_order() {
    let sb = Sandbox::new();
    sb.file(
        "config.json",
        "{\"security\": {\n \"plain\": 1,\n \"unkn\\u006fwn\": 2,\n \"ssl_enabled\": false,\n \"a\\/b~c\": 3,\n \"caf\u{e9}\": 4}}",
    );
    let out = sb.run(&["check", "--no-env", "--format", "json", "config.json"]);
    let doc = out.json();
    let unknown: Vec<(String, String, u64, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "config-unknown-key")
        .map(|f| {
            let at = &f["location"];
            (
                f["message"].as_str().unwrap().to_string(),
                at["pointer"].as_str().unwrap().to_string(),
                at["line"].as_u64().unwrap(),
                at["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        (
            "security.plain is not read by the SDK",
            "/security/plain",
            2,
            2,
        ),
        (
            "security.unknown is not read by the SDK",
            "/security/unknown",
            3,
            2,
        ),
        (
            "security.a/b~c is not read by the SDK",
            "/security/a~1b~0c",
            5,
            2,
        ),
        (
            "security.caf\u{e9} is not read by the SDK",
            "/security/caf\u{e9}",
            6,
            2,
        ),
    ]
    .map(|(m, p, l, c)| (m.to_string(), p.to_string(), l, c));
    assert_eq!(unknown, expected, "{}", out.stdout);
}

#[test]
fn resolution_rules_surface_in_check() {
    let s = prod();
    s.sb.file("config.json", "{\"security\": {\"rate_limit\": 7.5, \"domain\": \"${NOPE}\", \"bogus\": 1, \"allowed_hosts\": \"${ H }\"}}");
    let got = rules(&s.sb, &[]);
    for rule in [
        "value-lossy",
        "var-unset",
        "config-unknown-key",
        "var-syntax",
    ] {
        assert!(got.iter().any(|r| r == rule), "{rule}: {got:?}");
    }
    assert_fires(
        &prod().sb.env("SWML_SSL_ENABLE", "true"),
        "env-unknown-var",
        &[],
    );
    assert_quiet(&prod().sb, "env-unknown-var", &[]);
    s.sb.file("config.json", "{\"security\": {\"rate_limit\": \"ten\"}}");
    assert_fires(&s.sb, "value-not-integer", &[]);
    s.sb.file("config.json", "{\"security\": [1]}");
    assert_fires(&s.sb, "config-invalid-shape", &[]);
    s.sb.file("config.json", "{\"security\": {},}");
    assert_fires(&s.sb, "config-invalid-json", &[]);
    std::fs::remove_file(s.sb.path("config.json")).unwrap();
    std::fs::create_dir(s.sb.path("config.json")).unwrap();
    assert_fires(&s.sb, "config-unreadable", &[]);
}

#[test]
fn env_not_utf8_is_a_finding() {
    use std::os::unix::ffi::OsStrExt;
    let s = prod();
    let out =
        s.sb.cmd()
            .env(
                std::ffi::OsStr::new("SWML_DOMAIN"),
                std::ffi::OsStr::from_bytes(b"caf\xE9.example"),
            )
            .args(["check", "--format", "json", "--ca-file", "tls/ca.pem"])
            .output()
            .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("env-not-utf8"));
}

#[test]
fn profiles_fail_on_and_ignores() {
    let sb = Sandbox::new();
    let dev = sb.run(&["check", "--profile", "dev", "--format", "json"]);
    assert_eq!(dev.code, Some(0), "{}", dev.stdout);
    assert!(
        !dev.rules("findings")
            .contains(&"hosts-wildcard".to_string())
    );
    assert_eq!(
        sb.run(&["check", "--profile", "dev", "--fail-on", "note"])
            .code,
        Some(1)
    );
    let ignored = sb.run(&[
        "check",
        "--format",
        "json",
        "--ignore",
        "tls-disabled",
        "--ignore",
        "cert-expired",
    ]);
    let got = ignored.rules("findings");
    assert!(!got.contains(&"tls-disabled".to_string()));
    assert!(
        got.contains(&"policy-unused-ignore".to_string()),
        "the cert-expired ignore matched nothing: {got:?}"
    );
    let bad = sb.run(&["check", "--ignore", "tls-disabld"]);
    assert_eq!(bad.code, Some(2));
    assert!(
        bad.stderr.contains("did you mean tls-disabled"),
        "{}",
        bad.stderr
    );
    assert_eq!(sb.run(&["check", "--at", "tomorrow"]).code, Some(2));
    assert_eq!(sb.run(&["check", "missing.json"]).code, Some(2));
}

#[test]
fn policy_file() {
    let sb = Sandbox::new();
    sb.file(
        ".swml-sec.toml",
        "profile = \"staging\"\nfail_on = \"error\"\n[rules]\n\"tls-disabled\" = \"note\"\n[[ignore]]\nrule = \"hosts-wildcard\"\nreason = \"behind the platform's proxy\"\n[[ignore]]\nrule = \"cert-expired\"\nreason = \"stale\"\n",
    );
    let out = sb.run(&["check", "--format", "json"]);
    let j = out.json();
    assert_eq!(j["profile"], "staging");
    let findings = j["findings"].as_array().unwrap();
    let tls = findings
        .iter()
        .find(|f| f["rule"] == "tls-disabled")
        .unwrap();
    assert_eq!(tls["severity"], "note");
    assert!(!findings.iter().any(|f| f["rule"] == "hosts-wildcard"));
    let unused = findings
        .iter()
        .find(|f| f["rule"] == "policy-unused-ignore")
        .unwrap();
    assert_eq!(unused["location"]["path"], ".swml-sec.toml");

    sb.file(".swml-sec.toml", "profile = \"prod\"\nwarn_dayz = 3\n");
    let out = sb.run(&["check", "--color", "never"]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.contains("warn_dayz") && out.stderr.contains(".swml-sec.toml"),
        "{}",
        out.stderr
    );
    sb.file(".swml-sec.toml", "[[ignore]]\nrule = \"hosts-wildcard\"\n");
    let out = sb.run(&["check"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("reason"), "{}", out.stderr);
    sb.file("p.toml", "[rules]\n\"no-such-rule\" = \"off\"\n");
    let out = sb.run(&["check", "--policy", "p.toml"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("no-such-rule"), "{}", out.stderr);
    sb.file("p.toml", "[password]\nmin_length = 40\n");
    let sb = sb.env("SWML_BASIC_AUTH_PASSWORD", STRONG);
    let out = sb.run(&["check", "--policy", "p.toml", "--format", "json"]);
    assert!(
        out.rules("findings")
            .contains(&"auth-password-weak".to_string())
    );
}

#[test]
fn no_check_output_contains_a_password() {
    let weak = "hunter2";
    let strong = "Q7v-unique-Secret-Marker-x9Lk2";
    for pw in [weak, strong] {
        let s = prod();
        let from_env = s.sb.env("SWML_BASIC_AUTH_PASSWORD", pw);
        let from_file = prod();
        from_file.sb.file("config.json", format!("{{\"security\": {{\"auth\": {{\"basic\": {{\"user\": \"{pw}\", \"password\": \"{pw}\"}}}}}}}}"));
        for sb in [&from_env, &from_file.sb] {
            for format in ["human", "json", "sarif", "github", "junit"] {
                for profile in ["prod", "dev"] {
                    let out = sb.run(&[
                        "check",
                        "--format",
                        format,
                        "--profile",
                        profile,
                        "--ca-file",
                        "tls/ca.pem",
                    ]);
                    assert!(
                        !out.all().contains(pw),
                        "{format}/{profile} leaks {pw}:\n{}",
                        out.all()
                    );
                }
            }
        }
    }
}

#[test]
fn snippets_of_invalid_config_files_mask_passwords() {
    let secret = "Invalid-File-Secret-991";
    let sb = Sandbox::new();
    sb.file(
        "config.json",
        format!("{{\"security\": {{\"auth\": {{\"basic\": {{\"password\": \"{secret}\"}}}}}},}}"),
    );
    for args in [
        &["check", "--color", "never"][..],
        &["resolve", "--color", "never"],
        &["check", "--format", "json"],
        &["resolve", "--format", "json"],
    ] {
        let out = sb.run(args);
        assert!(
            out.all().contains("config-invalid-json"),
            "{args:?}: {}",
            out.all()
        );
        assert!(
            !out.all().contains(secret),
            "{args:?} leaks:\n{}",
            out.all()
        );
    }
}

#[test]
fn human_output_snapshot() {
    let sb = Sandbox::new()
        .env("SWML_SSL_ENABLED", "true")
        .env("SWML_USE_HSTS", "0");
    sb.file("config.json", "{\n  \"security\": {\n    \"ssl_cert_path\": \"${CERT}\",\n    \"rate_limit\": 7.5,\n    \"cors_origins\": [\"https://app.example.com/\"]\n  }\n}\n");
    let out = sb.run(&["check", "--color", "never"]);
    assert_eq!(out.code, Some(1));
    insta::assert_snapshot!("check_human", out.stdout);
}

#[test]
fn rules_and_explain() {
    let sb = Sandbox::new();
    let listing = sb.run(&["rules"]).stdout;
    let ids: Vec<&str> = listing
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "duplicate rule ids");
    assert!(ids.len() >= 60, "{}", ids.len());
    for id in &ids {
        let out = sb.run(&["explain", id]);
        assert_eq!(out.code, Some(0), "{id}");
        for section in [
            "Why it matters:",
            "How to fix:",
            "Example:",
            "Severity: prod",
        ] {
            assert!(out.stdout.contains(section), "{id} explain lacks {section}");
        }
    }
    let out = sb.run(&["explain", "cert-expird"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("cert-expired"));
}

#[test]
fn every_rule_is_exercised_by_an_integration_test() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut sources = String::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            sources.push_str(&std::fs::read_to_string(path).unwrap());
        }
    }
    let listing = Sandbox::new().run(&["rules"]).stdout;
    let missing: Vec<&str> = listing
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .filter(|id| !sources.contains(&format!("\"{id}\"")))
        .collect();
    assert!(missing.is_empty(), "rules no test names: {missing:?}");
}

/// The findings of `rule` in a JSON check run.
fn findings_of(sb: &Sandbox, rule: &str, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["check", "--format", "json", "--ca-file", "tls/ca.pem"];
    if !extra.contains(&"--service-class") {
        args.extend_from_slice(&["--service-class", "web-service"]);
    }
    args.extend_from_slice(extra);
    sb.run(&args).json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .cloned()
        .collect()
}

#[test]
fn host_and_origin_entries_that_never_match() {
    for bad in ["agent.example.com:443", "*.example.com", ".example.com"] {
        assert_fires(
            &prod()
                .sb
                .env("SWML_ALLOWED_HOSTS", &format!("{DOMAIN},{bad}")),
            "hosts-malformed",
            &[],
        );
    }
    for bad in ["https://*.example.com", "https://app.example.com:443"] {
        assert_fires(
            &prod().sb.env("SWML_CORS_ORIGINS", bad),
            "cors-origin-malformed",
            &[],
        );
    }
    // A non-default port is sent by clients, so it can match.
    assert_quiet(
        &prod()
            .sb
            .env("SWML_CORS_ORIGINS", "https://app.example.com:8443"),
        "cors-origin-malformed",
        &[],
    );
    // In the config file the finding underlines the item, not the list.
    let s = prod();
    let text = "{\"security\": {\n  \"allowed_hosts\": [\"agent.example.com\", \"*.example.com\"],\n  \"cors_origins\": [\"https://app.example.com\", \"https://app.example.com:443\"]\n}}\n";
    s.sb.file("config.json", text);
    let sb =
        s.sb.env("SWML_ALLOWED_HOSTS", "")
            .env("SWML_CORS_ORIGINS", "");
    for (rule, item, line) in [
        ("hosts-malformed", "*.example.com", 2),
        ("cors-origin-malformed", "https://app.example.com:443", 3),
    ] {
        let found = findings_of(&sb, rule, &["config.json"]);
        assert_eq!(found.len(), 1, "{rule}: {found:?}");
        let loc = &found[0]["location"];
        let line_text = text.lines().nth(line - 1).unwrap();
        let column = line_text.find(&format!("\"{item}\"")).unwrap() + 2;
        assert_eq!(loc["line"], line, "{rule}: {loc}");
        assert_eq!(loc["column"], column, "{rule}: {loc}");
    }
}

#[test]
fn internal_allowed_hosts_are_a_note_not_a_reissue() {
    let sb = prod().sb.env(
        "SWML_ALLOWED_HOSTS",
        &format!("{DOMAIN},localhost,10.0.0.5"),
    );
    assert_quiet(&sb, "cert-hostname-mismatch", &["--profile", "prod"]);
    let found = findings_of(&sb, "cert-hostname-internal", &["--profile", "prod"]);
    assert_eq!(found.len(), 2, "{found:?}");
    for f in &found {
        assert_eq!(f["severity"], "note", "{f}");
        assert!(!f["help"].as_str().unwrap().contains("re-issue the"), "{f}");
    }
    // A public name the certificate lacks is still an error to re-issue for.
    let sb = prod()
        .sb
        .env("SWML_ALLOWED_HOSTS", &format!("{DOMAIN},www.example.com"));
    let found = findings_of(&sb, "cert-hostname-mismatch", &["--profile", "prod"]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["severity"], "error");
}

#[test]
fn environment_overridden_by_the_config_file() {
    let s = prod();
    s.sb.file("config.json", "{\"security\": {\"rate_limit\": 60}}");
    let sb = s.sb.env("SWML_RATE_LIMIT", "5");
    let found = findings_of(&sb, "env-overridden", &["config.json"]);
    assert_eq!(found.len(), 1, "{found:?}");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("SWML_RATE_LIMIT")
            && message.contains("rate_limit")
            && message.contains("config.json"),
        "{message}"
    );
    assert_eq!(found[0]["severity"], "note");
    assert_eq!(found[0]["location"]["pointer"], "/security/rate_limit");
    // The file reading the same variable does not override it.
    sb.file(
        "config.json",
        "{\"security\": {\"rate_limit\": \"${SWML_RATE_LIMIT|60}\"}}",
    );
    assert_quiet(&sb, "env-overridden", &["config.json"]);
    // No file key, no override.
    sb.file("config.json", "{\"security\": {}}");
    assert_quiet(&sb, "env-overridden", &["config.json"]);
    // A secret overridden is named, never shown.
    sb.file(
        "config.json",
        "{\"security\": {\"auth\": {\"basic\": {\"password\": \"${OTHER_PW}\"}}}}",
    );
    let sb = sb.env("OTHER_PW", "Kq7-zT2m_Wv9-Rb4Yp8-Hn3Xc");
    let found = findings_of(&sb, "env-overridden", &["config.json"]);
    assert_eq!(found.len(), 1, "{found:?}");
    let all = sb.run(&["check", "config.json"]).all();
    assert!(!all.contains(STRONG) && !all.contains("Kq7-zT2m"), "{all}");
}

#[test]
fn truncated_variable_names_suggest_the_completion() {
    let sb = Sandbox::new().env("SWML_BASIC_AUTH_PASS", "x");
    let found = sb.run(&["check", "--format", "json"]).json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "env-unknown-var")
        .cloned()
        .unwrap();
    assert_eq!(found["help"], "did you mean SWML_BASIC_AUTH_PASSWORD?");
    let sb = Sandbox::new().env("SWML_SSL_ENABLE", "true");
    let out = sb.run(&["check", "--format", "json"]).stdout;
    assert!(out.contains("did you mean SWML_SSL_ENABLED?"), "{out}");
}

#[test]
fn a_password_default_in_the_config_is_a_committed_secret() {
    let default = "Zq8-Lm3v_Tp9-Xw2Kd7-Rb5Nc";
    let s = prod();
    s.sb.file(
        "config.json",
        format!(
            "{{\"security\": {{\"auth\": {{\"basic\": {{\"password\": \"${{PW|{default}}}\"}}}}}}}}"
        ),
    );
    let found = findings_of(&s.sb, "auth-secret-in-config", &["config.json"]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0]["message"].as_str().unwrap().contains("PW"));
    for format in ["human", "json", "sarif", "github", "junit"] {
        let out = s.sb.run(&["check", "--format", format, "config.json"]);
        assert!(!out.all().contains(default), "{format} shows the default");
        assert!(
            !out.all().contains(&default[..8]),
            "{format} shows part of it"
        );
    }
    // With PW set the file holds no password.
    let sb = s.sb.env("PW", STRONG);
    assert_quiet(&sb, "auth-secret-in-config", &["config.json"]);
}

#[test]
fn key_bundled_or_in_a_directory_writable_by_others() {
    use std::os::unix::fs::PermissionsExt;
    let set_mode = |p: std::path::PathBuf, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    // A key bundled into a certificate file that others can read.
    let s = prod();
    let chain = std::fs::read_to_string(s.sb.path("tls/fullchain.pem")).unwrap();
    let key = std::fs::read_to_string(s.sb.path("tls/key.pem")).unwrap();
    s.sb.file("tls/fullchain.pem", format!("{chain}{key}"));
    set_mode(s.sb.path("tls/fullchain.pem"), 0o644);
    let found = findings_of(&s.sb, "key-permissions", &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["setting"], "ssl_cert_path");
    set_mode(s.sb.path("tls/fullchain.pem"), 0o600);
    assert_quiet(&s.sb, "key-permissions", &[]);
    // The same file without a key may be world-readable.
    let s = prod();
    set_mode(s.sb.path("tls/fullchain.pem"), 0o644);
    assert_quiet(&s.sb, "key-permissions", &[]);
    // A key in a directory anyone may write to, not sticky.
    set_mode(s.sb.path("tls"), 0o777);
    let found = findings_of(&s.sb, "key-permissions", &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0]["message"].as_str().unwrap().contains("0777"));
    set_mode(s.sb.path("tls"), 0o1777);
    assert_quiet(&s.sb, "key-permissions", &[]);
    set_mode(s.sb.path("tls"), 0o775);
    assert_quiet(&s.sb, "key-permissions", &[]);
    set_mode(s.sb.path("tls"), 0o755);
}

#[test]
fn intermediate_problems_name_the_certificate() {
    let s = prod();
    let expired_inter = {
        let mut spec = CertSpec::ca("Old Intermediate CA");
        spec.not_before_days = -800;
        spec.not_after_days = -2;
        s.ca.intermediate_with(&spec)
    };
    let (leaf, key) = expired_inter.sign(&CertSpec::leaf(&[DOMAIN]), KeyKind::EcP256Pkcs8);
    s.sb.file("tls/fullchain.pem", format!("{leaf}{}", expired_inter.pem));
    write_private(&s.sb, "tls/key.pem", &key);
    let found = findings_of(&s.sb, "cert-expired", &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("#2") && message.contains("Old Intermediate CA"),
        "{message}"
    );
    // Also judged at a date given with --at.
    let found = findings_of(&s.sb, "cert-expired", &["--at", &past_date(-30)]);
    assert_eq!(found.len(), 1, "{found:?}");
    let server_inter = {
        let mut spec = CertSpec::ca("Client-only Intermediate CA");
        spec.eku = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        s.ca.intermediate_with(&spec)
    };
    let (leaf, key) = server_inter.sign(&CertSpec::leaf(&[DOMAIN]), KeyKind::EcP256Pkcs8);
    s.sb.file("tls/fullchain.pem", format!("{leaf}{}", server_inter.pem));
    write_private(&s.sb, "tls/key.pem", &key);
    let found = findings_of(&s.sb, "cert-not-for-server", &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("Client-only Intermediate CA")
    );
}

#[test]
fn junit_lists_only_rules_that_ran() {
    let sb = Sandbox::new();
    let out = sb.run(&["check", "--format", "junit", "--profile", "dev"]);
    let doc = roxmltree::Document::parse(&out.stdout).unwrap();
    let case = |id: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some(id))
            .unwrap_or_else(|| panic!("no testcase {id}"))
    };
    let skipped = |id: &str| {
        case(id)
            .children()
            .find(|n| n.has_tag_name("skipped"))
            .and_then(|n| n.attribute("message"))
            .map(str::to_string)
    };
    let listing = sb.run(&["rules"]).stdout;
    let all = listing.lines().skip(1).count();
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .count(),
        all
    );
    assert!(skipped("probe-cors-permissive").unwrap().contains("probe"));
    assert!(skipped("cert-expired").unwrap().contains("HTTPS is off"));
    assert!(skipped("key-permissions").unwrap().contains("HTTPS is off"));
    assert!(
        skipped("cert-untrusted")
            .unwrap()
            .contains("off in the dev profile")
    );
    assert_eq!(skipped("tls-disabled"), None);
    assert_eq!(skipped("auth-password-unset"), None);
    // With HTTPS on, certificate rules run.
    let s = prod();
    let out =
        s.sb.run(&["check", "--format", "junit", "--ca-file", "tls/ca.pem"]);
    let doc = roxmltree::Document::parse(&out.stdout).unwrap();
    let cert_expired = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("cert-expired"))
        .unwrap();
    assert!(!cert_expired.children().any(|n| n.has_tag_name("skipped")));
}
