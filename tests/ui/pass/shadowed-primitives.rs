// User types named `str`, `bool`, `char` do not break the generated code.
#![allow(dead_code, non_camel_case_types)]

use threaded::threaded;

struct str;
struct bool;
struct char;

#[threaded]
fn free(x: u32) -> u32 {
    x
}

fn main() {
    assert_eq!(free(1).join().unwrap(), 1);
}
