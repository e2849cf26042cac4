//! Demo host scenarios, sans-IO: a [`DemoSession`] and the workspace's own client
//! [`Terminal`] pumped into each other in memory — the operator types, presses keys, and the
//! screen the terminal shows is checked row by row. App-level checks (records the operator's
//! terminal would refuse to send) feed hand-made inbound records to [`DemoApp`] directly.

use tn3270::address::{self, AddressEncoding};
use tn3270::aid::Aid;
use tn3270::codepage::CP037;
use tn3270::input::{Key, KeyOutcome};
use tn3270::screen::{LockReason, ScreenSize};
use tn3270::terminal::{Terminal, TerminalConfig, TerminalEvent, TerminalModel};
use tn3270::tn3270e::{FunctionSet, Mode};

use super::app::{DemoApp, FormField, Protocol, ScreenId, TerminalInfo};
use super::screens::{
    InputSpec, FORM_ACCOUNT, FORM_NAME, FORM_PRICE, FORM_QUANTITY, LOGON_DEPT, LOGON_PASSWORD,
    LOGON_USERID, MENU_OPTION, MSG_ROW,
};
use super::session::DemoSession;

/// A demo session and a terminal connected in memory.
struct Rig {
    host: DemoSession,
    term: Terminal,
    alarms: usize,
}

impl Rig {
    fn with(model: TerminalModel, tn3270e: bool, numeric_lock: bool) -> Rig {
        let mut rig = Rig {
            host: DemoSession::new("DEMO0001"),
            term: Terminal::new(TerminalConfig {
                model,
                tn3270e,
                numeric_lock,
                ..TerminalConfig::default()
            }),
            alarms: 0,
        };
        rig.term.connected();
        rig.pump();
        rig
    }

    fn new(model: &str) -> Rig {
        Rig::with(TerminalModel::parse(model).unwrap(), true, true)
    }

    /// Move bytes both ways until both sides are quiet.
    fn pump(&mut self) {
        for _ in 0..64 {
            let to_term = self.host.take_output();
            let to_host = self.term.take_output();
            if to_term.is_empty() && to_host.is_empty() {
                return;
            }
            self.term.feed(&to_term);
            while let Some(ev) = self.term.poll_event() {
                if ev == TerminalEvent::Alarm {
                    self.alarms += 1;
                }
            }
            self.host.feed(&to_host);
        }
        panic!("terminal and demo host keep talking");
    }

    fn key(&mut self, key: Key) -> KeyOutcome {
        let outcome = self.term.key(key);
        self.pump();
        outcome
    }

    fn type_text(&mut self, text: &str) {
        let outcome = self.term.type_text(text);
        assert!(
            !matches!(outcome, KeyOutcome::Locked(_) | KeyOutcome::Refused(_)),
            "typing {text:?} was refused: {outcome:?} at {:?}",
            self.cursor()
        );
    }

    fn rows(&self) -> Vec<String> {
        self.term.text_rows()
    }

    fn row(&self, n: usize) -> String {
        self.rows().get(n).cloned().unwrap_or_default()
    }

    fn screen(&self) -> ScreenId {
        self.host.app().unwrap().screen()
    }

    fn cursor(&self) -> (usize, usize) {
        let s = self.term.screen();
        s.row_col(s.cursor())
    }

    fn message(&self) -> String {
        self.row(MSG_ROW).trim().to_string()
    }

    fn unlocked(&self) -> bool {
        self.term.screen().lock().is_none()
    }

    fn logon(&mut self, userid: &str) {
        self.type_text(userid);
        self.key(Key::Tab);
        self.type_text("dEmO");
        self.key(Key::Enter);
        assert_eq!(self.screen(), ScreenId::Menu, "{:#?}", self.rows());
    }

    fn option(&mut self, option: &str) {
        assert_eq!(self.screen(), ScreenId::Menu);
        self.type_text(option);
        self.key(Key::Enter);
    }
}

/// (row, col) of an input's first data position.
fn data_pos(spec: InputSpec) -> (usize, usize) {
    (spec.row, spec.col + 1)
}

#[test]
fn logon_screen_greets_a_3279_model_2_over_tn3270e() {
    let rig = Rig::new("3279-2-E");
    assert!(matches!(rig.host.mode(), Mode::Tn3270e { .. }));
    assert_eq!(rig.screen(), ScreenId::Logon);
    let term = rig.host.app().unwrap().terminal();
    // s3270-like clients ask as a 3278 over TN3270E; the Query Reply says colour.
    assert_eq!(term.terminal_type, "IBM-3278-2-E");
    assert!(term.queried && term.color && !term.outlining);
    assert_eq!(term.lu.as_deref(), Some("DEMO0001"));
    assert!(rig.row(0).starts_with(" DEMO00"));
    assert!(rig.row(0).contains("Logon"));
    assert!(rig.row(0).trim_end().ends_with("web3270"));
    assert!(rig.row(9).contains("Userid     ===>"));
    assert!(rig.row(10).contains("Password   ===>"));
    assert!(rig.row(11).contains("Department ===>"));
    assert!(rig
        .row(14)
        .contains("Any userid will do; the password is DEMO."));
    assert!(rig
        .row(19)
        .contains("IBM-3278-2-E  TN3270E  LU DEMO0001  24x80 / 24x80"));
    assert!(rig.row(23).contains("PF3=Exit"));
    assert_eq!(rig.cursor(), data_pos(LOGON_USERID));
    assert!(rig.unlocked());
    assert_eq!(rig.alarms, 0);
}

#[test]
fn logon_menu_every_screen_and_back_then_logoff_and_goodbye() {
    let mut rig = Rig::new("3279-4-E");
    rig.logon("fred");
    assert_eq!(
        rig.message(),
        "Welcome, FRED. Choose an option and press Enter."
    );
    assert!(rig.row(2).contains("Option ===>"));
    assert!(rig.row(2).contains("Userid: FRED"));
    assert!(rig.row(4).contains("1  Colours"));
    assert!(rig.row(8).contains("5  Logoff"));
    assert!(rig
        .rows()
        .iter()
        .any(|r| r.contains("43 x 80 (Erase/Write Alternate")));
    assert_eq!(rig.cursor(), data_pos(MENU_OPTION));
    // The password typed never shows.
    assert!(rig.rows().iter().all(|r| !r.contains("dEmO")));

    for (option, screen, title) in [
        ("1", ScreenId::Colours, "Colours and highlighting"),
        ("4", ScreenId::Help, "Help"),
    ] {
        rig.option(option);
        assert_eq!(rig.screen(), screen);
        assert!(rig.row(0).contains(title), "{}", rig.row(0));
        assert!(rig.unlocked());
        rig.key(Key::Pf(3));
        assert_eq!(rig.screen(), ScreenId::Menu);
        assert_eq!(rig.cursor(), data_pos(MENU_OPTION));
    }
    // The form: mandatory entry holds PF3 back on an empty form; PA2 leaves.
    rig.option("2");
    assert_eq!(rig.screen(), ScreenId::Form);
    assert!(matches!(rig.key(Key::Pf(3)), KeyOutcome::Locked(_)));
    rig.key(Key::Reset);
    rig.key(Key::Pa(2));
    assert_eq!(rig.screen(), ScreenId::Menu);
    assert_eq!(rig.message(), "Order cancelled.");
    // Sizes: the alternate page, Enter flips to the default page, PF3 back.
    rig.option("3");
    assert_eq!(rig.screen(), ScreenId::SizeAlternate);
    assert_eq!(rig.term.screen().rows(), 43);
    rig.key(Key::Enter);
    assert_eq!(rig.screen(), ScreenId::SizeDefault);
    assert_eq!(rig.term.screen().rows(), 24);
    rig.key(Key::Pf(3));
    assert_eq!(rig.screen(), ScreenId::Menu);
    // PF3 on the menu logs off; PF3 on the logon screen ends the session.
    rig.key(Key::Pf(3));
    assert_eq!(rig.screen(), ScreenId::Logon);
    assert_eq!(
        rig.message(),
        "FRED logged off. Log on again, or PF3 to end the session."
    );
    rig.key(Key::Pf(3));
    assert_eq!(rig.screen(), ScreenId::Goodbye);
    assert!(rig.rows().iter().any(|r| r.contains("Goodbye.")));
    assert!(rig.host.closing());
    // The keyboard stays locked: the session is over.
    assert!(!rig.unlocked());
}

#[test]
fn logon_checks_userid_password_and_department_with_the_alarm() {
    let mut rig = Rig::with(TerminalModel::parse("3279-2-E").unwrap(), true, false);
    rig.key(Key::Enter);
    assert_eq!(rig.message(), "Userid is required.");
    assert_eq!(rig.alarms, 1);
    assert_eq!(rig.cursor(), data_pos(LOGON_USERID));
    assert!(rig.unlocked());

    rig.type_text("alice");
    rig.key(Key::Tab);
    rig.type_text("SECRET1");
    rig.key(Key::Enter);
    assert_eq!(
        rig.message(),
        "Password not valid. The demo password is DEMO."
    );
    assert_eq!(rig.alarms, 2);
    assert_eq!(rig.cursor(), data_pos(LOGON_PASSWORD));
    // The userid is kept (upper-cased), the password is gone and was never displayed.
    assert!(rig.row(LOGON_USERID.row).contains("ALICE"));
    assert!(rig.rows().iter().all(|r| !r.contains("SECRET1")));

    // Numeric lock off: a letter gets into the numeric department field; the host refuses it.
    rig.type_text("Demo");
    rig.key(Key::Tab);
    rig.type_text("12a");
    rig.key(Key::Enter);
    assert_eq!(rig.message(), "Department must be numeric.");
    assert_eq!(rig.cursor(), data_pos(LOGON_DEPT));
    assert_eq!(rig.screen(), ScreenId::Logon);
}

#[test]
fn clear_redraws_pa1_answers_and_undefined_keys_say_so() {
    let mut rig = Rig::new("3279-2-E");
    rig.type_text("bob");
    // PA1: a message-line Write; what the operator typed stays.
    rig.key(Key::Pa(1));
    assert!(rig.message().starts_with("PA1: attention received."));
    assert!(rig.row(LOGON_USERID.row).contains("bob"));
    assert!(rig.unlocked());
    rig.key(Key::Pf(5));
    assert_eq!(rig.message(), "PF5 not defined");
    rig.key(Key::Pa(2));
    assert_eq!(rig.message(), "PA2 not defined");
    assert!(rig.row(LOGON_USERID.row).contains("bob"));
    // Clear wipes the terminal; the host redraws the logon screen.
    rig.key(Key::Clear);
    assert_eq!(rig.screen(), ScreenId::Logon);
    assert!(rig.row(9).contains("Userid     ===>"));
    assert_eq!(rig.message(), "");
    assert!(rig.unlocked());
    // PF1 help from the logon screen, PF12 back to it.
    rig.key(Key::Pf(1));
    assert_eq!(rig.screen(), ScreenId::Help);
    rig.key(Key::Pf(12));
    assert_eq!(rig.screen(), ScreenId::Logon);
    // Clear on the size page redraws it at the alternate size.
    rig.logon("bob");
    rig.option("3");
    rig.key(Key::Clear);
    assert_eq!(rig.screen(), ScreenId::SizeAlternate);
    assert!(rig.row(0).starts_with("+"));
    rig.key(Key::Pa(1));
    assert!(rig.row(22).contains("PA1: attention received."));
}

#[test]
fn the_form_checks_fields_and_right_justifies_amounts() {
    let mut rig = Rig::new("3279-2-E");
    rig.logon("carol");
    rig.option("2");
    assert_eq!(rig.cursor(), data_pos(FORM_NAME));
    // The terminal enforces mandatory entry: Enter with no name is refused locally.
    assert_eq!(
        rig.key(Key::Enter),
        KeyOutcome::Locked(LockReason::MinusFunction)
    );
    rig.key(Key::Reset);
    rig.type_text("ACME Widgets");
    rig.key(Key::Tab);
    // ... and mandatory fill: 4 of 8 digits cannot be sent.
    rig.type_text("1234");
    assert!(matches!(rig.key(Key::Enter), KeyOutcome::Locked(_)));
    // The terminal put the cursor back on the field; Reset, erase, type all 8.
    assert_eq!(rig.cursor(), data_pos(FORM_ACCOUNT));
    rig.key(Key::Reset);
    rig.key(Key::EraseEof);
    rig.type_text("12345678");
    // Autoskip has moved to the quantity: 0 is out of range, the host says so.
    rig.type_text("0");
    rig.key(Key::Enter);
    assert_eq!(
        rig.message(),
        "Quantity must be a whole number from 1 to 99999."
    );
    assert_eq!(rig.alarms, 1);
    assert_eq!(rig.cursor(), data_pos(FORM_QUANTITY));
    // The values typed so far are kept.
    assert!(rig.row(FORM_NAME.row).contains("ACME Widgets"));
    assert!(rig.row(FORM_ACCOUNT.row).contains("12345678"));
    rig.key(Key::EraseEof);
    rig.type_text("12");
    rig.key(Key::Tab);
    rig.type_text("12.5");
    rig.key(Key::Enter);
    assert_eq!(rig.message(), "Order accepted: total 150.00.");
    let order = rig.host.app().unwrap().form().accepted.clone().unwrap();
    assert_eq!(
        (order.quantity, order.price_cents, order.total_cents),
        (12, 1250, 15000)
    );
    // Amounts end in the same column.
    let row = |label: &str| {
        let label = format!("    {label}");
        rig.rows()
            .into_iter()
            .find(|r| r.starts_with(&label))
            .unwrap()
    };
    let (qty, price, total) = (row("Quantity"), row("Unit price"), row("Total"));
    assert!(total.trim_end().ends_with("150.00"), "{total}");
    assert!(price.trim_end().ends_with("12.50"));
    assert_eq!(qty.trim_end().len(), total.trim_end().len());
    assert_eq!(price.trim_end().len(), total.trim_end().len());
    // PF12 cancels the order back to the menu.
    rig.key(Key::Pf(12));
    assert_eq!(rig.screen(), ScreenId::Menu);
    assert_eq!(rig.message(), "Order cancelled.");
}

/// An Enter record with data at inputs, as a terminal would send it (12-bit addresses).
fn enter_with(fields: &[(InputSpec, &str)]) -> Vec<u8> {
    let addr = |a: usize| address::encode(a, AddressEncoding::Twelve).unwrap();
    let mut rec = vec![Aid::Enter.code()];
    rec.extend(addr(0)); // cursor
    for (spec, text) in fields {
        rec.push(0x11); // SBA
        rec.extend(addr(spec.data_addr()));
        rec.extend(text.chars().map(|c| CP037.encode(c).unwrap()));
    }
    rec
}

/// The text of a 24x80 screen after these outbound records.
fn show(records: &[Vec<u8>]) -> String {
    let caps = Terminal::new(TerminalConfig::default())
        .capabilities()
        .clone();
    let mut screen = tn3270::screen::Screen::new(ScreenSize::MODEL_2, ScreenSize::MODEL_2);
    for r in records {
        tn3270::datastream::process(&mut screen, r, &caps).unwrap();
    }
    screen.to_text(&CP037)
}

fn basic_app() -> DemoApp {
    let mut app = DemoApp::new(TerminalInfo::new(
        "IBM-3278-2",
        Some("LU1"),
        Protocol::Tn3270,
    ));
    let out = app.start();
    assert_eq!(out.records.len(), 1);
    // No -E: no Read Partition Query, the logon Erase/Write at once.
    assert_eq!(out.records[0][0], 0x05);
    app
}

#[test]
fn host_side_checks_catch_what_a_terminal_without_validation_lets_through() {
    let mut app = basic_app();
    app.on_record(&enter_with(&[
        (LOGON_USERID, "u1"),
        (LOGON_PASSWORD, "demo"),
    ]));
    assert_eq!(app.screen(), ScreenId::Menu);
    app.on_record(&enter_with(&[(MENU_OPTION, "2")]));
    assert_eq!(app.screen(), ScreenId::Form);
    app.on_record(&enter_with(&[(FORM_ACCOUNT, "12345678")]));
    assert_eq!(app.form().error, Some(FormField::Name));
    app.on_record(&enter_with(&[(FORM_NAME, "X"), (FORM_ACCOUNT, "1234")]));
    assert_eq!(app.form().error, Some(FormField::Account));
    app.on_record(&enter_with(&[
        (FORM_ACCOUNT, "12345678"),
        (FORM_QUANTITY, "3"),
        (FORM_PRICE, "1.234"),
    ]));
    assert_eq!(app.form().error, Some(FormField::Price));
    // Values not sent back (MDT off) keep what the host had.
    app.on_record(&enter_with(&[
        (FORM_PRICE, "99999.99"),
        (FORM_QUANTITY, "99999"),
    ]));
    assert_eq!(app.form().error, None);
    assert_eq!(
        app.form().accepted.as_ref().unwrap().total_cents,
        999_989_900_001
    );
}

#[test]
fn malformed_inbound_records_become_a_message_on_screen() {
    let mut app = basic_app();
    for bad in [
        &[][..],
        &[0x42],
        &[0x7d, 0x40],
        &[0x7d, 0x40, 0x40, 0x11, 0x40],
    ] {
        let out = app.on_record(bad);
        assert_eq!(out.records.len(), 1, "{bad:02x?}");
        let text = show(&out.records);
        assert!(text.contains("Input not understood ("), "{text}");
        assert_eq!(app.screen(), ScreenId::Logon);
    }
    // Nothing before start, nothing after the goodbye.
    let mut fresh = DemoApp::new(TerminalInfo::new("IBM-3278-2", None, Protocol::Tn3270));
    assert!(fresh.on_record(&[0x7d, 0x40, 0x40]).records.is_empty());
    app.on_record(&[Aid::Pf(3).code()]);
    assert!(app.ended());
    assert!(app.on_record(&[0x7d, 0x40, 0x40]).records.is_empty());
}

#[test]
fn a_missing_query_reply_falls_back_to_the_model_size() {
    let mut app = DemoApp::new(TerminalInfo::new(
        "IBM-3278-4-E",
        None,
        Protocol::Tn3270e(FunctionSet::S3270),
    ));
    let out = app.start();
    // WSF, Read Partition Query.
    assert_eq!(out.records, [vec![0x11, 0x00, 0x05, 0x01, 0xff, 0x02]]);
    assert!(app.awaiting_query());
    let out = app.query_timeout();
    assert_eq!(out.records.len(), 1);
    assert_eq!(app.screen(), ScreenId::Logon);
    assert_eq!(app.terminal().alternate_size, ScreenSize::MODEL_4);
    assert!(!app.terminal().queried);
    // A key instead of the reply also starts the logon screen.
    let mut app = DemoApp::new(TerminalInfo::new("IBM-DYNAMIC", None, Protocol::Tn3270));
    app.start();
    app.on_record(&[Aid::Enter.code(), 0x40, 0x40]);
    assert_eq!(app.screen(), ScreenId::Logon);
    assert_eq!(app.terminal().alternate_size, ScreenSize::MODEL_2);
}

#[test]
fn terminal_types_give_sizes_and_capabilities() {
    let t = |s| TerminalInfo::new(s, None, Protocol::Tn3270);
    let m5 = t("IBM-3279-5-E");
    assert_eq!(m5.alternate_size, ScreenSize::MODEL_5);
    assert!(m5.extended && m5.color);
    let m3 = t("IBM-3278-3");
    assert_eq!(m3.alternate_size, ScreenSize::MODEL_3);
    assert!(!m3.extended && !m3.color && !m3.wants_query());
    let dynamic = t("IBM-DYNAMIC");
    assert!(dynamic.extended && dynamic.wants_query());
    let odd = t("VT100");
    assert_eq!(odd.alternate_size, ScreenSize::MODEL_2);
    assert!(!odd.extended);
}

/// Checks a size page fills `size` exactly: border corners, sides on every row, the ruler.
fn assert_fills(rows: &[String], size: ScreenSize) {
    let (r, c) = (usize::from(size.rows), usize::from(size.cols));
    assert_eq!(rows.len(), r, "rows");
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.chars().count(), c, "row {i} width");
        let (first, last) = (row.chars().next().unwrap(), row.chars().last().unwrap());
        if i == 0 || i + 1 == r {
            assert_eq!((first, last), ('+', '+'), "row {i}: {row}");
        } else {
            assert_eq!((first, last), ('|', '|'), "row {i}: {row}");
        }
    }
    assert!(
        rows[0].contains(&format!(" {} rows x {} columns ", r, c)),
        "{}",
        rows[0]
    );
    // Ruler: column 10 shows 1, column c-1 is the last ruler position.
    assert_eq!(rows[1].chars().nth(9), Some('1'));
    assert_eq!(rows[1].chars().nth(4), Some('+'));
    // Row numbers down the left side.
    assert!(rows[r - 2].starts_with(&format!("|{}", r - 1)));
}

#[test]
fn every_model_size_page_fills_its_screen_exactly() {
    let cases = [
        (
            TerminalModel::parse("3279-2-E").unwrap(),
            ScreenSize::MODEL_2,
        ),
        (
            TerminalModel::parse("3279-3-E").unwrap(),
            ScreenSize::MODEL_3,
        ),
        (
            TerminalModel::parse("3278-4-E").unwrap(),
            ScreenSize::MODEL_4,
        ),
        (
            TerminalModel::parse("3279-5-E").unwrap(),
            ScreenSize::MODEL_5,
        ),
        (
            TerminalModel::parse("3279-2-E")
                .unwrap()
                .with_oversize("160x62")
                .unwrap(),
            ScreenSize {
                rows: 62,
                cols: 160,
            },
        ),
        (
            TerminalModel::parse("3278-2")
                .unwrap()
                .with_terminal_name("IBM-3278-2"),
            ScreenSize::MODEL_2,
        ),
    ];
    for (model, size) in cases {
        for tn3270e in [true, false] {
            let name = model.terminal_type();
            let mut rig = Rig::with(model.clone(), tn3270e, true);
            rig.logon("sizes");
            rig.option("3");
            assert_eq!(rig.screen(), ScreenId::SizeAlternate, "{name}");
            assert_eq!(
                (rig.term.screen().rows(), rig.term.screen().cols()),
                (usize::from(size.rows), usize::from(size.cols)),
                "{name} tn3270e={tn3270e}"
            );
            assert_fills(&rig.rows(), size);
            assert!(rig.unlocked());
            // Enter: the default page fills 24x80.
            rig.key(Key::Enter);
            assert_fills(&rig.rows(), ScreenSize::MODEL_2);
        }
    }
}

#[test]
fn a_basic_terminal_gets_the_same_screens_without_extended_attributes() {
    let model = TerminalModel::parse("3278-2")
        .unwrap()
        .with_terminal_name("IBM-3278-2");
    let mut rig = Rig::with(model, false, true);
    assert_eq!(rig.host.mode(), Mode::Tn3270);
    let term = rig.host.app().unwrap().terminal().clone();
    assert!(!term.extended && !term.queried);
    // The banner falls back to characters.
    assert!(rig.row(2).contains("##"));
    rig.logon("dave");
    rig.option("1");
    assert!(rig
        .row(3)
        .contains("did not announce the 3270 extended data stream"));
    assert!(rig
        .term
        .screen()
        .field_infos()
        .iter()
        .all(|f| f.fg == 0 && f.highlight == 0));
}

#[test]
fn farewell_shows_a_message_and_closes() {
    let mut rig = Rig::new("3279-2-E");
    rig.host
        .farewell("The demo host is shutting down. Goodbye.");
    rig.pump();
    assert!(rig.host.closing());
    assert_eq!(rig.message(), "The demo host is shutting down. Goodbye.");
    assert_eq!(rig.alarms, 1);
}

#[test]
fn a_client_that_is_no_3270_gets_one_line_and_is_closed() {
    let mut host = DemoSession::new("DEMO0001");
    assert_eq!(host.take_output(), [0xff, 0xfd, 0x28]); // DO TN3270E
    host.feed(&[0xff, 0xfc, 0x28]); // WONT TN3270E
    host.feed(&[0xff, 0xfb, 0x18]); // WILL TERMINAL-TYPE
    host.feed(&[0xff, 0xfa, 0x18, 0x00]); // SB TERMINAL-TYPE IS
    host.feed(b"XTERM");
    host.feed(&[0xff, 0xf0]); // SE
    assert_eq!(host.mode(), Mode::Nvt);
    assert!(host.closing());
    assert!(host.app().is_none());
    let out = host.take_output();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("This is the web3270 demo host"), "{text}");
}

#[test]
fn an_undefined_key_is_answered_with_a_write_of_the_message_line() {
    let mut app = DemoApp::new(TerminalInfo::new("IBM-3278-2-E", None, Protocol::Tn3270));
    app.start();
    app.query_timeout();
    // Operator presses PF7 (AID X'F7', cursor at 0, no fields).
    let out = app.on_record(&[0xf7, 0x40, 0x40]);
    let mut expected = vec![
        0x01, // Write (CCW)
        0x02, // WCC: restore keyboard (no reset, no alarm: a warning)
        0x11, 0x5b, 0x60, // SBA row 22 col 0 (address 1760)
        0x29, 0x02, // SFE, 2 pairs
        0xc0, 0xe8, // field attribute: protected, intensified
        0x42, 0xf6, // foreground yellow
    ];
    let text = format!("{:<79}", "PF7 not defined");
    expected.extend(text.chars().map(|c| CP037.encode(c).unwrap()));
    assert_eq!(out.records, [expected]);
    assert!(!out.close);
}

/// A small deterministic generator (xorshift) for the never-panics tests.
fn noise(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn random_records_and_bytes_never_panic_and_always_answer() {
    let mut seed = 0x5eed_1234_u64;
    let aids = [0x7d, 0xf1, 0xf3, 0x7c, 0x6c, 0x6d, 0x88, 0x60, 0x42];
    let mut app = basic_app();
    for _ in 0..3000 {
        let len = (noise(&mut seed) % 40) as usize;
        let mut rec: Vec<u8> = (0..len).map(|_| noise(&mut seed) as u8).collect();
        if let Some(first) = rec.first_mut() {
            *first = aids[(noise(&mut seed) % aids.len() as u64) as usize];
        }
        let out = app.on_record(&rec);
        if app.ended() {
            app = basic_app();
        } else if rec.first() != Some(&0x88) {
            assert!(!out.records.is_empty(), "no answer to {rec:02x?}");
        }
    }
    // The same through the whole session, bytes cut anywhere.
    let mut session = DemoSession::new("FUZZ");
    for _ in 0..3000 {
        let len = (noise(&mut seed) % 16) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| noise(&mut seed) as u8).collect();
        session.feed(&bytes);
        let _ = session.take_output();
    }
}
