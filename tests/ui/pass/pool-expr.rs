// `#[threaded(pool = EXPR)]` submits to the pool EXPR gives (a `&ThreadPool`,
// or what derefs to one), from methods and associated functions too.
use std::sync::{Arc, LazyLock};
use threaded::pool::ThreadPool;
use threaded::threaded;

static POOL: LazyLock<ThreadPool> =
    LazyLock::new(|| ThreadPool::builder().workers(2).name("mine").build().unwrap());

fn other() -> &'static ThreadPool {
    static OTHER: LazyLock<ThreadPool> =
        LazyLock::new(|| ThreadPool::builder().workers(1).name("other").build().unwrap());
    &OTHER
}

fn thread_name() -> String {
    std::thread::current().name().unwrap().to_owned()
}

#[threaded(pool = &POOL)]
fn by_ref() -> String {
    thread_name()
}

#[threaded(pool = POOL)]
fn by_static() -> String {
    thread_name()
}

#[threaded(pool = other())]
fn by_call() -> String {
    thread_name()
}

struct Counter(u32);

impl Counter {
    #[threaded(pool = &POOL)]
    fn add(self, n: u32) -> u32 {
        self.0 + n
    }

    #[threaded(pool = &POOL)]
    fn bump(mut self) -> u32 {
        self.0 += 1;
        self.0
    }

    #[threaded(pool = &POOL)]
    fn shared(self: Arc<Self>) -> u32 {
        self.0
    }

    #[threaded(pool = &POOL)]
    fn boxed(self: Box<Self>) -> u32 {
        self.0
    }

    #[threaded(pool)]
    fn make(n: u32) -> Self {
        Counter(n)
    }
}

fn main() {
    assert!(by_ref().join().unwrap().starts_with("mine-"));
    assert!(by_static().join().unwrap().starts_with("mine-"));
    assert_eq!(by_call().join().unwrap(), "other-0");
    assert_eq!(Counter(1).add(2).join().unwrap(), 3);
    assert_eq!(Counter(1).bump().join().unwrap(), 2);
    assert_eq!(Arc::new(Counter(7)).shared().join().unwrap(), 7);
    assert_eq!(Box::new(Counter(8)).boxed().join().unwrap(), 8);
    assert_eq!(Counter::make(9).join().unwrap().0, 9);
}
