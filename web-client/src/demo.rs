//! A demo host session, so the page can show a 3270 screen without a bridge: the telnet
//! negotiation a plain TN3270 host drives (RFC 1091 TERMINAL-TYPE, RFC 885 EOR, RFC 856
//! BINARY) followed by one Erase/Write record built with `tn3270::builder`, framed with
//! IAC EOR (IACs in the record doubled, RFC 854).
//!
//! Owns: the demo screen's content (every base colour, the 16 extended colours, the
//! highlights, a non-display field, outlining, APL glyphs). Does not own: anything the real
//! client does (the bridge sends records in a later step).

use tn3270::builder::{ScreenBuilder, Wcc};
use tn3270::codepage::CodePage;
use tn3270::screen::attributes::{charset, color, highlight, outlining, xa};
use tn3270::screen::{FieldAttribute, ScreenSize};
use tn3270::telnet;

/// Telnet IAC.
const IAC: u8 = 0xff;
/// Telnet EOR command (RFC 885).
const EOR: u8 = 0xef;

/// What a plain TN3270 host sends first: DO TERMINAL-TYPE; SB TERMINAL-TYPE SEND SE;
/// DO EOR, WILL EOR, DO BINARY, WILL BINARY.
pub const NEGOTIATION: &[u8] = &[
    0xff, 0xfd, 0x18, // IAC DO TERMINAL-TYPE
    0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0, // IAC SB TERMINAL-TYPE SEND IAC SE
    0xff, 0xfd, 0x19, 0xff, 0xfb, 0x19, // IAC DO EOR, IAC WILL EOR
    0xff, 0xfd, 0x00, 0xff, 0xfb, 0x00, // IAC DO BINARY, IAC WILL BINARY
];

/// Field attribute bytes used by the demo (GA23-0059 §3.3.3 bits).
const UNPROT: FieldAttribute = FieldAttribute(0x00);
const UNPROT_HI: FieldAttribute = FieldAttribute(0x08);
const PROT: FieldAttribute = FieldAttribute(0x20);
const PROT_HI: FieldAttribute = FieldAttribute(0x28);
const NONDISPLAY: FieldAttribute = FieldAttribute(0x0c);

/// The demo Erase/Write record (no telnet framing) for a screen of `size`.
pub fn record(size: ScreenSize, cp: &CodePage) -> Vec<u8> {
    let wcc = Wcc::default().reset().restore_keyboard().reset_mdt();
    let mut b = ScreenBuilder::erase_write(wcc, size)
        .at(0, 1)
        .field(PROT_HI)
        .text(
            "web3270 browser terminal - demo screen (no host connected)",
            cp,
        )
        .at(2, 1)
        .field(PROT)
        .text("Protected normal (blue)", cp)
        .at(2, 40)
        .field(PROT_HI)
        .text("Protected intensified (white)", cp)
        .at(3, 1)
        .field(PROT)
        .text("Input, normal (green):", cp)
        .field(UNPROT)
        .insert_cursor()
        .at(3, 45)
        .field(PROT)
        .at(4, 1)
        .field(PROT)
        .text("Input, intensified (red):", cp)
        .field(UNPROT_HI)
        .text("typed text", cp)
        .at(4, 45)
        .field(PROT)
        .at(5, 1)
        .field(PROT)
        .text("Password (non-display):", cp)
        .field_ext(NONDISPLAY, &[(xa::HIGHLIGHTING, highlight::UNDERSCORE)])
        .text("secret", cp)
        .at(5, 45)
        .field(PROT)
        .at(7, 1)
        .field(PROT)
        .text("Extended colours:", cp);
    let names = [
        (color::BLUE, "Blue"),
        (color::RED, "Red"),
        (color::PINK, "Pink"),
        (color::GREEN, "Green"),
        (color::TURQUOISE, "Turq"),
        (color::YELLOW, "Yellow"),
        (color::NEUTRAL_WHITE, "White"),
    ];
    b = b.at(8, 1);
    for (c, name) in names {
        b = b.field_ext(PROT, &[(xa::FOREGROUND, c)]).text(name, cp);
    }
    let names = [
        (color::DEEP_BLUE, "DeepBlue"),
        (color::ORANGE, "Orange"),
        (color::PURPLE, "Purple"),
        (color::PALE_GREEN, "PaleGreen"),
        (color::PALE_TURQUOISE, "PaleTurq"),
        (color::GREY, "Grey"),
        (color::WHITE, "White"),
    ];
    b = b.at(9, 1);
    for (c, name) in names {
        b = b.field_ext(PROT, &[(xa::FOREGROUND, c)]).text(name, cp);
    }
    b = b
        .at(11, 1)
        .field(PROT)
        .text("Highlights:", cp)
        .field_ext(
            PROT,
            &[
                (xa::HIGHLIGHTING, highlight::REVERSE),
                (xa::FOREGROUND, color::TURQUOISE),
            ],
        )
        .text(" reverse ", cp)
        .field(PROT)
        .field_ext(
            PROT,
            &[
                (xa::HIGHLIGHTING, highlight::UNDERSCORE),
                (xa::FOREGROUND, color::YELLOW),
            ],
        )
        .text("underscore", cp)
        .field(PROT)
        .field_ext(
            PROT,
            &[
                (xa::HIGHLIGHTING, highlight::BLINK),
                (xa::FOREGROUND, color::PINK),
            ],
        )
        .text("blink", cp)
        .field(PROT)
        .at(13, 1)
        .field(PROT)
        .text("Outlined input:", cp)
        .field_ext(
            UNPROT,
            &[(
                xa::OUTLINING,
                outlining::OVER | outlining::UNDER | outlining::LEFT | outlining::RIGHT,
            )],
        )
        .at(13, 40)
        .field(PROT)
        .at(15, 1)
        .field(PROT)
        .text("APL: ", cp);
    for code in [0xad, 0xbd, 0x8d, 0x9d, 0xbe, 0xae, 0x70, 0x71, 0xb0, 0xb1] {
        b = b.set_attr(xa::CHARSET, charset::APL).ge(code);
    }
    b.set_attr(xa::ALL, 0)
        .at(17, 1)
        .field(PROT)
        .text(
            "Keys: F1-F12 PF1-12, Shift+F1-F12 PF13-24, Alt+1/2/3 PA1-3, Alt+C Clear,",
            cp,
        )
        .at(18, 1)
        .field(PROT)
        .text(
            "Esc Reset, Insert, Ctrl+End Erase EOF, Tab/Shift+Tab. See docs/KEYBOARD.md.",
            cp,
        )
        .build()
}

/// The whole demo as host bytes: negotiation, then the record with IAC EOR.
pub fn host_bytes(size: ScreenSize, cp: &CodePage) -> Vec<u8> {
    let mut out = NEGOTIATION.to_vec();
    telnet::write_escaped(&mut out, &record(size, cp));
    out.extend_from_slice(&[IAC, EOR]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tn3270::codepage::CP037;
    use tn3270::terminal::{Terminal, TerminalConfig, TerminalModel};

    #[test]
    fn the_demo_draws_in_a_terminal_and_unlocks_the_keyboard() {
        let mut t = Terminal::new(TerminalConfig {
            model: TerminalModel::parse("3279-2-E").unwrap(),
            ..TerminalConfig::default()
        });
        t.feed(&host_bytes(ScreenSize::MODEL_2, &CP037));
        let rows = t.text_rows();
        assert!(rows[0].contains("web3270 browser terminal"), "{rows:?}");
        assert!(rows[8].contains("Blue") && rows[9].contains("PaleTurq"));
        assert!(
            !rows[5].contains("secret"),
            "non-display text shows: {:?}",
            rows[5]
        );
        assert_eq!(t.screen().lock(), None);
        assert_eq!(t.screen().row_col(t.screen().cursor()), (3, 25));
    }
}
