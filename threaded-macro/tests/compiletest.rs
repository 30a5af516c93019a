//! Plain `#[threaded]` expands to `std`-only code: these cases build in a crate
//! whose only dependency is `threaded-macro` (trybuild gives the test crate this
//! package's dependencies, and neither `threaded` nor `threaded-runtime` is one).

#[test]
fn std_only() {
    trybuild::TestCases::new().pass("tests/ui/*.rs");
}
