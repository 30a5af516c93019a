use threaded::threaded;

#[threaded(stack_size)]
fn work() -> u32 {
    1
}

fn main() {
    let _ = work().join();
}
