//! The operator information area (OIA): the status line under the screen, as a text model,
//! and the same state as a sentence for screen readers.
//!
//! Owns: what the OIA says and where (columns), computed from the transport state the page
//! reports ([`LinkState`]), the session mode, the keyboard lock ([`LockReason`]), insert
//! mode, the type-ahead count, the alarm, TLS, the LU name and the cursor. Does not own:
//! drawing (the painter draws [`Oia::line`] in the theme's OIA colours) or the states
//! themselves (`tn3270`, the page's websocket).
//!
//! Layout (modelled on x3270's OIA row, in text; IBM 3270 Information Display System
//! operator's reference, "Operator information area"):
//! `col 0` "4" (connected to a 3270 host) · `col 1` the mode: "A" 3270 LU-LU, "S" SSCP-LU,
//! "N" NVT, "?" negotiating · `col 2` "E" on a TN3270E session · `col 4` "TLS" when the
//! connection is encrypted · `col 8` the message: the lock text ("X SYSTEM", "X CLOCK",
//! "X PROT", "X NUM", "X -f", "X >", "X PROG nnn", "X-disconnected") or, while the transport
//! is not up, its state ("X Connecting", "X Negotiating", "X Resuming", "X Reconnecting in
//! 5s", "X Refused: reason"), cut to end before `col 44` · `col 44` "ALARM" after the host
//! sounded the alarm (until the next key) · `col 51` "^" in insert mode · `col 53` type-ahead
//! count "T1".."T256" · right-aligned: LU name and `rrr/ccc` (1-based). On a screen narrower
//! than the layout the line is cut at the width (never panics).

use tn3270::screen::LockReason;

/// The session mode as the OIA shows it.
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

/// The transport as the page reports it (`WebTerminal.setConnectionState`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Opening the connection to the bridge.
    Connecting,
    /// Connected; the session is being set up.
    Negotiating,
    /// Connected: the OIA shows the session and the keyboard lock.
    Connected,
    /// Connected again; resuming the earlier host session.
    Resuming,
    /// The connection dropped; the next attempt is in this many seconds.
    Reconnecting {
        /// Seconds until the next attempt.
        seconds: u32,
    },
    /// No connection.
    Disconnected,
    /// The bridge refused the session; the reason (code and/or message) as the page gave it.
    Refused {
        /// Why, e.g. "LIMIT: too many sessions".
        reason: String,
    },
}

/// Most characters of a refusal reason kept (the page may pass anything).
pub const MAX_REASON_CHARS: usize = 200;

impl LinkState {
    /// Parses the state names of the JS API: `connecting`, `negotiating`, `connected`,
    /// `resuming`, `reconnecting` (with `seconds`), `disconnected`, `refused` (with the
    /// reason, cut to [`MAX_REASON_CHARS`]). `None` for an unknown name.
    pub fn parse(name: &str, seconds: u32, reason: &str) -> Option<LinkState> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "connecting" => LinkState::Connecting,
            "negotiating" => LinkState::Negotiating,
            "connected" => LinkState::Connected,
            "resuming" => LinkState::Resuming,
            "reconnecting" => LinkState::Reconnecting { seconds },
            "disconnected" => LinkState::Disconnected,
            "refused" => LinkState::Refused {
                reason: reason.chars().take(MAX_REASON_CHARS).collect(),
            },
            _ => return None,
        })
    }

    /// The state's name in the JS API.
    pub fn name(&self) -> &'static str {
        match self {
            LinkState::Connecting => "connecting",
            LinkState::Negotiating => "negotiating",
            LinkState::Connected => "connected",
            LinkState::Resuming => "resuming",
            LinkState::Reconnecting { .. } => "reconnecting",
            LinkState::Disconnected => "disconnected",
            LinkState::Refused { .. } => "refused",
        }
    }

    /// The OIA message while the transport is not up (`None` when connected).
    pub fn message(&self) -> Option<String> {
        Some(match self {
            LinkState::Connected => return None,
            LinkState::Connecting => "X Connecting".into(),
            LinkState::Negotiating => "X Negotiating".into(),
            LinkState::Resuming => "X Resuming".into(),
            LinkState::Reconnecting { seconds } => format!("X Reconnecting in {seconds}s"),
            LinkState::Disconnected => "X-disconnected".into(),
            LinkState::Refused { reason } if reason.is_empty() => "X Refused".into(),
            LinkState::Refused { reason } => format!("X Refused: {reason}"),
        })
    }
}

/// Everything the OIA shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Oia {
    /// Session mode.
    pub connection: Connection,
    /// The transport as the page reported it; `None` when the page never did (the terminal
    /// is fed directly: the lock tells the state).
    pub link: Option<LinkState>,
    /// A TN3270E session.
    pub tn3270e: bool,
    /// The connection is encrypted (as the page reported it).
    pub tls: bool,
    /// Keyboard lock.
    pub lock: Option<LockReason>,
    /// The host sounded the alarm since the last key.
    pub alarm: bool,
    /// Insert mode.
    pub insert: bool,
    /// Keys waiting in the type-ahead queue.
    pub typeahead: usize,
    /// The LU name, when known.
    pub lu: Option<String>,
    /// Cursor (row, col), 0-based.
    pub cursor: (usize, usize),
}

/// Column of the mode letter.
const COL_MODE: usize = 1;
/// Column of the TN3270E marker.
const COL_TN3270E: usize = 2;
/// Column of the TLS marker.
const COL_TLS: usize = 4;
/// Column of the message (lock text or transport state).
const COL_LOCK: usize = 8;
/// Column of the alarm indicator; the message ends before it.
const COL_ALARM: usize = 44;
/// Column of the insert-mode marker.
const COL_INSERT: usize = 51;
/// Column of the type-ahead count.
const COL_TYPEAHEAD: usize = 53;

/// The lock text x3270 shows (in text form; "X CLOCK" is the 3270's clock symbol) for a
/// reason.
pub fn lock_text(lock: LockReason) -> String {
    match lock {
        LockReason::NotConnected => "X-disconnected".into(),
        LockReason::AwaitingFirst | LockReason::SystemWait => "X SYSTEM".into(),
        LockReason::TerminalWait => "X CLOCK".into(),
        LockReason::Protected => "X PROT".into(),
        LockReason::Numeric => "X NUM".into(),
        LockReason::Overflow => "X >".into(),
        LockReason::MinusFunction => "X -f".into(),
        LockReason::ProgramCheck(n) => format!("X PROG {n:03}"),
    }
}

/// What a lock means, in words (for the screen-reader status).
fn lock_words(lock: LockReason) -> String {
    match lock {
        LockReason::NotConnected => "not connected".into(),
        LockReason::AwaitingFirst | LockReason::SystemWait => "waiting for the host".into(),
        LockReason::TerminalWait => "terminal busy".into(),
        LockReason::Protected => "protected field, press Reset".into(),
        LockReason::Numeric => "numeric field, press Reset".into(),
        LockReason::Overflow => "field full, press Reset".into(),
        LockReason::MinusFunction => "function not allowed here, press Reset".into(),
        LockReason::ProgramCheck(n) => format!("program check {n:03}, press Reset"),
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

    /// True while the page reports a transport that is not up.
    fn link_down(&self) -> bool {
        self.link
            .as_ref()
            .is_some_and(|l| *l != LinkState::Connected)
    }

    /// The message at column 8: the transport state while it is not up, else the lock text
    /// ("" when unlocked).
    pub fn lock_text(&self) -> String {
        if let Some(msg) = self.link.as_ref().and_then(LinkState::message) {
            return msg;
        }
        self.lock.map(lock_text).unwrap_or_default()
    }

    /// The OIA as one line of exactly `width` characters.
    pub fn line(&self, width: usize) -> String {
        let mut line: Vec<char> = vec![' '; width];
        let mut put = |col: usize, s: &str, max: usize| {
            let n = s.chars().count();
            for (i, c) in s.chars().enumerate().take(max) {
                let c = if n > max && i + 1 == max { '…' } else { c };
                if let Some(slot) = line.get_mut(col + i) {
                    *slot = c;
                }
            }
        };
        let up = self.connection != Connection::Disconnected && !self.link_down();
        if up {
            put(0, "4", 1);
            put(COL_MODE, self.mode_text(), 1);
            if self.tn3270e {
                put(COL_TN3270E, "E", 1);
            }
        }
        if self.tls && !self.link_down() {
            put(COL_TLS, "TLS", 3);
        }
        put(COL_LOCK, &self.lock_text(), COL_ALARM - 1 - COL_LOCK);
        if self.alarm {
            put(COL_ALARM, "ALARM", 5);
        }
        if self.insert {
            put(COL_INSERT, "^", 1);
        }
        if self.typeahead > 0 {
            put(COL_TYPEAHEAD, &format!("T{}", self.typeahead), 4);
        }
        let pos = format!("{:03}/{:03}", self.cursor.0 + 1, self.cursor.1 + 1);
        let right = match &self.lu {
            Some(lu) => format!("{lu}  {pos}"),
            None => pos,
        };
        let n = right.chars().count();
        put(width.saturating_sub(n), &right, n);
        line.into_iter().collect()
    }

    /// The same state as a sentence for the screen-reader status region (no cursor
    /// position, so it changes only when the state does).
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        match self.link.as_ref() {
            Some(LinkState::Connecting) => parts.push("Connecting".into()),
            Some(LinkState::Negotiating) => parts.push("Connected, negotiating".into()),
            Some(LinkState::Resuming) => parts.push("Reconnected, resuming the session".into()),
            Some(LinkState::Reconnecting { seconds }) => {
                parts.push(format!("Disconnected, reconnecting in {seconds} seconds"))
            }
            Some(LinkState::Disconnected) => parts.push("Disconnected".into()),
            Some(LinkState::Refused { reason }) => parts.push(format!("Refused: {reason}")),
            Some(LinkState::Connected) | None => {
                let mode = match (self.connection, self.tn3270e) {
                    (Connection::Disconnected, _) => "Disconnected",
                    (Connection::Negotiating, _) => "Connected, negotiating",
                    (Connection::Nvt, _) => "Connected, NVT mode",
                    (Connection::Lu, true) => "Connected, TN3270E LU-LU session",
                    (Connection::Lu, false) => "Connected, 3270 mode",
                    (Connection::Sscp, _) => "Connected, TN3270E SSCP-LU session",
                };
                parts.push(mode.into());
                if let Some(lu) = &self.lu {
                    parts.push(format!("LU {lu}"));
                }
                if self.tls {
                    parts.push("TLS".into());
                }
                if let Some(lock) = self.lock.filter(|l| *l != LockReason::NotConnected) {
                    parts.push(format!(
                        "keyboard locked: {} ({})",
                        lock_text(lock),
                        lock_words(lock)
                    ));
                }
            }
        }
        if self.alarm {
            parts.push("alarm".into());
        }
        if self.insert {
            parts.push("insert mode".into());
        }
        if self.typeahead > 0 {
            parts.push(format!("{} keys typed ahead", self.typeahead));
        }
        let mut s = parts.join(", ");
        s.push('.');
        s
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
            (LockReason::TerminalWait, "X CLOCK"),
        ];
        for (r, text) in cases {
            assert_eq!(lock_text(r), text);
        }
    }

    #[test]
    fn the_line_places_every_indicator() {
        let oia = Oia {
            connection: Connection::Lu,
            link: Some(LinkState::Connected),
            tn3270e: true,
            tls: true,
            lock: Some(LockReason::SystemWait),
            alarm: true,
            insert: true,
            typeahead: 3,
            lu: Some("LU0001".into()),
            cursor: (1, 16),
        };
        let line = oia.line(80);
        assert_eq!(line.chars().count(), 80);
        assert_eq!(&line[0..3], "4AE");
        assert_eq!(&line[4..7], "TLS");
        assert_eq!(&line[8..16], "X SYSTEM");
        assert_eq!(&line[44..49], "ALARM");
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

    #[test]
    fn every_transport_state_has_its_message_and_sentence() {
        let cases = [
            ("connecting", "X Connecting", "Connecting."),
            ("negotiating", "X Negotiating", "Connected, negotiating."),
            (
                "resuming",
                "X Resuming",
                "Reconnected, resuming the session.",
            ),
            (
                "reconnecting",
                "X Reconnecting in 5s",
                "Disconnected, reconnecting in 5 seconds.",
            ),
            ("disconnected", "X-disconnected", "Disconnected."),
            (
                "refused",
                "X Refused: LIMIT: too many sessions",
                "Refused: LIMIT: too many sessions.",
            ),
        ];
        for (name, text, sentence) in cases {
            let link = LinkState::parse(name, 5, "LIMIT: too many sessions").unwrap();
            assert_eq!(link.name(), name);
            // The session below is stale (the transport is down): no "4A", no TLS.
            let oia = Oia {
                connection: Connection::Lu,
                link: Some(link),
                tls: true,
                lock: Some(LockReason::NotConnected),
                ..Oia::default()
            };
            let line = oia.line(80);
            assert_eq!(line[..8].trim(), "", "{name}: {line:?}");
            assert_eq!(
                line[8..].trim_start().split("  ").next(),
                Some(text),
                "{line:?}"
            );
            assert_eq!(oia.describe(), sentence);
        }
        assert_eq!(LinkState::parse("bogus", 0, ""), None);
        // A long reason is cut before the alarm column, with an ellipsis.
        let oia = Oia {
            link: LinkState::parse("refused", 0, &"x".repeat(500)),
            ..Oia::default()
        };
        let line = oia.line(80);
        assert_eq!(line.chars().nth(42), Some('…'));
        assert_eq!(line.chars().nth(43), Some(' '));
    }

    #[test]
    fn connected_sentences_name_the_mode_the_lu_and_the_lock() {
        let mut oia = Oia {
            connection: Connection::Lu,
            link: Some(LinkState::Connected),
            tn3270e: true,
            tls: true,
            lock: Some(LockReason::Protected),
            lu: Some("LU1".into()),
            insert: true,
            typeahead: 2,
            ..Oia::default()
        };
        assert_eq!(
            oia.describe(),
            "Connected, TN3270E LU-LU session, LU LU1, TLS, keyboard locked: X PROT \
             (protected field, press Reset), insert mode, 2 keys typed ahead."
        );
        oia.connection = Connection::Sscp;
        oia.lock = None;
        oia.insert = false;
        oia.typeahead = 0;
        assert_eq!(
            oia.describe(),
            "Connected, TN3270E SSCP-LU session, LU LU1, TLS."
        );
    }
}
