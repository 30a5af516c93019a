//! TCP: the server (accept loop, one thread per connection), the connection
//! both ends use, the registry of live connections, and the line and frame
//! decoding over its read buffer.

mod accept;
mod connection;
mod framing;
mod registry;
mod server;
mod stream;

pub use connection::TcpConnection;
pub use server::TcpServer;
