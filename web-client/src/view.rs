//! Glue between a [`Terminal`] and the presentation models: the [`Oia`] it shows.
//!
//! Owns: the mapping of the connection mode (RFC 2355 session states, plain TN3270, NVT) to
//! the OIA's connection indicator. Does not own: the states (`tn3270::terminal`), nor what
//! only the page knows (transport state, TLS) or the painter tracks (the alarm): the
//! browser layer adds those.

use tn3270::screen::LockReason;
use tn3270::terminal::Terminal;
use tn3270::tn3270e::{Mode, Session};

use crate::oia::{Connection, Oia};

/// The OIA model of a terminal.
pub fn oia(t: &Terminal) -> Oia {
    let screen = t.screen();
    let connection = if screen.lock() == Some(LockReason::NotConnected) {
        Connection::Disconnected
    } else {
        match t.mode() {
            Mode::Negotiating => Connection::Negotiating,
            Mode::Nvt => Connection::Nvt,
            Mode::Tn3270 => Connection::Lu,
            Mode::Tn3270e { session, .. } => match session {
                Session::SscpLu => Connection::Sscp,
                Session::Nvt => Connection::Nvt,
                Session::LuLu | Session::Unbound => Connection::Lu,
            },
        }
    };
    Oia {
        connection,
        link: None,
        tn3270e: matches!(t.mode(), Mode::Tn3270e { .. }),
        tls: false,
        alarm: false,
        lock: screen.lock(),
        insert: t.keyboard().insert_mode(),
        typeahead: t.keyboard().typeahead_len(),
        lu: t.lu().map(str::to_string),
        cursor: screen.row_col(screen.cursor()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;
    use tn3270::codepage::CP037;
    use tn3270::input::Key;
    use tn3270::screen::ScreenSize;
    use tn3270::terminal::{TerminalConfig, TerminalModel};

    #[test]
    fn oia_follows_the_terminal_from_disconnected_to_x_prot() {
        let mut t = Terminal::new(TerminalConfig {
            model: TerminalModel::parse("3279-2-E").unwrap(),
            ..TerminalConfig::default()
        });
        assert_eq!(oia(&t).connection, Connection::Disconnected);
        assert!(oia(&t).line(80).contains("X-disconnected"));
        t.feed(&demo::host_bytes(ScreenSize::MODEL_2, &CP037));
        let o = oia(&t);
        assert_eq!(
            (o.connection, o.lock, o.cursor),
            (Connection::Lu, None, (3, 25))
        );
        t.key(Key::ToggleInsert);
        assert!(oia(&t).insert);
        // Up moves into protected text; typing there locks X PROT.
        t.key(Key::Up);
        t.key(Key::Char('x'));
        assert!(oia(&t).line(80).contains("X PROT"));
        t.key(Key::Reset);
        t.key(Key::Down);
        t.key(Key::Enter);
        assert!(oia(&t).line(80).contains("X SYSTEM"));
    }
}
