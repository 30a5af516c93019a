//! WorkQueue against the raw channels it competes with, side by side in one run.
//!
//! Each iteration moves `ITEMS` `u64`s from P producer threads to C consumer threads and
//! ends when every item was consumed. WorkQueue does put + get + task_done per item and
//! its consumers stop on `GetError::ShutDown`; the channels do send + recv and their
//! consumers stop on disconnection. std's `Receiver` is not `Clone`, so with more than one
//! consumer its consumers share it behind a `Mutex` (the usual std-only way).
//!
//! Run: `cargo bench --bench queue`. Throughput is reported in items/s.

use std::hint::black_box;
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use threaded::WorkQueue;

const ITEMS: u64 = 100_000;
const CAP: usize = 1024;

/// Splits `ITEMS` over `p` producers, each calling `send` for its share.
fn produce(p: u64, send: impl Fn(u64) + Sync) {
    let per = ITEMS / p;
    thread::scope(|s| {
        for i in 0..p {
            let send = &send;
            s.spawn(move || {
                for v in i * per..(i + 1) * per {
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
                        sum += v;
                        q.task_done().unwrap();
                    }
                    sum
                })
            })
            .collect();
        produce(p, |v| q.put(v).unwrap());
        q.shutdown();
        consumers.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

fn flume(p: u64, c: usize, bounded: bool) -> u64 {
    let (tx, rx) = if bounded {
        flume::bounded(CAP)
    } else {
        flume::unbounded()
    };
    thread::scope(|s| {
        let consumers: Vec<_> = (0..c)
            .map(|_| {
                let rx = rx.clone();
                s.spawn(move || rx.iter().sum::<u64>())
            })
            .collect();
        drop(rx);
        produce(p, |v| tx.send(v).unwrap());
        drop(tx);
        consumers.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

fn crossbeam(p: u64, c: usize, bounded: bool) -> u64 {
    let (tx, rx) = if bounded {
        crossbeam_channel::bounded(CAP)
    } else {
        crossbeam_channel::unbounded()
    };
    thread::scope(|s| {
        let consumers: Vec<_> = (0..c)
            .map(|_| {
                let rx = rx.clone();
                s.spawn(move || rx.iter().sum::<u64>())
            })
            .collect();
        drop(rx);
        produce(p, |v| tx.send(v).unwrap());
        drop(tx);
        consumers.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

fn std_mpsc(p: u64, c: usize, bounded: bool) -> u64 {
    enum Tx {
        Unbounded(mpsc::Sender<u64>),
        Bounded(mpsc::SyncSender<u64>),
    }
    let (tx, rx) = if bounded {
        let (tx, rx) = mpsc::sync_channel(CAP);
        (Tx::Bounded(tx), rx)
    } else {
        let (tx, rx) = mpsc::channel();
        (Tx::Unbounded(tx), rx)
    };
    thread::scope(|s| {
        let consumers: Vec<_> = if c == 1 {
            vec![s.spawn(move || rx.iter().sum::<u64>())]
        } else {
            let rx = Arc::new(Mutex::new(rx));
            (0..c)
                .map(|_| {
                    let rx = Arc::clone(&rx);
                    s.spawn(move || {
                        let mut sum = 0;
                        while let Ok(v) = rx.lock().unwrap().recv() {
                            sum += v;
                        }
                        sum
                    })
                })
                .collect()
        };
        // Each producer thread needs its own sender clone; `Sender` is `Sync` but cloning
        // per thread is what std code does.
        let per = ITEMS / p;
        thread::scope(|ps| {
            for i in 0..p {
                let tx = match &tx {
                    Tx::Unbounded(t) => Tx::Unbounded(t.clone()),
                    Tx::Bounded(t) => Tx::Bounded(t.clone()),
                };
                ps.spawn(move || {
                    for v in i * per..(i + 1) * per {
                        match &tx {
                            Tx::Unbounded(t) => t.send(v).unwrap(),
                            Tx::Bounded(t) => t.send(v).unwrap(),
                        }
                    }
                });
            }
        });
        drop(tx);
        consumers
            .into_iter()
            .map(|h| h.join().unwrap())
            .sum::<u64>()
    })
}

fn bench(c: &mut Criterion) {
    let expected = ITEMS * (ITEMS - 1) / 2;
    type Run = fn(u64, usize, bool) -> u64;
    let impls: [(&str, Run); 4] = [
        ("WorkQueue", workqueue),
        ("flume", flume),
        ("crossbeam-channel", crossbeam),
        ("std-mpsc", std_mpsc),
    ];
    for bounded in [false, true] {
        for (p, cons) in [(1u64, 1usize), (2, 2), (4, 4)] {
            let name = format!(
                "{}/{p}p{cons}c",
                if bounded { "bounded1024" } else { "unbounded" }
            );
            let mut group = c.benchmark_group(name);
            group
                .throughput(Throughput::Elements(ITEMS))
                .sample_size(10)
                .warm_up_time(Duration::from_millis(300))
                .measurement_time(Duration::from_secs(2));
            for (label, run) in impls {
                group.bench_function(BenchmarkId::from_parameter(label), |b| {
                    b.iter(|| assert_eq!(black_box(run(p, cons, bounded)), expected))
                });
            }
            group.finish();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
