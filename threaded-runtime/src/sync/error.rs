//! The errors of [`Semaphore`](super::Semaphore) and [`Barrier`](super::Barrier), in one place.

use std::error;
use std::fmt;

/// The error of [`Semaphore::release`](super::Semaphore::release): the release would have
/// raised a bounded semaphore above its initial count, or any semaphore above
/// [`Semaphore::MAX_PERMITS`](super::Semaphore::MAX_PERMITS). Nothing was changed.
///
/// Python's `BoundedSemaphore.release()` raises `ValueError('Semaphore released too many
/// times')`.
///
/// # Examples
///
/// ```
/// use threaded::sync::{ReleaseError, Semaphore};
///
/// let sem = Semaphore::bounded(2);
/// assert_eq!(sem.release(1), Err(ReleaseError));
/// assert_eq!(sem.available(), 2);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ReleaseError;

impl fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore released too many times")
    }
}

impl error::Error for ReleaseError {}

/// The error of [`Barrier::wait`](super::Barrier::wait) and
/// [`Barrier::wait_timeout`](super::Barrier::wait_timeout): the barrier is broken, or was
/// broken or reset while the thread waited.
///
/// Python raises `threading.BrokenBarrierError`. A barrier breaks when a wait times out, when
/// [`abort`](super::Barrier::abort) is called, or when its action panics; it stays broken until
/// [`reset`](super::Barrier::reset).
///
/// # Examples
///
/// ```
/// use threaded::sync::{Barrier, BrokenBarrierError};
///
/// let barrier = Barrier::new(2);
/// barrier.abort();
/// assert_eq!(barrier.wait(), Err(BrokenBarrierError));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct BrokenBarrierError;

impl fmt::Display for BrokenBarrierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the barrier is broken")
    }
}

impl error::Error for BrokenBarrierError {}
