//! Scenario tests: "the screen has these fields; the operator types this; the host receives
//! these bytes". Expected bytes for rules s3270 implements were taken from s3270 4.1 traces
//! of the same screen and keys (24x80, 12-bit addresses; `blankFill` off unless said).

use super::*;
use crate::codepage::CP037;
use crate::screen::attributes::{
    color, highlight, validation, FieldAttribute, FA_INT_NORMAL_SEL, FA_NUMERIC, FA_PROTECTED,
};
use crate::screen::{CharacterReplyAttributes, ReplyMode};
use proptest::prelude::*;

const PROT: u8 = FA_PROTECTED;
const UNPROT: u8 = 0;
const NUMERIC: u8 = FA_NUMERIC;
const AUTOSKIP: u8 = FA_PROTECTED | FA_NUMERIC;

/// An unlocked 24x80 screen with field attributes at the given addresses.
fn screen_with(fields: &[(usize, u8)]) -> Screen {
    let mut s = Screen::for_model(2);
    s.erase(false);
    for &(addr, fa) in fields {
        s.cell_mut(addr).fa = Some(FieldAttribute(fa));
    }
    s.set_lock(None);
    s
}

/// "Screen A" of the oracle runs:
/// 0 prot "NAME" | 5 unprot (6..=10) | 11 prot | 20 numeric (21..=25) | 26 autoskip |
/// 40 unprot (41..=49) | 50 prot (to the end, wrapping). Cursor at 6.
fn screen_a() -> Screen {
    let mut s = screen_with(&[
        (0, PROT),
        (5, UNPROT),
        (11, PROT),
        (20, NUMERIC),
        (26, AUTOSKIP),
        (40, UNPROT),
        (50, PROT),
    ]);
    for (i, b) in [0xD5, 0xC1, 0xD4, 0xC5].into_iter().enumerate() {
        s.cell_mut(1 + i).ch = b;
    }
    s.set_cursor(6);
    s
}

struct Op {
    kb: Keyboard,
    out: Vec<u8>,
}

impl Op {
    fn new() -> Op {
        Op {
            kb: Keyboard::new(),
            out: Vec::new(),
        }
    }
    fn key(&mut self, s: &mut Screen, k: Key) -> KeyOutcome {
        self.kb.key(s, k, &CP037, &mut self.out)
    }
    fn type_str(&mut self, s: &mut Screen, text: &str) -> KeyOutcome {
        let mut last = KeyOutcome::Nothing;
        for c in text.chars() {
            last = self.key(s, Key::Char(c));
        }
        last
    }
    /// Presses the AID key and returns the record sent, then lets the host restore the
    /// keyboard (W with WCC restore: lock off, `unlocked`).
    fn send(&mut self, s: &mut Screen, k: Key) -> Vec<u8> {
        self.out.clear();
        let outcome = self.key(s, k);
        assert!(matches!(outcome, KeyOutcome::Sent(_)), "{outcome:?}");
        assert_eq!(s.lock(), Some(LockReason::SystemWait));
        let rec = std::mem::take(&mut self.out);
        s.set_lock(None);
        self.kb.unlocked(s, &CP037, &mut self.out);
        rec
    }
}

fn text(s: &Screen, from: usize, len: usize) -> Vec<u8> {
    (from..from + len).map(|a| s.cell(a).ch).collect()
}

// ---- typing, MDT, autoskip --------------------------------------------------------------

#[test]
fn typing_into_a_field_and_enter_sends_the_modified_field() {
    let mut s = screen_a();
    let mut op = Op::new();
    op.type_str(&mut s, "ab");
    assert_eq!(s.cursor(), 8);
    assert!(s.field_attribute(6).unwrap().is_modified());
    let rec = op.send(&mut s, Key::Enter);
    // s3270: 7d40c81140c68182
    assert_eq!(
        rec,
        [
            0x7D, // AID Enter
            0x40, 0xC8, // cursor address 8
            0x11, 0x40, 0xC6, // SBA 6: the field's first position
            0x81, 0x82, // "ab"
        ]
    );
    assert_eq!(s.last_aid(), Aid::Enter);
}

#[test]
fn filling_a_field_moves_into_the_next_field_unless_autoskip() {
    let mut s = screen_a();
    let mut op = Op::new();
    op.type_str(&mut s, "abcde");
    // The next attribute (11) is protected but not autoskip: the cursor lands at 12.
    assert_eq!(s.cursor(), 12);
    let rec = op.send(&mut s, Key::Enter);
    // s3270: 7d404c1140c68182838485
    assert_eq!(
        rec,
        [0x7D, 0x40, 0x4C, 0x11, 0x40, 0xC6, 0x81, 0x82, 0x83, 0x84, 0x85]
    );
    s.set_cursor(21);
    op.type_str(&mut s, "12345");
    // 26 is autoskip (protected + numeric): on to the next unprotected field, 41.
    assert_eq!(s.cursor(), 41);
    let rec = op.send(&mut s, Key::Enter);
    // s3270: 7d40e91140c681828384851140d5f1f2f3f4f5 (field 6 keeps its MDT)
    assert_eq!(
        rec,
        [
            0x7D, 0x40, 0xE9, // Enter, cursor 41
            0x11, 0x40, 0xC6, 0x81, 0x82, 0x83, 0x84, 0x85, // SBA 6 "abcde"
            0x11, 0x40, 0xD5, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, // SBA 21 "12345"
        ]
    );
}

#[test]
fn typing_into_protected_or_attribute_cells_locks_x_prot() {
    let mut s = screen_a();
    let mut op = Op::new();
    s.set_cursor(0); // an attribute cell
    assert_eq!(
        op.key(&mut s, Key::Char('x')),
        KeyOutcome::Locked(LockReason::Protected)
    );
    assert_eq!(s.cell(0).ch, 0);
    // While locked, typing is refused; a cursor move clears the error (x3270).
    assert_eq!(
        op.key(&mut s, Key::Char('y')),
        KeyOutcome::Refused(Refusal::Inhibited(LockReason::Protected))
    );
    s.set_cursor(2); // inside "NAME"
    assert_eq!(op.key(&mut s, Key::Tab), KeyOutcome::Changed);
    assert_eq!(s.lock(), None);
    assert_eq!(s.cursor(), 6);
    s.set_cursor(2);
    op.key(&mut s, Key::Char('x'));
    assert_eq!(text(&s, 1, 4), [0xD5, 0xC1, 0xD4, 0xC5]);
    assert_eq!(op.key(&mut s, Key::Reset), KeyOutcome::Changed);
    assert_eq!(s.lock(), None);
}

#[test]
fn numeric_lock_refuses_letters_in_numeric_fields_and_can_be_turned_off() {
    let mut s = screen_a();
    let mut op = Op::new();
    s.set_cursor(21);
    assert_eq!(op.type_str(&mut s, "-1.5,"), KeyOutcome::Changed);
    assert_eq!(s.cursor(), 41); // filled the field: autoskip past 26 to 41
    s.set_cursor(21);
    assert_eq!(op.key(&mut s, Key::Char('+')), KeyOutcome::Changed);
    s.set_cursor(21);
    assert_eq!(
        op.key(&mut s, Key::Char('a')),
        KeyOutcome::Locked(LockReason::Numeric)
    );
    op.key(&mut s, Key::Reset);
    assert_eq!(op.key(&mut s, Key::Dup), KeyOutcome::Changed);
    assert_eq!(s.cell(21).ch, ebc::DUP);
    op.kb.set_numeric_lock(false);
    s.set_cursor(22);
    assert_eq!(op.key(&mut s, Key::Char('a')), KeyOutcome::Changed);
    assert_eq!(s.cell(22).ch, 0x81);
}

#[test]
fn unencodable_characters_are_refused() {
    let mut s = screen_a();
    let mut op = Op::new();
    assert_eq!(
        op.key(&mut s, Key::Char('\u{4E2D}')),
        KeyOutcome::Refused(Refusal::Unencodable)
    );
    assert_eq!(s.cursor(), 6);
}

#[test]
fn typing_clears_the_cells_colour_and_highlighting() {
    let mut s = screen_a();
    s.cell_mut(6).ext.fg = color::RED;
    s.cell_mut(6).ext.highlight = highlight::REVERSE;
    s.cell_mut(6).ext.bg = color::BLUE;
    let mut op = Op::new();
    op.key(&mut s, Key::Char('a'));
    assert_eq!(s.cell(6).ext.fg, 0);
    assert_eq!(s.cell(6).ext.highlight, 0);
    assert_eq!(s.cell(6).ext.bg, color::BLUE);
}

// ---- insert mode ------------------------------------------------------------------------

#[test]
fn insert_mode_shifts_right_and_overflows_when_no_null_is_left() {
    let mut s = screen_a();
    let mut op = Op::new();
    op.type_str(&mut s, "abc");
    s.set_cursor(6);
    op.key(&mut s, Key::ToggleInsert);
    assert!(op.kb.insert_mode());
    op.key(&mut s, Key::Char('x'));
    let rec = op.send(&mut s, Key::Enter);
    // s3270: 7d40c71140c6a7818283
    assert_eq!(
        rec,
        [0x7D, 0x40, 0xC7, 0x11, 0x40, 0xC6, 0xA7, 0x81, 0x82, 0x83]
    );
    // The host's keyboard restore ended insert mode (as x3270).
    assert!(!op.kb.insert_mode());
    s.set_cursor(41);
    op.type_str(&mut s, "abcdefghi");
    s.set_cursor(42);
    op.key(&mut s, Key::ToggleInsert);
    assert_eq!(
        op.key(&mut s, Key::Char('y')),
        KeyOutcome::Locked(LockReason::Overflow)
    );
    assert_eq!(text(&s, 41, 9), b"\x81\x82\x83\x84\x85\x86\x87\x88\x89");
    // Reset clears the error and insert mode.
    op.key(&mut s, Key::Reset);
    assert!(!op.kb.insert_mode());
    assert_eq!(s.lock(), None);
}

#[test]
fn insert_needs_a_null_at_or_after_the_cursor_not_at_the_field_end() {
    // x3270: the shift stops at the first null after the cursor.
    let mut s = screen_a();
    let mut op = Op::new();
    op.type_str(&mut s, "ab");
    s.set_cursor(9);
    op.key(&mut s, Key::Char('z')); // a b _ z _  (null at 8 and 10)
    s.set_cursor(6);
    op.key(&mut s, Key::ToggleInsert);
    op.key(&mut s, Key::Char('x'));
    assert_eq!(text(&s, 6, 5), [0xA7, 0x81, 0x82, 0xA9, 0x00]);
}

#[test]
fn blank_fill_counts_trailing_blanks_as_room_and_fills_leading_nulls() {
    // s3270 with blankFill on (its default in 4.1).
    let mut s = screen_a();
    let mut op = Op::new();
    op.kb.set_blank_fill(true);
    s.set_cursor(8);
    op.type_str(&mut s, "ab");
    let rec = op.send(&mut s, Key::Enter);
    // s3270: 7d404a1140c640408182
    assert_eq!(
        rec,
        [0x7D, 0x40, 0x4A, 0x11, 0x40, 0xC6, 0x40, 0x40, 0x81, 0x82]
    );
    s.set_cursor(41);
    op.type_str(&mut s, "abcdef   ");
    s.set_cursor(42);
    op.key(&mut s, Key::ToggleInsert);
    op.type_str(&mut s, "XY");
    let rec = op.send(&mut s, Key::Enter);
    // s3270: 7d406c1140c640408182 1140e981e7e8828384858640
    assert_eq!(
        rec,
        [
            0x7D, 0x40, 0x6C, // Enter, cursor 44
            0x11, 0x40, 0xC6, 0x40, 0x40, 0x81, 0x82, // SBA 6 "  ab"
            0x11, 0x40, 0xE9, // SBA 41
            0x81, 0xE7, 0xE8, 0x82, 0x83, 0x84, 0x85, 0x86, 0x40, // "aXYbcdef "
        ]
    );
}

// ---- editing keys -----------------------------------------------------------------------

#[test]
fn delete_erase_eof_dup_and_field_mark_match_s3270() {
    let mut s = screen_a();
    let mut op = Op::new();
    op.type_str(&mut s, "abcde");
    s.set_cursor(7);
    op.key(&mut s, Key::Delete);
    // s3270: 7d40c71140c681838485
    assert_eq!(
        op.send(&mut s, Key::Enter),
        [0x7D, 0x40, 0xC7, 0x11, 0x40, 0xC6, 0x81, 0x83, 0x84, 0x85]
    );
    s.set_cursor(8);
    op.key(&mut s, Key::EraseEof);
    // s3270: 7d40c81140c68183
    assert_eq!(
        op.send(&mut s, Key::Enter),
        [0x7D, 0x40, 0xC8, 0x11, 0x40, 0xC6, 0x81, 0x83]
    );
    s.set_cursor(41);
    op.key(&mut s, Key::Char('1'));
    op.key(&mut s, Key::Dup);
    // DUP, then tab: wraps to the field at 6.
    assert_eq!(s.cursor(), 6);
    // s3270: 7d40c61140c681831140e9f11c
    assert_eq!(
        op.send(&mut s, Key::Enter),
        [
            0x7D, 0x40, 0xC6, // Enter, cursor 6
            0x11, 0x40, 0xC6, 0x81, 0x83, // SBA 6 "ac"
            0x11, 0x40, 0xE9, 0xF1, 0x1C, // SBA 41 "1" DUP
        ]
    );
    s.set_cursor(43);
    op.key(&mut s, Key::FieldMark);
    assert_eq!(s.cursor(), 44);
    op.key(&mut s, Key::Char('z'));
    // s3270: 7d406d1140c681831140e9f11c1ea9
    assert_eq!(
        op.send(&mut s, Key::Enter),
        [
            0x7D, 0x40, 0x6D, 0x11, 0x40, 0xC6, 0x81, 0x83, 0x11, 0x40, 0xE9, 0xF1, 0x1C, 0x1E,
            0xA9,
        ]
    );
}

#[test]
fn delete_and_erase_eof_refuse_protected_positions() {
    let mut s = screen_a();
    let mut op = Op::new();
    s.set_cursor(12);
    assert_eq!(
        op.key(&mut s, Key::Delete),
        KeyOutcome::Locked(LockReason::Protected)
    );
    op.key(&mut s, Key::Reset);
    s.set_cursor(5);
    assert_eq!(
        op.key(&mut s, Key::EraseEof),
        KeyOutcome::Locked(LockReason::Protected)
    );
}

#[test]
fn erase_input_clears_unprotected_fields_and_their_mdts() {
    let mut s = screen_a();
    let mut op = Op::new();
    op.type_str(&mut s, "abc");
    s.set_cursor(41);
    op.type_str(&mut s, "def");
    op.key(&mut s, Key::EraseInput);
    assert_eq!(s.cursor(), 6);
    assert_eq!(text(&s, 41, 3), [0, 0, 0]);
    assert_eq!(text(&s, 1, 4), [0xD5, 0xC1, 0xD4, 0xC5]); // protected data kept
                                                          // s3270: 7d40c6
    assert_eq!(op.send(&mut s, Key::Enter), [0x7D, 0x40, 0xC6]);
}

#[test]
fn backspace_moves_left_without_erasing() {
    let mut s = screen_a();
    let mut op = Op::new();
    op.type_str(&mut s, "ab");
    op.key(&mut s, Key::Backspace);
    assert_eq!(s.cursor(), 7);
    assert_eq!(text(&s, 6, 2), [0x81, 0x82]);
}

// ---- cursor movement --------------------------------------------------------------------

#[test]
fn movement_keys_match_s3270() {
    let mut s = screen_a();
    let mut op = Op::new();
    let cases: [(usize, Key, usize); 10] = [
        (45, Key::Tab, 6),      // wraps past the end to the first unprotected field
        (45, Key::BackTab, 41), // start of the current field
        (41, Key::BackTab, 21), // at the start: previous unprotected field
        (245, Key::Home, 6),    // first unprotected field
        (3, Key::Newline, 6),   // next line is protected: next unprotected field
        (0, Key::Up, 1840),     // wraps to the last row
        (1919, Key::Right, 0),  // wraps to the first cell
        (0, Key::Left, 1919),   // wraps backwards
        (1900, Key::Down, 60),  // wraps to the first row
        (10, Key::Right2, 12),  // double move
    ];
    for (from, key, to) in cases {
        s.set_cursor(from);
        op.key(&mut s, key);
        assert_eq!(s.cursor(), to, "{key:?} from {from}");
    }
    s.set_cursor(12);
    op.key(&mut s, Key::Left2);
    assert_eq!(s.cursor(), 10);
    // The host sees the cursor: s3270 sent 7d5cf0 after Up from 0.
    s.set_cursor(0);
    op.key(&mut s, Key::Up);
    assert_eq!(op.send(&mut s, Key::Enter), [0x7D, 0x5C, 0xF0]);
}

#[test]
fn newline_goes_to_the_next_line_when_it_is_unprotected() {
    let mut s = screen_with(&[(0, PROT), (70, UNPROT), (300, PROT)]);
    let mut op = Op::new();
    s.set_cursor(5);
    op.key(&mut s, Key::Newline);
    assert_eq!(s.cursor(), 80);
    op.key(&mut s, Key::Newline);
    assert_eq!(s.cursor(), 160);
    s.set_cursor(250);
    op.key(&mut s, Key::Newline); // row 4 is protected: next unprotected field wraps to 71
    assert_eq!(s.cursor(), 71);
}

#[test]
fn unformatted_screen_movement() {
    let mut s = screen_with(&[]);
    let mut op = Op::new();
    for (from, key, to) in [
        (100, Key::Tab, 0),
        (100, Key::BackTab, 0),
        (100, Key::Home, 0),
        (100, Key::Newline, 160),
        (1900, Key::Newline, 0),
    ] {
        s.set_cursor(from);
        op.key(&mut s, key);
        assert_eq!(s.cursor(), to, "{key:?} from {from}");
    }
    s.set_cursor(5);
    assert_eq!(op.key(&mut s, Key::FieldEnd), KeyOutcome::Nothing);
}

#[test]
fn field_end_and_word_moves() {
    // Field at 5 (6..=19) holding "ab cd" at 6; field at 40 (41..) holding "ef".
    let mut s = screen_with(&[(5, UNPROT), (20, PROT), (40, UNPROT), (50, PROT)]);
    for (i, b) in [0x81, 0x82, 0x40, 0x83, 0x84].into_iter().enumerate() {
        s.cell_mut(6 + i).ch = b;
    }
    s.cell_mut(41).ch = 0x85;
    s.cell_mut(42).ch = 0x86;
    let mut op = Op::new();
    s.set_cursor(6);
    op.key(&mut s, Key::FieldEnd);
    assert_eq!(s.cursor(), 11);
    s.set_cursor(6);
    op.key(&mut s, Key::WordNext);
    assert_eq!(s.cursor(), 9);
    op.key(&mut s, Key::WordNext);
    assert_eq!(s.cursor(), 11); // just after the last word of the field
    op.key(&mut s, Key::WordNext);
    assert_eq!(s.cursor(), 41); // the next unprotected word
    op.key(&mut s, Key::WordPrev);
    assert_eq!(s.cursor(), 9);
    op.key(&mut s, Key::WordPrev);
    assert_eq!(s.cursor(), 6);
    // A word that ends at the next attribute: WordNext stops on the attribute (s3270).
    s.cell_mut(12).fa = Some(FieldAttribute(UNPROT));
    s.cell_mut(11).ch = 0x85;
    s.set_cursor(11);
    op.key(&mut s, Key::WordNext);
    assert_eq!(s.cursor(), 12);
}

// ---- AIDs -------------------------------------------------------------------------------

#[test]
fn short_reads_and_pf_keys() {
    let mut s = screen_a();
    let mut op = Op::new();
    op.type_str(&mut s, "abc");
    // s3270: PA2 -> 6e; PF13 -> c140c91140c6818283; Clear -> 6d
    assert_eq!(op.send(&mut s, Key::Pa(2)), [0x6E]);
    assert_eq!(
        op.send(&mut s, Key::Pf(13)),
        [0xC1, 0x40, 0xC9, 0x11, 0x40, 0xC6, 0x81, 0x82, 0x83]
    );
    assert_eq!(op.send(&mut s, Key::Clear), [0x6D]);
    // CLEAR erased the buffer locally, keeping the size.
    assert!(!s.is_formatted());
    assert_eq!(s.cursor(), 0);
    assert_eq!(s.last_aid(), Aid::Clear);
    assert_eq!(
        op.key(&mut s, Key::Pf(25)),
        KeyOutcome::Refused(Refusal::NoSuchKey)
    );
    assert_eq!(
        op.key(&mut s, Key::Pa(0)),
        KeyOutcome::Refused(Refusal::NoSuchKey)
    );
}

#[test]
fn unformatted_screen_sends_all_data_without_sba() {
    let mut s = screen_with(&[]);
    let mut op = Op::new();
    op.type_str(&mut s, "hello");
    s.set_cursor(80);
    op.type_str(&mut s, "x");
    // s3270: 7dc1d18885939396a7
    assert_eq!(
        op.send(&mut s, Key::Enter),
        [0x7D, 0xC1, 0xD1, 0x88, 0x85, 0x93, 0x93, 0x96, 0xA7]
    );
    assert_eq!(op.send(&mut s, Key::Pa(1)), [0x6C]);
}

#[test]
fn unformatted_insert_and_delete_work_on_the_whole_screen() {
    // Current x3270 (s3270 4.1 stopped at the end of the line).
    let mut s = screen_with(&[]);
    let mut op = Op::new();
    s.set_cursor(78);
    op.type_str(&mut s, "abc"); // 78, 79, 80
    s.cell_mut(200).ch = 0x84; // "d" on a later line
    s.set_cursor(78);
    op.key(&mut s, Key::Delete);
    assert_eq!(text(&s, 78, 3), [0x82, 0x83, 0x00]);
    assert_eq!(s.cell(199).ch, 0x84);
    op.key(&mut s, Key::ToggleInsert);
    op.key(&mut s, Key::Char('x'));
    assert_eq!(text(&s, 78, 3), [0xA7, 0x82, 0x83]);
    assert_eq!(s.cell(199).ch, 0x84); // the shift stopped at the first null (80)
                                      // The last cell never takes part in an insert: no room there.
    s.set_cursor(1919);
    assert_eq!(
        op.key(&mut s, Key::Char('y')),
        KeyOutcome::Locked(LockReason::Overflow)
    );
}

#[test]
fn attn_and_sysreq_are_signals_even_when_locked() {
    let mut s = screen_a();
    let mut op = Op::new();
    s.set_lock(Some(LockReason::SystemWait));
    assert_eq!(op.key(&mut s, Key::Attn), KeyOutcome::Attn);
    assert_eq!(op.key(&mut s, Key::SysReq), KeyOutcome::SysReq);
    assert!(op.out.is_empty());
}

#[test]
fn test_request_record_for_sysreq_on_plain_tn3270() {
    let mut s = screen_a();
    let mut op = Op::new();
    op.type_str(&mut s, "ab");
    let mut out = Vec::new();
    inbound::read_modified(
        &s,
        Aid::SysReq,
        false,
        AddressingMode::TwelveFourteen,
        &mut out,
    );
    // s3270: 016c61021140c68182
    assert_eq!(out, [0x01, 0x6C, 0x61, 0x02, 0x11, 0x40, 0xC6, 0x81, 0x82]);
}

#[test]
fn cursor_select_toggles_designators_and_sends_selection_aids() {
    // A detectable field at 5 whose designator (6) is '>'.
    let mut s = screen_with(&[(0, PROT), (5, FA_INT_NORMAL_SEL), (20, PROT)]);
    s.cell_mut(6).ch = ebc::GREATER;
    s.cell_mut(7).ch = ebc::SPACE;
    s.set_cursor(7);
    let mut op = Op::new();
    assert_eq!(op.key(&mut s, Key::CursorSelect), KeyOutcome::Changed);
    assert_eq!(s.cell(6).ch, ebc::QUESTION);
    // s3270: 7d40c7
    assert_eq!(op.send(&mut s, Key::Enter), [0x7D, 0x40, 0xC7]);
    op.key(&mut s, Key::CursorSelect);
    // s3270: 7d40c71140c66e40
    assert_eq!(
        op.send(&mut s, Key::Enter),
        [0x7D, 0x40, 0xC7, 0x11, 0x40, 0xC6, 0x6E, 0x40]
    );
    s.set_cursor(6);
    op.key(&mut s, Key::Char(' '));
    s.set_cursor(7);
    // s3270: 7e40c71140c6 (selection AID: SBAs without data)
    assert_eq!(
        op.send(&mut s, Key::CursorSelect),
        [0x7E, 0x40, 0xC7, 0x11, 0x40, 0xC6]
    );
    // '&' sends ENTER.
    s.cell_mut(6).ch = ebc::AMPERSAND;
    assert_eq!(op.send(&mut s, Key::CursorSelect)[0], 0x7D);
    // Not detectable: nothing.
    s.set_cursor(2);
    assert_eq!(op.key(&mut s, Key::CursorSelect), KeyOutcome::Nothing);
}

#[test]
fn move_cursor_goes_to_the_address_clears_x_prot_and_waits_while_the_host_holds_the_keyboard() {
    let mut s = screen_a();
    let mut op = Op::new();
    // A click on the numeric field's first position.
    assert_eq!(op.key(&mut s, Key::MoveCursor(21)), KeyOutcome::Changed);
    assert_eq!(s.cursor(), 21);
    assert_eq!(op.key(&mut s, Key::MoveCursor(21)), KeyOutcome::Nothing);
    // Outside the screen: refused, cursor kept.
    assert_eq!(
        op.key(&mut s, Key::MoveCursor(24 * 80)),
        KeyOutcome::Refused(Refusal::NoSuchKey)
    );
    assert_eq!(s.cursor(), 21);
    // Typing on protected text locks X PROT; a click clears it, as the cursor keys do.
    s.set_cursor(2);
    assert_eq!(
        op.key(&mut s, Key::Char('x')),
        KeyOutcome::Locked(LockReason::Protected)
    );
    assert_eq!(op.key(&mut s, Key::MoveCursor(41)), KeyOutcome::Changed);
    assert_eq!((s.lock(), s.cursor()), (None, 41));
    // While the host holds the keyboard the move waits in the type-ahead queue.
    s.set_lock(Some(LockReason::SystemWait));
    assert_eq!(op.key(&mut s, Key::MoveCursor(7)), KeyOutcome::Queued);
    assert_eq!(s.cursor(), 41);
    s.set_lock(None);
    op.kb.unlocked(&mut s, &CP037, &mut op.out);
    assert_eq!(s.cursor(), 7);
}

#[test]
fn light_pen_is_a_move_then_cursor_select() {
    // A detectable field at 5 with an attention designator '&' at 6; the pen touches 9.
    let mut s = screen_with(&[(0, PROT), (5, FA_INT_NORMAL_SEL), (20, PROT)]);
    s.cell_mut(6).ch = ebc::AMPERSAND;
    s.set_cursor(30);
    let mut op = Op::new();
    assert_eq!(op.key(&mut s, Key::MoveCursor(9)), KeyOutcome::Changed);
    // '&': the field's MDT goes on and ENTER is sent with the pen's address (9 = X'40C9').
    assert_eq!(
        op.send(&mut s, Key::CursorSelect),
        [0x7D, 0x40, 0xC9, 0x11, 0x40, 0xC6, 0x50]
    );
}

// ---- type-ahead -------------------------------------------------------------------------

#[test]
fn keys_typed_while_the_host_has_the_keyboard_are_replayed_on_unlock() {
    let mut s = screen_a();
    let mut op = Op::new();
    op.key(&mut s, Key::Char('a'));
    op.out.clear();
    assert_eq!(op.key(&mut s, Key::Enter), KeyOutcome::Sent(Aid::Enter));
    op.out.clear();
    // The host has not answered yet.
    assert_eq!(op.key(&mut s, Key::Char('b')), KeyOutcome::Queued);
    assert_eq!(op.key(&mut s, Key::Tab), KeyOutcome::Queued);
    assert_eq!(op.key(&mut s, Key::Tab), KeyOutcome::Queued);
    assert_eq!(op.key(&mut s, Key::Char('c')), KeyOutcome::Queued);
    assert_eq!(op.key(&mut s, Key::Pf(3)), KeyOutcome::Queued);
    assert_eq!(op.key(&mut s, Key::Char('d')), KeyOutcome::Queued);
    assert_eq!(op.kb.typeahead_len(), 6);
    assert_eq!(s.cell(7).ch, 0);
    // The host restores the keyboard: b at 7, Tab to 21, Tab to 41, c, then PF3 sends and
    // locks; d waits.
    s.set_lock(None);
    let outcome = op.kb.unlocked(&mut s, &CP037, &mut op.out);
    assert_eq!(outcome, KeyOutcome::Sent(Aid::Pf(3)));
    assert_eq!(
        op.out,
        [
            0xF3, 0x40, 0x6A, // PF3, cursor 42
            0x11, 0x40, 0xC6, 0x81, 0x82, // SBA 6 "ab"
            0x11, 0x40, 0xE9, 0x83, // SBA 41 "c"
        ]
    );
    assert_eq!(op.kb.typeahead_len(), 1);
    assert_eq!(s.lock(), Some(LockReason::SystemWait));
    // If the caller forgets `unlocked`, the next key still comes after the queued one.
    s.set_lock(None);
    op.out.clear();
    assert_eq!(op.key(&mut s, Key::Char('e')), KeyOutcome::Changed);
    assert_eq!(op.kb.typeahead_len(), 0);
    assert_eq!(text(&s, 42, 2), [0x84, 0x85]); // "d" then "e"
}

#[test]
fn type_ahead_is_bounded_and_reset_flushes_it() {
    let mut s = screen_a();
    s.set_lock(Some(LockReason::SystemWait));
    let mut op = Op::new();
    for _ in 0..TYPEAHEAD_LIMIT {
        assert_eq!(op.key(&mut s, Key::Char('x')), KeyOutcome::Queued);
    }
    assert_eq!(
        op.key(&mut s, Key::Char('x')),
        KeyOutcome::Refused(Refusal::TypeAheadFull)
    );
    // Insert mode is a mode switch: it acts at once, even with a full queue.
    assert_eq!(op.key(&mut s, Key::ToggleInsert), KeyOutcome::Changed);
    assert!(op.kb.insert_mode());
    assert_eq!(op.key(&mut s, Key::Reset), KeyOutcome::Changed);
    assert_eq!(op.kb.typeahead_len(), 0);
    // Reset does not unlock a keyboard the host holds.
    assert_eq!(s.lock(), Some(LockReason::SystemWait));
}

#[test]
fn an_operator_error_during_replay_discards_the_rest() {
    let mut s = screen_a();
    s.set_lock(Some(LockReason::SystemWait));
    let mut op = Op::new();
    s.set_cursor(2);
    op.key(&mut s, Key::Char('x')); // will hit "NAME": X PROT
    op.key(&mut s, Key::Char('y'));
    s.set_lock(None);
    assert_eq!(
        op.kb.unlocked(&mut s, &CP037, &mut op.out),
        KeyOutcome::Locked(LockReason::Protected)
    );
    assert_eq!(op.kb.typeahead_len(), 0);
}

#[test]
fn not_connected_refuses_keys() {
    let mut s = screen_a();
    s.set_lock(Some(LockReason::NotConnected));
    let mut op = Op::new();
    assert_eq!(
        op.key(&mut s, Key::Char('a')),
        KeyOutcome::Refused(Refusal::NotConnected)
    );
}

// ---- field validation -------------------------------------------------------------------

#[test]
fn mandatory_entry_refuses_enter_until_the_field_is_modified() {
    let mut s = screen_a();
    s.cell_mut(40).ext.validation = validation::MANDATORY_ENTRY;
    let mut op = Op::new();
    op.type_str(&mut s, "ab");
    assert_eq!(
        op.key(&mut s, Key::Enter),
        KeyOutcome::Locked(LockReason::MinusFunction)
    );
    assert!(op.out.is_empty());
    assert_eq!(s.cursor(), 41);
    // Cursor keys do not clear "X -f"; Reset does.
    assert_eq!(
        op.key(&mut s, Key::Tab),
        KeyOutcome::Refused(Refusal::Inhibited(LockReason::MinusFunction))
    );
    op.key(&mut s, Key::Reset);
    // A short read is exempt.
    assert_eq!(op.send(&mut s, Key::Pa(1)), [0x6C]);
    op.key(&mut s, Key::Char('z'));
    assert_eq!(op.send(&mut s, Key::Enter)[0], 0x7D);
}

#[test]
fn mandatory_fill_keeps_the_cursor_in_a_partly_filled_field() {
    let mut s = screen_a();
    s.cell_mut(5).ext.validation = validation::MANDATORY_FILL;
    let mut op = Op::new();
    // An empty field may be left.
    assert_eq!(op.key(&mut s, Key::Tab), KeyOutcome::Changed);
    op.key(&mut s, Key::BackTab);
    assert_eq!(s.cursor(), 6);
    op.type_str(&mut s, "ab");
    assert_eq!(
        op.key(&mut s, Key::Tab),
        KeyOutcome::Locked(LockReason::MinusFunction)
    );
    assert_eq!(s.cursor(), 8);
    op.key(&mut s, Key::Reset);
    assert_eq!(
        op.key(&mut s, Key::Enter),
        KeyOutcome::Locked(LockReason::MinusFunction)
    );
    assert_eq!(s.cursor(), 6); // on the field that blocks the AID
    op.key(&mut s, Key::Reset);
    // Moving within the field is fine; filling it lets the cursor out (on to 12).
    op.key(&mut s, Key::FieldEnd);
    assert_eq!((s.lock(), s.cursor()), (None, 8));
    assert_eq!(op.type_str(&mut s, "cde"), KeyOutcome::Changed);
    assert_eq!(s.cursor(), 12);
    assert_eq!(op.send(&mut s, Key::Enter)[0], 0x7D);
}

#[test]
fn leaving_a_modified_trigger_field_sends_it_alone() {
    let mut s = screen_a();
    s.cell_mut(40).ext.validation = validation::TRIGGER;
    let mut op = Op::new();
    op.type_str(&mut s, "q"); // field 6 modified, not a trigger
    s.set_cursor(41);
    // Entering and leaving without a change sends nothing.
    assert_eq!(op.key(&mut s, Key::Tab), KeyOutcome::Changed);
    s.set_cursor(41);
    op.type_str(&mut s, "hi");
    assert_eq!(op.kb.primed_trigger(), Some(40));
    assert_eq!(op.key(&mut s, Key::Left), KeyOutcome::Changed); // still inside
    assert_eq!(op.key(&mut s, Key::Tab), KeyOutcome::Sent(Aid::Trigger));
    assert_eq!(
        op.out,
        [
            0x7F, 0x40, 0xC6, // Trigger AID, cursor 6 (where Tab went)
            0x11, 0x40, 0xE9, 0x88, 0x89, // SBA 41 "hi" (field 6 is not sent)
        ]
    );
    assert_eq!(s.lock(), Some(LockReason::SystemWait));
    assert_eq!(s.last_aid(), Aid::Trigger);
    // Typing continues into type-ahead while the host checks the field.
    assert_eq!(op.key(&mut s, Key::Char('x')), KeyOutcome::Queued);
}

#[test]
fn filling_a_trigger_field_sends_it_when_autoskip_leaves() {
    let mut s = screen_a();
    s.cell_mut(20).ext.validation = validation::TRIGGER; // the numeric field 21..=25
    let mut op = Op::new();
    s.set_cursor(21);
    assert_eq!(op.type_str(&mut s, "1234"), KeyOutcome::Changed);
    assert_eq!(
        op.key(&mut s, Key::Char('5')),
        KeyOutcome::Sent(Aid::Trigger)
    );
    assert_eq!(
        op.out,
        [
            0x7F, 0x40, 0xE9, // Trigger, cursor 41 (autoskip past 26)
            0x11, 0x40, 0xD5, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, // SBA 21 "12345"
        ]
    );
}

#[test]
fn erase_input_and_host_writes_unprime_a_trigger_field() {
    let mut s = screen_a();
    s.cell_mut(40).ext.validation = validation::TRIGGER;
    let mut op = Op::new();
    s.set_cursor(41);
    op.type_str(&mut s, "hi");
    op.kb.host_wrote();
    assert_eq!(op.key(&mut s, Key::Tab), KeyOutcome::Changed);
    s.set_cursor(41);
    op.type_str(&mut s, "hi");
    op.key(&mut s, Key::EraseInput);
    assert_eq!(op.kb.primed_trigger(), None);
    assert!(op.out.is_empty());
}

// ---- SSCP-LU ----------------------------------------------------------------------------

#[test]
fn sscp_lu_enter_sends_the_typed_text_without_aid() {
    let mut s = screen_with(&[]);
    for (i, b) in [0xC8, 0xC9].into_iter().enumerate() {
        s.cell_mut(i).ch = b; // host output "HI"
    }
    s.set_cursor(2);
    let mut op = Op::new();
    op.kb.set_sscp_lu(Some(2));
    op.type_str(&mut s, "logon");
    assert_eq!(op.key(&mut s, Key::Enter), KeyOutcome::Sent(Aid::Enter));
    assert_eq!(op.out, [0x93, 0x96, 0x87, 0x96, 0x95]);
    assert_eq!(s.cursor(), 80);
    assert_eq!(op.kb.sscp_lu(), Some(80));
    assert_eq!(s.lock(), None);
    assert_eq!(
        op.key(&mut s, Key::Pf(1)),
        KeyOutcome::Locked(LockReason::MinusFunction)
    );
}

#[test]
fn sscp_lu_typing_past_the_end_scrolls() {
    let mut s = screen_with(&[]);
    s.cell_mut(0).ch = 0xC1; // top row scrolls away
    s.set_cursor(1918);
    let mut op = Op::new();
    op.kb.set_sscp_lu(Some(1900));
    op.type_str(&mut s, "ab");
    assert_eq!(s.cursor(), 1840);
    assert_eq!((s.cell(1838).ch, s.cell(1839).ch), (0x81, 0x82));
    assert_eq!(s.cell(0).ch, 0);
    assert_eq!(op.kb.sscp_lu(), Some(1820));
}

// ---- Read Buffer / Read Modified All -----------------------------------------------------

/// "Screen B" of the oracle runs (after the operator typed 'z' at 21):
/// 0: SFE prot, fg red; "NA", SA fg green "M", SA highlight reverse "E";
/// 5: SF detectable, ">" " "; 20: SFE unprot MDT, highlight underscore, fg yellow, "zb",
/// GE X'AD'; 30: SF prot. Cursor at 22.
fn screen_b() -> Screen {
    let mut s = screen_with(&[(0, PROT), (5, FA_INT_NORMAL_SEL), (20, 0x01), (30, PROT)]);
    s.cell_mut(0).ext.fg = color::RED;
    s.cell_mut(20).ext.highlight = highlight::UNDERSCORE;
    s.cell_mut(20).ext.fg = color::YELLOW;
    for (a, ch) in [
        (1, 0xD5),
        (2, 0xC1),
        (3, 0xD4),
        (4, 0xC5),
        (6, 0x6E),
        (7, 0x40),
    ] {
        s.cell_mut(a).ch = ch;
    }
    s.cell_mut(3).ext.fg = color::GREEN;
    s.cell_mut(4).ext.fg = color::GREEN;
    s.cell_mut(4).ext.highlight = highlight::REVERSE;
    s.cell_mut(21).ch = 0xA9;
    s.cell_mut(22).ch = 0x82;
    s.cell_mut(23).ch = 0xAD;
    s.cell_mut(23).ext.charset = crate::screen::attributes::charset::APL;
    s.set_cursor(22);
    s
}

fn read_buffer_prefix(s: &Screen, n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    inbound::read_buffer(s, Aid::Enter, AddressingMode::TwelveFourteen, &mut out);
    out.truncate(n);
    out
}

#[test]
fn read_buffer_in_field_mode() {
    let s = screen_b();
    let mut out = Vec::new();
    inbound::read_buffer(&s, Aid::Enter, AddressingMode::TwelveFourteen, &mut out);
    // Every position, 1920 of them, plus AID, cursor, one SF byte per attribute, one GE.
    assert_eq!(out.len(), 3 + 1920 + 4 + 1);
    // s3270: 7d40d6 1d60 d5c1d4c5 1dc4 6e40 00.. 1dc1 a98208ad 00.. 1d60 00..
    let mut expected = vec![
        0x7D, 0x40, 0xD6, 0x1D, 0x60, 0xD5, 0xC1, 0xD4, 0xC5, 0x1D, 0xC4,
    ];
    expected.extend([0x6E, 0x40]);
    expected.extend([0; 12]);
    expected.extend([0x1D, 0xC1, 0xA9, 0x82, 0x08, 0xAD]); // SF, "zb", GE X'AD'
    expected.extend([0; 6]);
    expected.extend([0x1D, 0x60, 0x00]);
    assert_eq!(read_buffer_prefix(&s, expected.len()), expected);
}

#[test]
fn read_buffer_in_extended_field_mode() {
    let mut s = screen_b();
    s.set_reply_mode(ReplyMode::ExtendedField);
    // s3270: 7d40d6 2902c06042f2 d5c1d4c5 2901c0c4 6e40 00.. 2903c0c142f641f4 a98208ad 00..
    //        2901c060 00..
    let mut expected = vec![
        0x7D, 0x40, 0xD6, // AID, cursor 22
        0x29, 0x02, 0xC0, 0x60, 0x42, 0xF2, // SFE: protected, fg red
        0xD5, 0xC1, 0xD4, 0xC5, // NAME
        0x29, 0x01, 0xC0, 0xC4, // SFE: detectable
        0x6E, 0x40,
    ];
    expected.extend([0; 12]);
    expected.extend([0x29, 0x03, 0xC0, 0xC1, 0x42, 0xF6, 0x41, 0xF4]); // fg before highlight
    expected.extend([0xA9, 0x82, 0x08, 0xAD]);
    expected.extend([0; 6]);
    expected.extend([0x29, 0x01, 0xC0, 0x60, 0x00]);
    assert_eq!(read_buffer_prefix(&s, expected.len()), expected);
}

#[test]
fn read_buffer_in_character_mode_adds_sa_orders() {
    let mut s = screen_b();
    s.set_reply_mode(ReplyMode::Character(CharacterReplyAttributes {
        fg: true,
        highlight: true,
        ..Default::default()
    }));
    // s3270 (SRM character, fg + highlighting):
    // 7d40d6 2902c06042f2 d5c1 2842f4 d4 2841f2 c5 2901c0c4 284200 284100 6e40 00..
    // 2903c0c142f641f4 a98208ad 00.. 2901c060 00..
    let mut expected = vec![
        0x7D, 0x40, 0xD6, 0x29, 0x02, 0xC0, 0x60, 0x42, 0xF2, // SFE as before
        0xD5, 0xC1, // "NA": default character attributes, no SA
        0x28, 0x42, 0xF4, 0xD4, // SA fg green, "M"
        0x28, 0x41, 0xF2, 0xC5, // SA highlight reverse, "E"
        0x29, 0x01, 0xC0, 0xC4, // SFE detectable
        0x28, 0x42, 0x00, 0x28, 0x41, 0x00, // back to default, fg then highlight
        0x6E, 0x40,
    ];
    expected.extend([0; 12]);
    expected.extend([0x29, 0x03, 0xC0, 0xC1, 0x42, 0xF6, 0x41, 0xF4]);
    expected.extend([0xA9, 0x82, 0x08, 0xAD]);
    assert_eq!(read_buffer_prefix(&s, expected.len()), expected);
}

#[test]
fn read_modified_in_character_mode_reports_field_attributes_of_default_characters() {
    let mut s = screen_b();
    s.set_reply_mode(ReplyMode::Character(CharacterReplyAttributes {
        fg: true,
        ..Default::default()
    }));
    let mut out = Vec::new();
    inbound::read_modified(
        &s,
        Aid::Enter,
        false,
        AddressingMode::TwelveFourteen,
        &mut out,
    );
    assert_eq!(
        out,
        [
            0x7D, 0x40, 0xD6, // AID, cursor
            0x11, 0x40, 0xD5, // SBA 21
            0x28, 0x42, 0xF6, // SA fg yellow (the field's)
            0xA9, 0x82, 0x08, 0xAD, // "zb", GE X'AD'
        ]
    );
}

#[test]
fn read_modified_all_sends_data_even_for_short_read_aids() {
    let s = screen_b();
    let mut out = Vec::new();
    inbound::read_modified(
        &s,
        Aid::Pa(1),
        true,
        AddressingMode::TwelveFourteen,
        &mut out,
    );
    assert_eq!(
        out,
        [0x6C, 0x40, 0xD6, 0x11, 0x40, 0xD5, 0xA9, 0x82, 0x08, 0xAD]
    );
    out.clear();
    inbound::read_modified(
        &s,
        Aid::Pa(1),
        false,
        AddressingMode::TwelveFourteen,
        &mut out,
    );
    assert_eq!(out, [0x6C]);
}

#[test]
fn large_screens_use_14_bit_and_16_bit_addresses() {
    let mut s = Screen::new(
        ScreenSize::MODEL_2,
        crate::screen::ScreenSize {
            rows: 62,
            cols: 160,
        },
    );
    s.erase(true);
    s.set_lock(None);
    s.cell_mut(5000).fa = Some(FieldAttribute(0x01));
    s.cell_mut(5001).ch = 0x81;
    s.set_cursor(9000);
    let mut out = Vec::new();
    inbound::read_modified(
        &s,
        Aid::Enter,
        false,
        AddressingMode::TwelveFourteen,
        &mut out,
    );
    // 9000 = 0x2328, 5001 = 0x1389, 14-bit binary.
    assert_eq!(out, [0x7D, 0x23, 0x28, 0x11, 0x13, 0x89, 0x81]);
    out.clear();
    inbound::read_modified(&s, Aid::Enter, false, AddressingMode::Sixteen, &mut out);
    assert_eq!(out, [0x7D, 0x23, 0x28, 0x11, 0x13, 0x89, 0x81]);
}

use crate::screen::ScreenSize;

// ---- properties -------------------------------------------------------------------------

fn any_key() -> impl Strategy<Value = Key> {
    prop_oneof![
        prop::char::range('0', 'z').prop_map(Key::Char),
        any::<u8>().prop_map(Key::Ge),
        Just(Key::Tab),
        Just(Key::BackTab),
        Just(Key::Home),
        Just(Key::Newline),
        Just(Key::EraseEof),
        Just(Key::EraseInput),
        Just(Key::Delete),
        Just(Key::Backspace),
        Just(Key::Dup),
        Just(Key::FieldMark),
        Just(Key::Left),
        Just(Key::Right),
        Just(Key::Up),
        Just(Key::Down),
        Just(Key::Left2),
        Just(Key::Right2),
        Just(Key::WordNext),
        Just(Key::WordPrev),
        Just(Key::FieldEnd),
        Just(Key::ToggleInsert),
        Just(Key::Reset),
        Just(Key::Enter),
        (0u8..30).prop_map(Key::Pf),
        (0u8..5).prop_map(Key::Pa),
        Just(Key::Clear),
        Just(Key::SysReq),
        Just(Key::Attn),
        Just(Key::CursorSelect),
        any::<u16>().prop_map(|a| Key::MoveCursor(usize::from(a))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_keys_on_arbitrary_screens_never_panic(
        rows in 1u16..8,
        cols in 1u16..12,
        attrs in prop::collection::vec((any::<u16>(), any::<u8>(), any::<u8>()), 0..12),
        chars in prop::collection::vec((any::<u16>(), any::<u8>()), 0..20),
        cursor in any::<u16>(),
        keys in prop::collection::vec(any_key(), 0..60),
        unlocks in prop::collection::vec(any::<bool>(), 60),
        mode in 0u8..3,
    ) {
        let size = ScreenSize { rows, cols };
        let mut s = Screen::new(size, size);
        s.erase(false);
        s.set_lock(None);
        let n = s.len();
        for (a, fa, v) in attrs {
            let cell = s.cell_mut(usize::from(a) % n);
            cell.fa = Some(FieldAttribute::from_byte(fa));
            cell.ext.validation = v & 0x07;
        }
        for (a, ch) in chars {
            s.cell_mut(usize::from(a) % n).ch = ch;
        }
        s.set_cursor(usize::from(cursor));
        s.set_reply_mode(match mode {
            0 => ReplyMode::Field,
            1 => ReplyMode::ExtendedField,
            _ => ReplyMode::Character(CharacterReplyAttributes { fg: true, bg: true, highlight: true, charset: true, transparency: true }),
        });
        let mut kb = Keyboard::new();
        let mut out = Vec::new();
        for (k, unlock) in keys.into_iter().zip(unlocks) {
            out.clear();
            kb.key(&mut s, k, &CP037, &mut out);
            prop_assert!(s.cursor() < s.len());
            prop_assert!(kb.typeahead_len() <= TYPEAHEAD_LIMIT);
            if unlock && s.lock() == Some(LockReason::SystemWait) {
                s.set_lock(None);
                kb.unlocked(&mut s, &CP037, &mut out);
                prop_assert!(s.cursor() < s.len());
            }
        }
        out.clear();
        inbound::read_buffer(&s, Aid::NoAid, AddressingMode::TwelveFourteen, &mut out);
        prop_assert!(out.len() >= 3 + s.len());
    }
}
