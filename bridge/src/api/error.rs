//! The error body of every `/api/v1` route: the deployment guide's
//! `{"err": CODE, "message": "...", "status": N}`, optionally with more members that say which
//! part of the request failed (`action_index`, `action`, `reason`).
//!
//! Owns: [`ApiError`] and the stable codes used by the REST API (see `docs/API.md` for the
//! table). The guide's codes: `INVALID_REQUEST` 400, `UNAUTHORIZED` 401, `SESSION_NOT_FOUND`
//! 404, `RATE_LIMIT_EXCEEDED` 429, `INTERNAL_ERROR` 500, `ENDPOINT_UNAVAILABLE` 503; our
//! additions: `ENDPOINT_NOT_ALLOWED` 403, `NOT_FOUND` 404, `KEYBOARD_LOCKED` 409,
//! `NOT_HEADLESS` 409, `SESSION_SUSPENDED` 409, `NOT_SUSPENDED` 409, `TOO_MANY_WAITERS` 429, `SESSION_LIMIT` 503, `WAIT_TIMEOUT` 504.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// Stable error codes.
pub mod code {
    /// 400: the request is malformed (body, query, action).
    pub const INVALID_REQUEST: &str = "INVALID_REQUEST";
    /// 403: the host/port is not a configured endpoint (the bridge is no open relay).
    pub const ENDPOINT_NOT_ALLOWED: &str = "ENDPOINT_NOT_ALLOWED";
    /// 404: no live session has this id.
    pub const SESSION_NOT_FOUND: &str = "SESSION_NOT_FOUND";
    /// 404: no such route.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// 409: the keyboard is locked (operator error, or "not connected").
    pub const KEYBOARD_LOCKED: &str = "KEYBOARD_LOCKED";
    /// 409: input to a session a browser drives.
    pub const NOT_HEADLESS: &str = "NOT_HEADLESS";
    /// 409: input to (or a second suspend of) a suspended session.
    pub const SESSION_SUSPENDED: &str = "SESSION_SUSPENDED";
    /// 409: resume of a session that is not suspended.
    pub const NOT_SUSPENDED: &str = "NOT_SUSPENDED";
    /// 429: too many requests wait on one session.
    pub const TOO_MANY_WAITERS: &str = "TOO_MANY_WAITERS";
    /// 500: a bridge-side failure.
    pub const INTERNAL_ERROR: &str = "INTERNAL_ERROR";
    /// 503: the host could not be reached or negotiated.
    pub const ENDPOINT_UNAVAILABLE: &str = "ENDPOINT_UNAVAILABLE";
    /// 503: `sessions.max_sessions` (or the endpoint's `max_sessions`) are live.
    pub const SESSION_LIMIT: &str = "SESSION_LIMIT";
    /// Every LU of the endpoint's (or pool's) `lu_names` is in use.
    pub const LU_POOL_EXHAUSTED: &str = "LU_POOL_EXHAUSTED";
    /// 504: `?wait=unlock` timed out (the input was sent).
    pub const WAIT_TIMEOUT: &str = "WAIT_TIMEOUT";
}

/// An API error with the guide's body and status.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    extra: Map<String, Value>,
}

/// The error body, for the OpenAPI document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable code, e.g. `SESSION_NOT_FOUND`.
    pub err: String,
    /// Why, for people.
    pub message: String,
    /// The HTTP status again.
    pub status: u16,
    /// For input errors: the index of the failing action.
    #[schema(nullable = false)]
    pub action_index: Option<usize>,
    /// For input errors: the failing action's name.
    #[schema(nullable = false)]
    pub action: Option<String>,
    /// For `KEYBOARD_LOCKED`: why (`protected`, `numeric`, `overflow`, ...).
    #[schema(nullable = false)]
    pub reason: Option<String>,
}

impl ApiError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            extra: Map::new(),
        }
    }

    /// 400 `INVALID_REQUEST`.
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code::INVALID_REQUEST, message)
    }

    /// 404 `SESSION_NOT_FOUND` for `id`.
    pub fn no_session(id: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            code::SESSION_NOT_FOUND,
            format!("no live session {id:?}"),
        )
    }

    /// Adds a member to the body.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> ApiError {
        self.extra.insert(key.to_owned(), value.into());
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("err".into(), self.code.into());
        body.insert("message".into(), self.message.into());
        body.insert("status".into(), self.status.as_u16().into());
        body.extend(self.extra);
        (self.status, Json(Value::Object(body))).into_response()
    }
}
