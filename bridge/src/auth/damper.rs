//! Brute-force damping: after [`MAX_FAILURES`] failed authentications from one client within
//! [`FAILURE_WINDOW`], that client is refused for [`LOCKOUT`] without its credentials being
//! checked (even correct ones). A success clears the client's count.
//!
//! Clients are keyed by IP address, IPv6 by its /64 prefix (one host usually owns a whole
//! /64). Bounded: at most [`MAX_TRACKED`] clients are remembered; when full, expired entries
//! are dropped first, then the entry with the oldest failure. Time is passed in (tests inject
//! it).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, Instant};

/// Failures within [`FAILURE_WINDOW`] that lock a client out.
pub const MAX_FAILURES: u32 = 10;
/// The window failures are counted in.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(300);
/// How long a locked-out client is refused.
pub const LOCKOUT: Duration = Duration::from_secs(300);
/// Most clients remembered.
pub const MAX_TRACKED: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    window_start: Instant,
    last_failure: Instant,
    locked_until: Option<Instant>,
    /// Requests refused during the current lockout.
    refusals: u64,
}

impl Entry {
    fn expired(&self, now: Instant) -> bool {
        let window_over = now.saturating_duration_since(self.window_start) >= FAILURE_WINDOW;
        let unlocked = self.locked_until.is_none_or(|t| now >= t);
        window_over && unlocked
    }
}

/// Failure counts per client.
#[derive(Debug, Default)]
pub struct Damper {
    entries: HashMap<IpAddr, Entry>,
}

/// The key of a client: its IPv4 address, or its IPv6 /64.
fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

impl Damper {
    /// How much longer `ip` is locked out, if it is.
    pub fn locked(&mut self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let e = self.entries.get(&key(ip))?;
        e.locked_until
            .filter(|&t| t > now)
            .map(|t| t.saturating_duration_since(now))
    }

    /// Like [`Damper::locked`], and counts the refusal: `(time left, refusals during this
    /// lockout, this one included)`. Callers log and audit only when the count is a power of
    /// two, so a client hammering during its lockout cannot flood the logs.
    pub fn refuse(&mut self, ip: IpAddr, now: Instant) -> Option<(Duration, u64)> {
        let e = self.entries.get_mut(&key(ip))?;
        let left = e
            .locked_until
            .filter(|&t| t > now)
            .map(|t| t.saturating_duration_since(now))?;
        e.refusals = e.refusals.saturating_add(1);
        Some((left, e.refusals))
    }

    /// Counts a failure; returns true when it locks the client out.
    pub fn failure(&mut self, ip: IpAddr, now: Instant) -> bool {
        let k = key(ip);
        if !self.entries.contains_key(&k) && self.entries.len() >= MAX_TRACKED {
            self.make_room(now);
        }
        let e = self.entries.entry(k).or_insert(Entry {
            failures: 0,
            window_start: now,
            last_failure: now,
            locked_until: None,
            refusals: 0,
        });
        if now.saturating_duration_since(e.window_start) >= FAILURE_WINDOW {
            e.failures = 0;
            e.window_start = now;
        }
        e.failures = e.failures.saturating_add(1);
        e.last_failure = now;
        if e.failures >= MAX_FAILURES && e.locked_until.is_none_or(|t| t <= now) {
            e.locked_until = Some(now + LOCKOUT);
            e.refusals = 0;
            e.failures = 0;
            e.window_start = now;
            return true;
        }
        false
    }

    /// A success: forgets the client's failures (not an active lockout, which is checked
    /// before credentials are).
    pub fn success(&mut self, ip: IpAddr) {
        let k = key(ip);
        if self
            .entries
            .get(&k)
            .is_some_and(|e| e.locked_until.is_none())
        {
            self.entries.remove(&k);
        }
    }

    /// Clients remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no client is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn make_room(&mut self, now: Instant) {
        self.entries.retain(|_, e| !e.expired(now));
        if self.entries.len() >= MAX_TRACKED {
            if let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_failure)
                .map(|(k, _)| *k)
            {
                self.entries.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ten_failures_lock_out_for_the_lockout_then_release() {
        let mut d = Damper::default();
        let t0 = Instant::now();
        let a = ip("192.0.2.7");
        for i in 0..MAX_FAILURES - 1 {
            assert!(!d.failure(a, t0 + Duration::from_secs(u64::from(i))));
            assert_eq!(d.locked(a, t0), None);
        }
        assert!(d.failure(a, t0 + Duration::from_secs(20)));
        let left = d.locked(a, t0 + Duration::from_secs(80)).unwrap();
        assert_eq!(left, LOCKOUT - Duration::from_secs(60));
        // Refusals during the lockout are counted.
        let t = t0 + Duration::from_secs(30);
        assert_eq!(d.refuse(a, t).map(|r| r.1), Some(1));
        assert_eq!(d.refuse(a, t).map(|r| r.1), Some(2));
        assert_eq!(d.refuse(ip("192.0.2.8"), t), None);
        // A success does not lift a lockout.
        d.success(a);
        assert!(d.locked(a, t0 + Duration::from_secs(80)).is_some());
        // Another address is not affected.
        assert_eq!(
            d.locked(ip("192.0.2.8"), t0 + Duration::from_secs(80)),
            None
        );
        assert_eq!(d.locked(a, t0 + Duration::from_secs(20) + LOCKOUT), None);
    }

    #[test]
    fn failures_outside_the_window_do_not_add_up_and_success_clears() {
        let mut d = Damper::default();
        let t0 = Instant::now();
        let a = ip("2001:db8::1");
        for i in 0..MAX_FAILURES - 1 {
            d.failure(a, t0 + Duration::from_secs(u64::from(i)));
        }
        // The window restarts: 9 more failures later are not enough.
        for i in 0..MAX_FAILURES - 1 {
            assert!(!d.failure(a, t0 + FAILURE_WINDOW + Duration::from_secs(u64::from(i))));
        }
        d.success(a);
        assert!(d.is_empty());
        // IPv6 addresses of one /64 share a count.
        for i in 0..MAX_FAILURES - 1 {
            d.failure(ip(&format!("2001:db8::{:x}", i + 2)), t0);
        }
        assert!(d.failure(ip("2001:db8::ffff"), t0));
        assert!(d.locked(ip("2001:db8::1234"), t0).is_some());
        assert!(d.locked(ip("2001:db8:0:1::1"), t0).is_none());
    }

    #[test]
    fn memory_is_bounded() {
        let mut d = Damper::default();
        let t0 = Instant::now();
        for i in 0..(MAX_TRACKED as u32 + 500) {
            d.failure(
                IpAddr::V4(i.into()),
                t0 + Duration::from_millis(u64::from(i)),
            );
        }
        assert_eq!(d.len(), MAX_TRACKED);
    }
}
