//! Report writers: one per format behind one trait, as hyperfine's exporters are.

mod json;

pub use json::JsonReporter;

use crate::outcome::SuiteReport;

/// Writes a [`SuiteReport`] in one format.
pub trait Reporter {
    /// The format's name, as `--format` spells it.
    fn name(&self) -> &'static str;
    /// Renders the whole report.
    fn render(&self, report: &SuiteReport) -> String;
}
