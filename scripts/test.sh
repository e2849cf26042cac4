#!/usr/bin/env bash
# web3270's test command (README: `bash scripts/test.sh`; CI: .ci/run calls it).
#
# 1. Installs what is missing, idempotently (a second run skips all of it in about a second):
#    Debian packages (the peers), the wasm32 Rust target, and a Python venv at .venv with the
#    Python peers pinned in tests/hosts/requirements.txt.
# 2. Runs: cargo fmt --check, clippy -D warnings, the wasm build of the protocol core, the
#    fuzz-corpus replay (hook), and last cargo test --workspace (with .venv/bin on PATH so the
#    tests find mfmock), ending with cargo's summaries and one "passed, failed" total line.
#
# Works as root with no stdin (CI=true) on a fresh Debian 12 machine; exits non-zero on the
# first failure. Set WEB3270_SKIP_INSTALL=1 to skip step 1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# ---------------------------------------------------------------------------------------------
# What to install. Adding a Debian package is one line here.
APT_PACKAGES=(
  s3270          # the oracle client (x3270 suite)
  hercules       # a real host: the emulator's TN3270 console server
  openssl        # self-signed certificates for TLS tests
  python3-venv   # venvs for Debian's python3, when no python3.12+ exists
  chromium chromium-driver   # web-client browser tests (wasm-bindgen-test-runner drives them)
                             # and the end-to-end page tests (bridge/tests/browser_e2e.rs)
  poppler-utils  # pdftotext: the e2e test reads the printed screen (a PDF) back
  # chromium chromium-driver nginx   # later issues
)
RUST_TARGETS=(wasm32-unknown-unknown)
RUST_COMPONENTS=(rustfmt clippy)
PY_REQUIREMENTS=tests/hosts/requirements.txt
VENV=.venv
# ---------------------------------------------------------------------------------------------

export DEBIAN_FRONTEND=noninteractive PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
T0=$(date +%s)
section() { printf '\n==== %s ====  (+%ss)\n' "$*" "$(( $(date +%s) - T0 ))"; }
fail() { printf '\n==== FAILED: %s ====\n' "$*" >&2; exit 1; }
run_step() { # run_step NAME CMD...: runs CMD under a section header, names the step on failure
  local name=$1; shift
  section "$name"
  "$@" || fail "$name"
}
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_apt() {
  local missing=() pkg wanted=("${APT_PACKAGES[@]}")
  # npm runs wasm-opt from the npm package binaryen (scripts/build-web.sh). Debian's nodejs and
  # npm only when no npm is on PATH: a Node.js from elsewhere (e.g. NodeSource's, which bundles
  # npm) conflicts with Debian's npm package.
  command -v npm >/dev/null 2>&1 || wanted+=(nodejs npm)
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then echo "Debian packages present: ${wanted[*]}"; return; fi
  echo "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
}

install_rust() {
  local installed t c
  installed=$(rustup target list --installed)
  for t in "${RUST_TARGETS[@]}"; do
    grep -qx "$t" <<<"$installed" || rustup target add "$t"
  done
  installed=$(rustup component list --installed)
  for c in "${RUST_COMPONENTS[@]}"; do
    grep -q "^$c" <<<"$installed" || rustup component add "$c"
  done
  echo "Rust targets: ${RUST_TARGETS[*]}; components: ${RUST_COMPONENTS[*]}"
}

is_py312() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

# Prints the best Python for the venv: a python3.12+ (PATH, then pyenv's versions), else python3.
find_python() {
  local c candidates=(python3.13 python3.12)
  local pyroot=${PYENV_ROOT:-$HOME/.pyenv}
  command -v pyenv >/dev/null 2>&1 && pyroot=$(pyenv root 2>/dev/null || echo "$pyroot")
  # pyenv's installed versions, newest first (shims fail for versions that are not selected).
  if [ -d "$pyroot/versions" ]; then
    while IFS= read -r c; do candidates+=("$c"); done < <(
      ls -d "$pyroot"/versions/3.* 2>/dev/null | sort -rV | sed 's|$|/bin/python3|')
  fi
  for c in "${candidates[@]}"; do
    c=$(command -v "$c" 2>/dev/null) || continue
    if is_py312 "$c"; then echo "$c"; return; fi
  done
  command -v python3
}

install_venv() {
  local stamp="$VENV/.web3270-stamp" want python extra=()
  want="$(sha256sum "$PY_REQUIREMENTS" | cut -c1-64)"
  if [ -x "$VENV/bin/mfmock" ] && [ -x "$VENV/bin/python3" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    echo "Python venv $VENV up to date ($("$VENV/bin/python3" --version))"
    return
  fi
  python=$(find_python)
  echo "creating $VENV with $python ($("$python" --version 2>&1))"
  rm -rf "$VENV"
  "$python" -m venv "$VENV"
  is_py312 "$VENV/bin/python3" || extra=(--ignore-requires-python)
  "$VENV/bin/python3" -m pip install -q "${extra[@]}" -r "$PY_REQUIREMENTS"
  echo "$want" >"$stamp"
  "$VENV/bin/mfmock" --version
}

if [ "${WEB3270_SKIP_INSTALL:-0}" != 1 ]; then
  run_step "install: Debian packages" install_apt
  run_step "install: Rust targets and components" install_rust
  run_step "install: Python venv ($VENV)" install_venv
fi
export PATH="$ROOT/$VENV/bin:$PATH"

run_step "cargo fmt --all --check" cargo fmt --all --check
run_step "cargo clippy --workspace --all-targets -- -D warnings" \
  cargo clippy --workspace --all-targets --quiet -- -D warnings
run_step "cargo build -p tn3270 -p web-client --target wasm32-unknown-unknown" \
  cargo build -p tn3270 -p web-client --target wasm32-unknown-unknown --quiet
run_step "code page tables are what the generator makes (tools/codepages/gen.py --check)" \
  python3 tools/codepages/gen.py --check

# ---- web-client: browser tests (owner: web-client; docs/WEB-CLIENT.md) ------------------------
# wasm-bindgen-test runs web-client/tests/browser.rs in headless Chromium through chromedriver
# (.cargo/config.toml names the runner; web-client/webdriver.json adds Chromium flags). The CLI
# version must equal the `wasm-bindgen` crate pinned in web-client/Cargo.toml.
WASM_BINDGEN_VERSION=0.2.129
install_wasm_bindgen() {
  if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ] &&
     [ "$(wasm-bindgen-test-runner --version 2>/dev/null)" = "wasm-bindgen-test-runner $WASM_BINDGEN_VERSION" ]; then
    echo "wasm-bindgen-cli $WASM_BINDGEN_VERSION present"; return
  fi
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked
}
if [ "${WEB3270_SKIP_INSTALL:-0}" != 1 ]; then
  run_step "install: wasm-bindgen-cli $WASM_BINDGEN_VERSION" install_wasm_bindgen
fi
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-60}
export WASM_BINDGEN_TEST_DRIVER_TIMEOUT=${WASM_BINDGEN_TEST_DRIVER_TIMEOUT:-30}
run_step "web-client browser tests (headless Chromium)" \
  cargo test -p web-client --target wasm32-unknown-unknown
# ---- end web-client ---------------------------------------------------------------------------

# ---- the page end to end (owner: e2e; docs/EMBEDDING.md, docs/WEB-CLIENT.md) -------------------
# bridge/tests/browser_e2e.rs loads the page from `web3270 serve` in headless Chromium
# (chromedriver, CHROMEDRIVER above) and needs the optimised wasm in static/pkg: build it here
# (wasm-opt from npm binaryen into target/npm-tools, installed when missing).
run_step "build the web terminal into static/pkg (scripts/build-web.sh)" bash scripts/build-web.sh
# ---- end page end to end ----------------------------------------------------------------------

# ---- fuzz-corpus replay ------------------------------------------------------------------------
# Every input of fuzz/corpus/*/ through its parser (no fuzzing engine, a plain test binary on
# stable); fails on a panic or a broken invariant. docs/FUZZING.md says how to fuzz for real.
run_step "fuzz corpus replay (every fuzz/corpus input through its parser, on stable)" \
  bash scripts/fuzz-replay.sh
# -----------------------------------------------------------------------------------------------

section "cargo test --workspace"
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
set +e
cargo test --workspace --no-fail-fast 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e
# One total over every test binary (the plain closing line CI reads in any language).
awk '/^test result: /{ for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "\n==== cargo test --workspace done (+'"$(( $(date +%s) - T0 ))"'s) ====\ntotal: %d passed, %d failed, %d skipped\n", p, f, s }' "$LOG"
[ "$status" -eq 0 ] || fail "cargo test --workspace"
