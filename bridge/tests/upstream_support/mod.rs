//! Shared helpers of the upstream tests: a test PKI made with rcgen, small TN3270 test hosts
//! built on `tn3270`'s `HostConnection` (plain, implicit TLS, START-TLS), and a record-level
//! terminal (screen + Query Reply) to check what a host painted.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bridge::config::{Endpoint, EndpointTls, TlsConfig, TlsMode};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tn3270::codepage::CodePage;
use tn3270::datastream::{self, Capabilities, Reply};
use tn3270::screen::Screen;
use tn3270::tn3270e::{DataType, DevicePolicy, Event, HostConfig, HostConnection};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use web3270_tests::TestDir;

/// The record our test hosts send once in 3270 mode: Erase/Write, WCC restore, SBA 1,1,
/// "HI" in EBCDIC.
pub const HELLO_RECORD: [u8; 7] = [
    0xf5, 0xc2, // Erase/Write, WCC (keyboard restore)
    0x11, 0x40, 0x40, // SBA row 1 col 1
    0xc8, 0xc9, // "HI"
];

/// A CA and the files of certificates it signed.
pub struct Pki {
    pub dir: TestDir,
    pub ca_file: PathBuf,
    issuer: Issuer<'static, KeyPair>,
}

/// Files of one certificate and its key.
pub struct CertFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl CertFiles {
    /// The key encrypted by `openssl pkcs8 -topk8` with `scheme` (`-v2 aes-256-cbc`,
    /// `-scrypt`, ...) and `password`, in a file next to it.
    #[allow(dead_code)] // not every test binary that includes this module encrypts keys
    pub fn encrypted_key(&self, scheme: &[&str], password: &str) -> PathBuf {
        let out = self
            .key
            .with_extension(format!("{}.pem", scheme.join("").replace('-', "")));
        let status = std::process::Command::new("openssl")
            .args(["pkcs8", "-topk8"])
            .args(scheme)
            .arg("-in")
            .arg(&self.key)
            .arg("-out")
            .arg(&out)
            .args(["-passout", &format!("pass:{password}")])
            .status()
            .expect("openssl (scripts/test.sh installs it)");
        assert!(status.success(), "openssl pkcs8 {scheme:?}");
        let pem = std::fs::read_to_string(&out).unwrap();
        assert!(
            pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
            "{pem}"
        );
        out
    }
}

impl Pki {
    pub fn new(name: &str) -> Pki {
        let dir = TestDir::new(name).unwrap();
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("web3270 test CA {name}"));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).unwrap();
        let ca_file = dir.write("ca.pem", &cert.pem()).unwrap();
        Pki {
            dir,
            ca_file,
            issuer: Issuer::new(params, key),
        }
    }

    /// A certificate for `names` (DNS names or IP addresses), valid from 1 day ago for a
    /// year, signed by this CA.
    pub fn leaf(&self, file: &str, names: &[&str]) -> CertFiles {
        self.leaf_with(file, names, |_| {})
    }

    /// As [`Pki::leaf`], with the parameters adjusted by `adjust` (validity...).
    pub fn leaf_with(
        &self,
        file: &str,
        names: &[&str],
        adjust: impl FnOnce(&mut CertificateParams),
    ) -> CertFiles {
        let key = KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params.distinguished_name.push(DnType::CommonName, file);
        let now = std::time::SystemTime::now();
        params.not_before = (now - Duration::from_secs(86_400)).into();
        params.not_after = (now + Duration::from_secs(365 * 86_400)).into();
        adjust(&mut params);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        CertFiles {
            cert: self
                .dir
                .write(&format!("{file}-cert.pem"), &cert.pem())
                .unwrap(),
            key: self
                .dir
                .write(&format!("{file}-key.pem"), &key.serialize_pem())
                .unwrap(),
        }
    }
}

/// The server side config of a test host via the bridge's own loader.
pub fn server_config(
    cert: &CertFiles,
    adjust: impl FnOnce(&mut TlsConfig),
) -> rustls::ServerConfig {
    let mut tls = TlsConfig {
        enabled: true,
        cert_path: Some(cert.cert.clone()),
        key_path: Some(cert.key.clone()),
        ..TlsConfig::default()
    };
    adjust(&mut tls);
    bridge::tls::server_config(&tls).unwrap()
}

/// An endpoint on 127.0.0.1:`port` with TLS settings.
pub fn endpoint(port: u16, tls: Option<EndpointTls>) -> Endpoint {
    let mut e = Endpoint::host("test", "127.0.0.1", Some(port));
    if let Some(tls) = tls {
        e.tls = tls;
    }
    e
}

/// Implicit TLS trusting `ca_file`, verifying `server_name`.
pub fn tls_settings(ca_file: &std::path::Path, server_name: &str) -> EndpointTls {
    EndpointTls {
        enabled: true,
        mode: TlsMode::Implicit,
        ca_file: Some(ca_file.to_owned()),
        server_name: Some(server_name.to_owned()),
        ..EndpointTls::default()
    }
}

/// A TN3270E host config that accepts any device (LU `TEST0001` when none is asked).
pub fn host_config(start_tls: bool) -> HostConfig {
    HostConfig {
        start_tls,
        device_policy: DevicePolicy::Accept {
            default_lu: "TEST0001".into(),
        },
        ..HostConfig::default()
    }
}

/// How [`host_negotiate`] ended.
#[derive(Debug, PartialEq, Eq)]
pub enum HostStep {
    /// The connection is in 3270 mode.
    In3270,
    /// START-TLS FOLLOWS was exchanged: the TLS handshake is next.
    StartTls,
    /// The client closed or failed.
    Closed,
}

/// Drives the host side until 3270 mode or START-TLS.
pub async fn host_negotiate<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    host: &mut HostConnection,
) -> HostStep {
    let mut buf = vec![0u8; 4096];
    loop {
        let out = host.take_output();
        if !out.is_empty() && stream.write_all(&out).await.is_err() {
            return HostStep::Closed;
        }
        if host.mode().is_3270() {
            return HostStep::In3270;
        }
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return HostStep::Closed,
            Ok(n) => n,
        };
        host.feed(&buf[..n]);
        let mut tls = false;
        while let Some(event) = host.poll_event() {
            tls |= event == Event::StartTls;
        }
        if tls {
            let out = host.take_output();
            let _ = stream.write_all(&out).await;
            return HostStep::StartTls;
        }
    }
}

/// After negotiation: send [`HELLO_RECORD`], then echo nothing and read until EOF.
pub async fn host_hello_then_drain<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    host: &mut HostConnection,
) {
    host.send_record(DataType::Data3270, &HELLO_RECORD).unwrap();
    let mut buf = vec![0u8; 4096];
    loop {
        let out = host.take_output();
        if !out.is_empty() && stream.write_all(&out).await.is_err() {
            return;
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                host.feed(&buf[..n]);
                while host.poll_event().is_some() {}
            }
        }
    }
}

/// A host on 127.0.0.1 that serves one connection over implicit TLS with `config`:
/// handshake, TN3270E, [`HELLO_RECORD`]. Returns the port.
pub async fn tls_host(config: rustls::ServerConfig) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let Ok(mut tls) = acceptor.accept(tcp).await else {
            return;
        };
        let mut host = HostConnection::new(host_config(false));
        if host_negotiate(&mut tls, &mut host).await == HostStep::In3270 {
            host_hello_then_drain(&mut tls, &mut host).await;
        }
    });
    port
}

/// A host that offers START-TLS first, then TN3270E over TLS, then [`HELLO_RECORD`].
pub async fn starttls_host(config: rustls::ServerConfig) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        let mut host = HostConnection::new(host_config(true));
        assert_eq!(
            host_negotiate(&mut tcp, &mut host).await,
            HostStep::StartTls
        );
        let Ok(mut tls) = acceptor.accept(tcp).await else {
            return;
        };
        host.tls_established();
        if host_negotiate(&mut tls, &mut host).await == HostStep::In3270 {
            host_hello_then_drain(&mut tls, &mut host).await;
        }
    });
    port
}

/// A plain host that negotiates TN3270E, sends [`HELLO_RECORD`] and then neither reads nor
/// writes (a hung host) until `hold` passes.
pub async fn hung_host(hold: Duration) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        let mut host = HostConnection::new(host_config(false));
        assert_eq!(host_negotiate(&mut tcp, &mut host).await, HostStep::In3270);
        host.send_record(DataType::Data3270, &HELLO_RECORD).unwrap();
        tcp.write_all(&host.take_output()).await.unwrap();
        tokio::time::sleep(hold).await;
        drop(tcp);
    });
    port
}

/// A listener that accepts and runs `serve` on each connection.
pub async fn raw_host<F, Fut>(serve: F) -> u16
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(serve(tcp));
        }
    });
    port
}

/// The demo host on 127.0.0.1:0 in this runtime; returns its port and a stop switch.
pub async fn demo_host(
    config: bridge::demo::DemoConfig,
) -> (u16, tokio::sync::oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(bridge::demo::serve_with(listener, config, async {
        let _ = stopped.await;
    }));
    (port, stop)
}

/// A record-level terminal: a 24x80 3279 screen that applies 3270-DATA records and builds
/// Query Replies.
pub struct MiniTerminal {
    pub screen: Screen,
    caps: Capabilities,
    cp: &'static CodePage,
}

impl MiniTerminal {
    pub fn new() -> MiniTerminal {
        let cp = CodePage::by_name("cp037").unwrap();
        MiniTerminal {
            screen: Screen::for_model(2),
            caps: Capabilities::for_model(2, true, true, cp),
            cp,
        }
    }

    /// Applies a record; returns the Query Reply to send, if it asked for one.
    pub fn apply(&mut self, record: &[u8]) -> Option<Vec<u8>> {
        let outcome = datastream::process(&mut self.screen, record, &self.caps).ok()?;
        outcome.replies.into_iter().find_map(|r| match r {
            Reply::QueryReply(bytes) => Some(bytes),
            Reply::Read(_) => None,
        })
    }

    /// The screen as text rows.
    pub fn text(&self) -> String {
        self.screen.to_text(self.cp)
    }
}

/// A plain TN3270E host that negotiates, writes `after_3270` (raw bytes, e.g. malformed
/// records) and [`HELLO_RECORD`], then reports every event it receives on the channel.
pub async fn recording_host(after_3270: Vec<u8>) -> (u16, tokio::sync::mpsc::Receiver<Event>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        let mut host = HostConnection::new(host_config(false));
        assert_eq!(host_negotiate(&mut tcp, &mut host).await, HostStep::In3270);
        tcp.write_all(&after_3270).await.unwrap();
        host.send_record(DataType::Data3270, &HELLO_RECORD).unwrap();
        let mut buf = vec![0u8; 4096];
        loop {
            let out = host.take_output();
            if !out.is_empty() && tcp.write_all(&out).await.is_err() {
                return;
            }
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    host.feed(&buf[..n]);
                    while let Some(event) = host.poll_event() {
                        if tx.send(event).await.is_err() {
                            return;
                        }
                    }
                }
            }
        }
    });
    (port, rx)
}
