use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::StopEvent;
use crate::net::handle::{Counters, ServerHandle};
use crate::net::{skeleton, socket};
use crate::panics::message as panic_message;

/// The largest UDP payload over IPv4: 65 535 minus the IP and UDP headers.
const DEFAULT_MAX_DATAGRAM: usize = 65_507;
/// The UDP length field's limit; IPv4 and IPv6 carry less.
const MAX_UDP_PAYLOAD: usize = 65_535;
/// socketserver's ThreadingUDPServer starts a thread per datagram, 3–5×
/// slower than one loop; a few workers keep a briefly blocking handler from
/// stalling the others without paying for a thread each time. More workers
/// than cores only add wake-ups: a datagram that arrives while one worker is
/// busy wakes a sleeping one, where a single loop would find it queued
/// (BENCHMARKS.md: on 2 cores, 4 workers cost 1.1–1.5× a std loop's CPU
/// per datagram, 2 workers 0.98–1.08×).
fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4))
}

const DEFAULT_GRACE: Duration = Duration::from_secs(5);

type Handler = dyn Fn(&[u8], SocketAddr) -> Option<Vec<u8>> + Send + Sync;

/// A UDP server whose datagrams are handled by a pool of worker threads:
/// Python's `socketserver.ThreadingUDPServer`, with a fixed pool instead of
/// a thread per datagram.
///
/// Each of the [`workers`](Self::workers) receives on the socket itself and
/// runs the handler on what it got, so a datagram wakes one thread, as in a
/// hand-written `recv_from` loop; while every worker is busy, datagrams wait
/// in the kernel's receive buffer (and past it are dropped, as UDP does).
/// The handler gets the bytes and the sender's address and returns
/// `Some(reply)` to answer, `None` to stay silent. A handler's panic is
/// logged with the peer's address and counted in
/// [`ServerStats::errors`](crate::net::ServerStats::errors); the worker goes
/// on.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use threaded::net::{UdpClient, UdpServer};
///
/// # fn main() -> std::io::Result<()> {
/// let server = UdpServer::bind("127.0.0.1:0")?
///     .spawn(|data: &[u8], _peer| Some(data.to_ascii_uppercase()))?;
///
/// let client = UdpClient::connect(server.local_addr())?;
/// let reply = client.request(b"test", Duration::from_secs(5))?;
/// assert_eq!(reply, b"TEST");
/// # server.shutdown()?;
/// # Ok(())
/// # }
/// ```
#[must_use = "a UdpServer does nothing until `spawn` or `serve` runs it"]
pub struct UdpServer {
    socket: UdpSocket,
    local_addr: SocketAddr,
    workers: usize,
    max_datagram: usize,
    shutdown_grace: Duration,
}

impl UdpServer {
    /// Creates a UDP socket and binds it to `addr` (`socket.bind`). Port 0
    /// picks a free port; [`local_addr`](Self::local_addr) tells which.
    ///
    /// The bind is exclusive: unlike TCP's, a UDP server does not set
    /// `SO_REUSEADDR`, since UDP has no TIME_WAIT to skip and on Linux that
    /// option would let a second socket bind the same busy port and take its
    /// datagrams.
    ///
    /// # Errors
    ///
    /// [`AddrInUse`](io::ErrorKind::AddrInUse) when another socket is bound
    /// to the port,
    /// [`PermissionDenied`](io::ErrorKind::PermissionDenied), or an error
    /// resolving `addr`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::UdpServer;
    ///
    /// let server = UdpServer::bind("127.0.0.1:0").unwrap();
    /// assert_ne!(server.local_addr().unwrap().port(), 0);
    /// ```
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpServer> {
        let socket = socket::udp_bind(addr)?;
        let local_addr = socket.local_addr()?;
        Ok(UdpServer {
            socket,
            local_addr,
            workers: default_workers(),
            max_datagram: DEFAULT_MAX_DATAGRAM,
            shutdown_grace: DEFAULT_GRACE,
        })
    }

    /// How many threads receive datagrams and run the handler (default: the
    /// number of CPUs, at least 2 and at most 4). More workers than CPUs pay
    /// off only for a handler that blocks (on a lock, a file, another
    /// server): each costs a wake-up per datagram it takes while the others
    /// are busy.
    /// They are named `udp {addr} #{i}` after the server, which shows in
    /// panic messages, debuggers and `top -H`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::UdpServer;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = UdpServer::bind("127.0.0.1:0")?
    ///     .workers(8)
    ///     .spawn(|data: &[u8], _peer| Some(data.to_vec()))?;
    /// server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn workers(mut self, workers: usize) -> UdpServer {
        self.workers = workers;
        self
    }

    /// The largest datagram handed to the handler, in bytes (default 65 507,
    /// the most IPv4 carries). A longer one is logged with its sender and
    /// dropped, and counted in [`ServerStats::errors`](crate::net::ServerStats::errors):
    /// never passed on truncated.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::UdpServer;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = UdpServer::bind("127.0.0.1:0")?
    ///     .max_datagram(1472)
    ///     .spawn(|data: &[u8], _peer| Some(data.to_vec()))?;
    /// server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn max_datagram(mut self, max: usize) -> UdpServer {
        self.max_datagram = max;
        self
    }

    /// How long a shutdown waits for the handlers in flight to return
    /// (default 5 s); workers still busy after it are left to finish their
    /// datagram on their own. Datagrams not yet received when the server
    /// stops are dropped, as a closed socket drops them.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::net::UdpServer;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = UdpServer::bind("127.0.0.1:0")?
    ///     .shutdown_grace(Duration::from_millis(500))
    ///     .spawn(|data: &[u8], _peer| Some(data.to_vec()))?;
    /// server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn shutdown_grace(mut self, grace: Duration) -> UdpServer {
        self.shutdown_grace = grace;
        self
    }

    /// The address the server is bound to, with the real port.
    ///
    /// # Errors
    ///
    /// None in practice: the address is read once, at [`bind`](Self::bind).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::net::UdpServer;
    /// let server = UdpServer::bind("127.0.0.1:0").unwrap();
    /// assert!(server.local_addr().unwrap().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local_addr)
    }

    /// Runs the workers on their own threads and returns the server's handle.
    ///
    /// A handler kept in a variable before it is passed here needs its
    /// argument types written out, `|data: &[u8], peer: SocketAddr|` (the
    /// `&[u8]` is the one that matters): Rust infers a closure's borrowed
    /// argument as taking any lifetime only where the closure is written in
    /// the call, or where its type says `&`. Without it the error reads
    /// "implementation of `Fn` is not general enough":
    ///
    /// ```compile_fail
    /// use threaded::net::UdpServer;
    /// let echo = |data, _peer| Some(<[u8]>::to_vec(data)); // no types: refused
    /// let server = UdpServer::bind("127.0.0.1:0").unwrap().spawn(echo);
    /// ```
    ///
    /// Written out, it compiles:
    ///
    /// ```
    /// use std::net::SocketAddr;
    /// use threaded::net::UdpServer;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let echo = |data: &[u8], _peer: SocketAddr| Some(data.to_vec());
    /// let server = UdpServer::bind("127.0.0.1:0")?.spawn(echo)?;
    /// server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](io::ErrorKind::InvalidInput) for `workers(0)`, or an
    /// error spawning a thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::net::{UdpClient, UdpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = UdpServer::bind("127.0.0.1:0")?
    ///     .workers(2)
    ///     .spawn(|data: &[u8], peer| Some(format!("{} bytes from {peer}", data.len()).into_bytes()))?;
    ///
    /// let client = UdpClient::connect(server.local_addr())?;
    /// let reply = client.request(b"abc", Duration::from_secs(5))?;
    /// let me = client.local_addr()?.port();
    /// assert_eq!(String::from_utf8(reply).unwrap(), format!("3 bytes from 127.0.0.1:{me}"));
    /// # server.shutdown()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn spawn<H>(self, handler: H) -> io::Result<ServerHandle>
    where
        H: Fn(&[u8], SocketAddr) -> Option<Vec<u8>> + Send + Sync + 'static,
    {
        self.check()?;
        let counters = Arc::new(Counters::default());
        let loop_counters = Arc::clone(&counters);
        skeleton::spawn(
            format!("udp-server {}", self.local_addr),
            self.local_addr,
            counters,
            move |stop| self.run(Arc::new(handler), stop, loop_counters),
        )
    }

    /// Runs the server on the calling thread until `stop` is set, then
    /// shuts down as [`ServerHandle::shutdown`] does (`serve_forever`); the
    /// workers run on their own threads meanwhile.
    ///
    /// A handler kept in a variable needs its argument types written out, as
    /// [`spawn`](Self::spawn) says.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::StopEvent;
    /// use threaded::net::{UdpClient, UdpServer};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let server = UdpServer::bind("127.0.0.1:0")?;
    /// let addr = server.local_addr()?;
    /// let stop = StopEvent::new();
    ///
    /// let client_stop = stop.clone();
    /// let client = std::thread::spawn(move || -> std::io::Result<Vec<u8>> {
    ///     let reply = UdpClient::connect(addr)?.request(b"ping", Duration::from_secs(5));
    ///     client_stop.set();
    ///     reply
    /// });
    ///
    /// server.serve(|_data: &[u8], _peer| Some(b"pong".to_vec()), &stop)?;
    /// assert_eq!(client.join().unwrap()?, b"pong");
    /// # Ok(())
    /// # }
    /// ```
    pub fn serve<H>(self, handler: H, stop: &StopEvent) -> io::Result<()>
    where
        H: Fn(&[u8], SocketAddr) -> Option<Vec<u8>> + Send + Sync + 'static,
    {
        self.check()?;
        self.run(Arc::new(handler), stop, Arc::new(Counters::default()))
    }

    fn check(&self) -> io::Result<()> {
        if self.workers == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "workers(0) would never handle a datagram",
            ));
        }
        Ok(())
    }

    fn run(
        self,
        handler: Arc<Handler>,
        stop: &StopEvent,
        counters: Arc<Counters>,
    ) -> io::Result<()> {
        let addr = self.local_addr;
        let workers = self.workers;
        log::info!("udp server listening on {addr} with {workers} worker(s)");
        let socket = Arc::new(self.socket);
        let worker = Worker {
            socket: Arc::clone(&socket),
            addr,
            max_datagram: self.max_datagram,
            handler,
            counters,
            stop: stop.clone(),
        };
        let left = skeleton::run_loops(
            workers,
            |i| format!("udp {addr} #{i}"),
            move |_| worker.run(),
            stop,
            || socket::wake_recv(&socket, addr, workers),
            self.shutdown_grace,
        )?;
        if left > 0 {
            log::warn!(
                "udp server on {addr}: grace period over; leaving {left} busy worker(s) \
                 to finish their datagram on their own"
            );
        }
        log::info!("udp server on {addr} stopped");
        Ok(())
    }
}

/// What each worker thread needs: it receives, handles and replies.
struct Worker {
    socket: Arc<UdpSocket>,
    addr: SocketAddr,
    max_datagram: usize,
    handler: Arc<Handler>,
    counters: Arc<Counters>,
    stop: StopEvent,
}

impl Worker {
    fn run(&self) {
        // One more byte than allowed: a datagram that fills it was longer
        // than max_datagram, which recv_from would otherwise cut silently.
        // No UDP payload exceeds 65 535 bytes, so neither need the buffer.
        let mut buf = vec![0; self.max_datagram.min(MAX_UDP_PAYLOAD) + 1];
        let what = format!("udp server on {}: receive", self.addr);
        skeleton::receive_loop(
            &what,
            &self.stop,
            &mut buf,
            |buf| socket::recv_from(&self.socket, buf),
            |buf, (n, peer)| self.datagram(&buf[..n], peer),
        );
    }

    fn datagram(&self, data: &[u8], peer: SocketAddr) {
        if data.len() > self.max_datagram {
            self.counters.count_error();
            log::warn!(
                "dropped a datagram from {peer}: longer than max_datagram ({} bytes)",
                self.max_datagram
            );
            return;
        }
        self.counters.accepted.fetch_add(1, Ordering::Relaxed);
        self.counters.active.fetch_add(1, Ordering::Relaxed);
        answer(&*self.handler, &self.socket, data, peer, &self.counters);
        self.counters.active.fetch_sub(1, Ordering::Relaxed);
    }
}

fn answer(
    handler: &Handler,
    socket: &UdpSocket,
    data: &[u8],
    peer: SocketAddr,
    counters: &Counters,
) {
    match panic::catch_unwind(AssertUnwindSafe(|| handler(data, peer))) {
        Ok(Some(reply)) => {
            if let Err(e) = socket.send_to(&reply, peer) {
                counters.count_error();
                log::warn!("cannot send the reply to {peer}: {e}");
            }
        }
        Ok(None) => {}
        Err(payload) => {
            counters.count_error();
            log::error!(
                "handler for a datagram from {peer} panicked: {}",
                panic_message(&*payload)
            );
        }
    }
}

impl fmt::Debug for UdpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpServer")
            .field("local_addr", &self.local_addr)
            .field("workers", &self.workers)
            .field("max_datagram", &self.max_datagram)
            .field("shutdown_grace", &self.shutdown_grace)
            .finish_non_exhaustive()
    }
}
