//! Behaviour of `#[threaded]` functions: names, results, panics, early
//! returns, and that the call returns while the body is still running.

mod support;

use std::sync::mpsc::{self, Receiver};
use std::thread::JoinHandle;
use std::time::Duration;

use support::{GUARD, within};
use threaded::{StopEvent, StoppableThread, threaded};

fn current_name() -> Option<String> {
    std::thread::current().name().map(str::to_owned)
}

#[threaded]
fn free_function() -> Option<String> {
    current_name()
}

#[threaded(name = "explicit-name")]
fn explicitly_named() -> Option<String> {
    current_name()
}

struct Sensor {
    id: u32,
}

impl Sensor {
    #[threaded]
    fn read(self) -> (u32, Option<String>) {
        (self.id, current_name())
    }

    #[threaded]
    fn calibrate() -> Option<String> {
        current_name()
    }
}

mod nested {
    pub(super) mod module {
        use threaded::threaded;

        #[threaded]
        pub(crate) fn deep_function() -> Option<String> {
            super::super::current_name()
        }
    }
}

#[test]
fn threads_are_named_after_the_function() {
    assert_eq!(
        free_function().join().unwrap().as_deref(),
        Some("free_function")
    );
    assert_eq!(
        nested::module::deep_function().join().unwrap().as_deref(),
        Some("deep_function")
    );
}

#[test]
fn methods_and_associated_functions_are_named_type_colon_colon_method() {
    let (id, name) = Sensor { id: 7 }.read().join().unwrap();
    assert_eq!(id, 7);
    assert_eq!(name.as_deref(), Some("Sensor::read"));
    assert_eq!(
        Sensor::calibrate().join().unwrap().as_deref(),
        Some("Sensor::calibrate")
    );
}

#[test]
fn an_explicit_name_wins() {
    assert_eq!(
        explicitly_named().join().unwrap().as_deref(),
        Some("explicit-name")
    );
}

#[test]
fn a_function_defined_inside_another_is_named_by_itself() {
    #[threaded]
    fn local() -> Option<String> {
        current_name()
    }
    assert_eq!(local().join().unwrap().as_deref(), Some("local"));
}

#[threaded]
fn multiply(a: u64, b: u64) -> u64 {
    a * b
}

#[test]
fn results_come_back_through_join() {
    let handles: Vec<JoinHandle<u64>> = (1..=8).map(|n| multiply(n, 10)).collect();
    let results: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(results, vec![10, 20, 30, 40, 50, 60, 70, 80]);
}

#[threaded]
fn explode(message: String) -> u32 {
    panic!("{message}");
}

#[test]
fn a_panic_in_the_body_is_an_err_from_join() {
    let payload = explode("boom".to_owned()).join().unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("boom")
    );
}

#[threaded]
fn wait_for_go(go: Receiver<()>) -> bool {
    go.recv_timeout(GUARD).is_ok()
}

#[test]
fn the_call_returns_before_the_body_finishes() {
    let (go_tx, go_rx) = mpsc::channel();
    // The body blocks until `go` arrives, which is sent only after the call
    // returned: a call that waited for its body would make it time out.
    let handle = wait_for_go(go_rx);
    assert!(!handle.is_finished());
    go_tx.send(()).unwrap();
    assert!(handle.join().unwrap(), "the body never saw `go`");
}

#[threaded]
fn first_negative(values: Vec<&'static str>) -> Result<Option<i64>, std::num::ParseIntError> {
    for value in values {
        let n: i64 = value.parse()?;
        if n < 0 {
            return Ok(Some(n));
        }
    }
    Ok(None)
}

#[test]
fn question_mark_and_early_return_work() {
    assert_eq!(
        first_negative(vec!["1", "-2", "x"]).join().unwrap(),
        Ok(Some(-2))
    );
    assert_eq!(first_negative(vec!["1", "2"]).join().unwrap(), Ok(None));
    assert!(
        first_negative(vec!["1", "x", "-2"])
            .join()
            .unwrap()
            .is_err()
    );
}

/// Sends the name of the thread it is dropped on.
struct DropWitness(mpsc::Sender<Option<String>>);

impl Drop for DropWitness {
    fn drop(&mut self) {
        let _ = self.0.send(current_name());
    }
}

#[threaded]
fn ignores_its_argument(_witness: DropWitness) {}

#[threaded]
fn uses_one_field(pair: (u32, DropWitness)) -> u32 {
    pair.0
}

#[test]
fn arguments_move_into_the_thread_and_drop_there() {
    let (tx, rx) = mpsc::channel();
    ignores_its_argument(DropWitness(tx.clone()))
        .join()
        .unwrap();
    assert_eq!(
        rx.recv_timeout(GUARD).unwrap().as_deref(),
        Some("ignores_its_argument")
    );
    assert_eq!(uses_one_field((5, DropWitness(tx))).join().unwrap(), 5);
    assert_eq!(
        rx.recv_timeout(GUARD).unwrap().as_deref(),
        Some("uses_one_field")
    );
}

#[threaded(stoppable)]
fn count_until_stopped(stop: StopEvent, started: mpsc::Sender<()>) -> u32 {
    started.send(()).unwrap();
    let mut ticks = 0;
    while !stop.wait_timeout(Duration::from_millis(1)) {
        ticks += 1;
    }
    ticks
}

#[test]
fn a_stoppable_function_runs_until_stopped() {
    let (started_tx, started_rx) = mpsc::channel();
    let worker: StoppableThread<u32> = count_until_stopped(started_tx);
    started_rx.recv_timeout(GUARD).unwrap();
    assert!(!worker.is_finished());
    assert_eq!(worker.thread().name(), Some("count_until_stopped"));
    let stop = worker.stop_event();
    worker.stop();
    assert!(stop.is_set());
    // The body loops until stopped: a stop that did not reach it fails here, not hangs.
    within(GUARD, move || worker.join().unwrap());
}

#[threaded(stoppable)]
fn report_on_exit(stop: StopEvent, done: mpsc::Sender<bool>) {
    let stopped = stop.wait_timeout(GUARD);
    done.send(stopped).unwrap();
}

#[test]
fn dropping_a_stoppable_handle_stops_and_joins_it() {
    let (done_tx, done_rx) = mpsc::channel();
    drop(report_on_exit(done_tx));
    // The thread has already finished: its report is waiting, no timeout needed.
    assert_eq!(done_rx.try_recv(), Ok(true));
}

#[threaded(name = "worker-{id}")]
fn numbered_worker(id: u32, label: String) -> (Option<String>, String) {
    (current_name(), label)
}

#[test]
fn a_name_placeholder_gives_each_call_its_own_thread_name() {
    let handles: Vec<_> = (1..=3)
        .map(|id| numbered_worker(id, format!("job {id}")))
        .collect();
    let got: Vec<(Option<String>, String)> =
        handles.into_iter().map(|h| h.join().unwrap()).collect();
    let expected: Vec<(Option<String>, String)> = (1..=3)
        .map(|id| (Some(format!("worker-{id}")), format!("job {id}")))
        .collect();
    assert_eq!(got, expected);
}

/// Its `Display` counts how often it was formatted, and it records the
/// thread it is dropped on: the name is formatted before the value moves.
struct Peer {
    formatted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    witness: DropWitness,
}

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.formatted
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        f.pad("10.0.0.1")
    }
}

#[threaded(name = "conn {peer:>10}|{{ok}}")]
fn serve_peer(peer: Peer) -> Option<String> {
    let _ = &peer.witness;
    current_name()
}

#[test]
fn a_name_is_formatted_once_per_call_with_specs_and_escapes_before_the_argument_moves() {
    let formatted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    let peer = Peer {
        formatted: std::sync::Arc::clone(&formatted),
        witness: DropWitness(tx),
    };
    let name = serve_peer(peer).join().unwrap();
    assert_eq!(name.as_deref(), Some("conn   10.0.0.1|{ok}"));
    assert_eq!(formatted.load(std::sync::atomic::Ordering::SeqCst), 1);
    // The argument still moved into the thread, and was dropped there.
    assert_eq!(
        rx.recv_timeout(GUARD).unwrap().as_deref(),
        Some("conn   10.0.0.1|{ok}")
    );
}
