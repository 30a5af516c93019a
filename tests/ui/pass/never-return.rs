// `-> !` becomes `JoinHandle<Infallible>`: a thread that never returns.
use threaded::threaded;

#[threaded]
fn forever() -> ! {
    loop {
        std::thread::park();
    }
}

fn main() {
    let _ = forever();
}
