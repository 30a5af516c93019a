//! What `#[threaded]` costs over writing the thread by hand.
//!
//! Each benchmark spawns one named thread that adds two numbers and joins it.
//! The hand-written variant is what the macro replaces:
//! `std::thread::Builder::new().name(..).spawn(..)` then `join`. Run with
//! `cargo bench --bench spawn`; the ratio `threaded / builder` is the cost of
//! the macro (target: at most 1.02).

use std::hint::black_box;
use std::thread::Builder;
use std::time::Duration;

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

criterion_group!(benches, spawn_and_join);
criterion_main!(benches);
