//! Helpers shared by the queue tests: every wait is bounded, so nothing can hang CI.

#![allow(dead_code)]

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use threaded::WorkQueue;

/// Generous bound for anything that should happen "at once".
pub(crate) const GUARD: Duration = Duration::from_secs(20);

/// Runs `f` on its own thread and returns its result, failing the test if it takes
/// longer than `limit` (the thread is then left behind; the test fails anyway).
pub(crate) fn within<R: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> R + Send + 'static,
) -> R {
    let (tx, rx) = mpsc::channel();
    thread::Builder::new()
        .name("guarded".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .unwrap();
    match rx.recv_timeout(limit) {
        Ok(r) => r,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("did not finish within {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the guarded closure panicked"),
    }
}

/// Waits until `cond` holds, yielding in between; panics after [`GUARD`].
pub(crate) fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < GUARD, "timed out waiting until {what}");
        thread::yield_now();
    }
}

fn debug_field<T>(q: &WorkQueue<T>, field: &str) -> usize {
    let text = format!("{q:?}");
    let start = text.find(&format!("{field}: ")).expect(field) + field.len() + 2;
    let rest = &text[start..];
    let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap();
    rest[..end].parse().unwrap()
}

/// Threads (or futures) waiting in `get` now, read from the queue's `Debug`.
pub(crate) fn blocked_getters<T>(q: &WorkQueue<T>) -> usize {
    debug_field(q, "blocked_getters")
}

/// Threads (or futures) waiting in `put` now.
pub(crate) fn blocked_putters<T>(q: &WorkQueue<T>) -> usize {
    debug_field(q, "blocked_putters")
}

/// Threads waiting in `join` now.
pub(crate) fn joiners<T>(q: &WorkQueue<T>) -> usize {
    debug_field(q, "joiners")
}
