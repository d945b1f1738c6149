// The harness page: a suite editor, Run/Stop and the results (table, matrix views, detail).
// Everything that came from a server, a suite or a file is rendered as text, never as HTML.
// Only the wasm-bindgen output comes from ./pkg/; the rest lives beside this file, so
// www/ plus `wasm-pack build --target web --out-dir www/pkg` can be hosted by any static server.
import init, * as harness from "./pkg/cors_harness.js";
import { el, copyButton } from "./render.js";
import { ResultsController, auditPlan, auditVerdict } from "./controller.js";

const $ = (id) => document.getElementById(id);
const STORAGE_KEY = "cors-harness-suite";
const LINE_HEIGHT = 18; // px, as in style.css (.editor)

function remember(key, value) {
  try { localStorage.setItem(key, value); } catch { /* storage full or disabled: the link still carries the suite */ }
}
function recall(key) {
  try { return localStorage.getItem(key); } catch { return null; }
}

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
  const saved = recall(STORAGE_KEY);
  if (saved) return saved;
  try {
    const response = await fetch("default-suite.json", { cache: "no-store" });
    if (response.ok) return await response.text();
  } catch { /* served without a default suite */ }
  return JSON.stringify(EXAMPLE_SUITE);
}

// ---- editor: problems on their line ------------------------------------------------

/** The line (1-based) where each value of a JSON text starts, keyed by its path ("cases.3.url"); partial on bad JSON. */
function valueLines(text) {
  const lines = new Map();
  let i = 0;
  let line = 1;
  const space = () => { while (i < text.length && /\s/.test(text[i])) { if (text[i] === "\n") line++; i++; } };
  const string = () => {
    let out = "";
    for (i++; i < text.length && text[i] !== '"'; i++) out += text[i] === "\\" ? text[++i] : text[i];
    i++;
    return out;
  };
  const value = (path) => {
    space();
    lines.set(path, line);
    const open = text[i];
    if (open === "{" || open === "[") {
      i++;
      space();
      if (text[i] === (open === "{" ? "}" : "]")) { i++; return; }
      for (let n = 0; ; n++) {
        space();
        let key = String(n);
        if (open === "{") {
          if (text[i] !== '"') throw new Error("key");
          key = string();
          space();
          if (text[i++] !== ":") throw new Error("colon");
        }
        value(path ? `${path}.${key}` : key);
        space();
        const next = text[i++];
        if (next === (open === "{" ? "}" : "]")) return;
        if (next !== ",") throw new Error("separator");
      }
    }
    if (open === '"') { string(); return; }
    while (i < text.length && !/[,\]}\s]/.test(text[i])) i++;
  };
  try { value(""); } catch { /* a syntax error: the lines found so far */ }
  return lines;
}

/** The line a problem is about: the JSON error's own, else the deepest known part of its path. */
function problemLine(problem, lines) {
  const syntax = problem.message.match(/line (\d+)/);
  if (syntax) return Number(syntax[1]);
  const parts = [...(problem.index == null ? [] : ["cases", String(problem.index)]),
    ...(problem.field ?? "").replace(/\[(\d+)\]/g, ".$1").split(".").filter(Boolean)];
  for (let n = parts.length; n > 0; n--) {
    const line = lines.get(parts.slice(0, n).join("."));
    if (line) return line;
  }
  return null;
}

function goToLine(line) {
  const editor = $("suite-editor");
  const starts = [0];
  for (let i = 0; i < editor.value.length; i++) if (editor.value[i] === "\n") starts.push(i + 1);
  const start = starts[line - 1] ?? 0;
  const end = (starts[line] ?? editor.value.length + 1) - 1;
  editor.focus();
  editor.setSelectionRange(start, end);
  editor.scrollTop = Math.max(0, (line - 3) * LINE_HEIGHT);
}

function showProblems() {
  const text = $("suite-editor").value;
  let problems;
  try { problems = harness.validateSuite(text); } catch (e) { problems = [{ message: String(e) }]; }
  const lines = valueLines(text);
  const marked = new Set();
  $("suite-problems").replaceChildren(...problems.map((p) => {
    const line = problemLine(p, lines);
    if (line) marked.add(line);
    const where = p.index == null ? "suite" : `cases[${p.index}]${p.id ? ` "${p.id}"` : ""}`;
    const button = el("button", { type: "button" }, `${line ? `line ${line}: ` : ""}${where}${p.field ? `, ${p.field}` : ""}: ${p.message}`);
    if (line) button.addEventListener("click", () => goToLine(line));
    return el("li", {}, button);
  }));
  const count = text.split("\n").length;
  const gutter = [];
  for (let n = 1; n <= count; n++) gutter.push(marked.has(n) ? el("mark", { title: "a problem on this line" }, `! ${n}`) : String(n), "\n");
  $("suite-gutter").replaceChildren(...gutter);
  $("suite-gutter").scrollTop = $("suite-editor").scrollTop;
  return problems;
}

function parseEditor() {
  try { return JSON.parse($("suite-editor").value); } catch (e) {
    $("share-status").textContent = `The suite is not valid JSON: ${e.message}`;
    return null;
  }
}

let validateTimer = 0;
function onEdit() {
  remember(STORAGE_KEY, $("suite-editor").value);
  clearTimeout(validateTimer);
  validateTimer = setTimeout(() => { showProblems(); showCases(); }, 250);
}

/** Before any run, the table lists the suite's cases. */
function showCases() {
  if (controller.live.results.length || !controller.runState.finished) return;
  let suite;
  try { suite = JSON.parse($("suite-editor").value); } catch { return; }
  controller.showCases(Array.isArray(suite?.cases) ? suite.cases : [], suite?.cookies);
}

/** Replaces the editor's text, pretty-printed when it is JSON. */
function setEditor(text) {
  let pretty = text;
  try { pretty = JSON.stringify(JSON.parse(text), null, 2); } catch { /* shown as is, with its problem marked */ }
  $("suite-editor").value = pretty;
  remember(STORAGE_KEY, pretty);
  showProblems();
  showCases();
}

/** Appends cases to the suite in the editor, renaming ids already taken. */
function appendCases(cases) {
  const suite = parseEditor();
  if (!suite) return false;
  if (!Array.isArray(suite.cases)) suite.cases = [];
  const taken = new Set(suite.cases.map((c) => c?.id));
  for (const item of cases) {
    let id = item.id;
    for (let n = 2; taken.has(id); n++) id = `${item.id}-${n}`;
    taken.add(id);
    suite.cases.push({ ...item, id });
  }
  setEditor(JSON.stringify(suite));
  return true;
}

function addRequest(event) {
  event.preventDefault();
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
  if (appendCases([item])) event.target.reset();
}

// ---- import from DevTools (cURL, fetch, HAR) ----------------------------------------

function showNotes(notes) {
  $("import-notes").replaceChildren(...notes.map((n) => {
    const where = [n.case && `case "${n.case}"`, n.entry != null && `entry ${n.entry}`, n.line != null && `line ${n.line}`].filter(Boolean).join(", ");
    return el("li", { class: `note-${n.level}` }, `${where ? `${where}: ` : ""}${n.message}`);
  }));
}

function importText(text, from) {
  if (typeof harness.importRequests !== "function") {
    showNotes([{ level: "error", message: "Importing from DevTools is not available in this build of the engine (it has no importRequests)." }]);
    return;
  }
  let imported;
  try { imported = harness.importRequests(text, from ? { from } : {}); } catch (e) {
    showNotes([{ level: "error", message: String(e?.message ?? e) }]);
    return;
  }
  const cases = imported?.suite?.cases ?? [];
  const notes = [...(imported?.notes ?? [])];
  if (cases.length && appendCases(cases)) notes.unshift({ level: "info", message: `${cases.length} request(s) added to the suite.` });
  else if (!cases.length) notes.unshift({ level: "warning", message: "No request found in the pasted text." });
  showNotes(notes);
}

async function importFile(file) {
  if (!file) return;
  importText(await file.text(), /\.har$/i.test(file.name) ? "har" : "");
}

// ---- files, link, layout -------------------------------------------------------------

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

function setCollapsed(collapsed) {
  $("suite-section").classList.toggle("collapsed", collapsed);
  $("toggle-suite").setAttribute("aria-expanded", String(!collapsed));
  remember("cors-harness-suite-collapsed", collapsed ? "1" : "");
}

function setDock(dock) {
  $("main").dataset.dock = dock;
  $("dock-suite").textContent = dock === "side" ? "Dock below" : "Dock right";
  $("dock-suite").setAttribute("title", dock === "side" ? "Move the suite editor under the results" : "Move the suite editor beside the results");
  remember("cors-harness-dock", dock);
}

function setTheme(theme) {
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
  $("theme").value = theme;
  remember("cors-harness-theme", theme);
}

/** The probe endpoint this page was served with (`cors-harness serve`/`run`), if any. */
function probeEndpoint() {
  const parts = (document.querySelector('meta[name="cors-harness-probe"]')?.content ?? "").trim().split(/\s+/);
  return parts.length === 2 ? { url: parts[0], secret: parts[1] } : undefined;
}

const controller = new ResultsController({
  runSuite: (suite, options) => harness.runSuite(suite, options),
  probeEndpoint,
  status: (text) => { $("run-status").textContent = text; },
  runButton: $("run"),
  stopButton: $("stop"),
  origin: location.origin,
});
$("results-section").append(controller.element);

/** Runs a suite (JSON text); `render: false` skips the table (for very large automated runs). */
async function run(text, options = {}) {
  $("export-results").disabled = true;
  const report = await controller.run(text, options).catch(() => null);
  $("export-results").disabled = !report;
  return report;
}

// ---- audit: this origin only; the command for the attacker origins -------------------

function auditForm() {
  const form = new FormData($("audit-form"));
  const named = String(form.get("origin") ?? "").trim();
  const plan = auditPlan(String(form.get("url") ?? ""), named || location.origin, String(form.get("cookie") ?? ""));
  return { ...plan, named };
}

/** Shows the command for what the form says, with a button that copies it. */
function showAuditCommand() {
  const { command } = auditForm();
  $("audit-command").textContent = command;
  $("audit-copy").replaceChildren(copyButton(command, "the cors-harness audit command", "Copy command"));
}

async function audit(event) {
  event.preventDefault();
  if (!controller.runState.finished) {
    $("audit-verdict").dataset.level = "none";
    $("audit-verdict").textContent = "A run is going on: wait for it, or stop it, then check again.";
    return;
  }
  const { suite, named } = auditForm();
  showAuditCommand();
  const shown = $("audit-verdict");
  shown.dataset.level = "running";
  shown.textContent = `Running from ${location.origin}…`;
  const report = await run(JSON.stringify(suite));
  const { level, text } = auditVerdict(report, location.origin, named);
  shown.dataset.level = level;
  shown.textContent = text;
}

// ---- page start ---------------------------------------------------------------------

async function main() {
  setTheme(recall("cors-harness-theme") ?? "");
  setDock(recall("cors-harness-dock") === "side" ? "side" : "bottom");
  setCollapsed(Boolean(recall("cors-harness-suite-collapsed")));
  await init();
  $("page-origin").textContent = location.origin;
  if (location.origin !== "null") $("audit-origin").placeholder = `${location.origin} (this page)`;
  harness.describeBrowser().then((name) => { $("browser-name").textContent = name; controller.browser = name; });
  const editor = $("suite-editor");
  editor.addEventListener("input", onEdit);
  editor.addEventListener("scroll", () => { $("suite-gutter").scrollTop = editor.scrollTop; });
  $("request-form").addEventListener("submit", addRequest);
  $("audit-form").addEventListener("submit", audit);
  // Typing gives `input`; autofill and a cleared field may give only `change`.
  for (const kind of ["input", "change"]) $("audit-form").addEventListener(kind, showAuditCommand);
  $("import-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    importText(form.get("text"), form.get("from"));
  });
  $("import-file").addEventListener("change", (event) => importFile(event.target.files[0]));
  const drop = $("import");
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("dragging"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("dragging"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("dragging");
    importFile(event.dataTransfer.files[0]);
  });
  $("format-suite").addEventListener("click", () => { const s = parseEditor(); if (s) setEditor(JSON.stringify(s)); });
  $("save-suite").addEventListener("click", () => {
    const s = parseEditor();
    const name = s && typeof s.name === "string" ? s.name.replace(/[^\w.-]+/g, "-") : "suite";
    download(`${name}.json`, $("suite-editor").value);
  });
  $("load-file").addEventListener("change", async (event) => {
    const [file] = event.target.files;
    if (file) setEditor(await file.text());
  });
  $("load-results").addEventListener("change", async (event) => {
    const [file] = event.target.files;
    if (!file) return;
    try {
      const count = controller.addReports(JSON.parse(await file.text()));
      $("run-status").textContent = `Loaded ${count} report(s) from ${file.name}.`;
    } catch (e) {
      $("run-status").textContent = `Cannot read ${file.name}: ${e.message}`;
    }
    event.target.value = "";
  });
  $("share-link").addEventListener("click", shareLink);
  $("toggle-suite").addEventListener("click", () => setCollapsed(!$("suite-section").classList.contains("collapsed")));
  $("dock-suite").addEventListener("click", () => setDock($("main").dataset.dock === "side" ? "bottom" : "side"));
  $("theme").addEventListener("change", (event) => setTheme(event.target.value));
  $("run").addEventListener("click", () => {
    run($("suite-editor").value, { concurrency: Number($("concurrency").value) || 1 });
  });
  $("stop").addEventListener("click", () => controller.stop());
  $("export-results").addEventListener("click", () => {
    if (controller.runState.report) download("cors-harness-results.json", JSON.stringify(controller.runState.report, null, 2));
  });
  window.addEventListener("hashchange", () => { const shared = suiteFromFragment(); if (shared) setEditor(shared); });
  setEditor(await initialSuite());
  $("run").disabled = false;
  $("audit-run").disabled = false;
  $("run-status").textContent = "Ready.";

  // For the command-line runner (through WebDriver): start a run, then poll it.
  window.corsHarness = {
    ready: true,
    /** Whether this build of the engine imports DevTools requests (importRequests). */
    canImport: typeof harness.importRequests === "function",
    start(text, options) { controller.runState.finished = false; run(text, options); return true; },
    poll(from) {
      const state = controller.runState;
      return { events: state.events.slice(from), finished: state.finished, report: state.finished ? state.report : null, error: state.error };
    },
    /** Adds reports (one or an array, as `cors-harness run --format json` writes) for the matrix views. */
    loadReports(value) { return controller.addReports(typeof value === "string" ? JSON.parse(value) : value); },
  };
}

main().catch((error) => {
  $("run-status").textContent = `The engine failed to start: ${error}`;
});
