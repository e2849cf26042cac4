//! `web3270`: the bridge binary.
//!
//! ```text
//! web3270 serve [--config PATH]
//! web3270 replay [--raw] [-model M] [-oversize COLSxROWS] [-tn TYPE] [--code-page CP]
//!                [--format text|json] [--each] FILE
//! web3270 config check [PATH]
//! web3270 demo-host [--port N] [--bind ADDR]
//! ```
//! Run `web3270 help` for the list of subcommands.

use std::process::ExitCode;

const HELP: &str = "\
web3270 — a 3270 terminal for the web browser and its bridge

usage: web3270 <command> [options]

commands:
  serve [--config PATH]
                      run the bridge: the web terminal page and API on server.api_port
                      (8080); with no config, on 127.0.0.1 with the embedded demo host
  replay FILE         print the screen a recorded host stream (s3270 trace or --raw bytes)
                      leaves, as s3270's Ascii() or JSON (web3270 replay --help)
  demo-host [--port N] [--bind ADDR]
                      run the embedded demo host alone as a TN3270 server (default
                      127.0.0.1:3270) until Ctrl-C
  config check [PATH] validate a server.yaml (and WEB3270_*/ZIG3270_* variables) and print
                      the effective configuration with secrets masked
  audit decrypt FILE...
                      print audit log files with encrypted lines opened (key from
                      WEB3270_AUDIT_KEY or WEB3270_AUDIT_KEY_FILE; docs/SECURITY.md)
  version             print the version (also --version, -V)
  help                this text (also --help, -h)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("replay") => {
            let result =
                bridge::replay::ReplayArgs::parse(&args[1..]).and_then(|a| bridge::replay::run(&a));
            match result {
                Ok(out) => {
                    print!("{out}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("web3270 replay: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Some("config") => match (args.get(1).map(String::as_str), args.get(2), args.get(3)) {
            (Some("check"), path, None) => {
                let path = path.map(std::path::Path::new);
                match bridge::config::check_report(path, &bridge::config::ProcessEnv) {
                    Ok(report) => {
                        print!("{report}");
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("web3270 config check: {e}");
                        ExitCode::from(1)
                    }
                }
            }
            _ => {
                eprintln!("usage: web3270 config check [PATH]");
                ExitCode::from(2)
            }
        },
        Some("serve") => serve(&args[1..]),
        Some("audit") => audit(&args[1..]),
        Some("demo-host") => match demo_host_addr(&args[1..]) {
            Ok(addr) => {
                eprintln!("web3270 demo-host: listening on {addr} (TN3270/TN3270E); Ctrl-C stops");
                match bridge::demo::run_standalone_blocking(addr) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("web3270 demo-host: {addr}: {e}");
                        ExitCode::from(1)
                    }
                }
            }
            Err(msg) => {
                eprintln!(
                    "web3270 demo-host: {msg}\nusage: web3270 demo-host [--port N] [--bind ADDR]"
                );
                ExitCode::from(2)
            }
        },
        Some("version" | "--version" | "-V") => {
            println!("web3270 {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("help" | "-h" | "--help") | None => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("web3270: unknown command '{other}'\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}

/// `web3270 audit decrypt FILE...` (bridge::audit::crypto::decrypt_files).
fn audit(args: &[String]) -> ExitCode {
    match args.split_first() {
        Some((cmd, files)) if cmd == "decrypt" && !files.is_empty() => {
            let paths: Vec<std::path::PathBuf> = files.iter().map(Into::into).collect();
            let result = bridge::audit::crypto::decrypt_files(
                &paths,
                &mut std::io::stdout().lock(),
                &mut std::io::stderr().lock(),
            );
            match result {
                Ok(0) => ExitCode::SUCCESS,
                Ok(_) => ExitCode::from(1),
                Err(e) => {
                    eprintln!("web3270 audit decrypt: {e}");
                    ExitCode::from(2)
                }
            }
        }
        _ => {
            eprintln!("usage: web3270 audit decrypt FILE...");
            ExitCode::from(2)
        }
    }
}

/// `--port N` and `--bind ADDR` of `web3270 demo-host` (loopback and 3270 by default).
fn demo_host_addr(args: &[String]) -> Result<std::net::SocketAddr, String> {
    let mut port: u16 = 3270;
    let mut bind: std::net::IpAddr = std::net::Ipv4Addr::LOCALHOST.into();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = it.next().ok_or_else(|| format!("{a} needs a value"))?;
        match a.as_str() {
            "--port" | "-port" => {
                port = value.parse().map_err(|_| format!("bad port '{value}'"))?
            }
            "--bind" | "-bind" => {
                bind = value
                    .parse()
                    .map_err(|_| format!("bad address '{value}'"))?
            }
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    Ok(std::net::SocketAddr::new(bind, port))
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit: every session holds two sockets (the
/// browser's websocket or native client, and the host), so the common soft default of 1024
/// would cap the bridge at about 500 sessions. The hard limit is the operator's (`ulimit -Hn`,
/// systemd `LimitNOFILE=`, the container runtime); the bridge never needs more privilege.
fn raise_open_files_limit() {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        let raised = Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => tracing::info!(
                from = ?limit.current,
                to = ?limit.maximum,
                "open files limit raised to the hard limit"
            ),
            Err(e) => tracing::warn!(error = %e, "open files limit not raised"),
        }
    }
}

/// `web3270 serve [--config PATH]`.
fn serve(args: &[String]) -> ExitCode {
    let path = match args {
        [] => None,
        [flag, path] if flag == "--config" || flag == "-config" => {
            Some(std::path::PathBuf::from(path))
        }
        _ => {
            eprintln!("usage: web3270 serve [--config PATH]");
            return ExitCode::from(2);
        }
    };
    let config = match bridge::config::Config::load(path.as_deref(), &bridge::config::ProcessEnv) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("web3270 serve: {e}");
            return ExitCode::from(1);
        }
    };
    // Standard error or the rotating `logging.file`; kept until exit (flushes the queue).
    let _log = bridge::logging::init(&config.logging);
    raise_open_files_limit();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("web3270 serve: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let demo = config.endpoints.iter().any(|e| e.builtin.is_some());
    let scheme = if config.tls.enabled { "https" } else { "http" };
    let result = runtime.block_on(async {
        // Signal handlers go in before the listeners open (see `shutdown_signal`).
        let shutdown = bridge::server::shutdown_signal();
        bridge::server::run(config, shutdown, |addr| {
            let host = if addr.ip().is_unspecified() {
                "127.0.0.1".to_string()
            } else {
                addr.ip().to_string()
            };
            println!(
                "web3270: open {scheme}://{host}:{}/{}",
                addr.port(),
                if demo {
                    "  (endpoint: the embedded demo host)"
                } else {
                    ""
                }
            );
        })
        .await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("web3270 serve: {e}");
            ExitCode::from(1)
        }
    }
}
