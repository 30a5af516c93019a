//! A running TCP server: the accept loop, one thread per connection, and
//! the shutdown that waits for them.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread;
use std::time::Duration;

use super::connection::{Limits, TcpConnection};
use super::registry::{Registry, Slot};
use crate::StopEvent;
use crate::net::handle::Counters;
use crate::net::{skeleton, socket};
use crate::panics::message as panic_message;

/// How long handlers get to return once their sockets were shut down after
/// the grace period; a handler blocked on something else than its socket is
/// left running (detached) after that, so `shutdown` always returns.
const AFTER_GRACE: Duration = Duration::from_secs(1);

pub(super) type Handler = dyn Fn(TcpConnection) -> io::Result<()> + Send + Sync;

/// What the server sets on each connection it accepts.
#[derive(Clone, Copy)]
pub(super) struct Options {
    pub(super) read_timeout: Option<Duration>,
    pub(super) write_timeout: Option<Duration>,
    pub(super) nodelay: bool,
    pub(super) limits: Limits,
}

impl Options {
    fn apply(self, stream: &TcpStream) -> io::Result<()> {
        stream.set_read_timeout(self.read_timeout)?;
        stream.set_write_timeout(self.write_timeout)?;
        stream.set_nodelay(self.nodelay)
    }
}

/// A server between `spawn`/`serve` and the end of its accept loop.
pub(super) struct Running {
    pub(super) listener: TcpListener,
    pub(super) local_addr: SocketAddr,
    pub(super) options: Options,
    pub(super) shutdown_grace: Duration,
    pub(super) registry: Arc<Registry>,
    pub(super) counters: Arc<Counters>,
    pub(super) handler: Arc<Handler>,
}

impl Running {
    pub(super) fn run(self, stop: &StopEvent) -> io::Result<()> {
        let addr = self.local_addr;
        log::info!("tcp server listening on {addr}");
        let (registry, grace) = (Arc::clone(&self.registry), self.shutdown_grace);
        let listener = self.listener.try_clone()?;
        let running = Arc::new(self);
        let accepting = {
            let (running, stop) = (Arc::clone(&running), stop.clone());
            move |_| running.accept_loop(&stop)
        };
        // The accept loop blocks in accept() or waits for a free slot: the
        // wake-up ends both, so stopping an idle server takes no polling.
        let wake = || {
            registry.close();
            socket::wake_accept(&listener, addr);
        };
        let left = skeleton::run_loops(
            1,
            |_| format!("tcp-accept {addr}"),
            accepting,
            stop,
            wake,
            AFTER_GRACE,
        )?;
        if left > 0 {
            log::warn!("tcp server on {addr}: the accept loop did not end when woken");
        }
        // The last listener: closing it refuses the clients still in the
        // backlog at once instead of leaving them to time out.
        drop(listener);
        drop(running);

        let live = registry.live();
        log::info!("tcp server on {addr} stopping, {live} connection(s) in flight");
        if !registry.wait_empty(grace) {
            registry.shutdown_all();
            if !registry.wait_empty(AFTER_GRACE) {
                log::warn!(
                    "tcp server on {addr}: {} handler(s) still running after their sockets \
                     were shut down; leaving them behind",
                    registry.live()
                );
            }
        }
        log::info!("tcp server on {addr} stopped");
        Ok(())
    }

    fn accept_loop(&self, stop: &StopEvent) {
        let what = format!("tcp server on {}: accept", self.local_addr);
        skeleton::receive_loop(
            &what,
            stop,
            &mut (),
            |()| {
                if !self.registry.wait_for_slot() {
                    // Closed: only the wake-up does that, after the stop.
                    return Err(io::ErrorKind::NotConnected.into());
                }
                self.listener.accept()
            },
            |(), (stream, peer)| self.start(stream, peer),
        );
    }

    fn start(&self, stream: TcpStream, peer: SocketAddr) {
        self.counters.accepted.fetch_add(1, Ordering::Relaxed);
        let clone = match self
            .options
            .apply(&stream)
            .and_then(|()| stream.try_clone())
        {
            Ok(clone) => clone,
            Err(e) => {
                log::error!("connection from {peer} dropped: cannot set it up: {e}");
                self.counters.count_error();
                return;
            }
        };
        let slot = Slot {
            registry: Arc::clone(&self.registry),
            id: self.registry.insert(clone, peer),
        };
        let handler = Arc::clone(&self.handler);
        let counters = Arc::clone(&self.counters);
        let options = self.options;
        // The JoinHandle is dropped: the thread is detached and the OS
        // reclaims it when it ends; the slot tells shutdown when that is.
        let spawned = thread::Builder::new()
            .name(format!("tcp {peer}"))
            .spawn(move || {
                let _slot = slot;
                handle(
                    &*handler,
                    TcpConnection::from_stream(stream, peer, options.limits),
                    &counters,
                );
            });
        if let Err(e) = spawned {
            // The closure, and with it the slot and the stream, was dropped.
            log::error!("connection from {peer} dropped: cannot spawn its thread: {e}");
            self.counters.count_error();
        }
    }
}

fn handle(handler: &Handler, conn: TcpConnection, counters: &Counters) {
    let peer = conn.peer();
    log::debug!("connection from {peer}");
    match panic::catch_unwind(AssertUnwindSafe(|| handler(conn))) {
        Ok(Ok(())) => log::debug!("connection from {peer} closed"),
        Ok(Err(e)) => {
            counters.count_error();
            log::warn!("handler for {peer} failed: {e}");
        }
        Err(payload) => {
            counters.count_error();
            log::error!("handler for {peer} panicked: {}", panic_message(&*payload));
        }
    }
}
