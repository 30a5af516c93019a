//! A counting gate, to hold handlers or jobs where the test wants them.

use std::sync::{Condvar, Mutex, PoisonError};

use super::GUARD;

/// A counting gate: handlers [`pass`](Self::pass) it one permit at a time, the test
/// [`open`](Self::open)s it by permits.
#[derive(Default)]
pub(crate) struct Gate {
    permits: Mutex<usize>,
    changed: Condvar,
}

impl Gate {
    /// Lets `n` more callers of [`pass`](Self::pass) through.
    pub(crate) fn open(&self, n: usize) {
        *self.permits.lock().unwrap_or_else(PoisonError::into_inner) += n;
        self.changed.notify_all();
    }

    /// Takes a permit; `false` if none came within [`GUARD`].
    pub(crate) fn pass(&self) -> bool {
        let guard = self.permits.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut permits, timeout) = self
            .changed
            .wait_timeout_while(guard, GUARD, |p| *p == 0)
            .unwrap_or_else(PoisonError::into_inner);
        if timeout.timed_out() {
            return false;
        }
        *permits -= 1;
        true
    }
}
