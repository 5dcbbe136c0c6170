//! RFC 5280 path cases, made at test time, judged twice: by swml-sec (the
//! real binary) and by rustls-webpki itself (the oracle, pinned in
//! Cargo.lock). The contract: swml-sec rejects exactly the chains webpki
//! rejects for the configured domain; beyond that it may only add findings of
//! its own documented rules (OWN_RULES).

mod common;

use std::time::Duration as StdDuration;

use common::Sandbox;
use common::VERDICT_RULES;
use common::matrix::openssl;
use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, CustomExtension, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer, KeyPair, NameConstraints, SanType,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use time::{Duration, OffsetDateTime};

const DOMAIN: &str = "agent.example.com";

/// swml-sec's own rules (docs/rules.md): advice beyond webpki's verdict.
const OWN_RULES: [&str; 7] = [
    "cert-chain-order",
    "cert-unneeded",
    "cert-key-usage",
    "cert-weak-key",
    "cert-self-signed",
    "cert-expiring",
    "cert-hostname-internal",
];

/// A certificate with the key and parameters to issue more from it.
struct Node {
    params: CertificateParams,
    key: KeyPair,
    pem: String,
}

fn new_key() -> KeyPair {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
}

fn base(cn: &str, ca: bool) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    let now = OffsetDateTime::now_utc();
    p.not_before = now - Duration::days(if ca { 100 } else { 10 });
    p.not_after = now + Duration::days(if ca { 3650 } else { 365 });
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name.push(DnType::CommonName, cn);
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    } else {
        p.is_ca = IsCa::ExplicitNoCa;
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        p.subject_alt_names = vec![SanType::DnsName(DOMAIN.try_into().unwrap())];
    }
    p
}

fn ca_params(cn: &str) -> CertificateParams {
    base(cn, true)
}

fn leaf_params() -> CertificateParams {
    base(DOMAIN, false)
}

fn root(params: CertificateParams) -> Node {
    let key = new_key();
    let pem = params.self_signed(&key).unwrap().pem();
    Node { params, key, pem }
}

fn issue_with(params: CertificateParams, key: KeyPair, by: &Node) -> Node {
    let issuer = Issuer::from_params(&by.params, &by.key);
    let pem = params.signed_by(&key, &issuer).unwrap().pem();
    Node { params, key, pem }
}

fn issue(params: CertificateParams, by: &Node) -> Node {
    issue_with(params, new_key(), by)
}

fn with<F: FnOnce(&mut CertificateParams)>(mut p: CertificateParams, f: F) -> CertificateParams {
    f(&mut p);
    p
}

fn sans(names: &[&str]) -> Vec<SanType> {
    names
        .iter()
        .map(|n| match n.parse::<std::net::IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName((*n).try_into().unwrap()),
        })
        .collect()
}

fn critical(oid: &[u64], content: Vec<u8>) -> CustomExtension {
    let mut e = CustomExtension::from_oid_content(oid, content);
    e.set_criticality(true);
    e
}

/// One corpus case: the file swml-sec reads, the anchor both judges trust,
/// the name to cover and when.
struct Case {
    name: &'static str,
    chain: String,
    anchor: String,
    domain: String,
    /// Judged at this date (`--at`), else now.
    at: Option<(String, i64)>,
    /// A verdict rule swml-sec must report (when webpki rejects), or an own
    /// rule it must report (when webpki accepts), if any.
    expect: Option<&'static str>,
    /// A rule swml-sec must not report here.
    forbid: Option<&'static str>,
}

fn case(name: &'static str, chain: &[&Node], anchor: &Node, expect: Option<&'static str>) -> Case {
    Case {
        name,
        chain: chain.iter().map(|n| n.pem.as_str()).collect(),
        anchor: anchor.pem.clone(),
        domain: DOMAIN.into(),
        at: None,
        expect,
        forbid: None,
    }
}

fn forbidding(mut c: Case, rule: &'static str) -> Case {
    c.forbid = Some(rule);
    c
}

fn for_domain(mut c: Case, domain: &str) -> Case {
    c.domain = domain.into();
    c
}

/// A leaf for DOMAIN that openssl issues from `ca` (what rcgen cannot make:
/// an ECDSA-with-SHA1 signature, a DSA key).
fn openssl_leaf(ca: &Node, key_commands: &[&[&str]], digest: &str) -> Node {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("ca.pem"), &ca.pem).unwrap();
    std::fs::write(d.join("ca.key"), ca.key.serialize_pem()).unwrap();
    std::fs::write(
        d.join("ext.cnf"),
        format!(
            "subjectAltName=DNS:{DOMAIN}\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n"
        ),
    )
    .unwrap();
    for command in key_commands {
        openssl(d, command);
    }
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-subj",
            "/CN=agent.example.com",
            "-out",
            "leaf.csr",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "90",
            digest,
            "-extfile",
            "ext.cnf",
            "-out",
            "leaf.pem",
        ],
    );
    Node {
        params: leaf_params(),
        key: new_key(),
        pem: std::fs::read_to_string(d.join("leaf.pem")).unwrap(),
    }
}

/// The outer signatureAlgorithm of `node` changed from ecdsa-with-SHA256 to
/// ecdsa-with-SHA384, so it no longer equals the one inside the TBS part.
fn with_mismatched_signature_algorithm(node: &Node) -> Node {
    let der = CertificateDer::from_pem_slice(node.pem.as_bytes()).unwrap();
    let mut bytes = der.as_ref().to_vec();
    let sha256 = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
    let last = bytes
        .windows(sha256.len())
        .rposition(|w| w == sha256)
        .unwrap();
    bytes[last + sha256.len() - 1] = 0x03;
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let body: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    Node {
        params: leaf_params(),
        key: new_key(),
        pem: format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            body.join("\n")
        ),
    }
}

fn corpus() -> Vec<Case> {
    let now = OffsetDateTime::now_utc();
    let root_a = root(ca_params("Corpus Root A"));
    let inter = issue(ca_params("Corpus Intermediate"), &root_a);
    let leaf = issue(leaf_params(), &inter);
    let mut cases = Vec::new();

    // Validity of each certificate in the path.
    cases.push(case(
        "valid leaf and intermediate",
        &[&leaf, &inter],
        &root_a,
        None,
    ));
    let expired_leaf = issue(
        with(leaf_params(), |p| {
            p.not_before = now - Duration::days(400);
            p.not_after = now - Duration::days(5);
        }),
        &inter,
    );
    cases.push(case(
        "expired leaf",
        &[&expired_leaf, &inter],
        &root_a,
        Some("cert-expired"),
    ));
    let future_leaf = issue(
        with(leaf_params(), |p| {
            p.not_before = now + Duration::days(5);
        }),
        &inter,
    );
    cases.push(case(
        "leaf not yet valid",
        &[&future_leaf, &inter],
        &root_a,
        Some("cert-not-yet-valid"),
    ));
    let expired_inter = issue(
        with(ca_params("Corpus Expired Intermediate"), |p| {
            p.not_before = now - Duration::days(800);
            p.not_after = now - Duration::days(3);
        }),
        &root_a,
    );
    let leaf_of_expired = issue(leaf_params(), &expired_inter);
    cases.push(case(
        "expired intermediate",
        &[&leaf_of_expired, &expired_inter],
        &root_a,
        Some("cert-expired"),
    ));
    let mut at_case = case(
        "expired intermediate judged with --at when it was valid",
        &[&leaf_of_expired, &expired_inter],
        &root_a,
        None,
    );
    let then = now - Duration::days(6);
    at_case.at = Some((
        format!(
            "{:04}-{:02}-{:02}",
            then.year(),
            u8::from(then.month()),
            then.day()
        ),
        then.unix_timestamp(),
    ));
    cases.push(at_case);
    let future_inter = issue(
        with(ca_params("Corpus Future Intermediate"), |p| {
            p.not_before = now + Duration::days(3);
        }),
        &root_a,
    );
    let leaf_of_future = issue(leaf_params(), &future_inter);
    cases.push(case(
        "intermediate not yet valid",
        &[&leaf_of_future, &future_inter],
        &root_a,
        Some("cert-not-yet-valid"),
    ));
    let expired_root = root(with(ca_params("Corpus Expired Root"), |p| {
        p.not_before = now - Duration::days(900);
        p.not_after = now - Duration::days(1);
    }));
    let leaf_of_expired_root = issue(leaf_params(), &expired_root);
    cases.push(case(
        "expired trust anchor (anchors carry no validity)",
        &[&leaf_of_expired_root],
        &expired_root,
        None,
    ));

    // Extended key usage, nested.
    let client_leaf = issue(
        with(leaf_params(), |p| {
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        }),
        &inter,
    );
    cases.push(case(
        "leaf EKU without serverAuth",
        &[&client_leaf, &inter],
        &root_a,
        Some("cert-not-for-server"),
    ));
    let no_eku_leaf = issue(
        with(leaf_params(), |p| p.extended_key_usages.clear()),
        &inter,
    );
    cases.push(case(
        "leaf without EKU",
        &[&no_eku_leaf, &inter],
        &root_a,
        None,
    ));
    let client_inter = issue(
        with(ca_params("Corpus ClientAuth Intermediate"), |p| {
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        }),
        &root_a,
    );
    let leaf_of_client_inter = issue(leaf_params(), &client_inter);
    cases.push(case(
        "intermediate EKU without serverAuth",
        &[&leaf_of_client_inter, &client_inter],
        &root_a,
        Some("cert-not-for-server"),
    ));
    let server_inter = issue(
        with(ca_params("Corpus ServerAuth Intermediate"), |p| {
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        }),
        &root_a,
    );
    let leaf_of_server_inter = issue(leaf_params(), &server_inter);
    cases.push(case(
        "intermediate EKU with serverAuth",
        &[&leaf_of_server_inter, &server_inter],
        &root_a,
        None,
    ));
    let any_inter = issue(
        with(ca_params("Corpus AnyEKU Intermediate"), |p| {
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::Any];
        }),
        &root_a,
    );
    let leaf_of_any_inter = issue(leaf_params(), &any_inter);
    cases.push(case(
        "intermediate EKU anyExtendedKeyUsage only",
        &[&leaf_of_any_inter, &any_inter],
        &root_a,
        Some("cert-not-for-server"),
    ));

    // basicConstraints and pathLen.
    let ca_leaf = issue(
        with(leaf_params(), |p| {
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        }),
        &inter,
    );
    cases.push(case(
        "leaf is a CA",
        &[&ca_leaf, &inter],
        &root_a,
        Some("cert-not-for-server"),
    ));
    let not_ca_inter = issue(
        with(ca_params("Corpus Non-CA Issuer"), |p| {
            p.is_ca = IsCa::ExplicitNoCa
        }),
        &root_a,
    );
    let leaf_of_not_ca = issue(leaf_params(), &not_ca_inter);
    cases.push(case(
        "issuer with CA:FALSE",
        &[&leaf_of_not_ca, &not_ca_inter],
        &root_a,
        Some("cert-untrusted"),
    ));
    let no_bc_inter = issue(
        with(ca_params("Corpus No-BC Issuer"), |p| p.is_ca = IsCa::NoCa),
        &root_a,
    );
    let leaf_of_no_bc = issue(leaf_params(), &no_bc_inter);
    cases.push(case(
        "issuer without basicConstraints",
        &[&leaf_of_no_bc, &no_bc_inter],
        &root_a,
        Some("cert-untrusted"),
    ));
    let root_len0 = root(with(ca_params("Corpus Root pathLen 0"), |p| {
        p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    }));
    let inter_under_len0 = issue(ca_params("Corpus Intermediate under pathLen 0"), &root_len0);
    let leaf_under_len0 = issue(leaf_params(), &inter_under_len0);
    // webpki keeps no basicConstraints of a trust anchor (openssl would
    // refuse this path): the oracle accepts, so swml-sec must too.
    cases.push(case(
        "root (the anchor) pathLen 0 with an intermediate",
        &[&leaf_under_len0, &inter_under_len0],
        &root_len0,
        None,
    ));
    let direct_len0 = issue(leaf_params(), &root_len0);
    cases.push(case(
        "root pathLen 0, leaf issued directly",
        &[&direct_len0],
        &root_len0,
        None,
    ));
    let inter_len0 = issue(
        with(ca_params("Corpus Intermediate pathLen 0"), |p| {
            p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        }),
        &root_a,
    );
    let leaf_of_len0 = issue(leaf_params(), &inter_len0);
    cases.push(case(
        "intermediate pathLen 0 issuing the leaf",
        &[&leaf_of_len0, &inter_len0],
        &root_a,
        None,
    ));
    let sub_of_len0 = issue(ca_params("Corpus Sub-intermediate"), &inter_len0);
    let leaf_of_sub = issue(leaf_params(), &sub_of_len0);
    cases.push(case(
        "intermediate pathLen 0 with a sub-intermediate",
        &[&leaf_of_sub, &sub_of_len0, &inter_len0],
        &root_a,
        Some("cert-untrusted"),
    ));

    // Name constraints, DNS and IP.
    let constrained = |permitted: Vec<GeneralSubtree>, excluded: Vec<GeneralSubtree>, cn| {
        issue(
            with(ca_params(cn), |p| {
                p.name_constraints = Some(NameConstraints {
                    permitted_subtrees: permitted,
                    excluded_subtrees: excluded,
                });
            }),
            &root_a,
        )
    };
    let nc_ok = constrained(
        vec![GeneralSubtree::DnsName("example.com".into())],
        vec![],
        "Corpus NC example.com",
    );
    let leaf_nc_ok = issue(leaf_params(), &nc_ok);
    cases.push(case(
        "DNS name constraint permits",
        &[&leaf_nc_ok, &nc_ok],
        &root_a,
        None,
    ));
    let nc_other = constrained(
        vec![GeneralSubtree::DnsName("example.org".into())],
        vec![],
        "Corpus NC example.org",
    );
    let leaf_nc_other = issue(leaf_params(), &nc_other);
    cases.push(case(
        "DNS name constraint does not permit",
        &[&leaf_nc_other, &nc_other],
        &root_a,
        Some("cert-untrusted"),
    ));
    let nc_excluded = constrained(
        vec![],
        vec![GeneralSubtree::DnsName("agent.example.com".into())],
        "Corpus NC excluded",
    );
    let leaf_nc_excluded = issue(leaf_params(), &nc_excluded);
    cases.push(case(
        "DNS name constraint excludes",
        &[&leaf_nc_excluded, &nc_excluded],
        &root_a,
        Some("cert-untrusted"),
    ));
    let ip_leaf_params = || with(leaf_params(), |p| p.subject_alt_names = sans(&["10.1.2.3"]));
    let nc_ip = constrained(
        vec![GeneralSubtree::IpAddress(CidrSubnet::V4(
            [10, 0, 0, 0],
            [255, 0, 0, 0],
        ))],
        vec![],
        "Corpus NC 10/8",
    );
    let leaf_nc_ip = issue(ip_leaf_params(), &nc_ip);
    cases.push(for_domain(
        case(
            "IP name constraint permits",
            &[&leaf_nc_ip, &nc_ip],
            &root_a,
            None,
        ),
        "10.1.2.3",
    ));
    let nc_ip_other = constrained(
        vec![GeneralSubtree::IpAddress(CidrSubnet::V4(
            [192, 168, 0, 0],
            [255, 255, 0, 0],
        ))],
        vec![],
        "Corpus NC 192.168/16",
    );
    let leaf_nc_ip_other = issue(ip_leaf_params(), &nc_ip_other);
    cases.push(for_domain(
        case(
            "IP name constraint does not permit",
            &[&leaf_nc_ip_other, &nc_ip_other],
            &root_a,
            Some("cert-untrusted"),
        ),
        "10.1.2.3",
    ));

    // Critical extensions and malformed ones.
    let unknown_critical = issue(
        with(leaf_params(), |p| {
            p.custom_extensions = vec![critical(&[1, 3, 6, 1, 4, 1, 55555, 1], vec![0x05, 0x00])];
        }),
        &inter,
    );
    cases.push(case(
        "leaf with an unknown critical extension",
        &[&unknown_critical, &inter],
        &root_a,
        Some("cert-invalid"),
    ));
    let unknown_noncritical = issue(
        with(leaf_params(), |p| {
            p.custom_extensions = vec![CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 4, 1, 55555, 1],
                vec![0x05, 0x00],
            )];
        }),
        &inter,
    );
    cases.push(case(
        "leaf with an unknown non-critical extension",
        &[&unknown_noncritical, &inter],
        &root_a,
        None,
    ));
    let bad_aia = issue(
        with(leaf_params(), |p| {
            p.custom_extensions = vec![critical(
                &[1, 3, 6, 1, 5, 5, 7, 1, 1],
                vec![0x04, 0x01, 0x00],
            )];
        }),
        &inter,
    );
    cases.push(case(
        "leaf with a critical invalid authorityInfoAccess",
        &[&bad_aia, &inter],
        &root_a,
        Some("cert-invalid"),
    ));
    let inter_unknown_critical = issue(
        with(ca_params("Corpus Critical-Extension Intermediate"), |p| {
            p.custom_extensions = vec![critical(&[1, 3, 6, 1, 4, 1, 55555, 2], vec![0x05, 0x00])];
        }),
        &root_a,
    );
    let leaf_of_critical = issue(leaf_params(), &inter_unknown_critical);
    cases.push(case(
        "intermediate with an unknown critical extension",
        &[&leaf_of_critical, &inter_unknown_critical],
        &root_a,
        Some("cert-invalid"),
    ));
    cases.push(forbidding(
        case(
            "signature algorithm differs from the TBS field",
            &[&with_mismatched_signature_algorithm(&leaf), &inter],
            &root_a,
            Some("cert-invalid"),
        ),
        "cert-chain-order",
    ));

    // SAN, wildcard and IP matching.
    let wildcard = issue(
        with(leaf_params(), |p| {
            p.subject_alt_names = sans(&["*.example.com"])
        }),
        &inter,
    );
    cases.push(case(
        "wildcard covers one label",
        &[&wildcard, &inter],
        &root_a,
        None,
    ));
    cases.push(for_domain(
        case(
            "wildcard does not cover two labels",
            &[&wildcard, &inter],
            &root_a,
            Some("cert-hostname-mismatch"),
        ),
        "a.agent.example.com",
    ));
    cases.push(for_domain(
        case(
            "wildcard does not cover the bare domain",
            &[&wildcard, &inter],
            &root_a,
            Some("cert-hostname-mismatch"),
        ),
        "example.com",
    ));
    let other_name = issue(
        with(leaf_params(), |p| {
            p.subject_alt_names = sans(&["www.example.com"])
        }),
        &inter,
    );
    cases.push(case(
        "SAN lacks the domain",
        &[&other_name, &inter],
        &root_a,
        Some("cert-hostname-mismatch"),
    ));
    let cn_only = issue(with(leaf_params(), |p| p.subject_alt_names.clear()), &inter);
    cases.push(case(
        "name only in the CN, no SAN",
        &[&cn_only, &inter],
        &root_a,
        Some("cert-hostname-mismatch"),
    ));
    let ip_leaf = issue(
        with(leaf_params(), |p| {
            p.subject_alt_names = sans(&["192.0.2.10"])
        }),
        &inter,
    );
    cases.push(for_domain(
        case(
            "IP SAN covers the address",
            &[&ip_leaf, &inter],
            &root_a,
            None,
        ),
        "192.0.2.10",
    ));
    cases.push(for_domain(
        case(
            "IP SAN does not cover another address",
            &[&ip_leaf, &inter],
            &root_a,
            Some("cert-hostname-mismatch"),
        ),
        "192.0.2.11",
    ));
    let dns_as_ip = issue(
        with(leaf_params(), |p| {
            p.subject_alt_names = sans(&["agent.example.com"])
        }),
        &inter,
    );
    cases.push(for_domain(
        case(
            "DNS SAN does not cover an address",
            &[&dns_as_ip, &inter],
            &root_a,
            Some("cert-hostname-mismatch"),
        ),
        "192.0.2.10",
    ));

    // Ordering, extra and missing intermediates.
    cases.push(case(
        "intermediate before the leaf",
        &[&inter, &leaf],
        &root_a,
        Some("cert-chain-order"),
    ));
    cases.push(case(
        "root included after the intermediate",
        &[&leaf, &inter, &root_a],
        &root_a,
        None,
    ));
    let stranger = issue(ca_params("Corpus Unrelated Intermediate"), &root_a);
    // Off the path (issue 16): clients build their path and ignore the
    // rest, so these are cert-unneeded, never a verdict rule.
    cases.push(forbidding(
        case(
            "extra unrelated intermediate at the end",
            &[&leaf, &inter, &stranger],
            &root_a,
            Some("cert-unneeded"),
        ),
        "cert-chain-order",
    ));
    let stale_inter = issue_with(
        with(ca_params("Corpus Intermediate"), |p| {
            p.not_before = now - Duration::days(800);
            p.not_after = now - Duration::days(4);
        }),
        KeyPair::from_pem(&inter.key.serialize_pem()).unwrap(),
        &root_a,
    );
    cases.push(forbidding(
        case(
            "expired copy of the intermediate besides the current one",
            &[&leaf, &inter, &stale_inter],
            &root_a,
            Some("cert-unneeded"),
        ),
        "cert-expired",
    ));
    let old_root = root(ca_params("Corpus Old Root"));
    let expired_cross = issue_with(
        with(ca_params("Corpus Intermediate"), |p| {
            p.not_before = now - Duration::days(3000);
            p.not_after = now - Duration::days(30);
        }),
        KeyPair::from_pem(&inter.key.serialize_pem()).unwrap(),
        &old_root,
    );
    cases.push(forbidding(
        case(
            "expired cross-sign of the intermediate no path needs",
            &[&leaf, &inter, &expired_cross],
            &root_a,
            Some("cert-unneeded"),
        ),
        "cert-expired",
    ));
    let unused_client_inter = issue(
        with(ca_params("Corpus Unused ClientAuth Intermediate"), |p| {
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        }),
        &root_a,
    );
    cases.push(forbidding(
        case(
            "clientAuth-only intermediate that no path uses",
            &[&leaf, &inter, &unused_client_inter],
            &root_a,
            Some("cert-unneeded"),
        ),
        "cert-not-for-server",
    ));
    cases.push(case(
        "missing intermediate",
        &[&leaf],
        &root_a,
        Some("cert-untrusted"),
    ));
    let direct = issue(leaf_params(), &root_a);
    cases.push(case(
        "leaf issued by the root directly",
        &[&direct],
        &root_a,
        None,
    ));
    let impostor = issue(ca_params("Corpus Intermediate"), &root_a);
    cases.push(case(
        "issuer with the right name but another key",
        &[&leaf, &impostor],
        &root_a,
        Some("cert-untrusted"),
    ));

    // Cross-signed paths: one intermediate key, issued by two roots.
    let root_b = root(ca_params("Corpus Root B"));
    let cross_key = new_key();
    let cross_key_pem = cross_key.serialize_pem();
    let cross_by_a = issue_with(ca_params("Corpus Cross Intermediate"), cross_key, &root_a);
    let cross_by_b = issue_with(
        ca_params("Corpus Cross Intermediate"),
        KeyPair::from_pem(&cross_key_pem).unwrap(),
        &root_b,
    );
    let leaf_cross = issue(leaf_params(), &cross_by_a);
    cases.push(case(
        "cross-signed: the path to root B",
        &[&leaf_cross, &cross_by_b],
        &root_b,
        None,
    ));
    cases.push(case(
        "cross-signed: both versions served, root A trusted",
        &[&leaf_cross, &cross_by_b, &cross_by_a],
        &root_a,
        None,
    ));
    cases.push(case(
        "cross-signed: only the version of an untrusted root",
        &[&leaf_cross, &cross_by_b],
        &root_a,
        Some("cert-untrusted"),
    ));

    // What rcgen cannot make: openssl issues these.
    let sha1_leaf = openssl_leaf(
        &inter,
        &[&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "leaf.key",
        ]],
        "-sha1",
    );
    cases.push(forbidding(
        case(
            "leaf signed ecdsa-with-SHA1, correctly ordered",
            &[&sha1_leaf, &inter],
            &root_a,
            Some("cert-weak-signature"),
        ),
        "cert-chain-order",
    ));
    let dsa_leaf = openssl_leaf(
        &inter,
        &[
            &[
                "genpkey",
                "-genparam",
                "-algorithm",
                "DSA",
                "-pkeyopt",
                "dsa_paramgen_bits:2048",
                "-out",
                "dsa.param",
            ],
            &["genpkey", "-paramfile", "dsa.param", "-out", "leaf.key"],
        ],
        "-sha256",
    );
    cases.push(case(
        "leaf with a DSA key",
        &[&dsa_leaf, &inter],
        &root_a,
        Some("cert-weak-key"),
    ));
    cases
}

/// webpki's verdict on a case: Ok, or its error in debug text (for the
/// failure message only).
fn webpki_verdict(c: &Case, now: i64) -> Result<(), String> {
    let chain: Vec<CertificateDer> = CertificateDer::pem_slice_iter(c.chain.as_bytes())
        .map(Result::unwrap)
        .collect();
    let anchor_der = CertificateDer::from_pem_slice(c.anchor.as_bytes()).unwrap();
    let anchor = webpki::anchor_from_trusted_cert(&anchor_der)
        .unwrap()
        .to_owned();
    let ee = webpki::EndEntityCert::try_from(&chain[0]).map_err(|e| format!("{e:?}"))?;
    let time = UnixTime::since_unix_epoch(StdDuration::from_secs(now as u64));
    ee.verify_for_usage(
        rustls::crypto::ring::default_provider()
            .signature_verification_algorithms
            .all,
        &[anchor],
        &chain[1..],
        time,
        webpki::KeyUsage::server_auth(),
        None,
        None,
    )
    .map_err(|e| format!("{e:?}"))?;
    let name = ServerName::try_from(c.domain.as_str()).unwrap();
    ee.verify_is_valid_for_subject_name(&name)
        .map_err(|e| format!("{e:?}"))
}

struct Judged {
    rules: Vec<String>,
    messages: Vec<String>,
}

fn swml_sec(c: &Case, ca_file: bool) -> Judged {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new()
        .env("SWML_SSL_ENABLED", "true")
        .env("SWML_SSL_CERT_PATH", "chain.pem")
        .env("SWML_SSL_KEY_PATH", "key.pem")
        .env("SWML_DOMAIN", &c.domain)
        .env("SWML_ALLOWED_HOSTS", &c.domain);
    sb.file("chain.pem", &c.chain);
    sb.file("ca.pem", &c.anchor);
    let key = sb.file("key.pem", new_key().serialize_pem());
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut args = vec!["check", "--format", "json", "--profile", "prod"];
    if ca_file {
        args.extend(["--ca-file", "ca.pem"]);
    }
    if let Some((date, _)) = &c.at {
        args.extend(["--at", date.as_str()]);
    }
    let out = sb.run(&args);
    assert!(matches!(out.code, Some(0 | 1)), "{}: {}", c.name, out.all());
    let json = out.json();
    let findings = json["findings"].as_array().unwrap();
    Judged {
        rules: findings
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .filter(|r| r.starts_with("cert-"))
            .collect(),
        messages: findings
            .iter()
            .filter(|f| f["rule"].as_str().unwrap().starts_with("cert-"))
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect(),
    }
}

/// Rust type names in a message: `UnknownIssuer`, `CaUsedAsEndEntity`
/// (outside the certificate subjects it quotes).
fn has_debug_text(message: &str) -> bool {
    let mut outside = String::new();
    let mut rest = message;
    while let Some(start) = rest.find("CN=") {
        outside.push_str(&rest[..start]);
        rest = rest[start..].split_once(')').map_or("", |(_, r)| r);
    }
    outside.push_str(rest);
    // The client families the messages name are proper names, not Rust's.
    for name in ["OpenSSL", "GnuTLS"] {
        outside = outside.replace(name, "");
    }
    outside.contains('{')
        || outside
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| {
                let mut chars = w.chars();
                chars.next().is_some_and(|c| c.is_ascii_uppercase())
                    && w.chars().skip(1).any(|c| c.is_ascii_uppercase())
                    && w.chars().any(|c| c.is_ascii_lowercase())
            })
}

#[test]
fn swml_sec_agrees_with_webpki_on_every_path_case() {
    let corpus = corpus();
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut agree = 0;
    let mut problems = Vec::new();
    for c in &corpus {
        let at = c.at.as_ref().map_or(now, |(_, t)| *t);
        let oracle = webpki_verdict(c, at);
        let judged = swml_sec(c, true);
        let verdicts: Vec<&String> = judged
            .rules
            .iter()
            .filter(|r| VERDICT_RULES.contains(&r.as_str()))
            .collect();
        let extra: Vec<&String> = judged
            .rules
            .iter()
            .filter(|r| !VERDICT_RULES.contains(&r.as_str()) && !OWN_RULES.contains(&r.as_str()))
            .collect();
        let swml_rejects = !verdicts.is_empty();
        let agrees = oracle.is_err() == swml_rejects && extra.is_empty();
        let expected = c
            .expect
            .is_none_or(|rule| judged.rules.iter().any(|r| r == rule));
        let plain = judged.messages.iter().all(|m| !has_debug_text(m));
        let expected = expected
            && c.forbid
                .is_none_or(|rule| !judged.rules.iter().any(|r| r == rule));
        if std::env::var_os("CORPUS_VERBOSE").is_some() {
            eprintln!("{}: webpki {oracle:?}\n  {:?}", c.name, judged.messages);
        }
        if agrees && expected && plain {
            agree += 1;
        } else {
            problems.push(format!(
                "{}: webpki {oracle:?}, swml-sec {:?} (expected {:?}) {:?}",
                c.name, judged.rules, c.expect, judged.messages
            ));
        }
    }
    eprintln!(
        "path corpus: {} cases, {agree} agree with rustls-webpki",
        corpus.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(corpus.len() >= 40, "{}", corpus.len());
}

/// Without --ca-file every corpus chain comes from a private root: whatever
/// else webpki says first (an expired intermediate, a missing serverAuth),
/// cert-untrusted must be among the findings.
#[test]
fn every_private_chain_is_untrusted_without_ca_file() {
    let missing: Vec<String> = corpus()
        .iter()
        .filter(|c| {
            !swml_sec(c, false)
                .rules
                .iter()
                .any(|r| r == "cert-untrusted")
        })
        .map(|c| c.name.to_string())
        .collect();
    assert!(missing.is_empty(), "no cert-untrusted for: {missing:?}");
}

#[test]
fn webpki_debug_text_is_detected() {
    assert!(has_debug_text(
        "the chain does not lead to a root (UnknownIssuer)"
    ));
    assert!(has_debug_text(
        "UnsupportedSignatureAlgorithmContext { signature_algorithm_id: [6, 7] }"
    ));
    assert!(!has_debug_text(
        "certificate #2 of the chain (CN=Corpus AnyEKU Intermediate) expired"
    ));
    assert!(!has_debug_text(
        "refused by rustls; OpenSSL, Java and GnuTLS accept it"
    ));
}
