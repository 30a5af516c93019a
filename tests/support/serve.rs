//! Timing a blocking `serve(&stop)` call from the moment its stop event is set.

use std::io;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use threaded::StopEvent;

use super::GUARD;

/// How long `serve` takes to return once its stop event is set: one round of the TCP and
/// UDP servers' "`serve` returns once its stop event is set" tests.
///
/// Runs `serve` on its own thread with a fresh [`StopEvent`], calls `while_serving` on this
/// one (a request that gets its answer, so the server is up and its loop is blocked), then
/// sets the event and measures until `serve` returns.
///
/// # Panics
///
/// If `serve` does not return within [`GUARD`] of the stop, or returns an error.
#[track_caller]
pub(crate) fn time_to_stop(
    serve: impl FnOnce(&StopEvent) -> io::Result<()> + Send + 'static,
    while_serving: impl FnOnce(),
) -> Duration {
    let stop = StopEvent::new();
    let (done_tx, done_rx) = mpsc::channel();
    let serving = {
        let stop = stop.clone();
        thread::spawn(move || {
            let result = serve(&stop);
            let _ = done_tx.send(Instant::now());
            result
        })
    };
    while_serving();
    let set_at = Instant::now();
    stop.set();
    let done_at = done_rx.recv_timeout(GUARD).expect("serve did not return");
    serving
        .join()
        .expect("serve panicked")
        .expect("serve failed");
    done_at - set_at
}
