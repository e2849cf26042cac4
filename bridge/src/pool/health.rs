//! Health of one endpoint: the state machine fed by health probes and by real session
//! connects, and the task that probes a remote endpoint every `health_check_interval`.
//!
//! Owns: [`Health`] (status up/down/unknown, latency, last check, last error, consecutive
//! counts, the `suspect` flag), the thresholds [`FALL`] and [`RISE`], the probe task
//! ([`run_checks`]) and the one-shot check ([`check_now`]). A probe is a real TN3270
//! negotiation ([`crate::upstream::probe`]: TCP, TLS when configured, telnet RFC 854/855,
//! TN3270E RFC 2355 or TN3270 RFC 1576 until 3270 mode), then a clean close, bounded by
//! `health_check_timeout`. Does not own: choosing endpoints ([`super`]).
//!
//! ## State machine
//! - A remote endpoint starts `unknown`. The first result decides at once: a success makes
//!   it `up`, a failure `down`.
//! - `up` → `down` after [`FALL`] consecutive failures; `down` → `up` after [`RISE`]
//!   consecutive successes (one blip does not flap the endpoint).
//! - A failed session connect counts as a failure and also marks the endpoint **suspect**:
//!   the balancer skips it until the next successful probe or session connect, even while
//!   its status still says `up`.
//! - A built-in endpoint (the embedded demo host) is `up` while the bridge runs and is not
//!   probed on a timer.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::watch;

use crate::server::EndpointState;
use crate::upstream::UpstreamError;

/// Consecutive failures that take an `up` endpoint `down`.
pub const FALL: u32 = 2;
/// Consecutive successes that bring a `down` endpoint back `up`.
pub const RISE: u32 = 2;
/// Code recorded when a probe does not finish within `health_check_timeout`.
pub const HEALTH_CHECK_TIMEOUT: &str = "HEALTH_CHECK_TIMEOUT";

/// An endpoint's health status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Not checked yet.
    Unknown,
    /// Reachable: the last checks negotiated 3270 mode.
    Up,
    /// Unreachable: the last checks failed.
    Down,
}

impl Status {
    /// `up`, `down` or `unknown` (the API's and the metrics' spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unknown => "unknown",
            Status::Up => "up",
            Status::Down => "down",
        }
    }
}

/// The health of one endpoint (a copy is a snapshot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// The status.
    pub status: Status,
    /// Built-in: always up, never probed.
    pub builtin: bool,
    /// TCP connect to 3270 mode of the last successful probe.
    pub latency: Option<Duration>,
    /// When the last probe finished.
    pub last_check: Option<SystemTime>,
    /// The stable code of the last failure (`UPSTREAM_REFUSED`, `HEALTH_CHECK_TIMEOUT`...),
    /// cleared by a success.
    pub last_error: Option<&'static str>,
    /// The last failure for people.
    pub last_error_message: Option<String>,
    /// Failures in a row (probes and session connects).
    pub consecutive_failures: u32,
    /// Successes in a row.
    pub consecutive_successes: u32,
    /// A session connect failed since the last success: skipped by the balancer.
    pub suspect: bool,
    /// Probes run since start (a counter for metrics).
    pub checks_total: u64,
    /// Probes that failed since start (a counter for metrics).
    pub checks_failed_total: u64,
}

impl Health {
    /// The state of a new endpoint: `unknown`, or `up` for a built-in one.
    pub fn new(builtin: bool) -> Health {
        Health {
            status: if builtin { Status::Up } else { Status::Unknown },
            builtin,
            latency: None,
            last_check: None,
            last_error: None,
            last_error_message: None,
            consecutive_failures: 0,
            consecutive_successes: 0,
            suspect: false,
            checks_total: 0,
            checks_failed_total: 0,
        }
    }

    /// Whether the balancer may choose the endpoint: built in, or not `down` and not suspect
    /// (`unknown` counts as usable so that a bridge serves before its first probe ends).
    pub fn usable(&self) -> bool {
        self.builtin || (self.status != Status::Down && !self.suspect)
    }

    /// A probe negotiated 3270 mode in `latency`.
    pub fn probe_ok(&mut self, latency: Duration, now: SystemTime) {
        self.latency = Some(latency);
        self.last_check = Some(now);
        self.checks_total = self.checks_total.saturating_add(1);
        self.success();
    }

    /// A probe failed with `code`.
    pub fn probe_failed(&mut self, code: &'static str, message: String, now: SystemTime) {
        self.last_check = Some(now);
        self.checks_total = self.checks_total.saturating_add(1);
        self.checks_failed_total = self.checks_failed_total.saturating_add(1);
        self.failure(code, message);
    }

    /// A real session connected.
    pub fn session_ok(&mut self) {
        self.success();
    }

    /// A real session could not connect: a failure, and suspect until the next success.
    pub fn session_failed(&mut self, code: &'static str, message: String) {
        self.failure(code, message);
        if !self.builtin {
            self.suspect = true;
        }
    }

    fn success(&mut self) {
        self.consecutive_failures = 0;
        self.consecutive_successes = self.consecutive_successes.saturating_add(1);
        self.last_error = None;
        self.last_error_message = None;
        self.suspect = false;
        self.status = match self.status {
            _ if self.builtin => Status::Up,
            Status::Unknown | Status::Up => Status::Up,
            Status::Down if self.consecutive_successes >= RISE => Status::Up,
            Status::Down => Status::Down,
        };
    }

    fn failure(&mut self, code: &'static str, message: String) {
        self.consecutive_successes = 0;
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        self.last_error = Some(code);
        self.last_error_message = Some(message);
        self.status = match self.status {
            _ if self.builtin => Status::Up,
            Status::Unknown | Status::Down => Status::Down,
            Status::Up if self.consecutive_failures >= FALL => Status::Down,
            Status::Up => Status::Up,
        };
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The status after the check.
    pub status: Status,
    /// TCP connect to 3270 mode, when the probe succeeded.
    pub latency: Option<Duration>,
    /// The whole check, close included.
    pub response_time: Duration,
    /// The failure code, if it failed.
    pub error: Option<&'static str>,
}

/// Probes `endpoint` now (its loopback address for a built-in one), bounded by `timeout`,
/// and records the result in its health.
pub async fn check_now(endpoint: &EndpointState, timeout: Duration) -> CheckResult {
    let started = Instant::now();
    let target = endpoint.dial_target();
    let outcome = tokio::time::timeout(timeout, crate::upstream::probe(&target)).await;
    let response_time = started.elapsed();
    let now = SystemTime::now();
    let (latency, error) = match outcome {
        Ok(Ok(result)) => {
            endpoint
                .live
                .update_health(|h| h.probe_ok(result.latency, now));
            (Some(result.latency), None)
        }
        Ok(Err(e)) => {
            record_failure(endpoint, &e, now);
            (None, Some(e.code()))
        }
        Err(_) => {
            let message = format!("no 3270 negotiation within {timeout:?}");
            endpoint
                .live
                .update_health(|h| h.probe_failed(HEALTH_CHECK_TIMEOUT, message, now));
            (None, Some(HEALTH_CHECK_TIMEOUT))
        }
    };
    if let Some(code) = error {
        tracing::debug!(endpoint = %endpoint.config.name, code, "health check failed");
    }
    CheckResult {
        status: endpoint.health().status,
        latency,
        response_time,
        error,
    }
}

fn record_failure(endpoint: &EndpointState, e: &UpstreamError, now: SystemTime) {
    let code = e.code();
    let message = e.to_string();
    endpoint
        .live
        .update_health(|h| h.probe_failed(code, message, now));
}

/// Probes `endpoint` every `interval` (the first probe at once) until `stop` turns true.
/// Status changes are logged.
pub async fn run_checks(
    endpoint: EndpointState,
    interval: Duration,
    timeout: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            _ = ticker.tick() => {}
        }
        let before = endpoint.health().status;
        let result = tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            r = check_now(&endpoint, timeout) => r,
        };
        if result.status != before {
            match result.status {
                Status::Up => tracing::info!(endpoint = %endpoint.config.name,
                    latency_ms = result.latency.map_or(0, |l| l.as_millis() as u64),
                    "endpoint is up"),
                _ => tracing::warn!(endpoint = %endpoint.config.name,
                    code = result.error.unwrap_or(""), "endpoint is down"),
            }
        }
    }
}

/// Starts [`run_checks`] for `endpoint` unless it is built in or checks are off (a zero
/// `interval`: `load_balancer.health_check_interval: 0`).
pub(crate) fn spawn_checks(
    endpoint: &EndpointState,
    interval: Duration,
    timeout: Duration,
    stop: &watch::Receiver<bool>,
    tasks: &Mutex<Vec<tokio::task::JoinHandle<()>>>,
) {
    if endpoint.builtin_addr.is_some() || interval.is_zero() {
        return;
    }
    let task = tokio::spawn(run_checks(
        endpoint.clone(),
        interval,
        timeout,
        stop.clone(),
    ));
    if let Ok(mut tasks) = tasks.lock() {
        tasks.retain(|t| !t.is_finished());
        tasks.push(task);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: SystemTime = SystemTime::UNIX_EPOCH;
    const MS: Duration = Duration::from_millis(3);

    /// Unknown → the first result decides at once.
    #[test]
    fn the_first_result_decides() {
        let mut h = Health::new(false);
        assert_eq!(h.status, Status::Unknown);
        assert!(h.usable(), "unknown is usable before the first probe");
        h.probe_ok(MS, T0);
        assert_eq!(h.status, Status::Up);
        let mut h = Health::new(false);
        h.probe_failed("UPSTREAM_REFUSED", "refused".into(), T0);
        assert_eq!(h.status, Status::Down);
        assert!(!h.usable());
        assert_eq!(h.last_error, Some("UPSTREAM_REFUSED"));
        assert_eq!(h.last_check, Some(T0));
    }

    /// Up needs FALL failures in a row to go down; down needs RISE successes to come back.
    #[test]
    fn fall_and_rise_thresholds() {
        let mut h = Health::new(false);
        h.probe_ok(MS, T0);
        for _ in 1..FALL {
            h.probe_failed("UPSTREAM_REFUSED", "x".into(), T0);
            assert_eq!(h.status, Status::Up);
        }
        h.probe_failed("UPSTREAM_REFUSED", "x".into(), T0);
        assert_eq!(h.status, Status::Down);
        assert_eq!(h.consecutive_failures, FALL);
        for _ in 1..RISE {
            h.probe_ok(MS, T0);
            assert_eq!(h.status, Status::Down);
        }
        h.probe_ok(MS, T0);
        assert_eq!(h.status, Status::Up);
        assert_eq!(h.last_error, None);
        assert_eq!(h.latency, Some(MS));
        assert_eq!(h.checks_total, u64::from(1 + FALL + RISE));
        assert_eq!(h.checks_failed_total, u64::from(FALL));
    }

    /// A failed session connect makes an up endpoint suspect (not usable) at once; the next
    /// success clears it.
    #[test]
    fn a_failed_session_connect_marks_suspect() {
        let mut h = Health::new(false);
        h.probe_ok(MS, T0);
        h.session_failed("UPSTREAM_REFUSED", "refused".into());
        assert_eq!(h.status, Status::Up);
        assert!(h.suspect);
        assert!(!h.usable());
        h.session_ok();
        assert!(!h.suspect);
        assert!(h.usable());
    }

    /// A built-in endpoint stays up whatever happens.
    #[test]
    fn builtin_is_always_up() {
        let mut h = Health::new(true);
        assert_eq!(h.status, Status::Up);
        h.session_failed("UPSTREAM_REFUSED", "x".into());
        h.probe_failed("UPSTREAM_REFUSED", "x".into(), T0);
        assert_eq!(h.status, Status::Up);
        assert!(h.usable());
    }
}
