//! Opening a new session: the one path shared by every front end that creates sessions
//! (the browser's websocket [`crate::ws`], the REST API). Chooses the endpoint (by configured
//! name, or the default), reserves a place under the limits, dials the host and starts the
//! session task.
//!
//! Owns: the order of those steps and the typed refusal ([`OpenError`]) each front end maps
//! to its own wire form (websocket close code, HTTP status). Does not own: the session
//! lifecycle ([`super`]), host connections ([`crate::upstream`]).

use tn3270::terminal::TerminalModel;

use super::{Attachment, SessionError};
use crate::server::{AppState, EndpointState};
use crate::upstream::{Upstream, UpstreamOptions};

/// What the caller asks for.
#[derive(Debug, Clone, Default)]
pub struct OpenRequest<'a> {
    /// A configured endpoint's name; `None` for the default endpoint.
    pub endpoint: Option<&'a str>,
    /// A model as s3270 spells it (`3279-4-E`, `3278-2`); `None` for the endpoint's.
    pub model: Option<&'a str>,
    /// Who asks (user, client address, channel), for audit.
    pub caller: crate::auth::Caller,
}

/// Why a session was not opened. Each front end maps the variants to its stable codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// No endpoint has that name (or none is configured).
    UnknownEndpoint(Option<String>),
    /// The requested model is not one the bridge can emulate.
    BadModel(String),
    /// A session limit (global or the endpoint's) is reached.
    Limit(String),
    /// The host could not be reached or negotiated.
    Unavailable(String),
    /// A bridge-side failure.
    Internal(String),
}

impl OpenError {
    /// The stable error code (`ENDPOINT_UNKNOWN`, `BAD_MODEL`, `SESSION_LIMIT`,
    /// `ENDPOINT_UNAVAILABLE`, `INTERNAL`).
    pub fn code(&self) -> &'static str {
        match self {
            OpenError::UnknownEndpoint(_) => "ENDPOINT_UNKNOWN",
            OpenError::BadModel(_) => "BAD_MODEL",
            OpenError::Limit(_) => "SESSION_LIMIT",
            OpenError::Unavailable(_) => "ENDPOINT_UNAVAILABLE",
            OpenError::Internal(_) => "INTERNAL",
        }
    }
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::UnknownEndpoint(Some(n)) => write!(f, "no endpoint is called {n:?}"),
            OpenError::UnknownEndpoint(None) => write!(f, "no endpoint is configured"),
            OpenError::BadModel(m)
            | OpenError::Limit(m)
            | OpenError::Unavailable(m)
            | OpenError::Internal(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for OpenError {}

/// The endpoint named exactly `name`, or the default one.
pub fn choose_endpoint<'a>(
    state: &'a AppState,
    name: Option<&str>,
) -> Result<&'a EndpointState, OpenError> {
    crate::server::find_endpoint(&state.endpoints, name)
        .ok_or_else(|| OpenError::UnknownEndpoint(name.map(str::to_owned)))
}

/// Opens a session and attaches the caller to it.
pub async fn open(state: &AppState, request: OpenRequest<'_>) -> Result<Attachment, OpenError> {
    let endpoint = choose_endpoint(state, request.endpoint)?;
    let model = match request.model.or(endpoint.config.model.as_deref()) {
        Some(m) => {
            TerminalModel::parse(m).map_err(|e| OpenError::BadModel(format!("model: {e}")))?
        }
        None => TerminalModel::default(),
    };
    let slot = state
        .sessions
        .reserve(&endpoint.config.name, endpoint.config.max_sessions)
        .map_err(|e| match e {
            SessionError::Limit(max) => OpenError::Limit(format!(
                "the bridge already serves its maximum of {max} sessions"
            )),
            SessionError::EndpointLimit(max) => OpenError::Limit(format!(
                "endpoint {:?} already serves its maximum of {max} sessions",
                endpoint.config.name
            )),
            SessionError::ResumeFailed => OpenError::Internal("unexpected resume failure".into()),
        })?;
    let target = endpoint.dial_target();
    let mut options = UpstreamOptions::for_endpoint(&endpoint.config)
        .map_err(|e| OpenError::Unavailable(e.to_string()))?;
    if request.model.is_some() || endpoint.config.terminal_type.is_none() {
        options.terminal_type = model.terminal_type();
    }
    let upstream = Upstream::connect(&target, options)
        .await
        .map_err(|e| OpenError::Unavailable(format!("{}: {e}", endpoint.config.name)))?;
    state
        .sessions
        .start(
            slot,
            endpoint.config.name.clone(),
            model,
            upstream.into_split(),
            request.caller.clone(),
        )
        .await
        .ok_or_else(|| OpenError::Internal("the session ended at once".into()))
}
