//! Helpers shared by the `net_*` test binaries.

#![allow(dead_code, unreachable_pub)] // each binary uses a different subset

use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// The bound on every wait: generous, so a loaded CI machine passes, and
/// finite, so a broken build fails instead of hanging.
pub const GUARD: Duration = Duration::from_secs(10);

/// Waits until `cond` holds, checking it each millisecond, and panics with
/// `what` after [`GUARD`].
#[track_caller]
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + GUARD;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(1));
    }
}

/// A counting gate: handlers `pass` it one permit at a time, the test
/// `open`s it by permits.
#[derive(Default)]
pub struct Gate {
    permits: Mutex<usize>,
    changed: Condvar,
}

impl Gate {
    pub fn open(&self, n: usize) {
        *self.permits.lock().unwrap() += n;
        self.changed.notify_all();
    }

    /// Takes a permit; `false` if none came within [`GUARD`].
    pub fn pass(&self) -> bool {
        let guard = self.permits.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut permits, timeout) = self
            .changed
            .wait_timeout_while(guard, GUARD, |p| *p == 0)
            .unwrap_or_else(PoisonError::into_inner);
        if timeout.timed_out() {
            return false;
        }
        *permits -= 1;
        true
    }
}

/// Log records of the whole test binary, for tests that check what the
/// server logs.
pub struct Capture {
    records: Mutex<Vec<(log::Level, String)>>,
}

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = record.args().to_string();
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((record.level(), line));
    }

    fn flush(&self) {}
}

/// Installs the capturing logger (once per binary) and returns it.
pub fn capture_logs() -> &'static Capture {
    static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture: &'static Capture = Box::leak(Box::new(Capture {
            records: Mutex::new(Vec::new()),
        }));
        log::set_logger(capture).expect("no other logger in the net tests");
        log::set_max_level(log::LevelFilter::Debug);
        capture
    })
}

impl Capture {
    /// Whether a record at `level` contains every one of `parts`.
    pub fn has(&self, level: log::Level, parts: &[&str]) -> bool {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .any(|(l, line)| *l == level && parts.iter().all(|p| line.contains(p)))
    }
}

/// Asserts that the median of `took` (one sample per round) is under `bound`: one round
/// slowed by a loaded machine does not fail the test, while a poll interval (socketserver's
/// 0.5 s) would, nearly always.
pub fn assert_median_under(what: &str, mut took: Vec<Duration>, bound: Duration) {
    assert!(
        took.len() % 2 == 1,
        "an odd number of rounds, got {}",
        took.len()
    );
    took.sort();
    assert!(took[took.len() / 2] < bound, "{what} took {took:?}");
}
