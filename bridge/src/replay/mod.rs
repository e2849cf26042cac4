//! `web3270 replay`: run a recorded host byte stream through the client side of the core and
//! print the screen exactly as s3270's `Ascii()` prints it (or as JSON).
//!
//! ```text
//! web3270 replay [--raw] [-model M] [-oversize COLSxROWS] [-tn TYPE] [--code-page CP]
//!                [--format text|json] [--each] FILE
//! ```
//! FILE is an x3270/s3270 trace (`-trace -tracefile F`), whose `< 0x...` lines are the host's
//! bytes, or with `--raw` the host's bytes themselves. The terminal negotiates as s3270 would
//! with the same options (its answers go nowhere), so TN3270E and BIND-IMAGE take effect.

pub mod trace;

use std::fmt::Write as _;

use tn3270::codepage::CodePage;
use tn3270::terminal::{Terminal, TerminalConfig, TerminalEvent, TerminalModel};

/// Parsed `replay` options.
#[derive(Debug, Clone)]
pub struct ReplayArgs {
    /// The input file.
    pub file: String,
    /// The file is raw host bytes, not a trace.
    pub raw: bool,
    /// The terminal model.
    pub model: TerminalModel,
    /// The host code page.
    pub code_page: &'static CodePage,
    /// JSON output.
    pub json: bool,
    /// Print the screen after every host record.
    pub each: bool,
}

/// A replay failure, printed as one line.
#[derive(Debug)]
pub enum ReplayError {
    /// Bad command line.
    Usage(String),
    /// The file could not be read.
    Io(String, std::io::Error),
    /// The trace is malformed.
    Trace(trace::TraceError),
}

impl std::fmt::Display for ReplayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplayError::Usage(m) => write!(f, "{m}\n{USAGE}"),
            ReplayError::Io(p, e) => write!(f, "cannot read {p}: {e}"),
            ReplayError::Trace(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReplayError {}

/// Usage text.
pub const USAGE: &str = "usage: web3270 replay [--raw] [-model 3279-2-E] [-oversize COLSxROWS] \
[-tn TYPE] [--code-page cp037] [--format text|json] [--each] FILE";

impl ReplayArgs {
    /// Parses the arguments after `replay`. Options take one or two leading dashes.
    pub fn parse(args: &[String]) -> Result<ReplayArgs, ReplayError> {
        let usage = |m: String| ReplayError::Usage(m);
        let mut file = None;
        let mut raw = false;
        let mut model = TerminalModel::default();
        let mut oversize: Option<String> = None;
        let mut tn: Option<String> = None;
        let mut code_page = "cp037".to_string();
        let mut json = false;
        let mut each = false;
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let name = a.trim_start_matches('-');
            let mut value = |what: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| usage(format!("{what} needs a value")))
            };
            match (a.starts_with('-'), name) {
                (true, "raw") => raw = true,
                (true, "each") => each = true,
                (true, "model") => {
                    model =
                        TerminalModel::parse(&value("-model")?).map_err(|e| usage(e.to_string()))?
                }
                (true, "oversize") => oversize = Some(value("-oversize")?),
                (true, "tn") => tn = Some(value("-tn")?),
                (true, "code-page" | "codepage") => code_page = value("--code-page")?,
                (true, "format") => match value("--format")?.as_str() {
                    "json" => json = true,
                    "text" => json = false,
                    other => return Err(usage(format!("unknown format '{other}'"))),
                },
                (true, "h" | "help") => return Err(usage(String::new())),
                (true, _) => return Err(usage(format!("unknown option '{a}'"))),
                (false, _) if file.is_none() => file = Some(a.clone()),
                (false, _) => return Err(usage(format!("unexpected argument '{a}'"))),
            }
        }
        if let Some(o) = oversize {
            model = model.with_oversize(&o).map_err(|e| usage(e.to_string()))?;
        }
        if let Some(t) = tn {
            model = model.with_terminal_name(&t);
        }
        let code_page = CodePage::by_name(&code_page)
            .ok_or_else(|| usage(format!("unknown code page '{code_page}'")))?;
        Ok(ReplayArgs {
            file: file.ok_or_else(|| usage("no FILE given".to_string()))?,
            raw,
            model,
            code_page,
            json,
            each,
        })
    }
}

/// Runs a replay and returns what it prints.
pub fn run(args: &ReplayArgs) -> Result<String, ReplayError> {
    let data = std::fs::read(&args.file).map_err(|e| ReplayError::Io(args.file.clone(), e))?;
    let reads = if args.raw {
        vec![data]
    } else {
        trace::host_reads(&String::from_utf8_lossy(&data)).map_err(ReplayError::Trace)?
    };
    let mut term = Terminal::new(TerminalConfig {
        model: args.model.clone(),
        code_page: args.code_page,
        ..TerminalConfig::default()
    });
    let mut out = String::new();
    for read in &reads {
        term.feed(read);
        while let Some(ev) = term.poll_event() {
            if args.each && matches!(ev, TerminalEvent::RecordApplied) {
                render(&term, args.json, &mut out);
            }
        }
        // The host never hears our answers in a replay.
        let _ = term.take_output();
    }
    if !args.each {
        render(&term, args.json, &mut out);
    }
    Ok(out)
}

fn render(term: &Terminal, json: bool, out: &mut String) {
    if json {
        let json = serde_json::to_string(&term.snapshot()).unwrap_or_default();
        let _ = writeln!(out, "{json}");
    } else {
        for row in term.text_rows() {
            let _ = writeln!(out, "{row}");
        }
    }
}
