use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::unpoison::Unpoison;

/// A flag that threads can set, clear and wait on: Python's [`threading.Event`].
///
/// A `StopEvent` starts cleared. [`set`] raises the flag and wakes every thread
/// blocked in [`wait`] or [`wait_timeout`]; [`clear`] lowers it again. Its usual
/// job is to tell a long-running thread to stop: the thread polls [`is_set`], or
/// sleeps with [`wait_timeout`] instead of [`std::thread::sleep`] so that a stop
/// request wakes it at once.
///
/// Clones share one flag, so a clone can be moved into a thread while the
/// original stays with whoever decides when to stop it. A [`StoppableThread`]
/// creates one for its thread and sets it on [`stop`].
///
/// | Python `threading.Event` | `StopEvent`      |
/// |--------------------------|------------------|
/// | `Event()`                | [`new`]          |
/// | `set()`                  | [`set`]          |
/// | `clear()`                | [`clear`]        |
/// | `is_set()`               | [`is_set`]       |
/// | `wait()`                 | [`wait`]         |
/// | `wait(timeout)`          | [`wait_timeout`] |
///
/// [`threading.Event`]: https://docs.python.org/3/library/threading.html#event-objects
/// [`new`]: StopEvent::new
/// [`set`]: StopEvent::set
/// [`clear`]: StopEvent::clear
/// [`is_set`]: StopEvent::is_set
/// [`wait`]: StopEvent::wait
/// [`wait_timeout`]: StopEvent::wait_timeout
/// [`StoppableThread`]: crate::StoppableThread
/// [`stop`]: crate::StoppableThread::stop
///
/// # Examples
///
/// ```
/// use std::thread;
/// use std::time::Duration;
/// use threaded::StopEvent;
///
/// let stop = StopEvent::new();
/// let worker = {
///     let stop = stop.clone();
///     thread::spawn(move || {
///         let mut ticks = 0;
///         // Sleeps between ticks, but wakes as soon as `stop` is set.
///         while !stop.wait_timeout(Duration::from_millis(10)) {
///             ticks += 1;
///         }
///         ticks
///     })
/// };
///
/// stop.set();
/// let _ticks = worker.join().unwrap();
/// assert!(stop.is_set());
/// ```
#[derive(Clone, Default)]
pub struct StopEvent {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    flag: AtomicBool,
    /// Bumped by every `set` that raises the flag, so a waiter can tell it was
    /// released by a `set` even when a `clear` lowered the flag before it woke.
    generation: Mutex<u64>,
    condvar: Condvar,
    /// Threads inside `wait_until`, counted under the lock, so that tests can
    /// tell when every waiter is blocked on the condvar.
    #[cfg(test)]
    waiting: std::sync::atomic::AtomicUsize,
}

impl StopEvent {
    /// Creates a new, cleared `StopEvent`: Python's `threading.Event()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::StopEvent;
    ///
    /// let stop = StopEvent::new();
    /// assert!(!stop.is_set());
    /// ```
    #[must_use]
    pub fn new() -> StopEvent {
        StopEvent::default()
    }

    /// Sets the flag and wakes every thread waiting on it: Python's `Event.set()`.
    ///
    /// Threads that call [`wait`] or [`wait_timeout`] afterwards return at once,
    /// until [`clear`] is called. Setting an event that is already set does
    /// nothing.
    ///
    /// [`wait`]: StopEvent::wait
    /// [`wait_timeout`]: StopEvent::wait_timeout
    /// [`clear`]: StopEvent::clear
    ///
    /// # Examples
    ///
    /// ```
    /// use std::thread;
    /// use threaded::StopEvent;
    ///
    /// let stop = StopEvent::new();
    /// let waiter = {
    ///     let stop = stop.clone();
    ///     thread::spawn(move || stop.wait())
    /// };
    ///
    /// stop.set();
    /// waiter.join().unwrap();
    /// assert!(stop.is_set());
    /// ```
    pub fn set(&self) {
        if self.is_set() {
            return;
        }
        let mut generation = self.inner.lock();
        self.inner.flag.store(true, Ordering::Release);
        *generation = generation.wrapping_add(1);
        drop(generation);
        self.inner.condvar.notify_all();
    }

    /// Clears the flag: Python's `Event.clear()`.
    ///
    /// Threads that call [`wait`] or [`wait_timeout`] afterwards block until the
    /// next [`set`]. Threads that a previous `set` already released still see
    /// it, even if they have not woken up yet.
    ///
    /// [`wait`]: StopEvent::wait
    /// [`wait_timeout`]: StopEvent::wait_timeout
    /// [`set`]: StopEvent::set
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::StopEvent;
    ///
    /// let stop = StopEvent::new();
    /// stop.set();
    /// stop.clear();
    /// assert!(!stop.is_set());
    /// ```
    pub fn clear(&self) {
        self.inner.flag.store(false, Ordering::Release);
    }

    /// Returns `true` if the flag is set: Python's `Event.is_set()`.
    ///
    /// This is one atomic load and never blocks, so it is cheap enough to call
    /// on every iteration of a busy loop.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::StopEvent;
    ///
    /// let stop = StopEvent::new();
    /// assert!(!stop.is_set());
    /// stop.set();
    /// assert!(stop.is_set());
    /// ```
    #[must_use]
    pub fn is_set(&self) -> bool {
        self.inner.flag.load(Ordering::Acquire)
    }

    /// Blocks the current thread until the flag is set: Python's `Event.wait()`.
    ///
    /// Returns at once if the flag is already set. Unlike
    /// [`Condvar::wait`](std::sync::Condvar::wait), this never returns
    /// spuriously.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::thread;
    /// use threaded::StopEvent;
    ///
    /// let ready = StopEvent::new();
    /// let setter = {
    ///     let ready = ready.clone();
    ///     thread::spawn(move || ready.set())
    /// };
    ///
    /// ready.wait();
    /// assert!(ready.is_set());
    /// setter.join().unwrap();
    /// ```
    pub fn wait(&self) {
        if !self.is_set() {
            self.wait_until(None);
        }
    }

    /// Blocks the current thread until the flag is set or `timeout` has passed:
    /// Python's `Event.wait(timeout)`.
    ///
    /// Returns `true` if the flag is set, `false` if the wait timed out. It
    /// returns as soon as the flag is set, which makes it the interruptible
    /// replacement for [`std::thread::sleep`] in a loop that should stop
    /// promptly.
    ///
    /// A thread released by [`set`] returns `true` even if [`clear`] ran before
    /// it woke up, as in CPython.
    ///
    /// The timeout is measured with a monotonic clock ([`Instant`]). As with
    /// any timed wait, the thread may return somewhat after `timeout` has passed,
    /// since it still has to be scheduled; it never returns `false` early,
    /// spurious wakeups included. A timeout too large to represent as a
    /// deadline, such as [`Duration::MAX`], waits for ever; a zero timeout only
    /// checks the flag.
    ///
    /// [`set`]: StopEvent::set
    /// [`clear`]: StopEvent::clear
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::StopEvent;
    ///
    /// let stop = StopEvent::new();
    /// assert!(!stop.wait_timeout(Duration::from_millis(10)));
    ///
    /// stop.set();
    /// assert!(stop.wait_timeout(Duration::from_secs(60)));
    /// ```
    #[must_use = "the return value tells whether the event was set or the wait timed out"]
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        if self.is_set() {
            return true;
        }
        // `None` when the deadline would overflow `Instant`: wait for ever.
        self.wait_until(Instant::now().checked_add(timeout))
    }

    fn wait_until(&self, deadline: Option<Instant>) -> bool {
        let mut generation = self.inner.lock();
        let start = *generation;
        #[cfg(test)]
        self.inner.waiting.fetch_add(1, Ordering::SeqCst);
        let released = loop {
            if self.is_set() || *generation != start {
                break true;
            }
            generation = match deadline {
                None => self.inner.condvar.wait(generation).unpoisoned(),
                Some(deadline) => {
                    let remaining = deadline.saturating_duration_since(Instant::now());
                    if remaining.is_zero() {
                        break false;
                    }
                    self.inner
                        .condvar
                        .wait_timeout(generation, remaining)
                        .unpoisoned()
                        .0
                }
            };
        };
        #[cfg(test)]
        self.inner.waiting.fetch_sub(1, Ordering::SeqCst);
        released
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, u64> {
        self.generation.lock().unpoisoned()
    }
}

impl fmt::Debug for StopEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StopEvent")
            .field("is_set", &self.is_set())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::thread;

    const GUARD: Duration = Duration::from_secs(10);

    /// Returns once `n` threads are blocked on the condvar of `event` (or
    /// woken and queued for its lock, which is the same for a `set`).
    fn until_waiting(event: &StopEvent, n: usize) {
        let deadline = Instant::now() + GUARD;
        loop {
            let guard = event.inner.lock();
            if event.inner.waiting.load(Ordering::SeqCst) == n {
                return;
            }
            drop(guard);
            assert!(Instant::now() < deadline, "waiters did not start waiting");
            thread::yield_now();
        }
    }

    /// CPython's `test_set_and_clear`, with the waiters known to be blocked:
    /// a waiter released by `set` returns `true` although `clear` ran before
    /// it could wake up.
    #[test]
    fn set_then_clear_releases_blocked_waiters() {
        const WAITERS: usize = 8;
        for timed in [true, false] {
            let event = StopEvent::new();
            let (tx, rx) = mpsc::channel();
            for _ in 0..WAITERS {
                let event = event.clone();
                let tx = tx.clone();
                thread::spawn(move || {
                    let released = if timed {
                        event.wait_timeout(GUARD)
                    } else {
                        event.wait_until(None)
                    };
                    tx.send(released).unwrap();
                });
            }
            until_waiting(&event, WAITERS);

            event.set();
            event.clear();

            for _ in 0..WAITERS {
                assert_eq!(rx.recv_timeout(GUARD), Ok(true), "timed: {timed}");
            }
            assert!(!event.is_set());
        }
    }
}
