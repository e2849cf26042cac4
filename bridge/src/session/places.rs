//! The instance's session places and table as the native TN3270 listener sees them
//! ([`super::SessionManager::places`]): one `sessions.max_sessions` over browser, REST and
//! native sessions. A native session takes a [`Slot`] like the others (released on drop,
//! counted on its endpoint once chosen) and is entered in the manager's table
//! ([`Places::register`]) so that `GET /api/v1/sessions` lists it, `GET .../screen` shows its
//! mirror and `DELETE` ends it. It is not resumed or driven through the API, and the manager
//! does not wait for it at shutdown (the native listener ends its own sessions).

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use tokio::sync::{mpsc, oneshot};

use super::{
    random_hex, ApiCommand, ApiRefusal, Command, Counts, Entry, SessionError, SessionKind,
    SessionStatus, SessionSummary, Slot, Table,
};
use crate::api::screen::ScreenView;

/// Commands queued to one native session (the API's screen reads and deletes).
const NATIVE_COMMAND_QUEUE: usize = 8;

/// A cheap handle on the session counts and table of one [`super::SessionManager`] (or of its
/// own, for a native listener that runs alone).
#[derive(Debug, Clone)]
pub struct Places {
    counts: Arc<Mutex<Counts>>,
    table: Arc<Mutex<Table>>,
    max: u32,
}

impl PartialEq for Places {
    /// The same places: the same counts, table and limit.
    fn eq(&self, other: &Places) -> bool {
        Arc::ptr_eq(&self.counts, &other.counts)
            && Arc::ptr_eq(&self.table, &other.table)
            && self.max == other.max
    }
}

impl Eq for Places {}

/// What the table shows of a native session.
#[derive(Debug, Clone)]
pub struct NativeSession {
    /// The endpoint's configured name.
    pub endpoint: String,
    /// The LU the host assigned, if any.
    pub lu: Option<String>,
    /// The model as s3270 spells it (`3279-2-E`).
    pub model: String,
    /// The client's address.
    pub client: Option<String>,
}

/// What the API asks of a native session.
#[derive(Debug)]
pub enum NativeRequest {
    /// Its mirror's screen now.
    Screen(oneshot::Sender<ScreenView>),
    /// End it (`DELETE`); answer once the client has been told and let go.
    End(oneshot::Sender<()>),
    /// The bridge is shutting down; answer once the client has been told.
    Shutdown(oneshot::Sender<()>),
}

/// A native session's entry in the table: its id and its requests. Dropping it removes the
/// entry.
#[derive(Debug)]
pub struct NativeEntry {
    id: String,
    table: Arc<Mutex<Table>>,
    commands: mpsc::Receiver<Command>,
}

impl Places {
    /// Places and a table of their own, at most `max` (a native listener without a session
    /// manager).
    pub fn new(max: u32) -> Places {
        Places::shared(Arc::default(), Arc::default(), max)
    }

    pub(super) fn shared(counts: Arc<Mutex<Counts>>, table: Arc<Mutex<Table>>, max: u32) -> Places {
        Places { counts, table, max }
    }

    /// The limit (`sessions.max_sessions`).
    pub fn max(&self) -> u32 {
        self.max
    }

    /// Takes a place for a native session, or [`SessionError::Limit`] when `max` sessions of
    /// any kind are live. [`Slot::assign`] counts it on its endpoint once chosen.
    pub fn reserve_native(&self) -> Result<Slot, SessionError> {
        let mut c = self
            .counts
            .lock()
            .map_err(|_| SessionError::Limit(self.max))?;
        if c.total >= self.max as usize {
            return Err(SessionError::Limit(self.max));
        }
        c.total += 1;
        c.native += 1;
        Ok(Slot {
            counts: self.counts.clone(),
            endpoint: String::new(),
            user: None,
            held: None,
            native: true,
        })
    }

    /// Enters a placed native session in the table (status `connected`, kind `native`);
    /// `None` if no id could be drawn (the session then goes on unlisted).
    pub fn register(&self, session: NativeSession) -> Option<NativeEntry> {
        let id = format!("sess_{}", random_hex()?);
        let (tx, commands) = mpsc::channel(NATIVE_COMMAND_QUEUE);
        let summary = SessionSummary {
            id: id.clone(),
            endpoint: session.endpoint,
            kind: SessionKind::Native,
            status: SessionStatus::Connected,
            lu: session.lu,
            model: session.model,
            created_at: SystemTime::now(),
            user: None,
            application: None,
            client: session.client,
            suspend_reason: None,
        };
        let mut table = self.table.lock().ok()?;
        table.by_id.insert(
            id.clone(),
            Entry {
                resume_token: String::new(),
                commands: tx,
                summary,
                owner: None,
            },
        );
        Some(NativeEntry {
            id,
            table: self.table.clone(),
            commands,
        })
    }
}

impl NativeEntry {
    /// The session's id (`sess_` + 32 hex digits).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The next request for this session; what a native session cannot do (input, suspend,
    /// resume, migration, resume by token) is refused here, as for a browser's session.
    /// Pending forever once nothing can send any more.
    pub async fn next(&mut self) -> NativeRequest {
        loop {
            let Some(command) = self.commands.recv().await else {
                return std::future::pending().await;
            };
            match command {
                Command::Api(ApiCommand::Screen(reply)) => return NativeRequest::Screen(reply),
                Command::Api(ApiCommand::Close(done)) => return NativeRequest::End(done),
                Command::Shutdown(done) => return NativeRequest::Shutdown(done),
                Command::Api(ApiCommand::Keys { reply, .. })
                | Command::Api(ApiCommand::Suspend { reply, .. })
                | Command::Api(ApiCommand::Resume(reply))
                | Command::Api(ApiCommand::Adopt { reply, .. }) => {
                    let _ = reply.send(Err(ApiRefusal::NotHeadless));
                }
                // Dropping the answer channels refuses these.
                Command::Api(ApiCommand::Surrender(_))
                | Command::Attach { .. }
                | Command::Input(_)
                | Command::Detach(_) => {}
            }
        }
    }
}

impl Drop for NativeEntry {
    fn drop(&mut self) {
        if let Ok(mut table) = self.table.lock() {
            table.by_id.remove(&self.id);
        }
    }
}
