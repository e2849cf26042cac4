//! The inbound Query Reply record: AID 0x88 followed by one `LL LL 81 QCODE data…`
//! structured field per reply (GA23-0059 ch. 6; "only the first of a set of Query Reply
//! structured fields is preceded by the AID").
//!
//! What we answer, in this order (ascending QCODE, as x3270): Summary 0x80, Usable Area
//! 0x81, Alphanumeric Partitions 0x84, Character Sets 0x85, Color 0x86, Highlighting 0x87,
//! Reply Modes 0x88, [Field Validation 0x8A], [Field Outlining 0x8C], RPQ Names 0xA1,
//! Implicit Partition 0xA6; Null 0xFF only for a Query List that matched nothing.
//!
//! ## Differences from s3270 4.1 (deliberate)
//! - No Distributed Data Management (0x95): we have no IND$FILE transfer, so it is neither
//!   sent nor listed in the Summary.
//! - The RPQ name is [`Capabilities::rpq_name`] (s3270 sends "x3270").
//! - Field Validation and Field Outlining are sent only when
//!   [`Capabilities::field_validation`] / [`Capabilities::field_outlining`] are set (s3270
//!   never sends them). Their bodies follow GA23-0059 §6.24/§6.25 as we read it and were
//!   not checked against a real terminal.
//! - 16-bit addressing is advertised in Usable Area (`ADDR = B'0011'`) only when
//!   [`Capabilities::sixteen_bit_supported`] is set.
//!
//! Everything else is byte-for-byte what s3270 4.1 sends for the same model (see the
//! fixture test), including x3270's canned 3279-2 cell metrics.

use super::QueryRequest;
use crate::codepage::CP037;
use crate::datastream::{Capabilities, MAX_RPQ_NAME_LEN};
use crate::screen::attributes::{color, highlight};
use crate::screen::Screen;

/// Query Reply codes (QCODEs), GA23-0059 Figure 6-1.
pub mod qcode {
    /// Summary.
    pub const SUMMARY: u8 = 0x80;
    /// Usable Area.
    pub const USABLE_AREA: u8 = 0x81;
    /// Alphanumeric Partitions.
    pub const ALPHANUMERIC_PARTITIONS: u8 = 0x84;
    /// Character Sets.
    pub const CHARACTER_SETS: u8 = 0x85;
    /// Color.
    pub const COLOR: u8 = 0x86;
    /// Highlighting.
    pub const HIGHLIGHTING: u8 = 0x87;
    /// Reply Modes.
    pub const REPLY_MODES: u8 = 0x88;
    /// Field Validation.
    pub const FIELD_VALIDATION: u8 = 0x8A;
    /// Field Outlining.
    pub const FIELD_OUTLINING: u8 = 0x8C;
    /// Distributed Data Management (file transfer; not supported).
    pub const DDM: u8 = 0x95;
    /// RPQ Names.
    pub const RPQ_NAMES: u8 = 0xA1;
    /// Implicit Partition.
    pub const IMPLICIT_PARTITION: u8 = 0xA6;
    /// Null.
    pub const NULL: u8 = 0xFF;
}

/// AID of an inbound structured field record.
pub const AID_STRUCTURED_FIELD: u8 = 0x88;
/// Structured field ID of a Query Reply.
pub const SFID_QUERY_REPLY: u8 = super::id::QUERY_REPLY;

/// Usable Area FLAGS1 ADDR values (low nibble).
pub mod usable_area {
    /// 12/14-bit addressing allowed.
    pub const ADDR_12_14: u8 = 0x01;
    /// 12/14/16-bit addressing allowed.
    pub const ADDR_12_14_16: u8 = 0x03;
    /// UNITS: millimetres (x3270's value).
    pub const UNITS_MM: u8 = 0x01;
    /// Xr as x3270 sends it (numerator 10, denominator 741), canned from a 3279-2.
    pub const XR_3279_2: [u8; 4] = [0x00, 0x0A, 0x02, 0xE5];
    /// Yr as x3270 sends it (2/111).
    pub const YR_3279_2: [u8; 4] = [0x00, 0x02, 0x00, 0x6F];
    /// Cell width in pels (AW; also the Character Sets SDW), 3279-2.
    pub const CELL_WIDTH: u8 = 0x09;
    /// Cell height in pels (AH; also SDH), 3279-2.
    pub const CELL_HEIGHT: u8 = 0x0C;
}

/// Character Sets reply constants (GA23-0059 §6.11).
pub mod charsets {
    /// FLAGS1: GE supported (0x80) + CGCSGIDs present (0x02).
    pub const FLAGS1: u8 = 0x82;
    /// Descriptor length (SET, FLAGS, LCID, CGCSGID).
    pub const DESCRIPTOR_LEN: u8 = 0x07;
    /// Set 0 flags: non-loadable, single plane, single byte, no LCID compare.
    pub const BASE_FLAGS: u8 = 0x10;
    /// The APL set's CGCSGID: GCSGID 963, CPGID 310.
    pub const APL_CGCSGID: u32 = (963 << 16) | 310;
}

/// Implicit Partition self-defining parameter "display sizes" (GA23-0059 §6.31).
const IMPLICIT_SIZES_SDP_LEN: u8 = 0x0B;
const IMPLICIT_SIZES_SDP_ID: u8 = 0x01;

/// Field outlining geometry we report: separation 0, underline at pel row 11 of a 12-pel
/// cell, overline at row 0, left/right lines at pel columns 0 and 8 (9-pel cell).
const FIELD_OUTLINING_BODY: [u8; 6] = [0x00, 0x00, 0x0B, 0x00, 0x00, 0x08];
/// Field validation types we would honour: mandatory fill, mandatory entry, trigger.
const FIELD_VALIDATION_TYPES: u8 = 0x07;

/// The QCODEs we answer, in wire order.
pub fn supported(ctx: &Capabilities) -> impl Iterator<Item = u8> + '_ {
    [
        (qcode::SUMMARY, true),
        (qcode::USABLE_AREA, true),
        (qcode::ALPHANUMERIC_PARTITIONS, true),
        (qcode::CHARACTER_SETS, true),
        (qcode::COLOR, true),
        (qcode::HIGHLIGHTING, true),
        (qcode::REPLY_MODES, true),
        (qcode::FIELD_VALIDATION, ctx.field_validation),
        (qcode::FIELD_OUTLINING, ctx.field_outlining),
        (qcode::RPQ_NAMES, true),
        (qcode::IMPLICIT_PARTITION, true),
    ]
    .into_iter()
    .filter_map(|(code, on)| on.then_some(code))
}

/// Builds the inbound Query Reply record for a request.
pub fn build(ctx: &Capabilities, screen: &Screen, request: QueryRequest<'_>) -> Vec<u8> {
    let mut out = vec![AID_STRUCTURED_FIELD];
    let mut any = false;
    for code in supported(ctx) {
        let wanted = match request {
            QueryRequest::Query | QueryRequest::All => true,
            QueryRequest::List(list) => list.contains(&code),
        };
        if wanted {
            reply(&mut out, code, ctx, screen);
            any = true;
        }
    }
    if !any {
        reply(&mut out, qcode::NULL, ctx, screen);
    }
    out
}

/// Appends one Query Reply structured field.
fn reply(out: &mut Vec<u8>, code: u8, ctx: &Capabilities, screen: &Screen) {
    let start = out.len();
    out.extend_from_slice(&[0, 0, SFID_QUERY_REPLY, code]);
    let alt = screen.alternate_size();
    let def = screen.default_size();
    let alt_cells = u16::try_from(alt.cells()).unwrap_or(u16::MAX);
    match code {
        qcode::SUMMARY => out.extend(supported(ctx)),
        qcode::USABLE_AREA => {
            out.push(if ctx.sixteen_bit_supported {
                usable_area::ADDR_12_14_16
            } else {
                usable_area::ADDR_12_14
            });
            out.push(0x00); // FLAGS2: matrix characters, cell units
            out.extend_from_slice(&alt.cols.to_be_bytes());
            out.extend_from_slice(&alt.rows.to_be_bytes());
            out.push(usable_area::UNITS_MM);
            out.extend_from_slice(&usable_area::XR_3279_2);
            out.extend_from_slice(&usable_area::YR_3279_2);
            out.push(usable_area::CELL_WIDTH);
            out.push(usable_area::CELL_HEIGHT);
            out.extend_from_slice(&alt_cells.to_be_bytes()); // BUFFSZ
        }
        qcode::ALPHANUMERIC_PARTITIONS => {
            out.push(0x00); // NA: one partition (number of additional partitions)
            out.extend_from_slice(&alt_cells.to_be_bytes()); // M: partition storage
            out.push(0x00); // FLAGS: no vertical/horizontal scrolling, no APA
        }
        qcode::CHARACTER_SETS => {
            out.extend_from_slice(&[charsets::FLAGS1, 0x00]);
            out.extend_from_slice(&[usable_area::CELL_WIDTH, usable_area::CELL_HEIGHT]);
            out.extend_from_slice(&[0, 0, 0, 0]); // FORM: no Load PS formats
            out.push(charsets::DESCRIPTOR_LEN);
            // Set 0: the base set, LCID 0, the session code page.
            out.extend_from_slice(&[0x00, charsets::BASE_FLAGS, 0x00]);
            out.extend_from_slice(&ctx.cgcsgid.to_be_bytes());
            // Set 1: the APL/GE set, LCID 0xF1.
            out.extend_from_slice(&[0x01, 0x00, crate::datastream::lcid::APL]);
            out.extend_from_slice(&charsets::APL_CGCSGID.to_be_bytes());
        }
        qcode::COLOR => {
            // FLAGS, NP = 16 pairs: default -> green, then each colour to itself (or to
            // the default on a monochrome terminal, which x3270 writes as 0x00).
            out.extend_from_slice(&[0x00, 16, color::DEFAULT, color::GREEN]);
            for c in color::BLUE..=color::WHITE {
                out.push(c);
                out.push(if ctx.color { c } else { color::DEFAULT });
            }
        }
        qcode::HIGHLIGHTING => {
            out.extend_from_slice(&[
                5,
                highlight::DEFAULT,
                highlight::NORMAL,
                highlight::BLINK,
                highlight::BLINK,
                highlight::REVERSE,
                highlight::REVERSE,
                highlight::UNDERSCORE,
                highlight::UNDERSCORE,
                highlight::INTENSIFY,
                highlight::INTENSIFY,
            ]);
        }
        qcode::REPLY_MODES => out.extend_from_slice(&[
            super::reply_mode::FIELD,
            super::reply_mode::EXTENDED_FIELD,
            super::reply_mode::CHARACTER,
        ]),
        qcode::FIELD_VALIDATION => out.push(FIELD_VALIDATION_TYPES),
        qcode::FIELD_OUTLINING => out.extend_from_slice(&FIELD_OUTLINING_BODY),
        qcode::RPQ_NAMES => {
            out.extend_from_slice(&[0, 0, 0, 0]); // device type
            out.extend_from_slice(&[0, 0, 0, 0]); // model
            let name_start = out.len();
            out.push(0); // length of the name field, itself included
            out.extend(
                ctx.rpq_name
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .filter_map(|c| CP037.encode(c))
                    .take(MAX_RPQ_NAME_LEN),
            );
            let name_len = u8::try_from(out.len() - name_start).unwrap_or(u8::MAX);
            if let Some(b) = out.get_mut(name_start) {
                *b = name_len;
            }
        }
        qcode::IMPLICIT_PARTITION => {
            out.extend_from_slice(&[0x00, 0x00]); // FLAGS (reserved)
            out.extend_from_slice(&[IMPLICIT_SIZES_SDP_LEN, IMPLICIT_SIZES_SDP_ID, 0x00]);
            out.extend_from_slice(&def.cols.to_be_bytes());
            out.extend_from_slice(&def.rows.to_be_bytes());
            out.extend_from_slice(&alt.cols.to_be_bytes());
            out.extend_from_slice(&alt.rows.to_be_bytes());
        }
        _ => {} // Null: the header alone.
    }
    let len = u16::try_from(out.len() - start).unwrap_or(u16::MAX);
    if let Some(slot) = out.get_mut(start..start + 2) {
        slot.copy_from_slice(&len.to_be_bytes());
    }
}
