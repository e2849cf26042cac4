//! End-to-end tests of the web terminal in real headless Chromium (chromedriver + fantoccini),
//! through `bridge::server::run` (in-process, free ports) to real hosts: the embedded demo host
//! and mainframe-mocker applications (tests/src/mfmock.rs), with s3270 as the oracle for what
//! the screen must show. Plus plain-HTTP checks of how the assets are served
//! (`bridge/src/server/assets.rs`: content types, ETag/304, compression, CSP, CORS).
//!
//! What a test does is what a user does: load `/` (index.html + static/app.js + the embed module
//! static/web3270.js + the wasm in static/pkg), read the screen through the DOM mirror (the
//! accessibility grid) and through canvas pixels, type on the canvas with WebDriver key actions,
//! press keys. Each step saves a PNG screenshot under `tests/artifacts/<test>/` (the harness's
//! [`TestDir`]); a failing step saves `failure.png` and the page's state.
//!
//! Needs: `chromium` and `chromedriver` (`CHROMEDRIVER`, default /usr/bin/chromedriver), the
//! wasm built into `static/pkg` (`bash scripts/build-web.sh`; scripts/test.sh does it), the venv
//! with mfmock, s3270. They are not skipped when missing: the test fails and says what is missing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use bridge::config::{AuthType, BasicUser, Config, Endpoint, Secret};
use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MouseActions, PointerAction, MOUSE_BUTTON_LEFT,
};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder};
use futures_util::FutureExt;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use web3270_tests::s3270::{Cell, XA_FOREGROUND};
use web3270_tests::{
    MfMock, MfMockApp, MfMockOptions, ProcessGuard, Script, Snapshot, TestDir, S3270,
};

/// How long a screen may take to appear (a busy 2-core machine; never a measured duration).
const WAIT: Duration = Duration::from_secs(30);
/// How long chromedriver gets to start.
const DRIVER_START: Duration = Duration::from_secs(30);

/// The x3270 theme's palette (web-client/src/theme.rs; its background is black), indexed by the low nibble of an extended colour X'F0'–X'FF'.
const X3270_PALETTE: [[u8; 3]; 16] = [
    [0x00, 0x00, 0x00],
    [0x00, 0xbf, 0xff],
    [0xff, 0x00, 0x00],
    [0xff, 0xc0, 0xcb],
    [0x00, 0xff, 0x00],
    [0x40, 0xe0, 0xd0],
    [0xff, 0xff, 0x00],
    [0xff, 0xff, 0xff],
    [0x00, 0x00, 0x00],
    [0x00, 0x00, 0xcd],
    [0xff, 0xa5, 0x00],
    [0xa0, 0x20, 0xf0],
    [0x98, 0xfb, 0x98],
    [0xae, 0xee, 0xee],
    [0xbe, 0xbe, 0xbe],
    [0xff, 0xff, 0xff],
];

// ---------------------------------------------------------------------------------------------
// The bridge, in-process.

/// A running bridge; dropping it stops it.
struct Bridge {
    addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Bridge {
    async fn start(mut config: Config) -> Bridge {
        bridge_log(); // every test's bridge logs into the shared file
        config.server.api_port = 0;
        config.server.port = 0;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready) = tokio::sync::oneshot::channel();
        tokio::spawn(bridge::server::run(
            config,
            async move {
                let _ = stopped.await;
            },
            move |addr| {
                let _ = ready_tx.send(addr);
            },
        ));
        let addr = tokio::time::timeout(WAIT, ready).await.unwrap().unwrap();
        Bridge { addr, _stop: stop }
    }

    fn url(&self, path_and_fragment: &str) -> String {
        format!("http://{}{}", self.addr, path_and_fragment)
    }
}

/// The demo configuration plus the given endpoints.
fn config_with(endpoints: Vec<Endpoint>) -> Config {
    let mut config = Config::demo();
    config.endpoints.extend(endpoints);
    config
}

/// The bridge's log (all tests of this binary, tracing at TRACE level for the bridge and the
/// core): `tests/artifacts/browser_e2e-bridge.log`. Read by the password checks.
fn bridge_log() -> PathBuf {
    static LOG: OnceLock<PathBuf> = OnceLock::new();
    LOG.get_or_init(|| {
        let dir = web3270_tests::workspace_root()
            .join("tests")
            .join("artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("browser_e2e-bridge.log");
        let file = std::fs::File::create(&path).unwrap();
        let writer = Mutex::new(file);
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "bridge=trace,tn3270=trace",
            ))
            .with_ansi(false)
            .with_writer(writer)
            .try_init();
        path
    })
    .clone()
}

// ---------------------------------------------------------------------------------------------
// chromedriver and the browser.

/// chromedriver on a free port, in its own process group (stopped on drop).
struct Chromedriver {
    port: u16,
    _guard: ProcessGuard,
}

impl Chromedriver {
    fn start(dir: &TestDir) -> Chromedriver {
        let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        assert!(
            Path::new(&bin).exists(),
            "chromedriver not found at {bin}: apt-get install chromium chromium-driver (scripts/test.sh does)"
        );
        let mut cmd = Command::new(&bin);
        cmd.arg("--port=0");
        let mut guard = ProcessGuard::spawn("chromedriver", cmd, &dir.join("chromedriver.log"))
            .expect("chromedriver starts");
        let line = guard
            .wait_for_log("started successfully on port", DRIVER_START)
            .expect("chromedriver says its port");
        let port = line
            .rsplit("port ")
            .next()
            .and_then(|s| s.trim().trim_end_matches('.').parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        Chromedriver {
            port,
            _guard: guard,
        }
    }
}

/// Where the browser saves downloads: next to its profile.
fn downloads_dir(profile: &Path) -> PathBuf {
    profile.with_file_name("downloads")
}

/// Chromium's options: headless, as root (no sandbox), quiet on a closed network, a fresh
/// profile, a fixed window, downloads saved without asking into [`downloads_dir`].
fn capabilities(profile: &Path) -> serde_json::Map<String, Value> {
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                "--force-device-scale-factor=1",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {
                "download.default_directory": downloads_dir(profile),
                "download.prompt_for_download": false,
            },
        },
    });
    caps.as_object().unwrap().clone()
}

/// One browser session of a test: the WebDriver client, where screenshots go, a step counter.
struct Page {
    client: Client,
    dir: PathBuf,
    step: std::cell::Cell<usize>,
}

/// Runs `body` with a fresh browser. The WebDriver session is always closed (so Chromium is
/// never orphaned); a failure saves `failure.png` and the page's status and screen first.
async fn with_browser<F, Fut>(dir: &TestDir, body: F)
where
    F: FnOnce(Page) -> Fut,
    Fut: Future<Output = ()>,
{
    let driver = Chromedriver::start(dir);
    let profile = dir.join("chromium-profile");
    std::fs::create_dir_all(&profile).unwrap();
    std::fs::create_dir_all(downloads_dir(&profile)).unwrap();
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities(&profile))
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session");
    let page = Page {
        client: client.clone(),
        dir: dir.path().to_path_buf(),
        step: std::cell::Cell::new(0),
    };
    let result = AssertUnwindSafe(body(page)).catch_unwind().await;
    if result.is_err() {
        if let Ok(png) = client.screenshot().await {
            let _ = std::fs::write(dir.join("failure.png"), png);
        }
        let state = client
            .execute(
                "return [document.getElementById('status')?.textContent, \
                 window.web3270?.session?.screenText()].join('\\n---\\n')",
                vec![],
            )
            .await;
        eprintln!("----- page state at the failure -----\n{state:?}");
    }
    let _ = client.close().await;
    drop(driver);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

impl Page {
    async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Runs a script (`return …`) in the page.
    async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits until `expr` (a JS expression) is truthy; panics with `what` and the page state.
    async fn wait_for(&self, expr: &str, what: &str) {
        let script = format!("try {{ return !!({expr}); }} catch (e) {{ return false; }}");
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if self.js(&script).await == Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "timed out waiting for {what} ({expr})\nstatus: {}\nscreen:\n{}",
            self.status().await,
            self.screen_text().await
        );
    }

    /// Waits until the screen (as the session reports it) contains `needle`.
    async fn wait_screen(&self, needle: &str) {
        let expr = format!(
            "window.web3270.session.screenText().includes({})",
            serde_json::to_string(needle).unwrap()
        );
        self.wait_for(&expr, &format!("the screen to show {needle:?}"))
            .await;
    }

    async fn status(&self) -> String {
        self.js("return document.getElementById('status')?.textContent ?? ''")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn screen_text(&self) -> String {
        self.js("return window.web3270?.session?.screenText() ?? ''")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// What a screen reader gets: the rows of the DOM mirror (`role=grid`), joined by `\n`,
    /// after the renderer's next frame.
    async fn mirror_text(&self) -> String {
        self.js("window.web3270.session.terminal.renderNow(); \
             return [...document.querySelectorAll('#screen [role=grid] [role=row]')] \
               .map(r => r.textContent).join('\\n')")
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Saves a PNG of the page as `NN-name.png`.
    async fn shot(&self, name: &str) {
        let n = self.step.get() + 1;
        self.step.set(n);
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(self.dir.join(format!("{n:02}-{name}.png")), png).unwrap();
    }

    /// Focuses the terminal's canvas and types `text` with real key events (WebDriver key
    /// actions: keydown/keyup per character, as a keyboard does).
    async fn type_text(&self, text: &str) {
        self.js("window.web3270.session.focus(); return document.activeElement.tagName")
            .await;
        self.keyboard(text).await;
    }

    /// Types `text` with real key events into whatever has the focus.
    async fn keyboard(&self, text: &str) {
        let mut keys = KeyActions::new("keyboard".into());
        for c in text.chars() {
            keys = keys
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
        }
        self.client.perform_actions(keys).await.unwrap();
    }

    /// Presses one special key on the canvas (Enter, Tab, F3…).
    async fn key(&self, key: Key) {
        self.type_text(&char::from(key).to_string()).await;
    }

    /// The viewport point (CSS px) at the centre of cell (row, col) of the terminal's canvas.
    async fn cell_point(&self, row: usize, col: usize) -> (f64, f64) {
        let v = self
            .js(&format!(
                "const t = window.web3270.session.terminal; t.renderNow(); \
                 const r = t.canvas().getBoundingClientRect(); \
                 const [x, y, w, h] = t.cellRect({row}, {col}); const d = t.pixelRatio(); \
                 return [Math.round(r.left + (x + w / 2) / d), Math.round(r.top + (y + h / 2) / d)];"
            ))
            .await;
        (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
    }

    /// A real mouse (WebDriver pointer actions): press on one cell, move to another, release
    /// there; a click when both are the same cell.
    async fn mouse_drag(&self, from: (usize, usize), to: (usize, usize)) {
        let (x0, y0) = self.cell_point(from.0, from.1).await;
        let (x1, y1) = self.cell_point(to.0, to.1).await;
        let mut m = MouseActions::new("mouse".into())
            .then(PointerAction::MoveTo {
                duration: None,
                x: x0,
                y: y0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            });
        if from != to {
            m = m.then(PointerAction::MoveTo {
                duration: Some(Duration::from_millis(100)),
                x: x1,
                y: y1,
            });
        }
        m = m.then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
        self.client.perform_actions(m).await.unwrap();
    }

    /// Clicks the page element with this id (a real mouse click through WebDriver).
    async fn click_id(&self, id: &str) {
        self.client
            .find(fantoccini::Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("#{id}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Clicks a button of the on-screen key bar.
    async fn key_bar(&self, label: &str) {
        let b = self
            .client
            .find(fantoccini::Locator::Css(&format!(
                "#keys button[data-key=\"{label}\"]"
            )))
            .await
            .unwrap();
        b.click().await.unwrap();
    }

    /// The most frequent non-background colour inside cell (row, col) of the canvas, as RGB;
    /// `None` when the cell is all background.
    async fn cell_ink(&self, row: u32, col: u32) -> Option<[u8; 3]> {
        let v = self
            .js(&format!(
                "const s = window.web3270.session; s.terminal.renderNow(); \
                 const [x, y, w, h] = s.terminal.cellRect({row}, {col}); \
                 const d = s.terminal.canvas().getContext('2d').getImageData(x, y, w, h).data; \
                 const bg = d.slice(0, 3).join(); const counts = new Map(); \
                 for (let i = 0; i < d.length; i += 4) {{ const k = `${{d[i]}},${{d[i+1]}},${{d[i+2]}}`; \
                   counts.set(k, (counts.get(k) || 0) + 1); }} \
                 return [bg, [...counts].filter(([k]) => k !== '0,0,0').sort((a, b) => b[1] - a[1])[0]?.[0] ?? null];"
            ))
            .await;
        let ink = v[1].as_str()?;
        let rgb: Vec<u8> = ink.split(',').map(|p| p.parse().unwrap()).collect();
        Some([rgb[0], rgb[1], rgb[2]])
    }

    /// A digest of every pixel of cell (row, col) (to compare a cell before and after).
    async fn cell_pixels(&self, row: u32, col: u32) -> String {
        self.js(&format!(
            "const s = window.web3270.session; s.terminal.renderNow(); \
             const [x, y, w, h] = s.terminal.cellRect({row}, {col}); \
             const d = s.terminal.canvas().getContext('2d').getImageData(x, y, w, h).data; \
             let a = 2166136261 >>> 0; \
             for (let i = 0; i < d.length; i++) {{ a = Math.imul(a ^ d[i], 16777619) >>> 0; }} \
             return `${{w}}x${{h}}:${{a}}`;"
        ))
        .await
        .as_str()
        .unwrap()
        .to_string()
    }
}

/// Fails clearly when the wasm was not built (the page would only show its "not built" notice).
fn require_pkg() {
    let pkg = web3270_tests::workspace_root().join("static/pkg/web_client_bg.wasm");
    assert!(
        pkg.exists(),
        "{} is missing: build the web terminal first (bash scripts/build-web.sh; scripts/test.sh does)",
        pkg.display()
    );
}

/// What s3270 shows for `host` (an s3270 host string) once the keyboard unlocks.
fn s3270_snapshot(dir: &TestDir, host: &str, model: &str) -> Snapshot {
    let mut script = Script::new();
    script.connect(host).wait_unlock(20);
    let snap = script.snapshot();
    script.quit();
    let run = S3270::new()
        .model(model)
        .run(dir, "oracle", &script)
        .unwrap();
    run.snapshot(snap).unwrap()
}

/// The colour s3270 says the character at (row, col) has (its own SA colour, else its
/// field's extended colour, else the 3279 base colour of its field), through the x3270 theme.
fn expected_colour(shot: &Snapshot, row: usize, col: usize) -> [u8; 3] {
    let own = match shot.buffer.cells.get(row).and_then(|r| r.get(col)) {
        Some(Cell::Char(_, attrs)) => attrs
            .iter()
            .find(|(k, v)| *k == XA_FOREGROUND && *v >= 0xf0)
            .map(|(_, v)| *v),
        _ => None,
    };
    let field = shot.field_at(row, col).expect("a field at the cell");
    match own.or(field.color().filter(|c| *c >= 0xf0)) {
        Some(c) => X3270_PALETTE[usize::from(c & 0x0f)],
        // x3270's base colours: unprotected green/red, protected blue/white (normal/intensified).
        None => {
            X3270_PALETTE[match (field.protected(), field.intensified()) {
                (false, false) => 4,
                (false, true) => 2,
                (true, false) => 1,
                (true, true) => 7,
            }]
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A mainframe-mocker application for these tests, written into the test's directory: a
// sign-on whose password appears nowhere on any screen (so "the password is not shown" can be
// checked literally), a menu, PF3 back to the sign-on.

/// The password of [`E2E_APP`]. Never on a screen, never in a log of ours.
const SECRET: &str = "ZQ7XW9KP";

const E2E_APP: &str = r#"
from datetime import datetime
from types import SimpleNamespace
from mfmock import (Application, Goto, MessageCatalog, Screen, ScreenError, StandardFrame,
                    Stay, msg, run)

SECRET = "ZQ7XW9KP"
CATALOG = MessageCatalog(prefix="E2E", messages={
    "SIGNED_ON": ("E2E0100I", "SIGNED ON AS {user}"),
    "BAD_PASSWORD": ("E2E0101E", "PASSWORD IS INCORRECT"),
    "SIGNED_OFF": ("E2E0102I", "SIGNED OFF"),
})

class E2EApp(Application):
    def __init__(self):
        super().__init__("E2E", start="SIGNON", catalog=CATALOG, frame=StandardFrame(sysid="E2ETEST"),
                         pf_legend="ENTER=Continue  PF3=Back")
    def clock(self):
        return datetime(2026, 1, 2, 3, 4, 5)
    def create_state(self, conversation):
        return SimpleNamespace(user="")

app = E2EApp()

@app.screen
class SignOn(Screen):
    name = "SIGNON"
    title = "SIGN ON"
    show_tran = False
    default_cursor = "userid"
    template_source = """\
{{ row(4) }}{{ center('E N D   T O   E N D   H O S T', 'brand') }}
{{ row(8) }}{{ prompt(col=10) }}USERID  . . :{{ input('userid', 8, col=25, upper=True, label='USERID', validators=[required]) }}
{{ row(10) }}{{ prompt(col=10) }}PASSWORD  . :{{ input('password', 8, col=25, hidden=True, upper=True, label='PASSWORD', validators=[required]) }}
"""
    def enter(self):
        user, password = self.v("userid"), self.values.pop("password", "")
        if password.upper() != SECRET:
            raise ScreenError("BAD_PASSWORD", cursor="password")
        self.state.user = user
        return Goto("MENU", message=msg("SIGNED_ON", user=user), replace=True)

@app.screen
class Menu(Screen):
    name = tran = "MENU"
    title = "MAIN MENU"
    default_cursor = "option"
    template_source = """\
{{ row(4) }}{{ text('heading', col=10) }}WELCOME {{ output('user', 8) }}
{{ row(8) }}{{ text('label', col=10) }}1  ACCOUNTS
{{ row(13) }}{{ prompt(col=10) }}OPTION ==>{{ input('option', 1, col=22, label='OPTION') }}
"""
    def setup(self):
        self.values["user"] = self.state.user
    def pf(self, n):
        if n == 3:
            return Goto("SIGNON", message=msg("SIGNED_OFF"), replace=True)
        return None

if __name__ == "__main__":
    run(app)
"#;

fn start_e2e_app(dir: &TestDir) -> MfMock {
    let script = dir.write("e2e_app.py", E2E_APP).unwrap();
    MfMock::start(
        dir,
        &MfMockApp::Script(script),
        &MfMockOptions {
            // No hex trace: the host's own log is not under test, and it would hold the password.
            trace: false,
            ..MfMockOptions::default()
        },
    )
    .unwrap()
}

fn mfmock_endpoint(name: &str, mock: &MfMock) -> Endpoint {
    Endpoint::host(name, "127.0.0.1", Some(mock.port))
}

// ---------------------------------------------------------------------------------------------
// Tests.

/// mainframe-mocker sign-on through `web3270 serve`: the DOM mirror equals s3270's screen, the
/// canvas has the field colours, the password is typed but shown nowhere (mirror, canvas, page,
/// bridge log), Enter reaches the menu, PF3 / Clear / PA1 act as the host defines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mfmock_sign_on_through_the_page() {
    require_pkg();
    let dir = TestDir::new("browser_mfmock_sign_on").unwrap();
    let mock = start_e2e_app(&dir);
    // The oracle: s3270 on the same host, same model.
    let oracle = s3270_snapshot(&dir, &mock.address(), "3279-2-E");
    assert!(oracle.contains("USERID"), "{oracle:#?}");
    let bridge = Bridge::start(config_with(vec![mfmock_endpoint("mock", &mock)])).await;
    with_browser(&dir, |page| async move {
        page.goto(&bridge.url("/#endpoint=mock&model=3279-2-E")).await;
        page.wait_screen("USERID").await;
        page.wait_for("window.web3270.session.state === 'connected'", "connected").await;
        page.shot("sign-on").await;
        assert!(page.status().await.contains("mock"), "status: {}", page.status().await);

        // The mirror is what s3270 shows, row by row (digits masked on a row naming the LU:
        // each connection gets its own).
        let mirror = page.mirror_text().await;
        let rows: Vec<&str> = mirror.split('\n').collect();
        assert_eq!(rows.len(), 24, "{mirror}");
        for (i, (ours, theirs)) in rows.iter().zip(&oracle.rows).enumerate() {
            if theirs.contains("TERM0") {
                let mask = |s: &str| s.replace(|c: char| c.is_ascii_digit(), "#");
                assert_eq!(mask(ours), mask(theirs), "row {i} differs from s3270");
            } else {
                assert_eq!(*ours, theirs.as_str(), "row {i} differs from s3270");
            }
        }

        // The embed API's fields() agree with s3270's ReadBuffer: same fields, same places,
        // same kinds, same text (the LU's digits masked).
        let ours = page.js("return window.web3270.session.fields()").await;
        let ours = ours.as_array().unwrap();
        assert_eq!(ours.len(), oracle.buffer.fields.len(), "{ours:#?}");
        let mask = |s: &str| s.trim_end().replace(|c: char| c.is_ascii_digit(), "#");
        for (theirs, ours) in oracle.buffer.fields.iter().zip(ours) {
            let first = (theirs.row * 80 + theirs.col + 1) % (24 * 80);
            assert_eq!(ours["row"], json!(first / 80), "{theirs:?} / {ours}");
            assert_eq!(ours["col"], json!(first % 80), "{theirs:?} / {ours}");
            assert_eq!(ours["protected"], json!(theirs.protected()), "{theirs:?} / {ours}");
            assert_eq!(ours["numeric"], json!(theirs.numeric()), "{theirs:?} / {ours}");
            assert_eq!(ours["hidden"], json!(theirs.hidden()), "{theirs:?} / {ours}");
            assert_eq!(mask(ours["text"].as_str().unwrap()), mask(&theirs.text), "{theirs:?}");
        }

        // Canvas: the "U" of the USERID label is drawn in the colour s3270 says it has.
        let label_row = oracle.rows.iter().position(|r| r.contains("USERID")).unwrap();
        let label_col = oracle.rows[label_row].find("USERID").unwrap();
        let ink = page.cell_ink(label_row as u32, label_col as u32).await;
        assert_eq!(
            ink,
            Some(expected_colour(&oracle, label_row, label_col)),
            "colour of 'U' of USERID at {label_row},{label_col}"
        );

        // The password field's pixels before anything is typed into it.
        let pw_row = oracle.rows.iter().position(|r| r.contains("PASSWORD")).unwrap() as u32;
        let pw_cols = 25..33u32;
        let mut empty = Vec::new();
        for col in pw_cols.clone() {
            empty.push(page.cell_pixels(pw_row, col).await);
        }
        // Type a userid, Tab to the password, type it: it is nowhere to be seen.
        page.type_text("alice").await;
        page.key(Key::Tab).await;
        page.wait_for(&format!("window.web3270.session.cursor()[0] === {pw_row}"), "the cursor in the password field").await;
        page.type_text(&SECRET.to_lowercase()).await;
        page.wait_for(&format!("window.web3270.session.cursor()[0] !== {pw_row} || window.web3270.session.cursor()[1] >= 32"),
            "the cursor past the password").await;
        page.shot("password-typed").await;
        let cursor = page.js("return window.web3270.session.cursor()").await;
        for (i, col) in pw_cols.enumerate() {
            if cursor == json!([pw_row, col]) {
                continue; // the cursor cell
            }
            assert_eq!(
                page.cell_pixels(pw_row, col).await,
                empty[i],
                "password cell {pw_row},{col} changed on the canvas"
            );
        }
        assert_no_secret(&page).await;
        assert!(page.mirror_text().await.contains("alice"), "the userid is shown");

        // Enter: the menu.
        page.key(Key::Enter).await;
        page.wait_screen("WELCOME ALICE").await;
        page.shot("menu").await;
        assert_no_secret(&page).await;

        // Clear: the screen is erased, the host redisplays the menu.
        page.key_bar("Clear").await;
        page.wait_screen("WELCOME ALICE").await;
        page.shot("after-clear").await;
        // PA1: mfmock answers with a "PA1 ..." message on the current screen.
        page.key_bar("PA1").await;
        page.wait_screen("PA1").await;
        page.shot("after-pa1").await;
        // PF3 (the keyboard's F3): back to the sign-on.
        page.key(Key::F3).await;
        page.wait_screen("SIGNED OFF").await;
        page.wait_screen("USERID").await;
        page.shot("after-pf3").await;
    })
    .await;
    // The host saw the keys (its log names AIDs, not data).
    let mut mock = mock;
    let log = mock.process().log_text();
    for aid in ["CLEAR", "PA1", "PF3"] {
        assert!(
            log.contains(&format!("aid={aid}")),
            "host log lacks aid={aid}:\n{log}"
        );
    }
    // The bridge logged nothing of the password, in ASCII or EBCDIC hex.
    let bridge_log = std::fs::read_to_string(bridge_log()).unwrap();
    assert!(
        bridge_log.contains("HTTP listening"),
        "the bridge log is being written"
    );
    assert!(
        !bridge_log.to_uppercase().contains(SECRET),
        "password in the bridge log"
    );
    let ebcdic_hex: String = SECRET
        .bytes()
        .map(|b| format!("{:02x}", ascii_upper_to_cp037(b)))
        .collect();
    assert!(
        !bridge_log
            .to_lowercase()
            .replace(' ', "")
            .contains(&ebcdic_hex),
        "password (EBCDIC hex) in the bridge log"
    );
}

/// EBCDIC (cp037) of an upper-case letter or digit.
fn ascii_upper_to_cp037(b: u8) -> u8 {
    match b {
        b'A'..=b'I' => 0xc1 + (b - b'A'),
        b'J'..=b'R' => 0xd1 + (b - b'J'),
        b'S'..=b'Z' => 0xe2 + (b - b'S'),
        b'0'..=b'9' => 0xf0 + (b - b'0'),
        _ => b,
    }
}

/// The password is in no text the page holds: the mirror, the session's screen text, the
/// document (HTML + text), any input's value.
async fn assert_no_secret(page: &Page) {
    let everything = page
        .js(
            "return [document.documentElement.outerHTML, document.body.innerText, \
             window.web3270.session.screenText(), \
             [...document.querySelectorAll('input, textarea')].map(e => e.value).join(' ')].join('\\n')",
        )
        .await;
    let text = everything.as_str().unwrap().to_uppercase();
    assert!(!text.contains(SECRET), "the password appears in the page");
    assert!(!page.mirror_text().await.to_uppercase().contains(SECRET));
}

/// The embedded demo host: log on (PF keys from the key bar and the keyboard), PA1, Clear,
/// then the websocket is cut: the page reconnects, resumes the same host session, and the
/// screen is intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_host_keys_and_reconnect() {
    require_pkg();
    let dir = TestDir::new("browser_demo_host").unwrap();
    let bridge = Bridge::start(config_with(vec![])).await;
    with_browser(&dir, |page| async move {
        page.goto(&bridge.url("/")).await;
        page.wait_screen("Password").await;
        page.shot("logon").await;
        let logon = page.screen_text().await;
        assert_eq!(page.mirror_text().await, logon, "mirror = screen");
        // Any userid, password DEMO.
        // Any userid (shorter than the field, so Tab moves on; a full field skips by itself),
        // password DEMO.
        page.type_text("oper").await;
        page.key(Key::Tab).await;
        page.type_text("demo").await;
        assert!(page
            .js("return window.web3270.session.oiaText()")
            .await
            .as_str()
            .unwrap()
            .contains("DEMO"));
        page.key(Key::Enter).await;
        page.wait_screen("Option ===>").await;
        page.shot("menu").await;
        let menu = page.screen_text().await;
        assert!(!menu.contains("Password"), "left the logon screen:\n{menu}");

        // PA1 from the key bar: a short message, the menu stays.
        page.key_bar("PA1").await;
        page.wait_screen("attention received").await;
        page.shot("pa1").await;
        // Clear: the host redraws the current screen.
        page.key_bar("Clear").await;
        page.wait_for(
            "!window.web3270.session.screenText().includes('attention received') && \
             window.web3270.session.screenText().includes('Option ===>')",
            "the menu redrawn after Clear",
        )
        .await;
        page.shot("clear").await;
        let before = page.screen_text().await;

        // Cut the websocket (as a network drop does): reconnect with backoff, resume. The
        // OIA's transport state is recorded at every change (the terminal's `state` event).
        page.js("const s = window.web3270.session; window.__link = []; \
                 s.terminal.on('state', (d) => window.__link.push([d.state, s.oiaText()])); \
                 window.__firstSocket = s.socket; s.socket.close(); return true")
            .await;
        page.wait_for(
            "window.web3270.session.state === 'reconnecting'",
            "reconnecting",
        )
        .await;
        page.shot("reconnecting").await;
        page.wait_for(
            "window.web3270.session.state === 'connected' && \
             window.web3270.session.socket !== window.__firstSocket",
            "connected again on a new websocket",
        )
        .await;
        page.wait_screen("Option ===>").await;
        page.shot("resumed").await;
        assert_eq!(
            page.screen_text().await,
            before,
            "the screen is intact after the resume"
        );
        // The OIA went: reconnecting (counting down), connecting, resuming, connected.
        let link = page.js("return window.__link").await;
        let mut states: Vec<(String, String)> = link
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e[0].as_str().unwrap().into(), e[1].as_str().unwrap().into()))
            .collect();
        states.dedup_by(|a, b| a.0 == b.0);
        let names: Vec<&str> = states.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            names,
            ["reconnecting", "connecting", "resuming", "connected"],
            "{states:?}"
        );
        for ((_, oia), want) in
            states
                .iter()
                .zip(["X Reconnecting in ", "X Connecting", "X Resuming"])
        {
            assert!(oia.contains(want), "OIA {oia:?} should show {want:?}");
        }
        // Connected: no transport message (the keyboard may still wait for the host: X SYSTEM).
        let oia = &states[3].1;
        assert!(
            ["Reconnecting", "Connecting", "Resuming", "disconnected"]
                .iter()
                .all(|m| !oia.contains(m)),
            "connected: {oia:?}"
        );
        // The resumed session is live: PF3 logs off the menu.
        page.key(Key::F3).await;
        page.wait_for(
            "!window.web3270.session.screenText().includes('Option ===>')",
            "PF3 left the menu",
        )
        .await;
        page.shot("pf3").await;
    })
    .await;
}

/// A read-only terminal (the iframe page with `#readOnly=1`, opened on its own) on the demo
/// host: a real mouse click on the "PF3=Exit" hotspot, keys and `sendKeys` send nothing to
/// the bridge (the host would end the session on PF3); a drag still selects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_terminal_sends_nothing_from_mouse_or_keys() {
    require_pkg();
    let dir = TestDir::new("browser_read_only").unwrap();
    let bridge = Bridge::start(config_with(vec![])).await;
    with_browser(&dir, |page| async move {
        page.goto(&bridge.url("/static/embed.html#readOnly=1")).await;
        page.wait_screen("PF3=Exit").await;
        page.wait_for(
            "window.web3270.session.state === 'connected'",
            "connected",
        )
        .await;
        page.shot("logon").await;
        // From now on count what the page sends, and record selection events.
        page.js("const s = window.web3270.session; const ws = s.socket; window.__sent = 0; \
                 const send = ws.send.bind(ws); ws.send = (m) => { window.__sent++; send(m); }; \
                 window.__sel = []; s.on('selection', (d) => window.__sel.push(d)); return true")
            .await;
        let before = page.screen_text().await;
        let cursor = page.js("return window.web3270.session.cursor()").await;
        let (row, col) = before
            .lines()
            .enumerate()
            .find_map(|(r, l)| l.find("PF3=Exit").map(|c| (r, c)))
            .unwrap();
        // The hotspot, the input field, then keys: Enter and F3 would reach the host.
        page.mouse_drag((row, col + 1), (row, col + 1)).await;
        page.mouse_drag((0, 0), (0, 0)).await;
        page.type_text("abc").await;
        page.key(Key::Enter).await;
        page.key(Key::F3).await;
        page.shot("after-input").await;
        let refused = page
            .js("return window.web3270.session.sendKeys('x{ENTER}').then(() => 'sent', (e) => e.message)")
            .await;
        assert_eq!(refused, json!("sendKeys: the session is read-only"));
        assert_eq!(page.js("return window.__sent").await, json!(0), "nothing sent");
        assert_eq!(page.screen_text().await, before, "the screen did not change");
        assert_eq!(page.js("return window.web3270.session.cursor()").await, cursor);
        assert_eq!(page.js("return window.web3270.session.state").await, json!("connected"));
        // A drag over the hotspot selects it.
        page.mouse_drag((row, col), (row, col + 7)).await;
        page.shot("selection").await;
        let sel = page.js("return window.__sel.at(-1)").await;
        assert_eq!(
            sel,
            json!({"top": row, "left": col, "bottom": row, "right": col + 7})
        );
        assert_eq!(
            page.js("return window.web3270.session.terminal.selectionText()").await,
            json!("PF3=Exit")
        );
        assert_eq!(page.js("return window.__sent").await, json!(0), "nothing sent");
        // The control: not read-only, the same click on the hotspot sends PF3.
        page.js("window.web3270.session.terminal.setOptions({readOnly: false}); return true")
            .await;
        page.mouse_drag((row, col + 1), (row, col + 1)).await;
        page.wait_for("window.__sent > 0", "the hotspot click sent PF3")
            .await;
    })
    .await;
}

/// Model 5 (27×132) to mainframe-mocker's size application: the mirror has 27 rows of 132
/// characters, the host's corner texts where it put them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_5_screen_is_27_by_132() {
    require_pkg();
    let dir = TestDir::new("browser_model_5").unwrap();
    let mock = MfMock::start(&dir, &MfMockApp::Sizes, &MfMockOptions::default()).unwrap();
    let bridge = Bridge::start(config_with(vec![mfmock_endpoint("sizes", &mock)])).await;
    with_browser(&dir, |page| async move {
        page.goto(&bridge.url("/#endpoint=sizes&model=3279-5-E"))
            .await;
        page.wait_screen("SIZE 27x132").await;
        page.shot("model-5").await;
        let mirror = page.mirror_text().await;
        let rows: Vec<&str> = mirror.split('\n').collect();
        assert_eq!(rows.len(), 27, "{mirror}");
        assert!(rows.iter().all(|r| r.chars().count() == 132), "{mirror}");
        assert!(rows[0].contains("TOP LEFT"), "{}", rows[0]);
        assert!(
            rows[26].trim_end().ends_with("BOTTOM RIGHT"),
            "{}",
            rows[26]
        );
        assert_eq!(
            rows[26].trim_end().chars().count(),
            132,
            "BOTTOM RIGHT ends in column 132"
        );
        let info = page.js("return window.web3270.session.info").await;
        assert_eq!(info["model"], "3279-5-E");
    })
    .await;
}

/// "Copy screen", "Save" and "Print" give the screen as text as the session shows it (the
/// demo host's logon, row for row what s3270 shows), under a heading with the host and LU; a
/// password typed into the hidden field is in none of them; the printout (WebDriver's Print,
/// the PDF read back by `pdftotext`) holds the screen and nothing of the page around it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_screen_is_copied_saved_and_printed_as_text() {
    require_pkg();
    let dir = TestDir::new("browser_screen_text").unwrap();
    let bridge = Bridge::start(Config::demo()).await;
    with_browser(&dir, |page| async move {
        page.goto(&bridge.url("/#endpoint=demo")).await;
        page.wait_screen("Userid").await;
        page.type_text(&format!("PRINTER\t{SECRET}")).await;
        page.wait_screen("PRINTER").await;
        let screen = page.screen_text().await;
        assert!(
            !screen.contains(SECRET),
            "the password is not on the screen"
        );
        page.shot("typed").await;
        let heading = "web3270 — demo · LU DEMO0001 · ";

        // Save: a text file in the downloads folder: the heading, a blank line, the rows.
        let downloads = downloads_dir(&page.dir.join("chromium-profile"));
        page.click_id("save-screen").await;
        let deadline = Instant::now() + WAIT;
        let saved = loop {
            let done: Vec<PathBuf> = std::fs::read_dir(&downloads)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "txt"))
                .collect();
            if let [file] = done.as_slice() {
                break file.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no saved screen in {}",
                downloads.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let name = saved.file_name().unwrap().to_str().unwrap().to_owned();
        assert!(
            name.starts_with("web3270-demo-")
                && name.len() == "web3270-demo-20261204-224500.txt".len(),
            "{name}"
        );
        let text = std::fs::read_to_string(&saved).unwrap();
        let (head, rows) = text.split_once("\n\n").unwrap();
        assert!(head.starts_with(heading), "{head}");
        assert_eq!(rows.trim_end_matches('\n'), screen);
        assert!(!text.to_uppercase().contains(SECRET));
        assert!(page
            .js("return document.getElementById('tool-note').textContent")
            .await
            .as_str()
            .unwrap()
            .starts_with("Saved web3270-demo-"));

        // Copy: the clipboard holds the rows (read back as a user's paste would).
        page.click_id("copy-screen").await;
        page.wait_for(
            "document.getElementById('tool-note').textContent === 'Screen copied'",
            "the copy confirmation",
        )
        .await;
        page.js(
            "const t = document.createElement('textarea'); t.id = 'paste-probe'; \
             document.body.append(t); t.focus(); return true",
        )
        .await;
        let paste = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: char::from(Key::Control) })
            .then(KeyAction::Down { value: 'v' })
            .then(KeyAction::Up { value: 'v' })
            .then(KeyAction::Up { value: char::from(Key::Control) });
        page.client.perform_actions(paste).await.unwrap();
        let pasted = page
            .js("const t = document.getElementById('paste-probe'); const v = t.value; t.remove(); return v")
            .await;
        assert_eq!(pasted.as_str().unwrap(), screen, "the clipboard holds the screen");

        // Print: the PDF's text is the heading and the screen's rows, none of the page.
        let pdf = page
            .client
            .print(
                fantoccini::wd::PrintConfiguration::builder()
                    .build()
                    .unwrap(),
            )
            .await
            .unwrap();
        assert!(pdf.starts_with(b"%PDF"), "a PDF");
        let pdf_path = page.dir.join("printout.pdf");
        std::fs::write(&pdf_path, &pdf).unwrap();
        let out = Command::new("pdftotext")
            .args(["-layout", "-enc", "UTF-8"])
            .arg(&pdf_path)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils; scripts/test.sh installs it)");
        assert!(out.status.success());
        let printed = String::from_utf8(out.stdout).unwrap();
        let printed_rows: Vec<&str> = printed
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert!(
            printed_rows[0].trim_start().starts_with(heading),
            "{printed}"
        );
        let screen_rows: Vec<&str> = screen
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .collect();
        // pdftotext -layout keeps the columns; its left margin may differ by a constant.
        let strip = |r: &str| r.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            printed_rows[1..]
                .iter()
                .map(|r| strip(r))
                .collect::<Vec<_>>(),
            screen_rows.iter().map(|r| strip(r)).collect::<Vec<_>>(),
            "{printed}"
        );
        for chrome in ["Settings", "Disconnect", "PF13", "Copy screen", "Host"] {
            assert!(!printed.contains(chrome), "{chrome:?} printed:\n{printed}");
        }
        assert!(!printed.to_uppercase().contains(SECRET));
    })
    .await;
}

/// The idle timeout (4 s here) warns first: the page says when the session will end and offers
/// "Stay connected"; the button keeps the session (the warning goes), and so does typing in
/// the terminal the next time; left alone, the session ends with `IDLE_TIMEOUT` and the
/// notice says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_idle_warning_offers_to_stay_connected() {
    require_pkg();
    let dir = TestDir::new("browser_idle_warning").unwrap();
    let mut config = Config::demo();
    config.sessions.idle_timeout_seconds = Duration::from_secs(4);
    let bridge = Bridge::start(config).await;
    with_browser(&dir, |page| async move {
        // Displayed or not (layout boxes), not merely the `hidden` attribute.
        let shown = "document.getElementById('warning').getClientRects().length > 0";
        let gone = "document.getElementById('warning').getClientRects().length === 0";
        page.goto(&bridge.url("/#endpoint=demo")).await;
        page.wait_screen("Userid").await;
        page.wait_for(shown, "the idle warning").await;
        page.shot("idle-warning").await;
        let text = page
            .js("return document.getElementById('warning-text').textContent")
            .await;
        assert!(
            text.as_str()
                .unwrap()
                .starts_with("No activity: this session ends at "),
            "{text}"
        );
        let stay = page
            .client
            .find(fantoccini::Locator::Id("stay"))
            .await
            .unwrap();
        assert!(stay.is_displayed().await.unwrap());
        stay.click().await.unwrap();
        page.wait_for(gone, "the warning lifted by Stay connected")
            .await;
        assert_eq!(
            page.js("return window.web3270.session.state").await,
            json!("connected")
        );

        page.wait_for(shown, "the idle warning again").await;
        page.type_text("a").await;
        page.wait_for(gone, "the warning lifted by typing").await;
        page.shot("typed").await;

        page.wait_for(
            "window.web3270.session.state === 'ended'",
            "the end of the idle session",
        )
        .await;
        page.shot("ended").await;
        let notice = page
            .js("return document.getElementById('notice').textContent")
            .await;
        assert!(
            notice.as_str().unwrap().contains("(IDLE_TIMEOUT)"),
            "{notice}"
        );
        assert_eq!(page.js(&format!("return {gone}")).await, json!(true));
    })
    .await;
}

/// Refusals are shown with their reason: an unknown endpoint named in the fragment, and the
/// session limit (a second tab while one session is live with `max_sessions: 1`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_sessions_show_their_reason() {
    require_pkg();
    let dir = TestDir::new("browser_refusals").unwrap();
    let mut config = config_with(vec![]);
    config.sessions.max_sessions = 1;
    let bridge = Bridge::start(config).await;
    with_browser(&dir, |page| async move {
        page.goto(&bridge.url("/#endpoint=nosuchhost")).await;
        page.wait_for("window.web3270?.session?.state === 'refused'", "a refusal")
            .await;
        page.shot("unknown-endpoint").await;
        let status = page.status().await;
        assert!(status.contains("ENDPOINT_UNKNOWN"), "status: {status}");
        let notice = page
            .js("const n = document.getElementById('notice'); return n.hidden ? '' : n.textContent")
            .await;
        assert!(
            notice.as_str().unwrap().contains("nosuchhost"),
            "notice: {notice}"
        );
        // No reconnect loop after a refusal.
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(
            page.js("return window.web3270.session.state").await,
            "refused"
        );

        // One live session takes the only place…
        page.goto(&bridge.url("/#endpoint=demo")).await;
        page.wait_screen("Password").await;
        // …so a second tab is refused with SESSION_LIMIT.
        let tab = page.client.new_window(true).await.unwrap();
        page.client.switch_to_window(tab.handle).await.unwrap();
        page.goto(&bridge.url("/#endpoint=demo")).await;
        page.wait_for("window.web3270?.session?.state === 'refused'", "a refusal")
            .await;
        page.shot("session-limit").await;
        let status = page.status().await;
        assert!(status.contains("SESSION_LIMIT"), "status: {status}");
    })
    .await;
}

/// The settings panel: saved in this browser (localStorage) and applied (theme: the canvas
/// background; font size: the cell size), kept over a reload, overridden by the URL fragment
/// without being saved; a keymap that is not JSON is refused with a message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_are_kept_per_browser_and_the_fragment_overrides_them() {
    require_pkg();
    let dir = TestDir::new("browser_settings").unwrap();
    let bridge = Bridge::start(config_with(vec![])).await;
    /// The canvas pixel at the top-left corner of the last cell (a blank on the demo logon).
    const BACKGROUND: &str = "const s = window.web3270.session; s.terminal.renderNow(); \
        const [x, y] = s.terminal.cellRect(23, 79); \
        return [...s.terminal.canvas().getContext('2d').getImageData(x, y, 1, 1).data.slice(0, 3)]";
    const CELL_HEIGHT: &str = "return window.web3270.session.terminal.cellRect(0, 0)[3]";
    with_browser(&dir, |page| async move {
        page.goto(&bridge.url("/")).await;
        page.wait_screen("Password").await;
        assert_eq!(page.js(BACKGROUND).await, json!([0, 0, 0]), "x3270: black");
        assert_eq!(
            page.js("return getComputedStyle(document.body).backgroundColor").await,
            "rgb(21, 23, 26)",
            "the dark page"
        );
        let fitted = page.js(CELL_HEIGHT).await.as_f64().unwrap();

        // Open the panel, choose the green theme and a 12 px font, try a broken keymap first.
        page.click_id("settings-toggle").await;
        page.js(
            "const f = document.getElementById('settings-form'); \
             f.elements.theme.value = 'green'; f.elements.fontSize.value = '12'; \
             f.elements.keymap.value = '{not json'; f.requestSubmit(); return true",
        )
        .await;
        let error = page
            .js("return document.getElementById('settings-error').textContent")
            .await;
        assert!(error.as_str().unwrap().contains("not JSON"), "{error}");
        assert_eq!(page.js("return localStorage.getItem('web3270.settings')").await, Value::Null);
        page.js(
            "const f = document.getElementById('settings-form'); \
             f.elements.keymap.value = '{\"Ctrl+KeyR\": \"Reset\"}'; f.requestSubmit(); return true",
        )
        .await;
        page.wait_for(
            "window.web3270.session.terminal.cellRect(0, 0)[3] < 16",
            "the 12 px font",
        )
        .await;
        page.wait_screen("Password").await;
        page.shot("green-12px").await;
        assert_eq!(page.js(BACKGROUND).await, json!([0x0a, 0x1a, 0x0a]), "green theme");
        let small = page.js(CELL_HEIGHT).await.as_f64().unwrap();
        assert!(small < fitted, "12 px cells ({small}) are smaller than fitted ones ({fitted})");
        let saved = page.js("return JSON.parse(localStorage.getItem('web3270.settings'))").await;
        assert_eq!(saved["theme"], "green");
        assert_eq!(saved["fontSize"], "12");
        assert_eq!(
            page.js("return window.web3270.session.terminal.keyAction('r', 'KeyR', false, true, false, false)")
                .await,
            "Reset",
            "the saved keymap is applied"
        );

        // A reload keeps them.
        page.client.refresh().await.unwrap();
        page.wait_screen("Password").await;
        assert_eq!(page.js(BACKGROUND).await, json!([0x0a, 0x1a, 0x0a]), "green after reload");

        // The fragment overrides them for this page only.
        page.js("window.__before = true; return true").await;
        page.goto(&bridge.url("/#theme=light")).await;
        page.wait_for(
            "!window.__before && location.hash === '#theme=light' && window.web3270?.session",
            "the page reloaded with the new fragment",
        )
        .await;
        page.wait_screen("Password").await;
        assert_eq!(page.js(BACKGROUND).await, json!([0xff, 0xff, 0xff]), "light from the fragment");
        // The page around the terminal is light too.
        assert_eq!(
            page.js("return getComputedStyle(document.body).backgroundColor").await,
            "rgb(238, 240, 243)",
            "the page follows the light theme"
        );
        page.shot("fragment-light").await;
        let saved = page.js("return JSON.parse(localStorage.getItem('web3270.settings'))").await;
        assert_eq!(saved["theme"], "green", "the fragment is not saved");
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Authentication on: the page's sign-in (docs/SECURITY.md, "The page").

/// The password of [`SIGN_IN_USER`] in [`auth_config`]; never on a screen of ours.
const SIGN_IN_PASSWORD: &str = "Tulip-Harbor-7391";
const SIGN_IN_USER: &str = "alice";

/// The demo configuration with `authentication: {enabled: true, type: basic}` and one user
/// whose password is stored as a PBKDF2 hash (1000 iterations: cheap for a test) of
/// [`SIGN_IN_PASSWORD`], and tickets living `ticket_lifetime`.
fn auth_config(ticket_lifetime: Duration) -> Config {
    let mut config = config_with(vec![]);
    config.authentication.enabled = true;
    config.authentication.kind = AuthType::Basic;
    config.authentication.token_expire_seconds = ticket_lifetime;
    config.authentication.users = vec![BasicUser {
        name: SIGN_IN_USER.into(),
        password: Secret::new(
            "pbkdf2-sha256$1000$5eed0f1a2b3c4d5e6f708192a3b4c5d6$\
             d02847d3b75f89cd7ba80202125708f9b3e50d4e52ce217a1cd4d037f9bbe416",
        ),
    }];
    config
}

/// What the user sees of the sign-in form and around it.
const SIGN_IN_VIEW: &str = "const $ = (id) => document.getElementById(id); \
    const shown = (e) => !!e && e.getClientRects().length > 0; \
    return {form: shown($('login-form')), error: $('login-error').textContent, \
      focus: document.activeElement?.id ?? null, terminal: shown(document.querySelector('#screen canvas')), \
      keys: shown($('keys')), hosts: $('endpoint').options.length, session: !!window.web3270?.session, \
      user: shown($('user')) ? $('user').textContent : null, logout: shown($('logout'))}";

/// Whether any run of 64 hex digits (a ticket's shape) is in `text`.
fn has_ticket_shape(text: &str) -> bool {
    text.as_bytes()
        .split(|b| !b.is_ascii_hexdigit())
        .any(|run| run.len() >= 64)
}

/// With authentication on, the page asks for credentials before anything else: the form is
/// labelled and keyboard-operable; a wrong password is announced and shows no terminal; the
/// right one shows the demo host's logon screen (the host list fetched with the ticket, a
/// reconnect says hello with it too); the password is in no text, input, storage or URL of
/// the page, nor is a ticket stored; "Log out" returns to the form; ten failures lock this
/// address out and the form says when to retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_form_guards_the_page_when_authentication_is_on() {
    require_pkg();
    let dir = TestDir::new("browser_sign_in").unwrap();
    let bridge = Bridge::start(auth_config(Duration::from_secs(3600))).await;
    with_browser(&dir, |page| async move {
        page.goto(&bridge.url("/")).await;
        page.wait_for(
            "document.getElementById('login-form').getClientRects().length > 0 && \
             document.activeElement?.id === 'login-user'",
            "the sign-in form with the focus in the user name",
        )
        .await;
        page.shot("sign-in-form").await;
        assert_eq!(
            page.js(SIGN_IN_VIEW).await,
            json!({"form": true, "error": "", "focus": "login-user", "terminal": false,
                   "keys": false, "hosts": 0, "session": false, "user": null, "logout": false}),
            "only the form before signing in: no terminal, no host list"
        );
        // Labelled inputs with the autocomplete a password manager expects; an alert region.
        let form = page
            .js("const $ = (id) => document.getElementById(id); \
                 const label = (id) => document.querySelector(`label[for=${id}]`)?.textContent.trim(); \
                 return {user: [label('login-user'), $('login-user').autocomplete], \
                   password: [label('login-password'), $('login-password').autocomplete, $('login-password').type], \
                   alert: $('login-error').getAttribute('role')}")
            .await;
        assert_eq!(
            form,
            json!({"user": ["User name", "username"],
                   "password": ["Password", "current-password", "password"], "alert": "alert"})
        );

        // A wrong password, keyboard only: the error is announced, no terminal appears.
        page.keyboard(SIGN_IN_USER).await;
        page.keyboard(&char::from(Key::Tab).to_string()).await;
        page.keyboard("not-the-password").await;
        page.keyboard(&char::from(Key::Enter).to_string()).await;
        page.wait_for(
            "document.getElementById('login-error').textContent !== ''",
            "the error after a wrong password",
        )
        .await;
        page.shot("wrong-password").await;
        let view = page.js(SIGN_IN_VIEW).await;
        assert_eq!(view["error"], "The user name or password is incorrect.", "{view}");
        assert_eq!(view["terminal"], false, "{view}");
        assert_eq!(view["session"], false, "{view}");
        assert_eq!(view["hosts"], 0, "{view}");
        // The password field is emptied and has the focus again, marked invalid; the user name stays.
        assert_eq!(view["focus"], "login-password", "{view}");
        assert_eq!(
            page.js("const $ = (id) => document.getElementById(id); \
                     return [$('login-user').value, $('login-password').value, \
                             $('login-password').getAttribute('aria-invalid')]")
                .await,
            json!([SIGN_IN_USER, "", "true"])
        );

        // The right password: the demo host's logon screen, in the DOM mirror.
        page.keyboard(SIGN_IN_PASSWORD).await;
        page.keyboard(&char::from(Key::Enter).to_string()).await;
        page.wait_for(
            "window.web3270?.session?.state === 'connected' && \
             window.web3270.session.screenText().includes('Password')",
            "the demo logon screen after signing in",
        )
        .await;
        page.shot("signed-in").await;
        let mirror = page.mirror_text().await;
        assert!(mirror.contains("Password") && mirror.contains("PF3=Exit"), "{mirror}");
        let view = page.js(SIGN_IN_VIEW).await;
        assert_eq!(view["form"], false, "{view}");
        assert_eq!(view["terminal"], true, "{view}");
        assert_eq!(view["keys"], true, "{view}");
        assert_eq!(view["user"], "Signed in as alice", "{view}");
        assert_eq!(view["logout"], true, "{view}");
        assert_eq!(
            page.js("return document.activeElement.tagName").await,
            "CANVAS",
            "the terminal has the focus"
        );
        // The host list came from /api/v1/endpoints (401 without the ticket).
        assert_eq!(
            page.js("return [...document.getElementById('endpoint').options].map(o => o.value)")
                .await,
            json!(["demo"])
        );
        assert!(page.status().await.contains("demo"), "{}", page.status().await);

        // The password is nowhere in the page; no ticket is stored or in the URL.
        let everything = page
            .js("return [document.documentElement.outerHTML, document.body.innerText, \
                 [...document.querySelectorAll('input, textarea')].map(e => e.value).join(' '), \
                 window.web3270.session.screenText(), JSON.stringify(window.web3270.session.options), \
                 JSON.stringify({...localStorage}), JSON.stringify({...sessionStorage}), \
                 location.href].join('\\n')")
            .await;
        let everything = everything.as_str().unwrap();
        assert!(!everything.contains(SIGN_IN_PASSWORD), "the password is in the page");
        assert!(!page.mirror_text().await.contains(SIGN_IN_PASSWORD));
        let kept = page
            .js("return [JSON.stringify({...localStorage}), JSON.stringify({...sessionStorage}), \
                 location.href, JSON.stringify(window.web3270.session.options)].join('\\n')")
            .await;
        assert!(
            !has_ticket_shape(kept.as_str().unwrap()),
            "a ticket is stored or in the URL: {kept}"
        );

        // A dropped websocket: the page says hello again with the ticket and resumes.
        page.js("window.__firstSocket = window.web3270.session.socket; \
                 window.web3270.session.socket.close(); return true")
            .await;
        page.wait_for(
            "window.web3270.session.state === 'connected' && \
             window.web3270.session.socket !== window.__firstSocket",
            "connected again after the drop",
        )
        .await;
        page.wait_screen("PF3=Exit").await;

        // Log out: back to the form, nothing of the terminal left.
        page.click_id("logout").await;
        page.wait_for(
            "document.getElementById('login-form').getClientRects().length > 0",
            "the form after logging out",
        )
        .await;
        page.shot("signed-out").await;
        assert_eq!(
            page.js(SIGN_IN_VIEW).await,
            json!({"form": true, "error": "You have signed out.", "focus": "login-user",
                   "terminal": false, "keys": false, "hosts": 0, "session": false, "user": null,
                   "logout": false})
        );
        assert_eq!(
            page.js("return document.getElementById('screen').childElementCount").await,
            json!(0),
            "the terminal is gone"
        );

        // Ten wrong passwords from this address: the bridge locks it out (429) and the form
        // says when to try again, with the button disabled meanwhile.
        let mut attempts = 0;
        loop {
            attempts += 1;
            assert!(attempts <= 12, "no lockout after {attempts} attempts");
            page.js("const $ = (id) => document.getElementById(id); \
                     $('login-user').value = 'alice'; $('login-password').value = 'wrong'; \
                     $('login-form').requestSubmit(); return true")
                .await;
            page.wait_for(
                "document.getElementById('login-form').getAttribute('aria-busy') === 'false'",
                "the answer to a sign-in",
            )
            .await;
            let error = page
                .js("return document.getElementById('login-error').textContent")
                .await;
            if error.as_str().unwrap().starts_with("Too many") {
                break;
            }
        }
        assert_eq!(attempts, 11, "the 11th attempt meets the lockout");
        page.wait_for(
            "/^Too many failed sign-in attempts from this address\\. Try again in \\d+ s\\.$/ \
               .test(document.getElementById('login-error').textContent)",
            "the lockout message with its delay",
        )
        .await;
        page.shot("locked-out").await;
        assert_eq!(
            page.js("return document.getElementById('login-submit').disabled").await,
            json!(true)
        );
        // Even the right password is not sent meanwhile.
        page.js(&format!(
            "const $ = (id) => document.getElementById(id); $('login-user').value = 'alice'; \
             $('login-password').value = {}; $('login-form').requestSubmit(); return true",
            serde_json::to_string(SIGN_IN_PASSWORD).unwrap()
        ))
        .await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(page.js(SIGN_IN_VIEW).await["session"], false);
    })
    .await;
}

/// The ticket expires while the terminal is in use: the page hides the terminal and asks to
/// sign in again, the host session carrying on meanwhile; signing in again shows the same
/// screen, and a later reconnect says hello with the new ticket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_sign_in_locks_the_terminal_until_the_user_signs_in_again() {
    require_pkg();
    let dir = TestDir::new("browser_sign_in_expiry").unwrap();
    // The page locks 5 s before the bridge would refuse the ticket: 15 s after signing in.
    let bridge = Bridge::start(auth_config(Duration::from_secs(20))).await;
    with_browser(&dir, |page| async move {
        page.goto(&bridge.url("/")).await;
        page.wait_for(
            "document.activeElement?.id === 'login-user'",
            "the sign-in form",
        )
        .await;
        page.keyboard(&format!(
            "{SIGN_IN_USER}{}{SIGN_IN_PASSWORD}{}",
            char::from(Key::Tab),
            char::from(Key::Enter)
        ))
        .await;
        page.wait_screen("PF3=Exit").await;
        // Log on to the demo host's menu: a screen only this host session has.
        page.type_text("oper").await;
        page.key(Key::Tab).await;
        page.type_text("demo").await;
        page.key(Key::Enter).await;
        page.wait_screen("Option ===>").await;
        let menu = page.screen_text().await;
        page.js("window.__socket = window.web3270.session.socket; return true")
            .await;

        page.wait_for(
            "document.getElementById('login-error').textContent.includes('expired')",
            "the form again when the ticket expires",
        )
        .await;
        page.shot("expired").await;
        let view = page.js(SIGN_IN_VIEW).await;
        assert_eq!(
            view["error"], "Your sign-in has expired. Sign in again to continue.",
            "{view}"
        );
        assert_eq!(view["form"], true, "{view}");
        assert_eq!(view["terminal"], false, "the terminal is hidden: {view}");
        assert_eq!(view["keys"], false, "{view}");
        // The header says so and still offers to log out instead.
        assert_eq!(view["user"], "alice: sign-in expired", "{view}");
        assert_eq!(view["logout"], true, "{view}");
        // The user name is filled in; the focus waits in the password field.
        assert_eq!(view["focus"], "login-password", "{view}");
        assert_eq!(
            page.js("return document.getElementById('login-user').value")
                .await,
            json!(SIGN_IN_USER)
        );
        assert_eq!(
            page.js("return window.web3270.session.state").await,
            json!("connected"),
            "the host session goes on behind the form"
        );

        // Past the first ticket's lifetime at the bridge (20 s; the lock came at 15 s), so
        // that only the new ticket can open a websocket below.
        tokio::time::sleep(Duration::from_secs(6)).await;
        assert_eq!(
            page.js("return window.web3270.session.state").await,
            json!("connected")
        );
        page.keyboard(&format!("{SIGN_IN_PASSWORD}{}", char::from(Key::Enter)))
            .await;
        page.wait_for(
            "document.getElementById('login-form').getClientRects().length === 0",
            "the terminal back after signing in again",
        )
        .await;
        page.shot("signed-in-again").await;
        let view = page.js(SIGN_IN_VIEW).await;
        assert_eq!(view["terminal"], true, "{view}");
        assert_eq!(
            page.screen_text().await,
            menu,
            "the same host session, the same screen"
        );
        assert_eq!(
            page.js("return window.web3270.session.socket === window.__socket")
                .await,
            json!(true),
            "the websocket stayed open"
        );
        // A drop now: the hello carries the new ticket (the first would be refused) and the
        // session resumes.
        page.js("window.web3270.session.socket.close(); return true")
            .await;
        page.wait_for(
            "window.web3270.session.state === 'connected' && \
             window.web3270.session.socket !== window.__socket",
            "resumed on a new websocket",
        )
        .await;
        page.wait_screen("Option ===>").await;
        assert_eq!(page.screen_text().await, menu);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// How the assets are served (no browser).

/// A raw HTTP/1.1 GET: (status, headers lower-cased, body).
async fn http_get(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    http_request("GET", addr, path, headers).await
}

/// A raw HTTP/1.1 request without a body: (status, headers lower-cased, body).
async fn http_request(
    method: &str,
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n"
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(WAIT, s.read_to_end(&mut raw))
        .await
        .unwrap()
        .unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect::<Vec<_>>();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v == "chunked")
    {
        body = dechunk(&body);
    }
    (status, headers, body)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let nl = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + size]);
        b = &b[nl + 2 + size + 2..];
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `/`, the module, the wasm: content types, no-cache + ETag answered 304, gzip when accepted,
/// CSP frame-ancestors; embed.html carries the allowed origins; CORS only for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_are_served_with_types_caching_compression_and_embed_policy() {
    require_pkg();
    let mut config = config_with(vec![]);
    config.server.embed_allowed_origins = vec!["http://portal.example:8081".into()];
    let bridge = Bridge::start(config).await;

    let (status, h, body) = http_get(bridge.addr, "/", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(
        header(&h, "content-security-policy"),
        Some("frame-ancestors 'self'")
    );
    assert!(String::from_utf8_lossy(&body).contains("static/app.js"));

    let (status, h, wasm) = http_get(bridge.addr, "/static/pkg/web_client_bg.wasm", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-type"), Some("application/wasm"));
    assert_eq!(header(&h, "cache-control"), Some("no-cache"));
    assert!(wasm.starts_with(b"\0asm"), "a wasm module");
    let etag = header(&h, "etag").unwrap().to_string();
    assert!(etag.starts_with("W/\""), "{etag}");
    let (status, _, body) = http_get(
        bridge.addr,
        "/static/pkg/web_client_bg.wasm",
        &[("If-None-Match", &etag)],
    )
    .await;
    assert_eq!(status, 304);
    assert!(body.is_empty());
    let (status, h, gz) = http_get(
        bridge.addr,
        "/static/pkg/web_client_bg.wasm",
        &[("Accept-Encoding", "gzip")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-encoding"), Some("gzip"));
    assert!(
        gz.len() < wasm.len() / 2,
        "gzip {} of {}",
        gz.len(),
        wasm.len()
    );

    let (_, h, _) = http_get(bridge.addr, "/static/web3270.js", &[]).await;
    assert_eq!(
        header(&h, "content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(header(&h, "access-control-allow-origin"), None);
    let (_, h, _) = http_get(
        bridge.addr,
        "/static/web3270.js",
        &[("Origin", "http://portal.example:8081")],
    )
    .await;
    assert_eq!(
        header(&h, "access-control-allow-origin"),
        Some("http://portal.example:8081")
    );
    let (_, h, _) = http_get(
        bridge.addr,
        "/static/web3270.js",
        &[("Origin", "http://evil.example")],
    )
    .await;
    assert_eq!(header(&h, "access-control-allow-origin"), None);

    let (status, h, body) = http_get(bridge.addr, "/static/embed.html", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        header(&h, "content-security-policy"),
        Some("frame-ancestors 'self' http://portal.example:8081")
    );
    assert!(String::from_utf8_lossy(&body)
        .contains("content=\"http://portal.example:8081\" data-origins"));

    let (status, _, _) = http_get(bridge.addr, "/static/../Cargo.toml", &[]).await;
    assert_eq!(status, 404);
    let (status, _, _) = http_get(bridge.addr, "/static/nope.js", &[]).await;
    assert_eq!(status, 404);
}

/// The iframe talks only to allowed parents: a parent page on another origin (a second
/// loopback port, listed in `server.embed_allowed_origins`) drives the frame through
/// postMessage and imports the module cross-origin; the same parent served from an origin
/// that is not listed cannot frame it (CSP frame-ancestors), gets no message, and cannot
/// import the module (no CORS).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iframe_embedding_obeys_the_origin_allow_list() {
    require_pkg();
    let dir = TestDir::new("browser_iframe").unwrap();
    // Two portal servers for the same test page: one allowed origin, one not.
    let allowed = portal_server().await;
    let other = portal_server().await;
    let mut config = config_with(vec![]);
    config.server.embed_allowed_origins = vec![format!("http://127.0.0.1:{}", allowed.port())];
    let bridge = Bridge::start(config).await;
    let frame_url = bridge.url("/static/embed.html#endpoint=demo");
    with_browser(&dir, |page| async move {
        page.goto(&format!("http://127.0.0.1:{}/?frame={}", allowed.port(), urlencode(&frame_url)))
            .await;
        page.wait_for("window.messages.some(m => m.type === 'ready')", "the frame's ready").await;
        page.wait_for(
            "window.messages.some(m => m.type === 'event' && m.name === 'screen' && m.detail.text.includes('Password'))",
            "the logon screen reported to the parent",
        )
        .await;
        page.js("send({type: 'sendKeys', id: 7, keys: 'guest{TAB}demo{ENTER}'}); return true").await;
        page.wait_for(
            "window.messages.some(m => m.type === 'event' && m.name === 'screen' && m.detail.text.includes('Option ===>'))",
            "the menu after sendKeys",
        )
        .await;
        page.wait_for("window.messages.some(m => m.type === 'result' && m.id === 7)", "the result").await;
        // The module mounted in the portal page itself reaches the same bridge.
        page.wait_for(
            "window.portalSession && window.portalSession.screenText().includes('Password')",
            "the module's terminal in the portal",
        )
        .await;
        page.shot("iframe-allowed").await;
        // The same page from an origin that is not on the list: the frame never loads.
        page.goto(&format!("http://127.0.0.1:{}/?frame={}", other.port(), urlencode(&frame_url)))
            .await;
        // Asking does not help either: no answer reaches this origin.
        page.js("setTimeout(() => send({type: 'screenText', id: 1}), 1000); return true").await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(
            page.js("return window.messages.length").await,
            json!(0),
            "a frame under a foreign origin must not talk"
        );
        // …and cannot import the module (no CORS for it).
        page.wait_for("window.portalError !== undefined", "the refused import").await;
        assert_eq!(page.js("return !!window.portalSession").await, json!(false));
        page.shot("iframe-refused").await;
    })
    .await;
}

/// With authentication on, the iframe asks its parent for a ticket (`auth-required`) and
/// connects once the parent posts one (the portal's backend got it from the bridge; here the
/// test does); the module mounted in the portal without a ticket is refused and stops
/// (`unauthorized`, no reconnect loop).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iframe_takes_a_ticket_from_its_parent_when_authentication_is_on() {
    require_pkg();
    let dir = TestDir::new("browser_iframe_ticket").unwrap();
    let portal = portal_server().await;
    let mut config = auth_config(Duration::from_secs(3600));
    config.server.embed_allowed_origins = vec![format!("http://127.0.0.1:{}", portal.port())];
    let bridge = Bridge::start(config).await;
    let frame_url = bridge.url("/static/embed.html#endpoint=demo");
    let addr = bridge.addr;
    with_browser(&dir, |page| async move {
        page.goto(&format!("http://127.0.0.1:{}/?frame={}", portal.port(), urlencode(&frame_url)))
            .await;
        page.wait_for(
            "window.messages.some(m => m.type === 'event' && m.name === 'auth-required'                && m.detail.reason === 'missing' && m.detail.type === 'basic')",
            "the frame asking for a ticket",
        )
        .await;
        page.shot("frame-waits-for-a-ticket").await;
        assert_eq!(
            page.js("return window.messages.some(m => m.name === 'screen' || m.name === 'connect')")
                .await,
            json!(false),
            "no session without a ticket"
        );
        // The portal's backend: POST /api/v1/auth/ticket with the user's credentials.
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("{SIGN_IN_USER}:{SIGN_IN_PASSWORD}"));
        let (status, _, body) = http_request(
            "POST",
            addr,
            "/api/v1/auth/ticket",
            &[("Authorization", &format!("Basic {basic}"))],
        )
        .await;
        assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
        let issued: Value = serde_json::from_slice(&body).unwrap();
        page.js(&format!(
            "send({{type: 'ticket', id: 3, ticket: {{ticket: {}, expiresIn: {}}}}}); return true",
            issued["ticket"],
            issued["expires_in"]
        ))
        .await;
        page.wait_for("window.messages.some(m => m.type === 'result' && m.id === 3 && m.value === null)", "the ticket accepted").await;
        page.wait_for(
            "window.messages.some(m => m.type === 'event' && m.name === 'screen' && m.detail.text.includes('Password'))",
            "the logon screen once the ticket arrived",
        )
        .await;
        // The module in the portal page had no ticket: refused once, then it waits.
        page.wait_for(
            "window.portalSession?.state === 'unauthorized'",
            "the portal's own terminal refused",
        )
        .await;
        page.shot("frame-signed-in").await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(
            page.js("return window.portalSession.state").await,
            json!("unauthorized"),
            "no reconnect loop after UNAUTHORIZED"
        );
    })
    .await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The portal page of the iframe test: frames `?frame=URL`, records every message from it in
/// `window.messages`, and `send(msg)` posts to it (to the frame's origin only).
const PORTAL_PAGE: &str = r#"<!doctype html><meta charset="utf-8"><title>portal</title>
<iframe id="f" style="width:900px;height:500px"></iframe>
<script>
  const url = new URL(new URLSearchParams(location.search).get('frame'));
  window.messages = [];
  window.addEventListener('message', (e) => { if (e.origin === url.origin) window.messages.push(e.data); });
  window.send = (m) => document.getElementById('f').contentWindow.postMessage({web3270: 1, ...m}, url.origin);
  document.getElementById('f').src = url.href;
  // The module too, imported cross-origin from the bridge (CORS for allowed origins only).
  const bridge = new URL('/', url).href;
  window.portal = import(bridge + 'static/web3270.js')
    .then((m) => m.mount(document.getElementById('m'), {bridgeUrl: bridge, endpoint: 'demo', storageKey: 'portal', autoConnect: true}))
    .then((s) => { window.portalSession = s; return 'mounted'; }, (e) => { window.portalError = String(e); return 'failed'; });
</script>
<div id="m" style="width:900px;height:500px"></div>"#;

/// A one-page HTTP server on a free loopback port serving [`PORTAL_PAGE`].
struct Portal {
    addr: SocketAddr,
}

impl Portal {
    fn port(&self) -> u16 {
        self.addr.port()
    }
}

async fn portal_server() -> Portal {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let _ = s.read(&mut buf).await;
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                    PORTAL_PAGE.len(),
                    PORTAL_PAGE
                );
                let _ = s.write_all(resp.as_bytes()).await;
                let _ = s.flush().await;
            });
        }
    });
    Portal { addr }
}
