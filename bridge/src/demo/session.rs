//! [`DemoSession`]: one connection of the demo host, sans-IO — a [`HostConnection`] (the
//! host side of telnet/TN3270E negotiation, RFC 854/1576/2355) driving a [`DemoApp`].
//! Bytes from the terminal in, bytes to the terminal out; the server only moves them.
//!
//! Negotiation: TN3270E is offered first (DO TN3270E) with the functions BIND-IMAGE,
//! RESPONSES and SYSREQ; a terminal that refuses falls back to plain TN3270 (TERMINAL-TYPE,
//! EOR, BINARY). Every DEVICE-TYPE REQUEST of an `IBM-` type is accepted with the requested
//! LU name or the session's own. Once in 3270 mode the app starts; in TN3270E with BIND-IMAGE
//! a BIND goes first (default 24×80, alternate "the device's own size", screen-size code
//! X'03', so that IBM-DYNAMIC keeps its size). A client that ends in NVT mode (not a 3270)
//! gets one line of text and the connection closes.
//!
//! Does not own: sockets, timers (the server calls [`DemoSession::query_timeout`] and
//! [`DemoSession::farewell`]), TLS (not offered).

use tn3270::screen::ScreenSize;
use tn3270::tn3270e::consts::{BIND_OFF_SCREEN_SIZE, BIND_SIZE_ALT_DEVICE};
use tn3270::tn3270e::{
    BindImage, DataType, DevicePolicy, Event, Function, FunctionSet, HostConfig, HostConnection,
    Mode, Session,
};

use super::app::{DemoApp, Output, Protocol, TerminalInfo};

/// The TN3270E functions the demo host supports.
pub const DEMO_FUNCTIONS: FunctionSet = FunctionSet::S3270;
/// What a non-3270 (NVT) client is told before the connection closes.
pub const NVT_NOTICE: &[u8] =
    b"This is the web3270 demo host: connect with a TN3270 emulator (x3270, s3270).\r\n";

/// One demo connection: negotiation plus the app.
#[derive(Debug)]
pub struct DemoSession {
    conn: HostConnection,
    terminal_type: Option<String>,
    app: Option<DemoApp>,
    closing: bool,
}

impl DemoSession {
    /// A session whose first output (`DO TN3270E`) is ready; `lu` is the LU name given to a
    /// terminal that asks for none.
    pub fn new(lu: &str) -> DemoSession {
        DemoSession::with_tn3270e(lu, true)
    }

    /// As [`DemoSession::new`]; with `tn3270e` false only plain TN3270 is offered (`DO
    /// TERMINAL-TYPE` first).
    pub fn with_tn3270e(lu: &str, tn3270e: bool) -> DemoSession {
        DemoSession {
            conn: HostConnection::new(HostConfig {
                tn3270e,
                functions: DEMO_FUNCTIONS,
                start_tls: false,
                device_policy: DevicePolicy::Accept {
                    default_lu: lu.to_string(),
                },
            }),
            terminal_type: None,
            app: None,
            closing: false,
        }
    }

    /// Bytes from the terminal. Runs negotiation and the app; the answers go to the output.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.conn.feed(bytes);
        while let Some(event) = self.conn.poll_event() {
            self.handle(event);
        }
    }

    /// The bytes to write to the terminal.
    pub fn pending_output(&self) -> &[u8] {
        self.conn.pending_output()
    }

    /// `n` bytes of [`DemoSession::pending_output`] were written.
    pub fn consume_output(&mut self, n: usize) {
        self.conn.consume_output(n)
    }

    /// All pending output, taken (tests).
    pub fn take_output(&mut self) -> Vec<u8> {
        self.conn.take_output()
    }

    /// Whether the connection should close once the output is written.
    pub fn closing(&self) -> bool {
        self.closing
    }

    /// Whether the app waits for the terminal's Query Reply (the server's cue for
    /// [`DemoSession::query_timeout`]).
    pub fn awaiting_query(&self) -> bool {
        self.app.as_ref().is_some_and(DemoApp::awaiting_query)
    }

    /// The Query Reply did not come in time: start with the model's sizes.
    pub fn query_timeout(&mut self) {
        if let Some(app) = self.app.as_mut() {
            let out = app.query_timeout();
            self.send(out);
        }
    }

    /// A last message on the screen (shutdown, idle timeout), then close.
    pub fn farewell(&mut self, text: &str) {
        match self.app.as_mut() {
            Some(app) => {
                let out = app.farewell(text);
                self.send(out);
            }
            None => self.closing = true,
        }
        self.closing = true;
    }

    /// The app, once the session is in 3270 mode.
    pub fn app(&self) -> Option<&DemoApp> {
        self.app.as_ref()
    }

    /// The negotiated mode.
    pub fn mode(&self) -> Mode {
        self.conn.mode()
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Device { terminal_type, .. } => self.terminal_type = Some(terminal_type),
            Event::ModeChanged(mode) => self.mode_changed(mode),
            Event::Record { header, data } => {
                let is_3270 = header.is_none_or(|h| h.data_type == DataType::Data3270);
                if is_3270 {
                    if let Some(app) = self.app.as_mut() {
                        let out = app.on_record(&data);
                        self.send(out);
                    }
                }
                self.conn.recycle(data);
            }
            Event::Attn => {
                if let Some(app) = self.app.as_mut() {
                    let out = app.on_attn();
                    self.send(out);
                }
            }
            Event::SysReq => {
                if let Some(app) = self.app.as_mut() {
                    let out = app.on_sysreq();
                    self.send(out);
                }
            }
            Event::Error(error) => tracing::debug!(?error, "demo: malformed input dropped"),
            _ => {}
        }
    }

    fn mode_changed(&mut self, mode: Mode) {
        match mode {
            Mode::Nvt if self.app.is_none() => {
                // Not a 3270: say so and close.
                let _ = self.conn.send_nvt(NVT_NOTICE);
                self.closing = true;
            }
            Mode::Tn3270 | Mode::Tn3270e { .. } if self.app.is_none() => {
                let protocol = match mode {
                    Mode::Tn3270e { functions, .. } => Protocol::Tn3270e(functions),
                    _ => Protocol::Tn3270,
                };
                if let Mode::Tn3270e {
                    functions,
                    session: Session::Unbound,
                } = mode
                {
                    if functions.contains(Function::BindImage) {
                        let mut bind = BindImage::encode(ScreenSize::MODEL_2, ScreenSize::MODEL_2);
                        if let Some(b) = bind.get_mut(BIND_OFF_SCREEN_SIZE) {
                            *b = BIND_SIZE_ALT_DEVICE;
                        }
                        if let Err(error) = self.conn.send_record(DataType::BindImage, &bind) {
                            tracing::debug!(?error, "demo: BIND not sent");
                        }
                    }
                }
                let terminal_type = self.terminal_type.clone().unwrap_or_default();
                let term = TerminalInfo::new(&terminal_type, self.conn.lu(), protocol);
                tracing::info!(
                    terminal_type = %term.terminal_type,
                    lu = term.lu.as_deref().unwrap_or("-"),
                    protocol = protocol.short_name(),
                    "demo: session in 3270 mode"
                );
                let mut app = DemoApp::new(term);
                let out = app.start();
                self.app = Some(app);
                self.send(out);
            }
            _ => {}
        }
    }

    fn send(&mut self, out: Output) {
        for record in &out.records {
            if let Err(error) = self.conn.send_record(DataType::Data3270, record) {
                tracing::debug!(?error, "demo: record not sent");
            }
        }
        if out.close {
            self.closing = true;
        }
    }
}
