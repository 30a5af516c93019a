// An `impl Trait` return type becomes `JoinHandle<impl Trait>`.
use std::fmt::Display;
use threaded::threaded;

#[threaded]
fn label(n: u32) -> impl Display + Send + 'static {
    format!("#{n}")
}

fn main() {
    assert_eq!(label(3).join().unwrap().to_string(), "#3");
}
