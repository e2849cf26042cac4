//! The web terminal's files: `/` (the page, `index.html`), `/static/*` (the page's JS and CSS,
//! the embed module `web3270.js`, the iframe page `embed.html`, and the built wasm + JS glue in
//! `static/pkg`).
//!
//! Where the files come from:
//! - **release builds** embed `index.html` and the whole `static/` tree, `static/pkg` included
//!   (rust-embed), so the `web3270` binary alone serves the terminal. `scripts/run.sh` builds
//!   `static/pkg` before `cargo build --release`;
//! - **debug builds** read the same files from the source tree at request time (rust-embed's
//!   debug mode), so a rebuilt `static/pkg` is served without recompiling the bridge;
//! - `WEB3270_STATIC_DIR` overrides both for `/static/*` (and `index.html` next to it, when
//!   present): development against another checkout.
//!
//! When `static/pkg` is missing the page still loads and says how to build the terminal
//! (`static/web3270.js` catches the failed import); startup logs a warning.
//!
//! Headers (RFC 9110/9111): a `Content-Type` from the file extension (`application/wasm` for
//! the wasm, which `WebAssembly.instantiateStreaming` requires); `Cache-Control: no-cache` with a
//! weak `ETag` (SHA-256 of the content), answered `304` on `If-None-Match` (file names are not
//! hashed, so browsers revalidate instead of guessing); gzip or brotli when the browser accepts
//! it (tower-http compression).
//!
//! Embedding (docs/EMBEDDING.md): the page and everything else may be framed by the bridge's
//! own origin only (`Content-Security-Policy: frame-ancestors 'self'`); `embed.html` also by the
//! origins of `server.embed_allowed_origins`, which are written into the frame's
//! `<meta name="web3270-embed-origins">` so its `postMessage` bridge talks to those parents only.
//! Requests for `/static/*` from an allowed origin get `Access-Control-Allow-Origin` so a portal
//! page may `import` the module cross-origin.
//!
//! Not here: the websocket (`crate::ws`) and the `/api/v1` routes (`super::http`).

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::compression::{CompressionLayer, CompressionLevel};

use super::AppState;

/// The page, compiled in (it is small and changes with the bridge).
const INDEX_HTML: &str = include_str!("../../../index.html");

/// The iframe page's file name under `/static`.
const EMBED_PAGE: &str = "embed.html";

/// The placeholder in `embed.html` replaced with the allowed parent origins.
const ORIGINS_PLACEHOLDER: &str = "content=\"\" data-origins";

/// The wasm glue the page imports; its absence is logged at startup.
const PKG_GLUE: &str = "pkg/web_client.js";

/// Compression level for gzip and brotli: level 5 compresses the wasm to within a few per
/// cent of the best at a fraction of the CPU time of the maximum (brotli 11).
const COMPRESSION_LEVEL: i32 = 5;

/// Longest accepted origin in `server.embed_allowed_origins`.
const MAX_ORIGIN_LEN: usize = 256;

/// `static/`, embedded in release builds, read from the source tree in debug builds.
#[derive(rust_embed::RustEmbed)]
#[folder = "../static"]
struct Static;

/// One file to send: its bytes and its SHA-256.
struct Asset {
    bytes: Cow<'static, [u8]>,
    etag: String,
}

/// The routes for `/`, `/index.html` and `/static/*`, compressed.
pub fn router(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    if state.static_dir.is_none() && Static::get(PKG_GLUE).is_none() {
        tracing::warn!(
            "static/pkg is missing: the page loads but cannot start the terminal; \
             build it with `bash scripts/run.sh` (docs/WEB-CLIENT.md)"
        );
    }
    for bad in state
        .config
        .server
        .embed_allowed_origins
        .iter()
        .filter(|o| !is_origin(o))
    {
        tracing::warn!(origin = %bad, "ignoring server.embed_allowed_origins entry: not scheme://host[:port]");
    }
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/static/{*path}", get(static_file))
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(COMPRESSION_LEVEL)))
}

/// True for `http(s)://host[:port]` with nothing after it (how browsers spell an origin).
pub fn is_origin(o: &str) -> bool {
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"));
    match rest {
        Some(host) => {
            o.len() <= MAX_ORIGIN_LEN
                && !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        }
        None => false,
    }
}

/// The allowed embedding origins that are well formed.
fn allowed_origins(state: &AppState) -> impl Iterator<Item = &str> {
    state
        .config
        .server
        .embed_allowed_origins
        .iter()
        .map(String::as_str)
        .filter(|o| is_origin(o))
}

async fn index(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let from_dir = state
        .static_dir
        .as_deref()
        .and_then(Path::parent)
        .and_then(|p| std::fs::read(p.join("index.html")).ok());
    let asset = match from_dir {
        Some(bytes) => Asset::new(Cow::Owned(bytes)),
        None => Asset::new(Cow::Borrowed(INDEX_HTML.as_bytes())),
    };
    respond(
        asset,
        "index.html",
        &headers,
        "frame-ancestors 'self'",
        None,
    )
}

async fn static_file(
    State(state): State<Arc<AppState>>,
    UrlPath(path): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let Some(asset) = load(&state, &path) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, "no-cache")],
            format!("no such file: /static/{path}"),
        )
            .into_response();
    };
    let origins: Vec<&str> = allowed_origins(&state).collect();
    let (asset, csp) = if path == EMBED_PAGE {
        let mut csp = String::from("frame-ancestors 'self'");
        for o in &origins {
            csp.push(' ');
            csp.push_str(o);
        }
        (with_origins(asset, &origins), csp)
    } else {
        (asset, "frame-ancestors 'self'".to_string())
    };
    // CORS for module imports from an allowed portal (the Origin must match exactly).
    let cors = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| origins.contains(o))
        .and_then(|o| HeaderValue::from_str(o).ok());
    respond(asset, &path, &headers, &csp, cors)
}

/// The file `path` under `/static`: from `WEB3270_STATIC_DIR` when set, else the embedded tree.
fn load(state: &AppState, path: &str) -> Option<Asset> {
    match &state.static_dir {
        Some(dir) => {
            let file = safe_join(dir, path)?;
            std::fs::read(file).ok().map(|b| Asset::new(Cow::Owned(b)))
        }
        None => Static::get(path).map(|f| Asset {
            etag: hex_etag(&f.metadata.sha256_hash()),
            bytes: f.data,
        }),
    }
}

/// `dir/path` when `path` has only normal components (no `..`, no root): requests never leave
/// the directory.
fn safe_join(dir: &Path, path: &str) -> Option<PathBuf> {
    let rel = Path::new(path);
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| dir.join(rel))
}

/// `embed.html` with the allowed origins in its placeholder meta tag.
fn with_origins(asset: Asset, origins: &[&str]) -> Asset {
    let text = String::from_utf8_lossy(&asset.bytes);
    // Origins are checked by `is_origin`: no quotes or markup can reach the attribute.
    let filled = text.replacen(
        ORIGINS_PLACEHOLDER,
        &format!("content=\"{}\" data-origins", origins.join(" ")),
        1,
    );
    Asset::new(Cow::Owned(filled.into_bytes()))
}

impl Asset {
    fn new(bytes: Cow<'static, [u8]>) -> Asset {
        let digest = ring::digest::digest(&ring::digest::SHA256, &bytes);
        let etag = hex_etag(digest.as_ref());
        Asset { bytes, etag }
    }
}

/// A weak entity tag from a digest (weak: the same tag for the gzip and brotli encodings).
fn hex_etag(digest: &[u8]) -> String {
    let mut s = String::with_capacity(4 + 2 * digest.len());
    s.push_str("W/\"");
    for b in digest.iter().take(16) {
        s.push_str(&format!("{b:02x}"));
    }
    s.push('"');
    s
}

/// The response for one file: 304 when the browser's copy is current, else the bytes.
fn respond(
    asset: Asset,
    path: &str,
    request: &HeaderMap,
    csp: &str,
    cors: Option<HeaderValue>,
) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    headers.insert(
        header::HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    if let Ok(v) = HeaderValue::from_str(&asset.etag) {
        headers.insert(header::ETAG, v);
    }
    if let Some(origin) = cors {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim() == asset.etag || t.trim() == "*")
        });
    if fresh {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (headers, asset.bytes.into_owned()).into_response()
}

/// The media type for a file name (the extensions `static/` holds; others are bytes).
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("pkg/web_client_bg.wasm"), "application/wasm");
        assert_eq!(content_type("web3270.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("embed.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("README"), "application/octet-stream");
    }

    #[test]
    fn origins_are_scheme_host_port_only() {
        assert!(is_origin("https://portal.example.com"));
        assert!(is_origin("http://127.0.0.1:8081"));
        assert!(!is_origin("https://portal.example.com/path"));
        assert!(!is_origin("portal.example.com"));
        assert!(!is_origin("https://a\" onload=\"x"));
        assert!(!is_origin("https://"));
        assert!(!is_origin("*"));
    }

    #[test]
    fn paths_never_leave_the_directory() {
        let dir = Path::new("/srv/static");
        assert_eq!(
            safe_join(dir, "pkg/web_client.js"),
            Some(PathBuf::from("/srv/static/pkg/web_client.js"))
        );
        assert_eq!(safe_join(dir, "../secret"), None);
        assert_eq!(safe_join(dir, "/etc/passwd"), None);
        assert_eq!(safe_join(dir, "pkg/../../x"), None);
    }

    #[test]
    fn embed_page_gets_the_origins_in_its_meta_tag() {
        let page = Asset::new(Cow::Borrowed(
            b"<meta name=\"web3270-embed-origins\" content=\"\" data-origins>",
        ));
        let out = with_origins(page, &["https://a.example", "http://b.example:81"]);
        assert_eq!(
            String::from_utf8_lossy(&out.bytes),
            "<meta name=\"web3270-embed-origins\" content=\"https://a.example http://b.example:81\" data-origins>"
        );
    }

    #[test]
    fn etags_are_weak_and_match_if_none_match() {
        let a = Asset::new(Cow::Borrowed(b"abc"));
        // SHA-256("abc") starts ba7816bf...
        assert!(a.etag.starts_with("W/\"ba7816bf"), "{}", a.etag);
        let mut req = HeaderMap::new();
        req.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&a.etag).unwrap(),
        );
        let r = respond(a, "x.js", &req, "frame-ancestors 'self'", None);
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    }
}
