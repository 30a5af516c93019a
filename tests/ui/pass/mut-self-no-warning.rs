// A `mut self` method mutating `self` gets no warning it would not get without the attribute.
#![deny(warnings)]

use threaded::threaded;

pub struct Counter {
    pub n: u32,
}

impl Counter {
    #[threaded]
    pub fn bump(mut self) {
        self.n += 1;
    }
}

fn main() {
    Counter { n: 0 }.bump().join().unwrap();
}
