use threaded::threaded;

#[threaded]
async fn fetch(n: u32) -> u32 {
    n
}

fn main() {
    let _ = fetch(1).join();
}
