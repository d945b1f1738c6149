#!/usr/bin/env node
// Records a HAR by driving a real browser through a page that makes CORS requests to the
// fixtures (`cors-harness fixtures`). The HAR comes from real recorders, not from us:
// - chromium: Playwright's HAR recorder (`recordHar`) on the system's Chromium;
// - firefox: Mozilla's WebDriver BiDi HAR recorder (`ff-test-bidi-har-export`, what
//   browsertime uses) fed by geckodriver's BiDi events, request bodies included.
//
// Usage: node record.js --browser chromium|firefox --page-port PORT --api ORIGIN --out FILE.har
// The page is served on http://127.0.0.1:PORT (give that origin to the fixtures'
// --page-origin); ORIGIN is the fixtures' origin A. Prints what the page saw, one object
// per request ({ label, method, url, outcome: "allowed"|"blocked", status, error }), as
// JSON on stdout.
"use strict";

const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const { spawn } = require("node:child_process");

const WATCHDOG_MS = 120_000;

function usage(message) {
  process.stderr.write(`record.js: ${message}\n`);
  process.stderr.write(
    "usage: node record.js --browser chromium|firefox --page-port PORT --api ORIGIN --out FILE.har\n",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!name.startsWith("--") || value === undefined) usage(`bad argument ${name}`);
    args[name.slice(2)] = value;
  }
  if (!["chromium", "firefox"].includes(args.browser)) usage("--browser chromium|firefox");
  const port = Number(args["page-port"]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) usage("--page-port PORT");
  if (!/^https?:\/\/[^/]+$/.test(args.api || "")) usage("--api ORIGIN (no path)");
  if (!args.out) usage("--out FILE.har");
  return { browser: args.browser, port, api: args.api, out: path.resolve(args.out) };
}

/** The first executable named `names` on PATH. */
function which(...names) {
  for (const name of names) {
    for (const dir of (process.env.PATH || "").split(path.delimiter)) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  throw new Error(`none of ${names.join(", ")} is on PATH (scripts/setup.sh installs them)`);
}

// What the page does, in order; `window.done` resolves to what it saw.
const PAGE_SCRIPT = `
const api = document.documentElement.dataset.api;
const json = { "Content-Type": "application/json" };
const requests = [
  ["same-origin GET", "/same-origin/notes?limit=5", {}],
  ["same-origin POST", "/same-origin/notes", { method: "POST", headers: json, body: '{"title":"local"}' }],
  ["cross-origin GET", api + "/cors/permissive/notes?page=2", { headers: { Accept: "application/json" } }],
  ["preflighted PUT", api + "/cors/reflect-credentials/notes/1", {
    method: "PUT",
    credentials: "include",
    headers: { ...json, Authorization: "Bearer recorded-token", "X-Api-Key": "key-123" },
    body: JSON.stringify({ title: "Recorded note", done: true }),
  }],
  ["preflight refused", api + "/cors/exact/notes/1", {
    method: "PUT", headers: json, body: '{"title":"refused"}',
  }],
  ["no CORS headers", api + "/cors/none/notes", {}],
  ["redirect", api + "/redirect/302/wildcard", {}],
];

async function fetchOne([label, url, init]) {
  const method = init.method || "GET";
  const absolute = new URL(url, location.href).href;
  try {
    const response = await fetch(url, init);
    await response.text();
    return { label, method, url: absolute, outcome: "allowed", status: response.status };
  } catch (error) {
    return { label, method, url: absolute, outcome: "blocked", error: String(error) };
  }
}

// One XMLHttpRequest too: a simple cross-origin POST with a text body.
function xhrOne() {
  const url = api + "/cors/permissive/notes";
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Content-Type", "text/plain");
    xhr.onload = () => resolve({ label: "XHR POST", method: "POST", url, outcome: "allowed", status: xhr.status });
    xhr.onerror = () => resolve({ label: "XHR POST", method: "POST", url, outcome: "blocked", error: "error event" });
    xhr.send("plain text body");
  });
}

window.done = (async () => {
  const seen = [];
  for (const request of requests) seen.push(await fetchOne(request));
  seen.push(await xhrOne());
  document.title = "done";
  return seen;
})();
`;

function pageHtml(api) {
  return `<!doctype html>
<html lang="en" data-api="${api}">
<head><meta charset="utf-8"><title>cors-harness HAR recording</title>
<link rel="icon" href="data:,"></head>
<body><h1>Recording</h1><script src="/page.js"></script></body>
</html>
`;
}

/** The page's server: the document, its script, and same-origin JSON endpoints. */
function servePage(port, api) {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const url = new URL(req.url, `http://127.0.0.1:${port}`);
      if (url.pathname === "/") {
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
        res.end(pageHtml(api));
      } else if (url.pathname === "/page.js") {
        res.writeHead(200, { "Content-Type": "text/javascript", "Cache-Control": "no-store" });
        res.end(PAGE_SCRIPT);
      } else if (url.pathname.startsWith("/same-origin/")) {
        res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
        res.end(JSON.stringify({ method: req.method, path: url.pathname, body }));
      } else {
        res.writeHead(404, { "Content-Type": "text/plain" });
        res.end("not found");
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

async function recordChromium(pageUrl, out) {
  // Playwright drives the system's Chromium (no browser download); its recordHar is the recorder.
  const { chromium } = require("playwright-core");
  const browser = await chromium.launch({
    executablePath: which("chromium", "chromium-browser", "google-chrome"),
    headless: true,
    args: [
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    const context = await browser.newContext({ recordHar: { path: out } });
    const page = await context.newPage();
    await page.goto(pageUrl, { waitUntil: "load" });
    const seen = await page.evaluate(() => window.done);
    await context.close(); // writes the HAR
    return seen;
  } finally {
    await browser.close();
  }
}

/** A free loopback port for geckodriver. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = http.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function webdriver(base, method, route, body) {
  const response = await fetch(base + route, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) {
    throw new Error(`${method} ${route}: ${JSON.stringify(answer.value || answer)}`);
  }
  return answer.value;
}

/** A WebDriver BiDi connection with the interface the Selenium HAR adapter uses. */
class Bidi {
  constructor(socket) {
    this.socket = Promise.resolve(socket);
    this._ws = socket;
    this._next = 1;
    this._pending = new Map();
    this._subscriptions = new Map();
    this.lastEvent = Date.now();
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === "event") this.lastEvent = Date.now();
      const pending = message.id !== undefined && this._pending.get(message.id);
      if (pending) {
        this._pending.delete(message.id);
        pending(message);
      }
    });
  }

  /** Sends a command; resolves to the whole answer (`type` "success" or "error"). */
  send({ method, params }) {
    const id = this._next++;
    return new Promise((resolve) => {
      this._pending.set(id, resolve);
      this._ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Resolves once no event has come for `ms` (the last responses' events are in). */
  async quiet(ms) {
    while (Date.now() - this.lastEvent < ms) {
      await new Promise((r) => setTimeout(r, ms / 5));
    }
  }

  async command(method, params) {
    const answer = await this.send({ method, params });
    if (answer.type === "error") throw new Error(`${method}: ${answer.error}: ${answer.message}`);
    return answer.result;
  }

  async subscribe(event, contexts) {
    const result = await this.command("session.subscribe", { events: [event], contexts });
    this._subscriptions.set(event, result.subscription);
  }

  async unsubscribe(event) {
    const subscription = this._subscriptions.get(event);
    if (subscription) await this.command("session.unsubscribe", { subscriptions: [subscription] });
    this._subscriptions.delete(event);
  }
}

async function recordFirefox(pageUrl, out) {
  const WebSocket = require("ws");
  const { adapters } = require("ff-test-bidi-har-export");
  const port = await freePort();
  // Its own BiDi port too: the default (9222) would collide between parallel recordings.
  const bidiPort = await freePort();
  const geckodriver = spawn(
    which("geckodriver"),
    ["--port", String(port), "--host", "127.0.0.1", "--websocket-port", String(bidiPort)],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const base = `http://127.0.0.1:${port}`;
  let session;
  try {
    for (let tries = 0; ; tries++) {
      try {
        await fetch(`${base}/status`);
        break;
      } catch (error) {
        if (tries > 200 || geckodriver.exitCode !== null) throw new Error(`geckodriver: ${error}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    session = await webdriver(base, "POST", "/session", {
      capabilities: {
        alwaysMatch: {
          browserName: "firefox",
          webSocketUrl: true,
          "moz:firefoxOptions": {
            binary: which("firefox-esr", "firefox"),
            args: ["-headless"],
          },
        },
      },
    });
    const capabilities = session.capabilities;
    const ws = new WebSocket(capabilities.webSocketUrl);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const bidi = new Bidi(ws);
    const tree = await bidi.command("browsingContext.getTree", {});
    const context = tree.contexts[0].context;
    const driver = {
      getCapabilities: async () =>
        new Map([
          ["browserName", capabilities.browserName],
          ["browserVersion", capabilities.browserVersion],
        ]),
      getBidi: async () => bidi,
    };
    const recorder = new adapters.SeleniumBiDiHarRecorder({ driver, browsingContextIds: [context] });
    await recorder.startRecording();
    await bidi.command("browsingContext.navigate", { context, url: pageUrl, wait: "complete" });
    const result = await bidi.command("script.evaluate", {
      expression: "window.done.then((seen) => JSON.stringify(seen))",
      target: { context },
      awaitPromise: true,
    });
    const seen = JSON.parse(result.result.value);
    await bidi.quiet(300);
    const har = await recorder.stopRecording();
    if (!har) throw new Error("the BiDi HAR recorder returned nothing");
    fs.writeFileSync(out, JSON.stringify(har, null, 2) + "\n");
    ws.close();
    return seen;
  } finally {
    if (session) {
      await webdriver(base, "DELETE", `/session/${session.sessionId}`).catch(() => {});
    }
    geckodriver.kill();
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const watchdog = setTimeout(() => {
    process.stderr.write(`record.js: no recording after ${WATCHDOG_MS / 1000} s\n`);
    process.exit(1);
  }, WATCHDOG_MS);
  const server = await servePage(args.port, args.api);
  const pageUrl = `http://127.0.0.1:${args.port}/`;
  try {
    const record = args.browser === "chromium" ? recordChromium : recordFirefox;
    const seen = await record(pageUrl, args.out);
    process.stdout.write(JSON.stringify(seen, null, 2) + "\n");
  } finally {
    server.closeAllConnections();
    server.close();
    clearTimeout(watchdog);
  }
}

main().catch((error) => {
  process.stderr.write(`record.js: ${error.stack || error}\n`);
  process.exit(1);
});
