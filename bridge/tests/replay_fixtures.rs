//! `web3270 replay` against s3270: every recorded fixture session (tests/fixtures/traces, made
//! by scripts/record-fixtures.sh against Hercules and the mainframe-mocker apps) is replayed
//! with the same terminal options s3270 had, and the screen after the same number of host
//! records must equal what s3270's `Ascii()` showed, row for row, with the same cursor.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

struct Snapshot {
    after_records: usize,
    cursor: (usize, usize),
    rows: Vec<String>,
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/traces")
}

/// The s3270 options recorded in the trace header (` Command: s3270 ... -model M ...`),
/// translated to `web3270 replay` options.
fn replay_options(trace: &str) -> Vec<String> {
    let line = trace
        .lines()
        .find(|l| l.starts_with(" Command: "))
        .expect("trace has a Command line");
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut opts = vec!["--code-page".to_string(), "bracket".to_string()];
    for (i, w) in words.iter().enumerate() {
        if matches!(*w, "-model" | "-tn" | "-oversize" | "-codepage") {
            let name = if *w == "-codepage" { "--code-page" } else { w };
            opts.push(name.to_string());
            opts.push(words[i + 1].to_string());
        }
    }
    opts
}

fn snapshots(text: &str) -> Vec<Snapshot> {
    let mut out: Vec<Snapshot> = Vec::new();
    for line in text.lines() {
        if let Some(head) = line.strip_prefix("=== snapshot ") {
            let field = |key: &str| {
                head.split_whitespace()
                    .find_map(|w| w.strip_prefix(key))
                    .unwrap()
                    .to_string()
            };
            let cursor = field("cursor=");
            let (r, c) = cursor.split_once(',').unwrap();
            out.push(Snapshot {
                after_records: field("after-host-records=").parse().unwrap(),
                cursor: (r.parse().unwrap(), c.parse().unwrap()),
                rows: Vec::new(),
            });
        } else if !line.starts_with('#') {
            if let Some(s) = out.last_mut() {
                s.rows.push(line.to_string());
            }
        }
    }
    out
}

#[test]
fn replay_matches_s3270_on_every_fixture() {
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "trc"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "fixtures missing: {names:?}");
    for trc in names {
        let trace = std::fs::read_to_string(&trc).unwrap();
        let screens = std::fs::read_to_string(trc.with_extension("screens.txt")).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_web3270"))
            .arg("replay")
            .args(replay_options(&trace))
            .args(["--each", "--format", "json"])
            .arg(&trc)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}: {out:?}", trc.display());
        let frames: Vec<serde_json::Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        for (i, snap) in snapshots(&screens).iter().enumerate() {
            let name = format!("{} snapshot {}", trc.display(), i + 1);
            let Some(frame) = frames.get(snap.after_records.wrapping_sub(1)) else {
                failures.push(format!(
                    "{name}: only {} records replayed, s3270 saw {}",
                    frames.len(),
                    snap.after_records
                ));
                continue;
            };
            let text: Vec<String> = frame["text"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            if text != snap.rows {
                let diff: Vec<String> = text
                    .iter()
                    .zip(&snap.rows)
                    .enumerate()
                    .filter(|(_, (a, b))| a != b)
                    .map(|(r, (a, b))| format!("  row {r}:\n    ours:  {a:?}\n    s3270: {b:?}"))
                    .collect();
                failures.push(format!("{name}: screens differ\n{}", diff.join("\n")));
            }
            let cursor = (
                frame["cursor"]["row"].as_u64().unwrap() as usize,
                frame["cursor"]["col"].as_u64().unwrap() as usize,
            );
            if cursor != snap.cursor {
                failures.push(format!(
                    "{name}: cursor {cursor:?}, s3270 {:?}",
                    snap.cursor
                ));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 15, "only {checked} snapshots checked");
}
