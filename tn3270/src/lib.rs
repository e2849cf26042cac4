//! # tn3270 — the sans-IO TN3270/TN3270E protocol core of web3270
//!
//! Bytes in, events and bytes out: no sockets, no clocks, no async runtime. The same crate
//! runs in the bridge (native) and in the browser (`wasm32-unknown-unknown`).
//!
//! ## Map of the crate (layered like the protocol)
//! | module | role | spec |
//! |---|---|---|
//! | [`telnet`] | IAC parsing across chunks, option negotiation (client and host side), IAC doubling, record framing at IAC EOR, NVT data | RFC 854, 855, 856 (BINARY), 885 (EOR), 1091 (TERMINAL-TYPE), 1572 (NEW-ENVIRON), 860 (TIMING-MARK), 1646 (`TYPE@LU`), RFC 1576 |
//! | [`tn3270e`] | DEVICE-TYPE/CONNECT/ASSOCIATE, FUNCTIONS intersection, the 5-byte header, data types, responses | RFC 2355 |
//! | [`address`] | 12/14/16-bit buffer address encodings | GA23-0059 §3.3.1 |
//! | [`aid`] | attention identifiers | GA23-0059 §3.5.6 |
//! | [`screen`] | the presentation space: cells, field and extended attributes, fields, cursor, sizes, keyboard lock, alarm, reply mode | GA23-0059 §3.1–3.4, §4.4 |
//! | [`datastream`] | outbound commands, WCC, orders, format controls applied to a [`screen::Screen`] | GA23-0059 ch. 3–4 |
//! | [`sf`] | structured fields and the Query Reply set | GA23-0059 ch. 5–6 |
//! | [`input`] | keyboard editing rules and inbound records (Read Modified, Read Buffer, short reads) | GA23-0059 §3.5, 3270 Information Display System Operator's reference |
//! | [`codepage`] | EBCDIC code pages with their CGCSGIDs, generated tables | IBM CDRA, Unicode/ICU mappings |
//! | [`builder`] | composing outbound data streams on the host side | GA23-0059 ch. 3–4 |
//! | [`terminal`] | the assembled terminal: model, connection, screen, keyboard, code page | s3270 option semantics for models |
//!
//! ## Deviations from the specifications and from x3270
//! Where GA23-0059 or the RFCs leave room, behaviour follows x3270/s3270 4.1, our conformance
//! oracle (checked byte for byte by the tests in `tests/` and `bridge/tests/`). Each module
//! lists its own deviations; in short:
//! - [`telnet`] (§ "Behaviour on malformed input"): over-long records and subnegotiations are
//!   dropped up to the next IAC EOR / IAC SE with an error event; refused options stay refused
//!   (RFC 1143), so negotiation cannot loop.
//! - [`tn3270e`] (§ "Deviations / tolerance"): 3270-DATA while unbound is accepted; after a
//!   DEVICE-TYPE REJECT the client falls back to plain TN3270 at once; a 3279 asks for the
//!   3278 device type of its model, as x3270 does.
//! - [`datastream`] (§ "Deviations and tolerance"): a truncated order or an address past the
//!   buffer stops the write (what was applied stays, IC/restore/alarm still happen, as x3270);
//!   unknown orders are skipped; highlighting and transparency are stored as sent; SO/SI are
//!   stored without DBCS checks.
//! - [`sf`] (§ "Deviations and tolerance"): no DDM (file transfer) query reply; Create
//!   Partition is refused; Erase/Reset also resets the reply mode.
//! - [`input`] (§ "Deviations from x3270"): mandatory fill, mandatory entry and trigger fields
//!   (extended attribute X'C1') are enforced per GA23-0059 (x3270 ignores them).
//! - [`codepage`] (§ "Deviations from the vendor tables"): where s3270 shows a different
//!   printable character than the vendor table, ours follows s3270; cp924 is derived from
//!   cp1047 + ISO 8859-15 (no shipped table had it).
//! - [`terminal`]: NVT data is passed on as events, not drawn on the 3270 screen; SCS/printer
//!   data types are ignored (a display terminal).
//!
//! ## Error strategy
//! Every parser returns a concrete error enum of its layer on the hot path; malformed data
//! from a peer either becomes such an error or a documented tolerant behaviour (the way a
//! real terminal or x3270 behaves), and the parser keeps going. Nothing here panics on input,
//! loops without consuming input, or grows a buffer past a named limit.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod address;
pub mod aid;
pub mod builder;
pub mod codepage;
pub mod datastream;
#[doc(hidden)]
pub mod fuzzing;
pub mod input;
pub mod screen;
pub mod sf;
pub mod telnet;
pub mod terminal;
pub mod tn3270e;
