//! `GET /metrics` and `GET /api/v1/metrics` of `bridge::server::run` on loopback: the text
//! parses as the Prometheus exposition format 0.0.4, gauges follow a real websocket session
//! to the demo host, refusals and API requests are counted (by route template), and the JSON
//! carries the same figures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use bridge::config::{Config, Endpoint};
use futures_util::StreamExt;
use serde_json::{json, Value};
use support::*;
use tokio_tungstenite::tungstenite::Message;

/// The registry is process-wide: tests of this file take turns so their deltas are theirs.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The demo configuration on free ports where a closed websocket ends its session at once
/// (no resume grace).
fn config_without_grace() -> Config {
    let mut config = demo_config();
    config.sessions.detach_grace_seconds = Duration::ZERO;
    config
}

/// A sample key: name and `k=v` labels sorted.
type Key = (String, Vec<(String, String)>);

fn key(name: &str, labels: &[(&str, &str)]) -> Key {
    let mut l: Vec<_> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    l.sort();
    (name.to_owned(), l)
}

/// Checks `text` against the exposition format 0.0.4 and returns its samples and the
/// declared type of each family. Panics naming the first bad line.
fn parse_prometheus(text: &str) -> (BTreeMap<Key, f64>, BTreeMap<String, String>) {
    fn valid_name(n: &str) -> bool {
        let mut chars = n.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    }
    let mut samples = BTreeMap::new();
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut helped = std::collections::BTreeSet::new();
    assert!(text.ends_with('\n'), "the exposition ends with a line feed");
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, _) = rest.split_once(' ').unwrap_or((rest, ""));
            assert!(valid_name(name), "{line}");
            assert!(helped.insert(name.to_owned()), "second HELP: {line}");
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(valid_name(name), "{line}");
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "{line}"
            );
            assert!(
                types.insert(name.to_owned(), kind.to_owned()).is_none(),
                "second TYPE: {line}"
            );
            continue;
        }
        assert!(!line.starts_with('#') && !line.is_empty(), "{line}");
        let name_end = line.find(['{', ' ']).unwrap();
        let name = &line[..name_end];
        assert!(valid_name(name), "{line}");
        let mut rest = &line[name_end..];
        let mut labels = Vec::new();
        if let Some(r) = rest.strip_prefix('{') {
            // k="v" pairs, values with \\ \" \n escapes.
            let mut chars = r.char_indices().peekable();
            let end = loop {
                let (start, c) = chars.next().expect("unterminated labels");
                if c == '}' {
                    break start + 1;
                }
                if c == ',' {
                    continue;
                }
                let mut k = String::from(c);
                for (_, c) in chars.by_ref() {
                    if c == '=' {
                        break;
                    }
                    k.push(c);
                }
                assert!(valid_name(&k), "label name {k:?} in {line}");
                assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "{line}");
                let mut v = String::new();
                loop {
                    let (_, c) = chars.next().expect("unterminated value");
                    match c {
                        '"' => break,
                        '\\' => match chars.next().map(|(_, c)| c) {
                            Some('\\') => v.push('\\'),
                            Some('"') => v.push('"'),
                            Some('n') => v.push('\n'),
                            other => panic!("bad escape {other:?} in {line}"),
                        },
                        '\n' => panic!("raw line feed in {line}"),
                        c => v.push(c),
                    }
                }
                labels.push((k, v));
            };
            rest = &r[end..];
        }
        let value = rest.strip_prefix(' ').expect("a space before the value");
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("value in {line}")),
        };
        // The sample belongs to a declared family (a histogram's by its suffix).
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|f| types.get(*f).map(String::as_str) == Some("histogram"))
            })
            .unwrap_or(name);
        assert!(types.contains_key(family), "sample before its TYPE: {line}");
        labels.sort();
        assert!(
            samples.insert((name.to_owned(), labels), value).is_none(),
            "duplicate sample: {line}"
        );
    }
    (samples, types)
}

fn value(samples: &BTreeMap<Key, f64>, name: &str, labels: &[(&str, &str)]) -> f64 {
    samples.get(&key(name, labels)).copied().unwrap_or(0.0)
}

async fn scrape(addr: SocketAddr) -> BTreeMap<Key, f64> {
    let r = get(addr, "/metrics", &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    parse_prometheus(&r.body).0
}

/// Polls `/metrics` until `web3270_sessions_active` is `want`.
async fn until_active(addr: SocketAddr, want: f64) -> BTreeMap<Key, f64> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let s = scrape(addr).await;
        if value(&s, "web3270_sessions_active", &[]) == want {
            return s;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "sessions_active stayed {} (want {want})",
            value(&s, "web3270_sessions_active", &[])
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The guide's metric families are all there with the documented types; the process
/// figures are real numbers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guides_metrics_are_exposed_with_their_types() {
    let _turn = SERIAL.lock().await;
    let bridge = start(config_without_grace()).await;
    let body = get(bridge.addr, "/metrics", &[]).await.body;
    let (samples, types) = parse_prometheus(&body);
    for (name, kind) in [
        ("web3270_sessions_active", "gauge"),
        ("web3270_sessions_total", "counter"),
        ("web3270_api_requests_total", "counter"),
        ("web3270_api_request_duration_ms", "histogram"),
        ("web3270_audit_events_total", "counter"),
        ("web3270_memory_bytes", "gauge"),
        ("web3270_cpu_seconds_total", "counter"),
        ("web3270_audit_log_usage_percent", "gauge"),
        ("web3270_refusals_total", "counter"),
        ("web3270_upstream_connect_failures_total", "counter"),
        ("web3270_records_total", "counter"),
        ("web3270_bytes_total", "counter"),
        ("web3270_endpoint_up", "gauge"),
    ] {
        assert_eq!(types.get(name).map(String::as_str), Some(kind), "{name}");
    }
    assert!(value(&samples, "web3270_memory_bytes", &[]) > 1e6, "RSS");
    assert!(samples.contains_key(&key("web3270_cpu_seconds_total", &[])));
    // The built-in demo host is up.
    assert_eq!(
        value(&samples, "web3270_endpoint_up", &[("endpoint", "demo")]),
        1.0
    );
    // No audit log configured: no usage figure.
    assert!(!samples.contains_key(&key("web3270_audit_log_usage_percent", &[])));
    // Histogram buckets are cumulative and +Inf equals the count.
    let inf = value(
        &samples,
        "web3270_api_request_duration_ms_bucket",
        &[("le", "+Inf")],
    );
    assert_eq!(
        inf,
        value(&samples, "web3270_api_request_duration_ms_count", &[])
    );
    let one = value(
        &samples,
        "web3270_api_request_duration_ms_bucket",
        &[("le", "1")],
    );
    assert!(one <= inf);
}

/// With an audit log path, its filesystem's usage is a percentage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_log_usage_is_a_percentage_of_its_filesystem() {
    let _turn = SERIAL.lock().await;
    let mut config = config_without_grace();
    let dir = std::env::temp_dir().join(format!("web3270-metrics-audit-{}", std::process::id()));
    config.audit.enabled = Some(true);
    config.audit.log_path = Some(dir.join("audit.log"));
    let bridge = start(config).await;
    let s = scrape(bridge.addr).await;
    let pct = s
        .get(&key("web3270_audit_log_usage_percent", &[]))
        .copied()
        .expect("a usage figure");
    assert!((0.0..=100.0).contains(&pct), "{pct}");
}

/// `sessions_active` goes 0 → 1 → 0 around a websocket session to the demo host, which
/// counts in `sessions_total{kind="websocket"}` and moves records and bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_active_follows_a_websocket_session() {
    let _turn = SERIAL.lock().await;
    let bridge = start(config_without_grace()).await;
    let before = until_active(bridge.addr, 0.0).await;
    let mut ws = ws_connect(bridge.addr).await;
    send_json(&mut ws, json!({"type": "hello"})).await;
    let session = next_json_after_records(&mut ws).await;
    assert_eq!(session["type"], "session", "{session}");
    // The demo host's logon screen arrives as a binary record.
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await.unwrap() {
            Some(Ok(Message::Binary(_))) => break,
            Some(Ok(_)) => continue,
            other => panic!("{other:?}"),
        }
    }
    let during = until_active(bridge.addr, 1.0).await;
    assert_eq!(
        value(
            &during,
            "web3270_sessions_active_by_kind",
            &[("kind", "web")]
        ),
        1.0
    );
    let started =
        |s: &BTreeMap<Key, f64>| value(s, "web3270_sessions_total", &[("kind", "websocket")]);
    assert_eq!(started(&during) - started(&before), 1.0);
    let moved =
        |s: &BTreeMap<Key, f64>, name: &str, dir: &str| value(s, name, &[("direction", dir)]);
    assert!(
        moved(&during, "web3270_records_total", "from_host")
            > moved(&before, "web3270_records_total", "from_host")
    );
    assert!(
        moved(&during, "web3270_bytes_total", "from_host")
            > moved(&before, "web3270_bytes_total", "from_host")
    );
    ws.close(None).await.unwrap();
    drop(ws);
    until_active(bridge.addr, 0.0).await;
}

/// A websocket asking for an endpoint that does not exist is refused and counted under
/// `refusals_total{listener="websocket",reason="unknown_endpoint"}`; one whose host is
/// down counts `host_unavailable` and `upstream_connect_failures_total{endpoint,code}`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_counted_by_reason() {
    let _turn = SERIAL.lock().await;
    let mut config = config_without_grace();
    // A port nobody listens on (reserved for the test).
    let closed_port = dead_port();
    let closed = closed_port.port;
    config
        .endpoints
        .push(Endpoint::host("down", "127.0.0.1", Some(closed)));
    // Health checks off: the session's own connect is what fails (and is counted), and the
    // endpoint is never checked.
    config.load_balancer.health_check_interval = Duration::ZERO;
    let bridge = start(config).await;
    let refusals = |s: &BTreeMap<Key, f64>, reason: &str| {
        value(
            s,
            "web3270_refusals_total",
            &[("listener", "websocket"), ("reason", reason)],
        )
    };
    let failures = |s: &BTreeMap<Key, f64>| {
        value(
            s,
            "web3270_upstream_connect_failures_total",
            &[("endpoint", "down"), ("code", "UPSTREAM_REFUSED")],
        )
    };
    let before = scrape(bridge.addr).await;
    for (endpoint, code) in [
        ("nope", "ENDPOINT_UNKNOWN"),
        ("down", "ENDPOINT_UNAVAILABLE"),
    ] {
        let mut ws = ws_connect(bridge.addr).await;
        send_json(&mut ws, json!({"type": "hello", "endpoint": endpoint})).await;
        let error = next_json_after_records(&mut ws).await;
        assert_eq!(error["code"], code, "{error}");
    }
    let after = scrape(bridge.addr).await;
    assert_eq!(
        refusals(&after, "unknown_endpoint") - refusals(&before, "unknown_endpoint"),
        1.0
    );
    assert_eq!(
        refusals(&after, "host_unavailable") - refusals(&before, "host_unavailable"),
        1.0
    );
    assert_eq!(failures(&after) - failures(&before), 1.0);
    // Never health-checked, but the failed connect marked it down (crate::pool).
    assert_eq!(
        after.get(&key("web3270_endpoint_up", &[("endpoint", "down")])),
        Some(&0.0)
    );
}

/// Requests are counted by method, route template and status; a path no route matches is
/// `unmatched`, never the raw path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_requests_are_counted_by_route_template() {
    let _turn = SERIAL.lock().await;
    let bridge = start(config_without_grace()).await;
    let endpoints = [
        ("method", "GET"),
        ("route", "/api/v1/endpoints"),
        ("status", "200"),
    ];
    let unmatched = [("method", "GET"), ("route", "unmatched"), ("status", "404")];
    let before = scrape(bridge.addr).await;
    for _ in 0..2 {
        assert_eq!(get(bridge.addr, "/api/v1/endpoints", &[]).await.status, 200);
    }
    assert_eq!(
        get(bridge.addr, "/api/v1/no-such-thing-42", &[])
            .await
            .status,
        404
    );
    let after = scrape(bridge.addr).await;
    let n = |s: &BTreeMap<Key, f64>, l: &[(&str, &str)]| value(s, "web3270_api_requests_total", l);
    assert_eq!(n(&after, &endpoints) - n(&before, &endpoints), 2.0);
    assert_eq!(n(&after, &unmatched) - n(&before, &unmatched), 1.0);
    assert!(
        !after
            .keys()
            .any(|(_, labels)| labels.iter().any(|(_, v)| v.contains("no-such-thing"))),
        "a raw path became a label"
    );
    // Three more observations in the latency histogram (plus the first scrape).
    let count = |s: &BTreeMap<Key, f64>| value(s, "web3270_api_request_duration_ms_count", &[]);
    assert_eq!(count(&after) - count(&before), 4.0);
}

/// `GET /api/v1/metrics` has the same families, types and figures as `/metrics`; the only
/// difference is the text scrape itself, counted once more in the JSON.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_metrics_carry_the_same_figures() {
    let _turn = SERIAL.lock().await;
    let bridge = start(config_without_grace()).await;
    bridge::metrics::audit_event("session_created");
    bridge::metrics::audit_event("no_such_event_type");
    let text = get(bridge.addr, "/metrics", &[]).await.body;
    let r = get(bridge.addr, "/api/v1/metrics", &[]).await;
    assert_eq!(r.status, 200);
    assert!(r.headers["content-type"].starts_with("application/json"));
    let (samples, types) = parse_prometheus(&text);
    let json: Value = serde_json::from_str(&r.body).unwrap();
    let families = json["metrics"].as_array().unwrap();
    let json_types: BTreeMap<String, String> = families
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_owned(),
                f["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(json_types, types);
    let mut json_samples = BTreeMap::new();
    for f in families {
        for s in f["samples"].as_array().unwrap() {
            let mut labels: Vec<(String, String)> = s["labels"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect();
            labels.sort();
            let v = s["value"].as_f64().unwrap();
            json_samples.insert((s["name"].as_str().unwrap().to_owned(), labels), v);
        }
    }
    let scrape_route = key(
        "web3270_api_requests_total",
        &[("method", "GET"), ("route", "/metrics"), ("status", "200")],
    );
    for (k, v) in &samples {
        let moving = [
            "web3270_memory_bytes",
            "web3270_cpu_seconds_total",
            "web3270_uptime_seconds",
            "web3270_audit_log_usage_percent",
        ]
        .contains(&k.0.as_str())
            || k.0.starts_with("web3270_api_request_duration_ms");
        if moving {
            assert!(json_samples.contains_key(k), "{k:?} missing in JSON");
        } else if *k == scrape_route {
            assert_eq!(json_samples[k], v + 1.0, "the text scrape is counted once");
        } else {
            assert_eq!(json_samples.get(k), Some(v), "{k:?}");
        }
    }
    assert!(
        value(
            &samples,
            "web3270_audit_events_total",
            &[("event_type", "session_created")]
        ) >= 1.0
    );
    assert!(
        value(
            &samples,
            "web3270_audit_events_total",
            &[("event_type", "other")]
        ) >= 1.0
    );
}

/// A native TN3270 client (s3270 reading actions from stdin) relayed to the demo host counts
/// in `sessions_active` (kind `native`) while connected, and in
/// `sessions_total{kind="native"}`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_active_counts_a_native_client() {
    use std::io::{BufRead, BufReader, Write};
    let _turn = SERIAL.lock().await;
    let mut config = config_without_grace();
    config.server.port = free_port();
    let tn3270 = config.server.port;
    let bridge = start(config).await;
    let before = until_active(bridge.addr, 0.0).await;
    let mut s3270 = std::process::Command::new("s3270")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("s3270 on PATH");
    let mut stdin = s3270.stdin.take().unwrap();
    let stdout = s3270.stdout.take().unwrap();
    // Each action answers its data lines, a status line and `ok` (or `error`).
    let answers = tokio::task::spawn_blocking(move || {
        writeln!(stdin, "Connect(127.0.0.1:{tn3270})").unwrap();
        writeln!(stdin, "Wait(15,InputField)").unwrap();
        stdin.flush().unwrap();
        let mut results = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if line == "ok" || line == "error" {
                results.push(line);
                if results.len() == 2 {
                    break;
                }
            }
        }
        (stdin, results)
    })
    .await
    .unwrap();
    let (stdin, results) = answers;
    assert_eq!(
        results,
        ["ok", "ok"],
        "s3270 connected and saw the logon screen"
    );
    let during = until_active(bridge.addr, 1.0).await;
    assert_eq!(
        value(
            &during,
            "web3270_sessions_active_by_kind",
            &[("kind", "native")]
        ),
        1.0
    );
    let started =
        |s: &BTreeMap<Key, f64>| value(s, "web3270_sessions_total", &[("kind", "native")]);
    assert_eq!(started(&during) - started(&before), 1.0);
    // s3270 exits at the end of its input: the connection closes.
    drop(stdin);
    let _ = tokio::task::spawn_blocking(move || s3270.wait()).await;
    until_active(bridge.addr, 0.0).await;
}
