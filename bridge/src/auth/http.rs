//! The HTTP side of authentication: the guard in front of every route, and the routes
//! `GET /api/v1/auth`, `POST /api/v1/auth/ticket`, `DELETE /api/v1/auth/ticket`.
//!
//! The guard, in order:
//! 1. records the request's [`RequestContext`] (client address, HTTPS or not) as an extension;
//! 2. `/api/v1/health` (Kubernetes/Docker probes, which carry no credentials and often
//!    speak plain HTTP to the pod) and `/metrics` pass untouched;
//! 3. with `require_https`, a request that did not arrive over HTTPS is answered 403
//!    `HTTPS_REQUIRED`. HTTPS means: the connection is TLS ([`arrived_over_tls`]), or the peer
//!    is a trusted proxy (loopback, plus `WEB3270_TRUSTED_PROXIES`) and sent
//!    `X-Forwarded-Proto: https`. Loopback is not exempt otherwise;
//! 4. with authentication on, `/api/v1/*` (except `GET /api/v1/auth`) needs credentials in
//!    the `Authorization` header: else 401 `UNAUTHORIZED` with `WWW-Authenticate`, or 429
//!    `RATE_LIMIT_EXCEEDED` with `Retry-After` for a damped client. `/ws` may carry the header
//!    too (non-browser clients); without it the websocket authenticates in its `hello`. The
//!    page and `/static` are public (they hold no data). The [`Principal`] goes into the
//!    request's extensions for handlers.
//!
//! The URL query is never read for credentials. The OpenAPI document takes each operation's
//! security requirement from [`is_open`]; [`AuthDoc`] documents this module's routes.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{AuthError, Credentials, Principal};
use crate::api::error::ErrorBody;
use crate::audit::time;
use crate::config::{AuthType, Choice as _};
use crate::server::AppState;

/// Paths that pass the guard untouched (probes and scrapers).
pub const OPEN_PATHS: [&str; 3] = ["/api/v1/health", "/api/v1/health/live", "/metrics"];
/// `GET` of this path needs no credentials (the login status a page reads first).
pub const STATUS_PATH: &str = "/api/v1/auth";
/// The realm in `WWW-Authenticate`.
pub const REALM: &str = "web3270";

/// Whether a request to `path` is served without credentials even with authentication on:
/// [`OPEN_PATHS`] (any method) and `GET` [`STATUS_PATH`]. The guard and the OpenAPI
/// document (`crate::api::openapi`, operations' `security`) both follow this.
pub fn is_open(method: &Method, path: &str) -> bool {
    OPEN_PATHS.contains(&path) || (path == STATUS_PATH && method == Method::GET)
}

/// A marker a TLS listener puts into a request's extensions when the connection is TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlsConnection;

/// What the guard learned about a request; handlers read it from the extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestContext {
    /// The client: the peer, or behind a trusted proxy the last `X-Forwarded-For` address
    /// (port 0 then).
    pub client: Option<SocketAddr>,
    /// Whether the request arrived over HTTPS (directly or per a trusted proxy).
    pub https: bool,
}

/// Whether the connection itself is TLS: the TLS listener's marker is present.
pub fn arrived_over_tls(extensions: &axum::http::Extensions) -> bool {
    extensions.get::<TlsConnection>().is_some()
}

impl RequestContext {
    /// The context of a request as seen by `auth`.
    pub fn of(
        auth: &super::Auth,
        extensions: &axum::http::Extensions,
        headers: &HeaderMap,
    ) -> RequestContext {
        let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        let trusted = peer.is_some_and(|p| auth.is_trusted_proxy(p.ip()));
        let forwarded_https = trusted
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
        let forwarded_for = trusted
            .then(|| headers.get("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
            .map(|ip| SocketAddr::new(ip, 0));
        RequestContext {
            client: forwarded_for.or(peer),
            https: arrived_over_tls(extensions) || forwarded_https,
        }
    }
}

/// The credentials of an `Authorization` header (`None` without one).
pub fn header_credentials(headers: &HeaderMap) -> Option<Credentials> {
    let value = headers.get(header::AUTHORIZATION)?;
    let Ok(value) = value.to_str() else {
        return Some(Credentials::Malformed);
    };
    let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value, ""));
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty() {
        return Some(Credentials::Bearer(rest.to_owned()));
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest.as_bytes())
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        if let Some((user, password)) = decoded.as_deref().and_then(|d| d.split_once(':')) {
            return Some(Credentials::Basic {
                user: user.to_owned(),
                password: password.to_owned(),
            });
        }
    }
    Some(Credentials::Malformed)
}

/// An error with the API's body.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"err": code, "message": message, "status": status.as_u16()});
    (status, Json(body)).into_response()
}

/// The refusal for `e`: 401 with `WWW-Authenticate`, or 429 with `Retry-After`.
pub fn refusal(kind: AuthType, e: AuthError) -> Response {
    crate::metrics::refusal(
        crate::metrics::Listener::Http,
        match e {
            AuthError::Locked(_) => crate::metrics::RefusalReason::RateLimited,
            AuthError::Missing | AuthError::Invalid => crate::metrics::RefusalReason::Unauthorized,
        },
    );
    if let AuthError::Locked(left) = e {
        let mut r = error(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMIT_EXCEEDED",
            &e.message(),
        );
        if let Ok(v) = HeaderValue::from_str(&left.as_secs().max(1).to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let challenge = match (kind, e) {
        (AuthType::Basic, _) => format!("Basic realm=\"{REALM}\", charset=\"UTF-8\""),
        (_, AuthError::Invalid) => format!("Bearer realm=\"{REALM}\", error=\"invalid_token\""),
        _ => format!("Bearer realm=\"{REALM}\""),
    };
    let mut r = error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", &e.message());
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

/// Checks credentials off the async workers (PBKDF2 may take a while).
pub async fn authenticate(
    state: &Arc<AppState>,
    credentials: Option<Credentials>,
    client: Option<SocketAddr>,
    endpoint: String,
) -> Result<Principal, AuthError> {
    if matches!(credentials, Some(Credentials::Basic { .. })) {
        let state = state.clone();
        tokio::task::spawn_blocking(move || {
            state
                .auth
                .authenticate(credentials.as_ref(), client, &endpoint)
        })
        .await
        .unwrap_or(Err(AuthError::Invalid))
    } else {
        state
            .auth
            .authenticate(credentials.as_ref(), client, &endpoint)
    }
}

/// The guard (see the module doc). Install with
/// `router.layer(axum::middleware::from_fn_with_state(state, guard))`.
pub async fn guard(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let ctx = RequestContext::of(&state.auth, request.extensions(), request.headers());
    request.extensions_mut().insert(ctx);
    let path = request.uri().path().to_owned();
    if OPEN_PATHS.contains(&path.as_str()) {
        return next.run(request).await;
    }
    if state.auth.require_https() && !ctx.https {
        tracing::warn!(client = ?ctx.client, path, "refused: plain HTTP while authentication.require_https is on");
        return error(
            StatusCode::FORBIDDEN,
            "HTTPS_REQUIRED",
            "this bridge accepts HTTPS only",
        );
    }
    let is_ws = path == "/ws";
    let protected = is_ws || path.starts_with("/api/");
    let public = is_open(request.method(), &path);
    if !state.auth.is_enabled() || !protected || public {
        return next.run(request).await;
    }
    let credentials = header_credentials(request.headers());
    if is_ws && credentials.is_none() {
        // The browser authenticates in its hello.
        return next.run(request).await;
    }
    match authenticate(&state, credentials, ctx.client, path).await {
        Ok(p) => {
            request.extensions_mut().insert(p);
            next.run(request).await
        }
        Err(e) => refusal(state.auth.kind(), e),
    }
}

/// `GET /api/v1/auth`, `POST`/`DELETE /api/v1/auth/ticket`.
pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/api/v1/auth", get(status)).route(
        "/api/v1/auth/ticket",
        axum::routing::post(issue).delete(revoke),
    )
}

/// `GET /api/v1/auth` answer: what a client needs to know to log in.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthStatus {
    /// `authentication.enabled`.
    pub enabled: bool,
    /// `none`, `basic` or `bearer`: the credential `Authorization` carries (tickets are
    /// `Bearer` with either).
    #[serde(rename = "type")]
    #[schema(example = "bearer")]
    pub kind: String,
    /// Lifetime of a ticket (`authentication.token_expire_seconds`).
    pub ticket_lifetime_seconds: u64,
    /// Plain HTTP is refused (403 `HTTPS_REQUIRED`).
    pub require_https: bool,
}

/// `POST /api/v1/auth/ticket` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketIssued {
    /// 64 hex digits; present it as `Authorization: Bearer` or in the websocket `hello`.
    pub ticket: String,
    /// The user it authenticates.
    pub user: String,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// When it expires, RFC 3339 UTC.
    pub expires_at: String,
}

/// What a client needs to know to log in (open: no credentials needed).
#[utoipa::path(get, path = "/api/v1/auth", tag = "auth",
    responses((status = 200, description = "Whether and how to authenticate", body = AuthStatus)))]
async fn status(State(state): State<Arc<AppState>>) -> Json<AuthStatus> {
    let a = &state.auth;
    Json(AuthStatus {
        enabled: a.is_enabled(),
        kind: if a.is_enabled() {
            a.kind().as_str()
        } else {
            "none"
        }
        .to_owned(),
        ticket_lifetime_seconds: a.ticket_ttl().as_secs(),
        require_https: a.require_https(),
    })
}

/// Issues a ticket for the token or password presented (a ticket cannot renew itself).
#[utoipa::path(post, path = "/api/v1/auth/ticket", tag = "auth",
    responses(
        (status = 201, description = "A ticket, valid for `ticket_lifetime_seconds`", body = TicketIssued),
        (status = 400, description = "INVALID_REQUEST: authentication is off, no ticket is needed", body = ErrorBody),
        (status = 403, description = "UNAUTHORIZED: the credential presented is itself a ticket", body = ErrorBody),
        (status = 500, description = "INTERNAL_ERROR: no randomness for a ticket", body = ErrorBody),
    ))]
async fn issue(
    State(state): State<Arc<AppState>>,
    principal: Option<axum::Extension<Principal>>,
    ctx: Option<axum::Extension<RequestContext>>,
) -> Response {
    if !state.auth.is_enabled() {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "authentication is off: no ticket is needed",
        );
    }
    let Some(axum::Extension(p)) = principal else {
        return refusal(state.auth.kind(), AuthError::Missing);
    };
    if p.method == "ticket" {
        return error(
            StatusCode::FORBIDDEN,
            "UNAUTHORIZED",
            "a ticket cannot renew itself: present the token or the password",
        );
    }
    let client = ctx.and_then(|c| c.0.client);
    let Some(t) = state.auth.issue_ticket(&p) else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "no randomness for a ticket",
        );
    };
    state.auth.audit_success(&p, client, "/api/v1/auth/ticket");
    tracing::info!(user = %p.user, client = ?client, "ticket issued");
    let body = TicketIssued {
        ticket: t.ticket,
        user: t.user,
        expires_in: t.expires_in.as_secs(),
        expires_at: time::rfc3339(time::unix_ms(t.expires_at)),
    };
    (StatusCode::CREATED, Json(body)).into_response()
}

/// Revokes the ticket presented as `Authorization: Bearer`.
#[utoipa::path(delete, path = "/api/v1/auth/ticket", tag = "auth",
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, description = "INVALID_REQUEST: no live ticket was presented as Bearer", body = ErrorBody),
    ))]
async fn revoke(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    match header_credentials(&headers) {
        Some(Credentials::Bearer(t)) if state.auth.revoke_ticket(&t) => {
            StatusCode::NO_CONTENT.into_response()
        }
        _ => error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "present the ticket to revoke as Authorization: Bearer",
        ),
    }
}

/// The OpenAPI part of these routes, merged in `crate::api::openapi::document` (which adds
/// the security requirements and the guard's refusals from [`is_open`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(status, issue, revoke),
    components(schemas(AuthStatus, TicketIssued)),
    tags((name = "auth", description = "Authentication: login status and tickets (docs/SECURITY.md)"))
)]
pub struct AuthDoc;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditLog;
    use crate::config::AuthConfig;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ctx(peer: &str, pairs: &[(&'static str, &str)], tls: bool) -> RequestContext {
        let auth = super::super::Auth::with_trusted_proxies(
            &AuthConfig::default(),
            AuditLog::disabled(),
            "10.0.0.0/8",
        )
        .unwrap();
        let mut ext = axum::http::Extensions::new();
        ext.insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        if tls {
            ext.insert(TlsConnection);
        }
        RequestContext::of(&auth, &ext, &headers(pairs))
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let fwd = [
            ("x-forwarded-proto", "https"),
            ("x-forwarded-for", "198.51.100.9, 10.0.0.2"),
        ];
        // A trusted proxy: HTTPS, and the client is the last forwarded address.
        let c = ctx("10.1.1.1:4000", &fwd, false);
        assert!(c.https);
        assert_eq!(c.client, Some("10.0.0.2:0".parse().unwrap()));
        // Anyone else: the headers are ignored.
        let c = ctx("192.0.2.5:4000", &fwd, false);
        assert!(!c.https);
        assert_eq!(c.client, Some("192.0.2.5:4000".parse().unwrap()));
        // `http` from a trusted proxy is plain; a TLS connection is HTTPS whatever it says.
        assert!(!ctx("127.0.0.1:1", &[("x-forwarded-proto", "http")], false).https);
        assert!(ctx("192.0.2.5:1", &[("x-forwarded-proto", "http")], true).https);
        // A garbled X-Forwarded-For falls back to the peer.
        let c = ctx("127.0.0.1:7", &[("x-forwarded-for", "not-an-ip")], false);
        assert_eq!(c.client, Some("127.0.0.1:7".parse().unwrap()));
    }

    #[test]
    fn authorization_headers() {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let cases = [
            ("Bearer abc", Some(Credentials::Bearer("abc".into()))),
            ("bearer   abc ", Some(Credentials::Bearer("abc".into()))),
            ("Bearer", Some(Credentials::Malformed)),
            (
                &*format!("Basic {}", b64("alice:pa:ss")),
                Some(Credentials::Basic {
                    user: "alice".into(),
                    password: "pa:ss".into(),
                }),
            ),
            (
                &*format!("Basic {}", b64("alice")),
                Some(Credentials::Malformed),
            ),
            ("Basic ***", Some(Credentials::Malformed)),
            ("Digest x", Some(Credentials::Malformed)),
        ];
        for (value, expected) in cases {
            assert_eq!(
                header_credentials(&headers(&[("authorization", value)])),
                expected,
                "{value}"
            );
        }
        assert_eq!(header_credentials(&HeaderMap::new()), None);
    }
}
