#!/usr/bin/env bash
# Builds the npm package: `wasm-pack build` for the `web` and `bundler` targets, shrunk
# with wasm-opt, plus the drop-in panel (panel.js, panel.d.ts, and the results view it
# shares with the page: www/render.js, www/controller.js, www/harness.css) and the
# package's README. Output: target/npm/web and target/npm/bundler.
# Usage: scripts/package.sh [web] [bundler]   (no argument: both)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(web bundler)
scripts/setup.sh wasm node >&2

for target in "${targets[@]}"; do
  out="target/npm/$target"
  rm -rf "$out"
  wasm-pack --quiet build --release --mode no-install --target "$target" --out-dir "$out" --out-name cors_harness . >&2
  scripts/optimize-wasm.sh "$out/cors_harness_bg.wasm"
  cp npm/panel.js npm/panel.d.ts www/render.js www/controller.js www/harness.css "$out/"
  cp npm/README.md "$out/README.md"
  # package.json: ship the panel too, and say what imports what.
  node - "$out/package.json" <<'JS'
const fs = require("fs");
const file = process.argv[2];
const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
pkg.files = [...new Set([...(pkg.files ?? []), "panel.js", "panel.d.ts", "render.js", "controller.js", "harness.css", "README.md"])];
pkg.exports = {
  ".": { types: "./cors_harness.d.ts", default: "./cors_harness.js" },
  "./panel": { types: "./panel.d.ts", default: "./panel.js" },
  "./package.json": "./package.json",
};
pkg.sideEffects = [...new Set([...(Array.isArray(pkg.sideEffects) ? pkg.sideEffects : []), "./panel.js", "./cors_harness.js", "./snippets/*"])];
pkg.keywords = ["cors", "fetch", "testing", "webassembly", "preflight"];
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
// The raw wasm exports (InitOutput) are typed `any` by wasm-bindgen; nobody calls them.
const dts = file.replace(/package\.json$/, "cors_harness.d.ts");
const text = fs.readFileSync(dts, "utf8").replace(/export interface InitOutput \{[^}]*\}/,
  "export interface InitOutput {\n  readonly memory: WebAssembly.Memory;\n}");
fs.writeFileSync(dts, text);
JS
  wasm=$(gzip -9 -c "$out/cors_harness_bg.wasm" | wc -c)
  glue_files=("$out/cors_harness.js")
  [ ! -f "$out/cors_harness_bg.js" ] || glue_files+=("$out/cors_harness_bg.js")
  glue=$(cat "${glue_files[@]}" | gzip -9 | wc -c)
  panel=$(cat "$out/panel.js" "$out/render.js" "$out/controller.js" "$out/harness.css" | gzip -9 | wc -c)
  echo "$out: wasm $wasm + JS glue $glue = $((wasm + glue)) bytes gzipped (the panel adds $panel)"
done
