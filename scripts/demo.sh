#!/usr/bin/env bash
# The demo: fixture servers, the harness page, a built-in suite in headless Chromium,
# and the verdict table. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh wasm chromium
exec cargo run --quiet --release --bin cors-harness -- demo "$@"
