//! Character set 310, the APL2 graphic set a host reaches with the Graphic Escape order.
//!
//! Owns: the mapping of a byte that follows GE (X'08', GA23-0059 §4.3.5) to the Unicode
//! character x3270 displays for it, and back, plus the set's identifiers as x3270 reports them
//! in the Query Reply (Character Sets) (GA23-0059 §6.12): set 1, LCID X'F1', CGCSGID
//! X'03C3_0136' (GCSGID 963, CPGID 310). Does not own: the GE order, or which cell is in the
//! APL set (the screen model).
//!
//! The table is what s3270 4.1 shows for `GE xx` (captured by `tools/codepages/s3270_oracle.py`
//! into `tools/codepages/data/apl310.txt`): 114 graphics. Bytes x3270 shows as nothing (the
//! underscored letters X'41'-X'69', for example, which Unicode has no single character for)
//! decode to [`UNASSIGNED`] and [`display`] as a space.

use super::tables::{APL310_FROM_UNICODE, APL310_TO_UNICODE};
use super::UNASSIGNED;

/// The CGCSGID of the APL set in x3270's Query Reply (Character Sets): GCSGID 963, CPGID 310.
pub const CGCSGID: u32 = (963 << 16) | 310;
/// The local character set ID x3270 gives the APL set in that reply.
pub const LCID: u8 = 0xF1;

/// The character for `GE b`; [`UNASSIGNED`] when x3270 shows nothing.
pub fn decode(b: u8) -> char {
    APL310_TO_UNICODE[usize::from(b)]
}

/// The byte to send after GE for `c`; `None` when the APL set has no such character.
pub fn encode(c: char) -> Option<u8> {
    APL310_FROM_UNICODE
        .binary_search_by_key(&c, |&(u, _)| u)
        .ok()
        .and_then(|i| APL310_FROM_UNICODE.get(i))
        .map(|&(_, b)| b)
}

/// What a 3270 shows for `GE b`, like s3270: the APL graphic, or a space when there is none.
pub fn display(b: u8) -> char {
    match decode(b) {
        UNASSIGNED => ' ',
        c => c,
    }
}
