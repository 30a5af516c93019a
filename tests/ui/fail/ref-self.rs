use threaded::threaded;

struct Counter {
    n: u32,
}

impl Counter {
    #[threaded]
    fn get(&self) -> u32 {
        self.n
    }
}

fn main() {
    let counter = Counter { n: 1 };
    let _ = counter.get().join();
}
