//! Rules that look at more than one value: required keys that depend on others, unique
//! endpoint names, and values checked against the protocol core (models, code pages).
//!
//! Owns: the checks run after the file and the environment are merged, each failing with the
//! key's path and a one-line reason. Does not own: single-value parsing ([`super::scalar`]).

use std::collections::HashSet;

use tn3270::codepage::CodePage;
use tn3270::terminal::TerminalModel;

use super::types::{AuthType, Builtin, Config, Endpoint};

/// Longest endpoint name.
pub const MAX_ENDPOINT_NAME: usize = 64;
/// Longest LU name (SNA network names are at most 8 characters).
pub const MAX_LU_NAME: usize = 8;
/// Longest terminal type (RFC 1091: at most 40 characters).
pub const MAX_TERMINAL_TYPE: usize = 40;

/// Cipher suites `tls.cipher_suites` may name: the ones a modern TLS stack offers, by IANA name
/// (TLS 1.3 suites also by their rustls `TLS13_` spelling).
pub const CIPHER_SUITES: &[&str] = &[
    "TLS_AES_256_GCM_SHA384",
    "TLS_AES_128_GCM_SHA256",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS13_AES_256_GCM_SHA384",
    "TLS13_AES_128_GCM_SHA256",
    "TLS13_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// A failed rule: the key's path and why.
pub(crate) struct Violation {
    pub key: String,
    pub reason: String,
}

fn violation(key: impl Into<String>, reason: impl Into<String>) -> Violation {
    Violation {
        key: key.into(),
        reason: reason.into(),
    }
}

/// Checks every rule and normalises what has a canonical form (code page names, LU names in
/// upper case, `audit.enabled` resolved). Stops at the first violation.
pub(crate) fn validate(config: &mut Config) -> Result<(), Violation> {
    let server = &config.server;
    if server.port == server.api_port {
        return Err(violation(
            "server.api_port",
            format!("must differ from server.port ({})", server.port),
        ));
    }

    let auth = &config.authentication;
    if auth.enabled {
        match auth.kind {
            AuthType::None => {
                return Err(violation(
                    "authentication.type",
                    "must be basic or bearer when authentication.enabled is true",
                ))
            }
            AuthType::Bearer if auth.token.is_none() => {
                return Err(violation(
                    "authentication.token",
                    "required when authentication.type is bearer (set it or WEB3270_AUTH_TOKEN)",
                ))
            }
            AuthType::Basic if auth.users.is_empty() => {
                return Err(violation(
                    "authentication.users",
                    "at least one user is required when authentication.type is basic",
                ))
            }
            _ => {}
        }
    }
    if let Some(token) = &auth.token {
        check_not_placeholder("authentication.token", token.expose())?;
    }
    for (i, user) in auth.users.iter().enumerate() {
        check_not_placeholder(
            &format!("authentication.users[{i}].password"),
            user.password.expose(),
        )?;
    }

    let audit = &mut config.audit;
    audit.enabled = Some(audit.is_enabled());
    if audit.is_enabled() && audit.log_path.is_none() {
        return Err(violation(
            "audit.log_path",
            "required when audit.enabled is true (or set WEB3270_AUDIT_LOG_PATH)",
        ));
    }

    let lb = &config.load_balancer;
    // A zero interval turns health checks off (endpoints stay `unknown`, i.e. usable).
    if !lb.health_check_interval.is_zero() && lb.health_check_timeout > lb.health_check_interval {
        return Err(violation(
            "load_balancer.health_check_timeout",
            format!(
                "must be at most load_balancer.health_check_interval ({}s)",
                lb.health_check_interval.as_secs()
            ),
        ));
    }

    let tls = &config.tls;
    if tls.enabled {
        if tls.cert_path.is_none() {
            return Err(violation(
                "tls.cert_path",
                "required when tls.enabled is true (or set WEB3270_TLS_CERT)",
            ));
        }
        if tls.key_path.is_none() {
            return Err(violation(
                "tls.key_path",
                "required when tls.enabled is true (or set WEB3270_TLS_KEY)",
            ));
        }
    }
    if let Some(password) = &tls.key_password {
        check_not_placeholder("tls.key_password", password.expose())?;
    }
    for (i, suite) in tls.cipher_suites.iter().enumerate() {
        if !CIPHER_SUITES.iter().any(|s| s.eq_ignore_ascii_case(suite)) {
            return Err(violation(
                format!("tls.cipher_suites[{i}]"),
                format!(
                    "invalid value: {suite:?}, expected one of {}",
                    CIPHER_SUITES.join(", ")
                ),
            ));
        }
    }

    let mut names = HashSet::new();
    for (i, endpoint) in config.endpoints.iter_mut().enumerate() {
        if !names.insert(endpoint.name.to_ascii_lowercase()) {
            return Err(violation(
                format!("endpoints[{i}].name"),
                format!("duplicate endpoint name {:?}", endpoint.name),
            ));
        }
        validate_endpoint(&format!("endpoints[{i}]"), endpoint)?;
    }
    // A session request names an endpoint or a pool: one name must not mean both.
    for (i, endpoint) in config.endpoints.iter().enumerate() {
        if let Some(pool) = &endpoint.pool {
            if names.contains(&pool.to_ascii_lowercase()) {
                return Err(violation(
                    format!("endpoints[{i}].pool"),
                    format!("{pool:?} is also an endpoint name; a pool needs a name of its own"),
                ));
            }
        }
    }
    Ok(())
}

/// Whether `name` is a valid endpoint or pool name: 1-[`MAX_ENDPOINT_NAME`] letters,
/// digits, '.', '_' or '-'.
pub(crate) fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_ENDPOINT_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The rules of one endpoint (`at` is its key path, e.g. `endpoints[2]`); also used for
/// endpoints added at run time (`POST /api/v1/endpoints`).
pub(crate) fn validate_endpoint(at: &str, e: &mut Endpoint) -> Result<(), Violation> {
    let name_ok = is_valid_name(&e.name);
    if !name_ok {
        return Err(violation(
            format!("{at}.name"),
            format!(
                "invalid value: {:?}, expected 1-{MAX_ENDPOINT_NAME} letters, digits, '.', '_' or '-'",
                e.name
            ),
        ));
    }
    match e.builtin {
        Some(Builtin::Demo) if !e.host.is_empty() => {
            return Err(violation(
                format!("{at}.host"),
                "not allowed together with builtin",
            ))
        }
        Some(_) => {}
        None if e.host.is_empty() => {
            return Err(violation(format!("{at}.host"), "missing required key"))
        }
        None => {
            if e.host.contains("://")
                || e.host.contains(char::is_whitespace)
                || e.host.contains('/')
            {
                return Err(violation(
                    format!("{at}.host"),
                    format!(
                        "invalid value: {:?}, expected a host name or IP address (the port goes in port)",
                        e.host
                    ),
                ));
            }
        }
    }
    if let Some(pool) = &e.pool {
        if !is_valid_name(pool) {
            return Err(violation(
                format!("{at}.pool"),
                format!(
                    "invalid value: {pool:?}, expected 1-{MAX_ENDPOINT_NAME} letters, digits, '.', '_' or '-'"
                ),
            ));
        }
    }
    let tls = &e.tls;
    if tls.client_cert.is_some() != tls.client_key.is_some() {
        return Err(violation(
            format!(
                "{at}.tls.{}",
                if tls.client_cert.is_some() {
                    "client_key"
                } else {
                    "client_cert"
                }
            ),
            "client_cert and client_key must be given together",
        ));
    }
    if let Some(password) = &tls.client_key_password {
        if tls.client_key.is_none() {
            return Err(violation(
                format!("{at}.tls.client_key_password"),
                "only with client_key (the password of that key)",
            ));
        }
        check_not_placeholder(&format!("{at}.tls.client_key_password"), password.expose())?;
    }
    for (j, lu) in e.lu_names.iter_mut().enumerate() {
        let ok = !lu.is_empty()
            && lu.len() <= MAX_LU_NAME
            && lu
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'@' | b'#' | b'$'));
        if !ok {
            return Err(violation(
                format!("{at}.lu_names[{j}]"),
                format!("invalid value: {lu:?}, expected an LU name of 1-{MAX_LU_NAME} letters, digits, @, # or $"),
            ));
        }
        lu.make_ascii_uppercase();
    }
    if let Some(model) = &e.model {
        if TerminalModel::parse(model).is_err() {
            return Err(violation(
                format!("{at}.model"),
                format!("invalid value: {model:?}, expected 3278-N, 3279-N or N with N 2-5, optionally with -E"),
            ));
        }
    }
    if let Some(code_page) = &mut e.code_page {
        match CodePage::by_name(code_page) {
            Some(cp) => *code_page = cp.name.to_owned(),
            None => {
                return Err(violation(
                    format!("{at}.code_page"),
                    format!(
                        "invalid value: {code_page:?}, expected a code page s3270 knows, such as cp037, 1047 or german"
                    ),
                ))
            }
        }
    }
    if let Some(tt) = &e.terminal_type {
        let ok = tt.len() <= MAX_TERMINAL_TYPE
            && tt
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'/' | b'.'));
        if !ok {
            return Err(violation(
                format!("{at}.terminal_type"),
                format!("invalid value: {tt:?}, expected at most {MAX_TERMINAL_TYPE} letters, digits, '-', '/' or '.' (RFC 1091)"),
            ));
        }
    }
    Ok(())
}

/// A secret that is still a literal `${NAME}` was quoted in the file, where expansion does
/// not apply: refuse it rather than use a guessable secret.
fn check_not_placeholder(key: &str, value: &str) -> Result<(), Violation> {
    let looks_unexpanded = value.starts_with("${") && value.ends_with('}');
    if looks_unexpanded {
        return Err(violation(
            key,
            format!("{value} was not expanded: quoted values are literal, write it unquoted"),
        ));
    }
    Ok(())
}
