//! START-TLS on the TN3270 port (`tls.tn3270_mode: starttls`): the telnet START-TLS option
//! (option 46, as x3270 and z/OS TN3270 servers speak it) turns a plain connection into TLS in
//! the middle of the telnet negotiation. The protocol side is the core's
//! (`tn3270::tn3270e::HostConnection` with `start_tls`); this module swaps the socket: it runs
//! the server handshake of the `tls:` section on the client's TCP connection, first replaying
//! the bytes already read past the client's `FOLLOWS` (the start of its ClientHello, when it
//! came in the same segment).
//!
//! Not here: when to upgrade and what a client that refuses TLS is told (`crate::native`).

use std::io;

use tokio_rustls::TlsAcceptor;

use super::tls_listener::{handshake_cause, ClientStream, HANDSHAKE_TIMEOUT};
use crate::tls::Rewind;

/// Why a START-TLS upgrade failed.
#[derive(Debug)]
pub enum UpgradeError {
    /// The connection is not a plain TCP one (already TLS, or gone).
    NotPlain,
    /// The handshake failed: its cause code (`TLS_PROTOCOL_VERSION`, ...) and error.
    Handshake(&'static str, io::Error),
    /// No handshake within [`HANDSHAKE_TIMEOUT`].
    Timeout,
}

impl UpgradeError {
    /// The stable code for the log.
    pub fn code(&self) -> &'static str {
        match self {
            UpgradeError::NotPlain => "TLS_NOT_PLAIN",
            UpgradeError::Handshake(cause, _) => cause,
            UpgradeError::Timeout => "TLS_HANDSHAKE_TIMEOUT",
        }
    }
}

impl std::fmt::Display for UpgradeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UpgradeError::NotPlain => write!(f, "START-TLS on a connection that is not plain TCP"),
            UpgradeError::Handshake(cause, e) => write!(f, "TLS handshake failed ({cause}): {e}"),
            UpgradeError::Timeout => write!(f, "no TLS handshake within {HANDSHAKE_TIMEOUT:?}"),
        }
    }
}

/// Runs the server handshake of `acceptor` on `stream` (plain TCP), reading `prefix` first.
/// On failure the connection is gone.
pub async fn upgrade(
    stream: ClientStream,
    prefix: Vec<u8>,
    acceptor: &TlsAcceptor,
) -> Result<ClientStream, UpgradeError> {
    let ClientStream::Plain(tcp) = stream else {
        return Err(UpgradeError::NotPlain);
    };
    let handshake = acceptor.accept(Rewind::new(prefix, tcp));
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await {
        Ok(Ok(tls)) => Ok(ClientStream::StartTls(Box::new(tls))),
        Ok(Err(error)) => Err(UpgradeError::Handshake(handshake_cause(&error), error)),
        Err(_) => Err(UpgradeError::Timeout),
    }
}
