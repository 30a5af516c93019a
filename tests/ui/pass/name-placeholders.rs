// `name = "...{arg}..."` formats the thread's name from the arguments at each
// call, before they move: format specs, `{{`/`}}` escapes, width arguments,
// methods and `stoppable` alike. An argument only the name uses is not
// "unused".
#![deny(warnings)]
use threaded::{StopEvent, threaded};

fn current() -> String {
    std::thread::current().name().unwrap().to_owned()
}

#[threaded(name = "worker-{id}")]
fn work(id: u32, label: String) -> (String, String) {
    (current(), label) // `id` and `label` still moved in
}

#[threaded(name = "{{job}} {id:03} {label:>w$} {id:?}")]
fn padded(id: u8, label: &'static str, w: usize) -> String {
    let _ = (id, label, w);
    current()
}

#[threaded(name = "{{literal}}")]
fn braces() -> String {
    current()
}

#[threaded(stoppable, name = "poller-{port}")]
fn poll(stop: StopEvent, port: u16) -> String {
    let _ = (stop, port);
    current()
}

struct Conn;

impl Conn {
    #[threaded(name = "conn-{peer}")]
    fn serve(self, peer: String) -> String {
        let _ = peer;
        current()
    }
}

fn main() {
    let handles: Vec<_> = (1..=3).map(|id| work(id, format!("w{id}"))).collect();
    let names: Vec<(String, String)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        names,
        [1, 2, 3].map(|id| (format!("worker-{id}"), format!("w{id}")))
    );
    assert_eq!(padded(7, "ab", 4).join().unwrap(), "{job} 007   ab 7");
    assert_eq!(braces().join().unwrap(), "{literal}");
    assert_eq!(poll(8080).stop_and_join().unwrap(), "poller-8080");
    assert_eq!(Conn.serve("127.0.0.1:9".into()).join().unwrap(), "conn-127.0.0.1:9");
}
