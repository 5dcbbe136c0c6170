//! A deliberately small HTTP/1.1 client over TCP or rustls: one request per
//! connection, bounded in time and size, never following redirects, and
//! recording the TLS chain and version the server presented.
//!
//! Time: every exchange runs against a deadline the caller gives (the probe
//! uses one deadline for the whole probe). Name resolution, connecting, the
//! TLS handshake and every socket read and write get only the time left, so
//! a server that drips one byte at a time cannot stretch an exchange.
//!
//! Trust: the handshake always completes so that the chain can be reported,
//! but the chain is also judged as a verifying client would, and a request
//! marked as carrying credentials is not written to a peer that fails.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore,
    SignatureScheme, StreamOwned,
};

/// Headers larger than this are refused.
const MAX_HEADER_BYTES: usize = 64 * 1024;
/// At most this much of a body is read; the rest is dropped with the connection.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// This much of the body is kept, to recognise an answer (never printed).
const BODY_START_BYTES: usize = 1024;

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
    /// The first bytes of the body (at most BODY_START_BYTES, as sent: a
    /// chunked body keeps its framing). Never printed.
    pub body_start: Vec<u8>,
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
    /// Whether a verifying client accepts this peer: its chain leads to a
    /// public web root or a --ca-file anchor, is valid now, and covers the
    /// URL's host. `Err` holds the reason in plain words.
    pub verified: Result<(), String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot resolve {0}")]
    Resolve(String),
    #[error("cannot connect to {addr}: {reason}")]
    Connect { addr: String, reason: String },
    #[error("TLS handshake with {host} failed: {reason}")]
    Tls {
        host: String,
        reason: String,
        /// The chain the server presented before the handshake failed, if
        /// it got that far (judged by the certificate rules).
        chain: Vec<CertificateDer<'static>>,
    },
    #[error("{0}")]
    Http(String),
    #[error(
        "no complete answer within --timeout {secs} s (one deadline for the whole probe); the deadline passed during {phase}"
    )]
    Timeout { phase: &'static str, secs: u64 },
    /// The request carried credentials and the peer's certificate does not verify.
    #[error("credentials withheld: {0}")]
    Withheld(String),
}

impl ProbeError {
    /// The request had been written when this happened (so any credentials
    /// in it were sent).
    pub fn after_sending(&self) -> bool {
        matches!(
            self,
            ProbeError::Timeout {
                phase: "the response headers" | "the response body",
                ..
            }
        )
    }
}

/// Limits for every connection.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub connect_timeout: Duration,
    /// The --timeout: the caller turns it into a deadline.
    pub total_timeout: Duration,
}

impl Limits {
    /// The error for a deadline that passed during `phase`.
    pub fn timeout(&self, phase: &'static str) -> ProbeError {
        ProbeError::Timeout {
            phase,
            secs: self.total_timeout.as_secs(),
        }
    }
}

/// What a verifying client trusts: the public web roots and the --ca-file anchors.
#[derive(Debug, Clone)]
pub struct Trust {
    verifier: Option<Arc<WebPkiServerVerifier>>,
    /// The --ca-file certificates: a peer whose leaf is one of them, byte
    /// for byte, is verified (pinning), as OpenSSL, Go, Java and Node
    /// accept a trusted self-signed certificate.
    pinned: Vec<CertificateDer<'static>>,
}

impl Trust {
    pub fn new(extra_anchors: &[CertificateDer<'static>]) -> Trust {
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for der in extra_anchors {
            // An anchor that does not parse is reported by the certificate
            // rules; it simply verifies nothing here.
            let _ = roots.add(der.clone());
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        // Without a verifier every peer counts as unverified (credentials withheld).
        let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .ok();
        Trust {
            verifier,
            pinned: extra_anchors.to_vec(),
        }
    }
}

/// One request.
pub struct Exchange<'a> {
    pub scheme: Scheme,
    pub host_header: &'a str,
    pub headers: &'a [(&'a str, String)],
    /// The headers carry credentials: over TLS, write nothing unless the
    /// peer verifies (the caller clears this for --insecure).
    pub verified_peer_only: bool,
}

/// Records the chain the server presents and accepts it: trust is judged
/// afterwards by the certificate rules, so that one probe reports every
/// problem instead of stopping at the first. The chain is also judged here as
/// a verifying client would (the verdict decides whether credentials may
/// follow). Signatures over the handshake are still verified, so the recorded
/// chain is the one the peer holds the key for.
#[derive(Debug)]
struct RecordingVerifier {
    seen: Mutex<Vec<CertificateDer<'static>>>,
    verdict: Mutex<Option<Result<(), String>>>,
    judge: Option<Arc<WebPkiServerVerifier>>,
    pinned: Vec<CertificateDer<'static>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.clear();
            seen.push(end_entity.clone().into_owned());
            seen.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        }
        let pinned = self
            .pinned
            .iter()
            .any(|p| p.as_ref() == end_entity.as_ref());
        let verdict = match &self.judge {
            _ if pinned => Ok(()),
            Some(judge) => judge
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
                .map(|_| ())
                .map_err(|e| untrusted_reason(&e, server_name)),
            None => Err("no trust store to verify the certificate with".to_string()),
        };
        if let Ok(mut v) = self.verdict.lock() {
            *v = Some(verdict);
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

/// Why a verifying client refuses the peer, in plain words.
fn untrusted_reason(e: &rustls::Error, name: &ServerName<'_>) -> String {
    let host = name.to_str();
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer => {
                "the certificate chain does not lead to a public web root or a --ca-file anchor"
                    .to_string()
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                format!("the certificate does not cover the URL's host {host}")
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "the certificate has expired".to_string()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "the certificate is not valid yet".to_string()
            }
            CertificateError::BadSignature | CertificateError::BadEncoding => {
                "the certificate chain is malformed or badly signed".to_string()
            }
            CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
                "the certificate is not meant for TLS servers".to_string()
            }
            CertificateError::Revoked => "the certificate is revoked".to_string(),
            CertificateError::UnsupportedSignatureAlgorithmContext { .. }
            | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
                "the certificate chain uses a signature algorithm clients do not accept".to_string()
            }
            CertificateError::Other(other) => match other.0.downcast_ref::<webpki::Error>() {
                Some(webpki::Error::CaUsedAsEndEntity) => {
                    "the server presents a CA certificate, not a server certificate".to_string()
                }
                Some(webpki::Error::EndEntityUsedAsCa) => {
                    "the chain uses a server certificate as an issuer".to_string()
                }
                Some(webpki::Error::PathLenConstraintViolated) => {
                    "the chain breaks its CA's path length constraint".to_string()
                }
                Some(webpki::Error::NameConstraintViolation) => {
                    "the chain breaks its CA's name constraints".to_string()
                }
                _ => "the certificate does not verify".to_string(),
            },
            _ => "the certificate does not verify".to_string(),
        },
        _ => "the certificate does not verify".to_string(),
    }
}

/// A socket whose every read and write gets only the time left before the
/// deadline, and fails with `TimedOut` once it has passed.
struct Deadlined {
    sock: TcpStream,
    deadline: Instant,
}

impl Deadlined {
    fn left(&self) -> std::io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the deadline has passed",
            ));
        }
        Ok(left)
    }
}

impl Read for Deadlined {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.left()?;
        self.sock.set_read_timeout(Some(left))?;
        self.sock.read(buf)
    }
}

impl Write for Deadlined {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let left = self.left()?;
        self.sock.set_write_timeout(Some(left))?;
        self.sock.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.sock.flush()
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// The addresses of the target, resolved within the time left.
fn resolve(
    target: &Target,
    limits: Limits,
    deadline: Instant,
) -> Result<Vec<SocketAddr>, ProbeError> {
    if let Ok(ip) = target.host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, target.port)]);
    }
    let left = deadline.saturating_duration_since(Instant::now());
    let (tx, rx) = std::sync::mpsc::channel();
    let (host, port) = (target.host.clone(), target.port);
    // The system resolver has no timeout: resolve aside and stop waiting at
    // the deadline (the thread ends with the process).
    std::thread::spawn(move || {
        let addrs = (host.as_str(), port)
            .to_socket_addrs()
            .map(Iterator::collect::<Vec<_>>);
        let _ = tx.send(addrs);
    });
    match rx.recv_timeout(left) {
        Ok(Ok(addrs)) => Ok(addrs),
        Ok(Err(_)) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            Err(ProbeError::Resolve(target.host.clone()))
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(limits.timeout("name resolution")),
    }
}

fn connect(target: &Target, limits: Limits, deadline: Instant) -> Result<TcpStream, ProbeError> {
    let addrs = resolve(target, limits, deadline)?;
    let mut last = String::from("no address");
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(limits.timeout("the connection"));
        }
        match TcpStream::connect_timeout(&addr, limits.connect_timeout.min(left)) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e.to_string(),
        }
    }
    if deadline <= Instant::now() {
        return Err(limits.timeout("the connection"));
    }
    Err(ProbeError::Connect {
        addr: format!("{}:{}", target.host, target.port),
        reason: last,
    })
}

/// Sends one request and reads the status line, the headers and (bounded)
/// the body, all before `deadline`.
pub fn request(
    target: &Target,
    ex: &Exchange,
    limits: Limits,
    deadline: Instant,
    trust: &Trust,
) -> Result<(Response, Option<TlsInfo>), ProbeError> {
    let sock = connect(target, limits, deadline)?;
    let mut stream = Deadlined { sock, deadline };
    let mut text = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: swml-sec/{}\r\nAccept: */*\r\nConnection: close\r\n",
        target.path,
        ex.host_header,
        env!("CARGO_PKG_VERSION")
    );
    for (k, v) in ex.headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    let send_error = |e: std::io::Error| {
        if is_timeout(&e) {
            limits.timeout("the request")
        } else {
            ProbeError::Http(format!("the connection failed: {e}"))
        }
    };
    match ex.scheme {
        Scheme::Http => {
            stream.write_all(text.as_bytes()).map_err(send_error)?;
            Ok((read_response(&mut stream, limits)?, None))
        }
        Scheme::Https => {
            let tls_error = |reason: String| ProbeError::Tls {
                host: target.host.clone(),
                reason,
                chain: Vec::new(),
            };
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let verifier = Arc::new(RecordingVerifier {
                seen: Mutex::new(Vec::new()),
                verdict: Mutex::new(None),
                judge: trust.verifier.clone(),
                pinned: trust.pinned.clone(),
                provider: provider.clone(),
            });
            let config = ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| tls_error(e.to_string()))?
                .dangerous()
                .with_custom_certificate_verifier(verifier.clone())
                .with_no_client_auth();
            let name =
                ServerName::try_from(target.host.clone()).map_err(|e| tls_error(e.to_string()))?;
            let conn = ClientConnection::new(Arc::new(config), name)
                .map_err(|e| tls_error(e.to_string()))?;
            let mut tls = StreamOwned::new(conn, stream);
            while tls.conn.is_handshaking() {
                tls.conn.complete_io(&mut tls.sock).map_err(|e| {
                    if is_timeout(&e) {
                        limits.timeout("the TLS handshake")
                    } else {
                        ProbeError::Tls {
                            host: target.host.clone(),
                            reason: tls_reason(&e),
                            chain: verifier.seen.lock().map(|s| s.clone()).unwrap_or_default(),
                        }
                    }
                })?;
            }
            let version = match tls.conn.protocol_version() {
                Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".to_string(),
                Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".to_string(),
                Some(_) => "an older TLS version".to_string(),
                None => "unknown".to_string(),
            };
            let chain = verifier.seen.lock().map(|s| s.clone()).unwrap_or_default();
            let verified = verifier
                .verdict
                .lock()
                .ok()
                .and_then(|v| v.clone())
                .unwrap_or_else(|| Err("the server presented no certificate".to_string()));
            if ex.verified_peer_only
                && let Err(reason) = &verified
            {
                // Nothing was written: the credentials never leave.
                return Err(ProbeError::Withheld(reason.clone()));
            }
            tls.write_all(text.as_bytes()).map_err(send_error)?;
            let response = read_response(&mut tls, limits)?;
            Ok((
                response,
                Some(TlsInfo {
                    chain,
                    version,
                    verified,
                }),
            ))
        }
    }
}

fn tls_reason(e: &std::io::Error) -> String {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(rustls::Error::AlertReceived(alert)) => {
            format!("the server sent the alert {}", alert_name(*alert))
        }
        Some(rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)) => {
            "the server did not answer in TLS (does the port serve plain HTTP?)".to_string()
        }
        Some(other) => other.to_string(),
        None if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the server closed the connection (is it serving plain HTTP?)".to_string()
        }
        None => e.to_string(),
    }
}

/// An alert's name as the TLS specification writes it, e.g. `handshake_failure`.
fn alert_name(alert: rustls::AlertDescription) -> String {
    let debug = format!("{alert:?}");
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn read_response(stream: &mut impl Read, limits: Limits) -> Result<Response, ProbeError> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            // A TLS peer that closes without close_notify still sent its answer.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => 0,
            Err(e) if is_timeout(&e) => {
                return Err(limits.timeout("the response headers"));
            }
            Err(e) => return Err(ProbeError::Http(format!("the connection failed: {e}"))),
        };
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 96];
        let mut parsed = httparse::Response::new(&mut headers);
        match parsed.parse(&buf) {
            Ok(httparse::Status::Complete(end)) => {
                let status = parsed.code.unwrap_or(0);
                let headers: Vec<(String, String)> = parsed
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_string(),
                            String::from_utf8_lossy(h.value).into_owned(),
                        )
                    })
                    .collect();
                let mut response = Response {
                    status,
                    headers,
                    body_start: Vec::new(),
                };
                response.body_start = drain_body(stream, &response, &buf[end..], limits)?;
                return Ok(response);
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

/// Reads the body up to its end (Content-Length, the last chunk, or the
/// connection's close), at most MAX_BODY_BYTES, within the deadline, and
/// gives its first BODY_START_BYTES. A server that drips the body is
/// stopped at the deadline like any other.
fn drain_body(
    stream: &mut impl Read,
    response: &Response,
    already: &[u8],
    limits: Limits,
) -> Result<Vec<u8>, ProbeError> {
    if response.status < 200 || response.status == 204 || response.status == 304 {
        return Ok(Vec::new());
    }
    let chunked = response
        .header("Transfer-Encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = if chunked {
        None
    } else {
        response
            .header("Content-Length")
            .and_then(|v| v.trim().parse::<usize>().ok())
    };
    let want = length.unwrap_or(usize::MAX).min(MAX_BODY_BYTES);
    let mut start = already[..already.len().min(want)].to_vec();
    start.truncate(BODY_START_BYTES);
    let mut got = already.len();
    // The end of a chunked body: the last chunk and an empty trailer.
    let mut tail: Vec<u8> = already[already.len().saturating_sub(8)..].to_vec();
    if chunked && tail.ends_with(b"0\r\n\r\n") {
        return Ok(start);
    }
    let mut chunk = [0u8; 4096];
    while got < want {
        let n = match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if is_timeout(&e) => return Err(limits.timeout("the response body")),
            // A reset or a close without close_notify ends the body.
            Err(_) => break,
        };
        let room = BODY_START_BYTES.saturating_sub(start.len()).min(want - got);
        start.extend_from_slice(&chunk[..n.min(room)]);
        got += n;
        if chunked {
            tail.extend_from_slice(&chunk[..n]);
            if tail.ends_with(b"0\r\n\r\n") {
                break;
            }
            let keep = tail.len().saturating_sub(8);
            tail.drain(..keep);
        }
    }
    Ok(start)
}
