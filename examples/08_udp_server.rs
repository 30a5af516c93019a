//! Slide "Socket Servidor": the UDP server.
//!
//! Python (the slide's, with its slips: `172.0.0.1` is meant to be
//! `127.0.0.1`, and `addr` and `buf` are never defined):
//!
//! ```python
//! HOST, PORT = 172.0.0.1, 20000
//! udp_server_sock = socket(AF_INET, SOCK_DGRAM)
//! udp_server_sock.bind(addr)
//! while 1:
//!     data, addr = udp_server_sock.recvfrom(buf)
//!     if not data: break
//!     print "\nReceived message '", data, "'"
//! udp_server_sock.close()
//! ```
//!
//! `UdpServer::bind(...).spawn(handler)` is that loop on a thread of its own;
//! the handler gets each datagram and the sender's address, and returns
//! `Some(reply)` to answer (here: the same bytes, an echo) or `None`.
//!
//! Usage: `08_udp_server [ADDR] [--seconds N]`, `ADDR` defaulting to
//! `127.0.0.1:20000`. The server stops on Ctrl-C, after `N` seconds if
//! given, or when a client sends an empty datagram, the lecture's
//! `if not data: break` (`09_udp_client --stop` does).
//!
//! What to notice:
//! - the handler runs on several worker threads at once, so whatever it
//!   touches must be safe to share: the compiler checks that it is
//!   `Send + Sync`. Here it only holds a clone of the `StopEvent`;
//! - Ctrl-C does not kill the process mid-way: `stop_on_ctrl_c` turns it into
//!   a `StopEvent`, and `shutdown()` lets the datagrams in hand be answered
//!   before the socket closes;
//! - the data is bytes (`&[u8]`), not text: Python 2 hid the difference,
//!   Python 3 and Rust do not. We decode it for printing only.
//!
//! Run it: `cargo run --example 08_udp_server`, then in another terminal
//! `cargo run --example 09_udp_client`.
//!
//! Em português: o servidor UDP da aula, que ecoa cada mensagem recebida.
//! Ele para com Ctrl-C, depois de `--seconds N`, ou quando um cliente manda
//! uma mensagem vazia (`09_udp_client --stop`). Rode-o num terminal e o
//! cliente em outro.

use std::io;
use std::process::ExitCode;
use std::time::Duration;

use threaded::StopEvent;
use threaded::logging::basic_config;
use threaded::net::UdpServer;
use threaded::signal::stop_on_ctrl_c;

const DEFAULT_ADDR: &str = "127.0.0.1:20000";

/// Errors (a busy port, a bad address) are printed as one line for a person, not the
/// `Custom { kind: .. }` dump that `fn main() -> io::Result<()>` would show.
fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("08_udp_server: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> io::Result<()> {
    // Warnings and errors of the server (a failed reply, a panicking
    // handler) go to stderr.
    basic_config().init().expect("logging was already set up");
    let (addr, limit) = parse_args()?;

    let stop = StopEvent::new();
    stop_on_ctrl_c(&stop)?;

    let client_said_stop = stop.clone();
    let server = UdpServer::bind(&addr)?.spawn(move |data: &[u8], peer| {
        if data.is_empty() {
            // The lecture's `if not data: break`.
            println!("Empty message from {peer}: stopping");
            client_said_stop.set();
            return None;
        }
        println!(
            "Received message '{}' from {peer}",
            String::from_utf8_lossy(data)
        );
        Some(data.to_vec()) // the echo
    })?;
    println!("Listening on {} (UDP)", server.local_addr());

    // The main thread has nothing else to do: it waits for a reason to stop.
    let asked = match limit {
        Some(limit) => stop.wait_timeout(limit),
        None => {
            stop.wait();
            true
        }
    };
    if !asked {
        println!("Time is up");
    }
    server.shutdown()?;
    println!("Server stopped");
    Ok(())
}

/// `[ADDR] [--seconds N]`.
fn parse_args() -> io::Result<(String, Option<Duration>)> {
    let usage = |why: &str| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{why}; usage: 08_udp_server [ADDR] [--seconds N]"),
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
