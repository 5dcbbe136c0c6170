//! The server set-ups of the TLS client matrix (scripts/tls-matrix): made at
//! run time from the committed keys in fixtures/keys, validity relative to
//! now, so that the script serves and the replay test judges the same thing.
#![allow(dead_code)]

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use time::{Duration, OffsetDateTime};

use super::pki::fixture;

pub const HOST: &str = "agent.example.com";

/// One set-up: the files uvicorn is given, what the client trusts, and the
/// name it connects to.
pub struct Setup {
    pub name: &'static str,
    /// What the set-up shows, for the goldens' readers.
    pub about: &'static str,
    pub chain: String,
    pub key: String,
    /// The client's extra anchors (`--ca-file` for swml-sec), if any.
    pub ca: Option<String>,
    pub host: &'static str,
}

impl Setup {
    /// Writes cert.pem, key.pem, ca.pem (if any) and host.txt into `dir`.
    pub fn write(&self, dir: &Path) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("cert.pem"), &self.chain).unwrap();
        let key = dir.join("key.pem");
        std::fs::write(&key, &self.key).unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        if let Some(ca) = &self.ca {
            std::fs::write(dir.join("ca.pem"), ca).unwrap();
        }
        std::fs::write(dir.join("host.txt"), self.host).unwrap();
        std::fs::write(dir.join("about.txt"), self.about).unwrap();
    }
}

/// A certificate and what is needed to issue from it.
struct Node {
    params: CertificateParams,
    key: KeyPair,
    pem: String,
}

fn key(name: &str) -> KeyPair {
    KeyPair::from_pem(&fixture(&format!("keys/{name}"))).unwrap()
}

fn dn(cn: &str) -> rcgen::DistinguishedName {
    let mut d = rcgen::DistinguishedName::new();
    d.push(DnType::CommonName, cn);
    d
}

/// A CA as public CAs make them (keyUsage, key identifiers): what Python
/// 3.13's strict verification asks for.
fn ca_params(cn: &str, from_days: i64, to_days: i64) -> CertificateParams {
    let now = OffsetDateTime::now_utc();
    let mut p = CertificateParams::default();
    p.distinguished_name = dn(cn);
    p.not_before = now + Duration::days(from_days);
    p.not_after = now + Duration::days(to_days);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.use_authority_key_identifier_extension = true;
    p
}

fn leaf_params(host: &str) -> CertificateParams {
    let now = OffsetDateTime::now_utc();
    let mut p = CertificateParams::default();
    p.distinguished_name = dn(host);
    p.not_before = now - Duration::days(10);
    p.not_after = now + Duration::days(365);
    p.is_ca = IsCa::ExplicitNoCa;
    p.subject_alt_names = vec![SanType::DnsName(host.try_into().unwrap())];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.use_authority_key_identifier_extension = true;
    p
}

fn root(params: CertificateParams, key_name: &str) -> Node {
    let key = key(key_name);
    let pem = params.self_signed(&key).unwrap().pem();
    Node { params, key, pem }
}

fn issue(params: CertificateParams, key: KeyPair, by: &Node) -> Node {
    let issuer = Issuer::from_params(&by.params, &by.key);
    let pem = params.signed_by(&key, &issuer).unwrap().pem();
    Node { params, key, pem }
}

fn with<F: FnOnce(&mut CertificateParams)>(mut p: CertificateParams, f: F) -> CertificateParams {
    f(&mut p);
    p
}

fn cat(nodes: &[&Node]) -> String {
    nodes.iter().map(|n| n.pem.as_str()).collect()
}

/// Runs openssl with `args` in `dir`, which must succeed.
pub fn openssl(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The dev recipe's certificate and key (CA:TRUE, CN=localhost, no SAN).
pub fn dev_recipe() -> (String, String) {
    (openssl_self_signed(&[]), fixture("keys/matrix/leaf.pem"))
}

/// The SDK guide's dev recipe: `openssl req -x509` with OpenSSL 3's default
/// configuration (CA:TRUE, no subjectAltName), with `extra` arguments.
fn openssl_self_signed(extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("key.pem"), fixture("keys/matrix/leaf.pem")).unwrap();
    let mut args = vec![
        "req",
        "-x509",
        "-key",
        "key.pem",
        "-out",
        "cert.pem",
        "-days",
        "365",
        "-subj",
        "/CN=localhost",
    ];
    args.extend_from_slice(extra);
    openssl(d, &args);
    std::fs::read_to_string(d.join("cert.pem")).unwrap()
}

/// A chain with SHA-1 signatures (rcgen cannot make them): root,
/// intermediate (signed with `inter_digest`), leaf (`leaf_digest`).
fn sha1_chain(inter_digest: &str, leaf_digest: &str) -> (String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("root.key"), fixture("keys/rsa2048-pkcs8.pem")).unwrap();
    std::fs::write(d.join("inter.key"), fixture("keys/matrix/inter.pem")).unwrap();
    std::fs::write(d.join("leaf.key"), fixture("keys/matrix/leaf.pem")).unwrap();
    std::fs::write(
        d.join("ca.cnf"),
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    std::fs::write(
        d.join("leaf.cnf"),
        format!("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:{HOST}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"),
    )
    .unwrap();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-key",
            "root.key",
            "-out",
            "root.pem",
            "-days",
            "3650",
            "-sha256",
            "-subj",
            "/CN=Matrix SHA-1 Root",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "inter.key",
            "-out",
            "inter.csr",
            "-subj",
            "/CN=Matrix SHA-1 Intermediate",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "inter.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root.key",
            "-CAcreateserial",
            "-out",
            "inter.pem",
            "-days",
            "3000",
            inter_digest,
            "-extfile",
            "ca.cnf",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            &format!("/CN={HOST}"),
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
            "inter.pem",
            "-CAkey",
            "inter.key",
            "-CAcreateserial",
            "-out",
            "leaf.pem",
            "-days",
            "365",
            leaf_digest,
            "-extfile",
            "leaf.cnf",
        ],
    );
    let read = |n: &str| std::fs::read_to_string(d.join(n)).unwrap();
    (read("root.pem"), read("inter.pem"), read("leaf.pem"))
}

fn setup(
    name: &'static str,
    about: &'static str,
    chain: String,
    key: &str,
    ca: Option<&Node>,
    host: &'static str,
) -> Setup {
    Setup {
        name,
        about,
        chain,
        key: key.to_string(),
        ca: ca.map(|c| c.pem.clone()),
        host,
    }
}

/// Every set-up of the matrix.
#[allow(clippy::vec_init_then_push)] // one set-up per statement reads as a list
pub fn setups() -> Vec<Setup> {
    let now = OffsetDateTime::now_utc();
    let root_ = root(ca_params("Matrix Root", -100, 3650), "matrix/root.pem");
    let inter = issue(
        ca_params("Matrix Intermediate", -50, 1800),
        key("matrix/inter.pem"),
        &root_,
    );
    let leaf = issue(leaf_params(HOST), key("matrix/leaf.pem"), &inter);
    let leaf_key = fixture("keys/matrix/leaf.pem");
    let old_root = root(
        ca_params("Matrix Old Root", -3000, -10),
        "matrix/root-old.pem",
    );
    let mut out = Vec::new();

    out.push(setup(
        "full-chain",
        "leaf and intermediate, root trusted",
        cat(&[&leaf, &inter]),
        &leaf_key,
        Some(&root_),
        HOST,
    ));
    out.push(setup(
        "full-chain-with-root",
        "leaf, intermediate and the root itself",
        cat(&[&leaf, &inter, &root_]),
        &leaf_key,
        Some(&root_),
        HOST,
    ));
    out.push(setup(
        "incomplete-chain",
        "the leaf alone (certbot's cert.pem instead of fullchain.pem)",
        cat(&[&leaf]),
        &leaf_key,
        Some(&root_),
        HOST,
    ));
    out.push(setup(
        "ca-file-intermediate",
        "the leaf alone, the client trusts the intermediate, not the root",
        cat(&[&leaf]),
        &leaf_key,
        Some(&inter),
        HOST,
    ));
    out.push(setup(
        "no-ca-file",
        "a private chain, the client trusts only the public roots",
        cat(&[&leaf, &inter]),
        &leaf_key,
        None,
        HOST,
    ));

    // Certificates off the path.
    let cross = issue(
        with(ca_params("Matrix Intermediate", -3000, -20), |_| {}),
        key("matrix/inter.pem"),
        &old_root,
    );
    out.push(setup(
        "unneeded-expired-cross-sign",
        "an expired cross-sign of the intermediate by another root, after the chain",
        cat(&[&leaf, &inter, &cross]),
        &leaf_key,
        Some(&root_),
        HOST,
    ));
    let stale = issue(
        ca_params("Matrix Intermediate", -800, -5),
        key("matrix/inter.pem"),
        &root_,
    );
    out.push(setup(
        "expired-cross-sign-first",
        "an expired cross-sign of the intermediate before the current one (as Let's Encrypt's DST chain)",
        cat(&[&leaf, &cross, &inter]),
        &leaf_key,
        Some(&root_),
        HOST,
    ));
    out.push(setup(
        "stale-expired-intermediate",
        "an expired copy of the intermediate (same name and key) before the current one",
        cat(&[&leaf, &stale, &inter]),
        &leaf_key,
        Some(&root_),
        HOST,
    ));
    let client_only = issue(
        with(
            ca_params("Matrix ClientAuth Intermediate", -50, 1800),
            |p| {
                p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
            },
        ),
        key("matrix/other.pem"),
        &root_,
    );
    out.push(setup(
        "unused-clientauth-intermediate",
        "a clientAuth-only intermediate that no path uses",
        cat(&[&leaf, &inter, &client_only]),
        &leaf_key,
        Some(&root_),
        HOST,
    ));
    let unrelated = issue(
        leaf_params("other.example.org"),
        key("matrix/other.pem"),
        &old_root,
    );
    out.push(setup(
        "unrelated-certificate",
        "an unrelated (and expired-root) certificate after the chain",
        cat(&[&leaf, &inter, &unrelated]),
        &leaf_key,
        Some(&root_),
        HOST,
    ));
    out.push(setup(
        "root-before-intermediate",
        "leaf, root, intermediate: the issuers out of order",
        cat(&[&leaf, &root_, &inter]),
        &leaf_key,
        Some(&root_),
        HOST,
    ));
    out.push(setup(
        "intermediate-first",
        "the intermediate before the leaf",
        cat(&[&inter, &leaf]),
        &leaf_key,
        Some(&root_),
        HOST,
    ));

    // The dev recipe.
    let recipe = openssl_self_signed(&[]);
    out.push(Setup {
        name: "dev-recipe",
        about: "openssl req -x509 -subj /CN=localhost (CA:TRUE, no subjectAltName), pinned by the client",
        chain: recipe.clone(),
        key: leaf_key.clone(),
        ca: Some(recipe),
        host: "localhost",
    });
    let fixed = openssl_self_signed(&[
        "-addext",
        "subjectAltName=DNS:localhost",
        "-addext",
        "basicConstraints=critical,CA:FALSE",
    ]);
    out.push(Setup {
        name: "dev-recipe-fixed",
        about: "the recipe with -addext subjectAltName=DNS:localhost -addext basicConstraints=critical,CA:FALSE",
        chain: fixed.clone(),
        key: leaf_key.clone(),
        ca: Some(fixed.clone()),
        host: "localhost",
    });
    out.push(Setup {
        name: "self-signed-no-ca-file",
        about: "the fixed recipe, but the client trusts only the public roots",
        chain: fixed,
        key: leaf_key.clone(),
        ca: None,
        host: "localhost",
    });
    let ca_leaf = issue(
        with(leaf_params(HOST), |p| {
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        }),
        key("matrix/leaf.pem"),
        &inter,
    );
    out.push(setup(
        "ca-leaf",
        "a leaf with basicConstraints CA:TRUE and a subjectAltName",
        cat(&[&ca_leaf, &inter]),
        &leaf_key,
        Some(&root_),
        HOST,
    ));
    let cn_only = issue(
        with(leaf_params(HOST), |p| p.subject_alt_names.clear()),
        key("matrix/leaf.pem"),
        &inter,
    );
    out.push(setup(
        "cn-without-san",
        "the host in the CN only, no subjectAltName",
        cat(&[&cn_only, &inter]),
        &leaf_key,
        Some(&root_),
        HOST,
    ));

    // Keys and signatures the server's OpenSSL refuses to load.
    let rsa1024 = {
        let spki =
            rcgen::SubjectPublicKeyInfo::from_pem(&fixture("keys/rsa1024-public.pem")).unwrap();
        let issuer = Issuer::from_params(&inter.params, &inter.key);
        leaf_params(HOST).signed_by(&spki, &issuer).unwrap().pem()
    };
    out.push(setup(
        "rsa1024-leaf",
        "an RSA 1024-bit leaf",
        rsa1024 + &inter.pem,
        &fixture("keys/rsa1024-pkcs8.pem"),
        Some(&root_),
        HOST,
    ));
    let (sha1_root, sha1_inter, sha1_leaf) = sha1_chain("-sha1", "-sha256");
    out.push(Setup {
        name: "sha1-intermediate",
        about: "an intermediate signed with SHA-1",
        chain: sha1_leaf + &sha1_inter,
        key: leaf_key.clone(),
        ca: Some(sha1_root),
        host: HOST,
    });

    let (root_256, inter_256, leaf_sha1) = sha1_chain("-sha256", "-sha1");
    out.push(Setup {
        name: "sha1-leaf",
        about: "a leaf signed with SHA-1 by a SHA-256 intermediate",
        chain: leaf_sha1 + &inter_256,
        key: leaf_key.clone(),
        ca: Some(root_256),
        host: HOST,
    });
    let sha1_self = fixture("certs/sha1-selfsigned.pem");
    out.push(Setup {
        name: "sha1-self-signed-pinned",
        about: "a self-signed SHA-1 certificate (CA:TRUE), pinned by the client",
        chain: sha1_self.clone(),
        key: fixture("certs/sha1-selfsigned.key"),
        ca: Some(sha1_self),
        host: "sha1.example.com",
    });

    // keyUsage.
    let bare_root = root(
        with(ca_params("Matrix Bare Root", -100, 3650), |p| {
            p.key_usages.clear();
            p.use_authority_key_identifier_extension = false;
        }),
        "matrix/root-old.pem",
    );
    let bare_leaf = issue(leaf_params(HOST), key("matrix/leaf.pem"), &bare_root);
    out.push(setup(
        "private-ca-without-key-usage",
        "a private root without keyUsage (the usual openssl req -x509 CA tutorial)",
        cat(&[&bare_leaf]),
        &leaf_key,
        Some(&bare_root),
        HOST,
    ));
    let rsa_key = fixture("keys/rsa2048-pkcs8.pem");
    let ke_leaf = issue(
        with(leaf_params(HOST), |p| {
            p.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
        }),
        KeyPair::from_pem(&rsa_key).unwrap(),
        &inter,
    );
    out.push(setup(
        "leaf-key-usage-without-digital-signature",
        "an RSA leaf whose keyUsage is keyEncipherment only",
        cat(&[&ke_leaf, &inter]),
        &rsa_key,
        Some(&root_),
        HOST,
    ));

    // Verdicts every client gives.
    let client_leaf = issue(
        with(leaf_params(HOST), |p| {
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        }),
        key("matrix/leaf.pem"),
        &inter,
    );
    out.push(setup(
        "leaf-clientauth-only",
        "a leaf whose extended key usage is clientAuth only",
        cat(&[&client_leaf, &inter]),
        &leaf_key,
        Some(&root_),
        HOST,
    ));
    let expired_leaf = issue(
        with(leaf_params(HOST), |p| {
            p.not_before = now - Duration::days(400);
            p.not_after = now - Duration::days(3);
        }),
        key("matrix/leaf.pem"),
        &inter,
    );
    out.push(setup(
        "expired-leaf",
        "the leaf expired three days ago",
        cat(&[&expired_leaf, &inter]),
        &leaf_key,
        Some(&root_),
        HOST,
    ));
    let other_name = issue(
        leaf_params("other.example.com"),
        key("matrix/leaf.pem"),
        &inter,
    );
    out.push(setup(
        "hostname-mismatch",
        "the leaf covers another name",
        cat(&[&other_name, &inter]),
        &leaf_key,
        Some(&root_),
        HOST,
    ));
    out
}
