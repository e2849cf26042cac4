//! `web3270-load`: the bridge load benchmark (issue 3, "load benchmark"; results and the
//! exact commands in docs/PERFORMANCE.md, "Bridge load").
//!
//! ```text
//! web3270-load run [--bridge PATH|self] [--host ADDR] [--idle N] [--active M,M...]
//!                  [--rate R] [--seconds S] [--concurrency C] [--json FILE] [--timeout S]
//!                  [--nice N] [--fifo P] [--quiet C]
//! web3270-load host [--port N] [--bind ADDR]     the fast TN3270 host alone
//! web3270-load bridge --config FILE              the bridge in this binary (smoke test)
//! ```
//!
//! Loopback only: the host and the bridge bind 127.0.0.1 (or another loopback address) and
//! `--host` refuses any other address. Bounded: at most [`run::MAX_SESSIONS`] sessions, phases
//! of at most [`run::MAX_PHASE_SECONDS`], and the whole run within `--timeout`; the children
//! (host, bridge) are killed when the run ends, however it ends.
//!
//! Modules: [`run`] (the sequence, statistics, report), [`client`] (websocket and direct
//! TN3270E terminals), [`host`] (the fast host), [`limits`] (open files limit, `/proc`).
#![warn(missing_docs)]

mod client;
mod host;
mod limits;
mod run;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use run::{BridgeBin, Options};

const USAGE: &str = "\
usage: web3270-load run [options]      start a host and a bridge, measure, report
       web3270-load host [--port N] [--bind ADDR]
       web3270-load bridge --config FILE

run options:
  --bridge PATH|self   the bridge binary to start (`PATH serve --config ...`); default: the
                       web3270 binary next to this one, else `self` (this binary's bridge)
  --host ADDR          use this running TN3270 host (loopback only) instead of starting one
  --idle N             idle websocket sessions to open (default 1000, at most 20000)
  --active M,M...      active session counts, one measurement each (default 100,1000)
  --rate R             Enter presses per second per active session, paced phases (default 2)
  --seconds S          length of each measurement phase (default 10, at most 120)
  --concurrency C      sessions being opened at once (default 64)
  --json FILE          also write the JSON report there (`-`: to stdout)
  --timeout S          deadline of the whole run (default 900)
  --nice N             nice value of this process, the host and the bridge during the paced
                       phases only (e.g. -10 on a machine shared with builds; needs
                       CAP_SYS_NICE); the closed loops run at the normal priority
  --fifo P             real-time priority (SCHED_FIFO, 1-50) of this process, the host and
                       the bridge during the paced phases only, so that other work on the
                       machine does not delay their wake-ups (needs CAP_SYS_NICE and chrt)
  --quiet C            before each paced window, wait (at most 120 s) for a second in which
                       the rest of the machine uses at most C cores (e.g. 0.3 on a shared
                       machine); the report shows what it used during each phase anyway
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    let result = match args.first().map(String::as_str) {
        Some("run") => parse_run(rest).and_then(|o| run_blocking(&o)),
        Some("host") => parse_host(rest).and_then(host::run_blocking),
        Some("bridge") => match rest {
            [flag, path] if flag == "--config" => bridge_blocking(PathBuf::from(path)),
            _ => Err("usage: web3270-load bridge --config FILE".into()),
        },
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown or missing command\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("web3270-load: {e}");
            ExitCode::from(1)
        }
    }
}

fn parse_run(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        bridge: default_bridge(),
        ..Options::default()
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?
            .as_str();
        let bad = |what: &str| format!("{flag} {value}: {what}");
        match flag.as_str() {
            "--bridge" => {
                o.bridge = match value {
                    "self" => BridgeBin::SelfHosted,
                    p => BridgeBin::Path(PathBuf::from(p)),
                }
            }
            "--host" => o.host = Some(value.parse().map_err(|_| bad("not an address"))?),
            "--idle" => o.idle = value.parse().map_err(|_| bad("not a count"))?,
            "--active" => {
                o.active = value
                    .split(',')
                    .map(|m| m.trim().parse::<usize>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| bad("not a list of counts"))?
            }
            "--rate" => o.rate = value.parse().map_err(|_| bad("not a number"))?,
            "--seconds" => o.seconds = value.parse().map_err(|_| bad("not a number"))?,
            "--concurrency" => o.concurrency = value.parse().map_err(|_| bad("not a count"))?,
            "--json" => o.json = Some(PathBuf::from(value)),
            "--nice" => o.nice = Some(value.parse().map_err(|_| bad("not a number"))?),
            "--fifo" => o.fifo = Some(value.parse().map_err(|_| bad("not a priority"))?),
            "--quiet" => o.quiet = Some(value.parse().map_err(|_| bad("not a number"))?),
            "--timeout" => {
                o.timeout = Duration::from_secs(value.parse().map_err(|_| bad("not seconds"))?)
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    o.validate()?;
    Ok(o)
}

/// The `web3270` binary next to this one (both are built into the same target directory),
/// else this binary's own `bridge` subcommand.
fn default_bridge() -> BridgeBin {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("web3270")))
        .filter(|p| p.is_file())
        .map_or(BridgeBin::SelfHosted, BridgeBin::Path)
}

fn parse_host(args: &[String]) -> Result<SocketAddr, String> {
    let mut port: u16 = 0;
    let mut bind: std::net::IpAddr = std::net::Ipv4Addr::LOCALHOST.into();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--port" => port = value.parse().map_err(|_| format!("bad port {value}"))?,
            "--bind" => bind = value.parse().map_err(|_| format!("bad address {value}"))?,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(SocketAddr::new(bind, port))
}

fn run_blocking(options: &Options) -> Result<(), String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("runtime: {e}"))?;
    let report = runtime.block_on(run::run(options))?;
    print!("{}", report.text(options));
    if let Some(path) = &options.json {
        let json =
            serde_json::to_string_pretty(&report.json(options)).map_err(|e| e.to_string())?;
        if path.as_os_str() == "-" {
            println!("{json}");
        } else {
            std::fs::write(path, json + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// The bridge of this build, as `web3270 serve --config FILE` runs it (same
/// `bridge::server::run`), printing the same `web3270: open http://ADDR/` line.
fn bridge_blocking(config: PathBuf) -> Result<(), String> {
    let config = bridge::config::Config::load(Some(&config), &bridge::config::ProcessEnv)
        .map_err(|e| e.to_string())?;
    if !config.server.bind_address.is_loopback() {
        return Err("the benchmark bridge binds loopback addresses only".into());
    }
    limits::raise_open_files();
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("runtime: {e}"))?;
    runtime
        .block_on(async {
            // The signal handlers are installed inside the runtime, before the listeners.
            let shutdown = bridge::server::shutdown_signal();
            bridge::server::run(config, shutdown, |addr| {
                println!("web3270: open http://{addr}/")
            })
            .await
        })
        .map_err(|e| e.to_string())
}
