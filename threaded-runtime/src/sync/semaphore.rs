use std::fmt;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[cfg(loom)]
use loom::sync::{Arc, Condvar, Mutex, MutexGuard, atomic::AtomicUsize};
#[cfg(not(loom))]
use std::sync::{Arc, Condvar, Mutex, MutexGuard, atomic::AtomicUsize};

use super::ReleaseError;
use crate::unpoison::Unpoison;

/// A counter of permits that threads take and give back: Python's [`threading.Semaphore`],
/// and with [`bounded`](Semaphore::bounded) its `BoundedSemaphore`.
///
/// [`acquire`](Semaphore::acquire) takes a permit, blocking while none is left, and returns a
/// [`Permit`] that gives it back when dropped — at the end of its scope, as Python's
/// `with sem:` does, and also when the thread holding it panics, so a crash cannot leak it. A
/// `Semaphore(k)` thus lets at most `k` threads into a section at once.
///
/// Clones share one semaphore. A `Permit` owns a handle to it, so it is `Send + 'static`: it
/// can be moved into another thread, or kept after every `Semaphore` clone is gone.
///
/// | Python | `Semaphore` |
/// |---|---|
/// | `Semaphore(n)` | [`Semaphore::new(n)`](Semaphore::new) |
/// | `BoundedSemaphore(n)` | [`Semaphore::bounded(n)`](Semaphore::bounded) |
/// | `with sem:` / `acquire()` | [`acquire`](Semaphore::acquire), the permit's scope |
/// | `acquire(blocking=False)` | [`try_acquire`](Semaphore::try_acquire) |
/// | `acquire(timeout=t)` | [`acquire_timeout`](Semaphore::acquire_timeout) |
/// | `release(n)` | [`release(n)`](Semaphore::release), or dropping a [`Permit`] |
/// | `_value` | [`available`](Semaphore::available) |
///
/// Taking and giving back a permit when some are left is one atomic operation on the count
/// each (plus the reference count of the `Permit`'s handle); the lock and the condition
/// variable are used only when a thread has to wait. Waiting threads sleep, and are not
/// served in any particular order (neither are Python's).
///
/// [`threading.Semaphore`]: https://docs.python.org/3/library/threading.html#semaphore-objects
///
/// # Examples
///
/// At most two of five downloads run at once:
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::thread;
/// use threaded::sync::Semaphore;
///
/// let slots = Semaphore::new(2);
/// let inside = AtomicUsize::new(0);
/// thread::scope(|s| {
///     for _ in 0..5 {
///         s.spawn(|| {
///             let _permit = slots.acquire(); // `with sem:`
///             let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
///             assert!(now <= 2);
///             inside.fetch_sub(1, Ordering::SeqCst);
///         }); // the permit goes back here
///     }
/// });
/// assert_eq!(slots.available(), 2);
/// ```
#[derive(Clone)]
pub struct Semaphore {
    inner: Arc<Inner>,
}

/// A permit taken from a [`Semaphore`]; dropping it gives the permit back.
///
/// Created by [`Semaphore::acquire`], [`Semaphore::try_acquire`] and
/// [`Semaphore::acquire_timeout`]. It is `Send + 'static`, and gives its permit back even when
/// dropped by a panic's unwinding. [`forget`](Permit::forget) keeps the permit taken, for
/// code that releases it later with [`Semaphore::release`], as Python code that calls
/// `acquire()` and `release()` separately does.
///
/// # Examples
///
/// ```
/// use std::thread;
/// use threaded::sync::Semaphore;
///
/// let sem = Semaphore::new(1);
/// let permit = sem.acquire();
/// assert_eq!(sem.available(), 0);
/// thread::spawn(move || drop(permit)).join().unwrap(); // released on another thread
/// assert_eq!(sem.available(), 1);
/// ```
#[must_use = "if unused the permit is given back at once"]
pub struct Permit {
    /// `None` only after `forget`, so that `Drop` gives nothing back.
    inner: Option<Arc<Inner>>,
}

struct Inner {
    /// `available * ONE`, plus `SLEEPERS` while some thread may be waiting. One word, so that
    /// a releaser learns whether to wake anyone from the same atomic operation that adds the
    /// permits, and a waiter cannot miss it.
    state: AtomicUsize,
    /// `Some(initial)` for a bounded semaphore.
    bound: Option<usize>,
    /// For a bounded semaphore: permits taken and forgotten, the only ones `release` may add
    /// back without exceeding the bound.
    forgotten: AtomicUsize,
    /// The number of threads waiting. Waiters check the state and go to sleep under this lock,
    /// and a releaser that saw `SLEEPERS` takes it before notifying.
    sleepers: Mutex<usize>,
    wakeup: Condvar,
}

const SLEEPERS: usize = 1;
const ONE: usize = 2;

impl Semaphore {
    /// The largest number of permits a semaphore can hold.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::Semaphore;
    ///
    /// assert!(Semaphore::MAX_PERMITS >= u32::MAX as usize);
    /// ```
    // A quarter of the word: permits held by live `Permit`s (8 bytes each, so fewer than an
    // eighth of the address space) can always come back without overflowing `state`.
    pub const MAX_PERMITS: usize = usize::MAX >> 2;

    /// Creates a semaphore with `permits` permits: Python's `threading.Semaphore(permits)`.
    ///
    /// [`release`](Semaphore::release) may add permits beyond `permits`; see
    /// [`bounded`](Semaphore::bounded) for a semaphore that refuses that. `new(0)` is a
    /// semaphore that every `acquire` waits on until someone releases.
    ///
    /// # Panics
    ///
    /// Panics if `permits` is more than [`MAX_PERMITS`](Semaphore::MAX_PERMITS).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(3);
    /// assert_eq!(sem.available(), 3);
    /// ```
    #[must_use]
    pub fn new(permits: usize) -> Semaphore {
        Semaphore::with_bound(permits, None)
    }

    /// Creates a bounded semaphore with `permits` permits: Python's
    /// `threading.BoundedSemaphore(permits)`.
    ///
    /// A [`release`](Semaphore::release) that would raise the count above `permits` fails with
    /// [`ReleaseError`] and changes nothing. Permits given back by dropping a [`Permit`] always
    /// fit, so with permits the only `release` that succeeds is one that returns permits
    /// taken with [`Permit::forget`].
    ///
    /// # Panics
    ///
    /// Panics if `permits` is more than [`MAX_PERMITS`](Semaphore::MAX_PERMITS).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::{ReleaseError, Semaphore};
    ///
    /// let sem = Semaphore::bounded(1);
    /// sem.acquire().forget(); // Python: sem.acquire()
    /// assert_eq!(sem.release(1), Ok(())); // sem.release()
    /// assert_eq!(sem.release(1), Err(ReleaseError)); // ValueError: released too many times
    /// assert_eq!(sem.available(), 1);
    /// ```
    #[must_use]
    pub fn bounded(permits: usize) -> Semaphore {
        Semaphore::with_bound(permits, Some(permits))
    }

    fn with_bound(permits: usize, bound: Option<usize>) -> Semaphore {
        assert!(
            permits <= Semaphore::MAX_PERMITS,
            "a semaphore holds at most Semaphore::MAX_PERMITS permits, not {permits}"
        );
        Semaphore {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(permits * ONE),
                bound,
                forgotten: AtomicUsize::new(0),
                sleepers: Mutex::new(0),
                wakeup: Condvar::new(),
            }),
        }
    }

    /// Takes a permit, blocking while none is available: Python's `sem.acquire()`, or entering
    /// `with sem:`.
    ///
    /// The permit is given back when the returned [`Permit`] is dropped. The waiting thread
    /// sleeps until a permit is given back.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(1);
    /// {
    ///     let _permit = sem.acquire();
    ///     assert_eq!(sem.available(), 0);
    /// }
    /// assert_eq!(sem.available(), 1);
    /// ```
    pub fn acquire(&self) -> Permit {
        if !self.inner.try_take() {
            self.inner.take_slow(None);
        }
        self.permit()
    }

    /// Takes a permit if one is available, without blocking: Python's
    /// `sem.acquire(blocking=False)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(1);
    /// let first = sem.try_acquire();
    /// assert!(first.is_some());
    /// assert!(sem.try_acquire().is_none());
    /// ```
    pub fn try_acquire(&self) -> Option<Permit> {
        self.inner.try_take().then(|| self.permit())
    }

    /// Takes a permit, waiting at most `timeout` for one: Python's `sem.acquire(timeout=t)`.
    ///
    /// Returns `None` if no permit became available in time. It never returns `None` before
    /// `timeout` has passed, spurious wake-ups included; it may return somewhat after, as the
    /// thread has to be scheduled. A timeout too large to be a deadline, such as
    /// [`Duration::MAX`], waits for ever.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(0);
    /// assert!(sem.acquire_timeout(Duration::from_millis(10)).is_none());
    /// sem.release(1).unwrap();
    /// assert!(sem.acquire_timeout(Duration::from_secs(60)).is_some());
    /// ```
    pub fn acquire_timeout(&self, timeout: Duration) -> Option<Permit> {
        if self.inner.try_take() {
            return Some(self.permit());
        }
        // `None` when the deadline would overflow `Instant`: wait for ever.
        let deadline = Instant::now().checked_add(timeout);
        self.inner.take_slow(deadline).then(|| self.permit())
    }

    /// Adds `n` permits, waking up to `n` waiting threads: Python's `sem.release(n)`.
    ///
    /// This is for permits taken with [`Permit::forget`], or to raise the count of a semaphore
    /// made with [`new`](Semaphore::new); a [`Permit`] gives its own permit back when dropped.
    /// `release(0)` does nothing.
    ///
    /// # Errors
    ///
    /// [`ReleaseError`], changing nothing, if the semaphore is [`bounded`](Semaphore::bounded)
    /// and the count would exceed its initial value (Python's `ValueError`), or if it would
    /// exceed [`MAX_PERMITS`](Semaphore::MAX_PERMITS).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(0);
    /// sem.release(2).unwrap();
    /// assert_eq!(sem.available(), 2);
    /// ```
    pub fn release(&self, n: usize) -> Result<(), ReleaseError> {
        if n == 0 {
            return Ok(());
        }
        let inner = &*self.inner;
        if inner.bound.is_some() {
            inner
                .forgotten
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |f| f.checked_sub(n))
                .map_err(|_| ReleaseError)?;
        }
        let mut state = inner.state.load(Ordering::Relaxed);
        loop {
            let available = state / ONE;
            if n > Semaphore::MAX_PERMITS - available.min(Semaphore::MAX_PERMITS) {
                if inner.bound.is_some() {
                    inner.forgotten.fetch_add(n, Ordering::Relaxed);
                }
                return Err(ReleaseError);
            }
            match inner.state.compare_exchange_weak(
                state,
                state + n * ONE,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(previous) => {
                    inner.wake_if_sleeping(previous, n);
                    return Ok(());
                }
                Err(now) => state = now,
            }
        }
    }

    /// Returns the number of permits available now: Python's `sem._value`.
    ///
    /// Other threads may change it at any moment; it is for display and tests, not for
    /// deciding whether to call [`acquire`](Semaphore::acquire) (use
    /// [`try_acquire`](Semaphore::try_acquire)).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(2);
    /// let _permit = sem.acquire();
    /// assert_eq!(sem.available(), 1);
    /// ```
    #[must_use]
    pub fn available(&self) -> usize {
        self.inner.state.load(Ordering::Relaxed) / ONE
    }

    /// How many threads wait in [`acquire`](Semaphore::acquire) or
    /// [`acquire_timeout`](Semaphore::acquire_timeout) now.
    ///
    /// **For tests and diagnostics only: not part of the stable API.** It may change or go
    /// away in any release, without a major version; Python's semaphore has no counterpart
    /// (its waiters hide in its condition). `Debug` shows the same number.
    ///
    /// A snapshot: a thread counts from when it found no permit and goes to sleep until it
    /// is woken, and may start or stop waiting right after. A test waits until the number
    /// it expects shows up.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(1);
    /// assert_eq!(sem.waiting(), 0);
    /// assert!(format!("{sem:?}").contains("waiting: 0"));
    /// ```
    #[doc(hidden)]
    #[must_use]
    pub fn waiting(&self) -> usize {
        *self.inner.lock()
    }

    fn permit(&self) -> Permit {
        Permit {
            inner: Some(Arc::clone(&self.inner)),
        }
    }
}

impl Inner {
    fn try_take(&self) -> bool {
        let mut state = self.state.load(Ordering::Relaxed);
        while state >= ONE {
            match self.state.compare_exchange_weak(
                state,
                state - ONE,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => state = now,
            }
        }
        false
    }

    /// Takes a permit or, if none is left, raises `SLEEPERS`, in one atomic step, so that a
    /// release between the two cannot go unseen.
    fn take_or_announce(&self) -> bool {
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            let (new, took) = if state >= ONE {
                (state - ONE, true)
            } else if state & SLEEPERS == 0 {
                (state | SLEEPERS, false)
            } else {
                return false;
            };
            match self
                .state
                .compare_exchange_weak(state, new, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return took,
                Err(now) => state = now,
            }
        }
    }

    fn take_slow(&self, deadline: Option<Instant>) -> bool {
        let mut sleepers = self.lock();
        *sleepers += 1;
        let took = loop {
            if self.take_or_announce() {
                break true;
            }
            sleepers = match deadline {
                None => self.wakeup.wait(sleepers).unpoisoned(),
                Some(deadline) => {
                    let remaining = deadline.saturating_duration_since(Instant::now());
                    if remaining.is_zero() {
                        break false;
                    }
                    self.wakeup.wait_timeout(sleepers, remaining).unpoisoned().0
                }
            };
        };
        *sleepers -= 1;
        if *sleepers == 0 {
            // Under the lock, so no waiter is between announcing and sleeping.
            self.state.fetch_and(!SLEEPERS, Ordering::Relaxed);
        }
        took
    }

    fn give_back_one(&self) {
        let previous = self.state.fetch_add(ONE, Ordering::Release);
        self.wake_if_sleeping(previous, 1);
    }

    fn wake_if_sleeping(&self, previous: usize, n: usize) {
        if previous & SLEEPERS == 0 {
            return;
        }
        // Taking the lock waits out a waiter that has announced itself but not yet slept.
        let _sleepers = self.lock();
        if n == 1 {
            self.wakeup.notify_one();
        } else {
            self.wakeup.notify_all();
        }
    }

    fn lock(&self) -> MutexGuard<'_, usize> {
        self.sleepers.lock().unpoisoned()
    }
}

impl Permit {
    /// Keeps the permit taken instead of giving it back: the semaphore's count stays one
    /// lower until [`Semaphore::release`] adds it back.
    ///
    /// This is Python's `sem.acquire()` without a matching `release()` yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(1);
    /// sem.acquire().forget();
    /// assert_eq!(sem.available(), 0);
    /// sem.release(1).unwrap();
    /// assert_eq!(sem.available(), 1);
    /// ```
    pub fn forget(mut self) {
        if let Some(inner) = self.inner.take() {
            if inner.bound.is_some() {
                inner.forgotten.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(inner) = &self.inner {
            inner.give_back_one();
        }
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("available", &self.available())
            .field("bound", &self.inner.bound)
            .field("waiting", &self.waiting())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Permit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

/// Loom models of the fast path and the `SLEEPERS` hand-off: every interleaving of a few
/// threads, bounded in preemptions as tokio bounds its own. Run with
/// `RUSTFLAGS="--cfg loom" cargo test -p threaded-runtime --lib --release loom`
/// (a separate `CARGO_TARGET_DIR` keeps the normal build warm).
#[cfg(all(test, loom))]
mod loom_models {
    use super::Semaphore;
    use loom::sync::Arc;
    use loom::sync::atomic::{AtomicUsize, Ordering};
    use loom::thread;

    fn model(f: impl Fn() + Sync + Send + 'static) {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(f);
    }

    /// A release between a waiter's failed take and its sleep is not lost.
    #[test]
    fn loom_a_release_wakes_the_waiter() {
        model(|| {
            let sem = Semaphore::new(0);
            let waiter = {
                let sem = sem.clone();
                thread::spawn(move || sem.acquire().forget())
            };
            sem.release(1).unwrap();
            waiter.join().unwrap();
            assert_eq!(sem.available(), 0);
        });
    }

    /// One permit, two threads: never both inside, and the permit comes back.
    #[test]
    fn loom_one_permit_two_threads() {
        model(|| {
            let sem = Semaphore::new(1);
            let inside = Arc::new(AtomicUsize::new(0));
            let threads: Vec<_> = (0..2)
                .map(|_| {
                    let (sem, inside) = (sem.clone(), Arc::clone(&inside));
                    thread::spawn(move || {
                        let _permit = sem.acquire();
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
                        inside.fetch_sub(1, Ordering::SeqCst);
                    })
                })
                .collect();
            for t in threads {
                t.join().unwrap();
            }
            assert_eq!(sem.available(), 1);
        });
    }

    /// `release(2)` wakes both of two waiters.
    #[test]
    fn loom_release_two_wakes_two_waiters() {
        model(|| {
            let sem = Semaphore::new(0);
            let waiters: Vec<_> = (0..2)
                .map(|_| {
                    let sem = sem.clone();
                    thread::spawn(move || sem.acquire().forget())
                })
                .collect();
            sem.release(2).unwrap();
            for w in waiters {
                w.join().unwrap();
            }
            assert_eq!(sem.available(), 0);
        });
    }

    /// A permit dropped on another thread wakes a waiter, while the main thread takes and
    /// gives back one too.
    #[test]
    fn loom_a_permit_dropped_elsewhere_wakes_a_waiter() {
        model(|| {
            let sem = Semaphore::new(1);
            let permit = sem.acquire();
            let waiter = {
                let sem = sem.clone();
                thread::spawn(move || drop(sem.acquire()))
            };
            let dropper = thread::spawn(move || drop(permit));
            drop(sem.acquire());
            waiter.join().unwrap();
            dropper.join().unwrap();
            assert_eq!(sem.available(), 1);
        });
    }
}
