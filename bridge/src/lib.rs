//! # bridge — the web3270 server and its tools
//!
//! | module | role |
//! |---|---|
//! | [`demo`] | the embedded demo host: a small 3270 application (logon, menu, colours, form, screen sizes) and its TN3270 server, `web3270 demo-host` |
//! | [`replay`] | `web3270 replay`: a recorded host stream through the client side of the core, printed as s3270's `Ascii()` or JSON |
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod demo;
pub mod replay;
