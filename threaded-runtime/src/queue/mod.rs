//! [`WorkQueue`], Python's joinable `queue.Queue`, and its RAII [`Task`].
//!
//! The public type and its docs live here; [`state`] holds the counting protocol,
//! [`wait`] the wait lists of blocked callers, [`task`] the [`Task`] guard and [`workers`]
//! the worker loop of [`WorkQueue::spawn_workers`].

mod async_api;
mod inspect;
mod state;
mod sync;
mod task;
mod wait;
mod workers;

use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use crate::error::{GetError, PutError, TaskDoneError};
pub use inspect::Waiters;
use state::Inner;
pub use task::Task;
pub use workers::Tasks;

/// A FIFO work queue shared between threads: Python's `queue.Queue`, joinable, on `flume`.
///
/// Producers [`put`](Self::put) items, consumers [`get`](Self::get) them and report each one
/// finished with [`task_done`](Self::task_done) (or hold it as a [`Task`], which does so when
/// dropped); [`join`](Self::join) waits until every item put has been finished.
/// [`shutdown`](Self::shutdown) refuses further puts and lets consumers drain what is left,
/// then tells them to stop.
///
/// Clones share one queue. `WorkQueue<T>` is `Send + Sync` when `T: Send`.
///
/// A put costs flume's `try_send` and three atomic operations, a get a compare-and-swap,
/// flume's `try_recv` and an atomic add, and [`task_done`](Self::task_done) one
/// compare-and-swap on a cache line producers never write; nobody is woken unless somebody sleeps. A getter that
/// finds the queue empty spins briefly on an atomic count of ready items (never on flume's
/// lock), then parks; a put wakes a parked getter only when no other getter is spinning,
/// so a pool of more workers than cores does not turn every put into a system call.
///
/// | Python `queue.Queue` | `WorkQueue` |
/// |---|---|
/// | `Queue()` / `Queue(maxsize)` | [`new`](Self::new) / [`bounded`](Self::bounded) |
/// | `put(item)` / `put(item, timeout=t)` / `put_nowait(item)` | [`put`](Self::put) / [`put_timeout`](Self::put_timeout) / [`try_put`](Self::try_put) |
/// | `get()` / `get(timeout=t)` / `get_nowait()` | [`get`](Self::get) / [`get_timeout`](Self::get_timeout) / [`try_get`](Self::try_get) |
/// | `task_done()` / `join()` | [`task_done`](Self::task_done) / [`join`](Self::join), [`join_timeout`](Self::join_timeout) |
/// | `qsize()` / `empty()` / `full()` / `maxsize` | [`len`](Self::len) / [`is_empty`](Self::is_empty) / [`is_full`](Self::is_full) / [`capacity`](Self::capacity) |
/// | `unfinished_tasks` | [`unfinished_tasks`](Self::unfinished_tasks) |
/// | `shutdown()` / `shutdown(immediate=True)` | [`shutdown`](Self::shutdown) / [`shutdown_now`](Self::shutdown_now) |
///
/// # Examples
///
/// The lecture's worker pool:
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::sync::Arc;
/// use threaded::WorkQueue;
///
/// let q = WorkQueue::new();
/// let total = Arc::new(AtomicU64::new(0));
/// let sum = Arc::clone(&total);
/// let workers = q.spawn_workers(4, move |n: u64| {
///     sum.fetch_add(n, Ordering::Relaxed);
/// });
/// for n in 1..=100 {
///     q.put(n).unwrap();
/// }
/// q.join(); // every item has been processed
/// assert_eq!(total.load(Ordering::Relaxed), 5050);
/// q.shutdown();
/// for w in workers {
///     w.join().unwrap();
/// }
/// ```
pub struct WorkQueue<T> {
    inner: Arc<Inner<T>>,
}

impl<T> WorkQueue<T> {
    /// Creates an unbounded queue: Python's `Queue()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::new();
    /// q.put(1).unwrap();
    /// assert_eq!(q.capacity(), None);
    /// assert_eq!(q.get(), Ok(1));
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(None)
    }

    /// Creates a queue holding at most `maxsize` items: Python's `Queue(maxsize)`.
    /// [`put`](Self::put) blocks while it is full.
    ///
    /// # Panics
    ///
    /// Panics if `maxsize` is 0: a zero-capacity queue can never take a task (Python treats
    /// `maxsize <= 0` as unbounded; here that is [`WorkQueue::new`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::bounded(2);
    /// q.put('a').unwrap();
    /// q.put('b').unwrap();
    /// assert!(q.is_full());
    /// assert!(q.try_put('c').unwrap_err().is_full());
    /// ```
    #[must_use]
    pub fn bounded(maxsize: usize) -> Self {
        assert!(
            maxsize > 0,
            "WorkQueue::bounded(0): a zero-capacity queue can never take a task; \
             use WorkQueue::new() for an unbounded queue"
        );
        Self::with_capacity(Some(maxsize))
    }

    fn with_capacity(capacity: Option<usize>) -> Self {
        WorkQueue {
            inner: Arc::new(Inner::new(capacity)),
        }
    }

    /// Puts `item` at the back of the queue, blocking while the queue is full:
    /// Python's `put(item)`.
    ///
    /// Counts one more unfinished task on success.
    ///
    /// # Errors
    ///
    /// [`PutError::ShutDown`] with the item if the queue is (or, while blocked, becomes)
    /// shut down. Never [`PutError::Full`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::new();
    /// q.put("job").unwrap();
    /// assert_eq!(q.unfinished_tasks(), 1);
    /// q.shutdown();
    /// assert_eq!(q.put("late").unwrap_err().into_inner(), "late");
    /// ```
    pub fn put(&self, item: T) -> Result<(), PutError<T>> {
        match self.inner.try_put(item) {
            Err(PutError::Full(item)) => self.inner.put_blocking(item, None),
            result => result,
        }
    }

    /// Like [`put`](Self::put), but gives up after `timeout`: Python's `put(item, timeout=t)`.
    ///
    /// A `timeout` too large to represent waits for ever.
    ///
    /// # Errors
    ///
    /// [`PutError::Full`] with the item if no slot became free in time;
    /// [`PutError::ShutDown`] with the item if the queue is or becomes shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::bounded(1);
    /// q.put(1).unwrap();
    /// let err = q.put_timeout(2, Duration::from_millis(10)).unwrap_err();
    /// assert!(err.is_full());
    /// ```
    pub fn put_timeout(&self, item: T, timeout: Duration) -> Result<(), PutError<T>> {
        match self.inner.try_put(item) {
            Err(PutError::Full(item)) => self.inner.put_blocking(item, Some(timeout)),
            result => result,
        }
    }

    /// Puts `item` only if there is room right now: Python's `put_nowait(item)`.
    ///
    /// # Errors
    ///
    /// [`PutError::ShutDown`] if the queue is shut down (checked first, as in CPython),
    /// else [`PutError::Full`] if it is full; both hand the item back.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::{PutError, WorkQueue};
    ///
    /// let q = WorkQueue::bounded(1);
    /// assert_eq!(q.try_put(1), Ok(()));
    /// assert_eq!(q.try_put(2), Err(PutError::Full(2)));
    /// ```
    pub fn try_put(&self, item: T) -> Result<(), PutError<T>> {
        self.inner.try_put(item)
    }

    /// Removes and returns the item at the front, blocking while the queue is empty:
    /// Python's `get()`.
    ///
    /// After a [`shutdown`](Self::shutdown) it still returns what was queued before, then
    /// fails. Call [`task_done`](Self::task_done) when finished with the item, or use
    /// [`get_task`](Self::get_task), which does it for you.
    ///
    /// # Errors
    ///
    /// [`GetError::ShutDown`] once the queue is shut down and empty. Never
    /// [`GetError::Empty`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::{GetError, WorkQueue};
    ///
    /// let q = WorkQueue::new();
    /// q.put(1).unwrap();
    /// q.shutdown();
    /// assert_eq!(q.get(), Ok(1));
    /// assert_eq!(q.get(), Err(GetError::ShutDown));
    /// ```
    pub fn get(&self) -> Result<T, GetError> {
        match self.inner.try_recv() {
            Some(item) => Ok(item),
            None => self.inner.get_blocking(None),
        }
    }

    /// Like [`get`](Self::get), but gives up after `timeout`: Python's `get(timeout=t)`.
    ///
    /// On a shut-down, empty queue it fails with [`GetError::ShutDown`] at once, whatever
    /// the timeout. A `timeout` too large to represent waits for ever.
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`] if no item arrived in time; [`GetError::ShutDown`] once the queue
    /// is shut down and empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::{GetError, WorkQueue};
    ///
    /// let q = WorkQueue::<u8>::new();
    /// assert_eq!(q.get_timeout(Duration::from_millis(10)), Err(GetError::Empty));
    /// ```
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, GetError> {
        match self.inner.try_recv() {
            Some(item) => Ok(item),
            None => self.inner.get_blocking(Some(timeout)),
        }
    }

    /// Removes and returns the front item only if one is there now: Python's `get_nowait()`.
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`] if the queue is empty; [`GetError::ShutDown`] if it is empty
    /// and shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::{GetError, WorkQueue};
    ///
    /// let q = WorkQueue::new();
    /// assert_eq!(q.try_get(), Err(GetError::Empty));
    /// q.put(5).unwrap();
    /// assert_eq!(q.try_get(), Ok(5));
    /// ```
    pub fn try_get(&self) -> Result<T, GetError> {
        match self.inner.poll_get(None) {
            Poll::Ready(result) => result,
            Poll::Pending => unreachable!("a get without a waker never waits"),
        }
    }

    /// Like [`get`](Self::get), but returns the item inside a [`Task`] that marks it done
    /// when dropped, also when the code handling it panics.
    ///
    /// Python's `item = q.get()` followed by `try: ... finally: q.task_done()`.
    ///
    /// # Errors
    ///
    /// [`GetError::ShutDown`] once the queue is shut down and empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::new();
    /// q.put(String::from("job")).unwrap();
    /// {
    ///     let task = q.get_task().unwrap();
    ///     assert_eq!(task.len(), 3); // derefs to the item
    ///     assert_eq!(q.unfinished_tasks(), 1);
    /// } // dropped: done
    /// assert_eq!(q.unfinished_tasks(), 0);
    /// ```
    pub fn get_task(&self) -> Result<Task<T>, GetError> {
        let item = self.get()?;
        Ok(Task::new(item, self.clone()))
    }

    /// Marks one item as finished: Python's `task_done()`.
    ///
    /// When the count of unfinished tasks reaches 0, every thread in [`join`](Self::join)
    /// wakes. If nobody is joining, no wake-up is attempted at all.
    ///
    /// # Errors
    ///
    /// [`TaskDoneError`] if called more times than items were put; the count stays at 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::new();
    /// q.put(()).unwrap();
    /// q.get().unwrap();
    /// assert_eq!(q.task_done(), Ok(()));
    /// assert!(q.task_done().is_err());
    /// ```
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        self.inner.task_done()
    }

    /// Blocks until every item put has been marked done: Python's `join()`.
    ///
    /// Returns at once when nothing is unfinished; may be called again, and from many
    /// threads at once. [`shutdown`](Self::shutdown) alone does not release it (the queued
    /// items are still to be processed); [`shutdown_now`](Self::shutdown_now) does, unless
    /// items already handed out are still unfinished.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::new();
    /// q.put(1).unwrap();
    /// let worker = {
    ///     let q = q.clone();
    ///     std::thread::spawn(move || {
    ///         let _task = q.get_task().unwrap();
    ///     })
    /// };
    /// q.join();
    /// assert_eq!(q.unfinished_tasks(), 0);
    /// worker.join().unwrap();
    /// ```
    pub fn join(&self) {
        self.inner.join_deadline(None);
    }

    /// Like [`join`](Self::join), but gives up after `timeout`; `true` iff every item put has
    /// been marked done. A `timeout` too large to represent waits for ever.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::new();
    /// assert!(q.join_timeout(Duration::ZERO));
    /// q.put(1).unwrap();
    /// assert!(!q.join_timeout(Duration::from_millis(10)));
    /// ```
    #[must_use]
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        self.inner
            .join_deadline(Instant::now().checked_add(timeout))
    }

    /// Shuts the queue down: Python's `shutdown()`.
    ///
    /// Every later put fails with [`PutError::ShutDown`]; gets return what is still queued,
    /// then fail with [`GetError::ShutDown`]. Blocked putters and getters wake at once.
    /// Threads in [`join`](Self::join) are not released: the queued items still count as
    /// unfinished until processed. Calling it again does nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::new();
    /// q.put(1).unwrap();
    /// q.shutdown();
    /// assert!(q.is_shut_down());
    /// assert!(q.put(2).is_err());
    /// assert_eq!(q.get(), Ok(1)); // drains what was queued
    /// assert!(q.get().unwrap_err().is_shut_down());
    /// ```
    pub fn shutdown(&self) {
        self.inner.shutdown();
    }

    /// Shuts the queue down and discards what is queued: Python's `shutdown(immediate=True)`.
    ///
    /// Like [`shutdown`](Self::shutdown), and every queued item is dropped and counted done,
    /// so [`join`](Self::join) returns unless items already handed out are still unfinished.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::{GetError, WorkQueue};
    ///
    /// let q = WorkQueue::new();
    /// q.put(1).unwrap();
    /// q.put(2).unwrap();
    /// q.shutdown_now();
    /// assert_eq!(q.unfinished_tasks(), 0);
    /// assert_eq!(q.get(), Err(GetError::ShutDown));
    /// q.join(); // returns at once
    /// ```
    pub fn shutdown_now(&self) {
        self.inner.shutdown_now();
    }

    /// `true` once [`shutdown`](Self::shutdown) or [`shutdown_now`](Self::shutdown_now) was
    /// called (Python's private `is_shutdown`).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::<u8>::new();
    /// assert!(!q.is_shut_down());
    /// q.shutdown();
    /// assert!(q.is_shut_down());
    /// ```
    #[must_use]
    pub fn is_shut_down(&self) -> bool {
        self.inner.is_shut_down()
    }
}

impl<T> Clone for WorkQueue<T> {
    fn clone(&self) -> Self {
        WorkQueue {
            inner: Arc::clone(&self.inner),
        }
    }
}

// A panic elsewhere cannot leave the queue half-updated: its state changes are single
// atomic operations, no user code runs under its locks (or flume's), its own locks ignore
// poisoning, and an item's panicking Drop in shutdown_now is caught until the queue is
// consistent again.
impl<T> UnwindSafe for WorkQueue<T> {}
impl<T> RefUnwindSafe for WorkQueue<T> {}

impl<T> Default for WorkQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for WorkQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let waiters = self.waiters();
        f.debug_struct("WorkQueue")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("unfinished_tasks", &self.unfinished_tasks())
            .field("shut_down", &self.is_shut_down())
            .field("blocked_getters", &waiters.getters)
            .field("blocked_putters", &waiters.putters)
            .field("joiners", &waiters.joiners)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
