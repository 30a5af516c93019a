use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::thread::{self, Builder, JoinHandle};
use std::time::Duration;

use crate::StopEvent;

/// A function run once on its own thread after a delay, unless cancelled first: Python's
/// [`threading.Timer`].
///
/// [`Timer::start`] spawns a thread named `timer` that sleeps for the delay and then calls the
/// function; [`cancel`](Timer::cancel) wakes that thread at once, and the function never runs
/// if it had not started. [`join`](Timer::join) gives back the function's result, or `None`
/// if the timer was cancelled first.
///
/// | Python `threading.Timer` | `Timer<R>` |
/// |---|---|
/// | `t = Timer(interval, f); t.start()` | [`Timer::start(delay, f)`](Timer::start) |
/// | `t.name = ...` | [`Timer::named(name, delay, f)`](Timer::named) |
/// | `t.cancel()` | [`cancel`](Timer::cancel) |
/// | `t.join()` | [`join`](Timer::join), which also gives the result |
/// | `t.is_alive()` | `!`[`is_finished`](Timer::is_finished) |
///
/// # Dropping
///
/// Dropping a `Timer` cancels it and waits for its thread, so no timer outlives its handle
/// (if the function is already running, the drop waits for it to return). A panic of the
/// function is then logged with [`log::error!`], not propagated. [`detach`](Timer::detach)
/// lets the timer fire without a handle, as Python's timers do.
///
/// [`threading.Timer`]: https://docs.python.org/3/library/threading.html#timer-objects
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use threaded::Timer;
///
/// let fires = Timer::start(Duration::from_millis(10), || "ding");
/// let cancelled = Timer::start(Duration::from_secs(3600), || "never");
/// cancelled.cancel(); // returns at once; its thread wakes and ends
///
/// assert_eq!(fires.join().unwrap(), Some("ding"));
/// assert_eq!(cancelled.join().unwrap(), None);
/// ```
#[must_use = "dropping a Timer cancels it; call `detach` to let it fire"]
pub struct Timer<R> {
    /// `None` only once a method taking `self` has consumed it.
    handle: Option<JoinHandle<Option<R>>>,
    shared: Arc<Shared>,
}

struct Shared {
    /// Set by `cancel`, to cut the timer thread's sleep short.
    wake: StopEvent,
    /// `PENDING` until either the timer thread claims it (`FIRED`) or `cancel` does
    /// (`CANCELLED`): exactly one of the two wins, so a `cancel` that returned before the
    /// function started means it never will.
    state: AtomicU8,
}

const PENDING: u8 = 0;
const FIRED: u8 = 1;
const CANCELLED: u8 = 2;

impl<R: Send + 'static> Timer<R> {
    /// Starts a timer that calls `f` after `delay` on a new thread named `timer`: Python's
    /// `Timer(interval, f).start()`.
    ///
    /// The thread sleeps; it does not poll. A delay too large to be a deadline, such as
    /// [`Duration::MAX`], waits until [`cancel`](Timer::cancel).
    ///
    /// # Panics
    ///
    /// Panics if the operating system fails to create the thread, as
    /// [`std::thread::spawn`] does.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use threaded::Timer;
    ///
    /// let started = Instant::now();
    /// let timer = Timer::start(Duration::from_millis(20), move || started.elapsed());
    /// let waited = timer.join().unwrap().unwrap();
    /// assert!(waited >= Duration::from_millis(20)); // never early
    /// ```
    #[track_caller]
    pub fn start<F>(delay: Duration, f: F) -> Timer<R>
    where
        F: FnOnce() -> R + Send + 'static,
    {
        Timer::named("timer", delay, f)
    }

    /// Starts a timer as [`start`](Timer::start) does, on a thread named `name`.
    ///
    /// # Panics
    ///
    /// Panics if the operating system fails to create the thread, or if `name` contains a nul
    /// byte.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::Timer;
    ///
    /// let timer = Timer::named("lembrete", Duration::ZERO, || {
    ///     std::thread::current().name().map(str::to_owned)
    /// });
    /// assert_eq!(timer.join().unwrap().unwrap().as_deref(), Some("lembrete"));
    /// ```
    #[track_caller]
    pub fn named<F>(name: &str, delay: Duration, f: F) -> Timer<R>
    where
        F: FnOnce() -> R + Send + 'static,
    {
        let shared = Arc::new(Shared {
            wake: StopEvent::new(),
            state: AtomicU8::new(PENDING),
        });
        let timer = Arc::clone(&shared);
        let handle = Builder::new()
            .name(crate::thread::thread_name(name))
            .spawn(move || {
                if timer.wake.wait_timeout(delay) {
                    return None;
                }
                timer
                    .state
                    .compare_exchange(PENDING, FIRED, Ordering::AcqRel, Ordering::Acquire)
                    .ok()
                    .map(|_| f())
            })
            .expect("failed to spawn thread");
        Timer {
            handle: Some(handle),
            shared,
        }
    }
}

impl<R> Timer<R> {
    /// Cancels the timer: Python's `timer.cancel()`.
    ///
    /// Returns at once, and wakes the timer's thread, which ends without calling the function
    /// if it had not started it. A function already running is not interrupted. Cancelling
    /// twice, or after the timer fired, does nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::Timer;
    ///
    /// let timer = Timer::start(Duration::from_secs(3600), || unreachable!());
    /// timer.cancel();
    /// assert_eq!(timer.join().unwrap(), None); // ends now, not in an hour
    /// ```
    pub fn cancel(&self) {
        let _ = self.shared.state.compare_exchange(
            PENDING,
            CANCELLED,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
        self.shared.wake.set();
    }

    /// Returns `true` once the timer's thread has ended, whether the function ran, was
    /// cancelled or panicked: Python's `not timer.is_alive()`.
    ///
    /// This does not block.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::Timer;
    ///
    /// let timer = Timer::start(Duration::from_secs(3600), || ());
    /// assert!(!timer.is_finished());
    /// timer.cancel();
    /// timer.join().unwrap();
    /// ```
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.handle().is_finished()
    }

    /// Returns the [`Thread`](std::thread::Thread) the timer runs on.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::Timer;
    ///
    /// let timer = Timer::start(Duration::ZERO, || ());
    /// assert_eq!(timer.thread().name(), Some("timer"));
    /// ```
    #[must_use]
    pub fn thread(&self) -> &thread::Thread {
        self.handle().thread()
    }

    /// Waits for the timer's thread to end and returns the function's result: Python's
    /// `timer.join()`.
    ///
    /// `Ok(Some(r))` if the function ran, `Ok(None)` if the timer was cancelled before it
    /// started. This waits for the delay; it does not cancel.
    ///
    /// # Errors
    ///
    /// If the function panicked, returns `Err` with the panic payload, as
    /// [`JoinHandle::join`] does.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::Timer;
    ///
    /// let timer = Timer::start(Duration::from_millis(5), || 6 * 7);
    /// assert_eq!(timer.join().unwrap(), Some(42));
    /// ```
    pub fn join(mut self) -> thread::Result<Option<R>> {
        self.take_handle().join()
    }

    /// Lets the timer fire without a handle: the function runs after the delay and its result
    /// is dropped. The timer can no longer be cancelled or joined.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    /// use threaded::Timer;
    ///
    /// let (tx, rx) = mpsc::channel();
    /// Timer::start(Duration::from_millis(5), move || tx.send("fired").unwrap()).detach();
    /// assert_eq!(rx.recv_timeout(Duration::from_secs(20)), Ok("fired"));
    /// ```
    pub fn detach(mut self) {
        drop(self.take_handle());
    }

    fn handle(&self) -> &JoinHandle<Option<R>> {
        self.handle
            .as_ref()
            .expect("a Timer keeps its handle until consumed")
    }

    fn take_handle(&mut self) -> JoinHandle<Option<R>> {
        self.handle
            .take()
            .expect("a Timer keeps its handle until consumed")
    }
}

impl<R> Drop for Timer<R> {
    fn drop(&mut self) {
        let Some(handle) = self.handle.take() else {
            return;
        };
        self.cancel();
        if handle.thread().id() == thread::current().id() {
            // Dropped by its own function: joining would deadlock, and it is ending anyway.
            return;
        }
        let thread = handle.thread().clone();
        if let Err(payload) = handle.join() {
            if !thread::panicking() {
                log::error!("{}", crate::thread::panic_report(&thread, &*payload));
            }
        }
    }
}

impl<R> fmt::Debug for Timer<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.shared.state.load(Ordering::Acquire) {
            PENDING => "pending",
            FIRED => "fired",
            _ => "cancelled",
        };
        f.debug_struct("Timer")
            .field("name", &self.thread().name())
            .field("state", &state)
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}
