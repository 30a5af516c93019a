// The `StopEvent` of `stoppable` is not the caller's argument, so a name
// cannot use it; with no other argument, the error says so.
use threaded::{StopEvent, threaded};

#[threaded(stoppable, name = "poller-{stop}")]
fn poll(stop: StopEvent) {
    stop.wait();
}

fn main() {
    poll().stop();
}
