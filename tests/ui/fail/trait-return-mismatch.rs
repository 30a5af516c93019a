// A trait method must declare `-> JoinHandle<R>`: the mismatch is reported at the return type.
use threaded::threaded;

trait Job {
    fn run(self) -> u32;
}

struct Task;

impl Job for Task {
    #[threaded]
    fn run(self) -> u32 {
        1
    }
}

fn main() {
    let _ = Task.run();
}
