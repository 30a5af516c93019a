//! Socket creation through `socket2`: std binds before anyone can set
//! `SO_REUSEADDR`, and always listens with a backlog of 128; and the
//! wake-ups that make a blocked `accept` or `recv_from` return.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::time::Duration;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

/// Runs `f` on each address `addr` resolves to and returns the first success,
/// or the last error, like std's `bind` and `connect`.
fn each_addr<T>(
    addr: impl ToSocketAddrs,
    mut f: impl FnMut(SocketAddr) -> io::Result<T>,
) -> io::Result<T> {
    let mut last = None;
    for addr in addr.to_socket_addrs()? {
        match f(addr) {
            Ok(value) => return Ok(value),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any addresses",
        )
    }))
}

fn tcp_socket(addr: SocketAddr) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // The lecture's setsockopt: a restarted server can bind its port again at
    // once, while connections of its previous run still sit in TIME_WAIT.
    socket.set_reuse_address(true)?;
    Ok(socket)
}

/// A UDP socket without `SO_REUSEADDR`: UDP has no TIME_WAIT to skip, and on
/// Linux the option lets a second socket bind a busy port and take its
/// datagrams, so the bind is exclusive (`AddrInUse`, as for TCP).
fn udp_socket(addr: SocketAddr) -> io::Result<Socket> {
    Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))
}

/// A bound, listening TCP socket.
pub(crate) fn tcp_listener(addr: impl ToSocketAddrs, backlog: u32) -> io::Result<Socket> {
    each_addr(addr, |addr| {
        let socket = tcp_socket(addr)?;
        socket.bind(&addr.into())?;
        // Listening at bind time, as socketserver's constructor does, lets
        // clients queue in the backlog before the accept loop starts.
        listen(&socket, backlog)?;
        Ok(socket)
    })
}

pub(crate) fn listen(socket: &Socket, backlog: u32) -> io::Result<()> {
    socket.listen(i32::try_from(backlog).unwrap_or(i32::MAX))
}

pub(crate) fn tcp_connect(
    addr: impl ToSocketAddrs,
    timeout: Option<Duration>,
) -> io::Result<TcpStream> {
    each_addr(addr, |addr| {
        let socket = tcp_socket(addr)?;
        let target = SockAddr::from(addr);
        match timeout {
            Some(timeout) => socket.connect_timeout(&target, timeout)?,
            None => socket.connect(&target)?,
        }
        Ok(TcpStream::from(socket))
    })
}

pub(crate) fn udp_bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
    each_addr(addr, |addr| {
        let socket = udp_socket(addr)?;
        socket.bind(&addr.into())?;
        Ok(UdpSocket::from(socket))
    })
}

/// A UDP socket connected to `addr`, bound to the unspecified address of the
/// same family.
pub(crate) fn udp_connect(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
    each_addr(addr, |addr| {
        let local: SocketAddr = match addr {
            SocketAddr::V4(_) => ([0, 0, 0, 0], 0).into(),
            SocketAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let socket = udp_socket(local)?;
        socket.bind(&local.into())?;
        socket.connect(&addr.into())?;
        Ok(UdpSocket::from(socket))
    })
}

/// The address to reach a socket bound to `addr` from this host: an
/// unspecified address (`0.0.0.0`, `::`) becomes the loopback of its family.
#[cfg_attr(target_os = "linux", allow(dead_code))]
pub(crate) fn reachable(addr: SocketAddr) -> SocketAddr {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        match addr {
            SocketAddr::V4(ref mut a) => a.set_ip(std::net::Ipv4Addr::LOCALHOST),
            SocketAddr::V6(ref mut a) => a.set_ip(std::net::Ipv6Addr::LOCALHOST),
        }
    }
    addr
}

/// Turns a listening socket into std's listener.
pub(crate) fn into_listener(socket: Socket) -> TcpListener {
    TcpListener::from(socket)
}

/// Wakes the thread blocked in `accept` on `listener` (bound to `addr`), for
/// good: later `accept` calls fail at once too.
///
/// On Linux, `shutdown(SHUT_RD)` on a listening socket does exactly this,
/// with no packet sent and whatever interface the socket is bound to.
/// Elsewhere a connection to the listener itself wakes `accept`; the accept
/// loop checks its stop flag after each `accept` and drops that connection.
pub(crate) fn wake_accept(listener: &TcpListener, addr: SocketAddr) {
    #[cfg(target_os = "linux")]
    {
        if let Err(e) = socket2::SockRef::from(listener).shutdown(std::net::Shutdown::Read) {
            log::warn!("cannot wake the accept loop of {addr}: {e}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = listener;
        let _ = TcpStream::connect_timeout(&reachable(addr), Duration::from_secs(1));
    }
}

/// Wakes the `workers` threads blocked in `recv_from` on `socket` (bound
/// to `addr`), for good, without a datagram on Linux.
///
/// There `shutdown(SHUT_RD)` on a UDP socket wakes every blocked receiver
/// and makes each later `recvfrom` return at once with no data and an empty
/// source address (which [`recv_from`] reports as a wake-up), although the
/// call itself fails with `ENOTCONN` on an unconnected socket; datagrams
/// still queued are handed out first. Nothing is sent, so nothing else on the port (or a full
/// receive buffer) can swallow the wake-up, and replies can still be sent.
/// Elsewhere one empty datagram per worker, sent to the socket itself, wakes
/// them; the loops check their stop flag after each datagram and drop those.
pub(crate) fn wake_recv(socket: &UdpSocket, addr: SocketAddr, workers: usize) {
    #[cfg(target_os = "linux")]
    {
        let _ = workers;
        match socket2::SockRef::from(socket).shutdown(std::net::Shutdown::Read) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotConnected => {}
            Err(e) => log::warn!("cannot wake the receive loops of {addr}: {e}"),
        }
    }
    #[cfg(not(target_os = "linux"))]
    for _ in 0..workers {
        if let Err(e) = socket.send_to(&[], reachable(addr)) {
            log::warn!("cannot wake the receive loops of {addr}: {e}");
        }
    }
}

/// `recv_from` that survives the wake-up of [`wake_recv`], which becomes
/// [`NotConnected`](io::ErrorKind::NotConnected).
///
/// On Linux a shut-down socket's `recvfrom(2)` returns at once with an
/// empty source address. std's `UdpSocket::recv_from` then reads an address
/// it never initialised, and asserts (panics) when a stale family is left
/// there from an earlier datagram; nix checks the length and reports no
/// address.
#[cfg(target_os = "linux")]
pub(crate) fn recv_from(socket: &UdpSocket, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    use nix::sys::socket::SockaddrStorage;
    use std::os::fd::AsRawFd;

    let (n, from) = nix::sys::socket::recvfrom::<SockaddrStorage>(socket.as_raw_fd(), buf)?;
    // An IPv4 or IPv6 socket hears only its own family.
    let peer = from.and_then(|from| {
        from.as_sockaddr_in()
            .map(|v4| SocketAddr::V4((*v4).into()))
            .or_else(|| {
                from.as_sockaddr_in6()
                    .map(|v6| SocketAddr::V6((*v6).into()))
            })
    });
    match peer {
        Some(peer) => Ok((n, peer)),
        None => Err(io::Error::new(
            io::ErrorKind::NotConnected,
            "the socket's receiving side was shut down",
        )),
    }
}

/// Elsewhere no wake-up shuts the socket down, and std's `recv_from` is
/// sound.
#[cfg(not(target_os = "linux"))]
pub(crate) fn recv_from(socket: &UdpSocket, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    socket.recv_from(buf)
}

/// A read timeout shows as `WouldBlock` on Unix and `TimedOut` on Windows;
/// Python raises `socket.timeout` on both, and so do we, with `TimedOut`.
pub(crate) fn timed_out(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::WouldBlock {
        timed_out_error()
    } else {
        e
    }
}

/// The error a wait that ran out of time reports, as Python's `socket.timeout`.
pub(crate) fn timed_out_error() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "timed out")
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::sync::{Arc, mpsc};

    #[test]
    fn wake_recv_wakes_every_receiver_without_a_datagram() {
        let socket = Arc::new(udp_bind("127.0.0.1:0").unwrap());
        let addr = socket.local_addr().unwrap();
        // Connected to another socket, it would drop a datagram from itself:
        // only a wake-up that sends nothing can end these receives.
        let other = udp_bind("127.0.0.1:0").unwrap();
        socket.connect(other.local_addr().unwrap()).unwrap();
        let (tx, rx) = mpsc::channel();
        for _ in 0..3 {
            let (socket, tx) = (Arc::clone(&socket), tx.clone());
            std::thread::spawn(move || {
                let mut buf = [0; 16];
                let woken = recv_from(&socket, &mut buf).map_err(|e| e.kind());
                let _ = tx.send(woken);
            });
        }
        // The receivers may not be blocked yet; the wake-up is for good, so
        // a late one returns at once too.
        wake_recv(&socket, addr, 3);
        for _ in 0..3 {
            let woken = rx.recv_timeout(Duration::from_secs(20));
            assert_eq!(
                woken,
                Ok(Err(io::ErrorKind::NotConnected)),
                "a receiver was not woken as by a shutdown"
            );
        }
    }

    /// std's `recv_from` panicked here: after a datagram, the next call on a
    /// shut-down socket found the old address family in its storage and
    /// asserted on the empty address's length.
    #[test]
    fn recv_from_after_a_datagram_then_a_wake_up_reports_it_without_panicking() {
        let socket = udp_bind("127.0.0.1:0").unwrap();
        let addr = socket.local_addr().unwrap();
        let peer = udp_bind("127.0.0.1:0").unwrap();
        let mut buf = [0; 16];
        for _ in 0..3 {
            peer.send_to(b"hi", addr).unwrap();
            let (n, from) = recv_from(&socket, &mut buf).unwrap();
            assert_eq!((&buf[..n], from), (&b"hi"[..], peer.local_addr().unwrap()));
        }
        wake_recv(&socket, addr, 1);
        for _ in 0..3 {
            let err = recv_from(&socket, &mut buf).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::NotConnected);
        }
    }

    #[test]
    fn recv_from_reports_an_ipv6_sender() {
        // Where the machine has no IPv6 loopback there is nothing to test.
        let Ok(socket) = udp_bind("[::1]:0") else {
            return;
        };
        let peer = udp_bind("[::1]:0").unwrap();
        peer.send_to(b"ola", socket.local_addr().unwrap()).unwrap();
        let mut buf = [0; 16];
        let (n, from) = recv_from(&socket, &mut buf).unwrap();
        assert_eq!((&buf[..n], from), (&b"ola"[..], peer.local_addr().unwrap()));
    }
}
