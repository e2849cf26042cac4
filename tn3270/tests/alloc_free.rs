//! Steady state is allocation-free: after a warm-up, applying the benchmark's dense 27×132
//! screen (324 SFE fields, GA23-0059 ch. 3–4) again and again, a small Write, a Read Modified
//! (§3.5.3) into a reused buffer, the text export into a reused `String`, and the whole
//! terminal's `feed` of a framed record (RFC 854/885) perform **zero** heap allocations.
//!
//! A counting global allocator (`stats_alloc`, no unsafe code here) counts every allocation
//! of this test binary, so this target has no libtest harness (`harness = false` in
//! Cargo.toml): libtest's own threads allocate while a test runs, which made the count
//! flaky. `main` runs the checks one after the other on the main thread and ends with the
//! usual `N passed, N failed` line (exit code 1 when one failed).
//! This checks allocations, not time: it is deterministic and fine in CI.

#[path = "../benches/common/mod.rs"]
mod common;

use std::alloc::System;

use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use tn3270::aid::Aid;
use tn3270::codepage::CP037;
use tn3270::input::inbound;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// How many times each workload repeats after its warm-up.
const REPEAT: usize = 100;

/// Runs `work` once to warm up, then [`REPEAT`] times while counting; returns the number of
/// allocations and reallocations made by the repeats.
fn allocations(mut work: impl FnMut()) -> usize {
    work();
    let region = Region::new(GLOBAL);
    for _ in 0..REPEAT {
        work();
    }
    let change = region.change();
    change.allocations + change.reallocations
}

fn the_counter_sees_an_allocation() {
    // The check below could not fail if the counter were blind.
    let n = allocations(|| {
        std::hint::black_box(vec![0u8; 16]);
    });
    assert_eq!(n, REPEAT);
}

fn the_benchmark_screen_is_dense_and_coloured() {
    let caps = common::capabilities();
    let mut screen = common::screen();
    common::apply(&mut screen, &caps, &common::full_screen_record());
    assert_eq!((screen.rows(), screen.cols()), (27, 132));
    assert_eq!(screen.fields().count(), common::FIELDS);
    assert_eq!(
        screen.fields().filter(|f| !f.attr.is_protected()).count(),
        162
    );
    assert!(screen
        .fields()
        .all(|f| f.ext.fg != 0 && f.ext.highlight != 0));
    // Every data position holds a character.
    assert!(screen.cells().iter().all(|c| c.fa.is_some() || c.ch != 0));
    let text = screen.to_text(&CP037);
    let row0 = text.split('\n').next().unwrap_or_default();
    assert!(
        row0.starts_with(" FLD000-ID: 000007919B FLD002-ID: 000023757D"),
        "{row0}"
    );
    // The cursor is in the first input, the keyboard unlocked.
    assert_eq!(screen.cursor(), common::field_attr_addr(1) + 1);
    assert_eq!(screen.lock(), None);
}

fn applying_the_full_screen_does_not_allocate() {
    let caps = common::capabilities();
    let record = common::full_screen_record();
    let mut screen = common::screen();
    let n = allocations(|| common::apply(&mut screen, &caps, &record));
    assert_eq!(n, 0, "allocations in {REPEAT} full-screen applies");
}

fn a_small_write_does_not_allocate() {
    let caps = common::capabilities();
    let mut screen = common::screen();
    common::apply(&mut screen, &caps, &common::full_screen_record());
    let record = common::small_write_record();
    let n = allocations(|| common::apply(&mut screen, &caps, &record));
    assert_eq!(n, 0, "allocations in {REPEAT} small writes");
}

fn read_modified_into_a_reused_buffer_does_not_allocate() {
    let screen = common::modified_screen();
    let mut out = Vec::new();
    let n = allocations(|| {
        out.clear();
        inbound::read_modified(&screen, Aid::Enter, false, common::ADDRESSING, &mut out);
    });
    assert_eq!(n, 0, "allocations in {REPEAT} Read Modified builds");
    // And it did report the 50 fields: AID, cursor, then SBA + 10 characters each.
    assert_eq!(out.len(), 3 + common::MODIFIED_FIELDS * (3 + 10));
}

fn text_export_into_a_reused_string_does_not_allocate() {
    let caps = common::capabilities();
    let mut screen = common::screen();
    common::apply(&mut screen, &caps, &common::full_screen_record());
    let mut text = String::new();
    let n = allocations(|| {
        text.clear();
        screen.write_text(&CP037, &mut text);
    });
    assert_eq!(n, 0, "allocations in {REPEAT} text exports");
}

fn the_terminal_feeding_a_framed_screen_does_not_allocate() {
    let framed = common::telnet_frame(&common::full_screen_record());
    let mut t = common::connected_terminal();
    let n = allocations(|| common::feed_record(&mut t, &framed));
    assert_eq!(
        n, 0,
        "allocations in {REPEAT} framed records through Terminal::feed"
    );
}

fn main() {
    let checks: [(&str, fn()); 7] = [
        (
            "the_counter_sees_an_allocation",
            the_counter_sees_an_allocation,
        ),
        (
            "the_benchmark_screen_is_dense_and_coloured",
            the_benchmark_screen_is_dense_and_coloured,
        ),
        (
            "applying_the_full_screen_does_not_allocate",
            applying_the_full_screen_does_not_allocate,
        ),
        (
            "a_small_write_does_not_allocate",
            a_small_write_does_not_allocate,
        ),
        (
            "read_modified_into_a_reused_buffer_does_not_allocate",
            read_modified_into_a_reused_buffer_does_not_allocate,
        ),
        (
            "text_export_into_a_reused_string_does_not_allocate",
            text_export_into_a_reused_string_does_not_allocate,
        ),
        (
            "the_terminal_feeding_a_framed_screen_does_not_allocate",
            the_terminal_feeding_a_framed_screen_does_not_allocate,
        ),
    ];
    let mut failed = 0;
    for (name, check) in checks {
        let ok = std::panic::catch_unwind(check).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        failed += usize::from(!ok);
    }
    println!("{} passed, {failed} failed", checks.len() - failed);
    if failed > 0 {
        std::process::exit(1);
    }
}
