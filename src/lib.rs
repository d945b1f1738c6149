//! # cors-harness
//!
//! Makes `fetch()` calls from inside a real browser page and reports what the browser
//! did with each: `allowed`, `blocked` (by CORS), `unreachable`, `timeout` or `invalid`.
//!
//! Layers, none reaching upward:
//! - pure Rust, tested with `cargo test`: [`suite`] (the suite file), [`fetch`] (the Fetch
//!   standard's safelisting rules), [`plan`], [`engine`] (generic over a browser),
//!   [`rejection`] (blocked vs unreachable), [`cors`] (the evaluator), the vocabulary
//!   ([`reason`], [`net_error`], [`outcome`]), [`expect`], [`result`] (the result model)
//!   [`report`] writers and [`import`] (DevTools' fetch, cURL and HAR into suites);
//! - native only: `devtools` and `firefox_console` (the browsers' own logs), the table and
//!   JUnit writers;
//! - `browser` (wasm32 only): the thin web-sys layer the engine drives, and [`Probe`]'s `run`;
//! - `exports` (wasm32 only): the `#[wasm_bindgen]` JavaScript API, `runSuite` and `runCase`.
//!
//! In a `wasm-pack test` suite:
//!
//! ```ignore
//! use cors_harness::{Credentials, Probe};
//! let r = Probe::get("http://127.0.0.1:9181/cors/exact/notes")
//!     .header("Authorization", "Bearer abc")
//!     .credentials(Credentials::Include)
//!     .run()
//!     .await;
//! assert!(r.is_blocked(), "{r}");
//! ```

pub mod audit;
pub mod browser_name;
pub mod cookies;
pub mod cors;
#[cfg(not(target_arch = "wasm32"))]
pub mod devtools;
pub mod engine;
pub mod error;
pub mod expect;
pub mod fetch;
#[cfg(not(target_arch = "wasm32"))]
pub mod firefox_console;
#[cfg(not(target_arch = "wasm32"))]
pub mod fuzzing;
pub mod import;
mod names;
pub mod net_error;
#[cfg(not(target_arch = "wasm32"))]
pub mod network_events;
pub mod outcome;
pub mod plan;
pub mod probe;
pub mod reason;
pub mod rejection;
pub mod report;
pub mod result;
pub mod suite;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod exports;

pub use engine::{Engine, RunOptions};
pub use error::HarnessError;
pub use expect::Expectation;
pub use outcome::Outcome;
pub use probe::Probe;
pub use reason::{BlockedReason, Reason};
pub use result::{CaseResult, ErrorInfo, ReasonSource, SuiteReport, Summary};
pub use suite::{Case, Credentials, Suite, SuiteError};

/// TypeScript declarations of the JavaScript API's objects (also emitted into the `.d.ts`).
pub const TYPESCRIPT_TYPES: &str = include_str!("types.d.ts");
