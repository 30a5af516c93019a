use threaded::threaded;

#[threaded]
unsafe fn sum(first: u32, mut args: ...) -> u32 {
    first
}

fn main() {
    let _ = unsafe { sum(1) }.join();
}
