// `&'static` references may cross threads.
use threaded::threaded;

static GREETING: &str = "olá";

#[threaded]
fn shout(text: &'static str, table: &'static [u8]) -> String {
    format!("{}{}", text.to_uppercase(), table.len())
}

fn main() {
    assert_eq!(shout(GREETING, b"abc").join().unwrap(), "OLÁ3");
}
