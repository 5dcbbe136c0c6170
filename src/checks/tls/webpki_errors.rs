//! rustls-webpki's verdicts in plain words.

use rustls_pki_types::{CertificateDer, UnixTime};
use x509_parser::certificate::X509Certificate;

use super::files::{date, describe_cert, is_ca};
use super::keys::WEAK_SIGNATURES;
use super::path::{push_once, untrusted};
use super::usage::lacks_server_auth;
use crate::checks::CheckContext;
use crate::finding::{Finding, Location};

/// The certificate of the file whose validity ends (or starts) at `t`.
pub(super) fn cert_with_time(certs: &[X509Certificate], t: u64, end: bool) -> Option<String> {
    certs.iter().enumerate().find_map(|(i, c)| {
        let v = if end {
            c.validity().not_after.timestamp()
        } else {
            c.validity().not_before.timestamp()
        };
        (u64::try_from(v).ok() == Some(t)).then(|| describe_cert(c, i))
    })
}

/// The name of a signature algorithm from the DER of its OID.
pub(super) fn algorithm_name(oid_der: &[u8]) -> String {
    let oid = x509_parser::der_parser::oid::Oid::new(std::borrow::Cow::Borrowed(oid_der));
    let id = oid.to_id_string();
    match WEAK_SIGNATURES.iter().find(|(o, _)| *o == id) {
        Some((_, name)) => name.to_string(),
        None => match id.as_str() {
            "1.2.840.10040.4.3" | "2.16.840.1.101.3.4.3.2" => "DSA".to_string(),
            _ => format!("the algorithm {id}"),
        },
    }
}

/// Turns an identifier such as `CertExpired` into `cert expired`.
pub(super) fn plain_words(debug: &str) -> String {
    let ident: String = debug
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let mut out = String::new();
    for (i, c) in ident.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Which certificate of the file a webpki error is about, in words.
pub(super) fn culprit(
    error: &webpki::Error,
    chain: &[CertificateDer],
    certs: &[X509Certificate],
) -> String {
    use webpki::Error as E;
    let found = match error {
        // Errors in reading a certificate: read each one alone.
        E::UnsupportedCriticalExtension
        | E::ExtensionValueInvalid
        | E::MalformedExtensions
        | E::BadDer
        | E::TrailingData(_)
        | E::BadDerTime
        | E::InvalidCertValidity
        | E::UnsupportedCertVersion
        | E::InvalidSerialNumber
        | E::SignatureAlgorithmMismatch
        | E::MalformedDnsIdentifier
        | E::MalformedNameConstraint
        | E::InvalidNetworkMaskConstraint
        | E::UnsupportedNameType
        | E::EmptyEkuExtension => {
            let fails = |der: &CertificateDer| webpki::EndEntityCert::try_from(der).err();
            chain
                .iter()
                .position(|der| fails(der).as_ref() == Some(error))
                .or_else(|| chain.iter().position(|der| fails(der).is_some()))
                .or_else(|| {
                    matches!(error, E::SignatureAlgorithmMismatch).then(|| {
                        certs
                            .iter()
                            .position(|c| c.signature_algorithm != c.tbs_certificate.signature)
                    })?
                })
        }
        E::EndEntityUsedAsCa => (1..certs.len()).find(|&i| !is_ca(&certs[i])),
        E::RequiredEkuNotFoundContext(_) => {
            (0..certs.len()).find(|&i| lacks_server_auth(&certs[i]))
        }
        E::UnsupportedSignatureAlgorithmContext(c) => (0..certs.len()).find(|&i| {
            c.signature_algorithm_id
                .ends_with(certs[i].signature_algorithm.algorithm.as_bytes())
        }),
        _ => None,
    };
    found.map_or_else(
        || "a certificate of the chain".to_string(),
        |i| describe_cert(&certs[i], i),
    )
}

/// One webpki verdict as a finding in plain words; never dropped.
pub(super) fn push_webpki_error(
    cx: &mut CheckContext,
    error: &webpki::Error,
    chain: &[CertificateDer],
    certs: &[X509Certificate],
    at: &Location,
    first_finding: usize,
) {
    use webpki::Error as E;
    let date_of = |t: &UnixTime| date(t.as_secs() as i64);
    let which_end = |t: &UnixTime| {
        cert_with_time(certs, t.as_secs(), true)
            .unwrap_or_else(|| "a certificate of the chain".into())
    };
    let which_start = |t: &UnixTime| {
        cert_with_time(certs, t.as_secs(), false)
            .unwrap_or_else(|| "a certificate of the chain".into())
    };
    let who = culprit(error, chain, certs);
    let invalid = |what: &str| {
        Finding::new("cert-invalid", format!("clients refuse the chain: {what}"))
            .help("re-issue the certificate with a standard profile (your CA's defaults)")
            .setting("ssl_cert_path")
            .at(at.clone())
    };
    #[allow(deprecated)]
    let finding = match error {
        E::CertExpired { not_after, .. } => Finding::new(
            "cert-expired",
            format!("{} expired on {}", which_end(not_after), date_of(not_after)),
        )
        .help("renew it, or serve the current chain of your CA")
        .setting("ssl_cert_path")
        .at(at.clone()),
        E::CertNotValidYet { not_before, .. } => Finding::new(
            "cert-not-yet-valid",
            format!(
                "{} is not valid before {}",
                which_start(not_before),
                date_of(not_before)
            ),
        )
        .help("check the clock where it was issued, or wait")
        .setting("ssl_cert_path")
        .at(at.clone()),
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => {
            Finding::new(
                "cert-not-for-server",
                format!("{who} limits its extended key usage and serverAuth is not in it"),
            )
            .help("re-issue it with extendedKeyUsage = serverAuth")
            .setting("ssl_cert_path")
            .at(at.clone())
        }
        E::CaUsedAsEndEntity => Finding::new(
            "cert-not-for-server",
            "the leaf certificate is a CA certificate (basicConstraints CA:TRUE)",
        )
        .help("use the server certificate issued by the CA, not the CA's own")
        .setting("ssl_cert_path")
        .at(at.clone()),
        E::UnsupportedSignatureAlgorithmContext(c)
        | E::UnsupportedCrlSignatureAlgorithmContext(c) => Finding::new(
            "cert-weak-signature",
            format!(
                "{who} is signed with {}, which clients no longer accept",
                algorithm_name(&c.signature_algorithm_id)
            ),
        )
        .help("re-issue it with SHA-256 or better")
        .setting("ssl_cert_path")
        .at(at.clone()),
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedCrlSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedCrlSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
        | E::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_) => Finding::new(
            "cert-weak-signature",
            "a certificate of the chain is signed with an algorithm clients do not accept for its issuer's key",
        )
        .help("re-issue it with SHA-256 or better (RSA or ECDSA P-256/P-384)")
        .setting("ssl_cert_path")
        .at(at.clone()),
        E::SignatureAlgorithmMismatch => invalid(&format!(
            "the signature algorithm of {who} differs from the one in its signed part (RFC 5280 4.1.1.2)"
        )),
        E::UnsupportedCriticalExtension => invalid(&format!(
            "{who} has a critical extension that clients do not know"
        )),
        E::ExtensionValueInvalid | E::MalformedExtensions => invalid(&format!(
            "{who} has a malformed extension (such as authorityInfoAccess)"
        )),
        E::BadDer | E::TrailingData(_) => invalid(&format!("{who} is not valid DER")),
        E::BadDerTime | E::InvalidCertValidity => invalid(&format!(
            "the validity dates of {who} are malformed or out of order"
        )),
        E::UnsupportedCertVersion => invalid(&format!("{who} is not X.509 version 3")),
        E::InvalidSerialNumber => invalid(&format!("the serial number of {who} is invalid")),
        E::MalformedDnsIdentifier => invalid(&format!("{who} holds a malformed DNS name")),
        E::MalformedNameConstraint | E::InvalidNetworkMaskConstraint => {
            invalid(&format!("the name constraints of {who} are malformed"))
        }
        E::UnsupportedNameType => invalid(&format!(
            "{who} holds a name of a type clients cannot check"
        )),
        E::UnknownIssuer => untrusted(
            "it does not lead to a public web root or a --ca-file anchor",
            at,
        ),
        E::InvalidSignatureForPublicKey => untrusted(
            "a signature in the chain does not verify with its issuer's key",
            at,
        ),
        E::EndEntityUsedAsCa => untrusted(
            &format!("{who} is not a CA (basicConstraints) but issues another certificate"),
            at,
        ),
        E::PathLenConstraintViolated => untrusted(
            "the path is longer than an issuer's basicConstraints pathLen allows",
            at,
        ),
        E::NameConstraintViolation => untrusted(
            "the leaf's names are outside an issuer's name constraints",
            at,
        ),
        E::MaximumPathDepthExceeded
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumSignatureChecksExceeded
        | E::MaximumNameConstraintComparisonsExceeded => untrusted(
            "the chain is too long or complex for clients to check",
            at,
        ),
        E::CertDistrusted => untrusted("a certificate of the chain is distrusted", at),
        E::CertRevoked => untrusted("a certificate of the chain is revoked", at),
        E::CertNotValidForName(_) => Finding::new(
            "cert-hostname-mismatch",
            "the certificate does not cover the expected name",
        )
        .help("re-issue the certificate with this name in its subjectAltName")
        .setting("ssl_cert_path")
        .at(at.clone()),
        E::CrlExpired { .. }
        | E::InvalidCrlNumber
        | E::InvalidCrlSignatureForPublicKey
        | E::IssuerNotCrlSigner
        | E::UnknownRevocationStatus
        | E::UnsupportedCrlIssuingDistributionPoint
        | E::UnsupportedCrlVersion
        | E::UnsupportedDeltaCrl
        | E::UnsupportedIndirectCrl
        | E::UnsupportedRevocationReason
        | E::UnsupportedRevocationReasonsPartitioning => untrusted(
            &format!("revocation cannot be checked ({})", plain_words(&error.to_string())),
            at,
        ),
        // A variant added after this list was written: still reported, in
        // the words of its name.
        other => untrusted(
            &format!("rustls-webpki rejects it ({})", plain_words(&other.to_string())),
            at,
        ),
    };
    push_once(cx, first_finding, finding);
}

#[cfg(test)]
mod tests {
    use super::{plain_words, push_webpki_error};
    use crate::checks::{CheckContext, CheckOptions};
    use crate::finding::Location;

    #[test]
    fn unknown_webpki_errors_are_put_in_words() {
        assert_eq!(plain_words("CertExpired { time: 1 }"), "cert expired");
        assert_eq!(plain_words("UnknownIssuer"), "unknown issuer");
    }

    /// Every variant becomes a finding in plain words: no Rust names, no
    /// braces, never nothing.
    #[test]
    #[allow(deprecated)]
    fn every_webpki_error_becomes_a_plain_finding() {
        use webpki::Error as E;
        let env = crate::input::EnvView::from_pairs(Vec::<(String, String)>::new());
        let res = crate::resolve::resolve_with_config_bytes(&env, "config.json", b"{}");
        let options = CheckOptions::at_time(0);
        let t = rustls_pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(1));
        let errors = vec![
            E::BadDer,
            E::BadDerTime,
            E::CaUsedAsEndEntity,
            E::CertDistrusted,
            E::CertExpired {
                time: t,
                not_after: t,
            },
            E::CertNotValidYet {
                time: t,
                not_before: t,
            },
            E::CertRevoked,
            E::CrlExpired {
                time: t,
                next_update: t,
            },
            E::EmptyEkuExtension,
            E::EndEntityUsedAsCa,
            E::ExtensionValueInvalid,
            E::InvalidCertValidity,
            E::InvalidCrlNumber,
            E::InvalidNetworkMaskConstraint,
            E::InvalidSerialNumber,
            E::InvalidCrlSignatureForPublicKey,
            E::InvalidSignatureForPublicKey,
            E::IssuerNotCrlSigner,
            E::MalformedDnsIdentifier,
            E::MalformedExtensions,
            E::MalformedNameConstraint,
            E::MaximumNameConstraintComparisonsExceeded,
            E::MaximumPathBuildCallsExceeded,
            E::MaximumPathDepthExceeded,
            E::MaximumSignatureChecksExceeded,
            E::NameConstraintViolation,
            E::PathLenConstraintViolated,
            E::RequiredEkuNotFound,
            E::SignatureAlgorithmMismatch,
            E::UnknownIssuer,
            E::UnknownRevocationStatus,
            E::UnsupportedCertVersion,
            E::UnsupportedCriticalExtension,
            E::UnsupportedCrlIssuingDistributionPoint,
            E::UnsupportedCrlVersion,
            E::UnsupportedDeltaCrl,
            E::UnsupportedIndirectCrl,
            E::UnsupportedNameType,
            E::UnsupportedRevocationReason,
            E::UnsupportedRevocationReasonsPartitioning,
            E::UnsupportedCrlSignatureAlgorithm,
            E::UnsupportedSignatureAlgorithm,
            E::UnsupportedCrlSignatureAlgorithmForPublicKey,
            E::UnsupportedSignatureAlgorithmForPublicKey,
        ];
        for error in errors {
            let mut cx = CheckContext::new(&res, &options);
            push_webpki_error(&mut cx, &error, &[], &[], &Location::Default, 0);
            let findings = cx.into_findings();
            assert_eq!(findings.len(), 1, "{error:?}");
            let message = &findings[0].message;
            let camel = message
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| {
                    w.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                        && w.chars().skip(1).any(|c| c.is_ascii_uppercase())
                        && w.chars().any(|c| c.is_ascii_lowercase())
                });
            assert!(!camel && !message.contains('{'), "{error:?}: {message}");
        }
    }
}
