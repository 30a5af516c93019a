//! `threaded::pool` semantics. Where a test maps to one of CPython's
//! `Lib/test/test_concurrent_futures/` (test_future.py, test_thread_pool.py,
//! executor.py, test_shutdown.py, test_as_completed.py, test_wait.py), the
//! comment above it names the original.

mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use support::{GUARD, wait_until, within};
use threaded::pool::{Job, JobError, ThreadPool, as_completed};

/// A job that blocks until the test lets it go: `release()` or dropping the gate.
fn gated(pool: &ThreadPool) -> (mpsc::Sender<()>, Job<()>) {
    let (go, wait) = mpsc::channel::<()>();
    let job = pool.submit(move || {
        // Bounded: a test that fails before releasing does not hang the worker.
        let _ = wait.recv_timeout(GUARD);
    });
    (go, job)
}

/// Counts its drops; the `Drop` of a closure that captured it shows it was dropped.
struct DropCount(Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn assert_send_sync<T: Send + Sync>() {}
fn assert_send<T: Send>() {}

#[test]
fn types_are_send_and_sync() {
    assert_send_sync::<ThreadPool>();
    assert_send_sync::<Job<String>>();
    assert_send::<JobError>();
    assert_send::<threaded::pool::AsCompleted<String>>();
}

// --- executor.py: test_submit, test_submit_keyword ---

#[test]
fn submit_returns_the_result() {
    let pool = ThreadPool::new(2);
    let job = pool.submit(|| 2_u64.pow(8));
    assert_eq!(job.join().unwrap(), 256);
    let words = ["a".to_owned(), "b".to_owned()];
    let job = pool.submit(move || words.join("+"));
    assert_eq!(job.join().unwrap(), "a+b");
}

// --- test_thread_pool.py: test_max_workers_negative (ValueError on 0) ---

#[test]
fn zero_workers_is_refused() {
    let error = ThreadPool::builder().workers(0).build().unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    let panic = std::panic::catch_unwind(|| ThreadPool::new(0)).unwrap_err();
    let message = panic.downcast_ref::<&str>().copied().unwrap_or_default();
    assert!(message.contains("at least one worker"), "{message}");
}

#[test]
fn nul_in_the_name_is_refused() {
    let error = ThreadPool::builder().name("a\0b").build().unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}

// --- test_thread_pool.py: test_thread_names_assigned (thread_name_prefix) ---

#[test]
fn workers_are_named_name_dash_index() {
    let workers = 4;
    let pool = ThreadPool::builder()
        .workers(workers)
        .name("download")
        .stack_size(256 * 1024)
        .build()
        .unwrap();
    // All four at once, so each runs on a different worker.
    let barrier = Arc::new(Barrier::new(workers));
    let jobs: Vec<_> = (0..workers)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            pool.submit(move || {
                barrier.wait();
                thread::current().name().unwrap().to_owned()
            })
        })
        .collect();
    let names: HashSet<String> = within(GUARD, move || {
        jobs.into_iter().map(|job| job.join().unwrap()).collect()
    });
    let expected: HashSet<String> = (0..workers).map(|i| format!("download-{i}")).collect();
    assert_eq!(names, expected);
}

#[test]
fn default_name_is_pool() {
    let pool = ThreadPool::new(1);
    let name = pool.submit(|| thread::current().name().map(str::to_owned));
    assert_eq!(name.join().unwrap().as_deref(), Some("pool-0"));
}

// --- test_thread_pool.py: test_default_workers (min(32, cpu_count + 4)) ---

#[test]
fn global_pool_has_pythons_default_size() {
    let cores = thread::available_parallelism().map_or(1, usize::from);
    let pool = ThreadPool::global();
    assert_eq!(pool.workers(), (cores + 4).min(32));
    assert!(std::ptr::eq(pool, ThreadPool::global()));
    let name = pool.submit(|| thread::current().name().map(str::to_owned));
    assert!(name.join().unwrap().unwrap().starts_with("global-pool-"));
}

#[test]
fn at_most_workers_jobs_run_at_once() {
    let workers = 3;
    let pool = ThreadPool::new(workers);
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    // The first `workers` jobs meet at a barrier: the pool does reach its size.
    let barrier = Arc::new(Barrier::new(workers));
    let jobs: Vec<_> = (0..60)
        .map(|i| {
            let (running, peak, barrier) = (
                Arc::clone(&running),
                Arc::clone(&peak),
                Arc::clone(&barrier),
            );
            pool.submit(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                if i < workers {
                    barrier.wait();
                }
                for _ in 0..50 {
                    thread::yield_now();
                }
                running.fetch_sub(1, Ordering::SeqCst);
            })
        })
        .collect();
    within(GUARD, move || {
        jobs.into_iter().for_each(|job| job.join().unwrap())
    });
    assert_eq!(peak.load(Ordering::SeqCst), workers);
}

// --- test_future.py: test_result_with_exception; plus: the worker survives ---

#[test]
fn a_panicking_job_is_an_err_and_its_worker_survives() {
    let pool = ThreadPool::new(1);
    let before = pool.submit(|| thread::current().id()).join().unwrap();
    let error = pool
        .submit(|| -> u32 { panic!("job {} failed", 2) })
        .join()
        .unwrap_err();
    assert!(error.is_panicked());
    assert_eq!(error.panic_message(), Some("job 2 failed"));
    assert_eq!(error.to_string(), "job panicked: job 2 failed");
    assert_eq!(format!("{error:?}"), r#"Panicked("job 2 failed")"#);
    let after = pool.submit(|| thread::current().id()).join().unwrap();
    assert_eq!(before, after, "the same worker thread took the next job");
}

#[test]
fn a_non_string_panic_keeps_its_payload() {
    let pool = ThreadPool::new(1);
    let error = pool
        .submit(|| std::panic::panic_any(7_i32))
        .join()
        .unwrap_err();
    assert_eq!(error.panic_message(), None);
    assert_eq!(error.to_string(), "job panicked");
    assert_eq!(format!("{error:?}"), "Panicked(..)");
    assert_eq!(error.into_panic().unwrap().downcast_ref::<i32>(), Some(&7));
}

/// A value whose `Drop` panics, dropped on the worker (its job was cancelled
/// while queued), must not kill the worker.
#[test]
fn a_panicking_drop_on_the_worker_does_not_kill_it() {
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("drop panicked");
        }
    }
    let pool = ThreadPool::new(1);
    let worker = pool.submit(|| thread::current().id()).join().unwrap();
    let (go, busy) = gated(&pool);
    let bomb = PanicOnDrop;
    let queued = pool.submit(move || drop(bomb));
    assert!(queued.cancel());
    go.send(()).unwrap();
    busy.join().unwrap();
    // The worker dropped the cancelled closure (and its panic) before this one.
    let after = pool.submit(|| thread::current().id());
    assert_eq!(within(GUARD, move || after.join().unwrap()), worker);
    assert!(matches!(queued.join(), Err(JobError::Cancelled)));
}

// --- test_future.py: test_done, test_running, test_cancel, test_cancelled ---

#[test]
fn states_pending_running_finished() {
    let pool = ThreadPool::new(1);
    let (go, first) = gated(&pool);
    let second = pool.submit(|| 5);
    wait_until("the first job runs", || first.is_running());
    assert!(!first.is_finished() && !first.is_cancelled());
    assert!(!second.is_running() && !second.is_finished());
    assert_eq!(format!("{first:?}"), r#"Job { state: "running", .. }"#);
    assert_eq!(format!("{second:?}"), r#"Job { state: "pending", .. }"#);
    go.send(()).unwrap();
    assert!(second.wait_timeout(GUARD));
    assert!(second.is_finished() && !second.is_running() && !second.is_cancelled());
    assert_eq!(format!("{second:?}"), r#"Job { state: "finished", .. }"#);
    assert_eq!(second.join().unwrap(), 5);
    first.join().unwrap();
}

#[test]
fn cancel_wins_only_before_the_job_starts() {
    let pool = ThreadPool::new(1);
    let ran = Arc::new(AtomicBool::new(false));
    let (go, running) = gated(&pool);
    let flag = Arc::clone(&ran);
    let pending = pool.submit(move || flag.store(true, Ordering::SeqCst));
    wait_until("the gated job runs", || running.is_running());

    assert!(!running.cancel(), "a running job cannot be cancelled");
    assert!(pending.cancel(), "a pending job can");
    assert!(pending.is_cancelled() && pending.is_finished());
    assert!(!pending.cancel(), "cancelling twice cancels nothing more");
    assert_eq!(format!("{pending:?}"), r#"Job { state: "cancelled", .. }"#);

    go.send(()).unwrap();
    running.join().unwrap();
    let done = pool.submit(|| ());
    assert!(done.wait_timeout(GUARD));
    assert!(!done.cancel(), "a finished job cannot be cancelled");
    assert!(!done.is_cancelled());
    // The worker has passed the cancelled job: it was not run.
    assert!(!ran.load(Ordering::SeqCst));
    let error = pending.join().unwrap_err();
    assert!(error.is_cancelled());
    assert_eq!(error.to_string(), "job cancelled before it started");
}

#[test]
fn a_cancelled_closure_is_dropped() {
    let pool = ThreadPool::new(1);
    let drops = Arc::new(AtomicUsize::new(0));
    let (go, busy) = gated(&pool);
    let counter = DropCount(Arc::clone(&drops));
    let queued = pool.submit(move || drop(counter));
    assert!(queued.cancel());
    go.send(()).unwrap();
    busy.join().unwrap();
    pool.shutdown();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

// --- test_future.py: test_result_with_timeout; test_wait.py: test_timeout ---

#[test]
fn wait_timeout_never_returns_early() {
    let pool = ThreadPool::new(1);
    let (go, job) = gated(&pool);
    for _ in 0..3 {
        let timeout = Duration::from_millis(20);
        let start = Instant::now();
        assert!(!job.wait_timeout(timeout));
        assert!(start.elapsed() >= timeout);
    }
    assert!(!job.wait_timeout(Duration::ZERO));
    go.send(()).unwrap();
    assert!(job.wait_timeout(Duration::MAX));
    assert!(job.wait_timeout(Duration::ZERO));
    job.join().unwrap();
}

// --- executor.py: test_map, test_map_exception ---

#[test]
fn map_keeps_input_order_with_a_panic_only_at_its_own_index() {
    let pool = ThreadPool::new(4);
    let finished = Arc::new(AtomicUsize::new(0));
    let done = Arc::clone(&finished);
    let results: Vec<Result<usize, JobError>> = pool
        .map(0..20_usize, move |i| {
            if i == 0 {
                // Finishes after 1, 2 and 3: input order is not finishing order.
                wait_until("three later items finish first", || {
                    done.load(Ordering::SeqCst) >= 3
                });
            }
            assert!(i != 7, "seven failed");
            done.fetch_add(1, Ordering::SeqCst);
            i * 10
        })
        .collect();
    assert_eq!(results.len(), 20);
    for (i, result) in results.into_iter().enumerate() {
        match result {
            Ok(value) => assert_eq!(value, i * 10),
            Err(error) => {
                assert_eq!(i, 7, "only item 7 panics, got {error:?} at {i}");
                assert_eq!(error.panic_message(), Some("seven failed"));
            }
        }
    }
    assert!(finished.load(Ordering::SeqCst) >= 19);
}

// --- test_thread_pool.py: test_map_submits_without_iteration ---

#[test]
fn map_submits_every_item_without_iteration() {
    let pool = ThreadPool::new(2);
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let s = Arc::clone(&seen);
    let results = pool.map(0..10, move |i| {
        s.lock().unwrap().insert(i);
    });
    assert_eq!(results.len(), 10);
    wait_until("every item ran", || seen.lock().unwrap().len() == 10);
    assert_eq!(results.filter(Result::is_ok).count(), 10);
}

/// Python's `map` generator cancels what is left when it is closed.
#[test]
fn dropping_map_cancels_the_items_not_started() {
    let pool = ThreadPool::new(1);
    let calls = Arc::new(AtomicUsize::new(0));
    let (go, busy) = gated(&pool);
    let c = Arc::clone(&calls);
    let results = pool.map(0..5, move |_| c.fetch_add(1, Ordering::SeqCst));
    drop(results);
    go.send(()).unwrap();
    busy.join().unwrap();
    pool.shutdown();
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

// --- test_as_completed.py: test_no_timeout, test_duplicate_futures ---

#[test]
fn as_completed_yields_finished_jobs_first_in_given_order() {
    let pool = ThreadPool::new(2);
    let (go, pending) = gated(&pool);
    let done = pool.submit(|| ());
    assert!(done.wait_timeout(GUARD));
    let (go_blocker, blocker) = gated(&pool);
    let cancelled = pool.submit(|| ());
    assert!(cancelled.cancel());

    let mut order = as_completed([pending, done, cancelled]);
    assert_eq!(order.len(), 3);
    let first = order.next().unwrap();
    let second = order.next().unwrap();
    assert!(first.is_finished() && !first.is_cancelled());
    assert!(second.is_cancelled());
    go.send(()).unwrap();
    let third = within(GUARD, move || {
        let third = order.next().unwrap();
        assert!(order.next().is_none());
        third
    });
    assert!(third.is_finished());
    third.join().unwrap();
    drop(go_blocker);
    blocker.join().unwrap();
}

#[test]
fn as_completed_yields_each_job_once_in_finishing_order() {
    let pool = ThreadPool::new(4);
    let mut gates = Vec::new();
    let mut jobs = Vec::new();
    for id in 0..4_usize {
        let (go, wait) = mpsc::channel::<()>();
        gates.push(go);
        jobs.push(pool.submit(move || {
            wait.recv_timeout(GUARD).expect("never released");
            id
        }));
    }
    let mut completed = as_completed(jobs);
    for id in [2, 0, 3, 1] {
        gates[id].send(()).unwrap();
        // Only job `id` can finish now, so it is the next one yielded.
        let (job, back) = within(GUARD, move || (completed.next().unwrap(), completed));
        completed = back;
        assert_eq!(job.join().unwrap(), id);
    }
    assert!(completed.next().is_none());
}

#[test]
fn as_completed_yields_every_job_of_many_exactly_once() {
    let pool = ThreadPool::new(3);
    let jobs: Vec<_> = (0..200_usize)
        .map(|i| {
            pool.submit(move || {
                for _ in 0..i % 7 {
                    thread::yield_now();
                }
                i
            })
        })
        .collect();
    let ids: Vec<usize> = within(GUARD, move || {
        as_completed(jobs)
            .map(|job| {
                assert!(job.is_finished());
                job.join().unwrap()
            })
            .collect()
    });
    assert_eq!(ids.len(), 200);
    assert_eq!(ids.iter().copied().collect::<HashSet<_>>().len(), 200);
}

// --- test_shutdown.py: test_run_after_shutdown ---

#[test]
fn submit_after_shutdown_is_refused_at_once_and_never_runs() {
    let pool = ThreadPool::new(2);
    pool.shutdown();
    assert!(pool.is_shut_down());
    let drops = Arc::new(AtomicUsize::new(0));
    let ran = Arc::new(AtomicBool::new(false));
    let (counter, flag) = (DropCount(Arc::clone(&drops)), Arc::clone(&ran));
    let job = pool.submit(move || {
        let _counter = counter;
        flag.store(true, Ordering::SeqCst);
    });
    assert!(job.is_finished(), "refused at once");
    assert!(!job.is_cancelled());
    assert_eq!(drops.load(Ordering::SeqCst), 1, "the closure was dropped");
    let error = job.join().unwrap_err();
    assert!(error.is_shut_down());
    assert_eq!(
        error.to_string(),
        "job refused: the thread pool is shut down"
    );
    assert!(!ran.load(Ordering::SeqCst));
    pool.shutdown(); // idempotent
}

// --- test_shutdown.py: test_hang_issue12364, test_threads_terminate ---

#[test]
fn shutdown_finishes_queued_jobs_first() {
    let pool = ThreadPool::new(2);
    let done = Arc::new(AtomicUsize::new(0));
    for _ in 0..50 {
        let done = Arc::clone(&done);
        drop(pool.submit(move || {
            thread::yield_now();
            done.fetch_add(1, Ordering::SeqCst);
        }));
    }
    within(GUARD, move || {
        pool.shutdown();
        assert_eq!(done.load(Ordering::SeqCst), 50);
        assert_eq!(pool.queued(), 0);
    });
}

#[test]
fn every_concurrent_shutdown_returns_only_after_the_jobs() {
    let pool = ThreadPool::new(1);
    let finished = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&finished);
    let (go, wait) = mpsc::channel::<()>();
    let job = pool.submit(move || {
        let _ = wait.recv_timeout(GUARD);
        flag.store(true, Ordering::SeqCst);
    });
    let callers: Vec<_> = (0..3)
        .map(|_| {
            let (pool, finished) = (pool.clone(), Arc::clone(&finished));
            thread::spawn(move || {
                pool.shutdown();
                finished.load(Ordering::SeqCst)
            })
        })
        .collect();
    wait_until("a caller shut the pool down", || pool.is_shut_down());
    assert!(callers.iter().all(|caller| !caller.is_finished()));
    go.send(()).unwrap();
    for caller in callers {
        assert!(caller.join().unwrap(), "shutdown returned before the job");
    }
    job.join().unwrap();
}

// --- test_shutdown.py: test_cancel_futures ---

#[test]
fn shutdown_now_cancels_queued_jobs_and_waits_for_running_ones() {
    let pool = ThreadPool::new(1);
    let (go, wait) = mpsc::channel::<()>();
    let finished = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&finished);
    let running = pool.submit(move || {
        let _ = wait.recv_timeout(GUARD);
        flag.store(true, Ordering::SeqCst);
    });
    let queued: Vec<_> = (0..5).map(|i| pool.submit(move || i)).collect();
    wait_until("the first job runs", || running.is_running());
    let stopper = pool.clone();
    let stopping = thread::spawn(move || {
        stopper.shutdown_now();
        finished.load(Ordering::SeqCst)
    });
    for job in &queued {
        assert!(job.wait_timeout(GUARD), "shutdown_now cancels queued jobs");
        assert!(job.is_cancelled());
    }
    assert!(!stopping.is_finished());
    go.send(()).unwrap();
    assert!(
        stopping.join().unwrap(),
        "shutdown_now waited for the running job"
    );
    running.join().unwrap();
    for job in queued {
        assert!(matches!(job.join(), Err(JobError::Cancelled)));
    }
    assert!(pool.submit(|| ()).join().unwrap_err().is_shut_down());
}

// --- test_shutdown.py: test_del_shutdown, test_context_manager_shutdown ---

#[test]
fn dropping_the_last_clone_shuts_down_and_waits() {
    let pool = ThreadPool::new(2);
    let clone = pool.clone();
    let done = Arc::new(AtomicUsize::new(0));
    let jobs: Vec<_> = (0..20)
        .map(|i| {
            let done = Arc::clone(&done);
            pool.submit(move || {
                thread::yield_now();
                done.fetch_add(1, Ordering::SeqCst);
                i
            })
        })
        .collect();
    drop(pool);
    assert!(!clone.is_shut_down(), "a clone keeps the pool open");
    let d = Arc::clone(&done);
    within(GUARD, move || {
        drop(clone);
        assert_eq!(d.load(Ordering::SeqCst), 20);
    });
    // A Job outlives its pool and still gives its result.
    let results: Vec<i32> = jobs.into_iter().map(|job| job.join().unwrap()).collect();
    assert_eq!(results, (0..20).collect::<Vec<_>>());
}

#[test]
fn a_job_does_not_keep_its_pool_alive() {
    let pool = ThreadPool::new(1);
    let (go, job) = gated(&pool);
    let dropping = thread::spawn(move || drop(pool));
    wait_until("the drop waits for the job", || job.is_running());
    go.send(()).unwrap();
    // The drop returns although `job` is still held.
    within(GUARD, move || dropping.join().unwrap());
    assert!(job.is_finished());
    job.join().unwrap();
}

// --- test_shutdown.py: shutdown from inside a worker (Python raises RuntimeError) ---

#[test]
fn shutdown_from_inside_a_job_closes_the_pool_without_deadlock() {
    let pool = ThreadPool::new(2);
    let inner = pool.clone();
    let job = pool.submit(move || {
        inner.shutdown();
        inner.submit(|| ()).join().unwrap_err().is_shut_down()
    });
    assert!(within(GUARD, move || job.join().unwrap()));
    assert!(pool.is_shut_down());
}

#[test]
fn dropping_the_last_clone_inside_a_job_does_not_deadlock() {
    let pool = ThreadPool::new(1);
    let inner = pool.clone();
    let (dropped, wait) = mpsc::channel::<()>();
    let job = pool.submit(move || {
        // Wait until the caller has dropped its clone: this drop is the last.
        let _ = wait.recv_timeout(GUARD);
        drop(inner);
        7
    });
    drop(pool);
    dropped.send(()).unwrap();
    assert_eq!(within(GUARD, move || job.join().unwrap()), 7);
}

// --- no lost wake-ups: many round trips from several submitters ---

#[test]
fn round_trips_from_several_threads_never_hang() {
    let pool = ThreadPool::new(2);
    let submitters: Vec<_> = (0..3)
        .map(|t| {
            let pool = pool.clone();
            thread::spawn(move || {
                (0..2_000)
                    .map(|i| pool.submit(move || i + t).join().unwrap())
                    .sum::<u64>()
            })
        })
        .collect();
    let sums: Vec<u64> = within(GUARD, move || {
        submitters.into_iter().map(|s| s.join().unwrap()).collect()
    });
    let base: u64 = (0..2_000).sum();
    assert_eq!(sums, [base, base + 2_000, base + 4_000]);
}

// --- submit racing shutdown: every job either runs or is refused ---

#[test]
fn submit_racing_shutdown_is_run_or_refused_never_lost() {
    for _ in 0..50 {
        let pool = ThreadPool::new(2);
        let ran = Arc::new(AtomicUsize::new(0));
        let submitter = {
            let (pool, ran) = (pool.clone(), Arc::clone(&ran));
            thread::spawn(move || {
                (0..100)
                    .map(|_| {
                        let ran = Arc::clone(&ran);
                        pool.submit(move || ran.fetch_add(1, Ordering::SeqCst))
                    })
                    .collect::<Vec<_>>()
            })
        };
        pool.shutdown();
        let jobs = within(GUARD, move || submitter.join().unwrap());
        pool.shutdown();
        let mut ok = 0;
        for job in jobs {
            assert!(job.is_finished(), "a job was left pending after shutdown");
            match job.join() {
                Ok(_) => ok += 1,
                Err(error) => assert!(error.is_shut_down(), "{error:?}"),
            }
        }
        assert_eq!(ok, ran.load(Ordering::SeqCst));
    }
}

// --- cancel racing the worker that starts the job: exactly one wins ---

#[test]
fn cancel_racing_the_start_either_wins_cleanly() {
    let pool = ThreadPool::new(2);
    let (mut cancelled, mut ran_count) = (0, 0);
    for _ in 0..2_000 {
        let ran = Arc::new(AtomicUsize::new(0));
        let r = Arc::clone(&ran);
        let job = pool.submit(move || r.fetch_add(1, Ordering::SeqCst));
        let won = job.cancel();
        let result = within(GUARD, move || job.join());
        if won {
            cancelled += 1;
            assert!(matches!(result, Err(JobError::Cancelled)));
        } else {
            ran_count += 1;
            assert!(result.is_ok(), "{result:?}");
        }
        // Once the pool has moved past it, a cancelled job has not run, a
        // started one ran exactly once.
        pool.submit(|| ()).join().unwrap();
        pool.submit(|| ()).join().unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), usize::from(!won));
    }
    assert_eq!(cancelled + ran_count, 2_000);
}
