//! Upstream TLS on loopback: one test per failure class, each against a local rustls test
//! host (tokio-rustls acceptor, configured with the bridge's own `tls::server_config`) with
//! rcgen certificates — unknown CA, name mismatch, expired, not yet valid, protocol version
//! both ways, client certificate required but missing, connection reset during the
//! handshake, a plain telnet host on a TLS endpoint — plus the successes: `ca_file` +
//! `server_name`, mutual TLS, `insecure`, and mainframe-mocker's TLS port.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod upstream_support;

use std::time::Duration;

use bridge::config::{EndpointTls, TlsVersion};
use bridge::demo::DemoConfig;
use bridge::tls::{ClientTlsOptions, TlsError};
use bridge::upstream::{Upstream, UpstreamError, UpstreamEvent, UpstreamOptions};
use rustls::AlertDescription;
use tn3270::tn3270e::{DataType, Mode};
use tokio::io::AsyncReadExt;
use upstream_support::*;
use web3270_tests::{MfMock, MfMockApp, MfMockOptions};

fn options() -> UpstreamOptions {
    UpstreamOptions {
        connect_timeout: Duration::from_secs(5),
        negotiate_timeout: Duration::from_secs(5),
        ..UpstreamOptions::default()
    }
}

async fn first_record(upstream: &mut Upstream) -> (DataType, Vec<u8>) {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), upstream.recv())
            .await
            .unwrap()
            .unwrap();
        match event {
            UpstreamEvent::Record {
                data_type, data, ..
            } => return (data_type, data),
            UpstreamEvent::Closed { reason } => panic!("closed: {reason:?}"),
            _ => {}
        }
    }
}

/// Connects to a TLS test host and returns the TLS error.
async fn tls_failure(port: u16, tls: EndpointTls, options: UpstreamOptions) -> TlsError {
    match Upstream::connect(&endpoint(port, Some(tls)), options).await {
        Err(UpstreamError::Tls(e)) => e,
        Err(other) => panic!("not a TLS error: {other:?} ({})", other.code()),
        Ok(u) => panic!("connected: {:?}", u.info()),
    }
}

#[tokio::test]
async fn implicit_tls_with_ca_file_and_server_name() {
    let pki = Pki::new("tls-ok");
    let cert = pki.leaf("host", &["tn3270.test"]);
    let port = tls_host(server_config(&cert, |_| {})).await;
    let mut upstream = Upstream::connect(
        &endpoint(port, Some(tls_settings(&pki.ca_file, "tn3270.test"))),
        options(),
    )
    .await
    .unwrap();
    assert!(upstream.info().tls);
    assert!(matches!(upstream.info().mode, Mode::Tn3270e { .. }));
    assert_eq!(
        first_record(&mut upstream).await,
        (DataType::Data3270, HELLO_RECORD.to_vec())
    );
    upstream.close().await;
}

#[tokio::test]
async fn unknown_ca() {
    let pki = Pki::new("tls-unknown-ca");
    let other = Pki::new("tls-unknown-ca-other");
    let cert = pki.leaf("host", &["tn3270.test"]);
    let port = tls_host(server_config(&cert, |_| {})).await;
    let e = tls_failure(port, tls_settings(&other.ca_file, "tn3270.test"), options()).await;
    assert_eq!(e, TlsError::UnknownCa);
    assert_eq!(e.code(), "TLS_UNKNOWN_CA");
}

#[tokio::test]
async fn name_mismatch() {
    let pki = Pki::new("tls-name");
    let cert = pki.leaf("host", &["tn3270.test", "127.0.0.1"]);
    let port = tls_host(server_config(&cert, |_| {})).await;
    let e = tls_failure(
        port,
        tls_settings(&pki.ca_file, "mainframe.example"),
        options(),
    )
    .await;
    assert_eq!(
        e,
        TlsError::NameMismatch {
            expected: "mainframe.example".into()
        }
    );
    assert_eq!(e.code(), "TLS_NAME_MISMATCH");
    // Without server_name the host (127.0.0.1, an IP SAN of the certificate) is verified.
    let port = tls_host(server_config(&cert, |_| {})).await;
    let mut tls = tls_settings(&pki.ca_file, "x");
    tls.server_name = None;
    let upstream = Upstream::connect(&endpoint(port, Some(tls)), options())
        .await
        .unwrap();
    upstream.close().await;
}

#[tokio::test]
async fn expired_certificate() {
    let pki = Pki::new("tls-expired");
    let cert = pki.leaf_with("host", &["tn3270.test"], |p| {
        p.not_before = rcgen::date_time_ymd(2000, 1, 1);
        p.not_after = rcgen::date_time_ymd(2001, 1, 1);
    });
    let port = tls_host(server_config(&cert, |_| {})).await;
    let e = tls_failure(port, tls_settings(&pki.ca_file, "tn3270.test"), options()).await;
    assert_eq!(e.code(), "TLS_CERT_EXPIRED", "{e}");
    assert_eq!(e.to_string(), "host certificate has expired");
}

#[tokio::test]
async fn not_yet_valid_certificate() {
    let pki = Pki::new("tls-not-yet");
    let cert = pki.leaf_with("host", &["tn3270.test"], |p| {
        p.not_before = rcgen::date_time_ymd(2990, 1, 1);
        p.not_after = rcgen::date_time_ymd(2991, 1, 1);
    });
    let port = tls_host(server_config(&cert, |_| {})).await;
    let e = tls_failure(port, tls_settings(&pki.ca_file, "tn3270.test"), options()).await;
    assert_eq!(e, TlsError::NotYetValid);
}

#[tokio::test]
async fn protocol_version_host_tls13_only_client_max_tls12() {
    let pki = Pki::new("tls-version-a");
    let cert = pki.leaf("host", &["tn3270.test"]);
    let port = tls_host(server_config(&cert, |t| t.min_version = TlsVersion::V1_3)).await;
    let client = UpstreamOptions {
        tls: ClientTlsOptions {
            min_version: TlsVersion::V1_2,
            max_version: TlsVersion::V1_2,
        },
        ..options()
    };
    let e = tls_failure(port, tls_settings(&pki.ca_file, "tn3270.test"), client).await;
    assert_eq!(e, TlsError::ProtocolVersion);
    assert_eq!(e.code(), "TLS_PROTOCOL_VERSION");
}

#[tokio::test]
async fn protocol_version_host_tls12_only_client_min_tls13() {
    let pki = Pki::new("tls-version-b");
    let cert = pki.leaf("host", &["tn3270.test"]);
    let tls12_only = rustls::ServerConfig::builder_with_provider(bridge::tls::provider())
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            bridge::tls::load_certs(&cert.cert).unwrap(),
            bridge::tls::load_key(&cert.key).unwrap(),
        )
        .unwrap();
    let port = tls_host(tls12_only).await;
    let client = UpstreamOptions {
        tls: ClientTlsOptions {
            min_version: TlsVersion::V1_3,
            max_version: TlsVersion::V1_3,
        },
        ..options()
    };
    let e = tls_failure(port, tls_settings(&pki.ca_file, "tn3270.test"), client).await;
    assert_eq!(e, TlsError::ProtocolVersion);
}

#[tokio::test]
async fn client_certificate_required_but_missing() {
    let pki = Pki::new("tls-mtls-missing");
    let cert = pki.leaf("host", &["tn3270.test"]);
    let ca = pki.ca_file.clone();
    let port = tls_host(server_config(&cert, |t| t.ca_cert_path = Some(ca))).await;
    // TLS 1.3: the host refuses after our Finished; the alert surfaces on the first read.
    let e = tls_failure(port, tls_settings(&pki.ca_file, "tn3270.test"), options()).await;
    assert_eq!(
        e,
        TlsError::HandshakeAlert(AlertDescription::CertificateRequired)
    );
    assert_eq!(e.code(), "TLS_HANDSHAKE_ALERT");
    assert!(e.to_string().contains("client certificate"), "{e}");
}

#[tokio::test]
async fn client_certificate_given_mutual_tls_works() {
    let pki = Pki::new("tls-mtls-ok");
    let cert = pki.leaf("host", &["tn3270.test"]);
    let client_cert = pki.leaf("client", &["bridge.test"]);
    let ca = pki.ca_file.clone();
    let port = tls_host(server_config(&cert, |t| t.ca_cert_path = Some(ca))).await;
    let mut tls = tls_settings(&pki.ca_file, "tn3270.test");
    tls.client_cert = Some(client_cert.cert);
    tls.client_key = Some(client_cert.key);
    let mut upstream = Upstream::connect(&endpoint(port, Some(tls)), options())
        .await
        .unwrap();
    assert_eq!(first_record(&mut upstream).await.1, HELLO_RECORD);
    upstream.close().await;
}

/// A client key encrypted by OpenSSL is read with `client_key_password`; without it the
/// endpoint's TLS configuration is refused with the named cause and the fix.
#[tokio::test]
async fn an_encrypted_client_key_is_read_with_its_password() {
    let pki = Pki::new("tls-mtls-encrypted");
    let cert = pki.leaf("host", &["tn3270.test"]);
    let client_cert = pki.leaf("client", &["bridge.test"]);
    let ca = pki.ca_file.clone();
    let port = tls_host(server_config(&cert, |t| t.ca_cert_path = Some(ca))).await;
    let mut tls = tls_settings(&pki.ca_file, "tn3270.test");
    tls.client_cert = Some(client_cert.cert.clone());
    tls.client_key = Some(client_cert.encrypted_key(&["-v2", "aes-256-cbc"], "pw 1"));
    tls.client_key_password = Some(bridge::config::Secret::new("pw 1"));
    let mut upstream = Upstream::connect(&endpoint(port, Some(tls.clone())), options())
        .await
        .unwrap();
    assert_eq!(first_record(&mut upstream).await.1, HELLO_RECORD);
    upstream.close().await;

    tls.client_key_password = None;
    let e = Upstream::connect(&endpoint(port, Some(tls)), options())
        .await
        .err()
        .unwrap();
    assert_eq!(e.code(), "TLS_CONFIG_ENCRYPTED_KEY", "{e}");
    assert!(e.to_string().contains("client_key_password"), "{e}");
}

#[tokio::test]
async fn connection_reset_during_handshake() {
    // Reads the ClientHello, then resets the connection (SO_LINGER 0).
    let port = raw_host(|mut tcp| async move {
        let mut buf = [0u8; 512];
        let _ = tcp.read(&mut buf).await;
        #[allow(deprecated)] // blocking on drop is the point: an RST, not a FIN
        tcp.set_linger(Some(Duration::ZERO)).unwrap();
        drop(tcp);
    })
    .await;
    let pki = Pki::new("tls-reset");
    let e = tls_failure(port, tls_settings(&pki.ca_file, "tn3270.test"), options()).await;
    assert_eq!(e, TlsError::ConnectionReset);
    assert_eq!(e.code(), "TLS_CONNECTION_RESET");
}

#[tokio::test]
async fn plain_telnet_host_on_a_tls_endpoint() {
    // The demo host greets with IAC DO TN3270E, which is no TLS record.
    let (port, _stop) = demo_host(DemoConfig::default()).await;
    let pki = Pki::new("tls-plain-host");
    let e = tls_failure(port, tls_settings(&pki.ca_file, "tn3270.test"), options()).await;
    assert_eq!(e.code(), "TLS_PROTOCOL_ERROR", "{e}");
}

#[tokio::test]
async fn insecure_accepts_an_untrusted_certificate() {
    let pki = Pki::new("tls-insecure");
    let cert = pki.leaf("host", &["somewhere.test"]);
    let port = tls_host(server_config(&cert, |_| {})).await;
    let tls = EndpointTls {
        enabled: true,
        insecure: true,
        ..EndpointTls::default()
    };
    let mut upstream = Upstream::connect(&endpoint(port, Some(tls)), options())
        .await
        .unwrap();
    assert_eq!(first_record(&mut upstream).await.1, HELLO_RECORD);
    upstream.close().await;
}

/// The bridge's server config serves a rustls client built from an endpoint (the
/// listener side the lead uses for HTTPS/WSS and TN3270 over TLS).
#[tokio::test]
async fn server_config_with_cipher_suite_selection() {
    let pki = Pki::new("tls-server-suites");
    let cert = pki.leaf("host", &["tn3270.test"]);
    let config = server_config(&cert, |t| {
        t.cipher_suites = vec!["TLS_AES_128_GCM_SHA256".into()];
    });
    // A TLS 1.3 suite named: TLS 1.3 is restricted to it, TLS 1.2 keeps its defaults
    // (`tls::server_config`, as OpenSSL keeps its TLS 1.3 ciphersuites apart).
    let suites = &config.crypto_provider().cipher_suites;
    let tls13: Vec<_> = suites.iter().filter(|s| s.tls13().is_some()).collect();
    assert_eq!(tls13.len(), 1, "{suites:?}");
    assert_eq!(
        tls13[0].suite(),
        rustls::CipherSuite::TLS13_AES_128_GCM_SHA256
    );
    let port = tls_host(config).await;
    let upstream = Upstream::connect(
        &endpoint(port, Some(tls_settings(&pki.ca_file, "tn3270.test"))),
        options(),
    )
    .await
    .unwrap();
    upstream.close().await;
}

/// mainframe-mocker's TLS port with a certificate of our CA for `mfmock.test` (and
/// 127.0.0.1): implicit TLS, `ca_file`, `server_name`, TN3270E with its LU (`DEMO0001`), first screen.
#[tokio::test]
async fn mfmock_tls_port_with_ca_file_and_server_name() {
    let pki = Pki::new("upstream-mfmock-tls");
    let cert = pki.leaf("mfmock", &["mfmock.test", "127.0.0.1"]);
    let host = tokio::task::spawn_blocking({
        let (c, k) = (cert.cert.clone(), cert.key.clone());
        move || {
            let dir = web3270_tests::TestDir::new("upstream-mfmock").unwrap();
            let options = MfMockOptions {
                tls: Some((c, k)),
                ..MfMockOptions::default()
            };
            let host = MfMock::start(&dir, &MfMockApp::Demo, &options).unwrap();
            (dir, host)
        }
    })
    .await
    .unwrap();
    let tls_port = host.1.tls_port.unwrap();
    let mut upstream = Upstream::connect(
        &endpoint(tls_port, Some(tls_settings(&pki.ca_file, "mfmock.test"))),
        options(),
    )
    .await
    .unwrap();
    assert!(upstream.info().tls);
    assert!(
        matches!(upstream.info().mode, Mode::Tn3270e { .. }),
        "{:?}",
        upstream.info()
    );
    assert_eq!(upstream.info().lu.as_deref(), Some("DEMO0001")); // mfmock demo's LU names
    let mut term = MiniTerminal::new();
    // Answer a Query if mfmock asks, until a screen with text arrives.
    for _ in 0..10 {
        let (data_type, data) = first_record(&mut upstream).await;
        assert_eq!(data_type, DataType::Data3270);
        match term.apply(&data) {
            Some(reply) => {
                upstream
                    .sender()
                    .send_record(DataType::Data3270, &reply)
                    .await
                    .unwrap();
            }
            None if !term.text().trim().is_empty() => break,
            None => {}
        }
    }
    assert!(!term.text().trim().is_empty());
    upstream.close().await;
    drop(host);
}

/// A host that accepts TCP and never answers the ClientHello.
#[tokio::test]
async fn tls_handshake_timeout_implicit() {
    let port = raw_host(|tcp| async move {
        tokio::time::sleep(Duration::from_secs(5)).await;
        drop(tcp);
    })
    .await;
    let pki = Pki::new("tls-timeout");
    let client = UpstreamOptions {
        connect_timeout: Duration::from_millis(300),
        ..options()
    };
    let err = Upstream::connect(
        &endpoint(port, Some(tls_settings(&pki.ca_file, "tn3270.test"))),
        client,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        UpstreamError::TlsTimeout {
            after: Duration::from_millis(300)
        }
    );
    assert_eq!(err.code(), "TLS_TIMEOUT");
}

/// START-TLS agreed, then the host goes silent: the negotiation deadline names the handshake.
#[tokio::test]
async fn tls_handshake_timeout_after_starttls() {
    let port = raw_host(|mut tcp| async move {
        use tokio::io::AsyncWriteExt;
        tcp.write_all(&[0xff, 0xfd, 0x2e]).await.unwrap(); // IAC DO START-TLS
        let mut buf = [0u8; 64];
        let _ = tcp.read(&mut buf).await; // WILL START-TLS, SB START-TLS FOLLOWS SE
        tcp.write_all(&[0xff, 0xfa, 0x2e, 0x01, 0xff, 0xf0])
            .await
            .unwrap(); // SB START-TLS FOLLOWS SE
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let pki = Pki::new("tls-timeout-starttls");
    let mut tls = tls_settings(&pki.ca_file, "tn3270.test");
    tls.mode = bridge::config::TlsMode::StartTls;
    // Long enough for the host's FOLLOWS to arrive on a loaded machine, short of its 5 s
    // silence: the deadline then falls inside the TLS handshake.
    let client = UpstreamOptions {
        negotiate_timeout: Duration::from_millis(2000),
        ..options()
    };
    let err = Upstream::connect(&endpoint(port, Some(tls)), client)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "TLS_TIMEOUT", "{err}");
}
