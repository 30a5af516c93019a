//! The primitives the queue synchronises with: std's, or loom's under `--cfg loom`, so that
//! the counting protocol and the wait lists can be model-checked as they are
//! (`threaded-runtime/tests/loom_queue.rs`).

#[cfg(loom)]
pub(super) use loom::sync::atomic::{AtomicBool, AtomicU64};
#[cfg(loom)]
pub(super) use loom::sync::{Condvar, Mutex, MutexGuard};
#[cfg(loom)]
pub(super) use loom::thread::{self, Thread};
#[cfg(not(loom))]
pub(super) use std::sync::atomic::{AtomicBool, AtomicU64};
#[cfg(not(loom))]
pub(super) use std::sync::{Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(super) use std::thread::{self, Thread};

/// The channel the items travel through: flume's, or under loom a locked `VecDeque` that
/// loom can see (flume's own lock is invisible to it). The queue holds the only sender and
/// receiver, so it never disconnects, and it only ever uses the non-blocking calls.
#[cfg(not(loom))]
pub(super) struct Chan<T> {
    tx: flume::Sender<T>,
    rx: flume::Receiver<T>,
}

#[cfg(not(loom))]
impl<T> Chan<T> {
    pub(super) fn new(capacity: Option<usize>) -> Self {
        let (tx, rx) = match capacity {
            Some(cap) => flume::bounded(cap),
            None => flume::unbounded(),
        };
        Chan { tx, rx }
    }

    /// `Err(item)` when full.
    pub(super) fn try_send(&self, item: T) -> Result<(), T> {
        self.tx.try_send(item).map_err(|e| e.into_inner())
    }

    pub(super) fn try_recv(&self) -> Option<T> {
        self.rx.try_recv().ok()
    }

    pub(super) fn len(&self) -> usize {
        self.rx.len()
    }
}

#[cfg(loom)]
pub(super) struct Chan<T> {
    items: Mutex<std::collections::VecDeque<T>>,
    capacity: Option<usize>,
}

#[cfg(loom)]
impl<T> Chan<T> {
    pub(super) fn new(capacity: Option<usize>) -> Self {
        Chan {
            items: Mutex::new(std::collections::VecDeque::new()),
            capacity,
        }
    }

    pub(super) fn try_send(&self, item: T) -> Result<(), T> {
        let mut items = self.items.lock().unwrap();
        if self.capacity.is_some_and(|cap| items.len() >= cap) {
            return Err(item);
        }
        items.push_back(item);
        Ok(())
    }

    pub(super) fn try_recv(&self) -> Option<T> {
        self.items.lock().unwrap().pop_front()
    }

    pub(super) fn len(&self) -> usize {
        self.items.lock().unwrap().len()
    }
}

/// Spins once between two attempts; under loom a spin is a yield, or the model never ends.
pub(super) fn spin_loop() {
    #[cfg(loom)]
    thread::yield_now();
    #[cfg(not(loom))]
    std::hint::spin_loop();
}
