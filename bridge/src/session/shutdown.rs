//! Ending every session when the bridge shuts down (SIGTERM, Ctrl-C): [`SessionManager::shutdown`].
//!
//! Owns: telling each live session to end with [`SERVER_SHUTDOWN`] (an attached browser gets
//! its last `status` message, state `ended`, code `SERVER_SHUTDOWN`, then close code 4000 from
//! [`crate::ws`]; the upstream connection is closed, which sends the host a TCP FIN), waiting
//! for them within the grace period, and the log line for those that did not end in time.
//! Sessions that finish connecting while shutdown runs are told too (the table is polled
//! every [`POLL_INTERVAL`]).
//!
//! Does not own: stopping the listeners and native sessions ([`crate::server::run`],
//! [`crate::native`]); the session task itself ([`super`]).
//!
//! A session still running at the deadline is forgotten (removed from the resume table,
//! logged with its id at WARN); its task is aborted when the runtime stops as the process
//! exits.

use std::collections::HashSet;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::{Command, SessionManager, SessionTask, ToBrowser};

/// The end code of sessions ended by a bridge shutdown (`status.code` on the websocket).
pub const SERVER_SHUTDOWN: &str = "SERVER_SHUTDOWN";

/// How often the table is looked at for sessions not told yet and for the end of all.
pub const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// What [`SessionManager::shutdown`] achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Sessions told to end.
    pub told: usize,
    /// Sessions (or connects in flight) still live at the deadline.
    pub remaining: usize,
}

impl SessionManager {
    /// Ends every live session cleanly within `grace` (see the module doc) and returns once
    /// all have ended, their browsers have been let go, or the grace period is over.
    pub async fn shutdown(&self, grace: Duration) -> ShutdownReport {
        let deadline = Instant::now() + grace;
        let mut told: HashSet<String> = HashSet::new();
        let mut acks = JoinSet::new();
        loop {
            let fresh: Vec<_> = match self.table.lock() {
                Ok(table) => table
                    .by_id
                    .iter()
                    .filter(|(id, _)| !told.contains(*id))
                    .map(|(id, e)| (id.clone(), e.commands.clone()))
                    .collect(),
                Err(_) => Vec::new(),
            };
            for (id, commands) in fresh {
                told.insert(id);
                let (done, ack) = oneshot::channel();
                acks.spawn(async move {
                    // A session that ends first drops the command, and with it `done`.
                    if commands.send(Command::Shutdown(done)).await.is_ok() {
                        let _ = ack.await;
                    }
                });
            }
            while acks.try_join_next().is_some() {}
            if acks.is_empty() && self.is_empty() {
                tracing::info!(sessions = told.len(), "all sessions ended for shutdown");
                return ShutdownReport {
                    told: told.len(),
                    remaining: 0,
                };
            }
            if Instant::now() >= deadline {
                return self.give_up(told.len(), grace, &mut acks).await;
            }
            tokio::time::sleep_until(deadline.min(Instant::now() + POLL_INTERVAL)).await;
        }
    }

    /// The grace period is over: log and forget the sessions still live.
    async fn give_up(
        &self,
        told: usize,
        grace: Duration,
        acks: &mut JoinSet<()>,
    ) -> ShutdownReport {
        acks.shutdown().await;
        let ids: Vec<String> = match self.table.lock() {
            Ok(mut table) => table.by_id.drain().map(|(id, _)| id).collect(),
            Err(_) => Vec::new(),
        };
        let remaining = self.len();
        tracing::warn!(
            sessions = remaining,
            ids = ?ids,
            grace_seconds = grace.as_secs_f64(),
            "sessions did not end within the shutdown grace period: aborted"
        );
        ShutdownReport { told, remaining }
    }
}

impl SessionTask {
    /// Handles [`Command::Shutdown`]: the browser's last message says `SERVER_SHUTDOWN`;
    /// `done` fires once the browser's websocket handler has let go of the session (so the
    /// close frame was sent before the process exits), at once when none is attached.
    /// Returns the end code and message for the session loop.
    pub(super) fn on_shutdown(&mut self, done: oneshot::Sender<()>) -> (&'static str, String) {
        let message = "the bridge is shutting down".to_owned();
        self.deliver(ToBrowser::Ended {
            code: SERVER_SHUTDOWN,
            message: message.clone(),
        });
        match self.attached.take() {
            Some(attached) => {
                tokio::spawn(async move {
                    attached.tx.closed().await;
                    let _ = done.send(());
                });
            }
            None => {
                let _ = done.send(());
            }
        }
        (SERVER_SHUTDOWN, message)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::session::Entry;
    use tokio::sync::mpsc;

    /// No sessions: shutdown returns at once, having told nobody.
    #[tokio::test]
    async fn nothing_to_end() {
        let manager = SessionManager::new(4, Duration::from_secs(60));
        let report = manager.shutdown(Duration::from_secs(30)).await;
        assert_eq!(
            report,
            ShutdownReport {
                told: 0,
                remaining: 0
            }
        );
    }

    /// A session whose task never handles the command (stuck): at the deadline it is
    /// reported as remaining and forgotten (its resume token no longer works).
    #[tokio::test]
    async fn a_stuck_session_is_given_up_at_the_deadline() {
        let manager = SessionManager::new(4, Duration::from_secs(60));
        let slot = manager.reserve("host", None).unwrap();
        let (commands, _never_read) = mpsc::channel(1);
        manager.table.lock().unwrap().by_id.insert(
            "sess_stuck".into(),
            Entry {
                resume_token: "token".into(),
                commands,
                owner: None,
                summary: crate::session::SessionSummary {
                    id: "sess_stuck".into(),
                    endpoint: "host".into(),
                    kind: crate::session::SessionKind::Websocket,
                    status: crate::session::SessionStatus::Attached,
                    lu: None,
                    model: "3279-2-E".into(),
                    created_at: std::time::SystemTime::now(),
                    user: None,
                    application: None,
                    client: None,
                    suspend_reason: None,
                },
            },
        );
        let report = manager.shutdown(Duration::from_millis(200)).await;
        assert_eq!(
            report,
            ShutdownReport {
                told: 1,
                remaining: 1
            }
        );
        assert!(manager.table.lock().unwrap().by_id.is_empty());
        assert!(manager.resume("token").await.is_err());
        drop(slot);
        assert!(manager.is_empty());
    }
}
