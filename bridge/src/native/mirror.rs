//! A native session's screen mirror: a record-mode `tn3270` terminal that follows what the
//! host sends the TN3270 client (records, BIND, UNBIND, mode changes), so that the REST API
//! can show a native session's screen as it shows a browser's (`GET .../screen`). It only
//! follows: its query replies and responses are dropped (the client answers the host). What
//! the client sends is applied as it was sent (fields, cursor, lock; `tn3270::input::sent`),
//! not keystroke by keystroke.

use tn3270::codepage::CodePage;
use tn3270::terminal::{Terminal, TerminalConfig, TerminalEvent, TerminalModel};
use tn3270::tn3270e::{DataType, Event, Mode};

use crate::api::screen::ScreenView;
use crate::upstream::UpstreamEvent;

/// The mirror of one native session.
#[derive(Debug)]
pub struct Mirror {
    term: Terminal,
    /// Whether the last host write sounded the alarm.
    alarm: bool,
}

/// The model a terminal type names (`IBM-3278-2-E` → 3278-2-E); the core's default for one
/// that names none (`IBM-DYNAMIC`: the BIND sets the sizes).
pub fn model_of(terminal_type: &str) -> TerminalModel {
    let name = terminal_type
        .strip_prefix("IBM-")
        .or_else(|| terminal_type.strip_prefix("ibm-"))
        .unwrap_or(terminal_type);
    TerminalModel::parse(name).unwrap_or_default()
}

impl Mirror {
    /// A mirror for a session with the host in `mode`, LU `lu`, decoding with `code_page`
    /// (CP037 when `None`).
    pub fn new(
        model: TerminalModel,
        mode: Mode,
        lu: Option<String>,
        code_page: Option<&'static CodePage>,
    ) -> Mirror {
        let mut config = TerminalConfig {
            model,
            ..TerminalConfig::default()
        };
        if let Some(cp) = code_page {
            config.code_page = cp;
        }
        Mirror {
            term: Terminal::for_records(config, mode, lu),
            alarm: false,
        }
    }

    /// Follows one host event (before it is relayed to the client).
    pub fn follow(&mut self, ev: &UpstreamEvent) {
        match ev {
            UpstreamEvent::Record {
                data_type, data, ..
            } => self.term.feed_record(*data_type, data),
            UpstreamEvent::Bind(bind) => self.term.feed_record(DataType::BindImage, &bind.raw),
            UpstreamEvent::Unbind { reason } => {
                let data: Vec<u8> = reason.iter().copied().collect();
                self.term.feed_record(DataType::Unbind, &data);
            }
            UpstreamEvent::ModeChanged(mode) => self.term.set_mode(*mode),
            UpstreamEvent::Response { .. } | UpstreamEvent::Closed { .. } => return,
        }
        // The client answers the host: the mirror's own answers are dropped.
        while self.term.poll_outbound().is_some() {}
        let mut alarm = false;
        while let Some(event) = self.term.poll_event() {
            alarm |= matches!(event, TerminalEvent::Alarm);
        }
        if matches!(ev, UpstreamEvent::Record { .. }) {
            self.alarm = alarm;
        }
    }

    /// Follows what the client sent the host: its 3270-DATA records' fields, cursor and lock
    /// (`Terminal::note_sent`), so that the mirror shows what the client's screen shows.
    pub fn sent(&mut self, ev: &Event) {
        if let Event::Record { header, data } = ev {
            let data_type = header.map_or(DataType::Data3270, |h| h.data_type);
            self.term.note_sent(data_type, data);
        }
    }

    /// The screen now, for session `id`.
    pub fn view(&self, id: &str) -> ScreenView {
        ScreenView::of(&self.term, id, self.alarm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_types_name_models() {
        let m = model_of("IBM-3278-2-E");
        assert!(!m.color);
        assert_eq!(m.model, 2);
        assert_eq!(model_of("IBM-3279-5-E").model, 5);
        assert_eq!(model_of("IBM-DYNAMIC"), TerminalModel::default());
        assert_eq!(model_of("garbage"), TerminalModel::default());
    }
}
