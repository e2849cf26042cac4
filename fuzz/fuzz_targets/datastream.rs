//! Fuzz target `datastream`: arbitrary bytes through `tn3270::fuzzing::datastream`, which drives the
//! layer and asserts its invariants. Run: `cargo +nightly fuzz run datastream` (docs/FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tn3270::fuzzing::datastream(data));
