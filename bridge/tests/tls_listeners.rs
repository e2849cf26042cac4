//! The bridge's own listeners with `tls.enabled` (docs/TLS.md), on loopback with an rcgen
//! test CA: a wss browser trusting the CA reaches the demo host, HTTPS answers the API, s3270
//! connects with TLS to the TN3270 listener (`L:` prefix, `-cafile`), a TLS 1.2 client to a
//! `min_version: "1.3"` listener fails and the bridge logs the named cause, plain HTTP to the
//! TLS port fails cleanly and the listener serves the next client, mutual TLS
//! (`ca_cert_path`) refuses a client without a certificate, and `cipher_suites` restricts
//! only the TLS version it names.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
mod upstream_support;

use std::net::SocketAddr;
use std::sync::Arc;

use bridge::config::{Config, TlsConfig, TlsVersion, Tn3270TlsMode};
use support::*;
use upstream_support::{CertFiles, Pki};
use web3270_tests::{Script, TestDir, S3270};

/// The demo configuration with TLS listeners from `cert`, adjusted by `adjust`.
fn tls_config(cert: &CertFiles, adjust: impl FnOnce(&mut TlsConfig)) -> Config {
    let mut config = demo_config();
    config.server.port = free_port();
    config.tls = TlsConfig {
        enabled: true,
        cert_path: Some(cert.cert.clone()),
        key_path: Some(cert.key.clone()),
        ..TlsConfig::default()
    };
    adjust(&mut config.tls);
    config
}

/// `GET path` over an established stream (HTTP/1.1, `Connection: close`): the whole answer.
async fn http_get<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    stream: S,
    path: &str,
) -> std::io::Result<String> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let answer = round_trip(stream, &request).await?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

/// `GET /api/v1/health` over HTTPS trusting `ca_file`: the answer.
async fn https_health(addr: SocketAddr, client: Arc<rustls::ClientConfig>) -> String {
    let tls = tls_connect(addr, client, "localhost").await.unwrap();
    http_get(tls, "/api/v1/health").await.unwrap()
}

/// A browser over wss (trusting only the test CA) signs on to the demo host; the session
/// says the upstream is plain (`tls` is the host side), and HTTPS serves the API.
#[test]
fn a_wss_browser_trusting_the_test_ca_reaches_the_demo_host() {
    let pki = Pki::new("tls_listener_wss");
    let cert = pki.leaf("bridge", &["localhost", "127.0.0.1"]);
    let bridge = start_in_thread(tls_config(&cert, |_| {}));
    runtime().block_on(async {
        let ws = wss_connect(bridge.addr, &pki.ca_file, "localhost").await;
        let mut b = Browser::open(ws, hello("demo")).await;
        assert_eq!(b.session["endpoint"], "demo");
        assert_eq!(
            b.session["tls"], false,
            "upstream to the built-in host is plain"
        );
        b.until_shows("Logon").await;
        b.type_and_send("ann\tDEMO", tn3270::input::Key::Enter)
            .await;
        b.until_shows("Main menu").await;

        let answer = https_health(bridge.addr, tls_client(&pki.ca_file, None)).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("\"status\":\"ok\""), "{answer}");
    });
}

/// s3270 with `L:` (TLS) and `-cafile` (our test CA) connects to the TN3270 listener,
/// verifies the bridge's certificate and sees the demo host's logon screen. s3270 4.1 does
/// not match IP-address SANs, so it is told the DNS name to accept (`-accepthostname`).
#[test]
fn s3270_connects_with_tls_to_the_tn3270_listener() {
    s3270_logs_on_over_tls("tls_listener_s3270", "L:", |_| {});
}

/// `tls.tn3270_mode: starttls`: the TN3270 port speaks telnet and switches to TLS with the
/// START-TLS option. s3270 without `L:` agrees, verifies the bridge's certificate and sees the
/// demo host's logon screen over TLS.
#[test]
fn s3270_switches_to_tls_with_start_tls() {
    s3270_logs_on_over_tls("tls_listener_starttls", "", |t| {
        t.tn3270_mode = Tn3270TlsMode::StartTls;
    });
}

/// s3270 (host prefix `prefix`) trusting a test CA connects to a TLS bridge configured by
/// `adjust`: the demo logon screen, over TN3270E, and `Query(Tls)` says the host (the bridge)
/// is verified.
fn s3270_logs_on_over_tls(name: &str, prefix: &str, adjust: impl FnOnce(&mut TlsConfig)) {
    let pki = Pki::new(name);
    let cert = pki.leaf("bridge", &["localhost", "127.0.0.1"]);
    let bridge = start_in_thread(tls_config(&cert, adjust));
    let dir = TestDir::new(&format!("{name}_run")).unwrap();
    let mut script = Script::new();
    script
        .connect(&format!("{prefix}{}", bridge.target("demo")))
        .wait_unlock(10);
    let logon = script.snapshot();
    script.action("Query(Tls)");
    let tls_query = script.actions().len() - 1;
    let ca = pki.ca_file.to_string_lossy().into_owned();
    let run = S3270::new()
        .model("3279-2-E")
        .arg("-cafile")
        .arg(&ca)
        .arg("-accepthostname")
        .arg("localhost")
        .run(&dir, "tls", &script)
        .unwrap();
    let logon = run.snapshot(logon).unwrap();
    assert_eq!(logon.connection_state, "connected-tn3270e");
    assert!(logon.contains("Userid     ===>"), "{}", logon.text());
    let tls = run.ok_reply(tls_query).unwrap();
    assert_eq!(tls.data, ["secure host-verified"]);
}

/// On a START-TLS port a client that will not switch to TLS (s3270 with `startTls` off) is
/// shown `TLS_REQUIRED` in the clear, never the host, and the refusal is logged.
#[test]
fn a_client_refusing_start_tls_is_turned_away() {
    let logs = LogCapture::get();
    let pki = Pki::new("tls_listener_no_starttls");
    let cert = pki.leaf("bridge", &["localhost", "127.0.0.1"]);
    let bridge = start_in_thread(tls_config(&cert, |t| {
        t.tn3270_mode = Tn3270TlsMode::StartTls;
    }));
    let dir = TestDir::new("tls_listener_no_starttls_run").unwrap();
    let mut script = Script::new();
    script.connect(&bridge.target("demo")).wait_unlock(10);
    let screen = script.snapshot();
    let run = S3270::new()
        .model("3279-2-E")
        .arg("-set")
        .arg("startTls=false")
        .run(&dir, "no_starttls", &script)
        .unwrap();
    let screen = run.snapshot(screen).unwrap();
    assert_eq!(
        screen.row(0),
        "web3270: this port requires TLS.",
        "{}",
        screen.text()
    );
    assert!(screen.contains("Code: TLS_REQUIRED"), "{}", screen.text());
    assert!(!screen.contains("Userid"), "{}", screen.text());
    logs.wait_for(&["TLS_REQUIRED", "did not switch to TLS"]);
}

/// The same listener without `L:`: a plain telnet client waits for the server to speak
/// first, so the TLS handshake never starts; the bridge closes it after its handshake
/// timeout (logged `TLS_HANDSHAKE_TIMEOUT`), and s3270 ends up not connected.
#[test]
fn a_plain_tn3270_client_on_the_tls_port_times_out() {
    let logs = LogCapture::get();
    let pki = Pki::new("tls_listener_plain_tn");
    let cert = pki.leaf("bridge", &["localhost", "127.0.0.1"]);
    let bridge = start_in_thread(tls_config(&cert, |_| {}));
    let dir = TestDir::new("tls_listener_plain_tn_run").unwrap();
    let mut script = Script::new();
    script
        .connect(&bridge.target("demo"))
        .wait_unlock(5)
        .wait_disconnect(30);
    let state = script.actions().len();
    script.action("Query(ConnectionState)");
    let run = S3270::new()
        .model("3279-2-E")
        .run(&dir, "plain", &script)
        .unwrap();
    assert_eq!(run.ok_reply(state).unwrap().data, ["not-connected"]);
    let line = logs.wait_for(&["TLS handshake timed out", "listener=\"TN3270\""]);
    assert!(line.contains("TLS_HANDSHAKE_TIMEOUT"), "{line}");
}

/// A client offering only TLS 1.2 to a `min_version: "1.3"` listener fails its handshake;
/// the bridge logs `TLS_PROTOCOL_VERSION` for that peer and serves a TLS 1.3 client next.
#[test]
fn a_tls12_client_to_a_min_13_listener_fails_with_a_named_cause() {
    let logs = LogCapture::get();
    let pki = Pki::new("tls_listener_min13");
    let cert = pki.leaf("bridge", &["localhost", "127.0.0.1"]);
    let bridge = start_in_thread(tls_config(&cert, |t| t.min_version = TlsVersion::V1_3));
    runtime().block_on(async {
        let tls12 = tls_client(&pki.ca_file, Some(&[&rustls::version::TLS12]));
        let tcp = tokio::net::TcpStream::connect(bridge.addr).await.unwrap();
        let local = tcp.local_addr().unwrap();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let e = tokio_rustls::TlsConnector::from(tls12)
            .connect(name, tcp)
            .await
            .unwrap_err();
        let cause = bridge::tls::TlsError::from_handshake_io(&e, "localhost");
        assert_eq!(cause.code(), "TLS_PROTOCOL_VERSION", "{e}");
        let line = logs.wait_for(&["TLS handshake failed", &format!("peer={local}")]);
        assert!(line.contains("TLS_PROTOCOL_VERSION"), "{line}");
        assert!(line.contains("listener=\"HTTP\""), "{line}");

        let answer = https_health(bridge.addr, tls_client(&pki.ca_file, None)).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    });
}

/// Plain HTTP to the HTTPS port: no HTTP answer, the connection is closed, the bridge logs
/// `TLS_PROTOCOL_ERROR`, and the next (TLS) request is served.
#[test]
fn plain_http_to_the_tls_port_fails_cleanly() {
    let logs = LogCapture::get();
    let pki = Pki::new("tls_listener_plain_http");
    let cert = pki.leaf("bridge", &["localhost", "127.0.0.1"]);
    let bridge = start_in_thread(tls_config(&cert, |_| {}));
    runtime().block_on(async {
        let tcp = tokio::net::TcpStream::connect(bridge.addr).await.unwrap();
        let local = tcp.local_addr().unwrap();
        // The answer is at most a TLS alert record, then the close; never "HTTP/1.1 ...".
        let answer = http_get(tcp, "/api/v1/health").await.unwrap_or_default();
        assert!(!answer.starts_with("HTTP/"), "{answer}");
        let line = logs.wait_for(&["TLS handshake failed", &format!("peer={local}")]);
        assert!(line.contains("TLS_PROTOCOL_ERROR"), "{line}");

        let answer = https_health(bridge.addr, tls_client(&pki.ca_file, None)).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    });
}

/// `ca_cert_path` (mutual TLS): a client without a certificate is refused (logged as
/// `TLS_CLIENT_CERT_MISSING`); one with a certificate of that CA is served.
#[test]
fn mutual_tls_requires_a_client_certificate_of_the_ca() {
    let logs = LogCapture::get();
    let pki = Pki::new("tls_listener_mtls");
    let cert = pki.leaf("bridge", &["localhost", "127.0.0.1"]);
    let client_cert = pki.leaf("client", &["client.test"]);
    let ca = pki.ca_file.clone();
    let bridge = start_in_thread(tls_config(&cert, |t| t.ca_cert_path = Some(ca)));
    runtime().block_on(async {
        let tcp = tokio::net::TcpStream::connect(bridge.addr).await.unwrap();
        let local = tcp.local_addr().unwrap();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        // TLS 1.3: the client's side of the handshake may finish before the server refuses.
        let refused = match tokio_rustls::TlsConnector::from(tls_client(&pki.ca_file, None))
            .connect(name, tcp)
            .await
        {
            Err(_) => true,
            Ok(tls) => http_get(tls, "/api/v1/health")
                .await
                .map(|a| !a.starts_with("HTTP/"))
                .unwrap_or(true),
        };
        assert!(refused);
        let line = logs.wait_for(&["TLS handshake failed", &format!("peer={local}")]);
        assert!(line.contains("TLS_CLIENT_CERT_MISSING"), "{line}");

        let roots = bridge::tls::roots_from_file(&pki.ca_file).unwrap();
        let with_cert = rustls::ClientConfig::builder_with_provider(bridge::tls::provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_client_auth_cert(
                bridge::tls::load_certs(&client_cert.cert).unwrap(),
                bridge::tls::load_key(&client_cert.key).unwrap(),
            )
            .unwrap();
        let answer = https_health(bridge.addr, Arc::new(with_cert)).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    });
}

/// The guide's `cipher_suites` (two TLS 1.2 ECDHE suites) with an ECDSA certificate: a
/// TLS 1.2 client gets the ECDSA suite named, is refused one not named, and TLS 1.3 (whose
/// suites the list does not name) keeps its defaults.
#[test]
fn cipher_suites_restrict_only_the_version_they_name() {
    let pki = Pki::new("tls_listener_ciphers");
    let cert = pki.leaf("bridge", &["localhost", "127.0.0.1"]);
    let bridge = start_in_thread(tls_config(&cert, |t| {
        t.cipher_suites = vec![
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".into(),
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256".into(),
        ];
    }));
    let client = |suite: rustls::CipherSuite,
                  version: &'static rustls::SupportedProtocolVersion| {
        let mut provider = rustls::crypto::ring::default_provider();
        provider.cipher_suites.retain(|s| s.suite() == suite);
        let roots = bridge::tls::roots_from_file(&pki.ca_file).unwrap();
        Arc::new(
            rustls::ClientConfig::builder_with_provider(Arc::new(provider))
                .with_protocol_versions(&[version])
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth(),
        )
    };
    runtime().block_on(async {
        use rustls::CipherSuite as C;
        let named = client(
            C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            &rustls::version::TLS12,
        );
        let tls = tls_connect(bridge.addr, named, "localhost").await.unwrap();
        assert_eq!(
            tls.get_ref().1.negotiated_cipher_suite().map(|s| s.suite()),
            Some(C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
        );
        let not_named = client(
            C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            &rustls::version::TLS12,
        );
        assert!(tls_connect(bridge.addr, not_named, "localhost")
            .await
            .is_err());
        let tls13 = client(C::TLS13_CHACHA20_POLY1305_SHA256, &rustls::version::TLS13);
        let tls = tls_connect(bridge.addr, tls13, "localhost").await.unwrap();
        assert_eq!(
            tls.get_ref().1.negotiated_cipher_suite().map(|s| s.suite()),
            Some(C::TLS13_CHACHA20_POLY1305_SHA256)
        );
    });
}

/// A TLS configuration that cannot be loaded stops `serve` at start with the cause.
#[test]
fn an_unreadable_certificate_stops_serve_with_its_cause() {
    let mut config = demo_config();
    config.tls = TlsConfig {
        enabled: true,
        cert_path: Some("/nonexistent/cert.pem".into()),
        key_path: Some("/nonexistent/key.pem".into()),
        ..TlsConfig::default()
    };
    let e = runtime()
        .block_on(bridge::server::run(config, async {}, |_| {
            panic!("must not get ready")
        }))
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("/nonexistent/cert.pem"), "{text}");
    assert!(text.contains("TLS_CONFIG_READ"), "{text}");
}

/// A key encrypted by OpenSSL (PBES2: PBKDF2 and AES-256, scrypt, 3DES, PBKDF2-HMAC-SHA-1 as
/// OpenSSL 1.0 wrote it) serves
/// HTTPS with `tls.key_password`; a wrong password or none stops `serve` with its named cause.
#[test]
fn an_encrypted_key_is_read_with_key_password() {
    let pki = Pki::new("tls_listener_encrypted_key");
    let cert = pki.leaf("bridge", &["localhost", "127.0.0.1"]);
    let password = "s3cret pass";
    for scheme in [
        &["-v2", "aes-256-cbc"][..],
        &["-scrypt"][..],
        &["-v2", "des3"][..],
        &["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"][..],
    ] {
        let key = cert.encrypted_key(scheme, password);
        let bridge = start_in_thread(tls_config(&cert, |tls| {
            tls.key_path = Some(key.clone());
            tls.key_password = Some(bridge::config::Secret::new(password));
        }));
        let answer = runtime().block_on(https_health(bridge.addr, tls_client(&pki.ca_file, None)));
        assert!(answer.starts_with("HTTP/1.1 200"), "{scheme:?}: {answer}");
    }

    let key = cert.encrypted_key(&["-v2", "aes-192-cbc"], password);
    let refused = |key_password: Option<&str>| {
        let config = tls_config(&cert, |tls| {
            tls.key_path = Some(key.clone());
            tls.key_password = key_password.map(bridge::config::Secret::new);
        });
        runtime()
            .block_on(bridge::server::run(config, async {}, |_| {
                panic!("must not get ready")
            }))
            .unwrap_err()
            .to_string()
    };
    let wrong = refused(Some("not it"));
    assert!(wrong.contains("TLS_CONFIG_KEY_PASSWORD"), "{wrong}");
    assert!(wrong.contains(&key.display().to_string()), "{wrong}");
    assert!(
        !wrong.contains("not it"),
        "the password is never printed: {wrong}"
    );
    let none = refused(None);
    assert!(none.contains("TLS_CONFIG_ENCRYPTED_KEY"), "{none}");
    assert!(none.contains("set tls.key_password"), "{none}");
}

/// `GET path` over HTTPS trusting `ca_file` only; `Err` when the handshake fails (the
/// bridge's certificate is not of that CA).
async fn https_get(
    addr: SocketAddr,
    ca_file: &std::path::Path,
    path: &str,
) -> Result<String, String> {
    let tls = tls_connect(addr, tls_client(ca_file, None), "localhost")
        .await
        .map_err(|e| e.to_string())?;
    http_get(tls, path).await.map_err(|e| e.to_string())
}

/// The value of the unlabelled or labelled sample `series` in a Prometheus text answer.
fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics.lines().find_map(|l| {
        l.strip_prefix(series)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

/// Replaces `to` by a copy of `from` the way rotation tools do (a new file renamed over it).
fn replace_file(from: &std::path::Path, to: &std::path::Path) {
    let tmp = to.with_extension("new");
    std::fs::copy(from, &tmp).unwrap();
    std::fs::rename(&tmp, to).unwrap();
}

/// The expiry of a PEM certificate as OpenSSL reads it, in Unix seconds (the oracle of the
/// expiry gauge): `openssl x509 -enddate` then GNU `date`.
fn openssl_not_after(cert: &std::path::Path) -> f64 {
    let out = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-enddate", "-in"])
        .arg(cert)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let date = text.trim().strip_prefix("notAfter=").unwrap().to_owned();
    let out = std::process::Command::new("date")
        .args(["-u", "-d", &date, "+%s"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Certificate rotation without a restart: `web3270 serve` (the binary, TLS from
/// `WEB3270_TLS_*`) serves the old CA's certificate; the files are replaced by another CA's
/// and SIGHUP makes new connections get the new one, while a wss session opened before goes
/// on; a broken certificate file on the next SIGHUP is refused (log line with its code,
/// `tls_reloads_total{result="error"}`) and the good certificate stays. The expiry gauge is
/// what OpenSSL reads in the file.
#[test]
fn a_rotated_certificate_is_served_after_sighup_and_a_broken_one_is_not() {
    let dir = scratch("tls_reload");
    let old = Pki::new("tls_reload_old");
    let old_leaf = old.leaf("bridge", &["localhost", "127.0.0.1"]);
    let new = Pki::new("tls_reload_new");
    let new_leaf = new.leaf("bridge", &["localhost", "127.0.0.1"]);
    let (cert, key, log) = (
        dir.join("cert.pem"),
        dir.join("key.pem"),
        dir.join("bridge.log"),
    );
    replace_file(&old_leaf.cert, &cert);
    replace_file(&old_leaf.key, &key);
    let serve = ServeProcess::start_with_env(&[
        ("WEB3270_TLS_ENABLED", "true".as_ref()),
        ("WEB3270_TLS_CERT", cert.as_os_str()),
        ("WEB3270_TLS_KEY", key.as_os_str()),
        ("WEB3270_LOG_FILE", log.as_os_str()),
    ]);
    assert!(
        serve
            .first_line
            .starts_with("web3270: open https://127.0.0.1:"),
        "{}",
        serve.first_line
    );
    let addr = serve.addr;
    let hup = || {
        let status = std::process::Command::new("kill")
            .args(["-HUP", &serve.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    };
    runtime().block_on(async {
        let health = https_get(addr, &old.ca_file, "/api/v1/health")
            .await
            .unwrap();
        assert!(health.starts_with("HTTP/1.1 200"), "{health}");
        assert!(https_get(addr, &new.ca_file, "/api/v1/health")
            .await
            .is_err());
        let metrics = https_get(addr, &old.ca_file, "/metrics").await.unwrap();
        assert_eq!(
            sample(&metrics, "web3270_tls_certificate_not_after_seconds"),
            Some(openssl_not_after(&cert))
        );
        let errors_before =
            sample(&metrics, "web3270_tls_reloads_total{result=\"error\"}").unwrap();
        let mut browser = Browser::open(
            wss_connect(addr, &old.ca_file, "localhost").await,
            hello("demo"),
        )
        .await;
        browser.until_shows("Logon").await;

        replace_file(&new_leaf.key, &key);
        replace_file(&new_leaf.cert, &cert);
        hup();
        let deadline = tokio::time::Instant::now() + WAIT;
        while https_get(addr, &new.ca_file, "/api/v1/health")
            .await
            .is_err()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the new certificate is not served"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(https_get(addr, &old.ca_file, "/api/v1/health")
            .await
            .is_err());
        // The session made with the old certificate goes on.
        browser
            .type_and_send("ann\tDEMO", tn3270::input::Key::Enter)
            .await;
        browser.until_shows("Main menu").await;
        let metrics = https_get(addr, &new.ca_file, "/metrics").await.unwrap();
        assert!(sample(&metrics, "web3270_tls_reloads_total{result=\"ok\"}").unwrap() >= 1.0);

        std::fs::write(dir.join("broken.pem"), "not a certificate\n").unwrap();
        replace_file(&dir.join("broken.pem"), &cert);
        hup();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let metrics = https_get(addr, &new.ca_file, "/metrics").await.unwrap();
            let errors = sample(&metrics, "web3270_tls_reloads_total{result=\"error\"}").unwrap();
            if errors > errors_before {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no failed reload counted"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let health = https_get(addr, &new.ca_file, "/api/v1/health")
            .await
            .unwrap();
        assert!(
            health.starts_with("HTTP/1.1 200"),
            "the good certificate stays: {health}"
        );
    });
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.lines()
            .any(|l| l.contains("certificate reload failed")
                && l.contains("TLS_CONFIG_NO_CERTIFICATE")),
        "{log}"
    );
    assert!(log.contains("certificate reloaded"), "{log}");
}
