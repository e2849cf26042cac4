//! The browser layer (wasm32 only): a `<canvas>` painter for [`Frame`]s, the keyboard and
//! mouse listeners, the clipboard, the ARIA mirror and live region, and the JS-facing
//! [`WebTerminal`].
//!
//! Owns: pixels (cell geometry in device pixels, HiDPI via `devicePixelRatio`, font fitting
//! to the container, zoom), drawing only dirty cells in batches, coalescing redraws to
//! animation frames, the blink/cursor timer, the selection overlay, DOM events, JS events
//! (`bell`, `copy`, `paste`, `screen`, `selection`, `state`), read-only mode and the DOM
//! nodes it creates. Does not own: what a cell looks like ([`crate::render`]), what keys
//! mean ([`crate::keymap`], `tn3270::input`), the OIA text ([`crate::oia`]), what a click does and what a selection copies
//! ([`crate::pointer`]), the mirror's segments and announcements ([`crate::a11y`]), paste
//! rules (`tn3270::input::paste`), or the transport (the page feeds bytes or records and
//! reports the connection state).
//!
//! Geometry: a cell is `cell_w × cell_h` *device* pixels (integers, rounded down so a fitted
//! screen never overflows its container; edges are sharp at any devicePixelRatio); the
//! canvas is sized in device pixels and its CSS size is that divided by the ratio. Under the
//! screen: a gap with a rule line, then one OIA row. The ratio is re-read on every window
//! resize and every blink tick (500 ms), so moving the window to another screen or zooming
//! the page redraws sharp.
//!
//! Painting is batched (docs/PERFORMANCE.md, "Web terminal rendering"): dirty cells are
//! grouped into runs along a row; backgrounds are filled per run of equal colour; glyphs of
//! one colour and weight are drawn as one `fillText` of the run's text, horizontally scaled
//! so the font's advance equals the cell width (monospace: every glyph lands on its cell),
//! and the runs are drawn sorted by weight and colour so the font and fill style change
//! rarely. Characters outside Latin-1 (APL, box drawing, symbols) are drawn one by one,
//! centred and clipped to their cell. Underlines, outlines and the crosshair are collected
//! as bars and adjacent bars of one colour merged into one rectangle. Fill styles are JS
//! strings made once per colour and set only when they change. The mirror rewrites a row
//! only when its fields changed; otherwise it sets the text of the nodes that changed.
//!
//! Failure behaviour: a DOM call that fails (no 2D context, detached element) is reported
//! to the caller as a JS exception from the constructor, or ignored while painting (a frame
//! that cannot be drawn is skipped; the next one repaints). Nothing here panics. A JS
//! listener that throws is ignored (the exception does not reach the terminal).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    CanvasRenderingContext2d, ClipboardEvent, Document, HtmlCanvasElement, HtmlElement,
    KeyboardEvent, MouseEvent, ResizeObserver, Window,
};

use tn3270::codepage::{CodePage, CP037};
use tn3270::input::paste::{self, PasteEnd};
use tn3270::input::{Key, KeyOutcome};
use tn3270::terminal::{Outbound, Terminal, TerminalConfig, TerminalEvent, TerminalModel};
use tn3270::tn3270e::{DataType, FunctionSet, Mode, Session};

use crate::a11y::{self, Segment};
use crate::keymap::{self, KeyEvent, Keymap};
use crate::oia::{LinkState, Oia};
use crate::pointer::{self, ClickAction, ClickOptions, Grid, Rect};
use crate::render::{outlining, CellDraw, Frame, RenderOptions};
use crate::theme::{Rgb, Theme};
use crate::{demo, view};

/// Line height as a multiple of the font size.
const LINE_HEIGHT: f64 = 1.2;
/// Smallest and largest font size (fitted or zoomed), CSS pixels.
const MIN_FONT_PX: f64 = 6.0;
const MAX_FONT_PX: f64 = 64.0;
/// Font size when the container has no size yet.
const FALLBACK_FONT_PX: f64 = 16.0;
/// One zoom step (Ctrl+= / Ctrl+-) multiplies or divides the font size by this.
const ZOOM_STEP: f64 = 1.1;
/// Gap between the screen and the OIA row, CSS pixels (the rule is drawn in its middle).
const OIA_GAP_PX: f64 = 4.0;
/// Blink period (half cycle), milliseconds; also how often the pixel ratio is checked.
const BLINK_MS: i32 = 500;
/// Default font: DejaVu Sans Mono (installed with Chromium's fonts here), then monospace.
const DEFAULT_FONT_FAMILY: &str = "'DejaVu Sans Mono', monospace";
/// Characters below this are drawn in batched runs (the primary font has them all, at the
/// monospace advance); others one by one.
const RUN_CHAR_LIMIT: char = '\u{100}';
/// JS event names accepted by `on`.
const EVENTS: [&str; 6] = ["bell", "copy", "paste", "screen", "selection", "state"];

/// Cursor shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CursorShape {
    Block,
    Underline,
}

impl CursorShape {
    fn parse(s: &str) -> Result<CursorShape, JsValue> {
        match s {
            "block" => Ok(CursorShape::Block),
            "underline" => Ok(CursorShape::Underline),
            other => Err(err(&format!("unknown cursor shape {other:?}"))),
        }
    }
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
    fn grid(&self) -> Grid {
        Grid {
            cell_w: f64::from(self.cell_w),
            cell_h: f64::from(self.cell_h),
            rows: self.rows,
            cols: self.cols,
        }
    }
}

/// Options read from the JS options object (constructor and `setOptions`).
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
    read_only: bool,
    crosshair: bool,
    field_underline: bool,
    click: ClickOptions,
}

fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
    if !obj.is_object() {
        return None;
    }
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn get_bool(obj: &JsValue, key: &str) -> Option<bool> {
    get(obj, key).and_then(|v| v.as_bool())
}

fn positive(obj: &JsValue, key: &str) -> Option<f64> {
    get(obj, key)
        .and_then(|v| v.as_f64())
        .filter(|v| v.is_finite() && *v > 0.0)
}

fn theme_named(name: &str) -> Result<&'static Theme, JsValue> {
    Theme::by_name(name).ok_or_else(|| err(&format!("unknown theme {name:?}")))
}

impl Options {
    fn from_js(o: &JsValue) -> Result<Options, JsValue> {
        let string = |k: &str| get(o, k).and_then(|v| v.as_string());
        let theme = match string("theme") {
            Some(name) => theme_named(&name)?,
            None => &crate::theme::X3270,
        };
        let code_page = match string("codePage") {
            Some(name) => CodePage::by_name(&name)
                .ok_or_else(|| err(&format!("unknown code page {name:?}")))?,
            None => &CP037,
        };
        let cursor = match string("cursor") {
            Some(c) => CursorShape::parse(&c)?,
            None => CursorShape::Block,
        };
        Ok(Options {
            model: string("model").unwrap_or_else(|| "3279-2-E".into()),
            theme,
            code_page,
            cursor,
            cursor_blink: get_bool(o, "cursorBlink").unwrap_or(true),
            font_px: positive(o, "fontSize"),
            font_family: string("fontFamily").unwrap_or_else(|| DEFAULT_FONT_FAMILY.into()),
            dpr: positive(o, "devicePixelRatio"),
            keyboard: get_bool(o, "keyboard").unwrap_or(true),
            read_only: get_bool(o, "readOnly").unwrap_or(false),
            crosshair: get_bool(o, "crosshair").unwrap_or(false),
            field_underline: get_bool(o, "fieldUnderline").unwrap_or(false),
            click: ClickOptions {
                hotspots: get_bool(o, "hotspots").unwrap_or(true),
                light_pen: get_bool(o, "lightPen").unwrap_or(true),
            },
        })
    }
}

fn err(msg: &str) -> JsValue {
    js_sys::Error::new(msg).into()
}

fn window() -> Result<Window, JsValue> {
    web_sys::window().ok_or_else(|| err("no window"))
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// How one cell is painted this time (after cursor and selection).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Look {
    fg: Rgb,
    bg: Rgb,
    glyph: Option<char>,
    bold: bool,
}

/// Glyphs of one colour and weight drawn with one `fillText`: the cells from `addr` on,
/// their text in the paint pass's text buffer.
#[derive(Debug, Clone)]
struct GlyphRun {
    addr: usize,
    text: std::ops::Range<usize>,
    fg: Rgb,
    bold: bool,
}

/// Ends a glyph run: drops its trailing blanks (a run starts with a glyph, so they are its
/// own) and keeps it.
fn close_run(run: Option<GlyphRun>, text: &mut String, out: &mut Vec<GlyphRun>) {
    if let Some(mut r) = run {
        text.truncate(text.trim_end().len());
        r.text.end = text.len();
        if !r.text.is_empty() {
            out.push(r);
        }
    }
}

/// Kinds of decoration bars, in drawing order: underline, outline over, outline under,
/// outline sides, crosshair row, crosshair column, underline cursor.
const DECOR_KINDS: usize = 7;

/// A filled rectangle of decoration, device pixels.
#[derive(Debug, Clone, Copy)]
struct Bar {
    color: Rgb,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Bar {
    fn new(color: Rgb, x: f64, y: f64, w: f64, h: f64) -> Bar {
        Bar { color, x, y, w, h }
    }
}

/// Adds a bar, or widens the last one when this one continues it to the right.
fn push_bar(bars: &mut Vec<Bar>, b: Bar) {
    if let Some(l) = bars.last_mut() {
        if l.color == b.color && l.y == b.y && l.h == b.h && l.x + l.w == b.x {
            l.w += b.w;
            return;
        }
    }
    bars.push(b);
}

#[wasm_bindgen]
extern "C" {
    /// The 2D context seen through the one setter web-sys lacks (`unchecked_ref` of a
    /// `CanvasRenderingContext2d`).
    type FillStyle;
    /// `ctx.fillStyle = value` with a JS string made once per colour (web-sys's setter takes
    /// a `&str`, copied into a new JS string on every call).
    #[wasm_bindgen(method, setter = fillStyle)]
    fn set_fill_style_value(this: &FillStyle, value: &JsValue);
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
    // --- DOM mirror ---
    mirror_rows: Vec<HtmlElement>,
    mirror_cache: Vec<Vec<Segment>>,
    mirror_grid: HtmlElement,
    mirror_status: HtmlElement,
    mirror_live: HtmlElement,
    /// The grid's `aria-label` as last set.
    mirror_label: String,
    last_status: String,
    announcement: String,
    last_oia: String,
    // --- fonts and zoom ---
    font_option: Option<f64>,
    font_fixed: Option<f64>,
    font_family: String,
    font_normal: String,
    font_bold: String,
    glyph_scale: f64,
    dpr_fixed: Option<f64>,
    // --- paint state caches (valid within one paint pass) ---
    cur_fill: Option<Rgb>,
    cur_font: Option<bool>,
    looks: Vec<Look>,
    run_text: String,
    glyph_runs: Vec<GlyphRun>,
    /// `#rrggbb` JS strings by packed colour (made once, not per `fillStyle`).
    css_colors: HashMap<u32, JsValue>,
    // --- cursor and decorations ---
    cursor: CursorShape,
    cursor_blink: bool,
    crosshair: bool,
    field_underline: bool,
    blink_on: bool,
    painted_cursor: usize,
    // --- operator input ---
    /// Read-only (display only): no key, click, light pen, hotspot or paste reaches the
    /// terminal; selecting and copying still work. Host replies (Read Buffer, Query) are
    /// not operator input and still go out.
    read_only: bool,
    // --- mouse ---
    click: ClickOptions,
    selection: Option<Rect>,
    painted_selection: Option<Rect>,
    /// The selection last reported by a `selection` event.
    reported_selection: Option<Rect>,
    drag: Option<((usize, usize), bool)>,
    // --- connection, OIA, events ---
    link: Option<LinkState>,
    reconnect_deadline: Option<f64>,
    countdown: Option<u32>,
    tls: bool,
    alarm: bool,
    host_wrote: bool,
    cursor_field: Option<usize>,
    listeners: HashMap<&'static str, Function>,
    pending: Vec<(&'static str, JsValue)>,
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

    /// The font size the layout would choose now, CSS pixels.
    fn font_css_px(&self, em_w: f64, rows: usize, cols: usize) -> f64 {
        if let Some(px) = self.font_fixed {
            return px.clamp(MIN_FONT_PX, MAX_FONT_PX);
        }
        let (w, h) = (
            f64::from(self.container.client_width()),
            f64::from(self.container.client_height()),
        );
        if w <= 0.0 {
            return FALLBACK_FONT_PX;
        }
        let by_w = w / (cols as f64 * em_w);
        let by_h = if h > 0.0 {
            (h - OIA_GAP_PX) / ((rows + 1) as f64 * LINE_HEIGHT)
        } else {
            by_w
        };
        by_w.min(by_h).clamp(MIN_FONT_PX, MAX_FONT_PX)
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
            .ok()
            .filter(|w| w.is_finite() && *w > 0.0)
            .unwrap_or(0.6);
        let font_px = self.font_css_px(em_w, rows, cols);
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
            self.font_normal = format!("{}px {}", g.font_px, self.font_family);
            self.font_bold = format!("bold {}px {}", g.font_px, self.font_family);
            self.ctx.set_font(&self.font_normal);
            let advance = self
                .ctx
                .measure_text("MMMMMMMMMM")
                .map(|m| m.width() / 10.0)
                .ok()
                .filter(|w| w.is_finite() && *w > 0.0)
                .unwrap_or(f64::from(g.cell_w));
            self.glyph_scale = f64::from(g.cell_w) / advance;
            self.geometry = Some(g);
            self.full_repaint = true;
            self.last_oia.clear();
        }
    }

    /// The OIA model: the terminal's, plus what the page reported and the alarm.
    fn oia(&self) -> Oia {
        let mut o = view::oia(&self.term);
        o.link = self.link.clone();
        if let (Some(LinkState::Reconnecting { .. }), Some(s)) = (&o.link, self.countdown) {
            o.link = Some(LinkState::Reconnecting { seconds: s });
        }
        o.tls = self.tls;
        o.alarm = self.alarm;
        o
    }

    /// Handles the terminal's events: the alarm and host writes.
    fn drain_events(&mut self) {
        while let Some(ev) = self.term.poll_event() {
            match ev {
                TerminalEvent::Alarm => {
                    self.alarm = true;
                    self.pending.push(("bell", JsValue::UNDEFINED));
                }
                TerminalEvent::RecordApplied => self.host_wrote = true,
                _ => {}
            }
        }
    }

    /// Paints everything that changed since the last paint.
    fn render(&mut self) {
        self.raf_pending = None;
        self.drain_events();
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
        if self
            .selection
            .is_some_and(|r| r.bottom >= self.frame.rows() || r.right >= self.frame.cols())
        {
            self.selection = None;
        }
        let mut dirty = std::mem::take(&mut self.dirty);
        let all = self.frame.dirty(&self.prev, &mut dirty);
        let changed_rows = rows_of(&dirty, self.frame.cols());
        if self.full_repaint || all {
            self.paint_all();
        } else {
            self.add_overlay_dirt(&mut dirty);
            self.paint_addrs(&dirty);
        }
        self.painted_selection = self.selection;
        self.painted_cursor = self.frame.cursor();
        self.update_mirror(&changed_rows, self.full_repaint || all);
        self.announce(&changed_rows);
        self.dirty = dirty;
        self.paint_oia();
        self.full_repaint = false;
        std::mem::swap(&mut self.prev, &mut self.frame);
    }

    /// Cells whose look changes without the screen changing: selection changes and the
    /// crosshair lines of a moved cursor.
    fn add_overlay_dirt(&self, dirty: &mut Vec<usize>) {
        let (rows, cols) = (self.frame.rows(), self.frame.cols());
        if self.selection != self.painted_selection {
            for r in [self.selection, self.painted_selection]
                .into_iter()
                .flatten()
            {
                dirty.extend(r.addrs(rows, cols));
            }
        }
        let cursor = self.frame.cursor();
        if self.crosshair && cursor != self.painted_cursor {
            for c in [cursor, self.painted_cursor] {
                let (r, col) = (c / cols.max(1), c % cols.max(1));
                dirty.extend((0..cols).map(|x| r * cols + x));
                dirty.extend((0..rows).map(|y| y * cols + col));
            }
        }
        let n = self.frame.cells().len();
        dirty.retain(|&a| a < n);
        dirty.sort_unstable();
        dirty.dedup();
    }

    /// Announces what a host write changed, or the field the cursor entered.
    fn announce(&mut self, changed_rows: &[usize]) {
        let cursor = self.frame.cursor();
        let screen = self.term.screen();
        let field = screen.field_attr_addr(cursor);
        let mut text = None;
        if std::mem::take(&mut self.host_wrote) {
            text = a11y::host_write_announcement(&self.frame, changed_rows);
            let detail = Object::new();
            let rows = js_sys::Array::new();
            for &r in changed_rows {
                rows.push(&JsValue::from(r as u32));
            }
            let _ = Reflect::set(&detail, &"rows".into(), &rows);
            let _ = Reflect::set(
                &detail,
                &"text".into(),
                &JsValue::from_str(text.as_deref().unwrap_or("")),
            );
            self.pending.push(("screen", detail.into()));
        } else if field != self.cursor_field {
            text = a11y::field_announcement(screen, &self.frame, cursor);
        }
        self.cursor_field = field;
        if let Some(t) = text {
            self.mirror_live.set_text_content(Some(&t));
            self.announcement = t;
        }
    }

    fn set_fill(&mut self, color: Rgb) {
        if self.cur_fill != Some(color) {
            let css = self
                .css_colors
                .entry(color.packed())
                .or_insert_with(|| JsValue::from_str(&color.css()));
            self.ctx
                .unchecked_ref::<FillStyle>()
                .set_fill_style_value(css);
            self.cur_fill = Some(color);
        }
    }

    fn fill(&mut self, color: Rgb, x: f64, y: f64, w: f64, h: f64) {
        self.set_fill(color);
        self.ctx.fill_rect(x, y, w, h);
    }

    fn set_bold(&mut self, bold: bool) {
        if self.cur_font != Some(bold) {
            self.ctx.set_font(if bold {
                &self.font_bold
            } else {
                &self.font_normal
            });
            self.cur_font = Some(bold);
        }
    }

    /// How cell `addr` of `self.frame` is painted now.
    fn look(&self, addr: usize) -> Look {
        let Some(cell) = self.frame.cells().get(addr) else {
            return Look {
                fg: self.theme.background,
                bg: self.theme.background,
                glyph: None,
                bold: false,
            };
        };
        let cols = self.frame.cols().max(1);
        let selected = self
            .selection
            .is_some_and(|r| r.contains(addr / cols, addr % cols));
        let mut bg = if selected {
            self.theme.selection
        } else {
            cell.bg
        };
        let mut fg = cell.fg;
        if self.cursor_on(addr) && self.cursor == CursorShape::Block {
            fg = bg;
            bg = self.theme.cursor;
        }
        Look {
            fg,
            bg,
            glyph: show_glyph(cell, self.blink_on).then_some(cell.ch),
            bold: cell.bold,
        }
    }

    fn cursor_on(&self, addr: usize) -> bool {
        addr == self.frame.cursor() && (!self.cursor_blink || self.blink_on)
    }

    /// Repaints the whole screen area.
    fn paint_all(&mut self) {
        let Some(g) = self.geometry else { return };
        self.cur_fill = None;
        self.cur_font = None;
        self.fill(
            self.theme.background,
            0.0,
            0.0,
            f64::from(g.width()),
            f64::from(g.oia_top()),
        );
        let cols = g.cols;
        let runs: Vec<(usize, usize)> = (0..self.frame.rows())
            .map(|r| (r * cols, (r + 1) * cols))
            .collect();
        self.paint_runs(&runs, true);
    }

    /// Repaints the cells at `addrs` (ascending), grouped into runs along rows.
    fn paint_addrs(&mut self, addrs: &[usize]) {
        let Some(g) = self.geometry else { return };
        let cols = g.cols.max(1);
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for &a in addrs {
            match runs.last_mut() {
                Some((_, end)) if *end == a && a % cols != 0 => *end = a + 1,
                _ => runs.push((a, a + 1)),
            }
        }
        self.cur_fill = None;
        self.cur_font = None;
        self.paint_runs(&runs, false);
    }

    /// Paints runs `[start, end)` of cells, each within one row, in four passes:
    /// backgrounds, batched glyph runs, single glyphs, decorations. `bg_done`: the screen
    /// background is already painted (only other backgrounds are filled).
    fn paint_runs(&mut self, runs: &[(usize, usize)], bg_done: bool) {
        let Some(g) = self.geometry else { return };
        let (w, h) = (f64::from(g.cell_w), f64::from(g.cell_h));
        let mut looks = std::mem::take(&mut self.looks);
        looks.clear();
        for &(s, e) in runs {
            looks.extend((s..e).map(|a| self.look(a)));
        }
        // Pass 1: backgrounds, one rectangle per run of equal colour.
        let mut i = 0;
        for &(s, e) in runs {
            let mut a = s;
            while a < e {
                let bg = looks[i + a - s].bg;
                let mut b = a + 1;
                while b < e && looks[i + b - s].bg == bg {
                    b += 1;
                }
                if !(bg_done && bg == self.theme.background) {
                    let (x, y) = g.cell_xy(a);
                    self.fill(bg, x, y, w * (b - a) as f64, h);
                }
                a = b;
            }
            i += e - s;
        }
        // Pass 2: glyph runs of one colour and weight, scaled to the cell grid. The runs are
        // collected first and drawn sorted by weight and colour (glyphs of different runs do
        // not overlap), so the font changes at most twice and the colour once per colour.
        let sx = self.glyph_scale;
        let _ = self.ctx.set_transform(sx, 0.0, 0.0, 1.0, 0.0, 0.0);
        self.ctx.set_text_align("left");
        self.ctx.set_text_baseline("middle");
        let mut singles: Vec<(usize, Look)> = Vec::new();
        let mut text = std::mem::take(&mut self.run_text);
        let mut glyph_runs = std::mem::take(&mut self.glyph_runs);
        text.clear();
        glyph_runs.clear();
        let mut i = 0;
        for &(s, e) in runs {
            let mut run: Option<GlyphRun> = None;
            for a in s..e {
                let look = looks[i + a - s];
                match look.glyph {
                    Some(c) if c < RUN_CHAR_LIMIT => {
                        match run {
                            Some(ref r) if r.fg == look.fg && r.bold == look.bold => {}
                            _ => {
                                close_run(run, &mut text, &mut glyph_runs);
                                run = Some(GlyphRun {
                                    addr: a,
                                    text: text.len()..text.len(),
                                    fg: look.fg,
                                    bold: look.bold,
                                });
                            }
                        }
                        text.push(c);
                    }
                    Some(_) => {
                        singles.push((a, look));
                        if run.is_some() {
                            text.push(' ');
                        }
                    }
                    None => {
                        if run.is_some() {
                            text.push(' ');
                        }
                    }
                }
            }
            close_run(run, &mut text, &mut glyph_runs);
            i += e - s;
        }
        glyph_runs.sort_by_key(|r| (r.bold, r.fg.packed()));
        let y_mid = f64::from(g.cell_h) / 2.0;
        for r in &glyph_runs {
            self.set_bold(r.bold);
            self.set_fill(r.fg);
            let (x, y) = g.cell_xy(r.addr);
            if let Some(t) = text.get(r.text.clone()) {
                let _ = self.ctx.fill_text(t, x / sx, y + y_mid);
            }
        }
        self.run_text = text;
        self.glyph_runs = glyph_runs;
        let _ = self.ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        // Pass 3: characters outside the run font's set, one by one, clipped.
        if !singles.is_empty() {
            self.ctx.set_text_align("center");
            let mut buf = [0u8; 4];
            for (a, look) in singles {
                let (x, y) = g.cell_xy(a);
                self.ctx.save();
                self.ctx.begin_path();
                self.ctx.rect(x, y, w, h);
                self.ctx.clip();
                self.set_bold(look.bold);
                self.set_fill(look.fg);
                if let Some(c) = look.glyph {
                    let _ = self
                        .ctx
                        .fill_text(c.encode_utf8(&mut buf), x + w / 2.0, y + h / 2.0);
                }
                self.ctx.restore();
                self.cur_fill = None;
                self.cur_font = None;
            }
        }
        // Pass 4: underscore, input underline, outlining, crosshair, underline cursor. Each
        // kind is collected as bars, adjacent bars of one colour merged along the row, and
        // drawn kind by kind (the same layering as cell by cell).
        let line = g.dpr.round().max(1.0);
        let cursor = self.frame.cursor();
        let cols = g.cols.max(1);
        let (crow, ccol) = (cursor / cols, cursor % cols);
        let mut bars: [Vec<Bar>; DECOR_KINDS] = Default::default();
        let [under, over, below, sides, cross_row, cross_col, cur] = &mut bars;
        let mut i = 0;
        for &(s, e) in runs {
            for a in s..e {
                let look = looks[i + a - s];
                let Some(cell) = self.frame.cells().get(a).copied() else {
                    continue;
                };
                let (x, y) = g.cell_xy(a);
                let cursor_here = self.cursor_on(a);
                if cell.underline || (self.field_underline && cell.input) {
                    let color = if cursor_here && self.cursor == CursorShape::Block {
                        look.fg
                    } else {
                        cell.fg
                    };
                    push_bar(under, Bar::new(color, x, y + h - 2.0 * line, w, line));
                }
                if cell.outline != 0 {
                    let o = self.theme.outline;
                    if cell.outline & outlining::OVER != 0 {
                        push_bar(over, Bar::new(o, x, y, w, line));
                    }
                    if cell.outline & outlining::UNDER != 0 {
                        push_bar(below, Bar::new(o, x, y + h - line, w, line));
                    }
                    if cell.outline & outlining::LEFT != 0 {
                        push_bar(sides, Bar::new(o, x, y, line, h));
                    }
                    if cell.outline & outlining::RIGHT != 0 {
                        push_bar(sides, Bar::new(o, x + w - line, y, line, h));
                    }
                }
                if self.crosshair {
                    let o = self.theme.outline;
                    if a / cols == crow {
                        push_bar(cross_row, Bar::new(o, x, y + h - line, w, line));
                    }
                    if a % cols == ccol {
                        push_bar(cross_col, Bar::new(o, x, y, line, h));
                    }
                }
                if cursor_here && self.cursor == CursorShape::Underline {
                    let c = self.theme.cursor;
                    push_bar(cur, Bar::new(c, x, y + h - 2.0 * line, w, 2.0 * line));
                }
            }
            i += e - s;
        }
        for b in bars.iter().flatten() {
            self.fill(b.color, b.x, b.y, b.w, b.h);
        }
        self.looks = looks;
    }

    fn paint_oia(&mut self) {
        let Some(g) = self.geometry else { return };
        let oia = self.oia();
        let line = oia.line(g.cols);
        let status = oia.describe();
        if status != self.last_status {
            self.mirror_status.set_text_content(Some(&status));
            self.last_status = status;
        }
        if line == self.last_oia {
            return;
        }
        self.cur_fill = None;
        self.cur_font = None;
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
        self.set_bold(false);
        self.ctx.set_text_align("center");
        self.ctx.set_text_baseline("middle");
        self.set_fill(self.theme.oia_fg);
        let y = f64::from(g.oia_top()) + f64::from(g.cell_h) / 2.0;
        let mut buf = [0u8; 4];
        for (i, c) in line.chars().enumerate().filter(|(_, c)| *c != ' ') {
            let x = f64::from(g.cell_w) * (i as f64 + 0.5);
            let _ = self.ctx.fill_text(c.encode_utf8(&mut buf), x, y);
        }
        self.last_oia = line;
    }

    /// Rebuilds the mirror rows in `rows` (all rows after a size change or `all`); a row
    /// whose segments did not change is left alone.
    fn update_mirror(&mut self, rows_changed: &[usize], all: bool) {
        let rows = self.frame.rows();
        let Some(doc) = self.container.owner_document() else {
            return;
        };
        let rebuild = self.mirror_rows.len() != rows;
        if rebuild {
            self.mirror_grid.set_inner_html("");
            self.mirror_rows.clear();
            self.mirror_cache.clear();
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
                self.mirror_cache.push(Vec::new());
            }
            let _ = self
                .mirror_grid
                .set_attribute("aria-rowcount", &rows.to_string());
        }
        let all_rows: Vec<usize>;
        let todo: &[usize] = if rebuild || all {
            all_rows = (0..rows).collect();
            &all_rows
        } else {
            rows_changed
        };
        for &r in todo {
            let segs = a11y::row_segments(self.term.screen(), &self.frame, r);
            if self.mirror_cache.get(r) == Some(&segs) && !rebuild {
                continue;
            }
            if let Some(cell) = self.mirror_rows.get(r) {
                match self.mirror_cache.get(r) {
                    // Same fields, other text: only the changed nodes' text is set.
                    Some(old) if !rebuild && same_shape(old, &segs, cell) => {
                        update_texts(cell, old, &segs)
                    }
                    _ => fill_row(cell, &segs),
                }
            }
            if let Some(slot) = self.mirror_cache.get_mut(r) {
                *slot = segs;
            }
        }
        let (cr, cc) = self.frame.cursor_row_col();
        let label = format!("3270 screen, cursor row {} column {}", cr + 1, cc + 1);
        if label != self.mirror_label {
            let _ = self.mirror_grid.set_attribute("aria-label", &label);
            self.mirror_label = label;
        }
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

    /// Every 500 ms: blinks, counts the reconnect delay down, notices a new pixel ratio.
    fn blink_tick(&mut self) {
        self.blink_on = !self.blink_on;
        if let (Some(deadline), Some(LinkState::Reconnecting { .. })) =
            (self.reconnect_deadline, &self.link)
        {
            let left = ((deadline - now_ms()) / 1000.0).ceil().max(0.0) as u32;
            if self.countdown != Some(left) {
                self.countdown = Some(left);
                self.schedule();
            }
        }
        if self.geometry.is_some_and(|g| g.dpr != self.dpr()) {
            self.layout();
            self.schedule();
        }
        if self.raf_pending.is_some() || self.geometry.is_none() {
            return;
        }
        // `prev` holds the frame on screen.
        std::mem::swap(&mut self.prev, &mut self.frame);
        let cursor = self.frame.cursor();
        let blinking: Vec<usize> = (0..self.frame.cells().len())
            .filter(|&a| {
                self.frame.cells().get(a).is_some_and(|c| c.blink)
                    || (a == cursor && self.cursor_blink)
            })
            .collect();
        self.paint_addrs(&blinking);
        std::mem::swap(&mut self.prev, &mut self.frame);
    }

    fn press(&mut self, key: Key) -> KeyOutcome {
        self.alarm = false;
        let outcome = self.term.key(key);
        self.schedule();
        outcome
    }

    /// A click on buffer address `addr`: light pen, hotspot or cursor move.
    fn click(&mut self, addr: usize) -> ClickAction {
        let opts: RenderOptions<'static> = RenderOptions {
            theme: self.theme,
            code_page: self.code_page,
            color: self.color,
        };
        let mut frame = std::mem::take(&mut self.frame);
        frame.update(self.term.screen(), &opts);
        let action = pointer::click_action(self.term.screen(), &frame, addr, self.click);
        self.frame = frame;
        match action {
            ClickAction::LightPen(a) => {
                if matches!(
                    self.press(Key::MoveCursor(a)),
                    KeyOutcome::Changed | KeyOutcome::Nothing
                ) {
                    self.press(Key::CursorSelect);
                }
            }
            ClickAction::Hotspot(k) => {
                self.press(k);
            }
            ClickAction::Move(a) => {
                self.press(Key::MoveCursor(a));
            }
        }
        action
    }

    /// The selection's text ("" when there is none).
    fn selection_text(&mut self) -> String {
        let Some(rect) = self.selection else {
            return String::new();
        };
        let opts: RenderOptions<'static> = RenderOptions {
            theme: self.theme,
            code_page: self.code_page,
            color: self.color,
        };
        let mut frame = std::mem::take(&mut self.frame);
        frame.update(self.term.screen(), &opts);
        let text = pointer::selection_text(&frame, rect);
        self.frame = frame;
        text
    }

    /// The device-pixel point of a mouse event on the canvas.
    fn event_point(&self, ev: &MouseEvent) -> (f64, f64) {
        let rect = self.canvas.get_bounding_client_rect();
        let sx = if rect.width() > 0.0 {
            f64::from(self.canvas.width()) / rect.width()
        } else {
            1.0
        };
        let sy = if rect.height() > 0.0 {
            f64::from(self.canvas.height()) / rect.height()
        } else {
            1.0
        };
        (
            (f64::from(ev.client_x()) - rect.left()) * sx,
            (f64::from(ev.client_y()) - rect.top()) * sy,
        )
    }

    fn set_link(&mut self, link: LinkState) {
        match &link {
            LinkState::Connected => {
                if self.term.screen().lock() == Some(tn3270::screen::LockReason::NotConnected) {
                    self.term.connected();
                }
            }
            _ => self.term.disconnected(),
        }
        self.reconnect_deadline = match &link {
            LinkState::Reconnecting { seconds } => Some(now_ms() + f64::from(*seconds) * 1000.0),
            _ => None,
        };
        self.countdown = None;
        let detail = Object::new();
        let _ = Reflect::set(&detail, &"state".into(), &link.name().into());
        if let LinkState::Refused { reason } = &link {
            let _ = Reflect::set(&detail, &"reason".into(), &reason.as_str().into());
        }
        if let LinkState::Reconnecting { seconds } = &link {
            let _ = Reflect::set(&detail, &"seconds".into(), &(*seconds).into());
        }
        self.pending.push(("state", detail.into()));
        self.link = Some(link);
        self.schedule();
    }

    /// Zooms by `steps` (positive: larger); 0 returns to the configured size (or fitting).
    fn zoom(&mut self, steps: i32) -> f64 {
        if steps == 0 {
            self.font_fixed = self.font_option;
        } else {
            let current = self
                .geometry
                .map(|g| g.font_px / g.dpr)
                .unwrap_or(FALLBACK_FONT_PX);
            self.font_fixed =
                Some((current * ZOOM_STEP.powi(steps)).clamp(MIN_FONT_PX, MAX_FONT_PX));
        }
        self.layout();
        self.schedule();
        self.geometry.map(|g| g.font_px / g.dpr).unwrap_or(0.0)
    }

    /// Applies `setOptions` keys present in `o`.
    fn set_options(&mut self, o: &JsValue) -> Result<(), JsValue> {
        if let Some(name) = get(o, "theme").and_then(|v| v.as_string()) {
            self.theme = theme_named(&name)?;
            self.last_oia.clear();
        }
        if let Some(c) = get(o, "cursor").and_then(|v| v.as_string()) {
            self.cursor = CursorShape::parse(&c)?;
        }
        if let Some(b) = get_bool(o, "cursorBlink") {
            self.cursor_blink = b;
        }
        if let Some(b) = get_bool(o, "readOnly") {
            self.read_only = b;
        }
        if let Some(b) = get_bool(o, "crosshair") {
            self.crosshair = b;
        }
        if let Some(b) = get_bool(o, "fieldUnderline") {
            self.field_underline = b;
        }
        if let Some(b) = get_bool(o, "hotspots") {
            self.click.hotspots = b;
        }
        if let Some(b) = get_bool(o, "lightPen") {
            self.click.light_pen = b;
        }
        if let Some(f) = get(o, "fontFamily").and_then(|v| v.as_string()) {
            self.font_family = f;
            self.geometry = None;
        }
        // fontSize: a number fixes the size; null returns to fitting the container.
        if o.is_object() && Reflect::has(o, &"fontSize".into()).unwrap_or(false) {
            self.font_option = positive(o, "fontSize");
            self.font_fixed = self.font_option;
            self.geometry = None;
        }
        if self.geometry.is_none() {
            self.layout();
        }
        self.full_repaint = true;
        self.schedule();
        Ok(())
    }
}

/// The rows (ascending, unique) of ascending addresses.
fn rows_of(addrs: &[usize], cols: usize) -> Vec<usize> {
    let cols = cols.max(1);
    let mut rows: Vec<usize> = addrs.iter().map(|a| a / cols).collect();
    rows.dedup();
    rows
}

/// Fills one mirror row: protected text as text, input segments as labelled text boxes
/// (a non-display one empty, labelled "hidden"). One `innerHTML` per row (every text
/// escaped): building the nodes one DOM call at a time cost about 1 ms per new 27×132
/// screen (docs/PERFORMANCE.md).
fn fill_row(cell: &HtmlElement, segs: &[Segment]) {
    let mut html = String::new();
    for seg in segs {
        match seg {
            Segment::Text(t) => escape_html(&mut html, t),
            Segment::Input {
                text,
                label,
                hidden,
                addr,
            } => {
                html.push_str(r#"<span role="textbox" aria-label=""#);
                escape_html(&mut html, label);
                if *hidden {
                    html.push_str(" (hidden input)");
                }
                html.push_str(r#"" aria-readonly="false" data-addr=""#);
                html.push_str(&addr.to_string());
                html.push_str(r#"">"#);
                escape_html(&mut html, text);
                html.push_str("</span>");
            }
        }
    }
    cell.set_inner_html(&html);
}

/// Appends `text` to `html` with the five HTML-special characters as character references
/// (safe in text and in double-quoted attribute values).
fn escape_html(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c => html.push(c),
        }
    }
}

/// True when `new` has the same segments as `old` (kinds, labels, addresses) apart from
/// their text, and `cell` holds one node per segment (as [`fill_row`] made it, unless the
/// parser merged adjacent or dropped empty text segments: then the row is rebuilt).
fn same_shape(old: &[Segment], new: &[Segment], cell: &HtmlElement) -> bool {
    old.len() == new.len()
        && cell.child_nodes().length() as usize == new.len()
        && old.iter().zip(new).all(|(a, b)| match (a, b) {
            (Segment::Text(_), Segment::Text(_)) => true,
            (
                Segment::Input {
                    label: la,
                    hidden: ha,
                    addr: aa,
                    ..
                },
                Segment::Input {
                    label: lb,
                    hidden: hb,
                    addr: ab,
                    ..
                },
            ) => la == lb && ha == hb && aa == ab,
            _ => false,
        })
}

/// Sets the text of the nodes whose segment text changed (the shapes are the same).
fn update_texts(cell: &HtmlElement, old: &[Segment], new: &[Segment]) {
    let nodes = cell.child_nodes();
    for (i, (a, b)) in old.iter().zip(new).enumerate() {
        let (Segment::Text(ta) | Segment::Input { text: ta, .. }) = a;
        let (Segment::Text(tb) | Segment::Input { text: tb, .. }) = b;
        if ta != tb {
            if let Some(node) = nodes.item(i as u32) {
                node.set_text_content(Some(tb));
            }
        }
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

/// Calls the JS listeners of the pending events, outside any borrow (a listener may call
/// back into the terminal).
fn emit(inner: &Rc<RefCell<Inner>>) {
    let calls: Vec<(Function, JsValue)> = {
        let Ok(mut i) = inner.try_borrow_mut() else {
            return;
        };
        if i.selection != i.reported_selection {
            i.reported_selection = i.selection;
            let detail = match i.selection {
                Some(r) => {
                    let o = Object::new();
                    for (k, v) in [
                        ("top", r.top),
                        ("left", r.left),
                        ("bottom", r.bottom),
                        ("right", r.right),
                    ] {
                        let _ = Reflect::set(&o, &k.into(), &(v as u32).into());
                    }
                    o.into()
                }
                None => JsValue::NULL,
            };
            i.pending.push(("selection", detail));
        }
        let pending = std::mem::take(&mut i.pending);
        pending
            .into_iter()
            .filter_map(|(name, detail)| i.listeners.get(name).map(|f| (f.clone(), detail)))
            .collect()
    };
    for (f, detail) in calls {
        let _ = f.call1(&JsValue::NULL, &detail);
    }
}

/// Hands pending host-bound bytes to the output callback, outside any borrow (the callback
/// may call back into the terminal).
fn flush_output(inner: &Rc<RefCell<Inner>>) {
    flush_outbound(inner);
    let (bytes, cb) = {
        let Ok(mut i) = inner.try_borrow_mut() else {
            return;
        };
        i.drain_events();
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
    listeners: Vec<(web_sys::EventTarget, &'static str, Function)>,
    _closures: Vec<Closure<dyn FnMut(JsValue)>>,
    _raf: Closure<dyn FnMut()>,
    blink: Option<(i32, Closure<dyn FnMut()>)>,
    resize_observer: Option<ResizeObserver>,
}

/// Runs `f` on the borrowed state (nothing when it is busy), then hands out pending output
/// and events.
fn with_inner<R: Default>(inner: &Rc<RefCell<Inner>>, f: impl FnOnce(&mut Inner) -> R) -> R {
    let r = match inner.try_borrow_mut() {
        Ok(mut i) => f(&mut i),
        Err(_) => R::default(),
    };
    flush_output(inner);
    emit(inner);
    r
}

/// The keydown handler: terminal shortcuts (zoom, copy, paste, leaving the terminal),
/// then the keymap. Returns true when the event was used.
fn on_keydown(inner: &Rc<RefCell<Inner>>, ev: &KeyboardEvent) -> bool {
    if ev.is_composing() {
        return false;
    }
    let (key, code, m) = (ev.key(), ev.code(), mods(ev));
    let ctrl_only = m == keymap::CTRL;
    // Zoom: Ctrl+= / Ctrl++ (also Ctrl+Shift+=), Ctrl+-, Ctrl+0.
    if m & keymap::CTRL != 0 && m & (keymap::ALT | keymap::META) == 0 {
        let steps = match key.as_str() {
            "=" | "+" => Some(1),
            "-" | "_" => Some(-1),
            "0" if ctrl_only => Some(0),
            _ => None,
        };
        if let Some(s) = steps {
            with_inner(inner, |i| i.zoom(s));
            return true;
        }
    }
    if key == "Insert" && ctrl_only {
        // Ctrl+Insert: copy (the browser has no default for it on a canvas).
        let has = inner.try_borrow().is_ok_and(|i| i.selection.is_some());
        if has {
            if let Some(doc) = window()
                .ok()
                .and_then(|w| w.document())
                .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
            {
                let _ = doc.exec_command("copy");
            }
        }
        return true;
    }
    let read_only = inner.try_borrow().map_or(true, |i| i.read_only);
    if key == "Insert" && m == keymap::SHIFT && !read_only {
        // Shift+Insert: paste through the async clipboard API (needs the page's permission).
        if let Ok(w) = window() {
            let r = inner.clone();
            let read = wasm_bindgen_futures::JsFuture::from(w.navigator().clipboard().read_text());
            wasm_bindgen_futures::spawn_local(async move {
                if let Some(t) = read.await.ok().and_then(|v| v.as_string()) {
                    with_inner(&r, |i| paste_into(i, &t));
                }
            });
        }
        return true;
    }
    if key == "Escape" && m == keymap::SHIFT {
        // Shift+Escape: leave the terminal (Tab is the 3270 Tab key, so it cannot).
        if let Ok(i) = inner.try_borrow() {
            let _ = i.canvas.blur();
        }
        return true;
    }
    if read_only {
        // Not used: the browser keeps its default (Tab leaves the terminal).
        return false;
    }
    let mapped = inner.try_borrow().ok().and_then(|i| {
        i.keymap.lookup(&KeyEvent {
            key: &key,
            code: &code,
            mods: m,
        })
    });
    match mapped {
        Some(k) => {
            with_inner(inner, |i| {
                i.press(k);
            });
            true
        }
        None => false,
    }
}

/// Pastes `text` at the cursor; returns the report as a JS object and queues it as a
/// `paste` event. Read-only: nothing is typed (`end: "read-only"`).
fn paste_into(i: &mut Inner, text: &str) -> JsValue {
    let o = Object::new();
    if i.read_only {
        let _ = Reflect::set(&o, &"typed".into(), &0.into());
        let _ = Reflect::set(&o, &"consumed".into(), &0.into());
        let _ = Reflect::set(&o, &"end".into(), &"read-only".into());
        return o.into();
    }
    i.alarm = false;
    let rep = paste::paste(&mut i.term, text);
    i.schedule();
    let end = match rep.end {
        PasteEnd::Complete => "complete".to_string(),
        PasteEnd::EndOfScreen => "end-of-screen".to_string(),
        PasteEnd::KeyboardLocked(r) => format!("locked: {}", crate::oia::lock_text(r)),
        PasteEnd::Stopped(KeyOutcome::Locked(r)) => {
            format!("stopped: {}", crate::oia::lock_text(r))
        }
        PasteEnd::Stopped(other) => format!("stopped: {other:?}"),
        PasteEnd::TooLong => "too-long".to_string(),
    };
    let _ = Reflect::set(&o, &"typed".into(), &(rep.typed as u32).into());
    let _ = Reflect::set(&o, &"consumed".into(), &(rep.consumed as u32).into());
    let _ = Reflect::set(&o, &"end".into(), &end.into());
    i.pending.push(("paste", o.clone().into()));
    o.into()
}

/// True when the document's focus is this terminal's canvas.
fn focused(i: &Inner) -> bool {
    i.canvas
        .owner_document()
        .and_then(|d| d.active_element())
        .is_some_and(|a| a.is_same_node(Some(&i.canvas)))
}

#[wasm_bindgen]
impl WebTerminal {
    /// Creates the canvas and the ARIA mirror inside `container`. Options (all optional):
    /// `model` ("3279-2-E"), `theme` (x3270, green, dark, light, high-contrast), `codePage`
    /// ("cp037"), `cursor` ("block" | "underline"), `cursorBlink` (true), `crosshair`
    /// (false), `fieldUnderline` (false), `hotspots` (true), `lightPen` (true), `fontSize`
    /// (CSS px; default: fit the container), `fontFamily`, `devicePixelRatio` (default: the
    /// window's), `keyboard` (true: listen for keys, mouse and clipboard on the canvas),
    /// `readOnly` (false: true lets the operator select and copy but not type, paste, click,
    /// use the light pen or hotspots; `press` throws).
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
        canvas.set_attribute("role", "application")?;
        canvas.set_attribute("aria-roledescription", "3270 terminal")?;
        canvas.set_attribute(
            "aria-label",
            "3270 terminal. The screen text follows as a grid; Shift+Escape leaves the terminal.",
        )?;
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
        let live = make(
            &doc,
            "div",
            &[
                ("aria-live", "polite"),
                ("aria-atomic", "true"),
                ("class", "w3270-live"),
            ],
        )
        .ok_or_else(|| err("createElement"))?;
        mirror.append_child(&grid)?;
        mirror.append_child(&status)?;
        mirror.append_child(&live)?;
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
            container: container.clone(),
            canvas: canvas.clone(),
            ctx,
            mirror_rows: Vec::new(),
            mirror_cache: Vec::new(),
            mirror_grid: grid,
            mirror_status: status,
            mirror_live: live,
            mirror_label: String::new(),
            last_status: String::new(),
            announcement: String::new(),
            last_oia: String::new(),
            font_option: opts.font_px,
            font_fixed: opts.font_px,
            font_family: opts.font_family,
            font_normal: String::new(),
            font_bold: String::new(),
            glyph_scale: 1.0,
            dpr_fixed: opts.dpr,
            cur_fill: None,
            cur_font: None,
            looks: Vec::new(),
            run_text: String::new(),
            glyph_runs: Vec::new(),
            css_colors: HashMap::new(),
            cursor: opts.cursor,
            cursor_blink: opts.cursor_blink,
            crosshair: opts.crosshair,
            field_underline: opts.field_underline,
            blink_on: true,
            painted_cursor: 0,
            read_only: opts.read_only,
            click: opts.click,
            selection: None,
            painted_selection: None,
            reported_selection: None,
            drag: None,
            link: None,
            reconnect_deadline: None,
            countdown: None,
            tls: false,
            alarm: false,
            host_wrote: false,
            cursor_field: None,
            listeners: HashMap::new(),
            pending: Vec::new(),
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
            emit(&r);
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
        let mut t = WebTerminal {
            inner: inner.clone(),
            listeners: Vec::new(),
            _closures: Vec::new(),
            _raf: raf,
            blink: Some((id, blink)),
            resize_observer: None,
        };
        let relayout = {
            let r = inner.clone();
            move |_: JsValue| {
                if let Ok(mut i) = r.try_borrow_mut() {
                    i.layout();
                    i.schedule();
                }
            }
        };
        t.listen(w.as_ref(), "resize", relayout.clone());
        let observer_cb = Closure::<dyn FnMut(JsValue)>::new(relayout);
        if let Ok(ro) = ResizeObserver::new(observer_cb.as_ref().unchecked_ref()) {
            ro.observe(&container);
            t.resize_observer = Some(ro);
        }
        t._closures.push(observer_cb);
        if opts.keyboard {
            t.listen_input(&canvas, &doc);
        }
        inner.borrow_mut().render();
        Ok(t)
    }

    /// Feeds bytes from the host (telnet stream). Schedules a repaint and hands any reply to
    /// the output callback.
    pub fn feed(&self, bytes: &[u8]) {
        with_inner(&self.inner, |i| {
            i.term.feed(bytes);
            i.drain_events();
            i.schedule();
        });
    }

    /// Takes the bytes waiting for the host (when no output callback is set).
    #[wasm_bindgen(js_name = takeOutput)]
    pub fn take_output(&self) -> Vec<u8> {
        self.inner
            .try_borrow_mut()
            .map(|mut i| i.term.take_output())
            .unwrap_or_default()
    }

    /// Sets the function called with a `Uint8Array` whenever there are bytes for the host.
    #[wasm_bindgen(js_name = setOnOutput)]
    pub fn set_on_output(&self, f: Function) {
        with_inner(&self.inner, |i| i.on_output = Some(f));
    }

    /// Record mode: starts a session the bridge announced with its `session` message (the
    /// parsed JSON object: `model`, `mode`, `lu_state`, `lu`, `tls`, `code_page`: the
    /// endpoint's code page, which replaces the `codePage` option when present). The terminal then takes
    /// host records with [`WebTerminal::feed_record`] and sends through the `setOnSend`
    /// callback. The OIA shows the session as connected.
    #[wasm_bindgen(js_name = beginSession)]
    pub fn begin_session(&self, info: JsValue) -> Result<(), JsValue> {
        let model = match js_str(&info, "model") {
            Some(m) => TerminalModel::parse(&m).map_err(|e| err(&format!("{e}")))?,
            None => TerminalModel::default(),
        };
        with_inner(&self.inner, |i| {
            let mode = bridge_mode(
                js_str(&info, "mode").as_deref().unwrap_or(""),
                js_str(&info, "lu_state").as_deref(),
            );
            i.color = model.color;
            // The endpoint's code page, when the bridge names one, wins over the page's
            // setting: it is how the host encodes its text.
            if let Some(cp) = js_str(&info, "code_page").and_then(|n| CodePage::by_name(&n)) {
                i.code_page = cp;
            }
            let config = TerminalConfig {
                model,
                code_page: i.code_page,
                ..TerminalConfig::default()
            };
            i.term = Terminal::for_records(config, mode, js_str(&info, "lu"));
            if let Some(tls) = get_bool(&info, "tls") {
                i.tls = tls;
            }
            if i.link.is_some() {
                i.set_link(LinkState::Connected);
            }
            i.selection = None;
            i.layout();
            i.schedule();
        });
        Ok(())
    }

    /// Record mode: one binary websocket message from the bridge (data type byte + record).
    #[wasm_bindgen(js_name = feedRecord)]
    pub fn feed_record(&self, message: &[u8]) {
        with_inner(&self.inner, |i| {
            if let Some((&ty, body)) = message.split_first() {
                if let Some(data_type) = DataType::from_byte(ty) {
                    i.term.feed_record(data_type, body);
                    i.drain_events();
                    i.schedule();
                }
            }
        });
    }

    /// Record mode: the bridge reported a mode or TN3270E session change (`status` message
    /// with `state: "mode"`).
    #[wasm_bindgen(js_name = setMode)]
    pub fn set_mode(&self, mode: &str, lu_state: Option<String>) {
        with_inner(&self.inner, |i| {
            i.term.set_mode(bridge_mode(mode, lu_state.as_deref()));
            i.drain_events();
            i.schedule();
        });
    }

    /// Record mode: sets the function called with each message for the bridge (a
    /// `Uint8Array` to send as binary, or a string to send as text).
    #[wasm_bindgen(js_name = setOnSend)]
    pub fn set_on_send(&self, f: Function) {
        with_inner(&self.inner, |i| i.on_send = Some(f));
    }

    /// Presses a 3270 key by action name (see docs/KEYBOARD.md: "Enter", "PF3", "Clear"...).
    /// Returns the outcome as text ("Changed", "Sent(Enter)", "Locked(Protected)"...).
    /// Throws when the terminal is read-only.
    pub fn press(&self, action: &str) -> Result<String, JsValue> {
        let key = keymap::parse_action(action)
            .map_err(|e| err(&e.to_string()))?
            .ok_or_else(|| err("\"None\" is not a key"))?;
        let outcome = with_inner(&self.inner, |i| {
            Some(if i.read_only {
                Err(err("the terminal is read-only"))
            } else {
                Ok(i.press(key))
            })
        })
        .ok_or_else(|| err("busy"))??;
        Ok(format!("{outcome:?}"))
    }

    /// Types text at the cursor, key by key (`\n` is Newline, `\t` Tab; stops at the first
    /// key that locks). For clipboard text use [`WebTerminal::paste`]. Nothing when the
    /// terminal is read-only.
    #[wasm_bindgen(js_name = typeText)]
    pub fn type_text(&self, text: &str) {
        with_inner(&self.inner, |i| {
            if i.read_only {
                return;
            }
            i.alarm = false;
            i.term.type_text(text);
            i.schedule();
        });
    }

    /// Field-aware paste of `text` at the cursor (docs/WEB-CLIENT.md, "Paste"): protected
    /// positions are skipped to the next input field, a line break goes to the next row's
    /// first input field, and it stops at the end of the last field without wrapping.
    /// Returns `{typed, consumed, end}` with `end` one of "complete", "end-of-screen",
    /// "locked: X …" (nothing typed), "stopped: X …" / "stopped: …", "too-long".
    pub fn paste(&self, text: &str) -> JsValue {
        with_inner(&self.inner, |i| paste_into(i, text))
    }

    /// Handles a key as the keydown listener does (for tests and custom listeners). Returns
    /// true when the key meant something to the terminal (zoom, copy and paste shortcuts
    /// included).
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
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_code(code);
        init.set_shift_key(shift);
        init.set_ctrl_key(ctrl);
        init.set_alt_key(alt);
        init.set_meta_key(meta);
        match KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init) {
            Ok(ev) => on_keydown(&self.inner, &ev),
            Err(_) => false,
        }
    }

    /// The 3270 action a key would trigger, as text ("Pf(13)", "Char('a')"), or "" for none.
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
    pub fn set_keymap(&self, json: &str) -> Result<(), JsValue> {
        let mut i = self.inner.try_borrow_mut().map_err(|_| err("busy"))?;
        i.keymap.apply_json(json).map_err(|e| err(&e.to_string()))
    }

    /// Switches the theme and repaints.
    #[wasm_bindgen(js_name = setTheme)]
    pub fn set_theme(&self, name: &str) -> Result<(), JsValue> {
        let theme = theme_named(name)?;
        let mut i = self.inner.try_borrow_mut().map_err(|_| err("busy"))?;
        i.theme = theme;
        i.full_repaint = true;
        i.last_oia.clear();
        i.schedule();
        Ok(())
    }

    /// Changes options at run time (any subset): `theme`, `cursor` ("block" |
    /// "underline"), `cursorBlink`, `readOnly`, `crosshair`, `fieldUnderline`, `hotspots`, `lightPen`,
    /// `fontFamily`, `fontSize` (a number fixes the size in CSS px, `null` fits the
    /// container again). Repaints everything.
    #[wasm_bindgen(js_name = setOptions)]
    pub fn set_options(&self, options: JsValue) -> Result<(), JsValue> {
        let r = match self.inner.try_borrow_mut() {
            Ok(mut i) => i.set_options(&options),
            Err(_) => Err(err("busy")),
        };
        emit(&self.inner);
        r
    }

    /// Zooms the font by `steps` (1: ×1.1, -1: ÷1.1; Ctrl+= / Ctrl+- do this), or with 0
    /// returns to the configured size (fitting the container when none). Returns the new
    /// font size in CSS px.
    pub fn zoom(&self, steps: i32) -> f64 {
        with_inner(&self.inner, |i| i.zoom(steps))
    }

    /// Reports the transport state to show in the OIA and the status region, and locks the
    /// keyboard while it is not up. `state`: "connecting", "negotiating", "connected",
    /// "resuming", "reconnecting", "disconnected", "refused". `detail` (optional): a number
    /// (seconds until the reconnect; the OIA counts down), a string (the refusal reason), or
    /// an object `{seconds, code, message, tls}` (the reason reads "CODE: message"; `tls`
    /// shows "TLS" while connected). Emits a `state` event.
    #[wasm_bindgen(js_name = setConnectionState)]
    pub fn set_connection_state(&self, state: &str, detail: JsValue) -> Result<(), JsValue> {
        let seconds = detail
            .as_f64()
            .or_else(|| get(&detail, "seconds").and_then(|v| v.as_f64()))
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map_or(0, |s| s.min(f64::from(u32::MAX)).round() as u32);
        let code = get(&detail, "code").and_then(|v| v.as_string());
        let message = detail
            .as_string()
            .or_else(|| get(&detail, "message").and_then(|v| v.as_string()));
        let reason = match (code, message) {
            (Some(c), Some(m)) => format!("{c}: {m}"),
            (Some(c), None) => c,
            (None, Some(m)) => m,
            (None, None) => String::new(),
        };
        let link = LinkState::parse(state, seconds, &reason)
            .ok_or_else(|| err(&format!("unknown connection state {state:?}")))?;
        let tls = get_bool(&detail, "tls");
        with_inner(&self.inner, |i| {
            if let Some(t) = tls {
                i.tls = t;
            }
            i.set_link(link);
        });
        Ok(())
    }

    /// The transport state last reported ("" when never).
    #[wasm_bindgen(js_name = connectionState)]
    pub fn connection_state(&self) -> String {
        self.inner
            .try_borrow()
            .ok()
            .and_then(|i| i.link.as_ref().map(|l| l.name().to_string()))
            .unwrap_or_default()
    }

    /// The transport is up / gone (same as `setConnectionState("connected" |
    /// "disconnected")`).
    #[wasm_bindgen(js_name = setConnected)]
    pub fn set_connected(&self, up: bool) {
        with_inner(&self.inner, |i| {
            i.set_link(if up {
                LinkState::Connected
            } else {
                LinkState::Disconnected
            })
        });
    }

    /// Registers the listener for an event (one per event; `null` removes it):
    /// `bell` (the host sounded the alarm), `copy` (`{text}`: the selection was put on the
    /// clipboard), `paste` (`{typed, consumed, end}`: the report of a paste, as
    /// [`WebTerminal::paste`] returns it), `screen` (`{rows, text}` after a host write was
    /// painted: the changed rows and what the live region announced), `selection`
    /// (`{top, left, bottom, right}`, 0-based and inclusive, or `null` when it is removed),
    /// `state` (`{state, reason?, seconds?}` after `setConnectionState`). Listeners run
    /// synchronously, after the terminal's state is updated; they may call back into the
    /// terminal (every method takes `&self`, so wasm-bindgen allows the re-entry).
    pub fn on(&self, event: &str, listener: Option<Function>) -> Result<(), JsValue> {
        let name = EVENTS
            .iter()
            .copied()
            .find(|e| *e == event)
            .ok_or_else(|| err(&format!("unknown event {event:?}")))?;
        let mut i = self.inner.try_borrow_mut().map_err(|_| err("busy"))?;
        match listener {
            Some(f) => i.listeners.insert(name, f),
            None => i.listeners.remove(name),
        };
        Ok(())
    }

    /// A click on cell (row, col), as the mouse does it: light pen on a detectable field,
    /// a hotspot, or a cursor move. Returns "LightPen", "Hotspot(PF3)" or "Move"; "" outside
    /// the screen or when the terminal is read-only (the click only clears the selection).
    pub fn click(&self, row: u32, col: u32) -> String {
        with_inner(&self.inner, |i| {
            let (rows, cols) = (i.term.screen().rows(), i.term.screen().cols());
            let (r, c) = (row as usize, col as usize);
            if r >= rows || c >= cols {
                return String::new();
            }
            if i.selection.take().is_some() {
                i.schedule();
            }
            if i.read_only {
                return String::new();
            }
            match i.click(r * cols + c) {
                ClickAction::LightPen(_) => "LightPen".into(),
                ClickAction::Hotspot(Key::Pf(n)) => format!("Hotspot(PF{n})"),
                ClickAction::Hotspot(Key::Pa(n)) => format!("Hotspot(PA{n})"),
                ClickAction::Hotspot(k) => format!("Hotspot({k:?})"),
                ClickAction::Move(_) => "Move".into(),
            }
        })
    }

    /// Selects the rectangle of cells between two corners (inclusive; any order), as a drag
    /// does. Cells outside the screen are clamped.
    pub fn select(&self, row0: u32, col0: u32, row1: u32, col1: u32) {
        with_inner(&self.inner, |i| {
            let (rows, cols) = (i.term.screen().rows(), i.term.screen().cols());
            let clamp = |r: u32, c: u32| {
                (
                    (r as usize).min(rows.saturating_sub(1)),
                    (c as usize).min(cols.saturating_sub(1)),
                )
            };
            i.selection = Some(Rect::spanning(clamp(row0, col0), clamp(row1, col1)));
            i.schedule();
        });
    }

    /// Removes the selection.
    #[wasm_bindgen(js_name = clearSelection)]
    pub fn clear_selection(&self) {
        with_inner(&self.inner, |i| {
            i.selection = None;
            i.schedule();
        });
    }

    /// The selected rectangle's text: rows joined by "\n", trailing blanks of each row
    /// dropped, non-display fields as blanks ("" when nothing is selected). This is what
    /// copy puts on the clipboard.
    #[wasm_bindgen(js_name = selectionText)]
    pub fn selection_text(&self) -> String {
        with_inner(&self.inner, |i| i.selection_text())
    }

    /// What the live region announced last ("" before anything).
    pub fn announcement(&self) -> String {
        self.inner
            .try_borrow()
            .map(|i| i.announcement.clone())
            .unwrap_or_default()
    }

    /// Paints now instead of at the next animation frame.
    #[wasm_bindgen(js_name = renderNow)]
    pub fn render_now(&self) {
        with_inner(&self.inner, |i| {
            if let (Some(id), Ok(w)) = (i.raf_pending.take(), window()) {
                let _ = w.cancel_animation_frame(id);
            }
            i.render();
        });
    }

    /// Makes the next paint a full repaint (for benchmarks and after external canvas
    /// changes).
    pub fn invalidate(&self) {
        with_inner(&self.inner, |i| {
            i.full_repaint = true;
            i.schedule();
        });
    }

    /// Refits the font to the container (call after the container changes size; a
    /// ResizeObserver does it too).
    pub fn fit(&self) {
        with_inner(&self.inner, |i| {
            i.layout();
            i.schedule();
        });
    }

    /// Shows the demo screen (a simulated host session; no network).
    #[wasm_bindgen(js_name = loadDemo)]
    pub fn load_demo(&self) {
        let bytes = match self.inner.try_borrow() {
            Ok(i) => demo::host_bytes(i.term.screen().default_size(), i.code_page),
            Err(_) => return,
        };
        self.feed(&bytes);
        let _ = self.take_output();
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

    /// The fields on the screen, in buffer order: `[{row, col, length, protected, numeric,
    /// hidden, intensified, modified, text}]` (row/col of the first data cell, 0-based;
    /// `text` as the screen shows it, so a hidden field's is blank; a field may wrap past the
    /// last cell to the first).
    #[wasm_bindgen(js_name = fields)]
    pub fn fields(&self) -> js_sys::Array {
        let out = js_sys::Array::new();
        let Ok(i) = self.inner.try_borrow() else {
            return out;
        };
        let screen = i.term.screen();
        let f = Frame::new(screen, &i.options());
        let cells: Vec<char> = (0..f.rows())
            .flat_map(|r| f.row_text(r).chars().collect::<Vec<_>>())
            .collect();
        let n = cells.len().max(1);
        for field in screen.field_infos() {
            let start = field.row * f.cols() + field.col;
            let text: String = (0..field.len)
                .map(|k| cells.get((start + k) % n).copied().unwrap_or(' '))
                .collect();
            let o = js_sys::Object::new();
            let set = |k: &str, v: JsValue| {
                let _ = Reflect::set(&o, &k.into(), &v);
            };
            set("row", (field.row as u32).into());
            set("col", (field.col as u32).into());
            set("length", (field.len as u32).into());
            set("protected", field.protected.into());
            set("numeric", field.numeric.into());
            set("hidden", (!field.display).into());
            set("intensified", field.intensified.into());
            set("modified", field.mdt.into());
            set("text", text.into());
            out.push(&o);
        }
        out
    }

    /// The OIA line.
    #[wasm_bindgen(js_name = oiaText)]
    pub fn oia_text(&self) -> String {
        let Ok(i) = self.inner.try_borrow() else {
            return String::new();
        };
        i.oia().line(i.term.screen().cols())
    }

    /// The OIA as a sentence (what the status region says).
    #[wasm_bindgen(js_name = statusText)]
    pub fn status_text(&self) -> String {
        self.inner
            .try_borrow()
            .map(|i| i.oia().describe())
            .unwrap_or_default()
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

    /// The font size in use, CSS px.
    #[wasm_bindgen(js_name = fontSize)]
    pub fn font_size(&self) -> f64 {
        self.inner
            .try_borrow()
            .ok()
            .and_then(|i| i.geometry.map(|g| g.font_px / g.dpr))
            .unwrap_or(0.0)
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

impl WebTerminal {
    /// Adds a DOM listener that is removed on drop.
    fn listen(
        &mut self,
        target: &web_sys::EventTarget,
        name: &'static str,
        f: impl FnMut(JsValue) + 'static,
    ) {
        let cb = Closure::<dyn FnMut(JsValue)>::new(f);
        let func: Function = cb.as_ref().unchecked_ref::<Function>().clone();
        if target.add_event_listener_with_callback(name, &func).is_ok() {
            self.listeners.push((target.clone(), name, func));
        }
        self._closures.push(cb);
    }

    /// Keyboard, mouse and clipboard listeners.
    fn listen_input(&mut self, canvas: &HtmlCanvasElement, doc: &Document) {
        let r = self.inner.clone();
        self.listen(canvas, "keydown", move |ev: JsValue| {
            if let Ok(ev) = ev.dyn_into::<KeyboardEvent>() {
                if on_keydown(&r, &ev) {
                    ev.prevent_default();
                }
            }
        });
        let r = self.inner.clone();
        self.listen(canvas, "mousedown", move |ev: JsValue| {
            let Ok(ev) = ev.dyn_into::<MouseEvent>() else {
                return;
            };
            if ev.button() != 0 {
                return;
            }
            with_inner(&r, |i| {
                let (x, y) = i.event_point(&ev);
                // Focus without scrolling: the point was measured where the canvas is now.
                let opts = web_sys::FocusOptions::new();
                opts.set_prevent_scroll(true);
                let _ = i.canvas.focus_with_options(&opts);
                if let Some(g) = i.geometry {
                    if g.grid().cell_at(x, y).is_some() {
                        i.drag = Some((g.grid().cell_clamped(x, y), false));
                    }
                }
                if i.selection.take().is_some() {
                    i.schedule();
                }
            });
            ev.prevent_default();
        });
        let r = self.inner.clone();
        self.listen(canvas, "mousemove", move |ev: JsValue| {
            let Ok(ev) = ev.dyn_into::<MouseEvent>() else {
                return;
            };
            with_inner(&r, |i| {
                let (Some((anchor, _)), Some(g)) = (i.drag, i.geometry) else {
                    return;
                };
                if ev.buttons() & 1 == 0 {
                    i.drag = None;
                    return;
                }
                let (x, y) = i.event_point(&ev);
                let head = g.grid().cell_clamped(x, y);
                let moved = i.drag.is_some_and(|(_, m)| m) || head != anchor;
                if moved {
                    i.drag = Some((anchor, true));
                    let rect = Rect::spanning(anchor, head);
                    if i.selection != Some(rect) {
                        i.selection = Some(rect);
                        i.schedule();
                    }
                }
            });
        });
        let r = self.inner.clone();
        self.listen(canvas, "mouseup", move |ev: JsValue| {
            let Ok(ev) = ev.dyn_into::<MouseEvent>() else {
                return;
            };
            with_inner(&r, |i| {
                let (Some((anchor, dragged)), Some(g)) = (i.drag.take(), i.geometry) else {
                    return;
                };
                if !dragged && !i.read_only {
                    let (x, y) = i.event_point(&ev);
                    if g.grid().cell_at(x, y) == Some(anchor) {
                        i.click(anchor.0 * g.cols + anchor.1);
                    }
                }
            });
        });
        // Copy and paste arrive at the document; they are ours when the canvas has focus.
        let r = self.inner.clone();
        self.listen(doc, "copy", move |ev: JsValue| {
            let Ok(ev) = ev.dyn_into::<ClipboardEvent>() else {
                return;
            };
            let text = match r.try_borrow_mut() {
                Ok(mut i) if focused(&i) && i.selection.is_some() => i.selection_text(),
                _ => return,
            };
            if let Some(dt) = ev.clipboard_data() {
                if dt.set_data("text/plain", &text).is_ok() {
                    ev.prevent_default();
                    if let Ok(mut i) = r.try_borrow_mut() {
                        let detail = Object::new();
                        let _ = Reflect::set(&detail, &"text".into(), &text.as_str().into());
                        i.pending.push(("copy", detail.into()));
                    }
                    emit(&r);
                }
            }
        });
        let r = self.inner.clone();
        self.listen(doc, "paste", move |ev: JsValue| {
            let Ok(ev) = ev.dyn_into::<ClipboardEvent>() else {
                return;
            };
            let ours = r.try_borrow().is_ok_and(|i| focused(&i) && !i.read_only);
            let text = ev
                .clipboard_data()
                .and_then(|dt| dt.get_data("text/plain").ok());
            if let (true, Some(text)) = (ours, text) {
                ev.prevent_default();
                with_inner(&r, |i| paste_into(i, &text));
            }
        });
    }
}

impl Drop for WebTerminal {
    fn drop(&mut self) {
        let Ok(w) = window() else { return };
        if let Some((id, _)) = &self.blink {
            w.clear_interval_with_handle(*id);
        }
        for (target, name, f) in &self.listeners {
            let _ = target.remove_event_listener_with_callback(name, f);
        }
        if let Some(ro) = &self.resize_observer {
            ro.disconnect();
        }
        if let Ok(mut i) = self.inner.try_borrow_mut() {
            if let Some(id) = i.raf_pending.take() {
                let _ = w.cancel_animation_frame(id);
            }
            i.raf_fn = None;
            i.listeners.clear();
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
