//! The bridge's native TN3270 listener: x3270, s3270, PCOMM... connect to the bridge's TN3270
//! port (`server.port`) as to a host and are relayed to a configured endpoint.
//!
//! Owns: the accept loop, the session limit and its refusal, timeouts and shutdown of native
//! sessions (this file); choosing the endpoint from the client's device name ([`resolve`]);
//! the per-connection relay ([`session`]). Does not own: telnet/TN3270E negotiation (the host
//! side of the core, [`tn3270::tn3270e::HostConnection`]), the host connection
//! ([`crate::upstream`]), the meaning of records (relayed untouched).
//!
//! ## Naming an endpoint (RFC 2355 §7.1 CONNECT, RFC 1646 `TYPE@LU`)
//! The LU name a client asks for is an endpoint name: TN3270E `DEVICE-TYPE REQUEST ...
//! CONNECT name`, or the `@name` of a plain TN3270 TERMINAL-TYPE (`s3270
//! Connect(demo@127.0.0.1:3270)` sends either). `name:LU` ([`LU_SEPARATOR`]) asks that endpoint
//! for the LU `LU`. No name: the default endpoint (the lowest `priority`, first in the file on
//! a tie). Names match case-insensitively (clients often upper-case LU names). An unknown
//! name is refused: TN3270E `DEVICE-TYPE REJECT REASON INV-NAME`; in plain TN3270 (and when
//! the client falls back to it after the reject) a 3270 screen "unknown endpoint NAME", then
//! the connection closes. A TN3270E `ASSOCIATE` (printer) request is rejected INV-ASSOCIATE.
//!
//! ## Relaying
//! Once the client reaches 3270 mode the upstream is opened with the client's terminal type,
//! TN3270E exactly when the client negotiated TN3270E, and the client's functions (so the
//! host agrees a subset). Host → client: records with their TN3270E header (data type,
//! sequence number, response flags), BIND-IMAGE, UNBIND, RESPONSEs. Client → host: records
//! (with their header in TN3270E), RESPONSEs (the upstream's automatic responses are off),
//! ATTN, SYSREQ, NVT data. When the client agreed BIND-IMAGE and the host did not, the
//! bridge sends the client a BIND of its own (24×80 default, the device's own alternate size)
//! so the client leaves the unbound state (s3270 drops 3270-DATA while unbound).
//!
//! ## Limits, timeouts, shutdown
//! - At most `sessions.max_sessions` relayed sessions; a client over the limit is negotiated
//!   to 3270 mode, shown "too many sessions", and closed; at most [`MAX_REFUSING`] such
//!   refusals run at once (beyond that the connection is closed at once). Each refusal logs.
//! - Reads are [`READ_CHUNK`] bytes; the core bounds records
//!   (`tn3270::telnet::consts::MAX_RECORD_LEN`); output towards the client is flushed after
//!   every event within [`NativeConfig::write_timeout`] and the upstream's event queue is
//!   bounded ([`crate::upstream::EVENT_QUEUE`]), so a slow client slows the host down instead
//!   of growing memory.
//! - Negotiation must reach 3270 mode within [`NativeConfig::negotiate_timeout`]; no byte in
//!   either direction for `sessions.idle_timeout_seconds` ends the session with a screen.
//! - On shutdown the listener stops accepting, each session shows "the bridge is shutting
//!   down", closes its upstream and its client; [`serve`] returns once all ended (after
//!   [`SHUTDOWN_GRACE`] the rest are aborted).
//! - Logs: `tracing` events with peer, endpoint, terminal type; every close says why.

pub mod session;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::config::{Config, Endpoint};
use crate::server::EndpointState;

/// Bytes read from a client socket at a time.
pub const READ_CHUNK: usize = 4096;
/// Separator between endpoint name and LU in a requested device name (`name:LU`).
pub const LU_SEPARATOR: char = ':';
/// Most over-the-limit clients shown the refusal screen at once.
pub const MAX_REFUSING: usize = 16;
/// How long running sessions get to say goodbye after shutdown starts.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// Default deadline for a client to reach 3270 mode.
pub const NEGOTIATE_TIMEOUT: Duration = Duration::from_secs(20);
/// Default deadline of one write to a client.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Pause after a failed `accept` before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Limits and timeouts of the native listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeConfig {
    /// Most relayed sessions at once (`sessions.max_sessions`).
    pub max_sessions: usize,
    /// No byte either way for this long ends a session (`sessions.idle_timeout_seconds`).
    pub idle_timeout: Duration,
    /// A client must reach 3270 mode within this long.
    pub negotiate_timeout: Duration,
    /// How long one write to the client may take.
    pub write_timeout: Duration,
    /// Where sessions are audited (`crate::audit`; disabled by default).
    pub audit: crate::audit::AuditLog,
}

impl NativeConfig {
    /// The limits from the `sessions:` section.
    pub fn from_config(config: &Config) -> NativeConfig {
        NativeConfig {
            max_sessions: usize::try_from(config.sessions.max_sessions).unwrap_or(usize::MAX),
            idle_timeout: config.sessions.idle_timeout_seconds,
            negotiate_timeout: NEGOTIATE_TIMEOUT,
            write_timeout: WRITE_TIMEOUT,
            audit: crate::audit::AuditLog::disabled(),
        }
    }
}

/// Where a client's session goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The endpoint's configured name.
    pub name: String,
    /// The endpoint to dial (a built-in one as a host endpoint on its loopback address).
    pub endpoint: Endpoint,
    /// The LU to ask the endpoint for (`name:LU`).
    pub lu: Option<String>,
}

/// Chooses the endpoint for a requested device name (see the module doc): `None` or an
/// empty name → the default endpoint; `name[:LU]` → that endpoint. `Err` carries the name
/// that matched nothing (or is empty when no endpoint is configured at all).
pub fn resolve(endpoints: &[EndpointState], requested: Option<&str>) -> Result<Resolved, String> {
    let requested = requested.map(str::trim).filter(|r| !r.is_empty());
    let (name, lu) = match requested {
        Some(r) => match r.split_once(LU_SEPARATOR) {
            Some((name, lu)) => (Some(name), Some(lu).filter(|l| !l.is_empty())),
            None => (Some(r), None),
        },
        None => (None, None),
    };
    // An exact name first, then the same name in another case (device names are often
    // upper-cased by 3270 clients).
    let found = crate::server::find_endpoint(endpoints, name).or_else(|| {
        name.and_then(|n| {
            endpoints
                .iter()
                .find(|e| e.config.name.eq_ignore_ascii_case(n))
        })
    });
    let Some(state) = found else {
        return Err(name.unwrap_or_default().to_owned());
    };
    let endpoint = state.dial_target();
    Ok(Resolved {
        name: state.config.name.clone(),
        endpoint,
        lu: lu.map(str::to_owned),
    })
}

/// Serves native TN3270 clients on `listener`, relaying them to `endpoints`, until
/// `shutdown` completes; returns when every session has ended.
pub async fn serve(
    listener: TcpListener,
    endpoints: Vec<EndpointState>,
    config: NativeConfig,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let endpoints = Arc::new(endpoints);
    let config = Arc::new(config);
    let sessions = Arc::new(Semaphore::new(config.max_sessions.max(1)));
    let refusals = Arc::new(Semaphore::new(MAX_REFUSING));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        while tasks.try_join_next().is_some() {}
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(error) => {
                tracing::warn!(%error, "native: accept failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let admission = match sessions.clone().try_acquire_owned() {
            Ok(permit) => session::Admission::Session(permit),
            Err(_) => match refusals.clone().try_acquire_owned() {
                Ok(permit) => {
                    tracing::warn!(%peer, max_sessions = config.max_sessions,
                        "native: session refused: too many sessions");
                    session::Admission::Refused(permit)
                }
                Err(_) => {
                    tracing::warn!(%peer, max_sessions = config.max_sessions,
                        "native: connection dropped: too many sessions and refusals");
                    drop(stream);
                    continue;
                }
            },
        };
        let endpoints = endpoints.clone();
        let config = config.clone();
        let stop = stop_rx.clone();
        tasks.spawn(async move {
            tracing::info!(%peer, "native: connection accepted");
            let reason = session::run(stream, &endpoints, &config, admission, stop).await;
            tracing::info!(%peer, reason = %reason, "native: connection closed");
        });
    }
    tracing::info!(sessions = tasks.len(), "native: shutting down");
    let _ = stop_tx.send(true);
    crate::server::drain_tasks(&mut tasks, SHUTDOWN_GRACE, "native").await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Builtin;

    fn ep(name: &str, priority: u32, builtin: bool) -> EndpointState {
        let mut config = Endpoint::host(name, "mainframe.example", Some(23));
        config.priority = priority;
        if builtin {
            config.builtin = Some(Builtin::Demo);
        }
        EndpointState {
            config,
            builtin_addr: builtin.then(|| ([127, 0, 0, 1], 4000).into()),
        }
    }

    /// No name → the lowest priority, the first on a tie; a built-in endpoint is dialled
    /// on its loopback address.
    #[test]
    fn no_name_is_the_default_endpoint() {
        let eps = [
            ep("prod", 2, false),
            ep("demo", 1, true),
            ep("test", 1, false),
        ];
        let r = resolve(&eps, None).unwrap();
        assert_eq!(r.name, "demo");
        assert_eq!(r.endpoint.host, "127.0.0.1");
        assert_eq!(r.endpoint.port, Some(4000));
        assert_eq!(r.endpoint.builtin, None);
        assert_eq!(resolve(&eps, Some("")).unwrap().name, "demo");
    }

    /// `name`, `NAME` (case-insensitive), `name:LU`; unknown names come back as `Err`.
    #[test]
    fn names_and_lus() {
        let eps = [ep("prod", 1, false), ep("demo", 1, true)];
        let r = resolve(&eps, Some("prod")).unwrap();
        assert_eq!((r.name.as_str(), r.lu), ("prod", None));
        assert_eq!(r.endpoint.host, "mainframe.example");
        assert_eq!(resolve(&eps, Some("PROD")).unwrap().name, "prod");
        let r = resolve(&eps, Some("prod:LU0042")).unwrap();
        assert_eq!(r.lu.as_deref(), Some("LU0042"));
        assert_eq!(resolve(&eps, Some("prod:")).unwrap().lu, None);
        assert_eq!(resolve(&eps, Some("nope")), Err("nope".to_owned()));
        assert_eq!(resolve(&eps, Some("nope:LU1")), Err("nope".to_owned()));
        assert_eq!(resolve(&[], None), Err(String::new()));
    }
}
