//! Parsing an inbound record on the host side: AID, cursor address and the SBA-addressed
//! field data of a Read Modified answer (GA23-0059 §3.5.3), a short read (§3.5.4), or a
//! Test Request (SYS REQ: SOH % / STX, no AID, no cursor).
//!
//! Tolerant and bounded: the record is read once, front to back; memory is at most the
//! record's own size. Documented behaviour for malformed input:
//! - an empty record, or a first byte that is no AID: [`InboundError`];
//! - a record cut inside the cursor address or an SBA/SA order: [`InboundError::Truncated`];
//! - SA orders (Character reply mode) are skipped; GE keeps the following byte as data;
//! - data before the first SBA (an unformatted screen) forms a field with `addr: None`.
//!
//! Does not own: IAC undoubling / EOR (telnet), the TN3270E header (tn3270e), Query Replies.

use crate::address::{self, AddressingMode};
use crate::aid::Aid;
use crate::codepage::CodePage;
use crate::input::ebc;

use super::codes::order;

/// One parsed inbound record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundRecord {
    /// The AID ([`Aid::SysReq`] for a Test Request record).
    pub aid: Aid,
    /// The cursor address; `None` for a short read or a Test Request.
    pub cursor: Option<usize>,
    /// The fields in the order received.
    pub fields: Vec<InboundField>,
}

/// The data of one field in an inbound record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundField {
    /// The SBA address (the field's first data position); `None` for unaddressed data.
    pub addr: Option<usize>,
    /// The EBCDIC data (nulls were suppressed by the terminal).
    pub data: Vec<u8>,
}

/// Why an inbound record could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundError {
    /// No bytes.
    Empty,
    /// The first byte is no AID.
    UnknownAid(u8),
    /// The record ends inside an address or an order.
    Truncated,
}

impl std::fmt::Display for InboundError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InboundError::Empty => write!(f, "empty inbound record"),
            InboundError::UnknownAid(b) => write!(f, "unknown AID X'{b:02X}'"),
            InboundError::Truncated => write!(f, "inbound record cut inside an order"),
        }
    }
}

impl std::error::Error for InboundError {}

const TEST_REQUEST: [u8; 4] = [ebc::SOH, ebc::PERCENT, ebc::SLASH, ebc::STX];

impl InboundRecord {
    /// Parses a record (IAC already undoubled) with the addressing mode in force.
    pub fn parse(bytes: &[u8], mode: AddressingMode) -> Result<InboundRecord, InboundError> {
        let (&first, _) = bytes.split_first().ok_or(InboundError::Empty)?;
        let (aid, cursor, mut rest) = if bytes.starts_with(&TEST_REQUEST) {
            (Aid::SysReq, None, &bytes[TEST_REQUEST.len()..])
        } else {
            let aid = Aid::from_code(first).ok_or(InboundError::UnknownAid(first))?;
            match two(&bytes[1..]) {
                None if bytes.len() == 1 => (aid, None, &[][..]),
                None => return Err(InboundError::Truncated),
                Some((a, rest)) => (aid, Some(address::decode(a, mode)), rest),
            }
        };
        let mut fields: Vec<InboundField> = Vec::new();
        while let Some((&b, tail)) = rest.split_first() {
            rest = tail;
            match b {
                order::SBA => {
                    let (a, tail) = two(rest).ok_or(InboundError::Truncated)?;
                    fields.push(InboundField {
                        addr: Some(address::decode(a, mode)),
                        data: Vec::new(),
                    });
                    rest = tail;
                }
                order::SA => {
                    rest = rest.get(2..).ok_or(InboundError::Truncated)?;
                }
                order::GE => {
                    let (&g, tail) = rest.split_first().ok_or(InboundError::Truncated)?;
                    push_data(&mut fields, g);
                    rest = tail;
                }
                data => push_data(&mut fields, data),
            }
        }
        Ok(InboundRecord {
            aid,
            cursor,
            fields,
        })
    }

    /// The data of the field whose first position is `addr`.
    pub fn field(&self, addr: usize) -> Option<&InboundField> {
        self.fields.iter().find(|f| f.addr == Some(addr))
    }
}

impl InboundField {
    /// The data decoded with `cp`.
    pub fn text(&self, cp: &CodePage) -> String {
        self.data.iter().map(|&b| cp.decode(b)).collect()
    }
}

/// The first two bytes and the rest.
fn two(bytes: &[u8]) -> Option<([u8; 2], &[u8])> {
    match bytes {
        [a, b, rest @ ..] => Some(([*a, *b], rest)),
        _ => None,
    }
}

fn push_data(fields: &mut Vec<InboundField>, b: u8) {
    match fields.last_mut() {
        Some(f) => f.data.push(b),
        None => fields.push(InboundField {
            addr: None,
            data: vec![b],
        }),
    }
}
