//! `ThreadPool::builder()`: the number of workers, their name, their stack size.

use std::io;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread;

use super::{Handle, Shared, ThreadPool};
use crate::unpoison::Unpoison;

/// Configures a [`ThreadPool`]: Python's `ThreadPoolExecutor(max_workers,
/// thread_name_prefix)`, plus the workers' stack size.
///
/// # Examples
///
/// ```
/// use threaded::pool::ThreadPool;
///
/// let pool = ThreadPool::builder().workers(3).name("parse").build()?;
/// assert_eq!(pool.name(), "parse");
/// assert_eq!(pool.workers(), 3);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Default, Clone)]
#[must_use = "a ThreadPoolBuilder does nothing until `build` is called"]
pub struct ThreadPoolBuilder {
    workers: Option<usize>,
    name: Option<String>,
    stack_size: Option<usize>,
}

impl ThreadPoolBuilder {
    /// The number of worker threads; by default `min(32, cores + 4)`, as in
    /// Python.
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = Some(workers);
        self
    }

    /// The threads' name prefix: they are called `NAME-0`, `NAME-1`, …
    /// (default `pool`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The stack size of each worker, in bytes, as
    /// [`std::thread::Builder::stack_size`] takes it.
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// Starts the workers.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `workers` is 0 or the name holds a NUL byte; the
    /// error of [`std::thread::Builder::spawn`] if a thread cannot be
    /// spawned (the threads already started are shut down first).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use threaded::pool::ThreadPool;
    ///
    /// let error = ThreadPool::builder().workers(0).build().unwrap_err();
    /// assert_eq!(error.kind(), ErrorKind::InvalidInput);
    /// ```
    pub fn build(self) -> io::Result<ThreadPool> {
        let workers = self.workers.unwrap_or_else(|| {
            let cores = thread::available_parallelism().map_or(1, usize::from);
            (cores + 4).min(32)
        });
        if workers == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a ThreadPool needs at least one worker",
            ));
        }
        let name = self.name.unwrap_or_else(|| "pool".to_owned());
        if name.contains('\0') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a thread name cannot contain a NUL byte",
            ));
        }
        let (sender, receiver) = crossbeam_channel::unbounded();
        let shared = Arc::new(Shared {
            sender: RwLock::new(Some(sender)),
            receiver,
            cancel_queued: AtomicBool::new(false),
            alive: Mutex::new(0),
            exited: Condvar::new(),
            name,
            workers,
        });
        // From here on, an early return drops the handle, which shuts the
        // started workers down and waits for them.
        let pool = ThreadPool {
            handle: Arc::new(Handle {
                shared: Arc::clone(&shared),
            }),
        };
        for index in 0..workers {
            let mut builder = thread::Builder::new().name(format!("{}-{index}", shared.name));
            if let Some(bytes) = self.stack_size {
                builder = builder.stack_size(bytes);
            }
            let worker = Arc::clone(&shared);
            *shared.alive.lock().unpoisoned() += 1;
            if let Err(error) = builder.spawn(move || worker.work()) {
                *shared.alive.lock().unpoisoned() -= 1;
                return Err(error);
            }
        }
        Ok(pool)
    }
}
