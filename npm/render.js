// Rendering shared by the harness page and the embeddable panel. Everything that came
// from a server or a suite is rendered as text (text nodes), never as HTML.

/** What each outcome means, in a sentence. */
export const MEANING = {
  allowed: "The browser let the page read the response.",
  blocked: "The server answered (a probe got a response), but the browser refused the exchange for CORS.",
  unreachable: "The request failed without CORS being involved: connection refused, reset or empty reply.",
  timeout: "No settled answer within the case's timeout.",
  invalid: "Refused before any network activity (bad URL, method, header or body, or a malformed case).",
};

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

function cell(text, cls) {
  return el("td", cls ? { class: cls } : {}, text);
}

/** The outcome as a word in a badge (colour only adds to it). */
export function badge(outcome) {
  return el("span", { class: `badge outcome-${outcome}` }, outcome);
}

/** Table cells of a case not run yet. */
export function pendingCells(index, id) {
  return [cell(index + 1), cell(id, "case"), el("td", {}, badge("pending")), cell(""), cell(""), cell("", "headers"), cell(""), cell(""), cell("")];
}

/** The reason, or the family when only that is known; marked when browser and harness disagree. */
export function reasonText(result) {
  const likely = result.reason && result.reason_source === "harness" && result.diagnosis?.confidence === "likely";
  const text = result.reason
    ? `${result.reason}${likely ? " (likely)" : ""}`
    : result.diagnosis && result.outcome === "blocked" ? `(${result.diagnosis.family})` : "—";
  return result.disagreement ? `${text} ≠` : text;
}

/** Table cells of a result: #, case, outcome, status, preflight, readable headers, reason, expectation, ms. */
export function resultCells(index, result) {
  const expectation = result.pass == null ? "—" : result.pass ? "pass" : "fail";
  const headers = result.headers ? Object.keys(result.headers).join(", ") : "—";
  const reason = cell(reasonText(result), result.disagreement ? "disagree" : "");
  if (result.disagreement) reason.title = result.disagreement;
  return [
    cell(index + 1), cell(result.id, "case"), el("td", {}, badge(result.outcome)),
    cell(result.status ?? "—"), cell(result.preflight == null ? "—" : result.preflight ? "yes" : "no"),
    cell(headers, "headers"), reason,
    cell(expectation, result.pass == null ? "" : result.pass ? "pass" : "fail"),
    cell(Math.round(result.elapsed_ms)),
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

function headerTable(lines, highlight) {
  const rows = lines.map(([name, value]) =>
    el("tr", name.toLowerCase() === highlight ? { class: "fault" } : {}, el("th", {}, name), el("td", {}, value)));
  if (highlight && !lines.some(([name]) => name.toLowerCase() === highlight)) {
    rows.push(el("tr", { class: "fault" }, el("th", {}, highlight), el("td", {}, "(missing)")));
  }
  return el("table", { class: "wire" }, el("tbody", {}, ...rows));
}

/** The exchange as DevTools would show it, the failed response and header highlighted. */
export function exchangeView(result) {
  const steps = result.exchange?.steps ?? [];
  const diagnosis = result.diagnosis;
  const at = failedStep(steps, diagnosis?.failed_response);
  const fault = headerAtFault(diagnosis?.reason ?? result.reason);
  const items = steps.map((step, i) => {
    const { request, response, error } = step;
    const title = `${request.kind === "preflight" ? "Preflight" : "Request"}: ${request.method} ${request.url}`;
    const parts = [el("h5", {}, title), el("p", { class: "muted" }, "Request headers"), headerTable(request.headers, null)];
    if (response) {
      const statusFault = i === at && diagnosis?.reason === "PreflightInvalidStatus";
      parts.push(el("p", statusFault ? { class: "fault" } : {}, `Response ${response.status}`), headerTable(response.headers, i === at ? fault : null));
    } else {
      parts.push(el("p", { class: "fault" }, `No response: ${error ?? "network error"}`));
    }
    return el("li", i === at ? { class: "failed-step" } : {}, ...parts);
  });
  return el("ol", { class: "exchange" }, ...items);
}

function fixNodes(fix) {
  const nodes = [el("p", {}, fix.summary)];
  if (fix.send.length) nodes.push(el("p", {}, "Send: ", ...fix.send.flatMap(([n, v], i) => [i ? "; " : "", el("code", {}, `${n}: ${v}`)])));
  if (fix.stop.length) nodes.push(el("p", {}, "Stop: ", ...fix.stop.flatMap((s, i) => [i ? "; " : "", el("code", {}, s)])));
  for (const snippet of fix.snippets) nodes.push(el("details", {}, el("summary", {}, snippet.stack), el("pre", {}, snippet.code)));
  return nodes;
}

/** The detail of one result: why, the fix, warnings, the exchange, the raw JSON. */
export function detailNodes(result) {
  const nodes = [];
  const d = result.diagnosis;
  if (result.disagreement) nodes.push(el("p", { class: "disagreement", role: "alert" }, `Disagreement: ${result.disagreement}`));
  if (result.outcome === "blocked" || d) {
    const why = result.reason
      ? `Why: ${result.reason}${result.failed_parameter ? ` (${result.failed_parameter})` : ""}${result.firefox_reason ? ` · Firefox: ${result.firefox_reason}` : ""} · from ${result.reason_source === "browser" ? "the browser itself" : "the harness"}${d ? `, ${d.confidence}` : ""}`
      : `Why: ${d ? d.family : "unknown"} (${d ? "only the family is known" : "no diagnosis"})`;
    nodes.push(el("h4", {}, why));
    if (d) nodes.push(el("p", { class: "muted" }, d.note));
    if (d?.fix) nodes.push(el("h4", {}, "How to fix it"), ...fixNodes(d.fix));
  }
  if (result.warnings?.length) {
    nodes.push(el("h4", {}, "Warnings"), el("ul", {}, ...result.warnings.map((w) => el("li", {}, `${w.code}: ${w.message}`))));
  }
  if (result.exchange?.steps?.length) nodes.push(el("h4", {}, "The exchange, as the server answered it"), exchangeView(result));
  nodes.push(el("details", {}, el("summary", {}, "Result JSON"), el("pre", { class: "detail-json" }, JSON.stringify(result, null, 2))));
  return nodes;
}
