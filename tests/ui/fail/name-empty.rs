use threaded::threaded;

#[threaded(name = "")]
fn read() -> u32 {
    1
}

fn main() {
    let _ = read().join();
}
