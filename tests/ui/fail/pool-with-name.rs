use threaded::threaded;

#[threaded(pool, name = "worker", stack_size = 1 << 20)]
fn work(n: u32) -> u32 {
    n
}

fn main() {
    let _job = work(1);
}
