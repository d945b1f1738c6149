#!/usr/bin/env bash
# Runs every test: lints, host tests, the engine's browser tests in headless Chromium
# and Firefox (wasm-pack test) against fixture servers it starts and stops, then the
# runner and the page end to end in Chromium, Firefox and WebKit. Installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\n== %s\n' "$*"; }
logs=$(mktemp -d)

scripts/setup.sh wasm node chromium firefox webkit

say "format and lints (host and wasm32)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy --workspace --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings

say "host tests"
cargo test -p cors-harness 2>&1 | tee "$logs/host.log"

# Fixed ports: the fixtures' exact-origin configurations allow this page origin.
page_port=9180
fixtures_port=9181
export CORS_HARNESS_FIXTURES_PORT=$fixtures_port
export WASM_BINDGEN_TEST_ADDRESS=127.0.0.1:$page_port
export WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION=1   # COOP/COEP would change what the browser blocks
export WASM_BINDGEN_TEST_TIMEOUT=600
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/tests/webdriver.json"

say "fixture servers"
cargo build --quiet -p cors-harness-cli
target/debug/cors-harness fixtures --base-port $fixtures_port --page-origin "http://127.0.0.1:$page_port" \
  >"$logs/fixtures.log" 2>&1 &
fixtures_pid=$!
stop_fixtures() { kill "$fixtures_pid" 2>/dev/null && wait "$fixtures_pid" 2>/dev/null || true; }
trap stop_fixtures EXIT
for _ in $(seq 1 100); do
  grep -q "fixtures ready" "$logs/fixtures.log" && break
  kill -0 "$fixtures_pid" 2>/dev/null || { cat "$logs/fixtures.log"; exit 1; }
  sleep 0.1
done
grep -q "fixtures ready" "$logs/fixtures.log" || { echo "fixtures did not start"; cat "$logs/fixtures.log"; exit 1; }

# A browser run counts only if every browser test ran and passed.
expected=$(grep -c '#\[wasm_bindgen_test\]' tests/browser.rs)
browser_tests() {
  local name=$1; shift
  say "engine tests in $name ($expected expected)"
  wasm-pack test --mode no-install --headless "$@" -- --test browser 2>&1 | tee "$logs/wasm-$name.log"
  local passed
  passed=$(grep -oE 'test result: ok\. [0-9]+ passed' "$logs/wasm-$name.log" | grep -oE '[0-9]+' | tail -n1)
  if [ "${passed:-0}" -ne "$expected" ]; then
    echo "FAIL: $name ran ${passed:-0} of $expected browser tests"
    exit 1
  fi
}
browser_tests chromium --chrome --chromedriver "$(command -v chromedriver)"
browser_tests firefox --firefox --geckodriver "$(command -v geckodriver)"
stop_fixtures
trap - EXIT

say "runner and page, end to end (Chromium, Firefox, WebKit)"
cargo test -p cors-harness-cli 2>&1 | tee "$logs/cli.log"

say "the installed binary, outside the checkout, without a Rust toolchain"
scripts/test-install.sh 2>&1 | tee "$logs/install.log"

# A separate step: a distributed Selenium Grid (JVMs on 127.0.0.1:9600-9699, about 2 minutes).
say "runner through a distributed Selenium Grid (scripts/grid.sh)"
scripts/setup.sh grid
cargo test -p cors-harness-cli --test grid 2>&1 | tee "$logs/grid.log"

# One closing line for the whole run.
total=0
for n in $(cat "$logs"/*.log | grep -oE 'test result: ok\. [0-9]+ passed|^install: [0-9]+ passed' | grep -oE '[0-9]+'); do total=$((total + n)); done
say "all tests passed"
echo "total: $total passed, 0 failed"
