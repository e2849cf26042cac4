//! Helpers shared by the browser test files: a container, a terminal, host bytes, pixels,
//! mouse events.
#![allow(dead_code)]

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlElement};

use web_client::demo::NEGOTIATION;
use web_client::theme::Rgb;
use web_client::web::WebTerminal;

use tn3270::builder::{ScreenBuilder, Wcc};
use tn3270::screen::ScreenSize;

/// A container of `w`×`h` CSS pixels in the page.
pub fn container(w: u32, h: u32) -> HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let div: HtmlElement = doc.create_element("div").unwrap().dyn_into().unwrap();
    let s = div.style();
    s.set_property("width", &format!("{w}px")).unwrap();
    s.set_property("height", &format!("{h}px")).unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    div
}

/// A terminal with a fixed 16px font, no cursor blink, the given devicePixelRatio, and the
/// given extra options (JSON members, e.g. `"keyboard": true`).
pub fn terminal_with(div: &HtmlElement, dpr: f64, extra: &str) -> WebTerminal {
    let sep = if extra.is_empty() { "" } else { ", " };
    let opts = js_sys::JSON::parse(&format!(
        r#"{{"fontSize": 16, "cursorBlink": false, "devicePixelRatio": {dpr}{sep}{extra}}}"#
    ))
    .unwrap();
    WebTerminal::new(div.clone(), opts).unwrap()
}

/// The host's bytes for one record: negotiation, record (IACs doubled), IAC EOR.
pub fn host(record: Vec<u8>) -> Vec<u8> {
    let mut out = NEGOTIATION.to_vec();
    tn3270::telnet::write_escaped(&mut out, &record);
    out.extend_from_slice(&[0xff, 0xef]);
    out
}

/// An Erase/Write (reset, restore keyboard) on a 24x80 screen.
pub fn ew() -> ScreenBuilder {
    ScreenBuilder::erase_write(
        Wcc::default().reset().restore_keyboard(),
        ScreenSize::MODEL_2,
    )
}

/// The RGB of the canvas pixel at device coordinates (x, y).
pub fn pixel(t: &WebTerminal, x: f64, y: f64) -> Rgb {
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
pub fn cell_pixel(t: &WebTerminal, row: u32, col: u32, fx: f64, fy: f64) -> Rgb {
    let r = t.cell_rect(row, col);
    pixel(t, (r[0] + r[2] * fx).floor(), (r[1] + r[3] * fy).floor())
}

/// Dispatches a mouse event of `kind` on the canvas at the centre of cell (row, col), in
/// client (CSS) coordinates computed from the canvas's position and the pixel ratio.
pub fn mouse(t: &WebTerminal, kind: &str, row: u32, col: u32, buttons: u16) {
    let canvas = t.canvas().unwrap();
    let rect = canvas.get_bounding_client_rect();
    let cell = t.cell_rect(row, col);
    let dpr = t.pixel_ratio();
    let x = rect.left() + (cell[0] + cell[2] / 2.0) / dpr;
    let y = rect.top() + (cell[1] + cell[3] / 2.0) / dpr;
    let init = web_sys::MouseEventInit::new();
    init.set_client_x(x.round() as i32);
    init.set_client_y(y.round() as i32);
    init.set_button(0);
    init.set_buttons(buttons);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = web_sys::MouseEvent::new_with_mouse_event_init_dict(kind, &init).unwrap();
    canvas.dispatch_event(&ev).unwrap();
}

/// A click (mousedown + mouseup) on a cell.
pub fn click(t: &WebTerminal, row: u32, col: u32) {
    mouse(t, "mousedown", row, col, 1);
    mouse(t, "mouseup", row, col, 0);
}

/// A drag from one cell to another.
pub fn drag(t: &WebTerminal, from: (u32, u32), to: (u32, u32)) {
    mouse(t, "mousedown", from.0, from.1, 1);
    mouse(t, "mousemove", to.0, to.1, 1);
    mouse(t, "mouseup", to.0, to.1, 0);
}
