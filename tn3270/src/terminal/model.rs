//! Terminal models: the 3278/3279 model number, extended data stream, oversize and the
//! terminal type name sent in TERMINAL-TYPE / DEVICE-TYPE.
//!
//! Mirrors the meaning of s3270's `-model`, `-oversize COLSxROWS` and `-tn TYPE` options
//! (x3270 4.x): `-model` accepts `3279-4-E`, `3278-3`, or a bare `2`–`5` (colour 3279);
//! the extended data stream is always on in x3270 4.x, so `3278-2` still sends
//! `IBM-3278-2-E`; an oversize larger than the model's size in both dimensions makes the
//! terminal type `IBM-DYNAMIC` and becomes the alternate size; `-tn` overrides the name only.

use crate::screen::ScreenSize;

/// A terminal model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalModel {
    /// 3279 (colour) rather than 3278 (monochrome).
    pub color: bool,
    /// Model number 2–5.
    pub model: u8,
    /// Extended data stream (the `-E` suffix).
    pub extended: bool,
    /// Oversize alternate screen (IBM-DYNAMIC), when larger than the model's size.
    pub oversize: Option<ScreenSize>,
    /// A terminal type name that replaces the computed one (s3270 `-tn`).
    pub terminal_name: Option<String>,
}

/// Why a model string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelError {
    /// Not `[3278-|3279-]N[-E]` with N in 2–5.
    BadModel(String),
    /// Not `COLSxROWS` with positive numbers.
    BadOversize(String),
    /// The oversize does not cover the model's size, or exceeds 16-bit addressing.
    OversizeTooSmallOrLarge(String),
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelError::BadModel(s) => write!(
                f,
                "bad model '{s}': expected 3278-N, 3279-N, N (2-5), optionally with -E"
            ),
            ModelError::BadOversize(s) => {
                write!(f, "bad oversize '{s}': expected COLSxROWS, e.g. 160x62")
            }
            ModelError::OversizeTooSmallOrLarge(s) => write!(
                f,
                "oversize '{s}' must be at least the model's size and at most 65535 cells"
            ),
        }
    }
}

impl std::error::Error for ModelError {}

impl Default for TerminalModel {
    /// s3270's default: a 3279-4-E.
    fn default() -> Self {
        TerminalModel {
            color: true,
            model: 4,
            extended: true,
            oversize: None,
            terminal_name: None,
        }
    }
}

impl TerminalModel {
    /// Parses a model name as s3270's `-model` does (`3279-2-E`, `3278-5`, `4`). x3270 4.x
    /// always uses the extended data stream, so `extended` is true whatever the suffix.
    pub fn parse(s: &str) -> Result<TerminalModel, ModelError> {
        let bad = || ModelError::BadModel(s.to_string());
        let t = s.trim();
        let t = t
            .strip_suffix("-E")
            .or_else(|| t.strip_suffix("-e"))
            .unwrap_or(t);
        let (color, num) = match t.split_once('-') {
            Some(("3279", n)) => (true, n),
            Some(("3278", n)) => (false, n),
            Some(_) => return Err(bad()),
            None => (true, t),
        };
        let model: u8 = num.parse().map_err(|_| bad())?;
        if !(2..=5).contains(&model) {
            return Err(bad());
        }
        Ok(TerminalModel {
            color,
            model,
            extended: true,
            oversize: None,
            terminal_name: None,
        })
    }

    /// Applies an s3270 `-oversize COLSxROWS`. Like x3270, an oversize that is not larger than
    /// the model in at least one dimension is ignored.
    pub fn with_oversize(mut self, s: &str) -> Result<TerminalModel, ModelError> {
        let (c, r) = s
            .split_once(['x', 'X'])
            .ok_or_else(|| ModelError::BadOversize(s.to_string()))?;
        let cols: u16 = c
            .trim()
            .parse()
            .map_err(|_| ModelError::BadOversize(s.to_string()))?;
        let rows: u16 = r
            .trim()
            .parse()
            .map_err(|_| ModelError::BadOversize(s.to_string()))?;
        let base = self.model_size();
        if cols == 0 || rows == 0 || usize::from(cols) * usize::from(rows) > 0xFFFF {
            return Err(ModelError::OversizeTooSmallOrLarge(s.to_string()));
        }
        if cols < base.cols || rows < base.rows {
            // x3270 refuses an oversize smaller than the model and keeps the model size.
            self.oversize = None;
        } else if cols > base.cols || rows > base.rows {
            self.oversize = Some(ScreenSize { rows, cols });
        }
        Ok(self)
    }

    /// Sets an explicit terminal type name (s3270 `-tn`).
    pub fn with_terminal_name(mut self, name: &str) -> TerminalModel {
        self.terminal_name = Some(name.to_string());
        self
    }

    /// The model's own alternate size (24×80, 32×80, 43×80, 27×132).
    pub fn model_size(&self) -> ScreenSize {
        ScreenSize::for_model(self.model).unwrap_or(ScreenSize::MODEL_2)
    }

    /// The default (Erase/Write) size: always 24×80.
    pub fn default_size(&self) -> ScreenSize {
        ScreenSize::MODEL_2
    }

    /// The alternate (Erase/Write Alternate) size: the oversize or the model's size.
    pub fn alternate_size(&self) -> ScreenSize {
        self.oversize.unwrap_or_else(|| self.model_size())
    }

    /// The terminal type sent to the host: `-tn` if given, `IBM-DYNAMIC` with an oversize,
    /// else `IBM-327x-n[-E]`.
    pub fn terminal_type(&self) -> String {
        if let Some(name) = &self.terminal_name {
            return name.clone();
        }
        if self.oversize.is_some() {
            return "IBM-DYNAMIC".to_string();
        }
        format!(
            "IBM-{}-{}{}",
            if self.color { 3279 } else { 3278 },
            self.model,
            if self.extended { "-E" } else { "" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_what_s3270_sends() {
        // Observed with s3270 4.1 `-trace`: SENT SB TERMINAL TYPE IS ...
        let m = |s: &str| TerminalModel::parse(s).unwrap();
        assert_eq!(TerminalModel::default().terminal_type(), "IBM-3279-4-E");
        assert_eq!(m("3278-3").terminal_type(), "IBM-3278-3-E");
        assert_eq!(m("5").terminal_type(), "IBM-3279-5-E");
        assert_eq!(m("3278-2").terminal_type(), "IBM-3278-2-E");
        let big = m("3279-2-E").with_oversize("160x62").unwrap();
        assert_eq!(big.terminal_type(), "IBM-DYNAMIC");
        assert_eq!(
            big.alternate_size(),
            ScreenSize {
                rows: 62,
                cols: 160
            }
        );
        // An oversize smaller than model 4's 43 rows is ignored.
        let small = m("3279-4-E").with_oversize("100x40").unwrap();
        assert_eq!(small.terminal_type(), "IBM-3279-4-E");
        assert_eq!(small.alternate_size(), ScreenSize::MODEL_4);
        let named = m("3279-2").with_terminal_name("IBM-3278-2");
        assert_eq!(named.terminal_type(), "IBM-3278-2");
    }

    #[test]
    fn bad_models_are_refused() {
        assert!(TerminalModel::parse("3280-2").is_err());
        assert!(TerminalModel::parse("6").is_err());
        assert!(TerminalModel::parse("").is_err());
        assert!(TerminalModel::default().with_oversize("80").is_err());
        assert!(TerminalModel::default().with_oversize("300x300").is_err());
    }
}
