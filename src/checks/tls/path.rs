//! The chain as a client builds it: validity, order, trust anchors.

use rustls_pki_types::{CertificateDer, UnixTime};
use std::time::Duration;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use super::files::{
    date, describe_cert, file_location, is_ca, is_self_issued, is_trailing_root, parsed,
};
use super::keys::{WEAK_SIGNATURES, check_key_strength};
use super::names::{WantedName, check_hostnames, configured_names};
use super::usage::check_server_usage;
use super::webpki_errors::push_webpki_error;
use crate::checks::CheckContext;
use crate::finding::{Finding, Location};

pub(super) fn check_chain(cx: &mut CheckContext, path: &str, chain: &[CertificateDer<'static>]) {
    let names = configured_names(cx);
    check_chain_at(cx, &file_location(path), chain, names, true);
}

/// The certificate rules on a chain a server presented, for `probe`;
/// `judge_trust` false (`--insecure`) skips `cert-untrusted`.
pub fn check_served_chain(
    cx: &mut CheckContext,
    url: &str,
    host: &str,
    chain: &[CertificateDer<'static>],
    judge_trust: bool,
) {
    let at = Location::Url {
        url: url.to_string(),
    };
    let names = vec![WantedName {
        host: host.to_string(),
        origin: "the probed URL".into(),
        setting: None,
        location: at.clone(),
    }];
    check_chain_at(cx, &at, chain, names, judge_trust);
}

pub(super) fn check_chain_at(
    cx: &mut CheckContext,
    at: &Location,
    chain: &[CertificateDer<'static>],
    names: Vec<WantedName>,
    judge_trust: bool,
) {
    let certs: Vec<X509Certificate> = chain.iter().filter_map(parsed).collect();
    let Some(leaf) = certs.first() else { return };
    let first_finding = cx.findings.len();
    let at = at.clone();
    for index in 0..certs.len() {
        if !is_trailing_root(&certs, index) {
            check_validity(cx, &certs[index], index, &at);
        }
    }
    if is_self_issued(leaf) {
        cx.push(
            Finding::new("cert-self-signed", "the leaf certificate is self-signed")
                .help("SignalWire calls the service over the public internet: use a certificate from a public CA")
                .setting("ssl_cert_path")
                .at(at.clone()),
        );
    }
    check_server_usage(cx, &certs, &at);
    for (i, c) in certs.iter().enumerate() {
        let which = describe_cert(c, i);
        check_key_strength(cx, c, &which, &at);
        if !is_trailing_root(&certs, i) {
            let oid = c.signature_algorithm.algorithm.to_id_string();
            if let Some((_, name)) = WEAK_SIGNATURES.iter().find(|(o, _)| *o == oid) {
                cx.push(
                    Finding::new(
                        "cert-weak-signature",
                        format!("{which} is signed with {name}"),
                    )
                    .help("re-issue it with SHA-256 or better")
                    .setting("ssl_cert_path")
                    .at(at.clone()),
                );
            }
        }
    }
    check_order(cx, &certs, &at);
    let ee = webpki::EndEntityCert::try_from(&chain[0]);
    check_hostnames(cx, leaf, ee.as_ref().ok(), names);
    match ee {
        Ok(ee) if judge_trust => check_trust(cx, &ee, chain, &certs, &at, first_finding),
        Ok(_) => {}
        // webpki cannot even read the leaf: every client built on it
        // refuses the certificate, --insecure or not.
        Err(e) => {
            push_webpki_error(cx, &e, chain, &certs, &at, first_finding);
            if judge_trust && !reaches_anchor(&certs, &anchors(cx)) {
                push_once(cx, first_finding, untrusted(NO_ANCHOR, &at));
            }
        }
    }
}

pub(super) fn check_validity(
    cx: &mut CheckContext,
    c: &X509Certificate,
    index: usize,
    at: &Location,
) {
    let now = cx.options.at;
    let which = describe_cert(c, index);
    let not_before = c.validity().not_before.timestamp();
    let not_after = c.validity().not_after.timestamp();
    if now > not_after {
        cx.push(
            Finding::new(
                "cert-expired",
                format!(
                    "{which} expired on {} ({} days ago)",
                    date(not_after),
                    (now - not_after) / 86_400
                ),
            )
            .help(if index == 0 {
                "renew the certificate"
            } else {
                "serve the current intermediate of your CA (download the chain again)"
            })
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
    } else if now < not_before {
        cx.push(
            Finding::new(
                "cert-not-yet-valid",
                format!("{which} is not valid before {}", date(not_before)),
            )
            .help("check the clock where it was issued, or wait")
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
    } else if not_after - now < i64::from(cx.options.warn_days) * 86_400 {
        cx.push(
            Finding::new(
                "cert-expiring",
                format!(
                    "{which} expires on {}, in {} days",
                    date(not_after),
                    (not_after - now) / 86_400
                ),
            )
            .help(format!(
                "renew it: it is inside the {}-day warning window",
                cx.options.warn_days
            ))
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
    }
}

/// Whether `issuer` issued `child`: the names link, and the signature
/// verifies, or cannot be checked because of its algorithm (a weak or
/// unsupported signature is cert-weak-signature, not an ordering problem).
pub(super) fn issued_by(child: &X509Certificate, issuer: &X509Certificate) -> bool {
    child.issuer().as_raw() == issuer.subject().as_raw()
        && (child.signature_algorithm != child.tbs_certificate.signature
            || match child.verify_signature(Some(issuer.public_key())) {
                Ok(()) => true,
                Err(x509_parser::error::X509Error::SignatureVerificationError) => false,
                Err(_) => true,
            })
}

pub(super) fn check_order(cx: &mut CheckContext, certs: &[X509Certificate], at: &Location) {
    if certs.len() > 1 && is_ca(&certs[0]) && certs[1..].iter().any(|c| !is_ca(c)) {
        cx.push(
            Finding::new(
                "cert-chain-order",
                "the first certificate is a CA but a later one is not: the leaf must come first",
            )
            .help("order the file leaf first, then each issuer")
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
        return;
    }
    for (i, pair) in certs.windows(2).enumerate() {
        if !issued_by(&pair[0], &pair[1]) {
            cx.push(
                Finding::new(
                    "cert-chain-order",
                    format!(
                        "{} is not issued by {} that follows it",
                        describe_cert(&pair[0], i),
                        describe_cert(&pair[1], i + 1)
                    ),
                )
                .help(
                    "order the file leaf first, then each issuer, and drop unrelated certificates",
                )
                .setting("ssl_cert_path")
                .at(at.clone()),
            );
            return;
        }
    }
}

/// The trust anchors: the public web roots and the --ca-file certificates.
pub(super) fn anchors(cx: &CheckContext) -> Vec<rustls_pki_types::TrustAnchor<'static>> {
    let mut anchors: Vec<rustls_pki_types::TrustAnchor> = webpki_roots::TLS_SERVER_ROOTS.to_vec();
    for der in &cx.options.ca_anchors {
        if let Ok(a) = webpki::anchor_from_trusted_cert(der) {
            anchors.push(a.to_owned());
        }
    }
    anchors
}

pub(super) fn check_trust(
    cx: &mut CheckContext,
    ee: &webpki::EndEntityCert,
    chain: &[CertificateDer<'static>],
    certs: &[X509Certificate],
    at: &Location,
    first_finding: usize,
) {
    let anchors = anchors(cx);
    let algs = rustls::crypto::ring::default_provider()
        .signature_verification_algorithms
        .all;
    let time = UnixTime::since_unix_epoch(Duration::from_secs(cx.options.at.max(0) as u64));
    let result = ee.verify_for_usage(
        algs,
        &anchors,
        &chain[1..],
        time,
        webpki::KeyUsage::server_auth(),
        None,
        None,
    );
    let Err(error) = result else { return };
    push_webpki_error(cx, &error, chain, certs, at, first_finding);
    // webpki reports one error per chain: when it is not about the anchor,
    // say separately whether the chain reaches one at all.
    let about_anchor = matches!(error, webpki::Error::UnknownIssuer);
    if !about_anchor && !reaches_anchor(certs, &anchors) {
        push_once(cx, first_finding, untrusted(NO_ANCHOR, at));
    }
}

pub(super) const NO_ANCHOR: &str =
    "no certificate in the file is issued by a public web root or a --ca-file anchor";

pub(super) fn untrusted(reason: &str, at: &Location) -> Finding {
    Finding::new(
        "cert-untrusted",
        format!("clients refuse the chain: {reason}"),
    )
    .help("serve the full chain of a public CA; for a private CA that is intended, pass it with --ca-file")
    .setting("ssl_cert_path")
    .at(at.clone())
}

/// Pushes `finding` unless this chain already has a finding of its rule.
pub(super) fn push_once(cx: &mut CheckContext, first_finding: usize, finding: Finding) {
    let already = cx.findings[first_finding.min(cx.findings.len())..]
        .iter()
        .any(|f| f.rule == finding.rule);
    if !already {
        cx.push(finding);
    }
}

/// Whether some certificate of the file is an anchor or is signed by one
/// (names and signature; validity and usage are judged elsewhere).
pub(super) fn reaches_anchor(
    certs: &[X509Certificate],
    anchors: &[rustls_pki_types::TrustAnchor],
) -> bool {
    certs.iter().any(|c| {
        let issuer = name_contents(c.issuer().as_raw());
        let own_spki = spki_contents(c.public_key().raw);
        anchors.iter().any(|a| {
            if own_spki == Some(a.subject_public_key_info.as_ref())
                && name_contents(c.subject().as_raw()) == Some(a.subject.as_ref())
            {
                return true;
            }
            if issuer != Some(a.subject.as_ref()) {
                return false;
            }
            let spki = der_sequence(a.subject_public_key_info.as_ref());
            match x509_parser::x509::SubjectPublicKeyInfo::from_der(&spki) {
                Ok((_, spki)) => !matches!(
                    c.verify_signature(Some(&spki)),
                    Err(x509_parser::error::X509Error::SignatureVerificationError)
                ),
                Err(_) => false,
            }
        })
    })
}

/// The contents of a DER SEQUENCE (a Name or SubjectPublicKeyInfo), which is
/// how rustls-pki-types stores a trust anchor's fields.
pub(super) fn name_contents(der: &[u8]) -> Option<&[u8]> {
    spki_contents(der)
}

pub(super) fn spki_contents(der: &[u8]) -> Option<&[u8]> {
    let (&tag, rest) = der.split_first()?;
    if tag != 0x30 {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    if first < 0x80 {
        return rest.get(..usize::from(first));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return None;
    }
    let (len_bytes, rest) = (rest.get(..count)?, rest.get(count..)?);
    let len = len_bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    rest.get(..len)
}

pub(super) fn der_sequence(contents: &[u8]) -> Vec<u8> {
    let mut out = vec![0x30];
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(contents);
    out
}
