//! The byte stream under a host connection: TCP connect with a deadline and named failures,
//! and [`Stream`], plain or TLS, which can be upgraded in place for telnet START-TLS.
//!
//! Owns: address resolution and TCP connect, the plain/TLS switch. Does not own telnet or
//! the handshake rules (see [`crate::tls::TlsClient`]).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::UpstreamError;
use crate::tls::{Rewind, TlsClient, TlsError};

/// Anything a host connection can run over besides TCP (an in-process host, a test duplex).
pub trait UpstreamIo: AsyncRead + AsyncWrite + Unpin + Send + 'static {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> UpstreamIo for T {}

/// A TCP stream that first yields bytes already read from it (the bytes after START-TLS
/// FOLLOWS that belong to the TLS layer).
pub(crate) type Prefixed = Rewind<TcpStream>;

/// The connection's stream.
pub(crate) enum Stream {
    /// Telnet in clear.
    Plain(Prefixed),
    /// Telnet over TLS (implicit, or after START-TLS).
    Tls(Box<tokio_rustls::client::TlsStream<Prefixed>>),
    /// A caller-provided stream.
    Other(Box<dyn UpstreamIo>),
    /// Transient state while upgrading.
    Upgrading,
}

impl Stream {
    pub(crate) fn plain(tcp: TcpStream) -> Stream {
        Stream::Plain(Rewind::new(Vec::new(), tcp))
    }

    /// Runs the TLS handshake over the plain stream; `leftover` are bytes already read that
    /// belong to TLS. On failure the stream is left unusable ([`Stream::Upgrading`]).
    pub(crate) async fn upgrade(
        &mut self,
        tls: &TlsClient,
        leftover: &[u8],
        timeout: Duration,
    ) -> Result<(), UpstreamError> {
        let Stream::Plain(mut plain) = std::mem::replace(self, Stream::Upgrading) else {
            return Err(UpstreamError::Tls(TlsError::Other(
                "TLS requested on a stream that is not plain TCP".into(),
            )));
        };
        plain.set_prefix(leftover.to_vec());
        let stream = tokio::time::timeout(timeout, tls.handshake(plain))
            .await
            .map_err(|_| UpstreamError::TlsTimeout { after: timeout })??;
        *self = Stream::Tls(Box::new(stream));
        Ok(())
    }

    pub(crate) fn is_tls(&self) -> bool {
        matches!(self, Stream::Tls(_))
    }
}

/// Resolves `host` and connects to the first address that answers, within `timeout`.
pub(crate) async fn connect_tcp(
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<TcpStream, UpstreamError> {
    let target = format!("{host}:{port}");
    let attempt = async {
        let addrs: Vec<_> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| UpstreamError::Dns {
                host: host.to_owned(),
                detail: e.to_string(),
            })?
            .collect();
        if addrs.is_empty() {
            return Err(UpstreamError::Dns {
                host: host.to_owned(),
                detail: "no address".into(),
            });
        }
        let mut refused = false;
        let mut last = String::new();
        for addr in addrs {
            match TcpStream::connect(addr).await {
                Ok(tcp) => {
                    // Records are small and interactive: do not wait to coalesce them.
                    let _ = tcp.set_nodelay(true);
                    return Ok(tcp);
                }
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => refused = true,
                Err(e) => last = e.to_string(),
            }
        }
        Err(if refused && last.is_empty() {
            UpstreamError::Refused {
                target: target.clone(),
            }
        } else {
            UpstreamError::Unreachable {
                target: target.clone(),
                detail: last,
            }
        })
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(UpstreamError::ConnectTimeout {
            target,
            after: timeout,
        }),
    }
}

fn not_connected() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotConnected,
        "stream lost during a TLS upgrade",
    )
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Stream::Other(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Stream::Upgrading => Poll::Ready(Err(not_connected())),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Stream::Other(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Stream::Upgrading => Poll::Ready(Err(not_connected())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Stream::Other(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Stream::Upgrading => Poll::Ready(Err(not_connected())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Stream::Other(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Stream::Upgrading => Poll::Ready(Ok(())),
        }
    }
}
