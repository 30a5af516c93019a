// `mut self` can be changed inside the thread and handed back.
use threaded::threaded;

#[derive(Debug, PartialEq)]
struct Counter {
    n: u32,
}

impl Counter {
    #[threaded]
    fn bumped(mut self, times: u32) -> Self {
        for _ in 0..times {
            self.n += 1;
        }
        self
    }
}

fn main() {
    assert_eq!(Counter { n: 1 }.bumped(2).join().unwrap(), Counter { n: 3 });
}
