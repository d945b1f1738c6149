//! Report writers: one per format behind one trait, as hyperfine's exporters are.

mod json;
mod junit;
mod table;

pub use json::JsonReporter;
pub use junit::{ErroredRun, JunitReporter};
pub use table::{comparison_table, TableReporter};

use crate::outcome::SuiteReport;

/// Writes a [`SuiteReport`] in one format.
pub trait Reporter {
    /// The format's name, as `--format` spells it.
    fn name(&self) -> &'static str;
    /// Renders the whole report.
    fn render(&self, report: &SuiteReport) -> String;
}

/// The reporter for a `--format` name.
pub fn by_name(name: &str, color: bool) -> Option<Box<dyn Reporter>> {
    match name {
        "json" => Some(Box::new(JsonReporter)),
        "junit" => Some(Box::new(JunitReporter)),
        "table" => Some(Box::new(TableReporter { color })),
        _ => None,
    }
}

/// The closing line every format's run prints: `N passed, N failed`.
pub fn closing_line(passed: usize, failed: usize) -> String {
    format!("{passed} passed, {failed} failed")
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::expect::Expectation;
    use crate::outcome::{CaseResult, ErrorInfo, Outcome, SuiteReport};

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
