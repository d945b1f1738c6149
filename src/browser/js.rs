//! Globals shared by windows and workers, bound directly so the harness runs in both.

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
