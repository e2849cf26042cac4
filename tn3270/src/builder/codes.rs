//! The 3270 data stream codes a host composes with: command codes (CCW and SNA forms), WCC
//! bits, order codes, structured field IDs.
//!
//! Spec: GA23-0059 §3.3 (Figure 3-2 command codes, local CCW vs remote SNA), §3.4.1 (WCC),
//! §4.3 (orders), ch. 5 (structured fields: Read Partition X'01', Erase/Reset X'03',
//! Set Reply Mode X'09').
//!
//! The terminal side (`input::inbound`) uses the same order codes for its inbound records.

/// Command codes.
pub mod command {
    /// Write (CCW form).
    pub const W: u8 = 0x01;
    /// Erase/Write (CCW form).
    pub const EW: u8 = 0x05;
    /// Erase/Write Alternate (CCW form).
    pub const EWA: u8 = 0x0D;
    /// Erase All Unprotected (CCW form).
    pub const EAU: u8 = 0x0F;
    /// Write Structured Field (CCW form).
    pub const WSF: u8 = 0x11;
    /// Read Buffer (CCW form).
    pub const RB: u8 = 0x02;
    /// Read Modified (CCW form).
    pub const RM: u8 = 0x06;
    /// Read Modified All (CCW form).
    pub const RMA: u8 = 0x0E;
    /// Write (SNA form).
    pub const SNA_W: u8 = 0xF1;
    /// Erase/Write (SNA form).
    pub const SNA_EW: u8 = 0xF5;
    /// Erase/Write Alternate (SNA form).
    pub const SNA_EWA: u8 = 0x7E;
    /// Erase All Unprotected (SNA form).
    pub const SNA_EAU: u8 = 0x6F;
    /// Write Structured Field (SNA form).
    pub const SNA_WSF: u8 = 0xF3;
    /// Read Buffer (SNA form).
    pub const SNA_RB: u8 = 0xF2;
    /// Read Modified (SNA form).
    pub const SNA_RM: u8 = 0xF6;
    /// Read Modified All (SNA form).
    pub const SNA_RMA: u8 = 0x6E;
}

/// Write control character bits (GA23-0059 §3.4.1; bit 0 is the most significant).
pub mod wcc {
    /// Bit 1: reset (reply mode to Field, and the partition characteristics).
    pub const RESET: u8 = 0x40;
    /// Bit 4: start printer.
    pub const START_PRINTER: u8 = 0x08;
    /// Bit 5: sound alarm.
    pub const ALARM: u8 = 0x04;
    /// Bit 6: keyboard restore.
    pub const RESTORE_KEYBOARD: u8 = 0x02;
    /// Bit 7: reset modified data tags.
    pub const RESET_MDT: u8 = 0x01;
}

/// Order codes (GA23-0059 §4.3).
pub mod order {
    /// Program Tab.
    pub const PT: u8 = 0x05;
    /// Graphic Escape.
    pub const GE: u8 = 0x08;
    /// Set Buffer Address.
    pub const SBA: u8 = 0x11;
    /// Erase Unprotected to Address.
    pub const EUA: u8 = 0x12;
    /// Insert Cursor.
    pub const IC: u8 = 0x13;
    /// Start Field.
    pub const SF: u8 = 0x1D;
    /// Set Attribute.
    pub const SA: u8 = 0x28;
    /// Start Field Extended.
    pub const SFE: u8 = 0x29;
    /// Modify Field.
    pub const MF: u8 = 0x2C;
    /// Repeat to Address.
    pub const RA: u8 = 0x3C;
}

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
