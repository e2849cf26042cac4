//! # bridge — the web3270 server library
//!
//! The server side of web3270: configuration, upstream TN3270 connections, sessions, the REST
//! API and audit, plus tools. The `web3270` binary (`src/main.rs`) is a thin shell over this
//! library.
//!
//! ## Map of the crate
//! | module | role |
//! |---|---|
//! | [`api`] | the REST API of sessions (`/api/v1/sessions...`: create headless, list, screen, input in s3270 action syntax) and `/api/v1/openapi.json`, the OpenAPI document of every HTTP API route, merged from each module's part (`docs/API.md`) |
//! | [`auth`] | `authentication:`: bearer token, basic users, tickets for the websocket, HTTPS requirement, brute-force damping; the HTTP guard |
//! | [`audit`] | `audit:`: the JSON-lines audit log (bounded queue, writer thread, rotation, retention, encryption), `GET /api/v1/audit`, the compliance report |
//! | [`config`] | `server.yaml` and `WEB3270_*`/`ZIG3270_*` environment variables → one typed, validated [`config::Config`] |
//! | [`demo`] | the embedded demo host: a small 3270 application (logon, menu, colours, form, screen sizes) and its TN3270 server, `web3270 demo-host` |
//! | [`native`] | the native TN3270 listener: x3270/s3270/PCOMM clients name an endpoint as their LU and are relayed to it |
//! | [`pool`] | endpoints as a pool: health checks, balancing (round_robin, weighted, least_conn), priorities and failover, LU pools, `/api/v1/endpoints` and `/api/v1/health` |
//! | [`server`] | `web3270 serve`: the listeners (HTTP page and `/api/v1`; plain or TLS, `server::tls_listener`), built-in endpoints, graceful shutdown |
//! | [`tls`] | rustls client configs towards hosts (CA file or system roots, client certs, versions, test-only `insecure`), server configs for the bridge's listeners, typed TLS errors with stable codes |
//! | [`upstream`] | connections to TN3270 hosts: TCP/TLS/START-TLS, negotiation to 3270 mode, the async record API, keepalive, health `probe` |
//! | [`session`] | browser sessions: one task per session owning its upstream and screen mirror, detach/resume with one-time tokens, the `SessionManager` and its limit |
//! | [`ws`] | `GET /ws`, protocol `web3270.v1` (`docs/WEBSOCKET.md`): hello, records as binary messages, JSON control, error and close codes |
//! | [`metrics`] | the process-wide metrics registry, `GET /metrics` (Prometheus text) and `GET /api/v1/metrics` (JSON), request counting middleware (`docs/OBSERVABILITY.md`) |
//! | [`ratelimit`] | `rate_limiting`: a token bucket per client IP on `/api/v1/*` and `/ws`, `X-RateLimit-*` headers, 429 |
//! | [`logging`] | the server log: `tracing` to standard error or a size-rotated file with retention, text or JSON, never blocking |
//! | [`replay`] | `web3270 replay`: a recorded host stream through the client side of the core, printed as s3270's `Ascii()` or JSON |
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
pub mod audit;
pub mod auth;
pub mod config;
pub mod demo;
pub mod logging;
pub mod metrics;
pub mod native;
pub mod pool;
pub mod ratelimit;
pub mod replay;
pub mod server;
pub mod session;
pub mod tls;
pub mod upstream;
pub mod ws;
