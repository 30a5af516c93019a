//! A value's `Drop` that panics must not leave the queue half-updated, nor kill a worker.

mod support;

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use support::{GUARD, wait_until, within};
use threaded::{GetError, PutError, WorkQueue};

/// An item whose `Drop` panics when `armed`.
struct Grenade {
    armed: bool,
    dropped: Arc<AtomicUsize>,
}

impl Drop for Grenade {
    fn drop(&mut self) {
        self.dropped.fetch_add(1, Ordering::SeqCst);
        if self.armed && !thread::panicking() {
            panic!("a queued item's Drop panicked");
        }
    }
}

/// Regression: `shutdown_now()` discarding an item whose `Drop` panics used to stop half-way:
/// the blocked putter was never woken, `unfinished_tasks()` stayed 1 with `len()` 0, and
/// `join` hung.
#[test]
fn shutdown_now_with_a_panicking_drop_still_discards_counts_and_wakes_everyone() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let grenade = |armed| Grenade {
        armed,
        dropped: Arc::clone(&dropped),
    };
    let q = WorkQueue::bounded(2);
    q.put(grenade(true)).unwrap();
    q.put(grenade(false)).unwrap();
    let putter = {
        let q = q.clone();
        let late = grenade(false);
        thread::spawn(move || q.put(late))
    };
    wait_until("the putter blocks on the full queue", || {
        q.waiters().putters == 1
    });

    let result = panic::catch_unwind(AssertUnwindSafe(|| q.shutdown_now()));
    let payload = result.expect_err("the item's panic reaches the caller of shutdown_now");
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"a queued item's Drop panicked")
    );

    // Both queued items were discarded and counted done, despite the panic in the first.
    assert_eq!(dropped.load(Ordering::SeqCst), 2);
    assert_eq!(q.len(), 0);
    assert_eq!(q.unfinished_tasks(), 0);
    assert!(q.is_shut_down());
    // The blocked putter woke and got its item back.
    let refused = within(GUARD, move || putter.join().unwrap());
    assert!(matches!(refused, Err(PutError::ShutDown(_))));
    drop(refused);
    assert_eq!(dropped.load(Ordering::SeqCst), 3);
    // And join returns.
    let q2 = q.clone();
    within(GUARD, move || q2.join());
    assert_eq!(q.try_get().err(), Some(GetError::ShutDown));
}

/// A panic payload whose own `Drop` panics.
struct PanicsOnDrop;

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("the payload's Drop panicked");
    }
}

/// Regression: a `spawn_workers` job that panicked with a payload whose `Drop` panics
/// killed its worker (the second panic escaped while the payload was dropped), and `join`
/// hung with the remaining items unfinished.
#[test]
fn a_worker_survives_a_panic_payload_that_panics_on_drop() {
    let q = WorkQueue::new();
    let done = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&done);
    // One worker, so the rest of the items can only be processed if it survives.
    let workers = q.spawn_named_workers("grenade", 1, move |n: u32| {
        if n == 0 {
            panic::panic_any(PanicsOnDrop);
        }
        seen.fetch_add(1, Ordering::SeqCst);
    });
    for n in 0..5 {
        q.put(n).unwrap();
    }
    let q2 = q.clone();
    within(GUARD, move || q2.join());
    assert_eq!(done.load(Ordering::SeqCst), 4);
    assert_eq!(q.unfinished_tasks(), 0);
    q.shutdown();
    for w in workers {
        assert_eq!(w.thread().name(), Some("grenade-0"));
        within(GUARD, move || w.join()).expect("the worker exits normally");
    }
}

/// `for task in q.tasks()`: each item once, done as each `Task` drops (a panicking loop body
/// included), and the loop ends when the queue is shut down and drained.
#[test]
fn tasks_iterates_until_shutdown_and_marks_each_done() {
    let q = WorkQueue::new();
    for n in 0..10u32 {
        q.put(n).unwrap();
    }
    q.shutdown();
    let mut seen = Vec::new();
    let mut tasks = q.tasks();
    for task in tasks.by_ref() {
        let n = *task;
        seen.push(n);
        if n == 3 {
            let r = panic::catch_unwind(AssertUnwindSafe(move || {
                let _task = task;
                panic!("loop body crashed on 3");
            }));
            assert!(r.is_err());
        }
        assert_eq!(q.unfinished_tasks(), 10 - seen.len() + usize::from(n != 3));
    }
    assert_eq!(seen, (0..10).collect::<Vec<_>>());
    assert_eq!(q.unfinished_tasks(), 0);
    assert!(tasks.next().is_none(), "stays ended");
}
