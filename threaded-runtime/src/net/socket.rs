//! Socket creation through `socket2`: std binds before anyone can set
//! `SO_REUSEADDR`, and always listens with a backlog of 128.

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

fn new_socket(addr: SocketAddr, ty: Type, protocol: Protocol) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), ty, Some(protocol))?;
    // The lecture's setsockopt: a restarted server can bind its port again at
    // once, while connections of its previous run still sit in TIME_WAIT.
    socket.set_reuse_address(true)?;
    Ok(socket)
}

/// A bound, listening TCP socket.
pub(crate) fn tcp_listener(addr: impl ToSocketAddrs, backlog: u32) -> io::Result<Socket> {
    each_addr(addr, |addr| {
        let socket = new_socket(addr, Type::STREAM, Protocol::TCP)?;
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
        let socket = new_socket(addr, Type::STREAM, Protocol::TCP)?;
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
        let socket = new_socket(addr, Type::DGRAM, Protocol::UDP)?;
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
        let socket = new_socket(local, Type::DGRAM, Protocol::UDP)?;
        socket.bind(&local.into())?;
        socket.connect(&addr.into())?;
        Ok(UdpSocket::from(socket))
    })
}

/// The address to reach a socket bound to `addr` from this host: an
/// unspecified address (`0.0.0.0`, `::`) becomes the loopback of its family.
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

/// Wakes the thread blocked in `recv_from` on `socket` (bound to `addr`)
/// with an empty datagram sent to itself; the receive loop checks its stop
/// flag after each datagram and drops that one.
///
/// Not `shutdown(SHUT_RD)`: on Linux it wakes the receiver, but with an
/// empty source address that std's `recv_from` refuses with a panic. Under a
/// flood the wake-up may be dropped with the rest, but then the loop wakes
/// for the next datagram anyway.
pub(crate) fn wake_recv(socket: &UdpSocket, addr: SocketAddr) {
    if let Err(e) = socket.send_to(&[], reachable(addr)) {
        log::warn!("cannot wake the receive loop of {addr}: {e}");
    }
}

/// A read timeout shows as `WouldBlock` on Unix and `TimedOut` on Windows;
/// Python raises `socket.timeout` on both, and so do we, with `TimedOut`.
pub(crate) fn timed_out(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::WouldBlock {
        io::Error::new(io::ErrorKind::TimedOut, "timed out")
    } else {
        e
    }
}
