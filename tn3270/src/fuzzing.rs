//! # fuzzing — one entry point per parser of the sans-IO core, with its invariants
//!
//! Owns: the functions the cargo-fuzz targets in `fuzz/` call (one per target, same name),
//! which `tn3270/tests/fuzz_corpus.rs` also runs over every committed corpus file on stable
//! Rust. Each takes arbitrary bytes, drives one layer with them, and checks with `assert!`
//! the invariants every input must keep: no panic, the cursor inside the screen, a sane
//! screen size, bounded buffers and output, and the same result whatever the chunking.
//! A failed assertion is a bug in the layer, never in the input.
//!
//! Does not own: any protocol behaviour. Nothing here is used by the crate itself; the
//! module is `#[doc(hidden)]` and not part of the API.
//!
//! Layers and their specs: [`telnet`] (RFC 854/855/885), [`tn3270e_client`] and
//! [`tn3270e_host`] (RFC 1576, RFC 2355 §7–§10), [`datastream`] (GA23-0059 ch. 3–4),
//! [`structured_fields`] (GA23-0059 ch. 5–6), [`inbound`] (GA23-0059 §3.5, host side),
//! [`keyboard`] (GA23-0059 §3.5, operator keys), [`terminal`] (all of them).
//!
//! Input layout: the first byte(s) of an input are configuration (model, addressing mode,
//! options, chunk-size seed), documented per function; the rest is protocol bytes. An input
//! too short for its configuration uses zeros, so every byte string is a valid input.

use crate::address::{AddressingMode, MAX_14BIT_CELLS, MAX_16BIT_CELLS};
use crate::aid::Aid;
use crate::builder::reply::InboundRecord;
use crate::codepage::{self, CodePage};
use crate::datastream::{self, order, Capabilities, ReadKind, Reply, MAX_REPLIES_PER_RECORD};
use crate::input::{inbound, Key, KeyOutcome, Keyboard, TYPEAHEAD_LIMIT};
use crate::screen::{LockReason, Screen, ScreenSize};
use crate::sf::{self, query::AID_STRUCTURED_FIELD};
use crate::telnet::consts::{IAC, MAX_RECORD_LEN, MAX_SUBNEGOTIATION_LEN};
use crate::telnet::{self as tel, Token};
use crate::terminal::{Terminal, TerminalConfig, TerminalEvent, TerminalModel};
use crate::tn3270e::{
    self, BindImage, ClientConfig, ClientConnection, DevicePolicy, Event, Function, FunctionSet,
    Header, HostConfig, HostConnection, ReasonCode,
};

/// Most bytes an inbound record (Read Buffer, Read Modified) may take per screen cell: an
/// SFE with the field attribute and all seven extended attribute pairs is 18 bytes; a data
/// cell is at most five SA orders (15 bytes), GE and the character (17 bytes).
pub const MAX_INBOUND_BYTES_PER_CELL: usize = 18;
/// Bytes of an inbound record besides the cells: AID, cursor address, a Test Request header.
pub const INBOUND_OVERHEAD: usize = 8;
/// Most bytes one telnet element received (a negotiation, a subnegotiation, a command, or a
/// record end) may make a connection write, not counting 3270 replies: a DEVICE-TYPE or
/// TERMINAL-TYPE answer echoes at most one subnegotiation, plus framing and an LU name.
pub const MAX_OUTPUT_PER_TELNET_ELEMENT: usize = 2 * MAX_SUBNEGOTIATION_LEN + 256;
/// The largest Query Reply record we accept as sane (all replies together, AID included).
pub const MAX_QUERY_REPLY_LEN: usize = 4096;
/// A record separator in multi-record inputs: IAC EOR, as on the wire.
const RECORD_SEPARATOR: [u8; 2] = [IAC, crate::telnet::consts::EOR];

/// Reads configuration bytes from the front of an input; zero once it is used up.
struct Config<'a> {
    data: &'a [u8],
}

impl<'a> Config<'a> {
    fn new(data: &'a [u8]) -> Self {
        Config { data }
    }

    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    fn rest(self) -> &'a [u8] {
        self.data
    }
}

/// Splits `data` into chunks whose sizes come from a small linear congruential generator
/// seeded with `seed`: mostly short chunks (1–16 bytes) and sometimes long ones, so that
/// every kind of boundary (inside IAC, inside a subnegotiation, inside an order) occurs.
fn chunks(data: &[u8], seed: u8) -> Vec<&[u8]> {
    let mut state = u32::from(seed).wrapping_mul(2_654_435_761).wrapping_add(1);
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let r = (state >> 16) as usize;
        let size = if r.is_multiple_of(8) {
            1 + r % 512
        } else {
            1 + r % 16
        };
        let (head, tail) = rest.split_at(size.min(rest.len()));
        out.push(head);
        rest = tail;
    }
    out
}

/// The code page chosen by a configuration byte.
fn code_page(b: u8) -> &'static CodePage {
    let all = codepage::ALL;
    all.get(usize::from(b) % all.len().max(1))
        .copied()
        .unwrap_or(&codepage::CP037)
}

/// Capabilities chosen by configuration bytes. First byte: bits 0–1 model 2–5, bit 2
/// colour, bit 3 extended, bit 4 16-bit addressing supported and selected, bit 5 an
/// alternate size from the next two bytes (rows, columns); the code page from the next byte.
fn capabilities(config: &mut Config<'_>) -> Capabilities {
    let b = config.byte();
    let cp = code_page(config.byte());
    let mut caps = Capabilities::for_model(2 + (b & 3), b & 4 != 0, b & 8 != 0, cp);
    if b & 16 != 0 {
        caps.sixteen_bit_supported = true;
        caps.addressing = AddressingMode::Sixteen;
    }
    if b & 32 != 0 {
        // One byte each: at most 255 × 255 cells, within 16-bit addressing.
        let (rows, cols) = (config.byte(), config.byte());
        caps = caps.with_alternate_size(ScreenSize {
            rows: rows.into(),
            cols: cols.into(),
        });
    }
    caps
}

/// The invariants of a screen under any input.
fn check_screen(screen: &Screen) {
    let size = screen.size();
    assert!(
        screen.rows() >= 1 && screen.cols() >= 1,
        "empty screen {size:?}"
    );
    assert!(
        size == screen.default_size() || size == screen.alternate_size(),
        "size {size:?} is neither default {:?} nor alternate {:?}",
        screen.default_size(),
        screen.alternate_size()
    );
    assert_eq!(screen.len(), screen.rows() * screen.cols());
    assert!(
        screen.len() <= screen.cells().len(),
        "active size past the buffer"
    );
    assert!(
        screen.len() <= MAX_16BIT_CELLS,
        "screen past 16-bit addressing"
    );
    assert!(
        screen.cursor() < screen.len(),
        "cursor {} outside a screen of {} cells",
        screen.cursor(),
        screen.len()
    );
}

/// The most bytes an inbound record for this screen may take.
fn inbound_bound(screen: &Screen) -> usize {
    INBOUND_OVERHEAD + MAX_INBOUND_BYTES_PER_CELL * screen.len()
}

/// Whether the cursor address survives the inbound encoding (screens past 14-bit
/// addressing report addresses modulo 16384 unless 16-bit addressing is selected).
fn cursor_encodable(screen: &Screen, mode: AddressingMode) -> bool {
    mode == AddressingMode::Sixteen || screen.len() <= MAX_14BIT_CELLS
}

/// Whether the host can parse this screen's inbound records unambiguously: no data cell
/// holds a byte the inbound parser reads as an order (SBA, SA, GE). A host may put such
/// bytes in the buffer (RA with an order byte as its character, as x3270 also stores them),
/// and a 3270 then sends them as they are (GA23-0059 §3.5.3): the record is ambiguous by
/// design, not malformed by us.
fn inbound_unambiguous(screen: &Screen) -> bool {
    !screen
        .cells()
        .iter()
        .take(screen.len())
        .any(|c| c.fa.is_none() && matches!(c.ch, order::SBA | order::SA | order::GE))
}

/// Builds the answer to a host read from `screen` and checks it: bounded, and (for the
/// Read Modified family) parsed back by the host-side parser with the same AID and cursor.
fn check_read(screen: &Screen, kind: ReadKind, aid: Aid, mode: AddressingMode) {
    let mut out = Vec::new();
    match kind {
        ReadKind::Buffer => inbound::read_buffer(screen, aid, mode, &mut out),
        ReadKind::Modified => inbound::read_modified(screen, aid, false, mode, &mut out),
        ReadKind::ModifiedAll => inbound::read_modified(screen, aid, true, mode, &mut out),
    }
    assert!(
        out.len() <= inbound_bound(screen),
        "{kind:?} answer of {} bytes for {} cells",
        out.len(),
        screen.len()
    );
    if kind == ReadKind::Buffer || aid == Aid::SysReq || !inbound_unambiguous(screen) {
        return;
    }
    let parsed = InboundRecord::parse(&out, mode);
    let Ok(record) = parsed else {
        panic!("our own {kind:?} answer does not parse: {parsed:?} {out:02x?}");
    };
    assert_eq!(record.aid, aid);
    if let Some(cursor) = record.cursor {
        if cursor_encodable(screen, mode) {
            assert_eq!(cursor, screen.cursor(), "cursor address round trip");
        }
    }
}

/// Applies one record and checks the screen and the outcome.
fn apply(screen: &mut Screen, record: &[u8], caps: &Capabilities) {
    let result = datastream::process(screen, record, caps);
    check_screen(screen);
    let Ok(outcome) = result else { return };
    assert!(outcome.replies.len() <= MAX_REPLIES_PER_RECORD);
    for reply in outcome.replies {
        match reply {
            Reply::Read(req) => check_read(screen, req.kind, req.aid, caps.addressing),
            Reply::QueryReply(bytes) => check_query_reply(&bytes),
        }
    }
}

/// A Query Reply record is AID X'88' and whole structured fields (`LL LL 81 QCODE …`),
/// bounded by [`MAX_QUERY_REPLY_LEN`].
fn check_query_reply(bytes: &[u8]) {
    assert!(
        bytes.len() <= MAX_QUERY_REPLY_LEN,
        "query reply of {} bytes",
        bytes.len()
    );
    let Some((&aid, mut rest)) = bytes.split_first() else {
        panic!("empty query reply");
    };
    assert_eq!(aid, AID_STRUCTURED_FIELD);
    while !rest.is_empty() {
        let len = match rest {
            [hi, lo, id, ..] => {
                assert_eq!(
                    *id,
                    sf::id::QUERY_REPLY,
                    "not a query reply field: {bytes:02x?}"
                );
                usize::from(u16::from_be_bytes([*hi, *lo]))
            }
            _ => panic!("query reply field cut short: {bytes:02x?}"),
        };
        assert!(len >= 4 && len <= rest.len(), "query reply length {len}");
        rest = rest.get(len..).unwrap_or_default();
    }
}

/// Telnet parser. Byte 0: bit 0 record mode, the rest the chunk-size seed. The input is
/// parsed whole and in chunks; the tokens and their payloads must be the same, buffers
/// stay under their limits, and every call makes progress (consumes input, or returns a
/// token, never nothing twice in a row).
pub fn telnet(data: &[u8]) {
    let mut config = Config::new(data);
    let b = config.byte();
    let input = config.rest();
    let whole = telnet_tokens(&[input], b & 1 != 0);
    let split = telnet_tokens(&chunks(input, b >> 1), b & 1 != 0);
    assert_eq!(whole, split, "tokens differ with chunking");
}

/// What a telnet parse produced, for comparison across chunkings: each token with its
/// payload; NVT data (taken when the buffer fills, and at the end) merged.
#[derive(Debug, PartialEq, Eq)]
enum TelnetItem {
    Token(Token, Vec<u8>),
    Nvt(Vec<u8>),
}

fn telnet_tokens(pieces: &[&[u8]], record_mode: bool) -> Vec<TelnetItem> {
    let mut parser = tel::Parser::new();
    parser.set_record_mode(record_mode);
    let mut items = Vec::new();
    let push_nvt = |items: &mut Vec<TelnetItem>, data: Vec<u8>| {
        if data.is_empty() {
            return;
        }
        if let Some(TelnetItem::Nvt(prev)) = items.last_mut() {
            prev.extend_from_slice(&data);
        } else {
            items.push(TelnetItem::Nvt(data));
        }
    };
    for piece in pieces {
        let mut rest = *piece;
        let mut idle = 0;
        while !rest.is_empty() {
            let (n, token) = parser.advance(rest);
            assert!(n <= rest.len(), "advance consumed {n} of {}", rest.len());
            // Nothing consumed only with a token, and never twice in a row.
            idle = if n == 0 { idle + 1 } else { 0 };
            assert!(
                idle <= 1 && (n > 0 || token.is_some()),
                "advance made no progress"
            );
            rest = rest.get(n..).unwrap_or_default();
            assert!(parser.subnegotiation().len() <= MAX_SUBNEGOTIATION_LEN);
            match token {
                Some(Token::Record) => {
                    let data = parser.take_data();
                    assert!(data.len() <= MAX_RECORD_LEN);
                    items.push(TelnetItem::Token(Token::Record, data));
                }
                Some(Token::NvtFull) => {
                    let data = parser.take_data();
                    assert!(data.len() <= MAX_RECORD_LEN);
                    push_nvt(&mut items, data);
                }
                Some(t @ Token::Subnegotiation(_)) => {
                    items.push(TelnetItem::Token(t, parser.subnegotiation().to_vec()))
                }
                Some(t) => items.push(TelnetItem::Token(t, Vec::new())),
                None => {}
            }
        }
    }
    // What is still buffered (NVT data, or a record without its IAC EOR). Taking NVT data
    // at every chunk end, as the connection does, is the caller's choice; the parser alone
    // must give the same tokens for any chunking.
    let data = parser.take_data();
    push_nvt(&mut items, data);
    items
}

/// Connection events made comparable across chunkings: NVT data split at chunk ends is
/// merged.
fn normalize_events(events: Vec<Event>) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    for ev in events {
        match (out.last_mut(), ev) {
            (Some(Event::NvtData(prev)), Event::NvtData(more)) => prev.extend_from_slice(&more),
            (_, ev) => out.push(ev),
        }
    }
    out
}

/// Checks a connection event's payload bounds.
fn check_event(ev: &Event) {
    match ev {
        Event::Record { data, .. } | Event::NvtData(data) => assert!(data.len() <= MAX_RECORD_LEN),
        Event::Bind(bind) => {
            assert!(bind.plu_name.len() <= tn3270e::consts::BIND_PLU_NAME_MAX);
            assert!(bind.raw.len() <= MAX_RECORD_LEN);
        }
        _ => {}
    }
}

/// How many telnet elements (each starts with IAC) a chunk may complete, plus one.
fn element_bound(chunk: &[u8]) -> usize {
    (chunk.iter().filter(|&&b| b == IAC).count() + 1) * MAX_OUTPUT_PER_TELNET_ELEMENT
}

/// The client configuration chosen by two bytes: bit 0 TN3270E, bit 1 an LU name, bit 2
/// START-TLS possible, bit 3 a user name, bit 4 automatic responses, bit 5 ASSOCIATE,
/// bits 6–7 the model; the second byte the functions (bit n: `Function::ALL[n]`).
fn client_config(b: u8, functions: u8) -> ClientConfig {
    ClientConfig {
        terminal_type: format!("IBM-3278-{}-E", 2 + (b >> 6)),
        lu: (b & 2 != 0).then(|| "LU0001".to_string()),
        associate: (b & 32 != 0).then(|| "TERM01".to_string()),
        tn3270e: b & 1 != 0,
        functions: function_set(functions),
        start_tls: b & 4 != 0,
        user: (b & 8 != 0).then(|| "FUZZ".to_string()),
        devname: None,
        auto_respond: b & 16 != 0,
    }
}

fn function_set(bits: u8) -> FunctionSet {
    let chosen: Vec<Function> = Function::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, f)| *f)
        .collect();
    FunctionSet::of(&chosen)
}

/// One run of a connection over chunks, recording events and output.
trait Conn {
    fn feed(&mut self, input: &[u8]) -> usize;
    fn poll(&mut self) -> Option<Event>;
    fn output(&mut self) -> Vec<u8>;
    fn tls_established(&mut self);
    /// Reacts to an event as an application would (accept a device, recycle a buffer) and
    /// sends something back now and then, exercising the send paths mid-negotiation.
    fn react(&mut self, ev: &Event);
}

impl Conn for ClientConnection {
    fn feed(&mut self, input: &[u8]) -> usize {
        ClientConnection::feed(self, input)
    }
    fn poll(&mut self) -> Option<Event> {
        self.poll_event()
    }
    fn output(&mut self) -> Vec<u8> {
        self.take_output()
    }
    fn tls_established(&mut self) {
        ClientConnection::tls_established(self)
    }
    fn react(&mut self, ev: &Event) {
        if let Event::Record { header, data } = ev {
            // An answer per record: a short Enter, an ATTN, a response to its sequence.
            let _ = self.send_record(tn3270e::DataType::Data3270, &[0x7d, 0x40, 0x40, IAC]);
            let _ = self.send_attn();
            if let Some(h) = header {
                let _ = self.send_response(h.seq, tn3270e::Response::Positive);
            }
            if data.len() % 7 == 3 {
                let _ = self.send_sysreq();
            }
        }
    }
}

impl Conn for HostConnection {
    fn feed(&mut self, input: &[u8]) -> usize {
        HostConnection::feed(self, input)
    }
    fn poll(&mut self) -> Option<Event> {
        self.poll_event()
    }
    fn output(&mut self) -> Vec<u8> {
        self.take_output()
    }
    fn tls_established(&mut self) {
        HostConnection::tls_established(self)
    }
    fn react(&mut self, ev: &Event) {
        match ev {
            Event::DeviceRequested { terminal_type, .. } => {
                if terminal_type.len() % 2 == 0 {
                    self.accept_device("LU0001");
                } else {
                    self.reject_device(ReasonCode::InvDeviceType);
                }
            }
            Event::ModeChanged(mode) if mode.is_3270() => {
                let _ = self.send_bind(ScreenSize::MODEL_2, ScreenSize::MODEL_2);
                let _ = self.send_record(tn3270e::DataType::Data3270, &[0xf5, 0xc3, IAC]);
            }
            Event::Record { .. } => self.send_timing_mark(),
            _ => {}
        }
    }
}

/// Feeds `pieces` to a connection; returns the normalised events and all output. With
/// `react`, the connection answers events as an application would ([`Conn::react`]); such
/// answers depend on when events are polled, so only runs without them are compared.
fn run_conn<C: Conn>(conn: &mut C, pieces: &[&[u8]], react: bool) -> (Vec<Event>, Vec<u8>) {
    let mut events = Vec::new();
    let mut output = conn.output();
    for piece in pieces {
        let mut rest = *piece;
        while !rest.is_empty() {
            let n = conn.feed(rest);
            assert!(n <= rest.len(), "feed consumed {n} of {}", rest.len());
            let fed = rest.get(..n).unwrap_or_default();
            rest = rest.get(n..).unwrap_or_default();
            let mut tls = false;
            while let Some(ev) = conn.poll() {
                check_event(&ev);
                if react {
                    conn.react(&ev);
                }
                tls |= ev == Event::StartTls;
                events.push(ev);
            }
            let out = conn.output();
            assert!(
                out.len() <= element_bound(fed) + element_bound(&[]),
                "{} output bytes for a {n}-byte chunk",
                out.len()
            );
            output.extend_from_slice(&out);
            // Input is left unconsumed only after START-TLS, so this loop always advances.
            assert!(
                tls || rest.is_empty(),
                "feed stopped early without START-TLS"
            );
            if tls {
                conn.tls_established();
                output.extend_from_slice(&conn.output());
            }
        }
    }
    (normalize_events(events), output)
}

/// Terminal-side connection. Bytes 0–1: `client_config`; byte 2: chunk seed. The rest is
/// what a host sends, fed whole and in chunks: events (NVT data merged) and output must be
/// the same. Also parses the rest as a TN3270E header and as a BIND image.
pub fn tn3270e_client(data: &[u8]) {
    let mut config = Config::new(data);
    let (b, f, seed) = (config.byte(), config.byte(), config.byte());
    let input = config.rest();
    let _ = Header::parse(input);
    let _ = BindImage::parse(input);
    let mut whole = ClientConnection::new(client_config(b, f));
    let mut split = ClientConnection::new(client_config(b, f));
    let a = run_conn(&mut whole, &[input], false);
    let c = run_conn(&mut split, &chunks(input, seed), false);
    assert_eq!(a, c, "client differs with chunking");
    assert_eq!(whole.mode(), split.mode());
    let mut reacting = ClientConnection::new(client_config(b, f));
    run_conn(&mut reacting, &chunks(input, seed), true);
    let _ = reacting.send_sysreq();
    let _ = reacting.send_nvt(b"logon\r\n");
}

/// Host-side connection. Byte 0: bit 0 TN3270E offered, bit 1 START-TLS offered, bit 2
/// devices accepted by policy (else asked, and decided by the length of the type); byte 1:
/// functions; byte 2: chunk seed. The rest is what a client sends, fed whole and in chunks.
pub fn tn3270e_host(data: &[u8]) {
    let mut config = Config::new(data);
    let (b, f, seed) = (config.byte(), config.byte(), config.byte());
    let input = config.rest();
    let host_config = HostConfig {
        tn3270e: b & 1 != 0,
        functions: function_set(f),
        start_tls: b & 2 != 0,
        device_policy: if b & 4 != 0 {
            DevicePolicy::Accept {
                default_lu: "LU0002".to_string(),
            }
        } else {
            DevicePolicy::Ask
        },
    };
    let mut whole = HostConnection::new(host_config.clone());
    let mut split = HostConnection::new(host_config.clone());
    let a = run_conn(&mut whole, &[input], false);
    let c = run_conn(&mut split, &chunks(input, seed), false);
    assert_eq!(a, c, "host differs with chunking");
    assert_eq!(whole.mode(), split.mode());
    let mut reacting = HostConnection::new(host_config);
    run_conn(&mut reacting, &chunks(input, seed), true);
    let _ = reacting.send_nvt(b"READY\r\n");
}

/// 3270 data stream. Bytes 0–1 (and 2–3 for an alternate size): `capabilities`. The rest
/// is one or more outbound records separated by IAC EOR, applied in turn to one screen;
/// after each the screen invariants hold and each requested read is built and checked, and
/// at the end a Read Buffer and a Read Modified of the final screen are built and checked.
pub fn datastream(data: &[u8]) {
    let mut config = Config::new(data);
    let caps = capabilities(&mut config);
    let mut screen = caps.new_screen();
    check_screen(&screen);
    for record in split_records(config.rest()) {
        apply(&mut screen, record, &caps);
    }
    check_read(&screen, ReadKind::Buffer, Aid::Enter, caps.addressing);
    check_read(&screen, ReadKind::Modified, Aid::Enter, caps.addressing);
    check_read(&screen, ReadKind::ModifiedAll, Aid::Pa(1), caps.addressing);
    check_read(&screen, ReadKind::Modified, Aid::SysReq, caps.addressing);
    let text = screen.to_text(caps_code_page(data));
    assert_eq!(text.chars().count(), screen.len() + screen.rows() - 1);
    for info in screen.field_infos() {
        assert!(info.row < screen.rows() && info.col < screen.cols());
    }
}

/// The code page `capabilities` chose for this input.
fn caps_code_page(data: &[u8]) -> &'static CodePage {
    code_page(data.get(1).copied().unwrap_or(0))
}

fn split_records(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.windows(2).position(|w| w == RECORD_SEPARATOR) {
            Some(i) => {
                rest = r.get(i + 2..);
                r.get(..i)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Structured fields. Bytes 0–1 (2–3): `capabilities`. The rest is the data of a Write
/// Structured Field (after the command byte), applied twice (a second time after whatever
/// the first changed: reply mode, partition, size); replies are checked as in
/// [`datastream`].
pub fn structured_fields(data: &[u8]) {
    let mut config = Config::new(data);
    let caps = capabilities(&mut config);
    let wsf = config.rest();
    let mut screen = caps.new_screen();
    for _ in 0..2 {
        let result = sf::write_structured_field(&mut screen, wsf, &caps);
        check_screen(&screen);
        if let Ok(outcome) = result {
            assert!(outcome.replies.len() <= MAX_REPLIES_PER_RECORD);
            for reply in outcome.replies {
                match reply {
                    Reply::Read(req) => check_read(&screen, req.kind, req.aid, caps.addressing),
                    Reply::QueryReply(bytes) => check_query_reply(&bytes),
                }
            }
        }
    }
    check_read(&screen, ReadKind::Buffer, Aid::Enter, caps.addressing);
    check_read(&screen, ReadKind::Modified, Aid::Enter, caps.addressing);
}

/// Host-side parse of an inbound record. Byte 0: bit 0 16-bit addressing. The rest is the
/// record (IAC undoubled). A parsed record never holds more data than it was given, and
/// its field addresses are what the addressing mode can express.
pub fn inbound(data: &[u8]) {
    let mut config = Config::new(data);
    let mode = if config.byte() & 1 != 0 {
        AddressingMode::Sixteen
    } else {
        AddressingMode::TwelveFourteen
    };
    let record = config.rest();
    let Ok(parsed) = InboundRecord::parse(record, mode) else {
        return;
    };
    let total: usize = parsed.fields.iter().map(|f| f.data.len()).sum();
    assert!(total <= record.len());
    for a in parsed
        .fields
        .iter()
        .filter_map(|f| f.addr)
        .chain(parsed.cursor)
    {
        assert!(a < MAX_16BIT_CELLS);
    }
    if let Some(first) = parsed.fields.first().and_then(|f| f.addr) {
        assert!(parsed.field(first).is_some());
    }
    for f in &parsed.fields {
        assert_eq!(f.text(&codepage::CP037).chars().count(), f.data.len());
    }
}

/// Characters a keyboard input types: digits and letters, the numeric-lock set, national
/// characters, one no EBCDIC code page has, and controls.
const KEY_CHARS: [char; 16] = [
    '0', '7', 'a', 'Z', ' ', '.', '-', '+', ',', 'ä', '€', '¬', '☃', '\u{0}', '\t', '|',
];

/// The operator's keyboard. Bytes 0–1 (2–3): `capabilities`; then a big-endian length
/// `n` (two bytes) and `n` bytes of outbound records (separated by IAC EOR) that build the screen; the rest is
/// a script, one action per byte (with operand bytes for some): every [`Key`], plus host
/// actions (restore the keyboard, lock it, write a record). After each action the screen
/// invariants hold, the type-ahead stays under [`TYPEAHEAD_LIMIT`], and an inbound record
/// sent for an AID is bounded and parses back on the host side with that AID.
pub fn keyboard(data: &[u8]) {
    let mut config = Config::new(data);
    let caps = capabilities(&mut config);
    let cp = caps_code_page(data);
    let prefix_len = usize::from(u16::from_be_bytes([config.byte(), config.byte()]));
    let rest = config.rest();
    let (prefix, script) = rest.split_at(prefix_len.min(rest.len()));
    let mut screen = caps.new_screen();
    for record in split_records(prefix) {
        apply(&mut screen, record, &caps);
    }
    screen.set_lock(None);
    let mut kb = Keyboard::new();
    kb.set_addressing(caps.addressing);
    let mut out = Vec::new();
    let mut script = Config::new(script);
    while !script.data.is_empty() {
        out.clear();
        let op = script.byte();
        let outcome = match op % 48 {
            0 => KeyOutcome::Nothing,
            1 => kb.key(&mut screen, Key::Tab, cp, &mut out),
            2 => kb.key(&mut screen, Key::BackTab, cp, &mut out),
            3 => kb.key(&mut screen, Key::Home, cp, &mut out),
            4 => kb.key(&mut screen, Key::Newline, cp, &mut out),
            5 => kb.key(&mut screen, Key::EraseEof, cp, &mut out),
            6 => kb.key(&mut screen, Key::EraseInput, cp, &mut out),
            7 => kb.key(&mut screen, Key::Delete, cp, &mut out),
            8 => kb.key(&mut screen, Key::Backspace, cp, &mut out),
            9 => kb.key(&mut screen, Key::Dup, cp, &mut out),
            10 => kb.key(&mut screen, Key::FieldMark, cp, &mut out),
            11 => kb.key(&mut screen, Key::Left, cp, &mut out),
            12 => kb.key(&mut screen, Key::Right, cp, &mut out),
            13 => kb.key(&mut screen, Key::Up, cp, &mut out),
            14 => kb.key(&mut screen, Key::Down, cp, &mut out),
            15 => kb.key(&mut screen, Key::Left2, cp, &mut out),
            16 => kb.key(&mut screen, Key::Right2, cp, &mut out),
            17 => kb.key(&mut screen, Key::WordNext, cp, &mut out),
            18 => kb.key(&mut screen, Key::WordPrev, cp, &mut out),
            19 => kb.key(&mut screen, Key::FieldEnd, cp, &mut out),
            20 => kb.key(&mut screen, Key::ToggleInsert, cp, &mut out),
            21 => kb.key(&mut screen, Key::Reset, cp, &mut out),
            22 => kb.key(&mut screen, Key::Enter, cp, &mut out),
            23 => kb.key(&mut screen, Key::Pf(script.byte() % 26), cp, &mut out),
            24 => kb.key(&mut screen, Key::Pa(script.byte() % 5), cp, &mut out),
            25 => kb.key(&mut screen, Key::Clear, cp, &mut out),
            26 => kb.key(&mut screen, Key::SysReq, cp, &mut out),
            27 => kb.key(&mut screen, Key::Attn, cp, &mut out),
            28 => kb.key(&mut screen, Key::CursorSelect, cp, &mut out),
            29 => kb.key(&mut screen, Key::Ge(script.byte()), cp, &mut out),
            30 => {
                let hi = u32::from(script.byte());
                let lo = u32::from(script.byte());
                let c = char::from_u32((hi << 8) | lo).unwrap_or('?');
                kb.key(&mut screen, Key::Char(c), cp, &mut out)
            }
            // The host restores the keyboard: type-ahead is replayed.
            31 => {
                screen.set_lock(None);
                kb.host_wrote();
                kb.unlocked(&mut screen, cp, &mut out)
            }
            // The host (or the session) locks the keyboard.
            32 => {
                screen.set_lock(Some(LockReason::SystemWait));
                KeyOutcome::Nothing
            }
            // The host writes a record of the next `n` bytes.
            33 => {
                let n = usize::from(script.byte());
                let (record, tail) = script.data.split_at(n.min(script.data.len()));
                script.data = tail;
                apply(&mut screen, record, &caps);
                kb.host_wrote();
                KeyOutcome::Nothing
            }
            34 => {
                kb.set_insert_mode(!kb.insert_mode());
                kb.set_numeric_lock(!kb.numeric_lock());
                kb.set_blank_fill(!kb.blank_fill());
                KeyOutcome::Nothing
            }
            // SSCP-LU mode on (from the cursor) or off.
            35 => {
                let start = kb.sscp_lu().is_none().then(|| screen.cursor());
                kb.set_sscp_lu(start);
                KeyOutcome::Nothing
            }
            k => {
                let c = KEY_CHARS
                    .get(usize::from(k) % KEY_CHARS.len())
                    .copied()
                    .unwrap_or('x');
                kb.key(&mut screen, Key::Char(c), cp, &mut out)
            }
        };
        check_screen(&screen);
        assert!(kb.typeahead_len() <= TYPEAHEAD_LIMIT);
        assert!(
            out.len() <= inbound_bound(&screen),
            "{} inbound bytes for {} cells",
            out.len(),
            screen.len()
        );
        if let KeyOutcome::Sent(aid) = outcome {
            if kb.sscp_lu().is_none() && aid != Aid::SysReq && inbound_unambiguous(&screen) {
                let parsed = InboundRecord::parse(&out, kb.addressing());
                let Ok(record) = parsed else {
                    panic!("inbound record for {aid:?} does not parse: {parsed:?} {out:02x?}");
                };
                assert_eq!(record.aid, aid);
            }
        }
    }
}

/// The whole terminal. Byte 0: bits 0–1 model 2–5, bit 2 colour, bit 3 TN3270E accepted,
/// bit 4 START-TLS possible, bit 5 an LU name, bit 6 numeric lock, bit 7 an oversize from
/// bytes 2–3 (columns, rows); byte 1: code page; then the chunk seed. The rest is what a
/// host sends, fed whole to one terminal and in chunks to another: screens, cursors, events
/// (NVT merged) and output must be equal; screen invariants and output bounds hold; after
/// the input, Enter is pressed and text typed on both.
pub fn terminal(data: &[u8]) {
    let mut config = Config::new(data);
    let b = config.byte();
    let cp = code_page(config.byte());
    let mut model = TerminalModel {
        color: b & 4 != 0,
        model: 2 + (b & 3),
        ..TerminalModel::default()
    };
    if b & 128 != 0 {
        let (cols, rows) = (config.byte(), config.byte());
        model = model
            .clone()
            .with_oversize(&format!("{cols}x{rows}"))
            .unwrap_or(model);
    }
    let seed = config.byte();
    let input = config.rest();
    let terminal_config = TerminalConfig {
        model,
        code_page: cp,
        lu: (b & 32 != 0).then(|| "LU0001".to_string()),
        tn3270e: b & 8 != 0,
        user: None,
        numeric_lock: b & 64 != 0,
        start_tls: b & 16 != 0,
    };
    let pieces = chunks(input, seed);
    let whole = run_terminal(&terminal_config, &[input]);
    let split = run_terminal(&terminal_config, &pieces);
    assert_eq!(whole, split, "terminal differs with chunking");
    run_terminal_typing(&terminal_config, &pieces);
}

/// Keys an operator presses while host data arrives ([`run_terminal_typing`]).
const TYPING_KEYS: [Key; 16] = [
    Key::Enter,
    Key::Tab,
    Key::Char('a'),
    Key::Char('1'),
    Key::Pa(1),
    Key::Clear,
    Key::Reset,
    Key::EraseEof,
    Key::Attn,
    Key::SysReq,
    Key::BackTab,
    Key::Home,
    Key::Delete,
    Key::Pf(3),
    Key::Newline,
    Key::CursorSelect,
];

/// A third run: after each chunk the operator presses a key chosen by the chunk's first
/// byte (type-ahead while locked, AIDs mid-session, SYSREQ/ATTN in any mode); the
/// invariants hold after every step.
fn run_terminal_typing(config: &TerminalConfig, pieces: &[&[u8]]) {
    let mut term = Terminal::new(config.clone());
    term.connected();
    for piece in pieces {
        let mut rest = *piece;
        while !rest.is_empty() {
            let n = term.feed(rest);
            rest = rest.get(n..).unwrap_or_default();
            let mut tls = false;
            while let Some(ev) = term.poll_event() {
                tls |= ev == TerminalEvent::StartTls;
            }
            if tls {
                term.tls_established();
            }
        }
        let _ = term.take_output();
        let key = piece
            .first()
            .and_then(|&b| TYPING_KEYS.get(usize::from(b) % TYPING_KEYS.len()))
            .copied()
            .unwrap_or(Key::Enter);
        term.key(key);
        check_screen(term.screen());
        assert!(term.keyboard().typeahead_len() <= TYPEAHEAD_LIMIT);
        let out = term.take_output();
        assert!(out.len() <= 2 * (inbound_bound(term.screen()) + MAX_OUTPUT_PER_TELNET_ELEMENT));
    }
}

/// Everything observable of a terminal run.
#[derive(Debug, PartialEq, Eq)]
struct TerminalRun {
    events: Vec<TerminalEvent>,
    output: Vec<u8>,
    text: Vec<String>,
    cursor: usize,
    lock: Option<LockReason>,
}

fn run_terminal(config: &TerminalConfig, pieces: &[&[u8]]) -> TerminalRun {
    let mut term = Terminal::new(config.clone());
    term.connected();
    let mut events: Vec<TerminalEvent> = Vec::new();
    let mut output = Vec::new();
    let push = |events: &mut Vec<TerminalEvent>, ev: TerminalEvent| match (events.last_mut(), ev) {
        (Some(TerminalEvent::Nvt(prev)), TerminalEvent::Nvt(more)) => prev.extend_from_slice(&more),
        (_, ev) => events.push(ev),
    };
    for piece in pieces {
        let mut rest = *piece;
        while !rest.is_empty() {
            let n = term.feed(rest);
            assert!(n <= rest.len());
            let fed = rest.get(..n).unwrap_or_default();
            rest = rest.get(n..).unwrap_or_default();
            let mut tls = false;
            while let Some(ev) = term.poll_event() {
                tls |= ev == TerminalEvent::StartTls;
                push(&mut events, ev);
            }
            check_screen(term.screen());
            let out = term.take_output();
            let per_element = MAX_OUTPUT_PER_TELNET_ELEMENT
                + MAX_REPLIES_PER_RECORD * 2 * (inbound_bound(term.screen()) + MAX_QUERY_REPLY_LEN);
            let elements = fed.iter().filter(|&&b| b == IAC).count() + 1;
            assert!(
                out.len() <= elements * per_element,
                "{} output bytes for {n} input bytes",
                out.len()
            );
            output.extend_from_slice(&out);
            assert!(
                tls || rest.is_empty(),
                "feed stopped early without START-TLS"
            );
            if tls {
                term.tls_established();
            }
        }
    }
    term.key(Key::Enter);
    term.type_text("a1\tb");
    term.key(Key::Pa(1));
    check_screen(term.screen());
    output.extend_from_slice(&term.take_output());
    while let Some(ev) = term.poll_event() {
        push(&mut events, ev);
    }
    let _ = term.snapshot();
    TerminalRun {
        events,
        output,
        text: term.text_rows(),
        cursor: term.screen().cursor(),
        lock: term.screen().lock(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_input_in_order() {
        let data: Vec<u8> = (0..=255).collect();
        for seed in [0, 1, 77, 255] {
            let pieces = chunks(&data, seed);
            assert!(pieces.iter().all(|p| !p.is_empty()));
            assert_eq!(pieces.concat(), data);
            assert!(pieces.len() > 1);
        }
    }

    #[test]
    fn records_split_at_iac_eor() {
        let recs: Vec<&[u8]> = split_records(&[0xf5, 0xc3, 0xff, 0xef, 0xf1, 0xff, 0xef]).collect();
        assert_eq!(recs, vec![&[0xf5, 0xc3][..], &[0xf1][..], &[][..]]);
    }

    #[test]
    fn empty_inputs_are_valid() {
        telnet(&[]);
        tn3270e_client(&[]);
        tn3270e_host(&[]);
        datastream(&[]);
        structured_fields(&[]);
        inbound(&[]);
        keyboard(&[]);
        terminal(&[]);
    }
}
