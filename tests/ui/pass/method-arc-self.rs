// `self: Arc<Self>` shares the value with the thread.
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use threaded::threaded;

struct Stats {
    hits: AtomicU32,
}

impl Stats {
    #[threaded]
    fn hit(self: Arc<Self>, n: u32) {
        self.hits.fetch_add(n, Ordering::SeqCst);
    }
}

fn main() {
    let stats = Arc::new(Stats { hits: AtomicU32::new(0) });
    let handles: Vec<_> = (1..=4).map(|n| Arc::clone(&stats).hit(n)).collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(stats.hits.load(Ordering::SeqCst), 10);
    assert_eq!(Arc::strong_count(&stats), 1);
}
