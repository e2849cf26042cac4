//! The listeners' certificate, replaced while the bridge runs: certificates are rotated
//! (cert-manager, ACME, a yearly renewal) without a restart and without dropping sessions.
//!
//! Owns:
//! - [`Acceptor`]: the TLS acceptor of one listener (HTTP, TN3270 or its START-TLS), which
//!   each new connection reads ([`Acceptor::current`]); connections already made keep the
//!   certificate they were made with;
//! - [`Reloader`]: rebuilds every acceptor from the `tls:` files (`cert_path`, `key_path`,
//!   `ca_cert_path`, with `key_password`) on **SIGHUP** and when what one of those files
//!   holds changes (read every [`POLL_INTERVAL`]; this also catches the symlink swap of a
//!   Kubernetes secret volume). The files are read once into one configuration that every
//!   acceptor takes with its own ALPN, so all change together; a bad file keeps the running
//!   certificate, logs the cause with its `TLS_CONFIG_*` code and counts
//!   `tls_reloads_total{result="error"}`;
//! - the `tls_certificate_not_after_seconds` gauge and the log line of each load (subject
//!   validity end, days left; a warning when it has expired).
//!
//! Does not own: building a configuration from files ([`crate::tls::server_config`]), the
//! accept loops ([`super::tls_listener`]). Settings that are not in files (`min_version`,
//! `cipher_suites`, `tn3270_mode`, the ports) need a restart.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use rustls::pki_types::CertificateDer;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::config::TlsConfig;
use crate::tls::TlsConfigError;

/// How often the `tls:` files are looked at for a change.
pub const POLL_INTERVAL: Duration = Duration::from_secs(30);

/// The TLS acceptor one listener uses for its next connection; clones share it.
#[derive(Clone)]
pub struct Acceptor {
    current: Arc<RwLock<TlsAcceptor>>,
    /// The ALPN protocols this listener offers (kept across reloads).
    alpn: Arc<[Vec<u8>]>,
}

impl std::fmt::Debug for Acceptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acceptor")
            .field("alpn", &self.alpn)
            .finish()
    }
}

impl Acceptor {
    /// The acceptor of `base` (the `tls:` section's configuration,
    /// [`crate::tls::server_config`]) offering `alpn` (empty: no ALPN). Listeners built from
    /// one `base` read the files once.
    pub fn new(base: &rustls::ServerConfig, alpn: &[&[u8]]) -> Acceptor {
        let alpn: Arc<[Vec<u8>]> = alpn.iter().map(|p| p.to_vec()).collect();
        Acceptor {
            current: Arc::new(RwLock::new(with_alpn(base, &alpn))),
            alpn,
        }
    }

    /// An acceptor that is never reloaded (tests, embedders with their own configuration).
    pub fn fixed(acceptor: TlsAcceptor) -> Acceptor {
        Acceptor {
            current: Arc::new(RwLock::new(acceptor)),
            alpn: Arc::from(Vec::new()),
        }
    }

    /// The acceptor for a connection arriving now.
    pub fn current(&self) -> TlsAcceptor {
        match self.current.read() {
            Ok(a) => a.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn replace(&self, acceptor: TlsAcceptor) {
        match self.current.write() {
            Ok(mut a) => *a = acceptor,
            Err(poisoned) => *poisoned.into_inner() = acceptor,
        }
    }
}

/// `base` with one listener's ALPN.
fn with_alpn(base: &rustls::ServerConfig, alpn: &[Vec<u8>]) -> TlsAcceptor {
    let mut config = base.clone();
    config.alpn_protocols = alpn.to_vec();
    TlsAcceptor::from(Arc::new(config))
}

/// What a file held (a hash of its bytes; the files are a few KB); `None` when it cannot be
/// read.
type Stamp = Option<u64>;

/// Reloads the listeners' acceptors from the `tls:` files (see the module doc).
#[derive(Debug)]
pub struct Reloader {
    tls: TlsConfig,
    acceptors: Vec<Acceptor>,
    files: Vec<PathBuf>,
    seen: Vec<Stamp>,
}

impl Reloader {
    /// A reloader of `acceptors`, all built from `tls`; records the files as they are now
    /// and publishes the certificate's expiry.
    pub fn new(tls: TlsConfig, acceptors: Vec<Acceptor>) -> Reloader {
        let files: Vec<PathBuf> = [&tls.cert_path, &tls.key_path, &tls.ca_cert_path]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        let seen = files.iter().map(stamp).collect();
        note_certificate(&tls);
        Reloader {
            tls,
            acceptors,
            files,
            seen,
        }
    }

    /// Reads the files into one configuration and gives it to every acceptor, or to none when
    /// it does not load (the cause is logged and counted). `trigger` says why, for the log (`SIGHUP`, `file change`).
    pub fn reload(&mut self, trigger: &'static str) -> Result<(), TlsConfigError> {
        self.seen = self.files.iter().map(stamp).collect();
        match crate::tls::server_config(&self.tls) {
            Ok(base) => {
                for acceptor in &self.acceptors {
                    acceptor.replace(with_alpn(&base, &acceptor.alpn));
                }
                crate::metrics::tls_reload(true);
                tracing::info!(%trigger, "tls: certificate reloaded; new connections use it");
                note_certificate(&self.tls);
                Ok(())
            }
            Err(error) => {
                crate::metrics::tls_reload(false);
                tracing::error!(%trigger, code = error.code(), %error,
                    "tls: certificate reload failed; the listeners keep the certificate they had");
                Err(error)
            }
        }
    }

    /// Whether a file differs from when it was last loaded.
    fn changed(&self) -> bool {
        self.files.iter().map(stamp).ne(self.seen.iter().copied())
    }

    /// Reloads on SIGHUP and on file changes until `stop` turns true. The SIGHUP handler is
    /// installed when this is called (inside the runtime), so a SIGHUP sent once the bridge
    /// says it is ready never meets the default action (ending the process).
    pub fn run(
        self,
        stop: watch::Receiver<bool>,
    ) -> impl std::future::Future<Output = ()> + Send + 'static {
        let hangup = hangup_signal();
        self.watch(hangup, stop)
    }

    async fn watch(mut self, mut hangup: Hangup, mut stop: watch::Receiver<bool>) {
        let mut poll = tokio::time::interval(POLL_INTERVAL);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        poll.tick().await; // the first tick is immediate
        loop {
            let trigger = tokio::select! {
                _ = stop.wait_for(|s| *s) => return,
                () = next_hangup(&mut hangup) => "SIGHUP",
                _ = poll.tick() => {
                    if !self.changed() {
                        continue;
                    }
                    "file change"
                }
            };
            let _ = self.reload(trigger);
        }
    }
}

/// A hash of what `path` holds, following symlinks: a rewrite with the same bytes (`touch`)
/// is no change, a symlink swapped to another file is.
fn stamp(path: &PathBuf) -> Stamp {
    use std::hash::{Hash, Hasher};
    let bytes = std::fs::read(path).ok()?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    Some(hasher.finish())
}

#[cfg(unix)]
type Hangup = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangup = ();

#[cfg(unix)]
fn hangup_signal() -> Hangup {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::hangup()) {
        Ok(s) => Some(s),
        Err(error) => {
            tracing::warn!(%error, "tls: no SIGHUP handler; certificates reload on file change only");
            None
        }
    }
}

#[cfg(not(unix))]
fn hangup_signal() -> Hangup {}

/// The next SIGHUP; never, without a handler.
#[cfg(unix)]
async fn next_hangup(hangup: &mut Hangup) {
    if let Some(s) = hangup {
        if s.recv().await.is_some() {
            return;
        }
    }
    std::future::pending().await
}

#[cfg(not(unix))]
async fn next_hangup(_: &mut Hangup) {
    std::future::pending().await
}

/// Logs the leaf certificate's expiry and sets the gauge (after a load that succeeded).
fn note_certificate(tls: &TlsConfig) {
    let Some(path) = tls.cert_path.as_deref() else {
        return;
    };
    let Ok(certs) = crate::tls::load_certs(path) else {
        return;
    };
    let Some(not_after) = certs
        .first()
        .and_then(|c: &CertificateDer<'_>| crate::tls::validity::not_after(c))
    else {
        tracing::warn!(path = %path.display(), "tls: the certificate's expiry could not be read");
        return;
    };
    crate::metrics::tls_certificate_not_after(not_after);
    let now = crate::audit::time::unix_ms(SystemTime::now()) / 1000;
    let expires = crate::audit::time::rfc3339_seconds(
        SystemTime::UNIX_EPOCH + Duration::from_secs(not_after),
    );
    if not_after <= now {
        tracing::warn!(path = %path.display(), %expires, "tls: the certificate has EXPIRED");
    } else {
        let days_left = (not_after - now) / 86_400;
        tracing::info!(path = %path.display(), %expires, days_left, "tls: certificate valid");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A self-signed certificate and its key for `localhost`, written to `dir`.
    fn write_pair(dir: &std::path::Path, days: u8) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.not_after = rcgen::date_time_ymd(2040, 1, days);
        let cert = params.self_signed(&key).unwrap();
        std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
        std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
    }

    /// A changed file is noticed once; a reload swaps the acceptor's configuration; a broken
    /// file fails the reload and leaves the acceptor as it was (and is not retried until the
    /// files change again).
    #[tokio::test]
    async fn file_changes_are_noticed_and_a_failed_reload_keeps_the_acceptor() {
        let dir = std::env::temp_dir().join(format!("web3270-tls-reload-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        write_pair(&dir, 1);
        let tls = TlsConfig {
            enabled: true,
            cert_path: Some(dir.join("cert.pem")),
            key_path: Some(dir.join("key.pem")),
            ..TlsConfig::default()
        };
        let acceptor = Acceptor::new(&crate::tls::server_config(&tls).unwrap(), &[b"http/1.1"]);
        let mut reloader = Reloader::new(tls, vec![acceptor.clone()]);
        assert!(!reloader.changed());
        let first = acceptor.current().config().clone();

        write_pair(&dir, 2);
        assert!(reloader.changed());
        reloader.reload("test").unwrap();
        assert!(!reloader.changed());
        let second = acceptor.current().config().clone();
        assert!(!Arc::ptr_eq(&first, &second), "a new configuration");
        assert_eq!(
            second.alpn_protocols,
            vec![b"http/1.1".to_vec()],
            "ALPN kept"
        );

        std::fs::write(dir.join("cert.pem"), "garbage").unwrap();
        assert!(reloader.changed());
        let e = reloader.reload("test").unwrap_err();
        assert_eq!(e.code(), "TLS_CONFIG_NO_CERTIFICATE");
        assert!(
            !reloader.changed(),
            "not retried until the files change again"
        );
        assert!(Arc::ptr_eq(&second, acceptor.current().config()));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
