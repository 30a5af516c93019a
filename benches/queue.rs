//! WorkQueue against the joinable queues a Rust engineer writes by hand, and against the raw
//! channels underneath, side by side in one run.
//!
//! Each run moves `ITEMS` `u64`s from P producer threads to C consumer threads, waits until
//! every item has been processed, then stops the consumers:
//!
//! - **WorkQueue**: `put`, `get` + `task_done`, `join`, then `shutdown` (consumers stop on
//!   `GetError::ShutDown`);
//! - **crossbeam + count** and **flume + count**, the hand-written joinable queue: a channel,
//!   an `AtomicUsize` task count (added before the send, subtracted after the work; the one
//!   that reaches 0 takes a `Mutex` and calls `notify_all`) and a `Condvar` for `join`;
//!   consumers stop when the senders are dropped;
//! - **raw crossbeam** and **raw flume**: send + recv, no accounting, no join; consumers stop
//!   on disconnection.
//!
//! The shapes include more threads than the machine has cores (`1p5c` is the lecture's pool:
//! one source, five workers), because pools of I/O-bound workers are usually that.
//!
//! `cargo bench --bench queue` runs every variant once per shape per repetition, interleaved,
//! and prints the median of the per-repetition ratios (machines are shared and noisy; a ratio
//! taken within one repetition cancels most of the noise). `QUEUE_REPS` (default 7) and
//! `QUEUE_SHAPES` (e.g. `unbounded/1p5c,bounded/4p4c`) narrow it down.
//! With `QUEUE_CRITERION=1` it then also runs criterion over the same variants.

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use threaded::WorkQueue;

const ITEMS: u64 = 1_000_000;
const CAP: usize = 1024;
const EXPECTED: u64 = ITEMS * (ITEMS - 1) / 2;

const SHAPES: [(u64, usize); 7] = [(1, 1), (2, 2), (4, 4), (1, 2), (1, 5), (8, 8), (1, 16)];

/// Splits `ITEMS` over `p` producers, each calling `send` for its share.
fn produce(p: u64, send: impl Fn(u64) + Sync) {
    let per = ITEMS / p;
    thread::scope(|s| {
        for i in 0..p {
            let send = &send;
            s.spawn(move || {
                let end = if i == p - 1 { ITEMS } else { (i + 1) * per };
                for v in i * per..end {
                    send(v);
                }
            });
        }
    });
}

fn workqueue(p: u64, c: usize, bounded: bool) -> u64 {
    let q = if bounded {
        WorkQueue::bounded(CAP)
    } else {
        WorkQueue::new()
    };
    thread::scope(|s| {
        let consumers: Vec<_> = (0..c)
            .map(|_| {
                let q = &q;
                s.spawn(move || {
                    let mut sum = 0u64;
                    while let Ok(v) = q.get() {
                        sum += black_box(v);
                        q.task_done().unwrap();
                    }
                    sum
                })
            })
            .collect();
        produce(p, |v| q.put(v).unwrap());
        q.join();
        q.shutdown();
        consumers.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

/// The joinable queue a Rust engineer writes by hand around a channel.
struct Count {
    unfinished: AtomicUsize,
    lock: Mutex<()>,
    all_done: Condvar,
}

impl Count {
    fn new() -> Self {
        Count {
            unfinished: AtomicUsize::new(0),
            lock: Mutex::new(()),
            all_done: Condvar::new(),
        }
    }

    fn add(&self) {
        self.unfinished.fetch_add(1, Ordering::SeqCst);
    }

    fn done(&self) {
        if self.unfinished.fetch_sub(1, Ordering::SeqCst) == 1 {
            let _g = self.lock.lock().unwrap();
            self.all_done.notify_all();
        }
    }

    fn join(&self) {
        let mut g = self.lock.lock().unwrap();
        while self.unfinished.load(Ordering::SeqCst) != 0 {
            g = self.all_done.wait(g).unwrap();
        }
    }
}

macro_rules! channel_variants {
    ($counted:ident, $raw:ident, $bounded:path, $unbounded:path) => {
        fn $counted(p: u64, c: usize, bounded: bool) -> u64 {
            let (tx, rx) = if bounded { $bounded(CAP) } else { $unbounded() };
            let count = Count::new();
            thread::scope(|s| {
                let consumers: Vec<_> = (0..c)
                    .map(|_| {
                        let rx = rx.clone();
                        let count = &count;
                        s.spawn(move || {
                            let mut sum = 0u64;
                            for v in rx.iter() {
                                sum += black_box(v);
                                count.done();
                            }
                            sum
                        })
                    })
                    .collect();
                drop(rx);
                produce(p, |v| {
                    count.add();
                    tx.send(v).unwrap();
                });
                count.join();
                drop(tx);
                consumers.into_iter().map(|h| h.join().unwrap()).sum()
            })
        }

        fn $raw(p: u64, c: usize, bounded: bool) -> u64 {
            let (tx, rx) = if bounded { $bounded(CAP) } else { $unbounded() };
            thread::scope(|s| {
                let consumers: Vec<_> = (0..c)
                    .map(|_| {
                        let rx = rx.clone();
                        s.spawn(move || rx.iter().map(black_box).sum::<u64>())
                    })
                    .collect();
                drop(rx);
                produce(p, |v| tx.send(v).unwrap());
                drop(tx);
                consumers.into_iter().map(|h| h.join().unwrap()).sum()
            })
        }
    };
}

channel_variants!(
    crossbeam_count,
    crossbeam_raw,
    crossbeam_channel::bounded,
    crossbeam_channel::unbounded
);
channel_variants!(flume_count, flume_raw, flume::bounded, flume::unbounded);

type Run = fn(u64, usize, bool) -> u64;

const VARIANTS: [(&str, Run); 5] = [
    ("WorkQueue", workqueue),
    ("crossbeam + count", crossbeam_count),
    ("flume + count", flume_count),
    ("raw crossbeam", crossbeam_raw),
    ("raw flume", flume_raw),
];

fn shape_name(bounded: bool, p: u64, c: usize) -> String {
    let kind = if bounded { "bounded" } else { "unbounded" };
    format!("{kind}/{p}p{c}c")
}

fn shapes() -> Vec<(bool, u64, usize)> {
    let filter = std::env::var("QUEUE_SHAPES").ok();
    [false, true]
        .into_iter()
        .flat_map(|b| SHAPES.map(|(p, c)| (b, p, c)))
        .filter(|&(b, p, c)| {
            filter
                .as_deref()
                .is_none_or(|f| f.split(',').any(|s| s.trim() == shape_name(b, p, c)))
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Every variant once per shape per repetition, interleaved; medians of throughput and of
/// WorkQueue's per-repetition ratio to each peer.
fn ratios() {
    let reps: usize = std::env::var("QUEUE_REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    println!(
        "\n{} items per run, {reps} interleaved repetitions; M items/s (median), and WorkQueue's \
         median per-repetition ratio to each peer\n",
        ITEMS
    );
    println!(
        "| shape | WorkQueue | crossbeam + count | flume + count | raw crossbeam | raw flume \
         | WQ / crossbeam + count | WQ / flume + count | WQ / raw crossbeam | WQ / raw flume |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (bounded, p, c) in shapes() {
        let mut rates: Vec<Vec<f64>> = vec![Vec::new(); VARIANTS.len()];
        let mut ratio: Vec<Vec<f64>> = vec![Vec::new(); VARIANTS.len()];
        for _ in 0..reps {
            let mut this = [0f64; VARIANTS.len()];
            for (i, (_, run)) in VARIANTS.iter().enumerate() {
                let start = Instant::now();
                assert_eq!(black_box(run(p, c, bounded)), EXPECTED);
                this[i] = ITEMS as f64 / start.elapsed().as_secs_f64();
            }
            for i in 0..VARIANTS.len() {
                rates[i].push(this[i]);
                ratio[i].push(this[0] / this[i]);
            }
        }
        let m: Vec<f64> = rates.into_iter().map(median).collect();
        let r: Vec<f64> = ratio.into_iter().map(median).collect();
        println!(
            "| {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2}× | {:.2}× | {:.2}× | {:.2}× |",
            shape_name(bounded, p, c),
            m[0] / 1e6,
            m[1] / 1e6,
            m[2] / 1e6,
            m[3] / 1e6,
            m[4] / 1e6,
            r[1],
            r[2],
            r[3],
            r[4],
        );
    }
}

fn criterion_groups() {
    let mut c = Criterion::default().configure_from_args();
    for (bounded, p, cons) in shapes() {
        let mut group = c.benchmark_group(shape_name(bounded, p, cons));
        group
            .throughput(Throughput::Elements(ITEMS))
            .sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(2));
        for (label, run) in VARIANTS {
            group.bench_function(BenchmarkId::from_parameter(label), |b| {
                b.iter(|| assert_eq!(black_box(run(p, cons, bounded)), EXPECTED))
            });
        }
        group.finish();
    }
    c.final_summary();
}

fn main() {
    ratios();
    if std::env::var_os("QUEUE_CRITERION").is_some() {
        criterion_groups();
    }
}
