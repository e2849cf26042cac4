//! One native client connection: negotiation to 3270 mode as a host would (the host side of
//! the core, [`HostConnection`] with `DevicePolicy::Ask`; RFC 2355 §7 DEVICE-TYPE, RFC 1646
//! `TYPE@LU`, RFC 1576), reading the requested endpoint/pool ([`super::resolve`]), opening
//! the upstream through the pool ([`crate::pool::Pool::connect`]: choice, failover, LU) and
//! relaying records both ways until either side ends (see the module doc of [`super`]).
//!
//! Owns: the order of replies on the client side (the client's bytes are fed with
//! `feed_until_event`, so each event is answered — relayed — before later bytes of the same
//! TCP segment are processed), the bridge's own screens (refusals, errors, idle, shutdown:
//! one Erase/Write of protected, intensified lines, GA23-0059 §3.3, §4.3), and the BIND the
//! bridge sends when the host agreed no BIND-IMAGE but the client did (SNA BIND RU, screen
//! size byte X'03': 24×80 default, the device's own alternate size).
//!
//! Does not own: the listener, limits and shutdown signal ([`super::serve`]), the upstream
//! connection ([`crate::upstream`]).

use std::time::Duration;

use tn3270::builder::{ScreenBuilder, Wcc};
use tn3270::codepage::CP037;
use tn3270::screen::attributes::{FA_INT_HIGH_SEL, FA_PROTECTED};
use tn3270::screen::{FieldAttribute, ScreenSize};
use tn3270::tn3270e::consts::{BIND_OFF_SCREEN_SIZE, BIND_SIZE_ALT_DEVICE};
use tn3270::tn3270e::{
    BindImage, DataType, DeviceName, Event, Function, HostConfig, HostConnection, Mode,
    NegativeReason, ReasonCode, Response, Session,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{watch, OwnedSemaphorePermit};
use tokio::time::Instant;

use super::{resolve, NativeConfig, Resolved, StartTls, BRIDGE_LU, READ_CHUNK};
use crate::metrics::{self, Listener, RefusalReason};
use crate::pool::{Pool, PoolRequest};
use crate::server::starttls::{upgrade, UpgradeError};
use crate::server::tls_listener::ClientStream;
use crate::session::{model_name, NativeEntry, NativeRequest, NativeSession, Slot};

use super::mirror::{model_of, Mirror};
use crate::upstream::{UpstreamEvent, UpstreamEvents, UpstreamOptions, UpstreamSender};

/// LU name the bridge confirms to a TN3270E client that named no device and is refused.
pub const REFUSAL_LU: &str = "WEB3270";
/// How long a bridge screen (refusal, error) stays up before the connection closes, unless
/// the client closes or presses a key first.
pub const MESSAGE_LINGER: Duration = Duration::from_secs(5);
/// The same for the shutdown screen (well within `server.shutdown_grace_seconds`).
pub const SHUTDOWN_LINGER: Duration = Duration::from_secs(1);
/// Longest line of a bridge screen (one 80-column row less its attribute byte).
const MESSAGE_LINE_MAX: usize = 79;
/// Endpoints listed on a refusal screen (the rest is cut).
const MESSAGE_ROWS_FOR_DETAIL: usize = 20;

/// Whether a connection got a session or only a refusal; the permit is held until the
/// connection ends.
#[derive(Debug)]
pub enum Admission {
    /// Under `sessions.max_sessions` (over all front ends): relay. The place is released
    /// when the session ends.
    Session(Slot),
    /// Over the limit: negotiate, show "too many sessions", close.
    Refused(OwnedSemaphorePermit),
}

/// The client socket and its side of the protocol.
struct Client {
    stream: ClientStream,
    conn: HostConnection,
    buf: Vec<u8>,
    /// Received bytes not yet fed: `buf[start..end]`.
    start: usize,
    end: usize,
    write_timeout: Duration,
}

impl Client {
    /// Writes pending output within the write timeout. Cancel-safe: output is consumed
    /// only once written.
    async fn flush(&mut self) -> std::io::Result<()> {
        while self.conn.has_output() {
            let n = tokio::time::timeout(
                self.write_timeout,
                self.stream.write(self.conn.pending_output()),
            )
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "write timed out"))??;
            if n == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            self.conn.consume_output(n);
        }
        Ok(())
    }

    /// The next event from the client (`None`: it closed). Cancel-safe.
    async fn next_event(&mut self) -> std::io::Result<Option<Event>> {
        loop {
            if let Some(event) = self.conn.poll_event() {
                return Ok(Some(event));
            }
            self.flush().await?;
            if self.start < self.end {
                let rest = self.buf.get(self.start..self.end).unwrap_or_default();
                let n = self.conn.feed_until_event(rest);
                // 0 only while waiting for TLS: the negotiation upgrades the connection as
                // soon as it sees START-TLS (taking the rest along), so this is not reached
                // with bytes that matter; drop them rather than loop.
                self.start = if n == 0 { self.end } else { self.start + n };
                continue;
            }
            let n = self.stream.read(&mut self.buf).await?;
            if n == 0 {
                return Ok(None);
            }
            self.start = 0;
            self.end = n;
        }
    }

    /// Switches the connection to TLS (telnet START-TLS): the server handshake of
    /// `acceptor`, replaying what was read past the client's FOLLOWS. On failure the
    /// connection is gone.
    async fn start_tls(
        &mut self,
        acceptor: &tokio_rustls::TlsAcceptor,
    ) -> Result<(), UpgradeError> {
        let prefix = self
            .buf
            .get(self.start..self.end)
            .unwrap_or_default()
            .to_vec();
        self.start = 0;
        self.end = 0;
        let plain = std::mem::replace(&mut self.stream, ClientStream::Closed);
        self.stream = upgrade(plain, prefix, acceptor).await?;
        Ok(())
    }

    /// Shows a bridge screen and keeps it up for [`MESSAGE_LINGER`] or until the client
    /// answers or closes; then closes the socket.
    async fn show_and_close(&mut self, lines: &[&str]) {
        self.show_and_close_within(lines, MESSAGE_LINGER).await
    }

    /// [`Client::show_and_close`] keeping the screen up at most `linger`.
    async fn show_and_close_within(&mut self, lines: &[&str], linger: Duration) {
        self.bind_if_unbound();
        if let Err(error) = self
            .conn
            .send_record(DataType::Data3270, &message_screen(lines))
        {
            tracing::debug!(?error, "native: cannot send a screen to the client");
        }
        if self.flush().await.is_ok() {
            let _ = tokio::time::timeout(linger, async {
                while let Ok(Some(event)) = self.next_event().await {
                    if matches!(event, Event::Record { .. } | Event::Attn | Event::SysReq) {
                        break;
                    }
                }
            })
            .await;
        }
        let _ = self.stream.shutdown().await;
    }

    /// In TN3270E with BIND-IMAGE agreed and no BIND yet, sends the bridge's BIND (a client
    /// such as s3270 drops 3270-DATA while unbound).
    fn bind_if_unbound(&mut self) {
        if let Mode::Tn3270e {
            session: Session::Unbound,
            ..
        } = self.conn.mode()
        {
            let mut bind = BindImage::encode(ScreenSize::MODEL_2, ScreenSize::MODEL_2);
            if let Some(size) = bind.get_mut(BIND_OFF_SCREEN_SIZE) {
                *size = BIND_SIZE_ALT_DEVICE;
            }
            if let Err(error) = self.conn.send_record(DataType::BindImage, &bind) {
                tracing::debug!(?error, "native: cannot send a BIND to the client");
            }
        }
    }
}

/// An Erase/Write of `lines`, one protected intensified field per row, from the top.
fn message_screen(lines: &[&str]) -> Vec<u8> {
    let wcc = Wcc::NONE.reset().restore_keyboard().alarm();
    let mut b = ScreenBuilder::erase_write(wcc, ScreenSize::MODEL_2);
    for (row, line) in lines
        .iter()
        .take(usize::from(ScreenSize::MODEL_2.rows))
        .enumerate()
    {
        let line: String = line.chars().take(MESSAGE_LINE_MAX).collect();
        b = b
            .at(row, 0)
            .field(FieldAttribute(FA_PROTECTED | FA_INT_HIGH_SEL))
            .text(&line, &CP037);
    }
    b.build()
}

/// What negotiation learned about the client.
#[derive(Debug, Default)]
struct Negotiated {
    terminal_type: Option<String>,
    resolved: Option<Resolved>,
    unknown: Option<String>,
}

/// Serves one connection until it ends; returns why it ended (for the log).
pub async fn run(
    stream: ClientStream,
    pool: &Pool,
    config: &NativeConfig,
    mut admission: Admission,
    mut stop: watch::Receiver<bool>,
) -> String {
    let mut client = Client {
        stream,
        conn: HostConnection::new(HostConfig {
            start_tls: config.start_tls.is_some(),
            ..HostConfig::default()
        }),
        buf: vec![0; READ_CHUNK],
        start: 0,
        end: 0,
        write_timeout: config.write_timeout,
    };
    let refused = matches!(admission, Admission::Refused(_));
    let neg = match negotiate(&mut client, pool, config, refused, &mut stop).await {
        Ok(neg) => neg,
        Err(reason) => return reason,
    };
    if config.start_tls.is_some() && !client.stream.is_tls() {
        metrics::refusal(Listener::Native, RefusalReason::TlsRequired);
        tracing::warn!(
            code = "TLS_REQUIRED",
            "native: refused: the client did not switch to TLS (START-TLS)"
        );
        client
            .show_and_close(&[
                "web3270: this port requires TLS.",
                "Use a TN3270 client with TLS (telnet START-TLS).",
                "Code: TLS_REQUIRED",
            ])
            .await;
        return "refused: no START-TLS".into();
    }
    if refused {
        client
            .show_and_close(&[
                "web3270: too many sessions.",
                &format!("The bridge serves at most {} at once.", config.max_sessions),
                "Please try again later.",
                "Code: TOO_MANY_SESSIONS",
            ])
            .await;
        return "refused: too many sessions".into();
    }
    if let Some(name) = neg.unknown {
        metrics::refusal(Listener::Native, RefusalReason::UnknownEndpoint);
        tracing::warn!(endpoint = %name, code = "UNKNOWN_ENDPOINT", "native: refused: unknown endpoint requested");
        client
            .show_and_close(&[
                &format!("web3270: unknown endpoint {name}"),
                "Connect with the name of a configured endpoint as the LU name,",
                "e.g. s3270 Connect(NAME@bridge:port), or no name for the default.",
                "Code: UNKNOWN_ENDPOINT",
            ])
            .await;
        return format!("unknown endpoint {name}");
    }
    let resolved = match neg.resolved.map(Ok).unwrap_or_else(|| resolve(pool, None)) {
        Ok(r) => r,
        Err(_) => {
            metrics::refusal(Listener::Native, RefusalReason::UnknownEndpoint);
            tracing::warn!(
                code = "NO_ENDPOINT",
                "native: refused: no endpoint is configured"
            );
            client
                .show_and_close(&["web3270: no endpoint is configured.", "Code: NO_ENDPOINT"])
                .await;
            return "no endpoint configured".into();
        }
    };
    let mode = client.conn.mode();
    let client_functions = match mode {
        Mode::Tn3270e { functions, .. } => Some(functions),
        _ => None,
    };
    let terminal_type = neg
        .terminal_type
        .unwrap_or_else(|| UpstreamOptions::default().terminal_type);
    let request = PoolRequest {
        target: resolved.target.as_deref(),
        lu: resolved.lu.as_deref(),
    };
    // The client's terminal type, TN3270E exactly when the client has it, its functions,
    // its own responses; the pool sets the LU.
    let options = |endpoint: &crate::server::EndpointState| {
        let options = UpstreamOptions::for_endpoint(&endpoint.config)?;
        Ok(UpstreamOptions {
            terminal_type: terminal_type.clone(),
            tn3270e: client_functions.is_some(),
            functions: client_functions.unwrap_or(options.functions),
            auto_respond: false,
            ..options
        })
    };
    let connected = tokio::select! {
        c = pool.connect(request, options) => c,
        () = stopped(&mut stop) => {
            client
                .show_and_close_within(&["web3270: the bridge is shutting down.", "Code: SHUTDOWN"], SHUTDOWN_LINGER)
                .await;
            return "bridge shutdown while connecting".into();
        }
    };
    let connected = match connected {
        Ok(c) => c,
        Err(error) => {
            let what = pool
                .resolve(resolved.target.as_deref())
                .map_or_else(|_| "any endpoint".to_owned(), |s| s.short());
            metrics::refusal(Listener::Native, error.refusal_reason());
            tracing::warn!(target = %what, %error, code = error.code(),
                "native: cannot place the session");
            // Title, summary, code (rows 0-2), then one row per endpoint tried.
            let mut lines = vec![
                format!("web3270: cannot connect to {what}."),
                error.summary(),
                format!("Code: {}", error.code()),
            ];
            if !error.tried().is_empty() {
                lines.push("Tried:".into());
            }
            lines.extend(
                error
                    .tried()
                    .iter()
                    .take(MESSAGE_ROWS_FOR_DETAIL)
                    .map(|t| format!("  {}: {} {}", t.endpoint, t.code, t.message)),
            );
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            client.show_and_close(&lines).await;
            return format!("cannot place the session: {}", error.code());
        }
    };
    let _lease = connected.lease;
    let upstream = connected.upstream;
    let resolved_name = connected.endpoint.config.name.clone();
    if let Admission::Session(slot) = &mut admission {
        slot.assign(&resolved_name);
    }
    let (info, sender, events) = upstream.into_split();
    let _active = metrics::native_session();
    let span = tracing::Span::current();
    span.record("endpoint", resolved_name.as_str());
    span.record("lu", info.lu.as_deref().unwrap_or("-"));
    tracing::info!(endpoint = %resolved_name, target = %info.target, terminal_type = %info.terminal_type,
        lu = ?info.lu, client_mode = ?mode, host_mode = ?info.mode, "native: session started");
    let host_binds = matches!(info.mode, Mode::Tn3270e { functions, .. } if functions.contains(Function::BindImage));
    if !host_binds {
        client.bind_if_unbound();
    }
    let host_tn3270e = matches!(info.mode, Mode::Tn3270e { .. });
    let audit = config.audit.native_session(
        &resolved_name,
        client.stream.peer_addr().ok(),
        &info.terminal_type,
        info.lu.as_deref(),
    );
    // The session's screen mirror, and its entry in the instance's session table (listed,
    // shown and ended through the REST API).
    let mirror = Mirror::new(
        model_of(&info.terminal_type),
        info.mode,
        info.lu.clone(),
        connected
            .endpoint
            .config
            .code_page
            .as_deref()
            .and_then(tn3270::codepage::CodePage::by_name),
    );
    let entry = config.places.as_ref().and_then(|places| {
        places.register(NativeSession {
            endpoint: resolved_name.clone(),
            lu: info.lu.clone(),
            model: model_name(&model_of(&info.terminal_type)),
            client: client.stream.peer_addr().ok().map(|a| a.to_string()),
        })
    });
    if let Some(entry) = &entry {
        span.record("session", entry.id());
    }
    let host = Host {
        sender,
        events,
        tn3270e: host_tn3270e,
    };
    let reason = relay(client, host, mirror, entry, config, stop).await;
    audit.closed(&reason);
    reason
}

/// Completes once shutdown has been signalled (or the signal's sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Negotiates with the client until 3270 mode; `Err` is why the connection ended first.
async fn negotiate(
    client: &mut Client,
    pool: &Pool,
    config: &NativeConfig,
    refused: bool,
    stop: &mut watch::Receiver<bool>,
) -> Result<Negotiated, String> {
    let deadline = Instant::now() + config.negotiate_timeout;
    let mut neg = Negotiated::default();
    loop {
        let event = tokio::select! {
            ev = tokio::time::timeout_at(deadline, client.next_event()) => match ev {
                Err(_) => return Err("negotiation timeout".into()),
                Ok(Err(error)) => return Err(format!("client error during negotiation: {error}")),
                Ok(Ok(None)) => return Err("closed by the client during negotiation".into()),
                Ok(Ok(Some(ev))) => ev,
            },
            () = stopped(stop) => return Err("bridge shutdown during negotiation".into()),
        };
        match event {
            Event::DeviceRequested {
                terminal_type,
                name,
            } => {
                let requested = match name {
                    DeviceName::Associate(lu) => {
                        metrics::refusal(Listener::Native, RefusalReason::PrinterRejected);
                        tracing::info!(%lu, code = "INV-ASSOCIATE", "native: printer ASSOCIATE rejected");
                        client.conn.reject_device(ReasonCode::InvAssociate);
                        continue;
                    }
                    DeviceName::Connect(n) => Some(n),
                    DeviceName::None => None,
                };
                neg.terminal_type = Some(terminal_type);
                if refused {
                    client
                        .conn
                        .accept_device(requested.as_deref().unwrap_or(REFUSAL_LU));
                    continue;
                }
                match resolve(pool, requested.as_deref()) {
                    Ok(r) => {
                        client
                            .conn
                            .accept_device(requested.as_deref().unwrap_or(BRIDGE_LU));
                        neg.resolved = Some(r);
                        neg.unknown = None;
                    }
                    Err(name) => {
                        tracing::warn!(endpoint = %name, "native: unknown endpoint: DEVICE-TYPE REJECT INV-NAME");
                        client.conn.reject_device(ReasonCode::InvName);
                        neg.unknown = Some(name);
                    }
                }
            }
            Event::Device { terminal_type, lu } => {
                neg.terminal_type = Some(terminal_type);
                if neg.resolved.is_none() && !refused {
                    match resolve(pool, lu.as_deref()) {
                        Ok(r) => {
                            neg.resolved = Some(r);
                            neg.unknown = None;
                        }
                        Err(name) => neg.unknown = Some(name),
                    }
                }
            }
            Event::StartTls => {
                let Some(StartTls(acceptor)) = &config.start_tls else {
                    continue;
                };
                client
                    .flush()
                    .await
                    .map_err(|e| format!("client write: {e}"))?;
                if let Err(error) = client.start_tls(&acceptor.current()).await {
                    metrics::refusal(Listener::Native, RefusalReason::TlsRequired);
                    tracing::warn!(cause = error.code(), %error, "native: START-TLS failed");
                    return Err(format!("START-TLS failed: {error}"));
                }
                tracing::debug!("native: START-TLS done");
                client.conn.tls_established();
            }
            Event::ModeChanged(mode) if mode.is_3270() => {
                client
                    .flush()
                    .await
                    .map_err(|e| format!("client write: {e}"))?;
                return Ok(neg);
            }
            other => tracing::debug!(?other, "native: negotiation event"),
        }
    }
}

/// The host side of a placed session.
struct Host {
    sender: UpstreamSender,
    events: UpstreamEvents,
    /// Whether the host connection is in TN3270E mode.
    tn3270e: bool,
}

/// The next request from the API for `entry`'s session (pending forever without an entry).
async fn api_request(entry: &mut Option<NativeEntry>) -> NativeRequest {
    match entry {
        Some(entry) => entry.next().await,
        None => std::future::pending().await,
    }
}

/// Relays records both ways until one side ends, the idle timeout, the lifetime, a `DELETE`
/// or shutdown; the mirror follows the host and answers the API's screen reads.
async fn relay(
    mut client: Client,
    host: Host,
    mut mirror: Mirror,
    mut entry: Option<NativeEntry>,
    config: &NativeConfig,
    mut stop: watch::Receiver<bool>,
) -> String {
    let Host {
        sender,
        mut events,
        tn3270e: host_tn3270e,
    } = host;
    let mut idle_at = Instant::now() + config.idle_timeout;
    let ends_at = Instant::now()
        .checked_add(config.lifetime)
        .unwrap_or_else(far_future);
    if let Err(error) = client.flush().await {
        return format!("client write: {error}");
    }
    loop {
        tokio::select! {
            ev = client.next_event() => {
                idle_at = Instant::now() + config.idle_timeout;
                match ev {
                    Ok(Some(ev)) => {
                        mirror.sent(&ev);
                        to_host(&mut client.conn, &sender, host_tn3270e, ev).await;
                    }
                    Ok(None) => return "closed by the client".into(),
                    Err(error) => return format!("client error: {error}"),
                }
            }
            ev = events.recv() => {
                idle_at = Instant::now() + config.idle_timeout;
                match ev {
                    Some(UpstreamEvent::Closed { reason }) => {
                        return host_closed(&mut client, &reason).await;
                    }
                    None => {
                        return host_closed(&mut client, &crate::upstream::CloseReason::Local).await;
                    }
                    Some(ev) => {
                        mirror.follow(&ev);
                        to_client(&mut client.conn, ev);
                    }
                }
                if let Err(error) = client.flush().await {
                    return format!("client write: {error}");
                }
            }
            () = tokio::time::sleep_until(idle_at) => {
                client.show_and_close(&[
                    "web3270: session ended: no input for too long.",
                    "Code: IDLE_TIMEOUT",
                ]).await;
                return "idle timeout".into();
            }
            () = tokio::time::sleep_until(ends_at) => {
                client.show_and_close(&[
                    "web3270: session ended: it reached its maximum lifetime.",
                    "Code: SESSION_TIMEOUT",
                ]).await;
                return "session lifetime reached".into();
            }
            () = stopped(&mut stop) => {
                client.show_and_close_within(&[
                    "web3270: the bridge is shutting down.",
                    "Code: SHUTDOWN",
                ], SHUTDOWN_LINGER).await;
                return "bridge shutdown".into();
            }
            request = api_request(&mut entry) => match request {
                NativeRequest::Screen(reply) => {
                    let id = entry.as_ref().map_or("", NativeEntry::id);
                    let _ = reply.send(mirror.view(id));
                }
                NativeRequest::End(done) => {
                    tracing::info!("native: session ended through the REST API");
                    client.show_and_close(&[
                        "web3270: session ended by an administrator.",
                        "Code: SESSION_DELETED",
                    ]).await;
                    let _ = done.send(());
                    return "ended through the REST API".into();
                }
                NativeRequest::Shutdown(done) => {
                    client.show_and_close_within(&[
                        "web3270: the bridge is shutting down.",
                        "Code: SHUTDOWN",
                    ], SHUTDOWN_LINGER).await;
                    let _ = done.send(());
                    return "bridge shutdown".into();
                }
            },
        }
    }
}

/// The host ended: a host that closes is passed on as a close; any other reason gets a
/// screen with its code first.
async fn host_closed(client: &mut Client, reason: &crate::upstream::CloseReason) -> String {
    use crate::upstream::CloseReason;
    if *reason == CloseReason::HostClosed {
        let _ = client.flush().await;
        let _ = client.stream.shutdown().await;
        return "closed by the host".into();
    }
    tracing::warn!(
        code = reason.code(),
        ?reason,
        "native: upstream connection lost"
    );
    client
        .show_and_close(&[
            "web3270: the connection to the host was lost.",
            &format!("Code: {}", reason.code()),
        ])
        .await;
    format!("upstream lost: {}", reason.code())
}

/// Relays one client event to the host. Send failures are logged: a dead upstream reports
/// `Closed`, which ends the session.
async fn to_host(conn: &mut HostConnection, up: &UpstreamSender, host_tn3270e: bool, ev: Event) {
    let result = match ev {
        Event::Record { header, data } => {
            let r = match header {
                Some(h) if host_tn3270e => up.send_record_with_header(h, &data).await.map(|_| ()),
                Some(h) => up.send_record(h.data_type, &data).await.map(|_| ()),
                None => up.send_record(DataType::Data3270, &data).await.map(|_| ()),
            };
            conn.recycle(data);
            r
        }
        Event::Response {
            seq,
            positive,
            code,
        } if host_tn3270e => up.send_response(seq, response(positive, code)).await,
        Event::Attn => up.attn().await,
        Event::SysReq => up.sysreq().await,
        Event::NvtData(data) => {
            let r = up.send_nvt(&data).await;
            conn.recycle(data);
            r
        }
        other => {
            tracing::debug!(?other, "native: client event not relayed");
            Ok(())
        }
    };
    if let Err(error) = result {
        tracing::debug!(%error, "native: relaying to the host failed");
    }
}

/// Relays one host event to the client.
fn to_client(conn: &mut HostConnection, ev: UpstreamEvent) {
    let client_tn3270e = matches!(conn.mode(), Mode::Tn3270e { .. });
    let result = match ev {
        UpstreamEvent::Record {
            data_type,
            header: Some(h),
            data,
        } if client_tn3270e => conn
            .send_record_with_header(h, &data)
            .map(|_| ())
            .map_err(|e| (data_type, e)),
        UpstreamEvent::Record {
            data_type, data, ..
        } => match data_type {
            DataType::NvtData => conn.send_nvt(&data).map_err(|e| (data_type, e)),
            _ => conn
                .send_record(data_type, &data)
                .map(|_| ())
                .map_err(|e| (data_type, e)),
        },
        UpstreamEvent::Bind(bind) if client_tn3270e => conn
            .send_record(DataType::BindImage, &bind.raw)
            .map(|_| ())
            .map_err(|e| (DataType::BindImage, e)),
        UpstreamEvent::Unbind { reason } if client_tn3270e => {
            let data: Vec<u8> = reason.into_iter().collect();
            conn.send_record(DataType::Unbind, &data)
                .map(|_| ())
                .map_err(|e| (DataType::Unbind, e))
        }
        UpstreamEvent::Response {
            seq,
            positive,
            code,
        } if client_tn3270e => conn
            .send_response(seq, response(positive, code))
            .map_err(|e| (DataType::Response, e)),
        other => {
            tracing::debug!(?other, "native: host event not relayed");
            Ok(())
        }
    };
    if let Err((data_type, error)) = result {
        tracing::debug!(?data_type, ?error, "native: relaying to the client failed");
    }
}

/// A RESPONSE from its wire form (RFC 2355 §8.1): positive, or negative with the reason
/// byte; an unknown reason byte relays as COMMAND-REJECT.
fn response(positive: bool, code: u8) -> Response {
    if positive {
        return Response::Positive;
    }
    let reason = [
        NegativeReason::CommandReject,
        NegativeReason::InterventionRequired,
        NegativeReason::OperationCheck,
        NegativeReason::ComponentDisconnected,
    ]
    .into_iter()
    .find(|r| r.byte() == code)
    .unwrap_or(NegativeReason::CommandReject);
    Response::Negative(reason)
}

/// An instant no session lives to see (a lifetime too long to add to now).
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Responses keep their reason; an unknown byte becomes COMMAND-REJECT.
    #[test]
    fn responses_from_wire_form() {
        assert_eq!(response(true, 0x00), Response::Positive);
        assert_eq!(
            response(false, NegativeReason::OperationCheck.byte()),
            Response::Negative(NegativeReason::OperationCheck)
        );
        assert_eq!(
            response(false, 0x7f),
            Response::Negative(NegativeReason::CommandReject)
        );
    }

    /// A bridge screen: EW (X'05'), WCC, then per line SBA + SF(protected, intensified) +
    /// EBCDIC text; lines longer than a row are cut.
    #[test]
    fn message_screen_bytes() {
        let rec = message_screen(&["AB"]);
        assert_eq!(rec[0], 0x05, "Erase/Write");
        assert_eq!(&rec[2..5], [0x11, 0x40, 0x40], "SBA row 0 col 0");
        assert_eq!(rec[5], 0x1d, "SF");
        assert_eq!(&rec[7..], [0xc1, 0xc2], "AB in CP037");
        let long = "x".repeat(200);
        let rec = message_screen(&[&long]);
        assert_eq!(rec.len(), 7 + MESSAGE_LINE_MAX);
    }
}
