//! `threaded::net::ServerHandle`: `wait` as Python's `serve_forever`, and a
//! handler that stops its own server.

mod support;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use support::{GUARD, assert_median_under};
use threaded::StopEvent;
use threaded::net::{TcpConnection, TcpServer, UdpClient, UdpServer};

#[test]
fn wait_returns_once_the_stop_event_is_set_and_not_before() {
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(|mut conn: TcpConnection| conn.send_line("oi"))
        .unwrap();
    let stop = server.stop_event();
    let (tx, rx) = mpsc::channel();
    thread::scope(|s| {
        s.spawn(|| {
            server.wait();
            tx.send(Instant::now()).unwrap();
        });
        let mut client = TcpConnection::connect(server.local_addr()).unwrap();
        client.set_read_timeout(Some(GUARD)).unwrap();
        assert_eq!(client.recv_line().unwrap().as_deref(), Some("oi"));
        // Still serving: wait has not returned.
        assert!(rx.recv_timeout(Duration::from_millis(100)).is_err());
        let set_at = Instant::now();
        stop.set();
        let returned_at = rx.recv_timeout(GUARD).expect("wait did not return");
        assert!(returned_at - set_at < Duration::from_secs(1));
    });
    assert_eq!(server.stats().accepted, 1);
    server.shutdown().unwrap();
}

#[test]
fn wait_returns_for_a_udp_server_too() {
    let server = UdpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(|data: &[u8], _peer: SocketAddr| Some(data.to_vec()))
        .unwrap();
    let client = UdpClient::connect(server.local_addr()).unwrap();
    assert_eq!(client.request(b"x", GUARD).unwrap(), b"x");
    let stop = server.stop_event();
    let waiter = thread::spawn(move || {
        server.wait();
        server
    });
    stop.set();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(waiter.join().unwrap()));
    let server = rx.recv_timeout(GUARD).expect("wait did not return");
    server.shutdown().unwrap();
}

/// The documented way for a handler to stop its own server: set the stop
/// event. Its own connection is served to the end and the server is down
/// long before the 5 s grace a `shutdown` from the handler would wait.
#[test]
fn a_handler_that_sets_the_stop_event_keeps_its_connection_and_stops_promptly() {
    let mut took = Vec::new();
    for _ in 0..3 {
        let stop_slot: Arc<OnceLock<StopEvent>> = Arc::new(OnceLock::new());
        let server = {
            let stop_slot = Arc::clone(&stop_slot);
            TcpServer::bind("127.0.0.1:0")
                .unwrap()
                .spawn(move |mut conn: TcpConnection| {
                    while let Some(line) = conn.recv_line()? {
                        if line == "quit" {
                            stop_slot.get().expect("set before any client").set();
                            return conn.send_line("bye");
                        }
                        conn.send_line(&line)?;
                    }
                    Ok(())
                })
                .unwrap()
        };
        stop_slot.set(server.stop_event()).unwrap();
        let mut client = TcpConnection::connect(server.local_addr()).unwrap();
        client.set_read_timeout(Some(GUARD)).unwrap();
        client.send_line("quit").unwrap();
        assert_eq!(client.recv_line().unwrap().as_deref(), Some("bye"));
        let start = Instant::now();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            server.wait();
            tx.send(server.stats()).unwrap();
        });
        let stats = rx.recv_timeout(GUARD).expect("the server did not stop");
        took.push(start.elapsed());
        assert_eq!(stats.errors, 0);
    }
    // A shutdown waiting out the 5 s grace would fail every round.
    assert_median_under(
        "the stop after the handler set it",
        took,
        Duration::from_secs(1),
    );
}
