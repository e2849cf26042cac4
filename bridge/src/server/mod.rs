//! `web3270 serve`: the bridge's processes and listeners, started from one [`Config`].
//!
//! What runs today:
//! - every `builtin: demo` endpoint as the embedded demo host on an ephemeral loopback port
//!   (nothing outside the bridge can reach it except through the bridge);
//! - the HTTP listener on `server.bind_address:server.api_port`: the page, `/api/v1/health`,
//!   `/api/v1/endpoints` ([`http`]);
//! - the native TN3270 listener on `server.bind_address:server.port` ([`crate::native`]);
//! - graceful shutdown on SIGTERM or Ctrl-C: listeners stop accepting, then the demo hosts
//!   say goodbye to their sessions.
//!
//! Still to come with the bridge issue: websocket sessions, TLS listeners,
//! health checks of real endpoints, the rest of the REST API, metrics and audit.

pub mod http;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::{Builtin, Config, Endpoint};

/// What the listeners share.
#[derive(Debug)]
pub struct AppState {
    /// The effective configuration.
    pub config: Config,
    /// Each endpoint with where the bridge reaches it.
    pub endpoints: Vec<EndpointState>,
    /// When the bridge started.
    pub started: SystemTime,
    /// Where `/static/*` is served from (`WEB3270_STATIC_DIR`, else `./static` when present).
    pub static_dir: Option<std::path::PathBuf>,
    /// Browser sessions (websocket; `crate::ws`).
    pub sessions: crate::session::SessionManager,
}

/// An endpoint as the bridge knows it.
#[derive(Debug, Clone)]
pub struct EndpointState {
    /// The configured endpoint.
    pub config: Endpoint,
    /// For a built-in endpoint, the loopback address it is served on.
    pub builtin_addr: Option<SocketAddr>,
}

impl EndpointState {
    /// `up` for a running built-in host; `unknown` for a remote host until health checks
    /// probe it (they arrive with the bridge issue).
    pub fn status(&self) -> &'static str {
        if self.builtin_addr.is_some() {
            "up"
        } else {
            "unknown"
        }
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

/// The endpoint named exactly `name`, or with no name the default one: the lowest
/// `priority`, the first in the file on a tie (`min_by_key` keeps the first of equals).
pub fn find_endpoint<'a>(
    endpoints: &'a [EndpointState],
    name: Option<&str>,
) -> Option<&'a EndpointState> {
    match name {
        Some(n) => endpoints.iter().find(|e| e.config.name == n),
        None => endpoints.iter().min_by_key(|e| e.config.priority),
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
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Bind { what, addr, source } => {
                write!(f, "cannot listen for {what} on {addr}: {source}")
            }
            ServeError::Http(e) => write!(f, "HTTP server: {e}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// Runs the bridge until `shutdown` completes. `on_ready` is called with the HTTP address
/// once every listener is bound (the binary prints the URL).
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let (stop_tx, stop_rx) = watch::channel(false);
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
                let mut rx = stop_rx.clone();
                demo_tasks.push(tokio::spawn(crate::demo::serve(listener, async move {
                    let _ = rx.wait_for(|stop| *stop).await;
                })));
                tracing::info!(endpoint = %ep.name, %addr, "demo host started");
                Some(addr)
            }
            None => None,
        };
        endpoints.push(EndpointState {
            config: ep.clone(),
            builtin_addr,
        });
    }
    let http_addr = format!("{}:{}", config.server.bind_address, config.server.api_port);
    let listener = TcpListener::bind(&http_addr)
        .await
        .map_err(|source| ServeError::Bind {
            what: "HTTP",
            addr: http_addr.clone(),
            source,
        })?;
    let local = listener.local_addr().map_err(ServeError::Http)?;
    // --- native TN3270 listener (bridge/src/native): same shutdown signal as HTTP. ---
    let tn_addr = format!("{}:{}", config.server.bind_address, config.server.port);
    let tn_listener = TcpListener::bind(&tn_addr)
        .await
        .map_err(|source| ServeError::Bind {
            what: "TN3270",
            addr: tn_addr.clone(),
            source,
        })?;
    tracing::info!(addr = %tn_listener.local_addr().map_err(ServeError::Http)?, "TN3270 listening");
    let mut rx = stop_rx.clone();
    let native_task = tokio::spawn(crate::native::serve(
        tn_listener,
        endpoints.clone(),
        crate::native::NativeConfig::from_config(&config),
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        },
    ));
    // --- end native TN3270 listener ---
    let static_dir = static_dir();
    if let Some(dir) = &static_dir {
        tracing::info!(dir = %dir.display(), "serving /static");
    }
    // Websocket sessions (crate::session).
    let sessions = crate::session::SessionManager::from_config(&config.sessions);
    let state = Arc::new(AppState {
        config,
        endpoints,
        started: SystemTime::now(),
        static_dir,
        sessions,
    });
    tracing::info!(addr = %local, "HTTP listening");
    on_ready(local);
    let mut rx = stop_rx.clone();
    // TCP_NODELAY: websocket records are small and interactive (as upstream and native).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp: &mut tokio::net::TcpStream| {
        let _ = tcp.set_nodelay(true);
    });
    let http = axum::serve(listener, http::router(state)).with_graceful_shutdown(async move {
        let _ = rx.wait_for(|stop| *stop).await;
    });
    let http = tokio::spawn(async move { http.await });
    shutdown.await;
    tracing::info!("shutting down");
    let _ = stop_tx.send(true);
    let result = http.await;
    let _ = native_task.await; // native TN3270 listener
    for task in demo_tasks {
        let _ = task.await;
    }
    match result {
        Ok(r) => r.map_err(ServeError::Http),
        Err(e) => Err(ServeError::Http(std::io::Error::other(e))),
    }
}

/// The directory of the page's assets: `WEB3270_STATIC_DIR` if set, else `./static` when it
/// exists (running from the repository, as `scripts/run.sh` does).
fn static_dir() -> Option<std::path::PathBuf> {
    match std::env::var_os("WEB3270_STATIC_DIR") {
        Some(dir) if !dir.is_empty() => Some(dir.into()),
        _ => {
            let dir = std::path::PathBuf::from("static");
            dir.is_dir().then_some(dir)
        }
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
