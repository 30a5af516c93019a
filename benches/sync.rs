//! `threaded::sync` against what a user writes instead, side by side in one run.
//!
//! - uncontended: one thread takes and gives back, in a loop: `std::sync::Mutex`
//!   lock + unlock (the target: a `Semaphore` acquire + release within 2× of it), a
//!   `Semaphore` acquire + drop of the permit, an `RLock` lock + unlock, and the semaphore a
//!   student writes by hand on a `Mutex<usize>` and a `Condvar`;
//! - contended: 8 threads through a `Semaphore(2)`, each taking and giving back a permit
//!   `ROUNDS` times, against the hand-written semaphore.
//!
//! After criterion's groups, `main` prints the uncontended ratios measured per repetition
//! (each repetition times every variant back to back, so the machine's noise hits them
//! alike), as the median and range over the repetitions.
//!
//! Run: `cargo bench --bench sync`.

use std::hint::black_box;
use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use threaded::sync::{RLock, Semaphore};

/// The semaphore written by hand, as Python's own `threading.Semaphore` is written.
struct HandSemaphore {
    count: Mutex<usize>,
    available: Condvar,
}

impl HandSemaphore {
    fn new(permits: usize) -> HandSemaphore {
        HandSemaphore {
            count: Mutex::new(permits),
            available: Condvar::new(),
        }
    }

    fn acquire(&self) {
        let mut count = self
            .available
            .wait_while(self.count.lock().unwrap(), |count| *count == 0)
            .unwrap();
        *count -= 1;
    }

    fn release(&self) {
        *self.count.lock().unwrap() += 1;
        self.available.notify_one();
    }
}

const THREADS: usize = 8;
const ROUNDS: usize = 2_000;

fn uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("uncontended take+give back");
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .throughput(Throughput::Elements(1));
    let mutex = Mutex::new(0u64);
    group.bench_function("std Mutex lock+unlock", |b| {
        b.iter(|| *black_box(&mutex).lock().unwrap() += 1)
    });
    let sem = Semaphore::new(1);
    group.bench_function("Semaphore acquire+drop", |b| {
        b.iter(|| drop(black_box(&sem).acquire()))
    });
    group.bench_function("Semaphore try_acquire+drop", |b| {
        b.iter(|| drop(black_box(&sem).try_acquire()))
    });
    let rlock = RLock::new(());
    group.bench_function("RLock lock+unlock", |b| {
        b.iter(|| drop(black_box(&rlock).lock()))
    });
    let hand = HandSemaphore::new(1);
    group.bench_function("Mutex+Condvar semaphore (by hand)", |b| {
        b.iter(|| {
            black_box(&hand).acquire();
            hand.release();
        })
    });
    group.finish();
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("Semaphore(2), 8 threads");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements((THREADS * ROUNDS) as u64));
    group.bench_function("threaded Semaphore", |b| b.iter(contended_semaphore));
    group.bench_function("Mutex+Condvar semaphore (by hand)", |b| {
        b.iter(contended_hand)
    });
    group.finish();
}

fn contended_semaphore() {
    let sem = Semaphore::new(2);
    thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for _ in 0..ROUNDS {
                    let permit = sem.acquire();
                    black_box(&permit);
                }
            });
        }
    });
}

fn contended_hand() {
    let sem = HandSemaphore::new(2);
    thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for _ in 0..ROUNDS {
                    sem.acquire();
                    black_box(&sem);
                    sem.release();
                }
            });
        }
    });
}

/// Nanoseconds per take+give back of `f`, over `n` calls.
fn per_call(n: u32, mut f: impl FnMut()) -> f64 {
    let started = Instant::now();
    for _ in 0..n {
        f();
    }
    started.elapsed().as_nanos() as f64 / f64::from(n)
}

/// The uncontended ratios to a `Mutex`, computed within each repetition. Repetitions are
/// short (about a millisecond) and many, so that a preemption on a loaded machine spoils a
/// few of them, not the median; the ratio of the fastest repetitions is printed too.
fn ratios() {
    const REPS: usize = 301;
    const N: u32 = 20_000;
    let mutex = Mutex::new(0u64);
    let sem = Semaphore::new(1);
    let rlock = RLock::new(());
    let hand = HandSemaphore::new(1);
    let names = [
        "Semaphore acquire+drop",
        "Semaphore try_acquire+drop",
        "RLock lock+unlock",
        "Mutex+Condvar semaphore (by hand)",
        "Arc clone+drop (what a Permit adds)",
    ];
    let arc = std::sync::Arc::new(());
    let mut ratios: Vec<Vec<f64>> = vec![vec![]; names.len()];
    let mut fastest = [f64::INFINITY; 6];
    for _ in 0..REPS {
        let times = [
            per_call(N, || *black_box(&mutex).lock().unwrap() += 1),
            per_call(N, || drop(black_box(&sem).acquire())),
            per_call(N, || drop(black_box(&sem).try_acquire())),
            per_call(N, || drop(black_box(&rlock).lock())),
            per_call(N, || {
                black_box(&hand).acquire();
                hand.release();
            }),
            per_call(N, || drop(black_box(std::sync::Arc::clone(&arc)))),
        ];
        for (i, t) in times.iter().enumerate() {
            fastest[i] = fastest[i].min(*t);
            if i > 0 {
                ratios[i - 1].push(t / times[0]);
            }
        }
    }
    println!();
    println!("uncontended, {REPS} repetitions of {N} calls each; ratio to std Mutex lock+unlock");
    println!("| variant | fastest ns | ratio of fastest | median ratio | quartiles |");
    println!("|---|---|---|---|---|");
    println!(
        "| std Mutex lock+unlock | {:.1} | 1.00 | 1.00 | |",
        fastest[0]
    );
    for (i, (name, mut r)) in names.iter().zip(ratios).enumerate() {
        r.sort_by(f64::total_cmp);
        let q = |f: f64| r[((r.len() - 1) as f64 * f) as usize];
        println!(
            "| {name} | {:.1} | {:.2} | {:.2} | {:.2}–{:.2} |",
            fastest[i + 1],
            fastest[i + 1] / fastest[0],
            q(0.5),
            q(0.25),
            q(0.75)
        );
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    uncontended(&mut c);
    contended(&mut c);
    c.final_summary();
    ratios();
}
