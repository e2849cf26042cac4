//! Editing primitives over a [`Screen`]: where the cursor goes for each movement key and how
//! each editing key changes the buffer. Private to `input`; the rules (and which lock a
//! refusal takes) are decided in `input/mod.rs`.
//!
//! Every loop here walks at most one screen's worth of cells, so a buffer full of
//! attributes (or none) never makes it spin.

use crate::aid::Aid;
use crate::screen::attributes::{charset, validation};
use crate::screen::Screen;

use super::ebc;

/// Where TAB goes from `addr`: the first data position of the first unprotected field whose
/// attribute is at or after `addr` (wrapping) and is not directly followed by another
/// attribute; 0 when there is none (x3270's `next_unprotected`, which also serves Home,
/// DUP and autoskip).
pub(super) fn tab_target(screen: &Screen, addr: usize) -> usize {
    let n = screen.len();
    (0..n)
        .map(|i| (addr + i) % n)
        .find(|&a| {
            screen.cell(a).fa.is_some_and(|fa| !fa.is_protected())
                && screen.cell(a + 1).fa.is_none()
        })
        .map_or(0, |a| screen.next(a))
}

/// Where BACKTAB goes: the start of the current unprotected field when the cursor is past
/// it, else of the previous one; 0 when there is none.
pub(super) fn backtab_target(screen: &Screen, cursor: usize) -> usize {
    let mut a = screen.prev(cursor);
    if screen.cell(a).fa.is_some() {
        a = screen.prev(a);
    }
    let start = a;
    for _ in 0..screen.len() {
        if screen.cell(a).fa.is_some_and(|fa| !fa.is_protected()) && screen.cell(a + 1).fa.is_none()
        {
            return screen.next(a);
        }
        a = screen.prev(a);
        if a == start {
            return 0;
        }
    }
    0
}

/// Where NEWLINE goes: column 0 of the next row if that is an unprotected data position,
/// else the next unprotected field from there.
pub(super) fn newline_target(screen: &Screen, cursor: usize) -> usize {
    let cols = screen.cols();
    let row_start = ((cursor + cols) % screen.len()) / cols * cols;
    match screen.field_attr_addr(row_start) {
        None => row_start,
        Some(fa) if fa != row_start && !screen.is_protected(row_start) => row_start,
        Some(_) => tab_target(screen, row_start),
    }
}

/// After typing, the cursor steps over attribute cells; an autoskip attribute sends it to
/// the next unprotected field.
pub(super) fn skip_attributes(screen: &Screen, mut addr: usize) -> usize {
    for _ in 0..screen.len() {
        match screen.cell(addr).fa {
            None => return addr,
            Some(fa) if fa.is_autoskip() => {
                let to = tab_target(screen, addr);
                if to == addr {
                    return to;
                }
                addr = to;
            }
            Some(_) => addr = screen.next(addr),
        }
    }
    addr
}

/// The address one past the last data position of the field holding `addr` (its next
/// attribute), or for an unformatted screen the last cell (x3270 leaves the last cell out).
fn field_limit(screen: &Screen, addr: usize) -> usize {
    if !screen.is_formatted() {
        return screen.len() - 1;
    }
    let mut a = screen.next(addr);
    for _ in 0..screen.len() {
        if screen.cell(a).fa.is_some() {
            return a;
        }
        a = screen.next(a);
    }
    a
}

/// Makes room for one character at `addr` in insert mode: shifts the characters from `addr`
/// up to the first null right by one. With `blank_fill`, trailing blanks count as room.
/// Returns false (nothing changed) when the field has no room: overflow.
pub(super) fn insert_room(screen: &mut Screen, addr: usize, blank_fill: bool) -> bool {
    let limit = field_limit(screen, addr);
    let n = screen.len();
    let mut a = addr;
    let mut trailing_blanks = 0;
    let mut null_at = None;
    while a != limit {
        let ch = screen.cell(a).ch;
        if ch == ebc::NULL {
            null_at = Some(a);
            break;
        }
        if blank_fill && ch == ebc::SPACE {
            trailing_blanks += 1;
        } else {
            trailing_blanks = 0;
        }
        a = (a + 1) % n;
    }
    // Shift [addr, hole) right by one, dropping the cell at `hole`.
    let hole = match null_at {
        Some(h) => h,
        None if trailing_blanks > 0 => (limit + n - 1) % n,
        None => return false,
    };
    let mut to = hole;
    while to != addr {
        let from = screen.prev(to);
        let cell = *screen.cell(from);
        let dst = screen.cell_mut(to);
        dst.ch = cell.ch;
        dst.ext = cell.ext;
        to = from;
    }
    true
}

/// Stores a typed character: x3270 clears the cell's colour and highlighting, and sets the
/// character set to the APL set for a GE character, the base set otherwise.
pub(super) fn store(screen: &mut Screen, addr: usize, b: u8, ge: bool) {
    let cell = screen.cell_mut(addr);
    cell.ch = b;
    cell.ext.fg = 0;
    cell.ext.highlight = 0;
    cell.ext.charset = if ge { charset::APL } else { charset::DEFAULT };
}

/// Blank fill: the nulls between the field start and `after` (the position after the typed
/// character) become blanks, except that a preceding line of the field holding only nulls
/// stops the fill (x3270's `blankFill` rule, so data is not squeezed left).
pub(super) fn blank_fill_leading(screen: &mut Screen, after: usize) {
    let Some(fa) = screen.field_attr_addr(screen.prev(after)) else {
        return;
    };
    let cols = screen.cols();
    let mut a = screen.prev(screen.prev(after));
    for _ in 0..screen.len() {
        if a == fa {
            return;
        }
        if a % cols == cols - 1 {
            // Entering the previous line backwards: stop if its part of the field is empty.
            let mut scan = a;
            let mut all_null = true;
            for _ in 0..cols {
                if scan == fa {
                    break;
                }
                if screen.cell(scan).ch != ebc::NULL {
                    all_null = false;
                    break;
                }
                if scan.is_multiple_of(cols) {
                    break;
                }
                scan = screen.prev(scan);
            }
            if all_null {
                return;
            }
        }
        if screen.cell(a).ch == ebc::NULL {
            screen.cell_mut(a).ch = ebc::SPACE;
        }
        a = screen.prev(a);
    }
}

/// ERASE EOF at an unprotected `addr`: nulls to the end of the field (MDT on), or to the end
/// of an unformatted screen.
pub(super) fn erase_eof(screen: &mut Screen, addr: usize) {
    let end = if screen.is_formatted() {
        field_limit(screen, addr)
    } else {
        0
    };
    let mut a = addr;
    for _ in 0..screen.len() {
        let cell = screen.cell_mut(a);
        cell.ch = ebc::NULL;
        cell.ext.charset = charset::DEFAULT;
        a = screen.next(a);
        if a == end {
            break;
        }
    }
    if screen.is_formatted() {
        screen.set_mdt(addr, true);
    }
}

/// ERASE INPUT: every unprotected field to nulls with its MDT off; the cursor to the first
/// of them (0 when there is none). An unformatted screen is cleared.
pub(super) fn erase_input(screen: &mut Screen) {
    let n = screen.len();
    let Some(first) = (0..n).find(|&a| screen.cell(a).fa.is_some()) else {
        screen.cells_mut().fill(crate::screen::Cell::NULL);
        screen.set_cursor(0);
        return;
    };
    let mut cursor = None;
    let mut a = first;
    loop {
        let fa = screen.cell(a).fa.unwrap_or_default();
        let unprotected = !fa.is_protected();
        if unprotected {
            screen.cell_mut(a).fa = Some(fa.with_modified(false));
        }
        let mut steps = 0;
        loop {
            a = screen.next(a);
            steps += 1;
            if unprotected && cursor.is_none() {
                cursor = Some(a);
            }
            if screen.cell(a).fa.is_some() || steps >= n {
                break;
            }
            if unprotected {
                let cell = screen.cell_mut(a);
                cell.ch = ebc::NULL;
                cell.ext.charset = charset::DEFAULT;
            }
        }
        if a == first || steps >= n {
            break;
        }
    }
    screen.set_cursor(cursor.unwrap_or(0));
}

/// DELETE at an unprotected `addr`: shift the rest of the field left, null at its end. On an
/// unformatted screen the "field" runs to the last cell (included, unlike insert: x3270).
pub(super) fn delete(screen: &mut Screen, addr: usize) {
    let last = if screen.is_formatted() {
        screen.prev(field_limit(screen, addr))
    } else {
        screen.len() - 1
    };
    let mut a = addr;
    while a != last {
        let from = *screen.cell(screen.next(a));
        let dst = screen.cell_mut(a);
        dst.ch = from.ch;
        dst.ext = from.ext;
        a = screen.next(a);
    }
    let end = screen.cell_mut(last);
    end.ch = ebc::NULL;
    end.ext.charset = charset::DEFAULT;
    screen.set_mdt(addr, true);
}

/// The protected bit of the field holding `addr` (of the attribute itself at an attribute).
fn field_protected(screen: &Screen, addr: usize) -> bool {
    screen
        .field_attribute(addr)
        .is_some_and(|fa| fa.is_protected())
}

fn is_blank(ch: u8) -> bool {
    ch == ebc::NULL || ch == ebc::SPACE
}

/// The next non-blank character in an unprotected field at or after `addr`.
fn next_unprotected_word(screen: &Screen, addr: usize) -> Option<usize> {
    let mut prot = field_protected(screen, addr);
    let mut a = addr;
    for _ in 0..screen.len() {
        let cell = screen.cell(a);
        if let Some(fa) = cell.fa {
            prot = fa.is_protected();
        } else if !prot && !is_blank(cell.ch) {
            return Some(a);
        }
        a = screen.next(a);
    }
    None
}

/// The start of the next word in this field after `addr`.
fn next_word_in_field(screen: &Screen, addr: usize) -> Option<usize> {
    let mut in_word = true;
    let mut a = addr;
    for _ in 0..screen.len() {
        let cell = screen.cell(a);
        if cell.fa.is_some() {
            return None;
        }
        if in_word {
            in_word = !is_blank(cell.ch);
        } else if !is_blank(cell.ch) {
            return Some(a);
        }
        a = screen.next(a);
    }
    None
}

/// WordNext (x3270 NextWord); `None` on an unformatted screen or when there is no word.
pub(super) fn word_next(screen: &Screen, cursor: usize) -> Option<usize> {
    if !screen.is_formatted() {
        return None;
    }
    if screen.is_protected(cursor) {
        return next_unprotected_word(screen, cursor);
    }
    if let Some(a) = next_word_in_field(screen, cursor) {
        return Some(a);
    }
    if is_blank(screen.cell(cursor).ch) {
        return next_unprotected_word(screen, cursor);
    }
    // In a word: just after its end, which may be the next field's attribute cell (x3270
    // reads an attribute cell as a null there).
    let mut a = cursor;
    for _ in 0..screen.len() {
        let cell = screen.cell(a);
        if cell.fa.is_some() || is_blank(cell.ch) {
            return Some(a);
        }
        a = screen.next(a);
    }
    None
}

/// WordPrev (x3270 PreviousWord): the start of the previous word in an unprotected field.
pub(super) fn word_prev(screen: &Screen, cursor: usize) -> Option<usize> {
    if !screen.is_formatted() {
        return None;
    }
    let mut a = cursor;
    let mut prot = field_protected(screen, cursor);
    if !prot {
        // Skip to before the word the cursor is in.
        while screen.cell(a).fa.is_none() && !is_blank(screen.cell(a).ch) {
            a = screen.prev(a);
            if a == cursor {
                return None;
            }
        }
    }
    let origin = a;
    // Find the end of the preceding word.
    let mut found = false;
    for _ in 0..screen.len() {
        let cell = screen.cell(a);
        if cell.fa.is_some() {
            a = screen.prev(a);
            prot = field_protected(screen, a);
            if a == origin {
                break;
            }
            continue;
        }
        if !prot && !is_blank(cell.ch) {
            found = true;
            break;
        }
        a = screen.prev(a);
        if a == origin {
            break;
        }
    }
    if !found {
        return None;
    }
    // Go to its front.
    for _ in 0..screen.len() {
        let p = screen.prev(a);
        let cell = screen.cell(p);
        if cell.fa.is_some() || is_blank(cell.ch) {
            break;
        }
        a = p;
    }
    Some(a)
}

/// FieldEnd: after the last non-blank of the unprotected field holding `cursor` (on the last
/// position when that is the field's end). `None` on an unformatted screen, an attribute or
/// a protected field.
pub(super) fn field_end(screen: &Screen, cursor: usize) -> Option<usize> {
    let fa = screen.field_attr_addr(cursor)?;
    if fa == cursor || screen.is_protected(cursor) {
        return None;
    }
    let mut last_nonblank = None;
    let mut a = screen.next(fa);
    for _ in 0..screen.len() {
        let cell = screen.cell(a);
        if cell.fa.is_some() {
            break;
        }
        if !is_blank(cell.ch) {
            last_nonblank = Some(a);
        }
        a = screen.next(a);
    }
    Some(match last_nonblank {
        None => screen.next(fa),
        Some(l) if screen.cell(l + 1).fa.is_some() => l,
        Some(l) => screen.next(l),
    })
}

/// What Cursor Select did.
pub(super) enum Selection {
    /// Not a detectable field or an unknown designator (a 3270 sounds the alarm).
    None,
    /// `?` and `>` swapped, MDT changed.
    Toggled,
    /// Attention: send this AID (MDT already set).
    Aid(Aid),
}

/// CURSR SEL at `cursor`: the designator character is the field's first data position.
pub(super) fn cursor_select(screen: &mut Screen, cursor: usize) -> Selection {
    let Some(fa_addr) = screen.field_attr_addr(cursor) else {
        return Selection::None;
    };
    let detectable = screen.cell(fa_addr).fa.is_some_and(|fa| fa.is_detectable());
    if !detectable {
        return Selection::None;
    }
    let designator = screen.next(fa_addr);
    match screen.cell(designator).ch {
        ebc::GREATER => {
            screen.cell_mut(designator).ch = ebc::QUESTION;
            screen.set_mdt(fa_addr, false);
            Selection::Toggled
        }
        ebc::QUESTION => {
            screen.cell_mut(designator).ch = ebc::GREATER;
            screen.set_mdt(fa_addr, true);
            Selection::Toggled
        }
        ebc::SPACE | ebc::NULL => {
            screen.set_mdt(fa_addr, true);
            Selection::Aid(Aid::CursorSelect)
        }
        ebc::AMPERSAND => {
            screen.set_mdt(fa_addr, true);
            Selection::Aid(Aid::Enter)
        }
        _ => Selection::None,
    }
}

fn validation_bits(screen: &Screen, fa_addr: usize) -> u8 {
    let cell = screen.cell(fa_addr);
    match cell.fa {
        Some(fa) if !fa.is_protected() => cell.ext.validation,
        _ => 0,
    }
}

/// True when `fa_addr` holds the attribute of an unprotected trigger field.
pub(super) fn is_trigger_field(screen: &Screen, fa_addr: usize) -> bool {
    validation_bits(screen, fa_addr) & validation::TRIGGER != 0
}

/// True when the field at `fa_addr` is mandatory fill, has data entered (MDT on and a
/// non-null character) and still has a null position.
pub(super) fn mandatory_fill_incomplete(screen: &Screen, fa_addr: usize) -> bool {
    if validation_bits(screen, fa_addr) & validation::MANDATORY_FILL == 0 {
        return false;
    }
    let Some(field) = screen.field_at(fa_addr) else {
        return false;
    };
    if !field.attr.is_modified() {
        return false;
    }
    let data = (0..field.len).map(|i| screen.cell(field.start + i).ch);
    let (mut any_null, mut any_data) = (false, false);
    for ch in data {
        if ch == ebc::NULL {
            any_null = true;
        } else {
            any_data = true;
        }
    }
    any_null && any_data
}

/// The first field that forbids sending an AID: a mandatory-entry field with its MDT off,
/// or an incomplete mandatory-fill field. Returns its first data position.
pub(super) fn validation_blocker(screen: &Screen) -> Option<usize> {
    screen.fields().find_map(|f| {
        let bits = validation_bits(screen, f.attr_addr);
        let entry_missing = bits & validation::MANDATORY_ENTRY != 0 && !f.attr.is_modified();
        (entry_missing || mandatory_fill_incomplete(screen, f.attr_addr)).then_some(f.start)
    })
}

/// SSCP-LU mode ENTER on the last row: the screen scrolls up one row.
pub(super) fn scroll_up(screen: &mut Screen) {
    let cols = screen.cols();
    let cells = screen.cells_mut();
    cells.copy_within(cols.., 0);
    let n = cells.len();
    cells[n.saturating_sub(cols)..].fill(crate::screen::Cell::NULL);
}
