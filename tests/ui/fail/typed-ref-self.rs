use std::pin::Pin;
use threaded::threaded;

struct Counter;

impl Counter {
    #[threaded]
    fn poll(self: Pin<&mut Self>) {}
}

fn main() {
    let mut counter = Counter;
    let _ = Pin::new(&mut counter).poll().join();
}
