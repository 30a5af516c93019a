//! What a [`WorkQueue`] holds right now: Python's `qsize()`, `empty()`, `full()`,
//! `maxsize` and `unfinished_tasks`; and, for tests and `Debug`, who waits in it.

use super::WorkQueue;
use super::wait::lock;

/// How many callers wait in a [`WorkQueue`] at one moment: what
/// [`WorkQueue::waiters`] returns.
///
/// **For tests and diagnostics only: not part of the stable API.** It may change or go away
/// in any release, without a major version. Nameable as `threaded::__private::Waiters`.
#[doc(hidden)]
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiters {
    /// Threads blocked in `get`/`get_timeout` and pending `get_async` futures that wait
    /// for an item.
    pub getters: usize,
    /// Threads blocked in `put`/`put_timeout` and pending `put_async` futures that wait
    /// for room.
    pub putters: usize,
    /// Threads blocked in `join`/`join_timeout`.
    pub joiners: usize,
}

impl<T> WorkQueue<T> {
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
        self.inner.chan.len()
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
        self.inner.chan.len() == 0
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
        // The count stays below 2^39, which fits any usize this crate is built for.
        self.inner.unfinished() as usize
    }

    /// How many callers wait in the queue now: getters, putters and joiners.
    ///
    /// **For tests and diagnostics only: not part of the stable API.** It may change or go
    /// away in any release, without a major version; Python's `queue.Queue` has no
    /// counterpart (its waiters hide in the `not_empty`, `not_full` and `all_tasks_done`
    /// conditions). `Debug` shows the same numbers.
    ///
    /// The numbers are a snapshot: each is read on its own, without stopping the queue, so
    /// they may never all have held at once, and a caller may start or stop waiting right
    /// after. A test waits until the number it expects shows up, it does not assert on one
    /// reading while threads still move. A getter or putter counts from the moment it
    /// registers to wait, after it found no item (or no room) and before it sleeps, until it
    /// is woken; a joiner while it waits for unfinished items (a `join` that finds none
    /// returns without counting).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::<u8>::new();
    /// let waiters = q.waiters();
    /// assert_eq!((waiters.getters, waiters.putters, waiters.joiners), (0, 0, 0));
    /// assert!(format!("{q:?}").contains("blocked_getters: 0, blocked_putters: 0, joiners: 0"));
    /// ```
    #[doc(hidden)]
    #[must_use]
    pub fn waiters(&self) -> Waiters {
        Waiters {
            getters: self.inner.getters.len(),
            putters: self.inner.putters.len(),
            joiners: *lock(&self.inner.joiners),
        }
    }
}
