use threaded::threaded;

#[threaded(name = reader)]
fn read() -> u32 {
    1
}

fn main() {
    let _ = read().join();
}
