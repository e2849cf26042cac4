//! [`MfMock`]: mainframe-mocker (`mfmock`, PyPI `mainframe-mocker`) serving a test application.
//!
//! The applications are Python files in `tests/hosts/` ([`MfMockApp`]), run with the venv's
//! Python (the directory holding `mfmock`, found on `PATH` or in the workspace's `.venv/bin`,
//! which `scripts/test.sh` creates). mfmock offers TN3270E (DEVICE-TYPE, CONNECT with an LU
//! name `TERM0001`..., empty FUNCTIONS) or plain TN3270 with `--no-tn3270e`, answers a Read
//! Partition Query, and writes EW/EWA for models 2-5 and IBM-DYNAMIC. With `--trace` its log
//! hex-dumps every 3270 record it sent and received (parsed by [`crate::trace::mfmock_records`]):
//! that is how a test sees what the HOST received.
//!
//! Always bound to 127.0.0.1 (mfmock's default would be 0.0.0.0); ready on `event=listening`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::trace::{mfmock_records, MfMockRecord};
use crate::{free_port, HarnessError, ProcessGuard, TestDir};

/// The log line that says mfmock is listening.
pub const READY: &str = "event=listening";

/// How long mfmock gets to start (Python start-up; ~0.3 s here).
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Which application mfmock serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MfMockApp {
    /// `mfmock demo`: the package's own demo host (DEMO / DEMO).
    Demo,
    /// `tests/hosts/logon.py`: sign-on (userid, hidden password, numeric branch) -> menu.
    Logon,
    /// `tests/hosts/colours.py`: SFE colours and highlights, every kind of field, alarm.
    Colours,
    /// `tests/hosts/sizes.py`: fills any negotiated size (models 2-5, IBM-DYNAMIC, 14-bit addresses).
    Sizes,
    /// Any other mfmock application file (run as `python FILE`).
    Script(PathBuf),
}

impl MfMockApp {
    /// A short name, used for log file names.
    pub fn name(&self) -> String {
        match self {
            Self::Demo => "demo".into(),
            Self::Logon => "logon".into(),
            Self::Colours => "colours".into(),
            Self::Sizes => "sizes".into(),
            Self::Script(path) => path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }
    }

    /// The application file, for all but [`MfMockApp::Demo`].
    pub fn script(&self) -> Option<PathBuf> {
        let hosts = crate::workspace_root().join("tests").join("hosts");
        match self {
            Self::Demo => None,
            Self::Logon => Some(hosts.join("logon.py")),
            Self::Colours => Some(hosts.join("colours.py")),
            Self::Sizes => Some(hosts.join("sizes.py")),
            Self::Script(path) => Some(path.clone()),
        }
    }
}

/// How mfmock is started.
#[derive(Debug, Clone)]
pub struct MfMockOptions {
    /// Offer TN3270E (default); `false` passes `--no-tn3270e`.
    pub tn3270e: bool,
    /// Also listen with TLS, with this certificate and key (PEM files).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Hex-dump every record into the log (`--trace`); read back with [`MfMock::records`].
    pub trace: bool,
}

impl Default for MfMockOptions {
    fn default() -> Self {
        Self {
            tn3270e: true,
            tls: None,
            trace: true,
        }
    }
}

/// A running mfmock, stopped on drop.
#[derive(Debug)]
pub struct MfMock {
    /// The plain TCP port on 127.0.0.1.
    pub port: u16,
    /// The TLS port, when [`MfMockOptions::tls`] was given.
    pub tls_port: Option<u16>,
    guard: ProcessGuard,
}

impl MfMock {
    /// Starts `app` on a free loopback port and waits until it listens.
    pub fn start(
        dir: &TestDir,
        app: &MfMockApp,
        options: &MfMockOptions,
    ) -> Result<Self, HarnessError> {
        let bin = venv_bin()?;
        let port = free_port()?;
        let mut cmd = match app.script() {
            None => {
                let mut cmd = Command::new(bin.join("mfmock"));
                cmd.arg("demo");
                cmd
            }
            Some(script) => {
                let mut cmd = Command::new(bin.join("python3"));
                cmd.arg(script);
                cmd
            }
        };
        cmd.arg("--host")
            .arg("127.0.0.1")
            .arg("--port")
            .arg(port.to_string());
        if !options.tn3270e {
            cmd.arg("--no-tn3270e");
        }
        if options.trace {
            cmd.arg("--trace");
        }
        let tls_port = match &options.tls {
            Some((cert, key)) => {
                let tls_port = free_port()?;
                cmd.arg("--tls-port")
                    .arg(tls_port.to_string())
                    .arg("--tls-cert")
                    .arg(cert)
                    .arg("--tls-key")
                    .arg(key);
                Some(tls_port)
            }
            None => None,
        };
        cmd.current_dir(dir.path());
        cmd.env("PYTHONUNBUFFERED", "1");
        let log = dir.join(&format!("mfmock-{}-{port}.log", app.name()));
        let mut guard = ProcessGuard::spawn("mfmock", cmd, &log)?;
        guard.wait_for_log(READY, START_TIMEOUT)?;
        if tls_port.is_some() {
            guard.wait_for_log("tls=True", START_TIMEOUT)?;
        }
        Ok(Self {
            port,
            tls_port,
            guard,
        })
    }

    /// `127.0.0.1:PORT`, for s3270's `Connect()`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The 3270 records mfmock sent and received so far (needs [`MfMockOptions::trace`]).
    pub fn records(&self) -> Vec<MfMockRecord> {
        mfmock_records(&self.guard.log_text())
    }

    /// The process guard (log, PID).
    pub fn process(&mut self) -> &mut ProcessGuard {
        &mut self.guard
    }
}

/// Writes a self-signed certificate for 127.0.0.1 (`tls-cert.pem`, `tls-key.pem`) into `dir`
/// with the `openssl` command, for [`MfMockOptions::tls`]. Clients must skip verification
/// (s3270: `-set verifyHostCert=false`).
pub fn self_signed_cert(dir: &TestDir) -> Result<(PathBuf, PathBuf), HarnessError> {
    let (cert, key) = (dir.join("tls-cert.pem"), dir.join("tls-key.pem"));
    let mut cmd = Command::new("openssl");
    cmd.args([
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
    ])
    .args([
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
    ])
    .arg("-keyout")
    .arg(&key)
    .arg("-out")
    .arg(&cert);
    let mut guard = ProcessGuard::spawn("openssl", cmd, &dir.join("openssl.log"))?;
    let status = guard.wait_exit(Duration::from_secs(60))?;
    if !status.success() {
        return Err(HarnessError::Exited {
            what: "openssl req".into(),
            status: status.to_string(),
            log: dir.join("openssl.log"),
        });
    }
    Ok((cert, key))
}

/// The directory with the venv's `mfmock` and `python3`: from `PATH`, else `<workspace>/.venv/bin`.
pub fn venv_bin() -> Result<PathBuf, HarnessError> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let fallback = crate::workspace_root().join(".venv").join("bin");
    on_path
        .into_iter()
        .chain(std::iter::once(fallback))
        .find(|dir| is_file(&dir.join("mfmock")) && is_file(&dir.join("python3")))
        .ok_or_else(|| HarnessError::Missing {
            program: "mfmock".into(),
            hint: "looked on PATH and in .venv/bin".into(),
        })
}

fn is_file(path: &Path) -> bool {
    path.is_file()
}
