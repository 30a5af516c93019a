//! [`WorkQueue`]'s async side: the same queue and wait lists, polled by any executor.

use std::future::poll_fn;

use super::WorkQueue;
use crate::error::{GetError, PutError};

impl<T> WorkQueue<T> {
    /// Async [`put`](Self::put): waits for room without blocking the thread.
    ///
    /// Works with any executor. Dropping the future before it completes drops the item
    /// unqueued (it was never counted).
    ///
    /// # Errors
    ///
    /// [`PutError::ShutDown`] with the item if the queue is or becomes shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    ///
    /// /// A minimal executor for this example; a real program awaits on its runtime
    /// /// (tokio's `block_on`, `spawn`, ...).
    /// fn block_on<F: std::future::Future>(f: F) -> F::Output {
    ///     let mut f = std::pin::pin!(f);
    ///     let mut cx = Context::from_waker(Waker::noop());
    ///     loop {
    ///         if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
    ///             return v;
    ///         }
    ///         std::thread::yield_now();
    ///     }
    /// }
    ///
    /// use threaded::WorkQueue;
    ///
    /// let q = WorkQueue::bounded(1);
    /// block_on(async {
    ///     q.put_async(1).await.unwrap();
    ///     assert_eq!(q.get_async().await, Ok(1));
    /// });
    /// ```
    pub async fn put_async(&self, item: T) -> Result<(), PutError<T>> {
        let mut item = Some(item);
        let mut reg = self.inner.putters_registration();
        poll_fn(|cx| self.inner.poll_put(&mut item, Some((&mut reg, cx.waker())))).await
    }

    /// Async [`get`](Self::get): waits for an item without blocking the thread.
    ///
    /// Works with any executor. Dropping the future before it completes loses nothing.
    ///
    /// # Errors
    ///
    /// [`GetError::ShutDown`] once the queue is shut down and empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    ///
    /// /// A minimal executor for this example; a real program awaits on its runtime
    /// /// (tokio's `block_on`, `spawn`, ...).
    /// fn block_on<F: std::future::Future>(f: F) -> F::Output {
    ///     let mut f = std::pin::pin!(f);
    ///     let mut cx = Context::from_waker(Waker::noop());
    ///     loop {
    ///         if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
    ///             return v;
    ///         }
    ///         std::thread::yield_now();
    ///     }
    /// }
    ///
    /// use threaded::{GetError, WorkQueue};
    ///
    /// let q = WorkQueue::<u8>::new();
    /// q.shutdown();
    /// assert_eq!(block_on(q.get_async()), Err(GetError::ShutDown));
    /// ```
    pub async fn get_async(&self) -> Result<T, GetError> {
        let mut reg = self.inner.getters_registration();
        poll_fn(|cx| self.inner.poll_get(Some((&mut reg, cx.waker())))).await
    }
}
