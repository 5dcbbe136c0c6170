//! Certificates made at test time, so that validity-dependent tests never rot.
#![allow(dead_code)]

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use time::{Duration, OffsetDateTime};

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name),
    )
    .unwrap()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    EcP256Pkcs8,
    EcP384Pkcs8,
    EcP256Sec1,
    Ed25519,
    RsaPkcs8,
    RsaPkcs1,
    Rsa1024,
}

/// A key pair rcgen can sign with, and the PEM text of the key file to write.
pub fn key(kind: KeyKind) -> (KeyPair, String) {
    match kind {
        KeyKind::EcP256Pkcs8 => {
            let k = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
            let pem = k.serialize_pem();
            (k, pem)
        }
        KeyKind::EcP384Pkcs8 => {
            let k = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
            let pem = k.serialize_pem();
            (k, pem)
        }
        KeyKind::Ed25519 => {
            let k = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
            let pem = k.serialize_pem();
            (k, pem)
        }
        KeyKind::EcP256Sec1 => (
            KeyPair::from_pem(&fixture("keys/ec-p256-pkcs8.pem")).unwrap(),
            fixture("keys/ec-p256-sec1.pem"),
        ),
        KeyKind::RsaPkcs8 => (
            KeyPair::from_pem(&fixture("keys/rsa2048-pkcs8.pem")).unwrap(),
            fixture("keys/rsa2048-pkcs8.pem"),
        ),
        KeyKind::RsaPkcs1 => (
            KeyPair::from_pem(&fixture("keys/rsa2048-pkcs8.pem")).unwrap(),
            fixture("keys/rsa2048-pkcs1.pem"),
        ),
        KeyKind::Rsa1024 => {
            unreachable!("ring cannot sign with RSA 1024; use leaf_with_public_key")
        }
    }
}

pub struct CertSpec {
    pub names: Vec<String>,
    pub not_before_days: i64,
    pub not_after_days: i64,
    pub is_ca: bool,
    pub eku: Vec<ExtendedKeyUsagePurpose>,
    pub cn: String,
}

impl CertSpec {
    pub fn leaf(names: &[&str]) -> Self {
        CertSpec {
            names: names.iter().map(|s| s.to_string()).collect(),
            not_before_days: -10,
            not_after_days: 365,
            is_ca: false,
            eku: vec![ExtendedKeyUsagePurpose::ServerAuth],
            cn: names.first().map_or("leaf".into(), |s| s.to_string()),
        }
    }

    pub fn ca(cn: &str) -> Self {
        CertSpec {
            names: vec![],
            not_before_days: -100,
            not_after_days: 3650,
            is_ca: true,
            eku: vec![],
            cn: cn.into(),
        }
    }

    pub fn params(&self) -> CertificateParams {
        let mut p = CertificateParams::new(self.names.clone()).unwrap();
        p.subject_alt_names = self
            .names
            .iter()
            .map(|n| match n.parse::<std::net::IpAddr>() {
                Ok(ip) => SanType::IpAddress(ip),
                Err(_) => SanType::DnsName(n.clone().try_into().unwrap()),
            })
            .collect();
        let now = OffsetDateTime::now_utc();
        p.not_before = now + Duration::days(self.not_before_days);
        p.not_after = now + Duration::days(self.not_after_days);
        p.distinguished_name = rcgen::DistinguishedName::new();
        p.distinguished_name
            .push(DnType::CommonName, self.cn.clone());
        p.is_ca = if self.is_ca {
            IsCa::Ca(BasicConstraints::Unconstrained)
        } else {
            IsCa::ExplicitNoCa
        };
        if self.is_ca {
            // As public CAs make them: Python 3.13 refuses a CA without
            // keyUsage (cert-key-usage).
            p.key_usages = vec![
                KeyUsagePurpose::KeyCertSign,
                KeyUsagePurpose::CrlSign,
                KeyUsagePurpose::DigitalSignature,
            ];
        }
        p.extended_key_usages = self.eku.clone();
        p
    }
}

/// A certificate authority that can sign leaves and intermediates.
pub struct Ca {
    pub pem: String,
    pub issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    pub fn new(cn: &str) -> Ca {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let params = CertSpec::ca(cn).params();
        let cert = params.self_signed(&key).unwrap();
        Ca {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    pub fn intermediate(&self, cn: &str) -> Ca {
        self.intermediate_with(&CertSpec::ca(cn))
    }

    /// An intermediate with its own validity, extended key usage and so on.
    pub fn intermediate_with(&self, spec: &CertSpec) -> Ca {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let params = spec.params();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Ca {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    pub fn sign(&self, spec: &CertSpec, kind: KeyKind) -> (String, String) {
        let (key, key_pem) = key(kind);
        (
            spec.params().signed_by(&key, &self.issuer).unwrap().pem(),
            key_pem,
        )
    }

    /// A leaf for a public key rcgen cannot sign with (RSA 1024).
    pub fn sign_public_key(&self, spec: &CertSpec, public_key_pem: &str) -> String {
        let spki = rcgen::SubjectPublicKeyInfo::from_pem(public_key_pem).unwrap();
        spec.params().signed_by(&spki, &self.issuer).unwrap().pem()
    }
}

pub fn self_signed(spec: &CertSpec, kind: KeyKind) -> (String, String) {
    let (key, key_pem) = key(kind);
    (spec.params().self_signed(&key).unwrap().pem(), key_pem)
}
