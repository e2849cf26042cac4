//! s3270's action syntax for `POST /api/v1/sessions/{id}/input` (`{"actions": [...]}`), the
//! guide's `function_key` names, and applying both to a session's terminal (the mirror of a
//! headless session) through the core's keyboard (`tn3270::input`, GA23-0059 §3.5 for AIDs
//! and short reads).
//!
//! Owns: parsing one action per string (`Name`, `Name()`, `Name(arg, "arg")`), the escapes
//! of `String()`, the action table, and the mapping of a refused or locking key to an
//! [`ActionError`]. Does not own: the keyboard rules themselves (the core), HTTP (`super`).
//!
//! ## Syntax (as x3270/s3270 scripts write it)
//! - A name, case-insensitive, optionally followed by `(` arguments `)`; nothing may follow
//!   the closing parenthesis. One action per array element.
//! - Arguments are separated by commas, with optional blanks around them (a blank alone
//!   separates nothing: s3270 4.1 rejects `String(x y)`, and so do we). An argument is a run
//!   of characters other than blanks, `,`, `(`, `)` and `"`, or a double-quoted string.
//!   Inside quotes `\"` is a quote; every other backslash is kept with the character after
//!   it for `String()`'s own escapes (so `\\` types one backslash, as s3270 4.1 does).
//! - `String()` escapes, as x3270 documents them: `\n` Enter, `\t` Tab, `\T` BackTab,
//!   `\r` Newline, `\b` Left, `\f` Clear, `\\` backslash, `\"` quote, `\pfNN` PF(NN),
//!   `\paN` PA(N). Any other escape is refused (400) rather than guessed.
//! - `MoveCursor(row, col)` is 0-based as in s3270; `MoveCursor1(row, col)` is 1-based.
//!
//! ## Behaviour (documented deviations)
//! - Actions run in order; the first failing one stops the list, and what the earlier ones
//!   did stays done and is sent (as an s3270 script stops at its first failing action).
//! - A key that locks the keyboard (typing into a protected field: "X PROT", a letter in a
//!   numeric field: "X NUM", insert overflow, "X -f") fails the action with
//!   [`ActionError::Locked`]; the lock stays until `Reset()`, as in s3270.
//! - While the host holds the keyboard (an AID is being answered, or before the host's first
//!   write) typed keys wait in the core's type-ahead queue, as on x3270; `MoveCursor` is
//!   refused then, because the type-ahead queue holds keys only.
//! - `MoveCursor` moves with cursor keys (Down/Up, then Right/Left), so it obeys the same
//!   field-validation rules as an operator moving the cursor; x3270 jumps without them.

use tn3270::input::{Key, KeyOutcome, Refusal};
use tn3270::screen::LockReason;
use tn3270::terminal::Terminal;

/// Most actions in one request.
pub const MAX_ACTIONS: usize = 256;

/// Most characters in one action string (and in the guide's `input`).
pub const MAX_ACTION_CHARS: usize = 4096;

/// Most arguments of one action.
const MAX_ARGS: usize = 8;

/// Highest PF key (PF1–PF24).
pub const MAX_PF: u8 = 24;

/// Highest PA key (PA1–PA3).
pub const MAX_PA: u8 = 3;

/// One step of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Press a key (a typed character is `Key::Char`).
    Key(Key),
    /// Move the cursor to this 0-based row and column.
    MoveCursor(usize, usize),
}

/// A parsed action: its name (as written) and the steps it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// The action's name as the client wrote it.
    pub name: String,
    /// What it does, in order.
    pub steps: Vec<Step>,
}

impl Action {
    /// An action of one key.
    pub fn key(name: &str, key: Key) -> Action {
        Action {
            name: name.to_owned(),
            steps: vec![Step::Key(key)],
        }
    }

    /// Types `text` literally (the guide's `input`: no escapes; `\n` is Newline and `\t`
    /// Tab, as the core's `type_text` does).
    pub fn text(text: &str) -> Action {
        Action {
            name: "input".to_owned(),
            steps: text
                .chars()
                .map(|c| {
                    Step::Key(match c {
                        '\n' => Key::Newline,
                        '\t' => Key::Tab,
                        c => Key::Char(c),
                    })
                })
                .collect(),
        }
    }
}

/// Why an action was refused or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionError {
    /// The action string is malformed (400).
    Syntax {
        /// Index in the request's list.
        index: usize,
        /// Why.
        message: String,
    },
    /// No action has this name (400).
    Unknown {
        /// Index in the request's list.
        index: usize,
        /// The name.
        name: String,
    },
    /// Wrong arguments for a known action (400).
    BadArguments {
        /// Index in the request's list.
        index: usize,
        /// The action's name.
        name: String,
        /// Why.
        message: String,
    },
    /// The keyboard is (or became) locked (409): `reason` is [`lock_name`]'s.
    Locked {
        /// Index in the request's list.
        index: usize,
        /// The action's name.
        name: String,
        /// Why the keyboard is locked.
        reason: &'static str,
    },
    /// A character has no code point in the session's code page (400).
    Unencodable {
        /// Index in the request's list.
        index: usize,
        /// The action's name.
        name: String,
    },
    /// `MoveCursor` outside the screen (400).
    OutOfRange {
        /// Index in the request's list.
        index: usize,
        /// The action's name.
        name: String,
        /// Rows and columns of the screen.
        size: (usize, usize),
    },
}

impl ActionError {
    /// The index of the failing action.
    pub fn index(&self) -> usize {
        match self {
            ActionError::Syntax { index, .. }
            | ActionError::Unknown { index, .. }
            | ActionError::BadArguments { index, .. }
            | ActionError::Locked { index, .. }
            | ActionError::Unencodable { index, .. }
            | ActionError::OutOfRange { index, .. } => *index,
        }
    }

    /// The failing action's name, when it got that far.
    pub fn name(&self) -> Option<&str> {
        match self {
            ActionError::Syntax { .. } => None,
            ActionError::Unknown { name, .. }
            | ActionError::BadArguments { name, .. }
            | ActionError::Locked { name, .. }
            | ActionError::Unencodable { name, .. }
            | ActionError::OutOfRange { name, .. } => Some(name),
        }
    }
}

impl std::fmt::Display for ActionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ActionError::Syntax { index, message } => write!(f, "action {index}: {message}"),
            ActionError::Unknown { index, name } => {
                write!(f, "action {index}: unknown action {name:?}")
            }
            ActionError::BadArguments {
                index,
                name,
                message,
            } => write!(f, "action {index} ({name}): {message}"),
            ActionError::Locked {
                index,
                name,
                reason,
            } => write!(
                f,
                "action {index} ({name}): the keyboard is locked ({reason}); Reset() clears an operator error"
            ),
            ActionError::Unencodable { index, name } => write!(
                f,
                "action {index} ({name}): a character has no code point in the session's code page"
            ),
            ActionError::OutOfRange { index, name, size } => write!(
                f,
                "action {index} ({name}): the screen has {} rows and {} columns",
                size.0, size.1
            ),
        }
    }
}

impl std::error::Error for ActionError {}

/// A stable name for a keyboard lock reason, as the API reports it.
pub fn lock_name(reason: LockReason) -> &'static str {
    match reason {
        LockReason::NotConnected => "not-connected",
        LockReason::AwaitingFirst => "awaiting-first-write",
        LockReason::SystemWait => "system-wait",
        LockReason::TerminalWait => "terminal-wait",
        LockReason::Protected => "protected",
        LockReason::Numeric => "numeric",
        LockReason::Overflow => "overflow",
        LockReason::MinusFunction => "minus-function",
        LockReason::ProgramCheck(_) => "program-check",
    }
}

/// Parses the request's action strings (at most [`MAX_ACTIONS`]).
pub fn parse_all(actions: &[String]) -> Result<Vec<Action>, ActionError> {
    if actions.len() > MAX_ACTIONS {
        return Err(ActionError::Syntax {
            index: MAX_ACTIONS,
            message: format!("at most {MAX_ACTIONS} actions per request"),
        });
    }
    actions
        .iter()
        .enumerate()
        .map(|(i, a)| parse(i, a))
        .collect()
}

/// Parses one action string; `index` is its place in the request (for errors).
pub fn parse(index: usize, text: &str) -> Result<Action, ActionError> {
    let syntax = |message: String| ActionError::Syntax { index, message };
    if text.chars().count() > MAX_ACTION_CHARS {
        return Err(syntax(format!("longer than {MAX_ACTION_CHARS} characters")));
    }
    let text = text.trim();
    let name_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let (name, rest) = text.split_at(name_end);
    if name.is_empty() {
        return Err(syntax(format!("no action name in {text:?}")));
    }
    let rest = rest.trim_start();
    let args = match rest.strip_prefix('(') {
        None if rest.is_empty() => Vec::new(),
        None => return Err(syntax(format!("unexpected {rest:?} after {name}"))),
        Some(inner) => split_args(inner).map_err(syntax)?,
    };
    let bad = |message: String| ActionError::BadArguments {
        index,
        name: name.to_owned(),
        message,
    };
    let no_args = |key: Key| -> Result<Vec<Step>, ActionError> {
        if args.is_empty() {
            Ok(vec![Step::Key(key)])
        } else {
            Err(bad("takes no arguments".into()))
        }
    };
    let steps = match name.to_ascii_lowercase().as_str() {
        "string" => {
            let mut steps = Vec::new();
            for arg in &args {
                string_steps(arg, &mut steps).map_err(&bad)?;
            }
            steps
        }
        "enter" => no_args(Key::Enter)?,
        "tab" => no_args(Key::Tab)?,
        "backtab" => no_args(Key::BackTab)?,
        "home" => no_args(Key::Home)?,
        "newline" => no_args(Key::Newline)?,
        "eraseeof" => no_args(Key::EraseEof)?,
        "eraseinput" => no_args(Key::EraseInput)?,
        "delete" => no_args(Key::Delete)?,
        "backspace" => no_args(Key::Backspace)?,
        "left" => no_args(Key::Left)?,
        "right" => no_args(Key::Right)?,
        "up" => no_args(Key::Up)?,
        "down" => no_args(Key::Down)?,
        "left2" => no_args(Key::Left2)?,
        "right2" => no_args(Key::Right2)?,
        "nextword" => no_args(Key::WordNext)?,
        "previousword" => no_args(Key::WordPrev)?,
        "fieldend" => no_args(Key::FieldEnd)?,
        "reset" => no_args(Key::Reset)?,
        "attn" => no_args(Key::Attn)?,
        "sysreq" => no_args(Key::SysReq)?,
        "clear" => no_args(Key::Clear)?,
        "dup" => no_args(Key::Dup)?,
        "fieldmark" => no_args(Key::FieldMark)?,
        "cursorselect" => no_args(Key::CursorSelect)?,
        "toggleinsert" | "insert" => no_args(Key::ToggleInsert)?,
        "pf" => vec![Step::Key(Key::Pf(number_arg(&args, MAX_PF).map_err(&bad)?))],
        "pa" => vec![Step::Key(Key::Pa(number_arg(&args, MAX_PA).map_err(&bad)?))],
        "movecursor" | "movecursor1" => {
            let one_based = name.eq_ignore_ascii_case("movecursor1");
            let [row, col] = args.as_slice() else {
                return Err(bad("takes a row and a column".into()));
            };
            let parse = |s: &str| {
                s.parse::<usize>()
                    .map_err(|_| bad(format!("{s:?} is no number")))
            };
            let (row, col) = (parse(row)?, parse(col)?);
            let (row, col) = if one_based {
                match (row.checked_sub(1), col.checked_sub(1)) {
                    (Some(r), Some(c)) => (r, c),
                    _ => return Err(bad("rows and columns start at 1".into())),
                }
            } else {
                (row, col)
            };
            vec![Step::MoveCursor(row, col)]
        }
        _ => {
            return Err(ActionError::Unknown {
                index,
                name: name.to_owned(),
            })
        }
    };
    Ok(Action {
        name: name.to_owned(),
        steps,
    })
}

/// The guide's `function_key` (`ENTER`, `PF1`..`PF24`, `PA1`..`PA3`, `CLEAR`, `ATTN`,
/// `SYSREQ`, `TAB`, `BACKTAB`, `HOME`, `NEWLINE`, `ERASEEOF`, `ERASEINPUT`, `RESET`,
/// `DELETE`, `BACKSPACE`, `FIELDEND`, `LEFT`, `RIGHT`, `UP`, `DOWN`; case-insensitive,
/// `_` and `-` ignored, so `ERASE_EOF` and `Erase-EOF` are accepted).
pub fn function_key(name: &str) -> Option<Key> {
    let n: String = name
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .collect::<String>()
        .to_ascii_uppercase();
    let numbered = |prefix: &str, max: u8| {
        n.strip_prefix(prefix)
            .filter(|d| !d.is_empty() && d.len() <= 2 && d.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|d| d.parse::<u8>().ok())
            .filter(|k| (1..=max).contains(k))
    };
    if let Some(k) = numbered("PF", MAX_PF) {
        return Some(Key::Pf(k));
    }
    if let Some(k) = numbered("PA", MAX_PA) {
        return Some(Key::Pa(k));
    }
    Some(match n.as_str() {
        "ENTER" => Key::Enter,
        "CLEAR" => Key::Clear,
        "ATTN" => Key::Attn,
        "SYSREQ" => Key::SysReq,
        "TAB" => Key::Tab,
        "BACKTAB" => Key::BackTab,
        "HOME" => Key::Home,
        "NEWLINE" => Key::Newline,
        "ERASEEOF" => Key::EraseEof,
        "ERASEINPUT" => Key::EraseInput,
        "RESET" => Key::Reset,
        "DELETE" => Key::Delete,
        "BACKSPACE" => Key::Backspace,
        "FIELDEND" => Key::FieldEnd,
        "LEFT" => Key::Left,
        "RIGHT" => Key::Right,
        "UP" => Key::Up,
        "DOWN" => Key::Down,
        _ => return None,
    })
}

/// Splits what follows `(` into arguments; the input must end with `)` and nothing after.
/// As in s3270 4.1, arguments are separated by commas (blanks around them are skipped; a
/// blank alone is no separator: `String(x y)` is a syntax error there and here).
fn split_args(inner: &str) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    let mut chars = inner.chars().peekable();
    let skip_blanks = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
    };
    skip_blanks(&mut chars);
    if chars.next_if_eq(&')').is_some() {
        return end_of_action(chars).map(|()| args);
    }
    loop {
        skip_blanks(&mut chars);
        match chars.peek() {
            None => return Err("missing ')'".into()),
            Some('"') => {
                chars.next();
                let mut arg = String::new();
                loop {
                    match chars.next() {
                        None => return Err("unterminated quoted string".into()),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some('"') => arg.push('"'),
                            Some(c) => {
                                arg.push('\\');
                                arg.push(c);
                            }
                            None => return Err("unterminated quoted string".into()),
                        },
                        Some(c) => arg.push(c),
                    }
                }
                args.push(arg);
            }
            Some(c @ ('(' | ')' | ',')) => {
                return Err(format!("an argument expected before {c:?}"))
            }
            Some(_) => {
                let mut arg = String::new();
                while let Some(c) =
                    chars.next_if(|c| !(c.is_whitespace() || matches!(c, ',' | '(' | ')' | '"')))
                {
                    arg.push(c);
                }
                args.push(arg);
            }
        }
        if args.len() > MAX_ARGS {
            return Err(format!("more than {MAX_ARGS} arguments"));
        }
        skip_blanks(&mut chars);
        match chars.next() {
            Some(',') => {}
            Some(')') => return end_of_action(chars).map(|()| args),
            Some(c) => return Err(format!("')' or ',' expected, not {c:?}")),
            None => return Err("missing ')'".into()),
        }
    }
}

/// Only blanks may follow the closing parenthesis (one action per string).
fn end_of_action(rest: std::iter::Peekable<std::str::Chars<'_>>) -> Result<(), String> {
    let rest: String = rest.collect();
    if rest.trim().is_empty() {
        Ok(())
    } else {
        Err(format!(
            "unexpected {:?} after ')': one action per string",
            rest.trim()
        ))
    }
}

/// The one number argument of `PF(n)` / `PA(n)`, 1..=`max`.
fn number_arg(args: &[String], max: u8) -> Result<u8, String> {
    let [arg] = args else {
        return Err("takes one number".into());
    };
    arg.parse::<u8>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| format!("{arg:?} is not a number from 1 to {max}"))
}

/// Appends the steps of one `String()` argument, resolving its escapes.
fn string_steps(arg: &str, steps: &mut Vec<Step>) -> Result<(), String> {
    let mut chars = arg.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            steps.push(Step::Key(Key::Char(c)));
            continue;
        }
        let key = match chars.next() {
            Some('n') => Key::Enter,
            Some('t') => Key::Tab,
            Some('T') => Key::BackTab,
            Some('r') => Key::Newline,
            Some('b') => Key::Left,
            Some('f') => Key::Clear,
            Some('\\') => Key::Char('\\'),
            Some('"') => Key::Char('"'),
            Some('p') => {
                let kind = chars.next();
                let mut digits = String::new();
                while digits.len() < 2 {
                    match chars.next_if(char::is_ascii_digit) {
                        Some(d) => digits.push(d),
                        None => break,
                    }
                }
                let n = digits.parse::<u8>().ok();
                match (kind, n) {
                    (Some('f'), Some(n)) if (1..=MAX_PF).contains(&n) => Key::Pf(n),
                    (Some('a'), Some(n)) if (1..=MAX_PA).contains(&n) => Key::Pa(n),
                    _ => return Err(format!("bad escape \\p{}{digits}", kind.unwrap_or(' '))),
                }
            }
            Some(other) => return Err(format!("unknown escape \\{other}")),
            None => return Err("a lone backslash at the end".into()),
        };
        steps.push(Step::Key(key));
    }
    Ok(())
}

/// Applies `actions` to `term` in order; stops at the first failure (what came before stays
/// applied, and its output is in the terminal's outbound queue).
pub fn apply(term: &mut Terminal, actions: &[Action]) -> Result<(), ActionError> {
    for (index, action) in actions.iter().enumerate() {
        for step in &action.steps {
            apply_step(term, *step).map_err(|e| e.at(index, &action.name))?;
        }
    }
    Ok(())
}

/// A step's failure before it knows its action.
enum StepError {
    Locked(&'static str),
    Unencodable,
    OutOfRange(usize, usize),
}

impl StepError {
    fn at(self, index: usize, name: &str) -> ActionError {
        let name = name.to_owned();
        match self {
            StepError::Locked(reason) => ActionError::Locked {
                index,
                name,
                reason,
            },
            StepError::Unencodable => ActionError::Unencodable { index, name },
            StepError::OutOfRange(rows, cols) => ActionError::OutOfRange {
                index,
                name,
                size: (rows, cols),
            },
        }
    }
}

fn apply_step(term: &mut Terminal, step: Step) -> Result<(), StepError> {
    match step {
        Step::Key(key) => outcome(term.key(key)),
        Step::MoveCursor(row, col) => {
            let (rows, cols) = (term.screen().rows(), term.screen().cols());
            if row >= rows || col >= cols {
                return Err(StepError::OutOfRange(rows, cols));
            }
            if let Some(reason) = term.screen().lock() {
                return Err(StepError::Locked(lock_name(reason)));
            }
            let (now_row, now_col) = term.screen().row_col(term.screen().cursor());
            let vertical = if row >= now_row {
                (Key::Down, row - now_row)
            } else {
                (Key::Up, now_row - row)
            };
            let horizontal = if col >= now_col {
                (Key::Right, col - now_col)
            } else {
                (Key::Left, now_col - col)
            };
            for (key, times) in [vertical, horizontal] {
                for _ in 0..times {
                    outcome(term.key(key))?;
                }
            }
            Ok(())
        }
    }
}

fn outcome(outcome: KeyOutcome) -> Result<(), StepError> {
    match outcome {
        KeyOutcome::Locked(reason) => Err(StepError::Locked(lock_name(reason))),
        KeyOutcome::Refused(Refusal::Inhibited(reason)) => {
            Err(StepError::Locked(lock_name(reason)))
        }
        KeyOutcome::Refused(Refusal::NotConnected) => Err(StepError::Locked("not-connected")),
        KeyOutcome::Refused(Refusal::TypeAheadFull) => Err(StepError::Locked("typeahead-full")),
        KeyOutcome::Refused(Refusal::Unencodable) => Err(StepError::Unencodable),
        // PF/PA numbers are checked when parsing; nothing else is refused.
        KeyOutcome::Refused(Refusal::NoSuchKey) => Err(StepError::Unencodable),
        KeyOutcome::Nothing
        | KeyOutcome::Changed
        | KeyOutcome::Sent(_)
        | KeyOutcome::Attn
        | KeyOutcome::SysReq
        | KeyOutcome::Queued => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn steps(text: &str) -> Vec<Step> {
        parse(0, text).unwrap().steps
    }

    fn chars(s: &str) -> Vec<Step> {
        s.chars().map(|c| Step::Key(Key::Char(c))).collect()
    }

    #[test]
    fn string_with_quotes_escapes_and_several_arguments() {
        assert_eq!(steps(r#"String("ab")"#), chars("ab"));
        assert_eq!(steps("String(ab)"), chars("ab"));
        assert_eq!(steps(r#"string("a b", c)"#), chars("a bc"));
        assert_eq!(steps(r#"String("say \"hi\"")"#), chars("say \"hi\""));
        assert_eq!(steps(r#"String("a\\b")"#), chars("a\\b"));
        let mut expected = chars("x");
        expected.extend([
            Step::Key(Key::Enter),
            Step::Key(Key::Tab),
            Step::Key(Key::BackTab),
            Step::Key(Key::Newline),
            Step::Key(Key::Left),
            Step::Key(Key::Clear),
            Step::Key(Key::Pf(12)),
            Step::Key(Key::Pa(2)),
        ]);
        assert_eq!(steps(r#"String("x\n\t\T\r\b\f\pf12\pa2")"#), expected);
    }

    #[test]
    fn keys_numbers_and_cursor() {
        assert_eq!(steps("Enter"), vec![Step::Key(Key::Enter)]);
        assert_eq!(steps(" enter ( ) "), vec![Step::Key(Key::Enter)]);
        assert_eq!(steps("PF(3)"), vec![Step::Key(Key::Pf(3))]);
        assert_eq!(steps("PA(1)"), vec![Step::Key(Key::Pa(1))]);
        assert_eq!(steps("MoveCursor(5, 10)"), vec![Step::MoveCursor(5, 10)]);
        assert_eq!(steps("movecursor( 5 , 10 )"), vec![Step::MoveCursor(5, 10)]);
        assert_eq!(steps(r#"String("x" , "y")"#), chars("xy"));
        assert_eq!(steps("String(a\\tb)"), {
            let mut v = chars("a");
            v.push(Step::Key(Key::Tab));
            v.extend(chars("b"));
            v
        });
        assert_eq!(steps("MoveCursor1(1,1)"), vec![Step::MoveCursor(0, 0)]);
        assert_eq!(steps("EraseEOF()"), vec![Step::Key(Key::EraseEof)]);
    }

    #[test]
    fn malformed_actions_are_refused_with_their_index() {
        let cases: &[(&str, &str)] = &[
            ("Bogus()", "unknown"),
            ("String(\"abc", "syntax"),
            ("String(abc", "syntax"),
            ("Enter() x", "syntax"),
            ("(x)", "syntax"),
            ("", "syntax"),
            ("PF(25)", "args"),
            ("PF(0)", "args"),
            ("PF()", "args"),
            ("PA(4)", "args"),
            ("Enter(1)", "args"),
            ("MoveCursor(1)", "args"),
            ("MoveCursor(5 10)", "syntax"),
            ("String(x y)", "syntax"),
            ("String(a,)", "syntax"),
            ("String(,a)", "syntax"),
            ("PF(3)x", "syntax"),
            ("MoveCursor1(0,1)", "args"),
            ("MoveCursor(a,b)", "args"),
            (r#"String("\q")"#, "args"),
            (r#"String("\pf99")"#, "args"),
            (r#"String("\")"#, "syntax"),
            ("String(a,b,c,d,e,f,g,h,i,j)", "syntax"),
        ];
        for (text, kind) in cases {
            let err = parse(7, text).unwrap_err();
            assert_eq!(err.index(), 7, "{text}");
            let got = match err {
                ActionError::Unknown { .. } => "unknown",
                ActionError::Syntax { .. } => "syntax",
                ActionError::BadArguments { .. } => "args",
                _ => "other",
            };
            assert_eq!(got, *kind, "{text}: {err}");
        }
        let long = format!("String(\"{}\")", "x".repeat(MAX_ACTION_CHARS));
        assert!(matches!(parse(0, &long), Err(ActionError::Syntax { .. })));
        let many = vec!["Enter".to_owned(); MAX_ACTIONS + 1];
        assert!(parse_all(&many).is_err());
    }

    #[test]
    fn function_key_names() {
        assert_eq!(function_key("ENTER"), Some(Key::Enter));
        assert_eq!(function_key("pf24"), Some(Key::Pf(24)));
        assert_eq!(function_key("PF25"), None);
        assert_eq!(function_key("PF0"), None);
        assert_eq!(function_key("PA3"), Some(Key::Pa(3)));
        assert_eq!(function_key("Erase_EOF"), Some(Key::EraseEof));
        assert_eq!(function_key("SYSREQ"), Some(Key::SysReq));
        assert_eq!(function_key("F1"), None);
    }
}
