//! Field attributes and extended attributes as the data stream carries them.
//!
//! Spec: GA23-0059 §3.3.2 "Field Attributes" (the attribute byte's bits), §4.4.5 "Attribute
//! Types" and §4.4.6 "Extended Field Attributes" (highlighting 0x41, foreground colour 0x42,
//! character set 0x43, background colour 0x45, transparency 0x46, 3270 field attribute 0xC0,
//! field validation 0xC1, field outlining 0xC2).
//!
//! Values are kept as the raw byte the host sent, with named accessors; 0x00 always means
//! "default" (inherit from the field / the terminal's default).

/// The 3270 field attribute byte (GA23-0059 Figure 3-3). Stored without the two graphic
/// conversion bits (bits 0–1), which carry no meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FieldAttribute(pub u8);

/// Field attribute bit: protected (bit 2).
pub const FA_PROTECTED: u8 = 0x20;
/// Field attribute bit: numeric (bit 3).
pub const FA_NUMERIC: u8 = 0x10;
/// Field attribute bits 4–5: display / selector-pen detectable.
pub const FA_INTENSITY_MASK: u8 = 0x0C;
/// Bits 4–5 = 00: normal, not detectable.
pub const FA_INT_NORMAL_NSEL: u8 = 0x00;
/// Bits 4–5 = 01: normal, detectable.
pub const FA_INT_NORMAL_SEL: u8 = 0x04;
/// Bits 4–5 = 10: intensified, detectable.
pub const FA_INT_HIGH_SEL: u8 = 0x08;
/// Bits 4–5 = 11: non-display, not detectable.
pub const FA_INT_ZERO_NSEL: u8 = 0x0C;
/// Field attribute bit 6: reserved, must be zero.
pub const FA_RESERVED: u8 = 0x02;
/// Field attribute bit 7: modified data tag.
pub const FA_MODIFY: u8 = 0x01;
/// The meaningful bits of the attribute byte.
pub const FA_MASK: u8 = 0x3F;

impl FieldAttribute {
    /// From the byte as it appears in an SF order or an SFE 0xC0 pair.
    pub fn from_byte(b: u8) -> Self {
        FieldAttribute(b & FA_MASK)
    }
    /// The byte as the terminal sends it back (Read Buffer): graphic conversion applied with
    /// the 12-bit address code table, as terminals do.
    pub fn to_byte(self) -> u8 {
        crate::address::ADDRESS_CODE_TABLE[usize::from(self.0 & FA_MASK)]
    }
    /// Protected field.
    pub fn is_protected(self) -> bool {
        self.0 & FA_PROTECTED != 0
    }
    /// Numeric field (numeric lock applies when unprotected).
    pub fn is_numeric(self) -> bool {
        self.0 & FA_NUMERIC != 0
    }
    /// Protected and numeric together: the cursor skips the field (autoskip).
    pub fn is_autoskip(self) -> bool {
        self.is_protected() && self.is_numeric()
    }
    /// Field contents are not displayed (bits 4–5 = 11).
    pub fn is_nondisplay(self) -> bool {
        self.0 & FA_INTENSITY_MASK == FA_INT_ZERO_NSEL
    }
    /// Intensified display (bits 4–5 = 10).
    pub fn is_intensified(self) -> bool {
        self.0 & FA_INTENSITY_MASK == FA_INT_HIGH_SEL
    }
    /// Selector-pen detectable (bits 4–5 = 01 or 10).
    pub fn is_detectable(self) -> bool {
        matches!(
            self.0 & FA_INTENSITY_MASK,
            FA_INT_NORMAL_SEL | FA_INT_HIGH_SEL
        )
    }
    /// Modified data tag.
    pub fn is_modified(self) -> bool {
        self.0 & FA_MODIFY != 0
    }
    /// The same attribute with the MDT set or cleared.
    pub fn with_modified(self, on: bool) -> Self {
        if on {
            FieldAttribute(self.0 | FA_MODIFY)
        } else {
            FieldAttribute(self.0 & !FA_MODIFY)
        }
    }
}

/// Extended attribute type codes (GA23-0059 §4.4.5).
pub mod xa {
    /// All character attributes (SA only): reset to default.
    pub const ALL: u8 = 0x00;
    /// Extended highlighting.
    pub const HIGHLIGHTING: u8 = 0x41;
    /// Foreground colour.
    pub const FOREGROUND: u8 = 0x42;
    /// Character set.
    pub const CHARSET: u8 = 0x43;
    /// Background colour.
    pub const BACKGROUND: u8 = 0x45;
    /// Transparency.
    pub const TRANSPARENCY: u8 = 0x46;
    /// The 3270 field attribute (SFE/MF only).
    pub const FIELD_ATTRIBUTE: u8 = 0xC0;
    /// Field validation (SFE/MF only).
    pub const VALIDATION: u8 = 0xC1;
    /// Field outlining (SFE/MF only).
    pub const OUTLINING: u8 = 0xC2;
}

/// Extended highlighting values (attribute type 0x41).
pub mod highlight {
    /// Default (inherit).
    pub const DEFAULT: u8 = 0x00;
    /// Normal.
    pub const NORMAL: u8 = 0xF0;
    /// Blink.
    pub const BLINK: u8 = 0xF1;
    /// Reverse video.
    pub const REVERSE: u8 = 0xF2;
    /// Underscore.
    pub const UNDERSCORE: u8 = 0xF4;
    /// Intensify (3279 extended).
    pub const INTENSIFY: u8 = 0xF8;
}

/// Colour values (attribute types 0x42 and 0x45), GA23-0059 Figure 4-? "Color identifications".
pub mod color {
    /// Default (inherit).
    pub const DEFAULT: u8 = 0x00;
    /// Neutral: black on a display (white on a printer).
    pub const NEUTRAL_BLACK: u8 = 0xF0;
    /// Blue.
    pub const BLUE: u8 = 0xF1;
    /// Red.
    pub const RED: u8 = 0xF2;
    /// Pink.
    pub const PINK: u8 = 0xF3;
    /// Green.
    pub const GREEN: u8 = 0xF4;
    /// Turquoise.
    pub const TURQUOISE: u8 = 0xF5;
    /// Yellow.
    pub const YELLOW: u8 = 0xF6;
    /// Neutral: white on a display.
    pub const NEUTRAL_WHITE: u8 = 0xF7;
    /// Black.
    pub const BLACK: u8 = 0xF8;
    /// Deep blue.
    pub const DEEP_BLUE: u8 = 0xF9;
    /// Orange.
    pub const ORANGE: u8 = 0xFA;
    /// Purple.
    pub const PURPLE: u8 = 0xFB;
    /// Pale green.
    pub const PALE_GREEN: u8 = 0xFC;
    /// Pale turquoise.
    pub const PALE_TURQUOISE: u8 = 0xFD;
    /// Grey.
    pub const GREY: u8 = 0xFE;
    /// White.
    pub const WHITE: u8 = 0xFF;
}

/// Character set values (attribute type 0x43).
pub mod charset {
    /// Default (the base set).
    pub const DEFAULT: u8 = 0x00;
    /// The APL / graphic escape set (what GE selects), CGCSGID 963/310.
    pub const APL: u8 = 0xF1;
}

/// Field validation bits (attribute type 0xC1).
pub mod validation {
    /// Mandatory fill.
    pub const MANDATORY_FILL: u8 = 0x04;
    /// Mandatory entry.
    pub const MANDATORY_ENTRY: u8 = 0x02;
    /// Trigger.
    pub const TRIGGER: u8 = 0x01;
}

/// Field outlining bits (attribute type 0xC2).
pub mod outlining {
    /// Underline.
    pub const UNDER: u8 = 0x01;
    /// Right vertical line.
    pub const RIGHT: u8 = 0x02;
    /// Overline.
    pub const OVER: u8 = 0x04;
    /// Left vertical line.
    pub const LEFT: u8 = 0x08;
}

/// Transparency values (attribute type 0x46).
pub mod transparency {
    /// Default.
    pub const DEFAULT: u8 = 0x00;
    /// Background transparent (OR).
    pub const OR: u8 = 0xF0;
    /// Background transparent (XOR).
    pub const XOR: u8 = 0xF1;
    /// Background opaque.
    pub const OPAQUE: u8 = 0xFF;
}

/// A set of extended attributes: those of a field (set by SFE/MF on its attribute cell) or
/// those of a character (set by SA, or by SFE/MF copying into it). 0x00 means default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExtendedAttributes {
    /// Foreground colour (0x42).
    pub fg: u8,
    /// Background colour (0x45).
    pub bg: u8,
    /// Extended highlighting (0x41).
    pub highlight: u8,
    /// Character set (0x43).
    pub charset: u8,
    /// Transparency (0x46).
    pub transparency: u8,
    /// Field validation bits (0xC1); meaningful on field attribute cells only.
    pub validation: u8,
    /// Field outlining bits (0xC2); meaningful on field attribute cells only.
    pub outlining: u8,
}

impl ExtendedAttributes {
    /// All defaults.
    pub const DEFAULT: ExtendedAttributes = ExtendedAttributes {
        fg: 0,
        bg: 0,
        highlight: 0,
        charset: 0,
        transparency: 0,
        validation: 0,
        outlining: 0,
    };

    /// Sets one attribute type/value pair. Returns false for a type this terminal does
    /// not support (the caller ignores it, as x3270 does).
    pub fn set(&mut self, attr_type: u8, value: u8) -> bool {
        match attr_type {
            xa::ALL => *self = ExtendedAttributes::DEFAULT,
            xa::FOREGROUND => self.fg = value,
            xa::BACKGROUND => self.bg = value,
            xa::HIGHLIGHTING => self.highlight = value,
            xa::CHARSET => self.charset = value,
            xa::TRANSPARENCY => self.transparency = value,
            xa::VALIDATION => self.validation = value,
            xa::OUTLINING => self.outlining = value,
            _ => return false,
        }
        true
    }

    /// True when every attribute is the default.
    pub fn is_default(&self) -> bool {
        *self == ExtendedAttributes::DEFAULT
    }
}
