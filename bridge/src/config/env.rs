//! Environment variables: where they are read from, and which keys they override.
//!
//! Owns: the [`Env`] source (injectable, so tests never touch the process environment), the
//! table of `WEB3270_*` / `ZIG3270_*` overrides of the deployment guide, and their
//! precedence (`WEB3270_` wins over `ZIG3270_`; both win over the file). Does not own: `${VAR}`
//! expansion inside the file (done by the YAML reader in [`super::load`]).

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use super::scalar::{self, Scalar};
use super::types::{
    AuthType, Config, Framework, LogFormat, LogLevel, Secret, Strategy, Tn3270TlsMode,
};
use super::ConfigError;

/// A source of environment variables.
pub trait Env {
    /// The value of `name`, or `None` when it is unset (or not valid Unicode).
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl<S: BuildHasher> Env for HashMap<String, String, S> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl Env for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl Env for [(&str, &str)] {
    fn var(&self, name: &str) -> Option<String> {
        self.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

impl<const N: usize> Env for [(&str, &str); N] {
    fn var(&self, name: &str) -> Option<String> {
        self[..].var(name)
    }
}

impl<E: Env + ?Sized> Env for &E {
    fn var(&self, name: &str) -> Option<String> {
        (**self).var(name)
    }
}

/// The primary prefix of override variables.
pub const PREFIX: &str = "WEB3270_";
/// The deployment guide's prefix, accepted as an alias.
pub const LEGACY_PREFIX: &str = "ZIG3270_";

/// One override: the name after the prefix, the key it sets, and how.
pub struct Override {
    /// The name after `WEB3270_` / `ZIG3270_`, e.g. `PORT`.
    pub suffix: &'static str,
    /// The key path it overrides, e.g. `server.port`.
    pub key: &'static str,
    apply: fn(&mut Config, &Scalar<'_>) -> Result<(), String>,
}

/// An [`Override`] whose `apply` runs one assignment.
macro_rules! set {
    ($suffix:literal, $key:literal, |$c:ident, $v:ident| $($assign:tt)+) => {
        Override {
            suffix: $suffix,
            key: $key,
            apply: |$c, $v| {
                $($assign)+;
                Ok(())
            },
        }
    };
}

/// Every override variable of the deployment guide, in the guide's order.
#[rustfmt::skip]
pub const OVERRIDES: &[Override] = &[
    set!("PORT", "server.port", |c, v| c.server.port = scalar::port(v)?),
    set!("API_PORT", "server.api_port", |c, v| c.server.api_port = scalar::port(v)?),
    set!("BIND_ADDRESS", "server.bind_address", |c, v| c.server.bind_address = scalar::ip_address(v)?),
    set!("MAX_SESSIONS", "sessions.max_sessions", |c, v| c.sessions.max_sessions = scalar::positive(v)?),
    set!("SESSION_TIMEOUT", "sessions.timeout_seconds", |c, v| c.sessions.timeout_seconds = scalar::duration(v)?),
    set!("IDLE_TIMEOUT", "sessions.idle_timeout_seconds", |c, v| c.sessions.idle_timeout_seconds = scalar::duration(v)?),
    set!("AUTH_ENABLED", "authentication.enabled", |c, v| c.authentication.enabled = scalar::boolean(v)?),
    set!("AUTH_TYPE", "authentication.type", |c, v| c.authentication.kind = scalar::choice::<AuthType>(v)?),
    set!("AUTH_TOKEN", "authentication.token", |c, v| c.authentication.token = Some(Secret::new(scalar::text(v)?))),
    set!("RATE_LIMIT_ENABLED", "rate_limiting.enabled", |c, v| c.rate_limiting.enabled = scalar::boolean(v)?),
    set!("RATE_LIMIT_RPS", "rate_limiting.max_rps", |c, v| c.rate_limiting.max_rps = scalar::positive(v)?),
    set!("AUDIT_LOG_PATH", "audit.log_path", |c, v| c.audit.log_path = Some(scalar::path(v)?)),
    set!("AUDIT_RETENTION_DAYS", "audit.retention_days", |c, v| c.audit.retention_days = scalar::positive(v)?),
    set!("COMPLIANCE_FRAMEWORK", "compliance.framework", |c, v| c.compliance.framework = Some(scalar::choice::<Framework>(v)?)),
    set!("LB_STRATEGY", "load_balancer.strategy", |c, v| c.load_balancer.strategy = scalar::choice::<Strategy>(v)?),
    set!("HEALTH_CHECK_INTERVAL", "load_balancer.health_check_interval", |c, v| c.load_balancer.health_check_interval = scalar::duration(v)?),
    set!("HEALTH_CHECK_TIMEOUT", "load_balancer.health_check_timeout", |c, v| c.load_balancer.health_check_timeout = scalar::duration(v)?),
    set!("TLS_ENABLED", "tls.enabled", |c, v| c.tls.enabled = scalar::boolean(v)?),
    set!("TLS_CERT", "tls.cert_path", |c, v| c.tls.cert_path = Some(scalar::path(v)?)),
    set!("TLS_KEY", "tls.key_path", |c, v| c.tls.key_path = Some(scalar::path(v)?)),
    set!("TLS_TN3270_MODE", "tls.tn3270_mode", |c, v| c.tls.tn3270_mode = scalar::choice::<Tn3270TlsMode>(v)?),
    set!("LOG_LEVEL", "logging.level", |c, v| c.logging.level = scalar::choice::<LogLevel>(v)?),
    set!("LOG_FILE", "logging.file", |c, v| c.logging.file = Some(scalar::path(v)?)),
    set!("LOG_MAX_SIZE", "logging.max_size_mb", |c, v| c.logging.max_size = scalar::size_megabytes(v)?),
    set!("LOG_FORMAT", "logging.format", |c, v| c.logging.format = scalar::choice::<LogFormat>(v)?),
    set!("CONNECTION_POOL_SIZE", "sessions.connection_pool_size", |c, v| c.sessions.connection_pool_size = Some(scalar::positive(v)?)),
];

/// Variables the guide shows for its former runtime that web3270 has no use for; the bridge
/// may log that they are ignored.
pub const IGNORED: &[&str] = &[
    "ALLOCATOR_TYPE",
    "ARENA_SIZE",
    "GC_INTERVAL_MS",
    "GC_THRESHOLD_MB",
];

/// Override variables applied, each with the key it set (`("WEB3270_PORT", "server.port")`).
pub(crate) type Applied = Vec<(String, &'static str)>;

/// Applies every override variable set in `env` to `config`. An empty value counts as unset.
/// Returns the variables applied, each with the key it overrode.
pub(crate) fn apply_overrides(config: &mut Config, env: &impl Env) -> Result<Applied, ConfigError> {
    let mut applied = Vec::new();
    for o in OVERRIDES {
        let Some((var, value)) = lookup(env, o.suffix) else {
            continue;
        };
        match (o.apply)(config, &Scalar::Str(value.as_str().into())) {
            Ok(()) => applied.push((var, o.key)),
            Err(reason) => {
                return Err(ConfigError::EnvVar {
                    var,
                    key: o.key,
                    reason,
                })
            }
        }
    }
    Ok(applied)
}

/// The set, non-empty variable for `suffix`: `WEB3270_SUFFIX`, else `ZIG3270_SUFFIX`.
fn lookup(env: &impl Env, suffix: &str) -> Option<(String, String)> {
    [PREFIX, LEGACY_PREFIX].iter().find_map(|prefix| {
        let var = format!("{prefix}{suffix}");
        env.var(&var)
            .filter(|v| !v.trim().is_empty())
            .map(|value| (var, value))
    })
}

/// The names of ignored guide variables (see [`IGNORED`]) that are set in `env`.
pub fn ignored_vars_set(env: &impl Env) -> Vec<String> {
    IGNORED
        .iter()
        .filter_map(|suffix| lookup(env, suffix).map(|(var, _)| var))
        .collect()
}
