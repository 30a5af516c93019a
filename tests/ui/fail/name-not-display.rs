// An argument without `Display` is reported at the name that formats it.
use threaded::threaded;

struct Id(u32);

#[threaded(name = "worker-{id}")]
fn work(id: Id) {
    let _ = id.0;
}

fn main() {
    let _ = work(Id(1)).join();
}
