//! The screen as `GET /api/v1/sessions/{id}/screen` (and `?wait=unlock`) answers it: the
//! guide's `{"session_id", "screen_data": {"rows", "cols", "content"}, "cursor_row",
//! "cursor_col"}` plus the keyboard state and the fields with their attributes.
//!
//! Owns: that JSON shape ([`ScreenView`], [`FieldView`]) and the names of colours and
//! highlights (GA23-0059 §4.4.5 extended attributes: colour X'42' ids X'F0'–X'FF',
//! highlighting X'41' ids X'F0'–X'F8'). Does not own: the text itself — `content` is the
//! core's `Terminal::text_rows`, the rows exactly as s3270 4.1's `Ascii()` prints them, the
//! same text `web3270 replay` prints.
//!
//! Cursor and field positions are **0-based**, as s3270 reports the cursor (status line
//! fields 9 and 10, `Query(Cursor)`); `MoveCursor1` is the 1-based action.
//! The text of a non-display field is never returned: `content` shows its positions as
//! blanks (as `Ascii()` does) and its `text` is `null`.

use serde::Serialize;
use tn3270::terminal::Terminal;
use utoipa::ToSchema;

use super::actions::lock_name;

/// GA23-0059 §4.4.5 colour identifiers (extended attribute type X'42'), by value − X'F0'.
const COLOR_NAMES: [&str; 16] = [
    "neutral-black",
    "blue",
    "red",
    "pink",
    "green",
    "turquoise",
    "yellow",
    "neutral-white",
    "black",
    "deep-blue",
    "orange",
    "purple",
    "pale-green",
    "pale-turquoise",
    "grey",
    "white",
];

/// First colour identifier (X'F0'); X'00' is the default colour (`null` in the JSON).
const COLOR_BASE: u8 = 0xF0;

/// Highlighting identifiers (extended attribute type X'41').
mod highlight {
    /// Normal (as determined by the 3270 field attribute).
    pub const NORMAL: u8 = 0xF0;
    /// Blink.
    pub const BLINK: u8 = 0xF1;
    /// Reverse video.
    pub const REVERSE: u8 = 0xF2;
    /// Underscore.
    pub const UNDERSCORE: u8 = 0xF4;
    /// Intensify.
    pub const INTENSIFY: u8 = 0xF8;
}

/// The screen of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ScreenView {
    /// The session's id.
    pub session_id: String,
    /// Size and text.
    pub screen_data: ScreenData,
    /// Cursor row, 0-based (as s3270).
    pub cursor_row: usize,
    /// Cursor column, 0-based (as s3270).
    pub cursor_col: usize,
    /// Whether the keyboard is locked (waiting for the host, or an operator error).
    pub keyboard_locked: bool,
    /// Why it is locked: `system-wait`, `awaiting-first-write`, `protected`, `numeric`,
    /// `overflow`, `minus-function`, `program-check`, `not-connected`, `terminal-wait`;
    /// `null` when unlocked.
    pub lock_reason: Option<&'static str>,
    /// Whether the host's last write sounded the alarm.
    pub alarm: bool,
    /// Every field, in buffer order (empty on an unformatted screen).
    pub fields: Vec<FieldView>,
}

/// Size and text of the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ScreenData {
    /// Rows in force.
    pub rows: usize,
    /// Columns in force.
    pub cols: usize,
    /// The rows joined by `\n` (no trailing newline), each exactly as s3270's `Ascii()`
    /// prints it: `cols` characters, attribute positions, nulls and non-display fields blank.
    pub content: String,
}

/// One field: where it is, its attributes, its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldView {
    /// Row of the first data position (after the attribute), 0-based.
    pub row: usize,
    /// Column of the first data position, 0-based.
    pub col: usize,
    /// Data positions (may wrap past the end of a row).
    pub length: usize,
    /// Protected (no input).
    pub protected: bool,
    /// Numeric.
    pub numeric: bool,
    /// Intensified display.
    pub intensified: bool,
    /// Non-display (e.g. a password): its `text` is never returned.
    pub hidden: bool,
    /// Modified data tag (the operator or the host set it).
    pub modified: bool,
    /// Foreground colour name (`blue`, `red`, ..., GA23-0059 colour ids); `null` = default.
    pub color: Option<&'static str>,
    /// Background colour name; `null` = default.
    pub background: Option<&'static str>,
    /// `normal`, `blink`, `reverse`, `underscore` or `intensify`; `null` = default.
    pub highlight: Option<&'static str>,
    /// The field's characters as `content` shows them; `null` for a hidden field.
    pub text: Option<String>,
}

impl ScreenView {
    /// The screen of `term`, for session `id`; `alarm` says whether the last host write
    /// sounded it (the core hands alarms out as events, the session remembers).
    pub fn of(term: &Terminal, id: &str, alarm: bool) -> ScreenView {
        let screen = term.screen();
        let rows = term.text_rows();
        let (cursor_row, cursor_col) = screen.row_col(screen.cursor());
        let cols = screen.cols();
        // Every position's character, row after row, for the fields' text.
        let cells: Vec<char> = rows.iter().flat_map(|r| r.chars()).collect();
        let fields = screen
            .field_infos()
            .into_iter()
            .map(|f| {
                let hidden = !f.display;
                let text = (!hidden).then(|| {
                    let start = f.row * cols + f.col;
                    (0..f.len)
                        .filter_map(|i| cells.get((start + i) % cells.len().max(1)))
                        .collect()
                });
                FieldView {
                    row: f.row,
                    col: f.col,
                    length: f.len,
                    protected: f.protected,
                    numeric: f.numeric,
                    intensified: f.intensified,
                    hidden,
                    modified: f.mdt,
                    color: color_name(f.fg),
                    background: color_name(f.bg),
                    highlight: highlight_name(f.highlight),
                    text,
                }
            })
            .collect();
        ScreenView {
            session_id: id.to_owned(),
            screen_data: ScreenData {
                rows: screen.rows(),
                cols,
                content: rows.join("\n"),
            },
            cursor_row,
            cursor_col,
            keyboard_locked: screen.is_locked(),
            lock_reason: screen.lock().map(lock_name),
            alarm,
            fields,
        }
    }
}

/// The name of a colour id; `None` for the default (X'00') and unknown values.
fn color_name(id: u8) -> Option<&'static str> {
    id.checked_sub(COLOR_BASE)
        .and_then(|i| COLOR_NAMES.get(usize::from(i)))
        .copied()
}

/// The name of a highlighting id; `None` for the default (X'00') and unknown values.
fn highlight_name(id: u8) -> Option<&'static str> {
    match id {
        highlight::NORMAL => Some("normal"),
        highlight::BLINK => Some("blink"),
        highlight::REVERSE => Some("reverse"),
        highlight::UNDERSCORE => Some("underscore"),
        highlight::INTENSIFY => Some("intensify"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_and_highlight_names() {
        assert_eq!(color_name(0x00), None);
        assert_eq!(color_name(0xF1), Some("blue"));
        assert_eq!(color_name(0xF2), Some("red"));
        assert_eq!(color_name(0xFF), Some("white"));
        assert_eq!(color_name(0x42), None);
        assert_eq!(highlight_name(0xF2), Some("reverse"));
        assert_eq!(highlight_name(0xF4), Some("underscore"));
        assert_eq!(highlight_name(0x00), None);
        assert_eq!(highlight_name(0xF3), None);
    }
}
