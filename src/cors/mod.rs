//! The CORS evaluator: what a browser does with one request, given the raw exchange.
//!
//! Given the request (page origin, method, headers, credentials mode) and what the
//! servers answered (preflight, then each response of the redirect chain), it decides
//! step by step, as the [Fetch standard]'s algorithms and current browsers do, whether the
//! browser lets JavaScript read the response, and if not, names the failure the way
//! Chromium (`reason`) and Firefox (`firefox_reason`) do, the response at fault, and the fix.
//!
//! One module per check, named after the header or step of the standard:
//! [`allow_origin`] and [`allow_credentials`] make the [`cors_check`]; [`preflight`]
//! adds the status, [`allow_methods`] and [`allow_headers`] (parsed by [`allow_list`]);
//! [`redirect`] holds the redirect rules and [`max_age`] the cache lifetime. [`walk`]
//! strings them together in the standard's order and returns the verdict; [`fix`] and
//! [`warning`] explain it, and [`evaluate`] puts the verdict and its explanation together.
//!
//! [Fetch standard]: https://fetch.spec.whatwg.org/#http-cors-protocol

pub mod allow_credentials;
pub mod allow_headers;
pub mod allow_list;
pub mod allow_methods;
pub mod allow_origin;
pub mod cors_check;
pub mod evaluate;
pub mod exchange;
pub mod failure;
pub mod firefox_key;
pub mod fix;
pub mod max_age;
pub mod preflight;
pub mod reason;
pub mod redirect;
pub mod request;
pub mod url;
pub mod walk;
pub mod warning;

pub use evaluate::{evaluate, walk, Walked};
pub use exchange::{
    Exchange, ReplayRequest, ReplayScope, Step, StepKind, WireRequest, WireResponse,
};
pub use firefox_key::FirefoxKey;
pub use fix::{Fix, Snippet};
pub use reason::{CorsError, FailedResponse, ReasonFamily};
pub use request::{CorsRequest, Rules};
pub use url::{ResolveUrl, UrlParts};
pub use walk::{Blocked, Transport, Verdict};
pub use warning::{Warning, WarningCode};

// Host only: the walk tests parse URLs with the `url` crate.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
