//! `threaded::Timer`: CPython's `TimerTests` (`Lib/test/test_threading.py`) where they map,
//! plus cancel, drop, detach and panics. Every wait is bounded by `GUARD`; nothing sleeps to
//! synchronise.

mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use support::{GUARD, panic_site, wait_until, within};
use threaded::Timer;

/// Long enough that a test never sees it fire: a fired timer here is a bug.
const NEVER: Duration = Duration::from_secs(3600);

#[test]
fn timer_is_send_for_send_results() {
    fn assert_send<T: Send>() {}
    assert_send::<Timer<String>>();
}

/// CPython `test_init_immutable_default_args`: two timers, each with its own state, each
/// fires once.
#[test]
fn two_timers_fire_once_each_with_their_own_arguments() {
    let calls = Arc::new(AtomicUsize::new(0));
    let timers: Vec<_> = ["first", "second"]
        .into_iter()
        .map(|name| {
            let calls = Arc::clone(&calls);
            Timer::start(Duration::from_millis(10), move || {
                calls.fetch_add(1, Ordering::SeqCst);
                name
            })
        })
        .collect();
    let results: Vec<_> = timers
        .into_iter()
        .map(|t| within(GUARD, move || t.join().unwrap()))
        .collect();
    assert_eq!(results, [Some("first"), Some("second")]);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn a_timer_fires_after_its_delay_never_before() {
    for delay in [
        Duration::ZERO,
        Duration::from_millis(1),
        Duration::from_millis(50),
    ] {
        let started = Instant::now();
        let timer = Timer::start(delay, move || started.elapsed());
        let waited = within(GUARD, move || timer.join().unwrap()).expect("it fired");
        assert!(waited >= delay, "fired after {waited:?}, before {delay:?}");
    }
}

#[test]
fn threads_are_named_timer_or_as_asked() {
    let name = || thread::current().name().map(str::to_owned);
    let timer = Timer::start(Duration::ZERO, name);
    assert_eq!(timer.thread().name(), Some("timer"));
    assert_eq!(timer.join().unwrap().unwrap().as_deref(), Some("timer"));
    let timer = Timer::named("lembrete", Duration::ZERO, name);
    assert_eq!(timer.join().unwrap().unwrap().as_deref(), Some("lembrete"));
}

/// Python's `cancel()` before the interval: the function never runs, and the thread wakes
/// at once instead of sleeping out its delay.
#[test]
fn cancel_before_it_fires_wakes_the_thread_and_the_function_never_runs() {
    for delay in [NEVER, Duration::MAX] {
        let ran = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&ran);
        let timer = Timer::start(delay, move || flag.store(true, Ordering::SeqCst));
        assert!(!timer.is_finished());
        timer.cancel();
        timer.cancel(); // twice: nothing more happens
        wait_until("the cancelled timer's thread ends", || timer.is_finished());
        assert_eq!(within(GUARD, move || timer.join().unwrap()), None);
        assert!(!ran.load(Ordering::SeqCst));
    }
}

/// A cancel after the function started does not interrupt it, and its result comes back.
#[test]
fn cancel_after_it_fired_changes_nothing() {
    let (started_tx, started_rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let timer = Timer::start(Duration::ZERO, move || {
        started_tx.send(()).unwrap();
        go_rx.recv_timeout(GUARD).unwrap();
        42
    });
    started_rx.recv_timeout(GUARD).unwrap();
    timer.cancel();
    go_tx.send(()).unwrap();
    assert_eq!(within(GUARD, move || timer.join().unwrap()), Some(42));
}

/// Racing `cancel` against the deadline: whichever wins, the function ran exactly when
/// `join` says it did.
#[test]
fn cancel_racing_the_deadline_is_either_none_or_a_completed_run() {
    for _ in 0..20 {
        let ran = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&ran);
        let timer = Timer::start(Duration::from_micros(200), move || {
            flag.store(true, Ordering::SeqCst);
        });
        thread::yield_now();
        timer.cancel();
        let result = within(GUARD, move || timer.join().unwrap());
        assert_eq!(result.is_some(), ran.load(Ordering::SeqCst));
    }
}

/// Dropping a timer cancels it and waits for its thread: the closure (and what it owns) is
/// gone when the drop returns.
#[test]
fn dropping_a_timer_cancels_and_joins_it() {
    let owned = Arc::new(());
    let inside = Arc::clone(&owned);
    let timer = Timer::start(NEVER, move || drop(inside));
    within(GUARD, move || drop(timer));
    assert_eq!(Arc::strong_count(&owned), 1, "the timer thread has ended");
}

/// `detach` lets it fire without a handle.
#[test]
fn a_detached_timer_fires() {
    let (tx, rx) = mpsc::channel();
    Timer::start(Duration::from_millis(5), move || tx.send("fired").unwrap()).detach();
    assert_eq!(rx.recv_timeout(GUARD), Ok("fired"));
}

/// A panic of the function reaches `join`; a drop logs it instead of panicking.
#[test]
fn a_panicking_function_reaches_join_and_a_drop_survives_it() {
    let timer = Timer::start(Duration::ZERO, || -> u8 { panic!("the timer fails") });
    let payload = within(GUARD, move || timer.join().unwrap_err());
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"the timer fails"));

    let timer = Timer::start(Duration::ZERO, || -> u8 { panic!("dropped") });
    wait_until("the timer's thread ends", || timer.is_finished());
    drop(timer);
}

/// A timer dropped inside its own function (moved in through a channel) does not deadlock.
#[test]
fn a_timer_dropped_by_its_own_function_does_not_deadlock() {
    let (handle_tx, handle_rx) = mpsc::channel::<Timer<()>>();
    let (done_tx, done_rx) = mpsc::channel();
    let timer = Timer::start(Duration::ZERO, move || {
        let me = handle_rx.recv_timeout(GUARD).unwrap();
        drop(me);
        done_tx.send(()).unwrap();
    });
    handle_tx.send(timer).unwrap();
    assert_eq!(done_rx.recv_timeout(GUARD), Ok(()));
}

#[test]
fn debug_names_the_thread_and_the_state() {
    let timer = Timer::start(NEVER, || ());
    assert!(format!("{timer:?}").contains("state: \"pending\""));
    timer.cancel();
    assert!(format!("{timer:?}").contains("state: \"cancelled\""));
    assert!(format!("{timer:?}").starts_with("Timer { name: Some(\"timer\")"));
    assert_eq!(within(GUARD, move || timer.join().unwrap()), None);
}

#[test]
fn a_name_with_a_nul_byte_panics_at_the_callers_line() {
    let mut expected = 0;
    let (message, site) = panic_site(|| {
        expected = line!() + 1;
        let _timer = Timer::named("a\0b", NEVER, || ());
    });
    assert!(
        message.contains("nul byte") && message.contains("a\\0b"),
        "{message}"
    );
    assert_eq!(site, format!("{}:{expected}", file!()));
}
