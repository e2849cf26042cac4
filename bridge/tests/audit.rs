//! The audit log of `web3270 serve` (docs/SECURITY.md § Audit), end to end on loopback: a
//! browser logs on to the demo host through the websocket and the audit file holds
//! session_created, data_sent with the userid but never the password (the demo logon's
//! password field is non-display), session_suspended and session_closed; `GET /api/v1/audit`
//! filters; failed authentication is audited without the secret; an unwritable audit path
//! does not stop sessions; native TN3270 sessions (s3270) are audited.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod security_support;

use std::path::Path;
use std::time::Duration;

use bridge::config::{AuthType, Config, Secret};
use security_support::*;
use serde_json::{json, Value};
use tn3270::input::Key;

const TOKEN: &str = "audit-test-token-0123";
const PASSWORD: &str = "DEMO";

fn audited_config(log: &Path) -> Config {
    let mut config = demo_config();
    config.audit.enabled = Some(true);
    config.audit.log_path = Some(log.to_owned());
    config.authentication.enabled = true;
    config.authentication.kind = AuthType::Bearer;
    config.authentication.token = Some(Secret::new(TOKEN));
    config.sessions.detach_grace_seconds = Duration::from_millis(300);
    config
}

fn auth() -> String {
    format!("Bearer {TOKEN}")
}

/// Everything in the audit files of `log` (current and rotated).
fn raw_log(log: &Path) -> String {
    bridge::audit::writer::log_files(log)
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// Polls `GET /api/v1/audit?{query}` until `done` holds for its events.
async fn audit_until(
    addr: std::net::SocketAddr,
    query: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let r = get(
            addr,
            &format!("/api/v1/audit?{query}"),
            &[("Authorization", &auth())],
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let events = r.json()["events"].as_array().unwrap().clone();
        if done(&events) {
            return events;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "audit never satisfied {query}: {events:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn types(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logon_is_audited_with_the_userid_and_without_the_password() {
    let dir = scratch("audit-logon");
    let log = dir.join("audit.log");
    let bridge = start(audited_config(&log)).await;
    let a = bridge.addr;

    // The operator logs on: userid "zoe", Tab, password DEMO (a non-display field), Enter.
    let ws = ws_connect(a, "", &[]).await.unwrap();
    let mut b = Browser::attach(ws, hello(json!({"token": TOKEN}))).await;
    let id = b.session["session_id"].as_str().unwrap().to_owned();
    b.until_shows("Logon").await;
    b.type_and_send(&format!("zoe\t{PASSWORD}"), Key::Enter)
        .await;
    b.until_shows("Main menu").await;
    // The browser goes; the grace period (300 ms) ends the session.
    drop(b);

    let events = audit_until(a, &format!("session_id={id}"), |e| {
        types(e).contains(&"session_closed")
    })
    .await;
    let t = types(&events);
    assert_eq!(t.first(), Some(&"session_created"), "{t:?}");
    assert_eq!(t.last(), Some(&"session_closed"), "{t:?}");
    for expected in ["data_received", "data_sent", "session_suspended"] {
        assert!(t.contains(&expected), "{expected} missing from {t:?}");
    }
    // Every session event names the session, the user, the client and the endpoint.
    for e in &events {
        assert_eq!(e["session_id"], id);
        assert_eq!(e["user"], "bearer");
        assert_eq!(e["endpoint"], "demo");
        assert!(
            e["client"].as_str().unwrap().starts_with("127.0.0.1:"),
            "{e}"
        );
        assert!(e["timestamp"].as_str().unwrap().ends_with('Z'));
        assert!(e["timestamp_ms"].as_u64().unwrap() > 1_700_000_000_000);
    }
    assert_eq!(events[0]["details"]["channel"], "websocket");
    assert_eq!(events.last().unwrap()["details"]["code"], "DETACH_EXPIRED");

    // The logon record: AID, cursor, two fields; the userid in clear, the password redacted.
    let logon = events
        .iter()
        .find(|e| e["event_type"] == "data_sent" && e["details"]["aid"] == "ENTER")
        .unwrap();
    let fields = logon["details"]["fields"].as_array().unwrap();
    let userid = fields
        .iter()
        .find(|f| f["text"] == "zoe")
        .expect("the userid");
    assert_eq!(userid["row"], 10);
    let hidden: Vec<&Value> = fields.iter().filter(|f| f["redacted"] == true).collect();
    assert_eq!(hidden.len(), 1, "{fields:?}");
    assert_eq!(hidden[0]["text"], "[REDACTED]");
    assert_eq!(hidden[0]["row"], 11);
    assert_eq!(logon["details"]["field_count"], fields.len());

    // The password is nowhere in the audit file.
    let raw = raw_log(&log);
    assert!(raw.contains("\"zoe\""));
    // (The demo host's LU names start with DEMO too: look at what was typed, and at quoted
    // strings.)
    assert!(
        !raw.contains(&format!("\"{PASSWORD}\"")),
        "the password leaked into the audit log"
    );
    for line in raw.lines().filter(|l| l.contains("\"data_sent\"")) {
        assert!(
            !line.contains(PASSWORD),
            "the password leaked into the audit log: {line}"
        );
    }
    assert!(!raw.contains(TOKEN), "the token leaked into the audit log");
    // Each line is one JSON event.
    for line in raw.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert!(bridge::audit::EventType::parse(v["event_type"].as_str().unwrap()).is_some());
    }

    // Filters.
    let sent = audit_until(a, &format!("event_type=data_sent&session_id={id}"), |_| {
        true
    })
    .await;
    assert!(!sent.is_empty() && sent.iter().all(|e| e["event_type"] == "data_sent"));
    let r = get(
        a,
        &format!("/api/v1/audit?session_id={id}&limit=1"),
        &[("Authorization", &auth())],
    )
    .await;
    let page = r.json();
    assert_eq!(page["limit"], 1);
    assert_eq!(page["events"].as_array().unwrap().len(), 1);
    assert_eq!(
        page["events"][0]["event_type"], "session_closed",
        "the most recent"
    );
    assert_eq!(page["total"], events.len());
    let r = get(
        a,
        "/api/v1/audit?user=nobody",
        &[("Authorization", &auth())],
    )
    .await;
    assert_eq!(r.json()["total"], 0);
    let r = get(
        a,
        "/api/v1/audit?event_type=authentication_success&user=bearer",
        &[("Authorization", &auth())],
    )
    .await;
    assert!(r.json()["total"].as_u64().unwrap() >= 1);
    let after = events.last().unwrap()["timestamp_ms"].as_u64().unwrap() + 1;
    let r = get(
        a,
        &format!("/api/v1/audit?session_id={id}&since={after}"),
        &[("Authorization", &auth())],
    )
    .await;
    assert_eq!(r.json()["total"], 0);
    // Bad parameters and missing credentials.
    assert_eq!(
        get(
            a,
            "/api/v1/audit?event_type=data_send",
            &[("Authorization", &auth())]
        )
        .await
        .status,
        400
    );
    assert_eq!(
        get(a, "/api/v1/audit?limit=0", &[("Authorization", &auth())])
            .await
            .status,
        400
    );
    assert_eq!(
        get(
            a,
            "/api/v1/audit?since=yesterday",
            &[("Authorization", &auth())]
        )
        .await
        .status,
        400
    );
    assert_eq!(get(a, "/api/v1/audit", &[]).await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_authentication_is_audited_without_the_secret() {
    let dir = scratch("audit-authfail");
    let log = dir.join("audit.log");
    let bridge = start(audited_config(&log)).await;
    let a = bridge.addr;
    let guess = "my-guessed-secret-42";
    let r = get(
        a,
        "/api/v1/endpoints",
        &[("Authorization", &format!("Bearer {guess}"))],
    )
    .await;
    assert_eq!(r.status, 401);
    let mut ws = ws_connect(a, "", &[]).await.unwrap();
    send_json(&mut ws, hello(json!({"token": guess}))).await;
    expect_refusal(&mut ws, "UNAUTHORIZED", 4401).await;

    let events = audit_until(a, "event_type=authentication_failed", |e| e.len() >= 2).await;
    assert_eq!(events[0]["endpoint"], "/api/v1/endpoints");
    assert_eq!(
        events[0]["details"],
        json!({"reason": "invalid", "method": "bearer"})
    );
    assert_eq!(events[1]["endpoint"], "/ws");
    assert!(events[0]["client"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
    let raw = raw_log(&log);
    assert!(
        !raw.contains(guess),
        "a presented secret leaked into the audit log"
    );
    assert!(!raw.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_audit_path_does_not_stop_sessions() {
    // A path under a regular file can never be created.
    let dir = scratch("audit-unwritable");
    let blocker = dir.join("not-a-dir");
    std::fs::write(&blocker, "x").unwrap();
    let bridge = start(audited_config(&blocker.join("audit.log"))).await;
    let a = bridge.addr;

    let ws = ws_connect(a, "", &[]).await.unwrap();
    let mut b = Browser::attach(ws, hello(json!({"token": TOKEN}))).await;
    b.until_shows("Logon").await;
    b.type_and_send(&format!("zoe\t{PASSWORD}"), Key::Enter)
        .await;
    b.until_shows("Main menu").await;

    // The events were dropped and counted: the compliance report says so.
    let r = get(
        a,
        "/api/v1/compliance/report",
        &[("Authorization", &auth())],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let report = r.json();
    let complete = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "audit_complete")
        .unwrap();
    assert_eq!(complete["passed"], false, "{complete}");
    // The query finds nothing, and says so without failing.
    let r = get(a, "/api/v1/audit", &[("Authorization", &auth())]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_compliance_report_has_the_guides_shape() {
    let dir = scratch("audit-report");
    let bridge = start(audited_config(&dir.join("audit.log"))).await;
    let a = bridge.addr;
    let r = get(
        a,
        "/api/v1/compliance/report?framework=HIPAA&period=90",
        &[("Authorization", &auth())],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["framework"], "HIPAA");
    assert_eq!(v["period_days"], 90);
    assert!(v["generated_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["total_rules"], v["rules"].as_array().unwrap().len());
    // Auth and audit are on, HTTPS is not (critical? no: compliance.require_https is off).
    let failed: Vec<&str> = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["passed"] == false)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        failed.contains(&"https_enforced") && failed.contains(&"audit_retention"),
        "{failed:?}"
    );
    assert!(
        !failed.contains(&"authentication_enabled") && !failed.contains(&"audit_enabled"),
        "{failed:?}"
    );
    assert_eq!(v["violations"]["critical"], 0);
    let score = v["compliance_score"].as_u64().unwrap();
    assert!(score > 0 && score < 100, "{score}");
    assert_eq!(
        get(
            a,
            "/api/v1/compliance/report?period=7",
            &[("Authorization", &auth())]
        )
        .await
        .status,
        400
    );
    assert_eq!(
        get(
            a,
            "/api/v1/compliance/report?framework=ISO",
            &[("Authorization", &auth())]
        )
        .await
        .status,
        400
    );
    assert_eq!(get(a, "/api/v1/compliance/report", &[]).await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_tn3270_sessions_are_audited() {
    let dir = scratch("audit-native");
    let mut config = audited_config(&dir.join("audit.log"));
    config.server.port = free_port();
    let tn = config.server.port;
    let bridge = start(config).await;
    // s3270 connects to the bridge's TN3270 port (default endpoint: the demo host), waits for
    // the logon screen and disconnects.
    let out = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = std::process::Command::new("s3270")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let script = format!(
            "Connect(127.0.0.1:{tn})\nWait(10,InputField)\nAscii(0,0,1,10)\nDisconnect()\nQuit()\n"
        );
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("ok"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let events = audit_until(bridge.addr, "", |e| {
        e.iter()
            .any(|e| e["event_type"] == "session_closed" && e["details"]["channel"] == "native")
    })
    .await;
    let created = events
        .iter()
        .find(|e| e["event_type"] == "session_created")
        .unwrap();
    assert_eq!(created["details"]["channel"], "native");
    assert_eq!(created["endpoint"], "demo");
    assert!(created["session_id"]
        .as_str()
        .unwrap()
        .starts_with("native_"));
    assert!(created["client"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
    let closed = events
        .iter()
        .find(|e| e["event_type"] == "session_closed")
        .unwrap();
    assert_eq!(closed["session_id"], created["session_id"]);
}

/// `web3270 audit decrypt` opens sealed lines with the key from the environment.
#[test]
fn audit_decrypt_prints_the_plain_lines() {
    let dir = scratch("audit-decrypt");
    let path = dir.join("audit.log");
    let key = "42".repeat(32);
    let config = bridge::config::AuditConfig {
        enabled: Some(true),
        log_path: Some(path.clone()),
        encrypt_logs: true,
        ..Default::default()
    };
    let log = bridge::audit::AuditLog::start_with_key(
        &config,
        Some(bridge::audit::AuditKey::from_hex(&key).unwrap()),
    )
    .unwrap();
    log.record(
        bridge::audit::AuditLog::event(bridge::audit::EventType::SessionCreated)
            .session("sess_secret_id"),
    );
    let deadline = std::time::Instant::now() + WAIT;
    while log.counters().written < 1 {
        assert!(std::time::Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
    let sealed = std::fs::read_to_string(&path).unwrap();
    assert!(!sealed.contains("sess_secret_id"));
    let run = |key: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_web3270"))
            .args(["audit", "decrypt"])
            .arg(&path)
            .env("WEB3270_AUDIT_KEY", key)
            .env_remove("WEB3270_AUDIT_KEY_FILE")
            .output()
            .unwrap()
    };
    let out = run(&key);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plain: Value = serde_json::from_str(String::from_utf8(out.stdout).unwrap().trim()).unwrap();
    assert_eq!(plain["session_id"], "sess_secret_id");
    assert_eq!(plain["event_type"], "session_created");
    // Another key: each line is reported, exit code 1.
    let out = run(&"43".repeat(32));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not with this key"));
}

/// `encrypt_logs` without a key: `web3270 serve` refuses to start and says why.
#[test]
fn encrypt_logs_without_a_key_stops_the_start() {
    let dir = scratch("audit-nokey");
    let config = dir.join("server.yaml");
    std::fs::write(
        &config,
        format!(
            "server: {{ port: {}, api_port: {}, bind_address: 127.0.0.1 }}\n\
             endpoints:\n  - {{ name: demo, builtin: demo }}\n\
             audit:\n  log_path: {}\n  encrypt_logs: true\n",
            free_port(),
            free_port(),
            dir.join("audit.log").display()
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_web3270"))
        .args(["serve", "--config"])
        .arg(&config)
        .env_remove("WEB3270_AUDIT_KEY")
        .env_remove("WEB3270_AUDIT_KEY_FILE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("WEB3270_AUDIT_KEY"), "{err}");
    assert!(!dir.join("audit.log").exists());
}
