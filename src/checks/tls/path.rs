//! The chain as a client builds it: the path from the leaf to a trust
//! anchor, the certificates off it, validity, order and trust.

use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use std::time::Duration;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use super::clients::{GNUTLS, NODE, OPENSSL, PYTHON_311, refusal};
use super::files::{date, describe_cert, file_location, is_ca, is_self_issued, parsed};
use super::keys::{WEAK_SIGNATURES, check_key_strength};
use super::names::{WantedName, check_hostnames, configured_names, self_signed_recipe};
use super::usage::{OnPath, check_key_usage, check_server_usage, lacks_server_auth};
use super::webpki_errors::push_webpki_error;
use crate::checks::CheckContext;
use crate::finding::{Finding, Location, Severity};

/// How a chain is judged.
#[derive(Clone, Copy)]
pub(super) struct Judging {
    /// Say whether clients trust it (`probe --insecure` does not).
    pub trust: bool,
    /// The chain is ssl_cert_path, which Python's ssl loads at start-up
    /// (not a chain some running server presents).
    pub loaded: bool,
    /// The order of the file was already reported (the leaf not first).
    pub order_reported: bool,
}

pub(super) fn check_chain(cx: &mut CheckContext, path: &str, chain: &[CertificateDer<'static>]) {
    let names = configured_names(cx);
    let judging = Judging {
        trust: true,
        loaded: true,
        order_reported: false,
    };
    check_chain_at(cx, &file_location(path), chain, names, judging);
}

/// The leaf (the certificate of the key) is not first in ssl_cert_path:
/// Python's ssl takes the first certificate as the server's, so
/// load_cert_chain fails with KEY_VALUES_MISMATCH and uvicorn exits. One
/// finding says so; the chain is then judged as it should have been
/// ordered, so that the other findings are about the real leaf.
pub(super) fn check_leaf_not_first(
    cx: &mut CheckContext,
    path: &str,
    chain: &[CertificateDer<'static>],
    leaf_at: usize,
) {
    let (Some(first), Some(leaf)) = (
        chain.first().and_then(parsed),
        chain.get(leaf_at).and_then(parsed),
    ) else {
        return;
    };
    cx.push(
        Finding::new(
            "cert-chain-order",
            format!(
                "the leaf must come first: the key belongs to certificate #{} ({}), but #1 is {}; Python's ssl takes the first certificate as the server's and load_cert_chain fails with KEY_VALUES_MISMATCH: the service will not start",
                leaf_at + 1,
                leaf.subject(),
                first.subject()
            ),
        )
        .help("put the leaf first, then each issuer: cat leaf.pem intermediate.pem > fullchain.pem (certbot's fullchain.pem is already in this order)")
        .at_least(Severity::Error)
        .blocks_start()
        .setting("ssl_cert_path")
        .at(file_location(path)),
    );
    let mut ordered = vec![chain[leaf_at].clone()];
    ordered.extend(
        chain
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != leaf_at)
            .map(|(_, c)| c.clone()),
    );
    let names = configured_names(cx);
    let judging = Judging {
        trust: true,
        loaded: true,
        order_reported: true,
    };
    check_chain_at(cx, &file_location(path), &ordered, names, judging);
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
    let at = Location::Url { url: url.into() };
    let names = vec![WantedName {
        host: host.to_string(),
        origin: "the probed URL".into(),
        setting: None,
        location: at.clone(),
    }];
    let judging = Judging {
        trust: judge_trust,
        loaded: false,
        order_reported: false,
    };
    check_chain_at(cx, &at, chain, names, judging);
}

fn now_of(cx: &CheckContext) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(cx.options.at.max(0) as u64))
}

fn out_of_validity(c: &X509Certificate, now: i64) -> bool {
    now > c.validity().not_after.timestamp() || now < c.validity().not_before.timestamp()
}

/// The positions in the file of the path a client builds: the leaf, then
/// each issuer. rustls-webpki's own path when it finds one (it tries every
/// candidate issuer, as OpenSSL, Go, Java and Node do); otherwise the best
/// path through the file: one that reaches an anchor, with the fewest
/// broken certificates, using as much of the file as links.
fn client_path(
    chain: &[CertificateDer<'static>],
    certs: &[X509Certificate],
    anchors: &[TrustAnchor],
    ca_file: &[CertificateDer<'static>],
    time: UnixTime,
) -> Vec<usize> {
    let issuers = issuers_in_file(certs);
    let algs = rustls::crypto::ring::default_provider()
        .signature_verification_algorithms
        .all;
    // webpki is given the certificates that issue something on a path from
    // the leaf, in file order: it parses every candidate at each step of
    // its search, so 2,000 decoys named like the chain's CAs made it parse
    // 200,000 certificates before giving up.
    let on_some_path: std::collections::HashSet<usize> =
        issuers.iter().flatten().copied().collect();
    let candidates: Vec<CertificateDer<'static>> = (1..chain.len())
        .filter(|i| on_some_path.contains(i))
        .map(|i| chain[i].clone())
        .collect();
    if let Ok(ee) = webpki::EndEntityCert::try_from(&chain[0])
        && let Ok(verified) = ee.verify_for_usage(
            algs,
            anchors,
            &candidates,
            time,
            webpki::KeyUsage::server_auth(),
            None,
            None,
        )
    {
        let mut path = vec![0];
        for c in verified.intermediate_certificates() {
            if let Some(i) = chain.iter().position(|d| d.as_ref() == c.der().as_ref()) {
                path.push(i);
            }
        }
        extend_with_file_issuers(certs, &issuers, chain, ca_file, &mut path);
        return path;
    }
    best_path(certs, &issuers, anchors, time.as_secs() as i64)
}

/// The anchor webpki ended at may also be in the file (the root, or an
/// intermediate given to --ca-file as well): clients that need it take it
/// from there, so it is on the path. Another certificate with the anchor's
/// name (an expired cross-sign, "the chain of pain") is not.
fn extend_with_file_issuers(
    certs: &[X509Certificate],
    issuers: &[Vec<usize>],
    chain: &[CertificateDer<'static>],
    ca_file: &[CertificateDer<'static>],
    path: &mut Vec<usize>,
) {
    while let Some(&last) = path.last() {
        if is_self_issued(&certs[last]) && path.len() > 1 {
            return;
        }
        let next = issuers[last].iter().copied().find(|&j| {
            !path.contains(&j)
                && (is_self_issued(&certs[j])
                    || ca_file.iter().any(|a| a.as_ref() == chain[j].as_ref()))
        });
        match next {
            Some(j) => path.push(j),
            None => return,
        }
    }
}

/// A path's standing: anchored first, then fewer broken certificates, then
/// longer (a client uses the intermediates it is given).
fn score(
    certs: &[X509Certificate],
    path: &[usize],
    anchors: &[TrustAnchor],
    now: i64,
) -> (bool, i64, usize) {
    let last = path[path.len() - 1];
    let anchored = reaches_anchor(std::slice::from_ref(&certs[last]), anchors);
    let root_at_end = path.len() > 1 && is_self_issued(&certs[last]);
    let judged = &path[..path.len() - usize::from(root_at_end)];
    let broken = judged
        .iter()
        .enumerate()
        .filter(|&(k, &i)| {
            let c = &certs[i];
            out_of_validity(c, now) || lacks_server_auth(c) || (k > 0 && !is_ca(c))
        })
        .count();
    (anchored, -(broken as i64), path.len())
}

/// For each certificate reachable from the leaf by issuer links, the
/// certificates of the file that issued it (others stay empty: no path a
/// client builds goes through them, and 2,000 decoys named like the chain's
/// CAs would otherwise cost 64,000 signature checks). Names are compared
/// first, and at most MAX_TRIES signatures are checked and MAX_ISSUERS
/// issuers kept per certificate, so that a hostile file of many
/// certificates with one name stays cheap.
fn issuers_in_file(certs: &[X509Certificate]) -> Vec<Vec<usize>> {
    const MAX_TRIES: usize = 32;
    const MAX_ISSUERS: usize = 8;
    let issuers_of = |i: usize| {
        let c = &certs[i];
        let mut found = Vec::new();
        let mut tries = 0;
        for (j, candidate) in certs.iter().enumerate() {
            if j == i || c.issuer().as_raw() != candidate.subject().as_raw() {
                continue;
            }
            tries += 1;
            if tries > MAX_TRIES || found.len() >= MAX_ISSUERS {
                break;
            }
            if issued_by(c, candidate) {
                found.push(j);
            }
        }
        found
    };
    let mut issuers = vec![Vec::new(); certs.len()];
    let mut reached = vec![false; certs.len()];
    let mut stack = Vec::new();
    if let Some(first) = reached.first_mut() {
        *first = true;
        stack.push(0);
    }
    while let Some(i) = stack.pop() {
        let found = issuers_of(i);
        for &j in &found {
            if !reached[j] {
                reached[j] = true;
                stack.push(j);
            }
        }
        issuers[i] = found;
    }
    issuers
}

fn best_path(
    certs: &[X509Certificate],
    issuers: &[Vec<usize>],
    anchors: &[TrustAnchor],
    now: i64,
) -> Vec<usize> {
    // A file has a handful of certificates; the bound keeps a hostile one
    // (many certificates with one name) cheap.
    const MAX_STEPS: usize = 512;
    const MAX_DEPTH: usize = 10;
    let mut best: Option<((bool, i64, usize), Vec<usize>)> = None;
    let mut stack = vec![vec![0usize]];
    let mut steps = 0;
    while let Some(path) = stack.pop() {
        steps += 1;
        if steps > MAX_STEPS {
            break;
        }
        let s = score(certs, &path, anchors, now);
        if best.as_ref().is_none_or(|(b, _)| s > *b) {
            best = Some((s, path.clone()));
        }
        let last = path[path.len() - 1];
        if (is_self_issued(&certs[last]) && path.len() > 1) || path.len() >= MAX_DEPTH {
            continue;
        }
        for &j in issuers[last].iter().rev() {
            if !path.contains(&j) {
                let mut next = path.clone();
                next.push(j);
                stack.push(next);
            }
        }
    }
    best.map_or_else(|| vec![0], |(_, p)| p)
}

pub(super) fn check_chain_at(
    cx: &mut CheckContext,
    at: &Location,
    chain: &[CertificateDer<'static>],
    names: Vec<WantedName>,
    judging: Judging,
) {
    if let Some(bad) = chain.iter().position(|d| parsed(d).is_none()) {
        // A file's certificates are parsed when it is read (cert-invalid
        // there); a served chain can still hold one no client can read.
        cx.push(
            Finding::new(
                "cert-invalid",
                format!(
                    "clients refuse the chain: certificate #{} cannot be parsed",
                    bad + 1
                ),
            )
            .help("serve the PEM chain of your CA, leaf first")
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
        return;
    }
    let certs: Vec<X509Certificate> = chain.iter().filter_map(parsed).collect();
    if certs.is_empty() {
        return;
    }
    let leaf = &certs[0];
    let first_finding = cx.findings.len();
    let at = at.clone();
    let anchors = anchors(cx);
    let time = now_of(cx);
    // Never empty: a path starts at the leaf.
    let path = client_path(chain, &certs, &anchors, &cx.options.ca_anchors, time);
    let last = &certs[path[path.len() - 1]];
    let on = OnPath {
        certs: path.iter().map(|&i| (i, &certs[i])).collect(),
        root: path.len() > 1 && is_self_issued(last),
    };
    check_off_path(cx, &certs, &path, &at);
    for &(index, c) in on.judged() {
        check_validity(cx, c, index, &at);
    }
    let host = names.first().map(|n| n.host.clone());
    let pinned = pinned_by_ca_file(cx, leaf);
    if is_self_issued(leaf) {
        let mut f = Finding::new("cert-self-signed", "the leaf certificate is self-signed")
            .setting("ssl_cert_path")
            .at(at.clone());
        f = if pinned {
            f.help("clients trust it only when given it, as --ca-file gives it here; SignalWire's platform trusts the public web roots only")
                .at_most(Severity::Note)
        } else {
            f.help(format!("SignalWire calls the service over the public internet: use a certificate from a public CA; for development, trust it on the client, made with: {}", self_signed_recipe(host.as_deref().unwrap_or("localhost"))))
        };
        cx.push(f);
    }
    check_server_usage(cx, &on, host.as_deref(), &at);
    let options = cx.options;
    let anchor = ca_file_anchor_of(options, last);
    check_key_usage(cx, &on, anchor.as_ref().map(|(_, c)| c), &at);
    for &(i, c) in on.judged() {
        let which = describe_cert(c, i);
        check_key_strength(cx, c, &which, &at, judging.loaded);
        // Clients do not check the signature of a certificate they trust
        // as it is (a pinned self-signed leaf; tls-matrix
        // sha1-self-signed-pinned).
        if i == 0 && pinned && is_self_issued(c) {
            continue;
        }
        let oid = c.signature_algorithm.algorithm.to_id_string();
        if let Some((_, name)) = WEAK_SIGNATURES.iter().find(|(o, _)| *o == oid) {
            // OpenSSL 3 at security level 2 refuses a SHA-1 (or weaker)
            // signature on any certificate it loads except a self-signed
            // one (CA_MD_TOO_WEAK, EE_MD_TOO_WEAK; tls-matrix sha1-intermediate).
            let blocks = judging.loaded && !is_self_issued(c);
            let consequence = if blocks {
                super::refused_when_loaded("CA_MD_TOO_WEAK, EE_MD_TOO_WEAK")
            } else {
                String::new()
            };
            let mut f = Finding::new(
                "cert-weak-signature",
                format!("{which} is signed with {name}{consequence}"),
            )
            .help("re-issue it with SHA-256 or better")
            .setting("ssl_cert_path")
            .at(at.clone());
            if blocks {
                f = f.blocks_start();
            }
            cx.push(f);
        }
    }
    if !judging.order_reported {
        check_order(cx, &certs, &path, judging, &at);
    }
    let ee = webpki::EndEntityCert::try_from(&chain[0]);
    check_hostnames(cx, leaf, ee.as_ref().ok(), names);
    if judging.trust {
        check_incomplete(cx, &on, &anchors, &at);
        if let Some((_, c)) = &anchor {
            check_anchor_is_root(cx, c, &on, &at);
        }
    }
    match ee {
        Ok(ee) if judging.trust => check_trust(cx, &ee, chain, &certs, &path, &at, first_finding),
        Ok(_) => {}
        // webpki cannot even read the leaf: every client built on it
        // refuses the certificate, --insecure or not.
        Err(e) => {
            push_webpki_error(cx, &e, chain, &certs, &at, first_finding);
            if judging.trust && !reaches_anchor(&certs, &anchors) {
                push_once(cx, first_finding, untrusted(NO_ANCHOR, &at));
            }
        }
    }
}

/// Whether the leaf itself is a --ca-file certificate (a pinned
/// self-signed certificate).
pub(super) fn pinned_by_ca_file(cx: &CheckContext, leaf: &X509Certificate) -> bool {
    cx.options.ca_anchors.iter().any(|der| {
        parsed(der).is_some_and(|c| {
            c.subject().as_raw() == leaf.subject().as_raw()
                && c.public_key().raw == leaf.public_key().raw
        })
    })
}

/// The --ca-file certificate that issued the last certificate of the path
/// (none when the path ends at a root of the file, or the leaf is pinned).
fn ca_file_anchor_of<'a>(
    options: &'a crate::checks::CheckOptions,
    last: &X509Certificate,
) -> Option<(&'a CertificateDer<'static>, X509Certificate<'a>)> {
    // A path that ends at a root in the file has its anchor on the path.
    if is_self_issued(last) {
        return None;
    }
    options
        .ca_anchors
        .iter()
        .filter_map(|der| parsed(der).map(|c| (der, c)))
        .find(|(_, c)| issued_by(last, c))
}

/// A --ca-file anchor that is an intermediate, not a root: Go, Java,
/// GnuTLS, rustls, curl and Python 3.13 accept it as an anchor; the OpenSSL
/// defaults (Python up to 3.12, the SDK itself) and Node need the root, so
/// the server must send the intermediate (tls-matrix ca-file-intermediate).
fn check_anchor_is_root(
    cx: &mut CheckContext,
    anchor: &X509Certificate,
    on: &OnPath,
    at: &Location,
) {
    if is_self_issued(anchor) || on.root {
        return;
    }
    let refused = [OPENSSL, PYTHON_311, NODE];
    cx.push(
        Finding::new(
            "cert-untrusted",
            format!(
                "the chain ends at the --ca-file certificate {}, an intermediate, not a root: {}",
                anchor.subject(),
                refusal(&refused)
            ),
        )
        .help("clients trust roots: serve the intermediate after the leaf (the full chain file of your CA) and give --ca-file the root")
        .refused_by(&refused)
        .at_most(Severity::Warning)
        .setting("ssl_cert_path")
        .at(at.clone()),
    );
}

/// The path stops below a certificate that is neither in the file nor an
/// anchor: every client refuses it (certbot's cert.pem instead of
/// fullchain.pem; tls-matrix incomplete-chain).
fn check_incomplete(cx: &mut CheckContext, on: &OnPath, anchors: &[TrustAnchor], at: &Location) {
    let Some(&(index, last)) = on.certs.last() else {
        return;
    };
    if is_self_issued(last) || reaches_anchor(std::slice::from_ref(last), anchors) {
        return;
    }
    let issuer = last.issuer().to_string();
    let issuer = if issuer.is_empty() {
        "an empty name".to_string()
    } else {
        issuer
    };
    cx.push(
        Finding::new(
            "cert-untrusted",
            format!(
                "clients refuse the chain: it stops at {}, whose issuer {issuer} is neither in the file nor a trusted root",
                describe_cert(last, index)
            ),
        )
        .help(format!("serve the full chain, the leaf then each intermediate up to the root (certbot: fullchain.pem, not cert.pem); if {issuer} is a private root you intend, pass it with --ca-file"))
        .setting("ssl_cert_path")
        .at(at.clone()),
    );
}

/// The certificates of the file that no client uses: one finding naming
/// them all. A note, or a warning when one is expired or unrelated to the
/// path, since an old client may try it (Let's Encrypt's expired DST
/// cross-sign); GnuTLS refuses an expired copy that comes before the
/// current one (tls-matrix stale-expired-intermediate).
fn check_off_path(cx: &mut CheckContext, certs: &[X509Certificate], path: &[usize], at: &Location) {
    let now = cx.options.at;
    let mut named = Vec::new();
    let mut warn = false;
    let mut gnutls = false;
    for (i, c) in certs.iter().enumerate() {
        if path.contains(&i) {
            continue;
        }
        let same_name_later = path
            .iter()
            .any(|&p| p > i && certs[p].subject().as_raw() == c.subject().as_raw());
        let related = path.iter().any(|&p| {
            certs[p].issuer().as_raw() == c.subject().as_raw()
                || certs[p].subject().as_raw() == c.subject().as_raw()
        });
        let why = if now > c.validity().not_after.timestamp() {
            gnutls |= same_name_later;
            format!("expired on {}", date(c.validity().not_after.timestamp()))
        } else if now < c.validity().not_before.timestamp() {
            gnutls |= same_name_later;
            format!(
                "not valid before {}",
                date(c.validity().not_before.timestamp())
            )
        } else if !related {
            "unrelated to the path".to_string()
        } else {
            "another issuer the path does not need".to_string()
        };
        warn |= out_of_validity(c, now) || !related;
        let described = describe_cert(c, i);
        let described = described.strip_suffix(')').unwrap_or(&described);
        named.push(format!("{described}, {why})"));
    }
    if named.is_empty() {
        return;
    }
    let (verb, pronoun) = if named.len() == 1 {
        ("is", "it")
    } else {
        ("are", "them")
    };
    let mut message = format!(
        "{} {verb} not on the path clients build: no client needs {pronoun}",
        named.join(", ")
    );
    if gnutls {
        message.push_str(&format!(
            "; GnuTLS takes the first certificate with the issuer's name, this expired one: {}",
            refusal(&[GNUTLS])
        ));
    }
    let mut f = Finding::new("cert-unneeded", message)
        .help(format!(
            "drop {pronoun} from the file: old clients may try a certificate they are given"
        ))
        .setting("ssl_cert_path")
        .at(at.clone());
    if warn {
        f = f.at_least(Severity::Warning);
    }
    if gnutls {
        f = f.refused_by(&[GNUTLS]);
    }
    cx.push(f);
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

/// The order of the file. Clients reorder the issuers, so an order that
/// differs from the path is a note; a CA first and a server certificate
/// later (the leaf not first) stops uvicorn when the key is the later
/// one's (see `check_leaf_not_first`), and is an error in a loaded file.
pub(super) fn check_order(
    cx: &mut CheckContext,
    certs: &[X509Certificate],
    path: &[usize],
    judging: Judging,
    at: &Location,
) {
    if certs.len() > 1 && is_ca(&certs[0]) && certs[1..].iter().any(|c| !is_ca(c)) {
        let mut f = Finding::new(
            "cert-chain-order",
            "the first certificate is a CA but a later one is not: the leaf must come first",
        )
        .help("order the file leaf first, then each issuer")
        .setting("ssl_cert_path")
        .at(at.clone());
        if judging.loaded {
            f = f.at_least(Severity::Error);
        }
        cx.push(f);
        return;
    }
    if let Some(k) = path.windows(2).position(|w| w[1] < w[0]) {
        let (child, issuer) = (path[k], path[k + 1]);
        cx.push(
            Finding::new(
                "cert-chain-order",
                format!(
                    "{} is issued by {}, which comes before it: clients reorder the issuers, but some servers and tools do not",
                    describe_cert(&certs[child], child),
                    describe_cert(&certs[issuer], issuer)
                ),
            )
            .help("order the file leaf first, then each issuer")
            .setting("ssl_cert_path")
            .at(at.clone()),
        );
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

/// webpki's verdict on the path a client builds (`path`, positions in the
/// file): when every path fails, the error is about this one, not about a
/// certificate off it that webpki happened to try.
pub(super) fn check_trust(
    cx: &mut CheckContext,
    ee: &webpki::EndEntityCert,
    chain: &[CertificateDer<'static>],
    certs: &[X509Certificate],
    path: &[usize],
    at: &Location,
    first_finding: usize,
) {
    let intermediates: Vec<CertificateDer<'static>> =
        path.iter().skip(1).map(|&i| chain[i].clone()).collect();
    let anchors = anchors(cx);
    let algs = rustls::crypto::ring::default_provider()
        .signature_verification_algorithms
        .all;
    let time = now_of(cx);
    let result = ee.verify_for_usage(
        algs,
        &anchors,
        &intermediates,
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

/// Whether a certificate on the leaf's issuer links is an anchor or is
/// signed by one (names and signature; validity and usage are judged
/// elsewhere). Only that path, as a client builds it: every certificate of
/// the file against every anchor made 1000 x 1000 signature checks.
pub(super) fn reaches_anchor(
    certs: &[X509Certificate],
    anchors: &[rustls_pki_types::TrustAnchor],
) -> bool {
    if certs.is_empty() {
        return false;
    }
    let mut by_subject: std::collections::HashMap<&[u8], Vec<usize>> = Default::default();
    for (i, c) in certs.iter().enumerate().skip(1) {
        by_subject.entry(c.subject().as_raw()).or_default().push(i);
    }
    let mut on_path = vec![false; certs.len()];
    let mut queue = vec![0];
    if let Some(first) = on_path.first_mut() {
        *first = true;
    }
    while let Some(i) = queue.pop() {
        for &j in by_subject
            .get(certs[i].issuer().as_raw())
            .into_iter()
            .flatten()
        {
            if !on_path[j] {
                on_path[j] = true;
                queue.push(j);
            }
        }
    }
    certs
        .iter()
        .zip(&on_path)
        .filter(|(_, on)| **on)
        .any(|(c, _)| {
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

#[cfg(test)]
mod tests {
    use super::issuers_in_file;
    use crate::checks::tls::files::parsed;
    use rustls_pki_types::CertificateDer;

    /// A file of many certificates with one name (each could issue every
    /// other) keeps at most 8 issuers per certificate to search through,
    /// and only certificates reachable from the leaf are searched.
    #[test]
    fn issuers_per_certificate_are_capped() {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Same Name");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let ders: Vec<CertificateDer<'static>> = (0..40)
            .map(|_| params.self_signed(&key).unwrap().der().clone())
            .collect();
        let certs: Vec<_> = ders.iter().filter_map(parsed).collect();
        let issuers = issuers_in_file(&certs);
        assert_eq!(issuers.len(), 40);
        assert_eq!(issuers[0].len(), 8, "{issuers:?}");
        assert!(issuers.iter().all(|i| i.len() <= 8), "{issuers:?}");
        // The leaf's issuers are the first 8 others; each of them finds the
        // same first candidates: at most 9 certificates are ever searched.
        let searched = issuers.iter().filter(|i| !i.is_empty()).count();
        assert!(searched <= 9, "{searched} searched: {issuers:?}");
    }
}
