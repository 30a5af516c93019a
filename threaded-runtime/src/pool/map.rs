//! The iterator of `ThreadPool::map`.

use std::fmt;

use super::{Job, JobError};

/// The iterator [`ThreadPool::map`](super::ThreadPool::map) returns: each item's result, in input
/// order. Dropping it cancels the jobs that have not started.
#[must_use = "the jobs run anyway, but their results are only seen by iterating"]
pub struct Map<R> {
    jobs: std::vec::IntoIter<Job<R>>,
}

impl<R> Map<R> {
    pub(super) fn new(jobs: Vec<Job<R>>) -> Self {
        Self {
            jobs: jobs.into_iter(),
        }
    }
}

impl<R> Iterator for Map<R> {
    type Item = Result<R, JobError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.jobs.next().map(Job::join)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.jobs.size_hint()
    }
}

impl<R> ExactSizeIterator for Map<R> {}

impl<R> Drop for Map<R> {
    fn drop(&mut self) {
        for job in self.jobs.by_ref() {
            job.cancel();
        }
    }
}

impl<R> fmt::Debug for Map<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map")
            .field("remaining", &self.jobs.len())
            .finish_non_exhaustive()
    }
}
