//! After "Thread Pythonica": a pool of threads, Python's
//! `concurrent.futures.ThreadPoolExecutor`.
//!
//! Python:
//!
//! ```python
//! from concurrent.futures import ThreadPoolExecutor, as_completed
//!
//! with ThreadPoolExecutor(max_workers=3, thread_name_prefix="download") as ex:
//!     futuro = ex.submit(baixa, "a.txt")
//!     print(futuro.result())
//!     print(list(ex.map(tamanho, ["1", "22", "x", "4444"])))  # raises at "x"
//!     for f in as_completed([ex.submit(espera, ms) for ms in (120, 10, 60)]):
//!         print(f.result())
//! ```
//!
//! Every `#[threaded]` call starts a new OS thread and ends it: tens of
//! microseconds each time. A pool starts its threads once and hands each
//! call to one that is idle; `#[threaded(pool)]` does that for a function.
//!
//! What to notice:
//! - a `Job` is the `Future` of Python: `join()` is `result()`, and an error
//!   is a value (`JobError`), not an exception raised somewhere else;
//! - a job that panics is an `Err` for whoever joins it, and its worker
//!   thread lives on to take the next job;
//! - `map` gives the results in input order, the panic only at its own place;
//!   `as_completed` gives the jobs in the order they finish;
//! - after `shutdown`, a job is refused and says so (`JobError::ShutDown`);
//!   it is never dropped in silence;
//! - at the end the example measures, on this machine, a pooled call against
//!   a new thread.
//!
//! Run it: `cargo run --example 15_thread_pool`
//!
//! Em português: este exemplo mostra o passo seguinte ao `@threaded`: um pool
//! de threads, como o `ThreadPoolExecutor` do Python. `submit` devolve um
//! `Job` na hora; `join()` espera o resultado. Um job que entra em pânico vira
//! um `Err` e a thread do pool continua trabalhando. Experimente mudar o
//! número de workers e veja a ordem do `as_completed` e o tempo medido no fim.

use std::thread;
use std::time::{Duration, Instant};

use threaded::pool::{JobError, ThreadPool, as_completed};
use threaded::threaded;

fn thread_name() -> String {
    thread::current().name().unwrap_or("<unnamed>").to_owned()
}

/// Runs on the global pool (`ThreadPool::global()`): the call returns a `Job`.
#[threaded(pool)]
fn baixa(arquivo: String) -> String {
    format!("[{}] baixei {arquivo}", thread_name())
}

/// The same function as a plain `#[threaded]`: a new thread per call.
#[threaded]
fn soma_thread(a: u64, b: u64) -> u64 {
    a + b
}

#[threaded(pool)]
fn soma_pool(a: u64, b: u64) -> u64 {
    a + b
}

fn main() {
    // A panic on purpose (in `map`) prints one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("?");
        eprintln!("(panic de propósito em '{}': {message})", thread_name());
    }));

    println!("== #[threaded(pool)]: submit and join ==");
    let jobs: Vec<_> = ["a.txt", "b.txt"].map(|f| baixa(f.to_owned())).into();
    for job in jobs {
        match job.join() {
            Ok(texto) => println!("{texto}"),
            Err(e) => println!("erro: {e}"),
        }
    }

    let pool = ThreadPool::builder()
        .workers(3)
        .name("download")
        .build()
        .expect("cannot start the pool");

    println!("== map: input order, a panic only at its own place ==");
    let entradas = ["1", "22", "x", "4444"];
    let resultados = pool.map(entradas, |texto: &str| {
        assert!(texto.parse::<u32>().is_ok(), "{texto:?} is not a number");
        texto.len()
    });
    for (entrada, resultado) in entradas.iter().zip(resultados) {
        match resultado {
            Ok(tamanho) => println!("{entrada:>6} -> {tamanho}"),
            Err(e) => println!("{entrada:>6} -> erro: {e}"),
        }
    }

    println!("== as_completed: in the order they finish ==");
    // Sleeps stand in for downloads of different lengths.
    let jobs = [120_u64, 10, 60].map(|ms| {
        pool.submit(move || {
            thread::sleep(Duration::from_millis(ms));
            ms
        })
    });
    for job in as_completed(jobs) {
        println!(
            "terminou: {} ms",
            job.join().expect("a sleep does not panic")
        );
    }

    println!("== a panicking job does not kill its worker ==");
    let sozinho = ThreadPool::builder()
        .workers(1)
        .name("sozinho")
        .build()
        .expect("cannot start the pool");
    let antes = sozinho.submit(thread_name).join().expect("no panic here");
    let erro = sozinho
        .submit(|| -> u32 { panic!("falhou") })
        .join()
        .expect_err("this job panics");
    let depois = sozinho.submit(thread_name).join().expect("no panic here");
    println!("antes: {antes}; erro: {erro}; depois: {depois}");

    println!("== shutdown: no new jobs ==");
    pool.shutdown();
    match pool.submit(|| 1).join() {
        Err(e @ JobError::ShutDown) => println!("recusado: {e}"),
        other => println!("unexpected: {other:?}"),
    }

    println!("== measured here: a pooled call vs a new thread ==");
    let calls = 2_000_u32;
    let start = Instant::now();
    for i in 0..calls {
        soma_thread(u64::from(i), 1).join().expect("no panic here");
    }
    let por_thread = start.elapsed() / calls;
    let start = Instant::now();
    for i in 0..calls {
        soma_pool(u64::from(i), 1).join().expect("no panic here");
    }
    let por_pool = start.elapsed() / calls;
    println!(
        "new thread: {:.1} µs per call; pool: {:.1} µs per call; {:.0}x cheaper",
        por_thread.as_secs_f64() * 1e6,
        por_pool.as_secs_f64() * 1e6,
        por_thread.as_secs_f64() / por_pool.as_secs_f64().max(1e-9),
    );
}
