// `&'static self` and `self: &'static Self` are accepted, as `&'static T` arguments are.
use threaded::threaded;

struct S(u32);

impl S {
    #[threaded]
    fn typed(self: &'static Self) -> u32 {
        self.0
    }

    #[threaded]
    fn short(&'static self) -> u32 {
        self.0
    }
}

static VALUE: S = S(7);

fn main() {
    assert_eq!(VALUE.typed().join().unwrap(), 7);
    assert_eq!(VALUE.short().join().unwrap(), 7);
}
