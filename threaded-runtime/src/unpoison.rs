//! The one way this crate takes a lock: ignoring poison.
//!
//! std marks a mutex poisoned when a thread panicked while holding it, so
//! that the next thread can refuse state a panic left half-updated. The
//! state behind our locks is counters, flags and queues that each critical
//! section leaves consistent at every point where it could panic, and no
//! user code (a job, a handler, an item's `Drop`) runs while one is held —
//! except a `Barrier`'s action, whose lock guards nothing but the action. A
//! panic elsewhere is then no reason to fail every other thread, as
//! `lock().unwrap()` would.

use std::sync::{LockResult, PoisonError};

/// [`unpoisoned`](Self::unpoisoned) on what `lock`, `read`, `write` and a
/// `Condvar`'s waits return (std's, and loom's under `--cfg loom`).
pub(crate) trait Unpoison<T> {
    /// The guard, poisoned or not.
    fn unpoisoned(self) -> T;
}

impl<T> Unpoison<T> for LockResult<T> {
    fn unpoisoned(self) -> T {
        self.unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::Unpoison;
    use std::sync::Mutex;

    #[test]
    fn a_poisoned_lock_is_still_taken() {
        let m = Mutex::new(1);
        let _ = std::panic::catch_unwind(|| {
            let _guard = m.lock().unwrap();
            panic!("poisons the lock");
        });
        assert!(m.is_poisoned());
        *m.lock().unpoisoned() += 1;
        assert_eq!(*m.lock().unpoisoned(), 2);
    }
}
