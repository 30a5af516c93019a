use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread;
use std::time::Duration;

use super::server::{Counters, ServerHandle, panic_message};
use super::socket;
use crate::{StopEvent, WorkQueue};

/// The largest UDP payload over IPv4: 65 535 minus the IP and UDP headers.
const DEFAULT_MAX_DATAGRAM: usize = 65_507;
/// The UDP length field's limit; IPv4 and IPv6 carry less.
const MAX_UDP_PAYLOAD: usize = 65_535;
/// socketserver's ThreadingUDPServer starts a thread per datagram, 3–5×
/// slower than one loop; a few workers keep a briefly blocking handler from
/// stalling the others without paying for a thread each time.
const DEFAULT_WORKERS: usize = 4;
const DEFAULT_GRACE: Duration = Duration::from_secs(5);
/// Datagrams received and not yet handled. When the workers fall this far
/// behind, the receive loop waits, and the kernel's buffer, then the kernel,
/// absorb or drop the excess, as UDP does; memory stays bounded.
const QUEUE_CAPACITY: usize = 1024;
const RECV_BACKOFF: Duration = Duration::from_millis(50);

type Handler = dyn Fn(&[u8], SocketAddr) -> Option<Vec<u8>> + Send + Sync;

/// A UDP server whose datagrams are handled by a pool of worker threads:
/// Python's `socketserver.ThreadingUDPServer`, with a fixed pool instead of
/// a thread per datagram.
///
/// One thread receives; each datagram goes through a [`WorkQueue`] to one of
/// the [`workers`](Self::workers). The handler gets the bytes and the
/// sender's address and returns `Some(reply)` to answer, `None` to stay
/// silent. A handler's panic is logged with the peer's address and counted
/// in [`ServerStats::errors`](super::ServerStats::errors); the worker goes on.
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
    /// Creates a UDP socket with `SO_REUSEADDR` and binds it to `addr`
    /// (`socket.bind`). Port 0 picks a free port;
    /// [`local_addr`](Self::local_addr) tells which.
    ///
    /// # Errors
    ///
    /// [`AddrInUse`](io::ErrorKind::AddrInUse),
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
            workers: DEFAULT_WORKERS,
            max_datagram: DEFAULT_MAX_DATAGRAM,
            shutdown_grace: DEFAULT_GRACE,
        })
    }

    /// How many threads run the handler (default 4).
    ///
    /// # Examples
    ///
    /// ```
    /// # use threaded::net::UdpServer;
    /// let server = UdpServer::bind("127.0.0.1:0").unwrap().workers(8);
    /// ```
    pub fn workers(mut self, workers: usize) -> UdpServer {
        self.workers = workers;
        self
    }

    /// The largest datagram handed to the handler, in bytes (default 65 507,
    /// the most IPv4 carries). A longer one is logged with its sender and
    /// dropped, and counted in [`ServerStats::errors`](super::ServerStats::errors):
    /// never passed on truncated.
    ///
    /// # Examples
    ///
    /// ```
    /// # use threaded::net::UdpServer;
    /// let server = UdpServer::bind("127.0.0.1:0").unwrap().max_datagram(1472);
    /// ```
    pub fn max_datagram(mut self, max: usize) -> UdpServer {
        self.max_datagram = max;
        self
    }

    /// How long a shutdown waits for the datagrams already received to be
    /// handled (default 5 s); those still queued after it are dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use threaded::net::UdpServer;
    /// let server = UdpServer::bind("127.0.0.1:0").unwrap()
    ///     .shutdown_grace(Duration::from_millis(500));
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
    /// # use threaded::net::UdpServer;
    /// let server = UdpServer::bind("127.0.0.1:0").unwrap();
    /// assert!(server.local_addr().unwrap().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local_addr)
    }

    /// Runs the receive loop and the workers on their own threads and
    /// returns the server's handle.
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
        let local_addr = self.local_addr;
        let counters = Arc::new(Counters::default());
        let stop = StopEvent::new();
        self.check()?;
        let loop_stop = stop.clone();
        let loop_counters = Arc::clone(&counters);
        let thread = thread::Builder::new()
            .name(format!("udp-server {local_addr}"))
            .spawn(move || self.run(Arc::new(handler), &loop_stop, loop_counters))?;
        Ok(ServerHandle::new(local_addr, stop, counters, thread))
    }

    /// Runs the receive loop on the calling thread until `stop` is set, then
    /// shuts down as [`ServerHandle::shutdown`] does.
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
        let socket = Arc::new(self.socket);
        log::info!(
            "udp server listening on {addr} with {} worker(s)",
            self.workers
        );

        let queue: WorkQueue<(Vec<u8>, SocketAddr)> = WorkQueue::bounded(QUEUE_CAPACITY);
        let workers = {
            let (socket, counters) = (Arc::clone(&socket), Arc::clone(&counters));
            queue.spawn_workers(self.workers, move |(data, peer)| {
                answer(&*handler, &socket, &data, peer, &counters);
                counters.active.fetch_sub(1, Ordering::Relaxed);
            })
        };
        // As for TCP: the stop event becomes a wake-up of the blocked
        // recv_from instead of a poll interval.
        let waker = {
            let (stop, socket, queue) = (stop.clone(), Arc::clone(&socket), queue.clone());
            thread::Builder::new()
                .name(format!("udp-stop {addr}"))
                .spawn(move || {
                    stop.wait();
                    // The receive loop may be blocked in put on a full queue, not in recv.
                    queue.shutdown();
                    socket::wake_recv(&socket, addr);
                })
        };
        let waker = match waker {
            Ok(waker) => waker,
            Err(e) => {
                queue.shutdown();
                return Err(e);
            }
        };

        // One more byte than allowed: a datagram that fills it was longer
        // than max_datagram, which recv_from would otherwise cut silently.
        // No UDP payload exceeds 65 535 bytes, so neither need the buffer.
        let mut buf = vec![0; self.max_datagram.min(MAX_UDP_PAYLOAD) + 1];
        loop {
            match socket.recv_from(&mut buf) {
                Ok(_) if stop.is_set() => break,
                Ok((n, peer)) if n > self.max_datagram => {
                    counters.count_error();
                    log::warn!(
                        "dropped a datagram from {peer}: longer than max_datagram ({} bytes)",
                        self.max_datagram
                    );
                }
                Ok((n, peer)) => {
                    counters.accepted.fetch_add(1, Ordering::Relaxed);
                    counters.active.fetch_add(1, Ordering::Relaxed);
                    if queue.put((buf[..n].to_vec(), peer)).is_err() {
                        // Only shutdown closes the queue, and it runs below.
                        counters.active.fetch_sub(1, Ordering::Relaxed);
                        break;
                    }
                }
                Err(_) if stop.is_set() => break,
                Err(e) => match e.kind() {
                    // An ICMP "port unreachable" for an earlier reply
                    // (Windows reports it here); nothing to do with us.
                    io::ErrorKind::Interrupted | io::ErrorKind::ConnectionReset => {}
                    _ => {
                        log::error!("udp server on {addr}: receive failed: {e}");
                        if stop.wait_timeout(RECV_BACKOFF) {
                            break;
                        }
                    }
                },
            }
        }
        let _ = waker.join();

        log::info!(
            "udp server on {addr} stopping, {} datagram(s) in flight",
            queue.len()
        );
        queue.shutdown();
        if queue.join_timeout(self.shutdown_grace) {
            for worker in workers {
                let _ = worker.join();
            }
        } else {
            let dropped = queue.len();
            queue.shutdown_now();
            counters.active.fetch_sub(dropped as u64, Ordering::Relaxed);
            log::warn!(
                "udp server on {addr}: grace period over; dropped {dropped} queued datagram(s), \
                 leaving the busy workers to finish on their own"
            );
        }
        log::info!("udp server on {addr} stopped");
        Ok(())
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
    /// # use threaded::net::UdpClient;
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
    /// # use threaded::net::UdpClient;
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
    /// # use std::io::ErrorKind;
    /// # use std::time::Duration;
    /// # use threaded::net::UdpClient;
    /// let client = UdpClient::connect("127.0.0.1:9").unwrap();
    /// client.set_read_timeout(Some(Duration::from_millis(10))).unwrap();
    /// let mut buf = [0; 16];
    /// assert!(client.recv(&mut buf).is_err()); // nobody answers
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
    /// # use std::time::Duration;
    /// # use threaded::net::UdpClient;
    /// let client = UdpClient::connect("127.0.0.1:9").unwrap();
    /// client.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    /// ```
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.socket.set_read_timeout(timeout)
    }

    /// Sends `data` and waits up to `timeout` for one reply.
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
        self.socket.set_read_timeout(Some(timeout))?;
        let result = self.send(data).and_then(|()| {
            let mut buf = vec![0; 65_536];
            let n = self.recv(&mut buf)?;
            buf.truncate(n);
            Ok(buf)
        });
        self.socket.set_read_timeout(previous)?;
        result
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
    /// # use threaded::net::UdpClient;
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
    /// # use threaded::net::UdpClient;
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
