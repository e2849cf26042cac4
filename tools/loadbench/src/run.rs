//! `web3270-load run`: one benchmark run, bounded in sessions and time, loopback only.
//!
//! 1. Starts the fast host ([`crate::host`], a child process, unless `--host` names a
//!    loopback one) and the bridge as a separate child process (`web3270 serve` with a
//!    generated configuration whose only endpoint is that host), so its memory can be read
//!    from `/proc/PID/status`.
//! 2. **Idle**: opens `--idle` websocket sessions (each has its first screen), in two steps
//!    (a tenth, then the rest); the bridge's `VmRSS` before, between and after gives the bytes
//!    per idle session (overall, and marginal between the steps).
//! 3. **Active**, for each count M of `--active`: M direct TN3270E clients of the host and M
//!    of the websocket sessions each press Enter `--rate` times a second for `--seconds`
//!    (paced; both paths in the same window, their sends interleaved, so that the rest of the
//!    machine's load hits both alike), then each path alone as fast as it can (closed loop);
//!    each round trip (Enter → the host's answer) is timed. Added latency = bridge path − direct path at each percentile; records/s
//!    from the closed loops; the bridge's CPU time per round trip from `/proc/PID/stat`.
//!
//! Owns: the sequence, the bounds ([`MAX_SESSIONS`], [`MAX_PHASE_SECONDS`], the overall
//! `--timeout`), the statistics and the report (human text and JSON). Does not own the
//! terminals ([`crate::client`]) or the host.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::client::{Direct, Peer, WsSession};
use crate::limits::{self, Memory};

/// Most sessions (idle and active) one run may open.
pub const MAX_SESSIONS: usize = 20_000;
/// Longest measurement phase.
pub const MAX_PHASE_SECONDS: f64 = 120.0;
/// Highest per-session rate of the paced phases (Enter presses per second).
pub const MAX_RATE: f64 = 100.0;
/// Descriptors a process needs besides its sessions (listeners, epoll, pipes, stdio).
pub const RESERVE_FDS: u64 = 64;
/// The endpoint name in the generated bridge configuration.
pub const ENDPOINT: &str = "load";
/// How long the children have to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Pause before a memory reading, so that freed memory and in-flight work settle.
const SETTLE: Duration = Duration::from_secs(2);
/// Longest wait for a quiet machine before a paced window (`--quiet`).
pub const MAX_QUIET_WAIT: Duration = Duration::from_secs(120);
/// The interval over which `--quiet` judges the rest of the machine's CPU use.
const QUIET_PROBE: Duration = Duration::from_secs(1);

/// Which bridge process to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BridgeBin {
    /// `PATH serve --config FILE` (the release `web3270` for honest figures).
    Path(PathBuf),
    /// This binary's `bridge` subcommand (the same `bridge::server::run`; used by the smoke
    /// test, where no `web3270` binary may be built).
    SelfHosted,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The bridge to start.
    pub bridge: BridgeBin,
    /// A running host to use instead of starting one (loopback only).
    pub host: Option<SocketAddr>,
    /// Idle websocket sessions to open.
    pub idle: usize,
    /// Active session counts, one measurement each (each at most `idle`).
    pub active: Vec<usize>,
    /// Enter presses per second per session in the paced phases.
    pub rate: f64,
    /// Length of each measurement phase.
    pub seconds: f64,
    /// Sessions being opened at once.
    pub concurrency: usize,
    /// Where to write the JSON report.
    pub json: Option<PathBuf>,
    /// The whole run's deadline.
    pub timeout: Duration,
    /// Nice value for this process, the host and the bridge during the paced phases only
    /// (e.g. -10 on a machine shared with builds; needs `CAP_SYS_NICE`), restored after.
    pub nice: Option<i32>,
    /// Real-time (`SCHED_FIFO`) priority for the same processes and the same windows.
    pub fifo: Option<u8>,
    /// Before each paced window, wait (at most [`MAX_QUIET_WAIT`]) until the rest of the
    /// machine uses at most this many cores.
    pub quiet: Option<f64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            bridge: BridgeBin::SelfHosted,
            host: None,
            idle: 1000,
            active: vec![100, 1000],
            rate: 2.0,
            seconds: 10.0,
            concurrency: 64,
            json: None,
            timeout: Duration::from_secs(900),
            nice: None,
            fifo: None,
            quiet: None,
        }
    }
}

impl Options {
    /// Checks the bounds; the message names the option.
    pub fn validate(&self) -> Result<(), String> {
        if self.idle == 0 || self.idle > MAX_SESSIONS {
            return Err(format!("--idle must be 1..={MAX_SESSIONS}"));
        }
        if let Some(&m) = self.active.iter().find(|&&m| m == 0 || m > self.idle) {
            return Err(format!(
                "--active {m}: each count must be 1..=--idle ({})",
                self.idle
            ));
        }
        if !(self.rate > 0.0 && self.rate <= MAX_RATE) {
            return Err(format!("--rate must be in (0, {MAX_RATE}]"));
        }
        if !(self.seconds > 0.0 && self.seconds <= MAX_PHASE_SECONDS) {
            return Err(format!("--seconds must be in (0, {MAX_PHASE_SECONDS}]"));
        }
        if self.concurrency == 0 || self.concurrency > 1024 {
            return Err("--concurrency must be 1..=1024".into());
        }
        if let Some(n) = self.nice {
            if !(-20..=19).contains(&n) {
                return Err("--nice must be -20..=19".into());
            }
        }
        if self.fifo.is_some_and(|p| !(1..=50).contains(&p)) {
            return Err("--fifo must be 1..=50".into());
        }
        if let Some(q) = self.quiet {
            if q.is_nan() || q < 0.0 {
                return Err("--quiet must be a number of cores, 0 or more".into());
            }
        }
        if let Some(h) = self.host {
            if !h.ip().is_loopback() {
                return Err(format!("--host {h}: only loopback targets are allowed"));
            }
        }
        Ok(())
    }
}

/// Latency percentiles of one phase, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

impl Latency {
    /// Nearest-rank percentiles of `samples` (nanoseconds; sorted here).
    pub fn of(samples: &mut [u64]) -> Latency {
        if samples.is_empty() {
            return Latency::default();
        }
        samples.sort_unstable();
        let n = samples.len();
        let at = |q: f64| -> f64 {
            let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
            samples.get(rank - 1).copied().unwrap_or(0) as f64 / 1000.0
        };
        let sum: u128 = samples.iter().map(|&s| u128::from(s)).sum();
        Latency {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: at(1.0),
            mean: sum as f64 / n as f64 / 1000.0,
        }
    }

    fn json(&self) -> Value {
        json!({"p50_us": round1(self.p50), "p90_us": round1(self.p90), "p99_us": round1(self.p99),
               "max_us": round1(self.max), "mean_us": round1(self.mean)})
    }
}

/// One measured phase.
#[derive(Debug, Clone)]
pub struct Phase {
    /// `bridge` or `direct`.
    pub path: &'static str,
    /// `paced` or `max`.
    pub mode: &'static str,
    /// Sessions taking part.
    pub sessions: usize,
    /// Round trips completed.
    pub round_trips: usize,
    /// Round trips that failed (each stops its session for the phase).
    pub errors: usize,
    /// The first error, if any.
    pub first_error: Option<String>,
    /// Wall time of the phase.
    pub elapsed: Duration,
    /// Latency of the round trips.
    pub latency: Latency,
    /// The bridge's CPU time during the phase (user + system), if measured.
    pub bridge_cpu: Option<Duration>,
    /// CPU used by the rest of the machine during the phase (every process but this one,
    /// the bridge and the host it started), in cores: how disturbed the figures are.
    pub others_cores: Option<f64>,
}

impl Phase {
    /// Round trips per second.
    pub fn round_trips_per_s(&self) -> f64 {
        self.round_trips as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn json(&self) -> Value {
        let cpu_per_rt = self
            .bridge_cpu
            .filter(|_| self.round_trips > 0)
            .map(|c| round1(c.as_secs_f64() * 1e6 / self.round_trips as f64));
        json!({
            "path": self.path, "mode": self.mode, "sessions": self.sessions,
            "round_trips": self.round_trips, "errors": self.errors, "first_error": self.first_error,
            "seconds": round3(self.elapsed.as_secs_f64()),
            "round_trips_per_s": round1(self.round_trips_per_s()),
            "records_per_s": round1(2.0 * self.round_trips_per_s()),
            "latency": self.latency.json(),
            "bridge_cpu_us_per_round_trip": cpu_per_rt,
            "others_cpu_cores": self.others_cores.map(|c| (c * 100.0).round() / 100.0),
        })
    }
}

/// The idle part of a run.
#[derive(Debug, Clone, Default)]
pub struct Idle {
    /// Sessions asked for.
    pub requested: usize,
    /// Sessions open with their first screen.
    pub reached: usize,
    /// Why opening stopped early, if it did.
    pub first_error: Option<String>,
    /// Time to open them all.
    pub open_time: Duration,
    /// The bridge before any session.
    pub before: Memory,
    /// After the first step.
    pub step: Memory,
    /// Sessions after the first step.
    pub step_sessions: usize,
    /// After all.
    pub after: Memory,
    /// Open descriptors of the bridge before and after.
    pub fds: (usize, usize),
}

impl Idle {
    /// RSS per idle session over all of them (bytes).
    pub fn per_session(&self) -> f64 {
        self.after.rss.saturating_sub(self.before.rss) as f64 / self.reached.max(1) as f64
    }

    /// RSS per idle session between the first step and the end (bytes): without one-time
    /// growth (runtime threads' arenas, tables sized once).
    pub fn marginal(&self) -> f64 {
        let n = self.reached.saturating_sub(self.step_sessions);
        self.after.rss.saturating_sub(self.step.rss) as f64 / n.max(1) as f64
    }
}

/// The whole report.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The bridge command.
    pub bridge: String,
    /// Machine facts.
    pub machine: Value,
    /// Idle sessions and memory.
    pub idle: Idle,
    /// Active phases, in order.
    pub phases: Vec<Phase>,
    /// The bridge's memory at the end (peak = `hwm`).
    pub end: Memory,
}

/// Runs the benchmark within `options.timeout`.
pub async fn run(options: &Options) -> Result<Report, String> {
    options.validate()?;
    match tokio::time::timeout(options.timeout, run_inner(options)).await {
        Ok(r) => r,
        Err(_) => Err(format!(
            "the run did not finish within --timeout {} s",
            options.timeout.as_secs()
        )),
    }
}

async fn run_inner(options: &Options) -> Result<Report, String> {
    let most_active = options.active.iter().copied().max().unwrap_or(0);
    let needed = (options.idle + most_active) as u64 + RESERVE_FDS;
    let bridge_needs = 2 * options.idle as u64 + RESERVE_FDS;
    let hard = limits::raise_open_files_hard(needed.max(bridge_needs));
    let soft = limits::raise_open_files();
    if needed > soft {
        return Err(format!(
            "this process needs about {needed} descriptors ({} websockets + {most_active} direct \
             clients), the open files limit is {soft}",
            options.idle
        ));
    }
    if bridge_needs > hard {
        eprintln!(
            "warning: the bridge holds 2 sockets per session: {} sessions need about \
             {bridge_needs} descriptors, the hard limit is {hard} (ulimit -Hn); expect it to \
             stop near {} sessions",
            options.idle,
            hard.saturating_sub(RESERVE_FDS) / 2
        );
    }
    let dir = std::env::temp_dir().join(format!("web3270-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = with_children(options, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn with_children(options: &Options, dir: &Path) -> Result<Report, String> {
    let exe = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    let mut host_child = None;
    let host = match options.host {
        Some(h) => h,
        None => {
            let mut cmd = Command::new(&exe);
            cmd.args(["host", "--port", "0"]);
            let (child, addr) = spawn_and_read_addr(cmd, "listening on ", dir, "host").await?;
            host_child = Some(child);
            addr
        }
    };
    let config = dir.join("bridge.yaml");
    std::fs::write(&config, bridge_config(host, options)?)
        .map_err(|e| format!("{}: {e}", config.display()))?;
    let (mut cmd, label) = match &options.bridge {
        BridgeBin::Path(p) => {
            let mut c = Command::new(p);
            c.arg("serve").arg("--config").arg(&config);
            (c, format!("{} serve", p.display()))
        }
        BridgeBin::SelfHosted => {
            let mut c = Command::new(&exe);
            c.arg("bridge").arg("--config").arg(&config);
            (c, format!("{} bridge", exe.display()))
        }
    };
    cmd.env("WEB3270_LOG", "warn");
    let (bridge_child, http) =
        spawn_and_read_addr(cmd, "web3270: open http://", dir, "bridge").await?;
    let pid = bridge_child
        .id()
        .ok_or_else(|| "the bridge exited at once".to_owned())?;
    eprintln!("host {host}, bridge pid {pid} on http://{http}/ ({label})");
    let mut report = Report {
        bridge: label,
        machine: machine(),
        ..Report::default()
    };
    let mut niced = vec![std::process::id(), pid];
    niced.extend(host_child.as_ref().and_then(Child::id));
    let outcome = measure(options, host, http, pid, &niced, &mut report).await;
    report.end = limits::memory(pid).unwrap_or_default();
    drop(bridge_child);
    drop(host_child);
    outcome.map(|()| report)
}

/// The generated bridge configuration: loopback only, the host as the only endpoint, room
/// for every session, no idle or lifetime limit within a run, logs at `warn`.
fn bridge_config(host: SocketAddr, options: &Options) -> Result<String, String> {
    // Ports 1-65535 only in the file: two free ports of our choosing (held together so they
    // differ; released just before the bridge binds them).
    let free =
        || std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("a free port: {e}"));
    let (a, b) = (free()?, free()?);
    let port = |l: &std::net::TcpListener| l.local_addr().map(|a| a.port()).unwrap_or(0);
    let (native, api) = (port(&a), port(&b));
    let max = options.idle + 16;
    Ok(format!(
        "server: {{ port: {native}, api_port: {api}, bind_address: 127.0.0.1 }}\n\
         sessions: {{ max_sessions: {max}, timeout_seconds: 86400, idle_timeout_seconds: 86400 }}\n\
         endpoints:\n  - {{ name: {ENDPOINT}, host: \"{}\", port: {}, priority: 1 }}\n\
         logging: {{ level: warn }}\n",
        host.ip(),
        host.port()
    ))
}

/// Starts `cmd` (killed when dropped) and reads its stdout until a line starting with
/// `prefix` followed by an address.
async fn spawn_and_read_addr(
    mut cmd: Command,
    prefix: &str,
    dir: &Path,
    name: &str,
) -> Result<(Child, SocketAddr), String> {
    let log = dir.join(format!("{name}.log"));
    let stderr = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(stderr))
        .kill_on_drop(true);
    let mut child = cmd.spawn().map_err(|e| format!("start {name}: {e}"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| format!("{name}: no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let found = tokio::time::timeout(START_TIMEOUT, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.strip_prefix(prefix) {
                let addr = rest.split(['/', ' ']).next().unwrap_or_default();
                return addr.parse::<SocketAddr>().ok();
            }
        }
        None
    })
    .await
    .ok()
    .flatten();
    let Some(addr) = found else {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        return Err(format!("{name} did not start: {}", text.trim()));
    };
    // Drain the rest of stdout so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, addr))
}

async fn measure(
    options: &Options,
    host: SocketAddr,
    http: SocketAddr,
    pid: u32,
    niced: &[u32],
    report: &mut Report,
) -> Result<(), String> {
    tokio::time::sleep(SETTLE).await;
    let idle = &mut report.idle;
    idle.requested = options.idle;
    idle.before = limits::memory(pid)?;
    idle.fds.0 = limits::open_fds(pid);
    let first = (options.idle / 10).max(1);
    let started = Instant::now();
    let (mut sessions, error) = open_ws(http, first, options.concurrency).await;
    idle.open_time = started.elapsed();
    idle.step_sessions = sessions.len();
    idle.first_error = error;
    tokio::time::sleep(SETTLE).await;
    idle.step = limits::memory(pid)?;
    eprintln!(
        "{} sessions: bridge VmRSS {:.1} MiB",
        sessions.len(),
        mib(idle.step.rss)
    );
    if idle.first_error.is_none() {
        let started = Instant::now();
        let (rest, error) = open_ws(http, options.idle - first, options.concurrency).await;
        idle.open_time += started.elapsed();
        sessions.extend(rest);
        idle.first_error = error;
    }
    idle.reached = sessions.len();
    tokio::time::sleep(SETTLE).await;
    idle.after = limits::memory(pid)?;
    idle.fds.1 = limits::open_fds(pid);
    eprintln!(
        "{} idle sessions: bridge VmRSS {:.1} MiB, {:.1} KiB per session{}",
        idle.reached,
        mib(idle.after.rss),
        idle.per_session() / 1024.0,
        idle.first_error
            .as_deref()
            .map(|e| format!(" (stopped: {e})"))
            .unwrap_or_default()
    );
    let mut peers: Vec<Peer> = sessions
        .into_iter()
        .map(|s| Peer::Ws(Box::new(s)))
        .collect();
    let length = Duration::from_secs_f64(options.seconds);
    let pace = Duration::from_secs_f64(1.0 / options.rate);
    for &m in &options.active {
        if m > peers.len() {
            eprintln!(
                "skipping --active {m}: only {} sessions are open",
                peers.len()
            );
            continue;
        }
        let (direct, error) = open_direct(host, m, options.concurrency).await;
        if let Some(e) = error {
            return Err(format!("direct clients of the host: {e}"));
        }
        let mut direct: Vec<Peer> = direct
            .into_iter()
            .map(|d| Peer::Direct(Box::new(d)))
            .collect();
        let ws: Vec<Peer> = peers.drain(..m).collect();
        // Paced: both paths in the same window (their sends interleaved), so that whatever
        // else the machine does hits both alike.
        let normal = limits::own_nice();
        if let Some(n) = options.nice {
            for &p in niced {
                limits::renice(p, n)?;
            }
        }
        if let Some(limit) = options.quiet {
            wait_for_quiet(niced, limit).await;
        }
        if options.fifo.is_some() {
            for &p in niced {
                limits::set_fifo(p, options.fifo)?;
            }
        }
        let busy = Busy::take(niced);
        let ((direct_back, mut d), (ws, mut b)) = tokio::join!(
            phase("direct", Some(pace), direct, length, None, 0.5),
            phase("bridge", Some(pace), ws, length, Some(pid), 0.0),
        );
        let others = busy.and_then(|busy| busy.others_cores(niced));
        (d.others_cores, b.others_cores) = (others, others);
        if options.fifo.is_some() {
            for &p in niced {
                limits::set_fifo(p, None)?;
            }
        }
        if options.nice.is_some() {
            for &p in niced {
                limits::renice(p, normal)?;
            }
        }
        direct = direct_back;
        for p in [d, b] {
            report_phase(&p);
            report.phases.push(p);
        }
        let busy = Busy::take(niced);
        let (ws, mut p) = phase("bridge", None, ws, length, Some(pid), 0.0).await;
        p.others_cores = busy.and_then(|busy| busy.others_cores(niced));
        report_phase(&p);
        report.phases.push(p);
        let busy = Busy::take(niced);
        let (_, mut p) = phase("direct", None, direct, length, None, 0.0).await;
        p.others_cores = busy.and_then(|busy| busy.others_cores(niced));
        report_phase(&p);
        report.phases.push(p);
        peers.splice(0..0, ws);
    }
    drop(peers);
    Ok(())
}

/// Opens `n` websocket sessions, `concurrency` at a time; stops at the first failure.
async fn open_ws(
    http: SocketAddr,
    n: usize,
    concurrency: usize,
) -> (Vec<WsSession>, Option<String>) {
    let mut opening = futures_util::stream::iter(0..n)
        .map(|_| WsSession::open(http, ENDPOINT))
        .buffer_unordered(concurrency);
    let mut open = Vec::with_capacity(n);
    while let Some(result) = opening.next().await {
        match result {
            Ok(s) => open.push(s),
            Err(e) => return (open, Some(e)),
        }
    }
    (open, None)
}

/// Opens `n` direct clients of the host, `concurrency` at a time.
async fn open_direct(
    host: SocketAddr,
    n: usize,
    concurrency: usize,
) -> (Vec<Direct>, Option<String>) {
    let mut opening = futures_util::stream::iter(0..n)
        .map(|_| Direct::open(host))
        .buffer_unordered(concurrency);
    let mut open = Vec::with_capacity(n);
    while let Some(result) = opening.next().await {
        match result {
            Ok(d) => open.push(d),
            Err(e) => return (open, Some(e)),
        }
    }
    (open, None)
}

/// CPU time of the machine and of the benchmark's own processes at one moment.
struct Busy {
    at: Instant,
    machine: Duration,
    ours: Duration,
}

impl Busy {
    fn take(ours: &[u32]) -> Option<Busy> {
        Some(Busy {
            at: Instant::now(),
            machine: limits::machine_busy()?,
            ours: ours
                .iter()
                .map(|&p| limits::cpu_time(p))
                .sum::<Option<Duration>>()?,
        })
    }

    /// Cores the rest of the machine kept busy since `self`.
    fn others_cores(&self, ours: &[u32]) -> Option<f64> {
        let now = Busy::take(ours)?;
        let others = now
            .machine
            .saturating_sub(self.machine)
            .saturating_sub(now.ours.saturating_sub(self.ours));
        Some(others.as_secs_f64() / now.at.duration_since(self.at).as_secs_f64().max(1e-9))
    }
}

/// Waits, at most [`MAX_QUIET_WAIT`], for a [`QUIET_PROBE`] in which the rest of the machine
/// keeps at most `limit` cores busy.
async fn wait_for_quiet(ours: &[u32], limit: f64) {
    let started = Instant::now();
    let mut last = None;
    while started.elapsed() < MAX_QUIET_WAIT {
        let Some(busy) = Busy::take(ours) else { return };
        tokio::time::sleep(QUIET_PROBE).await;
        let others = busy.others_cores(ours);
        if others.is_none_or(|c| c <= limit) {
            if last.is_some() {
                eprintln!("quiet after {:.0} s", started.elapsed().as_secs_f64());
            }
            return;
        }
        if last.is_none() {
            eprintln!("waiting for the rest of the machine to use at most {limit} cores");
        }
        last = others;
    }
    eprintln!(
        "not quiet within {} s (the rest of the machine used {:.2} cores); measuring anyway",
        MAX_QUIET_WAIT.as_secs(),
        last.unwrap_or_default()
    );
}

/// What one session did in a phase.
struct Driven {
    peer: Peer,
    samples: Vec<u64>,
    error: Option<String>,
}

/// Runs one phase: every peer in its own task, paced (`Some(interval)`: peer `i` starts at
/// `(i + shift) / n` of an interval) or closed loop (`None`), until `length` has passed.
async fn phase(
    path: &'static str,
    pace: Option<Duration>,
    peers: Vec<Peer>,
    length: Duration,
    cpu_of: Option<u32>,
    shift: f64,
) -> (Vec<Peer>, Phase) {
    let n = peers.len();
    let cpu_before = cpu_of.and_then(limits::cpu_time);
    let start = Instant::now();
    let end = start + length;
    let tasks: Vec<_> = peers
        .into_iter()
        .enumerate()
        .map(|(i, peer)| {
            let offset = pace.map_or(Duration::ZERO, |p| p.mul_f64((i as f64 + shift) / n as f64));
            tokio::spawn(drive(peer, pace, start + offset, end))
        })
        .collect();
    let mut back = Vec::with_capacity(n);
    let mut samples = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for task in tasks {
        if let Ok(d) = task.await {
            samples.extend_from_slice(&d.samples);
            if let Some(e) = d.error {
                errors += 1;
                first_error.get_or_insert(e);
            }
            back.push(d.peer);
        }
    }
    let elapsed = start.elapsed();
    let bridge_cpu = match (cpu_before, cpu_of.and_then(limits::cpu_time)) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    let phase = Phase {
        path,
        mode: if pace.is_some() { "paced" } else { "max" },
        sessions: n,
        round_trips: samples.len(),
        errors,
        first_error,
        elapsed,
        latency: Latency::of(&mut samples),
        bridge_cpu,
        others_cores: None,
    };
    (back, phase)
}

async fn drive(mut peer: Peer, pace: Option<Duration>, first: Instant, end: Instant) -> Driven {
    let mut samples = Vec::new();
    let mut next = first;
    let error = loop {
        match pace {
            Some(p) => {
                if next >= end {
                    break None;
                }
                tokio::time::sleep_until(next.into()).await;
                // A late round trip delays the next one rather than causing a burst.
                next = (next + p).max(Instant::now());
            }
            None if Instant::now() >= end => break None,
            None => {}
        }
        match peer.round_trip().await {
            Ok(d) => samples.push(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)),
            Err(e) => break Some(e),
        }
    };
    Driven {
        peer,
        samples,
        error,
    }
}

fn report_phase(p: &Phase) {
    eprintln!(
        "{:>6} {:<5} {:>5} sessions: {:>7} round trips, {:>8.0}/s, p50 {:>8.1} µs, p99 {:>8.1} µs, max {:>9.1} µs, others {}{}",
        p.path,
        p.mode,
        p.sessions,
        p.round_trips,
        p.round_trips_per_s(),
        p.latency.p50,
        p.latency.p99,
        p.latency.max,
        others(p),
        if p.errors > 0 {
            format!(", {} errors ({})", p.errors, p.first_error.as_deref().unwrap_or(""))
        } else {
            String::new()
        }
    );
}

/// Machine facts for the report: cores, memory, load average, open files limits.
fn machine() -> Value {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let mem_total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map(|kb| kb * 1024);
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    json!({
        "cores": cores, "mem_total_bytes": mem_total, "loadavg_at_start": load,
        "nofile_soft": limits::raise_open_files(), "nofile_hard": limits::open_files_hard(),
    })
}

impl Report {
    /// The JSON report.
    pub fn json(&self, options: &Options) -> Value {
        let i = &self.idle;
        let added: Vec<Value> = self
            .added()
            .iter()
            .map(|(m, a)| {
                json!({
                    "sessions": m, "p50_us": round1(a.p50), "p90_us": round1(a.p90),
                    "p99_us": round1(a.p99), "max_us": round1(a.max), "mean_us": round1(a.mean)
                })
            })
            .collect();
        json!({
            "bridge": self.bridge,
            "machine": self.machine,
            "options": {"idle": options.idle, "active": options.active, "rate_per_session": options.rate,
                        "seconds": options.seconds, "concurrency": options.concurrency,
                        "nice_paced": options.nice, "fifo_paced": options.fifo,
                        "quiet_cores": options.quiet},
            "idle": {
                "requested": i.requested, "reached": i.reached, "first_error": i.first_error,
                "open_seconds": round3(i.open_time.as_secs_f64()),
                "rss_before_bytes": i.before.rss, "rss_step_bytes": i.step.rss,
                "step_sessions": i.step_sessions, "rss_after_bytes": i.after.rss,
                "hwm_after_bytes": i.after.hwm,
                "rss_per_session_bytes": i.per_session().round(),
                "rss_per_session_marginal_bytes": i.marginal().round(),
                "fds_before": i.fds.0, "fds_after": i.fds.1,
            },
            "phases": self.phases.iter().map(Phase::json).collect::<Vec<_>>(),
            "added_latency_paced": added,
            "loadavg_at_end": std::fs::read_to_string("/proc/loadavg").map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" ")).unwrap_or_default(),
            "end": {"rss_bytes": self.end.rss, "hwm_bytes": self.end.hwm},
        })
    }

    /// Added latency per active count: bridge paced − direct paced, percentile by percentile.
    pub fn added(&self) -> Vec<(usize, Latency)> {
        let mut out = Vec::new();
        for b in self
            .phases
            .iter()
            .filter(|p| p.path == "bridge" && p.mode == "paced")
        {
            let direct = self
                .phases
                .iter()
                .find(|p| p.path == "direct" && p.mode == "paced" && p.sessions == b.sessions);
            if let Some(d) = direct {
                out.push((
                    b.sessions,
                    Latency {
                        p50: b.latency.p50 - d.latency.p50,
                        p90: b.latency.p90 - d.latency.p90,
                        p99: b.latency.p99 - d.latency.p99,
                        max: b.latency.max - d.latency.max,
                        mean: b.latency.mean - d.latency.mean,
                    },
                ));
            }
        }
        out
    }

    /// The human summary.
    pub fn text(&self, options: &Options) -> String {
        use std::fmt::Write as _;
        let i = &self.idle;
        let mut s = String::new();
        let _ = writeln!(s, "web3270-load: {}", self.bridge);
        let _ = writeln!(s, "machine: {}", self.machine);
        let _ = writeln!(
            s,
            "idle: {}/{} sessions in {:.1} s{}",
            i.reached,
            i.requested,
            i.open_time.as_secs_f64(),
            i.first_error
                .as_deref()
                .map(|e| format!(" — stopped: {e}"))
                .unwrap_or_default()
        );
        let _ = writeln!(
            s,
            "  bridge VmRSS {:.1} MiB → {:.1} MiB ({} sessions: {:.1} MiB) → {:.1} MiB; fds {} → {}",
            mib(i.before.rss),
            mib(i.after.rss),
            i.step_sessions,
            mib(i.step.rss),
            mib(i.after.rss),
            i.fds.0,
            i.fds.1
        );
        let _ = writeln!(
            s,
            "  RSS per idle session: {:.1} KiB overall, {:.1} KiB marginal (target ≤ 64 KB: {})",
            i.per_session() / 1024.0,
            i.marginal() / 1024.0,
            verdict(i.per_session() <= 64_000.0)
        );
        let _ = writeln!(
            s,
            "active (paced at {}/s per session{}, both paths at once; then each path closed loop; {} s each):",
            options.rate,
            options.nice.map(|n| format!(", nice {n}")).unwrap_or_default()
                + &options.fifo.map(|p| format!(", SCHED_FIFO {p}")).unwrap_or_default(),
            options.seconds
        );
        let _ = writeln!(
            s,
            "  {:<6} {:<5} {:>5} {:>8} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9} {:>7}",
            "path",
            "mode",
            "sess",
            "rt/s",
            "p50 µs",
            "p90 µs",
            "p99 µs",
            "max µs",
            "cpu µs/rt",
            "errors",
            "others"
        );
        for p in &self.phases {
            let cpu = p
                .bridge_cpu
                .filter(|_| p.round_trips > 0)
                .map(|c| format!("{:.1}", c.as_secs_f64() * 1e6 / p.round_trips as f64))
                .unwrap_or_else(|| "-".into());
            let _ = writeln!(
                s,
                "  {:<6} {:<5} {:>5} {:>8.0} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>10} {:>9} {:>7}",
                p.path,
                p.mode,
                p.sessions,
                p.round_trips_per_s(),
                p.latency.p50,
                p.latency.p90,
                p.latency.p99,
                p.latency.max,
                cpu,
                p.errors,
                others(p)
            );
        }
        let _ = writeln!(
            s,
            "  (cpu µs/rt: the bridge's CPU time per round trip; others: cores the rest of the \
             machine kept busy during the phase, of {})",
            self.machine["cores"]
        );
        for (m, a) in self.added() {
            let _ = writeln!(
                s,
                "added latency at {m} active: p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, max {:.1} µs (target p99 ≤ 1 ms at 1000: {})",
                a.p50,
                a.p90,
                a.p99,
                a.max,
                verdict(a.p99 <= 1000.0)
            );
        }
        for p in self
            .phases
            .iter()
            .filter(|p| p.path == "bridge" && p.mode == "max")
        {
            let _ = writeln!(
                s,
                "records/s through the bridge, {} sessions closed loop: {:.0} ({:.0} round trips/s, 1 record each way)",
                p.sessions,
                2.0 * p.round_trips_per_s(),
                p.round_trips_per_s()
            );
        }
        let _ = writeln!(
            s,
            "bridge at the end: VmRSS {:.1} MiB, peak VmHWM {:.1} MiB",
            mib(self.end.rss),
            mib(self.end.hwm)
        );
        s
    }
}

/// The rest of the machine's CPU use during a phase, e.g. `0.35c` (cores).
fn others(p: &Phase) -> String {
    p.others_cores
        .map_or_else(|| "-".into(), |c| format!("{c:.2}c"))
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        // 1..=100 µs in nanoseconds, shuffled order.
        let mut samples: Vec<u64> = (1..=100).rev().map(|us| us * 1000).collect();
        let l = Latency::of(&mut samples);
        assert_eq!((l.p50, l.p90, l.p99, l.max), (50.0, 90.0, 99.0, 100.0));
        assert_eq!(l.mean, 50.5);
        assert_eq!(Latency::of(&mut []), Latency::default());
    }

    #[test]
    fn options_refuse_what_is_out_of_bounds() {
        let ok = Options::default();
        assert!(ok.validate().is_ok());
        let remote = Options {
            host: Some("10.0.0.1:3270".parse().unwrap()),
            ..Options::default()
        };
        assert!(remote.validate().unwrap_err().contains("loopback"));
        let too_many = Options {
            idle: MAX_SESSIONS + 1,
            ..Options::default()
        };
        assert!(too_many.validate().unwrap_err().contains("--idle"));
        let active_over_idle = Options {
            idle: 10,
            active: vec![11],
            ..Options::default()
        };
        assert!(active_over_idle
            .validate()
            .unwrap_err()
            .contains("--active 11"));
        let long = Options {
            seconds: 1000.0,
            ..Options::default()
        };
        assert!(long.validate().unwrap_err().contains("--seconds"));
        let negative_quiet = Options {
            quiet: Some(-1.0),
            ..Options::default()
        };
        assert!(negative_quiet.validate().unwrap_err().contains("--quiet"));
        let fifo_too_high = Options {
            fifo: Some(90),
            ..Options::default()
        };
        assert!(fifo_too_high.validate().unwrap_err().contains("--fifo"));
    }

    #[test]
    fn the_bridge_config_names_the_host_and_room_for_every_session() {
        let options = Options {
            idle: 100,
            ..Options::default()
        };
        let yaml = bridge_config("127.0.0.1:4000".parse().unwrap(), &options).unwrap();
        assert!(yaml.contains("host: \"127.0.0.1\", port: 4000"));
        assert!(yaml.contains("max_sessions: 116"));
        assert!(yaml.contains("bind_address: 127.0.0.1"));
    }
}
