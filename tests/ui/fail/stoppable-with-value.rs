use threaded::{StopEvent, threaded};

#[threaded(stoppable = true)]
fn tick(stop: StopEvent) {
    stop.wait();
}

fn main() {
    let _ = tick().stop_and_join();
}
