// The results controller shared by the harness page and the embeddable panel: run, stop
// and progress; the results table with filters, search and keyboard navigation; the
// matrix views (case by origin, case by browser) over loaded reports; the detail view.
// Everything from a server, a suite or a results file is rendered as text, never as HTML.
import { el, badge, caseName, COLUMNS, OUTCOMES, pendingCells, resultCells, summaryText, detailNodes, reasonText, verdict } from "./render.js";

/** Below this width (of the controller's own box) the detail opens under its row instead of beside the table. */
const BESIDE_MIN_WIDTH = 900;

const VIEWS = [["results", "Results"], ["origin", "By origin"], ["browser", "By browser"]];

function options(values) {
  return values.map(([value, label]) => el("option", { value }, label));
}

/** A report's results as a list, or a message naming the field that is wrong. */
export function parseReports(value) {
  const reports = Array.isArray(value) ? value : [value];
  reports.forEach((report, i) => {
    const where = Array.isArray(value) ? `[${i}]` : "the report";
    if (!report || typeof report !== "object") throw new Error(`${where} is not a report object`);
    if (!Array.isArray(report.results)) throw new Error(`${where}.results is missing (expected the output of cors-harness run --format json)`);
    report.results.forEach((r, j) => {
      if (!r || typeof r.id !== "string" || typeof r.outcome !== "string") throw new Error(`${where}.results[${j}] has no id or outcome`);
    });
  });
  return reports;
}

/** Single quotes for a POSIX shell. */
function shellQuote(text) {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${String(text).replace(/'/g, "'\\''")}'`;
}

/** `text` as an origin (`https://app.example.com/` gives `https://app.example.com`), else as typed. */
function asOrigin(text) {
  try { const origin = new URL(text).origin; return origin === "null" ? text : origin; } catch { return text; }
}

/**
 * The audit a page cannot do alone: it cannot become another origin, so the attacker
 * pages come from `cors-harness audit`. Returns that command for `url` (with the user's
 * cookie when given), and the suite the page can run itself: does its own origin read
 * `url` with credentials, and without?
 */
export function auditPlan(url, legitimateOrigin, cookie = "") {
  const named = asOrigin(String(legitimateOrigin ?? "").trim());
  const origin = named && named !== "null" ? named : "https://app.example.com";
  // One option a line, as a shell reads it: at 390 px nothing wraps inside an option.
  const lines = [`cors-harness audit ${shellQuote(url)}`, `--origin ${shellQuote(origin)}`];
  if (cookie.trim()) lines.push(`--cookie ${shellQuote(cookie.trim())}`);
  lines.push("--browser all");
  const command = lines.join(" \\\n  ");
  const suite = {
    name: "audit from this page's origin",
    description: "A credentialed fetch from this page's own origin (the attacker origins need cors-harness audit).",
    cases: [
      { id: "audit-credentialed", url, credentials: "include", description: "Can this origin read it with the user's cookies?" },
      { id: "audit-uncredentialed", url, credentials: "omit", description: "Can it read it without cookies (public)?" },
    ],
  };
  return { command, suite, origin };
}

/**
 * What the page's own origin (`origin`) could read, from the audit suite's report, as a
 * sentence and its level (`exploitable`, `expected`, `refused`, `none`); `legitimate` is
 * the app's origin the user named (empty: this page is the app).
 */
export function auditVerdict(report, origin, legitimate = "") {
  const find = (id) => report?.results?.find((r) => r.id === id);
  const withCookies = find("audit-credentialed");
  const without = find("audit-uncredentialed");
  if (!withCookies) return { level: "none", text: "No result: see the status above." };
  const app = asOrigin(String(legitimate).trim());
  if (withCookies.outcome === "allowed") {
    const status = `status ${withCookies.status ?? "-"}`;
    if (app && app !== origin) {
      return { level: "exploitable", text: `${origin} is not your app's origin (${app}), yet it reads the response with credentials (${status}): exploitable, the API lets a page on another origin read it with your users' cookies. Run the command below to see which origins can.` };
    }
    return { level: "expected", text: `${origin} (your app's origin) reads it with credentials (${status}), as it should. Whether attacker origins can too takes pages at those origins: run the command below.` };
  }
  const publicNote = without?.outcome === "allowed" ? " It is readable without credentials (public)." : "";
  return { level: "refused", text: `${origin} cannot read it with credentials (${withCookies.outcome}${withCookies.reason ? `, ${withCookies.reason}` : ""}).${publicNote}` };
}

/**
 * What a page does with a suite's preset `cookies`, in words, or null without any. A page
 * cannot set an HttpOnly cookie (document.cookie refuses it) nor one for another site, so
 * it sets none: the cookie report assumes them (the harness's inference), and the runner
 * presets them for real in a fresh profile.
 */
export function presetCookieNote(cookies) {
  if (!Array.isArray(cookies) || !cookies.length) return null;
  const names = cookies.map((c) => {
    const marks = [c?.http_only ? "HttpOnly" : null, c?.partitioned ? "Partitioned" : null].filter(Boolean);
    return `${c?.name ?? "?"}${marks.length ? ` (${marks.join(", ")})` : ""}`;
  });
  return `This page does not set the suite's ${cookies.length} preset cookie(s): ${names.join(", ")}. A page cannot set HttpOnly cookies, nor cookies for another site, so the browser sends only cookies it already holds; the cookie report assumes the presets were set (the harness's inference, likely). To preset them for real in a fresh browser profile, as if the user had logged in, run the suite with cors-harness run.`;
}

export class ResultsController {
  /**
   * @param {{ runSuite: (suite: object|string, options: object) => Promise<object>, probeEndpoint?: () => object|undefined,
   *   status: (text: string) => void, runButton: HTMLButtonElement, stopButton: HTMLButtonElement, origin: string }} options
   */
  constructor({ runSuite, probeEndpoint = () => undefined, status, runButton, stopButton, origin }) {
    Object.assign(this, { runSuite, probeEndpoint, status, runButton, stopButton });
    this.browser = "this browser";
    this.live = { label: "this page", origin, browser: null, results: [], summary: null };
    this.reports = [this.live];
    this.current = this.live;
    this.view = "results";
    this.rows = [];
    this.selected = null;
    this.runState = { controller: null, events: [], finished: true, report: null, error: null };
    this.element = this.#build();
    new ResizeObserver(() => { if (this.selected) this.#place(); }).observe(this.element);
  }

  #part(name) { return this.element.querySelector(`[data-part="${name}"]`); }

  #build() {
    const viewButtons = VIEWS.map(([value, label]) => {
      const b = el("button", { type: "button", "data-view": value, "aria-pressed": String(value === "results") }, label);
      b.addEventListener("click", () => this.setView(value));
      return b;
    });
    const outcome = el("select", { "data-part": "filter-outcome", id: "filter-outcome" },
      ...options([["", "any outcome"], ...OUTCOMES.map((o) => [o, o])]));
    const verdictSelect = el("select", { "data-part": "filter-verdict", id: "filter-verdict" },
      ...options([["", "any expectation"], ["fail", "failed"], ["pass", "passed"], ["none", "no expectation"]]));
    const search = el("input", { type: "search", "data-part": "search", id: "search", placeholder: "Search cases, URLs, reasons", "aria-label": "Search cases, URLs and reasons" });
    const differs = el("input", { type: "checkbox", "data-part": "only-differences" });
    const reportSelect = el("select", { "data-part": "report", "aria-label": "Report shown in the table" });
    for (const input of [outcome, verdictSelect, differs]) input.addEventListener("change", () => this.applyFilters());
    search.addEventListener("input", () => this.applyFilters());
    search.addEventListener("keydown", (event) => { if (event.key === "ArrowDown") { event.preventDefault(); this.#focusRow(0); } });
    reportSelect.addEventListener("change", () => { this.current = this.reports[Number(reportSelect.value)] ?? this.live; this.render(); });
    const filters = el("div", { class: "toolbar filters", role: "group", "aria-label": "Views and filters" },
      el("span", { class: "segmented", role: "group", "aria-label": "View" }, ...viewButtons),
      el("label", { class: "report-choice", hidden: "" }, "Report ", reportSelect),
      el("label", {}, el("span", { class: "sr-only" }, "Outcome"), outcome),
      el("label", {}, el("span", { class: "sr-only" }, "Expectation"), verdictSelect),
      el("label", { class: "differs-choice", hidden: "" }, differs, " only differences"),
      search, el("span", { class: "muted", "data-part": "count", role: "status" }));
    const table = el("table", { class: "results", id: "results", "data-part": "table" },
      el("caption", { class: "sr-only" }, "Results: arrow keys move between cases, Enter opens one, Escape closes it"),
      el("thead", {}, el("tr", {}, ...COLUMNS.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", { class: "results", "data-part": "rows" }));
    const close = el("button", { type: "button", class: "close", "aria-label": "Close the detail (Escape)" }, "✕ Close");
    close.addEventListener("click", () => this.close());
    const detail = el("section", { class: "detail", id: "detail", "data-part": "detail", hidden: "", "aria-labelledby": "detail-title", tabindex: "-1" },
      el("div", { class: "detail-head" }, el("h3", { id: "detail-title", "data-part": "detail-title" }), close),
      el("div", { id: "detail-body", "data-part": "detail-body" }));
    const root = el("div", { class: "harness" }, filters,
      el("div", { class: "layout", "data-part": "layout" },
        el("div", { class: "results-area" },
          el("p", { class: "note cookie-note", id: "cookie-note", "data-part": "cookie-note", role: "note", hidden: "" }),
          table, el("div", { "data-part": "matrix", class: "matrix", hidden: "" }),
          el("p", { class: "empty muted", "data-part": "empty", hidden: "" }, "No case matches the filters."),
          el("p", { class: "summary", id: "summary", "data-part": "summary" })),
        detail));
    root.addEventListener("keydown", (event) => this.#onKey(event));
    return root;
  }

  // ---- running ------------------------------------------------------------------

  /** Shows a suite's cases as pending rows (not while a run is going on). */
  showCases(cases, cookies) {
    if (!this.runState.finished) return;
    this.#showCookieNote(cookies);
    this.live.results = [];
    this.live.summary = null;
    this.live.pending = cases.map((item, i) => (item && typeof item.id === "string" ? item.id : `cases[${i}]`));
    this.current = this.live;
    this.render();
  }

  /** Says what the page does with the suite's preset cookies (nothing shown without any). */
  #showCookieNote(cookies) {
    const note = this.#part("cookie-note");
    const text = presetCookieNote(cookies);
    note.textContent = text ?? "";
    note.hidden = !text;
  }

  /** Runs a suite (object or JSON text); `render: false` skips the table (very large automated runs);
   *  `observedByRunner`: the runner explains requests from the browser's network events, so the page repeats none. */
  async run(suite, { concurrency, render = true, onProgress, observedByRunner = false } = {}) {
    let parsed = suite;
    if (typeof suite === "string") { try { parsed = JSON.parse(suite); } catch { parsed = null; } }
    const items = parsed && Array.isArray(parsed.cases) ? parsed.cases : [];
    this.#showCookieNote(parsed?.cookies);
    const state = { controller: new AbortController(), events: [], finished: false, report: null, error: null };
    this.runState = state;
    Object.assign(this.live, { results: [], summary: null, stopped: false, browser: this.browser,
      pending: render ? items.map((item, i) => (item && typeof item.id === "string" ? item.id : `cases[${i}]`)) : [] });
    this.current = this.live;
    this.close();
    this.render();
    this.runButton.disabled = true;
    this.stopButton.disabled = false;
    this.status(`Running ${items.length} case(s)…`);
    try {
      const report = await this.runSuite(suite, {
        concurrency,
        probeEndpoint: this.probeEndpoint(),
        observedByRunner,
        signal: state.controller.signal,
        onProgress: (progress) => {
          const { done, total, index, result } = progress;
          this.live.results[index] = result;
          state.events.push({ index, result });
          if (render) this.#renderRow(index);
          this.status(`${done} of ${total} done`);
          onProgress?.(progress);
        },
      });
      state.report = report;
      Object.assign(this.live, { results: report.results, summary: report.summary, stopped: report.stopped, origin: report.origin ?? this.live.origin, browser: report.browser ?? this.browser });
      if (render) this.render();
      this.status(report.stopped ? "Stopped." : "Done.");
      return report;
    } catch (error) {
      state.error = { name: error.name, message: error.message };
      this.status(`${error.name}: ${error.message}`);
      throw error;
    } finally {
      state.finished = true;
      this.runButton.disabled = false;
      this.stopButton.disabled = true;
    }
  }

  /** Stops the run before the next case starts. */
  stop() { this.runState.controller?.abort(); }

  /** Adds reports from a results file (`cors-harness run --format json`: one report or an array). */
  addReports(value) {
    const reports = parseReports(value).map((r) => ({ ...r, label: `${r.browser ?? "?"} · ${r.origin ?? "?"}` }));
    this.reports.push(...reports);
    this.current = reports[0];
    const origins = new Set(this.#entries("origin").map((e) => e.key));
    const browsers = new Set(this.#entries("browser").map((e) => e.key));
    this.setView(browsers.size > 1 ? "browser" : origins.size > 1 ? "origin" : "results");
    return reports.length;
  }

  // ---- rendering -----------------------------------------------------------------

  setView(view) {
    this.view = view;
    for (const b of this.element.querySelectorAll("[data-view]")) b.setAttribute("aria-pressed", String(b.dataset.view === view));
    this.close();
    this.render();
  }

  render() {
    const reopen = this.selected;
    if (reopen) this.close();
    const withResults = this.reports.filter((r) => r.results.length || r === this.live);
    const select = this.#part("report");
    select.replaceChildren(...withResults.map((r) => el("option", { value: String(this.reports.indexOf(r)) }, r.label)));
    select.value = String(this.reports.indexOf(this.current));
    this.element.querySelector(".report-choice").hidden = this.view !== "results" || withResults.length < 2;
    this.element.querySelector(".differs-choice").hidden = this.view === "results";
    this.#part("table").hidden = this.view !== "results";
    this.#part("matrix").hidden = this.view === "results";
    if (this.view === "results") {
      const report = this.current;
      const count = Math.max(report.results.length, report.pending?.length ?? 0);
      this.rows = Array.from({ length: count }, (_, i) => {
        const tr = el("tr", { "data-index": String(i) });
        tr.addEventListener("click", () => this.open(report, i));
        return tr;
      });
      this.#part("rows").replaceChildren(...this.rows);
      this.rows.forEach((_, i) => this.#renderRow(i));
      this.#part("summary").textContent = report.summary ? summaryText(report.summary, report.stopped) : "";
    } else {
      this.#part("matrix").replaceChildren(this.#matrix(this.view));
      this.#part("summary").textContent = "";
    }
    this.applyFilters();
    if (reopen && reopen.report === this.current && this.view === "results") this.open(reopen.report, reopen.index);
  }

  #renderRow(index) {
    const tr = this.rows[index];
    const result = this.current.results[index];
    if (!tr) return;
    if (result) {
      tr.replaceChildren(...resultCells(index, result));
      tr.dataset.outcome = result.outcome;
      tr.dataset.verdict = verdict(result);
      tr.dataset.search = [result.id, result.url, reasonText(result), result.outcome].join(" ").toLowerCase();
      tr.classList.toggle("failed", result.pass === false);
    } else {
      const id = this.current.pending?.[index] ?? `cases[${index}]`;
      tr.replaceChildren(...pendingCells(index, id));
      Object.assign(tr.dataset, { outcome: "pending", verdict: "none", search: id.toLowerCase() });
    }
    if (this.selected?.report === this.current && this.selected.index === index) tr.classList.add("selected");
    this.#applyOne(tr);
  }

  /** Every result of every report, keyed by origin or browser. */
  #entries(dimension) {
    return this.reports.flatMap((report) => report.results.map((result, index) => ({
      report, index, result,
      key: dimension === "origin" ? result.origin ?? report.origin ?? "?" : report.browser ?? "?",
      other: dimension === "origin" ? report.browser ?? "?" : result.origin ?? report.origin ?? "?",
    })));
  }

  #matrix(dimension) {
    const entries = this.#entries(dimension);
    const columns = [...new Set(entries.map((e) => e.key))];
    const cases = new Map();
    for (const e of entries) {
      if (!cases.has(e.result.id)) cases.set(e.result.id, []);
      cases.get(e.result.id).push(e);
    }
    const hint = columns.length < 2
      ? el("p", { class: "muted" }, `One ${dimension} only: load results from ${dimension === "origin" ? "other origins" : "other browsers"} (cors-harness run --format json) to compare.`)
      : el("p", { class: "muted" }, `${columns.length} ${dimension}s; rows marked “differs” do not get the same outcome everywhere.`);
    const rows = [...cases].map(([id, list]) => {
      const outcomes = new Set(list.map((e) => `${e.result.outcome}/${verdict(e.result)}`));
      const differs = outcomes.size > 1;
      const first = caseName(id);
      first.addEventListener("click", () => this.open(list[0].report, list[0].index, first.closest("tr")));
      const cells = columns.map((key) => el("td", { "data-label": key }, ...list.filter((e) => e.key === key).map((e) => {
        const b = el("button", { type: "button", class: "cell-link" }, badge(e.result.outcome), verdict(e.result) === "fail" ? " fail" : "",
          el("span", { class: "sr-only" }, ` (${id} in ${key}${e.other !== "?" ? `, ${e.other}` : ""})`));
        b.addEventListener("click", (event) => { event.stopPropagation(); this.open(e.report, e.index, b.closest("tr")); });
        return b;
      })));
      const tr = el("tr", { class: differs ? "differs" : "", "data-outcomes": [...outcomes].join(" "),
        "data-verdicts": list.map((e) => verdict(e.result)).join(" "), "data-search": id.toLowerCase() },
      el("td", { class: "case", "data-label": "Case" }, first), ...cells,
      el("td", { "data-label": "Across", class: differs ? "differs-mark" : "muted" }, differs ? "≠ differs" : "same"));
      return tr;
    });
    return el("div", {}, hint, el("table", { class: "results matrix-table" },
      el("caption", { class: "sr-only" }, `Cases by ${dimension}`),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Case"), ...columns.map((c) => el("th", { scope: "col", class: "key" }, c)), el("th", { scope: "col" }, "Across"))),
      el("tbody", {}, ...rows)));
  }

  // ---- filters ---------------------------------------------------------------------

  #filters() {
    return {
      outcome: this.#part("filter-outcome").value,
      verdict: this.#part("filter-verdict").value,
      text: this.#part("search").value.trim().toLowerCase(),
      differs: this.#part("only-differences").checked,
    };
  }

  #matches(tr, f) {
    const d = tr.dataset;
    if (d.outcomes != null) {
      return (!f.outcome || d.outcomes.split(" ").some((o) => o.startsWith(`${f.outcome}/`)))
        && (!f.verdict || d.verdicts.split(" ").includes(f.verdict))
        && (!f.differs || tr.classList.contains("differs"))
        && (!f.text || d.search.includes(f.text));
    }
    return (!f.outcome || d.outcome === f.outcome) && (!f.verdict || d.verdict === f.verdict) && (!f.text || d.search.includes(f.text));
  }

  #applyOne(tr) { tr.hidden = !this.#matches(tr, this.#filters()); }

  #visibleRows() {
    const body = this.view === "results" ? this.#part("rows") : this.#part("matrix").querySelector("tbody");
    return body ? [...body.rows].filter((tr) => !tr.hidden && !tr.classList.contains("detail-row")) : [];
  }

  applyFilters() {
    const f = this.#filters();
    const body = this.view === "results" ? this.#part("rows") : this.#part("matrix").querySelector("tbody");
    const all = body ? [...body.rows].filter((tr) => !tr.classList.contains("detail-row")) : [];
    for (const tr of all) tr.hidden = !this.#matches(tr, f);
    const shown = all.filter((tr) => !tr.hidden).length;
    this.#part("count").textContent = all.length ? `${shown} of ${all.length} shown` : "";
    this.#part("empty").hidden = !(all.length && !shown);
  }

  // ---- keyboard and detail -----------------------------------------------------------

  #focusRow(position) {
    const rows = this.#visibleRows();
    const tr = rows[Math.max(0, Math.min(rows.length - 1, position))];
    const button = tr?.querySelector(".case-link");
    if (!button) return;
    button.focus();
    if (this.selected) button.click();
  }

  #onKey(event) {
    if (event.key === "Escape" && this.selected) {
      event.preventDefault();
      const row = this.selected.row;
      this.close();
      row?.querySelector(".case-link")?.focus();
      return;
    }
    const tr = event.target.closest?.("tr");
    if (!tr || !event.target.matches(".case-link, .cell-link") || tr.classList.contains("detail-row")) return;
    const rows = this.#visibleRows();
    const at = rows.indexOf(tr);
    const moves = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: rows.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      this.#focusRow(moves[event.key]);
    }
  }

  /** Opens the detail of one result of `report` (beside the table, or under its row when narrow). */
  open(report, index, row) {
    const result = report.results[index];
    row ??= report === this.current && this.view === "results" ? this.rows[index] : null;
    for (const tr of this.element.querySelectorAll("tr.selected")) tr.classList.remove("selected");
    row?.classList.add("selected");
    if (!result) return;
    this.selected = { report, index, row };
    const detail = this.#part("detail");
    detail.hidden = false;
    this.#part("detail-title").textContent = `${result.id}: ${result.outcome}${result.status != null ? ` (${result.status})` : ""}`;
    this.#part("detail-body").replaceChildren(...detailNodes(result, { origin: report.origin, browser: report.browser ?? this.browser }));
    this.#place();
    detail.scrollTop = 0;
    const box = detail.getBoundingClientRect();
    if (box.top < 0 || box.top > innerHeight - 80) detail.scrollIntoView({ block: "nearest" });
  }

  /** Beside the table when there is room, else in a row under the selected one. */
  #place() {
    const detail = this.#part("detail");
    const layout = this.#part("layout");
    const beside = this.element.clientWidth >= BESIDE_MIN_WIDTH || !this.selected?.row;
    for (const old of this.element.querySelectorAll("tr.detail-row")) if (!old.contains(detail) || beside) old.remove();
    layout.classList.toggle("with-detail", beside && Boolean(this.selected));
    if (beside) { if (detail.parentElement !== layout) layout.append(detail); return; }
    const row = this.selected.row;
    if (row.nextElementSibling?.contains(detail)) return;
    const holder = el("tr", { class: "detail-row" }, el("td", { colspan: String(row.cells.length) }, detail));
    row.after(holder);
  }

  close() {
    const detail = this.#part("detail");
    detail.hidden = true;
    this.selected = null;
    this.#part("layout").append(detail);
    for (const old of this.element.querySelectorAll("tr.detail-row")) old.remove();
    for (const tr of this.element.querySelectorAll("tr.selected")) tr.classList.remove("selected");
    this.#part("layout").classList.remove("with-detail");
  }
}
