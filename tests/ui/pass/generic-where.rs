// Generics, bounds and where clauses are kept.
use std::fmt::Display;
use threaded::threaded;

#[threaded]
fn describe<T, U: Clone + Send + 'static>(value: T, extra: U) -> String
where
    T: Display + Send + 'static,
{
    let _copy = extra.clone();
    format!("<{value}>")
}

#[threaded]
fn sum<const N: usize>(values: [u32; N]) -> u32 {
    values.iter().sum()
}

fn main() {
    assert_eq!(describe(7, ()).join().unwrap(), "<7>");
    assert_eq!(describe("x", 1u8).join().unwrap(), "<x>");
    assert_eq!(sum([1, 2, 3]).join().unwrap(), 6);
}
