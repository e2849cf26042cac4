//! The OpenAPI 3 document of `/api/v1`, generated from the handlers' `#[utoipa::path]`
//! annotations and the request/answer types' `ToSchema` derives (crate `utoipa`), served at
//! `GET /api/v1/openapi.json`.
//!
//! Owns: the list of documented routes and schemas. Routes whose handlers live elsewhere
//! and return untyped JSON (`/api/v1/health`, `/api/v1/endpoints` in `server::http`) are
//! described here by annotated stubs, so `server::http` needs no change.
//!
//! **Adding routes from another module** (metrics, audit, auth, endpoint health...): put
//! `#[utoipa::path(...)]` on the handlers and `#[derive(ToSchema)]` on their bodies, derive
//! `#[derive(utoipa::OpenApi)] #[openapi(paths(handler_a, handler_b))] pub struct XDoc;` in
//! that module, and add one line `doc.merge(crate::x::XDoc::openapi());` to [`document`].
//! The test `bridge/tests/rest_api.rs::openapi_document_lists_the_routes` shows how to check it.

use axum::Json;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use super::error::ErrorBody;
use super::screen::{FieldView, ScreenData, ScreenView};
use super::sessions::{
    self, CreateSession, InputAccepted, InputRequest, MigrateRequest, SessionList, SessionResource,
    SuspendRequest,
};

/// `GET /api/v1/health` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` while the bridge serves.
    pub status: String,
    /// The bridge's version.
    pub version: String,
    /// Seconds since start.
    pub uptime_seconds: u64,
    /// Each endpoint's name and state (`up`, `unknown`...).
    pub endpoints: Vec<HealthEndpoint>,
}

/// One endpoint in `GET /api/v1/health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthEndpoint {
    /// Configured name.
    pub name: String,
    /// `up`, `down` or `unknown`.
    pub status: String,
}

/// `GET /api/v1/endpoints` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointList {
    /// The configured endpoints.
    pub endpoints: Vec<EndpointItem>,
}

/// One configured endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointItem {
    /// Its name (the guide's `id`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Host (`builtin:demo` for the embedded demo host).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Lower is preferred.
    pub priority: u32,
    /// `up`, `down` or `unknown`.
    pub status: String,
    /// Live sessions on it.
    pub active_sessions: usize,
    /// When it was last probed (RFC 3339), `null` if never.
    pub last_check: Option<String>,
}

/// Liveness and readiness probe with per-endpoint state (served by `server::http`).
#[utoipa::path(get, path = "/api/v1/health", tag = "bridge",
    responses((status = 200, description = "The bridge serves", body = Health)))]
#[allow(dead_code)]
fn health_doc() {}

/// The configured endpoints (served by `server::http`).
#[utoipa::path(get, path = "/api/v1/endpoints", tag = "bridge",
    responses((status = 200, description = "Every configured endpoint", body = EndpointList)))]
#[allow(dead_code)]
fn endpoints_doc() {}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "bridge",
    responses((status = 200, description = "The OpenAPI 3 document of /api/v1", content_type = "application/json")))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

/// The routes and schemas of this module's part of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "web3270 bridge API",
        description = "REST API of the web3270 bridge: endpoints, health, headless 3270 sessions (screen and input in s3270's action syntax). See docs/API.md."
    ),
    paths(
        health_doc,
        endpoints_doc,
        openapi_json,
        sessions::create_session,
        sessions::list_sessions,
        sessions::get_session,
        sessions::delete_session,
        sessions::get_screen,
        sessions::post_input,
        sessions::suspend_session,
        sessions::resume_session,
        sessions::migrate_session,
    ),
    components(schemas(
        ErrorBody,
        Health,
        HealthEndpoint,
        EndpointList,
        EndpointItem,
        CreateSession,
        SessionResource,
        SessionList,
        InputRequest,
        InputAccepted,
        SuspendRequest,
        MigrateRequest,
        ScreenView,
        ScreenData,
        FieldView,
    )),
    tags(
        (name = "bridge", description = "The bridge itself"),
        (name = "sessions", description = "3270 sessions: headless ones driven by this API, and the browsers' websocket sessions"),
    )
)]
pub struct ApiDoc;

/// The whole `/api/v1` document: [`ApiDoc`] plus the parts other modules register.
pub fn document() -> utoipa::openapi::OpenApi {
    #[allow(unused_mut)]
    let mut doc = ApiDoc::openapi();
    // Other modules' routes: one line each, e.g.
    // doc.merge(crate::metrics::MetricsDoc::openapi());
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}
