#!/usr/bin/env bash
# The binary works outside the checkout: `cargo install --path cli` into a temporary root,
# then `demo`, `fixtures` and `run` from an empty directory with a PATH that has no cargo,
# rustc or wasm-bindgen (browsers and drivers still come from the machine).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
root=$(mktemp -d)
work=$(mktemp -d)
fixtures_pid=""
cleanup() {
  [ -z "$fixtures_pid" ] || { kill "$fixtures_pid" 2>/dev/null; wait "$fixtures_pid" 2>/dev/null || true; }
  rm -rf "$root" "$work"
}
trap cleanup EXIT

# The release build is shared with scripts/demo.sh; the wasm build with every other build.
CORS_HARNESS_WASM_TARGET_DIR="$PWD/target/wasm-embed" \
  cargo install --quiet --locked --path cli --root "$root" --target-dir target
bin="$root/bin/cors-harness"

# The machine's own tools, without the Rust toolchain (rustup puts it in ~/.cargo/bin).
clean_path="$root/bin:/usr/local/bin:/usr/bin:/bin"
for tool in cargo rustc wasm-bindgen wasm-pack; do
  if PATH="$clean_path" command -v "$tool" >/dev/null; then
    echo "FAIL: $tool is on the test's PATH ($clean_path)"
    exit 1
  fi
done
in_empty_dir() { (cd "$work" && exec env -u CARGO -u CARGO_MANIFEST_DIR -u CORS_HARNESS_ROOT PATH="$clean_path" "$@"); }

echo "installed: $bin ($(du -h "$bin" | cut -f1)); running from $work"
in_empty_dir "$bin" demo > "$work/demo.txt" 2>&1 || { cat "$work/demo.txt"; echo "FAIL: demo"; exit 1; }
grep -q "24 passed, 0 failed" "$work/demo.txt" || { cat "$work/demo.txt"; echo "FAIL: the demo's verdicts"; exit 1; }
# The story's last chapter: CORS fixed, the session cookie still withheld, and why.
grep -q "fixed gateway: cookie (credentials: include): CORS allowed this credentialed request, but it carried no cookie. Withheld: session" "$work/demo.txt" \
  || { cat "$work/demo.txt"; echo "FAIL: the demo's cookie chapter"; exit 1; }

base=9870
# One process, started here: $! is the fixtures' own PID (the subshell execs into them).
(cd "$work" && exec env -u CARGO -u CARGO_MANIFEST_DIR PATH="$clean_path" "$bin" fixtures \
  --base-port "$base" --page-origin "http://127.0.0.1:9879" > "$work/fixtures.txt" 2>&1) &
fixtures_pid=$!
for _ in $(seq 1 100); do grep -q "fixtures ready" "$work/fixtures.txt" && break; sleep 0.1; done
grep -q "fixtures ready" "$work/fixtures.txt" || { cat "$work/fixtures.txt"; echo "FAIL: fixtures"; exit 1; }
cat > "$work/suite.json" <<JSON
{ "name": "installed", "cases": [
  { "id": "exact", "url": "http://127.0.0.1:$base/cors/exact/notes", "expect": "allowed" },
  { "id": "wildcard with cookies", "url": "http://127.0.0.1:$base/serverless/gateway/notes", "credentials": "include", "expect": { "outcome": "blocked", "reason": "WildcardOriginNotAllowed" } },
  { "id": "dead", "url": "http://127.0.0.1:$((base + 4))/", "expect": "unreachable" }
] }
JSON
in_empty_dir "$bin" run suite.json --origin "http://127.0.0.1:9879" --format json --out results.json > "$work/run.txt" 2>&1 \
  || { cat "$work/run.txt"; echo "FAIL: run"; exit 1; }
grep -q '"passed": 3' "$work/results.json" || { cat "$work/run.txt" "$work/results.json"; echo "FAIL: run's verdicts"; exit 1; }
echo "install: demo and run work outside the checkout without a Rust toolchain"
echo "install: 2 passed, 0 failed"
