//! Slide "Logging": `logging.basicConfig(level, format, filename, filemode)`.
//!
//! Python:
//!
//! ```python
//! import logging
//! logging.basicConfig(level=logging.DEBUG,
//!                     format='%(asctime)s %(levelname)s %(message)s',
//!                     filename='/tmp/myapp.log',
//!                     filemode='w')
//! logging.debug('Isto eh uma msg de debug')
//! logging.info('Isto eh uma informacao')
//! logging.warning('Isto eh um aviso!')
//! ```
//!
//! `threaded::logging::basic_config` takes the same settings, with the same
//! `%(name)s` placeholders in `.format(...)`; `threaded::log` (the `log`
//! crate, re-exported: nothing else to add to `Cargo.toml`) has `debug!`,
//! `info!` and `warn!` for `logging.debug`, `info` and `warning`.
//!
//! What to notice:
//! - `%(threadName)s` is the thread's name, and `name = "trabalhador-{id}"`
//!   gives each `#[threaded]` worker its own, so every line says which
//!   worker wrote it;
//! - the file is in the system's temporary folder (not a hard-coded `/tmp`),
//!   and `append(false)` is `filemode='w'`: each run starts a fresh file;
//! - a second `init()` is refused and leaves the file alone, where Python's
//!   second `basicConfig` silently does nothing.
//!
//! Run it: `cargo run --example 13_logging`
//!
//! Em português: `basic_config()` é o `logging.basicConfig` da aula, com os
//! mesmos `%(...)s` no formato. Cada trabalhador tem o seu nome
//! (`trabalhador-1`, `trabalhador-2`), que aparece em cada linha do
//! arquivo. Experimente trocar `append(false)` por `append(true)` e rodar
//! duas vezes.

use threaded::log::{LevelFilter, debug, info, warn};
use threaded::logging::basic_config;
use threaded::threaded;

/// Python's `%(asctime)s %(levelname)s %(message)s`, with the thread's name.
const FORMAT: &str = "%(asctime)s [%(threadName)s] %(levelname)-5s %(message)s";

#[threaded(name = "trabalhador-{id}")]
fn trabalhador(id: u32) {
    debug!("trabalhador {id} começou");
    info!("trabalhador {id} terminou");
}

fn main() {
    let path = std::env::temp_dir().join("threaded-myapp.log");
    basic_config()
        .level(LevelFilter::Debug)
        .format(FORMAT)
        .file(&path)
        .append(false)
        .init()
        .expect("logging was already set up");

    debug!("Isto eh uma msg de debug");
    info!("Isto eh uma informacao");
    warn!("Isto eh um aviso!");
    for handle in [trabalhador(1), trabalhador(2)] {
        handle.join().expect("trabalhador panicked");
    }
    if let Err(error) = basic_config().file(&path).append(false).init() {
        warn!("a second basic_config() is refused ({error}); the file keeps every line");
    }

    println!("--- {} ---", path.display());
    print!(
        "{}",
        std::fs::read_to_string(&path).expect("cannot read the log file")
    );
}
