use threaded::threaded;

#[threaded(daemon)]
fn work() -> u32 {
    1
}

fn main() {
    let _ = work().join();
}
