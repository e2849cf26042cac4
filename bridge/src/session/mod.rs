//! Terminal sessions of the bridge: one task per session owning its upstream connection
//! ([`crate::upstream::Upstream`]) and a screen mirror, and the [`SessionManager`] that
//! creates, finds (by one-time resume token) and counts them.
//!
//! Owns: the session lifecycle (create → attached ⇄ detached → ended), the detach grace
//! period, idle and lifetime limits, the mirror (a record-mode `tn3270::terminal::Terminal`,
//! so host 3270-DATA is applied with `datastream::process` and BIND-IMAGE sizes exactly as the
//! browser applies them; its own replies are discarded while a browser answers), the
//! **headless** (REST API) sessions, whose mirror *is* the terminal: its replies (Query Reply
//! to Read Partition Query, Read Buffer/Read Modified answers, GA23-0059 §3.5 and ch. 6) and
//! the keys the API types go to the host; they have no browser, no resume token and no detach
//! grace, and live until `DELETE`, the idle or the lifetime limit. The per-session facts the
//! API lists ([`SessionSummary`]), and the commands it sends to a session task ([`ApiCommand`]:
//! screen, keys with wait-for-unlock, suspend/resume, migration, close; see `headless`). The
//! snapshot sent on re-attach (`builder::snapshot::screen_record`), the bounded queue towards the attached browser, the
//! check that browser 3270-DATA parses as an inbound record (GA23-0059 ch. 3) before it is
//! sent upstream, the session limits, and telling its [`crate::audit::SessionObserver`] (the
//! audit log) about lifecycle and data events. Does not own: the websocket protocol (JSON, data type
//! bytes, close codes) — that is [`crate::ws`]; host connections ([`crate::upstream`]).
//!
//! Records follow RFC 2355 §8.1.1 data types; see `docs/WEBSOCKET.md`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tn3270::builder::reply::InboundRecord;
use tn3270::builder::snapshot::screen_record;
use tn3270::builder::CommandCodes;
use tn3270::terminal::{Outbound, Terminal, TerminalConfig, TerminalEvent, TerminalModel};
use tn3270::tn3270e::{DataType, Mode};
use tokio::sync::{mpsc, oneshot};

use crate::api::screen::ScreenView;
use crate::config::SessionsConfig;
use crate::upstream::{CloseReason, UpstreamEvent, UpstreamEvents, UpstreamInfo, UpstreamSender};

/// Most messages queued towards one attached browser; a browser that falls this far behind
/// is detached (its websocket closed) rather than letting the queue grow.
pub const OUT_QUEUE: usize = 256;

/// Most commands queued from websocket handlers to one session.
const COMMAND_QUEUE: usize = 64;

/// "No limit" for lifetime and idle time (far beyond any process's uptime, and small enough
/// that adding it to an `Instant` cannot overflow).
const NO_LIMIT: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
/// How long before the idle timeout the browser is warned (`IDLE_TIMEOUT_SOON`; at most half
/// the timeout).
pub const IDLE_WARNING: Duration = Duration::from_secs(60);
/// How long before the end of its lifetime the browser is warned (`SESSION_TIMEOUT_SOON`; at
/// most half the lifetime).
pub const LIFETIME_WARNING: Duration = Duration::from_secs(300);

/// Bytes of randomness in a session id and in a resume token.
const TOKEN_BYTES: usize = 16;

/// A message for the attached browser, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToBrowser {
    /// A host record: its data type and body.
    Record(DataType, Vec<u8>),
    /// The session state changed (negotiated mode, BIND, UNBIND).
    Mode(Mode),
    /// The session ended; the last message.
    Ended {
        /// Stable code, e.g. `HOST_CLOSED`.
        code: &'static str,
        /// Why, for people.
        message: String,
    },
    /// The session will end soon unless something happens: `IDLE_TIMEOUT_SOON` (any activity
    /// keeps it) or `SESSION_TIMEOUT_SOON` (nothing does).
    Warning {
        /// Stable code.
        code: &'static str,
        /// Seconds until the end (rounded up).
        seconds: u64,
        /// Why, for people.
        message: String,
    },
    /// A warning no longer holds (activity after `IDLE_TIMEOUT_SOON`).
    WarningCleared {
        /// The warning's code.
        code: &'static str,
    },
    /// Something the browser sent was refused by the host side (not fatal).
    Error {
        /// Stable code.
        code: &'static str,
        /// Why, for people.
        message: String,
    },
}

/// Why an attached browser is being let go (the websocket handler closes with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kick {
    /// The outgoing queue overflowed ([`OUT_QUEUE`]); the session is detached.
    SlowConsumer,
    /// Another websocket resumed the session.
    TakenOver,
}

/// Input from the browser. The websocket layer admits only 3270-DATA and SSCP-LU-DATA;
/// the session checks that 3270-DATA parses as an inbound record with the addressing in
/// force (else `BAD_RECORD`, nothing sent to the host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// An inbound record (3270-DATA or SSCP-LU-DATA).
    Record(DataType, Vec<u8>),
    /// The ATTN key.
    Attn,
    /// The SYS REQ key.
    SysReq,
    /// The user is at the terminal (typing locally, or "stay connected"): nothing reaches
    /// the host, the idle timeout starts again.
    Activity,
}

/// What a websocket gets when it attaches.
#[derive(Debug)]
pub struct Attachment {
    /// Session facts for the `session` message.
    pub info: SessionInfo,
    /// Messages for the browser (bounded by [`OUT_QUEUE`]).
    pub rx: mpsc::Receiver<ToBrowser>,
    /// Fires when the session lets this browser go.
    pub kick: oneshot::Receiver<Kick>,
    /// Sends input to the session.
    pub handle: AttachedHandle,
}

/// The websocket side's handle on its session.
#[derive(Debug, Clone)]
pub struct AttachedHandle {
    commands: mpsc::Sender<Command>,
    generation: u64,
}

impl AttachedHandle {
    /// Sends browser input to the session; `false` when the session has ended.
    pub async fn input(&self, input: Input) -> bool {
        self.commands.send(Command::Input(input)).await.is_ok()
    }

    /// The websocket is gone: the session starts its grace period (unless a newer websocket
    /// attached meanwhile).
    pub async fn detach(&self) {
        let _ = self.commands.send(Command::Detach(self.generation)).await;
    }
}

/// Facts about a session sent to the browser on each attach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// `sess_` + 32 hex digits.
    pub session_id: String,
    /// One-time token for the next attach (a new one on every attach).
    pub resume_token: String,
    /// The endpoint's configured name.
    pub endpoint: String,
    /// The LU the host assigned, if any.
    pub lu: Option<String>,
    /// The terminal type agreed with the host.
    pub terminal_type: String,
    /// The model as s3270 spells it (`3279-2-E`).
    pub model: String,
    /// The mode now.
    pub mode: Mode,
    /// Whether the upstream connection is encrypted.
    pub tls: bool,
    /// The code page the session's mirror decodes with when the endpoint (or the request)
    /// names one, by its canonical name (`cp273`); `None`: CP037, and the browser keeps its
    /// own setting.
    pub code_page: Option<&'static str>,
}

/// Why a session could not be created or resumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionError {
    /// `sessions.max_sessions` are live.
    Limit(u32),
    /// The endpoint's own `max_sessions` are live.
    EndpointLimit(u32),
    /// The user already has `sessions.max_sessions_per_user` live sessions.
    UserLimit(u32),
    /// No live session holds this resume token (expired, used, or never issued).
    ResumeFailed,
}

enum Command {
    Attach {
        token: String,
        reply: oneshot::Sender<Attachment>,
    },
    Input(Input),
    Detach(u64),
    Api(ApiCommand),
    /// The bridge is shutting down ([`shutdown`]): end with `SERVER_SHUTDOWN`; the sender
    /// fires once the attached browser (if any) has been told and let go.
    Shutdown(oneshot::Sender<()>),
}

struct Entry {
    /// Empty for headless sessions: nobody can resume them.
    resume_token: String,
    commands: mpsc::Sender<Command>,
    summary: SessionSummary,
    /// The user who opened the session (`None` with authentication off): only they resume.
    owner: Option<String>,
}

/// All live sessions of this bridge instance.
#[derive(Debug)]
pub struct SessionManager {
    max: u32,
    /// `sessions.max_sessions_per_user`: most live sessions of one authenticated user.
    per_user: Option<u32>,
    grace: Duration,
    lifetime: Duration,
    idle: Duration,
    counts: Arc<Mutex<Counts>>,
    table: Arc<Mutex<Table>>,
    /// Told about every session's lifecycle and data (the audit log).
    observer: Option<Arc<dyn crate::audit::SessionObserver>>,
}

#[derive(Default)]
struct Table {
    by_id: HashMap<String, Entry>,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("sessions", &self.by_id.len())
            .finish()
    }
}

/// A reserved place under `max_sessions` (and the endpoint's `max_sessions`): released on
/// drop — when the session task ends, or at once if the connect fails.
#[derive(Debug)]
pub struct Slot {
    counts: Arc<Mutex<Counts>>,
    endpoint: String,
    /// The user counted in [`Counts::per_user`], if any.
    user: Option<String>,
    /// Held for the session's life, dropped with the slot (the pool's lease: endpoint
    /// session count and LU, `crate::pool::Lease`).
    held: Option<Box<dyn std::any::Any + Send + Sync>>,
    /// A native TN3270 session's place ([`Places::reserve_native`]), counted in
    /// [`Counts::native`] too.
    native: bool,
}

impl Slot {
    /// Counts the place on `endpoint` from now on (the endpoint is known once the pool has
    /// chosen it).
    pub fn assign(&mut self, endpoint: &str) {
        if endpoint == self.endpoint {
            return;
        }
        if let Ok(mut c) = self.counts.lock() {
            decrement(&mut c.per_endpoint, &self.endpoint);
            *c.per_endpoint.entry(endpoint.to_owned()).or_insert(0) += 1;
        }
        endpoint.clone_into(&mut self.endpoint);
    }

    /// Keeps `guard` until the slot is released (the session ends).
    pub fn hold(&mut self, guard: impl std::any::Any + Send + Sync) {
        self.held = Some(Box::new(guard));
    }
}

/// Places in use: in all, and per endpoint name.
#[derive(Debug, Default)]
struct Counts {
    /// Every session: websocket, REST and native.
    total: usize,
    /// Of `total`, the native TN3270 sessions (not in the table).
    native: usize,
    per_endpoint: HashMap<String, usize>,
    per_user: HashMap<String, usize>,
}

/// Takes one from `map[key]`, removing the key at zero.
fn decrement(map: &mut HashMap<String, usize>, key: &str) {
    if let Some(n) = map.get_mut(key) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            map.remove(key);
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut c) = self.counts.lock() {
            c.total = c.total.saturating_sub(1);
            if self.native {
                c.native = c.native.saturating_sub(1);
            }
            decrement(&mut c.per_endpoint, &self.endpoint);
            if let Some(user) = &self.user {
                decrement(&mut c.per_user, user);
            }
        }
    }
}

impl SessionManager {
    /// A manager allowing `max` live sessions, each waiting `grace` for a resume after its
    /// browser detaches.
    /// No lifetime or idle limit: see [`SessionManager::from_config`].
    pub fn new(max: u32, grace: Duration) -> SessionManager {
        SessionManager {
            max,
            per_user: None,
            grace,
            lifetime: NO_LIMIT,
            idle: NO_LIMIT,
            counts: Arc::new(Mutex::new(Counts::default())),
            table: Arc::new(Mutex::new(Table::default())),
            observer: None,
        }
    }

    /// Reports every session's events to `observer` (the audit log).
    pub fn with_observer(mut self, observer: Arc<dyn crate::audit::SessionObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// From `sessions:`: `max_sessions`, `detach_grace_seconds`, `timeout_seconds` (absolute
    /// lifetime, `SESSION_TIMEOUT`), `idle_timeout_seconds` (no host record and no browser
    /// input for that long, `IDLE_TIMEOUT`).
    pub fn from_config(config: &SessionsConfig) -> SessionManager {
        SessionManager {
            lifetime: config.timeout_seconds,
            idle: config.idle_timeout_seconds,
            per_user: config.max_sessions_per_user,
            ..SessionManager::new(config.max_sessions, config.detach_grace_seconds)
        }
    }

    /// Live sessions (including ones still connecting).
    /// Native TN3270 sessions hold places under the same limit ([`SessionManager::places`])
    /// but are not counted here.
    pub fn len(&self) -> usize {
        self.counts
            .lock()
            .map(|c| c.total.saturating_sub(c.native))
            .unwrap_or(0)
    }

    /// A handle for the native TN3270 listener: its sessions take places under this
    /// manager's `sessions.max_sessions` (and count on their endpoint), so that the limit is
    /// the instance's, over all front ends.
    pub fn places(&self) -> Places {
        Places::shared(self.counts.clone(), self.table.clone(), self.max)
    }

    /// Live sessions (including ones still connecting) on the endpoint called `name`.
    pub fn count_for(&self, name: &str) -> usize {
        self.counts
            .lock()
            .ok()
            .and_then(|c| c.per_endpoint.get(name).copied())
            .unwrap_or(0)
    }

    /// Whether there are no live sessions.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reserves a place for a new session on `endpoint`, or [`SessionError::Limit`] /
    /// [`SessionError::EndpointLimit`]. Reserve before connecting upstream so concurrent
    /// creations cannot overshoot a limit.
    pub fn reserve(&self, endpoint: &str, endpoint_max: Option<u32>) -> Result<Slot, SessionError> {
        self.reserve_for(endpoint, endpoint_max, None)
    }

    /// [`SessionManager::reserve`] for a session of `user` (an authenticated caller), also
    /// under `sessions.max_sessions_per_user` ([`SessionError::UserLimit`]).
    pub fn reserve_for(
        &self,
        endpoint: &str,
        endpoint_max: Option<u32>,
        user: Option<&str>,
    ) -> Result<Slot, SessionError> {
        let mut c = self
            .counts
            .lock()
            .map_err(|_| SessionError::Limit(self.max))?;
        if c.total >= self.max as usize {
            return Err(SessionError::Limit(self.max));
        }
        if let (Some(user), Some(max)) = (user, self.per_user) {
            if c.per_user.get(user).copied().unwrap_or(0) >= max as usize {
                return Err(SessionError::UserLimit(max));
            }
        }
        let on_endpoint = c.per_endpoint.get(endpoint).copied().unwrap_or(0);
        if let Some(max) = endpoint_max {
            if on_endpoint >= max as usize {
                return Err(SessionError::EndpointLimit(max));
            }
        }
        c.total += 1;
        c.per_endpoint.insert(endpoint.to_owned(), on_endpoint + 1);
        if let Some(user) = user {
            *c.per_user.entry(user.to_owned()).or_insert(0) += 1;
        }
        Ok(Slot {
            counts: self.counts.clone(),
            endpoint: endpoint.to_owned(),
            user: user.map(str::to_owned),
            held: None,
            native: false,
        })
    }

    /// Starts a websocket session over an established upstream and attaches the caller to
    /// it; `None` if no token could be drawn (the upstream is dropped, i.e. closed). `caller`
    /// is who opened it (for the observer).
    pub async fn start(
        &self,
        slot: Slot,
        endpoint: String,
        model: TerminalModel,
        upstream: (UpstreamInfo, UpstreamSender, UpstreamEvents),
        caller: crate::auth::Caller,
    ) -> Option<Attachment> {
        self.start_with(
            slot,
            endpoint,
            model,
            upstream,
            StartOptions::default(),
            caller,
        )
        .await
    }

    /// Starts a session of `options.kind`. A websocket session attaches the caller; a
    /// headless one returns an attachment that only carries its [`SessionInfo`] (no resume
    /// token, a closed message queue): its mirror answers the host itself.
    pub async fn start_with(
        &self,
        slot: Slot,
        endpoint: String,
        model: TerminalModel,
        upstream: (UpstreamInfo, UpstreamSender, UpstreamEvents),
        options: StartOptions,
        caller: crate::auth::Caller,
    ) -> Option<Attachment> {
        let (info, sender, events) = upstream;
        let id = format!("sess_{}", random_hex()?);
        let headless = options.kind == SessionKind::Api;
        let token = if headless {
            String::new()
        } else {
            random_hex()?
        };
        let (commands, command_rx) = mpsc::channel(COMMAND_QUEUE);
        let mut config = TerminalConfig {
            model: model.clone(),
            ..TerminalConfig::default()
        };
        if let Some(code_page) = options.code_page {
            config.code_page = code_page;
        }
        let mirror = Terminal::for_records(config, info.mode, info.lu.clone());
        let summary = SessionSummary {
            id: id.clone(),
            endpoint: endpoint.clone(),
            kind: options.kind,
            status: if headless {
                SessionStatus::Connected
            } else {
                SessionStatus::Attached
            },
            lu: info.lu.clone(),
            model: model_name(&model),
            created_at: SystemTime::now(),
            user: options.user,
            application: options.application,
            client: options.client,
            suspend_reason: None,
        };
        let task = SessionTask {
            info: SessionInfo {
                session_id: id.clone(),
                resume_token: String::new(),
                endpoint,
                lu: info.lu.clone(),
                terminal_type: info.terminal_type.clone(),
                model: model_name(&model),
                mode: info.mode,
                tls: info.tls,
                code_page: options.code_page.map(|c| c.name),
            },
            sender,
            mirror,
            bind: None,
            attached: None,
            generation: 0,
            grace: self.grace,
            lifetime: self.lifetime,
            idle: self.idle,
            table: self.table.clone(),
            commands: commands.downgrade(),
            headless,
            waiters: Vec::new(),
            alarm: false,
            suspended: false,
            _slot: slot,
            observer: self.observer.clone(),
            caller,
        };
        if let Ok(mut table) = self.table.lock() {
            table.by_id.insert(
                id,
                Entry {
                    resume_token: token.clone(),
                    commands: commands.clone(),
                    summary,
                    owner: task.caller.user.clone(),
                },
            );
        }
        let mut task = task;
        let (reply, answer) = oneshot::channel();
        if headless {
            // Nobody attaches: the caller only learns the session's facts.
            let _ = reply.send(Attachment {
                info: task.info.clone(),
                rx: mpsc::channel(1).1,
                kick: oneshot::channel().1,
                handle: AttachedHandle {
                    commands: commands.clone(),
                    generation: 0,
                },
            });
        } else {
            // Attach the creator before the task sees any host event, so none is lost.
            task.attach(token, reply);
        }
        task.observe(crate::audit::SessionEvent::Created);
        tracing::info!(
            session = %task.info.session_id,
            endpoint = %task.info.endpoint,
            lu = ?task.info.lu,
            terminal_type = %task.info.terminal_type,
            kind = options.kind.as_str(),
            "session started"
        );
        // Its own root span: the task outlives the websocket that created it.
        let span = tracing::info_span!(
            parent: None,
            "session",
            id = %task.info.session_id,
            endpoint = %task.info.endpoint,
            lu = task.info.lu.as_deref().unwrap_or("-"),
        );
        tokio::spawn(tracing::Instrument::instrument(
            task.run(events, command_rx),
            span,
        ));
        answer.await.ok()
    }

    /// Re-attaches to the session holding `token` (the token is used up; the attachment
    /// carries a new one). Only sessions without an owner: see [`SessionManager::resume_as`].
    pub async fn resume(&self, token: &str) -> Result<Attachment, SessionError> {
        self.resume_as(token, None).await
    }

    /// [`SessionManager::resume`] for `user`: the session must have been opened by `user`
    /// (`None`: with authentication off). Another user's attempt fails without using up the
    /// token or disturbing the attached browser.
    pub async fn resume_as(
        &self,
        token: &str,
        user: Option<&str>,
    ) -> Result<Attachment, SessionError> {
        let found = match self.table.lock() {
            Ok(mut table) => table
                .by_id
                .values_mut()
                .find(|e| !token.is_empty() && constant_time_eq(&e.resume_token, token))
                .filter(|e| e.owner.as_deref() == user)
                .and_then(|e| {
                    let next = random_hex()?;
                    e.resume_token = next.clone();
                    Some((e.commands.clone(), next))
                }),
            Err(_) => None,
        };
        let (commands, next) = found.ok_or(SessionError::ResumeFailed)?;
        attach(&commands, next)
            .await
            .ok_or(SessionError::ResumeFailed)
    }

    /// Every live session (websocket and API), oldest first.
    pub fn list(&self) -> Vec<SessionSummary> {
        let mut all: Vec<SessionSummary> = match self.table.lock() {
            Ok(table) => table.by_id.values().map(|e| e.summary.clone()).collect(),
            Err(_) => Vec::new(),
        };
        all.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        all
    }

    /// The live session `id`, if any.
    pub fn get(&self, id: &str) -> Option<SessionSummary> {
        self.table
            .lock()
            .ok()
            .and_then(|t| t.by_id.get(id).map(|e| e.summary.clone()))
    }

    /// Sends an API command to session `id`, waiting at most [`API_SEND_TIMEOUT`] for room
    /// in its command queue.
    pub async fn api(&self, id: &str, command: ApiCommand) -> Result<(), ApiSendError> {
        let commands = self
            .table
            .lock()
            .ok()
            .and_then(|t| t.by_id.get(id).map(|e| e.commands.clone()))
            .ok_or(ApiSendError::NoSession)?;
        match commands
            .send_timeout(Command::Api(command), API_SEND_TIMEOUT)
            .await
        {
            Ok(()) => Ok(()),
            Err(mpsc::error::SendTimeoutError::Closed(_)) => Err(ApiSendError::NoSession),
            Err(mpsc::error::SendTimeoutError::Timeout(_)) => Err(ApiSendError::Busy),
        }
    }
}

async fn attach(commands: &mpsc::Sender<Command>, token: String) -> Option<Attachment> {
    let (reply, answer) = oneshot::channel();
    commands.send(Command::Attach { token, reply }).await.ok()?;
    answer.await.ok()
}

/// The answer channel of an API command that succeeds or is refused.
type ApiReply = oneshot::Sender<Result<(), ApiRefusal>>;

struct Attached {
    tx: mpsc::Sender<ToBrowser>,
    kick: oneshot::Sender<Kick>,
}

struct SessionTask {
    info: SessionInfo,
    sender: UpstreamSender,
    mirror: Terminal,
    /// The last BIND-IMAGE RU (sent before the snapshot on re-attach).
    bind: Option<Vec<u8>>,
    attached: Option<Attached>,
    generation: u64,
    grace: Duration,
    lifetime: Duration,
    idle: Duration,
    table: Arc<Mutex<Table>>,
    /// Its own command channel, weakly (handed to each attached websocket).
    commands: mpsc::WeakSender<Command>,
    /// A REST API session: the mirror answers the host and takes typed keys.
    headless: bool,
    /// API requests waiting for the keyboard to unlock (at most [`MAX_WAITERS`]).
    waiters: Vec<oneshot::Sender<ScreenView>>,
    /// Whether the last host write sounded the alarm.
    alarm: bool,
    /// Suspended through the API (headless only): input is refused.
    suspended: bool,
    _slot: Slot,
    observer: Option<Arc<dyn crate::audit::SessionObserver>>,
    caller: crate::auth::Caller,
}

impl SessionTask {
    async fn run(mut self, mut events: UpstreamEvents, mut commands: mpsc::Receiver<Command>) {
        // The grace clock runs whenever nobody is attached (never for headless sessions).
        let mut detached_since =
            (self.attached.is_none() && !self.headless).then(tokio::time::Instant::now);
        let started = tokio::time::Instant::now();
        let mut active = started;
        let mut closed: Option<oneshot::Sender<()>> = None;
        let mut surrender: Option<oneshot::Sender<Transplant>> = None;
        let mut adopt: Option<(Box<Transplant>, ApiReply)> = None;
        // The browser's warnings: the `active` instant an idle warning was given for, and
        // whether the lifetime warning was given (headless sessions get none).
        let mut idle_warned: Option<tokio::time::Instant> = None;
        let mut lifetime_warned = false;
        let end = loop {
            let deadline = detached_since.map(|t| t + self.grace);
            let lifetime_end = started.checked_add(self.lifetime);
            let idle_end = active.checked_add(self.idle);
            let idle_warn =
                idle_end.and_then(|e| e.checked_sub(warning_lead(self.idle, IDLE_WARNING)));
            let lifetime_warn = lifetime_end
                .and_then(|e| e.checked_sub(warning_lead(self.lifetime, LIFETIME_WARNING)));
            tokio::select! {
                _ = sleep_until(idle_warn), if idle_warned.is_none() && !self.headless => {
                    idle_warned = Some(active);
                    self.warn("IDLE_TIMEOUT_SOON", idle_end);
                }
                _ = sleep_until(lifetime_warn), if !lifetime_warned && !self.headless => {
                    lifetime_warned = true;
                    self.warn("SESSION_TIMEOUT_SOON", lifetime_end);
                }
                _ = sleep_until(lifetime_end) => {
                    break ("SESSION_TIMEOUT", "the session reached its maximum lifetime".to_owned())
                }
                _ = sleep_until(idle_end) => {
                    break ("IDLE_TIMEOUT", "no activity for the idle timeout".to_owned())
                }
                ev = events.recv() => match ev {
                    Some(UpstreamEvent::Closed { reason }) => break reason_end(&reason),
                    None => break ("HOST_CLOSED", "the host connection ended".to_owned()),
                    Some(ev) => {
                        active = tokio::time::Instant::now();
                        self.host_event(ev).await;
                    }
                },
                cmd = commands.recv() => match cmd {
                    Some(Command::Attach { token, reply }) => {
                        if self.headless {
                            // No token is ever issued for a headless session; refuse anyway.
                            drop(reply);
                            continue;
                        }
                        detached_since = None;
                        self.attach(token, reply);
                        self.set_status(SessionStatus::Attached);
                        // A browser that resumes hears the warnings that still hold.
                        if idle_warned.is_some() {
                            self.warn("IDLE_TIMEOUT_SOON", idle_end);
                        }
                        if lifetime_warned {
                            self.warn("SESSION_TIMEOUT_SOON", lifetime_end);
                        }
                    }
                    Some(Command::Input(input)) => {
                        active = tokio::time::Instant::now();
                        self.input(input).await;
                    }
                    Some(Command::Detach(generation)) => {
                        if generation == self.generation && self.attached.take().is_some() {
                            detached_since = Some(tokio::time::Instant::now());
                            self.set_status(SessionStatus::Detached);
                            self.observe(crate::audit::SessionEvent::Detached);
                        }
                    }
                    Some(Command::Api(ApiCommand::Close(done))) => {
                        closed = Some(done);
                        break ("SESSION_DELETED", "the session was ended through the REST API".to_owned());
                    }
                    Some(Command::Api(ApiCommand::Surrender(reply))) if self.headless => {
                        surrender = Some(reply);
                        break ("MIGRATED", "the host connection moved to another session".to_owned());
                    }
                    Some(Command::Api(ApiCommand::Adopt { from, reply })) if self.headless => {
                        adopt = Some((from, reply));
                    }
                    Some(Command::Api(cmd)) => {
                        if matches!(cmd, ApiCommand::Keys { .. }) {
                            active = tokio::time::Instant::now();
                        }
                        self.api(cmd).await;
                    }
                    Some(Command::Shutdown(done)) => break self.on_shutdown(done),
                    None => break ("LOCAL_CLOSE", "the bridge is shutting down".to_owned()),
                },
                _ = sleep_until(deadline) => {
                    break ("DETACH_EXPIRED", "no browser resumed the session in time".to_owned())
                }
            }
            if let Some((from, reply)) = adopt.take() {
                // Outside `select!`, where the event stream is no longer borrowed: take the
                // adopted connection's events; the old stream goes with `from` and the old
                // sender is replaced, which closes the old host connection.
                let mut from = *from;
                std::mem::swap(&mut events, &mut from.events);
                self.adopt(from);
                active = tokio::time::Instant::now();
                let _ = reply.send(Ok(()));
            }
            if idle_warned.is_some_and(|at| at != active) {
                idle_warned = None;
                self.deliver(ToBrowser::WarningCleared {
                    code: "IDLE_TIMEOUT_SOON",
                });
            }
            if self.attached.is_none() && detached_since.is_none() && !self.headless {
                // Dropped for a slow browser.
                detached_since = Some(tokio::time::Instant::now());
                self.set_status(SessionStatus::Detached);
            }
        };
        if let Ok(mut table) = self.table.lock() {
            table.by_id.remove(&self.info.session_id);
        }
        tracing::info!(session = %self.info.session_id, code = end.0, "session ended");
        self.observe(crate::audit::SessionEvent::Ended {
            code: end.0,
            message: &end.1,
        });
        if let Some(reply) = surrender {
            // Migration: the host connection lives on in the adopting session.
            let _ = reply.send(Transplant {
                sender: self.sender,
                events,
                mirror: self.mirror,
                info: self.info,
                bind: self.bind,
                alarm: self.alarm,
                slot: self._slot,
            });
            return;
        }
        self.deliver(ToBrowser::Ended {
            code: end.0,
            message: end.1,
        });
        // Waiters see their channel close: the API answers that the session ended.
        self.waiters.clear();
        // Dropping `sender` and `events` closes the upstream connection; close the upstream
        // before a DELETE is answered, so the host has seen the end when the client hears 204.
        drop(self.sender);
        drop(events);
        if let Some(done) = closed {
            let _ = done.send(());
        }
    }

    fn set_status(&self, status: SessionStatus) {
        self.set_summary(|s| s.status = status);
    }

    fn set_summary(&self, change: impl FnOnce(&mut SessionSummary)) {
        if let Ok(mut table) = self.table.lock() {
            if let Some(e) = table.by_id.get_mut(&self.info.session_id) {
                change(&mut e.summary);
            }
        }
    }

    async fn host_event(&mut self, ev: UpstreamEvent) {
        match ev {
            UpstreamEvent::Record {
                data_type,
                header,
                data,
            } => {
                self.observe(crate::audit::SessionEvent::Received {
                    data_type,
                    data: &data,
                });
                // With the header, the mirror decides the RESPONSE the host asked for.
                match header {
                    Some(h) => self.mirror.feed_framed(h, &data),
                    None => self.mirror.feed_record(data_type, &data),
                }
                self.drain_mirror().await;
                self.deliver(ToBrowser::Record(data_type, data));
            }
            UpstreamEvent::Bind(bind) => {
                self.mirror.feed_record(DataType::BindImage, &bind.raw);
                self.drain_mirror().await;
                self.bind = Some(bind.raw.clone());
                self.deliver(ToBrowser::Record(DataType::BindImage, bind.raw));
            }
            UpstreamEvent::Unbind { reason } => {
                let data: Vec<u8> = reason.into_iter().collect();
                self.mirror.feed_record(DataType::Unbind, &data);
                self.drain_mirror().await;
                self.bind = None;
                self.deliver(ToBrowser::Record(DataType::Unbind, data));
            }
            UpstreamEvent::ModeChanged(mode) => {
                self.info.mode = mode;
                self.mirror.set_mode(mode);
                self.drain_mirror().await;
                self.deliver(ToBrowser::Mode(mode));
            }
            UpstreamEvent::Response { .. } | UpstreamEvent::Closed { .. } => {}
        }
        self.answer_waiters();
    }

    /// The mirror answers queries like a terminal would. With a browser attached only the
    /// browser's answers count and the mirror's are dropped; a headless session sends them
    /// (and what the API typed) to the host. The TN3270E responses the host asked for are the
    /// bridge's in both cases (the browser never sees headers): the mirror decides them.
    async fn drain_mirror(&mut self) {
        while let Some(out) = self.mirror.poll_outbound() {
            if self.headless || matches!(out, Outbound::Response { .. }) {
                self.send_outbound(out).await;
            }
        }
        let mut applied = false;
        let mut alarm = false;
        while let Some(ev) = self.mirror.poll_event() {
            match ev {
                TerminalEvent::RecordApplied => applied = true,
                TerminalEvent::Alarm => alarm = true,
                _ => {}
            }
        }
        if applied {
            self.alarm = alarm;
        }
    }

    fn attach(&mut self, token: String, reply: oneshot::Sender<Attachment>) {
        if let Some(old) = self.attached.take() {
            let _ = old.kick.send(Kick::TakenOver);
        }
        self.generation += 1;
        let (tx, rx) = mpsc::channel(OUT_QUEUE);
        let (kick_tx, kick) = oneshot::channel();
        let mut info = self.info.clone();
        info.resume_token = token;
        // The browser's screen starts blank: redraw it (BIND sizes first, then the screen).
        if self.generation > 1 {
            self.observe(crate::audit::SessionEvent::Resumed);
            if let Some(bind) = &self.bind {
                let _ = tx.try_send(ToBrowser::Record(DataType::BindImage, bind.clone()));
            }
            let record = screen_record(
                self.mirror.screen(),
                CommandCodes::Ccw,
                self.mirror.capabilities().addressing,
            );
            let _ = tx.try_send(ToBrowser::Record(DataType::Data3270, record));
        }
        let attachment = Attachment {
            info,
            rx,
            kick,
            handle: AttachedHandle {
                // A dead channel if the manager is gone: input then reports the session ended.
                commands: self
                    .commands
                    .upgrade()
                    .unwrap_or_else(|| mpsc::channel(1).0),
                generation: self.generation,
            },
        };
        if reply.send(attachment).is_ok() {
            self.attached = Some(Attached { tx, kick: kick_tx });
        }
    }

    async fn input(&mut self, input: Input) {
        let result = match input {
            Input::Activity => return,
            Input::Record(DataType::Data3270, data) => {
                // Only a well-formed inbound record reaches the host (GA23-0059 ch. 3).
                let addressing = self.mirror.capabilities().addressing;
                if let Err(e) = InboundRecord::parse(&data, addressing) {
                    let message = format!("3270-DATA is no inbound record: {e}");
                    self.observe(crate::audit::SessionEvent::Refused {
                        code: "BAD_RECORD",
                        message: &message,
                    });
                    self.deliver(ToBrowser::Error {
                        code: "BAD_RECORD",
                        message,
                    });
                    return;
                }
                // Audited with the screen the user typed on (non-display fields redacted).
                self.observe(crate::audit::SessionEvent::Sent {
                    data_type: DataType::Data3270,
                    data: &data,
                    mirror: &self.mirror,
                });
                // The mirror takes what the browser's terminal sent (fields, cursor, lock):
                // a host Write that keeps the fields, and a resume, show what the browser shows.
                self.mirror.note_sent(DataType::Data3270, &data);
                self.sender
                    .send_record(DataType::Data3270, &data)
                    .await
                    .map(|_| ())
            }
            Input::Record(data_type, data) => {
                self.observe(crate::audit::SessionEvent::Sent {
                    data_type,
                    data: &data,
                    mirror: &self.mirror,
                });
                self.sender.send_record(data_type, &data).await.map(|_| ())
            }
            Input::Attn => {
                self.observe(crate::audit::SessionEvent::Key("ATTN"));
                self.sender.attn().await
            }
            Input::SysReq => {
                self.observe(crate::audit::SessionEvent::Key("SYSREQ"));
                self.sender.sysreq().await
            }
        };
        if let Err(e) = result {
            self.observe(crate::audit::SessionEvent::Refused {
                code: "UPSTREAM_REFUSED",
                message: &e.to_string(),
            });
            self.deliver(ToBrowser::Error {
                code: "UPSTREAM_REFUSED",
                message: e.to_string(),
            });
        }
    }

    /// Tells the observer (the audit log), if any.
    fn observe(&self, event: crate::audit::SessionEvent<'_>) {
        if let Some(o) = &self.observer {
            o.observe(&self.info, &self.caller, event);
        }
    }

    /// Warns the browser that the session ends at `end`: `IDLE_TIMEOUT_SOON` or
    /// `SESSION_TIMEOUT_SOON`.
    fn warn(&mut self, code: &'static str, end: Option<tokio::time::Instant>) {
        let seconds = seconds_until(end);
        let message = if code == "IDLE_TIMEOUT_SOON" {
            format!("no activity: the session ends in {seconds} s unless you use it")
        } else {
            format!("the session reaches its maximum lifetime in {seconds} s")
        };
        self.deliver(ToBrowser::Warning {
            code,
            seconds,
            message,
        });
    }

    /// Queues a message for the attached browser; a full queue detaches it.
    fn deliver(&mut self, msg: ToBrowser) {
        let Some(attached) = &self.attached else {
            return;
        };
        if attached.tx.try_send(msg).is_err() {
            if let Some(a) = self.attached.take() {
                tracing::warn!(session = %self.info.session_id, "browser too slow: detached");
                let _ = a.kick.send(Kick::SlowConsumer);
            }
        }
    }
}

/// A model as s3270 spells it: `3279-2-E`.
pub fn model_name(model: &TerminalModel) -> String {
    format!(
        "{}-{}{}",
        if model.color { 3279 } else { 3278 },
        model.model,
        if model.extended { "-E" } else { "" }
    )
}

fn reason_end(reason: &CloseReason) -> (&'static str, String) {
    let message = match reason {
        CloseReason::HostClosed => "the host closed the connection".to_owned(),
        CloseReason::Io(e) => format!("host connection failed: {e}"),
        other => format!("host connection ended: {}", other.code()),
    };
    (reason.code(), message)
}

/// How long before a timeout of `total` its warning comes: `max`, or half of `total` when
/// that is shorter.
fn warning_lead(total: Duration, max: Duration) -> Duration {
    max.min(total / 2)
}

/// Whole seconds from now until `end`, rounded up (0 when it has passed or never comes).
fn seconds_until(end: Option<tokio::time::Instant>) -> u64 {
    let left = end.map_or(Duration::ZERO, |e| {
        e.saturating_duration_since(tokio::time::Instant::now())
    });
    left.as_secs() + u64::from(left.subsec_nanos() > 0)
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

/// [`TOKEN_BYTES`] from the OS CSPRNG, as lowercase hex; `None` if the OS has no randomness
/// to give (then no session is created: a guessable token would be worse than none).
fn random_hex() -> Option<String> {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; TOKEN_BYTES];
    ring::rand::SystemRandom::new().fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares tokens without an early exit on the first differing byte.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

mod headless;
pub mod open;
mod places;
pub mod shutdown;

pub use headless::{
    ApiCommand, ApiRefusal, ApiSendError, SessionKind, SessionStatus, SessionSummary, StartOptions,
    Transplant, API_SEND_TIMEOUT, MAX_WAITERS,
};
pub use places::{NativeEntry, NativeRequest, NativeSession, Places};

#[cfg(test)]
mod tests;
