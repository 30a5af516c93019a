//! Slide "NEM TODAS PORTAS ESTÃO LIVRES PARA USO!!" and `SO_REUSEADDR`.
//!
//! Python:
//!
//! ```python
//! sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
//! ```
//!
//! The problem the slide solves: when a TCP connection closes, the side that
//! closed first keeps it in the state `TIME_WAIT` for a while (60 s on
//! Linux), so late packets of the old connection cannot be mistaken for a
//! new one. For a server that closes its connections, each one leaves its
//! port "in use": restart the server and `bind` fails with "Address already
//! in use" for a minute. `SO_REUSEADDR` lets a new server bind the port
//! anyway. It does not let two servers listen on one port at once.
//!
//! This program walks through it, step by step, on one port:
//!
//! 1. a server listens;
//! 2. a second server on the same port is refused;
//! 3. a client connects and the server closes first, leaving `TIME_WAIT`;
//! 4. the server closes;
//! 5. a bare socket, without `SO_REUSEADDR`, cannot bind the port;
//! 6. `TcpServer::bind`, which always sets `SO_REUSEADDR`, can, at once;
//! 7. port `0` asks the OS for any free port.
//!
//! Usage: `12_reuse_address [ADDR]`, `ADDR` defaulting to `127.0.0.1:20000`
//! (pass another one if `10_tcp_server` is running there).
//!
//! What to notice:
//! - every socket of `threaded::net` sets `SO_REUSEADDR`: no `setsockopt`
//!   to remember. (Rust's own `std::net::TcpListener::bind` sets it too on
//!   Unix, so step 5 builds a bare socket with the `socket2` crate.);
//! - a failed `bind` is an `io::Error` you can match on (here we print
//!   it), not an exception that ends the program;
//! - ports below 1024 need special rights; port `0` is never taken, and
//!   `local_addr()` tells which port the OS gave.
//!
//! Run it: `cargo run --example 12_reuse_address`
//!
//! Em português: uma porta recém-fechada fica em `TIME_WAIT`, e sem
//! `SO_REUSEADDR` o `bind` falha. Todo socket de `threaded::net` já liga
//! essa opção, e a porta `0` pede ao sistema uma porta livre.

use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;

use socket2::{Domain, Protocol, Socket, Type};
use threaded::net::{TcpConnection, TcpServer};

const DEFAULT_ADDR: &str = "127.0.0.1:20000";

/// A TCP socket bound to `addr` *without* `SO_REUSEADDR`: the lecture's
/// server before its `setsockopt` slide.
fn bind_without_reuse(addr: SocketAddr) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.bind(&addr.into())?;
    Ok(socket)
}

/// Errors (a busy port, a bad address) are printed as one line for a person, not the
/// `Custom { kind: .. }` dump that `fn main() -> io::Result<()>` would show.
fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("12_reuse_address: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| DEFAULT_ADDR.to_owned());

    // 1. A server whose handler says goodbye and returns: the connection is
    //    closed by the server first, so the server's side gets the TIME_WAIT.
    let server =
        TcpServer::bind(&addr)?.spawn(|mut conn: TcpConnection| conn.send_line("tchau"))?;
    let addr = server.local_addr();
    println!("1. server listening on {addr}");

    // 2. SO_REUSEADDR is not sharing: the port has a listener already.
    match TcpServer::bind(addr) {
        Err(e) => println!("2. a second server on {addr}: refused ({e})"),
        Ok(_) => println!("2. a second server on {addr}: bound (this system allows it)"),
    }

    // 3. A client reads the goodbye, then the end of the stream: the server
    //    has closed its side. Dropping the client closes ours.
    let mut client = TcpConnection::connect(addr)?;
    let goodbye = client.recv_line()?.unwrap_or_default();
    let server_closed = client.recv_line()?.is_none();
    let client_addr = client.local_addr()?;
    drop(client);
    println!(
        "3. client {client_addr} got {goodbye:?}; server closed first: {server_closed}; \
         the server's side of that connection now waits in TIME_WAIT"
    );

    // 4. Stop the server: its listening socket closes.
    server.shutdown()?;
    println!("4. server closed");

    // 5. Restart it the naive way: the TIME_WAIT connection still holds the port.
    match bind_without_reuse(addr) {
        Err(e) => println!("5. bind({addr}) without SO_REUSEADDR: failed ({e})"),
        Ok(_) => println!("5. bind({addr}) without SO_REUSEADDR: bound (no TIME_WAIT here)"),
    }

    // 6. With SO_REUSEADDR, as TcpServer::bind always does: at once.
    let again = TcpServer::bind(addr)?;
    println!(
        "6. TcpServer::bind({addr}) with SO_REUSEADDR: listening again on {}",
        again.local_addr()?
    );
    drop(again);

    // 7. Port 0: "any free port, please".
    let any = TcpServer::bind((addr.ip(), 0))?;
    println!(
        "7. TcpServer::bind(({}, 0)): the OS chose {}",
        addr.ip(),
        any.local_addr()?
    );
    Ok(())
}
