//! Telnet protocol constants: commands (RFC 854), option codes and their subnegotiation
//! bytes (RFC 856, 860, 885, 1091, 1572, 2355, draft-altman-telnet-starttls), and the
//! size limits of this crate's telnet parser.

/// Interpret As Command (RFC 854).
pub const IAC: u8 = 255;
/// DON'T: demand/confirm that the peer stops performing an option (RFC 854).
pub const DONT: u8 = 254;
/// DO: request/confirm that the peer performs an option (RFC 854).
pub const DO: u8 = 253;
/// WON'T: refusal to perform, or stop performing, an option (RFC 854).
pub const WONT: u8 = 252;
/// WILL: desire to perform, or confirmation of performing, an option (RFC 854).
pub const WILL: u8 = 251;
/// Subnegotiation begin (RFC 855).
pub const SB: u8 = 250;
/// Go Ahead (RFC 854). Ignored.
pub const GA: u8 = 249;
/// Erase Line (RFC 854). Ignored.
pub const EL: u8 = 248;
/// Erase Character (RFC 854). Ignored.
pub const EC: u8 = 247;
/// Are You There (RFC 854).
pub const AYT: u8 = 246;
/// Abort Output (RFC 854); SYSREQ in TN3270E with the SYSREQ function (RFC 2355 §10.5.2).
pub const AO: u8 = 245;
/// Interrupt Process (RFC 854); the ATTN key in TN3270E (RFC 2355 §11).
pub const IP: u8 = 244;
/// Break (RFC 854); the ATTN key of x3270 in plain TN3270.
pub const BREAK: u8 = 243;
/// Data Mark (RFC 854). Ignored.
pub const DM: u8 = 242;
/// No Operation (RFC 854); used as a keepalive.
pub const NOP: u8 = 241;
/// Subnegotiation end (RFC 855).
pub const SE: u8 = 240;
/// End Of Record (RFC 885): ends every 3270 record.
pub const EOR: u8 = 239;

/// Telnet option codes.
pub mod opt {
    /// TRANSMIT-BINARY (RFC 856).
    pub const BINARY: u8 = 0;
    /// TIMING-MARK (RFC 860).
    pub const TIMING_MARK: u8 = 6;
    /// TERMINAL-TYPE (RFC 1091).
    pub const TERMINAL_TYPE: u8 = 24;
    /// END-OF-RECORD (RFC 885).
    pub const EOR: u8 = 25;
    /// NEW-ENVIRON (RFC 1572).
    pub const NEW_ENVIRON: u8 = 39;
    /// TN3270E (RFC 2355).
    pub const TN3270E: u8 = 40;
    /// START-TLS ("TLS" option, draft-altman-telnet-starttls).
    pub const START_TLS: u8 = 46;
}

/// TERMINAL-TYPE IS (RFC 1091).
pub const TTYPE_IS: u8 = 0;
/// TERMINAL-TYPE SEND (RFC 1091).
pub const TTYPE_SEND: u8 = 1;
/// Separator of terminal type and LU name in TERMINAL-TYPE IS (RFC 1646 §2).
pub const TTYPE_LU_SEPARATOR: u8 = b'@';

/// NEW-ENVIRON IS (RFC 1572).
pub const ENV_IS: u8 = 0;
/// NEW-ENVIRON SEND (RFC 1572).
pub const ENV_SEND: u8 = 1;
/// NEW-ENVIRON INFO (RFC 1572).
pub const ENV_INFO: u8 = 2;
/// NEW-ENVIRON VAR (RFC 1572).
pub const ENV_VAR: u8 = 0;
/// NEW-ENVIRON VALUE (RFC 1572).
pub const ENV_VALUE: u8 = 1;
/// NEW-ENVIRON ESC (RFC 1572).
pub const ENV_ESC: u8 = 2;
/// NEW-ENVIRON USERVAR (RFC 1572).
pub const ENV_USERVAR: u8 = 3;

/// START-TLS FOLLOWS (draft-altman-telnet-starttls §2).
pub const START_TLS_FOLLOWS: u8 = 1;

/// Carriage return (RFC 854 NVT).
pub const CR: u8 = 0x0d;
/// Line feed (RFC 854 NVT).
pub const LF: u8 = 0x0a;
/// NUL, sent after a bare CR in NVT mode (RFC 854).
pub const NUL: u8 = 0x00;

/// Largest record (bytes between two IAC EOR, after IAC undoubling, TN3270E header
/// included) the parser buffers. A longer record is reported as
/// [`TelnetError::RecordTooLong`](super::TelnetError::RecordTooLong) and discarded up to
/// the next IAC EOR. Also the largest NVT data chunk delivered at once.
pub const MAX_RECORD_LEN: usize = 1 << 20;

/// Largest subnegotiation payload (between `IAC SB <option>` and `IAC SE`) the parser
/// buffers. A longer one is reported as
/// [`TelnetError::SubnegotiationTooLong`](super::TelnetError::SubnegotiationTooLong) and
/// dropped.
pub const MAX_SUBNEGOTIATION_LEN: usize = 1024;
