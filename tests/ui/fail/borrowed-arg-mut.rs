use threaded::threaded;

#[threaded]
fn push(n: u32, items: &mut Vec<u32>) {
    items.push(n);
}

fn main() {
    let mut items = Vec::new();
    let _ = push(1, &mut items).join();
}
