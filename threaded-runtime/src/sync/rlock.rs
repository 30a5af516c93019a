use std::fmt;
use std::ops::Deref;
use std::time::Duration;

use parking_lot::{ReentrantMutex, ReentrantMutexGuard};

/// A lock that the thread holding it may take again: Python's [`threading.RLock`].
///
/// [`lock`](RLock::lock) blocks until no *other* thread holds the lock; the thread that already
/// holds it gets a new guard at once, and the lock is released when its last guard is dropped.
/// That lets a function that takes the lock call another that takes it too, which would
/// deadlock on a [`Mutex`](std::sync::Mutex).
///
/// Because several guards of one thread can be alive together, a guard only derefs to `&T`:
/// put the parts that change in a [`Cell`](std::cell::Cell) or
/// [`RefCell`](std::cell::RefCell). The `RefCell` is then what refuses two overlapping `&mut`
/// borrows, as the borrow checker would.
///
/// A thread that panics while holding the lock releases it as its guards unwind; there is no
/// poisoning. `RLock<T>` is `Send + Sync` for `T: Send`; its guards are not `Send`, since the
/// lock must be released by the thread that took it, as in Python.
///
/// | Python `threading.RLock` | `RLock<T>` |
/// |---|---|
/// | `RLock()` | [`RLock::new(value)`](RLock::new) |
/// | `with rlock:` / `acquire()` | [`lock`](RLock::lock), the guard's scope |
/// | `acquire(blocking=False)` | [`try_lock`](RLock::try_lock) |
/// | `acquire(timeout=t)` | [`lock_timeout`](RLock::lock_timeout) |
/// | `release()` | dropping the guard |
///
/// Built on [`parking_lot::ReentrantMutex`].
///
/// [`threading.RLock`]: https://docs.python.org/3/library/threading.html#rlock-objects
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::sync::Arc;
/// use std::thread;
/// use threaded::sync::RLock;
///
/// struct Account {
///     history: RLock<RefCell<Vec<i64>>>,
/// }
///
/// impl Account {
///     fn deposit(&self, amount: i64) {
///         let history = self.history.lock();
///         history.borrow_mut().push(amount);
///     }
///
///     // Takes the lock, then calls `deposit`, which takes it again.
///     fn deposit_twice(&self, amount: i64) {
///         let _whole_operation = self.history.lock();
///         self.deposit(amount);
///         self.deposit(amount);
///     }
/// }
///
/// let account = Arc::new(Account { history: RLock::new(RefCell::new(Vec::new())) });
/// let workers: Vec<_> = (0..4)
///     .map(|_| {
///         let account = Arc::clone(&account);
///         thread::spawn(move || account.deposit_twice(10))
///     })
///     .collect();
/// for worker in workers {
///     worker.join().unwrap();
/// }
/// // Each pair of deposits was made under one lock: never interleaved.
/// assert_eq!(account.history.lock().borrow().len(), 8);
/// ```
pub struct RLock<T: ?Sized> {
    inner: ReentrantMutex<T>,
}

/// Proof that the current thread holds an [`RLock`]; dropping the last one releases it.
///
/// Created by [`RLock::lock`], [`RLock::try_lock`] and [`RLock::lock_timeout`]. It derefs to
/// `&T`. It is not `Send`: the thread that took the lock releases it.
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use threaded::sync::RLock;
///
/// let lock = RLock::new(Cell::new(1));
/// {
///     let guard = lock.lock();
///     guard.set(guard.get() + 1);
/// } // released here
/// assert_eq!(lock.lock().get(), 2);
/// ```
///
/// Releasing it from another thread, which Python refuses at run time with `RuntimeError`,
/// does not compile:
///
/// ```compile_fail
/// use std::thread;
/// use threaded::sync::RLock;
///
/// let lock = RLock::new(());
/// let guard = lock.lock();
/// thread::scope(|s| {
///     s.spawn(move || drop(guard)); // error: `RLockGuard` cannot be sent between threads
/// });
/// ```
#[must_use = "if unused the RLock is released at once"]
pub struct RLockGuard<'a, T: ?Sized> {
    guard: ReentrantMutexGuard<'a, T>,
}

impl<T> RLock<T> {
    /// Creates an unlocked `RLock` holding `value`: Python's `threading.RLock()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::RLock;
    ///
    /// let lock = RLock::new(0);
    /// assert_eq!(*lock.lock(), 0);
    /// ```
    #[must_use]
    pub fn new(value: T) -> RLock<T> {
        RLock {
            inner: ReentrantMutex::new(value),
        }
    }

    /// Consumes the lock and returns the value inside.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::RLock;
    ///
    /// let lock = RLock::new(String::from("dados"));
    /// assert_eq!(lock.into_inner(), "dados");
    /// ```
    #[must_use]
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> RLock<T> {
    /// Takes the lock, blocking while another thread holds it: Python's `rlock.acquire()`, or
    /// entering `with rlock:`.
    ///
    /// If the current thread already holds the lock, this returns a new guard at once. The lock
    /// is released when the last guard of the owning thread is dropped. The blocked thread
    /// sleeps; it does not spin.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::RLock;
    ///
    /// let lock = RLock::new(5);
    /// let outer = lock.lock();
    /// let inner = lock.lock(); // same thread: no deadlock
    /// assert_eq!(*outer + *inner, 10);
    /// ```
    pub fn lock(&self) -> RLockGuard<'_, T> {
        RLockGuard {
            guard: self.inner.lock(),
        }
    }

    /// Takes the lock if no other thread holds it, without blocking: Python's
    /// `rlock.acquire(blocking=False)`.
    ///
    /// Returns `None` if another thread holds the lock. As in Python, it succeeds when the
    /// current thread is the one holding it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::thread;
    /// use threaded::sync::RLock;
    ///
    /// let lock = RLock::new(());
    /// let guard = lock.lock();
    /// assert!(lock.try_lock().is_some()); // the owner may take it again
    /// thread::scope(|s| {
    ///     s.spawn(|| assert!(lock.try_lock().is_none())); // another thread may not
    /// });
    /// drop(guard);
    /// ```
    pub fn try_lock(&self) -> Option<RLockGuard<'_, T>> {
        self.inner.try_lock().map(|guard| RLockGuard { guard })
    }

    /// Takes the lock, waiting at most `timeout` for another thread to release it: Python's
    /// `rlock.acquire(timeout=t)`.
    ///
    /// Returns `None` if the timeout passed first; it never returns `None` before `timeout`
    /// has passed. The owning thread gets a guard at once. A timeout too large to be a
    /// deadline, such as [`Duration::MAX`], waits for ever.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::thread;
    /// use std::time::Duration;
    /// use threaded::sync::RLock;
    ///
    /// let lock = RLock::new(());
    /// let guard = lock.lock();
    /// thread::scope(|s| {
    ///     s.spawn(|| assert!(lock.lock_timeout(Duration::from_millis(10)).is_none()));
    /// });
    /// drop(guard);
    /// assert!(lock.lock_timeout(Duration::from_millis(10)).is_some());
    /// ```
    pub fn lock_timeout(&self, timeout: Duration) -> Option<RLockGuard<'_, T>> {
        self.inner
            .try_lock_for(timeout)
            .map(|guard| RLockGuard { guard })
    }

    /// Returns a mutable reference to the value; no locking is needed, since `&mut self`
    /// proves that no other reference exists.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::sync::RLock;
    ///
    /// let mut lock = RLock::new(1);
    /// *lock.get_mut() += 1;
    /// assert_eq!(*lock.lock(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }
}

impl<T: Default> Default for RLock<T> {
    fn default() -> RLock<T> {
        RLock::new(T::default())
    }
}

impl<T> From<T> for RLock<T> {
    fn from(value: T) -> RLock<T> {
        RLock::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RLock");
        match self.inner.try_lock() {
            Some(guard) => d.field("data", &&*guard),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish_non_exhaustive()
    }
}

impl<T: ?Sized> Deref for RLockGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RLockGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for RLockGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
