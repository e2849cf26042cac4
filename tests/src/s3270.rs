//! [`S3270`]: the s3270 client (x3270 suite 4.1) as the conformance oracle.
//!
//! A test builds a [`Script`] of s3270 actions, runs it with [`S3270::run`] (the script is fed
//! on stdin, as PEERS.md shows) and gets an [`S3270Run`]: one [`Reply`] per action, each with
//! its `data:` lines, the status line and `ok`/`error`. [`Script::snapshot`] adds the actions
//! that capture what a user sees and [`S3270Run::snapshot`] parses them into a [`Snapshot`]:
//! the `Ascii()` rows, the cursor, `ReadBuffer(Ascii)` as cells and [`Field`]s with their
//! attributes (`SF(c0=e4,42=f1)`), and the connection state. With [`S3270::trace`] the run
//! keeps s3270's trace file (parsed by [`crate::trace::S3270Trace`]).
//!
//! s3270 quirks handled here (see PEERS.md): `Enter()` blocks until the host unlocks the
//! keyboard, forever against Hercules, so runs use `-clear aidWait` unless told otherwise and
//! scripts wait with `Wait(n,Unlock)`; `-model 3278-2` still sends `IBM-3278-2-E` (use
//! [`S3270::terminal_type`]); `-oversize` is `COLSxROWS`; `MoveCursor` is 0-based.
//! This module does not decode the data stream: it reads s3270's view of it.

use std::path::PathBuf;
use std::process::{Command, ExitStatus};
use std::time::Duration;

use crate::{HarnessError, ProcessGuard, TestDir};

/// How long one s3270 run may take unless [`S3270::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A script of s3270 actions, one per line.
#[derive(Debug, Clone, Default)]
pub struct Script {
    actions: Vec<String>,
}

/// Where a [`Script::snapshot`] sits in its script (the index of its first action).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotId(usize);

impl SnapshotId {
    /// The index of the snapshot's first action (`Ascii()`) in the script.
    pub fn index(self) -> usize {
        self.0
    }
}

/// The actions a snapshot consists of, in order.
const SNAPSHOT_ACTIONS: [&str; 4] = [
    "Ascii()",
    "Query(Cursor)",
    "ReadBuffer(Ascii)",
    "Query(ConnectionState)",
];

impl Script {
    /// An empty script.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends any action verbatim, e.g. `"PA(1)"`.
    pub fn action(&mut self, action: impl Into<String>) -> &mut Self {
        self.actions.push(action.into());
        self
    }

    /// `Connect(host)`; `host` may carry s3270 prefixes (`L:` for TLS) and `LU@`.
    pub fn connect(&mut self, host: &str) -> &mut Self {
        self.action(format!("Connect({})", quote(host)))
    }

    /// `Wait(secs,Unlock)`: until the keyboard unlocks.
    pub fn wait_unlock(&mut self, secs: u32) -> &mut Self {
        self.action(format!("Wait({secs},Unlock)"))
    }

    /// `Wait(secs,Disconnect)`: until the host closes the connection.
    pub fn wait_disconnect(&mut self, secs: u32) -> &mut Self {
        self.action(format!("Wait({secs},Disconnect)"))
    }

    /// `String("text")`: types text at the cursor.
    pub fn string(&mut self, text: &str) -> &mut Self {
        self.action(format!("String({})", quote(text)))
    }

    /// `Enter()`.
    pub fn enter(&mut self) -> &mut Self {
        self.action("Enter()")
    }

    /// `Tab()`.
    pub fn tab(&mut self) -> &mut Self {
        self.action("Tab()")
    }

    /// `PF(n)`.
    pub fn pf(&mut self, n: u8) -> &mut Self {
        self.action(format!("PF({n})"))
    }

    /// `MoveCursor(row,col)`, 0-based.
    pub fn move_cursor(&mut self, row: usize, col: usize) -> &mut Self {
        self.action(format!("MoveCursor({row},{col})"))
    }

    /// `EraseEOF()`.
    pub fn erase_eof(&mut self) -> &mut Self {
        self.action("EraseEOF()")
    }

    /// Captures the screen: `Ascii()`, `Query(Cursor)`, `ReadBuffer(Ascii)`,
    /// `Query(ConnectionState)`. Read it back with [`S3270Run::snapshot`].
    pub fn snapshot(&mut self) -> SnapshotId {
        let id = SnapshotId(self.actions.len());
        for action in SNAPSHOT_ACTIONS {
            self.action(action);
        }
        id
    }

    /// `Quit()`.
    pub fn quit(&mut self) -> &mut Self {
        self.action("Quit()")
    }

    /// The actions, in order.
    pub fn actions(&self) -> &[String] {
        &self.actions
    }

    /// The script as s3270 reads it on stdin (ends with `Quit()`).
    pub fn text(&self) -> String {
        let mut text = self.actions.join("\n");
        if self.actions.last().map(String::as_str) != Some("Quit()") {
            text.push_str("\nQuit()");
        }
        text.push('\n');
        text
    }
}

/// Quotes an action argument the way s3270 parses it (`"..."` with `\"` and `\\`).
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// How s3270 is started.
#[derive(Debug, Clone)]
pub struct S3270 {
    args: Vec<String>,
    aid_wait: bool,
    trace: bool,
    timeout: Duration,
}

impl Default for S3270 {
    fn default() -> Self {
        Self::new()
    }
}

impl S3270 {
    /// s3270 with its defaults, `-clear aidWait`, no trace.
    pub fn new() -> Self {
        Self {
            args: Vec::new(),
            aid_wait: false,
            trace: false,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// `-model NAME`, e.g. `3279-2-E`, `3278-5`.
    pub fn model(mut self, model: &str) -> Self {
        self.args.extend(["-model".into(), model.into()]);
        self
    }

    /// `-tn NAME`: the terminal type sent to the host, e.g. `IBM-3278-2`, `IBM-DYNAMIC`.
    pub fn terminal_type(mut self, name: &str) -> Self {
        self.args.extend(["-tn".into(), name.into()]);
        self
    }

    /// `-oversize COLSxROWS`.
    pub fn oversize(mut self, cols: u16, rows: u16) -> Self {
        self.args
            .extend(["-oversize".into(), format!("{cols}x{rows}")]);
        self
    }

    /// `-codepage NAME`, e.g. `cp037`, `cp273`.
    pub fn codepage(mut self, name: &str) -> Self {
        self.args.extend(["-codepage".into(), name.into()]);
        self
    }

    /// Keeps s3270's default `aidWait` (AID actions block until the host unlocks).
    pub fn aid_wait(mut self, on: bool) -> Self {
        self.aid_wait = on;
        self
    }

    /// Records a trace (`-trace -tracefile NAME.trc` in the test directory).
    pub fn trace(mut self, on: bool) -> Self {
        self.trace = on;
        self
    }

    /// Any other command-line argument.
    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.into());
        self
    }

    /// The longest the whole run may take before s3270 is stopped.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Runs `script`; files `NAME.s3270` (script), `NAME.out` (output) and `NAME.trc` (trace)
    /// are kept in `dir`. Fails only when s3270 cannot run or hangs: the replies say what each
    /// action did.
    pub fn run(
        &self,
        dir: &TestDir,
        name: &str,
        script: &Script,
    ) -> Result<S3270Run, HarnessError> {
        let (mut guard, output, trace) = self.start(dir, name, script)?;
        let status = guard.wait_exit(self.timeout)?;
        let replies = parse_replies(&guard.log_text(), script.actions());
        Ok(S3270Run {
            replies,
            status,
            output,
            trace,
        })
    }

    /// Starts `script` without waiting for it (e.g. a client that holds a connection while
    /// the test does something else); s3270 is stopped when the guard drops. Its output is
    /// `NAME.out` in `dir`.
    pub fn spawn(
        &self,
        dir: &TestDir,
        name: &str,
        script: &Script,
    ) -> Result<ProcessGuard, HarnessError> {
        self.start(dir, name, script).map(|(guard, _, _)| guard)
    }

    /// Writes the script and starts s3270 on it: (guard, output file, trace file).
    fn start(&self, dir: &TestDir, name: &str, script: &Script) -> Result<Started, HarnessError> {
        let script_path = dir.write(&format!("{name}.s3270"), &script.text())?;
        let output = dir.join(&format!("{name}.out"));
        let trace = self.trace.then(|| dir.join(&format!("{name}.trc")));
        let mut cmd = Command::new("s3270");
        if !self.aid_wait {
            cmd.args(["-clear", "aidWait"]);
        }
        if let Some(trace) = &trace {
            let _ = std::fs::remove_file(trace);
            cmd.arg("-trace").arg("-tracefile").arg(trace);
        }
        cmd.args(&self.args).current_dir(dir.path());
        let guard = ProcessGuard::spawn_with_input("s3270", cmd, &output, Some(&script_path))?;
        Ok((guard, output, trace))
    }
}

/// A started s3270: its guard, output file and trace file.
type Started = (ProcessGuard, PathBuf, Option<PathBuf>);

/// The result of one s3270 run.
#[derive(Debug, Clone)]
pub struct S3270Run {
    /// One reply per action that s3270 answered, in script order.
    pub replies: Vec<Reply>,
    /// s3270's exit status.
    pub status: ExitStatus,
    /// The file holding s3270's output.
    pub output: PathBuf,
    /// The trace file, when tracing was on.
    pub trace: Option<PathBuf>,
}

impl S3270Run {
    /// The reply to the action at `index` of the script.
    pub fn reply(&self, index: usize) -> Result<&Reply, HarnessError> {
        self.replies.get(index).ok_or_else(|| {
            HarnessError::parse(
                format!("s3270 output {}", self.output.display()),
                format!(
                    "no reply to action {index} (s3270 answered {})",
                    self.replies.len()
                ),
            )
        })
    }

    /// The screen captured by [`Script::snapshot`].
    pub fn snapshot(&self, id: SnapshotId) -> Result<Snapshot, HarnessError> {
        let SnapshotId(first) = id;
        let ascii = self.ok_reply(first)?;
        let cursor = self.ok_reply(first + 1)?;
        let buffer = self.ok_reply(first + 2)?;
        let state = self.ok_reply(first + 3)?;
        Ok(Snapshot {
            rows: ascii.data.clone(),
            cursor: parse_cursor(cursor.data.first().map(String::as_str).unwrap_or_default())?,
            buffer: ReadBuffer::parse(&buffer.data)?,
            connection_state: state.data.first().cloned().unwrap_or_default(),
            status: ascii.status.clone(),
        })
    }

    /// The reply at `index`, which must be `ok`.
    pub fn ok_reply(&self, index: usize) -> Result<&Reply, HarnessError> {
        let reply = self.reply(index)?;
        if reply.ok {
            Ok(reply)
        } else {
            Err(HarnessError::parse(
                format!("s3270 reply to {}", reply.action),
                format!("error: {}", reply.data.join(" | ")),
            ))
        }
    }
}

/// s3270's answer to one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The action (from the script).
    pub action: String,
    /// The `data:` lines, without the prefix.
    pub data: Vec<String>,
    /// The status line that preceded `ok`/`error`.
    pub status: Option<Status>,
    /// `ok` (true) or `error` (false).
    pub ok: bool,
}

/// s3270's status line, e.g. `U F U C(127.0.0.1) I 2 24 80 7 24 0x0 0.079`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Keyboard: `U` unlocked, `L` locked, `E` error-locked.
    pub keyboard: char,
    /// `F` formatted screen, `U` unformatted.
    pub formatted: bool,
    /// The cursor is in a protected field (`P`).
    pub protected: bool,
    /// `C(host)` connected; `N` not connected.
    pub connected: bool,
    /// Emulator mode: `I` 3270, `L`/`C` NVT line/character, `P` unbound, `N` not connected.
    pub mode: char,
    /// Model number (2-5).
    pub model: u8,
    /// Rows now in use.
    pub rows: usize,
    /// Columns now in use.
    pub cols: usize,
    /// Cursor row, 0-based.
    pub cursor_row: usize,
    /// Cursor column, 0-based.
    pub cursor_col: usize,
}

impl Status {
    /// Parses a status line; `None` when the line is not one.
    pub fn parse(line: &str) -> Option<Self> {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() != 12 {
            return None;
        }
        let one = |s: &str| -> Option<char> {
            let mut chars = s.chars();
            let c = chars.next()?;
            chars.next().is_none().then_some(c)
        };
        let keyboard = one(f[0]).filter(|c| "ULE".contains(*c))?;
        let formatted = one(f[1]).filter(|c| "FU".contains(*c))? == 'F';
        let protected = one(f[2]).filter(|c| "PU".contains(*c))? == 'P';
        let connected = f[3].starts_with("C(");
        if !connected && f[3] != "N" {
            return None;
        }
        Some(Self {
            keyboard,
            formatted,
            protected,
            connected,
            mode: one(f[4])?,
            model: f[5].parse().ok()?,
            rows: f[6].parse().ok()?,
            cols: f[7].parse().ok()?,
            cursor_row: f[8].parse().ok()?,
            cursor_col: f[9].parse().ok()?,
        })
    }
}

/// Splits s3270's output into replies: `data:` lines, a status line, then `ok` or `error`.
/// Other lines (prompts, warnings on stderr) are ignored. Replies are paired with `actions`
/// in order; s3270 answers each action exactly once.
pub fn parse_replies(output: &str, actions: &[String]) -> Vec<Reply> {
    let mut replies = Vec::new();
    let mut data = Vec::new();
    let mut status = None;
    for line in output.lines() {
        if let Some(rest) = line.strip_prefix("data: ") {
            data.push(rest.to_string());
        } else if line == "data:" {
            data.push(String::new());
        } else if line == "ok" || line == "error" {
            let action = actions.get(replies.len()).cloned().unwrap_or_default();
            replies.push(Reply {
                action,
                data: std::mem::take(&mut data),
                status: status.take(),
                ok: line == "ok",
            });
        } else if let Some(parsed) = Status::parse(line) {
            status = Some(parsed);
        }
    }
    replies
}

fn parse_cursor(line: &str) -> Result<(usize, usize), HarnessError> {
    let mut parts = line.split_whitespace().map(str::parse::<usize>);
    match (parts.next(), parts.next()) {
        (Some(Ok(row)), Some(Ok(col))) => Ok((row, col)),
        _ => Err(HarnessError::parse("Query(Cursor)", format!("{line:?}"))),
    }
}

/// What a user sees, as s3270 shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// `Ascii()`: one string per row, full width (trailing blanks kept).
    pub rows: Vec<String>,
    /// The cursor (row, col), 0-based.
    pub cursor: (usize, usize),
    /// `ReadBuffer(Ascii)`, parsed.
    pub buffer: ReadBuffer,
    /// `Query(ConnectionState)`, e.g. `connected-tn3270e`, `connected-3270`, `not-connected`.
    pub connection_state: String,
    /// The status line of the `Ascii()` reply.
    pub status: Option<Status>,
}

impl Snapshot {
    /// The screen text, rows joined with newlines, trailing blanks of each row removed.
    pub fn text(&self) -> String {
        self.rows
            .iter()
            .map(|r| r.trim_end())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Row `n` (0-based), trimmed at both ends; empty past the last row.
    pub fn row(&self, n: usize) -> &str {
        self.rows.get(n).map(|r| r.trim()).unwrap_or_default()
    }

    /// Whether `needle` occurs in any row.
    pub fn contains(&self, needle: &str) -> bool {
        self.rows.iter().any(|r| r.contains(needle))
    }

    /// The field whose data includes (row, col), or whose attribute sits there.
    pub fn field_at(&self, row: usize, col: usize) -> Option<&Field> {
        self.buffer.field_at(row, col)
    }
}

/// One cell of `ReadBuffer(Ascii)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// A field attribute (`SF(c0=..,41=..,42=..)`): its attribute type/value pairs.
    FieldAttribute(Vec<(u8, u8)>),
    /// A character (ASCII code as s3270 shows it; 0 for a null) with any character
    /// attributes (`SA(..)`) that precede it.
    Char(u8, Vec<(u8, u8)>),
}

/// `ReadBuffer(Ascii)`: the cells row by row, and the fields they form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadBuffer {
    /// Cells, one `Vec` per row.
    pub cells: Vec<Vec<Cell>>,
    /// Fields in buffer order (empty on an unformatted screen).
    pub fields: Vec<Field>,
}

/// A field, from its attribute cell up to the next one (wrapping around the buffer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Row of the attribute cell (0-based).
    pub row: usize,
    /// Column of the attribute cell (0-based).
    pub col: usize,
    /// All attribute pairs, e.g. `[(0xc0, 0xe4), (0x42, 0xf1)]`.
    pub attrs: Vec<(u8, u8)>,
    /// The field's data as text (nulls as blanks).
    pub text: String,
}

/// Extended attribute type of the 3270 field attribute (GA23-0059 §4.4.5).
pub const XA_3270: u8 = 0xc0;
/// Extended attribute type: extended highlighting.
pub const XA_HIGHLIGHTING: u8 = 0x41;
/// Extended attribute type: foreground colour.
pub const XA_FOREGROUND: u8 = 0x42;
/// Field attribute bit: protected.
pub const FA_PROTECT: u8 = 0x20;
/// Field attribute bit: numeric.
pub const FA_NUMERIC: u8 = 0x10;
/// Field attribute bits: display (00 normal, 01 normal/pen, 10 intensified, 11 non-display).
pub const FA_DISPLAY: u8 = 0x0c;
/// Field attribute bit: modified data tag.
pub const FA_MDT: u8 = 0x01;

impl Field {
    /// The value of attribute `kind` (e.g. [`XA_FOREGROUND`]), if present.
    pub fn attr(&self, kind: u8) -> Option<u8> {
        self.attrs.iter().find(|(k, _)| *k == kind).map(|(_, v)| *v)
    }

    /// The 3270 field attribute byte (`c0`).
    pub fn fa(&self) -> u8 {
        self.attr(XA_3270).unwrap_or(0)
    }

    /// Protected field.
    pub fn protected(&self) -> bool {
        self.fa() & FA_PROTECT != 0
    }

    /// Numeric field.
    pub fn numeric(&self) -> bool {
        self.fa() & FA_NUMERIC != 0
    }

    /// Non-display (hidden) field.
    pub fn hidden(&self) -> bool {
        self.fa() & FA_DISPLAY == FA_DISPLAY
    }

    /// Intensified field.
    pub fn intensified(&self) -> bool {
        self.fa() & FA_DISPLAY == 0x08
    }

    /// Foreground colour (`42`), e.g. 0xf2 red.
    pub fn color(&self) -> Option<u8> {
        self.attr(XA_FOREGROUND)
    }

    /// Extended highlighting (`41`), e.g. 0xf4 underscore.
    pub fn highlighting(&self) -> Option<u8> {
        self.attr(XA_HIGHLIGHTING)
    }
}

impl ReadBuffer {
    /// Parses the `data:` lines of `ReadBuffer(Ascii)`.
    pub fn parse(lines: &[String]) -> Result<Self, HarnessError> {
        let cells = lines
            .iter()
            .map(|l| parse_row(l))
            .collect::<Result<Vec<_>, _>>()?;
        let width = cells.first().map(Vec::len).unwrap_or(0);
        let flat: Vec<&Cell> = cells.iter().flatten().collect();
        let starts: Vec<usize> = flat
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c, Cell::FieldAttribute(_)))
            .map(|(i, _)| i)
            .collect();
        let mut fields = Vec::with_capacity(starts.len());
        for (n, &start) in starts.iter().enumerate() {
            let end = starts
                .get(n + 1)
                .copied()
                .unwrap_or(flat.len() + starts.first().copied().unwrap_or(0));
            let text: String = (start + 1..end)
                .filter_map(|i| flat.get(i % flat.len().max(1)))
                .map(|c| match c {
                    Cell::Char(0, _) => ' ',
                    Cell::Char(b, _) => char::from(*b),
                    Cell::FieldAttribute(_) => ' ',
                })
                .collect();
            let attrs = match flat.get(start) {
                Some(Cell::FieldAttribute(attrs)) => attrs.clone(),
                _ => Vec::new(),
            };
            let (row, col) = (
                start.checked_div(width).unwrap_or(0),
                start.checked_rem(width).unwrap_or(0),
            );
            fields.push(Field {
                row,
                col,
                attrs,
                text,
            });
        }
        Ok(Self { cells, fields })
    }

    /// Columns per row.
    pub fn width(&self) -> usize {
        self.cells.first().map(Vec::len).unwrap_or(0)
    }

    /// The field whose attribute or data covers (row, col).
    pub fn field_at(&self, row: usize, col: usize) -> Option<&Field> {
        let width = self.width();
        let pos = row * width + col;
        let size = self.cells.len() * width;
        let start_of = |f: &Field| f.row * width + f.col;
        // The last field attribute at or before pos, wrapping to the last one on the screen.
        self.fields
            .iter()
            .rev()
            .find(|f| start_of(f) <= pos)
            .or_else(|| self.fields.last())
            .filter(|_| size > 0)
    }
}

fn parse_row(line: &str) -> Result<Vec<Cell>, HarnessError> {
    let mut cells = Vec::new();
    let mut pending_sa: Vec<(u8, u8)> = Vec::new();
    for token in line.split_whitespace() {
        let mut rest = token;
        loop {
            if let Some(inner) = rest.strip_prefix("SF(") {
                let (attrs, tail) = parse_attrs(inner, token)?;
                cells.push(Cell::FieldAttribute(attrs));
                rest = tail;
            } else if let Some(inner) = rest.strip_prefix("SA(") {
                let (attrs, tail) = parse_attrs(inner, token)?;
                pending_sa.extend(attrs);
                rest = tail;
            } else if rest.is_empty() {
                break;
            } else {
                let hex = rest.get(..2).unwrap_or(rest);
                let byte = u8::from_str_radix(hex, 16).map_err(|_| {
                    HarnessError::parse("ReadBuffer(Ascii)", format!("cell {token:?}"))
                })?;
                cells.push(Cell::Char(byte, std::mem::take(&mut pending_sa)));
                rest = rest.get(hex.len()..).unwrap_or_default();
            }
        }
    }
    Ok(cells)
}

/// Attribute type/value pairs.
type Attrs = Vec<(u8, u8)>;

/// Parses `k=v,k=v)` and returns the pairs and what follows the `)`.
fn parse_attrs<'a>(inner: &'a str, token: &str) -> Result<(Attrs, &'a str), HarnessError> {
    let bad = || HarnessError::parse("ReadBuffer(Ascii)", format!("attribute {token:?}"));
    let close = inner.find(')').ok_or_else(bad)?;
    let (list, tail) = inner.split_at(close);
    let mut attrs = Vec::new();
    for pair in list.split(',').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').ok_or_else(bad)?;
        attrs.push((
            u8::from_str_radix(k, 16).map_err(|_| bad())?,
            u8::from_str_radix(v, 16).map_err(|_| bad())?,
        ));
    }
    Ok((attrs, tail.get(1..).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_pair_data_status_and_ok_with_actions() {
        let out = "U F U C(127.0.0.1) I 2 24 80 7 24 0x0 0.079\nok\n\
                   data: 7 24\nU F U C(127.0.0.1) I 2 24 80 7 24 0x0 0.000\nok\n\
                   data: Wait(): Timed out\nL F P C(127.0.0.1) I 2 24 80 0 0 0x0 2.001\nerror\n";
        let actions: Vec<String> = ["Connect(x)", "Query(Cursor)", "Wait(2,Unlock)"]
            .map(String::from)
            .into();
        let replies = parse_replies(out, &actions);
        assert_eq!(replies.len(), 3);
        assert!(replies[0].ok && replies[0].data.is_empty());
        assert_eq!(replies[1].data, vec!["7 24".to_string()]);
        assert_eq!(
            replies[1]
                .status
                .as_ref()
                .map(|s| (s.cursor_row, s.cursor_col)),
            Some((7, 24))
        );
        assert!(!replies[2].ok);
        assert_eq!(replies[2].action, "Wait(2,Unlock)");
        assert_eq!(
            replies[2]
                .status
                .as_ref()
                .map(|s| (s.keyboard, s.protected)),
            Some(('L', true))
        );
    }

    #[test]
    fn read_buffer_forms_fields_with_attributes() {
        // Row 0: protected label "AB", then an unprotected underscored green field "x".
        // Row 1: a character with a character attribute, then nulls.
        let lines = vec![
            "SF(c0=e4,42=f1) 41 42 SF(c0=c4,42=f4,41=f4) 78 00".to_string(),
            "SA(42=f2)43 00 00 00 00 00".to_string(),
        ];
        let rb = ReadBuffer::parse(&lines).unwrap();
        assert_eq!(rb.width(), 6);
        assert_eq!(rb.fields.len(), 2);
        assert_eq!(rb.fields[0].text, "AB");
        assert!(rb.fields[0].protected());
        let input = &rb.fields[1];
        assert_eq!((input.row, input.col), (0, 3));
        assert!(!input.protected() && !input.numeric() && !input.hidden());
        assert_eq!(input.color(), Some(0xf4));
        assert_eq!(input.highlighting(), Some(0xf4));
        // The second field runs to the end of the buffer and wraps to the first attribute.
        assert_eq!(input.text, "x C     ");
        assert_eq!(rb.cells[1][0], Cell::Char(0x43, vec![(0x42, 0xf2)]));
        assert_eq!(rb.field_at(1, 3).map(|f| f.col), Some(3));
        assert_eq!(rb.field_at(0, 1).map(|f| f.col), Some(0));
    }

    #[test]
    fn malformed_read_buffer_is_an_error_not_a_panic() {
        assert!(ReadBuffer::parse(&["SF(c0=zz) 41".to_string()]).is_err());
        assert!(ReadBuffer::parse(&["SF(c0=e4 41".to_string()]).is_err());
        assert!(ReadBuffer::parse(&["4".to_string()]).is_ok());
    }

    #[test]
    fn strings_are_quoted_for_s3270() {
        assert_eq!(quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        let mut s = Script::new();
        s.string("two words").enter();
        assert_eq!(s.text(), "String(\"two words\")\nEnter()\nQuit()\n");
    }
}
