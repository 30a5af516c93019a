// `self: Box<Self>` moves the box into the thread, also for generic types.
use threaded::threaded;

struct Wrapper<T> {
    inner: T,
}

impl<T: Send + 'static + Clone> Wrapper<T> {
    #[threaded]
    fn unwrap_twice(self: Box<Self>) -> (T, T, Option<String>) {
        let name = std::thread::current().name().map(str::to_owned);
        (self.inner.clone(), self.inner, name)
    }
}

fn main() {
    let (a, b, name) = Box::new(Wrapper { inner: 5u8 }).unwrap_twice().join().unwrap();
    assert_eq!((a, b), (5, 5));
    assert_eq!(name.as_deref(), Some("Wrapper::unwrap_twice"));
}
