//! `threaded::sync::RLock`: CPython's `BaseLockTests` and `RLockTests`
//! (`Lib/test/lock_tests.py`) where they map, plus panic safety. Every wait is bounded by
//! `GUARD`; nothing sleeps to synchronise.

mod support;

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use support::{GUARD, wait_until, within};
use threaded::sync::RLock;

/// Whether another thread could take `lock` now.
fn free_for_others<T: Send>(lock: &RLock<T>) -> bool {
    thread::scope(|s| s.spawn(|| lock.try_lock().is_some()).join().unwrap())
}

#[test]
fn rlock_is_send_and_sync_for_send_data() {
    fn assert_send_sync<T: Send + Sync>() {}
    // `Cell` is `Send` but not `Sync`: the lock is what makes sharing it sound.
    assert_send_sync::<RLock<Cell<u32>>>();
    assert_send_sync::<RLock<RefCell<Vec<String>>>>();
}

/// CPython `test_acquire_release`, `test_try_acquire`.
#[test]
fn lock_and_try_lock_succeed_on_a_free_lock_and_release_on_drop() {
    let lock = RLock::new(7);
    assert_eq!(*lock.lock(), 7);
    assert!(free_for_others(&lock));
    assert_eq!(lock.try_lock().as_deref(), Some(&7));
    assert!(free_for_others(&lock));
}

/// CPython `test_try_acquire_contended`.
#[test]
fn another_thread_cannot_try_lock_a_held_lock() {
    let lock = RLock::new(());
    let guard = lock.lock();
    assert!(!free_for_others(&lock));
    drop(guard);
    assert!(free_for_others(&lock));
}

/// CPython `test_acquire_contended`: five threads block until the lock is released.
#[test]
fn contended_lock_blocks_until_released() {
    let lock = Arc::new(RLock::new(()));
    let started = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let guard = lock.lock();
    let threads: Vec<_> = (0..5)
        .map(|_| {
            let (lock, started, finished) = (lock.clone(), started.clone(), finished.clone());
            thread::spawn(move || {
                started.fetch_add(1, Ordering::SeqCst);
                drop(lock.lock());
                finished.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    wait_until("5 threads started", || started.load(Ordering::SeqCst) == 5);
    assert_eq!(finished.load(Ordering::SeqCst), 0);
    drop(guard);
    for t in threads {
        within(GUARD, move || t.join().unwrap());
    }
    assert_eq!(finished.load(Ordering::SeqCst), 5);
}

/// CPython `test_with`: released at the end of the scope, also when the scope panics.
#[test]
fn a_panic_inside_the_scope_releases_the_lock() {
    let lock = RLock::new(RefCell::new(0));
    let with = |fail: bool| {
        let guard = lock.lock();
        *guard.borrow_mut() += 1;
        assert!(!fail, "boom");
    };
    with(false);
    assert!(free_for_others(&lock));
    assert!(panic::catch_unwind(AssertUnwindSafe(|| with(true))).is_err());
    assert!(free_for_others(&lock));
    assert_eq!(*lock.lock().borrow(), 2);
}

/// The panic-safety test: a thread that panics holding the lock twice releases it;
/// there is no poisoning.
#[test]
fn a_thread_that_panics_holding_the_lock_releases_it() {
    let lock = Arc::new(RLock::new(Cell::new(0)));
    let crashing = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            let outer = lock.lock();
            let inner = lock.lock();
            outer.set(1);
            inner.set(2);
            panic!("crash while holding the lock twice");
        })
    };
    assert!(within(GUARD, move || crashing.join().is_err()));
    let guard = lock.lock_timeout(GUARD).expect("the lock was released");
    assert_eq!(guard.get(), 2);
}

/// CPython `test_timeout`: a huge timeout is accepted; a free lock is taken at once; a held
/// one times out, never early.
#[test]
fn lock_timeout_takes_a_free_lock_and_never_times_out_early() {
    let lock = RLock::new(());
    drop(lock.lock_timeout(Duration::MAX).expect("free"));
    let started = Instant::now();
    drop(lock.lock_timeout(Duration::from_secs(5)).expect("free"));
    assert!(started.elapsed() < Duration::from_secs(5));

    let guard = lock.lock();
    thread::scope(|s| {
        s.spawn(|| {
            for timeout in [
                Duration::ZERO,
                Duration::from_millis(1),
                Duration::from_millis(50),
            ] {
                let started = Instant::now();
                assert!(lock.lock_timeout(timeout).is_none());
                assert!(started.elapsed() >= timeout, "returned before {timeout:?}");
            }
        });
    });
    drop(guard);
}

/// A thread waiting with `Duration::MAX` gets the lock when it is released.
#[test]
fn lock_timeout_duration_max_waits_for_the_release() {
    let lock = Arc::new(RLock::new(()));
    let guard = lock.lock();
    let (tx, rx) = mpsc::channel();
    let waiter = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            tx.send(()).unwrap();
            lock.lock_timeout(Duration::MAX).is_some()
        })
    };
    rx.recv_timeout(GUARD).unwrap();
    drop(guard);
    assert!(within(GUARD, move || waiter.join().unwrap()));
}

/// `RLockTests.test_reacquire`: the owner takes the lock again with `lock`, `try_lock` and
/// `lock_timeout`, and it is released only with its last guard.
#[test]
fn the_owner_may_lock_again_with_every_method() {
    let lock = RLock::new(Cell::new(0));
    let a = lock.lock();
    let b = lock.try_lock().expect("try_lock by the owner");
    let c = lock
        .lock_timeout(Duration::ZERO)
        .expect("lock_timeout by the owner");
    let d = lock.lock();
    a.set(1);
    d.set(d.get() + b.get() + c.get());
    assert_eq!(a.get(), 3);
    drop(a);
    drop(b);
    drop(c);
    assert!(!free_for_others(&lock), "one guard is still alive");
    drop(d);
    assert!(free_for_others(&lock));
}

/// `RLockTests.test__is_owned`: ownership is per thread.
#[test]
fn ownership_is_per_thread() {
    let lock = Arc::new(RLock::new(()));
    let owner_ready = Arc::new(threaded::sync::Barrier::new(2));
    let checked = Arc::new(threaded::sync::Barrier::new(2));
    let owner = {
        let (lock, owner_ready, checked) = (lock.clone(), owner_ready.clone(), checked.clone());
        thread::spawn(move || {
            let _first = lock.lock();
            let _second = lock.lock();
            owner_ready.wait_timeout(GUARD).unwrap();
            checked.wait_timeout(GUARD).unwrap();
        })
    };
    owner_ready.wait_timeout(GUARD).unwrap();
    // Held twice by the owner: the main thread cannot get it, re-entrant or not.
    assert!(lock.try_lock().is_none());
    assert!(lock.lock_timeout(Duration::from_millis(10)).is_none());
    checked.wait_timeout(GUARD).unwrap();
    within(GUARD, move || owner.join().unwrap());
    assert!(lock.try_lock().is_some());
}

#[test]
fn into_inner_get_mut_and_debug() {
    let mut lock = RLock::new(vec![1]);
    lock.get_mut().push(2);
    assert_eq!(format!("{lock:?}"), "RLock { data: [1, 2], .. }");
    thread::scope(|s| {
        let _guard = lock.lock();
        let lock = &lock;
        let seen = s.spawn(move || format!("{lock:?}")).join().unwrap();
        assert_eq!(seen, "RLock { data: <locked>, .. }");
    });
    assert_eq!(lock.into_inner(), [1, 2]);
}
