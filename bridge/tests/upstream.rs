//! `bridge::upstream` over loopback sockets: the embedded demo host in TN3270E and plain
//! TN3270 (a record-level terminal answers its Query and reads its logon screen), the
//! health probe, START-TLS with a `tn3270` HostConnection test host, keepalive against a
//! live and a hung host, and the named connect/negotiation failures (refused, connect
//! timeout, silent host, NVT-only host, START-TLS required but not offered).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod upstream_support;

use std::time::Duration;

use bridge::config::TlsMode;
use bridge::demo::DemoConfig;
use bridge::upstream::{
    probe, CloseReason, Keepalive, KeepaliveKind, Upstream, UpstreamError, UpstreamEvent,
    UpstreamOptions,
};
use tn3270::tn3270e::{DataType, FunctionSet, Mode, SendError, Session};
use tokio::io::AsyncWriteExt;
use upstream_support::*;

/// Test deadline for one event.
const EVENT_WAIT: Duration = Duration::from_secs(10);

fn fast_options() -> UpstreamOptions {
    UpstreamOptions {
        connect_timeout: Duration::from_secs(5),
        negotiate_timeout: Duration::from_secs(5),
        ..UpstreamOptions::default()
    }
}

async fn next(upstream: &mut Upstream) -> UpstreamEvent {
    tokio::time::timeout(EVENT_WAIT, upstream.recv())
        .await
        .expect("an event in time")
        .expect("the channel is open")
}

/// The next record, skipping mode changes (3270-DATA while unbound moves the TN3270E
/// session to LU-LU first).
async fn next_record(upstream: &mut Upstream) -> (DataType, Vec<u8>) {
    loop {
        match next(upstream).await {
            UpstreamEvent::Record {
                data_type, data, ..
            } => return (data_type, data),
            UpstreamEvent::ModeChanged(_) => continue,
            other => panic!("{other:?}"),
        }
    }
}

/// Applies 3270-DATA records to `term` (answering a Query) until the screen shows `text`.
/// Returns the data types seen.
async fn run_until_text(
    upstream: &mut Upstream,
    term: &mut MiniTerminal,
    text: &str,
) -> Vec<DataType> {
    let mut seen = Vec::new();
    while !term.text().contains(text) {
        match next(upstream).await {
            UpstreamEvent::Record {
                data_type, data, ..
            } => {
                seen.push(data_type);
                if data_type == DataType::Data3270 {
                    if let Some(reply) = term.apply(&data) {
                        upstream
                            .sender()
                            .send_record(DataType::Data3270, &reply)
                            .await
                            .unwrap();
                    }
                }
            }
            UpstreamEvent::Closed { reason } => panic!("closed: {reason:?}\n{}", term.text()),
            _ => {}
        }
    }
    seen
}

/// Operator presses Enter on the logon screen with empty fields: AID 7D, cursor address.
const ENTER_AT_USERID: [u8; 3] = [0x7d, 0x4b, 0xe5]; // ENTER, cursor row 10 col 22 (12-bit)

#[tokio::test]
async fn demo_host_tn3270e_logon_screen_and_enter() {
    let (port, _stop) = demo_host(DemoConfig::default()).await;
    let mut upstream = Upstream::connect(&endpoint(port, None), fast_options())
        .await
        .unwrap();
    let info = upstream.info().clone();
    assert!(matches!(info.mode, Mode::Tn3270e { .. }), "{:?}", info.mode);
    assert_eq!(info.lu.as_deref(), Some("DEMO0001"));
    assert_eq!(info.terminal_type, "IBM-3278-2-E");
    assert!(!info.tls);
    let mut term = MiniTerminal::new();
    let types = run_until_text(&mut upstream, &mut term, "web3270").await;
    assert!(types.iter().all(|t| *t == DataType::Data3270), "{types:?}");

    upstream
        .sender()
        .send_record(DataType::Data3270, &ENTER_AT_USERID)
        .await
        .unwrap();
    run_until_text(&mut upstream, &mut term, "Userid is required.").await;

    let rest = upstream.close().await;
    assert_eq!(
        rest.last(),
        Some(&UpstreamEvent::Closed {
            reason: CloseReason::Local
        })
    );
}

#[tokio::test]
async fn demo_host_plain_tn3270_records_have_no_header() {
    let config = DemoConfig {
        tn3270e: false,
        ..DemoConfig::default()
    };
    let (port, _stop) = demo_host(config).await;
    let mut upstream = Upstream::connect(&endpoint(port, None), fast_options())
        .await
        .unwrap();
    assert_eq!(upstream.info().mode, Mode::Tn3270);
    let mut term = MiniTerminal::new();
    // The first record is the Query (WSF), delivered without a TN3270E header.
    match next(&mut upstream).await {
        UpstreamEvent::Record {
            data_type,
            header,
            data,
        } => {
            assert_eq!((data_type, header), (DataType::Data3270, None));
            assert_eq!(
                data,
                [
                    0x11, // Write Structured Field (SNA code)
                    0x00, 0x05, // length 5
                    0x01, // Read Partition
                    0xff, // partition FF: all
                    0x02, // Query
                ]
            );
            let reply = term.apply(&data).expect("a Query Reply");
            upstream
                .sender()
                .send_record(DataType::Data3270, &reply)
                .await
                .unwrap();
        }
        other => panic!("{other:?}"),
    }
    run_until_text(&mut upstream, &mut term, "web3270").await;
    // TN3270E-only data types are refused in plain TN3270; ATTN is IAC BREAK there.
    assert_eq!(
        upstream
            .sender()
            .send_record(DataType::SscpLuData, b"x")
            .await,
        Err(UpstreamError::Send(SendError::NotTn3270e))
    );
    upstream.sender().attn().await.unwrap();
    upstream.close().await;
}

#[tokio::test]
async fn probe_negotiates_and_reports_latency() {
    let (port, _stop) = demo_host(DemoConfig::default()).await;
    let result = probe(&endpoint(port, None)).await.unwrap();
    assert!(matches!(result.mode, Mode::Tn3270e { .. }), "{result:?}");
    assert!(result.latency < Duration::from_secs(5), "{result:?}");
    assert!(!result.tls);
    assert_eq!(result.lu.as_deref(), Some("DEMO0001"));
}

#[tokio::test]
async fn connection_refused_is_named() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let err = Upstream::connect(&endpoint(port, None), fast_options())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "UPSTREAM_REFUSED", "{err}");
    assert_eq!(
        err.to_string(),
        format!("127.0.0.1:{port} refused the connection")
    );
    assert!(err.is_host_failure());
}

/// A loopback listener whose accept queue is full (backlog 1, never accepted, filled by
/// our own connections): further SYNs are dropped, so connect hangs.
#[tokio::test]
async fn connect_timeout_is_named() {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..16 {
        match tokio::time::timeout(
            Duration::from_millis(300),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            Ok(Ok(s)) => fillers.push(s),
            _ => break,
        }
    }
    let options = UpstreamOptions {
        connect_timeout: Duration::from_millis(500),
        ..fast_options()
    };
    let err = Upstream::connect(&endpoint(addr.port(), None), options)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        UpstreamError::ConnectTimeout {
            target: addr.to_string(),
            after: Duration::from_millis(500)
        }
    );
    assert_eq!(err.code(), "UPSTREAM_CONNECT_TIMEOUT");
    drop(listener);
}

#[tokio::test]
async fn dns_failure_is_named() {
    // `.invalid` never resolves (RFC 6761); the resolver answers locally.
    let e = bridge::config::Endpoint::host("x", "no-such-host.invalid", Some(23));
    let err = Upstream::connect(&e, fast_options()).await.unwrap_err();
    assert_eq!(err.code(), "UPSTREAM_DNS", "{err}");
}

#[tokio::test]
async fn silent_host_times_out_in_negotiation() {
    // Accepts and says nothing.
    let port = raw_host(|tcp| async move {
        tokio::time::sleep(Duration::from_secs(5)).await;
        drop(tcp);
    })
    .await;
    let options = UpstreamOptions {
        negotiate_timeout: Duration::from_millis(300),
        ..fast_options()
    };
    let err = Upstream::connect(&endpoint(port, None), options)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "UPSTREAM_NO_3270");
    assert_eq!(
        err.to_string(),
        "host did not enter 3270 mode within 300ms: still in telnet negotiation"
    );
}

#[tokio::test]
async fn nvt_only_host_is_reported_with_its_text() {
    // A line-mode telnet server: a banner and a login prompt, no 3270 options.
    let port = raw_host(|mut tcp| async move {
        tcp.write_all(b"Welcome to a Unix box\r\nlogin: ")
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    // Generous for a loaded machine; the host stays silent for 5 s after its banner.
    let options = UpstreamOptions {
        negotiate_timeout: Duration::from_millis(1500),
        ..fast_options()
    };
    let err = Upstream::connect(&endpoint(port, None), options)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "UPSTREAM_STAYED_NVT");
    match &err {
        UpstreamError::No3270 { mode, nvt_text, .. } => {
            assert_eq!(*mode, Mode::Nvt);
            assert_eq!(nvt_text, "Welcome to a Unix box\nlogin: ");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn host_closing_during_negotiation_is_named() {
    let port = raw_host(|mut tcp| async move {
        tcp.write_all(&[0xff, 0xfd, 0x28]).await.unwrap(); // IAC DO TN3270E, then close
    })
    .await;
    let err = Upstream::connect(&endpoint(port, None), fast_options())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "UPSTREAM_CLOSED_DURING_NEGOTIATION", "{err}");
}

#[tokio::test]
async fn starttls_upgrades_the_telnet_connection() {
    let pki = Pki::new("upstream-starttls");
    let cert = pki.leaf("host", &["tn3270.test"]);
    let port = starttls_host(server_config(&cert, |_| {})).await;
    let mut tls = tls_settings(&pki.ca_file, "tn3270.test");
    tls.mode = TlsMode::StartTls;
    let mut upstream = Upstream::connect(&endpoint(port, Some(tls)), fast_options())
        .await
        .unwrap();
    assert!(upstream.info().tls);
    assert_eq!(upstream.info().lu.as_deref(), Some("TEST0001"));
    assert_eq!(
        upstream.info().mode,
        Mode::Tn3270e {
            functions: FunctionSet::S3270,
            session: Session::Unbound
        }
    );
    assert_eq!(
        next(&mut upstream).await,
        UpstreamEvent::ModeChanged(Mode::Tn3270e {
            functions: FunctionSet::S3270,
            session: Session::LuLu
        })
    );
    assert_eq!(
        next_record(&mut upstream).await,
        (DataType::Data3270, HELLO_RECORD.to_vec())
    );
    upstream.close().await;
}

#[tokio::test]
async fn starttls_required_but_not_offered_is_refused() {
    let pki = Pki::new("upstream-starttls-missing");
    let (port, _stop) = demo_host(DemoConfig::default()).await;
    let mut tls = tls_settings(&pki.ca_file, "localhost");
    tls.mode = TlsMode::StartTls;
    let err = Upstream::connect(&endpoint(port, Some(tls)), fast_options())
        .await
        .unwrap_err();
    assert_eq!(err, UpstreamError::StartTlsNotOffered);
    assert_eq!(err.code(), "UPSTREAM_STARTTLS_NOT_OFFERED");
}

#[tokio::test]
async fn keepalive_keeps_a_live_host_and_drops_a_hung_one() {
    let keepalive = Keepalive {
        interval: Duration::from_millis(200),
        kind: KeepaliveKind::TimingMark,
        // Well above a loaded machine's scheduling delays, well below the hung host's 10 s.
        timeout: Duration::from_millis(1000),
    };
    let options = UpstreamOptions {
        keepalive: Some(keepalive),
        ..fast_options()
    };

    // The demo host answers DO TIMING-MARK (WONT): the session lives on.
    let (port, _stop) = demo_host(DemoConfig::default()).await;
    let mut live = Upstream::connect(&endpoint(port, None), options.clone())
        .await
        .unwrap();
    let until = tokio::time::Instant::now() + Duration::from_millis(2500);
    while let Ok(event) = tokio::time::timeout_at(until, live.recv()).await {
        assert!(
            !matches!(event, Some(UpstreamEvent::Closed { .. }) | None),
            "{event:?}"
        );
    }
    live.close().await;

    // A host that stops answering is declared dead.
    let port = hung_host(Duration::from_secs(10)).await;
    let mut hung = Upstream::connect(&endpoint(port, None), options)
        .await
        .unwrap();
    assert_eq!(next_record(&mut hung).await.1, HELLO_RECORD);
    assert_eq!(
        next(&mut hung).await,
        UpstreamEvent::Closed {
            reason: CloseReason::KeepaliveTimeout
        }
    );
    assert!(hung.sender().is_closed());
    assert_eq!(hung.sender().attn().await, Err(UpstreamError::Closed));
}

#[tokio::test]
async fn host_shutdown_is_reported_as_closed() {
    let (port, stop) = demo_host(DemoConfig::default()).await;
    let mut upstream = Upstream::connect(&endpoint(port, None), fast_options())
        .await
        .unwrap();
    stop.send(()).unwrap();
    loop {
        match next(&mut upstream).await {
            UpstreamEvent::Closed { reason } => {
                assert_eq!(reason, CloseReason::HostClosed);
                break;
            }
            _ => continue,
        }
    }
    assert_eq!(upstream.recv().await, None);
}

#[tokio::test]
async fn builtin_endpoint_is_a_config_error() {
    let e = bridge::config::Endpoint::builtin("demo", bridge::config::Builtin::Demo);
    let err = Upstream::connect(&e, fast_options()).await.unwrap_err();
    assert_eq!(err.code(), "UPSTREAM_CONFIG");
    assert!(!err.is_host_failure());
}

#[tokio::test]
async fn oversized_record_is_refused_before_sending() {
    let (port, _stop) = demo_host(DemoConfig::default()).await;
    let upstream = Upstream::connect(&endpoint(port, None), fast_options())
        .await
        .unwrap();
    let big = vec![0x40; bridge::upstream::MAX_SEND_RECORD + 1];
    let err = upstream
        .sender()
        .send_record(DataType::Data3270, &big)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "UPSTREAM_RECORD_TOO_LARGE");
    upstream.close().await;
}

/// The next event the recording host saw, skipping its mode changes.
async fn host_event(
    rx: &mut tokio::sync::mpsc::Receiver<tn3270::tn3270e::Event>,
) -> tn3270::tn3270e::Event {
    loop {
        let event = tokio::time::timeout(EVENT_WAIT, rx.recv())
            .await
            .expect("the host got something")
            .expect("the host is running");
        if !matches!(event, tn3270::tn3270e::Event::ModeChanged(_)) {
            return event;
        }
    }
}

/// Relaying: a native client's header goes to the host unchanged; responses, ATTN and
/// SYSREQ arrive as the host's events.
#[tokio::test]
async fn relay_header_response_attn_sysreq_reach_the_host() {
    use tn3270::tn3270e::consts::RSF_ALWAYS_RESPONSE;
    use tn3270::tn3270e::{Event, Header, Response};
    let (port, mut host) = recording_host(Vec::new()).await;
    let mut upstream = Upstream::connect(&endpoint(port, None), fast_options())
        .await
        .unwrap();
    assert_eq!(next_record(&mut upstream).await.1, HELLO_RECORD);

    // A native client's inbound record: ENTER, cursor at 1,1, asking ALWAYS-RESPONSE, seq 7.
    let header = Header {
        response_flag: RSF_ALWAYS_RESPONSE,
        ..Header::new(DataType::Data3270, 7)
    };
    let sent = upstream
        .sender()
        .send_record_with_header(header, &[0x7d, 0x40, 0x40])
        .await
        .unwrap();
    assert_eq!(sent, header);
    assert_eq!(
        host_event(&mut host).await,
        Event::Record {
            header: Some(header),
            data: vec![0x7d, 0x40, 0x40]
        }
    );

    // Our own records get the next sequence number (RESPONSES agreed).
    let h = upstream
        .sender()
        .send_record(DataType::Data3270, &[0x7d, 0x40, 0x40])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        host_event(&mut host).await,
        Event::Record {
            header: Some(h),
            data: vec![0x7d, 0x40, 0x40]
        }
    );

    upstream
        .sender()
        .send_response(3, Response::Positive)
        .await
        .unwrap();
    assert_eq!(
        host_event(&mut host).await,
        Event::Response {
            seq: 3,
            positive: true,
            code: 0x00 // Device End
        }
    );
    upstream.sender().attn().await.unwrap();
    assert_eq!(host_event(&mut host).await, Event::Attn); // IAC IP
    upstream.sender().sysreq().await.unwrap();
    assert_eq!(host_event(&mut host).await, Event::SysReq); // IAC AO
                                                            // With the SYSREQ function the terminal side toggles to the SSCP-LU session (as x3270).
    assert_eq!(
        next(&mut upstream).await,
        UpstreamEvent::ModeChanged(Mode::Tn3270e {
            functions: FunctionSet::S3270,
            session: Session::SscpLu
        })
    );
    upstream.close().await;
}

/// Malformed input from the host is dropped and the connection goes on.
#[tokio::test]
async fn malformed_host_records_are_dropped() {
    let garbage = vec![
        0x00, 0x00, 0xff, 0xef, // a 2-byte record: shorter than the TN3270E header, IAC EOR
        0x63, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0xef, // unknown DATA-TYPE 0x63, IAC EOR
    ];
    let (port, _host) = recording_host(garbage).await;
    let mut upstream = Upstream::connect(&endpoint(port, None), fast_options())
        .await
        .unwrap();
    assert_eq!(
        next_record(&mut upstream).await,
        (DataType::Data3270, HELLO_RECORD.to_vec())
    );
    upstream.close().await;
}

/// `connect_io`: negotiation over an in-process stream (no socket).
#[tokio::test]
async fn connect_io_over_an_in_process_stream() {
    let (client, mut server) = tokio::io::duplex(4096);
    tokio::spawn(async move {
        let mut host = tn3270::tn3270e::HostConnection::new(host_config(false));
        if host_negotiate(&mut server, &mut host).await == HostStep::In3270 {
            host_hello_then_drain(&mut server, &mut host).await;
        }
    });
    let mut upstream = Upstream::connect_io(Box::new(client), "in-process", fast_options())
        .await
        .unwrap();
    assert_eq!(upstream.info().target, "in-process");
    assert_eq!(next_record(&mut upstream).await.1, HELLO_RECORD);
    upstream.close().await;
}

/// Dropping the `Upstream` (no explicit close) ends the connection: the host sees EOF.
#[tokio::test]
async fn dropping_the_upstream_closes_the_connection() {
    let (port, mut host) = recording_host(Vec::new()).await;
    let upstream = Upstream::connect(&endpoint(port, None), fast_options())
        .await
        .unwrap();
    drop(upstream);
    let ended =
        tokio::time::timeout(EVENT_WAIT, async { while host.recv().await.is_some() {} }).await;
    assert!(ended.is_ok(), "the host still has a connection");
}
