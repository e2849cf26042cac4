//! UTC calendar arithmetic for audit timestamps and file names, without a date crate:
//! milliseconds since the Unix epoch → RFC 3339 (`2026-12-03T19:54:13.123Z`), the UTC day
//! number (for daily rotation), and the compact stamp of rotated file names
//! (`20261203T195413Z`) and back; also the crate's RFC 3339 to the second
//! (`2026-12-03T19:54:14Z`, [`rfc3339_seconds`]) of the REST API and the pool.
//!
//! Owns: the proleptic Gregorian conversion (days ↔ civil date, the well-known algorithm of
//! H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"). Does not own: clocks (callers
//! pass the time in, so tests inject it). Leap seconds do not exist here (Unix time).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds in a day.
pub const MS_PER_DAY: u64 = 86_400_000;

/// Milliseconds since the Unix epoch (0 for a clock before 1970).
pub fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The time `ms` milliseconds after the epoch.
pub fn from_unix_ms(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

/// The UTC day number (days since 1970-01-01).
pub fn day(ms: u64) -> u64 {
    ms / MS_PER_DAY
}

/// (year, month 1–12, day 1–31) of day number `days` (also the calendar of the server
/// log's rotated file names, `crate::logging`).
pub(crate) fn civil(days: u64) -> (u64, u64, u64) {
    // Shift the epoch to 0000-03-01 so leap days end a year (Hinnant's `civil_from_days`).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// Day number of a civil date (`None` for a month or day out of range, or before 1970; also
/// the certificate dates of `crate::tls::validity`).
pub(crate) fn days_from_civil(y: u64, m: u64, d: u64) -> Option<u64> {
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y.checked_sub(1)? } else { y };
    let era = y / 400;
    let yoe = y % 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

/// RFC 3339 UTC with milliseconds: `2026-12-03T19:54:13.123Z`.
pub fn rfc3339(ms: u64) -> String {
    let (y, mo, d) = civil(day(ms));
    let rem = ms % MS_PER_DAY;
    let (h, mi, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

/// RFC 3339 UTC to the second, `2026-12-03T19:54:14Z` (the epoch for a clock before 1970):
/// the timestamps of the REST API and of the pool's health checks.
pub fn rfc3339_seconds(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (y, mo, d) = civil(secs / 86_400);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// The stamp in rotated file names: `20261203T195413Z` (UTC, to the second).
pub fn file_stamp(ms: u64) -> String {
    let (y, mo, d) = civil(day(ms));
    let rem = ms % MS_PER_DAY / 1000;
    format!(
        "{y:04}{mo:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Parses a [`file_stamp`] back to milliseconds; `None` if it is not one.
pub fn parse_file_stamp(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u64> { s.get(r)?.parse().ok() };
    let days = days_from_civil(num(0..4)?, num(4..6)?, num(6..8)?)?;
    let (h, mi, sec) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    Some(days * MS_PER_DAY + (h * 3600 + mi * 60 + sec) * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        // 2000-02-29 (a leap day of a century leap year) 12:34:56.789
        assert_eq!(rfc3339(951_827_696_789), "2000-02-29T12:34:56.789Z");
        assert_eq!(rfc3339(1_796_327_653_123), "2026-12-03T19:54:13.123Z");
        assert_eq!(file_stamp(1_796_327_653_123), "20261203T195413Z");
    }

    #[test]
    fn whole_second_instants() {
        let at = |s: u64| rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        // 2000-02-29 (a leap day of a century divisible by 400), midnight and 12:34:56.
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(951_827_696), "2000-02-29T12:34:56Z");
        assert_eq!(at(1_796_327_654), "2026-12-03T19:54:14Z");
        assert_eq!(at(1_796_328_900), "2026-12-03T20:15:00Z");
        assert_eq!(at(4_107_542_399), "2100-02-28T23:59:59Z");
    }

    #[test]
    fn stamps_round_trip_and_reject_garbage() {
        for ms in [0, 951_827_696_000, 1_796_327_653_000, 4_102_444_799_000] {
            assert_eq!(parse_file_stamp(&file_stamp(ms)), Some(ms));
        }
        for bad in [
            "",
            "20261203T195413",
            "2026120xT195413Z",
            "20261303T000000Z",
            "20261203T246000Z",
            "20261203-195413Z",
        ] {
            assert_eq!(parse_file_stamp(bad), None, "{bad}");
        }
    }
}
