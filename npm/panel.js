// <cors-harness-panel>: the harness in a front end's debug panel. It runs the suite from
// the host app's own origin, so the verdicts are exactly what that app will meet.
// Styles live in a shadow root (nothing leaks in or out); it follows the host's colour
// scheme and can be collapsed. The results view (controller.js, render.js, harness.css)
// is the harness page's own, copied beside this file by scripts/package.sh.
import * as harness from "./cors_harness.js";
import { el } from "./render.js";
import { ResultsController } from "./controller.js";

let engineReady;
/** Loads the engine once: the `web` build needs `init()`, the `bundler` build is ready on import. */
function engine() {
  engineReady ??= typeof harness.default === "function" ? harness.default() : Promise.resolve();
  return engineReady;
}

/** `<cors-harness-panel suite-url="/cors-suite.json" [collapsed] [autorun] [concurrency="4"] [theme="light|dark"]>` */
export class CorsHarnessPanel extends HTMLElement {
  static observedAttributes = ["suite-url", "collapsed"];

  #root;
  #suite = null;
  #report = null;
  #probeEndpoint = undefined;
  #results;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    // A stylesheet file, not a <style>: hosts with a strict style-src keep working.
    this.#root.append(el("link", { rel: "stylesheet", href: new URL("./harness.css", import.meta.url).href }));
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
      this.#results.browser = name;
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
    this.#report = null;
    const report = await this.#results.run(this.#suite, {
      concurrency: Number(this.getAttribute("concurrency")) || undefined,
      onProgress: (detail) => this.dispatchEvent(new CustomEvent("cors-harness-progress", { detail })),
    });
    this.#report = report;
    this.dispatchEvent(new CustomEvent("cors-harness-done", { detail: report }));
    return report;
  }

  /** Stops the run before the next case starts. */
  stop() { this.#results.stop(); }

  #part(name) { return this.#root.querySelector(`[data-part="${name}"]`); }
  #status(text) { this.#part("status").textContent = text; }

  #skeleton() {
    const toggle = el("button", { type: "button", "data-part": "toggle", "aria-expanded": "true", "aria-label": "Collapse or expand the CORS harness" }, "▾");
    toggle.addEventListener("click", () => { this.collapsed = !this.collapsed; });
    const run = el("button", { type: "button", class: "primary run", "data-part": "run", disabled: "" }, "Run");
    run.addEventListener("click", () => { this.run().catch(() => {}); });
    const stop = el("button", { type: "button", "data-part": "stop", disabled: "" }, "Stop");
    stop.addEventListener("click", () => this.stop());
    this.#results = new ResultsController({
      runSuite: (suite, options) => harness.runSuite(suite, { ...options, probeEndpoint: this.#probeEndpoint }),
      status: (text) => this.#status(text),
      runButton: run,
      stopButton: stop,
      origin: location.origin,
    });
    const header = el("header", { class: "panel-head" }, toggle, el("h2", {}, "CORS harness"), el("span", { class: "context", "data-part": "context" }, ""),
      run, stop, el("span", { role: "status", "aria-live": "polite", "data-part": "status" }, "Loading…"));
    const notice = el("p", { class: "notice", "data-part": "notice", hidden: "" });
    return el("div", { class: "frame" }, header,
      el("div", { class: "body" }, notice, el("p", { class: "muted", "data-part": "suite-name" }, "No suite loaded."), this.#results.element));
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
    this.#results.showCases(cases, this.#suite?.cookies);
    this.#part("run").disabled = !cases.length;
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
