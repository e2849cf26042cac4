//! `web3270 serve` as a user starts it: with no config it serves the page and the API on
//! loopback with the embedded demo host as its endpoint, and stops cleanly on SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Bridge {
    child: Child,
    port: u16,
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `web3270 serve` with no config file and waits for the URL line.
fn start() -> Bridge {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_web3270"))
        .arg("serve")
        .env("WEB3270_API_PORT", port.to_string())
        .env("WEB3270_PORT", free_port().to_string())
        .env_remove("WEB3270_BIND_ADDRESS")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.starts_with(&format!("web3270: open http://127.0.0.1:{port}/")),
        "{line}"
    );
    Bridge { child, port }
}

/// A plain HTTP/1.1 GET; returns (status, headers+body text).
fn get(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap();
    (status, text)
}

fn body_json(text: &str) -> serde_json::Value {
    let body = text.split("\r\n\r\n").nth(1).unwrap();
    serde_json::from_str(body).unwrap()
}

#[test]
fn serve_without_config_offers_the_demo_host_on_loopback() {
    let bridge = start();
    let (status, text) = get(bridge.port, "/api/v1/health");
    assert_eq!(status, 200, "{text}");
    let health = body_json(&text);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["endpoints"][0]["name"], "demo");
    assert_eq!(health["endpoints"][0]["status"], "up");

    let (status, text) = get(bridge.port, "/api/v1/endpoints");
    assert_eq!(status, 200);
    let eps = body_json(&text);
    assert_eq!(eps["endpoints"][0]["id"], "demo");

    let (status, text) = get(bridge.port, "/");
    assert_eq!(status, 200);
    assert!(
        text.to_ascii_lowercase()
            .contains("content-type: text/html"),
        "{text}"
    );
    assert!(text.contains("<title>web3270</title>"));

    let (status, text) = get(bridge.port, "/api/v1/nope");
    assert_eq!(status, 404);
    let err = body_json(&text);
    assert_eq!(err["err"], "NOT_FOUND");
    assert_eq!(err["status"], 404);
}

#[test]
fn sigterm_stops_the_bridge_cleanly() {
    let mut bridge = start();
    let pid = bridge.child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(exit) = bridge.child.try_wait().unwrap() {
            assert!(exit.success(), "{exit:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still running 15 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_bad_config_fails_at_start_with_the_key_path() {
    let dir = std::env::temp_dir().join(format!("web3270-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("server.yaml");
    std::fs::write(&cfg, "load_balancer:\n  strategy: random\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_web3270"))
        .args(["serve", "--config", cfg.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("load_balancer.strategy"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
