//! Python's threading ergonomics with Rust's guarantees.
//!
//! `threaded` brings the tools of a first Python class on threads — the
//! `@threaded` decorator, `threading.Event`, `queue.Queue` workers, socket
//! servers — to Rust, where the compiler checks what Python leaves to luck:
//! data shared between threads is `Send`/`Sync` or the program does not build,
//! and no thread outlives the handle that stops it.
//!
//! | Python | `threaded` |
//! |---|---|
//! | `@threaded` decorator (`Thread(target=f).start()`) | [`#[threaded]`](macro@threaded) |
//! | `threading.Event` | [`StopEvent`] |
//! | a `Thread` subclass with `stop()` | [`StoppableThread`], [`spawn_stoppable`], `#[threaded(stoppable)]` |
//!
//! # `#[threaded]`: the decorator
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
//! # `StopEvent` and `StoppableThread`: stopping a thread
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
//! # Crates
//!
//! This crate is the one to depend on. It re-exports the attribute from
//! `threaded-macro` and the runtime types from `threaded-runtime`; plain
//! `#[threaded]` expands to `std`-only code, so `threaded-macro` also works
//! alone.

#![warn(missing_docs)]

pub use threaded_macro::threaded;
pub use threaded_runtime::*;

/// The README's examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
