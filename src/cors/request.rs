//! The request the evaluator judges, and the engine rules it judges it by.

use super::allow_headers::WildcardAuthorization;
use crate::browser_name::Family;
use crate::fetch::credentials::Credentials;

/// The request as the page makes it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CorsRequest {
    /// The page's serialised origin.
    pub origin: String,
    pub url: String,
    /// After `fetch()`'s normalisation.
    pub method: String,
    /// The headers the browser sends (forbidden ones already dropped).
    pub headers: Vec<(String, String)>,
    pub credentials: Credentials,
    #[serde(default)]
    pub body: Option<String>,
}

/// The engine rules where browsers differ from the standard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// Chromium safelists some client hints: no preflight for them.
    pub chromium_safelist: bool,
    pub wildcard_authorization: WildcardAuthorization,
}

impl Rules {
    /// The rules `family` follows. Chromium 156 and Firefox 153 both let `*` cover
    /// `Authorization` (each with a deprecation warning), so that is the default.
    pub fn of(family: Family) -> Self {
        Rules {
            chromium_safelist: family == Family::Chromium,
            wildcard_authorization: WildcardAuthorization::Covered,
        }
    }
}
