// A free function: the call returns a JoinHandle at once; the thread is named after the function.
use std::thread::JoinHandle;
use threaded::threaded;

#[threaded]
fn double(n: u64) -> u64 {
    n * 2
}

#[threaded]
fn no_return_type(tx: std::sync::mpsc::Sender<Option<String>>) {
    let name = std::thread::current().name().map(str::to_owned);
    tx.send(name).unwrap_or(());
}

fn main() {
    let handle: JoinHandle<u64> = double(21);
    assert_eq!(handle.join().unwrap(), 42);
    let (tx, rx) = std::sync::mpsc::channel();
    let unit: JoinHandle<()> = no_return_type(tx);
    unit.join().unwrap();
    assert_eq!(rx.recv().unwrap().as_deref(), Some("no_return_type"));
}
