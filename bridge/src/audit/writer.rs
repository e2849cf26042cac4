//! The audit log writer: one OS thread per bridge that owns the audit file, fed by a bounded
//! queue, so writing never blocks a session task or a runtime worker.
//!
//! Owns: appending lines (sealed when `encrypt_logs`), rotation (the file is renamed
//! `<log_path>.<YYYYMMDDTHHMMSSZ>` when it passes [`MAX_FILE_BYTES`] or the UTC day changes),
//! retention (`retention_days`: rotated files whose stamp is older are deleted, at start, after
//! each rotation and every [`HOUSEKEEPING_INTERVAL`]), `secure_delete` (overwrite with zeros and
//! sync before unlinking), and error handling: a failed open or write drops the event, counts
//! it, logs one error line per burst of failures ("audit log failing") and one line when
//! writing works again; an unwritable path is retried at most every [`OPEN_RETRY`].
//!
//! Does not own: what is logged ([`super`]), the queue's producer side ([`super::AuditLog`]).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::crypto::AuditKey;
use super::event::AuditEvent;
use super::time::{self, MS_PER_DAY};
use super::Stats;

/// A file is rotated once it holds this many bytes.
pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;
/// How often expired files are looked for while the bridge runs.
pub const HOUSEKEEPING_INTERVAL: Duration = Duration::from_secs(3600);
/// After a failed open, the next attempt waits at least this long (events meanwhile are
/// dropped and counted).
pub const OPEN_RETRY: Duration = Duration::from_secs(1);
/// Bytes overwritten per write by `secure_delete`.
const WIPE_CHUNK: usize = 64 * 1024;
/// Most rotated files with the same second's stamp (`.1` ... suffixes) before giving up.
const MAX_SAME_STAMP: u32 = 1000;

/// What the writer needs to know.
#[derive(Debug)]
pub(crate) struct WriterConfig {
    pub path: PathBuf,
    pub retention_days: u32,
    pub secure_delete: bool,
    pub key: Option<Arc<AuditKey>>,
    pub max_file_bytes: u64,
}

struct Writer {
    config: WriterConfig,
    stats: Arc<Stats>,
    file: Option<File>,
    size: u64,
    day: u64,
    failing: bool,
    last_open_failure: Option<Instant>,
    line: String,
}

/// Runs the writer until every sender is gone (then returns after the last event).
pub(crate) fn run(config: WriterConfig, rx: Receiver<AuditEvent>, stats: Arc<Stats>) {
    let mut w = Writer {
        config,
        stats,
        file: None,
        size: 0,
        day: 0,
        failing: false,
        last_open_failure: None,
        line: String::new(),
    };
    w.housekeeping(time::unix_ms(SystemTime::now()));
    let mut last_housekeeping = Instant::now();
    loop {
        match rx.recv_timeout(HOUSEKEEPING_INTERVAL) {
            Ok(event) => {
                w.write(&event);
                // The producers may have seen a full queue; it has room again now.
                if w.stats.queue_full.swap(false, Ordering::Relaxed) {
                    tracing::warn!(
                        dropped_total = w.stats.dropped.load(Ordering::Relaxed),
                        "audit queue has room again"
                    );
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if last_housekeeping.elapsed() >= HOUSEKEEPING_INTERVAL {
            w.housekeeping(time::unix_ms(SystemTime::now()));
            last_housekeeping = Instant::now();
        }
    }
    if let Some(f) = &w.file {
        let _ = f.sync_data();
    }
}

impl Writer {
    fn write(&mut self, event: &AuditEvent) {
        let now_ms = event.timestamp_ms;
        if self.file.is_some()
            && (self.size >= self.config.max_file_bytes || time::day(now_ms) != self.day)
        {
            self.rotate(now_ms);
        }
        if self.file.is_none() && !self.open() {
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.line.clear();
        let plain = match serde_json::to_string(event) {
            Ok(s) => s,
            Err(e) => return self.failed(&format!("cannot encode an event: {e}")),
        };
        match &self.config.key {
            Some(key) => match key.seal(&plain) {
                Some(sealed) => self.line.push_str(&sealed),
                None => return self.failed("no randomness for a nonce"),
            },
            None => self.line.push_str(&plain),
        }
        self.line.push('\n');
        let result = match &mut self.file {
            Some(f) => f.write_all(self.line.as_bytes()),
            None => Ok(()),
        };
        match result {
            Ok(()) => {
                self.size += self.line.len() as u64;
                self.stats.written.fetch_add(1, Ordering::Relaxed);
                if self.failing {
                    self.failing = false;
                    tracing::warn!(
                        path = %self.config.path.display(),
                        dropped_total = self.stats.dropped.load(Ordering::Relaxed),
                        "audit log writing again"
                    );
                }
            }
            Err(e) => {
                // Reopen next time: the file may have been removed or the disk replaced.
                self.file = None;
                self.failed(&format!("cannot write: {e}"));
            }
        }
    }

    /// Counts a dropped event; logs once per burst.
    fn failed(&mut self, why: &str) {
        self.stats.dropped.fetch_add(1, Ordering::Relaxed);
        if !self.failing {
            self.failing = true;
            tracing::error!(path = %self.config.path.display(), "audit log failing, events are dropped: {why}");
        }
    }

    /// Opens (creating, mode 0600) the log for appending; false (and a burst log line) on
    /// failure, retried after [`OPEN_RETRY`].
    fn open(&mut self) -> bool {
        if self
            .last_open_failure
            .is_some_and(|t| t.elapsed() < OPEN_RETRY)
        {
            return false;
        }
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&self.config.path) {
            Ok(f) => {
                let meta = f.metadata().ok();
                self.size = meta.as_ref().map(|m| m.len()).unwrap_or(0);
                let born = meta
                    .filter(|m| m.len() > 0)
                    .and_then(|m| m.modified().ok())
                    .unwrap_or_else(SystemTime::now);
                self.day = time::day(time::unix_ms(born));
                self.file = Some(f);
                self.last_open_failure = None;
                true
            }
            Err(e) => {
                self.last_open_failure = Some(Instant::now());
                if !self.failing {
                    self.failing = true;
                    tracing::error!(path = %self.config.path.display(), "audit log failing, events are dropped: cannot open: {e}");
                }
                false
            }
        }
    }

    /// Renames the current file to its rotated name and drops expired files.
    fn rotate(&mut self, now_ms: u64) {
        if let Some(f) = self.file.take() {
            let _ = f.sync_data();
        }
        match rotated_name(&self.config.path, now_ms) {
            Some(target) => {
                if let Err(e) = std::fs::rename(&self.config.path, &target) {
                    tracing::error!(path = %self.config.path.display(), "audit log rotation failed: {e}");
                } else {
                    tracing::info!(to = %target.display(), "audit log rotated");
                }
            }
            None => tracing::error!("audit log rotation: too many files with one stamp"),
        }
        self.housekeeping(now_ms);
    }

    fn housekeeping(&mut self, now_ms: u64) {
        let removed = cleanup_expired(
            &self.config.path,
            self.config.retention_days,
            now_ms,
            self.config.secure_delete,
        );
        for path in removed {
            tracing::info!(path = %path.display(), secure = self.config.secure_delete, "expired audit file deleted");
        }
    }
}

/// `<path>.<stamp>`, or `<path>.<stamp>.N` if taken.
fn rotated_name(path: &Path, now_ms: u64) -> Option<PathBuf> {
    let base = format!("{}.{}", path.display(), time::file_stamp(now_ms));
    let first = PathBuf::from(&base);
    if !first.exists() {
        return Some(first);
    }
    (1..MAX_SAME_STAMP)
        .map(|n| PathBuf::from(format!("{base}.{n}")))
        .find(|p| !p.exists())
}

/// The rotation stamp (ms) of a rotated file of `log_path`, if `name` is one.
fn rotated_stamp(log_name: &str, name: &str) -> Option<u64> {
    let rest = name.strip_prefix(log_name)?.strip_prefix('.')?;
    time::parse_file_stamp(rest.get(..16)?).filter(|_| {
        // Nothing, or `.N` after the stamp.
        rest.get(16..).is_some_and(|t| {
            t.is_empty()
                || t.strip_prefix('.')
                    .is_some_and(|n| n.parse::<u32>().is_ok())
        })
    })
}

/// The audit files of `log_path`, oldest first: rotated files by stamp, then the current
/// file (if it exists).
pub fn log_files(log_path: &Path) -> Vec<PathBuf> {
    log_files_with_stamps(log_path)
        .into_iter()
        .map(|(_, p)| p)
        .collect()
}

/// [`log_files`] with each file's rotation stamp (ms; `None` for the current file): no event
/// in a rotated file is later than its stamp (give or take the ordering of events created in
/// the same millisecond by different tasks).
pub fn log_files_with_stamps(log_path: &Path) -> Vec<(Option<u64>, PathBuf)> {
    let mut rotated = rotated_files(log_path);
    rotated.sort();
    let mut files: Vec<(Option<u64>, PathBuf)> =
        rotated.into_iter().map(|(s, _, p)| (Some(s), p)).collect();
    if log_path.is_file() {
        files.push((None, log_path.to_owned()));
    }
    files
}

/// (stamp, suffix number, path) of each rotated file.
fn rotated_files(log_path: &Path) -> Vec<(u64, u32, PathBuf)> {
    let Some(log_name) = log_path.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    let dir = match log_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let stamp = rotated_stamp(log_name, &name)?;
            let n = name
                .get(log_name.len() + 18..)
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            Some((stamp, n, e.path()))
        })
        .collect()
}

/// Deletes the rotated files of `log_path` whose stamp is more than `retention_days` before
/// `now_ms` (overwriting them first when `secure`); returns the deleted paths. The current
/// file is never deleted.
pub fn cleanup_expired(
    log_path: &Path,
    retention_days: u32,
    now_ms: u64,
    secure: bool,
) -> Vec<PathBuf> {
    let keep_ms = u64::from(retention_days).saturating_mul(MS_PER_DAY);
    rotated_files(log_path)
        .into_iter()
        .filter(|(stamp, _, _)| stamp.saturating_add(keep_ms) < now_ms)
        .filter_map(|(_, _, path)| {
            let result = if secure {
                secure_delete(&path)
            } else {
                std::fs::remove_file(&path)
            };
            match result {
                Ok(()) => Some(path),
                Err(e) => {
                    tracing::error!(path = %path.display(), "cannot delete an expired audit file: {e}");
                    None
                }
            }
        })
        .collect()
}

/// Overwrites `path` with zeros (its whole length), syncs, then unlinks it. On copy-on-write
/// or log-structured file systems and SSDs the old blocks may survive (docs/SECURITY.md).
pub fn secure_delete(path: &Path) -> std::io::Result<()> {
    let mut f = OpenOptions::new().write(true).open(path)?;
    let mut left = f.metadata()?.len();
    let zeros = vec![0u8; WIPE_CHUNK];
    while left > 0 {
        let n = usize::try_from(left).unwrap_or(WIPE_CHUNK).min(WIPE_CHUNK);
        f.write_all(zeros.get(..n).unwrap_or_default())?;
        left -= n as u64;
    }
    f.sync_all()?;
    drop(f);
    std::fs::remove_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh empty directory under the target dir.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("web3270-audit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const DAY: u64 = MS_PER_DAY;
    /// 2026-12-03T00:00:00Z
    const NOW: u64 = 20_425 * DAY;

    #[test]
    fn retention_deletes_only_rotated_files_older_than_the_retention() {
        let dir = scratch("retention");
        let log = dir.join("audit.log");
        std::fs::write(&log, "current\n").unwrap();
        let old = dir.join(format!("audit.log.{}", time::file_stamp(NOW - 91 * DAY)));
        let old_dup = dir.join(format!("audit.log.{}.1", time::file_stamp(NOW - 91 * DAY)));
        let young = dir.join(format!("audit.log.{}", time::file_stamp(NOW - 89 * DAY)));
        let other = dir.join(format!("other.log.{}", time::file_stamp(NOW - 400 * DAY)));
        let junk = dir.join("audit.log.backup");
        for p in [&old, &old_dup, &young, &other, &junk] {
            std::fs::write(p, "x").unwrap();
        }
        let mut removed = cleanup_expired(&log, 90, NOW, false);
        removed.sort();
        assert_eq!(removed, vec![old.clone(), old_dup.clone()]);
        assert!(!old.exists() && !old_dup.exists());
        assert!(young.exists() && other.exists() && junk.exists() && log.exists());
        // Eleven days later the young one goes too (secure delete this time).
        assert_eq!(
            cleanup_expired(&log, 90, NOW + 11 * DAY, true),
            vec![young.clone()]
        );
        assert!(!young.exists());
        assert_eq!(log_files(&log), vec![log.clone()]);
    }

    #[test]
    fn secure_delete_overwrites_before_unlinking() {
        let dir = scratch("wipe");
        let p = dir.join("f");
        std::fs::write(&p, vec![0xAB; 100_000]).unwrap();
        // A second hard link keeps the inode readable after the unlink: it must be zeros.
        let link = dir.join("link");
        std::fs::hard_link(&p, &link).unwrap();
        secure_delete(&p).unwrap();
        assert!(!p.exists());
        let left = std::fs::read(&link).unwrap();
        assert_eq!(left.len(), 100_000);
        assert!(left.iter().all(|&b| b == 0));
    }

    #[test]
    fn rotation_by_size_and_day_keeps_every_line() {
        let dir = scratch("rotate");
        let log = dir.join("audit.log");
        let stats = Arc::new(Stats::default());
        let (tx, rx) = std::sync::mpsc::sync_channel(16);
        let config = WriterConfig {
            path: log.clone(),
            retention_days: 3650,
            secure_delete: false,
            key: None,
            max_file_bytes: 400,
        };
        let start = time::unix_ms(SystemTime::now());
        let thread = std::thread::spawn({
            let stats = stats.clone();
            move || run(config, rx, stats)
        });
        // 6 events of ~250 bytes today (a rotation every second event by size), then one
        // tomorrow (a rotation by day).
        for i in 0..6u64 {
            let e = AuditEvent::new(super::super::EventType::DataSent, start + i)
                .details(serde_json::json!({"pad": "x".repeat(100), "i": i}));
            tx.send(e).unwrap();
        }
        tx.send(AuditEvent::new(
            super::super::EventType::SessionClosed,
            start + DAY,
        ))
        .unwrap();
        drop(tx);
        thread.join().unwrap();
        assert_eq!(stats.written.load(Ordering::Relaxed), 7);
        let files = log_files(&log);
        assert!(files.len() >= 4, "{files:?}");
        let mut lines = Vec::new();
        for f in &files {
            lines.extend(
                std::fs::read_to_string(f)
                    .unwrap()
                    .lines()
                    .map(str::to_owned),
            );
        }
        assert_eq!(lines.len(), 7);
        assert!(
            lines[6].contains("session_closed"),
            "the current file has tomorrow's event"
        );
        let last = std::fs::read_to_string(&log).unwrap();
        assert_eq!(last.lines().count(), 1);
    }
}
