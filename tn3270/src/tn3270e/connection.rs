//! The sans-IO TN3270/TN3270E connection state machines, terminal side
//! ([`ClientConnection`]) and host side ([`HostConnection`]), sharing one engine.
//!
//! Negotiation seen from each side (RFC 2355 §7; RFC 1576 for plain
//! TN3270):
//!
//! ```text
//! host                                   client
//! DO TN3270E                     ──▶
//!                                ◀──     WILL TN3270E        (WONT: fall back, DO TTYPE)
//! SB TN3270E SEND DEVICE-TYPE    ──▶
//!                                ◀──     DEVICE-TYPE REQUEST <type> [CONNECT <lu>]
//! DEVICE-TYPE IS <type> CONNECT <lu> ─▶  (or DEVICE-TYPE REJECT REASON <code>)
//!                                ◀──     FUNCTIONS REQUEST <list>
//! FUNCTIONS IS <list>            ──▶     (or FUNCTIONS REQUEST <subset> until agreed)
//! [BIND-IMAGE] 3270-DATA records ◀─▶     records with the 5-byte header
//!
//! plain TN3270: DO TTYPE / WILL TTYPE / SB TTYPE SEND / SB TTYPE IS <type>[@<lu>] /
//!               DO EOR, WILL EOR, DO BINARY, WILL BINARY (and the answers) → 3270 mode
//! ```

use std::collections::VecDeque;

use super::consts::*;
use super::{BindImage, DataType, Error, FunctionSet, Header, ReasonCode, Response};
use crate::telnet::consts::{
    opt, AO, AYT, BREAK, ENV_ESC, ENV_IS, ENV_SEND, ENV_USERVAR, ENV_VALUE, ENV_VAR, IAC, IP, NOP,
    START_TLS_FOLLOWS, TTYPE_IS, TTYPE_LU_SEPARATOR, TTYPE_SEND,
};
use crate::telnet::{self, OptionTable, Parser, Token, Verb};

/// ECHO option (RFC 857); accepted from NVT hosts by the client, like x3270.
const OPT_ECHO: u8 = 1;
/// SUPPRESS-GO-AHEAD option (RFC 858); accepted from NVT hosts by the client.
const OPT_SGA: u8 = 3;
/// The Test Request Read inbound record (SOH % / STX) that a 3270 sends for SYSREQ when
/// the TN3270E SYSREQ function is not in use (observed from s3270).
const TEST_REQUEST_READ: [u8; 4] = [0x01, 0x6c, 0x61, 0x02];
/// Prefix of every IBM 3270 terminal type (RFC 1576, RFC 2355).
const IBM_TYPE_PREFIX: &str = "IBM-";
/// NEW-ENVIRON variable carrying the user name (RFC 1572).
const ENV_NAME_USER: &[u8] = b"USER";
/// NEW-ENVIRON user variable carrying the requested LU, as IBM servers read it.
const ENV_NAME_DEVNAME: &[u8] = b"DEVNAME";

/// Session state inside TN3270E mode (RFC 2355 §9.1, §10.3, §10.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Session {
    /// BIND-IMAGE agreed, no BIND yet (or after UNBIND).
    Unbound,
    /// LU-LU session: 3270-DATA.
    LuLu,
    /// SSCP-LU session: SSCP-LU-DATA.
    SscpLu,
    /// NVT-DATA is flowing.
    Nvt,
}

/// The connection's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Mode {
    /// Options are being negotiated; nothing decided yet.
    Negotiating,
    /// Line-by-line NVT (no 3270 mode); data comes as [`Event::NvtData`].
    Nvt,
    /// Plain TN3270: BINARY and EOR both ways, records without header.
    Tn3270,
    /// TN3270E with the agreed functions.
    Tn3270e {
        /// The agreed functions.
        functions: FunctionSet,
        /// The current session state.
        session: Session,
    },
}

impl Mode {
    /// Whether records (3270 data) flow.
    pub fn is_3270(self) -> bool {
        matches!(self, Mode::Tn3270 | Mode::Tn3270e { .. })
    }
}

/// A device name in a DEVICE-TYPE REQUEST.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeviceName {
    /// No name: any device of the type.
    None,
    /// `CONNECT <name>`: this LU.
    Connect(String),
    /// `ASSOCIATE <name>`: the printer associated with this terminal LU.
    Associate(String),
}

/// Something that happened on the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The mode (or the TN3270E session state) changed.
    ModeChanged(Mode),
    /// A record: 3270 data (plain TN3270: `header: None`) or any TN3270E data type not
    /// reported by a more specific event (3270-DATA, SCS-DATA, NVT-DATA, REQUEST,
    /// SSCP-LU-DATA, PRINT-EOJ). `data` excludes the header; IAC is undoubled.
    Record {
        /// The TN3270E header, `None` in plain TN3270.
        header: Option<Header>,
        /// The record body.
        data: Vec<u8>,
    },
    /// NVT data (NVT mode, CR NUL already reduced to CR).
    NvtData(Vec<u8>),
    /// Host side, [`DevicePolicy::Ask`]: a client asked for a device. Answer with
    /// [`HostConnection::accept_device`] or [`HostConnection::reject_device`].
    DeviceRequested {
        /// The requested device type, e.g. `IBM-3278-2-E`.
        terminal_type: String,
        /// The requested name.
        name: DeviceName,
    },
    /// The device is agreed: client side on DEVICE-TYPE IS; host side on accepting a
    /// DEVICE-TYPE REQUEST or receiving TERMINAL-TYPE IS (`lu` from `TYPE@LU`).
    Device {
        /// The terminal type.
        terminal_type: String,
        /// The LU name (CONNECT or `@LU`), if any.
        lu: Option<String>,
    },
    /// Client side: the host rejected our DEVICE-TYPE REQUEST; we fall back to plain
    /// TN3270 (WONT TN3270E).
    DeviceRejected(ReasonCode),
    /// A BIND-IMAGE record (client side); the session is now LU-LU.
    Bind(BindImage),
    /// An UNBIND record; the session is now unbound. `reason` is the UNBIND type byte.
    Unbind {
        /// UNBIND type (e.g. [`UNBIND_NORMAL`]), if present.
        reason: Option<u8>,
    },
    /// A RESPONSE record.
    Response {
        /// SEQ-NUMBER of the record answered.
        seq: u16,
        /// Positive or negative.
        positive: bool,
        /// First data byte: Device End for a positive response, the reason for a
        /// negative one.
        code: u8,
    },
    /// Host side: the client pressed ATTN (IAC IP or IAC BREAK).
    Attn,
    /// Host side: the client pressed SYSREQ (IAC AO).
    SysReq,
    /// The peer answered our TIMING-MARK request (WILL or WONT TIMING-MARK).
    TimingMark,
    /// START-TLS FOLLOWS exchanged: write out [`ClientConnection::take_output`], do the
    /// TLS handshake, then call `tls_established` and feed decrypted bytes (including
    /// the bytes of the last chunk that `feed` did not consume).
    StartTls,
    /// Malformed input was dropped; the connection goes on.
    Error(Error),
}

/// Why a send was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// The connection is not in 3270 mode.
    Not3270,
    /// The data type needs TN3270E mode.
    NotTn3270e,
    /// Waiting for the TLS handshake.
    TlsPending,
}

/// Terminal-side configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Terminal/device type, e.g. `IBM-3278-2-E` (also sent as TERMINAL-TYPE).
    pub terminal_type: String,
    /// LU to CONNECT to (TN3270E) or to send as `TYPE@LU` (plain, RFC 1646).
    pub lu: Option<String>,
    /// Printer LU association (TN3270E ASSOCIATE), instead of `lu`.
    pub associate: Option<String>,
    /// Whether to accept TN3270E when the host offers it.
    pub tn3270e: bool,
    /// Functions to request.
    pub functions: FunctionSet,
    /// Whether the IO layer can do TLS (accept DO START-TLS).
    pub start_tls: bool,
    /// NEW-ENVIRON `VAR USER` value (s3270 sends `UNKNOWN` when it has none).
    pub user: Option<String>,
    /// NEW-ENVIRON `USERVAR DEVNAME` value (the LU, for IBM servers that read it).
    pub devname: Option<String>,
    /// Send positive responses automatically for ALWAYS-RESPONSE records.
    pub auto_respond: bool,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            terminal_type: "IBM-3278-2-E".into(),
            lu: None,
            associate: None,
            tn3270e: true,
            functions: FunctionSet::S3270,
            start_tls: false,
            user: None,
            devname: None,
            auto_respond: true,
        }
    }
}

/// How the host side decides DEVICE-TYPE REQUESTs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevicePolicy {
    /// Report [`Event::DeviceRequested`] and wait for `accept_device`/`reject_device`.
    Ask,
    /// Accept any `IBM-` type: the requested CONNECT name, or `default_lu`. ASSOCIATE is
    /// rejected (INV-ASSOCIATE), a non-IBM type too (INV-DEVICE-TYPE).
    Accept {
        /// LU assigned when the client names none.
        default_lu: String,
    },
}

/// Host-side configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostConfig {
    /// Offer TN3270E first (else plain TN3270 only).
    pub tn3270e: bool,
    /// Functions the host supports.
    pub functions: FunctionSet,
    /// Offer START-TLS before anything else.
    pub start_tls: bool,
    /// DEVICE-TYPE decisions.
    pub device_policy: DevicePolicy,
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            tn3270e: true,
            functions: FunctionSet::S3270,
            start_tls: false,
            device_policy: DevicePolicy::Ask,
        }
    }
}

#[derive(Debug, Clone)]
enum Role {
    Client(ClientConfig),
    Host(HostConfig),
}

/// Where the TN3270E subnegotiation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Not started or abandoned.
    Idle,
    /// Device type asked (client) / awaited or being decided (host).
    Device,
    /// Functions being negotiated.
    Functions,
    /// Done.
    Done,
}

#[derive(Debug, Clone)]
struct Engine {
    role: Role,
    parser: Parser,
    opts: OptionTable,
    out: Vec<u8>,
    events: VecDeque<Event>,
    mode: Mode,
    phase: Phase,
    functions: FunctionSet,
    rounds: u8,
    session: Session,
    /// TN3270E refused for good (REJECT given up, or functions failed).
    e_refused: bool,
    terminal_type: Option<String>,
    lu: Option<String>,
    pending_device: Option<String>,
    send_seq: u16,
    tls_follows_sent: bool,
    tls_wait: bool,
}

impl Engine {
    fn new(role: Role) -> Engine {
        Engine {
            role,
            parser: Parser::new(),
            opts: OptionTable::default(),
            out: Vec::new(),
            events: VecDeque::new(),
            mode: Mode::Negotiating,
            phase: Phase::Idle,
            functions: FunctionSet::EMPTY,
            rounds: 0,
            session: Session::Unbound,
            e_refused: false,
            terminal_type: None,
            lu: None,
            pending_device: None,
            send_seq: 0,
            tls_follows_sent: false,
            tls_wait: false,
        }
    }

    fn is_client(&self) -> bool {
        matches!(self.role, Role::Client(_))
    }

    // ---- input -------------------------------------------------------------------

    /// Processes `input` up to its end (or START-TLS); with `until_event`, also stops right
    /// after the first telnet element that produced an event.
    fn feed(&mut self, input: &[u8], until_event: bool) -> usize {
        let mut pos = 0;
        while pos < input.len() && !self.tls_wait {
            let (n, token) = self.parser.advance(input.get(pos..).unwrap_or_default());
            pos += n;
            if let Some(token) = token {
                let before = self.events.len();
                self.handle_token(token);
                if until_event && self.events.len() > before {
                    break;
                }
            }
        }
        self.flush_nvt();
        pos
    }

    fn flush_nvt(&mut self) {
        if !self.parser.record_mode() && self.parser.has_data() {
            let data = self.parser.take_data();
            if self.mode == Mode::Negotiating {
                self.set_mode(Mode::Nvt);
            }
            self.events.push_back(Event::NvtData(data));
        }
    }

    fn handle_token(&mut self, token: Token) {
        if !matches!(token, Token::NvtFull) {
            self.flush_nvt();
        }
        match token {
            Token::Record => {
                let data = self.parser.take_data();
                if matches!(self.mode, Mode::Tn3270e { .. }) {
                    self.receive_e_record(data);
                } else {
                    self.events.push_back(Event::Record { header: None, data });
                }
            }
            Token::NvtFull => {
                let data = self.parser.take_data();
                self.events.push_back(Event::NvtData(data));
            }
            Token::Command(cmd) => self.receive_command(cmd),
            Token::Negotiate(verb, option) => self.receive_negotiation(verb, option),
            Token::Subnegotiation(option) => {
                let payload = self.parser.subnegotiation().to_vec();
                self.receive_subnegotiation(option, &payload);
            }
            Token::Error(e) => self.events.push_back(Event::Error(Error::Telnet(e))),
        }
    }

    fn receive_command(&mut self, cmd: u8) {
        match cmd {
            IP | BREAK if !self.is_client() => self.events.push_back(Event::Attn),
            AO if !self.is_client() => self.events.push_back(Event::SysReq),
            // Answer AYT with a NOP: proof of life that cannot corrupt a 3270 record.
            AYT => self.out.extend_from_slice(&[IAC, NOP]),
            // NOP, GA, DM, EC, EL, stray SE, unknown: nothing to do.
            _ => {}
        }
    }

    fn local_allowed(&self, option: u8) -> bool {
        match &self.role {
            Role::Client(c) => match option {
                opt::BINARY | opt::EOR | opt::TERMINAL_TYPE | opt::NEW_ENVIRON => true,
                opt::TN3270E => c.tn3270e && !self.e_refused,
                opt::START_TLS => c.start_tls,
                _ => false,
            },
            Role::Host(_) => matches!(option, opt::BINARY | opt::EOR),
        }
    }

    fn remote_allowed(&self, option: u8) -> bool {
        match &self.role {
            Role::Client(_) => matches!(option, opt::BINARY | opt::EOR | OPT_ECHO | OPT_SGA),
            Role::Host(h) => match option {
                opt::BINARY | opt::EOR | opt::TERMINAL_TYPE => true,
                opt::TN3270E => h.tn3270e && !self.e_refused,
                opt::START_TLS => h.start_tls,
                _ => false,
            },
        }
    }

    fn receive_negotiation(&mut self, verb: Verb, option: u8) {
        if option == opt::TIMING_MARK {
            match verb {
                // As s3270: answer without changing state.
                Verb::Do => telnet::write_negotiation(&mut self.out, Verb::Wont, option),
                Verb::Will | Verb::Wont => self.events.push_back(Event::TimingMark),
                Verb::Dont => {}
            }
            return;
        }
        let local = matches!(verb, Verb::Do | Verb::Dont);
        let allowed = if local {
            self.local_allowed(option)
        } else {
            self.remote_allowed(option)
        };
        let outcome = self.opts.receive(verb, option, allowed);
        if let Some(reply) = outcome.reply {
            telnet::write_negotiation(&mut self.out, reply, option);
        }
        // A refusal of something we asked for also counts as news.
        let refused = matches!(verb, Verb::Wont | Verb::Dont);
        if outcome.changed || refused {
            self.option_changed(local, option);
        }
    }

    /// React to an option turning on or off (or a refusal).
    fn option_changed(&mut self, local: bool, option: u8) {
        let on = if local {
            self.opts.us(option)
        } else {
            self.opts.him(option)
        };
        // Only our side of an option matters to the client, only the peer's to the host.
        if self.is_client() != local {
            return self.recompute_mode();
        }
        match (self.is_client(), option, on) {
            (true, opt::START_TLS, true) if !self.tls_follows_sent => {
                // s3270 announces FOLLOWS right after WILL START-TLS.
                telnet::write_subnegotiation(&mut self.out, opt::START_TLS, &[START_TLS_FOLLOWS]);
                self.tls_follows_sent = true;
            }
            (true, opt::TN3270E, false) => self.abandon_tn3270e(false),
            (false, opt::START_TLS, true) if !self.tls_follows_sent => {
                telnet::write_subnegotiation(&mut self.out, opt::START_TLS, &[START_TLS_FOLLOWS]);
                self.tls_follows_sent = true;
            }
            (false, opt::START_TLS, false) if !self.tls_wait => self.host_begin(),
            (false, opt::TN3270E, true) => {
                self.phase = Phase::Device;
                telnet::write_subnegotiation(&mut self.out, opt::TN3270E, &[SEND, DEVICE_TYPE]);
            }
            (false, opt::TN3270E, false) => self.abandon_tn3270e(false),
            (false, opt::TERMINAL_TYPE, true) => {
                telnet::write_subnegotiation(&mut self.out, opt::TERMINAL_TYPE, &[TTYPE_SEND]);
            }
            _ => {}
        }
        self.recompute_mode();
    }

    /// Give up TN3270E and go for plain TN3270: the client says WONT TN3270E, the host
    /// DONT TN3270E and DO TERMINAL-TYPE.
    fn abandon_tn3270e(&mut self, send_refusal: bool) {
        self.e_refused = true;
        self.phase = Phase::Idle;
        self.functions = FunctionSet::EMPTY;
        let client = self.is_client();
        if send_refusal {
            if let Some(v) = self.opts.request(client, opt::TN3270E, false) {
                telnet::write_negotiation(&mut self.out, v, opt::TN3270E);
            }
        }
        if !client {
            if let Some(v) = self.opts.request(false, opt::TERMINAL_TYPE, true) {
                telnet::write_negotiation(&mut self.out, v, opt::TERMINAL_TYPE);
            }
        }
        self.recompute_mode();
    }

    /// Host: the first step after connecting (and after START-TLS).
    fn host_begin(&mut self) {
        let Role::Host(h) = &self.role else { return };
        let (local, option) = if h.tn3270e && !self.e_refused {
            (false, opt::TN3270E)
        } else {
            (false, opt::TERMINAL_TYPE)
        };
        if let Some(v) = self.opts.request(local, option, true) {
            telnet::write_negotiation(&mut self.out, v, option);
        }
    }

    /// Host: after TERMINAL-TYPE IS of an IBM terminal, ask for EOR and BINARY both ways
    /// (Hercules' order).
    fn host_request_3270(&mut self) {
        for (local, option) in [
            (false, opt::EOR),
            (true, opt::EOR),
            (false, opt::BINARY),
            (true, opt::BINARY),
        ] {
            if let Some(v) = self.opts.request(local, option, true) {
                telnet::write_negotiation(&mut self.out, v, option);
            }
        }
    }

    fn e_active(&self) -> bool {
        if self.is_client() {
            self.opts.us(opt::TN3270E)
        } else {
            self.opts.him(opt::TN3270E)
        }
    }

    fn recompute_mode(&mut self) {
        let o = &self.opts;
        let plain = o.us(opt::BINARY) && o.him(opt::BINARY) && o.us(opt::EOR) && o.him(opt::EOR);
        let next = if self.e_active() {
            if self.phase == Phase::Done {
                Mode::Tn3270e {
                    functions: self.functions,
                    session: self.session,
                }
            } else {
                Mode::Negotiating
            }
        } else if plain {
            Mode::Tn3270
        } else if self.mode.is_3270() {
            Mode::Nvt
        } else {
            self.mode
        };
        self.set_mode(next);
    }

    fn set_mode(&mut self, next: Mode) {
        if next == self.mode {
            return;
        }
        if next.is_3270() && !self.parser.record_mode() && self.parser.has_data() {
            let data = self.parser.take_data();
            self.events.push_back(Event::NvtData(data));
        }
        self.parser.set_record_mode(next.is_3270());
        self.mode = next;
        self.events.push_back(Event::ModeChanged(next));
    }

    fn set_session(&mut self, session: Session) {
        self.session = session;
        if let Mode::Tn3270e { functions, .. } = self.mode {
            self.set_mode(Mode::Tn3270e { functions, session });
        }
    }

    // ---- subnegotiations ---------------------------------------------------------

    fn receive_subnegotiation(&mut self, option: u8, payload: &[u8]) {
        match option {
            opt::TN3270E if self.e_active() => {
                if self.is_client() {
                    self.client_tn3270e(payload)
                } else {
                    self.host_tn3270e(payload)
                }
            }
            opt::TERMINAL_TYPE => self.receive_ttype(payload),
            opt::NEW_ENVIRON if self.is_client() && self.opts.us(opt::NEW_ENVIRON) => {
                self.receive_environ(payload)
            }
            opt::START_TLS if payload == [START_TLS_FOLLOWS] => self.receive_tls_follows(),
            // Subnegotiation of an option that is not on: ignored (RFC 855).
            _ => {}
        }
    }

    fn receive_tls_follows(&mut self) {
        let on = if self.is_client() {
            self.opts.us(opt::START_TLS)
        } else {
            self.opts.him(opt::START_TLS)
        };
        if !on {
            return;
        }
        if !self.tls_follows_sent {
            telnet::write_subnegotiation(&mut self.out, opt::START_TLS, &[START_TLS_FOLLOWS]);
            self.tls_follows_sent = true;
        }
        self.tls_wait = true;
        self.events.push_back(Event::StartTls);
    }

    fn receive_ttype(&mut self, payload: &[u8]) {
        match (&self.role, payload) {
            (Role::Client(c), [TTYPE_SEND]) if self.opts.us(opt::TERMINAL_TYPE) => {
                let mut reply = vec![TTYPE_IS];
                reply.extend_from_slice(c.terminal_type.as_bytes());
                if let Some(lu) = &c.lu {
                    reply.push(TTYPE_LU_SEPARATOR);
                    reply.extend_from_slice(lu.as_bytes());
                }
                telnet::write_subnegotiation(&mut self.out, opt::TERMINAL_TYPE, &reply);
            }
            (Role::Host(_), [TTYPE_IS, rest @ ..]) if self.opts.him(opt::TERMINAL_TYPE) => {
                let (ty, lu) = match rest.iter().position(|&b| b == TTYPE_LU_SEPARATOR) {
                    Some(p) => (&rest[..p], rest.get(p + 1..)),
                    None => (rest, None),
                };
                let (Some(ty), lu) = (name(ty), lu.map(name)) else {
                    self.events.push_back(Event::Error(Error::BadTerminalType));
                    return;
                };
                let lu = lu.flatten();
                self.terminal_type = Some(ty.clone());
                self.lu = lu.clone();
                let ibm = ty.starts_with(IBM_TYPE_PREFIX);
                self.events.push_back(Event::Device {
                    terminal_type: ty,
                    lu,
                });
                if ibm {
                    self.host_request_3270();
                } else {
                    self.set_mode(Mode::Nvt);
                }
            }
            _ => self.events.push_back(Event::Error(Error::BadTerminalType)),
        }
    }

    fn receive_environ(&mut self, payload: &[u8]) {
        let Role::Client(c) = &self.role else { return };
        let [ENV_SEND, list @ ..] = payload else {
            return;
        };
        let ours: [(u8, &[u8], Option<&String>); 2] = [
            (ENV_VAR, ENV_NAME_USER, c.user.as_ref()),
            (ENV_USERVAR, ENV_NAME_DEVNAME, c.devname.as_ref()),
        ];
        let requested = parse_environ_names(list);
        let mut reply = vec![ENV_IS];
        for (kind, var, value) in ours {
            let Some(value) = value else { continue };
            let wanted = list.is_empty()
                || requested
                    .iter()
                    .any(|(k, n)| *k == kind && (n.is_empty() || n.as_slice() == var));
            if wanted {
                reply.push(kind);
                write_environ_escaped(&mut reply, var);
                reply.push(ENV_VALUE);
                write_environ_escaped(&mut reply, value.as_bytes());
            }
        }
        telnet::write_subnegotiation(&mut self.out, opt::NEW_ENVIRON, &reply);
    }

    fn client_tn3270e(&mut self, payload: &[u8]) {
        let Role::Client(c) = &self.role else { return };
        match payload {
            [SEND, DEVICE_TYPE] => {
                let mut req = vec![DEVICE_TYPE, REQUEST];
                req.extend_from_slice(device_type_for_request(&c.terminal_type).as_bytes());
                if let Some(a) = &c.associate {
                    req.push(ASSOCIATE);
                    req.extend_from_slice(a.as_bytes());
                } else if let Some(lu) = &c.lu {
                    req.push(CONNECT);
                    req.extend_from_slice(lu.as_bytes());
                }
                telnet::write_subnegotiation(&mut self.out, opt::TN3270E, &req);
                self.phase = Phase::Device;
            }
            [DEVICE_TYPE, IS, rest @ ..] => {
                let (ty, lu) = match rest.iter().position(|&b| b == CONNECT) {
                    Some(p) => (&rest[..p], rest.get(p + 1..).and_then(name)),
                    None => (rest, None),
                };
                let Some(ty) = name(ty) else {
                    return self.bad_e_subneg();
                };
                self.terminal_type = Some(ty.clone());
                self.lu = lu.clone();
                self.events.push_back(Event::Device {
                    terminal_type: ty,
                    lu,
                });
                let mut req = vec![FUNCTIONS, REQUEST];
                c.functions.write_codes(&mut req);
                telnet::write_subnegotiation(&mut self.out, opt::TN3270E, &req);
                self.phase = Phase::Functions;
            }
            [DEVICE_TYPE, REJECT, REASON, code, ..] => {
                self.events
                    .push_back(Event::DeviceRejected(ReasonCode::from_byte(*code)));
                self.abandon_tn3270e(true);
            }
            [FUNCTIONS, REQUEST, codes @ ..] => {
                let theirs = FunctionSet::from_codes(codes);
                let agreed = c.functions.intersection(theirs);
                self.functions_step(agreed, theirs);
            }
            [FUNCTIONS, IS, codes @ ..] => {
                let theirs = FunctionSet::from_codes(codes);
                if theirs.is_subset(c.functions) && codes.len() == theirs.iter().count() {
                    self.functions_done(theirs);
                } else {
                    self.functions_failed();
                }
            }
            _ => self.bad_e_subneg(),
        }
    }

    fn host_tn3270e(&mut self, payload: &[u8]) {
        let Role::Host(h) = &self.role else { return };
        match payload {
            [DEVICE_TYPE, REQUEST, rest @ ..] => {
                let split = rest.iter().position(|&b| b == CONNECT || b == ASSOCIATE);
                let (ty, name_kind, dev) = match split {
                    Some(p) => (&rest[..p], rest.get(p).copied(), rest.get(p + 1..)),
                    None => (rest, None, None),
                };
                let Some(ty) = name(ty) else {
                    return self.reject_device(ReasonCode::InvDeviceType);
                };
                let dev_name = match (name_kind, dev.and_then(name)) {
                    (None, _) => DeviceName::None,
                    (Some(CONNECT), Some(n)) => DeviceName::Connect(n),
                    (Some(_), Some(n)) => DeviceName::Associate(n),
                    (Some(_), None) => return self.reject_device(ReasonCode::InvName),
                };
                self.phase = Phase::Device;
                match &h.device_policy {
                    DevicePolicy::Ask => {
                        self.pending_device = Some(ty.clone());
                        self.events.push_back(Event::DeviceRequested {
                            terminal_type: ty,
                            name: dev_name,
                        });
                    }
                    DevicePolicy::Accept { default_lu } => {
                        let default_lu = default_lu.clone();
                        self.pending_device = Some(ty.clone());
                        match dev_name {
                            _ if !ty.starts_with(IBM_TYPE_PREFIX) => {
                                self.reject_device(ReasonCode::InvDeviceType)
                            }
                            DeviceName::Associate(_) => {
                                self.reject_device(ReasonCode::InvAssociate)
                            }
                            DeviceName::Connect(lu) => self.accept_device(&lu),
                            DeviceName::None => self.accept_device(&default_lu),
                        }
                    }
                }
            }
            [FUNCTIONS, REQUEST, codes @ ..] if self.phase == Phase::Functions => {
                let theirs = FunctionSet::from_codes(codes);
                let agreed = h.functions.intersection(theirs);
                self.functions_step(agreed, theirs);
            }
            [FUNCTIONS, IS, codes @ ..] if self.phase == Phase::Functions => {
                let theirs = FunctionSet::from_codes(codes);
                if theirs.is_subset(h.functions) && codes.len() == theirs.iter().count() {
                    self.functions_done(theirs);
                } else {
                    self.functions_failed();
                }
            }
            _ => self.bad_e_subneg(),
        }
    }

    /// Either side received FUNCTIONS REQUEST `theirs`; `agreed` is our intersection.
    fn functions_step(&mut self, agreed: FunctionSet, theirs: FunctionSet) {
        if agreed == theirs {
            let mut is = vec![FUNCTIONS, IS];
            agreed.write_codes(&mut is);
            telnet::write_subnegotiation(&mut self.out, opt::TN3270E, &is);
            self.functions_done(agreed);
        } else if self.rounds >= MAX_FUNCTION_ROUNDS {
            self.functions_failed();
        } else {
            self.rounds += 1;
            let mut req = vec![FUNCTIONS, REQUEST];
            agreed.write_codes(&mut req);
            telnet::write_subnegotiation(&mut self.out, opt::TN3270E, &req);
            self.phase = Phase::Functions;
        }
    }

    fn functions_done(&mut self, functions: FunctionSet) {
        self.functions = functions;
        self.phase = Phase::Done;
        self.session = if functions.contains(super::Function::BindImage) {
            Session::Unbound
        } else {
            Session::LuLu
        };
        self.recompute_mode();
    }

    fn functions_failed(&mut self) {
        self.events
            .push_back(Event::Error(Error::FunctionsNotAgreed));
        self.abandon_tn3270e(true);
    }

    fn bad_e_subneg(&mut self) {
        self.events
            .push_back(Event::Error(Error::BadTn3270eSubnegotiation));
    }

    // ---- host decisions ----------------------------------------------------------

    fn accept_device(&mut self, lu: &str) {
        let Some(ty) = self.pending_device.take() else {
            return;
        };
        let mut is = vec![DEVICE_TYPE, IS];
        is.extend_from_slice(ty.as_bytes());
        is.push(CONNECT);
        is.extend_from_slice(lu.as_bytes());
        telnet::write_subnegotiation(&mut self.out, opt::TN3270E, &is);
        self.terminal_type = Some(ty.clone());
        self.lu = Some(lu.to_owned());
        self.events.push_back(Event::Device {
            terminal_type: ty,
            lu: Some(lu.to_owned()),
        });
        self.phase = Phase::Functions;
    }

    fn reject_device(&mut self, reason: ReasonCode) {
        self.pending_device = None;
        telnet::write_subnegotiation(
            &mut self.out,
            opt::TN3270E,
            &[DEVICE_TYPE, REJECT, REASON, reason.byte()],
        );
        self.phase = Phase::Device;
    }

    // ---- TN3270E records ---------------------------------------------------------

    fn receive_e_record(&mut self, mut data: Vec<u8>) {
        let header = match Header::parse(&data) {
            Ok(h) => h,
            Err(e) => return self.events.push_back(Event::Error(e)),
        };
        data.drain(..HEADER_LEN);
        let client = self.is_client();
        match header.data_type {
            DataType::BindImage if client => match BindImage::parse(&data) {
                Ok(bind) => {
                    self.set_session(Session::LuLu);
                    self.events.push_back(Event::Bind(bind));
                }
                Err(e) => self.events.push_back(Event::Error(e)),
            },
            DataType::BindImage => self
                .events
                .push_back(Event::Error(Error::UnexpectedRecord(DataType::BindImage))),
            DataType::Unbind => {
                if client {
                    self.set_session(Session::Unbound);
                }
                self.events.push_back(Event::Unbind {
                    reason: data.first().copied(),
                });
            }
            DataType::Response => self.events.push_back(Event::Response {
                seq: header.seq,
                positive: header.response_flag == RSF_POSITIVE_RESPONSE,
                code: data.first().copied().unwrap_or(POS_DEVICE_END),
            }),
            other => {
                if client {
                    match other {
                        DataType::Data3270 => self.set_session(Session::LuLu),
                        DataType::SscpLuData => self.set_session(Session::SscpLu),
                        DataType::NvtData => self.set_session(Session::Nvt),
                        _ => {}
                    }
                }
                self.events.push_back(Event::Record {
                    header: Some(header),
                    data,
                });
                let auto = matches!(&self.role, Role::Client(c) if c.auto_respond);
                if auto
                    && header.wants_always_response()
                    && self.functions.contains(super::Function::Responses)
                {
                    self.write_response(header.seq, Response::Positive);
                }
            }
        }
    }

    // ---- output ------------------------------------------------------------------

    fn next_seq(&mut self) -> u16 {
        if !self.functions.contains(super::Function::Responses) {
            return 0;
        }
        let seq = self.send_seq;
        self.send_seq = if seq >= MAX_SEQ { 0 } else { seq + 1 };
        seq
    }

    fn send_record(
        &mut self,
        data_type: DataType,
        data: &[u8],
    ) -> Result<Option<Header>, SendError> {
        match self.mode {
            Mode::Tn3270e { .. } => {
                let seq = self.next_seq();
                let header = Header::new(data_type, seq);
                self.send_record_with_header(header, data).map(Some)
            }
            _ => {
                if data_type != DataType::Data3270 {
                    return Err(SendError::NotTn3270e);
                }
                self.check_3270()?;
                telnet::write_escaped(&mut self.out, data);
                self.out.extend_from_slice(&[IAC, telnet::consts::EOR]);
                Ok(None)
            }
        }
    }

    fn check_3270(&self) -> Result<(), SendError> {
        if self.tls_wait {
            Err(SendError::TlsPending)
        } else if !self.mode.is_3270() {
            Err(SendError::Not3270)
        } else {
            Ok(())
        }
    }

    fn send_record_with_header(
        &mut self,
        header: Header,
        data: &[u8],
    ) -> Result<Header, SendError> {
        self.check_3270()?;
        if !matches!(self.mode, Mode::Tn3270e { .. }) {
            return Err(SendError::NotTn3270e);
        }
        telnet::write_escaped(&mut self.out, &header.encode());
        telnet::write_escaped(&mut self.out, data);
        self.out.extend_from_slice(&[IAC, telnet::consts::EOR]);
        if !self.is_client() {
            match header.data_type {
                DataType::BindImage | DataType::Data3270 => self.set_session(Session::LuLu),
                DataType::Unbind => self.set_session(Session::Unbound),
                DataType::SscpLuData => self.set_session(Session::SscpLu),
                DataType::NvtData => self.set_session(Session::Nvt),
                _ => {}
            }
        }
        Ok(header)
    }

    fn write_response(&mut self, seq: u16, response: Response) {
        let (flag, code) = match response {
            Response::Positive => (RSF_POSITIVE_RESPONSE, POS_DEVICE_END),
            Response::Negative(r) => (RSF_NEGATIVE_RESPONSE, r.byte()),
        };
        let header = Header {
            data_type: DataType::Response,
            request_flag: 0,
            response_flag: flag,
            seq,
        };
        telnet::write_escaped(&mut self.out, &header.encode());
        telnet::write_escaped(&mut self.out, &[code]);
        self.out.extend_from_slice(&[IAC, telnet::consts::EOR]);
    }

    fn send_response(&mut self, seq: u16, response: Response) -> Result<(), SendError> {
        self.check_3270()?;
        if !matches!(self.mode, Mode::Tn3270e { .. }) {
            return Err(SendError::NotTn3270e);
        }
        self.write_response(seq, response);
        Ok(())
    }

    fn send_nvt(&mut self, data: &[u8]) -> Result<(), SendError> {
        if self.tls_wait {
            return Err(SendError::TlsPending);
        }
        match self.mode {
            Mode::Tn3270e { .. } => self.send_record(DataType::NvtData, data).map(|_| ()),
            _ => {
                telnet::write_nvt(&mut self.out, data);
                Ok(())
            }
        }
    }

    fn tls_established(&mut self) {
        if !self.tls_wait {
            return;
        }
        self.tls_wait = false;
        if !self.is_client() {
            self.host_begin();
        }
    }
}

/// Name bytes of a negotiation as a string: printable ASCII, 1..=[`MAX_NAME_LEN`] long.
fn name(bytes: &[u8]) -> Option<String> {
    let ok = !bytes.is_empty()
        && bytes.len() <= MAX_NAME_LEN
        && bytes.iter().all(|b| b.is_ascii_graphic());
    ok.then(|| String::from_utf8_lossy(bytes).into_owned())
}

/// The (type, name) pairs of a NEW-ENVIRON SEND list (ESC-unescaped).
fn parse_environ_names(list: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut names: Vec<(u8, Vec<u8>)> = Vec::new();
    let mut bytes = list.iter();
    while let Some(&b) = bytes.next() {
        match (b, names.last_mut()) {
            (ENV_VAR | ENV_USERVAR, _) => names.push((b, Vec::new())),
            (ENV_ESC, Some((_, n))) => n.extend(bytes.next()),
            (_, Some((_, n))) => n.push(b),
            (_, None) => {}
        }
    }
    names
}

/// Append a NEW-ENVIRON name or value, ESC-quoting the four special bytes (RFC 1572).
fn write_environ_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        if matches!(b, ENV_VAR | ENV_VALUE | ENV_ESC | ENV_USERVAR) {
            out.push(ENV_ESC);
        }
        out.push(b);
    }
}

macro_rules! shared_api {
    ($t:ident) => {
        impl $t {
            /// Feed bytes received from the peer. Returns how many were consumed: all of
            /// them, except after [`Event::StartTls`] (the rest is TLS handshake).
            pub fn feed(&mut self, input: &[u8]) -> usize {
                self.engine.feed(input, false)
            }

            /// Like `feed`, but returns as soon as the bytes consumed so far produced an
            /// event, so that the caller can answer it (a reply to a record) before later
            /// bytes of the same chunk are processed and answered: the order of answers on
            /// the wire then does not depend on how TCP cut the input. Call it again with
            /// the rest; it returns 0 only for empty input or while waiting for TLS.
            pub fn feed_until_event(&mut self, input: &[u8]) -> usize {
                self.engine.feed(input, true)
            }

            /// The next event, in arrival order.
            pub fn poll_event(&mut self) -> Option<Event> {
                self.engine.events.pop_front()
            }

            /// Give back the `data` buffer of a processed [`Event::Record`] or
            /// [`Event::NvtData`] so that the next record reuses it (optional; makes
            /// steady-state record delivery allocation-free).
            pub fn recycle(&mut self, buf: Vec<u8>) {
                self.engine.parser.recycle(buf)
            }

            /// Take the bytes to write to the peer.
            pub fn take_output(&mut self) -> Vec<u8> {
                std::mem::take(&mut self.engine.out)
            }

            /// The bytes waiting to be written to the peer (see `consume_output`).
            pub fn pending_output(&self) -> &[u8] {
                &self.engine.out
            }

            /// Drop the first `n` pending output bytes once written (all when `n` is
            /// larger), keeping the buffer's allocation.
            pub fn consume_output(&mut self, n: usize) {
                let n = n.min(self.engine.out.len());
                self.engine.out.drain(..n);
            }

            /// Whether output is pending.
            pub fn has_output(&self) -> bool {
                !self.engine.out.is_empty()
            }

            /// The current mode.
            pub fn mode(&self) -> Mode {
                self.engine.mode
            }

            /// The agreed terminal type (DEVICE-TYPE IS, or TERMINAL-TYPE IS on the host).
            pub fn terminal_type(&self) -> Option<&str> {
                self.engine.terminal_type.as_deref()
            }

            /// The agreed LU name (CONNECT, or `@LU` on the host).
            pub fn lu(&self) -> Option<&str> {
                self.engine.lu.as_deref()
            }

            /// Send a record of `data_type`. In TN3270E mode the 5-byte header is added
            /// (flags 0, next sequence number when RESPONSES is agreed, else 0) and
            /// returned; in plain TN3270 only [`DataType::Data3270`] is allowed and no
            /// header is sent. IAC is doubled and IAC EOR appended.
            pub fn send_record(
                &mut self,
                data_type: DataType,
                data: &[u8],
            ) -> Result<Option<Header>, SendError> {
                self.engine.send_record(data_type, data)
            }

            /// Send a TN3270E record with exactly this header (relaying, or asking for
            /// ALWAYS-RESPONSE). TN3270E mode only.
            pub fn send_record_with_header(
                &mut self,
                header: Header,
                data: &[u8],
            ) -> Result<Header, SendError> {
                self.engine.send_record_with_header(header, data)
            }

            /// Send a RESPONSE record for sequence number `seq`. TN3270E mode only.
            pub fn send_response(&mut self, seq: u16, response: Response) -> Result<(), SendError> {
                self.engine.send_response(seq, response)
            }

            /// Send NVT data: NVT-DATA records in TN3270E mode, else NVT text (IAC
            /// doubled, bare CR as CR NUL, bare LF as CR LF).
            pub fn send_nvt(&mut self, data: &[u8]) -> Result<(), SendError> {
                self.engine.send_nvt(data)
            }

            /// Ask the peer for a TIMING-MARK (IAC DO TIMING-MARK); its answer becomes
            /// [`Event::TimingMark`]. A keepalive that proves the peer is alive.
            pub fn send_timing_mark(&mut self) {
                telnet::write_negotiation(&mut self.engine.out, Verb::Do, opt::TIMING_MARK);
            }

            /// Send IAC NOP (a keepalive with no answer).
            pub fn send_nop(&mut self) {
                self.engine.out.extend_from_slice(&[IAC, NOP]);
            }

            /// The TLS handshake after [`Event::StartTls`] is done: resume negotiation.
            pub fn tls_established(&mut self) {
                self.engine.tls_established()
            }
        }
    };
}

/// Terminal side of a TN3270/TN3270E connection (towards a mainframe or a TN3270 server).
#[derive(Debug, Clone)]
pub struct ClientConnection {
    engine: Engine,
}

impl ClientConnection {
    /// A connection that waits for the host to start negotiating.
    pub fn new(config: ClientConfig) -> ClientConnection {
        ClientConnection {
            engine: Engine::new(Role::Client(config)),
        }
    }

    /// The ATTN key: IAC IP in TN3270E mode, IAC BREAK otherwise (as s3270).
    pub fn send_attn(&mut self) -> Result<(), SendError> {
        self.engine.check_3270()?;
        let cmd = if matches!(self.engine.mode, Mode::Tn3270e { .. }) {
            IP
        } else {
            BREAK
        };
        self.engine.out.extend_from_slice(&[IAC, cmd]);
        Ok(())
    }

    /// The SYSREQ key: IAC AO with the TN3270E SYSREQ function (toggling LU-LU/SSCP-LU
    /// locally, as x3270), else the Test Request Read record `01 6C 61 02`.
    pub fn send_sysreq(&mut self) -> Result<(), SendError> {
        self.engine.check_3270()?;
        match self.engine.mode {
            Mode::Tn3270e { functions, session } if functions.contains(super::Function::Sysreq) => {
                self.engine.out.extend_from_slice(&[IAC, AO]);
                let next = if session == Session::SscpLu {
                    Session::LuLu
                } else {
                    Session::SscpLu
                };
                self.engine.set_session(next);
                Ok(())
            }
            _ => self
                .engine
                .send_record(DataType::Data3270, &TEST_REQUEST_READ)
                .map(|_| ()),
        }
    }
}

shared_api!(ClientConnection);

/// Host side of a TN3270/TN3270E connection (towards x3270, s3270, PCOMM...).
#[derive(Debug, Clone)]
pub struct HostConnection {
    engine: Engine,
}

impl HostConnection {
    /// A connection that starts negotiating at once: its first output is `DO START-TLS`
    /// (when configured), else `DO TN3270E` (or `DO TERMINAL-TYPE` without TN3270E).
    pub fn new(config: HostConfig) -> HostConnection {
        let start_tls = config.start_tls;
        let mut engine = Engine::new(Role::Host(config));
        if start_tls {
            if let Some(v) = engine.opts.request(false, opt::START_TLS, true) {
                telnet::write_negotiation(&mut engine.out, v, opt::START_TLS);
            }
        } else {
            engine.host_begin();
        }
        HostConnection { engine }
    }

    /// Accept the pending DEVICE-TYPE REQUEST ([`Event::DeviceRequested`]) with this LU:
    /// sends `DEVICE-TYPE IS <type> CONNECT <lu>`. Ignored when nothing is pending.
    pub fn accept_device(&mut self, lu: &str) {
        self.engine.accept_device(lu)
    }

    /// Reject the pending DEVICE-TYPE REQUEST: sends `DEVICE-TYPE REJECT REASON <code>`.
    /// The client may ask again or fall back to plain TN3270.
    pub fn reject_device(&mut self, reason: ReasonCode) {
        self.engine.reject_device(reason)
    }

    /// Build and send a BIND-IMAGE record with these sizes (TN3270E with BIND-IMAGE).
    pub fn send_bind(
        &mut self,
        default: crate::screen::ScreenSize,
        alternate: crate::screen::ScreenSize,
    ) -> Result<Option<Header>, SendError> {
        self.engine
            .send_record(DataType::BindImage, &BindImage::encode(default, alternate))
    }
}

shared_api!(HostConnection);

/// The device type a client names in DEVICE-TYPE REQUEST: RFC 2355 §7.1 lists only
/// `IBM-3278-n[-E]` (and IBM-DYNAMIC) display types, so a 3279 asks as the 3278 of the
/// same model, as x3270 does (s3270 4.1 `-model 3279-4-E` sends `IBM-3278-4-E`); the
/// TERMINAL-TYPE name of plain TN3270 keeps the 3279.
fn device_type_for_request(terminal_type: &str) -> std::borrow::Cow<'_, str> {
    match terminal_type.strip_prefix("IBM-3279-") {
        Some(rest) => std::borrow::Cow::Owned(format!("IBM-3278-{rest}")),
        None => std::borrow::Cow::Borrowed(terminal_type),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Function, NegativeReason};
    use super::*;
    use crate::screen::ScreenSize;
    use crate::telnet::consts::MAX_RECORD_LEN;
    use proptest::prelude::*;

    /// `feed_until_event` returns right after the element that made an event, so the
    /// caller can answer it before the rest of the chunk is processed.
    #[test]
    fn feed_until_event_stops_after_each_event() {
        let mut c = ClientConnection::new(ClientConfig::default());
        let input = cat(&[
            b"ab",       // NVT text
            &[IAC, NOP], // IAC NOP: the text before it becomes an event
            b"cd",       // more NVT text
        ]);
        assert_eq!(c.feed_until_event(&input), 4);
        assert_eq!(
            events_client(&mut c),
            [
                Event::ModeChanged(Mode::Nvt),
                Event::NvtData(b"ab".to_vec())
            ]
        );
        assert_eq!(c.feed_until_event(&input[4..]), 2);
        assert_eq!(events_client(&mut c), [Event::NvtData(b"cd".to_vec())]);
        assert_eq!(c.feed_until_event(&[]), 0);
    }

    /// Concatenate byte pieces (each piece one protocol element, commented at the call).
    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    fn events_client(c: &mut ClientConnection) -> Vec<Event> {
        std::iter::from_fn(|| c.poll_event()).collect()
    }

    fn events_host(h: &mut HostConnection) -> Vec<Event> {
        std::iter::from_fn(|| h.poll_event()).collect()
    }

    fn client(lu: Option<&str>) -> ClientConnection {
        ClientConnection::new(ClientConfig {
            lu: lu.map(str::to_owned),
            ..ClientConfig::default()
        })
    }

    /// Drive a client against a Hercules 3.13-like plain TN3270 host.
    #[test]
    fn client_plain_tn3270_against_hercules() {
        let mut c = client(Some("0012"));
        assert_eq!(c.feed(&[0xff, 0xfd, 0x18]), 3); // IAC DO TERMINAL-TYPE
        assert_eq!(c.take_output(), [0xff, 0xfb, 0x18]); // IAC WILL TERMINAL-TYPE
        c.feed(&[0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0]); // IAC SB TTYPE SEND IAC SE
        assert_eq!(
            c.take_output(),
            cat(&[
                &[0xff, 0xfa, 0x18, 0x00], // IAC SB TTYPE IS
                b"IBM-3278-2-E@0012",      // type@LU (RFC 1646)
                &[0xff, 0xf0],             // IAC SE
            ])
        );
        c.feed(&cat(&[
            &[0xff, 0xfd, 0x19], // DO EOR
            &[0xff, 0xfb, 0x19], // WILL EOR
            &[0xff, 0xfd, 0x00], // DO BINARY
            &[0xff, 0xfb, 0x00], // WILL BINARY
        ]));
        assert_eq!(
            c.take_output(),
            cat(&[
                &[0xff, 0xfb, 0x19], // WILL EOR
                &[0xff, 0xfd, 0x19], // DO EOR
                &[0xff, 0xfb, 0x00], // WILL BINARY
                &[0xff, 0xfd, 0x00], // DO BINARY
            ])
        );
        assert_eq!(events_client(&mut c), [Event::ModeChanged(Mode::Tn3270)]);
        c.feed(&[
            0xf5, 0xc2, // Erase/Write, WCC
            0x11, 0x40, 0x40, // SBA 1,1
            0x1d, 0x40, // SF
            0xc1, 0xc2, // "AB"
            0xff, 0xef, // IAC EOR
        ]);
        assert_eq!(
            events_client(&mut c),
            [Event::Record {
                header: None,
                data: vec![0xf5, 0xc2, 0x11, 0x40, 0x40, 0x1d, 0x40, 0xc1, 0xc2]
            }]
        );
        // Operator presses Enter -> AID, cursor, IAC EOR; no header in plain TN3270.
        assert_eq!(
            c.send_record(DataType::Data3270, &[0x7d, 0x40, 0x40]),
            Ok(None)
        );
        assert_eq!(c.take_output(), [0x7d, 0x40, 0x40, 0xff, 0xef]);
        c.send_attn().unwrap();
        assert_eq!(c.take_output(), [0xff, 0xf3]); // IAC BREAK, as s3270
        c.send_sysreq().unwrap();
        assert_eq!(c.take_output(), [0x01, 0x6c, 0x61, 0x02, 0xff, 0xef]); // Test Request Read
        assert_eq!(
            c.send_record(DataType::SscpLuData, &[]),
            Err(SendError::NotTn3270e)
        );
    }

    /// The TN3270E negotiation of a mainframe-mocker-like host, then a 3270-DATA record.
    fn client_to_tn3270e(c: &mut ClientConnection, functions_is: &[u8]) {
        c.feed(&[0xff, 0xfd, 0x28]); // IAC DO TN3270E
        assert_eq!(c.take_output(), [0xff, 0xfb, 0x28]); // IAC WILL TN3270E
        c.feed(&[0xff, 0xfa, 0x28, 0x08, 0x02, 0xff, 0xf0]); // SB TN3270E SEND DEVICE-TYPE SE
        assert_eq!(
            c.take_output(),
            cat(&[
                &[0xff, 0xfa, 0x28, 0x02, 0x07], // SB TN3270E DEVICE-TYPE REQUEST
                b"IBM-3278-2-E",
                &[0x01], // CONNECT
                b"LU001",
                &[0xff, 0xf0],
            ])
        );
        c.feed(&cat(&[
            &[0xff, 0xfa, 0x28, 0x02, 0x04], // SB TN3270E DEVICE-TYPE IS
            b"IBM-3278-2-E",
            &[0x01], // CONNECT
            b"LU001",
            &[0xff, 0xf0],
        ]));
        assert_eq!(
            c.take_output(),
            [0xff, 0xfa, 0x28, 0x03, 0x07, 0x00, 0x02, 0x04, 0xff, 0xf0] // FUNCTIONS REQUEST BIND-IMAGE RESPONSES SYSREQ
        );
        c.feed(&cat(&[
            &[0xff, 0xfa, 0x28, 0x03, 0x04],
            functions_is,
            &[0xff, 0xf0],
        ])); // FUNCTIONS IS ...
        assert_eq!(c.take_output(), []);
    }

    #[test]
    fn client_tn3270e_against_mfmock_empty_functions() {
        let mut c = client(Some("LU001"));
        client_to_tn3270e(&mut c, &[]);
        let lu_lu = Mode::Tn3270e {
            functions: FunctionSet::EMPTY,
            session: Session::LuLu,
        };
        assert_eq!(
            events_client(&mut c),
            [
                Event::Device {
                    terminal_type: "IBM-3278-2-E".into(),
                    lu: Some("LU001".into())
                },
                Event::ModeChanged(lu_lu),
            ]
        );
        assert_eq!(c.lu(), Some("LU001"));
        c.feed(&[
            0x00, 0x00, 0x00, 0x00, 0x00, // 3270-DATA, no flags, seq 0
            0xf5, 0xc2, // Erase/Write, WCC
            0xff, 0xef, // IAC EOR
        ]);
        assert_eq!(
            events_client(&mut c),
            [Event::Record {
                header: Some(Header::new(DataType::Data3270, 0)),
                data: vec![0xf5, 0xc2]
            }]
        );
        // Without RESPONSES, no answer and our records carry sequence 0.
        assert_eq!(c.take_output(), []);
        c.send_record(DataType::Data3270, &[0x7d]).unwrap();
        assert_eq!(c.take_output(), [0, 0, 0, 0, 0, 0x7d, 0xff, 0xef]);
        c.send_attn().unwrap();
        assert_eq!(c.take_output(), [0xff, 0xf4]); // IAC IP in TN3270E
    }

    #[test]
    fn client_bind_image_responses_and_unbind() {
        let mut c = client(Some("LU001"));
        client_to_tn3270e(&mut c, &[0x00, 0x02, 0x04]);
        events_client(&mut c);
        let mut bind = vec![0u8; 28];
        bind[0] = 0x31; // BIND RU
        bind[20] = 24; // default rows
        bind[21] = 80; // default cols
        bind[22] = 27; // alternate rows
        bind[23] = 132; // alternate cols
        bind[24] = 0x7f; // explicit sizes
        c.feed(&cat(&[
            &[0x03, 0x00, 0x00, 0x00, 0x01],
            &bind,
            &[0xff, 0xef],
        ])); // BIND-IMAGE seq 1
        let ev = events_client(&mut c);
        assert_eq!(
            ev[0],
            Event::ModeChanged(Mode::Tn3270e {
                functions: FunctionSet::S3270,
                session: Session::LuLu
            })
        );
        let Event::Bind(b) = &ev[1] else {
            panic!("{ev:?}")
        };
        assert_eq!(b.default_size, Some(ScreenSize::MODEL_2));
        assert_eq!(b.alternate_size, Some(ScreenSize::MODEL_5));
        // 3270-DATA with ALWAYS-RESPONSE, seq 2 -> automatic positive response, same seq.
        c.feed(&[0x00, 0x00, 0x02, 0x00, 0x02, 0xf5, 0xc2, 0xff, 0xef]);
        assert_eq!(
            c.take_output(),
            [0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0xff, 0xef]
        );
        // ERROR-RESPONSE: nothing automatic; the application reports an error.
        c.feed(&[0x00, 0x00, 0x01, 0x00, 0x03, 0xf5, 0xff, 0xef]);
        assert_eq!(c.take_output(), []);
        c.send_response(3, Response::Negative(NegativeReason::OperationCheck))
            .unwrap();
        assert_eq!(
            c.take_output(),
            [0x02, 0x00, 0x01, 0x00, 0x03, 0x02, 0xff, 0xef]
        );
        // Our records count sequence numbers when RESPONSES is agreed.
        c.send_record(DataType::Data3270, &[0x7d]).unwrap();
        c.send_record(DataType::Data3270, &[0x7d]).unwrap();
        assert_eq!(
            c.take_output(),
            [0, 0, 0, 0, 0, 0x7d, 0xff, 0xef, 0, 0, 0, 0, 1, 0x7d, 0xff, 0xef]
        );
        // SYSREQ -> IAC AO and the session flips to SSCP-LU.
        events_client(&mut c);
        c.send_sysreq().unwrap();
        assert_eq!(c.take_output(), [0xff, 0xf5]);
        assert!(matches!(
            c.mode(),
            Mode::Tn3270e {
                session: Session::SscpLu,
                ..
            }
        ));
        // UNBIND (normal) -> unbound.
        c.feed(&[0x04, 0x00, 0x00, 0x00, 0x04, 0x01, 0xff, 0xef]);
        let ev = events_client(&mut c);
        assert_eq!(
            ev.last(),
            Some(&Event::Unbind {
                reason: Some(UNBIND_NORMAL)
            })
        );
        assert!(matches!(
            c.mode(),
            Mode::Tn3270e {
                session: Session::Unbound,
                ..
            }
        ));
    }

    #[test]
    fn client_reject_then_plain_fallback() {
        let mut c = client(Some("BADLU"));
        c.feed(&[0xff, 0xfd, 0x28]); // DO TN3270E
        c.feed(&[0xff, 0xfa, 0x28, 0x08, 0x02, 0xff, 0xf0]); // SEND DEVICE-TYPE
        c.take_output();
        c.feed(&[0xff, 0xfa, 0x28, 0x02, 0x06, 0x05, 0x03, 0xff, 0xf0]); // DEVICE-TYPE REJECT REASON INV-NAME
        assert_eq!(c.take_output(), [0xff, 0xfc, 0x28]); // WONT TN3270E
        assert_eq!(
            events_client(&mut c),
            [Event::DeviceRejected(ReasonCode::InvName)]
        );
        // The host acknowledges and falls back to plain TN3270.
        c.feed(&[0xff, 0xfe, 0x28]); // DONT TN3270E (acknowledgement: no answer)
        assert_eq!(c.take_output(), []);
        c.feed(&[0xff, 0xfd, 0x28]); // DO TN3270E again: refused now
        assert_eq!(c.take_output(), [0xff, 0xfc, 0x28]);
        c.feed(&cat(&[
            &[0xff, 0xfd, 0x18],                   // DO TTYPE
            &[0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0], // TTYPE SEND
            &[0xff, 0xfd, 0x19, 0xff, 0xfb, 0x19], // DO EOR, WILL EOR
            &[0xff, 0xfd, 0x00, 0xff, 0xfb, 0x00], // DO BINARY, WILL BINARY
        ]));
        assert_eq!(c.mode(), Mode::Tn3270);
        let out = c.take_output();
        assert!(out.windows(11).any(|w| w == b"-E@BADLU\xff\xf0\xff"));
    }

    #[test]
    fn client_ignores_the_wrong_side_of_tn3270e() {
        let mut c = client(None);
        c.feed(&[0xff, 0xfc, 0x28]); // WONT TN3270E (the host's side: meaningless, no answer)
        assert_eq!(c.take_output(), []);
        c.feed(&[0xff, 0xfb, 0x28]); // WILL TN3270E (host offers to perform it: refused)
        assert_eq!(c.take_output(), [0xff, 0xfe, 0x28]); // DONT TN3270E
        c.feed(&[0xff, 0xfd, 0x28]); // DO TN3270E: still accepted
        assert_eq!(c.take_output(), [0xff, 0xfb, 0x28]); // WILL TN3270E
    }

    #[test]
    fn client_nvt_mode_host() {
        let mut c = client(None);
        c.feed(b"Hello\r"); // the chunk ends between CR and NUL
        c.feed(b"\0wor");
        c.feed(b"ld\r\n\xff\xff");
        assert_eq!(
            events_client(&mut c),
            [
                Event::ModeChanged(Mode::Nvt),
                Event::NvtData(b"Hello\r".to_vec()),
                Event::NvtData(b"wor".to_vec()),
                Event::NvtData(b"ld\r\n\xff".to_vec()),
            ]
        );
        c.send_nvt(b"logon\n\r").unwrap();
        assert_eq!(c.take_output(), b"logon\r\n\r\0");
        assert_eq!(
            c.send_record(DataType::Data3270, &[]),
            Err(SendError::Not3270)
        );
    }

    #[test]
    fn timing_mark_both_ways() {
        let mut c = client(None);
        c.feed(&[0xff, 0xfd, 0x06]); // DO TIMING-MARK
        assert_eq!(c.take_output(), [0xff, 0xfc, 0x06]); // WONT TIMING-MARK (as s3270)
        c.feed(&[0xff, 0xfd, 0x06]); // again: answered again (no state)
        assert_eq!(c.take_output(), [0xff, 0xfc, 0x06]);
        let mut h = HostConnection::new(HostConfig::default());
        h.take_output();
        h.send_timing_mark();
        h.send_nop();
        assert_eq!(h.take_output(), [0xff, 0xfd, 0x06, 0xff, 0xf1]);
        h.feed(&[0xff, 0xfc, 0x06]); // WONT TIMING-MARK
        assert_eq!(events_host(&mut h), [Event::TimingMark]);
        assert_eq!(h.take_output(), []);
    }

    #[test]
    fn start_tls_client_and_host() {
        let mut c = ClientConnection::new(ClientConfig {
            start_tls: true,
            ..ClientConfig::default()
        });
        c.feed(&[0xff, 0xfd, 0x2e]); // DO START-TLS
        assert_eq!(
            c.take_output(),
            [0xff, 0xfb, 0x2e, 0xff, 0xfa, 0x2e, 0x01, 0xff, 0xf0] // WILL START-TLS, SB FOLLOWS SE
        );
        let consumed = c.feed(&[
            0xff, 0xfa, 0x2e, 0x01, 0xff, 0xf0, // SB START-TLS FOLLOWS SE
            0x16, 0x03, 0x01, // first bytes of a TLS record: not ours
        ]);
        assert_eq!(consumed, 6);
        assert_eq!(events_client(&mut c), [Event::StartTls]);
        assert_eq!(c.send_nvt(b"x"), Err(SendError::TlsPending));
        c.tls_established();

        let mut h = HostConnection::new(HostConfig {
            start_tls: true,
            ..HostConfig::default()
        });
        assert_eq!(h.take_output(), [0xff, 0xfd, 0x2e]); // DO START-TLS
        let consumed = h.feed(&[
            0xff, 0xfb, 0x2e, // WILL START-TLS
            0xff, 0xfa, 0x2e, 0x01, 0xff, 0xf0, // SB START-TLS FOLLOWS SE
            0x16, 0x03, // ClientHello begins
        ]);
        assert_eq!(consumed, 9);
        assert_eq!(h.take_output(), [0xff, 0xfa, 0x2e, 0x01, 0xff, 0xf0]); // our FOLLOWS
        assert_eq!(events_host(&mut h), [Event::StartTls]);
        h.tls_established();
        assert_eq!(h.take_output(), [0xff, 0xfd, 0x28]); // then DO TN3270E, inside TLS

        // A client that cannot do TLS refuses; the host goes on in the clear.
        let mut h = HostConnection::new(HostConfig {
            start_tls: true,
            ..HostConfig::default()
        });
        h.take_output();
        h.feed(&[0xff, 0xfc, 0x2e]); // WONT START-TLS
        assert_eq!(h.take_output(), [0xff, 0xfd, 0x28]);
    }

    /// A 3279 asks for the 3278 device type of its model in TN3270E, as s3270 does
    /// (`-model 3279-4-E` sends DEVICE-TYPE REQUEST `IBM-3278-4-E`).
    #[test]
    fn client_3279_requests_3278_device_type() {
        let mut c = ClientConnection::new(ClientConfig {
            terminal_type: "IBM-3279-4-E".into(),
            ..ClientConfig::default()
        });
        c.feed(&[0xff, 0xfd, 0x28]); // DO TN3270E
        assert_eq!(c.take_output(), [0xff, 0xfb, 0x28]); // WILL TN3270E
        c.feed(&[0xff, 0xfa, 0x28, 0x08, 0x02, 0xff, 0xf0]); // SEND DEVICE-TYPE
        assert_eq!(
            c.take_output(),
            cat(&[
                &[0xff, 0xfa, 0x28, 0x02, 0x07], // DEVICE-TYPE REQUEST
                b"IBM-3278-4-E",
                &[0xff, 0xf0],
            ])
        );
    }

    /// The host side as s3270 4.1 drives it (bytes from `s3270 -trace`).
    #[test]
    fn host_negotiation_as_s3270_drives_it() {
        let mut h = HostConnection::new(HostConfig {
            device_policy: DevicePolicy::Accept {
                default_lu: "LU001".into(),
            },
            ..HostConfig::default()
        });
        assert_eq!(h.take_output(), [0xff, 0xfd, 0x28]); // DO TN3270E
        h.feed(&[0xff, 0xfb, 0x28]); // WILL TN3270E
        assert_eq!(h.take_output(), [0xff, 0xfa, 0x28, 0x08, 0x02, 0xff, 0xf0]); // SEND DEVICE-TYPE
        h.feed(&cat(&[
            &[0xff, 0xfa, 0x28, 0x02, 0x07], // DEVICE-TYPE REQUEST
            b"IBM-3278-4-E",
            &[0xff, 0xf0],
        ]));
        assert_eq!(
            h.take_output(),
            cat(&[
                &[0xff, 0xfa, 0x28, 0x02, 0x04], // DEVICE-TYPE IS
                b"IBM-3278-4-E",
                &[0x01], // CONNECT
                b"LU001",
                &[0xff, 0xf0],
            ])
        );
        h.feed(&[0xff, 0xfa, 0x28, 0x03, 0x07, 0x00, 0x02, 0x04, 0xff, 0xf0]); // FUNCTIONS REQUEST
        assert_eq!(
            h.take_output(),
            [0xff, 0xfa, 0x28, 0x03, 0x04, 0x00, 0x02, 0x04, 0xff, 0xf0] // FUNCTIONS IS
        );
        assert_eq!(
            events_host(&mut h),
            [
                Event::ModeChanged(Mode::Negotiating).clone(),
                Event::Device {
                    terminal_type: "IBM-3278-4-E".into(),
                    lu: Some("LU001".into())
                },
                Event::ModeChanged(Mode::Tn3270e {
                    functions: FunctionSet::S3270,
                    session: Session::Unbound
                }),
            ][1..]
        );
        // BIND first (seq 0), then a write asking for a response (seq 1).
        let bind = h
            .send_bind(ScreenSize::MODEL_2, ScreenSize::MODEL_4)
            .unwrap()
            .unwrap();
        assert_eq!(bind.seq, 0);
        let out = h.take_output();
        assert_eq!(&out[..6], [0x03, 0x00, 0x00, 0x00, 0x00, 0x31]);
        let hdr = Header {
            data_type: DataType::Data3270,
            request_flag: 0,
            response_flag: RSF_ALWAYS_RESPONSE,
            seq: 1,
        };
        h.send_record_with_header(hdr, &[0xf5, 0xc2]).unwrap();
        assert_eq!(
            h.take_output(),
            [0x00, 0x00, 0x02, 0x00, 0x01, 0xf5, 0xc2, 0xff, 0xef]
        );
        events_host(&mut h);
        h.feed(&cat(&[
            &[0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0xff, 0xef], // RESPONSE POSITIVE seq 1, DE
            &[0xff, 0xf4],                                     // IAC IP (ATTN)
            &[0xff, 0xf5],                                     // IAC AO (SYSREQ)
            &[0x00, 0x00, 0x00, 0x00, 0x00, 0x7d, 0x40, 0x40, 0xff, 0xef], // Enter
        ]));
        assert_eq!(
            events_host(&mut h),
            [
                Event::Response {
                    seq: 1,
                    positive: true,
                    code: 0
                },
                Event::Attn,
                Event::SysReq,
                Event::Record {
                    header: Some(Header::new(DataType::Data3270, 0)),
                    data: vec![0x7d, 0x40, 0x40]
                },
            ]
        );
    }

    #[test]
    fn host_ask_policy_reject_and_plain_fallback() {
        let mut h = HostConnection::new(HostConfig::default());
        h.take_output();
        h.feed(&[0xff, 0xfb, 0x28]); // WILL TN3270E
        h.take_output();
        h.feed(&cat(&[
            &[0xff, 0xfa, 0x28, 0x02, 0x07], // DEVICE-TYPE REQUEST
            b"IBM-3279-2-E",
            &[0x01], // CONNECT
            b"TSO1",
            &[0xff, 0xf0],
        ]));
        assert_eq!(
            events_host(&mut h).last(),
            Some(&Event::DeviceRequested {
                terminal_type: "IBM-3279-2-E".into(),
                name: DeviceName::Connect("TSO1".into())
            })
        );
        assert_eq!(h.take_output(), []); // waits for the application
        h.reject_device(ReasonCode::DeviceInUse);
        assert_eq!(
            h.take_output(),
            [0xff, 0xfa, 0x28, 0x02, 0x06, 0x05, 0x01, 0xff, 0xf0] // REJECT REASON DEVICE-IN-USE
        );
        // The client gives up TN3270E: host acknowledges and asks TERMINAL-TYPE.
        h.feed(&[0xff, 0xfc, 0x28]); // WONT TN3270E
        assert_eq!(h.take_output(), [0xff, 0xfe, 0x28, 0xff, 0xfd, 0x18]); // DONT TN3270E, DO TTYPE
        h.feed(&[0xff, 0xfb, 0x18]); // WILL TTYPE
        assert_eq!(h.take_output(), [0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0]); // SB TTYPE SEND
        h.feed(&cat(&[
            &[0xff, 0xfa, 0x18, 0x00],
            b"IBM-3279-2-E@LUX",
            &[0xff, 0xf0],
        ]));
        assert_eq!(
            h.take_output(),
            [0xff, 0xfd, 0x19, 0xff, 0xfb, 0x19, 0xff, 0xfd, 0x00, 0xff, 0xfb, 0x00] // DO/WILL EOR, DO/WILL BINARY
        );
        h.feed(&[
            0xff, 0xfb, 0x19, 0xff, 0xfd, 0x19, 0xff, 0xfb, 0x00, 0xff, 0xfd, 0x00,
        ]); // s3270's answers
        assert_eq!(h.take_output(), []);
        assert_eq!(h.mode(), Mode::Tn3270);
        assert_eq!(h.lu(), Some("LUX"));
        h.feed(&[0xff, 0xf3]); // IAC BREAK: ATTN in plain TN3270
        let ev = events_host(&mut h);
        assert!(ev.contains(&Event::Device {
            terminal_type: "IBM-3279-2-E".into(),
            lu: Some("LUX".into())
        }));
        assert_eq!(ev.last(), Some(&Event::Attn));
    }

    #[test]
    fn host_plain_terminal_types() {
        // Hercules-style device choice: type@device-number.
        let mut h = HostConnection::new(HostConfig {
            tn3270e: false,
            ..HostConfig::default()
        });
        assert_eq!(h.take_output(), [0xff, 0xfd, 0x18]); // DO TTYPE
        h.feed(&[0xff, 0xfb, 0x18]); // WILL TTYPE
        h.feed(&cat(&[
            &[0xff, 0xfa, 0x18, 0x00], // SB TTYPE IS
            b"IBM-3278-2@0012",
            &[0xff, 0xf0],
        ]));
        assert_eq!(
            events_host(&mut h),
            [Event::Device {
                terminal_type: "IBM-3278-2".into(),
                lu: Some("0012".into())
            }]
        );
        // A non-3270 terminal type: NVT mode, no EOR/BINARY requested.
        let mut h = HostConnection::new(HostConfig {
            tn3270e: false,
            ..HostConfig::default()
        });
        h.feed(&[0xff, 0xfb, 0x18]); // WILL TTYPE
        h.take_output();
        h.feed(&cat(&[&[0xff, 0xfa, 0x18, 0x00], b"XTERM", &[0xff, 0xf0]]));
        assert_eq!(h.take_output(), []);
        assert_eq!(h.mode(), Mode::Nvt);
        // An empty or non-printable terminal type is an error, and nothing is answered.
        h.feed(&[0xff, 0xfa, 0x18, 0x00, 0x07, 0xff, 0xf0]);
        assert_eq!(
            events_host(&mut h).last(),
            Some(&Event::Error(Error::BadTerminalType))
        );
    }

    /// Pump bytes between a client and a host until both are quiet.
    fn pump(c: &mut ClientConnection, h: &mut HostConnection) {
        for _ in 0..32 {
            let to_c = h.take_output();
            let to_h = c.take_output();
            if to_c.is_empty() && to_h.is_empty() {
                return;
            }
            c.feed(&to_c);
            h.feed(&to_h);
        }
        panic!("negotiation does not settle");
    }

    #[test]
    fn our_client_and_host_agree_on_a_function_subset() {
        let mut c = client(None);
        let mut h = HostConnection::new(HostConfig {
            functions: FunctionSet::of(&[Function::Responses]),
            device_policy: DevicePolicy::Accept {
                default_lu: "POOL01".into(),
            },
            ..HostConfig::default()
        });
        pump(&mut c, &mut h);
        let want = Mode::Tn3270e {
            functions: FunctionSet::of(&[Function::Responses]),
            session: Session::LuLu,
        };
        assert_eq!(c.mode(), want);
        assert_eq!(h.mode(), want);
        assert_eq!(c.lu(), Some("POOL01"));
        // Records with 0xFF inside and in the sequence number cross intact.
        events_client(&mut c);
        events_host(&mut h);
        let hdr = Header {
            data_type: DataType::Data3270,
            request_flag: 0,
            response_flag: RSF_ALWAYS_RESPONSE,
            seq: 0x00ff,
        };
        h.send_record_with_header(hdr, &[0xff, 0x00, 0xff, 0xff])
            .unwrap();
        let wire = h.take_output();
        assert_eq!(
            wire,
            [
                0x00, 0x00, 0x02, 0x00, 0xff, 0xff, // header, seq 0x00FF with IAC doubled
                0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff, // data FF 00 FF FF doubled
                0xff, 0xef, // IAC EOR
            ]
        );
        c.feed(&wire);
        assert_eq!(
            events_client(&mut c),
            [Event::Record {
                header: Some(hdr),
                data: vec![0xff, 0x00, 0xff, 0xff]
            }]
        );
        h.feed(&c.take_output());
        assert_eq!(
            events_host(&mut h),
            [Event::Response {
                seq: 0xff,
                positive: true,
                code: 0
            }]
        );
        // A client that does not want TN3270E gets plain TN3270 from our host.
        let mut c = ClientConnection::new(ClientConfig {
            tn3270e: false,
            ..ClientConfig::default()
        });
        let mut h = HostConnection::new(HostConfig::default());
        pump(&mut c, &mut h);
        assert_eq!((c.mode(), h.mode()), (Mode::Tn3270, Mode::Tn3270));
    }

    #[test]
    fn client_new_environ_answers_user_and_devname() {
        let mut c = ClientConnection::new(ClientConfig {
            user: Some("UNKNOWN".into()),
            devname: Some("LU\u{1}X".into()),
            ..ClientConfig::default()
        });
        c.feed(&[0xff, 0xfd, 0x27, 0xff, 0xfa, 0x27, 0x01, 0xff, 0xf0]); // DO NEW-ENVIRON, SB SEND SE
        assert_eq!(
            c.take_output(),
            cat(&[
                &[0xff, 0xfb, 0x27],       // WILL NEW-ENVIRON
                &[0xff, 0xfa, 0x27, 0x00], // SB NEW-ENVIRON IS
                &[0x00],
                b"USER",
                &[0x01],
                b"UNKNOWN", // VAR USER VALUE UNKNOWN
                &[0x03],
                b"DEVNAME",
                &[0x01],
                b"LU",
                &[0x02, 0x01],
                b"X", // USERVAR DEVNAME VALUE LU<ESC 01>X
                &[0xff, 0xf0],
            ])
        );
        // Asking only for VAR USER gets only USER.
        c.feed(&cat(&[
            &[0xff, 0xfa, 0x27, 0x01, 0x00],
            b"USER",
            &[0xff, 0xf0],
        ]));
        assert_eq!(
            c.take_output(),
            cat(&[
                &[0xff, 0xfa, 0x27, 0x00, 0x00],
                b"USER",
                &[0x01],
                b"UNKNOWN",
                &[0xff, 0xf0]
            ])
        );
    }

    #[test]
    fn overlong_record_and_garbage_do_not_stop_the_connection() {
        let mut c = client(None);
        c.feed(&[
            0xff, 0xfd, 0x19, 0xff, 0xfb, 0x19, 0xff, 0xfd, 0x00, 0xff, 0xfb, 0x00,
        ]);
        assert_eq!(c.mode(), Mode::Tn3270);
        events_client(&mut c);
        c.take_output();
        let mut big = vec![0x40; MAX_RECORD_LEN + 1];
        big.extend([0xff, 0xef]);
        c.feed(&big);
        c.feed(&cat(&[
            &[0xff, 0xfb, 0x05],                   // WILL STATUS: refused
            &[0xff, 0xfd, 0x1f],                   // DO NAWS: refused
            &[0xff, 0xfd, 0x1f], // DO NAWS again: refused again (RFC 1143, state NO)
            &[0xff, 0xfe, 0x1f], // DONT NAWS: no answer, nothing changes
            &[0xff, 0x99],       // unknown command: ignored
            &[0xff, 0xfa, 0x63, 0x01, 0xff, 0xf0], // SB of an option never agreed: ignored
            &[0xf1, 0xff, 0xef], // a good record
        ]));
        assert_eq!(
            c.take_output(),
            [
                0xff, 0xfe, 0x05, // DONT STATUS
                0xff, 0xfc, 0x1f, // WONT NAWS
                0xff, 0xfc, 0x1f, // WONT NAWS
            ]
        );
        assert_eq!(
            events_client(&mut c),
            [
                Event::Error(Error::Telnet(crate::telnet::TelnetError::RecordTooLong)),
                Event::Record {
                    header: None,
                    data: vec![0xf1]
                }
            ]
        );
        // Garbage inside TN3270E negotiation and a short record.
        let mut c = client(None);
        client_to_tn3270e_quiet(&mut c);
        c.feed(&[0xff, 0xfa, 0x28, 0x63, 0xff, 0xf0]); // unknown TN3270E subnegotiation
        c.feed(&[0x00, 0x00, 0xff, 0xef]); // record shorter than a header
        c.feed(&[0x42, 0x00, 0x00, 0x00, 0x00, 0xff, 0xef]); // unknown data type
        assert_eq!(
            events_client(&mut c),
            [
                Event::Error(Error::BadTn3270eSubnegotiation),
                Event::Error(Error::BadHeader),
                Event::Error(Error::UnknownDataType(0x42)),
            ]
        );
    }

    fn client_to_tn3270e_quiet(c: &mut ClientConnection) {
        c.feed(&cat(&[
            &[0xff, 0xfd, 0x28],
            &[0xff, 0xfa, 0x28, 0x02, 0x04],
            b"IBM-3278-2-E",
            &[0xff, 0xf0],
            &[0xff, 0xfa, 0x28, 0x03, 0x04, 0xff, 0xf0],
        ]));
        c.take_output();
        events_client(c);
    }

    #[test]
    fn recycled_buffers_make_record_delivery_allocation_free() {
        let mut c = client(None);
        client_to_tn3270e_quiet(&mut c);
        let record = [0x00, 0x00, 0x00, 0x00, 0x00, 0xf5, 0xc2, 0x40, 0xff, 0xef]; // 3270-DATA EW WCC ' '
        c.feed(&record);
        let Some(Event::Record { data, .. }) = c.poll_event() else {
            panic!("record expected")
        };
        let first = data.as_ptr();
        c.recycle(data);
        c.feed(&record);
        let Some(Event::Record { data, .. }) = c.poll_event() else {
            panic!("record expected")
        };
        assert_eq!(data.as_ptr(), first);
        assert_eq!(data, [0xf5, 0xc2, 0x40]);
        // Output written in two steps keeps its buffer.
        c.send_nop();
        c.send_nop();
        c.consume_output(2);
        assert_eq!(c.pending_output(), [0xff, 0xf1]);
        c.consume_output(99);
        assert!(!c.has_output());
    }

    /// A recorded TN3270E host stream: negotiation, BIND, records with 0xFF, NOP, TM.
    fn recorded_host_stream() -> Vec<u8> {
        cat(&[
            &[0xff, 0xfd, 0x28],
            &[0xff, 0xfa, 0x28, 0x08, 0x02, 0xff, 0xf0],
            &[0xff, 0xfa, 0x28, 0x02, 0x04],
            b"IBM-3278-2-E",
            &[0x01],
            b"LU001",
            &[0xff, 0xf0],
            &[0xff, 0xfa, 0x28, 0x03, 0x04, 0x00, 0x02, 0x04, 0xff, 0xf0],
            &[0x03, 0x00, 0x00, 0x00, 0x00],
            &BindImage::encode(ScreenSize::MODEL_2, ScreenSize::MODEL_5),
            &[0xff, 0xef],
            &[
                0x00, 0x00, 0x02, 0x00, 0xff, 0xff, 0xf5, 0xff, 0xff, 0xc2, 0xff, 0xef,
            ],
            &[0xff, 0xf1, 0xff, 0xfd, 0x06],
            &[0x07, 0x00, 0x00, 0x00, 0x02, 0xc1, 0xff, 0xef],
            &[0x04, 0x00, 0x00, 0x00, 0x03, 0x01, 0xff, 0xef],
        ])
    }

    fn run_chunks(chunks: &[&[u8]]) -> (Vec<Event>, Vec<u8>) {
        let mut c = client(Some("LU001"));
        let mut events = Vec::new();
        let mut out = Vec::new();
        for chunk in chunks {
            assert_eq!(c.feed(chunk), chunk.len());
            events.extend(events_client(&mut c));
            out.extend(c.take_output());
        }
        (events, out)
    }

    proptest! {
        #[test]
        fn any_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut c = client(Some("LU"));
            c.feed(&input);
            events_client(&mut c);
            let mut h = HostConnection::new(HostConfig { start_tls: true, ..HostConfig::default() });
            h.feed(&input);
            events_host(&mut h);
        }

        #[test]
        fn any_bytes_after_tn3270e_never_panic(input in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut c = client(None);
            client_to_tn3270e_quiet(&mut c);
            c.feed(&input);
            events_client(&mut c);
        }

        #[test]
        fn chunking_does_not_matter(cuts in proptest::collection::vec(0usize..200, 0..12)) {
            let stream = recorded_host_stream();
            let whole = run_chunks(&[&stream]);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (stream.len() + 1)).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut last = 0;
            for c in cuts {
                chunks.push(&stream[last..c]);
                last = c;
            }
            chunks.push(&stream[last..]);
            prop_assert_eq!(run_chunks(&chunks), whole);
        }

        #[test]
        fn host_chunking_does_not_matter(cuts in proptest::collection::vec(0usize..120, 0..10)) {
            // What s3270 sends to our host: negotiation, a response, ATTN, SYSREQ, Enter.
            let stream = cat(&[
                &[0xff, 0xfb, 0x28],
                &[0xff, 0xfa, 0x28, 0x02, 0x07],
                b"IBM-3278-4-E",
                &[0xff, 0xf0],
                &[0xff, 0xfa, 0x28, 0x03, 0x07, 0x00, 0x02, 0x04, 0xff, 0xf0],
                &[0x02, 0x00, 0x00, 0x00, 0x07, 0x00, 0xff, 0xef],
                &[0xff, 0xf4, 0xff, 0xf5],
                &[0x00, 0x00, 0x00, 0x00, 0x00, 0x7d, 0x40, 0x40, 0xff, 0xef],
            ]);
            let run = |chunks: &[&[u8]]| {
                let mut h = HostConnection::new(HostConfig {
                    device_policy: DevicePolicy::Accept { default_lu: "LU001".into() },
                    ..HostConfig::default()
                });
                let mut events = Vec::new();
                let mut out = h.take_output();
                for chunk in chunks {
                    assert_eq!(h.feed(chunk), chunk.len());
                    events.extend(events_host(&mut h));
                    out.extend(h.take_output());
                }
                (events, out)
            };
            let whole = run(&[&stream]);
            prop_assert_eq!(whole.0.len(), 6);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (stream.len() + 1)).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut last = 0;
            for c in cuts {
                chunks.push(&stream[last..c]);
                last = c;
            }
            chunks.push(&stream[last..]);
            prop_assert_eq!(run(&chunks), whole);
        }

        #[test]
        fn framed_records_round_trip(data in proptest::collection::vec(any::<u8>(), 0..300), seq in 0u16..0x7fff) {
            let mut c = client(None);
            let mut h = HostConnection::new(HostConfig {
                functions: FunctionSet::EMPTY,
                device_policy: DevicePolicy::Accept { default_lu: "L".into() },
                ..HostConfig::default()
            });
            pump(&mut c, &mut h);
            events_client(&mut c);
            events_host(&mut h);
            let hdr = Header { data_type: DataType::Data3270, request_flag: 0, response_flag: 0, seq };
            h.send_record_with_header(hdr, &data).unwrap();
            c.feed(&h.take_output());
            prop_assert_eq!(events_client(&mut c), vec![Event::Record { header: Some(hdr), data: data.clone() }]);
            c.send_record(DataType::Data3270, &data).unwrap();
            h.feed(&c.take_output());
            let ev = events_host(&mut h);
            prop_assert_eq!(ev, vec![Event::Record { header: Some(Header::new(DataType::Data3270, 0)), data }]);
        }
    }
}
