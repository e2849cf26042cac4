//! A snapshot of every metric ([`collect`]) and its two renderings: the Prometheus text
//! exposition format 0.0.4 ([`Snapshot::to_prometheus`]: `# HELP`, `# TYPE`, one sample per
//! line, label values escaped) and JSON ([`Snapshot::to_json`]: the same samples).

use std::fmt::Write as _;
use std::sync::atomic::Ordering::Relaxed;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{
    process, Direction, Listener, RefusalReason, Registry, SessionKind, API_DURATION_BUCKETS_MS,
    AUDIT_EVENT_TYPES, OTHER, PREFIX,
};
use crate::server::AppState;

/// The Prometheus metric type of a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Only goes up (restarts at 0 with the process).
    Counter,
    /// Goes up and down.
    Gauge,
    /// Buckets, sum and count.
    Histogram,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// One sample: a full metric name (a histogram's carry `_bucket`, `_sum`, `_count`), its
/// labels and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The sample's metric name.
    pub name: String,
    /// Label names and values, in order.
    pub labels: Vec<(&'static str, String)>,
    /// The value.
    pub value: f64,
}

/// A metric family: name, help text, type and samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// The family name, with [`PREFIX`].
    pub name: String,
    /// One line saying what it counts.
    pub help: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Its samples (possibly none).
    pub samples: Vec<Sample>,
}

/// Every family at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The families, in a fixed order.
    pub families: Vec<Family>,
}

/// Families done, and the one being filled.
struct Builder {
    families: Vec<Family>,
    current: Option<Family>,
}

impl Builder {
    /// Starts the next family (the previous one is done).
    fn family(&mut self, name: &str, kind: Kind, help: &'static str) -> &mut Family {
        self.families.extend(self.current.take());
        self.current.insert(Family {
            name: format!("{PREFIX}{name}"),
            help,
            kind,
            samples: Vec::new(),
        })
    }

    fn finish(mut self) -> Snapshot {
        self.families.extend(self.current.take());
        Snapshot {
            families: self.families,
        }
    }
}

impl Family {
    fn sample(&mut self, labels: Vec<(&'static str, String)>, value: f64) -> &mut Family {
        self.samples.push(Sample {
            name: self.name.clone(),
            labels,
            value,
        });
        self
    }

    fn suffixed(&mut self, suffix: &str, labels: Vec<(&'static str, String)>, value: f64) {
        self.samples.push(Sample {
            name: format!("{}{suffix}", self.name),
            labels,
            value,
        });
    }
}

#[allow(clippy::cast_precision_loss)] // counters stay far below 2^53
fn f(n: u64) -> f64 {
    n as f64
}

fn label(name: &'static str, value: impl Into<String>) -> Vec<(&'static str, String)> {
    vec![(name, value.into())]
}

/// Reads the registry and the figures of `state`.
pub(crate) fn collect(r: &Registry, state: &AppState) -> Snapshot {
    let mut b = Builder {
        families: Vec::new(),
        current: None,
    };
    let web = u64::try_from(state.sessions.len()).unwrap_or(u64::MAX);
    let native = r.native_active.load(Relaxed);
    b.family(
        "sessions_active",
        Kind::Gauge,
        "Sessions now: websocket, REST API and native TN3270 (connecting ones included).",
    )
    .sample(Vec::new(), f(web.saturating_add(native)));
    b.family(
        "sessions_active_by_kind",
        Kind::Gauge,
        "Sessions now by kind: web (websocket and REST API sessions) or native.",
    )
    .sample(label("kind", "web"), f(web))
    .sample(label("kind", "native"), f(native));
    let fam = b.family(
        "sessions_total",
        Kind::Counter,
        "Sessions started (upstream connected) by kind: websocket, native, api.",
    );
    for (kind, c) in SessionKind::ALL.iter().zip(&r.sessions_total) {
        fam.sample(label("kind", kind.label()), f(c.load(Relaxed)));
    }
    let fam = b.family(
        "api_requests_total",
        Kind::Counter,
        "HTTP requests answered, by method, matched route template and status code.",
    );
    for (labels, n) in r.api_requests.labelled_samples() {
        fam.sample(labels, f(n));
    }
    let fam = b.family(
        "api_request_duration_ms",
        Kind::Histogram,
        "Time from request to response headers, in milliseconds.",
    );
    let mut cumulative = 0;
    for (i, bucket) in r.api_duration.buckets.iter().enumerate() {
        cumulative += bucket.load(Relaxed);
        let le = API_DURATION_BUCKETS_MS
            .get(i)
            .map_or_else(|| "+Inf".to_owned(), u64::to_string);
        fam.suffixed("_bucket", label("le", le), f(cumulative));
    }
    #[allow(clippy::cast_precision_loss)]
    let sum_ms = r.api_duration.sum_micros.load(Relaxed) as f64 / 1000.0;
    fam.suffixed("_sum", Vec::new(), sum_ms);
    fam.suffixed("_count", Vec::new(), f(r.api_duration.count.load(Relaxed)));
    let fam = b.family(
        "audit_events_total",
        Kind::Counter,
        "Audit events written, by event type.",
    );
    let kinds = AUDIT_EVENT_TYPES.iter().copied().chain([OTHER]);
    for (kind, c) in kinds.zip(&r.audit) {
        fam.sample(label("event_type", kind), f(c.load(Relaxed)));
    }
    let fam = b.family(
        "refusals_total",
        Kind::Counter,
        "Requests, websocket messages and connections refused, by listener and reason.",
    );
    for (listener, row) in Listener::ALL.iter().zip(&r.refusals) {
        for (reason, c) in RefusalReason::ALL.iter().zip(row) {
            let n = c.load(Relaxed);
            // Only pairs that happen: the table is 45 mostly impossible combinations.
            if n > 0 {
                fam.sample(
                    vec![
                        ("listener", listener.label().to_owned()),
                        ("reason", reason.label().to_owned()),
                    ],
                    f(n),
                );
            }
        }
    }
    let fam = b.family(
        "upstream_connect_failures_total",
        Kind::Counter,
        "Sessions that could not connect to their host, by endpoint and error code.",
    );
    for (labels, n) in r.connect_failures.labelled_samples() {
        fam.sample(labels, f(n));
    }
    let fam = b.family(
        "records_total",
        Kind::Counter,
        "3270 records (any data type) relayed, from_host or to_host.",
    );
    for (d, c) in Direction::ALL.iter().zip(&r.records) {
        fam.sample(label("direction", d.label()), f(c.load(Relaxed)));
    }
    let fam = b.family(
        "bytes_total",
        Kind::Counter,
        "Bytes read from or written to host connections (telnet negotiation included).",
    );
    for (d, c) in Direction::ALL.iter().zip(&r.bytes) {
        fam.sample(label("direction", d.label()), f(c.load(Relaxed)));
    }
    let fam = b.family(
        "endpoint_up",
        Kind::Gauge,
        "1 when the endpoint's last health check passed, 0 when it failed; absent until checked.",
    );
    let endpoints: Vec<_> = state.endpoints.iter().collect();
    for e in &endpoints {
        if let Some(up) = endpoint_up(e.status()) {
            fam.sample(label("endpoint", e.config.name.clone()), up);
        }
    }
    let fam = b.family(
        "endpoint_sessions_active",
        Kind::Gauge,
        "Sessions now on each endpoint: websocket, REST API and native alike.",
    );
    for e in &endpoints {
        fam.sample(
            label("endpoint", e.config.name.clone()),
            f(u64::try_from(e.active_sessions()).unwrap_or(u64::MAX)),
        );
    }
    let fam = b.family(
        "health_checks_total",
        Kind::Counter,
        "Health checks of each endpoint (crate::pool).",
    );
    let healths: Vec<_> = endpoints
        .iter()
        .map(|e| (e.config.name.clone(), e.health()))
        .collect();
    for (name, h) in &healths {
        fam.sample(label("endpoint", name.clone()), f(h.checks_total));
    }
    let fam = b.family(
        "health_checks_failed_total",
        Kind::Counter,
        "Failed health checks of each endpoint.",
    );
    for (name, h) in &healths {
        fam.sample(label("endpoint", name.clone()), f(h.checks_failed_total));
    }
    b.family(
        "failovers_total",
        Kind::Counter,
        "Sessions placed on another endpoint after the first choice failed.",
    )
    .sample(Vec::new(), f(state.endpoints.failovers_total()));
    let fam = b.family(
        "memory_bytes",
        Kind::Gauge,
        "Resident memory of the bridge process in bytes.",
    );
    if let Some(m) = process::memory_bytes() {
        fam.sample(Vec::new(), f(m));
    }
    let fam = b.family(
        "cpu_seconds_total",
        Kind::Counter,
        "User and system CPU time of the bridge process in seconds.",
    );
    if let Some(s) = process::cpu_seconds() {
        fam.sample(Vec::new(), s);
    }
    let fam = b.family(
        "audit_log_usage_percent",
        Kind::Gauge,
        "Percent in use of the filesystem holding audit.log_path (absent without an audit log).",
    );
    let audit_path = state
        .config
        .audit
        .log_path
        .as_deref()
        .filter(|_| state.config.audit.is_enabled());
    if let Some(pct) = audit_path.and_then(process::disk_usage_percent) {
        fam.sample(Vec::new(), pct);
    }
    b.family(
        "log_write_errors_total",
        Kind::Counter,
        "Log lines the log file refused (written to standard error instead).",
    )
    .sample(Vec::new(), f(r.log_write_errors.load(Relaxed)));
    b.family(
        "log_dropped_total",
        Kind::Counter,
        "Log lines dropped because the log writer fell behind.",
    )
    .sample(Vec::new(), f(r.log_dropped.load(Relaxed)));
    let fam = b.family(
        "tls_reloads_total",
        Kind::Counter,
        "Reloads of the listeners' certificate (SIGHUP or a changed file), by result.",
    );
    if state.config.tls.enabled {
        for (i, result) in ["ok", "error"].into_iter().enumerate() {
            fam.sample(
                vec![("result", result.to_owned())],
                f(r.tls_reloads[i].load(Relaxed)),
            );
        }
    }
    let fam = b.family(
        "tls_certificate_not_after_seconds",
        Kind::Gauge,
        "Expiry (Unix time) of the listeners' certificate in use (absent without TLS).",
    );
    let not_after = r.tls_not_after.load(Relaxed);
    if state.config.tls.enabled && not_after > 0 {
        fam.sample(Vec::new(), f(not_after));
    }
    b.family(
        "uptime_seconds",
        Kind::Gauge,
        "Seconds since the bridge started.",
    )
    .sample(
        Vec::new(),
        state
            .started
            .elapsed()
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0),
    );
    b.family(
        "build_info",
        Kind::Gauge,
        "Always 1; the version label is the bridge's version.",
    )
    .sample(label("version", env!("CARGO_PKG_VERSION")), 1.0);
    b.finish()
}

/// `endpoint_up` for a health status: `up`/`healthy` 1, `unknown` (never checked) absent,
/// anything else (`down`, `unhealthy`, `degraded`...) 0.
fn endpoint_up(status: &str) -> Option<f64> {
    match status {
        "up" | "healthy" => Some(1.0),
        "unknown" => None,
        _ => Some(0.0),
    }
}

impl Snapshot {
    /// The Prometheus text exposition format 0.0.4.
    pub fn to_prometheus(&self) -> String {
        let mut out = String::with_capacity(4096);
        for fam in &self.families {
            let _ = writeln!(out, "# HELP {} {}", fam.name, escape_help(fam.help));
            let _ = writeln!(out, "# TYPE {} {}", fam.name, fam.kind.as_str());
            for s in &fam.samples {
                out.push_str(&s.name);
                if !s.labels.is_empty() {
                    out.push('{');
                    for (i, (k, v)) in s.labels.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        let _ = write!(out, "{k}=\"{}\"", escape_label(v));
                    }
                    out.push('}');
                }
                let _ = writeln!(out, " {}", number(s.value));
            }
        }
        out
    }

    /// The same samples as JSON: `{"metrics": [{"name", "type", "help", "samples":
    /// [{"name", "labels": {..}, "value"}]}]}`; whole numbers are JSON integers.
    pub fn to_json(&self) -> MetricsJson {
        let metrics = self
            .families
            .iter()
            .map(|fam| FamilyJson {
                name: fam.name.clone(),
                kind: fam.kind.as_str(),
                help: fam.help,
                samples: fam
                    .samples
                    .iter()
                    .map(|s| SampleJson {
                        name: s.name.clone(),
                        labels: s
                            .labels
                            .iter()
                            .map(|(k, v)| ((*k).to_owned(), v.clone()))
                            .collect(),
                        value: json_number(s.value),
                    })
                    .collect(),
            })
            .collect();
        MetricsJson { metrics }
    }
}

/// `GET /api/v1/metrics` answer: every family of `/metrics` with its samples.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MetricsJson {
    /// The families, in the order of `/metrics`.
    pub metrics: Vec<FamilyJson>,
}

/// One metric family of `GET /api/v1/metrics`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FamilyJson {
    /// Family name, e.g. `web3270_sessions_active`.
    pub name: String,
    /// `counter`, `gauge` or `histogram`.
    #[serde(rename = "type")]
    #[schema(value_type = String, example = "counter")]
    pub kind: &'static str,
    /// What it counts.
    #[schema(value_type = String)]
    pub help: &'static str,
    /// Its samples (a histogram's are `_bucket`, `_sum` and `_count`).
    pub samples: Vec<SampleJson>,
}

/// One sample of a metric family.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SampleJson {
    /// The sample's metric name.
    pub name: String,
    /// Label names and values.
    pub labels: BTreeMap<String, String>,
    /// The value: an integer when whole, `null` for NaN and infinities.
    #[schema(value_type = Option<f64>)]
    pub value: Value,
}

/// A sample value: Rust's shortest round-trip form (`3`, `0.25`), `NaN`, `+Inf`, `-Inf`.
fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        v.to_string()
    }
}

/// Whole numbers within f64's exact range as integers, others as floats (NaN/Inf: null).
fn json_number(v: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if v.fract() == 0.0 && v.abs() < EXACT {
        #[allow(clippy::cast_possible_truncation)]
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

/// `# HELP` text: backslash and line feed escaped.
fn escape_help(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

/// Label values: backslash, double quote and line feed escaped.
fn escape_label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_format_escapes_and_numbers() {
        let snap = Snapshot {
            families: vec![Family {
                name: "web3270_x_total".into(),
                help: "a \\ b\nc",
                kind: Kind::Counter,
                samples: vec![Sample {
                    name: "web3270_x_total".into(),
                    labels: vec![("route", "/a\"b\\\n".into()), ("s", "2".into())],
                    value: 3.0,
                }],
            }],
        };
        assert_eq!(
            snap.to_prometheus(),
            "# HELP web3270_x_total a \\\\ b\\nc\n\
             # TYPE web3270_x_total counter\n\
             web3270_x_total{route=\"/a\\\"b\\\\\\n\",s=\"2\"} 3\n"
        );
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(f64::INFINITY), "+Inf");
        assert_eq!(number(f64::NAN), "NaN");
        assert_eq!(json_number(3.0), json!(3));
        assert_eq!(json_number(0.5), json!(0.5));
        assert_eq!(json_number(f64::NAN), Value::Null);
    }

    #[test]
    fn endpoint_status_mapping() {
        assert_eq!(endpoint_up("up"), Some(1.0));
        assert_eq!(endpoint_up("down"), Some(0.0));
        assert_eq!(endpoint_up("unknown"), None);
    }
}
