//! A submitted job: the slot its result lands in, the handle the caller
//! keeps, and the boxed closure the workers run.

use std::fmt;
use std::future::Future;
use std::mem;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::error::JobError;
use crate::unpoison::Unpoison;

const PENDING: u8 = 0;
const RUNNING: u8 = 1;
/// Ran to its end (returned or panicked), or was refused by a shut-down pool.
const FINISHED: u8 = 2;
const CANCELLED: u8 = 3;

/// Where a job's result lands. `state` moves PENDING → RUNNING → FINISHED, or
/// PENDING → CANCELLED / FINISHED (refused); it only becomes final while
/// `inner` is locked, after the result is stored there, so a waiter that
/// checks it under the lock cannot miss the wake-up.
pub(crate) struct Slot<R> {
    state: AtomicU8,
    inner: Mutex<Inner<R>>,
    finished: Condvar,
}

struct Inner<R> {
    result: Option<Result<R, JobError>>,
    /// Threads blocked on `finished`; with none, finishing makes no syscall.
    sleepers: usize,
    /// The task that last polled the `Job` as a future.
    waker: Option<Waker>,
    /// `as_completed` iterators waiting for this job.
    watchers: Vec<Waker>,
}

impl<R> Slot<R> {
    pub(crate) fn new() -> Self {
        Self {
            state: AtomicU8::new(PENDING),
            inner: Mutex::new(Inner {
                result: None,
                sleepers: 0,
                waker: None,
                watchers: Vec::new(),
            }),
            finished: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<R>> {
        // Nothing panics while the lock is held except user wakers, which are
        // called after it is released, so the data is always consistent.
        self.inner.lock().unpoisoned()
    }

    fn state(&self) -> u8 {
        self.state.load(Ordering::Acquire)
    }

    fn is_final(&self) -> bool {
        self.state() >= FINISHED
    }

    /// Claims the job for a worker; `false` if it was cancelled first.
    fn try_start(&self) -> bool {
        self.state
            .compare_exchange(PENDING, RUNNING, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Moves a job that has not started to `to`, with `error` as its result.
    fn stop_pending(&self, to: u8, error: JobError) -> bool {
        let mut inner = self.lock();
        if self
            .state
            .compare_exchange(PENDING, to, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return false;
        }
        inner.result = Some(Err(error));
        self.wake(inner);
        true
    }

    pub(crate) fn cancel(&self) -> bool {
        self.stop_pending(CANCELLED, JobError::Cancelled)
    }

    pub(crate) fn refuse(&self) {
        self.stop_pending(FINISHED, JobError::ShutDown);
    }

    fn complete(&self, result: Result<R, JobError>) {
        let mut inner = self.lock();
        inner.result = Some(result);
        self.state.store(FINISHED, Ordering::Release);
        self.wake(inner);
    }

    /// Wakes everyone waiting; takes the guard so that wakers, which are user
    /// code, run after the lock is released.
    fn wake(&self, mut inner: MutexGuard<'_, Inner<R>>) {
        let sleepers = inner.sleepers > 0;
        let waker = inner.waker.take();
        let watchers = mem::take(&mut inner.watchers);
        drop(inner);
        if sleepers {
            self.finished.notify_all();
        }
        if let Some(waker) = waker {
            waker.wake();
        }
        for watcher in watchers {
            watcher.wake();
        }
    }

    /// Blocks until the job is final or `deadline` passes; `true` iff final.
    fn wait_until(&self, deadline: Option<Instant>) -> bool {
        if self.spin() {
            return true;
        }
        let mut inner = self.lock();
        while !self.is_final() {
            inner.sleepers += 1;
            inner = match deadline {
                None => self.finished.wait(inner).unpoisoned(),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        inner.sleepers -= 1;
                        return false;
                    }
                    self.finished
                        .wait_timeout(inner, deadline - now)
                        .unpoisoned()
                        .0
                }
            };
            inner.sleepers -= 1;
        }
        true
    }

    /// A trivial job is often done within a few microseconds: checking a few
    /// times before sleeping saves both sides a futex call and a context
    /// switch (crossbeam-channel's receivers do the same).
    fn spin(&self) -> bool {
        for step in 0..10_u32 {
            if self.is_final() {
                return true;
            }
            if step < 6 {
                for _ in 0..1_u32 << step {
                    std::hint::spin_loop();
                }
            } else {
                std::thread::yield_now();
            }
        }
        self.is_final()
    }

    fn take(&self) -> Result<R, JobError> {
        self.lock()
            .result
            .take()
            .expect("the result of this Job was already taken by `.await`")
    }

    /// Calls `watcher` once the job is final (at once if it already is).
    pub(crate) fn watch(&self, watcher: Waker) {
        let mut inner = self.lock();
        if self.is_final() {
            drop(inner);
            watcher.wake();
        } else {
            inner.watchers.push(watcher);
        }
    }
}

/// A job submitted to a [`ThreadPool`](super::ThreadPool): Python's
/// `concurrent.futures.Future`.
///
/// [`join`](Self::join) waits for its result, [`wait_timeout`](Self::wait_timeout)
/// waits a while, [`cancel`](Self::cancel) withdraws it if it has not started.
/// A `Job` is also a [`Future`], so async code can `.await` a blocking job.
///
/// Dropping a `Job` neither cancels nor waits for it: the job still runs and
/// its result is dropped. A `Job` does not keep its pool alive; if the last
/// clone of the pool is dropped, the pool still finishes the job (that is
/// what shutting down means), and `join` returns its result.
///
/// # Examples
///
/// ```
/// use threaded::pool::ThreadPool;
///
/// let pool = ThreadPool::new(2);
/// let job = pool.submit(|| 6 * 7);
/// assert_eq!(job.join().unwrap(), 42);
/// ```
#[must_use = "a Job runs on, but dropping it loses its result and any panic; `join` it, or `drop` it to let it run unobserved"]
pub struct Job<R> {
    // The same allocation the queue carries as `Arc<dyn Run>`: one per job.
    cell: Arc<dyn HasSlot<R>>,
}

impl<R> Job<R> {
    pub(crate) fn slot(&self) -> &Slot<R> {
        self.cell.slot()
    }

    /// Waits for the job to finish and returns its result: Python's
    /// `future.result()`.
    ///
    /// # Errors
    ///
    /// - [`JobError::Panicked`] with the payload, if the job panicked;
    /// - [`JobError::Cancelled`] if it was cancelled before it started;
    /// - [`JobError::ShutDown`] if it was submitted to a shut-down pool.
    ///
    /// # Panics
    ///
    /// Panics if the result was already taken by polling the job as a
    /// [`Future`] to completion.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::pool::ThreadPool;
    ///
    /// let pool = ThreadPool::new(1);
    /// let job = pool.submit(|| "olá".to_uppercase());
    /// assert_eq!(job.join().unwrap(), "OLÁ");
    /// ```
    pub fn join(self) -> Result<R, JobError> {
        self.slot().wait_until(None);
        self.slot().take()
    }

    /// Waits up to `timeout` for the job to finish; `true` iff it has (or was
    /// cancelled or refused): Python's `concurrent.futures.wait([f], timeout)`.
    ///
    /// It never returns early, and `Duration::MAX` waits for ever.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    /// use threaded::pool::ThreadPool;
    ///
    /// let pool = ThreadPool::new(1);
    /// let (go, wait) = mpsc::channel::<()>();
    /// let job = pool.submit(move || wait.recv().is_ok());
    /// assert!(!job.wait_timeout(Duration::from_millis(10)));
    /// go.send(()).unwrap();
    /// assert!(job.wait_timeout(Duration::MAX));
    /// assert!(job.join().unwrap());
    /// ```
    #[must_use]
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.slot().wait_until(Instant::now().checked_add(timeout))
    }

    /// `true` once the job has finished, was cancelled, or was refused:
    /// Python's `future.done()`. [`join`](Self::join) then returns at once.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.slot().is_final()
    }

    /// `true` while a worker is running the job: Python's `future.running()`.
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.slot().state() == RUNNING
    }

    /// `true` if the job was cancelled before it started: Python's
    /// `future.cancelled()`.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.slot().state() == CANCELLED
    }

    /// Withdraws the job if no worker has started it: Python's
    /// `future.cancel()`.
    ///
    /// Returns `true` iff the job had not started and now never will; its
    /// result is then `Err(JobError::Cancelled)`. A running or finished job
    /// cannot be cancelled and gives `false` (unlike Python, a second
    /// `cancel` of a cancelled job is `false` too: it cancelled nothing).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threaded::pool::{JobError, ThreadPool};
    ///
    /// let pool = ThreadPool::new(1);
    /// let (go, wait) = mpsc::channel::<()>();
    /// let busy = pool.submit(move || wait.recv().unwrap());
    /// let queued = pool.submit(|| unreachable!("cancelled before it ran"));
    /// assert!(queued.cancel());
    /// assert!(queued.is_cancelled());
    /// go.send(()).unwrap();
    /// busy.join().unwrap();
    /// assert!(matches!(queued.join(), Err(JobError::Cancelled)));
    /// ```
    pub fn cancel(&self) -> bool {
        self.slot().cancel()
    }

    fn state_name(&self) -> &'static str {
        match self.slot().state() {
            PENDING => "pending",
            RUNNING => "running",
            CANCELLED => "cancelled",
            _ => "finished",
        }
    }
}

impl<R> fmt::Debug for Job<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("state", &self.state_name())
            .finish_non_exhaustive()
    }
}

/// Polling registers the task's waker under the slot's lock, after checking
/// the state there; the worker stores the result and takes the waker under
/// the same lock, so a wake-up cannot fall between the two.
impl<R> Future for Job<R> {
    type Output = Result<R, JobError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let slot = self.slot();
        if !slot.is_final() {
            let mut inner = slot.lock();
            if !slot.is_final() {
                match &mut inner.waker {
                    Some(waker) if waker.will_wake(cx.waker()) => {}
                    waker => *waker = Some(cx.waker().clone()),
                }
                return Poll::Pending;
            }
        }
        Poll::Ready(slot.take())
    }
}

/// Creates a job's one allocation: its closure and its slot. Gives the
/// handle the caller keeps and the one the queue carries.
pub(crate) fn new_job<F, R>(f: F) -> (Job<R>, Queued)
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let cell = Arc::new(Cell {
        slot: Slot::new(),
        f: parking_lot::Mutex::new(Some(f)),
    });
    let job = Job {
        cell: Arc::clone(&cell) as Arc<dyn HasSlot<R>>,
    };
    (job, Queued(Some(cell)))
}

/// A job's closure and the slot its result goes to, in one allocation.
struct Cell<F, R> {
    slot: Slot<R>,
    /// Taken once, through the one `Queued` handle (by the worker or the
    /// `shutdown_now` drain that owns it), so the lock is never contended:
    /// it costs one uncontended compare-and-swap, and it is what makes the
    /// cell `Sync` for any `F: Send` without `unsafe`.
    f: parking_lot::Mutex<Option<F>>,
}

pub(crate) trait HasSlot<R>: Send + Sync {
    fn slot(&self) -> &Slot<R>;
}

impl<F: Send, R: Send> HasSlot<R> for Cell<F, R> {
    fn slot(&self) -> &Slot<R> {
        &self.slot
    }
}

/// The type-erased job the queue carries to the workers.
trait Run: Send + Sync {
    /// Runs the job unless it was cancelled, storing its result or panic.
    fn run(self: Arc<Self>);
    /// Cancels the job instead of running it, and drops its closure.
    fn cancel(self: Arc<Self>);
    /// Marks the job refused (the pool was shut down) and drops its closure.
    fn refuse(self: Arc<Self>);
}

impl<F, R> Cell<F, R> {
    /// Takes the closure out: `None` once it was taken.
    fn take(&self) -> Option<F> {
        self.f.lock().take()
    }
}

impl<F, R> Run for Cell<F, R>
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    fn run(self: Arc<Self>) {
        let Some(f) = self.take() else {
            return;
        };
        if !self.slot.try_start() {
            // Cancelled while queued: drop the closure here, on the worker.
            drop(f);
            return;
        }
        match panic::catch_unwind(AssertUnwindSafe(f)) {
            Ok(value) => self.slot.complete(Ok(value)),
            Err(payload) => {
                log::error!(
                    "a job panicked on thread '{}': {}; its worker goes on",
                    std::thread::current().name().unwrap_or("<unnamed>"),
                    crate::panics::message(&*payload),
                );
                self.slot.complete(Err(JobError::Panicked(payload)));
            }
        }
    }

    fn cancel(self: Arc<Self>) {
        // The slot first: if dropping the closure panics, the job is
        // already marked cancelled.
        self.slot.cancel();
        drop(self.take());
    }

    fn refuse(self: Arc<Self>) {
        self.slot.refuse();
        drop(self.take());
    }
}

/// The queue's handle on a job: the only way to its closure. Dropped
/// without being run (a queue dropped with it inside), it cancels the job,
/// so no caller waits for ever.
pub(crate) struct Queued(Option<Arc<dyn Run>>);

impl Queued {
    pub(crate) fn run(mut self) {
        if let Some(cell) = self.0.take() {
            cell.run();
        }
    }

    pub(crate) fn cancel(mut self) {
        if let Some(cell) = self.0.take() {
            cell.cancel();
        }
    }

    pub(crate) fn refuse(mut self) {
        if let Some(cell) = self.0.take() {
            cell.refuse();
        }
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        if let Some(cell) = self.0.take() {
            cell.cancel();
        }
    }
}
