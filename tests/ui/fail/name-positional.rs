// Positional placeholders have no argument to refer to.
use threaded::threaded;

#[threaded(name = "worker-{}")]
fn work(id: u32) {
    let _ = id;
}

#[threaded(name = "worker-{0}")]
fn other(id: u32) {
    let _ = id;
}

fn main() {
    let _ = work(1).join();
    let _ = other(1).join();
}
