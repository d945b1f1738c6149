//! The table people read: one line per case, the outcome as a word (colour only adds to it).

use std::fmt::Write;

use super::Reporter;
use crate::cookies::CookieReport;
use crate::cors::WarningCode;
use crate::result::{CaseResult, Outcome, SuiteReport};

/// A text table; ANSI colours when `color` is set.
pub struct TableReporter {
    pub color: bool,
}

impl Reporter for TableReporter {
    fn name(&self) -> &'static str {
        "table"
    }

    fn render(&self, report: &SuiteReport) -> String {
        let header =
            ["case", "outcome", "status", "preflight", "reason", "expected", "verdict", "ms"];
        let rows: Vec<[String; 8]> = report.results.iter().map(row).collect();
        let mut out = format!("{} in {} from {}\n", report.suite, report.browser, report.origin);
        out.push_str(&render_rows(&header, &rows, self.color, |row| verdict_color(&row[6])));
        let s = &report.summary;
        let _ = writeln!(
            out,
            "\n{} allowed, {} blocked, {} unreachable, {} timeout, {} invalid",
            s.allowed, s.blocked, s.unreachable, s.timeout, s.invalid
        );
        explain(&mut out, &report.results);
        for result in report.results.iter().filter(|r| r.pass == Some(false)) {
            let _ = writeln!(out, "FAIL {}: {}", result.id, result.why.as_deref().unwrap_or(""));
        }
        let _ = writeln!(out, "{}", super::closing_line(s.passed, s.failed));
        out
    }
}

/// Why each blocked case was blocked, and each allowed credentialed one went without its
/// cookie, and the fix; warnings; disagreements, loudly.
fn explain(out: &mut String, results: &[CaseResult]) {
    let mut why: Vec<(&str, String)> = Vec::new();
    for result in results {
        let cookie =
            result.warnings.iter().find(|w| w.code == WarningCode::CredentialedWithoutCookie);
        match (&result.diagnosis, cookie) {
            (Some(diagnosis), _) if result.is_blocked() => {
                let what = match (&result.reason, &diagnosis.fix) {
                    (_, Some(fix)) => fix.summary.clone(),
                    (Some(reason), None) => format!("{reason}: {}", diagnosis.note),
                    (None, None) => {
                        format!("{}: {}", diagnosis.family.describe(), diagnosis.note)
                    }
                };
                why.push((&result.id, what));
            }
            (_, Some(warning)) => why.push((&result.id, warning.message.clone())),
            _ => {}
        }
    }
    if !why.is_empty() {
        let _ = writeln!(out, "\nWhy, and the fix:");
        for (id, what) in why {
            let _ = writeln!(out, "  {id}: {what}");
        }
    }
    let warned: Vec<&CaseResult> = results.iter().filter(|r| !r.warnings.is_empty()).collect();
    if !warned.is_empty() {
        let _ = writeln!(out, "\nWarnings (allowed today, fragile):");
        for result in warned {
            let codes: Vec<&str> = result.warnings.iter().map(|w| w.code.as_str()).collect();
            let _ = writeln!(out, "  {}: {}", result.id, codes.join(", "));
        }
    }
    // Only where a cookie was sent, withheld or refused (or the harness disagrees).
    let with_cookies: Vec<(&CaseResult, &CookieReport)> = results
        .iter()
        .filter_map(|r| Some((r, r.cookies.as_ref()?)))
        .filter(|(_, c)| !c.is_empty() || c.disagreement.is_some())
        .collect();
    if !with_cookies.is_empty() {
        let _ =
            writeln!(out, "\nCookies (sent; withheld and not stored, with the browser's reasons):");
        let mut fixes: Vec<&str> = Vec::new();
        for (result, cookies) in &with_cookies {
            let likely = if cookies.likely { " (inferred)" } else { "" };
            let _ = writeln!(out, "  {}: {}{likely}", result.id, cookies.summary());
            if let Some(disagreement) = &cookies.disagreement {
                let _ = writeln!(out, "    cookie disagreement: {disagreement}");
            }
            for fix in cookies.fixes() {
                if !fixes.contains(&fix) {
                    fixes.push(fix);
                }
            }
        }
        for fix in fixes {
            let _ = writeln!(out, "  fix: {fix}");
        }
    }
    for result in results {
        if let Some(disagreement) = &result.disagreement {
            let _ = writeln!(
                out,
                "DISAGREEMENT {}: {disagreement} (the browser's word is reported; the harness's evaluator needs a fix)",
                result.id
            );
        }
    }
}

fn row(result: &CaseResult) -> [String; 8] {
    [
        result.id.clone(),
        result.outcome.to_string(),
        result.status.map_or("-".into(), |s| s.to_string()),
        match result.preflight {
            Some(true) => "yes".into(),
            Some(false) => "no".into(),
            None => "-".into(),
        },
        {
            let reason = match (&result.reason, &result.diagnosis) {
                (Some(reason), Some(d))
                    if d.confidence == crate::result::Confidence::Likely
                        && result.reason_source == Some(crate::result::ReasonSource::Harness) =>
                {
                    format!("{reason} (likely)")
                }
                (Some(reason), _) => reason.to_string(),
                (None, Some(d)) if result.is_blocked() => {
                    format!("({:?})", d.family).to_lowercase()
                }
                _ => "-".into(),
            };
            if result.disagreement.is_some() {
                format!("{reason} ≠")
            } else {
                reason
            }
        },
        result.expect.as_ref().map_or("-".into(), ToString::to_string),
        match result.pass {
            Some(true) => "PASS".into(),
            Some(false) => "FAIL".into(),
            None => "-".into(),
        },
        format!("{:.0}", result.elapsed_ms),
    ]
}

/// The same suite in several browsers, side by side; rows where they differ are marked `≠`.
pub fn comparison_table(reports: &[SuiteReport], color: bool) -> String {
    let Some(first) = reports.first() else {
        return String::new();
    };
    let mut header = vec!["case".to_owned()];
    let one_origin = reports.iter().all(|r| r.origin == first.origin);
    let one_browser = reports.iter().all(|r| r.browser == first.browser);
    // The matrix's columns: browsers, origins, or both (case by browser, case by origin).
    header.extend(reports.iter().map(|r| match (one_origin, one_browser) {
        (true, _) => r.browser.clone(),
        (false, true) => r.origin.clone(),
        (false, false) => format!("{} @ {}", r.browser, r.origin),
    }));
    header.push("differs".to_owned());
    let rows: Vec<Vec<String>> = first
        .results
        .iter()
        .enumerate()
        .map(|(i, result)| {
            let cells: Vec<String> =
                reports.iter().map(|r| r.results.get(i).map_or("-".to_owned(), cell)).collect();
            let outcomes: Vec<Option<Outcome>> =
                reports.iter().map(|r| r.results.get(i).map(|x| x.outcome)).collect();
            let differs = outcomes.windows(2).any(|w| w[0] != w[1]);
            let mut row = vec![result.id.clone()];
            row.extend(cells);
            row.push(if differs { "≠ differs".into() } else { String::new() });
            row
        })
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut out = match (one_origin, one_browser) {
        (true, _) => format!("{} from {}\n", first.suite, first.origin),
        (false, true) => format!("{} in {}\n", first.suite, first.browser),
        (false, false) => format!("{}\n", first.suite),
    };
    out.push_str(&render_rows(&header_refs, &rows, color, |row| {
        row.last().filter(|d| !d.is_empty()).map(|_| "\x1b[1;33m")
    }));
    let differing = rows.iter().filter(|r| r.last().is_some_and(|d| !d.is_empty())).count();
    let between = match (one_origin, one_browser) {
        (true, _) => "browsers",
        (false, true) => "origins",
        (false, false) => "browsers and origins",
    };
    let _ = writeln!(out, "\n{differing} case(s) differ between {between}");
    out
}

fn cell(result: &CaseResult) -> String {
    let verdict = match result.pass {
        Some(true) => " PASS",
        Some(false) => " FAIL",
        None => "",
    };
    format!("{}{verdict}", result.outcome)
}

fn verdict_color(verdict: &str) -> Option<&'static str> {
    match verdict {
        "PASS" => Some("\x1b[32m"),
        "FAIL" => Some("\x1b[1;31m"),
        _ => None,
    }
}

/// Left-aligned columns; a row's whole line takes the colour `color_of` gives it.
fn render_rows<R: AsRef<[String]>>(
    header: &[&str],
    rows: &[R],
    color: bool,
    color_of: impl Fn(&[String]) -> Option<&'static str>,
) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row.as_ref()) {
            *width = (*width).max(cell.chars().count().min(48));
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| {
                let cell: String = if cell.chars().count() > 48 {
                    cell.chars().take(47).chain(['…']).collect()
                } else {
                    (*cell).to_owned()
                };
                format!("{cell:<width$}")
            })
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = line(header.to_vec()) + "\n";
    out.push_str(&line(
        widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect(),
    ));
    out.push('\n');
    for row in rows {
        let cells: Vec<&str> = row.as_ref().iter().map(String::as_str).collect();
        let text = line(cells);
        match color_of(row.as_ref()).filter(|_| color) {
            Some(code) => {
                let _ = writeln!(out, "{code}{text}\x1b[0m");
            }
            None => {
                let _ = writeln!(out, "{text}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    #[test]
    fn one_line_per_case_with_words_and_a_closing_line() {
        let text = TableReporter { color: false }.render(&sample_report());
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].starts_with("case"), "{text}");
        assert!(lines[3].starts_with("ok"), "{text}");
        assert!(text.contains("blocked"));
        assert!(text.contains("FAIL <script>&\": expected allowed, got blocked"), "{text}");
        assert!(text.ends_with("1 passed, 1 failed\n"), "{text}");
        assert!(!text.contains('\x1b'));
        let colored = TableReporter { color: true }.render(&sample_report());
        assert!(colored.contains("\x1b[1;31m"));
    }

    #[test]
    fn shows_cookies_at_a_glance_with_the_fix() {
        use crate::cookies::{BlockedCookie, CookieBlock};
        use crate::result::ReasonSource;
        let mut report = sample_report();
        let mut cookies = CookieReport::new(ReasonSource::Browser);
        cookies.sent = vec!["csrf".into()];
        cookies.withheld.extend(BlockedCookie::new(
            "session",
            vec![CookieBlock::SchemefulSameSiteLax.into(), CookieBlock::UserPreferences.into()],
        ));
        report.results[0].cookies = Some(cookies);
        let text = TableReporter { color: false }.render(&report);
        assert!(
            text.contains(&format!(
                "  {}: sent csrf; withheld session (SchemefulSameSiteLax, UserPreferences)\n",
                report.results[0].id
            )),
            "{text}"
        );
        assert!(text.contains("fix: the API is third-party to the page"), "{text}");
        assert!(
            text.contains("fix: a cross-site fetch() carries only `SameSite=None; Secure`"),
            "{text}"
        );
        assert!(!text.contains("Why, and the fix:"), "a cookie went: {text}");

        // Credentialed, allowed, and nothing went: the why and the fix come first.
        let result = &mut report.results[0];
        if let Some(cookies) = result.cookies.as_mut() {
            cookies.sent.clear();
        }
        crate::cookies::warn_without_cookie(
            result,
            crate::fetch::credentials::Credentials::Include,
        );
        let text = TableReporter { color: false }.render(&report);
        assert!(
            text.contains(&format!(
                "Why, and the fix:\n  {}: CORS allowed this credentialed request, but it carried no cookie",
                report.results[0].id
            )),
            "{text}"
        );
        assert!(text.contains(": credentialed-without-cookie"), "{text}");
    }

    #[test]
    fn explains_blocked_cases_warnings_and_disagreements() {
        use crate::cors::{Fix, ReasonFamily, Warning};
        use crate::result::{Confidence, Diagnosis, DiagnosisMethod};
        let mut report = sample_report();
        let blocked = &mut report.results[1];
        blocked.reason = Some(crate::cors::CorsError::WildcardOriginNotAllowed.into());
        blocked.disagreement = Some(
            "Chromium says WildcardOriginNotAllowed, the harness says AllowOriginMismatch".into(),
        );
        blocked.diagnosis = Some(Diagnosis {
            method: DiagnosisMethod::Exchange,
            confidence: Confidence::Exact,
            family: ReasonFamily::Credentials,
            reason: Some(crate::cors::CorsError::AllowOriginMismatch),
            firefox_reason: None,
            failed_parameter: None,
            failed_response: None,
            fix: Some(Fix {
                summary: "Send the origin.".into(),
                send: vec![],
                stop: vec![],
                snippets: vec![],
            }),
            note: String::new(),
        });
        report.results[0].warnings =
            vec![Warning::new(crate::cors::WarningCode::WildcardOrigin, "m")];
        let text = TableReporter { color: false }.render(&report);
        assert!(text.contains("WildcardOriginNotAllowed ≠"), "{text}");
        assert!(text.contains("Why, and the fix:\n  <script>&\": Send the origin."), "{text}");
        assert!(text.contains("  ok: wildcard-origin"), "{text}");
        assert!(text.contains("DISAGREEMENT <script>&\": Chromium says"), "{text}");
    }

    #[test]
    fn comparison_marks_differences() {
        let chromium = sample_report();
        let mut firefox = sample_report();
        firefox.browser = "Firefox 153.0".into();
        firefox.results[0].outcome = Outcome::Blocked;
        let text = comparison_table(&[chromium, firefox], false);
        assert!(text.contains("Firefox 153.0"), "{text}");
        assert_eq!(text.matches("≠ differs").count(), 1, "{text}");
        assert!(text.contains("1 case(s) differ"));
    }
}
