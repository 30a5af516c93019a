//! Slide "Socket Servidor": the TCP server.
//!
//! Python (the slide's: `172.0.0.1` is meant to be `127.0.0.1`, and it
//! serves one connection, then ends):
//!
//! ```python
//! HOST, PORT = 172.0.0.1, 20000
//! tcp_server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
//! tcp_server_socket.bind((HOST, PORT))
//! tcp_server_socket.listen(1)
//! conn, addr = tcp_server_socket.accept()
//! print 'Connected by', addr
//! while 1:
//!     data = conn.recv(1024)
//!     if not data: break
//!     print "\nReceived message '", data,'"
//! conn.close()
//! ```
//!
//! `TcpServer::bind(...).spawn(handler)` is `bind`, `listen` and an
//! `accept` loop that runs the handler on a new thread for each connection
//! (Python's `socketserver.ThreadingTCPServer`), so many clients are served
//! at once. The handler is the slide's `while 1` loop, and echoes what it
//! receives.
//!
//! Usage: `10_tcp_server [ADDR] [--seconds N]`, `ADDR` defaulting to
//! `127.0.0.1:20000`. The server stops on Ctrl-C (or `SIGTERM`), or after
//! `N` seconds if given.
//!
//! What to notice:
//! - each connection has its own thread, named after the client's address;
//!   the connection (`TcpConnection`) is *moved* into it, so no other thread
//!   can read from it by mistake;
//! - `?` inside the handler: a failed `recv` or `send` ends this connection
//!   only, and is logged; the server goes on;
//! - the socket closes when `conn` goes out of scope: no `conn.close()` to
//!   forget, also when the handler returns early with an error.
//!
//! Run it: `cargo run --example 10_tcp_server`, then in another terminal
//! `cargo run --example 11_tcp_client`.
//!
//! Em português: o servidor TCP da aula, com uma thread por conexão, que
//! ecoa o que recebe. Ele para com Ctrl-C ou depois de `--seconds N`. Rode-o
//! num terminal e o `11_tcp_client` em outro; rode vários clientes ao mesmo
//! tempo.

use std::io;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use threaded::StopEvent;
use threaded::logging::basic_config;
use threaded::net::{TcpConnection, TcpServer};
use threaded::signal::stop_on_ctrl_c;

const DEFAULT_ADDR: &str = "127.0.0.1:20000";

/// One connection, on its own thread: the slide's loop, with an echo.
fn handle(mut conn: TcpConnection) -> io::Result<()> {
    let peer = conn.peer_addr()?;
    let thread = thread::current();
    println!(
        "Connected by {peer} (thread '{}')",
        thread.name().unwrap_or("<unnamed>")
    );
    let mut buf = [0; 1024];
    loop {
        let n = conn.recv(&mut buf)?;
        if n == 0 {
            break; // `if not data: break`: the client closed its side
        }
        println!(
            "Received message '{}' from {peer}",
            String::from_utf8_lossy(&buf[..n])
        );
        conn.send(&buf[..n])?;
    }
    println!("Connection from {peer} closed");
    Ok(()) // `conn` is dropped here: the socket closes
}

/// Errors (a busy port, a bad address) are printed as one line for a person, not the
/// `Custom { kind: .. }` dump that `fn main() -> io::Result<()>` would show.
fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("10_tcp_server: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> io::Result<()> {
    // Warnings and errors of the server (a failed connection) go to stderr.
    basic_config().init().expect("logging was already set up");
    let (addr, limit) = parse_args()?;

    let stop = StopEvent::new();
    stop_on_ctrl_c(&stop)?;

    // `bind` sets SO_REUSEADDR and listens: clients can connect from here on.
    let server = TcpServer::bind(&addr)?.backlog(5).spawn(handle)?;
    println!("Listening on {} (TCP)", server.local_addr());

    // The main thread has nothing else to do: it waits for a reason to stop.
    let asked = match limit {
        Some(limit) => stop.wait_timeout(limit),
        None => {
            stop.wait();
            true
        }
    };
    println!("{}", if asked { "Stopping" } else { "Time is up" });
    // Stops accepting, and gives the connections in hand time to finish.
    server.shutdown()?;
    println!("Server stopped");
    Ok(())
}

/// `[ADDR] [--seconds N]`.
fn parse_args() -> io::Result<(String, Option<Duration>)> {
    let usage = |why: &str| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{why}; usage: 10_tcp_server [ADDR] [--seconds N]"),
        )
    };
    let mut addr = DEFAULT_ADDR.to_owned();
    let mut limit = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--seconds" {
            let seconds: u64 = args
                .next()
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| usage("--seconds takes a whole number"))?;
            limit = Some(Duration::from_secs(seconds));
        } else if arg.starts_with("--") {
            return Err(usage(&format!("unknown option {arg}")));
        } else {
            addr = arg;
        }
    }
    Ok((addr, limit))
}
