//! UDP: a server whose workers each receive on its socket, and a client
//! connected to one server.

mod client;
mod server;

pub use client::UdpClient;
pub use server::UdpServer;
