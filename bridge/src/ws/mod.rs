//! `GET /ws`: the browser's websocket, protocol `web3270.v1` (specified in
//! `docs/WEBSOCKET.md`; keep the two in step).
//!
//! Owns: the upgrade (subprotocol check, message and frame size limits), the `hello`
//! handshake (endpoint by configured NAME only, model, resume), the relay between one
//! websocket and its [`crate::session`] (host records as binary `[data type] + record`,
//! RFC 2355 §8.1.1 codes; JSON control messages), the stable error codes and the 4xxx close
//! codes. Does not own: sessions, the mirror, record validation against the screen (those
//! are in [`crate::session`]), upstream connections ([`crate::upstream`]).
//!
//! Authentication (`authentication:`, [`crate::auth`]): an `Authorization` header on the
//! upgrade (checked by the HTTP guard), else the `hello`'s `auth` object (token, user and
//! password, or a ticket); refused with `UNAUTHORIZED` and close code 4401. Nothing is ever
//! taken from the URL query.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use tn3270::tn3270e::{DataType, Mode, Session};
use tracing::Instrument as _;

use crate::metrics::{self, Listener, RefusalReason};
use crate::ratelimit::ClientAddr;
use crate::server::AppState;
use crate::session::open::{open, OpenError, OpenRequest};
use crate::session::{Attachment, Input, Kick, SessionInfo, ToBrowser};

/// The websocket subprotocol of this version of the protocol.
pub const SUBPROTOCOL: &str = "web3270.v1";

/// How long the browser has to send `hello` after the upgrade.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// Default largest websocket message (and frame) when the configuration gives none.
pub const DEFAULT_MAX_MESSAGE: usize = 1 << 20;

/// Initial size (and largest read) of each websocket's read buffer. Inbound records are a
/// few bytes to a few KB (an AID with its fields, a Query Reply); the buffer grows for a
/// larger frame, up to the message limit. tungstenite's default (128 KiB, zero-filled on the
/// first read) alone made an idle session cost 128 KiB of RSS.
pub const READ_BUFFER: usize = 4096;

/// Outgoing frames are written at once, not gathered up to a size (each record is one
/// message and latency matters more than syscalls); the buffer keeps the capacity of the
/// largest frame sent.
pub const WRITE_BUFFER: usize = 0;

/// Most bytes of outgoing frames buffered in the websocket writer (beyond the session's
/// message queue) before a write fails and the browser is detached.
pub const MAX_WRITE_BUFFER: usize = 4 << 20;

/// Longest time one websocket write may block (a browser that stopped reading, a dead
/// network path) before the browser is treated as gone and the session detached.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

pub mod origin;

/// Close codes (RFC 6455 §7.4.2 private range) and the stable error codes they go with.
pub mod close {
    /// The session ended (host closed, keepalive, bridge shutdown): `status` said why.
    pub const SESSION_ENDED: u16 = 4000;
    /// The browser could not keep up; the session is detached and can be resumed.
    pub const SLOW_CONSUMER: u16 = 4008;
    /// Another websocket resumed this session.
    pub const TAKEN_OVER: u16 = 4009;
    /// `hello` missing, late, not JSON, or with a bad field (`BAD_HELLO`).
    pub const BAD_HELLO: u16 = 4400;
    /// Authentication is on and the hello's credentials are missing or wrong, or the client
    /// is damped after repeated failures (`UNAUTHORIZED`).
    pub const UNAUTHORIZED: u16 = 4401;
    /// No endpoint of that name (`ENDPOINT_UNKNOWN`), or none configured.
    pub const ENDPOINT_UNKNOWN: u16 = 4404;
    /// The resume token matches no live session (`RESUME_FAILED`).
    pub const RESUME_FAILED: u16 = 4410;
    /// `sessions.max_sessions` reached (`SESSION_LIMIT`).
    pub const SESSION_LIMIT: u16 = 4429;
    /// A bridge-side failure (`INTERNAL`).
    pub const INTERNAL: u16 = 4500;
    /// The host could not be reached or negotiated (`ENDPOINT_UNAVAILABLE`).
    pub const ENDPOINT_UNAVAILABLE: u16 = 4502;
    /// Every LU of the endpoint's LU pool is in use (`LU_POOL_EXHAUSTED`).
    pub const LU_POOL_EXHAUSTED: u16 = 4503;
}

/// The browser's first message.
#[derive(Debug, Deserialize)]
struct Hello {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    endpoint: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    resume: Option<String>,
    /// Credentials when authentication is on (docs/WEBSOCKET.md § Authentication).
    #[serde(default)]
    auth: Option<crate::auth::HelloAuth>,
}

/// Control messages from the browser after `hello`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Control {
    Attn,
    Sysreq,
    Activity,
    Ping {
        #[serde(default)]
        id: serde_json::Value,
    },
}

/// A refusal: error code, close code, message.
struct Refusal {
    code: &'static str,
    close: u16,
    message: String,
}

/// `GET /ws`: upgrades when the browser offers [`SUBPROTOCOL`], else 400 `BAD_SUBPROTOCOL`.
pub async fn upgrade(
    State(state): State<Arc<AppState>>,
    ClientAddr(client_addr): ClientAddr,
    principal: Option<axum::Extension<crate::auth::Principal>>,
    context: Option<axum::Extension<crate::auth::http::RequestContext>>,
    headers: axum::http::HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let principal = principal.map(|p| p.0);
    let client = context.and_then(|c| c.0.client).or(client_addr);
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if !origin::allowed(
        header("origin"),
        header("host"),
        header("x-forwarded-host"),
        &state.config.server.embed_allowed_origins,
    ) {
        metrics::refusal(Listener::Http, RefusalReason::OriginNotAllowed);
        let origin = header("origin").unwrap_or_default();
        tracing::warn!(client = ?client, %origin, code = "ORIGIN_NOT_ALLOWED",
            "websocket refused: a page of another origin (server.embed_allowed_origins)");
        let body = json!({
            "err": "ORIGIN_NOT_ALLOWED",
            "message": format!("pages of {origin} may not open the terminal's websocket (server.embed_allowed_origins)"),
            "status": 403,
        });
        return (StatusCode::FORBIDDEN, Json(body)).into_response();
    }
    let ws = ws.protocols([SUBPROTOCOL]);
    if ws.selected_protocol().is_none() {
        metrics::refusal(Listener::Http, RefusalReason::BadSubprotocol);
        tracing::info!(client = ?client, code = "BAD_SUBPROTOCOL", "websocket refused: no {SUBPROTOCOL} offered");
        let body = json!({
            "err": "BAD_SUBPROTOCOL",
            "message": format!("the websocket must offer subprotocol {SUBPROTOCOL}"),
            "status": 400,
        });
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    }
    let max = usize::try_from(state.config.buffers.websocket_max_message)
        .ok()
        .filter(|&m| m > 0)
        .unwrap_or(DEFAULT_MAX_MESSAGE);
    ws.max_message_size(max)
        .max_frame_size(max)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .on_upgrade(move |socket| {
            serve(state, socket, principal, client).instrument(session_span(client))
        })
}

/// The span every log line of one websocket carries; `session`, `endpoint` and `lu` are
/// filled in once `hello` is answered.
fn session_span(client: Option<SocketAddr>) -> tracing::Span {
    let client = client.map_or_else(|| "-".to_owned(), |a| a.to_string());
    tracing::info_span!(
        "ws",
        %client,
        session = tracing::field::Empty,
        endpoint = tracing::field::Empty,
        lu = tracing::field::Empty,
    )
}

async fn serve(
    state: Arc<AppState>,
    mut socket: WebSocket,
    principal: Option<crate::auth::Principal>,
    client: Option<std::net::SocketAddr>,
) {
    // Boxed: opening a session (connect, negotiate) is a large future; on the heap only
    // while it runs, it does not size this task for the session's whole life.
    let attachment = match Box::pin(hello(&state, &mut socket, principal, client)).await {
        Ok(a) => a,
        Err(r) => {
            metrics::refusal(Listener::Websocket, RefusalReason::from_code(r.code));
            tracing::info!(code = r.code, "websocket refused: {}", r.message);
            let _ = send_json(&mut socket, error_json(r.code, &r.message)).await;
            close_with(&mut socket, r.close, r.code).await;
            return;
        }
    };
    relay(socket, attachment).await;
}

/// Reads `hello` and creates or resumes the session.
async fn hello(
    state: &Arc<AppState>,
    socket: &mut WebSocket,
    principal: Option<crate::auth::Principal>,
    client: Option<std::net::SocketAddr>,
) -> Result<Attachment, Refusal> {
    let bad = |message: String| Refusal {
        code: "BAD_HELLO",
        close: close::BAD_HELLO,
        message,
    };
    let text = match tokio::time::timeout(HELLO_TIMEOUT, socket.recv()).await {
        Ok(Some(Ok(Message::Text(t)))) => t,
        Ok(Some(Ok(_))) => return Err(bad("the first message must be a text hello".into())),
        Ok(_) => return Err(bad("the websocket closed before hello".into())),
        Err(_) => return Err(bad("no hello in time".into())),
    };
    let hello: Hello =
        serde_json::from_str(text.as_str()).map_err(|e| bad(format!("hello: {e}")))?;
    if hello.kind != "hello" {
        return Err(bad(format!("expected hello, got {:?}", hello.kind)));
    }
    let user = authenticate(state, &hello, principal, client).await?;
    if let Some(token) = &hello.resume {
        // Only the user who opened the session may resume it.
        return state
            .sessions
            .resume_as(token, user.as_deref())
            .await
            .map_err(|_| Refusal {
                code: "RESUME_FAILED",
                close: close::RESUME_FAILED,
                message: "no live session holds this resume token".into(),
            });
    }
    let request = OpenRequest {
        endpoint: hello.endpoint.as_deref(),
        model: hello.model.as_deref(),
        options: crate::session::StartOptions {
            user: user.clone(),
            client: client.map(|a| a.to_string()),
            ..crate::session::StartOptions::default()
        },
        caller: crate::auth::Caller {
            user,
            client,
            channel: "websocket",
        },
    };
    let opened = open(state, request).await;
    if opened.is_ok() {
        metrics::session_started(metrics::SessionKind::Websocket);
    }
    opened.map_err(|e| Refusal {
        // A bad model is a bad hello on this protocol (docs/WEBSOCKET.md).
        code: match &e {
            OpenError::BadModel(_) => "BAD_HELLO",
            _ => e.code(),
        },
        close: match &e {
            OpenError::UnknownEndpoint(_) => close::ENDPOINT_UNKNOWN,
            OpenError::BadModel(_) => close::BAD_HELLO,
            OpenError::Limit(_) => close::SESSION_LIMIT,
            OpenError::Unavailable(_) => close::ENDPOINT_UNAVAILABLE,
            OpenError::LuPoolExhausted(_) => close::LU_POOL_EXHAUSTED,
            OpenError::Internal(_) => close::INTERNAL,
        },
        message: e.to_string(),
    })
}

/// With authentication on: the principal from the upgrade's `Authorization` header, else the
/// hello's `auth` credentials (checked, damped and audited by [`crate::auth`]). Returns the
/// user (`None` with authentication off).
async fn authenticate(
    state: &Arc<AppState>,
    hello: &Hello,
    principal: Option<crate::auth::Principal>,
    client: Option<std::net::SocketAddr>,
) -> Result<Option<String>, Refusal> {
    if !state.auth.is_enabled() {
        return Ok(None);
    }
    let principal = match principal {
        Some(p) => p,
        None => {
            let credentials = hello.auth.as_ref().and_then(|a| a.credentials());
            crate::auth::http::authenticate(state, credentials, client, "/ws".into())
                .await
                .map_err(|e| Refusal {
                    code: "UNAUTHORIZED",
                    close: close::UNAUTHORIZED,
                    message: e.message(),
                })?
        }
    };
    state.auth.audit_success(&principal, client, "/ws");
    Ok(Some(principal.user))
}

/// Relays until the browser goes (detach), is let go (kick), or the session ends.
async fn relay(mut socket: WebSocket, attachment: Attachment) {
    let Attachment {
        info,
        mut rx,
        mut kick,
        handle,
    } = attachment;
    let span = tracing::Span::current();
    span.record("session", info.session_id.as_str());
    span.record("endpoint", info.endpoint.as_str());
    span.record("lu", info.lu.as_deref().unwrap_or("-"));
    tracing::info!(session = %info.session_id, "browser attached");
    if send_json(&mut socket, session_json(&info)).await.is_err() {
        handle.detach().await;
        return;
    }
    let mut kick_open = true;
    loop {
        tokio::select! {
            // A kick first: a browser that is let go gets its close code at once, not after
            // its (full) queue; then host output before browser input.
            biased;
            k = &mut kick, if kick_open => match k {
                Ok(Kick::SlowConsumer) => {
                    close_with(&mut socket, close::SLOW_CONSUMER, "SLOW_CONSUMER").await;
                    return;
                }
                Ok(Kick::TakenOver) => {
                    close_with(&mut socket, close::TAKEN_OVER, "TAKEN_OVER").await;
                    return;
                }
                // The session let go of us without a word: it is ending; `rx` says how.
                Err(_) => kick_open = false,
            },
            out = rx.recv() => {
                let (msg, end) = match out {
                    Some(ToBrowser::Ended { code, message }) => (ended_json(code, &message), true),
                    None => (ended_json("ENDED", "the session ended"), true),
                    Some(ToBrowser::Record(data_type, data)) => {
                        let mut bytes = Vec::with_capacity(data.len() + 1);
                        bytes.push(data_type.byte());
                        bytes.extend_from_slice(&data);
                        if send(&mut socket, Message::Binary(bytes.into())).await.is_err() {
                            handle.detach().await;
                            return;
                        }
                        continue;
                    }
                    Some(ToBrowser::Mode(mode)) => (mode_json(mode), false),
                    Some(ToBrowser::Warning { code, seconds, message }) => (
                        json!({"type": "warning", "code": code, "seconds": seconds, "message": message}),
                        false,
                    ),
                    Some(ToBrowser::WarningCleared { code }) => {
                        (json!({"type": "warning_cleared", "code": code}), false)
                    }
                    Some(ToBrowser::Error { code, message }) => {
                        // The session refused something the browser sent (e.g. BAD_RECORD).
                        metrics::refusal(Listener::Websocket, RefusalReason::from_code(code));
                        tracing::info!(code, "browser input refused: {message}");
                        (error_json(code, &message), false)
                    }
                };
                if send_json(&mut socket, msg).await.is_err() {
                    handle.detach().await;
                    return;
                }
                if end {
                    close_with(&mut socket, close::SESSION_ENDED, "SESSION_ENDED").await;
                    return;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Binary(bytes))) => {
                    if let Some((code, message)) = browser_record(&bytes, &handle).await {
                        metrics::refusal(Listener::Websocket, RefusalReason::BadRecord);
                        tracing::info!(code, "browser record refused: {message}");
                        if send_json(&mut socket, error_json(code, &message)).await.is_err() {
                            handle.detach().await;
                            return;
                        }
                    }
                }
                Some(Ok(Message::Text(text))) => {
                    let answer = match serde_json::from_str::<Control>(text.as_str()) {
                        Ok(Control::Attn) => { handle.input(Input::Attn).await; None }
                        Ok(Control::Sysreq) => { handle.input(Input::SysReq).await; None }
                        Ok(Control::Activity) => { handle.input(Input::Activity).await; None }
                        Ok(Control::Ping { id }) => Some(json!({"type": "pong", "id": id})),
                        Err(e) => {
                            metrics::refusal(Listener::Websocket, RefusalReason::BadMessage);
                            tracing::info!(code = "BAD_MESSAGE", error = %e, "control message refused");
                            Some(error_json("BAD_MESSAGE", &format!("control message: {e}")))
                        }
                    };
                    if let Some(answer) = answer {
                        if send_json(&mut socket, answer).await.is_err() {
                            handle.detach().await;
                            return;
                        }
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Err(e)) if is_oversized(&e) => {
                    metrics::refusal(Listener::Websocket, RefusalReason::OversizedMessage);
                    tracing::info!(code = "MESSAGE_TOO_BIG", error = %e, "browser message refused: too big; browser detached");
                    handle.detach().await;
                    return;
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                    tracing::info!(session = %info.session_id, "browser detached");
                    handle.detach().await;
                    return;
                }
            },
        }
    }
}

/// A binary message from the browser: `[data type] + record`. Returns the error to report,
/// if refused here; 3270-DATA is checked further by the session.
async fn browser_record(
    bytes: &[u8],
    handle: &crate::session::AttachedHandle,
) -> Option<(&'static str, String)> {
    let Some((&code, record)) = bytes.split_first() else {
        return Some(("BAD_RECORD", "empty binary message".into()));
    };
    match DataType::from_byte(code) {
        Some(dt @ (DataType::Data3270 | DataType::SscpLuData)) => {
            handle.input(Input::Record(dt, record.to_vec())).await;
            None
        }
        _ => Some((
            "BAD_RECORD",
            format!("data type 0x{code:02x} may not be sent by the browser"),
        )),
    }
}

/// Whether a websocket read failed on a message or frame past the configured size.
fn is_oversized(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(tungstenite::Error::Capacity(_)) = err.downcast_ref::<tungstenite::Error>() {
            return true;
        }
        source = err.source();
    }
    false
}

fn session_json(info: &SessionInfo) -> serde_json::Value {
    json!({
        "type": "session",
        "session_id": info.session_id,
        "resume_token": info.resume_token,
        "endpoint": info.endpoint,
        "lu": info.lu,
        "terminal_type": info.terminal_type,
        "model": info.model,
        "mode": mode_name(info.mode),
        "lu_state": lu_state(info.mode),
        "tls": info.tls,
        "code_page": info.code_page,
    })
}

/// The last `status`: `host-closed` when the host closed, else `ended`.
fn ended_json(code: &str, message: &str) -> serde_json::Value {
    let state = if code == "HOST_CLOSED" {
        "host-closed"
    } else {
        "ended"
    };
    json!({"type": "status", "state": state, "code": code, "message": message})
}

fn mode_json(mode: Mode) -> serde_json::Value {
    json!({"type": "status", "state": "mode", "mode": mode_name(mode), "lu_state": lu_state(mode)})
}

/// `negotiating`, `nvt`, `tn3270`, `tn3270e`.
pub fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Negotiating => "negotiating",
        Mode::Nvt => "nvt",
        Mode::Tn3270 => "tn3270",
        Mode::Tn3270e { .. } => "tn3270e",
    }
}

/// The TN3270E session state (`unbound`, `lu-lu`, `sscp-lu`, `nvt`), `null` outside TN3270E.
fn lu_state(mode: Mode) -> serde_json::Value {
    match mode {
        Mode::Tn3270e { session, .. } => json!(match session {
            Session::Unbound => "unbound",
            Session::LuLu => "lu-lu",
            Session::SscpLu => "sscp-lu",
            Session::Nvt => "nvt",
        }),
        _ => serde_json::Value::Null,
    }
}

fn error_json(code: &str, message: &str) -> serde_json::Value {
    json!({"type": "error", "code": code, "message": message})
}

/// Sends one message within [`WRITE_TIMEOUT`]; a browser whose socket stays blocked longer is
/// treated as gone (detached).
async fn send(socket: &mut WebSocket, msg: Message) -> Result<(), ()> {
    match tokio::time::timeout(WRITE_TIMEOUT, socket.send(msg)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}

async fn send_json(socket: &mut WebSocket, value: serde_json::Value) -> Result<(), ()> {
    send(socket, Message::Text(value.to_string().into())).await
}

async fn close_with(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = send(
        socket,
        Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })),
    )
    .await;
}
