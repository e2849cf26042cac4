//! The audit event: one JSON object per line of the audit log, with the deployment guide's
//! event types (`docs/SECURITY.md` § "Audit events").

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The deployment guide's event types (CONFIG.md "Event types").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// A session was opened (websocket, REST or native TN3270).
    SessionCreated,
    /// A session ended; `details.code` says why.
    SessionClosed,
    /// A session lost its browser and waits for a resume (or was suspended by the API).
    SessionSuspended,
    /// A browser resumed a session.
    SessionResumed,
    /// Credentials were accepted (a ticket issued, a websocket admitted).
    AuthenticationSuccess,
    /// Credentials were missing, wrong, or refused by brute-force damping.
    AuthenticationFailed,
    /// The terminal received a host record (summary only, never the screen text).
    DataReceived,
    /// The terminal sent a record to the host (AID, cursor, fields; non-display fields
    /// redacted).
    DataSent,
    /// Something the terminal sent was refused, or a bridge-side error.
    ErrorOccurred,
    /// The host connection failed (I/O error, keepalive timeout).
    ConnectionLost,
}

impl EventType {
    /// Every event type, in the guide's order.
    pub const ALL: [EventType; 10] = [
        EventType::SessionCreated,
        EventType::SessionClosed,
        EventType::SessionSuspended,
        EventType::SessionResumed,
        EventType::AuthenticationSuccess,
        EventType::AuthenticationFailed,
        EventType::DataReceived,
        EventType::DataSent,
        EventType::ErrorOccurred,
        EventType::ConnectionLost,
    ];

    /// The name on the wire (`session_created`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::SessionCreated => "session_created",
            EventType::SessionClosed => "session_closed",
            EventType::SessionSuspended => "session_suspended",
            EventType::SessionResumed => "session_resumed",
            EventType::AuthenticationSuccess => "authentication_success",
            EventType::AuthenticationFailed => "authentication_failed",
            EventType::DataReceived => "data_received",
            EventType::DataSent => "data_sent",
            EventType::ErrorOccurred => "error_occurred",
            EventType::ConnectionLost => "connection_lost",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// One audit event (one line of the audit log).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    /// RFC 3339 UTC with milliseconds.
    pub timestamp: String,
    /// The same instant in milliseconds since the Unix epoch (what `since` compares with).
    pub timestamp_ms: u64,
    /// What happened.
    pub event_type: EventType,
    /// The session, if the event belongs to one.
    #[serde(default)]
    pub session_id: Option<String>,
    /// The authenticated user (`null` with authentication off or before it succeeded).
    #[serde(default)]
    pub user: Option<String>,
    /// The client's address (`ip:port`).
    #[serde(default)]
    pub client: Option<String>,
    /// The endpoint name (sessions) or the HTTP path (authentication events).
    #[serde(default)]
    pub endpoint: Option<String>,
    /// `audit.framework`, if configured.
    #[serde(default)]
    pub framework: Option<String>,
    /// Event-specific facts (`docs/SECURITY.md`).
    #[serde(default)]
    pub details: serde_json::Value,
}

impl AuditEvent {
    /// An event of `event_type` at `now_ms`, with nothing else filled in.
    pub fn new(event_type: EventType, now_ms: u64) -> AuditEvent {
        AuditEvent {
            timestamp: super::time::rfc3339(now_ms),
            timestamp_ms: now_ms,
            event_type,
            session_id: None,
            user: None,
            client: None,
            endpoint: None,
            framework: None,
            details: serde_json::Value::Null,
        }
    }

    /// Sets the session id.
    pub fn session(mut self, id: &str) -> AuditEvent {
        self.session_id = Some(id.to_owned());
        self
    }

    /// Sets the user.
    pub fn user(mut self, user: Option<&str>) -> AuditEvent {
        self.user = user.map(str::to_owned);
        self
    }

    /// Sets the client address.
    pub fn client(mut self, client: Option<std::net::SocketAddr>) -> AuditEvent {
        self.client = client.map(|c| c.to_string());
        self
    }

    /// Sets the endpoint (or path).
    pub fn endpoint(mut self, endpoint: &str) -> AuditEvent {
        self.endpoint = Some(endpoint.to_owned());
        self
    }

    /// Sets the details.
    pub fn details(mut self, details: serde_json::Value) -> AuditEvent {
        self.details = details;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_have_the_guides_names() {
        for e in EventType::ALL {
            let json = serde_json::to_value(e).unwrap();
            assert_eq!(json, serde_json::json!(e.as_str()));
            assert_eq!(EventType::parse(e.as_str()), Some(e));
        }
        assert_eq!(EventType::DataSent.as_str(), "data_sent");
        assert_eq!(EventType::parse("data_send"), None);
    }
}
