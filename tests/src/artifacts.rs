//! [`TestDir`]: one directory per test where peers keep configs, logs, scripts and traces.
//!
//! Directories live under `tests/artifacts/<test name>/` (ignored by git) unless
//! `WEB3270_TEST_ARTIFACTS` names another root. A test's directory is emptied when the test
//! starts and kept afterwards, so the logs of a failed CI run can be read after it. Owns no
//! process handling (see [`crate::process`]).

use std::path::{Path, PathBuf};

use crate::HarnessError;

/// Environment variable that overrides the artefact root.
pub const ARTIFACTS_ENV: &str = "WEB3270_TEST_ARTIFACTS";

/// A per-test directory for artefacts. When the test panics, dropping it prints where the
/// artefacts are.
#[derive(Debug)]
pub struct TestDir {
    path: PathBuf,
}

impl TestDir {
    /// Creates (or empties) the directory for the test called `name` (use the test fn's name).
    pub fn new(name: &str) -> Result<Self, HarnessError> {
        let root = std::env::var_os(ARTIFACTS_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| crate::workspace_root().join("tests").join("artifacts"));
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = root.join(safe);
        if path.exists() {
            std::fs::remove_dir_all(&path)
                .map_err(|e| HarnessError::io(format!("emptying {}", path.display()), e))?;
        }
        std::fs::create_dir_all(&path)
            .map_err(|e| HarnessError::io(format!("creating {}", path.display()), e))?;
        Ok(Self { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A file (or subdirectory) name inside the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Writes `contents` to the file `name` and returns its path.
    pub fn write(&self, name: &str, contents: &str) -> Result<PathBuf, HarnessError> {
        let path = self.join(name);
        std::fs::write(&path, contents)
            .map_err(|e| HarnessError::io(format!("writing {}", path.display()), e))?;
        Ok(path)
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let files: Vec<String> = std::fs::read_dir(&self.path)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            eprintln!(
                "----- artefacts of this test in {}: {} -----",
                self.path.display(),
                files.join(" ")
            );
        }
    }
}
