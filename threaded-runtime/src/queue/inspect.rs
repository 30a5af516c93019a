//! What a [`WorkQueue`] holds right now: Python's `qsize()`, `empty()`, `full()`,
//! `maxsize` and `unfinished_tasks`.

use super::WorkQueue;

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
}
