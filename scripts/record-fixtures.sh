#!/usr/bin/env bash
# Re-records the conformance fixtures in tests/fixtures/traces/: an s3270 trace (<name>.trc) and
# s3270's screens (<name>.screens.txt) for each session against Hercules and the mfmock apps.
# The sessions are listed in tests/src/fixtures.rs. Needs the peers: run scripts/test.sh once.
#
#   bash scripts/record-fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -d .venv/bin ]; then export PATH="$PWD/.venv/bin:$PATH"; fi
rm -f tests/fixtures/traces/*.trc tests/fixtures/traces/*.screens.txt
cargo test -p web3270-tests --test fixtures -- --ignored --exact record_fixtures
ls -l tests/fixtures/traces/
