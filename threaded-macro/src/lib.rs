//! The `#[threaded]` attribute: calling the function spawns its body on a named
//! OS thread and returns the thread's `JoinHandle`.
//!
//! Use it through the `threaded` crate, which re-exports it next to the runtime
//! types it works with (`StopEvent`, `StoppableThread`). Plain `#[threaded]`
//! expands to code that needs only `std`, so this crate also works on its own.
//!
//! ```
//! use threaded_macro::threaded;
//!
//! #[threaded]
//! fn double(n: u64) -> u64 {
//!     n * 2
//! }
//!
//! let handle: std::thread::JoinHandle<u64> = double(21); // already running
//! assert_eq!(handle.join().unwrap(), 42);
//! ```
//!
//! The macro is organised as parse (`attr`, `ast`) → validate (`valid`)
//! → expand (`expand`). It never panics: problems become `compile_error!`s
//! pointing at the user's token, next to a fallback expansion (`fallback`)
//! with the signature callers expect, so one mistake gives one error.

#![warn(missing_docs)]

mod ast;
mod attr;
mod expand;
mod fallback;
mod valid;

use proc_macro::TokenStream;

/// Runs the function on its own OS thread, named after the function.
///
/// `fn f(ARGS) -> R { BODY }` becomes `fn f(ARGS) -> std::thread::JoinHandle<R>`:
/// calling it moves the arguments into a new thread that runs `BODY`, and
/// returns at once. `return` and `?` in `BODY` work as before; a panic in
/// `BODY` comes back as `Err` from `join`.
///
/// The thread is named after the function (`worker`), or `Type::method` for
/// associated functions and methods, so panics and log lines say where they
/// came from.
///
/// Options, comma separated, each at most once:
///
/// - `name = "reader"`: an explicit thread name;
/// - `stack_size = EXPR`: any `usize` expression, passed to
///   `std::thread::Builder::stack_size`;
/// - `stoppable`: the first parameter (after `self`) must be a `StopEvent`,
///   which callers do not pass; the call returns a `StoppableThread<R>`;
/// - `crate = "path"`: where the `threaded` crate is, when renamed.
///
/// ```
/// use threaded_macro::threaded;
///
/// #[threaded(name = "adder", stack_size = 256 * 1024)]
/// fn add(a: i32, b: i32) -> i32 {
///     assert_eq!(std::thread::current().name(), Some("adder"));
///     a + b
/// }
///
/// assert_eq!(add(1, 2).join().unwrap(), 3);
/// ```
#[proc_macro_attribute]
pub fn threaded(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::threaded(args.into(), input.into()).into()
}
