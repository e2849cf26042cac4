//! The server log: size-based rotation with retention ([`bridge::logging::RotatingFile`]),
//! the fallback to standard error when the file refuses writes, and `web3270 serve` with an
//! unwritable `logging.file` (it serves anyway) or a JSON log file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bridge::config::LoggingConfig;
use bridge::logging::{destination, Destination, FallbackWriter, RotatingFile};

const DAY: Duration = Duration::from_secs(24 * 3600);

/// A fresh empty directory under the system temp dir.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("web3270-logging-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rotated_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("server.log."))
        .collect();
    names.sort();
    names
}

/// 100-byte files, ten 30-byte lines: the file rotates before a line would pass 100 bytes
/// (3 lines a file), no file exceeds the size, and every line is kept once, in order.
#[test]
fn the_file_rotates_past_its_size_and_keeps_every_line() {
    let dir = temp_dir("rotate");
    let path = dir.join("server.log");
    let mut log = RotatingFile::open(&path, 100, 30 * DAY).unwrap();
    let lines: Vec<String> = (0..10)
        .map(|i| format!("line {i:02} {}\n", "x".repeat(21)))
        .collect();
    for line in &lines {
        assert_eq!(line.len(), 30);
        log.write_all(line.as_bytes()).unwrap();
    }
    log.flush().unwrap();
    let rotated = log.rotated_files();
    assert_eq!(rotated.len(), 3, "{:?}", rotated_names(&dir));
    let mut all = String::new();
    for f in rotated.iter().chain([&path]) {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(
            text.len() <= 100,
            "{} has {} bytes",
            f.display(),
            text.len()
        );
        all.push_str(&text);
    }
    assert_eq!(all, lines.concat());
    // Rotated names: server.log.YYYYMMDD-HHMMSS[.N].
    for name in rotated_names(&dir) {
        let suffix = name.strip_prefix("server.log.").unwrap();
        assert_eq!(suffix.as_bytes()[8], b'-', "{name}");
        assert!(suffix[..8].bytes().all(|b| b.is_ascii_digit()), "{name}");
    }
    // Reopening appends to the current file and sees the same rotated files.
    let log = RotatingFile::open(&path, 100, 30 * DAY).unwrap();
    assert_eq!(log.rotated_files(), rotated);
}

/// Rotated files older than `retention_days` are removed at open (and after each
/// rotation); younger ones and files that are not rotations of this log are left alone.
#[test]
fn rotated_files_past_retention_are_removed() {
    let dir = temp_dir("retention");
    let old = SystemTime::now() - 40 * DAY;
    let recent = SystemTime::now() - 2 * DAY;
    let make = |name: &str, mtime: SystemTime| {
        let f = std::fs::File::create(dir.join(name)).unwrap();
        f.set_modified(mtime).unwrap();
    };
    make("server.log.20200101-000000", old);
    make("server.log.20200101-000000.1", old);
    make("server.log.20261201-000000", recent);
    make("server.log.bak", old);
    make("other.log.20200101-000000", old);
    let path = dir.join("server.log");
    let mut log = RotatingFile::open(&path, 50, 30 * DAY).unwrap();
    assert_eq!(
        rotated_names(&dir),
        ["server.log.20261201-000000", "server.log.bak"]
    );
    assert!(dir.join("other.log.20200101-000000").exists());
    // A rotation sweeps too: age the kept one and rotate.
    std::fs::File::options()
        .write(true)
        .open(dir.join("server.log.20261201-000000"))
        .unwrap()
        .set_modified(old)
        .unwrap();
    log.write_all(&[b'a'; 40]).unwrap();
    log.write_all(&[b'b'; 40]).unwrap();
    let names = rotated_names(&dir);
    assert!(
        !names.contains(&"server.log.20261201-000000".to_owned()),
        "{names:?}"
    );
    assert_eq!(
        log.rotated_files().len(),
        1,
        "only the new rotation: {names:?}"
    );
}

/// A writer whose failures the test switches on and off.
#[derive(Clone, Default)]
struct Flaky {
    fail: Arc<AtomicBool>,
    written: Arc<Mutex<Vec<u8>>>,
}

impl Write for Flaky {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "No space left on device",
            ));
        }
        self.written.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn text(w: &Flaky) -> String {
    String::from_utf8(w.written.lock().unwrap().clone()).unwrap()
}

/// A full disk: lines go to the fallback with one error line for the episode and a count
/// per failed line; once the file takes writes again (retry interval 0 here) lines go back
/// to it with one line saying so.
#[test]
fn a_failing_file_falls_back_with_one_error_line() {
    let file = Flaky::default();
    let stderr = Flaky::default();
    let mut w = FallbackWriter::new(file.clone(), stderr.clone(), "/var/log/web3270/server.log")
        .retry_interval(Duration::ZERO);
    w.write_line(b"one\n");
    assert_eq!(text(&file), "one\n");
    file.fail.store(true, Ordering::SeqCst);
    let errors = bridge::metrics::log_write_errors();
    w.write_line(b"two\n");
    w.write_line(b"three\n");
    assert!(w.is_falling_back());
    assert!(bridge::metrics::log_write_errors() >= errors + 2);
    assert_eq!(
        text(&stderr),
        "web3270: cannot write log file /var/log/web3270/server.log: No space left on device; \
         logging to standard error\ntwo\nthree\n"
    );
    file.fail.store(false, Ordering::SeqCst);
    w.write_line(b"four\n");
    assert!(!w.is_falling_back());
    assert_eq!(text(&file), "one\nfour\n");
    assert!(text(&stderr).ends_with("is writable again; logging there\n"));
}

/// A log path that cannot be opened (its "directory" is a regular file) gives standard
/// error, counted as a write error, without a panic.
#[test]
fn an_unopenable_log_file_means_standard_error() {
    let dir = temp_dir("unopenable");
    let not_a_dir = dir.join("plain-file");
    std::fs::write(&not_a_dir, b"").unwrap();
    let config = LoggingConfig {
        file: Some(not_a_dir.join("server.log")),
        ..LoggingConfig::default()
    };
    let errors = bridge::metrics::log_write_errors();
    assert!(matches!(destination(&config), Destination::Unopenable));
    assert!(bridge::metrics::log_write_errors() > errors);
    let none = LoggingConfig::default();
    assert!(matches!(destination(&none), Destination::Stderr));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `web3270 serve` with `env`; returns the child once it printed its URL.
fn serve(env: &[(&str, &str)]) -> std::process::Child {
    serve_on(free_port(), env)
}

/// [`serve`] with the HTTP port `api_port`.
fn serve_on(api_port: u16, env: &[(&str, &str)]) -> std::process::Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_web3270"));
    cmd.arg("serve")
        .env("WEB3270_API_PORT", api_port.to_string())
        .env("WEB3270_PORT", free_port().to_string())
        .env_remove("WEB3270_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("web3270: open http://"), "{line:?}");
    child
}

/// `web3270 serve` with an unwritable `ZIG3270_LOG_FILE` serves anyway and says once on
/// standard error why it logs there.
#[test]
fn serve_with_an_unwritable_log_file_logs_to_stderr() {
    let dir = temp_dir("serve-unwritable");
    let not_a_dir = dir.join("plain-file");
    std::fs::write(&not_a_dir, b"").unwrap();
    let log = not_a_dir.join("server.log");
    let mut child = serve(&[("ZIG3270_LOG_FILE", log.to_str().unwrap())]);
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let why = format!("web3270: cannot open log file {}", log.display());
    assert_eq!(stderr.matches(&why).count(), 1, "{stderr}");
    assert!(stderr.contains("HTTP listening"), "{stderr}");
}

/// With `WEB3270_LOG_FILE` and `WEB3270_LOG_FORMAT=json` the log file holds one JSON
/// object per line, nothing goes to standard error.
#[test]
fn serve_writes_json_lines_to_the_log_file() {
    let dir = temp_dir("serve-json");
    let log = dir.join("server.log");
    let mut child = serve(&[
        ("WEB3270_LOG_FILE", log.to_str().unwrap()),
        ("WEB3270_LOG_FORMAT", "json"),
    ]);
    // The writer thread writes shortly after the event.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let text = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("HTTP listening") || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(text.contains("HTTP listening"), "{text}");
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["level"].is_string() && v["fields"].is_object(), "{line}");
    }
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// Every websocket session logs inside a span naming its client address, session id,
/// endpoint and LU; a refusal logs its reason code. Read back from a JSON log file of a real
/// `web3270 serve`.
#[test]
fn websocket_sessions_log_in_a_span_and_refusals_log_their_code() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;

    let dir = temp_dir("spans");
    let log = dir.join("server.log");
    let port = free_port();
    let mut child = serve_on(
        port,
        &[
            ("WEB3270_LOG_FILE", log.to_str().unwrap()),
            ("WEB3270_LOG_FORMAT", "json"),
        ],
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = rt.block_on(async {
        let mut local = None;
        for endpoint in [serde_json::Value::Null, "nope".into()] {
            let mut request = format!("ws://127.0.0.1:{port}/ws")
                .into_client_request()
                .unwrap();
            request
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", "web3270.v1".parse().unwrap());
            let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
            if let tokio_tungstenite::MaybeTlsStream::Plain(s) = ws.get_ref() {
                local.get_or_insert(s.local_addr().unwrap());
            }
            let hello = serde_json::json!({"type": "hello", "endpoint": endpoint});
            ws.send(Message::Text(hello.to_string().into()))
                .await
                .unwrap();
            let answer = tokio::time::timeout(Duration::from_secs(15), ws.next())
                .await
                .unwrap();
            assert!(matches!(answer, Some(Ok(Message::Text(_)))), "{answer:?}");
        }
        local.unwrap()
    });
    let find = |needle: &str| -> serde_json::Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(line) = text.lines().find(|l| l.contains(needle)) {
                return serde_json::from_str(line).unwrap();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no {needle:?} in:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let attached = find("browser attached");
    let span = &attached["span"];
    assert_eq!(span["name"], "ws", "{attached}");
    assert_eq!(span["client"], client.to_string(), "{attached}");
    assert_eq!(span["endpoint"], "demo", "{attached}");
    assert!(
        span["session"].as_str().unwrap().starts_with("sess_"),
        "{attached}"
    );
    assert!(span["lu"].is_string(), "{attached}");
    let refused = find("websocket refused");
    assert_eq!(refused["fields"]["code"], "ENDPOINT_UNKNOWN", "{refused}");
    assert_eq!(refused["level"], "INFO");
    assert_eq!(refused["span"]["name"], "ws", "{refused}");
    child.kill().unwrap();
    let _ = child.wait();
}

/// A disk that stalls: the writer thread is stuck, the queue fills, and further lines are
/// dropped and counted instead of blocking the caller; once the disk moves again the queued
/// lines are written in order.
#[test]
fn a_stalled_writer_drops_lines_instead_of_blocking() {
    use bridge::logging::writer::LOG_QUEUE;
    let (release, stalled) = std::sync::mpsc::channel::<()>();
    let written = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = written.clone();
    let mut first = true;
    let background = bridge::logging::Background::start(move |line| {
        if first {
            first = false;
            let _ = stalled.recv();
        }
        sink.lock()
            .unwrap()
            .push(String::from_utf8_lossy(line).into_owned());
    })
    .unwrap();
    let mut handle = background.handle();
    let dropped = bridge::metrics::log_dropped_total();
    let started = std::time::Instant::now();
    // One line taken by the stuck thread, LOG_QUEUE queued, 10 dropped.
    for i in 0..LOG_QUEUE + 11 {
        handle.write_all(format!("{i}\n").as_bytes()).unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "writes never wait"
    );
    assert!(bridge::metrics::log_dropped_total() >= dropped + 10);
    release.send(()).unwrap();
    assert!(background.flush(Duration::from_secs(10)));
    let written = written.lock().unwrap();
    assert!(written.len() <= LOG_QUEUE + 1, "{}", written.len());
    assert!(written.len() >= LOG_QUEUE, "{}", written.len());
    assert_eq!(written[0], "0\n");
    assert!(written
        .windows(2)
        .all(|w| w[0].trim().parse::<usize>().unwrap() < w[1].trim().parse::<usize>().unwrap()));
}
