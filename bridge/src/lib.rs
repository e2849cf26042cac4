//! # bridge — the web3270 server and its tools
//!
//! | module | role |
//! |---|---|
//! | [`replay`] | `web3270 replay`: a recorded host stream through the client side of the core, printed as s3270's `Ascii()` or JSON |
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod replay;
