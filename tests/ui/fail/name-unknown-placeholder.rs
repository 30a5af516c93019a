// A placeholder that is not an argument is one error on the literal, which
// names the arguments it can use (not `self`, not patterns).
use threaded::threaded;

struct Pool;

impl Pool {
    #[threaded(name = "worker-{idx}-{tag}")]
    fn work(self, id: u32, (a, b): (u8, u8), label: String) {
        let _ = (id, a, b, label);
    }
}

fn main() {
    let _ = Pool.work(1, (2, 3), String::new()).join();
}
