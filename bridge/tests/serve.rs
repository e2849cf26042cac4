//! `web3270 serve` as a user starts it: with no config it serves the page and the API on
//! loopback with the embedded demo host as its endpoint, and stops cleanly on SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::{get, runtime, Answer, ServeProcess};

/// Starts `web3270 serve` with no config file; its first line is the URL to open.
fn start() -> ServeProcess {
    let serve = ServeProcess::start();
    assert!(
        serve
            .first_line
            .starts_with(&format!("web3270: open http://{}/", serve.addr)),
        "{}",
        serve.first_line
    );
    serve
}

/// A plain HTTP/1.1 GET of `path`.
fn get_from(serve: &ServeProcess, path: &str) -> Answer {
    runtime().block_on(get(serve.addr, path, &[]))
}

#[test]
fn serve_without_config_offers_the_demo_host_on_loopback() {
    let bridge = start();
    let r = get_from(&bridge, "/api/v1/health");
    assert_eq!(r.status, 200, "{r:?}");
    let health = r.json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["endpoints"][0]["name"], "demo");
    assert_eq!(health["endpoints"][0]["status"], "up");

    let r = get_from(&bridge, "/api/v1/endpoints");
    assert_eq!(r.status, 200);
    let eps = r.json();
    assert_eq!(eps["endpoints"][0]["id"], "demo");

    let r = get_from(&bridge, "/");
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type")
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("text/html")),
        "{r:?}"
    );
    assert!(r.body.contains("<title>web3270</title>"));

    let r = get_from(&bridge, "/api/v1/nope");
    assert_eq!(r.status, 404);
    let err = r.json();
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
