//! Slide "Thread - Básico": a thread class with state and a `run` method.
//!
//! Python:
//!
//! ```python
//! class MyThread(threading.Thread):
//!     def __init__(self, times, delay):
//!         threading.Thread.__init__(self)
//!         self.counter = times
//!         self.delay = delay
//!     def run(self):
//!         while self.counter:
//!             print("{} - Iterating: {}".format(self.getName(), self.counter))
//!             time.sleep(self.delay)
//!             self.counter -= 1
//! ```
//!
//! Rust has no `Thread` class to extend: the state is a plain struct, `run`
//! is a method taking `self`, and `start` hands the struct to a new thread
//! with `std::thread::Builder`, which also names it.
//!
//! What to notice:
//! - `run(mut self)` *moves* the struct into its thread: the main thread can
//!   no longer touch `counter`, so there is nothing to race on;
//! - the two threads interleave, and `join` waits for both at the end.
//!
//! Run it: `cargo run --example 01_thread_subclass`

use std::thread::{self, JoinHandle};
use std::time::Duration;

struct MyThread {
    name: String,
    counter: u32,
    delay: Duration,
}

impl MyThread {
    fn new(name: &str, times: u32, delay: Duration) -> Self {
        MyThread {
            name: name.to_owned(),
            counter: times,
            delay,
        }
    }

    /// Python's `start()`: runs `run` on a new thread with this name.
    fn start(self) -> JoinHandle<()> {
        thread::Builder::new()
            .name(self.name.clone())
            .spawn(move || self.run())
            .expect("failed to spawn thread")
    }

    fn run(mut self) {
        while self.counter > 0 {
            let name = thread::current().name().unwrap_or("?").to_owned();
            println!("{name} - Iterating: {}", self.counter);
            thread::sleep(self.delay);
            self.counter -= 1;
        }
    }
}

fn main() {
    let thread1 = MyThread::new("Thread-1", 4, Duration::from_millis(100)).start();
    let thread2 = MyThread::new("Thread-2", 3, Duration::from_millis(150)).start();
    thread1.join().expect("Thread-1 panicked");
    thread2.join().expect("Thread-2 panicked");
    println!("both threads finished");
}
