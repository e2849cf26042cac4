//! `/api/v1/sessions`: create a headless session, list every session (websocket ones too),
//! read one, end it, read its screen, type into it.
//!
//! Owns: the request and answer bodies of these routes (the deployment guide's shapes, see
//! `docs/API.md`), resolving the guide's `{"host", "port"}` to a **configured** endpoint
//! (never an open relay), the mapping of refusals to HTTP statuses and codes, and the
//! `?wait=unlock` timeout. Does not own: opening sessions (`crate::session::open`, the one
//! path the websocket uses too), the session task and its mirror (`crate::session`), the
//! action syntax ([`super::actions`]), the screen shape ([`super::screen`]).

use axum::Extension;

use crate::auth::http::RequestContext;
use crate::auth::{Caller, Principal};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use tn3270::codepage::CodePage;
use tokio::sync::oneshot;
use utoipa::{IntoParams, ToSchema};

use super::actions::{self, Action, ActionError};
use super::error::{code, ApiError, ErrorBody};
use super::screen::ScreenView;
use crate::audit::time::rfc3339_seconds;
use crate::server::{AppState, EndpointState};
use crate::session::open::{open, OpenError, OpenRequest};
use crate::session::{
    ApiCommand, ApiRefusal, ApiSendError, SessionKind, SessionStatus, SessionSummary, StartOptions,
};

/// Default page size of `GET /sessions` (the guide's).
pub const DEFAULT_LIMIT: usize = 100;

/// Largest page size of `GET /sessions`.
pub const MAX_LIMIT: usize = 1000;

/// Default `timeout` of `?wait=unlock`, in seconds.
pub const DEFAULT_WAIT_SECONDS: u64 = 30;

/// Largest `timeout` of `?wait=unlock`, in seconds.
pub const MAX_WAIT_SECONDS: u64 = 300;

/// How long a session task may take to answer a command (it answers at once unless it is
/// stuck writing to a host that does not read).
const TASK_ANSWER: Duration = Duration::from_secs(10);

/// Longest `user` / `application` / `model` / `endpoint` / `host` string accepted.
const MAX_NAME: usize = 256;

/// The host the built-in demo endpoint is listed with (`GET /api/v1/endpoints`).
pub const BUILTIN_DEMO_HOST: &str = "builtin:demo";

/// `POST /api/v1/sessions`: either a configured endpoint's name, or the guide's host and
/// port, which must be a configured endpoint's; neither means the default endpoint.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CreateSession {
    /// A configured endpoint's name (or a pool's: the balancer picks).
    pub endpoint: Option<String>,
    /// A configured endpoint's host, as `GET /api/v1/endpoints` lists it (`builtin:demo`
    /// for the built-in demo host).
    pub host: Option<String>,
    /// Its port (optional with `host`: the first endpoint of that host by priority).
    pub port: Option<u16>,
    /// The guide's application name: recorded and listed, not interpreted.
    pub application: Option<String>,
    /// The user the session is for: recorded and listed (audit), not sent to the host.
    pub user: Option<String>,
    /// A model as s3270 spells it (`3279-2-E`, `3278-4`); default: the endpoint's.
    pub model: Option<String>,
}

/// One session, as every session route answers it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionResource {
    /// `sess_` + 32 hex digits.
    pub id: String,
    /// The endpoint's configured name.
    pub endpoint: String,
    /// The endpoint's host as `GET /api/v1/endpoints` lists it.
    pub host: String,
    /// The endpoint's port.
    pub port: u16,
    /// `connected` or `suspended` (API session), `attached` or `detached` (websocket
    /// session).
    pub status: SessionStatus,
    /// `api`, `websocket` or `native` (a TN3270 client on the bridge's TN3270 port).
    pub kind: SessionKind,
    /// The LU the host assigned, if any.
    pub lu: Option<String>,
    /// The model as s3270 spells it.
    pub model: String,
    /// RFC 3339 UTC, e.g. `2026-12-03T20:15:00Z`.
    pub created_at: String,
    /// The user given at creation.
    pub user: Option<String>,
    /// The application given at creation.
    pub application: Option<String>,
    /// While `status` is `suspended`: the reason given, if any.
    pub suspend_reason: Option<String>,
    /// (*ext.*) The address (`ip:port`, as in the audit log) of the browser, TN3270 client or
    /// REST caller that opened the session; behind a trusted proxy its `X-Forwarded-For`
    /// address (port 0).
    pub client_address: Option<String>,
}

/// `POST /api/v1/sessions/{id}/suspend` body (optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SuspendRequest {
    /// Why (logged and listed).
    pub reason: Option<String>,
}

/// `GET /api/v1/sessions` query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only sessions with this status.
    pub status: Option<SessionStatus>,
    /// Only sessions on this endpoint (by name).
    pub endpoint: Option<String>,
    /// Only sessions of this kind.
    pub kind: Option<SessionKind>,
    /// Page size, 1..=1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// Sessions to skip (default 0; past the end: an empty page).
    pub offset: Option<usize>,
}

/// `GET /api/v1/sessions` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    /// This page, oldest first.
    pub sessions: Vec<SessionResource>,
    /// Sessions matching the filters, all pages.
    pub total: usize,
    /// Page size used.
    pub limit: usize,
    /// Offset used.
    pub offset: usize,
}

/// `POST /api/v1/sessions/{id}/input`: the guide's text and key, or s3270 actions.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct InputRequest {
    /// Typed at the cursor, literally (`\n` is Newline, `\t` Tab); at most 4096
    /// characters (`actions::MAX_ACTION_CHARS`).
    #[schema(max_length = 4096)]
    pub input: Option<String>,
    /// Pressed after `input`: `ENTER`, `PF1`..`PF24`, `PA1`..`PA3`, `CLEAR`, `ATTN`,
    /// `SYSREQ`, `TAB`, `BACKTAB`, `HOME`, `NEWLINE`, `ERASEEOF`, `ERASEINPUT`, `RESET`,
    /// `DELETE`, `BACKSPACE`, `FIELDEND`, `LEFT`, `RIGHT`, `UP`, `DOWN`.
    pub function_key: Option<String>,
    /// s3270 actions, one per string: `String("x")`, `Tab()`, `MoveCursor(r,c)`,
    /// `Enter()`, `PF(3)`... Not together with `input`/`function_key`. At most 256
    /// (`actions::MAX_ACTIONS`), each at most 4096 characters.
    #[schema(max_items = 256)]
    pub actions: Option<Vec<String>>,
}

/// `POST /api/v1/sessions/{id}/input` query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InputQuery {
    /// `unlock`: answer (200, the screen) once the host has answered and the keyboard is
    /// unlocked.
    pub wait: Option<Wait>,
    /// Seconds to wait, 1..=300 (default 30); then 504 `WAIT_TIMEOUT`.
    #[param(minimum = 1, maximum = 300)]
    pub timeout: Option<u64>,
}

/// What `?wait=` waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Wait {
    /// The keyboard unlocked after the input (the host answered the AID).
    Unlock,
}

/// `POST /api/v1/sessions/{id}/input` answer without `wait`.
#[derive(Debug, Serialize, ToSchema)]
pub struct InputAccepted {
    /// The session.
    pub session_id: String,
    /// `accepted`.
    pub status: String,
    /// How many actions were applied (the guide's shape counts as one or two).
    pub actions: usize,
}

/// A JSON body, or 400 `INVALID_REQUEST` with serde's reason (not axum's plain text).
fn body<T>(json: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    json.map(|Json(v)| v)
        .map_err(|e| ApiError::invalid(format!("request body: {}", e.body_text())))
}

/// A query string, or 400 `INVALID_REQUEST`.
fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(v)| v)
        .map_err(|e| ApiError::invalid(format!("query: {}", e.body_text())))
}

fn check_len(what: &str, value: &Option<String>) -> Result<(), ApiError> {
    match value {
        Some(v) if v.len() > MAX_NAME => Err(ApiError::invalid(format!(
            "{what} is longer than {MAX_NAME} bytes"
        ))),
        _ => Ok(()),
    }
}

/// The host and port an endpoint is listed with (as `GET /api/v1/endpoints` shows them).
pub fn public_address(e: &EndpointState) -> (String, u16) {
    let (host, port) = e.target();
    if e.builtin_addr.is_some() {
        (BUILTIN_DEMO_HOST.to_owned(), port)
    } else {
        (host, port)
    }
}

/// The endpoint a creation request names, by name or by host/port; `None` = the default.
fn resolve(state: &AppState, req: &CreateSession) -> Result<Option<String>, ApiError> {
    let by_address = |e: &EndpointState, host: &str| {
        let (h, p) = public_address(e);
        h.eq_ignore_ascii_case(host) && req.port.is_none_or(|want| want == p)
    };
    match (&req.endpoint, &req.host) {
        (None, None) if req.port.is_some() => Err(ApiError::invalid("port needs a host")),
        (None, None) => Ok(None),
        (Some(name), host) => {
            let Some(e) = state.endpoints.get(name) else {
                // Not an endpoint: a pool's name is fine when no address is given.
                if host.is_none() && req.port.is_none() && state.endpoints.resolve(Some(name)).is_ok() {
                    return Ok(Some(name.clone()));
                }
                return Err(ApiError::invalid(format!("no endpoint is called {name:?}")));
            };
            if let Some(host) = host {
                if !by_address(&e, host) {
                    return Err(ApiError::invalid(format!(
                        "endpoint {name:?} is not {host}{}",
                        req.port.map(|p| format!(":{p}")).unwrap_or_default()
                    )));
                }
            } else if req.port.is_some() {
                return Err(ApiError::invalid("port needs a host"));
            }
            Ok(Some(e.config.name))
        }
        (None, Some(host)) => state
            .endpoints
            .iter()
            .filter(|e| by_address(e, host))
            .min_by_key(|e| e.config.priority)
            .map(|e| Some(e.config.name))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    code::ENDPOINT_NOT_ALLOWED,
                    format!(
                        "{host}{} is not a configured endpoint; the bridge only connects to its endpoints (GET /api/v1/endpoints)",
                        req.port.map(|p| format!(":{p}")).unwrap_or_default()
                    ),
                )
            }),
    }
}

/// Who asks, for audit: the authenticated user (none with authentication off) and the
/// client's address as the guard saw it (`crate::auth::http`).
fn rest_caller(
    principal: Option<Extension<Principal>>,
    context: Option<Extension<RequestContext>>,
) -> Caller {
    Caller {
        user: principal.map(|p| p.0.user),
        client: context.and_then(|c| c.0.client),
        channel: "rest",
    }
}

/// The answer for a refusal of `session::open`.
fn open_error(e: OpenError) -> ApiError {
    let message = e.to_string();
    match e {
        OpenError::UnknownEndpoint(_) | OpenError::BadModel(_) => ApiError::invalid(message),
        OpenError::Limit(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code::SESSION_LIMIT,
            message,
        ),
        OpenError::Unavailable(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code::ENDPOINT_UNAVAILABLE,
            message,
        ),
        OpenError::LuPoolExhausted(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code::LU_POOL_EXHAUSTED,
            message,
        ),
        OpenError::Internal(_) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            code::INTERNAL_ERROR,
            message,
        ),
    }
}

fn resource(state: &AppState, s: SessionSummary) -> SessionResource {
    let (host, port) = state
        .endpoints
        .get(&s.endpoint)
        .as_ref()
        .map(public_address)
        .unwrap_or_default();
    SessionResource {
        id: s.id,
        endpoint: s.endpoint,
        host,
        port,
        status: s.status,
        kind: s.kind,
        lu: s.lu,
        model: s.model,
        created_at: rfc3339_seconds(s.created_at),
        user: s.user,
        application: s.application,
        suspend_reason: s.suspend_reason,
        client_address: s.client,
    }
}

/// Creates a headless session.
#[utoipa::path(
    post,
    path = "/api/v1/sessions",
    tag = "sessions",
    request_body = CreateSession,
    responses(
        (status = 201, description = "The session is connected", body = SessionResource),
        (status = 400, description = "INVALID_REQUEST: malformed body, unknown endpoint name, bad model", body = ErrorBody),
        (status = 403, description = "ENDPOINT_NOT_ALLOWED: host/port is not a configured endpoint", body = ErrorBody),
        (status = 500, description = "INTERNAL_ERROR: a bridge-side failure", body = ErrorBody),
        (status = 503, description = "SESSION_LIMIT (max_sessions reached), LU_POOL_EXHAUSTED (every LU of lu_names in use) or ENDPOINT_UNAVAILABLE (host unreachable)", body = ErrorBody),
    )
)]
pub async fn create_session(
    State(state): State<Arc<AppState>>,
    principal: Option<Extension<Principal>>,
    context: Option<Extension<RequestContext>>,
    json: Result<Json<CreateSession>, JsonRejection>,
) -> Result<Response, ApiError> {
    let req = body(json)?;
    let caller = rest_caller(principal, context);
    for (what, v) in [
        ("endpoint", &req.endpoint),
        ("host", &req.host),
        ("application", &req.application),
        ("user", &req.user),
        ("model", &req.model),
    ] {
        check_len(what, v)?;
    }
    let endpoint = resolve(&state, &req)?;
    // The screen text is decoded with the chosen endpoint's code page (`open` sets it).
    let request = OpenRequest {
        caller: caller.clone(),
        endpoint: endpoint.as_deref(),
        model: req.model.as_deref(),
        options: StartOptions {
            kind: SessionKind::Api,
            user: req.user.clone(),
            application: req.application.clone(),
            client: caller.client.map(|a| a.to_string()),
            code_page: None,
        },
    };
    let attachment = open(&state, request).await.map_err(|e| {
        tracing::info!(code = e.code(), "REST session refused: {e}");
        open_error(e)
    })?;
    let id = attachment.info.session_id;
    let summary = state
        .sessions
        .get(&id)
        .ok_or_else(|| ApiError::no_session(&id))?;
    Ok((StatusCode::CREATED, Json(resource(&state, summary))).into_response())
}

/// Lists every live session (websocket and API), oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/sessions",
    tag = "sessions",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of sessions", body = SessionList),
        (status = 400, description = "INVALID_REQUEST: bad limit, offset or filter", body = ErrorBody),
    )
)]
pub async fn list_sessions(
    State(state): State<Arc<AppState>>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<SessionList>, ApiError> {
    let q = query(q)?;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid(format!("limit must be 1..={MAX_LIMIT}")));
    }
    let offset = q.offset.unwrap_or(0);
    let matching: Vec<SessionSummary> = state
        .sessions
        .list()
        .into_iter()
        .filter(|s| q.status.is_none_or(|st| s.status == st))
        .filter(|s| q.kind.is_none_or(|k| s.kind == k))
        .filter(|s| q.endpoint.as_ref().is_none_or(|e| &s.endpoint == e))
        .collect();
    let total = matching.len();
    let sessions = matching
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|s| resource(&state, s))
        .collect();
    Ok(Json(SessionList {
        sessions,
        total,
        limit,
        offset,
    }))
}

/// One live session.
#[utoipa::path(
    get,
    path = "/api/v1/sessions/{id}",
    tag = "sessions",
    params(("id" = String, Path, description = "Session id (`sess_...`)")),
    responses(
        (status = 200, description = "The session", body = SessionResource),
        (status = 404, description = "SESSION_NOT_FOUND", body = ErrorBody),
    )
)]
pub async fn get_session(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<SessionResource>, ApiError> {
    let s = state
        .sessions
        .get(&id)
        .ok_or_else(|| ApiError::no_session(&id))?;
    Ok(Json(resource(&state, s)))
}

/// Ends a session (either kind) and closes its host connection; an attached browser gets
/// the websocket `status` message with code `SESSION_DELETED` and close code 4000.
#[utoipa::path(
    delete,
    path = "/api/v1/sessions/{id}",
    tag = "sessions",
    params(("id" = String, Path, description = "Session id (`sess_...`)")),
    responses(
        (status = 204, description = "The session has ended and its host connection is closed"),
        (status = 404, description = "SESSION_NOT_FOUND", body = ErrorBody),
        (status = 500, description = "INTERNAL_ERROR: the session did not answer in time (its host is not reading)", body = ErrorBody),
    )
)]
pub async fn delete_session(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let (done, ended) = oneshot::channel();
    send(&state, &id, ApiCommand::Close(done)).await?;
    // A session that ended on its own meanwhile drops `done`: it is gone either way.
    let _ = tokio::time::timeout(TASK_ANSWER, ended).await;
    tracing::info!(session = %id, "session ended through the REST API");
    Ok(StatusCode::NO_CONTENT)
}

/// The screen of a session (either kind).
#[utoipa::path(
    get,
    path = "/api/v1/sessions/{id}/screen",
    tag = "sessions",
    params(("id" = String, Path, description = "Session id (`sess_...`)")),
    responses(
        (status = 200, description = "The screen as s3270's Ascii() prints it, with fields", body = ScreenView),
        (status = 404, description = "SESSION_NOT_FOUND", body = ErrorBody),
        (status = 500, description = "INTERNAL_ERROR: the session did not answer in time (its host is not reading)", body = ErrorBody),
    )
)]
pub async fn get_screen(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<ScreenView>, ApiError> {
    let (reply, answer) = oneshot::channel();
    ask(&state, &id, ApiCommand::Screen(reply), answer)
        .await
        .map(Json)
}

/// The actions of an input request, in order.
fn input_actions(req: &InputRequest) -> Result<Vec<Action>, ApiError> {
    match (&req.actions, &req.input, &req.function_key) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(ApiError::invalid(
            "give either actions, or input and/or function_key",
        )),
        (Some(list), None, None) => actions::parse_all(list).map_err(action_error),
        (None, None, None) => Err(ApiError::invalid(
            "nothing to do: give input, function_key or actions",
        )),
        (None, input, key) => {
            let mut list = Vec::new();
            if let Some(text) = input {
                if text.chars().count() > actions::MAX_ACTION_CHARS {
                    return Err(ApiError::invalid(format!(
                        "input is longer than {} characters",
                        actions::MAX_ACTION_CHARS
                    )));
                }
                list.push(Action::text(text));
            }
            if let Some(name) = key {
                let k = actions::function_key(name).ok_or_else(|| {
                    ApiError::invalid(format!("unknown function_key {name:?}"))
                        .with("action", name.as_str())
                })?;
                list.push(Action::key(name, k));
            }
            Ok(list)
        }
    }
}

/// The answer for a failed action.
fn action_error(e: ActionError) -> ApiError {
    let message = e.to_string();
    let index = e.index();
    let name = e.name().map(str::to_owned);
    let err = match &e {
        ActionError::Locked { reason, .. } => {
            ApiError::new(StatusCode::CONFLICT, code::KEYBOARD_LOCKED, message)
                .with("reason", *reason)
        }
        _ => ApiError::invalid(message),
    };
    let err = err.with("action_index", index);
    match name {
        Some(n) => err.with("action", n),
        None => err,
    }
}

/// Types into a headless session: the guide's `input` + `function_key`, or s3270 actions.
#[utoipa::path(
    post,
    path = "/api/v1/sessions/{id}/input",
    tag = "sessions",
    request_body = InputRequest,
    params(("id" = String, Path, description = "Session id (`sess_...`)"), InputQuery),
    responses(
        (status = 202, description = "Applied and sent to the host", body = InputAccepted),
        (status = 200, description = "With ?wait=unlock: the screen once the keyboard is unlocked", body = ScreenView),
        (status = 400, description = "INVALID_REQUEST: malformed body, unknown or malformed action (action_index, action)", body = ErrorBody),
        (status = 404, description = "SESSION_NOT_FOUND", body = ErrorBody),
        (status = 409, description = "KEYBOARD_LOCKED (reason, action_index), NOT_HEADLESS (a browser drives the session) or SESSION_SUSPENDED", body = ErrorBody),
        (status = 429, description = "TOO_MANY_WAITERS", body = ErrorBody),
        (status = 504, description = "WAIT_TIMEOUT: the keyboard stayed locked; the input was sent", body = ErrorBody),
        (status = 500, description = "INTERNAL_ERROR: the session did not answer in time (its host is not reading)", body = ErrorBody),
    )
)]
pub async fn post_input(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    q: Result<Query<InputQuery>, QueryRejection>,
    json: Result<Json<InputRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let wait = q.wait == Some(Wait::Unlock);
    let seconds = q.timeout.unwrap_or(DEFAULT_WAIT_SECONDS);
    if !(1..=MAX_WAIT_SECONDS).contains(&seconds) {
        return Err(ApiError::invalid(format!(
            "timeout must be 1..={MAX_WAIT_SECONDS} seconds"
        )));
    }
    let req = body(json)?;
    let list = input_actions(&req)?;
    let count = list.len();
    let (waiter, unlocked) = if wait {
        let (tx, rx) = oneshot::channel();
        (Some(tx), Some(rx))
    } else {
        (None, None)
    };
    let (reply, answer) = oneshot::channel();
    let command = ApiCommand::Keys {
        actions: list,
        waiter,
        reply,
    };
    ask(&state, &id, command, answer).await?.map_err(refused)?;
    let Some(unlocked) = unlocked else {
        let accepted = InputAccepted {
            session_id: id,
            status: "accepted".into(),
            actions: count,
        };
        return Ok((StatusCode::ACCEPTED, Json(accepted)).into_response());
    };
    match tokio::time::timeout(Duration::from_secs(seconds), unlocked).await {
        Ok(Ok(view)) => Ok(Json(view).into_response()),
        Ok(Err(_)) => Err(ApiError::no_session(&id)),
        Err(_) => Err(ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            code::WAIT_TIMEOUT,
            format!("the keyboard was still locked after {seconds} s (the input was sent)"),
        )),
    }
}

/// Hands a command to session `id`: 404 when it is not live, 500 when it is stuck.
async fn send(state: &AppState, id: &str, command: ApiCommand) -> Result<(), ApiError> {
    state.sessions.api(id, command).await.map_err(|e| match e {
        ApiSendError::NoSession => ApiError::no_session(id),
        ApiSendError::Busy => busy(id),
    })
}

/// [`send`]s `command` to session `id` and waits up to [`TASK_ANSWER`] for its answer on
/// `answer`: 404 when the session ended meanwhile (the reply was dropped), 500 when it is
/// stuck.
async fn ask<T>(
    state: &AppState,
    id: &str,
    command: ApiCommand,
    answer: oneshot::Receiver<T>,
) -> Result<T, ApiError> {
    send(state, id, command).await?;
    match tokio::time::timeout(TASK_ANSWER, answer).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(_)) => Err(ApiError::no_session(id)),
        Err(_) => Err(busy(id)),
    }
}

/// A session task that did not answer within [`TASK_ANSWER`] (stuck writing to a host
/// that does not read): 500 `INTERNAL_ERROR`.
fn busy(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        code::INTERNAL_ERROR,
        format!("session {id:?} did not answer in time (its host is not reading)"),
    )
}

fn refused(refusal: ApiRefusal) -> ApiError {
    match refusal {
        ApiRefusal::NotHeadless => ApiError::new(
            StatusCode::CONFLICT,
            code::NOT_HEADLESS,
            "a browser or a TN3270 client drives this session; input is for sessions created with POST /api/v1/sessions",
        ),
        ApiRefusal::TooManyWaiters => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            code::TOO_MANY_WAITERS,
            format!(
                "{} requests already wait on this session",
                crate::session::MAX_WAITERS
            ),
        ),
        ApiRefusal::Suspended => ApiError::new(
            StatusCode::CONFLICT,
            code::SESSION_SUSPENDED,
            "the session is suspended; POST .../resume first",
        ),
        ApiRefusal::NotSuspended => ApiError::new(
            StatusCode::CONFLICT,
            code::NOT_SUSPENDED,
            "the session is not suspended",
        ),
        ApiRefusal::Action(e) => action_error(e),
    }
}

/// Sends a suspend or resume command and answers with the session.
async fn lifecycle(
    state: &AppState,
    id: &str,
    command: ApiCommand,
    answer: oneshot::Receiver<Result<(), ApiRefusal>>,
) -> Result<Json<SessionResource>, ApiError> {
    ask(state, id, command, answer).await?.map_err(refused)?;
    let s = state
        .sessions
        .get(id)
        .ok_or_else(|| ApiError::no_session(id))?;
    Ok(Json(resource(state, s)))
}

/// Suspends a headless session: its input is refused (409 `SESSION_SUSPENDED`) until it is
/// resumed; its host connection and screen are kept and its timeouts still run.
#[utoipa::path(
    post,
    path = "/api/v1/sessions/{id}/suspend",
    tag = "sessions",
    request_body(content = SuspendRequest, description = "Optional"),
    params(("id" = String, Path, description = "Session id (`sess_...`)")),
    responses(
        (status = 200, description = "Suspended", body = SessionResource),
        (status = 400, description = "INVALID_REQUEST: malformed body", body = ErrorBody),
        (status = 404, description = "SESSION_NOT_FOUND", body = ErrorBody),
        (status = 409, description = "SESSION_SUSPENDED (already) or NOT_HEADLESS (a websocket session)", body = ErrorBody),
        (status = 500, description = "INTERNAL_ERROR: the session did not answer in time (its host is not reading)", body = ErrorBody),
    )
)]
pub async fn suspend_session(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    raw: axum::body::Bytes,
) -> Result<Json<SessionResource>, ApiError> {
    let req: SuspendRequest = if raw.iter().all(u8::is_ascii_whitespace) {
        SuspendRequest::default()
    } else {
        serde_json::from_slice(&raw).map_err(|e| ApiError::invalid(format!("request body: {e}")))?
    };
    check_len("reason", &req.reason)?;
    let (reply, answer) = oneshot::channel();
    let command = ApiCommand::Suspend {
        reason: req.reason,
        reply,
    };
    lifecycle(&state, &id, command, answer).await
}

/// Resumes a suspended session.
#[utoipa::path(
    post,
    path = "/api/v1/sessions/{id}/resume",
    tag = "sessions",
    params(("id" = String, Path, description = "Session id (`sess_...`)")),
    responses(
        (status = 200, description = "Resumed: connected again", body = SessionResource),
        (status = 404, description = "SESSION_NOT_FOUND", body = ErrorBody),
        (status = 409, description = "NOT_SUSPENDED or NOT_HEADLESS: resume is not possible", body = ErrorBody),
        (status = 500, description = "INTERNAL_ERROR: the session did not answer in time (its host is not reading)", body = ErrorBody),
    )
)]
pub async fn resume_session(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<SessionResource>, ApiError> {
    let (reply, answer) = oneshot::channel();
    lifecycle(&state, &id, ApiCommand::Resume(reply), answer).await
}

/// `PUT /api/v1/sessions/{id}/migrate` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MigrateRequest {
    /// The configured endpoint to reconnect to.
    pub target_endpoint: String,
}

/// Reconnects a headless session to another endpoint: a new host connection is opened
/// through the same path as `POST /sessions` (limits included: it needs a free place while
/// both connections exist), then the session takes it over, keeping its id; the old host
/// connection is closed. The screen is the new host's.
#[utoipa::path(
    put,
    path = "/api/v1/sessions/{id}/migrate",
    tag = "sessions",
    request_body = MigrateRequest,
    params(("id" = String, Path, description = "Session id (`sess_...`)")),
    responses(
        (status = 200, description = "Migrated: the session on its new endpoint", body = SessionResource),
        (status = 400, description = "INVALID_REQUEST: malformed body, unknown endpoint", body = ErrorBody),
        (status = 404, description = "SESSION_NOT_FOUND", body = ErrorBody),
        (status = 409, description = "NOT_HEADLESS: a websocket session", body = ErrorBody),
        (status = 500, description = "INTERNAL_ERROR: a session did not answer in time", body = ErrorBody),
        (status = 503, description = "ENDPOINT_UNAVAILABLE (the old connection stays), SESSION_LIMIT or LU_POOL_EXHAUSTED", body = ErrorBody),
    )
)]
pub async fn migrate_session(
    State(state): State<Arc<AppState>>,
    principal: Option<Extension<Principal>>,
    context: Option<Extension<RequestContext>>,
    Path(id): Path<String>,
    json: Result<Json<MigrateRequest>, JsonRejection>,
) -> Result<Json<SessionResource>, ApiError> {
    let req = body(json)?;
    let caller = rest_caller(principal, context);
    let summary = state
        .sessions
        .get(&id)
        .ok_or_else(|| ApiError::no_session(&id))?;
    if summary.kind != SessionKind::Api {
        return Err(refused(ApiRefusal::NotHeadless));
    }
    let target = state.endpoints.get(&req.target_endpoint).ok_or_else(|| {
        ApiError::invalid(format!("no endpoint is called {:?}", req.target_endpoint))
    })?;
    let code_page = target
        .config
        .code_page
        .as_deref()
        .and_then(CodePage::by_name);
    let request = OpenRequest {
        caller,
        endpoint: Some(&target.config.name),
        model: Some(&summary.model),
        options: StartOptions {
            kind: SessionKind::Api,
            user: summary.user.clone(),
            application: summary.application.clone(),
            client: summary.client.clone(),
            code_page,
        },
    };
    let fresh = open(&state, request).await.map_err(|e| {
        tracing::info!(session = %id, code = e.code(), "migration refused: {e}");
        open_error(e)
    })?;
    // The fresh session hands its connection over, then ours adopts it.
    let lost = || {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code::ENDPOINT_UNAVAILABLE,
            format!(
                "the new connection to {:?} ended before the migration",
                target.config.name
            ),
        )
    };
    let (reply, transplant) = oneshot::channel();
    send(&state, &fresh.info.session_id, ApiCommand::Surrender(reply))
        .await
        .map_err(|_| lost())?;
    let transplant = tokio::time::timeout(TASK_ANSWER, transplant)
        .await
        .map_err(|_| busy(&fresh.info.session_id))?
        .map_err(|_| lost())?;
    let (reply, answer) = oneshot::channel();
    let command = ApiCommand::Adopt {
        from: Box::new(transplant),
        reply,
    };
    lifecycle(&state, &id, command, answer).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_kind_have_the_same_names_in_json_and_as_str() {
        for s in [
            SessionStatus::Connected,
            SessionStatus::Attached,
            SessionStatus::Detached,
            SessionStatus::Suspended,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for k in [
            SessionKind::Api,
            SessionKind::Websocket,
            SessionKind::Native,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }
}
