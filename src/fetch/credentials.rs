//! The request's [credentials mode](https://fetch.spec.whatwg.org/#concept-request-credentials-mode):
//! whether cookies and HTTP authentication go with it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The request's [credentials mode](https://developer.mozilla.org/en-US/docs/Web/API/RequestInit#credentials).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Credentials {
    /// Never send cookies or HTTP auth, never store cookies from the response.
    Omit,
    /// Credentials only for same-origin requests (`fetch()`'s default).
    #[default]
    SameOrigin,
    /// Credentials on every request: the server must echo the origin and send `Access-Control-Allow-Credentials: true`.
    Include,
}

impl Credentials {
    pub fn as_str(self) -> &'static str {
        match self {
            Credentials::Omit => "omit",
            Credentials::SameOrigin => "same-origin",
            Credentials::Include => "include",
        }
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
