//! Slide "Socket Cliente": the UDP client.
//!
//! Python (the slide's: its `while (1)` sends `"TEST"` for ever, and never
//! reads a reply):
//!
//! ```python
//! HOST, PORT = 172.0.0.1, 20000
//! udp_client_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
//! while (1):
//!     data = "TEST"
//!     if not data: break
//!     else:
//!         if(udp_client_socket.sendto(data, (HOST, PORT))):
//!             print "Sending message"
//! udp_client_socket.close()
//! ```
//!
//! Here the client sends three messages to `08_udp_server`, waits for each
//! echo and prints it. With `--stop` it then sends an empty datagram, which
//! tells the server to stop (the server's `if not data: break`).
//!
//! Usage: `09_udp_client [ADDR] [--stop]`, `ADDR` defaulting to
//! `127.0.0.1:20000`.
//!
//! What to notice:
//! - UDP has no connection and no delivery guarantee: a reply may never
//!   come. `request` waits for one with a timeout instead of blocking for
//!   ever as a bare `recvfrom` would;
//! - "Olá" is sent as its UTF-8 bytes; the echo is decoded back to text;
//! - errors are values: with no server there, the program ends with a
//!   message saying so, instead of a traceback.
//!
//! Run it: `cargo run --example 09_udp_client` (with `08_udp_server` running).
//!
//! Em português: o cliente UDP da aula, que envia três mensagens ao
//! `08_udp_server` e espera cada resposta (UDP pode perder pacotes, por isso
//! `request` tem um tempo limite). Sem servidor, ele termina com uma
//! mensagem de erro legível. Com `--stop`, envia uma mensagem vazia e o
//! servidor para.

use std::io;
use std::process::ExitCode;
use std::time::Duration;

use threaded::net::UdpClient;

const DEFAULT_ADDR: &str = "127.0.0.1:20000";
const MESSAGES: [&str; 3] = ["TEST", "Olá, servidor", "tchau"];

/// Errors are printed for a person (`Display`), not as `Debug`'s
/// `Custom { kind: .. }` dump that `fn main() -> io::Result<()>` would show.
fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("09_udp_client: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> io::Result<()> {
    let (addr, stop_server) = parse_args()?;

    let client = UdpClient::connect(&addr)?;
    println!("Sending from {} to {addr}", client.local_addr()?);
    for message in MESSAGES {
        println!("Sending message '{message}'");
        let reply = client
            .request(message.as_bytes(), Duration::from_secs(5))
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("no reply from {addr} ({e}): is 08_udp_server running there?"),
                )
            })?;
        println!("Received '{}'", String::from_utf8_lossy(&reply));
    }

    if stop_server {
        client.send(&[])?;
        println!("Sent an empty message: the server stops");
    }
    Ok(())
}

/// `[ADDR] [--stop]`.
fn parse_args() -> io::Result<(String, bool)> {
    let mut addr = DEFAULT_ADDR.to_owned();
    let mut stop_server = false;
    for arg in std::env::args().skip(1) {
        if arg == "--stop" {
            stop_server = true;
        } else if arg.starts_with("--") {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unknown option {arg}; usage: 09_udp_client [ADDR] [--stop]"),
            ));
        } else {
            addr = arg;
        }
    }
    Ok((addr, stop_server))
}
