//! Where a panic says it happened, for tests of `#[track_caller]` functions.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`, which must panic, and returns the panic's message and the `file:line` it
/// names.
///
/// The first call installs a panic hook that notes each panic's location for its own
/// thread, then hands the panic to the hook that was there before (which prints it), so
/// tests running beside it in other threads see no change.
#[track_caller]
pub(crate) fn panic_site(f: impl FnOnce()) -> (String, String) {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let site = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()));
            LAST.with(|last| *last.borrow_mut() = site);
            previous(info);
        }));
    });
    let payload = panic::catch_unwind(AssertUnwindSafe(f)).expect_err("f did not panic");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default();
    let site = LAST
        .with(|last| last.borrow_mut().take())
        .expect("the hook saw no panic");
    (message, site)
}
