//! `signal::stop_on_ctrl_c`: a real SIGINT sent to this process sets the
//! StopEvent instead of killing the process. One handler per process, so
//! this binary holds a single test.

#![cfg(all(feature = "ctrlc", unix))]

mod support;

use std::process::Command;

use support::GUARD;
use threaded::StopEvent;
use threaded::signal::stop_on_ctrl_c;

#[test]
fn ctrl_c_sets_the_stop_event_and_a_second_handler_is_refused() {
    let stop = StopEvent::new();
    stop_on_ctrl_c(&stop).unwrap();
    assert!(
        stop_on_ctrl_c(&StopEvent::new()).is_err(),
        "one handler per process"
    );
    assert!(!stop.is_set());

    let status = Command::new("kill")
        .args(["-INT", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(stop.wait_timeout(GUARD), "SIGINT did not set the event");
}
