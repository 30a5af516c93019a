//! A `Job` is a `std::future::Future`: awaited from a tiny hand-written
//! executor, with no async runtime.

mod common;

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Instant;

use common::{GUARD, within};
use threaded::pool::{JobError, ThreadPool};

/// Wakes the thread that polls, and counts the wake-ups.
struct Unpark {
    thread: Thread,
    wakes: AtomicUsize,
}

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.thread.unpark();
    }
}

/// Polls `future` on this thread until it is ready, parking in between;
/// panics after [`GUARD`]. Returns the output and the number of wake-ups.
fn block_on<F: Future>(future: F) -> (F::Output, usize) {
    let unpark = Arc::new(Unpark {
        thread: thread::current(),
        wakes: AtomicUsize::new(0),
    });
    let waker = Waker::from(Arc::clone(&unpark));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    let start = Instant::now();
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return (output, unpark.wakes.load(Ordering::SeqCst));
        }
        let elapsed = start.elapsed();
        assert!(elapsed < GUARD, "the future was never woken");
        thread::park_timeout(GUARD - elapsed);
    }
}

#[test]
fn a_finished_job_is_ready_at_once() {
    let pool = ThreadPool::new(1);
    let job = pool.submit(|| 21 * 2);
    assert!(job.wait_timeout(GUARD));
    let (result, wakes) = block_on(job);
    assert_eq!(result.unwrap(), 42);
    assert_eq!(wakes, 0);
}

#[test]
fn a_pending_job_wakes_its_task_when_it_finishes() {
    let pool = ThreadPool::new(1);
    let (go, wait) = mpsc::channel::<()>();
    let job = pool.submit(move || {
        wait.recv_timeout(GUARD).expect("never released");
        "done"
    });
    let (result, wakes) = within(GUARD, move || {
        block_on(async move {
            let mut job = pin!(job);
            // First poll: the job is still waiting for `go`, so the waker is registered.
            let first = std::future::poll_fn(|cx| Poll::Ready(job.as_mut().poll(cx))).await;
            assert!(first.is_pending(), "the job cannot have finished yet");
            go.send(()).unwrap();
            job.await
        })
    });
    assert_eq!(result.unwrap(), "done");
    assert!(wakes >= 1, "the worker woke the task");
}

#[test]
fn errors_come_through_await() {
    let pool = ThreadPool::new(1);
    let panicked = pool.submit(|| -> u8 { panic!("async boom") });
    let (result, _) = within(GUARD, move || block_on(panicked));
    assert_eq!(result.unwrap_err().panic_message(), Some("async boom"));
    pool.shutdown();
    let refused = pool.submit(|| 1_u8);
    let (result, wakes) = block_on(refused);
    assert!(matches!(result, Err(JobError::ShutDown)));
    assert_eq!(wakes, 0);
}

/// Many jobs awaited one after the other: a lost wake-up would hang one.
#[test]
fn many_awaited_jobs_never_lose_a_wake_up() {
    let pool = ThreadPool::new(2);
    let total = within(GUARD, move || {
        block_on(async move {
            let mut total = 0_u64;
            for i in 0..2_000_u64 {
                total += pool.submit(move || i).await.unwrap();
            }
            total
        })
        .0
    });
    assert_eq!(total, (0..2_000).sum::<u64>());
}
