use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::BrokenBarrierError;
use crate::unpoison::Unpoison;

/// A meeting point for a fixed number of threads: Python's [`threading.Barrier`].
///
/// Each of `parties` threads calls [`wait`](Barrier::wait); all of them block until the last
/// one arrives, then all are released together and the barrier is ready for the next round.
/// Unlike [`std::sync::Barrier`], it can time out, be aborted and be reset, and it can run an
/// action once per round before releasing anyone.
///
/// A barrier *breaks* when a [`wait_timeout`](Barrier::wait_timeout) times out, when
/// [`abort`](Barrier::abort) is called, or when its action panics. Every thread waiting on a
/// broken barrier gets [`BrokenBarrierError`], and so does every later `wait`, until
/// [`reset`](Barrier::reset). Clones share one barrier.
///
/// | Python `threading.Barrier` | `Barrier` |
/// |---|---|
/// | `Barrier(parties)` | [`Barrier::new(parties)`](Barrier::new) |
/// | `Barrier(parties, action)` | [`Barrier::with_action(parties, f)`](Barrier::with_action) |
/// | `wait()` | [`wait`](Barrier::wait), giving the arrival index |
/// | `wait(timeout)` / `Barrier(.., timeout=t)` | [`wait_timeout`](Barrier::wait_timeout) |
/// | `abort()` / `reset()` | [`abort`](Barrier::abort) / [`reset`](Barrier::reset) |
/// | `parties` / `n_waiting` / `broken` | [`parties`](Barrier::parties) / [`n_waiting`](Barrier::n_waiting) / [`is_broken`](Barrier::is_broken) |
///
/// [`threading.Barrier`]: https://docs.python.org/3/library/threading.html#barrier-objects
///
/// # Examples
///
/// Three runners start together:
///
/// ```
/// use std::thread;
/// use threaded::sync::Barrier;
///
/// let start = Barrier::new(3);
/// thread::scope(|s| {
///     for runner in 0..3 {
///         let start = &start;
///         s.spawn(move || {
///             // ... get ready ...
///             let arrival = start.wait().unwrap(); // nobody passes before all three are here
///             assert!(arrival < 3);
///             println!("runner {runner} runs");
///         });
///     }
/// });
/// ```
#[derive(Clone)]
pub struct Barrier {
    inner: Arc<Inner>,
}

struct Inner {
    parties: usize,
    /// Run by the last thread of each round, with `state` unlocked (so that the action may
    /// call `n_waiting` or `is_broken`) but `acting` set, which holds everything else off.
    action: Option<Mutex<Box<dyn FnMut() + Send>>>,
    state: Mutex<State>,
    changed: Condvar,
}

/// CPython's state machine (`Lib/threading.py`, class `Barrier`), so that the semantics of
/// `reset` and of a break during the release are the same.
struct State {
    phase: Phase,
    /// Threads inside `wait`, arrived or leaving.
    count: usize,
    /// The last arrival is running the action.
    acting: bool,
    /// Rounds completed. A thread whose round completed returns `Ok` even if the barrier
    /// breaks before it wakes (CPython raises then; the round did complete).
    round: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    /// Threads are arriving.
    Filling,
    /// The round is complete; its threads are leaving `wait` with `Ok`.
    Draining,
    /// `reset` was called with threads waiting; they are leaving `wait` with `Err`.
    Resetting,
    Broken,
}

impl Barrier {
    /// Creates a barrier for `parties` threads: Python's `threading.Barrier(parties)`.
    ///
    /// # Panics
    ///
    /// Panics if `parties` is 0: no thread could ever pass (Python raises `ValueError`).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::Barrier;
    ///
    /// let barrier = Barrier::new(1);
    /// assert_eq!(barrier.wait(), Ok(0)); // one party: passes at once
    /// ```
    #[must_use]
    pub fn new(parties: usize) -> Barrier {
        Barrier::build(parties, None)
    }

    /// Creates a barrier for `parties` threads that runs `action` once per round: Python's
    /// `threading.Barrier(parties, action)`.
    ///
    /// The last thread to arrive runs `action` before any thread of the round is released.
    /// If `action` panics, the barrier breaks: the other threads get [`BrokenBarrierError`],
    /// and the panic goes on in the thread that ran it. The action must not call
    /// [`wait`](Barrier::wait), [`abort`](Barrier::abort) or [`reset`](Barrier::reset) on its
    /// own barrier, which wait for it to finish.
    ///
    /// # Panics
    ///
    /// Panics if `parties` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threaded::sync::Barrier;
    ///
    /// let rounds = Arc::new(AtomicUsize::new(0));
    /// let counter = Arc::clone(&rounds);
    /// let barrier = Barrier::with_action(2, move || {
    ///     counter.fetch_add(1, Ordering::SeqCst);
    /// });
    /// thread::scope(|s| {
    ///     for _ in 0..2 {
    ///         s.spawn(|| {
    ///             barrier.wait().unwrap();
    ///             barrier.wait().unwrap();
    ///         });
    ///     }
    /// });
    /// assert_eq!(rounds.load(Ordering::SeqCst), 2);
    /// ```
    #[must_use]
    pub fn with_action<F>(parties: usize, action: F) -> Barrier
    where
        F: FnMut() + Send + 'static,
    {
        Barrier::build(parties, Some(Mutex::new(Box::new(action))))
    }

    fn build(parties: usize, action: Option<Mutex<Box<dyn FnMut() + Send>>>) -> Barrier {
        assert!(parties > 0, "a Barrier needs at least one party");
        Barrier {
            inner: Arc::new(Inner {
                parties,
                action,
                state: Mutex::new(State {
                    phase: Phase::Filling,
                    count: 0,
                    acting: false,
                    round: 0,
                }),
                changed: Condvar::new(),
            }),
        }
    }

    /// Waits until all [`parties`](Barrier::parties) have called `wait`: Python's
    /// `barrier.wait()`.
    ///
    /// Returns the thread's arrival index, `0..parties` (the last to arrive gets
    /// `parties - 1`); as in Python, it can pick one thread to do some work for the round.
    ///
    /// # Errors
    ///
    /// [`BrokenBarrierError`] at once if the barrier is broken, or when it breaks or is
    /// [`reset`](Barrier::reset) while this thread waits. Once the round is complete, its
    /// threads return `Ok` even if the barrier breaks before they wake.
    ///
    /// # Panics
    ///
    /// Resumes the panic of the action, in the thread that ran it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::thread;
    /// use threaded::sync::Barrier;
    ///
    /// let barrier = Barrier::new(2);
    /// let mut indexes = thread::scope(|s| {
    ///     let other = s.spawn(|| barrier.wait().unwrap());
    ///     let mine = barrier.wait().unwrap();
    ///     vec![mine, other.join().unwrap()]
    /// });
    /// indexes.sort();
    /// assert_eq!(indexes, [0, 1]);
    /// ```
    pub fn wait(&self) -> Result<usize, BrokenBarrierError> {
        self.wait_until(None)
    }

    /// Waits as [`wait`](Barrier::wait) does, for at most `timeout`: Python's
    /// `barrier.wait(timeout)`.
    ///
    /// If the round is not complete when `timeout` has passed, this thread breaks the barrier,
    /// for every waiter, as in Python, and gets [`BrokenBarrierError`]. It never times out
    /// before `timeout` has passed. A timeout too large to be a deadline, such as
    /// [`Duration::MAX`], waits for ever.
    ///
    /// # Errors
    ///
    /// [`BrokenBarrierError`] if the barrier is broken, breaks, is reset, or the wait timed
    /// out.
    ///
    /// # Panics
    ///
    /// Resumes the panic of the action, in the thread that ran it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::sync::{Barrier, BrokenBarrierError};
    ///
    /// let barrier = Barrier::new(2);
    /// // Nobody else comes: the wait times out and breaks the barrier.
    /// assert_eq!(barrier.wait_timeout(Duration::from_millis(10)), Err(BrokenBarrierError));
    /// assert!(barrier.is_broken());
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> Result<usize, BrokenBarrierError> {
        // `None` when the deadline would overflow `Instant`: wait for ever.
        self.wait_until(Instant::now().checked_add(timeout))
    }

    fn wait_until(&self, deadline: Option<Instant>) -> Result<usize, BrokenBarrierError> {
        let inner = &*self.inner;
        let mut state = inner.lock();
        // CPython's `_enter`: threads of the previous round are still leaving.
        while matches!(state.phase, Phase::Draining | Phase::Resetting) || state.acting {
            state = inner.wait(state);
        }
        if state.phase == Phase::Broken {
            return Err(BrokenBarrierError);
        }
        let index = state.count;
        let round = state.round;
        state.count += 1;
        let result = if index + 1 == inner.parties {
            state = inner.release(state);
            Ok(index)
        } else {
            loop {
                if state.phase != Phase::Filling {
                    break;
                }
                state = match deadline {
                    None => inner.wait(state),
                    Some(deadline) => {
                        let remaining = deadline.saturating_duration_since(Instant::now());
                        if remaining.is_zero() {
                            if state.acting {
                                // The round is complete and its action running: as in CPython,
                                // where the action holds the lock, the late timeout loses.
                                state = inner.wait(state);
                                continue;
                            }
                            inner.break_barrier(&mut state);
                            break;
                        }
                        inner.changed.wait_timeout(state, remaining).unpoisoned().0
                    }
                };
            }
            if state.round != round {
                Ok(index)
            } else {
                Err(BrokenBarrierError)
            }
        };
        inner.exit(&mut state);
        result
    }

    /// Breaks the barrier: Python's `barrier.abort()`.
    ///
    /// Every thread waiting gets [`BrokenBarrierError`], and so does every later
    /// [`wait`](Barrier::wait), until [`reset`](Barrier::reset). Use it to free the other
    /// threads when one of them cannot come.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::thread;
    /// use threaded::sync::{Barrier, BrokenBarrierError};
    ///
    /// let barrier = Barrier::new(2);
    /// thread::scope(|s| {
    ///     let waiter = s.spawn(|| barrier.wait());
    ///     barrier.abort(); // before or while it waits: it fails either way
    ///     assert_eq!(waiter.join().unwrap(), Err(BrokenBarrierError));
    /// });
    /// ```
    pub fn abort(&self) {
        let mut state = self.inner.lock_idle();
        self.inner.break_barrier(&mut state);
    }

    /// Puts the barrier back in its initial, unbroken state: Python's `barrier.reset()`.
    ///
    /// Threads waiting on it get [`BrokenBarrierError`]; once they have left, the barrier
    /// takes arrivals for a new round.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::Barrier;
    ///
    /// let barrier = Barrier::new(1);
    /// barrier.abort();
    /// assert!(barrier.wait().is_err());
    /// barrier.reset();
    /// assert!(!barrier.is_broken());
    /// assert_eq!(barrier.wait(), Ok(0));
    /// ```
    pub fn reset(&self) {
        let inner = &*self.inner;
        let mut state = inner.lock_idle();
        if state.count > 0 {
            if matches!(state.phase, Phase::Filling | Phase::Broken) {
                state.phase = Phase::Resetting;
            }
            // Draining: its threads leave with `Ok`, and the last one reopens the barrier.
        } else {
            state.phase = Phase::Filling;
        }
        inner.changed.notify_all();
    }

    /// Returns the number of threads the barrier waits for: Python's `barrier.parties`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::Barrier;
    ///
    /// assert_eq!(Barrier::new(4).parties(), 4);
    /// ```
    #[must_use]
    pub fn parties(&self) -> usize {
        self.inner.parties
    }

    /// Returns the number of threads waiting for the current round: Python's
    /// `barrier.n_waiting`.
    ///
    /// As in Python, it is 0 while a completed round's threads are leaving or its action runs.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::Barrier;
    ///
    /// let barrier = Barrier::new(2);
    /// assert_eq!(barrier.n_waiting(), 0);
    /// ```
    #[must_use]
    pub fn n_waiting(&self) -> usize {
        let state = self.inner.lock();
        if state.phase == Phase::Filling && !state.acting {
            state.count
        } else {
            0
        }
    }

    /// Returns `true` if the barrier is broken: Python's `barrier.broken`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::Barrier;
    ///
    /// let barrier = Barrier::new(3);
    /// assert!(!barrier.is_broken());
    /// barrier.abort();
    /// assert!(barrier.is_broken());
    /// ```
    #[must_use]
    pub fn is_broken(&self) -> bool {
        self.inner.lock().phase == Phase::Broken
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unpoisoned()
    }

    fn wait<'a>(&self, state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed.wait(state).unpoisoned()
    }

    /// The lock, once no action is running: what holding CPython's lock means.
    fn lock_idle(&self) -> MutexGuard<'_, State> {
        let mut state = self.lock();
        while state.acting {
            state = self.wait(state);
        }
        state
    }

    /// CPython's `_release`: runs the action, then lets the round go.
    fn release<'a>(&'a self, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        if let Some(action) = &self.action {
            state.acting = true;
            drop(state);
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                // A previous round's panic poisoned it; the closure is still there to call.
                let mut action = action.lock().unpoisoned();
                action();
            }));
            state = self.lock();
            state.acting = false;
            if let Err(payload) = outcome {
                self.break_barrier(&mut state);
                self.exit(&mut state);
                drop(state);
                panic::resume_unwind(payload);
            }
        }
        state.phase = Phase::Draining;
        state.round = state.round.wrapping_add(1);
        self.changed.notify_all();
        state
    }

    /// CPython's `_break`.
    fn break_barrier(&self, state: &mut State) {
        state.phase = Phase::Broken;
        self.changed.notify_all();
    }

    /// CPython's `_exit`: the last thread out of a finished or reset round reopens the barrier.
    fn exit(&self, state: &mut State) {
        state.count -= 1;
        if state.count == 0 && matches!(state.phase, Phase::Draining | Phase::Resetting) {
            state.phase = Phase::Filling;
            self.changed.notify_all();
        }
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("parties", &self.parties())
            .field("n_waiting", &self.n_waiting())
            .field("broken", &self.is_broken())
            .finish_non_exhaustive()
    }
}
