//! web3270's browser terminal (wasm). The renderer, keyboard and websocket client arrive with
//! the web client issue; for now this crate only proves that `tn3270` links for wasm32.
#![forbid(unsafe_code)]

pub use tn3270;
