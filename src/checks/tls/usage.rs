//! Basic constraints, key usage and extended key usage: what a certificate
//! may be used for, and which clients refuse it when they differ.

use x509_parser::certificate::X509Certificate;

use super::clients::{GNUTLS, JAVA, PYTHON_313, RUSTLS, refusal};
use super::files::{describe_cert, is_ca, is_self_issued};
use super::names::self_signed_recipe;
use crate::checks::CheckContext;
use crate::finding::{Finding, Location, Severity};

/// Whether a certificate's extended key usage, when present, lacks
/// serverAuth. rustls-webpki does not accept anyExtendedKeyUsage for it.
pub(super) fn lacks_server_auth(c: &X509Certificate) -> bool {
    matches!(c.extended_key_usage(), Ok(Some(eku)) if !eku.value.server_auth)
}

/// The certificates of the path a client builds, each with its position in
/// the file; the first is the leaf. `root` says whether the last one is the
/// root (whose usage clients do not judge).
pub(super) struct OnPath<'a, 'b> {
    pub certs: Vec<(usize, &'a X509Certificate<'b>)>,
    pub root: bool,
}

impl<'a, 'b> OnPath<'a, 'b> {
    /// The certificates whose usage and validity clients judge.
    pub fn judged(&self) -> &[(usize, &'a X509Certificate<'b>)] {
        let n = self.certs.len() - usize::from(self.root && self.certs.len() > 1);
        &self.certs[..n]
    }
}

/// `host`: the name the leaf is for, to give a working command.
pub(super) fn check_server_usage(
    cx: &mut CheckContext,
    path: &OnPath,
    host: Option<&str>,
    at: &Location,
) {
    let Some(&(_, leaf)) = path.certs.first() else {
        return;
    };
    if is_ca(leaf) {
        // Only rustls-webpki refuses a CA:TRUE leaf (scripts/tls-matrix,
        // ca-leaf and dev-recipe).
        let help = if is_self_issued(leaf) {
            format!(
                "make it again as a server certificate: {}",
                self_signed_recipe(host.unwrap_or("localhost"))
            )
        } else {
            "re-issue it with basicConstraints CA:FALSE (a server certificate from your CA)"
                .to_string()
        };
        cx.push(
            Finding::new(
                "cert-not-for-server",
                format!(
                    "{} is a CA certificate (basicConstraints CA:TRUE): {}",
                    describe_cert(leaf, 0),
                    refusal(&[RUSTLS])
                ),
            )
            .help(help)
            .refused_by(&[RUSTLS])
            .at_most(Severity::Warning)
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
    }
    for &(index, c) in path.judged() {
        if !lacks_server_auth(c) {
            continue;
        }
        let (message, help) = if index == 0 {
            (
                format!(
                    "the extended key usage of {} does not include serverAuth",
                    describe_cert(c, 0)
                ),
                "re-issue it with extendedKeyUsage = serverAuth",
            )
        } else {
            (
                format!(
                    "{} limits its extended key usage and serverAuth is not in it: clients refuse every server certificate below it",
                    describe_cert(c, index)
                ),
                "use an intermediate of your CA that allows serverAuth",
            )
        };
        cx.push(
            Finding::new("cert-not-for-server", message)
                .help(help)
                .setting("ssl_cert_path")
                .at(at.clone()),
        );
    }
}

/// The key usage bits clients differ on: a CA without keyUsage (Python
/// 3.13's default VERIFY_X509_STRICT), a leaf whose keyUsage lacks
/// digitalSignature (Java, GnuTLS: TLS 1.3 and ECDHE sign with the key).
/// `anchor`: the --ca-file root the path ends at, if any.
pub(super) fn check_key_usage(
    cx: &mut CheckContext,
    path: &OnPath,
    anchor: Option<&X509Certificate>,
    at: &Location,
) {
    let Some(&(_, leaf)) = path.certs.first() else {
        return;
    };
    if let Ok(Some(ku)) = leaf.key_usage()
        && !ku.value.digital_signature()
    {
        cx.push(
            Finding::new(
                "cert-key-usage",
                format!(
                    "the keyUsage of {} does not include digitalSignature: {}",
                    describe_cert(leaf, 0),
                    refusal(&[JAVA, GNUTLS])
                ),
            )
            .help("re-issue it with keyUsage = critical, digitalSignature (plus keyEncipherment for an RSA key)")
            .refused_by(&[JAVA, GNUTLS])
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
    }
    let issuers = path.certs.iter().skip(1).map(|&(i, c)| (Some(i), c));
    let mut bare: Vec<String> = issuers
        .chain(anchor.map(|c| (None, c)))
        .filter(|(_, c)| is_ca(c) && matches!(c.key_usage(), Ok(None)))
        .map(|(i, c)| match i {
            Some(i) => describe_cert(c, i),
            None => format!("the --ca-file root ({})", c.subject()),
        })
        .collect();
    bare.dedup();
    if bare.is_empty() {
        return;
    }
    cx.push(
        Finding::new(
            "cert-key-usage",
            format!(
                "{} {} without a keyUsage extension, which Python 3.13's default strict verification requires: {}",
                bare.join(" and "),
                if bare.len() == 1 { "is a CA" } else { "are CA certificates" },
                refusal(&[PYTHON_313])
            ),
        )
        .help("re-issue the CA with keyUsage = critical, keyCertSign, cRLSign (openssl: -addext \"keyUsage=critical,keyCertSign,cRLSign\")")
        .refused_by(&[PYTHON_313])
        .setting("ssl_cert_path")
        .at(at.clone()),
    );
}
