//! Fuzz target `tn3270e_client`: arbitrary bytes through `tn3270::fuzzing::tn3270e_client`, which drives the
//! layer and asserts its invariants. Run: `cargo +nightly fuzz run tn3270e_client` (docs/FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tn3270::fuzzing::tn3270e_client(data));
