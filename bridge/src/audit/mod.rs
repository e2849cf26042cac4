//! The audit log of `web3270 serve` (`audit:` section; `docs/SECURITY.md` § Audit).
//!
//! An append-only JSON-lines file of [`AuditEvent`]s with the deployment guide's event types
//! (session_created/closed/suspended/resumed, authentication_success/failed,
//! data_sent/received, error_occurred, connection_lost). Producers — session tasks (through
//! [`SessionObserver`]), the native TN3270 listener ([`NativeAudit`]), authentication — call
//! [`AuditLog::record`], which never blocks: the event goes into a bounded queue
//! ([`QUEUE_CAPACITY`]) read by one writer thread ([`writer`]). A full queue drops the event,
//! counts it ([`AuditCounters::dropped`]) and logs one line per burst; so do I/O errors (an
//! unwritable path, a full disk) in the writer — sessions go on either way.
//!
//! Owns: events and their details ([`summary`]: non-display fields redacted with the session's
//! screen mirror), the queue, the writer (rotation, retention, `secure_delete`), encryption at
//! rest ([`crypto`], `encrypt_logs`), the query behind `GET /api/v1/audit` and the compliance
//! report ([`http`]), and the counters for metrics ([`AuditLog::counters`]).
//! Does not own: who is authenticated ([`crate::auth`]), sessions ([`crate::session`]).

pub mod crypto;
pub mod event;
pub mod http;
pub mod summary;
pub mod time;
pub mod writer;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::json;
use tn3270::terminal::Terminal;
use tn3270::tn3270e::DataType;

pub use crypto::AuditKey;
pub use event::{AuditEvent, EventType};

use crate::auth::Caller;
use crate::config::AuditConfig;
use crate::session::SessionInfo;

/// Events waiting for the writer; more are dropped (and counted).
pub const QUEUE_CAPACITY: usize = 8192;
/// Largest `limit` of a query.
pub const MAX_QUERY_LIMIT: usize = 10_000;
/// How much later than its rotation stamp an event in a rotated file may be (events are
/// stamped before they are queued, so two tasks may queue them slightly out of order).
const STAMP_SLACK_MS: u64 = 60_000;
/// Default `limit` of a query (the guide's).
pub const DEFAULT_QUERY_LIMIT: usize = 1000;

/// Counters shared by the producers and the writer.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    written: AtomicU64,
    dropped: AtomicU64,
    queue_full: AtomicBool,
}

/// The audit figures for metrics (`web3270_audit_events_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuditCounters {
    /// Whether audit is on.
    pub enabled: bool,
    /// Events written to the audit file since start.
    pub written: u64,
    /// Events lost since start: queue full, or the file could not be opened or written.
    pub dropped: u64,
}

struct Inner {
    tx: SyncSender<AuditEvent>,
    path: PathBuf,
    framework: Option<String>,
    key: Option<Arc<AuditKey>>,
}

/// A handle on the audit log; cheap to clone. [`AuditLog::disabled`] records nothing.
#[derive(Clone, Default)]
pub struct AuditLog {
    inner: Option<Arc<Inner>>,
    stats: Arc<Stats>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("path", &self.inner.as_ref().map(|i| &i.path))
            .field("counters", &self.counters())
            .finish()
    }
}

/// Two handles are equal when they feed the same log (or are both disabled).
impl PartialEq for AuditLog {
    fn eq(&self, other: &AuditLog) -> bool {
        match (&self.inner, &other.inner) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl Eq for AuditLog {}

impl AuditLog {
    /// A log that records nothing.
    pub fn disabled() -> AuditLog {
        AuditLog::default()
    }

    /// Starts the writer for `audit:`; disabled when `audit.enabled` is false. With
    /// `encrypt_logs` the key comes from the environment ([`AuditKey::from_env`]); no key is
    /// an error (the bridge refuses to start). An unwritable `log_path` is *not* an error:
    /// events are dropped and counted until it becomes writable.
    pub fn start(config: &AuditConfig) -> Result<AuditLog, String> {
        let key = if config.is_enabled() && config.encrypt_logs {
            Some(AuditKey::from_env()?)
        } else {
            None
        };
        AuditLog::start_with_key(config, key)
    }

    /// [`AuditLog::start`] with the key given (tests, tools).
    pub fn start_with_key(config: &AuditConfig, key: Option<AuditKey>) -> Result<AuditLog, String> {
        AuditLog::start_inner(config, key, QUEUE_CAPACITY)
    }

    fn start_inner(
        config: &AuditConfig,
        key: Option<AuditKey>,
        capacity: usize,
    ) -> Result<AuditLog, String> {
        let Some(path) = config.log_path.clone().filter(|_| config.is_enabled()) else {
            return Ok(AuditLog::disabled());
        };
        let key = key.map(Arc::new);
        if config.encrypt_logs && key.is_none() {
            return Err("audit.encrypt_logs is true but no audit key is given".into());
        }
        let stats = Arc::new(Stats::default());
        let (tx, rx) = sync_channel(capacity);
        let writer_config = writer::WriterConfig {
            path: path.clone(),
            retention_days: config.retention_days,
            secure_delete: config.secure_delete,
            key: key.clone(),
            max_file_bytes: writer::MAX_FILE_BYTES,
        };
        let writer_stats = stats.clone();
        std::thread::Builder::new()
            .name("web3270-audit".into())
            .spawn(move || writer::run(writer_config, rx, writer_stats))
            .map_err(|e| format!("cannot start the audit writer: {e}"))?;
        tracing::info!(path = %path.display(), encrypted = key.is_some(), "audit log on");
        Ok(AuditLog {
            inner: Some(Arc::new(Inner {
                tx,
                path,
                framework: config
                    .framework
                    .map(|f| crate::config::Choice::as_str(f).to_owned()),
                key,
            })),
            stats,
        })
    }

    /// Whether events are recorded.
    pub fn is_enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// The audit file.
    pub fn path(&self) -> Option<&Path> {
        self.inner.as_ref().map(|i| i.path.as_path())
    }

    /// Written and dropped events since start.
    pub fn counters(&self) -> AuditCounters {
        AuditCounters {
            enabled: self.is_enabled(),
            written: self.stats.written.load(Ordering::Relaxed),
            dropped: self.stats.dropped.load(Ordering::Relaxed),
        }
    }

    /// A new event of `event_type` stamped now.
    pub fn event(event_type: EventType) -> AuditEvent {
        AuditEvent::new(event_type, time::unix_ms(SystemTime::now()))
    }

    /// Queues `event` for the writer (adding `framework`); never blocks. A full queue drops
    /// the event and counts it; the first drop of a burst logs an error.
    pub fn record(&self, mut event: AuditEvent) {
        let Some(inner) = &self.inner else {
            return;
        };
        event.framework = inner.framework.clone();
        match inner.tx.try_send(event) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                if !self.stats.queue_full.swap(true, Ordering::Relaxed) {
                    tracing::error!(
                        capacity = QUEUE_CAPACITY,
                        "audit queue full: events are dropped"
                    );
                }
            }
        }
    }

    /// Reads matching events back from the audit files (blocking: call from
    /// `spawn_blocking`). See [`AuditQuery`].
    pub fn query(&self, q: &AuditQuery) -> Result<AuditPage, String> {
        let inner = self.inner.as_ref().ok_or("audit is disabled")?;
        let limit = q.limit.clamp(1, MAX_QUERY_LIMIT);
        let mut events = VecDeque::with_capacity(limit.min(1024));
        let mut total = 0usize;
        for (stamp, path) in writer::log_files_with_stamps(&inner.path) {
            // A rotated file stamped well before `since` holds nothing newer.
            let since = q.since_ms.unwrap_or(0);
            if stamp.is_some_and(|s| s.saturating_add(STAMP_SLACK_MS) < since) {
                continue;
            }
            let Ok(file) = std::fs::File::open(&path) else {
                continue;
            };
            // Line by line: memory stays at one line, whatever the file's size.
            for line in BufReader::new(file).lines() {
                let Ok(line) = line else {
                    break;
                };
                let Ok(plain) = crypto::open_with(inner.key.as_deref(), &line) else {
                    continue;
                };
                let Ok(event) = serde_json::from_str::<AuditEvent>(&plain) else {
                    continue;
                };
                if !q.matches(&event) {
                    continue;
                }
                total += 1;
                if events.len() == limit {
                    events.pop_front();
                }
                events.push_back(event);
            }
        }
        Ok(AuditPage {
            events: events.into(),
            total,
            limit,
        })
    }

    /// Audits a native TN3270 session that starts relaying: `session_created` now,
    /// `session_closed` from [`NativeAudit::closed`].
    pub fn native_session(
        &self,
        endpoint: &str,
        client: Option<SocketAddr>,
        terminal_type: &str,
        lu: Option<&str>,
    ) -> NativeAudit {
        let session_id = format!("native_{}", crate::auth::random_hex().unwrap_or_default());
        let audit = NativeAudit {
            log: self.clone(),
            session_id,
            endpoint: endpoint.to_owned(),
            client,
        };
        audit.log.record(
            AuditLog::event(EventType::SessionCreated)
                .session(&audit.session_id)
                .client(client)
                .endpoint(endpoint)
                .details(json!({"channel": "native", "terminal_type": terminal_type, "lu": lu})),
        );
        audit
    }
}

/// A native TN3270 session's audit context.
#[derive(Debug)]
pub struct NativeAudit {
    log: AuditLog,
    session_id: String,
    endpoint: String,
    client: Option<SocketAddr>,
}

impl NativeAudit {
    /// `session_closed` with the reason the relay ended.
    pub fn closed(self, reason: &str) {
        self.log.record(
            AuditLog::event(EventType::SessionClosed)
                .session(&self.session_id)
                .client(self.client)
                .endpoint(&self.endpoint)
                .details(json!({"channel": "native", "reason": reason})),
        );
    }
}

/// A filter over audit events (`GET /api/v1/audit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only this type.
    pub event_type: Option<EventType>,
    /// Only this session.
    pub session_id: Option<String>,
    /// Only this user.
    pub user: Option<String>,
    /// Only events at or after this instant (ms since the epoch).
    pub since_ms: Option<u64>,
    /// At most this many (the most recent), 1..=[`MAX_QUERY_LIMIT`].
    pub limit: usize,
}

impl Default for AuditQuery {
    fn default() -> AuditQuery {
        AuditQuery {
            event_type: None,
            session_id: None,
            user: None,
            since_ms: None,
            limit: DEFAULT_QUERY_LIMIT,
        }
    }
}

impl AuditQuery {
    /// Whether `e` passes the filter.
    pub fn matches(&self, e: &AuditEvent) -> bool {
        self.event_type.is_none_or(|t| t == e.event_type)
            && self.since_ms.is_none_or(|s| e.timestamp_ms >= s)
            && self
                .session_id
                .as_deref()
                .is_none_or(|s| e.session_id.as_deref() == Some(s))
            && self
                .user
                .as_deref()
                .is_none_or(|u| e.user.as_deref() == Some(u))
    }
}

/// The answer of a query: the most recent matching events (oldest first), how many matched
/// in all, and the limit applied.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    /// At most `limit` events, oldest first.
    pub events: Vec<AuditEvent>,
    /// Matching events in all.
    pub total: usize,
    /// The limit applied.
    pub limit: usize,
}

/// What a session reports to its [`SessionObserver`].
#[derive(Debug)]
pub enum SessionEvent<'a> {
    /// The session was opened (its creator is attached).
    Created,
    /// A browser resumed the session.
    Resumed,
    /// The browser went away; the session waits for a resume.
    Detached,
    /// The terminal sent a record; `mirror` is the session's screen as the user saw it.
    Sent {
        /// The record's data type.
        data_type: DataType,
        /// The record.
        data: &'a [u8],
        /// The session's screen mirror.
        mirror: &'a Terminal,
    },
    /// The terminal pressed ATTN or SYS REQ (`"ATTN"`, `"SYSREQ"`).
    Key(&'static str),
    /// A host record reached the session.
    Received {
        /// The record's data type.
        data_type: DataType,
        /// The record.
        data: &'a [u8],
    },
    /// Something the terminal sent was refused.
    Refused {
        /// Stable code (`BAD_RECORD`, `UPSTREAM_REFUSED`).
        code: &'static str,
        /// Why.
        message: &'a str,
    },
    /// The session ended.
    Ended {
        /// Stable code (`HOST_CLOSED`, `IDLE_TIMEOUT`, `UPSTREAM_IO`...).
        code: &'static str,
        /// Why.
        message: &'a str,
    },
}

/// Receives a session's lifecycle and data events (the audit log is one).
pub trait SessionObserver: Send + Sync + std::fmt::Debug {
    /// Called by the session task; must not block.
    fn observe(&self, session: &SessionInfo, caller: &Caller, event: SessionEvent<'_>);
}

/// Close codes that mean the host connection was lost rather than ended in order.
const CONNECTION_LOST_CODES: [&str; 3] = ["UPSTREAM_IO", "KEEPALIVE_TIMEOUT", "WRITE_TIMEOUT"];

impl SessionObserver for AuditLog {
    fn observe(&self, session: &SessionInfo, caller: &Caller, event: SessionEvent<'_>) {
        if !self.is_enabled() {
            return;
        }
        let (event_type, details) = match event {
            SessionEvent::Created => (
                EventType::SessionCreated,
                json!({"lu": session.lu, "terminal_type": session.terminal_type,
                       "model": session.model, "tls": session.tls, "channel": caller.channel}),
            ),
            SessionEvent::Resumed => (EventType::SessionResumed, json!({})),
            SessionEvent::Detached => (
                EventType::SessionSuspended,
                json!({"reason": "browser_detached"}),
            ),
            SessionEvent::Sent {
                data_type,
                data,
                mirror,
            } => (EventType::DataSent, summary::sent(data_type, data, mirror)),
            SessionEvent::Key(key) => (EventType::DataSent, json!({"key": key})),
            SessionEvent::Received { data_type, data } => {
                (EventType::DataReceived, summary::received(data_type, data))
            }
            SessionEvent::Refused { code, message } => (
                EventType::ErrorOccurred,
                json!({"code": code, "message": message}),
            ),
            SessionEvent::Ended { code, message } => {
                if CONNECTION_LOST_CODES.contains(&code) {
                    self.record(
                        AuditLog::event(EventType::ConnectionLost)
                            .session(&session.session_id)
                            .user(caller.user.as_deref())
                            .client(caller.client)
                            .endpoint(&session.endpoint)
                            .details(json!({"code": code, "message": message})),
                    );
                }
                (
                    EventType::SessionClosed,
                    json!({"code": code, "message": message}),
                )
            }
        };
        self.record(
            AuditLog::event(event_type)
                .session(&session.session_id)
                .user(caller.user.as_deref())
                .client(caller.client)
                .endpoint(&session.endpoint)
                .details(details),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(path: &Path) -> AuditConfig {
        AuditConfig {
            enabled: Some(true),
            log_path: Some(path.to_owned()),
            ..AuditConfig::default()
        }
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("web3270-auditlog-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Waits (bounded) until `n` events are written or dropped.
    fn settle(log: &AuditLog, n: u64) {
        for _ in 0..500 {
            let c = log.counters();
            if c.written + c.dropped >= n {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the writer did not settle: {:?}", log.counters());
    }

    #[test]
    fn encrypted_lines_hide_the_text_and_query_opens_them() {
        let dir = scratch("enc");
        let path = dir.join("audit.log");
        let mut c = config(&path);
        c.encrypt_logs = true;
        assert!(
            AuditLog::start_with_key(&c, None).is_err(),
            "no key, no start"
        );
        let key = "11".repeat(32);
        let log = AuditLog::start_with_key(&c, Some(AuditKey::from_hex(&key).unwrap())).unwrap();
        log.record(
            AuditLog::event(EventType::DataSent)
                .session("sess_1")
                .details(json!({"fields": [{"text": "zoe"}]})),
        );
        log.record(AuditLog::event(EventType::SessionClosed).session("sess_1"));
        settle(&log, 2);
        let raw = std::fs::read_to_string(&path).unwrap();
        assert_eq!(raw.lines().count(), 2);
        assert!(!raw.contains("zoe") && !raw.contains("sess_1"), "{raw}");
        let page = log
            .query(&AuditQuery {
                session_id: Some("sess_1".into()),
                ..AuditQuery::default()
            })
            .unwrap();
        assert_eq!(page.total, 2);
        assert_eq!(page.events[0].details["fields"][0]["text"], "zoe");
        // web3270 audit decrypt prints the plain lines.
        let key = AuditKey::from_hex(&key).unwrap();
        let plain: String = raw.lines().map(|l| key.open(l).unwrap()).collect();
        assert!(plain.contains("\"zoe\""));
    }

    #[test]
    fn a_full_queue_drops_and_counts_without_blocking() {
        let dir = scratch("full");
        let log = AuditLog::start_inner(&config(&dir.join("audit.log")), None, 1).unwrap();
        let n = 20_000u64;
        for i in 0..n {
            log.record(AuditLog::event(EventType::DataReceived).details(json!({"i": i})));
        }
        settle(&log, n);
        let c = log.counters();
        assert_eq!(c.written + c.dropped, n);
        assert!(c.dropped > 0, "{c:?}");
        assert!(c.written > 0, "{c:?}");
    }

    #[test]
    fn query_skips_garbage_lines_and_old_rotated_files() {
        let dir = scratch("garbage");
        let path = dir.join("audit.log");
        // A rotated file from ten days ago (within the retention) with a matching event, and
        // garbage in the current file.
        let ten_days_ago = time::unix_ms(SystemTime::now()) - 10 * time::MS_PER_DAY;
        let old = AuditEvent::new(EventType::SessionCreated, ten_days_ago - 1000).session("s");
        std::fs::write(
            dir.join(format!("audit.log.{}", time::file_stamp(ten_days_ago))),
            format!("{}\n", serde_json::to_string(&old).unwrap()),
        )
        .unwrap();
        std::fs::write(&path, "not json\n{\"enc\":\"A256GCM\"}\n\n").unwrap();
        let log = AuditLog::start_with_key(&config(&path), None).unwrap();
        log.record(AuditLog::event(EventType::SessionClosed).session("s"));
        settle(&log, 1);
        let all = log.query(&AuditQuery::default()).unwrap();
        assert_eq!(all.total, 2);
        assert_eq!(all.events[0].event_type, EventType::SessionCreated);
        let recent = log
            .query(&AuditQuery {
                since_ms: Some(time::unix_ms(SystemTime::now()) - 3_600_000),
                ..AuditQuery::default()
            })
            .unwrap();
        assert_eq!(recent.total, 1);
        assert_eq!(recent.events[0].event_type, EventType::SessionClosed);
    }

    #[test]
    fn a_disabled_log_records_nothing() {
        let log = AuditLog::start(&AuditConfig::default()).unwrap();
        assert!(!log.is_enabled());
        log.record(AuditLog::event(EventType::SessionCreated));
        assert_eq!(log.counters(), AuditCounters::default());
        assert!(log.query(&AuditQuery::default()).is_err());
    }
}
