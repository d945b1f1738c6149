//! `cors-harness demo` in Chromium, Firefox and WebKit: every verdict passes, and the
//! serverless story ends where it does for users: CORS fixed, the session cookie withheld
//! from the cross-site gateway (with the browser's reasons and the fix), sent to the same
//! API on the app's own site. The page runs as `https://app.notes.test` on a free port.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{cors_harness, text};

/// Eight consecutive free ports for the demo's fixtures (each engine's test its own).
fn free_base(from: u16) -> u16 {
    (from..from + 2_000)
        .step_by(8)
        .find(|base| {
            (0..8).all(|offset| std::net::TcpListener::bind(("127.0.0.1", base + offset)).is_ok())
        })
        .expect("eight free consecutive ports")
}

/// Runs the demo; its output, after checking every verdict passed.
fn demo(browser: &str, from: u16) -> String {
    let base = free_base(from).to_string();
    let output = cors_harness(&["demo", "--browser", browser, "--base-port", &base]);
    let all = text(&output);
    assert!(output.status.success(), "{all}");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(stdout.contains("from https://app.notes.test\n"), "{all}");
    assert!(stdout.contains("24 passed, 0 failed"), "{all}");
    stdout
}

/// The line of the "Why, and the fix" section for case `id`.
fn why<'a>(stdout: &'a str, id: &str) -> &'a str {
    let section = stdout.split("\nWhy, and the fix:\n").nth(1).unwrap_or_default();
    section
        .lines()
        .take_while(|l| l.starts_with("  "))
        .find(|l| l.starts_with(&format!("  {id}: ")))
        .unwrap_or_else(|| panic!("no why for {id}:\n{stdout}"))
}

/// The chapter in every engine: the cookie request passes CORS (401 from the API, no
/// session), the login's cookie goes nowhere, the fix on the app's site sends it.
fn check_the_cookie_chapter(stdout: &str, withheld: &str, third_party_blocked: bool) {
    let row = |id: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("no row {id}:\n{stdout}"))
    };
    let cookie = row("fixed gateway: cookie (credentials: include)");
    assert!(cookie.contains("allowed      401"), "{cookie}");
    assert!(row("the fix: API on the app's site (api.)").contains("allowed      200"));
    let line = why(stdout, "fixed gateway: cookie (credentials: include)");
    assert!(
        line.contains(&format!(
            "CORS allowed this credentialed request, but it carried no cookie. Withheld: session ({withheld})"
        )),
        "{line}"
    );
    assert!(line.contains("SameSite=Lax: cross-site only on top-level navigations"), "{line}");
    assert!(line.contains("from the app's own site (an api. subdomain)"), "{line}");
    assert!(line.contains("send a token header (Authorization) instead of a cookie"), "{line}");
    // CHIPS where the reason is third-party blocking (WebKit keeps no partitioned cookies).
    assert_eq!(line.contains("`Partitioned` (CHIPS"), third_party_blocked, "{line}");
    assert!(
        stdout.contains(
            "  fixed gateway: cookie (credentials: include): credentialed-without-cookie"
        ),
        "the warning is listed: {stdout}"
    );
    assert!(stdout.contains("  the fix: API on the app's site (api.): sent session"), "{stdout}");
    // The story's first chapter is still there.
    assert!(
        why(stdout, "serverless: cookie (credentials: include)")
            .contains("send Access-Control-Allow-Origin: https://app.notes.test"),
        "{stdout}"
    );
}

#[test]
fn chromium_says_why_the_session_cookie_does_not_arrive() {
    let stdout = demo("chromium", 31_000);
    check_the_cookie_chapter(&stdout, "SchemefulSameSiteLax, UserPreferences", true);
    // Chromium's own word: the login's Set-Cookie refused as third-party.
    let login = why(&stdout, "fixed gateway: log in (Set-Cookie)");
    assert!(login.contains("Set-Cookie not stored: session (UserPreferences)"), "{login}");
    assert!(login.contains("third-party cookies are blocked"), "{login}");
    assert!(!stdout.contains("cookie disagreement"), "the harness agrees with Chromium: {stdout}");
}

#[test]
fn firefox_tells_the_same_story() {
    let stdout = demo("firefox", 33_000);
    check_the_cookie_chapter(&stdout, "SameSiteLax, UserPreferences", true);
}

#[test]
fn webkit_tells_the_same_story_over_https() {
    let stdout = demo("webkit", 35_000);
    check_the_cookie_chapter(&stdout, "SameSiteLax", false);
}
