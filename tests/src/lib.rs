//! # web3270-tests — the harness that runs real TN3270 peers on loopback
//!
//! Integration tests in `tests/tests/*.rs` use this library to start other people's TN3270
//! software on 127.0.0.1, drive it, and read back what a user (or the host) would see. The
//! peers and their quirks are described in `docs/TESTING.md` and the shared `PEERS.md`.
//!
//! ## Map of the crate
//! | module | role |
//! |---|---|
//! | [`driver`] | [`Driver`]: our own `tn3270` terminal on a loopback socket, driven like an s3270 script, logging what it sent |
//! | [`error`] | [`HarnessError`]: what went wrong, with the peer's log attached |
//! | [`artifacts`] | [`TestDir`]: one directory per test for configs, logs, scripts and traces |
//! | [`ports`] | [`free_port`]: loopback ports not handed out twice in one process |
//! | [`process`] | [`ProcessGuard`]: a child in its own process group, stopped (SIGTERM, then SIGKILL) on drop |
//! | [`hercules`] | [`Hercules`]: the Hercules emulator's built-in TN3270 console server (plain TN3270) |
//! | [`mfmock`] | [`MfMock`]: mainframe-mocker serving our test applications (`tests/hosts/*.py`), TN3270E or plain |
//! | [`s3270`] | [`S3270`]: the s3270 client as an oracle: runs a [`Script`] of actions, returns parsed replies |
//! | [`fixtures`] | the recorded s3270 sessions in `tests/fixtures/traces/` and how to re-record them |
//! | [`tnz`] | [`tnz::run_tnz`]: IBM's tnz as a second client, through driver scripts in `tests/hosts/` |
//! | [`trace`] | parsers for s3270 trace files and mfmock's `--trace` hex dumps: the bytes each side sent |
//!
//! ## What this crate does not do
//! It never decodes the 3270 data stream itself beyond splitting telnet records for assertions:
//! decoding is the job of the `tn3270` crate under test, and s3270 is the oracle.
//!
//! ## Error strategy
//! Every fallible function returns `Result<_, HarnessError>`; tests unwrap, and the error's
//! `Display` carries the tail of the relevant log so a CI failure explains itself.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod artifacts;
pub mod driver;
pub mod error;
pub mod fixtures;
pub mod hercules;
pub mod mfmock;
pub mod ports;
pub mod process;
pub mod s3270;
pub mod tnz;
pub mod trace;

pub use artifacts::TestDir;
pub use driver::Driver;
pub use error::HarnessError;
pub use hercules::Hercules;
pub use mfmock::{MfMock, MfMockApp, MfMockOptions};
pub use ports::free_port;
pub use process::ProcessGuard;
pub use s3270::{Script, Snapshot, S3270};

/// The workspace root (the directory holding the top-level `Cargo.toml`).
pub fn workspace_root() -> std::path::PathBuf {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}
