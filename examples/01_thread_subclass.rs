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
//! Rust has no `Thread` class to extend: the state is a plain struct, and
//! `run` is a method marked `#[threaded]`, so calling it starts the loop on
//! a new thread (Python's `start()`, which then calls `run()`).
//! `name = "Thread-{number}"` names that thread after its argument, as
//! Python names its threads `Thread-1`, `Thread-2`, ….
//!
//! What to notice:
//! - `run(mut self, ..)` *moves* the struct into its thread: the main
//!   thread can no longer touch `counter`, so there is nothing to race on;
//! - the two threads interleave, and `join` waits for both at the end;
//! - without a `name`, both threads would be called `MyThread::run`.
//!
//! Run it: `cargo run --example 01_thread_subclass`
//!
//! Em português: o `MyThread` da aula vira uma `struct` com estado e um
//! método `run` marcado com `#[threaded]`. Cada chamada roda o laço numa
//! thread nova, chamada `Thread-1` ou `Thread-2` como no Python, e o `join`
//! espera as duas. Experimente mudar `times` e `delay` e ver a ordem das
//! linhas mudar.

use std::thread;
use std::time::Duration;

use threaded::threaded;

struct MyThread {
    counter: u32,
    delay: Duration,
}

impl MyThread {
    fn new(times: u32, delay: Duration) -> Self {
        MyThread {
            counter: times,
            delay,
        }
    }

    /// Python's `run()`, started as `start()` would: the loop runs on a new
    /// thread, named `Thread-N`.
    #[threaded(name = "Thread-{number}")]
    fn run(mut self, number: u32) {
        while self.counter > 0 {
            let name = thread::current().name().unwrap_or("?").to_owned();
            println!("{name} - Iterating: {}", self.counter);
            thread::sleep(self.delay);
            self.counter -= 1;
        }
    }
}

fn main() {
    let thread1 = MyThread::new(4, Duration::from_millis(100)).run(1);
    let thread2 = MyThread::new(3, Duration::from_millis(150)).run(2);
    thread1.join().expect("Thread-1 panicked");
    thread2.join().expect("Thread-2 panicked");
    println!("both threads finished");
}
