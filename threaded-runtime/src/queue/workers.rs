//! The worker loop: [`WorkQueue::spawn_workers`], and [`WorkQueue::tasks`] for writing one.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use super::{Task, WorkQueue};
use crate::panics;

impl<T> WorkQueue<T> {
    /// An iterator over the queue's items, each as a [`Task`] that marks it done when
    /// dropped; it ends once the queue is shut down and drained.
    ///
    /// Python's worker loop, `while True: item = q.get(); ...; q.task_done()`, becomes
    /// `for task in q.tasks() { ... }`, and a panic inside the loop body still marks the
    /// item done. The iterator holds a clone of the queue, so it can move into a thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::new();
    /// let worker = {
    ///     let tasks = q.tasks();
    ///     std::thread::spawn(move || {
    ///         let mut total = 0;
    ///         for task in tasks {
    ///             total += *task; // done when `task` drops, at the end of each turn
    ///         }
    ///         total
    ///     })
    /// };
    /// for n in 1..=4 {
    ///     q.put(n).unwrap();
    /// }
    /// q.join(); // all four processed
    /// q.shutdown(); // the loop ends once the queue is drained
    /// assert_eq!(worker.join().unwrap(), 10);
    /// ```
    #[must_use = "an iterator does nothing unless it is used"]
    pub fn tasks(&self) -> Tasks<T> {
        Tasks {
            queue: self.clone(),
        }
    }
}

/// The items of a [`WorkQueue`] as [`Task`]s, until it is shut down and drained.
///
/// Returned by [`WorkQueue::tasks`].
#[derive(Debug)]
pub struct Tasks<T> {
    queue: WorkQueue<T>,
}

impl<T> Iterator for Tasks<T> {
    type Item = Task<T>;

    fn next(&mut self) -> Option<Task<T>> {
        self.queue.get_task().ok()
    }
}

impl<T: Send + 'static> WorkQueue<T> {
    /// Starts `n` worker threads that take items and call `f` on each: the lecture's
    /// `@threaded` worker loop.
    ///
    /// The threads are named `workqueue-worker-0` to `workqueue-worker-{n-1}`; to tell two
    /// pools apart, name them with [`spawn_named_workers`](Self::spawn_named_workers). Each one
    /// gets an item, calls `f`, and marks the item done. If `f` panics, the panic is
    /// logged with `log::error!` (thread name and panic message; the default panic hook
    /// prints it too), the item is still marked done, and the worker goes on with the next
    /// (also when the panic's payload panics again as it is dropped).
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
        self.spawn_named_workers("workqueue-worker", n, f)
    }

    /// Like [`spawn_workers`](Self::spawn_workers), with threads named `{name}-0` to
    /// `{name}-{n-1}`, so that log lines and panic messages say which pool a worker
    /// belongs to (Python's `thread_name_prefix`).
    ///
    /// # Panics
    ///
    /// Panics if a thread cannot be spawned, as [`std::thread::spawn`] does, or if `name`
    /// contains a NUL byte.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::new();
    /// let workers = q.spawn_named_workers("download", 2, |url: &str| {
    ///     let me = std::thread::current();
    ///     assert!(me.name().unwrap().starts_with("download-"));
    ///     println!("{} fetches {url}", me.name().unwrap());
    /// });
    /// q.put("https://example.org/a").unwrap();
    /// q.join();
    /// q.shutdown();
    /// let names: Vec<String> = workers
    ///     .into_iter()
    ///     .map(|w| {
    ///         let name = w.thread().name().unwrap().to_owned();
    ///         w.join().unwrap();
    ///         name
    ///     })
    ///     .collect();
    /// assert_eq!(names, ["download-0", "download-1"]);
    /// ```
    #[track_caller]
    pub fn spawn_named_workers<F>(&self, name: &str, n: usize, f: F) -> Vec<JoinHandle<()>>
    where
        F: Fn(T) + Send + Sync + 'static,
    {
        // Checked before the first spawn: no worker is left running when it panics.
        let name = crate::thread::thread_name(name);
        let f = Arc::new(f);
        (0..n)
            .map(|i| {
                let tasks = self.tasks();
                let f = Arc::clone(&f);
                thread::Builder::new()
                    .name(format!("{name}-{i}"))
                    .spawn(move || work(tasks, &*f))
                    .expect("failed to spawn thread")
            })
            .collect()
    }
}

fn work<T>(tasks: Tasks<T>, f: &(dyn Fn(T) + Send + Sync)) {
    for mut task in tasks {
        let item = task.take();
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| f(item))) {
            log::error!(
                "worker thread '{}' panicked on an item: {}; marking it done and going on",
                thread::current().name().unwrap_or("<unnamed>"),
                panics::message(&*payload),
            );
            panics::drop_payload(payload);
        }
        // `task` drops here and marks the item done. (If `f` also called task_done for it,
        // that call already marked another item done; nothing to undo.)
    }
}
