//! The operator side of a 3270 terminal: keyboard editing rules and inbound records.
//!
//! Sans-IO: [`Keyboard::key`] takes a [`Key`], edits the [`Screen`] the way a 3278/3279
//! operator's keyboard does and, for an attention key, writes the inbound record into a
//! caller-owned `Vec<u8>` (no allocation per key once the vector has grown). IAC doubling,
//! EOR framing and the TN3270E header are the telnet/tn3270e layers' business.
//!
//! Spec: GA23-0059 "3270 Data Stream Programmer's Reference" §3.5 (inbound operations, AIDs,
//! short reads), ch. 4 "Field Validation" (extended attribute X'C1': mandatory fill,
//! mandatory entry, trigger), and the 3270 operator's keyboard as documented in GA27-2849
//! (3274 description) and implemented by x3270, whose host-visible behaviour we match
//! because s3270 is our conformance oracle (the `tests` of this module were checked
//! byte for byte against s3270 4.1 traces where s3270 implements the rule).
//!
//! ## Rules implemented (x3270 semantics unless said otherwise)
//! - Typing into an attribute cell or a protected field locks "X PROT"
//!   ([`LockReason::Protected`]). Numeric lock (on by default, [`Keyboard::set_numeric_lock`]):
//!   a numeric unprotected field accepts only [`NUMERIC_LOCK_ALLOWED`] ("X NUM").
//! - A typed character clears the cell's foreground colour and highlighting (as x3270 does),
//!   sets the field's MDT and advances; landing on a field attribute skips it, and an
//!   autoskip (protected + numeric) attribute sends the cursor to the next unprotected field.
//! - Insert mode shifts the rest of the field right up to the first null at or after the
//!   cursor; no null there locks "X >" ([`LockReason::Overflow`]). With blank fill
//!   ([`Keyboard::set_blank_fill`], off by default as on a real 3270) trailing blanks count as
//!   room and leading nulls before the typed character become blanks (x3270's `blankFill`).
//! - Tab, BackTab, Home, Newline, Up/Down/Left/Right (and the double moves) wrap around the
//!   screen; MoveCursor (a mouse click, x3270's `MoveCursor`) goes to one address; on an
//!   unformatted screen Tab, BackTab and Home go to address 0.
//! - Erase EOF, Erase Input (MDTs of unprotected fields reset, cursor to the first one),
//!   Delete (shift left, null at the end), Backspace (cursor left, as x3270), DUP (X'1C',
//!   then tab) and FIELD MARK (X'1E', no tab), FieldEnd, WordNext/WordPrev, Cursor Select
//!   (selector-pen designators `?`, `>`, space/null, `&`).
//! - Reset clears operator-error locks and insert mode; with type-ahead queued it only
//!   flushes the queue. ToggleInsert (a mode switch) acts at once even while locked. Cursor
//!   movement keys (and Erase EOF/Erase Input) also clear the "X PROT", "X NUM" and "X >"
//!   errors before acting, as x3270 does.
//! - An AID locks the keyboard [`LockReason::SystemWait`], records
//!   [`Screen::set_last_aid`] and leaves insert mode. PA1–3 and CLEAR are short reads; CLEAR
//!   first erases the buffer locally (keeping the screen size, as x3270 does).
//! - While the host holds the keyboard (SystemWait, TerminalWait, AwaitingFirst) keys go to a
//!   type-ahead queue of at most [`TYPEAHEAD_LIMIT`] keys, replayed by
//!   [`Keyboard::unlocked`] after the host restores the keyboard.
//! - Field validation (x3270 ignores it; we follow GA23-0059 and the 8775 behaviour it
//!   describes): **mandatory entry** — ENTER, PF keys and Cursor Select are refused
//!   ("X -f", [`LockReason::MinusFunction`]) with the cursor on the first mandatory-entry
//!   field whose MDT is off; **mandatory fill** — once data is entered, the cursor may not
//!   leave the field (nor may such an AID be sent) until it has no null left, else "X -f"
//!   and the cursor stays; **trigger** — a field becomes *primed* when the operator changes
//!   it (typing, DUP, FIELD MARK, Delete, Erase EOF); moving the cursor out of a primed
//!   field sends a Trigger AID (X'7F') record with that field alone and locks SystemWait
//!   (later keys go to type-ahead, as on an 8775). Erase Input and [`Keyboard::host_wrote`]
//!   unprime it.
//!
//! ## Deviations from x3270 (documented choices)
//! - Where x3270 changed after 4.1 (the installed s3270) we follow current x3270 (4.4,
//!   "Corrected unformatted insert and delete operation"): on an unformatted screen Insert
//!   shifts up to the last cell of the screen (that cell excluded) and Delete shifts the rest
//!   of the screen; s3270 4.1 limits both to the cursor's line.
//! - During an operator-error lock x3270 queues typed characters and AIDs (and Reset then
//!   drops them); we refuse them with [`Refusal::Inhibited`], which sends the same bytes.
//! - Reset does not unlock a keyboard held by the host (x3270's explicit Reset does): on a
//!   3270 only the host restores it.
//! - Numeric lock admits DUP besides x3270's set (x3270 enforces numeric fields only with its
//!   `numericLock` resource, off by default).
//! - Attn and SysReq are returned as signals; what goes on the wire (IAC IP, TN3270E SYSREQ,
//!   PA1 + BREAK as x3270 does in plain TN3270, or the Test Request record of
//!   [`inbound::read_modified`] with [`Aid::SysReq`]) is the session layer's choice.
//!
//! Does not own: applying host writes (`datastream`), code pages (`codepage`), telnet.

pub mod inbound;
pub mod paste;
pub mod sent;

mod edit;

use std::collections::VecDeque;

use crate::address::AddressingMode;
use crate::aid::Aid;
use crate::codepage::CodePage;
use crate::screen::{LockReason, Screen};

/// Most keys held in the type-ahead queue while the host has the keyboard locked; more are
/// refused with [`Refusal::TypeAheadFull`].
pub const TYPEAHEAD_LIMIT: usize = 256;

/// EBCDIC code points the keyboard rules need. They are invariant across the EBCDIC
/// country-extended code pages (CECP), so they do not depend on the [`CodePage`].
pub mod ebc {
    /// Null.
    pub const NULL: u8 = 0x00;
    /// Space.
    pub const SPACE: u8 = 0x40;
    /// DUP (displayed as an overscored asterisk).
    pub const DUP: u8 = 0x1C;
    /// FIELD MARK (displayed as an overscored semicolon).
    pub const FIELD_MARK: u8 = 0x1E;
    /// Digit zero (digits are X'F0'–X'F9').
    pub const DIGIT_0: u8 = 0xF0;
    /// Digit nine.
    pub const DIGIT_9: u8 = 0xF9;
    /// Period.
    pub const PERIOD: u8 = 0x4B;
    /// Plus sign.
    pub const PLUS: u8 = 0x4E;
    /// Minus sign.
    pub const MINUS: u8 = 0x60;
    /// Comma.
    pub const COMMA: u8 = 0x6B;
    /// Selector-pen designator `?` (not selected).
    pub const QUESTION: u8 = 0x6F;
    /// Selector-pen designator `>` (selected).
    pub const GREATER: u8 = 0x6E;
    /// Selector-pen designator `&` (attention, sends ENTER).
    pub const AMPERSAND: u8 = 0x50;
    /// Start of header: first byte of a Test Request (SYSREQ) inbound record.
    pub const SOH: u8 = 0x01;
    /// Percent: second byte of a Test Request header.
    pub const PERCENT: u8 = 0x6C;
    /// Slash: third byte of a Test Request header.
    pub const SLASH: u8 = 0x61;
    /// Start of text: fourth byte of a Test Request header.
    pub const STX: u8 = 0x02;
}

/// The characters numeric lock admits in an unprotected numeric field: 0–9, `.`, `-`, `,`,
/// `+` (x3270's set) and DUP (as on a 3270 with the numeric lock feature).
pub fn numeric_lock_allows(b: u8) -> bool {
    NUMERIC_LOCK_ALLOWED.contains(&b) || (ebc::DIGIT_0..=ebc::DIGIT_9).contains(&b)
}

/// The non-digit EBCDIC characters numeric lock admits (see [`numeric_lock_allows`]).
pub const NUMERIC_LOCK_ALLOWED: [u8; 5] =
    [ebc::PERIOD, ebc::MINUS, ebc::COMMA, ebc::PLUS, ebc::DUP];

/// A key the operator pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Key {
    /// A data character, encoded with the session's code page.
    Char(char),
    /// A character of the APL/graphic-escape set, given as its code (GE + byte on the wire).
    Ge(u8),
    /// TAB: first position of the next unprotected field.
    Tab,
    /// BACKTAB: first position of this (if past it) or the previous unprotected field.
    BackTab,
    /// HOME: first position of the first unprotected field.
    Home,
    /// NEWLINE: first unprotected position on the next line or after.
    Newline,
    /// ERASE EOF: nulls from the cursor to the end of the field.
    EraseEof,
    /// ERASE INPUT: nulls in every unprotected field, MDTs off, cursor to the first.
    EraseInput,
    /// DELETE: remove the character at the cursor, shifting the field left.
    Delete,
    /// BACKSPACE: cursor one position left (3270 style, not destructive).
    Backspace,
    /// DUP: the DUP character, then tab.
    Dup,
    /// FIELD MARK: the field mark character.
    FieldMark,
    /// Cursor left.
    Left,
    /// Cursor right.
    Right,
    /// Cursor up.
    Up,
    /// Cursor down.
    Down,
    /// Cursor left two positions.
    Left2,
    /// Cursor right two positions.
    Right2,
    /// Next unprotected word.
    WordNext,
    /// Previous unprotected word.
    WordPrev,
    /// After the last non-blank character of the field.
    FieldEnd,
    /// Insert mode on/off.
    ToggleInsert,
    /// RESET: clear operator errors and insert mode (flush type-ahead if any).
    Reset,
    /// ENTER.
    Enter,
    /// PF1–PF24.
    Pf(u8),
    /// PA1–PA3.
    Pa(u8),
    /// CLEAR.
    Clear,
    /// SYS REQ.
    SysReq,
    /// ATTN.
    Attn,
    /// CURSR SEL (selector pen at the cursor).
    CursorSelect,
    /// Move the cursor to this buffer address (a mouse click or a light-pen touch; x3270's
    /// `MoveCursor`). A cursor movement key: it clears "X PROT", "X NUM" and "X >" and waits
    /// in the type-ahead queue while the host holds the keyboard. An address outside the
    /// screen is refused with [`Refusal::NoSuchKey`].
    MoveCursor(usize),
}

/// What a key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOutcome {
    /// Nothing changed (e.g. Tab on a screen whose only field is where the cursor is).
    Nothing,
    /// The buffer, the cursor or the insert mode changed; redraw.
    Changed,
    /// An inbound record for this AID was appended to the caller's buffer; send it. The
    /// keyboard is now locked [`LockReason::SystemWait`] (except in SSCP-LU mode).
    Sent(Aid),
    /// The operator pressed ATTN: the session layer signals it (see module doc).
    Attn,
    /// The operator pressed SYS REQ: the session layer signals it (see module doc).
    SysReq,
    /// The key caused an operator error; the keyboard is now locked with this reason.
    Locked(LockReason),
    /// The keyboard is held by the host; the key waits in the type-ahead queue.
    Queued,
    /// The key was refused without changing anything.
    Refused(Refusal),
}

/// Why a key was refused without locking the keyboard anew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The keyboard is locked by an operator error or "X -f"; press Reset.
    Inhibited(LockReason),
    /// Not connected.
    NotConnected,
    /// The type-ahead queue holds [`TYPEAHEAD_LIMIT`] keys already.
    TypeAheadFull,
    /// The character has no code point in the session's code page.
    Unencodable,
    /// PF/PA number out of range (PF1–24, PA1–3), or a [`Key::MoveCursor`] address outside
    /// the screen.
    NoSuchKey,
}

/// The operator's keyboard state.
#[derive(Debug, Clone)]
pub struct Keyboard {
    insert: bool,
    numeric_lock: bool,
    blank_fill: bool,
    addressing: AddressingMode,
    typeahead: VecDeque<Key>,
    primed_trigger: Option<usize>,
    sscp_start: Option<usize>,
}

impl Default for Keyboard {
    fn default() -> Self {
        Keyboard::new()
    }
}

impl Keyboard {
    /// A keyboard with insert mode off, numeric lock on, blank fill off, 12/14-bit addressing.
    pub fn new() -> Keyboard {
        Keyboard {
            insert: false,
            numeric_lock: true,
            blank_fill: false,
            addressing: AddressingMode::TwelveFourteen,
            typeahead: VecDeque::new(),
            primed_trigger: None,
            sscp_start: None,
        }
    }

    /// Insert mode.
    pub fn insert_mode(&self) -> bool {
        self.insert
    }
    /// Sets insert mode.
    pub fn set_insert_mode(&mut self, on: bool) {
        self.insert = on;
    }
    /// Numeric lock (on by default).
    pub fn numeric_lock(&self) -> bool {
        self.numeric_lock
    }
    /// Turns numeric lock on or off.
    pub fn set_numeric_lock(&mut self, on: bool) {
        self.numeric_lock = on;
    }
    /// Blank fill (x3270's `blankFill`; off by default, s3270 4.1 turns it on).
    pub fn blank_fill(&self) -> bool {
        self.blank_fill
    }
    /// Turns blank fill on or off.
    pub fn set_blank_fill(&mut self, on: bool) {
        self.blank_fill = on;
    }
    /// The addressing mode used for inbound addresses (16-bit once the host selected it).
    pub fn set_addressing(&mut self, mode: AddressingMode) {
        self.addressing = mode;
    }
    /// The addressing mode in force.
    pub fn addressing(&self) -> AddressingMode {
        self.addressing
    }
    /// SSCP-LU mode (TN3270E SSCP-LU-DATA): `Some(start)` where the host's last output
    /// ended. In this mode ENTER sends the text typed since `start` with no AID (as x3270),
    /// CLEAR only erases locally, and other AIDs lock "X -f" ([`KeyOutcome::Locked`]).
    /// `None` returns to LU-LU mode.
    pub fn set_sscp_lu(&mut self, start: Option<usize>) {
        self.sscp_start = start;
    }
    /// The SSCP-LU input start, when in SSCP-LU mode.
    pub fn sscp_lu(&self) -> Option<usize> {
        self.sscp_start
    }
    /// Keys waiting in the type-ahead queue.
    pub fn typeahead_len(&self) -> usize {
        self.typeahead.len()
    }
    /// The attribute address of the primed trigger field, if any.
    pub fn primed_trigger(&self) -> Option<usize> {
        self.primed_trigger
    }

    /// Tells the keyboard the host wrote to the screen: a primed trigger field is unprimed
    /// (GA23-0059 field validation; the field addresses may have changed).
    pub fn host_wrote(&mut self) {
        self.primed_trigger = None;
    }

    /// Handles one key. For [`KeyOutcome::Sent`] the inbound record was appended to `out`
    /// (the caller clears `out` between records and reuses it).
    pub fn key(
        &mut self,
        screen: &mut Screen,
        key: Key,
        cp: &CodePage,
        out: &mut Vec<u8>,
    ) -> KeyOutcome {
        match key {
            Key::Attn => return KeyOutcome::Attn,
            Key::SysReq => return KeyOutcome::SysReq,
            // A mode switch, not an input: it acts at once even while locked (x3270).
            Key::ToggleInsert => {
                self.insert = !self.insert;
                return KeyOutcome::Changed;
            }
            _ => {}
        }
        if !screen.is_locked() && !self.typeahead.is_empty() {
            // The host restored the keyboard but `unlocked` was not called yet: keep the
            // order of the keys.
            if key == Key::Reset {
                self.typeahead.clear();
                return KeyOutcome::Changed;
            }
            if self.typeahead.len() >= TYPEAHEAD_LIMIT {
                return KeyOutcome::Refused(Refusal::TypeAheadFull);
            }
            self.typeahead.push_back(key);
            return self.replay(screen, cp, out);
        }
        self.dispatch(screen, key, cp, out)
    }

    /// A key after the mode switches: the lock decides whether it acts, queues or is refused.
    fn dispatch(
        &mut self,
        screen: &mut Screen,
        key: Key,
        cp: &CodePage,
        out: &mut Vec<u8>,
    ) -> KeyOutcome {
        if let Some(reason) = screen.lock() {
            match reason {
                LockReason::NotConnected => {
                    return KeyOutcome::Refused(Refusal::NotConnected);
                }
                LockReason::SystemWait | LockReason::TerminalWait | LockReason::AwaitingFirst => {
                    if key == Key::Reset {
                        if self.typeahead.is_empty() {
                            return if std::mem::take(&mut self.insert) {
                                KeyOutcome::Changed
                            } else {
                                KeyOutcome::Nothing
                            };
                        }
                        self.typeahead.clear();
                        return KeyOutcome::Changed;
                    }
                    if self.typeahead.len() >= TYPEAHEAD_LIMIT {
                        return KeyOutcome::Refused(Refusal::TypeAheadFull);
                    }
                    self.typeahead.push_back(key);
                    return KeyOutcome::Queued;
                }
                LockReason::Protected | LockReason::Numeric | LockReason::Overflow
                    if key.clears_operator_error() =>
                {
                    screen.set_lock(None);
                }
                _ if key == Key::Reset => {}
                other => return KeyOutcome::Refused(Refusal::Inhibited(other)),
            }
        }
        self.unlocked_key(screen, key, cp, out)
    }

    /// Tells the keyboard the host restored it (WCC keyboard restore applied, the screen's
    /// lock is now `None`): insert mode ends, as x3270 does, and the type-ahead queue is
    /// replayed until a key locks the keyboard again (an AID, or an operator error, which
    /// also discards the rest of the queue). Returns the most significant outcome of the
    /// replay: `Sent` > `Locked` > `Changed` > `Nothing`. Does nothing while still locked.
    pub fn unlocked(
        &mut self,
        screen: &mut Screen,
        cp: &CodePage,
        out: &mut Vec<u8>,
    ) -> KeyOutcome {
        if screen.is_locked() {
            return KeyOutcome::Nothing;
        }
        let reset = std::mem::take(&mut self.insert);
        match self.replay(screen, cp, out) {
            KeyOutcome::Nothing if reset => KeyOutcome::Changed,
            outcome => outcome,
        }
    }

    /// Replays the type-ahead queue until a key locks the keyboard.
    fn replay(&mut self, screen: &mut Screen, cp: &CodePage, out: &mut Vec<u8>) -> KeyOutcome {
        let mut summary = KeyOutcome::Nothing;
        while let Some(key) = self.typeahead.pop_front() {
            let outcome = self.dispatch(screen, key, cp, out);
            summary = match (summary, outcome) {
                (KeyOutcome::Sent(a), _) | (_, KeyOutcome::Sent(a)) => KeyOutcome::Sent(a),
                (KeyOutcome::Locked(r), _) | (_, KeyOutcome::Locked(r)) => KeyOutcome::Locked(r),
                (KeyOutcome::Changed, _) | (_, KeyOutcome::Changed) => KeyOutcome::Changed,
                (s, _) => s,
            };
            match screen.lock() {
                None => {}
                Some(r) if r.is_operator_error() || r == LockReason::MinusFunction => {
                    self.typeahead.clear();
                    break;
                }
                Some(_) => break,
            }
        }
        summary
    }

    /// A key on an unlocked keyboard (or one that clears the operator error).
    fn unlocked_key(
        &mut self,
        screen: &mut Screen,
        key: Key,
        cp: &CodePage,
        out: &mut Vec<u8>,
    ) -> KeyOutcome {
        let before = screen.cursor();
        let before_field = screen.field_attr_addr(before);
        let outcome = match key {
            Key::Char(c) => match cp.encode(c) {
                Some(b) => self.type_byte(screen, b, false),
                None => KeyOutcome::Refused(Refusal::Unencodable),
            },
            Key::Ge(b) => self.type_byte(screen, b, true),
            Key::Dup => match self.type_byte(screen, ebc::DUP, false) {
                KeyOutcome::Changed => {
                    let to = edit::tab_target(screen, screen.cursor());
                    screen.set_cursor(to);
                    KeyOutcome::Changed
                }
                other => other,
            },
            Key::FieldMark => self.type_byte(screen, ebc::FIELD_MARK, false),
            Key::Tab => moved(screen, edit::tab_target(screen, before)),
            Key::BackTab => moved(screen, edit::backtab_target(screen, before)),
            Key::Home => {
                let to = if screen.is_formatted() {
                    edit::tab_target(screen, screen.len() - 1)
                } else {
                    0
                };
                moved(screen, to)
            }
            Key::Newline => moved(screen, edit::newline_target(screen, before)),
            Key::Left | Key::Backspace => moved(screen, screen.prev(before)),
            Key::Right => moved(screen, screen.next(before)),
            Key::Left2 => moved(screen, screen.prev(screen.prev(before))),
            Key::Right2 => moved(screen, screen.next(screen.next(before))),
            Key::MoveCursor(to) if to < screen.len() => moved(screen, to),
            Key::MoveCursor(_) => KeyOutcome::Refused(Refusal::NoSuchKey),
            Key::Up => {
                let n = screen.len();
                moved(screen, (before + n - screen.cols()) % n)
            }
            Key::Down => moved(screen, (before + screen.cols()) % screen.len()),
            Key::WordNext => match edit::word_next(screen, before) {
                Some(to) => moved(screen, to),
                None => KeyOutcome::Nothing,
            },
            Key::WordPrev => match edit::word_prev(screen, before) {
                Some(to) => moved(screen, to),
                None => KeyOutcome::Nothing,
            },
            Key::FieldEnd => match edit::field_end(screen, before) {
                Some(to) => moved(screen, to),
                None => KeyOutcome::Nothing,
            },
            Key::EraseEof => {
                if screen.is_protected(before) {
                    operator_error(screen, LockReason::Protected)
                } else {
                    edit::erase_eof(screen, before);
                    self.prime(screen, before);
                    KeyOutcome::Changed
                }
            }
            Key::EraseInput => {
                self.primed_trigger = None;
                edit::erase_input(screen);
                KeyOutcome::Changed
            }
            Key::Delete => {
                if screen.is_protected(before) {
                    operator_error(screen, LockReason::Protected)
                } else {
                    edit::delete(screen, before);
                    self.prime(screen, before);
                    KeyOutcome::Changed
                }
            }
            Key::Reset => {
                screen.set_lock(None);
                self.insert = false;
                KeyOutcome::Changed
            }
            Key::Enter => return self.aid(screen, Aid::Enter, out),
            Key::Pf(n @ 1..=24) => return self.aid(screen, Aid::Pf(n), out),
            Key::Pa(n @ 1..=3) => return self.aid(screen, Aid::Pa(n), out),
            Key::Pf(_) | Key::Pa(_) => KeyOutcome::Refused(Refusal::NoSuchKey),
            Key::Clear => {
                screen.cells_mut().fill(crate::screen::Cell::NULL);
                screen.set_cursor(0);
                if let Some(start) = self.sscp_start.as_mut() {
                    *start = 0;
                    return KeyOutcome::Changed;
                }
                return self.aid(screen, Aid::Clear, out);
            }
            Key::CursorSelect => match edit::cursor_select(screen, before) {
                edit::Selection::None => KeyOutcome::Nothing,
                edit::Selection::Toggled => KeyOutcome::Changed,
                edit::Selection::Aid(aid) => return self.aid(screen, aid, out),
            },
            Key::Attn => KeyOutcome::Attn,
            Key::SysReq => KeyOutcome::SysReq,
            Key::ToggleInsert => KeyOutcome::Changed,
        };
        if matches!(outcome, KeyOutcome::Locked(_) | KeyOutcome::Refused(_)) {
            return outcome;
        }
        // Mandatory fill: the cursor may not leave a partly filled field.
        if let Some(fa) = before_field {
            if screen.field_attr_addr(screen.cursor()) != Some(fa)
                && edit::mandatory_fill_incomplete(screen, fa)
            {
                screen.set_cursor(before);
                return operator_error(screen, LockReason::MinusFunction);
            }
        }
        // Trigger: leaving a primed trigger field sends it.
        if let Some(fa) = self.primed_trigger {
            if !edit::is_trigger_field(screen, fa) {
                self.primed_trigger = None;
            } else if screen.field_attr_addr(screen.cursor()) != Some(fa) {
                self.primed_trigger = None;
                inbound::trigger(screen, fa, self.addressing, out);
                return self.locked_after_aid(screen, Aid::Trigger);
            }
        }
        outcome
    }

    /// Types one EBCDIC byte at the cursor (`ge`: from the APL set).
    fn type_byte(&mut self, screen: &mut Screen, b: u8, ge: bool) -> KeyOutcome {
        let addr = screen.cursor();
        if screen.is_protected(addr) {
            return operator_error(screen, LockReason::Protected);
        }
        let numeric = screen
            .field_attribute(addr)
            .is_some_and(|fa| fa.is_numeric());
        if numeric && self.numeric_lock && (ge || !numeric_lock_allows(b)) {
            return operator_error(screen, LockReason::Numeric);
        }
        if self.insert && !edit::insert_room(screen, addr, self.blank_fill) {
            return operator_error(screen, LockReason::Overflow);
        }
        edit::store(screen, addr, b, ge);
        let mut next = screen.next(addr);
        if let (Some(start), 0) = (self.sscp_start, next) {
            // SSCP-LU mode: typing past the last cell scrolls the screen up a row (x3270).
            edit::scroll_up(screen);
            next = screen.len() - screen.cols();
            self.sscp_start = Some(start.saturating_sub(screen.cols()));
        }
        if self.blank_fill && screen.is_formatted() {
            edit::blank_fill_leading(screen, next);
        }
        screen.set_mdt(addr, true);
        self.prime(screen, addr);
        let to = if b == ebc::DUP {
            next
        } else {
            edit::skip_attributes(screen, next)
        };
        screen.set_cursor(to);
        KeyOutcome::Changed
    }

    /// Primes the trigger field containing `addr`, if it is one.
    fn prime(&mut self, screen: &Screen, addr: usize) {
        if let Some(fa) = screen.field_attr_addr(addr) {
            if edit::is_trigger_field(screen, fa) {
                self.primed_trigger = Some(fa);
            }
        }
    }

    /// An attention key: validation, the inbound record, the lock.
    fn aid(&mut self, screen: &mut Screen, aid: Aid, out: &mut Vec<u8>) -> KeyOutcome {
        if let Some(start) = self.sscp_start {
            if aid != Aid::Enter {
                return operator_error(screen, LockReason::MinusFunction);
            }
            inbound::sscp_lu_data(screen, start, out);
            let next_row = (screen.cursor() / screen.cols() + 1) * screen.cols();
            let to = if next_row >= screen.len() {
                edit::scroll_up(screen);
                screen.len() - screen.cols()
            } else {
                next_row
            };
            screen.set_cursor(to);
            self.sscp_start = Some(to);
            return KeyOutcome::Sent(aid);
        }
        if !aid.is_short_read() {
            if let Some(to) = edit::validation_blocker(screen) {
                screen.set_cursor(to);
                return operator_error(screen, LockReason::MinusFunction);
            }
        }
        self.primed_trigger = None;
        inbound::read_modified(screen, aid, false, self.addressing, out);
        self.locked_after_aid(screen, aid)
    }

    fn locked_after_aid(&mut self, screen: &mut Screen, aid: Aid) -> KeyOutcome {
        screen.set_lock(Some(LockReason::SystemWait));
        screen.set_last_aid(aid);
        self.insert = false;
        KeyOutcome::Sent(aid)
    }
}

impl Key {
    /// Keys that clear "X PROT", "X NUM" and "X >" before acting (x3270's cursor movement
    /// and erase keys).
    fn clears_operator_error(self) -> bool {
        matches!(
            self,
            Key::Tab
                | Key::BackTab
                | Key::Home
                | Key::Left
                | Key::Right
                | Key::Up
                | Key::Down
                | Key::Left2
                | Key::Right2
                | Key::MoveCursor(_)
                | Key::FieldEnd
                | Key::EraseEof
                | Key::EraseInput
                | Key::Reset
        )
    }
}

/// Moves the cursor; `Changed` when it moved.
fn moved(screen: &mut Screen, to: usize) -> KeyOutcome {
    if screen.wrap(to) == screen.cursor() {
        KeyOutcome::Nothing
    } else {
        screen.set_cursor(to);
        KeyOutcome::Changed
    }
}

/// Locks the keyboard for an operator error.
fn operator_error(screen: &mut Screen, reason: LockReason) -> KeyOutcome {
    screen.set_lock(Some(reason));
    KeyOutcome::Locked(reason)
}

#[cfg(test)]
mod tests;
