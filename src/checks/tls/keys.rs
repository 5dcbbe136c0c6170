//! Key and signature strength, the private key and its permissions.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use x509_parser::certificate::X509Certificate;
use x509_parser::public_key::PublicKey;

use super::files::{contains, file_location, parsed};
use crate::checks::CheckContext;
use crate::finding::{Finding, Location};

/// OIDs of signature algorithms that can be forged.
pub(super) const WEAK_SIGNATURES: [(&str, &str); 6] = [
    ("1.2.840.113549.1.1.2", "MD2 with RSA"),
    ("1.2.840.113549.1.1.4", "MD5 with RSA"),
    ("1.2.840.113549.1.1.5", "SHA-1 with RSA"),
    ("1.2.840.10045.4.1", "ECDSA with SHA-1"),
    ("1.2.840.10040.4.3", "DSA with SHA-1"),
    ("1.3.14.3.2.29", "SHA-1 with RSA (OIW)"),
];

/// `loaded`: the certificate is in ssl_cert_path, which Python's ssl loads
/// at start-up (not a chain served by some other server).
pub(super) fn check_key_strength(
    cx: &mut CheckContext,
    c: &X509Certificate,
    which: &str,
    at: &Location,
    loaded: bool,
) {
    let Ok(pk) = c.public_key().parsed() else {
        return;
    };
    let weak = match &pk {
        PublicKey::RSA(rsa) if rsa.key_size() < 2048 => {
            Some(format!("RSA {} bits", rsa.key_size()))
        }
        PublicKey::EC(ec) if ec.key_size() < 256 => Some(format!("EC {} bits", ec.key_size())),
        PublicKey::DSA(_) => Some("DSA, which TLS clients no longer accept".to_string()),
        _ => None,
    };
    let Some(what) = weak else { return };
    // OpenSSL 3 at security level 2 (Python's own default, and Debian's and
    // Ubuntu's) refuses keys under 112 bits of security when the chain is
    // loaded: uvicorn exits (scripts/tls-matrix, rsa1024-leaf).
    let too_small_to_load = loaded && matches!(&pk, PublicKey::RSA(rsa) if rsa.key_size() < 2048);
    let consequence = if too_small_to_load {
        super::refused_when_loaded("EE_KEY_TOO_SMALL, CA_KEY_TOO_SMALL")
    } else {
        String::new()
    };
    let mut f = Finding::new(
        "cert-weak-key",
        format!("{which} has a weak key: {what}{consequence}"),
    )
    .help("re-issue with RSA 2048+ or ECDSA P-256+")
    .setting("ssl_cert_path")
    .at(at.clone());
    if too_small_to_load {
        f = f.blocks_start();
    }
    cx.push(f);
}

/// A parsed private key, or why it could not be used.
pub struct KeyInfo {
    der: PrivateKeyDer<'static>,
}

pub(super) fn parse_key(cx: &mut CheckContext, path: &str, bytes: &[u8]) -> Option<KeyInfo> {
    if contains(bytes, b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        || contains(bytes, b"Proc-Type: 4,ENCRYPTED")
    {
        cx.push(
            Finding::new("key-encrypted", format!("{path} is passphrase-protected; the SDK passes no passphrase"))
                .help("store it decrypted with strict permissions: openssl pkey -in enc.key -out agent.key")
                .setting("ssl_key_path")
                .at(file_location(path)),
        );
        return None;
    }
    match PrivateKeyDer::from_pem_slice(bytes) {
        Ok(der) => Some(KeyInfo { der }),
        Err(_) => {
            let what = if bytes.is_empty() {
                "the file is empty"
            } else if contains(bytes, b"-----BEGIN CERTIFICATE-----") {
                "it holds a certificate, not a private key"
            } else if bytes.first() == Some(&0x30) {
                "it looks like DER; uvicorn needs PEM"
            } else {
                "no PEM private key block (PKCS#1, PKCS#8 or SEC1)"
            };
            cx.push(
                Finding::new(
                    "key-invalid",
                    format!("{path} holds no usable private key: {what}"),
                )
                .help("point ssl_key_path at the PEM private key of the certificate")
                .setting("ssl_key_path")
                .at(file_location(path)),
            );
            None
        }
    }
}

/// The key file's mode, and its directory's: a key that group or others can
/// read, or that anyone can replace because its directory is writable by
/// others without the sticky bit. `bundled` says why a certificate file is
/// judged as a key.
pub(super) fn check_key_permissions(
    cx: &mut CheckContext,
    path: &str,
    setting: &'static str,
    bundled: Option<&str>,
) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let what = bundled.map_or(String::new(), |b| format!(" ({b})"));
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                cx.push(
                    Finding::new(
                        "key-permissions",
                        format!(
                            "{path}{what} has mode {mode:04o}: group or others can access the private key"
                        ),
                    )
                    .help(if bundled.is_some() {
                        format!("keep the key in its own file, or chmod 600 {path}")
                    } else {
                        format!("chmod 600 {path}")
                    })
                    .setting(setting)
                    .at(file_location(path)),
                );
            }
        }
        let path_ref = std::path::Path::new(path);
        let dir = match path_ref.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        if let Ok(meta) = std::fs::metadata(&dir) {
            let mode = meta.permissions().mode() & 0o7777;
            let others_write = mode & 0o002 != 0;
            let sticky = mode & 0o1000 != 0;
            if others_write && !sticky {
                let dir_text = dir.display();
                cx.push(
                    Finding::new(
                        "key-permissions",
                        format!(
                            "{path}{what} is in {dir_text}, which has mode {mode:04o}: anyone can replace or remove the private key"
                        ),
                    )
                    .help(format!(
                        "chmod o-w {dir_text}, or move the key to a directory only the service's user can write"
                    ))
                    .setting(setting)
                    .at(file_location(path)),
                );
            }
        }
    }
}

pub(super) fn check_key_match(
    cx: &mut CheckContext,
    cert_path: &str,
    key_path: &str,
    leaf: &CertificateDer,
    key: &KeyInfo,
) {
    let Some(matches) = key_matches(leaf, key) else {
        return;
    };
    match matches {
        Some(true) => {}
        Some(false) => cx.push(
            Finding::new(
                "key-mismatch",
                format!("{key_path} is not the private key of the certificate in {cert_path}"),
            )
            .help("use the key the certificate was issued for")
            .setting("ssl_key_path")
            .at(file_location(key_path)),
        ),
        None => cx.push(
            Finding::new(
                "key-invalid",
                format!("{key_path}: the key type is not supported for TLS"),
            )
            .setting("ssl_key_path")
            .at(file_location(key_path)),
        ),
    }
}

/// Whether `key` is the private key of `cert`: None when the certificate
/// cannot be read, Some(None) when the key type is not supported.
pub(super) fn key_matches(cert: &CertificateDer, key: &KeyInfo) -> Option<Option<bool>> {
    let cert = parsed(cert)?;
    let cert_spki = cert.public_key().raw;
    Some(
        match rustls::crypto::ring::sign::any_supported_type(&key.der) {
            Ok(signing) => signing.public_key().map(|spki| spki.as_ref() == cert_spki),
            // ring refuses RSA keys below 2048 bits: compare the moduli directly.
            Err(_) => rsa_modulus_of_key(&key.der).map(|n| match cert.public_key().parsed() {
                Ok(PublicKey::RSA(rsa)) => strip_zeros(rsa.modulus) == strip_zeros(&n),
                _ => false,
            }),
        },
    )
}

pub(super) fn strip_zeros(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    &b[start..]
}

/// The modulus of an RSA private key (PKCS#1, or PKCS#1 inside PKCS#8).
pub(super) fn rsa_modulus_of_key(key: &PrivateKeyDer) -> Option<Vec<u8>> {
    use x509_parser::der_parser::ber::BerObjectContent;
    use x509_parser::der_parser::der::parse_der;
    let pkcs1: Vec<u8> = match key {
        PrivateKeyDer::Pkcs1(k) => k.secret_pkcs1_der().to_vec(),
        PrivateKeyDer::Pkcs8(k) => {
            let (_, obj) = parse_der(k.secret_pkcs8_der()).ok()?;
            let seq = obj.as_sequence().ok()?;
            match &seq.get(2)?.content {
                BerObjectContent::OctetString(inner) => inner.to_vec(),
                _ => return None,
            }
        }
        _ => return None,
    };
    let (_, obj) = parse_der(&pkcs1).ok()?;
    let seq = obj.as_sequence().ok()?;
    match &seq.get(1)?.content {
        BerObjectContent::Integer(n) => Some(n.to_vec()),
        _ => None,
    }
}
