//! Basic constraints and extended key usage: what a certificate may be used for.

use x509_parser::certificate::X509Certificate;

use super::files::{describe_cert, is_ca, is_trailing_root};
use crate::checks::CheckContext;
use crate::finding::{Finding, Location};

/// Whether a certificate's extended key usage, when present, lacks
/// serverAuth. rustls-webpki does not accept anyExtendedKeyUsage for it.
pub(super) fn lacks_server_auth(c: &X509Certificate) -> bool {
    matches!(c.extended_key_usage(), Ok(Some(eku)) if !eku.value.server_auth)
}

pub(super) fn check_server_usage(cx: &mut CheckContext, certs: &[X509Certificate], at: &Location) {
    let Some(leaf) = certs.first() else { return };
    if is_ca(leaf) {
        cx.push(
            Finding::new(
                "cert-not-for-server",
                format!(
                    "{} is a CA certificate (basicConstraints CA:TRUE)",
                    describe_cert(leaf, 0)
                ),
            )
            .help("use the server certificate issued by the CA, not the CA's own")
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
    }
    for (index, c) in certs.iter().enumerate() {
        if is_trailing_root(certs, index) || !lacks_server_auth(c) {
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
