//! The async API on a real executor: tokio's multi-thread runtime with two workers, many
//! tasks at once, blocking threads on the same queue, and futures cancelled mid-wait
//! (`tokio::time::timeout`, `select!`, `JoinHandle::abort`, a future dropped once woken).

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::task::{Context, Poll};
use std::thread;
use std::time::{Duration, Instant};

use support::{GUARD, within};
use threaded::{GetError, PutError, WorkQueue};
use tokio::task::{JoinHandle, spawn_blocking, yield_now};
use tokio::time::timeout;

/// Runs the future made by `body` on a two-worker multi-thread runtime, bounded twice: by
/// a tokio timeout (a clear message) and by a thread guard, which also catches a worker or
/// a blocking task stuck where the tokio timer cannot fire.
fn on_tokio<Fut>(body: impl FnOnce() -> Fut + Send + 'static)
where
    Fut: Future<Output = ()>,
{
    within(GUARD + Duration::from_secs(10), move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_time()
            .build()
            .expect("a tokio runtime");
        rt.block_on(async {
            timeout(GUARD, body())
                .await
                .expect("the test body did not finish within the guard");
        });
    });
}

/// Waits until `cond` holds; panics after [`GUARD`].
///
/// Yields to the runtime and to the OS in turn: on `block_on`'s thread a tokio yield alone
/// would spin on a core the threads and tasks being waited for need (the machine has two).
async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < GUARD, "timed out waiting until {what}");
        yield_now().await;
        thread::yield_now();
    }
}

/// Every value `0..n` received, each at most once: a duplicate fails where it happens.
struct Ledger {
    seen: Vec<AtomicBool>,
    count: AtomicU64,
}

impl Ledger {
    fn new(n: u64) -> Arc<Self> {
        Arc::new(Ledger {
            seen: (0..n).map(|_| AtomicBool::new(false)).collect(),
            count: AtomicU64::new(0),
        })
    }

    fn record(&self, v: u64) {
        assert!(
            !self.seen[v as usize].swap(true, SeqCst),
            "{v} received twice"
        );
        self.count.fetch_add(1, SeqCst);
    }

    fn count(&self) -> u64 {
        self.count.load(SeqCst)
    }

    fn has(&self, v: u64) -> bool {
        self.seen[v as usize].load(SeqCst)
    }

    fn assert_all_received(&self) {
        let missing: Vec<_> = (0..self.seen.len() as u64)
            .filter(|&v| !self.has(v))
            .collect();
        assert!(missing.is_empty(), "never received: {missing:?}");
        assert_eq!(self.count(), self.seen.len() as u64);
    }
}

/// An item that counts its drops, so a test can tell where every item ended.
#[derive(Debug)]
struct Tracked {
    v: u64,
    drops: Arc<AtomicU64>,
}

impl Tracked {
    fn new(v: u64, drops: &Arc<AtomicU64>) -> Self {
        Tracked {
            v,
            drops: Arc::clone(drops),
        }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.drops.fetch_add(1, SeqCst);
    }
}

/// Gets until the queue is shut down and drained; returns how many items this task took.
fn spawn_consumer(q: &WorkQueue<u64>, ledger: &Arc<Ledger>) -> JoinHandle<u64> {
    let (q, ledger) = (q.clone(), Arc::clone(ledger));
    tokio::spawn(async move {
        let mut mine = 0;
        loop {
            match q.get_async().await {
                Ok(v) => {
                    ledger.record(v);
                    mine += 1;
                    q.task_done().unwrap();
                }
                Err(e) => {
                    assert_eq!(e, GetError::ShutDown);
                    return mine;
                }
            }
        }
    })
}

/// Puts `0..producers * each` from `producers` tokio tasks, task `p` the items
/// `p * each..(p + 1) * each` with `put_async`, and waits until all of them are in.
async fn put_from_tasks(q: &WorkQueue<u64>, producers: u64, each: u64) {
    let tasks: Vec<_> = (0..producers)
        .map(|p| {
            let q = q.clone();
            tokio::spawn(async move {
                for i in 0..each {
                    q.put_async(p * each + i).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

async fn many_tasks_take_each_item_once(q: WorkQueue<u64>) {
    const PRODUCERS: u64 = 8;
    const CONSUMERS: usize = 8;
    const EACH: u64 = 2_000;
    let n = PRODUCERS * EACH;
    let ledger = Ledger::new(n);
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|_| spawn_consumer(&q, &ledger))
        .collect();
    put_from_tasks(&q, PRODUCERS, EACH).await;
    // `join` blocks its thread, so it goes where blocking belongs. Consumers record an item
    // before marking it done: once `join` returns, every item must be in the ledger.
    let joined = {
        let (q, ledger) = (q.clone(), Arc::clone(&ledger));
        spawn_blocking(move || {
            q.join();
            ledger.count()
        })
    };
    assert_eq!(
        joined.await.unwrap(),
        n,
        "join returned before all were done"
    );
    q.shutdown();
    let mut taken = 0;
    for c in consumers {
        taken += c.await.unwrap();
    }
    assert_eq!(taken, n);
    ledger.assert_all_received();
    assert_eq!(q.unfinished_tasks(), 0);
    assert!(q.is_empty());
}

#[test]
fn many_async_producers_and_consumers_on_a_bounded_queue() {
    on_tokio(|| many_tasks_take_each_item_once(WorkQueue::bounded(4)));
}

#[test]
fn many_async_producers_and_consumers_on_an_unbounded_queue() {
    on_tokio(|| many_tasks_take_each_item_once(WorkQueue::new()));
}

#[test]
fn std_threads_put_while_tokio_tasks_get() {
    on_tokio(|| async {
        const EACH: u64 = 3_000;
        let q = WorkQueue::bounded(8);
        let ledger = Ledger::new(4 * EACH);
        let consumers: Vec<_> = (0..4).map(|_| spawn_consumer(&q, &ledger)).collect();
        let producers: Vec<_> = (0..4)
            .map(|p| {
                let q = q.clone();
                thread::spawn(move || {
                    for i in 0..EACH {
                        q.put(p * EACH + i).unwrap();
                    }
                })
            })
            .collect();
        let q2 = q.clone();
        spawn_blocking(move || {
            for p in producers {
                p.join().unwrap();
            }
            q2.join();
        })
        .await
        .unwrap();
        assert_eq!(
            ledger.count(),
            4 * EACH,
            "join returned before all were done"
        );
        q.shutdown();
        let mut taken = 0;
        for c in consumers {
            taken += c.await.unwrap();
        }
        assert_eq!(taken, 4 * EACH);
        ledger.assert_all_received();
        assert_eq!(q.unfinished_tasks(), 0);
    });
}

#[test]
fn tokio_tasks_put_while_std_threads_get() {
    on_tokio(|| async {
        const EACH: u64 = 3_000;
        let q = WorkQueue::bounded(8);
        let ledger = Ledger::new(4 * EACH);
        // Half the threads use `get` + `task_done`, half the `get_task` guard.
        let consumers: Vec<_> = (0..4)
            .map(|c| {
                let (q, ledger) = (q.clone(), Arc::clone(&ledger));
                thread::spawn(move || {
                    if c % 2 == 0 {
                        while let Ok(v) = q.get() {
                            ledger.record(v);
                            q.task_done().unwrap();
                        }
                    } else {
                        while let Ok(task) = q.get_task() {
                            ledger.record(*task);
                        }
                    }
                    q.get()
                })
            })
            .collect();
        put_from_tasks(&q, 4, EACH).await;
        let q2 = q.clone();
        spawn_blocking(move || q2.join()).await.unwrap();
        assert_eq!(
            ledger.count(),
            4 * EACH,
            "join returned before all were done"
        );
        q.shutdown();
        let ends = spawn_blocking(move || {
            consumers
                .into_iter()
                .map(|c| c.join().unwrap())
                .collect::<Vec<_>>()
        })
        .await
        .unwrap();
        assert_eq!(ends, [Err(GetError::ShutDown); 4]);
        ledger.assert_all_received();
        assert_eq!(q.unfinished_tasks(), 0);
    });
}

/// Polls the inner future once; when woken, drops it without polling it again: a waiter
/// that was notified and then cancelled before it could use the notification. Returns
/// `None` in that case, `Some(output)` if the first poll already finished.
struct DropWhenWoken<F> {
    fut: Option<Pin<Box<F>>>,
    polled: bool,
    asleep: Arc<AtomicBool>,
}

/// Also returns a flag set once the first poll returned `Pending`. Until then the waiter
/// may be registered and still polling, and would take a notification itself.
fn drop_when_woken<F: Future>(fut: F) -> (DropWhenWoken<F>, Arc<AtomicBool>) {
    let asleep = Arc::new(AtomicBool::new(false));
    let fut = DropWhenWoken {
        fut: Some(Box::pin(fut)),
        polled: false,
        asleep: Arc::clone(&asleep),
    };
    (fut, asleep)
}

impl<F: Future> Future for DropWhenWoken<F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // tokio polls a task only when it was woken, and only the queue holds this waker.
        if self.polled {
            self.fut = None;
            return Poll::Ready(None);
        }
        self.polled = true;
        let fut = self.fut.as_mut().expect("polled after completion");
        let poll = fut.as_mut().poll(cx).map(Some);
        if poll.is_pending() {
            self.asleep.store(true, SeqCst);
        }
        poll
    }
}

#[test]
fn a_notified_then_dropped_get_async_passes_the_item_on() {
    on_tokio(|| async {
        const ROUNDS: u64 = 50;
        let q = WorkQueue::new();
        for round in 0..ROUNDS {
            let (first, asleep) = {
                let q = q.clone();
                let (get, asleep) = drop_when_woken(async move { q.get_async().await });
                (tokio::spawn(get), asleep)
            };
            until("the first getter sleeps", || asleep.load(SeqCst)).await;
            assert_eq!(q.waiters().getters, 1);
            let second = {
                let q = q.clone();
                tokio::spawn(async move { q.get_async().await })
            };
            until("both getters wait", || q.waiters().getters == 2).await;
            // The put wakes the first waiter only; it is dropped instead of taking the item.
            q.put(round).unwrap();
            assert_eq!(first.await.unwrap(), None, "round {round}");
            assert_eq!(second.await.unwrap(), Ok(round), "round {round}");
            assert_eq!(q.waiters().getters, 0);
        }
        assert!(q.is_empty());
        assert_eq!(q.unfinished_tasks(), ROUNDS as usize);
    });
}

#[test]
fn a_notified_then_dropped_put_async_drops_its_item_and_passes_the_room_on() {
    on_tokio(|| async {
        const ROUNDS: u64 = 50;
        let drops = Arc::new(AtomicU64::new(0));
        let q = WorkQueue::bounded(1);
        q.put(Tracked::new(0, &drops)).unwrap();
        for round in 1..=ROUNDS {
            let (first, asleep) = {
                let (q, item) = (q.clone(), Tracked::new(1000 + round, &drops));
                let (put, asleep) = drop_when_woken(async move { q.put_async(item).await });
                (tokio::spawn(put), asleep)
            };
            until("the first putter sleeps", || asleep.load(SeqCst)).await;
            assert_eq!(q.waiters().putters, 1);
            let second = {
                let (q, item) = (q.clone(), Tracked::new(round, &drops));
                tokio::spawn(async move { q.put_async(item).await })
            };
            until("both putters wait", || q.waiters().putters == 2).await;
            // The get wakes the first putter only; it is dropped instead of using the room.
            let got = q.get_async().await.unwrap();
            assert_eq!(got.v, round - 1);
            drop(got);
            q.task_done().unwrap();
            assert!(first.await.unwrap().is_none(), "round {round}");
            second.await.unwrap().unwrap();
            assert_eq!(q.waiters().putters, 0);
            // Per round: the item taken, and the dropped putter's item, never queued.
            assert_eq!(drops.load(SeqCst), 2 * round);
            assert_eq!(q.len(), 1);
            assert_eq!(q.unfinished_tasks(), 1, "the dropped put was counted");
        }
        assert_eq!(q.try_get().unwrap().v, ROUNDS);
        drop(q);
        assert_eq!(
            drops.load(SeqCst),
            2 * ROUNDS + 1,
            "every item dropped once"
        );
    });
}

/// Aborts the tasks at even positions, checks that each ended cancelled, and returns the
/// others.
async fn abort_every_other<T: std::fmt::Debug>(tasks: Vec<JoinHandle<T>>) -> Vec<JoinHandle<T>> {
    let mut kept = vec![];
    for (i, task) in tasks.into_iter().enumerate() {
        if i % 2 == 0 {
            task.abort();
            assert!(task.await.unwrap_err().is_cancelled());
        } else {
            kept.push(task);
        }
    }
    kept
}

#[test]
fn aborted_waiting_tasks_leave_the_wait_lists_clean() {
    on_tokio(|| async {
        let q = WorkQueue::<u64>::new();
        let getters: Vec<_> = (0..6)
            .map(|_| {
                let q = q.clone();
                tokio::spawn(async move { q.get_async().await })
            })
            .collect();
        until("six getters wait", || q.waiters().getters == 6).await;
        let kept = abort_every_other(getters).await;
        assert_eq!(
            q.waiters().getters,
            3,
            "an aborted getter is still registered"
        );
        for v in 10..13 {
            q.put_async(v).await.unwrap();
        }
        let mut got = vec![];
        for g in kept {
            got.push(g.await.unwrap().unwrap());
        }
        got.sort_unstable();
        assert_eq!(got, [10, 11, 12]);
        assert_eq!(q.waiters().getters, 0);

        let drops = Arc::new(AtomicU64::new(0));
        let q = WorkQueue::bounded(1);
        q.put(Tracked::new(0, &drops)).unwrap();
        let putters: Vec<_> = (1..=6)
            .map(|v| {
                let (q, item) = (q.clone(), Tracked::new(v, &drops));
                tokio::spawn(async move { q.put_async(item).await })
            })
            .collect();
        until("six putters wait", || q.waiters().putters == 6).await;
        let kept = abort_every_other(putters).await;
        assert_eq!(
            q.waiters().putters,
            3,
            "an aborted putter is still registered"
        );
        assert_eq!(
            drops.load(SeqCst),
            3,
            "an aborted put keeps or queues its item"
        );
        assert_eq!(q.unfinished_tasks(), 1, "an aborted put was counted");
        let mut got = vec![];
        for _ in 0..4 {
            got.push(q.get_async().await.unwrap().v);
        }
        for p in kept {
            p.await.unwrap().unwrap();
        }
        got.sort_unstable();
        assert_eq!(got, [0, 2, 4, 6]);
        assert_eq!(q.waiters().putters, 0);
        assert!(q.is_empty());
        assert_eq!(drops.load(SeqCst), 7);
    });
}

/// How many waits each style cancelled; index 0 (a plain `.await`) never cancels.
#[derive(Default, Debug)]
struct Cancelled {
    puts: [AtomicU64; 4],
    gets: [AtomicU64; 4],
}

const CANCEL_AFTER: Duration = Duration::from_millis(1);

/// One put attempt in `style`; `false` if it was cancelled (and so dropped `item`).
async fn put_in_style(q: &WorkQueue<Tracked>, item: Tracked, style: usize) -> bool {
    match style {
        0 => q.put_async(item).await.map(|()| true),
        1 => match timeout(CANCEL_AFTER, q.put_async(item)).await {
            Ok(result) => result.map(|()| true),
            Err(_elapsed) => Ok(false),
        },
        2 => tokio::select! {
            biased;
            result = q.put_async(item) => result.map(|()| true),
            () = yield_now() => Ok(false),
        },
        _ => {
            let q = q.clone();
            let put = tokio::spawn(async move { q.put_async(item).await });
            yield_now().await;
            put.abort();
            match put.await {
                Ok(result) => result.map(|()| true),
                Err(e) => {
                    assert!(e.is_cancelled());
                    Ok(false)
                }
            }
        }
    }
    .expect("nothing shuts the queue down while puts run")
}

/// One get attempt in `style`; `None` if it was cancelled.
async fn get_in_style(q: &WorkQueue<Tracked>, style: usize) -> Option<Result<Tracked, GetError>> {
    match style {
        0 => Some(q.get_async().await),
        1 => timeout(CANCEL_AFTER, q.get_async()).await.ok(),
        2 => tokio::select! {
            biased;
            result = q.get_async() => Some(result),
            () = yield_now() => None,
        },
        _ => {
            let q = q.clone();
            let get = tokio::spawn(async move { q.get_async().await });
            yield_now().await;
            get.abort();
            match get.await {
                Ok(result) => Some(result),
                Err(e) => {
                    assert!(e.is_cancelled());
                    None
                }
            }
        }
    }
}

#[test]
fn futures_cancelled_under_load_lose_nothing_and_leave_no_waiter_asleep() {
    on_tokio(|| async {
        const N: u64 = 4_000;
        // Put at the end, when only the plain getters are left.
        const EXTRA: u64 = 4;
        const PLAIN_GETTERS: usize = 2;
        let q = WorkQueue::bounded(4);
        let ledger = Ledger::new(N + EXTRA);
        let drops = Arc::new(AtomicU64::new(0));
        let cancelled = Arc::new(Cancelled::default());
        let stop = Arc::new(AtomicBool::new(false));

        let take = {
            let (q, ledger) = (q.clone(), Arc::clone(&ledger));
            move |item: Tracked| {
                ledger.record(item.v);
                drop(item);
                q.task_done().unwrap();
            }
        };
        // Producer `p` puts in style `p`; a cancelled put is retried with a fresh item.
        let producers: Vec<_> = (0..4)
            .map(|p: u64| {
                let style = p as usize;
                let (q, drops, cancelled) = (q.clone(), drops.clone(), cancelled.clone());
                tokio::spawn(async move {
                    for v in (p..N).step_by(4) {
                        while !put_in_style(&q, Tracked::new(v, &drops), style).await {
                            cancelled.puts[style].fetch_add(1, SeqCst);
                        }
                    }
                })
            })
            .collect();
        // No getter yet: the queue fills, and every cancelling put style has to cancel.
        until("each style cancelled a waiting put", || {
            (1..4).all(|s| cancelled.puts[s].load(SeqCst) > 0)
        })
        .await;
        let before_load = format!("{cancelled:?}");
        let plain: Vec<_> = (0..PLAIN_GETTERS)
            .map(|_| {
                let (q, take) = (q.clone(), take.clone());
                tokio::spawn(async move {
                    while let Ok(item) = q.get_async().await {
                        take(item);
                        // A little work, so that the queue fills and putters wait
                        // also while getters run.
                        yield_now().await;
                    }
                })
            })
            .collect();
        // Two getters for each cancelling style, looping until told to stop.
        let churners: Vec<_> = (0..6)
            .map(|i| {
                let style = 1 + i % 3;
                let (q, take) = (q.clone(), take.clone());
                let (cancelled, stop) = (Arc::clone(&cancelled), Arc::clone(&stop));
                tokio::spawn(async move {
                    while !stop.load(SeqCst) {
                        match get_in_style(&q, style).await {
                            Some(result) => {
                                take(result.expect("not shut down yet"));
                                yield_now().await;
                            }
                            None => _ = cancelled.gets[style].fetch_add(1, SeqCst),
                        }
                    }
                })
            })
            .collect();
        for p in producers {
            p.await.unwrap();
        }
        let q2 = q.clone();
        spawn_blocking(move || q2.join()).await.unwrap();
        assert_eq!(ledger.count(), N, "join returned before all were done");

        let after_load = format!("{cancelled:?}");
        // The queue stays empty now, so every churning style cancels waits that cannot end.
        until("each style cancelled a waiting get", || {
            (1..4).all(|s| cancelled.gets[s].load(SeqCst) > 0)
        })
        .await;
        stop.store(true, SeqCst);
        for c in churners {
            c.await.unwrap();
        }
        // A cancelled future still registered would be counted here and sleep forever.
        until("only the plain getters wait", || {
            q.waiters().getters == PLAIN_GETTERS
        })
        .await;
        assert_eq!(q.waiters().putters, 0);
        for v in N..N + EXTRA {
            q.put_async(Tracked::new(v, &drops)).await.unwrap();
        }
        let q2 = q.clone();
        spawn_blocking(move || q2.join()).await.unwrap();
        q.shutdown();
        for g in plain {
            g.await.unwrap();
        }

        ledger.assert_all_received();
        let cancelled_puts: u64 = cancelled.puts.iter().map(|c| c.load(SeqCst)).sum();
        assert_eq!(
            drops.load(SeqCst),
            N + EXTRA + cancelled_puts,
            "every item received or cancelled is dropped exactly once"
        );
        assert_eq!(q.unfinished_tasks(), 0);
        assert_eq!(q.waiters().getters, 0);
        eprintln!("cancelled waits, before the getters: {before_load}");
        eprintln!("                 after the load:     {after_load}");
    });
}

#[test]
fn shutdown_wakes_every_waiting_task_and_hands_items_back() {
    on_tokio(|| async {
        let empty = WorkQueue::<u64>::new();
        let full = WorkQueue::bounded(2);
        full.put(0).unwrap();
        full.put(1).unwrap();
        let getters: Vec<_> = (0..4)
            .map(|_| {
                let q = empty.clone();
                tokio::spawn(async move { q.get_async().await })
            })
            .collect();
        let putters: Vec<_> = (10..14)
            .map(|v| {
                let q = full.clone();
                tokio::spawn(async move { q.put_async(v).await })
            })
            .collect();
        until("all wait", || {
            empty.waiters().getters == 4 && full.waiters().putters == 4
        })
        .await;
        empty.shutdown();
        full.shutdown();
        for g in getters {
            assert_eq!(g.await.unwrap(), Err(GetError::ShutDown));
        }
        let mut back = vec![];
        for p in putters {
            let err = p.await.unwrap().unwrap_err();
            assert!(matches!(err, PutError::ShutDown(_)), "{err:?}");
            back.push(err.into_inner());
        }
        back.sort_unstable();
        assert_eq!(back, [10, 11, 12, 13], "a refused item was not handed back");
        assert_eq!(full.unfinished_tasks(), 2, "a refused put was counted");

        // Getters that come after the shutdown drain what was queued, then see ShutDown.
        let drainers: Vec<_> = (0..4)
            .map(|_| {
                let q = full.clone();
                tokio::spawn(async move { q.get_async().await })
            })
            .collect();
        let mut drained = vec![];
        for d in drainers {
            match d.await.unwrap() {
                Ok(v) => drained.push(v),
                Err(e) => assert_eq!(e, GetError::ShutDown),
            }
        }
        drained.sort_unstable();
        assert_eq!(
            drained,
            [0, 1],
            "the drainers did not get exactly what was queued"
        );
        assert_eq!(empty.waiters().getters + full.waiters().putters, 0);
    });
}

#[test]
fn shutdown_under_load_loses_no_item() {
    on_tokio(|| async {
        const PRODUCERS: u64 = 8;
        const EACH: u64 = 2_000;
        let n = PRODUCERS * EACH;
        let q = WorkQueue::bounded(4);
        let ledger = Ledger::new(n);
        let consumers: Vec<_> = (0..8).map(|_| spawn_consumer(&q, &ledger)).collect();
        // Half the producers pause halfway until the shutdown, so some puts are surely
        // refused; the others race it. Each returns how many values it had accepted and
        // the refused one, handed back.
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let q = q.clone();
                tokio::spawn(async move {
                    for i in 0..EACH {
                        if p % 2 == 0 && i == EACH / 2 {
                            until("the shutdown", || q.is_shut_down()).await;
                        }
                        if let Err(e) = q.put_async(p * EACH + i).await {
                            assert!(e.is_shut_down());
                            return (i, Some(e.into_inner()));
                        }
                    }
                    (EACH, None)
                })
            })
            .collect();
        until("an eighth was received", || ledger.count() >= n / 8).await;
        q.shutdown();
        let mut ends = vec![];
        for h in producers {
            ends.push(h.await.unwrap());
        }
        // The consumers drain what the shutdown left queued before anything is checked.
        let mut taken = 0;
        for c in consumers {
            taken += c.await.unwrap();
        }
        let mut accepted = 0;
        let mut refused = 0;
        for (p, (k, back)) in (0..).zip(ends) {
            let base = p * EACH;
            match back {
                Some(v) => {
                    assert_eq!(
                        v,
                        base + k,
                        "the refused item is the one after the last accepted"
                    );
                    refused += 1;
                }
                None => assert_eq!(k, EACH),
            }
            accepted += k;
            let mut received = (base..base + EACH).map(|v| ledger.has(v));
            assert!(
                received.by_ref().take(k as usize).all(|t| t),
                "producer {p}: an accepted item was lost"
            );
            assert!(
                !received.any(|t| t),
                "producer {p}: an item never accepted was received"
            );
        }
        assert!(
            refused >= PRODUCERS / 2,
            "the paused producers were refused"
        );
        assert_eq!(taken, accepted);
        assert_eq!(ledger.count(), accepted);
        assert_eq!(q.unfinished_tasks(), 0);
        assert!(q.is_empty());
    });
}

#[test]
fn shutdown_now_wakes_waiting_tasks_and_releases_join() {
    on_tokio(|| async {
        let drops = Arc::new(AtomicU64::new(0));
        let empty = WorkQueue::<Tracked>::new();
        let full = WorkQueue::bounded(2);
        full.put(Tracked::new(0, &drops)).unwrap();
        full.put(Tracked::new(1, &drops)).unwrap();
        let getters: Vec<_> = (0..2)
            .map(|_| {
                let q = empty.clone();
                tokio::spawn(async move { q.get_async().await.map(|t| t.v) })
            })
            .collect();
        let putters: Vec<_> = (10..13)
            .map(|v| {
                let (q, item) = (full.clone(), Tracked::new(v, &drops));
                tokio::spawn(async move { q.put_async(item).await })
            })
            .collect();
        let joiner = {
            let q = full.clone();
            spawn_blocking(move || q.join())
        };
        until("getters, putters and the joiner wait", || {
            empty.waiters().getters == 2
                && full.waiters().putters == 3
                && full.waiters().joiners == 1
        })
        .await;
        empty.shutdown_now();
        full.shutdown_now();
        joiner.await.unwrap();
        assert_eq!(full.unfinished_tasks(), 0);
        assert_eq!(drops.load(SeqCst), 2, "the two queued items are discarded");
        for g in getters {
            assert_eq!(g.await.unwrap(), Err(GetError::ShutDown));
        }
        let mut back = vec![];
        for p in putters {
            back.push(p.await.unwrap().unwrap_err().into_inner());
        }
        assert_eq!(
            drops.load(SeqCst),
            2,
            "a refused item is handed back, not dropped"
        );
        let mut values: Vec<_> = back.iter().map(|t| t.v).collect();
        values.sort_unstable();
        assert_eq!(values, [10, 11, 12]);
        drop(back);
        assert_eq!(drops.load(SeqCst), 5);
        assert!(full.get_async().await.is_err_and(|e| e.is_shut_down()));
    });
}

/// An item whose `Drop` panics, as a buggy user type may.
struct PanicsOnDrop(u64);

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        if !thread::panicking() {
            panic!("PanicsOnDrop({}) dropped", self.0);
        }
    }
}

#[test]
fn a_cancelled_put_whose_item_panics_on_drop_leaves_the_queue_sound() {
    on_tokio(|| async {
        let q = WorkQueue::bounded(1);
        q.put(PanicsOnDrop(0)).unwrap();
        // Aborted while it waits: tokio drops the future, the item's drop panics.
        let aborted = {
            let q = q.clone();
            tokio::spawn(async move { q.put_async(PanicsOnDrop(1)).await.map_err(|_| ()) })
        };
        until("the putter waits", || q.waiters().putters == 1).await;
        aborted.abort();
        assert!(aborted.await.unwrap_err().is_panic());
        assert_eq!(
            q.waiters().putters,
            0,
            "the panicking put stayed registered"
        );
        // Notified, then dropped: the room must still reach the next putter.
        let (notified, asleep) = {
            let q = q.clone();
            let (put, asleep) =
                drop_when_woken(async move { q.put_async(PanicsOnDrop(2)).await.map_err(|_| ()) });
            (tokio::spawn(put), asleep)
        };
        until("the first putter sleeps", || asleep.load(SeqCst)).await;
        let next = {
            let q = q.clone();
            tokio::spawn(async move { q.put_async(PanicsOnDrop(3)).await.map_err(|_| ()) })
        };
        until("both putters wait", || q.waiters().putters == 2).await;
        std::mem::forget(q.get_async().await.unwrap());
        assert!(notified.await.unwrap_err().is_panic());
        assert_eq!(next.await.unwrap(), Ok(()), "the room was not passed on");
        assert_eq!(q.unfinished_tasks(), 2);
        let last = q.try_get().ok().map(|item| {
            let v = item.0;
            std::mem::forget(item);
            v
        });
        assert_eq!(last, Some(3));
        assert_eq!(q.waiters().putters, 0);
    });
}

#[test]
fn every_round_of_puts_wakes_getters_of_both_kinds_asleep() {
    on_tokio(|| async {
        const ROUNDS: u64 = 150;
        const THREADS: usize = 2;
        const TASKS: usize = 3;
        // Round r puts r % 7 + 1 items: fewer, as many, and more than there are getters.
        let n: u64 = (0..ROUNDS).map(|r| r % 7 + 1).sum();
        let q = WorkQueue::bounded(4);
        let ledger = Ledger::new(n);
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                let (q, ledger) = (q.clone(), Arc::clone(&ledger));
                thread::spawn(move || {
                    while let Ok(task) = q.get_task() {
                        ledger.record(*task);
                    }
                })
            })
            .collect();
        let tasks: Vec<_> = (0..TASKS).map(|_| spawn_consumer(&q, &ledger)).collect();
        let mut next = 0;
        for round in 0..ROUNDS {
            // Every getter asleep: a put now has to wake one, and a lost wake-up strands
            // an item with nobody left awake, so `join` below never returns.
            until("every getter sleeps", || {
                q.waiters().getters == THREADS + TASKS
            })
            .await;
            let values = next..next + round % 7 + 1;
            next = values.end;
            if round % 2 == 0 {
                for v in values {
                    q.put_async(v).await.unwrap();
                }
            } else {
                let q = q.clone();
                spawn_blocking(move || values.for_each(|v| q.put(v).unwrap()))
                    .await
                    .unwrap();
            }
            let q2 = q.clone();
            spawn_blocking(move || q2.join()).await.unwrap();
            assert_eq!(ledger.count(), next, "round {round}");
        }
        q.shutdown();
        for t in tasks {
            t.await.unwrap();
        }
        spawn_blocking(move || threads.into_iter().for_each(|t| t.join().unwrap()))
            .await
            .unwrap();
        ledger.assert_all_received();
        assert_eq!(q.unfinished_tasks(), 0);
    });
}

#[test]
fn every_round_of_gets_wakes_putters_of_both_kinds_asleep() {
    on_tokio(|| async {
        const EACH: u64 = 40;
        const THREADS: u64 = 2;
        const TASKS: u64 = 3;
        let n = (THREADS + TASKS) * EACH;
        let q = WorkQueue::bounded(2);
        let finished = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..THREADS)
            .map(|p| {
                let (q, finished) = (q.clone(), Arc::clone(&finished));
                thread::spawn(move || {
                    for v in p * EACH..(p + 1) * EACH {
                        q.put(v).unwrap();
                    }
                    finished.fetch_add(1, SeqCst);
                })
            })
            .collect();
        let tasks: Vec<_> = (THREADS..THREADS + TASKS)
            .map(|p| {
                let (q, finished) = (q.clone(), Arc::clone(&finished));
                tokio::spawn(async move {
                    for v in p * EACH..(p + 1) * EACH {
                        q.put_async(v).await.unwrap();
                    }
                    finished.fetch_add(1, SeqCst);
                })
            })
            .collect();
        let ledger = Ledger::new(n);
        let mut round = 0;
        while ledger.count() < n {
            // The queue full and every putter with items left asleep: the gets below have
            // to wake one for each slot, or the queue never fills again.
            until("the queue is full and every putter sleeps", || {
                let alive = (THREADS + TASKS - finished.load(SeqCst)) as usize;
                (alive == 0 || q.is_full()) && q.waiters().putters == alive
            })
            .await;
            for _ in 0..(round % 2 + 1).min(q.len()) {
                let v = if round % 2 == 0 {
                    q.get_async().await
                } else {
                    let q = q.clone();
                    spawn_blocking(move || q.get()).await.unwrap()
                };
                ledger.record(v.unwrap());
            }
            round += 1;
        }
        for t in tasks {
            t.await.unwrap();
        }
        spawn_blocking(move || threads.into_iter().for_each(|t| t.join().unwrap()))
            .await
            .unwrap();
        ledger.assert_all_received();
        assert!(q.is_empty());
        assert_eq!(q.waiters().putters, 0);
    });
}
