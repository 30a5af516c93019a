//! Echo servers measured by their own CPU: each server runs in its own
//! process, this process is the client, and the server's CPU time per round
//! trip comes from its `/proc/PID/stat` (utime + stime, read right before and
//! right after the timed window).
//!
//! `benches/net.rs` runs client and server in one process on the same cores,
//! so the client's cost caps every ratio there; here the server's own cost
//! shows, however busy the client keeps the machine.
//!
//! `cargo bench --bench net_process` prints markdown tables (about two
//! minutes). For 8 and 32 client threads, each on its own connection (or UDP
//! socket) sending 32 bytes and waiting for the echo, every server is
//! measured `NET_PROCESS_REPS` times (default 5), interleaved (server A, B,
//! …, then A again), for `NET_PROCESS_SECS` seconds each (default 1). Ratios
//! are taken per repetition against the std server of the same protocol
//! measured in that repetition, then the median is reported, so a burst of
//! load from elsewhere moves both sides of a ratio alike.
//!
//! Linux only (it reads `/proc`). Needs `python3` for the CPython rows;
//! they are skipped without it. Criterion measures the calling process,
//! which is why this bench prints its own table instead.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

mod echo;

const CLIENTS: [usize; 2] = [8, 32];
const WARMUP_ROUND_TRIPS: usize = 50;
/// The environment variable that turns this binary into one of the servers.
const SERVER_ENV: &str = "NET_PROCESS_SERVER";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

// ---- the servers, each in a process of its own ----

/// Serves until stdin closes: the bench ends a server by dropping its pipe.
fn serve_until_stdin_closes(port: u16) -> ! {
    println!("{port}");
    std::io::stdout().flush().unwrap();
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    std::process::exit(0);
}

fn threaded_tcp_server() -> ! {
    let server = echo::threaded_tcp();
    serve_until_stdin_closes(server.local_addr().port())
}

/// The thread-per-connection server a student writes with std alone.
fn std_tcp_server() -> ! {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            stream.set_nodelay(true).unwrap();
            thread::spawn(move || echo::echo_connection(stream));
        }
    });
    serve_until_stdin_closes(port)
}

fn tokio_tcp_server() -> ! {
    // `_rt` lives until serve_until_stdin_closes ends the process.
    let (_rt, addr) = echo::tokio_tcp();
    serve_until_stdin_closes(addr.port())
}

fn threaded_udp_server(workers: Option<usize>) -> ! {
    let server = echo::threaded_udp(workers);
    serve_until_stdin_closes(server.local_addr().port())
}

/// One thread, recv_from then send_to: the lecture's UDP server, echoing.
fn std_udp_server() -> ! {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    thread::spawn(move || {
        let mut buf = [0; 65_536];
        while let Ok((n, peer)) = socket.recv_from(&mut buf) {
            let _ = socket.send_to(&buf[..n], peer);
        }
    });
    serve_until_stdin_closes(port)
}

fn run_server(kind: &str) -> ! {
    match kind {
        "threaded-tcp" => threaded_tcp_server(),
        "std-tcp" => std_tcp_server(),
        "tokio-tcp" => tokio_tcp_server(),
        "threaded-udp" => threaded_udp_server(None),
        "threaded-udp-1" => threaded_udp_server(Some(1)),
        "threaded-udp-4" => threaded_udp_server(Some(4)),
        "std-udp" => std_udp_server(),
        other => panic!("unknown server {other}"),
    }
}

// ---- the client side ----

#[derive(Clone, Copy, PartialEq)]
enum Proto {
    Tcp,
    Udp,
}

struct Spec {
    name: &'static str,
    proto: Proto,
    /// This binary's server kind, or `None` for CPython.
    kind: Option<&'static str>,
    python_mode: &'static str,
}

const SPECS: [Spec; 10] = [
    Spec {
        name: "std thread-per-connection (by hand)",
        proto: Proto::Tcp,
        kind: Some("std-tcp"),
        python_mode: "",
    },
    Spec {
        name: "`threaded::net::TcpServer`",
        proto: Proto::Tcp,
        kind: Some("threaded-tcp"),
        python_mode: "",
    },
    Spec {
        name: "tokio (multi-thread runtime)",
        proto: Proto::Tcp,
        kind: Some("tokio-tcp"),
        python_mode: "",
    },
    Spec {
        name: "CPython `ThreadingTCPServer`",
        proto: Proto::Tcp,
        kind: None,
        python_mode: "tcp",
    },
    Spec {
        name: "std single-thread loop (by hand)",
        proto: Proto::Udp,
        kind: Some("std-udp"),
        python_mode: "",
    },
    Spec {
        name: "`threaded::net::UdpServer` (default workers)",
        proto: Proto::Udp,
        kind: Some("threaded-udp"),
        python_mode: "",
    },
    Spec {
        name: "`UdpServer` with `workers(4)`",
        proto: Proto::Udp,
        kind: Some("threaded-udp-4"),
        python_mode: "",
    },
    Spec {
        name: "`UdpServer` with `workers(1)`",
        proto: Proto::Udp,
        kind: Some("threaded-udp-1"),
        python_mode: "",
    },
    Spec {
        name: "CPython `ThreadingUDPServer`",
        proto: Proto::Udp,
        kind: None,
        python_mode: "udp",
    },
    Spec {
        name: "CPython `UDPServer` (one thread)",
        proto: Proto::Udp,
        kind: None,
        python_mode: "udp1",
    },
];

/// A server process; ended when dropped.
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
}

impl ServerProcess {
    fn start(spec: &Spec) -> Option<ServerProcess> {
        let mut command = match spec.kind {
            Some(kind) => {
                let mut c = Command::new(std::env::current_exe().ok()?);
                c.env(SERVER_ENV, kind);
                c
            }
            None => {
                let mut c = Command::new("python3");
                c.arg(format!(
                    "{}/benches/python/socketserver_echo.py",
                    env!("CARGO_MANIFEST_DIR")
                ))
                .arg(spec.python_mode);
                c
            }
        };
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .ok()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take()?)
            .read_line(&mut line)
            .ok()?;
        let port: u16 = line.trim().parse().ok()?;
        Some(ServerProcess {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        })
    }

    /// utime + stime of the whole process (every thread, the ended ones
    /// too), in clock ticks.
    fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        // The command name, field 2, may hold spaces: count from its ')'.
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = after.split_whitespace().collect();
        // Fields 14 and 15 of the man page; `after` starts at field 3.
        fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn clock_ticks_per_sec() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

enum Client {
    Tcp(TcpStream),
    Udp(UdpSocket),
}

impl Client {
    fn connect(proto: Proto, addr: SocketAddr) -> Client {
        match proto {
            Proto::Tcp => Client::Tcp(echo::tcp_client(addr)),
            Proto::Udp => Client::Udp(echo::udp_client(addr)),
        }
    }

    /// One echo; `false` if the UDP reply was lost.
    fn round_trip(&mut self) -> bool {
        match self {
            Client::Tcp(stream) => echo::tcp_round_trip(stream),
            Client::Udp(socket) => echo::udp_round_trip(socket),
        }
    }
}

/// One timed window against one server.
struct Sample {
    round_trips_per_sec: f64,
    p50: f64,
    p99: f64,
    /// Server CPU seconds per round trip.
    cpu_per_round_trip: f64,
    lost: u64,
}

fn measure(server: &ServerProcess, proto: Proto, clients: usize, window: Duration) -> Sample {
    let barrier = Arc::new(Barrier::new(clients + 1));
    let done = Arc::new(Barrier::new(clients + 1));
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let mut client = Client::connect(proto, server.addr);
            let (barrier, done) = (Arc::clone(&barrier), Arc::clone(&done));
            thread::spawn(move || {
                for _ in 0..WARMUP_ROUND_TRIPS {
                    client.round_trip();
                }
                let mut latencies = Vec::with_capacity(1 << 16);
                let mut lost = 0;
                barrier.wait();
                let deadline = Instant::now() + window;
                loop {
                    let start = Instant::now();
                    if start >= deadline {
                        break;
                    }
                    if client.round_trip() {
                        latencies.push(start.elapsed().as_nanos() as u64);
                    } else {
                        lost += 1;
                    }
                }
                done.wait();
                (latencies, lost)
            })
        })
        .collect();
    barrier.wait();
    let cpu_before = server.cpu_ticks();
    let start = Instant::now();
    done.wait();
    let elapsed = start.elapsed();
    let cpu_after = server.cpu_ticks();
    let mut all = Vec::new();
    let mut lost = 0;
    for t in threads {
        let (latencies, l) = t.join().unwrap();
        all.extend(latencies);
        lost += l;
    }
    all.sort_unstable();
    let at = |q: f64| {
        let i = ((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1));
        all.get(i).copied().unwrap_or(0) as f64 / 1e6
    };
    let cpu_secs = (cpu_after - cpu_before) as f64 / clock_ticks_per_sec();
    Sample {
        round_trips_per_sec: all.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
        cpu_per_round_trip: cpu_secs / all.len().max(1) as f64,
        lost,
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn range(values: &[f64]) -> String {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{lo:.2}–{hi:.2}")
}

fn table(clients: usize, reps: usize, window: Duration) {
    let servers: Vec<Option<ServerProcess>> = SPECS.iter().map(ServerProcess::start).collect();
    // samples[server][rep]
    let mut samples: Vec<Vec<Sample>> = SPECS.iter().map(|_| Vec::new()).collect();
    for _ in 0..reps {
        for (i, spec) in SPECS.iter().enumerate() {
            if let Some(server) = &servers[i] {
                samples[i].push(measure(server, spec.proto, clients, window));
            }
        }
    }
    drop(servers);

    println!("\n#### {clients} clients\n");
    println!(
        "| server | round trips/s | p50 ms | p99 ms | server CPU µs per round trip | \
         round trips vs std (range) | CPU per round trip vs std (range) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let std_of = |proto: Proto| SPECS.iter().position(|s| s.proto == proto).unwrap();
    let tokio = SPECS
        .iter()
        .position(|s| s.kind == Some("tokio-tcp"))
        .unwrap();
    for (i, spec) in SPECS.iter().enumerate() {
        let mine = &samples[i];
        if mine.is_empty() {
            println!("| {} | skipped: could not start | | | | | |", spec.name);
            continue;
        }
        let reference = &samples[std_of(spec.proto)];
        let rt_ratios: Vec<f64> = mine
            .iter()
            .zip(reference)
            .map(|(m, r)| m.round_trips_per_sec / r.round_trips_per_sec)
            .collect();
        let cpu_ratios: Vec<f64> = mine
            .iter()
            .zip(reference)
            .map(|(m, r)| m.cpu_per_round_trip / r.cpu_per_round_trip)
            .collect();
        let lost: u64 = mine.iter().map(|s| s.lost).sum();
        let lost = if lost > 0 {
            format!(" ({lost} lost)")
        } else {
            String::new()
        };
        println!(
            "| {} | {:.0}{lost} | {:.3} | {:.3} | {:.2} | {:.2} ({}) | {:.2} ({}) |",
            spec.name,
            median(mine.iter().map(|s| s.round_trips_per_sec).collect()),
            median(mine.iter().map(|s| s.p50).collect()),
            median(mine.iter().map(|s| s.p99).collect()),
            median(mine.iter().map(|s| s.cpu_per_round_trip * 1e6).collect()),
            median(rt_ratios.clone()),
            range(&rt_ratios),
            median(cpu_ratios.clone()),
            range(&cpu_ratios),
        );
    }
    let threaded_tcp = SPECS
        .iter()
        .position(|s| s.kind == Some("threaded-tcp"))
        .unwrap();
    if !samples[tokio].is_empty() {
        let p99_ratios: Vec<f64> = samples[threaded_tcp]
            .iter()
            .zip(&samples[tokio])
            .map(|(m, t)| m.p99 / t.p99)
            .collect();
        let cpu_ratios: Vec<f64> = samples[threaded_tcp]
            .iter()
            .zip(&samples[tokio])
            .map(|(m, t)| m.cpu_per_round_trip / t.cpu_per_round_trip)
            .collect();
        println!(
            "\n`TcpServer` against tokio: p99 {:.2}× ({}), CPU per round trip {:.2}× ({})",
            median(p99_ratios.clone()),
            range(&p99_ratios),
            median(cpu_ratios.clone()),
            range(&cpu_ratios)
        );
    }
}

fn main() {
    if let Ok(kind) = std::env::var(SERVER_ENV) {
        run_server(&kind);
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing
    // and only wants to know the binary runs.
    if !std::env::args().any(|a| a == "--bench") {
        println!("benches/net_process: run with `cargo bench --bench net_process`");
        return;
    }
    let reps = env_or("NET_PROCESS_REPS", 5usize);
    let window = Duration::from_secs_f64(env_or("NET_PROCESS_SECS", 1.0f64));
    let cpus = thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "{reps} interleaved repetitions of {window:?} per server; medians; \
         ratios per repetition against std of the same protocol; {cpus} CPUs \
         (UdpServer's default: {} workers)",
        cpus.clamp(2, 4)
    );
    for clients in CLIENTS {
        table(clients, reps, window);
    }
}
