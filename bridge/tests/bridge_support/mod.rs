//! Shared helpers of the tests that run the whole bridge (`bridge::server::run`) on loopback:
//! a [`Bridge`] in a thread of its own (so blocking peers such as s3270 can be driven from
//! the test thread), a [`Browser`] (a websocket, plain or wss, plus the core's record-mode
//! `Terminal`), and a [`LogCapture`] of the bridge's `tracing` output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bridge::config::Config;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tn3270::input::Key;
use tn3270::terminal::{Outbound, Terminal, TerminalConfig, TerminalModel};
use tn3270::tn3270e::{DataType, FunctionSet, Mode, Session};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// Generous wait for any one message (CI machines are slow and shared).
pub const WAIT: Duration = Duration::from_secs(20);

/// A byte stream a websocket runs over (TCP or TLS).
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// The websocket of a test browser.
pub type Ws = WebSocketStream<Box<dyn Io>>;

/// A free loopback port (bound and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `.venv/bin` of the workspace first on PATH (mfmock and its Python).
pub fn venv_on_path() {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![venv];
    dirs.extend(std::env::split_paths(&path));
    // Every test sets the same value, so concurrent writes agree.
    std::env::set_var("PATH", std::env::join_paths(dirs).unwrap());
}

/// The demo configuration on free loopback ports.
pub fn demo_config() -> Config {
    let mut config = Config::demo();
    config.server.bind_address = [127, 0, 0, 1].into();
    config.server.port = free_port();
    config.server.api_port = free_port();
    config
}

/// A running bridge in a thread of its own; stopped on drop.
pub struct Bridge {
    /// The HTTP (or HTTPS) listener.
    pub http: SocketAddr,
    /// The TN3270 listener.
    pub tn3270: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
}

impl Bridge {
    /// Starts `config` (its ports must be set) and waits until it listens.
    pub fn start(config: Config) -> Bridge {
        let http = SocketAddr::from(([127, 0, 0, 1], config.server.api_port));
        let tn3270 = SocketAddr::from(([127, 0, 0, 1], config.server.port));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                bridge::server::run(
                    config,
                    async {
                        let _ = stopped.await;
                    },
                    move |_| {
                        let _ = ready_tx.send(());
                    },
                )
                .await
                .map_err(|e| e.to_string())
            })
        });
        ready_rx.recv_timeout(WAIT).expect("the bridge listens");
        Bridge {
            http,
            tn3270,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `NAME@127.0.0.1:PORT` of the TN3270 listener.
    pub fn target(&self, name: &str) -> String {
        format!("{name}@{}", self.tn3270)
    }

    /// Shuts the bridge down (as SIGTERM does) and waits until `run` returned; its result.
    pub fn stop(&mut self) -> Result<(), String> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take() {
            Some(thread) => thread.join().unwrap(),
            None => Ok(()),
        }
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// A current-thread runtime for the test thread's async parts (websocket clients).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Opens `ws://ADDR/ws` with the `web3270.v1` subprotocol.
pub async fn ws_connect(addr: SocketAddr) -> Ws {
    let tcp = TcpStream::connect(addr).await.unwrap();
    ws_over(format!("ws://{addr}/ws"), Box::new(tcp)).await
}

/// Opens `wss://ADDR/ws` trusting only `ca_file`, verifying the name `server_name`.
pub async fn wss_connect(addr: SocketAddr, ca_file: &Path, server_name: &str) -> Ws {
    let tls = tls_connect(addr, tls_client(ca_file, None), server_name)
        .await
        .unwrap();
    ws_over(
        format!("wss://{server_name}:{}/ws", addr.port()),
        Box::new(tls),
    )
    .await
}

/// Runs the websocket handshake over `io`.
pub async fn ws_over(url: String, io: Box<dyn Io>) -> Ws {
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("web3270.v1"),
    );
    let (ws, _) = tokio_tungstenite::client_async(request, io).await.unwrap();
    ws
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

/// A TLS connection to `addr`.
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

/// Expects a close frame with `code`.
pub async fn expect_close(ws: &mut Ws, code: u16) {
    match next(ws).await {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::from(code)),
        other => panic!("expected close {code}, got {other:?}"),
    }
}

/// `hello` for `endpoint` with model 3279-2-E.
pub fn hello(endpoint: &str) -> Value {
    json!({"type": "hello", "endpoint": endpoint, "model": "3279-2-E"})
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

/// A browser: the websocket plus the core's record-mode terminal (what the web client runs).
pub struct Browser {
    /// The websocket.
    pub ws: Ws,
    /// The terminal fed with host records.
    pub term: Terminal,
    /// The `session` message.
    pub session: Value,
}

impl Browser {
    /// Says `hello` on `ws`; asserts the `session` answer.
    pub async fn open(mut ws: Ws, hello: Value) -> Browser {
        ws.send(Message::Text(hello.to_string().into()))
            .await
            .unwrap();
        let session = next_json(&mut ws).await;
        assert_eq!(session["type"], "session", "{session}");
        let config = TerminalConfig {
            model: TerminalModel::parse(session["model"].as_str().unwrap()).unwrap(),
            ..TerminalConfig::default()
        };
        let lu = session["lu"].as_str().map(str::to_owned);
        Browser {
            term: Terminal::for_records(config, mode_of(&session), lu),
            ws,
            session,
        }
    }

    /// Sends what the terminal has to send (query replies, typed records).
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

    /// Applies host messages (answering as it goes) until `done` holds for the terminal.
    pub async fn until(&mut self, what: &str, done: impl Fn(&Terminal) -> bool) {
        while !done(&self.term) {
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
                    assert_eq!(v["state"], "mode", "unexpected {v} waiting for {what}");
                    self.term.set_mode(mode_of(&v));
                }
                other => panic!("{other:?} while waiting for {what}"),
            }
        }
    }

    /// Applies host messages until the screen shows `needle`.
    pub async fn until_shows(&mut self, needle: &str) {
        self.until(needle, |t| t.text_rows().iter().any(|r| r.contains(needle)))
            .await
    }

    /// Types `text` (`\t` is Tab), presses `key` and sends.
    pub async fn type_and_send(&mut self, text: &str, key: Key) {
        self.term.type_text(text);
        self.term.key(key);
        self.flush().await;
    }

    /// The next raw websocket message (no timeout; `None` when closed).
    pub async fn ws_next(
        &mut self,
    ) -> Option<Result<Message, tokio_tungstenite::tungstenite::Error>> {
        self.ws.next().await
    }

    /// The screen rows as s3270's `Ascii()` prints them.
    pub fn rows(&self) -> Vec<String> {
        self.term.text_rows()
    }

    /// The cursor (row, col), 0-based.
    pub fn cursor(&self) -> (usize, usize) {
        let c = self.term.snapshot().cursor;
        (c.row, c.col)
    }

    /// Reads until the session's last `status` and the close frame; returns the status.
    pub async fn end_status(&mut self) -> Value {
        loop {
            match next(&mut self.ws).await {
                Message::Text(t) => {
                    let v: Value = serde_json::from_str(t.as_str()).unwrap();
                    if v["type"] == "status" && v["state"] != "mode" {
                        return v;
                    }
                }
                Message::Binary(_) => {}
                other => panic!("{other:?} before the last status"),
            }
        }
    }
}

/// The bridge's log lines, captured by a process-wide `tracing` subscriber (installed once
/// per test binary; every test of the binary shares it, so look for your own peer/port).
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    /// The capture of this test binary (installs the subscriber on first use).
    pub fn get() -> LogCapture {
        static CAPTURE: OnceLock<LogCapture> = OnceLock::new();
        CAPTURE
            .get_or_init(|| {
                let capture = LogCapture::default();
                let writer = capture.clone();
                let subscriber = tracing_subscriber::fmt()
                    .with_env_filter("bridge=debug")
                    .with_ansi(false)
                    .with_writer(move || writer.clone())
                    .finish();
                tracing::subscriber::set_global_default(subscriber).unwrap();
                capture
            })
            .clone()
    }

    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// Waits up to [`WAIT`] for a line containing every one of `needles`; returns it.
    pub fn wait_for(&self, needles: &[&str]) -> String {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            if let Some(line) = self
                .text()
                .lines()
                .find(|l| needles.iter().all(|n| l.contains(n)))
            {
                return line.to_owned();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no log line with {needles:?} in:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
