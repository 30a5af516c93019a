//! A minimal executor: enough to drive the crate's futures without an async runtime.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Instant;

use super::GUARD;

/// Wakes the thread that polls, and counts the wake-ups.
struct Unpark {
    thread: Thread,
    wakes: AtomicUsize,
}

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.thread.unpark();
    }
}

/// Polls `future` on this thread until it is ready, parking in between; panics if it is
/// still pending after [`GUARD`] (a future that is never woken).
#[track_caller]
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    block_on_counting(future).0
}

/// [`block_on`], also returning how many times the future's waker was called: 0 for a
/// future that was ready at its first poll.
#[track_caller]
pub(crate) fn block_on_counting<F: Future>(future: F) -> (F::Output, usize) {
    let unpark = Arc::new(Unpark {
        thread: thread::current(),
        wakes: AtomicUsize::new(0),
    });
    let waker = Waker::from(Arc::clone(&unpark));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    let start = Instant::now();
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return (output, unpark.wakes.load(Ordering::SeqCst));
        }
        // A spurious unpark or a wake-up that came before the park only costs a poll.
        let elapsed = start.elapsed();
        assert!(elapsed < GUARD, "the future was not ready within {GUARD:?}");
        thread::park_timeout(GUARD - elapsed);
    }
}
