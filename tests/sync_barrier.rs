//! `threaded::sync::Barrier`: CPython's `BarrierTests` (`Lib/test/lock_tests.py`) where they
//! map, plus the action's panic and the corner cases of timeouts. Every wait is bounded by
//! `GUARD`; nothing sleeps to synchronise.

mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use support::{GUARD, wait_until, within};
use threaded::sync::{Barrier, BrokenBarrierError};

/// CPython's `N`.
const N: usize = 5;

/// CPython's `run_threads`: `f` on `N - 1` new threads and on this one, all joined; bounded.
fn run_threads<F>(f: F)
where
    F: Fn() + Send + Sync + 'static,
{
    within(GUARD, move || {
        thread::scope(|s| {
            for _ in 0..N - 1 {
                s.spawn(&f);
            }
            f();
        });
    });
}

/// CPython `test_barrier`, `test_barrier_10`: passed in lockstep, round after round.
#[test]
fn threads_pass_in_lockstep_for_ten_rounds() {
    for passes in [1, 10] {
        let barrier = Barrier::new(N);
        let before = Arc::new(AtomicUsize::new(0));
        let after = Arc::new(AtomicUsize::new(0));
        let b = barrier.clone();
        run_threads(move || {
            assert_eq!(b.parties(), N);
            for i in 0..passes {
                before.fetch_add(1, Ordering::SeqCst);
                assert_eq!(after.load(Ordering::SeqCst), i * N);
                b.wait_timeout(GUARD).unwrap();
                after.fetch_add(1, Ordering::SeqCst);
                assert_eq!(before.load(Ordering::SeqCst), (i + 1) * N);
                b.wait_timeout(GUARD).unwrap();
            }
        });
        assert_eq!(barrier.n_waiting(), 0);
        assert!(!barrier.is_broken());
    }
}

/// CPython `test_wait_return`: each thread gets a different arrival index in `0..N`.
#[test]
fn wait_returns_every_arrival_index_once() {
    let barrier = Barrier::new(N);
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    run_threads(move || {
        let index = barrier.wait().unwrap();
        tx.lock().unwrap().send(index).unwrap();
    });
    let mut indexes: Vec<usize> = rx.try_iter().collect();
    indexes.sort_unstable();
    assert_eq!(indexes, (0..N).collect::<Vec<_>>());
}

/// CPython `test_action`: the action has run, once, before anyone is released.
#[test]
fn the_action_runs_once_before_any_thread_is_released() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&runs);
    let barrier = Barrier::with_action(N, move || {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let seen = Arc::clone(&runs);
    run_threads(move || {
        barrier.wait().unwrap();
        assert_eq!(seen.load(Ordering::SeqCst), 1);
    });
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

/// CPython `test_abort`: the thread with the middle index aborts; every other thread's next
/// wait fails, and the barrier stays broken. Stricter than CPython, whose threads may get the
/// error from the first wait, whose round had completed: here that wait always passes.
#[test]
fn abort_breaks_the_barrier_for_every_waiter() {
    let barrier = Barrier::new(N);
    let passed = Arc::new(AtomicUsize::new(0));
    let broken = Arc::new(AtomicUsize::new(0));
    let (b, p, k) = (barrier.clone(), passed.clone(), broken.clone());
    run_threads(move || {
        let index = b.wait().unwrap();
        if index == N / 2 {
            b.abort();
            return;
        }
        match b.wait() {
            Ok(_) => p.fetch_add(1, Ordering::SeqCst),
            Err(BrokenBarrierError) => k.fetch_add(1, Ordering::SeqCst),
        };
    });
    assert_eq!(passed.load(Ordering::SeqCst), 0);
    assert_eq!(broken.load(Ordering::SeqCst), N - 1);
    assert!(barrier.is_broken());
    // A wait on a broken barrier fails at once.
    assert_eq!(barrier.wait(), Err(BrokenBarrierError));
    assert_eq!(barrier.wait_timeout(Duration::MAX), Err(BrokenBarrierError));
}

/// CPython `test_reset`: a reset frees the waiting threads with an error, and the barrier
/// then works again.
#[test]
fn reset_frees_the_waiters_and_the_barrier_works_again() {
    let barrier = Barrier::new(N);
    let passed = Arc::new(AtomicUsize::new(0));
    let broken = Arc::new(AtomicUsize::new(0));
    let again = Arc::new(AtomicUsize::new(0));
    let (b, p, k, a) = (
        barrier.clone(),
        passed.clone(),
        broken.clone(),
        again.clone(),
    );
    run_threads(move || {
        let index = b.wait().unwrap();
        if index == N / 2 {
            wait_until("the others wait", || b.n_waiting() == N - 1);
            b.reset();
        } else {
            match b.wait() {
                Ok(_) => p.fetch_add(1, Ordering::SeqCst),
                Err(BrokenBarrierError) => k.fetch_add(1, Ordering::SeqCst),
            };
        }
        b.wait().unwrap();
        a.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(passed.load(Ordering::SeqCst), 0);
    assert_eq!(broken.load(Ordering::SeqCst), N - 1);
    assert_eq!(again.load(Ordering::SeqCst), N);
    assert!(!barrier.is_broken());
}

/// CPython `test_abort_and_reset`: a broken barrier is usable again after `reset`.
#[test]
fn a_broken_barrier_works_again_after_reset() {
    let barrier = Barrier::new(N);
    let sync = Barrier::new(N);
    let passed = Arc::new(AtomicUsize::new(0));
    let broken = Arc::new(AtomicUsize::new(0));
    let again = Arc::new(AtomicUsize::new(0));
    let (b, p, k, a) = (
        barrier.clone(),
        passed.clone(),
        broken.clone(),
        again.clone(),
    );
    run_threads(move || {
        let index = b.wait().unwrap();
        if index == N / 2 {
            b.abort();
        } else {
            match b.wait() {
                Ok(_) => p.fetch_add(1, Ordering::SeqCst),
                Err(BrokenBarrierError) => k.fetch_add(1, Ordering::SeqCst),
            };
        }
        // Everyone has left `b` before the reset, and nobody enters it before.
        if sync.wait().unwrap() == N / 2 {
            b.reset();
        }
        sync.wait().unwrap();
        b.wait().unwrap();
        a.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(passed.load(Ordering::SeqCst), 0);
    assert_eq!(broken.load(Ordering::SeqCst), N - 1);
    assert_eq!(again.load(Ordering::SeqCst), N);
}

/// CPython `test_timeout`: one thread is late; the others' timed waits break the barrier,
/// not before their timeout, and the late thread's wait then fails at once.
#[test]
fn a_timeout_breaks_the_barrier_for_everyone_and_never_comes_early() {
    const TIMEOUT: Duration = Duration::from_millis(50);
    let barrier = Barrier::new(N);
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let done_rx = std::sync::Mutex::new(done_rx);
    let done_tx = std::sync::Mutex::new(done_tx);
    let b = barrier.clone();
    run_threads(move || {
        let index = b.wait().unwrap();
        if index == N / 2 {
            // Late: arrives only once the others have given up.
            let done = done_rx.lock().unwrap();
            for _ in 0..N - 1 {
                done.recv_timeout(GUARD).unwrap();
            }
            assert_eq!(b.wait_timeout(GUARD), Err(BrokenBarrierError));
            return;
        }
        // The first timeout to fire breaks the barrier for the others too, so only a lone
        // waiter (below) shows that a timeout never comes early.
        assert_eq!(b.wait_timeout(TIMEOUT), Err(BrokenBarrierError));
        done_tx.lock().unwrap().send(()).unwrap();
    });
    assert!(barrier.is_broken());

    // A lone waiter's timeout is not early.
    let lone = Barrier::new(2);
    for timeout in [Duration::ZERO, Duration::from_millis(1), TIMEOUT] {
        lone.reset();
        let started = Instant::now();
        assert_eq!(lone.wait_timeout(timeout), Err(BrokenBarrierError));
        assert!(started.elapsed() >= timeout, "returned before {timeout:?}");
        assert!(lone.is_broken());
    }
}

/// CPython `test_single_thread`.
#[test]
fn a_barrier_of_one_passes_at_once() {
    let barrier = Barrier::new(1);
    assert_eq!(barrier.wait(), Ok(0));
    assert_eq!(barrier.wait(), Ok(0));
}

#[test]
#[should_panic(expected = "at least one party")]
fn a_barrier_of_zero_panics() {
    let _ = Barrier::new(0);
}

/// `Duration::MAX` is "for ever": the round completes, nothing panics.
#[test]
fn wait_timeout_duration_max_waits_for_the_round() {
    let barrier = Barrier::new(2);
    let other = {
        let barrier = barrier.clone();
        thread::spawn(move || barrier.wait_timeout(Duration::MAX))
    };
    wait_until("the other thread waits", || barrier.n_waiting() == 1);
    let mine = barrier.wait_timeout(Duration::MAX).unwrap();
    let theirs = within(GUARD, move || other.join().unwrap()).unwrap();
    assert_eq!(mine + theirs, 1);
    assert_eq!(barrier.n_waiting(), 0);
}

/// The panic-safety test: an action that panics breaks the barrier, the other
/// threads get the error, and the panic reaches the thread that ran the action.
#[test]
fn a_panicking_action_breaks_the_barrier_and_reaches_its_thread() {
    let first = Arc::new(AtomicBool::new(true));
    let runs = Arc::new(AtomicUsize::new(0));
    let (f, r) = (first.clone(), runs.clone());
    let barrier = Barrier::with_action(3, move || {
        r.fetch_add(1, Ordering::SeqCst);
        assert!(!f.swap(false, Ordering::SeqCst), "the action fails");
    });
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let barrier = barrier.clone();
            thread::spawn(move || barrier.wait_timeout(GUARD))
        })
        .collect();
    let outcomes: Vec<_> = threads
        .into_iter()
        .map(|t| within(GUARD, move || t.join()))
        .collect();
    let panicked: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert_eq!(panicked.len(), 1, "the thread that ran the action panics");
    let message = panicked[0].downcast_ref::<&str>().copied();
    assert_eq!(message, Some("the action fails"));
    let errors = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(Err(BrokenBarrierError))))
        .count();
    assert_eq!(errors, 2);
    assert!(barrier.is_broken());
    assert_eq!(barrier.n_waiting(), 0);

    // Reset: the next round runs the action again and passes.
    barrier.reset();
    let b = barrier.clone();
    within(GUARD, move || {
        thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| b.wait().unwrap());
            }
        });
    });
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

/// A waiter whose timeout passes while the round's action runs is not the one that breaks
/// the round: as in CPython, where the action holds the barrier's lock, the round passes.
#[test]
fn a_timeout_that_passes_during_a_slow_action_does_not_break_the_round() {
    // Long enough that this thread, already running, arrives before it passes.
    const TIMEOUT: Duration = Duration::from_millis(300);
    let barrier = Barrier::with_action(2, || {
        thread::sleep(TIMEOUT * 2); // the action's own work, longer than the timeout
    });
    let early = {
        let barrier = barrier.clone();
        thread::spawn(move || barrier.wait_timeout(TIMEOUT))
    };
    wait_until("the early thread waits", || barrier.n_waiting() == 1);
    let started = Instant::now();
    // The last arrival runs the action, during which the early thread's timeout passes.
    assert_eq!(barrier.wait_timeout(GUARD), Ok(1));
    assert!(started.elapsed() >= TIMEOUT * 2);
    assert_eq!(within(GUARD, move || early.join().unwrap()), Ok(0));
    assert!(!barrier.is_broken());
}

#[test]
fn debug_shows_parties_waiting_and_broken() {
    let barrier = Barrier::new(3);
    assert_eq!(
        format!("{barrier:?}"),
        "Barrier { parties: 3, n_waiting: 0, broken: false, .. }"
    );
    barrier.abort();
    assert!(format!("{barrier:?}").contains("broken: true"));
    // The errors: Display for people, and the traits API.md promises.
    fn assert_error<E: std::error::Error + Clone + Copy + PartialEq + Eq>() {}
    assert_error::<BrokenBarrierError>();
    assert_error::<threaded::sync::ReleaseError>();
    assert_eq!(BrokenBarrierError.to_string(), "the barrier is broken");
}
