//! The `web3270` command line as a user runs it: exit codes and what it prints.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

fn web3270() -> Command {
    Command::new(env!("CARGO_BIN_EXE_web3270"))
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn config_check_prints_the_effective_config_with_secrets_masked() {
    let out = web3270()
        .args(["config", "check", &fixture("server.yaml")])
        .env("AUTH_TOKEN", "tok-very-secret")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("api_port: 8080"), "{text}");
    assert!(text.contains("token: \"********\""), "{text}");
    assert!(!text.contains("tok-very-secret"), "{text}");
}

#[test]
fn config_check_names_the_bad_key_and_fails() {
    let dir = std::env::temp_dir().join(format!("web3270-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, "server:\n  port: 99999\n").unwrap();
    let out = web3270()
        .args(["config", "check", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("server.port: invalid value: 99999, expected a port 1-65535"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// `--version` (and `version`, `-V`) print the version `/api/v1/health` reports; `--help`
/// lists every command; an unknown command exits 2 with the help on stderr.
#[test]
fn version_help_and_unknown_commands() {
    for arg in ["--version", "version", "-V"] {
        let out = web3270().arg(arg).output().unwrap();
        assert!(out.status.success(), "{arg}: {out:?}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!("web3270 {}\n", env!("CARGO_PKG_VERSION")),
            "{arg}"
        );
    }
    let out = web3270().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for command in [
        "serve",
        "replay",
        "demo-host",
        "config check",
        "audit decrypt",
        "version",
    ] {
        assert!(
            help.contains(&format!("\n  {command}")),
            "{command}: {help}"
        );
    }
    let out = web3270().arg("--frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("web3270: unknown command '--frobnicate'"),
        "{err}"
    );
}

#[test]
fn replay_usage_errors_exit_2() {
    let out = web3270().args(["replay"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("no FILE given"));
    let out = web3270()
        .args(["replay", "-model", "3280-9", "x.trc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("bad model"));
}

#[test]
fn replay_raw_prints_the_screen() {
    let dir = std::env::temp_dir().join(format!("web3270-raw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let raw = dir.join("host.bin");
    // Plain TN3270 negotiation, then Erase/Write "HELLO" at row 1 col 2, IAC EOR.
    let mut bytes = vec![0xff, 0xfd, 0x18, 0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0];
    bytes.extend_from_slice(&[
        0xff, 0xfd, 0x19, 0xff, 0xfb, 0x19, 0xff, 0xfd, 0x00, 0xff, 0xfb, 0x00,
    ]);
    bytes.extend_from_slice(&[0xf5, 0xc3, 0x11, 0x40, 0x40, 0x1d, 0x60]);
    bytes.extend_from_slice(&[0xc8, 0xc5, 0xd3, 0xd3, 0xd6, 0xff, 0xef]);
    std::fs::write(&raw, bytes).unwrap();
    let out = web3270()
        .args([
            "replay",
            "--raw",
            "-model",
            "3279-2-E",
            raw.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 24);
    assert_eq!(rows[0], format!("{:<80}", " HELLO"));
    std::fs::remove_dir_all(&dir).ok();
}

/// `web3270 demo-host --port N` serves the demo host until it is stopped; s3270 sees the
/// logon screen. The child is killed by its PID when the test ends.
#[test]
fn demo_host_subcommand_serves_the_logon_screen() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let child = Kill(
        web3270()
            .args(["demo-host", "--port", &port.to_string()])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "demo host never listened"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut s3270 = Command::new("s3270")
        .args(["-model", "3279-2-E"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    s3270
        .stdin
        .take()
        .unwrap()
        .write_all(
            format!("Connect(127.0.0.1:{port})\nWait(10,Unlock)\nAscii()\nQuit()\n").as_bytes(),
        )
        .unwrap();
    let out = s3270.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Logon"), "{text}");
    assert!(text.contains("Userid     ===>"), "{text}");
    drop(child);
}
