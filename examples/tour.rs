//! The whole class in one program: threads with names, a stop event, a work
//! queue with workers, a TCP and a UDP server with their clients, and logging
//! to the terminal. It runs for a second or two and ends by itself.
//!
//! Run it first: `cargo run --example tour`
//!
//! | step | lecture slide | what runs |
//! |---|---|---|
//! | 1 | Logging | `logging::basic_config()` prints every log line with its thread's name |
//! | 2 | Thread Pythonica (`@threaded`) | `#[threaded]` functions return `JoinHandle`s; results come back through `join` |
//! | 3 | Controlando Threads (`Event`) | a `#[threaded(stoppable)]` heartbeat until `stop()` |
//! | 4 | Threads - Filas (`Queue`) | 3 workers drain a `WorkQueue`; `join` waits for every item, even one whose worker panicked |
//! | 5 | Socket Servidor / Cliente TCP | a `TcpServer` echoing lines, a thread per connection, 3 clients at once |
//! | 6 | Socket Servidor / Cliente UDP | a `UdpServer` with 2 workers, a `UdpClient` asking and waiting for the reply |
//! | 7 | after `@threaded`: `ThreadPoolExecutor` | `#[threaded(pool)]` calls on the global pool, and a `ThreadPool` whose job panics while its worker lives on |
//! | 8 | Finalizando Threads | every server and thread stopped and joined; nothing is left running |
//!
//! The servers bind port 0, so the tour never collides with another program;
//! the tutorials `08`–`11` run them on a fixed address for a second terminal.
//!
//! Em português: a aula inteira num só programa, em um ou dois segundos:
//! threads com nome, o `StopEvent`, a fila com trabalhadores, servidores
//! TCP e UDP com seus clientes, e o log no terminal. O pânico do item 7 é
//! de propósito e aparece numa linha só do log. Depois, siga os exemplos
//! `01` a `13`, um slide por vez.

use std::io;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use threaded::log::{LevelFilter, info, warn};
use threaded::logging::basic_config;
use threaded::net::{TcpConnection, TcpServer, UdpClient, UdpServer};
use threaded::pool::ThreadPool;
use threaded::{StopEvent, WorkQueue, threaded};

/// Errors are printed for a person (`Display`), not as a `Debug` dump.
fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tour: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Starts the message of the panics the tour causes on purpose (a queue worker's, a pool
/// job's).
const ON_PURPOSE: &str = "on purpose:";

/// `spawn_workers` and the pool log a panic in one line; the default panic hook
/// would print it a second time (with a backtrace under `RUST_BACKTRACE`).
/// Only the deliberate panic is silenced: any other still shows in full.
fn quiet_deliberate_panic() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied());
        if !message.is_some_and(|m| m.starts_with(ON_PURPOSE)) {
            default(info);
        }
    }));
}

fn run() -> io::Result<()> {
    // 1. Logging: time, thread name, level, message. `RUST_LOG=debug` shows more.
    basic_config()
        .level(LevelFilter::Info)
        .init()
        .expect("no other logger is installed yet");
    quiet_deliberate_panic();
    println!("== 1. logging: every line below the step headers says which thread wrote it");
    info!("the tour starts");

    println!("== 2. #[threaded]: calling the function starts a named thread");
    let handles = [square(3), square(4), square(5)];
    let squares: Vec<u64> = handles
        .into_iter()
        .map(|h| h.join().expect("square panicked"))
        .collect();
    println!("squares from 3 threads: {squares:?}");

    println!("== 3. StopEvent: a heartbeat that stops the moment it is told to");
    let heartbeat = heartbeat(Duration::from_millis(100));
    // Let it beat a few times while this thread has nothing else to do.
    std::thread::sleep(Duration::from_millis(350));

    println!("== 4. WorkQueue: 3 workers, 10 items, one item makes its worker panic");
    let total = work_queue_demo();
    println!("sum of the squares of 1..=10, without the item 7 that panicked: {total}");

    println!("== 5. TCP: an echo server, a thread per connection, 3 clients at once");
    let server = TcpServer::bind("127.0.0.1:0")?
        .read_timeout(Some(Duration::from_secs(5)))
        .spawn(echo_lines)?;
    let addr = server.local_addr();
    let clients = ["Hello, world", "Olá, mundo", "Hola, mundo"]
        .map(|text| tcp_client(addr.to_string(), text));
    for client in clients {
        let reply = client.join().expect("tcp_client panicked")?;
        println!("Received '{reply}'");
    }
    let stats = server.stats();
    server.shutdown()?;
    println!(
        "TCP server: {} connections, {} errors, shut down",
        stats.accepted, stats.errors
    );

    println!("== 6. UDP: a server with 2 workers, a client that asks and waits");
    let server = UdpServer::bind("127.0.0.1:0")?
        .workers(2)
        .spawn(|datagram, peer| {
            info!(
                "Received message '{}' from {peer}",
                String::from_utf8_lossy(datagram)
            );
            Some(datagram.to_ascii_uppercase())
        })?;
    let client = UdpClient::connect(server.local_addr())?;
    for text in ["ping", "pong"] {
        let reply = client.request(text.as_bytes(), Duration::from_secs(2))?;
        println!(
            "UDP reply to '{text}': '{}'",
            String::from_utf8_lossy(&reply)
        );
    }
    server.shutdown()?;

    println!("== 7. pool: #[threaded(pool)] reuses a pool's threads instead of starting new ones");
    pool_demo();

    println!("== 8. stopping: the heartbeat is stopped and joined, nothing is left running");
    let beats = heartbeat.stop_and_join().expect("heartbeat panicked");
    println!("the heartbeat beat {beats} times");
    info!("the tour ends");
    Ok(())
}

#[threaded]
fn square(n: u64) -> u64 {
    info!("computing {n}²");
    n * n
}

/// `#[threaded(stoppable)]`: the caller gets a `StoppableThread`; this
/// function gets the `StopEvent` its `stop()` sets.
#[threaded(stoppable)]
fn heartbeat(stop: StopEvent, every: Duration) -> u32 {
    let mut beats = 0;
    // `wait_timeout` sleeps like `time.sleep`, but wakes at once on `stop()`.
    while !stop.wait_timeout(every) {
        beats += 1;
        info!("beat {beats}");
    }
    info!("stopped after {beats} beats");
    beats
}

/// `#[threaded(pool)]`: the call queues the body on `ThreadPool::global()`
/// and returns a `Job`, whose `join` is Python's `future.result()`.
#[threaded(pool)]
fn cube(n: u64) -> u64 {
    n * n * n
}

fn pool_demo() {
    let cubes: Vec<u64> = [cube(2), cube(3)]
        .into_iter()
        .map(|job| job.join().expect("cube panicked"))
        .collect();
    println!("cubes from the global pool: {cubes:?}");
    let pool = ThreadPool::builder()
        .workers(1)
        .name("tour-pool")
        .build()
        .expect("cannot start the pool");
    // The job's panic is logged by the pool and comes back as an `Err`.
    let failed = pool
        .submit(|| -> u32 { panic!("on purpose: job 1 fails") })
        .join();
    let next = pool.submit(|| std::thread::current().name().map(str::to_owned));
    match failed {
        Err(e) => println!(
            "pool job: {e}; the next job ran on {:?}",
            next.join().ok().flatten()
        ),
        Ok(_) => println!("pool job: unexpectedly fine"),
    }
    pool.shutdown();
}

fn work_queue_demo() -> u64 {
    let queue = WorkQueue::new();
    let total = Arc::new(AtomicU64::new(0));
    let sum = Arc::clone(&total);
    let workers = queue.spawn_workers(3, move |n: u64| {
        // A bug in one item: the worker logs the panic, marks the item done
        // and goes on, so `join` below cannot hang on it.
        assert!(n != 7, "{ON_PURPOSE} item {n} is cursed");
        sum.fetch_add(n * n, Ordering::SeqCst);
    });
    for n in 1..=10 {
        queue.put(n).expect("the queue is open");
    }
    queue.join(); // Python's q.join(): every item has been marked done
    queue.shutdown(); // the workers finish and exit
    for worker in workers {
        worker.join().expect("a worker thread died");
    }
    total.load(Ordering::SeqCst)
}

fn echo_lines(mut connection: TcpConnection) -> io::Result<()> {
    info!("Connected by {}", connection.peer_addr()?);
    while let Some(line) = connection.recv_line()? {
        connection.send_line(&line)?;
    }
    Ok(())
}

#[threaded]
fn tcp_client(addr: String, text: &'static str) -> io::Result<String> {
    let mut connection = TcpConnection::connect(addr)?;
    connection.set_read_timeout(Some(Duration::from_secs(5)))?;
    connection.send_line(text)?;
    let reply = connection.recv_line()?;
    connection.shutdown_write()?;
    reply.ok_or_else(|| {
        warn!("the server closed without replying");
        io::Error::from(io::ErrorKind::UnexpectedEof)
    })
}
