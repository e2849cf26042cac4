//! A session's screen mirror holds what the host sent and what the terminal sent: after a
//! browser types into a field and presses Enter, and the host answers with a Write that keeps
//! the field (as most applications do for a message), the REST screen and a resumed browser
//! show the typed text, as the browser does. The host is a `tn3270` test host of our own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
mod upstream_support;

use serde_json::{json, Value};
use support::*;
use tn3270::input::Key;
use tn3270::tn3270e::{DataType, Event, HostConnection};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use upstream_support::{host_config, host_negotiate, HostStep};

/// Erase/Write: "NAME:" (protected), a 20-position input field with the cursor, a protected
/// stop after it.
const FORM: [u8; 20] = [
    0xf5, 0xc3, // Erase/Write, WCC reset | restore | reset MDT
    0x11, 0x40, 0x40, // SBA (1,1)
    0x1d, 0x60, // SF protected
    0xd5, 0xc1, 0xd4, 0xc5, 0x7a, // "NAME:"
    0x1d, 0x40, // SF unprotected (at column 7, data from column 8)
    0x13, // IC
    0x11, 0x40, 0x5b, // SBA (1,28)
    0x1d, 0x60, // SF protected
];

/// Write (no erase), WCC restore: "RECEIVED" at row 3, column 1; the field stays.
const ANSWER: [u8; 13] = [
    0xf1, 0xc2, // Write, WCC restore
    0x11, 0xc2, 0x60, // SBA (3,1)
    0xd9, 0xc5, 0xc3, 0xc5, 0xc9, 0xe5, 0xc5, 0xc4, // "RECEIVED"
];

/// A host on 127.0.0.1 that shows [`FORM`] and answers the first AID with [`ANSWER`].
/// Returns its port.
async fn form_host() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        let mut host = HostConnection::new(host_config(false));
        assert_eq!(host_negotiate(&mut tcp, &mut host).await, HostStep::In3270);
        host.send_record(DataType::Data3270, &FORM).unwrap();
        let mut buf = vec![0u8; 4096];
        let mut answered = false;
        loop {
            let out = host.take_output();
            if !out.is_empty() && tcp.write_all(&out).await.is_err() {
                return;
            }
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    host.feed(&buf[..n]);
                }
            }
            while let Some(event) = host.poll_event() {
                if let Event::Record { data, .. } = event {
                    if !answered && data.first() == Some(&0x7d) {
                        answered = true;
                        host.send_record(DataType::Data3270, &ANSWER).unwrap();
                    }
                }
            }
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mirror_keeps_what_the_browser_sent() {
    let port = form_host().await;
    let bridge = start(config_with_test_host("form", port)).await;
    let mut b = Browser::open(ws_connect(bridge.addr).await, hello("form")).await;
    let token = b.session["resume_token"].as_str().unwrap().to_owned();
    b.until_shows("NAME:").await;
    b.type_and_send("alice", Key::Enter).await;
    b.until_shows("RECEIVED").await;
    let shown = b.rows();
    assert!(shown[0].contains("NAME: alice"), "{shown:?}");

    // The REST screen: the typed text, the host's answer, the keyboard unlocked again.
    let list = get(bridge.addr, "/api/v1/sessions?kind=websocket", &[])
        .await
        .json();
    let id = list["sessions"][0]["id"].as_str().unwrap().to_owned();
    let screen = get(bridge.addr, &format!("/api/v1/sessions/{id}/screen"), &[])
        .await
        .json();
    let content = screen["screen_data"]["content"].as_str().unwrap();
    let rows: Vec<&str> = content.split('\n').collect();
    assert!(rows[0].contains("NAME: alice"), "{content}");
    assert!(rows[2].contains("RECEIVED"), "{content}");
    assert_eq!(screen["keyboard_locked"], false, "{screen}");

    // A resumed browser gets the same screen as the one that left.
    drop(b);
    let mut ws = ws_connect(bridge.addr).await;
    let mut message = hello("form");
    message["resume"] = json!(token);
    send_json(&mut ws, message).await;
    let session: Value = next_json(&mut ws).await;
    assert_eq!(session["type"], "session", "{session}");
    let term = read_snapshot(&mut ws).await;
    assert_eq!(term.text_rows(), shown);
}
