//! Criterion benchmarks of the protocol core's hot paths (GA23-0059 ch. 3–4 outbound, §3.5
//! inbound), with the target from the performance issue: decode + apply a full 27×132
//! coloured screen at ≥ 100,000 screens/s per core natively, allocation-free in steady state
//! (the allocation half is checked by `tests/alloc_free.rs`). Figures and commands:
//! `docs/PERFORMANCE.md`.
//!
//! Run: `nice cargo bench -p tn3270 --bench datastream [-- <filter>]`.
//!
//! - `apply_full_screen_27x132`: [`datastream::process`] of the dense EWA record (324 SFE
//!   fields, text in every data position) to a reused screen; throughput in screens and bytes.
//! - `terminal_feed_full_screen_27x132`: the same record framed for telnet (IAC EOR) through
//!   [`tn3270::terminal::Terminal::feed`], events drained: the whole client's overhead.
//! - `read_modified_50_fields`: `input::inbound::read_modified` of 50 modified fields into a
//!   reused buffer.
//! - `apply_small_write`: a Write replacing one field's value and moving the cursor.
//! - `to_text_27x132` / `write_text_27x132`: the screen as text (new `String` / reused).

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tn3270::aid::Aid;
use tn3270::codepage::CP037;
use tn3270::datastream;
use tn3270::input::inbound;

fn apply_full_screen(c: &mut Criterion) {
    let caps = common::capabilities();
    let record = common::full_screen_record();
    let mut screen = common::screen();
    common::apply(&mut screen, &caps, &record);

    let mut g = c.benchmark_group("apply_full_screen_27x132");
    g.throughput(Throughput::Elements(1));
    g.bench_function("screens", |b| {
        b.iter(|| datastream::process(&mut screen, black_box(&record), &caps))
    });
    g.throughput(Throughput::Bytes(record.len() as u64));
    g.bench_function("bytes", |b| {
        b.iter(|| datastream::process(&mut screen, black_box(&record), &caps))
    });
    g.finish();
}

fn terminal_feed_full_screen(c: &mut Criterion) {
    let framed = common::telnet_frame(&common::full_screen_record());
    let mut t = common::connected_terminal();
    common::feed_record(&mut t, &framed);

    let mut g = c.benchmark_group("terminal_feed_full_screen_27x132");
    g.throughput(Throughput::Elements(1));
    g.bench_function("screens", |b| {
        b.iter(|| {
            t.feed(black_box(&framed));
            common::drain(&mut t);
        })
    });
    g.finish();
}

fn read_modified(c: &mut Criterion) {
    let screen = common::modified_screen();
    let mut out = Vec::new();
    inbound::read_modified(&screen, Aid::Enter, false, common::ADDRESSING, &mut out);

    let mut g = c.benchmark_group("read_modified_50_fields");
    g.throughput(Throughput::Elements(1));
    g.bench_function("records", |b| {
        b.iter(|| {
            out.clear();
            inbound::read_modified(
                black_box(&screen),
                Aid::Enter,
                false,
                common::ADDRESSING,
                &mut out,
            );
            out.len()
        })
    });
    g.finish();
}

fn small_write(c: &mut Criterion) {
    let caps = common::capabilities();
    let mut screen = common::screen();
    common::apply(&mut screen, &caps, &common::full_screen_record());
    let record = common::small_write_record();
    common::apply(&mut screen, &caps, &record);

    let mut g = c.benchmark_group("apply_small_write");
    g.throughput(Throughput::Elements(1));
    g.bench_function("writes", |b| {
        b.iter(|| datastream::process(&mut screen, black_box(&record), &caps))
    });
    g.finish();
}

fn text_export(c: &mut Criterion) {
    let caps = common::capabilities();
    let mut screen = common::screen();
    common::apply(&mut screen, &caps, &common::full_screen_record());
    let mut text = String::new();

    let mut g = c.benchmark_group("text_export_27x132");
    g.throughput(Throughput::Elements(1));
    g.bench_function("to_text", |b| b.iter(|| black_box(&screen).to_text(&CP037)));
    g.bench_function("write_text_reused", |b| {
        b.iter(|| {
            text.clear();
            black_box(&screen).write_text(&CP037, &mut text);
            text.len()
        })
    });
    g.finish();
}

fn config() -> Criterion {
    // A shared 2-core machine: short, repeatable runs rather than long ones.
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = apply_full_screen, terminal_feed_full_screen, read_modified, small_write, text_export
}
criterion_main!(benches);
