//! Inbound records: what the terminal sends for an AID or a host read command.
//!
//! Spec: GA23-0059 §3.5 "Inbound Operations": §3.5.2 Read Buffer (AID, cursor address, the
//! whole buffer with SF/SFE orders for attributes), §3.5.3 Read Modified (AID, cursor, SBA +
//! data of each modified field, nulls suppressed), §3.5.4 short reads (PA1–3, CLEAR: the AID
//! alone), §3.5.5 Read Modified All; §5.30 Set Reply Mode (Field / Extended Field /
//! Character: how attributes are reported); the Test Request read (SYS REQ on a non-SNA
//! session, header SOH % / STX); the field validation trigger AID.
//!
//! Byte-exact with x3270's `ctlr_read_modified` / `ctlr_read_buffer` (s3270 is the oracle):
//! - an unformatted screen sends every non-null character from address 0, no SBA;
//! - a modified field with no data still gets its SBA;
//! - Cursor Select (X'7E') sends the SBAs of modified fields without their data;
//! - in Character reply mode SA orders appear before a character whose reported attributes
//!   (in the order foreground, background, highlighting, character set, then transparency,
//!   which x3270 does not have) differ from the last ones sent, starting from all-default at
//!   the start of the record; Read Modified reports a default character attribute as the
//!   field's (current x3270; s3270 4.1 reports the character's own), Read Buffer as is;
//! - a character in the APL set (cell character set X'F1', or a default cell in an APL field)
//!   is preceded by GE.
//!
//! Addresses use [`address::inbound_encoding`]: 12-bit up to 4096 cells, then 14-bit, or
//! 16-bit when the host selected it. (A screen larger than 16384 cells cannot be reported in
//! 12/14-bit; its addresses are written modulo 16384. No 3270 model has one.)
//!
//! Does not own: IAC doubling and EOR (telnet), the TN3270E header (tn3270e), Query Replies
//! (sf).

use crate::address::{self, AddressingMode, MAX_14BIT_CELLS};
use crate::aid::Aid;
use crate::builder::codes::order;
use crate::screen::attributes::{charset, xa};
use crate::screen::{ReplyMode, Screen};

use super::ebc;

/// Most characters in one SSCP-LU inbound record (x3270's limit).
pub const SSCP_LU_MAX: usize = 255;

/// Appends the Read Modified (or, with `all`, Read Modified All) answer for `aid`.
///
/// PA1–3 and CLEAR give a short read (the AID alone) unless `all`. [`Aid::SysReq`] gives a
/// Test Request record: SOH % / STX and the modified fields, no AID, no cursor.
/// [`Aid::StructuredField`] (a pending Query Reply) is the `sf` module's business; here it is
/// treated as an ordinary AID.
pub fn read_modified(
    screen: &Screen,
    aid: Aid,
    all: bool,
    mode: AddressingMode,
    out: &mut Vec<u8>,
) {
    let mut send_data = true;
    if aid == Aid::SysReq {
        out.extend_from_slice(&[ebc::SOH, ebc::PERCENT, ebc::SLASH, ebc::STX]);
    } else {
        out.push(aid.code());
        if !all && aid.is_short_read() {
            return;
        }
        if !all && aid == Aid::CursorSelect {
            send_data = false;
        }
        push_address(screen, screen.cursor(), mode, out);
    }
    let mut sa = SaState::default();
    match first_attribute(screen) {
        Some(first) => {
            let mut fa_addr = first;
            loop {
                let modified = screen.cell(fa_addr).fa.is_some_and(|fa| fa.is_modified());
                let next = if modified {
                    let start = screen.next(fa_addr);
                    push_sba(screen, start, mode, out);
                    field_data(screen, fa_addr, send_data, &mut sa, out)
                } else {
                    next_attribute(screen, fa_addr)
                };
                if next == first || next == fa_addr {
                    break;
                }
                fa_addr = next;
            }
        }
        None => {
            for a in 0..screen.len() {
                let cell = screen.cell(a);
                if cell.ch != ebc::NULL {
                    sa.insert(screen, cell.ext, out);
                    if cell.ext.charset == charset::APL {
                        out.push(order::GE);
                    }
                    out.push(cell.ch);
                }
            }
        }
    }
}

/// Appends the Trigger AID record for the field whose attribute is at `fa_addr`: X'7F',
/// cursor address, SBA to the field's first position and its data (nulls suppressed).
pub fn trigger(screen: &Screen, fa_addr: usize, mode: AddressingMode, out: &mut Vec<u8>) {
    out.push(Aid::Trigger.code());
    push_address(screen, screen.cursor(), mode, out);
    push_sba(screen, screen.next(fa_addr), mode, out);
    field_data(screen, fa_addr, true, &mut SaState::default(), out);
}

/// Appends the Read Buffer answer: AID, cursor address, then every position of the buffer
/// from address 0 (nulls included), attributes reported per [`Screen::reply_mode`]: SF +
/// attribute (Field mode), SFE with the field's non-default extended attributes (Extended
/// Field and Character modes), plus SA orders in Character mode.
pub fn read_buffer(screen: &Screen, aid: Aid, mode: AddressingMode, out: &mut Vec<u8>) {
    out.push(aid.code());
    push_address(screen, screen.cursor(), mode, out);
    let field_mode = screen.reply_mode() == ReplyMode::Field;
    let mut field_charset = screen
        .field_attr_addr(0)
        .map_or(charset::DEFAULT, |a| screen.cell(a).ext.charset);
    let mut sa = SaState::default();
    for a in 0..screen.len() {
        let cell = screen.cell(a);
        if let Some(fa) = cell.fa {
            field_charset = cell.ext.charset;
            if field_mode {
                out.extend_from_slice(&[order::SF, fa.to_byte()]);
                continue;
            }
            out.push(order::SFE);
            let count_at = out.len();
            out.extend_from_slice(&[1, xa::FIELD_ATTRIBUTE, fa.to_byte()]);
            let e = cell.ext;
            let pairs = [
                (xa::FOREGROUND, e.fg),
                (xa::BACKGROUND, e.bg),
                (xa::HIGHLIGHTING, normal_highlight(e.highlight)),
                (xa::CHARSET, e.charset),
                (xa::TRANSPARENCY, e.transparency),
                (xa::VALIDATION, e.validation),
                (xa::OUTLINING, e.outlining),
            ];
            let mut count = 1u8;
            for (t, v) in pairs.into_iter().filter(|&(_, v)| v != 0) {
                out.extend_from_slice(&[t, v]);
                count += 1;
            }
            if let Some(c) = out.get_mut(count_at) {
                *c = count;
            }
        } else {
            sa.insert(screen, cell.ext, out);
            if is_apl(cell.ext.charset, field_charset) {
                out.push(order::GE);
            }
            out.push(cell.ch);
        }
    }
}

/// Appends the SSCP-LU inbound data (x3270): the non-null characters from `start` to the end
/// of the screen, at most [`SSCP_LU_MAX`], no AID, no cursor address.
pub fn sscp_lu_data(screen: &Screen, start: usize, out: &mut Vec<u8>) {
    let start = screen.wrap(start);
    let text = (start..screen.len())
        .map(|a| screen.cell(a).ch)
        .filter(|&ch| ch != ebc::NULL)
        .take(SSCP_LU_MAX);
    out.extend(text);
}

/// Appends a buffer address in the inbound encoding for this screen and addressing mode.
pub fn push_address(screen: &Screen, addr: usize, mode: AddressingMode, out: &mut Vec<u8>) {
    let encoding = address::inbound_encoding(screen.len(), mode);
    let bytes = address::encode(addr, encoding)
        .or_else(|| address::encode(addr % MAX_14BIT_CELLS, encoding))
        .unwrap_or_default();
    out.extend_from_slice(&bytes);
}

fn push_sba(screen: &Screen, addr: usize, mode: AddressingMode, out: &mut Vec<u8>) {
    out.push(order::SBA);
    push_address(screen, addr, mode, out);
}

/// The first field attribute at or after address 0.
fn first_attribute(screen: &Screen) -> Option<usize> {
    screen.cells().iter().position(|c| c.fa.is_some())
}

/// The next field attribute after `fa_addr` (wrapping; itself when it is the only one).
fn next_attribute(screen: &Screen, fa_addr: usize) -> usize {
    let n = screen.len();
    (1..=n)
        .map(|i| (fa_addr + i) % n)
        .find(|&a| screen.cell(a).fa.is_some())
        .unwrap_or(fa_addr)
}

/// Writes the data of the field at `fa_addr` (nulls suppressed; only when `send_data`) and
/// returns the address of the next attribute.
fn field_data(
    screen: &Screen,
    fa_addr: usize,
    send_data: bool,
    sa: &mut SaState,
    out: &mut Vec<u8>,
) -> usize {
    let field_ext = screen.cell(fa_addr).ext;
    let n = screen.len();
    for i in 1..=n {
        let a = (fa_addr + i) % n;
        let cell = screen.cell(a);
        if cell.fa.is_some() {
            return a;
        }
        if send_data && cell.ch != ebc::NULL {
            let mut ext = cell.ext;
            if ext.fg == 0 {
                ext.fg = field_ext.fg;
            }
            if ext.bg == 0 {
                ext.bg = field_ext.bg;
            }
            if ext.highlight == 0 {
                ext.highlight = field_ext.highlight;
            }
            if ext.charset == 0 {
                ext.charset = field_ext.charset;
            }
            if ext.transparency == 0 {
                ext.transparency = field_ext.transparency;
            }
            sa.insert(screen, ext, out);
            if is_apl(cell.ext.charset, field_ext.charset) {
                out.push(order::GE);
            }
            out.push(cell.ch);
        }
    }
    fa_addr
}

fn is_apl(cell_charset: u8, field_charset: u8) -> bool {
    cell_charset == charset::APL
        || (cell_charset == charset::DEFAULT && field_charset == charset::APL)
}

/// x3270 keeps highlighting as its low four bits: X'F0' (normal) reads back as default.
fn normal_highlight(v: u8) -> u8 {
    if v & 0x0F == 0 {
        0
    } else {
        v | 0xF0
    }
}

/// The character attributes last reported with SA in Character reply mode.
#[derive(Default)]
struct SaState {
    fg: u8,
    bg: u8,
    highlight: u8,
    charset: u8,
    transparency: u8,
}

impl SaState {
    /// Emits SA orders for the listed attribute types whose value changed.
    fn insert(
        &mut self,
        screen: &Screen,
        ext: crate::screen::ExtendedAttributes,
        out: &mut Vec<u8>,
    ) {
        let ReplyMode::Character(list) = screen.reply_mode() else {
            return;
        };
        let wanted = [
            (list.fg, xa::FOREGROUND, ext.fg, &mut self.fg),
            (list.bg, xa::BACKGROUND, ext.bg, &mut self.bg),
            (
                list.highlight,
                xa::HIGHLIGHTING,
                normal_highlight(ext.highlight),
                &mut self.highlight,
            ),
            (list.charset, xa::CHARSET, ext.charset, &mut self.charset),
            (
                list.transparency,
                xa::TRANSPARENCY,
                ext.transparency,
                &mut self.transparency,
            ),
        ];
        for (listed, t, v, prev) in wanted {
            if listed && *prev != v {
                *prev = v;
                out.extend_from_slice(&[order::SA, t, v]);
            }
        }
    }
}
