//! The 3270 presentation space: cells with field and extended attributes, fields, cursor,
//! default/alternate size, keyboard lock, alarm and reply mode.
//!
//! Spec: GA23-0059 §3.1–3.3 (buffer, fields, attributes), §3.4 (Erase/Write vs Erase/Write
//! Alternate and the default/alternate screen sizes), §4.4 (character attributes).
//!
//! This module owns the *state* and the primitive operations on it that both the outbound
//! data stream (`datastream`) and the operator (`input`) use. It does not parse bytes and does
//! not decide editing rules. Addresses are buffer offsets (`row * cols + col`), always taken
//! modulo the active buffer size by the accessors here.

pub mod attributes;
pub mod text;

pub use attributes::{ExtendedAttributes, FieldAttribute};

use crate::aid::Aid;

/// A screen geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ScreenSize {
    /// Rows.
    pub rows: u16,
    /// Columns.
    pub cols: u16,
}

impl ScreenSize {
    /// Model 2: 24×80.
    pub const MODEL_2: ScreenSize = ScreenSize { rows: 24, cols: 80 };
    /// Model 3: 32×80.
    pub const MODEL_3: ScreenSize = ScreenSize { rows: 32, cols: 80 };
    /// Model 4: 43×80.
    pub const MODEL_4: ScreenSize = ScreenSize { rows: 43, cols: 80 };
    /// Model 5: 27×132.
    pub const MODEL_5: ScreenSize = ScreenSize {
        rows: 27,
        cols: 132,
    };

    /// Number of cells.
    pub fn cells(self) -> usize {
        usize::from(self.rows) * usize::from(self.cols)
    }

    /// The alternate size of a 3278/3279 model number (2–5), or `None` for another number.
    pub fn for_model(model: u8) -> Option<ScreenSize> {
        match model {
            2 => Some(Self::MODEL_2),
            3 => Some(Self::MODEL_3),
            4 => Some(Self::MODEL_4),
            5 => Some(Self::MODEL_5),
            _ => None,
        }
    }
}

/// One buffer position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cell {
    /// The character (EBCDIC code point in the cell's character set). 0x00 is a null.
    pub ch: u8,
    /// `Some` when this position holds a field attribute (and so shows as a blank).
    pub fa: Option<FieldAttribute>,
    /// For a field attribute cell: the field's extended attributes (SFE/MF).
    /// For a character cell: its character attributes (SA, or inherited at write time).
    pub ext: ExtendedAttributes,
}

impl Cell {
    /// A null, unattributed cell.
    pub const NULL: Cell = Cell {
        ch: 0,
        fa: None,
        ext: ExtendedAttributes::DEFAULT,
    };
}

/// Why the keyboard is locked (what the operator information area shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum LockReason {
    /// No host connection ("X-disconnected" / "X [not connected]").
    NotConnected,
    /// Connected, waiting for the host's first write.
    AwaitingFirst,
    /// An AID was sent; the host has not yet restored the keyboard ("X SYSTEM").
    SystemWait,
    /// The terminal is busy ("X" with the clock symbol).
    TerminalWait,
    /// The operator tried to type into a protected position ("X PROT", GA23-0059 "Go elsewhere").
    Protected,
    /// A non-numeric character in a numeric field ("X NUM").
    Numeric,
    /// Insert mode with no room left in the field ("X >", overflow).
    Overflow,
    /// A function not allowed here, e.g. leaving a mandatory-fill field unfilled ("X -f").
    MinusFunction,
    /// Program check from the data stream ("X PROG nnn").
    ProgramCheck(u16),
}

impl LockReason {
    /// True for operator errors that the Reset key clears.
    pub fn is_operator_error(self) -> bool {
        matches!(
            self,
            LockReason::Protected
                | LockReason::Numeric
                | LockReason::Overflow
                | LockReason::MinusFunction
                | LockReason::ProgramCheck(_)
        )
    }
}

/// How inbound Read Buffer / Read Modified report attributes (set by the Set Reply Mode
/// structured field, GA23-0059 §5.30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ReplyMode {
    /// Field mode: SF orders only (the default).
    #[default]
    Field,
    /// Extended field mode: SFE orders.
    ExtendedField,
    /// Character mode: SFE orders plus SA orders for the listed character attribute types.
    Character(CharacterReplyAttributes),
}

/// The attribute types a Character reply mode reports with SA orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CharacterReplyAttributes {
    /// Extended highlighting (0x41).
    pub highlight: bool,
    /// Foreground colour (0x42).
    pub fg: bool,
    /// Character set (0x43).
    pub charset: bool,
    /// Background colour (0x45).
    pub bg: bool,
    /// Transparency (0x46).
    pub transparency: bool,
}

/// A field as seen from the outside: its attribute position, first data position and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Buffer address of the attribute cell.
    pub attr_addr: usize,
    /// Buffer address of the first data cell (may wrap to 0).
    pub start: usize,
    /// Number of data cells (0 for two adjacent attributes). Wraps past the last cell.
    pub len: usize,
    /// The field attribute.
    pub attr: FieldAttribute,
    /// The field's extended attributes.
    pub ext: ExtendedAttributes,
}

/// The presentation space.
#[derive(Debug, Clone)]
pub struct Screen {
    default_size: ScreenSize,
    alternate_size: ScreenSize,
    active: ScreenSize,
    cells: Vec<Cell>,
    cursor: usize,
    lock: Option<LockReason>,
    alarm: bool,
    reply_mode: ReplyMode,
    last_aid: Aid,
}

impl Screen {
    /// A screen with the given default (usually 24×80) and alternate (model) sizes, showing
    /// the default size, all nulls, keyboard locked "not connected".
    ///
    /// The alternate size is raised to at least the default size in each dimension.
    pub fn new(default_size: ScreenSize, alternate_size: ScreenSize) -> Screen {
        let alternate_size = ScreenSize {
            rows: alternate_size.rows.max(default_size.rows).max(1),
            cols: alternate_size.cols.max(default_size.cols).max(1),
        };
        let default_size = ScreenSize {
            rows: default_size.rows.max(1),
            cols: default_size.cols.max(1),
        };
        Screen {
            default_size,
            alternate_size,
            active: default_size,
            cells: vec![Cell::NULL; alternate_size.cells()],
            cursor: 0,
            lock: Some(LockReason::NotConnected),
            alarm: false,
            reply_mode: ReplyMode::Field,
            last_aid: Aid::NoAid,
        }
    }

    /// A 3278/3279 model 2–5 screen (24×80 default, the model's alternate size).
    pub fn for_model(model: u8) -> Screen {
        Screen::new(
            ScreenSize::MODEL_2,
            ScreenSize::for_model(model).unwrap_or(ScreenSize::MODEL_2),
        )
    }

    /// The default (Erase/Write) size.
    pub fn default_size(&self) -> ScreenSize {
        self.default_size
    }
    /// The alternate (Erase/Write Alternate) size.
    pub fn alternate_size(&self) -> ScreenSize {
        self.alternate_size
    }
    /// Changes both sizes (e.g. after a BIND-IMAGE); erases the buffer to the default size.
    pub fn resize(&mut self, default_size: ScreenSize, alternate_size: ScreenSize) {
        let lock = self.lock;
        *self = Screen::new(default_size, alternate_size);
        self.lock = lock;
    }
    /// The size in force.
    pub fn size(&self) -> ScreenSize {
        self.active
    }
    /// Rows in force.
    pub fn rows(&self) -> usize {
        usize::from(self.active.rows)
    }
    /// Columns in force.
    pub fn cols(&self) -> usize {
        usize::from(self.active.cols)
    }
    /// Cells in force (`rows * cols`).
    pub fn len(&self) -> usize {
        self.active.cells()
    }
    /// Never true: a screen has at least one cell.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Erases the whole buffer to nulls and selects the default (`alternate == false`) or the
    /// alternate size; cursor to 0. (Erase/Write, Erase/Write Alternate, Clear key.)
    pub fn erase(&mut self, alternate: bool) {
        self.active = if alternate {
            self.alternate_size
        } else {
            self.default_size
        };
        self.cells.fill(Cell::NULL);
        self.cursor = 0;
    }

    /// Wraps any address into the active buffer.
    pub fn wrap(&self, addr: usize) -> usize {
        let n = self.len();
        // Addresses are nearly always in the buffer already: no division then.
        if addr < n {
            addr
        } else {
            addr % n
        }
    }
    /// The next address, wrapping from the last cell to the first.
    pub fn next(&self, addr: usize) -> usize {
        self.wrap(addr + 1)
    }
    /// The previous address, wrapping from the first cell to the last.
    pub fn prev(&self, addr: usize) -> usize {
        match addr.checked_sub(1) {
            Some(a) if a < self.len() => a,
            _ => (addr + self.len() - 1) % self.len(),
        }
    }
    /// (row, col), 0-based.
    pub fn row_col(&self, addr: usize) -> (usize, usize) {
        let a = self.wrap(addr);
        (a / self.cols(), a % self.cols())
    }
    /// The address of (row, col), 0-based, wrapped into the buffer.
    pub fn addr(&self, row: usize, col: usize) -> usize {
        self.wrap(row * self.cols() + col)
    }

    /// The cell at an address (wrapped).
    pub fn cell(&self, addr: usize) -> &Cell {
        let a = self.wrap(addr);
        &self.cells[a]
    }
    /// The cell at an address (wrapped), mutable.
    pub fn cell_mut(&mut self, addr: usize) -> &mut Cell {
        let a = self.wrap(addr);
        &mut self.cells[a]
    }
    /// The active cells, row-major.
    pub fn cells(&self) -> &[Cell] {
        &self.cells[..self.len()]
    }
    /// The active cells, mutable.
    pub fn cells_mut(&mut self) -> &mut [Cell] {
        let n = self.len();
        &mut self.cells[..n]
    }

    /// The cursor address.
    pub fn cursor(&self) -> usize {
        self.cursor
    }
    /// Moves the cursor (wrapped into the buffer).
    pub fn set_cursor(&mut self, addr: usize) {
        self.cursor = self.wrap(addr);
    }

    /// True when the buffer holds at least one field attribute.
    pub fn is_formatted(&self) -> bool {
        self.cells().iter().any(|c| c.fa.is_some())
    }

    /// The address of the field attribute governing `addr` (the nearest attribute at or
    /// before it, wrapping), or `None` on an unformatted screen.
    pub fn field_attr_addr(&self, addr: usize) -> Option<usize> {
        let start = self.wrap(addr);
        let cells = self.cells();
        let is_attr = |c: &Cell| c.fa.is_some();
        // Backwards from `start` to 0, then from the last cell down to after `start`.
        let (upto, after) = (
            cells.get(..=start).unwrap_or_default(),
            cells.get(start + 1..).unwrap_or_default(),
        );
        upto.iter()
            .rposition(is_attr)
            .or_else(|| after.iter().rposition(is_attr).map(|i| start + 1 + i))
    }

    /// The field containing `addr` (or whose attribute is at `addr`).
    pub fn field_at(&self, addr: usize) -> Option<Field> {
        self.field_attr_addr(addr)
            .map(|fa| self.field_from_attr(fa))
    }

    /// The field attribute governing `addr`, if the screen is formatted.
    pub fn field_attribute(&self, addr: usize) -> Option<FieldAttribute> {
        self.field_attr_addr(addr).and_then(|a| self.cells[a].fa)
    }

    /// True when `addr` may not be typed into: an attribute cell or a protected field.
    /// An unformatted screen is all unprotected.
    pub fn is_protected(&self, addr: usize) -> bool {
        let a = self.wrap(addr);
        if self.cells[a].fa.is_some() {
            return true;
        }
        self.field_attribute(a).is_some_and(|fa| fa.is_protected())
    }

    /// The fields in buffer order, starting with the first attribute at or after address 0.
    pub fn fields(&self) -> impl Iterator<Item = Field> + '_ {
        self.cells()
            .iter()
            .enumerate()
            .filter(|(_, c)| c.fa.is_some())
            .map(|(a, _)| self.field_from_attr(a))
    }

    /// The first data address of the next unprotected field after `addr` (wrapping), as Tab
    /// and Program Tab find it; `None` when there is none.
    pub fn next_unprotected(&self, addr: usize) -> Option<usize> {
        let n = self.len();
        let start = self.wrap(addr);
        (1..=n)
            .map(|i| (start + i) % n)
            .find(|&a| {
                let fa = self.cells[a].fa;
                fa.is_some_and(|f| !f.is_protected()) && self.cells[(a + 1) % n].fa.is_none()
            })
            .map(|a| (a + 1) % n)
    }

    /// Sets the modified data tag of the field containing `addr`.
    pub fn set_mdt(&mut self, addr: usize, on: bool) {
        if let Some(fa_addr) = self.field_attr_addr(addr) {
            if let Some(fa) = self.cells[fa_addr].fa {
                self.cells[fa_addr].fa = Some(fa.with_modified(on));
            }
        }
    }

    /// Clears every MDT (WCC reset-MDT).
    pub fn reset_all_mdt(&mut self) {
        for c in self.cells_mut() {
            if let Some(fa) = c.fa {
                c.fa = Some(fa.with_modified(false));
            }
        }
    }

    /// Keyboard lock state (`None` = unlocked).
    pub fn lock(&self) -> Option<LockReason> {
        self.lock
    }
    /// Locks the keyboard for a reason, or unlocks it with `None`.
    pub fn set_lock(&mut self, reason: Option<LockReason>) {
        self.lock = reason;
    }
    /// True when the keyboard is locked.
    pub fn is_locked(&self) -> bool {
        self.lock.is_some()
    }

    /// Sets the alarm (WCC sound alarm); the consumer takes it with [`Screen::take_alarm`].
    pub fn set_alarm(&mut self) {
        self.alarm = true;
    }
    /// Returns and clears the pending alarm.
    pub fn take_alarm(&mut self) -> bool {
        std::mem::take(&mut self.alarm)
    }
    /// True when an alarm is pending.
    pub fn alarm(&self) -> bool {
        self.alarm
    }

    /// The reply mode in force.
    pub fn reply_mode(&self) -> ReplyMode {
        self.reply_mode
    }
    /// Sets the reply mode.
    pub fn set_reply_mode(&mut self, mode: ReplyMode) {
        self.reply_mode = mode;
    }

    /// The last AID sent (decides short reads for a later Read Modified).
    pub fn last_aid(&self) -> Aid {
        self.last_aid
    }
    /// Records the AID just sent.
    pub fn set_last_aid(&mut self, aid: Aid) {
        self.last_aid = aid;
    }

    fn field_from_attr(&self, attr_addr: usize) -> Field {
        let n = self.len();
        let cell = self.cells[attr_addr];
        let start = (attr_addr + 1) % n;
        // Data cells up to the next attribute: from `start` to the end, then from 0.
        let cells = self.cells();
        let is_attr = |c: &Cell| c.fa.is_some();
        let tail = cells.get(start..).unwrap_or_default();
        let head = cells.get(..start).unwrap_or_default();
        let len = match tail.iter().position(is_attr) {
            Some(len) => len,
            None => tail.len() + head.iter().position(is_attr).unwrap_or(head.len()),
        }
        .min(n - 1);
        Field {
            attr_addr,
            start,
            len,
            attr: cell.fa.unwrap_or_default(),
            ext: cell.ext,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_wraps_from_last_cell_to_first() {
        let mut s = Screen::for_model(2);
        s.erase(false);
        // One unprotected field whose attribute sits at row 24 col 75: it wraps to 0.
        s.cell_mut(1914).fa = Some(FieldAttribute(0));
        let f = s.field_at(3).unwrap();
        assert_eq!(f.attr_addr, 1914);
        assert_eq!(f.start, 1915);
        assert_eq!(f.len, 1919); // every other cell
        assert!(!s.is_protected(0));
        assert!(s.is_protected(1914));
    }

    #[test]
    fn alternate_size_is_model_size() {
        let mut s = Screen::for_model(5);
        s.erase(true);
        assert_eq!((s.rows(), s.cols()), (27, 132));
        s.erase(false);
        assert_eq!((s.rows(), s.cols()), (24, 80));
    }

    /// A screen of `n` cells (one row) with attributes where `attrs` says.
    fn one_row(attrs: &[bool]) -> Screen {
        let size = ScreenSize {
            rows: 1,
            cols: u16::try_from(attrs.len()).unwrap(),
        };
        let mut s = Screen::new(size, size);
        for (a, &is_attr) in attrs.iter().enumerate() {
            if is_attr {
                s.cell_mut(a).fa = Some(FieldAttribute(0));
            }
        }
        s
    }

    proptest::proptest! {
        /// The slice searches find what the plain definitions say: the attribute at or
        /// before an address (wrapping), and the data cells up to the next one.
        #[test]
        fn field_lookups_match_their_definitions(
            attrs in proptest::collection::vec(proptest::bool::weighted(0.1), 1..200),
            addr in 0usize..400,
        ) {
            let s = one_row(&attrs);
            let n = attrs.len();
            let start = addr % n;
            let expected = (0..n).map(|back| (start + n - back) % n).find(|&a| attrs[a]);
            proptest::prop_assert_eq!(s.field_attr_addr(addr), expected);
            if let Some(fa) = expected {
                let len = (1..n).take_while(|i| !attrs[(fa + i) % n]).count();
                proptest::prop_assert_eq!(s.field_at(addr).map(|f| f.len), Some(len));
            }
            proptest::prop_assert_eq!(s.wrap(addr), addr % n);
            proptest::prop_assert_eq!(s.next(addr), (addr + 1) % n);
            proptest::prop_assert_eq!(s.prev(addr), (addr + n - 1) % n);
        }
    }

    #[test]
    fn tab_finds_next_unprotected_field() {
        let mut s = Screen::for_model(2);
        s.erase(false);
        s.cell_mut(0).fa = Some(FieldAttribute(attributes::FA_PROTECTED));
        s.cell_mut(10).fa = Some(FieldAttribute(0));
        s.cell_mut(20).fa = Some(FieldAttribute(attributes::FA_PROTECTED));
        assert_eq!(s.next_unprotected(0), Some(11));
        assert_eq!(s.next_unprotected(15), Some(11));
    }
}
