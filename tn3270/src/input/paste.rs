//! Field-aware paste: text from the clipboard typed into the screen the way an operator
//! would type it, skipping what cannot be typed into.
//!
//! Owns: the walk over the text — which key each character becomes and where the cursor
//! must jump first. Does not own: what a key does ([`super::Keyboard`], GA23-0059 §3.5 and
//! the operator's keyboard rules), the clipboard (the browser), or the screen.
//!
//! The paste drives a [`PasteTarget`] (a [`Terminal`], or a keyboard + screen in tests) one
//! [`Key`] at a time and reads the screen after each key, so every rule of the keyboard
//! (numeric lock, insert mode, MDT, mandatory fill, triggers, autoskip) applies as if typed.
//!
//! Rules (after x3270's `Paste`, i.e. `emulate_input` with pasting on; differences noted):
//! - A paste never starts on a locked keyboard ([`PasteEnd::KeyboardLocked`]): pasted text
//!   does not go to the type-ahead queue (x3270 drops it the same way).
//! - A printable character is typed with [`Key::Char`]. When the cursor is on a field
//!   attribute or in a protected field, the cursor first jumps ([`Key::MoveCursor`]) to the
//!   next unprotected position *after* it, without wrapping. (x3270 4.1 locks "X PROT"
//!   there instead; newer x3270 skips as we do.)
//! - A line break (`\n`, `\r\n` or a lone `\r`) moves to the first unprotected position at
//!   or after the start of the row *after the row of the last character typed* (or of the
//!   cursor when nothing was typed on this line yet). So a line that exactly fills a field
//!   which ends at the end of a row does not skip a row: x3270's "skipped" rule, in our
//!   words.
//! - A tab (`\t`) jumps to the first position of the next unprotected field, without
//!   wrapping; on an unformatted screen it types a space.
//! - Other control characters (U+0000–U+001F, U+007F–U+009F) are dropped; so are characters
//!   the code page cannot encode ([`super::Refusal::Unencodable`], as x3270 drops them).
//! - The paste never wraps to the top of the screen: when the cursor ends up before where
//!   the last key left it (typing past the last cell, autoskip to the first field), or no
//!   unprotected position is left for a jump, it stops ([`PasteEnd::EndOfScreen`]). Trailing
//!   blanks and line breaks that do not fit are not an error ([`PasteEnd::Complete`]).
//! - Any key that locks the keyboard or is refused ("X NUM", "X >", "X -f", a trigger field
//!   sending its AID) stops the paste there ([`PasteEnd::Stopped`]).
//! - At most [`MAX_PASTE_CHARS`] characters are read ([`PasteEnd::TooLong`] after that);
//!   every step reads at least one character, so the walk always ends.

use crate::screen::{LockReason, Screen};
use crate::terminal::Terminal;

use super::{Key, KeyOutcome, Refusal};

/// Most characters of one paste that are looked at; the rest is dropped. Larger than any
/// screen (the largest 16-bit buffer is 65,535 cells) plus its line breaks.
pub const MAX_PASTE_CHARS: usize = 128 * 1024;

/// What a paste types into: the screen to look at and the keys to press.
pub trait PasteTarget {
    /// The screen as it is now.
    fn screen(&self) -> &Screen;
    /// Presses a key.
    fn key(&mut self, key: Key) -> KeyOutcome;
}

impl PasteTarget for Terminal {
    fn screen(&self) -> &Screen {
        Terminal::screen(self)
    }
    fn key(&mut self, key: Key) -> KeyOutcome {
        Terminal::key(self, key)
    }
}

/// Why a paste ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasteEnd {
    /// All of the text was used (trailing blanks that did not fit included).
    Complete,
    /// No room left without wrapping to the top of the screen; the rest was dropped.
    EndOfScreen,
    /// The keyboard was locked when the paste began; nothing was typed.
    KeyboardLocked(LockReason),
    /// A key locked the keyboard or was refused (its outcome); the rest was dropped.
    Stopped(KeyOutcome),
    /// The text was longer than [`MAX_PASTE_CHARS`]; the rest was dropped.
    TooLong,
}

/// What a paste did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasteReport {
    /// Characters stored in the buffer.
    pub typed: usize,
    /// Characters of the text used (typed, turned into a move, or dropped on purpose).
    pub consumed: usize,
    /// Why it ended.
    pub end: PasteEnd,
}

/// Pastes `text` at the cursor of `target` (see the module doc for the rules).
pub fn paste<T: PasteTarget + ?Sized>(target: &mut T, text: &str) -> PasteReport {
    let mut report = PasteReport {
        typed: 0,
        consumed: 0,
        end: PasteEnd::Complete,
    };
    let screen = target.screen();
    if let Some(lock) = screen.lock() {
        report.end = PasteEnd::KeyboardLocked(lock);
        return report;
    }
    let formatted = screen.is_formatted();
    let cols = screen.cols();
    // The cursor may not go below `floor`: that would be a wrap to the top.
    let mut floor = screen.cursor();
    let mut line_row = floor / cols;
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if report.consumed >= MAX_PASTE_CHARS {
            report.end = PasteEnd::TooLong;
            return report;
        }
        let screen = target.screen();
        let cursor = screen.cursor();
        if cursor < floor {
            report.end = end_of_screen(chars);
            return report;
        }
        // What this character asks for: a jump first (if any), then maybe a typed char.
        let (jump, typed) = match c {
            '\r' | '\n' => {
                chars.next();
                report.consumed += 1;
                if c == '\r' && chars.next_if_eq(&'\n').is_some() {
                    report.consumed += 1;
                }
                let from = (line_row + 1).saturating_mul(cols);
                match first_input_from(screen, from, formatted) {
                    Some(to) => (Some(to), None),
                    None => {
                        report.end = end_of_screen(chars);
                        return report;
                    }
                }
            }
            '\t' if formatted => {
                chars.next();
                report.consumed += 1;
                match next_field_start(screen, cursor) {
                    Some(to) => (Some(to), None),
                    None => {
                        report.end = end_of_screen(chars);
                        return report;
                    }
                }
            }
            c if c.is_control() && c != '\t' => {
                chars.next();
                report.consumed += 1;
                continue;
            }
            c => {
                let c = if c == '\t' { ' ' } else { c };
                if formatted && screen.is_protected(cursor) {
                    match first_input_from(screen, cursor, formatted) {
                        Some(to) => (Some(to), Some(c)),
                        None => {
                            report.end = end_of_screen(chars);
                            return report;
                        }
                    }
                } else {
                    (None, Some(c))
                }
            }
        };
        if let Some(to) = jump {
            match target.key(Key::MoveCursor(to)) {
                KeyOutcome::Changed | KeyOutcome::Nothing => {}
                other => {
                    report.end = PasteEnd::Stopped(other);
                    return report;
                }
            }
            floor = to;
            line_row = to / cols;
        }
        let Some(c) = typed else { continue };
        let at = target.screen().cursor();
        match target.key(Key::Char(c)) {
            KeyOutcome::Changed => {
                report.typed += 1;
                floor = at + 1;
                line_row = at / cols;
            }
            KeyOutcome::Refused(Refusal::Unencodable) | KeyOutcome::Nothing => {}
            other => {
                report.end = PasteEnd::Stopped(other);
                return report;
            }
        }
        chars.next();
        report.consumed += 1;
    }
    report
}

/// The end when the rest of the text does not fit: `Complete` if it is only blanks and
/// control characters, else `EndOfScreen`.
fn end_of_screen(rest: impl Iterator<Item = char>) -> PasteEnd {
    let mut rest = rest.take(MAX_PASTE_CHARS);
    if rest.all(|c| c.is_whitespace() || c.is_control()) {
        PasteEnd::Complete
    } else {
        PasteEnd::EndOfScreen
    }
}

/// The first unprotected data position at or after `from`, not wrapping.
fn first_input_from(screen: &Screen, from: usize, formatted: bool) -> Option<usize> {
    if from >= screen.len() {
        return None;
    }
    if !formatted {
        return Some(from);
    }
    let mut protected = screen
        .field_attribute(from)
        .is_some_and(|fa| fa.is_protected());
    (from..screen.len()).find(|&a| match screen.cell(a).fa {
        Some(fa) => {
            protected = fa.is_protected();
            false
        }
        None => !protected,
    })
}

/// The first position of the next unprotected field whose attribute is at or after
/// `cursor` and not directly followed by another attribute (Tab's rule), not wrapping.
fn next_field_start(screen: &Screen, cursor: usize) -> Option<usize> {
    let n = screen.len();
    (cursor..n.saturating_sub(1))
        .find(|&a| {
            screen.cell(a).fa.is_some_and(|fa| !fa.is_protected())
                && screen.cell(a + 1).fa.is_none()
        })
        .map(|a| a + 1)
}

#[cfg(test)]
mod tests {
    //! Scenarios: "the screen has these fields; the operator pastes this text; the host
    //! receives these bytes after ENTER".
    use super::*;
    use crate::codepage::CP037;
    use crate::input::Keyboard;
    use crate::screen::attributes::{FieldAttribute, FA_NUMERIC, FA_PROTECTED};

    const PROT: u8 = FA_PROTECTED;
    const UNPROT: u8 = 0;

    /// A keyboard and a screen, as a paste target.
    struct Rig {
        kb: Keyboard,
        screen: Screen,
        out: Vec<u8>,
    }

    impl PasteTarget for Rig {
        fn screen(&self) -> &Screen {
            &self.screen
        }
        fn key(&mut self, key: Key) -> KeyOutcome {
            self.kb.key(&mut self.screen, key, &CP037, &mut self.out)
        }
    }

    /// An unlocked 24x80 screen with field attributes at the given addresses; cursor at
    /// `cursor`.
    fn rig(fields: &[(usize, u8)], cursor: usize) -> Rig {
        let mut screen = Screen::for_model(2);
        screen.erase(false);
        for &(addr, fa) in fields {
            screen.cell_mut(addr).fa = Some(FieldAttribute(fa));
        }
        screen.set_lock(None);
        screen.set_cursor(cursor);
        Rig {
            kb: Keyboard::new(),
            screen,
            out: Vec::new(),
        }
    }

    impl Rig {
        /// The EBCDIC bytes of `len` cells from `addr`, as text (nulls as '.').
        fn text(&self, addr: usize, len: usize) -> String {
            (addr..addr + len)
                .map(|a| match self.screen.cell(a).ch {
                    0 => '.',
                    b => CP037.display(b),
                })
                .collect()
        }
        /// Presses ENTER and returns the inbound record.
        fn enter(&mut self) -> Vec<u8> {
            self.out.clear();
            assert!(matches!(self.key(Key::Enter), KeyOutcome::Sent(_)));
            std::mem::take(&mut self.out)
        }
    }

    #[test]
    fn text_fills_the_field_then_skips_the_protected_one_to_the_next_input() {
        // 0 prot "ID" | 5 unprot (6..=10) | 11 prot "PW" | 20 unprot (21..=28) | 29 prot.
        let mut r = rig(
            &[(0, PROT), (5, UNPROT), (11, PROT), (20, UNPROT), (29, PROT)],
            6,
        );
        for (i, b) in [0xd7, 0xe6].into_iter().enumerate() {
            r.screen.cell_mut(12 + i).ch = b; // "PW" must survive
        }
        let rep = paste(&mut r, "ABCDEFGH");
        assert_eq!(
            rep,
            PasteReport {
                typed: 8,
                consumed: 8,
                end: PasteEnd::Complete
            }
        );
        assert_eq!(r.text(6, 5), "ABCDE");
        assert_eq!(r.text(12, 2), "PW");
        assert_eq!(r.text(21, 4), "FGH.");
        assert_eq!(r.screen.cursor(), 24);
        // ENTER: AID, cursor (24 = X'40D8'), SBA 6 "ABCDE", SBA 21 "FGH".
        assert_eq!(
            r.enter(),
            [
                0x7d, 0x40, 0xd8, // AID Enter, cursor address 24
                0x11, 0x40, 0xc6, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, // SBA 6, "ABCDE"
                0x11, 0x40, 0xd5, 0xc6, 0xc7, 0xc8, // SBA 21, "FGH"
            ]
        );
    }

    #[test]
    fn a_paste_starting_on_protected_text_jumps_to_the_next_input() {
        // 0 prot "NAME" | 10 unprot (11..=19) | 20 prot. Cursor on the protected text.
        let mut r = rig(&[(0, PROT), (10, UNPROT), (20, PROT)], 2);
        let rep = paste(&mut r, "XY");
        assert_eq!(rep.end, PasteEnd::Complete);
        assert_eq!(r.text(11, 3), "XY.");
        assert_eq!(r.screen.lock(), None, "no X PROT");
    }

    #[test]
    fn a_newline_goes_to_the_next_rows_first_input_field() {
        // Row 0: unprot at 5 (6..=19), prot at 20. Row 1: prot label at 80, unprot at 90
        // (91..=99), prot at 100. Row 2: unprot at 165.
        let mut r = rig(
            &[
                (5, UNPROT),
                (20, PROT),
                (80, PROT),
                (90, UNPROT),
                (100, PROT),
                (165, UNPROT),
            ],
            6,
        );
        let rep = paste(&mut r, "AB\r\nCD\n\nEF\n");
        assert_eq!(rep.typed, 6);
        assert_eq!(rep.consumed, 11);
        assert_eq!(rep.end, PasteEnd::Complete);
        assert_eq!(r.text(6, 3), "AB.");
        assert_eq!(r.text(91, 3), "CD.");
        // The empty line moved on to row 2's field; "EF" went to row 3 (its input starts at
        // the first unprotected position of row 3, in the field of 165).
        assert_eq!(r.text(240, 3), "EF.");
        // The trailing newline moved the cursor to row 4.
        assert_eq!(r.screen.cursor(), 320);
    }

    #[test]
    fn a_line_that_fills_a_field_to_the_row_end_does_not_skip_a_row() {
        // ISPF-like: each row a protected line number (attr at col 0) and an input field
        // (attr at col 7, data 8..=79).
        let mut fields = Vec::new();
        for row in 0..4 {
            fields.push((row * 80, PROT));
            fields.push((row * 80 + 7, UNPROT));
        }
        let mut r = rig(&fields, 8);
        let line = "X".repeat(72);
        let rep = paste(&mut r, &format!("{line}\nSECOND\nTHIRD"));
        assert_eq!(rep.end, PasteEnd::Complete);
        assert_eq!(r.text(8, 72), line);
        assert_eq!(r.text(88, 7), "SECOND.");
        assert_eq!(r.text(168, 6), "THIRD.");
    }

    #[test]
    fn a_paste_stops_at_the_end_of_the_last_field_without_wrapping() {
        // 0 unprot (1..=9) at the top; the last field: unprot at 1900 (1901..=1919).
        let mut r = rig(&[(0, UNPROT), (10, PROT), (1900, UNPROT)], 1905);
        let rep = paste(&mut r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        // 1905..=1919 take 15 characters; the cursor wraps to the first field: stop.
        assert_eq!(rep.typed, 15);
        assert_eq!(rep.consumed, 15);
        assert_eq!(rep.end, PasteEnd::EndOfScreen);
        assert_eq!(r.text(1905, 15), "ABCDEFGHIJKLMNO");
        assert_eq!(r.text(1, 9), ".........", "nothing typed at the top");
        // Only blanks left over: that is not an error.
        let mut r = rig(&[(0, UNPROT), (10, PROT), (1900, UNPROT)], 1918);
        assert_eq!(paste(&mut r, "AB  \n\n").end, PasteEnd::Complete);
        // A newline on the last row has nowhere to go.
        let mut r = rig(&[(0, UNPROT), (10, PROT), (1900, UNPROT)], 1905);
        let rep = paste(&mut r, "A\nB");
        assert_eq!((rep.typed, rep.end), (1, PasteEnd::EndOfScreen));
    }

    #[test]
    fn a_locked_keyboard_takes_nothing() {
        let mut r = rig(&[(0, UNPROT)], 1);
        r.screen.set_lock(Some(LockReason::SystemWait));
        let rep = paste(&mut r, "ABC");
        assert_eq!(
            rep,
            PasteReport {
                typed: 0,
                consumed: 0,
                end: PasteEnd::KeyboardLocked(LockReason::SystemWait)
            }
        );
        assert_eq!(r.kb.typeahead_len(), 0, "paste does not queue");
        assert_eq!(r.text(1, 3), "...");
    }

    #[test]
    fn a_numeric_field_stops_the_paste_with_x_num() {
        // Unprotected numeric field at 0 (1..=9).
        let mut r = rig(&[(0, FA_NUMERIC), (10, PROT)], 1);
        let rep = paste(&mut r, "12A34");
        assert_eq!(rep.typed, 2);
        assert_eq!(
            rep.end,
            PasteEnd::Stopped(KeyOutcome::Locked(LockReason::Numeric))
        );
        assert_eq!(r.screen.lock(), Some(LockReason::Numeric));
        assert_eq!(r.text(1, 3), "12.");
    }

    #[test]
    fn tabs_jump_fields_and_unencodable_and_control_characters_are_dropped() {
        // unprot at 0 (1..=9), prot at 10, unprot at 20 (21..=29), prot at 30.
        let mut r = rig(&[(0, UNPROT), (10, PROT), (20, UNPROT), (30, PROT)], 1);
        let rep = paste(&mut r, "A\u{1}€B\tC");
        // '€' has no code point in CP037.
        assert_eq!(rep.typed, 3);
        assert_eq!(rep.consumed, 6);
        assert_eq!(r.text(1, 3), "AB.");
        assert_eq!(r.text(21, 2), "C.");
    }

    #[test]
    fn an_unformatted_screen_takes_lines_at_row_starts_and_never_wraps() {
        let mut r = rig(&[], 78);
        let rep = paste(&mut r, "ab\tc\nxyz");
        assert_eq!(rep.end, PasteEnd::Complete);
        // Row 0 ends after "ab"; the tab typed a space at column 0 of row 1, "c" follows.
        assert_eq!(r.text(78, 5), "ab c.");
        assert_eq!(r.text(160, 3), "xyz");
        let mut r = rig(&[], 1918);
        let rep = paste(&mut r, "abcd");
        assert_eq!((rep.typed, rep.end), (2, PasteEnd::EndOfScreen));
        assert_eq!(r.text(0, 2), "..");
    }

    #[test]
    fn insert_mode_applies_to_pasted_text() {
        // unprot at 0 (1..=9) holding "Z" at 1; insert mode on.
        let mut r = rig(&[(0, UNPROT), (10, PROT)], 1);
        r.screen.cell_mut(1).ch = 0xe9;
        r.kb.set_insert_mode(true);
        assert_eq!(paste(&mut r, "AB").end, PasteEnd::Complete);
        assert_eq!(r.text(1, 4), "ABZ.");
    }

    #[test]
    fn a_terminal_is_a_paste_target() {
        use crate::terminal::{Terminal, TerminalConfig};
        let mut t = Terminal::new(TerminalConfig::default());
        // Not connected: locked.
        assert_eq!(
            paste(&mut t, "x").end,
            PasteEnd::KeyboardLocked(LockReason::NotConnected)
        );
    }
}
