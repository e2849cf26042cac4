//! The Write command's WCC, orders and data (GA23-0059 §3.4, §4.3). See the parent module
//! doc for the rules and the tolerated malformations; this file only implements them.

use super::codes::{fc, lcid, order, wcc};
use super::{Capabilities, DataStreamError, Outcome};
use crate::address;
use crate::screen::attributes::xa;
use crate::screen::{Cell, ExtendedAttributes, FieldAttribute, ReplyMode, Screen};

/// Applies the WCC and orders of a W/EW/EWA (`data` starts with the WCC). `erase` tells
/// whether the command erased (for the WCC reset bit).
pub(super) fn write(
    screen: &mut Screen,
    data: &[u8],
    ctx: &Capabilities,
    erase: bool,
    outcome: &mut Outcome,
) -> Result<(), DataStreamError> {
    let (&wcc_byte, orders) = data.split_first().ok_or(DataStreamError::MissingWcc)?;
    if wcc_byte & wcc::RESET != 0 && erase {
        screen.set_reply_mode(ReplyMode::Field);
    }
    if wcc_byte & wcc::RESET_MDT != 0 {
        screen.reset_all_mdt();
    }
    outcome.start_printer = wcc_byte & wcc::START_PRINTER != 0;

    let mut w = Writer {
        addr: screen.cursor(),
        screen,
        ctx,
        sa: ExtendedAttributes::DEFAULT,
        last_cmd: true,
        last_zpt: false,
        insert_cursor: None,
        ignored: 0,
    };
    // Offsets reported in errors are relative to the record: command byte + WCC.
    let result = w.orders(orders, 2);
    let (insert_cursor, ignored) = (w.insert_cursor, w.ignored);

    if let Some(a) = insert_cursor {
        screen.set_cursor(a);
    }
    outcome.ignored_orders = ignored;
    if wcc_byte & wcc::KEYBOARD_RESTORE != 0 {
        super::restore_keyboard(screen);
        outcome.keyboard_restored = true;
    } else {
        super::settle_lock_without_restore(screen);
    }
    if wcc_byte & wcc::SOUND_ALARM != 0 {
        screen.set_alarm();
    }
    result
}

struct Writer<'a> {
    screen: &'a mut Screen,
    ctx: &'a Capabilities,
    /// The current buffer address, always inside the buffer.
    addr: usize,
    /// Character attributes set by SA in this write.
    sa: ExtendedAttributes,
    /// The last thing processed was a command or an order (not data): PT does not null.
    last_cmd: bool,
    /// The last PT nulled and ended at address 0: the next PT nulls too (x3270).
    last_zpt: bool,
    insert_cursor: Option<usize>,
    ignored: u16,
}

impl Writer<'_> {
    /// Processes orders and data; `base` is the record offset of `bytes[0]`.
    fn orders(&mut self, bytes: &[u8], base: usize) -> Result<(), DataStreamError> {
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            let offset = base + i;
            let truncated = DataStreamError::Truncated { order: b, offset };
            let mut was_order = true;
            match b {
                order::SF => {
                    let &fa = bytes.get(i + 1).ok_or(truncated)?;
                    self.start_field(FieldAttribute::from_byte(fa), ExtendedAttributes::DEFAULT);
                    i += 2;
                }
                order::SBA => {
                    self.addr = self.address(bytes, i, offset)?;
                    i += 3;
                }
                order::IC => {
                    self.insert_cursor = Some(self.addr);
                    i += 1;
                }
                order::PT => {
                    self.program_tab();
                    i += 1;
                    // program_tab maintains last_zpt itself.
                    self.last_cmd = true;
                    continue;
                }
                order::RA => {
                    let to = self.address(bytes, i, offset)?;
                    let mut ch = *bytes.get(i + 3).ok_or(truncated)?;
                    let mut attrs = self.sa;
                    i += 4;
                    if ch == order::GE {
                        ch = *bytes.get(i).ok_or(truncated)?;
                        attrs.charset = lcid::APL;
                        i += 1;
                    }
                    loop {
                        self.put(ch, attrs);
                        if self.addr == to {
                            break;
                        }
                    }
                }
                order::EUA => {
                    let to = self.address(bytes, i, offset)?;
                    self.erase_unprotected_to(to);
                    i += 3;
                }
                order::GE => {
                    let &ch = bytes.get(i + 1).ok_or(truncated)?;
                    let mut attrs = self.sa;
                    attrs.charset = lcid::APL;
                    self.put(ch, attrs);
                    i += 2;
                    was_order = false;
                }
                order::SFE => {
                    let pairs = pairs(bytes, i + 1).ok_or(truncated)?;
                    let mut fa = FieldAttribute::default();
                    let mut ext = ExtendedAttributes::DEFAULT;
                    for pair in pairs.chunks_exact(2) {
                        if let [t, v] = *pair {
                            if t == xa::FIELD_ATTRIBUTE {
                                fa = FieldAttribute::from_byte(v);
                            } else {
                                self.set_extended(&mut ext, t, v);
                            }
                        }
                    }
                    self.start_field(fa, ext);
                    i += 2 + pairs.len();
                }
                order::MF => {
                    let pairs = pairs(bytes, i + 1).ok_or(truncated)?;
                    if let Some(old_fa) = self.screen.cell(self.addr).fa {
                        let mut fa = old_fa;
                        let mut ext = self.screen.cell(self.addr).ext;
                        for pair in pairs.chunks_exact(2) {
                            if let [t, v] = *pair {
                                if t == xa::FIELD_ATTRIBUTE {
                                    fa = FieldAttribute::from_byte(v);
                                } else {
                                    self.set_extended(&mut ext, t, v);
                                }
                            }
                        }
                        let cell = self.screen.cell_mut(self.addr);
                        cell.fa = Some(fa);
                        cell.ext = ext;
                        self.advance();
                    }
                    i += 2 + pairs.len();
                }
                order::SA => {
                    let &[t, v] = bytes.get(i + 1..i + 3).ok_or(truncated)? else {
                        return Err(truncated);
                    };
                    if t == xa::ALL {
                        self.sa = ExtendedAttributes::DEFAULT;
                    } else {
                        let mut sa = self.sa;
                        self.set_extended(&mut sa, t, v);
                        // Field-only types (validation, outlining) mean nothing on a character.
                        sa.validation = 0;
                        sa.outlining = 0;
                        self.sa = sa;
                    }
                    i += 3;
                }
                fc::NUL => {
                    self.put(b, self.sa);
                    i += 1;
                    was_order = false;
                }
                fc::FF
                | fc::CR
                | fc::SO
                | fc::SI
                | fc::NL
                | fc::EM
                | fc::DUP
                | fc::FM
                | fc::LF
                | fc::SUB
                | fc::EO => {
                    self.put(b, self.sa);
                    i += 1;
                }
                _ if b < order::FIRST_GRAPHIC => {
                    self.ignored = self.ignored.saturating_add(1);
                    i += 1;
                }
                _ => {
                    self.put(b, self.sa);
                    i += 1;
                    was_order = false;
                }
            }
            self.last_cmd = was_order;
            self.last_zpt = false;
        }
        Ok(())
    }

    /// Decodes the two address bytes after the order at `i`, checking the buffer size.
    fn address(&self, bytes: &[u8], i: usize, offset: usize) -> Result<usize, DataStreamError> {
        let order = bytes.get(i).copied().unwrap_or_default();
        let &[b0, b1] = bytes
            .get(i + 1..i + 3)
            .ok_or(DataStreamError::Truncated { order, offset })?
        else {
            return Err(DataStreamError::Truncated { order, offset });
        };
        let addr = address::decode([b0, b1], self.ctx.addressing);
        if addr >= self.screen.len() {
            return Err(DataStreamError::AddressOutOfRange {
                order,
                addr,
                offset,
            });
        }
        Ok(addr)
    }

    fn advance(&mut self) {
        self.addr = self.screen.next(self.addr);
    }

    /// Stores a character (or format control) at the current address and advances.
    fn put(&mut self, ch: u8, ext: ExtendedAttributes) {
        *self.screen.cell_mut(self.addr) = Cell { ch, fa: None, ext };
        self.advance();
    }

    fn start_field(&mut self, fa: FieldAttribute, ext: ExtendedAttributes) {
        *self.screen.cell_mut(self.addr) = Cell {
            ch: 0,
            fa: Some(fa),
            ext,
        };
        self.advance();
    }

    /// One SA/SFE/MF attribute pair, as x3270 accepts it.
    fn set_extended(&self, ext: &mut ExtendedAttributes, t: u8, v: u8) {
        match t {
            xa::FOREGROUND | xa::BACKGROUND if !self.ctx.color => {}
            xa::CHARSET => {
                ext.charset = if v == lcid::APL {
                    lcid::APL
                } else {
                    lcid::BASE
                }
            }
            // "All" is an SA-only type; SA handles it before calling here.
            xa::ALL => {}
            _ => {
                ext.set(t, v);
            }
        }
    }

    /// Program Tab, GA23-0059 §4.3.3 with x3270's details (see the module doc).
    fn program_tab(&mut self) {
        let here = self.screen.cell(self.addr).fa;
        if here.is_some_and(|fa| !fa.is_protected()) {
            self.advance();
            self.last_zpt = false;
            return;
        }
        let target = self.next_unprotected_no_wrap(self.addr);
        if !self.last_cmd || self.last_zpt {
            while self.addr != target && self.screen.cell(self.addr).fa.is_none() {
                *self.screen.cell_mut(self.addr) = Cell::NULL;
                self.advance();
            }
            self.last_zpt = target == 0;
        } else {
            self.last_zpt = false;
        }
        self.addr = target;
    }

    /// The first data address of the next unprotected (non-empty) field at or after
    /// `from`, or 0 when the search would have to wrap past the end of the buffer.
    fn next_unprotected_no_wrap(&self, from: usize) -> usize {
        let n = self.screen.len();
        (0..n)
            .map(|k| (from + k) % n)
            .find(|&a| {
                self.screen.cell(a).fa.is_some_and(|fa| !fa.is_protected())
                    && self.screen.cell((a + 1) % n).fa.is_none()
            })
            .map(|a| (a + 1) % n)
            .filter(|&t| t >= from)
            .unwrap_or(0)
    }

    /// EUA: nulls unprotected data positions from the current address up to (not
    /// including) `to`, wrapping; the whole buffer when `to` is the current address.
    fn erase_unprotected_to(&mut self, to: usize) {
        let mut protected = self
            .screen
            .field_attribute(self.addr)
            .is_some_and(|fa| fa.is_protected());
        loop {
            let cell = self.screen.cell_mut(self.addr);
            match cell.fa {
                Some(fa) => protected = fa.is_protected(),
                None if !protected => {
                    cell.ch = 0;
                    cell.ext.charset = lcid::BASE;
                }
                None => {}
            }
            self.advance();
            if self.addr == to {
                break;
            }
        }
    }
}

/// The attribute pairs of an SFE/MF whose count byte is at `i`: `None` when the record
/// ends before all pairs.
fn pairs(bytes: &[u8], i: usize) -> Option<&[u8]> {
    let count = usize::from(*bytes.get(i)?);
    bytes.get(i + 1..i + 1 + 2 * count)
}
