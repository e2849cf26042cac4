//! The HTTP side of the pool: `GET/POST /api/v1/endpoints`, `GET /api/v1/endpoints/{id}/health`
//! and the probes `GET /api/v1/health` (readiness) and `GET /api/v1/health/live` (liveness).
//! Shapes follow the deployment guide (`CONFIG.md`, HTTP API); errors use its body
//! `{"err", "message", "status"}`.
//!
//! Owns: these handlers and their JSON. Does not own: authentication (`POST
//! /api/v1/endpoints` is an administrative call; the auth layer guards it), the rest of the
//! API ([`crate::server::http`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{health, AddError, Status};
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
pub fn endpoint_json(e: &EndpointState) -> Value {
    let h = e.health();
    let (host, port) = e.target();
    json!({
        "id": e.config.name,
        "name": e.config.name,
        "host": if e.builtin_addr.is_some() { "builtin:demo".to_string() } else { host },
        "port": port,
        "priority": e.config.priority,
        "weight": e.config.weight,
        "pool": e.config.pool,
        "status": h.status.as_str(),
        "suspect": h.suspect,
        "active_sessions": e.active_sessions(),
        "max_sessions": e.config.max_sessions,
        "last_check": h.last_check.map(rfc3339_seconds),
        "latency_ms": h.latency.map(|l| l.as_millis() as u64),
        "last_error": h.last_error,
        "consecutive_failures": h.consecutive_failures,
        "checks_total": h.checks_total,
        "checks_failed_total": h.checks_failed_total,
        "lu_pool": { "size": e.config.lu_names.len(), "in_use": e.lus_in_use() },
    })
}

async fn list(State(state): State<Arc<AppState>>) -> Json<Value> {
    let list: Vec<Value> = state.endpoints.iter().map(|e| endpoint_json(&e)).collect();
    Json(json!({
        "endpoints": list,
        "strategy": state.endpoints.strategy().as_str(),
        "failovers_total": state.endpoints.failovers_total(),
    }))
}

/// Readiness: 200 `"ok"` when at least one endpoint is up, else 503 `"unavailable"` (same
/// body, so a probe's log shows each endpoint).
async fn readiness(State(state): State<Arc<AppState>>) -> Response {
    let endpoints: Vec<Value> = state
        .endpoints
        .iter()
        .map(|e| {
            let h = e.health();
            json!({
                "name": e.config.name,
                "status": h.status.as_str(),
                "last_check": h.last_check.map(rfc3339_seconds),
                "last_error": h.last_error,
            })
        })
        .collect();
    let uptime = state.started.elapsed().map(|d| d.as_secs()).unwrap_or(0);
    let ready = state.endpoints.any_up();
    let body = json!({
        "status": if ready { "ok" } else { "unavailable" },
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_seconds": uptime,
        "endpoints": endpoints,
    });
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body)).into_response()
}

/// Liveness: 200 while the bridge serves HTTP, whatever the hosts do.
async fn liveness(State(state): State<Arc<AppState>>) -> Json<Value> {
    let uptime = state.started.elapsed().map(|d| d.as_secs()).unwrap_or(0);
    Json(json!({ "status": "ok", "uptime_seconds": uptime }))
}

/// Probes the endpoint now, bounded by `health_check_timeout`; the result also counts as a
/// health check.
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
    Json(json!({
        "id": endpoint.config.name,
        "status": status.as_str(),
        "latency_ms": result.latency.map(|l| l.as_millis() as u64),
        "response_time": result.response_time.as_millis() as u64,
        "error": result.error,
        "endpoint_status": result.status.as_str(),
    }))
    .into_response()
}

/// The body of `POST /api/v1/endpoints`: the guide's `host, port, name`, plus optional keys
/// of a configured endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddBody {
    name: String,
    host: String,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default)]
    priority: Option<u32>,
    #[serde(default)]
    weight: Option<u32>,
    #[serde(default)]
    pool: Option<String>,
    #[serde(default)]
    lu_names: Vec<String>,
    #[serde(default)]
    max_sessions: Option<u32>,
}

/// Adds an endpoint at run time: 201 with the endpoint; 400 `INVALID_REQUEST` (bad JSON or
/// a configuration rule, naming the key); 409 `ENDPOINT_EXISTS` or `ENDPOINT_LIMIT`. Not
/// persisted: gone after a restart.
async fn add(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    if body.len() > MAX_ADD_BODY {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            format!("body larger than {MAX_ADD_BODY} bytes"),
        );
    }
    let body: AddBody = match serde_json::from_slice(&body) {
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
        Ok(e) => (StatusCode::CREATED, Json(endpoint_json(&e))).into_response(),
        Err(e @ AddError::Invalid(_)) => {
            error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", e.to_string())
        }
        Err(e @ AddError::Duplicate(_)) => {
            error(StatusCode::CONFLICT, "ENDPOINT_EXISTS", e.to_string())
        }
        Err(e @ AddError::TooMany) => error(StatusCode::CONFLICT, "ENDPOINT_LIMIT", e.to_string()),
    }
}
