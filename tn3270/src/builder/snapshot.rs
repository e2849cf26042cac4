//! Re-creating a screen as one outbound record: what a bridge sends a terminal that attaches
//! (or re-attaches) to a session whose screen it only knows from its mirror.
//!
//! [`screen_record`] writes Erase/Write (or Erase/Write Alternate when the alternate size is in
//! force) with every cell: SF or SFE for each field attribute (with its MDT and extended
//! attributes), SA orders where a character's attributes differ from the previous one's, GE
//! for APL characters, RA for runs of identical cells, and IC at the cursor. Applying the
//! record to a fresh screen of the same sizes with [`crate::datastream::process`] gives back
//! the same cells, fields and cursor (tested below by property).
//!
//! Not carried (the caller sends them another way if it needs them): the keyboard lock
//! (the WCC restores the keyboard only when `screen` is unlocked; a fresh terminal unlocks on
//! its first write anyway), a pending alarm, the reply mode, the last AID. A cell holding a
//! control byte (an order code or a format control, which only RA or the controls themselves
//! put there) is written with RA, which stores any byte as data — except X'08' in the base
//! set, which RA would read as GE; no write can create such a cell, and it is sent as a null.

use super::codes::{command, order, wcc};
use super::CommandCodes;
use crate::address::{self, AddressingMode};
use crate::datastream::lcid;
use crate::screen::attributes::xa;
use crate::screen::{Cell, ExtendedAttributes, Screen};

/// Runs of at least this many identical cells are written with RA.
const RA_MIN_RUN: usize = 4;

/// Bytes below this are orders or controls in a write, not graphics.
const FIRST_GRAPHIC: u8 = 0x40;

/// One record that redraws `screen` exactly on a terminal with the same sizes. `mode` is the
/// addressing in force (16-bit only when the session selected it).
pub fn screen_record(screen: &Screen, codes: CommandCodes, mode: AddressingMode) -> Vec<u8> {
    let n = screen.len();
    let alternate = screen.size() != screen.default_size();
    let mut out = Vec::with_capacity(n + n / 4 + 16);
    out.push(match (alternate, codes) {
        (false, CommandCodes::Ccw) => command::EW,
        (false, CommandCodes::Sna) => command::SNA_EW,
        (true, CommandCodes::Ccw) => command::EWA,
        (true, CommandCodes::Sna) => command::SNA_EWA,
    });
    let restore = if screen.is_locked() {
        0
    } else {
        wcc::KEYBOARD_RESTORE
    };
    out.push(crate::address::ADDRESS_CODE_TABLE[usize::from(restore & 0x3F)]);
    let encoding = match mode {
        AddressingMode::Sixteen => address::AddressEncoding::Sixteen,
        AddressingMode::TwelveFourteen if n <= address::MAX_12BIT_CELLS => {
            address::AddressEncoding::Twelve
        }
        AddressingMode::TwelveFourteen => address::AddressEncoding::Fourteen,
    };
    let push_addr = |out: &mut Vec<u8>, addr: usize| {
        // `addr` < n, and n fits the encoding chosen for this buffer size.
        if let Some(b) = address::encode(addr % n, encoding) {
            out.extend_from_slice(&b);
        }
    };
    let cells = screen.cells();
    let mut sa = ExtendedAttributes::DEFAULT;
    let mut at = 0;
    while at < n {
        let cell = cells[at];
        if let Some(fa) = cell.fa {
            if cell.ext.is_default() {
                out.extend_from_slice(&[order::SF, fa.to_byte()]);
            } else {
                let pairs = field_pairs(&cell.ext);
                out.push(order::SFE);
                out.push(1 + pairs.len() as u8);
                out.extend_from_slice(&[xa::FIELD_ATTRIBUTE, fa.to_byte()]);
                for (t, v) in pairs {
                    out.extend_from_slice(&[t, v]);
                }
            }
            at += 1;
            continue;
        }
        let wanted = ExtendedAttributes {
            charset: lcid::BASE,
            validation: 0,
            outlining: 0,
            ..cell.ext
        };
        if wanted != sa {
            set_attributes(&mut out, sa, wanted);
            sa = wanted;
        }
        let apl = cell.ext.charset == lcid::APL;
        let run = cells[at..].iter().take_while(|c| **c == cell).count();
        // Control bytes other than NUL (orders, format controls, bytes the data stream would
        // skip) are stored as data only by RA, so they are written with RA.
        let control = !apl && cell.ch != 0 && cell.ch < FIRST_GRAPHIC;
        // RA reads X'08' as GE, so a base-set X'08' (which no write can create) becomes a null.
        let cell = if control && cell.ch == order::GE {
            Cell { ch: 0, ..cell }
        } else {
            cell
        };
        if run >= RA_MIN_RUN || control {
            out.push(order::RA);
            push_addr(&mut out, at + run);
            if apl {
                out.push(order::GE);
            }
            out.push(cell.ch);
            at += run;
        } else {
            if apl {
                out.push(order::GE);
            }
            out.push(cell.ch);
            at += 1;
        }
    }
    out.push(order::SBA);
    push_addr(&mut out, screen.cursor());
    out.push(order::IC);
    out
}

/// The SFE pairs of a field's extended attributes, defaults left out.
fn field_pairs(ext: &ExtendedAttributes) -> Vec<(u8, u8)> {
    [
        (xa::HIGHLIGHTING, ext.highlight),
        (xa::FOREGROUND, ext.fg),
        (xa::CHARSET, ext.charset),
        (xa::BACKGROUND, ext.bg),
        (xa::TRANSPARENCY, ext.transparency),
        (xa::VALIDATION, ext.validation),
        (xa::OUTLINING, ext.outlining),
    ]
    .into_iter()
    .filter(|&(_, v)| v != 0)
    .collect()
}

/// SA orders that turn the character attributes `from` into `to`.
fn set_attributes(out: &mut Vec<u8>, from: ExtendedAttributes, to: ExtendedAttributes) {
    if to.is_default() {
        out.extend_from_slice(&[order::SA, xa::ALL, 0x00]);
        return;
    }
    for (t, a, b) in [
        (xa::HIGHLIGHTING, from.highlight, to.highlight),
        (xa::FOREGROUND, from.fg, to.fg),
        (xa::BACKGROUND, from.bg, to.bg),
        (xa::TRANSPARENCY, from.transparency, to.transparency),
    ] {
        if a != b {
            out.extend_from_slice(&[order::SA, t, b]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codepage::CP037;
    use crate::datastream::{process, Capabilities};
    use crate::screen::attributes::{color, highlight, FieldAttribute};
    use crate::screen::ScreenSize;
    use proptest::prelude::*;

    fn caps(alternate: ScreenSize) -> Capabilities {
        Capabilities::for_model(2, true, true, &CP037).with_alternate_size(alternate)
    }

    fn round_trip(screen: &Screen, alternate: ScreenSize) -> Screen {
        let record = screen_record(screen, CommandCodes::Ccw, AddressingMode::TwelveFourteen);
        let ctx = caps(alternate);
        let mut fresh = ctx.new_screen();
        fresh.set_lock(None);
        process(&mut fresh, &record, &ctx).unwrap();
        fresh
    }

    #[test]
    fn a_coloured_form_is_redrawn_exactly() {
        let ctx = caps(ScreenSize::MODEL_2);
        let mut s = ctx.new_screen();
        s.set_lock(None);
        let record = crate::builder::ScreenBuilder::erase_write(
            crate::builder::Wcc::NONE.restore_keyboard(),
            ScreenSize::MODEL_2,
        )
        .at(0, 1)
        .field_ext(
            FieldAttribute(0x20),
            &[
                (xa::FOREGROUND, color::TURQUOISE),
                (xa::HIGHLIGHTING, highlight::REVERSE),
            ],
        )
        .text("USERID", &CP037)
        .field(FieldAttribute(0))
        .set_attr(xa::FOREGROUND, color::YELLOW)
        .text("ALICE", &CP037)
        .insert_cursor()
        .at(23, 79)
        .ge(0xAD)
        .build();
        process(&mut s, &record, &ctx).unwrap();
        s.set_mdt(9, true);
        let again = round_trip(&s, ScreenSize::MODEL_2);
        assert_eq!(again.cells(), s.cells());
        assert_eq!(again.cursor(), s.cursor());
        assert_eq!(again.size(), s.size());
        assert_eq!(again.lock(), None);
    }

    fn arb_ext(field: bool) -> impl Strategy<Value = ExtendedAttributes> {
        let colour = prop_oneof![Just(0u8), 0xF0u8..=0xFF];
        let hl = prop_oneof![
            Just(0u8),
            Just(highlight::NORMAL),
            Just(highlight::BLINK),
            Just(highlight::REVERSE),
            Just(highlight::UNDERSCORE),
            Just(highlight::INTENSIFY)
        ];
        (
            colour.clone(),
            colour,
            hl,
            prop_oneof![Just(0u8), Just(lcid::APL)],
            prop_oneof![Just(0u8), Just(0xF0u8), Just(0xF1), Just(0xFF)],
            0u8..8,
            0u8..16,
        )
            .prop_map(move |(fg, bg, highlight, charset, transparency, v, o)| {
                ExtendedAttributes {
                    fg,
                    bg,
                    highlight,
                    charset,
                    transparency,
                    validation: if field { v } else { 0 },
                    outlining: if field { o } else { 0 },
                }
            })
    }

    fn arb_cell() -> impl Strategy<Value = Cell> {
        prop_oneof![
            1 => (0u8..0x40, arb_ext(true)).prop_map(|(fa, ext)| Cell {
                ch: 0,
                fa: Some(FieldAttribute::from_byte(fa)),
                ext,
            }),
            // Any byte but a base-set X'08', which no write can store (RA reads it as GE).
            6 => (prop_oneof![Just(0u8), 0x40u8..=0xFE, 0u8..0x40], arb_ext(false))
                .prop_filter("base X'08'", |(ch, ext)| *ch != 0x08 || ext.charset == lcid::APL)
                .prop_map(|(ch, ext)| Cell { ch, fa: None, ext }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn any_screen_round_trips(
            cells in proptest::collection::vec(arb_cell(), 3564),
            cursor in 0usize..3564,
            alternate in any::<bool>(),
            locked in any::<bool>(),
        ) {
            let ctx = caps(ScreenSize::MODEL_5);
            let mut s = ctx.new_screen();
            s.erase(alternate);
            let n = s.len();
            for (dst, src) in s.cells_mut().iter_mut().zip(&cells[..n]) {
                *dst = *src;
            }
            s.set_cursor(cursor % n);
            s.set_lock(if locked { Some(crate::screen::LockReason::SystemWait) } else { None });
            let again = round_trip(&s, ScreenSize::MODEL_5);
            prop_assert_eq!(again.size(), s.size());
            prop_assert_eq!(again.cursor(), s.cursor());
            for a in 0..n {
                prop_assert_eq!(again.cell(a), s.cell(a), "cell {}", a);
            }
        }
    }
}
