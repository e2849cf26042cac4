//! Issue 3's conformance test: sessions THROUGH the bridge see what s3270 sees connecting to
//! the host directly, and the host receives the same bytes for the same keystrokes.
//!
//! Front ends: the websocket (a Rust client driving the core's record-mode `Terminal`, as
//! the web client does) and the TN3270 listener (s3270 pointed at the bridge). Hosts:
//! - mainframe-mocker's `tests/hosts/logon.py` with TN3270E on and off (websocket; the
//!   native listener's cases are in `native.rs`), and over TLS (mfmock's TLS port with a
//!   certificate of an rcgen test CA; websocket and native), compared screen by screen and
//!   record by record with what mfmock's `--trace` shows it received from s3270 directly;
//! - Hercules' console (plain TN3270 only; it records nothing, so screens are compared);
//! - the embedded demo host (websocket against s3270 on a standalone demo host).
//!
//! What may differ, and is masked: the LU name mfmock assigns per connection (`TERMnnnn`),
//! Hercules' device number (`DEVICE 001n`), and the SEQ-NUMBER of TN3270E headers towards
//! the host (each client numbers its own records; see docs/NATIVE-TN3270.md). A browser is
//! not s3270: its terminal (the core's `Terminal`) describes itself in its own Query Reply
//! (GA23-0059 ch. 6: Field Validation instead of s3270's DDM, RPQ Names "web3270"), which
//! the bridge relays untouched; so on the websocket side the Query Reply records are compared
//! as "a Query Reply" and every other record byte for byte, and the demo host's row that
//! reports the terminal's field validation support is masked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
mod upstream_support;

use std::net::SocketAddr;
use std::time::Duration;

use bridge::config::{Endpoint, EndpointTls};
use support::*;
use tn3270::input::Key;
use tn3270::terminal::Terminal;
use web3270_tests::hercules::LOGO_ROWS;
use web3270_tests::trace::{Direction, MfMockRecord};
use web3270_tests::{Hercules, MfMock, MfMockApp, MfMockOptions, Script, Snapshot, TestDir, S3270};

/// A screen as the comparison sees it: rows (LU names masked) and cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    rows: Vec<String>,
    cursor: (usize, usize),
}

impl From<&Snapshot> for Seen {
    fn from(s: &Snapshot) -> Seen {
        Seen {
            rows: mask_lu_names(&s.rows),
            cursor: s.cursor,
        }
    }
}

impl From<&Browser> for Seen {
    fn from(b: &Browser) -> Seen {
        Seen {
            rows: mask_lu_names(&b.rows()),
            cursor: b.cursor(),
        }
    }
}

/// The keyboard is unlocked and the screen shows `needle`.
fn ready_with(needle: &'static str) -> impl Fn(&Terminal) -> bool {
    move |t: &Terminal| !t.screen().is_locked() && t.text_rows().iter().any(|r| r.contains(needle))
}

/// A browser signs on to `endpoint` through the bridge's websocket (plain `ws://`).
fn browser_logon(http: SocketAddr, endpoint: &str) -> (Seen, Seen, serde_json::Value) {
    runtime().block_on(async {
        let mut b = Browser::open(ws_connect(http).await, hello(endpoint)).await;
        b.until("the sign-on screen", ready_with("USERID")).await;
        let signon = Seen::from(&b);
        b.type_and_send(MFMOCK_LOGON_INPUT, Key::Enter).await;
        b.until("the menu", ready_with("WELCOME ALICE")).await;
        (signon, Seen::from(&b), b.session.clone())
    })
}

/// mfmock's records per session, sessions in the order they connected; the SEQ-NUMBER of
/// TN3270E headers towards the host zeroed.
fn sessions(records: &[MfMockRecord], tn3270e: bool) -> Vec<Vec<(Direction, Vec<u8>)>> {
    let mut lus: Vec<&str> = Vec::new();
    for r in records {
        if !lus.contains(&r.lu.as_str()) {
            lus.push(&r.lu);
        }
    }
    lus.iter()
        .map(|lu| lu_records(records, lu, tn3270e))
        .collect()
}

/// A session's records with each Query Reply (AID X'88' after the TN3270E header, if any)
/// cut down to its AID: the terminal's self-description, not the bridge's doing.
fn query_replies_as_aid(
    session: &[(Direction, Vec<u8>)],
    tn3270e: bool,
) -> Vec<(Direction, Vec<u8>)> {
    let body = if tn3270e { TN3270E_HEADER_LEN } else { 0 };
    session
        .iter()
        .map(|(direction, bytes)| {
            let mut bytes = bytes.clone();
            if *direction == Direction::ToHost && bytes.get(body) == Some(&AID_QUERY_REPLY) {
                bytes.truncate(body + 1);
            }
            (*direction, bytes)
        })
        .collect()
}

/// Bytes of a TN3270E header (RFC 2355 §8: data type, request, response, SEQ-NUMBER x2).
const TN3270E_HEADER_LEN: usize = 5;
/// The AID of a Query Reply (structured field), GA23-0059 §3.5.
const AID_QUERY_REPLY: u8 = 0x88;

/// The bridge on free loopback ports with the demo endpoint and `extra`.
fn bridge_with(extra: Vec<Endpoint>) -> BridgeThread {
    let mut config = demo_config();
    config.server.port = free_port();
    config.endpoints.extend(extra);
    // Health checks off: mfmock records every connection, and the pool's probes would add
    // connections of their own to the ones compared here.
    config.load_balancer.health_check_interval = std::time::Duration::ZERO;
    start_in_thread(config)
}

/// mfmock `logon.py` (TN3270E on or off): s3270 directly, then a browser through the
/// websocket; same screens, and mfmock received the same records from both.
fn websocket_logon_matches_direct(tn3270e: bool, dir_name: &str) {
    venv_on_path();
    let dir = TestDir::new(dir_name).unwrap();
    let options = MfMockOptions {
        tn3270e,
        ..MfMockOptions::default()
    };
    let host = MfMock::start(&dir, &MfMockApp::Logon, &options).unwrap();
    let bridge = bridge_with(vec![Endpoint::host("mock", "127.0.0.1", Some(host.port))]);

    let (d_signon, d_menu) = s3270_mfmock_logon(
        &S3270::new().model("3279-2-E"),
        &dir,
        "direct",
        &host.address(),
    );
    let (b_signon, b_menu, session) = browser_logon(bridge.addr, "mock");

    let state = if tn3270e {
        "connected-tn3270e"
    } else {
        "connected-3270"
    };
    assert_eq!(d_signon.connection_state, state);
    assert_eq!(session["mode"], if tn3270e { "tn3270e" } else { "tn3270" });
    assert!(d_signon.contains("USERID"), "{}", d_signon.text());
    assert_eq!(b_signon, Seen::from(&d_signon));
    assert_eq!(b_menu, Seen::from(&d_menu));

    let sessions = sessions(&host.records(), tn3270e);
    assert_eq!(sessions.len(), 2, "direct and bridged: {sessions:?}");
    let (direct, bridged) = (&sessions[0], &sessions[1]);
    // Query, Query Reply, sign-on screen, the logon input, the menu.
    assert!(direct.len() >= 5, "{direct:?}");
    let input = direct
        .iter()
        .rfind(|(d, _)| *d == Direction::ToHost)
        .unwrap();
    assert!(bridged.contains(input), "the logon input byte for byte");
    assert_eq!(
        query_replies_as_aid(bridged, tn3270e),
        query_replies_as_aid(direct, tn3270e),
        "bridged vs direct records"
    );
}

#[test]
fn websocket_to_mfmock_tn3270e_matches_s3270_direct() {
    websocket_logon_matches_direct(true, "through_ws_mfmock_tn3270e");
}

#[test]
fn websocket_to_mfmock_plain_tn3270_matches_s3270_direct() {
    websocket_logon_matches_direct(false, "through_ws_mfmock_plain");
}

/// mfmock's TLS port with a certificate of our test CA for `mfmock.test`: s3270 directly
/// over TLS (`L:`, `-cafile`), s3270 through the bridge's TN3270 listener, and a browser
/// through the websocket — the bridge dials with `tls.ca_file` and `server_name`. Same
/// screens for all three, the same records at the host.
#[test]
fn mfmock_over_tls_through_both_front_ends_matches_s3270_direct() {
    venv_on_path();
    let dir = TestDir::new("through_mfmock_tls").unwrap();
    let pki = upstream_support::Pki::new("through_mfmock_tls_pki");
    let cert = pki.leaf("mfmock", &["mfmock.test", "127.0.0.1"]);
    let options = MfMockOptions {
        tls: Some((cert.cert.clone(), cert.key.clone())),
        ..MfMockOptions::default()
    };
    let host = MfMock::start(&dir, &MfMockApp::Logon, &options).unwrap();
    let tls_port = host.tls_port.unwrap();
    let mut endpoint = Endpoint::host("mocktls", "127.0.0.1", Some(tls_port));
    endpoint.tls = upstream_support::tls_settings(&pki.ca_file, "mfmock.test");
    assert!(matches!(endpoint.tls, EndpointTls { enabled: true, .. }));
    let bridge = bridge_with(vec![endpoint]);

    let ca = pki.ca_file.to_string_lossy().into_owned();
    let direct_s3270 = S3270::new()
        .model("3279-2-E")
        .arg("-cafile")
        .arg(&ca)
        .arg("-accepthostname")
        .arg("mfmock.test");
    let (d_signon, d_menu) = s3270_mfmock_logon(
        &direct_s3270,
        &dir,
        "direct",
        &format!("L:127.0.0.1:{tls_port}"),
    );
    let (n_signon, n_menu) = s3270_mfmock_logon(
        &S3270::new().model("3279-2-E"),
        &dir,
        "native",
        &bridge.target("mocktls"),
    );
    let (b_signon, b_menu, session) = browser_logon(bridge.addr, "mocktls");

    assert_eq!(d_signon.connection_state, "connected-tn3270e");
    assert!(d_signon.contains("USERID"), "{}", d_signon.text());
    assert_eq!(session["tls"], true, "{session}");
    assert_eq!(Seen::from(&n_signon), Seen::from(&d_signon));
    assert_eq!(Seen::from(&n_menu), Seen::from(&d_menu));
    assert_eq!(b_signon, Seen::from(&d_signon));
    assert_eq!(b_menu, Seen::from(&d_menu));

    let sessions = sessions(&host.records(), true);
    assert_eq!(sessions.len(), 3, "direct, native, websocket: {sessions:?}");
    assert!(sessions[0].len() >= 3, "{:?}", sessions[0]);
    assert_eq!(sessions[1], sessions[0], "native vs direct records");
    assert_eq!(
        query_replies_as_aid(&sessions[2], true),
        query_replies_as_aid(&sessions[0], true),
        "websocket vs direct records"
    );
}

/// Hercules' console (plain TN3270, a fixed logo): s3270 directly, s3270 through the TN3270
/// listener and a browser through the websocket see the same logo screen and cursor; after
/// Enter the keyboard stays locked everywhere (no OS answers) and the screen is unchanged.
#[test]
fn hercules_through_both_front_ends_matches_s3270_direct() {
    let dir = TestDir::new("through_hercules").unwrap();
    let herc = Hercules::start(&dir).unwrap();
    let bridge = bridge_with(vec![Endpoint::host("herc", "127.0.0.1", Some(herc.port))]);
    // Hercules' device number (row 22) depends on which device is free.
    let seen = |rows: &[String], cursor| {
        let mut rows = rows.to_vec();
        if let Some(row) = rows.get_mut(22) {
            assert!(row.trim().starts_with("DEVICE 001"), "{row:?}");
            *row = String::from("DEVICE 001x");
        }
        Seen { rows, cursor }
    };
    let s3270_run = |name: &str, target: &str| {
        let mut script = Script::new();
        script.connect(target).wait_unlock(10);
        let logo = script.snapshot();
        script.enter().wait_unlock(2);
        let after = script.snapshot();
        let run = S3270::new()
            .model("3279-2-E")
            .run(&dir, name, &script)
            .unwrap();
        (run.snapshot(logo).unwrap(), run.snapshot(after).unwrap())
    };
    let (d_logo, d_after) = s3270_run("direct", &herc.address());
    let (n_logo, n_after) = s3270_run("native", &bridge.target("herc"));
    let (b_logo, b_after, locked) = runtime().block_on(async {
        let mut b = Browser::open(ws_connect(bridge.addr).await, hello("herc")).await;
        assert_eq!(b.session["mode"], "tn3270", "Hercules never agrees TN3270E");
        b.until("the logo", ready_with(LOGO_ROWS[0].1)).await;
        let logo = seen(&b.rows(), b.cursor());
        b.type_and_send("", Key::Enter).await;
        // Nothing comes back: give the host time to (not) answer.
        let quiet = tokio::time::timeout(Duration::from_secs(2), b.ws_next()).await;
        assert!(quiet.is_err(), "Hercules answered: {quiet:?}");
        (
            logo,
            seen(&b.rows(), b.cursor()),
            b.term.screen().is_locked(),
        )
    });

    assert_eq!(d_logo.connection_state, "connected-3270");
    for (row, text) in LOGO_ROWS.iter().take(2) {
        assert_eq!(d_logo.row(*row), *text);
    }
    let d = seen(&d_logo.rows, d_logo.cursor);
    // The bridge speaks TN3270E with s3270 and plain TN3270 with Hercules.
    assert_eq!(n_logo.connection_state, "connected-tn3270e");
    assert_eq!(seen(&n_logo.rows, n_logo.cursor), d);
    assert_eq!(b_logo, d);
    // After Enter: locked, unchanged.
    assert_eq!(d_after.status.as_ref().map(|s| s.keyboard), Some('L'));
    assert_eq!(n_after.status.as_ref().map(|s| s.keyboard), Some('L'));
    assert!(locked);
    assert_eq!(seen(&d_after.rows, d_after.cursor), d);
    assert_eq!(seen(&n_after.rows, n_after.cursor), d);
    assert_eq!(b_after, d);
}

/// The embedded demo host: a browser through the bridge's websocket sees the logon screen
/// and, after a logon, the menu exactly as s3270 shows them on a standalone demo host.
#[test]
fn websocket_to_the_demo_host_matches_s3270_direct() {
    let dir = TestDir::new("through_ws_demo").unwrap();
    let bridge = bridge_with(Vec::new());
    let mut demo = DemoHost::start();
    let (d_logon, d_menu) = s3270_demo_logon(&dir, "direct", &demo.target());
    demo.stop();

    let (b_logon, b_menu) = runtime().block_on(async {
        let mut b = Browser::open(ws_connect(bridge.addr).await, hello("demo")).await;
        b.until("the logon screen", ready_with("Logon")).await;
        let logon = Seen::from(&b);
        b.type_and_send("ann\tDEMO", Key::Enter).await;
        b.until("the menu", ready_with("Main menu")).await;
        (logon, Seen::from(&b))
    });
    assert!(d_logon.contains("Userid     ===>"), "{}", d_logon.text());
    assert_eq!(b_logon, Seen::from(&d_logon));
    // The menu reports the terminal's Query Reply: the core announces field validation.
    let validation = |seen: &Seen| {
        seen.rows
            .iter()
            .find(|r| r.contains("Field validation"))
            .cloned()
            .unwrap_or_default()
    };
    assert!(
        validation(&b_menu).contains("announced by your terminal"),
        "{b_menu:?}"
    );
    let without_validation = |seen: &Seen| Seen {
        rows: seen
            .rows
            .iter()
            .filter(|r| !r.contains("Field validation"))
            .cloned()
            .collect(),
        cursor: seen.cursor,
    };
    assert_eq!(
        without_validation(&b_menu),
        without_validation(&Seen::from(&d_menu))
    );
}
