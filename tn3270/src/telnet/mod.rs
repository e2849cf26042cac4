//! # telnet — byte-level telnet for TN3270 (RFC 854, 855, 856, 860, 885, 1091, 1143, 1572)
//!
//! Owns: the push [`Parser`] that turns bytes from a peer into [`Token`]s (records framed
//! at IAC EOR, NVT data, commands, negotiations, subnegotiations) across any chunk
//! boundary; the per-option negotiation state of RFC 1143 ([`OptionTable`]); and the
//! output encoders ([`write_escaped`], [`write_nvt`], [`write_negotiation`],
//! [`write_subnegotiation`]).
//!
//! Does not own: which options are wanted or how a TN3270/TN3270E session is driven —
//! that policy, for both the terminal side and the host side, lives in
//! [`crate::tn3270e`] (`ClientConnection`, `HostConnection`), which feeds this parser.
//!
//! ## Behaviour on malformed input (documented, tested)
//! - A record longer than [`consts::MAX_RECORD_LEN`] yields one
//!   [`TelnetError::RecordTooLong`] and everything up to the next IAC EOR is discarded.
//!   The buffer never grows past the limit.
//! - A subnegotiation longer than [`consts::MAX_SUBNEGOTIATION_LEN`] is dropped with
//!   [`TelnetError::SubnegotiationTooLong`] at its IAC SE.
//! - `IAC x` inside a subnegotiation where `x` is neither SE nor IAC ends the
//!   subnegotiation with [`TelnetError::BadSubnegotiation`]; `IAC x` is then processed
//!   as a command (RFC 855 leaves this open; this is what a tolerant peer does).
//! - Unknown commands after IAC are returned as [`Token::Command`] and ignored upstream.
//!
//! ## NVT mode (RFC 854)
//! When the parser is not in record mode, data bytes are NVT characters: `CR NUL` is
//! delivered as a bare `CR`, `CR LF` unchanged; the pending-CR state survives chunk
//! boundaries. In record mode (binary 3270 data) bytes are delivered verbatim.

pub mod consts;

use consts::{
    CR, DO, DONT, EOR, IAC, LF, MAX_RECORD_LEN, MAX_SUBNEGOTIATION_LEN, NUL, SB, SE, WILL, WONT,
};

/// Errors of the telnet layer. None of them stops the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TelnetError {
    /// A record exceeded [`consts::MAX_RECORD_LEN`]; it is discarded up to the next IAC EOR.
    RecordTooLong,
    /// A subnegotiation exceeded [`consts::MAX_SUBNEGOTIATION_LEN`] and was dropped.
    SubnegotiationTooLong {
        /// The option being subnegotiated.
        option: u8,
    },
    /// `IAC x` (x not SE/IAC) inside a subnegotiation: the subnegotiation was dropped.
    BadSubnegotiation {
        /// The option being subnegotiated.
        option: u8,
    },
}

/// A negotiation verb (RFC 854).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// WILL (251).
    Will,
    /// WON'T (252).
    Wont,
    /// DO (253).
    Do,
    /// DON'T (254).
    Dont,
}

impl Verb {
    /// The command byte of this verb.
    pub fn byte(self) -> u8 {
        match self {
            Verb::Will => WILL,
            Verb::Wont => WONT,
            Verb::Do => DO,
            Verb::Dont => DONT,
        }
    }
}

/// What the parser found. Payloads stay in the parser: take a record or NVT data with
/// [`Parser::take_data`], read a subnegotiation with [`Parser::subnegotiation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// `IAC EOR` ended a record; its bytes (IAC undoubled) are in [`Parser::take_data`].
    Record,
    /// NVT data filled the buffer up to [`consts::MAX_RECORD_LEN`]; take it with
    /// [`Parser::take_data`]. (At the end of each chunk the caller also takes pending NVT
    /// data itself.)
    NvtFull,
    /// `IAC <cmd>` for any command other than negotiation, SB and EOR (NOP, GA, AYT, IP,
    /// AO, BREAK, DM, EC, EL, a stray SE, or an unknown byte).
    Command(u8),
    /// `IAC <verb> <option>`.
    Negotiate(Verb, u8),
    /// `IAC SB <option> ... IAC SE`; the payload is [`Parser::subnegotiation`].
    Subnegotiation(u8),
    /// A malformed element was dropped.
    Error(TelnetError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Data,
    Iac,
    Negotiate(Verb),
    SubOption,
    Sub,
    SubIac,
}

/// The push parser: feed it any chunk with [`Parser::advance`] until the chunk is used up.
///
/// Buffers are bounded by [`consts::MAX_RECORD_LEN`] and
/// [`consts::MAX_SUBNEGOTIATION_LEN`]; nothing is allocated per byte (data runs between
/// IACs are copied with one `extend_from_slice`).
#[derive(Debug, Clone)]
pub struct Parser {
    state: State,
    data: Vec<u8>,
    spare: Vec<u8>,
    sub: Vec<u8>,
    sub_option: u8,
    sub_overflow: bool,
    discarding: bool,
    record_mode: bool,
    cr_pending: bool,
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new()
    }
}

impl Parser {
    /// A parser in NVT mode with empty buffers.
    pub fn new() -> Parser {
        Parser {
            state: State::Data,
            data: Vec::new(),
            spare: Vec::new(),
            sub: Vec::new(),
            sub_option: 0,
            sub_overflow: false,
            discarding: false,
            record_mode: false,
            cr_pending: false,
        }
    }

    /// Switch between record mode (3270 data, verbatim) and NVT mode (CR NUL handling).
    /// The caller should take pending NVT data before switching to record mode.
    pub fn set_record_mode(&mut self, on: bool) {
        if self.record_mode != on {
            self.record_mode = on;
            self.cr_pending = false;
        }
    }

    /// Whether the parser is in record mode.
    pub fn record_mode(&self) -> bool {
        self.record_mode
    }

    /// Consume bytes from `input` until one token is complete or the input is used up.
    /// Returns how many bytes were consumed and the token, if any. On non-empty input a
    /// call consumes at least one byte or returns a token: the one case that consumes
    /// nothing is [`TelnetError::BadSubnegotiation`] when the chunk starts right after the
    /// `IAC` (the byte is then read as the command by the next call), so calling until the
    /// input is used up always ends.
    pub fn advance(&mut self, input: &[u8]) -> (usize, Option<Token>) {
        let mut i = 0;
        while let Some(&b) = input.get(i) {
            match self.state {
                State::Data => {
                    if b == IAC {
                        self.state = State::Iac;
                        i += 1;
                    } else if self.record_mode {
                        let rest = input.get(i..).unwrap_or_default();
                        let run = rest.iter().position(|&c| c == IAC).unwrap_or(rest.len());
                        let chunk = rest.get(..run).unwrap_or_default();
                        i += run;
                        if let Some(err) = self.push_record_bytes(chunk) {
                            return (i, Some(err));
                        }
                    } else {
                        i += 1;
                        if self.push_nvt_byte(b) {
                            return (i, Some(Token::NvtFull));
                        }
                    }
                }
                State::Iac => {
                    i += 1;
                    self.state = State::Data;
                    match b {
                        IAC => {
                            if self.record_mode {
                                if let Some(err) = self.push_record_bytes(&[IAC]) {
                                    return (i, Some(err));
                                }
                            } else if self.push_nvt_byte(IAC) {
                                return (i, Some(Token::NvtFull));
                            }
                        }
                        EOR => {
                            if self.discarding {
                                self.discarding = false;
                                self.data.clear();
                            } else {
                                return (i, Some(Token::Record));
                            }
                        }
                        WILL => self.state = State::Negotiate(Verb::Will),
                        WONT => self.state = State::Negotiate(Verb::Wont),
                        DO => self.state = State::Negotiate(Verb::Do),
                        DONT => self.state = State::Negotiate(Verb::Dont),
                        SB => self.state = State::SubOption,
                        other => return (i, Some(Token::Command(other))),
                    }
                }
                State::Negotiate(verb) => {
                    i += 1;
                    self.state = State::Data;
                    return (i, Some(Token::Negotiate(verb, b)));
                }
                State::SubOption => {
                    i += 1;
                    self.sub_option = b;
                    self.sub.clear();
                    self.sub_overflow = false;
                    self.state = State::Sub;
                }
                State::Sub => {
                    i += 1;
                    if b == IAC {
                        self.state = State::SubIac;
                    } else {
                        self.push_sub_byte(b);
                    }
                }
                State::SubIac => match b {
                    SE => {
                        i += 1;
                        self.state = State::Data;
                        let option = self.sub_option;
                        return if self.sub_overflow {
                            self.sub.clear();
                            (
                                i,
                                Some(Token::Error(TelnetError::SubnegotiationTooLong { option })),
                            )
                        } else {
                            (i, Some(Token::Subnegotiation(option)))
                        };
                    }
                    IAC => {
                        i += 1;
                        self.state = State::Sub;
                        self.push_sub_byte(IAC);
                    }
                    _ => {
                        // Do not consume `b`: it is re-read as the command after IAC.
                        self.state = State::Iac;
                        self.sub.clear();
                        let option = self.sub_option;
                        return (
                            i,
                            Some(Token::Error(TelnetError::BadSubnegotiation { option })),
                        );
                    }
                },
            }
        }
        (i, None)
    }

    /// Take the buffered record (after [`Token::Record`]) or NVT data; leaves the buffer
    /// empty (reusing a buffer handed back with [`Parser::recycle`], if any).
    pub fn take_data(&mut self) -> Vec<u8> {
        std::mem::replace(&mut self.data, std::mem::take(&mut self.spare))
    }

    /// Hand back a buffer obtained from [`Parser::take_data`] once its contents are used:
    /// the next record is collected into it, so steady-state record delivery does not
    /// allocate. Buffers larger than [`consts::MAX_RECORD_LEN`] are dropped.
    pub fn recycle(&mut self, mut buf: Vec<u8>) {
        if buf.capacity() > MAX_RECORD_LEN {
            return;
        }
        buf.clear();
        if self.data.is_empty() && buf.capacity() > self.data.capacity() {
            self.data = buf;
        } else if buf.capacity() > self.spare.capacity() {
            self.spare = buf;
        }
    }

    /// Whether NVT or record bytes are buffered.
    pub fn has_data(&self) -> bool {
        !self.data.is_empty()
    }

    /// The payload of the last [`Token::Subnegotiation`] (IAC undoubled, option byte
    /// excluded).
    pub fn subnegotiation(&self) -> &[u8] {
        &self.sub
    }

    fn push_record_bytes(&mut self, chunk: &[u8]) -> Option<Token> {
        if self.discarding {
            return None;
        }
        if self.data.len() + chunk.len() > MAX_RECORD_LEN {
            self.discarding = true;
            self.data.clear();
            self.data.shrink_to(0);
            return Some(Token::Error(TelnetError::RecordTooLong));
        }
        self.data.extend_from_slice(chunk);
        None
    }

    /// Returns true when the NVT buffer is full and must be taken.
    fn push_nvt_byte(&mut self, b: u8) -> bool {
        if std::mem::take(&mut self.cr_pending) && b == NUL {
            return false;
        }
        self.data.push(b);
        self.cr_pending = b == CR;
        self.data.len() >= MAX_RECORD_LEN
    }

    fn push_sub_byte(&mut self, b: u8) {
        if self.sub.len() < MAX_SUBNEGOTIATION_LEN {
            self.sub.push(b);
        } else {
            self.sub_overflow = true;
        }
    }
}

/// RFC 1143 state of one side of one option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Q {
    /// Disabled.
    #[default]
    No,
    /// Enabled.
    Yes,
    /// We asked to disable and wait for the answer.
    WantNo,
    /// We asked to enable and wait for the answer.
    WantYes,
}

/// What to do after a received negotiation, decided by [`OptionTable::receive`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// The reply to send, if any (never sent when the state does not change: RFC 1143).
    pub reply: Option<Verb>,
    /// Whether the option's state on that side changed (enabled or disabled).
    pub changed: bool,
}

/// RFC 1143 ("Q method") option states for both sides, for all 256 options.
///
/// `us` is whether *we* perform the option (WILL/WONT sent by us, DO/DONT by the peer);
/// `him` is whether the *peer* performs it.
#[derive(Debug, Clone)]
pub struct OptionTable {
    us: [Q; 256],
    him: [Q; 256],
}

impl Default for OptionTable {
    fn default() -> Self {
        OptionTable {
            us: [Q::No; 256],
            him: [Q::No; 256],
        }
    }
}

impl OptionTable {
    /// Whether we perform `option`.
    pub fn us(&self, option: u8) -> bool {
        self.us[usize::from(option)] == Q::Yes
    }

    /// Whether the peer performs `option`.
    pub fn him(&self, option: u8) -> bool {
        self.him[usize::from(option)] == Q::Yes
    }

    /// Raw RFC 1143 state of our side of `option`.
    pub fn us_state(&self, option: u8) -> Q {
        self.us[usize::from(option)]
    }

    /// Raw RFC 1143 state of the peer's side of `option`.
    pub fn him_state(&self, option: u8) -> Q {
        self.him[usize::from(option)]
    }

    /// Ask to enable (`enable`) or disable an option on our side (`local`, WILL/WONT) or
    /// the peer's side (DO/DONT). Returns the verb to send, or `None` when the request
    /// would not change anything.
    pub fn request(&mut self, local: bool, option: u8, enable: bool) -> Option<Verb> {
        let slot = if local {
            &mut self.us[usize::from(option)]
        } else {
            &mut self.him[usize::from(option)]
        };
        let (pos, neg) = if local {
            (Verb::Will, Verb::Wont)
        } else {
            (Verb::Do, Verb::Dont)
        };
        match (enable, *slot) {
            (true, Q::No) => {
                *slot = Q::WantYes;
                Some(pos)
            }
            (false, Q::Yes) => {
                *slot = Q::WantNo;
                Some(neg)
            }
            _ => None,
        }
    }

    /// Apply a received `verb option`; `allowed` says whether we accept enabling that side
    /// of the option. Returns the reply and whether the state changed.
    pub fn receive(&mut self, verb: Verb, option: u8, allowed: bool) -> Outcome {
        let local = matches!(verb, Verb::Do | Verb::Dont);
        let enable = matches!(verb, Verb::Will | Verb::Do);
        let slot = if local {
            &mut self.us[usize::from(option)]
        } else {
            &mut self.him[usize::from(option)]
        };
        let (pos, neg) = if local {
            (Verb::Will, Verb::Wont)
        } else {
            (Verb::Do, Verb::Dont)
        };
        let (next, reply) = match (enable, *slot) {
            (true, Q::No) if allowed => (Q::Yes, Some(pos)),
            (true, Q::No) => (Q::No, Some(neg)),
            (true, Q::Yes) => (Q::Yes, None),
            (true, Q::WantYes) => (Q::Yes, None),
            // We asked to disable and the peer insists on enabling: RFC 1143 treats this
            // as an error answer; we stay disabled.
            (true, Q::WantNo) => (Q::No, None),
            (false, Q::No) => (Q::No, None),
            (false, Q::Yes) => (Q::No, Some(neg)),
            (false, Q::WantNo) | (false, Q::WantYes) => (Q::No, None),
        };
        let changed = (next == Q::Yes) != (*slot == Q::Yes);
        *slot = next;
        Outcome { reply, changed }
    }
}

/// Append `data` to `out` with every 0xFF doubled (IAC IAC), as 3270 and binary data is
/// sent (RFC 854).
pub fn write_escaped(out: &mut Vec<u8>, data: &[u8]) {
    let mut rest = data;
    while let Some(p) = rest.iter().position(|&b| b == IAC) {
        let (head, tail) = rest.split_at(p + 1);
        out.extend_from_slice(head);
        out.push(IAC);
        rest = tail;
    }
    out.extend_from_slice(rest);
}

/// Append `data` as NVT text (RFC 854): IAC doubled, a bare CR sent as `CR NUL`, a bare
/// LF sent as `CR LF`; `CR LF` is kept.
pub fn write_nvt(out: &mut Vec<u8>, data: &[u8]) {
    let mut prev_cr = false;
    for (i, &b) in data.iter().enumerate() {
        match b {
            CR => {
                out.push(CR);
                if data.get(i + 1) != Some(&LF) {
                    out.push(NUL);
                }
            }
            LF if !prev_cr => out.extend_from_slice(&[CR, LF]),
            IAC => out.extend_from_slice(&[IAC, IAC]),
            _ => out.push(b),
        }
        prev_cr = b == CR;
    }
}

/// Append `IAC <verb> <option>`.
pub fn write_negotiation(out: &mut Vec<u8>, verb: Verb, option: u8) {
    out.extend_from_slice(&[IAC, verb.byte(), option]);
}

/// Append `IAC SB <option> <payload, IAC doubled> IAC SE`.
pub fn write_subnegotiation(out: &mut Vec<u8>, option: u8, payload: &[u8]) {
    out.extend_from_slice(&[IAC, SB, option]);
    write_escaped(out, payload);
    out.extend_from_slice(&[IAC, SE]);
}

#[cfg(test)]
mod tests {
    use super::consts::opt;
    use super::*;

    /// Feed everything, collecting tokens with their payloads.
    fn run(p: &mut Parser, input: &[u8]) -> Vec<(Token, Vec<u8>)> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < input.len() {
            let (n, tok) = p.advance(&input[pos..]);
            assert!(n > 0, "parser must consume input");
            pos += n;
            if let Some(tok) = tok {
                let payload = match tok {
                    Token::Record | Token::NvtFull => p.take_data(),
                    Token::Subnegotiation(_) => p.subnegotiation().to_vec(),
                    _ => Vec::new(),
                };
                out.push((tok, payload));
            }
        }
        out
    }

    #[test]
    fn record_with_doubled_iac_split_everywhere() {
        let stream = [
            0xf5, 0xc2, // Erase/Write, WCC
            0xff, 0xff, // data byte 0xFF, doubled
            0x40, // data
            0xff, 0xef, // IAC EOR
        ];
        for split in 0..=stream.len() {
            let mut p = Parser::new();
            p.set_record_mode(true);
            let mut toks = run(&mut p, &stream[..split]);
            toks.extend(run(&mut p, &stream[split..]));
            assert_eq!(toks, vec![(Token::Record, vec![0xf5, 0xc2, 0xff, 0x40])]);
        }
    }

    #[test]
    fn negotiation_and_subnegotiation_with_iac_inside() {
        let mut p = Parser::new();
        let toks = run(
            &mut p,
            &[
                0xff, 0xfd, 0x18, // IAC DO TERMINAL-TYPE
                0xff, 0xfa, 0x18, 0x01, // IAC SB TERMINAL-TYPE SEND
                0xff, 0xff, // a doubled IAC inside SB
                0xff, 0xf0, // IAC SE
                0xff, 0xf1, // IAC NOP
            ],
        );
        assert_eq!(
            toks,
            vec![
                (Token::Negotiate(Verb::Do, opt::TERMINAL_TYPE), vec![]),
                (Token::Subnegotiation(opt::TERMINAL_TYPE), vec![0x01, 0xff]),
                (Token::Command(consts::NOP), vec![]),
            ]
        );
    }

    #[test]
    fn nvt_cr_nul_across_chunks() {
        let mut p = Parser::new();
        assert!(run(&mut p, b"ab\r").is_empty());
        assert!(run(&mut p, b"\0c\r\n").is_empty());
        assert_eq!(p.take_data(), b"ab\rc\r\n");
    }

    #[test]
    fn overlong_record_is_reported_once_and_discarded_to_eor() {
        let mut p = Parser::new();
        p.set_record_mode(true);
        let big = vec![0x40; MAX_RECORD_LEN + 10];
        let toks = run(&mut p, &big);
        assert_eq!(
            toks,
            vec![(Token::Error(TelnetError::RecordTooLong), vec![])]
        );
        assert!(p.data.capacity() <= MAX_RECORD_LEN);
        // More garbage, then the end of the bad record, then a good record.
        let toks = run(&mut p, &[0x40, 0x40, 0xff, 0xef, 0x7d, 0xff, 0xef]);
        assert_eq!(toks, vec![(Token::Record, vec![0x7d])]);
    }

    #[test]
    fn overlong_subnegotiation_is_dropped() {
        let mut p = Parser::new();
        let mut s = vec![0xff, 0xfa, 0x18];
        s.extend(std::iter::repeat_n(b'x', MAX_SUBNEGOTIATION_LEN + 1));
        s.extend([0xff, 0xf0]);
        let toks = run(&mut p, &s);
        assert_eq!(
            toks,
            vec![(
                Token::Error(TelnetError::SubnegotiationTooLong { option: 24 }),
                vec![]
            )]
        );
        assert!(p.sub.len() <= MAX_SUBNEGOTIATION_LEN);
    }

    #[test]
    fn iac_command_inside_subnegotiation_aborts_it() {
        let mut p = Parser::new();
        let toks = run(
            &mut p,
            &[
                0xff, 0xfa, 0x18, 0x01, // IAC SB TERMINAL-TYPE SEND
                0xff, 0xfb, 0x19, // IAC WILL EOR (no IAC SE before it)
            ],
        );
        assert_eq!(
            toks,
            vec![
                (
                    Token::Error(TelnetError::BadSubnegotiation { option: 24 }),
                    vec![]
                ),
                (Token::Negotiate(Verb::Will, opt::EOR), vec![]),
            ]
        );
    }

    /// Found by fuzzing: a chunk boundary between the IAC and the command that aborts a
    /// subnegotiation. The error comes with nothing consumed; the next call reads the same
    /// byte as the command, so the caller's loop still ends.
    #[test]
    fn subnegotiation_aborted_right_after_a_chunk_boundary() {
        let mut p = Parser::new();
        // IAC SB TERMINAL-TYPE SEND, then IAC at the very end of the chunk.
        assert_eq!(p.advance(&[0xff, 0xfa, 0x18, 0x01, 0xff]), (5, None));
        // Next chunk: NOP (not SE, not IAC), then a data byte.
        let next = [0xf1, 0x41];
        assert_eq!(
            p.advance(&next),
            (
                0,
                Some(Token::Error(TelnetError::BadSubnegotiation { option: 24 }))
            )
        );
        assert_eq!(p.advance(&next), (1, Some(Token::Command(0xf1))));
        assert_eq!(p.advance(&next[1..]), (1, None));
        assert_eq!(p.take_data(), vec![0x41]);
    }

    #[test]
    fn q_method_never_answers_a_request_that_changes_nothing() {
        let mut t = OptionTable::default();
        // Peer: DO BINARY -> we accept once.
        let o = t.receive(Verb::Do, opt::BINARY, true);
        assert_eq!(o.reply, Some(Verb::Will));
        assert!(o.changed);
        // Repeated DO BINARY: no reply (loop avoidance).
        let o = t.receive(Verb::Do, opt::BINARY, true);
        assert_eq!(o.reply, None);
        assert!(!o.changed);
        // Our own request then its acknowledgement: no reply to the acknowledgement.
        assert_eq!(t.request(false, opt::EOR, true), Some(Verb::Do));
        assert_eq!(t.request(false, opt::EOR, true), None);
        let o = t.receive(Verb::Will, opt::EOR, true);
        assert_eq!(o.reply, None);
        assert!(t.him(opt::EOR));
        // Refused option.
        let o = t.receive(Verb::Will, 1, false);
        assert_eq!(o.reply, Some(Verb::Dont));
        let o = t.receive(Verb::Wont, 1, false);
        assert_eq!(o.reply, None);
    }

    #[test]
    fn escaping_and_nvt_encoding() {
        let mut out = Vec::new();
        write_escaped(&mut out, &[1, 0xff, 2, 0xff]);
        assert_eq!(out, [1, 0xff, 0xff, 2, 0xff, 0xff]);
        let mut out = Vec::new();
        write_nvt(&mut out, b"a\rb\nc\r\n\r");
        assert_eq!(out, b"a\r\0b\r\nc\r\n\r\0");
    }
}
