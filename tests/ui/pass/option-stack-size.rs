// `stack_size = EXPR` takes any `usize` expression, evaluated at each call.
use threaded::threaded;

const MIB: usize = 1024 * 1024;

fn pages(n: usize) -> usize {
    n * 4096
}

#[threaded(stack_size = 8 * MIB)]
fn deep(n: u64) -> u64 {
    // A recursion deeper than small default stacks would allow in debug builds.
    fn go(n: u64) -> u64 {
        let pad = [n; 64];
        if n == 0 { pad[0] } else { go(n - 1) + pad[63] - n + 1 }
    }
    go(n)
}

#[threaded(stack_size = pages(64), name = "small")]
fn small() -> u8 {
    1
}

fn main() {
    assert_eq!(deep(5_000).join().unwrap(), 5_000);
    assert_eq!(small().join().unwrap(), 1);
}
