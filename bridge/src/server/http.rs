//! The HTTP side of `web3270 serve`: the page and the `/api/v1` routes that exist so far.
//! Handlers are thin: they read [`AppState`] and answer JSON; errors use the deployment
//! guide's body `{"err", "message", "status"}` ([`ApiError`]).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::AppState;

/// The page served at `/` until the browser client is built and embedded.
const INDEX_HTML: &str = include_str!("../../../index.html");

/// The HTTP routes. `/static/*` is served from `state.static_dir` when there is one (the
/// browser terminal's JS, CSS and the wasm built into `static/pkg`).
pub fn router(state: Arc<AppState>) -> Router {
    let mut router = Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/api/v1/health", get(health))
        .route("/api/v1/endpoints", get(endpoints))
        // The browser's websocket (crate::ws, docs/WEBSOCKET.md).
        .route("/ws", get(crate::ws::upgrade))
        .merge(crate::auth::http::router())
        .merge(crate::audit::http::router());
    if let Some(dir) = &state.static_dir {
        router = router.nest_service("/static", tower_http::services::ServeDir::new(dir));
    }
    // Authentication and the HTTPS requirement in front of every route (crate::auth::http).
    router
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::http::guard,
        ))
        .with_state(state)
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

async fn index() -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-cache")], Html(INDEX_HTML))
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
