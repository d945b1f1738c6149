//! The JavaScript API (`#[wasm_bindgen]`): thin, typed, no logic.

use js_sys::{Function, Promise};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

use crate::browser::{page_engine, PageBrowser, ProbeEndpoint};
use crate::engine::Browser;
use crate::engine::{Progress, RunOptions};
use crate::error::HarnessError;
use crate::import::{self, SourceKind};
use crate::suite::{CaseEntry, Suite, SuiteError};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

/// The one conversion of errors to JavaScript: an `Error` with `name` and, for suite
/// errors, a `problems` array naming each case and field.
impl From<HarnessError> for JsValue {
    fn from(error: HarnessError) -> JsValue {
        let js_error = js_sys::Error::new(&error.to_string());
        js_error.set_name(error.js_name());
        if let Ok(problems) = to_js(error.problems()) {
            let _ = js_sys::Reflect::set(&js_error, &"problems".into(), &problems);
        }
        if let HarnessError::Import(e) = &error {
            let set = |key: &str, at: Option<usize>| {
                if let Some(at) = at {
                    let _ = js_sys::Reflect::set(&js_error, &key.into(), &(at as u32).into());
                }
            };
            set("line", e.line());
            set("entry", e.entry());
        }
        js_error.into()
    }
}

/// Plain JS objects and arrays (not `Map`s), as JSON would give.
/// Serialised once in wasm and parsed by the engine's native `JSON.parse`: one crossing
/// instead of one per field (a 10,000-case report has hundreds of thousands).
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| JsValue::from_str(&e.to_string()))?;
    js_sys::JSON::parse(&text)
}

/// A suite given as an object or as JSON text.
fn suite_json(input: &JsValue) -> Result<String, HarnessError> {
    if let Some(text) = input.as_string() {
        return Ok(text);
    }
    js_sys::JSON::stringify(input)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| HarnessError::Options("the suite must be an object or JSON text".into()))
}

/// Runs a suite in this page; resolves to the report (rejects only for a suite that cannot run).
#[wasm_bindgen(js_name = runSuite, unchecked_return_type = "Promise<SuiteReport>")]
pub fn run_suite(
    #[wasm_bindgen(unchecked_param_type = "Suite | string")] suite: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunSuiteOptions")] options: Option<
        js_sys::Object,
    >,
) -> Promise {
    future_to_promise(async move {
        let suite = Suite::parse(&suite_json(&suite)?).map_err(HarnessError::from)?;
        let option = |key: &str| set_option(options.as_ref(), key);
        let concurrency = concurrency_option(option("concurrency"), suite.concurrency)?;
        let on_progress = progress_callback(option("onProgress"))?;
        let probe_endpoint = match option("probeEndpoint") {
            None => None,
            Some(v) => Some(probe_endpoint(&v)?),
        };
        let signal = option("signal");
        // `signal.aborted`, read as each case starts.
        let stop = || aborted(signal.as_ref());
        // A runner watching the browser's network events explains each request itself.
        let observed = option("observedByRunner").is_some_and(|v| v.is_truthy());
        let engine = page_engine(probe_endpoint).observed_by_runner(observed);
        // A page that cannot register falls back to in-page diagnosis.
        let _ = engine.browser().register_scope(case_urls(&suite)).await;
        let report = engine
            .run_suite(&suite, RunOptions { concurrency, stop: Some(&stop) }, |progress| {
                if let Some(callback) = &on_progress {
                    report_progress(callback, progress);
                }
            })
            .await;
        to_js(&report)
    })
}

/// An option's value; `undefined` and `null` count as not given.
fn set_option(options: Option<&js_sys::Object>, key: &str) -> Option<JsValue> {
    options
        .and_then(|o| js_sys::Reflect::get(o, &key.into()).ok())
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// `concurrency`: a whole number >= 1, else the suite's own.
fn concurrency_option(value: Option<JsValue>, suite_default: usize) -> Result<usize, HarnessError> {
    match value {
        None => Ok(suite_default),
        Some(v) => match v.as_f64() {
            Some(n) if n >= 1.0 && n.fract() == 0.0 => Ok(n as usize),
            _ => Err(HarnessError::Options("concurrency must be a whole number >= 1".into())),
        },
    }
}

/// `onProgress`, which must be a function when given.
fn progress_callback(value: Option<JsValue>) -> Result<Option<Function>, HarnessError> {
    value
        .map(|f| {
            f.dyn_into::<Function>()
                .map_err(|_| HarnessError::Options("onProgress must be a function".into()))
        })
        .transpose()
}

/// Has the run's `AbortSignal` fired?
fn aborted(signal: Option<&JsValue>) -> bool {
    signal.is_some_and(|s| js_sys::Reflect::get(s, &"aborted".into()).is_ok_and(|a| a.is_truthy()))
}

/// The URLs of the suite's well-formed cases, which the probe scope must cover.
fn case_urls(suite: &Suite) -> Vec<String> {
    suite
        .cases
        .iter()
        .filter_map(|c| match c {
            CaseEntry::Valid(case) => Some(case.url.clone()),
            CaseEntry::Malformed(_) => None,
        })
        .collect()
}

/// Calls `onProgress` with `{ done, total, index, result }`.
fn report_progress(callback: &Function, progress: Progress<'_>) {
    let Ok(result) = to_js(progress.result) else { return };
    let event = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&event, &"done".into(), &(progress.done as u32).into());
    let _ = js_sys::Reflect::set(&event, &"total".into(), &(progress.total as u32).into());
    let _ = js_sys::Reflect::set(&event, &"index".into(), &(progress.index as u32).into());
    let _ = js_sys::Reflect::set(&event, &"result".into(), &result);
    // A throwing callback must not stop the run.
    let _ = callback.call1(&JsValue::NULL, &event);
}

/// Runs one case (the suite's case format, defaults applied); rejects if the case is malformed.
#[wasm_bindgen(js_name = runCase, unchecked_return_type = "Promise<CaseResult>")]
pub fn run_case(
    #[wasm_bindgen(unchecked_param_type = "Case | string")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunCaseOptions")] options: Option<
        js_sys::Object,
    >,
) -> Promise {
    future_to_promise(async move {
        let endpoint = options
            .as_ref()
            .and_then(|o| js_sys::Reflect::get(o, &"probeEndpoint".into()).ok())
            .filter(|v| !v.is_undefined() && !v.is_null());
        let probe_endpoint = match endpoint {
            None => None,
            Some(v) => Some(probe_endpoint(&v)?),
        };
        let case_json = suite_json(&input)?;
        let suite =
            Suite::parse(&format!("{{\"cases\":[{case_json}]}}")).map_err(HarnessError::from)?;
        let case = match suite.cases.into_iter().next() {
            Some(CaseEntry::Valid(case)) => case,
            Some(CaseEntry::Malformed(problem)) => {
                return Err(HarnessError::from(SuiteError { problems: vec![problem] }).into())
            }
            None => return Err(HarnessError::Options("no case given".into()).into()),
        };
        let engine = page_engine(probe_endpoint);
        let _ = engine.browser().register_scope(vec![case.url.clone()]).await;
        to_js(&engine.run_case(&case).await)
    })
}

/// `{ url, secret }` of a probe endpoint.
fn probe_endpoint(value: &JsValue) -> Result<ProbeEndpoint, HarnessError> {
    let field =
        |key: &str| js_sys::Reflect::get(value, &key.into()).ok().and_then(|v| v.as_string());
    match (field("url"), field("secret")) {
        (Some(url), Some(secret)) => Ok(ProbeEndpoint { url, secret }),
        _ => Err(HarnessError::Options(
            "probeEndpoint must be { url: string, secret: string }".into(),
        )),
    }
}

/// Checks a suite without running it: every problem, naming case and field (empty when valid).
#[wasm_bindgen(js_name = validateSuite, unchecked_return_type = "SuiteProblem[]")]
pub fn validate_suite(
    #[wasm_bindgen(unchecked_param_type = "Suite | string")] suite: JsValue,
) -> Result<JsValue, JsValue> {
    let problems = match Suite::parse(&suite_json(&suite)?) {
        Ok(suite) => suite
            .cases
            .into_iter()
            .filter_map(|entry| match entry {
                CaseEntry::Malformed(problem) => Some(problem),
                CaseEntry::Valid(_) => None,
            })
            .collect(),
        Err(error) => error.problems,
    };
    to_js(&problems)
}

/// The browser's name and version, e.g. `Chromium 156.0.8078.79`.
#[wasm_bindgen(js_name = describeBrowser, unchecked_return_type = "Promise<string>")]
pub fn describe_browser() -> Promise {
    future_to_promise(async { Ok(JsValue::from(PageBrowser::default().describe().await)) })
}

/// DevTools' "Copy as fetch", "Copy as cURL" or a HAR file as a suite, with notes on what
/// was dropped, inferred or left out; throws an `ImportError` naming the line or entry.
#[wasm_bindgen(js_name = importRequests, unchecked_return_type = "ImportResult")]
pub fn import_requests(
    text: String,
    #[wasm_bindgen(unchecked_optional_param_type = "ImportOptions")] options: Option<
        js_sys::Object,
    >,
) -> Result<JsValue, JsValue> {
    let from = options
        .as_ref()
        .and_then(|o| js_sys::Reflect::get(o, &"from".into()).ok())
        .filter(|v| !v.is_undefined() && !v.is_null());
    let from = match from {
        None => None,
        Some(v) => Some(
            v.as_string()
                .ok_or_else(|| "from must be \"har\", \"curl\" or \"fetch\"".to_owned())
                .and_then(|s| s.parse::<SourceKind>())
                .map_err(HarnessError::Options)?,
        ),
    };
    let imported = import::import(&text, from).map_err(HarnessError::from)?;
    to_js(&imported)
}
