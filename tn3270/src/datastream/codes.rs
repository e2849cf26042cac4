//! Protocol constants of the outbound 3270 data stream: command codes, WCC bits, order codes
//! and format control codes (GA23-0059 §3.3 "Commands", §3.4 "Write Control Character",
//! §4.3 "Orders", §4.3.11 "Format Control Orders"). Names follow the manual.

/// Command codes, with the local ("CCW") and the SNA ("remote") code of each command
/// (GA23-0059 §3.3, Figure 3-2). TN3270 hosts send either form.
pub mod cmd {
    /// Write (local).
    pub const W: u8 = 0x01;
    /// Write (SNA).
    pub const SNA_W: u8 = 0xF1;
    /// Read Buffer (local).
    pub const RB: u8 = 0x02;
    /// Read Buffer (SNA).
    pub const SNA_RB: u8 = 0xF2;
    /// No Operation (local only).
    pub const NOP: u8 = 0x03;
    /// Erase/Write (local).
    pub const EW: u8 = 0x05;
    /// Erase/Write (SNA).
    pub const SNA_EW: u8 = 0xF5;
    /// Read Modified (local).
    pub const RM: u8 = 0x06;
    /// Read Modified (SNA).
    pub const SNA_RM: u8 = 0xF6;
    /// Erase/Write Alternate (local).
    pub const EWA: u8 = 0x0D;
    /// Erase/Write Alternate (SNA).
    pub const SNA_EWA: u8 = 0x7E;
    /// Read Modified All (local).
    pub const RMA: u8 = 0x0E;
    /// Read Modified All (SNA).
    pub const SNA_RMA: u8 = 0x6E;
    /// Erase All Unprotected (local).
    pub const EAU: u8 = 0x0F;
    /// Erase All Unprotected (SNA).
    pub const SNA_EAU: u8 = 0x6F;
    /// Write Structured Field (local).
    pub const WSF: u8 = 0x11;
    /// Write Structured Field (SNA).
    pub const SNA_WSF: u8 = 0xF3;
}

/// Write control character bits (GA23-0059 §3.4, Figure 3-4; bit 0 is the MSB).
pub mod wcc {
    /// Bit 1: reset (partition characteristics; with an erase, the reply mode).
    pub const RESET: u8 = 0x40;
    /// Bit 4: start printer.
    pub const START_PRINTER: u8 = 0x08;
    /// Bit 5: sound alarm.
    pub const SOUND_ALARM: u8 = 0x04;
    /// Bit 6: keyboard restore (unlock, reset the AID).
    pub const KEYBOARD_RESTORE: u8 = 0x02;
    /// Bit 7: reset modified data tags.
    pub const RESET_MDT: u8 = 0x01;
}

/// Order codes (GA23-0059 §4.3, Figure 4-2).
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
    /// Bytes below this value are orders or control codes; from here on, graphics.
    pub const FIRST_GRAPHIC: u8 = 0x40;
}

/// Format control codes (GA23-0059 §4.3.11). They are stored in the buffer like characters;
/// see the datastream module doc for how each shows.
pub mod fc {
    /// Null.
    pub const NUL: u8 = 0x00;
    /// Form feed.
    pub const FF: u8 = 0x0C;
    /// Carriage return.
    pub const CR: u8 = 0x0D;
    /// Shift out (DBCS subfield start).
    pub const SO: u8 = 0x0E;
    /// Shift in (DBCS subfield end).
    pub const SI: u8 = 0x0F;
    /// New line.
    pub const NL: u8 = 0x15;
    /// End of medium.
    pub const EM: u8 = 0x19;
    /// Duplicate (shown as `*` with an overscore; `*` in text).
    pub const DUP: u8 = 0x1C;
    /// Field mark (shown as `;` with an overscore; `;` in text).
    pub const FM: u8 = 0x1E;
    /// Line feed (x3270 accepts it like the other format controls).
    pub const LF: u8 = 0x25;
    /// Substitute (shown as a solid box).
    pub const SUB: u8 = 0x3F;
    /// Eight ones (shown as a solid circle).
    pub const EO: u8 = 0xFF;
}

/// Character set local identifiers carried in SA/SFE/MF type 0x43 (GA23-0059 §4.4.6.5).
pub mod lcid {
    /// The base set.
    pub const BASE: u8 = 0x00;
    /// The APL/text set selected by GE (x3270's "3179-style APL2", CGCSGID 963/310).
    pub const APL: u8 = 0xF1;
}
