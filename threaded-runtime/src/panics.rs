//! Panic payloads: their text for a log line, and dropping one safely.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

/// The text of a panic payload, when it is one: the message of `panic!("...")` or
/// `panic!("{x}")`.
pub(crate) fn text(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// The text of a panic payload for a log line, as std's panic hook shows it.
pub(crate) fn message(payload: &(dyn Any + Send)) -> &str {
    text(payload).unwrap_or("Box<dyn Any>")
}

/// Drops a caught panic's payload, whose own `Drop` may panic again (`panic_any` takes any
/// value): that second panic is caught and its payload leaked, so a thread that caught a
/// panic to go on living does go on.
pub(crate) fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}
