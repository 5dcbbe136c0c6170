//! The names the leaf must cover.

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;

use super::clients::{GO, RUSTLS, refusal};
use super::files::is_self_issued;
use crate::checks::CheckContext;
use crate::finding::{Finding, Location, Severity};
use crate::model::SettingId;
use crate::resolve::source_location;

/// A name the leaf must cover, where it came from, and where to point.
pub struct WantedName {
    pub host: String,
    pub origin: String,
    pub setting: Option<&'static str>,
    pub location: Location,
}

/// The names from `domain` and every non-wildcard allowed host.
pub(super) fn configured_names(cx: &CheckContext) -> Vec<WantedName> {
    let settings = &cx.res.settings;
    let mut wanted = Vec::new();
    let domain = settings.get(SettingId::Domain);
    if let Some(d) = domain.value.as_str().filter(|d| !d.is_empty()) {
        wanted.push(WantedName {
            host: d.to_string(),
            origin: "domain".into(),
            setting: Some("domain"),
            location: source_location(&domain.source),
        });
    }
    let hosts = settings.get(SettingId::AllowedHosts);
    for h in hosts.value.as_list() {
        if !h.is_empty() && !h.contains('*') && !h.contains('/') && !h.starts_with('.') {
            wanted.push(WantedName {
                host: host_of(h).to_string(),
                origin: "allowed_hosts".into(),
                setting: Some("allowed_hosts"),
                location: source_location(&hosts.source),
            });
        }
    }
    wanted
}

/// RFC 6125 matching: case-insensitive, a wildcard covers exactly one
/// left-most label.
pub fn name_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(suffix) => host.split_once('.').is_some_and(|(label, rest)| {
            !label.is_empty() && rest == suffix && suffix.contains('.')
        }),
        None => pattern == host,
    }
}

/// The host part of an allowed_hosts item (the Host header may carry a port).
pub(super) fn host_of(item: &str) -> &str {
    if let Some(rest) = item.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match item.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) && !h.contains(':') => h,
        _ => item,
    }
}

/// A name no public CA can put in a certificate: localhost, a private,
/// loopback or link-local address, or a single-label or internal name.
pub fn is_internal_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => {
            v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified()
        }
        Ok(std::net::IpAddr::V6(v6)) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
        Err(_) => {
            !host.contains('.')
                || [".localhost", ".local", ".internal", ".lan", ".home.arpa"]
                    .iter()
                    .any(|s| host.ends_with(s))
        }
    }
}

/// Above this many SANs, hosts are matched through sets rather than by
/// rustls-webpki, whose check walks every SAN for every host.
const WEBPKI_NAMES_MAX: usize = 64;

pub(super) fn check_hostnames(
    cx: &mut CheckContext,
    leaf: &X509Certificate,
    ee: Option<&webpki::EndEntityCert>,
    wanted: Vec<WantedName>,
) {
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    if let Ok(Some(san)) = leaf.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => dns.push(d.to_string()),
                GeneralName::IPAddress(bytes) => ips.push(bytes.to_vec()),
                _ => {}
            }
        }
    }
    // Names as sets: SANs x hosts pairs made 10k x 10k take 19 s.
    let exact: std::collections::HashSet<String> = dns
        .iter()
        .filter(|p| !p.starts_with("*."))
        .map(|p| p.trim_end_matches('.').to_ascii_lowercase())
        .collect();
    // `*.example.com` covers one label before `example.com` (as name_matches).
    let wildcards: std::collections::HashSet<String> = dns
        .iter()
        .filter_map(|p| {
            p.trim_end_matches('.')
                .to_ascii_lowercase()
                .strip_prefix("*.")
                .map(str::to_string)
        })
        .filter(|suffix| suffix.contains('.'))
        .collect();
    let addresses: std::collections::HashSet<&[u8]> = ips.iter().map(Vec::as_slice).collect();
    // The list a finding quotes, made once and bounded.
    const LISTED_MAX: usize = 20;
    let names: Vec<String> = dns
        .iter()
        .cloned()
        .chain(ips.iter().filter_map(|ip| ip_text(ip)))
        .collect();
    let listed = match names.len() {
        0 => "no DNS names or addresses".to_string(),
        n if n <= LISTED_MAX => names.join(", "),
        n => format!(
            "{} and {} more",
            names[..LISTED_MAX].join(", "),
            n - LISTED_MAX
        ),
    };
    let mut seen = std::collections::HashSet::new();
    for name in wanted {
        let host = name.host;
        if !seen.insert(host.to_ascii_lowercase()) {
            continue;
        }
        let ours = match host.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(v4)) => addresses.contains(v4.octets().as_slice()),
            Ok(std::net::IpAddr::V6(v6)) => addresses.contains(v6.octets().as_slice()),
            Err(_) => {
                let host = host.trim_end_matches('.').to_ascii_lowercase();
                exact.contains(&host)
                    || host
                        .split_once('.')
                        .is_some_and(|(label, rest)| !label.is_empty() && wildcards.contains(rest))
            }
        };
        // rustls-webpki is the judge when it can read the leaf and the name,
        // and the leaf lists few enough names that asking it once per host
        // stays linear; beyond that the same RFC 6125 rules above judge.
        let covered = match (ee, rustls_pki_types::ServerName::try_from(host.as_str())) {
            (Some(ee), Ok(server_name)) if dns.len() + ips.len() <= WEBPKI_NAMES_MAX => {
                ee.verify_is_valid_for_subject_name(&server_name).is_ok()
            }
            _ => ours,
        };
        if covered {
            continue;
        }
        let internal = name.origin == "allowed_hosts" && is_internal_name(&host);
        // OpenSSL, Java, Node and GnuTLS still fall back to the subject CN
        // when there is no subjectAltName; Go and rustls do not
        // (scripts/tls-matrix, cn-without-san and dev-recipe).
        let cn_only = dns.is_empty()
            && ips.is_empty()
            && leaf
                .subject()
                .iter_common_name()
                .filter_map(|cn| cn.as_str().ok())
                .any(|cn| name_matches(cn, &host));
        let mut f = if cn_only {
            Finding::new(
                "cert-hostname-mismatch",
                format!(
                    "the certificate names {host:?} (from {}) only in its subject CN and has no subjectAltName: {}",
                    name.origin,
                    refusal(&[GO, RUSTLS])
                ),
            )
            .help(if is_self_issued(leaf) {
                format!("make it again with a subjectAltName: {}", self_signed_recipe(&host))
            } else {
                format!("re-issue the certificate with subjectAltName DNS:{host}")
            })
            .refused_by(&[GO, RUSTLS])
            .at_most(Severity::Warning)
        } else if internal {
            Finding::new(
                "cert-hostname-internal",
                format!("the certificate does not cover {host:?} (from allowed_hosts), an internal name no public CA can certify; it lists {listed}"),
            )
            .help("nothing to re-issue: clients that use this name (health checks, a local proxy) must connect over plain HTTP on a private port or skip name verification; SignalWire uses the public name")
        } else {
            Finding::new(
                "cert-hostname-mismatch",
                format!("the certificate does not cover {host:?} (from {}); it lists {listed}", name.origin),
            )
            .help("re-issue the certificate with this name in its subjectAltName (a wildcard covers one label)")
        }
        .at(name.location);
        if let Some(setting) = name.setting {
            f = f.setting(setting);
        }
        cx.push(f);
    }
}

/// The SDK guide's `openssl req -x509` recipe with the two extensions that
/// make every client accept the certificate for `host`.
pub(super) fn self_signed_recipe(host: &str) -> String {
    let san = match host.parse::<std::net::IpAddr>() {
        Ok(_) => format!("IP:{host}"),
        Err(_) => format!("DNS:{host}"),
    };
    format!(
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 365 -subj \"/CN={host}\" -addext \"subjectAltName={san}\" -addext \"basicConstraints=critical,CA:FALSE\""
    )
}

pub(super) fn ip_text(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes)
            .ok()
            .map(|b| std::net::Ipv4Addr::from(b).to_string()),
        16 => <[u8; 16]>::try_from(bytes)
            .ok()
            .map(|b| std::net::Ipv6Addr::from(b).to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::name_matches;

    #[test]
    fn wildcards_cover_exactly_one_label() {
        assert!(name_matches("*.example.com", "a.example.com"));
        assert!(name_matches("*.Example.com", "A.example.COM"));
        assert!(!name_matches("*.example.com", "example.com"));
        assert!(!name_matches("*.example.com", "a.b.example.com"));
        assert!(!name_matches("*.com", "example.com"));
        assert!(name_matches("agent.example.com", "agent.example.com."));
    }
}
