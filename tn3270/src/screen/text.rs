//! The screen as text and as a list of field descriptions, for scripting, the REST API,
//! audit and tests.
//!
//! The text matches what s3270 4.1's `Ascii()` prints, row by row, full width:
//! - field attribute positions, nulls, and every position of a non-display field
//!   (GA23-0059 §3.3.2, display bits `11`) are spaces;
//! - other positions are decoded with the session [`CodePage`]; control codes below 0x40
//!   are spaces except DUP (`*`) and FM (`;`), and SUB shows as `■` (U+25A0), EO (0xFF)
//!   as `●` (U+25CF), exactly as s3270 prints them;
//! - positions in the APL/GE character set (LCID 0xF1, from GE or SA/SFE) are decoded
//!   with the APL table below (code page 310 as s3270 4.1 shows it; positions it shows as
//!   blank are blank here too, including the underscored letters 0x41–0x49).
//!
//! **Deliberate difference from s3270 4.1**: a character whose own character set is the
//! default inherits the field's character set (an SFE/MF with 0x43 = 0xF1 makes the field
//! APL), as GA23-0059 §4.4.6 says and as later x3270 versions do; s3270 4.1 decodes such
//! characters with the base set.
//!
//! This module owns no state; it adds read-only methods to [`Screen`].

use super::Screen;
use crate::codepage::CodePage;
use crate::datastream::{fc, lcid};

/// What a field looks like to a script or a JSON consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FieldInfo {
    /// Row of the first data position, 0-based.
    pub row: usize,
    /// Column of the first data position, 0-based.
    pub col: usize,
    /// Number of data positions (may wrap past the last row).
    pub len: usize,
    /// Protected field.
    pub protected: bool,
    /// Numeric field.
    pub numeric: bool,
    /// Contents are displayed (not the non-display intensity).
    pub display: bool,
    /// Intensified display.
    pub intensified: bool,
    /// Modified data tag.
    pub mdt: bool,
    /// Foreground colour of the field (0x00 default, 0xF0–0xFF GA23-0059 colour ids).
    pub fg: u8,
    /// Background colour of the field.
    pub bg: u8,
    /// Extended highlighting of the field (0x00 default, 0xF0–0xF8).
    pub highlight: u8,
}

impl Screen {
    /// The screen as text: one line per row, `cols` characters each, rows joined by `\n`
    /// (no trailing newline). See the module doc for the character rules.
    pub fn to_text(&self, codepage: &CodePage) -> String {
        let mut out = String::with_capacity(self.len() + self.rows());
        self.write_text(codepage, &mut out);
        out
    }

    /// Appends the screen text to `out` (for callers that reuse a buffer).
    pub fn write_text(&self, codepage: &CodePage, out: &mut String) {
        // How each byte of the base set shows, worked out once rather than once per cell.
        let base: [char; 256] = std::array::from_fn(|b| {
            display_char(u8::try_from(b).unwrap_or_default(), lcid::BASE, codepage)
        });
        out.reserve(self.len() + self.rows());
        // The governing field's (non-display, character set), updated at each attribute.
        let field_look = |cell: &super::Cell| {
            (
                cell.fa.unwrap_or_default().is_nondisplay(),
                cell.ext.charset,
            )
        };
        let (mut nondisplay, mut field_charset) = self
            .field_attr_addr(0)
            .map_or((false, lcid::BASE), |a| field_look(self.cell(a)));
        for (row, cells) in self.cells().chunks(self.cols()).enumerate() {
            if row > 0 {
                out.push('\n');
            }
            for cell in cells {
                if cell.fa.is_some() {
                    (nondisplay, field_charset) = field_look(cell);
                    out.push(' ');
                } else if nondisplay {
                    out.push(' ');
                } else {
                    let charset = if cell.ext.charset != lcid::BASE {
                        cell.ext.charset
                    } else {
                        field_charset
                    };
                    out.push(if charset == lcid::APL {
                        apl_char(cell.ch)
                    } else {
                        base[usize::from(cell.ch)]
                    });
                }
            }
        }
    }

    /// The text of one row (0-based), `cols` characters.
    pub fn row_text(&self, row: usize, codepage: &CodePage) -> String {
        self.to_text(codepage)
            .split('\n')
            .nth(row)
            .unwrap_or_default()
            .to_string()
    }

    /// Every field, in buffer order, described for scripts and JSON.
    pub fn field_infos(&self) -> Vec<FieldInfo> {
        self.fields()
            .map(|f| {
                let (row, col) = self.row_col(f.start);
                FieldInfo {
                    row,
                    col,
                    len: f.len,
                    protected: f.attr.is_protected(),
                    numeric: f.attr.is_numeric(),
                    display: !f.attr.is_nondisplay(),
                    intensified: f.attr.is_intensified(),
                    mdt: f.attr.is_modified(),
                    fg: f.ext.fg,
                    bg: f.ext.bg,
                    highlight: f.ext.highlight,
                }
            })
            .collect()
    }
}

/// How one stored byte shows, given its character set.
pub fn display_char(ch: u8, charset: u8, codepage: &CodePage) -> char {
    if charset == lcid::APL {
        return apl_char(ch);
    }
    match ch {
        fc::DUP => '*',
        fc::FM => ';',
        fc::SUB => '\u{25A0}',
        fc::EO => '\u{25CF}',
        0x00..=0x40 => ' ',
        _ => {
            let c = codepage.decode(ch);
            if c.is_control() {
                ' '
            } else {
                c
            }
        }
    }
}

/// A character of the APL set (code page 310 as s3270 shows it), or a space.
pub fn apl_char(ch: u8) -> char {
    APL_310
        .binary_search_by_key(&ch, |&(code, _)| code)
        .ok()
        .and_then(|i| APL_310.get(i))
        .map_or(' ', |&(_, c)| c)
}

/// Code page 310 (APL) positions that s3270 4.1 displays, obtained by writing GE 0x00..0xFF
/// to s3270 and reading `Ascii()`; sorted by code.
const APL_310: &[(u8, char)] = &[
    (0x70, '\u{22C4}'),
    (0x71, '\u{2227}'),
    (0x72, '\u{00A8}'),
    (0x73, '\u{233B}'),
    (0x74, '\u{2378}'),
    (0x75, '\u{2377}'),
    (0x76, '\u{22A2}'),
    (0x77, '\u{22A3}'),
    (0x78, '\u{2228}'),
    (0x80, '\u{223C}'),
    (0x83, '\u{23B8}'),
    (0x84, '\u{23B9}'),
    (0x85, '\u{2502}'),
    (0x8A, '\u{2191}'),
    (0x8B, '\u{2193}'),
    (0x8C, '\u{2264}'),
    (0x8D, '\u{2308}'),
    (0x8E, '\u{230A}'),
    (0x8F, '\u{2192}'),
    (0x90, '\u{2395}'),
    (0x91, '\u{258C}'),
    (0x92, '\u{2590}'),
    (0x93, '\u{2580}'),
    (0x94, '\u{2584}'),
    (0x95, '\u{25A0}'),
    (0x9A, '\u{2283}'),
    (0x9B, '\u{2282}'),
    (0x9C, '\u{00A4}'),
    (0x9D, '\u{25CB}'),
    (0x9E, '\u{00B1}'),
    (0x9F, '\u{2190}'),
    (0xA0, '\u{00AF}'),
    (0xA1, '\u{00B0}'),
    (0xA2, '\u{2500}'),
    (0xA3, '\u{2022}'),
    (0xAA, '\u{2229}'),
    (0xAB, '\u{222A}'),
    (0xAC, '\u{22A5}'),
    (0xAD, '['),
    (0xAE, '\u{2265}'),
    (0xAF, '\u{2218}'),
    (0xB0, '\u{237A}'),
    (0xB1, '\u{220A}'),
    (0xB2, '\u{2373}'),
    (0xB3, '\u{2374}'),
    (0xB4, '\u{2375}'),
    (0xB6, '\u{00D7}'),
    (0xB7, '\\'),
    (0xB8, '\u{00F7}'),
    (0xBA, '\u{2207}'),
    (0xBB, '\u{2206}'),
    (0xBC, '\u{22A4}'),
    (0xBD, ']'),
    (0xBE, '\u{2260}'),
    (0xBF, '\u{2223}'),
    (0xC0, '{'),
    (0xC1, '\u{207C}'),
    (0xC2, '+'),
    (0xC3, '\u{220E}'),
    (0xC4, '\u{2514}'),
    (0xC5, '\u{250C}'),
    (0xC6, '\u{251C}'),
    (0xC7, '\u{2534}'),
    (0xC8, '\u{00A7}'),
    (0xCA, '\u{2372}'),
    (0xCB, '\u{2371}'),
    (0xCC, '\u{2337}'),
    (0xCD, '\u{233D}'),
    (0xCE, '\u{2342}'),
    (0xCF, '\u{2349}'),
    (0xD0, '}'),
    (0xD1, '\u{207E}'),
    (0xD2, '-'),
    (0xD3, '\u{253C}'),
    (0xD4, '\u{2518}'),
    (0xD5, '\u{2510}'),
    (0xD6, '\u{2524}'),
    (0xD7, '\u{252C}'),
    (0xD8, '\u{00B6}'),
    (0xDA, '\u{2336}'),
    (0xDB, '!'),
    (0xDC, '\u{2352}'),
    (0xDD, '\u{234B}'),
    (0xDE, '\u{235E}'),
    (0xDF, '\u{235D}'),
    (0xE0, '\u{2261}'),
    (0xE1, '\u{2081}'),
    (0xE2, '\u{0282}'),
    (0xE3, '\u{0283}'),
    (0xE4, '\u{2364}'),
    (0xE5, '\u{2365}'),
    (0xE6, '\u{236A}'),
    (0xE7, '\u{20AC}'),
    (0xEA, '\u{233F}'),
    (0xEB, '\u{2340}'),
    (0xEC, '\u{2235}'),
    (0xED, '\u{2296}'),
    (0xEE, '\u{2339}'),
    (0xEF, '\u{2355}'),
    (0xF0, '\u{2070}'),
    (0xF1, '\u{00B9}'),
    (0xF2, '\u{00B2}'),
    (0xF3, '\u{00B3}'),
    (0xF4, '\u{2074}'),
    (0xF5, '\u{2075}'),
    (0xF6, '\u{2076}'),
    (0xF7, '\u{2077}'),
    (0xF8, '\u{2078}'),
    (0xF9, '\u{2079}'),
    (0xFB, '\u{236B}'),
    (0xFC, '\u{2359}'),
    (0xFD, '\u{235F}'),
    (0xFE, '\u{234E}'),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codepage::CP037;

    #[test]
    fn apl_table_is_sorted_for_binary_search() {
        assert!(APL_310.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(apl_char(0xC5), '┌');
        assert_eq!(apl_char(0x41), ' ');
    }

    #[test]
    fn control_codes_show_like_s3270() {
        assert_eq!(display_char(fc::DUP, 0, &CP037), '*');
        assert_eq!(display_char(fc::FM, 0, &CP037), ';');
        assert_eq!(display_char(fc::SUB, 0, &CP037), '■');
        assert_eq!(display_char(fc::EO, 0, &CP037), '●');
        assert_eq!(display_char(fc::NL, 0, &CP037), ' ');
        assert_eq!(display_char(0x41, 0, &CP037), '\u{A0}');
        assert_eq!(display_char(0xC1, 0, &CP037), 'A');
    }
}
