//! # tls — rustls configurations for the bridge (client side towards hosts, server side for
//! the bridge's own listeners) and typed TLS errors
//!
//! Owns:
//! - [`TlsClient`]: the client configuration of one endpoint (`endpoints[].tls` of
//!   [`crate::config::EndpointTls`]): trust from `ca_file`, else the system trust store
//!   (rustls-native-certs: `SSL_CERT_FILE`/`SSL_CERT_DIR` or `/etc/ssl/certs`); the name to
//!   verify and send as SNI (`server_name`, else `host`); an optional client certificate;
//!   the allowed TLS versions ([`ClientTlsOptions`]); and `insecure` (no verification, for
//!   tests only, logged at WARN on every connection). Its [`TlsClient::handshake`] runs the
//!   handshake over any byte stream (a fresh TCP socket for implicit TLS, or the telnet
//!   socket after START-TLS FOLLOWS).
//! - [`server_config`]: the server configuration of the bridge's listeners from the `tls:`
//!   section ([`crate::config::TlsConfig`]): certificate chain and key (PEM; an encrypted
//!   PKCS#8 key is decrypted with `key_password`, [`key`]), minimum
//!   version, cipher suites by IANA name, and client certificates required when
//!   `ca_cert_path` is set (mutual TLS).
//! - [`TlsError`] / [`TlsConfigError`] ([`error`]): the causes, with stable codes.
//!
//! Every configuration names its crypto provider explicitly ([`provider`]: ring), so no
//! process-wide default provider is needed. PEM is read with rustls-pki-types'
//! `PemObject`. Does not own: sockets, timeouts, telnet (see [`crate::upstream`]).
//!
//! Specs: TLS 1.2 (RFC 5246), TLS 1.3 (RFC 8446), server identity (RFC 6125), telnet
//! START-TLS (draft-altman-telnet-starttls, as used by TN3270 servers).

pub mod error;
pub mod key;
mod rewind;
pub mod validity;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme, SupportedProtocolVersion};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::config::{Endpoint, TlsConfig, TlsVersion};
pub use error::{TlsConfigError, TlsError};
pub use rewind::Rewind;

/// The crypto provider of every TLS configuration the bridge builds: ring.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// TLS versions a client may use towards a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientTlsOptions {
    /// Lowest version offered. Default 1.2.
    pub min_version: TlsVersion,
    /// Highest version offered. Default 1.3.
    pub max_version: TlsVersion,
}

impl Default for ClientTlsOptions {
    fn default() -> Self {
        ClientTlsOptions {
            min_version: TlsVersion::V1_2,
            max_version: TlsVersion::V1_3,
        }
    }
}

/// The client TLS configuration of one endpoint, ready to run handshakes.
#[derive(Clone)]
pub struct TlsClient {
    config: Arc<rustls::ClientConfig>,
    server_name: ServerName<'static>,
    expected_name: String,
    insecure: bool,
}

impl std::fmt::Debug for TlsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsClient")
            .field("server_name", &self.expected_name)
            .field("insecure", &self.insecure)
            .finish_non_exhaustive()
    }
}

impl TlsClient {
    /// Builds the configuration of `endpoint` (its `tls` section; `enabled` is not looked
    /// at: the caller decides whether TLS is used).
    pub fn new(
        endpoint: &Endpoint,
        options: &ClientTlsOptions,
    ) -> Result<TlsClient, TlsConfigError> {
        let tls = &endpoint.tls;
        let expected_name = tls
            .server_name
            .clone()
            .unwrap_or_else(|| endpoint.host.clone());
        let server_name = ServerName::try_from(expected_name.clone())
            .map_err(|_| TlsConfigError::InvalidServerName(expected_name.clone()))?;
        let provider = provider();
        let versions = versions(options.min_version, options.max_version)?;
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions)
            .map_err(rejected)?;
        let builder = if tls.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(InsecureVerifier { provider }))
        } else {
            let roots = match &tls.ca_file {
                Some(path) => Arc::new(roots_from_file(path)?),
                None => system_roots()?,
            };
            builder.with_root_certificates(roots)
        };
        let config = match (&tls.client_cert, &tls.client_key) {
            (Some(cert), Some(key)) => builder
                .with_client_auth_cert(
                    load_certs(cert)?,
                    key::parse(
                        key,
                        &read(key)?,
                        tls.client_key_password.as_ref().map(|p| p.expose()),
                        key::PasswordKey::Endpoint,
                    )?,
                )
                .map_err(rejected)?,
            (None, None) => builder.with_no_client_auth(),
            _ => return Err(TlsConfigError::IncompleteClientAuth),
        };
        Ok(TlsClient {
            config: Arc::new(config),
            server_name,
            expected_name,
            insecure: tls.insecure,
        })
    }

    /// The name verified in the host certificate and sent as SNI.
    pub fn server_name(&self) -> &str {
        &self.expected_name
    }

    /// The rustls configuration.
    pub fn config(&self) -> &Arc<rustls::ClientConfig> {
        &self.config
    }

    /// Runs the TLS handshake over `stream`.
    pub async fn handshake<S>(
        &self,
        stream: S,
    ) -> Result<tokio_rustls::client::TlsStream<S>, TlsError>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        if self.insecure {
            tracing::warn!(
                server_name = %self.expected_name,
                "tls: certificate verification is OFF (tls.insecure, for tests only)"
            );
        }
        tokio_rustls::TlsConnector::from(self.config.clone())
            .connect(self.server_name.clone(), stream)
            .await
            .map_err(|e| TlsError::from_handshake_io(&e, &self.expected_name))
    }
}

/// Builds the server configuration of the bridge's listeners from `tls:` (its `enabled`
/// flag is not looked at). ALPN is left empty for the caller to set.
///
/// `cipher_suites` restricts TLS 1.2 suites when it names any TLS 1.2 suite, and TLS 1.3
/// suites when it names any TLS 1.3 suite; a version it names nothing of keeps ring's
/// defaults. With `ca_cert_path`, every client must present a certificate signed by that CA
/// (mutual TLS, required).
pub fn server_config(tls: &TlsConfig) -> Result<rustls::ServerConfig, TlsConfigError> {
    let cert_path = tls
        .cert_path
        .as_deref()
        .ok_or_else(|| TlsConfigError::NoCertificate {
            path: PathBuf::new(),
        })?;
    let key_path = tls
        .key_path
        .as_deref()
        .ok_or_else(|| TlsConfigError::NoPrivateKey {
            path: PathBuf::new(),
        })?;
    let mut provider = rustls::crypto::ring::default_provider();
    if !tls.cipher_suites.is_empty() {
        let mut chosen = Vec::with_capacity(tls.cipher_suites.len());
        for name in &tls.cipher_suites {
            let suite = provider
                .cipher_suites
                .iter()
                .find(|s| {
                    s.suite()
                        .as_str()
                        .is_some_and(|ours| suite_matches(name, ours))
                })
                .ok_or_else(|| TlsConfigError::UnknownCipherSuite(name.clone()))?;
            chosen.push(*suite);
        }
        // Each TLS version is restricted only when the list names a suite of it; the other
        // keeps its defaults (as OpenSSL keeps its TLS 1.3 ciphersuites apart from the cipher
        // list). So the guide's list of TLS 1.2 ECDHE suites leaves TLS 1.3 usable.
        let is_tls13 = |s: &rustls::SupportedCipherSuite| s.tls13().is_some();
        let names_tls13 = chosen.iter().any(is_tls13);
        let names_tls12 = chosen.iter().any(|s| !is_tls13(s));
        let kept: Vec<_> = provider
            .cipher_suites
            .iter()
            .filter(|s| {
                if is_tls13(s) {
                    !names_tls13
                } else {
                    !names_tls12
                }
            })
            .copied()
            .collect();
        chosen.extend(kept);
        provider.cipher_suites = chosen;
    }
    let provider = Arc::new(provider);
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions(tls.min_version, TlsVersion::V1_3)?)
        .map_err(rejected)?;
    let builder = match &tls.ca_cert_path {
        Some(ca) => {
            let verifier = WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots_from_file(ca)?),
                provider,
            )
            .build()
            .map_err(|e| TlsConfigError::Rejected(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    builder
        .with_single_cert(load_certs(cert_path)?, listener_key(tls, key_path)?)
        .map_err(rejected)
}

/// Reads every certificate of a PEM file (a chain or a CA bundle).
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let pem = read(path)?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&pem)
        .filter_map(Result::ok)
        .collect();
    if certs.is_empty() {
        return Err(TlsConfigError::NoCertificate {
            path: path.to_owned(),
        });
    }
    Ok(certs)
}

/// Reads the first private key (PKCS#8, PKCS#1 or SEC1) of a PEM file that holds a plain
/// one (an encrypted key needs its password: [`key::parse`]).
pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsConfigError> {
    key::parse(path, &read(path)?, None, key::PasswordKey::Endpoint)
}

/// The listeners' private key: encrypted PKCS#8 decrypted with `tls.key_password`, or plain.
fn listener_key(tls: &TlsConfig, path: &Path) -> Result<PrivateKeyDer<'static>, TlsConfigError> {
    let password = tls.key_password.as_ref().map(|p| p.expose());
    key::parse(path, &read(path)?, password, key::PasswordKey::Listener)
}

/// The trust anchors of a CA bundle (PEM).
pub fn roots_from_file(path: &Path) -> Result<RootCertStore, TlsConfigError> {
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(load_certs(path)?);
    if added == 0 {
        return Err(TlsConfigError::NoCertificate {
            path: path.to_owned(),
        });
    }
    Ok(roots)
}

/// The system trust store, loaded once per process.
fn system_roots() -> Result<Arc<RootCertStore>, TlsConfigError> {
    static ROOTS: OnceLock<Option<Arc<RootCertStore>>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let found = rustls_native_certs::load_native_certs();
            for error in &found.errors {
                tracing::warn!(%error, "tls: system trust store: certificate not loaded");
            }
            let mut roots = RootCertStore::empty();
            let (added, _) = roots.add_parsable_certificates(found.certs);
            (added > 0).then(|| Arc::new(roots))
        })
        .clone()
        .ok_or(TlsConfigError::NoTrustedRoots)
}

/// The protocol versions from `min` to `max`.
fn versions(
    min: TlsVersion,
    max: TlsVersion,
) -> Result<&'static [&'static SupportedProtocolVersion], TlsConfigError> {
    static BOTH: [&SupportedProtocolVersion; 2] =
        [&rustls::version::TLS13, &rustls::version::TLS12];
    static TLS12: [&SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
    static TLS13: [&SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
    match (min, max) {
        (TlsVersion::V1_2, TlsVersion::V1_3) => Ok(&BOTH),
        (TlsVersion::V1_2, TlsVersion::V1_2) => Ok(&TLS12),
        (TlsVersion::V1_3, TlsVersion::V1_3) => Ok(&TLS13),
        (TlsVersion::V1_3, TlsVersion::V1_2) => Err(TlsConfigError::Rejected(
            "minimum TLS version above the maximum".into(),
        )),
    }
}

/// Whether a configured suite name (IANA `TLS_AES_128_GCM_SHA256`, or rustls'
/// `TLS13_AES_128_GCM_SHA256`, any case) names the rustls suite `ours`.
fn suite_matches(name: &str, ours: &str) -> bool {
    let tls13_iana = ours
        .strip_prefix("TLS13_")
        .map(|rest| format!("TLS_{rest}"));
    name.eq_ignore_ascii_case(ours)
        || tls13_iana.is_some_and(|iana| name.eq_ignore_ascii_case(&iana))
}

fn read(path: &Path) -> Result<Vec<u8>, TlsConfigError> {
    std::fs::read(path).map_err(|e| TlsConfigError::Read {
        path: path.to_owned(),
        error: e.to_string(),
    })
}

fn rejected(e: rustls::Error) -> TlsConfigError {
    TlsConfigError::Rejected(e.to_string())
}

/// TEST ONLY (`tls.insecure: true`): accepts any host certificate, while still checking
/// the handshake signatures so that the session keys belong to the presented key.
#[derive(Debug)]
struct InsecureVerifier {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for InsecureVerifier {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EndpointTls;

    #[test]
    fn version_ranges() {
        assert_eq!(
            versions(TlsVersion::V1_2, TlsVersion::V1_3).map(<[_]>::len),
            Ok(2)
        );
        assert_eq!(
            versions(TlsVersion::V1_3, TlsVersion::V1_3).map(<[_]>::len),
            Ok(1)
        );
        assert!(versions(TlsVersion::V1_3, TlsVersion::V1_2).is_err());
    }

    #[test]
    fn every_configurable_cipher_suite_is_known_to_ring() {
        let ring = rustls::crypto::ring::default_provider();
        for name in crate::config::CIPHER_SUITES {
            let known = ring.cipher_suites.iter().any(|s| {
                s.suite()
                    .as_str()
                    .is_some_and(|ours| suite_matches(name, ours))
            });
            assert!(known, "{name}");
        }
        assert!(!suite_matches(
            "TLS_AES_128_GCM_SHA256",
            "TLS13_AES_256_GCM_SHA384"
        ));
    }

    #[test]
    fn config_errors_are_named() {
        let mut endpoint = Endpoint::host("h", "host.example", Some(992));
        endpoint.tls = EndpointTls {
            enabled: true,
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..EndpointTls::default()
        };
        let e = TlsClient::new(&endpoint, &ClientTlsOptions::default()).unwrap_err();
        assert_eq!(e.code(), "TLS_CONFIG_READ");
        endpoint.tls.ca_file = None;
        endpoint.tls.insecure = true;
        endpoint.tls.client_cert = Some("/x.pem".into());
        let e = TlsClient::new(&endpoint, &ClientTlsOptions::default()).unwrap_err();
        assert_eq!(e, TlsConfigError::IncompleteClientAuth);
        endpoint.tls.client_cert = None;
        endpoint.tls.server_name = Some("not a name!".into());
        let e = TlsClient::new(&endpoint, &ClientTlsOptions::default()).unwrap_err();
        assert_eq!(e.code(), "TLS_CONFIG_SERVER_NAME");
        endpoint.tls.server_name = Some("127.0.0.1".into());
        let ok = TlsClient::new(&endpoint, &ClientTlsOptions::default()).unwrap();
        assert_eq!(ok.server_name(), "127.0.0.1");
    }

    #[test]
    fn server_config_needs_its_files() {
        let tls = TlsConfig {
            enabled: true,
            cert_path: Some("/nonexistent/cert.pem".into()),
            key_path: Some("/nonexistent/key.pem".into()),
            ..TlsConfig::default()
        };
        assert_eq!(server_config(&tls).unwrap_err().code(), "TLS_CONFIG_READ");
    }
}
