//! # pool — endpoints as a pool: health checks, balancing, failover, LU pools
//!
//! Every front end that opens a host connection for a terminal session — the browser's
//! websocket and the REST API through [`crate::session::open`], native TN3270 clients through
//! [`crate::native`] — goes through [`Pool::connect`]: one choice, failover and LU logic.
//! See `docs/POOL.md` for the operator's view.
//!
//! Owns: the live endpoint list (configured ones plus ones added at run time, [`Pool::add`]),
//! each endpoint's live state ([`Live`]: health, sessions, LUs in use), the health-check tasks
//! ([`health`]), the order in which endpoints are tried ([`Balancer`]: `round_robin`,
//! `weighted`, `least_conn` within the best priority, then the next priorities), per-endpoint
//! `max_sessions`, LU pools (`lu_names`: one LU per session, asked for with TN3270E CONNECT,
//! RFC 2355 §7.1, or `TYPE@LU` in plain TN3270, RFC 1646) and the typed refusals
//! ([`PoolError`]). Also the HTTP handlers of `/api/v1/endpoints` and `/api/v1/health`
//! ([`api`]). Does not own: the TN3270 negotiation itself ([`crate::upstream`]), the global
//! session limit and the session lifecycle ([`crate::session`]), native client negotiation.
//!
//! ## What a request names
//! - an **endpoint** by its name: only that endpoint is used (its LU pool included); when it
//!   is down or fails, the request fails — it never silently goes elsewhere;
//! - a **pool** (the `pool:` key shared by several endpoints): balanced and failed over among
//!   its endpoints;
//! - **nothing**: every endpoint is a candidate.
//!
//! Names match exactly first, then ignoring case (3270 clients upper-case LU names).
//!
//! ## Choice and failover
//! Candidates are the usable ones ([`health::Health::usable`]: not down, not suspect); they
//! are grouped by `priority` (lower first) and each group is ordered by the strategy. An
//! endpoint at its `max_sessions`, or whose LU pool is all in use, is passed over. A connect
//! failure marks the endpoint suspect and the next endpoint is tried: the next in the
//! strategy's order, then the next priority. At most [`MAX_ENDPOINTS`] endpoints exist, so a
//! request makes at most that many connects (plus [`MAX_LU_ATTEMPTS`] per endpoint for LUs).
//! With no usable candidate the request fails at once (`ENDPOINT_UNAVAILABLE`) naming every
//! endpoint considered and why.
//!
//! ## Opening connections (`sessions.connection_pool_size`)
//! With `connection_pool_size: N`, at most N upstream connections are being opened at once
//! over all endpoints and front ends (TCP connect, TLS handshake, telnet/TN3270E negotiation;
//! health checks apart): a burst of sessions — every browser of a site reconnecting after a
//! failover — reaches the hosts N at a time, in arrival order, instead of all at once. An
//! open session does not hold a place. A request that waits [`OPEN_QUEUE_WAIT`] without a
//! place is refused `SESSION_LIMIT` (code `CONNECTION_POOL_FULL` in what was tried).
//!
//! ## LU pools
//! An endpoint with `lu_names` gives each session the first free LU of the list; the
//! [`Lease`] the session holds releases it when the session ends. When the host rejects the
//! LU (TN3270E `DEVICE-TYPE REJECT`, or it closes the connection during negotiation) the
//! next free LU is tried, up to [`MAX_LU_ATTEMPTS`]. All in use: `LU_POOL_EXHAUSTED`. An LU
//! named explicitly (a native client's `NAME:LU`) bypasses the pool but is marked in use
//! while the session lives (a second session asking for it is refused `LU_IN_USE`).

pub mod api;
pub mod health;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{Endpoint, LoadBalancerConfig, Strategy};
use crate::server::EndpointState;
use crate::upstream::{Upstream, UpstreamError, UpstreamOptions};
pub use health::{CheckResult, Health, Status};

/// Most endpoints (configured plus added at run time); bounds memory and the connects one
/// request can make.
pub const MAX_ENDPOINTS: usize = 256;
/// Most LUs tried on one endpoint for one session when the host rejects them.
pub const MAX_LU_ATTEMPTS: usize = 8;
/// How long an LU the host rejected is passed over while another LU of the pool is free.
pub const LU_QUARANTINE: Duration = Duration::from_secs(300);
/// Longest wait for a place to open a connection under `sessions.connection_pool_size`.
pub const OPEN_QUEUE_WAIT: Duration = Duration::from_secs(30);

/// The live state of one endpoint, shared by every copy of its [`EndpointState`].
#[derive(Debug)]
pub struct Live {
    health: Mutex<Health>,
    leases: Mutex<Leases>,
}

/// Sessions on an endpoint and the LUs they hold (upper case).
#[derive(Debug, Default)]
struct Leases {
    active: usize,
    lus: BTreeSet<String>,
    /// LUs of `lu_names` the host rejected (upper case), and when: passed over for
    /// [`LU_QUARANTINE`] while another LU is free.
    rejected: BTreeMap<String, Instant>,
}

impl Leases {
    /// Forgets rejections older than [`LU_QUARANTINE`].
    fn expire_rejections(&mut self, now: Instant) {
        self.rejected
            .retain(|_, at| now.saturating_duration_since(*at) < LU_QUARANTINE);
    }
}

impl Live {
    /// The state of a new endpoint (`builtin`: always up).
    pub fn new(builtin: bool) -> Arc<Live> {
        Arc::new(Live {
            health: Mutex::new(Health::new(builtin)),
            leases: Mutex::new(Leases::default()),
        })
    }

    /// A snapshot of the health.
    pub fn health(&self) -> Health {
        match self.health.lock() {
            Ok(h) => h.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Changes the health.
    pub(crate) fn update_health(&self, f: impl FnOnce(&mut Health)) {
        match self.health.lock() {
            Ok(mut h) => f(&mut h),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// Live sessions on the endpoint (websocket, REST and native alike), connecting ones
    /// included.
    pub fn active(&self) -> usize {
        self.leases.lock().map(|l| l.active).unwrap_or(0)
    }

    /// The LUs held by live sessions, sorted.
    pub fn lus_in_use(&self) -> Vec<String> {
        self.leases
            .lock()
            .map(|l| l.lus.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The LUs of `lu_names` the host rejected within [`LU_QUARANTINE`], sorted.
    pub fn lus_quarantined(&self) -> Vec<String> {
        self.leases
            .lock()
            .map(|mut l| {
                l.expire_rejections(Instant::now());
                l.rejected.keys().cloned().collect()
            })
            .unwrap_or_default()
    }

    /// The host rejected `lu`: pass it over for a while.
    fn note_rejected(&self, lu: &str) {
        if let Ok(mut l) = self.leases.lock() {
            l.rejected.insert(lu.to_ascii_uppercase(), Instant::now());
        }
    }

    /// The host took `lu`: it is no longer passed over.
    fn note_accepted(&self, lu: &str) {
        if let Ok(mut l) = self.leases.lock() {
            l.rejected.remove(&lu.to_ascii_uppercase());
        }
    }
}

/// A session's place on an endpoint: counted in its sessions, holding its LU; released on
/// drop.
#[derive(Debug)]
pub struct Lease {
    live: Arc<Live>,
    endpoint: String,
    lu: Option<String>,
    /// The LU's key in the in-use set (upper case).
    lu_key: Option<String>,
}

/// Why an endpoint could not give a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
enum NoLease {
    /// `max_sessions` reached.
    Full(u32),
    /// Every LU of `lu_names` is in use (or was rejected by the host just now).
    LuExhausted,
    /// The explicitly named LU is held by another session.
    LuInUse(String),
}

impl Lease {
    /// Takes a place on `endpoint`: under its `max_sessions`, with the explicit LU or the
    /// first free LU of its pool not in `skip`.
    fn acquire(
        endpoint: &EndpointState,
        explicit_lu: Option<&str>,
        skip: &[String],
    ) -> Result<Lease, NoLease> {
        // A panic elsewhere while holding the lock leaves consistent counts: keep going.
        let mut leases = match endpoint.live.leases.lock() {
            Ok(l) => l,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(max) = endpoint.config.max_sessions {
            if leases.active >= max as usize {
                return Err(NoLease::Full(max));
            }
        }
        let lu = match explicit_lu {
            Some(lu) => {
                let key = lu.to_ascii_uppercase();
                if leases.lus.contains(&key) {
                    return Err(NoLease::LuInUse(lu.to_owned()));
                }
                Some((lu.to_owned(), key))
            }
            None if endpoint.config.lu_names.is_empty() => None,
            None => {
                leases.expire_rejections(Instant::now());
                let mut candidates = endpoint.config.lu_names.iter().filter(|lu| {
                    let key = lu.to_ascii_uppercase();
                    !leases.lus.contains(&key) && !skip.iter().any(|s| s.eq_ignore_ascii_case(lu))
                });
                // A free LU the host has not rejected lately, else a free one anyway (the
                // host may take it again).
                let free = candidates
                    .clone()
                    .find(|lu| !leases.rejected.contains_key(&lu.to_ascii_uppercase()))
                    .or_else(|| candidates.next());
                match free {
                    Some(lu) => Some((lu.clone(), lu.to_ascii_uppercase())),
                    None => return Err(NoLease::LuExhausted),
                }
            }
        };
        leases.active += 1;
        let (lu, lu_key) = match lu {
            Some((lu, key)) => {
                leases.lus.insert(key.clone());
                (Some(lu), Some(key))
            }
            None => (None, None),
        };
        Ok(Lease {
            live: endpoint.live.clone(),
            endpoint: endpoint.config.name.clone(),
            lu,
            lu_key,
        })
    }

    /// The endpoint's name.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The LU held, if any.
    pub fn lu(&self) -> Option<&str> {
        self.lu.as_deref()
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let mut leases = match self.live.leases.lock() {
            Ok(l) => l,
            Err(poisoned) => poisoned.into_inner(),
        };
        leases.active = leases.active.saturating_sub(1);
        if let Some(key) = &self.lu_key {
            leases.lus.remove(key);
        }
    }
}

/// What a session request asks for.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolRequest<'a> {
    /// An endpoint or pool name; `None`: every endpoint.
    pub target: Option<&'a str>,
    /// An LU named explicitly (a native client's `NAME:LU`): bypasses the LU pool.
    pub lu: Option<&'a str>,
}

/// The set of candidates a name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every endpoint.
    All,
    /// One endpoint, by its configured name.
    Endpoint(String),
    /// The endpoints whose `pool` is this name.
    Pool(String),
}

impl Scope {
    fn contains(&self, e: &EndpointState) -> bool {
        match self {
            Scope::All => true,
            Scope::Endpoint(n) => e.config.name == *n,
            Scope::Pool(p) => e.config.pool.as_deref() == Some(p.as_str()),
        }
    }

    /// For messages: `endpoint "x"`, `pool "p"`, `the default (every endpoint)`.
    pub fn describe(&self) -> String {
        match self {
            Scope::All => "the default (every endpoint)".into(),
            Scope::Endpoint(n) => format!("endpoint {n:?}"),
            Scope::Pool(p) => format!("pool {p:?}"),
        }
    }

    /// For a terminal's one-line message: `endpoint x`, `pool p`, `any endpoint`.
    pub fn short(&self) -> String {
        match self {
            Scope::All => "any endpoint".into(),
            Scope::Endpoint(n) => format!("endpoint {n}"),
            Scope::Pool(p) => format!("pool {p}"),
        }
    }

    /// The balancer's key for this scope.
    fn key(&self) -> &str {
        match self {
            Scope::All => "",
            Scope::Endpoint(n) | Scope::Pool(n) => n,
        }
    }
}

/// One endpoint considered for a request and why it was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tried {
    /// The endpoint.
    pub endpoint: String,
    /// A stable code: `ENDPOINT_DOWN`, `SESSION_LIMIT`, `LU_POOL_EXHAUSTED`, or the upstream
    /// error's code (`UPSTREAM_REFUSED`...).
    pub code: &'static str,
    /// Why, for people.
    pub message: String,
}

/// Why no session could be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolError {
    /// No endpoint or pool has that name (`None`: no endpoint at all).
    UnknownEndpoint(Option<String>),
    /// Nothing usable, or every connect failed: what was tried, in order.
    Unavailable {
        /// What was asked for.
        scope: Scope,
        /// Each endpoint considered.
        tried: Vec<Tried>,
    },
    /// Every usable candidate is at its `max_sessions`.
    Full {
        /// What was asked for.
        scope: Scope,
        /// Each endpoint considered.
        tried: Vec<Tried>,
    },
    /// Every usable candidate's LU pool is in use.
    LuPoolExhausted {
        /// What was asked for.
        scope: Scope,
        /// Each endpoint considered.
        tried: Vec<Tried>,
    },
    /// The explicitly named LU is held by another session.
    LuInUse {
        /// The endpoint.
        endpoint: String,
        /// The LU.
        lu: String,
    },
}

impl PoolError {
    /// The refusal counted in `web3270_refusals_total` for this error.
    pub fn refusal_reason(&self) -> crate::metrics::RefusalReason {
        use crate::metrics::RefusalReason;
        match self {
            PoolError::UnknownEndpoint(_) => RefusalReason::UnknownEndpoint,
            PoolError::Full { .. }
            | PoolError::LuPoolExhausted { .. }
            | PoolError::LuInUse { .. } => RefusalReason::SessionLimit,
            PoolError::Unavailable { .. } => RefusalReason::HostUnavailable,
        }
    }
    /// Each endpoint considered and why it was not used (empty for unknown names and
    /// `LU_IN_USE`).
    pub fn tried(&self) -> &[Tried] {
        match self {
            PoolError::Unavailable { tried, .. }
            | PoolError::Full { tried, .. }
            | PoolError::LuPoolExhausted { tried, .. } => tried,
            PoolError::UnknownEndpoint(_) | PoolError::LuInUse { .. } => &[],
        }
    }

    /// One line for a terminal screen, without the list of what was tried.
    pub fn summary(&self) -> String {
        match self {
            PoolError::UnknownEndpoint(_) | PoolError::LuInUse { .. } => self.to_string(),
            PoolError::Unavailable { .. } => "No endpoint is available.".into(),
            PoolError::Full { .. } => "Every endpoint serves its maximum of sessions.".into(),
            PoolError::LuPoolExhausted { .. } => "Every LU is in use.".into(),
        }
    }

    /// `ENDPOINT_UNKNOWN`, `ENDPOINT_UNAVAILABLE`, `SESSION_LIMIT`, `LU_POOL_EXHAUSTED`,
    /// `LU_IN_USE`.
    pub fn code(&self) -> &'static str {
        match self {
            PoolError::UnknownEndpoint(_) => "ENDPOINT_UNKNOWN",
            PoolError::Unavailable { .. } => "ENDPOINT_UNAVAILABLE",
            PoolError::Full { .. } => "SESSION_LIMIT",
            PoolError::LuPoolExhausted { .. } => "LU_POOL_EXHAUSTED",
            PoolError::LuInUse { .. } => "LU_IN_USE",
        }
    }
}

fn tried_list(tried: &[Tried]) -> String {
    if tried.is_empty() {
        return "no endpoint to try".into();
    }
    tried
        .iter()
        .map(|t| format!("{}: {} ({})", t.endpoint, t.code, t.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl std::fmt::Display for PoolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PoolError::UnknownEndpoint(Some(n)) => write!(f, "no endpoint or pool is called {n:?}"),
            PoolError::UnknownEndpoint(None) => write!(f, "no endpoint is configured"),
            PoolError::Unavailable { scope, tried } => write!(
                f,
                "no endpoint of {} is available; tried {}",
                scope.describe(),
                tried_list(tried)
            ),
            PoolError::Full { scope, tried } => write!(
                f,
                "every endpoint of {} serves its maximum of sessions; tried {}",
                scope.describe(),
                tried_list(tried)
            ),
            PoolError::LuPoolExhausted { scope, tried } => write!(
                f,
                "every LU of {} is in use; tried {}",
                scope.describe(),
                tried_list(tried)
            ),
            PoolError::LuInUse { endpoint, lu } => {
                write!(
                    f,
                    "LU {lu} of endpoint {endpoint:?} is in use by another session"
                )
            }
        }
    }
}

impl std::error::Error for PoolError {}

/// A connected session: the upstream, the lease to hold for the session's life, the
/// endpoint used and the ones tried before it.
#[derive(Debug)]
pub struct Connected {
    /// The negotiated host connection.
    pub upstream: Upstream,
    /// Hold it while the session lives (counts the session, holds the LU).
    pub lease: Lease,
    /// The endpoint connected to.
    pub endpoint: EndpointState,
    /// Endpoints tried first that failed (failover), in order.
    pub failed_over: Vec<Tried>,
}

/// Why an endpoint could not be added at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddError {
    /// The endpoint breaks a configuration rule (message names the key).
    Invalid(String),
    /// An endpoint or pool already has that name.
    Duplicate(String),
    /// [`MAX_ENDPOINTS`] reached.
    TooMany,
}

impl std::fmt::Display for AddError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AddError::Invalid(m) => f.write_str(m),
            AddError::Duplicate(n) => write!(f, "an endpoint or pool is already called {n:?}"),
            AddError::TooMany => write!(f, "the bridge already has {MAX_ENDPOINTS} endpoints"),
        }
    }
}

impl std::error::Error for AddError {}

/// One member of a priority group, as the balancer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member<'a> {
    /// The endpoint's name.
    pub name: &'a str,
    /// Its `weight`.
    pub weight: u32,
    /// Its live sessions.
    pub active: usize,
}

/// The strategies' memory: round-robin positions and smooth-weighted current weights, per
/// scope and priority. Bounded: one entry per (scope, priority) and per (scope, endpoint);
/// scopes and endpoints are bounded by [`MAX_ENDPOINTS`].
#[derive(Debug, Default)]
pub struct Balancer {
    next: HashMap<(String, u32), u64>,
    current: HashMap<(String, String), i64>,
}

impl Balancer {
    /// The order in which to try `members` (one priority group of scope `key`): indices into
    /// `members`, the strategy's pick first, every member exactly once.
    ///
    /// - `round_robin`: a rotation that moves on by one per call.
    /// - `weighted`: smooth weighted round robin (each member's current weight grows by its
    ///   weight, the largest is picked and lowered by the total), so weights 3:1 give
    ///   A A B A per 4 picks; then the others by current weight.
    /// - `least_conn`: fewest live sessions first; ties in round-robin rotation.
    pub fn order(
        &mut self,
        strategy: Strategy,
        key: &str,
        priority: u32,
        members: &[Member<'_>],
    ) -> Vec<usize> {
        let n = members.len();
        if n == 0 {
            return Vec::new();
        }
        let rotation = |next: &mut HashMap<(String, u32), u64>| {
            let slot = next.entry((key.to_owned(), priority)).or_insert(0);
            let start = (*slot % n as u64) as usize;
            *slot = slot.wrapping_add(1);
            (0..n).map(move |i| (start + i) % n).collect::<Vec<_>>()
        };
        match strategy {
            Strategy::RoundRobin => rotation(&mut self.next),
            Strategy::LeastConn => {
                let mut order = rotation(&mut self.next);
                order.sort_by_key(|&i| members.get(i).map_or(usize::MAX, |m| m.active));
                order
            }
            Strategy::Weighted => {
                let total: i64 = members.iter().map(|m| i64::from(m.weight)).sum();
                let mut cw: Vec<i64> = members
                    .iter()
                    .map(|m| {
                        let c = self
                            .current
                            .entry((key.to_owned(), m.name.to_owned()))
                            .or_insert(0);
                        *c = c.saturating_add(i64::from(m.weight));
                        *c
                    })
                    .collect();
                let mut best = 0;
                for (i, &c) in cw.iter().enumerate() {
                    if c > cw.get(best).copied().unwrap_or(i64::MIN) {
                        best = i;
                    }
                }
                if let Some(m) = members.get(best) {
                    if let Some(c) = self.current.get_mut(&(key.to_owned(), m.name.to_owned())) {
                        *c = c.saturating_sub(total);
                    }
                }
                if let Some(c) = cw.get_mut(best) {
                    *c = i64::MAX;
                }
                let mut order: Vec<usize> = (0..n).collect();
                // Stable: equal weights keep the configuration order.
                order.sort_by_key(|&i| std::cmp::Reverse(cw.get(i).copied().unwrap_or(0)));
                order
            }
        }
    }
}

/// The endpoints of this bridge and their live state.
#[derive(Debug)]
pub struct Pool {
    strategy: Strategy,
    interval: Duration,
    timeout: Duration,
    endpoints: RwLock<Arc<Vec<EndpointState>>>,
    balancer: Mutex<Balancer>,
    checks: Mutex<Vec<JoinHandle<()>>>,
    stop: Mutex<Option<watch::Receiver<bool>>>,
    failovers: AtomicU64,
    /// `sessions.connection_pool_size`: places to open connections, and their number.
    opening: Option<(Arc<tokio::sync::Semaphore>, u32)>,
}

impl Pool {
    /// A pool over `endpoints` with the `load_balancer` settings. Health checks start with
    /// [`Pool::start_health_checks`].
    pub fn new(lb: &LoadBalancerConfig, endpoints: Vec<EndpointState>) -> Pool {
        Pool {
            strategy: lb.strategy,
            interval: lb.health_check_interval,
            timeout: lb.health_check_timeout,
            endpoints: RwLock::new(Arc::new(endpoints)),
            balancer: Mutex::new(Balancer::default()),
            checks: Mutex::new(Vec::new()),
            stop: Mutex::new(None),
            failovers: AtomicU64::new(0),
            opening: None,
        }
    }

    /// At most `size` upstream connections being opened at once (`None`: no bound); see the
    /// module doc.
    pub fn with_connection_pool_size(mut self, size: Option<u32>) -> Pool {
        self.opening = size.map(|n| {
            let places = usize::try_from(n.max(1)).unwrap_or(usize::MAX);
            (Arc::new(tokio::sync::Semaphore::new(places)), n.max(1))
        });
        self
    }

    /// A place to open one connection, waiting up to [`OPEN_QUEUE_WAIT`]: `Ok(None)` when
    /// unbounded, `Err(N)` when no place came in time.
    async fn open_place(&self) -> Result<Option<tokio::sync::OwnedSemaphorePermit>, u32> {
        let Some((places, n)) = &self.opening else {
            return Ok(None);
        };
        match tokio::time::timeout(OPEN_QUEUE_WAIT, places.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Some(permit)),
            // Never closed; a timeout is the only way here.
            Ok(Err(_)) | Err(_) => Err(*n),
        }
    }

    /// A pool without endpoints (default settings): every request is refused.
    pub fn empty() -> Pool {
        Pool::new(&LoadBalancerConfig::default(), Vec::new())
    }

    /// The strategy in use.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// `load_balancer.health_check_timeout`: the bound of one probe.
    pub fn health_check_timeout(&self) -> Duration {
        self.timeout
    }

    /// Sessions placed on another endpoint after a failed connect, since start (a counter for
    /// metrics).
    pub fn failovers_total(&self) -> u64 {
        self.failovers.load(Ordering::Relaxed)
    }

    /// The endpoints now (cheap: shared).
    pub fn snapshot(&self) -> Arc<Vec<EndpointState>> {
        match self.endpoints.read() {
            Ok(e) => e.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The endpoints now, in configuration order (runtime additions last). Each item shares
    /// its live state, so `status()` and `active_sessions()` read the present.
    pub fn iter(&self) -> std::vec::IntoIter<EndpointState> {
        self.snapshot().as_ref().clone().into_iter()
    }

    /// How many endpoints there are.
    pub fn len(&self) -> usize {
        self.snapshot().len()
    }

    /// Whether there is no endpoint.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The endpoint called `name` (exactly, else ignoring case).
    pub fn get(&self, name: &str) -> Option<EndpointState> {
        let eps = self.snapshot();
        let found = eps.iter().find(|e| e.config.name == name).or_else(|| {
            eps.iter()
                .find(|e| e.config.name.eq_ignore_ascii_case(name))
        });
        found.cloned()
    }

    /// Whether at least one endpoint is up (readiness).
    pub fn any_up(&self) -> bool {
        self.snapshot()
            .iter()
            .any(|e| e.health().status == Status::Up)
    }

    /// What `name` stands for: an endpoint (exact name, then ignoring case), else a pool,
    /// else [`PoolError::UnknownEndpoint`]; `None` or empty: every endpoint (refused when
    /// there is none).
    pub fn resolve(&self, name: Option<&str>) -> Result<Scope, PoolError> {
        let eps = self.snapshot();
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        let Some(name) = name else {
            return if eps.is_empty() {
                Err(PoolError::UnknownEndpoint(None))
            } else {
                Ok(Scope::All)
            };
        };
        if let Some(e) = eps.iter().find(|e| e.config.name == name) {
            return Ok(Scope::Endpoint(e.config.name.clone()));
        }
        let pool_named = |exact: bool| {
            eps.iter().find_map(|e| {
                e.config.pool.as_deref().filter(|p| {
                    if exact {
                        *p == name
                    } else {
                        p.eq_ignore_ascii_case(name)
                    }
                })
            })
        };
        if let Some(p) = pool_named(true) {
            return Ok(Scope::Pool(p.to_owned()));
        }
        if let Some(e) = eps
            .iter()
            .find(|e| e.config.name.eq_ignore_ascii_case(name))
        {
            return Ok(Scope::Endpoint(e.config.name.clone()));
        }
        if let Some(p) = pool_named(false) {
            return Ok(Scope::Pool(p.to_owned()));
        }
        Err(PoolError::UnknownEndpoint(Some(name.to_owned())))
    }

    /// The usable members of `scope` in the order to try them, and the unusable ones (as
    /// [`Tried`] entries, `ENDPOINT_DOWN`).
    fn plan(&self, scope: &Scope) -> (Vec<EndpointState>, Vec<Tried>) {
        let eps = self.snapshot();
        let mut tiers: BTreeMap<u32, Vec<&EndpointState>> = BTreeMap::new();
        let mut down = Vec::new();
        for e in eps.iter().filter(|e| scope.contains(e)) {
            let h = e.health();
            if h.usable() {
                tiers.entry(e.config.priority).or_default().push(e);
            } else {
                down.push(Tried {
                    endpoint: e.config.name.clone(),
                    code: "ENDPOINT_DOWN",
                    message: match (h.suspect, h.last_error, h.status) {
                        (true, Some(code), Status::Up) => {
                            format!("suspect after a failed connect ({code})")
                        }
                        (_, Some(code), _) => format!("{} ({code})", h.status.as_str()),
                        _ => h.status.as_str().to_owned(),
                    },
                });
            }
        }
        let mut order = Vec::new();
        let Ok(mut balancer) = self.balancer.lock() else {
            return (order, down);
        };
        for (priority, tier) in tiers {
            let members: Vec<Member<'_>> = tier
                .iter()
                .map(|e| Member {
                    name: &e.config.name,
                    weight: e.config.weight,
                    active: e.active_sessions(),
                })
                .collect();
            for i in balancer.order(self.strategy, scope.key(), priority, &members) {
                if let Some(e) = tier.get(i) {
                    order.push((*e).clone());
                }
            }
        }
        (order, down)
    }

    /// Chooses an endpoint for `request`, connects with the options `make_options` gives
    /// for it (the pool sets the LU), and fails over as the module doc says.
    pub async fn connect<F>(
        &self,
        request: PoolRequest<'_>,
        make_options: F,
    ) -> Result<Connected, PoolError>
    where
        F: Fn(&EndpointState) -> Result<UpstreamOptions, UpstreamError>,
    {
        let scope = self.resolve(request.target)?;
        let (order, mut tried) = self.plan(&scope);
        let mut full = false;
        let mut lu_exhausted = false;
        let mut failed = false;
        for endpoint in order {
            let name = endpoint.config.name.clone();
            let mut rejected: Vec<String> = Vec::new();
            loop {
                let lease = match Lease::acquire(&endpoint, request.lu, &rejected) {
                    Ok(lease) => lease,
                    Err(NoLease::Full(max)) => {
                        full = true;
                        tried.push(Tried {
                            endpoint: name.clone(),
                            code: "SESSION_LIMIT",
                            message: format!("serves its maximum of {max} sessions"),
                        });
                        break;
                    }
                    Err(NoLease::LuExhausted) => {
                        lu_exhausted = true;
                        tried.push(Tried {
                            endpoint: name.clone(),
                            code: "LU_POOL_EXHAUSTED",
                            message: lu_message(&endpoint, &rejected),
                        });
                        break;
                    }
                    Err(NoLease::LuInUse(lu)) => {
                        return Err(PoolError::LuInUse { endpoint: name, lu });
                    }
                };
                let mut options = match make_options(&endpoint) {
                    Ok(o) => o,
                    Err(e) => {
                        failed = true;
                        tried.push(Tried {
                            endpoint: name.clone(),
                            code: e.code(),
                            message: e.to_string(),
                        });
                        break;
                    }
                };
                let pooled_lu = request.lu.is_none() && lease.lu().is_some();
                if let Some(lu) = lease.lu() {
                    options.lu = Some(lu.to_owned());
                }
                let place = match self.open_place().await {
                    Ok(place) => place,
                    Err(n) => {
                        tracing::warn!(endpoint = %name, connection_pool_size = n,
                            code = "CONNECTION_POOL_FULL", "no place to open a connection in time");
                        tried.push(Tried {
                            endpoint: name,
                            code: "CONNECTION_POOL_FULL",
                            message: format!(
                                "waited {} s for one of the {n} places to open a connection \
                                 (sessions.connection_pool_size)",
                                OPEN_QUEUE_WAIT.as_secs()
                            ),
                        });
                        return Err(PoolError::Full { scope, tried });
                    }
                };
                let result = Upstream::connect(&endpoint.dial_target(), options).await;
                drop(place);
                let lu_rejected = match &result {
                    Ok(up) => up.info().device_rejected.is_some(),
                    Err(UpstreamError::ClosedDuringNegotiation { .. }) => true,
                    Err(_) => false,
                };
                if pooled_lu && lu_rejected {
                    let lu = lease.lu().unwrap_or_default().to_owned();
                    tracing::info!(endpoint = %name, %lu, "host rejected the LU; trying the next");
                    endpoint.live.note_rejected(&lu);
                    rejected.push(lu);
                    drop(result);
                    drop(lease);
                    if rejected.len() < MAX_LU_ATTEMPTS {
                        continue;
                    }
                    lu_exhausted = true;
                    tried.push(Tried {
                        endpoint: name.clone(),
                        code: "LU_POOL_EXHAUSTED",
                        message: lu_message(&endpoint, &rejected),
                    });
                    break;
                }
                match result {
                    Ok(upstream) => {
                        endpoint.live.update_health(Health::session_ok);
                        if let Some(lu) = lease.lu() {
                            endpoint.live.note_accepted(lu);
                        }
                        if tried.iter().any(|t| t.code != "ENDPOINT_DOWN") {
                            self.failovers.fetch_add(1, Ordering::Relaxed);
                        }
                        if !tried.is_empty() {
                            tracing::info!(endpoint = %name, skipped = %tried_list(&tried),
                                "session placed after failover");
                        }
                        return Ok(Connected {
                            upstream,
                            lease,
                            endpoint,
                            failed_over: tried,
                        });
                    }
                    Err(e) => {
                        failed = true;
                        crate::metrics::upstream_connect_failure(&name, e.code());
                        if e.is_host_failure() {
                            let (code, message) = (e.code(), e.to_string());
                            endpoint
                                .live
                                .update_health(|h| h.session_failed(code, message));
                        }
                        tracing::warn!(endpoint = %name, code = e.code(), error = %e,
                            "session connect failed; failing over");
                        tried.push(Tried {
                            endpoint: name.clone(),
                            code: e.code(),
                            message: e.to_string(),
                        });
                        break;
                    }
                }
            }
        }
        Err(if lu_exhausted {
            PoolError::LuPoolExhausted { scope, tried }
        } else if full && !failed {
            PoolError::Full { scope, tried }
        } else {
            PoolError::Unavailable { scope, tried }
        })
    }

    /// Starts one health-check task per remote endpoint (and for each one added later),
    /// stopped when `stop` turns true.
    pub fn start_health_checks(&self, stop: watch::Receiver<bool>) {
        for e in self.snapshot().iter() {
            health::spawn_checks(e, self.interval, self.timeout, &stop, &self.checks);
        }
        if let Ok(mut s) = self.stop.lock() {
            *s = Some(stop);
        }
    }

    /// Waits for the health-check tasks to end (after the stop signal).
    pub async fn join_health_checks(&self) {
        let tasks = match self.checks.lock() {
            Ok(mut t) => std::mem::take(&mut *t),
            Err(_) => Vec::new(),
        };
        for t in tasks {
            let _ = t.await;
        }
    }

    /// Adds an endpoint at run time (`POST /api/v1/endpoints`): validated like the
    /// configuration, a unique name, health-checked from now on. Not persisted.
    pub fn add(&self, mut endpoint: Endpoint) -> Result<EndpointState, AddError> {
        if endpoint.builtin.is_some() {
            return Err(AddError::Invalid(
                "endpoint.builtin: not allowed at run time".into(),
            ));
        }
        crate::config::validate_endpoint(&mut endpoint, "endpoint")
            .map_err(|e| AddError::Invalid(e.to_string()))?;
        let mut guard = match self.endpoints.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let clash = |n: &str| {
            guard.iter().any(|e| {
                e.config.name.eq_ignore_ascii_case(n)
                    || e.config
                        .pool
                        .as_deref()
                        .is_some_and(|p| p.eq_ignore_ascii_case(n))
            })
        };
        if clash(&endpoint.name) {
            return Err(AddError::Duplicate(endpoint.name));
        }
        if let Some(p) = &endpoint.pool {
            if guard.iter().any(|e| e.config.name.eq_ignore_ascii_case(p)) {
                return Err(AddError::Duplicate(p.clone()));
            }
        }
        if guard.len() >= MAX_ENDPOINTS {
            return Err(AddError::TooMany);
        }
        let state = EndpointState::new(endpoint, None);
        let mut next = guard.as_ref().clone();
        next.push(state.clone());
        *guard = Arc::new(next);
        drop(guard);
        if let Ok(stop) = self.stop.lock() {
            if let Some(stop) = stop.as_ref() {
                health::spawn_checks(&state, self.interval, self.timeout, stop, &self.checks);
            }
        }
        tracing::info!(endpoint = %state.config.name, host = %state.config.host,
            port = state.config.effective_port(), "endpoint added at run time");
        Ok(state)
    }
}

fn lu_message(endpoint: &EndpointState, rejected: &[String]) -> String {
    let total = endpoint.config.lu_names.len();
    if rejected.is_empty() {
        format!("all {total} LUs in use")
    } else {
        format!(
            "all {total} LUs in use or rejected by the host ({})",
            rejected.join(", ")
        )
    }
}

#[cfg(test)]
mod tests;
