#!/usr/bin/env bash
# The bridge load benchmark (docs/PERFORMANCE.md, "Bridge load (web3270-load)"): builds the
# release `web3270` and `web3270-load`, then runs the two standard runs on loopback, each
# bounded in sessions and time (--timeout):
#   1. 1,000 idle sessions, then 100 and 1,000 of them active;
#   2. 10,000 idle sessions, then 1,000 of them active.
# Reports (text on stdout, JSON) go to target/bench-load/.
#
#   bash scripts/bench-load.sh              # both runs
#   bash scripts/bench-load.sh --nice -10   # extra arguments go to every `web3270-load run`
#
# The 10,000-session run needs an open files hard limit of about 20,100 (the bridge holds two
# sockets per session); `web3270-load` raises it where it may (CAP_SYS_RESOURCE), else it warns
# and the bridge stops near limit / 2 sessions.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==== building (release) ===="
nice cargo build --release -p bridge -p web3270-loadbench

OUT=target/bench-load
mkdir -p "$OUT"
LOAD=target/release/web3270-load
BRIDGE=target/release/web3270

echo "==== 1,000 idle, 100 and 1,000 active ===="
"$LOAD" run --bridge "$BRIDGE" --idle 1000 --active 100,1000 --seconds 10 --timeout 600 \
  --json "$OUT/idle-1000.json" "$@" | tee "$OUT/idle-1000.txt"

echo "==== 10,000 idle, 1,000 active ===="
"$LOAD" run --bridge "$BRIDGE" --idle 10000 --active 1000 --seconds 10 --timeout 600 \
  --json "$OUT/idle-10000.json" "$@" | tee "$OUT/idle-10000.txt"
