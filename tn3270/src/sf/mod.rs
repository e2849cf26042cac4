//! Structured fields of the Write Structured Field command, and the Query Reply set.
//!
//! Spec: GA23-0059 ch. 5 "Structured Fields" (§5.1 format, §5.9 Erase/Reset, §5.34 Read
//! Partition, §5.30 Set Reply Mode, §5.28 Outbound 3270DS) and ch. 6 "Query Replies".
//! x3270's `sf.c` behaviour (s3270 4.1, our oracle) decides what the manual leaves open.
//!
//! This module owns: splitting a WSF record into structured fields, Read Partition (Query,
//! Query List, and Read Buffer/Read Modified/Read Modified All as partition operations),
//! Erase/Reset, Set Reply Mode, Outbound 3270DS (partition 0) and building the inbound
//! Query Reply record ([`query`]). It does not apply orders (that is
//! [`crate::datastream`], which Outbound 3270DS calls) nor build Read Buffer/Read Modified
//! records (`input`).
//!
//! ## Structured field framing
//! Each field is `LL LL ID data…`; a length of 0 means "the rest of the record".
//!
//! ## Deviations and tolerance (malformed input)
//! - **One byte left** where a length is expected, **length < 3**, or **length past the
//!   end of the record**: processing of the record stops ([`SfError::BadLength`]); fields
//!   already processed keep their effect (x3270 does the same).
//! - **Unsupported structured field ID** (Create Partition, file transfer, …), **wrong
//!   partition**, **unknown operation/mode/request type**, or **a field too short for its
//!   type**: that field is rejected ([`SfError`]) and the next one is processed, as x3270.
//! - If any field produced a reply, the record counts as accepted: the reply is returned
//!   and the first rejection goes to [`Outcome::rejected`]; otherwise the first rejection
//!   is the error.
//! - **Erase/Reset** also puts the reply mode back to field mode (the implicit partition
//!   is re-created, GA23-0059 §5.9); x3270 keeps the reply mode.
//! - **Outbound 3270DS** with Erase/Write or Erase/Write Alternate erases keeping the size
//!   in force (x3270 `sf_outbound_ds`).
//! - **Query List, request type List**: exactly the listed replies we support, in our
//!   order, without duplicates; Null alone when none is supported or the list is empty.
//!   The manual's "Summary must be sent for Query List (QCODE List = X'80'), Equivalent or
//!   All" is read as: for a List, when 0x80 is listed — which is also what x3270 does.
//! - After a Query Reply x3270 inhibits the keyboard until the next write; we leave the
//!   lock as it is (the host always follows with a write).

pub mod query;

use crate::aid::Aid;
use crate::datastream::{
    self, cmd, Capabilities, DataStreamError, Outcome, ReadKind, ReadRequest, Reply,
    MAX_REPLIES_PER_RECORD,
};
use crate::screen::{CharacterReplyAttributes, ReplyMode, Screen};

/// Structured field IDs (GA23-0059 Figure 5-1) and their parameter codes.
pub mod id {
    /// Read Partition.
    pub const READ_PARTITION: u8 = 0x01;
    /// Erase/Reset.
    pub const ERASE_RESET: u8 = 0x03;
    /// Set Reply Mode.
    pub const SET_REPLY_MODE: u8 = 0x09;
    /// Create Partition (not supported).
    pub const CREATE_PARTITION: u8 = 0x0C;
    /// Outbound 3270DS.
    pub const OUTBOUND_3270DS: u8 = 0x40;
    /// Query Reply (inbound).
    pub const QUERY_REPLY: u8 = 0x81;
    /// File transfer data (IND$FILE DFT; not supported).
    pub const TRANSFER_DATA: u8 = 0xD0;
}

/// Read Partition operation types (GA23-0059 §5.34).
pub mod read_partition {
    /// The partition ID a Query / Query List must name.
    pub const QUERY_PARTITION: u8 = 0xFF;
    /// Query.
    pub const QUERY: u8 = 0x02;
    /// Query List.
    pub const QUERY_LIST: u8 = 0x03;
    /// Query List request type: the listed QCODEs.
    pub const REQ_LIST: u8 = 0x00;
    /// Query List request type: the Query set plus the listed QCODEs.
    pub const REQ_EQUIVALENT: u8 = 0x40;
    /// Query List request type: every reply the device supports.
    pub const REQ_ALL: u8 = 0x80;
    /// The request type bits of the REQTYP byte.
    pub const REQ_MASK: u8 = 0xC0;
}

/// Erase/Reset flags (GA23-0059 §5.9).
pub mod erase_reset {
    /// Bit 0 set: erase to the alternate size; clear: the default size.
    pub const ALTERNATE: u8 = 0x80;
}

/// Set Reply Mode modes (GA23-0059 §5.30).
pub mod reply_mode {
    /// Field mode.
    pub const FIELD: u8 = 0x00;
    /// Extended field mode.
    pub const EXTENDED_FIELD: u8 = 0x01;
    /// Character mode (followed by the attribute types to report).
    pub const CHARACTER: u8 = 0x02;
}

/// The smallest valid structured field: two length bytes and the ID.
pub const MIN_SF_LEN: usize = 3;

/// Why a structured field was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SfError {
    /// A length byte pair is missing, < 3, or runs past the record (`offset` in the WSF
    /// data, after the command byte).
    BadLength {
        /// Offset of the field in the WSF data.
        offset: usize,
    },
    /// A structured field ID we do not support.
    Unsupported(u8),
    /// The field is shorter than its type requires (for Erase/Reset: not exactly one
    /// parameter byte, as x3270 requires).
    TooShort(u8),
    /// The partition ID is not the one this operation requires.
    BadPartition(u8),
    /// An unknown operation, request type, erase flag or reply mode in a field of type
    /// `id`.
    BadParameter {
        /// The structured field ID.
        id: u8,
        /// The offending byte.
        value: u8,
    },
}

impl std::fmt::Display for SfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SfError::BadLength { offset } => write!(f, "bad length at offset {offset}"),
            SfError::Unsupported(id) => write!(f, "unsupported ID X'{id:02X}'"),
            SfError::TooShort(id) => write!(f, "field X'{id:02X}' too short"),
            SfError::BadPartition(p) => write!(f, "partition X'{p:02X}' not allowed"),
            SfError::BadParameter { id, value } => {
                write!(f, "field X'{id:02X}': bad parameter X'{value:02X}'")
            }
        }
    }
}

impl std::error::Error for SfError {}

/// What a Read Partition Query / Query List asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryRequest<'a> {
    /// Query, or Query List "Equivalent" (whose list adds nothing we would not send).
    Query,
    /// Query List "List": these QCODEs.
    List(&'a [u8]),
    /// Query List "All".
    All,
}

/// Applies the structured fields of a WSF record (`data` is the record after the command
/// byte). See the module doc for the error rules.
pub fn write_structured_field(
    screen: &mut Screen,
    data: &[u8],
    ctx: &Capabilities,
) -> Result<Outcome, DataStreamError> {
    let mut outcome = Outcome::default();
    let mut first_error: Option<DataStreamError> = None;
    let mut offset = 0;
    while offset < data.len() {
        let rest = data.get(offset..).unwrap_or_default();
        let bad_length = DataStreamError::StructuredField(SfError::BadLength { offset });
        let len = match rest {
            [hi, lo, ..] => match usize::from(u16::from_be_bytes([*hi, *lo])) {
                0 => rest.len(),
                n => n,
            },
            // A single byte where a length should be.
            _ => 0,
        };
        let Some(field) = rest.get(..len).filter(|_| len >= MIN_SF_LEN) else {
            first_error.get_or_insert(bad_length);
            break;
        };
        if let Err(e) = structured_field(screen, field, ctx, &mut outcome) {
            first_error.get_or_insert(e);
        }
        offset += len;
    }
    match first_error {
        Some(e) if outcome.replies.is_empty() => Err(e),
        e => {
            outcome.rejected = e;
            Ok(outcome)
        }
    }
}

/// One structured field, `field` = `LL LL ID data…` (length already checked).
fn structured_field(
    screen: &mut Screen,
    field: &[u8],
    ctx: &Capabilities,
    outcome: &mut Outcome,
) -> Result<(), DataStreamError> {
    let sf_id = field.get(2).copied().unwrap_or_default();
    let params = field.get(3..).unwrap_or_default();
    let too_short = SfError::TooShort(sf_id);
    match sf_id {
        id::READ_PARTITION => {
            let &[partition, op, ref rest @ ..] = params else {
                return Err(too_short.into());
            };
            if outcome.replies.len() >= MAX_REPLIES_PER_RECORD {
                return Err(DataStreamError::TooManyReplies);
            }
            let reply = read_partition(screen, ctx, partition, op, rest)?;
            outcome.replies.push(reply);
            Ok(())
        }
        id::ERASE_RESET => {
            let &[flags] = params else {
                return Err(too_short.into());
            };
            if flags & !erase_reset::ALTERNATE != 0 {
                return Err(SfError::BadParameter {
                    id: sf_id,
                    value: flags,
                }
                .into());
            }
            screen.erase(flags & erase_reset::ALTERNATE != 0);
            screen.set_reply_mode(ReplyMode::Field);
            Ok(())
        }
        id::SET_REPLY_MODE => {
            let &[partition, mode, ref types @ ..] = params else {
                return Err(too_short.into());
            };
            if partition != 0 {
                return Err(SfError::BadPartition(partition).into());
            }
            let mode = match mode {
                reply_mode::FIELD => ReplyMode::Field,
                reply_mode::EXTENDED_FIELD => ReplyMode::ExtendedField,
                reply_mode::CHARACTER => ReplyMode::Character(character_types(types)),
                value => return Err(SfError::BadParameter { id: sf_id, value }.into()),
            };
            screen.set_reply_mode(mode);
            Ok(())
        }
        id::OUTBOUND_3270DS => {
            let &[partition, command, ..] = params else {
                return Err(too_short.into());
            };
            if partition != 0 {
                return Err(SfError::BadPartition(partition).into());
            }
            // The embedded record after its command byte: WCC and orders (may be empty).
            let data = params.get(2..).unwrap_or_default();
            match command {
                cmd::SNA_W if !data.is_empty() => {
                    datastream::write::write(screen, data, ctx, false, outcome)
                }
                cmd::SNA_W => Ok(()),
                cmd::SNA_EW | cmd::SNA_EWA => {
                    let alternate = screen.size() != screen.default_size();
                    screen.erase(alternate);
                    if data.is_empty() {
                        Ok(())
                    } else {
                        datastream::write::write(screen, data, ctx, true, outcome)
                    }
                }
                cmd::SNA_EAU => {
                    datastream::erase_all_unprotected(screen);
                    outcome.keyboard_restored = true;
                    Ok(())
                }
                value => Err(SfError::BadParameter { id: sf_id, value }.into()),
            }
        }
        other => Err(SfError::Unsupported(other).into()),
    }
}

fn read_partition(
    screen: &Screen,
    ctx: &Capabilities,
    partition: u8,
    op: u8,
    rest: &[u8],
) -> Result<Reply, DataStreamError> {
    let sf_id = id::READ_PARTITION;
    let read = |kind| {
        if partition != 0 {
            return Err(DataStreamError::from(SfError::BadPartition(partition)));
        }
        Ok(Reply::Read(ReadRequest {
            kind,
            aid: Aid::ReadPartition,
        }))
    };
    match op {
        read_partition::QUERY | read_partition::QUERY_LIST
            if partition != read_partition::QUERY_PARTITION =>
        {
            Err(SfError::BadPartition(partition).into())
        }
        read_partition::QUERY => Ok(Reply::QueryReply(query::build(
            ctx,
            screen,
            QueryRequest::Query,
        ))),
        read_partition::QUERY_LIST => {
            let (&reqtype, list) = rest.split_first().ok_or(SfError::TooShort(sf_id))?;
            let request = match reqtype & read_partition::REQ_MASK {
                read_partition::REQ_LIST => QueryRequest::List(list),
                read_partition::REQ_EQUIVALENT => QueryRequest::Query,
                read_partition::REQ_ALL => QueryRequest::All,
                _ => {
                    return Err(SfError::BadParameter {
                        id: sf_id,
                        value: reqtype,
                    }
                    .into())
                }
            };
            Ok(Reply::QueryReply(query::build(ctx, screen, request)))
        }
        cmd::SNA_RB => read(ReadKind::Buffer),
        cmd::SNA_RM => read(ReadKind::Modified),
        cmd::SNA_RMA => read(ReadKind::ModifiedAll),
        value => Err(SfError::BadParameter { id: sf_id, value }.into()),
    }
}

/// The attribute types listed after Set Reply Mode "character" (unknown types ignored).
fn character_types(types: &[u8]) -> CharacterReplyAttributes {
    use crate::screen::attributes::xa;
    let mut attrs = CharacterReplyAttributes::default();
    for &t in types {
        match t {
            xa::HIGHLIGHTING => attrs.highlight = true,
            xa::FOREGROUND => attrs.fg = true,
            xa::CHARSET => attrs.charset = true,
            xa::BACKGROUND => attrs.bg = true,
            xa::TRANSPARENCY => attrs.transparency = true,
            _ => {}
        }
    }
    attrs
}

#[cfg(test)]
mod tests;
