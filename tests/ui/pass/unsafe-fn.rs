// `unsafe fn` stays `unsafe` to call.
use threaded::threaded;

/// # Safety
/// `ptr` must be valid for reads of a `u32` for as long as the thread runs.
#[threaded]
unsafe fn read(ptr: SendPtr) -> u32 {
    let ptr = ptr;
    // SAFETY: the caller promised `ptr` is valid.
    unsafe { *ptr.0 }
}

struct SendPtr(*const u32);
// SAFETY: the pointee is a `static`, readable from any thread.
unsafe impl Send for SendPtr {}

static VALUE: u32 = 7;

fn main() {
    // SAFETY: `VALUE` is a static, valid for the whole program.
    let handle = unsafe { read(SendPtr(&VALUE)) };
    assert_eq!(handle.join().unwrap(), 7);
}
