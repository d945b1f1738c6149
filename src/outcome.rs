//! What the browser did with a request: exactly one [`Outcome`] per case.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Exactly one of these per case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The `fetch()` promise resolved, whatever the status: JavaScript can read the response.
    Allowed,
    /// The server answered, but the browser refused the exchange for CORS.
    Blocked,
    /// It failed without CORS being involved: connection refused, reset, empty reply.
    Unreachable,
    /// No settled answer within the case's timeout.
    Timeout,
    /// `fetch()` (or the harness, for a malformed case) refused the input before any network activity.
    Invalid,
}

impl Outcome {
    /// Every outcome, in the order reports list them.
    pub const ALL: [Outcome; 5] = [
        Outcome::Allowed,
        Outcome::Blocked,
        Outcome::Unreachable,
        Outcome::Timeout,
        Outcome::Invalid,
    ];

    /// The outcome's name in suites and results.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Blocked => "blocked",
            Outcome::Unreachable => "unreachable",
            Outcome::Timeout => "timeout",
            Outcome::Invalid => "invalid",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
