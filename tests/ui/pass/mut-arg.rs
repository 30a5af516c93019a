// `mut` arguments stay mutable inside the thread.
use threaded::threaded;

#[threaded]
fn countdown(mut n: u32, mut log: Vec<u32>) -> Vec<u32> {
    while n > 0 {
        log.push(n);
        n -= 1;
    }
    log
}

fn main() {
    assert_eq!(countdown(3, vec![9]).join().unwrap(), vec![9, 3, 2, 1]);
}
