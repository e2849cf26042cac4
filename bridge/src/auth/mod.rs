//! Authentication of `web3270 serve` (`authentication:` section; `docs/SECURITY.md`).
//!
//! Who may use `/api/v1/*` and the websocket:
//! - `type: bearer` — `Authorization: Bearer <authentication.token>` (RFC 6750 §2.1),
//!   compared in constant time; the principal's user is [`BEARER_USER`].
//! - `type: basic` — `Authorization: Basic base64(user:password)` (RFC 7617) against
//!   `authentication.users` (plain secrets or PBKDF2 hashes, [`password`]).
//! - Either type: a **ticket** from `POST /api/v1/auth/ticket` (authenticated with the above),
//!   valid for `token_expire_seconds`, usable as `Authorization: Bearer <ticket>` and in the
//!   websocket's `hello` (`"auth":{"ticket":...}`), revocable with `DELETE`. A browser keeps
//!   the ticket, not the password.
//!
//! Credentials are read from the `Authorization` header or the websocket `hello` only — never
//! from the URL query. Every failure is logged (never the secret), audited
//! (`authentication_failed`) and counted by [`damper`]; a damped client is refused without its
//! credentials being checked.
//!
//! Owns: credential parsing and checking, tickets (bounded: [`MAX_TICKETS`]), damping, the
//! HTTP guard and routes ([`http`]), the HTTPS requirement. Does not own: the audit log
//! ([`crate::audit`]), TLS listeners (they mark requests as TLS, see [`http::arrived_over_tls`]).

pub mod damper;
pub mod http;
pub mod password;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use serde::Deserialize;
use serde_json::json;

use crate::audit::{AuditLog, EventType};
use crate::config::{AuthConfig, AuthType};
use password::StoredPassword;

/// The user name of a principal authenticated with the shared bearer token.
pub const BEARER_USER: &str = "bearer";
/// Most live tickets; issuing one more first drops expired ones, then the one expiring soonest.
pub const MAX_TICKETS: usize = 10_000;
/// Bytes of randomness in a ticket.
const TICKET_BYTES: usize = 32;
/// The environment variable listing extra trusted proxies (comma-separated IPs or CIDRs).
pub const TRUSTED_PROXIES_ENV: &str = "WEB3270_TRUSTED_PROXIES";

/// Who opened a session, for audit and per-user limits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller {
    /// The authenticated user (`None` with authentication off).
    pub user: Option<String>,
    /// The client's address.
    pub client: Option<SocketAddr>,
    /// `websocket`, `rest` or `native`.
    pub channel: &'static str,
}

/// An authenticated identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user ([`BEARER_USER`] for the shared token; the ticket's user for a ticket).
    pub user: String,
    /// How: `bearer`, `basic` or `ticket`.
    pub method: &'static str,
}

/// Credentials as presented.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// `Authorization: Bearer X` or hello `"token"`: the token, or a ticket.
    Bearer(String),
    /// `Authorization: Basic` or hello `"user"`/`"password"`.
    Basic {
        /// User name.
        user: String,
        /// Password.
        password: String,
    },
    /// Hello `"ticket"`.
    Ticket(String),
    /// An `Authorization` header that could not be read (unknown scheme, bad base64, no
    /// colon): always refused, and counted like wrong credentials.
    Malformed,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Bearer(_) => f.write_str("Bearer(********)"),
            Credentials::Basic { user, .. } => write!(f, "Basic({user}, ********)"),
            Credentials::Ticket(_) => f.write_str("Ticket(********)"),
            Credentials::Malformed => f.write_str("Malformed"),
        }
    }
}

impl Credentials {
    /// The method name for logs and audit (`bearer`, `basic`, `ticket`).
    pub fn method(&self) -> &'static str {
        match self {
            Credentials::Bearer(_) => "bearer",
            Credentials::Basic { .. } => "basic",
            Credentials::Ticket(_) => "ticket",
            Credentials::Malformed => "malformed",
        }
    }
}

/// The websocket `hello`'s `auth` object: `{"token"}`, `{"user","password"}` or
/// `{"ticket"}`.
#[derive(Clone, Default, Deserialize)]
pub struct HelloAuth {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    ticket: Option<String>,
}

impl std::fmt::Debug for HelloAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HelloAuth")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl HelloAuth {
    /// The credentials it carries (a ticket first, then a token, then user and password).
    pub fn credentials(&self) -> Option<Credentials> {
        if let Some(t) = &self.ticket {
            return Some(Credentials::Ticket(t.clone()));
        }
        if let Some(t) = &self.token {
            return Some(Credentials::Bearer(t.clone()));
        }
        match (&self.user, &self.password) {
            (Some(user), Some(password)) => Some(Credentials::Basic {
                user: user.clone(),
                password: password.clone(),
            }),
            _ => None,
        }
    }
}

/// Why credentials were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// None were presented.
    Missing,
    /// They were wrong, expired, or of a kind this configuration does not accept.
    Invalid,
    /// The client is damped; retry after this long.
    Locked(Duration),
}

impl AuthError {
    /// `missing`, `invalid`, `locked`.
    pub fn reason(self) -> &'static str {
        match self {
            AuthError::Missing => "missing",
            AuthError::Invalid => "invalid",
            AuthError::Locked(_) => "locked",
        }
    }

    /// A message for the client.
    pub fn message(self) -> String {
        match self {
            AuthError::Missing => "authentication required".into(),
            AuthError::Invalid => "invalid credentials".into(),
            AuthError::Locked(d) => format!(
                "too many failed attempts from this address; retry in {} s",
                d.as_secs().max(1)
            ),
        }
    }
}

/// A ticket as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedTicket {
    /// The ticket (64 hex digits).
    pub ticket: String,
    /// Its user.
    pub user: String,
    /// Lifetime.
    pub expires_in: Duration,
    /// Expiry as wall-clock time.
    pub expires_at: SystemTime,
}

#[derive(Debug)]
struct Ticket {
    user: String,
    expires: Instant,
}

/// The authentication state of a bridge. `Debug` shows no secret and no digest of one.
pub struct Auth {
    enabled: bool,
    kind: AuthType,
    token: Option<[u8; 32]>,
    users: Vec<(String, StoredPassword)>,
    ticket_ttl: Duration,
    require_https: bool,
    trusted: Vec<(IpAddr, u8)>,
    /// SHA-256(ticket) → ticket (the tickets themselves are not kept).
    tickets: Mutex<HashMap<[u8; 32], Ticket>>,
    damper: Mutex<damper::Damper>,
    audit: AuditLog,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("enabled", &self.enabled)
            .field("kind", &self.kind)
            .field("users", &self.users.len())
            .field("ticket_ttl", &self.ticket_ttl)
            .field("require_https", &self.require_https)
            .field("trusted", &self.trusted)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// From `authentication:` (already validated by `config`); extra trusted proxies from
    /// [`TRUSTED_PROXIES_ENV`]. A bad password hash or proxy list is an error.
    pub fn from_config(config: &AuthConfig, audit: AuditLog) -> Result<Auth, String> {
        let proxies = std::env::var(TRUSTED_PROXIES_ENV).unwrap_or_default();
        Auth::with_trusted_proxies(config, audit, &proxies)
    }

    /// [`Auth::from_config`] with the trusted proxy list given (`"10.0.0.0/8, 192.0.2.1"`).
    pub fn with_trusted_proxies(
        config: &AuthConfig,
        audit: AuditLog,
        proxies: &str,
    ) -> Result<Auth, String> {
        let mut users = Vec::with_capacity(config.users.len());
        for (i, u) in config.users.iter().enumerate() {
            let p = StoredPassword::parse(u.password.expose())
                .map_err(|e| format!("authentication.users[{i}].password: {e}"))?;
            users.push((u.name.clone(), p));
        }
        let mut trusted = vec![
            (IpAddr::from([127, 0, 0, 0]), 8),
            (IpAddr::from(std::net::Ipv6Addr::LOCALHOST), 128),
        ];
        for item in proxies.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            trusted.push(
                parse_cidr(item).ok_or(format!("{TRUSTED_PROXIES_ENV}: bad entry {item:?}"))?,
            );
        }
        Ok(Auth {
            enabled: config.enabled && config.kind != AuthType::None,
            kind: config.kind,
            token: config
                .token
                .as_ref()
                .map(|t| password::digest(t.expose().as_bytes())),
            users,
            ticket_ttl: config.token_expire_seconds,
            require_https: config.require_https,
            trusted,
            tickets: Mutex::new(HashMap::new()),
            damper: Mutex::new(damper::Damper::default()),
            audit,
        })
    }

    /// Whether credentials are required.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The configured type.
    pub fn kind(&self) -> AuthType {
        self.kind
    }

    /// Whether plain-HTTP requests are refused.
    pub fn require_https(&self) -> bool {
        self.require_https
    }

    /// Lifetime of tickets.
    pub fn ticket_ttl(&self) -> Duration {
        self.ticket_ttl
    }

    /// Whether `ip` is a trusted proxy (loopback always is).
    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.trusted.iter().any(|&(net, len)| in_net(ip, net, len))
    }

    /// Checks credentials from `client` (`endpoint`: the path or `/ws`, for the audit).
    /// Failures are logged, audited and damped; a damped client is refused at once.
    pub fn authenticate(
        &self,
        credentials: Option<&Credentials>,
        client: Option<SocketAddr>,
        endpoint: &str,
    ) -> Result<Principal, AuthError> {
        let ip = client.map(|c| c.ip());
        let now = Instant::now();
        if let Some(ip) = ip {
            if let Some((left, n)) = self.damper.lock().ok().and_then(|mut d| d.refuse(ip, now)) {
                let e = AuthError::Locked(left);
                // The 1st, 2nd, 4th, 8th... refusal of a lockout is logged and audited.
                if n.is_power_of_two() {
                    self.failed(e, credentials, client, endpoint);
                }
                return Err(e);
            }
        }
        let result = match credentials {
            None => Err(AuthError::Missing),
            Some(c) => self.check(c, now).ok_or(AuthError::Invalid),
        };
        match &result {
            Ok(_) => {
                if let (Some(ip), Ok(mut d)) = (ip, self.damper.lock()) {
                    d.success(ip);
                }
            }
            Err(e) => {
                if let (Some(ip), Ok(mut d)) = (ip, self.damper.lock()) {
                    if d.failure(ip, now) {
                        tracing::warn!(client = %ip, lockout_seconds = damper::LOCKOUT.as_secs(),
                            "authentication: client locked out after repeated failures");
                    }
                }
                self.failed(*e, credentials, client, endpoint);
            }
        }
        result
    }

    fn failed(
        &self,
        e: AuthError,
        credentials: Option<&Credentials>,
        client: Option<SocketAddr>,
        endpoint: &str,
    ) {
        let method = credentials.map(Credentials::method);
        let user = match credentials {
            Some(Credentials::Basic { user, .. }) => Some(user.as_str()),
            _ => None,
        };
        tracing::warn!(client = ?client, endpoint, reason = e.reason(), method = ?method, user = ?user,
            "authentication failed");
        self.audit.record(
            AuditLog::event(EventType::AuthenticationFailed)
                .user(user)
                .client(client)
                .endpoint(endpoint)
                .details(json!({"reason": e.reason(), "method": method})),
        );
    }

    /// Audits a success (ticket issued, websocket admitted).
    pub fn audit_success(&self, p: &Principal, client: Option<SocketAddr>, endpoint: &str) {
        self.audit.record(
            AuditLog::event(EventType::AuthenticationSuccess)
                .user(Some(&p.user))
                .client(client)
                .endpoint(endpoint)
                .details(json!({"method": p.method})),
        );
    }

    fn check(&self, c: &Credentials, now: Instant) -> Option<Principal> {
        match c {
            Credentials::Bearer(t) => {
                let d = password::digest(t.as_bytes());
                let token_ok = self.kind == AuthType::Bearer
                    && self.token.is_some_and(|tok| password::ct_eq(&tok, &d));
                if token_ok {
                    return Some(Principal {
                        user: BEARER_USER.into(),
                        method: "bearer",
                    });
                }
                self.ticket_user(&d, now)
            }
            Credentials::Ticket(t) => self.ticket_user(&password::digest(t.as_bytes()), now),
            Credentials::Malformed => None,
            Credentials::Basic { user, password } => {
                if self.kind != AuthType::Basic {
                    return None;
                }
                // Compare every name (no early exit), then verify exactly one password: the
                // account's, or for an unknown name the first account's with the result
                // discarded — one (possibly costly PBKDF2) verification either way, so the
                // time does not tell whether the name exists.
                let mut found = None;
                for (i, (name, _)) in self.users.iter().enumerate() {
                    if password::secrets_equal(name, user) {
                        found = Some(i);
                    }
                }
                let index = found.unwrap_or(0);
                let (name, stored) = self.users.get(index)?;
                let password_ok = stored.verify(password);
                (found.is_some() && password_ok).then(|| Principal {
                    user: name.clone(),
                    method: "basic",
                })
            }
        }
    }

    fn ticket_user(&self, digest: &[u8; 32], now: Instant) -> Option<Principal> {
        let mut tickets = self.tickets.lock().ok()?;
        match tickets.get(digest) {
            Some(t) if t.expires > now => Some(Principal {
                user: t.user.clone(),
                method: "ticket",
            }),
            Some(_) => {
                tickets.remove(digest);
                None
            }
            None => None,
        }
    }

    /// Issues a ticket for `p` (valid for `token_expire_seconds`); `None` without
    /// randomness.
    pub fn issue_ticket(&self, p: &Principal) -> Option<IssuedTicket> {
        let ticket = random_hex_n(TICKET_BYTES)?;
        let now = Instant::now();
        let mut tickets = self.tickets.lock().ok()?;
        if tickets.len() >= MAX_TICKETS {
            tickets.retain(|_, t| t.expires > now);
            if tickets.len() >= MAX_TICKETS {
                if let Some(k) = tickets
                    .iter()
                    .min_by_key(|(_, t)| t.expires)
                    .map(|(k, _)| *k)
                {
                    tickets.remove(&k);
                }
            }
        }
        tickets.insert(
            password::digest(ticket.as_bytes()),
            Ticket {
                user: p.user.clone(),
                expires: now + self.ticket_ttl,
            },
        );
        Some(IssuedTicket {
            ticket,
            user: p.user.clone(),
            expires_in: self.ticket_ttl,
            expires_at: SystemTime::now() + self.ticket_ttl,
        })
    }

    /// Revokes a ticket; false if it was not live.
    pub fn revoke_ticket(&self, ticket: &str) -> bool {
        self.tickets
            .lock()
            .map(|mut t| t.remove(&password::digest(ticket.as_bytes())).is_some())
            .unwrap_or(false)
    }
}

/// `n` bytes from the OS CSPRNG as lowercase hex.
fn random_hex_n(n: usize) -> Option<String> {
    use ring::rand::SecureRandom;
    let mut bytes = vec![0u8; n];
    ring::rand::SystemRandom::new().fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// 16 random bytes as hex (ids).
pub fn random_hex() -> Option<String> {
    random_hex_n(16)
}

/// An IPv4-mapped IPv6 address as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or `v6/n`.
fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, len) = match s.split_once('/') {
        Some((a, l)) => (a.parse::<IpAddr>().ok()?, Some(l.parse::<u8>().ok()?)),
        None => (s.parse::<IpAddr>().ok()?, None),
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len = len.unwrap_or(max);
    (len <= max).then_some((canonical(addr), len))
}

fn in_net(ip: IpAddr, net: IpAddr, len: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{BasicUser, Secret};

    fn bearer(token: &str) -> Auth {
        let config = AuthConfig {
            enabled: true,
            kind: AuthType::Bearer,
            token: Some(Secret::new(token)),
            ..AuthConfig::default()
        };
        Auth::with_trusted_proxies(&config, AuditLog::disabled(), "").unwrap()
    }

    fn client() -> Option<SocketAddr> {
        Some("192.0.2.1:5000".parse().unwrap())
    }

    #[test]
    fn bearer_token_tickets_and_revocation() {
        let a = bearer("t0ken");
        let ok = a
            .authenticate(Some(&Credentials::Bearer("t0ken".into())), client(), "/x")
            .unwrap();
        assert_eq!(
            ok,
            Principal {
                user: BEARER_USER.into(),
                method: "bearer"
            }
        );
        assert_eq!(
            a.authenticate(None, client(), "/x"),
            Err(AuthError::Missing)
        );
        for wrong in ["t0ke", "t0ken ", "T0KEN", ""] {
            assert_eq!(
                a.authenticate(Some(&Credentials::Bearer(wrong.into())), client(), "/x"),
                Err(AuthError::Invalid)
            );
        }
        // Basic credentials are not accepted in bearer mode.
        let basic = Credentials::Basic {
            user: "bearer".into(),
            password: "t0ken".into(),
        };
        assert_eq!(
            a.authenticate(Some(&basic), client(), "/x"),
            Err(AuthError::Invalid)
        );
        let t = a.issue_ticket(&ok).unwrap();
        assert_eq!(t.ticket.len(), 64);
        for c in [
            Credentials::Ticket(t.ticket.clone()),
            Credentials::Bearer(t.ticket.clone()),
        ] {
            assert_eq!(
                a.authenticate(Some(&c), client(), "/x").unwrap().method,
                "ticket"
            );
        }
        assert!(a.revoke_ticket(&t.ticket));
        assert!(!a.revoke_ticket(&t.ticket));
        assert_eq!(
            a.authenticate(Some(&Credentials::Ticket(t.ticket)), client(), "/x"),
            Err(AuthError::Invalid)
        );
    }

    #[test]
    fn debug_output_holds_no_secret() {
        let a = bearer("t0ken-xyz");
        let shown = format!("{a:?}");
        let digest: String = password::digest(b"t0ken-xyz")
            .iter()
            .map(|b| format!("{b}"))
            .collect::<Vec<_>>()
            .join(", ");
        assert!(
            !shown.contains("t0ken") && !shown.contains(&digest),
            "{shown}"
        );
        let c = Credentials::Basic {
            user: "u".into(),
            password: "pw-123".into(),
        };
        assert!(!format!("{c:?}").contains("pw-123"));
    }

    #[test]
    fn expired_tickets_are_refused() {
        let config = AuthConfig {
            enabled: true,
            kind: AuthType::Bearer,
            token: Some(Secret::new("x")),
            token_expire_seconds: Duration::ZERO,
            ..AuthConfig::default()
        };
        let a = Auth::with_trusted_proxies(&config, AuditLog::disabled(), "").unwrap();
        let p = Principal {
            user: "u".into(),
            method: "bearer",
        };
        let t = a.issue_ticket(&p).unwrap();
        assert_eq!(
            a.authenticate(Some(&Credentials::Ticket(t.ticket)), client(), "/x"),
            Err(AuthError::Invalid)
        );
    }

    #[test]
    fn basic_users_and_lockout() {
        let config = AuthConfig {
            enabled: true,
            kind: AuthType::Basic,
            users: vec![
                BasicUser {
                    name: "alice".into(),
                    password: Secret::new("wonder"),
                },
                BasicUser {
                    name: "bob".into(),
                    password: Secret::new("builder"),
                },
            ],
            ..AuthConfig::default()
        };
        let a = Auth::with_trusted_proxies(&config, AuditLog::disabled(), "").unwrap();
        let basic = |u: &str, p: &str| Credentials::Basic {
            user: u.into(),
            password: p.into(),
        };
        assert_eq!(
            a.authenticate(Some(&basic("bob", "builder")), client(), "/x")
                .unwrap()
                .user,
            "bob"
        );
        assert!(a
            .authenticate(Some(&basic("alice", "builder")), client(), "/x")
            .is_err());
        assert!(a
            .authenticate(Some(&Credentials::Bearer("wonder".into())), client(), "/x")
            .is_err());
        // Nine more failures (ten in all) lock the client out, even with the right password.
        for _ in 0..damper::MAX_FAILURES - 2 {
            assert_eq!(
                a.authenticate(Some(&basic("alice", "x")), client(), "/x"),
                Err(AuthError::Invalid)
            );
        }
        assert!(matches!(
            a.authenticate(Some(&basic("alice", "wonder")), client(), "/x"),
            Err(AuthError::Locked(_))
        ));
        // Another client is not affected.
        let other = Some("192.0.2.2:1".parse().unwrap());
        assert_eq!(
            a.authenticate(Some(&basic("alice", "wonder")), other, "/x")
                .unwrap()
                .user,
            "alice"
        );
    }

    #[test]
    fn refusals_during_a_lockout_are_audited_sparsely() {
        let dir = std::env::temp_dir().join(format!("web3270-auth-sparse-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let audit_config = crate::config::AuditConfig {
            enabled: Some(true),
            log_path: Some(dir.join("audit.log")),
            ..Default::default()
        };
        let audit = AuditLog::start(&audit_config).unwrap();
        let config = AuthConfig {
            enabled: true,
            kind: AuthType::Bearer,
            token: Some(Secret::new("right")),
            ..AuthConfig::default()
        };
        let a = Auth::with_trusted_proxies(&config, audit.clone(), "").unwrap();
        let wrong = Credentials::Bearer("wrong".into());
        for _ in 0..damper::MAX_FAILURES {
            assert_eq!(
                a.authenticate(Some(&wrong), client(), "/x"),
                Err(AuthError::Invalid)
            );
        }
        for _ in 0..5 {
            assert!(matches!(
                a.authenticate(Some(&wrong), client(), "/x"),
                Err(AuthError::Locked(_))
            ));
        }
        // 10 failures, then the 1st, 2nd and 4th of 5 refusals.
        let expected = u64::from(damper::MAX_FAILURES) + 3;
        for _ in 0..500 {
            if audit.counters().written >= expected {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(audit.counters().written, expected);
        let locked = audit
            .query(&crate::audit::AuditQuery::default())
            .unwrap()
            .events
            .iter()
            .filter(|e| e.details["reason"] == "locked")
            .count();
        assert_eq!(locked, 3);
    }

    #[test]
    fn trusted_proxies() {
        let a = Auth::with_trusted_proxies(
            &AuthConfig::default(),
            AuditLog::disabled(),
            "10.0.0.0/8, 2001:db8::/32",
        )
        .unwrap();
        for ip in [
            "127.0.0.1",
            "127.9.9.9",
            "::1",
            "10.1.2.3",
            "::ffff:10.0.0.1",
            "2001:db8:1::5",
        ] {
            assert!(a.is_trusted_proxy(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["11.0.0.1", "192.0.2.1", "2001:db9::1"] {
            assert!(!a.is_trusted_proxy(ip.parse().unwrap()), "{ip}");
        }
        assert!(Auth::with_trusted_proxies(
            &AuthConfig::default(),
            AuditLog::disabled(),
            "10.0.0.0/33"
        )
        .is_err());
        assert!(Auth::with_trusted_proxies(
            &AuthConfig::default(),
            AuditLog::disabled(),
            "nonsense"
        )
        .is_err());
    }
}
