//! Unit tests that need the queue's private state.

use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::SeqCst;
use std::thread;
use std::time::{Duration, Instant};

use super::WorkQueue;

/// How often a get found the queue shut down with a put still in flight.
pub(super) static INFLIGHT_WAITS: AtomicUsize = AtomicUsize::new(0);

/// A put counted in flight before the shutdown may still land: a get on the shut-down,
/// empty queue waits for it instead of reporting `ShutDown` and leaving it stranded.
/// The put is held half-way by hand, so the race is not left to chance.
#[test]
fn a_get_waits_for_a_put_in_flight_at_shutdown() {
    let q = WorkQueue::<u32>::new();
    q.inner.begin_put_by_hand();
    q.shutdown();
    let before = INFLIGHT_WAITS.load(SeqCst);
    let getter = {
        let q = q.clone();
        thread::spawn(move || q.try_get())
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while INFLIGHT_WAITS.load(SeqCst) == before {
        assert!(
            Instant::now() < deadline,
            "the get never waited for the put in flight (it must have given up)"
        );
        thread::yield_now();
    }
    q.inner.finish_put_by_hand(7);
    assert_eq!(getter.join().unwrap(), Ok(7));
    q.task_done().unwrap();
    assert_eq!(q.unfinished_tasks(), 0);
}

/// `task_done` checks its count against a copy of the settled puts kept on the consumers'
/// line; once that copy is used up it must look at the real count again, not refuse.
#[test]
fn task_done_refreshes_its_copy_of_the_put_count() {
    let q = WorkQueue::new();
    for round in 0..3u32 {
        for i in 0..5 {
            q.put(round * 10 + i).unwrap();
        }
        for _ in 0..5 {
            q.get().unwrap();
            q.task_done().unwrap();
        }
        assert!(
            q.task_done().is_err(),
            "one task_done too many, round {round}"
        );
        assert_eq!(q.unfinished_tasks(), 0);
    }
}
