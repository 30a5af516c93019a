// A non-`Send` return type: rustc's error points at the return type.
use std::rc::Rc;
use threaded::threaded;

#[threaded]
fn make() -> Rc<u32> {
    Rc::new(1)
}

fn main() {
    let _ = make();
}
