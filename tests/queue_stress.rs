//! WorkQueue under load: nothing lost or duplicated, join never early, shutdown under load.

mod support;

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use support::{GUARD, wait_until, within};
use threaded::{GetError, PutError, TaskDoneError, WorkQueue};

const PRODUCERS: u64 = 4;
const CONSUMERS: usize = 4;
const ITEMS: u64 = 1_000_000;

/// 4 producers x 4 consumers x 1M items: every item arrives exactly once (count, checksum
/// and a per-item tally), and the task accounting ends at zero.
fn stress(q: WorkQueue<u64>) {
    let seen: Arc<Vec<AtomicU8>> = Arc::new((0..ITEMS).map(|_| AtomicU8::new(0)).collect());
    let count = Arc::new(AtomicU64::new(0));
    let sum = Arc::new(AtomicU64::new(0));
    let per_producer = ITEMS / PRODUCERS;
    let start = Instant::now();

    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|c| {
            let (q, seen, count, sum) = (q.clone(), seen.clone(), count.clone(), sum.clone());
            thread::spawn(move || {
                let (mut n, mut s) = (0u64, 0u64);
                loop {
                    // Mix the ways of getting: blocking, timed, and RAII tasks.
                    let item = match c % 3 {
                        0 => q.get(),
                        1 => q.get_timeout(Duration::from_millis(50)),
                        _ => match q.get_task() {
                            Ok(task) => {
                                seen[*task as usize].fetch_add(1, Ordering::Relaxed);
                                n += 1;
                                s = s.wrapping_add(*task);
                                continue; // the task marks itself done here
                            }
                            Err(e) => Err(e),
                        },
                    };
                    match item {
                        Ok(v) => {
                            seen[v as usize].fetch_add(1, Ordering::Relaxed);
                            n += 1;
                            s = s.wrapping_add(v);
                            q.task_done().unwrap();
                        }
                        Err(GetError::Empty) => continue,
                        Err(GetError::ShutDown) => break,
                    }
                }
                count.fetch_add(n, Ordering::Relaxed);
                sum.fetch_add(s, Ordering::Relaxed);
            })
        })
        .collect();

    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let q = q.clone();
            thread::spawn(move || {
                for v in p * per_producer..(p + 1) * per_producer {
                    if p == 3 {
                        let mut v = v;
                        loop {
                            match q.try_put(v) {
                                Ok(()) => break,
                                Err(PutError::Full(back)) => {
                                    v = back;
                                    thread::yield_now();
                                }
                                Err(e) => panic!("{e}"),
                            }
                        }
                    } else {
                        q.put(v).unwrap();
                    }
                }
            })
        })
        .collect();

    let q2 = q.clone();
    within(Duration::from_secs(300), move || {
        for p in producers {
            p.join().unwrap();
        }
        q2.join();
        q2.shutdown();
        for c in consumers {
            c.join().unwrap();
        }
    });
    let elapsed = start.elapsed();

    assert_eq!(
        count.load(Ordering::Relaxed),
        ITEMS,
        "items lost or duplicated"
    );
    assert_eq!(
        sum.load(Ordering::Relaxed),
        ITEMS * (ITEMS - 1) / 2,
        "checksum"
    );
    assert!(
        seen.iter().all(|s| s.load(Ordering::Relaxed) == 1),
        "some item was not seen exactly once"
    );
    assert_eq!(q.unfinished_tasks(), 0);
    assert!(q.is_empty());
    eprintln!("stress {:?}: {ITEMS} items in {elapsed:?}", q.capacity());
}

#[test]
fn four_producers_four_consumers_deliver_a_million_items_exactly_once_unbounded() {
    stress(WorkQueue::new());
}

#[test]
fn four_producers_four_consumers_deliver_a_million_items_exactly_once_bounded() {
    stress(WorkQueue::bounded(1024));
}

/// `join` must never return while an item is unfinished: consumers count an item as
/// processed just before marking it done, so when join returns, every item put before
/// it was called has been counted.
#[test]
fn join_never_returns_while_an_item_is_unfinished() {
    let q = WorkQueue::bounded(64);
    let processed = Arc::new(AtomicU64::new(0));
    let workers = {
        let processed = Arc::clone(&processed);
        q.spawn_workers(4, move |_: u64| {
            // A little work, so items are in progress when join is called.
            std::hint::black_box((0..50).sum::<u64>());
            processed.fetch_add(1, Ordering::SeqCst);
        })
    };
    let mut put = 0u64;
    let q2 = q.clone();
    let processed2 = Arc::clone(&processed);
    within(Duration::from_secs(120), move || {
        for round in 0..300u64 {
            for i in 0..(round % 17 + 1) {
                q2.put(i).unwrap();
                put += 1;
            }
            if round % 2 == 0 {
                q2.join();
            } else {
                assert!(q2.join_timeout(GUARD));
            }
            assert_eq!(
                processed2.load(Ordering::SeqCst),
                put,
                "join returned early"
            );
            assert_eq!(q2.unfinished_tasks(), 0);
        }
    });
    q.shutdown();
    for w in workers {
        within(GUARD, move || w.join().unwrap());
    }
}

/// A guard item that counts its drops, to prove every item is dropped exactly once:
/// processed, discarded by `shutdown_now`, or handed back to a refused producer.
struct Item(Arc<AtomicUsize>);

impl Drop for Item {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn shutdown_during_load(q: WorkQueue<Item>, immediate: bool) {
    let drops = Arc::new(AtomicUsize::new(0));
    let processed = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicUsize::new(0));
    let attempted = Arc::new(AtomicUsize::new(0));

    let workers = {
        let processed = Arc::clone(&processed);
        q.spawn_workers(4, move |_item: Item| {
            processed.fetch_add(1, Ordering::SeqCst);
        })
    };
    let producers: Vec<_> = (0..4)
        .map(|p| {
            let (q, drops, accepted, attempted) = (
                q.clone(),
                drops.clone(),
                accepted.clone(),
                attempted.clone(),
            );
            thread::spawn(move || {
                loop {
                    attempted.fetch_add(1, Ordering::SeqCst);
                    let item = Item(Arc::clone(&drops));
                    let result = match p {
                        0 => q.put(item),
                        1 => q.put_timeout(item, Duration::from_millis(5)),
                        _ => q.try_put(item),
                    };
                    match result {
                        Ok(()) => {
                            accepted.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(PutError::Full(item)) => drop(item),
                        Err(PutError::ShutDown(item)) => {
                            drop(item);
                            break;
                        }
                    }
                }
            })
        })
        .collect();

    wait_until("the queue is under load", || {
        processed.load(Ordering::SeqCst) > 20_000
    });
    if immediate {
        q.shutdown_now();
    } else {
        q.shutdown();
    }
    let q2 = q.clone();
    within(GUARD, move || {
        for p in producers {
            p.join().unwrap();
        }
        for w in workers {
            w.join().unwrap();
        }
        q2.join();
    });

    let (processed, accepted) = (
        processed.load(Ordering::SeqCst),
        accepted.load(Ordering::SeqCst),
    );
    assert_eq!(q.unfinished_tasks(), 0);
    assert!(q.is_empty());
    assert_eq!(
        drops.load(Ordering::SeqCst),
        attempted.load(Ordering::SeqCst),
        "every item dropped exactly once"
    );
    if immediate {
        assert!(processed <= accepted);
    } else {
        assert_eq!(
            processed, accepted,
            "shutdown() must let the workers drain the queue"
        );
    }
}

#[test]
fn shutdown_during_load_unbounded() {
    shutdown_during_load(WorkQueue::new(), false);
}

#[test]
fn shutdown_during_load_bounded() {
    shutdown_during_load(WorkQueue::bounded(16), false);
}

#[test]
fn shutdown_now_during_load_unbounded() {
    shutdown_during_load(WorkQueue::new(), true);
}

#[test]
fn shutdown_now_during_load_bounded() {
    shutdown_during_load(WorkQueue::bounded(16), true);
}

/// test_queue.py's many-threads tests: producers and consumers with nowait and timeouts.
#[test]
fn nowait_and_timed_puts_and_gets_from_many_threads_deliver_every_item_once() {
    const THREADS: u64 = 4;
    const EACH: u64 = 5_000;
    let q = WorkQueue::bounded(8);
    let start = Arc::new(Barrier::new((THREADS * 2) as usize));
    let producing = Arc::new(AtomicUsize::new(THREADS as usize));
    let sum = Arc::new(AtomicU64::new(0));
    let count = Arc::new(AtomicU64::new(0));
    let mut handles = vec![];
    for t in 0..THREADS {
        let (qp, startp, producingp) = (q.clone(), start.clone(), producing.clone());
        handles.push(thread::spawn(move || {
            let (q, start, producing) = (qp, startp, producingp);
            start.wait();
            for i in 0..EACH {
                let mut v = t * EACH + i;
                loop {
                    let r = if t % 2 == 0 {
                        q.try_put(v)
                    } else {
                        q.put_timeout(v, Duration::from_millis(1))
                    };
                    match r {
                        Ok(()) => break,
                        Err(PutError::Full(back)) => v = back,
                        Err(e) => panic!("{e}"),
                    }
                }
            }
            producing.fetch_sub(1, Ordering::SeqCst);
        }));
        let (q, start, producing, sum, count) = (
            q.clone(),
            start.clone(),
            producing.clone(),
            sum.clone(),
            count.clone(),
        );
        handles.push(thread::spawn(move || {
            start.wait();
            loop {
                let r = if t % 2 == 0 {
                    q.try_get()
                } else {
                    q.get_timeout(Duration::from_millis(1))
                };
                match r {
                    Ok(v) => {
                        sum.fetch_add(v, Ordering::SeqCst);
                        count.fetch_add(1, Ordering::SeqCst);
                        q.task_done().unwrap();
                    }
                    Err(GetError::Empty) => {
                        if producing.load(Ordering::SeqCst) == 0 && q.is_empty() {
                            break;
                        }
                        thread::yield_now();
                    }
                    Err(GetError::ShutDown) => unreachable!(),
                }
            }
        }));
    }
    within(Duration::from_secs(120), move || {
        for h in handles {
            h.join().unwrap();
        }
    });
    let n = THREADS * EACH;
    assert_eq!(count.load(Ordering::SeqCst), n);
    assert_eq!(sum.load(Ordering::SeqCst), n * (n - 1) / 2);
    assert_eq!(q.unfinished_tasks(), 0);
}

/// Getters blocked with and without timeouts, all released by a storm of puts and then by
/// shutdown; nothing is delivered twice and no waiter is left asleep.
#[test]
fn blocked_getters_with_timeouts_all_released() {
    let q = WorkQueue::new();
    let got = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let getters: Vec<_> = (0..8)
        .map(|i| {
            let (q, got, stop) = (q.clone(), got.clone(), stop.clone());
            thread::spawn(move || {
                loop {
                    let r = if i % 2 == 0 {
                        q.get()
                    } else {
                        q.get_timeout(Duration::from_micros(200))
                    };
                    match r {
                        Ok(_) => {
                            got.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(GetError::Empty) => {
                            if stop.load(Ordering::SeqCst) {
                                return;
                            }
                        }
                        Err(GetError::ShutDown) => return,
                    }
                }
            })
        })
        .collect();
    for i in 0..20_000u32 {
        q.put(i).unwrap();
        if i % 1000 == 0 {
            thread::yield_now();
        }
    }
    let q2 = q.clone();
    let got2 = Arc::clone(&got);
    within(GUARD, move || {
        while got2.load(Ordering::SeqCst) < 20_000 {
            thread::yield_now();
        }
        q2.shutdown();
        stop.store(true, Ordering::SeqCst);
        for g in getters {
            g.join().unwrap();
        }
    });
    assert_eq!(got.load(Ordering::SeqCst), 20_000);
}

/// A put that began before the shutdown may still land: a get must not report `ShutDown`
/// before it has, and `shutdown_now` must discard it too. Many short races, alternating:
/// a producer and two consumers against `shutdown` (once the consumers have exited no item
/// may be left), and a producer alone against `shutdown_now` (once it returns, nothing may
/// be queued or unfinished).
#[test]
fn no_item_stranded_by_a_put_racing_shutdown() {
    // A fixed count, not a time budget: a loaded machine runs fewer rounds per
    // second, and a test that needs N rounds in T seconds would then fail.
    for rounds in 1..=300u32 {
        let immediate = rounds % 2 == 0;
        let q = WorkQueue::new();
        let consumed = Arc::new(AtomicUsize::new(0));
        let consumers: Vec<_> = (0..if immediate { 0 } else { 2 })
            .map(|_| {
                let (q, consumed) = (q.clone(), consumed.clone());
                thread::spawn(move || {
                    while let Ok(_task) = q.get_task() {
                        consumed.fetch_add(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        let producer = {
            let q = q.clone();
            thread::spawn(move || {
                let mut accepted = 0usize;
                while q.put(accepted).is_ok() {
                    accepted += 1;
                }
                accepted
            })
        };
        let target = (rounds % 50) as usize;
        if immediate {
            wait_until("some items are queued", || q.len() >= target);
            q.shutdown_now();
            let accepted = within(GUARD, move || producer.join().unwrap());
            assert!(accepted >= target);
            assert_eq!(
                q.len(),
                0,
                "shutdown_now left an item queued (round {rounds})"
            );
            assert_eq!(q.unfinished_tasks(), 0, "round {rounds}");
        } else {
            wait_until("some items went through", || {
                consumed.load(Ordering::SeqCst) >= target
            });
            q.shutdown();
            let accepted = within(GUARD, move || producer.join().unwrap());
            for c in consumers {
                within(GUARD, move || c.join().unwrap());
            }
            assert_eq!(
                q.len(),
                0,
                "an item was stranded after shutdown (round {rounds})"
            );
            assert_eq!(consumed.load(Ordering::SeqCst), accepted);
            assert_eq!(q.unfinished_tasks(), 0, "round {rounds}");
        }
    }
}

/// With nothing unfinished, every `task_done` is `Err` and the count stays 0, while
/// another thread keeps trying puts that are refused: a refused put must not lend
/// `task_done` a task to take (it once did, and the count wrapped to 2^40 - 1, hanging
/// `join`).
fn task_done_never_takes_a_refused_put(q: WorkQueue<u64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let putter = {
        let (q, stop) = (q.clone(), stop.clone());
        thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                assert!(q.try_put(9).is_err(), "this queue refuses every put");
            }
        })
    };
    let start = Instant::now();
    let mut wrong_ok = 0u64;
    while start.elapsed() < Duration::from_secs(1) && wrong_ok == 0 {
        if q.task_done() != Err(TaskDoneError) {
            wrong_ok += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    putter.join().unwrap();
    let left = q.unfinished_tasks();
    assert_eq!(
        (wrong_ok, left),
        (0, 0),
        "task_done succeeded {wrong_ok} time(s) with nothing unfinished; unfinished_tasks is now {left}"
    );
}

#[test]
fn task_done_racing_a_put_refused_as_shut_down() {
    let q = WorkQueue::<u64>::new();
    q.shutdown();
    task_done_never_takes_a_refused_put(q);
}

/// A full bounded queue with nothing unfinished (CPython allows `task_done` before the
/// `get`): every put is refused as `Full`.
#[test]
fn task_done_racing_a_put_refused_as_full() {
    let q = WorkQueue::<u64>::bounded(1);
    q.put(1).unwrap();
    q.task_done().unwrap(); // done before taken: count 0, queue full
    task_done_never_takes_a_refused_put(q);
}

struct PanicsOnDrop(bool);

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        if self.0 && !thread::panicking() {
            panic!("item drop panicked");
        }
    }
}

/// A `Task` whose item panics in its own `Drop` is still marked done: a crashing item can
/// never hang `join`.
#[test]
fn task_whose_item_panics_on_drop_is_still_marked_done() {
    let q = WorkQueue::new();
    q.put(PanicsOnDrop(true)).unwrap();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _task = q.get_task().unwrap();
    }));
    assert!(r.is_err(), "the item's drop did panic");
    assert_eq!(q.unfinished_tasks(), 0, "the Task was not marked done");
    let q2 = q.clone();
    assert!(within(Duration::from_secs(2), move || q2
        .join_timeout(Duration::from_secs(1))));
}

/// Puts refused by a shut-down queue leave no trace: `unfinished_tasks` and `join_timeout`
/// never see a task that was never accepted (a producer racing `shutdown` does this).
#[test]
fn refused_puts_leave_join_timeout_no_phantom_tasks() {
    let q = WorkQueue::<u64>::new();
    q.put(0).unwrap();
    q.get().unwrap();
    q.task_done().unwrap();
    q.shutdown(); // everything done, nothing queued
    let stop = Arc::new(AtomicBool::new(false));
    let putter = {
        let (q, stop) = (q.clone(), stop.clone());
        thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let _ = q.try_put(9); // always ShutDown
            }
        })
    };
    let (mut phantom, mut max_seen) = (0u64, 0usize);
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(500) {
        if !q.join_timeout(Duration::ZERO) {
            phantom += 1;
        }
        max_seen = max_seen.max(q.unfinished_tasks());
    }
    stop.store(true, Ordering::Relaxed);
    putter.join().unwrap();
    assert_eq!((phantom, max_seen), (0, 0));
}
