//! The demo's screens, each one function of builder calls: logon, main menu, colour and
//! highlighting showcase, order form, help, goodbye, and the screen-size pages; plus the
//! message-line Write used for short answers (PA1, undefined keys).
//!
//! Layout of the application screens (always the 24×80 default size, Erase/Write), in the
//! style of ISPF and CICS panels:
//!
//! ```text
//! row 0   DEMO0n            centred title                              web3270
//! row 1   ---------------------------------------------------------------------
//! rows 2–21 the panel
//! row 22  message line (red + alarm for errors, green for success, white for info)
//! row 23  PF key legend
//! ```
//!
//! The size pages are unformatted (no field attributes) so that their border and ruler fill
//! every cell of the screen: Erase/Write Alternate for the alternate size, Erase/Write for
//! the default 24×80. Colours go with Start Field Extended and Set Attribute only when the
//! terminal announced the extended data stream (an `-E` or IBM-DYNAMIC terminal type);
//! otherwise the same screens use plain Start Field with intensity.
//!
//! Spec: GA23-0059 §3.4 (Erase/Write, Erase/Write Alternate, Write, WCC), §4.3 (SF, SFE, SBA,
//! SA, IC orders), §4.4 (extended attributes: colour X'42', highlighting X'41', field
//! validation X'C1', field outlining X'C2').
//!
//! Does not own: deciding which screen to show (the app's state machine in `app`), telnet
//! framing (the session).

use tn3270::builder::{Command, ScreenBuilder, Wcc};
use tn3270::codepage::CP037;
use tn3270::screen::attributes::{
    color, highlight, outlining, validation, xa, FieldAttribute, FA_INT_HIGH_SEL, FA_INT_ZERO_NSEL,
    FA_MODIFY, FA_NUMERIC, FA_PROTECTED,
};
use tn3270::screen::ScreenSize;

use super::app::{FormField, FormState, LogonError, LogonState, Message, MessageKind};
use super::TerminalInfo;

/// The size of every application screen (the default size, Erase/Write).
pub const APP_SIZE: ScreenSize = ScreenSize::MODEL_2;
/// Columns of an application screen.
const COLS: usize = 80;
/// The message line of an application screen.
pub const MSG_ROW: usize = 22;
/// The PF key legend row of an application screen.
pub const PF_ROW: usize = 23;
/// Longest text of the message line (the attribute takes column 0).
const MSG_WIDTH: usize = COLS - 1;

/// How a piece of text looks: foreground colour and highlighting (extended data stream), and
/// intensity (every terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    fg: u8,
    hl: u8,
    bright: bool,
}

const fn style(fg: u8, hl: u8, bright: bool) -> Style {
    Style { fg, hl, bright }
}

/// Screen title.
const TITLE: Style = style(color::NEUTRAL_WHITE, highlight::DEFAULT, true);
/// Screen code (DEMO0n) and the rule under the title.
const CHROME: Style = style(color::BLUE, highlight::DEFAULT, false);
/// The "web3270" tag in the title row.
const TAG: Style = style(color::TURQUOISE, highlight::DEFAULT, false);
/// Field labels.
const LABEL: Style = style(color::TURQUOISE, highlight::DEFAULT, false);
/// Body text.
const TEXT: Style = style(color::GREEN, highlight::DEFAULT, false);
/// Hints next to inputs.
const HINT: Style = style(color::BLUE, highlight::DEFAULT, false);
/// Emphasis: headings, option numbers, values.
const EMPH: Style = style(color::NEUTRAL_WHITE, highlight::DEFAULT, true);
/// Input fields.
const INPUT: Style = style(color::NEUTRAL_WHITE, highlight::UNDERSCORE, false);
/// An input field that failed validation.
const INPUT_ERROR: Style = style(color::RED, highlight::REVERSE, true);
/// The PF key legend.
const PFKEYS: Style = style(color::BLUE, highlight::DEFAULT, false);
/// The web3270 banner, first word and second word.
const BANNER_WEB: Style = style(color::TURQUOISE, highlight::REVERSE, false);
const BANNER_3270: Style = style(color::YELLOW, highlight::REVERSE, false);

impl MessageKind {
    fn style(self) -> Style {
        match self {
            MessageKind::Info => style(color::NEUTRAL_WHITE, highlight::DEFAULT, false),
            MessageKind::Success => style(color::GREEN, highlight::DEFAULT, true),
            MessageKind::Warning => style(color::YELLOW, highlight::DEFAULT, true),
            MessageKind::Error => style(color::RED, highlight::DEFAULT, true),
        }
    }
}

/// One unprotected field of an application screen: its attribute at (row, col), `len` data
/// positions after it, and an autoskip attribute closing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputSpec {
    /// Row of the attribute.
    pub row: usize,
    /// Column of the attribute (data starts one to the right).
    pub col: usize,
    /// Data positions.
    pub len: usize,
    /// Numeric field attribute.
    pub numeric: bool,
    /// Non-display (passwords).
    pub hidden: bool,
    /// Field validation bits (mandatory entry/fill), 0 for none.
    pub validation: u8,
}

impl InputSpec {
    const fn new(row: usize, col: usize, len: usize) -> InputSpec {
        InputSpec {
            row,
            col,
            len,
            numeric: false,
            hidden: false,
            validation: 0,
        }
    }
    const fn numeric(mut self) -> InputSpec {
        self.numeric = true;
        self
    }
    const fn hidden(mut self) -> InputSpec {
        self.hidden = true;
        self
    }
    const fn validation(mut self, v: u8) -> InputSpec {
        self.validation = v;
        self
    }
    /// Buffer address of the first data position (where the inbound SBA points).
    pub fn data_addr(&self) -> usize {
        self.row * COLS + self.col + 1
    }
}

/// Logon: userid.
pub const LOGON_USERID: InputSpec = InputSpec::new(9, 21, 8);
/// Logon: password (non-display).
pub const LOGON_PASSWORD: InputSpec = InputSpec::new(10, 21, 8).hidden();
/// Logon: department (numeric).
pub const LOGON_DEPT: InputSpec = InputSpec::new(11, 21, 4).numeric();
/// Menu: the option field.
pub const MENU_OPTION: InputSpec = InputSpec::new(2, 13, 2);
/// Form: customer name (mandatory entry).
pub const FORM_NAME: InputSpec = InputSpec::new(4, 24, 30).validation(validation::MANDATORY_ENTRY);
/// Form: account number (numeric, mandatory fill).
pub const FORM_ACCOUNT: InputSpec = InputSpec::new(6, 24, 8)
    .numeric()
    .validation(validation::MANDATORY_FILL);
/// Form: quantity (numeric).
pub const FORM_QUANTITY: InputSpec = InputSpec::new(8, 24, 5).numeric();
/// Form: unit price (numeric: digits and a decimal point).
pub const FORM_PRICE: InputSpec = InputSpec::new(10, 24, 9).numeric();
/// Form: free-text reference.
pub const FORM_REFERENCE: InputSpec = InputSpec::new(12, 24, 20);

impl FormField {
    /// Where the field is on the form screen.
    pub(crate) fn spec(self) -> InputSpec {
        match self {
            FormField::Name => FORM_NAME,
            FormField::Account => FORM_ACCOUNT,
            FormField::Quantity => FORM_QUANTITY,
            FormField::Price => FORM_PRICE,
            FormField::Reference => FORM_REFERENCE,
        }
    }
}

/// Composes a record order by order, with the terminal's capabilities in mind: SFE/SA only
/// for an extended-data-stream terminal, field outlining only when the terminal's Query Reply
/// listed it.
struct Painter<'a> {
    b: ScreenBuilder,
    term: &'a TerminalInfo,
}

impl<'a> Painter<'a> {
    fn new(command: Command, wcc: Wcc, size: ScreenSize, term: &'a TerminalInfo) -> Painter<'a> {
        Painter {
            b: ScreenBuilder::new(command, wcc, size),
            term,
        }
    }

    /// A field attribute at (row, col) with this look and extra extended attributes.
    fn attr(mut self, row: usize, col: usize, bits: u8, look: Style, extra: &[(u8, u8)]) -> Self {
        let bits = bits
            | if look.bright && bits & FA_INT_ZERO_NSEL == 0 {
                FA_INT_HIGH_SEL
            } else {
                0
            };
        self.b = self.b.at(row, col);
        self.b = if self.term.extended {
            let mut pairs = Vec::with_capacity(2 + extra.len());
            if look.fg != color::DEFAULT {
                pairs.push((xa::FOREGROUND, look.fg));
            }
            if look.hl != highlight::DEFAULT {
                pairs.push((xa::HIGHLIGHTING, look.hl));
            }
            pairs.extend_from_slice(extra);
            self.b.field_ext(FieldAttribute(bits), &pairs)
        } else {
            self.b.field(FieldAttribute(bits))
        };
        self
    }

    /// Protected text: its attribute at (row, col), the text from col + 1.
    fn text(self, row: usize, col: usize, text: &str, look: Style) -> Self {
        self.attr(row, col, FA_PROTECTED, look, &[]).chars(text)
    }

    /// Characters at the current address.
    fn chars(mut self, text: &str) -> Self {
        self.b = self.b.text(text, &CP037);
        self
    }

    /// Characters with their own colour and highlighting (Set Attribute), back to the field's
    /// look after them. Plain characters on a terminal without the extended data stream.
    fn run(mut self, row: usize, col: usize, text: &str, fg: u8, hl: u8) -> Self {
        self.b = self.b.at(row, col);
        if self.term.extended {
            self.b = self
                .b
                .set_attr(xa::FOREGROUND, fg)
                .set_attr(xa::HIGHLIGHTING, hl)
                .text(text, &CP037)
                .set_attr(xa::ALL, 0);
        } else {
            self.b = self.b.text(text, &CP037);
        }
        self
    }

    /// An input field with its contents (never for a hidden field) and its closing attribute.
    /// A field with contents has its MDT set, so the value comes back with the next AID.
    fn input(self, spec: InputSpec, look: Style, value: &str) -> Self {
        let value = if spec.hidden { "" } else { value };
        let bits = if spec.hidden { FA_INT_ZERO_NSEL } else { 0 }
            | if spec.numeric { FA_NUMERIC } else { 0 }
            | if value.is_empty() { 0 } else { FA_MODIFY };
        let mut extra = Vec::new();
        // Sent to every extended terminal: one that does not support field validation
        // ignores the pair (x3270 does), and the host checks the values anyway.
        if self.term.extended && spec.validation != 0 {
            extra.push((xa::VALIDATION, spec.validation));
        }
        let shown: String = value.chars().take(spec.len).collect();
        let mut p = self
            .attr(spec.row, spec.col, bits, look, &extra)
            .chars(&shown);
        p.b =
            p.b.at(spec.row, spec.col + 1 + spec.len)
                .field(FieldAttribute(FA_PROTECTED | FA_NUMERIC));
        p
    }

    /// The cursor at (row, col).
    fn cursor(mut self, row: usize, col: usize) -> Self {
        self.b = self.b.at(row, col).insert_cursor();
        self
    }

    /// The cursor on the first data position of an input.
    fn cursor_on(self, spec: InputSpec) -> Self {
        self.cursor(spec.row, spec.col + 1)
    }

    fn build(self) -> Vec<u8> {
        self.b.build()
    }
}

/// The Write Control Character of a full screen: reset, keyboard restore, alarm with an error.
fn screen_wcc(msg: Option<&Message>) -> Wcc {
    let wcc = Wcc::NONE.reset().restore_keyboard();
    match msg {
        Some(m) if m.kind == MessageKind::Error => wcc.alarm(),
        _ => wcc,
    }
}

/// An application screen's frame: title row, rule, message line and PF key legend.
fn frame<'a>(
    term: &'a TerminalInfo,
    code: &str,
    title: &str,
    keys: &str,
    msg: Option<&Message>,
) -> Painter<'a> {
    let title_col = (COLS.saturating_sub(title.chars().count())) / 2;
    let (text, look) = match msg {
        Some(m) => (m.text.as_str(), m.kind.style()),
        None => ("", MessageKind::Info.style()),
    };
    Painter::new(Command::EraseWrite, screen_wcc(msg), APP_SIZE, term)
        .text(0, 0, code, CHROME)
        .text(0, title_col.saturating_sub(1), title, TITLE)
        .text(0, COLS - 9, "web3270", TAG)
        .text(1, 0, &"-".repeat(COLS - 1), CHROME)
        .text(MSG_ROW, 0, &fit(text, MSG_WIDTH), look)
        .text(PF_ROW, 0, keys, PFKEYS)
}

/// `text` cut or padded with blanks to exactly `width` characters.
fn fit(text: &str, width: usize) -> String {
    format!("{:<width$.width$}", text)
}

/// The 5-row block font of the logon banner: `#` is a lit pixel.
const BANNER_GLYPHS: [(char, [&str; 5]); 7] = [
    ('W', ["#...#", "#...#", "#.#.#", "##.##", "#...#"]),
    ('E', ["#####", "#....", "####.", "#....", "#####"]),
    ('B', ["####.", "#...#", "####.", "#...#", "####."]),
    ('3', ["####.", "....#", ".###.", "....#", "####."]),
    ('2', [".###.", "#...#", "..##.", ".#...", "#####"]),
    ('7', ["#####", "...#.", "..#..", ".#...", ".#..."]),
    ('0', [".###.", "#..##", "#.#.#", "##..#", ".###."]),
];
/// Columns per banner pixel (cells are about twice as tall as wide).
const BANNER_PIXEL_COLS: usize = 2;
/// Blank columns between banner letters.
const BANNER_GAP: usize = 1;
/// First banner row on the logon screen.
const BANNER_ROW: usize = 2;
/// How many banner letters belong to the first word ("WEB").
const BANNER_FIRST_WORD: usize = 3;

/// The banner: each lit pixel is two reverse-video blanks (solid blocks) on an extended
/// terminal, `##` on a basic one.
fn banner(mut p: Painter<'_>) -> Painter<'_> {
    let glyph_cols = 5 * BANNER_PIXEL_COLS;
    let width = BANNER_GLYPHS.len() * (glyph_cols + BANNER_GAP) - BANNER_GAP;
    let left = (COLS - width) / 2;
    for line in 0..5 {
        let row = BANNER_ROW + line;
        p = p.text(row, 0, "", TEXT);
        for (i, (_, rows)) in BANNER_GLYPHS.iter().enumerate() {
            let look = if i < BANNER_FIRST_WORD {
                BANNER_WEB
            } else {
                BANNER_3270
            };
            let pixels = rows.get(line).copied().unwrap_or_default();
            let mut col = left + i * (glyph_cols + BANNER_GAP);
            // Runs of lit pixels become one Set Attribute run.
            for (lit, run) in runs(pixels) {
                let cols = run * BANNER_PIXEL_COLS;
                if lit {
                    p = if p.term.extended {
                        p.run(row, col, &" ".repeat(cols), look.fg, look.hl)
                    } else {
                        p.run(row, col, &"#".repeat(cols), 0, 0)
                    };
                }
                col += cols;
            }
        }
    }
    p
}

/// Runs of equal pixels: (lit, length).
fn runs(pixels: &str) -> Vec<(bool, usize)> {
    let mut out: Vec<(bool, usize)> = Vec::new();
    for lit in pixels.chars().map(|c| c == '#') {
        match out.last_mut() {
            Some((l, n)) if *l == lit => *n += 1,
            _ => out.push((lit, 1)),
        }
    }
    out
}

/// One line describing the session, for the logon screen.
fn session_line(term: &TerminalInfo) -> String {
    format!(
        "{}  {}  LU {}  {}x{} / {}x{}",
        term.terminal_type,
        term.protocol.short_name(),
        term.lu.as_deref().unwrap_or("-"),
        term.default_size.rows,
        term.default_size.cols,
        term.alternate_size.rows,
        term.alternate_size.cols,
    )
}

/// (a) Logon: banner, userid, password (non-display), department (numeric).
pub fn logon(term: &TerminalInfo, state: &LogonState, msg: Option<&Message>) -> Vec<u8> {
    let p = frame(
        term,
        "DEMO00",
        "Logon",
        " Enter=Logon  PF1=Help  PF3=Exit  PF12=Cancel  PA1=Attention  Clear=Redraw",
        msg,
    );
    let subtitle = "A 3270 terminal for the web browser  -  demo host";
    let p = banner(p)
        .text(7, (COLS - subtitle.len()) / 2 - 1, subtitle, TAG)
        .text(LOGON_USERID.row, 4, "Userid     ===>", LABEL)
        .input(
            LOGON_USERID,
            input_look(state.error, LogonError::Userid),
            &state.userid,
        )
        .text(LOGON_USERID.row, 32, "any name", HINT)
        .text(LOGON_PASSWORD.row, 4, "Password   ===>", LABEL)
        .input(
            LOGON_PASSWORD,
            input_look(state.error, LogonError::Password),
            "",
        )
        .text(LOGON_PASSWORD.row, 32, "DEMO", HINT)
        .text(LOGON_DEPT.row, 4, "Department ===>", LABEL)
        .input(
            LOGON_DEPT,
            input_look(state.error, LogonError::Dept),
            &state.dept,
        )
        .text(LOGON_DEPT.row, 32, "optional, digits only", HINT)
        .text(14, 4, "Any userid will do; the password is DEMO.", EMPH)
        .text(
            15,
            4,
            "Tab moves between fields, Enter logs on, PF3 ends the session.",
            TEXT,
        )
        .text(19, 4, "Session:", LABEL)
        .text(19, 13, &session_line(term), HINT);
    // The cursor goes to the input that failed, else the first empty one.
    let at = match state.error {
        Some(LogonError::Userid) => LOGON_USERID,
        Some(LogonError::Password) => LOGON_PASSWORD,
        Some(LogonError::Dept) => LOGON_DEPT,
        None if state.userid.is_empty() => LOGON_USERID,
        None => LOGON_PASSWORD,
    };
    p.cursor_on(at).build()
}

fn input_look<T: PartialEq>(error: Option<T>, this: T) -> Style {
    if error == Some(this) {
        INPUT_ERROR
    } else {
        INPUT
    }
}

/// The menu's options: key, name, description.
pub const MENU_OPTIONS: [(&str, &str, &str); 5] = [
    ("1", "Colours", "Colour and highlighting showcase"),
    ("2", "Form", "Data entry with field validation"),
    ("3", "Sizes", "A page that fills your screen exactly"),
    ("4", "Help", "Keys and screens of this demo"),
    ("5", "Logoff", "End the session (X does too)"),
];

/// (b) Main menu: options 1–5, the option field, and what the host knows of the session.
pub fn menu(term: &TerminalInfo, userid: &str, option: &str, msg: Option<&Message>) -> Vec<u8> {
    let mut p = frame(
        term,
        "DEMO01",
        "Main menu",
        " Enter=Select  PF1=Help  PF3=Logoff  PF12=Cancel  PA1=Attention  Clear=Redraw",
        msg,
    )
    .text(MENU_OPTION.row, 1, "Option ===>", LABEL)
    .input(MENU_OPTION, INPUT, option)
    .text(MENU_OPTION.row, 58, "Userid:", LABEL)
    .text(MENU_OPTION.row, 66, userid, EMPH);
    for (i, (key, name, what)) in MENU_OPTIONS.iter().enumerate() {
        let row = 4 + i;
        p = p
            .text(row, 3, key, EMPH)
            .text(row, 6, name, LABEL)
            .text(row, 17, what, TEXT);
    }
    let alt = term.alternate_size;
    let facts = [
        ("Terminal type", term.terminal_type.clone()),
        ("Protocol", term.protocol.describe()),
        ("LU name", term.lu.clone().unwrap_or_else(|| "-".into())),
        (
            "Default size",
            format!(
                "{} x {} (Erase/Write)",
                term.default_size.rows, term.default_size.cols
            ),
        ),
        (
            "Alternate size",
            format!(
                "{} x {} (Erase/Write Alternate{})",
                alt.rows,
                alt.cols,
                if term.queried {
                    ", from the Query Reply"
                } else {
                    ""
                }
            ),
        ),
        ("Data stream", describe_data_stream(term)),
        (
            "Field validation",
            if term.validation {
                "announced by your terminal; the host checks too".into()
            } else {
                "not announced; the host checks".into()
            },
        ),
    ];
    p = p.text(11, 1, "Your session", EMPH);
    for (i, (label, value)) in facts.iter().enumerate() {
        let row = 12 + i;
        p = p
            .text(row, 3, &dotted(label, 18), LABEL)
            .text(row, 23, value, TEXT);
    }
    p.cursor_on(MENU_OPTION).build()
}

fn describe_data_stream(term: &TerminalInfo) -> String {
    match (term.extended, term.color) {
        (false, _) => "basic 3270 (no extended attributes)".into(),
        (true, true) => "extended, 16 colours, highlighting".into(),
        (true, false) => "extended, monochrome, highlighting".into(),
    }
}

/// "Label . . . :" exactly `width` wide, ISPF-style: leader dots on odd columns so that
/// the dots of labels above each other line up.
fn dotted(label: &str, width: usize) -> String {
    let len = label.chars().count();
    let mut s: String = label.chars().take(width.saturating_sub(2)).collect();
    for p in len..width.saturating_sub(2) {
        s.push(if p > len && p % 2 == 1 { '.' } else { ' ' });
    }
    s.push_str(" :");
    s
}

/// Colour names, in the order shown: the seven base colours, then the rest of the 3279's
/// sixteen.
pub const BASE_COLOURS: [(&str, u8); 7] = [
    ("Blue", color::BLUE),
    ("Red", color::RED),
    ("Pink", color::PINK),
    ("Green", color::GREEN),
    ("Turquoise", color::TURQUOISE),
    ("Yellow", color::YELLOW),
    ("White", color::NEUTRAL_WHITE),
];
/// The other nine of the sixteen.
pub const EXTENDED_COLOURS: [(&str, u8); 9] = [
    ("Black (N)", color::NEUTRAL_BLACK),
    ("Black", color::BLACK),
    ("Deep blue", color::DEEP_BLUE),
    ("Orange", color::ORANGE),
    ("Purple", color::PURPLE),
    ("Pale green", color::PALE_GREEN),
    ("Pale turq.", color::PALE_TURQUOISE),
    ("Grey", color::GREY),
    ("White (B)", color::WHITE),
];
/// The highlight columns: heading and value.
pub const HIGHLIGHTS: [(&str, u8); 5] = [
    ("Normal", highlight::NORMAL),
    ("Reverse", highlight::REVERSE),
    ("Underscore", highlight::UNDERSCORE),
    ("Blink", highlight::BLINK),
    ("Intensify", highlight::INTENSIFY),
];
/// First column of the showcase samples, and the width of each.
const SAMPLE_COL: usize = 14;
const SAMPLE_WIDTH: usize = 13;

/// (c) Colours: every colour × every highlight (extended terminals), field intensities and
/// field outlining.
pub fn colours(term: &TerminalInfo, msg: Option<&Message>) -> Vec<u8> {
    let mut p = frame(
        term,
        "DEMO02",
        "Colours and highlighting",
        " PF1=Help  PF3=Back  PF12=Cancel  PA1=Attention  Clear=Redraw",
        msg,
    );
    if term.extended {
        p = p.text(2, 0, "Colour", EMPH);
        for (i, (name, _)) in HIGHLIGHTS.iter().enumerate() {
            p = p.text(2, SAMPLE_COL + i * SAMPLE_WIDTH, name, EMPH);
        }
        let rows = BASE_COLOURS
            .iter()
            .enumerate()
            .map(|(i, c)| (3 + i, c))
            .chain(
                EXTENDED_COLOURS
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (11 + i, c)),
            );
        for (row, (name, fg)) in rows {
            p = p.text(row, 0, name, LABEL);
            for (i, (_, hl)) in HIGHLIGHTS.iter().enumerate() {
                let sample = fit(&format!(" {name}"), SAMPLE_WIDTH - 2);
                p = p.run(row, SAMPLE_COL + i * SAMPLE_WIDTH, &sample, *fg, *hl);
            }
        }
        p = p.text(10, 0, "The 3279's extended palette", EMPH);
    } else {
        p = p
            .text(
                3,
                1,
                "Your terminal did not announce the 3270 extended data stream",
                TEXT,
            )
            .text(
                4,
                1,
                "(its terminal type has no -E), so it shows no colours or extended",
                TEXT,
            )
            .text(
                5,
                1,
                "highlighting. Connect as IBM-3278-2-E or IBM-3279-2-E to see them.",
                TEXT,
            );
    }
    p = p
        .text(20, 0, "Fields", EMPH)
        .text(
            20,
            SAMPLE_COL,
            "Normal intensity",
            style(color::DEFAULT, 0, false),
        )
        .text(
            20,
            SAMPLE_COL + 2 * SAMPLE_WIDTH,
            "High intensity",
            style(color::DEFAULT, 0, true),
        );
    p = if term.outlining {
        p.attr(
            20,
            SAMPLE_COL + 4 * SAMPLE_WIDTH,
            FA_PROTECTED,
            EMPH,
            &[(
                xa::OUTLINING,
                outlining::UNDER | outlining::RIGHT | outlining::OVER | outlining::LEFT,
            )],
        )
        .chars("Outlined")
    } else {
        p.text(20, SAMPLE_COL + 4 * SAMPLE_WIDTH, "no outlining", HINT)
    };
    // Close the last sample field before the message line.
    p = p.text(21, 0, "", TEXT);
    p.cursor(PF_ROW, 1).build()
}

/// The form's inputs in screen order, with their labels and hints.
pub const FORM_LAYOUT: [(FormField, &str, &str); 5] = [
    (FormField::Name, "Customer name  *", "mandatory entry"),
    (FormField::Account, "Account number *", "exactly 8 digits"),
    (FormField::Quantity, "Quantity       *", "1 to 99999"),
    (FormField::Price, "Unit price     *", "e.g. 12.50"),
    (FormField::Reference, "Reference", "optional, any text"),
];
/// Width of the right-justified amount column of the order summary.
pub const AMOUNT_WIDTH: usize = 12;

/// (d) Order form: mandatory entry and fill, numeric fields, a summary with right-justified
/// amounts once the order passes the checks.
pub fn form(term: &TerminalInfo, state: &FormState, msg: Option<&Message>) -> Vec<u8> {
    let mut p = frame(
        term,
        "DEMO03",
        "Order entry",
        " Enter=Check  PF1=Help  PF3=Back  PF12/PA2=Cancel  PA1=Attention  Clear=Redraw",
        msg,
    )
    .text(
        2,
        1,
        "Fields marked * are required. Enter checks the order; PF12 or PA2 cancels it.",
        HINT,
    );
    for (field, label, hint) in FORM_LAYOUT {
        let spec = field.spec();
        p = p
            .text(spec.row, 1, &format!("{label:<17}===>"), LABEL)
            .input(spec, input_look(state.error, field), state.value(field))
            .text(spec.row, spec.col + spec.len + 3, hint, HINT);
    }
    if let Some(order) = &state.accepted {
        let lines = [
            ("Customer", order.customer.clone()),
            ("Account", order.account.clone()),
            ("Quantity", format!("{:>AMOUNT_WIDTH$}", order.quantity)),
            (
                "Unit price",
                format!("{:>AMOUNT_WIDTH$}", money(order.price_cents)),
            ),
            (
                "Total",
                format!("{:>AMOUNT_WIDTH$}", money(order.total_cents)),
            ),
        ];
        p = p.text(14, 1, "Order summary", EMPH);
        for (i, (label, value)) in lines.iter().enumerate() {
            p = p
                .text(15 + i, 3, &dotted(label, 14), LABEL)
                .text(15 + i, 18, value, EMPH);
        }
    }
    if term.extended {
        p = p.text(
            20,
            1,
            "Mandatory entry: until a name is typed, Enter and PF keys are refused.",
            HINT,
        );
    }
    let at = state.error.unwrap_or(FormField::Name).spec();
    p.cursor_on(at).build()
}

/// Cents as `1234.50`.
pub fn money(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Help text lines.
const HELP_LINES: [&str; 17] = [
    "Keys",
    "  Enter   process the screen: log on, select an option, check the form",
    "  PF1     this help                   PF3    back one level (logon: end)",
    "  PF12    cancel, back one level       Clear  redraw the current screen",
    "  PA1     attention: a short message   other PF and PA keys: not defined",
    "",
    "Screens",
    "  Logon    any userid, the password DEMO, an optional numeric department",
    "  Menu     options 1 to 5; X logs off too",
    "  Colours  16 colours x 5 highlights of the 3279 extended data stream",
    "  Form     mandatory entry and fill, numeric fields, right-justified totals",
    "  Sizes    a page that fills the alternate size exactly, with a border and",
    "           a ruler; Enter switches to the 24 x 80 default size and back",
    "",
    "Connect any TN3270 emulator, e.g. x3270 or s3270 with -model 2 to 5 or",
    "-oversize COLSxROWS (IBM-DYNAMIC), TN3270E or plain TN3270, or open the",
    "web3270 browser terminal.",
];

/// (f) Help: keys and screens.
pub fn help(term: &TerminalInfo, msg: Option<&Message>) -> Vec<u8> {
    let mut p = frame(
        term,
        "DEMO04",
        "Help",
        " Enter=Return  PF3=Return  PF12=Cancel  PA1=Attention  Clear=Redraw",
        msg,
    );
    for (i, line) in HELP_LINES.iter().enumerate() {
        let look = if line.starts_with(' ') || line.is_empty() {
            TEXT
        } else {
            EMPH
        };
        p = p.text(3 + i, 1, line, look);
    }
    p.cursor(PF_ROW, 1).build()
}

/// The last screen before the host closes the connection; the keyboard stays locked.
pub fn goodbye(term: &TerminalInfo, userid: Option<&str>) -> Vec<u8> {
    let who = userid.map(|u| format!(", {u}")).unwrap_or_default();
    Painter::new(Command::EraseWrite, Wcc::NONE.reset(), APP_SIZE, term)
        .text(10, 20, &format!("Goodbye{who}."), TITLE)
        .text(12, 20, "The web3270 demo host ended the session.", TEXT)
        .build()
}

/// Short answers on the message line of the screen being shown (PA1, undefined keys): a Write
/// that restores the keyboard and leaves the operator's input and cursor alone.
pub fn message_write(term: &TerminalInfo, msg: &Message) -> Vec<u8> {
    let wcc = if msg.kind == MessageKind::Error {
        Wcc::NONE.restore_keyboard().alarm()
    } else {
        Wcc::NONE.restore_keyboard()
    };
    Painter::new(Command::Write, wcc, APP_SIZE, term)
        .text(MSG_ROW, 0, &fit(&msg.text, MSG_WIDTH), msg.kind.style())
        .build()
}

/// Ruler character of 1-based column `c`: the tens digit every 10, `+` every 5, else `.`.
fn ruler_char(c: usize) -> char {
    if c.is_multiple_of(10) {
        char::from_digit(u32::try_from((c / 10) % 10).unwrap_or(0), 10).unwrap_or('?')
    } else if c.is_multiple_of(5) {
        '+'
    } else {
        '.'
    }
}

/// A border line: `+`, `-` with `label` centred, `+`, exactly `cols` wide.
fn border_line(cols: usize, label: &str) -> String {
    let inner = cols.saturating_sub(2);
    let label = fit(label, inner.min(label.chars().count()));
    let left = inner.saturating_sub(label.chars().count()) / 2;
    let right = inner.saturating_sub(left + label.chars().count());
    format!("+{}{}{}+", "-".repeat(left), label, "-".repeat(right))
}

/// (e) A screen-size page: unformatted, a border and a ruler that fill `size` exactly (every
/// cell written), the size in the middle. `alternate`: Erase/Write Alternate, else
/// Erase/Write (the 24×80 default).
pub fn size_page(term: &TerminalInfo, alternate: bool, msg: Option<&Message>) -> Vec<u8> {
    let size = if alternate {
        term.alternate_size
    } else {
        term.default_size
    };
    let (rows, cols) = (usize::from(size.rows), usize::from(size.cols));
    let command = if alternate {
        Command::EraseWriteAlternate
    } else {
        Command::EraseWrite
    };
    let mut p = Painter::new(command, screen_wcc(msg), size, term);
    let which = if alternate { "Alternate" } else { "Default" };
    let top = border_line(
        cols,
        &format!(" {which} size: {} rows x {} columns ", rows, cols),
    );
    let bottom = border_line(
        cols,
        " Enter=Other size  PF3=Back  PF12=Cancel  Clear=Redraw ",
    );
    let number_width = rows.to_string().len();
    let inner = cols.saturating_sub(2);
    let centre = [
        format!("{} rows x {} columns", rows, cols),
        format!(
            "{} - {}",
            if alternate {
                "Erase/Write Alternate"
            } else {
                "Erase/Write"
            },
            term.terminal_type
        ),
        "Every cell of this page is written: the border".to_string(),
        "and the ruler end exactly at the screen's edges.".to_string(),
    ];
    let centre_top = rows.saturating_sub(centre.len()) / 2;
    let border = (color::BLUE, highlight::DEFAULT);
    for row in 0..rows {
        let line = if row == 0 {
            top.clone()
        } else if row + 1 == rows {
            bottom.clone()
        } else if row == 1 {
            let ruler: String = (2..cols).map(ruler_char).collect();
            format!("|{ruler}|")
        } else {
            let body = match (row.checked_sub(centre_top).and_then(|i| centre.get(i)), msg) {
                (_, Some(m)) if row + 2 == rows => {
                    fit(&format!(" {}", m.text), inner.saturating_sub(number_width))
                }
                (Some(text), _) => {
                    let w = inner.saturating_sub(number_width);
                    let t = fit(text, w.min(text.chars().count()));
                    let left = w.saturating_sub(t.chars().count()) / 2;
                    format!(
                        "{}{}{}",
                        " ".repeat(left),
                        t,
                        " ".repeat(w.saturating_sub(left + t.chars().count()))
                    )
                }
                _ => " ".repeat(inner.saturating_sub(number_width)),
            };
            format!("|{:>number_width$}{body}|", row + 1)
        };
        p = match row {
            0 => p.run(row, 0, &line, border.0, border.1),
            _ if row + 1 == rows => p.run(row, 0, &line, border.0, border.1),
            1 => p.run(row, 0, &line, color::YELLOW, highlight::DEFAULT),
            _ => {
                let (edge, rest) = (
                    line.get(..1).unwrap_or_default(),
                    line.get(1..).unwrap_or_default(),
                );
                let body = rest.get(..rest.len().saturating_sub(1)).unwrap_or_default();
                let (num, text) = (
                    body.get(..number_width).unwrap_or_default(),
                    body.get(number_width..).unwrap_or_default(),
                );
                let text_fg = if msg.is_some() && row + 2 == rows {
                    msg.map_or(color::NEUTRAL_WHITE, |m| m.kind.style().fg)
                } else {
                    color::NEUTRAL_WHITE
                };
                p.run(row, 0, edge, border.0, border.1)
                    .run(row, 1, num, color::TURQUOISE, highlight::DEFAULT)
                    .run(row, 1 + number_width, text, text_fg, highlight::DEFAULT)
                    .run(row, cols - 1, "|", border.0, border.1)
            }
        };
    }
    p.cursor(rows.saturating_sub(2), 1 + number_width).build()
}
