#!/usr/bin/env bash
# Builds the browser terminal into static/pkg (served at /static/pkg, embedded into the release
# `web3270` binary): the web-client wasm in release mode, its JS glue (wasm-bindgen), then
# `wasm-opt -Oz` (npm binaryen). Prints the raw and gzipped sizes (docs/PERFORMANCE.md).
# Used by scripts/run.sh and scripts/test.sh; idempotent, installs only what is missing:
# - the wasm32 target; wasm-bindgen-cli at the version pinned in web-client/Cargo.toml;
# - nodejs + npm from Debian when absent; binaryen from npm into target/npm-tools (repo-local,
#   ignored by git). Never Debian's binaryen: its 108 breaks wasm-bindgen output (TOOLCHAIN.md).
# WEB3270_SKIP_WASM_OPT=1 skips wasm-opt (a bigger but working wasm).
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.129   # = the `wasm-bindgen = "=0.2.129"` pin in web-client/Cargo.toml
BINARYEN_VERSION=132.0.0
NPM_TOOLS=target/npm-tools
OUT=static/pkg
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked
fi

WASM_OPT="$NPM_TOOLS/node_modules/.bin/wasm-opt"
if [ "${WEB3270_SKIP_WASM_OPT:-0}" != 1 ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "installing nodejs and npm (Debian) for wasm-opt"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends nodejs npm </dev/null
  fi
  if [ "$("$WASM_OPT" --version 2>/dev/null | grep -o 'version [0-9]*' | cut -d' ' -f2)" != "${BINARYEN_VERSION%%.*}" ]; then
    mkdir -p "$NPM_TOOLS"
    npm install --prefix "$NPM_TOOLS" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION"
  fi
fi

# Small and fast: optimise for size, one codegen unit, LTO (env vars: the workspace's release
# profile stays as it is for the bridge).
CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  cargo build --release -p web-client --target wasm32-unknown-unknown
wasm-bindgen --target web --out-dir "$OUT" "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/web_client.wasm"
if [ "${WEB3270_SKIP_WASM_OPT:-0}" != 1 ]; then
  # Feature flags: what current rustc emits for wasm32 (TOOLCHAIN.md).
  "$WASM_OPT" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$OUT/web_client_bg.wasm.opt" "$OUT/web_client_bg.wasm"
  mv "$OUT/web_client_bg.wasm.opt" "$OUT/web_client_bg.wasm"
fi

size() { wc -c <"$1" | tr -d ' '; }
gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
total_raw=0 total_gz=0
for f in "$OUT/web_client_bg.wasm" "$OUT/web_client.js" static/web3270.js static/app.js; do
  r=$(size "$f") g=$(gz "$f")
  total_raw=$((total_raw + r)) total_gz=$((total_gz + g))
  printf '%-28s %9s B raw %9s B gzip -9\n' "$f" "$r" "$g"
done
printf '%-28s %9s B raw %9s B gzip -9 (target <= 200 KB gzipped)\n' "total" "$total_raw" "$total_gz"
