use threaded::threaded;

struct Config {
    workers: usize,
}

static CONFIG: Config = Config { workers: 4 };

#[threaded(pool = CONFIG)]
fn work() -> usize {
    CONFIG.workers
}

fn main() {
    let _job = work();
}
