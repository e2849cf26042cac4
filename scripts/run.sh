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
# The browser terminal into static/pkg (wasm, JS glue, wasm-opt -Oz; prints its size), then
# the bridge, which embeds index.html and static/ (static/pkg included) into the binary.
bash scripts/build-web.sh
cargo build --release -p bridge

BIN=target/release/web3270
echo "==== web3270 serve on http://$WEB3270_BIND_ADDRESS:$WEB3270_API_PORT ===="
# The binary serves its embedded page; WEB3270_STATIC_DIR=$PWD/static serves static/ from disk
# instead (editing the page without rebuilding).
exec "$BIN" serve "$@"
