//! `StopEvent` against the behaviour CPython's `Lib/test/lock_tests.py`
//! (`EventTests`) expects of `threading.Event`.

mod support;

use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use support::{GUARD, wait_until};
use threaded::StopEvent;

const WAITERS: usize = 8;

const _: () = {
    const fn assert_traits<T: Send + Sync + Clone + Default + std::fmt::Debug + 'static>() {}
    assert_traits::<StopEvent>();
};

#[test]
fn is_initially_clear() {
    assert!(!StopEvent::new().is_set());
    assert!(!StopEvent::default().is_set());
}

#[test]
fn set_and_clear_flip_is_set_and_debug_shows_it() {
    let event = StopEvent::new();
    event.set();
    assert!(event.is_set());
    event.set();
    assert!(event.is_set());
    event.clear();
    assert!(!event.is_set());
    event.clear();
    assert!(!event.is_set());
    event.set();
    assert!(event.is_set());
}

#[test]
fn clones_share_the_flag() {
    let event = StopEvent::new();
    let clone = event.clone();
    clone.set();
    assert!(event.is_set());
    event.clear();
    assert!(!clone.is_set());

    let other = StopEvent::new();
    event.set();
    assert!(!other.is_set());
}

#[test]
fn debug_shows_the_state() {
    let event = StopEvent::new();
    let text = format!("{event:?}");
    assert!(text.contains("StopEvent"), "{text}");
    assert!(text.contains("is_set: false"), "{text}");
    event.set();
    assert!(format!("{event:?}").contains("is_set: true"));
}

/// Runs `f` on a new thread and hands its result back through a channel, so
/// that the test can bound how long it waits for it with [`GUARD`].
fn spawn_reporting<T, F>(f: F) -> Receiver<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx
}

#[test]
fn wait_returns_at_once_when_set() {
    let event = StopEvent::new();
    event.set();
    assert!(event.wait_timeout(Duration::ZERO));
    assert!(event.wait_timeout(GUARD));
    assert!(event.wait_timeout(Duration::MAX));

    let waited = spawn_reporting({
        let event = event.clone();
        move || event.wait()
    });
    waited.recv_timeout(GUARD).unwrap();
    assert!(event.is_set());
}

const HUGE_TIMEOUTS: [Duration; 5] = [
    Duration::MAX,
    Duration::from_secs(u64::MAX / 2),
    Duration::from_secs(i64::MAX as u64),
    Duration::from_secs(i64::MAX as u64 / 1_000_000_000),
    Duration::from_secs(1 << 40),
];

#[test]
fn huge_timeouts_do_not_panic() {
    let event = StopEvent::new();
    let (started_tx, started_rx) = mpsc::channel();
    let results: Vec<_> = HUGE_TIMEOUTS
        .into_iter()
        .map(|timeout| {
            let event = event.clone();
            let started_tx = started_tx.clone();
            spawn_reporting(move || {
                started_tx.send(()).unwrap();
                event.wait_timeout(timeout)
            })
        })
        .collect();
    for _ in HUGE_TIMEOUTS {
        started_rx.recv_timeout(GUARD).unwrap();
    }
    event.set();
    for result in results {
        assert_eq!(result.recv_timeout(GUARD), Ok(true));
    }
    for timeout in HUGE_TIMEOUTS {
        assert!(event.wait_timeout(timeout));
    }
}

#[test]
fn wait_timeout_times_out() {
    let event = StopEvent::new();
    assert!(!event.wait_timeout(Duration::ZERO));

    let timeout = Duration::from_millis(50);
    let start = Instant::now();
    assert!(!event.wait_timeout(timeout));
    let elapsed = start.elapsed();
    assert!(elapsed >= timeout, "returned after {elapsed:?}");
    assert!(!event.is_set());
}

#[test]
fn wait_timeout_times_out_in_many_threads() {
    let event = StopEvent::new();
    let timeout = Duration::from_millis(50);
    let results: Vec<_> = (0..WAITERS)
        .map(|_| {
            let event = event.clone();
            spawn_reporting(move || {
                let start = Instant::now();
                (event.wait_timeout(timeout), start.elapsed())
            })
        })
        .collect();
    for result in results {
        let (set, elapsed) = result.recv_timeout(GUARD).unwrap();
        assert!(!set);
        assert!(elapsed >= timeout, "returned after {elapsed:?}");
    }
}

/// Starts `WAITERS` threads that each run `wait` on a clone of `event`, and
/// returns once every one of them is about to call it. They may not have
/// blocked yet when this returns; a `set` must release them either way.
fn spawn_waiters<F>(event: &StopEvent, wait: F) -> Receiver<bool>
where
    F: Fn(&StopEvent) -> bool + Send + Sync + 'static,
{
    let wait = Arc::new(wait);
    let barrier = Arc::new(Barrier::new(WAITERS + 1));
    let (tx, rx) = mpsc::channel();
    for _ in 0..WAITERS {
        let event = event.clone();
        let barrier = Arc::clone(&barrier);
        let wait = Arc::clone(&wait);
        let tx = tx.clone();
        thread::spawn(move || {
            barrier.wait();
            let _ = tx.send(wait(&event));
        });
    }
    barrier.wait();
    rx
}

#[test]
fn set_releases_every_waiter() {
    let event = StopEvent::new();
    let results = spawn_waiters(&event, |event| event.wait_timeout(GUARD));
    event.set();
    for _ in 0..WAITERS {
        assert_eq!(results.recv_timeout(GUARD), Ok(true));
    }
}

#[test]
fn set_releases_every_untimed_waiter() {
    let event = StopEvent::new();
    let results = spawn_waiters(&event, |event| {
        event.wait();
        true
    });
    event.set();
    for _ in 0..WAITERS {
        assert_eq!(results.recv_timeout(GUARD), Ok(true));
    }
}

#[test]
fn set_releases_waiters_with_an_unbounded_timeout() {
    let event = StopEvent::new();
    let results = spawn_waiters(&event, |event| event.wait_timeout(Duration::MAX));
    event.set();
    for _ in 0..WAITERS {
        assert_eq!(results.recv_timeout(GUARD), Ok(true));
    }
}

/// CPython's `test_set_and_clear`: waiters released by a `set` return `true`
/// even when the flag was cleared again before they woke up.
///
/// From outside the crate a test cannot tell that a waiter has blocked, so
/// this one holds whatever the timing; the unit test in `stop.rs` checks the
/// same with every waiter known to be blocked at the `set`.
#[test]
fn set_then_clear_still_releases_waiters() {
    let event = StopEvent::new();
    let results = spawn_waiters(&event, |event| event.wait_timeout(GUARD));

    // A waiter that had not blocked yet at a `set` may find the flag cleared
    // again and block, so repeat the pair until every waiter has returned.
    // Each `set` is followed at once by a `clear`; a waiter released by it
    // wakes to a clear flag, and must return `true` all the same.
    let mut returned = Vec::new();
    wait_until("every waiter is released", || {
        event.set();
        event.clear();
        if let Ok(result) = results.recv_timeout(Duration::from_millis(1)) {
            returned.push(result);
        }
        returned.len() == WAITERS
    });

    assert_eq!(returned, vec![true; WAITERS]);
    assert!(!event.is_set());
}

#[test]
fn wait_timeout_returns_when_set_from_another_thread() {
    let event = StopEvent::new();
    let setter = spawn_reporting({
        let event = event.clone();
        move || event.set()
    });
    assert!(event.wait_timeout(GUARD));
    setter.recv_timeout(GUARD).unwrap();
}

#[test]
fn wait_timeout_max_returns_when_set_from_another_thread() {
    let event = StopEvent::new();
    let (started_tx, started_rx) = mpsc::channel();
    let result = spawn_reporting({
        let event = event.clone();
        move || {
            started_tx.send(()).unwrap();
            event.wait_timeout(Duration::MAX)
        }
    });
    started_rx.recv_timeout(GUARD).unwrap();
    event.set();
    assert_eq!(result.recv_timeout(GUARD), Ok(true));
}

#[test]
fn waiting_after_clear_blocks_until_the_next_set() {
    let event = StopEvent::new();
    event.set();
    event.clear();
    assert!(!event.wait_timeout(Duration::from_millis(10)));

    let setter = spawn_reporting({
        let event = event.clone();
        move || event.set()
    });
    assert!(event.wait_timeout(GUARD));
    setter.recv_timeout(GUARD).unwrap();
}
