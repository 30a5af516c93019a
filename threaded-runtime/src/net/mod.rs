//! TCP and UDP servers and clients: Python's `socket` and `socketserver`.
//!
//! A server is a handler — a closure — and one builder call; a client is one
//! `connect`. Both ends speak raw bytes, lines or length-prefixed frames.
//!
//! | Python | `threaded::net` |
//! |---|---|
//! | `socketserver.ThreadingTCPServer(addr, Handler)` | [`TcpServer::bind`] + [`TcpServer::spawn`] |
//! | `server.serve_forever()` | [`TcpServer::serve`] (until a [`StopEvent`](crate::StopEvent) is set) |
//! | `server.shutdown()`; `server.server_close()` | [`ServerHandle::shutdown`] |
//! | `BaseRequestHandler.handle(self)` | the handler closure, `Fn(TcpConnection) -> io::Result<()>` |
//! | `request.sendall(data)` / `request.recv(1024)` | [`TcpConnection::send`] / [`TcpConnection::recv`] |
//! | `rfile.readline()` / `wfile.write(line)` | [`TcpConnection::recv_line`] / [`TcpConnection::send_line`] |
//! | `self.rfile` / `self.wfile` as files (`for line in rfile`, `shutil.copyfileobj`) | [`TcpConnection`] as `io::BufRead` / `io::Write` (`lines()`, `io::copy`) |
//! | `socket.create_connection(addr)` | [`TcpConnection::connect`] |
//! | `socketserver.ThreadingUDPServer(addr, Handler)` | [`UdpServer::bind`] + [`UdpServer::spawn`] |
//! | `sock.sendto(data, addr)` + `sock.recvfrom(n)` | [`UdpClient::request`] |
//! | `sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)` | always on for TCP; UDP binds are exclusive ([`UdpServer::bind`]) |
//! | `server.serve_forever()` on a server thread | [`ServerHandle::wait`] |
//! | `sock.listen(n)` | [`TcpServer::backlog`] |
//!
//! # Examples
//!
//! The lecture's echo server and client, one thread per connection:
//!
//! ```
//! use threaded::net::{TcpConnection, TcpServer};
//!
//! # fn main() -> std::io::Result<()> {
//! let server = TcpServer::bind("127.0.0.1:0")?.spawn(|mut conn: TcpConnection| {
//!     let mut buf = [0; 1024];
//!     loop {
//!         let n = conn.recv(&mut buf)?;
//!         if n == 0 {
//!             return Ok(()); // the client closed the connection
//!         }
//!         conn.send(&buf[..n])?;
//!     }
//! })?;
//!
//! let mut client = TcpConnection::connect(server.local_addr())?;
//! client.send(b"Hello, world")?;
//! let mut buf = [0; 1024];
//! let n = client.recv(&mut buf)?;
//! assert_eq!(&buf[..n], b"Hello, world");
//!
//! drop(client);
//! server.shutdown()?;
//! # Ok(())
//! # }
//! ```
//!
//! # Addresses and options: std's signatures
//!
//! One rule holds across the module: a method that std's sockets also have
//! (`local_addr`, `peer_addr`, `set_read_timeout`, `set_write_timeout`,
//! `set_nodelay`) has the signature std gives it — it takes `&self` and
//! returns `io::Result` — even where the value is known and cannot fail
//! ([`TcpServer::local_addr`], read once at bind), so code moves between
//! `std::net` and `threaded::net` without edits. Methods std has no
//! counterpart for follow their own nature: [`ServerHandle::local_addr`]
//! returns a plain `SocketAddr` (a running server's address is known), and
//! the limits of a connection's own buffer
//! ([`TcpConnection::set_max_line`], [`set_message_timeout`](TcpConnection::set_message_timeout))
//! take `&mut self`, since they change the connection and not its socket.
//!
//! [`TcpConnection`] is also a std stream: `Read`, `Write` and `BufRead`
//! over the buffer its lines and frames use, so `recv_line` and
//! `read_to_end`, `lines()` or `io::copy` can take turns on one connection.
//!
//! # Limits a server sets for every connection
//!
//! [`TcpServer::max_line`], [`TcpServer::max_frame`] and
//! [`TcpServer::message_timeout`] bound what one client can cost: how much it
//! makes the handler buffer, and how long one line or frame may take once
//! it has begun — with [`TcpServer::read_timeout`] bounding the silence
//! before it. Any limit, `usize::MAX` and `Duration::MAX` included, is
//! accepted without overflow.
//!
//! # Logging
//!
//! Servers log through the [`log`](https://docs.rs/log) facade: the start and
//! the shutdown at `info`, each connection at `debug`, a handler's error at
//! `warn` and its panic at `error`, always with the peer's address.

mod handle;
mod skeleton;
mod socket;
mod tcp;
mod udp;

pub use handle::{ServerHandle, ServerStats};
pub use tcp::{TcpConnection, TcpServer};
pub use udp::{UdpClient, UdpServer};
