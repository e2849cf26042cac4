//! The demo host on a real socket, driven by real clients: s3270 (the oracle, see PEERS.md
//! "s3270 as the oracle") for models 2–5, IBM-DYNAMIC (`-oversize 160x62`), TN3270E and
//! plain TN3270 (`-tn IBM-3278-2`); and the workspace's own `tn3270::terminal::Terminal`
//! over a TCP socket, including a host shutdown while it is connected.
//!
//! Each test starts `bridge::demo::serve` on 127.0.0.1:0 in a tokio runtime of its own and
//! stops it at the end. s3270 runs with `-clear aidWait`; every AID is followed by
//! `Wait(10,Unlock)`, and the screen is read with `Ascii()`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use tn3270::input::Key;
use tn3270::terminal::{Terminal, TerminalConfig, TerminalModel};
use web3270_tests::{Script, Snapshot, TestDir, S3270};

/// The demo host, served from a thread of its own until dropped.
struct DemoHost {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DemoHost {
    fn start() -> DemoHost {
        DemoHost::start_with(bridge::demo::DemoConfig::default())
    }

    fn start_with(config: bridge::demo::DemoConfig) -> DemoHost {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                bridge::demo::serve_with(listener, config, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            });
        });
        DemoHost {
            addr: addr_rx.recv_timeout(Duration::from_secs(10)).unwrap(),
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn target(&self) -> String {
        self.addr.to_string()
    }

    /// Stops serving and waits until every session has ended.
    fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

impl Drop for DemoHost {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A script that connects and waits for the first screen.
fn connect(host: &DemoHost) -> Script {
    let mut script = Script::new();
    script.connect(&host.target()).wait_unlock(10);
    script
}

/// An AID action followed by the wait for the keyboard.
fn aid(script: &mut Script, action: &str) {
    script.action(action).wait_unlock(10);
}

fn assert_row(snap: &Snapshot, row: usize, needle: &str) {
    assert!(
        snap.rows[row].contains(needle),
        "row {row} lacks {needle:?}:\n{}",
        snap.text()
    );
}

/// Logon, menu, colours and back, with the screens s3270 shows.
fn logon_and_menu(s3270: S3270, name: &str, state: &str, size: (usize, usize)) {
    logon_and_menu_on(DemoHost::start(), s3270, name, state, size)
}

fn logon_and_menu_on(host: DemoHost, s3270: S3270, name: &str, state: &str, size: (usize, usize)) {
    let dir = TestDir::new(&format!("demo_host_{name}")).unwrap();
    let mut script = connect(&host);
    let logon = script.snapshot();
    script.string("wrong1").tab().string("SECRET99");
    aid(&mut script, "Enter()");
    let refused = script.snapshot();
    script.erase_eof().string("dEmO").tab().string("42");
    aid(&mut script, "Enter()");
    let menu = script.snapshot();
    script.string("3");
    aid(&mut script, "Enter()");
    let sizes = script.snapshot();
    aid(&mut script, "PF(3)");
    script.string("1");
    aid(&mut script, "Enter()");
    let colours = script.snapshot();
    aid(&mut script, "PF(3)");
    aid(&mut script, "PF(3)");
    aid(&mut script, "PF(3)");
    script.wait_disconnect(10);
    let end = script.snapshot();
    let run = s3270.run(&dir, name, &script).unwrap();

    let logon = run.snapshot(logon).unwrap();
    assert_eq!(logon.connection_state, state);
    assert_row(&logon, 0, "DEMO00");
    assert_row(&logon, 0, "Logon");
    assert_row(&logon, 9, "Userid     ===>");
    assert_row(&logon, 10, "Password   ===>");
    assert_row(&logon, 11, "Department ===>");
    assert_row(&logon, 14, "Any userid will do; the password is DEMO.");
    assert_row(&logon, 23, "PF3=Exit");
    assert_eq!(logon.cursor, (9, 22));

    let refused = run.snapshot(refused).unwrap();
    assert_row(
        &refused,
        22,
        "Password not valid. The demo password is DEMO.",
    );
    assert_row(&refused, 9, "WRONG1");
    assert_eq!(refused.cursor, (10, 22));

    let menu = run.snapshot(menu).unwrap();
    assert_row(&menu, 0, "Main menu");
    assert_row(&menu, 2, "Option ===>");
    assert_row(&menu, 2, "Userid: WRONG1");
    assert_row(&menu, 4, "1  Colours");
    assert_row(&menu, 22, "Welcome, WRONG1.");
    assert_eq!(menu.cursor, (2, 14));

    let sizes = run.snapshot(sizes).unwrap();
    assert_eq!((sizes.rows.len(), sizes.rows[0].len()), size);
    let (rows, cols) = size;
    assert!(sizes.rows[0].starts_with('+') && sizes.rows[0].ends_with('+'));
    assert!(sizes.rows[rows - 1].starts_with('+') && sizes.rows[rows - 1].ends_with('+'));
    for row in &sizes.rows[1..rows - 1] {
        assert!(row.starts_with('|') && row.ends_with('|'), "{row}");
    }
    assert!(sizes.contains(&format!(" {rows} rows x {cols} columns ")));

    let colours = run.snapshot(colours).unwrap();
    assert_row(&colours, 0, "Colours and highlighting");

    let end = run.snapshot(end).unwrap();
    assert_eq!(end.connection_state, "not-connected");
    // Neither password ever reached the screen.
    for snap in [&logon, &refused, &menu, &sizes, &colours, &end] {
        assert!(
            !snap.contains("SECRET99") && !snap.contains("dEmO"),
            "{}",
            snap.text()
        );
    }
}

#[test]
fn s3270_model_2_tn3270e() {
    logon_and_menu(
        S3270::new().model("3279-2-E"),
        "model2",
        "connected-tn3270e",
        (24, 80),
    );
}

#[test]
fn s3270_model_3_tn3270e() {
    logon_and_menu(
        S3270::new().model("3279-3-E"),
        "model3",
        "connected-tn3270e",
        (32, 80),
    );
}

#[test]
fn s3270_model_4_tn3270e() {
    logon_and_menu(
        S3270::new().model("3278-4-E"),
        "model4",
        "connected-tn3270e",
        (43, 80),
    );
}

#[test]
fn s3270_model_5_tn3270e() {
    logon_and_menu(
        S3270::new().model("3279-5-E"),
        "model5",
        "connected-tn3270e",
        (27, 132),
    );
}

#[test]
fn s3270_dynamic_160x62() {
    logon_and_menu(
        S3270::new().model("3279-2-E").oversize(160, 62),
        "dynamic",
        "connected-tn3270e",
        (62, 160),
    );
}

/// `-tn IBM-3278-2`: a basic terminal type (no extended data stream) over TN3270E.
#[test]
fn s3270_basic_terminal_type_ibm_3278_2() {
    logon_and_menu(
        S3270::new().model("3278-2").terminal_type("IBM-3278-2"),
        "basic",
        "connected-tn3270e",
        (24, 80),
    );
}

/// A host that offers only plain TN3270 (RFC 1576): s3270 as IBM-3278-2 and as a 3279-4-E.
#[test]
fn s3270_plain_tn3270() {
    let plain = || {
        DemoHost::start_with(bridge::demo::DemoConfig {
            tn3270e: false,
            ..bridge::demo::DemoConfig::default()
        })
    };
    logon_and_menu_on(
        plain(),
        S3270::new().model("3278-2").terminal_type("IBM-3278-2"),
        "plain2",
        "connected-3270",
        (24, 80),
    );
    logon_and_menu_on(
        plain(),
        S3270::new().model("3279-4-E"),
        "plain4",
        "connected-3270",
        (43, 80),
    );
}
