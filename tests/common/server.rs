//! Deterministic in-process HTTP(S) servers on 127.0.0.1 for the probe
//! tests: each variant serves what a secure or an insecure deployment would.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A rustls server configuration serving the PEM `chain` with `key`.
pub fn tls_server_config(chain: &str, key: &str) -> Arc<rustls::ServerConfig> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain.as_bytes())
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap(),
    )
}

#[derive(Clone, Default)]
pub struct Behaviour {
    /// PEM chain and key: serve TLS.
    pub tls: Option<(String, String)>,
    /// Also answer plain HTTP on the TLS port.
    pub also_plain: bool,
    /// Require these Basic credentials.
    pub auth: Option<(String, String)>,
    /// Extra response headers.
    pub headers: Vec<(String, String)>,
    /// Echo any Origin in Access-Control-Allow-Origin, with credentials.
    pub cors_echo: bool,
    /// Answer 400 to any other Host.
    pub only_host: Option<String>,
    /// Serve only this path; any other gets `missing_status` (404 if 0).
    pub route: Option<String>,
    pub missing_status: u16,
    /// The body of that answer (default `ok`).
    pub missing_body: Option<String>,
    /// PEM chain and key served from the second TLS connection on (a
    /// peer that changes between connections).
    pub tls_later: Option<(String, String)>,
    /// Ask for credentials before routing (a proxy in front): a missing
    /// route shows only to an authenticated request.
    pub auth_before_route: bool,
    /// Copy what the client sent back into response headers: the
    /// Authorization value into X-Frame-Options, its URL-safe base64 into
    /// X-Content-Type-Options, the decoded `user:password` into the HSTS
    /// max-age.
    pub echo_authorization: bool,
}

impl Behaviour {
    /// What the SDK's security guide says a service sends.
    pub fn secure(tls: Option<(String, String)>, auth: (&str, &str), host: &str) -> Behaviour {
        Behaviour {
            tls,
            also_plain: false,
            auth: Some((auth.0.to_string(), auth.1.to_string())),
            headers: vec![
                ("X-Content-Type-Options".into(), "nosniff".into()),
                ("X-Frame-Options".into(), "DENY".into()),
                ("X-XSS-Protection".into(), "1; mode=block".into()),
                (
                    "Referrer-Policy".into(),
                    "strict-origin-when-cross-origin".into(),
                ),
                (
                    "Strict-Transport-Security".into(),
                    "max-age=31536000; includeSubDomains".into(),
                ),
            ],
            cors_echo: false,
            only_host: Some(host.to_string()),
            ..Behaviour::default()
        }
    }

    pub fn without_header(mut self, name: &str) -> Self {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self
    }
}

pub struct TestServer {
    pub port: u16,
    /// Every Authorization header received, to prove what was (not) sent.
    pub authorizations: Arc<Mutex<Vec<String>>>,
}

pub fn start(behaviour: Behaviour) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let authorizations = Arc::new(Mutex::new(Vec::new()));
    let seen = authorizations.clone();
    let server_config = |(chain, key): &(String, String)| tls_server_config(chain, key);
    let first_config = behaviour.tls.as_ref().map(server_config);
    let later_config = behaviour.tls_later.as_ref().map(server_config);
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { continue };
            let behaviour = behaviour.clone();
            let seen = seen.clone();
            let tls_config = match (&later_config, n) {
                (Some(later), 1..) => Some(later.clone()),
                _ => first_config.clone(),
            };
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                serve(stream, &behaviour, tls_config, &seen);
            });
        }
    });
    TestServer {
        port,
        authorizations,
    }
}

fn serve(
    stream: TcpStream,
    b: &Behaviour,
    tls: Option<Arc<rustls::ServerConfig>>,
    seen: &Mutex<Vec<String>>,
) {
    let mut first = [0u8; 1];
    let is_tls_hello = stream
        .peek(&mut first)
        .map(|n| n == 1 && first[0] == 0x16)
        .unwrap_or(false);
    match tls {
        Some(config) if is_tls_hello => {
            let Ok(conn) = rustls::ServerConnection::new(config) else {
                return;
            };
            let mut tls = rustls::StreamOwned::new(conn, stream);
            handle(&mut tls, b, seen);
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
        Some(_) if !b.also_plain => {} // a TLS port: plain HTTP gets the connection closed
        None if is_tls_hello => {
            // A plain HTTP server answers a TLS hello as a bad request, as uvicorn does.
            let mut s = stream;
            let _ = s.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
        _ => {
            let mut s = stream;
            handle(&mut s, b, seen);
        }
    }
}

fn handle(stream: &mut (impl Read + Write), b: &Behaviour, seen: &Mutex<Vec<String>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.len() > 16 * 1024 {
            return;
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut headers);
    if req.parse(&buf).is_err() {
        return;
    }
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).into_owned())
    };
    let authorization = header("Authorization");
    if let Some(a) = &authorization {
        seen.lock().unwrap().push(a.clone());
    }
    let host = header("Host").unwrap_or_default();
    let origin = header("Origin");
    let authorized = match &b.auth {
        Some((user, pass)) => {
            use base64::Engine;
            let expected = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
            );
            authorization.as_deref() == Some(expected.as_str())
        }
        None => true,
    };
    let routed = b
        .route
        .as_ref()
        .is_none_or(|r| req.path == Some(r.as_str()));
    let missing = if b.missing_status == 0 {
        404
    } else {
        b.missing_status
    };
    let status = if b
        .only_host
        .as_ref()
        .is_some_and(|h| host.split(':').next() != Some(h.as_str()))
    {
        400
    } else if !routed && !b.auth_before_route {
        missing
    } else if !authorized {
        401
    } else if !routed {
        missing
    } else {
        200
    };
    let body = match &b.missing_body {
        Some(text) if !routed && status != 400 && status != 401 => text.as_str(),
        _ => "ok",
    };
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if status == 401 {
        out.push_str("WWW-Authenticate: Basic realm=\"agent\"\r\n");
    }
    let echoed = authorization
        .as_deref()
        .filter(|_| b.echo_authorization)
        .and_then(|a| a.strip_prefix("Basic "))
        .map(|token| {
            use base64::Engine;
            use base64::engine::general_purpose::{STANDARD, URL_SAFE};
            let pair = STANDARD.decode(token).unwrap_or_default();
            vec![
                ("X-Frame-Options".to_string(), format!("Basic {token}")),
                ("X-Content-Type-Options".to_string(), URL_SAFE.encode(&pair)),
                (
                    "Strict-Transport-Security".to_string(),
                    format!("max-age={}", String::from_utf8_lossy(&pair)),
                ),
            ]
        })
        .unwrap_or_default();
    for (k, v) in &b.headers {
        if !echoed.iter().any(|(e, _)| e.eq_ignore_ascii_case(k)) {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    for (k, v) in &echoed {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if let (true, Some(o)) = (b.cors_echo, origin) {
        out.push_str(&format!(
            "Access-Control-Allow-Origin: {o}\r\nAccess-Control-Allow-Credentials: true\r\n"
        ));
    }
    out.push_str("\r\n");
    out.push_str(body);
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.flush();
}
