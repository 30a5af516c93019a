//! Python's threading ergonomics with Rust's guarantees.

#![warn(missing_docs)]

pub use threaded_macro::threaded;
pub use threaded_runtime::*;
