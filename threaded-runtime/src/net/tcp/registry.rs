//! The live connections of a TCP server: the `max_connections` semaphore and
//! the sockets to shut down when the grace period is over.

use std::collections::HashMap;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::net::handle::Counters;
use crate::unpoison::Unpoison;

pub(crate) struct Registry {
    state: Mutex<State>,
    /// Notified when a connection ends and when the registry closes.
    changed: Condvar,
    max: usize,
    counters: Arc<Counters>,
}

struct State {
    /// A clone of each live connection's socket, so shutdown can unblock a
    /// handler stuck in a read or a write.
    live: HashMap<u64, (TcpStream, SocketAddr)>,
    next_id: u64,
    closed: bool,
}

impl Registry {
    pub(crate) fn new(max: usize, counters: Arc<Counters>) -> Registry {
        Registry {
            state: Mutex::new(State {
                live: HashMap::new(),
                next_id: 0,
                closed: false,
            }),
            changed: Condvar::new(),
            max,
            counters,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unpoisoned()
    }

    /// Blocks until fewer than `max` connections are live; `false` once the
    /// registry is closed. Only the accept loop adds connections, so a slot
    /// seen free here is still free at `insert`.
    pub(crate) fn wait_for_slot(&self) -> bool {
        let mut state = self.lock();
        while !state.closed && state.live.len() >= self.max {
            state = self.changed.wait(state).unpoisoned();
        }
        !state.closed
    }

    pub(crate) fn insert(&self, stream: TcpStream, peer: SocketAddr) -> u64 {
        let mut state = self.lock();
        let id = state.next_id;
        state.next_id += 1;
        state.live.insert(id, (stream, peer));
        self.counters
            .active
            .store(state.live.len() as u64, Ordering::Relaxed);
        id
    }

    pub(crate) fn remove(&self, id: u64) {
        let mut state = self.lock();
        let removed = state.live.remove(&id);
        self.counters
            .active
            .store(state.live.len() as u64, Ordering::Relaxed);
        drop(state);
        // Closed outside the lock; it is our clone, the handler's is gone.
        drop(removed);
        self.changed.notify_all();
    }

    /// Wakes the accept loop if it waits for a slot; it will not take more.
    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// Waits until no connection is live or `timeout` passes; `true` if none
    /// is live.
    pub(crate) fn wait_empty(&self, timeout: Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut state = self.lock();
        while !state.live.is_empty() {
            let remaining = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::MAX,
            };
            if remaining.is_zero() {
                return false;
            }
            state = self.changed.wait_timeout(state, remaining).unpoisoned().0;
        }
        true
    }

    /// Shuts down the socket of every live connection, which makes their
    /// handlers' blocked reads return end of stream and their writes fail.
    pub(crate) fn shutdown_all(&self) -> usize {
        let state = self.lock();
        for (stream, peer) in state.live.values() {
            log::warn!("closing connection from {peer}: its handler outlived the shutdown grace");
            let _ = stream.shutdown(Shutdown::Both);
        }
        state.live.len()
    }

    pub(crate) fn live(&self) -> usize {
        self.lock().live.len()
    }
}

/// Removes a connection from the registry when its handler's thread ends,
/// however it ends.
pub(crate) struct Slot {
    pub(crate) registry: Arc<Registry>,
    pub(crate) id: u64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.registry.remove(self.id);
    }
}
