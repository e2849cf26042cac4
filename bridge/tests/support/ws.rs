//! The browser's websocket (`GET /ws`, subprotocol `web3270.v1`, docs/WEBSOCKET.md) from the
//! client side, plain or over TLS: connecting, reading a message within [`WAIT`], the `hello`
//! message and the refusals. Not here: the terminal that answers the host (`browser`).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tn3270::tn3270e::{FunctionSet, Mode, Session};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::WebSocketStream;

use super::WAIT;

/// A byte stream a websocket runs over (TCP or TLS); `Debug` so that a failed upgrade's
/// result can be unwrapped.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Io for T {}

/// The websocket of a test browser.
pub type Ws = WebSocketStream<Box<dyn Io>>;

/// Opens `ws://ADDR/ws` with the `web3270.v1` subprotocol.
pub async fn ws_connect(addr: SocketAddr) -> Ws {
    ws_upgrade(addr, "", &[]).await.unwrap()
}

/// Asks for `ws://ADDR/ws{query}` offering `web3270.v1`, with the extra `headers` (which
/// replace a default of the same name): the websocket, or why the upgrade failed (a refusal
/// is `Error::Http` with the answer).
pub async fn ws_upgrade(
    addr: SocketAddr,
    query: &str,
    headers: &[(&str, &str)],
) -> Result<Ws, Error> {
    let tcp = TcpStream::connect(addr).await?;
    handshake(format!("ws://{addr}/ws{query}"), Box::new(tcp), headers).await
}

/// Opens `wss://ADDR/ws` trusting only `ca_file`, verifying the name `server_name`.
pub async fn wss_connect(addr: SocketAddr, ca_file: &Path, server_name: &str) -> Ws {
    let tls = tls_connect(addr, tls_client(ca_file, None), server_name)
        .await
        .unwrap();
    let url = format!("wss://{server_name}:{}/ws", addr.port());
    handshake(url, Box::new(tls), &[]).await.unwrap()
}

/// The websocket handshake for `url` over `io`, offering `web3270.v1`, with the extra
/// `headers`.
async fn handshake(url: String, io: Box<dyn Io>, headers: &[(&str, &str)]) -> Result<Ws, Error> {
    let mut request = url.into_client_request()?;
    let fields = request.headers_mut();
    fields.insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("web3270.v1"),
    );
    for (k, v) in headers {
        fields.insert(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    let (ws, _) = tokio_tungstenite::client_async(request, io).await?;
    Ok(ws)
}

/// A rustls client trusting only `ca_file`, offering `versions` (all when `None`).
pub fn tls_client(
    ca_file: &Path,
    versions: Option<&[&'static rustls::SupportedProtocolVersion]>,
) -> Arc<rustls::ClientConfig> {
    let roots = bridge::tls::roots_from_file(ca_file).unwrap();
    let builder = rustls::ClientConfig::builder_with_provider(bridge::tls::provider());
    let builder = match versions {
        Some(v) => builder.with_protocol_versions(v).unwrap(),
        None => builder.with_safe_default_protocol_versions().unwrap(),
    };
    Arc::new(builder.with_root_certificates(roots).with_no_client_auth())
}

/// A TLS connection to `addr` (the handshake within [`WAIT`]).
pub async fn tls_connect(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
    server_name: &str,
) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await?;
    let name = rustls::pki_types::ServerName::try_from(server_name.to_owned()).unwrap();
    tokio::time::timeout(
        WAIT,
        tokio_rustls::TlsConnector::from(config).connect(name, tcp),
    )
    .await
    .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "handshake"))?
}

/// The next websocket message within [`WAIT`].
pub async fn next(ws: &mut Ws) -> Message {
    tokio::time::timeout(WAIT, ws.next())
        .await
        .expect("a message in time")
        .expect("the websocket is open")
        .unwrap()
}

/// The next message, which must be JSON text.
pub async fn next_json(ws: &mut Ws) -> Value {
    match next(ws).await {
        Message::Text(t) => serde_json::from_str(t.as_str()).unwrap(),
        other => panic!("expected JSON, got {other:?}"),
    }
}

/// The next text message as JSON, skipping the binary records (and pings) before it.
pub async fn next_json_after_records(ws: &mut Ws) -> Value {
    loop {
        match next(ws).await {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Binary(_) | Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected JSON, got {other:?}"),
        }
    }
}

/// Sends `v` as a text message.
pub async fn send_json(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

/// Expects a close frame with `code`.
pub async fn expect_close(ws: &mut Ws, code: u16) {
    match next(ws).await {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::from(code)),
        other => panic!("expected close {code}, got {other:?}"),
    }
}

/// Expects an `error` message with `code`, then a close frame with `close`; the error.
pub async fn expect_refusal(ws: &mut Ws, code: &str, close: u16) -> Value {
    let err = next_json(ws).await;
    assert_eq!(err["type"], "error", "{err}");
    assert_eq!(err["code"], code, "{err}");
    expect_close(ws, close).await;
    err
}

/// `hello` for `endpoint` (a name, or `null` for the default) with model 3279-2-E.
pub fn hello(endpoint: impl Into<Value>) -> Value {
    json!({"type": "hello", "endpoint": endpoint.into(), "model": "3279-2-E"})
}

/// The mode in a `session` or `status` message.
pub fn mode_of(v: &Value) -> Mode {
    match (v["mode"].as_str(), v["lu_state"].as_str()) {
        (Some("tn3270e"), state) => Mode::Tn3270e {
            functions: FunctionSet::S3270,
            session: match state {
                Some("lu-lu") => Session::LuLu,
                Some("sscp-lu") => Session::SscpLu,
                Some("nvt") => Session::Nvt,
                _ => Session::Unbound,
            },
        },
        _ => Mode::Tn3270,
    }
}
