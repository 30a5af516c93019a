// Visibility, doc comments, outer and inner attributes are kept.
#![deny(unused_mut)]

mod workers {
    use threaded::threaded;

    /// Counts to `n`.
    #[threaded]
    #[inline]
    pub(crate) fn count(n: u32) -> u32 {
        #![allow(clippy::needless_range_loop)]
        let mut total = 0;
        for i in 0..=n {
            total += i;
        }
        total
    }

    #[threaded]
    #[must_use]
    pub fn module_fn() -> Option<String> {
        std::thread::current().name().map(str::to_owned)
    }
}

fn main() {
    assert_eq!(workers::count(4).join().unwrap(), 10);
    // A function in a module is named by the function alone.
    assert_eq!(workers::module_fn().join().unwrap().as_deref(), Some("module_fn"));
}
