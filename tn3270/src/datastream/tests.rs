//! Scenario tests: the host sends these bytes (hex, one comment per order) and the screen,
//! cursor and keyboard end up so.

use super::*;
use crate::address::{encode, AddressEncoding, AddressingMode};
use crate::codepage::CP037;
use crate::screen::attributes::{color, highlight, FA_PROTECTED};
use crate::screen::{Cell, ExtendedAttributes, FieldAttribute, ReplyMode};
use proptest::prelude::*;

fn ctx() -> Capabilities {
    Capabilities::for_model(2, true, true, &CP037)
}

/// A connected model 2 screen waiting for the host's first write.
fn screen() -> Screen {
    let mut s = ctx().new_screen();
    s.set_lock(Some(LockReason::AwaitingFirst));
    s
}

fn ebc(text: &str) -> Vec<u8> {
    text.chars().map(|c| CP037.encode(c).unwrap()).collect()
}

/// SBA to (row, col) of an 80-column screen, 12-bit.
fn sba(row: usize, col: usize) -> Vec<u8> {
    let a = encode(row * 80 + col, AddressEncoding::Twelve).unwrap();
    vec![order::SBA, a[0], a[1]]
}

fn addr12(row: usize, col: usize) -> [u8; 2] {
    encode(row * 80 + col, AddressEncoding::Twelve).unwrap()
}

fn record(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn row(s: &Screen, r: usize) -> String {
    s.to_text(&CP037)
        .split('\n')
        .nth(r)
        .unwrap()
        .trim_end()
        .to_string()
}

fn apply(s: &mut Screen, rec: &[u8]) -> Outcome {
    process(s, rec, &ctx()).unwrap()
}

// ---------------------------------------------------------------- commands and the WCC

#[test]
fn erase_write_builds_a_login_screen_and_restores_the_keyboard() {
    let mut s = screen();
    let rec = record(&[
        &[0xF5, 0xC3], // EW, WCC reset | keyboard restore | reset MDT
        &sba(0, 0),    // SBA (1,1)
        &[0x1D, 0x60], // SF protected
        &ebc("USER"),  // "USER"
        &[0x1D, 0x40], // SF unprotected
        &[0x13],       // IC: cursor here (row 0, col 6)
        &sba(0, 20),   // SBA (1,21)
        &[0x1D, 0x60], // SF protected: ends the input field
    ]);
    let out = apply(&mut s, &rec);
    assert_eq!(row(&s, 0), " USER");
    assert_eq!(s.cursor(), 6);
    assert_eq!(s.lock(), None);
    assert!(out.keyboard_restored);
    assert!(out.replies.is_empty());
    let f = s.field_at(6).unwrap();
    assert_eq!((f.attr_addr, f.start, f.len), (5, 6, 14));
    assert!(!f.attr.is_protected());
}

#[test]
fn local_and_sna_command_codes_do_the_same() {
    for (local, sna) in [(0x01, 0xF1), (0x05, 0xF5), (0x0D, 0x7E)] {
        let mut a = screen();
        let mut b = screen();
        let body = record(&[&[0x00], &ebc("HI")]); // WCC 0, "HI"
        apply(&mut a, &record(&[&[local], &body]));
        apply(&mut b, &record(&[&[sna], &body]));
        assert_eq!(
            a.to_text(&CP037),
            b.to_text(&CP037),
            "{local:02x}/{sna:02x}"
        );
        assert!(a.to_text(&CP037).starts_with("HI"));
    }
    for (local, sna, kind) in [
        (0x02, 0xF2, ReadKind::Buffer),
        (0x06, 0xF6, ReadKind::Modified),
        (0x0E, 0x6E, ReadKind::ModifiedAll),
    ] {
        for code in [local, sna] {
            let mut s = screen();
            s.set_last_aid(Aid::Enter);
            let out = apply(&mut s, &[code]);
            assert_eq!(
                out.replies,
                vec![Reply::Read(ReadRequest {
                    kind,
                    aid: Aid::Enter
                })]
            );
        }
    }
    // NOP changes nothing.
    let mut s = screen();
    assert_eq!(apply(&mut s, &[0x03]), Outcome::default());
    assert_eq!(s.lock(), Some(LockReason::AwaitingFirst));
}

#[test]
fn write_starts_at_the_cursor_and_keeps_the_screen() {
    let mut s = screen();
    apply(
        &mut s,
        &record(&[&[0xF5, 0x02], &sba(1, 0), &[0x13], &ebc("ONE")]),
    );
    // Write, WCC 0: data lands at the cursor (row 1 col 0), not at 0.
    apply(&mut s, &record(&[&[0xF1, 0x00], &ebc("X")]));
    assert_eq!(row(&s, 1), "XNE");
}

#[test]
fn erase_write_alternate_switches_size_and_erase_write_switches_back() {
    let ctx4 = Capabilities::for_model(4, true, true, &CP037);
    let mut s = ctx4.new_screen();
    process(&mut s, &[0x7E, 0x02], &ctx4).unwrap(); // EWA, restore
    assert_eq!((s.rows(), s.cols()), (43, 80));
    process(&mut s, &[0xF5, 0x02], &ctx4).unwrap(); // EW, restore
    assert_eq!((s.rows(), s.cols()), (24, 80));
}

#[test]
fn wcc_reset_mdt_alarm_and_start_printer() {
    let mut s = screen();
    // EW, WCC restore; SF unprotected with MDT on.
    apply(&mut s, &[0xF5, 0x02, 0x1D, 0x41]);
    assert!(s.cell(0).fa.unwrap().is_modified());
    // W, WCC reset MDT | sound alarm | start printer.
    let out = apply(&mut s, &[0xF1, 0x01 | 0x04 | 0x08]);
    assert!(!s.cell(0).fa.unwrap().is_modified());
    assert!(s.take_alarm());
    assert!(out.start_printer);
    assert!(!out.keyboard_restored);
}

#[test]
fn wcc_keyboard_restore_is_applied_after_the_orders_and_resets_the_aid() {
    let mut s = screen();
    s.set_lock(Some(LockReason::SystemWait));
    s.set_last_aid(Aid::Enter);
    // W without restore: the keyboard stays locked.
    apply(&mut s, &[0xF1, 0x00]);
    assert_eq!(s.lock(), Some(LockReason::SystemWait));
    // A terminal wait becomes a system wait after a write, as x3270 shows it.
    s.set_lock(Some(LockReason::TerminalWait));
    apply(&mut s, &[0xF1, 0x00]);
    assert_eq!(s.lock(), Some(LockReason::SystemWait));
    // W with restore unlocks and resets the AID.
    apply(&mut s, &[0xF1, 0x02]);
    assert_eq!(s.lock(), None);
    assert_eq!(s.last_aid(), Aid::NoAid);
}

#[test]
fn first_write_clears_awaiting_first_even_without_restore() {
    let mut s = screen();
    apply(&mut s, &[0xF5, 0x00]);
    assert_eq!(s.lock(), None);
}

#[test]
fn wcc_reset_with_erase_resets_reply_mode_but_not_with_write() {
    let mut s = screen();
    s.set_reply_mode(ReplyMode::ExtendedField);
    apply(&mut s, &[0xF1, 0x40]); // W, reset: no erase, mode kept
    assert_eq!(s.reply_mode(), ReplyMode::ExtendedField);
    apply(&mut s, &[0xF5, 0x40]); // EW, reset
    assert_eq!(s.reply_mode(), ReplyMode::Field);
}

#[test]
fn erase_all_unprotected_clears_input_resets_mdt_and_homes_the_cursor() {
    let mut s = screen();
    let rec = record(&[
        &[0xF5, 0x00],
        &[0x1D, 0x60],
        &ebc("LABEL"), // protected "LABEL" at 1..5
        &[0x1D, 0x41],
        &ebc("INPUT"), // unprotected, MDT on, "INPUT" at 7..11
        &[0x1D, 0x60],
        &ebc("TAIL"), // protected
    ]);
    apply(&mut s, &rec);
    s.set_lock(Some(LockReason::SystemWait));
    s.set_last_aid(Aid::Enter);
    let out = apply(&mut s, &[0x6F]); // EAU (SNA code)
    assert_eq!(row(&s, 0), " LABEL       TAIL");
    assert!(!s.cell(6).fa.unwrap().is_modified());
    assert_eq!(s.cursor(), 7);
    assert_eq!(s.lock(), None);
    assert_eq!(s.last_aid(), Aid::NoAid);
    assert!(out.keyboard_restored);
}

#[test]
fn erase_all_unprotected_on_an_unformatted_screen_clears_everything() {
    let mut s = screen();
    apply(
        &mut s,
        &record(&[&[0xF5, 0x00], &sba(3, 3), &ebc("TEXT"), &[0x13]]),
    );
    apply(&mut s, &[0x0F]); // EAU (local code)
    assert!(s.cells().iter().all(|c| c.ch == 0));
    assert_eq!(s.cursor(), 0);
}

// ---------------------------------------------------------------- orders

/// s3270 4.1 `-oversize 160x62` put "END" at row 61 col 150 and the cursor at (61,153).
#[test]
fn fourteen_bit_addresses_on_a_62x160_screen() {
    let ctx = Capabilities::for_model(2, true, true, &CP037).with_alternate_size(ScreenSize {
        rows: 62,
        cols: 160,
    });
    let mut s = ctx.new_screen();
    let target = 61 * 160 + 150; // row 62, col 151: 9910 needs 14 bits
    let a = encode(target, AddressEncoding::Fourteen).unwrap();
    let rec = record(&[
        &[0x7E, 0x02],       // EWA, restore
        &[0x11, a[0], a[1]], // SBA 14-bit
        &ebc("END"),         // "END"
        &[0x13],             // IC
    ]);
    process(&mut s, &rec, &ctx).unwrap();
    assert_eq!((s.rows(), s.cols()), (62, 160));
    let text = s.to_text(&CP037);
    let last = text.split('\n').nth(61).unwrap();
    assert_eq!(&last[150..153], "END");
    assert_eq!(s.cursor(), target + 3);
}

#[test]
fn sixteen_bit_addresses_only_when_selected() {
    let mut ctx = Capabilities::for_model(2, true, true, &CP037).with_alternate_size(ScreenSize {
        rows: 200,
        cols: 200,
    });
    ctx.addressing = AddressingMode::Sixteen;
    let mut s = ctx.new_screen();
    // EWA; SBA 0x9C40 = 40000 - 1 = 39999 would be 12-bit garbage otherwise.
    process(&mut s, &[0x7E, 0x00, 0x11, 0x9C, 0x3F, 0xC1], &ctx).unwrap();
    assert_eq!(s.cell(0x9C3F).ch, 0xC1);
}

#[test]
fn sfe_sets_field_colours_and_a_monochrome_terminal_ignores_them() {
    let rec = [
        0xF5, 0x02, // EW, restore
        0x29, 0x03, // SFE, 3 pairs:
        0xC0, 0x20, //   field attribute: protected
        0x42, 0xF2, //   foreground red
        0x41, 0xF4, //   underscore
        0xC1, // "A"
    ];
    let mut s = screen();
    apply(&mut s, &rec);
    let cell = *s.cell(0);
    assert_eq!(cell.fa, Some(FieldAttribute(FA_PROTECTED)));
    assert_eq!(cell.ext.fg, color::RED);
    assert_eq!(cell.ext.highlight, highlight::UNDERSCORE);
    assert_eq!(s.field_infos()[0].fg, color::RED);

    let mono = Capabilities::for_model(2, false, true, &CP037);
    let mut m = mono.new_screen();
    process(&mut m, &rec, &mono).unwrap();
    assert_eq!(m.cell(0).ext.fg, color::DEFAULT);
    assert_eq!(m.cell(0).ext.highlight, highlight::UNDERSCORE);
}

#[test]
fn sfe_without_a_field_attribute_pair_starts_an_unprotected_field() {
    let mut s = screen();
    apply(&mut s, &[0xF5, 0x00, 0x29, 0x01, 0x42, 0xF4]); // SFE (fg green)
    assert_eq!(s.cell(0).fa, Some(FieldAttribute(0)));
    assert_eq!(s.cell(0).ext.fg, color::GREEN);
}

#[test]
fn characters_take_the_set_attribute_values_and_sf_resets_its_position() {
    let mut s = screen();
    let rec = [
        0xF5, 0x00, // EW
        0x28, 0x42, 0xF6, // SA foreground yellow
        0x28, 0x41, 0xF2, // SA reverse
        0xC1, // "A": yellow, reverse
        0x28, 0x00, 0x00, // SA all: defaults
        0xC2, // "B": defaults
        0x28, 0x42, 0xF1, // SA blue
        0xC3, // "C": blue
    ];
    apply(&mut s, &rec);
    assert_eq!(s.cell(0).ext.fg, color::YELLOW);
    assert_eq!(s.cell(0).ext.highlight, highlight::REVERSE);
    assert_eq!(s.cell(1).ext, ExtendedAttributes::DEFAULT);
    assert_eq!(s.cell(2).ext.fg, color::BLUE);
    // W, SBA (0,2), SF: the attribute replaces the blue "C" with default attributes.
    apply(&mut s, &record(&[&[0xF1, 0x00], &sba(0, 2), &[0x1D, 0x20]]));
    assert_eq!(s.cell(2).ch, 0);
    assert_eq!(s.cell(2).ext, ExtendedAttributes::DEFAULT);
    // Set Attribute lasts only for its write.
    apply(&mut s, &record(&[&[0xF1, 0x00], &sba(0, 5), &ebc("D")]));
    assert_eq!(s.cell(5).ext, ExtendedAttributes::DEFAULT);
}

#[test]
fn writing_a_character_over_an_attribute_removes_the_field() {
    let mut s = screen();
    apply(&mut s, &[0xF5, 0x00, 0x1D, 0x20]);
    apply(&mut s, &record(&[&[0xF1, 0x00], &sba(0, 0), &ebc("Z")]));
    assert!(!s.is_formatted());
    assert_eq!(row(&s, 0), "Z");
}

#[test]
fn modify_field_changes_an_attribute_in_place() {
    let mut s = screen();
    apply(&mut s, &record(&[&[0xF5, 0x00], &[0x1D, 0x20], &ebc("AB")]));
    let rec = record(&[
        &[0xF1, 0x00],
        &sba(0, 0),                            // at the attribute
        &[0x2C, 0x02, 0xC0, 0x0C, 0x42, 0xF2], // MF: non-display, red
        &ebc("X"),                             // lands after the attribute (MF advanced)
    ]);
    apply(&mut s, &rec);
    let cell = s.cell(0);
    assert!(cell.fa.unwrap().is_nondisplay());
    assert_eq!(cell.ext.fg, color::RED);
    assert_eq!(s.cell(1).ch, 0xE7);
    assert_eq!(row(&s, 0), ""); // non-display contents show as blanks
}

#[test]
fn modify_field_off_an_attribute_is_skipped_without_moving() {
    let mut s = screen();
    let rec = record(&[
        &[0xF5, 0x00],
        &sba(0, 3),
        &[0x2C, 0x01, 0x42, 0xF2], // MF at a character position: ignored
        &ebc("Q"),                 // still at (0,3)
    ]);
    apply(&mut s, &rec);
    assert_eq!(s.cell(3).ch, 0xD8);
    assert!(s.cell(3).fa.is_none());
}

#[test]
fn repeat_to_address_wraps_from_the_last_cell_to_the_first() {
    let mut s = screen();
    let to = addr12(0, 2);
    let rec = record(&[
        &[0xF5, 0x00],
        &sba(23, 78),                // SBA (24,79)
        &[0x3C, to[0], to[1], 0x7E], // RA to (1,3) '='
    ]);
    apply(&mut s, &rec);
    assert_eq!(row(&s, 0), "==");
    assert!(row(&s, 23).ends_with("=="));
    assert_eq!(s.cells().iter().filter(|c| c.ch == 0x7E).count(), 4);
}

#[test]
fn repeat_to_its_own_address_fills_the_buffer() {
    let mut s = screen();
    let here = addr12(5, 0);
    apply(
        &mut s,
        &record(&[&[0xF5, 0x00], &sba(5, 0), &[0x3C, here[0], here[1], 0xC1]]),
    );
    assert!(s.cells().iter().all(|c| c.ch == 0xC1));
}

#[test]
fn repeat_to_address_with_graphic_escape_repeats_an_apl_character() {
    let mut s = screen();
    let to = addr12(0, 5);
    apply(
        &mut s,
        &record(&[&[0xF5, 0x00], &[0x3C, to[0], to[1], 0x08, 0xA2]]),
    ); // RA GE '─'
    assert_eq!(row(&s, 0), "─────");
    assert_eq!(s.cell(0).ext.charset, lcid::APL);
}

#[test]
fn graphic_escape_stores_an_apl_character() {
    let mut s = screen();
    apply(&mut s, &[0xF5, 0x00, 0x08, 0xC5, 0x08, 0xA2, 0x08, 0xD5]); // GE ┌ GE ─ GE ┐
    assert_eq!(row(&s, 0), "┌─┐");
}

#[test]
fn erase_unprotected_to_address_spares_protected_fields() {
    let mut s = screen();
    let rec = record(&[
        &[0xF5, 0x00],
        &[0x1D, 0x40],
        &ebc("AAAA"), // unprotected 1..4
        &[0x1D, 0x60],
        &ebc("BBBB"), // protected 6..9
        &[0x1D, 0x40],
        &ebc("CCCC"), // unprotected 11..14
    ]);
    apply(&mut s, &rec);
    let to = addr12(0, 13);
    apply(
        &mut s,
        &record(&[&[0xF1, 0x00], &sba(0, 2), &[0x12, to[0], to[1]], &ebc("x")]),
    );
    // Nulls from (0,2) up to (0,13) except the protected field; "x" lands at (0,13).
    assert_eq!(row(&s, 0), " A    BBBB   xC");
}

#[test]
fn program_tab_after_an_order_only_moves() {
    let mut s = screen();
    let rec = record(&[
        &[0xF5, 0x00],
        &[0x1D, 0x60],
        &ebc("P"), // protected at 0, "P"
        &[0x1D, 0x40],
        &ebc("OLD"), // unprotected at 2, "OLD"
        &sba(0, 0),
        &[0x05],   // PT right after SBA: no nulling
        &ebc("N"), // lands at (0,3)
    ]);
    apply(&mut s, &rec);
    assert_eq!(row(&s, 0), " P NLD");
}

#[test]
fn program_tab_after_data_nulls_the_rest_of_the_field() {
    let mut s = screen();
    apply(
        &mut s,
        &record(&[
            &[0xF5, 0x00],
            &[0x1D, 0x40],
            &ebc("OLDVALUE"),
            &[0x1D, 0x60],
            &[0x1D, 0x40],
        ]),
    );
    // W; SBA to the first input; "NEW"; PT: nulls "VALUE" and moves to the next input.
    apply(
        &mut s,
        &record(&[&[0xF1, 0x00], &sba(0, 1), &ebc("NEW"), &[0x05], &ebc("Z")]),
    );
    assert_eq!(row(&s, 0), " NEW       Z");
}

#[test]
fn program_tab_after_data_nulls_even_a_protected_field() {
    let mut s = screen();
    apply(
        &mut s,
        &record(&[
            &[0xF5, 0x00],
            &[0x1D, 0x60],
            &ebc("PROTECTED"),
            &[0x1D, 0x40],
        ]),
    );
    apply(
        &mut s,
        &record(&[&[0xF1, 0x00], &sba(0, 1), &ebc("X"), &[0x05], &ebc("Y")]),
    );
    assert_eq!(row(&s, 0), " X         Y");
}

#[test]
fn program_tab_at_an_unprotected_attribute_advances_one() {
    let mut s = screen();
    apply(
        &mut s,
        &record(&[
            &[0xF5, 0x00],
            &sba(0, 4),
            &[0x1D, 0x40],
            &sba(0, 4),
            &[0x05],
            &ebc("K"),
        ]),
    );
    assert_eq!(s.cell(5).ch, 0xD2);
}

#[test]
fn program_tab_does_not_wrap_it_goes_to_address_zero() {
    let mut s = screen();
    // An unprotected field at 0 and a protected one at (10,0); PT from (12,0).
    apply(
        &mut s,
        &record(&[
            &[0xF5, 0x00],
            &[0x1D, 0x40],
            &sba(10, 0),
            &[0x1D, 0x60],
            &sba(12, 0),
            &[0x05],
            &ebc("W"),
        ]),
    );
    assert_eq!(s.cell(0).ch, 0xE6); // "W" overwrote the attribute at 0: no wrap search
}

#[test]
fn format_controls_are_stored_and_shown_like_s3270() {
    let mut s = screen();
    // EW; "A"; NUL DUP FM SUB EO FF CR NL EM; "B"
    apply(
        &mut s,
        &[
            0xF5, 0x00, 0xC1, 0x00, 0x1C, 0x1E, 0x3F, 0xFF, 0x0C, 0x0D, 0x15, 0x19, 0xC2,
        ],
    );
    assert_eq!(s.cell(2).ch, fc::DUP);
    assert_eq!(row(&s, 0), "A *;■●    B");
}

#[test]
fn unknown_orders_are_skipped_and_counted() {
    let mut s = screen();
    let out = apply(&mut s, &[0xF5, 0x00, 0xC1, 0x01, 0x2B, 0xC2]);
    assert_eq!(row(&s, 0), "AB");
    assert_eq!(out.ignored_orders, 2);
}

// ---------------------------------------------------------------- the oracle

/// The same record sent to s3270 4.1 (`-model 3279-2-E`) by a Python mock host; its
/// `Ascii()` printed these rows and `Query(Cursor)` said "0 10", keyboard unlocked.
#[test]
fn login_screen_matches_s3270_ascii() {
    let rec = record(&[
        &[0xF5, 0xC3], // EW, reset|restore|reset MDT
        &sba(0, 0),
        &[0x1D, 0x60],
        &ebc("USER"), // SF prot "USER"
        &[0x1D, 0x40],
        &ebc("ALICE"),
        &[0x05], // SF unprot "ALICE" PT (nulls, to 0)
        &sba(0, 20),
        &[0x1D, 0x60],
        &ebc("PASS"), // SF prot "PASS"
        &[0x1D, 0x4C],
        &ebc("SECRET"), // SF non-display "SECRET"
        &sba(0, 40),
        &[0x1D, 0x60], // SF prot
        &sba(2, 0),
        &[0x3C],
        &addr12(2, 10),
        &ebc("-"), // RA to (2,10) '-'
        &sba(23, 75),
        &[0x3C],
        &addr12(0, 2),
        &ebc("="), // RA wraps to (0,2) '='
        &sba(0, 10),
        &[0x13], // IC
    ]);
    let mut s = screen();
    apply(&mut s, &rec);
    let s3270 = [
        "==SER ALICE          PASS                                                       ",
        "                                                                                ",
        "----------                                                                      ",
    ];
    let text = s.to_text(&CP037);
    let rows: Vec<&str> = text.split('\n').collect();
    assert_eq!(&rows[..3], &s3270);
    assert_eq!(rows[23], format!("{}=====", " ".repeat(75)));
    assert_eq!(s.cursor(), 10);
    assert_eq!(s.lock(), None);
}

// ---------------------------------------------------------------- malformed input

#[test]
fn empty_and_unknown_records_are_rejected_untouched() {
    let mut s = screen();
    assert_eq!(
        process(&mut s, &[], &ctx()),
        Err(DataStreamError::EmptyRecord)
    );
    assert_eq!(
        process(&mut s, &[0x42, 0x00], &ctx()),
        Err(DataStreamError::UnknownCommand(0x42))
    );
    assert_eq!(s.lock(), Some(LockReason::AwaitingFirst));
}

#[test]
fn erase_write_without_wcc_erases_then_fails() {
    let mut s = screen();
    apply(&mut s, &record(&[&[0xF5, 0x00], &ebc("OLD")]));
    assert_eq!(
        process(&mut s, &[0xF5], &ctx()),
        Err(DataStreamError::MissingWcc)
    );
    assert_eq!(row(&s, 0), "");
}

#[test]
fn truncated_orders_stop_the_write_but_keep_its_effects() {
    for (tail, order) in [
        (&[0x1D][..], 0x1D),                         // SF without attribute
        (&[0x11, 0x40][..], 0x11),                   // SBA with one address byte
        (&[0x3C, 0x40, 0x41][..], 0x3C),             // RA without character
        (&[0x3C, 0x40, 0x41, 0x08][..], 0x3C),       // RA GE without character
        (&[0x12, 0x40][..], 0x12),                   // EUA with one address byte
        (&[0x08][..], 0x08),                         // GE without character
        (&[0x28, 0x42][..], 0x28),                   // SA without value
        (&[0x29, 0x02, 0xC0, 0x20, 0x42][..], 0x29), // SFE short of its pairs
        (&[0x2C][..], 0x2C),                         // MF without count
    ] {
        let mut s = screen();
        // EW, restore|alarm; "AB"; IC; then the truncated order at offset 5.
        let rec = record(&[&[0xF5, 0x06], &ebc("AB"), &[0x13], tail]);
        let err = process(&mut s, &rec, &ctx()).unwrap_err();
        assert_eq!(
            err,
            DataStreamError::Truncated { order, offset: 5 },
            "{tail:02x?}"
        );
        assert_eq!(row(&s, 0), "AB");
        assert_eq!(s.cursor(), 2, "IC still applied");
        assert_eq!(s.lock(), None, "restore still applied");
        assert!(s.alarm());
    }
}

#[test]
fn addresses_past_the_buffer_stop_the_write() {
    // 0x7F 0x7F is 4095 in 12-bit, past 1920.
    for order in [0x11u8, 0x12, 0x3C] {
        let mut s = screen();
        let rec = record(&[
            &[0xF5, 0x02],
            &ebc("OK"),
            &[order, 0x7F, 0x7F, 0xC1],
            &ebc("NO"),
        ]);
        assert_eq!(
            process(&mut s, &rec, &ctx()),
            Err(DataStreamError::AddressOutOfRange {
                order,
                addr: 4095,
                offset: 4
            })
        );
        assert_eq!(row(&s, 0), "OK");
        assert_eq!(s.lock(), None);
    }
}

proptest! {
    #[test]
    fn any_record_never_panics_and_stays_in_bounds(
        rec in proptest::collection::vec(any::<u8>(), 0..600),
        big in any::<bool>(),
    ) {
        let mut ctx = ctx();
        if big {
            ctx = ctx.with_alternate_size(ScreenSize { rows: 62, cols: 160 });
        }
        let mut s = ctx.new_screen();
        let _ = process(&mut s, &rec, &ctx);
        prop_assert!(s.cursor() < s.len());
        prop_assert_eq!(s.cells().len(), s.rows() * s.cols());
        let text = s.to_text(&CP037);
        prop_assert_eq!(text.split('\n').count(), s.rows());
        // A second record on top of whatever the first left.
        let _ = process(&mut s, &[&[0xF1u8, 0x02][..], &rec].concat(), &ctx);
        prop_assert!(s.cursor() < s.len());
    }

    #[test]
    fn any_orders_after_a_write_command_never_panic(
        orders in proptest::collection::vec(prop_oneof![
            Just(0x05u8), Just(0x08), Just(0x11), Just(0x12), Just(0x13), Just(0x1D),
            Just(0x28), Just(0x29), Just(0x2C), Just(0x3C), Just(0x40), Just(0xC1), Just(0x00),
            any::<u8>()
        ], 0..300),
    ) {
        let mut s = screen();
        let _ = process(&mut s, &[&[0xF5u8, 0xC3][..], &orders].concat(), &ctx());
        prop_assert!(s.cursor() < s.len());
    }
}

#[test]
fn two_program_tabs_after_data_continue_from_address_zero() {
    // s3270 4.1 shows " WAAA" / " BBBB" / "CC" for this pair of records.
    let mut s = screen();
    let rec = record(&[
        &[0xF5, 0x00],
        &[0x1D, 0x40],
        &ebc("AAAA"), // unprotected at 0
        &sba(10, 0),
        &[0x1D, 0x60],
        &ebc("BBBB"), // protected at (10,0)
        &sba(12, 0),
        &ebc("CC"),    // data, then
        &[0x05, 0x05], // PT (nulls to the end, lands on 0), PT (+1)
        &ebc("W"),
    ]);
    apply(&mut s, &rec);
    assert_eq!(row(&s, 0), " WAAA");
    assert_eq!(row(&s, 10), " BBBB");
    assert_eq!(row(&s, 12), "CC");
}

/// s3270 4.1 `Ascii()` for the same record (first four rows). Row 4 differs on purpose:
/// s3270 4.1 ignores the field's character set (see `screen::text`).
#[test]
fn text_matches_s3270_for_controls_ge_sa_and_nondisplay() {
    let rec = record(&[
        &[0xF5, 0xC3],
        &sba(0, 0),
        &ebc("ABC"),
        &[0x00],
        &ebc("D"),                                         // "ABC" NUL "D"
        &[0x1C, 0x1E, 0x3F, 0xFF, 0x0C, 0x0D, 0x15, 0x19], // DUP FM SUB EO FF CR NL EM
        &[0x41, 0x25, 0x0E, 0x0F],
        &ebc("E"),
        &[0x01],
        &ebc("F"), // nbsp LF SO SI "E" ?? "F"
        &sba(1, 0),
        &[0x1D, 0x4C],
        &ebc("SECRET"),
        &[0x1D, 0x60],
        &ebc("X"), // non-display
        &sba(2, 0),
        &[0x08, 0xAD, 0x08, 0xC5, 0x08, 0x85, 0x08, 0x41, 0x08, 0xA2], // GE x5
        &sba(3, 0),
        &[0x28, 0x43, 0xF1],
        &ebc("ABC"),
        &[0x28, 0x00, 0x00],
        &ebc("D"), // SA APL
        &sba(4, 0),
        &[0x29, 0x02, 0xC0, 0x20, 0x43, 0xF1],
        &ebc("ABC"),
        &[0x1D, 0x20],
        &ebc("D"),
    ]);
    let mut s = screen();
    apply(&mut s, &rec);
    assert_eq!(row(&s, 0), "ABC D*;■●    \u{A0}   EF");
    assert_eq!(row(&s, 1), "        X");
    assert_eq!(row(&s, 2), "[┌│ ─");
    assert_eq!(row(&s, 3), "⁼+∎D");
    assert_eq!(row(&s, 4), " ⁼+∎ D"); // s3270 4.1: " ABC D"
}

#[test]
fn field_infos_describe_each_field_for_json() {
    let mut s = screen();
    let rec = record(&[
        &[0xF5, 0x00],
        &[0x1D, 0x28], // SF protected, intensified
        &ebc("TITLE"),
        &sba(1, 9),
        &[0x29, 0x03, 0xC0, 0x51, 0x42, 0xF4, 0x41, 0xF2], // SFE numeric+MDT, green, reverse
        &sba(1, 15),
        &[0x1D, 0x2C], // SF protected, non-display
    ]);
    apply(&mut s, &rec);
    let infos = s.field_infos();
    assert_eq!(infos.len(), 3);
    assert_eq!((infos[0].row, infos[0].col, infos[0].len), (0, 1, 88));
    assert!(infos[0].protected && infos[0].intensified && infos[0].display);
    let input = infos[1];
    assert_eq!((input.row, input.col, input.len), (1, 10, 5));
    assert!(!input.protected && input.numeric && input.mdt);
    assert_eq!(
        (input.fg, input.bg, input.highlight),
        (color::GREEN, 0, highlight::REVERSE)
    );
    assert!(!infos[2].display);
    // The last field wraps around to the first attribute.
    assert_eq!(infos[2].len, 1920 - 96);
}

/// s3270 4.1 shows "     JWORLD" and "YBX" (row 3 gone) for these two unformatted cases.
#[test]
fn unformatted_screens_are_one_unprotected_field_for_eua_and_pt() {
    let mut s = screen();
    apply(&mut s, &record(&[&[0xF5, 0x00], &ebc("HELLO WORLD")]));
    let to = addr12(0, 5);
    // W; SBA (1,1); EUA to (1,6); "J".
    apply(
        &mut s,
        &record(&[&[0xF1, 0x00], &sba(0, 0), &[0x12, to[0], to[1]], &ebc("J")]),
    );
    assert_eq!(row(&s, 0), "     JWORLD");

    let mut s = screen();
    apply(
        &mut s,
        &record(&[&[0xF5, 0x00], &ebc("ABCDEF"), &sba(3, 0), &ebc("ROW3")]),
    );
    // W; SBA (1,3); "X"; PT nulls to the end of the buffer and lands on 0; "Y".
    apply(
        &mut s,
        &record(&[&[0xF1, 0x00], &sba(0, 2), &ebc("X"), &[0x05], &ebc("Y")]),
    );
    assert_eq!(row(&s, 0), "YBX");
    assert_eq!(row(&s, 3), "");
}

// ------------------------------------------------- the text fast path (benchmarked hot path)

#[test]
fn text_wraps_from_the_last_cell_to_the_first() {
    let mut s = screen();
    apply(&mut s, &[0xF5, 0x00]); // EW: all nulls
    let rec = record(&[
        &[0xF1, 0x00],      // W, WCC none
        &sba(23, 75),       // SBA (24,76)
        &ebc("ABCDEFGHIJ"), // five at the end of the last row, five from address 0
        &[0x1D, 0x60],      // SF protected at address 5
        &ebc("K"),          // and on
    ]);
    apply(&mut s, &rec);
    assert_eq!(row(&s, 23), format!("{}ABCDE", " ".repeat(75)));
    assert_eq!(row(&s, 0), "FGHIJ K");
    assert!(s.cell(5).fa.is_some_and(|fa| fa.is_protected()));
}

#[test]
fn an_eo_inside_text_is_a_format_control_so_program_tab_does_not_null() {
    // EO (X'FF') lies above X'40' but is not a graphic: like any format control it leaves
    // "last was an order" set, so the PT after it only moves (x3270's rule, kept here).
    let mut s = screen();
    let rec = record(&[
        &[0xF5, 0x00],
        &[0x1D, 0x40], // SF unprotected at 0
        &ebc("XXXXXXXX"),
        &sba(0, 1),
        &ebc("AB"),
        &[0xFF, 0x05], // EO, PT
    ]);
    apply(&mut s, &rec);
    assert_eq!(s.cell(3).ch, fc::EO);
    assert_eq!(row(&s, 0), " AB●XXXXX");
    // The same without EO: PT after data nulls the rest of the field.
    let mut s = screen();
    let rec = record(&[
        &[0xF5, 0x00],
        &[0x1D, 0x40],
        &ebc("XXXXXXXX"),
        &sba(0, 1),
        &ebc("AB"),
        &[0x05],
    ]);
    apply(&mut s, &rec);
    assert_eq!(row(&s, 0), " AB");
}

proptest! {
    /// The run-at-a-time text path stores exactly what one character at a time would:
    /// from any address, any length (past the end of the buffer, even several times).
    #[test]
    fn text_runs_store_like_one_character_at_a_time(
        start in 0usize..1920,
        text in proptest::collection::vec(0x40u8..=0xFF, 0..4200),
    ) {
        let mut s = screen();
        apply(&mut s, &[0xF5, 0x00]);
        let a = encode(start, AddressEncoding::Twelve).unwrap();
        apply(&mut s, &[&[0xF1, 0x00, order::SBA, a[0], a[1]][..], &text].concat());
        let mut model = vec![0u8; 1920];
        let mut addr = start;
        for &b in &text {
            model[addr] = b;
            addr = (addr + 1) % 1920;
        }
        let stored: Vec<u8> = s.cells().iter().map(|c| c.ch).collect();
        prop_assert_eq!(stored, model);
        prop_assert!(s.cells().iter().all(|c| c.fa.is_none()));
    }

    /// The block-wise store writes each character with the attributes, and only as many
    /// cells as both slices have, whatever their lengths.
    #[test]
    fn store_text_writes_each_character_once(
        cells_len in 0usize..40,
        text in proptest::collection::vec(0x40u8..0xFF, 0..40),
        coloured in any::<bool>(),
    ) {
        let old = Cell { ch: 0x5C, fa: Some(FieldAttribute(FA_PROTECTED)), ext: ExtendedAttributes::DEFAULT };
        let mut cells = vec![old; cells_len];
        let mut ext = ExtendedAttributes::DEFAULT;
        if coloured {
            ext.fg = color::RED;
        }
        write::store_text(&mut cells, &text, ext);
        let n = cells_len.min(text.len());
        for (i, cell) in cells.iter().enumerate() {
            let expected = if i < n { Cell { ch: text[i], fa: None, ext } } else { old };
            prop_assert_eq!(*cell, expected);
        }
    }

    /// The eight-bytes-at-a-time scan finds the same end of a text run as a plain search.
    #[test]
    fn graphic_run_matches_a_byte_by_byte_search(
        bytes in proptest::collection::vec(prop_oneof![
            0x40u8..=0xFE, Just(0xFF), 0x00u8..0x40
        ], 0..40),
    ) {
        let naive = bytes
            .iter()
            .position(|&b| b < order::FIRST_GRAPHIC || b == fc::EO)
            .unwrap_or(bytes.len());
        prop_assert_eq!(write::graphic_run(&bytes), naive);
    }
}
