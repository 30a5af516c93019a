//! `threaded::net::TcpConnection` as a std stream (`Read`, `Write`,
//! `BufRead` over the framing buffer), its socket options, and the limits a
//! `TcpServer` sets for every connection: `max_line`, `max_frame`,
//! `message_timeout`.

mod support;

use std::io::{self, BufRead, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use support::GUARD;
use threaded::net::{ServerHandle, TcpConnection, TcpServer};

fn client(addr: SocketAddr) -> TcpConnection {
    let conn = TcpConnection::connect(addr).unwrap();
    conn.set_read_timeout(Some(GUARD)).unwrap();
    conn
}

/// 100 KB that no line or frame boundary can be mistaken in.
fn tail() -> Vec<u8> {
    (0..100_000u32).map(|i| (i % 251) as u8).collect()
}

#[test]
fn lines_frames_and_std_readers_take_turns_without_losing_a_byte() {
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(|mut conn: TcpConnection| {
            // One write: the first read of the client brings several
            // messages at once, so every reader must start from the buffer.
            let mut wire = b"first line\r\n".to_vec();
            wire.extend_from_slice(&5u32.to_be_bytes());
            wire.extend_from_slice(b"frame");
            wire.extend_from_slice(b"RAW!!via BufRead\nvia recv_line\n");
            wire.extend_from_slice(&tail());
            conn.write_all(&wire)?;
            conn.flush()
        })
        .unwrap();
    let mut conn = client(server.local_addr());
    assert_eq!(conn.recv_line().unwrap().as_deref(), Some("first line"));
    assert_eq!(conn.recv_frame().unwrap(), Some(b"frame".to_vec()));
    let mut raw = [0; 5];
    conn.read_exact(&mut raw).unwrap();
    assert_eq!(&raw, b"RAW!!");
    let mut line = String::new();
    conn.read_line(&mut line).unwrap();
    assert_eq!(line, "via BufRead\n");
    assert_eq!(conn.recv_line().unwrap().as_deref(), Some("via recv_line"));
    let mut rest = Vec::new();
    conn.read_to_end(&mut rest).unwrap();
    assert_eq!(rest.len(), 100_000);
    assert!(rest == tail(), "the tail came back altered");
    server.shutdown().unwrap();
}

#[test]
fn io_copy_and_lines_work_on_a_connection() {
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(|mut conn: TcpConnection| {
            // Echo the request's lines, numbered, through std's traits only.
            let mut numbered = Vec::new();
            for (i, line) in (&mut conn).lines().enumerate() {
                let line = line?;
                if line.is_empty() {
                    break;
                }
                writeln!(numbered, "{i}: {line}")?;
            }
            io::copy(&mut numbered.as_slice(), &mut conn)?;
            Ok(())
        })
        .unwrap();
    let mut conn = client(server.local_addr());
    write!(conn, "alpha\nbeta\n\n").unwrap();
    conn.shutdown_write().unwrap();
    let mut reply = Vec::new();
    io::copy(&mut conn, &mut reply).unwrap();
    assert_eq!(String::from_utf8(reply).unwrap(), "0: alpha\n1: beta\n");
    server.shutdown().unwrap();
}

/// Runs `read` in a handler on each connection and sends back what it
/// returned, for the test to inspect.
fn reporting_server<T: Send + 'static>(
    server: TcpServer,
    read: fn(&mut TcpConnection) -> io::Result<T>,
) -> (ServerHandle, mpsc::Receiver<(io::Result<T>, Instant)>) {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let handle = server
        .spawn(move |mut conn: TcpConnection| {
            let result = read(&mut conn);
            let _ = tx.lock().unwrap().send((result, Instant::now()));
            Ok(())
        })
        .unwrap();
    (handle, rx)
}

#[test]
fn server_wide_max_line_and_max_frame_reach_every_connection() {
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .max_line(4)
        .max_frame(4);
    let (server, results) = reporting_server(server, |conn| {
        let line = conn.recv_line();
        let frame = conn.recv_frame();
        Ok((line, frame))
    });
    let mut conn = client(server.local_addr());
    conn.send_line("12345").unwrap();
    conn.send_frame(b"12345").unwrap();
    let (line, frame) = results.recv_timeout(GUARD).unwrap().0.unwrap();
    assert_eq!(line.unwrap_err().kind(), ErrorKind::InvalidData);
    assert_eq!(frame.unwrap_err().kind(), ErrorKind::InvalidData);

    // At the limit exactly, both pass.
    let mut conn = client(server.local_addr());
    conn.send_line("1234").unwrap();
    conn.send_frame(b"1234").unwrap();
    let (line, frame) = results.recv_timeout(GUARD).unwrap().0.unwrap();
    assert_eq!(line.unwrap().as_deref(), Some("1234"));
    assert_eq!(frame.unwrap(), Some(b"1234".to_vec()));
    server.shutdown().unwrap();
}

/// `max_line(usize::MAX)` used to overflow (`max + 1`): a panic in debug
/// builds, every line refused in release builds.
#[test]
fn usize_max_limits_accept_lines_and_frames() {
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .max_line(usize::MAX)
        .max_frame(usize::MAX)
        .message_timeout(Some(Duration::MAX));
    let (server, results) = reporting_server(server, |conn| {
        let line = conn.recv_line()?;
        let frame = conn.recv_frame()?;
        Ok((line, frame))
    });
    let mut conn = client(server.local_addr());
    conn.send_line("no limit").unwrap();
    conn.send_frame(&[9; 70_000]).unwrap();
    let (line, frame) = results.recv_timeout(GUARD).unwrap().0.unwrap();
    assert_eq!(line.as_deref(), Some("no limit"));
    assert_eq!(frame, Some(vec![9; 70_000]));
    assert_eq!(server.stats().errors, 0);
    server.shutdown().unwrap();
}

const MESSAGE_TIMEOUT: Duration = Duration::from_millis(300);

/// A client that trickles a line a byte at a time, each byte well within the
/// read timeout, is cut off at the message timeout, counted from its first
/// byte; before the fix only `max_line` reads bounded it.
#[test]
fn message_timeout_cuts_off_a_client_that_trickles_a_line() {
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .read_timeout(Some(GUARD))
        .message_timeout(Some(MESSAGE_TIMEOUT));
    let (server, results) = reporting_server(server, |conn| conn.recv_line());
    let mut conn = client(server.local_addr());
    let first_byte = Instant::now();
    // 200 bytes at 20 ms each: 4 s for the whole line, far past the timeout.
    let mut outcome = None;
    for _ in 0..200 {
        if conn.send(b"x").is_err() {
            break;
        }
        if let Ok(result) = results.try_recv() {
            outcome = Some(result);
            break;
        }
        thread::sleep(Duration::from_millis(20)); // the slow client's pace
    }
    let (result, at) = outcome
        .or_else(|| results.recv_timeout(GUARD).ok())
        .expect("the handler never returned");
    assert_eq!(result.unwrap_err().kind(), ErrorKind::TimedOut);
    let took = at - first_byte;
    assert!(took >= MESSAGE_TIMEOUT, "cut off early, after {took:?}");
    assert!(
        took < Duration::from_secs(3),
        "cut off late, after {took:?}"
    );
    server.shutdown().unwrap();
}

/// The message timeout starts with a message's first byte: a connection
/// that idles between messages is the read timeout's business.
#[test]
fn message_timeout_does_not_count_the_wait_before_a_message() {
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .read_timeout(Some(GUARD))
        .message_timeout(Some(Duration::from_millis(50)));
    let (server, results) = reporting_server(server, |conn| conn.recv_line());
    let mut conn = client(server.local_addr());
    thread::sleep(Duration::from_millis(200)); // the client thinks first
    conn.send_line("worth the wait").unwrap();
    let (line, _) = results.recv_timeout(GUARD).unwrap();
    assert_eq!(line.unwrap().as_deref(), Some("worth the wait"));
    server.shutdown().unwrap();
}

#[test]
fn write_timeout_and_nodelay_reach_the_socket_with_std_signatures() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    // `&self`, as on std's TcpStream.
    conn.set_write_timeout(Some(Duration::from_secs(7)))
        .unwrap();
    conn.set_nodelay(true).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let err = conn.set_write_timeout(Some(Duration::ZERO)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let (local, peer) = (conn.local_addr().unwrap(), conn.peer_addr().unwrap());
    assert_eq!(peer, listener.local_addr().unwrap());
    let stream = conn.into_inner();
    assert_eq!(
        stream.write_timeout().unwrap(),
        Some(Duration::from_secs(7))
    );
    assert_eq!(stream.read_timeout().unwrap(), Some(Duration::from_secs(3)));
    assert!(stream.nodelay().unwrap());
    assert_eq!(stream.local_addr().unwrap(), local);
}

/// A message deadline narrows the read timeout while it runs and gives the
/// connection its own timeout back afterwards.
#[test]
fn a_message_deadline_restores_the_read_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    conn.set_read_timeout(Some(GUARD)).unwrap();
    conn.set_message_timeout(Some(Duration::from_millis(100)));
    peer.write_all(b"partial").unwrap();
    let start = Instant::now();
    let err = conn.recv_line().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut);
    assert!(start.elapsed() < GUARD / 2);
    peer.write_all(b" line\n").unwrap();
    assert_eq!(conn.recv_line().unwrap().as_deref(), Some("partial line"));
    assert_eq!(conn.into_inner().read_timeout().unwrap(), Some(GUARD));
}

/// API.md: any limit, `usize::MAX` and `Duration::MAX` included, is accepted
/// without overflow — and the server still serves and stops.
#[test]
fn every_limit_at_its_maximum_is_accepted_by_both_servers() {
    let tcp = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .backlog(u32::MAX)
        .max_connections(usize::MAX)
        .read_timeout(Some(Duration::MAX))
        .write_timeout(Some(Duration::MAX))
        .shutdown_grace(Duration::MAX)
        .max_line(usize::MAX)
        .max_frame(usize::MAX)
        .message_timeout(Some(Duration::MAX))
        .spawn(|mut conn: TcpConnection| {
            while let Some(line) = conn.recv_line()? {
                conn.send_line(&line)?;
            }
            Ok(())
        })
        .unwrap();
    let mut conn = client(tcp.local_addr());
    conn.send_line("still fine").unwrap();
    assert_eq!(conn.recv_line().unwrap().as_deref(), Some("still fine"));
    drop(conn);

    let udp = threaded::net::UdpServer::bind("127.0.0.1:0")
        .unwrap()
        .max_datagram(usize::MAX)
        .shutdown_grace(Duration::MAX)
        .spawn(|data: &[u8], _peer: SocketAddr| Some(data.to_vec()))
        .unwrap();
    let client = threaded::net::UdpClient::connect(udp.local_addr()).unwrap();
    assert_eq!(
        client.request(&[1; 60_000], GUARD).unwrap(),
        vec![1; 60_000]
    );

    // Both stop promptly: an unbounded grace waits only for live handlers.
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let result = (tcp.shutdown(), udp.shutdown());
        let _ = tx.send(result);
    });
    let (tcp_result, udp_result) = rx.recv_timeout(GUARD).expect("shutdown hung");
    tcp_result.unwrap();
    udp_result.unwrap();
}
