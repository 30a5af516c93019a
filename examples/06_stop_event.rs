//! Slides "Controlando Threads" and "Finalizando objetos thread": a thread
//! that runs until it is told to stop, through an `Event`.
//!
//! Python:
//!
//! ```python
//! class NovaThread(Thread):
//!     def __init__(self):
//!         Thread.__init__(self)
//!         self.__stop_thread_event = Event()
//!     def stop(self):
//!         self.__stop_thread_event.set()
//!     def run(self):
//!         i = 0
//!         while not self.__stop_thread_event.isSet():
//!             print "%d executing" % i
//!             i += 1
//!             time.sleep(0.1)
//! ```
//!
//! In Rust, `#[threaded(stoppable)]` gives the function its own `StopEvent`
//! and the caller a `StoppableThread` with `stop()`.
//!
//! What to notice:
//! - `stop.wait_timeout(100 ms)` replaces `time.sleep(0.1)`: it sleeps, but
//!   returns `true` the moment `stop()` is called, so the thread stops at once
//!   instead of finishing its sleep;
//! - the loop's count comes back through `join`;
//! - forgetting to stop is not possible: dropping the `StoppableThread` stops
//!   the thread and waits for it, so no thread outlives its handle.
//!
//! Run it: `cargo run --example 06_stop_event`
//!
//! Em português: o `Event` da aula é o `StopEvent`, e
//! `#[threaded(stoppable)]` dá à função o seu próprio evento e ao chamador
//! um `stop()`. O `wait_timeout` troca o `time.sleep(0.1)` e acorda na hora
//! em que `stop()` é chamado. Experimente aumentar o intervalo para 1 s: a
//! parada continua imediata.

use std::time::{Duration, Instant};

use threaded::{StopEvent, threaded};

#[threaded(stoppable)]
fn nova_thread(stop: StopEvent) -> u32 {
    let mut i = 0;
    loop {
        println!("{i} executing");
        i += 1;
        // Sleeps 100 ms, or less if `stop()` is called meanwhile.
        if stop.wait_timeout(Duration::from_millis(100)) {
            return i;
        }
    }
}

fn main() {
    let thread = nova_thread();
    // Let it run for about half a second; this thread has nothing else to do.
    std::thread::sleep(Duration::from_millis(550));

    let asked = Instant::now();
    thread.stop();
    let count = thread.join().expect("nova_thread panicked");
    println!(
        "stopped after {count} iterations, {:.1} ms after stop()",
        asked.elapsed().as_secs_f64() * 1000.0
    );
}
