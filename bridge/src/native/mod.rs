//! The bridge's native TN3270 listener: x3270, s3270, PCOMM... connect to the bridge's TN3270
//! port (`server.port`) as to a host and are relayed to a configured endpoint.
//!
//! Owns: the accept loop, the session limit and its refusal, timeouts and shutdown of native
//! sessions (this file); reading the client's device name as an endpoint or pool name and an
//! LU ([`resolve`]); the per-connection relay ([`session`]). The endpoint itself is chosen,
//! dialled and failed over by [`crate::pool::Pool::connect`], the same path as browser
//! sessions (health, strategy, priority, `max_sessions`, LU pools). Does not own: telnet/TN3270E negotiation (the host
//! side of the core, [`tn3270::tn3270e::HostConnection`]), the host connection
//! ([`crate::upstream`]), the meaning of records (relayed untouched).
//!
//! ## Naming an endpoint (RFC 2355 §7.1 CONNECT, RFC 1646 `TYPE@LU`)
//! The LU name a client asks for is an endpoint or pool name: TN3270E `DEVICE-TYPE REQUEST
//! ... CONNECT name`, or the `@name` of a plain TN3270 TERMINAL-TYPE (`s3270
//! Connect(demo@127.0.0.1:3270)` sends either). `name:LU` ([`LU_SEPARATOR`]) asks that endpoint
//! for the LU `LU`, bypassing its LU pool (the LU is marked in use while the session lives).
//! No name: the default — every endpoint, balanced like a browser session. Names match
//! exactly, then ignoring case (clients often upper-case LU names). An unknown name is
//! refused: TN3270E `DEVICE-TYPE REJECT REASON INV-NAME`; in plain TN3270 (and when the client
//! falls back to it after the reject) a 3270 screen "unknown endpoint NAME", then the
//! connection closes. A TN3270E `ASSOCIATE` (printer) request is rejected INV-ASSOCIATE. The
//! device name confirmed to a TN3270E client is the one it asked for, or [`BRIDGE_LU`].
//! When the pool cannot place the session the client gets a screen with the pool's code
//! (`ENDPOINT_UNAVAILABLE` naming what was tried, `SESSION_LIMIT`, `LU_POOL_EXHAUSTED`,
//! `LU_IN_USE`).
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
//! - At most `sessions.max_sessions` sessions of any kind (places shared with browser and
//!   REST sessions through [`NativeConfig::places`]); a client over the limit is negotiated
//!   to 3270 mode, shown "too many sessions", and closed; at most [`MAX_REFUSING`] such
//!   refusals run at once (beyond that the connection is closed at once). Each refusal logs.
//! - Reads are [`READ_CHUNK`] bytes; the core bounds records
//!   (`tn3270::telnet::consts::MAX_RECORD_LEN`); output towards the client is flushed after
//!   every event within [`NativeConfig::write_timeout`] and the upstream's event queue is
//!   bounded ([`crate::upstream::EVENT_QUEUE`]), so a slow client slows the host down instead
//!   of growing memory.
//! - Negotiation must reach 3270 mode within [`NativeConfig::negotiate_timeout`]; no byte in
//!   either direction for `sessions.idle_timeout_seconds` ends the session with a screen
//!   (`IDLE_TIMEOUT`), and so does `sessions.timeout_seconds` after it was placed
//!   (`SESSION_TIMEOUT`).
//! - On shutdown the listener stops accepting, each session shows "the bridge is shutting
//!   down", closes its upstream and its client; [`serve`] returns once all ended (after
//!   [`NativeConfig::shutdown_grace`] the rest are aborted).
//! - Logs: `tracing` events with peer, endpoint, terminal type; every close says why.

mod mirror;
pub mod session;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tracing::Instrument as _;

use crate::config::Config;
use crate::metrics::{self, Listener, RefusalReason};
use crate::pool::{Pool, PoolError};
use crate::server::tls_listener::BridgeListener;

/// Bytes read from a client socket at a time.
pub const READ_CHUNK: usize = 4096;
/// Separator between endpoint name and LU in a requested device name (`name:LU`).
pub const LU_SEPARATOR: char = ':';
/// Device name confirmed to a TN3270E client that named none.
pub const BRIDGE_LU: &str = "WEB3270";
/// Most over-the-limit clients shown the refusal screen at once.
pub const MAX_REFUSING: usize = 16;
/// Default deadline for a client to reach 3270 mode.
pub const NEGOTIATE_TIMEOUT: Duration = Duration::from_secs(20);
/// Default deadline of one write to a client.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Limits and timeouts of the native listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeConfig {
    /// Most relayed sessions at once (`sessions.max_sessions`).
    pub max_sessions: usize,
    /// No byte either way for this long ends a session (`sessions.idle_timeout_seconds`).
    pub idle_timeout: Duration,
    /// A session ends this long after it was placed (`sessions.timeout_seconds`).
    pub lifetime: Duration,
    /// A client must reach 3270 mode within this long.
    pub negotiate_timeout: Duration,
    /// How long one write to the client may take.
    pub write_timeout: Duration,
    /// How long running sessions get to say goodbye after shutdown starts
    /// (`server.shutdown_grace_seconds`).
    pub shutdown_grace: Duration,
    /// Where sessions are audited (`crate::audit`; disabled by default).
    pub audit: crate::audit::AuditLog,
    /// `tls.tn3270_mode: starttls`: the TLS acceptor the port switches to with telnet
    /// START-TLS, which every client must then do. `None`: no START-TLS offered.
    pub start_tls: Option<StartTls>,
    /// The instance's session places and table, shared with browser and REST sessions
    /// (`SessionManager::places`): native sessions count under the same limit and are listed
    /// by the REST API. `None`: places and a table of its own, at most `max_sessions`.
    pub places: Option<crate::session::Places>,
}

impl NativeConfig {
    /// The limits from the `sessions:` section.
    pub fn from_config(config: &Config) -> NativeConfig {
        NativeConfig {
            max_sessions: usize::try_from(config.sessions.max_sessions).unwrap_or(usize::MAX),
            idle_timeout: config.sessions.idle_timeout_seconds,
            lifetime: config.sessions.timeout_seconds,
            negotiate_timeout: NEGOTIATE_TIMEOUT,
            write_timeout: WRITE_TIMEOUT,
            shutdown_grace: config.server.shutdown_grace_seconds,
            audit: crate::audit::AuditLog::disabled(),
            start_tls: None,
            places: None,
        }
    }
}

/// The TLS acceptor of a TN3270 port in `tls.tn3270_mode: starttls` (reloadable: each
/// upgrade uses the certificate in use at that moment).
#[derive(Clone)]
pub struct StartTls(pub crate::server::tls_listener::Acceptor);

impl std::fmt::Debug for StartTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StartTls")
    }
}

impl PartialEq for StartTls {
    /// The same acceptor (the same server configuration).
    fn eq(&self, other: &StartTls) -> bool {
        Arc::ptr_eq(self.0.current().config(), other.0.current().config())
    }
}

impl Eq for StartTls {}

/// Where a client's session goes: checked during negotiation, placed by the pool once the
/// client is in 3270 mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The endpoint's or pool's name as configured; `None`: the default (every endpoint).
    pub target: Option<String>,
    /// The LU to ask the endpoint for (`name:LU`).
    pub lu: Option<String>,
}

/// Reads a requested device name (see the module doc): `None` or an empty name → the
/// default; `name[:LU]` → that endpoint or pool. `Err` carries the name that matched nothing
/// (empty when no endpoint is configured at all).
pub fn resolve(pool: &Pool, requested: Option<&str>) -> Result<Resolved, String> {
    let requested = requested.map(str::trim).filter(|r| !r.is_empty());
    let (name, lu) = match requested {
        Some(r) => match r.split_once(LU_SEPARATOR) {
            Some((name, lu)) => (Some(name), Some(lu).filter(|l| !l.is_empty())),
            None => (Some(r), None),
        },
        None => (None, None),
    };
    match pool.resolve(name) {
        Ok(scope) => Ok(Resolved {
            target: match scope {
                crate::pool::Scope::All => None,
                crate::pool::Scope::Endpoint(n) | crate::pool::Scope::Pool(n) => Some(n),
            },
            lu: lu.map(str::to_owned),
        }),
        Err(PoolError::UnknownEndpoint(n)) => Err(n.unwrap_or_default()),
        Err(_) => Err(name.unwrap_or_default().to_owned()),
    }
}

/// Serves native TN3270 clients on `listener` (plain, or TN3270 over TLS when it is a TLS
/// listener: the handshake is done before a connection is handed out), relaying them to
/// endpoints of `pool`, until `shutdown` completes; returns when every session has ended.
pub async fn serve(
    listener: impl Into<BridgeListener>,
    pool: Arc<Pool>,
    config: NativeConfig,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut listener = listener.into();
    let mut config = config;
    let max = u32::try_from(config.max_sessions).unwrap_or(u32::MAX);
    let places = config
        .places
        .get_or_insert_with(|| crate::session::Places::new(max))
        .clone();
    let config = Arc::new(config);
    let refusals = Arc::new(Semaphore::new(MAX_REFUSING));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.next() => accepted,
        };
        while tasks.try_join_next().is_some() {}
        let (stream, info) = accepted;
        let peer = info.peer;
        let admission = match places.reserve_native() {
            Ok(slot) => session::Admission::Session(slot),
            Err(_) => match refusals.clone().try_acquire_owned() {
                Ok(permit) => {
                    metrics::refusal(Listener::Native, RefusalReason::SessionLimit);
                    tracing::warn!(%peer, max_sessions = places.max(), code = "TOO_MANY_SESSIONS",
                        "native: session refused: too many sessions");
                    session::Admission::Refused(permit)
                }
                Err(_) => {
                    metrics::refusal(Listener::Native, RefusalReason::SessionLimit);
                    tracing::warn!(%peer, max_sessions = places.max(), code = "TOO_MANY_SESSIONS",
                        "native: connection dropped: too many sessions and refusals");
                    drop(stream);
                    continue;
                }
            },
        };
        let pool = pool.clone();
        let config = config.clone();
        let stop = stop_rx.clone();
        // Every line of this connection carries its id, client, and (once chosen) endpoint
        // and LU (recorded by `session::run`).
        let span = tracing::info_span!(
            "native",
            session = %format!("nat_{}", next_id()),
            client = %peer,
            endpoint = tracing::field::Empty,
            lu = tracing::field::Empty,
        );
        tasks.spawn(
            async move {
                tracing::info!(%peer, tls = info.tls, "native: connection accepted");
                let reason = session::run(stream, &pool, &config, admission, stop).await;
                tracing::info!(%peer, reason = %reason, "native: connection closed");
            }
            .instrument(span),
        );
    }
    tracing::info!(sessions = tasks.len(), "native: shutting down");
    let _ = stop_tx.send(true);
    crate::server::drain_tasks(&mut tasks, config.shutdown_grace, "native").await;
    Ok(())
}

/// A process-unique number for a native connection's id (`nat_N`).
fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Builtin, Endpoint, LoadBalancerConfig};
    use crate::server::EndpointState;

    fn ep(name: &str, pool: Option<&str>, builtin: bool) -> EndpointState {
        let mut config = Endpoint::host(name, "mainframe.example", Some(23));
        config.pool = pool.map(str::to_owned);
        if builtin {
            config.builtin = Some(Builtin::Demo);
        }
        EndpointState::new(config, builtin.then(|| ([127, 0, 0, 1], 4000).into()))
    }

    fn pool(eps: Vec<EndpointState>) -> Pool {
        Pool::new(&LoadBalancerConfig::default(), eps)
    }

    /// No name (or an empty one) → the default, every endpoint.
    #[test]
    fn no_name_is_the_default() {
        let p = pool(vec![ep("prod", None, false), ep("demo", None, true)]);
        let all = Resolved {
            target: None,
            lu: None,
        };
        assert_eq!(resolve(&p, None), Ok(all.clone()));
        assert_eq!(resolve(&p, Some("")), Ok(all));
    }

    /// `name`, `NAME` (case-insensitive), `name:LU`, a pool name; unknown names come back
    /// as `Err`, and with no endpoint at all the default is unknown too.
    #[test]
    fn names_pools_and_lus() {
        let p = pool(vec![ep("prod", Some("mvs"), false), ep("demo", None, true)]);
        let r = resolve(&p, Some("prod")).unwrap();
        assert_eq!((r.target.as_deref(), r.lu), (Some("prod"), None));
        assert_eq!(
            resolve(&p, Some("PROD")).unwrap().target.as_deref(),
            Some("prod")
        );
        let r = resolve(&p, Some("prod:LU0042")).unwrap();
        assert_eq!(r.lu.as_deref(), Some("LU0042"));
        assert_eq!(resolve(&p, Some("prod:")).unwrap().lu, None);
        assert_eq!(
            resolve(&p, Some("MVS")).unwrap().target.as_deref(),
            Some("mvs")
        );
        assert_eq!(resolve(&p, Some("nope")), Err("nope".to_owned()));
        assert_eq!(resolve(&p, Some("nope:LU1")), Err("nope".to_owned()));
        assert_eq!(resolve(&Pool::empty(), None), Err(String::new()));
    }
}
