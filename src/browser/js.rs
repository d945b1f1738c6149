//! Globals shared by windows and workers, bound directly so the harness runs in both, and
//! the per-request glue written in JavaScript: one call per fetch instead of dozens of
//! crossings between wasm and JS (building the request, the deadline, reading headers and
//! the start of the body), which is most of what the harness costs over a plain fetch().

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use web_sys::Request;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch()`.
    #[wasm_bindgen(js_name = fetch)]
    pub fn fetch(input: &Request) -> Promise;

    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(handler: &Function, timeout: i32) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(handle: &JsValue);

    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    pub fn performance_now() -> f64;
}

#[wasm_bindgen(inline_js = r#"
async function readStart(response, maxBytes) {
  const reader = response.body && response.body.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch (e) { /* cut short by the deadline: keep what arrived */ }
  reader.cancel().catch(() => {});
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) { bytes.set(chunk, offset); offset += chunk.length; }
  return bytes;
}

export async function harnessFetch(url, method, headerPairs, credentials, body, timeoutMs, maxBytes) {
  const controller = new AbortController();
  let request;
  try {
    const headers = new Headers();
    for (let i = 0; i < headerPairs.length; i += 2) headers.append(headerPairs[i], headerPairs[i + 1]);
    const init = { method, mode: "cors", credentials, headers, signal: controller.signal };
    if (body !== undefined) init.body = body;
    request = new Request(url, init);
  } catch (e) {
    return { kind: "refused", name: String(e && e.name), message: String(e && e.message) };
  }
  let fired = false;
  const timer = setTimeout(() => { fired = true; controller.abort(); }, timeoutMs);
  const started = performance.now();
  try {
    const response = await fetch(request);
    const fetch_ms = performance.now() - started;
    const headers = [];
    for (const [name, value] of response.headers) headers.push(name, value);
    const bytes = await readStart(response, maxBytes);
    return { kind: "resolved", status: response.status, headers, body: bytes, redirected: response.redirected, url: response.url, fetch_ms };
  } catch (e) {
    return fired ? { kind: "timeout" } : { kind: "rejected", name: String(e && e.name), message: String(e && e.message) };
  } finally {
    clearTimeout(timer);
  }
}

export async function harnessProbe(url, method, mode, redirect, timeoutMs) {
  const controller = new AbortController();
  let fired = false;
  const timer = setTimeout(() => { fired = true; controller.abort(); }, timeoutMs);
  try {
    const response = await fetch(url, { method, mode, redirect, credentials: "omit", signal: controller.signal });
    return { kind: response.type === "opaqueredirect" ? "redirect" : "answered" };
  } catch (e) {
    return fired ? { kind: "timeout" } : { kind: "failed", name: String(e && e.name), message: String(e && e.message) };
  } finally {
    clearTimeout(timer);
  }
}
"#)]
extern "C" {
    /// One `cors` fetch under a deadline: `{kind: "refused"|"resolved"|"rejected"|"timeout", ...}`.
    #[wasm_bindgen(js_name = harnessFetch)]
    pub fn harness_fetch(
        url: &str,
        method: &str,
        header_pairs: Vec<String>,
        credentials: &str,
        body: Option<String>,
        timeout_ms: u32,
        max_bytes: u32,
    ) -> Promise;

    /// One reachability probe: `{kind: "answered"|"redirect"|"failed"|"timeout", ...}`.
    #[wasm_bindgen(js_name = harnessProbe)]
    pub fn harness_probe(
        url: &str,
        method: &str,
        mode: &str,
        redirect: &str,
        timeout_ms: u32,
    ) -> Promise;
}
