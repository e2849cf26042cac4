//! The operator information area (OIA): the status line under the screen, as a text model.
//!
//! Owns: what the OIA says and where (columns), computed from the connection state, the
//! keyboard lock ([`LockReason`]), insert mode, the type-ahead count, the LU name and the
//! cursor. Does not own: drawing (the painter draws [`Oia::line`] in the theme's OIA colours)
//! or the states themselves (`tn3270`).
//!
//! Layout (modelled on x3270's OIA row, in text; 3270 Information Display System Operator's
//! reference, "Operator information area"):
//! `col 0` "4" (connected to a 3270 host) · `col 1..3` the mode: "A" 3270 LU-LU, "S" SSCP-LU,
//! "N" NVT, "?" negotiating · `col 8` the lock text ("X SYSTEM", "X PROT", "X NUM", "X -f",
//! "X >", "X Wait", "X PROG nnn", "X-disconnected") · `col 51` "^" in insert mode ·
//! `col 53` type-ahead count "T1".."T256" · right-aligned: LU name and `rrr/ccc` (1-based).
//! On a screen narrower than the layout the line is cut at the width (never panics).

use tn3270::screen::LockReason;

/// The connection as the OIA shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Connection {
    /// No transport.
    #[default]
    Disconnected,
    /// Transport up, telnet options being negotiated.
    Negotiating,
    /// NVT (line mode) session.
    Nvt,
    /// 3270 mode, LU-LU (or plain TN3270).
    Lu,
    /// TN3270E SSCP-LU session.
    Sscp,
}

/// Everything the OIA shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Oia {
    /// Connection state.
    pub connection: Connection,
    /// Keyboard lock.
    pub lock: Option<LockReason>,
    /// Insert mode.
    pub insert: bool,
    /// Keys waiting in the type-ahead queue.
    pub typeahead: usize,
    /// The LU name, when known.
    pub lu: Option<String>,
    /// Cursor (row, col), 0-based.
    pub cursor: (usize, usize),
}

/// Column of the lock text.
const COL_LOCK: usize = 8;
/// Column of the insert-mode marker.
const COL_INSERT: usize = 51;
/// Column of the type-ahead count.
const COL_TYPEAHEAD: usize = 53;

/// The lock text x3270 shows (in text form) for a reason.
pub fn lock_text(lock: LockReason) -> String {
    match lock {
        LockReason::NotConnected => "X-disconnected".into(),
        LockReason::AwaitingFirst | LockReason::SystemWait => "X SYSTEM".into(),
        LockReason::TerminalWait => "X Wait".into(),
        LockReason::Protected => "X PROT".into(),
        LockReason::Numeric => "X NUM".into(),
        LockReason::Overflow => "X >".into(),
        LockReason::MinusFunction => "X -f".into(),
        LockReason::ProgramCheck(n) => format!("X PROG {n:03}"),
    }
}

impl Oia {
    /// The mode indicator.
    pub fn mode_text(&self) -> &'static str {
        match self.connection {
            Connection::Disconnected => "",
            Connection::Negotiating => "?",
            Connection::Nvt => "N",
            Connection::Lu => "A",
            Connection::Sscp => "S",
        }
    }

    /// The lock text ("" when unlocked).
    pub fn lock_text(&self) -> String {
        self.lock.map(lock_text).unwrap_or_default()
    }

    /// The OIA as one line of exactly `width` characters.
    pub fn line(&self, width: usize) -> String {
        let mut line: Vec<char> = vec![' '; width];
        let mut put = |col: usize, s: &str| {
            for (i, c) in s.chars().enumerate() {
                if let Some(slot) = line.get_mut(col + i) {
                    *slot = c;
                }
            }
        };
        if self.connection != Connection::Disconnected {
            put(0, "4");
        }
        put(1, self.mode_text());
        put(COL_LOCK, &self.lock_text());
        if self.insert {
            put(COL_INSERT, "^");
        }
        if self.typeahead > 0 {
            put(COL_TYPEAHEAD, &format!("T{}", self.typeahead));
        }
        let pos = format!("{:03}/{:03}", self.cursor.0 + 1, self.cursor.1 + 1);
        let right = match &self.lu {
            Some(lu) => format!("{lu}  {pos}"),
            None => pos,
        };
        put(width.saturating_sub(right.chars().count()), &right);
        line.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_reasons_read_like_x3270() {
        let cases = [
            (LockReason::NotConnected, "X-disconnected"),
            (LockReason::SystemWait, "X SYSTEM"),
            (LockReason::Protected, "X PROT"),
            (LockReason::Numeric, "X NUM"),
            (LockReason::MinusFunction, "X -f"),
            (LockReason::Overflow, "X >"),
            (LockReason::ProgramCheck(5), "X PROG 005"),
        ];
        for (r, text) in cases {
            assert_eq!(lock_text(r), text);
        }
    }

    #[test]
    fn the_line_places_every_indicator() {
        let oia = Oia {
            connection: Connection::Lu,
            lock: Some(LockReason::SystemWait),
            insert: true,
            typeahead: 3,
            lu: Some("LU0001".into()),
            cursor: (1, 16),
        };
        let line = oia.line(80);
        assert_eq!(line.chars().count(), 80);
        assert_eq!(&line[0..2], "4A");
        assert_eq!(&line[8..16], "X SYSTEM");
        assert_eq!(&line[51..52], "^");
        assert_eq!(&line[53..55], "T3");
        assert!(line.ends_with("LU0001  002/017"), "{line:?}");
    }

    #[test]
    fn disconnected_and_narrow_lines_do_not_panic() {
        let oia = Oia {
            lock: Some(LockReason::NotConnected),
            ..Oia::default()
        };
        let line = oia.line(80);
        assert!(line.starts_with("        X-disconnected"));
        assert_eq!(oia.line(5).chars().count(), 5);
        assert_eq!(oia.line(0), "");
    }
}
