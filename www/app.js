// The harness page: a suite editor, Run/Stop and a live results table.
// Everything that came from a server or a suite is rendered as text, never as HTML.
import init, { runSuite, validateSuite, describeBrowser } from "./pkg/cors_harness.js";
import { MEANING, el, pendingCells, resultCells, summaryText, detailNodes } from "./pkg/render.js";

const $ = (id) => document.getElementById(id);
const STORAGE_KEY = "cors-harness-suite";
// ---- suite text <-> URL fragment -------------------------------------------------

function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function suiteFromFragment() {
  const match = location.hash.match(/^#suite=([A-Za-z0-9_-]+)$/);
  if (!match) return null;
  try { return fromBase64Url(match[1]); } catch { return null; }
}

const EXAMPLE_SUITE = {
  name: "example",
  description: "Start `cors-harness fixtures` for these URLs, or replace them with your API's.",
  defaults: { timeout_ms: 5000 },
  cases: [
    { id: "token-request", url: "http://127.0.0.1:9181/serverless/gateway/notes", headers: { Authorization: "Bearer abc" }, expect: "allowed" },
    { id: "cookie-request", url: "http://127.0.0.1:9181/serverless/gateway/notes", credentials: "include", expect: "blocked" },
    { id: "nothing-listens", url: "http://127.0.0.1:9185/", expect: "unreachable" },
  ],
};

async function initialSuite() {
  const shared = suiteFromFragment();
  if (shared) return shared;
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved) return saved;
  try {
    const response = await fetch("default-suite.json", { cache: "no-store" });
    if (response.ok) return await response.text();
  } catch { /* served without a default suite */ }
  return JSON.stringify(EXAMPLE_SUITE, null, 2);
}

// ---- editor ----------------------------------------------------------------------

function showProblems() {
  const list = $("suite-problems");
  list.replaceChildren();
  let problems;
  try { problems = validateSuite($("suite-editor").value); } catch (e) { problems = [{ message: String(e) }]; }
  for (const p of problems) {
    const where = p.index == null ? "suite" : `cases[${p.index}]${p.id ? ` "${p.id}"` : ""}`;
    list.append(el("li", {}, `${where}${p.field ? `, ${p.field}` : ""}: ${p.message}`));
  }
  return problems;
}

let validateTimer = 0;
function onEdit() {
  localStorage.setItem(STORAGE_KEY, $("suite-editor").value);
  clearTimeout(validateTimer);
  validateTimer = setTimeout(showProblems, 250);
}

function parseEditor() {
  try { return JSON.parse($("suite-editor").value); } catch (e) {
    $("share-status").textContent = `The suite is not valid JSON: ${e.message}`;
    return null;
  }
}

function setEditor(text) {
  $("suite-editor").value = text;
  onEdit();
  showProblems();
}

function addRequest(event) {
  event.preventDefault();
  const suite = parseEditor();
  if (!suite) return;
  const form = new FormData(event.target);
  const item = { id: form.get("id").trim(), url: form.get("url").trim(), method: form.get("method").trim() || "GET" };
  const headers = {};
  for (const line of form.get("headers").split("\n")) {
    const at = line.indexOf(":");
    if (at > 0) headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  if (Object.keys(headers).length) item.headers = headers;
  if (form.get("credentials")) item.credentials = form.get("credentials");
  if (form.get("body")) item.body = form.get("body");
  if (form.get("expect")) item.expect = form.get("expect");
  if (!Array.isArray(suite.cases)) suite.cases = [];
  suite.cases.push(item);
  setEditor(JSON.stringify(suite, null, 2));
  event.target.reset();
}

function download(name, text) {
  const link = el("a", { href: URL.createObjectURL(new Blob([text], { type: "application/json" })), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

async function shareLink() {
  const url = `${location.origin}${location.pathname}#suite=${toBase64Url($("suite-editor").value)}`;
  history.replaceState(null, "", url);
  try {
    await navigator.clipboard.writeText(url);
    $("share-status").textContent = "Link copied: it carries the suite.";
  } catch {
    $("share-status").textContent = "The address bar now carries the suite: copy it from there.";
  }
}

// ---- running -----------------------------------------------------------------------

const state = { rows: [], results: [], report: null, controller: null, events: [], finished: false, error: null };

function pendingRow(index, item) {
  const id = item && typeof item.id === "string" ? item.id : `cases[${index}]`;
  const tr = el("tr", { "data-index": String(index), tabindex: "0" }, ...pendingCells(index, id));
  tr.addEventListener("click", () => showDetail(index));
  tr.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); showDetail(index); }
  });
  return tr;
}

function renderResult(index, result) {
  const tr = state.rows[index];
  if (!tr) return;
  tr.replaceChildren(...resultCells(index, result));
  if (result.pass === false) tr.title = result.why ?? "";
}

/** The probe endpoint this page was served with (`cors-harness serve`/`run`), if any. */
function probeEndpoint() {
  const parts = (document.querySelector('meta[name="cors-harness-probe"]')?.content ?? "").trim().split(/\s+/);
  return parts.length === 2 ? { url: parts[0], secret: parts[1] } : undefined;
}

function showDetail(index) {
  const result = state.results[index];
  for (const row of state.rows) row.classList.toggle("selected", row === state.rows[index]);
  if (!result) return;
  $("detail").hidden = false;
  $("detail-title").textContent = `${result.id}: ${result.outcome}${result.status != null ? ` (${result.status})` : ""}`;
  $("detail-meaning").textContent = [MEANING[result.outcome], result.why ? `Expectation failed: ${result.why}` : ""].join(" ");
  const body = detailNodes(result);
  $("detail-body").replaceChildren(...body);
  $("detail").scrollIntoView({ block: "start" });
}

/** Runs a suite (JSON text); `render: false` skips the table (for very large automated runs). */
async function run(text, { concurrency, render = true } = {}) {
  let suite;
  try { suite = JSON.parse(text); } catch { suite = null; }
  const items = suite && Array.isArray(suite.cases) ? suite.cases : [];
  Object.assign(state, { results: [], report: null, events: [], finished: false, error: null, controller: new AbortController() });
  state.rows = render ? items.map((item, i) => pendingRow(i, item)) : [];
  $("results").tBodies[0].replaceChildren(...state.rows);
  $("detail").hidden = true;
  $("summary").textContent = "";
  $("run").disabled = true;
  $("stop").disabled = false;
  $("export-results").disabled = true;
  $("run-status").textContent = `Running ${items.length} case(s)…`;
  try {
    const report = await runSuite(text, {
      concurrency,
      probeEndpoint: probeEndpoint(),
      signal: state.controller.signal,
      onProgress: ({ done, total, index, result }) => {
        state.results[index] = result;
        state.events.push({ index, result });
        if (render) renderResult(index, result);
        $("run-status").textContent = `${done} of ${total} done`;
      },
    });
    state.report = report;
    $("summary").textContent = summaryText(report.summary, report.stopped);
    $("run-status").textContent = report.stopped ? "Stopped." : "Done.";
    $("export-results").disabled = false;
    return report;
  } catch (error) {
    state.error = { name: error.name, message: error.message };
    $("run-status").textContent = `${error.name}: ${error.message}`;
    return null;
  } finally {
    state.finished = true;
    $("run").disabled = false;
    $("stop").disabled = true;
  }
}

// ---- page start ---------------------------------------------------------------------

async function main() {
  await init();
  $("page-origin").textContent = location.origin;
  describeBrowser().then((name) => { $("browser-name").textContent = name; });
  $("suite-editor").addEventListener("input", onEdit);
  $("request-form").addEventListener("submit", addRequest);
  $("format-suite").addEventListener("click", () => { const s = parseEditor(); if (s) setEditor(JSON.stringify(s, null, 2)); });
  $("save-suite").addEventListener("click", () => {
    const s = parseEditor();
    const name = s && typeof s.name === "string" ? s.name.replace(/[^\w.-]+/g, "-") : "suite";
    download(`${name}.json`, $("suite-editor").value);
  });
  $("load-file").addEventListener("change", async (event) => {
    const [file] = event.target.files;
    if (file) setEditor(await file.text());
  });
  $("share-link").addEventListener("click", shareLink);
  $("run").addEventListener("click", () => {
    run($("suite-editor").value, { concurrency: Number($("concurrency").value) || 1 });
  });
  $("stop").addEventListener("click", () => state.controller?.abort());
  $("export-results").addEventListener("click", () => {
    if (state.report) download("cors-harness-results.json", JSON.stringify(state.report, null, 2));
  });
  window.addEventListener("hashchange", () => { const shared = suiteFromFragment(); if (shared) setEditor(shared); });
  setEditor(await initialSuite());
  $("run").disabled = false;
  $("run-status").textContent = "Ready.";

  // For the command-line runner (through WebDriver): start a run, then poll it.
  window.corsHarness = {
    ready: true,
    start(text, options) { state.finished = false; run(text, options); return true; },
    poll(from) {
      return { events: state.events.slice(from), finished: state.finished, report: state.finished ? state.report : null, error: state.error };
    },
  };
}

main().catch((error) => {
  $("run-status").textContent = `The engine failed to start: ${error}`;
});
