//! The results JSON, exactly as documented in the README.

use super::Reporter;
use crate::result::SuiteReport;

/// Pretty-printed results JSON.
pub struct JsonReporter;

impl Reporter for JsonReporter {
    fn name(&self) -> &'static str {
        "json"
    }

    fn render(&self, report: &SuiteReport) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(report).unwrap_or_default() + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{CaseResult, Outcome, SuiteReport};

    #[test]
    fn renders_summary_and_results() {
        let result: CaseResult = serde_json::from_value(serde_json::json!({
            "id": "a", "method": "GET", "url": "http://x/", "outcome": "timeout", "status": null,
            "headers": null, "body": null, "redirected": null, "final_url": null, "preflight": false,
            "dropped_headers": [], "reason": null, "reason_source": null,
            "error": { "name": "TimeoutError", "message": "late" }, "elapsed_ms": 5000.0,
            "expect": "timeout", "pass": true, "why": null
        }))
        .unwrap();
        assert_eq!(result.outcome, Outcome::Timeout);
        let report = SuiteReport::new("s".into(), "http://o".into(), "B 1".into(), vec![result]);
        let text = JsonReporter.render(&report);
        let back: SuiteReport = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
        assert!(text.contains("\"summary\""));
        assert_eq!(report.summary.timeout, 1);
        assert_eq!(report.summary.passed, 1);
    }
}
