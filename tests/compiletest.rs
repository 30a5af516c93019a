//! Compile tests: every supported form and option of `#[threaded]` builds
//! and runs (`tests/ui/pass`), and every refused form gives one clear error
//! at the user's token (`tests/ui/fail`, with the expected `.stderr`).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
