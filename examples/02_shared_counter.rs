//! Slide "Criando objetos thread": 20 threads incrementing a global `var`.
//!
//! Python:
//!
//! ```python
//! var = 1
//! class MinhaThread(threading.Thread):
//!     def run(self):
//!         global var
//!         print('Thread %d' % var)
//!         var += 1
//! for x in range(20):
//!     MinhaThread().start()
//! ```
//!
//! Why the Python version can race: `var += 1` is three steps (read `var`,
//! add one, store it back). A thread switch between the read and the store
//! lets two threads read the same value, and one increment is lost; the
//! printed numbers can repeat, and nothing waits for the threads to finish.
//!
//! In safe Rust the same program does not compile: a `&mut` counter shared
//! by 20 threads, or a plain `static` one incremented, is refused. A
//! `static mut` compiles only inside `unsafe { VAR += 1 }`, and races exactly
//! as Python's does (the same number printed twice, an increment lost):
//! `unsafe` is you telling the compiler "I checked", and here you did not.
//! The counter must say how it is shared: here an `AtomicU32`, whose
//! `fetch_add` is one indivisible step.
//!
//! What to notice:
//! - the final value is exactly 20 on every run, and no number repeats;
//! - `thread::scope` waits for all 20 threads before it returns.
//!
//! Run it: `cargo run --example 02_shared_counter`
//!
//! Em português: as 20 threads da aula somam 1 a um contador. Em Python,
//! `var += 1` são três passos e duas threads podem ler o mesmo valor; em
//! Rust seguro isso não compila, e o `AtomicU32` faz a soma num passo só.
//! O resultado é sempre 20. Experimente trocar o `fetch_add` por um `load`
//! seguido de um `store`: compila, mas são dois passos de novo, e números
//! podem se repetir como no Python.

use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;

static VAR: AtomicU32 = AtomicU32::new(0);

fn main() {
    thread::scope(|scope| {
        for _ in 0..20 {
            scope.spawn(|| {
                // Reads and increments in one atomic step: no update is lost.
                let mine = VAR.fetch_add(1, Ordering::SeqCst) + 1;
                println!("Thread {mine}");
            });
        }
    });
    println!("final value: {}", VAR.load(Ordering::SeqCst));
}
