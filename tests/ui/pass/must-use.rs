// The handle of a `#[threaded]` call is `#[must_use]`, and nothing else warns:
// `let _ =` detaches on purpose, a trait `impl` takes the attribute without
// a warning, and a `#[must_use]` of the user's own is kept.
#![deny(warnings)]
use std::thread::JoinHandle;
use threaded::threaded;

#[threaded]
fn detached() {}

#[must_use = "my own reason"]
#[threaded]
fn own_reason() -> u32 {
    7
}

trait Job {
    fn run(self) -> JoinHandle<u32>;
}

struct Square(u32);

impl Job for Square {
    #[threaded]
    fn run(self) -> u32 {
        self.0 * self.0
    }
}

fn main() {
    let _ = detached(); // on purpose
    assert_eq!(own_reason().join().unwrap(), 7);
    assert_eq!(Square(3).run().join().unwrap(), 9);
}
