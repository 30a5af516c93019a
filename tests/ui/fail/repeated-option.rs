use threaded::threaded;

#[threaded(name = "a", name = "b")]
fn work() -> u32 {
    1
}

fn main() {
    let _ = work().join();
}
