//! The REST API of sessions under `/api/v1` (deployment guide, see `docs/API.md`) and its
//! OpenAPI document.
//!
//! | route | handler |
//! |---|---|
//! | `POST /api/v1/sessions` | [`sessions::create_session`]: a headless session on a configured endpoint |
//! | `GET /api/v1/sessions` | [`sessions::list_sessions`]: every session, filters and paging |
//! | `GET`, `DELETE /api/v1/sessions/{id}` | [`sessions::get_session`], [`sessions::delete_session`] |
//! | `GET /api/v1/sessions/{id}/screen` | [`sessions::get_screen`]: s3270 `Ascii()` text, cursor, fields |
//! | `POST /api/v1/sessions/{id}/input` | [`sessions::post_input`]: guide's text + key, or s3270 actions; `?wait=unlock` |
//! | `POST /api/v1/sessions/{id}/suspend`, `.../resume` | [`sessions::suspend_session`], [`sessions::resume_session`]: the guide's lifecycle (headless sessions) |
//! | `PUT /api/v1/sessions/{id}/migrate` | [`sessions::migrate_session`]: reconnect a headless session to another endpoint |
//! | `GET /api/v1/openapi.json` | [`openapi::openapi_json`]: the document of every route of the bridge's HTTP API |
//!
//! Owns: these routes, their bodies and error codes ([`ApiError`]), the s3270 action parser
//! ([`actions`]), the screen JSON ([`screen`]), the OpenAPI document ([`openapi`], which
//! merges the parts the other modules declare next to their handlers). Does not own: the
//! other `/api/v1` routes (`crate::pool::api`, `crate::auth::http`, `crate::audit::http`,
//! `crate::metrics::http`), authentication (the guard in front, `crate::auth::http`),
//! sessions (`crate::session`; the session task runs the commands this module sends).

pub mod actions;
pub mod error;
pub mod openapi;
pub mod screen;
pub mod sessions;

use std::sync::Arc;

use axum::routing::{get, post, put};
use axum::Router;

pub use error::ApiError;

use crate::server::AppState;

/// The routes of this module, merged into `server::http::router`.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/api/v1/sessions",
            get(sessions::list_sessions).post(sessions::create_session),
        )
        .route(
            "/api/v1/sessions/{id}",
            get(sessions::get_session).delete(sessions::delete_session),
        )
        .route("/api/v1/sessions/{id}/screen", get(sessions::get_screen))
        .route("/api/v1/sessions/{id}/input", post(sessions::post_input))
        .route(
            "/api/v1/sessions/{id}/suspend",
            post(sessions::suspend_session),
        )
        .route(
            "/api/v1/sessions/{id}/resume",
            post(sessions::resume_session),
        )
        .route(
            "/api/v1/sessions/{id}/migrate",
            put(sessions::migrate_session),
        )
        .route("/api/v1/openapi.json", get(openapi::openapi_json))
}
