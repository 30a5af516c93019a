//! Model checks of WorkQueue's protocol: every interleaving of a few threads, under loom.
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 \
//!     cargo test -p threaded-runtime --release --test loom_queue
//! ```
//!
//! Each model is 2 or 3 threads, as tokio's `loom_*.rs` models are. The queue runs on loom's
//! atomics, mutexes and parking (and a loom-visible channel in place of flume), so a lost
//! wake-up shows as a deadlock, a stranded or duplicated item as a failed assertion. The
//! models use no timeouts (loom has no clock).

#![cfg(loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering::SeqCst};
use loom::thread;
use threaded_runtime::{GetError, PutError, WorkQueue};

/// A put racing `shutdown`: the item is either refused (and handed back) or delivered to a
/// getter that drains until `ShutDown` — never stranded, never duplicated.
#[test]
fn put_racing_shutdown_is_refused_or_delivered() {
    loom::model(|| {
        let q = WorkQueue::new();
        let putter = {
            let q = q.clone();
            thread::spawn(move || q.put(7u32))
        };
        let stopper = {
            let q = q.clone();
            thread::spawn(move || q.shutdown())
        };
        let mut got = Vec::new();
        loop {
            match q.get() {
                Ok(v) => {
                    got.push(v);
                    q.task_done().unwrap();
                }
                Err(GetError::ShutDown) => break,
                Err(GetError::Empty) => unreachable!("a blocking get never times out"),
            }
        }
        stopper.join().unwrap();
        match putter.join().unwrap() {
            Ok(()) => assert_eq!(got, [7]),
            Err(PutError::ShutDown(v)) => {
                assert_eq!(v, 7);
                assert!(got.is_empty());
            }
            Err(PutError::Full(_)) => unreachable!("unbounded"),
        }
        assert_eq!(q.unfinished_tasks(), 0);
    });
}

/// `join` returns only after the item's `task_done`, whoever runs first.
#[test]
fn join_waits_for_task_done() {
    loom::model(|| {
        let q = WorkQueue::new();
        let processed = Arc::new(AtomicBool::new(false));
        q.put(1u8).unwrap();
        let worker = {
            let q = q.clone();
            let processed = Arc::clone(&processed);
            thread::spawn(move || {
                assert_eq!(q.get(), Ok(1));
                processed.store(true, SeqCst);
                q.task_done().unwrap();
            })
        };
        q.join();
        assert!(processed.load(SeqCst), "join returned before task_done");
        assert_eq!(q.task_done(), Err(threaded_runtime::TaskDoneError));
        worker.join().unwrap();
    });
}

/// Two getters, two puts: both items are taken, each once, and neither getter sleeps for
/// ever — also when a put sees the other getter spinning and wakes nobody.
#[test]
fn two_getters_two_puts_no_lost_wakeup() {
    loom::model(|| {
        let q = WorkQueue::new();
        let getters: Vec<_> = (0..2)
            .map(|_| {
                let q = q.clone();
                thread::spawn(move || q.get().unwrap())
            })
            .collect();
        q.put(1u32).unwrap();
        q.put(2u32).unwrap();
        let mut got: Vec<u32> = getters.into_iter().map(|g| g.join().unwrap()).collect();
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
        assert!(q.is_empty());
    });
}

/// One getter already asleep, a second one spinning: puts that see the spinner wake
/// nobody, so when the spinner leaves with one item it must wake the sleeper for the other.
#[test]
fn a_spinner_passes_on_the_wake_up_it_took() {
    loom::model(|| {
        let q = WorkQueue::new();
        let sleeper = {
            let q = q.clone();
            thread::spawn(move || q.get().unwrap())
        };
        while q.waiters().getters == 0 {
            thread::yield_now();
        }
        let spinner = {
            let q = q.clone();
            thread::spawn(move || q.get().unwrap())
        };
        q.put(1u32).unwrap();
        q.put(2u32).unwrap();
        let mut got = [sleeper.join().unwrap(), spinner.join().unwrap()];
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
    });
}

/// A putter blocked on a full bounded queue is woken by the get that frees the slot.
#[test]
fn a_blocked_putter_wakes_when_a_slot_frees() {
    loom::model(|| {
        let q = WorkQueue::bounded(1);
        q.put(1u32).unwrap();
        let putter = {
            let q = q.clone();
            thread::spawn(move || q.put(2).unwrap())
        };
        assert_eq!(q.get(), Ok(1));
        putter.join().unwrap();
        assert_eq!(q.get(), Ok(2));
    });
}

/// `shutdown_now` racing a put and a joiner: whatever was queued is discarded and counted
/// done, so `join` returns; a refused put gets its item back.
#[test]
fn shutdown_now_releases_join() {
    loom::model(|| {
        let q = WorkQueue::new();
        q.put(1u32).unwrap();
        let putter = {
            let q = q.clone();
            thread::spawn(move || q.put(2).map_err(PutError::into_inner))
        };
        let joiner = {
            let q = q.clone();
            thread::spawn(move || q.join())
        };
        q.shutdown_now();
        let put = putter.join().unwrap();
        // A put that landed before the shutdown was discarded with the rest; a later one
        // was refused. Either way nothing is left to do, and the joiner returns.
        assert!(matches!(put, Ok(()) | Err(2)));
        joiner.join().unwrap();
        assert_eq!(q.unfinished_tasks(), 0);
        assert_eq!(q.try_get(), Err(GetError::ShutDown));
    });
}
