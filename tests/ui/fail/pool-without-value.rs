use threaded::threaded;

#[threaded(pool =)]
fn work() {}

fn main() {
    let _job = work();
}
