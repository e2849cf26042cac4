//! Unit tests of the pool without sockets: the strategies' order, leases and LU pools, name
//! resolution, runtime additions, RFC 3339 times. The end-to-end behaviour (health checks,
//! failover, LUs seen by a host) is in `bridge/tests/pool.rs`.

use std::time::{Duration, SystemTime};

use super::*;
use crate::config::{Builtin, Endpoint, LoadBalancerConfig, Strategy};

fn member(name: &str, weight: u32, active: usize) -> Member<'_> {
    Member {
        name,
        weight,
        active,
    }
}

fn names<'a>(members: &[Member<'a>], order: &[usize]) -> Vec<&'a str> {
    order.iter().map(|&i| members[i].name).collect()
}

/// Round robin: the first pick rotates one place per request; every member appears once.
#[test]
fn round_robin_rotates() {
    let mut b = Balancer::default();
    let m = [member("a", 1, 0), member("b", 1, 0), member("c", 1, 0)];
    let firsts: Vec<_> = (0..6)
        .map(|_| names(&m, &b.order(Strategy::RoundRobin, "", 1, &m))[0])
        .collect();
    assert_eq!(firsts, ["a", "b", "c", "a", "b", "c"]);
    assert_eq!(
        names(&m, &b.order(Strategy::RoundRobin, "", 1, &m)),
        ["a", "b", "c"]
    );
    // Another scope or priority has its own position.
    assert_eq!(
        names(&m, &b.order(Strategy::RoundRobin, "p", 1, &m))[0],
        "a"
    );
    assert_eq!(names(&m, &b.order(Strategy::RoundRobin, "", 2, &m))[0], "a");
}

/// Weighted 3:1 (smooth weighted round robin): a a b a, repeating; the other member comes
/// second (failover order).
#[test]
fn weighted_three_to_one() {
    let mut b = Balancer::default();
    let m = [member("a", 3, 0), member("b", 1, 0)];
    let picks: Vec<_> = (0..8)
        .map(|_| names(&m, &b.order(Strategy::Weighted, "", 1, &m)))
        .collect();
    let firsts: Vec<_> = picks.iter().map(|p| p[0]).collect();
    assert_eq!(firsts, ["a", "a", "b", "a", "a", "a", "b", "a"]);
    assert!(picks.iter().all(|p| p.len() == 2 && p[0] != p[1]));
}

/// Least connections: fewest live sessions first.
#[test]
fn least_conn_prefers_the_emptiest() {
    let mut b = Balancer::default();
    let m = [member("a", 1, 2), member("b", 1, 0), member("c", 1, 1)];
    assert_eq!(
        names(&m, &b.order(Strategy::LeastConn, "", 1, &m)),
        ["b", "c", "a"]
    );
    // Ties rotate.
    let t = [member("a", 1, 1), member("b", 1, 1)];
    let first = names(&t, &b.order(Strategy::LeastConn, "t", 1, &t))[0];
    let second = names(&t, &b.order(Strategy::LeastConn, "t", 1, &t))[0];
    assert_ne!(first, second);
}

/// No members: an empty order.
#[test]
fn empty_group() {
    let mut b = Balancer::default();
    assert!(b.order(Strategy::Weighted, "", 1, &[]).is_empty());
}

fn ep(name: &str, lus: &[&str], max: Option<u32>) -> EndpointState {
    let mut c = Endpoint::host(name, "h.example", Some(23));
    c.lu_names = lus.iter().map(|s| s.to_string()).collect();
    c.max_sessions = max;
    EndpointState::new(c, None)
}

/// LUs are handed out in list order, one per lease, and come back when the lease drops;
/// all in use → exhausted; a skipped (host-rejected) LU is passed over.
#[test]
fn lu_pool_leases() {
    let e = ep("h", &["LU1", "LU2"], None);
    let a = Lease::acquire(&e, None, &[]).unwrap();
    let b = Lease::acquire(&e, None, &[]).unwrap();
    assert_eq!((a.lu(), b.lu()), (Some("LU1"), Some("LU2")));
    assert_eq!(e.active_sessions(), 2);
    assert_eq!(e.lus_in_use(), ["LU1", "LU2"]);
    assert_eq!(
        Lease::acquire(&e, None, &[]).unwrap_err(),
        NoLease::LuExhausted
    );
    drop(a);
    assert_eq!(e.lus_in_use(), ["LU2"]);
    assert_eq!(e.active_sessions(), 1);
    let c = Lease::acquire(&e, None, &[]).unwrap();
    assert_eq!(c.lu(), Some("LU1"));
    drop((b, c));
    let d = Lease::acquire(&e, None, &["lu1".into()]).unwrap();
    assert_eq!(d.lu(), Some("LU2"), "a rejected LU is skipped");
}

/// An explicit LU bypasses the pool but is marked in use: the pool skips it, and a second
/// explicit request for it is refused.
#[test]
fn explicit_lu_is_marked_in_use() {
    let e = ep("h", &["LU1", "LU2"], None);
    let x = Lease::acquire(&e, Some("lu1"), &[]).unwrap();
    assert_eq!(x.lu(), Some("lu1"));
    assert_eq!(Lease::acquire(&e, None, &[]).unwrap().lu(), Some("LU2"));
    assert_eq!(
        Lease::acquire(&e, Some("LU1"), &[]).unwrap_err(),
        NoLease::LuInUse("LU1".into())
    );
    // Not in the list: still tracked.
    let _y = Lease::acquire(&e, Some("OTHER"), &[]).unwrap();
    assert!(e.lus_in_use().contains(&"OTHER".to_owned()));
}

/// `max_sessions` counts leases.
#[test]
fn max_sessions_per_endpoint() {
    let e = ep("h", &[], Some(1));
    let a = Lease::acquire(&e, None, &[]).unwrap();
    assert_eq!(a.lu(), None);
    assert_eq!(Lease::acquire(&e, None, &[]).unwrap_err(), NoLease::Full(1));
    drop(a);
    assert!(Lease::acquire(&e, None, &[]).is_ok());
}

fn pool_of(eps: Vec<EndpointState>) -> Pool {
    Pool::new(&LoadBalancerConfig::default(), eps)
}

/// Names: an endpoint first (exact, then any case), else a pool; none → every endpoint.
#[test]
fn resolve_names() {
    let mut a = Endpoint::host("a", "h", None);
    a.pool = Some("prod".into());
    let mut b = Endpoint::host("b", "h", None);
    b.pool = Some("prod".into());
    let p = pool_of(vec![
        EndpointState::new(a, None),
        EndpointState::new(b, None),
    ]);
    assert_eq!(p.resolve(None), Ok(Scope::All));
    assert_eq!(p.resolve(Some("  ")), Ok(Scope::All));
    assert_eq!(p.resolve(Some("a")), Ok(Scope::Endpoint("a".into())));
    assert_eq!(p.resolve(Some("B")), Ok(Scope::Endpoint("b".into())));
    assert_eq!(p.resolve(Some("PROD")), Ok(Scope::Pool("prod".into())));
    assert_eq!(
        p.resolve(Some("x")),
        Err(PoolError::UnknownEndpoint(Some("x".into())))
    );
    assert_eq!(
        Pool::empty().resolve(None),
        Err(PoolError::UnknownEndpoint(None))
    );
}

/// The plan: unusable endpoints are listed as down, the rest by priority then strategy.
#[test]
fn plan_orders_by_priority_and_skips_down() {
    let mk = |name: &str, prio: u32| {
        let mut c = Endpoint::host(name, "h", None);
        c.priority = prio;
        EndpointState::new(c, None)
    };
    let (a, b, c) = (mk("a", 2), mk("b", 1), mk("c", 1));
    c.live
        .update_health(|h| h.probe_failed("UPSTREAM_REFUSED", "refused".into(), SystemTime::now()));
    let p = pool_of(vec![a, b, c]);
    let (order, down) = p.plan(&Scope::All);
    let order: Vec<_> = order.iter().map(|e| e.config.name.as_str()).collect();
    assert_eq!(order, ["b", "a"]);
    assert_eq!(down.len(), 1);
    assert_eq!(down[0].endpoint, "c");
    assert_eq!(down[0].code, "ENDPOINT_DOWN");
    assert!(
        down[0].message.contains("UPSTREAM_REFUSED"),
        "{}",
        down[0].message
    );
}

/// Nothing usable: `connect` fails at once with ENDPOINT_UNAVAILABLE naming each endpoint.
#[tokio::test]
async fn nothing_usable_fails_fast() {
    let e = ep("only", &[], None);
    e.live
        .update_health(|h| h.probe_failed("UPSTREAM_REFUSED", "refused".into(), SystemTime::now()));
    let p = pool_of(vec![e]);
    let started = std::time::Instant::now();
    let err = p
        .connect(PoolRequest::default(), |e| {
            UpstreamOptions::for_endpoint(&e.config)
        })
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(err.code(), "ENDPOINT_UNAVAILABLE");
    assert!(err.to_string().contains("only: ENDPOINT_DOWN"), "{err}");
}

/// Runtime additions are validated like the configuration and need a unique name.
#[test]
fn add_validates() {
    let mut a = Endpoint::host("a", "h", None);
    a.pool = Some("prod".into());
    let p = pool_of(vec![EndpointState::new(a, None)]);
    let added = p.add(Endpoint::host("b", "10.0.0.1", Some(3270))).unwrap();
    assert_eq!(added.status(), "unknown");
    assert_eq!(p.len(), 2);
    assert!(matches!(
        p.add(Endpoint::host("A", "h", None)),
        Err(AddError::Duplicate(_))
    ));
    assert!(matches!(
        p.add(Endpoint::host("prod", "h", None)),
        Err(AddError::Duplicate(_))
    ));
    let e = p.add(Endpoint::host("c", "http://h/", None)).unwrap_err();
    assert!(e.to_string().contains("endpoint.host"), "{e}");
    assert!(matches!(
        p.add(Endpoint::builtin("d", Builtin::Demo)),
        Err(AddError::Invalid(_))
    ));
}

fn load(yaml: &str) -> Result<crate::config::Config, crate::config::ConfigError> {
    let env = std::collections::BTreeMap::new();
    crate::config::Config::from_yaml(yaml, "<input>", &env)
}

/// `pool:` loads; a pool named like an endpoint, or with a bad name, is refused with its key.
#[test]
fn pool_key_in_the_configuration() {
    let c = load(
        "endpoints:\n  - { name: a, host: h1, pool: prod }\n  - { name: b, host: h2, pool: prod, lu_pool: [lu1] }\n",
    )
    .unwrap();
    assert_eq!(c.endpoints[0].pool.as_deref(), Some("prod"));
    assert_eq!(c.endpoints[1].lu_names, ["LU1"]);
    let e = load("endpoints:\n  - { name: a, host: h1 }\n  - { name: b, host: h2, pool: A }\n")
        .unwrap_err();
    assert_eq!(e.key(), Some("endpoints[1].pool"), "{e}");
    let e = load("endpoints:\n  - { name: a, host: h1, pool: 'no good' }\n").unwrap_err();
    assert_eq!(e.key(), Some("endpoints[0].pool"), "{e}");
}
