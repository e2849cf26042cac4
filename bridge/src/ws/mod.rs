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
//! No authentication yet (to do with the `authentication` section); nothing is ever taken
//! from the URL query.

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
}

/// Control messages from the browser after `hello`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Control {
    Attn,
    Sysreq,
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
pub async fn upgrade(State(state): State<Arc<AppState>>, ws: WebSocketUpgrade) -> Response {
    let ws = ws.protocols([SUBPROTOCOL]);
    if ws.selected_protocol().is_none() {
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
        .on_upgrade(move |socket| serve(state, socket))
}

async fn serve(state: Arc<AppState>, mut socket: WebSocket) {
    // Boxed: opening a session (connect, negotiate) is a large future; on the heap only
    // while it runs, it does not size this task for the session's whole life.
    let attachment = match Box::pin(hello(&state, &mut socket)).await {
        Ok(a) => a,
        Err(r) => {
            tracing::info!(code = r.code, "websocket refused: {}", r.message);
            let _ = send_json(&mut socket, error_json(r.code, &r.message)).await;
            close_with(&mut socket, r.close, r.code).await;
            return;
        }
    };
    relay(socket, attachment).await;
}

/// Reads `hello` and creates or resumes the session.
async fn hello(state: &AppState, socket: &mut WebSocket) -> Result<Attachment, Refusal> {
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
    if let Some(token) = &hello.resume {
        return state.sessions.resume(token).await.map_err(|_| Refusal {
            code: "RESUME_FAILED",
            close: close::RESUME_FAILED,
            message: "no live session holds this resume token".into(),
        });
    }
    let request = OpenRequest {
        endpoint: hello.endpoint.as_deref(),
        model: hello.model.as_deref(),
    };
    open(state, request).await.map_err(|e| Refusal {
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
            OpenError::Internal(_) => close::INTERNAL,
        },
        message: e.to_string(),
    })
}

/// Relays until the browser goes (detach), is let go (kick), or the session ends.
async fn relay(mut socket: WebSocket, attachment: Attachment) {
    let Attachment {
        info,
        mut rx,
        mut kick,
        handle,
    } = attachment;
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
                    Some(ToBrowser::Error { code, message }) => (error_json(code, &message), false),
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
                        Ok(Control::Ping { id }) => Some(json!({"type": "pong", "id": id})),
                        Err(e) => Some(error_json("BAD_MESSAGE", &format!("control message: {e}"))),
                    };
                    if let Some(answer) = answer {
                        if send_json(&mut socket, answer).await.is_err() {
                            handle.detach().await;
                            return;
                        }
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
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
