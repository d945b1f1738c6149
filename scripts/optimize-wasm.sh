#!/usr/bin/env bash
# Shrinks a wasm file in place with binaryen's wasm-opt -Oz (installed by `scripts/setup.sh node`).
# Without it the file is left as it is and a note says so (exit 0): the build still works.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
wasm_opt="${CORS_HARNESS_WASM_OPT:-$root/target/tools/binaryen/node_modules/.bin/wasm-opt}"
file=$1
if [ ! -x "$wasm_opt" ] || ! command -v node >/dev/null; then
  echo "note: wasm-opt not installed (scripts/setup.sh node); $file left unoptimised" >&2
  exit 0
fi
# The features current rustc emits for wasm32-unknown-unknown.
"$wasm_opt" -Oz --converge --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$file" -o "$file.opt.$$"
mv "$file.opt.$$" "$file"
