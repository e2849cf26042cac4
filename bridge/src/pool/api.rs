//! The HTTP side of the pool: `GET/POST /api/v1/endpoints`, `GET /api/v1/endpoints/{id}/health`
//! and the probes `GET /api/v1/health` (readiness) and `GET /api/v1/health/live` (liveness).
//! Shapes follow the deployment guide (`CONFIG.md`, HTTP API); errors use its body
//! `{"err", "message", "status"}`.
//!
//! Owns: these handlers, their JSON and its OpenAPI part ([`PoolDoc`]). Does not own: authentication (`POST
//! /api/v1/endpoints` is an administrative call; the auth layer guards it), the rest of the
//! API ([`crate::server::http`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{health, AddError, Status};
use crate::api::error::ErrorBody;
use crate::audit::time::rfc3339_seconds;
use crate::config::{Choice, Endpoint};
use crate::server::{AppState, EndpointState};

/// Largest `POST /api/v1/endpoints` body accepted.
pub const MAX_ADD_BODY: usize = 16 * 1024;

/// The routes of this module, merged into the bridge's router.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/health", get(readiness))
        .route("/api/v1/health/live", get(liveness))
        .route("/api/v1/endpoints", get(list).post(add))
        .route("/api/v1/endpoints/{id}/health", get(check))
}

/// An error in the guide's shape.
fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = json!({ "err": code, "message": message.into(), "status": status.as_u16() });
    (status, Json(body)).into_response()
}

/// One endpoint as `GET /api/v1/endpoints` lists it: the guide's `id, host, port, status,
/// active_sessions, last_check`, plus what operators need to see the pool work.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointView {
    /// Its name (the guide's `id`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Host (`builtin:demo` for the embedded demo host).
    pub host: String,
    /// Port (the demo host's loopback port for `builtin:demo`).
    pub port: u16,
    /// Lower is preferred.
    pub priority: u32,
    /// Share of new sessions under `weighted` balancing.
    pub weight: u32,
    /// The pool it belongs to, if any.
    pub pool: Option<String>,
    /// `up`, `down` or `unknown`.
    #[schema(example = "up")]
    pub status: String,
    /// A session connect failed since the last success: the balancer skips it.
    pub suspect: bool,
    /// Live sessions on it (websocket, REST and native).
    pub active_sessions: usize,
    /// Its `max_sessions`, if set.
    pub max_sessions: Option<u32>,
    /// When it was last probed (RFC 3339 UTC), `null` if never.
    pub last_check: Option<String>,
    /// Connect-to-3270-mode time of the last successful probe.
    pub latency_ms: Option<u64>,
    /// Stable code of the last failure (`UPSTREAM_REFUSED`, `HEALTH_CHECK_TIMEOUT`...),
    /// cleared by a success.
    pub last_error: Option<String>,
    /// Failures in a row (probes and session connects).
    pub consecutive_failures: u32,
    /// Probes since start.
    pub checks_total: u64,
    /// Failed probes since start.
    pub checks_failed_total: u64,
    /// Its `lu_names` and the ones in use.
    pub lu_pool: LuPoolView,
}

/// An endpoint's LU pool.
#[derive(Debug, Serialize, ToSchema)]
pub struct LuPoolView {
    /// How many LU names are configured (0: the host assigns).
    pub size: usize,
    /// The LUs held by live sessions.
    pub in_use: Vec<String>,
    /// The LUs the host rejected in the last 5 minutes: passed over while another is free.
    pub quarantined: Vec<String>,
}

/// `GET /api/v1/endpoints` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointList {
    /// Every endpoint, configured or added at run time.
    pub endpoints: Vec<EndpointView>,
    /// `load_balancer.strategy`.
    #[schema(example = "priority")]
    pub strategy: String,
    /// Sessions that went to another endpoint than the first choice, since start.
    pub failovers_total: u64,
}

/// `GET /api/v1/health` answer (200 and 503 alike).
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ok` when at least one endpoint is up, else `unavailable`.
    #[schema(example = "ok")]
    pub status: String,
    /// The bridge's version.
    pub version: String,
    /// Seconds since start.
    pub uptime_seconds: u64,
    /// Each endpoint's state.
    pub endpoints: Vec<EndpointHealth>,
}

/// One endpoint in `GET /api/v1/health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointHealth {
    /// Its name.
    pub name: String,
    /// `up`, `down` or `unknown`.
    pub status: String,
    /// When it was last probed (RFC 3339 UTC), `null` if never.
    pub last_check: Option<String>,
    /// Stable code of the last failure, cleared by a success.
    pub last_error: Option<String>,
}

/// `GET /api/v1/health/live` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Liveness {
    /// Always `ok`.
    pub status: String,
    /// Seconds since start.
    pub uptime_seconds: u64,
}

/// `GET /api/v1/endpoints/{id}/health` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProbeView {
    /// The endpoint.
    pub id: String,
    /// This probe's verdict: `up` or `down`.
    pub status: String,
    /// Connect-to-3270-mode time, when the probe succeeded.
    pub latency_ms: Option<u64>,
    /// The whole probe in milliseconds, close included.
    pub response_time: u64,
    /// The failure code, if it failed.
    pub error: Option<String>,
    /// The endpoint's status after this probe and the health-check thresholds.
    pub endpoint_status: String,
}

/// One endpoint as every route of this module shows it.
pub fn endpoint_view(e: &EndpointState) -> EndpointView {
    let h = e.health();
    let (host, port) = e.target();
    EndpointView {
        id: e.config.name.clone(),
        name: e.config.name.clone(),
        host: if e.builtin_addr.is_some() {
            crate::api::sessions::BUILTIN_DEMO_HOST.to_owned()
        } else {
            host
        },
        port,
        priority: e.config.priority,
        weight: e.config.weight,
        pool: e.config.pool.clone(),
        status: h.status.as_str().to_owned(),
        suspect: h.suspect,
        active_sessions: e.active_sessions(),
        max_sessions: e.config.max_sessions,
        last_check: h.last_check.map(rfc3339_seconds),
        latency_ms: h.latency.map(millis),
        last_error: h.last_error.map(str::to_owned),
        consecutive_failures: h.consecutive_failures,
        checks_total: h.checks_total,
        checks_failed_total: h.checks_failed_total,
        lu_pool: LuPoolView {
            size: e.config.lu_names.len(),
            in_use: e.lus_in_use(),
            quarantined: e.lus_quarantined(),
        },
    }
}

/// Every endpoint with the balancer's strategy.
#[utoipa::path(get, path = "/api/v1/endpoints", tag = "endpoints",
    responses((status = 200, description = "Every endpoint", body = EndpointList)))]
async fn list(State(state): State<Arc<AppState>>) -> Json<EndpointList> {
    Json(EndpointList {
        endpoints: state.endpoints.iter().map(|e| endpoint_view(&e)).collect(),
        strategy: state.endpoints.strategy().as_str().to_owned(),
        failovers_total: state.endpoints.failovers_total(),
    })
}

/// Readiness: 200 `"ok"` when at least one endpoint is up, else 503 `"unavailable"` (same
/// body, so a probe's log shows each endpoint).
#[utoipa::path(get, path = "/api/v1/health", tag = "endpoints",
    responses(
        (status = 200, description = "Ready: at least one endpoint is up", body = Readiness),
        (status = 503, description = "No endpoint is up (`status`: `unavailable`)", body = Readiness),
    ))]
async fn readiness(State(state): State<Arc<AppState>>) -> Response {
    let endpoints = state
        .endpoints
        .iter()
        .map(|e| {
            let h = e.health();
            EndpointHealth {
                name: e.config.name.clone(),
                status: h.status.as_str().to_owned(),
                last_check: h.last_check.map(rfc3339_seconds),
                last_error: h.last_error.map(str::to_owned),
            }
        })
        .collect();
    let ready = state.endpoints.any_up();
    let body = Readiness {
        status: if ready { "ok" } else { "unavailable" }.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        uptime_seconds: uptime(&state),
        endpoints,
    };
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body)).into_response()
}

/// Liveness: 200 while the bridge serves HTTP, whatever the hosts do.
#[utoipa::path(get, path = "/api/v1/health/live", tag = "endpoints",
    responses((status = 200, description = "The bridge serves HTTP", body = Liveness)))]
async fn liveness(State(state): State<Arc<AppState>>) -> Json<Liveness> {
    Json(Liveness {
        status: "ok".to_owned(),
        uptime_seconds: uptime(&state),
    })
}

/// Probes the endpoint now, bounded by `health_check_timeout`; the result also counts as a
/// health check.
#[utoipa::path(get, path = "/api/v1/endpoints/{id}/health", tag = "endpoints",
    params(("id" = String, Path, description = "The endpoint's name")),
    responses(
        (status = 200, description = "The probe's result (a failed probe is a 200 with `status: down`)", body = ProbeView),
        (status = 404, description = "ENDPOINT_UNKNOWN: no endpoint has this name", body = ErrorBody),
    ))]
async fn check(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let Some(endpoint) = state.endpoints.get(&id) else {
        return error(
            StatusCode::NOT_FOUND,
            "ENDPOINT_UNKNOWN",
            format!("no endpoint is called {id:?}"),
        );
    };
    let result = health::check_now(&endpoint, state.endpoints.health_check_timeout()).await;
    // This probe's own verdict; `endpoint_status` is the state after the thresholds.
    let status = if result.error.is_none() {
        Status::Up
    } else {
        Status::Down
    };
    Json(ProbeView {
        id: endpoint.config.name,
        status: status.as_str().to_owned(),
        latency_ms: result.latency.map(millis),
        response_time: millis(result.response_time),
        error: result.error.map(str::to_owned),
        endpoint_status: result.status.as_str().to_owned(),
    })
    .into_response()
}

/// Seconds since the bridge started.
fn uptime(state: &AppState) -> u64 {
    state.started.elapsed().map(|d| d.as_secs()).unwrap_or(0)
}

/// Whole milliseconds (saturating).
fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The body of `POST /api/v1/endpoints`: the guide's `host, port, name`, plus optional keys
/// of a configured endpoint (docs/POOL.md). Unknown keys are refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct AddEndpoint {
    /// A name no endpoint has yet.
    name: String,
    /// The host to dial.
    host: String,
    /// Default 23 (992 with TLS).
    #[serde(default)]
    port: Option<u16>,
    /// Lower is preferred (default 1).
    #[serde(default)]
    priority: Option<u32>,
    /// Share under `weighted` balancing, at least 1 (default 1).
    #[serde(default)]
    weight: Option<u32>,
    /// A pool to join.
    #[serde(default)]
    pool: Option<String>,
    /// LU names to hand out (TN3270E CONNECT), one per session.
    #[serde(default)]
    lu_names: Vec<String>,
    /// At most this many live sessions, at least 1.
    #[serde(default)]
    max_sessions: Option<u32>,
}

/// Adds an endpoint at run time: 201 with the endpoint; 400 `INVALID_REQUEST` (bad JSON or
/// a configuration rule, naming the key); 409 `ENDPOINT_EXISTS` or `ENDPOINT_LIMIT`. Not
/// persisted: gone after a restart.
#[utoipa::path(post, path = "/api/v1/endpoints", tag = "endpoints",
    request_body = AddEndpoint,
    responses(
        (status = 201, description = "Added (until the bridge restarts)", body = EndpointView),
        (status = 400, description = "INVALID_REQUEST: malformed body, unknown key, or a configuration rule (the message names the key)", body = ErrorBody),
        (status = 409, description = "ENDPOINT_EXISTS (the name is taken) or ENDPOINT_LIMIT (too many endpoints)", body = ErrorBody),
    ))]
async fn add(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    if body.len() > MAX_ADD_BODY {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            format!("body larger than {MAX_ADD_BODY} bytes"),
        );
    }
    let body: AddEndpoint = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", e.to_string()),
    };
    if body.port == Some(0) || body.weight == Some(0) || body.max_sessions == Some(0) {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "port, weight and max_sessions must be at least 1",
        );
    }
    let mut endpoint = Endpoint::host(&body.name, &body.host, body.port);
    if let Some(p) = body.priority {
        endpoint.priority = p;
    }
    if let Some(w) = body.weight {
        endpoint.weight = w;
    }
    endpoint.pool = body.pool;
    endpoint.lu_names = body.lu_names;
    endpoint.max_sessions = body.max_sessions;
    match state.endpoints.add(endpoint) {
        Ok(e) => (StatusCode::CREATED, Json(endpoint_view(&e))).into_response(),
        Err(e @ AddError::Invalid(_)) => {
            error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", e.to_string())
        }
        Err(e @ AddError::Duplicate(_)) => {
            error(StatusCode::CONFLICT, "ENDPOINT_EXISTS", e.to_string())
        }
        Err(e @ AddError::TooMany) => error(StatusCode::CONFLICT, "ENDPOINT_LIMIT", e.to_string()),
    }
}

/// The OpenAPI part of these routes, merged in `crate::api::openapi::document`.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(readiness, liveness, list, add, check),
    components(schemas(
        Readiness,
        EndpointHealth,
        Liveness,
        EndpointList,
        EndpointView,
        LuPoolView,
        AddEndpoint,
        ProbeView
    )),
    tags((name = "endpoints", description = "The endpoint pool and the bridge's health (docs/POOL.md)"))
)]
pub struct PoolDoc;
