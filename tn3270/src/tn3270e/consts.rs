//! TN3270E protocol constants (RFC 2355) and the SNA BIND offsets used to read screen
//! sizes (SNA Formats GA27-3136, BIND RU; RFC 2355 §10.3).

/// TN3270E subnegotiation: ASSOCIATE (RFC 2355 §3, §7.1.3).
pub const ASSOCIATE: u8 = 0;
/// TN3270E subnegotiation: CONNECT.
pub const CONNECT: u8 = 1;
/// TN3270E subnegotiation: DEVICE-TYPE.
pub const DEVICE_TYPE: u8 = 2;
/// TN3270E subnegotiation: FUNCTIONS.
pub const FUNCTIONS: u8 = 3;
/// TN3270E subnegotiation: IS.
pub const IS: u8 = 4;
/// TN3270E subnegotiation: REASON.
pub const REASON: u8 = 5;
/// TN3270E subnegotiation: REJECT.
pub const REJECT: u8 = 6;
/// TN3270E subnegotiation: REQUEST.
pub const REQUEST: u8 = 7;
/// TN3270E subnegotiation: SEND.
pub const SEND: u8 = 8;

/// Length of the TN3270E message header (RFC 2355 §8.1).
pub const HEADER_LEN: usize = 5;
/// Largest sequence number; the counter wraps to 0 after it (RFC 2355 §8.1.4).
pub const MAX_SEQ: u16 = 0x7fff;

/// REQUEST-FLAG for the REQUEST data type: ERR-COND-CLEARED (RFC 2355 §8.1.2).
pub const REQ_ERR_COND_CLEARED: u8 = 0x00;

/// RESPONSE-FLAG of 3270-DATA/SCS-DATA: no response wanted (RFC 2355 §8.1.3).
pub const RSF_NO_RESPONSE: u8 = 0x00;
/// RESPONSE-FLAG of 3270-DATA/SCS-DATA: respond only on error.
pub const RSF_ERROR_RESPONSE: u8 = 0x01;
/// RESPONSE-FLAG of 3270-DATA/SCS-DATA: always respond.
pub const RSF_ALWAYS_RESPONSE: u8 = 0x02;
/// RESPONSE-FLAG of a RESPONSE record: positive.
pub const RSF_POSITIVE_RESPONSE: u8 = 0x00;
/// RESPONSE-FLAG of a RESPONSE record: negative.
pub const RSF_NEGATIVE_RESPONSE: u8 = 0x01;

/// Positive response data: Device End (RFC 2355 §10.4.1).
pub const POS_DEVICE_END: u8 = 0x00;
/// Negative response data: Command Reject (RFC 2355 §10.4.1).
pub const NEG_COMMAND_REJECT: u8 = 0x00;
/// Negative response data: Intervention Required.
pub const NEG_INTERVENTION_REQUIRED: u8 = 0x01;
/// Negative response data: Operation Check.
pub const NEG_OPERATION_CHECK: u8 = 0x02;
/// Negative response data: Component Disconnected.
pub const NEG_COMPONENT_DISCONNECTED: u8 = 0x03;

/// UNBIND type byte of a normal end of session (SNA UNBIND RU, byte 1).
pub const UNBIND_NORMAL: u8 = 0x01;

/// First byte of a BIND RU.
pub const BIND_RU: u8 = 0x31;
/// Offset of the default number of rows in the BIND RU (PS usage field).
pub const BIND_OFF_ROWS_DEFAULT: usize = 20;
/// Offset of the default number of columns.
pub const BIND_OFF_COLS_DEFAULT: usize = 21;
/// Offset of the alternate number of rows.
pub const BIND_OFF_ROWS_ALTERNATE: usize = 22;
/// Offset of the alternate number of columns.
pub const BIND_OFF_COLS_ALTERNATE: usize = 23;
/// Offset of the screen-size control byte.
pub const BIND_OFF_SCREEN_SIZE: usize = 24;
/// Offset of the primary LU name length.
pub const BIND_OFF_PLU_NAME_LEN: usize = 27;
/// Offset of the primary LU name (EBCDIC).
pub const BIND_OFF_PLU_NAME: usize = 28;
/// Longest primary LU name kept.
pub const BIND_PLU_NAME_MAX: usize = 8;
/// Screen-size byte: default 24x80, no alternate (alternate = default).
pub const BIND_SIZE_DEFAULT_ONLY: u8 = 0x00;
/// Screen-size byte: 24x80 default and alternate.
pub const BIND_SIZE_24X80: u8 = 0x02;
/// Screen-size byte: default 24x80, alternate is the device's own size.
pub const BIND_SIZE_ALT_DEVICE: u8 = 0x03;
/// Screen-size byte: default and alternate from the default rows/cols bytes.
pub const BIND_SIZE_FROM_DEFAULT: u8 = 0x7e;
/// Screen-size byte: default and alternate from their rows/cols bytes.
pub const BIND_SIZE_EXPLICIT: u8 = 0x7f;
/// The session-level LU type byte of a BIND for an LU type 2 (3270 display).
pub const BIND_LU_TYPE_2: u8 = 0x02;
/// Offset of the LU type byte in the BIND RU.
pub const BIND_OFF_LU_TYPE: usize = 14;
/// Length of the BIND RU built by [`super::BindImage::encode`].
pub const BIND_BUILT_LEN: usize = 28;

/// Longest DEVICE-TYPE / CONNECT / ASSOCIATE name we accept (RFC 2355 allows LU names of
/// up to 8 characters and device types of a few dozen; longer values are rejected).
pub const MAX_NAME_LEN: usize = 64;
/// Bound on FUNCTIONS REQUEST rounds before the negotiation is declared failed.
pub const MAX_FUNCTION_ROUNDS: u8 = 8;
