//! Thread-per-connection threads and sockets are reclaimed.
//!
//! Alone in its binary: it counts the process's threads and file
//! descriptors, which tests running in parallel would disturb. It reads them from `/proc`,
//! so it runs on Linux only.

#![cfg(target_os = "linux")]

mod support;

use std::fs;

use support::{GUARD, wait_until};
use threaded::net::{TcpConnection, TcpServer};

fn threads() -> usize {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Threads:")).unwrap();
    line["Threads:".len()..].trim().parse().unwrap()
}

fn fds() -> usize {
    fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn a_thousand_sequential_connections_leave_no_thread_or_fd_behind() {
    let (threads_before, fds_before) = (threads(), fds());

    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(|mut conn: TcpConnection| {
            while let Some(line) = conn.recv_line()? {
                conn.send_line(&line)?;
            }
            Ok(())
        })
        .unwrap();
    let addr = server.local_addr();
    // The accept loop and its stop watcher; the listener and the watcher's
    // clone of it.
    let (server_threads, server_fds) = (2, 2);

    for i in 0..1000 {
        let mut conn = TcpConnection::connect(addr).unwrap();
        conn.set_read_timeout(Some(GUARD)).unwrap();
        conn.send_line(&i.to_string()).unwrap();
        assert_eq!(conn.recv_line().unwrap(), Some(i.to_string()));
    }
    assert_eq!(server.stats().accepted, 1000);

    // The last handlers may still be returning; wait for them, bounded.
    wait_until("the handlers to end", || server.stats().active == 0);
    wait_until("the handler threads to be reclaimed", || {
        threads() <= threads_before + server_threads
    });
    wait_until("the connections' sockets to be closed", || {
        fds() <= fds_before + server_fds
    });

    server.shutdown().unwrap();
    wait_until("the server's own threads to end", || {
        threads() <= threads_before
    });
    assert_eq!(fds(), fds_before, "file descriptors leaked");
}
