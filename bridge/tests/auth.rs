//! Authentication of `web3270 serve` (docs/SECURITY.md): the HTTP guard on `/api/v1/*`, the
//! websocket's hello credentials and close code 4401, tickets, basic users, brute-force
//! damping and the HTTPS requirement — against `bridge::server::run` on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod security_support;

use base64::Engine as _;
use bridge::config::{AuthType, BasicUser, Config, Secret};
use security_support::*;
use serde_json::{json, Value};

const TOKEN: &str = "s3cr3t-token-for-tests";

fn bearer_config() -> Config {
    let mut config = demo_config();
    config.authentication.enabled = true;
    config.authentication.kind = AuthType::Bearer;
    config.authentication.token = Some(Secret::new(TOKEN));
    config
}

fn bearer_header() -> String {
    format!("Bearer {TOKEN}")
}

fn basic_header(user: &str, password: &str) -> String {
    let b = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {b}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_token_guards_the_api_but_not_the_health_probe() {
    let bridge = start(bearer_config()).await;
    let a = bridge.addr;

    // No credentials: 401, the guide's body, a Bearer challenge.
    let r = get(a, "/api/v1/endpoints", &[]).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json(),
        json!({"err": "UNAUTHORIZED", "message": "authentication required", "status": 401})
    );
    assert_eq!(
        r.header("www-authenticate"),
        Some("Bearer realm=\"web3270\"")
    );

    // A wrong token: 401 with error="invalid_token" (RFC 6750 §3.1).
    let r = get(a, "/api/v1/endpoints", &[("Authorization", "Bearer wrong")]).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["err"], "UNAUTHORIZED");
    assert_eq!(
        r.header("www-authenticate"),
        Some("Bearer realm=\"web3270\", error=\"invalid_token\"")
    );
    // Nor a token that is a prefix of the right one, nor a Basic header.
    let prefix = format!("Bearer {}", &TOKEN[..TOKEN.len() - 1]);
    assert_eq!(
        get(a, "/api/v1/endpoints", &[("Authorization", &prefix)])
            .await
            .status,
        401
    );
    let basic = basic_header("bearer", TOKEN);
    assert_eq!(
        get(a, "/api/v1/endpoints", &[("Authorization", &basic)])
            .await
            .status,
        401
    );

    // The right token: the endpoints.
    let r = get(
        a,
        "/api/v1/endpoints",
        &[("Authorization", &bearer_header())],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["endpoints"][0]["name"], "demo");

    // Credentials in the URL query are never read.
    let q = format!("/api/v1/endpoints?token={TOKEN}&access_token={TOKEN}&auth={TOKEN}");
    assert_eq!(get(a, &q, &[]).await.status, 401);

    // Unknown API paths are guarded too (no probing without credentials).
    assert_eq!(get(a, "/api/v1/nothing-here", &[]).await.status, 401);

    // The probe and the login status are public; so is the page.
    let r = get(a, "/api/v1/health", &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "ok");
    let r = get(a, "/api/v1/auth", &[]).await;
    assert_eq!(
        r.json(),
        json!({"enabled": true, "type": "bearer", "ticket_lifetime_seconds": 3600, "require_https": false})
    );
    assert_eq!(get(a, "/", &[]).await.status, 200);

    // Every 401 above was counted (the metrics are public like the probe). Other tests of
    // this binary refuse too, so at least the five of this one.
    let metrics = get(a, "/metrics", &[]).await;
    assert_eq!(metrics.status, 200);
    let line = metrics
        .body
        .lines()
        .find(|l| {
            l.starts_with("web3270_refusals_total{listener=\"http\",reason=\"unauthorized\"}")
        })
        .unwrap_or_else(|| panic!("no unauthorized refusals: {}", metrics.body));
    let n: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(n >= 5.0, "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_are_issued_for_the_token_used_and_revoked() {
    let bridge = start(bearer_config()).await;
    let a = bridge.addr;
    assert_eq!(
        http(a, "POST", "/api/v1/auth/ticket", &[]).await.status,
        401
    );
    let r = http(
        a,
        "POST",
        "/api/v1/auth/ticket",
        &[("Authorization", &bearer_header())],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let t = r.json();
    let ticket = t["ticket"].as_str().unwrap().to_owned();
    assert_eq!(ticket.len(), 64);
    assert_eq!(t["user"], "bearer");
    assert_eq!(t["expires_in"], 3600);
    assert!(t["expires_at"].as_str().unwrap().ends_with('Z'));

    let as_bearer = format!("Bearer {ticket}");
    assert_eq!(
        get(a, "/api/v1/endpoints", &[("Authorization", &as_bearer)])
            .await
            .status,
        200
    );
    // A ticket cannot renew itself.
    let r = http(
        a,
        "POST",
        "/api/v1/auth/ticket",
        &[("Authorization", &as_bearer)],
    )
    .await;
    assert_eq!(r.status, 403);

    // The websocket accepts the ticket in its hello.
    let ws = ws_connect(a, "", &[]).await.unwrap();
    let b = Browser::attach(ws, hello(json!({"ticket": ticket}))).await;
    assert_eq!(b.session["endpoint"], "demo");
    drop(b);

    // Revoked: refused from then on.
    assert_eq!(
        http(
            a,
            "DELETE",
            "/api/v1/auth/ticket",
            &[("Authorization", &as_bearer)]
        )
        .await
        .status,
        204
    );
    assert_eq!(
        get(a, "/api/v1/endpoints", &[("Authorization", &as_bearer)])
            .await
            .status,
        401
    );
    let mut ws = ws_connect(a, "", &[]).await.unwrap();
    send_json(&mut ws, hello(json!({"ticket": ticket}))).await;
    expect_refusal(&mut ws, "UNAUTHORIZED", 4401).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_authenticates_in_its_hello_or_by_header_and_never_by_query() {
    let bridge = start(bearer_config()).await;
    let a = bridge.addr;

    // No auth in the hello: UNAUTHORIZED, close 4401.
    let mut ws = ws_connect(a, "", &[]).await.unwrap();
    send_json(&mut ws, hello(Value::Null)).await;
    let err = expect_refusal(&mut ws, "UNAUTHORIZED", 4401).await;
    assert_eq!(err["message"], "authentication required");

    // A wrong token.
    let mut ws = ws_connect(a, "", &[]).await.unwrap();
    send_json(&mut ws, hello(json!({"token": "nope"}))).await;
    expect_refusal(&mut ws, "UNAUTHORIZED", 4401).await;

    // The right token in the URL query is not a credential.
    let mut ws = ws_connect(a, &format!("?token={TOKEN}&auth={TOKEN}"), &[])
        .await
        .unwrap();
    send_json(&mut ws, hello(Value::Null)).await;
    expect_refusal(&mut ws, "UNAUTHORIZED", 4401).await;

    // `auth` that is not an object: a malformed hello.
    let mut ws = ws_connect(a, "", &[]).await.unwrap();
    send_json(&mut ws, hello(json!(TOKEN))).await;
    expect_refusal(&mut ws, "BAD_HELLO", 4400).await;

    // A resume token does not bypass authentication.
    let mut ws = ws_connect(a, "", &[]).await.unwrap();
    send_json(&mut ws, json!({"type": "hello", "resume": "00".repeat(16)})).await;
    expect_refusal(&mut ws, "UNAUTHORIZED", 4401).await;

    // The right token in the hello: a session on the demo host, and it logs on.
    let ws = ws_connect(a, "", &[]).await.unwrap();
    let mut b = Browser::attach(ws, hello(json!({"token": TOKEN}))).await;
    assert!(b.session["session_id"]
        .as_str()
        .unwrap()
        .starts_with("sess_"));
    b.until_shows("Logon").await;
    drop(b);

    // A header on the upgrade (non-browser clients): no auth needed in the hello.
    let ws = ws_connect(a, "", &[("Authorization", &bearer_header())])
        .await
        .unwrap();
    let b = Browser::attach(ws, hello(Value::Null)).await;
    assert_eq!(b.session["endpoint"], "demo");
    drop(b);

    // A wrong header: the upgrade itself is refused with 401.
    let err = ws_connect(a, "", &[("Authorization", "Bearer nope")])
        .await
        .unwrap_err();
    match err {
        tokio_tungstenite::tungstenite::Error::Http(resp) => assert_eq!(resp.status(), 401),
        other => panic!("expected HTTP 401, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_users_with_plain_and_hashed_passwords() {
    let mut config = demo_config();
    config.authentication.enabled = true;
    config.authentication.kind = AuthType::Basic;
    config.authentication.users = vec![
        BasicUser { name: "alice".into(), password: Secret::new("wonderland") },
        // "hunter2", PBKDF2-HMAC-SHA256, 1000 iterations, salt 00112233...
        BasicUser {
            name: "bob".into(),
            password: Secret::new(
                "pbkdf2-sha256$1000$00112233445566778899aabbccddeeff$7565f4d66ef6cfaafc300808e5b75c36c3201244948697acfbd349ae21c10d63",
            ),
        },
    ];
    let bridge = start(config).await;
    let a = bridge.addr;

    let r = get(a, "/api/v1/endpoints", &[]).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("www-authenticate"),
        Some("Basic realm=\"web3270\", charset=\"UTF-8\"")
    );
    for (user, password, status) in [
        ("alice", "wonderland", 200),
        ("bob", "hunter2", 200),
        ("alice", "hunter2", 401),
        ("bob", "wonderland", 401),
        ("carol", "wonderland", 401),
    ] {
        let h = basic_header(user, password);
        assert_eq!(
            get(a, "/api/v1/endpoints", &[("Authorization", &h)])
                .await
                .status,
            status,
            "{user}"
        );
    }
    // Not base64 / no colon: refused like wrong credentials.
    assert_eq!(
        get(a, "/api/v1/endpoints", &[("Authorization", "Basic !!!")])
            .await
            .status,
        401
    );
    let no_colon = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("alice")
    );
    assert_eq!(
        get(a, "/api/v1/endpoints", &[("Authorization", &no_colon)])
            .await
            .status,
        401
    );

    // The ticket names the user.
    let r = http(
        a,
        "POST",
        "/api/v1/auth/ticket",
        &[("Authorization", &basic_header("bob", "hunter2"))],
    )
    .await;
    assert_eq!(r.json()["user"], "bob");

    // The websocket hello with user and password.
    let ws = ws_connect(a, "", &[]).await.unwrap();
    let mut b = Browser::attach(
        ws,
        hello(json!({"user": "alice", "password": "wonderland"})),
    )
    .await;
    assert_eq!(b.session["endpoint"], "demo");
    b.until_shows("Logon").await;

    // Bob, authenticated, cannot resume Alice's session with her resume token; the token stays
    // good for Alice.
    let token = b.session["resume_token"].as_str().unwrap().to_owned();
    let resume = |user: &str, password: &str| json!({"type": "hello", "resume": token, "auth": {"user": user, "password": password}});
    let mut ws = ws_connect(a, "", &[]).await.unwrap();
    send_json(&mut ws, resume("bob", "hunter2")).await;
    expect_refusal(&mut ws, "RESUME_FAILED", 4410).await;
    let ws = ws_connect(a, "", &[]).await.unwrap();
    let again = Browser::attach(ws, resume("alice", "wonderland")).await;
    assert_eq!(again.session["session_id"], b.session["session_id"]);
    let mut ws = ws_connect(a, "", &[]).await.unwrap();
    send_json(&mut ws, hello(json!({"user": "alice", "password": "nope"}))).await;
    expect_refusal(&mut ws, "UNAUTHORIZED", 4401).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_lock_the_client_out_even_with_the_right_token() {
    let bridge = start(bearer_config()).await;
    let a = bridge.addr;
    for _ in 0..bridge::auth::damper::MAX_FAILURES {
        assert_eq!(
            get(a, "/api/v1/endpoints", &[("Authorization", "Bearer guess")])
                .await
                .status,
            401
        );
    }
    let r = get(
        a,
        "/api/v1/endpoints",
        &[("Authorization", &bearer_header())],
    )
    .await;
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["err"], "RATE_LIMIT_EXCEEDED");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= bridge::auth::damper::LOCKOUT.as_secs());
    // The websocket is damped too.
    let mut ws = ws_connect(a, "", &[]).await.unwrap();
    send_json(&mut ws, hello(json!({"token": TOKEN}))).await;
    let err = expect_refusal(&mut ws, "UNAUTHORIZED", 4401).await;
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("too many failed attempts"),
        "{err}"
    );
    // The probe is not.
    assert_eq!(get(a, "/api/v1/health", &[]).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_https_refuses_plain_http_unless_a_trusted_proxy_says_https() {
    let mut config = bearer_config();
    config.authentication.require_https = true;
    let bridge = start(config).await;
    let a = bridge.addr;
    let auth = bearer_header();
    let r = get(a, "/api/v1/endpoints", &[("Authorization", &auth)]).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json(),
        json!({"err": "HTTPS_REQUIRED", "message": "this bridge accepts HTTPS only", "status": 403})
    );
    // The websocket upgrade too.
    assert!(ws_connect(a, "", &[("Authorization", &auth)])
        .await
        .is_err());
    // Loopback is a trusted proxy: its X-Forwarded-Proto counts.
    let r = get(
        a,
        "/api/v1/endpoints",
        &[("Authorization", &auth), ("X-Forwarded-Proto", "https")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = get(
        a,
        "/api/v1/endpoints",
        &[("Authorization", &auth), ("X-Forwarded-Proto", "http")],
    )
    .await;
    assert_eq!(r.status, 403);
    // Probes are exempt.
    assert_eq!(get(a, "/api/v1/health", &[]).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_off_lets_everything_through() {
    let bridge = start(demo_config()).await;
    let a = bridge.addr;
    assert_eq!(get(a, "/api/v1/endpoints", &[]).await.status, 200);
    assert_eq!(get(a, "/api/v1/auth", &[]).await.json()["enabled"], false);
    let ws = ws_connect(a, "", &[]).await.unwrap();
    // Credentials in the hello are ignored when authentication is off.
    let b = Browser::attach(ws, hello(json!({"token": "whatever"}))).await;
    assert_eq!(b.session["endpoint"], "demo");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_user_is_held_to_max_sessions_per_user() {
    let mut config = demo_config();
    config.authentication.enabled = true;
    config.authentication.kind = AuthType::Basic;
    config.authentication.users = vec![
        BasicUser {
            name: "alice".into(),
            password: Secret::new("wonderland"),
        },
        BasicUser {
            name: "carol".into(),
            password: Secret::new("lewis"),
        },
    ];
    config.sessions.max_sessions_per_user = Some(1);
    // A closed websocket ends its session at once, so the place is free again.
    config.sessions.detach_grace_seconds = std::time::Duration::ZERO;
    let bridge = start(config).await;
    let a = bridge.addr;
    let alice = json!({"user": "alice", "password": "wonderland"});

    let first = Browser::attach(ws_connect(a, "", &[]).await.unwrap(), hello(alice.clone())).await;
    // Alice's second session: refused with SESSION_LIMIT (close 4429), naming the user.
    let mut ws = ws_connect(a, "", &[]).await.unwrap();
    send_json(&mut ws, hello(alice.clone())).await;
    let err = expect_refusal(&mut ws, "SESSION_LIMIT", 4429).await;
    assert!(
        err["message"].as_str().unwrap().contains("\"alice\""),
        "{err}"
    );
    // Nor through the REST API with her credentials: 503 SESSION_LIMIT.
    let r = request(
        a,
        "POST",
        "/api/v1/sessions",
        &[("Authorization", &basic_header("alice", "wonderland"))],
        Some(r#"{"endpoint":"demo"}"#),
    )
    .await;
    assert_eq!(r.status, 503, "{r:?}");
    assert_eq!(r.json()["err"], "SESSION_LIMIT", "{r:?}");
    // Another user is not held by Alice's count.
    let carol = Browser::attach(
        ws_connect(a, "", &[]).await.unwrap(),
        hello(json!({"user": "carol", "password": "lewis"})),
    )
    .await;
    assert_eq!(carol.session["endpoint"], "demo");
    // Once Alice's first session ends, she may open one again.
    drop(first);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let mut ws = ws_connect(a, "", &[]).await.unwrap();
        send_json(&mut ws, hello(alice.clone())).await;
        let answer = next_json(&mut ws).await;
        if answer["type"] == "session" {
            break;
        }
        assert_eq!(answer["code"], "SESSION_LIMIT", "{answer}");
        assert!(
            std::time::Instant::now() < deadline,
            "the place was not freed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
