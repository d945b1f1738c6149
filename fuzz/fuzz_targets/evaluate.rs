//! The CORS evaluator on arbitrary requests and exchanges: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cors_harness::fuzzing::evaluate_bytes(data));
