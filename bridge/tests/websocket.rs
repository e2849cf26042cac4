//! The browser's websocket (`GET /ws`, protocol `web3270.v1`, docs/WEBSOCKET.md) against
//! `bridge::server::run` with the demo configuration on loopback. The "browser" is the core's
//! record-mode `Terminal`, fed with the binary messages and answering through `poll_outbound`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use support::*;
use tn3270::input::Key;
use tn3270::tn3270e::DataType;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

/// `hello` resuming the session of `token`.
fn resume(token: &str) -> Value {
    let mut message = hello(Value::Null);
    message["resume"] = json!(token);
    message
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_logs_on_detaches_and_resumes_to_the_same_screen() {
    let bridge = start(demo_config()).await;
    let mut b = Browser::open(ws_connect(bridge.addr).await, hello(Value::Null)).await;
    // Session info: the default endpoint (the only one, "demo"), a session id and a token.
    assert_eq!(b.session["endpoint"], "demo");
    assert_eq!(b.session["model"], "3279-2-E");
    assert_eq!(b.session["tls"], false);
    assert!(b.session["session_id"]
        .as_str()
        .unwrap()
        .starts_with("sess_"));
    let token = b.session["resume_token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 32);

    // The demo host's Query arrives as binary 3270-DATA (WSF, Read Partition Query); the
    // browser's terminal answers it through the bridge; then the logon screen arrives.
    // Before it: the BIND-IMAGE (binary 0x03) and the LU-LU state (a status message).
    let bytes = loop {
        match next(&mut b.ws).await {
            Message::Binary(bytes) if bytes[0] == 0x00 => break bytes,
            Message::Binary(bytes) => {
                assert_eq!(bytes[0], 0x03, "BIND-IMAGE: {bytes:02x?}");
                b.term.feed_record(DataType::BindImage, &bytes[1..]);
            }
            Message::Text(t) => {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                assert_eq!(v["state"], "mode", "{v}");
                b.term.set_mode(mode_of(&v));
            }
            other => panic!("expected the Query, got {other:?}"),
        }
    };
    assert!(
        bytes[1] == 0x11 || bytes[1] == 0xF3,
        "WSF command: {bytes:02x?}"
    );
    b.term.feed_record(DataType::Data3270, &bytes[1..]);
    b.flush().await;
    b.until_shows("Logon").await;

    // Userid, Tab, password DEMO, Enter: the menu.
    b.type_and_send("zoe\tDEMO", Key::Enter).await;
    b.until_shows("Main menu").await;
    let menu = b.term.text_rows();

    // A ping is answered with its id.
    send_json(&mut b.ws, json!({"type": "ping", "id": 7})).await;
    let pong = next_json(&mut b.ws).await;
    assert_eq!(pong, json!({"type": "pong", "id": 7}));

    // Detach: drop the websocket. Resume with the token: same session, new token, same screen.
    drop(b);
    let mut ws = ws_connect(bridge.addr).await;
    send_json(&mut ws, resume(&token)).await;
    let session = next_json(&mut ws).await;
    assert_eq!(session["type"], "session", "{session}");
    assert_ne!(
        session["resume_token"],
        json!(token),
        "a new token on each attach"
    );
    let term = read_snapshot(&mut ws).await;
    assert_eq!(term.text_rows(), menu);

    // The used token is spent: a second resume with it fails.
    let mut again = ws_connect(bridge.addr).await;
    send_json(&mut again, resume(&token)).await;
    let err = next_json(&mut again).await;
    assert_eq!(err["code"], "RESUME_FAILED");
    expect_close(&mut again, 4410).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_endpoint_is_refused_with_its_code() {
    let bridge = start(demo_config()).await;
    let mut ws = ws_connect(bridge.addr).await;
    send_json(&mut ws, hello(json!("mainframe:23"))).await;
    let err = next_json(&mut ws).await;
    assert_eq!(err["type"], "error");
    assert_eq!(err["code"], "ENDPOINT_UNKNOWN");
    expect_close(&mut ws, 4404).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_record_is_refused_and_not_forwarded() {
    let bridge = start(demo_config()).await;
    let mut b = Browser::open(ws_connect(bridge.addr).await, hello(json!("demo"))).await;
    b.until_shows("Logon").await;
    // 0x00 (3270-DATA) + 0x01: no AID has code 0x01.
    b.ws.send(Message::Binary(vec![0x00, 0x01].into()))
        .await
        .unwrap();
    let err = next_json(&mut b.ws).await;
    assert_eq!(err["code"], "BAD_RECORD", "{err}");
    // 0x03 (BIND-IMAGE) may not come from a browser.
    b.ws.send(Message::Binary(vec![0x03, 0x31].into()))
        .await
        .unwrap();
    let err = next_json(&mut b.ws).await;
    assert_eq!(err["code"], "BAD_RECORD", "{err}");
    // The session goes on: the logon still works.
    b.type_and_send("ann\tDEMO", Key::Enter).await;
    b.until_shows("Main menu").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_subprotocol_is_refused() {
    let bridge = start(demo_config()).await;
    let Err(err) = ws_upgrade(bridge.addr, "", &[("Sec-WebSocket-Protocol", "chat")]).await else {
        panic!("a websocket without web3270.v1 was accepted")
    };
    let text = err.to_string();
    assert!(text.contains("400"), "{text}");
}

/// A page of another site cannot open the websocket (403 `ORIGIN_NOT_ALLOWED`, counted);
/// the bridge's own pages and the allow-listed portal can, and reach the demo host.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_of_other_origins_are_refused() {
    let mut config = demo_config();
    config.server.embed_allowed_origins = vec!["https://portal.example.com".into()];
    let bridge = start(config).await;
    let Err(err) = ws_upgrade(bridge.addr, "", &[("Origin", "https://evil.example")]).await else {
        panic!("a websocket from another origin was accepted")
    };
    let text = err.to_string();
    assert!(text.contains("403"), "{text}");
    for origin in [
        format!("http://{}", bridge.addr),
        "https://portal.example.com".into(),
    ] {
        let mut ws = ws_upgrade(bridge.addr, "", &[("Origin", &origin)])
            .await
            .unwrap();
        send_json(&mut ws, hello(Value::Null)).await;
        let session = next_json(&mut ws).await;
        assert_eq!(session["type"], "session", "{origin}: {session}");
    }
    let metrics = get(bridge.addr, "/metrics", &[]).await.body;
    assert!(
        metrics
            .contains("web3270_refusals_total{listener=\"http\",reason=\"origin_not_allowed\"} 1"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_past_the_limit_are_refused() {
    let mut config = demo_config();
    config.sessions.max_sessions = 1;
    let bridge = start(config).await;
    let mut first = Browser::open(ws_connect(bridge.addr).await, hello(Value::Null)).await;
    first.until_shows("Logon").await;
    // The API counts it.
    let endpoints = get(bridge.addr, "/api/v1/endpoints", &[]).await.json();
    assert_eq!(
        endpoints["endpoints"][0]["active_sessions"], 1,
        "{endpoints}"
    );
    let mut ws = ws_connect(bridge.addr).await;
    send_json(&mut ws, hello(Value::Null)).await;
    let err = next_json(&mut ws).await;
    assert_eq!(err["code"], "SESSION_LIMIT", "{err}");
    expect_close(&mut ws, 4429).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_limit_refuses_with_session_limit() {
    let mut config = demo_config();
    config.endpoints[0].max_sessions = Some(1);
    let bridge = start(config).await;
    let mut first = Browser::open(ws_connect(bridge.addr).await, hello(json!("demo"))).await;
    first.until_shows("Logon").await;
    let mut ws = ws_connect(bridge.addr).await;
    send_json(&mut ws, hello(json!("demo"))).await;
    let err = next_json(&mut ws).await;
    assert_eq!(err["code"], "SESSION_LIMIT", "{err}");
    assert!(err["message"].as_str().unwrap().contains("demo"), "{err}");
    expect_close(&mut ws, 4429).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_hello_is_refused() {
    let bridge = start(demo_config()).await;
    // Not JSON.
    let mut ws = ws_connect(bridge.addr).await;
    ws.send(Message::Text("hello?".into())).await.unwrap();
    let err = next_json(&mut ws).await;
    assert_eq!(err["code"], "BAD_HELLO", "{err}");
    expect_close(&mut ws, 4400).await;
    // A model s3270 would refuse.
    let mut ws = ws_connect(bridge.addr).await;
    send_json(&mut ws, json!({"type": "hello", "model": "3279-9"})).await;
    let err = next_json(&mut ws).await;
    assert_eq!(err["code"], "BAD_HELLO", "{err}");
    expect_close(&mut ws, 4400).await;
    // Binary first.
    let mut ws = ws_connect(bridge.addr).await;
    ws.send(Message::Binary(vec![0x00, 0x7d].into()))
        .await
        .unwrap();
    let err = next_json(&mut ws).await;
    assert_eq!(err["code"], "BAD_HELLO", "{err}");
    expect_close(&mut ws, 4400).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_closing_ends_the_session_with_a_status_and_4000() {
    // A demo host of its own (not the built-in one, which the bridge stops only after its
    // sessions ended): stopping it makes the host say goodbye and close.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let host = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(bridge::demo::serve(listener, async {
        let _ = stopped.await;
    }));
    let mut config = demo_config();
    config.endpoints = vec![bridge::config::Endpoint::host(
        "demo",
        "127.0.0.1",
        Some(host.port()),
    )];
    let bridge = start(config).await;
    let mut b = Browser::open(ws_connect(bridge.addr).await, hello(Value::Null)).await;
    b.until_shows("Logon").await;
    drop(stop);
    let status = b.end_status().await;
    assert_eq!(status["type"], "status");
    assert_eq!(status["state"], "host-closed", "{status}");
    assert_eq!(status["code"], "HOST_CLOSED");
    assert!(b
        .term
        .text_rows()
        .iter()
        .any(|r| r.contains("shutting down")));
    expect_close(&mut b.ws, 4000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_detached_session_ends_after_the_grace_period_and_frees_its_place() {
    let mut config = demo_config();
    config.sessions.max_sessions = 1;
    config.sessions.detach_grace_seconds = Duration::from_millis(300);
    let bridge = start(config).await;
    let mut b = Browser::open(ws_connect(bridge.addr).await, hello(Value::Null)).await;
    b.until_shows("Logon").await;
    let token = b.session["resume_token"].as_str().unwrap().to_owned();
    drop(b);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    // The token died with the session...
    let mut ws = ws_connect(bridge.addr).await;
    send_json(&mut ws, resume(&token)).await;
    let err = next_json(&mut ws).await;
    assert_eq!(err["code"], "RESUME_FAILED", "{err}");
    expect_close(&mut ws, 4410).await;
    // ...and its place under max_sessions = 1 is free again.
    let mut again = Browser::open(ws_connect(bridge.addr).await, hello(Value::Null)).await;
    again.until_shows("Logon").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attn_and_sysreq_reach_the_host() {
    let bridge = start(demo_config()).await;
    let mut b = Browser::open(ws_connect(bridge.addr).await, hello(Value::Null)).await;
    b.until_shows("Logon").await;
    send_json(&mut b.ws, json!({"type": "attn"})).await;
    b.until_shows("ATTN received. Nothing to interrupt.").await;
    send_json(&mut b.ws, json!({"type": "sysreq"})).await;
    b.until_shows("SYS REQ: this demo has no SSCP session")
        .await;
    // An unknown control message is refused; the session goes on.
    send_json(&mut b.ws, json!({"type": "reboot"})).await;
    let err = next_json(&mut b.ws).await;
    assert_eq!(err["code"], "BAD_MESSAGE", "{err}");
    send_json(&mut b.ws, json!({"type": "ping", "id": "x"})).await;
    assert_eq!(
        next_json(&mut b.ws).await,
        json!({"type": "pong", "id": "x"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_while_attached_takes_the_session_over() {
    let bridge = start(demo_config()).await;
    let mut first = Browser::open(ws_connect(bridge.addr).await, hello(Value::Null)).await;
    first.until_shows("Logon").await;
    let token = first.session["resume_token"].as_str().unwrap().to_owned();
    let mut second = Browser::open(ws_connect(bridge.addr).await, resume(&token)).await;
    assert_eq!(second.session["session_id"], first.session["session_id"]);
    second.until_shows("Logon").await;
    expect_close(&mut first.ws, 4009).await;
    // The new browser drives the session.
    second.type_and_send("bob\tDEMO", Key::Enter).await;
    second.until_shows("Main menu").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_past_the_configured_limit_closes_the_websocket() {
    let mut config = demo_config();
    config.buffers.websocket_max_message = 256;
    let bridge = start(config).await;
    let mut b = Browser::open(ws_connect(bridge.addr).await, hello(Value::Null)).await;
    b.until_shows("Logon").await;
    let mut big = vec![0x00, 0x7d, 0x40, 0x40];
    big.resize(1000, 0x40);
    b.ws.send(Message::Binary(big.into())).await.unwrap();
    // The server closes with 1009 (message too big) or drops the connection.
    let end = loop {
        match tokio::time::timeout(WAIT, b.ws.next()).await.unwrap() {
            Some(Ok(Message::Close(frame))) => break frame.map(|f| f.code),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => break None,
        }
    };
    if let Some(code) = end {
        assert_eq!(code, CloseCode::Size);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_ends_with_idle_timeout() {
    let mut config = demo_config();
    config.sessions.idle_timeout_seconds = Duration::from_millis(400);
    let bridge = start(config).await;
    let mut b = Browser::open(ws_connect(bridge.addr).await, hello(Value::Null)).await;
    b.until_shows("Logon").await;
    let status = b.end_status().await;
    assert_eq!(status["state"], "ended", "{status}");
    assert_eq!(status["code"], "IDLE_TIMEOUT");
    expect_close(&mut b.ws, 4000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_at_its_lifetime_even_when_busy() {
    let mut config = demo_config();
    config.sessions.timeout_seconds = Duration::from_millis(800);
    let bridge = start(config).await;
    let mut b = Browser::open(ws_connect(bridge.addr).await, hello(Value::Null)).await;
    b.until_shows("Logon").await;
    send_json(&mut b.ws, json!({"type": "attn"})).await;
    let status = b.end_status().await;
    assert_eq!(status["code"], "SESSION_TIMEOUT", "{status}");
    expect_close(&mut b.ws, 4000).await;
}

/// The next `warning` or `warning_cleared` message (records and mode changes skipped).
async fn next_warning(b: &mut Browser) -> Value {
    loop {
        let v = next_json_after_records(&mut b.ws).await;
        if v["type"] == "warning" || v["type"] == "warning_cleared" {
            return v;
        }
        assert_eq!(
            v["state"], "mode",
            "only mode changes before the warning: {v}"
        );
    }
}

/// Half-way into a 4 s idle timeout (`IDLE_WARNING` is at most half the timeout) the browser
/// is warned with the seconds left; an `activity` message (the user typing locally) clears it
/// and starts the timeout again without reaching the host; left alone, the next warning is
/// followed by the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_warning_comes_first_and_activity_keeps_the_session() {
    let mut config = demo_config();
    config.sessions.idle_timeout_seconds = Duration::from_secs(4);
    let bridge = start(config).await;
    let mut b = Browser::open(ws_connect(bridge.addr).await, hello(Value::Null)).await;
    b.until_shows("Logon").await;
    let warning = next_warning(&mut b).await;
    assert_eq!(warning["code"], "IDLE_TIMEOUT_SOON", "{warning}");
    // Half-way: 2 s left (1 when the timer fired late on a busy machine).
    let seconds = warning["seconds"].as_u64().unwrap();
    assert!((1..=2).contains(&seconds), "{warning}");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{seconds} s")),
        "{warning}"
    );
    let activity = std::time::Instant::now();
    send_json(&mut b.ws, json!({"type": "activity"})).await;
    let cleared = next_warning(&mut b).await;
    assert_eq!(
        cleared,
        json!({"type": "warning_cleared", "code": "IDLE_TIMEOUT_SOON"})
    );
    // The session lives on past the first deadline, warns again, then ends.
    let again = next_warning(&mut b).await;
    assert_eq!(again["code"], "IDLE_TIMEOUT_SOON", "{again}");
    // The bridge took the activity after it was sent: its new timeout warns 2 s later.
    assert!(
        activity.elapsed() >= Duration::from_millis(1900),
        "the timeout started again"
    );
    let status = b.end_status().await;
    assert_eq!(status["code"], "IDLE_TIMEOUT", "{status}");
    expect_close(&mut b.ws, 4000).await;
    // `activity` never reached the host: the logon screen is still unanswered.
    assert!(b.rows().iter().any(|r| r.contains("Logon")));
}

/// The lifetime warning comes once, before `SESSION_TIMEOUT`, whatever the user does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lifetime_warning_comes_before_the_session_timeout() {
    let mut config = demo_config();
    config.sessions.timeout_seconds = Duration::from_secs(2);
    let bridge = start(config).await;
    let mut b = Browser::open(ws_connect(bridge.addr).await, hello(Value::Null)).await;
    b.until_shows("Logon").await;
    let warning = next_warning(&mut b).await;
    assert_eq!(warning["code"], "SESSION_TIMEOUT_SOON", "{warning}");
    assert!(warning["seconds"].as_u64().unwrap() <= 1, "{warning}");
    send_json(&mut b.ws, json!({"type": "activity"})).await;
    let status = b.end_status().await;
    assert_eq!(status["code"], "SESSION_TIMEOUT", "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_message_names_the_endpoints_code_page() {
    // Two demo endpoints: one with `code_page: german` (canonical name cp273), one without.
    let mut config = demo_config();
    let mut german = config.endpoints[0].clone();
    german.name = "german".into();
    german.code_page = Some("german".into());
    config.endpoints.push(german);
    let bridge = start(config).await;
    let b = Browser::open(ws_connect(bridge.addr).await, hello(json!("german"))).await;
    assert_eq!(b.session["endpoint"], "german");
    assert_eq!(b.session["code_page"], "cp273", "{}", b.session);
    let b = Browser::open(ws_connect(bridge.addr).await, hello(json!("demo"))).await;
    assert_eq!(b.session["code_page"], Value::Null, "{}", b.session);
}
