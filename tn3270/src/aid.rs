//! Attention identifiers (AIDs): the first byte of an inbound record, naming the key the
//! operator pressed (GA23-0059 §3.5.6, Figure 3-7 "AID Configurations").
//!
//! Only the codes; building inbound records is the `input` module's job.

/// An attention identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Aid {
    /// No AID generated (0x60): used for Read Buffer/Read Modified answers to host reads.
    NoAid,
    /// ENTER (0x7D).
    Enter,
    /// PF1..PF24 (1-based).
    Pf(u8),
    /// PA1..PA3 (1-based).
    Pa(u8),
    /// CLEAR (0x6D).
    Clear,
    /// CLEAR PARTITION (0x6A).
    ClearPartition,
    /// SYSREQ / TEST REQ (0xF0).
    SysReq,
    /// Structured field (0x88): the record carries structured fields (Query Reply).
    StructuredField,
    /// Read Partition (0x61).
    ReadPartition,
    /// Trigger action (0x7F).
    Trigger,
    /// Cursor select / selector pen attention (0x7E).
    CursorSelect,
}

impl Aid {
    /// The AID byte as it goes on the wire.
    pub fn code(self) -> u8 {
        match self {
            Aid::NoAid => 0x60,
            Aid::Enter => 0x7D,
            Aid::Pf(n) => match n {
                1..=9 => 0xF0 + n,
                10 => 0x7A,
                11 => 0x7B,
                12 => 0x7C,
                13..=21 => 0xC1 + (n - 13),
                22 => 0x4A,
                23 => 0x4B,
                24 => 0x4C,
                _ => 0x60,
            },
            Aid::Pa(n) => match n {
                1 => 0x6C,
                2 => 0x6E,
                3 => 0x6B,
                _ => 0x60,
            },
            Aid::Clear => 0x6D,
            Aid::ClearPartition => 0x6A,
            Aid::SysReq => 0xF0,
            Aid::StructuredField => 0x88,
            Aid::ReadPartition => 0x61,
            Aid::Trigger => 0x7F,
            Aid::CursorSelect => 0x7E,
        }
    }

    /// Parses an AID byte; `None` for a byte that is no AID.
    pub fn from_code(code: u8) -> Option<Aid> {
        Some(match code {
            0x60 => Aid::NoAid,
            0x7D => Aid::Enter,
            0xF1..=0xF9 => Aid::Pf(code - 0xF0),
            0x7A => Aid::Pf(10),
            0x7B => Aid::Pf(11),
            0x7C => Aid::Pf(12),
            0xC1..=0xC9 => Aid::Pf(code - 0xC1 + 13),
            0x4A => Aid::Pf(22),
            0x4B => Aid::Pf(23),
            0x4C => Aid::Pf(24),
            0x6C => Aid::Pa(1),
            0x6E => Aid::Pa(2),
            0x6B => Aid::Pa(3),
            0x6D => Aid::Clear,
            0x6A => Aid::ClearPartition,
            0xF0 => Aid::SysReq,
            0x88 => Aid::StructuredField,
            0x61 => Aid::ReadPartition,
            0x7F => Aid::Trigger,
            0x7E => Aid::CursorSelect,
            _ => return None,
        })
    }

    /// True for the keys whose inbound record is a "short read" (the AID alone):
    /// PA1–PA3, CLEAR and CLEAR PARTITION (GA23-0059 §3.5.4).
    pub fn is_short_read(self) -> bool {
        matches!(self, Aid::Pa(_) | Aid::Clear | Aid::ClearPartition)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_aid_round_trips() {
        let mut all = vec![
            Aid::NoAid,
            Aid::Enter,
            Aid::Clear,
            Aid::ClearPartition,
            Aid::SysReq,
            Aid::StructuredField,
            Aid::ReadPartition,
            Aid::Trigger,
            Aid::CursorSelect,
        ];
        all.extend((1..=24).map(Aid::Pf));
        all.extend((1..=3).map(Aid::Pa));
        for aid in all {
            assert_eq!(Aid::from_code(aid.code()), Some(aid), "{aid:?}");
        }
    }
}
