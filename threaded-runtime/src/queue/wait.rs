//! Wait lists for blocked getters and putters, shared by the blocking and the async API.
//!
//! flume blocks inside `send`/`recv` and can only be woken by a message or by disconnection,
//! and a queue that is shut down must wake its waiters while it still holds both channel ends
//! (getters go on draining). So the queue only ever calls flume's non-blocking `try_send` and
//! `try_recv`, and blocked callers wait here. A flag bit in the queue's state word tells the
//! other side whether anyone waits at all, so the common path never touches these locks.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;
use std::task::{Wake, Waker};
use std::time::Instant;

use super::sync::{AtomicBool, AtomicU64, Mutex, MutexGuard, Thread, thread};
use crate::unpoison::Unpoison;

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unpoisoned()
}

pub(super) struct WaitList {
    /// The bit of the queue's state word that is set while `waiters` is non-empty.
    flag: u64,
    waiters: Mutex<Waiters>,
}

#[derive(Default)]
struct Waiters {
    next_id: u64,
    list: VecDeque<(u64, Waker)>,
}

impl WaitList {
    pub(super) fn new(flag: u64) -> Self {
        WaitList {
            flag,
            waiters: Mutex::new(Waiters::default()),
        }
    }

    /// Number of callers waiting now.
    pub(super) fn len(&self) -> usize {
        lock(&self.waiters).list.len()
    }

    fn register(&self, state: &AtomicU64, waker: &Waker) -> u64 {
        let mut w = lock(&self.waiters);
        let id = w.next_id;
        w.next_id += 1;
        if w.list.is_empty() {
            state.fetch_or(self.flag, SeqCst);
        }
        w.list.push_back((id, waker.clone()));
        id
    }

    /// `true` if `id` still waits (was not notified); its waker is replaced by `waker`.
    fn refresh(&self, id: u64, waker: &Waker) -> bool {
        let mut w = lock(&self.waiters);
        match w.list.iter_mut().find(|(i, _)| *i == id) {
            Some((_, old)) => {
                if !old.will_wake(waker) {
                    old.clone_from(waker);
                }
                true
            }
            None => false,
        }
    }

    /// Removes `id`; `true` if it was no longer there, i.e. it had been notified.
    fn remove(&self, state: &AtomicU64, id: u64) -> bool {
        let mut w = lock(&self.waiters);
        match w.list.iter().position(|(i, _)| *i == id) {
            Some(pos) => {
                let removed = w.list.remove(pos);
                if w.list.is_empty() {
                    state.fetch_and(!self.flag, SeqCst);
                }
                drop(w);
                // A waker's drop is foreign code: run it outside the lock.
                drop(removed);
                false
            }
            None => true,
        }
    }

    pub(super) fn notify_one(&self, state: &AtomicU64) {
        let waker = {
            let mut w = lock(&self.waiters);
            let first = w.list.pop_front();
            if w.list.is_empty() {
                state.fetch_and(!self.flag, SeqCst);
            }
            first
        };
        if let Some((_, waker)) = waker {
            waker.wake();
        }
    }

    pub(super) fn notify_all(&self, state: &AtomicU64) {
        let all = {
            let mut w = lock(&self.waiters);
            state.fetch_and(!self.flag, SeqCst);
            std::mem::take(&mut w.list)
        };
        for (_, waker) in all {
            waker.wake();
        }
    }
}

/// One caller's place in a [`WaitList`]. Dropping it while notified but without having
/// used the notification (timeout, cancelled future, shutdown) passes the notification on,
/// so an item or a free slot is never left with every other waiter asleep.
pub(super) struct Registration<'a> {
    list: &'a WaitList,
    state: &'a AtomicU64,
    id: Option<u64>,
}

impl<'a> Registration<'a> {
    pub(super) fn new(list: &'a WaitList, state: &'a AtomicU64) -> Self {
        Registration {
            list,
            state,
            id: None,
        }
    }

    /// `true` if still registered and not yet notified; otherwise (re-)registers and
    /// returns `false`, so that the caller checks its condition again before sleeping.
    pub(super) fn wait_with(&mut self, waker: &Waker) -> bool {
        if let Some(id) = self.id {
            if self.list.refresh(id, waker) {
                return true;
            }
        }
        self.id = Some(self.list.register(self.state, waker));
        false
    }

    /// The caller got what it waited for: leave without passing anything on.
    pub(super) fn complete(&mut self) {
        if let Some(id) = self.id.take() {
            self.list.remove(self.state, id);
        }
    }
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            if self.list.remove(self.state, id) {
                self.list.notify_one(self.state);
            }
        }
    }
}

/// A waker that unparks a blocked thread; one per thread, reused across calls.
pub(super) struct ThreadWaker {
    thread: Thread,
    notified: AtomicBool,
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // A read-modify-write, like the parker's swap: the two then read each other's
        // writes in one order (loom also models a plain store as possibly ordered before
        // a swap that already ran, and found the wake-up lost).
        self.notified.swap(true, SeqCst);
        self.thread.unpark();
    }
}

#[cfg(not(loom))]
thread_local! {
    static PARKER: Arc<ThreadWaker> = Arc::new(ThreadWaker {
        thread: thread::current(),
        notified: AtomicBool::new(false),
    });
}

#[cfg(loom)]
loom::thread_local! {
    static PARKER: Arc<ThreadWaker> = Arc::new(ThreadWaker {
        thread: thread::current(),
        notified: AtomicBool::new(false),
    });
}

impl ThreadWaker {
    pub(super) fn current() -> Arc<ThreadWaker> {
        PARKER.with(Arc::clone)
    }

    /// Parks until woken or until `deadline`; `false` if the deadline passed first.
    /// A stale wake-up from an earlier call only costs one more check by the caller.
    pub(super) fn park_until(&self, deadline: Option<Instant>) -> bool {
        loop {
            if self.notified.swap(false, SeqCst) {
                return true;
            }
            match deadline {
                None => thread::park(),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return self.notified.swap(false, SeqCst);
                    }
                    // loom has no timed park; its models use no timeouts.
                    #[cfg(loom)]
                    thread::park();
                    #[cfg(not(loom))]
                    thread::park_timeout(deadline - now);
                }
            }
        }
    }
}
