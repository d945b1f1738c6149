// Rendering shared by the harness page and the embeddable panel. Everything that came
// from a server, a suite or a results file is rendered as text (text nodes), never as HTML.

/** What each outcome means, in a sentence. */
export const MEANING = {
  allowed: "The browser let the page read the response.",
  blocked: "The server answered, but the browser refused the exchange for CORS (or another policy refused it).",
  unreachable: "The request failed without CORS being involved: connection refused, reset or empty reply.",
  timeout: "No settled answer within the case's timeout.",
  invalid: "Refused before any network activity (bad URL, method, header or body, or a malformed case).",
};

export const OUTCOMES = ["allowed", "blocked", "unreachable", "timeout", "invalid"];

/** An element with text children only: strings become text nodes. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function cell(label, text, cls) {
  return el("td", cls ? { class: cls, "data-label": label } : { "data-label": label }, text);
}

/** The outcome as a word in a badge (colour and symbol only add to it). */
export function badge(outcome) {
  return el("span", { class: `badge outcome-${outcome}` }, outcome);
}

/** A long CamelCase name with break opportunities between its words (never inside one). */
export function camelBreaks(text) {
  const span = el("span");
  text.split(/(?<=[a-z])(?=[A-Z])/).forEach((part, i) => { if (i) span.append(el("wbr")); span.append(part); });
  return span;
}

export const COLUMNS = ["#", "Case", "Outcome", "Status", "Preflight", "Readable headers", "Reason", "Expectation", "ms"];

/** A case name whose words never break inside (each word is kept whole, spaces wrap). */
export function caseName(id) {
  const button = el("button", { type: "button", class: "case-link" });
  for (const part of String(id).split(/(\s+)/)) if (part) button.append(/\s/.test(part) ? part : el("span", { class: "word" }, part));
  return button;
}

function caseCell(id) {
  return el("td", { class: "case", "data-label": "Case" }, caseName(id));
}

/** Table cells of a case not run yet. */
export function pendingCells(index, id) {
  return [cell("#", index + 1, "num"), caseCell(id), el("td", { "data-label": "Outcome" }, badge("pending")),
    ...COLUMNS.slice(3).map((c) => cell(c, ""))];
}

/** The reason, or the family when only that is known; marked when browser and harness disagree. */
export function reasonText(result) {
  const likely = result.reason && result.reason_source === "harness" && result.diagnosis?.confidence === "likely";
  const text = result.reason
    ? `${result.reason}${likely ? " (likely)" : ""}`
    : result.diagnosis && result.outcome === "blocked" ? `(${result.diagnosis.family})` : "—";
  return result.disagreement ? `${text} ≠` : text;
}

/** Whether the expectation held: "pass", "fail" or "none". */
export function verdict(result) {
  return result.pass == null ? "none" : result.pass ? "pass" : "fail";
}

/** Readable headers as a count, the names on demand. */
function headersCell(headers) {
  const names = headers ? Object.keys(headers) : [];
  if (!names.length) return cell("Readable headers", headers ? "0" : "—", "headers");
  return el("td", { class: "headers", "data-label": "Readable headers" },
    el("details", {}, el("summary", { title: names.join(", ") }, String(names.length)), el("span", { class: "names" }, names.join(", "))));
}

/** Table cells of a result: #, case, outcome, status, preflight, readable headers, reason, expectation, ms. */
export function resultCells(index, result) {
  const v = verdict(result);
  const reason = el("td", { class: `reason${result.disagreement ? " disagree" : ""}`, "data-label": "Reason" }, camelBreaks(reasonText(result)));
  if (result.disagreement) reason.title = result.disagreement;
  return [
    cell("#", index + 1, "num"), caseCell(result.id), el("td", { "data-label": "Outcome" }, badge(result.outcome)),
    cell("Status", result.status ?? "—"), cell("Preflight", result.preflight == null ? "—" : result.preflight ? "yes" : "no"),
    headersCell(result.headers), reason,
    cell("Expectation", v === "none" ? "—" : v, v === "none" ? "" : v),
    cell("ms", Math.round(result.elapsed_ms), "num"),
  ];
}

export function summaryText(summary, stopped) {
  const s = summary;
  return `${s.allowed} allowed, ${s.blocked} blocked, ${s.unreachable} unreachable, ${s.timeout} timeout, ${s.invalid} invalid · ${s.passed} passed, ${s.failed} failed${stopped ? " · stopped" : ""}`;
}

/** The response header a reason is about, to highlight in the exchange. */
function headerAtFault(reason) {
  if (!reason) return null;
  if (/Origin(Header|Mismatch|Values|Value|NotAllowed)$/.test(reason)) return "access-control-allow-origin";
  if (/AllowCredentials$/.test(reason)) return "access-control-allow-credentials";
  if (/Methods|Method/.test(reason)) return "access-control-allow-methods";
  if (/Headers|Header/.test(reason)) return "access-control-allow-headers";
  if (/Redirect/.test(reason)) return "location";
  return null;
}

/** Which step of the exchange a failed response points at. */
function failedStep(steps, failed) {
  if (!failed) return -1;
  let actuals = 0;
  for (let i = 0; i < steps.length; i++) {
    const kind = steps[i].request.kind;
    const hop = actuals;
    if (kind === "actual") actuals++;
    if (failed.kind === "preflight" && kind === "preflight" && hop === failed.hop) return i;
    if (failed.kind === "actual" && kind === "actual" && hop === failed.hop) return i;
    if (failed.kind === "redirect" && kind === "actual" && hop === failed.hop - 1) return i;
  }
  return -1;
}

const faultMark = () => el("span", { class: "fault-mark" }, "at fault");

function headerTable(lines, highlight) {
  const rows = lines.map(([name, value]) => name.toLowerCase() === highlight
    ? el("tr", { class: "fault" }, el("th", {}, name), el("td", {}, value, " ", faultMark()))
    : el("tr", {}, el("th", {}, name), el("td", {}, value)));
  if (highlight && !lines.some(([name]) => name.toLowerCase() === highlight)) {
    rows.push(el("tr", { class: "fault" }, el("th", {}, highlight), el("td", {}, "(missing) ", faultMark())));
  }
  return el("table", { class: "wire" }, el("tbody", {}, ...rows));
}

/** The exchange as DevTools shows it (general, response headers, request headers), the failed response and header highlighted. */
export function exchangeView(result) {
  const steps = result.exchange?.steps ?? [];
  const diagnosis = result.diagnosis;
  const at = failedStep(steps, diagnosis?.failed_response);
  const fault = headerAtFault(diagnosis?.reason ?? result.reason);
  const items = steps.map((step, i) => {
    const { request, response, error } = step;
    const title = `${request.kind === "preflight" ? "Preflight" : "Request"}: ${request.method} ${request.url}`;
    const statusFault = i === at && diagnosis?.reason === "PreflightInvalidStatus";
    const general = el("table", { class: "wire" }, el("tbody", {},
      el("tr", {}, el("th", {}, "Request URL"), el("td", {}, request.url)),
      el("tr", {}, el("th", {}, "Request Method"), el("td", {}, request.method)),
      el("tr", statusFault ? { class: "fault" } : {}, el("th", {}, "Status Code"),
        response ? el("td", {}, String(response.status), ...(statusFault ? [" ", faultMark()] : [])) : el("td", { class: "fault" }, `(failed) ${error ?? "network error"} `, faultMark()))));
    const parts = [el("h5", {}, title), el("p", { class: "muted" }, "General"), general];
    if (response) {
      parts.push(el("p", { class: "muted" }, `Response headers (${response.status})`), headerTable(response.headers, i === at ? fault : null));
    }
    parts.push(el("p", { class: "muted" }, "Request headers"), headerTable(request.headers, null));
    return el("li", i === at ? { class: "failed-step" } : {}, ...parts);
  });
  return el("ol", { class: "exchange" }, ...items);
}

/** A button that copies `text` to the clipboard and says so; `what` is for screen readers. */
export function copyButton(text, what, label = "Copy") {
  const visible = document.createTextNode(label);
  const button = el("button", { type: "button", class: "copy" }, visible, el("span", { class: "sr-only" }, ` ${what}`));
  button.addEventListener("click", async (event) => {
    event.stopPropagation();
    let ok = true;
    try { await navigator.clipboard.writeText(text); } catch {
      // Without the async clipboard (permissions, older engines): a selected text area.
      const area = el("textarea", { class: "sr-only", readonly: "" }, text);
      button.after(area);
      area.select();
      ok = document.execCommand("copy");
      area.remove();
    }
    visible.data = ok ? "Copied" : "Copy failed";
    setTimeout(() => { visible.data = label; }, 1500);
  });
  return button;
}

function fixNodes(fix) {
  const nodes = [el("p", {}, fix.summary)];
  if (fix.send.length) {
    const lines = fix.send.map(([n, v]) => `${n}: ${v}`);
    nodes.push(el("p", { class: "muted" }, "Send:"),
      el("ul", { class: "fix-lines" }, ...lines.map((line) => el("li", {}, el("code", {}, line), " ", copyButton(line, line)))));
    if (lines.length > 1) nodes.push(el("p", {}, copyButton(lines.join("\n"), "(every header to send)", "Copy all headers")));
  }
  if (fix.stop.length) nodes.push(el("p", {}, "Stop: ", ...fix.stop.flatMap((s, i) => [i ? "; " : "", el("code", {}, s)])));
  fix.snippets.forEach((snippet, i) => {
    nodes.push(el("details", i ? {} : { open: "" }, el("summary", {}, snippet.stack),
      el("div", { class: "snippet" }, copyButton(snippet.code, `the ${snippet.stack} configuration`), el("pre", {}, snippet.code))));
  });
  return nodes;
}

function cookieList(title, entries) {
  if (!entries?.length) return [];
  return [el("p", { class: "muted" }, title), el("ul", {}, ...entries.map((c) => typeof c === "string"
    ? el("li", {}, el("code", {}, c))
    : el("li", {}, el("code", {}, c.name), `: ${c.reason}`, c.reasons?.length > 1 ? ` (${c.reasons.join(", ")})` : "")))];
}

/** What happened to cookies: sent, withheld and not stored, with the browser's reasons. */
export function cookieNodes(cookies) {
  const source = cookies.source === "browser" ? "as the browser reported them" : `as the harness inferred them${cookies.likely ? " (likely)" : ""}`;
  const nodes = [el("h4", {}, "Cookies"), el("p", { class: "muted" }, source),
    ...cookieList("Sent", cookies.sent), ...cookieList("Withheld from the request", cookies.withheld),
    ...cookieList("Not stored from the response", cookies.not_stored)];
  if (!cookies.sent?.length && !cookies.withheld?.length && !cookies.not_stored?.length) nodes.push(el("p", {}, "No cookie was involved."));
  return nodes;
}

/** The detail of one result: where it was seen from, why, the fix, cookies, warnings, the exchange, the raw JSON. */
export function detailNodes(result, seen = {}) {
  const nodes = [];
  const d = result.diagnosis;
  const origin = result.origin ?? seen.origin;
  if (origin || seen.browser) nodes.push(el("p", { class: "seen" }, "Seen from ", el("strong", {}, origin ?? "this page"), " in ", el("strong", {}, seen.browser ?? "this browser")));
  nodes.push(el("p", {}, MEANING[result.outcome] ?? ""));
  if (result.why) nodes.push(el("p", { class: "why-failed" }, el("strong", {}, "Expectation failed: "), result.why));
  if (result.disagreement) nodes.push(el("p", { class: "disagreement", role: "alert" }, `Disagreement: ${result.disagreement}`));
  if (result.outcome === "blocked" || d) {
    const why = result.reason
      ? `Why: ${result.reason}${result.failed_parameter ? ` (${result.failed_parameter})` : ""}${result.firefox_reason ? ` · Firefox: ${result.firefox_reason}` : ""} · from ${result.reason_source === "browser" ? "the browser itself" : "the harness"}${d ? `, ${d.confidence}` : ""}`
      : `Why: ${d ? d.family : "unknown"} (${d ? "only the family is known" : "no diagnosis"})`;
    nodes.push(el("h4", {}, why));
    if (d) nodes.push(el("p", { class: "muted" }, d.note));
    if (d?.fix) nodes.push(el("h4", {}, "How to fix it"), ...fixNodes(d.fix));
  }
  if (result.cookies) nodes.push(...cookieNodes(result.cookies));
  if (result.warnings?.length) {
    nodes.push(el("h4", {}, "Warnings"), el("ul", {}, ...result.warnings.map((w) => el("li", {}, `${w.code}: ${w.message}`))));
  }
  if (result.exchange?.steps?.length) {
    const seenBy = result.exchange_source === "browser" ? "as the browser sent and received it" : "as the server answered the harness's replay";
    nodes.push(el("h4", {}, `The exchange, ${seenBy}`), exchangeView(result));
  }
  nodes.push(el("details", {}, el("summary", {}, "Result JSON"), el("pre", { class: "detail-json" }, JSON.stringify(result, null, 2))));
  return nodes;
}
