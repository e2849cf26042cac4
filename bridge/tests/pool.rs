//! Endpoints as a pool (`bridge::pool`, docs/POOL.md) against `bridge::server::run` on
//! loopback: health checks, round robin, weighted, least connections, priority failover and
//! fail-fast, LU pools, runtime endpoints, and native s3270 clients through the same pool.
//!
//! The hosts are real TN3270 servers on loopback:
//! - [`Host`]: a recording host built on the core's host side (`HostConnection`, TN3270E with
//!   `DEVICE-TYPE` decisions by the test): it logs each LU asked for with TN3270E CONNECT,
//!   rejects the LUs it is told to (`DEVICE-TYPE REJECT DEVICE-IN-USE`, then closes the plain
//!   TN3270 fallback), and counts the inbound 3270 records it receives — what tells which host
//!   a session really reached (health probes negotiate and close, they never send a record);
//! - the built-in demo host (`builtin: demo`) for s3270, whose logon screen shows its LU;
//! - "down" hosts: a closed port, or a silent host that accepts TCP and never negotiates.
//!
//! Health checks run every second in these tests; waits are generous (polling up to
//! [`WAIT`]), and no test asserts a duration except "fails well before the connect timeout".
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bridge::config::{Builtin, Config, Endpoint, Strategy};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use support::*;
use tn3270::tn3270e::{
    DeviceName, DevicePolicy, Event, FunctionSet, HostConfig, HostConnection, ReasonCode,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

/// Health-check interval and timeout in these tests.
const CHECK: Duration = Duration::from_secs(1);

// ---------------------------------------------------------------------------------------
// A recording TN3270 host.

/// What a [`Host`] saw.
#[derive(Debug, Default)]
struct HostLog {
    /// LU names asked for with TN3270E `DEVICE-TYPE REQUEST ... CONNECT name`, in order.
    connect: Vec<String>,
    /// LU names asked for in plain TN3270 with `TERMINAL-TYPE IS TYPE@LU`, in order (a
    /// rejected one is not logged: the connection is closed).
    plain: Vec<String>,
    /// Inbound 3270 records received (from sessions; probes send none).
    records: usize,
}

/// A TN3270E host on 127.0.0.1 that logs what it receives; stopped (listener and every
/// connection closed) by [`Host::stop`] or on drop.
struct Host {
    port: u16,
    tn3270e: bool,
    reject: Vec<String>,
    log: Arc<Mutex<HostLog>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Host {
    /// Starts on a free port.
    async fn start() -> Host {
        Host::start_rejecting(&[]).await
    }

    /// Starts on a free port, rejecting the LUs in `reject`.
    async fn start_rejecting(reject: &[&str]) -> Host {
        Host::start_with(true, reject).await
    }

    /// Starts on a free port offering TN3270E (else plain TN3270 only), rejecting `reject`.
    async fn start_with(tn3270e: bool, reject: &[&str]) -> Host {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut host = Host {
            port: listener.local_addr().unwrap().port(),
            tn3270e,
            reject: reject.iter().map(|s| s.to_string()).collect(),
            log: Arc::default(),
            task: None,
        };
        host.serve(listener);
        host
    }

    fn serve(&mut self, listener: TcpListener) {
        let log = self.log.clone();
        let reject = self.reject.clone();
        let tn3270e = self.tn3270e;
        self.task = Some(tokio::spawn(async move {
            let mut conns = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                conns.spawn(host_connection(
                    stream,
                    tn3270e,
                    log.clone(),
                    reject.clone(),
                ));
            }
            // Dropping the JoinSet (when this task is aborted) closes every connection.
        }));
    }

    /// Closes the listener and every connection: the port refuses connections.
    async fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    /// Serves again on the same port (the log carries on).
    async fn restart(&mut self) {
        self.stop().await;
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.serve(listener);
    }

    fn records(&self) -> usize {
        self.log.lock().unwrap().records
    }

    fn connect_names(&self) -> Vec<String> {
        self.log.lock().unwrap().connect.clone()
    }

    fn plain_names(&self) -> Vec<String> {
        self.log.lock().unwrap().plain.clone()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// One connection: negotiate (TN3270E with no functions when `tn3270e`, else plain TN3270),
/// decide DEVICE-TYPE requests, log the LUs asked for, count records.
async fn host_connection(
    mut stream: TcpStream,
    tn3270e: bool,
    log: Arc<Mutex<HostLog>>,
    reject: Vec<String>,
) {
    let mut conn = HostConnection::new(HostConfig {
        tn3270e,
        functions: FunctionSet::EMPTY,
        start_tls: false,
        device_policy: DevicePolicy::Ask,
    });
    let mut buf = vec![0u8; 4096];
    // A DEVICE-TYPE REQUEST came (the `Device` event that follows is its answer).
    let mut requested = false;
    loop {
        let out = conn.take_output();
        if !out.is_empty() && stream.write_all(&out).await.is_err() {
            return;
        }
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        conn.feed(&buf[..n]);
        while let Some(event) = conn.poll_event() {
            match event {
                Event::DeviceRequested { name, .. } => match name {
                    DeviceName::Connect(lu) => {
                        log.lock().unwrap().connect.push(lu.clone());
                        if reject.contains(&lu) {
                            conn.reject_device(ReasonCode::DeviceInUse);
                        } else {
                            requested = true;
                            conn.accept_device(&lu);
                        }
                    }
                    DeviceName::None => {
                        requested = true;
                        conn.accept_device("HOSTLU");
                    }
                    DeviceName::Associate(_) => conn.reject_device(ReasonCode::InvAssociate),
                },
                // Plain TN3270 `TYPE@LU` (no DEVICE-TYPE REQUEST was answered): logged; a
                // rejected LU is refused by closing the connection.
                Event::Device { lu: Some(lu), .. } if !std::mem::take(&mut requested) => {
                    if reject.contains(&lu) {
                        return;
                    }
                    log.lock().unwrap().plain.push(lu);
                }
                Event::Record { .. } => log.lock().unwrap().records += 1,
                _ => {}
            }
        }
    }
}

/// A host that accepts TCP connections and never says a word.
async fn silent_host() -> (u16, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    (port, task)
}

// ---------------------------------------------------------------------------------------
// The bridge, its API and websocket sessions.

fn endpoint(name: &str, port: u16, priority: u32) -> Endpoint {
    let mut e = Endpoint::host(name, "127.0.0.1", Some(port));
    e.priority = priority;
    e.connect_timeout_seconds = Duration::from_secs(20);
    e
}

/// A configuration with `endpoints`, `strategy`, health checks every [`CHECK`], sessions
/// that end one second after their websocket closes.
fn config(endpoints: Vec<Endpoint>, strategy: Strategy) -> Config {
    let mut c = demo_config();
    c.endpoints = endpoints;
    c.server.port = free_port();
    c.load_balancer.strategy = strategy;
    c.load_balancer.health_check_interval = CHECK;
    c.load_balancer.health_check_timeout = CHECK;
    c.sessions.detach_grace_seconds = Duration::from_secs(1);
    c
}

/// One request to the API with an optional JSON `body`: (status, JSON body or `Null`).
async fn http(addr: SocketAddr, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let body = body.map(|b| b.to_string());
    let a = request(addr, method, path, &[], body.as_deref()).await;
    (
        a.status,
        serde_json::from_str(&a.body).unwrap_or(Value::Null),
    )
}

/// The endpoint `name` from `GET /api/v1/endpoints`.
async fn endpoint_json(bridge: &Bridge, name: &str) -> Value {
    let (status, list) = http(bridge.addr, "GET", "/api/v1/endpoints", None).await;
    assert_eq!(status, 200);
    list["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no endpoint {name} in {list}"))
}

/// Polls `GET /api/v1/endpoints` until endpoint `name` has `status`.
async fn wait_status(bridge: &Bridge, name: &str, status: &str) -> Value {
    let until = Instant::now() + WAIT;
    loop {
        let e = endpoint_json(bridge, name).await;
        if e["status"] == status {
            return e;
        }
        assert!(Instant::now() < until, "{name} never became {status}: {e}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls until `f` holds.
async fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let until = Instant::now() + WAIT;
    while !f() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A websocket session, or the refusal.
struct Session {
    ws: Ws,
    info: Value,
}

/// Opens a websocket session asking for `endpoint` (`None`: the default).
async fn open(bridge: &Bridge, endpoint: Option<&str>) -> Result<Session, (String, u16, String)> {
    let mut ws = ws_connect(bridge.addr).await;
    send_json(&mut ws, hello(endpoint)).await;
    let first = next_json_after_records(&mut ws).await;
    if first["type"] == "session" {
        return Ok(Session { ws, info: first });
    }
    assert_eq!(first["type"], "error", "{first}");
    let close = match tokio::time::timeout(WAIT, ws.next()).await.unwrap() {
        Some(Ok(Message::Close(Some(frame)))) => u16::from(frame.code),
        other => panic!("expected a close, got {other:?}"),
    };
    Err((
        first["code"].as_str().unwrap().to_owned(),
        close,
        first["message"].as_str().unwrap_or_default().to_owned(),
    ))
}

impl Session {
    /// The endpoint the bridge chose.
    fn endpoint(&self) -> &str {
        self.info["endpoint"].as_str().unwrap()
    }

    /// The LU the host connected the session to.
    fn lu(&self) -> Option<&str> {
        self.info["lu"].as_str()
    }

    /// The operator presses Enter: 3270-DATA (type byte 0x00), AID Enter X'7D', cursor
    /// address X'4040' (row 0, column 0): the host receives one inbound record.
    async fn enter(&mut self) {
        self.ws
            .send(Message::Binary(vec![0x00, 0x7d, 0x40, 0x40].into()))
            .await
            .unwrap();
    }

    /// Closes the websocket (the session ends after the 1 s detach grace).
    async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// Opens `n` default sessions, each pressing Enter once; waits until the hosts received
/// `n` records in all.
async fn spread(bridge: &Bridge, hosts: &[&Host], n: usize) -> Vec<Session> {
    let mut sessions = Vec::new();
    for _ in 0..n {
        let mut s = open(bridge, None).await.unwrap();
        s.enter().await;
        sessions.push(s);
    }
    wait_until("every Enter at a host", || {
        hosts.iter().map(|h| h.records()).sum::<usize>() == n
    })
    .await;
    sessions
}

// ---------------------------------------------------------------------------------------
// Health checks.

/// A host that stops is marked down (with the probe's error code) and the bridge's
/// readiness turns 503; started again on the same port it is marked up. The endpoint list
/// shows the guide's fields with real values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_checks_mark_a_stopped_host_down_and_a_restarted_one_up() {
    let mut host = Host::start().await;
    let bridge = start(config(
        vec![endpoint("a", host.port, 1)],
        Strategy::RoundRobin,
    ))
    .await;

    let up = wait_status(&bridge, "a", "up").await;
    assert_eq!(up["host"], "127.0.0.1");
    assert_eq!(up["port"], host.port);
    assert_eq!(up["active_sessions"], 0);
    assert!(up["latency_ms"].is_u64(), "{up}");
    let last_check = up["last_check"].as_str().unwrap();
    assert!(
        last_check.len() == 20 && last_check.ends_with('Z') && &last_check[10..11] == "T",
        "RFC 3339: {last_check}"
    );
    let (status, health) = http(bridge.addr, "GET", "/api/v1/health", None).await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));

    host.stop().await;
    let down = wait_status(&bridge, "a", "down").await;
    assert_eq!(down["last_error"], "UPSTREAM_REFUSED", "{down}");
    let (status, health) = http(bridge.addr, "GET", "/api/v1/health", None).await;
    assert_eq!(status, 503, "{health}");
    assert_eq!(health["status"], "unavailable");
    assert_eq!(health["endpoints"][0]["status"], "down");
    // Liveness does not depend on the hosts.
    let (status, _) = http(bridge.addr, "GET", "/api/v1/health/live", None).await;
    assert_eq!(status, 200);

    host.restart().await;
    let up = wait_status(&bridge, "a", "up").await;
    assert_eq!(up["last_error"], Value::Null);
    let (status, _) = http(bridge.addr, "GET", "/api/v1/health", None).await;
    assert_eq!(status, 200);
}

/// `GET /api/v1/endpoints/{id}/health` probes now: up with a latency while the host runs,
/// down with its code once it stopped; unknown ids are 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_on_demand_probes_now() {
    let mut host = Host::start().await;
    let mut cfg = config(vec![endpoint("a", host.port, 1)], Strategy::RoundRobin);
    // Timer checks far apart: what changes is this request's doing.
    cfg.load_balancer.health_check_interval = Duration::from_secs(3600);
    let bridge = start(cfg).await;
    let (status, h) = http(bridge.addr, "GET", "/api/v1/endpoints/a/health", None).await;
    assert_eq!(status, 200);
    assert_eq!(h["id"], "a");
    assert_eq!(h["status"], "up", "{h}");
    assert!(
        h["latency_ms"].is_u64() && h["response_time"].is_u64(),
        "{h}"
    );
    host.stop().await;
    let (_, h) = http(bridge.addr, "GET", "/api/v1/endpoints/a/health", None).await;
    assert_eq!(h["status"], "down", "{h}");
    assert_eq!(h["error"], "UPSTREAM_REFUSED");
    assert_eq!(h["latency_ms"], Value::Null);
    let (status, e) = http(bridge.addr, "GET", "/api/v1/endpoints/zz/health", None).await;
    assert_eq!(status, 404);
    assert_eq!(e["err"], "ENDPOINT_UNKNOWN");
}

// ---------------------------------------------------------------------------------------
// Strategies.

/// round_robin: 4 default sessions over 2 hosts land 2 and 2 — counted by the records each
/// host received, and by `active_sessions`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_robin_spreads_four_sessions_two_and_two() {
    let (a, b) = (Host::start().await, Host::start().await);
    let bridge = start(config(
        vec![endpoint("a", a.port, 1), endpoint("b", b.port, 1)],
        Strategy::RoundRobin,
    ))
    .await;
    let sessions = spread(&bridge, &[&a, &b], 4).await;
    assert_eq!((a.records(), b.records()), (2, 2));
    let on_a = sessions.iter().filter(|s| s.endpoint() == "a").count();
    assert_eq!(on_a, 2);
    assert_eq!(endpoint_json(&bridge, "a").await["active_sessions"], 2);
    assert_eq!(endpoint_json(&bridge, "b").await["active_sessions"], 2);
}

/// weighted 3:1: 8 sessions land 6 and 2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weighted_three_to_one() {
    let (a, b) = (Host::start().await, Host::start().await);
    let mut ea = endpoint("a", a.port, 1);
    ea.weight = 3;
    let bridge = start(config(
        vec![ea, endpoint("b", b.port, 1)],
        Strategy::Weighted,
    ))
    .await;
    let _sessions = spread(&bridge, &[&a, &b], 8).await;
    assert_eq!((a.records(), b.records()), (6, 2));
}

/// least_conn: with 2 sessions held on `a` (named explicitly), the next 2 default sessions
/// go to the empty `b`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn least_conn_fills_the_emptiest_host() {
    let (a, b) = (Host::start().await, Host::start().await);
    let bridge = start(config(
        vec![endpoint("a", a.port, 1), endpoint("b", b.port, 1)],
        Strategy::LeastConn,
    ))
    .await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = open(&bridge, Some("a")).await.unwrap();
        assert_eq!(s.endpoint(), "a");
        s.enter().await;
        held.push(s);
    }
    wait_until("2 records at a", || a.records() == 2).await;
    for _ in 0..2 {
        let mut s = open(&bridge, None).await.unwrap();
        assert_eq!(s.endpoint(), "b");
        s.enter().await;
        held.push(s);
    }
    wait_until("2 records at b", || b.records() == 2).await;
    assert_eq!(a.records(), 2);
}

// ---------------------------------------------------------------------------------------
// Failover.

/// Priority 1 stops: new sessions land on priority 2 (the first one fails over after its
/// connect is refused; later ones skip the host marked down); when priority 1 returns and
/// its checks pass, new sessions come back to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_to_priority_two_and_back() {
    let (mut primary, backup) = (Host::start().await, Host::start().await);
    let bridge = start(config(
        vec![
            endpoint("primary", primary.port, 1),
            endpoint("backup", backup.port, 2),
        ],
        Strategy::RoundRobin,
    ))
    .await;
    wait_status(&bridge, "primary", "up").await;
    let mut s = open(&bridge, None).await.unwrap();
    assert_eq!(s.endpoint(), "primary");
    s.enter().await;
    wait_until("a record at primary", || primary.records() == 1).await;

    primary.stop().await;
    // Perhaps before any probe noticed: the refused connect fails over.
    let mut s = open(&bridge, None).await.unwrap();
    assert_eq!(s.endpoint(), "backup");
    s.enter().await;
    wait_status(&bridge, "primary", "down").await;
    let mut s = open(&bridge, None).await.unwrap();
    assert_eq!(s.endpoint(), "backup");
    s.enter().await;
    wait_until("2 records at backup", || backup.records() == 2).await;

    primary.restart().await;
    wait_status(&bridge, "primary", "up").await;
    let mut s = open(&bridge, None).await.unwrap();
    assert_eq!(s.endpoint(), "primary");
    s.enter().await;
    wait_until("a second record at primary", || primary.records() == 2).await;
    assert_eq!(backup.records(), 2);
}

/// A failed session connect marks the endpoint suspect at once — still `up` by its checks
/// (one failure is below the threshold), but skipped: the next sessions go to the backup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_connect_marks_the_endpoint_suspect() {
    let (mut primary, backup) = (Host::start().await, Host::start().await);
    let mut cfg = config(
        vec![
            endpoint("primary", primary.port, 1),
            endpoint("backup", backup.port, 2),
        ],
        Strategy::RoundRobin,
    );
    // One probe at start, then none during the test.
    cfg.load_balancer.health_check_interval = Duration::from_secs(3600);
    let bridge = start(cfg).await;
    wait_status(&bridge, "primary", "up").await;
    primary.stop().await;
    let s = open(&bridge, None).await.unwrap();
    assert_eq!(s.endpoint(), "backup");
    let e = endpoint_json(&bridge, "primary").await;
    assert_eq!(
        (e["status"].as_str(), e["suspect"].as_bool()),
        (Some("up"), Some(true)),
        "{e}"
    );
    assert_eq!(e["last_error"], "UPSTREAM_REFUSED");
    let failovers = || async {
        http(bridge.addr, "GET", "/api/v1/endpoints", None).await.1["failovers_total"].clone()
    };
    assert_eq!(failovers().await, 1);
    let s = open(&bridge, None).await.unwrap();
    assert_eq!(s.endpoint(), "backup");
    // Skipping a suspect endpoint is no failover.
    assert_eq!(failovers().await, 1);
    // Not dialled again: still one failure.
    let e = endpoint_json(&bridge, "primary").await;
    assert_eq!(e["consecutive_failures"], 1);
    // Session failures are not health checks: one probe (at start), none failed.
    assert_eq!(
        (
            e["checks_total"].as_u64(),
            e["checks_failed_total"].as_u64()
        ),
        (Some(1), Some(0))
    );
}

/// Every endpoint down (one refuses, one accepts TCP and never negotiates): once the checks
/// marked them down a session is refused ENDPOINT_UNAVAILABLE (close 4502) at once — well
/// before the 20 s connect timeout — naming both endpoints.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_down_fails_fast_with_endpoint_unavailable() {
    let (silent, _silent_task) = silent_host().await;
    let refusing = dead_port();
    let bridge = start(config(
        vec![
            endpoint("refusing", refusing.port, 1),
            endpoint("silent", silent, 2),
        ],
        Strategy::RoundRobin,
    ))
    .await;
    wait_status(&bridge, "refusing", "down").await;
    let silent_down = wait_status(&bridge, "silent", "down").await;
    assert_eq!(silent_down["last_error"], "HEALTH_CHECK_TIMEOUT");
    let started = Instant::now();
    let (code, close, message) = open(&bridge, None).await.err().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "not fast");
    assert_eq!((code.as_str(), close), ("ENDPOINT_UNAVAILABLE", 4502));
    assert!(
        message.contains("refusing: ENDPOINT_DOWN") && message.contains("silent: ENDPOINT_DOWN"),
        "{message}"
    );
    // Naming one endpoint: refused the same way, never sent elsewhere.
    let (code, _, message) = open(&bridge, Some("silent")).await.err().unwrap();
    assert_eq!(code, "ENDPOINT_UNAVAILABLE");
    assert!(!message.contains("refusing"), "{message}");
}

/// A request naming one endpoint does not go elsewhere; naming its pool does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_endpoint_stays_a_named_pool_fails_over() {
    let backup = Host::start().await;
    let dead_port = dead_port();
    let mut dead = endpoint("dead", dead_port.port, 1);
    dead.pool = Some("prod".into());
    let mut live = endpoint("live", backup.port, 2);
    live.pool = Some("prod".into());
    let other = Host::start().await;
    let bridge = start(config(
        vec![dead, live, endpoint("other", other.port, 1)],
        Strategy::RoundRobin,
    ))
    .await;
    let (code, close, message) = open(&bridge, Some("dead")).await.err().unwrap();
    assert_eq!((code.as_str(), close), ("ENDPOINT_UNAVAILABLE", 4502));
    assert!(message.contains("dead"), "{message}");
    let s = open(&bridge, Some("prod")).await.unwrap();
    assert_eq!(s.endpoint(), "live");
    let (code, _, _) = open(&bridge, Some("nope")).await.err().unwrap();
    assert_eq!(code, "ENDPOINT_UNKNOWN");
}

// ---------------------------------------------------------------------------------------
// LU pools.

/// Two sessions get the two LUs (the host saw CONNECT LUA1, then LUA2), a third is refused
/// LU_POOL_EXHAUSTED (close 4503), and once the first session ends its LU is handed out
/// again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lu_pool_gives_each_session_its_own_lu() {
    let host = Host::start().await;
    let mut e = endpoint("a", host.port, 1);
    e.lu_names = vec!["LUA1".into(), "LUA2".into()];
    let bridge = start(config(vec![e], Strategy::RoundRobin)).await;
    let first = open(&bridge, None).await.unwrap();
    let second = open(&bridge, None).await.unwrap();
    assert_eq!((first.lu(), second.lu()), (Some("LUA1"), Some("LUA2")));
    assert_eq!(host.connect_names(), ["LUA1", "LUA2"]);
    let listed = endpoint_json(&bridge, "a").await;
    assert_eq!(
        listed["lu_pool"],
        json!({"size": 2, "in_use": ["LUA1", "LUA2"], "quarantined": []})
    );

    let (code, close, _) = open(&bridge, None).await.err().unwrap();
    assert_eq!((code.as_str(), close), ("LU_POOL_EXHAUSTED", 4503));
    assert_eq!(
        host.connect_names().len(),
        2,
        "no connect without a free LU"
    );

    first.close().await;
    let until = Instant::now() + WAIT;
    while endpoint_json(&bridge, "a").await["lu_pool"]["in_use"] != json!(["LUA2"]) {
        assert!(Instant::now() < until, "LUA1 never released");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let third = open(&bridge, None).await.unwrap();
    assert_eq!(third.lu(), Some("LUA1"));
    assert_eq!(host.connect_names(), ["LUA1", "LUA2", "LUA1"]);
    drop(second);
}

/// A plain TN3270 host (no TN3270E): the pool's LUs are asked for as `TYPE@LU`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_tn3270_hosts_get_the_lu_as_type_at_lu() {
    let host = Host::start_with(false, &[]).await;
    let mut e = endpoint("a", host.port, 1);
    e.lu_names = vec!["LUP1".into(), "LUP2".into()];
    let bridge = start(config(vec![e], Strategy::RoundRobin)).await;
    let first = open(&bridge, None).await.unwrap();
    let second = open(&bridge, None).await.unwrap();
    assert_eq!((first.lu(), second.lu()), (Some("LUP1"), Some("LUP2")));
    assert_eq!(host.plain_names(), ["LUP1", "LUP2"]);
    assert!(host.connect_names().is_empty());
}

/// The host rejects LUB1 (DEVICE-TYPE REJECT): the session gets LUB2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_lu_is_skipped_for_the_next() {
    let host = Host::start_rejecting(&["LUB1"]).await;
    let mut e = endpoint("a", host.port, 1);
    e.lu_names = vec!["LUB1".into(), "LUB2".into()];
    let bridge = start(config(vec![e], Strategy::RoundRobin)).await;
    let s = open(&bridge, None).await.unwrap();
    assert_eq!(s.lu(), Some("LUB2"));
    assert_eq!(host.connect_names(), ["LUB1", "LUB2"]);
    // The plain TN3270 fallback with TYPE@LUB1 was closed, not accepted.
    assert!(host.plain_names().is_empty());
    assert_eq!(
        endpoint_json(&bridge, "a").await["lu_pool"]["in_use"],
        json!(["LUB2"])
    );
}

/// An LU the host rejected is passed over by the next sessions while another LU is free
/// (quarantine), and tried again when it is the only one left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_lu_is_quarantined_while_others_are_free() {
    let host = Host::start_rejecting(&["LUQ1"]).await;
    let mut e = endpoint("a", host.port, 1);
    e.lu_names = vec!["LUQ1".into(), "LUQ2".into(), "LUQ3".into()];
    let bridge = start(config(vec![e], Strategy::RoundRobin)).await;
    let first = open(&bridge, None).await.unwrap();
    assert_eq!(first.lu(), Some("LUQ2"));
    assert_eq!(
        endpoint_json(&bridge, "a").await["lu_pool"]["quarantined"],
        json!(["LUQ1"])
    );
    // Without the quarantine the next session would ask for LUQ1 again first.
    let second = open(&bridge, None).await.unwrap();
    assert_eq!(second.lu(), Some("LUQ3"));
    assert_eq!(host.connect_names(), ["LUQ1", "LUQ2", "LUQ3"]);
    // Only LUQ1 is free: it is asked for again (the host may have freed it), and refused.
    let Err((code, _, _)) = open(&bridge, None).await else {
        panic!("a session with no free LU the host takes")
    };
    assert_eq!(code, "LU_POOL_EXHAUSTED");
    assert_eq!(host.connect_names(), ["LUQ1", "LUQ2", "LUQ3", "LUQ1"]);
    drop((first, second));
}

/// An explicitly named LU (a native client's `NAME:LU`, here through the library API)
/// bypasses the pool: the host is asked for it, it is marked in use so the pool hands out
/// the next LU, and a second request for it is refused LU_IN_USE.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_explicit_lu_bypasses_the_pool_and_is_marked_in_use() {
    use bridge::pool::{Pool, PoolRequest};
    use bridge::server::EndpointState;
    use bridge::upstream::UpstreamOptions;
    let host = Host::start().await;
    let mut e = endpoint("a", host.port, 1);
    e.lu_names = vec!["LUX1".into(), "LUX2".into()];
    let pool = Pool::new(
        &config(Vec::new(), Strategy::RoundRobin).load_balancer,
        vec![EndpointState::new(e, None)],
    );
    let options = |e: &EndpointState| UpstreamOptions::for_endpoint(&e.config);
    let explicit = PoolRequest {
        target: Some("a"),
        lu: Some("LUX1"),
    };
    let first = pool.connect(explicit, options).await.unwrap();
    assert_eq!(first.lease.lu(), Some("LUX1"));
    let second = pool.connect(PoolRequest::default(), options).await.unwrap();
    assert_eq!(second.lease.lu(), Some("LUX2"));
    assert_eq!(host.connect_names(), ["LUX1", "LUX2"]);
    let refused = pool.connect(explicit, options).await.unwrap_err();
    assert_eq!(refused.code(), "LU_IN_USE");
    let exhausted = pool
        .connect(PoolRequest::default(), options)
        .await
        .unwrap_err();
    assert_eq!(exhausted.code(), "LU_POOL_EXHAUSTED");
    drop(first);
    let again = pool.connect(PoolRequest::default(), options).await.unwrap();
    assert_eq!(again.lease.lu(), Some("LUX1"));
    assert_eq!(pool.get("a").unwrap().active_sessions(), 2);
    drop((second, again));
}

// ---------------------------------------------------------------------------------------
// Runtime endpoints.

/// `POST /api/v1/endpoints` adds a host: 201, listed, health-checked up, and sessions can
/// name it; a duplicate is 409, a bad host 400 naming the key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_added_at_run_time_is_checked_and_used() {
    let (a, b) = (Host::start().await, Host::start().await);
    let bridge = start(config(vec![endpoint("a", a.port, 1)], Strategy::RoundRobin)).await;
    let body = json!({"host": "127.0.0.1", "port": b.port, "name": "b"});
    let (status, added) = http(bridge.addr, "POST", "/api/v1/endpoints", Some(body.clone())).await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["id"], "b");
    assert_eq!(added["port"], b.port);
    wait_status(&bridge, "b", "up").await;
    let mut s = open(&bridge, Some("b")).await.unwrap();
    s.enter().await;
    wait_until("a record at b", || b.records() == 1).await;
    let (status, e) = http(bridge.addr, "POST", "/api/v1/endpoints", Some(body)).await;
    assert_eq!((status, e["err"].as_str()), (409, Some("ENDPOINT_EXISTS")));
    let bad = json!({"host": "http://x/", "port": 23, "name": "c"});
    let (status, e) = http(bridge.addr, "POST", "/api/v1/endpoints", Some(bad)).await;
    assert_eq!((status, e["err"].as_str()), (400, Some("INVALID_REQUEST")));
    assert!(
        e["message"].as_str().unwrap().contains("endpoint.host"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------
// Native clients.

/// s3270 naming pool `grp` through the bridge's TN3270 port: the priority-1 member is down,
/// so the session fails over to the built-in demo host and gets the pool's LU NATLU1 (the
/// demo's logon screen shows its LU). While the native session lives it counts in
/// `active_sessions` and holds the LU: a websocket session to the same pool is refused
/// LU_POOL_EXHAUSTED.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_s3270_goes_through_the_same_pool() {
    use web3270_tests::{Script, TestDir, S3270};
    let dead_port = dead_port();
    let mut dead = endpoint("dead", dead_port.port, 1);
    dead.pool = Some("grp".into());
    let mut demo = Endpoint::builtin("demo", Builtin::Demo);
    demo.priority = 2;
    demo.pool = Some("grp".into());
    demo.lu_names = vec!["NATLU1".into()];
    let bridge = start(config(vec![dead, demo], Strategy::RoundRobin)).await;
    let dir = TestDir::new("pool_native").unwrap();
    let target = format!("grp@{}", bridge.tn3270());

    let mut script = Script::new();
    script.connect(&target).wait_unlock(10);
    let screen = script.snapshot();
    let (dir, run) = tokio::task::spawn_blocking(move || {
        let run = S3270::new().run(&dir, "once", &script);
        (dir, run)
    })
    .await
    .unwrap();
    let run = run.unwrap();
    let screen = run.snapshot(screen).unwrap();
    assert!(screen.contains("LU NATLU1"), "{}", screen.text());

    let mut hold = Script::new();
    hold.connect(&target)
        .wait_unlock(10)
        .action("Wait(30,Seconds)");
    let holder = S3270::new().spawn(&dir, "holder", &hold).unwrap();
    let until = Instant::now() + WAIT;
    loop {
        let e = endpoint_json(&bridge, "demo").await;
        if e["active_sessions"] == 1 && e["lu_pool"]["in_use"] == json!(["NATLU1"]) {
            break;
        }
        assert!(
            Instant::now() < until,
            "the native session never counted: {e}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (code, close, _) = open(&bridge, Some("grp")).await.err().unwrap();
    assert_eq!((code.as_str(), close), ("LU_POOL_EXHAUSTED", 4503));
    drop(holder);
    let until = Instant::now() + WAIT;
    while endpoint_json(&bridge, "demo").await["active_sessions"] != 0 {
        assert!(Instant::now() < until, "the native session never ended");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
