//! [`Task`]: an item taken from a [`WorkQueue`] that marks itself done when dropped.

use std::fmt;
use std::ops::{Deref, DerefMut};

use super::WorkQueue;

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
    // `None` only between `into_inner` or `take` and the drop.
    item: Option<T>,
    queue: WorkQueue<T>,
}

impl<T> Task<T> {
    pub(super) fn new(item: T, queue: WorkQueue<T>) -> Self {
        Task {
            item: Some(item),
            queue,
        }
    }

    /// Moves the item out for the worker loop, which consumes it; the task is still marked
    /// done when dropped.
    pub(super) fn take(&mut self) -> T {
        self.item.take().expect("a Task always holds its item")
    }

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
