//! What `benches/net.rs` (client and servers in one process) and
//! `benches/net_process.rs` (each server in a process of its own) both
//! measure: the echo servers written with `threaded::net`, std and tokio, and
//! the client's round trip. Each bench wraps them its own way (stopping them,
//! or serving until stdin closes).

#![allow(dead_code)] // each bench uses a different subset

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

use threaded::net::{ServerHandle, TcpConnection, TcpServer, UdpServer};

/// What every client sends and waits to get back.
pub(crate) const MESSAGE: [u8; 32] = *b"0123456789abcdef0123456789abcdef";
/// A UDP echo that takes longer than this is counted as lost.
pub(crate) const UDP_LOSS_TIMEOUT: Duration = Duration::from_millis(500);

/// The TCP echo server written with `threaded::net`.
pub(crate) fn threaded_tcp() -> ServerHandle {
    TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .nodelay(true)
        .spawn(|mut conn: TcpConnection| {
            let mut buf = [0; 1024];
            loop {
                let n = conn.recv(&mut buf)?;
                if n == 0 {
                    return Ok(());
                }
                conn.send(&buf[..n])?;
            }
        })
        .unwrap()
}

/// The UDP echo server written with `threaded::net`; `None` keeps its
/// default number of workers.
pub(crate) fn threaded_udp(workers: Option<usize>) -> ServerHandle {
    let mut server = UdpServer::bind("127.0.0.1:0").unwrap();
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    server
        .spawn(|data: &[u8], _peer| Some(data.to_vec()))
        .unwrap()
}

/// One connection of the thread-per-connection std server a student writes:
/// echoes until the peer closes or an error.
pub(crate) fn echo_connection(mut stream: TcpStream) {
    let mut buf = [0; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if stream.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        }
    }
}

/// The tokio echo server (multi-thread runtime, a task per connection). It
/// serves until the runtime is shut down.
pub(crate) fn tokio_tcp() -> (tokio::runtime::Runtime, SocketAddr) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            stream.set_nodelay(true).unwrap();
            tokio::spawn(async move {
                let mut buf = [0; 1024];
                loop {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            if stream.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    (rt, addr)
}

/// A TCP client of the echo servers, as the benches drive it.
pub(crate) fn tcp_client(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_nodelay(true).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// One TCP echo of [`MESSAGE`]; always `true` (TCP loses nothing).
pub(crate) fn tcp_round_trip(stream: &mut TcpStream) -> bool {
    stream.write_all(&MESSAGE).unwrap();
    let mut buf = [0; MESSAGE.len()];
    stream.read_exact(&mut buf).unwrap();
    true
}

/// A UDP client, connected to the server, that counts a reply as lost after
/// [`UDP_LOSS_TIMEOUT`].
pub(crate) fn udp_client(addr: SocketAddr) -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.connect(addr).unwrap();
    socket.set_read_timeout(Some(UDP_LOSS_TIMEOUT)).unwrap();
    socket
}

/// One UDP echo of [`MESSAGE`]; `false` if the reply was lost.
pub(crate) fn udp_round_trip(socket: &mut UdpSocket) -> bool {
    socket.send(&MESSAGE).unwrap();
    let mut buf = [0; 64];
    socket.recv(&mut buf).is_ok()
}
