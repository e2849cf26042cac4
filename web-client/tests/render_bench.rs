//! Rendering benchmark in the browser, run on demand (every test is `#[ignore]`d, so the
//! suite only lists them). It prints figures; it asserts nothing about time.
//!
//! ```sh
//! CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=300 \
//! CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_LTO=true \
//! CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
//!   cargo test -p web-client --target wasm32-unknown-unknown --release \
//!   --test render_bench -- --include-ignored --nocapture
//! ```
//!
//! (the release settings of `scripts/build-web.sh`, without wasm-opt). The screen is the
//! protocol-core benchmark's (`tn3270/benches/common/mod.rs`): a 27×132 Erase/Write Alternate
//! with 324 coloured SFE fields (seven colours, underscore/reverse/intensify), text in every
//! data position and an SA run per row, fed in record mode as behind the bridge. Measured with
//! `performance.now()` around `renderNow()` — one whole frame of the painter: the `Frame`
//! rebuild, the canvas draw calls, the ARIA mirror rows and the OIA — over many frames:
//!
//! - **full repaint**: `invalidate()` then `renderNow()` (what a theme change, a resize or a
//!   new screen size costs; an Erase/Write repaints about as much through the dirty cells);
//! - **new screen**: two dense screens with different labels in turn (fed untimed): the full
//!   repaint plus the mirror rebuilding every row's nodes, as after a host's Erase/Write;
//! - **one-field update**: a Write that puts 10 characters into one input and moves the
//!   cursor there (two such records alternate so every frame changes), then `renderNow()`;
//!   also timed with the `feedRecord` that applies it.
//!
//! Canvas 2D records draw calls and rasterises them later (when the page composites, or on a
//! read-back). So each figure is also given "+ raster": the same frame followed by a 1×1
//! `getImageData`, which waits for the pixels.
#![cfg(target_arch = "wasm32")]
// `#[wasm_bindgen_test]` functions are not `#[test]`: tests may unwrap.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "../../tn3270/benches/common/mod.rs"]
mod workload;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::CanvasRenderingContext2d;

use common::container;
use web_client::web::WebTerminal;

wasm_bindgen_test_configure!(run_in_browser);

/// Frames before measuring (JIT, font and glyph caches).
const WARMUP_FRAMES: usize = 30;
/// Measured frames per figure.
const FRAMES: usize = 400;
/// The 3270-DATA data type byte of a websocket record message (docs/WEBSOCKET.md).
const DT_3270_DATA: u8 = 0x00;

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

/// A model-5 terminal in record mode at the given pixel ratio, with a fixed 16 px font and
/// no cursor blink, showing the dense coloured screen, painted once.
fn model5(dpr: f64) -> WebTerminal {
    let div = container(1300, 700);
    let opts = js_sys::JSON::parse(&format!(
        r#"{{"model": "3279-5-E", "fontSize": 16, "cursorBlink": false,
             "devicePixelRatio": {dpr}}}"#
    ))
    .unwrap();
    let t = WebTerminal::new(div, opts).unwrap();
    let info = js_sys::JSON::parse(
        r#"{"model":"3279-5-E","mode":"tn3270e","lu_state":"lu-lu","lu":"BENCH"}"#,
    )
    .unwrap();
    t.begin_session(info).unwrap();
    t.feed_record(&record(workload::full_screen_record()));
    t.render_now();
    let text = t.screen_text();
    assert_eq!(text.lines().count(), workload::ROWS);
    assert!(text.lines().all(|l| l.chars().count() == workload::COLS));
    assert!(text.contains("FLD000-ID:"), "{text}");
    t
}

fn record(body: Vec<u8>) -> Vec<u8> {
    let mut m = vec![DT_3270_DATA];
    m.extend(body);
    m
}

/// Waits for the canvas's pixels (a 1×1 read-back).
fn raster(t: &WebTerminal) {
    let ctx: CanvasRenderingContext2d = t
        .canvas()
        .unwrap()
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let _ = ctx.get_image_data(0.0, 0.0, 1.0, 1.0).unwrap();
}

/// Median, p95, mean and max of per-frame milliseconds.
fn report(what: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let n = ms.len();
    let p95 = ms[(n * 95).div_ceil(100) - 1];
    let mean = ms.iter().sum::<f64>() / n as f64;
    console_log!(
        "BENCH {what:<44} median {:7.3} ms  p95 {:7.3} ms  mean {:7.3} ms  max {:7.3} ms  ({n} frames)",
        ms[n / 2],
        p95,
        mean,
        ms[n - 1]
    );
}

/// Resolves in the next animation frame's callbacks (as the terminal's own repaint runs).
async fn next_frame() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .request_animation_frame(&resolve)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

/// Times `FRAMES` runs of `frame` (after the warm-up), one per animation frame as in the
/// page, so the browser composites (and rasterises) the previous frame outside the timing;
/// `prepare` runs untimed before each.
async fn measure(
    t: &mut WebTerminal,
    prepare: impl Fn(&mut WebTerminal, usize),
    frame: impl Fn(&mut WebTerminal, usize),
) -> Vec<f64> {
    let mut out = Vec::with_capacity(FRAMES);
    for i in 0..WARMUP_FRAMES + FRAMES {
        next_frame().await;
        prepare(t, i);
        let t0 = now();
        frame(t, i);
        let dt = now() - t0;
        if i >= WARMUP_FRAMES {
            out.push(dt);
        }
    }
    out
}

fn environment() {
    let w = web_sys::window().unwrap();
    let isolated = js_sys::Reflect::get(&w, &"crossOriginIsolated".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    console_log!(
        "BENCH userAgent {:?}; crossOriginIsolated {isolated} (performance.now resolution: 5 µs if true, 100 µs if false)",
        w.navigator().user_agent().unwrap_or_default()
    );
}

async fn bench_at(dpr: f64) {
    environment();
    let mut t = model5(dpr);
    let g = t.cell_rect(0, 0);
    let canvas = t.canvas().unwrap();
    console_log!(
        "BENCH devicePixelRatio {dpr}: cell {}x{} device px, canvas {}x{}",
        g[2],
        g[3],
        canvas.width(),
        canvas.height()
    );
    let invalidate = |t: &mut WebTerminal, _| t.invalidate();
    let paint = |t: &mut WebTerminal, _| t.render_now();
    let paint_raster = |t: &mut WebTerminal, _| {
        t.render_now();
        raster(t);
    };
    let full = measure(&mut t, invalidate, paint).await;
    report(&format!("dpr {dpr}: full repaint 27x132"), full);
    let full_raster = measure(&mut t, invalidate, paint_raster).await;
    report(
        &format!("dpr {dpr}: full repaint 27x132 + raster"),
        full_raster,
    );

    // New screens: the dense screen and the same with other labels ("FLD" -> "ROW"), in
    // turn, so every frame repaints everything and rebuilds every mirror row's nodes.
    let screen_a = record(workload::full_screen_record());
    let screen_b = {
        let mut b = screen_a.clone();
        let (fld, row) = ([0xc6, 0xd3, 0xc4], [0xd9, 0xd6, 0xe6]); // "FLD", "ROW" in CP037
        for i in 0..b.len().saturating_sub(2) {
            if b[i..i + 3] == fld {
                b[i..i + 3].copy_from_slice(&row);
            }
        }
        b
    };
    let screen = |i: usize| {
        if i.is_multiple_of(2) {
            &screen_a
        } else {
            &screen_b
        }
    };
    let new_screen = measure(&mut t, |t, i| t.feed_record(screen(i)), paint).await;
    report(&format!("dpr {dpr}: new screen 27x132 (paint)"), new_screen);
    t.feed_record(&screen_a);
    t.render_now();

    let a = record(workload::small_write_record());
    // The same Write with other text, so that every frame changes the field.
    let b = {
        let mut b = a.clone();
        let ok = [0xd6, 0xd2]; // "OK" in CP037
        let at = b.windows(2).position(|w| w == ok).unwrap();
        b[at..at + 2].copy_from_slice(&[0xd5, 0xd6]); // "NO"
        b
    };
    let pick = |i: usize| if i.is_multiple_of(2) { &a } else { &b };
    let feed = |t: &mut WebTerminal, i: usize| t.feed_record(pick(i));
    let field = measure(&mut t, feed, paint).await;
    report(&format!("dpr {dpr}: one-field update (paint)"), field);
    let feed_paint = |t: &mut WebTerminal, i: usize| {
        t.feed_record(pick(i));
        t.render_now();
    };
    let field_feed = measure(&mut t, |_, _| {}, feed_paint).await;
    report(
        &format!("dpr {dpr}: one-field update (feed + paint)"),
        field_feed,
    );
    let field_raster = measure(&mut t, feed, paint_raster).await;
    report(
        &format!("dpr {dpr}: one-field update (paint + raster)"),
        field_raster,
    );
    assert!(t.screen_text().contains("UPDATED-"));
}

#[wasm_bindgen_test]
#[ignore = "benchmark: run with --include-ignored --nocapture (docs/PERFORMANCE.md)"]
async fn render_bench_dpr_1() {
    bench_at(1.0).await;
}

#[wasm_bindgen_test]
#[ignore = "benchmark: run with --include-ignored --nocapture (docs/PERFORMANCE.md)"]
async fn render_bench_dpr_2() {
    bench_at(2.0).await;
}
