#!/usr/bin/env bash
# Replays the committed fuzz corpus (fuzz/corpus/<target>/*) through tn3270::fuzzing on
# STABLE Rust, as CI does: a plain test binary, no fuzzing engine. Fails on any input that
# panics or breaks an invariant. `bash scripts/fuzz-replay.sh` from anywhere.
#
# To fuzz for real (nightly + cargo-fuzz, see docs/FUZZING.md):
#   cargo install cargo-fuzz                    # once
#   cd fuzz && cargo +nightly fuzz list         # the targets
#   mkdir -p /tmp/corpus/datastream             # new inputs go there, not into git
#   cargo +nightly fuzz run -s none datastream /tmp/corpus/datastream corpus/datastream \
#       -- -max_total_time=120 -max_len=8192
#   # a crash is saved under fuzz/artifacts/<target>/; minimise it and keep it:
#   cargo +nightly fuzz tmin datastream artifacts/datastream/crash-…
#   cp artifacts/datastream/minimized-from-… corpus/datastream/crash-<what>.bin
#   # keep the corpus small (≤ 200 files per target):
#   cargo +nightly fuzz cmin datastream corpus/datastream
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo test -p tn3270 --test fuzz_corpus --quiet "$@"
