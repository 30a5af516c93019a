// Every problem is reported at once, each at its own token.
use threaded::threaded;

struct Counter;

impl Counter {
    #[threaded(nmae = "x")]
    async fn get(&self, label: &str) -> usize {
        label.len()
    }
}

fn main() {
    let _ = Counter.get("x").join();
}
