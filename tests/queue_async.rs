//! The async API, driven by a minimal hand-written executor.

mod support;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

use support::{GUARD, block_on, wait_until, within};
use threaded::{GetError, PutError, WorkQueue};

/// Polls `fut` once with a waker that records whether it was called.
fn poll_once<F: Future + Unpin>(fut: &mut F, woken: &Arc<Flag>) -> Poll<F::Output> {
    let waker = Waker::from(Arc::clone(woken));
    fut.as_mut_pin().poll(&mut Context::from_waker(&waker))
}

trait AsMutPin: Future + Unpin + Sized {
    fn as_mut_pin(&mut self) -> std::pin::Pin<&mut Self> {
        std::pin::Pin::new(self)
    }
}
impl<F: Future + Unpin> AsMutPin for F {}

#[derive(Default)]
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn async_puts_and_gets_keep_fifo_order() {
    let q = WorkQueue::bounded(4);
    let out = within(GUARD, move || {
        block_on(async {
            for i in 0..4 {
                q.put_async(i).await.unwrap();
            }
            assert!(q.is_full());
            let mut out = vec![];
            for _ in 0..4 {
                out.push(q.get_async().await.unwrap());
            }
            assert_eq!(q.unfinished_tasks(), 4);
            out
        })
    });
    assert_eq!(out, [0, 1, 2, 3]);
}

#[test]
fn get_async_waits_for_a_put_from_a_thread() {
    let q = WorkQueue::new();
    let getter = {
        let q = q.clone();
        thread::spawn(move || block_on(q.get_async()))
    };
    wait_until("the async getter waits", || q.waiters().getters == 1);
    q.put(42).unwrap();
    assert_eq!(within(GUARD, move || getter.join().unwrap()), Ok(42));
    assert_eq!(q.waiters().getters, 0);
}

#[test]
fn put_async_waits_for_room_made_by_a_thread() {
    let q = WorkQueue::bounded(1);
    q.put(1).unwrap();
    let putter = {
        let q = q.clone();
        thread::spawn(move || block_on(q.put_async(2)))
    };
    wait_until("the async putter waits", || q.waiters().putters == 1);
    assert_eq!(q.len(), 1);
    assert_eq!(q.get(), Ok(1));
    assert_eq!(within(GUARD, move || putter.join().unwrap()), Ok(()));
    assert_eq!(q.get(), Ok(2));
}

#[test]
fn shutdown_wakes_async_getters_and_putters() {
    let empty = WorkQueue::<u8>::new();
    let full = WorkQueue::bounded(1);
    full.put(0u8).unwrap();
    let getter = {
        let q = empty.clone();
        thread::spawn(move || block_on(q.get_async()))
    };
    let putter = {
        let q = full.clone();
        thread::spawn(move || block_on(q.put_async(7)))
    };
    wait_until("both wait", || {
        empty.waiters().getters == 1 && full.waiters().putters == 1
    });
    empty.shutdown();
    full.shutdown();
    assert_eq!(
        within(GUARD, move || getter.join().unwrap()),
        Err(GetError::ShutDown)
    );
    assert_eq!(
        within(GUARD, move || putter.join().unwrap()),
        Err(PutError::ShutDown(7))
    );
    // The async getter drains like the blocking one.
    assert_eq!(block_on(full.get_async()), Ok(0));
    assert_eq!(block_on(full.get_async()), Err(GetError::ShutDown));
}

#[test]
fn shut_down_async_put_checks_shutdown_first() {
    let q = WorkQueue::bounded(1);
    q.put(1).unwrap();
    q.shutdown();
    assert_eq!(block_on(q.put_async(2)), Err(PutError::ShutDown(2)));
}

#[test]
fn dropped_notified_get_future_passes_the_item_on() {
    // A future that was woken for an item but is dropped instead of polled must hand
    // the wake-up to the next waiter, or that waiter sleeps with an item in the queue.
    let q = WorkQueue::new();
    let woken = Arc::new(Flag::default());
    let mut fut = Box::pin(q.get_async());
    assert!(poll_once(&mut fut, &woken).is_pending());
    let thread_getter = {
        let q = q.clone();
        thread::spawn(move || q.get())
    };
    wait_until("the thread waits behind the future", || {
        q.waiters().getters == 2
    });
    q.put("item").unwrap();
    assert!(woken.0.load(Ordering::SeqCst), "the first waiter is woken");
    drop(fut);
    assert_eq!(
        within(GUARD, move || thread_getter.join().unwrap()),
        Ok("item")
    );
}

#[test]
fn dropped_pending_put_future_loses_nothing_queued() {
    let q = WorkQueue::bounded(1);
    q.put(1).unwrap();
    let woken = Arc::new(Flag::default());
    let mut fut = Box::pin(q.put_async(2));
    assert!(poll_once(&mut fut, &woken).is_pending());
    assert_eq!(q.waiters().putters, 1);
    drop(fut);
    assert_eq!(q.waiters().putters, 0);
    assert_eq!(
        q.unfinished_tasks(),
        1,
        "the cancelled put was never counted"
    );
    assert_eq!(q.try_get(), Ok(1));
    assert_eq!(q.try_get(), Err(GetError::Empty));
}

#[test]
fn async_and_blocking_sides_mix_under_load() {
    const EACH: u64 = 20_000;
    let q = WorkQueue::bounded(32);
    let sum = Arc::new(AtomicU64::new(0));
    let count = Arc::new(AtomicU64::new(0));
    let mut handles = vec![];
    for p in 0..2u64 {
        let q = q.clone();
        handles.push(thread::spawn(move || {
            block_on(async {
                for i in 0..EACH {
                    q.put_async(p * EACH + i).await.unwrap();
                }
            })
        }));
    }
    for p in 2..4u64 {
        let q = q.clone();
        handles.push(thread::spawn(move || {
            for i in 0..EACH {
                q.put(p * EACH + i).unwrap();
            }
        }));
    }
    let consumers: Vec<_> = (0..4)
        .map(|c| {
            let (q, sum, count) = (q.clone(), sum.clone(), count.clone());
            thread::spawn(move || {
                if c % 2 == 0 {
                    block_on(async {
                        while let Ok(v) = q.get_async().await {
                            sum.fetch_add(v, Ordering::SeqCst);
                            count.fetch_add(1, Ordering::SeqCst);
                            q.task_done().unwrap();
                        }
                    })
                } else {
                    while let Ok(task) = q.get_task() {
                        sum.fetch_add(*task, Ordering::SeqCst);
                        count.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    let q2 = q.clone();
    within(Duration::from_secs(120), move || {
        for h in handles {
            h.join().unwrap();
        }
        q2.join();
        q2.shutdown();
        for c in consumers {
            c.join().unwrap();
        }
    });
    let n = 4 * EACH;
    assert_eq!(count.load(Ordering::SeqCst), n);
    assert_eq!(sum.load(Ordering::SeqCst), n * (n - 1) / 2);
    assert_eq!(q.unfinished_tasks(), 0);
}

#[test]
fn async_futures_are_send() {
    fn assert_send<F: Future + Send>(_: F) {}
    let q = WorkQueue::<String>::new();
    assert_send(q.put_async(String::new()));
    assert_send(q.get_async());
}
