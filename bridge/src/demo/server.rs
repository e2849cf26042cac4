//! The demo host's TCP server: one tokio task per connection moving bytes between the socket
//! and a [`DemoSession`]. All protocol and application logic is in the session; this file
//! owns only IO, limits, timeouts and shutdown.
//!
//! - **Limits**: at most [`DemoConfig::max_sessions`] connections (a semaphore permit is taken
//!   before `accept` and moved into the task, so excess clients wait in the listen backlog);
//!   reads are [`READ_CHUNK`] bytes at a time and the core bounds records
//!   (`tn3270::telnet::consts::MAX_RECORD_LEN`); output is one screen or a few.
//! - **Timeouts**: no input for [`DemoConfig::idle_timeout`] → a farewell message and close;
//!   a Query Reply not back within [`DemoConfig::query_timeout`] → the logon screen with the
//!   model's sizes; a write that does not complete within [`DemoConfig::write_timeout`] →
//!   close.
//! - **Shutdown**: when the `shutdown` future completes the listener stops accepting, every
//!   session shows a farewell message and closes, and [`serve`] returns once all tasks ended
//!   (tasks still running after [`SHUTDOWN_GRACE`] are aborted).
//! - **Logs**: `tracing` events with fields (peer, LU, terminal type); every close says why.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use super::session::DemoSession;

/// Bytes read from a socket at a time.
pub const READ_CHUNK: usize = 4096;
/// How long running sessions get to say goodbye after shutdown starts.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// Pause after a failed `accept` (e.g. out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Limits and timeouts of the demo host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    /// Most connections served at once.
    pub max_sessions: usize,
    /// A session without input for this long is closed.
    pub idle_timeout: Duration,
    /// How long to wait for the terminal's Query Reply.
    pub query_timeout: Duration,
    /// How long one write to the terminal may take.
    pub write_timeout: Duration,
    /// LU names given to terminals that ask for none: this prefix and a 4-digit number.
    pub lu_prefix: String,
    /// Offer TN3270E (else plain TN3270 only).
    pub tn3270e: bool,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            max_sessions: 64,
            idle_timeout: Duration::from_secs(30 * 60),
            query_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(30),
            lu_prefix: "DEMO".into(),
            tn3270e: true,
        }
    }
}

/// Serves the demo on `listener` with the default [`DemoConfig`] until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    serve_with(listener, DemoConfig::default(), shutdown).await
}

/// Serves the demo on `listener` with `config` until `shutdown` completes; returns when every
/// session has ended.
pub async fn serve_with(
    listener: TcpListener,
    config: DemoConfig,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let config = Arc::new(config);
    let permits = Arc::new(Semaphore::new(config.max_sessions.max(1)));
    let (stop_tx, stop_rx) = watch::channel(false);
    let counter = AtomicU64::new(0);
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        // Reap finished tasks so the set does not grow with the history of connections.
        while tasks.try_join_next().is_some() {}
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(error) => {
                tracing::warn!(%error, "demo: accept failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let n = counter.fetch_add(1, Ordering::Relaxed) % 10_000 + 1;
        let lu = format!("{}{n:04}", config.lu_prefix);
        let config = config.clone();
        let stop = stop_rx.clone();
        tasks.spawn(async move {
            let _permit = permit;
            tracing::info!(%peer, %lu, "demo: connection accepted");
            match run_connection(stream, &lu, &config, stop).await {
                Ok(reason) => tracing::info!(%peer, %lu, reason, "demo: connection closed"),
                Err(error) => tracing::info!(%peer, %lu, %error, "demo: connection failed"),
            }
        });
    }
    tracing::info!(sessions = tasks.len(), "demo: shutting down");
    let _ = stop_tx.send(true);
    crate::server::drain_tasks(&mut tasks, SHUTDOWN_GRACE, "demo").await;
    Ok(())
}

/// Binds `addr` and serves the demo until Ctrl-C: what `web3270 demo-host --port N` runs.
pub async fn run_standalone(addr: SocketAddr) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    tracing::info!(addr = %listener.local_addr()?, "demo host listening");
    serve(listener, async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "demo: cannot wait for Ctrl-C; serving until killed");
            std::future::pending::<()>().await;
        }
    })
    .await
}

/// [`run_standalone`] on a tokio runtime of its own, for a synchronous `main`.
pub fn run_standalone_blocking(addr: SocketAddr) -> std::io::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_standalone(addr))
}

/// Drives one connection until it closes; returns why it closed.
async fn run_connection(
    mut stream: TcpStream,
    lu: &str,
    config: &DemoConfig,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<&'static str> {
    stream.set_nodelay(true)?;
    let mut session = DemoSession::with_tn3270e(lu, config.tn3270e);
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        flush(&mut stream, &mut session, config).await?;
        if session.closing() {
            stream.shutdown().await?;
            return Ok(if session.app().is_some_and(|a| a.ended()) {
                "session ended"
            } else {
                "not a 3270 terminal"
            });
        }
        let wait = if session.awaiting_query() {
            config.query_timeout
        } else {
            config.idle_timeout
        };
        tokio::select! {
            read = tokio::time::timeout(wait, stream.read(&mut buf)) => match read {
                Ok(Ok(0)) => return Ok("closed by the terminal"),
                Ok(Ok(n)) => session.feed(buf.get(..n).unwrap_or_default()),
                Ok(Err(error)) => return Err(error),
                Err(_) if session.awaiting_query() => {
                    tracing::debug!(lu, "demo: no Query Reply; using the model's sizes");
                    session.query_timeout();
                }
                Err(_) => {
                    session.farewell("Session ended: no input for too long.");
                    flush(&mut stream, &mut session, config).await?;
                    return Ok("idle timeout");
                }
            },
            _ = stop.changed() => {
                session.farewell("The demo host is shutting down. Goodbye.");
                flush(&mut stream, &mut session, config).await?;
                return Ok("host shutdown");
            }
        }
    }
}

/// Writes the session's pending output, within the write timeout.
async fn flush(
    stream: &mut TcpStream,
    session: &mut DemoSession,
    config: &DemoConfig,
) -> std::io::Result<()> {
    while !session.pending_output().is_empty() {
        let n = tokio::time::timeout(config.write_timeout, stream.write(session.pending_output()))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "write timed out"))??;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        session.consume_output(n);
    }
    Ok(())
}
