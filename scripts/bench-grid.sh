#!/usr/bin/env bash
# The parallel matrix against the same jobs one after another, in the same run: two copies
# of the agreement suite (68 cases each) in Chromium and Firefox (4 sessions), through a
# distributed Selenium Grid (scripts/grid.sh) and locally; rounds alternate which goes first.
#   scripts/bench-grid.sh [--rounds N] [--base-port N]   (ports: base..base+31 Grid, base+80..+85 fixtures)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
rounds=3
base=9600
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --base-port) base=$2; shift 2 ;;
    *) echo "bench-grid.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
fixtures=$((base + 81))
origin=http://127.0.0.1:$((base + 80))
work=$(mktemp -d)

scripts/setup.sh wasm chromium firefox grid
cargo build --release --quiet -p cors-harness-cli
bin=${CARGO_TARGET_DIR:-target}/release/cors-harness

grid=$(scripts/grid.sh start --base-port "$base" --no-webkit)
"$bin" fixtures --base-port "$fixtures" --page-origin "$origin" >"$work/fixtures.log" 2>&1 &
fixtures_pid=$!
cleanup() {
  kill "$fixtures_pid" 2>/dev/null || true
  scripts/grid.sh stop --base-port "$base"
  rm -rf "$work"
}
trap cleanup EXIT

moves=(-e "s/127.0.0.1:47081/127.0.0.1:$((base + 80))/g")
for i in 0 1 2 3 4; do moves+=(-e "s/127.0.0.1:$((9281 + i))/127.0.0.1:$((fixtures + i))/g"); done
for name in a b; do
  sed "${moves[@]}" -e "s/\"name\": \"agreement with Chromium\"/\"name\": \"agreement $name\"/" \
    cli/tests/agreement.json >"$work/$name.json"
done
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$fixtures") 2>/dev/null && break; sleep 0.1; done

# Seconds for one run of the matrix with --parallel $1 (and $2...: --webdriver).
timed() {
  local parallel=$1; shift
  local start end
  start=$(date +%s.%N)
  "$bin" run "$work/a.json" "$work/b.json" --browser chromium,firefox --origin "$origin" \
    --parallel "$parallel" "$@" >"$work/out.txt" 2>"$work/err.txt" \
    || { cat "$work/out.txt" "$work/err.txt" >&2; exit 1; }
  end=$(date +%s.%N)
  awk "BEGIN { print $end - $start }"
}

measure() {
  local label=$1 parallel=$2; shift 2
  local seq_total=0 par_total=0 s p
  for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then
      s=$(timed 1 "$@"); p=$(timed "$parallel" "$@")
    else
      p=$(timed "$parallel" "$@"); s=$(timed 1 "$@")
    fi
    printf '  %s round %d: one after another %.2f s, %d at once %.2f s\n' "$label" "$round" "$s" "$parallel" "$p"
    seq_total=$(awk "BEGIN { print $seq_total + $s }"); par_total=$(awk "BEGIN { print $par_total + $p }")
  done
  printf '%s: 4 sessions (2 suites x Chromium, Firefox), mean one after another %.2f s, %d at once %.2f s, ratio %.2f\n' \
    "$label" "$(awk "BEGIN { print $seq_total / $rounds }")" "$parallel" \
    "$(awk "BEGIN { print $par_total / $rounds }")" "$(awk "BEGIN { print $par_total / $seq_total }")"
}

echo "parallel matrix, $rounds round(s), $(nproc) core(s)"
measure "grid " 4 --webdriver "$grid"
measure "local" 2
