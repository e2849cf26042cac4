//! The mouse: canvas coordinates to cells, the rectangular selection and its text, hotspots,
//! and what a click does.
//!
//! Owns: hit-testing (device pixels → row/column), the selection rectangle, the copied text
//! (rows joined by `\n`, trailing blanks of each row dropped, non-display cells never
//! copied: they are blanks in the [`Frame`]), the hotspot grammar and the click rule. Does
//! not own: DOM events and the clipboard (the wasm layer), or what the keys do
//! (`tn3270::input`: [`Key::MoveCursor`], [`Key::CursorSelect`], the AID keys).
//!
//! Click rule (x3270's mouse behaviour, plus the 3270 selector pen):
//! 1. **Light pen** (option `lightPen`, on by default): a click in a field whose attribute
//!    says *selector-pen detectable* (GA23-0059 §3.3.3, field attribute bits 4–5 = 01 or 10)
//!    moves the cursor there and presses CURSR SEL, which applies the designator rules
//!    (`?` ↔ `>` toggles, `&` sends ENTER, blank/null sends the selection AID X'7E').
//! 2. **Hotspot** (option `hotspots`, on by default; x3270's "mouse hotspots"): a click on
//!    protected text (or anywhere on an unformatted screen) whose word reads `PFnn`,
//!    `PFnn=…`, `Fnn=…` (n 1–24) or `PAn`, `PAn=…` (n 1–3), ASCII case-insensitive, with
//!    a leading `(` and trailing `,.;:)` ignored, presses that key. Input fields and
//!    non-display fields are never hotspots.
//! 3. Otherwise the cursor moves to the clicked cell.

use tn3270::input::Key;
use tn3270::screen::Screen;

use crate::render::Frame;

/// The cell grid in device pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    /// Cell width, device pixels.
    pub cell_w: f64,
    /// Cell height, device pixels.
    pub cell_h: f64,
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub cols: usize,
}

impl Grid {
    /// The (row, col) under device-pixel point (x, y); `None` outside the screen (the OIA
    /// row, the gap, negative or non-finite coordinates).
    pub fn cell_at(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        if !(x.is_finite() && y.is_finite()) || x < 0.0 || y < 0.0 {
            return None;
        }
        if self.cell_w <= 0.0 || self.cell_h <= 0.0 {
            return None;
        }
        let (col, row) = ((x / self.cell_w) as usize, (y / self.cell_h) as usize);
        (row < self.rows && col < self.cols).then_some((row, col))
    }

    /// Like [`Grid::cell_at`] but clamped into the screen (for drags that leave it).
    pub fn cell_clamped(&self, x: f64, y: f64) -> (usize, usize) {
        let clamp = |v: f64, size: f64, n: usize| {
            if !v.is_finite() || v <= 0.0 || size <= 0.0 {
                0
            } else {
                ((v / size) as usize).min(n.saturating_sub(1))
            }
        };
        (
            clamp(y, self.cell_h, self.rows),
            clamp(x, self.cell_w, self.cols),
        )
    }
}

/// A rectangle of cells, inclusive on all sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    /// First row.
    pub top: usize,
    /// First column.
    pub left: usize,
    /// Last row.
    pub bottom: usize,
    /// Last column.
    pub right: usize,
}

impl Rect {
    /// The rectangle spanned by two corner cells (any order).
    pub fn spanning(a: (usize, usize), b: (usize, usize)) -> Rect {
        Rect {
            top: a.0.min(b.0),
            left: a.1.min(b.1),
            bottom: a.0.max(b.0),
            right: a.1.max(b.1),
        }
    }

    /// True when (row, col) is inside.
    pub fn contains(&self, row: usize, col: usize) -> bool {
        (self.top..=self.bottom).contains(&row) && (self.left..=self.right).contains(&col)
    }

    /// The buffer addresses inside, for a screen `cols` wide (rows beyond `rows` skipped).
    pub fn addrs(&self, rows: usize, cols: usize) -> impl Iterator<Item = usize> {
        let (left, right) = (self.left, self.right.min(cols.saturating_sub(1)));
        (self.top..=self.bottom.min(rows.saturating_sub(1)))
            .flat_map(move |r| (left..=right).map(move |c| r * cols + c))
    }
}

/// The text of a rectangle of `frame` as shown: one line per row joined by `\n`, each
/// without its trailing blanks. Field attributes and non-display cells are blanks (the
/// frame never holds hidden text). Rows or columns outside the frame are ignored.
pub fn selection_text(frame: &Frame, rect: Rect) -> String {
    let mut out = String::new();
    for row in rect.top..=rect.bottom.min(frame.rows().saturating_sub(1)) {
        if row > rect.top {
            out.push('\n');
        }
        let line: String = (rect.left..=rect.right)
            .filter_map(|col| frame.cell(row, col))
            .map(|c| if c.hidden { ' ' } else { c.ch })
            .collect();
        out.push_str(line.trim_end());
    }
    out
}

/// Which click behaviours are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClickOptions {
    /// Hotspots (`PFnn` text presses the key).
    pub hotspots: bool,
    /// Light pen on detectable fields.
    pub light_pen: bool,
}

impl Default for ClickOptions {
    fn default() -> ClickOptions {
        ClickOptions {
            hotspots: true,
            light_pen: true,
        }
    }
}

/// What a click does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClickAction {
    /// Move the cursor here, then press CURSR SEL (selector pen).
    LightPen(usize),
    /// Press this key (a hotspot).
    Hotspot(Key),
    /// Move the cursor here.
    Move(usize),
}

/// What a click on buffer address `addr` does (see the module doc).
pub fn click_action(
    screen: &Screen,
    frame: &Frame,
    addr: usize,
    opts: ClickOptions,
) -> ClickAction {
    let detectable = screen
        .field_attribute(addr)
        .is_some_and(|fa| fa.is_detectable());
    if opts.light_pen && detectable {
        return ClickAction::LightPen(addr);
    }
    if opts.hotspots {
        if let Some(key) = hotspot_at(frame, addr) {
            return ClickAction::Hotspot(key);
        }
    }
    ClickAction::Move(addr)
}

/// The key a hotspot at `addr` presses, if the word there is one.
pub fn hotspot_at(frame: &Frame, addr: usize) -> Option<Key> {
    let cols = frame.cols();
    let cells = frame.cells();
    let is_text = |a: usize| {
        cells
            .get(a)
            .is_some_and(|c| !c.field_attr && !c.hidden && !c.input && c.ch != ' ')
    };
    if cols == 0 || !is_text(addr) {
        return None;
    }
    let row_start = addr / cols * cols;
    let row_end = row_start + cols;
    let mut start = addr;
    while start > row_start && is_text(start - 1) {
        start -= 1;
    }
    let mut end = addr + 1;
    while end < row_end && is_text(end) {
        end += 1;
    }
    let word: String = cells.get(start..end)?.iter().map(|c| c.ch).collect();
    parse_hotspot(&word)
}

/// Parses a hotspot word: `PFnn`, `PFnn=…`, `Fnn=…` (1–24), `PAn`, `PAn=…` (1–3).
pub fn parse_hotspot(word: &str) -> Option<Key> {
    let w = word
        .trim_start_matches('(')
        .trim_end_matches([',', '.', ';', ':', ')'])
        .to_ascii_uppercase();
    // (prefix, highest number, whether "=" is required after the number)
    for (prefix, max, needs_eq) in [("PF", 24u8, false), ("PA", 3, false), ("F", 24, true)] {
        let Some(rest) = w.strip_prefix(prefix) else {
            continue;
        };
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 2 {
            continue;
        }
        let (num, tail) = rest.split_at(digits);
        let ok_tail = if needs_eq {
            tail.starts_with('=')
        } else {
            tail.is_empty() || tail.starts_with('=')
        };
        let n: u8 = num.parse().ok()?;
        if !ok_tail || n == 0 || n > max {
            continue;
        }
        return Some(if prefix == "PA" {
            Key::Pa(n)
        } else {
            Key::Pf(n)
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::RenderOptions;
    use crate::theme::X3270;
    use tn3270::codepage::CP037;
    use tn3270::screen::{Cell, FieldAttribute};

    fn frame(s: &Screen) -> Frame {
        Frame::new(
            s,
            &RenderOptions {
                theme: &X3270,
                code_page: &CP037,
                color: true,
            },
        )
    }

    /// A 24x80 screen; `put(addr, text)` writes EBCDIC text, `fa(addr, byte)` an attribute.
    struct Build(Screen);
    impl Build {
        fn new() -> Build {
            Build(Screen::for_model(2))
        }
        fn fa(mut self, addr: usize, byte: u8) -> Build {
            *self.0.cell_mut(addr) = Cell {
                fa: Some(FieldAttribute(byte)),
                ..Cell::NULL
            };
            self
        }
        fn put(mut self, addr: usize, text: &str) -> Build {
            for (i, c) in text.chars().enumerate() {
                self.0.cell_mut(addr + i).ch = CP037.encode(c).unwrap();
            }
            self
        }
    }

    #[test]
    fn device_pixels_map_to_cells_and_the_oia_is_outside() {
        let g = Grid {
            cell_w: 10.0,
            cell_h: 20.0,
            rows: 24,
            cols: 80,
        };
        assert_eq!(g.cell_at(0.0, 0.0), Some((0, 0)));
        assert_eq!(g.cell_at(15.0, 45.0), Some((2, 1)));
        assert_eq!(g.cell_at(799.9, 479.9), Some((23, 79)));
        assert_eq!(g.cell_at(800.0, 10.0), None);
        assert_eq!(g.cell_at(10.0, 485.0), None, "the OIA row");
        assert_eq!(g.cell_at(-1.0, 5.0), None);
        assert_eq!(g.cell_at(f64::NAN, 5.0), None);
        assert_eq!(g.cell_clamped(-50.0, 9999.0), (23, 0));
        assert_eq!(g.cell_clamped(9999.0, 25.0), (1, 79));
    }

    #[test]
    fn the_selection_copies_a_rectangle_without_hidden_text() {
        // Row 0: protected "HELLO WORLD" at 1; row 1: non-display field "SECRET" at 81..;
        // row 2: "ABC" at 161.
        let s = Build::new()
            .fa(0, 0x20)
            .put(1, "HELLO WORLD")
            .fa(80, 0x0c)
            .put(81, "SECRET")
            .fa(90, 0x20)
            .put(161, "ABC")
            .0;
        let f = frame(&s);
        // Columns 1..=5 of rows 0..=2, dragged bottom-right to top-left.
        let r = Rect::spanning((2, 5), (0, 1));
        assert_eq!(selection_text(&f, r), "HELLO\n\nABC");
        assert!(r.contains(1, 3) && !r.contains(3, 3) && !r.contains(1, 6));
        // Columns 7..=11 of row 0 only.
        assert_eq!(selection_text(&f, Rect::spanning((0, 7), (0, 11))), "WORLD");
        assert_eq!(r.addrs(24, 80).collect::<Vec<_>>().len(), 15);
        // Out of the frame: ignored, no panic.
        assert_eq!(selection_text(&f, Rect::spanning((30, 70), (23, 90))), "");
    }

    #[test]
    fn hotspot_words_after_x3270() {
        for (w, k) in [
            ("PF3", Some(Key::Pf(3))),
            ("PF12=Cancel", Some(Key::Pf(12))),
            ("pf24", Some(Key::Pf(24))),
            ("F3=Exit", Some(Key::Pf(3))),
            ("(PF7)", Some(Key::Pf(7))),
            ("PF8,", Some(Key::Pf(8))),
            ("PA1", Some(Key::Pa(1))),
            ("PA2=Cancel", Some(Key::Pa(2))),
            ("F3", None),
            ("PF25", None),
            ("PF0", None),
            ("PA4", None),
            ("PF123", None),
            ("PFX", None),
            ("OFF3=", None),
            ("PF3X", None),
        ] {
            assert_eq!(parse_hotspot(w), k, "{w}");
        }
    }

    #[test]
    fn a_click_presses_a_hotspot_selects_with_the_pen_or_moves_the_cursor() {
        // Row 0: protected "COMMAND ===>" then an input field holding "PF3".
        // Row 23: protected "F1=Help  PF3=Exit".
        // Row 5: a detectable field (FA X'24': protected, normal, detectable) "&SUBMIT".
        let s = Build::new()
            .fa(0, 0x20)
            .put(1, "COMMAND ===>")
            .fa(14, 0x00)
            .put(15, "PF3")
            .fa(40, 0x20)
            .fa(400, 0x24)
            .put(401, "&SUBMIT")
            .fa(420, 0x20)
            .put(23 * 80 + 1, "F1=Help  PF3=Exit")
            .0;
        let f = frame(&s);
        let on = ClickOptions::default();
        let at = |row: usize, col: usize| row * 80 + col;
        assert_eq!(
            click_action(&s, &f, at(23, 2), on),
            ClickAction::Hotspot(Key::Pf(1))
        );
        assert_eq!(
            click_action(&s, &f, at(23, 15), on),
            ClickAction::Hotspot(Key::Pf(3))
        );
        // Between the words: a plain move.
        assert_eq!(
            click_action(&s, &f, at(23, 8), on),
            ClickAction::Move(at(23, 8))
        );
        // "PF3" typed in an input field is not a hotspot.
        assert_eq!(click_action(&s, &f, 16, on), ClickAction::Move(16));
        // The pen on a detectable field.
        assert_eq!(click_action(&s, &f, 403, on), ClickAction::LightPen(403));
        // Options off: plain moves.
        let off = ClickOptions {
            hotspots: false,
            light_pen: false,
        };
        assert_eq!(
            click_action(&s, &f, at(23, 2), off),
            ClickAction::Move(at(23, 2))
        );
        assert_eq!(click_action(&s, &f, 403, off), ClickAction::Move(403));
    }

    #[test]
    fn hidden_text_is_never_a_hotspot() {
        // Non-display protected field holding "PF3".
        let s = Build::new().fa(0, 0x2c).put(1, "PF3").fa(10, 0x20).0;
        let f = frame(&s);
        assert_eq!(hotspot_at(&f, 2), None);
    }
}
