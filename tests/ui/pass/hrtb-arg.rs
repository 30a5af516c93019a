// Lifetimes bound by `for<'a>` borrow nothing: such an argument is accepted.
use threaded::threaded;

trait Parse<'a> {
    fn parse(&self, text: &'a str) -> &'a str;
}

struct First;

impl<'a> Parse<'a> for First {
    fn parse(&self, text: &'a str) -> &'a str {
        &text[..1]
    }
}

#[threaded]
fn run(parser: Box<dyn for<'a> Parse<'a> + Send>) -> String {
    parser.parse("xyz").to_owned()
}

fn main() {
    assert_eq!(run(Box::new(First)).join().unwrap(), "x");
}
