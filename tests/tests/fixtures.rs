//! The recorded fixtures in `tests/fixtures/traces/` (see `web3270_tests::fixtures`).
//!
//! `fixtures_match_a_fresh_recording` re-records every session and compares the host records
//! and the screens with the committed files, so a fixture that no longer reflects the peers
//! fails loudly. `record_fixtures` (ignored; run by `scripts/record-fixtures.sh`) rewrites them.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use web3270_tests::fixtures::{record_all, sessions, Session, FIXTURE_DIR};
use web3270_tests::trace::{Direction, S3270Trace};
use web3270_tests::{workspace_root, TestDir};

#[test]
#[ignore = "rewrites tests/fixtures/traces; run scripts/record-fixtures.sh"]
fn record_fixtures() {
    record_all(&workspace_root().join(FIXTURE_DIR)).unwrap();
}

#[test]
fn fixtures_match_a_fresh_recording() {
    // Two sessions at a time (2 cores); each has its own host and directory.
    let sessions = sessions();
    let (even, odd): (Vec<_>, Vec<_>) = sessions.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = [even, odd]
            .into_iter()
            .map(|half| scope.spawn(move || half.into_iter().for_each(|(_, s)| check(s))))
            .collect();
        let failed = workers
            .into_iter()
            .map(|w| w.join())
            .filter(Result::is_err)
            .count();
        assert_eq!(failed, 0, "fixture sessions failed (see above)");
    });
}

/// Re-records one session and compares it with the committed fixture.
fn check(session: &Session) {
    let fixtures = workspace_root().join(FIXTURE_DIR);
    let trace_path = fixtures.join(format!("{}.trc", session.name));
    let screens_path = fixtures.join(format!("{}.screens.txt", session.name));
    let committed = S3270Trace::load(&trace_path)
        .unwrap_or_else(|e| panic!("{e}: run scripts/record-fixtures.sh"));
    let committed_screens = std::fs::read_to_string(&screens_path).unwrap();

    let dir = TestDir::new(&format!("fixture_{}", session.name)).unwrap();
    let fresh = session.record(&dir).unwrap();
    let fresh_trace = S3270Trace::load(&fresh.trace).unwrap();
    for direction in [Direction::FromHost, Direction::ToHost] {
        assert_eq!(
            fresh_trace.records(direction),
            committed.records(direction),
            "{}: {direction:?} records differ from {}",
            session.name,
            trace_path.display()
        );
    }
    assert!(
        !committed.records(Direction::FromHost).is_empty(),
        "{}",
        session.name
    );
    assert_eq!(
        fresh.screens, committed_screens,
        "{}: screens differ",
        session.name
    );
}
