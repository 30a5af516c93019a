//! Slides "Mas o que é decorator ??", "Decorator - exemplo" and `staticmethod`.
//!
//! Python:
//!
//! ```python
//! def test_decorator(func):
//!     def nova_soma(*args):
//!         return reduce(func, args)
//!     return nova_soma
//!
//! @test_decorator
//! def soma(a, b): return a + b
//!
//! print soma(10, 20, 40)        # 70
//!
//! class ObjTest:
//!     @staticmethod
//!     def s_test():
//!         print "funciona!!!"
//! ```
//!
//! A decorator is a function that takes a function and returns a new one.
//! Rust can write exactly that: `test_decorator` below takes any two-argument
//! function and returns a closure that folds it over a slice, Python's
//! `reduce`. A `@staticmethod` is an associated function: `ObjTest::s_test()`.
//!
//! Why Rust's decorators are attribute macros: Python rebinds the name
//! `soma` at run time (`soma = test_decorator(soma)`). A Rust item is fixed
//! at compile time, so to change what `fn soma` does for every caller the
//! change has to happen at compile time too: an attribute macro such as
//! `#[threaded]` rewrites the function before it is compiled. Example 05
//! shows that decorator.
//!
//! Run it: `cargo run --example 04_decorators`
//!
//! Em português: um decorador é uma função que recebe uma função e devolve
//! outra. Em Rust isso é uma função de ordem superior (`test_decorator`), e
//! o `@staticmethod` é uma função associada. Para reescrever a própria
//! `fn`, como o `@threaded` faz, Rust usa um atributo: é o exemplo 05.

fn test_decorator(func: impl Fn(i64, i64) -> i64) -> impl Fn(&[i64]) -> i64 {
    move |args| {
        args.iter()
            .copied()
            .reduce(&func)
            .expect("soma needs at least one number")
    }
}

fn soma(a: i64, b: i64) -> i64 {
    a + b
}

struct ObjTest;

impl ObjTest {
    /// Python's `@staticmethod`: an associated function, with no `self`.
    fn s_test() -> &'static str {
        "funciona!!!"
    }
}

fn main() {
    let soma = test_decorator(soma);
    println!("{}", soma(&[10, 20, 40]));
    println!("{}", ObjTest::s_test());
}
