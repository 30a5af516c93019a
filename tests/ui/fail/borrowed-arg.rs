use threaded::threaded;

#[threaded]
fn count(text: &str) -> usize {
    text.len()
}

fn main() {
    let _ = count("abc").join();
}
