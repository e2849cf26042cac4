//! What the bridge's integration tests share: a bridge on loopback, a raw HTTP/1.1 client, a
//! websocket client and the "browser" built on it, a capture of the bridge's logs, and the
//! comparison helpers of the s3270/mfmock oracle tests.
//!
//! - [`spawn`]: [`demo_config`]; [`start`] runs `bridge::server::run` as a task of the
//!   test's runtime, [`start_in_thread`] in a thread of its own (for tests whose peers block,
//!   as s3270 does); a standalone [`DemoHost`]; [`ServeProcess`], the `web3270 serve` binary.
//! - [`http`]: [`request`] and [`get`], one HTTP/1.1 request written by hand so a test sees
//!   exactly the status, headers and body the bridge sends; [`parse_head`] and
//!   [`round_trip`] for tests that write or read the bytes themselves.
//! - [`ws`]: the websocket (`/ws`, `web3270.v1`) over TCP or TLS: connecting, reading
//!   within [`WAIT`], the `hello` message, refusals.
//! - [`browser`]: [`Browser`], the websocket plus the core's record-mode `Terminal`,
//!   answering the host as the web client does.
//! - [`logs`]: [`LogCapture`], the bridge's `tracing` output in this test binary.
//! - [`oracle`]: comparing with s3270 (the oracle): its logon to the demo host, and what
//!   differs per connection in mainframe-mocker's screens and records, masked.
//!
//! A test file declares `mod support;` and `use support::*;`. `security_support` mounts this
//! module too and adds the security tests' own vocabulary (`tests/auth.rs`).
//!
//! Waits: every "within" is [`WAIT`], generous because CI machines are slow and shared; a
//! test that must not wait that long says its own limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]
#![allow(unused_imports)]

pub mod browser;
pub mod http;
pub mod logs;
pub mod oracle;
pub mod spawn;
pub mod ws;

use std::time::Duration;

pub use browser::*;
pub use http::*;
pub use logs::*;
pub use oracle::*;
pub use spawn::*;
pub use ws::*;

/// The longest any one thing (a listener getting ready, a message, an answer, a condition
/// polled for) is waited for.
pub const WAIT: Duration = Duration::from_secs(20);
