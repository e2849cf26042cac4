//! Recorded conformance fixtures: s3270 sessions against each peer, kept in
//! `tests/fixtures/traces/`.
//!
//! Each [`Session`] produces `<name>.trc` (s3270's full trace: every byte both ways, as
//! `< 0x..` / `> 0x..` hex lines, plus s3270's own decoding) and `<name>.screens.txt` (s3270's
//! `Ascii()` at each snapshot, with the number of host records received before it, the cursor
//! and the connection state). These feed `web3270 replay` conformance tests: replay the host
//! records of the trace into our screen model and compare with what s3270 showed at the same
//! point. `scripts/record-fixtures.sh` regenerates them; the `fixtures` integration test checks
//! that a fresh recording still matches the committed files (host records and screens).
//!
//! The hosts are deterministic on purpose: Hercules gets the fixed logo, the mfmock apps have a
//! fixed clock, and each session gets a fresh host (so mfmock's LU is always `TERM0001`).

use std::path::Path;

use crate::s3270::{S3270Run, SnapshotId};
use crate::trace::S3270Trace;
use crate::{HarnessError, Hercules, MfMock, MfMockApp, MfMockOptions, Script, TestDir, S3270};

/// The directory holding the fixtures, relative to the workspace root.
pub const FIXTURE_DIR: &str = "tests/fixtures/traces";

/// Which host a session talks to.
#[derive(Debug, Clone)]
pub enum Host {
    /// Hercules' console server.
    Hercules,
    /// An mfmock application, with TN3270E on (`true`) or off.
    MfMock(MfMockApp, bool),
}

/// One recorded session.
#[derive(Debug, Clone)]
pub struct Session {
    /// File name stem, e.g. `logon-tn3270e`.
    pub name: &'static str,
    /// The host.
    pub host: Host,
    /// The s3270 options.
    pub s3270: S3270,
    /// Builds the script for a host address; returns the snapshots it takes.
    pub script: fn(&mut Script, &str) -> Vec<SnapshotId>,
}

fn connect(script: &mut Script, address: &str) -> SnapshotId {
    script.connect(address).wait_unlock(10);
    script.snapshot()
}

fn sign_on(script: &mut Script, user: &str, password: &str, branch: &str) -> SnapshotId {
    script
        .string(user)
        .tab()
        .string(password)
        .tab()
        .string(branch)
        .enter()
        .wait_unlock(10);
    script.snapshot()
}

fn sizes(script: &mut Script, address: &str) -> Vec<SnapshotId> {
    let first = connect(script, address);
    script.string("xyz").enter().wait_unlock(10);
    vec![first, script.snapshot()]
}

/// Every recorded session.
pub fn sessions() -> Vec<Session> {
    let logon = |tn3270e| Host::MfMock(MfMockApp::Logon, tn3270e);
    let sizes_host = Host::MfMock(MfMockApp::Sizes, true);
    vec![
        Session {
            name: "hercules-logo",
            host: Host::Hercules,
            s3270: S3270::new().model("3279-2-E"),
            script: |s, a| vec![connect(s, a)],
        },
        Session {
            name: "hercules-device-0012-enter",
            host: Host::Hercules,
            s3270: S3270::new().model("3278-2").terminal_type("IBM-3278-2"),
            script: |s, a| {
                let first = connect(s, &format!("0012@{a}"));
                // No OS answers the AID: the wait times out with the keyboard locked.
                s.enter().wait_unlock(1);
                vec![first, s.snapshot()]
            },
        },
        Session {
            name: "logon-tn3270e",
            host: logon(true),
            s3270: S3270::new().model("3279-2-E"),
            script: |s, a| {
                let first = connect(s, a);
                let menu = sign_on(s, "alice", "web3270", "0042");
                s.pf(3).wait_disconnect(10);
                vec![first, menu]
            },
        },
        Session {
            name: "logon-tn3270-3278",
            host: logon(false),
            s3270: S3270::new().model("3278-2").terminal_type("IBM-3278-2"),
            script: |s, a| vec![connect(s, a), sign_on(s, "bob", "WEB3270", "7")],
        },
        Session {
            name: "logon-bad-password-alarm",
            host: logon(true),
            s3270: S3270::new().model("3279-2-E"),
            script: |s, a| vec![connect(s, a), sign_on(s, "carol", "nope", "1")],
        },
        Session {
            name: "colours",
            host: Host::MfMock(MfMockApp::Colours, true),
            s3270: S3270::new().model("3279-2-E"),
            script: |s, a| {
                let first = connect(s, a);
                s.string("bob")
                    .tab()
                    .string("12")
                    .tab()
                    .string("1234")
                    .enter()
                    .wait_unlock(10);
                let echoed = s.snapshot();
                s.move_cursor(11, 15)
                    .erase_eof()
                    .string("ALARM")
                    .enter()
                    .wait_unlock(10);
                vec![first, echoed, s.snapshot()]
            },
        },
        Session {
            name: "sizes-model2",
            host: sizes_host.clone(),
            s3270: S3270::new().model("3279-2-E"),
            script: sizes,
        },
        Session {
            name: "sizes-model3",
            host: sizes_host.clone(),
            s3270: S3270::new().model("3279-3-E"),
            script: sizes,
        },
        Session {
            name: "sizes-model4-3278",
            host: sizes_host.clone(),
            s3270: S3270::new().model("3278-4"),
            script: sizes,
        },
        Session {
            name: "sizes-model5",
            host: sizes_host.clone(),
            s3270: S3270::new().model("3279-5-E"),
            script: sizes,
        },
        Session {
            name: "sizes-dynamic-160x62",
            host: sizes_host,
            s3270: S3270::new()
                .model("3279-2-E")
                .terminal_type("IBM-DYNAMIC")
                .oversize(160, 62),
            script: sizes,
        },
    ]
}

/// The files one recording produced.
#[derive(Debug, Clone)]
pub struct Recording {
    /// The s3270 trace file (in the test directory).
    pub trace: std::path::PathBuf,
    /// The `<name>.screens.txt` contents.
    pub screens: String,
}

impl Session {
    /// Starts the host, runs the script with tracing on, and renders the screens file.
    pub fn record(&self, dir: &TestDir) -> Result<Recording, HarnessError> {
        let mut script = Script::new();
        let (run, snapshots) = match &self.host {
            Host::Hercules => {
                let host = Hercules::start(dir)?;
                let snapshots = (self.script)(&mut script, &host.address());
                (
                    self.s3270
                        .clone()
                        .trace(true)
                        .run(dir, self.name, &script)?,
                    snapshots,
                )
            }
            Host::MfMock(app, tn3270e) => {
                let options = MfMockOptions {
                    tn3270e: *tn3270e,
                    ..MfMockOptions::default()
                };
                let host = MfMock::start(dir, app, &options)?;
                let snapshots = (self.script)(&mut script, &host.address());
                (
                    self.s3270
                        .clone()
                        .trace(true)
                        .run(dir, self.name, &script)?,
                    snapshots,
                )
            }
        };
        let trace = run
            .trace
            .clone()
            .ok_or_else(|| HarnessError::parse(self.name, "no trace"))?;
        let screens = self.render_screens(&run, &script, &snapshots, &S3270Trace::load(&trace)?)?;
        Ok(Recording { trace, screens })
    }

    fn render_screens(
        &self,
        run: &S3270Run,
        script: &Script,
        snapshots: &[SnapshotId],
        trace: &S3270Trace,
    ) -> Result<String, HarnessError> {
        let mut out = format!(
            "# web3270 fixture {}: s3270 Ascii() at each snapshot (regenerate: scripts/record-fixtures.sh)\n\
             # host: {}; s3270 script: {}\n",
            self.name,
            match &self.host {
                Host::Hercules => "Hercules console, fixed logo".to_string(),
                Host::MfMock(app, tn3270e) =>
                    format!("mfmock {} ({})", app.name(), if *tn3270e { "TN3270E" } else { "--no-tn3270e" }),
            },
            script.actions().iter().map(|a| without_port(a)).collect::<Vec<_>>().join(" ")
        );
        for (n, id) in snapshots.iter().enumerate() {
            let snap = run.snapshot(*id)?;
            let index = id.index();
            let traced = trace
                .actions
                .get(index)
                .filter(|a| a.action == "Ascii()")
                .ok_or_else(|| {
                    HarnessError::parse(
                        self.name,
                        format!("trace has no Ascii() as action {index}"),
                    )
                })?;
            let cols = snap.rows.first().map(String::len).unwrap_or(0);
            out.push_str(&format!(
                "=== snapshot {} after-host-records={} cursor={},{} state={} size={}x{}\n",
                n + 1,
                traced.host_records_before,
                snap.cursor.0,
                snap.cursor.1,
                snap.connection_state,
                snap.rows.len(),
                cols
            ));
            for row in &snap.rows {
                out.push_str(row);
                out.push('\n');
            }
        }
        Ok(out)
    }
}

/// `Connect("127.0.0.1:39093")` -> `Connect("127.0.0.1:PORT")`: ports change between runs.
fn without_port(action: &str) -> String {
    match action.split_once("127.0.0.1:") {
        Some((head, tail)) => {
            format!(
                "{head}127.0.0.1:PORT{}",
                tail.trim_start_matches(|c: char| c.is_ascii_digit())
            )
        }
        None => action.to_string(),
    }
}

/// Records every session into `out` (`<name>.trc`, `<name>.screens.txt`).
pub fn record_all(out: &Path) -> Result<(), HarnessError> {
    std::fs::create_dir_all(out)
        .map_err(|e| HarnessError::io(format!("creating {}", out.display()), e))?;
    for session in sessions() {
        let dir = TestDir::new(&format!("record_{}", session.name))?;
        let recording = session.record(&dir)?;
        let trace = out.join(format!("{}.trc", session.name));
        std::fs::copy(&recording.trace, &trace)
            .map_err(|e| HarnessError::io(format!("copying to {}", trace.display()), e))?;
        let screens = out.join(format!("{}.screens.txt", session.name));
        std::fs::write(&screens, &recording.screens)
            .map_err(|e| HarnessError::io(format!("writing {}", screens.display()), e))?;
    }
    Ok(())
}
