//! `sessions.connection_pool_size` (bridge/src/pool, "Opening connections"): at most N
//! upstream connections are being opened at once, the rest wait their turn. The host is the
//! embedded demo host behind a front that holds each new connection 300 ms before relaying
//! it — a slow negotiation — and counts how many connections are in that phase at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bridge::config::{Endpoint, LoadBalancerConfig};
use bridge::pool::{Pool, PoolRequest};
use bridge::server::EndpointState;
use bridge::upstream::UpstreamOptions;
use tokio::net::{TcpListener, TcpStream};

const HOLD: Duration = Duration::from_millis(300);

/// Connections the front has accepted, and the most of them in their held phase at once.
#[derive(Default)]
struct Seen {
    accepted: AtomicUsize,
    holding: AtomicUsize,
    most_holding: AtomicUsize,
}

/// The demo host behind a slow front; returns the front's address.
async fn slow_demo_host() -> (SocketAddr, Arc<Seen>) {
    let demo = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let demo_addr = demo.local_addr().unwrap();
    tokio::spawn(bridge::demo::serve(demo, std::future::pending::<()>()));
    let front = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = front.local_addr().unwrap();
    let seen = Arc::new(Seen::default());
    let counts = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = front.accept().await else {
                return;
            };
            let seen = counts.clone();
            tokio::spawn(async move {
                seen.accepted.fetch_add(1, Ordering::SeqCst);
                let now = seen.holding.fetch_add(1, Ordering::SeqCst) + 1;
                seen.most_holding.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(HOLD).await;
                seen.holding.fetch_sub(1, Ordering::SeqCst);
                let mut host = TcpStream::connect(demo_addr).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut host).await;
            });
        }
    });
    (addr, seen)
}

/// Opens `n` sessions at once through a pool bounded by `size`; all must succeed. Returns
/// what the host saw.
async fn open_at_once(n: usize, size: Option<u32>) -> Arc<Seen> {
    let (addr, seen) = slow_demo_host().await;
    let endpoint = Endpoint::host("slow", "127.0.0.1", Some(addr.port()));
    let pool = Pool::new(
        &LoadBalancerConfig::default(),
        vec![EndpointState::new(endpoint, None)],
    )
    .with_connection_pool_size(size);
    let opens = (0..n).map(|_| {
        pool.connect(PoolRequest::default(), |ep| {
            UpstreamOptions::for_endpoint(&ep.config)
        })
    });
    let sessions = futures_util::future::join_all(opens).await;
    for s in &sessions {
        let connected = s.as_ref().expect("every session opens");
        assert_eq!(connected.endpoint.config.name, "slow");
    }
    assert_eq!(seen.accepted.load(Ordering::SeqCst), n);
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_bound_every_connection_is_opened_at_once() {
    let seen = open_at_once(4, None).await;
    assert_eq!(seen.most_holding.load(Ordering::SeqCst), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_pool_size_opens_that_many_at_a_time() {
    let seen = open_at_once(4, Some(2)).await;
    assert_eq!(seen.most_holding.load(Ordering::SeqCst), 2);
    let seen = open_at_once(3, Some(1)).await;
    assert_eq!(seen.most_holding.load(Ordering::SeqCst), 1);
}
