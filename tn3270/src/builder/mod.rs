//! The host side: composing outbound 3270 data streams readably, and reading the inbound
//! records that come back. For our demo host, mock hosts in tests and anyone writing a small
//! 3270 application (in the spirit of go3270).
//!
//! - [`ScreenBuilder`]: one Write / Erase/Write / Erase/Write Alternate record, order by
//!   order: `at(row, col)` (SBA), `field` (SF), `field_ext` (SFE), `modify_field` (MF),
//!   `text` (characters through a [`CodePage`]), `set_attr` (SA), `repeat_to` (RA),
//!   `erase_to` (EUA), `insert_cursor` (IC), `program_tab` (PT), `ge` (GE).
//! - [`Wsf`]: Write Structured Field with Read Partition Query / Query List, Set Reply Mode,
//!   Erase/Reset.
//! - [`form::Form`]: a screen of labels and named input fields, rendered to a record and
//!   read back from the operator's Read Modified answer.
//! - [`reply::InboundRecord`]: parses an inbound record (AID, cursor, SBA + field data).
//!
//! Spec: GA23-0059 §3.3 (commands), §3.4.1 (WCC), §4.3 (orders), §3.3.1 (addresses),
//! ch. 5 (structured fields), §3.5 (inbound records).
//!
//! Command codes are the CCW forms by default (X'01', X'05', ...); the SNA forms (X'F1',
//! X'F5', ...) on request with [`CommandCodes::Sna`]. Both are accepted by every TN3270
//! client we know. Addresses are 12-bit while the screen has at most 4096 cells, else
//! 14-bit, or 16-bit with [`ScreenBuilder::sixteen_bit`].
//!
//! Does not own: applying records to a screen (`datastream`), telnet framing (`telnet`).

pub mod codes;
pub mod form;
pub mod reply;
pub mod snapshot;

use crate::address::{self, AddressingMode};
use crate::codepage::CodePage;
use crate::screen::attributes::{xa, FieldAttribute};
use crate::screen::{ReplyMode, ScreenSize};

use codes::{command, order, sfid, wcc};

/// The byte [`ScreenBuilder::text`] writes for a character the code page cannot encode, or
/// whose code would be read as an order (`?`, X'6F' in every EBCDIC CECP).
pub const SUBSTITUTE: u8 = 0x6F;

/// Which form of command codes to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommandCodes {
    /// Local channel (CCW) codes: W X'01', EW X'05', EWA X'0D', EAU X'0F', WSF X'11'.
    #[default]
    Ccw,
    /// Remote SNA codes: W X'F1', EW X'F5', EWA X'7E', EAU X'6F', WSF X'F3'.
    Sna,
}

/// A write command that carries a WCC and orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Write.
    Write,
    /// Erase/Write (default screen size).
    EraseWrite,
    /// Erase/Write Alternate (alternate screen size).
    EraseWriteAlternate,
}

/// A read command the host can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadCommand {
    /// Read Buffer.
    Buffer,
    /// Read Modified.
    Modified,
    /// Read Modified All.
    ModifiedAll,
}

impl Command {
    /// The command byte.
    pub fn code(self, codes: CommandCodes) -> u8 {
        match (self, codes) {
            (Command::Write, CommandCodes::Ccw) => command::W,
            (Command::EraseWrite, CommandCodes::Ccw) => command::EW,
            (Command::EraseWriteAlternate, CommandCodes::Ccw) => command::EWA,
            (Command::Write, CommandCodes::Sna) => command::SNA_W,
            (Command::EraseWrite, CommandCodes::Sna) => command::SNA_EW,
            (Command::EraseWriteAlternate, CommandCodes::Sna) => command::SNA_EWA,
        }
    }
}

impl ReadCommand {
    /// The one-byte record for this read command.
    pub fn code(self, codes: CommandCodes) -> u8 {
        match (self, codes) {
            (ReadCommand::Buffer, CommandCodes::Ccw) => command::RB,
            (ReadCommand::Modified, CommandCodes::Ccw) => command::RM,
            (ReadCommand::ModifiedAll, CommandCodes::Ccw) => command::RMA,
            (ReadCommand::Buffer, CommandCodes::Sna) => command::SNA_RB,
            (ReadCommand::Modified, CommandCodes::Sna) => command::SNA_RM,
            (ReadCommand::ModifiedAll, CommandCodes::Sna) => command::SNA_RMA,
        }
    }
}

/// The Erase All Unprotected record (the command alone, no WCC).
pub fn erase_all_unprotected(codes: CommandCodes) -> Vec<u8> {
    vec![match codes {
        CommandCodes::Ccw => command::EAU,
        CommandCodes::Sna => command::SNA_EAU,
    }]
}

/// A write control character (GA23-0059 §3.4.1), built flag by flag.
///
/// With [`Wcc::reset`] the byte is sent graphic-converted (the six low bits through the
/// address code table, which sets bit 1), the way most host applications send it, e.g.
/// X'C3' for reset + restore keyboard + reset MDT; without it the bare bits are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Wcc(u8);

impl Wcc {
    /// No flags.
    pub const NONE: Wcc = Wcc(0);

    /// Reset: reply mode back to Field (and partition characteristics).
    pub fn reset(self) -> Wcc {
        Wcc(self.0 | wcc::RESET)
    }
    /// Restore (unlock) the keyboard.
    pub fn restore_keyboard(self) -> Wcc {
        Wcc(self.0 | wcc::KEYBOARD_RESTORE)
    }
    /// Sound the alarm.
    pub fn alarm(self) -> Wcc {
        Wcc(self.0 | wcc::SOUND_ALARM)
    }
    /// Reset every modified data tag before the orders apply.
    pub fn reset_mdt(self) -> Wcc {
        Wcc(self.0 | wcc::RESET_MDT)
    }
    /// Start printer.
    pub fn start_printer(self) -> Wcc {
        Wcc(self.0 | wcc::START_PRINTER)
    }
    /// The byte on the wire.
    pub fn byte(self) -> u8 {
        if self.0 & wcc::RESET != 0 {
            address::ADDRESS_CODE_TABLE[usize::from(self.0 & 0x3F)]
        } else {
            self.0 & 0x3F
        }
    }
}

/// Composes one write record. Methods take and return the builder so a screen reads as one
/// expression; [`ScreenBuilder::build`] returns the bytes (no IAC doubling, no EOR).
#[derive(Debug, Clone)]
pub struct ScreenBuilder {
    out: Vec<u8>,
    size: ScreenSize,
    addressing: AddressingMode,
}

impl ScreenBuilder {
    /// A record for `command` with this WCC, addressing a screen of `size` (the size the
    /// command selects: default for W/EW, alternate for EWA), CCW command codes.
    pub fn new(command: Command, wcc: Wcc, size: ScreenSize) -> ScreenBuilder {
        ScreenBuilder::with_codes(command, wcc, size, CommandCodes::Ccw)
    }
    /// As [`ScreenBuilder::new`] with the command code form chosen.
    pub fn with_codes(
        command: Command,
        wcc: Wcc,
        size: ScreenSize,
        codes: CommandCodes,
    ) -> ScreenBuilder {
        ScreenBuilder {
            out: vec![command.code(codes), wcc.byte()],
            size,
            addressing: AddressingMode::TwelveFourteen,
        }
    }
    /// Erase/Write.
    pub fn erase_write(wcc: Wcc, size: ScreenSize) -> ScreenBuilder {
        ScreenBuilder::new(Command::EraseWrite, wcc, size)
    }
    /// Erase/Write Alternate.
    pub fn erase_write_alternate(wcc: Wcc, size: ScreenSize) -> ScreenBuilder {
        ScreenBuilder::new(Command::EraseWriteAlternate, wcc, size)
    }
    /// Write.
    pub fn write(wcc: Wcc, size: ScreenSize) -> ScreenBuilder {
        ScreenBuilder::new(Command::Write, wcc, size)
    }
    /// Use 16-bit addresses (only after the terminal offered and the host selected them).
    pub fn sixteen_bit(mut self) -> ScreenBuilder {
        self.addressing = AddressingMode::Sixteen;
        self
    }

    /// SBA to (row, col), 0-based; wraps past the end of the screen.
    pub fn at(self, row: usize, col: usize) -> ScreenBuilder {
        let addr = row * usize::from(self.size.cols) + col;
        self.at_addr(addr)
    }
    /// SBA to a buffer address (wrapped into the screen).
    pub fn at_addr(mut self, addr: usize) -> ScreenBuilder {
        self.out.push(order::SBA);
        self.push_address(addr);
        self
    }
    /// SF: a field attribute at the current address.
    pub fn field(mut self, attr: FieldAttribute) -> ScreenBuilder {
        self.out.extend_from_slice(&[order::SF, attr.to_byte()]);
        self
    }
    /// SFE: a field attribute plus extended attribute (type, value) pairs. More than 254
    /// pairs are cut to 254 (the count is one byte).
    pub fn field_ext(mut self, attr: FieldAttribute, pairs: &[(u8, u8)]) -> ScreenBuilder {
        let pairs = &pairs[..pairs.len().min(usize::from(u8::MAX) - 1)];
        self.out.push(order::SFE);
        self.out
            .push(u8::try_from(pairs.len() + 1).unwrap_or(u8::MAX));
        self.out
            .extend_from_slice(&[xa::FIELD_ATTRIBUTE, attr.to_byte()]);
        for &(t, v) in pairs {
            self.out.extend_from_slice(&[t, v]);
        }
        self
    }
    /// MF: modify the attributes of the field whose attribute is at the current address.
    /// At most 255 pairs.
    pub fn modify_field(mut self, pairs: &[(u8, u8)]) -> ScreenBuilder {
        let pairs = &pairs[..pairs.len().min(usize::from(u8::MAX))];
        self.out.push(order::MF);
        self.out.push(u8::try_from(pairs.len()).unwrap_or(u8::MAX));
        for &(t, v) in pairs {
            self.out.extend_from_slice(&[t, v]);
        }
        self
    }
    /// Characters, encoded with `cp`. A character the code page lacks, or whose code is an
    /// order code, becomes [`SUBSTITUTE`].
    pub fn text(mut self, s: &str, cp: &CodePage) -> ScreenBuilder {
        self.out.extend(s.chars().map(|c| encode_char(c, cp)));
        self
    }
    /// Raw EBCDIC bytes, as given (the caller makes sure none is an order code).
    pub fn ebcdic(mut self, bytes: &[u8]) -> ScreenBuilder {
        self.out.extend_from_slice(bytes);
        self
    }
    /// SA: a character attribute for the characters that follow.
    pub fn set_attr(mut self, attr_type: u8, value: u8) -> ScreenBuilder {
        self.out.extend_from_slice(&[order::SA, attr_type, value]);
        self
    }
    /// RA: repeat `ch` up to (not including) (row, col).
    pub fn repeat_to(mut self, row: usize, col: usize, ch: char, cp: &CodePage) -> ScreenBuilder {
        self.out.push(order::RA);
        self.push_address(row * usize::from(self.size.cols) + col);
        self.out.push(encode_char(ch, cp));
        self
    }
    /// EUA: erase unprotected positions up to (not including) (row, col).
    pub fn erase_to(mut self, row: usize, col: usize) -> ScreenBuilder {
        self.out.push(order::EUA);
        self.push_address(row * usize::from(self.size.cols) + col);
        self
    }
    /// IC: the cursor goes to the current address.
    pub fn insert_cursor(mut self) -> ScreenBuilder {
        self.out.push(order::IC);
        self
    }
    /// PT: program tab.
    pub fn program_tab(mut self) -> ScreenBuilder {
        self.out.push(order::PT);
        self
    }
    /// GE: one character of the APL set.
    pub fn ge(mut self, code: u8) -> ScreenBuilder {
        self.out.extend_from_slice(&[order::GE, code]);
        self
    }
    /// The record's bytes.
    pub fn build(self) -> Vec<u8> {
        self.out
    }

    fn push_address(&mut self, addr: usize) {
        let cells = self.size.cells().max(1);
        let encoding = address::inbound_encoding(cells, self.addressing);
        let bytes = address::encode(addr % cells, encoding)
            .or_else(|| address::encode(addr % address::MAX_14BIT_CELLS, encoding))
            .unwrap_or_default();
        self.out.extend_from_slice(&bytes);
    }
}

/// Encodes a character for the data stream: [`SUBSTITUTE`] when unencodable or an order code.
fn encode_char(c: char, cp: &CodePage) -> u8 {
    const ORDERS: [u8; 10] = [
        order::PT,
        order::GE,
        order::SBA,
        order::EUA,
        order::IC,
        order::SF,
        order::SA,
        order::SFE,
        order::MF,
        order::RA,
    ];
    match cp.encode(c) {
        Some(b) if !ORDERS.contains(&b) => b,
        _ => SUBSTITUTE,
    }
}

/// Composes a Write Structured Field record of one or more structured fields.
#[derive(Debug, Clone)]
pub struct Wsf {
    out: Vec<u8>,
}

impl Wsf {
    /// An empty WSF record.
    pub fn new(codes: CommandCodes) -> Wsf {
        Wsf {
            out: vec![match codes {
                CommandCodes::Ccw => command::WSF,
                CommandCodes::Sna => command::SNA_WSF,
            }],
        }
    }
    /// Read Partition Query (the terminal answers with its Query Replies).
    pub fn read_partition_query(self) -> Wsf {
        self.field(
            sfid::READ_PARTITION,
            &[sfid::PARTITION_NONE, sfid::RP_QUERY],
        )
    }
    /// Read Partition Query List: `request` is [`sfid::QL_LIST`], [`sfid::QL_EQUIVALENT`]
    /// or [`sfid::QL_ALL`]; `qcodes` the query reply codes wanted.
    pub fn read_partition_query_list(self, request: u8, qcodes: &[u8]) -> Wsf {
        let mut body = vec![sfid::PARTITION_NONE, sfid::RP_QUERY_LIST, request];
        body.extend_from_slice(qcodes);
        self.field(sfid::READ_PARTITION, &body)
    }
    /// Set Reply Mode for partition 0.
    pub fn set_reply_mode(self, mode: ReplyMode) -> Wsf {
        let mut body = vec![0x00];
        match mode {
            ReplyMode::Field => body.push(sfid::SRM_FIELD),
            ReplyMode::ExtendedField => body.push(sfid::SRM_EXTENDED_FIELD),
            ReplyMode::Character(list) => {
                body.push(sfid::SRM_CHARACTER);
                let types = [
                    (list.highlight, xa::HIGHLIGHTING),
                    (list.fg, xa::FOREGROUND),
                    (list.charset, xa::CHARSET),
                    (list.bg, xa::BACKGROUND),
                    (list.transparency, xa::TRANSPARENCY),
                ];
                body.extend(types.iter().filter(|(on, _)| *on).map(|&(_, t)| t));
            }
        }
        self.field(sfid::SET_REPLY_MODE, &body)
    }
    /// Erase/Reset: erase and select the default (or, with `alternate`, the alternate) size.
    pub fn erase_reset(self, alternate: bool) -> Wsf {
        let flags = if alternate {
            sfid::ERASE_RESET_ALTERNATE
        } else {
            0
        };
        self.field(sfid::ERASE_RESET, &[flags])
    }
    /// Any structured field: a two-byte length (covering itself, the ID and the body), the
    /// one-byte ID and the body. A body too long for the length is cut.
    pub fn field(mut self, id: u8, body: &[u8]) -> Wsf {
        let body = &body[..body.len().min(usize::from(u16::MAX) - 3)];
        let len = u16::try_from(body.len() + 3).unwrap_or(u16::MAX);
        self.out.extend_from_slice(&len.to_be_bytes());
        self.out.push(id);
        self.out.extend_from_slice(body);
        self
    }
    /// The record's bytes.
    pub fn build(self) -> Vec<u8> {
        self.out
    }
}

#[cfg(test)]
mod tests;
