//! mainframe-mocker serving our test applications (`tests/hosts/*.py`), driven by s3270:
//! sign-on and menu over TN3270E and plain TN3270, colours and field kinds, the alarm, and
//! every screen size; mfmock's `--trace` shows what the host received.
//!
//! Run one: `cargo test -p web3270-tests --test mfmock -- logon`.
// Test code: a failed unwrap is a failed test (helpers outside #[test] fns too).
#![allow(clippy::unwrap_used)]

use web3270_tests::mfmock::self_signed_cert;
use web3270_tests::s3270::Snapshot;
use web3270_tests::tnz::run_tnz;
use web3270_tests::trace::{Direction, MfMockRecord};
use web3270_tests::{MfMock, MfMockApp, MfMockOptions, Script, TestDir, S3270};

/// TN3270E header length (RFC 2355 §8): the 3270 command follows it.
const TN3270E_HEADER: usize = 5;
/// WCC bit: sound the alarm (GA23-0059 §3.4).
const WCC_ALARM: u8 = 0x04;
/// AID Enter.
const AID_ENTER: u8 = 0x7d;
/// AID PF3.
const AID_PF3: u8 = 0xf3;
/// Erase/Write and Erase/Write Alternate (EBCDIC command codes).
const CMD_EW: u8 = 0xf5;
const CMD_EWA: u8 = 0x7e;

/// EBCDIC (cp037) of ASCII letters and digits, enough to find typed text in host records.
fn ebcdic(text: &str) -> Vec<u8> {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'i' => 0x81 + (b - b'a'),
            b'j'..=b'r' => 0x91 + (b - b'j'),
            b's'..=b'z' => 0xa2 + (b - b's'),
            b'A'..=b'I' => 0xc1 + (b - b'A'),
            b'J'..=b'R' => 0xd1 + (b - b'J'),
            b'S'..=b'Z' => 0xe2 + (b - b'S'),
            b'0'..=b'9' => 0xf0 + (b - b'0'),
            _ => 0x40,
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The records mfmock received from the client (3270 data with the TN3270E header stripped
/// if `header` says so), skipping the Query Reply (an inbound structured field, 0x88).
fn received(host: &MfMock, header: usize) -> Vec<Vec<u8>> {
    host.records()
        .into_iter()
        .filter(|r: &MfMockRecord| r.direction == Direction::ToHost)
        .map(|r| r.bytes.get(header..).unwrap_or_default().to_vec())
        .filter(|r| r.first() != Some(&0x88))
        .collect()
}

/// The screens mfmock sent, skipping the Read Partition Query (a WSF, 0xf3). mfmock logs what
/// it sends before adding the TN3270E header, so these start with the 3270 command.
fn screens_sent(host: &MfMock) -> Vec<Vec<u8>> {
    host.records()
        .into_iter()
        .filter(|r| r.direction == Direction::FromHost && r.bytes.first() != Some(&0xf3))
        .map(|r| r.bytes)
        .collect()
}

fn sign_on(script: &mut Script, user: &str, password: &str, branch: &str) {
    script
        .string(user)
        .tab()
        .string(password)
        .tab()
        .string(branch)
        .enter()
        .wait_unlock(10);
}

fn assert_signon_screen(screen: &Snapshot) {
    assert!(
        screen.contains("W E B 3 2 7 0   T E S T   H O S T"),
        "{}",
        screen.text()
    );
    assert!(
        screen.row(7).starts_with("USERID  . . :"),
        "{}",
        screen.text()
    );
    // IC puts the cursor in the userid field.
    assert_eq!(screen.cursor, (7, 24));
    let userid = screen.field_at(7, 24).unwrap();
    assert!(!userid.protected() && !userid.hidden() && !userid.numeric());
    let password = screen.field_at(9, 24).unwrap();
    assert!(!password.protected() && password.hidden());
    let branch = screen.field_at(11, 24).unwrap();
    assert!(!branch.protected() && branch.numeric());
    assert!(screen.field_at(3, 30).unwrap().protected());
}

#[test]
fn logon_over_tn3270e_reaches_the_menu_showing_the_userid() {
    let dir = TestDir::new("mfmock_logon_tn3270e").unwrap();
    let host = MfMock::start(&dir, &MfMockApp::Logon, &MfMockOptions::default()).unwrap();
    let mut script = Script::new();
    script.connect(&host.address()).wait_unlock(10);
    let signon = script.snapshot();
    sign_on(&mut script, "alice", "web3270", "0042");
    let menu = script.snapshot();
    script.pf(3).wait_disconnect(10);
    let end = script.actions().len();
    script.action("Query(ConnectionState)");
    let run = S3270::new()
        .model("3279-2-E")
        .trace(true)
        .run(&dir, "logon", &script)
        .unwrap();

    let signon = run.snapshot(signon).unwrap();
    assert_eq!(signon.connection_state, "connected-tn3270e");
    assert_signon_screen(&signon);
    // Extended terminal: fields carry colours (SFE), the userid is green and underscored.
    let userid = signon.field_at(7, 24).unwrap();
    assert_eq!(
        (userid.color(), userid.highlighting()),
        (Some(0xf4), Some(0xf4))
    );

    let menu = run.snapshot(menu).unwrap();
    assert_eq!(menu.row(3), "WELCOME ALICE");
    assert_eq!(menu.row(4), "BRANCH  0042");
    assert_eq!(menu.row(22), "LGN0100I SIGNED ON AS ALICE");
    assert!(menu.row(0).contains("MAIN MENU") && menu.row(0).contains("ALICE"));
    assert_eq!(menu.cursor, (12, 21));
    // The password was never shown.
    assert!(!signon.contains("web3270") && !menu.contains("web3270"));

    // PF3 ends the session.
    assert!(run.reply(end - 1).unwrap().ok, "Wait(10,Disconnect)");
    assert_eq!(
        run.reply(end).unwrap().data,
        vec!["not-connected".to_string()]
    );

    // What the host received: Enter with the three fields as typed, then PF3.
    let inbound = received(&host, TN3270E_HEADER);
    assert_eq!(inbound.len(), 2, "{inbound:02x?}");
    assert_eq!(inbound[0].first(), Some(&AID_ENTER));
    for typed in ["alice", "web3270", "0042"] {
        assert!(
            contains(&inbound[0], &ebcdic(typed)),
            "{typed} not in {:02x?}",
            inbound[0]
        );
    }
    assert_eq!(inbound[1].first(), Some(&AID_PF3));
}

#[test]
fn logon_over_plain_tn3270_on_a_basic_terminal() {
    let dir = TestDir::new("mfmock_logon_tn3270").unwrap();
    let options = MfMockOptions {
        tn3270e: false,
        ..MfMockOptions::default()
    };
    let host = MfMock::start(&dir, &MfMockApp::Logon, &options).unwrap();
    let mut script = Script::new();
    script.connect(&host.address()).wait_unlock(10);
    let signon = script.snapshot();
    sign_on(&mut script, "bob", "WEB3270", "7");
    let menu = script.snapshot();
    let run = S3270::new()
        .model("3278-2")
        .terminal_type("IBM-3278-2")
        .run(&dir, "logon", &script)
        .unwrap();

    let signon = run.snapshot(signon).unwrap();
    assert_eq!(signon.connection_state, "connected-3270");
    assert_signon_screen(&signon);
    // A basic terminal gets plain SF orders (no colour) and underscores in input fields.
    let userid = signon.field_at(7, 24).unwrap();
    assert_eq!(userid.color(), None);
    assert_eq!(userid.text, "________");

    let menu = run.snapshot(menu).unwrap();
    assert_eq!(menu.row(3), "WELCOME BOB");
    assert!(menu.row(4).starts_with("BRANCH  7"), "{}", menu.text());
    // No TN3270E header on plain TN3270.
    let inbound = received(&host, 0);
    assert_eq!(inbound.first().and_then(|r| r.first()), Some(&AID_ENTER));
}

#[test]
fn a_wrong_password_shows_an_error_and_sounds_the_alarm() {
    let dir = TestDir::new("mfmock_logon_bad_password").unwrap();
    let host = MfMock::start(&dir, &MfMockApp::Logon, &MfMockOptions::default()).unwrap();
    let mut script = Script::new();
    script.connect(&host.address()).wait_unlock(10);
    sign_on(&mut script, "carol", "nope", "1");
    let error = script.snapshot();
    let run = S3270::new()
        .model("3279-2-E")
        .run(&dir, "logon", &script)
        .unwrap();

    let error = run.snapshot(error).unwrap();
    assert_eq!(error.row(22), "LGN0101E PASSWORD IS INCORRECT");
    assert_eq!(
        error.cursor,
        (9, 24),
        "the cursor goes to the password field"
    );
    assert_eq!(
        error.field_at(22, 5).unwrap().color(),
        Some(0xf2),
        "errors are red"
    );
    // The second screen's WCC (after the 3270 command) has the alarm bit; the first has not.
    let screens = screens_sent(&host);
    assert_eq!(screens.len(), 2);
    assert_eq!(screens[0].get(1).map(|wcc| wcc & WCC_ALARM), Some(0));
    assert_eq!(
        screens[1].get(1).map(|wcc| wcc & WCC_ALARM),
        Some(WCC_ALARM)
    );
}

#[test]
fn colours_app_shows_every_colour_highlight_and_field_kind() {
    let dir = TestDir::new("mfmock_colours").unwrap();
    let host = MfMock::start(&dir, &MfMockApp::Colours, &MfMockOptions::default()).unwrap();
    let mut script = Script::new();
    script.connect(&host.address()).wait_unlock(10);
    let first = script.snapshot();
    script
        .string("bob")
        .tab()
        .string("12")
        .tab()
        .string("1234")
        .enter()
        .wait_unlock(10);
    let echoed = script.snapshot();
    script
        .move_cursor(11, 15)
        .erase_eof()
        .string("ALARM")
        .enter()
        .wait_unlock(10);
    let alarmed = script.snapshot();
    let run = S3270::new()
        .model("3279-2-E")
        .run(&dir, "colours", &script)
        .unwrap();

    let s = run.snapshot(first).unwrap();
    assert_eq!(s.row(0), "COLOUR AND FIELD TEST");
    assert_eq!(s.cursor, (11, 15), "IC in the NAME field");
    // Rows 2-8: blue..white; columns 14 normal, 25 reverse, 36 underscore, 48 blink (each
    // preceded by its attribute cell).
    for (row, colour) in (2..).zip(0xf1..=0xf7u8) {
        for (col, highlight) in [
            (14, None),
            (25, Some(0xf2)),
            (36, Some(0xf4)),
            (48, Some(0xf1)),
        ] {
            let field = s.field_at(row, col).unwrap();
            assert_eq!(
                (field.col, field.color(), field.highlighting()),
                (col - 1, Some(colour), highlight),
                "at {row},{col}"
            );
            assert!(field.protected());
            assert_eq!(field.text.trim(), "Sample");
        }
    }
    let name = s.field_at(11, 15).unwrap();
    assert!(!name.protected() && !name.numeric() && !name.hidden());
    let amount = s.field_at(12, 15).unwrap();
    assert!(!amount.protected() && amount.numeric());
    let pin = s.field_at(13, 15).unwrap();
    assert!(!pin.protected() && pin.hidden());
    let fixed = s.field_at(14, 15).unwrap();
    assert!(fixed.protected() && fixed.text.starts_with("PROTECTED TEXT"));
    let bright = s.field_at(15, 15).unwrap();
    assert!(bright.protected() && bright.intensified() && bright.color() == Some(0xf6));

    let echoed = run.snapshot(echoed).unwrap();
    assert_eq!(echoed.row(21), "COL0100I NAME=BOB AMOUNT=12 PIN=4 CHARS");
    assert!(!echoed.contains("1234"), "the PIN is never displayed");
    let alarmed = run.snapshot(alarmed).unwrap();
    assert_eq!(alarmed.row(21), "COL0101E ALARM REQUESTED");

    let screens = screens_sent(&host);
    let alarms: Vec<bool> = screens
        .iter()
        .map(|s| s.get(1).is_some_and(|wcc| wcc & WCC_ALARM != 0))
        .collect();
    assert_eq!(alarms, vec![false, false, true]);
}

#[test]
fn sizes_app_fills_models_2_to_5_and_a_dynamic_160x62_screen() {
    let dir = TestDir::new("mfmock_sizes").unwrap();
    let host = MfMock::start(&dir, &MfMockApp::Sizes, &MfMockOptions::default()).unwrap();
    let cases: [(&str, S3270, usize, usize); 5] = [
        ("model2", S3270::new().model("3279-2-E"), 24, 80),
        ("model3", S3270::new().model("3279-3-E"), 32, 80),
        ("model4", S3270::new().model("3278-4"), 43, 80),
        ("model5", S3270::new().model("3279-5-E"), 27, 132),
        (
            "dynamic",
            S3270::new()
                .model("3279-2-E")
                .terminal_type("IBM-DYNAMIC")
                .oversize(160, 62),
            62,
            160,
        ),
    ];
    for (name, s3270, rows, cols) in cases {
        let before = screens_sent(&host).len();
        let mut script = Script::new();
        script.connect(&host.address()).wait_unlock(10);
        let first = script.snapshot();
        script.string("xyz").enter().wait_unlock(10);
        let echoed = script.snapshot();
        let run = s3270.run(&dir, name, &script).unwrap();

        let s = run.snapshot(first).unwrap();
        assert_eq!((s.rows.len(), s.rows[0].len()), (rows, cols), "{name}");
        assert!(
            s.row(0).starts_with("TOP LEFT") && s.row(0).ends_with(&format!("SIZE {rows}x{cols}")),
            "{name}"
        );
        assert!(
            s.rows[rows - 1].ends_with("BOTTOM RIGHT"),
            "{name}: {:?}",
            s.rows[rows - 1]
        );
        assert_eq!(s.cursor, (rows - 2, cols - 19), "{name}");
        assert_eq!(
            run.snapshot(echoed).unwrap().row(1),
            "SIZ0100I LAST=XYZ",
            "{name}"
        );

        // Model 2 is written with Erase/Write, every other size with Erase/Write Alternate.
        let screens = screens_sent(&host);
        let command = screens.get(before).and_then(|s| s.first()).copied();
        assert_eq!(
            command,
            Some(if rows == 24 { CMD_EW } else { CMD_EWA }),
            "{name}"
        );
        if rows * cols > 4096 {
            // Past 4096 cells the host must use 14-bit addresses: SBA with the top bits 00.
            let screen = &screens[before];
            let has_14_bit = screen.windows(3).any(|w| {
                w[0] == 0x11
                    && w[1] & 0xc0 == 0
                    && (usize::from(w[1]) << 8 | usize::from(w[2])) >= 4096
            });
            assert!(has_14_bit, "{name}: no 14-bit SBA past 4096");
        }
    }
}

#[test]
fn the_mfmock_demo_host_signs_on() {
    let dir = TestDir::new("mfmock_demo").unwrap();
    let host = MfMock::start(&dir, &MfMockApp::Demo, &MfMockOptions::default()).unwrap();
    let mut script = Script::new();
    script.connect(&host.address()).wait_unlock(10);
    script
        .string("demo")
        .tab()
        .string("demo")
        .enter()
        .wait_unlock(10);
    let menu = script.snapshot();
    let run = S3270::new()
        .model("3279-2-E")
        .run(&dir, "demo", &script)
        .unwrap();
    let menu = run.snapshot(menu).unwrap();
    assert!(menu.row(0).contains("MAIN MENU"), "{}", menu.text());
}

#[test]
fn logon_over_tls() {
    let dir = TestDir::new("mfmock_tls").unwrap();
    let options = MfMockOptions {
        tls: Some(self_signed_cert(&dir).unwrap()),
        ..MfMockOptions::default()
    };
    let host = MfMock::start(&dir, &MfMockApp::Logon, &options).unwrap();
    let tls_port = host.tls_port.unwrap();
    let mut script = Script::new();
    script
        .connect(&format!("L:127.0.0.1:{tls_port}"))
        .wait_unlock(10);
    let signon = script.snapshot();
    let tls = script.actions().len();
    script.action("Query(Tls)");
    let run = S3270::new()
        .model("3279-2-E")
        .arg("-set")
        .arg("verifyHostCert=false")
        .run(&dir, "tls", &script)
        .unwrap();
    let signon = run.snapshot(signon).unwrap();
    assert_eq!(signon.connection_state, "connected-tn3270e");
    assert_signon_screen(&signon);
    let tls = run.ok_reply(tls).unwrap();
    assert!(
        tls.data.first().is_some_and(|l| l.starts_with("secure")),
        "{tls:?}"
    );
}

#[test]
fn ibm_tnz_signs_on_too_over_tn3270e_and_plain() {
    for tn3270e in [true, false] {
        let dir = TestDir::new(&format!("mfmock_tnz_tn3270e_{tn3270e}")).unwrap();
        let options = MfMockOptions {
            tn3270e,
            ..MfMockOptions::default()
        };
        let mut host = MfMock::start(&dir, &MfMockApp::Logon, &options).unwrap();
        let mut args = vec![
            host.port.to_string(),
            "dave".into(),
            "web3270".into(),
            "99".into(),
        ];
        if tn3270e {
            args.push("--tn3270e".into());
        }
        let screens = run_tnz(&dir, "tnz_logon.py", &args).unwrap();
        assert_eq!(screens.len(), 2);
        // tnz asks for IBM-DYNAMIC; its Query Reply says 24x80.
        assert_eq!(screens[0].size, (24, 80));
        assert!(
            screens[0].row(7).starts_with("USERID"),
            "{:?}",
            screens[0].rows
        );
        assert_eq!(screens[1].row(3), "WELCOME DAVE");
        assert_eq!(screens[1].row(22), "LGN0100I SIGNED ON AS DAVE");
        // mfmock logs what was negotiated: tnz asks for IBM-DYNAMIC either way.
        let mode = if tn3270e { "TN3270E" } else { "TN3270" };
        let expected = format!("event=negotiated mode={mode} terminal_type=IBM-DYNAMIC");
        let log = host.process().log_text();
        assert!(log.contains(&expected), "{expected} not in:\n{log}");
    }
}
