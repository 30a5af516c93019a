use std::fmt;
use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::framing::{self, ReadBuffer};
use crate::net::socket;

const DEFAULT_MAX_LINE: usize = 64 * 1024;
const DEFAULT_MAX_FRAME: usize = 16 * 1024 * 1024;

/// One end of a TCP connection: what a server's handler gets, and what a
/// client opens with [`connect`](TcpConnection::connect).
///
/// Python's connected `socket` plus the `rfile`/`wfile` of
/// `socketserver.StreamRequestHandler`: raw bytes with [`send`](Self::send)
/// and [`recv`](Self::recv), text lines with [`send_line`](Self::send_line)
/// and [`recv_line`](Self::recv_line), and length-prefixed messages with
/// [`send_frame`](Self::send_frame) and [`recv_frame`](Self::recv_frame).
///
/// Reads go through a buffer, so lines, frames and raw reads can be mixed on
/// one connection. Lines and frames have a size limit
/// ([`set_max_line`](Self::set_max_line), [`set_max_frame`](Self::set_max_frame)):
/// a peer cannot make the program allocate more than the limit.
///
/// The connection closes when it is dropped.
///
/// # Examples
///
/// ```
/// use threaded::net::{TcpConnection, TcpServer};
///
/// # fn main() -> std::io::Result<()> {
/// let server = TcpServer::bind("127.0.0.1:0")?.spawn(|mut conn: TcpConnection| {
///     while let Some(line) = conn.recv_line()? {
///         conn.send_line(&line.to_uppercase())?;
///     }
///     Ok(())
/// })?;
///
/// let mut client = TcpConnection::connect(server.local_addr())?;
/// client.send_line("olá, mundo")?;
/// assert_eq!(client.recv_line()?.as_deref(), Some("OLÁ, MUNDO"));
/// # drop(client);
/// # server.shutdown()?;
/// # Ok(())
/// # }
/// ```
pub struct TcpConnection {
    stream: TcpStream,
    peer: SocketAddr,
    read_buf: ReadBuffer,
    max_line: usize,
    max_frame: usize,
}

impl TcpConnection {
    pub(crate) fn from_stream(stream: TcpStream, peer: SocketAddr) -> TcpConnection {
        TcpConnection {
            stream,
            peer,
            read_buf: ReadBuffer::default(),
            max_line: DEFAULT_MAX_LINE,
            max_frame: DEFAULT_MAX_FRAME,
        }
    }

    fn from_connected(stream: TcpStream) -> io::Result<TcpConnection> {
        let peer = stream.peer_addr()?;
        Ok(TcpConnection::from_stream(stream, peer))
    }

    /// Opens a connection to `addr`, trying each address it resolves to in
    /// turn (Python's `socket.create_connection`).
    ///
    /// # Errors
    ///
    /// The error of the last address tried, e.g.
    /// [`ConnectionRefused`](io::ErrorKind::ConnectionRefused) when nothing
    /// listens there.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::TcpListener;
    /// use threaded::net::TcpConnection;
    ///
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// assert_eq!(conn.peer_addr(), listener.local_addr().unwrap());
    /// ```
    pub fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpConnection> {
        TcpConnection::from_connected(socket::tcp_connect(addr, None)?)
    }

    /// Opens a connection to `addr`, giving up after `timeout`
    /// (`socket.create_connection(addr, timeout)`).
    ///
    /// # Errors
    ///
    /// [`TimedOut`](io::ErrorKind::TimedOut) when the peer does not answer in
    /// time; a zero `timeout` is [`InvalidInput`](io::ErrorKind::InvalidInput).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::TcpListener;
    /// use std::time::Duration;
    /// use threaded::net::TcpConnection;
    ///
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let addr = listener.local_addr().unwrap();
    /// let conn = TcpConnection::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    /// assert_eq!(conn.peer_addr(), addr);
    /// ```
    pub fn connect_timeout(addr: &SocketAddr, timeout: Duration) -> io::Result<TcpConnection> {
        if timeout.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "cannot connect with a zero timeout",
            ));
        }
        TcpConnection::from_connected(socket::tcp_connect(addr, Some(timeout))?)
    }

    /// The address of the other end (`socket.getpeername()`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::TcpListener;
    /// # use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// assert_eq!(conn.peer_addr(), listener.local_addr().unwrap());
    /// ```
    #[must_use]
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// The address of this end (`socket.getsockname()`).
    ///
    /// # Errors
    ///
    /// What the operating system reports, which in practice means the socket
    /// is no longer usable.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::TcpListener;
    /// # use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// assert!(conn.local_addr().unwrap().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.stream.local_addr()
    }

    /// Sends all of `data` (`socket.sendall`).
    ///
    /// # Errors
    ///
    /// A write error of the socket, e.g. [`BrokenPipe`](io::ErrorKind::BrokenPipe)
    /// or [`ConnectionReset`](io::ErrorKind::ConnectionReset) when the peer has
    /// gone, or [`TimedOut`](io::ErrorKind::TimedOut) past a write timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::io::Read;
    /// # use std::net::TcpListener;
    /// # use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let mut conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// conn.send(b"Hello, world").unwrap();
    /// let (mut peer, _) = listener.accept().unwrap();
    /// let mut buf = [0; 12];
    /// peer.read_exact(&mut buf).unwrap();
    /// assert_eq!(&buf, b"Hello, world");
    /// ```
    pub fn send(&mut self, data: &[u8]) -> io::Result<()> {
        self.stream.write_all(data).map_err(socket::timed_out)
    }

    /// Receives at most `buf.len()` bytes, blocking until some arrive
    /// (`socket.recv(1024)`); `Ok(0)` means the peer closed its end.
    ///
    /// # Errors
    ///
    /// A read error of the socket; [`TimedOut`](io::ErrorKind::TimedOut) when
    /// a read timeout passes with nothing received.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::io::Write;
    /// # use std::net::TcpListener;
    /// # use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let mut conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// let (mut peer, _) = listener.accept().unwrap();
    /// peer.write_all(b"hi").unwrap();
    /// drop(peer);
    ///
    /// let mut buf = [0; 1024];
    /// let n = conn.recv(&mut buf).unwrap();
    /// assert_eq!(&buf[..n], b"hi");
    /// assert_eq!(conn.recv(&mut buf).unwrap(), 0); // end of stream
    /// ```
    pub fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_buf
            .read(&mut self.stream, buf)
            .map_err(socket::timed_out)
    }

    /// Sends `text` and one `\n`, in one write.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](io::ErrorKind::InvalidInput) if `text` holds a `\n`,
    /// which would make it two lines at the other end; otherwise as
    /// [`send`](Self::send).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::io::Read;
    /// # use std::net::TcpListener;
    /// # use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let mut conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// conn.send_line("GET /").unwrap();
    /// # drop(conn);
    /// let (mut peer, _) = listener.accept().unwrap();
    /// let mut text = String::new();
    /// peer.read_to_string(&mut text).unwrap();
    /// assert_eq!(text, "GET /\n");
    /// ```
    pub fn send_line(&mut self, text: &str) -> io::Result<()> {
        if text.contains('\n') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "send_line text contains a '\\n'; send each line on its own",
            ));
        }
        framing::write_all_vectored(&mut self.stream, &[text.as_bytes(), b"\n"])
            .map_err(socket::timed_out)
    }

    /// Receives the next line, without its `\n` or `\r\n`; `Ok(None)` once
    /// the peer has closed its end and every line has been read. A last line
    /// the peer closed without a `\n` is still returned.
    ///
    /// # Errors
    ///
    /// [`InvalidData`](io::ErrorKind::InvalidData) if the line is not UTF-8,
    /// or once more than [`max_line`](Self::set_max_line) bytes arrive without
    /// a `\n` — without waiting for the rest of the line. A timeout
    /// ([`TimedOut`](io::ErrorKind::TimedOut)) keeps what arrived: the next
    /// call goes on with it.
    /// After a line too long, the bytes stay buffered and every later call
    /// fails the same way: the stream cannot be resynchronised, so close the
    /// connection.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::io::Write;
    /// # use std::net::TcpListener;
    /// # use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let mut conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// let (mut peer, _) = listener.accept().unwrap();
    /// peer.write_all(b"one\r\ntwo\n").unwrap();
    /// drop(peer);
    ///
    /// assert_eq!(conn.recv_line().unwrap().as_deref(), Some("one"));
    /// assert_eq!(conn.recv_line().unwrap().as_deref(), Some("two"));
    /// assert_eq!(conn.recv_line().unwrap(), None);
    /// ```
    pub fn recv_line(&mut self) -> io::Result<Option<String>> {
        self.read_buf
            .read_line(&mut self.stream, self.max_line)
            .map_err(socket::timed_out)
    }

    /// Sends `payload` as one frame: its length as a big-endian `u32`, then
    /// the bytes.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](io::ErrorKind::InvalidInput) for a payload of 4 GiB or
    /// more, which the header cannot describe; otherwise as [`send`](Self::send).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::TcpListener;
    /// # use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let mut client = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// let (stream, peer) = listener.accept().unwrap();
    /// # let _ = (stream, peer);
    /// client.send_frame(b"\x00binary\xff").unwrap();
    /// ```
    pub fn send_frame(&mut self, payload: &[u8]) -> io::Result<()> {
        let header = framing::frame_header(payload.len())?;
        framing::write_all_vectored(&mut self.stream, &[&header, payload])
            .map_err(socket::timed_out)
    }

    /// Receives the next frame sent by [`send_frame`](Self::send_frame);
    /// `Ok(None)` if the peer closed its end between frames.
    ///
    /// # Errors
    ///
    /// [`InvalidData`](io::ErrorKind::InvalidData) as soon as a header
    /// announces more than [`max_frame`](Self::set_max_frame) bytes, before
    /// any of them is read or allocated (the connection cannot be used for
    /// frames after that); [`UnexpectedEof`](io::ErrorKind::UnexpectedEof) if
    /// the peer closes inside a frame. A timeout
    /// ([`TimedOut`](io::ErrorKind::TimedOut)) keeps what arrived: the next
    /// call goes on with it.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::{TcpConnection, TcpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = TcpServer::bind("127.0.0.1:0")?.spawn(|mut conn: TcpConnection| {
    ///     while let Some(frame) = conn.recv_frame()? {
    ///         conn.send_frame(&frame)?;
    ///     }
    ///     Ok(())
    /// })?;
    ///
    /// let mut client = TcpConnection::connect(server.local_addr())?;
    /// client.send_frame(b"two\nlines")?;
    /// assert_eq!(client.recv_frame()?, Some(b"two\nlines".to_vec()));
    /// # drop(client);
    /// # server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn recv_frame(&mut self) -> io::Result<Option<Vec<u8>>> {
        self.read_buf
            .read_frame(&mut self.stream, self.max_frame)
            .map_err(socket::timed_out)
    }

    /// Sets the longest line [`recv_line`](Self::recv_line) accepts, in bytes
    /// without the line ending (default 64 KiB).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::io::{ErrorKind, Write};
    /// # use std::net::TcpListener;
    /// # use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let mut conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// let (mut peer, _) = listener.accept().unwrap();
    /// peer.write_all(b"short\nmuch too long\n").unwrap();
    ///
    /// conn.set_max_line(5);
    /// assert_eq!(conn.recv_line().unwrap().as_deref(), Some("short"));
    /// assert_eq!(conn.recv_line().unwrap_err().kind(), ErrorKind::InvalidData);
    /// ```
    pub fn set_max_line(&mut self, max_line: usize) {
        self.max_line = max_line;
    }

    /// Sets the largest frame [`recv_frame`](Self::recv_frame) accepts, in
    /// bytes without the header (default 16 MiB); a frame of exactly
    /// `max_frame` bytes is accepted.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::io::{ErrorKind, Write};
    /// # use std::net::TcpListener;
    /// # use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let mut conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// let (mut peer, _) = listener.accept().unwrap();
    /// peer.write_all(&1_000_000u32.to_be_bytes()).unwrap(); // a header, no payload
    ///
    /// conn.set_max_frame(1024);
    /// assert_eq!(conn.recv_frame().unwrap_err().kind(), ErrorKind::InvalidData);
    /// ```
    pub fn set_max_frame(&mut self, max_frame: usize) {
        self.max_frame = max_frame;
    }

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
    /// # use std::io::ErrorKind;
    /// # use std::net::TcpListener;
    /// # use std::time::Duration;
    /// # use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let mut conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// conn.set_read_timeout(Some(Duration::from_millis(10))).unwrap();
    /// let mut buf = [0; 16];
    /// assert_eq!(conn.recv(&mut buf).unwrap_err().kind(), ErrorKind::TimedOut);
    /// ```
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.stream.set_read_timeout(timeout)
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
    /// # use std::net::TcpListener;
    /// # use threaded::net::TcpConnection;
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
    /// # use std::io::Write;
    /// # use std::net::TcpListener;
    /// # use threaded::net::TcpConnection;
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

impl fmt::Debug for TcpConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpConnection")
            .field("peer", &self.peer)
            .field("local", &self.stream.local_addr().ok())
            .field("buffered", &self.read_buf.buffered().len())
            .finish_non_exhaustive()
    }
}
