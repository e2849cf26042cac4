//! The server log of `web3270 serve`: `tracing` events and spans written as text or JSON
//! lines to standard error or to `logging.file`, rotated by size and kept for
//! `logging.retention_days` (see `docs/OBSERVABILITY.md` and the `logging` section of
//! `docs/CONFIG-REFERENCE.md`).
//!
//! Owns: installing the global subscriber ([`init`]), the level filter (`logging.level`, or
//! the `WEB3270_LOG` directive when set), the line format (`logging.format`), the rotating
//! file ([`RotatingFile`]), the fallback to standard error and the writer thread
//! ([`writer`]). Does not own: what is logged (every module logs its own events; session
//! spans are opened by [`crate::ws`] and [`crate::native`]).
//!
//! Failure policy: the log must never stop the bridge. A file that cannot be opened at start
//! or refuses a write later (full disk, permissions, removed directory) sends the lines to
//! standard error with one error line saying why, counted in
//! `web3270_log_write_errors_total`; the file is retried every [`writer::RETRY_INTERVAL`].
//! Lines are written by one background thread from a bounded queue; if the disk is too slow,
//! lines are dropped and counted (`web3270_log_dropped_total`) rather than blocking sessions.

mod rotate;
pub mod writer;

use std::io::{IsTerminal as _, Write};
use std::time::Duration;

pub use rotate::{utc_stamp, RotatingFile, MAX_ROTATED};
pub use writer::{Background, BackgroundHandle, FallbackWriter};

use crate::config::{Choice as _, LogFormat, LoggingConfig};

/// The environment variable holding a full `tracing` filter directive (it replaces
/// `logging.level`), e.g. `bridge=debug,info`.
pub const FILTER_VAR: &str = "WEB3270_LOG";

/// Seconds in a day (`retention_days`).
const DAY: Duration = Duration::from_secs(24 * 3600);

/// Keeps the log writer alive; dropping it writes what is queued (bounded in time).
#[derive(Debug)]
pub struct LogGuard {
    _background: Option<Background>,
}

/// Where lines go, decided at start.
#[derive(Debug)]
pub enum Destination {
    /// Standard error (no `logging.file`).
    Stderr,
    /// The rotating file (with standard error as fallback).
    File(FallbackWriter<RotatingFile, std::io::Stderr>),
    /// The file could not be opened: standard error, after one error line.
    Unopenable,
}

/// Opens `config.file` (if any) as a rotating file with standard error as its fallback; a
/// file that cannot be opened gives [`Destination::Unopenable`] after writing one error line
/// to standard error and counting it in `web3270_log_write_errors_total`.
pub fn destination(config: &LoggingConfig) -> Destination {
    let Some(path) = &config.file else {
        return Destination::Stderr;
    };
    let retention = DAY.saturating_mul(config.retention_days);
    match RotatingFile::open(path, config.max_size, retention) {
        Ok(file) => Destination::File(FallbackWriter::new(
            file,
            std::io::stderr(),
            path.display().to_string(),
        )),
        Err(error) => {
            crate::metrics::log_write_error();
            let _ = writeln!(
                std::io::stderr(),
                "web3270: cannot open log file {}: {error}; logging to standard error",
                path.display()
            );
            Destination::Unopenable
        }
    }
}

/// Installs the global `tracing` subscriber for `config` (once per process; a second call
/// leaves the first in place). Keep the guard until the process ends.
pub fn init(config: &LoggingConfig) -> LogGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_env(FILTER_VAR)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(config.level.as_str()));
    let json = config.format == LogFormat::Json;
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match destination(config) {
        Destination::File(mut sink) => {
            let background = Background::start(move |line| sink.write_line(line));
            match background {
                Ok(background) => {
                    let handle = background.handle();
                    let builder = builder.with_ansi(false).with_writer(handle);
                    let _ = if json {
                        builder.json().try_init()
                    } else {
                        builder.try_init()
                    };
                    return LogGuard {
                        _background: Some(background),
                    };
                }
                Err(error) => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "web3270: cannot start the log writer thread: {error}; logging to standard error"
                    );
                }
            }
        }
        Destination::Stderr | Destination::Unopenable => {}
    }
    let builder = builder
        .with_ansi(!json && std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    LogGuard { _background: None }
}
