//! Clean shutdown (SIGTERM, Ctrl-C; `server.shutdown_grace_seconds`): every attached browser
//! gets its last `status` (`ended`, code `SERVER_SHUTDOWN`) and close code 4000, every
//! upstream connection is closed (the host reads EOF), detached sessions end too, and `run`
//! returns; the `web3270` binary does the same on SIGTERM and exits 0.
//!
//! The hosts are `upstream_support::recording_host`s: their event channel closes when they
//! read EOF, which is how a test sees that the bridge closed the upstream.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
mod upstream_support;

use std::process::Command;

use support::*;
use tn3270::tn3270e::Event;
use tokio::sync::mpsc::Receiver;

/// Waits until the recording host read EOF (its channel closes); the events it got before.
async fn host_sees_close(rx: &mut Receiver<Event>) -> Vec<Event> {
    let mut events = Vec::new();
    loop {
        match tokio::time::timeout(WAIT, rx.recv()).await {
            Ok(Some(event)) => events.push(event),
            Ok(None) => return events,
            Err(_) => panic!("the host connection is still open; events: {events:?}"),
        }
    }
}

/// Two attached browsers (a host of our own, the built-in demo host): on shutdown each gets
/// `status ended SERVER_SHUTDOWN` then close 4000; the host reads EOF; `run` returns Ok.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attached_browsers_are_told_and_upstreams_closed() {
    let (port, mut host) = upstream_support::recording_host(Vec::new()).await;
    let bridge = start(config_with_test_host("rec", port)).await;
    let mut rec = Browser::open(ws_connect(bridge.addr).await, hello("rec")).await;
    rec.until_shows("HI").await;
    let mut demo = Browser::open(ws_connect(bridge.addr).await, hello("demo")).await;
    demo.until_shows("Logon").await;

    let stopping = tokio::spawn(bridge.stop());
    for b in [&mut rec, &mut demo] {
        let status = b.end_status().await;
        assert_eq!(status["state"], "ended", "{status}");
        assert_eq!(status["code"], "SERVER_SHUTDOWN", "{status}");
        assert_eq!(status["message"], "the bridge is shutting down");
        expect_close(&mut b.ws, 4000).await;
    }
    host_sees_close(&mut host).await;
    assert_eq!(stopping.await.unwrap(), Ok(()));
}

/// A session whose browser went away (detached, waiting up to `detach_grace_seconds` = 120 s
/// for a resume) is ended by shutdown too: its host reads EOF at once and `run` returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detached_sessions_end_at_shutdown() {
    let (port, mut host) = upstream_support::recording_host(Vec::new()).await;
    let mut config = config_with_test_host("rec", port);
    config.sessions.detach_grace_seconds = std::time::Duration::from_secs(120);
    let bridge = start(config).await;
    let mut b = Browser::open(ws_connect(bridge.addr).await, hello("rec")).await;
    b.until_shows("HI").await;
    drop(b);
    // Shutdown well before the detach grace could end the session.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let stopping = tokio::spawn(bridge.stop());
    host_sees_close(&mut host).await;
    assert_eq!(stopping.await.unwrap(), Ok(()));
}

/// The `web3270` binary with a live websocket session: SIGTERM → the browser is told
/// `SERVER_SHUTDOWN` and closed with 4000, and the process exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_live_sessions_and_exits_zero() {
    let serve = ServeProcess::start();
    assert!(
        serve.first_line.starts_with("web3270: open http://"),
        "{}",
        serve.first_line
    );
    let mut b = Browser::open(ws_connect(serve.addr).await, hello("demo")).await;
    b.until_shows("Logon").await;

    let pid = serve.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = b.end_status().await;
    assert_eq!(status["code"], "SERVER_SHUTDOWN", "{status}");
    expect_close(&mut b.ws, 4000).await;
    let exit = tokio::task::spawn_blocking(move || {
        let mut serve = serve;
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            if let Some(exit) = serve.child.try_wait().unwrap() {
                return exit;
            }
            if std::time::Instant::now() > deadline {
                panic!("still running after SIGTERM");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    })
    .await
    .unwrap();
    assert!(exit.success(), "{exit:?}");
}
