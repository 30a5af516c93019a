//! Behaviour of `threaded::net::UdpServer` and `UdpClient`: workers fed by a
//! WorkQueue, silent replies, oversized datagrams, panics and shutdown.

mod net_support;

use std::collections::HashSet;
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use net_support::{GUARD, Gate, capture_logs, wait_until};
use threaded::StopEvent;
use threaded::net::{UdpClient, UdpServer};

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
    // Every worker is busy: the other datagrams wait in the queue.
    assert!(started_rx.recv_timeout(Duration::from_millis(200)).is_err());
    assert_eq!(names.lock().unwrap().len(), WORKERS);
    wait_until("every datagram to be received", || {
        server.stats().accepted == DATAGRAMS as u64
    });
    assert_eq!(server.stats().active, DATAGRAMS as u64);

    gate.open(DATAGRAMS);
    let mut replies: Vec<String> = (0..DATAGRAMS).map(|_| recv_text(&client)).collect();
    replies.sort();
    assert_eq!(replies, ["d0", "d1", "d2", "d3", "d4"]);
    wait_until("the workers to finish", || server.stats().active == 0);
    assert_eq!(names.lock().unwrap().len(), WORKERS);
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
        let server = UdpServer::bind("127.0.0.1:0")
            .unwrap()
            .spawn(|data: &[u8], _peer| Some(data.to_vec()))
            .unwrap();
        let client = client(server.local_addr());
        assert_eq!(client.request(b"up", GUARD).unwrap(), b"up");

        let start = Instant::now();
        server.shutdown().unwrap();
        took.push(start.elapsed());
    }
    // The median of 5, robust to one round on a loaded machine.
    took.sort();
    assert!(
        took[2] < Duration::from_millis(100),
        "idle shutdown took {took:?}"
    );
}

#[test]
fn shutdown_handles_the_datagrams_already_received() {
    let gate = Arc::new(Gate::default());
    let handled = Arc::new(AtomicUsize::new(0));
    let server = {
        let (gate, handled) = (Arc::clone(&gate), Arc::clone(&handled));
        UdpServer::bind("127.0.0.1:0")
            .unwrap()
            .workers(1)
            .shutdown_grace(GUARD)
            .spawn(move |data: &[u8], _peer| {
                assert!(gate.pass(), "the test never released the handler");
                handled.fetch_add(1, Ordering::SeqCst);
                Some(data.to_vec())
            })
            .unwrap()
    };
    let client = client(server.local_addr());
    for text in ["a", "b", "c"] {
        client.send(text.as_bytes()).unwrap();
    }
    wait_until("the datagrams to be queued", || {
        server.stats().accepted == 3
    });

    let stop = server.stop_event();
    let shutting = {
        let handled = Arc::clone(&handled);
        thread::spawn(move || {
            let result = server.shutdown();
            (result, handled.load(Ordering::SeqCst))
        })
    };
    assert!(stop.wait_timeout(GUARD));
    gate.open(3);
    let (result, handled_before_return) = shutting.join().unwrap();
    result.unwrap();
    assert_eq!(handled_before_return, 3);
    let replies: Vec<String> = (0..3).map(|_| recv_text(&client)).collect();
    assert_eq!(replies, ["a", "b", "c"]);
}

#[test]
fn serve_returns_once_its_stop_event_is_set() {
    let server = UdpServer::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let stop = StopEvent::new();
    let (done_tx, done_rx) = mpsc::channel();
    let serving = {
        let stop = stop.clone();
        thread::spawn(move || {
            let result = server.serve(|data: &[u8], _| Some(data.to_vec()), &stop);
            done_tx.send(Instant::now()).unwrap();
            result
        })
    };
    assert_eq!(client(addr).request(b"serve", GUARD).unwrap(), b"serve");
    let set_at = Instant::now();
    stop.set();
    let done_at = done_rx.recv_timeout(GUARD).expect("serve did not return");
    serving.join().unwrap().unwrap();
    assert!(done_at - set_at < Duration::from_millis(100));
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

/// With every worker busy and the internal queue full, the receive loop waits
/// in `put`, not in `recv_from`: shutdown must still return after the grace,
/// not wait for a handler that may never return.
#[test]
fn shutdown_returns_while_the_receive_loop_waits_for_queue_room() {
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
    let addr = server.local_addr();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    // 1 in the handler + 1024 queued + 1 in the blocked put; the kernel may
    // drop some of the flood, so keep sending until the server has them.
    wait_until("the queue to fill and the receive loop to block", || {
        for _ in 0..64 {
            let _ = client.send_to(b"x", addr);
        }
        server.stats().accepted >= 1026
    });
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
