//! The two kinds of benchmark terminal: a browser session through the bridge's websocket
//! (`web3270.v1`, docs/WEBSOCKET.md: `hello`, then binary `[data type] + record`) and a
//! direct TN3270E client of the host (the core's [`ClientConnection`], RFC 2355), so that the
//! same round trip can be timed with and without the bridge in the path.
//!
//! A round trip: send the inbound record of the Enter key (AID X'7D' and the cursor address,
//! GA23-0059 §3.5.1) and wait for the host's next 3270-DATA record. Owns: connecting, the
//! first screen, the round trip, their timeouts. Does not own: pacing and statistics
//! ([`crate::run`]).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tn3270::tn3270e::{ClientConfig, ClientConnection, DataType, Event};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// The websocket subprotocol (docs/WEBSOCKET.md).
pub const SUBPROTOCOL: &str = "web3270.v1";

/// The Enter key's inbound record: AID Enter (X'7D'), cursor address 0 in 12-bit form
/// (X'40 40'), no fields.
pub const ENTER: [u8; 3] = [0x7D, 0x40, 0x40];

/// The model the benchmark terminals announce (24×80).
pub const MODEL: &str = "3278-2";

/// The terminal type of the direct client (the bridge sends the same for [`MODEL`]).
pub const TERMINAL_TYPE: &str = "IBM-3278-2";

/// How long connecting (TCP, upgrade or telnet negotiation, first screen) may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long one round trip may take before it counts as an error.
pub const ROUND_TRIP_TIMEOUT: Duration = Duration::from_secs(10);

/// The websocket read buffer of a benchmark client (10,000 clients share this process).
const CLIENT_READ_BUFFER: usize = 4096;

/// Bytes read from the host at a time by a direct client.
const DIRECT_READ_CHUNK: usize = 4096;

/// A benchmark terminal, either kind.
#[derive(Debug)]
pub enum Peer {
    /// A browser session through the bridge.
    Ws(Box<WsSession>),
    /// A TN3270E client of the host itself.
    Direct(Box<Direct>),
}

impl Peer {
    /// One Enter → answer round trip.
    pub async fn round_trip(&mut self) -> Result<Duration, String> {
        match self {
            Peer::Ws(s) => s.round_trip().await,
            Peer::Direct(d) => d.round_trip().await,
        }
    }
}

/// A websocket session of the bridge that has its first screen.
#[derive(Debug)]
pub struct WsSession {
    ws: WebSocketStream<TcpStream>,
}

impl WsSession {
    /// Connects to `ws://addr/ws`, says `hello` for `endpoint` and waits for the first
    /// 3270-DATA record (the host's first screen).
    pub async fn open(addr: SocketAddr, endpoint: &str) -> Result<WsSession, String> {
        tokio::time::timeout(CONNECT_TIMEOUT, WsSession::open_inner(addr, endpoint))
            .await
            .map_err(|_| "no first screen within the connect timeout".to_owned())?
    }

    async fn open_inner(addr: SocketAddr, endpoint: &str) -> Result<WsSession, String> {
        let tcp = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect {addr}: {e}"))?;
        let _ = tcp.set_nodelay(true);
        let mut request = format!("ws://{addr}/ws")
            .into_client_request()
            .map_err(|e| e.to_string())?;
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static(SUBPROTOCOL),
        );
        let config = WebSocketConfig::default()
            .read_buffer_size(CLIENT_READ_BUFFER)
            .write_buffer_size(0);
        let (mut ws, _) = tokio_tungstenite::client_async_with_config(request, tcp, Some(config))
            .await
            .map_err(|e| format!("upgrade: {e}"))?;
        let hello = serde_json::json!({
            "type": "hello", "endpoint": endpoint, "model": MODEL, "resume": null
        });
        ws.send(Message::Text(hello.to_string().into()))
            .await
            .map_err(|e| format!("hello: {e}"))?;
        let mut session = WsSession { ws };
        session.next_screen().await?;
        Ok(session)
    }

    /// Sends Enter and waits for the answer.
    pub async fn round_trip(&mut self) -> Result<Duration, String> {
        let mut message = Vec::with_capacity(ENTER.len() + 1);
        message.push(DataType::Data3270.byte());
        message.extend_from_slice(&ENTER);
        let start = Instant::now();
        self.ws
            .send(Message::Binary(message.into()))
            .await
            .map_err(|e| format!("send: {e}"))?;
        tokio::time::timeout(ROUND_TRIP_TIMEOUT, self.next_screen())
            .await
            .map_err(|_| "no answer within the round trip timeout".to_owned())??;
        Ok(start.elapsed())
    }

    /// Reads until a binary 3270-DATA message; a JSON `error` or a close is an error.
    async fn next_screen(&mut self) -> Result<(), String> {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Binary(b))) if b.first() == Some(&DataType::Data3270.byte()) => {
                    return Ok(())
                }
                Some(Ok(Message::Text(t))) if t.as_str().contains("\"type\":\"error\"") => {
                    return Err(format!("bridge error: {}", t.as_str()))
                }
                Some(Ok(Message::Close(c))) => return Err(format!("closed: {c:?}")),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(format!("websocket: {e}")),
                None => return Err("websocket ended".into()),
            }
        }
    }
}

/// A direct TN3270E client of the host, in 3270 mode with its first screen.
#[derive(Debug)]
pub struct Direct {
    stream: TcpStream,
    conn: ClientConnection,
    buf: Vec<u8>,
}

impl Direct {
    /// Connects to the host, negotiates and waits for the first screen.
    pub async fn open(addr: SocketAddr) -> Result<Direct, String> {
        tokio::time::timeout(CONNECT_TIMEOUT, async {
            let stream = TcpStream::connect(addr)
                .await
                .map_err(|e| format!("connect {addr}: {e}"))?;
            let _ = stream.set_nodelay(true);
            let conn = ClientConnection::new(ClientConfig {
                terminal_type: TERMINAL_TYPE.into(),
                ..ClientConfig::default()
            });
            let mut direct = Direct {
                stream,
                conn,
                buf: vec![0u8; DIRECT_READ_CHUNK],
            };
            direct.next_screen().await?;
            Ok(direct)
        })
        .await
        .map_err(|_| "no first screen within the connect timeout".to_owned())?
    }

    /// Sends Enter and waits for the answer.
    pub async fn round_trip(&mut self) -> Result<Duration, String> {
        let start = Instant::now();
        self.conn
            .send_record(DataType::Data3270, &ENTER)
            .map_err(|e| format!("send: {e:?}"))?;
        tokio::time::timeout(ROUND_TRIP_TIMEOUT, self.next_screen())
            .await
            .map_err(|_| "no answer within the round trip timeout".to_owned())??;
        Ok(start.elapsed())
    }

    /// Writes pending output, then reads until a 3270-DATA record arrives.
    async fn next_screen(&mut self) -> Result<(), String> {
        loop {
            while self.conn.has_output() {
                let n = self
                    .stream
                    .write(self.conn.pending_output())
                    .await
                    .map_err(|e| format!("write: {e}"))?;
                if n == 0 {
                    return Err("write: connection closed".into());
                }
                self.conn.consume_output(n);
            }
            let mut got = false;
            while let Some(event) = self.conn.poll_event() {
                if let Event::Record { header, data } = event {
                    got |= header.is_none_or(|h| h.data_type == DataType::Data3270);
                    self.conn.recycle(data);
                }
            }
            // Answers the record provoked (none expected) go out with the next send.
            if got {
                return Ok(());
            }
            let n = self
                .stream
                .read(&mut self.buf)
                .await
                .map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                return Err("the host closed the connection".into());
            }
            self.conn.feed(self.buf.get(..n).unwrap_or_default());
        }
    }
}
