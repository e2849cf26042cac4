//! The workloads of the protocol-core benchmarks, shared by `benches/datastream.rs` and the
//! allocation test `tests/alloc_free.rs` (included there with `#[path]`).
//!
//! The main workload is a dense model-5 (27×132) panel of the kind a host application sends
//! after Enter: one Erase/Write Alternate record (GA23-0059 §3.4) with an SBA per row, 12
//! fields per row (324 fields in all), each started with SFE (§4.3.2) carrying a field
//! attribute, a foreground colour and extended highlighting; protected labels alternate with
//! unprotected inputs, text fills every data position, and one SA run per row (§4.3.5).
#![allow(dead_code)] // each including target uses a different subset

use tn3270::address::AddressingMode;
use tn3270::builder::{ScreenBuilder, Wcc};
use tn3270::codepage::CP037;
use tn3270::datastream::{self, Capabilities};
use tn3270::screen::attributes::{color, highlight, xa, FieldAttribute, FA_PROTECTED};
use tn3270::screen::{Screen, ScreenSize};
use tn3270::terminal::{Terminal, TerminalConfig, TerminalEvent, TerminalModel};

/// Rows of the model-5 screen.
pub const ROWS: usize = 27;
/// Columns of the model-5 screen.
pub const COLS: usize = 132;
/// Fields per row: six label/input pairs of 22 columns each.
pub const FIELDS_PER_ROW: usize = 12;
/// Width of one field including its attribute position (10 data positions).
pub const FIELD_WIDTH: usize = COLS / FIELDS_PER_ROW;
/// Fields on the screen.
pub const FIELDS: usize = ROWS * FIELDS_PER_ROW;
/// Inputs whose MDT the Read Modified workload sets.
pub const MODIFIED_FIELDS: usize = 50;

const COLORS: [u8; 7] = [
    color::BLUE,
    color::RED,
    color::PINK,
    color::GREEN,
    color::TURQUOISE,
    color::YELLOW,
    color::NEUTRAL_WHITE,
];
const HIGHLIGHTS: [u8; 4] = [
    highlight::NORMAL,
    highlight::UNDERSCORE,
    highlight::REVERSE,
    highlight::INTENSIFY,
];

/// A colour 3279 model 5 with the extended data stream, code page 037.
pub fn capabilities() -> Capabilities {
    Capabilities::for_model(5, true, true, &CP037)
}

/// A fresh model-5 screen for [`capabilities`].
pub fn screen() -> Screen {
    capabilities().new_screen()
}

/// The address of the attribute of field `index` (row-major, 0-based).
pub fn field_attr_addr(index: usize) -> usize {
    (index / FIELDS_PER_ROW) * COLS + (index % FIELDS_PER_ROW) * FIELD_WIDTH
}

/// True when field `index` is an (unprotected) input; even fields are labels.
pub fn is_input(index: usize) -> bool {
    index % 2 == 1
}

/// The dense full screen: EWA, WCC reset + restore keyboard + reset MDT, 324 SFE fields.
pub fn full_screen_record() -> Vec<u8> {
    let wcc = Wcc::NONE.reset().restore_keyboard().reset_mdt();
    let size = ScreenSize::MODEL_5;
    let mut b = ScreenBuilder::erase_write_alternate(wcc, size);
    for row in 0..ROWS {
        b = b.at(row, 0);
        for f in 0..FIELDS_PER_ROW {
            let index = row * FIELDS_PER_ROW + f;
            let attr = if is_input(index) {
                FieldAttribute(0)
            } else {
                FieldAttribute(FA_PROTECTED)
            };
            let pairs = [
                (xa::FOREGROUND, COLORS[index % COLORS.len()]),
                (xa::HIGHLIGHTING, HIGHLIGHTS[index % HIGHLIGHTS.len()]),
            ];
            b = b.field_ext(attr, &pairs);
            // FIELD_WIDTH - 1 data positions, every one filled.
            let text = if is_input(index) {
                format!(
                    "{:0>9}{}",
                    index * 7919,
                    char::from(b'A' + (index % 26) as u8)
                )
            } else {
                format!("FLD{index:03}-ID:")
            };
            debug_assert_eq!(text.len(), FIELD_WIDTH - 1);
            if f == 2 {
                // One SA run per row: a coloured word inside a label, then back to default.
                b = b
                    .text(&text[..3], &CP037)
                    .set_attr(xa::FOREGROUND, color::YELLOW)
                    .text(&text[3..6], &CP037)
                    .set_attr(xa::ALL, 0)
                    .text(&text[6..], &CP037);
            } else {
                b = b.text(&text, &CP037);
            }
        }
    }
    // The cursor in the first input.
    b.at_addr(field_attr_addr(1) + 1).insert_cursor().build()
}

/// The common interactive case: a Write (keyboard restore) that replaces one input's value
/// and moves the cursor there.
pub fn small_write_record() -> Vec<u8> {
    let wcc = Wcc::NONE.restore_keyboard();
    let at = field_attr_addr(FIELDS_PER_ROW * 13 + 5) + 1;
    ScreenBuilder::write(wcc, ScreenSize::MODEL_5)
        .at_addr(at)
        .text("UPDATED-OK", &CP037)
        .at_addr(at)
        .insert_cursor()
        .build()
}

/// A screen holding [`full_screen_record`] with the MDT on in [`MODIFIED_FIELDS`] inputs
/// (every third input from the first), as after the operator typed into them.
pub fn modified_screen() -> Screen {
    let caps = capabilities();
    let mut s = caps.new_screen();
    apply(&mut s, &caps, &full_screen_record());
    let inputs = (0..FIELDS).filter(|&i| is_input(i)).step_by(3);
    for index in inputs.take(MODIFIED_FIELDS) {
        s.set_mdt(field_attr_addr(index) + 1, true);
    }
    s
}

/// Applies a record, insisting that it applies cleanly.
pub fn apply(screen: &mut Screen, caps: &Capabilities, record: &[u8]) {
    match datastream::process(screen, record, caps) {
        Ok(outcome) => assert!(outcome.replies.is_empty(), "no reply expected"),
        Err(e) => panic!("record rejected: {e}"),
    }
}

/// The addressing the Read Modified workload uses (12-bit fits 3564 cells).
pub const ADDRESSING: AddressingMode = AddressingMode::TwelveFourteen;

/// A record as it travels on a plain TN3270 connection: IAC doubled, IAC EOR appended
/// (RFC 854, RFC 885).
pub fn telnet_frame(record: &[u8]) -> Vec<u8> {
    const IAC: u8 = 0xFF;
    const EOR: u8 = 0xEF;
    let mut out = Vec::with_capacity(record.len() + 2);
    for &b in record {
        out.push(b);
        if b == IAC {
            out.push(IAC);
        }
    }
    out.extend_from_slice(&[IAC, EOR]);
    out
}

/// A 3279-5-E terminal after plain TN3270 negotiation (TERMINAL-TYPE, EOR, BINARY), its
/// output and events drained.
pub fn connected_terminal() -> Terminal {
    const NEGOTIATION: &[&[u8]] = &[
        &[0xff, 0xfd, 0x18],                   // DO TERMINAL-TYPE
        &[0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0], // SB TERMINAL-TYPE SEND SE
        &[
            0xff, 0xfd, 0x19, 0xff, 0xfb, 0x19, // DO EOR, WILL EOR
            0xff, 0xfd, 0x00, 0xff, 0xfb, 0x00, // DO BINARY, WILL BINARY
        ],
    ];
    let model = match TerminalModel::parse("3279-5-E") {
        Ok(m) => m,
        Err(e) => panic!("model: {e:?}"),
    };
    let mut t = Terminal::new(TerminalConfig {
        model,
        ..TerminalConfig::default()
    });
    t.connected();
    for step in NEGOTIATION {
        t.feed(step);
    }
    t.take_output();
    drain(&mut t);
    t
}

/// Feeds one framed record and drains the events, checking that it applied cleanly.
pub fn feed_record(t: &mut Terminal, framed: &[u8]) {
    t.feed(framed);
    while let Some(ev) = t.poll_event() {
        if let TerminalEvent::Error(e) = ev {
            panic!("terminal error: {e}");
        }
    }
}

/// Drops every pending event.
pub fn drain(t: &mut Terminal) {
    while t.poll_event().is_some() {}
}
