//! [`Hercules`]: the Hercules emulator's built-in TN3270 console server, with no OS loaded.
//!
//! Hercules 3.13 (Debian package `hercules`) serves four 3270 devices (0010-0013) on a loopback
//! port: plain TN3270 only (DO TTYPE, SB TTYPE SEND, EOR, BINARY; never TN3270E), one
//! Erase/Write of protected fields (the logo), device choice by `IBM-3278-2@0012`, and a
//! "connection rejected" screen when all devices are busy. After an AID the keyboard stays
//! locked (no OS answers it): drive it with `s3270 -clear aidWait` and `Wait(n,Unlock)`.
//!
//! The harness writes the config from PEERS.md (`TIMERINT` keeps an idle Hercules from costing
//! ~16% of a core; `CNSLPORT` comes from the `HERC_CNSLPORT` environment variable) and a fixed
//! logo ([`LOGO`], loaded with `-b`) so the screen is the same on every machine.

use std::process::Command;
use std::time::Duration;

use crate::{free_port, HarnessError, ProcessGuard, TestDir};

/// The Hercules configuration: no disks, no OS, four 3270 devices at 0010-0013.
pub const CONFIG: &str = "\
CPUSERIAL 002623
CPUMODEL  3090
MAINSIZE  16
NUMCPU    1
ARCHMODE  ESA/390
PANRATE   SLOW
TIMERINT  1000000
CNSLPORT  $(HERC_CNSLPORT)
0010.4    3270
";

/// The fixed logo (Hercules' logo order language: `@SBA row,col`, `@SF [H][P]`, `@NL`).
/// `$(CCUU)` is the device number, so the screen shows which device a client got.
pub const LOGO: &str = "\
@ALIGN NONE
@SBA 0,0
@SF P
WEB3270 TEST HOST (HERCULES)
@NL
@SF HP
FIXED LOGO FOR REPRODUCIBLE SCREENS
@SBA 22,0
@SF P
DEVICE $(CCUU)
";

/// The rows of [`LOGO`] as `Ascii()` shows them (trimmed), for device 0010.
pub const LOGO_ROWS: [(usize, &str); 3] = [
    (0, "WEB3270 TEST HOST (HERCULES)"),
    (1, "FIXED LOGO FOR REPRODUCIBLE SCREENS"),
    (22, "DEVICE 0010"),
];

/// The log line that says the console port is listening.
pub const READY: &str = "HHCTE003I";

/// How long Hercules gets to start (it takes ~0.1 s).
pub const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A running Hercules, stopped on drop.
#[derive(Debug)]
pub struct Hercules {
    /// The console port on 127.0.0.1.
    pub port: u16,
    guard: ProcessGuard,
}

impl Hercules {
    /// Writes `hercules.cnf` and `logo.txt` into `dir`, starts Hercules on a free port and
    /// waits for [`READY`].
    pub fn start(dir: &TestDir) -> Result<Self, HarnessError> {
        let port = free_port()?;
        let config = dir.write("hercules.cnf", CONFIG)?;
        let logo = dir.write("logo.txt", LOGO)?;
        let mut cmd = Command::new("hercules");
        cmd.arg("-f").arg(&config).arg("-b").arg(&logo).arg("-d");
        cmd.current_dir(dir.path());
        cmd.env("HERC_CNSLPORT", format!("127.0.0.1:{port}"));
        let mut guard = ProcessGuard::spawn("hercules", cmd, &dir.join("hercules.log"))?;
        guard.wait_for_log(READY, START_TIMEOUT)?;
        Ok(Self { port, guard })
    }

    /// `127.0.0.1:PORT`, for s3270's `Connect()`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The process guard (log, PID).
    pub fn process(&mut self) -> &mut ProcessGuard {
        &mut self.guard
    }
}
