//! The 3270 data stream codes a host composes with: command codes (CCW and SNA forms), WCC
//! bits, order codes, structured field IDs.
//!
//! Spec: GA23-0059 §3.3 (Figure 3-2 command codes, local CCW vs remote SNA), §3.4.1 (WCC),
//! §4.3 (orders), ch. 5 (structured fields: Read Partition X'01', Erase/Reset X'03',
//! Set Reply Mode X'09').
//!
//! The terminal side (`input::inbound`) uses the same order codes for its inbound records.

// Command codes, WCC bits and order codes are the data stream's own constants (one module per
// layer): `command` is `datastream::cmd` under the name hosts expect.
pub use crate::datastream::{cmd as command, order, wcc};

/// Structured field IDs and values (GA23-0059 ch. 5).
pub mod sfid {
    /// Read Partition.
    pub const READ_PARTITION: u8 = 0x01;
    /// Erase/Reset.
    pub const ERASE_RESET: u8 = 0x03;
    /// Set Reply Mode.
    pub const SET_REPLY_MODE: u8 = 0x09;
    /// Read Partition type: Query.
    pub const RP_QUERY: u8 = 0x02;
    /// Read Partition type: Query List.
    pub const RP_QUERY_LIST: u8 = 0x03;
    /// Query List request type: the listed QCODEs.
    pub const QL_LIST: u8 = 0x00;
    /// Query List request type: equivalent + the listed QCODEs.
    pub const QL_EQUIVALENT: u8 = 0x40;
    /// Query List request type: all.
    pub const QL_ALL: u8 = 0x80;
    /// Partition ID meaning "no partition" in Read Partition Query.
    pub const PARTITION_NONE: u8 = 0xFF;
    /// Erase/Reset flag: use the alternate (implicit partition) size.
    pub const ERASE_RESET_ALTERNATE: u8 = 0x80;
    /// Set Reply Mode: Field.
    pub const SRM_FIELD: u8 = 0x00;
    /// Set Reply Mode: Extended Field.
    pub const SRM_EXTENDED_FIELD: u8 = 0x01;
    /// Set Reply Mode: Character.
    pub const SRM_CHARACTER: u8 = 0x02;
}
