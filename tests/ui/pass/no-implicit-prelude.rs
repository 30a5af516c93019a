// The expansion names everything by absolute path: it works under `#![no_implicit_prelude]`.
#![no_implicit_prelude]

extern crate std;

use ::threaded::{StopEvent, threaded};

#[threaded]
fn free(x: u32) -> u32 {
    x
}

#[threaded(stoppable, name = "named")]
fn stoppable(stop: StopEvent) {
    stop.wait();
}

struct S;

impl S {
    #[threaded]
    fn method(self) -> u32 {
        1
    }
}

fn main() {
    std::assert_eq!(free(1).join().unwrap(), 1);
    std::assert_eq!(S.method().join().unwrap(), 1);
    stoppable().stop_and_join().unwrap();
}
