use std::any::Any;
use std::fmt;
use std::thread::{self, Builder, JoinHandle, Thread};

use crate::StopEvent;

/// An owned thread that can be asked to stop: a Python `Thread` with a
/// `stop()` method.
///
/// The thread receives a [`StopEvent`] when it starts and is expected to
/// check it (with [`StopEvent::is_set`] or [`StopEvent::wait_timeout`]) and
/// return once it is set. [`stop`] sets that event; [`join`] waits for the
/// thread and hands back its result.
///
/// Created by [`spawn_stoppable`] and by functions marked
/// `#[threaded(stoppable)]`.
///
/// # Dropping
///
/// Dropping a `StoppableThread` stops the thread and waits for it to finish,
/// so no thread outlives its handle. Because stopping is cooperative, the
/// drop blocks until the thread notices its [`StopEvent`]. A panic of the
/// thread is not propagated by the drop: it is logged with [`log::error!`]
/// (unless the dropping thread is itself panicking). Call [`detach`] to let
/// the thread run on without a handle, as dropping a [`JoinHandle`] does.
///
/// A handle dropped on the very thread it refers to stops that thread but
/// cannot wait for it, since a thread cannot join itself.
///
/// [`stop`]: StoppableThread::stop
/// [`join`]: StoppableThread::join
/// [`detach`]: StoppableThread::detach
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use threaded::spawn_stoppable;
///
/// let counter = spawn_stoppable("counter", |stop| {
///     let mut n = 0u64;
///     while !stop.wait_timeout(Duration::from_millis(1)) {
///         n += 1;
///     }
///     n
/// });
///
/// counter.stop();
/// let _n: u64 = counter.join().unwrap();
/// ```
#[must_use = "dropping a StoppableThread stops it and waits for it; call `detach` to let it run on"]
pub struct StoppableThread<R> {
    /// `None` only once a method taking `self` has consumed it, so `Drop`
    /// knows there is nothing left to join.
    handle: Option<JoinHandle<R>>,
    stop: StopEvent,
}

/// Spawns a new named thread running `f`, and returns a handle that can stop it.
///
/// `f` receives the thread's [`StopEvent`]; it should return soon after the
/// event is set. This is the function form of `#[threaded(stoppable)]`.
///
/// # Panics
///
/// Panics if the operating system fails to create the thread, as
/// [`std::thread::spawn`] does; also panics if `name` contains a nul byte.
///
/// # Examples
///
/// ```
/// use threaded::spawn_stoppable;
///
/// let worker = spawn_stoppable("worker", |stop| {
///     stop.wait();
///     "stopped"
/// });
///
/// assert_eq!(worker.thread().name(), Some("worker"));
/// assert_eq!(worker.stop_and_join().unwrap(), "stopped");
/// ```
#[track_caller]
pub fn spawn_stoppable<R, F>(name: &str, f: F) -> StoppableThread<R>
where
    F: FnOnce(StopEvent) -> R + Send + 'static,
    R: Send + 'static,
{
    spawn_stoppable_with(Builder::new().name(thread_name(name)), f)
}

/// `name` as a thread name, checked here so that a nul byte's panic points at
/// the caller's line rather than into std's `spawn`.
#[track_caller]
pub(crate) fn thread_name(name: &str) -> String {
    assert!(
        !name.contains('\0'),
        "a thread name cannot contain a nul byte (`\\0`): {name:?}"
    );
    name.to_owned()
}

/// Spawns `f` on a thread built by `builder` (name and stack size already set),
/// passing it a fresh [`StopEvent`]: what `#[threaded(stoppable)]` expands to, through
/// `threaded::__private`. Not part of the public API.
///
/// # Panics
///
/// Panics if the thread cannot be spawned, as [`std::thread::spawn`] does.
///
/// # Examples
///
/// ```
/// use threaded::__private::spawn_stoppable_with;
///
/// let builder = std::thread::Builder::new().name("worker".to_owned());
/// let worker = spawn_stoppable_with(builder, |stop| stop.wait());
/// assert_eq!(worker.thread().name(), Some("worker"));
/// worker.stop_and_join().unwrap();
/// ```
#[track_caller]
pub fn spawn_stoppable_with<R, F>(builder: Builder, f: F) -> StoppableThread<R>
where
    F: FnOnce(StopEvent) -> R + Send + 'static,
    R: Send + 'static,
{
    let stop = StopEvent::new();
    let event = stop.clone();
    let handle = builder
        .spawn(move || f(event))
        .expect("failed to spawn thread");
    StoppableThread {
        handle: Some(handle),
        stop,
    }
}

impl<R> StoppableThread<R> {
    /// Asks the thread to stop by setting its [`StopEvent`], without waiting
    /// for it.
    ///
    /// Stopping is cooperative: the thread ends when its code notices the
    /// event. Calling `stop` more than once, or after the thread has finished,
    /// does nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::spawn_stoppable;
    ///
    /// let worker = spawn_stoppable("worker", |stop| stop.wait());
    /// worker.stop();
    /// assert!(worker.stop_event().is_set());
    /// worker.join().unwrap();
    /// ```
    pub fn stop(&self) {
        self.stop.set();
    }

    /// Returns a clone of the thread's [`StopEvent`].
    ///
    /// The clone shares the flag with the thread: setting it stops the thread
    /// as [`stop`](StoppableThread::stop) does, and it remains usable after
    /// the handle is gone, for instance after [`detach`](StoppableThread::detach).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::spawn_stoppable;
    ///
    /// let worker = spawn_stoppable("worker", |stop| stop.wait());
    /// let stop = worker.stop_event();
    /// assert!(!stop.is_set());
    ///
    /// stop.set();
    /// worker.join().unwrap();
    /// ```
    #[must_use]
    pub fn stop_event(&self) -> StopEvent {
        self.stop.clone()
    }

    /// Returns `true` once the thread's function has returned or panicked:
    /// Python's `not thread.is_alive()`.
    ///
    /// This does not block. See [`JoinHandle::is_finished`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::spawn_stoppable;
    ///
    /// let worker = spawn_stoppable("worker", |stop| stop.wait());
    /// assert!(!worker.is_finished());
    ///
    /// worker.stop();
    /// while !worker.is_finished() {
    ///     std::thread::sleep(Duration::from_millis(1));
    /// }
    /// worker.join().unwrap();
    /// ```
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.handle().is_finished()
    }

    /// Returns the [`Thread`] this handle refers to, with its name and id.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::spawn_stoppable;
    ///
    /// let worker = spawn_stoppable("reader", |stop| stop.wait());
    /// assert_eq!(worker.thread().name(), Some("reader"));
    /// ```
    #[must_use]
    pub fn thread(&self) -> &Thread {
        self.handle().thread()
    }

    /// Waits for the thread to finish, without stopping it: Python's
    /// `Thread.join()`.
    ///
    /// Returns what the thread's function returned. If the thread does not
    /// stop by itself, this blocks for ever; use
    /// [`stop_and_join`](StoppableThread::stop_and_join) to ask it first.
    ///
    /// # Errors
    ///
    /// If the thread panicked, returns `Err` with the panic payload, as
    /// [`JoinHandle::join`] does.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::spawn_stoppable;
    ///
    /// let worker = spawn_stoppable("adder", |_stop| 2 + 2);
    /// assert_eq!(worker.join().unwrap(), 4);
    /// ```
    pub fn join(mut self) -> thread::Result<R> {
        self.take_handle().join()
    }

    /// Stops the thread and waits for it to finish: `stop()` then `join()`.
    ///
    /// # Errors
    ///
    /// If the thread panicked, returns `Err` with the panic payload, as
    /// [`JoinHandle::join`] does.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threaded::spawn_stoppable;
    ///
    /// let ticker = spawn_stoppable("ticker", |stop| {
    ///     let mut ticks = 0;
    ///     while !stop.wait_timeout(Duration::from_millis(5)) {
    ///         ticks += 1;
    ///     }
    ///     ticks
    /// });
    ///
    /// let _ticks = ticker.stop_and_join().unwrap();
    /// ```
    pub fn stop_and_join(self) -> thread::Result<R> {
        self.stop();
        self.join()
    }

    /// Lets the thread run on without a handle, and without stopping it.
    ///
    /// The thread can still be stopped through a [`StopEvent`] obtained from
    /// [`stop_event`](StoppableThread::stop_event) before detaching, but can no
    /// longer be joined. Its result is dropped when it finishes.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threaded::spawn_stoppable;
    ///
    /// let (done_tx, done_rx) = mpsc::channel();
    /// let worker = spawn_stoppable("background", move |stop| {
    ///     stop.wait();
    ///     done_tx.send(()).unwrap();
    /// });
    ///
    /// let stop = worker.stop_event();
    /// worker.detach();
    /// assert!(!stop.is_set());
    ///
    /// stop.set();
    /// done_rx.recv().unwrap();
    /// ```
    pub fn detach(mut self) {
        drop(self.take_handle());
    }

    fn handle(&self) -> &JoinHandle<R> {
        self.handle
            .as_ref()
            .expect("a StoppableThread keeps its handle until consumed")
    }

    fn take_handle(&mut self) -> JoinHandle<R> {
        self.handle
            .take()
            .expect("a StoppableThread keeps its handle until consumed")
    }
}

impl<R> Drop for StoppableThread<R> {
    fn drop(&mut self) {
        let Some(handle) = self.handle.take() else {
            return;
        };
        self.stop.set();
        if handle.thread().id() == thread::current().id() {
            // The handle was moved into its own thread: joining would deadlock,
            // so the thread just runs on until it notices the stop request.
            return;
        }
        let thread = handle.thread().clone();
        if let Err(payload) = handle.join() {
            if !thread::panicking() {
                log::error!("{}", panic_report(&thread, &*payload));
            }
        }
    }
}

/// Describes the panic of `thread` as std's panic hook does.
pub(crate) fn panic_report(thread: &Thread, payload: &(dyn Any + Send)) -> String {
    format!(
        "thread '{}' panicked: {}",
        thread.name().unwrap_or("<unnamed>"),
        crate::panics::message(payload)
    )
}

impl<R> fmt::Debug for StoppableThread<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoppableThread")
            .field("name", &self.thread().name())
            .field("finished", &self.is_finished())
            .field("stop_requested", &self.stop.is_set())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic;
    use std::sync::mpsc;
    use std::time::Duration;

    const GUARD: Duration = Duration::from_secs(10);

    #[test]
    fn panic_report_names_the_thread() {
        let worker = spawn_stoppable("reporter", |stop| {
            assert!(stop.wait_timeout(GUARD));
        });
        let thread = worker.thread().clone();
        worker.stop_and_join().unwrap();

        let report = panic_report(&thread, &"boom");
        assert_eq!(report, "thread 'reporter' panicked: boom");
        let report = panic_report(&thread, &String::from("boom 42"));
        assert_eq!(report, "thread 'reporter' panicked: boom 42");
        let report = panic_report(&thread, &42);
        assert_eq!(report, "thread 'reporter' panicked: Box<dyn Any>");
    }

    /// Joining a panicked thread while already unwinding must neither abort
    /// nor replace the panic in flight.
    #[test]
    fn drop_while_unwinding_keeps_the_first_panic() {
        let result = panic::catch_unwind(|| {
            let _worker = spawn_stoppable("inner", |stop| {
                assert!(stop.wait_timeout(GUARD));
                panic!("inner");
            });
            panic!("outer");
        });
        let payload = result.unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"outer"));
    }

    /// A handle moved into its own thread cannot join it; dropping it there
    /// stops the thread instead of deadlocking.
    #[test]
    fn drop_on_its_own_thread_does_not_deadlock() {
        let (handle_tx, handle_rx) = mpsc::channel::<StoppableThread<()>>();
        let (done_tx, done_rx) = mpsc::channel();
        let worker = spawn_stoppable("owns-itself", move |stop| {
            let me = handle_rx.recv_timeout(GUARD).unwrap();
            drop(me);
            done_tx.send(stop.is_set()).unwrap();
        });
        handle_tx.send(worker).unwrap();
        assert_eq!(done_rx.recv_timeout(GUARD), Ok(true));
    }
}
