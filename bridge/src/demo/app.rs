//! [`DemoApp`]: the demo host's application, sans-IO. Inbound 3270 records in, outbound
//! records out; it knows the terminal ([`TerminalInfo`]) and which screen is shown, and
//! nothing about sockets, telnet or time.
//!
//! ## Flow
//! 1. [`DemoApp::start`]: an extended-data-stream terminal (`-E` or IBM-DYNAMIC) is first
//!    asked a Read Partition Query (GA23-0059 §5.34); its Query Reply gives the real
//!    alternate size and what it can show (see `query`). Any other terminal, or one whose
//!    answer does not come ([`DemoApp::query_timeout`]), gets the logon screen at once with
//!    the sizes of its model number.
//! 2. [`DemoApp::on_record`] for each inbound record: the AID decides (GA23-0059 §3.5.6):
//!    Enter acts on the screen, PF1 help, PF3 back (from the logon screen: goodbye and
//!    close), PF12 cancel (PA2 too on the form, whose mandatory-entry field makes the
//!    terminal hold PF keys back until it is filled), Clear redraws the current screen, PA1
//!    answers with a short attention message, every other PF/PA key gets "PFn not defined".
//!
//! Every screen restores the keyboard and puts the cursor on its first input (or on the
//! input that failed a check). Short answers (PA1, undefined keys, ATTN) are a Write of the
//! message line only: the operator's input and cursor stay as they were.
//!
//! ## Malformed input
//! A record the inbound parser refuses (empty, unknown AID, cut inside an order) redraws the
//! current screen with "Input not understood (...)" in the message line; while the Query
//! Reply is awaited it starts the logon screen instead. Field data is read only at the
//! addresses of the screen's own inputs, and no more than each input's length is kept, so a
//! record's extra fields cannot grow the state.

use tn3270::address::AddressingMode;
use tn3270::aid::Aid;
use tn3270::builder::reply::InboundRecord;
use tn3270::builder::{CommandCodes, Wsf};
use tn3270::codepage::CP037;
use tn3270::input::ebc;
use tn3270::screen::ScreenSize;
use tn3270::tn3270e::{Function, FunctionSet};

use super::query::{self, QueryReplyInfo};
use super::screens::{
    self, InputSpec, FORM_LAYOUT, LOGON_DEPT, LOGON_PASSWORD, LOGON_USERID, MENU_OPTION,
};

/// The password the logon screen accepts (any case).
pub const DEMO_PASSWORD: &str = "DEMO";
/// Largest quantity the order form accepts.
pub const MAX_QUANTITY: u32 = 99_999;

/// How the session was negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Plain TN3270 (RFC 1576: TERMINAL-TYPE, BINARY, EOR).
    Tn3270,
    /// TN3270E (RFC 2355) with these functions.
    Tn3270e(FunctionSet),
}

impl Protocol {
    /// `TN3270E` or `TN3270`.
    pub fn short_name(self) -> &'static str {
        match self {
            Protocol::Tn3270 => "TN3270",
            Protocol::Tn3270e(_) => "TN3270E",
        }
    }

    /// The protocol with its TN3270E functions, for the menu.
    pub fn describe(self) -> String {
        match self {
            Protocol::Tn3270 => "TN3270 (RFC 1576), no TN3270E".into(),
            Protocol::Tn3270e(functions) => {
                let names: Vec<&str> = functions
                    .iter()
                    .map(|f| match f {
                        Function::BindImage => "BIND-IMAGE",
                        Function::DataStreamCtl => "DATA-STREAM-CTL",
                        Function::Responses => "RESPONSES",
                        Function::ScsCtlCodes => "SCS-CTL-CODES",
                        Function::Sysreq => "SYSREQ",
                        Function::ContentionResolution => "CONTENTION-RESOLUTION",
                        Function::SnaSense => "SNA-SENSE",
                    })
                    .collect();
                if names.is_empty() {
                    "TN3270E, no functions".into()
                } else {
                    format!("TN3270E: {}", names.join(" "))
                }
            }
        }
    }
}

/// What the host knows about the terminal: from its terminal type, then from its Query
/// Reply when it sent one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalInfo {
    /// The terminal type as negotiated (`IBM-3278-2-E`, `IBM-DYNAMIC`, ...).
    pub terminal_type: String,
    /// The LU name assigned (TN3270E CONNECT or plain `TYPE@LU`).
    pub lu: Option<String>,
    /// TN3270E or plain TN3270.
    pub protocol: Protocol,
    /// The default (Erase/Write) size: always 24×80.
    pub default_size: ScreenSize,
    /// The alternate (Erase/Write Alternate) size: the model's, or the Query Reply's.
    pub alternate_size: ScreenSize,
    /// The extended data stream (SFE, SA, WSF) may be used: `-E` types and IBM-DYNAMIC.
    pub extended: bool,
    /// Colours are shown (3279 type; the Query Reply's Color pairs decide).
    pub color: bool,
    /// Extended highlighting is shown.
    pub highlighting: bool,
    /// The terminal announced field validation (its Query Reply listed Field Validation).
    pub validation: bool,
    /// The terminal draws field outlining (its Query Reply listed Field Outlining).
    pub outlining: bool,
    /// A Query Reply was applied.
    pub queried: bool,
}

impl TerminalInfo {
    /// What a terminal type says: `IBM-327x-n[-E]` gives model n's sizes (RFC 1576 / RFC
    /// 2355 §7.1; a 3279 is colour), `-E` the extended data stream; `IBM-DYNAMIC` is
    /// extended with its size to be queried. Anything else is treated as a basic model 2.
    pub fn new(terminal_type: &str, lu: Option<&str>, protocol: Protocol) -> TerminalInfo {
        let upper = terminal_type.to_ascii_uppercase();
        let parts: Vec<&str> = upper
            .strip_prefix("IBM-")
            .unwrap_or("")
            .split('-')
            .collect();
        let (device, model, extended) = match parts.as_slice() {
            ["DYNAMIC"] => (Some("3279"), None, true),
            [device, model] => (Some(*device), model.parse::<u8>().ok(), false),
            [device, model, "E"] => (Some(*device), model.parse::<u8>().ok(), true),
            _ => (None, None, false),
        };
        let alternate_size = model
            .and_then(ScreenSize::for_model)
            .unwrap_or(ScreenSize::MODEL_2);
        TerminalInfo {
            terminal_type: terminal_type.to_string(),
            lu: lu.map(str::to_string),
            protocol,
            default_size: ScreenSize::MODEL_2,
            alternate_size,
            extended,
            color: extended && device == Some("3279"),
            highlighting: extended,
            validation: false,
            outlining: false,
            queried: false,
        }
    }

    /// Whether the terminal is asked a Read Partition Query before the first screen.
    pub fn wants_query(&self) -> bool {
        self.extended
    }

    /// Takes what a Query Reply said.
    pub fn apply_query(&mut self, info: QueryReplyInfo) {
        if let Some(size) = info.alternate_size {
            self.alternate_size = size;
        }
        self.color = info.color;
        self.highlighting = info.highlighting;
        self.validation = info.validation;
        self.outlining = info.outlining;
        self.queried = true;
    }
}

/// The screens of the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenId {
    /// (a) Logon.
    Logon,
    /// (b) Main menu.
    Menu,
    /// (c) Colour and highlighting showcase.
    Colours,
    /// (d) Order form with field validation.
    Form,
    /// (e) The alternate-size page (Erase/Write Alternate).
    SizeAlternate,
    /// (e) The default-size page (Erase/Write, 24×80).
    SizeDefault,
    /// (f) Help.
    Help,
    /// The session is over.
    Goodbye,
}

/// How a message-line message looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// Neutral information (white).
    Info,
    /// Something worked (green).
    Success,
    /// A key that does nothing here (yellow).
    Warning,
    /// A check failed (red, with the alarm).
    Error,
}

/// A message-line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The text (cut to the line).
    pub text: String,
    /// Its look.
    pub kind: MessageKind,
}

impl Message {
    fn new(kind: MessageKind, text: impl Into<String>) -> Message {
        Message {
            text: text.into(),
            kind,
        }
    }
}

/// Which logon input a check refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogonError {
    /// No userid, or not a name.
    Userid,
    /// Missing or wrong password.
    Password,
    /// Department not numeric.
    Dept,
}

/// What the logon screen holds between attempts (never the password).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogonState {
    /// Userid as typed (upper-cased).
    pub userid: String,
    /// Department as typed.
    pub dept: String,
    /// The input the last check failed on.
    pub error: Option<LogonError>,
}

/// The inputs of the order form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    /// Customer name: mandatory entry.
    Name,
    /// Account number: 8 digits, mandatory fill.
    Account,
    /// Quantity: numeric, 1 to [`MAX_QUANTITY`].
    Quantity,
    /// Unit price: an amount with at most 2 decimals.
    Price,
    /// Reference: optional free text.
    Reference,
}

impl FormField {
    fn index(self) -> usize {
        match self {
            FormField::Name => 0,
            FormField::Account => 1,
            FormField::Quantity => 2,
            FormField::Price => 3,
            FormField::Reference => 4,
        }
    }
}

/// An order that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Customer name.
    pub customer: String,
    /// Account number.
    pub account: String,
    /// Quantity.
    pub quantity: u32,
    /// Unit price in cents.
    pub price_cents: u64,
    /// Quantity × price, in cents.
    pub total_cents: u64,
}

/// What the order form holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormState {
    values: [String; 5],
    /// The input the last check failed on.
    pub error: Option<FormField>,
    /// The last order accepted.
    pub accepted: Option<Order>,
}

impl FormState {
    /// The current value of an input.
    pub fn value(&self, field: FormField) -> &str {
        self.values.get(field.index()).map_or("", String::as_str)
    }
    fn set(&mut self, field: FormField, value: String) {
        if let Some(slot) = self.values.get_mut(field.index()) {
            *slot = value;
        }
    }
}

/// What the app wants sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// 3270-DATA records to send, in order (no telnet framing).
    pub records: Vec<Vec<u8>>,
    /// Close the connection once they are written.
    pub close: bool,
}

impl Output {
    fn record(record: Vec<u8>) -> Output {
        Output {
            records: vec![record],
            close: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Not started.
    New,
    /// The Read Partition Query is out.
    AwaitingQuery,
    /// Screens are shown.
    Running,
    /// Goodbye sent.
    Ended,
}

/// The demo application of one connection.
#[derive(Debug, Clone)]
pub struct DemoApp {
    term: TerminalInfo,
    phase: Phase,
    screen: ScreenId,
    help_return: ScreenId,
    userid: Option<String>,
    logon: LogonState,
    form: FormState,
}

impl DemoApp {
    /// An app for this terminal; nothing is sent before [`DemoApp::start`].
    pub fn new(term: TerminalInfo) -> DemoApp {
        DemoApp {
            term,
            phase: Phase::New,
            screen: ScreenId::Logon,
            help_return: ScreenId::Logon,
            userid: None,
            logon: LogonState::default(),
            form: FormState::default(),
        }
    }

    /// The first records: a Read Partition Query (extended terminals), else the logon screen.
    pub fn start(&mut self) -> Output {
        if self.phase != Phase::New {
            return Output::default();
        }
        if self.term.wants_query() {
            self.phase = Phase::AwaitingQuery;
            Output::record(Wsf::new(CommandCodes::Ccw).read_partition_query().build())
        } else {
            self.begin()
        }
    }

    /// The terminal did not answer the query in time: go on with the model's sizes.
    pub fn query_timeout(&mut self) -> Output {
        if self.phase == Phase::AwaitingQuery {
            self.begin()
        } else {
            Output::default()
        }
    }

    /// Whether the Query Reply is awaited.
    pub fn awaiting_query(&self) -> bool {
        self.phase == Phase::AwaitingQuery
    }

    /// Whether the goodbye screen was sent (the connection should close).
    pub fn ended(&self) -> bool {
        self.phase == Phase::Ended
    }

    /// The terminal as the app knows it.
    pub fn terminal(&self) -> &TerminalInfo {
        &self.term
    }

    /// The screen shown.
    pub fn screen(&self) -> ScreenId {
        self.screen
    }

    /// The userid logged on, if any.
    pub fn userid(&self) -> Option<&str> {
        self.userid.as_deref()
    }

    /// The order form's state.
    pub fn form(&self) -> &FormState {
        &self.form
    }

    /// One inbound 3270 record (no TN3270E header, IAC undoubled).
    pub fn on_record(&mut self, record: &[u8]) -> Output {
        let rec = match InboundRecord::parse(record, AddressingMode::TwelveFourteen) {
            Ok(rec) => rec,
            Err(e) => {
                return match self.phase {
                    Phase::AwaitingQuery => self.begin(),
                    Phase::Running => {
                        let msg = Message::new(
                            MessageKind::Error,
                            format!("Input not understood ({e}); screen redrawn"),
                        );
                        self.show(self.screen, Some(msg))
                    }
                    Phase::New | Phase::Ended => Output::default(),
                };
            }
        };
        match self.phase {
            Phase::New | Phase::Ended => return Output::default(),
            Phase::AwaitingQuery => {
                if let Some(info) = query::parse(record) {
                    self.term.apply_query(info);
                }
                return self.begin();
            }
            Phase::Running => {}
        }
        match rec.aid {
            Aid::Enter => self.enter(&rec),
            Aid::Clear => self.show(self.screen, None),
            Aid::Pf(1) => self.help(),
            Aid::Pf(3) => self.back(),
            Aid::Pf(12) => self.cancel(),
            // PA2 leaves the form even while mandatory entry holds the PF keys back.
            Aid::Pa(2) if self.screen == ScreenId::Form => self.cancel(),
            Aid::Pa(1) => self.message(Message::new(
                MessageKind::Info,
                "PA1: attention received. Nothing is running that could be interrupted.",
            )),
            Aid::Pf(n) => self.message(Message::new(
                MessageKind::Warning,
                format!("PF{n} not defined"),
            )),
            Aid::Pa(n) => self.message(Message::new(
                MessageKind::Warning,
                format!("PA{n} not defined"),
            )),
            Aid::StructuredField => Output::default(),
            Aid::SysReq => self.message(Message::new(
                MessageKind::Warning,
                "SYS REQ: this demo has no SSCP session to switch to",
            )),
            other => self.message(Message::new(
                MessageKind::Warning,
                format!("Key X'{:02X}' not supported by this demo", other.code()),
            )),
        }
    }

    /// The operator pressed ATTN (telnet IP/BREAK).
    pub fn on_attn(&mut self) -> Output {
        self.notice(Message::new(
            MessageKind::Info,
            "ATTN received. Nothing to interrupt.",
        ))
    }

    /// The operator pressed SYS REQ (TN3270E SYSREQ function, telnet AO).
    pub fn on_sysreq(&mut self) -> Output {
        self.notice(Message::new(
            MessageKind::Warning,
            "SYS REQ: this demo has no SSCP session to switch to",
        ))
    }

    /// A last message before the host closes the connection (shutdown, idle timeout).
    pub fn farewell(&mut self, text: &str) -> Output {
        let mut out = self.notice(Message::new(MessageKind::Error, text));
        self.phase = Phase::Ended;
        out.close = true;
        out
    }

    /// A message while screens run; nothing before or after.
    fn notice(&mut self, msg: Message) -> Output {
        if self.phase == Phase::Running {
            self.message(msg)
        } else {
            Output::default()
        }
    }

    fn begin(&mut self) -> Output {
        self.phase = Phase::Running;
        self.show(ScreenId::Logon, None)
    }

    /// Draw a screen (Erase/Write or Erase/Write Alternate) and make it current.
    fn show(&mut self, id: ScreenId, msg: Option<Message>) -> Output {
        self.screen = id;
        let msg = msg.as_ref();
        let t = &self.term;
        let record = match id {
            ScreenId::Logon => screens::logon(t, &self.logon, msg),
            ScreenId::Menu => screens::menu(t, self.userid.as_deref().unwrap_or(""), "", msg),
            ScreenId::Colours => screens::colours(t, msg),
            ScreenId::Form => screens::form(t, &self.form, msg),
            ScreenId::SizeAlternate => screens::size_page(t, true, msg),
            ScreenId::SizeDefault => screens::size_page(t, false, msg),
            ScreenId::Help => screens::help(t, msg),
            ScreenId::Goodbye => {
                self.phase = Phase::Ended;
                return Output {
                    records: vec![screens::goodbye(t, self.userid.as_deref())],
                    close: true,
                };
            }
        };
        Output::record(record)
    }

    /// A message on the current screen: a Write of the message line, or (size pages, which
    /// have no message line field) the page redrawn with the message.
    fn message(&mut self, msg: Message) -> Output {
        match self.screen {
            ScreenId::SizeAlternate | ScreenId::SizeDefault => self.show(self.screen, Some(msg)),
            _ => Output::record(screens::message_write(&self.term, &msg)),
        }
    }

    fn help(&mut self) -> Output {
        if self.screen == ScreenId::Help {
            return self.message(Message::new(MessageKind::Info, "This is the help screen."));
        }
        self.help_return = self.screen;
        self.show(ScreenId::Help, None)
    }

    /// PF3: back one level; from the logon screen, goodbye.
    fn back(&mut self) -> Output {
        match self.screen {
            ScreenId::Logon | ScreenId::Goodbye => self.show(ScreenId::Goodbye, None),
            ScreenId::Menu => self.logoff(),
            ScreenId::Help => self.show(self.help_return, None),
            ScreenId::Colours
            | ScreenId::Form
            | ScreenId::SizeAlternate
            | ScreenId::SizeDefault => self.show(ScreenId::Menu, None),
        }
    }

    /// PF12: cancel what is on the screen and go back, without ending the session.
    fn cancel(&mut self) -> Output {
        match self.screen {
            ScreenId::Logon => {
                self.logon = LogonState::default();
                self.show(
                    ScreenId::Logon,
                    Some(Message::new(
                        MessageKind::Info,
                        "Logon cancelled; fields cleared.",
                    )),
                )
            }
            ScreenId::Menu => self.message(Message::new(
                MessageKind::Info,
                "Nothing to cancel on the menu. PF3 logs off.",
            )),
            ScreenId::Form => {
                self.form = FormState::default();
                self.show(
                    ScreenId::Menu,
                    Some(Message::new(MessageKind::Info, "Order cancelled.")),
                )
            }
            ScreenId::Help => self.show(self.help_return, None),
            ScreenId::Colours | ScreenId::SizeAlternate | ScreenId::SizeDefault => {
                self.show(ScreenId::Menu, None)
            }
            ScreenId::Goodbye => Output::default(),
        }
    }

    fn logoff(&mut self) -> Output {
        let who = self.userid.take().unwrap_or_default();
        self.logon = LogonState::default();
        self.form = FormState::default();
        self.show(
            ScreenId::Logon,
            Some(Message::new(
                MessageKind::Success,
                format!("{who} logged off. Log on again, or PF3 to end the session."),
            )),
        )
    }

    fn enter(&mut self, rec: &InboundRecord) -> Output {
        match self.screen {
            ScreenId::Logon => self.logon(rec),
            ScreenId::Menu => self.select(rec),
            ScreenId::Form => self.check_order(rec),
            ScreenId::Colours => self.message(Message::new(
                MessageKind::Info,
                "Nothing to process here. PF3 returns to the menu.",
            )),
            ScreenId::SizeAlternate => self.show(ScreenId::SizeDefault, None),
            ScreenId::SizeDefault => self.show(ScreenId::SizeAlternate, None),
            ScreenId::Help => self.show(self.help_return, None),
            ScreenId::Goodbye => Output::default(),
        }
    }

    fn logon(&mut self, rec: &InboundRecord) -> Output {
        let userid = read(rec, LOGON_USERID).map(|u| u.to_ascii_uppercase());
        let password = read(rec, LOGON_PASSWORD).unwrap_or_default();
        if let Some(u) = userid {
            self.logon.userid = u;
        }
        if let Some(d) = read(rec, LOGON_DEPT) {
            self.logon.dept = d;
        }
        let failure = if self.logon.userid.is_empty() {
            Some((LogonError::Userid, "Userid is required."))
        } else if !self
            .logon
            .userid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@#$".contains(c))
        {
            Some((
                LogonError::Userid,
                "Userid may hold letters, digits, @ # $ only.",
            ))
        } else if password.is_empty() {
            Some((
                LogonError::Password,
                "Password is required. The demo password is DEMO.",
            ))
        } else if !password.eq_ignore_ascii_case(DEMO_PASSWORD) {
            Some((
                LogonError::Password,
                "Password not valid. The demo password is DEMO.",
            ))
        } else if !self.logon.dept.chars().all(|c| c.is_ascii_digit()) {
            Some((LogonError::Dept, "Department must be numeric."))
        } else {
            None
        };
        if let Some((field, text)) = failure {
            self.logon.error = Some(field);
            return self.show(
                ScreenId::Logon,
                Some(Message::new(MessageKind::Error, text)),
            );
        }
        let userid = std::mem::take(&mut self.logon.userid);
        self.logon = LogonState::default();
        let text = format!("Welcome, {userid}. Choose an option and press Enter.");
        self.userid = Some(userid);
        self.show(
            ScreenId::Menu,
            Some(Message::new(MessageKind::Success, text)),
        )
    }

    fn select(&mut self, rec: &InboundRecord) -> Output {
        let option = read(rec, MENU_OPTION)
            .unwrap_or_default()
            .to_ascii_uppercase();
        match option.as_str() {
            "1" => {
                let msg = (self.term.extended && !self.term.color).then(|| {
                    Message::new(
                        MessageKind::Info,
                        "Your terminal reports monochrome: colours show as intensities.",
                    )
                });
                self.show(ScreenId::Colours, msg)
            }
            "2" => self.show(ScreenId::Form, None),
            "3" => self.show(ScreenId::SizeAlternate, None),
            "4" => self.help(),
            "5" | "X" => self.logoff(),
            "" => self.message(Message::new(
                MessageKind::Info,
                "Type an option number (1 to 5) and press Enter.",
            )),
            other => {
                let msg = Message::new(
                    MessageKind::Error,
                    format!("Option {other} is not valid. Type 1 to 5."),
                );
                self.show(ScreenId::Menu, Some(msg))
            }
        }
    }

    fn check_order(&mut self, rec: &InboundRecord) -> Output {
        for (field, _, _) in FORM_LAYOUT {
            if let Some(value) = read(rec, field.spec()) {
                self.form.set(field, value);
            }
        }
        self.form.accepted = None;
        match validate_order(&self.form) {
            Ok(order) => {
                self.form.error = None;
                let text = format!(
                    "Order accepted: total {}.",
                    screens::money(order.total_cents)
                );
                self.form.accepted = Some(order);
                self.show(
                    ScreenId::Form,
                    Some(Message::new(MessageKind::Success, text)),
                )
            }
            Err((field, text)) => {
                self.form.error = Some(field);
                self.show(ScreenId::Form, Some(Message::new(MessageKind::Error, text)))
            }
        }
    }
}

/// The order's checks, in screen order; the first failure names its input.
fn validate_order(form: &FormState) -> Result<Order, (FormField, String)> {
    let fail = |f: FormField, text: &str| Err((f, text.to_string()));
    let customer = form.value(FormField::Name).to_string();
    if customer.is_empty() {
        return fail(
            FormField::Name,
            "Customer name is required (mandatory entry).",
        );
    }
    let account = form.value(FormField::Account).to_string();
    if account.len() != 8 || !account.chars().all(|c| c.is_ascii_digit()) {
        return fail(
            FormField::Account,
            "Account number needs exactly 8 digits (mandatory fill).",
        );
    }
    let quantity = match form.value(FormField::Quantity).parse::<u32>() {
        Ok(q) if (1..=MAX_QUANTITY).contains(&q) => q,
        _ => {
            return fail(
                FormField::Quantity,
                "Quantity must be a whole number from 1 to 99999.",
            )
        }
    };
    let Some(price_cents) = parse_amount(form.value(FormField::Price)).filter(|&c| c > 0) else {
        return fail(
            FormField::Price,
            "Unit price must be an amount such as 12.50.",
        );
    };
    let Some(total_cents) = price_cents.checked_mul(u64::from(quantity)) else {
        return fail(FormField::Price, "Total too large.");
    };
    Ok(Order {
        customer,
        account,
        quantity,
        price_cents,
        total_cents,
    })
}

/// `12`, `12.5`, `12.50` → cents; `None` for anything else.
pub fn parse_amount(text: &str) -> Option<u64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let frac: u64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

/// The text of an input as it came back (trimmed, at most its length), `None` when the
/// field did not come back (MDT off). DUP and FIELD MARK read as `*` and `;`.
fn read(rec: &InboundRecord, spec: InputSpec) -> Option<String> {
    let field = rec.field(spec.data_addr())?;
    let text: String = field
        .data
        .iter()
        .take(spec.len)
        .map(|&b| match b {
            ebc::DUP => '*',
            ebc::FIELD_MARK => ';',
            b => CP037.decode(b),
        })
        .collect();
    Some(text.trim().to_string())
}
