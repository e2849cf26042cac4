//! TN3270E responses (RFC 2355 §10.4) are the bridge's job: a host record asking for
//! ALWAYS-RESPONSE or ERROR-RESPONSE is answered once, by the session's mirror, as a terminal
//! would answer it: positive when the record applied, negative (command reject, operation
//! check) when it did not. Checked on the bytes a `tn3270` test host receives, for a browser
//! session over the websocket and for a headless REST session.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
mod upstream_support;

use support::*;
use tn3270::tn3270e::consts::{RSF_ALWAYS_RESPONSE, RSF_ERROR_RESPONSE};
use tn3270::tn3270e::Event;
use tokio::sync::mpsc::Receiver;

/// One TN3270E 3270-DATA record on the wire: header, `data` (no 0xFF in it), IAC EOR.
fn framed(response_flag: u8, seq: u16, data: &[u8]) -> Vec<u8> {
    let [hi, lo] = seq.to_be_bytes();
    let mut v = vec![0x00, 0x00, response_flag, hi, lo];
    v.extend_from_slice(data);
    v.extend_from_slice(&[0xff, 0xef]);
    v
}

/// What the host writes before its "HI" screen: four records asking for responses.
fn host_records() -> Vec<u8> {
    [
        // 1: a good Erase/Write asking ALWAYS-RESPONSE: positive.
        framed(RSF_ALWAYS_RESPONSE, 1, &[0xf5, 0xc3]),
        // 2: an unknown command asking ERROR-RESPONSE: negative, command reject.
        framed(RSF_ERROR_RESPONSE, 2, &[0x99, 0xc3]),
        // 3: a good Write asking ERROR-RESPONSE: no response.
        framed(RSF_ERROR_RESPONSE, 3, &[0xf1, 0xc3]),
        // 4: a Write whose SBA is cut short, asking ALWAYS-RESPONSE: negative, operation check.
        framed(RSF_ALWAYS_RESPONSE, 4, &[0xf1, 0xc3, 0x11]),
        // 5: a good Write asking ALWAYS-RESPONSE: positive.
        framed(RSF_ALWAYS_RESPONSE, 5, &[0xf1, 0xc2]),
    ]
    .concat()
}

/// The responses the host must read, in order: (seq, positive, code).
const EXPECTED: [(u16, bool, u8); 4] = [
    (1, true, 0x00), // Device End
    (2, false, 0x00),
    (4, false, 0x02),
    (5, true, 0x00),
];

/// The host's RESPONSE events until the one for seq 5 (any record the session sends on the
/// way, e.g. a Query Reply, is skipped).
async fn responses(rx: &mut Receiver<Event>) -> Vec<(u16, bool, u8)> {
    let mut got = Vec::new();
    while !got.iter().any(|&(seq, _, _)| seq == 5) {
        match tokio::time::timeout(WAIT, rx.recv()).await {
            Ok(Some(Event::Response {
                seq,
                positive,
                code,
            })) => got.push((seq, positive, code)),
            Ok(Some(_)) => {}
            Ok(None) => panic!("the host connection closed; responses so far: {got:?}"),
            Err(_) => panic!("no response for seq 5 in time; responses so far: {got:?}"),
        }
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_session_answers_the_hosts_response_requests_once() {
    let (port, mut host) = upstream_support::recording_host(host_records()).await;
    let bridge = start(config_with_test_host("rec", port)).await;
    let mut b = Browser::open(ws_connect(bridge.addr).await, hello("rec")).await;
    b.until_shows("HI").await;
    // Exactly these: none twice (the upstream does not answer on its own as well), none for
    // the good ERROR-RESPONSE record, none from the browser (it sees no headers).
    assert_eq!(responses(&mut host).await, EXPECTED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_session_answers_the_hosts_response_requests_once() {
    let (port, mut host) = upstream_support::recording_host(host_records()).await;
    let bridge = start(config_with_test_host("rec", port)).await;
    let created = request(
        bridge.addr,
        "POST",
        "/api/v1/sessions",
        &[],
        Some(r#"{"endpoint": "rec"}"#),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["endpoint"], "rec");
    assert_eq!(responses(&mut host).await, EXPECTED);
}
