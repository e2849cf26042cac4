//! The browser layer (wasm32 only): a `<canvas>` painter for [`Frame`]s, the keyboard
//! listener, the ARIA mirror of the screen, and the JS-facing [`WebTerminal`].
//!
//! Owns: pixels (cell geometry in device pixels, HiDPI via `devicePixelRatio`, font fitting
//! to the container), drawing only dirty cells, coalescing redraws to animation frames,
//! the blink and cursor timers, and the DOM nodes it creates. Does not own: what a cell
//! looks like ([`crate::render`]), what keys mean ([`crate::keymap`], `tn3270::input`), the
//! OIA text ([`crate::oia`]), or the transport (today the page feeds raw host bytes; the
//! bridge websocket comes in a later step).
//!
//! Geometry: a cell is `cell_w × cell_h` *device* pixels (integers, rounded down so a fitted
//! screen never overflows its container; edges are sharp at any devicePixelRatio); the canvas is sized in device pixels and its CSS size is that
//! divided by the ratio. Under the screen: a gap with a rule line, then one OIA row.
//!
//! Failure behaviour: a DOM call that fails (no 2D context, detached element) is reported
//! to the caller as a JS exception from the constructor, or ignored while painting (a frame
//! that cannot be drawn is skipped; the next one repaints). Nothing here panics.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    CanvasRenderingContext2d, Document, HtmlCanvasElement, HtmlElement, KeyboardEvent, Window,
};

use tn3270::codepage::{CodePage, CP037};
use tn3270::input::{Key, KeyOutcome};
use tn3270::terminal::{Outbound, Terminal, TerminalConfig, TerminalModel};
use tn3270::tn3270e::{DataType, FunctionSet, Mode, Session};

use crate::keymap::{self, KeyEvent, Keymap};
use crate::render::{outlining, CellDraw, Frame, RenderOptions};
use crate::theme::Theme;
use crate::{demo, view};

/// Line height as a multiple of the font size.
const LINE_HEIGHT: f64 = 1.2;
/// Smallest and largest fitted font size, CSS pixels.
const MIN_FONT_PX: f64 = 6.0;
const MAX_FONT_PX: f64 = 64.0;
/// Font size when the container has no size yet.
const FALLBACK_FONT_PX: f64 = 16.0;
/// Gap between the screen and the OIA row, CSS pixels (the rule is drawn in its middle).
const OIA_GAP_PX: f64 = 4.0;
/// Blink period (half cycle), milliseconds.
const BLINK_MS: i32 = 500;
/// Default font: DejaVu Sans Mono (installed with Chromium's fonts here), then monospace.
const DEFAULT_FONT_FAMILY: &str = "'DejaVu Sans Mono', monospace";

/// Cursor shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CursorShape {
    Block,
    Underline,
}

/// Cell geometry in device pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Geometry {
    dpr: f64,
    font_px: f64,
    cell_w: u32,
    cell_h: u32,
    gap: u32,
    rows: usize,
    cols: usize,
}

impl Geometry {
    fn screen_h(&self) -> u32 {
        self.cell_h.saturating_mul(self.rows as u32)
    }
    fn oia_top(&self) -> u32 {
        self.screen_h() + self.gap
    }
    fn width(&self) -> u32 {
        self.cell_w.saturating_mul(self.cols as u32)
    }
    fn height(&self) -> u32 {
        self.oia_top() + self.cell_h
    }
    fn cell_xy(&self, addr: usize) -> (f64, f64) {
        let cols = self.cols.max(1);
        let (r, c) = (addr / cols, addr % cols);
        (
            f64::from(self.cell_w) * c as f64,
            f64::from(self.cell_h) * r as f64,
        )
    }
}

/// Options read from the JS options object.
struct Options {
    model: String,
    theme: &'static Theme,
    code_page: &'static CodePage,
    cursor: CursorShape,
    cursor_blink: bool,
    font_px: Option<f64>,
    font_family: String,
    dpr: Option<f64>,
    keyboard: bool,
}

fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
    if !obj.is_object() {
        return None;
    }
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

impl Options {
    fn from_js(o: &JsValue) -> Result<Options, JsValue> {
        let string = |k: &str| get(o, k).and_then(|v| v.as_string());
        let theme = match string("theme") {
            Some(name) => {
                Theme::by_name(&name).ok_or_else(|| err(&format!("unknown theme {name:?}")))?
            }
            None => &crate::theme::X3270,
        };
        let code_page = match string("codePage") {
            Some(name) => CodePage::by_name(&name)
                .ok_or_else(|| err(&format!("unknown code page {name:?}")))?,
            None => &CP037,
        };
        let cursor = match string("cursor").as_deref() {
            None | Some("block") => CursorShape::Block,
            Some("underline") => CursorShape::Underline,
            Some(other) => return Err(err(&format!("unknown cursor shape {other:?}"))),
        };
        let positive = |k: &str| {
            get(o, k)
                .and_then(|v| v.as_f64())
                .filter(|v| v.is_finite() && *v > 0.0)
        };
        Ok(Options {
            model: string("model").unwrap_or_else(|| "3279-2-E".into()),
            theme,
            code_page,
            cursor,
            cursor_blink: get(o, "cursorBlink")
                .and_then(|v| v.as_bool())
                .unwrap_or(true),
            font_px: positive("fontSize"),
            font_family: string("fontFamily").unwrap_or_else(|| DEFAULT_FONT_FAMILY.into()),
            dpr: positive("devicePixelRatio"),
            keyboard: get(o, "keyboard").and_then(|v| v.as_bool()).unwrap_or(true),
        })
    }
}

fn err(msg: &str) -> JsValue {
    js_sys::Error::new(msg).into()
}

fn window() -> Result<Window, JsValue> {
    web_sys::window().ok_or_else(|| err("no window"))
}

/// The mutable state shared by the API object and the DOM callbacks.
struct Inner {
    term: Terminal,
    keymap: Keymap,
    theme: &'static Theme,
    code_page: &'static CodePage,
    color: bool,
    frame: Frame,
    prev: Frame,
    dirty: Vec<usize>,
    full_repaint: bool,
    geometry: Option<Geometry>,
    container: HtmlElement,
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
    mirror_rows: Vec<HtmlElement>,
    mirror_grid: HtmlElement,
    mirror_status: HtmlElement,
    last_oia: String,
    font_fixed: Option<f64>,
    font_family: String,
    dpr_fixed: Option<f64>,
    cursor: CursorShape,
    cursor_blink: bool,
    blink_on: bool,
    raf_pending: Option<i32>,
    raf_fn: Option<Function>,
    on_output: Option<Function>,
    /// Record mode (behind the bridge): called with a `Uint8Array` (a binary websocket
    /// message: data type byte + record) or a string (a JSON control message).
    on_send: Option<Function>,
}

impl Inner {
    fn options(&self) -> RenderOptions<'_> {
        RenderOptions {
            theme: self.theme,
            code_page: self.code_page,
            color: self.color,
        }
    }

    fn dpr(&self) -> f64 {
        self.dpr_fixed
            .or_else(|| web_sys::window().map(|w| w.device_pixel_ratio()))
            .filter(|d| d.is_finite() && *d > 0.0)
            .unwrap_or(1.0)
    }

    /// Chooses the font size and cell size for the frame's rows/cols and sizes the canvas.
    fn layout(&mut self) {
        let dpr = self.dpr();
        let (rows, cols) = (self.frame.rows().max(1), self.frame.cols().max(1));
        self.ctx.set_font(&format!("100px {}", self.font_family));
        let em_w = self
            .ctx
            .measure_text("M")
            .map(|m| m.width() / 100.0)
            .unwrap_or(0.6);
        let em_w = if em_w.is_finite() && em_w > 0.0 {
            em_w
        } else {
            0.6
        };
        let font_px = match self.font_fixed {
            Some(px) => px,
            None => {
                let (w, h) = (
                    f64::from(self.container.client_width()),
                    f64::from(self.container.client_height()),
                );
                if w <= 0.0 {
                    FALLBACK_FONT_PX
                } else {
                    let by_w = w / (cols as f64 * em_w);
                    let by_h = if h > 0.0 {
                        (h - OIA_GAP_PX) / ((rows + 1) as f64 * LINE_HEIGHT)
                    } else {
                        by_w
                    };
                    by_w.min(by_h).clamp(MIN_FONT_PX, MAX_FONT_PX)
                }
            }
        };
        let g = Geometry {
            dpr,
            font_px: font_px * dpr,
            cell_w: ((em_w * font_px * dpr).floor() as u32).max(1),
            cell_h: ((font_px * LINE_HEIGHT * dpr).floor() as u32).max(1),
            gap: ((OIA_GAP_PX * dpr).round() as u32).max(2),
            rows,
            cols,
        };
        if self.geometry != Some(g) {
            self.canvas.set_width(g.width());
            self.canvas.set_height(g.height());
            let style = self.canvas.style();
            let _ = style.set_property("width", &format!("{}px", f64::from(g.width()) / dpr));
            let _ = style.set_property("height", &format!("{}px", f64::from(g.height()) / dpr));
            self.geometry = Some(g);
            self.full_repaint = true;
            self.last_oia.clear();
        }
    }

    /// Paints everything that changed since the last paint.
    fn render(&mut self) {
        self.raf_pending = None;
        let opts = RenderOptions {
            theme: self.theme,
            code_page: self.code_page,
            color: self.color,
        };
        self.frame.update(self.term.screen(), &opts);
        let needs_layout = self
            .geometry
            .map(|g| g.rows != self.frame.rows() || g.cols != self.frame.cols())
            .unwrap_or(true);
        if needs_layout {
            self.layout();
        }
        let mut dirty = std::mem::take(&mut self.dirty);
        if self.full_repaint || self.frame.dirty(&self.prev, &mut dirty) {
            dirty.clear();
            dirty.extend(0..self.frame.cells().len());
            self.paint_background();
        }
        for &addr in &dirty {
            self.paint_cell(addr);
        }
        self.update_mirror(&dirty);
        self.dirty = dirty;
        self.paint_oia();
        self.full_repaint = false;
        std::mem::swap(&mut self.prev, &mut self.frame);
    }

    fn fill(&self, color: crate::theme::Rgb, x: f64, y: f64, w: f64, h: f64) {
        self.ctx.set_fill_style_str(&color.css());
        self.ctx.fill_rect(x, y, w, h);
    }

    fn paint_background(&self) {
        if let Some(g) = self.geometry {
            self.fill(
                self.theme.background,
                0.0,
                0.0,
                f64::from(g.width()),
                f64::from(g.oia_top()),
            );
        }
    }

    /// Paints one cell of `self.frame` (glyph, decorations, cursor).
    fn paint_cell(&self, addr: usize) {
        let (Some(g), Some(cell)) = (self.geometry, self.frame.cells().get(addr)) else {
            return;
        };
        let (x, y) = g.cell_xy(addr);
        let (w, h) = (f64::from(g.cell_w), f64::from(g.cell_h));
        let is_cursor = addr == self.frame.cursor() && (!self.cursor_blink || self.blink_on);
        let block = is_cursor && self.cursor == CursorShape::Block;
        let (fg, bg) = if block {
            (cell.bg, self.theme.cursor)
        } else {
            (cell.fg, cell.bg)
        };
        self.fill(bg, x, y, w, h);
        let line = g.dpr.round().max(1.0);
        if show_glyph(cell, self.blink_on) {
            self.ctx.save();
            self.ctx.begin_path();
            self.ctx.rect(x, y, w, h);
            self.ctx.clip();
            let weight = if cell.bold { "bold " } else { "" };
            self.ctx
                .set_font(&format!("{weight}{}px {}", g.font_px, self.font_family));
            self.ctx.set_text_align("center");
            self.ctx.set_text_baseline("middle");
            self.ctx.set_fill_style_str(&fg.css());
            let mut buf = [0u8; 4];
            let _ = self
                .ctx
                .fill_text(cell.ch.encode_utf8(&mut buf), x + w / 2.0, y + h / 2.0);
            self.ctx.restore();
        }
        if cell.underline {
            self.fill(fg, x, y + h - 2.0 * line, w, line);
        }
        if cell.outline != 0 {
            let o = self.theme.outline;
            if cell.outline & outlining::OVER != 0 {
                self.fill(o, x, y, w, line);
            }
            if cell.outline & outlining::UNDER != 0 {
                self.fill(o, x, y + h - line, w, line);
            }
            if cell.outline & outlining::LEFT != 0 {
                self.fill(o, x, y, line, h);
            }
            if cell.outline & outlining::RIGHT != 0 {
                self.fill(o, x + w - line, y, line, h);
            }
        }
        if is_cursor && self.cursor == CursorShape::Underline {
            self.fill(self.theme.cursor, x, y + h - 2.0 * line, w, 2.0 * line);
        }
    }

    fn paint_oia(&mut self) {
        let Some(g) = self.geometry else { return };
        let line = view::oia(&self.term).line(g.cols);
        if line == self.last_oia {
            return;
        }
        let (w, top) = (f64::from(g.width()), f64::from(g.screen_h()));
        self.fill(self.theme.oia_bg, 0.0, top, w, f64::from(g.gap + g.cell_h));
        let rule = g.dpr.round().max(1.0);
        self.fill(
            self.theme.oia_rule,
            0.0,
            top + f64::from(g.gap) / 2.0 - rule / 2.0,
            w,
            rule,
        );
        self.ctx
            .set_font(&format!("{}px {}", g.font_px, self.font_family));
        self.ctx.set_text_align("center");
        self.ctx.set_text_baseline("middle");
        self.ctx.set_fill_style_str(&self.theme.oia_fg.css());
        let y = f64::from(g.oia_top()) + f64::from(g.cell_h) / 2.0;
        let mut buf = [0u8; 4];
        for (i, c) in line.chars().enumerate().filter(|(_, c)| *c != ' ') {
            let x = f64::from(g.cell_w) * (i as f64 + 0.5);
            let _ = self.ctx.fill_text(c.encode_utf8(&mut buf), x, y);
        }
        self.mirror_status.set_text_content(Some(line.trim_end()));
        self.last_oia = line;
    }

    /// Rebuilds the mirror rows touched by `dirty` (all rows after a size change).
    fn update_mirror(&mut self, dirty: &[usize]) {
        let rows = self.frame.rows();
        let cols = self.frame.cols().max(1);
        if self.mirror_rows.len() != rows {
            self.mirror_grid.set_inner_html("");
            self.mirror_rows.clear();
            let Some(doc) = self.container.owner_document() else {
                return;
            };
            for r in 0..rows {
                let Some(row) = make(
                    &doc,
                    "div",
                    &[("role", "row"), ("aria-rowindex", &(r + 1).to_string())],
                ) else {
                    return;
                };
                let Some(cell) = make(&doc, "div", &[("role", "gridcell")]) else {
                    return;
                };
                let _ = row.append_child(&cell);
                let _ = self.mirror_grid.append_child(&row);
                self.mirror_rows.push(cell);
            }
            let _ = self
                .mirror_grid
                .set_attribute("aria-rowcount", &rows.to_string());
            for (r, cell) in self.mirror_rows.iter().enumerate() {
                cell.set_text_content(Some(&self.frame.row_text(r)));
            }
        } else {
            let mut last_row = usize::MAX;
            for &addr in dirty {
                let r = addr / cols;
                if r != last_row {
                    last_row = r;
                    if let Some(cell) = self.mirror_rows.get(r) {
                        cell.set_text_content(Some(&self.frame.row_text(r)));
                    }
                }
            }
        }
        let (cr, cc) = self.frame.cursor_row_col();
        let _ = self.mirror_grid.set_attribute(
            "aria-label",
            &format!("3270 screen, cursor row {} column {}", cr + 1, cc + 1),
        );
    }

    /// Asks for a paint at the next animation frame (at most one pending).
    fn schedule(&mut self) {
        if self.raf_pending.is_some() {
            return;
        }
        if let (Some(f), Ok(w)) = (&self.raf_fn, window()) {
            self.raf_pending = w.request_animation_frame(f).ok();
        }
    }

    /// Repaints the cells that blink and the cursor cell.
    fn blink_tick(&mut self) {
        self.blink_on = !self.blink_on;
        if self.raf_pending.is_some() || self.geometry.is_none() {
            return;
        }
        // `prev` holds the frame on screen.
        std::mem::swap(&mut self.prev, &mut self.frame);
        let cursor = self.frame.cursor();
        for addr in 0..self.frame.cells().len() {
            let blinks = self.frame.cells().get(addr).is_some_and(|c| c.blink);
            if blinks || (addr == cursor && self.cursor_blink) {
                self.paint_cell(addr);
            }
        }
        std::mem::swap(&mut self.prev, &mut self.frame);
    }

    fn press(&mut self, key: Key) -> KeyOutcome {
        let outcome = self.term.key(key);
        self.schedule();
        outcome
    }
}

fn show_glyph(cell: &CellDraw, blink_on: bool) -> bool {
    !cell.hidden && cell.ch != ' ' && (!cell.blink || blink_on)
}

fn make(doc: &Document, tag: &str, attrs: &[(&str, &str)]) -> Option<HtmlElement> {
    let el = doc.create_element(tag).ok()?;
    for (k, v) in attrs {
        el.set_attribute(k, v).ok()?;
    }
    el.dyn_into::<HtmlElement>().ok()
}

/// Hands pending host-bound bytes to the output callback, outside any borrow (the callback
/// may call back into the terminal).
fn flush_output(inner: &Rc<RefCell<Inner>>) {
    flush_outbound(inner);
    let (bytes, cb) = {
        let Ok(mut i) = inner.try_borrow_mut() else {
            return;
        };
        while i.term.poll_event().is_some() {}
        match i.on_output.clone() {
            Some(cb) => (i.term.take_output(), cb),
            None => return,
        }
    };
    if !bytes.is_empty() {
        let arr = js_sys::Uint8Array::from(bytes.as_slice());
        let _ = cb.call1(&JsValue::NULL, &arr);
    }
}

/// Record mode: hands each pending outbound record or signal to the send callback, as the
/// bridge's websocket protocol wants it (docs/WEBSOCKET.md): records as binary
/// `[data type] + record`, ATTN and SYS REQ as JSON text.
fn flush_outbound(inner: &Rc<RefCell<Inner>>) {
    let (items, cb) = {
        let Ok(mut i) = inner.try_borrow_mut() else {
            return;
        };
        let Some(cb) = i.on_send.clone() else {
            return;
        };
        let mut items = Vec::new();
        while let Some(item) = i.term.poll_outbound() {
            items.push(item);
        }
        (items, cb)
    };
    for item in items {
        let msg: JsValue = match item {
            Outbound::Record { data_type, data } => {
                let mut bytes = Vec::with_capacity(data.len() + 1);
                bytes.push(data_type.byte());
                bytes.extend_from_slice(&data);
                js_sys::Uint8Array::from(bytes.as_slice()).into()
            }
            Outbound::Attn => JsValue::from_str(r#"{"type":"attn"}"#),
            Outbound::SysReq => JsValue::from_str(r#"{"type":"sysreq"}"#),
        };
        let _ = cb.call1(&JsValue::NULL, &msg);
    }
}

/// The bridge's `mode` and `lu_state` strings (docs/WEBSOCKET.md) as a connection mode. The
/// browser does not learn the TN3270E functions; the bridge's upstream decides what ATTN and
/// SYS REQ become, so the terminal assumes the usual set.
fn bridge_mode(mode: &str, lu_state: Option<&str>) -> Mode {
    match mode {
        "tn3270e" => Mode::Tn3270e {
            functions: FunctionSet::S3270,
            session: match lu_state {
                Some("lu-lu") => Session::LuLu,
                Some("sscp-lu") => Session::SscpLu,
                Some("nvt") => Session::Nvt,
                _ => Session::Unbound,
            },
        },
        "tn3270" => Mode::Tn3270,
        "nvt" => Mode::Nvt,
        _ => Mode::Negotiating,
    }
}

fn js_str(obj: &JsValue, key: &str) -> Option<String> {
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
}

/// The browser terminal, as JavaScript sees it.
///
/// ```js
/// const t = new WebTerminal(document.getElementById('screen'), {theme: 'x3270'});
/// t.setOnOutput(bytes => socket.send(bytes));
/// socket.onmessage = e => t.feed(new Uint8Array(e.data));
/// ```
#[wasm_bindgen]
pub struct WebTerminal {
    inner: Rc<RefCell<Inner>>,
    keydown: Option<Closure<dyn FnMut(KeyboardEvent)>>,
    _raf: Closure<dyn FnMut()>,
    blink: Option<(i32, Closure<dyn FnMut()>)>,
    resize: Closure<dyn FnMut()>,
}

#[wasm_bindgen]
impl WebTerminal {
    /// Creates the canvas and the ARIA mirror inside `container`. Options (all optional):
    /// `model` ("3279-2-E"), `theme` (x3270, green, dark, light, high-contrast), `codePage`
    /// ("cp037"), `cursor` ("block" | "underline"), `cursorBlink` (true), `fontSize` (CSS px;
    /// default: fit the container), `fontFamily`, `devicePixelRatio` (default: the window's),
    /// `keyboard` (true: listen for keys on the canvas).
    #[wasm_bindgen(constructor)]
    pub fn new(container: HtmlElement, options: JsValue) -> Result<WebTerminal, JsValue> {
        let opts = Options::from_js(&options)?;
        let model = TerminalModel::parse(&opts.model).map_err(|e| err(&format!("{e}")))?;
        let color = model.color;
        let term = Terminal::new(TerminalConfig {
            model,
            code_page: opts.code_page,
            ..TerminalConfig::default()
        });
        let doc = container
            .owner_document()
            .ok_or_else(|| err("container has no document"))?;
        let canvas: HtmlCanvasElement = doc.create_element("canvas")?.dyn_into()?;
        canvas.set_attribute("tabindex", "0")?;
        canvas.set_attribute("aria-hidden", "true")?;
        canvas.set_class_name("w3270-canvas");
        let ctx: CanvasRenderingContext2d = canvas
            .get_context("2d")?
            .ok_or_else(|| err("no 2d context"))?
            .dyn_into()?;
        let mirror =
            make(&doc, "div", &[("class", "w3270-mirror")]).ok_or_else(|| err("createElement"))?;
        let grid = make(
            &doc,
            "div",
            &[
                ("role", "grid"),
                ("aria-readonly", "true"),
                ("aria-label", "3270 screen"),
            ],
        )
        .ok_or_else(|| err("createElement"))?;
        let status = make(
            &doc,
            "div",
            &[
                ("role", "status"),
                ("aria-live", "polite"),
                ("class", "w3270-oia"),
            ],
        )
        .ok_or_else(|| err("createElement"))?;
        mirror.append_child(&grid)?;
        mirror.append_child(&status)?;
        // Visually hidden, still read by assistive technology.
        let ms = mirror.style();
        for (k, v) in [
            ("position", "absolute"),
            ("width", "1px"),
            ("height", "1px"),
            ("overflow", "hidden"),
            ("clip", "rect(0 0 0 0)"),
            ("white-space", "pre"),
        ] {
            ms.set_property(k, v)?;
        }
        container.append_child(&canvas)?;
        container.append_child(&mirror)?;
        let frame = Frame::new(
            term.screen(),
            &RenderOptions {
                theme: opts.theme,
                code_page: opts.code_page,
                color,
            },
        );
        let inner = Rc::new(RefCell::new(Inner {
            term,
            keymap: Keymap::default(),
            theme: opts.theme,
            code_page: opts.code_page,
            color,
            frame,
            prev: Frame::default(),
            dirty: Vec::new(),
            full_repaint: true,
            geometry: None,
            container,
            canvas: canvas.clone(),
            ctx,
            mirror_rows: Vec::new(),
            mirror_grid: grid,
            mirror_status: status,
            last_oia: String::new(),
            font_fixed: opts.font_px,
            font_family: opts.font_family,
            dpr_fixed: opts.dpr,
            cursor: opts.cursor,
            cursor_blink: opts.cursor_blink,
            blink_on: true,
            raf_pending: None,
            raf_fn: None,
            on_output: None,
            on_send: None,
        }));
        let w = window()?;
        let r = inner.clone();
        let raf = Closure::<dyn FnMut()>::new(move || {
            if let Ok(mut i) = r.try_borrow_mut() {
                i.render();
            }
        });
        inner.borrow_mut().raf_fn = Some(raf.as_ref().unchecked_ref::<Function>().clone());
        let r = inner.clone();
        let blink = Closure::<dyn FnMut()>::new(move || {
            if let Ok(mut i) = r.try_borrow_mut() {
                i.blink_tick();
            }
        });
        let id = w.set_interval_with_callback_and_timeout_and_arguments_0(
            blink.as_ref().unchecked_ref(),
            BLINK_MS,
        )?;
        let r = inner.clone();
        let resize = Closure::<dyn FnMut()>::new(move || {
            if let Ok(mut i) = r.try_borrow_mut() {
                i.layout();
                i.schedule();
            }
        });
        w.add_event_listener_with_callback("resize", resize.as_ref().unchecked_ref())?;
        let keydown = if opts.keyboard {
            let r = inner.clone();
            let cb = Closure::<dyn FnMut(KeyboardEvent)>::new(move |ev: KeyboardEvent| {
                if ev.is_composing() {
                    return;
                }
                let handled = {
                    let Ok(mut i) = r.try_borrow_mut() else {
                        return;
                    };
                    let key = ev.key();
                    let code = ev.code();
                    let e = KeyEvent {
                        key: &key,
                        code: &code,
                        mods: mods(&ev),
                    };
                    match i.keymap.lookup(&e) {
                        Some(k) => {
                            i.press(k);
                            true
                        }
                        None => false,
                    }
                };
                if handled {
                    ev.prevent_default();
                    flush_output(&r);
                }
            });
            canvas.add_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref())?;
            Some(cb)
        } else {
            None
        };
        inner.borrow_mut().render();
        Ok(WebTerminal {
            inner,
            keydown,
            _raf: raf,
            blink: Some((id, blink)),
            resize,
        })
    }

    /// Feeds bytes from the host (telnet stream). Schedules a repaint and hands any reply to
    /// the output callback.
    pub fn feed(&mut self, bytes: &[u8]) {
        if let Ok(mut i) = self.inner.try_borrow_mut() {
            i.term.feed(bytes);
            i.schedule();
        }
        flush_output(&self.inner);
    }

    /// Takes the bytes waiting for the host (when no output callback is set).
    #[wasm_bindgen(js_name = takeOutput)]
    pub fn take_output(&mut self) -> Vec<u8> {
        self.inner
            .try_borrow_mut()
            .map(|mut i| i.term.take_output())
            .unwrap_or_default()
    }

    /// Sets the function called with a `Uint8Array` whenever there are bytes for the host.
    #[wasm_bindgen(js_name = setOnOutput)]
    pub fn set_on_output(&mut self, f: Function) {
        if let Ok(mut i) = self.inner.try_borrow_mut() {
            i.on_output = Some(f);
        }
        flush_output(&self.inner);
    }

    /// Record mode: starts a session the bridge announced with its `session` message (the
    /// parsed JSON object: `model`, `mode`, `lu_state`, `lu`). The terminal then takes host
    /// records with [`WebTerminal::feed_record`] and sends through the `setOnSend` callback.
    #[wasm_bindgen(js_name = beginSession)]
    pub fn begin_session(&mut self, info: JsValue) -> Result<(), JsValue> {
        if let Ok(mut i) = self.inner.try_borrow_mut() {
            let model = match js_str(&info, "model") {
                Some(m) => TerminalModel::parse(&m).map_err(|e| err(&format!("{e}")))?,
                None => TerminalModel::default(),
            };
            let mode = bridge_mode(
                js_str(&info, "mode").as_deref().unwrap_or(""),
                js_str(&info, "lu_state").as_deref(),
            );
            i.color = model.color;
            let config = TerminalConfig {
                model,
                code_page: i.code_page,
                ..TerminalConfig::default()
            };
            i.term = Terminal::for_records(config, mode, js_str(&info, "lu"));
            i.layout();
            i.schedule();
        }
        Ok(())
    }

    /// Record mode: one binary websocket message from the bridge (data type byte + record).
    #[wasm_bindgen(js_name = feedRecord)]
    pub fn feed_record(&mut self, message: &[u8]) {
        if let (Ok(mut i), Some((&ty, body))) = (self.inner.try_borrow_mut(), message.split_first())
        {
            if let Some(data_type) = DataType::from_byte(ty) {
                i.term.feed_record(data_type, body);
                while i.term.poll_event().is_some() {}
                i.schedule();
            }
        }
        flush_outbound(&self.inner);
    }

    /// Record mode: the bridge reported a mode or TN3270E session change (`status` message
    /// with `state: "mode"`).
    #[wasm_bindgen(js_name = setMode)]
    pub fn set_mode(&mut self, mode: &str, lu_state: Option<String>) {
        if let Ok(mut i) = self.inner.try_borrow_mut() {
            i.term.set_mode(bridge_mode(mode, lu_state.as_deref()));
            while i.term.poll_event().is_some() {}
            i.schedule();
        }
    }

    /// Record mode: sets the function called with each message for the bridge (a
    /// `Uint8Array` to send as binary, or a string to send as text).
    #[wasm_bindgen(js_name = setOnSend)]
    pub fn set_on_send(&mut self, f: Function) {
        if let Ok(mut i) = self.inner.try_borrow_mut() {
            i.on_send = Some(f);
        }
        flush_outbound(&self.inner);
    }

    /// Presses a 3270 key by action name (see docs/KEYBOARD.md: "Enter", "PF3", "Clear"...).
    /// Returns the outcome as text ("Changed", "Sent(Enter)", "Locked(Protected)"...).
    pub fn press(&mut self, action: &str) -> Result<String, JsValue> {
        let key = keymap::parse_action(action)
            .map_err(|e| err(&e.to_string()))?
            .ok_or_else(|| err("\"None\" is not a key"))?;
        let outcome = self
            .inner
            .try_borrow_mut()
            .map(|mut i| i.press(key))
            .map_err(|_| err("busy"))?;
        flush_output(&self.inner);
        Ok(format!("{outcome:?}"))
    }

    /// Types text at the cursor.
    #[wasm_bindgen(js_name = typeText)]
    pub fn type_text(&mut self, text: &str) {
        if let Ok(mut i) = self.inner.try_borrow_mut() {
            i.term.type_text(text);
            i.schedule();
        }
        flush_output(&self.inner);
    }

    /// Handles a key as the keydown listener does (for tests and custom listeners). Returns
    /// true when the key meant something to the terminal.
    #[wasm_bindgen(js_name = handleKey)]
    pub fn handle_key(
        &mut self,
        key: &str,
        code: &str,
        shift: bool,
        ctrl: bool,
        alt: bool,
        meta: bool,
    ) -> bool {
        let mods = mod_bits(shift, ctrl, alt, meta);
        let handled = match self.inner.try_borrow_mut() {
            Ok(mut i) => match i.keymap.lookup(&KeyEvent { key, code, mods }) {
                Some(k) => {
                    i.press(k);
                    true
                }
                None => false,
            },
            Err(_) => false,
        };
        flush_output(&self.inner);
        handled
    }

    /// The 3270 action a key would trigger, as text ("PF13", "Char('a')"), or "" for none.
    #[wasm_bindgen(js_name = keyAction)]
    pub fn key_action(
        &self,
        key: &str,
        code: &str,
        shift: bool,
        ctrl: bool,
        alt: bool,
        meta: bool,
    ) -> String {
        let mods = mod_bits(shift, ctrl, alt, meta);
        self.inner
            .try_borrow()
            .ok()
            .and_then(|i| i.keymap.lookup(&KeyEvent { key, code, mods }))
            .map(|k| format!("{k:?}"))
            .unwrap_or_default()
    }

    /// Applies a JSON key remapping (docs/KEYBOARD.md); all or nothing.
    #[wasm_bindgen(js_name = setKeymap)]
    pub fn set_keymap(&mut self, json: &str) -> Result<(), JsValue> {
        let mut i = self.inner.try_borrow_mut().map_err(|_| err("busy"))?;
        i.keymap.apply_json(json).map_err(|e| err(&e.to_string()))
    }

    /// Switches the theme and repaints.
    #[wasm_bindgen(js_name = setTheme)]
    pub fn set_theme(&mut self, name: &str) -> Result<(), JsValue> {
        let theme = Theme::by_name(name).ok_or_else(|| err(&format!("unknown theme {name:?}")))?;
        let mut i = self.inner.try_borrow_mut().map_err(|_| err("busy"))?;
        i.theme = theme;
        i.full_repaint = true;
        i.last_oia.clear();
        i.schedule();
        Ok(())
    }

    /// Paints now instead of at the next animation frame.
    #[wasm_bindgen(js_name = renderNow)]
    pub fn render_now(&mut self) {
        if let Ok(mut i) = self.inner.try_borrow_mut() {
            if let (Some(id), Ok(w)) = (i.raf_pending.take(), window()) {
                let _ = w.cancel_animation_frame(id);
            }
            i.render();
        }
    }

    /// Refits the font to the container (call after the container changes size).
    pub fn fit(&mut self) {
        if let Ok(mut i) = self.inner.try_borrow_mut() {
            i.layout();
            i.schedule();
        }
    }

    /// Shows the demo screen (a simulated host session; no network).
    #[wasm_bindgen(js_name = loadDemo)]
    pub fn load_demo(&mut self) {
        let bytes = match self.inner.try_borrow() {
            Ok(i) => demo::host_bytes(i.term.screen().default_size(), i.code_page),
            Err(_) => return,
        };
        self.feed(&bytes);
        let _ = self.take_output();
    }

    /// The transport is up / gone (updates the OIA and keyboard lock).
    #[wasm_bindgen(js_name = setConnected)]
    pub fn set_connected(&mut self, up: bool) {
        if let Ok(mut i) = self.inner.try_borrow_mut() {
            if up {
                i.term.connected();
            } else {
                i.term.disconnected();
            }
            i.schedule();
        }
    }

    /// The screen as shown, rows joined with '\n' (non-display fields blank).
    #[wasm_bindgen(js_name = screenText)]
    pub fn screen_text(&self) -> String {
        let Ok(i) = self.inner.try_borrow() else {
            return String::new();
        };
        let f = Frame::new(i.term.screen(), &i.options());
        (0..f.rows())
            .map(|r| f.row_text(r))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The OIA line.
    #[wasm_bindgen(js_name = oiaText)]
    pub fn oia_text(&self) -> String {
        let Ok(i) = self.inner.try_borrow() else {
            return String::new();
        };
        view::oia(&i.term).line(i.term.screen().cols())
    }

    /// The cursor as [row, col], 0-based.
    pub fn cursor(&self) -> Vec<u32> {
        let Ok(i) = self.inner.try_borrow() else {
            return Vec::new();
        };
        let (r, c) = i.term.screen().row_col(i.term.screen().cursor());
        vec![r as u32, c as u32]
    }

    /// The device-pixel rectangle [x, y, width, height] of a cell on the canvas (empty before
    /// the first paint).
    #[wasm_bindgen(js_name = cellRect)]
    pub fn cell_rect(&self, row: u32, col: u32) -> Vec<f64> {
        let Ok(i) = self.inner.try_borrow() else {
            return Vec::new();
        };
        match i.geometry {
            Some(g) => vec![
                f64::from(g.cell_w) * f64::from(col),
                f64::from(g.cell_h) * f64::from(row),
                f64::from(g.cell_w),
                f64::from(g.cell_h),
            ],
            None => Vec::new(),
        }
    }

    /// The device pixel ratio in use.
    #[wasm_bindgen(js_name = pixelRatio)]
    pub fn pixel_ratio(&self) -> f64 {
        self.inner.try_borrow().map(|i| i.dpr()).unwrap_or(1.0)
    }

    /// The canvas element.
    pub fn canvas(&self) -> Option<HtmlCanvasElement> {
        self.inner.try_borrow().ok().map(|i| i.canvas.clone())
    }
}

impl Drop for WebTerminal {
    fn drop(&mut self) {
        let Ok(w) = window() else { return };
        if let Some((id, _)) = &self.blink {
            w.clear_interval_with_handle(*id);
        }
        let _ =
            w.remove_event_listener_with_callback("resize", self.resize.as_ref().unchecked_ref());
        if let Ok(mut i) = self.inner.try_borrow_mut() {
            if let Some(id) = i.raf_pending.take() {
                let _ = w.cancel_animation_frame(id);
            }
            i.raf_fn = None;
            if let Some(k) = &self.keydown {
                let _ = i
                    .canvas
                    .remove_event_listener_with_callback("keydown", k.as_ref().unchecked_ref());
            }
        }
    }
}

fn mod_bits(shift: bool, ctrl: bool, alt: bool, meta: bool) -> u8 {
    let mut m = 0;
    for (on, bit) in [
        (shift, keymap::SHIFT),
        (ctrl, keymap::CTRL),
        (alt, keymap::ALT),
        (meta, keymap::META),
    ] {
        if on {
            m |= bit;
        }
    }
    m
}

fn mods(ev: &KeyboardEvent) -> u8 {
    mod_bits(ev.shift_key(), ev.ctrl_key(), ev.alt_key(), ev.meta_key())
}
