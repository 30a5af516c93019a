//! Spawn benchmarks (placeholder).

fn main() {}
