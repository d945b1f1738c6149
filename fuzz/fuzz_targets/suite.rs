//! The suite parser on arbitrary text: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cors_harness::fuzzing::parse_suite_bytes(data));
