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
//! `%(name)s` placeholders; the `log` crate's `debug!`, `info!` and `warn!`
//! are `logging.debug`, `info` and `warning`.
//!
//! What to notice:
//! - the default line carries the thread's name, so the lines the
//!   `#[threaded]` workers write say which worker wrote them;
//! - the file is in the system's temporary folder (not a hard-coded `/tmp`),
//!   and `append(false)` is `filemode='w'`: each run starts a fresh file.
//!
//! Run it: `cargo run --example 13_logging`

use log::{LevelFilter, debug, info, warn};
use threaded::logging::basic_config;
use threaded::threaded;

#[threaded]
fn trabalhador(id: u32) {
    debug!("trabalhador {id} começou");
    info!("trabalhador {id} terminou");
}

fn main() {
    let path = std::env::temp_dir().join("threaded-myapp.log");
    basic_config()
        .level(LevelFilter::Debug)
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

    println!("--- {} ---", path.display());
    print!(
        "{}",
        std::fs::read_to_string(&path).expect("cannot read the log file")
    );
}
