use threaded::threaded;

#[threaded]
struct Worker {
    id: u32,
}

fn main() {
    let _ = Worker { id: 1 }.id;
}
