//! The rest of Python's `threading`: [`RLock`], [`Semaphore`] (and `BoundedSemaphore`),
//! [`Barrier`]; and where std already has the tool, how Python's name maps to it.
//!
//! The lecture's slide "Controlando Threads" says: *Existem outras estruturas que facilitam o
//! uso de threads como Lock, RLock e Semáforos (Ver documentação!)*. This module is that
//! documentation, in Rust. [`Timer`](crate::Timer) lives at the crate root, beside
//! [`StopEvent`](crate::StopEvent) and the threads.
//!
//! | Python `threading` | Rust |
//! |---|---|
//! | `Lock()`, `with lock:` | [`std::sync::Mutex<T>`](std::sync::Mutex): the data lives inside the lock; the guard's scope is the `with` block |
//! | `Condition()`, `wait_for(pred, timeout)` | [`std::sync::Condvar`]: [`wait_while`](std::sync::Condvar::wait_while), [`wait_timeout_while`](std::sync::Condvar::wait_timeout_while) |
//! | `local()` | [`thread_local!`] |
//! | `current_thread().name` | [`std::thread::current().name()`](std::thread::Thread::name) |
//! | `thread.is_alive()` | `!handle.`[`is_finished()`](std::thread::JoinHandle::is_finished) |
//! | `RLock()` | [`RLock<T>`](RLock) |
//! | `Semaphore(n)` / `BoundedSemaphore(n)` | [`Semaphore::new(n)`](Semaphore::new) / [`Semaphore::bounded(n)`](Semaphore::bounded) |
//! | `Barrier(parties, action, timeout)` | [`Barrier`] |
//! | `Timer(interval, f)` | [`Timer`](crate::Timer) |
//! | `Event()` | [`StopEvent`](crate::StopEvent) |
//!
//! # `Lock` is `Mutex<T>`
//!
//! In Python the lock and the data it protects are two objects, and nothing stops a thread
//! from touching the data without the lock. A [`Mutex`](std::sync::Mutex) *contains* the
//! data: the only way to reach it is through the guard that `lock()` returns, and the lock is
//! released when the guard goes out of scope — the end of Python's `with lock:` block.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use std::thread;
//!
//! let counter = Arc::new(Mutex::new(0)); // Python: lock = Lock(); counter = 0
//! let threads: Vec<_> = (0..20)
//!     .map(|_| {
//!         let counter = Arc::clone(&counter);
//!         thread::spawn(move || {
//!             let mut value = counter.lock().unwrap(); // with lock:
//!             *value += 1; //                                counter += 1
//!         }) // released here
//!     })
//!     .collect();
//! for t in threads {
//!     t.join().unwrap();
//! }
//! assert_eq!(*counter.lock().unwrap(), 20);
//! ```
//!
//! `lock.acquire(blocking=False)` is [`try_lock`](std::sync::Mutex::try_lock). A `Mutex` is
//! not re-entrant: a thread that locks it twice deadlocks (or panics), as with Python's
//! `Lock`; that is what [`RLock`] is for.
//!
//! # `Condition` is `Condvar`
//!
//! A [`Condvar`](std::sync::Condvar) is used with the `Mutex` that guards the condition.
//! Python's `cond.wait_for(predicate, timeout)` is
//! [`wait_timeout_while`](std::sync::Condvar::wait_timeout_while), with the predicate
//! inverted (it says what to wait *while*); `notify()` / `notify_all()` are
//! [`notify_one`](std::sync::Condvar::notify_one) / [`notify_all`](std::sync::Condvar::notify_all).
//! Both `while` forms loop over spurious wake-ups for you.
//!
//! ```
//! use std::sync::{Arc, Condvar, Mutex};
//! use std::thread;
//! use std::time::Duration;
//!
//! let pair = Arc::new((Mutex::new(Vec::<u32>::new()), Condvar::new()));
//! let producer = {
//!     let pair = Arc::clone(&pair);
//!     thread::spawn(move || {
//!         let (items, cond) = &*pair;
//!         items.lock().unwrap().push(42); // with cond: items.append(42)
//!         cond.notify_one(); //                          cond.notify()
//!     })
//! };
//!
//! let (items, cond) = &*pair;
//! // with cond: cond.wait_for(lambda: items, timeout=60)
//! let (items, timeout) = cond
//!     .wait_timeout_while(items.lock().unwrap(), Duration::from_secs(60), |items| {
//!         items.is_empty()
//!     })
//!     .unwrap();
//! assert!(!timeout.timed_out());
//! assert_eq!(*items, [42]);
//! producer.join().unwrap();
//! ```
//!
//! # `local()` is `thread_local!`
//!
//! Each thread sees its own value, created on its first use:
//!
//! ```
//! use std::cell::Cell;
//! use std::thread;
//!
//! thread_local! {
//!     static REQUESTS: Cell<u32> = const { Cell::new(0) }; // mydata = threading.local()
//! }
//!
//! REQUESTS.with(|n| n.set(n.get() + 1));
//! thread::spawn(|| {
//!     assert_eq!(REQUESTS.with(Cell::get), 0); // another thread: its own value
//! })
//! .join()
//! .unwrap();
//! assert_eq!(REQUESTS.with(Cell::get), 1);
//! ```
//!
//! # `current_thread().name` and `is_alive()`
//!
//! ```
//! use std::thread;
//! use threaded::StopEvent;
//!
//! let stop = StopEvent::new();
//! let worker = {
//!     let stop = stop.clone();
//!     thread::Builder::new()
//!         .name("trabalhador".to_owned())
//!         .spawn(move || {
//!             stop.wait();
//!             // threading.current_thread().name
//!             thread::current().name().map(str::to_owned)
//!         })
//!         .unwrap()
//! };
//! assert!(!worker.is_finished()); // worker.is_alive()
//! stop.set();
//! assert_eq!(worker.join().unwrap().as_deref(), Some("trabalhador"));
//! ```
//!
//! [`StoppableThread::is_finished`](crate::StoppableThread::is_finished) and
//! [`Timer::is_finished`](crate::Timer::is_finished) are the same question.

mod barrier;
mod error;
mod rlock;
mod semaphore;

pub use barrier::Barrier;
pub use error::{BrokenBarrierError, ReleaseError};
pub use rlock::{RLock, RLockGuard};
pub use semaphore::{Permit, Semaphore};
