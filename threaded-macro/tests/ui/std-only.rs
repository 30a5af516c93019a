// Every form of plain `#[threaded]`, with `threaded-macro` as the only dependency.
use std::sync::Arc;
use threaded_macro::threaded;

#[threaded]
fn double(n: u64) -> u64 {
    n * 2
}

#[threaded(name = "named", stack_size = 1 << 20)]
fn named() -> Option<String> {
    std::thread::current().name().map(str::to_owned)
}

struct Job(u32);

impl Job {
    #[threaded]
    fn run(self) -> (u32, Option<String>) {
        (self.0, std::thread::current().name().map(str::to_owned))
    }

    #[threaded]
    fn shared(self: Arc<Self>) -> u32 {
        self.0
    }
}

fn main() {
    assert_eq!(double(21).join().unwrap(), 42);
    assert_eq!(named().join().unwrap().as_deref(), Some("named"));
    assert_eq!(Job(3).run().join().unwrap(), (3, Some("Job::run".to_owned())));
    assert_eq!(Arc::new(Job(4)).shared().join().unwrap(), 4);
}
