// `name = "..."` names the thread, on free functions and methods alike.
use threaded::threaded;

#[threaded(name = "reader")]
fn read() -> Option<String> {
    std::thread::current().name().map(str::to_owned)
}

struct Server;

impl Server {
    #[threaded(name = "srv-accept")]
    fn accept(self) -> Option<String> {
        std::thread::current().name().map(str::to_owned)
    }
}

fn main() {
    assert_eq!(read().join().unwrap().as_deref(), Some("reader"));
    assert_eq!(Server.accept().join().unwrap().as_deref(), Some("srv-accept"));
}
