// A method taking `self` moves the value into the thread, named `Type::method`.
use threaded::threaded;

struct Job {
    id: u32,
}

impl Job {
    #[threaded]
    fn run(self, factor: u32) -> (u32, String) {
        let name = std::thread::current().name().unwrap_or("").to_owned();
        (self.id * factor, name)
    }
}

fn main() {
    let (value, name) = Job { id: 4 }.run(10).join().unwrap();
    assert_eq!(value, 40);
    assert_eq!(name, "Job::run");
}
