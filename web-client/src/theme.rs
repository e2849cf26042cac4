//! Colour themes: the RGB values the renderer paints the 3270 colours with.
//!
//! Owns: the 16 extended colours of GA23-0059 §6.13 (Query Reply Color; values X'F0'–X'FF'
//! of the foreground/background extended attributes, §4.4.6.3) as RGB per theme, the four
//! base-attribute colours a 3279 shows for fields without extended colour (x3270's
//! `hostColorForDefault/Intensified/Protected/ProtectedIntensified` = green, red, blue,
//! white), the monochrome pair of a 3278, and the chrome colours (background, cursor, OIA).
//! Does not own: which colour a cell gets (that is [`crate::render`]).
//!
//! The `x3270` theme uses x3270's default colour scheme (black, deepSkyBlue, red, pink, green,
//! turquoise, yellow, white, black, blue3, orange, purple, paleGreen, paleTurquoise2, grey,
//! white). The others are ours: `green` (classic green-screen phosphor, every colour a
//! shade of green), `dark` (softer colours on charcoal), `light` (dark colours on white; the
//! neutral colours swap, as GA23-0059 allows for a light background) and `high-contrast`.

use tn3270::screen::attributes::color;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`, for canvas `fillStyle` and CSS.
    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
    /// The colour as one number `0xRRGGBB` (a cache key).
    pub fn packed(self) -> u32 {
        (u32::from(self.0) << 16) | (u32::from(self.1) << 8) | u32::from(self.2)
    }
}

/// Index into [`Theme::palette`] of the four base colours (GA23-0059 colour values & 0x0F).
const BLUE: usize = 1;
const RED: usize = 2;
const GREEN: usize = 4;
const WHITE: usize = 7;

/// One theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// Name used by [`Theme::by_name`].
    pub name: &'static str,
    /// The 16 colours X'F0'–X'FF', indexed by the low nibble.
    pub palette: [Rgb; 16],
    /// Screen background (colour value X'00', "default").
    pub background: Rgb,
    /// Normal and intensified foreground of a monochrome (3278) display.
    pub mono: [Rgb; 2],
    /// Cursor colour.
    pub cursor: Rgb,
    /// OIA text.
    pub oia_fg: Rgb,
    /// OIA background.
    pub oia_bg: Rgb,
    /// The line between screen and OIA.
    pub oia_rule: Rgb,
    /// Field outlining lines (GA23-0059 §4.4.6.7); also the crosshair (ruler) lines.
    pub outline: Rgb,
    /// Background of selected cells (mouse selection); their glyphs keep their colour.
    pub selection: Rgb,
}

const fn hex(v: u32) -> Rgb {
    Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

const fn palette(v: [u32; 16]) -> [Rgb; 16] {
    let mut out = [Rgb(0, 0, 0); 16];
    let mut i = 0;
    while i < 16 {
        out[i] = hex(v[i]);
        i += 1;
    }
    out
}

/// x3270's default scheme on black.
pub const X3270: Theme = Theme {
    name: "x3270",
    palette: palette([
        0x000000, 0x00bfff, 0xff0000, 0xffc0cb, 0x00ff00, 0x40e0d0, 0xffff00, 0xffffff, 0x000000,
        0x0000cd, 0xffa500, 0xa020f0, 0x98fb98, 0xaeeeee, 0xbebebe, 0xffffff,
    ]),
    background: hex(0x000000),
    mono: [hex(0x00ff00), hex(0x66ff66)],
    cursor: hex(0x00ff00),
    oia_fg: hex(0x00bfff),
    oia_bg: hex(0x000000),
    oia_rule: hex(0x00bfff),
    outline: hex(0x00bfff),
    selection: hex(0x3a5a8c),
};

/// Classic green phosphor: every colour a shade of green.
pub const GREEN_SCREEN: Theme = Theme {
    name: "green",
    palette: palette([
        0x0a1a0a, 0x2fae4f, 0x5cff7a, 0x7dff95, 0x33cc55, 0x4fe070, 0x9dffb0, 0xb8ffc8, 0x0a1a0a,
        0x2a9a46, 0x6ef088, 0x40c060, 0x8cf7a2, 0xa6ffba, 0x3d8f52, 0xd0ffdc,
    ]),
    background: hex(0x0a1a0a),
    mono: [hex(0x33cc55), hex(0x9dffb0)],
    cursor: hex(0x9dffb0),
    oia_fg: hex(0x33cc55),
    oia_bg: hex(0x0a1a0a),
    oia_rule: hex(0x2fae4f),
    outline: hex(0x4fe070),
    selection: hex(0x1f5a2c),
};

/// Modern dark: softer colours on charcoal.
pub const DARK: Theme = Theme {
    name: "dark",
    palette: palette([
        0x1e1f22, 0x61afef, 0xe06c75, 0xf0a6ca, 0x98c379, 0x56b6c2, 0xe5c07b, 0xdcdfe4, 0x1e1f22,
        0x4d78cc, 0xd19a66, 0xc678dd, 0xb5e8a0, 0xa8e1e8, 0x8b9099, 0xffffff,
    ]),
    background: hex(0x1e1f22),
    mono: [hex(0x98c379), hex(0xdcdfe4)],
    cursor: hex(0xdcdfe4),
    oia_fg: hex(0x8b9099),
    oia_bg: hex(0x16171a),
    oia_rule: hex(0x3a3d44),
    outline: hex(0x61afef),
    selection: hex(0x3e4a63),
};

/// Light: dark colours on white; neutral black and white swap.
pub const LIGHT: Theme = Theme {
    name: "light",
    palette: palette([
        0xffffff, 0x0057b7, 0xc0161f, 0xb3257a, 0x1a7f37, 0x007a80, 0x8a6d00, 0x1f2328, 0xffffff,
        0x0a2d8f, 0xb35900, 0x7a2fb3, 0x3b7d3b, 0x2f7f86, 0x6e7781, 0x000000,
    ]),
    background: hex(0xffffff),
    mono: [hex(0x1a7f37), hex(0x1f2328)],
    cursor: hex(0x1f2328),
    oia_fg: hex(0x57606a),
    oia_bg: hex(0xf0f2f4),
    oia_rule: hex(0xb0b7be),
    outline: hex(0x0057b7),
    selection: hex(0xb4d5fe),
};

/// High contrast: saturated colours on black, yellow cursor.
pub const HIGH_CONTRAST: Theme = Theme {
    name: "high-contrast",
    palette: palette([
        0x000000, 0x00ffff, 0xff3333, 0xff66ff, 0x00ff00, 0x00ffff, 0xffff00, 0xffffff, 0x000000,
        0x6699ff, 0xff9900, 0xcc66ff, 0x99ff99, 0x99ffff, 0xcccccc, 0xffffff,
    ]),
    background: hex(0x000000),
    mono: [hex(0xffffff), hex(0xffff00)],
    cursor: hex(0xffff00),
    oia_fg: hex(0xffffff),
    oia_bg: hex(0x000000),
    oia_rule: hex(0xffffff),
    outline: hex(0xffff00),
    selection: hex(0x0000aa),
};

/// Every theme, the default first.
pub const ALL: [&Theme; 5] = [&X3270, &GREEN_SCREEN, &DARK, &LIGHT, &HIGH_CONTRAST];

impl Default for Theme {
    fn default() -> Theme {
        X3270
    }
}

impl Theme {
    /// A theme by name (ASCII case-insensitive).
    pub fn by_name(name: &str) -> Option<&'static Theme> {
        ALL.iter()
            .copied()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// The RGB of an extended colour value X'F0'–X'FF'; `None` for X'00' (default) and for
    /// values outside the range (a host may send anything; the caller then uses the base
    /// colour, as x3270 does).
    pub fn color(&self, value: u8) -> Option<Rgb> {
        if value < color::NEUTRAL_BLACK {
            return None;
        }
        self.palette.get(usize::from(value & 0x0F)).copied()
    }

    /// The colour a 3279 gives a field without extended colour (x3270's default mapping):
    /// unprotected normal green, unprotected intensified red, protected normal blue,
    /// protected intensified white.
    pub fn base_color(&self, protected: bool, intensified: bool) -> Rgb {
        let i = match (protected, intensified) {
            (false, false) => GREEN,
            (false, true) => RED,
            (true, false) => BLUE,
            (true, true) => WHITE,
        };
        self.palette[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x3270_base_colours_are_green_red_blue_white() {
        let t = Theme::default();
        assert_eq!(t.base_color(false, false), Rgb(0x00, 0xff, 0x00));
        assert_eq!(t.base_color(false, true), Rgb(0xff, 0x00, 0x00));
        assert_eq!(t.base_color(true, false), Rgb(0x00, 0xbf, 0xff));
        assert_eq!(t.base_color(true, true), Rgb(0xff, 0xff, 0xff));
    }

    #[test]
    fn extended_colours_index_by_low_nibble_and_default_has_none() {
        let t = Theme::default();
        assert_eq!(t.color(color::DEFAULT), None);
        assert_eq!(t.color(0x42), None); // junk below X'F0'
        assert_eq!(t.color(color::YELLOW), Some(Rgb(0xff, 0xff, 0x00)));
        assert_eq!(t.color(color::ORANGE), Some(Rgb(0xff, 0xa5, 0x00)));
        assert_eq!(t.color(color::WHITE), Some(Rgb(0xff, 0xff, 0xff)));
    }

    #[test]
    fn themes_are_found_by_name() {
        for t in ALL {
            assert_eq!(Theme::by_name(t.name), Some(t));
        }
        assert_eq!(
            Theme::by_name("HIGH-CONTRAST").map(|t| t.name),
            Some("high-contrast")
        );
        assert_eq!(Theme::by_name("nope"), None);
        assert_eq!(Rgb(1, 0xab, 0xff).css(), "#01abff");
    }
}
