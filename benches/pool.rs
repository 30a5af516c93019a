//! `threaded::pool` against what a user would write instead: a submit + join
//! round trip of a trivial job, and the throughput of 1 000 000 tiny jobs
//! from one submitter.
//!
//! `cargo bench --bench pool` runs a short criterion group, then prints
//! markdown tables. The tables time every variant once per repetition, in a
//! rotating order, and take each ratio within one repetition, so a change of
//! load on the (shared, noisy) machine lands on both sides of a ratio alike;
//! they report the median over the repetitions. `POOL_BENCH_REPS` sets the
//! repetitions (default 7).
//!
//! Every pool has 2 workers, the cores of the machine this was written on.
//! Needs `python3` for the CPython row; it is skipped without it.

use std::hint::black_box;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use criterion::Criterion;
use crossbeam_channel::{Receiver, Sender};
use threaded::pool::ThreadPool;
use threaded::threaded;

const WORKERS: usize = 2;
const JOBS: u64 = 1_000_000;

#[threaded]
fn add(a: u64, b: u64) -> u64 {
    a + b
}

#[threaded(pool)]
fn add_pooled(a: u64, b: u64) -> u64 {
    a + b
}

/// The pool a Rust engineer writes by hand on crossbeam-channel: boxed
/// closures on one channel, a one-slot channel back for each result.
struct HandPool {
    jobs: Option<Sender<Box<dyn FnOnce() + Send>>>,
    workers: Vec<JoinHandle<()>>,
}

impl HandPool {
    fn new(workers: usize) -> Self {
        let (jobs, rx) = crossbeam_channel::unbounded::<Box<dyn FnOnce() + Send>>();
        let workers = (0..workers)
            .map(|_| {
                let rx = rx.clone();
                thread::spawn(move || {
                    for job in rx {
                        job();
                    }
                })
            })
            .collect();
        Self {
            jobs: Some(jobs),
            workers,
        }
    }

    fn submit<R: Send + 'static>(&self, f: impl FnOnce() -> R + Send + 'static) -> Receiver<R> {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.jobs.as_ref().unwrap().send(job).unwrap();
        rx
    }
}

impl Drop for HandPool {
    fn drop(&mut self) {
        self.jobs = None;
        for worker in self.workers.drain(..) {
            worker.join().unwrap();
        }
    }
}

fn rayon_pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(WORKERS)
        .build()
        .unwrap()
}

/// One variant of the round trip: its name and how many round trips it does
/// per repetition (so that each takes about the same time).
type RoundTrip<'a> = (&'a str, u64, Box<dyn Fn() -> u64 + 'a>);

fn round_trips<'a>(
    pool: &'a ThreadPool,
    hand: &'a HandPool,
    rayon: &'a rayon::ThreadPool,
) -> Vec<RoundTrip<'a>> {
    vec![
        (
            "`threaded::pool::ThreadPool` submit + join",
            20_000,
            Box::new(move || {
                let (a, b) = (black_box(1), black_box(2));
                pool.submit(move || a + b).join().unwrap()
            }),
        ),
        (
            "hand-written crossbeam-channel pool",
            20_000,
            Box::new(move || {
                let (a, b) = (black_box(1), black_box(2));
                hand.submit(move || a + b).recv().unwrap()
            }),
        ),
        (
            "rayon `ThreadPool::install`",
            20_000,
            Box::new(move || {
                let (a, b) = (black_box(1), black_box(2));
                rayon.install(move || a + b)
            }),
        ),
        (
            "rayon `spawn` + channel",
            20_000,
            Box::new(move || {
                let (a, b) = (black_box(1), black_box(2));
                let (tx, rx) = crossbeam_channel::bounded(1);
                rayon.spawn(move || {
                    let _ = tx.send(a + b);
                });
                rx.recv().unwrap()
            }),
        ),
        (
            "`#[threaded(pool)]` call + join (global pool: cores + 4 workers)",
            20_000,
            Box::new(|| add_pooled(black_box(1), black_box(2)).join().unwrap()),
        ),
        (
            "`#[threaded]` spawn + join (new thread)",
            2_000,
            Box::new(|| add(black_box(1), black_box(2)).join().unwrap()),
        ),
    ]
}

fn criterion_group(c: &mut Criterion) {
    let pool = ThreadPool::new(WORKERS);
    let hand = HandPool::new(WORKERS);
    let rayon = rayon_pool();
    let mut group = c.benchmark_group("submit+join");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for (name, _, f) in round_trips(&pool, &hand, &rayon) {
        group.bench_function(name, |b| b.iter(&f));
    }
    group.finish();
}

fn reps() -> usize {
    std::env::var("POOL_BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The mean ns of one submit().result() in CPython, over `n`; `None` without python3.
fn cpython_round_trip(n: u64) -> Option<f64> {
    let script = format!(
        "{}/benches/python/pool_roundtrip.py",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = Command::new("python3")
        .arg(script)
        .arg(n.to_string())
        .arg(WORKERS.to_string())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

fn round_trip_table() {
    let pool = ThreadPool::new(WORKERS);
    let hand = HandPool::new(WORKERS);
    let rayon = rayon_pool();
    let variants = round_trips(&pool, &hand, &rayon);
    let reps = reps();
    // ns per round trip: [variant][rep]; the CPython column last.
    let mut ns = vec![Vec::new(); variants.len() + 1];
    for (_, n, f) in &variants {
        for _ in 0..(n / 10) {
            black_box(f());
        }
    }
    let mut python = true;
    for rep in 0..reps {
        for k in 0..variants.len() {
            let index = (k + rep) % variants.len();
            let (_, n, f) = &variants[index];
            let start = Instant::now();
            for _ in 0..*n {
                black_box(f());
            }
            ns[index].push(start.elapsed().as_nanos() as f64 / *n as f64);
        }
        if python {
            match cpython_round_trip(10_000) {
                Some(value) => ns[variants.len()].push(value),
                None => python = false,
            }
        }
    }
    let pool_ns = &ns[0];
    println!("\n### Round trip of a trivial job ({WORKERS} workers, {reps} repetitions)\n");
    println!("| variant | median µs | ratio ThreadPool / variant (median of per-rep ratios) |");
    println!("|---|---|---|");
    let names: Vec<&str> = variants
        .iter()
        .map(|(name, _, _)| *name)
        .chain(["CPython `ThreadPoolExecutor.submit().result()`"])
        .collect();
    for (index, name) in names.iter().enumerate() {
        if ns[index].is_empty() {
            println!("| {name} | skipped: no python3 | |");
            continue;
        }
        let ratios = pool_ns
            .iter()
            .zip(&ns[index])
            .map(|(pool, other)| pool / other)
            .collect();
        println!(
            "| {name} | {:.2} | {:.3} |",
            median(ns[index].clone()) / 1e3,
            median(ratios)
        );
    }
}

/// 1 000 000 jobs that each send a number back through a channel, from one
/// submitter; the time until the last has come back.
fn throughput_table() {
    fn pool_channel(pool: &ThreadPool) -> Duration {
        let (tx, rx) = mpsc::channel();
        let start = Instant::now();
        for i in 0..JOBS {
            let tx = tx.clone();
            drop(pool.submit(move || tx.send(i).unwrap()));
        }
        let sum: u64 = rx.iter().take(JOBS as usize).sum();
        assert_eq!(sum, JOBS * (JOBS - 1) / 2);
        start.elapsed()
    }
    fn pool_joined(pool: &ThreadPool) -> Duration {
        let start = Instant::now();
        let jobs: Vec<_> = (0..JOBS)
            .map(|i| pool.submit(move || black_box(i)))
            .collect();
        let sum: u64 = jobs.into_iter().map(|job| job.join().unwrap()).sum();
        assert_eq!(sum, JOBS * (JOBS - 1) / 2);
        start.elapsed()
    }
    fn rayon_channel(rayon: &rayon::ThreadPool) -> Duration {
        let (tx, rx) = mpsc::channel();
        let start = Instant::now();
        for i in 0..JOBS {
            let tx = tx.clone();
            rayon.spawn(move || tx.send(i).unwrap());
        }
        let sum: u64 = rx.iter().take(JOBS as usize).sum();
        assert_eq!(sum, JOBS * (JOBS - 1) / 2);
        start.elapsed()
    }
    fn hand_counter(hand: &HandPool) -> Duration {
        let done = Arc::new(AtomicU64::new(0));
        let (tx, rx) = mpsc::channel();
        let start = Instant::now();
        for i in 0..JOBS {
            let tx = tx.clone();
            let done = Arc::clone(&done);
            drop(hand.submit(move || {
                done.fetch_add(1, Ordering::Relaxed);
                tx.send(i).unwrap()
            }));
        }
        let sum: u64 = rx.iter().take(JOBS as usize).sum();
        assert_eq!(sum, JOBS * (JOBS - 1) / 2);
        start.elapsed()
    }

    let pool = ThreadPool::new(WORKERS);
    let hand = HandPool::new(WORKERS);
    let rayon = rayon_pool();
    let reps = reps().min(5);
    type Variant<'a> = (&'a str, Box<dyn Fn() -> Duration + 'a>);
    let variants: Vec<Variant> = vec![
        (
            "`ThreadPool::submit`, result sent on a channel, `Job` dropped",
            Box::new(|| pool_channel(&pool)),
        ),
        (
            "rayon `spawn` + channel",
            Box::new(|| rayon_channel(&rayon)),
        ),
        (
            "`ThreadPool::submit`, every `Job` kept and joined",
            Box::new(|| pool_joined(&pool)),
        ),
        (
            "hand-written crossbeam-channel pool + channel",
            Box::new(|| hand_counter(&hand)),
        ),
    ];
    let mut secs = vec![Vec::new(); variants.len()];
    for rep in 0..reps {
        for k in 0..variants.len() {
            let index = (k + rep) % variants.len();
            secs[index].push(variants[index].1().as_secs_f64());
        }
    }
    println!("\n### {JOBS} tiny jobs from one submitter ({WORKERS} workers, {reps} repetitions)\n");
    println!(
        "| variant | median jobs/s | ratio to rayon spawn + channel (median of per-rep ratios) |"
    );
    println!("|---|---|---|");
    for (index, (name, _)) in variants.iter().enumerate() {
        let ratios = secs[1]
            .iter()
            .zip(&secs[index])
            .map(|(rayon, this)| rayon / this)
            .collect();
        println!(
            "| {name} | {:.0} | {:.2} |",
            JOBS as f64 / median(secs[index].clone()),
            median(ratios)
        );
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    criterion_group(&mut c);
    c.final_summary();
    round_trip_table();
    throughput_table();
}
