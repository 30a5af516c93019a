//! Slide "Criando objetos thread" (the Pythonic way): `Thread(target=...)`.
//!
//! Python:
//!
//! ```python
//! def minha_func(base, expoente=2):
//!     return base ** expoente          # the result is lost: Thread drops it
//! thr = Thread(target=minha_func, args=(3,), kwargs={"expoente": 4})
//! thr.start()
//! thr.join()
//! ```
//!
//! In Rust the target is a closure; `args` and `kwargs` are simply the
//! values the closure captures with `move`. `std::thread::Builder` names the
//! thread, and the function's result comes back through `join()`.
//!
//! What to notice:
//! - `move` hands `base` and `expoente` to the thread: they are its own now;
//! - Python's `Thread` throws `target`'s return value away; Rust's
//!   `JoinHandle<u64>` gives it back, typed.
//!
//! Run it: `cargo run --example 03_thread_target`
//!
//! Em português: `Thread(target=minha_func, args=..., kwargs=...)` vira
//! `Builder::new().name(..).spawn(move || minha_func(..))`. Os argumentos
//! entram na closure com `move`, e o resultado, que o Python descarta,
//! volta tipado pelo `join()`. Experimente tirar o `move` e ler o erro.

use std::thread;

fn minha_func(base: u64, expoente: u32) -> u64 {
    let name = thread::current().name().unwrap_or("?").to_owned();
    println!("[{name}] computing {base} ** {expoente}");
    base.pow(expoente)
}

fn main() {
    let base = 3;
    let expoente = 4;
    let thr = thread::Builder::new()
        .name("minha_func".to_owned())
        .spawn(move || minha_func(base, expoente))
        .expect("failed to spawn thread");
    let result = thr.join().expect("minha_func panicked");
    println!("minha_func(3, expoente=4) = {result}");
}
