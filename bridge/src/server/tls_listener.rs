//! The bridge's listening sockets, plain or TLS: [`BridgeListener`] accepts TCP connections
//! on `server.api_port` (HTTP/HTTPS, websocket/wss) and `server.port` (TN3270, or TN3270 over
//! implicit TLS as on port 992) and hands out [`ClientStream`]s with their [`ConnectionInfo`].
//!
//! Owns:
//! - accepting with the TLS acceptor of the `tls:` section ([`Acceptor`], reloadable:
//!   [`super::tls_reload`]; ALPN `http/1.1` on the HTTP port), each connection with the
//!   certificate in use when it arrives;
//! - handshakes off the accept loop: each runs in its own task within [`HANDSHAKE_TIMEOUT`],
//!   at most [`MAX_HANDSHAKES`] at once (beyond that the loop waits, so the kernel backlog
//!   pushes back); a failed handshake logs its named cause ([`handshake_cause`]: a
//!   [`crate::tls::TlsError`] code, e.g. `TLS_PROTOCOL_VERSION` for a client below
//!   `tls.min_version`, `TLS_PROTOCOL_ERROR` for plain HTTP or telnet on a TLS port, or a
//!   client-certificate cause of mutual TLS) and only that connection is dropped;
//! - [`ConnectionInfo`] (peer address, whether the connection arrived over TLS), given to HTTP
//!   handlers as a request extension together with axum's `ConnectInfo<SocketAddr>`
//!   ([`with_connection_info`]).
//!
//! Does not own: what runs over the connections ([`super::http`], [`crate::native`]), the
//! certificates and their errors ([`crate::tls`]).
//!
//! Specs: TLS 1.2 (RFC 5246), TLS 1.3 (RFC 8446), ALPN (RFC 7301); TN3270 over TLS on a
//! dedicated port ("telnets", port 992, RFC 2355 §3 leaves the transport to telnet).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
use tokio_rustls::server::TlsStream;

pub use super::tls_reload::Acceptor;
use crate::tls::{Rewind, TlsError};

/// How long a client has to complete the TLS handshake after connecting.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Most TLS handshakes in progress on one listener.
pub const MAX_HANDSHAKES: usize = 256;
/// Connections that completed their handshake and wait for the server to take them.
const READY_QUEUE: usize = 64;
/// Pause after a failed `accept` (e.g. out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// The ALPN protocol the HTTP port offers: HTTP/1.1 only, so websockets upgrade the usual
/// way (RFC 6455; no RFC 8441 extended CONNECT over HTTP/2).
pub const ALPN_HTTP1: &[u8] = b"http/1.1";

/// What a handler may know about the connection a request or session arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// The client's address.
    pub peer: SocketAddr,
    /// Whether the connection is TLS (HTTPS/wss, or TN3270 over TLS).
    pub tls: bool,
}

/// A client connection: plain TCP or TLS over TCP.
#[derive(Debug)]
pub enum ClientStream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS (the handshake is done).
    Tls(Box<TlsStream<TcpStream>>),
    /// TLS after telnet START-TLS on a plain connection ([`super::starttls`]).
    StartTls(Box<TlsStream<Rewind<TcpStream>>>),
    /// No connection any more (a START-TLS handshake failed): reads end, writes fail.
    Closed,
}

impl ClientStream {
    /// Whether this is a TLS connection.
    pub fn is_tls(&self) -> bool {
        matches!(self, ClientStream::Tls(_) | ClientStream::StartTls(_))
    }

    /// The client's address.
    pub fn peer_addr(&self) -> std::io::Result<SocketAddr> {
        match self {
            ClientStream::Plain(s) => s.peer_addr(),
            ClientStream::Tls(s) => s.get_ref().0.peer_addr(),
            ClientStream::StartTls(s) => s.get_ref().0.get_ref().peer_addr(),
            ClientStream::Closed => Err(io::ErrorKind::NotConnected.into()),
        }
    }
}

/// A listening socket that yields connections ready for the application: plain ones at
/// once, TLS ones after a successful handshake.
#[derive(Debug)]
pub struct BridgeListener {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Plain(TcpListener),
    Tls {
        local: SocketAddr,
        ready: mpsc::Receiver<(ClientStream, ConnectionInfo)>,
        /// The accept loop and its handshakes; dropped (aborted) with the listener.
        _tasks: JoinSet<()>,
    },
}

impl BridgeListener {
    /// A listener of plain TCP connections.
    pub fn plain(listener: TcpListener) -> BridgeListener {
        BridgeListener {
            inner: Inner::Plain(listener),
        }
    }

    /// A listener that runs the TLS handshake of `acceptor` on each connection; `what`
    /// names the listener in the log (`HTTP`, `TN3270`).
    pub fn tls(
        listener: TcpListener,
        acceptor: Acceptor,
        what: &'static str,
    ) -> io::Result<BridgeListener> {
        let local = listener.local_addr()?;
        let (tx, ready) = mpsc::channel(READY_QUEUE);
        let mut tasks = JoinSet::new();
        tasks.spawn(accept_loop(listener, acceptor, tx, what));
        Ok(BridgeListener {
            inner: Inner::Tls {
                local,
                ready,
                _tasks: tasks,
            },
        })
    }

    /// The next connection. Cancel-safe. Accept errors are logged and retried.
    pub async fn next(&mut self) -> (ClientStream, ConnectionInfo) {
        match &mut self.inner {
            Inner::Plain(listener) => loop {
                match listener.accept().await {
                    Ok((stream, peer)) => {
                        let _ = stream.set_nodelay(true);
                        return (
                            ClientStream::Plain(stream),
                            ConnectionInfo { peer, tls: false },
                        );
                    }
                    Err(error) => {
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                    }
                }
            },
            Inner::Tls { ready, .. } => match ready.recv().await {
                Some(conn) => conn,
                // The accept loop only ends when this receiver is gone: never yields again.
                None => std::future::pending().await,
            },
        }
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match &self.inner {
            Inner::Plain(listener) => listener.local_addr(),
            Inner::Tls { local, .. } => Ok(*local),
        }
    }

    /// Whether connections are TLS.
    pub fn is_tls(&self) -> bool {
        matches!(self.inner, Inner::Tls { .. })
    }
}

impl From<TcpListener> for BridgeListener {
    fn from(listener: TcpListener) -> BridgeListener {
        BridgeListener::plain(listener)
    }
}

impl axum::serve::Listener for BridgeListener {
    type Io = ClientStream;
    type Addr = ConnectionInfo;

    async fn accept(&mut self) -> (ClientStream, ConnectionInfo) {
        self.next().await
    }

    fn local_addr(&self) -> io::Result<ConnectionInfo> {
        Ok(ConnectionInfo {
            peer: BridgeListener::local_addr(self)?,
            tls: self.is_tls(),
        })
    }
}

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, BridgeListener>>
    for ConnectionInfo
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, BridgeListener>) -> Self {
        *stream.remote_addr()
    }
}

/// Middleware (`axum::middleware::from_fn`) for a router served with
/// `into_make_service_with_connect_info::<ConnectionInfo>()`: puts the [`ConnectionInfo`]
/// and axum's `ConnectInfo<SocketAddr>` into every request's extensions.
pub async fn with_connection_info(mut request: Request, next: Next) -> Response {
    if let Some(ConnectInfo(info)) = request
        .extensions()
        .get::<ConnectInfo<ConnectionInfo>>()
        .copied()
    {
        request.extensions_mut().insert(info);
        request.extensions_mut().insert(ConnectInfo(info.peer));
        if info.tls {
            // What the authentication guard reads (`require_https`, crate::auth::http).
            request
                .extensions_mut()
                .insert(crate::auth::http::TlsConnection);
        }
    }
    next.run(request).await
}

/// Accepts TCP connections and runs each handshake in its own task until `ready` closes.
async fn accept_loop(
    listener: TcpListener,
    acceptor: Acceptor,
    ready: mpsc::Sender<(ClientStream, ConnectionInfo)>,
    what: &'static str,
) {
    let handshakes = Arc::new(Semaphore::new(MAX_HANDSHAKES));
    let mut tasks = JoinSet::new();
    loop {
        let permit = tokio::select! {
            () = ready.closed() => return,
            permit = handshakes.clone().acquire_owned() => permit,
        };
        let Ok(permit) = permit else { return };
        let accepted = tokio::select! {
            () = ready.closed() => return,
            accepted = listener.accept() => accepted,
        };
        while tasks.try_join_next().is_some() {}
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(error) => {
                tracing::warn!(listener = what, %error, "accept failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        // The certificate in use when the connection arrives (it may be reloaded meanwhile).
        let acceptor = acceptor.current();
        let ready = ready.clone();
        tasks.spawn(async move {
            let _permit = permit;
            let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
            match handshake.await {
                Ok(Ok(tls)) => {
                    let info = ConnectionInfo { peer, tls: true };
                    let _ = ready.send((ClientStream::Tls(Box::new(tls)), info)).await;
                }
                Ok(Err(error)) => {
                    tracing::warn!(listener = what, %peer, cause = handshake_cause(&error),
                        %error, "TLS handshake failed");
                }
                Err(_) => {
                    tracing::warn!(listener = what, %peer, cause = "TLS_HANDSHAKE_TIMEOUT",
                        timeout_seconds = HANDSHAKE_TIMEOUT.as_secs(), "TLS handshake timed out");
                }
            }
        });
    }
}

/// The stable code of a failed server-side handshake: the client-certificate causes of
/// mutual TLS, else the [`TlsError`] code of the failure (`TLS_PROTOCOL_VERSION`: no version
/// in common; `TLS_PROTOCOL_ERROR`: not TLS at all, e.g. plain HTTP; `TLS_HANDSHAKE_ALERT`:
/// the client refused our certificate; `TLS_CONNECTION_RESET`: the client went away).
pub fn handshake_cause(error: &io::Error) -> &'static str {
    let rustls_error = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match rustls_error {
        Some(rustls::Error::NoCertificatesPresented) => CLIENT_CERT_MISSING,
        Some(rustls::Error::InvalidCertificate(_)) => CLIENT_CERT_REJECTED,
        _ => TlsError::from_handshake_io(error, "").code(),
    }
}

/// Cause code: mutual TLS is on (`tls.ca_cert_path`) and the client sent no certificate.
pub const CLIENT_CERT_MISSING: &str = "TLS_CLIENT_CERT_MISSING";
/// Cause code: the client's certificate is not signed by `tls.ca_cert_path` (or invalid).
pub const CLIENT_CERT_REJECTED: &str = "TLS_CLIENT_CERT_REJECTED";

impl AsyncRead for ClientStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ClientStream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            ClientStream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            ClientStream::StartTls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            ClientStream::Closed => Poll::Ready(Ok(())),
        }
    }
}

impl AsyncWrite for ClientStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            ClientStream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            ClientStream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            ClientStream::StartTls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            ClientStream::Closed => Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ClientStream::Plain(s) => Pin::new(s).poll_flush(cx),
            ClientStream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            ClientStream::StartTls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            ClientStream::Closed => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ClientStream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            ClientStream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            ClientStream::StartTls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            ClientStream::Closed => Poll::Ready(Ok(())),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            ClientStream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            ClientStream::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
            ClientStream::StartTls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
            ClientStream::Closed => Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            ClientStream::Plain(s) => s.is_write_vectored(),
            ClientStream::Tls(s) => s.is_write_vectored(),
            ClientStream::StartTls(s) => s.is_write_vectored(),
            ClientStream::Closed => false,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::routing::get;
    use axum::{Extension, Router};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::TlsAcceptor;

    /// What a handler sees: our `ConnectionInfo` and axum's `ConnectInfo<SocketAddr>`.
    async fn who(
        Extension(info): Extension<ConnectionInfo>,
        ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ) -> String {
        format!(
            "tls={} peer={} same={}",
            info.tls,
            info.peer,
            info.peer == peer
        )
    }

    /// Serves the `who` route on `listener`; returns its address.
    fn serve(listener: BridgeListener) -> SocketAddr {
        let addr = listener.local_addr().unwrap();
        let app = Router::new()
            .route("/who", get(who))
            .layer(axum::middleware::from_fn(with_connection_info))
            .into_make_service_with_connect_info::<ConnectionInfo>();
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    }

    async fn get_who<S: AsyncRead + AsyncWrite + Unpin>(mut s: S) -> String {
        s.write_all(b"GET /who HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[tokio::test]
    async fn handlers_see_whether_the_connection_is_tls_and_the_peer() {
        // Plain.
        let plain = serve(BridgeListener::plain(
            TcpListener::bind("127.0.0.1:0").await.unwrap(),
        ));
        let tcp = TcpStream::connect(plain).await.unwrap();
        let me = tcp.local_addr().unwrap();
        let answer = get_who(tcp).await;
        assert!(
            answer.ends_with(&format!("tls=false peer={me} same=true")),
            "{answer}"
        );

        // TLS, with a self-signed certificate the client trusts.
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let der = rustls::pki_types::CertificateDer::from(cert.der().to_vec());
        let key_der = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
        let server = rustls::ServerConfig::builder_with_provider(crate::tls::provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![der.clone()], key_der)
            .unwrap();
        let listener = BridgeListener::tls(
            TcpListener::bind("127.0.0.1:0").await.unwrap(),
            Acceptor::fixed(TlsAcceptor::from(Arc::new(server))),
            "test",
        )
        .unwrap();
        let tls_addr = serve(listener);
        let mut roots = rustls::RootCertStore::empty();
        roots.add(der).unwrap();
        let client = rustls::ClientConfig::builder_with_provider(crate::tls::provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let tcp = TcpStream::connect(tls_addr).await.unwrap();
        let me = tcp.local_addr().unwrap();
        let tls = tokio_rustls::TlsConnector::from(Arc::new(client))
            .connect(
                rustls::pki_types::ServerName::try_from("localhost").unwrap(),
                tcp,
            )
            .await
            .unwrap();
        let answer = get_who(tls).await;
        assert!(
            answer.ends_with(&format!("tls=true peer={me} same=true")),
            "{answer}"
        );
    }
}
