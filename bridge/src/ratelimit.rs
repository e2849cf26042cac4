//! Request rate limiting of the HTTP API (`rate_limiting: {enabled, max_rps}`): a token
//! bucket per client IP address, as a middleware ([`layer`]).
//!
//! Standards: 429 Too Many Requests (RFC 6585 §4) with `Retry-After` (RFC 9110 §10.2.3);
//! the `X-RateLimit-*` names are the deployment guide's (the de-facto convention that the
//! IETF draft "RateLimit header fields for HTTP", draft-ietf-httpapi-ratelimit-headers,
//! standardises as `RateLimit-*`); `X-RateLimit-Reset` is delta seconds as in that draft.
//!
//! Owns: which requests are limited ([`is_limited`]), the buckets and their bounded table
//! ([`RateLimiter`]), the `X-RateLimit-*` headers and the guide's 429 body. Does not own:
//! who the client is beyond its TCP peer address (no `X-Forwarded-For`: it is trivially
//! forged; behind a proxy every client shares the proxy's bucket — see
//! `docs/OBSERVABILITY.md`), authentication.
//!
//! ## Policy
//! - Limited: `/api/v1/*` and the websocket upgrade `GET /ws`. Exempt: `/api/v1/health`
//!   (probes), `/metrics` and `/api/v1/metrics` (scrapers), the page and its static assets.
//! - Each client IP has a bucket of `max_rps` tokens refilled at `max_rps` per second; a
//!   request takes one token or is answered 429 `RATE_LIMIT_EXCEEDED` with `Retry-After`.
//!   So `max_rps` is per client, and a client may burst `max_rps` requests at once.
//! - Every response of a limited route carries `X-RateLimit-Limit` (`max_rps`),
//!   `X-RateLimit-Remaining` (whole tokens left) and `X-RateLimit-Reset` (seconds until the
//!   bucket is full again, rounded up).
//! - Memory: at most [`MAX_CLIENTS`] buckets. A full bucket is the same as no bucket, so when
//!   the table is full the buckets that have refilled are evicted (at most once per
//!   [`SWEEP_INTERVAL`]); if every bucket is still in use, new clients share one overflow
//!   bucket (of the same size) until room frees up.
//! - The clock is a parameter ([`RateLimiter::check`] takes `now`) so tests need no sleeps.
//! - The first refusal of a client logs at info; further ones until it is allowed again at
//!   debug (a flood must not flood the log). Each counts in `refusals_total`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::json;

use crate::config::RateLimitConfig;
use crate::metrics::{self, Listener, RefusalReason};

/// Most client buckets kept at once.
pub const MAX_CLIENTS: usize = 10_000;

/// Shortest time between two sweeps of a full table.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(1);

/// Path prefix of the limited API.
pub const API_PREFIX: &str = "/api/v1/";

/// The websocket upgrade path (limited too).
pub const WS_PATH: &str = "/ws";

/// Paths under [`API_PREFIX`] that are never limited (probes and scrapers).
pub const EXEMPT: [&str; 2] = ["/api/v1/health", "/api/v1/metrics"];

/// `X-RateLimit-Limit`.
pub const LIMIT_HEADER: HeaderName = HeaderName::from_static("x-ratelimit-limit");
/// `X-RateLimit-Remaining`.
pub const REMAINING_HEADER: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
/// `X-RateLimit-Reset`.
pub const RESET_HEADER: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// Whether requests to `path` are rate limited.
pub fn is_limited(path: &str) -> bool {
    path == WS_PATH || (path.starts_with(API_PREFIX) && !EXEMPT.contains(&path))
}

/// The verdict on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether it may go on.
    pub allowed: bool,
    /// `max_rps`.
    pub limit: u32,
    /// Whole tokens left after this request.
    pub remaining: u32,
    /// Whole seconds (rounded up) until the bucket is full again.
    pub reset_seconds: u64,
    /// When refused, whole seconds (rounded up, at least 1) until one token is back.
    pub retry_after_seconds: u64,
    /// Whether this refusal is the first since the client was last allowed.
    pub first_refusal: bool,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
    limited: bool,
}

impl Bucket {
    fn full(capacity: f64, now: Instant) -> Bucket {
        Bucket {
            tokens: capacity,
            last: now,
            limited: false,
        }
    }

    /// Tokens at `now` (refilled since `last`, capped at `capacity`).
    fn level(&self, capacity: f64, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        (self.tokens + elapsed * capacity).min(capacity)
    }
}

#[derive(Debug)]
struct Table {
    buckets: HashMap<IpAddr, Bucket>,
    overflow: Bucket,
    last_sweep: Option<Instant>,
}

/// Token buckets per client IP, bounded by [`MAX_CLIENTS`].
#[derive(Debug)]
pub struct RateLimiter {
    max_rps: u32,
    table: Mutex<Table>,
}

impl RateLimiter {
    /// A limiter allowing `max_rps` requests per second per client (at least 1).
    pub fn new(max_rps: u32, now: Instant) -> RateLimiter {
        let max_rps = max_rps.max(1);
        RateLimiter {
            max_rps,
            table: Mutex::new(Table {
                buckets: HashMap::new(),
                overflow: Bucket::full(f64::from(max_rps), now),
                last_sweep: None,
            }),
        }
    }

    /// Buckets held now (clients seen and not yet evicted).
    pub fn clients(&self) -> usize {
        self.table.lock().map(|t| t.buckets.len()).unwrap_or(0)
    }

    /// Takes a token for `client` at `now`, or refuses.
    pub fn check(&self, client: IpAddr, now: Instant) -> Decision {
        let capacity = f64::from(self.max_rps);
        let Ok(mut table) = self.table.lock() else {
            // A poisoned lock (a panic elsewhere) must not lock everyone out.
            return Decision {
                allowed: true,
                limit: self.max_rps,
                remaining: 0,
                reset_seconds: 1,
                retry_after_seconds: 0,
                first_refusal: false,
            };
        };
        let table = &mut *table;
        if !table.buckets.contains_key(&client) && table.buckets.len() >= MAX_CLIENTS {
            let due = table
                .last_sweep
                .is_none_or(|t| now.saturating_duration_since(t) >= SWEEP_INTERVAL);
            if due {
                table.last_sweep = Some(now);
                table
                    .buckets
                    .retain(|_, b| b.level(capacity, now) < capacity);
            }
        }
        let bucket = if table.buckets.len() < MAX_CLIENTS || table.buckets.contains_key(&client) {
            table
                .buckets
                .entry(client)
                .or_insert_with(|| Bucket::full(capacity, now))
        } else {
            &mut table.overflow
        };
        let level = bucket.level(capacity, now);
        let allowed = level >= 1.0;
        let tokens = if allowed { level - 1.0 } else { level };
        let first_refusal = !allowed && !bucket.limited;
        *bucket = Bucket {
            tokens,
            last: now,
            limited: !allowed,
        };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let whole = |x: f64| x.max(0.0).ceil() as u64;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let remaining = tokens.max(0.0).floor() as u32;
        Decision {
            allowed,
            limit: self.max_rps,
            remaining,
            reset_seconds: whole((capacity - tokens) / capacity),
            retry_after_seconds: if allowed {
                0
            } else {
                whole((1.0 - tokens) / capacity).max(1)
            },
            first_refusal,
        }
    }
}

/// The client's address from axum's `ConnectInfo` (`None` when the server was started
/// without it). An extractor that never fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// Adds the limiter to every route of `router` when `config.enabled` (else returns it
/// unchanged).
pub fn layer<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    config: &RateLimitConfig,
) -> Router<S> {
    if !config.enabled {
        return router;
    }
    let limiter = Arc::new(RateLimiter::new(config.max_rps, Instant::now()));
    router.layer(axum::middleware::from_fn_with_state(limiter, limit))
}

/// The middleware: exempt paths pass untouched; limited ones are checked and get the
/// `X-RateLimit-*` headers.
pub async fn limit(
    State(limiter): State<Arc<RateLimiter>>,
    ClientAddr(addr): ClientAddr,
    request: Request,
    next: Next,
) -> Response {
    if !is_limited(request.uri().path()) {
        return next.run(request).await;
    }
    // Without ConnectInfo every client shares the unspecified address's bucket.
    let client = addr.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
    let decision = limiter.check(client, Instant::now());
    let mut response = if decision.allowed {
        next.run(request).await
    } else {
        metrics::refusal(Listener::Http, RefusalReason::RateLimited);
        if decision.first_refusal {
            tracing::info!(%client, max_rps = decision.limit, path = request.uri().path(),
                code = "RATE_LIMIT_EXCEEDED", "request refused: rate limit exceeded");
        } else {
            tracing::debug!(%client, path = request.uri().path(), code = "RATE_LIMIT_EXCEEDED",
                "request refused: rate limit exceeded");
        }
        too_many(&decision)
    };
    set_headers(response.headers_mut(), &decision);
    response
}

/// 429 with the guide's body and `Retry-After`.
fn too_many(d: &Decision) -> Response {
    let body = json!({
        "err": "RATE_LIMIT_EXCEEDED",
        "message": format!("more than {} requests per second; retry in {} s", d.limit, d.retry_after_seconds),
        "status": StatusCode::TOO_MANY_REQUESTS.as_u16(),
    });
    let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    response.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        HeaderValue::from(d.retry_after_seconds),
    );
    response
}

fn set_headers(headers: &mut HeaderMap, d: &Decision) {
    headers.insert(LIMIT_HEADER, HeaderValue::from(d.limit));
    headers.insert(REMAINING_HEADER, HeaderValue::from(d.remaining));
    headers.insert(RESET_HEADER, HeaderValue::from(d.reset_seconds));
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));

    /// Two per second: a burst of two passes, the third waits; half a second later one
    /// token is back; clients have their own buckets.
    #[test]
    fn bucket_per_client() {
        let t0 = Instant::now();
        let l = RateLimiter::new(2, t0);
        let d = l.check(A, t0);
        assert!(d.allowed);
        assert_eq!((d.limit, d.remaining, d.reset_seconds), (2, 1, 1));
        assert!(l.check(A, t0).allowed);
        let d = l.check(A, t0);
        assert!(!d.allowed);
        assert!(d.first_refusal);
        assert_eq!((d.remaining, d.retry_after_seconds), (0, 1));
        assert!(!l.check(A, t0).first_refusal, "only the first refusal logs");
        assert!(l.check(B, t0).allowed, "B has its own bucket");
        let d = l.check(A, t0 + Duration::from_millis(500));
        assert!(d.allowed);
        assert_eq!(d.remaining, 0);
        assert!(!l.check(A, t0 + Duration::from_millis(500)).allowed);
    }

    /// A full table evicts refilled buckets; if none has refilled, newcomers share the
    /// overflow bucket; the table never grows past MAX_CLIENTS.
    #[test]
    fn table_is_bounded() {
        let t0 = Instant::now();
        let l = RateLimiter::new(1, t0);
        for i in 0..MAX_CLIENTS {
            let ip = IpAddr::from(u32::try_from(i).unwrap().to_be_bytes());
            assert!(l.check(ip, t0).allowed);
        }
        assert_eq!(l.clients(), MAX_CLIENTS);
        // Nobody refilled: a newcomer uses the overflow bucket (1 token), a second one waits.
        assert!(l.check(A, t0).allowed);
        assert!(!l.check(B, t0).allowed);
        assert_eq!(l.clients(), MAX_CLIENTS);
        // Two seconds on every bucket is full again: the sweep empties the table.
        let later = t0 + Duration::from_secs(2);
        assert!(l.check(A, later).allowed);
        assert_eq!(l.clients(), 1);
    }

    #[test]
    fn limited_paths() {
        assert!(is_limited("/api/v1/sessions"));
        assert!(is_limited("/api/v1/endpoints"));
        assert!(is_limited("/ws"));
        assert!(!is_limited("/api/v1/health"));
        assert!(!is_limited("/api/v1/metrics"));
        assert!(!is_limited("/metrics"));
        assert!(!is_limited("/"));
        assert!(!is_limited("/static/app.js"));
    }
}
