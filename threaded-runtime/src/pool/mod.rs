//! A pool of worker threads: Python's `concurrent.futures.ThreadPoolExecutor`.
//!
//! Every `#[threaded]` call starts and ends an OS thread, which costs tens of
//! microseconds. A [`ThreadPool`] starts its workers once; [`submit`](ThreadPool::submit)
//! hands one of them a closure and returns a [`Job`] at once, whose
//! [`join`](Job::join) gives the result — a round trip of a few microseconds.
//!
//! | Python `concurrent.futures` | `threaded::pool` |
//! |---|---|
//! | `ThreadPoolExecutor(max_workers, thread_name_prefix)` | [`ThreadPool::new`], [`ThreadPool::builder`] |
//! | `ex.submit(fn)` | [`ThreadPool::submit`] → [`Job`] |
//! | `future.result()` | [`Job::join`] → `Result<R, JobError>` |
//! | `future.done()`, `running()`, `cancelled()`, `cancel()` | [`Job::is_finished`], [`Job::is_running`], [`Job::is_cancelled`], [`Job::cancel`] |
//! | `ex.map(fn, items)` | [`ThreadPool::map`] |
//! | `as_completed(futures)` | [`as_completed`] |
//! | `ex.shutdown()`, `shutdown(cancel_futures=True)` | [`ThreadPool::shutdown`], [`ThreadPool::shutdown_now`] |
//! | `with ThreadPoolExecutor() as ex:` | dropping the last clone of the pool |
//! | an exception in the function | [`JobError::Panicked`]; the worker lives on |
//!
//! `#[threaded(pool)]` turns a function into one that submits its body to
//! [`ThreadPool::global`] and returns a `Job`.
//!
//! # Examples
//!
//! ```
//! use threaded::pool::{ThreadPool, as_completed};
//!
//! let pool = ThreadPool::builder().workers(4).name("download").build()?;
//! let jobs: Vec<_> = (1..=3_u64)
//!     .map(|n| pool.submit(move || n * n))
//!     .collect();
//! let mut squares: Vec<u64> = as_completed(jobs).map(|job| job.join().unwrap()).collect();
//! squares.sort();
//! assert_eq!(squares, [1, 4, 9]);
//!
//! let doubled: Vec<u64> = pool.map(1..=3, |n| n * 2).map(Result::unwrap).collect();
//! assert_eq!(doubled, [2, 4, 6]);
//! # Ok::<(), std::io::Error>(())
//! ```

mod as_completed;
mod builder;
mod error;
mod job;
mod map;

use std::cell::Cell;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, RwLock};
use std::thread;

use crossbeam_channel::{Receiver, Sender};

use crate::unpoison::Unpoison;
pub use as_completed::{AsCompleted, as_completed};
pub use builder::ThreadPoolBuilder;
pub use error::JobError;
pub use job::Job;
use job::{Queued, new_job};
pub use map::Map;

/// How many times an idle worker polls the queue before it parks.
const IDLE_POLLS: u32 = 32;

/// A fixed set of worker threads that run submitted closures: Python's
/// `concurrent.futures.ThreadPoolExecutor`.
///
/// [`submit`](Self::submit) queues a closure and returns a [`Job`] at once;
/// the first idle worker runs it. A closure that panics gives
/// `Err(JobError::Panicked)` to whoever joins its `Job`, and its worker goes
/// on with the next job. Jobs start in the order they were submitted.
///
/// `ThreadPool` is `Clone`: clones share one pool. [`shutdown`](Self::shutdown)
/// stops it taking jobs and waits for the queued ones; dropping the last
/// clone does the same, like leaving Python's `with ThreadPoolExecutor() as
/// ex:` block. A [`Job`] does not keep its pool alive.
///
/// The workers are named `NAME-0`, `NAME-1`, … (`pool-0`, … by default), so
/// panics and log lines say which pool they came from.
///
/// As in Python, a job that waits for another job of its own pool can
/// deadlock it: once every worker waits, none is left to run what they wait
/// for. Shutting the pool down from inside one of its jobs (or dropping its
/// last clone there) closes it without waiting, see [`shutdown`](Self::shutdown).
///
/// # Examples
///
/// ```
/// use threaded::pool::ThreadPool;
///
/// let pool = ThreadPool::new(2);
/// let job = pool.submit(|| std::thread::current().name().map(str::to_owned));
/// let name = job.join().unwrap().unwrap();
/// assert!(name == "pool-0" || name == "pool-1");
/// ```
#[derive(Clone)]
pub struct ThreadPool {
    handle: Arc<Handle>,
}

/// What the clones of a `ThreadPool` share; its drop is the last clone's.
/// The workers hold `Shared`, not this, so they do not keep the pool alive.
struct Handle {
    shared: Arc<Shared>,
}

struct Shared {
    /// `None` once shut down. Dropping the only sender disconnects the
    /// channel: the workers drain what was queued, then see the end. Taking
    /// the read lock in `submit` means a job is either queued before the
    /// disconnect, and so run, or refused; never lost in between.
    sender: RwLock<Option<Sender<Queued>>>,
    receiver: Receiver<Queued>,
    /// Set by `shutdown_now`: workers cancel what they take from then on.
    cancel_queued: AtomicBool,
    /// Workers still running, and the condition `shutdown` waits on.
    alive: Mutex<usize>,
    exited: Condvar,
    name: String,
    workers: usize,
}

thread_local! {
    /// The pool whose worker this thread is (its `Shared`'s address), so a
    /// `shutdown` from inside a job does not wait for its own thread.
    static WORKER_OF: Cell<usize> = const { Cell::new(0) };
}

impl ThreadPool {
    /// Starts a pool of `workers` threads named `pool-0`, `pool-1`, …:
    /// Python's `ThreadPoolExecutor(max_workers=workers)`.
    ///
    /// # Panics
    ///
    /// Panics if `workers` is 0 (Python's `ValueError`), or if a thread
    /// cannot be spawned, as [`std::thread::spawn`] does. Use
    /// [`builder`](Self::builder) to get the error instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::pool::ThreadPool;
    ///
    /// let pool = ThreadPool::new(4);
    /// assert_eq!(pool.workers(), 4);
    /// ```
    #[must_use]
    pub fn new(workers: usize) -> Self {
        assert!(workers > 0, "a ThreadPool needs at least one worker");
        Self::builder()
            .workers(workers)
            .build()
            .expect("failed to spawn thread")
    }

    /// A [`ThreadPoolBuilder`] to choose the number of workers, their name and their
    /// stack size.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::pool::ThreadPool;
    ///
    /// let pool = ThreadPool::builder()
    ///     .workers(2)
    ///     .name("download")
    ///     .stack_size(256 * 1024)
    ///     .build()?;
    /// let name = pool.submit(|| std::thread::current().name().map(str::to_owned));
    /// assert!(name.join().unwrap().unwrap().starts_with("download-"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn builder() -> ThreadPoolBuilder {
        ThreadPoolBuilder::default()
    }

    /// The pool shared by the whole program, started on first use with
    /// `min(32, cores + 4)` workers named `global-pool-0`, … (Python's default
    /// `max_workers`): what `#[threaded(pool)]` submits to.
    ///
    /// It is never shut down: its workers end with the process, so a job
    /// still running when `main` returns is cut off, as with a detached
    /// thread. Join the jobs you need. Calling `shutdown` on it refuses every
    /// later job of the program.
    ///
    /// # Panics
    ///
    /// Panics on first use if its threads cannot be spawned.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::pool::ThreadPool;
    ///
    /// let pool = ThreadPool::global();
    /// assert!(pool.workers() >= 5 && pool.workers() <= 32);
    /// assert_eq!(pool.submit(|| 1 + 1).join().unwrap(), 2);
    /// ```
    pub fn global() -> &'static ThreadPool {
        static GLOBAL: OnceLock<ThreadPool> = OnceLock::new();
        GLOBAL.get_or_init(|| {
            let cores = thread::available_parallelism().map_or(1, usize::from);
            Self::builder()
                .workers((cores + 4).min(32))
                .name("global-pool")
                .build()
                .expect("failed to spawn thread")
        })
    }

    /// Queues `f` to run on a worker and returns its [`Job`] at once:
    /// Python's `executor.submit(fn)`.
    ///
    /// After [`shutdown`](Self::shutdown), `f` never runs and the job is
    /// already finished with `Err(JobError::ShutDown)`: refused, and said so.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::pool::ThreadPool;
    ///
    /// let pool = ThreadPool::new(2);
    /// let text = String::from("moved into the job");
    /// let job = pool.submit(move || text.len());
    /// assert_eq!(job.join().unwrap(), 18);
    /// ```
    pub fn submit<F, R>(&self, f: F) -> Job<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let (job, task) = new_job(f);
        let sender = self.shared().sender.read().unpoisoned();
        let refused = match &*sender {
            // Fails only without receivers, and `Shared` holds one.
            Some(sender) => sender.send(task).err().map(|error| error.into_inner()),
            None => Some(task),
        };
        drop(sender);
        if let Some(task) = refused {
            task.refuse();
        }
        job
    }

    /// Submits `f(item)` for every item at once and yields the results in the
    /// order of `items`: Python's `executor.map(fn, items)`.
    ///
    /// A panic is an `Err(JobError::Panicked)` at its own position only; the
    /// other items still give their results. Dropping the iterator before
    /// its end cancels the jobs that have not started, as Python does.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::pool::ThreadPool;
    ///
    /// let pool = ThreadPool::new(3);
    /// let results: Vec<_> = pool
    ///     .map(["1", "dois", "3"], |text| text.parse::<u32>().expect("not a number"))
    ///     .map(|result| result.ok())
    ///     .collect();
    /// assert_eq!(results, [Some(1), None, Some(3)]);
    /// ```
    pub fn map<T, R, F, I>(&self, items: I, f: F) -> Map<R>
    where
        I: IntoIterator<Item = T>,
        T: Send + 'static,
        F: Fn(T) -> R + Send + Sync + 'static,
        R: Send + 'static,
    {
        let f = Arc::new(f);
        let jobs = items
            .into_iter()
            .map(|item| {
                let f = Arc::clone(&f);
                self.submit(move || f(item))
            })
            .collect::<Vec<_>>();
        Map::new(jobs)
    }

    /// Stops taking jobs, lets the queued and running ones finish, and
    /// returns once every worker has exited: Python's
    /// `executor.shutdown(wait=True)`.
    ///
    /// Jobs submitted from then on are refused (`Err(JobError::ShutDown)`).
    /// It is idempotent, and every caller, concurrent ones included, returns
    /// only once the jobs have finished.
    ///
    /// Called from inside a job of this same pool (or by dropping its last
    /// clone there), it closes the pool but does not wait, since it would
    /// wait for its own thread: Python raises `RuntimeError` in that case.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use threaded::pool::ThreadPool;
    ///
    /// let pool = ThreadPool::new(2);
    /// let done = Arc::new(AtomicUsize::new(0));
    /// for _ in 0..10 {
    ///     let done = Arc::clone(&done);
    ///     drop(pool.submit(move || done.fetch_add(1, Ordering::Relaxed)));
    /// }
    /// pool.shutdown();
    /// assert_eq!(done.load(Ordering::Relaxed), 10);
    /// assert!(pool.is_shut_down());
    /// ```
    pub fn shutdown(&self) {
        self.shared().shutdown(false);
    }

    /// Like [`shutdown`](Self::shutdown), but also cancels every job that has
    /// not started (`Err(JobError::Cancelled)`), then waits for the running
    /// ones: Python's `executor.shutdown(cancel_futures=True)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    /// use threaded::pool::{JobError, ThreadPool};
    ///
    /// let pool = ThreadPool::new(1);
    /// let (started, running) = mpsc::channel();
    /// let (go, wait) = mpsc::channel::<()>();
    /// let busy = pool.submit(move || {
    ///     started.send(()).unwrap();
    ///     wait.recv().unwrap();
    /// });
    /// let queued = pool.submit(|| unreachable!("cancelled before it started"));
    /// running.recv().unwrap(); // `busy` has started: only `queued` is cancelled
    ///
    /// let stopper = pool.clone();
    /// let stopping = std::thread::spawn(move || stopper.shutdown_now());
    /// assert!(queued.wait_timeout(Duration::MAX)); // cancelled while `busy` runs
    /// go.send(()).unwrap(); // `shutdown_now` waits for the running job
    /// stopping.join().unwrap();
    /// assert!(busy.join().is_ok());
    /// assert!(matches!(queued.join(), Err(JobError::Cancelled)));
    /// ```
    pub fn shutdown_now(&self) {
        self.shared().shutdown(true);
    }

    /// `true` once [`shutdown`](Self::shutdown) or
    /// [`shutdown_now`](Self::shutdown_now) has been called (on any clone).
    #[must_use]
    pub fn is_shut_down(&self) -> bool {
        self.shared().sender.read().unpoisoned().is_none()
    }

    /// How many worker threads the pool started.
    #[must_use]
    pub fn workers(&self) -> usize {
        self.shared().workers
    }

    /// Jobs waiting for a worker (not counting the running ones).
    #[must_use]
    pub fn queued(&self) -> usize {
        self.shared().receiver.len()
    }

    /// The name its threads carry, before `-0`, `-1`, ….
    #[must_use]
    pub fn name(&self) -> &str {
        &self.shared().name
    }

    fn shared(&self) -> &Shared {
        &self.handle.shared
    }
}

impl fmt::Debug for ThreadPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPool")
            .field("name", &self.name())
            .field("workers", &self.workers())
            .field("queued", &self.queued())
            .field("shut_down", &self.is_shut_down())
            .finish_non_exhaustive()
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shared.shutdown(false);
    }
}

impl Shared {
    fn shutdown(&self, cancel: bool) {
        if cancel {
            self.cancel_queued.store(true, Ordering::SeqCst);
        }
        let sender = self.sender.write().unpoisoned().take();
        drop(sender);
        if cancel {
            while let Ok(task) = self.receiver.try_recv() {
                // A closure whose drop panics is already marked cancelled.
                if panic::catch_unwind(AssertUnwindSafe(|| task.cancel())).is_err() {
                    log::error!("a cancelled job panicked while being dropped");
                }
            }
        }
        if WORKER_OF.get() == self as *const Self as usize {
            return;
        }
        let mut alive = self.alive.lock().unpoisoned();
        while *alive > 0 {
            alive = self.exited.wait(alive).unpoisoned();
        }
    }

    /// The next job, or `None` once the pool is shut down and drained.
    ///
    /// A worker that finds the queue empty polls it a while (yielding the
    /// core) before it parks: jobs submitted one after another then find it
    /// awake, and the submitter saves the futex wake-up a parked worker
    /// costs. rayon's workers do the same before they sleep.
    fn next_task(&self) -> Option<Queued> {
        for _ in 0..IDLE_POLLS {
            match self.receiver.try_recv() {
                Ok(task) => return Some(task),
                Err(crossbeam_channel::TryRecvError::Disconnected) => return None,
                Err(crossbeam_channel::TryRecvError::Empty) => thread::yield_now(),
            }
        }
        self.receiver.recv().ok()
    }

    fn work(&self) {
        WORKER_OF.set(self as *const Self as usize);
        /// Counts the worker out however it ends.
        struct Exit<'a>(&'a Shared);
        impl Drop for Exit<'_> {
            fn drop(&mut self) {
                let mut alive = self.0.alive.lock().unpoisoned();
                *alive -= 1;
                drop(alive);
                self.0.exited.notify_all();
            }
        }
        let _exit = Exit(self);
        while let Some(task) = self.next_task() {
            let cancel = self.cancel_queued.load(Ordering::SeqCst);
            // The job's own panic is caught inside `run`; this catches the
            // drop of its closure or of a result nobody joined, and wakers.
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                if cancel { task.cancel() } else { task.run() }
            }));
            if let Err(payload) = outcome {
                log::error!(
                    "thread '{}': dropping a job or its result panicked: {}; the worker goes on",
                    thread::current().name().unwrap_or("<unnamed>"),
                    crate::panics::message(&*payload),
                );
                // Its own drop may panic too; the worker must survive that.
                let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(payload)));
            }
        }
    }
}
