// Raw identifiers: `S::r#type` runs on a thread named `S::type`.
use threaded::threaded;

struct S;

impl S {
    #[threaded]
    fn r#type(self) -> Option<String> {
        std::thread::current().name().map(str::to_owned)
    }

    #[threaded]
    fn r#match() -> Option<String> {
        std::thread::current().name().map(str::to_owned)
    }
}

fn main() {
    assert_eq!(S.r#type().join().unwrap().as_deref(), Some("S::type"));
    assert_eq!(S::r#match().join().unwrap().as_deref(), Some("S::match"));
}
