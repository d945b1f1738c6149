// The benchmark page: the same cases through (a) the harness engine and (b) a minimal
// hand-written fetch() loop with the same concurrency, timeouts, cache-busting parameter,
// body read and blocked/unreachable probe. Driven over WebDriver by `cors-harness bench`.
import init, { runSuite, describeBrowser } from "./pkg/cors_harness.js";

const status = (text) => { document.getElementById("status").textContent = text; };
let wasm = null;
let token = 0;
const state = { running: false, result: null, error: null };

/** The raw loop's no-cors / cors+manual probe, as the engine does it. */
async function probe(url, method, timeoutMs) {
  for (const init of [{ mode: "no-cors" }, { mode: "cors", redirect: "manual" }]) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      await fetch(url, { ...init, method, credentials: "omit", signal: controller.signal });
      return "blocked";
    } catch {
      if (controller.signal.aborted) return "blocked";
    } finally {
      clearTimeout(timer);
    }
  }
  return "unreachable";
}

/** Reads the start of a body (as many bytes as 300 characters can take), then stops. */
async function bodyStart(response) {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks = [];
  let size = 0;
  while (size < 1204) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  reader.cancel().catch(() => {});
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) { bytes.set(chunk, offset); offset += chunk.length; }
  return new TextDecoder().decode(bytes).slice(0, 300);
}

/** (b): the minimal loop. Per case: the fetch's own time (start to settled). */
async function raw(cases, concurrency) {
  const fetchMs = new Array(cases.length);
  const outcomes = {};
  let next = 0;
  async function worker() {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i];
      const url = `${c.url}${c.url.includes("?") ? "&" : "?"}__cors_harness=raw${(token++).toString(16)}`;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), c.timeout_ms);
      const started = performance.now();
      let outcome;
      try {
        const response = await fetch(url, { method: c.method, headers: c.headers ?? {}, credentials: "same-origin", mode: "cors", signal: controller.signal });
        fetchMs[i] = performance.now() - started;
        // What the harness records of an allowed response: readable headers, body start.
        const headers = {};
        for (const [name, value] of response.headers) headers[name] = value;
        await bodyStart(response);
        outcome = "allowed";
      } catch {
        fetchMs[i] = performance.now() - started;
        outcome = controller.signal.aborted ? "timeout" : await probe(url, c.method === "GET" ? "GET" : "HEAD", c.timeout_ms);
      } finally {
        clearTimeout(timer);
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, cases.length) }, worker));
  return { fetch_ms: fetchMs, outcomes };
}

/** (a): the harness engine. Per case: the result's elapsed_ms (start to settled). */
async function harness(cases, concurrency) {
  const report = await runSuite({ name: "bench", defaults: { diagnose: false }, cases }, { concurrency });
  const outcomes = {};
  for (const r of report.results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  return { fetch_ms: report.results.map((r) => r.elapsed_ms), outcomes };
}

function memory() {
  globalThis.gc?.();
  return {
    wasm_bytes: wasm ? wasm.memory.buffer.byteLength : null,
    js_heap_bytes: performance.memory ? performance.memory.usedJSHeapSize : null,
  };
}

window.bench = {
  ready: false,
  ready_ms: null,
  /** Starts one measured run; poll() tells when it is done. */
  start(mode, cases, concurrency) {
    Object.assign(state, { running: true, result: null, error: null });
    status(`${mode}: ${cases.length} cases at concurrency ${concurrency}`);
    const run = mode === "harness" ? harness : raw;
    const started = performance.now();
    run(cases, concurrency)
      .then((r) => { state.result = { ...r, wall_ms: performance.now() - started, memory: memory() }; })
      .catch((e) => { state.error = String(e); })
      .finally(() => { state.running = false; status("idle"); });
    return true;
  },
  poll() {
    return { running: state.running, result: state.running ? null : state.result, error: state.error };
  },
  memory,
};

init().then(async (exports) => {
  wasm = exports;
  window.bench.ready_ms = performance.now();
  window.bench.browser = await describeBrowser();
  window.bench.ready = true;
  status("ready");
}).catch((e) => status(`failed: ${e}`));
