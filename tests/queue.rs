//! WorkQueue semantics, ported from CPython's `Lib/test/test_queue.py` where they apply.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use support::{GUARD, capture_logs, panic_site, wait_until, within};
use threaded::{GetError, PutError, TaskDoneError, WorkQueue};

const SHORT: Duration = Duration::from_millis(30);

// --- basic: FIFO, full, empty (test_queue.py: simple_queue_test, test_basic) ---

#[test]
fn items_come_out_in_the_order_they_were_put() {
    let q = WorkQueue::new();
    for i in 0..100 {
        q.put(i).unwrap();
    }
    assert_eq!(q.len(), 100);
    let got: Vec<i32> = (0..100).map(|_| q.get().unwrap()).collect();
    assert_eq!(got, (0..100).collect::<Vec<_>>());
    assert!(q.is_empty());
}

#[test]
fn a_bounded_queue_is_full_at_capacity_and_try_put_hands_the_item_back() {
    let q = WorkQueue::bounded(3);
    assert!(q.is_empty() && !q.is_full());
    assert_eq!(q.capacity(), Some(3));
    for i in 0..3 {
        q.try_put(i).unwrap();
    }
    assert!(q.is_full() && !q.is_empty());
    assert_eq!(q.try_put(9), Err(PutError::Full(9)));
    assert_eq!(q.len(), 3);
    assert_eq!(q.try_get(), Ok(0));
    assert!(!q.is_full());
    q.try_put(3).unwrap();
    assert_eq!(
        (0..3).map(|_| q.try_get().unwrap()).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(q.try_get(), Err(GetError::Empty));
}

#[test]
fn unbounded_is_never_full() {
    let q = WorkQueue::new();
    for i in 0..10_000 {
        q.try_put(i).unwrap();
    }
    assert!(!q.is_full());
    assert_eq!(q.capacity(), None);
}

#[test]
#[should_panic(expected = "zero-capacity queue can never take a task")]
fn bounded_zero_panics() {
    let _ = WorkQueue::<u8>::bounded(0);
}

#[test]
fn timeouts_give_up_after_the_timeout() {
    let q = WorkQueue::bounded(1);
    let start = Instant::now();
    assert_eq!(q.get_timeout(SHORT), Err(GetError::Empty));
    assert!(start.elapsed() >= SHORT);

    q.put(1).unwrap();
    let start = Instant::now();
    assert_eq!(q.put_timeout(2, SHORT), Err(PutError::Full(2)));
    assert!(start.elapsed() >= SHORT);
    assert_eq!(q.unfinished_tasks(), 1, "a refused put is not counted");

    // Zero timeouts behave like the non-blocking calls.
    assert_eq!(q.put_timeout(3, Duration::ZERO), Err(PutError::Full(3)));
    assert_eq!(q.get_timeout(Duration::ZERO), Ok(1));
    assert_eq!(q.get_timeout(Duration::ZERO), Err(GetError::Empty));
}

#[test]
fn huge_timeouts_wait_for_ever_without_panicking() {
    let q = WorkQueue::bounded(1);
    q.put_timeout(1, Duration::MAX).unwrap();
    assert_eq!(q.get_timeout(Duration::MAX), Ok(1));
    q.task_done().unwrap();
    assert!(q.join_timeout(Duration::MAX));
}

// --- blocking calls released by another thread (test_queue.py: BlockingTestMixin) ---

#[test]
fn blocked_get_is_released_by_a_put() {
    let q = WorkQueue::new();
    let getter = {
        let q = q.clone();
        thread::spawn(move || q.get())
    };
    wait_until("the getter blocks", || q.waiters().getters == 1);
    q.put("x").unwrap();
    assert_eq!(within(GUARD, move || getter.join().unwrap()), Ok("x"));
    assert_eq!(q.waiters().getters, 0);
}

#[test]
fn blocked_timed_get_is_released_by_a_put() {
    let q = WorkQueue::new();
    let getter = {
        let q = q.clone();
        thread::spawn(move || q.get_timeout(Duration::from_secs(60)))
    };
    wait_until("the getter blocks", || q.waiters().getters == 1);
    q.put(7).unwrap();
    assert_eq!(within(GUARD, move || getter.join().unwrap()), Ok(7));
}

#[test]
fn blocked_put_is_released_by_a_get() {
    let q = WorkQueue::bounded(1);
    q.put(1).unwrap();
    let putter = {
        let q = q.clone();
        thread::spawn(move || q.put(2))
    };
    wait_until("the putter blocks", || q.waiters().putters == 1);
    assert_eq!(q.len(), 1, "the blocked put must not have gone in");
    assert_eq!(q.get(), Ok(1));
    assert_eq!(within(GUARD, move || putter.join().unwrap()), Ok(()));
    assert_eq!(q.get(), Ok(2));
    assert_eq!(q.unfinished_tasks(), 2);
}

#[test]
fn blocked_timed_put_is_released_by_a_get() {
    let q = WorkQueue::bounded(1);
    q.put(1).unwrap();
    let putter = {
        let q = q.clone();
        thread::spawn(move || q.put_timeout(2, Duration::from_secs(60)))
    };
    wait_until("the putter blocks", || q.waiters().putters == 1);
    assert_eq!(q.try_get(), Ok(1));
    assert_eq!(within(GUARD, move || putter.join().unwrap()), Ok(()));
    assert_eq!(q.try_get(), Ok(2));
}

#[test]
fn each_get_releases_one_blocked_putter() {
    let q = WorkQueue::bounded(1);
    q.put(0).unwrap();
    let putters: Vec<_> = (1..=3)
        .map(|i| {
            let q = q.clone();
            thread::spawn(move || q.put(i))
        })
        .collect();
    wait_until("three putters block", || q.waiters().putters == 3);
    let mut got = vec![];
    for _ in 0..4 {
        got.push(q.get_timeout(GUARD).unwrap());
    }
    for p in putters {
        within(GUARD, move || p.join().unwrap()).unwrap();
    }
    got.sort();
    assert_eq!(got, [0, 1, 2, 3]);
}

// --- task_done / join (test_queue.py: test_task_done, test_queue_join, test_queue_task_done) ---

#[test]
fn unfinished_tasks_counts_puts_and_task_dones() {
    let q = WorkQueue::new();
    assert_eq!(q.unfinished_tasks(), 0);
    q.put(1).unwrap();
    q.try_put(2).unwrap();
    q.put_timeout(3, SHORT).unwrap();
    assert_eq!(q.unfinished_tasks(), 3);
    q.get().unwrap();
    assert_eq!(q.unfinished_tasks(), 3, "get alone does not finish a task");
    q.task_done().unwrap();
    assert_eq!(q.unfinished_tasks(), 2);
    q.task_done().unwrap();
    q.task_done().unwrap();
    assert_eq!(q.unfinished_tasks(), 0);
}

#[test]
fn task_done_too_many_times_is_an_error_and_keeps_zero() {
    let q = WorkQueue::new();
    assert_eq!(q.task_done(), Err(TaskDoneError));
    assert_eq!(q.unfinished_tasks(), 0);
    q.put(1).unwrap();
    q.task_done().unwrap();
    assert_eq!(q.task_done(), Err(TaskDoneError));
    assert_eq!(q.unfinished_tasks(), 0);
    // The queue still works normally afterwards.
    q.put(2).unwrap();
    assert_eq!(q.unfinished_tasks(), 1);
}

#[test]
fn join_returns_at_once_at_zero_and_again() {
    let q = WorkQueue::<u8>::new();
    within(GUARD, move || {
        q.join();
        q.join();
        assert!(q.join_timeout(Duration::ZERO));
    });
}

#[test]
fn join_waits_for_the_last_task_done() {
    let q = WorkQueue::new();
    for i in 0..3 {
        q.put(i).unwrap();
    }
    for _ in 0..3 {
        q.get().unwrap();
    }
    assert!(!q.join_timeout(SHORT), "three items are unfinished");
    q.task_done().unwrap();
    q.task_done().unwrap();
    assert!(!q.join_timeout(SHORT), "one item is unfinished");
    q.task_done().unwrap();
    assert!(q.join_timeout(Duration::ZERO));
}

#[test]
fn join_from_many_threads_is_released_by_task_done() {
    let q = WorkQueue::new();
    q.put(()).unwrap();
    let joiner_threads: Vec<_> = (0..4)
        .map(|_| {
            let q = q.clone();
            thread::spawn(move || {
                q.join();
                q.unfinished_tasks()
            })
        })
        .collect();
    wait_until("four threads join", || q.waiters().joiners == 4);
    q.get().unwrap();
    q.task_done().unwrap();
    for j in joiner_threads {
        assert_eq!(within(GUARD, move || j.join().unwrap()), 0);
    }
    assert_eq!(q.waiters().joiners, 0);
    // Joining again after the release works, and blocks again for new work.
    q.put(()).unwrap();
    assert!(!q.join_timeout(SHORT));
}

#[test]
fn join_returns_once_the_workers_finished_every_item_twice_over() {
    // test_queue_join: workers sum items, join, then check the sum; twice.
    let q = WorkQueue::new();
    let total = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (q, total) = (q.clone(), Arc::clone(&total));
            thread::spawn(move || {
                while let Ok(n) = q.get() {
                    total.fetch_add(n, Ordering::SeqCst);
                    q.task_done().unwrap();
                }
            })
        })
        .collect();
    for round in 1..=2 {
        for n in 0..100 {
            q.put(n).unwrap();
        }
        let q2 = q.clone();
        within(GUARD, move || q2.join());
        assert_eq!(total.load(Ordering::SeqCst), round * 4950);
    }
    q.shutdown();
    for w in workers {
        within(GUARD, move || w.join().unwrap());
    }
}

// --- shutdown (test_queue.py: test_shutdown_*) ---

#[test]
fn a_shut_down_empty_queue_refuses_every_put_and_get() {
    let q = WorkQueue::<u8>::bounded(2);
    q.shutdown();
    assert!(q.is_shut_down());
    assert_eq!(q.put(1), Err(PutError::ShutDown(1)));
    assert_eq!(q.try_put(2), Err(PutError::ShutDown(2)));
    assert_eq!(q.put_timeout(3, SHORT), Err(PutError::ShutDown(3)));
    assert_eq!(q.try_get(), Err(GetError::ShutDown), "not Empty");
    assert_eq!(q.get(), Err(GetError::ShutDown));
    assert_eq!(q.unfinished_tasks(), 0);
}

#[test]
fn shutdown_put_checks_shutdown_before_full() {
    let q = WorkQueue::bounded(1);
    q.put(1).unwrap();
    q.shutdown();
    assert_eq!(q.try_put(2), Err(PutError::ShutDown(2)));
    let start = Instant::now();
    assert_eq!(q.put_timeout(3, GUARD), Err(PutError::ShutDown(3)));
    assert!(start.elapsed() < GUARD / 2, "must fail at once");
}

#[test]
fn shutdown_nonempty_drains_then_fails() {
    let q = WorkQueue::new();
    q.put("a").unwrap();
    q.put("b").unwrap();
    q.put("c").unwrap();
    q.shutdown();
    assert_eq!(q.put("d"), Err(PutError::ShutDown("d")));
    assert_eq!(q.get(), Ok("a"));
    assert_eq!(q.try_get(), Ok("b"));
    assert_eq!(q.get_timeout(SHORT), Ok("c"));
    assert_eq!(q.get(), Err(GetError::ShutDown));
    assert_eq!(q.try_get(), Err(GetError::ShutDown));
    assert_eq!(q.unfinished_tasks(), 3, "taken items are still unfinished");
}

#[test]
fn get_on_shut_down_empty_queue_fails_at_once_whatever_the_timeout() {
    let q = WorkQueue::<u8>::new();
    q.shutdown();
    // On its own thread, so a get that waited out its timeout fails the test
    // after GUARD instead of hanging it for an hour (or for ever).
    let results = within(GUARD, move || {
        (
            q.get_timeout(Duration::from_secs(3600)),
            q.get_timeout(Duration::MAX),
        )
    });
    assert_eq!(results, (Err(GetError::ShutDown), Err(GetError::ShutDown)));
}

#[test]
fn shutdown_wakes_blocked_getters() {
    let q = WorkQueue::<u8>::new();
    let getters: Vec<_> = (0..3)
        .map(|i| {
            let q = q.clone();
            thread::spawn(move || {
                if i == 0 {
                    q.get()
                } else {
                    q.get_timeout(Duration::from_secs(3600))
                }
            })
        })
        .collect();
    wait_until("three getters block", || q.waiters().getters == 3);
    q.shutdown();
    for g in getters {
        assert_eq!(
            within(GUARD, move || g.join().unwrap()),
            Err(GetError::ShutDown)
        );
    }
}

#[test]
fn shutdown_wakes_blocked_putters_and_hands_items_back() {
    let q = WorkQueue::bounded(1);
    q.put(0).unwrap();
    let putters: Vec<_> = (1..=3)
        .map(|i| {
            let q = q.clone();
            thread::spawn(move || {
                if i == 1 {
                    q.put(i)
                } else {
                    q.put_timeout(i, Duration::from_secs(3600))
                }
            })
        })
        .collect();
    wait_until("three putters block", || q.waiters().putters == 3);
    q.shutdown();
    let mut back: Vec<i32> = putters
        .into_iter()
        .map(|p| match within(GUARD, move || p.join().unwrap()) {
            Err(PutError::ShutDown(i)) => i,
            other => panic!("expected ShutDown, got {other:?}"),
        })
        .collect();
    back.sort();
    assert_eq!(back, [1, 2, 3]);
    assert_eq!(q.unfinished_tasks(), 1);
    assert_eq!(q.get(), Ok(0));
    assert_eq!(q.get(), Err(GetError::ShutDown));
}

#[test]
fn shutdown_does_not_release_join() {
    let q = WorkQueue::new();
    q.put(1).unwrap();
    q.put(2).unwrap();
    let joiner = {
        let q = q.clone();
        thread::spawn(move || q.join())
    };
    wait_until("a thread joins", || q.waiters().joiners == 1);
    q.shutdown();
    assert!(!q.join_timeout(SHORT), "queued items are still unfinished");
    assert!(!joiner.is_finished());
    q.get().unwrap();
    q.task_done().unwrap();
    assert!(!q.join_timeout(SHORT));
    q.get().unwrap();
    q.task_done().unwrap();
    within(GUARD, move || joiner.join().unwrap());
}

#[test]
fn shutdown_now_discards_and_counts_done() {
    let q = WorkQueue::new();
    for i in 0..5 {
        q.put(i).unwrap();
    }
    let joiner = {
        let q = q.clone();
        thread::spawn(move || q.join())
    };
    wait_until("a thread joins", || q.waiters().joiners == 1);
    q.shutdown_now();
    within(GUARD, move || joiner.join().unwrap());
    assert_eq!(q.unfinished_tasks(), 0);
    assert!(q.is_empty());
    assert_eq!(q.try_get(), Err(GetError::ShutDown));
    assert_eq!(q.put(9), Err(PutError::ShutDown(9)));
}

#[test]
fn shutdown_now_drops_the_discarded_items() {
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let q = WorkQueue::new();
    for _ in 0..4 {
        q.put(Counted(Arc::clone(&drops))).unwrap();
    }
    q.shutdown_now();
    assert_eq!(drops.load(Ordering::SeqCst), 4);
}

#[test]
fn shutdown_now_does_not_release_join_while_handed_out_items_are_unfinished() {
    // test_shutdown_get_task_done_join, immediate variant.
    let q = WorkQueue::new();
    for i in 0..4 {
        q.put(i).unwrap();
    }
    let held = q.get().unwrap();
    let task = q.get_task().unwrap();
    q.shutdown_now();
    assert_eq!(q.unfinished_tasks(), 2, "two handed out, two discarded");
    assert!(!q.join_timeout(SHORT));
    assert_eq!((held, *task), (0, 1));
    drop(task);
    assert!(!q.join_timeout(SHORT));
    q.task_done().unwrap();
    assert!(q.join_timeout(Duration::ZERO));
}

#[test]
fn shutdown_now_saturates_at_zero() {
    // task_done called for items still queued: discarding them must not underflow.
    let q = WorkQueue::new();
    q.put(1).unwrap();
    q.put(2).unwrap();
    q.task_done().unwrap();
    q.task_done().unwrap();
    q.shutdown_now();
    assert_eq!(q.unfinished_tasks(), 0);
    assert_eq!(q.task_done(), Err(TaskDoneError));
}

#[test]
fn shutdown_now_wakes_blocked_getters_and_putters() {
    let empty = WorkQueue::<u8>::new();
    let getter = {
        let q = empty.clone();
        thread::spawn(move || q.get())
    };
    let full = WorkQueue::bounded(1);
    full.put(0).unwrap();
    let putter = {
        let q = full.clone();
        thread::spawn(move || q.put(1))
    };
    wait_until("getter and putter block", || {
        empty.waiters().getters == 1 && full.waiters().putters == 1
    });
    empty.shutdown_now();
    full.shutdown_now();
    assert_eq!(
        within(GUARD, move || getter.join().unwrap()),
        Err(GetError::ShutDown)
    );
    assert_eq!(
        within(GUARD, move || putter.join().unwrap()),
        Err(PutError::ShutDown(1))
    );
    assert_eq!(full.unfinished_tasks(), 0);
}

#[test]
fn shutdown_twice_then_shutdown_now_discards_the_rest_and_counts_it_done() {
    // test_shutdown_allowed_transitions: shutdown twice, then immediately.
    let q = WorkQueue::new();
    q.put(1).unwrap();
    q.shutdown();
    q.shutdown();
    assert_eq!(q.len(), 1);
    q.shutdown_now();
    assert_eq!(q.len(), 0);
    assert_eq!(q.unfinished_tasks(), 0);
    q.shutdown_now();
    q.shutdown();
    assert!(q.is_shut_down());
}

// --- Task ---

#[test]
fn task_marks_done_once_on_drop() {
    let q = WorkQueue::new();
    q.put(String::from("a")).unwrap();
    q.put(String::from("b")).unwrap();
    let mut task = q.get_task().unwrap();
    task.push('!');
    assert_eq!(*task, "a!");
    assert_eq!(q.unfinished_tasks(), 2);
    drop(task);
    assert_eq!(q.unfinished_tasks(), 1);
    let _other = q.get().unwrap();
    assert_eq!(
        q.unfinished_tasks(),
        1,
        "dropping one task finished exactly one"
    );
}

#[test]
fn task_marks_done_while_unwinding() {
    let q = WorkQueue::new();
    q.put(1).unwrap();
    q.put(2).unwrap();
    let q2 = q.clone();
    let result = thread::spawn(move || {
        let _task = q2.get_task().unwrap();
        panic!("worker crashed");
    })
    .join();
    assert!(result.is_err());
    assert_eq!(q.unfinished_tasks(), 1);
    assert_eq!(q.get(), Ok(2));
}

#[test]
fn task_into_inner_marks_done_and_returns_item() {
    let q = WorkQueue::new();
    q.put(vec![1, 2, 3]).unwrap();
    let task = q.get_task().unwrap();
    assert_eq!(format!("{task:?}"), "Task { item: Some([1, 2, 3]), .. }");
    let v = task.into_inner();
    assert_eq!(v, [1, 2, 3]);
    assert_eq!(q.unfinished_tasks(), 0);
    assert!(q.join_timeout(Duration::ZERO));
}

#[test]
fn get_task_on_shut_down_queue() {
    let q = WorkQueue::<u8>::new();
    q.shutdown();
    assert_eq!(q.get_task().unwrap_err(), GetError::ShutDown);
}

// --- spawn_workers ---

#[test]
fn spawn_workers_survive_panics_log_them_and_mark_done() {
    let logs = capture_logs();

    let q = WorkQueue::new();
    let processed = Arc::new(Mutex::new(Vec::new()));
    let names = Arc::new(Mutex::new(Vec::new()));
    let workers = {
        let (processed, names) = (Arc::clone(&processed), Arc::clone(&names));
        q.spawn_workers(2, move |n: u32| {
            names
                .lock()
                .unwrap()
                .push(thread::current().name().unwrap().to_owned());
            if n % 10 == 3 {
                panic!("bad item {n}");
            }
            processed.lock().unwrap().push(n);
        })
    };
    assert_eq!(workers.len(), 2);
    for n in 0..40 {
        q.put(n).unwrap();
    }
    let q2 = q.clone();
    within(GUARD, move || q2.join());
    assert_eq!(q.unfinished_tasks(), 0);

    let mut done = processed.lock().unwrap().clone();
    done.sort();
    let expected: Vec<u32> = (0..40).filter(|n| n % 10 != 3).collect();
    assert_eq!(done, expected, "the workers went on after each panic");

    for name in names.lock().unwrap().iter() {
        assert!(
            name == "workqueue-worker-0" || name == "workqueue-worker-1",
            "{name}"
        );
    }
    let errors = logs.matching(log::Level::Error, &["bad item"]);
    assert_eq!(errors.len(), 4, "{errors:?}");
    for msg in errors {
        assert!(msg.contains("workqueue-worker-"), "{msg}");
    }

    q.shutdown();
    for w in workers {
        within(GUARD, move || w.join().unwrap());
    }
}

#[test]
fn spawn_workers_drain_before_exiting_on_shutdown() {
    let q = WorkQueue::new();
    for n in 0..1000u64 {
        q.put(n).unwrap();
    }
    q.shutdown(); // before any worker exists: they must still drain everything
    let sum = Arc::new(AtomicUsize::new(0));
    let s = Arc::clone(&sum);
    let workers = q.spawn_workers(3, move |n| {
        s.fetch_add(n as usize, Ordering::SeqCst);
    });
    for w in workers {
        within(GUARD, move || w.join().unwrap());
    }
    assert_eq!(sum.load(Ordering::SeqCst), 999 * 1000 / 2);
    assert_eq!(q.unfinished_tasks(), 0);
}

// --- errors ---

#[test]
fn errors_format_and_hand_back() {
    let full: PutError<Vec<u8>> = PutError::Full(vec![1]);
    let shut: PutError<Vec<u8>> = PutError::ShutDown(vec![2]);
    assert_eq!(format!("{full:?}"), "Full(..)");
    assert_eq!(format!("{shut:?}"), "ShutDown(..)");
    assert_eq!(full.to_string(), "put on a full queue");
    assert_eq!(shut.to_string(), "put on a shut-down queue");
    assert!(full.is_full() && !full.is_shut_down());
    assert!(shut.is_shut_down() && !shut.is_full());
    assert_eq!(full.into_inner(), [1]);
    assert_eq!(shut.into_inner(), [2]);

    assert_eq!(GetError::Empty.to_string(), "get on an empty queue");
    assert_eq!(
        GetError::ShutDown.to_string(),
        "get on a shut-down and drained queue"
    );
    assert_eq!(
        TaskDoneError.to_string(),
        "task_done() called more times than items were put"
    );
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(PutError::Full(()));
    assert_eq!(boxed.to_string(), "put on a full queue");
}

#[test]
fn queue_is_send_sync_clone_and_debug() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<WorkQueue<std::cell::Cell<u8>>>();
    let q = WorkQueue::bounded(4);
    q.put(1).unwrap();
    let text = format!("{q:?}");
    assert!(
        text.starts_with(
            "WorkQueue { len: 1, capacity: Some(4), unfinished_tasks: 1, shut_down: false"
        ),
        "{text}"
    );
    let clone = q.clone();
    clone.put(2).unwrap();
    assert_eq!(q.len(), 2, "clones share one queue");
}

/// `waiters` counts each kind of waiter on its own, and `Debug` shows the same numbers
/// under its own field names.
#[test]
fn waiters_counts_getters_putters_and_joiners_as_debug_shows_them() {
    let empty = WorkQueue::<u8>::new();
    let full = WorkQueue::bounded(1);
    full.put(0u8).unwrap();
    let getter = {
        let q = empty.clone();
        thread::spawn(move || q.get())
    };
    let putters: Vec<_> = (1..=2)
        .map(|v| {
            let q = full.clone();
            thread::spawn(move || q.put(v))
        })
        .collect();
    let joiner = {
        let q = full.clone();
        thread::spawn(move || q.join())
    };
    wait_until("a getter, two putters and a joiner wait", || {
        empty.waiters().getters == 1 && full.waiters().putters == 2 && full.waiters().joiners == 1
    });
    let (e, f) = (empty.waiters(), full.waiters());
    assert_eq!((e.putters, e.joiners, f.getters), (0, 0, 0));
    assert!(
        format!("{empty:?}").contains("blocked_getters: 1, blocked_putters: 0, joiners: 0"),
        "{empty:?}"
    );
    assert!(
        format!("{full:?}").contains("blocked_getters: 0, blocked_putters: 2, joiners: 1"),
        "{full:?}"
    );

    empty.put(7).unwrap();
    assert_eq!(within(GUARD, move || getter.join().unwrap()), Ok(7));
    full.shutdown_now();
    for p in putters {
        assert!(within(GUARD, move || p.join().unwrap()).is_err());
    }
    within(GUARD, move || joiner.join().unwrap());
    assert_eq!(empty.waiters().getters, 0);
    let f = full.waiters();
    assert_eq!((f.putters, f.joiners), (0, 0));
}

#[test]
fn queue_can_cross_catch_unwind() {
    fn assert_unwind_safe<T: std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}
    assert_unwind_safe::<WorkQueue<String>>();
    let q = WorkQueue::new();
    q.put(1).unwrap();
    let r = std::panic::catch_unwind(|| {
        let _task = q.get_task().unwrap();
        panic!("handler failed");
    });
    assert!(r.is_err());
    assert_eq!(q.unfinished_tasks(), 0);
}

#[test]
fn spawn_named_workers_refuses_a_nul_byte_at_the_callers_line_before_any_worker_starts() {
    let q = WorkQueue::<u8>::new();
    let mut expected = 0;
    let (message, site) = panic_site(|| {
        expected = line!() + 1;
        let _workers = q.spawn_named_workers("a\0b", 2, |_| {});
    });
    assert!(
        message.contains("nul byte") && message.contains("a\\0b"),
        "{message}"
    );
    assert_eq!(site, format!("{}:{expected}", file!()));
    // No worker took the queue's tasks: an item put now stays unclaimed.
    q.put(1).unwrap();
    assert_eq!(q.try_get(), Ok(1));
}
