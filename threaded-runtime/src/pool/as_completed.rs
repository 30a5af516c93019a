//! `as_completed`: jobs handed back in the order they finish.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Wake, Waker};

use super::Job;
use crate::unpoison::Unpoison;

/// Yields each job once it has finished, in the order they finish: Python's
/// `concurrent.futures.as_completed(futures)`.
///
/// Jobs that have already finished come first, in the order given; then each
/// of the others as soon as it finishes (returned, panicked, or was
/// cancelled). Every job is yielded exactly once, so
/// [`Job::join`] on it returns at once. The iterator blocks in `next` while
/// no job is ready, and ends after the last one.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use threaded::pool::{ThreadPool, as_completed};
///
/// let pool = ThreadPool::new(3);
/// let jobs = [30, 0, 15].map(|ms| {
///     pool.submit(move || {
///         std::thread::sleep(Duration::from_millis(ms));
///         ms
///     })
/// });
/// let mut total = 0;
/// for job in as_completed(jobs) {
///     total += job.join().unwrap(); // finished already: returns at once
/// }
/// assert_eq!(total, 45);
/// ```
pub fn as_completed<R, I>(jobs: I) -> AsCompleted<R>
where
    I: IntoIterator<Item = Job<R>>,
{
    let finished = Arc::new(Finished::default());
    let jobs: Vec<Option<Job<R>>> = jobs.into_iter().map(Some).collect();
    for (index, job) in jobs.iter().enumerate() {
        if let Some(job) = job {
            job.slot().watch(Waker::from(Arc::new(Watcher {
                finished: Arc::clone(&finished),
                index,
            })));
        }
    }
    AsCompleted {
        remaining: jobs.len(),
        jobs,
        finished,
    }
}

/// The iterator [`as_completed`] returns.
#[must_use = "iterators are lazy: take the jobs with `for job in as_completed(jobs)`"]
pub struct AsCompleted<R> {
    jobs: Vec<Option<Job<R>>>,
    remaining: usize,
    finished: Arc<Finished>,
}

/// The indices of the jobs that have finished, in finishing order.
#[derive(Default)]
struct Finished {
    order: Mutex<VecDeque<usize>>,
    ready: Condvar,
}

struct Watcher {
    finished: Arc<Finished>,
    index: usize,
}

impl Wake for Watcher {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let mut order = self.finished.order.lock().unpoisoned();
        order.push_back(self.index);
        drop(order);
        self.finished.ready.notify_one();
    }
}

impl<R> Iterator for AsCompleted<R> {
    type Item = Job<R>;

    fn next(&mut self) -> Option<Job<R>> {
        if self.remaining == 0 {
            return None;
        }
        let mut order = self.finished.order.lock().unpoisoned();
        loop {
            while let Some(index) = order.pop_front() {
                // Each job's watcher fires once, so a slot is only taken once.
                if let Some(job) = self.jobs.get_mut(index).and_then(Option::take) {
                    self.remaining -= 1;
                    return Some(job);
                }
            }
            order = self.finished.ready.wait(order).unpoisoned();
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<R> ExactSizeIterator for AsCompleted<R> {}

impl<R> fmt::Debug for AsCompleted<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}
