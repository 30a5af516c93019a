use std::borrow::Cow;
use threaded::threaded;

#[threaded]
fn shout<'a>(text: Cow<'a, str>) -> String {
    text.to_uppercase()
}

fn main() {
    let _ = shout(Cow::Borrowed("x")).join();
}
