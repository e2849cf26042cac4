//! Reading the terminal's Query Reply (the answer to the demo's Read Partition Query): the
//! screen size it really has, and whether it shows colour, highlighting, field outlining and
//! enforces field validation.
//!
//! Spec: GA23-0059 ch. 6 "Query Reply Structured Fields": §6.2 format (`LL LL X'81' QCODE`),
//! Usable Area (QCODE X'81', W/H at body offsets 2–5), Implicit Partition (X'A6', self-defining
//! parameter X'01' with default and alternate width/height), Color (X'86', NP pairs of colour →
//! shown colour; a monochrome terminal maps colours to X'00' as x3270 does), Highlighting
//! (X'87'), Field Validation (X'8A'), Field Outlining (X'8C').
//!
//! Owns only the parsing. Malformed input never panics: a structured field whose length is
//! shorter than its header or runs past the record ends the parse, and what was read before it
//! is kept ([`QueryReplyInfo`] fields stay `None`/`false`); a reply too short for its type is
//! skipped. Sizes below 24×80 or beyond what 12/14-bit addressing reaches are ignored (see
//! [`QueryReplyInfo::alternate_size`]).

use tn3270::address::MAX_14BIT_CELLS;
use tn3270::aid::Aid;
use tn3270::screen::attributes::color;
use tn3270::screen::ScreenSize;
use tn3270::sf::query::qcode;
use tn3270::sf::query::SFID_QUERY_REPLY;

/// Bytes of a structured field header: two length bytes, the ID, the QCODE.
const QR_HEADER_LEN: usize = 4;
/// Implicit Partition self-defining parameter ID "implicit partition sizes".
const IMPLICIT_SIZES_ID: u8 = 0x01;
/// Offset of the first self-defining parameter in an Implicit Partition body (after FLAGS).
const IMPLICIT_PARAMS_OFFSET: usize = 2;

/// What a Query Reply record says about the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueryReplyInfo {
    /// The alternate size: Implicit Partition's alternate, else the Usable Area; `None` when
    /// neither came, the size is smaller than 24×80, or it needs 16-bit addressing (more
    /// than 16384 cells).
    pub alternate_size: Option<ScreenSize>,
    /// The Color reply maps at least one colour to itself.
    pub color: bool,
    /// A Highlighting reply came.
    pub highlighting: bool,
    /// A Field Validation reply came (the terminal enforces mandatory entry/fill).
    pub validation: bool,
    /// A Field Outlining reply came.
    pub outlining: bool,
}

/// Parses an inbound Query Reply record (first byte the structured-field AID X'88').
/// Returns `None` when the record is not one.
pub fn parse(record: &[u8]) -> Option<QueryReplyInfo> {
    let (&aid, mut rest) = record.split_first()?;
    if Aid::from_code(aid) != Some(Aid::StructuredField) {
        return None;
    }
    let mut info = QueryReplyInfo::default();
    let mut usable = None;
    let mut implicit = None;
    while let [hi, lo, ..] = *rest {
        let len = usize::from(u16::from_be_bytes([hi, lo]));
        let Some(field) = rest.get(..len).filter(|_| len >= QR_HEADER_LEN) else {
            break;
        };
        rest = rest.get(len..).unwrap_or_default();
        let [_, _, id, code, body @ ..] = field else {
            break;
        };
        if *id != SFID_QUERY_REPLY {
            continue;
        }
        match *code {
            qcode::USABLE_AREA => usable = usable_area(body),
            qcode::IMPLICIT_PARTITION => implicit = implicit_alternate(body),
            qcode::COLOR => info.color = color_pairs(body),
            qcode::HIGHLIGHTING => info.highlighting = true,
            qcode::FIELD_VALIDATION => info.validation = true,
            qcode::FIELD_OUTLINING => info.outlining = true,
            _ => {}
        }
    }
    info.alternate_size = implicit.or(usable).filter(|s| {
        s.rows >= ScreenSize::MODEL_2.rows
            && s.cols >= ScreenSize::MODEL_2.cols
            && s.cells() <= MAX_14BIT_CELLS
    });
    Some(info)
}

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    match bytes.get(at..at + 2)? {
        [a, b] => Some(u16::from_be_bytes([*a, *b])),
        _ => None,
    }
}

/// Usable Area: FLAGS1, FLAGS2, W (2 bytes), H (2 bytes), ...
fn usable_area(body: &[u8]) -> Option<ScreenSize> {
    Some(ScreenSize {
        cols: be16(body, 2)?,
        rows: be16(body, 4)?,
    })
}

/// Implicit Partition: FLAGS (2), then self-defining parameters `len id ...`; the sizes
/// parameter is `len 01 flags WD(2) HD(2) WA(2) HA(2)`.
fn implicit_alternate(body: &[u8]) -> Option<ScreenSize> {
    let mut params = body.get(IMPLICIT_PARAMS_OFFSET..)?;
    while let [len, id, ..] = *params {
        let len = usize::from(len);
        let param = params.get(..len).filter(|_| len >= 2)?;
        if id == IMPLICIT_SIZES_ID {
            return Some(ScreenSize {
                cols: be16(param, 7)?,
                rows: be16(param, 9)?,
            });
        }
        params = params.get(len..)?;
    }
    None
}

/// Color: FLAGS, NP, then NP (colour, shown as) pairs.
fn color_pairs(body: &[u8]) -> bool {
    body.get(2..)
        .unwrap_or_default()
        .chunks_exact(2)
        .any(|p| matches!(p, [c, shown] if *c >= color::BLUE && shown == c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_3279_model_4_reply_as_our_terminal_sends_it() {
        let record = [
            0x88, // AID structured field
            0x00, 0x17, 0x81, 0x81, // Usable Area, 23 bytes
            0x01, 0x00, 0x00, 0x50, 0x00, 0x2b, // 12/14-bit, W=80, H=43
            0x01, 0x00, 0x0a, 0x02, 0xe5, 0x00, 0x02, 0x00, 0x6f, 0x09, 0x0c, 0x0d, 0x70, 0x00,
            0x08, 0x81, 0x86, 0x00, 0x02, 0xf1, 0xf1, // Color: NP=2, blue → blue
            0x00, 0x05, 0x81, 0x87, 0x00, // Highlighting (body cut: still counts)
            0x00, 0x05, 0x81, 0x8a, 0x07, // Field Validation
            0x00, 0x11, 0x81, 0xa6, 0x00, 0x00, // Implicit Partition, FLAGS
            0x0b, 0x01, 0x00, // sizes parameter, flags
            0x00, 0x50, 0x00, 0x18, // default 80 x 24
            0x00, 0x50, 0x00, 0x2b, // alternate 80 x 43
        ];
        let info = parse(&record).unwrap();
        assert_eq!(info.alternate_size, Some(ScreenSize::MODEL_4));
        assert!(info.color && info.highlighting && info.validation);
        assert!(!info.outlining);
    }

    #[test]
    fn monochrome_colour_pairs_and_usable_area_only() {
        let record = [
            0x88, // AID structured field
            0x00, 0x0a, 0x81, 0x81, 0x01, 0x00, 0x00, 0xa0, 0x00, 0x3e, // Usable Area 160x62
            0x00, 0x08, 0x81, 0x86, 0x00, 0x02, 0xf1, 0x00, // Color: blue shown as default
        ];
        let info = parse(&record).unwrap();
        assert_eq!(
            info.alternate_size,
            Some(ScreenSize {
                rows: 62,
                cols: 160
            })
        );
        assert!(!info.color);
    }

    #[test]
    fn malformed_replies_keep_what_came_before() {
        // Not a structured-field record.
        assert_eq!(parse(&[0x7d, 0x40, 0x40]), None);
        assert_eq!(parse(&[]), None);
        // Highlighting, then a field claiming 0x40 bytes of a 6-byte rest: stop there.
        let info = parse(&[
            0x88, 0x00, 0x04, 0x81, 0x87, // Highlighting
            0x00, 0x40, 0x81, 0x8a, 0x00, 0x00, // length past the end
        ])
        .unwrap();
        assert!(info.highlighting && !info.validation);
        // A length below the header size stops the parse instead of looping.
        assert_eq!(
            parse(&[0x88, 0x00, 0x00, 0x81, 0x87]),
            Some(QueryReplyInfo::default())
        );
        // A Usable Area too short for W/H gives no size; oversized sizes are refused.
        let info = parse(&[0x88, 0x00, 0x06, 0x81, 0x81, 0x01, 0x00]).unwrap();
        assert_eq!(info.alternate_size, None);
        let info = parse(&[
            0x88, 0x00, 0x0a, 0x81, 0x81, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00, // 256 x 256
        ])
        .unwrap();
        assert_eq!(info.alternate_size, None);
        // Smaller than the 24x80 default: refused too.
        let info = parse(&[
            0x88, 0x00, 0x0a, 0x81, 0x81, 0x01, 0x00, 0x00, 0x28, 0x00, 0x0c, // 40 x 12
        ])
        .unwrap();
        assert_eq!(info.alternate_size, None);
    }
}
