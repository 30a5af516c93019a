//! Stopping on Ctrl-C: the `KeyboardInterrupt` a Python server catches to
//! shut down, as a [`StopEvent`] that is set when the user presses Ctrl-C.

use std::io;

use crate::StopEvent;

/// Sets `stop` when the process gets Ctrl-C (`SIGINT`) or `SIGTERM`, instead
/// of the process dying on the spot: a server blocked in
/// [`TcpServer::serve`](crate::net::TcpServer::serve) or a loop waiting with
/// [`StopEvent::wait_timeout`] then ends the way it would on any stop, closing
/// its sockets and joining its threads.
///
/// Python's counterpart is `try: server.serve_forever() except
/// KeyboardInterrupt: server.shutdown()`.
///
/// A process has one such handler, built on the [`ctrlc`] crate; the handler
/// runs on a thread of its own, never inside the signal.
///
/// # Errors
///
/// Fails if a Ctrl-C handler is already installed in this process (by an
/// earlier call or another crate), or if the system refuses the handler.
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
/// use threaded::StopEvent;
/// use threaded::signal::stop_on_ctrl_c;
///
/// let stop = StopEvent::new();
/// stop_on_ctrl_c(&stop)?;
/// while !stop.wait_timeout(Duration::from_secs(1)) {
///     println!("working; press Ctrl-C to stop");
/// }
/// println!("stopped cleanly");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn stop_on_ctrl_c(stop: &StopEvent) -> io::Result<()> {
    let stop = stop.clone();
    ctrlc::set_handler(move || stop.set()).map_err(|err| match err {
        ctrlc::Error::System(err) => err,
        other => io::Error::other(format!("cannot stop on Ctrl-C: {other}")),
    })
}
