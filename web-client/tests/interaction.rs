//! Browser tests of the interaction layer, in real Chromium: mouse (click → cursor, light
//! pen, hotspots, rectangular selection drawn on the canvas), clipboard (copy and paste
//! events), the OIA's connection states, zoom, and the accessible mirror (labelled inputs,
//! no hidden text, live announcements). Run with `cargo test -p web-client --target
//! wasm32-unknown-unknown` (docs/WEB-CLIENT.md).
//!
//! Each scenario builds the screen the way a host would (negotiation, then an Erase/Write
//! record from `tn3270::builder`), acts like the user (DOM events on the canvas or the
//! document), and checks what the host receives (`takeOutput`: AID first), the canvas
//! pixels, or the DOM.
#![cfg(target_arch = "wasm32")]
// `#[wasm_bindgen_test]` functions are not `#[test]`, so clippy.toml's allow-unwrap-in-tests
// does not reach them; tests may unwrap.
#![allow(clippy::unwrap_used)]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

use common::*;
use web_client::theme::X3270;
use web_client::web::WebTerminal;

use tn3270::builder::{ScreenBuilder, Wcc};
use tn3270::codepage::CP037;
use tn3270::screen::{FieldAttribute, ScreenSize};

wasm_bindgen_test_configure!(run_in_browser);

const PROT: FieldAttribute = FieldAttribute(0x20);
const UNPROT: FieldAttribute = FieldAttribute(0x00);
const NONDISPLAY: FieldAttribute = FieldAttribute(0x0c);
/// Protected, selector-pen detectable (intensity bits 01).
const DETECTABLE: FieldAttribute = FieldAttribute(0x24);

/// AIDs (GA23-0059 §3.5.6).
const AID_ENTER: u8 = 0x7d;
const AID_PF3: u8 = 0xf3;
const AID_PF1: u8 = 0xf1;
const AID_PA1: u8 = 0x6c;
const AID_SELECT: u8 = 0x7e;

/// A logon screen:
/// row 0: "USERID ===>" then an input field (0,14)..=(0,21), protected after it;
/// row 1: "PASSWORD ===>" then a non-display input (1,16)..=(1,23) holding "SECRET";
/// row 5: a detectable field " OPTION" (designator blank);
/// row 23: "F1=Help  PF3=Exit  PA1=Attn". Cursor in the USERID field.
fn logon() -> Vec<u8> {
    host(
        ew().at(0, 0)
            .field(PROT)
            .text("USERID ===>", &CP037)
            .at(0, 13)
            .field(UNPROT)
            .insert_cursor()
            .at(0, 22)
            .field(PROT)
            .at(1, 0)
            .field(PROT)
            .text("PASSWORD ===>", &CP037)
            .at(1, 15)
            .field(NONDISPLAY)
            .text("SECRET", &CP037)
            .at(1, 24)
            .field(PROT)
            .at(5, 0)
            .field(DETECTABLE)
            .text(" OPTION", &CP037)
            .at(5, 20)
            .field(PROT)
            .at(23, 0)
            .field(PROT)
            .text("F1=Help  PF3=Exit  PA1=Attn", &CP037)
            .build(),
    )
}

/// A terminal listening for input (keyboard, mouse, clipboard) with the logon screen.
fn logon_terminal(div: &web_sys::HtmlElement, dpr: f64) -> WebTerminal {
    let t = terminal_with(div, dpr, r#""keyboard": true"#);
    t.feed(&logon());
    let _ = t.take_output();
    t.render_now();
    t
}

#[wasm_bindgen_test]
fn a_click_moves_the_cursor_on_a_hidpi_canvas() {
    let div = container(1400, 900);
    let t = logon_terminal(&div, 2.0);
    assert_eq!(t.cursor(), vec![0, 14]);
    click(&t, 3, 40);
    assert_eq!(t.cursor(), vec![3, 40]);
    click(&t, 0, 79);
    assert_eq!(t.cursor(), vec![0, 79]);
    // A click on the OIA row is not a cell: nothing moves.
    t.render_now();
    assert!(t.oia_text().ends_with("001/080"), "{:?}", t.oia_text());
    // The API does the same.
    assert_eq!(t.click(2, 2), "Move");
    assert_eq!(t.cursor(), vec![2, 2]);
}

#[wasm_bindgen_test]
fn a_hotspot_click_sends_the_pf_key() {
    let div = container(1000, 600);
    let t = logon_terminal(&div, 1.0);
    // "PF3=Exit" occupies (23,10)..=(23,17); click on the "E".
    click(&t, 23, 14);
    let out = t.take_output();
    assert_eq!(out.first(), Some(&AID_PF3), "{out:02x?}");
    t.render_now();
    assert!(t.oia_text().contains("X SYSTEM"));
    // With hotspots off the same click only moves the cursor.
    t.feed(&logon());
    let _ = t.take_output();
    t.set_options(js_sys::JSON::parse(r#"{"hotspots": false}"#).unwrap())
        .unwrap();
    click(&t, 23, 2);
    assert_eq!(t.take_output(), Vec::<u8>::new());
    assert_eq!(t.cursor(), vec![23, 2]);
    t.set_options(js_sys::JSON::parse(r#"{"hotspots": true}"#).unwrap())
        .unwrap();
    assert_eq!(t.click(23, 2), "Hotspot(PF1)");
    assert_eq!(t.take_output().first(), Some(&AID_PF1));
    t.feed(&logon());
    let _ = t.take_output();
    assert_eq!(t.click(23, 20), "Hotspot(PA1)");
    assert_eq!(t.take_output().first(), Some(&AID_PA1));
}

#[wasm_bindgen_test]
fn the_light_pen_selects_a_detectable_field() {
    let div = container(1000, 600);
    let t = logon_terminal(&div, 1.0);
    // Touch the detectable field (row 5): blank designator -> selection AID X'7E' with the
    // pen's address (5,4) = 404 = X'C6' X'D4' in 12-bit code, then SBA to the field's
    // first position (5,1) = 401 = X'C6' X'D1' and no data.
    click(&t, 5, 4);
    let out = t.take_output();
    assert_eq!(
        &out[..6],
        &[AID_SELECT, 0xc6, 0xd4, 0x11, 0xc6, 0xd1],
        "{out:02x?}"
    );
    // lightPen off: a plain move.
    t.feed(&logon());
    let _ = t.take_output();
    t.set_options(js_sys::JSON::parse(r#"{"lightPen": false}"#).unwrap())
        .unwrap();
    assert_eq!(t.click(5, 4), "Move");
    assert_eq!(t.take_output(), Vec::<u8>::new());
}

#[wasm_bindgen_test]
fn a_drag_draws_the_selection_and_copy_puts_its_text_on_the_clipboard() {
    let div = container(1000, 600);
    let t = logon_terminal(&div, 1.0);
    // Drag over rows 0-1, columns 1-23: "USERID ===>" and "PASSWORD ===>" plus the hidden
    // field, whose text must not be copied.
    drag(&t, (1, 23), (0, 1));
    t.render_now();
    assert_eq!(t.cursor(), vec![0, 14], "a drag does not move the cursor");
    let sel = X3270.selection;
    assert_eq!(cell_pixel(&t, 0, 12, 0.1, 0.1), sel, "selected blank cell");
    assert_eq!(cell_pixel(&t, 1, 20, 0.1, 0.1), sel, "selected hidden cell");
    assert_eq!(cell_pixel(&t, 2, 5, 0.1, 0.1), X3270.background, "outside");
    assert_eq!(cell_pixel(&t, 0, 24, 0.1, 0.1), X3270.background, "outside");
    assert_eq!(t.selection_text(), "USERID ===>\nPASSWORD ===>");
    // The copy event (Ctrl+C) fills the clipboard data while the canvas has focus.
    t.canvas().unwrap().focus().unwrap();
    let dt = web_sys::DataTransfer::new().unwrap();
    let init = web_sys::ClipboardEventInit::new();
    init.set_clipboard_data(Some(&dt));
    init.set_cancelable(true);
    init.set_bubbles(true);
    let ev = web_sys::ClipboardEvent::new_with_event_init_dict("copy", &init).unwrap();
    let doc = web_sys::window().unwrap().document().unwrap();
    doc.dispatch_event(&ev).unwrap();
    assert!(ev.default_prevented());
    assert_eq!(
        dt.get_data("text/plain").unwrap(),
        "USERID ===>\nPASSWORD ===>"
    );
    // A click clears the selection and the overlay.
    click(&t, 10, 10);
    t.render_now();
    assert_eq!(t.selection_text(), "");
    assert_eq!(cell_pixel(&t, 0, 12, 0.1, 0.1), X3270.background);
    // No selection: copy leaves the clipboard alone.
    let dt = web_sys::DataTransfer::new().unwrap();
    init.set_clipboard_data(Some(&dt));
    let ev = web_sys::ClipboardEvent::new_with_event_init_dict("copy", &init).unwrap();
    doc.dispatch_event(&ev).unwrap();
    assert!(!ev.default_prevented());
    assert_eq!(dt.get_data("text/plain").unwrap(), "");
}

#[wasm_bindgen_test]
fn paste_skips_the_protected_field_and_the_host_gets_both_fields() {
    let div = container(1000, 600);
    let mut t = logon_terminal(&div, 1.0);
    t.canvas().unwrap().focus().unwrap();
    // 10 characters into the 8-character USERID field: the rest skips the protected
    // "PASSWORD ===>" and lands in the (hidden) password field.
    let dt = web_sys::DataTransfer::new().unwrap();
    dt.set_data("text/plain", "ABCDEFGHIJ").unwrap();
    let init = web_sys::ClipboardEventInit::new();
    init.set_clipboard_data(Some(&dt));
    init.set_cancelable(true);
    let ev = web_sys::ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap();
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .dispatch_event(&ev)
        .unwrap();
    assert!(ev.default_prevented());
    assert_eq!(t.cursor(), vec![1, 18]);
    assert!(t.screen_text().starts_with(" USERID ===>  ABCDEFGH"));
    assert!(!t.screen_text().contains("IJ"), "hidden field text shown");
    assert!(t.handle_key("Enter", "Enter", false, false, false, false));
    let out = t.take_output();
    // AID Enter, cursor (1,18) = 98 = X'C1E2'; SBA (0,14) = X'404E' "ABCDEFGH";
    // SBA (1,16) = 96 = X'C160' "IJCRET"; IAC EOR.
    let mut want = vec![AID_ENTER, 0xc1, 0xe2, 0x11, 0x40, 0x4e];
    want.extend("ABCDEFGH".chars().map(|c| CP037.encode(c).unwrap()));
    want.extend([0x11, 0xc1, 0x60]);
    want.extend("IJCRET".chars().map(|c| CP037.encode(c).unwrap()));
    want.extend([0xff, 0xef]);
    assert_eq!(out, want, "{out:02x?}");
    // The API: a newline goes to the next row's first input field; the report says so.
    t.feed(&logon());
    let _ = t.take_output();
    let rep = t.paste("ME\nPW");
    let get = |k: &str| js_sys::Reflect::get(&rep, &JsValue::from_str(k)).unwrap();
    assert_eq!(get("typed").as_f64(), Some(4.0));
    assert_eq!(get("end").as_string().as_deref(), Some("complete"));
    assert_eq!(t.cursor(), vec![1, 18]);
    // A locked keyboard takes nothing.
    t.press("Enter").unwrap();
    let rep = t.paste("XX");
    let end = js_sys::Reflect::get(&rep, &"end".into()).unwrap();
    assert_eq!(end.as_string().as_deref(), Some("locked: X SYSTEM"));
}

#[wasm_bindgen_test]
fn the_oia_shows_each_connection_state_and_emits_state_events() {
    let div = container(1000, 600);
    let t = terminal_with(&div, 1.0, "");
    let seen = Rc::new(RefCell::new(Vec::<String>::new()));
    let sink = seen.clone();
    let cb = Closure::<dyn FnMut(JsValue)>::new(move |d: JsValue| {
        let s = js_sys::Reflect::get(&d, &"state".into()).unwrap();
        sink.borrow_mut().push(s.as_string().unwrap());
    });
    t.on(
        "state",
        Some(cb.as_ref().unchecked_ref::<js_sys::Function>().clone()),
    )
    .unwrap();
    cb.forget();
    let detail = |json: &str| js_sys::JSON::parse(json).unwrap();
    let cases: [(&str, JsValue, &str, &str); 6] = [
        ("connecting", JsValue::NULL, "X Connecting", "Connecting."),
        (
            "negotiating",
            JsValue::NULL,
            "X Negotiating",
            "Connected, negotiating.",
        ),
        (
            "resuming",
            JsValue::NULL,
            "X Resuming",
            "Reconnected, resuming the session.",
        ),
        (
            "reconnecting",
            JsValue::from(5),
            "X Reconnecting in 5s",
            "Disconnected, reconnecting in 5 seconds.",
        ),
        (
            "disconnected",
            JsValue::NULL,
            "X-disconnected",
            "Disconnected.",
        ),
        (
            "refused",
            detail(r#"{"code": "LIMIT", "message": "too many sessions"}"#),
            "X Refused: LIMIT: too many sessions",
            "Refused: LIMIT: too many sessions.",
        ),
    ];
    for (state, d, line, sentence) in cases {
        t.set_connection_state(state, d).unwrap();
        t.render_now();
        assert_eq!(t.connection_state(), state);
        let oia = t.oia_text();
        assert_eq!(&oia[..8], "        ", "{state}: {oia:?}");
        assert!(oia[8..].starts_with(line), "{state}: {oia:?}");
        let status = div.query_selector("[role=status]").unwrap().unwrap();
        assert_eq!(status.text_content().unwrap(), sentence);
        // The keyboard is locked while the transport is not up.
        assert_eq!(t.press("PF3").unwrap(), "Refused(NotConnected)");
    }
    assert!(t.set_connection_state("bogus", JsValue::NULL).is_err());
    // Connected: the session's mode, TLS, and then the host's first write unlocks.
    t.set_connection_state("connected", detail(r#"{"tls": true}"#))
        .unwrap();
    t.feed(&logon());
    t.render_now();
    let oia = t.oia_text();
    assert!(oia.starts_with("4A  TLS"), "{oia:?}");
    assert_eq!(t.status_text(), "Connected, 3270 mode, TLS.");
    assert_eq!(
        *seen.borrow(),
        [
            "connecting",
            "negotiating",
            "resuming",
            "reconnecting",
            "disconnected",
            "refused",
            "connected"
        ]
    );
    // Keyboard lock texts: X PROT after typing on protected text.
    t.click(0, 3);
    t.type_text("x");
    t.render_now();
    assert!(
        t.oia_text()[8..].starts_with("X PROT"),
        "{:?}",
        t.oia_text()
    );
}

#[wasm_bindgen_test]
fn the_host_alarm_rings_the_bell_event_and_shows_in_the_oia() {
    let div = container(1000, 600);
    let t = terminal_with(&div, 1.0, "");
    let bells = Rc::new(RefCell::new(0));
    let sink = bells.clone();
    let cb = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| *sink.borrow_mut() += 1);
    t.on(
        "bell",
        Some(cb.as_ref().unchecked_ref::<js_sys::Function>().clone()),
    )
    .unwrap();
    cb.forget();
    t.feed(&host(
        ScreenBuilder::erase_write(
            Wcc::default().reset().restore_keyboard().alarm(),
            ScreenSize::MODEL_2,
        )
        .field(UNPROT)
        .build(),
    ));
    assert_eq!(*bells.borrow(), 1);
    t.render_now();
    assert_eq!(&t.oia_text()[44..49], "ALARM");
    // The next key clears it.
    t.press("Tab").unwrap();
    t.render_now();
    assert_eq!(&t.oia_text()[44..49], "     ");
    assert!(t.on("nope", None).is_err());
}

#[wasm_bindgen_test]
fn the_mirror_labels_inputs_hides_non_display_text_and_announces_host_writes() {
    let div = container(1000, 600);
    let mut t = logon_terminal(&div, 1.0);
    let boxes = div.query_selector_all("[role=textbox]").unwrap();
    let label = |i: u32| {
        boxes
            .item(i)
            .unwrap()
            .dyn_into::<web_sys::Element>()
            .unwrap()
            .get_attribute("aria-label")
            .unwrap()
    };
    assert_eq!(label(0), "USERID ===>");
    assert_eq!(label(1), "PASSWORD ===> (hidden input)");
    let mirror = div
        .query_selector(".w3270-mirror")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(!mirror.contains("SECRET"), "hidden text in the mirror");
    assert!(mirror.contains("USERID ===>"));
    // The live region announced the new screen.
    let live = div.query_selector(".w3270-live").unwrap().unwrap();
    assert_eq!(live.text_content().unwrap(), "New screen: USERID ===>");
    assert!(!t.announcement().contains("SECRET"));
    // A host write of one line: that line is announced, and the screen event says which row.
    let rows = Rc::new(RefCell::new(JsValue::NULL));
    let sink = rows.clone();
    let cb = Closure::<dyn FnMut(JsValue)>::new(move |d: JsValue| *sink.borrow_mut() = d);
    t.on(
        "screen",
        Some(cb.as_ref().unchecked_ref::<js_sys::Function>().clone()),
    )
    .unwrap();
    cb.forget();
    t.feed(&host(
        ScreenBuilder::write(Wcc::default().restore_keyboard(), ScreenSize::MODEL_2)
            .at(20, 1)
            .text("INVALID USERID", &CP037)
            .build(),
    ));
    t.render_now();
    assert_eq!(live.text_content().unwrap(), "INVALID USERID");
    let d = rows.borrow().clone();
    let r = js_sys::Array::from(&js_sys::Reflect::get(&d, &"rows".into()).unwrap());
    assert_eq!(r.to_vec(), vec![JsValue::from(20)]);
    // Tab into the password field: announced without its content.
    assert!(t.handle_key("Tab", "Tab", false, false, false, false));
    t.render_now();
    assert_eq!(
        t.announcement(),
        "PASSWORD ===>, hidden input, 8 characters"
    );
}

#[wasm_bindgen_test]
fn zoom_keys_change_the_font_and_ctrl_0_restores_it() {
    let div = container(1400, 900);
    let mut t = logon_terminal(&div, 1.0);
    let base = t.font_size();
    assert_eq!(base, 16.0);
    assert!(t.handle_key("=", "Equal", false, true, false, false));
    t.render_now();
    assert!((t.font_size() - 17.6).abs() < 0.01, "{}", t.font_size());
    assert!(t.handle_key("-", "Minus", false, true, false, false));
    assert!(t.handle_key("-", "Minus", false, true, false, false));
    assert!(t.font_size() < base);
    assert!(t.handle_key("0", "Digit0", false, true, false, false));
    assert_eq!(t.font_size(), base);
    // The screen still paints at the new size: the cursor cell is the cursor colour.
    t.render_now();
    assert_eq!(cell_pixel(&t, 0, 14, 0.1, 0.1), X3270.cursor);
}

#[wasm_bindgen_test]
fn crosshair_and_field_underline_options_draw_their_lines() {
    let div = container(1000, 600);
    let t = logon_terminal(&div, 1.0);
    t.set_options(
        js_sys::JSON::parse(
            r#"{"crosshair": true, "fieldUnderline": true, "cursor": "underline"}"#,
        )
        .unwrap(),
    )
    .unwrap();
    t.render_now();
    // The cursor is at (0,14): its column shows a vertical line at the left edge far below,
    // its row a line at the bottom far to the right.
    assert_eq!(cell_pixel(&t, 12, 14, 0.0, 0.5), X3270.outline);
    assert_eq!(cell_pixel(&t, 0, 60, 0.5, 0.99), X3270.outline);
    assert_eq!(cell_pixel(&t, 12, 15, 0.0, 0.5), X3270.background);
    // The input field (0,15) is underlined in its colour (unprotected normal: green).
    let r = t.cell_rect(0, 16);
    let y = r[1] + r[3] - 2.0;
    assert_eq!(
        pixel(&t, r[0] + r[2] / 2.0, y),
        X3270.base_color(false, false)
    );
    // The cursor moves: the old crosshair column is repainted away.
    t.click(3, 40);
    t.render_now();
    assert_eq!(cell_pixel(&t, 12, 14, 0.0, 0.5), X3270.background);
    assert_eq!(cell_pixel(&t, 12, 40, 0.0, 0.5), X3270.outline);
}

/// Records each detail an event listener receives (JSON text; `null` for a null detail).
fn recorder(t: &WebTerminal, event: &str) -> Rc<RefCell<Vec<String>>> {
    let seen = Rc::new(RefCell::new(Vec::<String>::new()));
    let sink = seen.clone();
    let cb = Closure::<dyn FnMut(JsValue)>::new(move |d: JsValue| {
        let text = js_sys::JSON::stringify(&d)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default();
        sink.borrow_mut().push(text);
    });
    t.on(
        event,
        Some(cb.as_ref().unchecked_ref::<js_sys::Function>().clone()),
    )
    .unwrap();
    cb.forget();
    seen
}

/// Dispatches a copy or paste event on the document (the canvas has the focus); returns
/// whether the terminal took it (`preventDefault`).
fn clipboard(kind: &str, dt: &web_sys::DataTransfer) -> bool {
    let init = web_sys::ClipboardEventInit::new();
    init.set_clipboard_data(Some(dt));
    init.set_cancelable(true);
    init.set_bubbles(true);
    let ev = web_sys::ClipboardEvent::new_with_event_init_dict(kind, &init).unwrap();
    let doc = web_sys::window().unwrap().document().unwrap();
    doc.dispatch_event(&ev).unwrap();
    ev.default_prevented()
}

#[wasm_bindgen_test]
fn selection_copy_and_paste_emit_events() {
    let div = container(1000, 600);
    let t = logon_terminal(&div, 1.0);
    let selections = recorder(&t, "selection");
    let copies = recorder(&t, "copy");
    let pastes = recorder(&t, "paste");
    t.canvas().unwrap().focus().unwrap();
    // A drag reports the rectangle as it grows (mousemove), once per change.
    drag(&t, (0, 1), (1, 23));
    assert_eq!(
        *selections.borrow(),
        vec![r#"{"top":0,"left":1,"bottom":1,"right":23}"#]
    );
    assert!(clipboard("copy", &web_sys::DataTransfer::new().unwrap()));
    assert_eq!(
        *copies.borrow(),
        vec![r#"{"text":"USERID ===>\nPASSWORD ===>"}"#]
    );
    // A click removes the selection: null.
    click(&t, 10, 10);
    assert_eq!(selections.borrow().last().map(String::as_str), Some("null"));
    assert_eq!(selections.borrow().len(), 2);
    // A paste reports what it typed; the pasted text is not in the event.
    t.click(0, 14);
    let dt = web_sys::DataTransfer::new().unwrap();
    dt.set_data("text/plain", "ALICE").unwrap();
    assert!(clipboard("paste", &dt));
    assert_eq!(
        *pastes.borrow(),
        vec![r#"{"typed":5,"consumed":5,"end":"complete"}"#]
    );
}

#[wasm_bindgen_test]
fn a_read_only_terminal_selects_and_copies_but_sends_nothing() {
    let div = container(1000, 600);
    let mut t = terminal_with(&div, 1.0, r#""readOnly": true"#);
    t.feed(&logon());
    let _ = t.take_output();
    t.render_now();
    let screen = t.screen_text();
    t.canvas().unwrap().focus().unwrap();
    // Mouse: a hotspot ("PF3=Exit"), the light pen (detectable field) and a plain click
    // neither send nor move the cursor.
    click(&t, 23, 14);
    click(&t, 5, 4);
    click(&t, 3, 40);
    assert_eq!(t.take_output(), Vec::<u8>::new());
    assert_eq!(t.cursor(), vec![0, 14]);
    assert_eq!(t.click(23, 14), "");
    assert_eq!(t.take_output(), Vec::<u8>::new());
    // Keys are not used (the browser keeps them: Tab leaves the terminal), the API refuses.
    assert!(!t.handle_key("a", "KeyA", false, false, false, false));
    assert!(!t.handle_key("Enter", "Enter", false, false, false, false));
    assert!(!t.handle_key("F3", "F3", false, false, false, false));
    assert!(t.press("Enter").is_err());
    t.type_text("XYZ");
    let rep = t.paste("XYZ");
    let end = js_sys::Reflect::get(&rep, &"end".into()).unwrap();
    assert_eq!(end.as_string().as_deref(), Some("read-only"));
    let dt = web_sys::DataTransfer::new().unwrap();
    dt.set_data("text/plain", "XYZ").unwrap();
    assert!(!clipboard("paste", &dt), "paste left to the browser");
    assert_eq!(t.take_output(), Vec::<u8>::new());
    assert_eq!(t.screen_text(), screen);
    // Selecting and copying work; zoom too.
    drag(&t, (0, 1), (0, 11));
    t.render_now();
    assert_eq!(cell_pixel(&t, 0, 5, 0.1, 0.1), X3270.selection);
    let dt = web_sys::DataTransfer::new().unwrap();
    assert!(clipboard("copy", &dt));
    assert_eq!(dt.get_data("text/plain").unwrap(), "USERID ===>");
    let base = t.font_size();
    assert!(t.handle_key("=", "Equal", false, true, false, false));
    assert!(t.font_size() > base);
    // Switched off at run time: the same click moves the cursor.
    t.set_options(js_sys::JSON::parse(r#"{"readOnly": false}"#).unwrap())
        .unwrap();
    assert_eq!(t.click(3, 40), "Move");
    assert_eq!(t.cursor(), vec![3, 40]);
}

#[wasm_bindgen_test]
fn an_event_listener_may_call_back_into_the_terminal() {
    // From JavaScript, as a page does: the bell fires inside `feed`, and its listener reads
    // the OIA and the screen (a re-entry that wasm-bindgen refuses for `&mut self` methods).
    let div = container(1000, 600);
    let t = terminal_with(&div, 1.0, "");
    let bytes = js_sys::Uint8Array::from(
        host(
            ScreenBuilder::erase_write(
                Wcc::default().reset().restore_keyboard().alarm(),
                ScreenSize::MODEL_2,
            )
            .field(PROT)
            .text("RINGING", &CP037)
            .build(),
        )
        .as_slice(),
    );
    let run = js_sys::Function::new_with_args(
        "t, bytes",
        "const seen = []; \
         t.on('bell', () => seen.push(t.screenText().includes('RINGING'), t.oiaText().includes('ALARM'))); \
         t.feed(bytes); return seen;",
    );
    let seen = run
        .call2(&JsValue::NULL, &JsValue::from(t), &bytes)
        .unwrap();
    assert_eq!(
        js_sys::JSON::stringify(&seen).unwrap().as_string().unwrap(),
        "[true,true]"
    );
}

#[wasm_bindgen_test]
fn mirror_text_and_labels_keep_html_special_characters_as_text() {
    // The mirror's rows are written as escaped HTML: host text that looks like markup stays
    // text, in the row and in an input's label.
    let div = container(1000, 600);
    let t = terminal_with(&div, 1.0, "");
    t.feed(&host(
        ew().at(0, 0)
            .field(PROT)
            .text(r#"<b>A&B "C" 'D'</b>"#, &CP037)
            .at(0, 30)
            .field(UNPROT)
            .text("<i>&amp;", &CP037)
            .at(0, 40)
            .field(PROT)
            .build(),
    ));
    t.render_now();
    let row = div
        .query_selector("[role=row] [role=gridcell]")
        .unwrap()
        .unwrap();
    let text = row.text_content().unwrap();
    assert!(text.starts_with(r#" <b>A&B "C" 'D'</b>"#), "{text:?}");
    assert!(text.contains("<i>&amp;"), "{text:?}");
    assert_eq!(row.query_selector("b").unwrap(), None, "no markup parsed");
    let input = row.query_selector("[role=textbox]").unwrap().unwrap();
    assert_eq!(
        input.get_attribute("aria-label").unwrap(),
        r#"<b>A&B "C" 'D'</b>"#
    );
    assert_eq!(input.text_content().unwrap(), "<i>&amp; ");
}
