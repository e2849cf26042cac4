//! [`UpstreamError`]: why a host connection could not be established or used, with a stable
//! code per cause (`UPSTREAM_REFUSED`, `TLS_UNKNOWN_CA`, ...) and a one-line message.
//!
//! Owns the error taxonomy of [`crate::upstream`]; TLS causes come from [`crate::tls`].

use std::fmt;
use std::time::Duration;

use tn3270::tn3270e::{Mode, SendError};

use crate::tls::{TlsConfigError, TlsError};

/// Why connecting to, negotiating with, or sending to a host failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamError {
    /// The endpoint or options cannot be used (builtin endpoint, bad model...).
    Config(String),
    /// The endpoint's TLS settings cannot be loaded.
    TlsConfig(TlsConfigError),
    /// The host name did not resolve.
    Dns {
        /// The name looked up.
        host: String,
        /// The resolver's message.
        detail: String,
    },
    /// Every address of the host refused the TCP connection.
    Refused {
        /// `host:port`.
        target: String,
    },
    /// The TCP connection was not established in time.
    ConnectTimeout {
        /// `host:port`.
        target: String,
        /// The timeout.
        after: Duration,
    },
    /// Another TCP connect failure (network unreachable...).
    Unreachable {
        /// `host:port`.
        target: String,
        /// The OS message.
        detail: String,
    },
    /// The TLS handshake (or the session right after it) failed.
    Tls(TlsError),
    /// The TLS handshake did not finish in time.
    TlsTimeout {
        /// The timeout.
        after: Duration,
    },
    /// `tls.mode: starttls`, but the host entered 3270 mode without offering START-TLS:
    /// refused rather than run the session in clear text.
    StartTlsNotOffered,
    /// The host did not enter 3270 mode in time; `mode` says where it stayed.
    No3270 {
        /// [`Mode::Nvt`] (the host talks line-mode telnet) or [`Mode::Negotiating`].
        mode: Mode,
        /// The negotiation timeout.
        after: Duration,
        /// The start of the host's NVT text, if any (e.g. a `login:` prompt).
        nvt_text: String,
    },
    /// The host closed the connection before 3270 mode.
    ClosedDuringNegotiation {
        /// Where the negotiation stood.
        mode: Mode,
    },
    /// A socket error after the connection was established.
    Io(String),
    /// The protocol state refuses this send (not in 3270 mode, TN3270E-only data type...).
    Send(SendError),
    /// A record larger than [`super::MAX_SEND_RECORD`].
    RecordTooLarge {
        /// Its length.
        len: usize,
    },
    /// The connection has ended; nothing can be sent.
    Closed,
}

impl UpstreamError {
    /// The stable code of this cause.
    pub fn code(&self) -> &'static str {
        match self {
            UpstreamError::Config(_) => "UPSTREAM_CONFIG",
            UpstreamError::TlsConfig(e) => e.code(),
            UpstreamError::Dns { .. } => "UPSTREAM_DNS",
            UpstreamError::Refused { .. } => "UPSTREAM_REFUSED",
            UpstreamError::ConnectTimeout { .. } => "UPSTREAM_CONNECT_TIMEOUT",
            UpstreamError::Unreachable { .. } => "UPSTREAM_UNREACHABLE",
            UpstreamError::Tls(e) => e.code(),
            UpstreamError::TlsTimeout { .. } => "TLS_TIMEOUT",
            UpstreamError::StartTlsNotOffered => "UPSTREAM_STARTTLS_NOT_OFFERED",
            UpstreamError::No3270 {
                mode: Mode::Nvt, ..
            } => "UPSTREAM_STAYED_NVT",
            UpstreamError::No3270 { .. } => "UPSTREAM_NO_3270",
            UpstreamError::ClosedDuringNegotiation { .. } => "UPSTREAM_CLOSED_DURING_NEGOTIATION",
            UpstreamError::Io(_) => "UPSTREAM_IO",
            UpstreamError::Send(_) => "UPSTREAM_SEND_REFUSED",
            UpstreamError::RecordTooLarge { .. } => "UPSTREAM_RECORD_TOO_LARGE",
            UpstreamError::Closed => "UPSTREAM_CLOSED",
        }
    }

    /// Whether another endpoint may do better (failover): the host could not be reached or
    /// negotiated with, as opposed to a local configuration or usage error.
    pub fn is_host_failure(&self) -> bool {
        !matches!(
            self,
            UpstreamError::Config(_)
                | UpstreamError::TlsConfig(_)
                | UpstreamError::Send(_)
                | UpstreamError::RecordTooLarge { .. }
        )
    }
}

/// A short name of a mode for messages.
pub(crate) fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Negotiating => "telnet negotiation",
        Mode::Nvt => "NVT (line mode)",
        Mode::Tn3270 => "TN3270",
        Mode::Tn3270e { .. } => "TN3270E",
    }
}

impl fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UpstreamError::Config(detail) => write!(f, "endpoint cannot be used: {detail}"),
            UpstreamError::TlsConfig(e) => write!(f, "TLS settings: {e}"),
            UpstreamError::Dns { host, detail } => {
                write!(f, "host name {host:?} does not resolve: {detail}")
            }
            UpstreamError::Refused { target } => write!(f, "{target} refused the connection"),
            UpstreamError::ConnectTimeout { target, after } => {
                write!(f, "no TCP connection to {target} within {after:?}")
            }
            UpstreamError::Unreachable { target, detail } => {
                write!(f, "cannot connect to {target}: {detail}")
            }
            UpstreamError::Tls(e) => e.fmt(f),
            UpstreamError::TlsTimeout { after } => {
                write!(f, "TLS handshake not finished within {after:?}")
            }
            UpstreamError::StartTlsNotOffered => f.write_str(
                "host did not offer START-TLS (tls.mode: starttls); refusing a clear-text session",
            ),
            UpstreamError::No3270 {
                mode,
                after,
                nvt_text,
            } if nvt_text.is_empty() => write!(
                f,
                "host did not enter 3270 mode within {after:?}: still in {}",
                mode_name(*mode)
            ),
            UpstreamError::No3270 {
                mode,
                after,
                nvt_text,
            } => write!(
                f,
                "host did not enter 3270 mode within {after:?}: still in {}, it sent {nvt_text:?}",
                mode_name(*mode)
            ),
            UpstreamError::ClosedDuringNegotiation { mode } => {
                write!(f, "host closed the connection during {}", mode_name(*mode))
            }
            UpstreamError::Io(detail) => write!(f, "host connection failed: {detail}"),
            UpstreamError::Send(e) => write!(f, "cannot send now: {e:?}"),
            UpstreamError::RecordTooLarge { len } => write!(
                f,
                "record of {len} bytes exceeds the limit of {} bytes",
                super::MAX_SEND_RECORD
            ),
            UpstreamError::Closed => f.write_str("host connection is closed"),
        }
    }
}

impl std::error::Error for UpstreamError {}

impl From<TlsError> for UpstreamError {
    fn from(e: TlsError) -> Self {
        UpstreamError::Tls(e)
    }
}

impl From<TlsConfigError> for UpstreamError {
    fn from(e: TlsConfigError) -> Self {
        UpstreamError::TlsConfig(e)
    }
}

impl From<SendError> for UpstreamError {
    fn from(e: SendError) -> Self {
        UpstreamError::Send(e)
    }
}
