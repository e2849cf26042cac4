//! The HTTP side of `web3270 serve`: the page and the `/api/v1` routes that exist so far.
//! Handlers are thin: they read [`AppState`] and answer JSON; errors use the deployment
//! guide's body `{"err", "message", "status"}` ([`ApiError`]).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::AppState;

/// The HTTP routes. `/`, `/index.html` and `/static/*` (the page, its JS and CSS, the wasm
/// built into `static/pkg`) come from [`super::assets`]: embedded, or `state.static_dir`.
pub fn router(state: Arc<AppState>) -> Router {
    let router = Router::new()
        .merge(super::assets::router(&state))
        .route("/api/v1/health", get(health))
        .route("/api/v1/endpoints", get(endpoints))
        // The browser's websocket (crate::ws, docs/WEBSOCKET.md).
        .route("/ws", get(crate::ws::upgrade));
    router.fallback(not_found).with_state(state)
}

/// An API error with the guide's body and status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "err": self.code,
            "message": self.message,
            "status": self.status.as_u16(),
        });
        (self.status, Json(body)).into_response()
    }
}

async fn health(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let endpoints: Vec<_> = state
        .endpoints
        .iter()
        .map(|e| json!({ "name": e.config.name, "status": e.status() }))
        .collect();
    let uptime = state.started.elapsed().map(|d| d.as_secs()).unwrap_or(0);
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_seconds": uptime,
        "endpoints": endpoints,
    }))
}

async fn endpoints(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let list: Vec<_> = state
        .endpoints
        .iter()
        .map(|e| {
            let (host, port) = e.target();
            json!({
                "id": e.config.name,
                "name": e.config.name,
                "host": if e.builtin_addr.is_some() { "builtin:demo".to_string() } else { host },
                "port": port,
                "priority": e.config.priority,
                "status": e.status(),
                // Websocket sessions (crate::session), connecting ones included.
                "active_sessions": state.sessions.count_for(&e.config.name),
                // No health checks yet (they come with the bridge issue): never checked.
                "last_check": serde_json::Value::Null,
            })
        })
        .collect();
    Json(json!({ "endpoints": list }))
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        code: "NOT_FOUND",
        message: format!("no such resource: {}", uri.path()),
    }
}
