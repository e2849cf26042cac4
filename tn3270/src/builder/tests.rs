//! Builder scenarios: known screens in hex, a form round trip through a tiny local apply,
//! the keyboard and the inbound parser.

use super::form::Form;
use super::reply::{InboundError, InboundField, InboundRecord};
use super::*;
use crate::aid::Aid;
use crate::codepage::CP037;
use crate::input::{Key, KeyOutcome, Keyboard};
use crate::screen::attributes::{color, highlight, FA_NUMERIC, FA_PROTECTED};
use crate::screen::{CharacterReplyAttributes, Screen};
use proptest::prelude::*;

#[test]
fn screen_a_of_the_oracle_runs_is_built_byte_for_byte() {
    // The screen the s3270 oracle runs used, written by hand there.
    let rec = ScreenBuilder::with_codes(
        Command::EraseWrite,
        Wcc::NONE.reset().restore_keyboard().reset_mdt(),
        ScreenSize::MODEL_2,
        CommandCodes::Sna,
    )
    .at(0, 0)
    .field(FieldAttribute(FA_PROTECTED))
    .text("NAME", &CP037)
    .field(FieldAttribute(0))
    .at_addr(11)
    .field(FieldAttribute(FA_PROTECTED))
    .at_addr(20)
    .field(FieldAttribute(FA_NUMERIC))
    .at_addr(26)
    .field(FieldAttribute(FA_PROTECTED | FA_NUMERIC))
    .at_addr(40)
    .field(FieldAttribute(0))
    .at_addr(50)
    .field(FieldAttribute(FA_PROTECTED))
    .at_addr(6)
    .insert_cursor()
    .build();
    assert_eq!(
        rec,
        [
            0xF5, 0xC3, // EW (SNA), WCC reset + restore keyboard + reset MDT
            0x11, 0x40, 0x40, // SBA 0
            0x1D, 0x60, // SF protected
            0xD5, 0xC1, 0xD4, 0xC5, // "NAME"
            0x1D, 0x40, // SF unprotected
            0x11, 0x40, 0x4B, 0x1D, 0x60, // SBA 11, SF protected
            0x11, 0x40, 0xD4, 0x1D, 0x50, // SBA 20, SF numeric
            0x11, 0x40, 0x5A, 0x1D, 0xF0, // SBA 26, SF autoskip
            0x11, 0x40, 0xE8, 0x1D, 0x40, // SBA 40, SF unprotected
            0x11, 0x40, 0xF2, 0x1D, 0x60, // SBA 50, SF protected
            0x11, 0x40, 0xC6, 0x13, // SBA 6, IC
        ]
    );
}

#[test]
fn every_order_has_its_code() {
    let rec = ScreenBuilder::write(Wcc::NONE.alarm(), ScreenSize::MODEL_2)
        .at(1, 0)
        .field_ext(
            FieldAttribute(0),
            &[
                (xa::FOREGROUND, color::RED),
                (xa::HIGHLIGHTING, highlight::BLINK),
            ],
        )
        .set_attr(xa::FOREGROUND, color::BLUE)
        .text("A", &CP037)
        .repeat_to(1, 10, '-', &CP037)
        .erase_to(2, 0)
        .program_tab()
        .ge(0xAD)
        .modify_field(&[(xa::FOREGROUND, color::GREEN)])
        .build();
    assert_eq!(
        rec,
        [
            0x01, 0x04, // Write (CCW), WCC alarm (no reset: bare bits)
            0x11, 0xC1, 0x50, // SBA 80
            0x29, 0x03, 0xC0, 0x40, 0x42, 0xF2, 0x41, 0xF1, // SFE 3 pairs
            0x28, 0x42, 0xF1, // SA fg blue
            0xC1, // "A"
            0x3C, 0xC1, 0x5A, 0x60, // RA to 90, "-"
            0x12, 0xC2, 0x60, // EUA to 160
            0x05, // PT
            0x08, 0xAD, // GE
            0x2C, 0x01, 0x42, 0xF4, // MF fg green
        ]
    );
}

#[test]
fn text_substitutes_unencodable_characters_and_order_codes() {
    let rec = ScreenBuilder::write(Wcc::NONE, ScreenSize::MODEL_2)
        .text("a\u{4E2D}\u{1D}\u{11}b", &CP037)
        .build();
    assert_eq!(rec[2..], [0x81, SUBSTITUTE, SUBSTITUTE, SUBSTITUTE, 0x82]);
}

#[test]
fn addresses_follow_the_screen_size() {
    let big = ScreenSize {
        rows: 62,
        cols: 160,
    };
    let rec = ScreenBuilder::erase_write_alternate(Wcc::NONE, big)
        .at(60, 0)
        .build();
    // 9600 = 0x2580: 14-bit binary.
    assert_eq!(rec, [0x0D, 0x00, 0x11, 0x25, 0x80]);
    let rec = ScreenBuilder::write(Wcc::NONE, ScreenSize::MODEL_2)
        .sixteen_bit()
        .at(23, 79)
        .build();
    assert_eq!(rec, [0x01, 0x00, 0x11, 0x07, 0x7F]);
}

#[test]
fn read_commands_and_eau() {
    assert_eq!(ReadCommand::Buffer.code(CommandCodes::Sna), 0xF2);
    assert_eq!(ReadCommand::Modified.code(CommandCodes::Ccw), 0x06);
    assert_eq!(ReadCommand::ModifiedAll.code(CommandCodes::Sna), 0x6E);
    assert_eq!(erase_all_unprotected(CommandCodes::Ccw), [0x0F]);
    assert_eq!(erase_all_unprotected(CommandCodes::Sna), [0x6F]);
}

#[test]
fn structured_fields() {
    assert_eq!(
        Wsf::new(CommandCodes::Ccw).read_partition_query().build(),
        [
            0x11, // WSF
            0x00, 0x05, 0x01, 0xFF, 0x02, // Read Partition, no partition, Query
        ]
    );
    assert_eq!(
        Wsf::new(CommandCodes::Sna)
            .read_partition_query_list(codes::sfid::QL_LIST, &[0x81, 0x86])
            .build(),
        [0xF3, 0x00, 0x08, 0x01, 0xFF, 0x03, 0x00, 0x81, 0x86]
    );
    // The Set Reply Mode the s3270 oracle run used: character mode, fg and highlighting.
    assert_eq!(
        Wsf::new(CommandCodes::Sna)
            .set_reply_mode(ReplyMode::Character(CharacterReplyAttributes {
                fg: true,
                highlight: true,
                ..Default::default()
            }))
            .build(),
        [0xF3, 0x00, 0x07, 0x09, 0x00, 0x02, 0x41, 0x42]
    );
    assert_eq!(
        Wsf::new(CommandCodes::Ccw)
            .set_reply_mode(ReplyMode::ExtendedField)
            .erase_reset(true)
            .build(),
        [
            0x11, // WSF
            0x00, 0x05, 0x09, 0x00, 0x01, // Set Reply Mode: extended field
            0x00, 0x04, 0x03, 0x80, // Erase/Reset: alternate
        ]
    );
}

/// A deliberately tiny apply for tests: EW/W, WCC restore, SBA, SF, SFE, IC and data. The
/// real one is `datastream`'s.
fn apply(screen: &mut Screen, rec: &[u8]) {
    let mut i = 0;
    if matches!(rec[0], 0x05 | 0xF5) {
        screen.erase(false);
    }
    let wcc = rec[1];
    i += 2;
    let mut addr = 0;
    while i < rec.len() {
        match rec[i] {
            order::SBA => {
                addr = crate::address::decode([rec[i + 1], rec[i + 2]], AddressingMode::default());
                i += 3;
            }
            order::SF => {
                screen.cell_mut(addr).fa = Some(FieldAttribute::from_byte(rec[i + 1]));
                addr += 1;
                i += 2;
            }
            order::SFE => {
                let n = usize::from(rec[i + 1]);
                let mut cell = crate::screen::Cell::NULL;
                for p in 0..n {
                    let (t, v) = (rec[i + 2 + 2 * p], rec[i + 3 + 2 * p]);
                    if t == xa::FIELD_ATTRIBUTE {
                        cell.fa = Some(FieldAttribute::from_byte(v));
                    } else {
                        cell.ext.set(t, v);
                    }
                }
                *screen.cell_mut(addr) = cell;
                addr += 1;
                i += 2 + 2 * n;
            }
            order::IC => {
                screen.set_cursor(addr);
                i += 1;
            }
            b => {
                screen.cell_mut(addr).ch = b;
                addr += 1;
                i += 1;
            }
        }
    }
    if wcc & codes::wcc::KEYBOARD_RESTORE != 0 {
        screen.set_lock(None);
    }
}

#[test]
fn a_form_round_trips_through_the_terminal() {
    let mut form = Form::new(ScreenSize::MODEL_2);
    form.label(0, 0, "User:").bright();
    form.input("user", 0, 10, 8).color(color::GREEN);
    form.label(1, 0, "Password:");
    form.input("password", 1, 10, 8).hidden();
    form.label(2, 0, "Count:");
    form.input("count", 2, 10, 3).numeric().initial("1");
    let rec = form.render(Wcc::NONE.reset().restore_keyboard().reset_mdt(), &CP037);
    assert_eq!(
        rec[..22],
        [
            0x05, 0xC3, // EW, WCC
            0x11, 0x40, 0x40, 0x1D, 0xE8, // SBA 0, SF protected intensified
            0xE4, 0xA2, 0x85, 0x99, 0x7A, // "User:"
            0x11, 0x40, 0x4A, // SBA 10
            0x29, 0x02, 0xC0, 0x40, 0x42, 0xF4, // SFE unprotected, fg green
            0x11, // SBA 19 (end of the input)
        ]
    );
    assert_eq!(rec[rec.len() - 4..], [0x11, 0x40, 0x4B, 0x13]); // cursor on the first input

    let mut screen = Screen::for_model(2);
    apply(&mut screen, &rec);
    assert_eq!(screen.cursor(), 11);
    let mut kb = Keyboard::new();
    let mut out = Vec::new();
    for k in "alice".chars().map(Key::Char).chain([Key::Tab]) {
        kb.key(&mut screen, k, &CP037, &mut out);
    }
    for k in "s3cr3t".chars().map(Key::Char).chain([Key::Tab, Key::Dup]) {
        kb.key(&mut screen, k, &CP037, &mut out);
    }
    assert_eq!(
        kb.key(&mut screen, Key::Pf(5), &CP037, &mut out),
        KeyOutcome::Sent(Aid::Pf(5))
    );
    let reply = form.read(&out, &CP037).unwrap();
    assert_eq!(reply.aid, Aid::Pf(5));
    assert_eq!(reply.value("user"), Some("alice"));
    assert_eq!(reply.value("password"), Some("s3cr3t"));
    // DUP typed over the initial "1", then tab.
    assert_eq!(reply.value("count"), Some("*"));
    assert_eq!(reply.cursor, Some(11));
}

#[test]
fn parse_read_modified_short_read_and_test_request() {
    let rec = InboundRecord::parse(
        &[
            0x7D, 0x40, 0xC8, 0x11, 0x40, 0xC6, 0x81, 0x28, 0x42, 0xF2, 0x82, 0x08, 0xAD, 0x11,
            0x40, 0xE9,
        ],
        AddressingMode::TwelveFourteen,
    )
    .unwrap();
    assert_eq!(rec.aid, Aid::Enter);
    assert_eq!(rec.cursor, Some(8));
    assert_eq!(
        rec.fields,
        [
            InboundField {
                addr: Some(6),
                data: vec![0x81, 0x82, 0xAD]
            },
            InboundField {
                addr: Some(41),
                data: vec![]
            },
        ]
    );
    assert_eq!(rec.field(6).unwrap().text(&CP037), "ab\u{DD}");
    let short = InboundRecord::parse(&[0x6C], AddressingMode::TwelveFourteen).unwrap();
    assert_eq!(
        (short.aid, short.cursor, short.fields.len()),
        (Aid::Pa(1), None, 0)
    );
    let tr = InboundRecord::parse(
        &[0x01, 0x6C, 0x61, 0x02, 0x11, 0x40, 0xC6, 0x81],
        AddressingMode::TwelveFourteen,
    )
    .unwrap();
    assert_eq!((tr.aid, tr.cursor), (Aid::SysReq, None));
    assert_eq!(tr.fields[0].addr, Some(6));
    // Unformatted screens send data without SBA.
    let un = InboundRecord::parse(
        &[0x7D, 0x40, 0x45, 0x88, 0x89],
        AddressingMode::TwelveFourteen,
    )
    .unwrap();
    assert_eq!(
        un.fields,
        [InboundField {
            addr: None,
            data: vec![0x88, 0x89]
        }]
    );
}

#[test]
fn malformed_inbound_records_are_errors() {
    let m = AddressingMode::TwelveFourteen;
    assert_eq!(InboundRecord::parse(&[], m), Err(InboundError::Empty));
    assert_eq!(
        InboundRecord::parse(&[0x42], m),
        Err(InboundError::UnknownAid(0x42))
    );
    assert_eq!(
        InboundRecord::parse(&[0x7D, 0x40], m),
        Err(InboundError::Truncated)
    );
    assert_eq!(
        InboundRecord::parse(&[0x7D, 0x40, 0x40, 0x11, 0x40], m),
        Err(InboundError::Truncated)
    );
    assert_eq!(
        InboundRecord::parse(&[0x7D, 0x40, 0x40, 0x28, 0x42], m),
        Err(InboundError::Truncated)
    );
    assert_eq!(
        InboundRecord::parse(&[0x7D, 0x40, 0x40, 0x08], m),
        Err(InboundError::Truncated)
    );
}

proptest! {
    #[test]
    fn the_inbound_parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300), sixteen in any::<bool>()) {
        let mode = if sixteen { AddressingMode::Sixteen } else { AddressingMode::TwelveFourteen };
        if let Ok(rec) = InboundRecord::parse(&bytes, mode) {
            let data: usize = rec.fields.iter().map(|f| f.data.len()).sum();
            prop_assert!(data + rec.fields.len() <= bytes.len());
        }
    }

    #[test]
    fn read_modified_round_trips_through_the_parser(
        typed in prop::collection::vec(prop::sample::select(vec!['a', 'b', 'z', '1', ' ']), 0..20),
        tabs in prop::collection::vec(any::<bool>(), 20),
    ) {
        let mut form = Form::new(ScreenSize::MODEL_2);
        form.input("a", 3, 0, 6);
        form.input("b", 3, 20, 6);
        let rec = form.render(Wcc::NONE.restore_keyboard(), &CP037);
        let mut screen = Screen::for_model(2);
        apply(&mut screen, &rec);
        let mut kb = Keyboard::new();
        let mut out = Vec::new();
        for (c, tab) in typed.iter().zip(tabs) {
            kb.key(&mut screen, Key::Char(*c), &CP037, &mut out);
            if tab {
                kb.key(&mut screen, Key::Tab, &CP037, &mut out);
            }
        }
        out.clear();
        prop_assert_eq!(kb.key(&mut screen, Key::Enter, &CP037, &mut out), KeyOutcome::Sent(Aid::Enter));
        let reply = form.read(&out, &CP037).unwrap();
        for (name, start) in [("a", 241usize), ("b", 261)] {
            let on_screen: String = (start..start + 6)
                .map(|a| screen.cell(a).ch)
                .filter(|&b| b != 0)
                .map(|b| CP037.decode(b))
                .collect();
            let modified = screen.field_attribute(start).unwrap().is_modified();
            prop_assert_eq!(reply.value(name).map(str::to_owned), modified.then_some(on_screen));
        }
    }
}
