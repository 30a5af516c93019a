//! TCP and UDP echo: `threaded::net` against a hand-written `std::net`
//! server, CPython's `socketserver` and a tokio server, all driven by the
//! same Rust client; and the latency of an idle shutdown.
//!
//! `cargo bench --bench net` prints markdown tables (about a minute and a
//! half). Each run drives one server with 1, 8 and 32 client threads, each
//! on its own connection (or UDP socket), sending 32 bytes and waiting for
//! the echo, for `NET_BENCH_SECS` seconds (default 3). Latency is per round
//! trip, over all clients.
//!
//! Needs `python3` for the CPython rows; they are skipped without it.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use threaded::net::ServerHandle;

mod echo;
use echo::{tcp_client, tcp_round_trip, udp_client, udp_round_trip};

const CLIENTS: [usize; 3] = [1, 8, 32];
const WARMUP_ROUND_TRIPS: usize = 100;

fn duration() -> Duration {
    let secs = std::env::var("NET_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    Duration::from_secs_f64(secs)
}

struct Measure {
    round_trips_per_sec: f64,
    p50: Duration,
    p99: Duration,
    lost: u64,
}

fn summarize(mut latencies: Vec<u64>, elapsed: Duration, lost: u64) -> Measure {
    latencies.sort_unstable();
    let at = |q: f64| {
        let i = ((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1));
        Duration::from_nanos(latencies.get(i).copied().unwrap_or(0))
    };
    Measure {
        round_trips_per_sec: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
        lost,
    }
}

/// Runs `clients` threads, each calling `round_trip` until the time is up;
/// `round_trip` returns `false` for a lost request.
fn drive<C: Send + 'static>(
    clients: usize,
    connect: impl Fn() -> C,
    round_trip: fn(&mut C) -> bool,
) -> Measure {
    let run_for = duration();
    let barrier = Arc::new(Barrier::new(clients + 1));
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let mut conn = connect();
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                for _ in 0..WARMUP_ROUND_TRIPS {
                    round_trip(&mut conn);
                }
                let mut latencies = Vec::with_capacity(1 << 16);
                let mut lost = 0;
                barrier.wait();
                let deadline = Instant::now() + run_for;
                loop {
                    let start = Instant::now();
                    if start >= deadline {
                        break;
                    }
                    if round_trip(&mut conn) {
                        latencies.push(start.elapsed().as_nanos() as u64);
                    } else {
                        lost += 1;
                    }
                }
                (latencies, lost)
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    let mut all = Vec::new();
    let mut lost = 0;
    for worker in workers {
        let (latencies, l) = worker.join().unwrap();
        all.extend(latencies);
        lost += l;
    }
    summarize(all, start.elapsed(), lost)
}

/// A running server under test; stopped when dropped.
enum Server {
    Threaded(Option<ServerHandle>),
    Std(Arc<AtomicBool>, SocketAddr, Option<thread::JoinHandle<()>>),
    Tokio(Option<tokio::runtime::Runtime>),
    Python(Child),
}

impl Drop for Server {
    fn drop(&mut self) {
        match self {
            Server::Threaded(handle) => handle.take().unwrap().shutdown().unwrap(),
            Server::Std(stop, addr, thread) => {
                stop.store(true, Ordering::SeqCst);
                // Wake the blocked accept or recv_from.
                let _ = TcpStream::connect(*addr);
                let _ = UdpSocket::bind("127.0.0.1:0").and_then(|s| s.send_to(&[], *addr));
                thread.take().unwrap().join().unwrap();
            }
            Server::Tokio(rt) => rt.take().unwrap().shutdown_background(),
            Server::Python(child) => {
                drop(child.stdin.take()); // the script serves until stdin closes
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

fn threaded_tcp() -> (Server, SocketAddr) {
    let handle = echo::threaded_tcp();
    let addr = handle.local_addr();
    (Server::Threaded(Some(handle)), addr)
}

/// The thread-per-connection server a student writes with std alone.
fn std_tcp() -> (Server, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let accept_stop = Arc::clone(&stop);
    let thread = thread::spawn(move || {
        for stream in listener.incoming() {
            if accept_stop.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            stream.set_nodelay(true).unwrap();
            thread::spawn(move || echo::echo_connection(stream));
        }
    });
    (Server::Std(stop, addr, Some(thread)), addr)
}

fn tokio_tcp() -> (Server, SocketAddr) {
    let (rt, addr) = echo::tokio_tcp();
    (Server::Tokio(Some(rt)), addr)
}

fn python_script() -> String {
    format!(
        "{}/benches/python/socketserver_echo.py",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn python(mode: &str) -> Option<(Server, SocketAddr)> {
    let mut child = Command::new("python3")
        .arg(python_script())
        .arg(mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().parse().ok()?;
    Some((
        Server::Python(child),
        SocketAddr::from(([127, 0, 0, 1], port)),
    ))
}

fn threaded_udp() -> (Server, SocketAddr) {
    let handle = echo::threaded_udp(None);
    let addr = handle.local_addr();
    (Server::Threaded(Some(handle)), addr)
}

/// One thread, recv_from then send_to: the lecture's UDP server, echoing.
fn std_udp() -> (Server, SocketAddr) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let loop_stop = Arc::clone(&stop);
    let thread = thread::spawn(move || {
        let mut buf = [0; 65_536];
        while let Ok((n, peer)) = socket.recv_from(&mut buf) {
            if loop_stop.load(Ordering::SeqCst) {
                break;
            }
            let _ = socket.send_to(&buf[..n], peer);
        }
    });
    (Server::Std(stop, addr, Some(thread)), addr)
}

fn row(name: &str, clients: usize, m: &Measure, reference: Option<f64>) {
    let ratio = reference.map_or("—".to_owned(), |r| {
        format!("{:.2}", m.round_trips_per_sec / r)
    });
    let lost = if m.lost > 0 {
        format!(" ({} lost)", m.lost)
    } else {
        String::new()
    };
    println!(
        "| {name} | {clients} | {:.0}{lost} | {:.3} | {:.3} | {ratio} |",
        m.round_trips_per_sec,
        m.p50.as_secs_f64() * 1e3,
        m.p99.as_secs_f64() * 1e3,
    );
}

fn tcp_table() {
    println!("\n### TCP echo (32-byte round trips)\n");
    println!("| server | clients | round trips/s | p50 ms | p99 ms | ratio to std |");
    println!("|---|---|---|---|---|---|");
    type Start = fn() -> Option<(Server, SocketAddr)>;
    let servers: [(&str, Start); 4] = [
        ("std thread-per-connection (by hand)", || Some(std_tcp())),
        ("threaded::net::TcpServer", || Some(threaded_tcp())),
        ("tokio (multi-thread runtime)", || Some(tokio_tcp())),
        ("CPython ThreadingTCPServer", || python("tcp")),
    ];
    for clients in CLIENTS {
        let mut reference = None;
        for (name, start) in servers {
            let Some((server, addr)) = start() else {
                println!("| {name} | {clients} | skipped: no python3 | | | |");
                continue;
            };
            let m = drive(clients, || tcp_client(addr), tcp_round_trip);
            drop(server);
            row(name, clients, &m, reference);
            reference.get_or_insert(m.round_trips_per_sec);
        }
    }
}

fn udp_table() {
    println!("\n### UDP echo (32-byte datagrams)\n");
    println!("| server | clients | round trips/s | p50 ms | p99 ms | ratio to std |");
    println!("|---|---|---|---|---|---|");
    type Start = fn() -> Option<(Server, SocketAddr)>;
    let servers: [(&str, Start); 3] = [
        ("std single-thread loop (by hand)", || Some(std_udp())),
        ("threaded::net::UdpServer (default workers)", || {
            Some(threaded_udp())
        }),
        ("CPython ThreadingUDPServer", || python("udp")),
    ];
    for clients in CLIENTS {
        let mut reference = None;
        for (name, start) in servers {
            let Some((server, addr)) = start() else {
                println!("| {name} | {clients} | skipped: no python3 | | | |");
                continue;
            };
            let m = drive(clients, || udp_client(addr), udp_round_trip);
            drop(server);
            row(name, clients, &m, reference);
            reference.get_or_insert(m.round_trips_per_sec);
        }
    }
}

fn median_and_max(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    (samples[samples.len() / 2], samples[samples.len() - 1])
}

fn shutdown_table() {
    const RUNS: usize = 20;
    println!("\n### Idle shutdown\n");
    println!("| server | runs | median | max |");
    println!("|---|---|---|---|");
    let ms = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1e3);

    let mut tcp = Vec::new();
    let mut udp = Vec::new();
    for _ in 0..RUNS {
        let handle = echo::threaded_tcp();
        // Serve once, then idle, so the accept loop surely blocks in accept().
        tcp_round_trip(&mut tcp_client(handle.local_addr()));
        thread::sleep(Duration::from_millis(10));
        let start = Instant::now();
        handle.shutdown().unwrap();
        tcp.push(start.elapsed());

        let handle = echo::threaded_udp(None);
        udp_round_trip(&mut udp_client(handle.local_addr()));
        thread::sleep(Duration::from_millis(10));
        let start = Instant::now();
        handle.shutdown().unwrap();
        udp.push(start.elapsed());
    }
    let (median, max) = median_and_max(tcp);
    println!(
        "| threaded::net::TcpServer | {RUNS} | {} | {} |",
        ms(median),
        ms(max)
    );
    let (median, max) = median_and_max(udp);
    println!(
        "| threaded::net::UdpServer | {RUNS} | {} | {} |",
        ms(median),
        ms(max)
    );

    let out = Command::new("python3")
        .arg(python_script())
        .args(["shutdown", "10"])
        .output();
    match out {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let mut parts = text.split_whitespace().map(|s| s.parse::<f64>().unwrap());
            let (median, max) = (parts.next().unwrap(), parts.next().unwrap());
            println!(
                "| CPython socketserver `shutdown()` | 10 | {:.3} ms | {:.3} ms |",
                median * 1e3,
                max * 1e3
            );
        }
        _ => println!("| CPython socketserver `shutdown()` | skipped: no python3 | | |"),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing
    // and only wants to know the binary runs.
    if !std::env::args().any(|a| a == "--bench") {
        println!("benches/net: run with `cargo bench --bench net`");
        return;
    }
    println!("NET_BENCH_SECS={:?} per row", duration());
    tcp_table();
    udp_table();
    shutdown_table();
}
