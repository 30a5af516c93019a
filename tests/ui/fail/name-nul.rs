use threaded::threaded;

#[threaded(name = "read\0er")]
fn read() -> u32 {
    1
}

fn main() {
    let _ = read().join();
}
