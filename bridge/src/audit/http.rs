//! `GET /api/v1/audit` and `GET /api/v1/compliance/report` (shapes of CONFIG.md; behind the
//! authentication guard like all of `/api/v1`).
//!
//! `/audit` reads the audit files themselves (rotated files oldest first, then the current
//! one; sealed lines are opened with the audit key), so it sees every event still retained,
//! across restarts. Parameters: `event_type` (one of the guide's types), `session_id`, `user`,
//! `since` (ms since the epoch, inclusive), `limit` (default 1000, 1..=10000). Answer:
//! `{"events": [...], "total": N, "limit": L}` — the `limit` most recent matching events,
//! oldest first; `total` counts all matches. Audit off: 404 `AUDIT_DISABLED`.
//!
//! `/compliance/report` evaluates the rules of `docs/SECURITY.md` § Compliance against the
//! running configuration and the audit log of the last `period` days (30, 90 or 365;
//! default 30) for `framework` (`SOC2`, `HIPAA`, `PCI-DSS`; default `compliance.framework`,
//! else `audit.framework`, else SOC2).
//!
//! Both answers are typed ([`AuditEvents`], [`ComplianceReport`]) and documented in the
//! OpenAPI document through [`AuditDoc`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

use super::{time, AuditEvent, AuditQuery, EventType, DEFAULT_QUERY_LIMIT, MAX_QUERY_LIMIT};
use crate::api::error::ErrorBody;
use crate::auth::http::error;
use crate::config::{Choice as _, Config, Framework};
use crate::server::AppState;

/// Event types the compliance report counts over its period.
pub const REPORTED_EVENTS: [EventType; 3] = [
    EventType::AuthenticationFailed,
    EventType::ErrorOccurred,
    EventType::SessionCreated,
];

/// Periods the compliance report accepts, in days.
pub const PERIODS: [u32; 3] = [30, 90, 365];

/// The routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/audit", get(audit))
        .route("/api/v1/compliance/report", get(report))
}

#[derive(Debug, Deserialize)]
struct AuditParams {
    event_type: Option<String>,
    session_id: Option<String>,
    user: Option<String>,
    since: Option<String>,
    limit: Option<String>,
}

/// `GET /api/v1/audit` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvents {
    /// The `limit` most recent matching events, oldest first.
    pub events: Vec<AuditEvent>,
    /// Matching events in all.
    pub total: usize,
    /// The limit applied.
    pub limit: usize,
}

fn bad(message: String) -> Response {
    error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", &message)
}

/// The audit events still retained, across restarts (sealed lines opened).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(
        ("event_type" = Option<EventType>, Query, description = "Only events of this type"),
        ("session_id" = Option<String>, Query, description = "Only events of this session"),
        ("user" = Option<String>, Query, description = "Only events of this user"),
        ("since" = Option<u64>, Query, description = "Only events at or after this time, in ms since the Unix epoch"),
        ("limit" = Option<usize>, Query, description = "At most this many (the most recent), 1..=10000; default 1000", minimum = 1, maximum = 10000),
    ),
    responses(
        (status = 200, description = "Matching events", body = AuditEvents),
        (status = 400, description = "INVALID_REQUEST: a bad parameter", body = ErrorBody),
        (status = 404, description = "AUDIT_DISABLED: the audit log is off", body = ErrorBody),
        (status = 500, description = "INTERNAL_ERROR: the log could not be read", body = ErrorBody),
    ))]
async fn audit(
    State(state): State<Arc<AppState>>,
    params: Result<Query<AuditParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(p)) = params else {
        return bad("unreadable query string".into());
    };
    let event_type = match p.event_type.as_deref() {
        None | Some("") => None,
        Some(s) => match EventType::parse(s) {
            Some(t) => Some(t),
            None => return bad(format!("unknown event_type {s:?}")),
        },
    };
    let since_ms = match p.since.as_deref() {
        None | Some("") => None,
        Some(s) => match s.parse::<u64>() {
            Ok(v) => Some(v),
            Err(_) => return bad("since must be milliseconds since the epoch".into()),
        },
    };
    let limit = match p.limit.as_deref() {
        None | Some("") => DEFAULT_QUERY_LIMIT,
        Some(s) => match s.parse::<usize>() {
            Ok(v) if (1..=MAX_QUERY_LIMIT).contains(&v) => v,
            _ => return bad(format!("limit must be 1..={MAX_QUERY_LIMIT}")),
        },
    };
    if !state.audit.is_enabled() {
        return error(
            StatusCode::NOT_FOUND,
            "AUDIT_DISABLED",
            "audit is off (audit.enabled / audit.log_path)",
        );
    }
    let q = AuditQuery {
        event_type,
        session_id: p.session_id.filter(|s| !s.is_empty()),
        user: p.user.filter(|s| !s.is_empty()),
        since_ms,
        limit,
    };
    let log = state.audit.clone();
    match tokio::task::spawn_blocking(move || log.query(&q)).await {
        Ok(Ok(page)) => Json(AuditEvents {
            events: page.events,
            total: page.total,
            limit: page.limit,
        })
        .into_response(),
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", &e),
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "audit query failed",
        ),
    }
}

#[derive(Debug, Deserialize)]
struct ReportParams {
    framework: Option<String>,
    period: Option<String>,
}

/// Severity of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Weight 3.
    Critical,
    /// Weight 2.
    Warning,
    /// Weight 1.
    Info,
}

impl Severity {
    fn name(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
    fn weight(self) -> u32 {
        match self {
            Severity::Critical => 3,
            Severity::Warning => 2,
            Severity::Info => 1,
        }
    }
}

/// One evaluated rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleResult {
    /// Stable id.
    pub id: &'static str,
    /// Severity if violated.
    pub severity: Severity,
    /// Whether the bridge complies.
    pub passed: bool,
    /// What was checked, with the facts.
    pub message: String,
}

/// Minimum audit retention in days a framework asks for (SOC 2: one year of evidence for a
/// Type II period; HIPAA §164.316(b)(2): six years; PCI DSS v4 req. 10.5.1: one year).
pub fn minimum_retention_days(f: Framework) -> u32 {
    match f {
        Framework::Soc2 => 365,
        Framework::Hipaa => 6 * 365,
        Framework::PciDss => 365,
    }
}

/// Facts from the running bridge that the rules need besides the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RuntimeFacts {
    /// Audit events dropped since start.
    pub audit_dropped: u64,
}

/// Evaluates the rules for `framework` (docs/SECURITY.md § Compliance).
pub fn evaluate(config: &Config, framework: Framework, facts: RuntimeFacts) -> Vec<RuleResult> {
    let auth = &config.authentication;
    let audit = &config.audit;
    let https = config.tls.enabled || auth.require_https;
    let need_days = minimum_retention_days(framework).max(config.compliance.log_retention_days);
    let plain_endpoints: Vec<&str> = config
        .endpoints
        .iter()
        .filter(|e| e.builtin.is_none() && !e.tls.enabled)
        .map(|e| e.name.as_str())
        .collect();
    let strict = matches!(framework, Framework::Hipaa | Framework::PciDss);
    let rule = |id, severity, passed, message: String| RuleResult {
        id,
        severity,
        passed,
        message,
    };
    vec![
        rule("authentication_enabled", Severity::Critical,
            auth.enabled && auth.kind != crate::config::AuthType::None,
            format!("authentication.enabled={} type={}", auth.enabled, auth.kind.as_str())),
        rule("https_enforced",
            if config.compliance.require_https { Severity::Critical } else { Severity::Warning },
            https,
            format!("tls.enabled={} authentication.require_https={}", config.tls.enabled, auth.require_https)),
        rule("audit_enabled", Severity::Critical, audit.is_enabled(),
            format!("audit.enabled={}", audit.is_enabled())),
        rule("audit_retention", Severity::Warning,
            audit.is_enabled() && audit.retention_days >= need_days,
            format!("audit.retention_days={} (needs {need_days} for {} / compliance.log_retention_days)",
                audit.retention_days, framework.as_str())),
        rule("audit_encrypted", if strict { Severity::Warning } else { Severity::Info },
            audit.is_enabled() && audit.encrypt_logs,
            format!("audit.encrypt_logs={}", audit.encrypt_logs)),
        rule("audit_secure_delete", Severity::Info, audit.secure_delete,
            format!("audit.secure_delete={}", audit.secure_delete)),
        rule("audit_complete", Severity::Warning, facts.audit_dropped == 0,
            format!("{} audit events dropped since start", facts.audit_dropped)),
        rule("mfa", Severity::Warning, !config.compliance.enforce_mfa,
            if config.compliance.enforce_mfa {
                "compliance.enforce_mfa is set but web3270 has no second factor: put an MFA-capable proxy in front".into()
            } else {
                "compliance.enforce_mfa is not set".into()
            }),
        rule("upstream_tls", if strict { Severity::Warning } else { Severity::Info },
            plain_endpoints.is_empty(),
            if plain_endpoints.is_empty() { "every remote endpoint uses TLS".into() }
            else { format!("endpoints without TLS: {}", plain_endpoints.join(", ")) }),
        rule("rate_limiting", Severity::Info, config.rate_limiting.enabled,
            format!("rate_limiting.enabled={}", config.rate_limiting.enabled)),
    ]
}

/// 100 × (weights of passed rules) / (weights of all rules), rounded down.
pub fn score(rules: &[RuleResult]) -> u32 {
    let total: u32 = rules.iter().map(|r| r.severity.weight()).sum();
    let passed: u32 = rules
        .iter()
        .filter(|r| r.passed)
        .map(|r| r.severity.weight())
        .sum();
    (passed * 100).checked_div(total).unwrap_or(100)
}

/// `GET /api/v1/compliance/report` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceReport {
    /// `SOC2`, `HIPAA` or `PCI-DSS`.
    #[schema(example = "SOC2")]
    pub framework: String,
    /// 30, 90 or 365.
    pub period_days: u32,
    /// RFC 3339 UTC.
    pub generated_at: String,
    /// Rules evaluated.
    pub total_rules: usize,
    /// Failed rules by severity.
    pub violations: Violations,
    /// 100 × weights of passed rules / weights of all rules (critical 3, warning 2, info 1).
    pub compliance_score: u32,
    /// Every rule with its verdict (extension).
    pub rules: Vec<RuleView>,
    /// Security-relevant audit events of the period by type: `authentication_failed`,
    /// `error_occurred`, `session_created` (extension; empty with audit off).
    pub audit_events: BTreeMap<String, usize>,
}

/// Failed rules by severity.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Violations {
    /// Failed critical rules.
    pub critical: u32,
    /// Failed warnings.
    pub warning: u32,
    /// Failed informational rules.
    pub info: u32,
}

/// One evaluated rule in the report.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleView {
    /// Stable id (`authentication_enabled`, `https_enforced`...).
    pub id: String,
    /// `critical`, `warning` or `info`.
    pub severity: String,
    /// Whether the bridge complies.
    pub passed: bool,
    /// What was checked, with the facts.
    pub message: String,
}

/// The report's `framework` parameter in the OpenAPI document: a name of [`Framework::ALL`]
/// (the handler also takes them in any case).
pub struct ComplianceFramework;

impl utoipa::PartialSchema for ComplianceFramework {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(Framework::ALL.iter().map(|(_, name)| *name)))
            .into()
    }
}

impl ToSchema for ComplianceFramework {
    fn name() -> std::borrow::Cow<'static, str> {
        "ComplianceFramework".into()
    }
}

/// The report's `period` parameter in the OpenAPI document: one of [`PERIODS`] days.
pub struct CompliancePeriod;

impl utoipa::PartialSchema for CompliancePeriod {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .enum_values(Some(PERIODS))
            .into()
    }
}

impl ToSchema for CompliancePeriod {
    fn name() -> std::borrow::Cow<'static, str> {
        "CompliancePeriod".into()
    }
}

/// Evaluates docs/SECURITY.md's compliance rules against the running configuration and
/// counts the period's security-relevant audit events.
#[utoipa::path(get, path = "/api/v1/compliance/report", tag = "audit",
    params(
        ("framework" = Option<ComplianceFramework>, Query, description = "`SOC2`, `HIPAA` or `PCI-DSS` (case-insensitive); default `compliance.framework`, else `audit.framework`, else SOC2"),
        ("period" = Option<CompliancePeriod>, Query, description = "Days of audit log to count: 30, 90 or 365; default 30"),
    ),
    responses(
        (status = 200, description = "The report", body = ComplianceReport),
        (status = 400, description = "INVALID_REQUEST: unknown framework or period", body = ErrorBody),
    ))]
async fn report(
    State(state): State<Arc<AppState>>,
    params: Result<Query<ReportParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(p)) = params else {
        return bad("unreadable query string".into());
    };
    let framework = match p.framework.as_deref() {
        None | Some("") => state
            .config
            .compliance
            .framework
            .or(state.config.audit.framework)
            .unwrap_or(Framework::Soc2),
        Some(s) => match Framework::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(s))
        {
            Some((f, _)) => *f,
            None => return bad(format!("unknown framework {s:?} (SOC2, HIPAA, PCI-DSS)")),
        },
    };
    let period = match p.period.as_deref() {
        None | Some("") => 30,
        Some(s) => match s.parse::<u32>() {
            Ok(v) if PERIODS.contains(&v) => v,
            _ => return bad("period must be 30, 90 or 365".into()),
        },
    };
    let facts = RuntimeFacts {
        audit_dropped: state.audit.counters().dropped,
    };
    let rules = evaluate(&state.config, framework, facts);
    let mut violations = Violations::default();
    for r in rules.iter().filter(|r| !r.passed) {
        *match r.severity {
            Severity::Critical => &mut violations.critical,
            Severity::Warning => &mut violations.warning,
            Severity::Info => &mut violations.info,
        } += 1;
    }
    // Security-relevant events of the period, from the audit log.
    let now_ms = time::unix_ms(SystemTime::now());
    let since = now_ms.saturating_sub(u64::from(period) * time::MS_PER_DAY);
    let mut counts = BTreeMap::new();
    if state.audit.is_enabled() {
        let log = state.audit.clone();
        let counted = tokio::task::spawn_blocking(move || {
            REPORTED_EVENTS
                .map(|t| {
                    let q = AuditQuery {
                        event_type: Some(t),
                        since_ms: Some(since),
                        limit: 1,
                        ..AuditQuery::default()
                    };
                    (t, log.query(&q).map(|p| p.total).unwrap_or(0))
                })
                .to_vec()
        })
        .await
        .unwrap_or_default();
        for (t, n) in counted {
            counts.insert(t.as_str().to_owned(), n);
        }
    }
    Json(ComplianceReport {
        framework: framework.as_str().to_owned(),
        period_days: period,
        generated_at: time::rfc3339(now_ms),
        total_rules: rules.len(),
        violations,
        compliance_score: score(&rules),
        rules: rules
            .iter()
            .map(|r| RuleView {
                id: r.id.to_owned(),
                severity: r.severity.name().to_owned(),
                passed: r.passed,
                message: r.message.clone(),
            })
            .collect(),
        audit_events: counts,
    })
    .into_response()
}

/// The OpenAPI part of these routes, merged in `crate::api::openapi::document`.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(audit, report),
    components(schemas(
        AuditEvents,
        AuditEvent,
        EventType,
        ComplianceReport,
        Violations,
        RuleView,
        ComplianceFramework,
        CompliancePeriod
    )),
    tags((name = "audit", description = "The audit log and the compliance report (docs/SECURITY.md)"))
)]
pub struct AuditDoc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_fails_the_critical_rules() {
        let config = Config::demo();
        let rules = evaluate(&config, Framework::Soc2, RuntimeFacts::default());
        let failed: Vec<_> = rules.iter().filter(|r| !r.passed).map(|r| r.id).collect();
        assert!(failed.contains(&"authentication_enabled"));
        assert!(failed.contains(&"audit_enabled"));
        assert!(failed.contains(&"https_enforced"));
        assert!(score(&rules) < 50, "{}", score(&rules));
    }

    #[test]
    fn a_hardened_configuration_scores_100_and_retention_depends_on_the_framework() {
        let mut config = Config::demo();
        config.authentication.enabled = true;
        config.authentication.kind = crate::config::AuthType::Bearer;
        config.authentication.require_https = true;
        config.audit.enabled = Some(true);
        config.audit.log_path = Some("/tmp/x".into());
        config.audit.retention_days = 365;
        config.audit.encrypt_logs = true;
        config.audit.secure_delete = true;
        config.rate_limiting.enabled = true;
        let rules = evaluate(&config, Framework::Soc2, RuntimeFacts::default());
        assert_eq!(score(&rules), 100, "{rules:#?}");
        // HIPAA needs six years.
        let rules = evaluate(&config, Framework::Hipaa, RuntimeFacts::default());
        let retention = rules.iter().find(|r| r.id == "audit_retention").unwrap();
        assert!(!retention.passed);
        assert!(retention.message.contains("2190"), "{}", retention.message);
        // Dropped events are a violation.
        let rules = evaluate(&config, Framework::Soc2, RuntimeFacts { audit_dropped: 3 });
        assert!(
            !rules
                .iter()
                .find(|r| r.id == "audit_complete")
                .unwrap()
                .passed
        );
    }
}
