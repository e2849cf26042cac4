//! Live conformance of the `tn3270` core against real peers, with s3270 as the oracle.
//!
//! Each test starts one host (Hercules, or mainframe-mocker serving an app of `tests/hosts/`)
//! and runs the same [`Session`] — the same terminal options and the same keystrokes — twice:
//! once through s3270 (a [`Script`]) and once through our core on a socket ([`Driver`]). Then:
//! - at every [`Step::Snap`] the screens must be equal: `Ascii()` rows vs
//!   `Terminal::text_rows()`, the cursor, the size, locked/unlocked, and every field's
//!   attribute position, protected/numeric/hidden/intensified/MDT bits, colour, background
//!   and highlighting (`ReadBuffer(Ascii)` vs `Screen::field_infos()`);
//! - every [`Step::Wait`] must end the same way (unlocked, or timed out for both);
//! - the bytes the HOST received must be identical: the client->host records (after IAC EOR
//!   splitting) from s3270's trace (`>` lines) vs the driver's sent log, and the telnet
//!   commands (WILL/WONT/DO/DONT, SB..SE, IAC IP/BREAK) in order; against mfmock, its
//!   `--trace` log of what it received equals the driver's log too;
//! - the alarm sounds as often (WCC bits in s3270's trace vs `TerminalEvent::Alarm`);
//! - replaying s3270's host stream through a fresh `Terminal`, and through the
//!   `web3270 replay --raw` binary when it is built, gives s3270's screen at every snapshot
//!   that follows a host write (RFC 854/885 framing, GA23-0059 ch. 3-6, RFC 1576/2355).
//!
//! Every comparison is written to `conformance-<session>.txt` in the test's artefact dir, next
//! to s3270's trace (`<session>.trc`), and a test fails listing every difference at once.
//! Accepted on purpose: the Query Reply's DDM reply (s3270 does IND$FILE, web3270 does not)
//! and RPQ Names (each emulator's name); see [`query_reply_diffs`].
//!
//! Run: `cargo test -p web3270-tests --test conformance` (`.venv/bin` on PATH or present).
// Test code: a failed unwrap is a failed test (helpers outside #[test] fns too).
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use tn3270::codepage::CodePage;
use tn3270::input::Key;
use tn3270::screen::text::FieldInfo;
use tn3270::terminal::{Terminal, TerminalConfig, TerminalEvent, TerminalModel};
use web3270_tests::s3270::Snapshot as OracleSnapshot;
use web3270_tests::trace::{telnet_commands, telnet_records, Direction, S3270Trace};
use web3270_tests::{
    workspace_root, Driver, HarnessError, Hercules, MfMock, MfMockApp, MfMockOptions, Script,
    TestDir, S3270,
};

/// How long the first screen may take (mfmock's Python answers in well under a second).
const CONNECT_WAIT_SECS: u32 = 10;

/// One thing the operator (or the test) does, the same for s3270 and the driver.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Type text at the cursor (`String()`).
    Type(&'static str),
    /// Press a key (the s3270 action from [`action`]).
    Key(Key),
    /// Wait for the keyboard to unlock, at most this many seconds; both must agree whether
    /// it did.
    Wait(u32),
    /// Wait for the host to close the connection.
    WaitDisconnect(u32),
    /// Compare the screens here; the label names the point in reports.
    Snap(&'static str),
}

/// The s3270 action for a key.
fn action(key: Key) -> String {
    match key {
        Key::Char(c) => format!("Key(U+{:04x})", u32::from(c)),
        Key::Ge(b) => format!("Key(GE 0x{b:02x})"),
        Key::Tab => "Tab()".into(),
        Key::BackTab => "BackTab()".into(),
        Key::Home => "Home()".into(),
        Key::Newline => "Newline()".into(),
        Key::EraseEof => "EraseEOF()".into(),
        Key::EraseInput => "EraseInput()".into(),
        Key::Delete => "Delete()".into(),
        Key::Backspace => "BackSpace()".into(),
        Key::Dup => "Dup()".into(),
        Key::FieldMark => "FieldMark()".into(),
        Key::Left => "Left()".into(),
        Key::Right => "Right()".into(),
        Key::Up => "Up()".into(),
        Key::Down => "Down()".into(),
        Key::Left2 => "Left2()".into(),
        Key::Right2 => "Right2()".into(),
        Key::WordNext => "NextWord()".into(),
        Key::WordPrev => "PreviousWord()".into(),
        Key::FieldEnd => "FieldEnd()".into(),
        Key::ToggleInsert => "ToggleInsert()".into(),
        Key::Reset => "Reset()".into(),
        Key::Enter => "Enter()".into(),
        Key::Pf(n) => format!("PF({n})"),
        Key::Pa(n) => format!("PA({n})"),
        Key::Clear => "Clear()".into(),
        Key::SysReq => "SysReq()".into(),
        Key::Attn => "Attn()".into(),
        Key::CursorSelect => "CursorSelect()".into(),
        Key::MoveCursor(addr) => format!("MoveCursor({addr})"),
    }
}

/// A terminal as both clients are told to be.
#[derive(Debug, Clone)]
struct Options {
    /// s3270 `-model` / our `TerminalModel::parse`.
    model: &'static str,
    /// s3270 `-tn` / `with_terminal_name`.
    terminal_type: Option<&'static str>,
    /// s3270 `-oversize` / `with_oversize`.
    oversize: Option<&'static str>,
    /// LU (s3270 `LU@host`; ours `TerminalConfig::lu`).
    lu: Option<&'static str>,
    /// Accept TN3270E (s3270: no `N:` prefix).
    tn3270e: bool,
    /// Numeric lock (s3270 resource `numericLock`, off by default there; on by default here).
    numeric_lock: bool,
}

impl Options {
    fn model(model: &'static str) -> Self {
        Self {
            model,
            terminal_type: None,
            oversize: None,
            lu: None,
            tn3270e: true,
            numeric_lock: false,
        }
    }

    fn s3270(&self) -> S3270 {
        let mut s = S3270::new().model(self.model).trace(true);
        if let Some(tn) = self.terminal_type {
            s = s.terminal_type(tn);
        }
        if let Some(size) = self.oversize {
            let (c, r) = size.split_once('x').unwrap();
            s = s.oversize(c.parse().unwrap(), r.parse().unwrap());
        }
        if self.numeric_lock {
            s = s.arg("-xrm").arg("s3270.numericLock: true");
        }
        s
    }

    fn s3270_host(&self, address: &str) -> String {
        let prefix = if self.tn3270e { "" } else { "N:" };
        match self.lu {
            Some(lu) => format!("{prefix}{lu}@{address}"),
            None => format!("{prefix}{address}"),
        }
    }

    /// The same terminal for `web3270 replay`.
    fn replay_args(&self) -> Vec<String> {
        let mut args = vec![
            "-model".to_string(),
            self.model.to_string(),
            "--code-page".to_string(),
            "bracket".to_string(),
        ];
        if let Some(tn) = self.terminal_type {
            args.extend(["-tn".to_string(), tn.to_string()]);
        }
        if let Some(size) = self.oversize {
            args.extend(["-oversize".to_string(), size.to_string()]);
        }
        args
    }

    fn config(&self) -> TerminalConfig {
        let mut model = TerminalModel::parse(self.model).unwrap();
        if let Some(size) = self.oversize {
            model = model.with_oversize(size).unwrap();
        }
        if let Some(tn) = self.terminal_type {
            model = model.with_terminal_name(tn);
        }
        TerminalConfig {
            model,
            // s3270's default code page.
            code_page: CodePage::by_name("bracket").unwrap(),
            lu: self.lu.map(str::to_string),
            tn3270e: self.tn3270e,
            numeric_lock: self.numeric_lock,
            ..TerminalConfig::default()
        }
    }
}

/// One session: a name (for files and reports), the terminal, and the steps after
/// connecting (connect + wait for the first screen is implied).
struct Session {
    name: &'static str,
    options: Options,
    steps: Vec<Step>,
}

/// Our side of a snapshot.
struct Ours {
    label: &'static str,
    rows: Vec<String>,
    cursor: (usize, usize),
    size: (usize, usize),
    unlocked: bool,
    fields: Vec<FieldInfo>,
}

/// Everything both clients did in one session.
struct Outcome {
    name: &'static str,
    oracle: Vec<(&'static str, OracleSnapshot)>,
    /// Host records complete before each oracle snapshot, and whether a host record came
    /// after the last keystroke before it (then the screen is the host's alone).
    oracle_points: Vec<(usize, bool)>,
    ours: Vec<Ours>,
    oracle_waits: Vec<bool>,
    our_waits: Vec<bool>,
    trace: S3270Trace,
    driver: Driver,
    options: Options,
}

fn run_session(dir: &TestDir, peer: &mut Peer, session: &Session) -> Outcome {
    let address = &peer.address();
    let opts = &session.options;
    // s3270 first.
    let mut script = Script::new();
    script
        .connect(&opts.s3270_host(address))
        .wait_unlock(CONNECT_WAIT_SECS);
    let mut snaps = Vec::new();
    let mut waits = Vec::new();
    // The script index of the last keystroke (the connect before any).
    let mut last_key = 0;
    for step in &session.steps {
        match *step {
            Step::Type(text) => {
                last_key = script.actions().len();
                script.string(text);
            }
            Step::Key(key) => {
                last_key = script.actions().len();
                script.action(action(key));
            }
            Step::Wait(secs) => {
                waits.push(script.actions().len());
                script.wait_unlock(secs);
            }
            Step::WaitDisconnect(secs) => {
                waits.push(script.actions().len());
                script.wait_disconnect(secs);
            }
            Step::Snap(label) => snaps.push((label, script.snapshot(), last_key)),
        }
    }
    let run = opts.s3270().run(dir, session.name, &script).unwrap();
    peer.released();
    let trace = S3270Trace::load(run.trace.as_deref().unwrap()).unwrap();
    // The first wait (for the first screen) counts too.
    let oracle_waits = std::iter::once(1)
        .chain(waits)
        .map(|i| run.reply(i).unwrap().ok)
        .collect();
    let oracle_points = snaps
        .iter()
        .map(|(_, id, last_key)| {
            let traced = trace.actions.get(id.index()).unwrap();
            assert_eq!(traced.action, "Ascii()", "trace and script out of step");
            let before_key = trace.actions.get(*last_key).unwrap().host_records_before;
            // The screen shows only host writes when one came after the last keystroke.
            (
                traced.host_records_before,
                traced.host_records_before > before_key,
            )
        })
        .collect();
    let oracle = snaps
        .iter()
        .map(|(label, id, _)| (*label, run.snapshot(*id).unwrap()))
        .collect();

    // Then our core, the same way.
    let mut driver = Driver::connect(address, opts.config()).unwrap();
    let mut ours = Vec::new();
    let mut our_waits = vec![timed_out_is_false(
        driver.wait_unlock(Duration::from_secs(CONNECT_WAIT_SECS.into())),
    )];
    for step in &session.steps {
        match *step {
            Step::Type(text) => {
                driver.string(text).unwrap();
            }
            Step::Key(key) => {
                driver.key(key).unwrap();
            }
            Step::Wait(secs) => {
                our_waits.push(timed_out_is_false(
                    driver.wait_unlock(Duration::from_secs(secs.into())),
                ));
            }
            Step::WaitDisconnect(secs) => {
                our_waits.push(timed_out_is_false(
                    driver.wait_disconnect(Duration::from_secs(secs.into())),
                ));
            }
            Step::Snap(label) => {
                let snap = driver.snapshot();
                ours.push(Ours {
                    label,
                    rows: snap.text,
                    cursor: (snap.cursor.row, snap.cursor.col),
                    size: (snap.rows, snap.cols),
                    unlocked: driver.unlocked(),
                    fields: snap.fields,
                });
            }
        }
    }
    Outcome {
        name: session.name,
        oracle,
        oracle_points,
        ours,
        oracle_waits,
        our_waits,
        trace,
        driver,
        options: opts.clone(),
    }
}

/// A wait that timed out is `false`; any other failure fails the test.
fn timed_out_is_false(result: Result<(), HarnessError>) -> bool {
    match result {
        Ok(()) => true,
        Err(HarnessError::Driver { .. }) => false,
        Err(e) => panic!("{e}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A field as both sides can describe it: the attribute cell and the attribute bits.
#[derive(Debug, PartialEq, Eq)]
struct FieldKey {
    attr_at: (usize, usize),
    protected: bool,
    numeric: bool,
    hidden: bool,
    intensified: bool,
    mdt: bool,
    fg: u8,
    bg: u8,
    highlight: u8,
}

/// s3270's ReadBuffer attribute type for the background colour.
const XA_BACKGROUND: u8 = 0x45;

fn oracle_fields(snap: &OracleSnapshot) -> Vec<FieldKey> {
    snap.buffer
        .fields
        .iter()
        .map(|f| FieldKey {
            attr_at: (f.row, f.col),
            protected: f.protected(),
            numeric: f.numeric(),
            hidden: f.hidden(),
            intensified: f.intensified(),
            mdt: f.fa() & web3270_tests::s3270::FA_MDT != 0,
            fg: f.color().unwrap_or(0),
            bg: f.attr(XA_BACKGROUND).unwrap_or(0),
            highlight: f.highlighting().unwrap_or(0),
        })
        .collect()
}

fn our_fields(ours: &Ours) -> Vec<FieldKey> {
    let (rows, cols) = ours.size;
    let size = rows * cols;
    ours.fields
        .iter()
        .map(|f| {
            let attr = (f.row * cols + f.col + size - 1) % size.max(1);
            FieldKey {
                attr_at: (attr / cols, attr % cols),
                protected: f.protected,
                numeric: f.numeric,
                hidden: !f.display,
                intensified: f.intensified,
                mdt: f.mdt,
                fg: f.fg,
                bg: f.bg,
                highlight: f.highlight,
            }
        })
        .collect()
}

/// Inbound structured field ID: Query Reply (GA23-0059 §6.1).
const AID_STRUCTURED_FIELD: u8 = 0x88;
/// Query Reply ID byte that follows each reply's length (GA23-0059 §6.2).
const QUERY_REPLY: u8 = 0x81;
/// Query Reply: Summary (lists the other replies).
const QR_SUMMARY: u8 = 0x80;
/// Query Reply: Distributed Data Management (IND$FILE file transfer).
const QR_DDM: u8 = 0x95;
/// Query Reply: RPQ Names (the emulator's name).
const QR_RPQ_NAMES: u8 = 0xa1;
/// Query Reply: Field Validation. web3270 enforces mandatory fill/entry and trigger fields
/// and says so; x3270 does neither. Accepted only with exactly these bytes.
const QR_FIELD_VALIDATION: u8 = 0x8a;
/// Our Field Validation reply: length 5, Query Reply, 0x8A, types fill|entry|trigger.
const FIELD_VALIDATION_REPLY: [u8; 5] = [0x00, 0x05, 0x81, 0x8a, 0x07];
/// TN3270E header length (RFC 2355 §8).
const TN3270E_HEADER: usize = 5;

/// One query reply: its code (QCODE) and all its bytes, length included.
type QueryReply<'a> = (u8, &'a [u8]);

/// The replies of an inbound Query Reply record: (header, [(qcode, whole reply)]), or
/// `None` when the record is not one. A TN3270E header is recognised by the 0x88 after it.
fn query_replies(record: &[u8]) -> Option<(&[u8], Vec<QueryReply<'_>>)> {
    let start = match (record.first(), record.get(TN3270E_HEADER)) {
        (Some(&AID_STRUCTURED_FIELD), _) => 0,
        (_, Some(&AID_STRUCTURED_FIELD)) => TN3270E_HEADER,
        _ => return None,
    };
    let mut rest = record.get(start + 1..)?;
    let mut replies = Vec::new();
    while !rest.is_empty() {
        let len = usize::from(u16::from_be_bytes([*rest.first()?, *rest.get(1)?]));
        let reply = rest.get(..len).filter(|_| len >= 4)?;
        if reply.get(2) != Some(&QUERY_REPLY) {
            return None;
        }
        replies.push((*reply.get(3)?, reply));
        rest = rest.get(len..)?;
    }
    Some((record.get(..start)?, replies))
}

/// Compares two Query Reply records reply by reply. Accepted on purpose (returned as notes):
/// s3270 lists and sends DDM (0x95, IND$FILE file transfer, which web3270 does not do), and
/// RPQ Names (0xa1) carries each emulator's own name; web3270 adds Field Validation (0x8a,
/// exactly [`FIELD_VALIDATION_REPLY`]) because it enforces it. Everything else must be byte-equal and
/// in the same order. `None` when either record is not a Query Reply.
fn query_reply_diffs(theirs: &[u8], ours: &[u8]) -> Option<(Vec<String>, Vec<String>)> {
    let (head_a, a) = query_replies(theirs)?;
    let (head_b, b) = query_replies(ours)?;
    let mut notes = Vec::new();
    let mut diffs = Vec::new();
    if head_a != head_b {
        diffs.push(format!(
            "TN3270E header: s3270 {}, ours {}",
            hex(head_a),
            hex(head_b)
        ));
    }
    if a.iter().any(|(q, _)| *q == QR_DDM) && !b.iter().any(|(q, _)| *q == QR_DDM) {
        notes.push("s3270 sends a DDM reply (0x95, IND$FILE); web3270 does not".to_string());
    }
    if !a.iter().any(|(q, _)| *q == QR_FIELD_VALIDATION)
        && b.iter()
            .any(|(q, r)| *q == QR_FIELD_VALIDATION && *r == FIELD_VALIDATION_REPLY)
    {
        notes.push(
            "web3270 answers Field Validation (0x8a: fill, entry, trigger); s3270 does not".into(),
        );
    }
    let comparable = |v: &[QueryReply]| -> Vec<(u8, Vec<u8>)> {
        v.iter()
            .filter(|(q, r)| {
                *q != QR_DDM && !(*q == QR_FIELD_VALIDATION && *r == FIELD_VALIDATION_REPLY)
            })
            .map(|(q, r)| match *q {
                // The summary without DDM and Field Validation.
                QR_SUMMARY => (
                    *q,
                    r.iter()
                        .skip(4)
                        .copied()
                        .filter(|c| *c != QR_DDM && *c != QR_FIELD_VALIDATION)
                        .collect(),
                ),
                QR_RPQ_NAMES => (*q, Vec::new()),
                _ => (*q, r.to_vec()),
            })
            .collect()
    };
    let (ca, cb) = (comparable(&a), comparable(&b));
    if let (Some((_, ra)), Some((_, rb))) = (
        a.iter().find(|(q, _)| *q == QR_RPQ_NAMES),
        b.iter().find(|(q, _)| *q == QR_RPQ_NAMES),
    ) {
        if ra != rb {
            notes.push(format!(
                "RPQ Names (0xa1) name the emulator: s3270 {}, ours {}",
                hex(ra),
                hex(rb)
            ));
        }
    }
    for i in 0..ca.len().max(cb.len()) {
        let (x, y) = (ca.get(i), cb.get(i));
        if x != y {
            diffs.push(format!(
                "reply {i}: s3270 {}, ours {}",
                x.map(|(q, r)| format!("{q:02x}:{}", hex(r)))
                    .unwrap_or("-".into()),
                y.map(|(q, r)| format!("{q:02x}:{}", hex(r)))
                    .unwrap_or("-".into())
            ));
        }
    }
    Some((notes, diffs))
}

/// Environment variable naming the `web3270` binary (default `target/debug/web3270`).
const BIN_ENV: &str = "WEB3270_BIN";

/// The `web3270` binary, when built: `cargo test --workspace` builds it before any test runs;
/// `cargo test -p web3270-tests` alone does not, and then the binary replay is skipped (the
/// in-process replay, the same `Terminal` path, still runs).
fn web3270_bin() -> Option<PathBuf> {
    std::env::var_os(BIN_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            workspace_root()
                .join("target")
                .join("debug")
                .join("web3270")
        })
        .canonicalize()
        .ok()
        .filter(|p| p.is_file())
}

/// The host stream up to and including the `records`-th IAC EOR.
fn host_prefix(stream: &[u8], records: usize) -> Vec<u8> {
    const IAC: u8 = 0xff;
    const EOR: u8 = 0xef;
    let mut seen = 0;
    let mut after_iac = false;
    for (i, &b) in stream.iter().enumerate() {
        if seen == records {
            return stream.get(..i).unwrap_or_default().to_vec();
        }
        if after_iac {
            seen += usize::from(b == EOR);
            after_iac = false;
        } else {
            after_iac = b == IAC;
        }
    }
    stream.to_vec()
}

/// Compares everything; returns the differences and writes the report file.
fn compare(dir: &TestDir, out: &Outcome) -> Vec<String> {
    let mut diffs = Vec::new();
    let mut report = String::new();
    let name = out.name;
    let _ = writeln!(report, "session {name}");

    // Screens.
    assert_eq!(out.oracle.len(), out.ours.len());
    for ((label, theirs), ours) in out.oracle.iter().zip(&out.ours) {
        assert_eq!(*label, ours.label, "snapshots out of step");
        let mut local = Vec::new();
        let status = theirs.status.as_ref().unwrap();
        if (status.rows, status.cols) != ours.size {
            local.push(format!(
                "size: s3270 {}x{}, ours {}x{}",
                status.rows, status.cols, ours.size.0, ours.size.1
            ));
        }
        for (n, (a, b)) in theirs.rows.iter().zip(&ours.rows).enumerate() {
            if a != b {
                local.push(format!("row {n}:\n  s3270 |{a}|\n  ours  |{b}|"));
            }
        }
        if theirs.rows.len() != ours.rows.len() {
            local.push(format!(
                "rows: s3270 {}, ours {}",
                theirs.rows.len(),
                ours.rows.len()
            ));
        }
        if theirs.cursor != ours.cursor {
            local.push(format!(
                "cursor: s3270 {:?}, ours {:?}",
                theirs.cursor, ours.cursor
            ));
        }
        if (status.keyboard == 'U') != ours.unlocked {
            local.push(format!(
                "keyboard: s3270 {}, ours unlocked={}",
                status.keyboard, ours.unlocked
            ));
        }
        let (a, b) = (oracle_fields(theirs), our_fields(ours));
        if a.len() != b.len() {
            local.push(format!("fields: s3270 {}, ours {}", a.len(), b.len()));
        }
        for (fa, fb) in a.iter().zip(&b) {
            if fa != fb {
                local.push(format!("field:\n  s3270 {fa:?}\n  ours  {fb:?}"));
            }
        }
        let _ = writeln!(
            report,
            "\n== snapshot {label}: {} ({} fields, cursor {:?})",
            if local.is_empty() {
                "equal"
            } else {
                "DIFFERENT"
            },
            a.len(),
            theirs.cursor
        );
        for row in &theirs.rows {
            let _ = writeln!(report, "  |{row}|");
        }
        for d in local {
            let _ = writeln!(report, "  {d}");
            diffs.push(format!("{name} @ {label}: {d}"));
        }
    }

    // Alarms: s3270's decoding of each write names the WCC bits, e.g.
    // `< EraseWrite(reset,alarm,restore,resetMDT) ...`; ours are TerminalEvent::Alarm.
    let trace_text = std::fs::read_to_string(dir.join(&format!("{name}.trc"))).unwrap();
    let their_alarms = trace_text
        .lines()
        .filter_map(|l| l.strip_prefix("< ")?.split_once('('))
        .filter(|(cmd, wcc)| {
            cmd.contains("Write")
                && wcc
                    .split(')')
                    .next()
                    .is_some_and(|bits| bits.split(',').any(|b| b == "alarm"))
        })
        .count();
    let our_alarms = out
        .driver
        .events()
        .iter()
        .filter(|e| **e == TerminalEvent::Alarm)
        .count();
    let _ = writeln!(
        report,
        "\n== alarms: s3270 {their_alarms}, ours {our_alarms}"
    );
    if their_alarms != our_alarms {
        diffs.push(format!(
            "{name}: alarms: s3270 {their_alarms}, ours {our_alarms}"
        ));
    }

    // Waits.
    let _ = writeln!(
        report,
        "\n== waits: s3270 {:?}, ours {:?}",
        out.oracle_waits, out.our_waits
    );
    if out.oracle_waits != out.our_waits {
        diffs.push(format!(
            "{name}: waits ended differently: s3270 {:?}, ours {:?}",
            out.oracle_waits, out.our_waits
        ));
    }

    // What the host received.
    let theirs_stream = out.trace.stream(Direction::ToHost);
    let ours_stream = out.driver.sent_stream();
    let (neg_a, neg_b) = (
        telnet_commands(&theirs_stream),
        telnet_commands(&ours_stream),
    );
    let _ = writeln!(report, "\n== negotiation sent to the host");
    for (i, cmd) in neg_a.iter().enumerate() {
        let same = neg_b.get(i) == Some(cmd);
        let _ = writeln!(
            report,
            "  {i}: {} {}",
            hex(cmd),
            if same { "equal" } else { "DIFFERENT" }
        );
    }
    if neg_a != neg_b {
        diffs.push(format!(
            "{name}: negotiation differs:\n  s3270 {}\n  ours  {}",
            neg_a.iter().map(|c| hex(c)).collect::<Vec<_>>().join(" "),
            neg_b.iter().map(|c| hex(c)).collect::<Vec<_>>().join(" ")
        ));
    }
    let (rec_a, rec_b) = (
        out.trace.records(Direction::ToHost),
        out.driver.sent_records(),
    );
    let _ = writeln!(report, "\n== records sent to the host");
    for i in 0..rec_a.len().max(rec_b.len()) {
        let (a, b) = (rec_a.get(i), rec_b.get(i));
        let _ = writeln!(
            report,
            "  {i}: {} {}",
            a.map(|r| hex(r)).unwrap_or("-".into()),
            if a == b { "equal" } else { "DIFFERENT" }
        );
        if a == b {
            continue;
        }
        // A Query Reply may differ only where we differ on purpose (see query_reply_diffs).
        let qr = a.zip(b).and_then(|(a, b)| query_reply_diffs(a, b));
        match qr {
            Some((notes, qr_diffs)) => {
                for n in notes {
                    let _ = writeln!(report, "     accepted: {n}");
                }
                for d in qr_diffs {
                    diffs.push(format!("{name}: query reply (record {i}): {d}"));
                }
            }
            None => diffs.push(format!(
                "{name}: record {i} to the host differs:\n  s3270 {}\n  ours  {}",
                a.map(|r| hex(r)).unwrap_or("-".into()),
                b.map(|r| hex(r)).unwrap_or("-".into())
            )),
        }
    }
    // What the host sent each (differences here explain differences above).
    let (host_a, host_b) = (
        out.trace.records(Direction::FromHost),
        telnet_records(&out.driver.received_stream()),
    );
    let _ = writeln!(
        report,
        "\n== host records: to s3270 {}, to ours {}, identical {}",
        host_a.len(),
        host_b.len(),
        host_a == host_b
    );

    // Replay of s3270's host stream through a fresh terminal.
    let replayed = replay(out);
    for ((label, theirs), ((records, host_wrote_last), rows)) in out
        .oracle
        .iter()
        .zip(out.oracle_points.iter().zip(&replayed))
    {
        // Only snapshots with a host write after the last keystroke show no typing.
        if !host_wrote_last {
            continue;
        }
        let same = &theirs.rows == rows;
        let _ = writeln!(
            report,
            "== replay after {records} host records @ {label}: {}",
            if same { "equal" } else { "DIFFERENT" }
        );
        if !same {
            let rows_diff: Vec<String> = theirs
                .rows
                .iter()
                .zip(rows)
                .enumerate()
                .filter(|(_, (a, b))| a != b)
                .map(|(n, (a, b))| format!("row {n}:\n  s3270  |{a}|\n  replay |{b}|"))
                .collect();
            diffs.push(format!(
                "{name} @ {label}: replay of s3270's host stream differs: {}",
                rows_diff.join("\n")
            ));
        }
    }

    // The same through the `web3270 replay` binary, when it is built.
    match web3270_bin() {
        // `web3270 replay` has no option to refuse TN3270E (s3270's `N:` is a Connect()
        // prefix, not a command-line option): its terminal answers the host's DO TN3270E with
        // WILL, so a stream in which the host then fell back to plain TN3270 is not a session
        // it can follow. The in-process replay above covers these sessions.
        Some(_) if !out.options.tn3270e => {
            let _ = writeln!(
                report,
                "== web3270 replay: skipped (it cannot refuse TN3270E as s3270's N: did)"
            );
        }
        Some(bin) => {
            let host_stream = out.trace.stream(Direction::FromHost);
            for ((label, theirs), (records, host_wrote_last)) in
                out.oracle.iter().zip(&out.oracle_points)
            {
                if !host_wrote_last {
                    continue;
                }
                let file = dir.join(&format!("{name}-{label}.host.raw"));
                std::fs::write(&file, host_prefix(&host_stream, *records)).unwrap();
                let run = Command::new(&bin)
                    .arg("replay")
                    .arg("--raw")
                    .args(out.options.replay_args())
                    .arg(&file)
                    .output()
                    .unwrap();
                let rows: Vec<String> = String::from_utf8_lossy(&run.stdout)
                    .lines()
                    .map(str::to_string)
                    .collect();
                let same = run.status.success() && rows == theirs.rows;
                let _ = writeln!(
                    report,
                    "== web3270 replay --raw {} @ {label}: {}",
                    file.display(),
                    if same { "equal" } else { "DIFFERENT" }
                );
                if !same {
                    diffs.push(format!(
                        "{name} @ {label}: `web3270 replay` of s3270's host stream differs ({}):\n{}\n{}",
                        run.status,
                        rows.join("\n"),
                        String::from_utf8_lossy(&run.stderr)
                    ));
                }
            }
        }
        None => {
            let _ = writeln!(
                report,
                "== web3270 replay: skipped (target/debug/web3270 not built; \
                 `cargo build -p bridge` or set {BIN_ENV})"
            );
        }
    }

    let _ = writeln!(report, "\n== {} differences", diffs.len());
    for d in &diffs {
        let _ = writeln!(report, "{d}");
    }
    dir.write(&format!("conformance-{name}.txt"), &report)
        .unwrap();
    diffs
}

/// Feeds s3270's host stream (chunk by chunk, as read) to a fresh terminal with the same
/// options and takes the screen after the number of host records each snapshot saw.
fn replay(out: &Outcome) -> Vec<Vec<String>> {
    let mut term = Terminal::new(out.options.config());
    term.connected();
    let chunks: Vec<&[u8]> = out
        .trace
        .chunks
        .iter()
        .filter(|c| c.direction == Direction::FromHost)
        .map(|c| c.bytes.as_slice())
        .collect();
    let mut records = 0;
    let mut next = chunks.into_iter();
    out.oracle_points
        .iter()
        .map(|&(want, _)| {
            // Byte by byte so that a snapshot between two records of one chunk is exact.
            while records < want {
                let Some(chunk) = next.next() else { break };
                for &b in chunk {
                    term.feed(&[b]);
                    while let Some(ev) = term.poll_event() {
                        if ev == TerminalEvent::RecordApplied {
                            records += 1;
                        }
                    }
                    let _ = term.take_output();
                }
            }
            term.text_rows()
        })
        .collect()
}

/// The host of a test, with what the comparison needs from it.
enum Peer<'a> {
    /// Hercules: a device is free again only once its log says the connection closed, so
    /// each client waits for the previous one's `HHCTE007I` (the next client of the same
    /// session must get the same device).
    Hercules {
        /// The emulator.
        herc: &'a mut Hercules,
        /// Connections it has logged as closed (`HHCTE007I`) so far.
        closed: usize,
    },
    /// Hercules with every device held by other clients: nothing to wait for.
    HerculesBusy(&'a Hercules),
    /// mfmock: its `--trace` log says what it received.
    MfMock(&'a MfMock),
}

/// Hercules' log line for a closed connection.
const HERCULES_CLOSED: &str = "HHCTE007I";

impl<'a> Peer<'a> {
    fn hercules(herc: &'a mut Hercules) -> Self {
        let closed = herc
            .process()
            .log_text()
            .lines()
            .filter(|l| l.contains(HERCULES_CLOSED))
            .count();
        Peer::Hercules { herc, closed }
    }

    fn address(&self) -> String {
        match self {
            Peer::Hercules { herc, .. } => herc.address(),
            Peer::HerculesBusy(herc) => herc.address(),
            Peer::MfMock(host) => host.address(),
        }
    }

    /// A client has disconnected: wait until the host has let go of it.
    fn released(&mut self) {
        if let Peer::Hercules { herc, closed } = self {
            *closed += 1;
            herc.process()
                .wait_for_log_lines(HERCULES_CLOSED, *closed, Duration::from_secs(10))
                .unwrap();
        }
    }
}

/// Runs each session, compares, and fails with every difference.
fn check(dir: &TestDir, mut peer: Peer, sessions: &[Session]) {
    let all = differences(dir, &mut peer, sessions);
    assert!(
        all.is_empty(),
        "{} differences from s3270 (reports in {}):\n{}",
        all.len(),
        dir.path().display(),
        all.join("\n")
    );
}

/// Runs the sessions and returns every difference from s3270. Against mfmock, the records
/// in its `--trace` log from the driver's connection must also be the ones the driver logged
/// as sent (the driver's log is what the comparison with s3270 relies on).
fn differences(dir: &TestDir, peer: &mut Peer, sessions: &[Session]) -> Vec<String> {
    let mut all = Vec::new();
    for session in sessions {
        let out = run_session(dir, peer, session);
        all.extend(compare(dir, &out));
        if let Peer::MfMock(host) = peer {
            all.extend(host_received(host, &out));
        }
        drop(out);
        peer.released();
    }
    all
}

/// The driver's sent records vs the last records mfmock logged as received on the driver's
/// connection (the LU of the last record mfmock logged: the driver connected last).
fn host_received(host: &MfMock, out: &Outcome) -> Vec<String> {
    let records = host.records();
    let Some(lu) = records.last().map(|r| r.lu.clone()) else {
        return vec![format!("{}: mfmock logged no records", out.name)];
    };
    let got: Vec<Vec<u8>> = records
        .into_iter()
        .filter(|r| r.lu == lu && r.direction == Direction::ToHost)
        .map(|r| r.bytes)
        .collect();
    let sent = out.driver.sent_records();
    let tail = got
        .get(got.len().saturating_sub(sent.len())..)
        .unwrap_or_default();
    if sent.is_empty() {
        vec![format!("{}: the driver sent no record", out.name)]
    } else if tail == sent.as_slice() {
        Vec::new()
    } else {
        vec![format!(
            "{}: mfmock ({lu}) received {:02x?}, the driver logged {:02x?}",
            out.name, tail, sent
        )]
    }
}

// ---------------------------------------------------------------------------------------------

#[test]
fn hercules_plain_tn3270_matches_s3270() {
    let dir = TestDir::new("conformance_hercules").unwrap();
    let mut herc = Hercules::start(&dir).unwrap();
    let logo = Session {
        name: "hercules-logo",
        options: Options::model("3279-2-E"),
        steps: vec![
            Step::Snap("logo"),
            // Typing into a protected field locks the keyboard; Reset unlocks it.
            Step::Type("A"),
            Step::Snap("typed-into-protected"),
            Step::Key(Key::Reset),
            Step::Key(Key::Tab),
            Step::Key(Key::Right),
            Step::Snap("reset-tab"),
            // No OS answers: the keyboard stays locked.
            Step::Key(Key::Enter),
            Step::Wait(1),
            Step::Snap("after-enter"),
        ],
    };
    let device = Session {
        name: "hercules-device-0012",
        options: Options {
            lu: Some("0012"),
            terminal_type: Some("IBM-3278-2"),
            ..Options::model("3278-2")
        },
        steps: vec![
            Step::Snap("logo"),
            Step::Key(Key::Clear),
            Step::Wait(1),
            Step::Snap("after-clear"),
            // ATTN with the keyboard locked: a telnet signal, not a record.
            Step::Key(Key::Attn),
            Step::Wait(1),
            Step::Snap("after-attn"),
        ],
    };
    // SYS REQ in plain TN3270: the Test Request Read record, keyboard locked (no OS answers).
    let sysreq = Session {
        name: "hercules-sysreq",
        options: Options {
            lu: Some("0011"),
            ..Options::model("3279-2-E")
        },
        steps: vec![Step::Key(Key::SysReq), Step::Wait(1), Step::Snap("sysreq")],
    };
    // A model 5 (27x132): the logo, then CLEAR erases locally (no OS answers it).
    let model5 = Session {
        name: "hercules-model5-clear",
        options: Options {
            lu: Some("0013"),
            ..Options::model("3279-5-E")
        },
        steps: vec![
            Step::Snap("logo"),
            Step::Key(Key::Clear),
            Step::Wait(1),
            Step::Snap("after-clear"),
        ],
    };
    check(
        &dir,
        Peer::hercules(&mut herc),
        &[logo, device, sysreq, model5],
    );
}

/// A documented deviation, pinned: after an AID the host never answers (Hercules), s3270's
/// Reset unlocks the keyboard (x3270's explicit Reset does); the core's Reset does not, since
/// on a 3270 only the host restores the keyboard (tn3270/src/input/mod.rs, "Deviations from
/// x3270"). Everything else — the Enter record, the screen — must match.
#[test]
fn hercules_reset_after_an_unanswered_aid_is_the_only_known_difference() {
    let dir = TestDir::new("conformance_hercules_reset").unwrap();
    let mut herc = Hercules::start(&dir).unwrap();
    let session = Session {
        name: "hercules-reset-after-aid",
        options: Options::model("3279-2-E"),
        steps: vec![
            Step::Key(Key::Enter),
            Step::Wait(1),
            Step::Key(Key::Reset),
            Step::Snap("reset"),
        ],
    };
    let diffs = differences(&dir, &mut Peer::hercules(&mut herc), &[session]);
    assert_eq!(
        diffs,
        vec![
            "hercules-reset-after-aid @ reset: keyboard: s3270 U, ours unlocked=false".to_string()
        ]
    );
}

#[test]
fn hercules_connection_rejected_screen_matches_s3270() {
    let dir = TestDir::new("conformance_hercules_busy").unwrap();
    let herc = Hercules::start(&dir).unwrap();
    // Four of our terminals take devices 0010-0013 and hold them; the fifth client is
    // turned away with a "connection rejected" screen.
    let holders: Vec<Driver> = (0..4)
        .map(|_| {
            let mut d =
                Driver::connect(&herc.address(), Options::model("3279-2-E").config()).unwrap();
            d.wait_unlock(Duration::from_secs(10)).unwrap();
            d
        })
        .collect();
    let rejected = Session {
        name: "hercules-rejected",
        options: Options::model("3279-2-E"),
        steps: vec![Step::Snap("rejected")],
    };
    check(&dir, Peer::HerculesBusy(&herc), &[rejected]);
    let text = std::fs::read_to_string(dir.join("conformance-hercules-rejected.txt")).unwrap();
    assert!(
        text.contains("Connection rejected, no available 3270 device"),
        "{text}"
    );
    drop(holders);
}

/// ATTN and SYS REQ over TN3270E with no functions agreed (mfmock offers none: no
/// BIND-IMAGE, so the session is never bound, and no SYSREQ function).
///
/// s3270 4.1 refuses ATTN on an unbound TN3270E session ("Keyboard lock(Attn) +OIA_MINUS":
/// X -f, nothing sent) and sends nothing for SYS REQ without the SYSREQ function (no lock).
/// The core sends IAC IP (`ff f4`) for ATTN and leaves the keyboard unlocked, and sends the
/// Test Request Read record for SYS REQ (`00 00 00 00 00 01 6c 61 02`: TN3270E header +
/// `01 6c 61 02`, keyboard locked), which mfmock answers by redrawing the screen. In plain
/// TN3270 both match s3270 (IAC BREAK, and the same Test Request record: see the Hercules
/// sessions). RFC 2355 §10.4/§10.5 tie IAC IP to an SNA SIGNAL (a bound LU-LU session) and
/// SYS REQ to the SYSREQ function, so s3270's behaviour is the one to follow.
#[test]
fn mfmock_attn_and_sysreq_over_tn3270e_match_s3270() {
    let dir = TestDir::new("conformance_attn_sysreq_tn3270e").unwrap();
    let host = MfMock::start(&dir, &MfMockApp::Colours, &MfMockOptions::default()).unwrap();
    let sessions = [Session {
        name: "colours-attn-sysreq",
        options: Options::model("3279-2-E"),
        steps: vec![
            Step::Key(Key::Attn),
            Step::Wait(2),
            Step::Snap("attn"),
            Step::Key(Key::Reset),
            Step::Key(Key::SysReq),
            Step::Wait(2),
            Step::Snap("sysreq"),
            Step::Key(Key::Reset),
            Step::Key(Key::Pf(3)),
            Step::WaitDisconnect(10),
        ],
    }];
    check(&dir, Peer::MfMock(&host), &sessions);
}

fn logon_steps() -> Vec<Step> {
    vec![
        Step::Snap("signon"),
        // A wrong password: an error message, the alarm, the cursor back in PASSWORD.
        Step::Type("alice"),
        Step::Key(Key::Tab),
        Step::Type("nope"),
        Step::Key(Key::Enter),
        Step::Wait(10),
        Step::Snap("bad-password"),
        Step::Key(Key::EraseEof),
        Step::Type("web3270"),
        Step::Key(Key::Tab),
        // BRANCH is 4 long: the 4th digit skips to the next input field, wrapping to USERID.
        Step::Type("0142"),
        Step::Snap("autoskip"),
        Step::Key(Key::BackTab),
        Step::Key(Key::Right),
        Step::Key(Key::Delete),
        Step::Key(Key::ToggleInsert),
        Step::Type("9"),
        Step::Key(Key::ToggleInsert),
        Step::Snap("typed"),
        Step::Key(Key::Enter),
        Step::Wait(10),
        Step::Snap("menu"),
        // OPTION is 1 long and followed by an autoskip attribute: the cursor skips to the
        // next unprotected field, wrapping to TRAN at (1,7). Typed with s3270's `Key()`:
        // its `String()` re-margins after a skip to another row (x3270's paste logic) and
        // puts the cursor at (1,21), the column typing started in — not a keyboard rule.
        Step::Key(Key::Char('2')),
        Step::Snap("option-typed"),
        Step::Key(Key::Enter),
        Step::Wait(10),
        Step::Snap("option"),
        Step::Key(Key::Pa(1)),
        Step::Wait(10),
        Step::Snap("pa1"),
        Step::Key(Key::Clear),
        Step::Wait(10),
        Step::Snap("clear"),
        Step::Key(Key::Pf(3)),
        Step::WaitDisconnect(10),
    ]
}

#[test]
fn mfmock_logon_over_tn3270e_matches_s3270() {
    let dir = TestDir::new("conformance_logon_tn3270e").unwrap();
    let host = MfMock::start(&dir, &MfMockApp::Logon, &MfMockOptions::default()).unwrap();
    let sessions = [
        Session {
            name: "logon-tn3270e-3279-2",
            options: Options::model("3279-2-E"),
            steps: logon_steps(),
        },
        // An LU name asked for with TN3270E CONNECT.
        Session {
            name: "logon-tn3270e-lu",
            options: Options {
                lu: Some("WEBLU042"),
                ..Options::model("3279-3-E")
            },
            steps: logon_steps(),
        },
        // The same host, TN3270E refused by the client (s3270's `N:` prefix).
        Session {
            name: "logon-refuse-tn3270e",
            options: Options {
                tn3270e: false,
                ..Options::model("3279-2-E")
            },
            steps: logon_steps(),
        },
    ];
    check(&dir, Peer::MfMock(&host), &sessions);
}

#[test]
fn mfmock_logon_over_plain_tn3270_matches_s3270() {
    let dir = TestDir::new("conformance_logon_tn3270").unwrap();
    let options = MfMockOptions {
        tn3270e: false,
        ..MfMockOptions::default()
    };
    let host = MfMock::start(&dir, &MfMockApp::Logon, &options).unwrap();
    let sessions = [
        Session {
            name: "logon-tn3270-3279-2",
            options: Options::model("3279-2-E"),
            steps: logon_steps(),
        },
        Session {
            name: "logon-tn3270-3278-2-basic",
            options: Options {
                terminal_type: Some("IBM-3278-2"),
                ..Options::model("3278-2")
            },
            steps: logon_steps(),
        },
    ];
    check(&dir, Peer::MfMock(&host), &sessions);
}

#[test]
fn mfmock_colours_and_editing_keys_match_s3270() {
    let dir = TestDir::new("conformance_colours").unwrap();
    let host = MfMock::start(&dir, &MfMockApp::Colours, &MfMockOptions::default()).unwrap();
    let steps = vec![
        Step::Snap("colours"),
        // NAME: type, insert at the start, delete, field end, field mark.
        Step::Type("hello"),
        Step::Key(Key::ToggleInsert),
        Step::Key(Key::Home),
        Step::Type("X"),
        Step::Key(Key::ToggleInsert),
        Step::Key(Key::Right),
        Step::Key(Key::Delete),
        Step::Key(Key::FieldEnd),
        Step::Key(Key::FieldMark),
        // AMOUNT (numeric): digits, then a letter that numeric lock refuses.
        Step::Key(Key::Tab),
        Step::Type("12"),
        Step::Type("a"),
        Step::Snap("numeric-lock"),
        Step::Key(Key::Reset),
        // PIN (hidden).
        Step::Key(Key::Tab),
        Step::Type("9999"),
        Step::Snap("typed"),
        // Back to AMOUNT: erase to end of field and retype; DUP in NAME.
        Step::Key(Key::BackTab),
        Step::Key(Key::BackTab),
        Step::Key(Key::EraseEof),
        Step::Type("7"),
        Step::Key(Key::Home),
        Step::Key(Key::Right2),
        Step::Key(Key::Dup),
        Step::Snap("edited"),
        // Insert mode with no null left in the field: "X >" (overflow), then Reset.
        Step::Key(Key::Home),
        Step::Key(Key::ToggleInsert),
        Step::Type("abcdef"),
        Step::Snap("insert-overflow"),
        Step::Key(Key::Reset),
        // Cursor movement: the Enter record carries the cursor address.
        Step::Key(Key::Newline),
        Step::Key(Key::Down),
        Step::Key(Key::Up),
        Step::Key(Key::Left2),
        Step::Key(Key::Backspace),
        Step::Key(Key::WordNext),
        Step::Key(Key::WordPrev),
        Step::Key(Key::Right2),
        Step::Snap("moved"),
        Step::Key(Key::Enter),
        Step::Wait(10),
        Step::Snap("echo"),
        Step::Key(Key::EraseInput),
        Step::Snap("erase-input"),
        // Editing keys on a protected position (the row above NAME).
        Step::Key(Key::Up),
        Step::Key(Key::EraseEof),
        Step::Snap("eraseeof-protected"),
        Step::Key(Key::Reset),
        Step::Key(Key::Delete),
        Step::Snap("delete-protected"),
        Step::Key(Key::Reset),
        Step::Key(Key::Dup),
        Step::Snap("dup-protected"),
        Step::Key(Key::Reset),
        Step::Key(Key::Down),
        Step::Key(Key::Backspace),
        Step::Key(Key::FieldMark),
        Step::Snap("fieldmark-protected"),
        Step::Key(Key::Reset),
        Step::Key(Key::Clear),
        Step::Wait(10),
        Step::Snap("clear"),
        Step::Key(Key::Pa(2)),
        Step::Wait(10),
        Step::Snap("pa2"),
        Step::Key(Key::Pf(3)),
        Step::WaitDisconnect(10),
    ];
    let sessions = [
        Session {
            name: "colours-3279-2-numeric-lock",
            options: Options {
                numeric_lock: true,
                ..Options::model("3279-2-E")
            },
            steps,
        },
        // s3270's default: no numeric lock, a letter goes into the numeric field.
        Session {
            name: "colours-3279-2-no-numeric-lock",
            options: Options::model("3279-2-E"),
            steps: vec![
                Step::Key(Key::Tab),
                Step::Type("1a2"),
                Step::Snap("letter-in-numeric"),
                Step::Key(Key::Enter),
                Step::Wait(10),
                Step::Snap("validated"),
                Step::Key(Key::Pf(3)),
                Step::WaitDisconnect(10),
            ],
        },
    ];
    check(&dir, Peer::MfMock(&host), &sessions);
}

fn sizes_sessions(prefix: &'static str) -> Vec<Session> {
    let steps = || {
        vec![
            Step::Snap("size"),
            Step::Type("last"),
            Step::Key(Key::Enter),
            Step::Wait(10),
            Step::Snap("echo"),
        ]
    };
    let names: [(&'static str, Options); 6] = [
        ("model2", Options::model("3279-2-E")),
        ("model3", Options::model("3279-3-E")),
        ("model4", Options::model("3279-4-E")),
        ("model5", Options::model("3279-5-E")),
        ("model4-3278", Options::model("3278-4")),
        (
            "dynamic-160x62",
            Options {
                terminal_type: Some("IBM-DYNAMIC"),
                oversize: Some("160x62"),
                ..Options::model("3279-2-E")
            },
        ),
    ];
    names
        .into_iter()
        .map(|(name, options)| Session {
            name: Box::leak(format!("{prefix}-{name}").into_boxed_str()),
            options,
            steps: steps(),
        })
        .collect()
}

#[test]
fn mfmock_sizes_over_tn3270e_match_s3270() {
    let dir = TestDir::new("conformance_sizes_tn3270e").unwrap();
    let host = MfMock::start(&dir, &MfMockApp::Sizes, &MfMockOptions::default()).unwrap();
    check(&dir, Peer::MfMock(&host), &sizes_sessions("sizes-tn3270e"));
}

#[test]
fn mfmock_sizes_over_plain_tn3270_match_s3270() {
    let dir = TestDir::new("conformance_sizes_tn3270").unwrap();
    let options = MfMockOptions {
        tn3270e: false,
        ..MfMockOptions::default()
    };
    let host = MfMock::start(&dir, &MfMockApp::Sizes, &options).unwrap();
    check(&dir, Peer::MfMock(&host), &sizes_sessions("sizes-tn3270"));
}
