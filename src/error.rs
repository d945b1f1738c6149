//! The one error type of the public API. Blocked requests are results, never errors:
//! these are the inputs the harness cannot run at all.

use crate::import::ImportError;
use crate::suite::{SuiteError, SuiteProblem};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HarnessError {
    /// The suite (or a single case) is not valid.
    #[error(transparent)]
    Suite(#[from] SuiteError),
    /// The options passed to `runSuite` are not valid.
    #[error("invalid options: {0}")]
    Options(String),
    /// Text given to `importRequests` that cannot be imported (names the line or HAR entry).
    #[error(transparent)]
    Import(#[from] ImportError),
}

impl HarnessError {
    /// The JavaScript `Error.name` for this error.
    pub fn js_name(&self) -> &'static str {
        match self {
            HarnessError::Suite(_) => "SuiteError",
            HarnessError::Options(_) => "TypeError",
            HarnessError::Import(_) => "ImportError",
        }
    }

    /// The suite problems behind it, if any.
    pub fn problems(&self) -> &[SuiteProblem] {
        match self {
            HarnessError::Suite(e) => &e.problems,
            HarnessError::Options(_) | HarnessError::Import(_) => &[],
        }
    }
}
