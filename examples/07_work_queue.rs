//! Slide "Threads - Filas (Queue)": `q.put`, `q.get`, `q.task_done`,
//! `q.join`, and the `Full` / `Empty` exceptions.
//!
//! Python:
//!
//! ```python
//! @threaded
//! def func():
//!     while 1:
//!         item = q.get()
//!         operacao(item)
//!         q.task_done()
//!
//! q = Queue()
//! for i in range(5):
//!     func()
//!
//! for item in source():
//!     q.put(item)
//! q.join() # Bloqueia a fifo até que tudo seja processado
//! ```
//!
//! `threaded::WorkQueue` is `queue.Queue`: the same `put`, `get`,
//! `task_done` and `join`, plus a `shutdown` that lets the workers end.
//!
//! What to notice:
//! - `get_task` hands out the item inside a guard that calls `task_done` when
//!   it is dropped, even while a panic unwinds. In Python an exception in
//!   `operacao(item)` skips `q.task_done()`, and `q.join()` then waits for
//!   ever;
//! - the lecture's `while 1` never ends, so its threads can never be joined.
//!   Here `shutdown()` lets the workers drain the queue and return;
//! - `put` *moves* the item into the queue. When the queue refuses it
//!   (`Full`, `ShutDown`), the error hands the item back, so nothing is lost;
//! - `name = "func-{i}"` names each of the five `#[threaded]` workers after
//!   its argument, as Python names its threads `Thread-1`, `Thread-2`, …;
//! - `spawn_workers` is the whole worker loop in one call: a panicking item
//!   is logged (one line on stderr, with the worker's name) and the worker
//!   goes on. That panic is on purpose, so the default panic message is
//!   kept quiet for it.
//!
//! Run it: `cargo run --example 07_work_queue`
//!
//! Em português: a `WorkQueue` é a `Queue` da aula, com `put`, `get`,
//! `task_done` e `join`. Os cinco trabalhadores se chamam `func-1` a
//! `func-5`; `shutdown()` os deixa terminar, coisa que o `while 1` da aula
//! nunca faz. Um item que dá pânico é marcado como feito, e o `join` não
//! trava. Experimente trocar `WorkQueue::new()` por `WorkQueue::bounded(2)`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use threaded::logging::basic_config;
use threaded::{GetError, PutError, WorkQueue, threaded};

/// The lecture's `source()`: the items to process.
fn source() -> impl Iterator<Item = u64> {
    1..=20
}

/// The lecture's `operacao(item)`.
fn operacao(item: u64) -> u64 {
    item * item
}

/// The lecture's worker, started five times.
///
/// `WorkQueue` is `Clone`: each worker gets its own handle on the one queue.
/// `soma` is shared through an `Arc`, and must be an atomic (or sit in a
/// `Mutex`): five threads add to it, and the compiler refuses a plain `u64`.
#[threaded(name = "func-{i}")]
fn func(i: usize, q: WorkQueue<u64>, soma: Arc<AtomicU64>) {
    // `get_task` is `q.get()`; the `Task` it returns calls `q.task_done()`
    // when it goes out of scope, at the end of each turn of the loop.
    // The loop ends once the queue is shut down and empty.
    while let Ok(item) = q.get_task() {
        soma.fetch_add(operacao(*item), Ordering::Relaxed);
    }
}

fn five_workers_and_join() {
    println!("== 5 workers, q.join() ==");
    let q = WorkQueue::new();
    let soma = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (1..=5)
        .map(|i| func(i, q.clone(), Arc::clone(&soma)))
        .collect();
    let names: Vec<&str> = workers
        .iter()
        .map(|worker| worker.thread().name().unwrap_or("?"))
        .collect();
    println!("workers: {}", names.join(", "));

    for item in source() {
        q.put(item).expect("nobody shut the queue down yet");
    }
    q.join(); // blocks until every item put has been marked done
    println!(
        "q.join() returned: {} unfinished tasks, sum of the squares of 1..=20 = {}",
        q.unfinished_tasks(),
        soma.load(Ordering::Relaxed)
    );

    // Python's workers loop for ever; ours end when the queue shuts down.
    q.shutdown();
    for worker in workers {
        worker.join().expect("a worker panicked");
    }
    println!("after q.shutdown() the 5 workers returned and were joined");
    if let Err(PutError::ShutDown(item)) = q.put(21) {
        println!("q.put(21) after shutdown is refused; we got {item} back");
    }
}

fn full_and_empty() {
    println!("== Full and Empty: Queue(maxsize=2) ==");
    let q = WorkQueue::bounded(2);
    for letra in ['a', 'b', 'c'] {
        // `try_put` is `put_nowait`. The item moves in; on `Full` it comes
        // back inside the error, where Python only raises `queue.Full`.
        match q.try_put(letra) {
            Ok(()) => println!("q.put_nowait({letra:?}): ok, {} of 2", q.len()),
            Err(PutError::Full(back)) => {
                println!("q.put_nowait({letra:?}): Full, and we got {back:?} back");
            }
            Err(PutError::ShutDown(back)) => println!("q.put_nowait({back:?}): shut down"),
        }
    }
    // `put(item, timeout=0.05)`: waits for a slot, then gives the item back.
    if let Err(PutError::Full(back)) = q.put_timeout('d', Duration::from_millis(50)) {
        println!("q.put('d', timeout=0.05): still Full after 50 ms, and we got {back:?} back");
    }

    while let Ok(letra) = q.try_get() {
        println!("q.get_nowait(): {letra:?}");
    }
    // An empty queue is an ordinary value of an enum, not an exception.
    if q.try_get() == Err(GetError::Empty) {
        println!("q.get_nowait(): Empty");
    }
}

fn a_worker_panics() {
    println!("== a worker panics on item 13 ==");
    let q = WorkQueue::new();
    let feitos = Arc::new(Mutex::new(Vec::new()));
    let workers = {
        let feitos = Arc::clone(&feitos);
        // The whole `@threaded def func(): while 1: ...` loop, five times.
        q.spawn_workers(5, move |item: u64| {
            if item == 13 {
                panic!("{ON_PURPOSE} operacao({item}) failed");
            }
            feitos
                .lock()
                .expect("no thread panics while holding this lock")
                .push(item);
        })
    };

    for item in source() {
        q.put(item).expect("nobody shut the queue down yet");
    }
    // Item 13 panicked, yet it was marked done: join does not hang.
    q.join();
    let feitos = feitos.lock().expect("no thread panicked holding it");
    let missing: Vec<u64> = source().filter(|item| !feitos.contains(item)).collect();
    println!(
        "q.join() returned: {} items done, {} unfinished, missing: {missing:?}",
        feitos.len(),
        q.unfinished_tasks(),
    );

    q.shutdown();
    let ended = workers
        .into_iter()
        .map(|worker| worker.join())
        .filter(Result::is_ok)
        .count();
    println!("after q.shutdown(): {ended} of 5 workers ended normally");
}

/// Starts the message of the panic this example causes on purpose.
const ON_PURPOSE: &str = "on purpose:";

/// `spawn_workers` logs a worker's panic in one line; the default panic hook
/// would print it a second time (with a backtrace under `RUST_BACKTRACE`).
/// Only the deliberate panic is silenced: any other still shows in full.
fn quiet_deliberate_panic() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied());
        if !message.is_some_and(|m| m.starts_with(ON_PURPOSE)) {
            default(info);
        }
    }));
}

fn main() {
    // Shows on stderr the worker's panic, logged by `spawn_workers`.
    basic_config().init().expect("logging was already set up");
    quiet_deliberate_panic();

    five_workers_and_join();
    full_and_empty();
    a_worker_panics();
}
