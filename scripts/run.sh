#!/usr/bin/env bash
# web3270's run command (README: `bash scripts/run.sh`): builds everything in release mode and
# starts the bridge, serving the web terminal on http://127.0.0.1:8080.
#
#   bash scripts/run.sh                      # defaults: page/API on 127.0.0.1:8080
#   bash scripts/run.sh --config server.yaml # extra arguments go to `web3270 serve`
#
# Environment (see docs and CONFIG.md): WEB3270_API_PORT (8080), WEB3270_BIND_ADDRESS
# (127.0.0.1 here: this script is for local use), WEB3270_PORT (3270, the TN3270 port).
set -euo pipefail
cd "$(dirname "$0")/.."
export WEB3270_BIND_ADDRESS=${WEB3270_BIND_ADDRESS:-127.0.0.1}
export WEB3270_API_PORT=${WEB3270_API_PORT:-8080}

echo "==== building (release) ===="
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
# The browser terminal: wasm, then its JS glue into static/pkg (served at /static/pkg). The
# wasm-bindgen CLI must equal the crate version pinned in web-client/Cargo.toml.
WASM_BINDGEN_VERSION=0.2.129
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked
fi
cargo build --release -p web-client --target wasm32-unknown-unknown
wasm-bindgen --target web --out-dir static/pkg \
  target/wasm32-unknown-unknown/release/web_client.wasm
cargo build --release -p bridge

BIN=target/release/web3270
echo "==== web3270 serve on http://$WEB3270_BIND_ADDRESS:$WEB3270_API_PORT ===="
export WEB3270_STATIC_DIR=${WEB3270_STATIC_DIR:-$PWD/static}
exec "$BIN" serve "$@"
