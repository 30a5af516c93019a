//! `cargo run --example tour`, the README's first command: every part of the
//! class runs and says so, on stdout (the steps) and in the log (stderr).

use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn the_tour_shows_every_part_working() {
    let exe = std::env::current_exe().unwrap();
    let tour = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join("tour");
    let child = Command::new(&tour)
        .env_remove("RUST_LOG")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", tour.display()));
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    let Ok(output) = rx.recv_timeout(Duration::from_secs(60)) else {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        panic!("the tour did not end within 60 s");
    };
    let output = output.unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}\n{out}\n{log}", output.status);

    for step in 1..=7 {
        assert!(
            out.contains(&format!("== {step}. ")),
            "step {step} missing:\n{out}"
        );
    }
    for expected in [
        "squares from 3 threads: [9, 16, 25]",
        // 1² + … + 10² = 385, less the 49 of the item whose worker panicked.
        "without the item 7 that panicked: 336",
        "Received 'Hello, world'",
        "Received 'Olá, mundo'",
        "Received 'Hola, mundo'",
        "TCP server: 3 connections, 0 errors, shut down",
        "UDP reply to 'ping': 'PING'",
        "UDP reply to 'pong': 'PONG'",
    ] {
        assert!(out.contains(expected), "no {expected:?} in:\n{out}");
    }
    let beats: u32 = out
        .lines()
        .find_map(|l| l.strip_prefix("the heartbeat beat "))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no heartbeat count in:\n{out}"));
    assert!(beats >= 1, "{out}");

    // The log: thread names from #[threaded], the queue's workers and the servers.
    for expected in [
        "[main] INFO  the tour starts",
        "[square] INFO  computing 3²",
        "[heartbeat] INFO  beat 1",
        "panicked on an item: item 7 is cursed",
        "INFO  Connected by 127.0.0.1:",
        "INFO  Received message 'ping' from 127.0.0.1:",
        "[heartbeat] INFO  stopped after",
        "[main] INFO  the tour ends",
    ] {
        assert!(log.contains(expected), "no {expected:?} in the log:\n{log}");
    }
}
