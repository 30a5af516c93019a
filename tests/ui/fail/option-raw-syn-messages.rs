// Malformed options each get a #[threaded] message at the option's token.
use threaded::threaded;

#[threaded(,)]
fn a() {}

#[threaded(crate = "not a path")]
fn b() {}

#[threaded(stack_size = )]
fn c() {}

fn main() {
    let _ = (a(), b(), c());
}
