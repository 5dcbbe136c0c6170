//! rustls' verdict on a server, for scripts/tls-matrix: connect to
//! 127.0.0.1:PORT as HOST with rustls' default verifier (rustls-webpki),
//! trusting the public web roots plus CA_FILE ("-" for none). Prints
//! "accept" or "refuse: <reason>".

use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, port, host, ca_file] = args.as_slice() else {
        eprintln!("usage: rustls_client PORT HOST CA_FILE");
        std::process::exit(2);
    };
    println!("{}", verdict(port, host, ca_file));
}

fn verdict(port: &str, host: &str, ca_file: &str) -> String {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if ca_file != "-" {
        let Ok(certs) = CertificateDer::pem_file_iter(ca_file) else {
            return format!("refuse: cannot read {ca_file}");
        };
        for cert in certs.flatten() {
            let _ = roots.add(cert);
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = match rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
    {
        Ok(b) => b.with_root_certificates(roots).with_no_client_auth(),
        Err(e) => return format!("refuse: {e}"),
    };
    let Ok(name) = ServerName::try_from(host.to_string()) else {
        return format!("refuse: invalid host {host}");
    };
    let Ok(mut conn) = rustls::ClientConnection::new(Arc::new(config), name) else {
        return "refuse: cannot build a connection".to_string();
    };
    let Ok(mut sock) = TcpStream::connect(("127.0.0.1", port.parse().unwrap_or(0))) else {
        return "refuse: cannot connect".to_string();
    };
    let mut tls = rustls::Stream::new(&mut conn, &mut sock);
    match tls.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n") {
        Ok(()) => "accept".to_string(),
        Err(e) => format!("refuse: {e}"),
    }
}
