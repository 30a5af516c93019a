use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::framing::{self, ReadBuffer, Source};
use crate::net::socket;

/// The limits of one connection's lines and frames, which a server sets for
/// every connection it accepts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) max_line: usize,
    pub(crate) max_frame: usize,
    pub(crate) message_timeout: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_line: 64 * 1024,
            max_frame: 16 * 1024 * 1024,
            message_timeout: None,
        }
    }
}

/// One end of a TCP connection: what a server's handler gets, and what a
/// client opens with [`connect`](TcpConnection::connect).
///
/// Python's connected `socket` plus the `rfile`/`wfile` of
/// `socketserver.StreamRequestHandler`: raw bytes with [`send`](Self::send)
/// and [`recv`](Self::recv), text lines with [`send_line`](Self::send_line)
/// and [`recv_line`](Self::recv_line), and length-prefixed messages with
/// [`send_frame`](Self::send_frame) and [`recv_frame`](Self::recv_frame).
///
/// It is also a std stream — [`Read`], [`Write`] and [`BufRead`](io::BufRead)
/// — so `io::copy`, `read_to_end`, `lines()` or a serde reader work on it.
/// Every read goes through one buffer, so lines, frames, raw `recv`s and std
/// readers can be mixed on one connection without losing a byte. Lines and
/// frames have a size limit ([`set_max_line`](Self::set_max_line),
/// [`set_max_frame`](Self::set_max_frame)): a peer cannot make the program
/// allocate more than the limit; and may have a time limit
/// ([`set_message_timeout`](Self::set_message_timeout)).
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
    pub(super) stream: TcpStream,
    /// For the log and `Debug`, which should name the peer even after it
    /// has gone.
    peer: SocketAddr,
    pub(super) read_buf: ReadBuffer,
    pub(super) limits: Limits,
}

impl TcpConnection {
    pub(crate) fn from_stream(
        stream: TcpStream,
        peer: SocketAddr,
        limits: Limits,
    ) -> TcpConnection {
        TcpConnection {
            stream,
            peer,
            read_buf: ReadBuffer::default(),
            limits,
        }
    }

    fn from_connected(stream: TcpStream) -> io::Result<TcpConnection> {
        let peer = stream.peer_addr()?;
        Ok(TcpConnection::from_stream(stream, peer, Limits::default()))
    }

    /// The peer's address as it was at accept or connect, for the log.
    pub(crate) fn peer(&self) -> SocketAddr {
        self.peer
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
    /// assert_eq!(conn.peer_addr().unwrap(), listener.local_addr().unwrap());
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
    /// assert_eq!(conn.peer_addr().unwrap(), addr);
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

    /// The address of the other end (`socket.getpeername()`), as
    /// [`TcpStream::peer_addr`] returns it.
    ///
    /// # Errors
    ///
    /// What the operating system reports, e.g.
    /// [`NotConnected`](io::ErrorKind::NotConnected) once the peer has reset
    /// the connection.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::TcpListener;
    /// use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// assert_eq!(conn.peer_addr().unwrap(), listener.local_addr().unwrap());
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.stream.peer_addr()
    }

    /// The address of this end (`socket.getsockname()`), as
    /// [`TcpStream::local_addr`] returns it.
    ///
    /// # Errors
    ///
    /// What the operating system reports, which in practice means the socket
    /// is no longer usable.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::TcpListener;
    /// use threaded::net::TcpConnection;
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
    /// use std::io::Read;
    /// use std::net::TcpListener;
    /// use threaded::net::TcpConnection;
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
    /// use std::io::Write;
    /// use std::net::TcpListener;
    /// use threaded::net::TcpConnection;
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
    /// use std::io::Read;
    /// use std::net::TcpListener;
    /// use threaded::net::TcpConnection;
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
    /// a `\n` — without waiting for the rest of the line.
    /// [`TimedOut`](io::ErrorKind::TimedOut) past the read timeout, or past
    /// the [message timeout](Self::set_message_timeout) counted from the
    /// line's first byte; a timeout keeps what arrived: the next call goes on
    /// with it.
    /// After a line too long, the bytes stay buffered and every later call
    /// fails the same way: the stream cannot be resynchronised, so close the
    /// connection.
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
    /// peer.write_all(b"one\r\ntwo\n").unwrap();
    /// drop(peer);
    ///
    /// assert_eq!(conn.recv_line().unwrap().as_deref(), Some("one"));
    /// assert_eq!(conn.recv_line().unwrap().as_deref(), Some("two"));
    /// assert_eq!(conn.recv_line().unwrap(), None);
    /// ```
    pub fn recv_line(&mut self) -> io::Result<Option<String>> {
        self.read_buf
            .read_line(
                &mut Bounded::new(&self.stream),
                self.limits.max_line,
                self.limits.message_timeout,
            )
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
    /// use std::net::TcpListener;
    /// use threaded::net::TcpConnection;
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
    /// the peer closes inside a frame.
    /// [`TimedOut`](io::ErrorKind::TimedOut) past the read timeout, or past
    /// the [message timeout](Self::set_message_timeout) counted from the
    /// frame's first byte; a timeout keeps what arrived: the next call goes
    /// on with it.
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
            .read_frame(
                &mut Bounded::new(&self.stream),
                self.limits.max_frame,
                self.limits.message_timeout,
            )
            .map_err(socket::timed_out)
    }

    /// Sets the longest line [`recv_line`](Self::recv_line) accepts, in bytes
    /// without the line ending (default 64 KiB, or the server's
    /// [`max_line`](crate::net::TcpServer::max_line)); `usize::MAX` means no
    /// limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Write};
    /// use std::net::TcpListener;
    /// use threaded::net::TcpConnection;
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
        self.limits.max_line = max_line;
    }

    /// Sets the largest frame [`recv_frame`](Self::recv_frame) accepts, in
    /// bytes without the header (default 16 MiB, or the server's
    /// [`max_frame`](crate::net::TcpServer::max_frame)); a frame of exactly
    /// `max_frame` bytes is accepted, and `usize::MAX` means no limit but
    /// the header's 4 GiB.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Write};
    /// use std::net::TcpListener;
    /// use threaded::net::TcpConnection;
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let mut conn = TcpConnection::connect(listener.local_addr().unwrap()).unwrap();
    /// let (mut peer, _) = listener.accept().unwrap();
    /// peer.write_all(&1_000_000u32.to_be_bytes()).unwrap(); // a header, no payload
    ///
    /// conn.set_max_frame(1024);
    /// assert_eq!(conn.recv_frame().unwrap_err().kind(), ErrorKind::InvalidData);
    /// ```
    pub fn set_max_frame(&mut self, max_frame: usize) {
        self.limits.max_frame = max_frame;
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

/// The connection's stream as the decoders read it: a message deadline
/// narrows the socket's read timeout for the reads it bounds, then restores
/// the timeout the connection had.
struct Bounded<'a> {
    stream: &'a TcpStream,
    /// The connection's own read timeout, read once a deadline needs it.
    own: Option<Option<Duration>>,
}

impl Bounded<'_> {
    fn new(stream: &TcpStream) -> Bounded<'_> {
        Bounded { stream, own: None }
    }
}

impl Read for Bounded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&mut &*self.stream).read(buf)
    }
}

impl Source for Bounded<'_> {
    fn limit_reads(&mut self, limit: Option<Duration>) -> io::Result<()> {
        let own = match self.own {
            Some(own) => own,
            None => *self.own.insert(self.stream.read_timeout()?),
        };
        let timeout = match (own, limit) {
            (Some(own), Some(limit)) => Some(own.min(limit)),
            (own, None) => own,
            (None, limit) => limit,
        };
        self.stream.set_read_timeout(timeout)
    }
}
