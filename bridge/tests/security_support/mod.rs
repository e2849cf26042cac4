//! The security tests' vocabulary (`tests/auth.rs`, `tests/audit.rs`) over the shared
//! [`support`] module, which it mounts and re-exports: a `hello` carrying credentials, and
//! requests and websocket upgrades with extra headers (credentials, `X-Forwarded-Proto`).
//! Its `hello` and `ws_connect` take the place of `support`'s (which name an endpoint and
//! open a plain websocket). Everything else (the bridge, the HTTP client, the browser) is
//! `support`'s.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

#[path = "../support/mod.rs"]
mod support;

use std::net::SocketAddr;

use serde_json::{json, Value};
pub use support::*;
use tokio_tungstenite::tungstenite::Error;

/// `hello` to the default endpoint carrying the credentials `auth` (`null`: none).
pub fn hello(auth: Value) -> Value {
    json!({"type": "hello", "endpoint": null, "model": "3279-2-E", "resume": null, "auth": auth})
}

/// `method target` without a body, with the extra `headers`.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> Answer {
    request(addr, method, target, headers, None).await
}

/// Opens `/ws{query}` offering `web3270.v1` with the extra `headers` (see
/// [`support::ws_upgrade`]).
pub async fn ws_connect(
    addr: SocketAddr,
    query: &str,
    headers: &[(&str, &str)],
) -> Result<Ws, Error> {
    ws_upgrade(addr, query, headers).await
}

impl Browser {
    /// Says `hello` on an open websocket and expects `session` (as [`Browser::open`]).
    pub async fn attach(ws: Ws, hello: Value) -> Browser {
        Browser::open(ws, hello).await
    }
}
