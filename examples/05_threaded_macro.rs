//! Slide "Thread Pythonica": the `@threaded` decorator.
//!
//! Python:
//!
//! ```python
//! def threaded(func):
//!     def proxy(*args, **kwargs):
//!         thr = Thread(target=func, args=args, kwargs=kwargs)
//!         thr.start()
//!         return thr
//!     return proxy
//!
//! @threaded
//! def minha_funcao():
//!     codigo
//! ```
//!
//! In Rust the decorator is the attribute `#[threaded]`: calling the function
//! starts a thread named after it and hands back its `JoinHandle` at once.
//!
//! What to notice:
//! - the result comes back through `join()`, typed: no shared variable needed;
//! - the arguments are *moved* into the thread, so a parameter that borrows
//!   (`fn f(texto: &str)`) is a compile error with a hint, where Python
//!   would share the object silently. A string literal such as `"olá"` is
//!   fine, as `descreve("olá")` shows: it is a `&'static str`, which lives
//!   as long as the program;
//! - the thread is named after the function (`minha_funcao`), a method's
//!   `Type::method`, or what `name = "..."` says: `descreve-{valor}` puts
//!   the argument in the name, so the two `descreve` threads are told apart;
//! - the handles are joined: a `#[threaded]` call whose handle is dropped
//!   warns, because that thread would be killed when `main` returns.
//!
//! Run it: `cargo run --example 05_threaded_macro`
//!
//! Em português: `#[threaded]` é o decorador `@threaded` da aula: chamar a
//! função inicia uma thread com o nome dela e devolve o `JoinHandle` na
//! hora. O resultado volta pelo `join()`. Experimente apagar um `.join()` e
//! ler o aviso do compilador, ou trocar `valor: T` por `valor: &str`.

use std::fmt::Display;
use std::thread;

use threaded::threaded;

fn thread_name() -> String {
    thread::current().name().unwrap_or("<unnamed>").to_owned()
}

/// A free function: `minha_funcao(21)` starts a thread and returns at once.
#[threaded]
fn minha_funcao(n: u64) -> u64 {
    println!("[{}] calculando {n} * 2", thread_name());
    n * 2
}

/// A generic function: the value moves into the thread, so it must be
/// `Send + 'static`. Its thread's name shows the value.
#[threaded(name = "descreve-{valor}")]
fn descreve<T: Display + Send + 'static>(valor: T) -> String {
    format!("[{}] valor = {valor}", thread_name())
}

struct Contador {
    nome: String,
    vezes: u32,
}

impl Contador {
    /// A method: `self` moves into the thread, named `Contador::conta`.
    #[threaded]
    fn conta(self) -> String {
        let total: u32 = (1..=self.vezes).sum();
        format!(
            "[{}] {}: 1 + ... + {} = {total}",
            thread_name(),
            self.nome,
            self.vezes
        )
    }
}

fn main() {
    let dobro = minha_funcao(21);
    let texto = descreve("olá");
    let numero = descreve(3.5);
    let contador = Contador {
        nome: "contador".into(),
        vezes: 10,
    }
    .conta();

    // All four threads are running now; join waits for each result.
    println!(
        "minha_funcao(21) = {}",
        dobro.join().expect("minha_funcao panicked")
    );
    println!("{}", texto.join().expect("descreve panicked"));
    println!("{}", numero.join().expect("descreve panicked"));
    println!("{}", contador.join().expect("conta panicked"));
}
