use threaded::{StopEvent, threaded};

#[threaded(stoppable)]
fn tick(step: u32, stop: StopEvent) -> u32 {
    stop.wait();
    step
}

fn main() {
    let _ = tick(1).stop_and_join();
}
