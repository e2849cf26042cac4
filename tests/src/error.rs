//! [`HarnessError`]: every way starting or driving a peer can fail.
//!
//! Errors carry the path (and the tail) of the log that explains them, so that a test failure
//! in CI is readable without rerunning. This module owns no IO beyond reading that tail.

use std::fmt;
use std::path::{Path, PathBuf};

/// How many bytes of a log the error message quotes.
pub const LOG_TAIL_BYTES: usize = 4000;

/// What went wrong while starting, driving or stopping a peer.
#[derive(Debug)]
pub enum HarnessError {
    /// An IO operation failed (`context` says which).
    Io {
        /// What the harness was doing.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A program the harness needs is not installed (run `scripts/test.sh` to install it).
    Missing {
        /// The program.
        program: String,
        /// Where it was looked for.
        hint: String,
    },
    /// A readiness line (or an exit) did not come in time.
    Timeout {
        /// What was awaited.
        what: String,
        /// The log that should have shown it.
        log: PathBuf,
    },
    /// A child exited while the harness still needed it.
    Exited {
        /// The child's name.
        what: String,
        /// Its exit status, as text.
        status: String,
        /// Its log.
        log: PathBuf,
    },
    /// The test [`crate::driver::Driver`] did not reach the state it waited for.
    Driver {
        /// What was awaited.
        what: String,
        /// The terminal's state (lock, mode, screen) when the wait gave up.
        detail: String,
    },
    /// A peer's output could not be understood.
    Parse {
        /// What was being parsed.
        what: String,
        /// Why it failed.
        detail: String,
    },
}

impl HarnessError {
    /// An [`HarnessError::Io`] with its context.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }

    /// A [`HarnessError::Parse`].
    pub fn parse(what: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Parse {
            what: what.into(),
            detail: detail.into(),
        }
    }
}

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { context, source } => write!(f, "{context}: {source}"),
            Self::Missing { program, hint } => {
                write!(
                    f,
                    "{program} not found ({hint}); run scripts/test.sh to install the peers"
                )
            }
            Self::Timeout { what, log } => {
                write!(
                    f,
                    "timed out waiting for {what}; log {}:\n{}",
                    log.display(),
                    log_tail(log)
                )
            }
            Self::Exited { what, status, log } => {
                write!(
                    f,
                    "{what} exited ({status}); log {}:\n{}",
                    log.display(),
                    log_tail(log)
                )
            }
            Self::Driver { what, detail } => {
                write!(f, "driver: timed out waiting for {what}; {detail}")
            }
            Self::Parse { what, detail } => write!(f, "cannot parse {what}: {detail}"),
        }
    }
}

impl std::error::Error for HarnessError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The last [`LOG_TAIL_BYTES`] of a log file, or a note that it cannot be read.
pub fn log_tail(path: &Path) -> String {
    match std::fs::read(path) {
        Ok(bytes) => {
            let start = bytes.len().saturating_sub(LOG_TAIL_BYTES);
            String::from_utf8_lossy(bytes.get(start..).unwrap_or_default()).into_owned()
        }
        Err(e) => format!("(cannot read log: {e})"),
    }
}
