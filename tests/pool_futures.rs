//! A `Job` is a `std::future::Future`: awaited from a tiny hand-written
//! executor, with no async runtime.

mod support;

use std::future::Future;
use std::pin::pin;
use std::sync::mpsc;
use std::task::Poll;

use support::{GUARD, block_on_counting, within};
use threaded::pool::{JobError, ThreadPool};

#[test]
fn a_finished_job_is_ready_at_once() {
    let pool = ThreadPool::new(1);
    let job = pool.submit(|| 21 * 2);
    assert!(job.wait_timeout(GUARD));
    let (result, wakes) = block_on_counting(job);
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
        block_on_counting(async move {
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
    let (result, _) = within(GUARD, move || block_on_counting(panicked));
    assert_eq!(result.unwrap_err().panic_message(), Some("async boom"));
    pool.shutdown();
    let refused = pool.submit(|| 1_u8);
    let (result, wakes) = block_on_counting(refused);
    assert!(matches!(result, Err(JobError::ShutDown)));
    assert_eq!(wakes, 0);
}

/// Many jobs awaited one after the other: a lost wake-up would hang one.
#[test]
fn many_awaited_jobs_never_lose_a_wake_up() {
    let pool = ThreadPool::new(2);
    let total = within(GUARD, move || {
        block_on_counting(async move {
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
