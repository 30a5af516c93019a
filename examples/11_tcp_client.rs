//! Slide "Socket Cliente": the TCP client.
//!
//! Python (the slide's, with `127.0.0.1` for its `172.0.0.1`):
//!
//! ```python
//! HOST, PORT = 172.0.0.1, 20000
//! tcp_client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
//! tcp_client_socket.connect((HOST, PORT))
//! tcp_client_socket.send('Hello, world')
//! data = tcp_client_socket.recv(1024)
//! tcp_client_socket.close()
//! print 'Received', repr(data)
//! ```
//!
//! Usage: `11_tcp_client [ADDR]`, `ADDR` defaulting to `127.0.0.1:20000`
//! (start `10_tcp_server` first).
//!
//! What to notice:
//! - TCP is a stream of bytes, not of messages: one `recv(1024)` may return
//!   only part of what the server sent. So after sending, the client closes
//!   its writing side (`shutdown_write`), the server's loop sees the end and
//!   closes too, and the client reads until that end (`recv` returns 0);
//! - `send` sends every byte (Python's `sendall`); the slide's `send` may
//!   send only some of them and says how many;
//! - `connect` fails with a clear error when no server listens there.
//!
//! Run it: `cargo run --example 11_tcp_client` (with `10_tcp_server` running).
//!
//! Em português: o cliente TCP da aula. Conecta ao `10_tcp_server`, envia
//! `Hello, world`, fecha o seu lado da escrita e lê a resposta até o fim.
//! Sem servidor, termina com uma mensagem de erro legível, sem traceback.

use std::io;
use std::process::ExitCode;

use threaded::net::TcpConnection;

const DEFAULT_ADDR: &str = "127.0.0.1:20000";

/// Errors are printed for a person (`Display`), not as `Debug`'s
/// `Custom { kind: .. }` dump that `fn main() -> io::Result<()>` would show.
fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("11_tcp_client: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| DEFAULT_ADDR.to_owned());

    let mut conn = TcpConnection::connect(&addr).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot connect to {addr} ({e}): is 10_tcp_server running there?"),
        )
    })?;
    println!("Connected to {addr} from {}", conn.local_addr()?);

    conn.send(b"Hello, world")?;
    conn.shutdown_write()?; // "nothing more from me"

    let mut data = Vec::new();
    let mut buf = [0; 1024];
    loop {
        let n = conn.recv(&mut buf)?;
        if n == 0 {
            break; // the server closed the connection
        }
        data.extend_from_slice(&buf[..n]);
    }
    println!("Received '{}'", String::from_utf8_lossy(&data));
    Ok(()) // `conn` is dropped here: `tcp_client_socket.close()`
}
