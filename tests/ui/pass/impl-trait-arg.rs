// `impl Trait` arguments, including closures whose signatures borrow.
use threaded::threaded;

#[threaded]
fn apply(f: impl Fn(&str) -> usize + Send + 'static, text: String) -> usize {
    f(&text)
}

#[threaded]
fn run_boxed(f: Box<dyn FnOnce(&mut Vec<u8>) + Send>) -> Vec<u8> {
    let mut out = Vec::new();
    f(&mut out);
    out
}

#[threaded]
fn pointer(f: fn(&str) -> usize) -> usize {
    f("four")
}

fn main() {
    assert_eq!(apply(|s| s.len(), "hello".to_string()).join().unwrap(), 5);
    assert_eq!(run_boxed(Box::new(|v| v.push(1))).join().unwrap(), vec![1]);
    assert_eq!(pointer(str::len).join().unwrap(), 4);
}
