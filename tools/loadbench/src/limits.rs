//! Process limits and measurements: the open files limit (each benchmark session is a socket
//! in this process, and two in the bridge) and the bridge's memory from `/proc/PID/status`
//! (proc(5): `VmRSS`, `VmHWM`) and open descriptors (`/proc/PID/fd`), CPU time of a process
//! (`/proc/PID/stat`) and of the whole machine (`/proc/stat`).
//!
//! Owns: reading and raising `RLIMIT_NOFILE` (setrlimit(2)), the nice value of a process's
//! threads (setpriority(2)), parsing `/proc`. Does not own
//! what the figures mean ([`crate::run`]).

use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};

/// Raises the soft open files limit to the hard limit; returns the soft limit now in force
/// (`u64::MAX` for unlimited).
pub fn raise_open_files() -> u64 {
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        let _ = setrlimit(
            Resource::Nofile,
            Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            },
        );
    }
    getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX)
}

/// Raises the hard open files limit to at least `want` (capped by `/proc/sys/fs/nr_open`)
/// when this process may (`CAP_SYS_RESOURCE`), then the soft limit to the hard one, so that
/// children (the host, the bridge) inherit room for their sessions; without the privilege
/// the limits stay as they are. Returns the hard limit now in force.
pub fn raise_open_files_hard(want: u64) -> u64 {
    let hard = open_files_hard();
    if want > hard {
        let nr_open = std::fs::read_to_string("/proc/sys/fs/nr_open")
            .ok()
            .and_then(|t| t.trim().parse::<u64>().ok())
            .unwrap_or(want);
        let to = want.min(nr_open).max(hard);
        let _ = setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(to),
                maximum: Some(to),
            },
        );
    }
    raise_open_files();
    open_files_hard()
}

/// The hard open files limit (what a child such as the bridge can raise itself to).
pub fn open_files_hard() -> u64 {
    getrlimit(Resource::Nofile).maximum.unwrap_or(u64::MAX)
}

/// The nice value of this process's calling thread.
pub fn own_nice() -> i32 {
    rustix::process::getpriority_process(None).unwrap_or(0)
}

/// Sets the nice value of every thread of `pid` (on Linux setpriority(2) with
/// `PRIO_PROCESS` changes one thread; threads created later inherit their creator's). A
/// negative value needs `CAP_SYS_NICE`.
pub fn renice(pid: u32, nice: i32) -> Result<(), String> {
    for tid in threads(pid)? {
        let id = rustix::process::Pid::from_raw(tid);
        rustix::process::setpriority_process(id, nice)
            .map_err(|e| format!("nice {nice} for thread {tid} of {pid}: {e}"))?;
    }
    Ok(())
}

/// Puts every thread of `pid` in the real-time `SCHED_FIFO` class at `priority`, or back in
/// `SCHED_OTHER` (`None`), with chrt(1) (sched_setscheduler(2) has no safe binding here).
/// Needs `CAP_SYS_NICE`; the kernel's real-time throttling (`sched_rt_runtime_us`) still
/// leaves the rest of the machine some CPU.
pub fn set_fifo(pid: u32, priority: Option<u8>) -> Result<(), String> {
    for tid in threads(pid)? {
        let (policy, prio) = match priority {
            Some(p) => ("-f", p.to_string()),
            None => ("-o", "0".to_owned()),
        };
        let status = std::process::Command::new("chrt")
            .args([policy, "-p", &prio, &tid.to_string()])
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("chrt: {e}"))?;
        if !status.success() {
            return Err(format!(
                "chrt {policy} -p {prio} {tid} (thread of {pid}): {status}"
            ));
        }
    }
    Ok(())
}

/// The thread ids of `pid` (`/proc/PID/task`).
fn threads(pid: u32) -> Result<Vec<i32>, String> {
    let dir = format!("/proc/{pid}/task");
    let tasks = std::fs::read_dir(&dir).map_err(|e| format!("{dir}: {e}"))?;
    Ok(tasks
        .flatten()
        .filter_map(|t| t.file_name().to_str().and_then(|t| t.parse().ok()))
        .collect())
}

/// Memory of a process, from `/proc/PID/status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Memory {
    /// Resident set size now (`VmRSS`), bytes.
    pub rss: u64,
    /// Peak resident set size (`VmHWM`), bytes.
    pub hwm: u64,
}

/// Reads `VmRSS` and `VmHWM` of `pid`.
pub fn memory(pid: u32) -> Result<Memory, String> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    parse_status(&text).ok_or_else(|| format!("{path}: no VmRSS/VmHWM"))
}

/// `VmRSS` and `VmHWM` from the text of a `/proc/PID/status` (values in kB).
pub fn parse_status(text: &str) -> Option<Memory> {
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line
            .get(name.len()..)?
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        Some(kb * 1024)
    };
    Some(Memory {
        rss: field("VmRSS:")?,
        hwm: field("VmHWM:")?,
    })
}

/// Open file descriptors of `pid` (entries of `/proc/PID/fd`); 0 when unreadable.
pub fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
}

/// CPU time (user + system) `pid` has used, from fields 14 and 15 of `/proc/PID/stat`
/// (clock ticks, see `sysconf(_SC_CLK_TCK)`).
pub fn cpu_time(pid: u32) -> Option<std::time::Duration> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let ticks = parse_stat_cpu(&text)?;
    let per_second = rustix::param::clock_ticks_per_second().max(1);
    Some(std::time::Duration::from_secs_f64(
        ticks as f64 / per_second as f64,
    ))
}

/// `utime + stime` from the text of `/proc/PID/stat`: the fields after the command name
/// (which is in parentheses and may contain spaces) start with field 3, the state.
pub fn parse_stat_cpu(text: &str) -> Option<u64> {
    let rest = text.get(text.rfind(')')? + 1..)?;
    let mut fields = rest.split_whitespace();
    // Fields 3..=13 come before utime (14) and stime (15).
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// CPU time all CPUs of the machine have spent busy (user, nice, system, irq, softirq,
/// steal: every field of the `cpu` line of `/proc/stat` but idle, iowait and the guest
/// fields, which user already counts; proc(5)).
pub fn machine_busy() -> Option<std::time::Duration> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks = parse_proc_stat_busy(&text)?;
    let per_second = rustix::param::clock_ticks_per_second().max(1);
    Some(std::time::Duration::from_secs_f64(
        ticks as f64 / per_second as f64,
    ))
}

/// The busy ticks of the aggregate `cpu` line of `/proc/stat`: user nice system idle
/// iowait irq softirq steal guest guest_nice → user + nice + system + irq + softirq + steal.
pub fn parse_proc_stat_busy(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    let at = |i: usize| v.get(i).copied().unwrap_or(0);
    (v.len() >= 4).then(|| at(0) + at(1) + at(2) + at(5) + at(6) + at(7))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields_are_read_in_bytes() {
        let status = "Name:\tweb3270\nVmPeak:\t  900 kB\nVmHWM:\t   2048 kB\nVmRSS:\t    1024 kB\n";
        assert_eq!(
            parse_status(status),
            Some(Memory {
                rss: 1024 * 1024,
                hwm: 2048 * 1024
            })
        );
        assert_eq!(parse_status("Name:\tx\nVmRSS:\tlots kB\n"), None);
    }

    #[test]
    fn stat_cpu_is_utime_plus_stime_after_the_command_name() {
        // pid (comm with a space and a paren) state ppid pgrp session tty tpgid flags
        // minflt cminflt majflt cmajflt utime=70 stime=5 ...
        let stat = "42 (web 3270) x) S 1 42 42 0 -1 4194560 100 0 0 0 70 5 0 0 20 0 3 0";
        assert_eq!(parse_stat_cpu(stat), Some(75));
        assert_eq!(parse_stat_cpu("42 (x) S 1"), None);
    }

    #[test]
    fn machine_busy_is_every_field_but_idle_iowait_and_guest() {
        let stat = "cpu  100 20 30 9000 50 4 6 8 70 0\ncpu0 50 10 15 4500 25 2 3 4 35 0\n";
        assert_eq!(parse_proc_stat_busy(stat), Some(100 + 20 + 30 + 4 + 6 + 8));
        assert_eq!(parse_proc_stat_busy("cpu0 1 2 3 4\n"), None);
        assert!(machine_busy().is_some());
    }

    #[test]
    fn this_process_has_memory_and_descriptors() {
        let m = memory(std::process::id()).unwrap();
        assert!(m.rss > 0 && m.hwm >= m.rss);
        assert!(open_fds(std::process::id()) >= 3);
    }
}
