//! The bridge's native TN3270 listener on loopback, driven by s3270 (the oracle): the same
//! script run through the bridge and directly against the same host must show the same
//! screens (TN3270E and plain TN3270 `-tn IBM-3278-2`), the endpoint is chosen by the LU name
//! (`NAME@bridge:port`), unknown names and clients over `max_sessions` (one limit with browser
//! sessions) are refused with a screen, idle and over-age sessions end with one.
//!
//! Each test starts `bridge::server::run` in a thread of its own with endpoints `demo`
//! (built in, priority 1: the default) and `mock` (mainframe-mocker serving
//! `tests/hosts/logon.py`, started by the `web3270-tests` harness; `.venv/bin` of the
//! workspace must exist, as `scripts/test.sh` makes it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use bridge::config::{Config, Endpoint};
use support::*;
use web3270_tests::trace::Direction;
use web3270_tests::{MfMock, MfMockApp, MfMockOptions, Script, Snapshot, TestDir, S3270};

/// The bridge in a thread of its own with endpoints `demo` (built in, the default) and
/// `mock` on `mock_port`, at most `max_sessions` sessions.
fn bridge_with_mock(mock_port: u16, max_sessions: u32) -> BridgeThread {
    bridge_with_mock_and(mock_port, |c| c.sessions.max_sessions = max_sessions)
}

/// As [`bridge_with_mock`] with the configuration adjusted by `adjust`.
fn bridge_with_mock_and(mock_port: u16, adjust: impl FnOnce(&mut Config)) -> BridgeThread {
    let mut config = demo_config();
    config.server.port = free_port();
    let mut mock = Endpoint::host("mock", "127.0.0.1", Some(mock_port));
    mock.priority = 2;
    config.endpoints.push(mock);
    adjust(&mut config);
    start_in_thread(config)
}

/// `prefix` is an s3270 host prefix (`N:`: no TN3270E) or empty.
fn assert_same_logon(s3270: S3270, prefix: &str, dir_name: &str, state: &str) {
    venv_on_path();
    let dir = TestDir::new(dir_name).unwrap();
    let host = MfMock::start(&dir, &MfMockApp::Logon, &MfMockOptions::default()).unwrap();
    let bridge = bridge_with_mock(host.port, 10);

    let (d_signon, d_menu) = s3270_mfmock_logon(
        &s3270,
        &dir,
        "direct",
        &format!("{prefix}{}", host.address()),
    );
    let (b_signon, b_menu) = s3270_mfmock_logon(
        &s3270,
        &dir,
        "bridged",
        &format!("{prefix}{}", bridge.target("mock")),
    );

    assert_eq!(d_signon.connection_state, state);
    assert_eq!(b_signon.connection_state, state);
    assert!(b_signon.contains("USERID"), "{}", b_signon.text());
    assert_eq!(mask_lu_names(&b_signon.rows), mask_lu_names(&d_signon.rows));
    assert_eq!(b_signon.cursor, d_signon.cursor);
    assert_eq!(b_menu.row(3), "WELCOME ALICE", "{}", b_menu.text());
    assert_eq!(mask_lu_names(&b_menu.rows), mask_lu_names(&d_menu.rows));
    assert_eq!(b_menu.cursor, d_menu.cursor);

    // Byte for byte, the host received and sent the same records on the direct session (its
    // first LU) and the bridged one (its second) — except the SEQ-NUMBER of the client's
    // TN3270E headers: s3270 numbers its records differently when it agreed RESPONSES with
    // the bridge and mfmock agrees no functions (see docs/NATIVE-TN3270.md, deviations).
    let records = host.records();
    let tn3270e = state == "connected-tn3270e";
    let session = |lu: &str| lu_records(&records, lu, tn3270e);
    // The sessions that sent the host something, in order: the direct one, then the
    // bridged one (the bridge's health probes also take an LU but never send a record).
    let mut lus: Vec<&str> = Vec::new();
    for r in records.iter().filter(|r| r.direction == Direction::ToHost) {
        if !lus.contains(&r.lu.as_str()) {
            lus.push(&r.lu);
        }
    }
    assert_eq!(lus.len(), 2, "{lus:?}");
    let direct = session(lus[0]);
    assert!(direct.len() >= 3, "{direct:?}");
    assert_eq!(session(lus[1]), direct);
}

/// s3270 in TN3270E (`-model 3279-2-E`) through the bridge to `mock` sees what it sees
/// directly: sign-on screen, then the menu after typing a logon and Enter.
#[test]
fn tn3270e_client_sees_the_same_screens_as_direct() {
    assert_same_logon(
        S3270::new().model("3279-2-E"),
        "",
        "native_tn3270e",
        "connected-tn3270e",
    );
}

/// Plain TN3270 (`-tn IBM-3278-2` and the `N:` prefix: s3270 refuses TN3270E, so
/// TERMINAL-TYPE `IBM-3278-2@mock` names the endpoint): the same screens.
#[test]
fn plain_tn3270_client_sees_the_same_screens_as_direct() {
    assert_same_logon(
        S3270::new().terminal_type("IBM-3278-2"),
        "N:",
        "native_plain",
        "connected-3270",
    );
}

/// No name: the default endpoint (the built-in demo, priority 1) answers.
#[test]
fn no_name_reaches_the_default_endpoint() {
    venv_on_path();
    let dir = TestDir::new("native_default").unwrap();
    let bridge = bridge_with_mock(free_port(), 10);
    let mut script = Script::new();
    script.connect(&bridge.tn3270().to_string()).wait_unlock(10);
    let first = script.snapshot();
    let run = S3270::new().run(&dir, "default", &script).unwrap();
    let first = run.snapshot(first).unwrap();
    assert_eq!(first.connection_state, "connected-tn3270e");
    assert!(
        !first.contains("web3270: ") && !first.text().trim().is_empty(),
        "{}",
        first.text()
    );
}

/// An unknown endpoint name: TN3270E DEVICE-TYPE REJECT, then (s3270 falls back to plain
/// TN3270) a screen naming it; the same in plain TN3270.
#[test]
fn unknown_endpoint_is_refused_with_a_screen() {
    let dir = TestDir::new("native_unknown").unwrap();
    let bridge = bridge_with_mock(free_port(), 10);
    for (name, prefix) in [("unknown-e", ""), ("unknown-plain", "N:")] {
        let mut script = Script::new();
        script
            .connect(&format!("{prefix}{}", bridge.target("nope")))
            .wait_unlock(10);
        let screen = script.snapshot();
        let run = S3270::new().run(&dir, name, &script).unwrap();
        let screen = run.snapshot(screen).unwrap();
        assert_eq!(screen.connection_state, "connected-3270", "{name}");
        assert_eq!(
            screen.row(0),
            "web3270: unknown endpoint nope",
            "{}",
            screen.text()
        );
        assert!(
            screen.contains("Code: UNKNOWN_ENDPOINT"),
            "{}",
            screen.text()
        );
    }
}

/// With `max_sessions: 1`, a second client while the first is connected gets the refusal
/// screen.
#[test]
fn over_max_sessions_is_refused_with_a_screen() {
    let dir = TestDir::new("native_max").unwrap();
    let bridge = bridge_with_mock(free_port(), 1);
    let mut hold = Script::new();
    hold.connect(&bridge.target("demo"))
        .wait_unlock(10)
        .action("Wait(20,Seconds)");
    let _holder = S3270::new().spawn(&dir, "holder", &hold).unwrap();
    // Let the holder take the only session.
    std::thread::sleep(Duration::from_secs(2));
    let mut script = Script::new();
    script.connect(&bridge.target("demo")).wait_unlock(10);
    let screen = script.snapshot();
    let run = S3270::new().run(&dir, "refused", &script).unwrap();
    let screen = run.snapshot(screen).unwrap();
    assert_eq!(
        screen.row(0),
        "web3270: too many sessions.",
        "{}",
        screen.text()
    );
    assert!(
        screen.contains("Code: TOO_MANY_SESSIONS"),
        "{}",
        screen.text()
    );
}

/// Waits (up to [`WAIT`]) until endpoint `name` of the bridge at `addr` counts `n` sessions.
fn wait_for_active(addr: std::net::SocketAddr, name: &str, n: u64) {
    let rt = runtime();
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let endpoints = rt.block_on(get(addr, "/api/v1/endpoints", &[])).json();
        let active = endpoints["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .map(|e| e["active_sessions"].clone());
        if active == Some(n.into()) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{name} never had {n} sessions: {endpoints}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `sessions.max_sessions` is the instance's, over all front ends: with a browser session in
/// the only place a native client is refused, and with a native client in it a browser is.
#[test]
fn max_sessions_counts_browser_and_native_sessions_together() {
    let dir = TestDir::new("native_shared_max").unwrap();
    // A browser holds the place: s3270 gets the refusal screen.
    let bridge = bridge_with_mock(free_port(), 1);
    let rt = runtime();
    let _browser = rt.block_on(async {
        let mut b = Browser::open(ws_connect(bridge.addr).await, hello("demo")).await;
        b.until_shows("Logon").await;
        b
    });
    let mut script = Script::new();
    script.connect(&bridge.target("demo")).wait_unlock(10);
    let screen = script.snapshot();
    let run = S3270::new().run(&dir, "refused", &script).unwrap();
    let screen = run.snapshot(screen).unwrap();
    assert_eq!(
        screen.row(0),
        "web3270: too many sessions.",
        "{}",
        screen.text()
    );

    // s3270 holds the place: the browser's hello is refused SESSION_LIMIT.
    let bridge = bridge_with_mock(free_port(), 1);
    let mut hold = Script::new();
    hold.connect(&bridge.target("demo"))
        .wait_unlock(10)
        .action("Wait(20,Seconds)");
    let _holder = S3270::new().spawn(&dir, "holder", &hold).unwrap();
    wait_for_active(bridge.addr, "demo", 1);
    rt.block_on(async {
        let mut ws = ws_connect(bridge.addr).await;
        send_json(&mut ws, hello("demo")).await;
        let err = next_json(&mut ws).await;
        assert_eq!(err["code"], "SESSION_LIMIT", "{err}");
        expect_close(&mut ws, 4429).await;
    });
}

/// A native session is in the REST API's session list with a screen mirror: its screen there
/// is, row for row, what s3270 shows; input is refused (the client owns the keyboard); DELETE
/// ends it with a screen and takes it off the list.
#[test]
fn native_sessions_are_listed_shown_and_deleted_through_the_api() {
    let dir = TestDir::new("native_api").unwrap();
    let bridge = bridge_with_mock(free_port(), 10);
    let addr = bridge.addr;
    let mut script = Script::new();
    script.connect(&bridge.target("demo")).wait_unlock(10);
    let logon = script.snapshot();
    script.wait_disconnect(30);
    let ended = script.snapshot();
    let client = std::thread::spawn(move || S3270::new().run(&dir, "api", &script).unwrap());
    wait_for_active(addr, "demo", 1);
    let rt = runtime();

    let list = rt
        .block_on(get(addr, "/api/v1/sessions?kind=native", &[]))
        .json();
    assert_eq!(list["total"], 1, "{list}");
    let session = &list["sessions"][0];
    assert_eq!(session["kind"], "native", "{session}");
    assert_eq!(session["status"], "connected", "{session}");
    assert_eq!(session["endpoint"], "demo", "{session}");
    assert_eq!(session["lu"], "DEMO0001", "{session}");
    // s3270's own end of the connection: an ephemeral port on loopback.
    let client_address = session["client_address"].as_str().unwrap_or_default();
    assert!(client_address.starts_with("127.0.0.1:"), "{session}");
    assert_ne!(
        client_address,
        format!("127.0.0.1:{}", bridge.tn3270().port()),
        "{session}"
    );
    let id = session["id"].as_str().unwrap().to_owned();
    assert_eq!(
        rt.block_on(get(addr, "/api/v1/sessions?kind=websocket", &[]))
            .json()["total"],
        0
    );

    // The mirror follows the host: wait for the logon screen's last write.
    let deadline = std::time::Instant::now() + WAIT;
    let screen = loop {
        let screen = rt
            .block_on(get(addr, &format!("/api/v1/sessions/{id}/screen"), &[]))
            .json();
        let content = screen["screen_data"]["content"]
            .as_str()
            .unwrap()
            .to_owned();
        if content.contains("Userid") && screen["keyboard_locked"] == false {
            break content;
        }
        assert!(std::time::Instant::now() < deadline, "{screen}");
        std::thread::sleep(Duration::from_millis(50));
    };

    let input = rt.block_on(request(
        addr,
        "POST",
        &format!("/api/v1/sessions/{id}/input"),
        &[],
        Some(r#"{"input": "x", "function_key": "ENTER"}"#),
    ));
    assert_eq!(input.status, 409, "{}", input.body);
    assert_eq!(input.json()["err"], "NOT_HEADLESS", "{}", input.body);

    let deleted = rt.block_on(request(
        addr,
        "DELETE",
        &format!("/api/v1/sessions/{id}"),
        &[],
        None,
    ));
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(
        rt.block_on(get(addr, "/api/v1/sessions", &[])).json()["total"],
        0
    );

    let run = client.join().unwrap();
    let logon = run.snapshot(logon).unwrap();
    assert_eq!(
        screen.split('\n').collect::<Vec<_>>(),
        logon.rows.iter().map(String::as_str).collect::<Vec<_>>(),
        "the REST screen is what s3270 shows"
    );
    let ended = run.snapshot(ended).unwrap();
    assert_eq!(
        ended.row(0),
        "web3270: session ended by an administrator.",
        "{}",
        ended.text()
    );
    assert!(ended.contains("Code: SESSION_DELETED"), "{}", ended.text());
}

/// `sessions.timeout_seconds: 2`: a session ends with a screen once its lifetime is over,
/// as browser sessions do (`SESSION_TIMEOUT`).
#[test]
fn session_lifetime_ends_a_native_session_with_a_screen() {
    let screen = screen_after_a_quiet_wait("native_lifetime", |c| {
        c.sessions.timeout_seconds = Duration::from_secs(2);
    });
    assert_eq!(
        screen.row(0),
        "web3270: session ended: it reached its maximum lifetime.",
        "{}",
        screen.text()
    );
    assert_eq!(screen.row(1), "Code: SESSION_TIMEOUT", "{}", screen.text());
}

/// s3270 connects to `demo` on a bridge configured by `adjust`, waits 4 s without input and
/// then for the bridge to disconnect it: the screen it had then (asserting it did end up
/// disconnected).
fn screen_after_a_quiet_wait(name: &str, adjust: impl FnOnce(&mut Config)) -> Snapshot {
    let dir = TestDir::new(name).unwrap();
    let bridge = bridge_with_mock_and(free_port(), adjust);
    let mut script = Script::new();
    script
        .connect(&bridge.target("demo"))
        .wait_unlock(10)
        .action("Wait(4,Seconds)");
    let screen = script.snapshot();
    script.wait_disconnect(10);
    let end = script.actions().len();
    script.action("Query(ConnectionState)");
    let run = S3270::new().run(&dir, "quiet", &script).unwrap();
    assert_eq!(run.ok_reply(end).unwrap().data, ["not-connected"]);
    run.snapshot(screen).unwrap()
}

/// An endpoint whose host is down: the client gets a screen with the error code, then the
/// connection closes.
#[test]
fn upstream_failure_shows_the_error_code() {
    let dir = TestDir::new("native_down").unwrap();
    let down = dead_port();
    let down_port = down.port;
    let bridge = bridge_with_mock_and(free_port(), |c| {
        c.endpoints
            .push(Endpoint::host("down", "127.0.0.1", Some(down_port)));
    });
    let mut script = Script::new();
    script.connect(&bridge.target("down")).wait_unlock(10);
    let screen = script.snapshot();
    let run = S3270::new().run(&dir, "down", &script).unwrap();
    let screen = run.snapshot(screen).unwrap();
    assert_eq!(
        screen.row(0),
        "web3270: cannot connect to endpoint down.",
        "{}",
        screen.text()
    );
    assert!(screen.row(2).starts_with("Code: "), "{}", screen.text());
}

/// `sessions.idle_timeout_seconds: 2`: a session without input gets the idle screen, then
/// the bridge closes it.
#[test]
fn idle_session_is_ended_with_a_screen() {
    let screen = screen_after_a_quiet_wait("native_idle", |c| {
        c.sessions.idle_timeout_seconds = Duration::from_secs(2);
    });
    assert_eq!(
        screen.row(0),
        "web3270: session ended: no input for too long.",
        "{}",
        screen.text()
    );
}

/// Shutdown while a client is connected: it gets a shutdown screen, then the close (s3270
/// keeps the last screen after the disconnect); the bridge stops.
#[test]
fn shutdown_says_goodbye_to_native_sessions() {
    let dir = TestDir::new("native_shutdown").unwrap();
    let mut bridge = bridge_with_mock(free_port(), 10);
    let mut script = Script::new();
    script
        .connect(&bridge.target("demo"))
        .wait_unlock(10)
        .wait_disconnect(10);
    let screen = script.snapshot();
    let end = script.actions().len();
    script.action("Query(ConnectionState)");
    let client = std::thread::spawn(move || S3270::new().run(&dir, "shutdown", &script).unwrap());
    std::thread::sleep(Duration::from_secs(1));
    let started = std::time::Instant::now();
    let _ = bridge.stop();
    assert!(started.elapsed() < Duration::from_secs(8));
    let run = client.join().unwrap();
    let screen = run.snapshot(screen).unwrap();
    // The bridge's screen, or the built-in demo host's own farewell when it was first.
    assert!(
        screen.row(0) == "web3270: the bridge is shutting down."
            || screen.contains("The demo host is shutting down"),
        "{}",
        screen.text()
    );
    assert_eq!(run.ok_reply(end).unwrap().data, ["not-connected"]);
}

/// The built-in demo endpoint through the bridge shows what a demo host of its own shows
/// directly: the logon screen, then the menu after a logon (TN3270E, BIND-IMAGE relayed).
#[test]
fn demo_endpoint_sees_the_same_screens_as_a_direct_demo_host() {
    let dir = TestDir::new("native_demo").unwrap();
    let bridge = bridge_with_mock(free_port(), 10);
    let mut demo = DemoHost::start();
    let (d_logon, d_menu) = s3270_demo_logon(&dir, "demo-direct", &demo.target());
    let (b_logon, b_menu) = s3270_demo_logon(&dir, "demo-bridged", &bridge.target("demo"));
    demo.stop();
    assert_eq!(b_logon.connection_state, "connected-tn3270e");
    assert!(b_logon.contains("Userid     ===>"), "{}", b_logon.text());
    assert_eq!(b_logon.rows, d_logon.rows);
    assert_eq!(b_logon.cursor, d_logon.cursor);
    assert!(
        b_menu.contains("Userid: ANN") || b_menu.contains("Userid: ann"),
        "{}",
        b_menu.text()
    );
    assert_eq!(b_menu.rows, d_menu.rows);
    assert_eq!(b_menu.cursor, d_menu.cursor);
}

/// A client that sends garbage and never reaches 3270 mode is closed after the negotiation
/// timeout (the listener alone, `bridge::native::serve`, with a 1 s timeout).
#[test]
fn garbage_client_is_closed_after_the_negotiation_timeout() {
    use std::io::{Read, Write};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let config = bridge::native::NativeConfig {
        max_sessions: 4,
        idle_timeout: Duration::from_secs(60),
        lifetime: Duration::from_secs(3600),
        negotiate_timeout: Duration::from_secs(1),
        write_timeout: Duration::from_secs(5),
        shutdown_grace: Duration::from_secs(5),
        audit: bridge::audit::AuditLog::disabled(),
        start_tls: None,
        places: None,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let pool = std::sync::Arc::new(bridge::pool::Pool::empty());
    let server = rt.spawn(bridge::native::serve(listener, pool, config, async {
        let _ = stopped.await;
    }));
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut first = [0u8; 3];
    s.read_exact(&mut first).unwrap();
    assert_eq!(first, [0xff, 0xfd, 0x28], "IAC DO TN3270E");
    // Not telnet negotiation: text, a lone IAC SB without SE, bytes 0x00..0xff.
    s.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    s.write_all(&[0xff, 0xfa, 0x28, 0x02]).unwrap();
    s.write_all(&(0..=255u8).collect::<Vec<_>>()).unwrap();
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(500) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    let _ = stop.send(());
    rt.block_on(server).unwrap().unwrap();
}
