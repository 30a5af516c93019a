//! Behaviour of `threaded::net::TcpServer` and `TcpConnection`: shutdown,
//! the connection cap, handler failures, timeouts and framing limits.

mod support;

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use support::{GUARD, Gate, assert_median_under, capture_logs, time_to_stop, wait_until};
use threaded::net::{ServerHandle, TcpConnection, TcpServer};

fn echo_lines(mut conn: TcpConnection) -> io::Result<()> {
    while let Some(line) = conn.recv_line()? {
        conn.send_line(&line)?;
    }
    Ok(())
}

fn client(addr: SocketAddr) -> TcpConnection {
    let conn = TcpConnection::connect(addr).unwrap();
    conn.set_read_timeout(Some(GUARD)).unwrap();
    conn
}

fn echo_once(addr: SocketAddr, text: &str) -> Option<String> {
    let mut conn = client(addr);
    conn.send_line(text).unwrap();
    conn.recv_line().unwrap()
}

#[test]
fn bytes_lines_and_frames_round_trip() {
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(|mut conn: TcpConnection| {
            let mut buf = [0; 1024];
            let n = conn.recv(&mut buf)?;
            conn.send(&buf[..n])?;
            let line = conn.recv_line()?.unwrap_or_default();
            conn.send_line(&line)?;
            while let Some(frame) = conn.recv_frame()? {
                conn.send_frame(&frame)?;
            }
            Ok(())
        })
        .unwrap();
    let addr = server.local_addr();
    assert_ne!(addr.port(), 0);

    let mut conn = client(addr);
    conn.send(b"Hello, world").unwrap();
    let mut buf = [0; 1024];
    let n = conn.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"Hello, world");

    conn.send_line("olá").unwrap();
    assert_eq!(conn.recv_line().unwrap().as_deref(), Some("olá"));

    let big = vec![0xAB; 300_000];
    for frame in [&b""[..], b"\n\x00\xff", &big] {
        conn.send_frame(frame).unwrap();
        assert_eq!(conn.recv_frame().unwrap().as_deref(), Some(frame));
    }
    conn.shutdown_write().unwrap();
    assert_eq!(conn.recv_frame().unwrap(), None);
    server.shutdown().unwrap();
}

#[test]
fn idle_shutdown_returns_in_milliseconds() {
    let mut took = Vec::new();
    for _ in 0..5 {
        let server = TcpServer::bind("127.0.0.1:0")
            .unwrap()
            .spawn(echo_lines)
            .unwrap();
        let addr = server.local_addr();
        // The accept loop is up and blocked in accept() once it served one.
        assert_eq!(echo_once(addr, "up").as_deref(), Some("up"));
        wait_until("the connection to end", || server.stats().active == 0);

        let start = Instant::now();
        server.shutdown().unwrap();
        took.push(start.elapsed());
        // The listener is closed: nobody waits in a dead backlog.
        let err = TcpStream::connect(addr).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    }
    // The median of 5: one round slowed by a loaded machine does not fail the
    // test, while a 0.5 s poll interval (socketserver's) would, nearly always.
    assert_median_under("idle shutdown", took, Duration::from_millis(100));
}

#[test]
fn serve_returns_once_its_stop_event_is_set() {
    // The median of 5 rounds, as for the idle shutdown above.
    let mut took = Vec::new();
    for round in 0..5 {
        let server = TcpServer::bind("127.0.0.1:0").unwrap();
        let addr = server.local_addr().unwrap();
        took.push(time_to_stop(
            move |stop| server.serve(echo_lines, stop),
            || {
                let line = format!("serve {round}");
                assert_eq!(echo_once(addr, &line).as_deref(), Some(line.as_str()));
            },
        ));
    }
    assert_median_under("stopping serve", took, Duration::from_millis(100));
}

#[test]
fn shutdown_waits_for_in_flight_handlers_within_the_grace() {
    let gate = Arc::new(Gate::default());
    let finished = Arc::new(AtomicBool::new(false));
    let (started_tx, started_rx) = mpsc::channel();
    let server = {
        let (gate, finished) = (Arc::clone(&gate), Arc::clone(&finished));
        let started_tx = std::sync::Mutex::new(started_tx);
        TcpServer::bind("127.0.0.1:0")
            .unwrap()
            .shutdown_grace(GUARD)
            .spawn(move |mut conn: TcpConnection| {
                let request = conn.recv_line()?.unwrap_or_default();
                started_tx.lock().unwrap().send(()).unwrap();
                assert!(gate.pass(), "the test never released the handler");
                conn.send_line(&format!("done {request}"))?;
                finished.store(true, Ordering::SeqCst);
                Ok(())
            })
            .unwrap()
    };
    let mut conn = client(server.local_addr());
    conn.send_line("slow").unwrap();
    started_rx.recv_timeout(GUARD).unwrap();

    let stop = server.stop_event();
    let shutting = {
        let finished = Arc::clone(&finished);
        thread::spawn(move || {
            let result = server.shutdown();
            (result, finished.load(Ordering::SeqCst))
        })
    };
    assert!(stop.wait_timeout(GUARD), "shutdown did not start");
    gate.open(1);

    let (result, finished_before_return) = shutting.join().unwrap();
    result.unwrap();
    assert!(
        finished_before_return,
        "shutdown returned before its handler finished"
    );
    assert_eq!(conn.recv_line().unwrap().as_deref(), Some("done slow"));
}

fn blocked_handler_server(grace: Duration) -> (ServerHandle, mpsc::Receiver<io::Result<usize>>) {
    let (result_tx, result_rx) = mpsc::channel();
    let result_tx = std::sync::Mutex::new(result_tx);
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .shutdown_grace(grace)
        .spawn(move |mut conn: TcpConnection| {
            // The client never writes: only a shutdown of this socket ends
            // this read.
            let mut buf = [0; 16];
            let result = conn.recv(&mut buf);
            result_tx.lock().unwrap().send(result).unwrap();
            Ok(())
        })
        .unwrap();
    (server, result_rx)
}

#[test]
fn handlers_blocked_past_the_grace_are_unblocked() {
    let grace = Duration::from_millis(200);
    let (server, result_rx) = blocked_handler_server(grace);
    let _silent = client(server.local_addr());
    wait_until("the handler to start", || server.stats().active == 1);

    let start = Instant::now();
    server.shutdown().unwrap();
    let took = start.elapsed();
    assert!(
        took >= grace,
        "shutdown did not wait for the grace: {took:?}"
    );
    assert!(
        took < grace + Duration::from_secs(2),
        "shutdown took {took:?}"
    );
    // The handler's read returned (end of stream), it was not left blocked.
    let read = result_rx.recv_timeout(GUARD).unwrap();
    assert_eq!(read.unwrap(), 0);
}

#[test]
fn dropping_the_handle_shuts_the_server_down() {
    let grace = Duration::from_millis(100);
    let (server, result_rx) = blocked_handler_server(grace);
    let addr = server.local_addr();
    let _silent = client(addr);
    wait_until("the handler to start", || server.stats().active == 1);

    let start = Instant::now();
    drop(server);
    assert!(start.elapsed() < grace + Duration::from_secs(2));
    assert_eq!(result_rx.recv_timeout(GUARD).unwrap().unwrap(), 0);
    assert_eq!(
        TcpStream::connect(addr).unwrap_err().kind(),
        ErrorKind::ConnectionRefused
    );
}

#[test]
fn max_connections_stops_accepting_at_the_cap_and_drops_no_client() {
    const CAP: usize = 2;
    const CLIENTS: usize = 8;
    let gate = Arc::new(Gate::default());
    let current = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (started_tx, started_rx) = mpsc::channel();
    let server = {
        let (gate, current, peak) = (Arc::clone(&gate), Arc::clone(&current), Arc::clone(&peak));
        let started_tx = std::sync::Mutex::new(started_tx);
        TcpServer::bind("127.0.0.1:0")
            .unwrap()
            .max_connections(CAP)
            .spawn(move |mut conn: TcpConnection| {
                let now = current.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                started_tx.lock().unwrap().send(()).unwrap();
                let line = conn.recv_line()?;
                assert!(gate.pass(), "the test never released the handler");
                current.fetch_sub(1, Ordering::SeqCst);
                conn.send_line(&line.unwrap_or_default())
            })
            .unwrap()
    };
    let addr = server.local_addr();

    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            thread::spawn(move || {
                let mut conn = client(addr);
                conn.send_line(&format!("client {i}")).unwrap();
                conn.recv_line().unwrap()
            })
        })
        .collect();

    for _ in 0..CAP {
        started_rx.recv_timeout(GUARD).unwrap();
    }
    // The other clients are connected (in the backlog) but not accepted.
    assert!(started_rx.recv_timeout(Duration::from_millis(200)).is_err());
    assert_eq!(server.stats().accepted, CAP as u64);
    assert_eq!(server.stats().active, CAP as u64);

    for released in 0..CLIENTS {
        gate.open(1);
        if released + CAP < CLIENTS {
            started_rx.recv_timeout(GUARD).unwrap();
        }
        assert!(server.stats().active <= CAP as u64);
    }
    let mut replies: Vec<String> = clients
        .into_iter()
        .map(|c| c.join().unwrap().expect("a client was dropped"))
        .collect();
    replies.sort();
    let expected: Vec<String> = (0..CLIENTS).map(|i| format!("client {i}")).collect();
    assert_eq!(replies, expected);
    assert_eq!(peak.load(Ordering::SeqCst), CAP);
    assert_eq!(server.stats().accepted, CLIENTS as u64);
    server.shutdown().unwrap();
}

#[test]
fn handler_errors_and_panics_are_logged_counted_and_survived() {
    let logs = capture_logs();
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(
            |mut conn: TcpConnection| match conn.recv_line()?.as_deref() {
                Some("err") => Err(io::Error::other("the handler refused")),
                Some("panic") => panic!("the handler crashed"),
                Some(text) => conn.send_line(text),
                None => Ok(()),
            },
        )
        .unwrap();
    let addr = server.local_addr();

    let mut failing = client(addr);
    let failing_addr = failing.local_addr().unwrap().to_string();
    failing.send_line("err").unwrap();
    assert_eq!(failing.recv_line().unwrap(), None);

    let mut crashing = client(addr);
    let crashing_addr = crashing.local_addr().unwrap().to_string();
    crashing.send_line("panic").unwrap();
    assert_eq!(crashing.recv_line().unwrap(), None);

    wait_until("two errors to be counted", || server.stats().errors == 2);
    assert_eq!(echo_once(addr, "still here").as_deref(), Some("still here"));
    assert_eq!(server.stats().errors, 2);
    assert_eq!(server.stats().accepted, 3);
    assert!(logs.has(log::Level::Warn, &[&failing_addr, "the handler refused"]));
    assert!(logs.has(log::Level::Error, &[&crashing_addr, "the handler crashed"]));
    server.shutdown().unwrap();
}

#[test]
fn read_timeout_frees_the_slot_of_a_silent_client() {
    let (kind_tx, kind_rx) = mpsc::channel();
    let kind_tx = std::sync::Mutex::new(kind_tx);
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .max_connections(1)
        .read_timeout(Some(Duration::from_millis(100)))
        .spawn(move |conn: TcpConnection| {
            let result = echo_lines(conn);
            if let Err(e) = &result {
                kind_tx.lock().unwrap().send(e.kind()).unwrap();
            }
            result
        })
        .unwrap();
    let addr = server.local_addr();
    let silent = client(addr);
    wait_until("the silent client to take the slot", || {
        server.stats().active == 1
    });

    // Only the timeout can free the one slot for this client.
    assert_eq!(echo_once(addr, "next").as_deref(), Some("next"));
    assert_eq!(kind_rx.recv_timeout(GUARD).unwrap(), ErrorKind::TimedOut);
    wait_until("the timeout to be counted", || server.stats().errors == 1);
    drop(silent);
    server.shutdown().unwrap();
}

#[test]
fn a_client_vanishing_mid_frame_fails_only_its_connection() {
    let (kind_tx, kind_rx) = mpsc::channel();
    let kind_tx = std::sync::Mutex::new(kind_tx);
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(move |mut conn: TcpConnection| {
            let result: io::Result<()> = (|| {
                while let Some(frame) = conn.recv_frame()? {
                    conn.send_frame(&frame)?;
                }
                Ok(())
            })();
            if let Err(e) = &result {
                kind_tx.lock().unwrap().send(e.kind()).unwrap();
            }
            result
        })
        .unwrap();
    let addr = server.local_addr();

    let mut steady = client(addr);
    steady.send_frame(b"before").unwrap();
    assert_eq!(
        steady.recv_frame().unwrap().as_deref(),
        Some(&b"before"[..])
    );

    let mut vanishing = TcpStream::connect(addr).unwrap();
    vanishing.write_all(&100u32.to_be_bytes()).unwrap();
    vanishing.write_all(&[1; 10]).unwrap();
    drop(vanishing);

    assert_eq!(
        kind_rx.recv_timeout(GUARD).unwrap(),
        ErrorKind::UnexpectedEof
    );
    steady.send_frame(b"after").unwrap();
    assert_eq!(steady.recv_frame().unwrap().as_deref(), Some(&b"after"[..]));
    // The handler reports before it returns its error: wait for the count.
    wait_until("the error to be counted", || server.stats().errors == 1);
    drop(steady);
    server.shutdown().unwrap();
}

/// A server whose handler reports the result of one `recv_frame` or
/// `recv_line` with small limits.
fn limit_server(lines: bool) -> (ServerHandle, mpsc::Receiver<io::Result<Option<Vec<u8>>>>) {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(move |mut conn: TcpConnection| {
            conn.set_max_frame(1024);
            conn.set_max_line(1000);
            loop {
                let result = if lines {
                    conn.recv_line().map(|l| l.map(String::into_bytes))
                } else {
                    conn.recv_frame()
                };
                let stop = !matches!(result, Ok(Some(_)));
                tx.lock().unwrap().send(result).unwrap();
                if stop {
                    return Ok(());
                }
            }
        })
        .unwrap();
    (server, rx)
}

#[test]
fn frame_over_max_frame_is_invalid_data_from_its_header() {
    let (server, results) = limit_server(false);
    let mut raw = TcpStream::connect(server.local_addr()).unwrap();
    // Exactly max_frame is fine.
    raw.write_all(&1024u32.to_be_bytes()).unwrap();
    raw.write_all(&[7; 1024]).unwrap();
    let ok = results.recv_timeout(GUARD).unwrap().unwrap();
    assert_eq!(ok, Some(vec![7; 1024]));
    // One more byte is refused from the header alone, the client still
    // connected and sending nothing else.
    raw.write_all(&1025u32.to_be_bytes()).unwrap();
    let err = results.recv_timeout(GUARD).unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData);
    assert!(err.to_string().contains("1025"), "{err}");
    // A claim of 4 GiB gets the same answer, without allocating it.
    let mut raw = TcpStream::connect(server.local_addr()).unwrap();
    raw.write_all(&u32::MAX.to_be_bytes()).unwrap();
    let err = results.recv_timeout(GUARD).unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData);
    server.shutdown().unwrap();
}

#[test]
fn line_over_max_line_is_invalid_data_before_its_end() {
    let (server, results) = limit_server(true);
    let mut raw = TcpStream::connect(server.local_addr()).unwrap();
    raw.write_all(&[b'a'; 1000]).unwrap();
    raw.write_all(b"\r\n").unwrap();
    let ok = results.recv_timeout(GUARD).unwrap().unwrap();
    assert_eq!(ok, Some(vec![b'a'; 1000]));
    // No newline ever comes: the error must not wait for one.
    raw.write_all(&[b'b'; 1500]).unwrap();
    let err = results.recv_timeout(GUARD).unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData);

    let mut raw = TcpStream::connect(server.local_addr()).unwrap();
    raw.write_all(b"\xc3\x28\n").unwrap();
    let err = results.recv_timeout(GUARD).unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData);
    server.shutdown().unwrap();
}

#[test]
fn send_line_refuses_text_with_a_newline() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut conn = client(listener.local_addr().unwrap());
    let err = conn.send_line("two\nlines").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    // Nothing was sent.
    conn.send_line("one").unwrap();
    drop(conn);
    let (mut peer, _) = listener.accept().unwrap();
    let mut text = String::new();
    peer.read_to_string(&mut text).unwrap();
    assert_eq!(text, "one\n");
}

#[test]
fn the_port_can_be_bound_again_while_old_connections_sit_in_time_wait() {
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(|mut conn: TcpConnection| conn.send_line("bye"))
        .unwrap();
    let addr = server.local_addr();
    // The server closes first, so its end of the connection is in TIME_WAIT.
    let mut conn = client(addr);
    assert_eq!(conn.recv_line().unwrap().as_deref(), Some("bye"));
    assert_eq!(conn.recv_line().unwrap(), None);
    wait_until("the handler to end", || server.stats().active == 0);
    drop(conn);
    server.shutdown().unwrap();

    // Without SO_REUSEADDR this is AddrInUse on Linux.
    let again = TcpServer::bind(addr).unwrap().spawn(echo_lines).unwrap();
    assert_eq!(echo_once(addr, "again").as_deref(), Some("again"));
    again.shutdown().unwrap();
}

#[test]
fn max_connections_zero_is_refused() {
    let err = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .max_connections(0)
        .spawn(echo_lines)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[test]
fn options_reach_the_accepted_sockets() {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .backlog(16)
        .nodelay(true)
        .write_timeout(Some(Duration::from_secs(3)))
        .spawn(move |conn: TcpConnection| {
            let stream = conn.into_inner();
            let seen = (stream.nodelay()?, stream.write_timeout()?);
            tx.lock().unwrap().send(seen).unwrap();
            Ok(())
        })
        .unwrap();
    let _conn = client(server.local_addr());
    let (nodelay, write_timeout) = rx.recv_timeout(GUARD).unwrap();
    assert!(nodelay);
    assert_eq!(write_timeout, Some(Duration::from_secs(3)));
    server.shutdown().unwrap();
}

#[test]
fn connect_timeout_reaches_a_listener_and_refuses_zero() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let conn = TcpConnection::connect_timeout(&addr, GUARD).unwrap();
    assert_eq!(conn.peer_addr().unwrap(), addr);
    let err = TcpConnection::connect_timeout(&addr, Duration::ZERO).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}
