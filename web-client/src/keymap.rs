//! The keyboard map: browser `KeyboardEvent`s (`key`, `code`, modifiers) to 3270 keys
//! ([`tn3270::input::Key`]), with a default map following x3270 and JSON remapping.
//!
//! Owns: the binding table, its text syntax (`"Shift+F1"`, `"Alt+Digit1"`, `"NumpadEnter"`),
//! action names (x3270's action names: `PF(n)` spelled `PF13`, `EraseEOF`, `BackTab`...), and
//! the rule for printable characters. Does not own: what a key does to the screen
//! (`tn3270::input`, GA23-0059 §3.5 and the 3270 operator's reference), DOM listeners (the
//! wasm layer), or which keys the browser lets a page see.
//!
//! Matching: a binding names modifiers and one key name; the name is compared ASCII
//! case-insensitively with the event's `code` first (physical key: `NumpadEnter`, `Digit1`,
//! `KeyA`) and then its `key` (logical: `Enter`, `F1`, `a`). Modifiers must match exactly.
//! An event with no binding that produces one printable character (no Ctrl/Alt/Meta, or
//! Ctrl+Alt together, which is AltGr on Windows) types it (`Key::Char`). Anything else is
//! left to the browser (`None`), so Ctrl+C still copies.
//!
//! JSON remapping ([`Keymap::apply_json`]): one object, binding → action name, e.g.
//! `{"Ctrl+Enter": "Newline", "Escape": "Clear", "Pause": "None"}`. `"None"` unbinds. A
//! document larger than [`MAX_JSON_BYTES`] or with more than [`MAX_BINDINGS`] bindings in the
//! map is refused whole; a bad entry refuses the whole document (nothing is applied), with an
//! error naming the entry.

use std::collections::HashMap;
use std::fmt;

use tn3270::input::Key;

/// Modifier bit: Shift.
pub const SHIFT: u8 = 1;
/// Modifier bit: Control.
pub const CTRL: u8 = 2;
/// Modifier bit: Alt (Option).
pub const ALT: u8 = 4;
/// Modifier bit: Meta (Command / Windows).
pub const META: u8 = 8;

/// Largest JSON remapping document accepted, in bytes.
pub const MAX_JSON_BYTES: usize = 64 * 1024;
/// Most bindings a map may hold.
pub const MAX_BINDINGS: usize = 1024;

/// A keyboard event as the browser reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyEvent<'a> {
    /// `KeyboardEvent.key` (logical key: "a", "A", "F1", "Enter").
    pub key: &'a str,
    /// `KeyboardEvent.code` (physical key: "KeyA", "F1", "NumpadEnter").
    pub code: &'a str,
    /// Modifier bits ([`SHIFT`], [`CTRL`], [`ALT`], [`META`]).
    pub mods: u8,
}

/// Why a binding or a remapping was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeymapError {
    /// The binding text has an unknown modifier or no key name.
    BadBinding(String),
    /// Unknown action name.
    BadAction(String),
    /// The JSON is not an object of strings.
    BadJson(String),
    /// Over [`MAX_JSON_BYTES`] or [`MAX_BINDINGS`].
    TooLarge,
}

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeymapError::BadBinding(b) => write!(f, "bad key binding {b:?}"),
            KeymapError::BadAction(a) => write!(f, "unknown 3270 action {a:?}"),
            KeymapError::BadJson(e) => write!(f, "keymap JSON: {e}"),
            KeymapError::TooLarge => write!(f, "keymap too large"),
        }
    }
}

impl std::error::Error for KeymapError {}

/// The binding table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    /// (modifiers, lower-case key name) → key, `None` for an explicit unbinding.
    bindings: HashMap<(u8, String), Option<Key>>,
}

/// The default map: (binding, action). F13–F24 keys exist on some keyboards; PgUp/PgDn as
/// PF7/PF8 follow wc3270. Lines marked "ours" have no x3270 default.
pub const DEFAULT_BINDINGS: &[(&str, &str)] = &[
    ("Enter", "Enter"),
    ("NumpadEnter", "Enter"),
    ("Shift+Enter", "Newline"),
    ("Tab", "Tab"),
    ("Shift+Tab", "BackTab"),
    ("Home", "Home"),
    ("End", "FieldEnd"),
    ("Ctrl+End", "EraseEOF"),      // ours
    ("Shift+End", "EraseEOF"),     // ours
    ("Alt+End", "EraseInput"),     // ours
    ("Ctrl+Delete", "EraseInput"), // ours
    ("Insert", "Insert"),
    ("Delete", "Delete"),
    ("Backspace", "BackSpace"),
    ("ArrowLeft", "Left"),
    ("ArrowRight", "Right"),
    ("ArrowUp", "Up"),
    ("ArrowDown", "Down"),
    ("Alt+ArrowLeft", "PreviousWord"),
    ("Alt+ArrowRight", "NextWord"),
    ("Escape", "Reset"), // ours (x3270: Alt+R)
    ("Alt+KeyR", "Reset"),
    ("Alt+KeyC", "Clear"),
    ("Pause", "Clear"), // ours
    ("Alt+KeyA", "Attn"),
    ("Alt+KeyS", "SysReq"), // ours
    ("Alt+Digit1", "PA1"),
    ("Alt+Digit2", "PA2"),
    ("Alt+Digit3", "PA3"),
    ("Alt+KeyD", "Dup"),       // ours
    ("Alt+KeyF", "FieldMark"), // ours
    ("PageUp", "PF7"),
    ("PageDown", "PF8"),
];

/// Parses an action name (x3270's names, ASCII case-insensitive): `Enter`, `Clear`, `Attn`,
/// `SysReq`, `Reset`, `Newline`, `Tab`, `BackTab`, `Home`, `FieldEnd`, `EraseEOF`,
/// `EraseInput`, `Insert` (toggle), `Delete`, `BackSpace`, `Dup`, `FieldMark`, `Left`,
/// `Right`, `Up`, `Down`, `Left2`, `Right2`, `NextWord`, `PreviousWord`, `CursorSelect`,
/// `PF1`–`PF24`, `PA1`–`PA3`, and `None` (unbound: `Ok(None)`).
pub fn parse_action(name: &str) -> Result<Option<Key>, KeymapError> {
    let lower = name.trim().to_ascii_lowercase();
    let numbered = |prefix: &str, max: u8| -> Option<u8> {
        let n: u8 = lower.strip_prefix(prefix)?.parse().ok()?;
        (1..=max).contains(&n).then_some(n)
    };
    if let Some(n) = numbered("pf", 24) {
        return Ok(Some(Key::Pf(n)));
    }
    if let Some(n) = numbered("pa", 3) {
        return Ok(Some(Key::Pa(n)));
    }
    let key = match lower.as_str() {
        "none" => return Ok(None),
        "enter" => Key::Enter,
        "clear" => Key::Clear,
        "attn" => Key::Attn,
        "sysreq" => Key::SysReq,
        "reset" => Key::Reset,
        "newline" => Key::Newline,
        "tab" => Key::Tab,
        "backtab" => Key::BackTab,
        "home" => Key::Home,
        "fieldend" => Key::FieldEnd,
        "eraseeof" => Key::EraseEof,
        "eraseinput" => Key::EraseInput,
        "insert" | "toggleinsert" => Key::ToggleInsert,
        "delete" => Key::Delete,
        "backspace" => Key::Backspace,
        "dup" => Key::Dup,
        "fieldmark" => Key::FieldMark,
        "left" => Key::Left,
        "right" => Key::Right,
        "up" => Key::Up,
        "down" => Key::Down,
        "left2" => Key::Left2,
        "right2" => Key::Right2,
        "nextword" => Key::WordNext,
        "previousword" => Key::WordPrev,
        "cursorselect" => Key::CursorSelect,
        _ => return Err(KeymapError::BadAction(name.to_string())),
    };
    Ok(Some(key))
}

/// Parses a binding: `[Mod+]...Name` with modifiers Shift, Ctrl (Control), Alt (Option),
/// Meta (Cmd, Super). `"Shift++"` names the `+` key.
pub fn parse_binding(spec: &str) -> Result<(u8, String), KeymapError> {
    let bad = || KeymapError::BadBinding(spec.to_string());
    let spec_t = spec.trim();
    let (mods_part, name) = if let Some(head) = spec_t.strip_suffix("++") {
        (head, "+")
    } else if spec_t == "+" {
        ("", "+")
    } else {
        match spec_t.rsplit_once('+') {
            Some((head, name)) => (head, name),
            None => ("", spec_t),
        }
    };
    if name.is_empty() {
        return Err(bad());
    }
    let mut mods = 0;
    for m in mods_part.split('+').filter(|m| !m.is_empty()) {
        mods |= match m.to_ascii_lowercase().as_str() {
            "shift" => SHIFT,
            "ctrl" | "control" => CTRL,
            "alt" | "option" => ALT,
            "meta" | "cmd" | "super" => META,
            _ => return Err(bad()),
        };
    }
    Ok((mods, name.to_ascii_lowercase()))
}

impl Default for Keymap {
    fn default() -> Keymap {
        Keymap::x3270()
    }
}

impl Keymap {
    /// An empty map (printable characters still type).
    pub fn empty() -> Keymap {
        Keymap {
            bindings: HashMap::new(),
        }
    }

    /// The default map: [`DEFAULT_BINDINGS`] plus F1–F12 → PF1–12, Shift+F1–F12 → PF13–24,
    /// F13–F24 → PF13–24.
    pub fn x3270() -> Keymap {
        let mut map = Keymap::empty();
        for n in 1..=12u8 {
            map.insert((0, format!("f{n}")), Some(Key::Pf(n)));
            map.insert((SHIFT, format!("f{n}")), Some(Key::Pf(n + 12)));
            map.insert((0, format!("f{}", n + 12)), Some(Key::Pf(n + 12)));
        }
        for (binding, action) in DEFAULT_BINDINGS {
            // The table is ours and tested; a bad line would only drop that line.
            if let (Ok(b), Ok(a)) = (parse_binding(binding), parse_action(action)) {
                map.insert(b, a);
            }
        }
        map
    }

    fn insert(&mut self, binding: (u8, String), action: Option<Key>) {
        self.bindings.insert(binding, action);
    }

    /// Number of bindings (including explicit unbindings).
    pub fn len(&self) -> usize {
        self.bindings.len()
    }

    /// True when there are no bindings.
    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty()
    }

    /// Binds `spec` (see [`parse_binding`]) to `action` (see [`parse_action`]).
    pub fn bind(&mut self, spec: &str, action: &str) -> Result<(), KeymapError> {
        let b = parse_binding(spec)?;
        let a = parse_action(action)?;
        if !self.bindings.contains_key(&b) && self.bindings.len() >= MAX_BINDINGS {
            return Err(KeymapError::TooLarge);
        }
        self.insert(b, a);
        Ok(())
    }

    /// Applies a JSON object of binding → action over this map; all or nothing.
    pub fn apply_json(&mut self, json: &str) -> Result<(), KeymapError> {
        if json.len() > MAX_JSON_BYTES {
            return Err(KeymapError::TooLarge);
        }
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| KeymapError::BadJson(e.to_string()))?;
        let obj = value
            .as_object()
            .ok_or_else(|| KeymapError::BadJson("expected an object".into()))?;
        let mut next = self.clone();
        for (binding, action) in obj {
            let action = action
                .as_str()
                .ok_or_else(|| KeymapError::BadJson(format!("{binding:?}: expected a string")))?;
            next.bind(binding, action)?;
        }
        *self = next;
        Ok(())
    }

    /// The 3270 key for an event; `None` when the page should leave the event to the browser.
    pub fn lookup(&self, ev: &KeyEvent<'_>) -> Option<Key> {
        let code = ev.code.to_ascii_lowercase();
        let key = ev.key.to_ascii_lowercase();
        for name in [code, key] {
            if name.is_empty() {
                continue;
            }
            if let Some(action) = self.bindings.get(&(ev.mods, name)) {
                return *action;
            }
        }
        let mut chars = ev.key.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            return None;
        };
        let ctrl_alt = ev.mods & (CTRL | ALT);
        let typing = ev.mods & META == 0 && (ctrl_alt == 0 || ctrl_alt == CTRL | ALT);
        (typing && !c.is_control()).then_some(Key::Char(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev<'a>(key: &'a str, code: &'a str, mods: u8) -> KeyEvent<'a> {
        KeyEvent { key, code, mods }
    }

    #[test]
    fn function_keys_are_pf1_to_pf24() {
        let m = Keymap::default();
        assert_eq!(m.lookup(&ev("F1", "F1", 0)), Some(Key::Pf(1)));
        assert_eq!(m.lookup(&ev("F12", "F12", 0)), Some(Key::Pf(12)));
        assert_eq!(m.lookup(&ev("F1", "F1", SHIFT)), Some(Key::Pf(13)));
        assert_eq!(m.lookup(&ev("F12", "F12", SHIFT)), Some(Key::Pf(24)));
        assert_eq!(m.lookup(&ev("F1", "F1", CTRL)), None);
    }

    #[test]
    fn the_3270_keys_of_the_default_map() {
        let m = Keymap::default();
        let cases = [
            (ev("Enter", "Enter", 0), Key::Enter),
            (ev("Enter", "NumpadEnter", 0), Key::Enter),
            (ev("Enter", "Enter", SHIFT), Key::Newline),
            (ev("Tab", "Tab", 0), Key::Tab),
            (ev("Tab", "Tab", SHIFT), Key::BackTab),
            (ev("Home", "Home", 0), Key::Home),
            (ev("End", "End", 0), Key::FieldEnd),
            (ev("End", "End", CTRL), Key::EraseEof),
            (ev("End", "End", ALT), Key::EraseInput),
            (ev("Insert", "Insert", 0), Key::ToggleInsert),
            (ev("Delete", "Delete", 0), Key::Delete),
            (ev("Backspace", "Backspace", 0), Key::Backspace),
            (ev("ArrowUp", "ArrowUp", 0), Key::Up),
            (ev("Escape", "Escape", 0), Key::Reset),
            (ev("c", "KeyC", ALT), Key::Clear),
            (ev("a", "KeyA", ALT), Key::Attn),
            (ev("s", "KeyS", ALT), Key::SysReq),
            // macOS Option+1 gives key "¡": the physical code still matches.
            (ev("¡", "Digit1", ALT), Key::Pa(1)),
            (ev("3", "Digit3", ALT), Key::Pa(3)),
            (ev("d", "KeyD", ALT), Key::Dup),
            (ev("f", "KeyF", ALT), Key::FieldMark),
        ];
        for (e, k) in cases {
            assert_eq!(m.lookup(&e), Some(k), "{e:?}");
        }
    }

    #[test]
    fn printable_characters_type_and_browser_shortcuts_pass() {
        let m = Keymap::default();
        assert_eq!(m.lookup(&ev("a", "KeyA", 0)), Some(Key::Char('a')));
        assert_eq!(m.lookup(&ev("A", "KeyA", SHIFT)), Some(Key::Char('A')));
        assert_eq!(m.lookup(&ev("¢", "Digit4", 0)), Some(Key::Char('¢')));
        // AltGr (Ctrl+Alt) on Windows types.
        assert_eq!(m.lookup(&ev("@", "KeyQ", CTRL | ALT)), Some(Key::Char('@')));
        assert_eq!(m.lookup(&ev("c", "KeyC", CTRL)), None);
        assert_eq!(m.lookup(&ev("v", "KeyV", META)), None);
        assert_eq!(m.lookup(&ev("Shift", "ShiftLeft", SHIFT)), None);
    }

    #[test]
    fn json_remaps_and_unbinds() {
        let mut m = Keymap::default();
        m.apply_json(
            r#"{"Ctrl+Enter": "Newline", "Escape": "Clear", "Pause": "None", "Shift+F1": "pa2"}"#,
        )
        .unwrap();
        assert_eq!(m.lookup(&ev("Enter", "Enter", CTRL)), Some(Key::Newline));
        assert_eq!(m.lookup(&ev("Escape", "Escape", 0)), Some(Key::Clear));
        assert_eq!(m.lookup(&ev("Pause", "Pause", 0)), None);
        assert_eq!(m.lookup(&ev("F1", "F1", SHIFT)), Some(Key::Pa(2)));
    }

    #[test]
    fn bad_json_changes_nothing_and_says_why() {
        let mut m = Keymap::default();
        let before = m.clone();
        let r = m.apply_json(r#"{"Ctrl+Enter": "Newline", "Hyper+X": "Enter"}"#);
        assert_eq!(r, Err(KeymapError::BadBinding("Hyper+X".into())));
        assert_eq!(
            m.apply_json(r#"{"F1": "PF25"}"#),
            Err(KeymapError::BadAction("PF25".into()))
        );
        assert_eq!(
            m.apply_json(r#"{"F1": 3}"#)
                .map_err(|e| matches!(e, KeymapError::BadJson(_))),
            Err(true)
        );
        assert!(matches!(m.apply_json("[1]"), Err(KeymapError::BadJson(_))));
        assert!(matches!(m.apply_json("{"), Err(KeymapError::BadJson(_))));
        assert_eq!(
            m.apply_json(&" ".repeat(MAX_JSON_BYTES + 1)),
            Err(KeymapError::TooLarge)
        );
        assert_eq!(m, before);
    }

    #[test]
    fn the_map_size_is_bounded() {
        let mut m = Keymap::empty();
        for i in 0..MAX_BINDINGS {
            m.bind(&format!("Key{i}"), "Enter").unwrap();
        }
        assert_eq!(m.bind("Another", "Enter"), Err(KeymapError::TooLarge));
        // Rebinding an existing key is still allowed.
        m.bind("Key0", "Clear").unwrap();
        assert_eq!(m.len(), MAX_BINDINGS);
    }

    #[test]
    fn binding_syntax() {
        assert_eq!(
            parse_binding("Ctrl+Shift+F1"),
            Ok((CTRL | SHIFT, "f1".into()))
        );
        assert_eq!(parse_binding("Shift++"), Ok((SHIFT, "+".into())));
        assert_eq!(parse_binding("+"), Ok((0, "+".into())));
        assert!(parse_binding("Ctrl+").is_err());
        assert!(parse_binding("").is_err());
    }
}
