//! The whole terminal, sans-IO: a client [`ClientConnection`], the [`Screen`], the data
//! stream, the [`Keyboard`] and the code page wired together. This is what the browser
//! client, the bridge's screen mirror, `web3270 replay` and the conformance tests' driver run.
//!
//! Feed it the host's bytes with [`Terminal::feed`], drain [`TerminalEvent`]s with
//! [`Terminal::poll_event`], press keys with [`Terminal::key`], and write
//! [`Terminal::take_output`] to the host. It owns no socket and no clock.
//!
//! Behind a bridge that terminated telnet (the browser), build it with
//! [`Terminal::for_records`] instead: host records go in with [`Terminal::feed_record`] and
//! what the operator sends comes out of [`Terminal::poll_outbound`] (see the `link` module).
//!
//! What it adds to the layers below:
//! - 3270-DATA records go to [`datastream::process`]; its read requests are answered with the
//!   `input::inbound` records, Query Replies are sent as built; a keyboard restore replays the
//!   type-ahead queue.
//! - TN3270E responses are decided here (not by the connection): a positive response when the
//!   host asked ALWAYS-RESPONSE and the record applied, a negative one (COMMAND-REJECT for an
//!   unknown command, OPERATION-CHECK for bad data) when it asked for any response and the
//!   record failed, as RFC 2355 §8 describes.
//! - BIND-IMAGE resizes the screen; SSCP-LU-DATA is shown as unformatted text and the keyboard
//!   enters SSCP-LU mode.
//!
//! Deviations: NVT data (hosts that never enter 3270 mode) is passed on as
//! [`TerminalEvent::Nvt`] but not drawn on the 3270 screen; SCS and printer data types are
//! ignored (this is a display terminal).

mod link;
pub mod model;

use std::collections::VecDeque;

pub use link::{Outbound, MAX_OUTBOUND};
pub use model::{ModelError, TerminalModel};

use crate::aid::Aid;
use crate::builder::reply::InboundRecord;
use crate::codepage::{CodePage, CP037};
use crate::datastream::{self, Capabilities, DataStreamError, ReadKind, Reply};
use crate::input::{inbound, Key, KeyOutcome, Keyboard};
use crate::screen::text::FieldInfo;
use crate::screen::{LockReason, Screen};
use crate::tn3270e::{
    self, ClientConfig, ClientConnection, DataType, Event, Header, Mode, NegativeReason, Response,
};

/// EBCDIC NL, which starts a new line in SSCP-LU data.
const EBCDIC_NL: u8 = 0x15;

/// How the terminal presents itself.
#[derive(Debug, Clone)]
pub struct TerminalConfig {
    /// Model, oversize and terminal type name.
    pub model: TerminalModel,
    /// The host code page.
    pub code_page: &'static CodePage,
    /// LU name to ask for (TN3270E CONNECT or `TYPE@LU`).
    pub lu: Option<String>,
    /// Accept TN3270E when the host offers it.
    pub tn3270e: bool,
    /// NEW-ENVIRON USER.
    pub user: Option<String>,
    /// Numeric lock on numeric fields (on by default).
    pub numeric_lock: bool,
    /// The IO layer can do TLS (accept the host's DO START-TLS).
    pub start_tls: bool,
}

impl Default for TerminalConfig {
    fn default() -> Self {
        TerminalConfig {
            model: TerminalModel::default(),
            code_page: &CP037,
            lu: None,
            tn3270e: true,
            user: None,
            numeric_lock: true,
            start_tls: false,
        }
    }
}

/// Something the user of a terminal may want to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TerminalEvent {
    /// Negotiation or session state changed (NVT, 3270, TN3270E, LU-LU/SSCP-LU).
    ModeChanged(Mode),
    /// The host agreed a device type and LU.
    Device {
        /// Terminal type.
        terminal_type: String,
        /// LU name, if any.
        lu: Option<String>,
    },
    /// A host record (any data type, BIND and UNBIND included) was processed: one event per
    /// record ended by IAC EOR. Redraw.
    RecordApplied,
    /// The host sounded the alarm.
    Alarm,
    /// NVT (line mode) data from the host.
    Nvt(Vec<u8>),
    /// START-TLS: write the output, do the TLS handshake, then call
    /// [`Terminal::tls_established`] and feed what [`Terminal::feed`] did not consume.
    StartTls,
    /// A host record or negotiation step was malformed; the terminal goes on.
    Error(TerminalError),
}

/// A malformed input, reported and survived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerminalError {
    /// The 3270 data stream record was bad (what was applied before the error stays).
    DataStream(DataStreamError),
    /// The telnet/TN3270E layer dropped something.
    Connection(tn3270e::Error),
}

impl std::fmt::Display for TerminalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TerminalError::DataStream(e) => write!(f, "data stream: {e}"),
            TerminalError::Connection(e) => write!(f, "connection: {e:?}"),
        }
    }
}

impl std::error::Error for TerminalError {}

/// A terminal: connection, screen, keyboard and code page.
#[derive(Debug)]
pub struct Terminal {
    link: link::Link,
    screen: Screen,
    keyboard: Keyboard,
    caps: Capabilities,
    model: TerminalModel,
    code_page: &'static CodePage,
    events: VecDeque<TerminalEvent>,
    scratch: Vec<u8>,
}

impl Terminal {
    /// A disconnected terminal (keyboard locked "not connected").
    pub fn new(config: TerminalConfig) -> Terminal {
        let model = config.model.clone();
        let caps = capabilities(&model, config.code_page);
        let conn = ClientConnection::new(ClientConfig {
            terminal_type: model.terminal_type(),
            lu: config.lu.clone(),
            tn3270e: config.tn3270e,
            start_tls: config.start_tls,
            user: config.user.clone(),
            auto_respond: false,
            ..ClientConfig::default()
        });
        Terminal::with_link(config, link::Link::Telnet(Box::new(conn)), caps, model)
    }

    /// A terminal that exchanges **records** with a bridge which terminated telnet/TN3270E
    /// upstream (the browser): host records go in with [`Terminal::feed_record`], what the
    /// operator sends comes out of [`Terminal::poll_outbound`]. `mode` and `lu` are what the
    /// bridge reported; [`Terminal::set_mode`] follows later changes. The keyboard waits for
    /// the host's first write.
    pub fn for_records(config: TerminalConfig, mode: Mode, lu: Option<String>) -> Terminal {
        let model = config.model.clone();
        let caps = capabilities(&model, config.code_page);
        let link = link::Link::Records {
            mode,
            lu,
            out: VecDeque::new(),
        };
        let mut t = Terminal::with_link(config, link, caps, model);
        t.connected();
        t
    }

    fn with_link(
        config: TerminalConfig,
        link: link::Link,
        caps: Capabilities,
        model: TerminalModel,
    ) -> Terminal {
        let mut keyboard = Keyboard::new();
        keyboard.set_numeric_lock(config.numeric_lock);
        Terminal {
            link,
            screen: caps.new_screen(),
            keyboard,
            caps,
            model,
            code_page: config.code_page,
            events: VecDeque::new(),
            scratch: Vec::new(),
        }
    }

    /// The transport is up: the keyboard waits for the host's first write.
    pub fn connected(&mut self) {
        self.screen.set_lock(Some(LockReason::AwaitingFirst));
    }

    /// The transport is gone: the keyboard locks "not connected".
    pub fn disconnected(&mut self) {
        self.screen.set_lock(Some(LockReason::NotConnected));
    }

    /// Feeds bytes from the host. Returns how many were consumed: all of them, except after
    /// [`TerminalEvent::StartTls`], where the rest belongs to the TLS layer.
    ///
    /// Each event is handled before the bytes after it are processed, so replies to a
    /// record go out before the answers to negotiation that followed it, however the input
    /// is chunked.
    pub fn feed(&mut self, input: &[u8]) -> usize {
        if self.screen.lock() == Some(LockReason::NotConnected) {
            self.connected();
        }
        let mut pos = 0;
        while let Some(rest) = input.get(pos..).filter(|r| !r.is_empty()) {
            let link::Link::Telnet(conn) = &mut self.link else {
                // Record mode has no telnet stream to feed.
                return 0;
            };
            let n = conn.feed_until_event(rest);
            pos += n;
            let mut handled = false;
            while let Some(ev) = self.telnet_event() {
                self.handle(ev);
                handled = true;
            }
            if n == 0 && !handled {
                // Waiting for the TLS handshake.
                break;
            }
        }
        pos
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<TerminalEvent> {
        self.events.pop_front()
    }

    /// Record mode: applies one host record of a TN3270E data type (3270-DATA, SSCP-LU-DATA,
    /// NVT-DATA, BIND-IMAGE, UNBIND; others are ignored), exactly as if it had arrived over
    /// telnet. Replies and typed records come out of [`Terminal::poll_outbound`].
    pub fn feed_record(&mut self, data_type: DataType, data: &[u8]) {
        self.feed_framed(Header::new(data_type, 0), data);
    }

    /// Record mode: like [`Terminal::feed_record`], with the TN3270E header the host sent
    /// (its data type, SEQ-NUMBER and RESPONSE-FLAG). When the header asks for a response,
    /// the terminal decides it as a real terminal would: positive for ALWAYS-RESPONSE when the
    /// record applied; negative (command reject for an unknown command or an empty record,
    /// operation check for any other data stream error) for ALWAYS- or ERROR-RESPONSE when it
    /// did not. The answer comes out of [`Terminal::poll_outbound`] as [`Outbound::Response`].
    pub fn feed_framed(&mut self, header: Header, data: &[u8]) {
        let data_type = header.data_type;
        match data_type {
            DataType::BindImage => match tn3270e::BindImage::parse(data) {
                Ok(bind) => self.handle(Event::Bind(bind)),
                Err(e) => self
                    .events
                    .push_back(TerminalEvent::Error(TerminalError::Connection(e))),
            },
            DataType::Unbind => self.handle(Event::Unbind {
                reason: data.first().copied(),
            }),
            _ => self.record(Some(header), data),
        }
    }

    /// Record mode, a mirror of a terminal driven elsewhere (the bridge's mirror of a browser
    /// or a TN3270 client): applies the 3270-DATA record that terminal sent — its fields'
    /// text, MDTs, cursor and keyboard lock ([`crate::input::sent`]). A record that does not
    /// parse, and other data types, change nothing.
    pub fn note_sent(&mut self, data_type: DataType, data: &[u8]) {
        if data_type != DataType::Data3270 {
            return;
        }
        if let Ok(record) = InboundRecord::parse(data, self.caps.addressing) {
            crate::input::sent::apply_sent(&mut self.screen, &record);
        }
    }

    /// Record mode: the next record or signal to send to the bridge.
    pub fn poll_outbound(&mut self) -> Option<Outbound> {
        match &mut self.link {
            link::Link::Records { out, .. } => out.pop_front(),
            link::Link::Telnet(_) => None,
        }
    }

    /// Record mode: the session state changed (the bridge says so, e.g. SSCP-LU after UNBIND).
    pub fn set_mode(&mut self, mode: Mode) {
        if let link::Link::Records { mode: m, .. } = &mut self.link {
            *m = mode;
        }
        self.handle(Event::ModeChanged(mode));
    }

    fn telnet_event(&mut self) -> Option<Event> {
        match &mut self.link {
            link::Link::Telnet(conn) => conn.poll_event(),
            link::Link::Records { .. } => None,
        }
    }

    /// Everything to write to the host, taken.
    pub fn take_output(&mut self) -> Vec<u8> {
        match &mut self.link {
            link::Link::Telnet(conn) => conn.take_output(),
            link::Link::Records { .. } => Vec::new(),
        }
    }

    /// The bytes to write to the host, not yet taken (see [`Terminal::consume_output`]).
    pub fn pending_output(&self) -> &[u8] {
        match &self.link {
            link::Link::Telnet(conn) => conn.pending_output(),
            link::Link::Records { .. } => &[],
        }
    }

    /// Marks `n` bytes of [`Terminal::pending_output`] as written.
    pub fn consume_output(&mut self, n: usize) {
        if let link::Link::Telnet(conn) = &mut self.link {
            conn.consume_output(n)
        }
    }

    /// The TLS handshake after START-TLS is done.
    pub fn tls_established(&mut self) {
        if let link::Link::Telnet(conn) = &mut self.link {
            conn.tls_established()
        }
    }

    /// Presses a key. An AID key sends its inbound record; ATTN and SYSREQ go out as telnet
    /// signals; while the keyboard is locked by the host, keys queue (type-ahead).
    pub fn key(&mut self, key: Key) -> KeyOutcome {
        self.scratch.clear();
        let mut scratch = std::mem::take(&mut self.scratch);
        let outcome = self
            .keyboard
            .key(&mut self.screen, key, self.code_page, &mut scratch);
        self.after_key(outcome, &scratch);
        self.scratch = scratch;
        outcome
    }

    /// Types a string at the cursor, key by key (`\n` is Newline, `\t` Tab). Stops at the
    /// first key that locks the keyboard or is refused, and returns its outcome.
    pub fn type_text(&mut self, text: &str) -> KeyOutcome {
        let mut last = KeyOutcome::Nothing;
        for c in text.chars() {
            let key = match c {
                '\n' => Key::Newline,
                '\t' => Key::Tab,
                c => Key::Char(c),
            };
            last = self.key(key);
            if matches!(last, KeyOutcome::Locked(_) | KeyOutcome::Refused(_)) {
                break;
            }
        }
        last
    }

    /// The screen.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The keyboard (insert mode, type-ahead).
    pub fn keyboard(&self) -> &Keyboard {
        &self.keyboard
    }

    /// The connection mode.
    pub fn mode(&self) -> Mode {
        self.link.mode()
    }

    /// The agreed LU, if any.
    pub fn lu(&self) -> Option<&str> {
        self.link.lu()
    }

    /// The terminal type sent to the host.
    pub fn terminal_type(&self) -> String {
        self.model.terminal_type()
    }

    /// The session's code page.
    pub fn code_page(&self) -> &'static CodePage {
        self.code_page
    }

    /// The capabilities the data stream is interpreted with.
    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// The screen rows as s3270's `Ascii()` prints them.
    pub fn text_rows(&self) -> Vec<String> {
        self.screen
            .to_text(self.code_page)
            .split('\n')
            .map(str::to_string)
            .collect()
    }

    /// A self-contained picture of the screen for JSON export and comparisons.
    pub fn snapshot(&self) -> Snapshot {
        let (row, col) = self.screen.row_col(self.screen.cursor());
        Snapshot {
            rows: self.screen.rows(),
            cols: self.screen.cols(),
            cursor: CursorPosition { row, col },
            text: self.text_rows(),
            fields: self.screen.field_infos(),
        }
    }

    fn handle(&mut self, ev: Event) {
        match ev {
            Event::Record { header, data } => {
                self.record(header, &data);
                if let link::Link::Telnet(conn) = &mut self.link {
                    conn.recycle(data);
                }
            }
            Event::ModeChanged(mode) => {
                if !matches!(
                    mode,
                    Mode::Tn3270e {
                        session: tn3270e::Session::SscpLu,
                        ..
                    }
                ) {
                    self.keyboard.set_sscp_lu(None);
                }
                self.events.push_back(TerminalEvent::ModeChanged(mode));
            }
            Event::Device { terminal_type, lu } => {
                self.events
                    .push_back(TerminalEvent::Device { terminal_type, lu });
            }
            Event::Bind(bind) => {
                // Sizes the BIND leaves open are the model's; sizes past what 14-bit
                // addressing reaches are ignored (the model's are kept), as x3270 does.
                let fits = |s: &crate::screen::ScreenSize| {
                    s.cells() > 0 && s.cells() <= crate::address::MAX_14BIT_CELLS
                };
                let default = bind
                    .default_size
                    .filter(fits)
                    .unwrap_or(self.model.default_size());
                let alternate = bind
                    .alternate_size
                    .filter(fits)
                    .unwrap_or(self.model.alternate_size());
                self.caps.default_size = default;
                self.caps.alternate_size = alternate;
                let lock = self.screen.lock();
                self.screen.resize(default, alternate);
                self.screen.set_lock(lock);
                self.events.push_back(TerminalEvent::RecordApplied);
            }
            Event::Unbind { .. } => {
                self.screen.erase(false);
                self.screen.set_lock(Some(LockReason::AwaitingFirst));
                self.events.push_back(TerminalEvent::RecordApplied);
            }
            Event::NvtData(data) => self.events.push_back(TerminalEvent::Nvt(data)),
            Event::StartTls => self.events.push_back(TerminalEvent::StartTls),
            Event::Error(e) => self
                .events
                .push_back(TerminalEvent::Error(TerminalError::Connection(e))),
            Event::Response { .. } => self.events.push_back(TerminalEvent::RecordApplied),
            Event::DeviceRejected(_)
            | Event::TimingMark
            | Event::DeviceRequested { .. }
            | Event::Attn
            | Event::SysReq => {}
        }
    }

    fn record(&mut self, header: Option<Header>, data: &[u8]) {
        let data_type = header.map_or(DataType::Data3270, |h| h.data_type);
        match data_type {
            DataType::Data3270 => {
                let result = datastream::process(&mut self.screen, data, &self.caps);
                self.respond(header, result.as_ref().err());
                match result {
                    Ok(outcome) => {
                        self.keyboard.host_wrote();
                        for reply in outcome.replies {
                            self.reply(reply);
                        }
                        if outcome.keyboard_restored {
                            self.scratch.clear();
                            let mut scratch = std::mem::take(&mut self.scratch);
                            let replayed = self.keyboard.unlocked(
                                &mut self.screen,
                                self.code_page,
                                &mut scratch,
                            );
                            self.after_key(replayed, &scratch);
                            self.scratch = scratch;
                        }
                    }
                    Err(e) => self
                        .events
                        .push_back(TerminalEvent::Error(TerminalError::DataStream(e))),
                }
                if self.screen.take_alarm() {
                    self.events.push_back(TerminalEvent::Alarm);
                }
                self.events.push_back(TerminalEvent::RecordApplied);
            }
            DataType::SscpLuData => {
                self.respond(header, None);
                self.sscp_lu(data);
                self.events.push_back(TerminalEvent::RecordApplied);
            }
            DataType::NvtData => {
                self.respond(header, None);
                self.events.push_back(TerminalEvent::Nvt(data.to_vec()));
                self.events.push_back(TerminalEvent::RecordApplied);
            }
            _ => {
                self.respond(header, None);
                self.events.push_back(TerminalEvent::RecordApplied);
            }
        }
    }

    fn respond(&mut self, header: Option<Header>, error: Option<&DataStreamError>) {
        let Some(h) = header else { return };
        let response = match error {
            None if h.wants_always_response() => Response::Positive,
            None => return,
            Some(e) if h.wants_always_response() || h.wants_error_response() => {
                Response::Negative(match e {
                    DataStreamError::UnknownCommand(_) | DataStreamError::EmptyRecord => {
                        NegativeReason::CommandReject
                    }
                    _ => NegativeReason::OperationCheck,
                })
            }
            Some(_) => return,
        };
        self.link.send_response(h.seq, response);
    }

    fn reply(&mut self, reply: Reply) {
        self.scratch.clear();
        match reply {
            Reply::QueryReply(bytes) => self.scratch.extend_from_slice(&bytes),
            Reply::Read(req) => {
                let mode = self.keyboard.addressing();
                match req.kind {
                    ReadKind::Buffer => {
                        inbound::read_buffer(&self.screen, req.aid, mode, &mut self.scratch)
                    }
                    ReadKind::Modified => inbound::read_modified(
                        &self.screen,
                        req.aid,
                        false,
                        mode,
                        &mut self.scratch,
                    ),
                    ReadKind::ModifiedAll => {
                        inbound::read_modified(&self.screen, req.aid, true, mode, &mut self.scratch)
                    }
                }
            }
        }
        let _ = self.link.send_record(DataType::Data3270, &self.scratch);
    }

    fn after_key(&mut self, outcome: KeyOutcome, record: &[u8]) {
        match outcome {
            KeyOutcome::Sent(aid) => {
                let data_type = if self.keyboard.sscp_lu().is_some() {
                    DataType::SscpLuData
                } else {
                    DataType::Data3270
                };
                if self.link.send_record(data_type, record).is_err() {
                    self.screen.set_lock(Some(LockReason::NotConnected));
                }
                if aid == Aid::Clear {
                    self.events.push_back(TerminalEvent::RecordApplied);
                }
            }
            KeyOutcome::Attn => {
                // TN3270E (RFC 2355 §10.4): ATTN is IAC IP, meaningful only on a session bound
                // with the BIND-IMAGE function; elsewhere in TN3270E it is refused "X -f", as
                // s3270 does. Plain TN3270 sends IAC BREAK (RFC 1576).
                let allowed = match self.link.mode() {
                    Mode::Tn3270e {
                        functions, session, ..
                    } => {
                        functions.contains(tn3270e::Function::BindImage)
                            && session != tn3270e::Session::Unbound
                    }
                    _ => true,
                };
                if allowed {
                    let _ = self.link.send_attn();
                } else {
                    self.screen.set_lock(Some(LockReason::MinusFunction));
                }
            }
            KeyOutcome::SysReq if self.tn3270e_without_sysreq() => {
                // TN3270E without the SYSREQ function has no way to signal SYS REQ (RFC 2355
                // §10.5); s3270 sends nothing, and so do we.
            }
            KeyOutcome::SysReq => {
                // With the TN3270E SYSREQ function, SYS REQ is IAC AO and toggles the session;
                // otherwise it sends the Test Request Read record, an attention like any AID:
                // the keyboard waits for the host (GA23-0059 §3.5; s3270 locks it too).
                let toggles = matches!(
                    self.link.mode(),
                    Mode::Tn3270e { functions, .. } if functions.contains(tn3270e::Function::Sysreq)
                );
                if self.link.send_sysreq().is_ok() && !toggles {
                    self.screen.set_lock(Some(LockReason::SystemWait));
                }
            }
            _ => {}
        }
    }

    fn tn3270e_without_sysreq(&self) -> bool {
        matches!(
            self.link.mode(),
            Mode::Tn3270e { functions, .. } if !functions.contains(tn3270e::Function::Sysreq)
        )
    }

    /// SSCP-LU data: text written at the cursor on an unformatted screen, NL starting a new
    /// line (scrolling at the bottom); then the keyboard takes input after it.
    fn sscp_lu(&mut self, data: &[u8]) {
        if self.keyboard.sscp_lu().is_none() {
            self.screen.erase(false);
        }
        let cols = self.screen.cols();
        for &b in data {
            let at = self.screen.cursor();
            if b == EBCDIC_NL {
                let next = (at / cols + 1) * cols;
                if next >= self.screen.len() {
                    self.scroll_up();
                    self.screen.set_cursor(self.screen.len() - cols);
                } else {
                    self.screen.set_cursor(next);
                }
                continue;
            }
            let cell = self.screen.cell_mut(at);
            cell.ch = b;
            cell.fa = None;
            if at + 1 >= self.screen.len() {
                self.scroll_up();
                self.screen.set_cursor(self.screen.len() - cols);
            } else {
                self.screen.set_cursor(at + 1);
            }
        }
        self.keyboard.set_sscp_lu(Some(self.screen.cursor()));
        self.screen.set_lock(None);
    }

    fn scroll_up(&mut self) {
        let cols = self.screen.cols();
        let cells = self.screen.cells_mut();
        cells.copy_within(cols.., 0);
        let n = cells.len();
        for c in &mut cells[n - cols..] {
            *c = crate::screen::Cell::NULL;
        }
    }
}

/// What a terminal of `model` answers and how it reads the data stream. The keyboard
/// enforces mandatory fill/entry and trigger fields, so the Query Reply says so (Field
/// Validation, GA23-0059 ch. 6); x3270 does not.
fn capabilities(model: &TerminalModel, code_page: &CodePage) -> Capabilities {
    Capabilities {
        field_validation: true,
        ..Capabilities::for_model(model.model, model.color, model.extended, code_page)
            .with_alternate_size(model.alternate_size())
    }
}

/// A cursor position, 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CursorPosition {
    /// Row.
    pub row: usize,
    /// Column.
    pub col: usize,
}

/// The screen as `web3270 replay --format json` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Snapshot {
    /// Rows in force.
    pub rows: usize,
    /// Columns in force.
    pub cols: usize,
    /// Cursor.
    pub cursor: CursorPosition,
    /// One string per row, as s3270's `Ascii()`.
    pub text: Vec<String>,
    /// Fields with their attributes.
    pub fields: Vec<FieldInfo>,
}

#[cfg(test)]
mod tests;
