//! A log file rotated by size: [`RotatingFile`].
//!
//! When a write would take the file past `max_size` bytes, the file is renamed to
//! `NAME.YYYYMMDD-HHMMSS` (UTC time of the rotation; `.1`, `.2`... appended when that name
//! exists) and a new file is started. Rotated files whose modification time is older than
//! `retention` are deleted at start and after each rotation; at most [`MAX_ROTATED`] rotated
//! files are kept (the oldest go first) so a tiny `max_size` cannot fill a directory.
//! Only names of exactly that form are ever deleted. No compression.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Most rotated files kept, whatever their age.
pub const MAX_ROTATED: usize = 1000;

/// An append-only log file rotated at a size, with rotated files kept for a retention time.
#[derive(Debug)]
pub struct RotatingFile {
    path: PathBuf,
    max_size: u64,
    retention: Duration,
    file: File,
    size: u64,
}

impl RotatingFile {
    /// Opens (creating it and appending) `path`; removes rotated files past `retention`.
    pub fn open(path: &Path, max_size: u64, retention: Duration) -> io::Result<RotatingFile> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let size = file.metadata()?.len();
        let this = RotatingFile {
            path: path.to_owned(),
            max_size: max_size.max(1),
            retention,
            file,
            size,
        };
        this.remove_expired(SystemTime::now());
        Ok(this)
    }

    /// The rotated files of this log, oldest first.
    pub fn rotated_files(&self) -> Vec<PathBuf> {
        let (Some(dir), Some(name)) = (self.dir(), self.path.file_name()) else {
            return Vec::new();
        };
        let Some(name) = name.to_str() else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut found: Vec<(String, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let file_name = e.file_name().into_string().ok()?;
                let suffix = file_name.strip_prefix(name)?.strip_prefix('.')?;
                is_rotation_suffix(suffix).then(|| (sort_key(suffix), e.path()))
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, p)| p).collect()
    }

    /// Deletes rotated files modified before `now - retention`, then the oldest beyond
    /// [`MAX_ROTATED`]. Failures are ignored (the next sweep tries again).
    pub fn remove_expired(&self, now: SystemTime) {
        let files = self.rotated_files();
        let cutoff = now.checked_sub(self.retention);
        let mut kept = Vec::with_capacity(files.len());
        for f in files {
            let modified = std::fs::metadata(&f).and_then(|m| m.modified()).ok();
            match (modified, cutoff) {
                (Some(m), Some(c)) if m < c => {
                    let _ = std::fs::remove_file(&f);
                }
                _ => kept.push(f),
            }
        }
        let excess = kept.len().saturating_sub(MAX_ROTATED);
        for f in kept.iter().take(excess) {
            let _ = std::fs::remove_file(f);
        }
    }

    fn dir(&self) -> Option<&Path> {
        match self.path.parent() {
            Some(p) if p.as_os_str().is_empty() => Some(Path::new(".")),
            other => other,
        }
    }

    /// Renames the file aside and starts a new one.
    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        let stamp = utc_stamp(SystemTime::now());
        let base = format!("{}.{stamp}", self.path.display());
        let mut target = PathBuf::from(&base);
        let mut n = 0u32;
        while target.exists() {
            n += 1;
            target = PathBuf::from(format!("{base}.{n}"));
        }
        std::fs::rename(&self.path, &target)?;
        self.file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        self.size = 0;
        self.remove_expired(SystemTime::now());
        Ok(())
    }
}

impl Write for RotatingFile {
    /// Writes all of `buf` to the current file, rotating first if it would pass the size
    /// (a single write larger than the size goes whole into a fresh file).
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let len = u64::try_from(buf.len()).unwrap_or(u64::MAX);
        if self.size > 0 && self.size.saturating_add(len) > self.max_size {
            self.rotate()?;
        }
        self.file.write_all(buf)?;
        self.size = self.size.saturating_add(len);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// `YYYYMMDD-HHMMSS` optionally followed by `.N`.
fn is_rotation_suffix(s: &str) -> bool {
    let (stamp, n) = match s.split_once('.') {
        Some((stamp, n)) => (stamp, Some(n)),
        None => (s, None),
    };
    let b = stamp.as_bytes();
    b.len() == 15
        && b.iter().enumerate().all(|(i, c)| {
            if i == 8 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && n.is_none_or(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
}

/// Orders `STAMP` before `STAMP.1` before `STAMP.2` ... `STAMP.10`.
fn sort_key(suffix: &str) -> String {
    match suffix.split_once('.') {
        Some((stamp, n)) => format!("{stamp}.{n:0>10}"),
        None => suffix.to_owned(),
    }
}

/// `YYYYMMDD-HHMMSS` in UTC (the proleptic Gregorian calendar of `crate::audit::time`).
pub fn utc_stamp(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (year, month, day) = crate::audit::time::civil(secs / 86_400);
    let rem = secs % 86_400;
    format!(
        "{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_utc_calendar_dates() {
        assert_eq!(utc_stamp(UNIX_EPOCH), "19700101-000000");
        // 2000-02-29 12:34:56 UTC (a leap day).
        let t = UNIX_EPOCH + Duration::from_secs(951_827_696);
        assert_eq!(utc_stamp(t), "20000229-123456");
        // 2026-12-31 23:59:59 UTC.
        let t = UNIX_EPOCH + Duration::from_secs(1_798_761_599);
        assert_eq!(utc_stamp(t), "20261231-235959");
    }

    #[test]
    fn only_rotation_names_match() {
        assert!(is_rotation_suffix("20261203-195400"));
        assert!(is_rotation_suffix("20261203-195400.12"));
        assert!(!is_rotation_suffix("20261203-195400."));
        assert!(!is_rotation_suffix("20261203195400"));
        assert!(!is_rotation_suffix("bak"));
        assert!(!is_rotation_suffix("20261203-1954xx"));
        assert!(sort_key("20261203-195400.2") < sort_key("20261203-195400.10"));
        assert!(sort_key("20261203-195400") < sort_key("20261203-195400.1"));
    }
}
