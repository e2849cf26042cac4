//! Typed TLS errors: why a handshake with a host failed ([`TlsError`]) and why a TLS
//! configuration could not be built ([`TlsConfigError`]), each with a stable code string
//! (`TLS_UNKNOWN_CA`, ...) for logs, metrics and the REST API, and a one-line message.
//!
//! Owns: the mapping from `rustls::Error` (RFC 8446 §6 alerts, RFC 5280 certificate
//! validation as done by webpki) and from the socket errors of a handshake to these causes.
//! Does not own: connecting or retrying ([`crate::upstream`]).

use std::fmt;
use std::io;
use std::path::PathBuf;

use rustls::{AlertDescription, CertificateError, PeerIncompatible};

/// Why a TLS session with a host failed (during the handshake, or on the first reads when
/// TLS 1.3 lets the server reject the client certificate after the client's Finished).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsError {
    /// The host's certificate chain does not lead to a trusted CA (`ca_file` or system roots).
    UnknownCa,
    /// The certificate is valid, but not for the name we verify (`server_name` or `host`).
    NameMismatch {
        /// The name we expected in the certificate.
        expected: String,
    },
    /// The host's certificate (or one of its chain) has expired.
    Expired,
    /// The host's certificate (or one of its chain) is not valid yet (check the clocks).
    NotYetValid,
    /// Another certificate problem (revoked, bad signature, bad encoding...).
    BadCertificate(String),
    /// No TLS version in common (e.g. host TLS 1.3 only, we allow at most 1.2).
    ProtocolVersion,
    /// The host aborted the handshake with this alert (RFC 8446 §6.2), e.g.
    /// `CertificateRequired` when it wants a client certificate we did not give.
    HandshakeAlert(AlertDescription),
    /// The connection was reset or closed by the host during the handshake.
    ConnectionReset,
    /// The host does not speak TLS correctly (e.g. a plain telnet port).
    Protocol(String),
    /// Any other TLS failure.
    Other(String),
}

impl TlsError {
    /// The stable code of this cause, e.g. `TLS_UNKNOWN_CA`.
    pub fn code(&self) -> &'static str {
        match self {
            TlsError::UnknownCa => "TLS_UNKNOWN_CA",
            TlsError::NameMismatch { .. } => "TLS_NAME_MISMATCH",
            TlsError::Expired => "TLS_CERT_EXPIRED",
            TlsError::NotYetValid => "TLS_CERT_NOT_YET_VALID",
            TlsError::BadCertificate(_) => "TLS_BAD_CERTIFICATE",
            TlsError::ProtocolVersion => "TLS_PROTOCOL_VERSION",
            TlsError::HandshakeAlert(_) => "TLS_HANDSHAKE_ALERT",
            TlsError::ConnectionReset => "TLS_CONNECTION_RESET",
            TlsError::Protocol(_) => "TLS_PROTOCOL_ERROR",
            TlsError::Other(_) => "TLS_ERROR",
        }
    }

    /// Classifies a rustls error. `expected_name` is the name we verify, for
    /// [`TlsError::NameMismatch`].
    pub fn from_rustls(error: &rustls::Error, expected_name: &str) -> TlsError {
        match error {
            rustls::Error::InvalidCertificate(cert) => match cert {
                CertificateError::UnknownIssuer => TlsError::UnknownCa,
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => TlsError::NameMismatch {
                    expected: expected_name.to_owned(),
                },
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                    TlsError::Expired
                }
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                    TlsError::NotYetValid
                }
                _ => TlsError::BadCertificate(error.to_string()),
            },
            rustls::Error::AlertReceived(AlertDescription::ProtocolVersion) => {
                TlsError::ProtocolVersion
            }
            rustls::Error::AlertReceived(alert) => TlsError::HandshakeAlert(*alert),
            rustls::Error::PeerIncompatible(
                PeerIncompatible::ServerDoesNotSupportTls12Or13
                | PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig
                | PeerIncompatible::SupportedVersionsExtensionRequired
                | PeerIncompatible::Tls12NotOffered
                | PeerIncompatible::Tls12NotOfferedOrEnabled,
            ) => TlsError::ProtocolVersion,
            rustls::Error::InvalidMessage(_)
            | rustls::Error::InappropriateMessage { .. }
            | rustls::Error::InappropriateHandshakeMessage { .. }
            | rustls::Error::PeerMisbehaved(_)
            | rustls::Error::PeerSentOversizedRecord => TlsError::Protocol(error.to_string()),
            _ => TlsError::Other(error.to_string()),
        }
    }

    /// The TLS cause inside an IO error of a TLS stream (tokio-rustls wraps `rustls::Error`
    /// in `io::ErrorKind::InvalidData`), if there is one.
    pub fn from_io(error: &io::Error, expected_name: &str) -> Option<TlsError> {
        error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .map(|e| TlsError::from_rustls(e, expected_name))
    }

    /// Classifies an IO error of a handshake: the TLS cause, else a reset/EOF as
    /// [`TlsError::ConnectionReset`], else [`TlsError::Other`].
    pub fn from_handshake_io(error: &io::Error, expected_name: &str) -> TlsError {
        TlsError::from_io(error, expected_name).unwrap_or_else(|| match error.kind() {
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::UnexpectedEof
            | io::ErrorKind::BrokenPipe => TlsError::ConnectionReset,
            _ => TlsError::Other(error.to_string()),
        })
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::UnknownCa => f.write_str(
                "host certificate is not signed by a trusted CA (set tls.ca_file to the host's CA)",
            ),
            TlsError::NameMismatch { expected } => write!(
                f,
                "host certificate is not valid for {expected:?} (set tls.server_name to a name in the certificate)"
            ),
            TlsError::Expired => f.write_str("host certificate has expired"),
            TlsError::NotYetValid => {
                f.write_str("host certificate is not valid yet (check the clocks)")
            }
            TlsError::BadCertificate(detail) => write!(f, "host certificate rejected: {detail}"),
            TlsError::ProtocolVersion => {
                f.write_str("no TLS protocol version in common with the host")
            }
            TlsError::HandshakeAlert(AlertDescription::CertificateRequired) => f.write_str(
                "host requires a client certificate (alert CertificateRequired; set tls.client_cert and tls.client_key)",
            ),
            TlsError::HandshakeAlert(alert) => {
                write!(f, "host aborted the TLS handshake with alert {alert:?}")
            }
            TlsError::ConnectionReset => {
                f.write_str("connection reset by the host during the TLS handshake")
            }
            TlsError::Protocol(detail) => {
                write!(f, "host does not speak TLS correctly: {detail}")
            }
            TlsError::Other(detail) => write!(f, "TLS failure: {detail}"),
        }
    }
}

impl std::error::Error for TlsError {}

/// Why a TLS configuration (client or server side) could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsConfigError {
    /// A PEM file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        error: String,
    },
    /// A certificate file holds no (valid) certificate.
    NoCertificate {
        /// The file.
        path: PathBuf,
    },
    /// A key file holds no (valid) private key.
    NoPrivateKey {
        /// The file.
        path: PathBuf,
    },
    /// A client certificate without its key, or the reverse.
    IncompleteClientAuth,
    /// The key file holds an encrypted key that cannot be read as configured: no password,
    /// or OpenSSL's legacy PEM encryption.
    EncryptedKey {
        /// The file.
        path: PathBuf,
        /// What to do, e.g. `set tls.key_password`.
        hint: &'static str,
    },
    /// The encrypted PKCS#8 key could not be decrypted with its password (a wrong password,
    /// a damaged file, or a scheme other than PBES2).
    KeyPassword {
        /// The file.
        path: PathBuf,
        /// The setting that holds the password (`tls.key_password`, ...).
        setting: &'static str,
    },
    /// The name to verify is not a valid DNS name or IP address.
    InvalidServerName(String),
    /// No `ca_file` and no usable certificate in the system trust store.
    NoTrustedRoots,
    /// A configured cipher suite is not known to the TLS library.
    UnknownCipherSuite(String),
    /// The TLS library refused the configuration (e.g. key does not match the certificate).
    Rejected(String),
}

impl TlsConfigError {
    /// The stable code, e.g. `TLS_CONFIG_NO_PRIVATE_KEY`.
    pub fn code(&self) -> &'static str {
        match self {
            TlsConfigError::Read { .. } => "TLS_CONFIG_READ",
            TlsConfigError::NoCertificate { .. } => "TLS_CONFIG_NO_CERTIFICATE",
            TlsConfigError::NoPrivateKey { .. } => "TLS_CONFIG_NO_PRIVATE_KEY",
            TlsConfigError::IncompleteClientAuth => "TLS_CONFIG_INCOMPLETE_CLIENT_AUTH",
            TlsConfigError::EncryptedKey { .. } => "TLS_CONFIG_ENCRYPTED_KEY",
            TlsConfigError::KeyPassword { .. } => "TLS_CONFIG_KEY_PASSWORD",
            TlsConfigError::InvalidServerName(_) => "TLS_CONFIG_SERVER_NAME",
            TlsConfigError::NoTrustedRoots => "TLS_CONFIG_NO_ROOTS",
            TlsConfigError::UnknownCipherSuite(_) => "TLS_CONFIG_CIPHER_SUITE",
            TlsConfigError::Rejected(_) => "TLS_CONFIG_REJECTED",
        }
    }
}

impl fmt::Display for TlsConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsConfigError::Read { path, error } => {
                write!(f, "cannot read {}: {error}", path.display())
            }
            TlsConfigError::NoCertificate { path } => {
                write!(f, "no PEM certificate in {}", path.display())
            }
            TlsConfigError::NoPrivateKey { path } => {
                write!(f, "no PEM private key in {}", path.display())
            }
            TlsConfigError::IncompleteClientAuth => {
                f.write_str("tls.client_cert and tls.client_key must be given together")
            }
            TlsConfigError::EncryptedKey { path, hint } => {
                write!(
                    f,
                    "the private key in {} is encrypted: {hint}",
                    path.display()
                )
            }
            TlsConfigError::KeyPassword { path, setting } => write!(
                f,
                "cannot decrypt the private key in {}: wrong {setting}, a damaged file, \
                 or an encryption other than PKCS#8 PBES2 (PBKDF2 or scrypt with AES or 3DES)",
                path.display()
            ),
            TlsConfigError::InvalidServerName(name) => {
                write!(f, "{name:?} is not a valid TLS server name")
            }
            TlsConfigError::NoTrustedRoots => f.write_str(
                "no trusted CA: set tls.ca_file (the system trust store is empty or unreadable)",
            ),
            TlsConfigError::UnknownCipherSuite(name) => {
                write!(f, "unknown TLS cipher suite {name:?}")
            }
            TlsConfigError::Rejected(detail) => write!(f, "TLS configuration refused: {detail}"),
        }
    }
}

impl std::error::Error for TlsConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rustls_certificate_errors_map_to_named_causes() {
        let cases = [
            (CertificateError::UnknownIssuer, "TLS_UNKNOWN_CA"),
            (CertificateError::NotValidForName, "TLS_NAME_MISMATCH"),
            (CertificateError::Expired, "TLS_CERT_EXPIRED"),
            (CertificateError::NotValidYet, "TLS_CERT_NOT_YET_VALID"),
            (CertificateError::Revoked, "TLS_BAD_CERTIFICATE"),
        ];
        for (cert, code) in cases {
            let e = TlsError::from_rustls(&rustls::Error::InvalidCertificate(cert), "h");
            assert_eq!(e.code(), code, "{e}");
        }
    }

    #[test]
    fn alerts_and_versions() {
        let alert = rustls::Error::AlertReceived(AlertDescription::ProtocolVersion);
        assert_eq!(
            TlsError::from_rustls(&alert, "h"),
            TlsError::ProtocolVersion
        );
        let alert = rustls::Error::AlertReceived(AlertDescription::CertificateRequired);
        let e = TlsError::from_rustls(&alert, "h");
        assert_eq!(e.code(), "TLS_HANDSHAKE_ALERT");
        assert!(e.to_string().contains("client certificate"), "{e}");
        let ours = rustls::Error::PeerIncompatible(
            PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig,
        );
        assert_eq!(TlsError::from_rustls(&ours, "h"), TlsError::ProtocolVersion);
    }

    #[test]
    fn io_errors_of_a_handshake() {
        let wrapped = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
        );
        assert_eq!(
            TlsError::from_handshake_io(&wrapped, "h"),
            TlsError::UnknownCa
        );
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert_eq!(
            TlsError::from_handshake_io(&reset, "h"),
            TlsError::ConnectionReset
        );
        let eof = io::Error::from(io::ErrorKind::UnexpectedEof);
        assert_eq!(
            TlsError::from_handshake_io(&eof, "h").code(),
            "TLS_CONNECTION_RESET"
        );
    }
}
