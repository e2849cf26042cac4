//! Fuzz target `structured_fields`: arbitrary bytes through `tn3270::fuzzing::structured_fields`, which drives the
//! layer and asserts its invariants. Run: `cargo +nightly fuzz run structured_fields` (docs/FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tn3270::fuzzing::structured_fields(data));
