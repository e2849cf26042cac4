//! The HTTP side of `web3270 serve`: the page, the websocket and the HTTP API, each module's
//! routes merged here. Handlers are thin: they read [`AppState`] and answer JSON; errors use
//! the deployment guide's body `{"err", "message", "status"}` ([`ApiError`]).
//!
//! Every route but the page, `/static/*` and `/ws` is in the OpenAPI document
//! (`crate::api::openapi`): annotate a new route's handler there too. The test
//! `rest_api.rs::openapi_document_matches_the_router` reads the `.route("...")` literals of
//! the source and fails for a route the document lacks.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

use super::AppState;
pub use crate::api::ApiError;

/// The HTTP routes. `/`, `/index.html` and `/static/*` (the page, its JS and CSS, the wasm
/// built into `static/pkg`) come from [`super::assets`]: embedded, or `state.static_dir`.
pub fn router(state: Arc<AppState>) -> Router {
    let router = Router::new()
        .merge(super::assets::router(&state))
        // /api/v1/health, /api/v1/endpoints (crate::pool::api).
        .merge(crate::pool::api::router())
        // The browser's websocket (crate::ws, docs/WEBSOCKET.md).
        .route("/ws", get(crate::ws::upgrade))
        // Sessions API and the OpenAPI document (crate::api, docs/API.md).
        .merge(crate::api::router())
        // `GET /metrics`, `GET /api/v1/metrics` (crate::metrics).
        .merge(crate::metrics::http::router())
        // /api/v1/auth..., /api/v1/audit, /api/v1/compliance/report (crate::auth, crate::audit).
        .merge(crate::auth::http::router())
        .merge(crate::audit::http::router());
    let router = router.fallback(not_found);
    // Authentication and the HTTPS requirement in front of every route (crate::auth::http);
    // rate limiting in front of that, so failed logins are limited too.
    let router = router.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        crate::auth::http::guard,
    ));
    let router = crate::ratelimit::layer(router, &state.config.rate_limiting);
    // Outermost: counts every answer, 429s and 401s included.
    crate::metrics::http::layer(router).with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        crate::api::error::code::NOT_FOUND,
        format!("no such resource: {}", uri.path()),
    )
}
