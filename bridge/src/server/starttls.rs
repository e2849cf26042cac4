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
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_rustls::TlsAcceptor;

use super::tls_listener::{handshake_cause, ClientStream, HANDSHAKE_TIMEOUT};

/// A stream that yields `prefix` before reading from `inner`; writes go to `inner`.
#[derive(Debug)]
pub struct Rewind<S> {
    prefix: Vec<u8>,
    /// Bytes of `prefix` already read.
    pos: usize,
    inner: S,
}

impl<S> Rewind<S> {
    /// `inner`, with `prefix` to be read first.
    pub fn new(prefix: Vec<u8>, inner: S) -> Rewind<S> {
        Rewind {
            prefix,
            pos: 0,
            inner,
        }
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Rewind<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let rest = this.prefix.get(this.pos..).unwrap_or_default();
        if !rest.is_empty() {
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            this.pos += n;
            if this.pos == this.prefix.len() {
                this.prefix = Vec::new();
                this.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Rewind<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn rewind_reads_the_prefix_then_the_stream() {
        let (mut a, b) = tokio::io::duplex(64);
        tokio::io::AsyncWriteExt::write_all(&mut a, b"def")
            .await
            .unwrap();
        drop(a);
        let mut r = Rewind::new(b"abc".to_vec(), b);
        let mut small = [0u8; 2];
        r.read_exact(&mut small).await.unwrap();
        assert_eq!(&small, b"ab");
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, b"cdef");
    }
}
