//! Chunking properties over recorded sessions: TCP may cut the host's bytes anywhere, so a
//! [`Terminal`] fed a session in any split must end with exactly the screen, cursor,
//! keyboard lock, events and output bytes it has when fed the session in one piece; and a
//! [`HostConnection`] fed a recorded client (s3270) stream in any split must report the same
//! events and write the same bytes. Plus: arbitrary bytes, alone or after a real
//! negotiation, never panic the terminal and keep its invariants (`tn3270::fuzzing`).
//!
//! The sessions are the s3270 fixtures in `tests/fixtures/traces/*.trc` (recorded by
//! scripts/record-fixtures.sh against Hercules and the mainframe-mocker apps): the host's
//! bytes are the `< 0x…` lines, the client's the `> 0x…` lines (RFC 854 framing, RFC 2355
//! TN3270E records, GA23-0059 data streams).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use tn3270::codepage::CodePage;
use tn3270::screen::LockReason;
use tn3270::terminal::{Snapshot, Terminal, TerminalConfig, TerminalEvent, TerminalModel};
use tn3270::tn3270e::{DevicePolicy, Event, HostConfig, HostConnection};

/// One recorded session.
struct Session {
    name: String,
    config: TerminalConfig,
    /// Everything the host sent, in order.
    host: Vec<u8>,
    /// Everything s3270 sent, in order.
    client: Vec<u8>,
}

/// What a terminal run shows at the end.
#[derive(Debug, PartialEq, Eq)]
struct TerminalOutcome {
    snapshot: Snapshot,
    lock: Option<LockReason>,
    events: Vec<TerminalEvent>,
    output: Vec<u8>,
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/traces")
}

/// The bytes of the `<` (host) and `>` (client) data lines of an s3270 trace.
fn streams(trace: &str) -> (Vec<u8>, Vec<u8>) {
    let (mut host, mut client) = (Vec::new(), Vec::new());
    for line in trace.lines() {
        let (out, rest) = if let Some(rest) = line.strip_prefix("< 0x") {
            (&mut host, rest)
        } else if let Some(rest) = line.strip_prefix("> 0x") {
            (&mut client, rest)
        } else {
            continue;
        };
        let Some((_, hex)) = rest.split_once(char::is_whitespace) else {
            continue;
        };
        let hex = hex.trim();
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        for pair in hex.as_bytes().chunks(2) {
            out.push(u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap());
        }
    }
    (host, client)
}

/// The terminal s3270 was: `-model`, `-oversize`, `-tn` of the trace's command line, and
/// the `bracket` code page its settings show.
fn terminal_config(trace: &str) -> TerminalConfig {
    let line = trace
        .lines()
        .find(|l| l.starts_with(" Command: "))
        .expect("trace has a Command line");
    let words: Vec<&str> = line.split_whitespace().collect();
    let value = |opt: &str| {
        words
            .iter()
            .position(|w| *w == opt)
            .map(|i| words[i + 1].to_string())
    };
    let mut model = TerminalModel::parse(&value("-model").unwrap()).unwrap();
    if let Some(o) = value("-oversize") {
        model = model.with_oversize(&o).unwrap();
    }
    if let Some(t) = value("-tn") {
        model = model.with_terminal_name(&t);
    }
    TerminalConfig {
        model,
        code_page: CodePage::by_name("bracket").unwrap(),
        ..TerminalConfig::default()
    }
}

fn sessions() -> &'static [Session] {
    static SESSIONS: OnceLock<Vec<Session>> = OnceLock::new();
    SESSIONS.get_or_init(|| {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "trc"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| {
                let trace = std::fs::read_to_string(p).unwrap();
                let (host, client) = streams(&trace);
                Session {
                    name: p.file_stem().unwrap().to_string_lossy().into_owned(),
                    config: terminal_config(&trace),
                    host,
                    client,
                }
            })
            .collect()
    })
}

/// `data` cut into pieces of the given sizes (cycled; each at least one byte).
fn split<'a>(data: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let mut rest = data;
    for size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (head, tail) = rest.split_at((*size).clamp(1, rest.len()));
        pieces.push(head);
        rest = tail;
    }
    pieces
}

/// Appends an event, merging NVT data that a chunk end split (the terminal hands over NVT
/// text at the end of each `feed`; the text is the same, its pieces are not).
fn push_merged(events: &mut Vec<TerminalEvent>, ev: TerminalEvent) {
    match (events.last_mut(), ev) {
        (Some(TerminalEvent::Nvt(prev)), TerminalEvent::Nvt(more)) => prev.extend(more),
        (_, ev) => events.push(ev),
    }
}

fn run_terminal(config: &TerminalConfig, pieces: &[&[u8]]) -> TerminalOutcome {
    let mut term = Terminal::new(config.clone());
    term.connected();
    let mut events = Vec::new();
    let mut output = Vec::new();
    for piece in pieces {
        assert_eq!(
            term.feed(piece),
            piece.len(),
            "no START-TLS in the fixtures"
        );
        while let Some(ev) = term.poll_event() {
            push_merged(&mut events, ev);
        }
        output.extend(term.take_output());
    }
    TerminalOutcome {
        snapshot: term.snapshot(),
        lock: term.screen().lock(),
        events,
        output,
    }
}

fn host_config() -> HostConfig {
    HostConfig {
        device_policy: DevicePolicy::Accept {
            default_lu: "LU0001".to_string(),
        },
        ..HostConfig::default()
    }
}

fn run_host(pieces: &[&[u8]]) -> (Vec<Event>, Vec<u8>, String) {
    let mut host = HostConnection::new(host_config());
    let mut events: Vec<Event> = Vec::new();
    let mut output = host.take_output();
    for piece in pieces {
        assert_eq!(host.feed(piece), piece.len());
        while let Some(ev) = host.poll_event() {
            match (events.last_mut(), ev) {
                (Some(Event::NvtData(prev)), Event::NvtData(more)) => prev.extend(more),
                (_, ev) => events.push(ev),
            }
        }
        output.extend(host.take_output());
    }
    (events, output, format!("{:?}", host.mode()))
}

#[test]
fn the_fixtures_are_there_and_reach_3270_mode() {
    let sessions = sessions();
    assert!(sessions.len() >= 10, "fixtures missing");
    for s in sessions {
        let whole = run_terminal(&s.config, &[&s.host]);
        assert!(
            whole
                .events
                .iter()
                .filter(|e| **e == TerminalEvent::RecordApplied)
                .count()
                >= 1,
            "{}: no record applied",
            s.name
        );
        assert!(!s.client.is_empty(), "{}: no client bytes", s.name);
    }
}

#[test]
fn byte_by_byte_equals_one_piece_for_every_fixture() {
    for s in sessions() {
        let whole = run_terminal(&s.config, &[&s.host]);
        let bytes: Vec<&[u8]> = s.host.chunks(1).collect();
        assert_eq!(run_terminal(&s.config, &bytes), whole, "{}", s.name);
        let client: Vec<&[u8]> = s.client.chunks(1).collect();
        assert_eq!(run_host(&client), run_host(&[&s.client]), "{}", s.name);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn terminal_is_chunking_invariant(
        which in 0usize..64,
        sizes in prop::collection::vec(1usize..700, 1..64),
    ) {
        let sessions = sessions();
        let s = &sessions[which % sessions.len()];
        let whole = run_terminal(&s.config, &[&s.host]);
        let pieces = split(&s.host, &sizes);
        prop_assert_eq!(run_terminal(&s.config, &pieces), whole, "{}", &s.name);
    }

    #[test]
    fn host_connection_is_chunking_invariant(
        which in 0usize..64,
        sizes in prop::collection::vec(1usize..64, 1..64),
    ) {
        let sessions = sessions();
        let s = &sessions[which % sessions.len()];
        let pieces = split(&s.client, &sizes);
        prop_assert_eq!(run_host(&pieces), run_host(&[&s.client]), "{}", &s.name);
    }

    /// Arbitrary bytes to a fresh terminal (any model and options): no panic, invariants
    /// hold, chunking does not matter (all checked by `fuzzing::terminal`).
    #[test]
    fn any_bytes_to_a_terminal(data in prop::collection::vec(any::<u8>(), 0..2048)) {
        tn3270::fuzzing::terminal(&data);
    }

    /// Arbitrary bytes after a real session's negotiation and first records (the terminal
    /// is in TN3270E/3270 mode, so the bytes reach the data stream), optionally with a
    /// record end so they form a record.
    #[test]
    fn any_bytes_after_a_real_negotiation(
        which in 0usize..64,
        cut in 0usize..4096,
        tail in prop::collection::vec(any::<u8>(), 0..1024),
        eor in any::<bool>(),
    ) {
        let sessions = sessions();
        let s = &sessions[which % sessions.len()];
        // Terminal options: model from the session, TN3270E on, numeric lock on.
        let model = s.config.model.model.clamp(2, 5);
        let mut input = vec![(model - 2) | 4 | 8 | 64, 0, 7];
        input.extend_from_slice(&s.host[..cut.min(s.host.len())]);
        input.extend_from_slice(&tail);
        if eor {
            input.extend_from_slice(&[0xff, 0xef]);
        }
        tn3270::fuzzing::terminal(&input);
    }
}
