//! A test browser: the websocket plus the core's record-mode `Terminal`, fed with the binary
//! messages and answering through `poll_outbound`, as the web client does. Not here: opening
//! the websocket (`ws`).

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tn3270::input::Key;
use tn3270::terminal::{Outbound, Terminal, TerminalConfig, TerminalModel};
use tn3270::tn3270e::DataType;
use tokio_tungstenite::tungstenite::Message;

use super::ws::{mode_of, next, next_json, send_json, Ws};

/// A browser: the websocket plus the core's record-mode terminal.
pub struct Browser {
    /// The websocket.
    pub ws: Ws,
    /// The terminal fed with host records.
    pub term: Terminal,
    /// The `session` message.
    pub session: Value,
}

impl Browser {
    /// Says `hello` on `ws`; asserts the `session` answer.
    pub async fn open(mut ws: Ws, hello: Value) -> Browser {
        send_json(&mut ws, hello).await;
        let session = next_json(&mut ws).await;
        assert_eq!(session["type"], "session", "{session}");
        let config = TerminalConfig {
            model: TerminalModel::parse(session["model"].as_str().unwrap()).unwrap(),
            ..TerminalConfig::default()
        };
        let lu = session["lu"].as_str().map(str::to_owned);
        Browser {
            term: Terminal::for_records(config, mode_of(&session), lu),
            ws,
            session,
        }
    }

    /// Sends what the terminal has to send (query replies, typed records).
    pub async fn flush(&mut self) {
        while let Some(out) = self.term.poll_outbound() {
            let msg = match out {
                Outbound::Record { data_type, data } => {
                    let mut bytes = vec![data_type.byte()];
                    bytes.extend_from_slice(&data);
                    Message::Binary(bytes.into())
                }
                Outbound::Attn => Message::Text(json!({"type": "attn"}).to_string().into()),
                Outbound::SysReq => Message::Text(json!({"type": "sysreq"}).to_string().into()),
                // Never made: the browser is fed records without their TN3270E headers.
                Outbound::Response { .. } => continue,
            };
            self.ws.send(msg).await.unwrap();
        }
    }

    /// Applies host messages (answering as it goes) until `done` holds for the terminal;
    /// any text but a mode change fails the test.
    pub async fn until(&mut self, what: &str, done: impl Fn(&Terminal) -> bool) {
        while !done(&self.term) {
            match next(&mut self.ws).await {
                Message::Binary(b) => {
                    let (&code, record) = b.split_first().unwrap();
                    self.term
                        .feed_record(DataType::from_byte(code).unwrap(), record);
                    while self.term.poll_event().is_some() {}
                    self.flush().await;
                }
                Message::Text(t) => {
                    let v: Value = serde_json::from_str(t.as_str()).unwrap();
                    assert_eq!(v["state"], "mode", "unexpected {v} waiting for {what}");
                    self.term.set_mode(mode_of(&v));
                }
                other => panic!("{other:?} while waiting for {what}"),
            }
        }
    }

    /// Applies host messages until the screen shows `needle`.
    pub async fn until_shows(&mut self, needle: &str) {
        self.until(needle, |t| t.text_rows().iter().any(|r| r.contains(needle)))
            .await
    }

    /// Types `text` (`\t` is Tab), presses `key` and sends.
    pub async fn type_and_send(&mut self, text: &str, key: Key) {
        self.term.type_text(text);
        self.term.key(key);
        self.flush().await;
    }

    /// The next raw websocket message (no timeout; `None` when closed).
    pub async fn ws_next(
        &mut self,
    ) -> Option<Result<Message, tokio_tungstenite::tungstenite::Error>> {
        self.ws.next().await
    }

    /// The screen rows as s3270's `Ascii()` prints them.
    pub fn rows(&self) -> Vec<String> {
        self.term.text_rows()
    }

    /// The cursor (row, col), 0-based.
    pub fn cursor(&self) -> (usize, usize) {
        let c = self.term.snapshot().cursor;
        (c.row, c.col)
    }

    /// Reads until the session's last status (the first text that is not a mode change or a
    /// warning), feeding the host's records to the terminal without answering; returns it.
    pub async fn end_status(&mut self) -> Value {
        loop {
            match next(&mut self.ws).await {
                Message::Binary(b) => {
                    let (&code, record) = b.split_first().unwrap();
                    self.term
                        .feed_record(DataType::from_byte(code).unwrap(), record);
                }
                Message::Text(t) => {
                    let v: Value = serde_json::from_str(t.as_str()).unwrap();
                    let warning = v["type"] == "warning" || v["type"] == "warning_cleared";
                    if v["state"] != "mode" && !warning {
                        return v;
                    }
                }
                other => panic!("{other:?} before the last status"),
            }
        }
    }
}

/// After a resume's `session` message: the snapshot the bridge sends (the BIND-IMAGE when
/// bound, then one 3270-DATA record redrawing its mirror) applied to a fresh 3279-2-E
/// record-mode terminal. Anything else first is a failure.
pub async fn read_snapshot(ws: &mut Ws) -> Terminal {
    let mut term = Terminal::for_records(
        TerminalConfig {
            model: TerminalModel::parse("3279-2-E").unwrap(),
            ..TerminalConfig::default()
        },
        tn3270::tn3270e::Mode::Tn3270,
        None,
    );
    loop {
        match next(ws).await {
            Message::Binary(bytes) => {
                let (&code, record) = bytes.split_first().unwrap();
                let data_type = DataType::from_byte(code).unwrap();
                term.feed_record(data_type, record);
                if data_type == DataType::Data3270 {
                    return term;
                }
            }
            other => panic!("expected the snapshot, got {other:?}"),
        }
    }
}
