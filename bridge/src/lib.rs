//! # bridge — the web3270 server library
//!
//! The server side of web3270: configuration, upstream TN3270 connections, sessions, the REST
//! API and audit, plus tools. The `web3270` binary (`src/main.rs`) is a thin shell over this
//! library.
//!
//! ## Map of the crate
//! | module | role |
//! |---|---|
//! | [`auth`] | `authentication:`: bearer token, basic users, tickets for the websocket, HTTPS requirement, brute-force damping; the HTTP guard |
//! | [`audit`] | `audit:`: the JSON-lines audit log (bounded queue, writer thread, rotation, retention, encryption), `GET /api/v1/audit`, the compliance report |
//! | [`config`] | `server.yaml` and `WEB3270_*`/`ZIG3270_*` environment variables → one typed, validated [`config::Config`] |
//! | [`demo`] | the embedded demo host: a small 3270 application (logon, menu, colours, form, screen sizes) and its TN3270 server, `web3270 demo-host` |
//! | [`native`] | the native TN3270 listener: x3270/s3270/PCOMM clients name an endpoint as their LU and are relayed to it |
//! | [`server`] | `web3270 serve`: the listeners (HTTP page and `/api/v1`), built-in endpoints, graceful shutdown |
//! | [`tls`] | rustls client configs towards hosts (CA file or system roots, client certs, versions, test-only `insecure`), server configs for the bridge's listeners, typed TLS errors with stable codes |
//! | [`upstream`] | connections to TN3270 hosts: TCP/TLS/START-TLS, negotiation to 3270 mode, the async record API, keepalive, health `probe` |
//! | [`session`] | browser sessions: one task per session owning its upstream and screen mirror, detach/resume with one-time tokens, the `SessionManager` and its limit |
//! | [`ws`] | `GET /ws`, protocol `web3270.v1` (`docs/WEBSOCKET.md`): hello, records as binary messages, JSON control, error and close codes |
//! | [`replay`] | `web3270 replay`: a recorded host stream through the client side of the core, printed as s3270's `Ascii()` or JSON |
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod audit;
pub mod auth;
pub mod config;
pub mod demo;
pub mod native;
pub mod replay;
pub mod server;
pub mod session;
pub mod tls;
pub mod upstream;
pub mod ws;
