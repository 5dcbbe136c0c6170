//! The TLS client families whose verdicts scripts/tls-matrix records, and
//! how a finding names the ones that refuse (tests/goldens/tls-matrix.json).

/// Every family of the matrix, in the order messages list them.
pub const FAMILIES: [&str; 9] = [
    OPENSSL, CURL, PYTHON_311, PYTHON_313, NODE, JAVA, GO, GNUTLS, RUSTLS,
];

/// The OpenSSL 3 command line (`s_client`, `verify`).
pub const OPENSSL: &str = "OpenSSL";
/// curl on OpenSSL (it accepts a non-root anchor: partial chains).
pub const CURL: &str = "curl";
/// Python up to 3.12 (urllib, httpx, the SDK itself): OpenSSL defaults.
pub const PYTHON_311: &str = "Python 3.11";
/// Python 3.13's default context: VERIFY_X509_STRICT and partial chains.
pub const PYTHON_313: &str = "Python 3.13";
pub const NODE: &str = "Node";
pub const JAVA: &str = "Java";
pub const GO: &str = "Go";
pub const GNUTLS: &str = "GnuTLS";
/// rustls with rustls-webpki (and swml-sec's probe).
pub const RUSTLS: &str = "rustls";

/// "refused by Go and rustls; OpenSSL, curl, ... accept it".
pub fn refusal(refused: &[&str]) -> String {
    let accept: Vec<&str> = FAMILIES
        .iter()
        .copied()
        .filter(|f| !refused.contains(f))
        .collect();
    let mut text = format!("refused by {}", and_list(refused));
    if !accept.is_empty() {
        text.push_str(&format!("; {} accept it", and_list(&accept)));
    }
    text
}

fn and_list(items: &[&str]) -> String {
    match items {
        [] => "no client".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_who_refuses_and_who_accepts() {
        let text = refusal(&[GO, RUSTLS]);
        assert!(
            text.starts_with("refused by Go and rustls; OpenSSL, curl, "),
            "{text}"
        );
        assert!(text.ends_with("Java and GnuTLS accept it"), "{text}");
        assert_eq!(
            refusal(&FAMILIES),
            format!("refused by {}", and_list(&FAMILIES))
        );
    }
}
