// `crate = ...` points the stoppable expansion at a renamed facade, as a string or a path.
extern crate threaded as renamed;

use renamed::{StopEvent, threaded};

#[threaded(stoppable, crate = "renamed")]
fn as_string(stop: StopEvent) -> bool {
    stop.wait();
    stop.is_set()
}

#[threaded(crate = ::threaded_runtime, stoppable)]
fn as_path(stop: threaded_runtime::StopEvent) -> bool {
    stop.wait();
    stop.is_set()
}

fn main() {
    assert!(as_string().stop_and_join().unwrap());
    assert!(as_path().stop_and_join().unwrap());
}
