//! Starting what the tests talk to: the bridge (`bridge::server::run`) in the test's runtime
//! or in a thread of its own, a standalone demo host, and the `web3270 serve` binary. Each is
//! stopped when dropped. Not here: clients (`http`, `ws`, `browser`).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use bridge::config::Config;
use bridge::demo::DemoConfig;
use tokio::sync::oneshot;

use super::WAIT;

/// The demo configuration (the built-in demo host as the only endpoint) with both listeners
/// on any free loopback port. A test that reaches the TN3270 listener sets
/// `config.server.port` to a [`free_port`] so that its address is known before the start.
pub fn demo_config() -> Config {
    let mut config = Config::demo();
    config.server.api_port = 0;
    config.server.port = 0;
    config
}

/// [`demo_config`] plus endpoint `name` on a one-connection test host at 127.0.0.1:`port`
/// (e.g. `upstream_support::recording_host`), with health checks off so that the one
/// connection is the session's.
pub fn config_with_test_host(name: &str, port: u16) -> Config {
    let mut config = demo_config();
    config.endpoints.push(bridge::config::Endpoint::host(
        name,
        "127.0.0.1",
        Some(port),
    ));
    config.load_balancer.health_check_interval = std::time::Duration::ZERO;
    config
}

/// A loopback port where nothing listens, kept so for as long as this lives: a socket is
/// bound to it but does not listen, so connections are refused and no other socket can take
/// the port. (A released [`free_port`] may be handed by the OS to a host that a test running
/// alongside binds to port 0.)
pub struct DeadPort {
    /// The port.
    pub port: u16,
    _socket: tokio::net::TcpSocket,
}

/// A [`DeadPort`] on 127.0.0.1.
pub fn dead_port() -> DeadPort {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    DeadPort {
        port,
        _socket: socket,
    }
}

/// A free loopback port (bound and released), for a listener the test starts next.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `.venv/bin` of the workspace first on PATH (mfmock and its Python), as `tests/src`
/// expects.
pub fn venv_on_path() {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![venv];
    dirs.extend(std::env::split_paths(&path));
    // Every test sets the same value, so concurrent writes agree.
    std::env::set_var("PATH", std::env::join_paths(dirs).unwrap());
}

/// A fresh empty directory for this test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("web3270-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A current-thread runtime for the async parts of a test on a plain thread.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A bridge running as a task of the test's runtime. Dropping it signals shutdown (as
/// SIGTERM does) without waiting; [`Bridge::stop`] waits for `run` to return.
pub struct Bridge {
    /// The HTTP (or HTTPS) listener, as `run` reported it when ready.
    pub addr: SocketAddr,
    tn3270_port: u16,
    stop: oneshot::Sender<()>,
    run: tokio::task::JoinHandle<Result<(), String>>,
}

/// Starts `config` in the current runtime and waits (up to [`WAIT`]) until it listens.
pub async fn start(config: Config) -> Bridge {
    let tn3270_port = config.server.port;
    let (stop, stopped) = oneshot::channel::<()>();
    let (ready_tx, ready) = oneshot::channel();
    let mut run = tokio::spawn(async move {
        bridge::server::run(
            config,
            async move {
                let _ = stopped.await;
            },
            move |addr| {
                let _ = ready_tx.send(addr);
            },
        )
        .await
        .map_err(|e| e.to_string())
    });
    let addr = match tokio::time::timeout(WAIT, ready).await {
        Ok(Ok(addr)) => addr,
        // `run` returned before it was ready: its error says why.
        Ok(Err(_)) => panic!("the bridge did not start: {:?}", (&mut run).await),
        Err(_) => panic!("the bridge is not ready after {WAIT:?}"),
    };
    Bridge {
        addr,
        tn3270_port,
        stop,
        run,
    }
}

impl Bridge {
    /// The TN3270 listener (the configuration must have named its port).
    pub fn tn3270(&self) -> SocketAddr {
        tn3270_listener(self.tn3270_port)
    }

    /// `NAME@127.0.0.1:PORT`: the TN3270 listener, asking for endpoint `name`.
    pub fn target(&self, name: &str) -> String {
        format!("{name}@{}", self.tn3270())
    }

    /// Signals shutdown and waits (up to [`WAIT`]) until `run` returned; its result.
    pub async fn stop(self) -> Result<(), String> {
        let _ = self.stop.send(());
        tokio::time::timeout(WAIT, self.run)
            .await
            .expect("run returns in time")
            .expect("run does not panic")
    }
}

/// A bridge in a thread (and runtime) of its own, so that blocking peers such as s3270 can be
/// driven from the test thread; stopped, and waited for, on drop.
pub struct BridgeThread {
    /// The HTTP (or HTTPS) listener.
    pub addr: SocketAddr,
    tn3270_port: u16,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
}

/// Starts `config` in a thread of its own and waits (up to [`WAIT`]) until it listens.
pub fn start_in_thread(config: Config) -> BridgeThread {
    let tn3270_port = config.server.port;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop, stopped) = oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let bridge = start(config).await;
                let _ = ready_tx.send(bridge.addr);
                let _ = stopped.await;
                bridge.stop().await
            })
    });
    let addr = ready_rx.recv_timeout(WAIT).expect("the bridge listens");
    BridgeThread {
        addr,
        tn3270_port,
        stop: Some(stop),
        thread: Some(thread),
    }
}

impl BridgeThread {
    /// The TN3270 listener (the configuration must have named its port).
    pub fn tn3270(&self) -> SocketAddr {
        tn3270_listener(self.tn3270_port)
    }

    /// `NAME@127.0.0.1:PORT`: the TN3270 listener, asking for endpoint `name`.
    pub fn target(&self, name: &str) -> String {
        format!("{name}@{}", self.tn3270())
    }

    /// Shuts the bridge down (as SIGTERM does) and waits until `run` returned; its result.
    pub fn stop(&mut self) -> Result<(), String> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err("the bridge's thread panicked".into())),
            None => Ok(()),
        }
    }
}

impl Drop for BridgeThread {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// The TN3270 listener on `port` of loopback.
fn tn3270_listener(port: u16) -> SocketAddr {
    assert_ne!(
        port, 0,
        "set config.server.port to reach the TN3270 listener"
    );
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// A standalone demo host (`bridge::demo::serve_with`) on 127.0.0.1, served from a thread of
/// its own until stopped or dropped.
pub struct DemoHost {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DemoHost {
    /// The demo host with its default configuration.
    pub fn start() -> DemoHost {
        DemoHost::start_with(DemoConfig::default())
    }

    /// The demo host with `config`.
    pub fn start_with(config: DemoConfig) -> DemoHost {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            runtime().block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                bridge::demo::serve_with(listener, config, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            });
        });
        DemoHost {
            addr: addr_rx.recv_timeout(WAIT).unwrap(),
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Its address as an s3270 host string.
    pub fn target(&self) -> String {
        self.addr.to_string()
    }

    /// Signals shutdown without waiting, so a test can watch its sessions say goodbye.
    pub fn signal_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).expect("the demo host is still serving");
        }
    }

    /// Stops serving and waits until every session has ended.
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

impl Drop for DemoHost {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `web3270 serve` as a user starts it: the binary with no config file, its ports from the
/// environment; killed on drop.
pub struct ServeProcess {
    /// The process.
    pub child: Child,
    /// Its HTTP listener (`WEB3270_API_PORT` on loopback).
    pub addr: SocketAddr,
    /// The first line it printed (`web3270: open http://...`).
    pub first_line: String,
}

impl ServeProcess {
    /// Starts the binary on free ports and reads its first line.
    pub fn start() -> ServeProcess {
        ServeProcess::start_with_env(&[])
    }

    /// [`ServeProcess::start`] with more environment variables (`WEB3270_TLS_*`, ...).
    pub fn start_with_env(env: &[(&str, &std::ffi::OsStr)]) -> ServeProcess {
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_web3270"))
            .arg("serve")
            .env("WEB3270_API_PORT", port.to_string())
            .env("WEB3270_PORT", free_port().to_string())
            .env_remove("WEB3270_BIND_ADDRESS")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first_line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first_line)
            .unwrap();
        ServeProcess {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            first_line,
        }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
