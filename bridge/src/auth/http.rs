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
//! The URL query is never read for credentials.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::json;

use super::{AuthError, Credentials, Principal};
use crate::audit::time;
use crate::config::{AuthType, Choice as _};
use crate::server::AppState;

/// Paths that pass the guard untouched (probes and scrapers).
pub const OPEN_PATHS: [&str; 3] = ["/api/v1/health", "/api/v1/health/live", "/metrics"];
/// The realm in `WWW-Authenticate`.
pub const REALM: &str = "web3270";

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
    let public = path == "/api/v1/auth" && request.method() == Method::GET;
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

/// What a client needs to know to log in (public).
async fn status(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let a = &state.auth;
    Json(json!({
        "enabled": a.is_enabled(),
        "type": if a.is_enabled() { a.kind().as_str() } else { "none" },
        "ticket_lifetime_seconds": a.ticket_ttl().as_secs(),
        "require_https": a.require_https(),
    }))
}

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
    let body = json!({
        "ticket": t.ticket,
        "user": t.user,
        "expires_in": t.expires_in.as_secs(),
        "expires_at": time::rfc3339(time::unix_ms(t.expires_at)),
    });
    (StatusCode::CREATED, Json(body)).into_response()
}

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
