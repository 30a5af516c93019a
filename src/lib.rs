//! Python's threading ergonomics with Rust's guarantees.
//!
//! `threaded` brings the tools of a first Python class on threads — the
//! `@threaded` decorator, `threading.Event`, `queue.Queue` workers, socket
//! servers, `logging.basicConfig` — to Rust, where the compiler checks what
//! Python leaves to luck: data shared between threads is `Send`/`Sync` or the
//! program does not build, no task is lost, and no thread outlives the handle
//! that stops it.
//!
//! | Python | `threaded` |
//! |---|---|
//! | `@threaded` decorator (`Thread(target=f).start()`) | [`#[threaded]`](macro@threaded) |
//! | `threading.Event` | [`StopEvent`] |
//! | a `Thread` subclass with `stop()` | [`StoppableThread`], [`spawn_stoppable`], `#[threaded(stoppable)]` |
//! | `queue.Queue` | [`WorkQueue`] |
//! | `socket`, `socketserver` | [`net`] |
//! | `Thread(name="worker-1")` | `#[threaded(name = "worker-{id}")]` |
//! | `logging.basicConfig` | `logging::basic_config` (feature `logging`) |
//! | `import logging`, `logging.info`, `logging.warning` | [`log`]`::{info, warn}` (feature `logging`; `warn!`, not `warning!`) |
//! | `except KeyboardInterrupt` | `signal::stop_on_ctrl_c` (feature `ctrlc`) |
//! | `threading.Lock`, `RLock`, `Semaphore`, `BoundedSemaphore`, `Barrier`, `Condition`, `local` | [`sync`] (and where std has it, the mapping) |
//! | `threading.Timer` | [`Timer`] |
//! | `concurrent.futures.ThreadPoolExecutor` | [`pool::ThreadPool`], [`pool::Job`], `#[threaded(pool)]` |
//!
//! The sections below follow the lecture's order, as the tutorials in
//! `examples/` do (`cargo run --example tour` runs them all at once).
//!
//! # 1. `#[threaded]`: the decorator
//!
//! Calling a `#[threaded]` function starts a thread named after the function
//! and returns its [`JoinHandle`](std::thread::JoinHandle) at once; the result
//! comes back through `join`:
//!
//! ```
//! use threaded::threaded;
//!
//! #[threaded]
//! fn minha_funcao(n: u64) -> u64 {
//!     assert_eq!(std::thread::current().name(), Some("minha_funcao"));
//!     n * 2
//! }
//!
//! let handle = minha_funcao(21); // already running
//! assert_eq!(handle.join().unwrap(), 42);
//! ```
//!
//! Join the handle. Dropping it detaches the thread, and when `main` returns
//! every detached thread is killed mid-work (a Python `daemon=True` thread),
//! so the call warns when its handle is dropped; `let _ = minha_funcao(21);`
//! detaches on purpose.
//!
//! `name = "..."` names the thread; `{arg}` in it formats an argument at each
//! call, so threads can be told apart in log lines and panics, as Python's
//! `Thread-1`, `Thread-2`:
//!
//! ```
//! use threaded::threaded;
//!
//! #[threaded(name = "worker-{id}")]
//! fn worker(id: u32) -> String {
//!     std::thread::current().name().unwrap().to_owned()
//! }
//!
//! assert_eq!(worker(1).join().unwrap(), "worker-1");
//! assert_eq!(worker(2).join().unwrap(), "worker-2");
//! ```
//!
//! Arguments move into the thread. A borrowed argument is refused at compile
//! time with a hint, because the thread may outlive what it borrows:
//!
//! ```compile_fail
//! use threaded::threaded;
//!
//! #[threaded]
//! fn count(text: &str) -> usize { // error: ... take an owned value (`String`, ...)
//!     text.len()
//! }
//! ```
//!
//! # 2. `StopEvent` and `StoppableThread`: stopping a thread
//!
//! No command kills a thread; it stops when its function returns. The loop
//! asks its [`StopEvent`] whether to go on, and sleeps with
//! [`wait_timeout`](StopEvent::wait_timeout), which wakes the moment the event
//! is set:
//!
//! ```
//! use std::time::Duration;
//! use threaded::{StopEvent, threaded};
//!
//! #[threaded(stoppable)]
//! fn nova_thread(stop: StopEvent) -> u32 {
//!     let mut i = 0;
//!     while !stop.wait_timeout(Duration::from_millis(100)) {
//!         i += 1;
//!     }
//!     i
//! }
//!
//! let thread = nova_thread(); // callers do not pass the StopEvent
//! thread.stop();
//! let iterations = thread.join().unwrap();
//! assert!(iterations < 10);
//! ```
//!
//! Dropping a [`StoppableThread`] stops the thread and waits for it;
//! [`detach`](StoppableThread::detach) lets it run on.
//!
//! # 3. `WorkQueue`: the queue of tasks
//!
//! Python's joinable `queue.Queue`: producers [`put`](WorkQueue::put),
//! workers [`get`](WorkQueue::get) and mark each item done, and
//! [`join`](WorkQueue::join) waits until every item put has been processed.
//! [`spawn_workers`](WorkQueue::spawn_workers) is the lecture's `@threaded`
//! worker loop, done so that a panicking item cannot hang `join`; a refused
//! item comes back in the error, never lost:
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use threaded::{PutError, WorkQueue};
//!
//! let q = WorkQueue::new();
//! let total = Arc::new(AtomicU64::new(0));
//! let sum = Arc::clone(&total);
//! let workers = q.spawn_workers(5, move |item: u64| {
//!     sum.fetch_add(item, Ordering::SeqCst);
//! });
//! for item in 1..=100 {
//!     q.put(item).unwrap();
//! }
//! q.join(); // blocks until every item is processed
//! assert_eq!(total.load(Ordering::SeqCst), 5050);
//!
//! q.shutdown(); // the workers drain what is left and exit
//! for worker in workers {
//!     worker.join().unwrap();
//! }
//! assert!(matches!(q.put(7), Err(PutError::ShutDown(7)))); // the item comes back
//! ```
//!
//! # 4. `net`: sockets, servers and clients
//!
//! The lecture's TCP echo server is a handler and one builder call; each
//! connection runs on its own thread, as with `socketserver.ThreadingTCPServer`:
//!
//! ```
//! use threaded::net::{TcpConnection, TcpServer};
//!
//! # fn main() -> std::io::Result<()> {
//! let server = TcpServer::bind("127.0.0.1:0")?.spawn(|mut conn: TcpConnection| {
//!     while let Some(line) = conn.recv_line()? {
//!         conn.send_line(&line)?;
//!     }
//!     Ok(())
//! })?;
//!
//! let mut client = TcpConnection::connect(server.local_addr())?;
//! client.send_line("Hello, world")?;
//! assert_eq!(client.recv_line()?.as_deref(), Some("Hello, world"));
//! drop(client);
//! server.shutdown()?; // stops accepting at once, waits for the handlers
//! # Ok(())
//! # }
//! ```
//!
//! UDP is the same shape: [`net::UdpServer`] hands datagrams to worker
//! threads through a [`WorkQueue`], and a reply of `Some(bytes)` goes back to
//! the sender:
//!
//! ```
//! use std::time::Duration;
//! use threaded::net::{UdpClient, UdpServer};
//!
//! # fn main() -> std::io::Result<()> {
//! let server = UdpServer::bind("127.0.0.1:0")?
//!     .workers(2)
//!     .spawn(|datagram, _peer| Some(datagram.to_ascii_uppercase()))?;
//! let client = UdpClient::connect(server.local_addr())?;
//! assert_eq!(client.request(b"ola", Duration::from_secs(5))?, b"OLA");
//! server.shutdown()?;
//! # Ok(())
//! # }
//! ```
//!
//! # 5. Logging
//!
//! `logging::basic_config()` is `logging.basicConfig`; its default line shows
//! the thread's name, so the names `#[threaded]` gives show up in every line.
//! The macros come from [`threaded::log`](log), the `log` crate re-exported,
//! so a program that logs needs no dependency but `threaded`:
//!
//! ```
//! # #[cfg(feature = "logging")] {
//! use threaded::log::{LevelFilter, info};
//! use threaded::logging::basic_config;
//!
//! basic_config().level(LevelFilter::Info).init().unwrap();
//! info!("ready"); // 2026-11-30T10:00:00.000Z [main] INFO  ready
//! # }
//! ```
//!
//! # 6. `pool`: a pool of threads
//!
//! After `@threaded`, Python's next step is `ThreadPoolExecutor`: threads
//! started once, each call handed to an idle one. [`pool::ThreadPool`] is
//! that, and `#[threaded(pool)]` submits a function's body to
//! [`ThreadPool::global`](pool::ThreadPool::global) instead of starting a
//! thread; the call returns a [`Job`](pool::Job), whose `join` is Python's
//! `future.result()`:
//!
//! ```
//! use threaded::pool::ThreadPool;
//! use threaded::threaded;
//!
//! #[threaded(pool)]
//! fn square(n: u64) -> u64 {
//!     n * n
//! }
//!
//! assert_eq!(square(7).join().unwrap(), 49);
//!
//! let pool = ThreadPool::new(2);
//! let failed = pool.submit(|| -> u64 { panic!("lost") }).join();
//! assert!(failed.is_err()); // a panic is an Err; the worker lives on
//! assert_eq!(pool.submit(|| 1).join().unwrap(), 1);
//! ```
//!
//! # Crates and features
//!
//! This crate is the one to depend on. It re-exports the attribute from
//! `threaded-macro` and everything from `threaded-runtime`; plain
//! `#[threaded]` expands to `std`-only code, so `threaded-macro` also works
//! alone. Features, both on by default: `logging` (`logging::basic_config`,
//! on `env_logger`, and the `log` re-export) and `ctrlc`
//! (`signal::stop_on_ctrl_c`, on `ctrlc`).

#![warn(missing_docs)]
// A warning in an example is one a student gets on pasting it: none is allowed.
#![doc(test(attr(deny(warnings))))]

pub use threaded_macro::threaded;
pub use threaded_runtime::*;

/// The README's examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
