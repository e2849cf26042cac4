//! Where log lines go: [`FallbackWriter`] (the log file, or standard error while the file
//! refuses writes) behind [`Background`] (a thread that does the writing, so a slow or full
//! disk never blocks a session task).
//!
//! - A line the file refuses (full disk, removed directory, I/O error) goes to the fallback
//!   instead; the first failure of an episode also writes one line saying why, and each
//!   failure counts in `web3270_log_write_errors_total`. The file is tried again after
//!   [`RETRY_INTERVAL`].
//! - The queue to the thread holds [`LOG_QUEUE`] lines; when it is full a line is dropped
//!   and counted in `web3270_log_dropped_total` (the bridge never waits for its log).

use std::io::{self, Write};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tracing_subscriber::fmt::MakeWriter;

use crate::metrics;

/// How long after a failed write the file is tried again.
pub const RETRY_INTERVAL: Duration = Duration::from_secs(30);

/// Log lines queued for the writer thread at most.
pub const LOG_QUEUE: usize = 8192;

/// How long [`LogGuard`](super::LogGuard) waits at exit for queued lines to be written.
pub const FLUSH_TIMEOUT: Duration = Duration::from_secs(2);

/// Writes to `primary`, or to `fallback` while `primary` fails.
#[derive(Debug)]
pub struct FallbackWriter<P, F> {
    primary: P,
    fallback: F,
    /// What the primary is, for the error line (e.g. the file's path).
    what: String,
    /// When the primary last failed (`None`: it is in use).
    failed_at: Option<Instant>,
    retry_interval: Duration,
}

impl<P: Write, F: Write> FallbackWriter<P, F> {
    /// Writes to `primary` (described by `what` in the error line), falling back to
    /// `fallback`.
    pub fn new(primary: P, fallback: F, what: impl Into<String>) -> Self {
        FallbackWriter {
            primary,
            fallback,
            what: what.into(),
            failed_at: None,
            retry_interval: RETRY_INTERVAL,
        }
    }

    /// Changes how long after a failure the primary is tried again.
    pub fn retry_interval(mut self, interval: Duration) -> Self {
        self.retry_interval = interval;
        self
    }

    /// Whether lines go to the fallback now.
    pub fn is_falling_back(&self) -> bool {
        self.failed_at.is_some()
    }

    /// Writes one whole line (or several); never fails.
    pub fn write_line(&mut self, line: &[u8]) {
        let try_primary = self
            .failed_at
            .is_none_or(|t| t.elapsed() >= self.retry_interval);
        if try_primary {
            match self
                .primary
                .write_all(line)
                .and_then(|()| self.primary.flush())
            {
                Ok(()) => {
                    if self.failed_at.take().is_some() {
                        let _ = writeln!(
                            self.fallback,
                            "web3270: log file {} is writable again; logging there",
                            self.what
                        );
                    }
                    return;
                }
                Err(error) => {
                    metrics::log_write_error();
                    if self.failed_at.is_none() {
                        let _ = writeln!(
                            self.fallback,
                            "web3270: cannot write log file {}: {error}; logging to standard error",
                            self.what
                        );
                    }
                    self.failed_at = Some(Instant::now());
                }
            }
        }
        let _ = self.fallback.write_all(line);
        let _ = self.fallback.flush();
    }
}

enum Msg {
    Line(Vec<u8>),
    Flush(SyncSender<()>),
}

/// A thread owning the writer; cloneable handles ([`BackgroundHandle`]) queue lines to it.
#[derive(Debug)]
pub struct Background {
    tx: Option<SyncSender<Msg>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Msg::Line(l) => write!(f, "Line({} bytes)", l.len()),
            Msg::Flush(_) => f.write_str("Flush"),
        }
    }
}

impl Background {
    /// Starts the thread writing every queued line with `write_line`.
    pub fn start<W: FnMut(&[u8]) + Send + 'static>(mut write_line: W) -> io::Result<Background> {
        let (tx, rx): (SyncSender<Msg>, Receiver<Msg>) = mpsc::sync_channel(LOG_QUEUE);
        let thread = std::thread::Builder::new()
            .name("web3270-log".into())
            .spawn(move || {
                for msg in rx {
                    match msg {
                        Msg::Line(line) => write_line(&line),
                        Msg::Flush(done) => {
                            let _ = done.send(());
                        }
                    }
                }
            })?;
        Ok(Background {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// A handle to give to the `tracing` subscriber.
    pub fn handle(&self) -> BackgroundHandle {
        BackgroundHandle {
            tx: self.tx.clone(),
        }
    }

    /// Waits up to `timeout` until every line queued so far is written.
    pub fn flush(&self, timeout: Duration) -> bool {
        let Some(tx) = &self.tx else { return true };
        let (done_tx, done_rx) = mpsc::sync_channel(1);
        if tx.send(Msg::Flush(done_tx)).is_err() {
            return false;
        }
        done_rx.recv_timeout(timeout).is_ok()
    }
}

impl Drop for Background {
    /// Writes what is queued, waiting at most [`FLUSH_TIMEOUT`] (a hung disk cannot hang
    /// exit). The thread is not joined: it ends when the last handle is gone, or with the
    /// process.
    fn drop(&mut self) {
        let _ = self.flush(FLUSH_TIMEOUT);
        self.tx = None;
        self.thread = None;
    }
}

/// Queues lines for the [`Background`] thread; never blocks.
#[derive(Debug, Clone)]
pub struct BackgroundHandle {
    tx: Option<SyncSender<Msg>>,
}

impl Write for BackgroundHandle {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(tx) = &self.tx {
            match tx.try_send(Msg::Line(buf.to_vec())) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => metrics::log_dropped(1),
                Err(TrySendError::Disconnected(_)) => {}
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BackgroundHandle {
    type Writer = BackgroundHandle;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
