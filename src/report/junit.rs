//! JUnit XML, the format CI systems read: one testcase per case.

use std::fmt::Write;

use super::Reporter;
use crate::result::SuiteReport;

pub struct JunitReporter;

impl Reporter for JunitReporter {
    fn name(&self) -> &'static str {
        "junit"
    }

    fn render(&self, report: &SuiteReport) -> String {
        JunitReporter::render_all(std::slice::from_ref(report))
    }
}

impl JunitReporter {
    /// One `<testsuites>` document with a `<testsuite>` per report (per browser).
    pub fn render_all(reports: &[SuiteReport]) -> String {
        let seconds =
            |r: &SuiteReport| r.results.iter().map(|c| c.elapsed_ms).sum::<f64>() / 1000.0;
        let tests: usize = reports.iter().map(|r| r.results.len()).sum();
        let failures: usize = reports.iter().map(|r| r.summary.failed).sum();
        let total_s: f64 = reports.iter().map(seconds).sum();
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            xml,
            "<testsuites name=\"cors-harness\" tests=\"{tests}\" failures=\"{failures}\" time=\"{total_s:.3}\">"
        );
        for report in reports {
            testsuite(&mut xml, report, seconds(report));
        }
        xml.push_str("</testsuites>\n");
        xml
    }

    /// [`render_all`](Self::render_all), plus a test suite of `<error>`s for each run
    /// that could not happen (its browser session failed), so CI shows those cases too.
    pub fn render_with_errors(reports: &[SuiteReport], errors: &[ErroredRun]) -> String {
        let mut xml = Self::render_all(reports);
        if errors.is_empty() {
            return xml;
        }
        let mut extra = String::new();
        for run in errors {
            let suite_name = format!("{} ({})", run.suite, run.browser);
            let _ = writeln!(
                extra,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"0\" errors=\"{}\" skipped=\"0\" time=\"0.000\">",
                escape(&suite_name),
                run.case_ids.len(),
                run.case_ids.len()
            );
            for id in &run.case_ids {
                let _ = writeln!(
                    extra,
                    "    <testcase classname=\"{}\" name=\"{}\" time=\"0.000\">\n      <error type=\"infrastructure\" message=\"{}\"/>\n    </testcase>",
                    escape(&suite_name),
                    escape(id),
                    escape(&run.message)
                );
            }
            extra.push_str("  </testsuite>\n");
        }
        let at = xml.rfind("</testsuites>").unwrap_or(xml.len());
        xml.insert_str(at, &extra);
        xml
    }
}

/// A run that produced no report: its browser session failed (infrastructure, not CORS).
#[derive(Clone, Debug)]
pub struct ErroredRun {
    pub suite: String,
    pub browser: String,
    pub case_ids: Vec<String>,
    pub message: String,
}

fn testsuite(xml: &mut String, report: &SuiteReport, total_s: f64) {
    let suite_name = format!("{} ({})", report.suite, report.browser);
    let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{total_s:.3}\">",
            escape(&suite_name),
            report.results.len(),
            report.summary.failed
        );
    let _ = writeln!(
            xml,
            "    <properties><property name=\"origin\" value=\"{}\"/><property name=\"browser\" value=\"{}\"/></properties>",
            escape(&report.origin),
            escape(&report.browser)
        );
    for result in &report.results {
        let _ = write!(
            xml,
            "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
            escape(&suite_name),
            escape(&result.id),
            result.elapsed_ms / 1000.0
        );
        let actual = match result.status {
            Some(status) => format!("{} (status {status})", result.outcome),
            None => result.outcome.to_string(),
        };
        let detail = format!(
            "{} {}\nexpected: {}\nactual: {actual}{}{}",
            result.method,
            result.url,
            result.expect.as_ref().map_or("(nothing)".to_owned(), ToString::to_string),
            result.reason.as_ref().map_or(String::new(), |r| format!("\nreason: {r}")),
            result.error.as_ref().map_or(String::new(), |e| format!("\nerror: {e}")),
        );
        if result.pass == Some(false) {
            let _ = writeln!(
                    xml,
                    ">\n      <failure type=\"expectation\" message=\"{}\">{}</failure>\n    </testcase>",
                    escape(result.why.as_deref().unwrap_or("expectation failed")),
                    escape(&detail)
                );
        } else {
            let _ = writeln!(
                xml,
                ">\n      <system-out>{}</system-out>\n    </testcase>",
                escape(&detail)
            );
        }
    }
    xml.push_str("  </testsuite>\n");
}

/// Escapes text for XML content and attributes; drops characters XML 1.0 cannot hold.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    #[test]
    fn one_testcase_per_case_failures_with_expected_and_actual() {
        let xml = JunitReporter.render(&sample_report());
        assert!(xml.starts_with("<?xml"));
        assert_eq!(xml.matches("<testcase ").count(), 3);
        assert_eq!(xml.matches("<failure ").count(), 1);
        assert!(xml.contains("tests=\"3\" failures=\"1\""));
        assert!(xml.contains("message=\"expected allowed, got blocked\""), "{xml}");
        assert!(xml.contains("expected: allowed\nactual: blocked"), "{xml}");
        assert!(xml.contains("name=\"&lt;script&gt;&amp;&quot;\""), "ids are escaped: {xml}");
        assert!(!xml.contains("<script>"));
    }

    #[test]
    fn runs_without_a_report_are_errors_per_case() {
        let run = ErroredRun {
            suite: "s".into(),
            browser: "chromium".into(),
            case_ids: vec!["a".into(), "b<".into()],
            message: "session deleted".into(),
        };
        let xml = JunitReporter::render_with_errors(&[], &[run]);
        assert_eq!(
            xml.matches("<error type=\"infrastructure\" message=\"session deleted\"/>").count(),
            2,
            "{xml}"
        );
        assert!(
            xml.contains("name=\"b&lt;\"") && xml.trim_end().ends_with("</testsuites>"),
            "{xml}"
        );
    }

    #[test]
    fn escapes_control_characters() {
        assert_eq!(escape("a\u{1}b<"), "a\u{FFFD}b&lt;");
    }
}
