//! Opening a new session: the one path shared by every front end that creates sessions
//! (the browser's websocket [`crate::ws`], the REST API). Checks the request, reserves a
//! place under the global limit, lets the pool ([`crate::pool::Pool::connect`]) choose the
//! endpoint (by name, pool or default; health, strategy, priority, `max_sessions`, LU pool)
//! and dial it with failover, then starts the session task holding the pool's lease.
//!
//! Owns: the order of those steps and the typed refusal ([`OpenError`]) each front end maps
//! to its own wire form (websocket close code, HTTP status: [`OpenError::http_status`]).
//! Does not own: the session lifecycle ([`super`]), host connections ([`crate::upstream`]),
//! the endpoint choice ([`crate::pool`]).

use tn3270::terminal::TerminalModel;

use super::{Attachment, SessionError, StartOptions};
use crate::pool::{PoolError, PoolRequest};
use crate::server::AppState;
use crate::upstream::UpstreamOptions;

/// What the caller asks for.
#[derive(Debug, Clone, Default)]
pub struct OpenRequest<'a> {
    /// An endpoint's or a pool's name; `None` for the default (every endpoint).
    pub endpoint: Option<&'a str>,
    /// A model as s3270 spells it (`3279-4-E`, `3278-2`); `None` for the endpoint's.
    pub model: Option<&'a str>,
    /// Websocket (the default) or headless REST API session, with what the client told
    /// about itself (user, application, address).
    pub options: StartOptions,
    /// Who asks (user, client address, channel), for audit.
    pub caller: crate::auth::Caller,
}

/// Why a session was not opened. Each front end maps the variants to its stable codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// No endpoint or pool has that name (or none is configured).
    UnknownEndpoint(Option<String>),
    /// The requested model is not one the bridge can emulate.
    BadModel(String),
    /// A session limit (global or the endpoint's) is reached.
    Limit(String),
    /// No endpoint could be reached or negotiated (the message names each one tried).
    Unavailable(String),
    /// Every LU of the endpoint's (or pool's) `lu_names` is in use.
    LuPoolExhausted(String),
    /// A bridge-side failure.
    Internal(String),
}

impl OpenError {
    /// The stable error code (`ENDPOINT_UNKNOWN`, `BAD_MODEL`, `SESSION_LIMIT`,
    /// `ENDPOINT_UNAVAILABLE`, `LU_POOL_EXHAUSTED`, `INTERNAL`).
    pub fn code(&self) -> &'static str {
        match self {
            OpenError::UnknownEndpoint(_) => "ENDPOINT_UNKNOWN",
            OpenError::BadModel(_) => "BAD_MODEL",
            OpenError::Limit(_) => "SESSION_LIMIT",
            OpenError::Unavailable(_) => "ENDPOINT_UNAVAILABLE",
            OpenError::LuPoolExhausted(_) => "LU_POOL_EXHAUSTED",
            OpenError::Internal(_) => "INTERNAL",
        }
    }

    /// The HTTP status for the REST API: 404 unknown endpoint, 400 bad model, 429 session
    /// limit, 503 endpoint unavailable (the guide's `ENDPOINT_UNAVAILABLE` 503) and LU pool
    /// exhausted, 500 internal.
    pub fn http_status(&self) -> u16 {
        match self {
            OpenError::UnknownEndpoint(_) => 404,
            OpenError::BadModel(_) => 400,
            OpenError::Limit(_) => 429,
            OpenError::Unavailable(_) | OpenError::LuPoolExhausted(_) => 503,
            OpenError::Internal(_) => 500,
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
            | OpenError::LuPoolExhausted(m)
            | OpenError::Internal(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for OpenError {}

impl From<PoolError> for OpenError {
    fn from(e: PoolError) -> OpenError {
        let message = e.to_string();
        match e {
            PoolError::UnknownEndpoint(name) => OpenError::UnknownEndpoint(name),
            PoolError::Unavailable { .. } => OpenError::Unavailable(message),
            PoolError::Full { .. } => OpenError::Limit(message),
            PoolError::LuPoolExhausted { .. } | PoolError::LuInUse { .. } => {
                OpenError::LuPoolExhausted(message)
            }
        }
    }
}

/// The per-endpoint count of a reservation made before the pool has chosen (never an
/// endpoint name: names are non-empty).
const CHOOSING: &str = "";

/// Opens a session and attaches the caller to it.
pub async fn open(state: &AppState, request: OpenRequest<'_>) -> Result<Attachment, OpenError> {
    // Refuse what cannot work before reserving or dialling anything.
    state.endpoints.resolve(request.endpoint)?;
    let requested_model = match request.model {
        Some(m) => {
            Some(TerminalModel::parse(m).map_err(|e| OpenError::BadModel(format!("model: {e}")))?)
        }
        None => None,
    };
    // The global limit (the endpoint's own is the pool's, counted over every front end).
    let mut slot = state
        .sessions
        .reserve_for(CHOOSING, None, request.caller.user.as_deref())
        .map_err(|e| match e {
            SessionError::Limit(max) | SessionError::EndpointLimit(max) => OpenError::Limit(
                format!("the bridge already serves its maximum of {max} sessions"),
            ),
            SessionError::UserLimit(max) => OpenError::Limit(format!(
                "user {:?} already has the maximum of {max} sessions",
                request.caller.user.as_deref().unwrap_or_default()
            )),
            SessionError::ResumeFailed => OpenError::Internal("unexpected resume failure".into()),
        })?;
    let pool_request = PoolRequest {
        target: request.endpoint,
        lu: None,
    };
    let connected = state
        .endpoints
        .connect(pool_request, |endpoint| {
            let mut options = UpstreamOptions::for_endpoint(&endpoint.config)?;
            let model = match &requested_model {
                Some(m) => Some(m.clone()),
                None => endpoint_model(&endpoint.config),
            };
            if request.model.is_some() || endpoint.config.terminal_type.is_none() {
                options.terminal_type = model.unwrap_or_default().terminal_type();
            }
            Ok(options)
        })
        .await?;
    let endpoint = connected.endpoint;
    let model = requested_model
        .or_else(|| endpoint_model(&endpoint.config))
        .unwrap_or_default();
    slot.assign(&endpoint.config.name);
    slot.hold(connected.lease);
    // The mirror decodes with the chosen endpoint's code page unless the caller chose one.
    let mut options = request.options;
    if options.code_page.is_none() {
        options.code_page = endpoint
            .config
            .code_page
            .as_deref()
            .and_then(tn3270::codepage::CodePage::by_name);
    }
    state
        .sessions
        .start_with(
            slot,
            endpoint.config.name.clone(),
            model,
            connected.upstream.into_split(),
            options,
            request.caller.clone(),
        )
        .await
        .ok_or_else(|| OpenError::Internal("the session ended at once".into()))
}

/// The endpoint's `model` (validated with the configuration).
fn endpoint_model(endpoint: &crate::config::Endpoint) -> Option<TerminalModel> {
    endpoint
        .model
        .as_deref()
        .and_then(|m| TerminalModel::parse(m).ok())
}
