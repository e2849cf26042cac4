//! Shared by `tests/auth.rs` and `tests/audit.rs`: a bridge on free loopback ports, a
//! minimal HTTP/1.1 client (raw over TCP, so the tests see exactly the status, headers and
//! body the bridge sends), and a websocket "browser" built on the core's record-mode Terminal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use bridge::config::Config;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tn3270::input::Key;
use tn3270::terminal::{Outbound, Terminal, TerminalConfig, TerminalModel};
use tn3270::tn3270e::{DataType, FunctionSet, Mode, Session};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub const WAIT: Duration = Duration::from_secs(15);

/// A running bridge; dropping it stops it.
pub struct Bridge {
    pub addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

pub async fn start(config: Config) -> Bridge {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (ready_tx, ready) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let r = bridge::server::run(
            config,
            async move {
                let _ = stopped.await;
            },
            move |addr| {
                let _ = ready_tx.send(addr);
            },
        )
        .await;
        if let Err(e) = r {
            eprintln!("bridge failed: {e}");
        }
    });
    let addr = tokio::time::timeout(WAIT, ready).await.unwrap().unwrap();
    Bridge { addr, _stop: stop }
}

/// The demo configuration on free ports.
pub fn demo_config() -> Config {
    let mut config = Config::demo();
    config.server.api_port = 0;
    config.server.port = 0;
    config
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// One HTTP/1.1 request (`Connection: close`), the answer read to the end.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> Answer {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let mut req = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 0\r\n"
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(WAIT, s.read_to_end(&mut raw))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect::<HashMap<_, _>>();
    let body = if headers
        .get("transfer-encoding")
        .is_some_and(|t| t == "chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Answer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

pub async fn get(addr: SocketAddr, target: &str, headers: &[(&str, &str)]) -> Answer {
    http(addr, "GET", target, headers).await
}

/// Opens `/ws{query}` offering `web3270.v1` with extra headers.
pub async fn ws_connect(
    addr: SocketAddr,
    query: &str,
    headers: &[(&str, &str)],
) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    let mut request = format!("ws://{addr}/ws{query}").into_client_request()?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("web3270.v1"),
    );
    for (k, v) in headers {
        request.headers_mut().insert(
            tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    let (ws, _) = tokio_tungstenite::connect_async(request).await?;
    Ok(ws)
}

pub async fn next(ws: &mut Ws) -> Message {
    tokio::time::timeout(WAIT, ws.next())
        .await
        .expect("a message in time")
        .expect("the websocket is open")
        .unwrap()
}

pub async fn next_json(ws: &mut Ws) -> Value {
    match next(ws).await {
        Message::Text(t) => serde_json::from_str(t.as_str()).unwrap(),
        other => panic!("expected JSON, got {other:?}"),
    }
}

pub async fn send_json(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

/// Expects an `error` message with `code`, then a close frame with `close`.
pub async fn expect_refusal(ws: &mut Ws, code: &str, close: u16) -> Value {
    let err = next_json(ws).await;
    assert_eq!(err["type"], "error", "{err}");
    assert_eq!(err["code"], code, "{err}");
    match next(ws).await {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::from(close)),
        other => panic!("expected close {close}, got {other:?}"),
    }
    err
}

pub fn hello(auth: Value) -> Value {
    json!({"type": "hello", "endpoint": null, "model": "3279-2-E", "resume": null, "auth": auth})
}

/// A browser: the websocket plus the core's record-mode terminal.
pub struct Browser {
    pub ws: Ws,
    pub term: Terminal,
    pub session: Value,
}

impl Browser {
    /// Sends `hello` on an open websocket and expects `session`.
    pub async fn attach(mut ws: Ws, hello: Value) -> Browser {
        send_json(&mut ws, hello).await;
        let session = next_json(&mut ws).await;
        assert_eq!(session["type"], "session", "{session}");
        let config = TerminalConfig {
            model: TerminalModel::parse(session["model"].as_str().unwrap()).unwrap(),
            ..TerminalConfig::default()
        };
        let lu = session["lu"].as_str().map(str::to_owned);
        let mode = mode_of(&session);
        Browser {
            ws,
            term: Terminal::for_records(config, mode, lu),
            session,
        }
    }

    pub async fn flush(&mut self) {
        while let Some(out) = self.term.poll_outbound() {
            let msg = match out {
                Outbound::Record { data_type, data } => {
                    let mut bytes = vec![data_type.byte()];
                    bytes.extend_from_slice(&data);
                    Message::Binary(bytes.into())
                }
                Outbound::Attn => Message::Text(json!({"type": "attn"}).to_string().into()),
                Outbound::SysReq => Message::Text(json!({"type": "sysreq"}).to_string().into()),
                // Never made: the browser is fed records without their TN3270E headers.
                Outbound::Response { .. } => continue,
            };
            self.ws.send(msg).await.unwrap();
        }
    }

    /// Applies host records (answering queries) until the screen shows `needle`.
    pub async fn until_shows(&mut self, needle: &str) {
        loop {
            if self.term.text_rows().iter().any(|r| r.contains(needle)) {
                return;
            }
            match next(&mut self.ws).await {
                Message::Binary(b) => {
                    let (&code, record) = b.split_first().unwrap();
                    self.term
                        .feed_record(DataType::from_byte(code).unwrap(), record);
                    while self.term.poll_event().is_some() {}
                    self.flush().await;
                }
                Message::Text(t) => {
                    let v: Value = serde_json::from_str(t.as_str()).unwrap();
                    assert_eq!(v["state"], "mode", "unexpected {v} waiting for {needle:?}");
                    self.term.set_mode(mode_of(&v));
                }
                other => panic!("{other:?} while waiting for {needle:?}"),
            }
        }
    }

    pub async fn type_and_send(&mut self, text: &str, key: Key) {
        self.term.type_text(text);
        self.term.key(key);
        self.flush().await;
    }
}

fn mode_of(v: &Value) -> Mode {
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

/// A fresh empty directory for this test.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("web3270-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
