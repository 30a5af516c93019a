//! The helpers every test binary shares: one bound on every wait ([`GUARD`]), waiting for a
//! condition ([`wait_until`]), running a call under a deadline ([`within`]), a tiny
//! executor for futures ([`block_on`]), a counting [`Gate`], a log [`Capture`], a child
//! [`Process`] watched line by line, where a panic happened ([`panic_site`]), a timing
//! assert over several rounds ([`assert_median_under`]) and the time a server's `serve`
//! takes to stop ([`time_to_stop`]).
//!
//! Each file in `tests/` is its own crate and compiles this module again, using a
//! different subset of it: `dead_code` and `unused_imports` (for the re-exports below) would
//! flag whatever one binary leaves unused.

#![allow(dead_code, unused_imports)]

mod exec;
mod gate;
mod logs;
mod panics;
mod process;
mod serve;

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

pub(crate) use exec::{block_on, block_on_counting};
pub(crate) use gate::Gate;
pub(crate) use logs::{Capture, capture_logs};
pub(crate) use panics::panic_site;
pub(crate) use process::Process;
pub(crate) use serve::time_to_stop;

/// The bound on every wait for something that should happen "at once": a thread to block,
/// a reply to come back, a join to return.
///
/// Generous, because the CI box has two cores that several `cargo` runs share, and a test
/// binary runs its tests in parallel threads: a wait of milliseconds can stretch to seconds
/// there, and a spurious failure costs more than a slow one. Finite, so a lost wake-up or a
/// deadlock fails the test with a message instead of hanging CI. No test waits it out on
/// success: passing tests return as soon as what they wait for happens.
pub(crate) const GUARD: Duration = Duration::from_secs(20);

/// The bound for waits that include building or starting a process (`tests/examples.rs`
/// runs the tutorial binaries): three [`GUARD`]s, since a cold process start on the loaded
/// box can itself take seconds before the example does anything.
pub(crate) const SLOW_GUARD: Duration = Duration::from_secs(3 * GUARD.as_secs());

/// Waits until `cond` holds, and panics naming `what` after [`GUARD`].
///
/// Checks by yielding at first (a condition another running thread is about to make true
/// is seen at once), then every millisecond: a waiter that only yields keeps a core busy
/// that the threads it waits for need, on a two-core box with more runnable threads than
/// cores.
#[track_caller]
pub(crate) fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    const YIELDS: u32 = 64;
    let deadline = Instant::now() + GUARD;
    let mut checks = 0u32;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        if checks < YIELDS {
            checks += 1;
            thread::yield_now();
        } else {
            thread::sleep(Duration::from_millis(1));
        }
    }
}

/// Runs `f` on its own thread and returns its result, failing the test if it takes longer
/// than `limit` (usually [`GUARD`]) or panics.
///
/// For calls that block by design (`join`, `shutdown`, a lock): a lost wake-up then fails
/// the test instead of hanging it. On a timeout the thread is left behind; the test fails
/// anyway.
#[track_caller]
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
        .expect("cannot spawn the guarded thread");
    match rx.recv_timeout(limit) {
        Ok(r) => r,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("did not finish within {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the guarded closure panicked"),
    }
}

/// Asserts that the median of `took` (one sample per round) is under `bound`.
///
/// One round slowed by the loaded machine does not fail the test, while a real fault that
/// costs time in every round (a poll interval, a missed wake-up covered by a timeout) does,
/// nearly always. The number of rounds must be odd, so the median is a sample.
#[track_caller]
pub(crate) fn assert_median_under(what: &str, mut took: Vec<Duration>, bound: Duration) {
    assert!(
        took.len() % 2 == 1,
        "an odd number of rounds, got {}",
        took.len()
    );
    took.sort();
    assert!(
        took[took.len() / 2] < bound,
        "{what}: the median is not under {bound:?}, took {took:?}"
    );
}
