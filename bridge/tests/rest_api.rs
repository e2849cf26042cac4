//! The REST sessions API (`/api/v1/sessions...`, docs/API.md) against `bridge::server::run`
//! on loopback, through the shared test `support` (its hand-written HTTP/1.1 client): headless sessions log on to
//! mainframe-mocker (`tests/hosts/logon.py`) and to the embedded demo host through the
//! screen and input routes, the screen text is compared with what s3270 (the oracle) shows
//! connecting to the same host directly, and every refusal answers the guide's error body
//! with its code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod openapi_support;
mod support;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use bridge::config::{AuthType, Builtin, Config, Endpoint, Secret};
use futures_util::StreamExt;
use openapi_support::{
    check_answer, instantiate, operations, resolve, routed_paths, METHODS, NOT_API,
};
use serde_json::{json, Value};
use support::{
    demo_config, mask_lu_names, next_json, request, send_json, start, venv_on_path, ws_connect, Ws,
    WAIT,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use web3270_tests::{MfMock, MfMockApp, MfMockOptions, Script, Snapshot, TestDir, S3270};

/// The demo configuration on free ports, plus `extra` endpoints.
fn config(extra: Vec<Endpoint>) -> Config {
    let mut config = demo_config();
    config.endpoints.extend(extra);
    config
}

/// An HTTP answer: status and JSON body (`Null` when empty).
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
    raw: String,
}

/// One HTTP/1.1 request with `Connection: close`; the answer's body parsed as JSON.
async fn http(addr: SocketAddr, method: &str, path: &str, body: Option<&str>) -> Answer {
    let raw = request(addr, method, path, &[], body).await;
    let body = if raw.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&raw.body).unwrap_or_else(|e| panic!("{e}: {}", raw.body))
    };
    Answer {
        status: raw.status,
        body,
        raw: raw.body,
    }
}

async fn post(addr: SocketAddr, path: &str, body: Value) -> Answer {
    http(addr, "POST", path, Some(&body.to_string())).await
}

async fn get(addr: SocketAddr, path: &str) -> Answer {
    http(addr, "GET", path, None).await
}

/// Asserts the guide's error body with `status` and `code`.
fn assert_error(a: &Answer, status: u16, code: &str) {
    assert_eq!(a.status, status, "{a:?}");
    assert_eq!(a.body["err"], code, "{a:?}");
    assert_eq!(a.body["status"], status, "{a:?}");
    assert!(!a.body["message"].as_str().unwrap().is_empty(), "{a:?}");
}

/// Creates a headless session; asserts 201 and returns its id.
async fn create(addr: SocketAddr, body: Value) -> String {
    let a = post(addr, "/api/v1/sessions", body).await;
    assert_eq!(a.status, 201, "{a:?}");
    assert_eq!(a.body["status"], "connected");
    assert_eq!(a.body["kind"], "api");
    let id = a.body["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("sess_"), "{id}");
    id
}

/// Polls the screen until it is unlocked and shows `needle`.
async fn screen_showing(addr: SocketAddr, id: &str, needle: &str) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let a = get(addr, &format!("/api/v1/sessions/{id}/screen")).await;
        assert_eq!(a.status, 200, "{a:?}");
        let content = a.body["screen_data"]["content"].as_str().unwrap();
        if content.contains(needle) && a.body["keyboard_locked"] == false {
            return a.body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no {needle:?} on {content}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The screen's rows, the LU name mfmock assigns masked.
fn rest_rows(screen: &Value) -> Vec<String> {
    let content = screen["screen_data"]["content"].as_str().unwrap();
    mask_lu_names(&content.split('\n').map(str::to_owned).collect::<Vec<_>>())
}

fn cursor(screen: &Value) -> (usize, usize) {
    (
        screen["cursor_row"].as_u64().unwrap() as usize,
        screen["cursor_col"].as_u64().unwrap() as usize,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logon_on_mainframe_mocker_shows_what_s3270_shows() {
    venv_on_path();
    let dir = TestDir::new("rest-api-logon").unwrap();
    let host = MfMock::start(&dir, &MfMockApp::Logon, &MfMockOptions::default()).unwrap();

    // The oracle: s3270 straight to the host, the same keystrokes.
    let mut script = Script::new();
    script.connect(&host.address()).wait_unlock(10);
    let signon = script.snapshot();
    script
        .string("alice")
        .tab()
        .string("web3270")
        .tab()
        .string("0042")
        .enter()
        .wait_unlock(10);
    let menu = script.snapshot();
    let oracle_dir = TestDir::new("rest-api-logon-s3270").unwrap();
    let run = tokio::task::spawn_blocking(move || {
        S3270::new().run(&oracle_dir, "direct", &script).unwrap()
    })
    .await
    .unwrap();
    let (d_signon, d_menu): (Snapshot, Snapshot) =
        (run.snapshot(signon).unwrap(), run.snapshot(menu).unwrap());
    assert!(d_signon.contains("USERID"), "{}", d_signon.text());

    // The REST API, through the bridge, naming the host by its address.
    let bridge = start(config(vec![Endpoint::host(
        "mock",
        "127.0.0.1",
        Some(host.port),
    )]))
    .await;
    let id = create(
        bridge.addr,
        json!({"host": "127.0.0.1", "port": host.port, "user": "alice", "application": "LOGON"}),
    )
    .await;
    let one = get(bridge.addr, &format!("/api/v1/sessions/{id}")).await;
    assert_eq!(one.body["endpoint"], "mock");
    assert_eq!(one.body["host"], "127.0.0.1");
    assert_eq!(one.body["port"], host.port);
    assert_eq!(one.body["user"], "alice");
    assert_eq!(one.body["application"], "LOGON");
    let client_address = one.body["client_address"].as_str().unwrap_or_default();
    assert!(client_address.starts_with("127.0.0.1:"), "{}", one.body);

    let screen = screen_showing(bridge.addr, &id, "USERID").await;
    assert_eq!(screen["session_id"], id.as_str());
    // Both use the default model, 3279-4-E: 43 rows.
    assert_eq!(screen["screen_data"]["rows"], d_signon.rows.len());
    assert_eq!(screen["screen_data"]["rows"], 43);
    assert_eq!(screen["screen_data"]["cols"], 80);
    assert_eq!(rest_rows(&screen), mask_lu_names(&d_signon.rows));
    assert_eq!(cursor(&screen), d_signon.cursor);
    // The userid field (the app's row 8, column 25, counted from 1): unprotected, 8 long,
    // green underscored, where the cursor starts; the password field is hidden.
    let fields = screen["fields"].as_array().unwrap();
    let at = |row: u64, col: u64| {
        fields
            .iter()
            .find(|f| (f["row"].as_u64(), f["col"].as_u64()) == (Some(row), Some(col)))
            .unwrap_or_else(|| panic!("no field at {row},{col}: {fields:?}"))
    };
    let userid = at(7, 24);
    assert_eq!(userid["protected"], false);
    assert_eq!(userid["length"], 8);
    assert_eq!(userid["color"], "green");
    assert_eq!(userid["highlight"], "underscore");
    assert_eq!(cursor(&screen), (7, 24));
    assert_eq!(at(9, 24)["hidden"], true);
    assert_eq!(at(11, 24)["numeric"], true);

    let actions = json!({"actions": [
        "String(\"alice\")", "Tab()", "String(\"web3270\")", "Tab()", "String(\"0042\")", "Enter()"
    ]});
    let a = post(
        bridge.addr,
        &format!("/api/v1/sessions/{id}/input?wait=unlock&timeout=20"),
        actions,
    )
    .await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.body["keyboard_locked"], false);
    let menu_rows = rest_rows(&a.body);
    assert_eq!(menu_rows[3].trim(), "WELCOME ALICE", "{menu_rows:#?}");
    assert_eq!(menu_rows, mask_lu_names(&d_menu.rows));
    assert_eq!(cursor(&a.body), d_menu.cursor);

    // The host received the logon the API typed (and answered the Query itself).
    let received: Vec<Vec<u8>> = host
        .records()
        .into_iter()
        .filter(|r| r.direction == web3270_tests::trace::Direction::ToHost)
        .map(|r| r.bytes)
        .collect();
    assert!(
        received
            .iter()
            // AID X'88' (structured field) first, after the 5-byte TN3270E header.
            .any(|r| r.first() == Some(&0x88) || r.get(5) == Some(&0x88)),
        "no Query Reply (X'88') reached the host: {received:x?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_host_with_the_guides_input_shape() {
    let bridge = start(config(vec![])).await;
    // The built-in demo host by its listed address.
    let endpoints = get(bridge.addr, "/api/v1/endpoints").await;
    let port = endpoints.body["endpoints"][0]["port"].as_u64().unwrap();
    let id = create(
        bridge.addr,
        json!({"host": "builtin:demo", "port": port, "model": "3279-4-E"}),
    )
    .await;
    let screen = screen_showing(bridge.addr, &id, "Logon").await;
    assert_eq!(screen["alarm"], false);
    let one = get(bridge.addr, &format!("/api/v1/sessions/{id}")).await;
    assert_eq!(one.body["model"], "3279-4-E");
    assert_eq!(one.body["endpoint"], "demo");

    let a = post(
        bridge.addr,
        &format!("/api/v1/sessions/{id}/input"),
        json!({"input": "zoe\tDEMO", "function_key": "ENTER"}),
    )
    .await;
    assert_eq!(a.status, 202, "{a:?}");
    assert_eq!(a.body["session_id"], id.as_str());
    assert_eq!(a.body["actions"], 2);
    let menu = screen_showing(bridge.addr, &id, "Main menu").await;
    assert!(
        menu["screen_data"]["content"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("zoe"),
        "{menu}"
    );

    // PF keys from the guide's names and in action syntax; an unprotected field has text.
    let a = post(
        bridge.addr,
        &format!("/api/v1/sessions/{id}/input?wait=unlock"),
        json!({"actions": ["PF(3)"]}),
    )
    .await;
    assert_eq!(a.status, 200, "{a:?}");
    assert!(
        a.body["screen_data"]["content"]
            .as_str()
            .unwrap()
            .contains("Logon"),
        "{}",
        a.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_field_text_is_never_returned() {
    let bridge = start(config(vec![])).await;
    let id = create(bridge.addr, json!({"endpoint": "demo"})).await;
    screen_showing(bridge.addr, &id, "Logon").await;
    let a = post(
        bridge.addr,
        &format!("/api/v1/sessions/{id}/input"),
        json!({"actions": ["String(\"zoe\")", "Tab()", "String(\"sekr3tpw\")"]}),
    )
    .await;
    assert_eq!(a.status, 202, "{a:?}");
    let screen = get(bridge.addr, &format!("/api/v1/sessions/{id}/screen")).await;
    assert!(!screen.raw.contains("sekr3tpw"), "{}", screen.raw);
    let fields = screen.body["fields"].as_array().unwrap();
    let hidden: Vec<&Value> = fields.iter().filter(|f| f["hidden"] == true).collect();
    assert_eq!(hidden.len(), 1, "{fields:?}");
    // The password was typed there (its MDT is on), and its text is withheld.
    assert_eq!(hidden[0]["modified"], true);
    assert_eq!(hidden[0]["text"], Value::Null);
    // The userid field shows what was typed.
    assert!(
        fields
            .iter()
            .any(|f| f["text"].as_str().is_some_and(|t| t.starts_with("zoe"))),
        "{fields:?}"
    );
}

/// Opens a websocket session on the default endpoint; returns the socket and the id.
async fn websocket_session(addr: SocketAddr) -> (Ws, String) {
    let mut ws = ws_connect(addr).await;
    send_json(&mut ws, json!({"type": "hello"})).await;
    let session = next_json(&mut ws).await;
    let id = session["session_id"].as_str().unwrap().to_owned();
    (ws, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_filters_pages_and_delete() {
    let bridge = start(config(vec![])).await;
    let addr = bridge.addr;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(create(addr, json!({"endpoint": "demo"})).await);
    }
    let (mut ws, ws_id) = websocket_session(addr).await;

    let all = get(addr, "/api/v1/sessions").await;
    assert_eq!(all.status, 200);
    assert_eq!(all.body["total"], 4);
    assert_eq!(all.body["limit"], 100);
    assert_eq!(all.body["offset"], 0);
    let listed: Vec<&str> = all.body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
    expected.push(&ws_id);
    assert_eq!(listed, expected, "oldest first");
    let browser = &all.body["sessions"][3];
    assert_eq!(browser["kind"], "websocket");
    assert_eq!(browser["status"], "attached");
    assert_eq!(browser["endpoint"], "demo");
    assert_eq!(browser["host"], "builtin:demo");
    let browser_address = browser["client_address"].as_str().unwrap_or_default();
    assert!(browser_address.starts_with("127.0.0.1:"), "{browser}");
    assert!(browser["created_at"].as_str().unwrap().ends_with('Z'));

    let page = get(addr, "/api/v1/sessions?limit=2&offset=1").await;
    assert_eq!(page.body["total"], 4);
    let paged: Vec<&str> = page.body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(paged, vec![ids[1].as_str(), ids[2].as_str()]);
    assert_eq!(
        get(addr, "/api/v1/sessions?kind=api").await.body["total"],
        3
    );
    assert_eq!(
        get(addr, "/api/v1/sessions?status=attached").await.body["total"],
        1
    );
    assert_eq!(
        get(addr, "/api/v1/sessions?status=connected").await.body["total"],
        3
    );
    assert_eq!(
        get(addr, "/api/v1/sessions?endpoint=demo").await.body["total"],
        4
    );
    assert_eq!(
        get(addr, "/api/v1/sessions?endpoint=other").await.body["total"],
        0
    );
    assert_error(
        &get(addr, "/api/v1/sessions?limit=0").await,
        400,
        "INVALID_REQUEST",
    );
    assert_error(
        &get(addr, "/api/v1/sessions?limit=x").await,
        400,
        "INVALID_REQUEST",
    );
    assert_error(
        &get(addr, "/api/v1/sessions?status=gone").await,
        400,
        "INVALID_REQUEST",
    );

    // The browser's session: its screen can be read, not typed into.
    screen_showing(addr, &ws_id, "Logon").await;
    let a = post(
        addr,
        &format!("/api/v1/sessions/{ws_id}/input"),
        json!({"function_key": "ENTER"}),
    )
    .await;
    assert_error(&a, 409, "NOT_HEADLESS");

    // DELETE an API session: 204, then it is gone everywhere.
    let a = http(
        addr,
        "DELETE",
        &format!("/api/v1/sessions/{}", ids[0]),
        None,
    )
    .await;
    assert_eq!(a.status, 204, "{a:?}");
    assert_error(
        &get(addr, &format!("/api/v1/sessions/{}", ids[0])).await,
        404,
        "SESSION_NOT_FOUND",
    );
    assert_error(
        &get(addr, &format!("/api/v1/sessions/{}/screen", ids[0])).await,
        404,
        "SESSION_NOT_FOUND",
    );
    assert_error(
        &post(
            addr,
            &format!("/api/v1/sessions/{}/input", ids[0]),
            json!({"input": "x"}),
        )
        .await,
        404,
        "SESSION_NOT_FOUND",
    );
    assert_error(
        &http(
            addr,
            "DELETE",
            &format!("/api/v1/sessions/{}", ids[0]),
            None,
        )
        .await,
        404,
        "SESSION_NOT_FOUND",
    );
    assert_eq!(get(addr, "/api/v1/sessions").await.body["total"], 3);

    // DELETE the browser's session: the browser hears it ended, with close code 4000.
    let a = http(addr, "DELETE", &format!("/api/v1/sessions/{ws_id}"), None).await;
    assert_eq!(a.status, 204, "{a:?}");
    let mut ended = None;
    let mut close = None;
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(WAIT, ws.next()).await {
        match msg {
            Message::Text(t) => {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v["state"] == "ended" {
                    ended = Some(v);
                }
            }
            Message::Close(frame) => {
                close = frame.map(|f| f.code);
                break;
            }
            _ => {}
        }
    }
    assert_eq!(ended.unwrap()["code"], "SESSION_DELETED");
    assert_eq!(close, Some(CloseCode::from(4000)));
    assert_eq!(get(addr, "/api/v1/sessions").await.body["total"], 2);
}

/// A host that negotiates plain TN3270, sends `first_write` (if any) once in 3270 mode, and
/// then never writes again: without a first write the keyboard never unlocks.
async fn scripted_host(first_write: Option<&'static [u8]>) -> u16 {
    use tn3270::tn3270e::{DataType, DevicePolicy, Event, FunctionSet, HostConfig, HostConnection};
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut conn = HostConnection::new(HostConfig {
                    tn3270e: false,
                    functions: FunctionSet::S3270,
                    start_tls: false,
                    device_policy: DevicePolicy::Accept {
                        default_lu: "SILENT01".into(),
                    },
                });
                let mut first_write = first_write;
                let mut buf = [0u8; 4096];
                loop {
                    let out = conn.pending_output().to_vec();
                    if !out.is_empty() {
                        if sock.write_all(&out).await.is_err() {
                            return;
                        }
                        conn.consume_output(out.len());
                    }
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            conn.feed(&buf[..n]);
                        }
                    }
                    while let Some(ev) = conn.poll_event() {
                        if matches!(ev, Event::ModeChanged(m) if m.is_3270()) {
                            if let Some(record) = first_write.take() {
                                conn.send_record(DataType::Data3270, record).unwrap();
                            }
                        }
                    }
                }
            });
        }
    });
    port
}

/// A host that negotiates TN3270 and then never writes: the keyboard never unlocks.
async fn silent_host() -> u16 {
    scripted_host(None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screen_text_uses_the_endpoints_code_page() {
    // Erase/Write, WCC restore keyboard + reset MDT, SBA row 0 col 0, then four bytes that
    // CP037 shows as "¢!@{" and CP273 (German) as "ÄÜ§ä".
    const WRITE: &[u8] = &[
        0xF5, // Erase/Write
        0xC3, // WCC: keyboard restore, reset MDT
        0x11, 0x40, 0x40, // SBA to address 0
        0x4A, 0x5A, 0x7C, 0xC0, // text
    ];
    let port = scripted_host(Some(WRITE)).await;
    let mut german = Endpoint::host("german", "127.0.0.1", Some(port));
    german.code_page = Some("german".into());
    let us = Endpoint::host("us", "127.0.0.1", Some(port));
    let bridge = start(config(vec![german, us])).await;
    let id = create(bridge.addr, json!({"endpoint": "german"})).await;
    let screen = screen_showing(bridge.addr, &id, "ÄÜ§ä").await;
    assert!(screen["screen_data"]["content"]
        .as_str()
        .unwrap()
        .starts_with("ÄÜ§ä "));
    let id = create(bridge.addr, json!({"endpoint": "us"})).await;
    screen_showing(bridge.addr, &id, "¢!@{").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_unlock_times_out_with_504() {
    let port = silent_host().await;
    let bridge = start(config(vec![Endpoint::host(
        "silent",
        "127.0.0.1",
        Some(port),
    )]))
    .await;
    let id = create(bridge.addr, json!({"endpoint": "silent"})).await;
    let screen = get(bridge.addr, &format!("/api/v1/sessions/{id}/screen")).await;
    assert_eq!(screen.body["keyboard_locked"], true);
    assert_eq!(screen.body["lock_reason"], "awaiting-first-write");
    let a = post(
        bridge.addr,
        &format!("/api/v1/sessions/{id}/input?wait=unlock&timeout=1"),
        json!({"input": "x"}),
    )
    .await;
    assert_error(&a, 504, "WAIT_TIMEOUT");
    // Bad wait parameters.
    let path = format!("/api/v1/sessions/{id}/input");
    assert_error(
        &post(
            bridge.addr,
            &format!("{path}?wait=forever"),
            json!({"input": "x"}),
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    assert_error(
        &post(
            bridge.addr,
            &format!("{path}?wait=unlock&timeout=0"),
            json!({"input": "x"}),
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    assert_error(
        &post(
            bridge.addr,
            &format!("{path}?wait=unlock&timeout=301"),
            json!({"input": "x"}),
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_answer_the_guides_error_body() {
    // A closed port for "down"; max_sessions 2 for the limit.
    let down_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut cfg = config(vec![Endpoint::host("down", "127.0.0.1", Some(down_port))]);
    cfg.sessions.max_sessions = 2;
    let bridge = start(cfg).await;
    let addr = bridge.addr;
    let create_path = "/api/v1/sessions";

    let a = post(addr, create_path, json!({"endpoint": "nope"})).await;
    assert_error(&a, 400, "INVALID_REQUEST");
    assert!(a.body["message"].as_str().unwrap().contains("nope"));
    let a = post(addr, create_path, json!({"host": "10.1.2.3", "port": 23})).await;
    assert_error(&a, 403, "ENDPOINT_NOT_ALLOWED");
    let a = post(
        addr,
        create_path,
        json!({"host": "127.0.0.1", "port": down_port + 1}),
    )
    .await;
    assert_error(&a, 403, "ENDPOINT_NOT_ALLOWED");
    assert_error(
        &post(addr, create_path, json!({"port": 23})).await,
        400,
        "INVALID_REQUEST",
    );
    assert_error(
        &post(
            addr,
            create_path,
            json!({"endpoint": "demo", "host": "127.0.0.1"}),
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    assert_error(
        &post(
            addr,
            create_path,
            json!({"endpoint": "demo", "model": "3279-9"}),
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    let a = http(addr, "POST", create_path, Some("{\"endpoint\": ")).await;
    assert_error(&a, 400, "INVALID_REQUEST");
    assert!(
        a.body["message"].as_str().unwrap().contains("body"),
        "{a:?}"
    );
    assert_error(
        &post(addr, create_path, json!({"endpoint": 7})).await,
        400,
        "INVALID_REQUEST",
    );
    let a = post(addr, create_path, json!({"endpoint": "down"})).await;
    assert_error(&a, 503, "ENDPOINT_UNAVAILABLE");

    // Input errors on a live session.
    let id = create(addr, json!({})).await;
    let screen = screen_showing(addr, &id, "Logon").await;
    let input = format!("/api/v1/sessions/{id}/input");
    let a = post(addr, &input, json!({"actions": ["Home()", "Bogus(1)"]})).await;
    assert_error(&a, 400, "INVALID_REQUEST");
    assert_eq!(a.body["action_index"], 1);
    assert_eq!(a.body["action"], "Bogus");
    let a = post(addr, &input, json!({"actions": ["String(\"abc"]})).await;
    assert_error(&a, 400, "INVALID_REQUEST");
    assert_eq!(a.body["action_index"], 0);
    assert_error(&post(addr, &input, json!({})).await, 400, "INVALID_REQUEST");
    assert_error(
        &post(addr, &input, json!({"input": "a", "actions": ["Enter()"]})).await,
        400,
        "INVALID_REQUEST",
    );
    let a = post(addr, &input, json!({"function_key": "PF99"})).await;
    assert_error(&a, 400, "INVALID_REQUEST");
    let a = post(addr, &input, json!({"actions": ["MoveCursor(99,0)"]})).await;
    assert_error(&a, 400, "INVALID_REQUEST");
    assert_error(
        &http(addr, "POST", &input, Some("[1,")).await,
        400,
        "INVALID_REQUEST",
    );

    // Typing on the protected banner (row 0, col 0): X PROT, reported, the lock stays.
    let rows = screen["screen_data"]["rows"].as_u64().unwrap();
    assert_eq!(rows, 24);
    let a = post(
        addr,
        &input,
        json!({"actions": ["MoveCursor(0,1)", "String(\"x\")"]}),
    )
    .await;
    assert_error(&a, 409, "KEYBOARD_LOCKED");
    assert_eq!(a.body["reason"], "protected");
    assert_eq!(a.body["action_index"], 1);
    let locked = get(addr, &format!("/api/v1/sessions/{id}/screen")).await;
    assert_eq!(locked.body["lock_reason"], "protected");
    assert_eq!(locked.body["cursor_row"], 0);
    assert_eq!(locked.body["cursor_col"], 1);
    let a = post(addr, &input, json!({"actions": ["Reset()", "Home()"]})).await;
    assert_eq!(a.status, 202, "{a:?}");
    let unlocked = get(addr, &format!("/api/v1/sessions/{id}/screen")).await;
    assert_eq!(unlocked.body["keyboard_locked"], false);

    // The limit: 2 sessions (this one and a second), the third is refused.
    let _second = create(addr, json!({"endpoint": "demo"})).await;
    let a = post(addr, create_path, json!({"endpoint": "demo"})).await;
    assert_error(&a, 503, "SESSION_LIMIT");

    // Unknown routes answer the guide's body too.
    assert_error(&get(addr, "/api/v1/nothing").await, 404, "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_sessions_outlive_the_detach_grace_and_end_when_idle() {
    // A detach grace far shorter than the wait: a headless session is never "detached".
    let mut cfg = config(vec![]);
    cfg.sessions.detach_grace_seconds = Duration::from_millis(200);
    let bridge = start(cfg).await;
    let id = create(bridge.addr, json!({})).await;
    screen_showing(bridge.addr, &id, "Logon").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let a = get(bridge.addr, &format!("/api/v1/sessions/{id}")).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.body["status"], "connected");

    // The idle timeout ends it: no host record and no input for that long.
    let mut cfg = config(vec![]);
    cfg.sessions.idle_timeout_seconds = Duration::from_millis(500);
    let bridge = start(cfg).await;
    let id = create(bridge.addr, json!({})).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let a = get(bridge.addr, &format!("/api/v1/sessions/{id}")).await;
        if a.status == 404 {
            assert_error(&a, 404, "SESSION_NOT_FOUND");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "still live: {a:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(get(bridge.addr, "/api/v1/sessions").await.body["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_refuses_input_until_resume() {
    let bridge = start(config(vec![])).await;
    let addr = bridge.addr;
    let id = create(addr, json!({"endpoint": "demo"})).await;
    screen_showing(addr, &id, "Logon").await;
    let path = |what: &str| format!("/api/v1/sessions/{id}/{what}");

    let a = post(addr, &path("suspend"), json!({"reason": "maintenance"})).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.body["status"], "suspended");
    assert_eq!(a.body["suspend_reason"], "maintenance");
    assert_eq!(
        get(addr, "/api/v1/sessions?status=suspended").await.body["total"],
        1
    );
    assert_error(
        &post(addr, &path("input"), json!({"input": "zoe"})).await,
        409,
        "SESSION_SUSPENDED",
    );
    assert_error(
        &http(addr, "POST", &path("suspend"), None).await,
        409,
        "SESSION_SUSPENDED",
    );
    // The screen can still be read.
    assert_eq!(get(addr, &path("screen")).await.status, 200);

    let a = http(addr, "POST", &path("resume"), None).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.body["status"], "connected");
    assert_eq!(a.body["suspend_reason"], Value::Null);
    assert_error(
        &http(addr, "POST", &path("resume"), None).await,
        409,
        "NOT_SUSPENDED",
    );
    let a = post(addr, &path("input"), json!({"input": "zoe"})).await;
    assert_eq!(a.status, 202, "{a:?}");

    // Not for a browser's session, not for unknown ids, not with a malformed body.
    let (_ws, ws_id) = websocket_session(addr).await;
    assert_error(
        &http(
            addr,
            "POST",
            &format!("/api/v1/sessions/{ws_id}/suspend"),
            None,
        )
        .await,
        409,
        "NOT_HEADLESS",
    );
    assert_error(
        &http(addr, "POST", "/api/v1/sessions/sess_00/resume", None).await,
        404,
        "SESSION_NOT_FOUND",
    );
    assert_error(
        &http(addr, "POST", &path("suspend"), Some("{\"reason\": 1}")).await,
        400,
        "INVALID_REQUEST",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_moves_a_session_to_another_endpoint_keeping_its_id() {
    let down_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let bridge = start(config(vec![
        Endpoint::builtin("demo2", Builtin::Demo),
        Endpoint::host("down", "127.0.0.1", Some(down_port)),
    ]))
    .await;
    let addr = bridge.addr;
    let id = create(addr, json!({"endpoint": "demo", "user": "zoe"})).await;
    screen_showing(addr, &id, "Logon").await;
    let input = format!("/api/v1/sessions/{id}/input?wait=unlock");
    let a = post(
        addr,
        &input,
        json!({"input": "zoe\tDEMO", "function_key": "ENTER"}),
    )
    .await;
    assert!(a.raw.contains("Main menu"), "{a:?}");

    let migrate = format!("/api/v1/sessions/{id}/migrate");
    let a = http(
        addr,
        "PUT",
        &migrate,
        Some(r#"{"target_endpoint": "demo2"}"#),
    )
    .await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.body["id"], id.as_str());
    assert_eq!(a.body["endpoint"], "demo2");
    assert_eq!(a.body["user"], "zoe");
    // The new host's first screen, on the same session; one session, counted on demo2 now.
    screen_showing(addr, &id, "Logon").await;
    assert_eq!(get(addr, "/api/v1/sessions").await.body["total"], 1);
    let endpoints = get(addr, "/api/v1/endpoints").await.body;
    let active = |name: &str| {
        endpoints["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap()["active_sessions"]
            .clone()
    };
    assert_eq!(active("demo"), 0);
    assert_eq!(active("demo2"), 1);
    // Input reaches the new host.
    let a = post(
        addr,
        &input,
        json!({"input": "ann\tDEMO", "function_key": "ENTER"}),
    )
    .await;
    assert_eq!(a.status, 200, "{a:?}");
    assert!(a.raw.contains("Main menu"), "{a:?}");

    // Refusals: the session stays where it is.
    let a = http(
        addr,
        "PUT",
        &migrate,
        Some(r#"{"target_endpoint": "down"}"#),
    )
    .await;
    assert_error(&a, 503, "ENDPOINT_UNAVAILABLE");
    let a = http(
        addr,
        "PUT",
        &migrate,
        Some(r#"{"target_endpoint": "nope"}"#),
    )
    .await;
    assert_error(&a, 400, "INVALID_REQUEST");
    assert_error(
        &http(addr, "PUT", &migrate, Some("{}")).await,
        400,
        "INVALID_REQUEST",
    );
    let one = get(addr, &format!("/api/v1/sessions/{id}")).await;
    assert_eq!(one.body["endpoint"], "demo2");
    assert_eq!(get(addr, "/api/v1/sessions").await.body["total"], 1);
    let (_ws, ws_id) = websocket_session(addr).await;
    let a = http(
        addr,
        "PUT",
        &format!("/api/v1/sessions/{ws_id}/migrate"),
        Some(r#"{"target_endpoint": "demo2"}"#),
    )
    .await;
    assert_error(&a, 409, "NOT_HEADLESS");
    let a = http(
        addr,
        "PUT",
        "/api/v1/sessions/sess_00/migrate",
        Some(r#"{"target_endpoint": "demo2"}"#),
    )
    .await;
    assert_error(&a, 404, "SESSION_NOT_FOUND");
}

/// `GET /api/v1/openapi.json`, asserted 200 and OpenAPI 3.1.
async fn openapi(addr: SocketAddr, headers: &[(&str, &str)]) -> Value {
    let a = request(addr, "GET", "/api/v1/openapi.json", headers, None).await;
    assert_eq!(a.status, 200, "{a:?}");
    let doc: Value = serde_json::from_str(&a.body).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    doc
}

/// The document lists exactly the routes the bridge serves, with their methods: the paths of
/// every `.route(` in the source (`routed_paths`, so a new route without documentation
/// fails here), the methods the running bridge routes for each (axum answers an unrouted
/// method 405 with `Allow`). Every operation has its security requirement, a success answer
/// and errors in the guide's body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_matches_the_router() {
    let bridge = start(config(vec![])).await;
    let doc = openapi(bridge.addr, &[]).await;
    let documented: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let routed = routed_paths();
    for p in NOT_API {
        assert!(
            routed.contains(p),
            "{p} is no longer routed: update NOT_API"
        );
    }
    let api: BTreeSet<String> = routed
        .into_iter()
        .filter(|p| !NOT_API.contains(&p.as_str()))
        .collect();
    let undocumented: Vec<_> = api.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routed but not in the OpenAPI document: {undocumented:?} (annotate the handler with \
         #[utoipa::path] and list it in its module's #[derive(OpenApi)], see api/openapi.rs)"
    );
    let stale: Vec<_> = documented.difference(&api).collect();
    assert!(stale.is_empty(), "documented but not routed: {stale:?}");
    for path in &api {
        let a = request(
            bridge.addr,
            "OPTIONS",
            &instantiate(path, "probe"),
            &[],
            None,
        )
        .await;
        assert_eq!(a.status, 405, "OPTIONS {path}: {a:?}");
        let mut routed_methods: BTreeSet<String> = a
            .header("allow")
            .unwrap()
            .split(',')
            .map(|m| m.trim().to_lowercase())
            .collect();
        // axum answers HEAD wherever it answers GET; the document leaves HEAD implied.
        if routed_methods.contains("get") {
            routed_methods.remove("head");
        }
        let documented_methods: BTreeSet<String> = METHODS
            .iter()
            .filter(|m| doc["paths"][path.as_str()][**m].is_object())
            .map(|m| (*m).to_owned())
            .collect();
        assert_eq!(
            documented_methods, routed_methods,
            "{path}: documented vs routed methods"
        );
    }

    // Security schemes (docs/SECURITY.md): bearer (token or ticket) and basic; the open routes
    // require none.
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http", "{schemes}");
    assert_eq!(schemes["bearer"]["scheme"], "bearer", "{schemes}");
    assert_eq!(schemes["basic"]["type"], "http", "{schemes}");
    assert_eq!(schemes["basic"]["scheme"], "basic", "{schemes}");
    let open = [
        ("/api/v1/health", "get"),
        ("/api/v1/health/live", "get"),
        ("/api/v1/auth", "get"),
        ("/metrics", "get"),
    ];
    for (path, method, op) in operations(&doc) {
        let what = format!("{method} {path}");
        let security = op["security"]
            .as_array()
            .unwrap_or_else(|| panic!("{what}: no security"));
        if open.contains(&(path.as_str(), method.as_str())) {
            assert!(security.is_empty(), "{what} is open: {security:?}");
        } else {
            assert_eq!(
                security,
                &vec![json!({"bearer": []}), json!({"basic": []})],
                "{what}"
            );
            assert!(op["responses"]["401"].is_object(), "{what}: no 401");
        }
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{what}: no success"
        );
        for (status, r) in responses {
            if status.starts_with('2') {
                continue;
            }
            // Readiness answers 503 with its own body; every other refusal is the guide's.
            let schema = &resolve(&doc, r)["content"]["application/json"]["schema"]["$ref"];
            let expected = if (path.as_str(), status.as_str()) == ("/api/v1/health", "503") {
                "#/components/schemas/Readiness"
            } else {
                "#/components/schemas/ErrorBody"
            };
            assert_eq!(schema, expected, "{what} {status}");
        }
    }

    // Every reference resolves (parameters' schemas are not collected on their own).
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    for r in &refs {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("external $ref {r}"));
        assert!(doc.pointer(pointer).is_some(), "dangling $ref {r}");
    }
    assert!(refs.len() > 20, "{refs:?}");

    // Request bodies and answers point at the schemas.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for s in [
        "ScreenView",
        "FieldView",
        "CreateSession",
        "SessionResource",
        "ErrorBody",
        "AuthStatus",
        "MetricsJson",
        "EndpointView",
    ] {
        assert!(schemas.contains_key(s), "{s} missing");
    }
    let create = &doc["paths"]["/api/v1/sessions"]["post"];
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/CreateSession"
    );
    assert!(create["responses"]["201"].is_object());
}

/// Every `$ref` of `v`, appended to `out`.
fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(members) => {
            for (k, m) in members {
                match (k.as_str(), m) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(m, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_refs(i, out)),
        _ => {}
    }
}

/// With authentication and `require_https` on, every documented operation is refused as its
/// documentation says: plain HTTP gets 403 `HTTPS_REQUIRED` where a 403 says so (and only
/// there), HTTPS without credentials gets 401 `UNAUTHORIZED` exactly where the operation
/// requires security; every answer is one the operation documents, in its documented shape.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_security_matches_the_guard() {
    const TOKEN: &str = "openapi-test-token";
    let mut config = config(vec![]);
    config.authentication.enabled = true;
    config.authentication.kind = AuthType::Bearer;
    config.authentication.token = Some(Secret::new(TOKEN));
    config.authentication.require_https = true;
    let bridge = start(config).await;
    let addr = bridge.addr;
    let auth = format!("Bearer {TOKEN}");
    let doc = openapi(
        addr,
        &[("x-forwarded-proto", "https"), ("authorization", &auth)],
    )
    .await;
    for (i, (path, method, op)) in operations(&doc).into_iter().enumerate() {
        let concrete = instantiate(&path, "probe");
        let m = method.to_uppercase();
        let check = |a: &support::Answer| {
            check_answer(
                &doc,
                &m,
                &concrete,
                a.status,
                a.header("content-type"),
                &a.body,
            );
            serde_json::from_str::<Value>(&a.body).unwrap_or(Value::Null)
        };
        let https_documented = op["responses"]["403"].is_object()
            && resolve(&doc, &op["responses"]["403"])["description"]
                .as_str()
                .unwrap()
                .contains("HTTPS_REQUIRED");
        let plain = request(addr, &m, &concrete, &[], None).await;
        let body = check(&plain);
        assert_eq!(
            body["err"] == "HTTPS_REQUIRED",
            https_documented,
            "{m} {path} over plain HTTP: {plain:?}"
        );
        // Each its own client address (the loopback proxy is trusted), so that the failures
        // do not add up to a lockout.
        let client = format!("192.0.2.{}", i + 1);
        let anonymous = request(
            addr,
            &m,
            &concrete,
            &[("x-forwarded-proto", "https"), ("x-forwarded-for", &client)],
            None,
        )
        .await;
        let body = check(&anonymous);
        let secured = !op["security"].as_array().unwrap().is_empty();
        assert_eq!(
            anonymous.status == 401,
            secured,
            "{m} {path} without credentials: {anonymous:?}"
        );
        if secured {
            assert_eq!(body["err"], "UNAUTHORIZED");
            assert!(anonymous
                .header("www-authenticate")
                .unwrap()
                .starts_with("Bearer"));
        }
    }
}

/// Calls the API as one client and checks every answer against the document.
struct Prober {
    addr: SocketAddr,
    doc: Value,
    authorization: String,
    /// Operations (template, method) seen answering a success.
    succeeded: BTreeSet<(String, String)>,
}

impl Prober {
    /// `method path` with the prober's credentials: status and JSON body (`Null` if none).
    async fn call(&mut self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let authorization = self.authorization.clone();
        self.call_as(method, path, body, &authorization).await
    }

    /// The same with `authorization`.
    async fn call_as(
        &mut self,
        method: &str,
        path: &str,
        body: Option<Value>,
        authorization: &str,
    ) -> (u16, Value) {
        let body = body.map(|b| b.to_string());
        let a = request(
            self.addr,
            method,
            path,
            &[("authorization", authorization)],
            body.as_deref(),
        )
        .await;
        let template = check_answer(
            &self.doc,
            method,
            path,
            a.status,
            a.header("content-type"),
            &a.body,
        );
        if (200..300).contains(&a.status) {
            self.succeeded.insert((template, method.to_lowercase()));
        }
        (
            a.status,
            serde_json::from_str(&a.body).unwrap_or(Value::Null),
        )
    }

    /// Polls `GET path` until `done` holds for its body.
    async fn until(&mut self, path: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let (status, body) = self.call("GET", path, None).await;
            if status == 200 && done(&body) {
                return body;
            }
            assert!(tokio::time::Instant::now() < deadline, "{path}: {body}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Every documented operation answers a success in the documented shape, and the refusals on
/// the way do too: no member a schema does not list, every required one present, the types
/// and enums as documented (`openapi_support::check_answer`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_answers_match_the_documented_shapes() {
    const TOKEN: &str = "openapi-shapes-token";
    let dir = TestDir::new("rest-api-openapi-shapes").unwrap();
    let mut config = config(vec![Endpoint::builtin("demo2", Builtin::Demo)]);
    config.authentication.enabled = true;
    config.authentication.kind = AuthType::Bearer;
    config.authentication.token = Some(Secret::new(TOKEN));
    config.audit.enabled = Some(true);
    config.audit.log_path = Some(dir.join("audit.log"));
    let bridge = start(config).await;
    let authorization = format!("Bearer {TOKEN}");
    let doc = openapi(bridge.addr, &[("authorization", &authorization)]).await;
    let mut p = Prober {
        addr: bridge.addr,
        doc,
        authorization,
        succeeded: BTreeSet::new(),
    };

    assert_eq!(p.call("GET", "/api/v1/openapi.json", None).await.0, 200);
    let (status, auth) = p.call("GET", "/api/v1/auth", None).await;
    assert_eq!((status, &auth["type"]), (200, &json!("bearer")));
    assert_eq!(p.call("GET", "/api/v1/health", None).await.0, 200);
    assert_eq!(p.call("GET", "/api/v1/health/live", None).await.0, 200);
    assert_eq!(p.call("GET", "/api/v1/metrics", None).await.0, 200);
    assert_eq!(p.call("GET", "/metrics", None).await.0, 200);

    // Endpoints.
    assert_eq!(p.call("GET", "/api/v1/endpoints", None).await.0, 200);
    assert_eq!(
        p.call("GET", "/api/v1/endpoints/demo/health", None).await.0,
        200
    );
    assert_eq!(
        p.call("GET", "/api/v1/endpoints/nope/health", None).await.0,
        404
    );
    let spare = json!({"name": "spare", "host": "127.0.0.1", "port": 9, "lu_names": ["LU1"]});
    let (status, added) = p
        .call("POST", "/api/v1/endpoints", Some(spare.clone()))
        .await;
    assert_eq!(
        (status, &added["lu_pool"]["size"]),
        (201, &json!(1)),
        "{added}"
    );
    assert_eq!(
        p.call("POST", "/api/v1/endpoints", Some(spare)).await.0,
        409
    );
    let unknown_key = json!({"name": "x", "host": "h", "colour": 1});
    assert_eq!(
        p.call("POST", "/api/v1/endpoints", Some(unknown_key))
            .await
            .0,
        400
    );

    // Tickets.
    let (status, ticket) = p.call("POST", "/api/v1/auth/ticket", None).await;
    assert_eq!(status, 201, "{ticket}");
    let as_ticket = format!("Bearer {}", ticket["ticket"].as_str().unwrap());
    let renew = p
        .call_as("POST", "/api/v1/auth/ticket", None, &as_ticket)
        .await;
    assert_eq!(renew.0, 403, "{renew:?}");
    let revoke = p
        .call_as("DELETE", "/api/v1/auth/ticket", None, &as_ticket)
        .await;
    assert_eq!(revoke.0, 204, "{revoke:?}");
    let again = p
        .call_as("DELETE", "/api/v1/auth/ticket", None, &as_ticket)
        .await;
    assert_eq!(again.0, 401, "{again:?}");

    // Sessions, through their whole life.
    let create = json!({"endpoint": "demo", "user": "zoe", "application": "probe"});
    let (status, session) = p.call("POST", "/api/v1/sessions", Some(create)).await;
    assert_eq!(status, 201, "{session}");
    let id = session["id"].as_str().unwrap().to_owned();
    let elsewhere = json!({"host": "example.org", "port": 23});
    assert_eq!(
        p.call("POST", "/api/v1/sessions", Some(elsewhere)).await.0,
        403
    );
    let unknown = json!({"endpoint": "nope"});
    assert_eq!(
        p.call("POST", "/api/v1/sessions", Some(unknown)).await.0,
        400
    );
    assert_eq!(
        p.call("GET", "/api/v1/sessions?limit=10", None).await.0,
        200
    );
    assert_eq!(p.call("GET", "/api/v1/sessions?limit=0", None).await.0, 400);
    assert_eq!(
        p.call("GET", &format!("/api/v1/sessions/{id}"), None)
            .await
            .0,
        200
    );
    assert_eq!(
        p.call("GET", "/api/v1/sessions/sess_nope", None).await.0,
        404
    );
    let screen = format!("/api/v1/sessions/{id}/screen");
    p.until(&screen, |s| {
        s["keyboard_locked"] == false
            && s["screen_data"]["content"]
                .as_str()
                .unwrap()
                .contains("Logon")
    })
    .await;
    let input = format!("/api/v1/sessions/{id}/input");
    let logon = json!({"input": "zoe\tDEMO", "function_key": "ENTER"});
    let (status, menu) = p
        .call("POST", &format!("{input}?wait=unlock"), Some(logon))
        .await;
    assert_eq!(status, 200, "{menu}");
    let tab = json!({"actions": ["Tab()"]});
    assert_eq!(p.call("POST", &input, Some(tab.clone())).await.0, 202);
    let bad = json!({"actions": ["Frobnicate()"]});
    assert_eq!(p.call("POST", &input, Some(bad)).await.0, 400);
    let suspend = format!("/api/v1/sessions/{id}/suspend");
    let resume = format!("/api/v1/sessions/{id}/resume");
    let reason = json!({"reason": "probe"});
    assert_eq!(p.call("POST", &suspend, Some(reason.clone())).await.0, 200);
    assert_eq!(p.call("POST", &input, Some(tab)).await.0, 409);
    assert_eq!(p.call("POST", &suspend, Some(reason)).await.0, 409);
    assert_eq!(p.call("POST", &resume, None).await.0, 200);
    assert_eq!(p.call("POST", &resume, None).await.0, 409);
    let migrate = format!("/api/v1/sessions/{id}/migrate");
    let target = json!({"target_endpoint": "demo2"});
    let (status, moved) = p.call("PUT", &migrate, Some(target)).await;
    assert_eq!(
        (status, &moved["endpoint"]),
        (200, &json!("demo2")),
        "{moved}"
    );
    let nowhere = json!({"target_endpoint": "nope"});
    assert_eq!(p.call("PUT", &migrate, Some(nowhere)).await.0, 400);
    let one = format!("/api/v1/sessions/{id}");
    assert_eq!(p.call("DELETE", &one, None).await.0, 204);
    assert_eq!(p.call("DELETE", &one, None).await.0, 404);

    // Audit (the events of the above, once written) and compliance.
    p.until("/api/v1/audit?limit=50", |a| {
        a["events"].as_array().is_some_and(|e| !e.is_empty())
    })
    .await;
    assert_eq!(p.call("GET", "/api/v1/audit?limit=0", None).await.0, 400);
    assert_eq!(
        p.call("GET", "/api/v1/audit?event_type=nope", None).await.0,
        400
    );
    let report = "/api/v1/compliance/report?framework=HIPAA&period=90";
    let (status, report) = p.call("GET", report, None).await;
    assert_eq!(
        (status, &report["framework"]),
        (200, &json!("HIPAA")),
        "{report}"
    );
    assert_eq!(
        p.call("GET", "/api/v1/compliance/report?period=7", None)
            .await
            .0,
        400
    );

    let all: BTreeSet<(String, String)> = operations(&p.doc)
        .into_iter()
        .map(|(path, method, _)| (path, method))
        .collect();
    let unexercised: Vec<_> = all.difference(&p.succeeded).collect();
    assert!(
        unexercised.is_empty(),
        "operations this test never saw succeed (add a call above): {unexercised:?}"
    );
}
