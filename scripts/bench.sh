#!/usr/bin/env bash
# The benchmark (see BENCHMARKS.md): installs what is missing, then measures the harness
# against a minimal fetch() loop in Chromium and Firefox. Extra arguments go to
# `cors-harness bench` (e.g. --sizes 100,1000 --browser chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh wasm node chromium firefox >&2
exec cargo run --quiet --release --bin cors-harness -- bench --profile 1000 "$@"
