//! Process figures read at scrape time from Linux's `/proc` (proc(5): `/proc/self/statm`,
//! `/proc/self/stat`) and the audit log's filesystem usage (statvfs(3)). Each returns `None`
//! where the figure is not available (another OS, no audit path); the metric is then
//! left out of the scrape rather than reported as 0.

use std::path::Path;

/// Resident set size in bytes: field 2 (`resident`, pages) of `/proc/self/statm`.
pub(crate) fn memory_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    let page_size = nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE).ok()??;
    pages.checked_mul(u64::try_from(page_size).ok()?)
}

/// User + system CPU time in seconds: fields 14 (`utime`) and 15 (`stime`) of
/// `/proc/self/stat`, in clock ticks.
pub(crate) fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    cpu_seconds_of(&stat, clock_ticks()?)
}

fn clock_ticks() -> Option<u64> {
    let ticks = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK).ok()??;
    u64::try_from(ticks).ok().filter(|&t| t > 0)
}

/// Fields 14 and 15 of a `/proc/PID/stat` line. Field 2 (`comm`) is parenthesised and may
/// hold spaces and parentheses, so counting starts after the last `)`, which ends field 2.
fn cpu_seconds_of(stat: &str, ticks: u64) -> Option<f64> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace();
    // `rest` starts at field 3: field 14 is its 12th entry (index 11).
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    let total = utime.checked_add(stime)?;
    #[allow(clippy::cast_precision_loss)] // CPU ticks stay far below 2^52
    Some(total as f64 / ticks as f64)
}

/// Percent of the filesystem holding `path` in use, as `df` counts it: used blocks over
/// the blocks available to unprivileged users plus the used ones. The file itself need not
/// exist: the nearest existing ancestor directory is measured.
pub(crate) fn disk_usage_percent(path: &Path) -> Option<f64> {
    let dir = path.ancestors().skip(1).find(|p| p.is_dir())?;
    let st = nix::sys::statvfs::statvfs(dir).ok()?;
    #[allow(clippy::useless_conversion)] // the field types differ between platforms
    let (blocks, free, avail) = (
        u64::from(st.blocks()),
        u64::from(st.blocks_free()),
        u64::from(st.blocks_available()),
    );
    let used = blocks.saturating_sub(free);
    let total = used.checked_add(avail).filter(|&t| t > 0)?;
    #[allow(clippy::cast_precision_loss)]
    Some(used as f64 * 100.0 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `comm` with spaces and a `)` does not shift the fields: utime 250 + stime 150
    /// ticks at 100 Hz = 4 s.
    #[test]
    fn cpu_fields_after_comm() {
        let line = "42 (a b) c) S 1 42 42 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 1 0 1 1 1";
        assert_eq!(cpu_seconds_of(line, 100), Some(4.0));
        assert_eq!(cpu_seconds_of("42 (x) S 1", 100), None);
        assert_eq!(cpu_seconds_of("garbage", 100), None);
    }

    #[test]
    fn this_process_has_memory_and_cpu() {
        assert!(memory_bytes().unwrap() > 0);
        assert!(cpu_seconds().unwrap() >= 0.0);
        let pct = disk_usage_percent(Path::new("/tmp/no-such-dir/audit.log")).unwrap();
        assert!((0.0..=100.0).contains(&pct));
    }
}
