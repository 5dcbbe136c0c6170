//! A deliberately small HTTP/1.1 client over TCP or rustls: one request per
//! connection, bounded in time and size, never following redirects, and
//! recording the TLS chain and version the server presented.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme, StreamOwned};

/// Headers larger than this are refused.
const MAX_HEADER_BYTES: usize = 64 * 1024;
/// At most this much of a body is read; the rest is dropped with the connection.
const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub scheme: Scheme,
    pub host: String,
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
}

impl Target {
    pub fn parse(url: &str) -> Result<Target, String> {
        let u = url::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
        let scheme = match u.scheme() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            other => {
                return Err(format!(
                    "{url:?}: the scheme must be http or https, not {other}"
                ));
            }
        };
        let host = u
            .host_str()
            .ok_or_else(|| format!("{url:?} has no host"))?
            .trim_matches(['[', ']'])
            .to_string();
        let port = u
            .port_or_known_default()
            .unwrap_or(if scheme == Scheme::Https { 443 } else { 80 });
        let mut path = u.path().to_string();
        if let Some(q) = u.query() {
            path.push('?');
            path.push_str(q);
        }
        if !u.username().is_empty() || u.password().is_some() {
            return Err("put no credentials in the URL: use --user and --password-env".into());
        }
        Ok(Target {
            scheme,
            host,
            port,
            path,
        })
    }

    /// The Host header value for this target.
    pub fn authority(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default = match self.scheme {
            Scheme::Http => 80,
            Scheme::Https => 443,
        };
        if self.port == default {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct TlsInfo {
    pub chain: Vec<CertificateDer<'static>>,
    pub version: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot resolve {0}")]
    Resolve(String),
    #[error("cannot connect to {addr}: {reason}")]
    Connect { addr: String, reason: String },
    #[error("TLS handshake with {host} failed: {reason}")]
    Tls { host: String, reason: String },
    #[error("{0}")]
    Http(String),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
}

/// Limits for every connection.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub connect_timeout: Duration,
    pub total_timeout: Duration,
}

/// Records the chain the server presents and accepts it: trust is judged
/// afterwards by the certificate rules, so that one probe reports every
/// problem instead of stopping at the first. Signatures over the handshake
/// are still verified, so the recorded chain is the one the peer holds the
/// key for.
#[derive(Debug)]
struct RecordingVerifier {
    seen: Mutex<Vec<CertificateDer<'static>>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.clear();
            seen.push(end_entity.clone().into_owned());
            seen.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

fn connect(target: &Target, limits: Limits, deadline: Instant) -> Result<TcpStream, ProbeError> {
    let addrs: Vec<SocketAddr> = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|_| ProbeError::Resolve(target.host.clone()))?
        .collect();
    let mut last = String::from("no address");
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ProbeError::Timeout(limits.total_timeout));
        }
        match TcpStream::connect_timeout(&addr, limits.connect_timeout.min(left)) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e.to_string(),
        }
    }
    Err(ProbeError::Connect {
        addr: format!("{}:{}", target.host, target.port),
        reason: last,
    })
}

fn set_deadline(stream: &TcpStream, deadline: Instant, total: Duration) -> Result<(), ProbeError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(ProbeError::Timeout(total));
    }
    let _ = stream.set_read_timeout(Some(left));
    let _ = stream.set_write_timeout(Some(left));
    Ok(())
}

/// Sends one request and reads the status line and headers.
pub fn request(
    target: &Target,
    scheme: Scheme,
    host_header: &str,
    headers: &[(&str, String)],
    limits: Limits,
) -> Result<(Response, Option<TlsInfo>), ProbeError> {
    let deadline = Instant::now() + limits.total_timeout;
    let stream = connect(target, limits, deadline)?;
    set_deadline(&stream, deadline, limits.total_timeout)?;
    let mut text = format!(
        "GET {} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: swml-sec/{}\r\nAccept: */*\r\nConnection: close\r\n",
        target.path,
        env!("CARGO_PKG_VERSION")
    );
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    match scheme {
        Scheme::Http => {
            let mut stream = stream;
            stream
                .write_all(text.as_bytes())
                .map_err(|e| io_error(e, limits))?;
            Ok((read_response(&mut stream, limits)?, None))
        }
        Scheme::Https => {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let verifier = Arc::new(RecordingVerifier {
                seen: Mutex::new(Vec::new()),
                provider: provider.clone(),
            });
            let config = ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| ProbeError::Tls {
                    host: target.host.clone(),
                    reason: e.to_string(),
                })?
                .dangerous()
                .with_custom_certificate_verifier(verifier.clone())
                .with_no_client_auth();
            let name = ServerName::try_from(target.host.clone()).map_err(|e| ProbeError::Tls {
                host: target.host.clone(),
                reason: e.to_string(),
            })?;
            let conn =
                ClientConnection::new(Arc::new(config), name).map_err(|e| ProbeError::Tls {
                    host: target.host.clone(),
                    reason: e.to_string(),
                })?;
            let mut tls = StreamOwned::new(conn, stream);
            while tls.conn.is_handshaking() {
                tls.conn
                    .complete_io(&mut tls.sock)
                    .map_err(|e| ProbeError::Tls {
                        host: target.host.clone(),
                        reason: tls_reason(&e),
                    })?;
            }
            let version = match tls.conn.protocol_version() {
                Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".to_string(),
                Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".to_string(),
                Some(other) => format!("{other:?}"),
                None => "unknown".to_string(),
            };
            let chain = verifier.seen.lock().map(|s| s.clone()).unwrap_or_default();
            tls.write_all(text.as_bytes())
                .map_err(|e| io_error(e, limits))?;
            let response = read_response(&mut tls, limits)?;
            Ok((response, Some(TlsInfo { chain, version })))
        }
    }
}

fn tls_reason(e: &std::io::Error) -> String {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(rustls::Error::AlertReceived(alert)) => format!("the server sent the alert {alert:?}"),
        Some(rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)) => {
            "the server did not answer in TLS (does the port serve plain HTTP?)".to_string()
        }
        Some(other) => other.to_string(),
        None if matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ) =>
        {
            "no answer in time".to_string()
        }
        None if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the server closed the connection (is it serving plain HTTP?)".to_string()
        }
        None => e.to_string(),
    }
}

fn io_error(e: std::io::Error, limits: Limits) -> ProbeError {
    match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            ProbeError::Timeout(limits.total_timeout)
        }
        _ => ProbeError::Http(format!("the connection failed: {e}")),
    }
}

fn read_response(stream: &mut impl Read, limits: Limits) -> Result<Response, ProbeError> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            // A TLS peer that closes without close_notify still sent its answer.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => 0,
            Err(e) => return Err(io_error(e, limits)),
        };
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 96];
        let mut parsed = httparse::Response::new(&mut headers);
        match parsed.parse(&buf) {
            Ok(httparse::Status::Complete(_)) => {
                let status = parsed.code.unwrap_or(0);
                let headers = parsed
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_string(),
                            String::from_utf8_lossy(h.value).into_owned(),
                        )
                    })
                    .collect();
                // Drain at most a bounded part of the body; the rest goes with the connection.
                let mut rest = Vec::new();
                let _ = stream.take(MAX_BODY_BYTES as u64).read_to_end(&mut rest);
                return Ok(Response { status, headers });
            }
            Ok(httparse::Status::Partial) if n == 0 => {
                return Err(ProbeError::Http(
                    "the server closed the connection before a complete answer".into(),
                ));
            }
            Ok(httparse::Status::Partial) if buf.len() > MAX_HEADER_BYTES => {
                return Err(ProbeError::Http(format!(
                    "response headers exceed {MAX_HEADER_BYTES} bytes"
                )));
            }
            Ok(httparse::Status::Partial) => {}
            Err(e) => return Err(ProbeError::Http(format!("not an HTTP response: {e}"))),
        }
    }
}
