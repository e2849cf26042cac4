//! The demo host on a real socket, driven by real clients: s3270 (the oracle, see PEERS.md
//! "s3270 as the oracle") for models 2–5, IBM-DYNAMIC (`-oversize 160x62`), TN3270E and
//! plain TN3270 (`-tn IBM-3278-2`); and the workspace's own `tn3270::terminal::Terminal`
//! over a TCP socket, including a host shutdown while it is connected.
//!
//! Each test starts `bridge::demo::serve` on 127.0.0.1:0 in a tokio runtime of its own and
//! stops it at the end. s3270 runs with `-clear aidWait`; every AID is followed by
//! `Wait(10,Unlock)`, and the screen is read with `Ascii()`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use support::DemoHost;
use tn3270::input::Key;
use tn3270::terminal::{Terminal, TerminalConfig, TerminalModel};
use web3270_tests::{Script, Snapshot, TestDir, S3270};

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

/// The order form, PA1, an undefined PF key, Clear and PF12 as s3270 sees them.
#[test]
fn s3270_form_validation_and_keys() {
    let host = DemoHost::start();
    let dir = TestDir::new("demo_host_form").unwrap();
    let mut script = connect(&host);
    script.string("ann").tab().string("DEMO");
    aid(&mut script, "Enter()");
    script.string("2");
    aid(&mut script, "Enter()");
    let form = script.snapshot();
    script
        .string("ACME Widgets")
        .tab()
        .string("12345678")
        .string("0");
    aid(&mut script, "Enter()");
    let refused = script.snapshot();
    script.erase_eof().string("12").tab().string("12.50");
    aid(&mut script, "Enter()");
    let accepted = script.snapshot();
    aid(&mut script, "PA(1)");
    let pa1 = script.snapshot();
    aid(&mut script, "PF(5)");
    let pf5 = script.snapshot();
    aid(&mut script, "Clear()");
    let cleared = script.snapshot();
    aid(&mut script, "PF(12)");
    let menu = script.snapshot();
    let run = S3270::new()
        .model("3279-2-E")
        .run(&dir, "form", &script)
        .unwrap();

    let form = run.snapshot(form).unwrap();
    assert_row(&form, 0, "Order entry");
    assert_row(&form, 4, "Customer name  * ===>");
    assert_row(&form, 6, "Account number * ===>");
    assert_eq!(form.cursor, (4, 25));

    let refused = run.snapshot(refused).unwrap();
    assert_row(
        &refused,
        22,
        "Quantity must be a whole number from 1 to 99999.",
    );
    assert_row(&refused, 4, "ACME Widgets");
    assert_row(&refused, 6, "12345678");
    assert_eq!(refused.cursor, (8, 25));

    let accepted = run.snapshot(accepted).unwrap();
    assert_row(&accepted, 22, "Order accepted: total 150.00.");
    // Amounts right-justified in one column.
    let amount_end = |label: &str| {
        let row = accepted
            .rows
            .iter()
            .find(|r| r.starts_with(&format!("    {label}")))
            .unwrap();
        row.trim_end().len()
    };
    assert_eq!(amount_end("Quantity"), amount_end("Total"));
    assert_eq!(amount_end("Unit price"), amount_end("Total"));
    assert!(accepted.contains("      150.00"));
    assert!(accepted.contains("       12.50"));

    let pa1 = run.snapshot(pa1).unwrap();
    assert_row(&pa1, 22, "PA1: attention received.");
    assert_row(&pa1, 17, "12"); // the form is still there
    let pf5 = run.snapshot(pf5).unwrap();
    assert_row(&pf5, 22, "PF5 not defined");
    let cleared = run.snapshot(cleared).unwrap();
    assert_row(&cleared, 0, "Order entry");
    assert_eq!(cleared.row(22), "");
    let menu = run.snapshot(menu).unwrap();
    assert_row(&menu, 0, "Main menu");
    assert_row(&menu, 22, "Order cancelled.");
}

/// The workspace's own terminal over a TCP socket.
struct SocketTerminal {
    stream: TcpStream,
    term: Terminal,
}

impl SocketTerminal {
    fn connect(host: &DemoHost, model: &str) -> SocketTerminal {
        let stream = TcpStream::connect(host.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let mut term = Terminal::new(TerminalConfig {
            model: TerminalModel::parse(model).unwrap(),
            ..TerminalConfig::default()
        });
        term.connected();
        SocketTerminal { stream, term }
    }

    /// Exchanges bytes until `done` holds; false on EOF before that.
    fn until(&mut self, done: impl Fn(&Terminal) -> bool) -> bool {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut buf = [0u8; 4096];
        loop {
            let out = self.term.take_output();
            if !out.is_empty() {
                self.stream.write_all(&out).unwrap();
            }
            if done(&self.term) {
                return true;
            }
            assert!(std::time::Instant::now() < deadline, "timed out");
            match self.stream.read(&mut buf) {
                Ok(0) => return done(&self.term),
                Ok(n) => {
                    self.term.feed(&buf[..n]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => panic!("{e}"),
            }
        }
    }

    fn shows(&mut self, needle: &str) -> bool {
        let needle = needle.to_string();
        self.until(move |t| t.text_rows().iter().any(|r| r.contains(&needle)))
    }
}

#[test]
fn our_terminal_over_a_socket_logs_on_and_sees_the_host_shut_down() {
    let mut host = DemoHost::start();
    let mut client = SocketTerminal::connect(&host, "3279-3-E");
    assert!(client.shows("Userid     ===>"));
    client.term.type_text("zoe\tdemo");
    client.term.key(Key::Enter);
    assert!(client.shows("Welcome, ZOE."));
    assert!(client.shows("32 x 80 (Erase/Write Alternate, from the Query Reply)"));
    client.term.type_text("3");
    client.term.key(Key::Enter);
    assert!(client.shows(" 32 rows x 80 columns "));
    assert_eq!(client.term.screen().rows(), 32);

    // Shutdown: the session shows the farewell on its message row, then the socket closes.
    host.signal_stop();
    assert!(client.shows("The demo host is shutting down. Goodbye."));
    let mut rest = Vec::new();
    client
        .stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    client.stream.read_to_end(&mut rest).unwrap();
    host.stop();
}

#[test]
fn garbage_does_not_hurt_the_host() {
    let host = DemoHost::start();
    // Random bytes, then the connection is dropped.
    let mut junk = TcpStream::connect(host.addr).unwrap();
    junk.write_all(&[0xff, 0xfa, 0x28, 0x00, 0xff, 0xff, 0x00, 0x7d, 0xff, 0xef])
        .unwrap();
    junk.write_all(&[0x42; 2000]).unwrap();
    drop(junk);
    // A 3270 connecting afterwards is served as usual.
    let mut client = SocketTerminal::connect(&host, "3279-2-E");
    assert!(client.shows("Userid     ===>"));
    // Records the terminal would never send: the host answers with a message, not a crash.
    client
        .stream
        .write_all(&[0x00, 0x00, 0x00, 0x00, 0x00, 0x42, 0xff, 0xef])
        .unwrap();
    assert!(client.shows("Input not understood (unknown AID X'42')"));
}

/// A TN3270E terminal (the core's `ClientConnection`, no screen) that never answers the
/// Read Partition Query and then stays silent: the host goes on to the logon screen after
/// the query timeout, and ends the session after the idle timeout.
#[test]
fn query_and_idle_timeouts() {
    use tn3270::tn3270e::{ClientConfig, ClientConnection, Event};
    let host = DemoHost::start_with(bridge::demo::DemoConfig {
        query_timeout: Duration::from_millis(200),
        idle_timeout: Duration::from_millis(700),
        ..bridge::demo::DemoConfig::default()
    });
    let mut stream = TcpStream::connect(host.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut conn = ClientConnection::new(ClientConfig::default());
    let started = std::time::Instant::now();
    let mut commands = Vec::new(); // (first byte of each 3270-DATA record, when it came)
    let mut bind = false;
    let mut buf = [0u8; 4096];
    loop {
        assert!(started.elapsed() < Duration::from_secs(10), "no close");
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                conn.feed(&buf[..n]);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("{e}"),
        }
        while let Some(event) = conn.poll_event() {
            match event {
                Event::Bind(_) => bind = true,
                Event::Record { data, .. } => commands.push((data[0], started.elapsed())),
                _ => {}
            }
        }
        stream.write_all(&conn.take_output()).unwrap();
    }
    assert!(bind);
    let codes: Vec<u8> = commands.iter().map(|(c, _)| *c).collect();
    // WSF (Read Partition Query), Erase/Write (logon), Write (farewell).
    assert_eq!(codes, [0x11, 0x05, 0x01]);
    assert!(commands[1].1 >= Duration::from_millis(200));
    // The idle timer runs from the terminal's last input (its negotiation answers, before the
    // query timeout), so the farewell comes at least 700 ms after the connection started —
    // not necessarily 700 ms after the logon screen.
    assert!(commands[2].1 >= Duration::from_millis(700));
    assert!(commands[2].1 > commands[1].1);
}
