//! The bridge's metrics: one process-wide registry of counters, gauges and one histogram,
//! exposed as `GET /metrics` (Prometheus text exposition format 0.0.4, as specified in the
//! Prometheus documentation "Exposition formats", text-based format) and
//! `GET /api/v1/metrics` (the same samples as JSON). Metric names and their mapping from the
//! deployment guide's `zig3270_*` names are documented in `docs/OBSERVABILITY.md`.
//!
//! Owns: the registry ([`REGISTRY`]), the one-line counting functions called at the sites
//! that know what happened ([`session_started`], [`refusal`], [`records`], [`bytes`],
//! [`upstream_connect_failure`], [`audit_event`], [`api_request`], ...), the scrape-time
//! figures read from the bridge's state ([`snapshot`]: active sessions, endpoint health,
//! process memory and CPU, audit-log disk usage) and their rendering ([`render`]), the HTTP
//! middleware that counts API requests by route template ([`http`]). Does not own: what is
//! refused or why (the front ends: [`crate::ws`], [`crate::native`], [`crate::ratelimit`]),
//! endpoint health (`EndpointState::status`), audit events themselves.
//!
//! ## Costs and bounds
//! - Hot paths (records and bytes relayed, sessions, refusals, audit events, the latency
//!   histogram) are fixed arrays of atomics indexed by closed enums: one relaxed
//!   `fetch_add`, no lock, no allocation.
//! - Families whose label values come from outside a closed set (`api_requests_total`'s
//!   route templates, `upstream_connect_failures_total`'s endpoint names and error codes) are
//!   an `RwLock<BTreeMap>`: a read lock and an atomic add once the series exists, a write
//!   lock only for a new series. Each holds at most [`MAX_SERIES`] series; further label
//!   sets are counted under the value `other` so a misbehaving label source cannot grow
//!   memory. Route labels are axum's matched route *templates* (`/api/v1/sessions/{id}`),
//!   never raw paths.
//! - One registry per process (a `static`): several bridges started in one test process share
//!   counters; gauges of sessions are read from each bridge's own state at scrape time.

pub mod http;
mod process;
mod render;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::RwLock;
use std::time::Duration;

pub use render::{Family, FamilyJson, Kind, MetricsJson, Sample, SampleJson, Snapshot};

use crate::server::AppState;

/// Prefix of every metric name (the guide's `zig3270_` becomes `web3270_`).
pub const PREFIX: &str = "web3270_";

/// Most series of one labelled family (see the module doc); beyond it, `other`.
pub const MAX_SERIES: usize = 1000;

/// Upper bounds (milliseconds) of the `api_request_duration_ms` histogram buckets.
pub const API_DURATION_BUCKETS_MS: [u64; 13] =
    [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/// The guide's audit event types; others are counted as `other`.
pub const AUDIT_EVENT_TYPES: [&str; 10] = [
    "session_created",
    "session_closed",
    "session_suspended",
    "session_resumed",
    "authentication_success",
    "authentication_failed",
    "data_received",
    "data_sent",
    "error_occurred",
    "connection_lost",
];

/// Label value for a series past [`MAX_SERIES`] or an unknown audit event type.
pub const OTHER: &str = "other";

/// How a session reached the bridge (`sessions_total{kind}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// A browser over `GET /ws`.
    Websocket,
    /// A native TN3270 client on `server.port`.
    Native,
    /// A headless session of the REST API (`POST /api/v1/sessions`).
    Api,
}

impl SessionKind {
    const ALL: [SessionKind; 3] = [
        SessionKind::Websocket,
        SessionKind::Native,
        SessionKind::Api,
    ];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            SessionKind::Websocket => "websocket",
            SessionKind::Native => "native",
            SessionKind::Api => "api",
        }
    }
}

/// Where a refusal happened (`refusals_total{listener}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// An HTTP request (`/api/v1/*`, the websocket upgrade before it upgrades).
    Http,
    /// An upgraded websocket (`hello`, messages).
    Websocket,
    /// The native TN3270 listener.
    Native,
}

impl Listener {
    const ALL: [Listener; 3] = [Listener::Http, Listener::Websocket, Listener::Native];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Listener::Http => "http",
            Listener::Websocket => "websocket",
            Listener::Native => "native",
        }
    }
}

/// Why something was refused (`refusals_total{reason}`); each front end maps its own stable
/// error codes here ([`RefusalReason::from_code`] for the shared ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalReason {
    /// No endpoint of the requested name (or none configured).
    UnknownEndpoint,
    /// `sessions.max_sessions` or an endpoint's `max_sessions` reached.
    SessionLimit,
    /// The websocket `hello` is missing, late, malformed or has a bad field.
    BadHello,
    /// The websocket did not offer the `web3270.v1` subprotocol.
    BadSubprotocol,
    /// The requested terminal model cannot be emulated.
    BadModel,
    /// A record from the browser is not a well-formed inbound 3270 record.
    BadRecord,
    /// A control message from the browser is not one of the protocol's.
    BadMessage,
    /// A websocket message or frame past the configured size.
    OversizedMessage,
    /// The client exceeded `rate_limiting.max_rps`.
    RateLimited,
    /// The host could not be reached or negotiated.
    HostUnavailable,
    /// The endpoint's configuration cannot be used (e.g. its TLS files).
    EndpointUnusable,
    /// A resume token matched no live session.
    ResumeFailed,
    /// Missing or wrong credentials.
    Unauthorized,
    /// A TN3270E printer `ASSOCIATE` request (not supported).
    PrinterRejected,
    /// A browser websocket from a page of another origin (cross-site websocket).
    OriginNotAllowed,
    /// A TN3270 client on a `tls.tn3270_mode: starttls` port refused or failed START-TLS.
    TlsRequired,
    /// A bridge-side failure.
    Internal,
}

impl RefusalReason {
    const ALL: [RefusalReason; 17] = [
        RefusalReason::UnknownEndpoint,
        RefusalReason::SessionLimit,
        RefusalReason::BadHello,
        RefusalReason::BadSubprotocol,
        RefusalReason::BadModel,
        RefusalReason::BadRecord,
        RefusalReason::BadMessage,
        RefusalReason::OversizedMessage,
        RefusalReason::RateLimited,
        RefusalReason::HostUnavailable,
        RefusalReason::EndpointUnusable,
        RefusalReason::ResumeFailed,
        RefusalReason::Unauthorized,
        RefusalReason::PrinterRejected,
        RefusalReason::OriginNotAllowed,
        RefusalReason::TlsRequired,
        RefusalReason::Internal,
    ];

    /// The label value (snake case).
    pub fn label(self) -> &'static str {
        match self {
            RefusalReason::UnknownEndpoint => "unknown_endpoint",
            RefusalReason::SessionLimit => "session_limit",
            RefusalReason::BadHello => "bad_hello",
            RefusalReason::BadSubprotocol => "bad_subprotocol",
            RefusalReason::BadModel => "bad_model",
            RefusalReason::BadRecord => "bad_record",
            RefusalReason::BadMessage => "bad_message",
            RefusalReason::OversizedMessage => "oversized_message",
            RefusalReason::RateLimited => "rate_limited",
            RefusalReason::HostUnavailable => "host_unavailable",
            RefusalReason::EndpointUnusable => "endpoint_unusable",
            RefusalReason::ResumeFailed => "resume_failed",
            RefusalReason::Unauthorized => "unauthorized",
            RefusalReason::PrinterRejected => "printer_rejected",
            RefusalReason::OriginNotAllowed => "origin_not_allowed",
            RefusalReason::TlsRequired => "tls_required",
            RefusalReason::Internal => "internal",
        }
    }

    /// The reason for one of the bridge's stable error codes (websocket, REST API);
    /// an unknown code is [`RefusalReason::Internal`].
    pub fn from_code(code: &str) -> RefusalReason {
        match code {
            "ENDPOINT_UNKNOWN" | "UNKNOWN_ENDPOINT" | "NO_ENDPOINT" => {
                RefusalReason::UnknownEndpoint
            }
            "SESSION_LIMIT" | "TOO_MANY_SESSIONS" | "LU_POOL_EXHAUSTED" | "LU_IN_USE" => {
                RefusalReason::SessionLimit
            }
            "BAD_HELLO" => RefusalReason::BadHello,
            "BAD_SUBPROTOCOL" => RefusalReason::BadSubprotocol,
            "BAD_MODEL" => RefusalReason::BadModel,
            "BAD_RECORD" => RefusalReason::BadRecord,
            "BAD_MESSAGE" => RefusalReason::BadMessage,
            "MESSAGE_TOO_BIG" => RefusalReason::OversizedMessage,
            "RATE_LIMIT_EXCEEDED" => RefusalReason::RateLimited,
            "ENDPOINT_UNAVAILABLE" | "UPSTREAM_REFUSED" => RefusalReason::HostUnavailable,
            "RESUME_FAILED" => RefusalReason::ResumeFailed,
            "UNAUTHORIZED" => RefusalReason::Unauthorized,
            "ORIGIN_NOT_ALLOWED" => RefusalReason::OriginNotAllowed,
            "TLS_REQUIRED" => RefusalReason::TlsRequired,
            _ => RefusalReason::Internal,
        }
    }
}

/// Which way records and bytes went, seen from the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Host → bridge (outbound in GA23-0059's terms: towards the terminal).
    FromHost,
    /// Bridge → host (inbound in GA23-0059's terms: from the terminal).
    ToHost,
}

impl Direction {
    const ALL: [Direction; 2] = [Direction::FromHost, Direction::ToHost];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Direction::FromHost => "from_host",
            Direction::ToHost => "to_host",
        }
    }
}

/// A counter family whose label values are not a closed set, bounded by [`MAX_SERIES`].
#[derive(Debug)]
pub(crate) struct Labelled {
    names: &'static [&'static str],
    series: RwLock<BTreeMap<Vec<String>, AtomicU64>>,
}

impl Labelled {
    const fn new(names: &'static [&'static str]) -> Labelled {
        Labelled {
            names,
            series: RwLock::new(BTreeMap::new()),
        }
    }

    fn inc(&self, values: Vec<String>) {
        if let Ok(series) = self.series.read() {
            if let Some(counter) = series.get(&values) {
                counter.fetch_add(1, Relaxed);
                return;
            }
        }
        let Ok(mut series) = self.series.write() else {
            return;
        };
        let key = if series.len() < MAX_SERIES || series.contains_key(&values) {
            values
        } else {
            vec![OTHER.to_owned(); self.names.len()]
        };
        series
            .entry(key)
            .or_insert_with(|| AtomicU64::new(0))
            .fetch_add(1, Relaxed);
    }

    fn samples(&self) -> Vec<(Vec<String>, u64)> {
        self.series
            .read()
            .map(|s| {
                s.iter()
                    .map(|(k, v)| (k.clone(), v.load(Relaxed)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Each series as its label pairs (name, value) and its count.
    fn labelled_samples(&self) -> Vec<(Vec<(&'static str, String)>, u64)> {
        self.samples()
            .into_iter()
            .map(|(values, n)| (self.names.iter().copied().zip(values).collect(), n))
            .collect()
    }
}

/// A histogram with the fixed buckets [`API_DURATION_BUCKETS_MS`].
#[derive(Debug)]
pub(crate) struct Histogram {
    /// Per bucket (not cumulative); the last is `+Inf`.
    buckets: [AtomicU64; API_DURATION_BUCKETS_MS.len() + 1],
    sum_micros: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    const fn new() -> Histogram {
        Histogram {
            buckets: [const { AtomicU64::new(0) }; API_DURATION_BUCKETS_MS.len() + 1],
            sum_micros: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    fn observe(&self, d: Duration) {
        let micros = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let index = API_DURATION_BUCKETS_MS
            .iter()
            .position(|&ms| micros <= ms.saturating_mul(1000))
            .unwrap_or(API_DURATION_BUCKETS_MS.len());
        if let Some(b) = self.buckets.get(index) {
            b.fetch_add(1, Relaxed);
        }
        self.sum_micros.fetch_add(micros, Relaxed);
        self.count.fetch_add(1, Relaxed);
    }
}

/// The process-wide registry. Use the functions of this module rather than its fields.
#[derive(Debug)]
pub struct Registry {
    sessions_total: [AtomicU64; SessionKind::ALL.len()],
    native_active: AtomicU64,
    refusals: [[AtomicU64; RefusalReason::ALL.len()]; Listener::ALL.len()],
    records: [AtomicU64; Direction::ALL.len()],
    bytes: [AtomicU64; Direction::ALL.len()],
    audit: [AtomicU64; AUDIT_EVENT_TYPES.len() + 1],
    api_requests: Labelled,
    api_duration: Histogram,
    connect_failures: Labelled,
    log_write_errors: AtomicU64,
    log_dropped: AtomicU64,
    /// TLS reloads: [succeeded, failed].
    tls_reloads: [AtomicU64; 2],
    /// The listeners' certificate `notAfter` (Unix seconds); 0 = none loaded.
    tls_not_after: AtomicU64,
}

/// The one registry of this process.
pub static REGISTRY: Registry = Registry {
    sessions_total: [const { AtomicU64::new(0) }; SessionKind::ALL.len()],
    native_active: AtomicU64::new(0),
    refusals: [const { [const { AtomicU64::new(0) }; RefusalReason::ALL.len()] };
        Listener::ALL.len()],
    records: [const { AtomicU64::new(0) }; Direction::ALL.len()],
    bytes: [const { AtomicU64::new(0) }; Direction::ALL.len()],
    audit: [const { AtomicU64::new(0) }; AUDIT_EVENT_TYPES.len() + 1],
    api_requests: Labelled::new(&["method", "route", "status"]),
    api_duration: Histogram::new(),
    connect_failures: Labelled::new(&["endpoint", "code"]),
    log_write_errors: AtomicU64::new(0),
    log_dropped: AtomicU64::new(0),
    tls_reloads: [const { AtomicU64::new(0) }; 2],
    tls_not_after: AtomicU64::new(0),
};

fn add(counter: Option<&AtomicU64>, n: u64) {
    if let Some(c) = counter {
        c.fetch_add(n, Relaxed);
    }
}

fn index_of<T: PartialEq>(all: &[T], x: &T) -> usize {
    all.iter().position(|a| a == x).unwrap_or(0)
}

/// A session of `kind` started (after its upstream is connected).
pub fn session_started(kind: SessionKind) {
    add(
        REGISTRY
            .sessions_total
            .get(index_of(&SessionKind::ALL, &kind)),
        1,
    );
}

/// Counts a running native session in `sessions_active` until the guard is dropped.
#[derive(Debug)]
#[must_use = "the session is counted only while the guard lives"]
pub struct ActiveNative(());

impl Drop for ActiveNative {
    fn drop(&mut self) {
        let _ = REGISTRY
            .native_active
            .fetch_update(Relaxed, Relaxed, |n| n.checked_sub(1));
    }
}

/// A native session started relaying: counts it in `sessions_total{kind="native"}` and, while
/// the returned guard lives, in `sessions_active`.
pub fn native_session() -> ActiveNative {
    session_started(SessionKind::Native);
    REGISTRY.native_active.fetch_add(1, Relaxed);
    ActiveNative(())
}

/// Native sessions relaying now.
pub fn native_active() -> u64 {
    REGISTRY.native_active.load(Relaxed)
}

/// Something was refused on `listener` for `reason` (the caller logs why).
pub fn refusal(listener: Listener, reason: RefusalReason) {
    let row = REGISTRY.refusals.get(index_of(&Listener::ALL, &listener));
    add(
        row.and_then(|r| r.get(index_of(&RefusalReason::ALL, &reason))),
        1,
    );
}

/// Refusals so far on `listener` for `reason`.
pub fn refusals(listener: Listener, reason: RefusalReason) -> u64 {
    REGISTRY
        .refusals
        .get(index_of(&Listener::ALL, &listener))
        .and_then(|r| r.get(index_of(&RefusalReason::ALL, &reason)))
        .map_or(0, |c| c.load(Relaxed))
}

/// `n` records relayed in `direction` (3270-DATA, SSCP-LU-DATA, NVT-DATA... of any session).
pub fn records(direction: Direction, n: u64) {
    add(
        REGISTRY.records.get(index_of(&Direction::ALL, &direction)),
        n,
    );
}

/// `n` bytes written to or read from a host socket (telnet framing included).
pub fn bytes(direction: Direction, n: u64) {
    add(REGISTRY.bytes.get(index_of(&Direction::ALL, &direction)), n);
}

/// A session could not connect to `endpoint`; `code` is the upstream error's stable code.
pub fn upstream_connect_failure(endpoint: &str, code: &str) {
    REGISTRY
        .connect_failures
        .inc(vec![endpoint.to_owned(), code.to_owned()]);
}

/// An audit event of type `kind` (one of [`AUDIT_EVENT_TYPES`], else counted as `other`)
/// was written.
pub fn audit_event(kind: &str) {
    let index = AUDIT_EVENT_TYPES
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(AUDIT_EVENT_TYPES.len());
    add(REGISTRY.audit.get(index), 1);
}

/// An HTTP request was answered: `route` is the matched route template.
pub fn api_request(method: &'static str, route: &str, status: u16, elapsed: Duration) {
    REGISTRY.api_requests.inc(vec![
        method.to_owned(),
        route.to_owned(),
        status.to_string(),
    ]);
    REGISTRY.api_duration.observe(elapsed);
}

/// The log file could not be written (the line went to standard error instead).
pub fn log_write_error() {
    REGISTRY.log_write_errors.fetch_add(1, Relaxed);
}

/// Log write errors so far.
pub fn log_write_errors() -> u64 {
    REGISTRY.log_write_errors.load(Relaxed)
}

/// `n` log lines were dropped because the log writer fell behind.
pub fn log_dropped(n: u64) {
    REGISTRY.log_dropped.fetch_add(n, Relaxed);
}

/// Log lines dropped so far.
pub fn log_dropped_total() -> u64 {
    REGISTRY.log_dropped.load(Relaxed)
}

/// A reload of the listeners' certificate (`crate::server::tls_reload`) succeeded or failed.
pub fn tls_reload(ok: bool) {
    REGISTRY.tls_reloads[usize::from(!ok)].fetch_add(1, Relaxed);
}

/// The listeners' certificate now in use expires at `unix_seconds`.
pub fn tls_certificate_not_after(unix_seconds: u64) {
    REGISTRY.tls_not_after.store(unix_seconds, Relaxed);
}

/// Every metric now, with the figures read from `state` at this moment.
pub fn snapshot(state: &AppState) -> Snapshot {
    render::collect(&REGISTRY, state)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A family takes MAX_SERIES label sets; every further one is counted under `other`,
    /// so it never holds more than MAX_SERIES + 1 series.
    #[test]
    fn labelled_families_are_bounded() {
        let family = Labelled::new(&["endpoint", "code"]);
        for i in 0..MAX_SERIES + 5 {
            family.inc(vec![format!("e{i}"), "X".into()]);
        }
        family.inc(vec!["e0".into(), "X".into()]);
        let samples = family.samples();
        assert_eq!(samples.len(), MAX_SERIES + 1);
        let count = |k: [&str; 2]| {
            samples
                .iter()
                .find(|(v, _)| v.as_slice() == k)
                .map(|(_, n)| *n)
        };
        assert_eq!(count([OTHER, OTHER]), Some(5));
        assert_eq!(
            count(["e0", "X"]),
            Some(2),
            "an existing series still counts"
        );
    }

    /// Bucket bounds are inclusive (`le`): 1 ms goes to `le="1"`, 1.001 ms to `le="2"`,
    /// beyond the last bound to `+Inf`; the sum is kept in microseconds.
    #[test]
    fn histogram_buckets_are_inclusive() {
        let h = Histogram::new();
        h.observe(Duration::from_millis(1));
        h.observe(Duration::from_micros(1001));
        h.observe(Duration::from_secs(60));
        let counts: Vec<u64> = h.buckets.iter().map(|b| b.load(Relaxed)).collect();
        assert_eq!(counts[0], 1);
        assert_eq!(counts[1], 1);
        assert_eq!(counts[API_DURATION_BUCKETS_MS.len()], 1);
        assert_eq!(h.count.load(Relaxed), 3);
        assert_eq!(h.sum_micros.load(Relaxed), 1000 + 1001 + 60_000_000);
    }

    #[test]
    fn codes_map_to_reasons() {
        assert_eq!(
            RefusalReason::from_code("ENDPOINT_UNKNOWN"),
            RefusalReason::UnknownEndpoint
        );
        assert_eq!(
            RefusalReason::from_code("SESSION_LIMIT"),
            RefusalReason::SessionLimit
        );
        assert_eq!(
            RefusalReason::from_code("RATE_LIMIT_EXCEEDED"),
            RefusalReason::RateLimited
        );
        assert_eq!(RefusalReason::from_code("???"), RefusalReason::Internal);
    }
}
