use threaded::threaded;

struct Counter {
    n: u32,
}

impl Counter {
    #[threaded]
    fn bump(&mut self) {
        self.n += 1;
    }
}

fn main() {
    let mut counter = Counter { n: 1 };
    let _ = counter.bump().join();
}
