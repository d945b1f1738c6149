//! Report writers: one per format behind one trait, as hyperfine's exporters are.

mod json;
// Only the native runner writes tables and JUnit: the wasm package carries neither.
#[cfg(not(target_arch = "wasm32"))]
mod junit;
#[cfg(not(target_arch = "wasm32"))]
mod table;

pub use json::JsonReporter;
#[cfg(not(target_arch = "wasm32"))]
pub use junit::{ErroredRun, JunitReporter};
#[cfg(not(target_arch = "wasm32"))]
pub use table::{comparison_table, TableReporter};

use crate::result::SuiteReport;

/// Writes a [`SuiteReport`] in one format.
pub trait Reporter {
    /// The format's name, as `--format` spells it.
    fn name(&self) -> &'static str;
    /// Renders the whole report.
    fn render(&self, report: &SuiteReport) -> String;
}

/// The reporter for a `--format` name.
#[cfg_attr(target_arch = "wasm32", allow(unused_variables))]
pub fn by_name(name: &str, color: bool) -> Option<Box<dyn Reporter>> {
    match name {
        "json" => Some(Box::new(JsonReporter)),
        #[cfg(not(target_arch = "wasm32"))]
        "junit" => Some(Box::new(JunitReporter)),
        #[cfg(not(target_arch = "wasm32"))]
        "table" => Some(Box::new(TableReporter { color })),
        _ => None,
    }
}

/// The closing line every format's run prints: `N passed, N failed`.
pub fn closing_line(passed: usize, failed: usize) -> String {
    format!("{passed} passed, {failed} failed")
}

// The fixture of the native writers' and log readers' tests.
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod tests {
    use crate::expect::Expectation;
    use crate::result::{CaseResult, ErrorInfo, Outcome, SuiteReport};

    /// Three results: allowed and passing, blocked and failing, no expectation.
    pub fn sample_report() -> SuiteReport {
        let base = |id: &str, outcome: Outcome| CaseResult {
            preflight: Some(false),
            elapsed_ms: 12.5,
            ..CaseResult::new(
                id.into(),
                "GET".into(),
                format!("http://127.0.0.1:9181/{id}"),
                outcome,
            )
        };
        let mut ok = base("ok", Outcome::Allowed);
        ok.status = Some(200);
        ok.judge(Some(Expectation::outcome(Outcome::Allowed)));
        let mut bad = base("<script>&\"", Outcome::Blocked);
        bad.error = Some(ErrorInfo::new("TypeError", "Failed to fetch"));
        bad.judge(Some(Expectation::outcome(Outcome::Allowed)));
        let free = base("free", Outcome::Unreachable);
        SuiteReport::new(
            "s".into(),
            "http://127.0.0.1:9180".into(),
            "Chromium 156".into(),
            vec![ok, bad, free],
        )
    }
}
