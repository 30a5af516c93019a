use threaded::{StopEvent, threaded};

#[threaded(stoppable, pool)]
fn work(stop: StopEvent) -> bool {
    stop.is_set()
}

fn main() {
    let _job = work(StopEvent::new());
}
