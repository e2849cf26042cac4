//! # demo — the embedded demo host
//!
//! A small but real 3270 application served by the host side of the core: what a newcomer
//! sees first when the bridge has no configured endpoint, and what `web3270 demo-host --port
//! N` serves on its own. See `docs/DEMO-HOST.md` for the screens and keys.
//!
//! | module | role |
//! |---|---|
//! | [`app`] | [`DemoApp`]: the application, sans-IO — inbound 3270 records in, outbound records out; terminal size and capabilities ([`TerminalInfo`]), screen state machine, validation |
//! | `screens` | every screen as builder calls (ScreenBuilder, SF/SFE/SA/SBA/IC orders) |
//! | `query` | reading the terminal's Query Reply: Usable Area, Implicit Partition, Color, Highlighting, Field Validation, Field Outlining |
//! | [`session`] | [`DemoSession`]: one connection, sans-IO — `tn3270::tn3270e::HostConnection` negotiation (TN3270E offered, plain TN3270 fallback) driving a [`DemoApp`] |
//! | [`server`] | tokio: [`serve`], [`serve_with`], [`run_standalone`]; limits, timeouts, shutdown |
//!
//! Specs: GA23-0059 (3270 data stream: ch. 3–4 commands and orders, §5.34 Read Partition,
//! ch. 6 Query Replies), RFC 1576 (TN3270), RFC 2355 (TN3270E).
//!
//! Error strategy: nothing here fails on peer input. Malformed records become a message on
//! the screen (see [`app`]); telnet-level garbage is dropped by the core and logged at debug
//! level; IO errors end only their own connection.

pub mod app;
mod query;
mod screens;
pub mod server;
pub mod session;

pub use app::{DemoApp, Output, Protocol, ScreenId, TerminalInfo};
pub use server::{run_standalone, run_standalone_blocking, serve, serve_with, DemoConfig};
pub use session::DemoSession;

#[cfg(test)]
mod tests;
