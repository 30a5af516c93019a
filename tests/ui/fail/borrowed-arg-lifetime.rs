use threaded::threaded;

#[threaded]
fn first<'a>(items: &'a [u32]) -> u32 {
    items[0]
}

fn main() {
    let _ = first(&[1]).join();
}
