//! The lecture's socket programs, ported to Python 3 in `tests/python/`,
//! against our servers and clients.

mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;

use support::GUARD;
use threaded::net::{TcpConnection, TcpServer, UdpClient, UdpServer};

/// A running Python script whose stdout lines arrive on a channel; killed
/// when dropped, so a hung script cannot outlive its test.
struct Script {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Script {
    fn start(name: &str, args: &[&str]) -> Script {
        let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "python", name]
            .iter()
            .collect();
        let mut child = Command::new("python3")
            .arg(path)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs the lecture's scripts; is it installed?");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Script { child, lines }
    }

    fn next_line(&self) -> String {
        self.lines
            .recv_timeout(GUARD)
            .expect("the script printed nothing more in time")
    }

    /// Every line until the script closes its stdout, then its exit status.
    fn finish(mut self) -> (Vec<String>, bool) {
        let mut out = Vec::new();
        loop {
            match self.lines.recv_timeout(GUARD) {
                Ok(line) => out.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => panic!("the script hung: {out:?}"),
            }
        }
        // Its stdout is closed: it has exited or is about to.
        let status = self.child.wait().unwrap();
        (out, status.success())
    }
}

impl Drop for Script {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn echo_bytes(mut conn: TcpConnection) -> std::io::Result<()> {
    let mut buf = [0; 1024];
    loop {
        let n = conn.recv(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        conn.send(&buf[..n])?;
    }
}

#[test]
fn lecture_tcp_client_against_our_tcp_server() {
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(echo_bytes)
        .unwrap();
    let port = server.local_addr().port().to_string();
    let (out, ok) = Script::start("tcp_client.py", &["127.0.0.1", &port, "Olá, mundo"]).finish();
    assert!(ok, "tcp_client.py failed: {out:?}");
    assert_eq!(out, ["Received 'Olá, mundo'"]);
    server.shutdown().unwrap();
}

#[test]
fn our_tcp_client_against_the_lecture_tcp_server() {
    let script = Script::start("tcp_server.py", &["127.0.0.1", "0"]);
    let port: u16 = script
        .next_line()
        .parse()
        .expect("the first line is the port");
    let mut conn = TcpConnection::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(GUARD)).unwrap();
    conn.send(b"Hello, world").unwrap();
    let mut buf = [0; 1024];
    let mut echoed = Vec::new();
    while echoed.len() < 12 {
        let n = conn.recv(&mut buf).unwrap();
        assert_ne!(n, 0, "the server closed early");
        echoed.extend_from_slice(&buf[..n]);
    }
    assert_eq!(echoed, b"Hello, world");
    let me = conn.local_addr().unwrap();
    drop(conn);

    let (out, ok) = script.finish();
    assert!(ok, "tcp_server.py failed: {out:?}");
    assert_eq!(out[0], format!("Connected by ('127.0.0.1', {})", me.port()));
    assert!(out[1..].concat().contains("Hello"), "{out:?}");
}

#[test]
fn lecture_udp_client_against_our_udp_server() {
    let server = UdpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(|data: &[u8], _peer| Some(data.to_vec()))
        .unwrap();
    let port = server.local_addr().port().to_string();
    let (out, ok) = Script::start("udp_client.py", &["127.0.0.1", &port, "3"]).finish();
    assert!(ok, "udp_client.py failed: {out:?}");
    assert_eq!(
        out,
        [
            "Sending message",
            "Received 'TEST 0'",
            "Sending message",
            "Received 'TEST 1'",
            "Sending message",
            "Received 'TEST 2'",
        ]
    );
    assert_eq!(server.stats().accepted, 3);
    server.shutdown().unwrap();
}

#[test]
fn our_udp_client_against_the_lecture_udp_server() {
    let script = Script::start("udp_server.py", &["127.0.0.1", "0"]);
    let port: u16 = script
        .next_line()
        .parse()
        .expect("the first line is the port");
    let client = UdpClient::connect(("127.0.0.1", port)).unwrap();
    for text in ["TEST", "olá"] {
        let reply = client.request(text.as_bytes(), GUARD).unwrap();
        assert_eq!(reply, text.as_bytes());
    }
    // The slide's server ends on an empty datagram.
    client.send(b"").unwrap();
    let (out, ok) = script.finish();
    assert!(ok, "udp_server.py failed: {out:?}");
    assert_eq!(out, ["Received message 'TEST'", "Received message 'olá'"]);
}
