//! What a terminal driven elsewhere sent, applied to a mirror of its screen: the inverse of
//! [`super::inbound::read_modified`]. A bridge keeps a screen mirror of a browser's or a TN3270
//! client's session from the host's writes; the operator's typing never reaches it, but the
//! fields it sent do (GA23-0059 §3.5: an AID's Read Modified record carries the cursor and, per
//! modified field, an SBA to its first position and its data with nulls suppressed). Applying
//! them leaves the mirror as the terminal was when it sent: the fields' text, their MDT bits,
//! the cursor and the keyboard lock, so that a host's next Write (which keeps unmodified
//! positions) draws on the same screen the terminal shows.
//!
//! Not recoverable, and so not attempted: where inside a field the suppressed nulls stood
//! (the data is put at the field's start, the rest of the field nulled, as typing produces);
//! an unformatted screen's data (it has no addresses); what a Read Buffer answer (it carries
//! SF orders) or a Query Reply sends, which left the screen as it was.

use crate::aid::Aid;
use crate::builder::codes::order;
use crate::builder::reply::InboundRecord;
use crate::screen::attributes::charset;
use crate::screen::{Cell, LockReason, Screen};

/// Applies `record`, sent by the terminal whose screen `screen` mirrors.
pub fn apply_sent(screen: &mut Screen, record: &InboundRecord) {
    if matches!(record.aid, Aid::StructuredField | Aid::ReadPartition) {
        return;
    }
    // A Read Buffer answer describes the buffer, it does not change it.
    let describes_buffer = record
        .fields
        .iter()
        .any(|f| f.data.iter().any(|&b| b == order::SF || b == order::SFE));
    if describes_buffer {
        return;
    }
    if matches!(record.aid, Aid::Clear | Aid::ClearPartition) {
        // The terminal cleared its screen before sending CLEAR.
        screen.cells_mut().fill(Cell::NULL);
        screen.set_cursor(0);
    } else if screen.is_formatted() {
        for field in &record.fields {
            if let Some(start) = field.addr {
                put_field(screen, start, &field.data);
            }
        }
        if let Some(cursor) = record.cursor {
            if cursor < screen.len() {
                screen.set_cursor(cursor);
            }
        }
    }
    if locks(record.aid) {
        screen.set_lock(Some(LockReason::SystemWait));
        screen.set_last_aid(record.aid);
    }
}

/// Whether the operator's `aid` locks the keyboard until the host answers (the AIDs a key
/// makes; not the answers to host reads).
fn locks(aid: Aid) -> bool {
    matches!(
        aid,
        Aid::Enter
            | Aid::Pf(_)
            | Aid::Pa(_)
            | Aid::Clear
            | Aid::ClearPartition
            | Aid::SysReq
            | Aid::CursorSelect
    )
}

/// Puts one field's data from `start` (its first position) and nulls the rest of the field;
/// sets its MDT.
fn put_field(screen: &mut Screen, start: usize, data: &[u8]) {
    if start >= screen.len() || screen.cell(start).fa.is_some() {
        return;
    }
    let mut addr = start;
    let mut bytes = data.iter().copied();
    let mut wrapped = false;
    while let Some(b) = bytes.next() {
        let (ch, set) = match b {
            // Character attributes are not mirrored: skip the SA order's type and value.
            order::SA => {
                bytes.next();
                bytes.next();
                continue;
            }
            order::GE => match bytes.next() {
                Some(ch) => (ch, charset::APL),
                None => break,
            },
            ch => (ch, charset::DEFAULT),
        };
        if wrapped || screen.cell(addr).fa.is_some() {
            break;
        }
        let cell = screen.cell_mut(addr);
        cell.ch = ch;
        cell.ext.charset = set;
        addr = screen.next(addr);
        wrapped = addr == start;
    }
    while !wrapped && screen.cell(addr).fa.is_none() {
        screen.cell_mut(addr).ch = 0;
        addr = screen.next(addr);
        wrapped = addr == start;
    }
    screen.set_mdt(start, true);
}
