//! Accessibility model: the screen as the DOM mirror shows it to assistive technology, and
//! what the live region announces.
//!
//! Owns: splitting a row into protected text and input segments, the label of each input
//! field, the announcement after a host write and when the cursor enters another field.
//! Does not own: DOM nodes (the wasm layer builds them from [`Segment`]s) or the OIA sentence
//! ([`crate::oia::Oia::describe`]).
//!
//! Rules:
//! - Text comes from the [`Frame`], so non-display fields are blanks and never reach the
//!   mirror or an announcement; a non-display input is marked `hidden` so its element can
//!   say "hidden" without content.
//! - An input field's label is the protected text before it on the same row (back to the
//!   previous input or the row start), whitespace collapsed, at most [`MAX_LABEL_CHARS`];
//!   when there is none, "row R column C" (1-based). A field continued from an earlier row
//!   keeps its label with " (continued)".
//! - After a host write: when more than half the rows changed, "New screen: " and the first
//!   non-blank row; otherwise the first changed non-blank row. Announcements are cut to
//!   [`MAX_ANNOUNCE_CHARS`].

use tn3270::screen::Screen;

use crate::render::Frame;

/// Longest field label.
pub const MAX_LABEL_CHARS: usize = 60;
/// Longest announcement.
pub const MAX_ANNOUNCE_CHARS: usize = 200;

/// A piece of one row of the mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Protected text, attribute positions (blanks) included.
    Text(String),
    /// Part of an input (unprotected) field.
    Input {
        /// The cells' text (blanks for a non-display field).
        text: String,
        /// The field's label.
        label: String,
        /// A non-display field.
        hidden: bool,
        /// Buffer address of the segment's first cell.
        addr: usize,
    },
}

/// Collapses runs of whitespace to one space and trims.
fn collapse(s: &str, max: usize) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max)
        .collect()
}

/// The label of the input field whose first data position is `start`.
pub fn field_label(frame: &Frame, start: usize) -> String {
    let cols = frame.cols().max(1);
    let cells = frame.cells();
    let row_start = start / cols * cols;
    let mut a = start;
    while a > row_start && cells.get(a - 1).is_some_and(|c| !c.input) {
        a -= 1;
    }
    let text: String = cells
        .get(a..start)
        .unwrap_or_default()
        .iter()
        .map(|c| c.ch)
        .collect();
    let label = collapse(&text, MAX_LABEL_CHARS);
    if label.is_empty() {
        format!("row {} column {}", start / cols + 1, start % cols + 1)
    } else {
        label
    }
}

/// The segments of one row.
pub fn row_segments(screen: &Screen, frame: &Frame, row: usize) -> Vec<Segment> {
    let cols = frame.cols();
    let mut out = Vec::new();
    let start = row.saturating_mul(cols);
    let Some(cells) = frame.cells().get(start..start + cols) else {
        return out;
    };
    let mut col = 0;
    while col < cols {
        let input = cells[col].input;
        let mut end = col + 1;
        while end < cols && cells[end].input == input {
            end += 1;
        }
        let text: String = cells[col..end].iter().map(|c| c.ch).collect();
        let addr = start + col;
        if input {
            // The field's first data position: just after its attribute.
            let field_start = screen
                .field_attr_addr(addr)
                .map_or(addr, |fa| screen.next(fa));
            let mut label = field_label(frame, field_start);
            if field_start != addr {
                label.push_str(" (continued)");
            }
            out.push(Segment::Input {
                text,
                label,
                hidden: cells[col].hidden,
                addr,
            });
        } else {
            out.push(Segment::Text(text));
        }
        col = end;
    }
    out
}

/// What to announce after a host write changed `changed_rows` (ascending, no duplicates);
/// `None` when nothing readable changed.
pub fn host_write_announcement(frame: &Frame, changed_rows: &[usize]) -> Option<String> {
    let rows = frame.rows();
    let line = |r: usize| collapse(&frame.row_text(r), MAX_ANNOUNCE_CHARS);
    if changed_rows.len() * 2 > rows {
        let first = (0..rows).map(line).find(|l| !l.is_empty())?;
        return Some(cut(format!("New screen: {first}")));
    }
    changed_rows
        .iter()
        .map(|&r| line(r))
        .find(|l| !l.is_empty())
        .map(cut)
}

/// What to announce when the cursor enters the field holding `addr` (an input field:
/// label, "input", length, "hidden" or its content; a protected position: its row text).
pub fn field_announcement(screen: &Screen, frame: &Frame, addr: usize) -> Option<String> {
    let cell = frame.cells().get(addr)?;
    if !cell.input {
        return None;
    }
    let field = screen.field_at(addr)?;
    let label = field_label(frame, field.start);
    let content: String = (0..field.len)
        .filter_map(|i| frame.cells().get(screen.wrap(field.start + i)))
        .map(|c| c.ch)
        .collect();
    let content = collapse(&content, MAX_ANNOUNCE_CHARS);
    let what = if cell.hidden {
        "hidden input".to_string()
    } else if content.is_empty() {
        "input, empty".to_string()
    } else {
        format!("input: {content}")
    };
    Some(cut(format!("{label}, {what}, {} characters", field.len)))
}

fn cut(s: String) -> String {
    if s.chars().count() <= MAX_ANNOUNCE_CHARS {
        s
    } else {
        s.chars().take(MAX_ANNOUNCE_CHARS).collect()
    }
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

    fn logon() -> Screen {
        // Row 0: prot "USERID ===>" at 1 (attribute at 12), input (13..=20) "IBMUSER", prot at 21.
        // Row 1: prot "PASSWORD ===>" at 81, non-display input (95..=102) "SECRET", prot.
        // Row 2: input at 160 (161..=239) running into row 3 (240..), prot at 250.
        let mut s = Screen::for_model(2);
        let mut fa = |a: usize, b: u8| {
            *s.cell_mut(a) = Cell {
                fa: Some(FieldAttribute(b)),
                ..Cell::NULL
            }
        };
        fa(0, 0x20);
        fa(12, 0x00);
        fa(21, 0x20);
        fa(80, 0x20);
        fa(94, 0x0c);
        fa(103, 0x20);
        fa(160, 0x00);
        fa(250, 0x20);
        for (addr, text) in [
            (1, "USERID ===>"),
            (13, "IBMUSER"),
            (81, "PASSWORD ===>"),
            (95, "SECRET"),
        ] {
            for (i, c) in text.chars().enumerate() {
                s.cell_mut(addr + i).ch = CP037.encode(c).unwrap();
            }
        }
        s
    }

    #[test]
    fn rows_split_into_text_and_labelled_inputs_without_hidden_text() {
        let s = logon();
        let f = frame(&s);
        let r0 = row_segments(&s, &f, 0);
        assert_eq!(r0.len(), 3);
        assert_eq!(r0[0], Segment::Text(" USERID ===> ".to_string()));
        match &r0[1] {
            Segment::Input {
                text,
                label,
                hidden,
                addr,
            } => {
                assert_eq!(text, "IBMUSER ");
                assert_eq!(label, "USERID ===>");
                assert!(!hidden);
                assert_eq!(*addr, 13);
            }
            other => panic!("{other:?}"),
        }
        let r1 = row_segments(&s, &f, 1);
        match &r1[1] {
            Segment::Input {
                text,
                label,
                hidden,
                ..
            } => {
                assert_eq!(text.trim(), "", "non-display text never in the mirror");
                assert_eq!(label, "PASSWORD ===>");
                assert!(hidden);
            }
            other => panic!("{other:?}"),
        }
        // Row 3 continues the field of row 2, which has no label text.
        let r3 = row_segments(&s, &f, 3);
        match &r3[0] {
            Segment::Input { label, .. } => assert_eq!(label, "row 3 column 2 (continued)"),
            other => panic!("{other:?}"),
        }
        // Every row's segments add up to the row text.
        for row in 0..24 {
            let joined: String = row_segments(&s, &f, row)
                .into_iter()
                .map(|seg| match seg {
                    Segment::Text(t) | Segment::Input { text: t, .. } => t,
                })
                .collect();
            assert_eq!(joined, f.row_text(row));
        }
    }

    #[test]
    fn announcements_after_host_writes_and_on_field_entry() {
        let s = logon();
        let f = frame(&s);
        assert_eq!(
            host_write_announcement(&f, &(0..24).collect::<Vec<_>>()).as_deref(),
            Some("New screen: USERID ===> IBMUSER")
        );
        assert_eq!(
            host_write_announcement(&f, &[1, 5]).as_deref(),
            Some("PASSWORD ===>")
        );
        assert_eq!(host_write_announcement(&f, &[5, 6]), None);
        assert_eq!(
            field_announcement(&s, &f, 14).as_deref(),
            Some("USERID ===>, input: IBMUSER, 8 characters")
        );
        let pw = field_announcement(&s, &f, 96).unwrap();
        assert_eq!(pw, "PASSWORD ===>, hidden input, 8 characters");
        assert!(!pw.contains("SECRET"));
        assert_eq!(field_announcement(&s, &f, 3), None, "protected");
    }
}
