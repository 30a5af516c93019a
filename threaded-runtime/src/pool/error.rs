//! Why a job gave no result.

use std::any::Any;
use std::fmt;

use crate::panics::text as payload_text;

/// Why a [`Job`](super::Job) has no result: it was cancelled, refused, or it
/// panicked.
///
/// In Python, `future.result()` raises `CancelledError`, `RuntimeError`
/// ("cannot schedule new futures after shutdown", raised by `submit` itself)
/// or the exception the function raised. Here the three come back as one
/// `Err` from [`Job::join`](super::Job::join).
///
/// # Examples
///
/// ```
/// use threaded::pool::{JobError, ThreadPool};
///
/// let pool = ThreadPool::new(1);
/// let job = pool.submit(|| -> u32 { panic!("boom") });
/// match job.join() {
///     Err(JobError::Panicked(payload)) => {
///         assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
///     }
///     other => panic!("expected a panic, got {other:?}"),
/// }
///
/// pool.shutdown();
/// let refused = pool.submit(|| 1);
/// assert!(matches!(refused.join(), Err(JobError::ShutDown)));
/// ```
pub enum JobError {
    /// The job was cancelled before it started, by [`Job::cancel`](super::Job::cancel)
    /// or [`ThreadPool::shutdown_now`](super::ThreadPool::shutdown_now): Python's
    /// `CancelledError`.
    Cancelled,
    /// The job was submitted after the pool was shut down, so it never ran:
    /// Python's `RuntimeError: cannot schedule new futures after shutdown`.
    ShutDown,
    /// The job panicked; this is the panic's payload, as
    /// [`std::thread::JoinHandle::join`] gives it. Its worker thread survived.
    Panicked(Box<dyn Any + Send + 'static>),
}

impl JobError {
    /// `true` for [`JobError::Cancelled`].
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Self::Cancelled)
    }

    /// `true` for [`JobError::ShutDown`].
    #[must_use]
    pub fn is_shut_down(&self) -> bool {
        matches!(self, Self::ShutDown)
    }

    /// `true` for [`JobError::Panicked`].
    #[must_use]
    pub fn is_panicked(&self) -> bool {
        matches!(self, Self::Panicked(_))
    }

    /// The panic's message, when the job panicked with a string (as `panic!`
    /// and `assert!` do).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::pool::ThreadPool;
    ///
    /// let pool = ThreadPool::new(1);
    /// let error = pool.submit(|| panic!("número {}", 7)).join().unwrap_err();
    /// assert_eq!(error.panic_message(), Some("número 7"));
    /// ```
    #[must_use]
    pub fn panic_message(&self) -> Option<&str> {
        match self {
            Self::Panicked(payload) => payload_text(&**payload),
            _ => None,
        }
    }

    /// The panic's payload, to inspect it or to go on panicking with
    /// [`std::panic::resume_unwind`]; `Err(self)` for the other kinds.
    ///
    /// # Errors
    ///
    /// Gives `self` back when the job did not panic.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::pool::ThreadPool;
    ///
    /// let pool = ThreadPool::new(1);
    /// let error = pool.submit(|| std::panic::panic_any(42_u8)).join().unwrap_err();
    /// let payload = error.into_panic().unwrap();
    /// assert_eq!(payload.downcast_ref::<u8>(), Some(&42));
    /// ```
    pub fn into_panic(self) -> Result<Box<dyn Any + Send + 'static>, Self> {
        match self {
            Self::Panicked(payload) => Ok(payload),
            other => Err(other),
        }
    }
}

impl fmt::Debug for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cancelled => f.write_str("Cancelled"),
            Self::ShutDown => f.write_str("ShutDown"),
            Self::Panicked(payload) => match payload_text(&**payload) {
                Some(text) => f.debug_tuple("Panicked").field(&text).finish(),
                None => f.write_str("Panicked(..)"),
            },
        }
    }
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cancelled => f.write_str("job cancelled before it started"),
            Self::ShutDown => f.write_str("job refused: the thread pool is shut down"),
            Self::Panicked(payload) => match payload_text(&**payload) {
                Some(text) => write!(f, "job panicked: {text}"),
                None => f.write_str("job panicked"),
            },
        }
    }
}

impl std::error::Error for JobError {}
