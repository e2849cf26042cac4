//! EBCDIC single-byte code pages, their CGCSGIDs, and the APL graphic escape set.
//!
//! Owns: the byte <-> Unicode mapping of every single-byte host code page x3270 offers (plus
//! cp924, cp1025 and cp1154), their x3270 names and aliases, and the CGCSGID each one reports in
//! the Query Reply (Character Sets) (GA23-0059 §6.12; IBM CDRA, SC09-2190, for the GCSGID and
//! CPGID numbering). [`apl`] holds character set 310, reached through the Graphic Escape order
//! (GA23-0059 §4.3.5). Does not own: where characters land on the screen, the GE order itself,
//! field attributes, DBCS code pages, or the host's choice of code page (configuration).
//!
//! The tables live in the generated `tables.rs`, written by `tools/codepages/gen.py` from
//! mapping data extracted from ICU (IBM's own CDRA tables), glibc iconv for the pages ICU lacks,
//! and cross-checked against OpenJDK and Python codecs; `tools/codepages/README.md` lists every
//! source and disagreement.
//!
//! ## Deviations from the vendor tables
//! Where s3270 4.1 (our conformance oracle) displays a different printable character than the
//! vendor table, the table follows s3270 (17 cells in cp278, cp424, cp870, cp871, cp875 and
//! cp1026; listed in `tools/codepages/data/x3270_overrides.txt`). Everything else is the vendor
//! table, including the C0/C1 controls in X'00'-X'3F' and X'FF', so [`CodePage::decode`] and
//! [`CodePage::encode`] round-trip every assigned byte, except the four cp1160 bytes
//! X'ED', X'EE', X'EF', X'FD' whose Thai marks also sit at a lower byte (encode gives the lower
//! one, as x3270 does). Bytes a code page leaves unassigned decode to U+FFFD.
//!
//! What a 3270 *shows* in a character cell is [`CodePage::display`]: controls, unassigned
//! bytes and NUL are blanks, and the special cells DUP, FM, SUB and EO get x3270's symbols.

pub mod apl;
#[rustfmt::skip] // generated; `gen.py --check` compares it byte for byte
mod tables;

pub use tables::*;

/// Decoded value of a byte the code page leaves unassigned.
pub const UNASSIGNED: char = '\u{FFFD}';

/// EBCDIC space: the one byte every code page maps to U+0020.
pub const EBCDIC_SPACE: u8 = 0x40;
/// Format control DUP (GA23-0059 §4.4.4): x3270 displays it as `*`.
pub const EBCDIC_DUP: u8 = 0x1C;
/// Format control FM, field mark (GA23-0059 §4.4.4): x3270 displays it as `;`.
pub const EBCDIC_FM: u8 = 0x1E;
/// SUB, the substitute character: x3270 displays it as a solid block.
pub const EBCDIC_SUB: u8 = 0x3F;
/// EO, "eight ones" (GA23-0059 §4.3.3): x3270 displays it as a solid circle.
pub const EBCDIC_EO: u8 = 0xFF;

/// Sentinel in the generated `from_latin1` tables: the character has no byte.
const NO_BYTE: u16 = 0x100;

/// A single-byte EBCDIC code page.
pub struct CodePage {
    /// Canonical name as x3270 spells it, e.g. "cp037", "bracket".
    pub name: &'static str,
    /// x3270's other names for it, e.g. "us", "german-euro" (numeric forms such as "37",
    /// "ibm-037" are accepted by [`CodePage::by_name`] without being listed here).
    pub aliases: &'static [&'static str],
    /// Coded graphic character set global identifier: GCSGID in the high 16 bits, CPGID low.
    pub cgcsgid: u32,
    /// EBCDIC byte to Unicode; unassigned bytes are [`UNASSIGNED`].
    pub to_unicode: &'static [char; 256],
    /// Unicode U+0000..U+00FF to EBCDIC byte, [`NO_BYTE`] when absent.
    from_latin1: &'static [u16; 256],
    /// Every other mapped character with its byte, sorted by character.
    from_other: &'static [(char, u8)],
}

impl CodePage {
    /// Looks a code page up by name or alias, ASCII case-insensitively, the way
    /// `s3270 -codepage NAME` does ("cp037", "us", "German-Euro", "bracket"), and also by
    /// number with an optional "cp", "ibm", "ibm-" or "ccsid" prefix ("37", "037", "ibm-1047").
    pub fn by_name(name: &str) -> Option<&'static CodePage> {
        let name = name.trim();
        let named = ALL.iter().copied().find(|cp| {
            cp.name.eq_ignore_ascii_case(name)
                || cp.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
        });
        named.or_else(|| {
            let digits = ["ibm-", "ibm", "cp", "ccsid"]
                .iter()
                .find_map(|p| strip_prefix_ignore_ascii_case(name, p))
                .unwrap_or(name);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let number: u32 = digits.parse().ok()?;
            ALL.iter().copied().find(|cp| {
                cp.name
                    .strip_prefix("cp")
                    .and_then(|n| n.parse::<u32>().ok())
                    == Some(number)
            })
        })
    }

    /// The canonical name followed by the aliases.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.name).chain(self.aliases.iter().copied())
    }

    /// Decodes one EBCDIC byte ([`UNASSIGNED`] for a byte the code page leaves unassigned).
    pub fn decode(&self, b: u8) -> char {
        self.to_unicode[usize::from(b)]
    }

    /// Decodes one EBCDIC byte; `None` for an unassigned byte.
    pub fn try_decode(&self, b: u8) -> Option<char> {
        Some(self.decode(b)).filter(|&c| c != UNASSIGNED)
    }

    /// Encodes one character; `None` when the code page has no such character.
    /// A table lookup for U+0000..U+00FF, a binary search of the rest.
    pub fn encode(&self, c: char) -> Option<u8> {
        match u8::try_from(c) {
            Ok(latin1) => match self.from_latin1[usize::from(latin1)] {
                NO_BYTE => None,
                b => u8::try_from(b).ok(),
            },
            Err(_) => self
                .from_other
                .binary_search_by_key(&c, |&(u, _)| u)
                .ok()
                .and_then(|i| self.from_other.get(i))
                .map(|&(_, b)| b),
        }
    }

    /// What a 3270 shows for byte `b` in a character cell, as s3270's `Ascii()` and
    /// `ReadBuffer(Unicode)` do: the graphic for X'41'-X'FE', a space for X'40', NUL, controls
    /// and unassigned bytes; `*` for DUP, `;` for FM, U+25A0 for SUB and U+25CF for EO.
    pub fn display(&self, b: u8) -> char {
        match b {
            EBCDIC_DUP => '*',
            EBCDIC_FM => ';',
            EBCDIC_SUB => '\u{25A0}',
            EBCDIC_EO => '\u{25CF}',
            0x41..=0xFE => match self.decode(b) {
                UNASSIGNED => ' ',
                c if c.is_control() => ' ',
                c => c,
            },
            _ => ' ',
        }
    }

    /// The CGCSGID (GCSGID << 16 | CPGID), as sent in the Query Reply (Character Sets).
    pub fn cgcsgid(&self) -> u32 {
        self.cgcsgid
    }

    /// The graphic character set global identifier (high half of the CGCSGID).
    pub fn gcsgid(&self) -> u16 {
        (self.cgcsgid >> 16) as u16
    }

    /// The code page global identifier (low half of the CGCSGID).
    pub fn cpgid(&self) -> u16 {
        (self.cgcsgid & 0xFFFF) as u16
    }
}

impl std::fmt::Debug for CodePage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodePage")
            .field("name", &self.name)
            .field("gcsgid", &self.gcsgid())
            .field("cpgid", &self.cpgid())
            .finish_non_exhaustive()
    }
}

/// Code pages are singletons; two are equal when they are the same page.
impl PartialEq for CodePage {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for CodePage {}

/// `s` without `prefix`, compared ASCII case-insensitively; `None` if `s` lacks it.
fn strip_prefix_ignore_ascii_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

#[cfg(test)]
mod tests;
