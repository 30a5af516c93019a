//! Python's `logging.basicConfig`, on [`env_logger`]: one call sets up the
//! [`log`] macros for the whole program.
//!
//! | Python | `threaded::logging` |
//! |---|---|
//! | `logging.basicConfig(level=logging.DEBUG)` | `basic_config().level(LevelFilter::Debug).init()` |
//! | `filename="app.log"` | [`.file("app.log")`](Config::file) |
//! | `filemode="w"` / `"a"` | [`.append(false)`](Config::append) / `.append(true)` (the default, as in Python) |
//! | `format="%(asctime)s %(threadName)s %(message)s"` | [`.format("%(asctime)s %(threadName)s %(message)s")`](Config::format) |
//! | `logging.debug(...)`, `info`, `warning`, `error`, `critical` | [`log::debug!(...)`](crate::log::debug), `info!`, `warn!`, `error!`, `error!` |
//! | `import logging` | `use threaded::log::{debug, info, warn, error};` (the [`log`] crate, re-exported: nothing else to add) |
//!
//! The default line shows the time, the thread's name, the level and the
//! message, so the names `#[threaded]` gives its threads show up:
//!
//! ```text
//! 2026-11-30T01:30:00.123Z [minha_funcao] INFO  processing item 3
//! ```
//!
//! `RUST_LOG` still works and wins over [`level`](Config::level), as with any
//! `env_logger` program: `RUST_LOG=debug cargo run`.

use std::fmt;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use env_logger::fmt::Formatter;
use log::{LevelFilter, Record};

/// The format of a line when [`Config::format`] is not given:
/// `"%(asctime)s [%(threadName)s] %(levelname)-5s %(message)s"`.
///
/// The time in UTC (RFC 3339, milliseconds), the thread's name in brackets,
/// the level padded to five characters, and the message:
///
/// ```text
/// 2026-11-30T01:30:00.123Z [worker-1] INFO  processing item 3
/// ```
///
/// # Examples
///
/// ```
/// use threaded::logging::DEFAULT_FORMAT;
///
/// assert_eq!(DEFAULT_FORMAT, "%(asctime)s [%(threadName)s] %(levelname)-5s %(message)s");
/// ```
pub const DEFAULT_FORMAT: &str = "%(asctime)s [%(threadName)s] %(levelname)-5s %(message)s";

/// Starts configuring logging: Python's `logging.basicConfig(...)`.
///
/// Nothing happens until [`Config::init`]. As in Python, the default level
/// is `Warn` and lines go to standard error.
///
/// # Examples
///
/// ```
/// use threaded::log::{LevelFilter, info};
/// use threaded::logging::basic_config;
///
/// basic_config().level(LevelFilter::Info).init().unwrap();
/// info!("ready");
/// ```
pub fn basic_config() -> Config {
    Config {
        level: LevelFilter::Warn,
        file: None,
        append: true,
        format: DEFAULT_FORMAT.to_owned(),
    }
}

/// The settings of [`basic_config`], applied by [`init`](Config::init).
#[derive(Clone, Debug)]
#[must_use = "nothing is logged until `init` is called"]
pub struct Config {
    level: LevelFilter,
    file: Option<PathBuf>,
    append: bool,
    format: String,
}

impl Config {
    /// The most verbose level logged: Python's `level=`. `RUST_LOG`, when
    /// set, overrides it.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::log::LevelFilter;
    /// use threaded::logging::basic_config;
    ///
    /// let config = basic_config().level(LevelFilter::Debug);
    /// # drop(config);
    /// ```
    pub fn level(mut self, level: LevelFilter) -> Self {
        self.level = level;
        self
    }

    /// Writes to this file instead of standard error: Python's `filename=`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::logging::basic_config;
    ///
    /// let path = std::env::temp_dir().join("threaded-doc-file.log");
    /// basic_config().file(&path).append(false).init().unwrap();
    /// threaded::log::warn!("to the file");
    /// assert!(std::fs::read_to_string(&path).unwrap().contains("to the file"));
    /// ```
    pub fn file(mut self, path: impl AsRef<Path>) -> Self {
        self.file = Some(path.as_ref().to_owned());
        self
    }

    /// Whether [`file`](Config::file) is appended to (`true`, the default:
    /// Python's `filemode='a'`) or truncated first (`false`: `filemode='w'`).
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::logging::basic_config;
    ///
    /// let config = basic_config().file("run.log").append(false);
    /// # drop(config);
    /// ```
    pub fn append(mut self, append: bool) -> Self {
        self.append = append;
        self
    }

    /// The layout of each line, with Python's `%(name)s` placeholders:
    /// `asctime`, `threadName`, `levelname`, `message`, `name` (the log
    /// target, usually the module path), `module`, `filename`, `lineno`,
    /// `process`. A width pads the value: `%(levelname)-8s` to the left,
    /// `%(levelname)8s` to the right. `%%` is a literal `%`.
    ///
    /// An unknown placeholder makes [`init`](Config::init) fail.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::logging::basic_config;
    ///
    /// let config = basic_config().format("%(threadName)s: %(message)s");
    /// # drop(config);
    /// ```
    pub fn format(mut self, format: &str) -> Self {
        self.format = format.to_owned();
        self
    }

    /// Installs the logger for the whole program.
    ///
    /// A second call returns its error and touches nothing: the first
    /// logger stays, and the file it writes to is neither truncated nor
    /// reopened, even by `.append(false)` (Python's `basicConfig` likewise
    /// does nothing once logging is configured).
    ///
    /// # Errors
    ///
    /// [`InitError::Format`] for an unknown placeholder in
    /// [`format`](Config::format), [`InitError::File`] when the file cannot
    /// be opened, [`InitError::AlreadyInitialized`] when a logger was already
    /// installed (by an earlier `init` or another crate): unlike Python's
    /// `basicConfig`, which silently does nothing then, this says so.
    ///
    /// # Examples
    ///
    /// ```
    /// use threaded::logging::{InitError, basic_config};
    ///
    /// assert!(matches!(basic_config().format("%(oops)s").init(), Err(InitError::Format(_))));
    /// basic_config().init().unwrap();
    /// assert!(matches!(basic_config().init(), Err(InitError::AlreadyInitialized)));
    /// ```
    pub fn init(self) -> Result<(), InitError> {
        let truncate = self.file.is_some() && !self.append;
        let (mut builder, file) = self.builder_keeping_contents()?;
        let logger = builder.build();
        let level = logger.filter();
        // Installed before the file is emptied: if a logger is already
        // there, the file (maybe the one it writes to) keeps every line.
        if log::set_boxed_logger(Box::new(logger)).is_err() {
            if let Some(file) = &file {
                file.forget_if_created();
            }
            return Err(InitError::AlreadyInitialized);
        }
        // Nothing is logged yet: the maximum level is still `Off`.
        let truncated = match (&file, truncate) {
            (Some(file), true) => file.truncate(),
            _ => Ok(()),
        };
        log::set_max_level(level);
        truncated
    }

    /// The logger's builder, with its file opened for writing but not yet
    /// truncated, which [`init`](Config::init) does once the logger is in.
    fn builder_keeping_contents(
        self,
    ) -> Result<(env_logger::Builder, Option<OpenedFile>), InitError> {
        let pieces = parse_format(&self.format)?;
        let mut builder = env_logger::Builder::new();
        // Then env_logger's own `RUST_LOG` (and `RUST_LOG_STYLE`) reading, which wins.
        builder.filter_level(self.level).parse_default_env();
        builder.format(move |out, record| write_line(out, record, &pieces));
        let Some(path) = self.file else {
            return Ok((builder, None));
        };
        let existed = path.exists();
        let opened = OpenOptions::new()
            .create(true)
            .write(true)
            .append(self.append)
            .open(&path)
            .and_then(|file| Ok((file.try_clone()?, file)));
        let (handle, file) = match opened {
            Ok(files) => files,
            Err(source) => return Err(InitError::File { path, source }),
        };
        builder
            .target(env_logger::Target::Pipe(Box::new(file)))
            .write_style(env_logger::WriteStyle::Never);
        let opened = OpenedFile {
            path,
            handle,
            created: !existed,
        };
        Ok((builder, Some(opened)))
    }

    #[cfg(test)]
    fn builder(self) -> Result<env_logger::Builder, InitError> {
        let truncate = self.file.is_some() && !self.append;
        let (builder, file) = self.builder_keeping_contents()?;
        if let (Some(file), true) = (file, truncate) {
            file.truncate()?;
        }
        Ok(builder)
    }
}

/// The log file [`Config::init`] opened, kept to truncate it once the logger
/// is installed, or to remove it again if it was created for nothing.
struct OpenedFile {
    path: PathBuf,
    handle: std::fs::File,
    created: bool,
}

impl OpenedFile {
    fn truncate(&self) -> Result<(), InitError> {
        self.handle.set_len(0).map_err(|source| InitError::File {
            path: self.path.clone(),
            source,
        })
    }

    fn forget_if_created(&self) {
        if self.created {
            // Best effort: the file is empty and ours; failing to remove it loses nothing.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Why [`Config::init`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum InitError {
    /// The log file could not be opened.
    File {
        /// The file that was asked for.
        path: PathBuf,
        /// Why it could not be opened.
        source: io::Error,
    },
    /// The format string has an unknown or unfinished placeholder; the text
    /// says which.
    Format(String),
    /// A logger is already installed in this program.
    AlreadyInitialized,
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitError::File { path, source } => {
                write!(f, "cannot open log file {}: {source}", path.display())
            }
            InitError::Format(message) => write!(f, "bad log format: {message}"),
            InitError::AlreadyInitialized => f.write_str("a logger is already installed"),
        }
    }
}

impl std::error::Error for InitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InitError::File { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// One part of a format string.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Text(String),
    Field {
        field: Field,
        width: usize,
        left: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Field {
    AscTime,
    ThreadName,
    LevelName,
    Message,
    Name,
    Module,
    FileName,
    LineNo,
    Process,
}

fn parse_format(format: &str) -> Result<Vec<Piece>, InitError> {
    let bad = |message: String| InitError::Format(message);
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = format;
    while let Some(at) = rest.find('%') {
        text.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('%') {
            text.push('%');
            rest = after;
            continue;
        }
        let Some(inner) = rest.strip_prefix('(') else {
            return Err(bad(format!(
                "`%` must start a placeholder such as `%(message)s`, or be doubled (`%%`), in {format:?}"
            )));
        };
        let Some(close) = inner.find(')') else {
            return Err(bad(format!("unclosed `%(` in {format:?}")));
        };
        let name = &inner[..close];
        let field = match name {
            "asctime" => Field::AscTime,
            "threadName" => Field::ThreadName,
            "levelname" => Field::LevelName,
            "message" => Field::Message,
            "name" => Field::Name,
            "module" => Field::Module,
            "filename" => Field::FileName,
            "lineno" => Field::LineNo,
            "process" => Field::Process,
            _ => {
                return Err(bad(format!(
                    "unknown placeholder `%({name})s`; known: asctime, threadName, levelname, message, name, module, filename, lineno, process"
                )));
            }
        };
        let spec = &inner[close + 1..];
        let left = spec.starts_with('-');
        let digits = spec[usize::from(left)..]
            .chars()
            .take_while(char::is_ascii_digit)
            .count();
        let width_end = usize::from(left) + digits;
        let width = spec[usize::from(left)..width_end].parse().unwrap_or(0);
        let Some(after) = spec[width_end..]
            .strip_prefix('s')
            .or_else(|| spec[width_end..].strip_prefix('d'))
        else {
            return Err(bad(format!(
                "placeholder `%({name})` must end in `s` (or `d`), as in `%({name})s`"
            )));
        };
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut text)));
        }
        pieces.push(Piece::Field { field, width, left });
        rest = after;
    }
    text.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

fn write_line(out: &mut Formatter, record: &Record<'_>, pieces: &[Piece]) -> io::Result<()> {
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.write_all(text.as_bytes())?,
            Piece::Field { field, width, left } => {
                let value = match field {
                    Field::AscTime => out.timestamp_millis().to_string(),
                    Field::ThreadName => std::thread::current()
                        .name()
                        .unwrap_or("<unnamed>")
                        .to_owned(),
                    Field::LevelName => record.level().to_string(),
                    Field::Message => record.args().to_string(),
                    Field::Name => record.target().to_owned(),
                    Field::Module => record.module_path().unwrap_or("").to_owned(),
                    Field::FileName => record.file().unwrap_or("").to_owned(),
                    Field::LineNo => record.line().map(|l| l.to_string()).unwrap_or_default(),
                    Field::Process => std::process::id().to_string(),
                };
                if *left {
                    write!(out, "{value:<width$}")?;
                } else {
                    write!(out, "{value:>width$}")?;
                }
            }
        }
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(field: Field) -> Piece {
        Piece::Field {
            field,
            width: 0,
            left: false,
        }
    }

    #[test]
    fn parses_python_placeholders_widths_and_percent() {
        let pieces =
            parse_format("%(asctime)s [%(threadName)s] %(levelname)-8s 100%% %(lineno)d").unwrap();
        assert_eq!(
            pieces,
            vec![
                field(Field::AscTime),
                Piece::Text(" [".into()),
                field(Field::ThreadName),
                Piece::Text("] ".into()),
                Piece::Field {
                    field: Field::LevelName,
                    width: 8,
                    left: true
                },
                Piece::Text(" 100% ".into()),
                field(Field::LineNo),
            ]
        );
    }

    #[test]
    fn refuses_unknown_and_unfinished_placeholders() {
        for bad in ["%(oops)s", "%(message", "%(message)x", "50% off"] {
            let err = parse_format(bad).unwrap_err();
            assert!(matches!(err, InitError::Format(_)), "{bad}: {err:?}");
        }
    }

    #[test]
    fn file_mode_append_keeps_and_write_truncates() {
        let path =
            std::env::temp_dir().join(format!("threaded-logging-unit-{}.log", std::process::id()));
        std::fs::write(&path, "old line\n").unwrap();
        drop(basic_config().file(&path).append(true).builder().unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old line\n");
        drop(basic_config().file(&path).append(false).builder().unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn an_unopenable_file_is_an_error_naming_it() {
        let path = std::env::temp_dir()
            .join("threaded-no-such-dir")
            .join("x.log");
        let err = basic_config().file(&path).builder().unwrap_err();
        assert!(matches!(&err, InitError::File { path: p, .. } if *p == path));
        assert!(err.to_string().contains("threaded-no-such-dir"), "{err}");
    }
}
