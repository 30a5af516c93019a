use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use socket2::Socket;

use super::accept::{Options, Running};
use super::connection::{Limits, TcpConnection};
use super::registry::Registry;
use crate::StopEvent;
use crate::net::handle::{Counters, ServerHandle};
use crate::net::{skeleton, socket};

/// Python's `request_queue_size` is 5, a 1990s number: at the connection cap
/// waiting clients queue here, and a full backlog turns a connect into a 1 s
/// SYN retry. 128 is what std and Linux's old `SOMAXCONN` use.
const DEFAULT_BACKLOG: u32 = 128;
const DEFAULT_MAX_CONNECTIONS: usize = 256;
const DEFAULT_GRACE: Duration = Duration::from_secs(5);

/// A TCP server that runs each connection's handler on its own thread:
/// Python's `socketserver.ThreadingTCPServer`.
///
/// [`bind`](Self::bind) creates the socket with `SO_REUSEADDR`, binds and
/// listens; builder methods set the options; [`spawn`](Self::spawn) runs the
/// accept loop on its own thread and returns a [`ServerHandle`], and
/// [`serve`](Self::serve) runs it on the calling thread (`serve_forever`).
///
/// The handler is a closure `Fn(TcpConnection) -> io::Result<()>`, the
/// `handle` method of a `BaseRequestHandler`. When it returns `Err` or
/// panics, the error is logged with the peer's address and counted in
/// [`ServerStats::errors`](crate::net::ServerStats::errors); the server goes on.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use threaded::net::{TcpConnection, TcpServer};
///
/// # fn main() -> std::io::Result<()> {
/// let server = TcpServer::bind("127.0.0.1:0")?
///     .max_connections(64)
///     .read_timeout(Some(Duration::from_secs(30)))
///     .spawn(|mut conn: TcpConnection| {
///         while let Some(line) = conn.recv_line()? {
///             conn.send_line(&line)?;
///         }
///         Ok(())
///     })?;
///
/// let mut client = TcpConnection::connect(server.local_addr())?;
/// client.send_line("eco")?;
/// assert_eq!(client.recv_line()?.as_deref(), Some("eco"));
/// # drop(client);
/// # server.shutdown()?;
/// # Ok(())
/// # }
/// ```
#[must_use = "a TcpServer does nothing until `spawn` or `serve` runs it"]
pub struct TcpServer {
    socket: Socket,
    local_addr: SocketAddr,
    backlog: u32,
    max_connections: usize,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    nodelay: bool,
    limits: Limits,
    shutdown_grace: Duration,
}

impl TcpServer {
    /// Creates a TCP socket with `SO_REUSEADDR`, binds it to `addr` and
    /// listens (`socket.bind` then `socket.listen`). Port 0 picks a free
    /// port; [`local_addr`](Self::local_addr) tells which.
    ///
    /// Clients can connect from here on; they wait in the backlog until the
    /// server runs.
    ///
    /// # Errors
    ///
    /// [`AddrInUse`](io::ErrorKind::AddrInUse) when another socket listens on
    /// the port, [`PermissionDenied`](io::ErrorKind::PermissionDenied) for a
    /// privileged port, or an error resolving `addr`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::TcpServer;
    ///
    /// let server = TcpServer::bind("127.0.0.1:0").unwrap();
    /// assert_ne!(server.local_addr().unwrap().port(), 0);
    /// ```
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpServer> {
        let socket = socket::tcp_listener(addr, DEFAULT_BACKLOG)?;
        let local_addr = local_addr_of(&socket)?;
        Ok(TcpServer {
            socket,
            local_addr,
            backlog: DEFAULT_BACKLOG,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            read_timeout: None,
            write_timeout: None,
            nodelay: false,
            limits: Limits::default(),
            shutdown_grace: DEFAULT_GRACE,
        })
    }

    /// How many connections the kernel queues until the server accepts them
    /// (the lecture's `listen(n)`; default 128).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::{TcpConnection, TcpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = TcpServer::bind("127.0.0.1:0")?
    ///     .backlog(5)
    ///     .spawn(|mut conn: TcpConnection| conn.send_line("olá"))?;
    /// server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn backlog(mut self, backlog: u32) -> TcpServer {
        self.backlog = backlog;
        self
    }

    /// How many handlers run at once (default 256). At the cap the server
    /// stops accepting until a handler returns, so further clients wait in
    /// the backlog; none is refused for it.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::{TcpConnection, TcpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = TcpServer::bind("127.0.0.1:0")?
    ///     .max_connections(8)
    ///     .spawn(|mut conn: TcpConnection| conn.send_line("olá"))?;
    /// server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn max_connections(mut self, max: usize) -> TcpServer {
        self.max_connections = max;
        self
    }

    /// The read timeout of each accepted connection (`None`, the default,
    /// waits for ever), so a silent client cannot hold a slot for ever: its
    /// handler's reads fail with [`TimedOut`](io::ErrorKind::TimedOut)
    /// (`StreamRequestHandler.timeout`).
    ///
    /// The timeout applies to each read, as Python's socket timeout does: a
    /// client that trickles a byte now and then, each within the timeout,
    /// keeps its handler reading a line for up to `max_line` reads (hours,
    /// at the defaults). [`message_timeout`](Self::message_timeout) bounds
    /// the whole line or frame.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::net::{TcpConnection, TcpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = TcpServer::bind("127.0.0.1:0")?
    ///     .read_timeout(Some(Duration::from_secs(30)))
    ///     .spawn(|mut conn: TcpConnection| conn.send_line("olá"))?;
    /// server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> TcpServer {
        self.read_timeout = timeout;
        self
    }

    /// The write timeout of each accepted connection (`None`, the default,
    /// waits for ever), for clients that stop reading.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::net::{TcpConnection, TcpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = TcpServer::bind("127.0.0.1:0")?
    ///     .write_timeout(Some(Duration::from_secs(30)))
    ///     .spawn(|mut conn: TcpConnection| conn.send_line("olá"))?;
    /// server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn write_timeout(mut self, timeout: Option<Duration>) -> TcpServer {
        self.write_timeout = timeout;
        self
    }

    /// Sets `TCP_NODELAY` on each accepted connection (default `false`, as
    /// `StreamRequestHandler.disable_nagle_algorithm`): small writes leave at
    /// once instead of waiting for the previous ones to be acknowledged.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::{TcpConnection, TcpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = TcpServer::bind("127.0.0.1:0")?
    ///     .nodelay(true)
    ///     .spawn(|mut conn: TcpConnection| conn.send_line("olá"))?;
    /// server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn nodelay(mut self, nodelay: bool) -> TcpServer {
        self.nodelay = nodelay;
        self
    }

    /// The longest line [`recv_line`](TcpConnection::recv_line) accepts on
    /// every connection (default 64 KiB), as if each handler began with
    /// [`set_max_line`](TcpConnection::set_max_line); `usize::MAX` means no
    /// limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::{TcpConnection, TcpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = TcpServer::bind("127.0.0.1:0")?
    ///     .max_line(1024)
    ///     .spawn(|mut conn: TcpConnection| conn.send_line("olá"))?;
    /// server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn max_line(mut self, max: usize) -> TcpServer {
        self.limits.max_line = max;
        self
    }

    /// The largest frame [`recv_frame`](TcpConnection::recv_frame) accepts
    /// on every connection (default 16 MiB), as if each handler began with
    /// [`set_max_frame`](TcpConnection::set_max_frame).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::{TcpConnection, TcpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = TcpServer::bind("127.0.0.1:0")?
    ///     .max_frame(64 * 1024)
    ///     .spawn(|mut conn: TcpConnection| conn.send_line("olá"))?;
    /// server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn max_frame(mut self, max: usize) -> TcpServer {
        self.limits.max_frame = max;
        self
    }

    /// How long one [`recv_line`](TcpConnection::recv_line) or
    /// [`recv_frame`](TcpConnection::recv_frame) may take on every connection
    /// once the first byte of its line or frame has arrived, or was already
    /// buffered (default `None`: no bound); past it the call fails with
    /// [`TimedOut`](io::ErrorKind::TimedOut). See
    /// [`set_message_timeout`](TcpConnection::set_message_timeout).
    ///
    /// With [`read_timeout`](Self::read_timeout) it bounds how long a client
    /// can hold a handler slot: a silent one for a read timeout, a slow one
    /// for a message timeout per message, rather than for a read timeout per
    /// byte.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::net::{TcpConnection, TcpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = TcpServer::bind("127.0.0.1:0")?
    ///     .read_timeout(Some(Duration::from_secs(60)))
    ///     .message_timeout(Some(Duration::from_secs(10)))
    ///     .spawn(|mut conn: TcpConnection| conn.send_line("olá"))?;
    /// server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn message_timeout(mut self, timeout: Option<Duration>) -> TcpServer {
        self.limits.message_timeout = timeout;
        self
    }

    /// How long a shutdown waits for the handlers in flight (default 5 s).
    /// After it, the sockets of the handlers still running are shut down, so
    /// their reads return end of stream and their writes fail.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::net::{TcpConnection, TcpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = TcpServer::bind("127.0.0.1:0")?
    ///     .shutdown_grace(Duration::from_millis(500))
    ///     .spawn(|mut conn: TcpConnection| conn.send_line("olá"))?;
    /// server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn shutdown_grace(mut self, grace: Duration) -> TcpServer {
        self.shutdown_grace = grace;
        self
    }

    /// The address the server is bound to, with the real port
    /// (`server.server_address`), typed as [`TcpListener::local_addr`](std::net::TcpListener::local_addr)'s.
    ///
    /// # Errors
    ///
    /// None in practice: the address is read once, at [`bind`](Self::bind);
    /// the `io::Result` keeps std's signature.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::TcpServer;
    /// let server = TcpServer::bind("127.0.0.1:0").unwrap();
    /// assert!(server.local_addr().unwrap().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local_addr)
    }

    /// Runs the accept loop on a new thread and returns its handle: the
    /// server is up when this returns.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](io::ErrorKind::InvalidInput) for `max_connections(0)`,
    /// an error applying the backlog, or one spawning the thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::{TcpConnection, TcpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = TcpServer::bind("127.0.0.1:0")?.spawn(|mut conn: TcpConnection| {
    ///     let peer = conn.peer_addr()?;
    ///     conn.send_line(&format!("you are {peer}"))
    /// })?;
    ///
    /// let mut client = TcpConnection::connect(server.local_addr())?;
    /// let me = client.local_addr()?;
    /// assert_eq!(client.recv_line()?, Some(format!("you are {me}")));
    /// # server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn spawn<H>(self, handler: H) -> io::Result<ServerHandle>
    where
        H: Fn(TcpConnection) -> io::Result<()> + Send + Sync + 'static,
    {
        let local_addr = self.local_addr;
        let counters = Arc::new(Counters::default());
        let running = self.prepare(handler, &counters)?;
        skeleton::spawn(
            format!("tcp-server {local_addr}"),
            local_addr,
            counters,
            move |stop| running.run(stop),
        )
    }

    /// Runs the accept loop on the calling thread until `stop` is set, then
    /// shuts down as [`ServerHandle::shutdown`] does (`serve_forever`, then
    /// `shutdown` from another thread).
    ///
    /// Setting `stop` wakes the loop at once; it does not poll.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::StopEvent;
    /// use threaded::net::{TcpConnection, TcpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = TcpServer::bind("127.0.0.1:0")?;
    /// let addr = server.local_addr()?;
    /// let stop = StopEvent::new();
    ///
    /// let client_stop = stop.clone();
    /// let client = std::thread::spawn(move || -> std::io::Result<Option<String>> {
    ///     let mut conn = TcpConnection::connect(addr)?;
    ///     let greeting = conn.recv_line();
    ///     client_stop.set(); // one client is enough for today
    ///     greeting
    /// });
    ///
    /// server.serve(|mut conn: TcpConnection| conn.send_line("oi"), &stop)?;
    /// assert_eq!(client.join().unwrap()?.as_deref(), Some("oi"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn serve<H>(self, handler: H, stop: &StopEvent) -> io::Result<()>
    where
        H: Fn(TcpConnection) -> io::Result<()> + Send + Sync + 'static,
    {
        let counters = Arc::new(Counters::default());
        self.prepare(handler, &counters)?.run(stop)
    }

    fn prepare<H>(self, handler: H, counters: &Arc<Counters>) -> io::Result<Running>
    where
        H: Fn(TcpConnection) -> io::Result<()> + Send + Sync + 'static,
    {
        if self.max_connections == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "max_connections(0) would never accept a connection",
            ));
        }
        if self.backlog != DEFAULT_BACKLOG {
            // listen() again only changes the backlog of a listening socket.
            socket::listen(&self.socket, self.backlog)?;
        }
        Ok(Running {
            listener: socket::into_listener(self.socket),
            local_addr: self.local_addr,
            options: Options {
                read_timeout: self.read_timeout,
                write_timeout: self.write_timeout,
                nodelay: self.nodelay,
                limits: self.limits,
            },
            shutdown_grace: self.shutdown_grace,
            registry: Arc::new(Registry::new(self.max_connections, Arc::clone(counters))),
            counters: Arc::clone(counters),
            handler: Arc::new(handler),
        })
    }
}

impl fmt::Debug for TcpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpServer")
            .field("local_addr", &self.local_addr)
            .field("backlog", &self.backlog)
            .field("max_connections", &self.max_connections)
            .field("read_timeout", &self.read_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("nodelay", &self.nodelay)
            .field("limits", &self.limits)
            .field("shutdown_grace", &self.shutdown_grace)
            .finish_non_exhaustive()
    }
}

fn local_addr_of(socket: &Socket) -> io::Result<SocketAddr> {
    socket
        .local_addr()?
        .as_socket()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not an IP socket address"))
}
