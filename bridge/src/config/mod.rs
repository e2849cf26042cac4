//! The bridge configuration: `server.yaml` plus environment overrides, as one typed value.
//!
//! The file format and the variable names are the contract of the deployment guide
//! (`docs/CONFIG.md` of the design notes, `docs/CONFIG-REFERENCE.md` here): a `server.yaml` or an
//! environment written for the guide works unchanged; web3270 adds keys but renames none.
//!
//! Loading, in order:
//! 1. No file: [`Config::demo`] (loopback only, the embedded demo host). A file: read onto
//!    [`Config::default`]. Unknown keys, duplicate keys and bad values fail with the key's path,
//!    the file position and a one-line reason.
//! 2. `${NAME}` in a plain (unquoted) value is replaced by the variable `NAME` of the
//!    environment; an unset variable fails, naming it and the key. `$${NAME}` is a literal
//!    `${NAME}`; quoted values are literal too. `${NAME:-default}` and the other
//!    docker-compose forms work.
//! 3. `WEB3270_*` variables, else their `ZIG3270_*` aliases, override the file (see
//!    [`OVERRIDES`]); a bad value fails naming the variable.
//! 4. Cross-field rules (module `validate`): required-when keys, unique endpoint names, models
//!    and code pages checked against the `tn3270` crate.
//!
//! Owns: all of the above and the masked rendering for `web3270 config check`. Does not own:
//! acting on the values (listeners, TLS, auth, ...), or the CLI.
//!
//! Error strategy: one [`ConfigError`] enum; the binary prints it and exits non-zero.
//!
//! ```
//! use bridge::config::{Config, Strategy};
//!
//! let yaml = "
//! load_balancer: { strategy: least_conn }
//! endpoints:
//!   - name: primary
//!     host: ${MF_HOST}
//! ";
//! // Any `Env` works: a map in tests, `ProcessEnv` in the binary.
//! let env = [("MF_HOST", "mf.example.com"), ("ZIG3270_PORT", "2323")];
//! let config = Config::from_yaml(yaml, "server.yaml", &env)?;
//! assert_eq!(config.endpoints[0].host, "mf.example.com");
//! assert_eq!(config.endpoints[0].effective_port(), 23);
//! assert_eq!(config.server.port, 2323);
//! assert_eq!(config.load_balancer.strategy, Strategy::LeastConn);
//!
//! let err = Config::from_yaml("server: { port: 70000 }", "server.yaml", &env).unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "server.yaml:1:17: server.port: invalid value: 70000, expected a port 1-65535"
//! );
//! # Ok::<(), bridge::config::ConfigError>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

mod env;
mod scalar;
mod types;
mod validate;

pub use env::{
    ignored_vars_set, Env, Override, ProcessEnv, IGNORED, LEGACY_PREFIX, OVERRIDES, PREFIX,
};
pub use scalar::{Choice, MAX_BYTES, MAX_DURATION};
pub use types::{
    AuditConfig, AuthConfig, AuthType, BasicUser, BuffersConfig, Builtin, ComplianceConfig, Config,
    Endpoint, EndpointTls, Framework, LoadBalancerConfig, LogFormat, LogLevel, LoggingConfig,
    RateLimitConfig, Secret, ServerConfig, SessionsConfig, Strategy, TlsConfig, TlsMode,
    TlsVersion, Tn3270TlsMode, MASK, TELNETS_PORT, TELNET_PORT,
};
pub use validate::{CIPHER_SUITES, MAX_ENDPOINT_NAME, MAX_LU_NAME, MAX_TERMINAL_TYPE};

/// Largest configuration file read (1 MiB): a config is a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Why the configuration was refused. Every variant renders as one line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// The file is not well-formed YAML (or not a mapping at the top).
    Syntax {
        /// The file name (or `<input>`).
        origin: String,
        /// 1-based line, 0 if unknown.
        line: u64,
        /// 1-based column, 0 if unknown.
        column: u64,
        /// The parser's reason.
        reason: String,
    },
    /// A key has a bad value, is unknown, missing, or breaks a rule.
    Key {
        /// The file name (or `<input>`, or `<defaults>` without a file).
        origin: String,
        /// 1-based line and column of the value in the file, when known.
        position: Option<(u64, u64)>,
        /// The key's path, e.g. `endpoints[1].port`.
        key: String,
        /// Why, e.g. `invalid value: -1, expected a port 1-65535`.
        reason: String,
    },
    /// An override variable has a bad value.
    EnvVar {
        /// The variable, e.g. `WEB3270_PORT`.
        var: String,
        /// The key it overrides, e.g. `server.port`.
        key: &'static str,
        /// Why.
        reason: String,
    },
}

impl ConfigError {
    /// The key path the error is about, if any.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::Key { key, .. } => Some(key),
            ConfigError::EnvVar { key, .. } => Some(key),
            _ => None,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Read { path, reason } => {
                write!(f, "cannot read {}: {reason}", path.display())
            }
            ConfigError::Syntax {
                origin,
                line,
                column,
                reason,
            } => write!(f, "{origin}:{line}:{column}: {reason}"),
            ConfigError::Key {
                origin,
                position: Some((line, column)),
                key,
                reason,
            } => write!(f, "{origin}:{line}:{column}: {key}: {reason}"),
            ConfigError::Key {
                origin,
                key,
                reason,
                ..
            } => write!(f, "{origin}: {key}: {reason}"),
            ConfigError::EnvVar { var, key, reason } => {
                write!(f, "environment variable {var} (overrides {key}): {reason}")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Loads the configuration: the file at `path` (or [`Config::demo`] without one), `${VAR}`
    /// expansion and overrides from `env`, then the cross-field rules.
    pub fn load(path: Option<&Path>, env: &impl Env) -> Result<Config, ConfigError> {
        match path {
            None => Config::finish(Config::demo(), "<defaults>", env),
            Some(path) => {
                let text = read_bounded(path)?;
                Config::from_yaml(&text, &path.display().to_string(), env)
            }
        }
    }

    /// Loads from YAML text; `origin` names it in errors (a file name, or `<input>`).
    pub fn from_yaml(text: &str, origin: &str, env: &impl Env) -> Result<Config, ConfigError> {
        let config = parse_yaml(text, origin, env)?;
        Config::finish(config, origin, env)
    }

    /// The effective configuration as YAML, secrets shown as [`MASK`]: the output of
    /// `web3270 config check PATH`. It loads back to the same configuration (with masked
    /// secrets).
    pub fn render_masked(&self) -> String {
        let body =
            serde_saphyr::to_string(self).unwrap_or_else(|e| format!("# cannot render: {e}\n"));
        format!("# web3270 effective configuration (secrets masked)\n{body}")
    }

    fn finish(config: Config, origin: &str, env: &impl Env) -> Result<Config, ConfigError> {
        Config::finish_with_overrides(config, origin, env).map(|(config, _)| config)
    }

    fn finish_with_overrides(
        mut config: Config,
        origin: &str,
        env: &impl Env,
    ) -> Result<(Config, env::Applied), ConfigError> {
        let applied = env::apply_overrides(&mut config, env)?;
        validate::validate(&mut config).map_err(|v| ConfigError::Key {
            origin: origin.to_owned(),
            position: None,
            key: v.key,
            reason: v.reason,
        })?;
        Ok((config, applied))
    }
}

/// Checks one endpoint by the rules of the `endpoints` section (name, host, TLS pairs, LU
/// names upper-cased, model, code page normalised, terminal type, pool name): what an
/// endpoint added at run time must pass. `at` names it in the error (e.g. `endpoint`).
/// Rules between endpoints (unique names) are the caller's.
pub fn validate_endpoint(endpoint: &mut Endpoint, at: &str) -> Result<(), ConfigError> {
    validate::validate_endpoint(at, endpoint).map_err(|v| ConfigError::Key {
        origin: "<request>".to_owned(),
        position: None,
        key: v.key,
        reason: v.reason,
    })
}

/// The report of `web3270 config check [PATH]`: loads like [`Config::load`] and returns the
/// effective configuration as YAML with secrets masked, preceded by comments saying where it
/// came from, which environment variables overrode which keys, and which guide variables are
/// ignored. On error, the one-line [`ConfigError`] to print.
pub fn check_report(path: Option<&Path>, env: &impl Env) -> Result<String, ConfigError> {
    let (config, origin, applied) = match path {
        None => {
            let (config, applied) =
                Config::finish_with_overrides(Config::demo(), "<defaults>", env)?;
            (
                config,
                "no config file: loopback only, demo host".to_owned(),
                applied,
            )
        }
        Some(path) => {
            let text = read_bounded(path)?;
            let origin = path.display().to_string();
            let config = parse_yaml(&text, &origin, env)?;
            let (config, applied) = Config::finish_with_overrides(config, &origin, env)?;
            (config, format!("file: {origin}"), applied)
        }
    };
    let mut report = format!("# {origin}\n");
    for (var, key) in applied {
        report.push_str(&format!("# {key} from environment variable {var}\n"));
    }
    for var in ignored_vars_set(env) {
        report.push_str(&format!("# {var} is ignored by web3270\n"));
    }
    report.push_str(&config.render_masked());
    Ok(report)
}

impl fmt::Display for Config {
    /// Same as [`Config::render_masked`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render_masked())
    }
}

/// Reads at most [`MAX_FILE_BYTES`] of UTF-8 text.
fn read_bounded(path: &Path) -> Result<String, ConfigError> {
    use std::io::Read;
    let read_error = |e: std::io::Error| ConfigError::Read {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(read_error)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(ConfigError::Read {
            path: path.to_owned(),
            reason: format!("larger than {MAX_FILE_BYTES} bytes"),
        });
    }
    Ok(text)
}

/// Parses the YAML text onto the defaults, expanding `${NAME}` from `env`.
fn parse_yaml(text: &str, origin: &str, env: &impl Env) -> Result<Config, ConfigError> {
    let properties: HashMap<String, String> = referenced_vars(text)
        .into_iter()
        .filter_map(|name| env.var(&name).map(|value| (name, value)))
        .collect();
    let options = serde_saphyr::options! {}.with_properties(properties);
    let mut path = None;
    let result = serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
        serde_path_to_error::deserialize::<_, Option<Config>>(de).map_err(|e| {
            path = Some(e.path().to_string());
            e.into_inner()
        })
    });
    match result {
        Ok(config) => Ok(config.unwrap_or_default()),
        Err(err) => Err(describe(&err, path.as_deref(), text, origin)),
    }
}

/// The names of every `${NAME` in `text` (also inside `$${NAME}` escapes, which is harmless).
fn referenced_vars(text: &str) -> Vec<String> {
    text.match_indices("${")
        .filter_map(|(at, _)| {
            let rest = text.get(at + 2..)?;
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            rest.get(..end).filter(|n| !n.is_empty()).map(str::to_owned)
        })
        .collect()
}

/// Turns a YAML reader error into a [`ConfigError`] with the key's path.
fn describe(
    err: &serde_saphyr::Error,
    path: Option<&str>,
    text: &str,
    origin: &str,
) -> ConfigError {
    let position = err.location().map(|l| (l.line(), l.column()));
    let mut reason = err.without_snippet().to_string();
    if let Some((line, column)) = position {
        if let Some(stripped) = reason.strip_suffix(&format!(" at line {line}, column {column}")) {
            reason = stripped.to_owned();
        }
    }
    if let Some(key) = reason.strip_prefix("duplicate mapping key: ") {
        let key = key
            .split_once(", set DuplicateKeyPolicy")
            .map_or(key, |(k, _)| k);
        reason = format!("duplicate key {key:?}: each key may appear once");
    }
    let path = path.filter(|p| *p != "." && !p.ends_with('?'));
    let Some(path) = path else {
        return ConfigError::Syntax {
            origin: origin.to_owned(),
            line: position.map_or(0, |p| p.0),
            column: position.map_or(0, |p| p.1),
            reason: reason.replace("expected mapping start", "expected a mapping of sections"),
        };
    };
    let mut key = path.to_owned();
    if let Some(field) = between(&reason, "missing field `", "`") {
        key = format!("{path}.{field}");
        reason = "missing required key".to_owned();
    } else if let Some(var) = between(&reason, "missing property `", "`") {
        // The error is raised before the value's key is entered: take the key from the line.
        if let Some(name) = position.and_then(|(line, column)| key_on_line(text, line, column)) {
            key = format!("{path}.{name}");
        }
        reason = format!(
            "environment variable {var} is not set (write $${{{var}}} for a literal ${{{var}}})"
        );
    } else if let Some(field) = between(&reason, "unknown field `", "`") {
        let expected = reason.split_once(", expected ").map(|(_, e)| e.to_owned());
        reason = match expected {
            Some(e) => format!("unknown key {field:?}, expected {e}"),
            None => format!("unknown key {field:?}"),
        };
    } else if let Some(field) = between(&reason, "duplicate field `", "`") {
        key = format!("{path}.{field}");
        reason = "given twice (lu_pool is another name for lu_names)".to_owned();
    } else if reason.starts_with("expected mapping start") {
        reason = "invalid value, expected a mapping of keys".to_owned();
    } else if reason.starts_with("expected sequence start") {
        reason = "invalid value, expected a list".to_owned();
    }
    ConfigError::Key {
        origin: origin.to_owned(),
        position,
        key,
        reason,
    }
}

/// The text between `start` and the next `end` in `s`.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = s.split_once(start)?.1;
    rest.split_once(end).map(|(inside, _)| inside)
}

/// The simple key written before `column` on `line` (`    host: ${X}` → `host`).
fn key_on_line(text: &str, line: u64, column: u64) -> Option<String> {
    let line = text
        .lines()
        .nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
    let before = line
        .char_indices()
        .nth(usize::try_from(column).ok()?.checked_sub(1)?)
        .map_or(line, |(at, _)| line.get(..at).unwrap_or(line));
    let key = before.trim_end().strip_suffix(':')?;
    let key = key.rsplit(['{', ',', '-']).next()?.trim();
    let simple = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    simple.then(|| key.to_owned())
}
