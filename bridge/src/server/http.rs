//! The HTTP side of `web3270 serve`: the page and the `/api/v1` routes that exist so far.
//! Handlers are thin: they read [`AppState`] and answer JSON; errors use the deployment
//! guide's body `{"err", "message", "status"}` ([`ApiError`]).

use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;

use super::AppState;
pub use crate::api::ApiError;

/// The page served at `/` until the browser client is built and embedded.
const INDEX_HTML: &str = include_str!("../../../index.html");

/// The HTTP routes. `/static/*` is served from `state.static_dir` when there is one (the
/// browser terminal's JS, CSS and the wasm built into `static/pkg`).
pub fn router(state: Arc<AppState>) -> Router {
    let mut router = Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        // /api/v1/health, /api/v1/endpoints (crate::pool::api).
        .merge(crate::pool::api::router())
        // The browser's websocket (crate::ws, docs/WEBSOCKET.md).
        .route("/ws", get(crate::ws::upgrade))
        // Sessions API and the OpenAPI document (crate::api, docs/API.md).
        .merge(crate::api::router());
    if let Some(dir) = &state.static_dir {
        router = router.nest_service("/static", tower_http::services::ServeDir::new(dir));
    }
    router.fallback(not_found).with_state(state)
}

async fn index() -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-cache")], Html(INDEX_HTML))
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        crate::api::error::code::NOT_FOUND,
        format!("no such resource: {}", uri.path()),
    )
}
