//! The log records of a whole test binary, for tests that check what the crate logs.

use std::sync::{Mutex, OnceLock, PoisonError};

/// Every log record of the test binary since [`capture_logs`] installed it.
pub(crate) struct Capture {
    records: Mutex<Vec<(log::Level, String)>>,
}

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = record.args().to_string();
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((record.level(), line));
    }

    fn flush(&self) {}
}

/// Installs the capturing logger (once per binary, at every level) and returns it.
///
/// # Panics
///
/// If another logger was installed first: a binary that captures logs uses only this one.
pub(crate) fn capture_logs() -> &'static Capture {
    static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture: &'static Capture = Box::leak(Box::new(Capture {
            records: Mutex::new(Vec::new()),
        }));
        log::set_logger(capture).expect("no other logger in a test binary that captures logs");
        log::set_max_level(log::LevelFilter::Trace);
        capture
    })
}

impl Capture {
    /// The messages logged at `level` that contain every one of `parts`, in logging order.
    pub(crate) fn matching(&self, level: log::Level, parts: &[&str]) -> Vec<String> {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(l, line)| *l == level && parts.iter().all(|p| line.contains(p)))
            .map(|(_, line)| line.clone())
            .collect()
    }

    /// Whether a message at `level` contains every one of `parts`.
    pub(crate) fn has(&self, level: log::Level, parts: &[&str]) -> bool {
        !self.matching(level, parts).is_empty()
    }
}
