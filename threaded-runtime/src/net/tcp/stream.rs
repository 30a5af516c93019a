//! `TcpConnection` as the std stream it is: `Read`, `Write` and `BufRead`
//! over the same buffer as its lines and frames, and the socket options that
//! std's `TcpStream` has too, with std's signatures.

use std::io::{self, BufRead, IoSlice, Read, Write};
use std::net::Shutdown;
use std::time::Duration;

use super::connection::TcpConnection;
use crate::net::socket;

impl TcpConnection {
    /// Sets how long a receive waits before failing with
    /// [`TimedOut`](io::ErrorKind::TimedOut); `None` waits for ever
    /// (`socket.settimeout`).
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](io::ErrorKind::InvalidInput) for `Some(Duration::ZERO)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use std::net::TcpListener;
    /// use std::time::Duration;
    /// use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let mut conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// conn.set_read_timeout(Some(Duration::from_millis(10))).unwrap();
    /// let mut buf = [0; 16];
    /// assert_eq!(conn.recv(&mut buf).unwrap_err().kind(), ErrorKind::TimedOut);
    /// ```
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.stream.set_read_timeout(timeout)
    }

    /// Sets how long a send waits for the peer to take the data before
    /// failing with [`TimedOut`](io::ErrorKind::TimedOut); `None` waits for
    /// ever. As [`TcpStream::set_write_timeout`](std::net::TcpStream::set_write_timeout).
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](io::ErrorKind::InvalidInput) for `Some(Duration::ZERO)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::TcpListener;
    /// use std::time::Duration;
    /// use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// conn.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    /// ```
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.stream.set_write_timeout(timeout)
    }

    /// Sets `TCP_NODELAY`: small sends leave at once instead of waiting for
    /// the previous ones to be acknowledged (Nagle's algorithm). As
    /// [`TcpStream::set_nodelay`](std::net::TcpStream::set_nodelay).
    ///
    /// # Errors
    ///
    /// What the operating system reports.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::TcpListener;
    /// use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// conn.set_nodelay(true).unwrap();
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.stream.set_nodelay(nodelay)
    }

    /// Sets how long one [`recv_line`](Self::recv_line) or
    /// [`recv_frame`](Self::recv_frame) may take once the first byte of its
    /// line or frame has arrived (or was already buffered); past it the call
    /// fails with [`TimedOut`](io::ErrorKind::TimedOut), keeping what
    /// arrived. `None` (the default, or the server's
    /// [`message_timeout`](crate::net::TcpServer::message_timeout)) sets no
    /// such bound; `Duration::MAX` is accepted and means the same.
    ///
    /// The read timeout bounds each read: a peer that sends a byte now and
    /// then, each within it, can make one line last for hours. The message
    /// timeout bounds the whole message, while the wait *between* messages
    /// stays the read timeout's.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Write};
    /// use std::net::TcpListener;
    /// use std::time::Duration;
    /// use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let mut conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// let (mut peer, _) = listener.accept().unwrap();
    /// peer.write_all(b"half a li").unwrap(); // and nothing more
    ///
    /// conn.set_message_timeout(Some(Duration::from_millis(50)));
    /// assert_eq!(conn.recv_line().unwrap_err().kind(), ErrorKind::TimedOut);
    /// ```
    pub fn set_message_timeout(&mut self, timeout: Option<Duration>) {
        self.limits.message_timeout = timeout;
    }

    /// Closes the sending half: the peer's reads see the end of the stream
    /// while this end can still receive (`socket.shutdown(SHUT_WR)`).
    ///
    /// # Errors
    ///
    /// What the operating system reports, e.g.
    /// [`NotConnected`](io::ErrorKind::NotConnected) after the peer reset the
    /// connection.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::{TcpConnection, TcpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// // The server answers once the client has said everything.
    /// let server = TcpServer::bind("127.0.0.1:0")?.spawn(|mut conn: TcpConnection| {
    ///     let mut lines = 0;
    ///     while conn.recv_line()?.is_some() {
    ///         lines += 1;
    ///     }
    ///     conn.send_line(&lines.to_string())
    /// })?;
    ///
    /// let mut client = TcpConnection::connect(server.local_addr())?;
    /// client.send_line("a")?;
    /// client.send_line("b")?;
    /// client.shutdown_write()?;
    /// assert_eq!(client.recv_line()?.as_deref(), Some("2"));
    /// # server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn shutdown_write(&self) -> io::Result<()> {
        self.stream.shutdown(Shutdown::Write)
    }

    /// The underlying std stream.
    ///
    /// Bytes already read ahead by [`recv_line`](Self::recv_line) or
    /// [`recv_frame`](Self::recv_frame) and not returned yet are dropped; use
    /// [`into_parts`](Self::into_parts) to keep them.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::TcpListener;
    /// use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// let stream: std::net::TcpStream = conn.into_inner();
    /// assert_eq!(stream.peer_addr().unwrap(), listener.local_addr().unwrap());
    /// ```
    #[must_use]
    pub fn into_inner(self) -> std::net::TcpStream {
        self.stream
    }

    /// The underlying std stream and the bytes read ahead from it but not
    /// returned yet, which come before anything the stream reads next.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use std::net::TcpListener;
    /// use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let mut conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// let (mut peer, _) = listener.accept().unwrap();
    /// peer.write_all(b"header\nbody").unwrap();
    /// drop(peer);
    ///
    /// assert_eq!(conn.recv_line().unwrap().as_deref(), Some("header"));
    /// let (_stream, read_ahead) = conn.into_parts();
    /// assert_eq!(read_ahead, b"body");
    /// ```
    #[must_use]
    pub fn into_parts(self) -> (std::net::TcpStream, Vec<u8>) {
        (self.stream, self.read_buf.into_vec())
    }
}

/// Reads what is buffered first, so it can follow a
/// [`recv_line`](TcpConnection::recv_line) or
/// [`recv_frame`](TcpConnection::recv_frame) without losing what they read
/// ahead; then reads the socket. A read timeout is
/// [`TimedOut`](io::ErrorKind::TimedOut), as everywhere in this module.
///
/// # Examples
///
/// ```
/// use std::io::Read;
/// use threaded::net::{TcpConnection, TcpServer};
///
/// # fn main() -> std::io::Result<()> {
/// let server = TcpServer::bind("127.0.0.1:0")?.spawn(|mut conn: TcpConnection| {
///     conn.send_line("HEADER")?;
///     conn.send(b"body, until the end")
/// })?;
///
/// let mut client = TcpConnection::connect(server.local_addr())?;
/// assert_eq!(client.recv_line()?.as_deref(), Some("HEADER"));
/// let mut body = String::new();
/// client.read_to_string(&mut body)?;
/// assert_eq!(body, "body, until the end");
/// # server.shutdown()
/// # }
/// ```
impl Read for TcpConnection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv(buf)
    }
}

/// The buffer [`recv_line`](TcpConnection::recv_line) uses, so
/// `lines()`, `read_until` or a parser reading a `BufRead` take turns with
/// it without losing a byte.
///
/// # Examples
///
/// ```
/// use std::io::BufRead;
/// use threaded::net::{TcpConnection, TcpServer};
///
/// # fn main() -> std::io::Result<()> {
/// let server = TcpServer::bind("127.0.0.1:0")?
///     .spawn(|mut conn: TcpConnection| conn.send(b"um\ndois\ntr\xc3\xaas\n"))?;
///
/// let client = TcpConnection::connect(server.local_addr())?;
/// let lines: Vec<String> = client.lines().collect::<Result<_, _>>()?;
/// assert_eq!(lines, ["um", "dois", "três"]);
/// # server.shutdown()
/// # }
/// ```
impl BufRead for TcpConnection {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.read_buf
            .fill_buf(&mut self.stream)
            .map_err(socket::timed_out)
    }

    fn consume(&mut self, amount: usize) {
        self.read_buf.consume(amount);
    }
}

/// Writes straight to the socket: nothing is buffered on the way out, so
/// `flush` has nothing to do and sends mix with std writers in order.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use threaded::net::{TcpConnection, TcpServer};
///
/// # fn main() -> std::io::Result<()> {
/// let server = TcpServer::bind("127.0.0.1:0")?.spawn(|mut conn: TcpConnection| {
///     let line = conn.recv_line()?.unwrap_or_default();
///     conn.send_line(&line)
/// })?;
///
/// let mut client = TcpConnection::connect(server.local_addr())?;
/// writeln!(client, "{} + {} = {}", 1, 1, 2)?;
/// assert_eq!(client.recv_line()?.as_deref(), Some("1 + 1 = 2"));
/// # server.shutdown()
/// # }
/// ```
impl Write for TcpConnection {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.write(buf).map_err(socket::timed_out)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.stream.write_vectored(bufs).map_err(socket::timed_out)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}
