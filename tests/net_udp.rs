//! Behaviour of `threaded::net::UdpServer` and `UdpClient`: workers that
//! each receive on the socket, silent replies, oversized datagrams, panics,
//! exclusive binds and shutdown.

mod support;

use std::collections::HashSet;
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use support::{GUARD, Gate, assert_median_under, capture_logs, time_to_stop, wait_until, within};
use threaded::StopEvent;
use threaded::net::{ServerHandle, UdpClient, UdpServer};

/// A server that sends every datagram back, on the default workers.
fn echo_server() -> ServerHandle {
    UdpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(|data: &[u8], _peer| Some(data.to_vec()))
        .unwrap()
}

fn client(addr: SocketAddr) -> UdpClient {
    let client = UdpClient::connect(addr).unwrap();
    client.set_read_timeout(Some(GUARD)).unwrap();
    client
}

fn recv_text(client: &UdpClient) -> String {
    let mut buf = [0; 2048];
    let n = client.recv(&mut buf).unwrap();
    String::from_utf8(buf[..n].to_vec()).unwrap()
}

#[test]
fn datagrams_are_shared_by_exactly_n_worker_threads() {
    const WORKERS: usize = 3;
    const DATAGRAMS: usize = 5;
    let gate = Arc::new(Gate::default());
    let names = Arc::new(Mutex::new(HashSet::new()));
    let (started_tx, started_rx) = mpsc::channel();
    let server = {
        let (gate, names) = (Arc::clone(&gate), Arc::clone(&names));
        let started_tx = Mutex::new(started_tx);
        UdpServer::bind("127.0.0.1:0")
            .unwrap()
            .workers(WORKERS)
            .spawn(move |data: &[u8], _peer| {
                let name = thread::current().name().map(str::to_owned);
                names.lock().unwrap().insert(name);
                started_tx.lock().unwrap().send(()).unwrap();
                assert!(gate.pass(), "the test never released the handler");
                Some(data.to_vec())
            })
            .unwrap()
    };
    let client = client(server.local_addr());
    for i in 0..DATAGRAMS {
        client.send(format!("d{i}").as_bytes()).unwrap();
    }
    for _ in 0..WORKERS {
        started_rx.recv_timeout(GUARD).unwrap();
    }
    // Every worker is busy: the other datagrams wait in the socket's buffer.
    assert!(started_rx.recv_timeout(Duration::from_millis(200)).is_err());
    assert_eq!(names.lock().unwrap().len(), WORKERS);
    assert_eq!(server.stats().accepted, WORKERS as u64);
    assert_eq!(server.stats().active, WORKERS as u64);

    gate.open(DATAGRAMS);
    let mut replies: Vec<String> = (0..DATAGRAMS).map(|_| recv_text(&client)).collect();
    replies.sort();
    assert_eq!(replies, ["d0", "d1", "d2", "d3", "d4"]);
    wait_until("the workers to finish", || server.stats().active == 0);
    assert_eq!(server.stats().accepted, DATAGRAMS as u64);
    // Named after their server, not like every other pool's workers.
    let addr = server.local_addr();
    let mut names: Vec<String> = names.lock().unwrap().iter().flatten().cloned().collect();
    names.sort();
    let expected: Vec<String> = (0..WORKERS).map(|i| format!("udp {addr} #{i}")).collect();
    assert_eq!(names, expected);
    server.shutdown().unwrap();
}

#[test]
fn a_reply_of_none_sends_nothing() {
    let server = UdpServer::bind("127.0.0.1:0")
        .unwrap()
        .workers(1)
        .spawn(|data: &[u8], _peer| match data {
            b"quiet" => None,
            other => Some(other.to_ascii_uppercase()),
        })
        .unwrap();
    let client = client(server.local_addr());
    // One worker handles them in order: an empty datagram for "quiet" would
    // arrive first.
    client.send(b"quiet").unwrap();
    client.send(b"loud").unwrap();
    assert_eq!(recv_text(&client), "LOUD");
    assert_eq!(server.stats().accepted, 2);
    server.shutdown().unwrap();
}

#[test]
fn a_datagram_over_max_datagram_is_logged_and_dropped_not_truncated() {
    let logs = capture_logs();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let server = {
        let seen = Arc::clone(&seen);
        UdpServer::bind("127.0.0.1:0")
            .unwrap()
            .workers(1)
            .max_datagram(100)
            .spawn(move |data: &[u8], _peer| {
                seen.lock().unwrap().push(data.len());
                Some(data.len().to_string().into_bytes())
            })
            .unwrap()
    };
    let client = client(server.local_addr());
    let me = client.local_addr().unwrap().to_string();
    client.send(&[b'x'; 101]).unwrap();
    client.send(&[b'y'; 100]).unwrap();
    // Only the second one is answered, whole.
    assert_eq!(recv_text(&client), "100");
    assert_eq!(*seen.lock().unwrap(), [100]);
    assert_eq!(server.stats().errors, 1);
    assert_eq!(server.stats().accepted, 1);
    assert!(logs.has(log::Level::Warn, &[&me, "max_datagram (100 bytes)"]));
    server.shutdown().unwrap();
}

#[test]
fn a_handler_panic_is_logged_counted_and_the_worker_goes_on() {
    let logs = capture_logs();
    let server = UdpServer::bind("127.0.0.1:0")
        .unwrap()
        .workers(1)
        .spawn(|data: &[u8], _peer| {
            if data == b"panic" {
                panic!("the datagram handler crashed");
            }
            Some(data.to_vec())
        })
        .unwrap();
    let client = client(server.local_addr());
    let me = client.local_addr().unwrap().to_string();
    client.send(b"panic").unwrap();
    client.send(b"fine").unwrap();
    assert_eq!(recv_text(&client), "fine");
    assert_eq!(server.stats().errors, 1);
    assert!(logs.has(log::Level::Error, &[&me, "the datagram handler crashed"]));
    server.shutdown().unwrap();
}

#[test]
fn idle_udp_shutdown_returns_in_milliseconds() {
    let mut took = Vec::new();
    for _ in 0..5 {
        let server = echo_server();
        let client = client(server.local_addr());
        assert_eq!(client.request(b"up", GUARD).unwrap(), b"up");

        let start = Instant::now();
        server.shutdown().unwrap();
        took.push(start.elapsed());
    }
    // The median of 5, robust to one round on a loaded machine.
    assert_median_under("idle shutdown", took, Duration::from_millis(100));
}

#[test]
fn shutdown_waits_for_the_handlers_in_flight() {
    const WORKERS: usize = 2;
    let gate = Arc::new(Gate::default());
    let handled = Arc::new(AtomicUsize::new(0));
    let server = {
        let (gate, handled) = (Arc::clone(&gate), Arc::clone(&handled));
        UdpServer::bind("127.0.0.1:0")
            .unwrap()
            .workers(WORKERS)
            .shutdown_grace(GUARD)
            .spawn(move |data: &[u8], _peer| {
                assert!(gate.pass(), "the test never released the handler");
                handled.fetch_add(1, Ordering::SeqCst);
                Some(data.to_vec())
            })
            .unwrap()
    };
    let client = client(server.local_addr());
    for text in ["a", "b"] {
        client.send(text.as_bytes()).unwrap();
    }
    wait_until("both handlers to run", || server.stats().active == 2);

    let stop = server.stop_event();
    let shutting = {
        let handled = Arc::clone(&handled);
        thread::spawn(move || {
            let result = server.shutdown();
            (result, handled.load(Ordering::SeqCst))
        })
    };
    assert!(stop.wait_timeout(GUARD));
    gate.open(WORKERS);
    let (result, handled_before_return) = shutting.join().unwrap();
    result.unwrap();
    assert_eq!(handled_before_return, WORKERS);
    // The replies still leave after the socket stopped receiving.
    let mut replies: Vec<String> = (0..WORKERS).map(|_| recv_text(&client)).collect();
    replies.sort();
    assert_eq!(replies, ["a", "b"]);
}

#[test]
fn serve_returns_once_its_stop_event_is_set() {
    // The median of 5 rounds: one slowed by a loaded machine does not fail the test.
    let mut took = Vec::new();
    for _ in 0..5 {
        let server = UdpServer::bind("127.0.0.1:0").unwrap();
        let addr = server.local_addr().unwrap();
        took.push(time_to_stop(
            move |stop| server.serve(|data: &[u8], _| Some(data.to_vec()), stop),
            || assert_eq!(client(addr).request(b"serve", GUARD).unwrap(), b"serve"),
        ));
    }
    assert_median_under("stopping serve", took, Duration::from_millis(100));
}

#[test]
fn request_with_a_timeout_past_any_instant_waits_for_the_reply() {
    let server = echo_server();
    let client = client(server.local_addr());
    // It panicked adding the timeout to now; `within` bounds a wait that never ends.
    let reply = within(GUARD, move || {
        client.request(b"eco", Duration::MAX).unwrap()
    });
    assert_eq!(reply, b"eco");
    server.shutdown().unwrap();
}

#[test]
fn request_times_out_without_a_reply() {
    let server = UdpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(|_data: &[u8], _peer| None)
        .unwrap();
    let client = client(server.local_addr());
    let start = Instant::now();
    let err = client
        .request(b"anyone?", Duration::from_millis(100))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut);
    assert!(start.elapsed() >= Duration::from_millis(100));
    let err = client.request(b"x", Duration::ZERO).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    server.shutdown().unwrap();
}

#[test]
fn workers_zero_is_refused() {
    let err = UdpServer::bind("127.0.0.1:0")
        .unwrap()
        .workers(0)
        .spawn(|_: &[u8], _| None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[test]
fn replies_go_to_each_sender() {
    let server = UdpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(|_data: &[u8], peer| Some(peer.to_string().into_bytes()))
        .unwrap();
    for _ in 0..3 {
        let raw = UdpSocket::bind("127.0.0.1:0").unwrap();
        raw.set_read_timeout(Some(GUARD)).unwrap();
        raw.send_to(b"who am i", server.local_addr()).unwrap();
        let mut buf = [0; 64];
        let (n, from) = raw.recv_from(&mut buf).unwrap();
        assert_eq!(from, server.local_addr());
        assert_eq!(&buf[..n], raw.local_addr().unwrap().to_string().as_bytes());
    }
    server.shutdown().unwrap();
}

/// With every worker stuck in a handler, shutdown must still return after
/// the grace, not wait for a handler that may never return.
#[test]
fn shutdown_returns_after_the_grace_while_every_worker_is_stuck() {
    let release = StopEvent::new();
    let server = {
        let release = release.clone();
        UdpServer::bind("127.0.0.1:0")
            .unwrap()
            .workers(1)
            .shutdown_grace(Duration::from_millis(100))
            .spawn(move |_data: &[u8], _peer| {
                // A handler stuck on something other than the socket (bounded, so
                // the test binary can still exit).
                let _ = release.wait_timeout(Duration::from_secs(60));
                None
            })
            .unwrap()
    };
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client.send_to(b"x", server.local_addr()).unwrap();
    wait_until("the worker to be stuck", || server.stats().active == 1);
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = server.shutdown();
        let _ = tx.send(());
    });
    let returned = rx.recv_timeout(Duration::from_secs(5)).is_ok();
    release.set(); // let the stuck handler go either way
    assert!(
        returned,
        "shutdown with a 100 ms grace had not returned after 5 s"
    );
}

/// A second socket with `SO_REUSEADDR`, as Python's servers set it.
fn bind_with_reuse(addr: SocketAddr) -> std::io::Result<socket2::Socket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    Ok(socket)
}

#[test]
fn binding_a_busy_udp_port_is_addr_in_use() {
    let first = UdpServer::bind("127.0.0.1:0").unwrap();
    let addr = first.local_addr().unwrap();
    let err = UdpServer::bind(addr).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse);
    // Not even a socket that asks to share the port can take its traffic.
    let err = bind_with_reuse(addr).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse);
}

/// The stop wake-up used to be a datagram to the server's own port; with
/// another `SO_REUSEADDR` socket on it the kernel gave the datagram to that
/// socket and shutdown hung for ever.
#[test]
fn shutdown_is_prompt_whatever_else_tries_to_share_the_port() {
    let mut took = Vec::new();
    for _ in 0..5 {
        let server = echo_server();
        let addr = server.local_addr();
        // Held (if the bind ever succeeds again) through the shutdown.
        let squatter = bind_with_reuse(addr);
        assert!(squatter.is_err(), "a second socket shares {addr}");
        assert_eq!(client(addr).request(b"up", GUARD).unwrap(), b"up");
        let (tx, rx) = mpsc::channel();
        let start = Instant::now();
        thread::spawn(move || {
            let _ = server.shutdown();
            let _ = tx.send(start.elapsed());
        });
        took.push(rx.recv_timeout(GUARD).expect("shutdown hung"));
        drop(squatter);
    }
    assert_median_under("shutdown", took, Duration::from_millis(100));
}

/// The receive loops are woken without a datagram: shutdown is prompt while a
/// flood keeps every worker's buffer full and a wake-up datagram could be
/// dropped with the rest.
#[test]
fn shutdown_is_prompt_under_a_flood() {
    let mut took = Vec::new();
    for _ in 0..3 {
        let server = UdpServer::bind("127.0.0.1:0")
            .unwrap()
            .workers(2)
            .spawn(|_data: &[u8], _peer| None)
            .unwrap();
        let addr = server.local_addr();
        let flooding = StopEvent::new();
        let flooder = {
            let flooding = flooding.clone();
            thread::spawn(move || {
                let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
                let deadline = Instant::now() + GUARD;
                while !flooding.is_set() && Instant::now() < deadline {
                    let _ = socket.send_to(&[0; 512], addr);
                }
            })
        };
        wait_until("the flood to arrive", || server.stats().accepted > 1000);
        let start = Instant::now();
        server.shutdown().unwrap();
        took.push(start.elapsed());
        flooding.set();
        flooder.join().unwrap();
    }
    assert_median_under("shutdown under a flood", took, Duration::from_secs(1));
}
