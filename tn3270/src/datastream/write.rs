//! The Write command's WCC, orders and data (GA23-0059 §3.4, §4.3). See the parent module
//! doc for the rules and the tolerated malformations; this file only implements them.

use super::codes::{fc, lcid, order, wcc};
use super::{Capabilities, DataStreamError, Outcome};
use crate::address;
use crate::screen::attributes::xa;
use crate::screen::{Cell, ExtendedAttributes, FieldAttribute, ReplyMode, Screen};

/// Applies the WCC and orders of a W/EW/EWA (`data` starts with the WCC). `erase` tells
/// whether the command erased (for the WCC reset bit).
pub(crate) fn write(
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
    // After an erase there is no attribute, so no MDT to reset.
    if wcc_byte & wcc::RESET_MDT != 0 && !erase {
        screen.reset_all_mdt();
    }
    outcome.start_printer = wcc_byte & wcc::START_PRINTER != 0;

    let mut w = Writer {
        addr: screen.cursor(),
        len: screen.len(),
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
    /// The current buffer address, always inside the buffer (`< len`).
    addr: usize,
    /// Cells in the buffer in force (a write never changes the size).
    len: usize,
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
                    let (fa, ext) = self.field_pairs(
                        pairs,
                        FieldAttribute::default(),
                        ExtendedAttributes::DEFAULT,
                    );
                    self.start_field(fa, ext);
                    i += 2 + pairs.len();
                }
                order::MF => {
                    let pairs = pairs(bytes, i + 1).ok_or(truncated)?;
                    if let Some(old_fa) = self.screen.cell(self.addr).fa {
                        let old_ext = self.screen.cell(self.addr).ext;
                        let (fa, ext) = self.field_pairs(pairs, old_fa, old_ext);
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
                    // Graphic characters, the bulk of any screen: the whole run at once.
                    let rest = bytes.get(i..).unwrap_or_default();
                    let text = rest.get(..graphic_run(rest)).unwrap_or_default();
                    self.put_text(text);
                    i += text.len().max(1);
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

    /// The next address, wrapping from the last cell to the first (no division: this runs
    /// once per character).
    fn advance(&mut self) {
        self.addr += 1;
        if self.addr >= self.len {
            self.addr = 0;
        }
    }

    /// Stores a cell at the current address and advances.
    fn store(&mut self, cell: Cell) {
        if let Some(c) = self.screen.cells_mut().get_mut(self.addr) {
            *c = cell;
        }
        self.advance();
    }

    /// Stores a character (or format control) at the current address and advances.
    fn put(&mut self, ch: u8, ext: ExtendedAttributes) {
        self.store(Cell { ch, fa: None, ext });
    }

    /// Stores graphic characters from the current address on, with the SA attributes,
    /// wrapping from the last cell to the first as often as needed: the same as
    /// [`Writer::put`] for each, without the per-character address arithmetic.
    fn put_text(&mut self, mut text: &[u8]) {
        while !text.is_empty() {
            let room = self
                .screen
                .cells_mut()
                .get_mut(self.addr..)
                .unwrap_or_default();
            let k = room.len().min(text.len());
            // `k == 0` would mean a broken address invariant: stop, never spin.
            let Some((now, later)) = text.split_at_checked(k).filter(|_| k > 0) else {
                self.addr = 0;
                return;
            };
            store_text(room, now, self.sa);
            text = later;
            self.addr += k;
            if self.addr >= self.len {
                self.addr = 0;
            }
        }
    }

    fn start_field(&mut self, fa: FieldAttribute, ext: ExtendedAttributes) {
        self.store(Cell {
            ch: 0,
            fa: Some(fa),
            ext,
        });
    }

    /// The (type, value) pairs of an SFE or MF applied to a field's attributes: X'C0' sets
    /// the field attribute, the others as [`Writer::set_extended`].
    fn field_pairs(
        &self,
        pairs: &[u8],
        mut fa: FieldAttribute,
        mut ext: ExtendedAttributes,
    ) -> (FieldAttribute, ExtendedAttributes) {
        for pair in pairs.chunks_exact(2) {
            if let [t, v] = *pair {
                if t == xa::FIELD_ATTRIBUTE {
                    fa = FieldAttribute::from_byte(v);
                } else {
                    self.set_extended(&mut ext, t, v);
                }
            }
        }
        (fa, ext)
    }

    /// One SA/SFE/MF attribute pair, as x3270 accepts it: colours only on a colour
    /// terminal, any character set but APL stored as the base set, "all" (X'00', SA only:
    /// SA handles it before calling here), X'C0' and unknown types ignored. One `match`:
    /// this runs for every pair of every SFE.
    fn set_extended(&self, ext: &mut ExtendedAttributes, t: u8, v: u8) {
        match t {
            xa::FOREGROUND if self.ctx.color => ext.fg = v,
            xa::BACKGROUND if self.ctx.color => ext.bg = v,
            xa::HIGHLIGHTING => ext.highlight = v,
            xa::CHARSET => {
                ext.charset = if v == lcid::APL {
                    lcid::APL
                } else {
                    lcid::BASE
                }
            }
            xa::TRANSPARENCY => ext.transparency = v,
            xa::VALIDATION => ext.validation = v,
            xa::OUTLINING => ext.outlining = v,
            _ => {}
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

/// How many bytes at the start of `bytes` are graphic characters. Text is most of a
/// record, so this looks at eight bytes at a time (see [`non_graphic_bytes`]).
pub(super) fn graphic_run(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(8);
    let mut run = 0;
    for chunk in &mut chunks {
        // Always eight bytes; a failed conversion (impossible) would end the run here.
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let stops = non_graphic_bytes(word);
        if stops != 0 {
            // Little-endian: the lowest flagged byte is the first one in the record.
            return run + (stops.trailing_zeros() / 8) as usize;
        }
        run += 8;
    }
    let rest = chunks.remainder();
    run + rest
        .iter()
        .position(|&b| !is_graphic(b))
        .unwrap_or(rest.len())
}

/// Flags (bit 7 of the byte) the bytes of `word` that are not graphic characters: below
/// X'40' (both high bits clear) or X'FF' (all bits set). Uses the classic "has a zero byte"
/// test `(x - 0x01…01) & !x & 0x80…80`, which can also flag bytes *above* a flagged one
/// (a borrow), never below: the lowest flag is exact, and only the lowest is used.
fn non_graphic_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const TOP_TWO_BITS: u64 = 0xC0C0_C0C0_C0C0_C0C0;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    zero_byte(word & TOP_TWO_BITS) | zero_byte(!word)
}

/// Cells per block in [`store_text`]'s fast path.
const TEXT_BLOCK: usize = 8;

/// Stores each character of `text` in the cell at the same position of `cells` (as many as
/// both have), with the character attributes `ext`. The innermost loop of a write.
///
/// Without SA attributes (nearly all text) whole blocks of cells are first nulled, which
/// the compiler does with a few wide stores, then given their characters: a cell has four
/// separately stored parts otherwise.
pub(super) fn store_text(cells: &mut [Cell], text: &[u8], ext: ExtendedAttributes) {
    if !ext.is_default() {
        return store_each(cells, text, ext);
    }
    // The same length, so that the blocks and the remainders line up.
    let n = cells.len().min(text.len());
    let cells = cells.get_mut(..n).unwrap_or_default();
    let text = text.get(..n).unwrap_or_default();
    let mut cell_blocks = cells.chunks_exact_mut(TEXT_BLOCK);
    let mut text_blocks = text.chunks_exact(TEXT_BLOCK);
    for (cells, text) in (&mut cell_blocks).zip(&mut text_blocks) {
        if let Ok(cells) = <&mut [Cell; TEXT_BLOCK]>::try_from(cells) {
            *cells = [Cell::NULL; TEXT_BLOCK];
            for (cell, &ch) in cells.iter_mut().zip(text) {
                cell.ch = ch;
            }
        }
    }
    store_each(
        cell_blocks.into_remainder(),
        text_blocks.remainder(),
        ExtendedAttributes::DEFAULT,
    );
}

/// [`store_text`] one cell at a time.
fn store_each(cells: &mut [Cell], text: &[u8], ext: ExtendedAttributes) {
    for (cell, &ch) in cells.iter_mut().zip(text) {
        *cell = Cell { ch, fa: None, ext };
    }
}

/// A byte stored as a graphic character: not an order or a format control (EO, X'FF', is a
/// format control although above X'40').
fn is_graphic(b: u8) -> bool {
    b >= order::FIRST_GRAPHIC && b != fc::EO
}

/// The attribute pairs of an SFE/MF whose count byte is at `i`: `None` when the record
/// ends before all pairs.
fn pairs(bytes: &[u8], i: usize) -> Option<&[u8]> {
    let count = usize::from(*bytes.get(i)?);
    bytes.get(i + 1..i + 1 + 2 * count)
}
