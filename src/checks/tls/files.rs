//! Reading the certificate and key files, and naming their certificates.

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use crate::checks::CheckContext;
use crate::finding::{Finding, Location};
use crate::input::{PEM_SIZE_CAP, ReadError, read_bounded};
use crate::model::ResolvedSetting;

pub(super) fn read_tls_file(
    cx: &mut CheckContext,
    path: &str,
    what: &str,
    resolved: &ResolvedSetting,
    at: Location,
) -> Option<Vec<u8>> {
    let setting = resolved.id.name();
    if resolved.value.as_secret().is_some() {
        // A PEM private key pasted where the path goes: uvicorn takes the
        // text for a file name and raises FileNotFoundError. Not shown.
        let f = Finding::new(
            "tls-file-unreadable",
            format!(
                "the {what} file cannot be read: {setting} holds a PEM private key itself, not the path of a file"
            ),
        )
        .help(format!(
            "{}; write the key to a file only the service can read, point {setting} at it, and rotate the key if this value was committed or logged",
            super::service::missing_file_consequence(cx.service())
        ))
        .setting(setting)
        .at(at);
        let crashes = cx.service().missing_file == crate::service::MissingFile::Crashes;
        cx.push(if crashes { f.blocks_start() } else { f });
        return None;
    }
    match read_bounded(path, PEM_SIZE_CAP) {
        Ok(b) => Some(b),
        Err(e) => {
            let missing = matches!(e, ReadError::NotFound { .. });
            let consequence = match e {
                ReadError::NotFound { .. } => {
                    let mut c = super::service::missing_file_consequence(cx.service());
                    if std::path::Path::new(path).is_relative() {
                        c.push_str(" (a relative path is taken from the service's working directory, not from the config file's folder)");
                    }
                    c
                }
                _ => "the server cannot load it at start-up".to_string(),
            };
            let f = Finding::new(
                "tls-file-unreadable",
                format!("the {what} file cannot be read: {e}"),
            )
            .help(format!(
                "{consequence}; point {setting} at a readable regular file"
            ))
            .setting(setting)
            .at(at);
            // uvicorn raising at start-up is the SDK not starting.
            let crashes =
                missing && cx.service().missing_file == crate::service::MissingFile::Crashes;
            cx.push(if crashes { f.blocks_start() } else { f });
            None
        }
    }
}

pub(super) fn file_location(path: &str) -> Location {
    Location::Path { path: path.into() }
}

pub(super) fn parse_chain(
    cx: &mut CheckContext,
    path: &str,
    bytes: &[u8],
) -> Option<Vec<CertificateDer<'static>>> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(bytes)
        .filter_map(Result::ok)
        .collect();
    if certs.is_empty() {
        let what = if bytes.is_empty() {
            "the file is empty".to_string()
        } else if bytes.first() == Some(&0x30) {
            "it looks like DER; uvicorn needs PEM".to_string()
        } else if contains(bytes, b"PRIVATE KEY-----") {
            "it holds a private key, not a certificate".to_string()
        } else {
            "no -----BEGIN CERTIFICATE----- block".to_string()
        };
        cx.push(
            Finding::new(
                "cert-invalid",
                format!("{path} holds no PEM certificate: {what}"),
            )
            .help("point ssl_cert_path at the PEM certificate chain (leaf first)")
            .setting("ssl_cert_path")
            .at(file_location(path)),
        );
        return None;
    }
    for (i, der) in certs.iter().enumerate() {
        if let Err(e) = X509Certificate::from_der(der) {
            cx.push(
                Finding::new(
                    "cert-invalid",
                    format!("{path}: certificate #{} cannot be parsed: {e}", i + 1),
                )
                .setting("ssl_cert_path")
                .at(file_location(path)),
            );
            return None;
        }
    }
    Some(certs)
}

pub(super) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

pub(super) fn parsed<'a>(der: &'a CertificateDer<'_>) -> Option<X509Certificate<'a>> {
    X509Certificate::from_der(der).ok().map(|(_, c)| c)
}

pub(super) fn is_self_issued(c: &X509Certificate) -> bool {
    c.subject().as_raw() == c.issuer().as_raw() && c.verify_signature(None).is_ok()
}

pub(super) fn is_ca(c: &X509Certificate) -> bool {
    c.basic_constraints()
        .ok()
        .flatten()
        .is_some_and(|bc| bc.value.ca)
}

pub(super) fn date(t: i64) -> String {
    x509_parser::time::ASN1Time::from_timestamp(t).map_or_else(|_| t.to_string(), |d| d.to_string())
}

/// How a finding names one certificate of the file: its position and subject.
pub(super) fn describe_cert(c: &X509Certificate, index: usize) -> String {
    let subject = c.subject().to_string();
    let subject = if subject.is_empty() {
        "an empty subject".to_string()
    } else {
        subject
    };
    if index == 0 {
        format!("the leaf certificate (#1, {subject})")
    } else {
        format!("certificate #{} of the chain ({subject})", index + 1)
    }
}
