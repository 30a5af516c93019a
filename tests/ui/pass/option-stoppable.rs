// `stoppable`: the StopEvent parameter is not passed by callers; the call returns a StoppableThread.
use std::time::Duration;
use threaded::{StopEvent, StoppableThread, threaded};

#[threaded(stoppable)]
fn ticker(stop: StopEvent, step: u32) -> u32 {
    let mut total = 0;
    while !stop.wait_timeout(Duration::from_millis(1)) {
        total += step;
    }
    total
}

struct Worker {
    id: u32,
}

impl Worker {
    #[threaded(stoppable, name = "worker")]
    fn run(self, stop: threaded::StopEvent) -> (u32, Option<String>) {
        stop.wait();
        (self.id, std::thread::current().name().map(str::to_owned))
    }
}

fn main() {
    let thread: StoppableThread<u32> = ticker(2);
    assert_eq!(thread.thread().name(), Some("ticker"));
    thread.stop();
    assert_eq!(thread.join().unwrap() % 2, 0);

    let worker = Worker { id: 9 }.run();
    assert_eq!(worker.stop_and_join().unwrap(), (9, Some("worker".to_owned())));
}
