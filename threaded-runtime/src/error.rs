//! The errors of [`WorkQueue`](crate::WorkQueue), in one place.

use std::error;
use std::fmt;

/// The error of [`WorkQueue::put`](crate::WorkQueue::put) and its variants: the item was
/// refused and is handed back, never lost.
///
/// Python raises `queue.Full` or `queue.ShutDown`; here the item comes back inside the error.
///
/// # Examples
///
/// ```
/// use threaded::{PutError, WorkQueue};
///
/// let q = WorkQueue::bounded(1);
/// q.put("first").unwrap();
/// let err: PutError<&str> = q.try_put("second").unwrap_err();
/// assert!(err.is_full());
/// assert_eq!(err.into_inner(), "second");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PutError<T> {
    /// The queue was full (and stayed full until the timeout, for the timed variants).
    Full(T),
    /// The queue was shut down; shutdown is checked before fullness, as in CPython.
    ShutDown(T),
}

impl<T> PutError<T> {
    /// Returns the refused item.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::PutError;
    ///
    /// assert_eq!(PutError::ShutDown(7).into_inner(), 7);
    /// ```
    #[must_use]
    pub fn into_inner(self) -> T {
        match self {
            PutError::Full(item) | PutError::ShutDown(item) => item,
        }
    }

    /// Returns `true` if the item was refused because the queue was full.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::PutError;
    ///
    /// assert!(PutError::Full(()).is_full());
    /// assert!(!PutError::ShutDown(()).is_full());
    /// ```
    #[must_use]
    pub fn is_full(&self) -> bool {
        matches!(self, PutError::Full(_))
    }

    /// Returns `true` if the item was refused because the queue was shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::PutError;
    ///
    /// assert!(PutError::ShutDown(()).is_shut_down());
    /// ```
    #[must_use]
    pub fn is_shut_down(&self) -> bool {
        matches!(self, PutError::ShutDown(_))
    }
}

impl<T> fmt::Debug for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(_) => f.write_str("Full(..)"),
            PutError::ShutDown(_) => f.write_str("ShutDown(..)"),
        }
    }
}

impl<T> fmt::Display for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(_) => f.write_str("put on a full queue"),
            PutError::ShutDown(_) => f.write_str("put on a shut-down queue"),
        }
    }
}

impl<T> error::Error for PutError<T> {}

/// The error of [`WorkQueue::get`](crate::WorkQueue::get) and its variants.
///
/// Python raises `queue.Empty` or `queue.ShutDown`.
///
/// # Examples
///
/// ```
/// use threaded::{GetError, WorkQueue};
///
/// let q = WorkQueue::<u8>::new();
/// assert_eq!(q.try_get(), Err(GetError::Empty));
/// q.shutdown();
/// assert_eq!(q.try_get(), Err(GetError::ShutDown));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GetError {
    /// No item was available (for the timed variants: none arrived before the timeout).
    Empty,
    /// The queue was shut down and every item queued before has been taken.
    ShutDown,
}

impl GetError {
    /// Returns `true` if no item was available.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::GetError;
    ///
    /// assert!(GetError::Empty.is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        matches!(self, GetError::Empty)
    }

    /// Returns `true` if the queue was shut down and drained.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::GetError;
    ///
    /// assert!(GetError::ShutDown.is_shut_down());
    /// ```
    #[must_use]
    pub fn is_shut_down(&self) -> bool {
        matches!(self, GetError::ShutDown)
    }
}

impl fmt::Display for GetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GetError::Empty => f.write_str("get on an empty queue"),
            GetError::ShutDown => f.write_str("get on a shut-down and drained queue"),
        }
    }
}

impl error::Error for GetError {}

/// The error of [`WorkQueue::task_done`](crate::WorkQueue::task_done): it was called more
/// times than items were put. The count of unfinished tasks stays at 0.
///
/// Python raises `ValueError('task_done() called too many times')`.
///
/// # Examples
///
/// ```
/// use threaded::{TaskDoneError, WorkQueue};
///
/// let q = WorkQueue::<u8>::new();
/// assert_eq!(q.task_done(), Err(TaskDoneError));
/// assert_eq!(q.unfinished_tasks(), 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TaskDoneError;

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called more times than items were put")
    }
}

impl error::Error for TaskDoneError {}
