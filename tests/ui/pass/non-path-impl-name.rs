// A method of a type that is not a plain path (a tuple) gets a readable thread name.
use threaded::threaded;

struct S;

trait Describe: Sized + Send + 'static {
    fn describe(self) -> std::thread::JoinHandle<Option<String>>;
}

impl Describe for (u8, S) {
    #[threaded]
    fn describe(self) -> Option<String> {
        std::thread::current().name().map(str::to_owned)
    }
}

fn main() {
    let name = (1, S).describe().join().unwrap().unwrap();
    assert!(!name.contains(')'), "thread name {name:?}");
}
