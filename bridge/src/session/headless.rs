//! The headless (REST API) side of a session: what the API sees of every session
//! ([`SessionSummary`]), how it starts one ([`StartOptions`]), the commands it sends to a
//! session task ([`ApiCommand`]) and how the task runs them on its mirror.
//!
//! In a headless session the mirror *is* the terminal: what it sends (Query Reply to a Read
//! Partition Query, Read Buffer / Read Modified answers, GA23-0059 §3.5 and ch. 6, and the
//! records of the keys the API types) goes to the host (`SessionTask::send_outbound`).
//! Owns: that, the `?wait=unlock` waiters (answered when the keyboard is unlocked, at most
//! [`MAX_WAITERS`]), suspend/resume, and migration (a fresh session surrenders its host
//! connection, mirror and slot as a [`Transplant`], which the migrating session adopts). Does not own: the session lifecycle and its timers
//! ([`super`]), HTTP ([`crate::api`]), the action syntax ([`crate::api::actions`]).

use std::time::{Duration, SystemTime};

use tn3270::codepage::CodePage;
use tn3270::terminal::Outbound;
use tokio::sync::oneshot;

use super::{SessionInfo, SessionTask, Slot};
use crate::api::actions::{self, Action, ActionError};
use crate::api::screen::ScreenView;
use crate::upstream::{UpstreamEvents, UpstreamSender};
use tn3270::terminal::Terminal;

/// Most REST requests waiting for the keyboard to unlock on one session (`?wait=unlock`);
/// more are refused ([`ApiRefusal::TooManyWaiters`]). Each waiter also has its own timeout.
pub const MAX_WAITERS: usize = 16;

/// Longest wait for room in a session's command queue ([`super::SessionManager::api`]); a session
/// that stays this busy is stuck writing to a host that does not read.
pub const API_SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Why [`super::SessionManager::api`] could not hand a command over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiSendError {
    /// No live session has this id (or it ended meanwhile).
    NoSession,
    /// Its command queue stayed full for [`API_SEND_TIMEOUT`].
    Busy,
}

/// Who drives a session. Its serde and OpenAPI names are those of `as_str`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum SessionKind {
    /// A browser over the websocket (`crate::ws`): the browser's terminal answers the host;
    /// the mirror only follows.
    #[default]
    Websocket,
    /// Headless, driven by the REST API (`crate::api`): the mirror is the terminal.
    Api,
    /// A TN3270 client on the native listener (`crate::native`): the client answers the
    /// host; the mirror only follows. Listed, shown and ended through the API; no input.
    Native,
}

impl SessionKind {
    /// `websocket`, `api` or `native`.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Websocket => "websocket",
            SessionKind::Api => "api",
            SessionKind::Native => "native",
        }
    }
}

/// How a new session is started (besides its endpoint, model and upstream).
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// Websocket (attached at once) or headless API session.
    pub kind: SessionKind,
    /// The user the client named (the guide's `user`; recorded for listing and audit).
    pub user: Option<String>,
    /// The guide's `application` (recorded, not interpreted by the bridge).
    pub application: Option<String>,
    /// The client's address, when known.
    pub client: Option<String>,
    /// The host code page the mirror decodes the screen text with (the endpoint's
    /// `code_page`); `None` for CP037.
    pub code_page: Option<&'static CodePage>,
}

/// Where a session is in its life, as `GET /api/v1/sessions` shows it. Its serde and
/// OpenAPI names are those of `as_str`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum SessionStatus {
    /// A headless session with its host connection up.
    Connected,
    /// A websocket session with its browser attached.
    Attached,
    /// A websocket session waiting for its browser to resume (detach grace).
    Detached,
    /// A headless session suspended through the API: input is refused until it is resumed.
    Suspended,
}

impl SessionStatus {
    /// `connected`, `attached`, `detached` or `suspended`.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Connected => "connected",
            SessionStatus::Attached => "attached",
            SessionStatus::Detached => "detached",
            SessionStatus::Suspended => "suspended",
        }
    }
}

/// What the bridge tells about one live session (never its resume token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    /// `sess_` + 32 hex digits.
    pub id: String,
    /// The endpoint's configured name.
    pub endpoint: String,
    /// Websocket or API.
    pub kind: SessionKind,
    /// Connected, attached or detached.
    pub status: SessionStatus,
    /// The LU the host assigned, if any.
    pub lu: Option<String>,
    /// The model as s3270 spells it.
    pub model: String,
    /// When the session started.
    pub created_at: SystemTime,
    /// The user the client named, if any.
    pub user: Option<String>,
    /// The guide's `application`, if given.
    pub application: Option<String>,
    /// The client's address, when known.
    pub client: Option<String>,
    /// Why the session was suspended, while it is.
    pub suspend_reason: Option<String>,
}

/// A request from the REST API to one session task.
#[derive(Debug)]
pub enum ApiCommand {
    /// The mirror's screen now.
    Screen(oneshot::Sender<ScreenView>),
    /// Applies `actions` to the mirror of a headless session and sends what they produce
    /// to the host; with `waiter`, that waiter is answered with the screen once the
    /// keyboard is unlocked (at once if it already is).
    Keys {
        /// The parsed actions, in order.
        actions: Vec<Action>,
        /// Answered when the keyboard is unlocked (`?wait=unlock`).
        waiter: Option<oneshot::Sender<ScreenView>>,
        /// How the actions went.
        reply: oneshot::Sender<Result<(), ApiRefusal>>,
    },
    /// Ends the session (`DELETE`); answered once the task has let go of it.
    Close(oneshot::Sender<()>),
    /// Suspends a headless session (the guide's lifecycle): input is refused, the host
    /// connection and the screen are kept, timeouts still apply.
    Suspend {
        /// Why, for the log and the listing.
        reason: Option<String>,
        /// Done, or why not.
        reply: oneshot::Sender<Result<(), ApiRefusal>>,
    },
    /// Resumes a suspended session.
    Resume(oneshot::Sender<Result<(), ApiRefusal>>),
    /// Migration, first half: a freshly opened headless session ends without closing its
    /// host connection and hands it over (with its mirror and its slot).
    Surrender(oneshot::Sender<Transplant>),
    /// Migration, second half: the session takes over `from`'s host connection, mirror and
    /// slot, keeping its id; its old host connection is closed.
    Adopt {
        /// What the surrendering session handed over.
        from: Box<Transplant>,
        /// Done, or why not (then `from` is dropped: its connection closes).
        reply: oneshot::Sender<Result<(), ApiRefusal>>,
    },
}

/// A host connection with its mirror and its place under the limits, moving from one
/// session task to another (`PUT /api/v1/sessions/{id}/migrate`).
pub struct Transplant {
    pub(super) sender: UpstreamSender,
    pub(super) events: UpstreamEvents,
    pub(super) mirror: Terminal,
    pub(super) info: SessionInfo,
    pub(super) bind: Option<Vec<u8>>,
    pub(super) alarm: bool,
    pub(super) slot: Slot,
}

impl std::fmt::Debug for Transplant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transplant")
            .field("endpoint", &self.info.endpoint)
            .field("lu", &self.info.lu)
            .finish()
    }
}

/// Why a session refused an API request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiRefusal {
    /// Input is only for headless sessions (a browser owns the keyboard of the others).
    NotHeadless,
    /// An action failed (what was before it was applied).
    Action(ActionError),
    /// [`MAX_WAITERS`] requests already wait on this session.
    TooManyWaiters,
    /// The session is suspended (input refused, or suspended twice).
    Suspended,
    /// Resume of a session that is not suspended.
    NotSuspended,
}

impl SessionTask {
    /// Sends one item of a headless mirror's output to the host.
    pub(super) async fn send_outbound(&mut self, out: Outbound) {
        let result = match out {
            Outbound::Record { data_type, data } => {
                self.sender.send_record(data_type, &data).await.map(|_| ())
            }
            Outbound::Attn => self.sender.attn().await,
            Outbound::SysReq => self.sender.sysreq().await,
            Outbound::Response { seq, response } => self.sender.send_response(seq, response).await,
        };
        if let Err(e) = result {
            tracing::warn!(session = %self.info.session_id, "host refused input: {e}");
        }
    }

    /// A REST API request.
    pub(super) async fn api(&mut self, cmd: ApiCommand) {
        match cmd {
            ApiCommand::Screen(reply) => {
                let _ = reply.send(self.screen_view());
            }
            ApiCommand::Keys {
                actions,
                waiter,
                reply,
            } => {
                if !self.headless {
                    let _ = reply.send(Err(ApiRefusal::NotHeadless));
                    return;
                }
                if self.suspended {
                    let _ = reply.send(Err(ApiRefusal::Suspended));
                    return;
                }
                self.waiters.retain(|w| !w.is_closed());
                if waiter.is_some() && self.waiters.len() >= MAX_WAITERS {
                    let _ = reply.send(Err(ApiRefusal::TooManyWaiters));
                    return;
                }
                let result = actions::apply(&mut self.mirror, &actions);
                // Whatever was produced before a failing action goes out, as on a terminal.
                self.drain_mirror().await;
                if result.is_ok() {
                    self.waiters.extend(waiter);
                }
                let _ = reply.send(result.map_err(ApiRefusal::Action));
                self.answer_waiters();
            }
            ApiCommand::Suspend { reason, reply } => {
                let result = if !self.headless {
                    Err(ApiRefusal::NotHeadless)
                } else if self.suspended {
                    Err(ApiRefusal::Suspended)
                } else {
                    tracing::info!(session = %self.info.session_id, reason = ?reason, "session suspended");
                    self.suspended = true;
                    self.set_summary(|s| {
                        s.status = SessionStatus::Suspended;
                        s.suspend_reason = reason;
                    });
                    Ok(())
                };
                let _ = reply.send(result);
            }
            ApiCommand::Resume(reply) => {
                let result = if !self.headless {
                    Err(ApiRefusal::NotHeadless)
                } else if !self.suspended {
                    Err(ApiRefusal::NotSuspended)
                } else {
                    tracing::info!(session = %self.info.session_id, "session resumed");
                    self.suspended = false;
                    self.set_summary(|s| {
                        s.status = SessionStatus::Connected;
                        s.suspend_reason = None;
                    });
                    Ok(())
                };
                let _ = reply.send(result);
            }
            ApiCommand::Adopt { reply, .. } => {
                // The run loop adopts; anything else reaching here is no headless session.
                let _ = reply.send(Err(ApiRefusal::NotHeadless));
            }
            ApiCommand::Close(_) | ApiCommand::Surrender(_) => {}
        }
    }

    /// Answers every waiter when the keyboard is unlocked.
    /// Takes over `from`'s host connection (the caller swaps the event stream): the mirror,
    /// endpoint, LU, mode and slot become `from`'s; id, user, waiters stay.
    pub(super) fn adopt(&mut self, from: Transplant) {
        tracing::info!(
            session = %self.info.session_id,
            from = %self.info.endpoint,
            to = %from.info.endpoint,
            "session migrated"
        );
        self.sender = from.sender;
        self.mirror = from.mirror;
        self.bind = from.bind;
        self.alarm = from.alarm;
        self._slot = from.slot;
        self.info.endpoint = from.info.endpoint;
        self.info.lu = from.info.lu;
        self.info.terminal_type = from.info.terminal_type;
        self.info.model = from.info.model;
        self.info.mode = from.info.mode;
        self.info.tls = from.info.tls;
        let (endpoint, lu, model) = (
            self.info.endpoint.clone(),
            self.info.lu.clone(),
            self.info.model.clone(),
        );
        self.set_summary(|s| {
            s.endpoint = endpoint;
            s.lu = lu;
            s.model = model;
        });
        self.answer_waiters();
    }

    pub(super) fn answer_waiters(&mut self) {
        if self.waiters.is_empty() || self.mirror.screen().is_locked() {
            return;
        }
        let view = self.screen_view();
        for waiter in self.waiters.drain(..) {
            let _ = waiter.send(view.clone());
        }
    }

    pub(super) fn screen_view(&self) -> ScreenView {
        ScreenView::of(&self.mirror, &self.info.session_id, self.alarm)
    }
}
