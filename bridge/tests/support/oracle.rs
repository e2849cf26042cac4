//! Comparing sessions through the bridge with s3270's own (the oracle, PEERS.md): s3270's
//! logons to mainframe-mocker (mfmock) and to the demo host, and what differs per connection
//! on mfmock, masked. Not here: starting s3270 and mfmock (`web3270_tests`).

use web3270_tests::trace::{Direction, MfMockRecord};
use web3270_tests::{Script, Snapshot, TestDir, S3270};

/// Offset of the SEQ-NUMBER in a TN3270E header (RFC 2355 §8: data type, request flag,
/// response flag, SEQ-NUMBER x2).
const TN3270E_SEQ_NUMBER: std::ops::Range<usize> = 3..5;

/// Rows with the LU name mfmock assigns per connection (`TERMnnnn`) masked as `TERMxxxx`.
pub fn mask_lu_names(rows: &[String]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            let mut r = r.clone();
            while let Some(i) = r.find("TERM0") {
                r.replace_range(i..(i + 8).min(r.len()), "TERMxxxx");
            }
            r
        })
        .collect()
}

/// The records of session `lu` in order; with `tn3270e`, the SEQ-NUMBER of the headers
/// towards the host zeroed (each client numbers its own records; docs/NATIVE-TN3270.md).
pub fn lu_records(records: &[MfMockRecord], lu: &str, tn3270e: bool) -> Vec<(Direction, Vec<u8>)> {
    records
        .iter()
        .filter(|r| r.lu == lu)
        .map(|r| {
            let mut bytes = r.bytes.clone();
            if tn3270e && r.direction == Direction::ToHost {
                bytes
                    .get_mut(TN3270E_SEQ_NUMBER)
                    .into_iter()
                    .flatten()
                    .for_each(|b| *b = 0);
            }
            (r.direction, bytes)
        })
        .collect()
}

/// What the operator types on mainframe-mocker's sign-on screen (`tests/hosts/logon.py`;
/// `\t` is Tab), then Enter.
pub const MFMOCK_LOGON_INPUT: &str = "alice\tweb3270\t0042";

/// `s3270` signs on to mainframe-mocker's `logon.py` at `target` (an s3270 host string)
/// with [`MFMOCK_LOGON_INPUT`]: the sign-on screen and the menu.
pub fn s3270_mfmock_logon(
    s3270: &S3270,
    dir: &TestDir,
    name: &str,
    target: &str,
) -> (Snapshot, Snapshot) {
    let mut script = Script::new();
    script.connect(target).wait_unlock(10);
    let signon = script.snapshot();
    for (i, part) in MFMOCK_LOGON_INPUT.split('\t').enumerate() {
        if i > 0 {
            script.tab();
        }
        script.string(part);
    }
    script.enter().wait_unlock(10);
    let menu = script.snapshot();
    let run = s3270.run(dir, name, &script).unwrap();
    (run.snapshot(signon).unwrap(), run.snapshot(menu).unwrap())
}

/// s3270 (model 3279-2-E) logs on to the demo host at `target` (an s3270 host string) as
/// `ann` with password `DEMO`: the logon screen and the menu.
pub fn s3270_demo_logon(dir: &TestDir, name: &str, target: &str) -> (Snapshot, Snapshot) {
    let mut script = Script::new();
    script.connect(target).wait_unlock(10);
    let logon = script.snapshot();
    script
        .string("ann")
        .tab()
        .string("DEMO")
        .enter()
        .wait_unlock(10);
    let menu = script.snapshot();
    let run = S3270::new()
        .model("3279-2-E")
        .run(dir, name, &script)
        .unwrap();
    (run.snapshot(logon).unwrap(), run.snapshot(menu).unwrap())
}
