//! What both servers are made of, written once: a thread to run on, receive
//! loops (TCP's accept loop, UDP's workers) that a stop wakes instead of a
//! poll, and the pause after an error the loop cannot fix.
//!
//! A server's own thread (or the caller of `serve`) starts the loops, waits
//! for its stop event, runs the server's wake-up — which makes every blocked
//! `accept` / `recv_from` return — and waits for the loops to end.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use super::handle::{Counters, ServerHandle};
use crate::StopEvent;

/// The pause after a receive error such as running out of file descriptors,
/// so a loop does not spin while none can be had; a stop still ends it at
/// once.
const ERROR_BACKOFF: Duration = Duration::from_millis(50);

/// Runs `run` on a new thread named `name` and returns the handle that stops
/// it; the handle's `wait` returns once `run` has.
pub(crate) fn spawn(
    name: String,
    local_addr: SocketAddr,
    counters: Arc<Counters>,
    run: impl FnOnce(&StopEvent) -> io::Result<()> + Send + 'static,
) -> io::Result<ServerHandle> {
    let stop = StopEvent::new();
    let finished = StopEvent::new();
    let thread = {
        let (stop, finished) = (stop.clone(), finished.clone());
        thread::Builder::new().name(name).spawn(move || {
            // Set however `run` ends, a panic included, so `wait` returns.
            let _finished = SetOnDrop(finished);
            run(&stop)
        })?
    };
    Ok(ServerHandle::new(
        local_addr, stop, finished, counters, thread,
    ))
}

struct SetOnDrop(StopEvent);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.set();
    }
}

/// Runs `count` receive loops, each `body(i)` on a thread named `name(i)`,
/// until `stop` is set; then calls `wake` and waits up to `grace` for the
/// loops to end. Returns how many were still running after it: they are
/// left to finish on their own (no thread can be killed safely).
///
/// # Errors
///
/// An error spawning a thread; the loops already started are stopped first.
///
/// # Panics
///
/// With the panic of a loop that ended in one (a bug in this crate: the
/// handlers' panics are caught in the loops), so `shutdown` reports it.
pub(crate) fn run_loops(
    count: usize,
    name: impl Fn(usize) -> String,
    body: impl Fn(usize) + Send + Sync + 'static,
    stop: &StopEvent,
    wake: impl FnOnce(),
    grace: Duration,
) -> io::Result<usize> {
    let body = Arc::new(body);
    // Each loop holds a sender: the channel disconnects when the last ends,
    // which gives a wait with a timeout that JoinHandle lacks.
    let (alive, ended) = mpsc::channel::<()>();
    let mut spawn_error = None;
    let mut loops = Vec::with_capacity(count);
    for i in 0..count {
        let (body, alive) = (Arc::clone(&body), alive.clone());
        let spawned = thread::Builder::new().name(name(i)).spawn(move || {
            let _alive = alive;
            body(i);
        });
        match spawned {
            Ok(handle) => loops.push(handle),
            Err(e) => {
                spawn_error = Some(e);
                stop.set();
                break;
            }
        }
    }
    drop(alive);
    stop.wait();
    wake();
    let deadline = Instant::now().checked_add(grace);
    let all_ended = loop {
        let wait = deadline.map_or(Duration::MAX, |d| {
            d.saturating_duration_since(Instant::now())
        });
        match ended.recv_timeout(wait) {
            Ok(()) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break true,
            Err(mpsc::RecvTimeoutError::Timeout) => break false,
        }
    };
    let mut left = 0;
    for handle in loops {
        // A loop past its last line is joined at once; one still busy after
        // the grace is left detached, to finish on its own.
        if !all_ended && !handle.is_finished() {
            left += 1;
        } else if let Err(panic) = handle.join() {
            std::panic::resume_unwind(panic);
        }
    }
    match spawn_error {
        Some(e) => Err(e),
        None => Ok(left),
    }
}

/// The loop of one receiving thread: `next` blocks for the next connection
/// or datagram, `handle` deals with it. Ends once `stop` is set, at the
/// first wake-up after it; an item that arrives with the stop (the wake-up
/// itself, on systems that need one) is dropped. Errors that concern one
/// client are skipped; others are logged, then the loop pauses a moment.
pub(crate) fn receive_loop<S, T>(
    what: &str,
    stop: &StopEvent,
    state: &mut S,
    mut next: impl FnMut(&mut S) -> io::Result<T>,
    mut handle: impl FnMut(&mut S, T),
) {
    loop {
        match next(state) {
            Ok(_) if stop.is_set() => break,
            Ok(item) => handle(state, item),
            Err(_) if stop.is_set() => break,
            Err(e) => match e.kind() {
                // A client that gave up while queued (TCP), or an ICMP "port
                // unreachable" for an earlier reply (UDP on Windows).
                io::ErrorKind::Interrupted
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::ConnectionReset => {}
                _ => {
                    log::error!("{what} failed: {e}");
                    if stop.wait_timeout(ERROR_BACKOFF) {
                        break;
                    }
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn run_loops_wakes_every_loop_and_counts_the_ones_left_behind() {
        let stop = StopEvent::new();
        let release = StopEvent::new();
        let woken = Arc::new(AtomicUsize::new(0));
        let loops = {
            let (stop, release, woken) = (stop.clone(), release.clone(), Arc::clone(&woken));
            move |i: usize| {
                stop.wait();
                woken.fetch_add(1, Ordering::SeqCst);
                if i == 0 {
                    // One loop stuck past the grace, bounded for the test.
                    let _ = release.wait_timeout(Duration::from_secs(20));
                }
            }
        };
        stop.set();
        let left = run_loops(
            3,
            |i| format!("loop {i}"),
            loops,
            &stop,
            || {},
            Duration::from_millis(50),
        )
        .unwrap();
        release.set();
        assert_eq!(left, 1);
        assert_eq!(woken.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn a_loop_that_panicked_is_reported_by_run_loops() {
        let stop = StopEvent::new();
        stop.set(); // at once: run_loops only waits for the loops to end
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_loops(
                2,
                |i| format!("loop {i}"),
                |i| assert!(i != 1, "a bug in loop 1"),
                &stop,
                || {},
                Duration::from_secs(20),
            )
        }));
        let panic = outcome.expect_err("the loop's panic was swallowed");
        assert_eq!(crate::panics::message(&*panic), "a bug in loop 1");
    }

    #[test]
    fn receive_loop_backs_off_after_errors_and_ends_on_stop() {
        let stop = StopEvent::new();
        let mut calls = 0;
        let mut handled = Vec::new();
        receive_loop(
            "test",
            &stop,
            &mut calls,
            |calls| {
                *calls += 1;
                match *calls {
                    1 => Ok(1),
                    2 => Err(io::ErrorKind::ConnectionReset.into()),
                    3 => Err(io::Error::other("out of descriptors")),
                    4 => Ok(4),
                    _ => {
                        stop.set();
                        Ok(5) // arrives with the stop: dropped
                    }
                }
            },
            |_, item| handled.push(item),
        );
        assert_eq!(handled, [1, 4]);
        assert_eq!(calls, 5);
    }
}
