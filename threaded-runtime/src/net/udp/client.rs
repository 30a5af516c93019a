use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant};

use crate::net::socket;

/// A UDP socket talking to one server: the lecture's UDP client.
///
/// `connect` sends nothing; it fixes the peer, so [`send`](Self::send) needs
/// no address and [`recv`](Self::recv) only hears that peer.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use threaded::net::{UdpClient, UdpServer};
///
/// # fn main() -> std::io::Result<()> {
/// let server = UdpServer::bind("127.0.0.1:0")?.spawn(|data: &[u8], _| Some(data.to_vec()))?;
///
/// let client = UdpClient::connect(server.local_addr())?;
/// client.set_read_timeout(Some(Duration::from_secs(5)))?;
/// client.send(b"TEST")?;
/// let mut buf = [0; 1024];
/// let n = client.recv(&mut buf)?;
/// assert_eq!(&buf[..n], b"TEST");
/// # server.shutdown()?;
/// # Ok(())
/// # }
/// ```
pub struct UdpClient {
    socket: UdpSocket,
}

impl UdpClient {
    /// Creates a UDP socket with `SO_REUSEADDR` on a free local port and
    /// connects it to `addr`.
    ///
    /// # Errors
    ///
    /// An error resolving `addr` or creating the socket.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::UdpClient;
    /// let client = UdpClient::connect("127.0.0.1:9").unwrap(); // sends nothing yet
    /// assert_eq!(client.peer_addr().unwrap().port(), 9);
    /// ```
    pub fn connect(addr: impl ToSocketAddrs) -> io::Result<UdpClient> {
        Ok(UdpClient {
            socket: socket::udp_connect(addr)?,
        })
    }

    /// Sends `data` as one datagram (`sock.sendto(data, addr)`).
    ///
    /// # Errors
    ///
    /// A datagram too large for the network is an error of the operating
    /// system; so may be an ICMP "port unreachable" left by an earlier send.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::UdpClient;
    /// let client = UdpClient::connect("127.0.0.1:9").unwrap();
    /// client.send(b"TEST").unwrap();
    /// ```
    pub fn send(&self, data: &[u8]) -> io::Result<()> {
        let sent = self.socket.send(data)?;
        if sent != data.len() {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                format!("sent {sent} of {} bytes", data.len()),
            ));
        }
        Ok(())
    }

    /// Receives one datagram from the server into `buf`, returning its
    /// length; a datagram longer than `buf` is cut to fit (as
    /// `sock.recv(n)`).
    ///
    /// # Errors
    ///
    /// [`TimedOut`](io::ErrorKind::TimedOut) past the read timeout;
    /// [`ConnectionRefused`](io::ErrorKind::ConnectionRefused) when nothing
    /// listens on the server's port.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use std::time::Duration;
    /// use threaded::net::UdpClient;
    /// let client = UdpClient::connect("127.0.0.1:9").unwrap();
    /// client.set_read_timeout(Some(Duration::from_millis(10))).unwrap();
    /// let mut buf = [0; 16];
    /// let err = client.recv(&mut buf).unwrap_err(); // nobody answers
    /// assert!(matches!(err.kind(), ErrorKind::TimedOut | ErrorKind::ConnectionRefused));
    /// ```
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.socket.recv(buf).map_err(socket::timed_out)
    }

    /// Sets how long [`recv`](Self::recv) waits; `None` waits for ever.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](io::ErrorKind::InvalidInput) for `Some(Duration::ZERO)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::net::UdpClient;
    /// let client = UdpClient::connect("127.0.0.1:9").unwrap();
    /// client.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    /// ```
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.socket.set_read_timeout(timeout)
    }

    /// Sends `data` and waits for one reply; gives up with `TimedOut` once
    /// `timeout` has passed, never before.
    ///
    /// UDP may lose either datagram; this does not retry. A late reply to an
    /// earlier request that timed out may come back as this one's reply.
    ///
    /// # Errors
    ///
    /// [`TimedOut`](io::ErrorKind::TimedOut) when no reply comes in time;
    /// [`InvalidInput`](io::ErrorKind::InvalidInput) for a zero `timeout`;
    /// otherwise as [`send`](Self::send) and [`recv`](Self::recv).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::net::{UdpClient, UdpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = UdpServer::bind("127.0.0.1:0")?.spawn(|data: &[u8], _| Some(data.to_vec()))?;
    /// let client = UdpClient::connect(server.local_addr())?;
    /// assert_eq!(client.request(b"eco", Duration::from_secs(5))?, b"eco");
    /// # server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn request(&self, data: &[u8], timeout: Duration) -> io::Result<Vec<u8>> {
        if timeout.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "cannot wait for a reply with a zero timeout",
            ));
        }
        let previous = self.socket.read_timeout()?;
        // `None`: too far to be an instant, so no deadline ends the wait.
        let deadline = Instant::now().checked_add(timeout);
        self.socket.set_read_timeout(Some(timeout))?;
        let result = self.send(data).and_then(|()| {
            let mut buf = vec![0; 65_536];
            let n = self.recv_until(&mut buf, deadline)?;
            buf.truncate(n);
            Ok(buf)
        });
        self.socket.set_read_timeout(previous)?;
        result
    }

    /// `recv` that gives up only once `deadline` (if any) has passed.
    ///
    /// The kernel counts a socket's read timeout in clock ticks, so it can
    /// end up to one tick early; a wait cut short (or interrupted by a
    /// signal) goes on for what is left.
    fn recv_until(&self, buf: &mut [u8], deadline: Option<Instant>) -> io::Result<usize> {
        loop {
            match self.socket.recv(buf) {
                Err(e) if is_wait_cut_short(&e) => {
                    let Some(deadline) = deadline else {
                        continue;
                    };
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(socket::timed_out_error());
                    }
                    self.socket.set_read_timeout(Some(left))?;
                }
                result => return result,
            }
        }
    }

    /// The address of this end.
    ///
    /// # Errors
    ///
    /// What the operating system reports.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::UdpClient;
    /// let client = UdpClient::connect("127.0.0.1:9").unwrap();
    /// assert_ne!(client.local_addr().unwrap().port(), 0);
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// The address of the server this client talks to.
    ///
    /// # Errors
    ///
    /// What the operating system reports.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::UdpClient;
    /// let client = UdpClient::connect("127.0.0.1:9").unwrap();
    /// assert_eq!(client.peer_addr().unwrap().to_string(), "127.0.0.1:9");
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.socket.peer_addr()
    }
}

impl fmt::Debug for UdpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpClient")
            .field("local", &self.socket.local_addr().ok())
            .field("peer", &self.socket.peer_addr().ok())
            .finish_non_exhaustive()
    }
}

fn is_wait_cut_short(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}
