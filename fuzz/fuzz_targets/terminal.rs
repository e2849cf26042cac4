//! Fuzz target `terminal`: arbitrary bytes through `tn3270::fuzzing::terminal`, which drives the
//! layer and asserts its invariants. Run: `cargo +nightly fuzz run terminal` (docs/FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tn3270::fuzzing::terminal(data));
