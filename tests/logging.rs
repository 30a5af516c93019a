//! `logging::basic_config` end to end: one logger per process, so this file
//! holds a single test that installs it and checks every line it wrote.

#![cfg(feature = "logging")]

mod support;

use support::{GUARD, within};
use threaded::log::{self, LevelFilter};
use threaded::logging::{InitError, basic_config};
use threaded::threaded;

#[threaded]
fn worker_a(n: u32) {
    log::debug!("debug from a {n}");
    log::info!("info from a {n}");
}

#[threaded(name = "named-b")]
fn worker_b() {
    log::warn!("warning from b");
    log::trace!("trace from b, below the level");
}

const TEST: &str = "basic_config_writes_thread_names_levels_and_messages_to_a_file";

#[test]
fn basic_config_writes_thread_names_levels_and_messages_to_a_file() {
    // `RUST_LOG` changes what basic_config lets through. Removing it from a
    // running process is `unsafe`; running this test again without it is not.
    if std::env::var_os("RUST_LOG").is_some() {
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", TEST, "--nocapture"])
            .env_remove("RUST_LOG")
            .status()
            .unwrap();
        assert!(status.success(), "the test without RUST_LOG: {status}");
        return;
    }
    let path = std::env::temp_dir().join(format!("threaded-logging-{}.log", std::process::id()));
    std::fs::write(&path, "from an earlier run\n").unwrap();

    let bad = basic_config()
        .format("%(asctime)s %(nope)s")
        .file(&path)
        .init();
    assert!(
        matches!(bad, Err(InitError::Format(ref m)) if m.contains("nope")),
        "{bad:?}"
    );

    basic_config()
        .level(LevelFilter::Debug)
        .file(&path)
        .append(false)
        .init()
        .unwrap();
    // A logger that deadlocked on its file in a worker would hang these joins.
    within(GUARD, || worker_a(1).join().unwrap());
    within(GUARD, || worker_b().join().unwrap());
    log::error!("error from main");

    let again = basic_config().init();
    assert!(
        matches!(again, Err(InitError::AlreadyInitialized)),
        "{again:?}"
    );
    // Python's second basicConfig does nothing; ours says so, and neither
    // empties the file the first one writes to nor leaves a new one behind.
    let before = std::fs::read_to_string(&path).unwrap();
    let same_file = basic_config().file(&path).append(false).init();
    assert!(
        matches!(same_file, Err(InitError::AlreadyInitialized)),
        "{same_file:?}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    let other = path.with_extension("second.log");
    let other_file = basic_config().file(&other).init();
    assert!(
        matches!(other_file, Err(InitError::AlreadyInitialized)),
        "{other_file:?}"
    );
    assert!(!other.exists(), "a refused init left {}", other.display());
    log::info!("still logged after the refused inits");

    // The logger writes each line before the log call returns.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        !text.contains("earlier run"),
        "append(false) must truncate:\n{text}"
    );
    assert!(!text.contains("trace"), "below the level:\n{text}");
    let expect = [
        ("[worker_a] DEBUG", "debug from a 1"),
        ("[worker_a] INFO ", "info from a 1"),
        ("[named-b] WARN ", "warning from b"),
        ("] ERROR", "error from main"),
        ("] INFO ", "still logged after the refused inits"),
    ];
    assert_eq!(lines.len(), expect.len(), "{text}");
    for (line, (tag, message)) in lines.iter().zip(expect) {
        assert!(
            line.contains(tag) && line.ends_with(message),
            "{line:?} lacks {tag:?} / {message:?}"
        );
        // An RFC 3339 UTC timestamp first: 2026-11-30T01:30:00.123Z
        let stamp = line.split(' ').next().unwrap();
        assert!(
            stamp.len() == 24 && stamp.ends_with('Z') && stamp.as_bytes()[10] == b'T',
            "{line:?}"
        );
    }
}
