//! Hercules' TN3270 console server driven by s3270: plain TN3270, the fixed logo, device choice
//! by LU name, and the keyboard that stays locked after an AID (no OS answers it).
//!
//! Run one: `cargo test -p web3270-tests --test hercules -- logo`.
// Test code: a failed unwrap is a failed test (helpers outside #[test] fns too).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use web3270_tests::hercules::LOGO_ROWS;
use web3270_tests::trace::{Direction, S3270Trace};
use web3270_tests::{Hercules, Script, TestDir, S3270};

#[test]
fn a_plain_tn3270_client_sees_the_fixed_logo_in_protected_fields() {
    let dir = TestDir::new("hercules_logo").unwrap();
    let herc = Hercules::start(&dir).unwrap();
    let mut script = Script::new();
    script.connect(&herc.address()).wait_unlock(10);
    let screen = script.snapshot();
    let run = S3270::new()
        .model("3279-2-E")
        .trace(true)
        .run(&dir, "logo", &script)
        .unwrap();
    let screen = run.snapshot(screen).unwrap();

    // Hercules never negotiates TN3270E.
    assert_eq!(screen.connection_state, "connected-3270");
    for (row, text) in LOGO_ROWS {
        assert_eq!(screen.row(row), text, "row {row}:\n{}", screen.text());
    }
    assert_eq!(screen.cursor, (0, 0));
    // Every field of the logo is protected: "@SF P" and "@SF HP" (intensified).
    assert_eq!(screen.buffer.fields.len(), 3);
    assert!(screen.buffer.fields.iter().all(|f| f.protected()));
    assert!(screen.buffer.fields[1].intensified());
    assert_eq!(
        screen.buffer.fields[1].text.trim(),
        "FIXED LOGO FOR REPRODUCIBLE SCREENS"
    );

    // The trace holds one host record: Erase/Write (0xf5, or 0x05 in SNA code) with the logo.
    let trace = S3270Trace::load(run.trace.as_deref().unwrap()).unwrap();
    let records = trace.records(Direction::FromHost);
    assert_eq!(records.len(), 1, "host records: {records:02x?}");
    assert!(
        matches!(records[0].first(), Some(0xf5 | 0x05)),
        "{:02x?}",
        records[0].first()
    );
}

#[test]
fn an_lu_name_picks_the_device_and_enter_leaves_the_keyboard_locked() {
    let dir = TestDir::new("hercules_device_and_enter").unwrap();
    let herc = Hercules::start(&dir).unwrap();
    let mut script = Script::new();
    // RFC 1646: the LU name rides on the terminal type, IBM-3278-2@0012.
    script
        .connect(&format!("0012@{}", herc.address()))
        .wait_unlock(10);
    let before = script.snapshot();
    script.enter();
    let wait = script.actions().len();
    script.wait_unlock(1);
    let after = script.snapshot();
    let run = S3270::new()
        .terminal_type("IBM-3278-2")
        .trace(true)
        .run(&dir, "enter", &script)
        .unwrap();

    let before = run.snapshot(before).unwrap();
    assert_eq!(before.row(22), "DEVICE 0012");
    assert_eq!(before.status.as_ref().map(|s| s.keyboard), Some('U'));
    // No OS: the AID is never answered, the wait times out and the keyboard stays locked.
    let reply = run.reply(wait).unwrap();
    assert!(!reply.ok, "Wait(1,Unlock) should time out: {reply:?}");
    let after = run.snapshot(after).unwrap();
    assert_eq!(after.status.as_ref().map(|s| s.keyboard), Some('L'));
    assert_eq!(after.connection_state, "connected-3270");

    // What the host received: the Enter AID (0x7d) with the cursor address (row 0, col 0).
    let trace = S3270Trace::load(run.trace.as_deref().unwrap()).unwrap();
    let sent = trace.records(Direction::ToHost);
    assert_eq!(sent, vec![vec![0x7d, 0x40, 0x40]]);
}

#[test]
fn a_fifth_client_gets_the_connection_rejected_screen_when_all_four_devices_are_busy() {
    let dir = TestDir::new("hercules_all_busy").unwrap();
    let mut herc = Hercules::start(&dir).unwrap();
    // Four clients take devices 0010-0013 and hold them (stopped when the guards drop).
    let mut hold = Script::new();
    hold.connect(&herc.address())
        .wait_unlock(10)
        .wait_disconnect(60);
    // One at a time: clients that connect in the same instant were seen to stall.
    let mut holders = Vec::new();
    for n in 0..4 {
        holders.push(
            S3270::new()
                .spawn(&dir, &format!("holder{n}"), &hold)
                .unwrap(),
        );
        herc.process()
            .wait_for_log_lines("HHCTE009I", n + 1, Duration::from_secs(20))
            .unwrap();
    }

    let mut script = Script::new();
    script.connect(&herc.address()).wait_unlock(10);
    let screen = script.snapshot();
    let run = S3270::new().run(&dir, "fifth", &script).unwrap();
    let screen = run.snapshot(screen).unwrap();
    // The rest of that screen names the build machine: assert only the rejection.
    assert!(
        screen.contains("Connection rejected, no available 3270 device"),
        "{}",
        screen.text()
    );
    assert!(!screen.contains("WEB3270 TEST HOST"));
    drop(holders);
}
