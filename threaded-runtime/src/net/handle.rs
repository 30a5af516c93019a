use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;

use crate::StopEvent;

/// Counts of a running server, from [`ServerHandle::stats`].
///
/// # Examples
///
/// ```
/// use threaded::net::{ServerStats, TcpConnection, TcpServer};
///
/// # fn main() -> std::io::Result<()> {
/// let server = TcpServer::bind("127.0.0.1:0")?.spawn(|_conn: TcpConnection| Ok(()))?;
/// assert_eq!(server.stats(), ServerStats::default());
/// # server.shutdown()
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ServerStats {
    /// Connections accepted (TCP) or datagrams received (UDP) so far.
    pub accepted: u64,
    /// Connections whose handler runs now (TCP), or datagrams being handled
    /// now (UDP).
    pub active: u64,
    /// Handlers that returned `Err` or panicked, plus, for UDP, datagrams
    /// dropped for being over `max_datagram` and replies that failed to send.
    pub errors: u64,
}

/// The shared, lock-free counters behind [`ServerStats`].
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) accepted: AtomicU64,
    pub(crate) active: AtomicU64,
    pub(crate) errors: AtomicU64,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> ServerStats {
        ServerStats {
            accepted: self.accepted.load(Ordering::Relaxed),
            active: self.active.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn count_error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }
}

/// A server running on its own thread, from [`TcpServer::spawn`] or
/// [`UdpServer::spawn`].
///
/// The `server` of Python's `threading.Thread(target=server.serve_forever)`
/// idiom: [`shutdown`](Self::shutdown) is `server.shutdown()` followed by
/// `server.server_close()`. Dropping the handle shuts the server down too,
/// so no server outlives its handle.
///
/// [`TcpServer::spawn`]: super::TcpServer::spawn
/// [`UdpServer::spawn`]: super::UdpServer::spawn
///
/// # Examples
///
/// ```
/// use threaded::net::{TcpConnection, TcpServer};
///
/// # fn main() -> std::io::Result<()> {
/// let server = TcpServer::bind("127.0.0.1:0")?
///     .spawn(|mut conn: TcpConnection| conn.send_line("bem-vindo"))?;
///
/// let mut client = TcpConnection::connect(server.local_addr())?;
/// assert_eq!(client.recv_line()?.as_deref(), Some("bem-vindo"));
/// assert_eq!(server.stats().accepted, 1);
///
/// server.shutdown()?; // returns in milliseconds when idle
/// # Ok(())
/// # }
/// ```
#[must_use = "dropping a ServerHandle shuts the server down"]
pub struct ServerHandle {
    local_addr: SocketAddr,
    stop: StopEvent,
    /// Set when the server's loop has ended, for [`wait`](Self::wait).
    finished: StopEvent,
    counters: Arc<Counters>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl ServerHandle {
    pub(crate) fn new(
        local_addr: SocketAddr,
        stop: StopEvent,
        finished: StopEvent,
        counters: Arc<Counters>,
        thread: JoinHandle<io::Result<()>>,
    ) -> ServerHandle {
        ServerHandle {
            local_addr,
            stop,
            finished,
            counters,
            thread: Some(thread),
        }
    }

    /// The address the server listens on, with the real port when it was
    /// bound to port 0 (`server.server_address`).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::{TcpConnection, TcpServer};
    /// let server = TcpServer::bind("127.0.0.1:0").unwrap()
    ///     .spawn(|_conn: TcpConnection| Ok(())).unwrap();
    /// assert_ne!(server.local_addr().port(), 0);
    /// ```
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The event that stops the server: setting it, from any thread, is
    /// [`shutdown`](Self::shutdown) without waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::{TcpConnection, TcpServer};
    /// let server = TcpServer::bind("127.0.0.1:0").unwrap()
    ///     .spawn(|_conn: TcpConnection| Ok(())).unwrap();
    /// let stop = server.stop_event();
    /// std::thread::spawn(move || stop.set()).join().unwrap();
    /// server.shutdown().unwrap(); // already stopping; waits for the end
    /// ```
    #[must_use]
    pub fn stop_event(&self) -> StopEvent {
        self.stop.clone()
    }

    /// Blocks until the server has stopped — its [stop event](Self::stop_event)
    /// set, from any thread, or [`shutdown`](Self::shutdown) called — and
    /// its loop has ended, handlers' grace period included: Python's
    /// `server.serve_forever()` for a server started with `spawn`.
    ///
    /// # Examples
    ///
    /// A server that a client stops, while the main thread just waits:
    ///
    /// ```
    /// use threaded::net::{TcpConnection, TcpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = TcpServer::bind("127.0.0.1:0")?;
    /// let addr = server.local_addr()?;
    /// let server = server.spawn(|mut conn: TcpConnection| conn.send_line("tchau"))?;
    ///
    /// let stop = server.stop_event();
    /// std::thread::spawn(move || {
    ///     let mut client = TcpConnection::connect(addr).unwrap();
    ///     assert_eq!(client.recv_line().unwrap().as_deref(), Some("tchau"));
    ///     stop.set(); // "shut the server down" from anywhere
    /// });
    ///
    /// server.wait(); // serve_forever()
    /// assert_eq!(server.stats().accepted, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait(&self) {
        self.finished.wait();
    }

    /// Connections (or datagrams) accepted, active and failed so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::{TcpConnection, TcpServer};
    /// let server = TcpServer::bind("127.0.0.1:0").unwrap()
    ///     .spawn(|_conn: TcpConnection| Ok(())).unwrap();
    /// assert_eq!(server.stats().errors, 0);
    /// ```
    #[must_use]
    pub fn stats(&self) -> ServerStats {
        self.counters.snapshot()
    }

    /// Stops accepting at once, waits up to the grace period for the
    /// handlers in flight, then unblocks the ones still waiting on their
    /// sockets by shutting those sockets down, and returns.
    ///
    /// Returns in milliseconds when the server is idle: the accept loop is
    /// woken, not polled.
    ///
    /// A handler that ignores its socket (blocked on a lock, or in a loop)
    /// cannot be interrupted: a TCP server waits for it one more second after
    /// the grace, then logs it and returns, leaving that thread to finish on
    /// its own; a UDP server's busy workers are likewise left to finish their
    /// datagram. No thread is killed, since Rust (like Python) cannot do that
    /// safely.
    ///
    /// From inside one of the server's own handlers, set the
    /// [stop event](Self::stop_event) instead: `shutdown` waits for the
    /// handlers in flight, the caller's own among them, so there it would
    /// wait out the whole grace period (and, for TCP, one second more) and
    /// shut the caller's own connection down. The stop event returns at once;
    /// the handler finishes its connection, and whoever holds the handle sees
    /// [`wait`](Self::wait) return.
    ///
    /// # Errors
    ///
    /// The error that ended the server's loop, if it ended with one.
    ///
    /// # Panics
    ///
    /// If the server's own loop panicked (a bug in this crate: handlers'
    /// panics are caught and counted).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use threaded::net::{TcpConnection, TcpServer};
    ///
    /// let server = TcpServer::bind("127.0.0.1:0").unwrap()
    ///     .spawn(|_conn: TcpConnection| Ok(())).unwrap();
    /// let start = Instant::now();
    /// server.shutdown().unwrap();
    /// assert!(start.elapsed() < Duration::from_secs(1));
    /// ```
    pub fn shutdown(mut self) -> io::Result<()> {
        self.stop_and_wait()
    }

    fn stop_and_wait(&mut self) -> io::Result<()> {
        self.stop.set();
        match self.thread.take() {
            Some(thread) => match thread.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            None => Ok(()),
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop.set();
        if let Some(thread) = self.thread.take() {
            match thread.join() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => log::error!("server on {} ended with: {e}", self.local_addr),
                Err(_) => log::error!("server loop on {} panicked", self.local_addr),
            }
        }
    }
}

impl fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerHandle")
            .field("local_addr", &self.local_addr)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}
