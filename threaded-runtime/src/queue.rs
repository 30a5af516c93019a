//! [`WorkQueue`], Python's joinable `queue.Queue`, and its RAII [`Task`].

mod wait;

use std::fmt;
use std::future::poll_fn;
use std::ops::{Deref, DerefMut};
use std::panic::{self, AssertUnwindSafe, RefUnwindSafe, UnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Poll, Waker};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use flume::TrySendError;

use crate::error::{GetError, PutError, TaskDoneError};
use wait::{Registration, ThreadWaker, WaitList, lock};

// The whole shared state of a queue is one word, so that a put costs one atomic operation
// before its flume send (count the task, see the shutdown flag) and one after it (leave the
// in-flight count, see whether a getter sleeps).
//
// bit 0        SHUT           shutdown() was called
// bit 1        JOIN_WAIT      some thread is in join(); task_done only wakes when it is set
// bit 2        GETTERS_WAIT   the getters' wait list is non-empty
// bit 3        PUTTERS_WAIT   the putters' wait list is non-empty
// bits 4..24   in-flight puts: counted before their try_send, uncounted after. A getter only
//              reports ShutDown when none is in flight, so an item whose put began before the
//              shutdown is never stranded behind a getter that already gave up. A put is in
//              flight only around one non-blocking try_send, so 2^20 of them at once would
//              take as many threads.
// bits 24..64  unfinished tasks (2^40; a put beyond that panics rather than wrap)
const SHUT: u64 = 1;
const JOIN_WAIT: u64 = 1 << 1;
const GETTERS_WAIT: u64 = 1 << 2;
const PUTTERS_WAIT: u64 = 1 << 3;
const INFLIGHT_SHIFT: u32 = 4;
const INFLIGHT_UNIT: u64 = 1 << INFLIGHT_SHIFT;
const TASK_SHIFT: u32 = 24;
const INFLIGHT_MASK: u64 = (1 << TASK_SHIFT) - INFLIGHT_UNIT;
const TASK_UNIT: u64 = 1 << TASK_SHIFT;
const MAX_TASKS: u64 = u64::MAX >> TASK_SHIFT;

/// Attempts a blocking get or put makes before it registers and parks.
const BACKOFF_STEPS: u32 = 10;

/// Waits a little between attempts: parking costs two system calls and a wake-up from the
/// other side, while an item or a slot usually turns up within microseconds under load.
/// Spins first, then yields (as crossbeam's `Backoff` does).
fn backoff(step: u32) {
    if step < 6 {
        for _ in 0..1u32 << step {
            std::hint::spin_loop();
        }
    } else {
        thread::yield_now();
    }
}

fn tasks(state: u64) -> u64 {
    state >> TASK_SHIFT
}

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
/// A put and a get on a queue that is neither full nor empty cost flume's `try_send` and
/// `try_recv` plus, for the put, one atomic add before the send and one atomic subtract
/// after it; [`task_done`](Self::task_done) is one compare-and-swap and wakes nobody unless
/// a thread is in [`join`](Self::join). A caller that has to wait spins briefly, then parks.
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

struct Inner<T> {
    // The queue holds the only sender and receiver: the channel never disconnects, and
    // shutdown lives in `state` instead.
    tx: flume::Sender<T>,
    rx: flume::Receiver<T>,
    capacity: Option<usize>,
    state: AtomicU64,
    getters: WaitList,
    putters: WaitList,
    /// Number of threads in `join`, guarding `all_done`.
    joiners: Mutex<usize>,
    all_done: Condvar,
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
        Self::with_channel(flume::unbounded(), None)
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
        Self::with_channel(flume::bounded(maxsize), Some(maxsize))
    }

    fn with_channel((tx, rx): (flume::Sender<T>, flume::Receiver<T>), cap: Option<usize>) -> Self {
        WorkQueue {
            inner: Arc::new(Inner {
                tx,
                rx,
                capacity: cap,
                state: AtomicU64::new(0),
                getters: WaitList::new(GETTERS_WAIT),
                putters: WaitList::new(PUTTERS_WAIT),
                joiners: Mutex::new(0),
                all_done: Condvar::new(),
            }),
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
        match self.inner.rx.try_recv() {
            Ok(item) => {
                self.inner.taken();
                Ok(item)
            }
            Err(_) => self.inner.get_blocking(None),
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
        match self.inner.rx.try_recv() {
            Ok(item) => {
                self.inner.taken();
                Ok(item)
            }
            Err(_) => self.inner.get_blocking(Some(timeout)),
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
        Ok(Task {
            item: Some(item),
            queue: self.clone(),
        })
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

    /// Number of items in the queue now: Python's `qsize()`. Other threads may change it
    /// before you act on it.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::new();
    /// q.put(1).unwrap();
    /// q.put(2).unwrap();
    /// assert_eq!(q.len(), 2);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner.rx.len()
    }

    /// `true` if the queue holds no item now: Python's `empty()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::<u8>::new();
    /// assert!(q.is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.inner.rx.is_empty()
    }

    /// `true` if a bounded queue holds `capacity` items now: Python's `full()`. Always
    /// `false` for an unbounded queue.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::bounded(1);
    /// assert!(!q.is_full());
    /// q.put(1).unwrap();
    /// assert!(q.is_full());
    /// ```
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.inner.capacity.is_some_and(|cap| self.len() >= cap)
    }

    /// The bound given to [`bounded`](Self::bounded), `None` if unbounded: Python's `maxsize`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// assert_eq!(WorkQueue::<u8>::bounded(8).capacity(), Some(8));
    /// ```
    #[must_use]
    pub fn capacity(&self) -> Option<usize> {
        self.inner.capacity
    }

    /// Number of items put and not yet marked done: Python's `unfinished_tasks`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::new();
    /// q.put(1).unwrap();
    /// let item = q.get().unwrap(); // taken, not yet done
    /// assert_eq!((item, q.unfinished_tasks()), (1, 1));
    /// q.task_done().unwrap();
    /// assert_eq!(q.unfinished_tasks(), 0);
    /// ```
    #[must_use]
    pub fn unfinished_tasks(&self) -> usize {
        // The 40-bit count fits any usize this crate is built for.
        tasks(self.inner.state.load(SeqCst)) as usize
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
        self.inner.state.load(SeqCst) & SHUT != 0
    }

    /// Async [`put`](Self::put): waits for room without blocking the thread.
    ///
    /// Works with any executor. Dropping the future before it completes drops the item
    /// unqueued (it was never counted).
    ///
    /// # Errors
    ///
    /// [`PutError::ShutDown`] with the item if the queue is or becomes shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     use std::task::{Context, Poll, Waker};
    /// #     let mut f = std::pin::pin!(f);
    /// #     let mut cx = Context::from_waker(Waker::noop());
    /// #     loop { if let Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } std::thread::yield_now(); }
    /// # }
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::bounded(1);
    /// block_on(async {
    ///     q.put_async(1).await.unwrap();
    ///     assert_eq!(q.get_async().await, Ok(1));
    /// });
    /// ```
    pub async fn put_async(&self, item: T) -> Result<(), PutError<T>> {
        let mut item = Some(item);
        let mut reg = Registration::new(&self.inner.putters, &self.inner.state);
        poll_fn(|cx| self.inner.poll_put(&mut item, Some((&mut reg, cx.waker())))).await
    }

    /// Async [`get`](Self::get): waits for an item without blocking the thread.
    ///
    /// Works with any executor. Dropping the future before it completes loses nothing.
    ///
    /// # Errors
    ///
    /// [`GetError::ShutDown`] once the queue is shut down and empty.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     use std::task::{Context, Poll, Waker};
    /// #     let mut f = std::pin::pin!(f);
    /// #     let mut cx = Context::from_waker(Waker::noop());
    /// #     loop { if let Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } std::thread::yield_now(); }
    /// # }
    /// use threaded::{GetError, WorkQueue};
    ///
    /// let q = WorkQueue::<u8>::new();
    /// q.shutdown();
    /// assert_eq!(block_on(q.get_async()), Err(GetError::ShutDown));
    /// ```
    pub async fn get_async(&self) -> Result<T, GetError> {
        let mut reg = Registration::new(&self.inner.getters, &self.inner.state);
        poll_fn(|cx| self.inner.poll_get(Some((&mut reg, cx.waker())))).await
    }
}

impl<T: Send + 'static> WorkQueue<T> {
    /// Starts `n` worker threads that take items and call `f` on each: the lecture's
    /// `@threaded` worker loop.
    ///
    /// The threads are named `workqueue-worker-0` to `workqueue-worker-{n-1}`. Each one
    /// gets an item, calls `f`, and marks the item done. If `f` panics, the panic is
    /// logged with `log::error!` (thread name and panic message; the default panic hook
    /// prints it too), the item is still marked done, and the worker goes on with the next.
    ///
    /// The workers run until the queue is shut down: they finish what was queued before
    /// [`shutdown`](Self::shutdown), then exit. So `shutdown()` and joining the returned
    /// handles is how to stop them; without a shutdown they never exit.
    ///
    /// `f` must not call [`task_done`](Self::task_done) itself, as the lecture's loop
    /// does: the worker already marks each item done, so a second call would mark
    /// another item done and let `join` return before that item is processed.
    ///
    /// # Panics
    ///
    /// Panics if a thread cannot be spawned, as [`std::thread::spawn`] does.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::new();
    /// let seen = Arc::new(AtomicUsize::new(0));
    /// let s = Arc::clone(&seen);
    /// let workers = q.spawn_workers(2, move |n: usize| {
    ///     assert!(n != 3, "three is unlucky"); // logged; the item is still done
    ///     s.fetch_add(1, Ordering::Relaxed);
    /// });
    /// for n in 0..10 {
    ///     q.put(n).unwrap();
    /// }
    /// q.shutdown(); // the workers drain the queue, then exit
    /// for w in workers {
    ///     w.join().unwrap();
    /// }
    /// assert_eq!(seen.load(Ordering::Relaxed), 9);
    /// assert_eq!(q.unfinished_tasks(), 0);
    /// ```
    pub fn spawn_workers<F>(&self, n: usize, f: F) -> Vec<JoinHandle<()>>
    where
        F: Fn(T) + Send + Sync + 'static,
    {
        let f = Arc::new(f);
        (0..n)
            .map(|i| {
                let queue = self.clone();
                let f = Arc::clone(&f);
                thread::Builder::new()
                    .name(format!("workqueue-worker-{i}"))
                    .spawn(move || queue.work(&*f))
                    .expect("failed to spawn thread")
            })
            .collect()
    }

    fn work(&self, f: &(dyn Fn(T) + Send + Sync)) {
        while let Ok(item) = self.get() {
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| f(item))) {
                let message = payload
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                    .unwrap_or("Box<dyn Any>");
                log::error!(
                    "worker thread '{}' panicked on an item: {message}; marking it done and going on",
                    thread::current().name().unwrap_or("<unnamed>"),
                );
            }
            // Only fails if the user called task_done for this item too; nothing to undo.
            let _ = self.task_done();
        }
    }
}

impl<T> Inner<T> {
    fn try_put(&self, item: T) -> Result<(), PutError<T>> {
        // Refused puts must not touch the counts: a flood of them would keep the in-flight
        // count from ever reading 0 (getters and shutdown_now wait for that).
        if self.state.load(SeqCst) & SHUT != 0 {
            return Err(PutError::ShutDown(item));
        }
        let prev = self.state.fetch_add(TASK_UNIT + INFLIGHT_UNIT, SeqCst);
        if prev & SHUT != 0 {
            self.undo_put();
            return Err(PutError::ShutDown(item));
        }
        if tasks(prev) >= MAX_TASKS - 1 {
            self.undo_put();
            panic!("WorkQueue: too many unfinished tasks");
        }
        match self.tx.try_send(item) {
            Ok(()) => {
                let state = self.state.fetch_sub(INFLIGHT_UNIT, SeqCst);
                // A getter that registered before our send will be seen here: its flag was
                // set before its own try_recv, which flume's channel lock orders with ours.
                if state & GETTERS_WAIT != 0 {
                    self.getters.notify_one(&self.state);
                }
                Ok(())
            }
            Err(TrySendError::Full(item)) => {
                self.undo_put();
                Err(PutError::Full(item))
            }
            // Unreachable: the queue owns both ends, so the channel never disconnects.
            Err(TrySendError::Disconnected(item)) => {
                self.undo_put();
                Err(PutError::ShutDown(item))
            }
        }
    }

    fn undo_put(&self) {
        let prev = self.state.fetch_sub(TASK_UNIT + INFLIGHT_UNIT, SeqCst);
        self.released(prev, 1);
    }

    /// `waiting` is `None` for a non-blocking attempt.
    fn poll_put(
        &self,
        item: &mut Option<T>,
        mut waiting: Option<(&mut Registration<'_>, &Waker)>,
    ) -> Poll<Result<(), PutError<T>>> {
        let mut just_registered = false;
        loop {
            let result = self.try_put(item.take().expect("polled after completion"));
            match (result, waiting.as_mut()) {
                (Err(PutError::Full(back)), Some((reg, waker))) => {
                    *item = Some(back);
                    if just_registered || reg.wait_with(waker) {
                        return Poll::Pending;
                    }
                    just_registered = true;
                }
                (result, waiting) => {
                    if let Some((reg, _)) = waiting {
                        reg.complete();
                    }
                    return Poll::Ready(result);
                }
            }
        }
    }

    /// The rest of a put whose first attempt found the queue full. Kept out of line so that
    /// the common path stays a few instructions around the flume send.
    #[inline(never)]
    fn put_blocking(&self, item: T, timeout: Option<Duration>) -> Result<(), PutError<T>> {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let mut item = Some(item);
        for step in 0..BACKOFF_STEPS {
            match self.poll_put(&mut item, None) {
                Poll::Ready(Err(PutError::Full(back))) => item = Some(back),
                Poll::Ready(result) => return result,
                Poll::Pending => unreachable!(),
            }
            backoff(step);
        }
        let parker = ThreadWaker::current();
        let waker = Waker::from(Arc::clone(&parker));
        let mut reg = Registration::new(&self.putters, &self.state);
        loop {
            if let Poll::Ready(result) = self.poll_put(&mut item, Some((&mut reg, &waker))) {
                return result;
            }
            if !parker.park_until(deadline) {
                drop(reg);
                return match self.poll_put(&mut item, None) {
                    Poll::Ready(result) => result,
                    Poll::Pending => unreachable!(),
                };
            }
        }
    }

    /// After an item left the channel: wake one putter waiting for room, if any.
    fn taken(&self) {
        if self.capacity.is_some() && self.state.load(SeqCst) & PUTTERS_WAIT != 0 {
            self.putters.notify_one(&self.state);
        }
    }

    /// `waiting` is `None` for a non-blocking attempt.
    fn poll_get(
        &self,
        mut waiting: Option<(&mut Registration<'_>, &Waker)>,
    ) -> Poll<Result<T, GetError>> {
        let mut just_registered = false;
        let result = loop {
            if let Ok(item) = self.rx.try_recv() {
                self.taken();
                break Ok(item);
            }
            let state = self.state.load(SeqCst);
            if state & SHUT != 0 {
                if state & INFLIGHT_MASK == 0 {
                    // No put can add anything any more: what is there now is all there is.
                    break match self.rx.try_recv() {
                        Ok(item) => {
                            self.taken();
                            Ok(item)
                        }
                        Err(_) => Err(GetError::ShutDown),
                    };
                }
                // A put that began before the shutdown is finishing its non-blocking send.
                #[cfg(test)]
                tests::INFLIGHT_WAITS.fetch_add(1, SeqCst);
                thread::yield_now();
                continue;
            }
            let Some((reg, waker)) = waiting.as_mut() else {
                break Err(GetError::Empty);
            };
            if just_registered || reg.wait_with(waker) {
                return Poll::Pending;
            }
            just_registered = true;
        };
        if let Some((reg, _)) = waiting {
            reg.complete();
        }
        Poll::Ready(result)
    }

    /// The rest of a get whose first attempt found the queue empty; out of line like
    /// [`put_blocking`](Self::put_blocking).
    #[inline(never)]
    fn get_blocking(&self, timeout: Option<Duration>) -> Result<T, GetError> {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        for step in 0..BACKOFF_STEPS {
            if let Ok(item) = self.rx.try_recv() {
                self.taken();
                return Ok(item);
            }
            backoff(step);
        }
        let parker = ThreadWaker::current();
        let waker = Waker::from(Arc::clone(&parker));
        let mut reg = Registration::new(&self.getters, &self.state);
        loop {
            if let Poll::Ready(result) = self.poll_get(Some((&mut reg, &waker))) {
                return result;
            }
            if !parker.park_until(deadline) {
                drop(reg);
                return match self.poll_get(None) {
                    Poll::Ready(result) => result,
                    Poll::Pending => unreachable!(),
                };
            }
        }
    }

    fn task_done(&self) -> Result<(), TaskDoneError> {
        let mut current = self.state.load(SeqCst);
        loop {
            if tasks(current) == 0 {
                return Err(TaskDoneError);
            }
            // Each put in flight counted one task before knowing whether its send succeeds.
            // If they may account for every task, wait for them to settle (one try_send).
            let inflight = (current & INFLIGHT_MASK) >> INFLIGHT_SHIFT;
            if tasks(current) <= inflight {
                thread::yield_now();
                current = self.state.load(SeqCst);
                continue;
            }
            match self
                .state
                .compare_exchange_weak(current, current - TASK_UNIT, SeqCst, SeqCst)
            {
                Ok(prev) => {
                    self.released(prev, 1);
                    return Ok(());
                }
                Err(actual) => current = actual,
            }
        }
    }

    /// `n` tasks were just uncounted from `prev`: wake the joiners if that made 0 and
    /// somebody joins. Without joiners this is one branch on a value already loaded.
    fn released(&self, prev: u64, n: u64) {
        if prev & JOIN_WAIT != 0 && tasks(prev) == n {
            let _joiners = lock(&self.joiners);
            self.all_done.notify_all();
        }
    }

    fn join_deadline(&self, deadline: Option<Instant>) -> bool {
        if tasks(self.state.load(SeqCst)) == 0 {
            return true;
        }
        let mut joiners = lock(&self.joiners);
        *joiners += 1;
        // Set under the lock a releasing task_done takes, after which we check the count:
        // either we see 0, or the task_done that makes it 0 sees the flag and notifies.
        self.state.fetch_or(JOIN_WAIT, SeqCst);
        let all_done = loop {
            if tasks(self.state.load(SeqCst)) == 0 {
                break true;
            }
            match deadline {
                None => {
                    joiners = self
                        .all_done
                        .wait(joiners)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        break false;
                    }
                    joiners = self
                        .all_done
                        .wait_timeout(joiners, deadline - now)
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .0;
                }
            }
        };
        *joiners -= 1;
        if *joiners == 0 {
            self.state.fetch_and(!JOIN_WAIT, SeqCst);
        }
        all_done
    }

    fn shutdown(&self) {
        self.state.fetch_or(SHUT, SeqCst);
        self.getters.notify_all(&self.state);
        self.putters.notify_all(&self.state);
    }

    fn shutdown_now(&self) {
        self.state.fetch_or(SHUT, SeqCst);
        // Let the puts that began before the shutdown land, so that they are discarded too.
        while self.state.load(SeqCst) & INFLIGHT_MASK != 0 {
            thread::yield_now();
        }
        let mut discarded = 0u64;
        while let Ok(item) = self.rx.try_recv() {
            drop(item);
            discarded += 1;
        }
        if discarded > 0 {
            // Saturating, as CPython: task_done may have been called for queued items.
            let update = self.state.fetch_update(SeqCst, SeqCst, |s| {
                Some(s - tasks(s).min(discarded) * TASK_UNIT)
            });
            let prev = update.unwrap_or_else(|s| s);
            let n = tasks(prev).min(discarded);
            if n > 0 {
                self.released(prev, n);
            }
        }
        self.getters.notify_all(&self.state);
        self.putters.notify_all(&self.state);
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
// atomic operations, no user code runs under its locks (or flume's), and its own locks
// ignore poisoning. flume's `spin` lock is an `UnsafeCell`, which would otherwise make the
// queue lose these auto traits, as std's `Mutex`-based channels keep them.
impl<T> UnwindSafe for WorkQueue<T> {}
impl<T> RefUnwindSafe for WorkQueue<T> {}

impl<T> Default for WorkQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for WorkQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkQueue")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("unfinished_tasks", &self.unfinished_tasks())
            .field("shut_down", &self.is_shut_down())
            .field("blocked_getters", &self.inner.getters.len())
            .field("blocked_putters", &self.inner.putters.len())
            .field("joiners", &*lock(&self.inner.joiners))
            .finish_non_exhaustive()
    }
}

/// An item taken from a [`WorkQueue`] that marks itself done when dropped.
///
/// Returned by [`WorkQueue::get_task`]. It derefs to the item. Dropping it calls
/// [`task_done`](WorkQueue::task_done) exactly once — also when the code holding it panics
/// and unwinds — so a crashing worker can never leave [`join`](WorkQueue::join) hanging.
///
/// Python: `item = q.get()` then `try: ... finally: q.task_done()`.
///
/// # Examples
///
/// ```
/// use threaded::WorkQueue;
///
/// let q = WorkQueue::new();
/// q.put(vec![1, 2]).unwrap();
/// let r = std::panic::catch_unwind(|| {
///     let mut task = q.get_task().unwrap();
///     task.push(3); // DerefMut
///     panic!("worker crashed");
/// });
/// assert!(r.is_err());
/// assert_eq!(q.unfinished_tasks(), 0); // done anyway
/// q.join();
/// ```
#[must_use = "dropping a Task at once marks its item done"]
pub struct Task<T> {
    // `None` only inside `into_inner`, between taking the item and the drop.
    item: Option<T>,
    queue: WorkQueue<T>,
}

impl<T> Task<T> {
    /// Takes the item out and marks it done now.
    ///
    /// From then on [`join`](WorkQueue::join) no longer waits for this item, so use it when
    /// the item is to be handed on (to another queue, to a thread that reports its own
    /// completion), not to process it behind `join`'s back.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::new();
    /// q.put(7).unwrap();
    /// let n = q.get_task().unwrap().into_inner();
    /// assert_eq!((n, q.unfinished_tasks()), (7, 0));
    /// ```
    #[must_use]
    pub fn into_inner(mut self) -> T {
        self.item.take().expect("a Task always holds its item")
        // `self` drops here and marks the item done.
    }
}

impl<T> Deref for Task<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.item.as_ref().expect("a Task always holds its item")
    }
}

impl<T> DerefMut for Task<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.item.as_mut().expect("a Task always holds its item")
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        // Marks the item done even if its own Drop panics.
        struct Done<'a, T>(&'a WorkQueue<T>);
        impl<T> Drop for Done<'_, T> {
            fn drop(&mut self) {
                // Only fails if the user also called task_done for this item.
                let _ = self.0.task_done();
            }
        }
        let _done = Done(&self.queue);
        // The item goes first, so join never returns while it still lives.
        drop(self.item.take());
    }
}

impl<T: fmt::Debug> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("item", &self.item)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// How often a get found the queue shut down with a put still in flight.
    pub(super) static INFLIGHT_WAITS: AtomicUsize = AtomicUsize::new(0);

    /// A put counted in flight before the shutdown may still land: a get on the shut-down,
    /// empty queue waits for it instead of reporting `ShutDown` and leaving it stranded.
    /// The put is held half-way by hand, so the race is not left to chance.
    #[test]
    fn a_get_waits_for_a_put_in_flight_at_shutdown() {
        let q = WorkQueue::<u32>::new();
        // The first half of a put: counted as a task and in flight, not yet sent.
        q.inner.state.fetch_add(TASK_UNIT + INFLIGHT_UNIT, SeqCst);
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
        // The second half of the put: its send, then leaving the in-flight count.
        q.inner.tx.try_send(7).unwrap();
        q.inner.state.fetch_sub(INFLIGHT_UNIT, SeqCst);
        assert_eq!(getter.join().unwrap(), Ok(7));
        q.task_done().unwrap();
        assert_eq!(q.unfinished_tasks(), 0);
    }
}
