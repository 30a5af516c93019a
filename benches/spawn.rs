//! What `#[threaded]` costs over writing the thread by hand.
//!
//! Each benchmark spawns one named thread that adds two numbers and joins it.
//! The hand-written variant is what the macro replaces:
//! `std::thread::Builder::new().name(..).spawn(..)` then `join`. Run with
//! `cargo bench --bench spawn`; the ratio `threaded / builder` is the cost of
//! the macro (target: at most 1.02).

use std::hint::black_box;
use std::thread::Builder;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use threaded::threaded;

#[threaded]
fn add(a: u64, b: u64) -> u64 {
    a + b
}

#[threaded(name = "add")]
fn add_named(a: u64, b: u64) -> u64 {
    a + b
}

struct Adder(u64);

impl Adder {
    #[threaded]
    fn add(self, b: u64) -> u64 {
        self.0 + b
    }
}

fn by_hand(a: u64, b: u64) -> u64 {
    Builder::new()
        .name("add".to_owned())
        .spawn(move || a + b)
        .expect("failed to spawn thread")
        .join()
        .unwrap()
}

fn spawn_and_join(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn+join");
    group.measurement_time(Duration::from_secs(5));
    // Interleaved in one run, so the machine's noise hits every variant alike.
    group.bench_function("std Builder::spawn (by hand)", |b| {
        b.iter(|| by_hand(black_box(1), black_box(2)))
    });
    group.bench_function("#[threaded] fn", |b| {
        b.iter(|| add(black_box(1), black_box(2)).join().unwrap())
    });
    group.bench_function("#[threaded(name)] fn", |b| {
        b.iter(|| add_named(black_box(1), black_box(2)).join().unwrap())
    });
    group.bench_function("#[threaded] method", |b| {
        b.iter(|| Adder(black_box(1)).add(black_box(2)).join().unwrap())
    });
    group.bench_function("std::thread::spawn (unnamed)", |b| {
        b.iter(|| {
            let (a, c) = (black_box(1u64), black_box(2u64));
            std::thread::spawn(move || a + c).join().unwrap()
        })
    });
    group.finish();
}

/// The same comparison with the two variants interleaved call by call: each
/// benchmark times only its own calls but runs the other's in between, so
/// drift of the machine (other load, frequency) lands on both alike. This is
/// the row to read the ratio from.
fn interleaved(c: &mut Criterion) {
    fn timed(iters: u64, measured: &dyn Fn() -> u64, other: &dyn Fn() -> u64) -> Duration {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let start = Instant::now();
            black_box(measured());
            total += start.elapsed();
            black_box(other());
        }
        total
    }
    let hand = || by_hand(black_box(1), black_box(2));
    let macro_ = || add(black_box(1), black_box(2)).join().unwrap();
    let mut group = c.benchmark_group("interleaved spawn+join");
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("std Builder::spawn (by hand)", |b| {
        b.iter_custom(|iters| timed(iters, &hand, &macro_))
    });
    group.bench_function("#[threaded] fn", |b| {
        b.iter_custom(|iters| timed(iters, &macro_, &hand))
    });
    group.finish();
}

criterion_group!(benches, spawn_and_join, interleaved);
criterion_main!(benches);
