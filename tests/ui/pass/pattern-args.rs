// Pattern arguments are destructured inside the thread; `_` arguments are still moved there.
use std::sync::mpsc::{Sender, channel};
use threaded::threaded;

struct Point {
    x: i32,
    y: i32,
}

/// Reports the thread it is dropped on.
struct DropReporter(Sender<Option<String>>);

impl Drop for DropReporter {
    fn drop(&mut self) {
        let name = std::thread::current().name().map(str::to_owned);
        self.0.send(name).unwrap_or(());
    }
}

#[threaded]
fn add((a, b): (i32, i32), Point { x, y }: Point) -> i32 {
    a + b + x + y
}

#[threaded]
fn ignore(_: DropReporter, [first, .., last]: [u8; 4]) -> u8 {
    first + last
}

fn main() {
    assert_eq!(add((1, 2), Point { x: 3, y: 4 }).join().unwrap(), 10);
    let (tx, rx) = channel();
    assert_eq!(ignore(DropReporter(tx), [1, 2, 3, 4]).join().unwrap(), 5);
    // The ignored argument lived on the spawned thread, not the caller's.
    assert_eq!(rx.recv().unwrap().as_deref(), Some("ignore"));
}
