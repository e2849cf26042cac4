//! A form: labels and named input fields on one screen, rendered as an Erase/Write record and
//! read back from the operator's Read Modified answer. The quickest way to write a small
//! host application or a mock host for tests.
//!
//! Layout of an input field of length `len` at (row, col): the field attribute at (row, col),
//! data positions from (row, col + 1) for `len` cells, then an autoskip (protected + numeric)
//! attribute closing it, so that typing past the end skips to the next input as on a real
//! form. A label at (row, col) is a protected attribute at (row, col) followed by its text.
//! Overlapping items are written in the order given; the later one wins on the screen.
//!
//! Spec: GA23-0059 §3.3.2 (field attributes), §4.3 (SF, SFE, SBA, IC orders), §3.5.3.

use crate::address::AddressingMode;
use crate::aid::Aid;
use crate::codepage::CodePage;
use crate::input::ebc;
use crate::screen::attributes::{
    xa, FieldAttribute, FA_INT_HIGH_SEL, FA_INT_ZERO_NSEL, FA_NUMERIC, FA_PROTECTED,
};
use crate::screen::ScreenSize;

use super::reply::InboundRecord;
use super::{ScreenBuilder, Wcc};

/// A screen of labels and named inputs.
#[derive(Debug, Clone)]
pub struct Form {
    size: ScreenSize,
    items: Vec<Item>,
}

/// One label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Row of the attribute, 0-based.
    pub row: usize,
    /// Column of the attribute, 0-based (the text starts one to the right).
    pub col: usize,
    /// The text.
    pub text: String,
    /// Foreground colour (`screen::attributes::color`), 0 for default.
    pub color: u8,
    /// Intensified.
    pub bright: bool,
}

/// One named input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The name its value is returned under.
    pub name: String,
    /// Row of the attribute, 0-based.
    pub row: usize,
    /// Column of the attribute, 0-based (data starts one to the right).
    pub col: usize,
    /// Number of data positions.
    pub len: usize,
    /// Non-display (passwords).
    pub hidden: bool,
    /// Numeric (numeric lock applies on the terminal).
    pub numeric: bool,
    /// Foreground colour, 0 for default.
    pub color: u8,
    /// Extended highlighting (`screen::attributes::highlight`), 0 for default.
    pub highlight: u8,
    /// Initial contents (not sent back unless the operator changes the field).
    pub initial: String,
}

#[derive(Debug, Clone)]
enum Item {
    Label(Label),
    Input(Input),
}

impl Form {
    /// An empty form for a screen of this size.
    pub fn new(size: ScreenSize) -> Form {
        Form {
            size,
            items: Vec::new(),
        }
    }

    /// Adds a label.
    pub fn label(&mut self, row: usize, col: usize, text: &str) -> &mut Label {
        self.items.push(Item::Label(Label {
            row,
            col,
            text: text.to_owned(),
            color: 0,
            bright: false,
        }));
        match self.items.last_mut() {
            Some(Item::Label(l)) => l,
            _ => unreachable!("just pushed a label"),
        }
    }

    /// Adds an input field; configure it through the returned reference.
    pub fn input(&mut self, name: &str, row: usize, col: usize, len: usize) -> &mut Input {
        self.items.push(Item::Input(Input {
            name: name.to_owned(),
            row,
            col,
            len,
            hidden: false,
            numeric: false,
            color: 0,
            highlight: 0,
            initial: String::new(),
        }));
        match self.items.last_mut() {
            Some(Item::Input(i)) => i,
            _ => unreachable!("just pushed an input"),
        }
    }

    /// The inputs in the order added.
    pub fn inputs(&self) -> impl Iterator<Item = &Input> {
        self.items.iter().filter_map(|i| match i {
            Item::Input(input) => Some(input),
            Item::Label(_) => None,
        })
    }

    /// The Erase/Write record: every item, then the cursor on the first input.
    pub fn render(&self, wcc: Wcc, cp: &CodePage) -> Vec<u8> {
        let mut b = ScreenBuilder::erase_write(wcc, self.size);
        for item in &self.items {
            b = match item {
                Item::Label(l) => {
                    let fa =
                        FieldAttribute(FA_PROTECTED | if l.bright { FA_INT_HIGH_SEL } else { 0 });
                    let b = b.at(l.row, l.col);
                    let b = if l.color != 0 {
                        b.field_ext(fa, &[(xa::FOREGROUND, l.color)])
                    } else {
                        b.field(fa)
                    };
                    b.text(&l.text, cp)
                }
                Item::Input(i) => {
                    let bits = if i.hidden { FA_INT_ZERO_NSEL } else { 0 }
                        | if i.numeric { FA_NUMERIC } else { 0 };
                    let fa = FieldAttribute(bits);
                    let mut pairs = Vec::new();
                    if i.color != 0 {
                        pairs.push((xa::FOREGROUND, i.color));
                    }
                    if i.highlight != 0 {
                        pairs.push((xa::HIGHLIGHTING, i.highlight));
                    }
                    let b = b.at(i.row, i.col);
                    let b = if pairs.is_empty() {
                        b.field(fa)
                    } else {
                        b.field_ext(fa, &pairs)
                    };
                    let initial: String = i.initial.chars().take(i.len).collect();
                    b.text(&initial, cp)
                        .at_addr(self.data_start(i) + i.len)
                        .field(FieldAttribute(FA_PROTECTED | FA_NUMERIC))
                }
            };
        }
        if let Some(first) = self.inputs().next() {
            b = b.at_addr(self.data_start(first)).insert_cursor();
        }
        b.build()
    }

    /// Parses the operator's answer and returns the AID and the values of the inputs that
    /// came back (modified ones), decoded with `cp`, DUP shown as `*` and FIELD MARK as `;`
    /// (their 3270 display glyphs).
    pub fn read(
        &self,
        record: &[u8],
        cp: &CodePage,
    ) -> Result<FormReply, super::reply::InboundError> {
        let rec = InboundRecord::parse(record, AddressingMode::TwelveFourteen)?;
        let values = self
            .inputs()
            .filter_map(|i| {
                let field = rec.field(self.data_start(i) % self.size.cells().max(1))?;
                let text = field
                    .data
                    .iter()
                    .map(|&b| match b {
                        ebc::DUP => '*',
                        ebc::FIELD_MARK => ';',
                        b => cp.decode(b),
                    })
                    .collect();
                Some((i.name.clone(), text))
            })
            .collect();
        Ok(FormReply {
            aid: rec.aid,
            cursor: rec.cursor,
            values,
        })
    }

    fn data_start(&self, i: &Input) -> usize {
        i.row * usize::from(self.size.cols) + i.col + 1
    }
}

impl Input {
    /// Non-display.
    pub fn hidden(&mut self) -> &mut Input {
        self.hidden = true;
        self
    }
    /// Numeric.
    pub fn numeric(&mut self) -> &mut Input {
        self.numeric = true;
        self
    }
    /// Foreground colour.
    pub fn color(&mut self, color: u8) -> &mut Input {
        self.color = color;
        self
    }
    /// Extended highlighting.
    pub fn highlight(&mut self, highlight: u8) -> &mut Input {
        self.highlight = highlight;
        self
    }
    /// Initial contents (cut to the field length).
    pub fn initial(&mut self, text: &str) -> &mut Input {
        self.initial = text.to_owned();
        self
    }
}

impl Label {
    /// Foreground colour.
    pub fn color(&mut self, color: u8) -> &mut Label {
        self.color = color;
        self
    }
    /// Intensified.
    pub fn bright(&mut self) -> &mut Label {
        self.bright = true;
        self
    }
}

/// What the operator sent back for a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormReply {
    /// The key.
    pub aid: Aid,
    /// The cursor address (none for a short read).
    pub cursor: Option<usize>,
    /// (input name, value) for each input that came back, in form order.
    pub values: Vec<(String, String)>,
}

impl FormReply {
    /// The value of a named input, if it came back.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}
