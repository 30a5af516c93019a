// A lone brace says how to write a literal one.
use threaded::threaded;

#[threaded(name = "worker-{id")]
fn work(id: u32) {
    let _ = id;
}

#[threaded(name = "set}")]
fn other() {}

fn main() {
    let _ = work(1).join();
    let _ = other().join();
}
