//! `web3270 serve`: the bridge's processes and listeners, started from one [`Config`].
//!
//! What runs today:
//! - every `builtin: demo` endpoint as the embedded demo host on an ephemeral loopback port
//!   (nothing outside the bridge can reach it except through the bridge);
//! - the HTTP listener on `server.bind_address:server.api_port`: the page, the websocket
//!   ([`crate::ws`]), `/api/v1/health` and `/api/v1/endpoints` ([`http`], [`crate::pool::api`]),
//!   the sessions API ([`crate::api`]); HTTPS/wss when `tls.enabled` ([`tls_listener`];
//!   handlers see a [`tls_listener::ConnectionInfo`]);
//! - the native TN3270 listener on `server.bind_address:server.port` ([`crate::native`]);
//!   TN3270 over implicit TLS when `tls.enabled`;
//! - the endpoint pool: health checks of remote endpoints and the balancer ([`crate::pool`]);
//! - authentication in front of every route ([`crate::auth`]) and the audit log
//!   ([`crate::audit`]), both started before any listener;
//! - graceful shutdown on SIGTERM or Ctrl-C within `server.shutdown_grace_seconds`:
//!   listeners stop accepting, native and websocket sessions end (goodbye screen;
//!   `SERVER_SHUTDOWN`, [`crate::session::shutdown`]) and close their upstreams, then the
//!   health checks and the demo hosts stop.

pub mod assets;
pub mod http;
pub mod starttls;
pub mod tls_listener;
pub mod tls_reload;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::{Builtin, Config, Endpoint, Tn3270TlsMode};

/// What the listeners share.
#[derive(Debug)]
pub struct AppState {
    /// The effective configuration.
    pub config: Config,
    /// The endpoints (configured and added at run time) with their live state: health,
    /// sessions, LUs ([`crate::pool`]).
    pub endpoints: Arc<crate::pool::Pool>,
    /// When the bridge started.
    pub started: SystemTime,
    /// Where `/static/*` is served from when not from the binary (`WEB3270_STATIC_DIR`).
    pub static_dir: Option<std::path::PathBuf>,
    /// Browser sessions (websocket; `crate::ws`).
    pub sessions: crate::session::SessionManager,
    /// Authentication (`crate::auth`).
    pub auth: crate::auth::Auth,
    /// The audit log (`crate::audit`).
    pub audit: crate::audit::AuditLog,
}

/// An endpoint as the bridge knows it. Clones share the live state.
#[derive(Debug, Clone)]
pub struct EndpointState {
    /// The configured endpoint.
    pub config: Endpoint,
    /// For a built-in endpoint, the loopback address it is served on.
    pub builtin_addr: Option<SocketAddr>,
    /// Health, sessions and LUs in use ([`crate::pool::Live`]).
    pub live: Arc<crate::pool::Live>,
}

impl EndpointState {
    /// A new endpoint: `unknown` until probed, or `up` when built in (`builtin_addr`).
    pub fn new(config: Endpoint, builtin_addr: Option<SocketAddr>) -> EndpointState {
        EndpointState {
            config,
            builtin_addr,
            live: crate::pool::Live::new(builtin_addr.is_some()),
        }
    }

    /// `up`, `down` or `unknown` ([`crate::pool::health`]): a built-in host is up while the
    /// bridge runs; a remote one is what its health checks found.
    pub fn status(&self) -> &'static str {
        self.health().status.as_str()
    }

    /// A snapshot of the health: status, latency, last check, last error, counts.
    pub fn health(&self) -> crate::pool::Health {
        self.live.health()
    }

    /// Live sessions on this endpoint: websocket, REST and native alike.
    pub fn active_sessions(&self) -> usize {
        self.live.active()
    }

    /// The LUs held by live sessions.
    pub fn lus_in_use(&self) -> Vec<String> {
        self.live.lus_in_use()
    }

    /// The LUs the host rejected lately (`crate::pool::LU_QUARANTINE`).
    pub fn lus_quarantined(&self) -> Vec<String> {
        self.live.lus_quarantined()
    }

    /// The endpoint sessions dial: the configured one, or for a built-in host its loopback
    /// address (with the configured connect timeout). `upstream` refuses `builtin` endpoints.
    pub fn dial_target(&self) -> Endpoint {
        match self.builtin_addr {
            Some(addr) => {
                let mut e =
                    Endpoint::host(&self.config.name, &addr.ip().to_string(), Some(addr.port()));
                e.connect_timeout_seconds = self.config.connect_timeout_seconds;
                e
            }
            None => self.config.clone(),
        }
    }

    /// The host and port sessions dial.
    pub fn target(&self) -> (String, u16) {
        match self.builtin_addr {
            Some(a) => (a.ip().to_string(), a.port()),
            None => (self.config.host.clone(), self.config.effective_port()),
        }
    }
}

/// Waits up to `grace` for a listener's connection tasks to end after its stop signal, then
/// aborts the rest; `what` names the listener in the log.
pub(crate) async fn drain_tasks(
    tasks: &mut tokio::task::JoinSet<()>,
    grace: std::time::Duration,
    what: &'static str,
) {
    let drained =
        tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(
            sessions = tasks.len(),
            listener = what,
            "sessions aborted after the grace period"
        );
        tasks.shutdown().await;
    }
}

/// Why `serve` could not start or run.
#[derive(Debug)]
pub enum ServeError {
    /// A listener could not be bound.
    Bind {
        /// What it was for.
        what: &'static str,
        /// The address.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The HTTP server failed.
    Http(std::io::Error),
    /// The `tls:` section could not be turned into a TLS configuration.
    Tls(crate::tls::TlsConfigError),
    /// Authentication or audit could not start (bad password hash, no audit key...).
    Security(String),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Bind { what, addr, source } => {
                write!(f, "cannot listen for {what} on {addr}: {source}")
            }
            ServeError::Http(e) => write!(f, "HTTP server: {e}"),
            ServeError::Tls(e) => write!(f, "tls: {e} ({})", e.code()),
            ServeError::Security(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// Runs the bridge until `shutdown` completes. `on_ready` is called with the HTTP address
/// once every listener is bound (the binary prints the URL).
///
/// Shutdown, in order: both listeners stop accepting; native sessions show their goodbye
/// screen and websocket sessions end with `SERVER_SHUTDOWN` (browsers get their last
/// `status` and close 4000), each closing its upstream; all within
/// `server.shutdown_grace_seconds`, after which the rest are aborted with a log line; then
/// the built-in demo hosts stop.
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    // Listeners: plain, or TLS from the `tls:` section (tls_listener); a bad `tls:` stops
    // the start before anything runs.
    // The TN3270 port is TLS from the first byte, or plain with START-TLS required
    // (`tls.tn3270_mode`).
    // Both reload together on SIGHUP or a changed file (tls_reload).
    let (http_tls, tn_tls, tn_start_tls, tls_reloader) = if config.tls.enabled {
        let base = crate::tls::server_config(&config.tls).map_err(ServeError::Tls)?;
        let http = tls_listener::Acceptor::new(&base, &[tls_listener::ALPN_HTTP1]);
        let tn = tls_listener::Acceptor::new(&base, &[]);
        let reloader =
            tls_reload::Reloader::new(config.tls.clone(), vec![http.clone(), tn.clone()]);
        match config.tls.tn3270_mode {
            Tn3270TlsMode::Implicit => (Some(http), Some(tn), None, Some(reloader)),
            Tn3270TlsMode::StartTls => (
                Some(http),
                None,
                Some(crate::native::StartTls(tn)),
                Some(reloader),
            ),
        }
    } else {
        (None, None, None, None)
    };
    // Audit and authentication first: a bad key or hash stops the bridge before it listens.
    let audit = crate::audit::AuditLog::start(&config.audit).map_err(ServeError::Security)?;
    let auth = crate::auth::Auth::from_config(&config.authentication, audit.clone())
        .map_err(ServeError::Security)?;
    let (stop_tx, stop_rx) = watch::channel(false);
    // The demo hosts stop last, once the sessions they serve have ended.
    let (demo_stop_tx, demo_stop_rx) = watch::channel(false);
    let mut demo_tasks = Vec::new();
    let mut endpoints = Vec::new();
    for ep in &config.endpoints {
        let builtin_addr = match ep.builtin {
            Some(Builtin::Demo) => {
                let listener = TcpListener::bind(("127.0.0.1", 0))
                    .await
                    .map_err(|source| ServeError::Bind {
                        what: "the demo host",
                        addr: "127.0.0.1:0".into(),
                        source,
                    })?;
                let addr = listener.local_addr().map_err(ServeError::Http)?;
                let mut rx = demo_stop_rx.clone();
                demo_tasks.push(tokio::spawn(crate::demo::serve(listener, async move {
                    let _ = rx.wait_for(|stop| *stop).await;
                })));
                tracing::info!(endpoint = %ep.name, %addr, "demo host started");
                Some(addr)
            }
            None => None,
        };
        endpoints.push(EndpointState::new(ep.clone(), builtin_addr));
    }
    // Endpoints as a pool: health checks until the stop signal (crate::pool).
    let pool = Arc::new(
        crate::pool::Pool::new(&config.load_balancer, endpoints)
            .with_connection_pool_size(config.sessions.connection_pool_size),
    );
    pool.start_health_checks(stop_rx.clone());
    if let Some(reloader) = tls_reloader {
        tokio::spawn(reloader.run(stop_rx.clone()));
    }
    let http_addr = format!("{}:{}", config.server.bind_address, config.server.api_port);
    let listener = bind("HTTP", &http_addr, http_tls).await?;
    let local = listener.local_addr().map_err(ServeError::Http)?;
    // --- native TN3270 listener (bridge/src/native): same shutdown signal as HTTP. ---
    let tn_addr = format!("{}:{}", config.server.bind_address, config.server.port);
    let tn_listener = bind("TN3270", &tn_addr, tn_tls).await?;
    tracing::info!(addr = %tn_listener.local_addr().map_err(ServeError::Http)?,
        tls = config.tls.enabled, start_tls = tn_start_tls.is_some(), "TN3270 listening");
    // Websocket and REST sessions (crate::session); native sessions take their places under
    // the same `sessions.max_sessions`.
    let sessions = crate::session::SessionManager::from_config(&config.sessions)
        .with_observer(std::sync::Arc::new(audit.clone()));
    let mut rx = stop_rx.clone();
    let native_task = tokio::spawn(crate::native::serve(
        tn_listener,
        pool.clone(),
        crate::native::NativeConfig {
            audit: audit.clone(),
            places: Some(sessions.places()),
            start_tls: tn_start_tls,
            ..crate::native::NativeConfig::from_config(&config)
        },
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        },
    ));
    // --- end native TN3270 listener ---
    let static_dir = static_dir();
    if let Some(dir) = &static_dir {
        tracing::info!(dir = %dir.display(), "serving /static");
    }
    let grace = config.server.shutdown_grace_seconds;
    let http_tls = config.tls.enabled;
    let state = Arc::new(AppState {
        config,
        endpoints: pool.clone(),
        started: SystemTime::now(),
        static_dir,
        sessions,
        auth,
        audit,
    });
    tracing::info!(addr = %local, tls = http_tls, "HTTP listening");
    on_ready(local);
    let mut rx = stop_rx.clone();
    // ConnectionInfo (client address, TLS) for handlers; the middleware also inserts
    // ConnectInfo<SocketAddr> for rate limiting and session spans.
    let app = http::router(state.clone())
        .layer(axum::middleware::from_fn(
            tls_listener::with_connection_info,
        ))
        .into_make_service_with_connect_info::<tls_listener::ConnectionInfo>();
    let http = axum::serve(listener, app).with_graceful_shutdown(async move {
        let _ = rx.wait_for(|stop| *stop).await;
    });
    let http = tokio::spawn(async move { http.await });
    shutdown.await;
    tracing::info!(grace_seconds = grace.as_secs_f64(), "shutting down");
    let _ = stop_tx.send(true);
    // Websocket sessions and native sessions end side by side, each within the grace period.
    state.sessions.shutdown(grace).await;
    let _ = native_task.await; // native TN3270 listener
                               // HTTP requests in flight (not websockets: those ended with their sessions).
    let result = match tokio::time::timeout(grace, http).await {
        Ok(Ok(r)) => r.map_err(ServeError::Http),
        Ok(Err(e)) => Err(ServeError::Http(std::io::Error::other(e))),
        Err(_) => {
            tracing::warn!("HTTP requests still running after the grace period: aborted");
            Ok(())
        }
    };
    pool.join_health_checks().await;
    let _ = demo_stop_tx.send(true);
    for task in demo_tasks {
        let _ = task.await;
    }
    tracing::info!("stopped");
    result
}

/// Binds one listener, TLS when `tls` is given.
async fn bind(
    what: &'static str,
    addr: &str,
    tls: Option<tls_listener::Acceptor>,
) -> Result<tls_listener::BridgeListener, ServeError> {
    let bind_error = |source| ServeError::Bind {
        what,
        addr: addr.to_owned(),
        source,
    };
    let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
    match tls {
        Some(acceptor) => tls_listener::BridgeListener::tls(listener, acceptor, what),
        None => Ok(tls_listener::BridgeListener::plain(listener)),
    }
    .map_err(bind_error)
}

/// The directory of the page's assets when `WEB3270_STATIC_DIR` overrides the ones built into
/// the binary ([`assets`]).
fn static_dir() -> Option<std::path::PathBuf> {
    match std::env::var_os("WEB3270_STATIC_DIR") {
        Some(dir) if !dir.is_empty() => Some(dir.into()),
        _ => None,
    }
}

/// A future that completes on SIGTERM or Ctrl-C (SIGINT). The handlers are installed when
/// this is called (inside the runtime), not when the future is first polled, so a signal that
/// arrives while the listeners start is not lost to the default action.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        async move {
            match (term, int) {
                (Ok(mut term), Ok(mut int)) => {
                    tokio::select! {
                        _ = term.recv() => {},
                        _ = int.recv() => {},
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
