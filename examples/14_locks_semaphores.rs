//! Slide "Controlando Threads": *"Existem outras estruturas que facilitam o uso de threads
//! como Lock, RLock e Semáforos (Ver documentação!)"*. This is that documentation, run.
//!
//! Python:
//!
//! ```python
//! lock = threading.Lock()
//! with lock:
//!     contador += 1
//!
//! rlock = threading.RLock()            # the same thread may take it again
//! sem = threading.Semaphore(2)         # at most two downloads at once
//! with sem:
//!     baixar(url)
//! bsem = threading.BoundedSemaphore(2)
//! bsem.release()                       # ValueError: Semaphore released too many times
//! barrier = threading.Barrier(3, action=largada)
//! barrier.wait()
//! t = threading.Timer(0.1, tocar); t.start(); t.cancel()
//! ```
//!
//! In Rust, `Lock` is std's `Mutex<T>`; the others are in `threaded::sync`, and `Timer` is
//! `threaded::Timer`.
//!
//! What to notice:
//! - the counter lives *inside* the `Mutex`: there is no way to touch it without the lock,
//!   and the lock is released where the guard's scope ends, as at the end of `with lock:`;
//! - an `RLock` guard only gives `&T`, because the same thread may hold two guards at once;
//!   what changes goes in a `Cell`;
//! - a `Permit` is given back when dropped, even if the download panics;
//! - a `BoundedSemaphore`'s extra `release` is an `Err` you must look at, not an exception
//!   you may forget to catch;
//! - a cancelled `Timer` wakes at once: its thread does not sleep out the hour.
//!
//! Run it: `cargo run --example 14_locks_semaphores`
//!
//! Em português: este exemplo é a "documentação" que o slide manda ver. O `Lock` do Python é
//! o `Mutex` do Rust, que guarda o dado dentro dele; o `RLock` pode ser pego duas vezes pela
//! mesma thread; o `Semaphore(2)` deixa no máximo dois downloads ao mesmo tempo; o
//! `BoundedSemaphore` recusa um `release` a mais; a `Barrier` larga três corredores juntos; e
//! um `Timer` dispara enquanto o outro é cancelado. Experimente trocar `Semaphore::new(2)` por
//! `Semaphore::new(3)` e veja o máximo mudar.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use threaded::Timer;
use threaded::sync::{Barrier, RLock, Semaphore};

fn lock_is_a_mutex() {
    println!("== Lock: Mutex<T> ==");
    let contador = Arc::new(Mutex::new(0));
    let threads: Vec<_> = (0..20)
        .map(|_| {
            let contador = Arc::clone(&contador);
            thread::spawn(move || {
                let mut valor = contador.lock().unwrap(); // with lock:
                *valor += 1;
            }) // the guard's scope ends: the lock is released
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    println!(
        "20 threads added 1 under the lock: {}",
        contador.lock().unwrap()
    );
}

struct Conta {
    saldo: RLock<Cell<i64>>,
}

impl Conta {
    fn deposita(&self, valor: i64) {
        let saldo = self.saldo.lock(); // taken again if the caller holds it
        saldo.set(saldo.get() + valor);
    }

    /// The two deposits happen under one lock: no other thread sees the first alone.
    fn deposita_duas_vezes(&self, valor: i64) {
        let _toda_a_operacao = self.saldo.lock();
        self.deposita(valor);
        self.deposita(valor);
    }
}

fn rlock_taken_twice() {
    println!("== RLock: one thread takes it twice ==");
    let conta = Conta {
        saldo: RLock::new(Cell::new(0)),
    };
    conta.deposita_duas_vezes(10); // a Mutex here would deadlock
    println!(
        "deposita_duas_vezes held the lock while deposita took it again: saldo = {}",
        conta.saldo.lock().get()
    );
}

fn semaphore_limits_downloads() {
    println!("== Semaphore(2): five downloads, at most two at once ==");
    let slots = Semaphore::new(2);
    let inside = AtomicUsize::new(0);
    let most = AtomicUsize::new(0);
    thread::scope(|s| {
        for n in 1..=5 {
            let (slots, inside, most) = (&slots, &inside, &most);
            s.spawn(move || {
                let _permit = slots.acquire(); // with sem:
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                println!("download {n} starts ({now} inside)");
                thread::sleep(Duration::from_millis(40)); // the download itself
                inside.fetch_sub(1, Ordering::SeqCst);
            }); // the permit goes back here
        }
    });
    let most = most.load(Ordering::SeqCst);
    assert!(most <= 2, "the semaphore let {most} in");
    println!(
        "most downloads at once: {most}; permits back: {}",
        slots.available()
    );
}

fn bounded_semaphore_refuses_extra_release() {
    println!("== BoundedSemaphore(2) ==");
    let sem = Semaphore::bounded(2);
    match sem.release(1) {
        Ok(()) => println!("release() without acquire: accepted?!"),
        Err(e) => println!(
            "release() without acquire: refused ({e}), still {} available",
            sem.available()
        ),
    }
    sem.acquire().forget(); // Python's bare sem.acquire()
    sem.release(1).unwrap(); // ... and its release()
    println!(
        "acquire() then release(): ok, {} available",
        sem.available()
    );
}

fn barrier_starts_runners_together() {
    println!("== Barrier(3): three runners start together ==");
    let gun = Arc::new(Mutex::new(None));
    let fired = Arc::clone(&gun);
    let start = Barrier::with_action(3, move || {
        *fired.lock().unwrap() = Some(Instant::now()); // largada!
    });
    let started: Vec<(usize, Instant)> = thread::scope(|s| {
        let runners: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| {
                    let arrival = start.wait().expect("nobody breaks this barrier");
                    (arrival, Instant::now())
                })
            })
            .collect();
        runners.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let gun = gun.lock().unwrap().expect("the action ran");
    let mut arrivals: Vec<usize> = started.iter().map(|&(i, _)| i).collect();
    arrivals.sort_unstable();
    let after_the_gun = started.iter().all(|&(_, t)| t >= gun);
    println!(
        "arrival indexes {arrivals:?}; every runner ran after the starting gun: {after_the_gun}"
    );
}

fn timers() {
    println!("== Timer ==");
    let delay = Duration::from_millis(100);
    let created = Instant::now();
    let toca = Timer::start(delay, move || created.elapsed());
    let nunca = Timer::start(Duration::from_secs(3600), || println!("this never prints"));
    nunca.cancel();
    match nunca.join() {
        Ok(None) => println!("Timer(3600 s) cancelled: it never ran, its thread ended at once"),
        Ok(Some(())) => println!("Timer(3600 s) ran?!"),
        Err(_) => println!("Timer(3600 s) panicked"),
    }
    match toca.join() {
        Ok(Some(after)) => println!(
            "Timer(0.1 s) fired, not early: {}",
            if after >= delay { "yes" } else { "no" }
        ),
        Ok(None) => println!("Timer(0.1 s) was cancelled?!"),
        Err(_) => println!("Timer(0.1 s) panicked"),
    }
}

fn main() {
    lock_is_a_mutex();
    rlock_taken_twice();
    semaphore_limits_downloads();
    bounded_semaphore_refuses_extra_release();
    barrier_starts_runners_together();
    timers();
}
