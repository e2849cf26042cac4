//! The HTTP side of the metrics: `GET /metrics` (Prometheus text format 0.0.4) and
//! `GET /api/v1/metrics` (JSON) ([`router`]), and the middleware that counts every HTTP
//! request by method, matched route template and status and times it ([`track`], added
//! with [`layer`]).
//!
//! Routes are labelled with axum's [`MatchedPath`] (`/api/v1/sessions/{id}`), never the raw
//! path; a request no route matched is labelled `unmatched` and `/static/...` files
//! `/static/*`, so the label set stays bounded by the routes of the bridge.
//!
//! Both routes are in the OpenAPI document ([`MetricsDoc`]; the JSON's shape is
//! [`super::MetricsJson`]).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::{FamilyJson, MetricsJson, SampleJson};
use crate::server::AppState;

/// The content type of the Prometheus text exposition format 0.0.4.
pub const PROMETHEUS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Route label of a request that matched no route.
pub const UNMATCHED: &str = "unmatched";

/// Prefix under which static assets are served (one route label for all of them).
const STATIC_PREFIX: &str = "/static";

/// `GET /metrics` and `GET /api/v1/metrics`.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/metrics", get(prometheus))
        .route("/api/v1/metrics", get(json))
}

/// Adds [`track`] to every route (and the fallback) of `router`.
pub fn layer<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.layer(axum::middleware::from_fn(track))
}

/// Every metric in the Prometheus text exposition format 0.0.4 (docs/OBSERVABILITY.md).
#[utoipa::path(get, path = "/metrics", tag = "metrics",
    responses((status = 200, description = "The metrics as Prometheus text 0.0.4", body = String,
        content_type = "text/plain; version=0.0.4; charset=utf-8")))]
async fn prometheus(State(state): State<Arc<AppState>>) -> Response {
    let body = super::snapshot(&state).to_prometheus();
    ([(header::CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE)], body).into_response()
}

/// The same samples as `/metrics`, as JSON.
#[utoipa::path(get, path = "/api/v1/metrics", tag = "metrics",
    responses((status = 200, description = "Every metric family with its samples", body = MetricsJson)))]
async fn json(State(state): State<Arc<AppState>>) -> Json<MetricsJson> {
    Json(super::snapshot(&state).to_json())
}

/// The OpenAPI part of these routes, merged in `crate::api::openapi::document`.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(prometheus, json),
    components(schemas(MetricsJson, FamilyJson, SampleJson)),
    tags((name = "metrics", description = "Metrics for scrapers (docs/OBSERVABILITY.md)"))
)]
pub struct MetricsDoc;

/// Counts and times one request (`api_requests_total`, `api_request_duration_ms`).
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = route_label(
        request.extensions().get::<MatchedPath>(),
        request.uri().path(),
    );
    let response = next.run(request).await;
    super::api_request(
        method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// The method as a label: the standard ones by name, any other as `OTHER`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// The route template; `path` only decides whether an unmatched request is a static file.
fn route_label(matched: Option<&MatchedPath>, path: &str) -> String {
    match matched {
        Some(m) if !m.as_str().starts_with(STATIC_PREFIX) => m.as_str().to_owned(),
        Some(_) => format!("{STATIC_PREFIX}/*"),
        None if path.starts_with(STATIC_PREFIX) => format!("{STATIC_PREFIX}/*"),
        None => UNMATCHED.to_owned(),
    }
}
