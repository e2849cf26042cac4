//! [`run_tnz`]: IBM's tnz (PyPI `tnz`), a second, independent TN3270 client.
//!
//! tnz is a Python library, so each scenario is a small driver script in `tests/hosts/`
//! (e.g. `tnz_logon.py`) run with the venv's Python. Drivers print each screen as
//! `=== screen N rows=R cols=C` followed by R rows; [`run_tnz`] parses them into [`TnzScreen`]s.
//! tnz negotiates IBM-DYNAMIC by default and TN3270E only with `use_tn3270e`; it wants TLS on
//! any port but 23 unless told `secure=False` (the drivers say so).

use std::process::Command;
use std::time::Duration;

use crate::mfmock::venv_bin;
use crate::{HarnessError, ProcessGuard, TestDir};

/// How long a tnz driver may run.
pub const TNZ_TIMEOUT: Duration = Duration::from_secs(60);

/// One screen as a tnz driver printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TnzScreen {
    /// (rows, cols) of tnz's presentation space.
    pub size: (usize, usize),
    /// The rows, full width.
    pub rows: Vec<String>,
}

impl TnzScreen {
    /// Row `n` (0-based), trimmed.
    pub fn row(&self, n: usize) -> &str {
        self.rows.get(n).map(|r| r.trim()).unwrap_or_default()
    }
}

/// Runs `tests/hosts/<driver>` with `args`; output in `<driver stem>.out` in `dir`. Fails when
/// the driver exits non-zero (its output says why) or prints no screen.
pub fn run_tnz(
    dir: &TestDir,
    driver: &str,
    args: &[String],
) -> Result<Vec<TnzScreen>, HarnessError> {
    let script = crate::workspace_root()
        .join("tests")
        .join("hosts")
        .join(driver);
    let mut cmd = Command::new(venv_bin()?.join("python3"));
    cmd.arg(&script)
        .args(args)
        .current_dir(dir.path())
        .env("PYTHONUNBUFFERED", "1");
    let stem = driver.trim_end_matches(".py");
    let mut guard = ProcessGuard::spawn("tnz", cmd, &dir.join(&format!("{stem}.out")))?;
    let status = guard.wait_exit(TNZ_TIMEOUT)?;
    if !status.success() {
        return Err(HarnessError::Exited {
            what: format!("tnz driver {driver}"),
            status: status.to_string(),
            log: guard.log().to_path_buf(),
        });
    }
    let screens = parse_screens(&guard.log_text());
    if screens.is_empty() {
        return Err(HarnessError::parse(
            format!("tnz driver {driver} output"),
            "no screen",
        ));
    }
    Ok(screens)
}

/// Parses `=== screen N rows=R cols=C` blocks.
pub fn parse_screens(output: &str) -> Vec<TnzScreen> {
    let mut screens = Vec::new();
    let mut lines = output.lines();
    while let Some(line) = lines.next() {
        let Some(header) = line.strip_prefix("=== screen ") else {
            continue;
        };
        let field = |key: &str| {
            header
                .split_whitespace()
                .find_map(|w| w.strip_prefix(key))
                .and_then(|v| v.parse::<usize>().ok())
        };
        let (Some(rows), Some(cols)) = (field("rows="), field("cols=")) else {
            continue;
        };
        let body: Vec<String> = lines.by_ref().take(rows).map(str::to_string).collect();
        screens.push(TnzScreen {
            size: (rows, cols),
            rows: body,
        });
    }
    screens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screens_are_parsed_from_driver_output() {
        let out =
            "noise\n=== screen 1 rows=2 cols=4\nAB  \n  CD\n=== screen 2 rows=1 cols=4\nEF  \n";
        let screens = parse_screens(out);
        assert_eq!(screens.len(), 2);
        assert_eq!(screens[0].size, (2, 4));
        assert_eq!(screens[0].row(1), "CD");
        assert_eq!(screens[1].rows, vec!["EF  ".to_string()]);
    }
}
