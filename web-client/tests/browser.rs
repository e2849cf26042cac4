//! Browser tests of the canvas renderer, keyboard map and ARIA mirror, in real Chromium
//! (wasm-bindgen-test with `run_in_browser`; `cargo test -p web-client --target
//! wasm32-unknown-unknown`, see docs/WEB-CLIENT.md).
//!
//! Each test builds a screen the way a host would (negotiation, then an Erase/Write record
//! from `tn3270::builder`), paints it synchronously (`renderNow`) and reads the canvas back
//! with `getImageData` at a known cell, or reads the DOM mirror.
#![cfg(target_arch = "wasm32")]
// `#[wasm_bindgen_test]` functions are not `#[test]`, so clippy.toml's allow-unwrap-in-tests
// does not reach them; tests may unwrap.
#![allow(clippy::unwrap_used)]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlElement};

use web_client::demo::NEGOTIATION;
use web_client::theme::{Rgb, X3270};
use web_client::web::WebTerminal;

use tn3270::builder::{ScreenBuilder, Wcc};
use tn3270::codepage::CP037;
use tn3270::screen::attributes::{color, highlight, xa};
use tn3270::screen::{FieldAttribute, ScreenSize};

wasm_bindgen_test_configure!(run_in_browser);

const PROT: FieldAttribute = FieldAttribute(0x20);
const UNPROT: FieldAttribute = FieldAttribute(0x00);
/// EBCDIC SUB: drawn as a solid square, so its centre pixel is pure foreground.
const SUB: u8 = 0x3f;

/// A container of `w`×`h` CSS pixels in the page.
fn container(w: u32, h: u32) -> HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let div: HtmlElement = doc.create_element("div").unwrap().dyn_into().unwrap();
    let s = div.style();
    s.set_property("width", &format!("{w}px")).unwrap();
    s.set_property("height", &format!("{h}px")).unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    div
}

/// A terminal with a fixed 16px font, no cursor blink, the given devicePixelRatio.
fn terminal(div: &HtmlElement, dpr: f64) -> WebTerminal {
    let opts = js_sys::JSON::parse(&format!(
        r#"{{"fontSize": 16, "cursorBlink": false, "devicePixelRatio": {dpr}, "keyboard": false}}"#
    ))
    .unwrap();
    WebTerminal::new(div.clone(), opts).unwrap()
}

/// The host's bytes for one Erase/Write record: negotiation, record (IACs doubled), IAC EOR.
fn host(record: Vec<u8>) -> Vec<u8> {
    let mut out = NEGOTIATION.to_vec();
    tn3270::telnet::write_escaped(&mut out, &record);
    out.extend_from_slice(&[0xff, 0xef]);
    out
}

fn ew() -> ScreenBuilder {
    ScreenBuilder::erase_write(
        Wcc::default().reset().restore_keyboard(),
        ScreenSize::MODEL_2,
    )
}

/// The RGB of the canvas pixel at device coordinates (x, y).
fn pixel(t: &WebTerminal, x: f64, y: f64) -> Rgb {
    let canvas = t.canvas().unwrap();
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let d = ctx.get_image_data(x, y, 1.0, 1.0).unwrap().data();
    Rgb(d[0], d[1], d[2])
}

/// Pixel of a cell at a fraction of its width/height (0.5, 0.5 = centre).
fn cell_pixel(t: &WebTerminal, row: u32, col: u32, fx: f64, fy: f64) -> Rgb {
    let r = t.cell_rect(row, col);
    pixel(t, (r[0] + r[2] * fx).floor(), (r[1] + r[3] * fy).floor())
}

#[wasm_bindgen_test]
fn coloured_field_pixels_equal_the_theme_colours() {
    let div = container(1000, 600);
    let t = terminal(&div, 1.0);
    // SBA(2,10) SFE fg yellow bg blue; SUB at (2,11); SBA(4,0) SF protected; SUB at (4,1).
    t.feed(&host(
        ew().at(2, 10)
            .field_ext(
                PROT,
                &[
                    (xa::FOREGROUND, color::YELLOW),
                    (xa::BACKGROUND, color::BLUE),
                ],
            )
            .ebcdic(&[SUB, 0x40])
            .field(PROT)
            .at(4, 0)
            .field(PROT)
            .ebcdic(&[SUB])
            .build(),
    ));
    t.render_now();
    assert_eq!(
        cell_pixel(&t, 2, 11, 0.5, 0.5),
        X3270.palette[6],
        "yellow glyph"
    );
    assert_eq!(
        cell_pixel(&t, 2, 11, 0.05, 0.05),
        X3270.palette[1],
        "blue background"
    );
    assert_eq!(
        cell_pixel(&t, 2, 12, 0.5, 0.5),
        X3270.palette[1],
        "blue blank"
    );
    // Protected normal without extended colour: x3270's blue.
    assert_eq!(
        cell_pixel(&t, 4, 1, 0.5, 0.5),
        X3270.base_color(true, false)
    );
    // The field attribute cell and untouched cells are background.
    assert_eq!(cell_pixel(&t, 2, 10, 0.5, 0.5), X3270.background);
    assert_eq!(cell_pixel(&t, 10, 40, 0.5, 0.5), X3270.background);
}

#[wasm_bindgen_test]
fn reverse_video_paints_the_foreground_as_background() {
    let div = container(1000, 600);
    let t = terminal(&div, 1.0);
    // SBA(1,0) SFE reverse + fg red; "AB"; SF.
    t.feed(&host(
        ew().at(1, 0)
            .field_ext(
                PROT,
                &[
                    (xa::HIGHLIGHTING, highlight::REVERSE),
                    (xa::FOREGROUND, color::RED),
                ],
            )
            .text("AB", &CP037)
            .field(PROT)
            .build(),
    ));
    t.render_now();
    let red = X3270.palette[2];
    assert_eq!(cell_pixel(&t, 1, 1, 0.05, 0.05), red);
    assert_eq!(cell_pixel(&t, 1, 2, 0.95, 0.95), red);
    assert_eq!(cell_pixel(&t, 1, 3, 0.5, 0.5), X3270.background);
}

#[wasm_bindgen_test]
fn block_cursor_follows_the_cursor_address() {
    let div = container(1000, 600);
    let mut t = terminal(&div, 1.0);
    // SF prot at (0,0) "NAME"; SF unprot with IC -> cursor (0,6); SF prot at (0,20);
    // SF unprot at (1,0) -> the next field starts at (1,1).
    t.feed(&host(
        ew().field(PROT)
            .text("NAME", &CP037)
            .field(UNPROT)
            .insert_cursor()
            .at(0, 20)
            .field(PROT)
            .at(1, 0)
            .field(UNPROT)
            .at(1, 30)
            .field(PROT)
            .build(),
    ));
    t.render_now();
    assert_eq!(t.cursor(), vec![0, 6]);
    assert_eq!(cell_pixel(&t, 0, 6, 0.1, 0.1), X3270.cursor);
    assert!(t.handle_key("Tab", "Tab", false, false, false, false));
    t.render_now();
    assert_eq!(t.cursor(), vec![1, 1]);
    assert_eq!(cell_pixel(&t, 1, 1, 0.1, 0.1), X3270.cursor);
    assert_eq!(
        cell_pixel(&t, 0, 6, 0.1, 0.1),
        X3270.background,
        "old cursor cell repainted"
    );
    assert!(t.oia_text().ends_with("002/002"), "{:?}", t.oia_text());
}

#[wasm_bindgen_test]
fn hidpi_canvas_has_twice_the_device_pixels() {
    let div = container(1400, 900);
    let t1 = terminal(&div, 1.0);
    t1.render_now();
    let div2 = container(1400, 900);
    let t2 = terminal(&div2, 2.0);
    // SBA(3,5) SFE bg green; blanks.
    t2.feed(&host(
        ew().at(3, 5)
            .field_ext(PROT, &[(xa::BACKGROUND, color::GREEN)])
            .at(3, 30)
            .field(PROT)
            .build(),
    ));
    t2.render_now();
    assert_eq!(t2.pixel_ratio(), 2.0);
    let (c1, c2) = (t1.canvas().unwrap(), t2.canvas().unwrap());
    let (r1, r2) = (t1.cell_rect(0, 0), t2.cell_rect(0, 0));
    // Cells are the same CSS size, twice the device pixels (within rounding).
    assert!((r2[2] - 2.0 * r1[2]).abs() <= 1.0, "{r1:?} {r2:?}");
    assert!((r2[3] - 2.0 * r1[3]).abs() <= 1.0, "{r1:?} {r2:?}");
    assert_eq!(c2.width(), (r2[2] as u32) * 80);
    let css_w = c2.get_bounding_client_rect().width();
    assert!(
        (css_w * 2.0 - f64::from(c2.width())).abs() < 1.0,
        "css {css_w} device {}",
        c2.width()
    );
    assert!(c1.width() < c2.width());
    // A cell's every device pixel is painted: check the last pixel of (3,6).
    assert_eq!(cell_pixel(&t2, 3, 6, 0.99, 0.99), X3270.palette[4]);
    assert_eq!(cell_pixel(&t2, 3, 6, 0.0, 0.0), X3270.palette[4]);
}

#[wasm_bindgen_test]
fn font_fits_the_container() {
    let div = container(640, 400);
    let opts =
        js_sys::JSON::parse(r#"{"devicePixelRatio": 1, "cursorBlink": false, "keyboard": false}"#)
            .unwrap();
    let t = WebTerminal::new(div.clone(), opts).unwrap();
    t.render_now();
    let rect = t.canvas().unwrap().get_bounding_client_rect();
    let (w, h) = (rect.width(), rect.height());
    assert!(w <= 640.0 && h <= 400.0, "{w}x{h} overflows 640x400");
    // It fills one dimension, up to the sub-pixel lost per cell (80 columns / 25 rows).
    assert!(
        w > 640.0 - 80.0 || h > 400.0 - 25.0,
        "{w}x{h} does not fill 640x400"
    );
    assert!(
        t.cell_rect(0, 0)[3] >= 12.0,
        "font too small: {:?}",
        t.cell_rect(0, 0)
    );
}

#[wasm_bindgen_test]
fn keymap_drives_the_terminal() {
    let div = container(1000, 600);
    let mut t = terminal(&div, 1.0);
    assert_eq!(
        t.key_action("F1", "F1", true, false, false, false),
        "Pf(13)"
    );
    assert_eq!(
        t.key_action("Enter", "NumpadEnter", false, false, false, false),
        "Enter"
    );
    assert_eq!(
        t.key_action("¡", "Digit1", false, false, true, false),
        "Pa(1)"
    );
    assert_eq!(t.key_action("c", "KeyC", false, true, false, false), "");
    t.set_keymap(r#"{"Ctrl+KeyJ": "PF24"}"#).unwrap();
    assert_eq!(
        t.key_action("j", "KeyJ", false, true, false, false),
        "Pf(24)"
    );
    assert!(t.set_keymap(r#"{"F1": "PF99"}"#).is_err());
    // Type into the input field and press Enter: the host gets AID Enter, cursor, SBA, data.
    t.feed(&host(
        ew().field(PROT)
            .text("ID", &CP037)
            .field(UNPROT)
            .insert_cursor()
            .at(0, 10)
            .field(PROT)
            .build(),
    ));
    let _ = t.take_output();
    for (k, c) in [("a", "KeyA"), ("b", "KeyB")] {
        assert!(t.handle_key(k, c, false, false, false, false));
    }
    assert!(t.handle_key("Enter", "NumpadEnter", false, false, false, false));
    let out = t.take_output();
    assert_eq!(out.first(), Some(&0x7d), "{out:02x?}"); // AID Enter
    assert!(out.windows(2).any(|w| w == [0x81, 0x82]), "{out:02x?}"); // "ab"
    t.render_now();
    assert!(t.oia_text().contains("X SYSTEM"));
}

#[wasm_bindgen_test]
fn dom_mirror_has_the_screen_text_and_the_oia() {
    let div = container(1000, 600);
    let t = terminal(&div, 1.0);
    t.feed(&host(
        ew().at(0, 1)
            .field(PROT)
            .text("HELLO 3270", &CP037)
            .at(1, 0)
            .field(FieldAttribute(0x0c)) // non-display
            .text("SECRET", &CP037)
            .at(1, 20)
            .field(PROT)
            .build(),
    ));
    t.render_now();
    let grid = div.query_selector("[role=grid]").unwrap().unwrap();
    assert_eq!(grid.get_attribute("aria-rowcount").as_deref(), Some("24"));
    let cells = div
        .query_selector_all("[role=row] > [role=gridcell]")
        .unwrap();
    assert_eq!(cells.length(), 24);
    let row = |i: u32| cells.item(i).unwrap().text_content().unwrap();
    assert_eq!(row(0).trim_end(), "  HELLO 3270");
    assert_eq!(row(0).chars().count(), 80);
    assert_eq!(
        row(1).trim_end(),
        "",
        "non-display text must not reach the mirror"
    );
    // The status region says the OIA in words (no cursor position: it changes only when the
    // state does); the canvas OIA line starts "4A".
    let status = div.query_selector("[role=status]").unwrap().unwrap();
    assert!(
        status
            .text_content()
            .unwrap()
            .starts_with("Connected, 3270 mode"),
        "{:?}",
        status.text_content()
    );
    assert!(t.oia_text().starts_with("4A "), "{:?}", t.oia_text());
    // Only changed rows are rewritten, and they follow the screen.
    t.feed(&host(ew().at(5, 0).text("ROW SIX", &CP037).build()));
    t.render_now();
    assert_eq!(row(5).trim_end(), "ROW SIX");
    assert_eq!(row(0).trim_end(), "");
    assert!(t.screen_text().contains("ROW SIX"));
}

#[wasm_bindgen_test]
fn demo_screen_loads() {
    let div = container(1000, 600);
    let t = terminal(&div, 1.0);
    t.load_demo();
    t.render_now();
    assert!(t.screen_text().contains("web3270 browser terminal"));
    assert_eq!(t.cursor(), vec![3, 25]);
}

/// Resolves at the next animation frame (after the terminal's own frame callback, which was
/// requested first).
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window().unwrap().request_animation_frame(&resolve);
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn repaints_are_coalesced_to_one_animation_frame() {
    let div = container(1000, 600);
    let t = terminal(&div, 1.0);
    t.render_now();
    // Two records in a row: nothing is painted until the frame, then both show.
    t.feed(&host(
        ew().at(2, 0)
            .field_ext(PROT, &[(xa::BACKGROUND, color::RED)])
            .build(),
    ));
    t.feed(&host(
        ScreenBuilder::write(Wcc::default().restore_keyboard(), ScreenSize::MODEL_2)
            .at(3, 0)
            .field_ext(PROT, &[(xa::BACKGROUND, color::YELLOW)])
            .build(),
    ));
    assert_eq!(
        cell_pixel(&t, 2, 1, 0.5, 0.5),
        X3270.background,
        "painted before the frame"
    );
    next_frame().await;
    assert_eq!(cell_pixel(&t, 2, 1, 0.5, 0.5), X3270.palette[2]);
    assert_eq!(cell_pixel(&t, 3, 1, 0.5, 0.5), X3270.palette[6]);
}

#[wasm_bindgen_test]
fn only_dirty_cells_are_repainted() {
    let div = container(1000, 600);
    let t = terminal(&div, 1.0);
    t.feed(&host(ew().at(0, 0).text("ABC", &CP037).build()));
    t.render_now();
    // Scribble a marker on cell (10,10), which the next write does not touch.
    let canvas = t.canvas().unwrap();
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let r = t.cell_rect(10, 10);
    ctx.set_fill_style_str("#123456");
    ctx.fill_rect(r[0], r[1], r[2], r[3]);
    // W (no erase): SBA(0,1) "X".
    t.feed(&host(
        ScreenBuilder::write(Wcc::default().restore_keyboard(), ScreenSize::MODEL_2)
            .at(0, 1)
            .text("X", &CP037)
            .build(),
    ));
    t.render_now();
    assert_eq!(
        cell_pixel(&t, 10, 10, 0.5, 0.5),
        Rgb(0x12, 0x34, 0x56),
        "clean cell repainted"
    );
    assert!(t.screen_text().starts_with("AXC"));
    // A theme change repaints everything.
    t.set_theme("light").unwrap();
    t.render_now();
    assert_eq!(
        cell_pixel(&t, 10, 10, 0.5, 0.5),
        web_client::theme::LIGHT.background
    );
}

#[wasm_bindgen_test]
fn keydown_on_the_canvas_reaches_the_terminal() {
    let div = container(1000, 600);
    let opts = js_sys::JSON::parse(
        r#"{"fontSize": 16, "cursorBlink": false, "devicePixelRatio": 1, "keyboard": true}"#,
    )
    .unwrap();
    let t = WebTerminal::new(div.clone(), opts).unwrap();
    t.feed(&host(
        ew().field(UNPROT)
            .insert_cursor()
            .at(0, 10)
            .field(PROT)
            .build(),
    ));
    let _ = t.take_output();
    let canvas = t.canvas().unwrap();
    let key = |key: &str, code: &str, shift: bool| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_code(code);
        init.set_shift_key(shift);
        init.set_cancelable(true);
        let ev =
            web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        canvas.dispatch_event(&ev).unwrap();
        ev.default_prevented()
    };
    assert!(
        key("Q", "KeyQ", true),
        "a typed key is taken from the browser"
    );
    assert!(
        t.screen_text().starts_with(" Q"),
        "{:?}",
        &t.screen_text()[..10]
    );
    assert!(
        !key("Shift", "ShiftLeft", true),
        "a lone modifier is left to the browser"
    );
    assert!(key("F3", "F3", true), "Shift+F3 is PF15");
    assert_eq!(t.take_output().first(), Some(&0xc3)); // AID PF15
}

#[wasm_bindgen_test]
fn alternate_size_resizes_the_grid_canvas_and_mirror() {
    let div = container(1000, 900);
    let opts = js_sys::JSON::parse(
        r#"{"model": "3279-4-E", "fontSize": 12, "cursorBlink": false, "devicePixelRatio": 1, "keyboard": false}"#,
    )
    .unwrap();
    let t = WebTerminal::new(div.clone(), opts).unwrap();
    t.feed(&host(ew().text("DEFAULT", &CP037).build()));
    t.render_now();
    let h24 = t.canvas().unwrap().height();
    // Erase/Write Alternate: the 43x80 model 4 screen; SBA(42,0) "LAST".
    let ewa = ScreenBuilder::erase_write_alternate(
        Wcc::default().reset().restore_keyboard(),
        ScreenSize::MODEL_4,
    );
    t.feed(&host(ewa.at(42, 0).text("LAST", &CP037).build()));
    t.render_now();
    let h43 = t.canvas().unwrap().height();
    let cell_h = t.cell_rect(0, 0)[3] as u32;
    assert_eq!(h43 - h24, 19 * cell_h, "19 more rows");
    let cells = div.query_selector_all("[role=gridcell]").unwrap();
    assert_eq!(cells.length(), 43);
    assert_eq!(
        cells.item(42).unwrap().text_content().unwrap().trim_end(),
        "LAST"
    );
    assert!(t.oia_text().ends_with("001/001"), "{:?}", t.oia_text());
}

/// Record mode, as behind the bridge's websocket: the session message starts it, binary
/// messages (data type + record) feed it, and what the operator sends leaves through the
/// send callback — records as binary, ATTN as JSON text (docs/WEBSOCKET.md).
#[wasm_bindgen_test]
fn record_mode_talks_the_websocket_protocol() {
    use wasm_bindgen::prelude::Closure;
    let div = container(800, 500);
    let t = terminal(&div, 1.0);
    let info = js_sys::JSON::parse(
        r#"{"model":"3279-2-E","mode":"tn3270e","lu_state":"lu-lu","lu":"LU1"}"#,
    )
    .unwrap();
    t.begin_session(info).unwrap();
    let sent = js_sys::Array::new();
    let sink = sent.clone();
    let cb = Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(move |m: wasm_bindgen::JsValue| {
        sink.push(&m);
    });
    t.set_on_send(cb.as_ref().unchecked_ref::<js_sys::Function>().clone());
    cb.forget();
    // 3270-DATA: WSF Read Partition Query -> a Query Reply record goes out (0x00, AID 0x88).
    t.feed_record(&[0x00, 0xf3, 0x00, 0x05, 0x01, 0xff, 0x02]);
    assert_eq!(sent.length(), 1);
    let reply = js_sys::Uint8Array::new(&sent.get(0)).to_vec();
    assert_eq!(&reply[..2], &[0x00, 0x88]);
    // An Erase/Write with a protected HELLO and an input field; then Enter.
    let mut msg = vec![0x00];
    msg.extend(
        ScreenBuilder::erase_write(Wcc::NONE.restore_keyboard(), ScreenSize::MODEL_2)
            .at(0, 1)
            .field(PROT)
            .text("HELLO", &CP037)
            .field(UNPROT)
            .insert_cursor()
            .build(),
    );
    t.feed_record(&msg);
    assert!(
        t.screen_text().starts_with("  HELLO"),
        "{}",
        t.screen_text()
    );
    t.press("Enter").unwrap();
    let enter = js_sys::Uint8Array::new(&sent.get(sent.length() - 1)).to_vec();
    assert_eq!(&enter[..2], &[0x00, 0x7d], "3270-DATA, AID Enter");
    t.press("Attn").unwrap();
    assert_eq!(
        sent.get(sent.length() - 1).as_string().as_deref(),
        Some(r#"{"type":"attn"}"#)
    );
}

/// The bridge's `session` message names the endpoint's code page: the terminal decodes the
/// host's text with it, whatever its own `codePage` option says; without one it keeps the
/// option.
#[wasm_bindgen_test]
fn the_endpoints_code_page_from_the_session_message_decodes_the_screen() {
    // Erase/Write, WCC restore, SBA 0, then bytes CP037 shows as "¢!@{" and CP273 as "ÄÜ§ä".
    let write = [0x00, 0xf5, 0xc3, 0x11, 0x40, 0x40, 0x4a, 0x5a, 0x7c, 0xc0];
    let session = |code_page: &str| {
        js_sys::JSON::parse(&format!(
            r#"{{"model":"3279-2-E","mode":"tn3270e","lu_state":"lu-lu","code_page":{code_page}}}"#
        ))
        .unwrap()
    };
    let div = container(800, 500);
    let t = terminal(&div, 1.0);
    t.begin_session(session(r#""cp273""#)).unwrap();
    t.feed_record(&write);
    assert!(t.screen_text().starts_with("ÄÜ§ä"), "{}", t.screen_text());
    let div = container(800, 500);
    let t = terminal(&div, 1.0);
    t.begin_session(session("null")).unwrap();
    t.feed_record(&write);
    assert!(t.screen_text().starts_with("¢!@{"), "{}", t.screen_text());
}

/// `fields()` lists the screen model's fields: places, kinds, the text shown (a hidden field
/// blank), and `modified` once the operator typed into one.
#[wasm_bindgen_test]
fn fields_come_from_the_screen_model() {
    let div = container(800, 500);
    let t = terminal(&div, 1.0);
    t.begin_session(
        js_sys::JSON::parse(r#"{"model":"3279-2-E","mode":"tn3270e","lu_state":"lu-lu"}"#).unwrap(),
    )
    .unwrap();
    let mut msg = vec![0x00];
    msg.extend(
        ScreenBuilder::erase_write(Wcc::NONE.restore_keyboard(), ScreenSize::MODEL_2)
            .at(0, 0)
            .field(PROT)
            .text("NAME", &CP037)
            .field(UNPROT)
            .insert_cursor()
            .text("ab", &CP037)
            .at(0, 20)
            .field(FieldAttribute(0x0c)) // unprotected, non-display
            .text("SECRET", &CP037)
            .at(0, 30)
            .field(FieldAttribute(0x30)) // protected numeric (skip)
            .build(),
    );
    t.feed_record(&msg);
    t.type_text("xy");
    let fields: Vec<serde_json::Value> = t
        .fields()
        .iter()
        .map(|f| {
            serde_json::from_str(&js_sys::JSON::stringify(&f).unwrap().as_string().unwrap())
                .unwrap()
        })
        .collect();
    assert_eq!(fields.len(), 4, "{fields:?}");
    assert_eq!(fields[0]["row"], 0);
    assert_eq!(fields[0]["col"], 1);
    assert_eq!(fields[0]["length"], 4);
    assert_eq!(fields[0]["protected"], true);
    assert_eq!(fields[0]["text"], "NAME");
    assert_eq!(fields[1]["col"], 6);
    assert_eq!(fields[1]["protected"], false);
    assert_eq!(fields[1]["modified"], true, "typed into");
    assert!(
        fields[1]["text"].as_str().unwrap().starts_with("xy"),
        "{}",
        fields[1]
    );
    assert_eq!(fields[2]["hidden"], true);
    assert_eq!(fields[2]["modified"], false);
    assert_eq!(fields[2]["text"], " ".repeat(9), "hidden text is blank");
    assert_eq!(fields[3]["numeric"], true);
    assert_eq!(
        fields[3]["length"],
        80 * 24 - 31,
        "wraps to the first field"
    );
}
