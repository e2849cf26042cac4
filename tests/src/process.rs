//! [`ProcessGuard`]: a peer process in its own process group, stopped by PID when dropped.
//!
//! The guard starts the child with `setpgid(0, 0)` (its own process group, so helpers it
//! forks die with it), sends its stdout and stderr to a log file in the test's
//! [`crate::TestDir`], and can wait for a readiness line in that log. On drop it sends SIGTERM
//! to the group, waits up to [`STOP_GRACE`], then sends SIGKILL (Hercules sometimes hangs at
//! `HHCIN901I`). It never signals anything by name. When the test is panicking the log is
//! printed to stderr, which the test runner shows with the failure.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use crate::HarnessError;

/// How long a stopped child gets between SIGTERM and SIGKILL.
pub const STOP_GRACE: Duration = Duration::from_secs(3);

/// How often logs and exit status are polled while waiting.
const POLL: Duration = Duration::from_millis(20);

/// A running child process, stopped when the guard is dropped.
#[derive(Debug)]
pub struct ProcessGuard {
    name: String,
    child: Child,
    log: PathBuf,
    status: Option<ExitStatus>,
}

impl ProcessGuard {
    /// Starts `cmd` with stdin from `/dev/null`, stdout and stderr appended to `log`.
    pub fn spawn(name: &str, cmd: Command, log: &Path) -> Result<Self, HarnessError> {
        Self::spawn_with_input(name, cmd, log, None)
    }

    /// Like [`ProcessGuard::spawn`], with stdin read from the file `input` when given.
    pub fn spawn_with_input(
        name: &str,
        mut cmd: Command,
        log: &Path,
        input: Option<&Path>,
    ) -> Result<Self, HarnessError> {
        use std::os::unix::process::CommandExt;
        let out = File::create(log)
            .map_err(|e| HarnessError::io(format!("creating {}", log.display()), e))?;
        let err = out
            .try_clone()
            .map_err(|e| HarnessError::io("cloning a log handle", e))?;
        let stdin = match input {
            Some(path) => Stdio::from(
                File::open(path)
                    .map_err(|e| HarnessError::io(format!("opening {}", path.display()), e))?,
            ),
            None => Stdio::null(),
        };
        cmd.stdin(stdin).stdout(out).stderr(err).process_group(0);
        let child = cmd.spawn().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                HarnessError::Missing {
                    program: format!("{:?}", cmd.get_program()),
                    hint: "not on PATH".to_string(),
                }
            } else {
                HarnessError::io(format!("starting {name}"), e)
            }
        })?;
        Ok(Self {
            name: name.to_string(),
            child,
            log: log.to_path_buf(),
            status: None,
        })
    }

    /// The child's PID (also its process group ID).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The log file holding the child's stdout and stderr.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// The log's contents so far (lossy UTF-8).
    pub fn log_text(&self) -> String {
        std::fs::read(&self.log)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// The exit status if the child has exited.
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// Waits until a line of the log contains `needle`; returns that line. Fails when the child
    /// exits first or `timeout` passes.
    pub fn wait_for_log(
        &mut self,
        needle: &str,
        timeout: Duration,
    ) -> Result<String, HarnessError> {
        let mut lines = self.wait_for_log_lines(needle, 1, timeout)?;
        Ok(lines.swap_remove(0))
    }

    /// Waits until `count` lines of the log contain `needle`; returns them. Fails when the
    /// child exits first or `timeout` passes.
    pub fn wait_for_log_lines(
        &mut self,
        needle: &str,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<String>, HarnessError> {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.log_text();
            let lines: Vec<String> = text
                .lines()
                .filter(|l| l.contains(needle))
                .map(str::to_string)
                .collect();
            if lines.len() >= count.max(1) {
                return Ok(lines);
            }
            if let Some(status) = self.exit_status() {
                return Err(HarnessError::Exited {
                    what: format!("{} (waiting for {count} x {needle:?})", self.name),
                    status: status.to_string(),
                    log: self.log.clone(),
                });
            }
            if Instant::now() >= deadline {
                return Err(HarnessError::Timeout {
                    what: format!("{count} x {needle:?} from {}", self.name),
                    log: self.log.clone(),
                });
            }
            std::thread::sleep(POLL);
        }
    }

    /// Waits for the child to exit by itself; on timeout it is stopped and an error returned.
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<ExitStatus, HarnessError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.exit_status() {
                return Ok(status);
            }
            if Instant::now() >= deadline {
                self.stop();
                return Err(HarnessError::Timeout {
                    what: format!("{} to exit", self.name),
                    log: self.log.clone(),
                });
            }
            std::thread::sleep(POLL);
        }
    }

    /// Stops the child's process group: SIGTERM, then SIGKILL after [`STOP_GRACE`]. Idempotent.
    pub fn stop(&mut self) -> Option<ExitStatus> {
        if let Some(status) = self.exit_status() {
            return Some(status);
        }
        let group = Pid::from_raw(i32::try_from(self.child.id()).unwrap_or(i32::MAX));
        let _ = killpg(group, Signal::SIGTERM);
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if let Some(status) = self.exit_status() {
                // The leader is reaped: its PID may be reused, so signal nothing more.
                return Some(status);
            }
            std::thread::sleep(POLL);
        }
        let _ = killpg(group, Signal::SIGKILL);
        self.status = self.child.wait().ok();
        self.status
    }
}

impl Drop for ProcessGuard {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            eprintln!(
                "----- {} (pid {}) log {} -----\n{}\n----- end of {} log -----",
                self.name,
                self.child.id(),
                self.log.display(),
                crate::error::log_tail(&self.log),
                self.name
            );
        }
    }
}
