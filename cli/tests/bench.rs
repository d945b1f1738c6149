//! `cors-harness bench` runs end to end and prints every figure (no timing is asserted:
//! the figures are ratios for people to read, see BENCHMARKS.md).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{cors_harness, text};

#[test]
fn bench_prints_every_figure() {
    let output = cors_harness(&[
        "bench",
        "--browser",
        "chromium",
        "--sizes",
        "20,200",
        "--concurrency",
        "1,4",
        "--rounds",
        "1",
        "--skip-cli-run",
        "--profile",
        "50",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for figure in [
        "package: wasm ",
        "page start",
        "ratio",
        "overhead/case ms",
        "linearity at concurrency 1: 200 cases",
        "JS heap growth",
        "profile of the harness, 50 cases",
    ] {
        assert!(stdout.contains(figure), "missing {figure:?}\n{}", text(&output));
    }
    let rows = stdout.lines().filter(|l| l.trim_start().starts_with("200 ")).count();
    assert_eq!(rows, 2, "a row per concurrency: {stdout}");
}
