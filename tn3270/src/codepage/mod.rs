//! EBCDIC single-byte code pages and their CGCSGIDs.
//!
//! STUB: only cp037 (from Python's codec) until the generator lands. The API below is fixed:
//! `CodePage::by_name`, `decode`, `encode`, `cgcsgid`, `CP037`.

/// A single-byte EBCDIC code page.
#[derive(Debug)]
pub struct CodePage {
    /// Canonical name, e.g. "cp037".
    pub name: &'static str,
    /// Other accepted names (x3270's names, e.g. "037", "us", "bracket").
    pub aliases: &'static [&'static str],
    /// Coded graphic character set global identifier: GCSGID in the high 16 bits, CPGID low.
    pub cgcsgid: u32,
    /// EBCDIC byte to Unicode.
    pub to_unicode: &'static [char; 256],
}

impl CodePage {
    /// Looks a code page up by name or alias (case-insensitive; "cp", "ibm-" prefixes optional).
    pub fn by_name(name: &str) -> Option<&'static CodePage> {
        let n = name.to_ascii_lowercase();
        ALL.iter()
            .copied()
            .find(|cp| cp.name == n || cp.aliases.contains(&n.as_str()))
    }
    /// Decodes one EBCDIC byte.
    pub fn decode(&self, b: u8) -> char {
        self.to_unicode[usize::from(b)]
    }
    /// Encodes one character; `None` when the code page has no such character.
    pub fn encode(&self, c: char) -> Option<u8> {
        self.to_unicode
            .iter()
            .position(|&u| u == c)
            .and_then(|p| u8::try_from(p).ok())
    }
    /// The CGCSGID.
    pub fn cgcsgid(&self) -> u32 {
        self.cgcsgid
    }
}

/// Every code page this crate knows.
pub static ALL: &[&CodePage] = &[&CP037];

/// US/Canada (CECP), CGCSGID 697/37.
pub static CP037: CodePage = CodePage {
    name: "cp037",
    aliases: &["037", "us", "ibm-037"],
    cgcsgid: (697 << 16) | 37,
    to_unicode: &CP037_TABLE,
};

static CP037_TABLE: [char; 256] = [
    '\u{0000}', '\u{0001}', '\u{0002}', '\u{0003}', '\u{009C}', '\u{0009}', '\u{0086}', '\u{007F}',
    '\u{0097}', '\u{008D}', '\u{008E}', '\u{000B}', '\u{000C}', '\u{000D}', '\u{000E}', '\u{000F}',
    '\u{0010}', '\u{0011}', '\u{0012}', '\u{0013}', '\u{009D}', '\u{0085}', '\u{0008}', '\u{0087}',
    '\u{0018}', '\u{0019}', '\u{0092}', '\u{008F}', '\u{001C}', '\u{001D}', '\u{001E}', '\u{001F}',
    '\u{0080}', '\u{0081}', '\u{0082}', '\u{0083}', '\u{0084}', '\u{000A}', '\u{0017}', '\u{001B}',
    '\u{0088}', '\u{0089}', '\u{008A}', '\u{008B}', '\u{008C}', '\u{0005}', '\u{0006}', '\u{0007}',
    '\u{0090}', '\u{0091}', '\u{0016}', '\u{0093}', '\u{0094}', '\u{0095}', '\u{0096}', '\u{0004}',
    '\u{0098}', '\u{0099}', '\u{009A}', '\u{009B}', '\u{0014}', '\u{0015}', '\u{009E}', '\u{001A}',
    '\u{0020}', '\u{00A0}', '\u{00E2}', '\u{00E4}', '\u{00E0}', '\u{00E1}', '\u{00E3}', '\u{00E5}',
    '\u{00E7}', '\u{00F1}', '\u{00A2}', '\u{002E}', '\u{003C}', '\u{0028}', '\u{002B}', '\u{007C}',
    '\u{0026}', '\u{00E9}', '\u{00EA}', '\u{00EB}', '\u{00E8}', '\u{00ED}', '\u{00EE}', '\u{00EF}',
    '\u{00EC}', '\u{00DF}', '\u{0021}', '\u{0024}', '\u{002A}', '\u{0029}', '\u{003B}', '\u{00AC}',
    '\u{002D}', '\u{002F}', '\u{00C2}', '\u{00C4}', '\u{00C0}', '\u{00C1}', '\u{00C3}', '\u{00C5}',
    '\u{00C7}', '\u{00D1}', '\u{00A6}', '\u{002C}', '\u{0025}', '\u{005F}', '\u{003E}', '\u{003F}',
    '\u{00F8}', '\u{00C9}', '\u{00CA}', '\u{00CB}', '\u{00C8}', '\u{00CD}', '\u{00CE}', '\u{00CF}',
    '\u{00CC}', '\u{0060}', '\u{003A}', '\u{0023}', '\u{0040}', '\u{0027}', '\u{003D}', '\u{0022}',
    '\u{00D8}', '\u{0061}', '\u{0062}', '\u{0063}', '\u{0064}', '\u{0065}', '\u{0066}', '\u{0067}',
    '\u{0068}', '\u{0069}', '\u{00AB}', '\u{00BB}', '\u{00F0}', '\u{00FD}', '\u{00FE}', '\u{00B1}',
    '\u{00B0}', '\u{006A}', '\u{006B}', '\u{006C}', '\u{006D}', '\u{006E}', '\u{006F}', '\u{0070}',
    '\u{0071}', '\u{0072}', '\u{00AA}', '\u{00BA}', '\u{00E6}', '\u{00B8}', '\u{00C6}', '\u{00A4}',
    '\u{00B5}', '\u{007E}', '\u{0073}', '\u{0074}', '\u{0075}', '\u{0076}', '\u{0077}', '\u{0078}',
    '\u{0079}', '\u{007A}', '\u{00A1}', '\u{00BF}', '\u{00D0}', '\u{00DD}', '\u{00DE}', '\u{00AE}',
    '\u{005E}', '\u{00A3}', '\u{00A5}', '\u{00B7}', '\u{00A9}', '\u{00A7}', '\u{00B6}', '\u{00BC}',
    '\u{00BD}', '\u{00BE}', '\u{005B}', '\u{005D}', '\u{00AF}', '\u{00A8}', '\u{00B4}', '\u{00D7}',
    '\u{007B}', '\u{0041}', '\u{0042}', '\u{0043}', '\u{0044}', '\u{0045}', '\u{0046}', '\u{0047}',
    '\u{0048}', '\u{0049}', '\u{00AD}', '\u{00F4}', '\u{00F6}', '\u{00F2}', '\u{00F3}', '\u{00F5}',
    '\u{007D}', '\u{004A}', '\u{004B}', '\u{004C}', '\u{004D}', '\u{004E}', '\u{004F}', '\u{0050}',
    '\u{0051}', '\u{0052}', '\u{00B9}', '\u{00FB}', '\u{00FC}', '\u{00F9}', '\u{00FA}', '\u{00FF}',
    '\u{005C}', '\u{00F7}', '\u{0053}', '\u{0054}', '\u{0055}', '\u{0056}', '\u{0057}', '\u{0058}',
    '\u{0059}', '\u{005A}', '\u{00B2}', '\u{00D4}', '\u{00D6}', '\u{00D2}', '\u{00D3}', '\u{00D5}',
    '\u{0030}', '\u{0031}', '\u{0032}', '\u{0033}', '\u{0034}', '\u{0035}', '\u{0036}', '\u{0037}',
    '\u{0038}', '\u{0039}', '\u{00B3}', '\u{00DB}', '\u{00DC}', '\u{00D9}', '\u{00DA}', '\u{009F}',
];
