//! `rate_limiting` of `bridge::server::run` on loopback: per-client token buckets on
//! `/api/v1/*` and the websocket upgrade, the guide's 429 body and `X-RateLimit-*` headers;
//! health and metrics exempt.
//!
//! Requests that must arrive "at once" are pipelined on one connection (written in one
//! go), so no scheduling delay between them can refill a token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::net::SocketAddr;

use bridge::config::Config;
use support::*;

fn config(enabled: bool, max_rps: u32) -> Config {
    let mut config = demo_config();
    config.rate_limiting.enabled = enabled;
    config.rate_limiting.max_rps = max_rps;
    config
}

/// Sends GETs for `paths` pipelined on one connection; returns the answers in order.
async fn pipelined(addr: SocketAddr, paths: &[&str]) -> Vec<Answer> {
    let mut requests = String::new();
    for (i, path) in paths.iter().enumerate() {
        let close = if i + 1 == paths.len() {
            "Connection: close\r\n"
        } else {
            ""
        };
        requests.push_str(&format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{close}\r\n"
        ));
    }
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let raw = round_trip(tcp, &requests).await.unwrap();
    let mut rest = String::from_utf8(raw).unwrap();
    let mut answers = Vec::new();
    while !rest.is_empty() {
        let (head, after) = rest.split_once("\r\n\r\n").unwrap();
        let (status, headers) = parse_head(head);
        let len: usize = headers["content-length"].parse().unwrap();
        let (body, next) = after.split_at(len);
        answers.push(Answer {
            status,
            headers,
            body: body.to_owned(),
        });
        rest = next.to_owned();
    }
    assert_eq!(answers.len(), paths.len());
    answers
}

fn rate_headers(a: &Answer) -> (u32, u32, u64) {
    let h = |name: &str| {
        a.headers
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing: {a:?}"))
            .clone()
    };
    (
        h("x-ratelimit-limit").parse().unwrap(),
        h("x-ratelimit-remaining").parse().unwrap(),
        h("x-ratelimit-reset").parse().unwrap(),
    )
}

/// `max_rps: 2`: two requests at once pass with 1 then 0 remaining, the third gets 429
/// with the guide's body, the three headers and `Retry-After`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_third_quick_request_is_refused_with_429() {
    let bridge = start(config(true, 2)).await;
    let before = bridge::metrics::refusals(
        bridge::metrics::Listener::Http,
        bridge::metrics::RefusalReason::RateLimited,
    );
    let answers = pipelined(bridge.addr, &["/api/v1/endpoints"; 3]).await;
    assert_eq!(answers[0].status, 200);
    assert_eq!(rate_headers(&answers[0]), (2, 1, 1));
    assert_eq!(answers[1].status, 200);
    assert_eq!(rate_headers(&answers[1]), (2, 0, 1));
    let refused = &answers[2];
    assert_eq!(refused.status, 429, "{refused:?}");
    assert_eq!(rate_headers(refused), (2, 0, 1));
    assert_eq!(refused.headers["retry-after"], "1");
    let body: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
    assert_eq!(body["err"], "RATE_LIMIT_EXCEEDED");
    assert_eq!(body["status"], 429);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("2 requests per second"));
    let after = bridge::metrics::refusals(
        bridge::metrics::Listener::Http,
        bridge::metrics::RefusalReason::RateLimited,
    );
    assert!(after > before, "the refusal is counted");
}

/// Health and metrics stay reachable for a client that is being limited, and carry no
/// rate-limit headers; the websocket upgrade is limited too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_and_scrapes_are_exempt_and_the_websocket_is_limited() {
    let bridge = start(config(true, 1)).await;
    let answers = pipelined(
        bridge.addr,
        &[
            "/api/v1/endpoints",
            "/api/v1/endpoints",
            "/api/v1/health",
            "/metrics",
            "/api/v1/metrics",
        ],
    )
    .await;
    assert_eq!(answers[0].status, 200);
    assert_eq!(answers[1].status, 429);
    for exempt in &answers[2..] {
        assert_eq!(exempt.status, 200, "{exempt:?}");
        assert!(!exempt.headers.contains_key("x-ratelimit-limit"));
    }
    // The bucket is empty (refilled by one token a second since): of three upgrades in a
    // row at least one is refused with 429 before any websocket exists.
    let mut statuses = Vec::new();
    for _ in 0..3 {
        match ws_upgrade(bridge.addr, "", &[]).await {
            Ok(_) => statuses.push(101),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert!(response.headers().contains_key("x-ratelimit-limit"));
                statuses.push(response.status().as_u16());
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert!(statuses.contains(&429), "{statuses:?}");
}

/// Disabled (the default): no limit and no headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_means_no_limit_and_no_headers() {
    let bridge = start(config(false, 1)).await;
    let answers = pipelined(bridge.addr, &["/api/v1/endpoints"; 3]).await;
    for a in &answers {
        assert_eq!(a.status, 200);
        assert!(!a.headers.contains_key("x-ratelimit-limit"));
    }
}
