//! `web3270`: the bridge binary.
//!
//! ```text
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
  replay FILE         print the screen a recorded host stream (s3270 trace or --raw bytes)
                      leaves, as s3270's Ascii() or JSON (web3270 replay --help)
  demo-host [--port N] [--bind ADDR]
                      run the embedded demo host alone as a TN3270 server (default
                      127.0.0.1:3270) until Ctrl-C
  config check [PATH] validate a server.yaml (and WEB3270_*/ZIG3270_* variables) and print
                      the effective configuration with secrets masked
  help          this text
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
