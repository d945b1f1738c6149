// <cors-harness-panel>: the harness in a front end's debug panel. It runs the suite from
// the host app's own origin, so the verdicts are exactly what that app will meet.
// Styles live in a shadow root (nothing leaks in or out); it follows the host's colour
// scheme and can be collapsed.
import * as harness from "./cors_harness.js";
import { MEANING, el, pendingCells, resultCells, summaryText, detailNodes } from "./render.js";

let engineReady;
/** Loads the engine once: the `web` build needs `init()`, the `bundler` build is ready on import. */
function engine() {
  engineReady ??= typeof harness.default === "function" ? harness.default() : Promise.resolve();
  return engineReady;
}

const STYLES = `
:host {
  all: initial; display: block; contain: content;
  color-scheme: inherit;
  --bg: light-dark(#fdfdfc, #15181c); --fg: light-dark(#1d2125, #e6e9ed); --muted: light-dark(#5b6470, #a0a8b3);
  --line: light-dark(#d7dbe0, #343a42); --panel: light-dark(#f3f5f7, #1d2228); --accent: light-dark(#0b5cad, #6cb0ff);
  --allowed: light-dark(#1e7b34, #5cc878); --blocked: light-dark(#b3261e, #ff8a80); --unreachable: light-dark(#8a5a00, #f0b64f);
  --timeout: light-dark(#6b4fa3, #b9a2f0); --invalid: light-dark(#4a5563, #b6bfca);
  font: 13px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg);
  border: 1px solid var(--line); border-radius: 8px;
}
:host([theme="light"]) { color-scheme: light; }
:host([theme="dark"]) { color-scheme: dark; }
* { box-sizing: border-box; }
header { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 6px 10px; border-bottom: 1px solid var(--line); }
header h2 { font-size: 14px; margin: 0; }
header .context { color: var(--muted); flex: 1; min-width: 12em; }
button { font: inherit; color: inherit; border: 1px solid var(--line); background: var(--panel); border-radius: 6px; padding: 2px 10px; cursor: pointer; }
button.primary { background: var(--accent); color: var(--bg); border-color: var(--accent); }
button:disabled { opacity: .5; cursor: default; }
.body { padding: 6px 10px 10px; }
:host([collapsed]) .body { display: none; }
:host([collapsed]) header { border-bottom: none; }
.notice { border-left: 3px solid var(--unreachable); padding: 2px 8px; color: var(--muted); }
table { width: 100%; border-collapse: collapse; font-size: 12px; }
th, td { text-align: left; padding: 3px 5px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
tbody.results tr { cursor: pointer; }
tbody.results tr:hover, tbody.results tr.selected { background: var(--panel); }
td.case, td.headers { overflow-wrap: anywhere; max-width: 16em; }
td.headers { color: var(--muted); }
.badge { display: inline-block; border-radius: 4px; padding: 0 5px; font-weight: 600; border: 1px solid currentColor; }
.outcome-allowed { color: var(--allowed); } .outcome-allowed::before { content: "✓ "; }
.outcome-blocked { color: var(--blocked); } .outcome-blocked::before { content: "✕ "; }
.outcome-unreachable { color: var(--unreachable); } .outcome-unreachable::before { content: "⌁ "; }
.outcome-timeout { color: var(--timeout); } .outcome-timeout::before { content: "⧗ "; }
.outcome-invalid { color: var(--invalid); } .outcome-invalid::before { content: "! "; }
.outcome-pending { color: var(--muted); }
.pass { color: var(--allowed); font-weight: 600; } .fail, .disagree { color: var(--blocked); font-weight: 600; }
.summary, .muted { color: var(--muted); }
.detail { margin-top: 8px; border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; background: var(--panel); }
.detail h3 { font-size: 13px; margin: 2px 0; overflow-wrap: anywhere; }
.detail h4 { font-size: 13px; margin: 8px 0 2px; overflow-wrap: anywhere; }
.detail h5 { font-size: 12px; margin: 4px 0 2px; overflow-wrap: anywhere; }
.detail pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 11px; max-height: 320px; overflow: auto; }
.exchange { padding-left: 18px; }
table.wire { font: 11px/1.35 ui-monospace, monospace; }
table.wire th { width: 15em; color: var(--fg); }
table.wire td { overflow-wrap: anywhere; }
.fault, tr.fault th, tr.fault td { background: color-mix(in srgb, var(--blocked) 18%, transparent); }
li.failed-step > h5::after { content: "  ← failed here"; color: var(--blocked); }
.disagreement { border: 2px solid var(--blocked); padding: 4px 8px; font-weight: 600; }
code { font-size: 11px; }
`;

/** `<cors-harness-panel suite-url="/cors-suite.json" [collapsed] [autorun] [concurrency="4"] [theme="light|dark"]>` */
export class CorsHarnessPanel extends HTMLElement {
  static observedAttributes = ["suite-url", "collapsed"];

  #root;
  #suite = null;
  #results = [];
  #rows = [];
  #report = null;
  #controller = null;
  #probeEndpoint = undefined;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    this.#root.append(el("style", {}, STYLES));
    this.#root.append(this.#skeleton());
  }

  /** The suite (an object, or JSON text); setting it shows its cases. */
  get suite() { return this.#suite; }
  set suite(value) {
    this.#suite = typeof value === "string" ? JSON.parse(value) : value;
    this.#showSuite();
  }

  /** The last report, or null. */
  get report() { return this.#report; }

  /** A probe endpoint on the host's origin ({ url, secret }), for exact reasons. */
  get probeEndpoint() { return this.#probeEndpoint; }
  set probeEndpoint(value) { this.#probeEndpoint = value; }

  get collapsed() { return this.hasAttribute("collapsed"); }
  set collapsed(value) { this.toggleAttribute("collapsed", Boolean(value)); }

  connectedCallback() {
    engine().then(() => harness.describeBrowser()).then((name) => {
      this.#part("context").textContent = `from ${location.origin} in ${name}`;
    }).catch((error) => { this.#status(`The engine failed to load: ${error}`); });
    if (globalThis.crossOriginIsolated) {
      this.#part("notice").hidden = false;
      this.#part("notice").textContent =
        "This page is cross-origin isolated (COOP/COEP): the no-cors probe that tells blocked from unreachable is itself blocked " +
        "unless the server sends Cross-Origin-Resource-Policy, so the harness checks with an extra plain request and says when it cannot tell.";
    }
    if (this.hasAttribute("suite-url") && !this.#suite) this.#load(this.getAttribute("suite-url"));
  }

  attributeChangedCallback(name, _old, value) {
    if (name === "suite-url" && value && this.isConnected) this.#load(value);
    if (name === "collapsed") this.#part("toggle").setAttribute("aria-expanded", String(value === null));
  }

  /** Runs the suite; resolves with the report. */
  async run() {
    if (!this.#suite) throw new Error("cors-harness-panel: no suite to run");
    await engine();
    this.#controller = new AbortController();
    this.#results = [];
    this.#report = null;
    this.#showSuite();
    this.#part("run").disabled = true;
    this.#part("stop").disabled = false;
    this.#status("Running…");
    const concurrency = Number(this.getAttribute("concurrency")) || undefined;
    try {
      const report = await harness.runSuite(this.#suite, {
        concurrency,
        signal: this.#controller.signal,
        probeEndpoint: this.#probeEndpoint,
        onProgress: ({ done, total, index, result }) => {
          this.#results[index] = result;
          this.#rows[index]?.replaceChildren(...resultCells(index, result));
          this.#status(`${done} of ${total} done`);
          this.dispatchEvent(new CustomEvent("cors-harness-progress", { detail: { done, total, index, result } }));
        },
      });
      this.#report = report;
      this.#part("summary").textContent = summaryText(report.summary, report.stopped);
      this.#status(report.stopped ? "Stopped." : "Done.");
      this.dispatchEvent(new CustomEvent("cors-harness-done", { detail: report }));
      return report;
    } catch (error) {
      this.#status(`${error.name}: ${error.message}`);
      throw error;
    } finally {
      this.#part("run").disabled = false;
      this.#part("stop").disabled = true;
    }
  }

  /** Stops the run before the next case starts. */
  stop() { this.#controller?.abort(); }

  #part(name) { return this.#root.querySelector(`[data-part="${name}"]`); }
  #status(text) { this.#part("status").textContent = text; }

  #skeleton() {
    const toggle = el("button", { type: "button", "data-part": "toggle", "aria-expanded": "true", title: "Collapse or expand" }, "▾");
    toggle.addEventListener("click", () => { this.collapsed = !this.collapsed; });
    const run = el("button", { type: "button", class: "primary run", "data-part": "run", disabled: "" }, "Run");
    run.addEventListener("click", () => { this.run().catch(() => {}); });
    const stop = el("button", { type: "button", "data-part": "stop", disabled: "" }, "Stop");
    stop.addEventListener("click", () => this.stop());
    const header = el("header", {}, toggle, el("h2", {}, "CORS harness"), el("span", { class: "context", "data-part": "context" }, ""),
      run, stop, el("span", { role: "status", "aria-live": "polite", "data-part": "status" }, "Loading…"));
    const table = el("table", {},
      el("thead", {}, el("tr", {}, ...["#", "Case", "Outcome", "Status", "Preflight", "Readable headers", "Reason", "Expectation", "ms"].map((h) => el("th", {}, h)))),
      el("tbody", { class: "results", "data-part": "rows" }));
    const detail = el("section", { class: "detail", "data-part": "detail", hidden: "" });
    const notice = el("p", { class: "notice", "data-part": "notice", hidden: "" });
    return el("div", { class: "frame" }, header,
      el("div", { class: "body" }, notice, el("p", { class: "muted", "data-part": "suite-name" }, "No suite loaded."), table,
        el("p", { class: "summary", "data-part": "summary" }), detail));
  }

  async #load(url) {
    this.#status(`Loading ${url}…`);
    try {
      const response = await fetch(url, { cache: "no-store" });
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      this.suite = await response.json();
      this.#status("Ready.");
      if (this.hasAttribute("autorun")) this.run().catch(() => {});
    } catch (error) {
      this.#status(`Cannot load the suite from ${url}: ${error.message}`);
    }
  }

  #showSuite() {
    const cases = Array.isArray(this.#suite?.cases) ? this.#suite.cases : [];
    this.#part("suite-name").textContent = `${this.#suite?.name ?? "unnamed suite"}: ${cases.length} case(s)`;
    this.#rows = cases.map((item, index) => {
      const id = item && typeof item.id === "string" ? item.id : `cases[${index}]`;
      const row = el("tr", { tabindex: "0" }, ...pendingCells(index, id));
      const open = () => this.#showDetail(index);
      row.addEventListener("click", open);
      row.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); open(); } });
      return row;
    });
    this.#part("rows").replaceChildren(...this.#rows);
    this.#part("summary").textContent = "";
    this.#part("detail").hidden = true;
    this.#part("run").disabled = !cases.length;
  }

  #showDetail(index) {
    const result = this.#results[index];
    this.#rows.forEach((row, i) => row.classList.toggle("selected", i === index));
    if (!result) return;
    const detail = this.#part("detail");
    detail.hidden = false;
    detail.replaceChildren(
      el("h3", {}, `${result.id}: ${result.outcome}${result.status != null ? ` (${result.status})` : ""}`),
      el("p", {}, [MEANING[result.outcome], result.why ? `Expectation failed: ${result.why}` : ""].join(" ")),
      ...detailNodes(result));
  }
}

if (!customElements.get("cors-harness-panel")) customElements.define("cors-harness-panel", CorsHarnessPanel);

/**
 * Mounts a panel into `element`.
 * @param {Element} element
 * @param {{ suite?: object | string, suiteUrl?: string, collapsed?: boolean, autorun?: boolean, concurrency?: number, theme?: "light" | "dark", probeEndpoint?: { url: string, secret: string } }} [options]
 * @returns {CorsHarnessPanel}
 */
export function mountPanel(element, options = {}) {
  const panel = document.createElement("cors-harness-panel");
  if (options.collapsed) panel.setAttribute("collapsed", "");
  if (options.autorun) panel.setAttribute("autorun", "");
  if (options.concurrency) panel.setAttribute("concurrency", String(options.concurrency));
  if (options.theme) panel.setAttribute("theme", options.theme);
  if (options.probeEndpoint) panel.probeEndpoint = options.probeEndpoint;
  if (options.suiteUrl) panel.setAttribute("suite-url", options.suiteUrl);
  element.append(panel);
  if (options.suite) {
    panel.suite = options.suite;
    if (options.autorun) panel.run().catch(() => {});
  }
  return panel;
}
