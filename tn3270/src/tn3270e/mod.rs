//! # tn3270e — TN3270E (RFC 2355) and the TN3270 session state machines
//!
//! Owns: the TN3270E message header ([`Header`], [`DataType`]), the FUNCTIONS set
//! ([`FunctionSet`]), DEVICE-TYPE reject reasons ([`ReasonCode`]), responses
//! ([`Response`]), the screen sizes of a BIND image ([`BindImage`]), and the two sans-IO
//! connection state machines that combine the [`crate::telnet`] layer with TN3270E:
//! [`ClientConnection`] (terminal side, towards a mainframe) and [`HostConnection`] (host
//! side, towards x3270/s3270/PCOMM). Plain TN3270 (RFC 1576: TERMINAL-TYPE, EOR, BINARY;
//! RFC 1646 `TYPE@LU`) is the fallback when either side refuses TN3270E.
//!
//! Does not own: the meaning of record payloads (3270 data stream: [`crate::datastream`],
//! [`crate::input`]), sockets, TLS, timers. Keepalive timing belongs to the IO layer,
//! which calls [`ClientConnection::send_timing_mark`] / `send_nop`.
//!
//! ## Using a connection (both sides)
//! 1. `feed(&bytes_from_peer)` — returns how many bytes were consumed. This is all of
//!    them, except right after [`Event::StartTls`]: the rest belongs to the TLS handshake.
//! 2. `poll_event()` until `None`: [`Event`]s in arrival order.
//! 3. `take_output()` and write it to the peer (negotiation answers, responses, records).
//! 4. Senders (`send_record`, `send_response`, `send_nvt`, ...) append to the output.
//!
//! ```
//! use tn3270::tn3270e::{ClientConfig, ClientConnection, DataType, Event};
//!
//! let mut conn = ClientConnection::new(ClientConfig {
//!     lu: Some("LU001".into()),
//!     ..ClientConfig::default()
//! });
//! // Bytes from the host: IAC DO TN3270E, IAC SB TN3270E SEND DEVICE-TYPE IAC SE.
//! conn.feed(&[0xff, 0xfd, 0x28, 0xff, 0xfa, 0x28, 0x08, 0x02, 0xff, 0xf0]);
//! while let Some(event) = conn.poll_event() {
//!     match event {
//!         Event::Record { header, data } => { /* apply to the screen, then conn.recycle(data) */ }
//!         Event::Bind(bind) => { /* resize to bind.default_size / bind.alternate_size */ }
//!         _ => {}
//!     }
//! }
//! let to_host = conn.take_output(); // IAC WILL TN3270E, DEVICE-TYPE REQUEST ... CONNECT LU001
//! assert_eq!(&to_host[..3], [0xff, 0xfb, 0x28]);
//! // Once in 3270 mode: conn.send_record(DataType::Data3270, &inbound_record)
//! ```
//!
//! Records are delivered as owned `Vec<u8>`: the parser's buffer is moved out (no copy);
//! the TN3270E header is parsed into [`Header`] and removed in place. Handing the buffer
//! back with `recycle(buf)` after use, and writing output with `pending_output()` +
//! `consume_output(n)` instead of `take_output()`, makes steady state allocation-free.
//!
//! ## Behaviour matching s3270 4.1 (observed with `s3270 -trace`)
//! - ATTN: `IAC IP` in TN3270E mode, `IAC BREAK` in plain TN3270.
//! - SYSREQ: `IAC AO` when the SYSREQ function is agreed (and the LU-LU/SSCP-LU state
//!   toggles locally, as x3270 does); otherwise the Test Request Read record
//!   `01 6C 61 02` + IAC EOR.
//! - `DO TIMING-MARK` is answered `WONT TIMING-MARK` without changing state.
//! - `DO START-TLS` is answered `WILL START-TLS` immediately followed by
//!   `SB START-TLS FOLLOWS SE`; TLS starts once the peer's FOLLOWS arrives.
//! - NEW-ENVIRON `SEND` (empty list) is answered with `IS VAR "USER" VALUE "..."` (and
//!   `USERVAR "DEVNAME"` when configured).
//! - A positive response (`RESPONSE`, flag POSITIVE, data `00` Device End, same sequence
//!   number) is sent for 3270-DATA/SCS-DATA flagged ALWAYS-RESPONSE when RESPONSES is
//!   agreed and [`ClientConfig::auto_respond`] is on.
//! - Sequence numbers of records we send start at 0 and count up (wrapping after
//!   [`consts::MAX_SEQ`]) when RESPONSES is agreed; they are 0 otherwise.
//!
//! ## Deviations / tolerance
//! - 3270-DATA received while unbound (BIND-IMAGE agreed, no BIND yet) is delivered and
//!   moves the session to LU-LU; s3270 drops it.
//! - IAC EOR outside 3270 mode still delivers the bytes before it as a plain record.
//! - Functions 5 (CONTENTION-RESOLUTION) and 6 (SNA-SENSE) are not in RFC 2355; they come
//!   from the TN3270E enhancements draft with x3270's numbering and are only negotiated
//!   when configured.

mod connection;
pub mod consts;

pub use connection::{
    ClientConfig, ClientConnection, DeviceName, DevicePolicy, Event, HostConfig, HostConnection,
    Mode, SendError, Session,
};

use crate::screen::ScreenSize;
use crate::telnet::TelnetError;
use consts::*;

/// Errors reported as [`Event::Error`]. None of them stops the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// A telnet-layer error (over-long record or subnegotiation, bad subnegotiation).
    Telnet(TelnetError),
    /// A TN3270E record shorter than the 5-byte header.
    BadHeader,
    /// A TN3270E record with an unknown DATA-TYPE byte.
    UnknownDataType(u8),
    /// A BIND-IMAGE record that is not a BIND RU.
    BadBind,
    /// A malformed or unexpected TN3270E subnegotiation.
    BadTn3270eSubnegotiation,
    /// A malformed TERMINAL-TYPE subnegotiation.
    BadTerminalType,
    /// FUNCTIONS negotiation failed (peer insisted on functions we did not offer, or too
    /// many rounds); TN3270E is abandoned for plain TN3270.
    FunctionsNotAgreed,
    /// A record that this side never expects (e.g. a BIND-IMAGE sent by a client).
    UnexpectedRecord(DataType),
}

/// DATA-TYPE of the TN3270E header (RFC 2355 §8.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DataType {
    /// 3270-DATA (0x00).
    Data3270,
    /// SCS-DATA (0x01), printer data.
    ScsData,
    /// RESPONSE (0x02).
    Response,
    /// BIND-IMAGE (0x03).
    BindImage,
    /// UNBIND (0x04).
    Unbind,
    /// NVT-DATA (0x05).
    NvtData,
    /// REQUEST (0x06).
    Request,
    /// SSCP-LU-DATA (0x07).
    SscpLuData,
    /// PRINT-EOJ (0x08).
    PrintEoj,
}

impl DataType {
    /// All data types, in code order.
    pub const ALL: [DataType; 9] = [
        DataType::Data3270,
        DataType::ScsData,
        DataType::Response,
        DataType::BindImage,
        DataType::Unbind,
        DataType::NvtData,
        DataType::Request,
        DataType::SscpLuData,
        DataType::PrintEoj,
    ];

    /// The wire code.
    pub fn byte(self) -> u8 {
        match self {
            DataType::Data3270 => 0x00,
            DataType::ScsData => 0x01,
            DataType::Response => 0x02,
            DataType::BindImage => 0x03,
            DataType::Unbind => 0x04,
            DataType::NvtData => 0x05,
            DataType::Request => 0x06,
            DataType::SscpLuData => 0x07,
            DataType::PrintEoj => 0x08,
        }
    }

    /// Parse a wire code.
    pub fn from_byte(b: u8) -> Option<DataType> {
        DataType::ALL.into_iter().find(|d| d.byte() == b)
    }
}

/// The 5-byte TN3270E message header: DATA-TYPE, REQUEST-FLAG, RESPONSE-FLAG,
/// SEQ-NUMBER (big-endian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Header {
    /// What the record carries.
    pub data_type: DataType,
    /// REQUEST-FLAG (only ERR-COND-CLEARED is defined, for [`DataType::Request`]).
    pub request_flag: u8,
    /// RESPONSE-FLAG: NO/ERROR/ALWAYS-RESPONSE for data, POSITIVE/NEGATIVE for responses.
    pub response_flag: u8,
    /// SEQ-NUMBER.
    pub seq: u16,
}

impl Header {
    /// A header with both flags 0.
    pub fn new(data_type: DataType, seq: u16) -> Header {
        Header {
            data_type,
            request_flag: 0,
            response_flag: 0,
            seq,
        }
    }

    /// Parse the first [`consts::HEADER_LEN`] bytes of `record`.
    pub fn parse(record: &[u8]) -> Result<Header, Error> {
        let Some(&[dt, request_flag, response_flag, hi, lo]) = record.first_chunk::<HEADER_LEN>()
        else {
            return Err(Error::BadHeader);
        };
        let data_type = DataType::from_byte(dt).ok_or(Error::UnknownDataType(dt))?;
        Ok(Header {
            data_type,
            request_flag,
            response_flag,
            seq: u16::from_be_bytes([hi, lo]),
        })
    }

    /// The wire form.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let [hi, lo] = self.seq.to_be_bytes();
        [
            self.data_type.byte(),
            self.request_flag,
            self.response_flag,
            hi,
            lo,
        ]
    }

    /// Whether a 3270-DATA/SCS-DATA record with this header asks for a response always.
    pub fn wants_always_response(&self) -> bool {
        matches!(self.data_type, DataType::Data3270 | DataType::ScsData)
            && self.response_flag == RSF_ALWAYS_RESPONSE
    }

    /// Whether a 3270-DATA/SCS-DATA record with this header asks for a response on error
    /// (ERROR-RESPONSE or ALWAYS-RESPONSE).
    pub fn wants_error_response(&self) -> bool {
        matches!(self.data_type, DataType::Data3270 | DataType::ScsData)
            && matches!(self.response_flag, RSF_ERROR_RESPONSE | RSF_ALWAYS_RESPONSE)
    }
}

/// A TN3270E function (RFC 2355 §7.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    /// BIND-IMAGE (0): the host sends BIND/UNBIND images.
    BindImage,
    /// DATA-STREAM-CTL (1).
    DataStreamCtl,
    /// RESPONSES (2): SNA responses via RESPONSE records.
    Responses,
    /// SCS-CTL-CODES (3), printers.
    ScsCtlCodes,
    /// SYSREQ (4): SYSREQ key via IAC AO.
    Sysreq,
    /// CONTENTION-RESOLUTION (5, TN3270E enhancements draft; x3270 numbering).
    ContentionResolution,
    /// SNA-SENSE (6, TN3270E enhancements draft; x3270 numbering).
    SnaSense,
}

impl Function {
    /// All known functions, in code order.
    pub const ALL: [Function; 7] = [
        Function::BindImage,
        Function::DataStreamCtl,
        Function::Responses,
        Function::ScsCtlCodes,
        Function::Sysreq,
        Function::ContentionResolution,
        Function::SnaSense,
    ];

    /// The wire code.
    pub fn byte(self) -> u8 {
        match self {
            Function::BindImage => 0,
            Function::DataStreamCtl => 1,
            Function::Responses => 2,
            Function::ScsCtlCodes => 3,
            Function::Sysreq => 4,
            Function::ContentionResolution => 5,
            Function::SnaSense => 6,
        }
    }
}

/// A set of TN3270E functions.
#[derive(Clone, Copy, PartialEq, Eq, Default, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FunctionSet(u8);

impl FunctionSet {
    /// No function.
    pub const EMPTY: FunctionSet = FunctionSet(0);
    /// What s3270 requests: BIND-IMAGE, RESPONSES, SYSREQ.
    pub const S3270: FunctionSet = FunctionSet(0b1_0101);

    /// A set of the given functions.
    pub fn of(functions: &[Function]) -> FunctionSet {
        functions.iter().fold(FunctionSet::EMPTY, |s, &f| s.with(f))
    }

    /// This set plus `f`.
    pub fn with(self, f: Function) -> FunctionSet {
        FunctionSet(self.0 | 1 << f.byte())
    }

    /// Whether `f` is in the set.
    pub fn contains(self, f: Function) -> bool {
        self.0 & 1 << f.byte() != 0
    }

    /// Functions in both sets.
    pub fn intersection(self, other: FunctionSet) -> FunctionSet {
        FunctionSet(self.0 & other.0)
    }

    /// Whether every function of `self` is in `other`.
    pub fn is_subset(self, other: FunctionSet) -> bool {
        self.0 & !other.0 == 0
    }

    /// Parse a list of function codes; unknown codes are dropped (they can never be in an
    /// intersection with ours).
    pub fn from_codes(codes: &[u8]) -> FunctionSet {
        codes
            .iter()
            .filter_map(|&c| Function::ALL.into_iter().find(|f| f.byte() == c))
            .fold(FunctionSet::EMPTY, FunctionSet::with)
    }

    /// The functions, in code order.
    pub fn iter(self) -> impl Iterator<Item = Function> {
        Function::ALL.into_iter().filter(move |&f| self.contains(f))
    }

    /// Append the function codes, in code order.
    pub fn write_codes(self, out: &mut Vec<u8>) {
        out.extend(self.iter().map(Function::byte));
    }
}

impl std::fmt::Debug for FunctionSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// DEVICE-TYPE REJECT reason codes (RFC 2355 §7.1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ReasonCode {
    /// CONN-PARTNER (0): the requested device is associated with another partner.
    ConnPartner,
    /// DEVICE-IN-USE (1).
    DeviceInUse,
    /// INV-ASSOCIATE (2).
    InvAssociate,
    /// INV-NAME (3): unknown device name.
    InvName,
    /// INV-DEVICE-TYPE (4).
    InvDeviceType,
    /// TYPE-NAME-ERROR (5): device type and name do not match.
    TypeNameError,
    /// UNKNOWN-ERROR (6).
    UnknownError,
    /// UNSUPPORTED-REQ (7).
    UnsupportedReq,
    /// A code not defined by RFC 2355.
    Other(u8),
}

impl ReasonCode {
    /// The wire code.
    pub fn byte(self) -> u8 {
        match self {
            ReasonCode::ConnPartner => 0,
            ReasonCode::DeviceInUse => 1,
            ReasonCode::InvAssociate => 2,
            ReasonCode::InvName => 3,
            ReasonCode::InvDeviceType => 4,
            ReasonCode::TypeNameError => 5,
            ReasonCode::UnknownError => 6,
            ReasonCode::UnsupportedReq => 7,
            ReasonCode::Other(b) => b,
        }
    }

    /// Parse a wire code.
    pub fn from_byte(b: u8) -> ReasonCode {
        match b {
            0 => ReasonCode::ConnPartner,
            1 => ReasonCode::DeviceInUse,
            2 => ReasonCode::InvAssociate,
            3 => ReasonCode::InvName,
            4 => ReasonCode::InvDeviceType,
            5 => ReasonCode::TypeNameError,
            6 => ReasonCode::UnknownError,
            7 => ReasonCode::UnsupportedReq,
            other => ReasonCode::Other(other),
        }
    }
}

/// Why a record is answered negatively (RFC 2355 §10.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum NegativeReason {
    /// COMMAND-REJECT (0x00): bad command.
    CommandReject,
    /// INTERVENTION-REQUIRED (0x01).
    InterventionRequired,
    /// OPERATION-CHECK (0x02): bad data in the record.
    OperationCheck,
    /// COMPONENT-DISCONNECTED (0x03).
    ComponentDisconnected,
}

impl NegativeReason {
    /// The response data byte.
    pub fn byte(self) -> u8 {
        match self {
            NegativeReason::CommandReject => NEG_COMMAND_REJECT,
            NegativeReason::InterventionRequired => NEG_INTERVENTION_REQUIRED,
            NegativeReason::OperationCheck => NEG_OPERATION_CHECK,
            NegativeReason::ComponentDisconnected => NEG_COMPONENT_DISCONNECTED,
        }
    }
}

/// A response to a 3270-DATA/SCS-DATA record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Response {
    /// Positive: Device End.
    Positive,
    /// Negative, with its reason.
    Negative(NegativeReason),
}

/// What a BIND image says about the screen (SNA BIND RU, PS usage field; the byte offsets
/// are in [`consts`]).
///
/// Screen-size byte (offset 24): `00`/`02` → 24×80 default and alternate; `03` → 24×80
/// default, alternate = the device's own size (`alternate: None`); `7E` → default and
/// alternate both from the default rows/cols bytes; `7F` → default and alternate from
/// their own bytes. Any other value, a short BIND, or zero rows/cols leave the sizes
/// `None` (the terminal keeps its configured model).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BindImage {
    /// Default (Erase/Write) screen size, when the BIND specifies one.
    pub default_size: Option<ScreenSize>,
    /// Alternate (Erase/Write Alternate) size; `None`: the device's own maximum.
    pub alternate_size: Option<ScreenSize>,
    /// Primary LU name, EBCDIC, at most [`consts::BIND_PLU_NAME_MAX`] bytes.
    pub plu_name: Vec<u8>,
    /// The whole BIND RU, for relaying.
    pub raw: Vec<u8>,
}

/// The fixed start of the BIND RU built by [`BindImage::encode`]: BIND (0x31), format 0 /
/// cold (0x01), FM profile 3 (0x03), TS profile 3 (0x03), primary protocols 0xB1,
/// secondary protocols 0x90, common protocols 0x30 0x80 — the values of a VTAM LU type 2
/// BIND as seen from TN3270 servers.
const BIND_TEMPLATE_PREFIX: [u8; 8] = [BIND_RU, 0x01, 0x03, 0x03, 0xb1, 0x90, 0x30, 0x80];

impl BindImage {
    /// Parse a BIND RU (the data of a BIND-IMAGE record).
    pub fn parse(ru: &[u8]) -> Result<BindImage, Error> {
        if ru.first() != Some(&BIND_RU) {
            return Err(Error::BadBind);
        }
        let size = |r: usize, c: usize| match (ru.get(r), ru.get(c)) {
            (Some(&rows), Some(&cols)) if rows > 0 && cols > 0 => Some(ScreenSize {
                rows: rows.into(),
                cols: cols.into(),
            }),
            _ => None,
        };
        let (default_size, alternate_size) = match ru.get(BIND_OFF_SCREEN_SIZE) {
            Some(&BIND_SIZE_DEFAULT_ONLY) | Some(&BIND_SIZE_24X80) => {
                (Some(ScreenSize::MODEL_2), Some(ScreenSize::MODEL_2))
            }
            Some(&BIND_SIZE_ALT_DEVICE) => (Some(ScreenSize::MODEL_2), None),
            Some(&BIND_SIZE_FROM_DEFAULT) => {
                let d = size(BIND_OFF_ROWS_DEFAULT, BIND_OFF_COLS_DEFAULT);
                (d, d)
            }
            Some(&BIND_SIZE_EXPLICIT) => (
                size(BIND_OFF_ROWS_DEFAULT, BIND_OFF_COLS_DEFAULT),
                size(BIND_OFF_ROWS_ALTERNATE, BIND_OFF_COLS_ALTERNATE),
            ),
            _ => (None, None),
        };
        let plu_len =
            usize::from(ru.get(BIND_OFF_PLU_NAME_LEN).copied().unwrap_or(0)).min(BIND_PLU_NAME_MAX);
        let plu_name = ru
            .get(BIND_OFF_PLU_NAME..)
            .unwrap_or_default()
            .iter()
            .take(plu_len)
            .copied()
            .collect();
        Ok(BindImage {
            default_size,
            alternate_size,
            plu_name,
            raw: ru.to_vec(),
        })
    }

    /// Build a minimal LU type 2 BIND RU announcing explicit default and alternate sizes
    /// (screen-size byte `7F`), for a host side that must bind a session. Sizes larger
    /// than 255 rows/cols are clamped to 255.
    pub fn encode(default: ScreenSize, alternate: ScreenSize) -> Vec<u8> {
        let b = |v: u16| u8::try_from(v).unwrap_or(u8::MAX);
        let mut ru = vec![0u8; BIND_BUILT_LEN];
        if let Some(prefix) = ru.get_mut(..BIND_TEMPLATE_PREFIX.len()) {
            prefix.copy_from_slice(&BIND_TEMPLATE_PREFIX);
        }
        for (off, val) in [
            (BIND_OFF_LU_TYPE, BIND_LU_TYPE_2),
            (BIND_OFF_ROWS_DEFAULT, b(default.rows)),
            (BIND_OFF_COLS_DEFAULT, b(default.cols)),
            (BIND_OFF_ROWS_ALTERNATE, b(alternate.rows)),
            (BIND_OFF_COLS_ALTERNATE, b(alternate.cols)),
            (BIND_OFF_SCREEN_SIZE, BIND_SIZE_EXPLICIT),
        ] {
            if let Some(slot) = ru.get_mut(off) {
                *slot = val;
            }
        }
        ru
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn header_parse_and_encode() {
        // 3270-DATA, no request flag, ALWAYS-RESPONSE, sequence 0x0102
        let h = Header::parse(&[0x00, 0x00, 0x02, 0x01, 0x02, 0xf5]).unwrap();
        assert_eq!(h.data_type, DataType::Data3270);
        assert_eq!(h.response_flag, RSF_ALWAYS_RESPONSE);
        assert_eq!(h.seq, 0x0102);
        assert!(h.wants_always_response());
        assert_eq!(h.encode(), [0x00, 0x00, 0x02, 0x01, 0x02]);
        assert_eq!(Header::parse(&[0x00, 0x00]), Err(Error::BadHeader));
        assert_eq!(
            Header::parse(&[0x42, 0, 0, 0, 0]),
            Err(Error::UnknownDataType(0x42))
        );
    }

    #[test]
    fn function_set_codes() {
        let s = FunctionSet::from_codes(&[0x00, 0x02, 0x04, 0x63]);
        assert_eq!(s, FunctionSet::S3270);
        let mut out = Vec::new();
        s.write_codes(&mut out);
        assert_eq!(out, [0x00, 0x02, 0x04]);
        let host = FunctionSet::of(&[Function::Responses, Function::Sysreq]);
        assert_eq!(
            s.intersection(host),
            FunctionSet::of(&[Function::Responses, Function::Sysreq])
        );
        assert!(host.is_subset(s));
        assert!(!s.is_subset(host));
    }

    /// A BIND as a host would send it, offset by offset.
    fn bind(size_byte: u8, rd: u8, cd: u8, ra: u8, ca: u8) -> Vec<u8> {
        let mut b = vec![0u8; 31];
        b[0] = 0x31; // BIND RU
        b[14] = 0x02; // LU type 2
        b[20] = rd; // default rows
        b[21] = cd; // default cols
        b[22] = ra; // alternate rows
        b[23] = ca; // alternate cols
        b[24] = size_byte; // screen size control
        b[27] = 3; // PLU name length
        b[28..31].copy_from_slice(&[0xc1, 0xc2, 0xc3]); // "ABC" in EBCDIC
        b
    }

    #[test]
    fn bind_image_screen_sizes() {
        let m2 = ScreenSize::MODEL_2;
        let m5 = ScreenSize::MODEL_5;
        let b = BindImage::parse(&bind(0x7f, 24, 80, 27, 132)).unwrap();
        assert_eq!((b.default_size, b.alternate_size), (Some(m2), Some(m5)));
        assert_eq!(b.plu_name, [0xc1, 0xc2, 0xc3]);
        let b = BindImage::parse(&bind(0x7e, 43, 80, 0, 0)).unwrap();
        let m4 = Some(ScreenSize::MODEL_4);
        assert_eq!((b.default_size, b.alternate_size), (m4, m4));
        let b = BindImage::parse(&bind(0x03, 0, 0, 0, 0)).unwrap();
        assert_eq!((b.default_size, b.alternate_size), (Some(m2), None));
        let b = BindImage::parse(&bind(0x02, 0, 0, 0, 0)).unwrap();
        assert_eq!((b.default_size, b.alternate_size), (Some(m2), Some(m2)));
        // Explicit sizes of zero are not sizes.
        let b = BindImage::parse(&bind(0x7f, 0, 80, 27, 132)).unwrap();
        assert_eq!((b.default_size, b.alternate_size), (None, Some(m5)));
        // Short BIND: no sizes, still a BIND.
        let b = BindImage::parse(&[0x31, 0x01]).unwrap();
        assert_eq!((b.default_size, b.alternate_size), (None, None));
        assert_eq!(BindImage::parse(&[0x32]), Err(Error::BadBind));
        assert_eq!(BindImage::parse(&[]), Err(Error::BadBind));
        // Our encoder round-trips.
        let b = BindImage::parse(&BindImage::encode(m2, m5)).unwrap();
        assert_eq!((b.default_size, b.alternate_size), (Some(m2), Some(m5)));
    }

    proptest! {
        #[test]
        fn header_round_trip(dt in 0usize..9, rq: u8, rs: u8, seq: u16) {
            let h = Header { data_type: DataType::ALL[dt], request_flag: rq, response_flag: rs, seq };
            prop_assert_eq!(Header::parse(&h.encode()), Ok(h));
        }

        #[test]
        fn bind_parse_never_panics(ru in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = BindImage::parse(&ru);
        }
    }
}
