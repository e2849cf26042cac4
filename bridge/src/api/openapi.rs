//! The OpenAPI 3.1 document of the bridge's HTTP API, generated from the handlers'
//! `#[utoipa::path]` annotations and the request/answer types' `ToSchema` derives (crate
//! `utoipa`), served at `GET /api/v1/openapi.json`.
//!
//! Owns: [`document`], which merges the parts each module declares next to its handlers
//! ([`ApiDoc`] here for the sessions; `PoolDoc`, `AuthDoc`, `AuditDoc`, `MetricsDoc` in
//! [`crate::pool::api`], [`crate::auth::http`], [`crate::audit::http`],
//! [`crate::metrics::http`]), then applies what the layers in front of every route do
//! ([`apply_guards`]): the security requirement of each operation from the guard's own rule
//! ([`crate::auth::http::is_open`]), and the refusals of the authentication guard and the rate
//! limiter ([`crate::ratelimit::is_limited`]) as responses. Does not own: the routes (each
//! module's `router()`), the answers' shapes (their types).
//!
//! **Adding a route**: put `#[utoipa::path(...)]` on its handler (errors: `body =
//! ErrorBody`) and `#[derive(ToSchema)]` on its bodies, list the handler in its module's
//! `#[derive(utoipa::OpenApi)]` struct (or derive one and add a `doc.merge(...)` line to
//! [`document`]). The test `bridge/tests/rest_api.rs::openapi_document_matches_the_router`
//! fails for a routed path or method the document lacks, and for a documented one no
//! longer routed.
//!
//! Out of the document: `/ws` (a websocket, docs/WEBSOCKET.md), the page and `/static/*`.

use axum::http::Method;
use axum::Json;
use utoipa::openapi::header::Header;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::{ObjectBuilder, Ref, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, RefOr};
use utoipa::OpenApi;

use super::error::ErrorBody;
use super::screen::{FieldView, ScreenData, ScreenView};
use super::sessions::{
    self, CreateSession, InputAccepted, InputRequest, MigrateRequest, SessionList, SessionResource,
    SuspendRequest, Wait,
};
use crate::auth::http::{is_open, OPEN_PATHS};

/// Name of the bearer security scheme (the token, or a ticket).
pub const BEARER: &str = "bearer";
/// Name of the basic security scheme (a user of `authentication.users`).
pub const BASIC: &str = "basic";

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "bridge",
    responses((status = 200, description = "The OpenAPI 3.1 document of the bridge's HTTP API", body = Object, content_type = "application/json")))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

/// The routes and schemas of this module's part of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "web3270 bridge API",
        description = "HTTP API of the web3270 bridge: headless 3270 sessions (screen and input in s3270's action syntax), endpoints and health, authentication tickets, audit and compliance, metrics. Errors carry `{\"err\", \"message\", \"status\"}`. See docs/API.md and docs/SECURITY.md."
    ),
    paths(
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
        Wait,
        crate::session::SessionStatus,
        crate::session::SessionKind,
    )),
    tags(
        (name = "bridge", description = "The bridge itself"),
        (name = "sessions", description = "3270 sessions: headless ones driven by this API, and the browsers' websocket sessions"),
    )
)]
pub struct ApiDoc;

/// The whole document: [`ApiDoc`], the parts other modules declare, and [`apply_guards`].
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::pool::api::PoolDoc::openapi());
    doc.merge(crate::auth::http::AuthDoc::openapi());
    doc.merge(crate::audit::http::AuditDoc::openapi());
    doc.merge(crate::metrics::http::MetricsDoc::openapi());
    apply_guards(&mut doc);
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// A refusal of the layers in front of the routes: its status, the name of its shared
/// response in `components.responses`, and its meaning.
struct Refusal {
    status: &'static str,
    component: &'static str,
    meaning: &'static str,
}

/// 401 from the authentication guard.
const UNAUTHORIZED: Refusal = Refusal {
    status: "401",
    component: "Unauthorized",
    meaning: "UNAUTHORIZED: credentials missing or wrong (authentication on)",
};
/// 403 from the authentication guard.
const HTTPS_REQUIRED: Refusal = Refusal {
    status: "403",
    component: "HttpsRequired",
    meaning: "HTTPS_REQUIRED: plain HTTP while `authentication.require_https` is on",
};
/// 429 from the rate limiter or the brute-force damper.
const RATE_LIMITED: Refusal = Refusal {
    status: "429",
    component: "RateLimited",
    meaning: "RATE_LIMIT_EXCEEDED: `rate_limiting.max_rps` exceeded, or too many failed logins from this client (`Retry-After`)",
};

/// What the layers in front of every route add (`server::http::router`):
/// - the security schemes `bearer` and `basic`, and on each operation its requirement:
///   `[]` (none) where [`is_open`], else either scheme. With `authentication.enabled: false`
///   nothing is required at all (docs/SECURITY.md);
/// - 401 `UNAUTHORIZED` where credentials are needed; 403 `HTTPS_REQUIRED` (with
///   `require_https`) everywhere but [`OPEN_PATHS`]; 429 `RATE_LIMIT_EXCEEDED` where the rate
///   limiter counts ([`crate::ratelimit::is_limited`]) or credentials are needed (brute-force
///   damping).
pub fn apply_guards(doc: &mut utoipa::openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    let mut bearer = Http::new(HttpAuthScheme::Bearer);
    bearer.description = Some(
        "`Authorization: Bearer T`: with `authentication.type: bearer` the configured token; \
         with either type a ticket from `POST /api/v1/auth/ticket` (RFC 6750)"
            .into(),
    );
    let mut basic = Http::new(HttpAuthScheme::Basic);
    basic.description = Some(
        "`Authorization: Basic base64(user:password)` with `authentication.type: basic`, a user \
         of `authentication.users` (RFC 7617)"
            .into(),
    );
    components.add_security_scheme(BEARER, SecurityScheme::Http(bearer));
    components.add_security_scheme(BASIC, SecurityScheme::Http(basic));
    let header = |kind: Type, description: &str| {
        let mut h = Header::new(ObjectBuilder::new().schema_type(kind));
        h.description = Some(description.to_owned());
        RefOr::T(h)
    };
    let error = |refusal: &Refusal| {
        let mut r = Response::new(refusal.meaning);
        r.content.insert(
            "application/json".into(),
            RefOr::T(Content::new(Some(Ref::from_schema_name("ErrorBody")))),
        );
        r
    };
    let mut unauthorized = error(&UNAUTHORIZED);
    unauthorized.headers.insert(
        "WWW-Authenticate".into(),
        header(
            Type::String,
            "`Bearer realm=\"web3270\"` or `Basic realm=\"web3270\", charset=\"UTF-8\"`",
        ),
    );
    let mut limited = error(&RATE_LIMITED);
    for (name, description) in [
        ("Retry-After", "Seconds until a request may succeed"),
        (
            "X-RateLimit-Limit",
            "`rate_limiting.max_rps` (on every answer of a rate-limited route)",
        ),
        (
            "X-RateLimit-Remaining",
            "Requests left in the client's bucket",
        ),
        (
            "X-RateLimit-Reset",
            "Seconds until the bucket is full again",
        ),
    ] {
        limited
            .headers
            .insert(name.into(), header(Type::Integer, description));
    }
    for (refusal, response) in [
        (&UNAUTHORIZED, unauthorized),
        (&HTTPS_REQUIRED, error(&HTTPS_REQUIRED)),
        (&RATE_LIMITED, limited),
    ] {
        components
            .responses
            .insert(refusal.component.into(), RefOr::T(response));
    }
    let either = vec![
        SecurityRequirement::new(BEARER, Vec::<String>::new()),
        SecurityRequirement::new(BASIC, Vec::<String>::new()),
    ];
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            (Method::GET, &mut item.get),
            (Method::PUT, &mut item.put),
            (Method::POST, &mut item.post),
            (Method::DELETE, &mut item.delete),
            (Method::OPTIONS, &mut item.options),
            (Method::HEAD, &mut item.head),
            (Method::PATCH, &mut item.patch),
            (Method::TRACE, &mut item.trace),
        ];
        for (method, op) in operations {
            let Some(op) = op.as_mut() else { continue };
            let open = is_open(&method, path);
            op.security = Some(if open { Vec::new() } else { either.clone() });
            if !open {
                add_refusal(op, &UNAUTHORIZED);
            }
            if !OPEN_PATHS.contains(&path.as_str()) {
                add_refusal(op, &HTTPS_REQUIRED);
            }
            if !open || crate::ratelimit::is_limited(path) {
                add_refusal(op, &RATE_LIMITED);
            }
        }
    }
}

/// Adds the shared response of `refusal`; when the operation already has its own answer for
/// that status, appends the refusal's meaning to its description instead (one response per
/// status).
fn add_refusal(op: &mut Operation, refusal: &Refusal) {
    match op.responses.responses.get_mut(refusal.status) {
        None => {
            op.responses.responses.insert(
                refusal.status.to_owned(),
                RefOr::Ref(Ref::new(format!(
                    "#/components/responses/{}",
                    refusal.component
                ))),
            );
        }
        Some(RefOr::T(own)) => {
            own.description = format!("{}; or {}", own.description, refusal.meaning);
        }
        Some(RefOr::Ref(_)) => {}
    }
}
