//! Session behaviour that the websocket tests cannot provoke reliably: a browser that stops
//! reading. Runs a session against the embedded demo host on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use tokio::net::TcpListener;

use super::*;
use crate::config::Endpoint;
use crate::upstream::{Upstream, UpstreamOptions};

const WAIT: Duration = Duration::from_secs(15);

async fn demo_session(manager: &SessionManager) -> (Attachment, tokio::sync::oneshot::Sender<()>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(crate::demo::serve(listener, async move {
        let _ = stopped.await;
    }));
    let endpoint = Endpoint::host("demo", "127.0.0.1", Some(port));
    let upstream = Upstream::connect(&endpoint, UpstreamOptions::for_endpoint(&endpoint).unwrap())
        .await
        .unwrap();
    let slot = manager.reserve("demo", None).unwrap();
    let model = TerminalModel::parse("3279-2-E").unwrap();
    let attachment = manager
        .start(
            slot,
            "demo".into(),
            model,
            upstream.into_split(),
            Default::default(),
        )
        .await
        .unwrap();
    (attachment, stop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_that_stops_reading_is_let_go_and_can_resume() {
    let manager = SessionManager::new(4, Duration::from_secs(60));
    let (mut attachment, _stop) = demo_session(&manager).await;
    // Act as a browser until the logon screen: answer the Query.
    let mut term = Terminal::for_records(
        TerminalConfig {
            model: TerminalModel::parse("3279-2-E").unwrap(),
            ..TerminalConfig::default()
        },
        attachment.info.mode,
        None,
    );
    while !term.text_rows().iter().any(|r| r.contains("Logon")) {
        let msg = tokio::time::timeout(WAIT, attachment.rx.recv())
            .await
            .unwrap();
        match msg {
            Some(ToBrowser::Record(dt, data)) => term.feed_record(dt, &data),
            Some(ToBrowser::Mode(mode)) => term.set_mode(mode),
            other => panic!("{other:?}"),
        }
        while let Some(out) = term.poll_outbound() {
            if let tn3270::terminal::Outbound::Record { data_type, data } = out {
                assert!(
                    attachment
                        .handle
                        .input(Input::Record(data_type, data))
                        .await
                );
            }
        }
    }
    // The browser never reads `rx`; every ATTN makes the demo host write a notice, so more
    // than OUT_QUEUE host records pile up.
    for _ in 0..(OUT_QUEUE + 64) {
        if !attachment.handle.input(Input::Attn).await {
            break;
        }
    }
    let kick = tokio::time::timeout(WAIT, &mut attachment.kick)
        .await
        .expect("kicked in time")
        .expect("a kick, not a dropped session");
    assert_eq!(kick, Kick::SlowConsumer);
    // The queue stayed bounded.
    assert!(attachment.rx.len() <= OUT_QUEUE);
    // The session lives on, detached: the token resumes it, with a redraw of the screen.
    let mut again = manager.resume(&attachment.info.resume_token).await.unwrap();
    assert_eq!(again.info.session_id, attachment.info.session_id);
    let mut saw_redraw = false;
    while let Ok(Some(msg)) =
        tokio::time::timeout(Duration::from_millis(500), again.rx.recv()).await
    {
        if let ToBrowser::Record(DataType::Data3270, data) = msg {
            // Erase/Write (0x05) or Erase/Write Alternate (0x0D), CCW codes.
            assert!(matches!(data.first(), Some(0x05 | 0x0D)), "{data:02x?}");
            saw_redraw = true;
            break;
        }
    }
    assert!(saw_redraw);
    assert_eq!(manager.len(), 1);
}

#[tokio::test]
async fn the_limit_counts_reservations_and_frees_them_on_drop() {
    let manager = SessionManager::new(2, Duration::from_secs(1));
    let a = manager.reserve("x", None).unwrap();
    let _b = manager.reserve("y", Some(1)).unwrap();
    assert_eq!(manager.count_for("y"), 1);
    assert_eq!(
        manager.reserve("z", None).unwrap_err(),
        SessionError::Limit(2)
    );
    drop(a);
    assert_eq!(manager.count_for("x"), 0);
    // A free place overall, but endpoint y allows one session only.
    assert_eq!(
        manager.reserve("y", Some(1)).unwrap_err(),
        SessionError::EndpointLimit(1)
    );
    let _c = manager.reserve("x", None).unwrap();
    assert_eq!(manager.len(), 2);
}

#[tokio::test]
async fn unknown_and_empty_tokens_resume_nothing() {
    let manager = SessionManager::new(2, Duration::from_secs(1));
    assert_eq!(
        manager.resume("").await.unwrap_err(),
        SessionError::ResumeFailed
    );
    assert_eq!(
        manager
            .resume("00112233445566778899aabbccddeeff")
            .await
            .unwrap_err(),
        SessionError::ResumeFailed
    );
}

#[test]
fn tokens_compare_whole() {
    assert!(constant_time_eq("abc", "abc"));
    assert!(!constant_time_eq("abc", "abd"));
    assert!(!constant_time_eq("abc", "abcd"));
    let t = random_hex().unwrap();
    assert_eq!(t.len(), 2 * TOKEN_BYTES);
    assert_ne!(t, random_hex().unwrap());
}

#[tokio::test]
async fn the_per_user_limit_counts_each_user_apart() {
    let config = crate::config::SessionsConfig {
        max_sessions: 10,
        max_sessions_per_user: Some(2),
        ..crate::config::SessionsConfig::default()
    };
    let manager = SessionManager::from_config(&config);
    let a1 = manager.reserve_for("x", None, Some("alice")).unwrap();
    let _a2 = manager.reserve_for("y", None, Some("alice")).unwrap();
    assert_eq!(
        manager.reserve_for("x", None, Some("alice")).unwrap_err(),
        SessionError::UserLimit(2)
    );
    // Another user, and callers without a user (authentication off), are not held.
    let _b = manager.reserve_for("x", None, Some("bob")).unwrap();
    let _anonymous = manager.reserve("x", None).unwrap();
    drop(a1);
    let _a3 = manager.reserve_for("x", None, Some("alice")).unwrap();
    assert_eq!(manager.len(), 4);
}

#[test]
fn native_places_share_the_limit_but_not_the_table() {
    let manager = SessionManager::new(2, Duration::from_secs(1));
    let places = manager.places();
    assert_eq!(places.max(), 2);
    let mut native = places.reserve_native().unwrap();
    // Counted under the limit, not as a browser/REST session.
    assert_eq!(manager.len(), 0);
    assert!(manager.is_empty());
    native.assign("demo");
    assert_eq!(manager.count_for("demo"), 1);
    // The endpoint's own limit sees it.
    assert_eq!(
        manager.reserve("demo", Some(1)).unwrap_err(),
        SessionError::EndpointLimit(1)
    );
    let web = manager.reserve("demo", None).unwrap();
    assert_eq!(manager.len(), 1);
    assert_eq!(places.reserve_native().unwrap_err(), SessionError::Limit(2));
    assert_eq!(
        manager.reserve("other", None).unwrap_err(),
        SessionError::Limit(2)
    );
    drop(native);
    assert_eq!(manager.count_for("demo"), 1);
    let _again = places.reserve_native().unwrap();
    drop(web);
    assert_eq!(manager.len(), 0);
    // Places of their own are apart from any manager's.
    let alone = Places::new(1);
    let _one = alone.reserve_native().unwrap();
    assert!(alone.reserve_native().is_err());
    assert_ne!(alone, places);
    assert_eq!(places, manager.places());
}
