//! The render model: from a [`Screen`] to per-cell draw instructions, and the diff between
//! two frames. Pure Rust (tested natively); the canvas painter (`canvas`, wasm only) and the
//! DOM mirror only execute these instructions.
//!
//! Owns: what each buffer position looks like — glyph, final foreground/background RGB (after
//! reverse video), underscore, blink, intensify, non-display, field outlining edges — and which
//! cells changed between two frames. Does not own: pixels, fonts, cursor shape or blink timing
//! (the painter's), the OIA ([`crate::oia`]), or the screen itself (`tn3270::screen`).
//!
//! Rules (GA23-0059 §3.3.3 field attributes, §4.4.6 extended attributes, §6.13 colours), and
//! where they leave room, x3270's display:
//! - A field attribute position shows as a blank in the screen background.
//! - A character's own extended attribute (SA, or copied at write time) wins over its field's
//!   (SFE/MF); X'00' means "inherit".
//! - Colour: an extended colour X'F0'–X'FF' maps through the theme's palette; otherwise a 3279
//!   shows x3270's base colours (unprotected normal green, unprotected intensified red,
//!   protected normal blue, protected intensified white) and a 3278 the theme's monochrome
//!   pair. Highlight "intensify" (X'F8') counts as intensified for the base colour.
//! - Highlighting: X'F1' blink, X'F2' reverse, X'F4' underscore, X'F8' intensify; combined
//!   values (e.g. X'F6') are taken bit by bit rather than refused (tolerance; x3270 does the
//!   same). X'00'/X'F0' are normal. Any other value (no high nibble X'F') is normal.
//! - Non-display fields (FA intensity X'0C') draw no glyph but keep background, reverse and
//!   underscore (a reversed password field shows as a bar, as in x3270).
//! - Outlining (X'C2' on the field attribute, §4.4.6.7): over/under on every data cell, left
//!   on the field's first data cell, right on its last.
//! - Characters in the APL set (charset X'F1', reached by GE) show their APL2 glyph
//!   (`tn3270::codepage::apl::display`); others the code page's `display`. Nulls are blanks.

use tn3270::codepage::{apl, CodePage};
use tn3270::screen::attributes::{charset, highlight};
use tn3270::screen::{ExtendedAttributes, FieldAttribute, Screen};

use crate::theme::{Rgb, Theme};

/// Outline edge bits (GA23-0059 §4.4.6.7, same values as the X'C2' attribute).
pub use tn3270::screen::attributes::outlining;

/// How one buffer position is to be drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellDraw {
    /// The glyph (a space for nulls, attribute positions and non-display fields).
    pub ch: char,
    /// Foreground, reverse video already applied.
    pub fg: Rgb,
    /// Background, reverse video already applied.
    pub bg: Rgb,
    /// Underscore.
    pub underline: bool,
    /// Reverse video (already applied to `fg`/`bg`; kept for the mirror and tests).
    pub reverse: bool,
    /// Blink: the painter hides the glyph in the blink-off phase.
    pub blink: bool,
    /// Intensified (bold glyph).
    pub bold: bool,
    /// Non-display field: no glyph.
    pub hidden: bool,
    /// Outline edges to draw, [`outlining`] bits.
    pub outline: u8,
    /// This position holds a field attribute.
    pub field_attr: bool,
    /// An input position: a data cell of an unprotected field on a formatted screen (the
    /// painter underlines these when the `fieldUnderline` option is on; the mirror makes
    /// them text boxes).
    pub input: bool,
}

impl CellDraw {
    /// A blank in the theme's background.
    pub fn blank(theme: &Theme) -> CellDraw {
        CellDraw {
            ch: ' ',
            fg: theme.background,
            bg: theme.background,
            underline: false,
            reverse: false,
            blink: false,
            bold: false,
            hidden: false,
            outline: 0,
            field_attr: false,
            input: false,
        }
    }
}

/// What the render model needs besides the screen.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// Colours.
    pub theme: &'a Theme,
    /// The session code page (for glyphs).
    pub code_page: &'static CodePage,
    /// A colour display (3279): base-attribute colours and extended colours; otherwise the
    /// theme's monochrome pair.
    pub color: bool,
}

/// A whole screen of draw instructions plus the cursor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frame {
    rows: usize,
    cols: usize,
    cells: Vec<CellDraw>,
    cursor: usize,
}

/// Highlighting bits inside an X'Fx' value.
const HL_BLINK: u8 = highlight::BLINK & 0x0F;
const HL_REVERSE: u8 = highlight::REVERSE & 0x0F;
const HL_UNDERSCORE: u8 = highlight::UNDERSCORE & 0x0F;
const HL_INTENSIFY: u8 = highlight::INTENSIFY & 0x0F;
/// The high nibble every highlight value carries.
const HL_PREFIX: u8 = 0xF0;

/// The highlighting bits of a value (0 for default, normal and junk).
fn highlight_bits(v: u8) -> u8 {
    if v & 0xF0 == HL_PREFIX {
        v & 0x0F
    } else {
        0
    }
}

/// The character attribute if set, else the field's.
fn pick(cell: u8, field: u8) -> u8 {
    if cell != 0 {
        cell
    } else {
        field
    }
}

impl Frame {
    /// The frame for `screen`.
    pub fn new(screen: &Screen, opts: &RenderOptions<'_>) -> Frame {
        let mut f = Frame::default();
        f.update(screen, opts);
        f
    }

    /// Recomputes this frame from `screen`, reusing its allocation.
    pub fn update(&mut self, screen: &Screen, opts: &RenderOptions<'_>) {
        let theme = opts.theme;
        let cells = screen.cells();
        self.rows = screen.rows();
        self.cols = screen.cols();
        self.cursor = screen.cursor();
        self.cells.clear();
        // The field in force at address 0 is the last one in the buffer (fields wrap).
        let mut field: Option<(FieldAttribute, ExtendedAttributes)> =
            cells.iter().rev().find_map(|c| c.fa.map(|fa| (fa, c.ext)));
        let mut at_field_start = false;
        for (addr, cell) in cells.iter().enumerate() {
            if let Some(fa) = cell.fa {
                field = Some((fa, cell.ext));
                at_field_start = true;
                self.cells.push(CellDraw {
                    field_attr: true,
                    ..CellDraw::blank(theme)
                });
                continue;
            }
            let (fa, fext) = field.unwrap_or((FieldAttribute(0), ExtendedAttributes::DEFAULT));
            let hl = highlight_bits(pick(cell.ext.highlight, fext.highlight));
            let intensified = fa.is_intensified() || hl & HL_INTENSIFY != 0;
            let mut fg = if opts.color {
                theme
                    .color(pick(cell.ext.fg, fext.fg))
                    .unwrap_or_else(|| theme.base_color(fa.is_protected(), intensified))
            } else {
                theme.mono[usize::from(intensified)]
            };
            let mut bg = if opts.color {
                theme
                    .color(pick(cell.ext.bg, fext.bg))
                    .unwrap_or(theme.background)
            } else {
                theme.background
            };
            let reverse = hl & HL_REVERSE != 0;
            if reverse {
                std::mem::swap(&mut fg, &mut bg);
            }
            let hidden = field.is_some() && fa.is_nondisplay();
            let ch = if hidden || cell.ch == 0 {
                ' '
            } else if pick(cell.ext.charset, 0) == charset::APL {
                apl::display(cell.ch)
            } else {
                opts.code_page.display(cell.ch)
            };
            let mut outline = 0;
            if fext.outlining != 0 {
                outline = fext.outlining & (outlining::OVER | outlining::UNDER);
                if at_field_start {
                    outline |= fext.outlining & outlining::LEFT;
                }
                let next = cells.get(screen.next(addr)).and_then(|c| c.fa);
                if next.is_some() {
                    outline |= fext.outlining & outlining::RIGHT;
                }
            }
            at_field_start = false;
            self.cells.push(CellDraw {
                ch,
                fg,
                bg,
                underline: hl & HL_UNDERSCORE != 0,
                reverse,
                blink: hl & HL_BLINK != 0,
                bold: intensified,
                hidden,
                outline,
                field_attr: false,
                input: field.is_some() && !fa.is_protected(),
            });
        }
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// All cells, row by row.
    pub fn cells(&self) -> &[CellDraw] {
        &self.cells
    }

    /// The cell at (row, col), if inside.
    pub fn cell(&self, row: usize, col: usize) -> Option<&CellDraw> {
        if col >= self.cols {
            return None;
        }
        self.cells.get(row * self.cols + col)
    }

    /// The cursor's buffer address.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The cursor as (row, col), 0-based.
    pub fn cursor_row_col(&self) -> (usize, usize) {
        match self.cols {
            0 => (0, 0),
            cols => (self.cursor / cols, self.cursor % cols),
        }
    }

    /// The text of a row as shown (non-display fields blank), for the DOM mirror.
    pub fn row_text(&self, row: usize) -> String {
        let start = row.saturating_mul(self.cols).min(self.cells.len());
        let end = start.saturating_add(self.cols).min(self.cells.len());
        self.cells[start..end].iter().map(|c| c.ch).collect()
    }

    /// The addresses that differ from `prev` (all of them after a size change), plus the
    /// old and new cursor positions when the cursor moved. Written into `out` (cleared
    /// first), ascending, without duplicates. Returns true when everything is dirty.
    pub fn dirty(&self, prev: &Frame, out: &mut Vec<usize>) -> bool {
        out.clear();
        if self.rows != prev.rows || self.cols != prev.cols || self.cells.len() != prev.cells.len()
        {
            out.extend(0..self.cells.len());
            return true;
        }
        let moved = self.cursor != prev.cursor;
        for (addr, (a, b)) in self.cells.iter().zip(&prev.cells).enumerate() {
            if a != b || (moved && (addr == self.cursor || addr == prev.cursor)) {
                out.push(addr);
            }
        }
        out.len() == self.cells.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::X3270;
    use tn3270::codepage::CP037;
    use tn3270::screen::attributes::{color, outlining, xa};
    use tn3270::screen::{Cell, ScreenSize};

    fn opts(color: bool) -> RenderOptions<'static> {
        RenderOptions {
            theme: &X3270,
            code_page: &CP037,
            color,
        }
    }

    /// A 24x80 screen with the cells given (addr, cell) set.
    fn screen_with(cells: &[(usize, Cell)]) -> Screen {
        let mut s = Screen::new(ScreenSize::MODEL_2, ScreenSize::MODEL_2);
        for &(a, c) in cells {
            *s.cell_mut(a) = c;
        }
        s
    }

    fn fa(byte: u8) -> Cell {
        Cell {
            fa: Some(FieldAttribute(byte)),
            ..Cell::NULL
        }
    }

    fn fa_ext(byte: u8, pairs: &[(u8, u8)]) -> Cell {
        let mut c = fa(byte);
        for &(t, v) in pairs {
            c.ext.set(t, v);
        }
        c
    }

    fn ch(b: u8) -> Cell {
        Cell {
            ch: b,
            ..Cell::NULL
        }
    }

    #[test]
    fn base_colours_follow_protection_and_intensity_like_x3270() {
        // SF unprotected normal at 0, "A" at 1; SF unprot intensified at 10, "B" at 11;
        // SF protected at 20, "C" at 21; SF protected intensified at 30, "D" at 31.
        let s = screen_with(&[
            (0, fa(0x00)),
            (1, ch(0xc1)),
            (10, fa(0x08)),
            (11, ch(0xc2)),
            (20, fa(0x20)),
            (21, ch(0xc3)),
            (30, fa(0x28)),
            (31, ch(0xc4)),
        ]);
        let f = Frame::new(&s, &opts(true));
        let t = &X3270;
        assert_eq!(f.cells()[1].ch, 'A');
        assert_eq!(f.cells()[1].fg, t.palette[4]); // green
        assert_eq!(f.cells()[11].fg, t.palette[2]); // red
        assert!(f.cells()[11].bold);
        assert_eq!(f.cells()[21].fg, t.palette[1]); // blue
        assert_eq!(f.cells()[31].fg, t.palette[7]); // white
                                                    // The attribute positions are blanks in the background.
        assert!(f.cells()[10].field_attr);
        assert_eq!(f.cells()[10].ch, ' ');
        assert_eq!(f.cells()[10].bg, t.background);
    }

    #[test]
    fn extended_colour_of_the_character_beats_the_field() {
        // SFE fg yellow bg blue at 0; "X" at 1 inherits; "Y" at 2 has SA fg pink.
        let mut y = ch(0xe8);
        y.ext.fg = color::PINK;
        let s = screen_with(&[
            (
                0,
                fa_ext(
                    0x20,
                    &[
                        (xa::FOREGROUND, color::YELLOW),
                        (xa::BACKGROUND, color::BLUE),
                    ],
                ),
            ),
            (1, ch(0xe7)),
            (2, y),
        ]);
        let f = Frame::new(&s, &opts(true));
        assert_eq!(f.cells()[1].fg, X3270.palette[6]);
        assert_eq!(f.cells()[1].bg, X3270.palette[1]);
        assert_eq!(f.cells()[2].fg, X3270.palette[3]);
        assert_eq!(f.cells()[2].bg, X3270.palette[1]);
    }

    #[test]
    fn reverse_swaps_and_underscore_blink_flag() {
        // SFE highlight reverse fg red at 0 ("R" at 1); SFE underscore at 5 ("U" at 6);
        // SFE blink at 9 ("K" at 10); junk highlight X'42' at 14 ("J" at 15).
        let s = screen_with(&[
            (
                0,
                fa_ext(
                    0x00,
                    &[
                        (xa::HIGHLIGHTING, highlight::REVERSE),
                        (xa::FOREGROUND, color::RED),
                    ],
                ),
            ),
            (1, ch(0xd9)),
            (
                5,
                fa_ext(0x00, &[(xa::HIGHLIGHTING, highlight::UNDERSCORE)]),
            ),
            (6, ch(0xe4)),
            (9, fa_ext(0x00, &[(xa::HIGHLIGHTING, highlight::BLINK)])),
            (10, ch(0xd2)),
            (14, fa_ext(0x00, &[(xa::HIGHLIGHTING, 0x42)])),
            (15, ch(0xd1)),
        ]);
        let f = Frame::new(&s, &opts(true));
        let r = f.cells()[1];
        assert!(r.reverse);
        assert_eq!((r.fg, r.bg), (X3270.background, X3270.palette[2]));
        // Nulls in a reversed field are reversed too (a bar).
        assert_eq!(f.cells()[2].bg, X3270.palette[2]);
        assert!(f.cells()[6].underline && !f.cells()[6].reverse);
        assert!(f.cells()[10].blink);
        let j = f.cells()[15];
        assert!(!j.blink && !j.underline && !j.reverse);
    }

    #[test]
    fn non_display_field_hides_glyphs_but_keeps_reverse() {
        // SFE non-display (FA X'0C') + reverse at 0, "SECRET" from 1.
        let mut cells = vec![(0, fa_ext(0x0c, &[(xa::HIGHLIGHTING, highlight::REVERSE)]))];
        for (i, b) in [0xe2u8, 0xc5, 0xc3, 0xd9, 0xc5, 0xe3].iter().enumerate() {
            cells.push((i + 1, ch(*b)));
        }
        cells.push((7, fa(0x20)));
        let f = Frame::new(&screen_with(&cells), &opts(true));
        assert!(f.cells()[1].hidden);
        assert!(
            f.cells()[1].input,
            "an unprotected non-display field is input"
        );
        assert!(!f.cells()[8].input, "protected");
        assert!(!f.cells()[0].input, "attribute");
        assert_eq!(f.cells()[1].ch, ' ');
        assert!(f.cells()[1].reverse);
        assert_eq!(f.row_text(0).trim_end(), "");
    }

    #[test]
    fn fields_wrap_from_the_end_of_the_buffer() {
        // The only SF (protected intensified) sits at the last position; address 0 is in it.
        let last = 24 * 80 - 1;
        let s = screen_with(&[(last, fa(0x28)), (0, ch(0xc1))]);
        let f = Frame::new(&s, &opts(true));
        assert_eq!(f.cells()[0].fg, X3270.palette[7]);
    }

    #[test]
    fn unformatted_screen_is_unprotected_normal_and_mono_uses_the_pair() {
        let s = screen_with(&[(0, ch(0xc1)), (5, fa(0x28)), (6, ch(0xc2))]);
        let f = Frame::new(&s, &opts(false));
        assert_eq!(f.cells()[6].fg, X3270.mono[1]);
        let s = screen_with(&[(0, ch(0xc1))]);
        let f = Frame::new(&s, &opts(true));
        assert_eq!(f.cells()[0].fg, X3270.palette[4]);
        assert_eq!(f.row_text(0).trim_end(), "A");
    }

    #[test]
    fn apl_characters_show_apl_glyphs_and_specials_show_x3270_symbols() {
        // GE X'AD' (APL left bracket-ish) at 0; DUP at 1; field mark at 2.
        let mut ge = ch(0xad);
        ge.ext.charset = charset::APL;
        let s = screen_with(&[(0, ge), (1, ch(0x1c)), (2, ch(0x1e))]);
        let f = Frame::new(&s, &opts(true));
        assert_eq!(f.cells()[0].ch, apl::display(0xad));
        assert_eq!(f.cells()[1].ch, CP037.display(0x1c));
        assert_eq!(f.cells()[2].ch, CP037.display(0x1e));
    }

    #[test]
    fn outlining_marks_box_edges_of_the_field() {
        // SFE outline box at 0, data 1..=3, SF at 4.
        let box_all = outlining::OVER | outlining::UNDER | outlining::LEFT | outlining::RIGHT;
        let s = screen_with(&[
            (0, fa_ext(0x00, &[(xa::OUTLINING, box_all)])),
            (4, fa(0x20)),
        ]);
        let f = Frame::new(&s, &opts(true));
        let o: Vec<u8> = (1..=3).map(|a| f.cells()[a].outline).collect();
        assert_eq!(
            o,
            [
                outlining::OVER | outlining::UNDER | outlining::LEFT,
                outlining::OVER | outlining::UNDER,
                outlining::OVER | outlining::UNDER | outlining::RIGHT,
            ]
        );
        assert_eq!(f.cells()[5].outline, 0);
    }

    #[test]
    fn diff_lists_changed_cells_and_both_cursor_positions() {
        let mut s = screen_with(&[(0, ch(0xc1))]);
        let a = Frame::new(&s, &opts(true));
        s.cell_mut(100).ch = 0xc2;
        s.set_cursor(42);
        let b = Frame::new(&s, &opts(true));
        let mut dirty = Vec::new();
        assert!(!b.dirty(&a, &mut dirty));
        assert_eq!(dirty, [0, 42, 100]);
        assert!(!b.dirty(&b, &mut dirty));
        assert!(dirty.is_empty());
        // A different size redraws everything.
        let big = Frame::new(
            &Screen::new(ScreenSize::MODEL_4, ScreenSize::MODEL_4),
            &opts(true),
        );
        assert!(big.dirty(&b, &mut dirty));
        assert_eq!(dirty.len(), 43 * 80);
    }

    #[test]
    fn update_reuses_and_matches_new() {
        let s = screen_with(&[(0, fa(0x20)), (1, ch(0xc1))]);
        let mut f = Frame::new(&Screen::for_model(5), &opts(true));
        f.update(&s, &opts(true));
        assert_eq!(f, Frame::new(&s, &opts(true)));
        assert_eq!((f.rows(), f.cols()), (24, 80));
        assert_eq!(f.cell(0, 1).map(|c| c.ch), Some('A'));
        assert_eq!(f.cell(0, 80), None);
    }
}
