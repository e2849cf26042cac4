//! Replays the committed fuzz corpus on stable Rust: every file of `fuzz/corpus/<target>/`
//! goes through `tn3270::fuzzing::<target>`, the same function the cargo-fuzz target of
//! that name calls, so a crasher once found and committed stays fixed. This is what CI runs
//! (`scripts/fuzz-replay.sh`); real fuzzing needs nightly (docs/FUZZING.md).
//!
//! A failing input is named in the panic message; run it alone with
//! `cargo +nightly fuzz run <target> fuzz/corpus/<target>/<file>` or this test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use tn3270::fuzzing;

/// A fuzz target's entry point.
type Target = fn(&[u8]);

/// Every fuzz target and its function.
const TARGETS: [(&str, Target); 8] = [
    ("telnet", fuzzing::telnet),
    ("tn3270e_client", fuzzing::tn3270e_client),
    ("tn3270e_host", fuzzing::tn3270e_host),
    ("datastream", fuzzing::datastream),
    ("structured_fields", fuzzing::structured_fields),
    ("inbound", fuzzing::inbound),
    ("keyboard", fuzzing::keyboard),
    ("terminal", fuzzing::terminal),
];

/// The corpus is small by policy (docs/FUZZING.md); a directory past this was committed
/// without `cargo fuzz cmin`.
const MAX_FILES_PER_TARGET: usize = 200;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn replay(target: &str) {
    let (_, run) = TARGETS.iter().find(|(name, _)| *name == target).unwrap();
    let dir = corpus_dir().join(target);
    let files = files(&dir);
    assert!(
        !files.is_empty(),
        "no corpus for {target} in {}",
        dir.display()
    );
    assert!(
        files.len() <= MAX_FILES_PER_TARGET,
        "{target}: {} corpus files; minimise with cargo fuzz cmin",
        files.len()
    );
    let mut failed = Vec::new();
    for file in &files {
        let data = std::fs::read(file).unwrap();
        if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
            failed.push(file.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{target}: inputs that fail: {failed:#?}");
}

#[test]
fn every_corpus_directory_is_a_target() {
    for dir in std::fs::read_dir(corpus_dir()).unwrap() {
        let name = dir.unwrap().file_name().into_string().unwrap();
        assert!(
            TARGETS.iter().any(|(t, _)| *t == name),
            "fuzz/corpus/{name} matches no fuzz target"
        );
    }
}

#[test]
fn telnet() {
    replay("telnet");
}

#[test]
fn tn3270e_client() {
    replay("tn3270e_client");
}

#[test]
fn tn3270e_host() {
    replay("tn3270e_host");
}

#[test]
fn datastream() {
    replay("datastream");
}

#[test]
fn structured_fields() {
    replay("structured_fields");
}

#[test]
fn inbound() {
    replay("inbound");
}

#[test]
fn keyboard() {
    replay("keyboard");
}

#[test]
fn terminal() {
    replay("terminal");
}
