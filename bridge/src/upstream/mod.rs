//! # upstream — the bridge's connections to TN3270 hosts
//!
//! Owns: establishing a host connection ([`Upstream::connect`]: TCP with a deadline,
//! implicit TLS or telnet START-TLS, negotiation to TN3270/TN3270E with a deadline), the
//! running connection (one tokio task per host owning the socket and the sans-IO
//! [`tn3270::tn3270e::ClientConnection`]) and its async API: [`UpstreamEvent`]s in,
//! records/responses/ATTN/SYSREQ out through [`UpstreamSender`], keepalive (TIMING-MARK or
//! NOP, dead-host detection), clean close; and the one-shot health [`probe`].
//!
//! Does not own: what records mean (the session's screen mirror), which endpoint or LU to
//! use (pool/balancer), browsers or native clients. The session layer relays records with
//! their TN3270E data types; sequence numbers are assigned here (or passed through with
//! [`UpstreamSender::send_record_with_header`] when relaying a native client's header).
//!
//! ## Establishing a session
//! 1. Resolve `host`, connect TCP to `effective_port()` within `connect_timeout`
//!    (`UPSTREAM_DNS`, `UPSTREAM_REFUSED`, `UPSTREAM_CONNECT_TIMEOUT`, `UPSTREAM_UNREACHABLE`).
//! 2. `tls.mode: implicit`: TLS handshake at once (`TLS_*` codes, [`crate::tls::TlsError`]).
//! 3. Telnet negotiation (RFC 854/855, RFC 1576 plain TN3270, RFC 2355 TN3270E) until the
//!    connection is in 3270 mode, within `negotiate_timeout`. With `tls.mode: starttls` the
//!    host's `DO START-TLS` is accepted, FOLLOWS is exchanged and the handshake runs on the
//!    same socket; a host that reaches 3270 mode without offering START-TLS is refused
//!    (`UPSTREAM_STARTTLS_NOT_OFFERED`) rather than used in clear text. A host that never
//!    reaches 3270 mode fails with `UPSTREAM_STAYED_NVT` (it talks line-mode telnet; the
//!    start of its text is in the error) or `UPSTREAM_NO_3270` (still negotiating).
//! 4. The connection task starts; events that arrived with the end of the negotiation
//!    (e.g. the BIND, the first screen) are the first [`UpstreamEvent`]s.
//!
//! ## Bounds
//! Events wait in a channel of [`EVENT_QUEUE`] entries; when it is full the task stops
//! reading the socket (back-pressure to the host) but still serves commands, so a session
//! blocked on a send never deadlocks with it. Commands wait in a channel of
//! [`COMMAND_QUEUE`]. A read is at most [`READ_CHUNK`] bytes; records are limited by the
//! telnet layer ([`tn3270::telnet::consts::MAX_RECORD_LEN`]), records we send by
//! [`MAX_SEND_RECORD`]. No channel is unbounded.

mod error;
mod stream;
mod task;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use tn3270::terminal::TerminalModel;
use tn3270::tn3270e::{
    BindImage, ClientConfig, ClientConnection, DataType, FunctionSet, Header, Mode, ReasonCode,
    Response,
};
use tokio::sync::{mpsc, oneshot};

use crate::config::{Endpoint, TlsMode};
use crate::tls::{ClientTlsOptions, TlsClient, TlsError};
pub use error::UpstreamError;
use stream::Stream;
pub use stream::UpstreamIo;
use task::{Command, Op};

/// Events waiting for the session layer before the task stops reading the host.
pub const EVENT_QUEUE: usize = 64;
/// Commands (sends) waiting for the connection task.
pub const COMMAND_QUEUE: usize = 32;
/// Bytes read from the host at a time. Every connection holds one such buffer for its whole
/// life, so it is small (an idle session's RSS counts); a typical screen (1–4 KB) still
/// arrives in one read, a larger record in a few (the telnet layer gathers it).
pub const READ_CHUNK: usize = 4 * 1024;
/// Largest record body accepted by the senders (a 27x132 screen with every attribute is
/// far below; the telnet layer's receive limit is the same).
pub const MAX_SEND_RECORD: usize = tn3270::telnet::consts::MAX_RECORD_LEN;
/// How much of a host's NVT text is kept for the `UPSTREAM_STAYED_NVT` message.
pub const NVT_SNIPPET_MAX: usize = 120;
/// How long one write to the host may take before the connection is declared dead.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a clean close waits for the TLS close_notify / TCP FIN to go out.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);
/// Keepalive used by [`UpstreamOptions::for_endpoint`]: a TIMING-MARK after 60 s without
/// one, the host declared dead when 30 s pass without any byte from it.
pub const DEFAULT_KEEPALIVE: Keepalive = Keepalive {
    interval: Duration::from_secs(60),
    kind: KeepaliveKind::TimingMark,
    timeout: Duration::from_secs(30),
};

/// How to connect and negotiate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamOptions {
    /// Terminal type sent to the host (`IBM-3278-2-E`, `IBM-3279-4-E`, `IBM-DYNAMIC`).
    pub terminal_type: String,
    /// LU to ask for (TN3270E CONNECT, plain `TYPE@LU`); `None`: any.
    pub lu: Option<String>,
    /// Accept TN3270E when the host offers it (else plain TN3270 only).
    pub tn3270e: bool,
    /// TN3270E functions to request.
    pub functions: FunctionSet,
    /// NEW-ENVIRON `USER` value.
    pub user: Option<String>,
    /// Answer ALWAYS-RESPONSE records with a positive response automatically (off when
    /// the session relays a native client's own responses).
    pub auto_respond: bool,
    /// TCP connect (and implicit TLS handshake) deadline.
    pub connect_timeout: Duration,
    /// Deadline for reaching 3270 mode once connected (START-TLS handshake included).
    pub negotiate_timeout: Duration,
    /// Keepalive; `None`: none.
    pub keepalive: Option<Keepalive>,
    /// How long one write may take.
    pub write_timeout: Duration,
    /// TLS versions allowed towards the host.
    pub tls: ClientTlsOptions,
}

/// Keepalive of an established connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keepalive {
    /// Send a keepalive after this long without one.
    pub interval: Duration,
    /// TIMING-MARK (answered: detects dead hosts) or NOP (keeps NAT state only).
    pub kind: KeepaliveKind,
    /// With [`KeepaliveKind::TimingMark`]: the host is dead when no byte arrives this long
    /// after a TIMING-MARK was sent.
    pub timeout: Duration,
}

/// The telnet command used as keepalive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepaliveKind {
    /// `IAC DO TIMING-MARK` (RFC 860); every host answers WILL or WONT.
    TimingMark,
    /// `IAC NOP` (RFC 854); no answer.
    Nop,
}

/// Something the host did, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamEvent {
    /// A record: 3270-DATA, SCS-DATA, SSCP-LU-DATA, NVT-DATA, REQUEST, PRINT-EOJ. In plain
    /// TN3270 `header` is `None` and `data_type` is 3270-DATA; NVT text outside TN3270E
    /// mode comes as `data_type` NVT-DATA without header.
    Record {
        /// The data type (from the header, or implied).
        data_type: DataType,
        /// The TN3270E header as received (sequence number, response flags), for relaying.
        header: Option<Header>,
        /// The body, IAC undoubled, header removed.
        data: Vec<u8>,
    },
    /// The mode or the TN3270E session state (LU-LU, SSCP-LU, NVT, unbound) changed.
    ModeChanged(Mode),
    /// A BIND-IMAGE (the session is LU-LU); `raw` holds the BIND RU for relaying.
    Bind(BindImage),
    /// An UNBIND, with its type byte.
    Unbind {
        /// UNBIND type, if present.
        reason: Option<u8>,
    },
    /// A RESPONSE from the host to a record we sent with ALWAYS/ERROR-RESPONSE.
    Response {
        /// SEQ-NUMBER answered.
        seq: u16,
        /// Positive or negative.
        positive: bool,
        /// Device End, or the negative reason.
        code: u8,
    },
    /// The connection has ended; the last event.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

/// Why an established connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// The host closed the connection.
    HostClosed,
    /// No sign of life within the keepalive timeout after a TIMING-MARK.
    KeepaliveTimeout,
    /// A write did not finish within the write timeout.
    WriteTimeout,
    /// The TLS session failed.
    Tls(TlsError),
    /// A socket error.
    Io(String),
    /// The host asked for START-TLS in the middle of a session.
    UnexpectedStartTls,
    /// We closed it ([`Upstream::close`], or every sender and the event receiver dropped).
    Local,
}

impl CloseReason {
    /// A stable code, e.g. `HOST_CLOSED`.
    pub fn code(&self) -> &'static str {
        match self {
            CloseReason::HostClosed => "HOST_CLOSED",
            CloseReason::KeepaliveTimeout => "KEEPALIVE_TIMEOUT",
            CloseReason::WriteTimeout => "WRITE_TIMEOUT",
            CloseReason::Tls(e) => e.code(),
            CloseReason::Io(_) => "UPSTREAM_IO",
            CloseReason::UnexpectedStartTls => "UNEXPECTED_STARTTLS",
            CloseReason::Local => "LOCAL_CLOSE",
        }
    }
}

/// What the negotiation agreed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamInfo {
    /// `host:port` (or the label given to [`Upstream::connect_io`]).
    pub target: String,
    /// The mode when negotiation finished (TN3270 or TN3270E with its functions).
    pub mode: Mode,
    /// The terminal type agreed (TN3270E DEVICE-TYPE IS), else the one we sent.
    pub terminal_type: String,
    /// The LU the host connected us to (TN3270E), else the one we asked for.
    pub lu: Option<String>,
    /// The host rejected our DEVICE-TYPE REQUEST with this reason (then plain TN3270).
    pub device_rejected: Option<ReasonCode>,
    /// Whether the connection is encrypted.
    pub tls: bool,
    /// From the start of the TCP connect to 3270 mode.
    pub latency: Duration,
}

/// An established host connection: events in, sends through [`Upstream::sender`].
#[derive(Debug)]
pub struct Upstream {
    info: UpstreamInfo,
    sender: UpstreamSender,
    events: UpstreamEvents,
}

/// The sending half (cheap to clone).
#[derive(Debug, Clone)]
pub struct UpstreamSender {
    commands: mpsc::Sender<Command>,
}

/// The receiving half.
#[derive(Debug)]
pub struct UpstreamEvents {
    rx: mpsc::Receiver<UpstreamEvent>,
}

/// Result of a [`probe`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeResult {
    /// TN3270 or TN3270E (with functions) as negotiated.
    pub mode: Mode,
    /// From the start of the TCP connect to 3270 mode.
    pub latency: Duration,
    /// Whether TLS was used.
    pub tls: bool,
    /// The LU the host assigned (TN3270E), if any.
    pub lu: Option<String>,
}

impl Default for UpstreamOptions {
    fn default() -> Self {
        UpstreamOptions {
            terminal_type: ClientConfig::default().terminal_type,
            lu: None,
            tn3270e: true,
            functions: FunctionSet::S3270,
            user: None,
            auto_respond: true,
            connect_timeout: Duration::from_secs(10),
            negotiate_timeout: Duration::from_secs(10),
            keepalive: None,
            write_timeout: WRITE_TIMEOUT,
            tls: ClientTlsOptions::default(),
        }
    }
}

impl UpstreamOptions {
    /// Options from an endpoint: terminal type from `terminal_type`, else from `model`
    /// (s3270 spelling), timeouts from `connect_timeout_seconds`, [`DEFAULT_KEEPALIVE`].
    /// The LU is left to the caller (one of `lu_names`, chosen by the pool).
    pub fn for_endpoint(endpoint: &Endpoint) -> Result<UpstreamOptions, UpstreamError> {
        let terminal_type = match (&endpoint.terminal_type, &endpoint.model) {
            (Some(t), _) => t.clone(),
            (None, Some(model)) => TerminalModel::parse(model)
                .map_err(|e| UpstreamError::Config(format!("model {model:?}: {e}")))?
                .terminal_type(),
            (None, None) => UpstreamOptions::default().terminal_type,
        };
        Ok(UpstreamOptions {
            terminal_type,
            connect_timeout: endpoint.connect_timeout_seconds,
            negotiate_timeout: endpoint.connect_timeout_seconds,
            keepalive: Some(DEFAULT_KEEPALIVE),
            ..UpstreamOptions::default()
        })
    }

    fn client_config(&self, start_tls: bool) -> ClientConfig {
        ClientConfig {
            terminal_type: self.terminal_type.clone(),
            lu: self.lu.clone(),
            associate: None,
            tn3270e: self.tn3270e,
            functions: self.functions,
            start_tls,
            user: self.user.clone(),
            devname: None,
            auto_respond: self.auto_respond,
        }
    }
}

impl Upstream {
    /// Connects to `endpoint` and negotiates 3270 mode (see the module doc for the steps
    /// and the error codes).
    pub async fn connect(
        endpoint: &Endpoint,
        options: UpstreamOptions,
    ) -> Result<Upstream, UpstreamError> {
        if endpoint.builtin.is_some() {
            return Err(UpstreamError::Config(format!(
                "endpoint {:?} is built in: connect to its server with Upstream::connect_io",
                endpoint.name
            )));
        }
        let tls = if endpoint.tls.enabled {
            Some(TlsClient::new(endpoint, &options.tls)?)
        } else {
            None
        };
        let started = Instant::now();
        let port = endpoint.effective_port();
        let target = format!("{}:{port}", endpoint.host);
        let tcp = stream::connect_tcp(&endpoint.host, port, options.connect_timeout).await?;
        let mut stream = Stream::plain(tcp);
        let start_tls = match (&tls, endpoint.tls.mode) {
            (Some(tls), TlsMode::Implicit) => {
                stream.upgrade(tls, &[], options.connect_timeout).await?;
                None
            }
            (Some(tls), TlsMode::StartTls) => Some(tls),
            (None, _) => None,
        };
        Upstream::establish(stream, target, start_tls, options, started).await
    }

    /// Negotiates over a caller-provided stream (no TLS): an in-process host or a test.
    pub async fn connect_io(
        io: Box<dyn UpstreamIo>,
        label: &str,
        options: UpstreamOptions,
    ) -> Result<Upstream, UpstreamError> {
        Upstream::establish(
            Stream::Other(io),
            label.to_owned(),
            None,
            options,
            Instant::now(),
        )
        .await
    }

    async fn establish(
        mut stream: Stream,
        target: String,
        start_tls: Option<&TlsClient>,
        options: UpstreamOptions,
        started: Instant,
    ) -> Result<Upstream, UpstreamError> {
        let mut conn = ClientConnection::new(options.client_config(start_tls.is_some()));
        let mut progress = task::Progress::default();
        let outcome = tokio::time::timeout(
            options.negotiate_timeout,
            task::negotiate(&mut stream, &mut conn, start_tls, &options, &mut progress),
        )
        .await;
        let negotiated = match outcome {
            Ok(result) => result?,
            Err(_) if progress.in_tls_handshake => {
                return Err(UpstreamError::TlsTimeout {
                    after: options.negotiate_timeout,
                })
            }
            Err(_) => {
                return Err(UpstreamError::No3270 {
                    mode: conn.mode(),
                    after: options.negotiate_timeout,
                    nvt_text: progress.nvt_text,
                })
            }
        };
        let info = UpstreamInfo {
            target,
            mode: conn.mode(),
            terminal_type: conn
                .terminal_type()
                .map_or_else(|| options.terminal_type.clone(), str::to_owned),
            lu: conn.lu().map(str::to_owned).or_else(|| options.lu.clone()),
            device_rejected: negotiated.device_rejected,
            tls: stream.is_tls(),
            latency: started.elapsed(),
        };
        tracing::info!(
            upstream = %info.target,
            mode = error::mode_name(info.mode),
            lu = info.lu.as_deref().unwrap_or(""),
            tls = info.tls,
            latency_ms = info.latency.as_millis() as u64,
            "upstream: 3270 mode"
        );
        let (cmd_tx, cmd_rx) = mpsc::channel(COMMAND_QUEUE);
        let (ev_tx, ev_rx) = mpsc::channel(EVENT_QUEUE);
        let connection = task::Connection {
            stream,
            conn,
            commands: cmd_rx,
            events: ev_tx,
            pending: negotiated.events,
            keepalive: options.keepalive,
            write_timeout: options.write_timeout,
            target: info.target.clone(),
        };
        tokio::spawn(connection.run());
        Ok(Upstream {
            info,
            sender: UpstreamSender { commands: cmd_tx },
            events: UpstreamEvents { rx: ev_rx },
        })
    }

    /// What was negotiated.
    pub fn info(&self) -> &UpstreamInfo {
        &self.info
    }

    /// The next event; `None` after [`UpstreamEvent::Closed`] has been delivered.
    pub async fn recv(&mut self) -> Option<UpstreamEvent> {
        self.events.recv().await
    }

    /// The sending half.
    pub fn sender(&self) -> &UpstreamSender {
        &self.sender
    }

    /// Splits into info, sending and receiving halves (for a session task that selects on
    /// events while other tasks send).
    pub fn into_split(self) -> (UpstreamInfo, UpstreamSender, UpstreamEvents) {
        (self.info, self.sender, self.events)
    }

    /// Closes cleanly (TLS close_notify, TCP FIN) and returns the remaining events, ending
    /// with [`UpstreamEvent::Closed`]. Waits at most [`CLOSE_TIMEOUT`] plus the time the
    /// task needs to notice.
    pub async fn close(mut self) -> Vec<UpstreamEvent> {
        let _ = self.sender.request(Op::Close).await;
        let mut rest = Vec::new();
        let drain = async {
            while let Some(ev) = self.events.recv().await {
                let last = matches!(ev, UpstreamEvent::Closed { .. });
                rest.push(ev);
                if last {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(CLOSE_TIMEOUT * 2, drain).await;
        rest
    }
}

impl UpstreamEvents {
    /// The next event; `None` after [`UpstreamEvent::Closed`] has been delivered.
    pub async fn recv(&mut self) -> Option<UpstreamEvent> {
        self.rx.recv().await
    }
}

impl UpstreamSender {
    /// Sends a record of `data_type` (TN3270E: header added with the next sequence number
    /// when RESPONSES is agreed, returned; plain TN3270: 3270-DATA only, `None`).
    pub async fn send_record(
        &self,
        data_type: DataType,
        data: &[u8],
    ) -> Result<Option<Header>, UpstreamError> {
        check_len(data)?;
        self.request(Op::Record(data_type, data.to_vec())).await
    }

    /// Sends a TN3270E record with exactly this header (relaying a native client's record,
    /// or asking for ALWAYS-RESPONSE). TN3270E mode only.
    pub async fn send_record_with_header(
        &self,
        header: Header,
        data: &[u8],
    ) -> Result<Header, UpstreamError> {
        check_len(data)?;
        self.request(Op::RecordWithHeader(header, data.to_vec()))
            .await
            .map(|h| h.unwrap_or(header))
    }

    /// Sends a RESPONSE to the host's record `seq`. TN3270E mode only.
    pub async fn send_response(&self, seq: u16, response: Response) -> Result<(), UpstreamError> {
        self.request(Op::Response(seq, response)).await.map(|_| ())
    }

    /// Sends NVT data (NVT-DATA records in TN3270E mode, else NVT text).
    pub async fn send_nvt(&self, data: &[u8]) -> Result<(), UpstreamError> {
        check_len(data)?;
        self.request(Op::Nvt(data.to_vec())).await.map(|_| ())
    }

    /// The ATTN key (IAC IP in TN3270E, IAC BREAK in plain TN3270, as s3270).
    pub async fn attn(&self) -> Result<(), UpstreamError> {
        self.request(Op::Attn).await.map(|_| ())
    }

    /// The SYSREQ key (IAC AO with the SYSREQ function, else Test Request Read).
    pub async fn sysreq(&self) -> Result<(), UpstreamError> {
        self.request(Op::SysReq).await.map(|_| ())
    }

    /// Whether the connection task has ended.
    pub fn is_closed(&self) -> bool {
        self.commands.is_closed()
    }

    async fn request(&self, op: Op) -> Result<Option<Header>, UpstreamError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command { op, reply })
            .await
            .map_err(|_| UpstreamError::Closed)?;
        answer.await.map_err(|_| UpstreamError::Closed)?
    }
}

fn check_len(data: &[u8]) -> Result<(), UpstreamError> {
    if data.len() > MAX_SEND_RECORD {
        return Err(UpstreamError::RecordTooLarge { len: data.len() });
    }
    Ok(())
}

/// Connects to `endpoint` with [`UpstreamOptions::for_endpoint`] (no LU, no keepalive),
/// negotiates 3270 mode and closes: the health check.
pub async fn probe(endpoint: &Endpoint) -> Result<ProbeResult, UpstreamError> {
    let options = UpstreamOptions {
        keepalive: None,
        ..UpstreamOptions::for_endpoint(endpoint)?
    };
    probe_with(endpoint, options).await
}

/// [`probe`] with explicit options.
pub async fn probe_with(
    endpoint: &Endpoint,
    options: UpstreamOptions,
) -> Result<ProbeResult, UpstreamError> {
    let upstream = Upstream::connect(endpoint, options).await?;
    let result = ProbeResult {
        mode: upstream.info.mode,
        latency: upstream.info.latency,
        tls: upstream.info.tls,
        lu: upstream.info.lu.clone(),
    };
    upstream.close().await;
    Ok(result)
}

/// What the negotiation produced besides the mode.
#[derive(Debug, Default)]
struct Negotiated {
    /// Events after 3270 mode was reached, in order.
    events: VecDeque<UpstreamEvent>,
    device_rejected: Option<ReasonCode>,
}
