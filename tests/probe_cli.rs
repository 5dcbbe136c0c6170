//! `swml-sec probe` against deterministic in-process servers: a secure
//! variant that passes, and one insecure variant per finding.

mod common;

use common::Sandbox;
use common::pki::{Ca, CertSpec, KeyKind};
use common::server::{Behaviour, TestServer, start};

const USER: &str = "agent-webhooks";
const PASSWORD: &str = "Probe-Secret-Pw-9x7Lq2";
const HOST: &str = "localhost";

struct Pki {
    ca: Ca,
    chain: String,
    key: String,
}

fn pki() -> Pki {
    let ca = Ca::new("Probe Root");
    let (chain, key) = ca.sign(&CertSpec::leaf(&[HOST, "127.0.0.1"]), KeyKind::EcP256Pkcs8);
    Pki { ca, chain, key }
}

/// A sandbox whose configuration matches the secure server.
fn configured(p: &Pki) -> Sandbox {
    let sb = Sandbox::new()
        .env("SWML_SSL_ENABLED", "true")
        .env("SWML_SSL_CERT_PATH", "tls/cert.pem")
        .env("SWML_SSL_KEY_PATH", "tls/key.pem")
        .env("SWML_DOMAIN", HOST)
        .env("SWML_ALLOWED_HOSTS", HOST)
        .env("SWML_CORS_ORIGINS", "https://app.example.com")
        .env("SWML_BASIC_AUTH_USER", USER)
        .env("SWML_BASIC_AUTH_PASSWORD", PASSWORD);
    sb.file("tls/cert.pem", &p.chain);
    sb.file("tls/key.pem", &p.key);
    sb.file("tls/ca.pem", &p.ca.pem);
    sb
}

fn probe(sb: &Sandbox, url: &str, extra: &[&str]) -> (Vec<String>, common::Output) {
    let mut args = vec![
        "probe",
        url,
        "--format",
        "json",
        "--ca-file",
        "tls/ca.pem",
        "--timeout",
        "5",
    ];
    args.extend_from_slice(extra);
    let out = sb.run(&args);
    assert!(
        matches!(out.code, Some(0 | 1)),
        "exit {:?}: {}",
        out.code,
        out.stderr
    );
    assert!(
        !out.all().contains(PASSWORD),
        "the password leaked:\n{}",
        out.all()
    );
    (out.rules("findings"), out)
}

/// What the SDK's guide says a service sends, with the test certificate.
fn secure(p: &Pki) -> Behaviour {
    Behaviour::secure(
        Some((p.chain.clone(), p.key.clone())),
        (USER, PASSWORD),
        HOST,
    )
}

fn https(server: &TestServer) -> String {
    format!("https://{HOST}:{}/agent", server.port)
}

#[test]
fn secure_service_passes() {
    let p = pki();
    let server = start(secure(&p));
    let (rules, out) = probe(&configured(&p), &https(&server), &[]);
    assert!(rules.is_empty(), "{rules:?}\n{}", out.stderr);
    assert_eq!(out.code, Some(0));
    assert!(out.stderr.contains("TLS 1.3"), "{}", out.stderr);
    assert_eq!(out.json()["probe"]["tls_version"], "TLS 1.3");
    assert_eq!(
        server.authorizations.lock().unwrap().len(),
        2,
        "credentials sent for the auth and CORS requests"
    );
}

#[test]
fn unreachable_and_tls_failures() {
    let p = pki();
    let sb = configured(&p);
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (rules, _) = probe(&sb, &format!("https://127.0.0.1:{closed}/agent"), &[]);
    assert_eq!(rules, ["probe-unreachable"]);
    let plain = start(Behaviour::secure(None, (USER, PASSWORD), HOST));
    let (rules, out) = probe(&sb, &https(&plain), &[]);
    assert_eq!(rules, ["probe-tls-failed"]);
    assert!(out.stdout.contains("plain HTTP"), "{}", out.stdout);
}

#[test]
fn auth_not_required_and_rejected() {
    let p = pki();
    let sb = configured(&p);
    let mut open = secure(&p);
    open.auth = None;
    let (rules, _) = probe(&sb, &https(&start(open)), &[]);
    assert!(
        rules.contains(&"probe-auth-not-required".to_string()),
        "{rules:?}"
    );
    let other = start(Behaviour::secure(
        Some((p.chain.clone(), p.key.clone())),
        (USER, "another-password-123456"),
        HOST,
    ));
    let (rules, _) = probe(&sb, &https(&other), &[]);
    assert_eq!(rules, ["probe-auth-rejected"]);
    // A user equal to the password is never printed either.
    let same = configured(&p).env("SWML_BASIC_AUTH_USER", PASSWORD);
    let (rules, _) = probe(&same, &https(&other), &[]);
    assert_eq!(rules, ["probe-auth-rejected"]);
    // --user and --password-env override the configured credentials.
    let sb = sb.env("OTHER_PW", "another-password-123456");
    let (rules, _) = probe(&sb, &https(&other), &["--password-env", "OTHER_PW"]);
    assert!(rules.is_empty(), "{rules:?}");
}

#[test]
fn missing_headers_one_finding_each() {
    let p = pki();
    let b = secure(&p).without_header("X-XSS-Protection");
    let (rules, out) = probe(&configured(&p), &https(&start(b)), &[]);
    assert_eq!(rules, ["probe-header-missing"]);
    assert!(out.stdout.contains("X-XSS-Protection"));
    let b = secure(&p)
        .without_header("X-Frame-Options")
        .without_header("Referrer-Policy");
    let (rules, _) = probe(&configured(&p), &https(&start(b)), &[]);
    assert_eq!(rules, ["probe-header-missing", "probe-header-missing"]);
}

#[test]
fn hsts_configured_versus_served() {
    let p = pki();
    let server = start(secure(&p));
    let sb = configured(&p).env("SWML_HSTS_MAX_AGE", "63072000");
    // WebService applies hsts_max_age: the served one-year header differs.
    let (rules, out) = probe(&sb, &https(&server), &["--service-class", "web-service"]);
    assert_eq!(rules, ["probe-hsts-mismatch"]);
    assert!(
        out.stdout
            .contains("configured use_hsts=true with max-age 63072000, served max-age=31536000"),
        "{}",
        out.stdout
    );
    // AgentBase sends one year whatever hsts_max_age says: what it sends is
    // what the model expects, so the probe has nothing to report (check
    // says hsts-not-applied about the setting instead).
    let (rules, _) = probe(&sb, &https(&server), &["--service-class", "agent-base"]);
    assert!(rules.is_empty(), "{rules:?}");
    let b = secure(&p).without_header("Strict-Transport-Security");
    let (rules, out) = probe(&configured(&p), &https(&start(b)), &[]);
    assert_eq!(rules, ["probe-hsts-mismatch"]);
    assert!(
        out.stdout
            .contains("AgentBase sends max-age 31536000, served no Strict-Transport-Security"),
        "{}",
        out.stdout
    );
}

#[test]
fn permissive_cors_and_unenforced_host() {
    let p = pki();
    let mut b = secure(&p);
    b.cors_echo = true;
    let (rules, out) = probe(&configured(&p), &https(&start(b.clone())), &[]);
    assert_eq!(rules, ["probe-cors-permissive"]);
    assert!(out.stdout.contains("with credentials"), "{}", out.stdout);
    // With credentials it is an error even where the profile says warning.
    let server = start(b);
    let (_, out) = probe(&configured(&p), &https(&server), &["--profile", "staging"]);
    assert_eq!(out.json()["findings"][0]["severity"], "error");
    let mut no_credentials = secure(&p);
    no_credentials
        .headers
        .push(("Access-Control-Allow-Origin".into(), "*".into()));
    let (_, out) = probe(
        &configured(&p),
        &https(&start(no_credentials)),
        &["--profile", "staging"],
    );
    assert_eq!(out.json()["findings"][0]["rule"], "probe-cors-permissive");
    assert_eq!(out.json()["findings"][0]["severity"], "warning");
    let mut b = secure(&p);
    b.only_host = None;
    let server = start(b);
    let (rules, out) = probe(&configured(&p), &https(&server), &[]);
    assert_eq!(rules, ["probe-host-not-enforced"]);
    assert!(
        out.stdout
            .contains("configured allowed_hosts [\\\"localhost\\\"], served 401"),
        "{}",
        out.stdout
    );
    // With allowed_hosts = * nothing is promised, so nothing is reported.
    let (rules, _) = probe(
        &configured(&p).env("SWML_ALLOWED_HOSTS", "*"),
        &https(&server),
        &[],
    );
    assert!(!rules.contains(&"probe-host-not-enforced".to_string()));
}

#[test]
fn plain_http_open_when_https_is_configured() {
    let p = pki();
    let mut b = secure(&p);
    b.also_plain = true;
    let server = start(b);
    let (rules, _) = probe(&configured(&p), &https(&server), &[]);
    assert_eq!(rules, ["probe-plain-http-open"]);
    // An http:// URL while HTTPS is configured: the service fell back to HTTP.
    let plain = start(Behaviour::secure(None, (USER, PASSWORD), HOST));
    let (rules, _) = probe(
        &configured(&p),
        &format!("http://{HOST}:{}/agent", plain.port),
        &[],
    );
    assert!(
        rules.contains(&"probe-plain-http-open".to_string()),
        "{rules:?}"
    );
}

#[test]
fn credentials_never_go_over_plain_http_unless_asked() {
    let p = pki();
    let plain = start(Behaviour::secure(None, (USER, PASSWORD), HOST));
    let sb = configured(&p).env("SWML_SSL_ENABLED", "false");
    let url = format!("http://{HOST}:{}/agent", plain.port);
    let (_, out) = probe(&sb, &url, &[]);
    assert!(plain.authorizations.lock().unwrap().is_empty());
    assert!(
        out.stderr.contains("--allow-insecure-auth"),
        "{}",
        out.stderr
    );
    let (rules, _) = probe(&sb, &url, &["--allow-insecure-auth"]);
    assert!(!plain.authorizations.lock().unwrap().is_empty());
    assert!(
        !rules.contains(&"probe-auth-rejected".to_string()),
        "{rules:?}"
    );
}

#[test]
fn served_certificate_runs_through_the_certificate_rules() {
    let p = pki();
    let (expired, key) = p.ca.sign(
        &CertSpec {
            not_before_days: -90,
            not_after_days: -1,
            ..CertSpec::leaf(&[HOST])
        },
        KeyKind::EcP256Pkcs8,
    );
    let server = start(Behaviour::secure(
        Some((expired, key)),
        (USER, PASSWORD),
        HOST,
    ));
    let (rules, out) = probe(&configured(&p), &https(&server), &[]);
    assert!(rules.contains(&"cert-expired".to_string()), "{rules:?}");
    assert!(
        rules.contains(&"probe-cert-mismatch".to_string()),
        "{rules:?}"
    );
    assert!(
        out.stdout
            .contains("configured ssl_cert_path tls/cert.pem holds"),
        "{}",
        out.stdout
    );
    // Served under another name.
    let (other, key) = p.ca.sign(
        &CertSpec::leaf(&["other.example.com"]),
        KeyKind::EcP256Pkcs8,
    );
    let server = start(Behaviour::secure(
        Some((other, key)),
        (USER, PASSWORD),
        HOST,
    ));
    let (rules, _) = probe(&configured(&p), &https(&server), &[]);
    assert!(
        rules.contains(&"cert-hostname-mismatch".to_string()),
        "{rules:?}"
    );
    // Without --ca-file the private root is untrusted; --insecure accepts it.
    let good = start(secure(&p));
    let sb = configured(&p);
    let out = sb.run(&["probe", &https(&good), "--format", "json"]);
    assert!(
        out.rules("findings")
            .contains(&"cert-untrusted".to_string())
    );
    let out = sb.run(&["probe", &https(&good), "--format", "json", "--insecure"]);
    assert!(
        out.rules("findings").is_empty(),
        "{:?}",
        out.rules("findings")
    );
}

#[test]
fn bad_urls_and_password_variables_are_usage_errors() {
    let sb = Sandbox::new();
    for url in ["ftp://x/", "not a url", "https://user:pw@example.com/"] {
        let out = sb.run(&["probe", url]);
        assert_eq!(out.code, Some(2), "{url}");
    }
    let out = sb.run(&[
        "probe",
        "https://127.0.0.1:1/",
        "--password-env",
        "NOPE_UNSET",
    ]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("NOPE_UNSET"));
}

#[test]
fn probe_outputs_in_every_format_without_the_password() {
    let p = pki();
    let mut b = secure(&p);
    b.cors_echo = true;
    let server = start(b);
    let sb = configured(&p);
    for format in ["human", "json", "sarif", "github", "junit"] {
        let out = sb.run(&[
            "probe",
            &https(&server),
            "--format",
            format,
            "--ca-file",
            "tls/ca.pem",
        ]);
        assert_eq!(out.code, Some(1), "{format}");
        assert!(
            out.stdout.contains("probe-cors-permissive"),
            "{format}: {}",
            out.stdout
        );
        assert!(!out.all().contains(PASSWORD), "{format} leaks");
    }
}

/// A server that records every Authorization header it receives.
fn authorizations(server: &TestServer) -> usize {
    server.authorizations.lock().unwrap().len()
}

#[test]
fn credentials_go_only_to_a_verified_peer() {
    let p = pki();
    let sb = configured(&p);
    // Untrusted: issued by a root that is neither a web root nor --ca-file.
    let stranger = Ca::new("Stranger Root");
    let (chain, key) = stranger.sign(&CertSpec::leaf(&[HOST]), KeyKind::EcP256Pkcs8);
    let untrusted = start(Behaviour::secure(
        Some((chain, key)),
        (USER, PASSWORD),
        HOST,
    ));
    let (rules, out) = probe(&sb, &https(&untrusted), &[]);
    assert_eq!(authorizations(&untrusted), 0, "{rules:?}");
    assert!(rules.contains(&"cert-untrusted".to_string()), "{rules:?}");
    let json = out.json();
    let untrusted_finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "cert-untrusted")
        .unwrap();
    assert!(
        untrusted_finding["message"]
            .as_str()
            .unwrap()
            .contains("withheld the credentials"),
        "{untrusted_finding}"
    );
    assert_eq!(
        json["probe"]["credentials"],
        "withheld from an unverified peer"
    );
    assert!(
        json["probe"]["log"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().starts_with("credentials withheld")),
        "{}",
        json["probe"]
    );
    assert!(
        out.stderr.contains("credentials withheld"),
        "{}",
        out.stderr
    );

    // The issue's case: self-signed for another name.
    let (chain, key) =
        common::pki::self_signed(&CertSpec::leaf(&["attacker.invalid"]), KeyKind::EcP256Pkcs8);
    let attacker = start(Behaviour::secure(
        Some((chain, key)),
        (USER, PASSWORD),
        HOST,
    ));
    let (rules, _) = probe(&sb, &https(&attacker), &[]);
    assert_eq!(authorizations(&attacker), 0, "{rules:?}");

    // Trusted through --ca-file, but for another name.
    let (chain, key) = p.ca.sign(
        &CertSpec::leaf(&["other.example.com"]),
        KeyKind::EcP256Pkcs8,
    );
    let mismatched = start(Behaviour::secure(
        Some((chain, key)),
        (USER, PASSWORD),
        HOST,
    ));
    let (rules, out) = probe(&sb, &https(&mismatched), &[]);
    assert_eq!(authorizations(&mismatched), 0, "{rules:?}");
    assert!(
        rules.contains(&"cert-hostname-mismatch".to_string()),
        "{rules:?}"
    );
    assert!(
        out.stdout.contains("withheld the credentials"),
        "{}",
        out.stdout
    );

    // Trusted (private CA through --ca-file) and matching: they go.
    let good = start(secure(&p));
    let (rules, out) = probe(&sb, &https(&good), &[]);
    assert!(authorizations(&good) > 0, "{rules:?}");
    assert_eq!(out.json()["probe"]["credentials"], "sent");
    // --insecure sends them to the unverified peers too.
    probe(&sb, &https(&untrusted), &["--insecure"]);
    assert!(authorizations(&untrusted) > 0);
    probe(&sb, &https(&mismatched), &["--insecure"]);
    assert!(authorizations(&mismatched) > 0);
}

#[test]
fn every_connection_with_credentials_must_verify() {
    let p = pki();
    let stranger = Ca::new("Stranger Root");
    let mut b = secure(&p);
    // The first connection (no credentials) verifies; later ones do not.
    b.tls_later = Some(stranger.sign(&CertSpec::leaf(&[HOST]), KeyKind::EcP256Pkcs8));
    let server = start(b);
    let (rules, out) = probe(&configured(&p), &https(&server), &[]);
    assert_eq!(authorizations(&server), 0, "{rules:?}");
    assert!(rules.contains(&"probe-tls-failed".to_string()), "{rules:?}");
    assert!(
        out.stdout.contains("withheld the credentials"),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.json()["probe"]["credentials"],
        "withheld from an unverified peer"
    );
}

const ECHO_PASSWORD: &str = "Echo?Secret>Pw~9x7Lq2";

#[test]
fn echoed_credentials_are_masked_in_every_format() {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let pair = format!("{USER}:{ECHO_PASSWORD}");
    let forms = [
        ECHO_PASSWORD.to_string(),
        pair.clone(),
        STANDARD.encode(&pair),
        STANDARD_NO_PAD.encode(&pair),
        URL_SAFE.encode(&pair),
        URL_SAFE_NO_PAD.encode(&pair),
    ];
    assert_ne!(
        STANDARD.encode(&pair),
        URL_SAFE.encode(&pair),
        "the test needs both alphabets"
    );
    let p = pki();
    let mut b = Behaviour::secure(
        Some((p.chain.clone(), p.key.clone())),
        (USER, ECHO_PASSWORD),
        HOST,
    );
    b.echo_authorization = true;
    let server = start(b);
    let sb = configured(&p).env("SWML_BASIC_AUTH_PASSWORD", ECHO_PASSWORD);
    for format in ["human", "json", "sarif", "github", "junit"] {
        let out = sb.run(&[
            "probe",
            &https(&server),
            "--format",
            format,
            "--ca-file",
            "tls/ca.pem",
        ]);
        assert!(matches!(out.code, Some(0 | 1)), "{format}: {}", out.all());
        // The echo reached the findings, masked.
        assert!(out.stdout.contains("redacted"), "{format}: {}", out.stdout);
        for f in &forms {
            assert!(
                !out.all().contains(f.as_str()),
                "{format} leaks {f}:\n{}",
                out.all()
            );
        }
    }
    assert!(
        authorizations(&server) > 0,
        "the echo needs the credentials"
    );
}

#[test]
fn control_and_bidi_characters_from_the_server_are_escaped() {
    let p = pki();
    let mut b = secure(&p).without_header("X-Frame-Options");
    b.headers.push((
        "X-Frame-Options".into(),
        "DENY\u{202e}gnp.exe\u{9b}31m\u{85}\u{2066}".into(),
    ));
    let server = start(b);
    let sb = configured(&p);
    for format in ["human", "json"] {
        let out = sb.run(&[
            "probe",
            &https(&server),
            "--format",
            format,
            "--ca-file",
            "tls/ca.pem",
        ]);
        let all = out.all();
        for raw in ['\u{202e}', '\u{9b}', '\u{85}', '\u{2066}'] {
            assert!(!all.contains(raw), "{format}: raw {raw:?} in\n{all}");
        }
        let text = if format == "json" {
            out.json()["findings"][0]["message"]
                .as_str()
                .unwrap()
                .to_string()
        } else {
            out.stdout.clone()
        };
        // Human output may wrap lines: look for each escape.
        for escaped in ["DENY\\u{202e}", "gnp.exe\\u{9b}31m\\u{85}\\u{2066}"] {
            assert!(text.contains(escaped), "{format}: {escaped} not in {text}");
        }
    }
}

#[test]
fn a_missing_route_is_an_error_and_auth_is_not_judged_there() {
    let p = pki();
    let sb = configured(&p);
    let wrong = |s: &TestServer| format!("https://{HOST}:{}/agnet", s.port);
    // The service routes first (as AgentBase does): 404 without credentials.
    let mut b = secure(&p);
    b.route = Some("/agent".into());
    let server = start(b.clone());
    let (rules, out) = probe(&sb, &wrong(&server), &[]);
    assert_eq!(rules, ["probe-route-not-found"], "{}", out.stdout);
    assert_eq!(out.code, Some(1));
    assert!(out.stdout.contains("404"), "{}", out.stdout);
    assert_eq!(
        authorizations(&server),
        0,
        "no credentials for a missing route"
    );
    // The right route of the same service passes.
    let (rules, _) = probe(&sb, &https(&server), &[]);
    assert!(rules.is_empty(), "{rules:?}");
    // A route without GET.
    let mut post_only = b.clone();
    post_only.missing_status = 405;
    let (rules, out) = probe(&sb, &wrong(&start(post_only)), &[]);
    assert_eq!(rules, ["probe-route-not-found"]);
    assert!(out.stdout.contains("405"), "{}", out.stdout);
    // A proxy asking for credentials first: only they show the 404.
    let mut proxied = b.clone();
    proxied.auth_before_route = true;
    let (rules, _) = probe(&sb, &wrong(&start(proxied.clone())), &[]);
    assert_eq!(rules, ["probe-route-not-found"]);
    // AgentBase's catch-all: 200 {"error": "Invalid route"} without credentials.
    let mut agentbase = b.clone();
    agentbase.missing_status = 200;
    agentbase.missing_body = Some(r#"{"error":"Invalid route"}"#.into());
    let agentbase = start(agentbase);
    let (rules, out) = probe(&sb, &wrong(&agentbase), &[]);
    assert_eq!(rules, ["probe-route-not-found"], "{}", out.stdout);
    assert!(out.stdout.contains("Invalid route"), "{}", out.stdout);
    assert_eq!(authorizations(&agentbase), 0);
    let (rules, _) = probe(&sb, &https(&agentbase), &[]);
    assert!(rules.is_empty(), "{rules:?}");
    // No auth finding on a missing route, even with no auth at all there.
    let mut open = b;
    open.auth = None;
    let (rules, _) = probe(&sb, &wrong(&start(open)), &[]);
    assert_eq!(rules, ["probe-route-not-found"]);
}

#[test]
fn x_xss_protection_is_a_deprecated_note_in_every_profile() {
    let p = pki();
    let server = start(
        secure(&p)
            .without_header("X-XSS-Protection")
            .without_header("Referrer-Policy"),
    );
    for profile in ["prod", "staging", "dev"] {
        let (_, out) = probe(&configured(&p), &https(&server), &["--profile", profile]);
        let json = out.json();
        let findings = json["findings"].as_array().unwrap();
        let xss = findings
            .iter()
            .find(|f| f["message"].as_str().unwrap().contains("X-XSS-Protection"))
            .unwrap_or_else(|| panic!("{profile}: {findings:?}"));
        assert_eq!(xss["rule"], "probe-header-missing");
        assert_eq!(xss["severity"], "note", "{profile}");
        let message = xss["message"].as_str().unwrap();
        assert!(message.contains("deprecated"), "{message}");
        assert!(
            message.contains("harmless in current browsers"),
            "{message}"
        );
        // The other headers keep the rule's severity.
        let referrer = findings
            .iter()
            .find(|f| f["message"].as_str().unwrap().contains("Referrer-Policy"))
            .unwrap();
        let expected = if profile == "dev" { "note" } else { "warning" };
        assert_eq!(referrer["severity"], expected, "{profile}");
    }
}

/// Issue 16: a peer whose leaf is byte-identical to a --ca-file certificate
/// is verified (pinning), so the SDK guide's dev recipe (CA:TRUE, no SAN,
/// which rustls alone would refuse) can be probed with credentials.
#[test]
fn a_pinned_self_signed_peer_gets_the_credentials() {
    let p = pki();
    let sb = configured(&p);
    let (cert, key) = common::matrix::dev_recipe();
    sb.file("tls/ca.pem", &cert);
    let server = start(Behaviour::secure(Some((cert, key)), (USER, PASSWORD), HOST));
    let (rules, out) = probe(&sb, &https(&server), &[]);
    assert!(authorizations(&server) > 0, "{rules:?}");
    let json = out.json();
    assert_eq!(json["probe"]["credentials"], "sent", "{}", out.stdout);
    assert!(
        !rules.contains(&"probe-tls-failed".to_string()),
        "{rules:?}"
    );
    assert!(!rules.contains(&"cert-untrusted".to_string()), "{rules:?}");
    // Without the pin the same peer is unverified: nothing is sent.
    let other = Sandbox::new()
        .env("SWML_BASIC_AUTH_USER", USER)
        .env("SWML_BASIC_AUTH_PASSWORD", PASSWORD);
    other.file("tls/ca.pem", &p.ca.pem);
    let before = authorizations(&server);
    let (_, out) = probe(&other, &https(&server), &[]);
    assert_eq!(authorizations(&server), before);
    assert_eq!(
        out.json()["probe"]["credentials"],
        "withheld from an unverified peer"
    );
}

/// Issue 16: an RSA-1024 peer (served by Python's ssl with the security
/// level lowered, as no default would) is cert-weak-key, with the true
/// state of the credentials, with or without --insecure.
#[test]
fn an_rsa_1024_peer_is_a_weak_key_and_the_credentials_stay() {
    let p = pki();
    let sb = configured(&p);
    let leaf = p.ca.sign_public_key(
        &CertSpec::leaf(&[HOST]),
        &common::pki::fixture("keys/rsa1024-public.pem"),
    );
    sb.file("weak/cert.pem", &leaf);
    sb.file(
        "weak/key.pem",
        common::pki::fixture("keys/rsa1024-pkcs8.pem"),
    );
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/tls-matrix/server.py");
    let mut server = std::process::Command::new("python3")
        .arg(script)
        .arg(sb.path("weak/cert.pem"))
        .arg(sb.path("weak/key.pem"))
        .env("TLS_MATRIX_SECLEVEL0", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    let port = line
        .trim()
        .strip_prefix("port ")
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();
    let url = format!("https://{HOST}:{port}/agent");
    for extra in [&[][..], &["--insecure"][..]] {
        let (rules, out) = probe(&sb, &url, extra);
        assert!(
            rules.contains(&"cert-weak-key".to_string()),
            "{extra:?} {rules:?}"
        );
        let json = out.json();
        assert_eq!(
            json["probe"]["credentials"], "not sent: the TLS handshake failed",
            "{extra:?}"
        );
        let failed = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "probe-tls-failed")
            .unwrap_or_else(|| panic!("{json:#}"));
        assert!(
            failed["message"]
                .as_str()
                .unwrap()
                .contains("cert-weak-key"),
            "{failed}"
        );
        assert!(
            !failed["help"].as_str().unwrap().contains("load"),
            "{failed}"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();
}
