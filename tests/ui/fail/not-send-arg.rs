// A non-`Send` argument: rustc's error points at the parameters, not the whole body.
use std::rc::Rc;
use threaded::threaded;

#[threaded]
fn read(counter: Rc<u32>) -> u32 {
    *counter
}

fn main() {
    let _ = read(Rc::new(1));
}
