//! The typed configuration: one struct per section of `server.yaml`, with defaults.
//!
//! Owns: the shape of the file (every key of the deployment guide's `server.yaml`, see
//! `docs/CONFIG-REFERENCE.md`), the defaults of absent keys, and the masked rendering of
//! secrets. Does not own: reading files and the environment ([`super::load`]), cross-field
//! rules ([`super::validate`]).
//!
//! Unknown keys are refused (`deny_unknown_fields`) so that a misspelt key fails at start.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize, Serializer};

use super::scalar::{choice_enum, de_with, ser_with};

/// The whole bridge configuration: `server.yaml` with environment overrides applied.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Listeners: the TN3270 port, the HTTP port and the bind address.
    pub server: ServerConfig,
    /// Session limits and timeouts.
    pub sessions: SessionsConfig,
    /// Who may use the HTTP API and the web terminal.
    pub authentication: AuthConfig,
    /// Request rate limiting of the HTTP API.
    pub rate_limiting: RateLimitConfig,
    /// The audit log.
    pub audit: AuditConfig,
    /// Compliance policy and reporting.
    pub compliance: ComplianceConfig,
    /// How sessions are spread over endpoints and how endpoints are health-checked.
    pub load_balancer: LoadBalancerConfig,
    /// The TN3270 hosts sessions may connect to; nothing else is ever dialled.
    pub endpoints: Vec<Endpoint>,
    /// Server-side TLS of the bridge's own listeners.
    pub tls: TlsConfig,
    /// The server log.
    pub logging: LoggingConfig,
    /// Buffer and record size limits.
    pub buffers: BuffersConfig,
}

/// `server:` — the listeners.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// TN3270 port for native clients (x3270, s3270, PCOMM). Default 3270.
    #[serde(deserialize_with = "de_with::port")]
    pub port: u16,
    /// HTTP port: web terminal page, websocket, `/api/v1/*`, `/metrics`. Default 8080.
    #[serde(deserialize_with = "de_with::port")]
    pub api_port: u16,
    /// Address both listeners bind. Default 0.0.0.0 with a config file, 127.0.0.1 without.
    #[serde(deserialize_with = "de_with::ip_address")]
    pub bind_address: IpAddr,
    /// Origins (`https://portal.example.com`) whose pages may embed the terminal: frame
    /// `/static/embed.html` (CSP `frame-ancestors`, postMessage), import `/static/web3270.js`
    /// (CORS). Default none: same origin only. See docs/EMBEDDING.md and `server::assets`.
    pub embed_allowed_origins: Vec<String>,
    /// Extension: on SIGTERM/Ctrl-C, how long live sessions get to end cleanly (browsers
    /// told `SERVER_SHUTDOWN`, native clients shown a goodbye screen, hosts disconnected)
    /// before the rest are aborted. Default 10 s.
    #[serde(
        deserialize_with = "de_with::duration",
        serialize_with = "ser_with::duration"
    )]
    pub shutdown_grace_seconds: Duration,
}

/// `sessions:` — limits and timeouts of terminal sessions (browser and native alike).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionsConfig {
    /// Most concurrent sessions of this instance. Default 1000.
    #[serde(deserialize_with = "de_with::positive")]
    pub max_sessions: u32,
    /// Absolute session lifetime. Default 3600 s.
    #[serde(
        deserialize_with = "de_with::duration",
        serialize_with = "ser_with::duration"
    )]
    pub timeout_seconds: Duration,
    /// A session with no input or output for this long is ended. Default 600 s.
    #[serde(
        deserialize_with = "de_with::duration",
        serialize_with = "ser_with::duration"
    )]
    pub idle_timeout_seconds: Duration,
    /// Extension: how long a session whose browser disconnected waits for a resume before it
    /// is ended. Default 120 s.
    #[serde(
        deserialize_with = "de_with::duration",
        serialize_with = "ser_with::duration"
    )]
    pub detach_grace_seconds: Duration,
    /// Extension: most concurrent sessions of one authenticated user. Default: no limit.
    #[serde(
        deserialize_with = "de_with::opt_positive",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_sessions_per_user: Option<u32>,
    /// Most upstream TN3270 connections being opened at once over all endpoints
    /// (`ZIG3270_CONNECTION_POOL_SIZE`; `crate::pool`'s module doc). Default: no bound.
    #[serde(
        deserialize_with = "de_with::opt_positive",
        skip_serializing_if = "Option::is_none"
    )]
    pub connection_pool_size: Option<u32>,
}

choice_enum! {
    /// `authentication.type`.
    #[derive(Default)]
    AuthType {
        /// No credentials are asked for.
        #[default]
        None = "none",
        /// HTTP Basic against `authentication.users`.
        Basic = "basic",
        /// `Authorization: Bearer TOKEN` against `authentication.token`.
        Bearer = "bearer",
    }
}

/// `authentication:`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Whether requests must authenticate. Default false.
    #[serde(deserialize_with = "de_with::boolean")]
    pub enabled: bool,
    /// `none | basic | bearer`. Default none.
    #[serde(rename = "type")]
    pub kind: AuthType,
    /// The bearer token (usually `${AUTH_TOKEN}`). Masked when rendered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    /// Lifetime of a session token handed out after login. Default 3600 s.
    #[serde(
        deserialize_with = "de_with::duration",
        serialize_with = "ser_with::duration"
    )]
    pub token_expire_seconds: Duration,
    /// Refuse API requests that did not arrive over HTTPS (directly or per
    /// `X-Forwarded-Proto` from a trusted proxy). Default false.
    #[serde(deserialize_with = "de_with::boolean")]
    pub require_https: bool,
    /// Extension: the accounts for `type: basic`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<BasicUser>,
}

/// One account of `authentication.users` (for `type: basic`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BasicUser {
    /// The user name.
    #[serde(deserialize_with = "de_with::text", serialize_with = "ser_with::text")]
    pub name: String,
    /// The password (usually `${VAR}`). Masked when rendered.
    pub password: Secret,
}

/// `rate_limiting:`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Whether API requests are rate limited. Default false.
    #[serde(deserialize_with = "de_with::boolean")]
    pub enabled: bool,
    /// Requests per second allowed (per client address). Default 1000.
    #[serde(deserialize_with = "de_with::positive")]
    pub max_rps: u32,
}

choice_enum! {
    /// `audit.framework` and `compliance.framework`.
    Framework {
        /// SOC 2.
        Soc2 = "SOC2",
        /// HIPAA.
        Hipaa = "HIPAA",
        /// PCI DSS.
        PciDss = "PCI-DSS",
    }
}

/// `audit:`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// Whether audit events are written. Default: true when `log_path` is given, else false.
    /// Always `Some` after [`Config::load`]; use [`AuditConfig::is_enabled`].
    #[serde(
        deserialize_with = "de_with::opt_boolean",
        skip_serializing_if = "Option::is_none"
    )]
    pub enabled: Option<bool>,
    /// The audit log file (JSON lines).
    #[serde(
        deserialize_with = "de_with::opt_path",
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_with::opt_path"
    )]
    pub log_path: Option<PathBuf>,
    /// Days audit files are kept. Default 90.
    #[serde(deserialize_with = "de_with::positive")]
    pub retention_days: u32,
    /// Framework the audit events are tagged for. Default none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework: Option<Framework>,
    /// Overwrite expired audit files before deleting them. Default false.
    #[serde(deserialize_with = "de_with::boolean")]
    pub secure_delete: bool,
    /// Encrypt audit files at rest. Default false.
    #[serde(deserialize_with = "de_with::boolean")]
    pub encrypt_logs: bool,
}

/// `compliance:`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ComplianceConfig {
    /// Framework of `/api/v1/compliance/report`. Default none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework: Option<Framework>,
    /// Require multi-factor authentication. Default false.
    #[serde(deserialize_with = "de_with::boolean")]
    pub enforce_mfa: bool,
    /// Report plain-HTTP access as a violation. Default false.
    #[serde(deserialize_with = "de_with::boolean")]
    pub require_https: bool,
    /// Days of logs the framework requires. Default 365.
    #[serde(deserialize_with = "de_with::positive")]
    pub log_retention_days: u32,
}

choice_enum! {
    /// `load_balancer.strategy`.
    #[derive(Default)]
    Strategy {
        /// Each new session goes to the next healthy endpoint of the best priority.
        #[default]
        RoundRobin = "round_robin",
        /// Like round robin, in proportion to `endpoints[].weight`.
        Weighted = "weighted",
        /// The healthy endpoint of the best priority with the fewest sessions.
        LeastConn = "least_conn",
    }
}

/// `load_balancer:`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadBalancerConfig {
    /// `round_robin | weighted | least_conn`. Default round_robin.
    pub strategy: Strategy,
    /// Time between health checks of one endpoint. Default 30 s.
    #[serde(
        deserialize_with = "de_with::duration",
        serialize_with = "ser_with::duration"
    )]
    pub health_check_interval: Duration,
    /// Time one health check may take. Default 5 s; at most the interval.
    #[serde(
        deserialize_with = "de_with::duration",
        serialize_with = "ser_with::duration"
    )]
    pub health_check_timeout: Duration,
}

choice_enum! {
    /// `endpoints[].builtin`: a host served by the bridge itself.
    Builtin {
        /// The embedded demo host.
        Demo = "demo",
    }
}

/// One entry of `endpoints:`, a TN3270 host.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// Unique name clients ask for (`[A-Za-z0-9._-]`, at most 64). Required.
    #[serde(deserialize_with = "de_with::text", serialize_with = "ser_with::text")]
    pub name: String,
    /// Host name or IP address. Required unless `builtin` is given.
    #[serde(
        default,
        deserialize_with = "de_with::text",
        skip_serializing_if = "String::is_empty",
        serialize_with = "ser_with::text"
    )]
    pub host: String,
    /// TCP port. Default 23, or 992 with implicit TLS.
    #[serde(
        default,
        deserialize_with = "de_with::opt_port",
        skip_serializing_if = "Option::is_none"
    )]
    pub port: Option<u16>,
    /// Lower is preferred; the balancer uses the best priority that has a healthy endpoint.
    /// Default 1.
    #[serde(default = "one", deserialize_with = "de_with::count")]
    pub priority: u32,
    /// Share under `strategy: weighted`. Default 1.
    #[serde(default = "one", deserialize_with = "de_with::positive")]
    pub weight: u32,
    /// Upstream TLS. Default off. `tls: true` means implicit TLS with system roots.
    #[serde(default, skip_serializing_if = "EndpointTls::is_off")]
    pub tls: EndpointTls,
    /// LU names handed out to sessions, one LU per session (`lu_pool` is an alias).
    #[serde(default, alias = "lu_pool", skip_serializing_if = "Vec::is_empty")]
    pub lu_names: Vec<String>,
    /// Terminal model as s3270 spells it (`3279-4-E`, `3278-2`, `4`). Default: the client's.
    #[serde(
        default,
        deserialize_with = "de_with::opt_text",
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_with::opt_text"
    )]
    pub model: Option<String>,
    /// Host code page as s3270 names it (`cp037`, `1047`, `german`). Default cp037.
    #[serde(
        default,
        deserialize_with = "de_with::opt_text",
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_with::opt_text"
    )]
    pub code_page: Option<String>,
    /// Terminal type sent to the host, replacing the model's (`IBM-3278-2-E`).
    #[serde(
        default,
        deserialize_with = "de_with::opt_text",
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_with::opt_text"
    )]
    pub terminal_type: Option<String>,
    /// Extension: most concurrent sessions on this endpoint. Default: no limit.
    #[serde(
        default,
        deserialize_with = "de_with::opt_positive",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_sessions: Option<u32>,
    /// Extension: time to connect and negotiate. Default 10 s.
    #[serde(
        default = "connect_timeout",
        deserialize_with = "de_with::duration",
        serialize_with = "ser_with::duration"
    )]
    pub connect_timeout_seconds: Duration,
    /// Extension: serve this endpoint from inside the bridge instead of dialling a host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin: Option<Builtin>,
    /// Extension: the pool (group) this endpoint belongs to. A session request naming the
    /// pool is balanced over its endpoints and fails over among them (`docs/POOL.md`).
    #[serde(
        default,
        deserialize_with = "de_with::opt_text",
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_with::opt_text"
    )]
    pub pool: Option<String>,
}

choice_enum! {
    /// `endpoints[].tls.mode`.
    #[derive(Default)]
    TlsMode {
        /// TLS from the first byte (usually port 992).
        #[default]
        Implicit = "implicit",
        /// Plain telnet, then the START-TLS option (RFC 2817-style telnet extension).
        StartTls = "starttls",
    }
}

/// `endpoints[].tls:` — TLS towards a host.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct EndpointTls {
    /// Whether TLS is used.
    pub enabled: bool,
    /// `implicit | starttls`. Default implicit.
    pub mode: TlsMode,
    /// CA bundle (PEM) to verify the host with, instead of the system roots.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_with::opt_path"
    )]
    pub ca_file: Option<PathBuf>,
    /// Name to verify in the host certificate (and SNI), when it differs from `host`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_with::opt_text"
    )]
    pub server_name: Option<String>,
    /// Client certificate chain (PEM) for hosts that require one.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_with::opt_path"
    )]
    pub client_cert: Option<PathBuf>,
    /// Private key (PEM) of `client_cert`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_with::opt_path"
    )]
    pub client_key: Option<PathBuf>,
    /// Extension: password of an encrypted `client_key`. Masked when rendered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_key_password: Option<Secret>,
    /// Skip certificate verification. For tests only; logged loudly.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub insecure: bool,
}

/// `tls:` — server-side TLS of the bridge's listeners (HTTPS/WSS on `api_port`, TN3270 over
/// TLS on `port`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// Whether the listeners speak TLS. Default false.
    #[serde(deserialize_with = "de_with::boolean")]
    pub enabled: bool,
    /// Certificate chain (PEM). Required when enabled.
    #[serde(
        deserialize_with = "de_with::opt_path",
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_with::opt_path"
    )]
    pub cert_path: Option<PathBuf>,
    /// Private key (PEM). Required when enabled.
    #[serde(
        deserialize_with = "de_with::opt_path",
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_with::opt_path"
    )]
    pub key_path: Option<PathBuf>,
    /// Extension: password of an encrypted `key_path`. Masked when rendered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_password: Option<Secret>,
    /// CA bundle (PEM) of client certificates to require (mutual TLS). Default: none asked.
    #[serde(
        deserialize_with = "de_with::opt_path",
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_with::opt_path"
    )]
    pub ca_cert_path: Option<PathBuf>,
    /// Lowest TLS version accepted: "1.2" or "1.3". Default "1.2".
    pub min_version: TlsVersion,
    /// Cipher suites allowed, by IANA name. Default: the TLS library's safe set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cipher_suites: Vec<String>,
    /// Extension: how the TN3270 port (`server.port`) uses TLS when `enabled`: `implicit`
    /// (TLS from the first byte, as on port 992; default) or `starttls` (plain telnet that
    /// switches to TLS with the telnet START-TLS option before anything else; clients that
    /// refuse are turned away).
    pub tn3270_mode: Tn3270TlsMode,
}

choice_enum! {
    /// `tls.tn3270_mode` (extension).
    #[derive(Default)]
    Tn3270TlsMode {
        /// TLS from the first byte.
        #[default]
        Implicit = "implicit",
        /// Telnet START-TLS, required.
        StartTls = "starttls",
    }
}

choice_enum! {
    /// `tls.min_version`.
    #[derive(Default)]
    TlsVersion {
        /// TLS 1.2.
        #[default]
        V1_2 = "1.2",
        /// TLS 1.3.
        V1_3 = "1.3",
    }
}

choice_enum! {
    /// `logging.level`.
    #[derive(Default)]
    LogLevel {
        /// Everything.
        Trace = "trace",
        /// Diagnostics.
        Debug = "debug",
        /// Normal operation.
        #[default]
        Info = "info",
        /// Something is wrong but the bridge carries on.
        Warn = "warn",
        /// Something failed.
        Error = "error",
    }
}

choice_enum! {
    /// `logging.format` (extension): how log lines are written.
    #[derive(Default)]
    LogFormat {
        /// One human-readable line per event.
        #[default]
        Text = "text",
        /// One JSON object per line (for log shippers).
        Json = "json",
    }
}

/// `logging:` — the server log.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoggingConfig {
    /// `trace | debug | info | warn | error`. Default info.
    pub level: LogLevel,
    /// Log file; default: standard error.
    #[serde(
        deserialize_with = "de_with::opt_path",
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_with::opt_path"
    )]
    pub file: Option<PathBuf>,
    /// Rotation size in bytes; the key counts megabytes, text may say `100M`. Default 100 MiB.
    #[serde(
        rename = "max_size_mb",
        deserialize_with = "de_with::size_megabytes",
        serialize_with = "ser_with::megabytes"
    )]
    pub max_size: u64,
    /// Days rotated files are kept. Default 30.
    #[serde(deserialize_with = "de_with::positive")]
    pub retention_days: u32,
    /// **Extension**: `text | json`. Default text.
    pub format: LogFormat,
}

/// `buffers:` — sizes and limits of buffers.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct BuffersConfig {
    /// Reusable record buffers kept in the pool. Default 1000.
    #[serde(deserialize_with = "de_with::positive")]
    pub command_buffer_pool: u32,
    /// Largest record (host or client) in bytes; a larger one ends the session. Default
    /// 10 000 000.
    #[serde(deserialize_with = "de_with::size_bytes")]
    pub field_data_buffer: u64,
    /// Read buffer of one connection in bytes. Default 100 000.
    #[serde(deserialize_with = "de_with::size_bytes")]
    pub parser_ring_buffer: u64,
    /// Extension: largest websocket message in bytes. Default 1 MiB.
    #[serde(deserialize_with = "de_with::size_bytes")]
    pub websocket_max_message: u64,
}

/// A secret value (token, password): `Debug` and the rendered configuration show `********`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(#[serde(deserialize_with = "de_with::text")] String);

/// What a secret looks like in `Debug` output and in the rendered configuration.
pub const MASK: &str = "********";

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself: use only to compare or hand to a TLS/auth library.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(MASK)
    }
}

impl Default for Config {
    /// Every key at its default, no endpoints, bound to all interfaces: the base a config file
    /// is read onto.
    fn default() -> Self {
        Config {
            server: ServerConfig::default(),
            sessions: SessionsConfig::default(),
            authentication: AuthConfig::default(),
            rate_limiting: RateLimitConfig::default(),
            audit: AuditConfig::default(),
            compliance: ComplianceConfig::default(),
            load_balancer: LoadBalancerConfig::default(),
            endpoints: Vec::new(),
            tls: TlsConfig::default(),
            logging: LoggingConfig::default(),
            buffers: BuffersConfig::default(),
        }
    }
}

impl Config {
    /// The configuration without a config file: loopback only, the embedded demo host as the
    /// only endpoint, everything else at its default.
    pub fn demo() -> Config {
        Config {
            server: ServerConfig {
                bind_address: IpAddr::from([127, 0, 0, 1]),
                ..ServerConfig::default()
            },
            endpoints: vec![Endpoint::builtin("demo", Builtin::Demo)],
            audit: AuditConfig {
                enabled: Some(false),
                ..AuditConfig::default()
            },
            ..Config::default()
        }
    }

    /// The endpoint called `name`, if configured.
    pub fn endpoint(&self, name: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.name == name)
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            port: 3270,
            api_port: 8080,
            bind_address: IpAddr::from([0, 0, 0, 0]),
            embed_allowed_origins: Vec::new(),
            shutdown_grace_seconds: Duration::from_secs(10),
        }
    }
}

impl Default for SessionsConfig {
    fn default() -> Self {
        SessionsConfig {
            max_sessions: 1000,
            timeout_seconds: Duration::from_secs(3600),
            idle_timeout_seconds: Duration::from_secs(600),
            detach_grace_seconds: Duration::from_secs(120),
            max_sessions_per_user: None,
            connection_pool_size: None,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            enabled: false,
            kind: AuthType::None,
            token: None,
            token_expire_seconds: Duration::from_secs(3600),
            require_https: false,
            users: Vec::new(),
        }
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            enabled: false,
            max_rps: 1000,
        }
    }
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            enabled: None,
            log_path: None,
            retention_days: 90,
            framework: None,
            secure_delete: false,
            encrypt_logs: false,
        }
    }
}

impl AuditConfig {
    /// Whether audit events are written: `enabled`, or else whether `log_path` is given.
    pub fn is_enabled(&self) -> bool {
        self.enabled.unwrap_or(self.log_path.is_some())
    }
}

impl Default for ComplianceConfig {
    fn default() -> Self {
        ComplianceConfig {
            framework: None,
            enforce_mfa: false,
            require_https: false,
            log_retention_days: 365,
        }
    }
}

impl Default for LoadBalancerConfig {
    fn default() -> Self {
        LoadBalancerConfig {
            strategy: Strategy::RoundRobin,
            health_check_interval: Duration::from_secs(30),
            health_check_timeout: Duration::from_secs(5),
        }
    }
}

/// TCP port of TN3270 without TLS (telnet, RFC 854).
pub const TELNET_PORT: u16 = 23;
/// TCP port of TN3270 over implicit TLS (IANA `telnets`).
pub const TELNETS_PORT: u16 = 992;

impl Endpoint {
    /// An endpoint served inside the bridge.
    pub fn builtin(name: &str, builtin: Builtin) -> Endpoint {
        Endpoint {
            host: String::new(),
            builtin: Some(builtin),
            ..Endpoint::host(name, "", None)
        }
    }

    /// A plain TCP endpoint with every optional key at its default.
    pub fn host(name: &str, host: &str, port: Option<u16>) -> Endpoint {
        Endpoint {
            name: name.to_owned(),
            host: host.to_owned(),
            port,
            priority: one(),
            weight: one(),
            tls: EndpointTls::default(),
            lu_names: Vec::new(),
            model: None,
            code_page: None,
            terminal_type: None,
            max_sessions: None,
            connect_timeout_seconds: connect_timeout(),
            builtin: None,
            pool: None,
        }
    }

    /// The port to dial: `port`, else 992 with implicit TLS, else 23.
    pub fn effective_port(&self) -> u16 {
        match self.port {
            Some(port) => port,
            None if self.tls.enabled && self.tls.mode == TlsMode::Implicit => TELNETS_PORT,
            None => TELNET_PORT,
        }
    }
}

fn one() -> u32 {
    1
}

fn connect_timeout() -> Duration {
    Duration::from_secs(10)
}

impl EndpointTls {
    fn is_off(&self) -> bool {
        *self == EndpointTls::default()
    }
}

/// The mapping form of `endpoints[].tls`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointTlsMap {
    #[serde(default = "yes", deserialize_with = "de_with::boolean")]
    enabled: bool,
    #[serde(default)]
    mode: TlsMode,
    #[serde(default, deserialize_with = "de_with::opt_text")]
    ca_file: Option<String>,
    #[serde(default, deserialize_with = "de_with::opt_text")]
    server_name: Option<String>,
    #[serde(default, deserialize_with = "de_with::opt_text")]
    client_cert: Option<String>,
    #[serde(default, deserialize_with = "de_with::opt_text")]
    client_key: Option<String>,
    #[serde(default)]
    client_key_password: Option<Secret>,
    #[serde(default, deserialize_with = "de_with::boolean")]
    insecure: bool,
}

fn yes() -> bool {
    true
}

impl<'de> Deserialize<'de> for EndpointTls {
    /// `tls: true|false`, or a mapping whose `enabled` defaults to true.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = EndpointTls;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true, false, or a mapping of TLS settings")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<EndpointTls, E> {
                Ok(EndpointTls {
                    enabled: v,
                    ..EndpointTls::default()
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<EndpointTls, A::Error> {
                let m =
                    EndpointTlsMap::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(EndpointTls {
                    enabled: m.enabled,
                    mode: m.mode,
                    ca_file: m.ca_file.map(PathBuf::from),
                    server_name: m.server_name,
                    client_cert: m.client_cert.map(PathBuf::from),
                    client_key: m.client_key.map(PathBuf::from),
                    client_key_password: m.client_key_password,
                    insecure: m.insecure,
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            enabled: false,
            cert_path: None,
            key_path: None,
            key_password: None,
            ca_cert_path: None,
            min_version: TlsVersion::V1_2,
            cipher_suites: Vec::new(),
            tn3270_mode: Tn3270TlsMode::Implicit,
        }
    }
}

impl Default for LoggingConfig {
    fn default() -> Self {
        LoggingConfig {
            level: LogLevel::Info,
            file: None,
            max_size: 100 << 20,
            retention_days: 30,
            format: LogFormat::Text,
        }
    }
}

impl Default for BuffersConfig {
    fn default() -> Self {
        BuffersConfig {
            command_buffer_pool: 1000,
            field_data_buffer: 10_000_000,
            parser_ring_buffer: 100_000,
            websocket_max_message: 1 << 20,
        }
    }
}
