//! The JSON Schema in `schema/` and the suite parser must agree.
#![cfg(not(target_arch = "wasm32"))]

use cors_harness::suite::{CaseEntry, Suite};
use serde_json::{json, Value};

fn schema() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("../schema/suite.schema.json")).expect("schema JSON");
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

fn with_case(case: Value) -> Value {
    json!({ "name": "s", "cases": [case] })
}

#[test]
fn examples_are_valid_for_both() {
    let validator = schema();
    for entry in std::fs::read_dir("examples").expect("examples/") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let value: Value = serde_json::from_str(&text).expect("JSON");
        let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        let suite = Suite::parse(&text).expect("parses");
        assert!(suite.cases.iter().all(|c| matches!(c, CaseEntry::Valid(_))), "{}", path.display());
    }
}

#[test]
fn good_cases_pass_both() {
    let validator = schema();
    for case in [
        json!({ "id": "a", "url": "http://x/" }),
        json!({ "id": "a", "url": "http://x/", "method": "patch", "headers": { "A": "1" },
                "credentials": "include", "body": "b", "timeout_ms": 1, "cache_bust": false,
                "description": "d", "expect": "timeout" }),
        json!({ "id": "a", "url": "http://x/", "expect": { "status": 204 } }),
        json!({ "id": "a", "url": "http://x/", "expect": { "outcome": "allowed", "readable_headers": ["x"] } }),
        json!({ "id": "a", "url": "http://x/", "expect": { "reason": "AllowOriginMismatch" } }),
        json!({ "id": "a", "url": "relative/is/still/a/valid/suite" }),
        json!({ "id": "a", "url": "https://x/", "expect": { "cookies_sent": ["session"] } }),
    ] {
        let mut suite = with_case(case.clone());
        suite["cookies"] = json!([
            { "url": "https://api.example.test/", "name": "session", "value": "abc", "same_site": "None", "secure": true, "http_only": true },
            { "url": "https://api.example.test/", "name": "chips", "value": "", "same_site": "none", "secure": true, "partitioned": true },
            { "url": "http://api.example.test/", "name": "plain", "value": "1" }
        ]);
        assert!(validator.is_valid(&suite), "schema refuses {case}");
        let parsed = Suite::parse(&suite.to_string()).expect("parses");
        assert!(matches!(parsed.cases[0], CaseEntry::Valid(_)), "parser refuses {case}");
    }
}

#[test]
fn bad_cases_fail_both() {
    let validator = schema();
    for case in [
        json!({ "url": "http://x/" }),
        json!({ "id": "", "url": "http://x/" }),
        json!({ "id": "a" }),
        json!({ "id": "a", "url": 1 }),
        json!({ "id": "a", "url": "http://x/", "extra": 1 }),
        json!({ "id": "a", "url": "http://x/", "headers": { "A": 1 } }),
        json!({ "id": "a", "url": "http://x/", "headers": ["A"] }),
        json!({ "id": "a", "url": "http://x/", "credentials": "always" }),
        json!({ "id": "a", "url": "http://x/", "timeout_ms": 0 }),
        json!({ "id": "a", "url": "http://x/", "timeout_ms": 600001 }),
        json!({ "id": "a", "url": "http://x/", "timeout_ms": 1.5 }),
        json!({ "id": "a", "url": "http://x/", "cache_bust": "yes" }),
        json!({ "id": "a", "url": "http://x/", "expect": "ok" }),
        json!({ "id": "a", "url": "http://x/", "expect": {} }),
        json!({ "id": "a", "url": "http://x/", "expect": { "outcome": "blocked", "status": 200 } }),
        json!({ "id": "a", "url": "http://x/", "expect": { "outcome": "allowed", "reason": "X" } }),
        json!({ "id": "a", "url": "http://x/", "expect": { "status": "200" } }),
        json!({ "id": "a", "url": "http://x/", "expect": { "outcom": "allowed" } }),
    ] {
        let suite = with_case(case.clone());
        assert!(!validator.is_valid(&suite), "schema accepts {case}");
        let parsed = Suite::parse(&suite.to_string()).expect("the suite itself parses");
        assert!(matches!(parsed.cases[0], CaseEntry::Malformed(_)), "parser accepts {case}");
    }
}

#[test]
fn bad_top_levels_fail_both() {
    let validator = schema();
    for suite in [
        json!({}),
        json!({ "cases": {} }),
        json!({ "cases": [], "extra": true }),
        json!({ "cases": [], "concurrency": 0 }),
        json!({ "cases": [], "defaults": { "timeout_ms": 0 } }),
        json!({ "cases": [], "defaults": { "credentials": "x" } }),
        json!({ "cases": [], "defaults": { "retries": 1 } }),
        json!({ "cases": [], "name": 5 }),
        json!({ "cases": [], "cookies": [{ "url": "api.example.test", "name": "a", "value": "1" }] }),
        json!({ "cases": [], "cookies": [{ "url": "https://a.test/", "name": "a b", "value": "1" }] }),
        json!({ "cases": [], "cookies": [{ "url": "https://a.test/", "name": "a", "value": "1;2" }] }),
        json!({ "cases": [], "cookies": [{ "url": "https://a.test/", "name": "a", "value": "1", "same_site": "None" }] }),
        json!({ "cases": [], "cookies": [{ "url": "https://a.test/", "name": "a", "value": "1", "partitioned": true }] }),
        json!({ "cases": [], "cookies": [{ "url": "http://a.test/", "name": "a", "value": "1", "secure": true }] }),
        json!({ "cases": [], "cookies": [{ "url": "https://a.test/", "name": "a", "value": "1", "same_site": "Relaxed" }] }),
    ] {
        assert!(!validator.is_valid(&suite), "schema accepts {suite}");
        assert!(Suite::parse(&suite.to_string()).is_err(), "parser accepts {suite}");
    }
}

#[test]
fn the_schemas_reasons_are_the_harnesss_vocabulary() {
    let text: Value =
        serde_json::from_str(include_str!("../schema/suite.schema.json")).expect("schema JSON");
    let listed: Vec<&str> = text["$defs"]["reason"]["enum"]
        .as_array()
        .expect("$defs.reason.enum")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let known: Vec<&str> = cors_harness::Reason::known_names().collect();
    assert_eq!(
        listed,
        known,
        "schema/suite.schema.json's $defs.reason.enum must be exactly:\n{}",
        serde_json::to_string_pretty(&known).unwrap_or_default()
    );
    let validator = schema();
    for reason in ["WildcardOriginNotAlowed", "mixed_content"] {
        let suite =
            with_case(json!({ "id": "a", "url": "http://x/", "expect": { "reason": reason } }));
        assert!(!validator.is_valid(&suite), "schema accepts {reason}");
        let parsed = Suite::parse(&suite.to_string()).expect("the suite itself parses");
        assert!(matches!(parsed.cases[0], CaseEntry::Malformed(_)), "parser accepts {reason}");
    }
}

#[test]
fn the_typescript_types_list_every_name() {
    use cors_harness::cors::{CorsError, FirefoxKey, WarningCode};
    let types = cors_harness::TYPESCRIPT_TYPES;
    let names = CorsError::NAMES
        .iter()
        .chain(cors_harness::BlockedReason::NAMES)
        .chain(FirefoxKey::NAMES)
        .chain(WarningCode::NAMES);
    for name in names {
        assert!(types.contains(&format!("| \"{name}\"")), "src/types.d.ts lacks \"{name}\"");
    }
    for name in cors_harness::cookies::CookieBlock::NAMES {
        assert!(
            types.contains(&format!("\"{name}\"")),
            "src/types.d.ts lacks cookie reason \"{name}\""
        );
    }
}
