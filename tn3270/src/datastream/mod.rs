//! The outbound 3270 data stream: one host record (command byte first) applied to a
//! [`Screen`].
//!
//! Spec: GA23-0059 "3270 Data Stream Programmer's Reference" ch. 3 (commands, WCC) and
//! ch. 4 (orders, format controls, attributes). Where the manual leaves room, behaviour
//! follows x3270/s3270 4.1 (our conformance oracle).
//!
//! This module owns: command dispatch ([`process`]), the WCC, every order (SF, SFE, SBA,
//! SA, MF, IC, PT, RA, EUA, GE), format controls, Erase All Unprotected, and the terminal
//! [`Capabilities`] that decide addressing and colour. Structured fields (WSF) live in
//! [`crate::sf`]. It does **not** build inbound records: Read Buffer / Read Modified /
//! Read Modified All come back as a [`ReadRequest`] in the [`Outcome`] and the caller asks
//! the `input` module to build the reply (the Query Reply is built here, in `sf`).
//!
//! ## Order of effects in a Write (GA23-0059 §3.4, x3270 `ctlr_write`)
//! 1. Erase/Write and Erase/Write Alternate: erase to nulls at the default/alternate size, cursor to 0.
//! 2. WCC *reset* (with an erase): reply mode back to field mode. WCC *reset MDT*: every
//!    MDT off. Both happen before any order.
//! 3. Orders and data, starting at the **cursor address** (after an erase that is 0).
//! 4. After the orders: IC moves the cursor; "awaiting first write" is cleared; WCC
//!    *keyboard restore* unlocks the keyboard and resets the AID (else a
//!    [`LockReason::TerminalWait`] becomes [`LockReason::SystemWait`]); WCC *sound alarm*
//!    sets the alarm. *Start printer* is reported in [`Outcome::start_printer`].
//!
//! ## Characters and attributes
//! - A character written takes the character attributes of the last SA orders in this
//!   write (all reset at the start of each write) and loses any field attribute that was
//!   at its position. On a monochrome terminal (`color == false`) SA/SFE/MF colours are
//!   ignored, as x3270 does.
//! - SF stores the attribute with default extended attributes; SFE/MF store the listed
//!   ones (type 0x00 "all" is ignored in SFE/MF, unknown types are skipped).
//! - GE stores the next byte with character set [`lcid::APL`] (also `RA … GE x`).
//! - Format controls NUL, FF, CR, NL, EM, LF, DUP, FM, SUB, EO, SO, SI are stored as their
//!   code with the current SA attributes; they display as blanks except DUP (`*`), FM
//!   (`;`), SUB (■) and EO (●) — see [`crate::screen::text`].
//!
//! ## Program Tab (GA23-0059 §4.3.3, as x3270)
//! At the attribute of an unprotected field, PT advances one position. Otherwise it moves
//! to the first data position of the next unprotected field searching **forward without
//! wrapping**: if none is found before the end of the buffer the address becomes 0. When
//! PT follows data (not a command or an order), the rest of the current field is nulled
//! (character attributes reset) up to the next attribute or the target; a PT that nulled
//! and ended at address 0 makes the next PT null as well.
//!
//! ## Addresses
//! 12-bit and 14-bit addresses are told apart by the first byte's two high bits; 16-bit
//! only when [`Capabilities::addressing`] is [`AddressingMode::Sixteen`]. Fields, RA and EUA
//! wrap from the last cell to the first.
//!
//! ## Deviations and tolerance (malformed input)
//! Nothing here panics, loops without consuming input, or allocates per byte (a record
//! allocates only for the replies it asks for). Work per order is at most one pass over the
//! buffer (RA/EUA to their own address, PT's search), so a record costs at most
//! O(record length × cells), as in any 3270: the caller bounds the record length.
//! - **Empty record**: [`DataStreamError::EmptyRecord`], nothing changes.
//! - **Unknown command byte**: [`DataStreamError::UnknownCommand`], nothing changes.
//! - **W/EW/EWA without a WCC**: the erase (if any) happens, then
//!   [`DataStreamError::MissingWcc`] (x3270 4.1 does the same).
//! - **Truncated order** (SF without attribute, SBA/RA/EUA without both address bytes,
//!   RA/GE without the character, SFE/MF/SA with too few pairs): processing **stops**;
//!   what was applied stays, and the end-of-write effects (IC, keyboard restore, alarm)
//!   still happen, as in current x3270; [`DataStreamError::Truncated`] is returned.
//! - **Address past the buffer** in SBA, RA or EUA: same as truncation (x3270 "write
//!   aborted"), [`DataStreamError::AddressOutOfRange`].
//! - **Unknown order** (any other byte below 0x40): skipped alone, processing continues
//!   (x3270 "UnsupportedOrder"); counted in [`Outcome::ignored_orders`].
//! - **MF not at an attribute**: its pairs are skipped, the address does not move.
//! - **SO/SI**: stored and shown as blanks; x3270's DBCS checks ("SI without SO") are not
//!   made since this crate has no DBCS yet.
//! - **SA character set** other than 0x00/0xF1 is stored as the base set (x3270).
//! - **Highlighting and transparency values are stored as sent**; x3270 masks SFE
//!   highlighting with 0x07 (losing intensify 0xF8) and ignores transparency.
//! - **RA to its own address** fills the whole buffer (the manual's rule; x3270 too).

mod codes;
pub(crate) mod write;

pub use codes::{cmd, fc, lcid, order, wcc};

use crate::address::AddressingMode;
use crate::aid::Aid;
use crate::codepage::CodePage;
use crate::screen::{LockReason, Screen, ScreenSize};

/// What the terminal is: model, sizes, colour, extended data stream, code page, addressing,
/// RPQ name. Decides how records are interpreted and what the Query Reply says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// Model number (2–5), informational; the sizes below are what count.
    pub model: u8,
    /// Default (Erase/Write) size, normally 24×80.
    pub default_size: ScreenSize,
    /// Alternate (Erase/Write Alternate) size: the model's size, or any size for
    /// IBM-DYNAMIC-style terminals.
    pub alternate_size: ScreenSize,
    /// 3279 (colour) when true, 3278 (monochrome) when false. A monochrome terminal
    /// ignores colour attributes and answers the Color query with no colours.
    pub color: bool,
    /// Extended data stream (the `-E` terminal type suffix).
    pub extended: bool,
    /// CGCSGID of the session's code page (GCSGID high 16 bits, CPGID low), reported in
    /// the Character Sets query reply.
    pub cgcsgid: u32,
    /// Whether the Usable Area query reply advertises 16-bit addressing.
    pub sixteen_bit_supported: bool,
    /// The addressing in force for outbound addresses (16-bit only once selected).
    pub addressing: AddressingMode,
    /// The name in the RPQ Names query reply (invariant EBCDIC letters/digits only, at
    /// most [`MAX_RPQ_NAME_LEN`] characters are sent).
    pub rpq_name: String,
    /// Include Query Reply Field Validation (0x8A): off by default, as s3270 does not send it.
    pub field_validation: bool,
    /// Include Query Reply Field Outlining (0x8C): off by default, as s3270 does not send it.
    pub field_outlining: bool,
}

/// The longest RPQ name sent in the RPQ Names query reply.
pub const MAX_RPQ_NAME_LEN: usize = 32;

/// The RPQ name we report by default.
pub const DEFAULT_RPQ_NAME: &str = "web3270";

/// The most inbound replies one record can ask for (several Read Partition structured
/// fields in one WSF); further ones are ignored and reported as an error.
pub const MAX_REPLIES_PER_RECORD: usize = 4;

impl Capabilities {
    /// A 3278/3279 model 2–5 terminal (any other number gives model 2): 24×80 default,
    /// the model's alternate size, 12/14-bit addressing, RPQ name [`DEFAULT_RPQ_NAME`].
    pub fn for_model(model: u8, color: bool, extended: bool, codepage: &CodePage) -> Self {
        let alternate = ScreenSize::for_model(model).unwrap_or(ScreenSize::MODEL_2);
        Capabilities {
            model: if ScreenSize::for_model(model).is_some() {
                model
            } else {
                2
            },
            default_size: ScreenSize::MODEL_2,
            alternate_size: alternate,
            color,
            extended,
            cgcsgid: codepage.cgcsgid(),
            sixteen_bit_supported: false,
            addressing: AddressingMode::TwelveFourteen,
            rpq_name: DEFAULT_RPQ_NAME.to_string(),
            field_validation: false,
            field_outlining: false,
        }
    }

    /// The same terminal with another alternate size (IBM-DYNAMIC, `-oversize`); the
    /// alternate is raised to at least the default size.
    pub fn with_alternate_size(mut self, size: ScreenSize) -> Self {
        self.alternate_size = ScreenSize {
            rows: size.rows.max(self.default_size.rows),
            cols: size.cols.max(self.default_size.cols),
        };
        self
    }

    /// A fresh screen with these sizes.
    pub fn new_screen(&self) -> Screen {
        Screen::new(self.default_size, self.alternate_size)
    }

    /// The terminal type this describes, e.g. `IBM-3279-2-E`.
    pub fn terminal_type(&self) -> String {
        format!(
            "IBM-327{}-{}{}",
            if self.color { '9' } else { '8' },
            self.model,
            if self.extended { "-E" } else { "" }
        )
    }
}

/// Which read the host asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadKind {
    /// Read Buffer: every cell.
    Buffer,
    /// Read Modified: modified fields (short read after PA/Clear).
    Modified,
    /// Read Modified All: modified fields, no short read.
    ModifiedAll,
}

/// A host read the caller must answer with an inbound record built by `input`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadRequest {
    /// Which read.
    pub kind: ReadKind,
    /// The AID the inbound record starts with: the screen's last AID for a read command,
    /// [`Aid::ReadPartition`] (0x61) for a Read Partition structured field.
    pub aid: Aid,
}

/// Something the terminal must send back to the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Build a Read Buffer / Read Modified record (the `input` module's job).
    Read(ReadRequest),
    /// A complete inbound Query Reply record (AID 0x88 and the replies), ready to send.
    QueryReply(Vec<u8>),
}

/// What applying a record did, beyond changing the screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Replies to send, in order (usually none or one).
    pub replies: Vec<Reply>,
    /// WCC keyboard restore (or EAU) unlocked the keyboard and reset the AID; the caller
    /// also resets operator state such as insert mode.
    pub keyboard_restored: bool,
    /// WCC start printer bit (a display has no printer; for the caller to log or route).
    pub start_printer: bool,
    /// Unknown order bytes skipped.
    pub ignored_orders: u16,
    /// A structured field that was rejected while others in the same WSF produced a reply
    /// (the reply must still be sent, as x3270 does).
    pub rejected: Option<DataStreamError>,
}

/// Why a record (or part of it) was not applied. See the module doc for what stays applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataStreamError {
    /// The record has no command byte.
    EmptyRecord,
    /// The command byte is none we know.
    UnknownCommand(u8),
    /// A write command without its WCC.
    MissingWcc,
    /// An order ran past the end of the record. `offset` is the order's position in the
    /// record.
    Truncated {
        /// The order code.
        order: u8,
        /// Offset of the order in the record.
        offset: usize,
    },
    /// An SBA/RA/EUA address past the end of the buffer in force.
    AddressOutOfRange {
        /// The order code.
        order: u8,
        /// The decoded address.
        addr: usize,
        /// Offset of the order in the record.
        offset: usize,
    },
    /// A structured field was malformed or unsupported.
    StructuredField(crate::sf::SfError),
    /// More than [`MAX_REPLIES_PER_RECORD`] replies were requested.
    TooManyReplies,
}

impl std::fmt::Display for DataStreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DataStreamError::EmptyRecord => write!(f, "empty 3270 record"),
            DataStreamError::UnknownCommand(c) => write!(f, "unknown 3270 command X'{c:02X}'"),
            DataStreamError::MissingWcc => write!(f, "write command without WCC"),
            DataStreamError::Truncated { order, offset } => {
                write!(f, "order X'{order:02X}' at offset {offset} truncated")
            }
            DataStreamError::AddressOutOfRange {
                order,
                addr,
                offset,
            } => write!(
                f,
                "order X'{order:02X}' at offset {offset}: address {addr} past the buffer"
            ),
            DataStreamError::StructuredField(e) => write!(f, "structured field: {e}"),
            DataStreamError::TooManyReplies => write!(f, "too many replies requested"),
        }
    }
}

impl std::error::Error for DataStreamError {}

impl From<crate::sf::SfError> for DataStreamError {
    fn from(e: crate::sf::SfError) -> Self {
        DataStreamError::StructuredField(e)
    }
}

/// Applies one outbound 3270-DATA record (command byte first, no telnet/TN3270E framing,
/// IAC already undoubled) to `screen`.
///
/// `Ok` carries the replies to send and the side effects; `Err` means the record was
/// rejected or stopped early (the screen keeps what was applied, see the module doc) and,
/// under TN3270E, deserves a negative response.
pub fn process(
    screen: &mut Screen,
    record: &[u8],
    ctx: &Capabilities,
) -> Result<Outcome, DataStreamError> {
    let (&command, rest) = record.split_first().ok_or(DataStreamError::EmptyRecord)?;
    let mut outcome = Outcome::default();
    match command {
        cmd::W | cmd::SNA_W => write::write(screen, rest, ctx, false, &mut outcome)?,
        cmd::EW | cmd::SNA_EW => {
            screen.erase(false);
            write::write(screen, rest, ctx, true, &mut outcome)?;
        }
        cmd::EWA | cmd::SNA_EWA => {
            screen.erase(true);
            write::write(screen, rest, ctx, true, &mut outcome)?;
        }
        cmd::EAU | cmd::SNA_EAU => {
            erase_all_unprotected(screen);
            outcome.keyboard_restored = true;
        }
        cmd::WSF | cmd::SNA_WSF => return crate::sf::write_structured_field(screen, rest, ctx),
        cmd::RB | cmd::SNA_RB => outcome.replies.push(read(screen, ReadKind::Buffer)),
        cmd::RM | cmd::SNA_RM => outcome.replies.push(read(screen, ReadKind::Modified)),
        cmd::RMA | cmd::SNA_RMA => outcome.replies.push(read(screen, ReadKind::ModifiedAll)),
        cmd::NOP => {}
        other => return Err(DataStreamError::UnknownCommand(other)),
    }
    Ok(outcome)
}

/// Erase All Unprotected (GA23-0059 §3.3.4): nulls every unprotected data position (their
/// character set reset, colours kept, as x3270), resets the MDT of every unprotected field,
/// puts the cursor on the first position after the first unprotected attribute (address 0
/// when there is none), unlocks the keyboard and resets the AID. An unformatted screen is
/// erased entirely.
pub fn erase_all_unprotected(screen: &mut Screen) {
    let n = screen.len();
    match (0..n).find(|&a| screen.cell(a).fa.is_some()) {
        None => {
            screen.cells_mut().fill(crate::screen::Cell::NULL);
            screen.set_cursor(0);
        }
        Some(first_fa) => {
            let mut cursor = None;
            let mut protected = true;
            for i in 0..n {
                let a = (first_fa + i) % n;
                let cell = screen.cell_mut(a);
                match cell.fa {
                    Some(fa) => {
                        protected = fa.is_protected();
                        if !protected {
                            cell.fa = Some(fa.with_modified(false));
                            cursor.get_or_insert((a + 1) % n);
                        }
                    }
                    None if !protected => {
                        cell.ch = 0;
                        cell.ext.charset = lcid::BASE;
                    }
                    None => {}
                }
            }
            screen.set_cursor(cursor.unwrap_or(0));
        }
    }
    restore_keyboard(screen);
}

/// Keyboard restore: unlock and reset the AID (WCC bit 6, EAU).
fn restore_keyboard(screen: &mut Screen) {
    screen.set_lock(None);
    screen.set_last_aid(Aid::NoAid);
}

/// After a write without keyboard restore: the first write clears "awaiting first", and a
/// terminal-wait lock becomes a system-wait lock (x3270 `ctlr_write`).
fn settle_lock_without_restore(screen: &mut Screen) {
    match screen.lock() {
        Some(LockReason::AwaitingFirst) => screen.set_lock(None),
        Some(LockReason::TerminalWait) => screen.set_lock(Some(LockReason::SystemWait)),
        _ => {}
    }
}

fn read(screen: &Screen, kind: ReadKind) -> Reply {
    Reply::Read(ReadRequest {
        kind,
        aid: screen.last_aid(),
    })
}

#[cfg(test)]
mod tests;
