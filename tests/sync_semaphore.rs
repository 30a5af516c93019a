//! `threaded::sync::Semaphore`: CPython's `BaseSemaphoreTests`, `SemaphoreTests` and
//! `BoundedSemaphoreTests` (`Lib/test/lock_tests.py`) where they map, plus contention and
//! panic-safety tests. Every wait is bounded by `GUARD`; nothing sleeps to synchronise.

mod support;

use std::panic;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use support::{GUARD, wait_until, within};
use threaded::sync::{Barrier, Permit, ReleaseError, Semaphore};

fn assert_send_static<T: Send + 'static>() {}

#[test]
fn permit_is_send_and_static_and_semaphore_is_send_sync_clone() {
    assert_send_static::<Permit>();
    fn assert_sync<T: Send + Sync + Clone>() {}
    assert_sync::<Semaphore>();
}

/// CPython `test_acquire`.
#[test]
fn acquire_and_drop_give_permits_back() {
    let sem = Semaphore::new(1);
    drop(sem.acquire());
    assert_eq!(sem.available(), 1);
    let sem = Semaphore::new(2);
    let a = sem.acquire();
    let b = sem.acquire();
    assert_eq!(sem.available(), 0);
    drop(a);
    drop(b);
    assert_eq!(sem.available(), 2);
}

/// CPython `test_acquire_destroy`: a permit outlives every handle of its semaphore.
#[test]
fn a_permit_outlives_the_semaphore() {
    let sem = Semaphore::new(1);
    let permit = sem.acquire();
    drop(sem);
    drop(permit);
}

/// CPython `test_acquire_contended`: 10 threads each take two permits of a `Semaphore(7)`
/// whose first permit is held; exactly as many get through as permits are released.
#[test]
fn contended_acquires_pass_one_per_released_permit() {
    let sem = Semaphore::new(7);
    sem.acquire().forget();
    let passed = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..10)
        .map(|_| {
            let sem = sem.clone();
            let passed = Arc::clone(&passed);
            let finished = Arc::clone(&finished);
            thread::spawn(move || {
                for _ in 0..2 {
                    sem.acquire().forget();
                    passed.fetch_add(1, Ordering::SeqCst);
                }
                finished.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    // Every thread is done or asleep in `acquire`: nothing more can pass until a release.
    let settled = |expected: usize| {
        wait_until(
            &format!("{expected} permits taken, the rest asleep"),
            || {
                passed.load(Ordering::SeqCst) == expected
                    && sem.waiting() + finished.load(Ordering::SeqCst) == 10
            },
        );
        assert_eq!(sem.available(), 0);
    };
    settled(6);
    sem.release(7).unwrap();
    settled(13);
    for _ in 0..6 {
        sem.release(1).unwrap();
    }
    settled(19);
    // The semaphore is still taken.
    assert!(sem.try_acquire().is_none());
    sem.release(1).unwrap();
    for t in threads {
        within(GUARD, move || t.join().unwrap());
    }
    assert_eq!(passed.load(Ordering::SeqCst), 20);
    assert_eq!(sem.available(), 0);
}

/// CPython `test_try_acquire`.
#[test]
fn try_acquire_fails_only_when_none_is_left() {
    let sem = Semaphore::new(2);
    let a = sem.try_acquire().expect("first");
    let _b = sem.try_acquire().expect("second");
    assert!(sem.try_acquire().is_none());
    drop(a);
    assert!(sem.try_acquire().is_some());
}

/// CPython `test_try_acquire_contended`: 5 threads try twice each on a `Semaphore(4)` with
/// one permit held; exactly 3 succeed.
#[test]
fn contended_try_acquire_takes_exactly_what_is_left() {
    let sem = Semaphore::new(4);
    let _held = sem.acquire();
    let results: Vec<bool> = thread::scope(|s| {
        let threads: Vec<_> = (0..5)
            .map(|_| {
                s.spawn(|| {
                    [sem.try_acquire(), sem.try_acquire()]
                        .into_iter()
                        .map(|p| p.map(Permit::forget).is_some())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect()
    });
    assert_eq!(results.iter().filter(|&&ok| ok).count(), 3);
    assert_eq!(results.len(), 10);
    assert_eq!(sem.available(), 0);
}

/// CPython `test_acquire_timeout`; the timeout never returns early.
#[test]
fn acquire_timeout_succeeds_while_permits_are_left_and_never_fails_early() {
    let sem = Semaphore::new(2);
    let short = Duration::from_millis(5);
    let a = sem.acquire_timeout(short).expect("first");
    let _b = sem.acquire_timeout(short).expect("second");
    assert!(sem.acquire_timeout(short).is_none());
    drop(a);
    let _c = sem.acquire_timeout(short).expect("after a release");

    for timeout in [
        Duration::ZERO,
        Duration::from_millis(1),
        Duration::from_millis(50),
    ] {
        let started = Instant::now();
        assert!(sem.acquire_timeout(timeout).is_none());
        assert!(started.elapsed() >= timeout, "returned before {timeout:?}");
    }
}

/// A timed waiter is woken by a release well before its timeout, and `Duration::MAX` is
/// "for ever", without panicking.
#[test]
fn a_release_wakes_a_timed_waiter_even_with_duration_max() {
    for timeout in [Duration::MAX, Duration::from_secs(3600)] {
        let sem = Semaphore::new(0);
        let waiter = {
            let sem = sem.clone();
            thread::spawn(move || sem.acquire_timeout(timeout).map(Permit::forget).is_some())
        };
        wait_until("the waiter sleeps", || sem.waiting() == 1);
        sem.release(1).unwrap();
        assert!(within(GUARD, move || waiter.join().unwrap()));
        assert_eq!(sem.waiting(), 0);
    }
}

/// CPython `test_default_value`: an acquire blocks until the release.
#[test]
fn acquire_blocks_until_a_permit_comes_back() {
    let sem = Semaphore::new(1);
    let held = sem.acquire();
    let (tx, rx) = mpsc::channel();
    let waiter = {
        let sem = sem.clone();
        thread::spawn(move || {
            let _permit = sem.acquire();
            tx.send(()).unwrap();
        })
    };
    wait_until("the waiter sleeps", || sem.waiting() == 1);
    assert!(rx.try_recv().is_err());
    drop(held);
    rx.recv_timeout(GUARD).expect("the waiter got the permit");
    within(GUARD, move || waiter.join().unwrap());
    assert_eq!(sem.available(), 1);
}

/// CPython `test_with`: nested scopes, and an error (here a panic) inside one.
#[test]
fn permits_come_back_at_the_end_of_scope_and_during_a_panic() {
    let sem = Semaphore::new(2);
    let nested = |fail: bool| {
        let _outer = sem.acquire();
        assert!(sem.try_acquire().is_some()); // taken and given back at once
        let _inner = sem.acquire();
        assert!(sem.try_acquire().is_none());
        assert!(!fail, "boom");
    };
    nested(false);
    assert_eq!(sem.available(), 2);
    let caught = panic::catch_unwind(panic::AssertUnwindSafe(|| nested(true)));
    assert!(caught.is_err());
    assert_eq!(sem.available(), 2);
}

/// The panic-safety test: a permit held by a thread that panics comes back.
#[test]
fn a_permit_held_by_a_panicking_thread_comes_back() {
    let sem = Semaphore::new(1);
    let crashing = {
        let sem = sem.clone();
        thread::spawn(move || {
            let _permit = sem.acquire();
            panic!("the worker crashes while holding the permit");
        })
    };
    assert!(within(GUARD, move || crashing.join().is_err()));
    assert_eq!(sem.available(), 1);
    assert!(sem.acquire_timeout(GUARD).is_some());
}

/// CPython `SemaphoreTests.test_release_unacquired`: an unbounded release adds permits.
#[test]
fn unbounded_release_adds_permits() {
    let sem = Semaphore::new(1);
    sem.release(1).unwrap();
    assert_eq!(sem.available(), 2);
    let _a = sem.acquire();
    let _b = sem.acquire();
    assert!(sem.try_acquire().is_none());
    sem.release(0).unwrap();
    assert_eq!(sem.available(), 0);
}

/// CPython `BoundedSemaphoreTests.test_release_unacquired`: a release past the initial value
/// fails and changes nothing.
#[test]
fn bounded_release_past_the_initial_value_is_refused_and_changes_nothing() {
    let sem = Semaphore::bounded(1);
    assert_eq!(sem.release(1), Err(ReleaseError));
    assert_eq!(sem.available(), 1);
    sem.acquire().forget();
    assert_eq!(sem.available(), 0);
    assert_eq!(sem.release(2), Err(ReleaseError));
    assert_eq!(sem.available(), 0);
    assert_eq!(sem.release(1), Ok(()));
    assert_eq!(sem.release(1), Err(ReleaseError));
    assert_eq!(sem.available(), 1);

    // A permit given back by its drop always fits; a release on top of it does not.
    let permit = sem.acquire();
    assert_eq!(sem.release(1), Err(ReleaseError));
    drop(permit);
    assert_eq!(sem.available(), 1);
}

#[test]
fn release_past_max_permits_is_refused_and_changes_nothing() {
    let sem = Semaphore::new(Semaphore::MAX_PERMITS - 1);
    assert_eq!(sem.release(2), Err(ReleaseError));
    assert_eq!(sem.release(usize::MAX), Err(ReleaseError));
    assert_eq!(sem.available(), Semaphore::MAX_PERMITS - 1);
    sem.release(1).unwrap();
    assert_eq!(sem.available(), Semaphore::MAX_PERMITS);
}

#[test]
#[should_panic(expected = "MAX_PERMITS")]
fn new_past_max_permits_panics() {
    let _ = Semaphore::new(Semaphore::MAX_PERMITS + 1);
}

/// `release(n)` wakes `n` waiters at once.
#[test]
fn release_n_wakes_n_waiters() {
    let sem = Semaphore::new(0);
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let sem = sem.clone();
            thread::spawn(move || sem.acquire().forget())
        })
        .collect();
    wait_until("3 waiters sleep", || sem.waiting() == 3);
    sem.release(3).unwrap();
    for w in waiters {
        within(GUARD, move || w.join().unwrap());
    }
    assert_eq!(sem.available(), 0);
}

/// The contention test: 12 threads through a `Semaphore(3)`; at most 3 are ever
/// inside, measured with an atomic maximum, and every permit comes back.
#[test]
fn at_most_k_threads_are_inside_a_semaphore_of_k() {
    const K: usize = 3;
    let sem = Semaphore::new(K);
    let inside = AtomicUsize::new(0);
    let most = AtomicUsize::new(0);
    let passes = AtomicUsize::new(0);
    within(GUARD, move || {
        thread::scope(|s| {
            for _ in 0..12 {
                s.spawn(|| {
                    for _ in 0..300 {
                        let _permit = sem.acquire();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                        passes.fetch_add(1, Ordering::SeqCst);
                    }
                });
            }
        });
        assert!(most.load(Ordering::SeqCst) <= K, "{most:?} inside at once");
        assert_eq!(passes.load(Ordering::SeqCst), 12 * 300);
        assert_eq!(sem.available(), K);
    });
}

/// The bound is reached, not only respected: `K` holders meet at a barrier while holding
/// their permits, and a `K + 1`-th cannot get in meanwhile.
#[test]
fn k_threads_can_be_inside_at_once() {
    const K: usize = 3;
    let sem = Semaphore::new(K);
    let all_in = Barrier::new(K + 1);
    let checked = Barrier::new(K + 1);
    thread::scope(|s| {
        for _ in 0..K {
            s.spawn(|| {
                let _permit = sem.acquire();
                all_in.wait_timeout(GUARD).unwrap();
                checked.wait_timeout(GUARD).unwrap();
            });
        }
        all_in.wait_timeout(GUARD).unwrap();
        assert!(sem.try_acquire().is_none());
        assert_eq!(sem.available(), 0);
        checked.wait_timeout(GUARD).unwrap();
    });
    assert_eq!(sem.available(), K);
}

/// A permit may be moved to and dropped on another thread, and wakes a waiter there.
#[test]
fn a_permit_dropped_on_another_thread_wakes_a_waiter() {
    let sem = Semaphore::new(1);
    let permit = sem.acquire();
    let waiter = {
        let sem = sem.clone();
        thread::spawn(move || sem.acquire_timeout(GUARD).is_some())
    };
    wait_until("the waiter sleeps", || sem.waiting() == 1);
    thread::spawn(move || drop(permit)).join().unwrap();
    assert!(within(GUARD, move || waiter.join().unwrap()));
}

/// Waiters that time out leave nothing behind: a later release is not lost, and the
/// semaphore goes back to its fast path.
#[test]
fn timed_out_waiters_leave_the_semaphore_consistent() {
    let sem = Semaphore::new(0);
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert!(sem.acquire_timeout(Duration::from_millis(20)).is_none()));
        }
    });
    assert_eq!(sem.waiting(), 0);
    sem.release(1).unwrap();
    assert!(sem.try_acquire().is_some());
    assert_eq!(sem.available(), 1);
}

/// No lost wake-up: threads mixing `acquire`, `acquire_timeout`, `try_acquire` and
/// forget-then-`release(2)` on a `Semaphore(2)` all finish (a lost wake-up leaves a thread
/// asleep for ever, and `within` fails), and every permit is back at the end.
#[test]
fn mixed_acquires_and_releases_lose_no_wake_up_and_no_permit() {
    const K: usize = 2;
    within(GUARD, move || {
        let sem = Semaphore::new(K);
        let inside = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let check = |permits: usize| {
            let now = inside.fetch_add(permits, Ordering::SeqCst) + permits;
            most.fetch_max(now, Ordering::SeqCst);
            thread::yield_now();
            inside.fetch_sub(permits, Ordering::SeqCst);
        };
        thread::scope(|s| {
            for t in 0..8 {
                let (sem, check) = (&sem, &check);
                s.spawn(move || {
                    for i in 0..400 {
                        match (t + i) % 4 {
                            0 => {
                                let _p = sem.acquire();
                                check(1);
                            }
                            1 => {
                                if let Some(_p) = sem.acquire_timeout(Duration::from_micros(50)) {
                                    check(1);
                                }
                            }
                            2 => {
                                if let Some(_p) = sem.try_acquire() {
                                    check(1);
                                }
                            }
                            _ => {
                                // Both permits, kept with `forget`, then handed back in one
                                // `release(2)`, which must wake two waiters.
                                let a = sem.acquire();
                                let b = sem.acquire_timeout(Duration::from_micros(50));
                                let taken = 1 + usize::from(b.is_some());
                                check(taken);
                                a.forget();
                                if let Some(b) = b {
                                    b.forget();
                                }
                                sem.release(taken).unwrap();
                            }
                        }
                    }
                });
            }
        });
        assert!(most.load(Ordering::SeqCst) <= K, "{most:?} inside at once");
        assert_eq!(sem.available(), K);
        assert_eq!(sem.waiting(), 0);
    });
}
