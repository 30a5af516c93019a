//! The lecture's socket programs, ported to Python 3 in `tests/python/`,
//! against our servers and clients.

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use support::{GUARD, Process};
use threaded::net::{TcpConnection, TcpServer, UdpClient, UdpServer};

/// Starts one of the lecture's scripts in `tests/python/`, watched line by line.
fn script(name: &str, args: &[&str]) -> Process {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "python", name]
        .iter()
        .collect();
    let child = Command::new("python3")
        .arg(path)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs the lecture's scripts; is it installed?");
    Process::new(name, child)
}

/// The port a lecture server script prints on its first line.
fn port_of(server: &mut Process) -> u16 {
    server
        .wait_for_line("", GUARD)
        .expect("the script ended before printing its port")
        .parse()
        .expect("the first line is the port")
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
fn the_lectures_tcp_client_gets_its_echo_from_our_tcp_server() {
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(echo_bytes)
        .unwrap();
    let port = server.local_addr().port().to_string();
    let out = script("tcp_client.py", &["127.0.0.1", &port, "Olá, mundo"]).finish();
    assert_eq!(out, "Received 'Olá, mundo'\n");
    server.shutdown().unwrap();
}

#[test]
fn our_tcp_client_gets_its_echo_from_the_lectures_tcp_server() {
    let mut server = script("tcp_server.py", &["127.0.0.1", "0"]);
    let port = port_of(&mut server);
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

    // Every line the script printed, its port first.
    let out = server.finish();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], port.to_string());
    assert_eq!(
        lines[1],
        format!("Connected by ('127.0.0.1', {})", me.port())
    );
    assert!(lines[2..].concat().contains("Hello"), "{out:?}");
}

#[test]
fn the_lectures_udp_client_gets_three_echoes_from_our_udp_server() {
    let server = UdpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(|data: &[u8], _peer| Some(data.to_vec()))
        .unwrap();
    let port = server.local_addr().port().to_string();
    let out = script("udp_client.py", &["127.0.0.1", &port, "3"]).finish();
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
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
fn our_udp_client_gets_echoes_from_the_lectures_udp_server_and_an_empty_datagram_stops_it() {
    let mut server = script("udp_server.py", &["127.0.0.1", "0"]);
    let port = port_of(&mut server);
    let client = UdpClient::connect(("127.0.0.1", port)).unwrap();
    for text in ["TEST", "olá"] {
        let reply = client.request(text.as_bytes(), GUARD).unwrap();
        assert_eq!(reply, text.as_bytes());
    }
    // The slide's server ends on an empty datagram.
    client.send(b"").unwrap();
    let out = server.finish();
    assert_eq!(
        out,
        format!("{port}\nReceived message 'TEST'\nReceived message 'olá'\n")
    );
}
