//! `probe --timeout` bounds the whole probe: servers that drip one byte
//! every half second (over HTTP and TLS, in the headers, the body or the TLS
//! handshake) are stopped at the deadline with a finding that says so.
//!
//! No test here reads a clock to judge the probe (a loaded machine would
//! fail it): the servers count what they had to send. A probe that keeps
//! its deadline takes at most two bytes a second from a drip, and at most
//! one slow answer a second; one that does not drains the drip to its end.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::Sandbox;
use common::pki::{Ca, CertSpec, KeyKind};

const HOST: &str = "localhost";
const TIMEOUT_SECS: u64 = 3;
/// Each dripping connection stops on its own after this many bytes (30 s).
const MAX_DRIP_BYTES: usize = 60;
/// Bytes a drip may still send per connection between the deadline and the
/// moment the probe has closed it (a write into a socket the peer has just
/// closed still succeeds, and a loaded machine closes late).
const TEARDOWN_BYTES: usize = 4;
const DRIP_EVERY: Duration = Duration::from_millis(500);

#[derive(Clone, Copy, Debug)]
enum Drip {
    /// The status line and headers, one byte at a time.
    Headers,
    /// Complete headers at once, then the body one byte at a time.
    Body,
    /// A TLS record header, then its content one byte at a time.
    Handshake,
    /// Every answer complete, after a pause of SLOW_ANSWER: each exchange
    /// alone fits in --timeout, all of them do not.
    Slow,
}

const SLOW_ANSWER: Duration = Duration::from_secs(1);

/// A server that drips; it stops when dropped, after 60 s, or once a
/// client goes away.
struct DripServer {
    port: u16,
    stop: Arc<AtomicBool>,
    counts: Arc<Counts>,
}

/// What the server did for its clients, for the bounds the test asserts.
#[derive(Default)]
struct Counts {
    connections: AtomicUsize,
    /// HTTP requests read in full.
    requests: AtomicUsize,
    /// Bytes written one at a time by the drips.
    dripped: AtomicUsize,
}

impl Drop for DripServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn drip_server(drip: Drip, tls: Option<Arc<rustls::ServerConfig>>) -> DripServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = Arc::new(AtomicBool::new(false));
    let counts = Arc::new(Counts::default());
    let stopping = stop.clone();
    let counting = counts.clone();
    std::thread::spawn(move || {
        // A guard that ends the thread if the test is gone, not a measure.
        let started = Instant::now();
        while !stopping.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(300) {
            match listener.accept() {
                Ok((stream, _)) => {
                    counting.connections.fetch_add(1, Ordering::SeqCst);
                    let stop = stopping.clone();
                    let tls = tls.clone();
                    let counts = counting.clone();
                    std::thread::spawn(move || serve(stream, drip, tls, &stop, &counts));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    });
    DripServer { port, stop, counts }
}

fn read_request(stream: &mut impl Read, counts: &Counts) -> bool {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    counts.requests.fetch_add(1, Ordering::SeqCst);
    true
}

/// Writes `bytes` one at a time, every DRIP_EVERY, until done, stopped, or
/// the client has gone.
fn drip_bytes(stream: &mut impl Write, bytes: &[u8], stop: &AtomicBool, counts: &Counts) {
    for b in bytes.iter().take(MAX_DRIP_BYTES) {
        if stop.load(Ordering::Relaxed)
            || stream.write_all(&[*b]).is_err()
            || stream.flush().is_err()
        {
            return;
        }
        counts.dripped.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(DRIP_EVERY);
    }
}

fn answer(stream: &mut (impl Read + Write), drip: Drip, stop: &AtomicBool, counts: &Counts) {
    if !read_request(stream, counts) {
        return;
    }
    let headers = "HTTP/1.1 200 OK\r\nX-Frame-Options: DENY\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n";
    match drip {
        Drip::Slow => {
            std::thread::sleep(SLOW_ANSWER);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            let _ = stream.flush();
        }
        Drip::Headers => drip_bytes(stream, headers.as_bytes(), stop, counts),
        Drip::Body | Drip::Handshake => {
            if stream.write_all(headers.as_bytes()).is_err() {
                return;
            }
            let _ = stream.flush();
            drip_bytes(stream, &[b'x'; MAX_DRIP_BYTES], stop, counts);
        }
    }
}

fn serve(
    mut stream: TcpStream,
    drip: Drip,
    tls: Option<Arc<rustls::ServerConfig>>,
    stop: &AtomicBool,
    counts: &Counts,
) {
    stream.set_nonblocking(false).unwrap();
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    match (drip, tls) {
        (Drip::Handshake, _) => {
            // Take the ClientHello, then announce a 16 KiB handshake record
            // and drip its content.
            let mut hello = [0u8; 4096];
            if stream.read(&mut hello).is_err() {
                return;
            }
            if stream.write_all(&[0x16, 0x03, 0x03, 0x40, 0x00]).is_err() {
                return;
            }
            drip_bytes(&mut stream, &[0u8; MAX_DRIP_BYTES], stop, counts);
        }
        (_, Some(config)) => {
            let Ok(conn) = rustls::ServerConnection::new(config) else {
                return;
            };
            // Each one-byte write is a TLS record of its own.
            let mut tls = rustls::StreamOwned::new(conn, stream);
            answer(&mut tls, drip, stop, counts);
        }
        (_, None) => answer(&mut stream, drip, stop, counts),
    }
}

fn tls_config(ca: &Ca) -> Arc<rustls::ServerConfig> {
    let (chain, key) = ca.sign(&CertSpec::leaf(&[HOST]), KeyKind::EcP256Pkcs8);
    common::server::tls_server_config(&chain, &key)
}

/// Probes a dripping server and checks that the probe stops at its deadline
/// with a finding naming the phase; gives the JSON output.
fn assert_bounded(drip: Drip, tls: bool, phase: &str) -> serde_json::Value {
    let ca = Ca::new("Drip Root");
    let server = drip_server(drip, tls.then(|| tls_config(&ca)));
    let sb = Sandbox::new()
        .env("SWML_BASIC_AUTH_USER", "drip-user")
        .env("SWML_BASIC_AUTH_PASSWORD", "Drip-Secret-Pw-5k2Qx9");
    sb.file("ca.pem", &ca.pem);
    let scheme = if tls { "https" } else { "http" };
    let url = format!("{scheme}://{HOST}:{}/agent", server.port);
    let out = sb.run(&[
        "probe",
        &url,
        "--timeout",
        &TIMEOUT_SECS.to_string(),
        "--ca-file",
        "ca.pem",
        "--format",
        "json",
    ]);
    let counts = &server.counts;
    let connections = counts.connections.load(Ordering::SeqCst);
    let requests = counts.requests.load(Ordering::SeqCst);
    let dripped = counts.dripped.load(Ordering::SeqCst);
    println!(
        "{drip:?} over {scheme}: {connections} connections, {requests} requests, {dripped} bytes dripped"
    );
    // Within the deadline a drip sends at most one byte per DRIP_EVERY; a
    // probe that ignored it would take MAX_DRIP_BYTES from each connection.
    let in_deadline = (TIMEOUT_SECS * 1000 / DRIP_EVERY.as_millis() as u64) as usize + 1;
    let bound = in_deadline + TEARDOWN_BYTES * connections.max(1);
    assert!(
        dripped <= bound && bound < MAX_DRIP_BYTES,
        "{drip:?} over {scheme}: the probe took {dripped} dripped bytes (bound {bound}) with --timeout {TIMEOUT_SECS}"
    );
    // Each slow answer takes SLOW_ANSWER: only so many fit in the deadline
    // (one more may have been read when the deadline came).
    if let Drip::Slow = drip {
        let fit = (TIMEOUT_SECS / SLOW_ANSWER.as_secs()) as usize + 1;
        assert!(
            requests <= fit,
            "{requests} slow exchanges with --timeout {TIMEOUT_SECS}: at most {fit} fit"
        );
    }
    assert_eq!(out.code, Some(1), "{}", out.all());
    let json = out.json();
    let findings = json["findings"].as_array().unwrap();
    let stopped = findings
        .iter()
        .find(|f| f["rule"] == "probe-unreachable")
        .unwrap_or_else(|| panic!("{drip:?} over {scheme}: {findings:?}"));
    let message = stopped["message"].as_str().unwrap();
    println!("{message}");
    assert!(
        message.contains(&format!("--timeout {TIMEOUT_SECS} s")) && message.contains(phase),
        "{drip:?} over {scheme}: {message}"
    );
    json
}

#[test]
fn slow_exchanges_share_one_deadline() {
    // Each answer takes 1 s: the first two exchanges (the second with the
    // credentials, to a verified peer) complete, the third meets the deadline.
    let json = assert_bounded(Drip::Slow, true, "stopped at its deadline");
    assert_eq!(json["probe"]["credentials"], "sent", "{}", json["probe"]);
}

#[test]
fn dripped_headers_over_http_stop_at_the_deadline() {
    assert_bounded(Drip::Headers, false, "the response headers");
}

#[test]
fn dripped_body_over_http_stops_at_the_deadline() {
    assert_bounded(Drip::Body, false, "the response body");
}

#[test]
fn dripped_headers_over_tls_stop_at_the_deadline() {
    assert_bounded(Drip::Headers, true, "the response headers");
}

#[test]
fn dripped_body_over_tls_stops_at_the_deadline() {
    assert_bounded(Drip::Body, true, "the response body");
}

#[test]
fn dripped_tls_handshake_stops_at_the_deadline() {
    assert_bounded(Drip::Handshake, true, "the TLS handshake");
}
