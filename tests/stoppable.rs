//! `StoppableThread` and `spawn_stoppable`: a Python `Thread` with `stop()`,
//! joined when its handle is dropped.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use support::{GUARD, panic_site, wait_until};
use threaded::{StopEvent, StoppableThread, spawn_stoppable};

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<StoppableThread<u64>>();
};

/// A thread body that returns once stopped, or fails after [`GUARD`].
fn until_stopped(stop: &StopEvent) {
    assert!(stop.wait_timeout(GUARD), "the thread was never stopped");
}

#[test]
fn the_thread_sees_its_stop_event() {
    let (before_tx, before_rx) = mpsc::channel();
    let worker = spawn_stoppable("sees-event", move |stop| {
        before_tx.send(stop.is_set()).unwrap();
        until_stopped(&stop);
        stop.is_set()
    });
    assert_eq!(before_rx.recv_timeout(GUARD), Ok(false));
    assert!(!worker.stop_event().is_set());
    worker.stop();
    assert!(worker.stop_event().is_set());
    assert!(worker.join().unwrap());
}

#[test]
fn stop_then_join_returns_the_result() {
    // The thread reports its first tick, so the result it returns after the stop is known
    // to count at least that one.
    let (ticked_tx, ticked_rx) = mpsc::channel();
    let worker = spawn_stoppable("counter", move |stop| {
        let mut ticks = 0u32;
        while !stop.wait_timeout(Duration::from_millis(1)) {
            ticks += 1;
            if ticks == 1 {
                ticked_tx.send(()).unwrap();
            }
        }
        ticks
    });
    ticked_rx
        .recv_timeout(GUARD)
        .expect("the thread never ticked");
    worker.stop();
    let ticks: u32 = worker.join().unwrap();
    assert!(ticks >= 1, "the stopped thread returned {ticks} ticks");
}

#[test]
fn stop_and_join_returns_the_result() {
    let worker = spawn_stoppable("stop-and-join", |stop| {
        until_stopped(&stop);
        String::from("done")
    });
    assert_eq!(worker.stop_and_join().unwrap(), "done");
}

#[test]
fn stop_event_clone_stops_the_thread() {
    let worker = spawn_stoppable("by-clone", |stop| {
        until_stopped(&stop);
        7
    });
    worker.stop_event().set();
    assert_eq!(worker.join().unwrap(), 7);
}

#[test]
fn join_waits_without_stopping() {
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let worker = spawn_stoppable("ends-by-itself", move |stop| {
        go_rx.recv_timeout(GUARD).unwrap();
        stop.is_set()
    });
    go_tx.send(()).unwrap();
    assert!(!worker.join().unwrap(), "join must not stop the thread");
}

#[test]
fn drop_stops_and_joins() {
    let exited = Arc::new(AtomicBool::new(false));
    let worker = spawn_stoppable("dropped", {
        let exited = Arc::clone(&exited);
        move |stop| {
            until_stopped(&stop);
            // A drop that stopped without joining returns while this thread is still
            // waking from its stop event, before this store.
            exited.store(true, Ordering::SeqCst);
        }
    });
    let stop = worker.stop_event();
    drop(worker);
    assert!(stop.is_set());
    assert!(exited.load(Ordering::SeqCst));
}

#[test]
fn drop_does_not_propagate_a_panic() {
    // Dropping stops the thread, which then panics; the drop joins it and swallows the
    // panic, so this test thread goes on, and the thread did run to its panic.
    let reached = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&reached);
    let worker = spawn_stoppable("panics-on-stop", move |stop| {
        until_stopped(&stop);
        seen.store(true, Ordering::SeqCst);
        panic!("boom");
    });
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(worker)));
    assert!(
        dropped.is_ok(),
        "dropping the handle propagated the thread's panic"
    );
    assert!(
        reached.load(Ordering::SeqCst),
        "the drop returned before the thread was stopped and joined"
    );
}

#[test]
fn detach_leaves_the_thread_running_and_not_stopped() {
    let (report_tx, report_rx) = mpsc::channel();
    let worker = spawn_stoppable("detached", move |stop| {
        let deadline = Instant::now() + GUARD;
        let mut rounds = 0u64;
        while !stop.wait_timeout(Duration::from_millis(1)) && Instant::now() < deadline {
            rounds += 1;
            if rounds == 1 {
                report_tx.send(None).unwrap();
            }
        }
        report_tx.send(Some(rounds)).unwrap();
    });
    let stop = worker.stop_event();
    worker.detach();

    assert!(!stop.is_set());
    // The thread keeps looping after the handle is gone...
    assert_eq!(report_rx.recv_timeout(GUARD), Ok(None));
    assert!(!stop.is_set());
    // ...until told to stop through the event kept from before.
    stop.set();
    let rounds = report_rx.recv_timeout(GUARD).unwrap();
    assert!(rounds.is_some_and(|rounds| rounds >= 1));
}

#[test]
fn a_panic_comes_back_from_join() {
    let worker = spawn_stoppable("panics", |_stop| -> u32 { panic!("boom") });
    let payload = worker.join().unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));

    let code = 42;
    let worker = spawn_stoppable("panics-formatted", move |_stop| -> u32 {
        panic!("boom {code}")
    });
    let payload = worker.stop_and_join().unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("boom 42")
    );
}

#[test]
fn the_thread_has_the_given_name() {
    let worker = spawn_stoppable("reader", |stop| {
        until_stopped(&stop);
        thread::current().name().map(str::to_owned)
    });
    assert_eq!(worker.thread().name(), Some("reader"));
    assert_eq!(worker.stop_and_join().unwrap().as_deref(), Some("reader"));
}

#[test]
fn is_finished_becomes_true() {
    let worker = spawn_stoppable("finishes", |stop| until_stopped(&stop));
    assert!(!worker.is_finished());
    worker.stop();
    wait_until("the stopped thread finishes", || worker.is_finished());
    worker.join().unwrap();
}

#[test]
fn debug_shows_name_and_state() {
    let worker = spawn_stoppable("debugged", |stop| until_stopped(&stop));
    let text = format!("{worker:?}");
    assert!(text.contains("StoppableThread"), "{text}");
    assert!(text.contains("debugged"), "{text}");
    assert!(text.contains("stop_requested: false"), "{text}");
    assert!(text.contains("finished: false"), "{text}");
    worker.stop();
    assert!(format!("{worker:?}").contains("stop_requested: true"));
    worker.join().unwrap();
}

#[test]
fn spawn_stoppable_with_uses_the_builder() {
    let builder = thread::Builder::new()
        .name("built".to_owned())
        .stack_size(256 * 1024);
    let worker = threaded::__private::spawn_stoppable_with(builder, |stop| {
        until_stopped(&stop);
        thread::current().name().map(str::to_owned)
    });
    assert_eq!(worker.thread().name(), Some("built"));
    assert_eq!(worker.stop_and_join().unwrap().as_deref(), Some("built"));
}

#[test]
fn a_name_with_a_nul_byte_panics_at_the_callers_line() {
    let mut expected = 0;
    let (message, site) = panic_site(|| {
        expected = line!() + 1;
        let _worker = spawn_stoppable("a\0b", |stop| stop.wait());
    });
    assert!(
        message.contains("nul byte") && message.contains("a\\0b"),
        "{message}"
    );
    assert_eq!(site, format!("{}:{expected}", file!()));
}
