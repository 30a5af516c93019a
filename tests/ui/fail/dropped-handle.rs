// A dropped handle detaches the thread, which `main` returning kills: the
// call warns, saying so and what to write.
#![deny(unused_must_use)]
use threaded::threaded;

#[threaded]
fn trabalho(n: u32) {
    println!("{n}");
}

fn main() {
    trabalho(1);
}
