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
// A warning in an example is one a student gets on pasting it: none is allowed.
#![doc(test(attr(deny(warnings))))]

mod ast;
mod attr;
mod expand;
mod fallback;
mod name;
mod valid;

use proc_macro::TokenStream;

/// Runs the function on its own OS thread, named after the function:
/// Python's `@threaded` decorator.
///
/// `fn f(ARGS) -> R { BODY }` becomes `fn f(ARGS) -> std::thread::JoinHandle<R>`:
/// calling it moves the arguments into a new thread that runs `BODY`, and
/// returns at once. `return` and `?` in `BODY` work as before; a panic in
/// `BODY` comes back as `Err` from `join`. Every argument is moved into the
/// thread, and dropped there, even one the body does not use. A function
/// returning `!` gets a `JoinHandle<Infallible>`.
///
/// It works on free functions (generic ones too, with `where` clauses and
/// `impl Trait` arguments), `unsafe fn`, associated functions, and methods
/// whose receiver moves into the thread: `self`, `mut self`,
/// `self: Arc<Self>`, `self: Box<Self>`. In a trait `impl`, the trait must
/// declare the `JoinHandle<R>` the attribute produces.
///
/// # Thread names
///
/// The thread is named after the function (`worker`), or `Type::method` for
/// methods and associated functions, so panics and log lines say where they
/// came from. The type is found at run time (an attribute never sees the
/// `impl` around its function): from `Self` when the signature has a
/// receiver or mentions `Self`, otherwise from where the function sits, in
/// which case an enclosing CamelCase name is taken for a type and a
/// lowercase one for an enclosing function. A name that is not a plain
/// identifier (a method of a tuple, say) is left out. `name = "..."` always
/// wins.
///
/// # The handle
///
/// The generated function is `#[must_use]`: a `JoinHandle` that is dropped
/// detaches its thread, and when `main` returns every detached thread is
/// killed mid-work, its output lost. (Python waits for its non-daemon
/// threads; a detached Rust thread is a daemon thread.) Call `.join()` on the
/// handle to wait for the thread, or write `let _ = f(..);` to detach it on
/// purpose. A `stoppable` function returns a `StoppableThread`, which stops
/// and joins its thread when dropped.
///
/// # Options
///
/// Comma separated, each at most once:
///
/// - `name = "reader"`: an explicit thread name. It may hold `{arg}`
///   placeholders naming the function's plainly named arguments, formatted
///   at each call before the arguments move, as by `format!`:
///   `name = "worker-{id}"` names the threads `worker-1`, `worker-2`, …
///   (Python's `Thread(name=f"worker-{id}")`). Format specs work
///   (`{id:03}`, `{label:>w$}` with `w` an argument), `{{` and `}}` are
///   literal braces; `self`, patterns, the `StopEvent` of `stoppable` and
///   positional `{}` / `{0}` cannot be used;
/// - `stack_size = EXPR`: any `usize` expression, passed to
///   `std::thread::Builder::stack_size`;
/// - `stoppable`: the first parameter (after `self`) must be a `StopEvent`,
///   which callers do not pass; the call returns a `StoppableThread<R>`;
/// - `crate = "path"` (or `crate = path`): where the `threaded` crate is,
///   for a renamed dependency or `threaded_runtime` used directly;
/// - `pool` or `pool = EXPR`: instead of a new thread, the call submits the
///   body to a thread pool and returns a `threaded::pool::Job<R>` (Python's
///   `executor.submit(f)`): plain `pool` uses `ThreadPool::global()`,
///   `pool = EXPR` the pool EXPR gives (a `&ThreadPool`, or what derefs to
///   one, such as a `static` `LazyLock<ThreadPool>`). The pool names and
///   sizes its own threads, so `pool` with `name`, `stack_size` or
///   `stoppable` is a compile error.
///
/// ```
/// use threaded::threaded;
///
/// #[threaded(pool)]
/// fn double(n: u64) -> u64 {
///     n * 2
/// }
///
/// let job: threaded::pool::Job<u64> = double(21); // queued on the global pool
/// assert_eq!(job.join().unwrap(), 42);
/// ```
///
/// Plain `#[threaded]` expands to `std`-only code; `stoppable` needs the
/// `threaded` crate.
///
/// # Compile errors
///
/// Each is one error at the offending token, saying what to write instead,
/// and the function still expands so call sites see no second error:
/// `async fn`, `const fn`, `extern "ABI" fn`, variadic arguments, `&self` /
/// `&mut self`, arguments that borrow (`&T`, `&'a T`, `&mut T`, `Cow<'a, T>`;
/// `&'static T` is fine), the attribute on something that is not a function
/// with a body, unknown, repeated or malformed options, a `name` placeholder
/// that is not an argument (the error lists those it can use), `stoppable`
/// without a leading `StopEvent` parameter, and `pool` with `name`,
/// `stack_size` or `stoppable`.
///
/// # Examples
///
/// ```
/// use threaded::threaded;
///
/// #[threaded(name = "adder", stack_size = 256 * 1024)]
/// fn add(a: i32, b: i32) -> i32 {
///     assert_eq!(std::thread::current().name(), Some("adder"));
///     a + b
/// }
///
/// struct Job(u32);
///
/// impl Job {
///     #[threaded]
///     fn run(self) -> String {
///         let thread = std::thread::current();
///         format!("job {} on {}", self.0, thread.name().unwrap_or("?"))
///     }
/// }
///
/// assert_eq!(add(1, 2).join().unwrap(), 3);
/// assert_eq!(Job(1).run().join().unwrap(), "job 1 on Job::run");
/// ```
///
/// One name per thread, from the arguments, so log lines and panics tell
/// the workers apart:
///
/// ```
/// use threaded::threaded;
///
/// #[threaded(name = "worker-{id}")]
/// fn work(id: u32) -> String {
///     std::thread::current().name().unwrap().to_owned()
/// }
///
/// let workers: Vec<_> = (1..=3).map(work).collect();
/// let names: Vec<String> = workers.into_iter().map(|w| w.join().unwrap()).collect();
/// assert_eq!(names, ["worker-1", "worker-2", "worker-3"]);
/// ```
#[proc_macro_attribute]
pub fn threaded(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::threaded(args.into(), input.into()).into()
}
