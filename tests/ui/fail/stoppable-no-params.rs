use threaded::threaded;

#[threaded(stoppable)]
fn tick() -> u32 {
    1
}

fn main() {
    let _ = tick().stop_and_join();
}
