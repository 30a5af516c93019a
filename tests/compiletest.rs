//! Compile tests: every supported form and option of `#[threaded]` builds
//! and runs (`tests/ui/pass`), and every refused form gives one clear error
//! at the user's token (`tests/ui/fail`, with the expected `.stderr`).

mod support;

use std::time::Duration;

/// trybuild builds 68 crates and runs the passing ones: minutes on the 2-core CI box,
/// cold. An expansion that sent rustc into a loop would otherwise hang CI
/// until its own limit, with no word of which test it was.
const UI_LIMIT: Duration = Duration::from_secs(30 * 60);

#[test]
fn ui() {
    support::within(UI_LIMIT, || {
        let cases = trybuild::TestCases::new();
        cases.pass("tests/ui/pass/*.rs");
        cases.compile_fail("tests/ui/fail/*.rs");
        // The cases run when `cases` drops, here, inside the bound.
    });
}
