//! Code page scenarios: a host byte decodes to what s3270 shows, an operator's character
//! encodes to the byte the host expects, names resolve like `s3270 -codepage NAME`.

use super::*;
use proptest::prelude::*;

fn page(name: &str) -> &'static CodePage {
    CodePage::by_name(name).unwrap()
}

/// Bytes whose character also sits at a lower byte (one-way vendor mappings); encode gives
/// the lower byte. Everything else assigned must round-trip.
const ONE_WAY: &[(&str, u8, u8)] = &[
    ("cp1160", 0xED, 0x51),
    ("cp1160", 0xEE, 0xCA),
    ("cp1160", 0xEF, 0xE1),
    ("cp1160", 0xFD, 0xFA),
];

fn one_way(cp: &CodePage, b: u8) -> Option<u8> {
    ONE_WAY
        .iter()
        .find(|&&(n, from, _)| n == cp.name && from == b)
        .map(|&(_, _, to)| to)
}

#[test]
fn host_bytes_decode_to_the_characters_of_each_national_page() {
    // (page, EBCDIC byte, character)
    let cases = [
        ("cp037", 0x4A, '¢'),
        ("cp037", 0xBA, '['),
        ("cp037", 0xBB, ']'),
        ("cp037", 0xC1, 'A'),
        ("cp037", 0xF0, '0'),
        ("cp037", 0x40, ' '),
        ("cp037", 0x41, '\u{A0}'),
        ("cp1047", 0xAD, '['),
        ("cp1047", 0xBD, ']'),
        ("cp1047", 0x5F, '^'),
        ("cp1140", 0x9F, '€'),
        ("cp273", 0x4A, 'Ä'),
        ("cp273", 0xC0, 'ä'),
        ("cp277", 0x5B, 'Å'),
        ("cp280", 0x4A, '°'),
        ("cp284", 0x4A, '['),
        ("cp285", 0x5B, '£'),
        ("cp297", 0x7C, 'à'),
        ("cp500", 0x4A, '['),
        ("cp424", 0x41, 'א'),
        ("cp875", 0x41, 'Α'),
        ("cp880", 0x42, 'ђ'),
        ("cp1025", 0x42, 'ђ'),
        ("cp1154", 0xE1, '€'),
        ("cp1158", 0xE1, '€'),
        ("cp1123", 0x42, 'ђ'),
        ("cp1160", 0x42, 'ก'),
        ("cp1160", 0xFE, '€'),
        ("cp924", 0x9F, '€'),
        ("cp924", 0xAD, '['),
        ("bracket", 0xAD, '['),
        ("bracket", 0xBD, ']'),
        ("bracket", 0xBA, 'Ý'),
        ("bracket", 0xBB, '¨'),
    ];
    for (name, byte, want) in cases {
        assert_eq!(page(name).decode(byte), want, "{name} X'{byte:02X}'");
        assert_eq!(page(name).encode(want), Some(byte), "{name} {want:?}");
    }
}

#[test]
fn controls_follow_the_vendor_tables() {
    let cp = &CP037;
    assert_eq!(cp.decode(0x00), '\u{0}');
    assert_eq!(cp.decode(0x25), '\n'); // LF
    assert_eq!(cp.decode(0x15), '\u{85}'); // NL
    assert_eq!(cp.decode(0x0D), '\r');
    assert_eq!(cp.decode(0xFF), '\u{9F}'); // EO in the vendor table is APC
}

#[test]
fn cells_where_x3270_differs_from_the_vendor_table_show_what_s3270_shows() {
    // (page, byte, s3270 4.1 shows, vendor table has)
    let cases = [
        ("cp278", 0x71, 'É', '\\'),
        ("cp278", 0xE0, '\\', 'É'),
        ("cp871", 0x4A, 'þ', 'Þ'),
        ("cp875", 0x74, '∇', '\u{A0}'),
        ("cp1026", 0x9A, 'ª', '₺'),
        ("cp424", 0xB3, '·', '•'),
    ];
    for (name, byte, shown, vendor) in cases {
        assert_eq!(page(name).decode(byte), shown, "{name} X'{byte:02X}'");
        assert_ne!(page(name).encode(vendor), Some(byte), "{name} {vendor:?}");
        assert_eq!(page(name).encode(shown), Some(byte), "{name} {shown:?}");
    }
}

#[test]
fn unassigned_bytes_decode_to_the_replacement_character_and_display_blank() {
    let cp424 = page("hebrew");
    assert_eq!(cp424.decode(0x70), UNASSIGNED);
    assert_eq!(cp424.try_decode(0x70), None);
    assert_eq!(cp424.display(0x70), ' ');
    assert_eq!(cp424.try_decode(0x41), Some('א'));
    assert_eq!(cp424.encode(UNASSIGNED), None);
}

#[test]
fn display_matches_s3270_for_blanks_controls_and_special_cells() {
    let cp = &CP037;
    assert_eq!(cp.display(0x00), ' '); // NUL
    assert_eq!(cp.display(0x40), ' ');
    assert_eq!(cp.display(0x15), ' '); // NL control
    assert_eq!(cp.display(EBCDIC_DUP), '*');
    assert_eq!(cp.display(EBCDIC_FM), ';');
    assert_eq!(cp.display(EBCDIC_SUB), '\u{25A0}');
    assert_eq!(cp.display(EBCDIC_EO), '\u{25CF}');
    assert_eq!(cp.display(0xC1), 'A');
    assert_eq!(page("cp1140").display(0x9F), '€');
}

#[test]
fn characters_a_page_lacks_do_not_encode() {
    assert_eq!(CP037.encode('€'), None);
    assert_eq!(CP037.encode('中'), None);
    assert_eq!(CP037.encode('Ą'), None);
    assert_eq!(page("polish").encode('Ą'), Some(0xB1));
    assert_eq!(page("cp1047").encode('\u{10FFFF}'), None);
}

#[test]
fn every_assigned_byte_round_trips_except_the_documented_one_way_mappings() {
    for cp in ALL {
        for b in 0..=255u8 {
            let Some(c) = cp.try_decode(b) else { continue };
            let want = one_way(cp, b).unwrap_or(b);
            assert_eq!(cp.encode(c), Some(want), "{} X'{b:02X}' {c:?}", cp.name);
        }
    }
    for &(name, from, to) in ONE_WAY {
        assert_eq!(page(name).decode(from), page(name).decode(to));
    }
}

#[test]
fn encode_agrees_with_a_linear_scan_of_the_table() {
    for cp in ALL {
        for u in (0..0x3000u32).chain(0xFE00..0x10000) {
            let Some(c) = char::from_u32(u) else { continue };
            if c == UNASSIGNED {
                continue;
            }
            let scan = (0..=255u8).find(|&b| cp.decode(b) == c);
            assert_eq!(cp.encode(c), scan, "{} {c:?}", cp.name);
        }
    }
}

#[test]
fn cgcsgids_are_the_ones_x3270_reports() {
    // (name, GCSGID, CPGID): x3270's table; cp924/cp1025/cp1154 from IBM CDRA.
    let expected = [
        ("cp037", 697, 37),
        ("cp273", 697, 273),
        ("cp275", 697, 275),
        ("cp277", 697, 277),
        ("cp278", 697, 278),
        ("cp280", 697, 280),
        ("cp284", 697, 284),
        ("cp285", 697, 285),
        ("cp297", 697, 297),
        ("cp424", 1349, 424),
        ("cp500", 697, 500),
        ("cp803", 1147, 803),
        ("cp870", 959, 870),
        ("cp871", 697, 871),
        ("cp875", 925, 875),
        ("cp880", 959, 880),
        ("cp1026", 1152, 1026),
        ("cp1047", 697, 1047),
        ("cp1123", 697, 1123),
        ("cp1140", 695, 1140),
        ("cp1141", 695, 1141),
        ("cp1142", 695, 1142),
        ("cp1143", 695, 1143),
        ("cp1144", 695, 1144),
        ("cp1145", 695, 1145),
        ("cp1146", 695, 1146),
        ("cp1147", 695, 1147),
        ("cp1148", 695, 1148),
        ("cp1149", 695, 1149),
        ("cp1158", 697, 1158),
        ("cp1160", 1395, 1160),
        ("bracket", 697, 37),
        ("cp924", 1353, 924),
        ("cp1025", 1150, 1025),
        ("cp1154", 1381, 1154),
    ];
    assert_eq!(ALL.len(), expected.len());
    for (cp, (name, gcsgid, cpgid)) in ALL.iter().zip(expected) {
        assert_eq!(cp.name, name);
        assert_eq!((cp.gcsgid(), cp.cpgid()), (gcsgid, cpgid), "{name}");
        assert_eq!(cp.cgcsgid(), (u32::from(gcsgid) << 16) | u32::from(cpgid));
    }
    assert_eq!(CP037.cgcsgid(), 0x02B9_0025);
    assert_eq!(page("cp1140").cgcsgid(), 0x02B7_0474);
}

#[test]
fn names_resolve_like_s3270_codepage_option() {
    let cases = [
        ("cp037", "cp037"),
        ("CP037", "cp037"),
        ("cp37", "cp037"),
        ("37", "cp037"),
        ("037", "cp037"),
        ("ibm-037", "cp037"),
        ("IBM037", "cp037"),
        ("us", "cp037"),
        ("us-intl", "cp037"),
        ("german", "cp273"),
        ("German-Euro", "cp1141"),
        ("swedish", "cp278"),
        ("finnish-euro", "cp1143"),
        ("slovenian", "cp870"),
        ("1047", "cp1047"),
        ("ccsid1140", "cp1140"),
        ("us-euro", "cp1140"),
        ("thai", "cp1160"),
        ("ukrainian", "cp1123"),
        ("ukrainian-euro", "cp1158"),
        ("hebrew-old", "cp803"),
        ("bracket", "bracket"),
        ("oldibm", "bracket"),
        ("bracket437", "bracket"),
        ("924", "cp924"),
        (" cp1025 ", "cp1025"),
    ];
    for (name, want) in cases {
        assert_eq!(
            CodePage::by_name(name).map(|cp| cp.name),
            Some(want),
            "{name}"
        );
    }
    for unknown in [
        "", "cp", "ibm-", "cp999", "klingon", "cp37x", "ccsid", "é", "cpé",
    ] {
        assert_eq!(CodePage::by_name(unknown), None, "{unknown:?}");
    }
}

#[test]
fn every_name_and_alias_is_unique_and_resolves_to_its_page() {
    let mut seen = std::collections::HashSet::new();
    for cp in ALL {
        for name in cp.names() {
            assert!(seen.insert(name), "{name} used twice");
            assert_eq!(CodePage::by_name(name), Some(*cp));
        }
    }
    assert_eq!(
        CP037.names().collect::<Vec<_>>(),
        ["cp037", "cp37", "us", "us-intl"]
    );
}

#[test]
fn debug_shows_the_identity_not_the_tables() {
    assert_eq!(
        format!("{CP037:?}"),
        "CodePage { name: \"cp037\", gcsgid: 697, cpgid: 37, .. }"
    );
}

#[test]
fn apl_graphic_escape_bytes_decode_to_what_x3270_shows() {
    // (byte after GE, character)
    let cases = [
        (0x70, '⋄'),
        (0x8A, '↑'),
        (0x8C, '≤'),
        (0x9F, '←'),
        (0xAD, '['),
        (0xBD, ']'),
        (0x40, ' '),
    ];
    for (byte, want) in cases {
        assert_eq!(apl::decode(byte), want, "GE X'{byte:02X}'");
        assert_eq!(apl::encode(want), Some(byte));
    }
    assert_eq!(apl::decode(0x41), UNASSIGNED); // underscored A: no Unicode character
    assert_eq!(apl::display(0x41), ' ');
    assert_eq!(apl::display(0x70), '⋄');
    assert_eq!(apl::encode('A'), None);
    assert_eq!(apl::CGCSGID, 0x03C3_0136);
}

#[test]
fn apl_round_trips_every_graphic() {
    let mut graphics = 0;
    for b in 0..=255u8 {
        let c = apl::decode(b);
        if c != UNASSIGNED {
            graphics += 1;
            assert_eq!(apl::encode(c), Some(b), "GE X'{b:02X}' {c:?}");
        }
    }
    assert_eq!(graphics, 114);
}

proptest! {
    #[test]
    fn decode_then_encode_gives_the_byte_back(index in 0..ALL.len(), b in any::<u8>()) {
        let cp = ALL[index];
        if let Some(c) = cp.try_decode(b) {
            prop_assert_eq!(cp.encode(c), Some(one_way(cp, b).unwrap_or(b)));
        }
    }

    #[test]
    fn encode_then_decode_gives_the_character_back(index in 0..ALL.len(), c in any::<char>()) {
        let cp = ALL[index];
        if let Some(b) = cp.encode(c) {
            prop_assert_eq!(cp.decode(b), c);
        }
    }

    #[test]
    fn by_name_never_panics(name in ".{0,12}") {
        if let Some(cp) = CodePage::by_name(&name) {
            prop_assert!(ALL.contains(&cp));
        }
    }
}

/// Reads `tools/codepages/data/<name>.txt` (`0xNN U+XXXX` or `0xNN -` per line).
fn data_file(name: &str) -> Vec<(u8, Option<char>)> {
    let path = format!(
        "{}/../tools/codepages/data/{name}.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (byte, value) = l.split_once(' ').unwrap();
            let byte = u8::from_str_radix(byte.trim_start_matches("0x"), 16).unwrap();
            let value = value
                .trim()
                .strip_prefix("U+")
                .map(|hex| char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap());
            (byte, value)
        })
        .collect()
}

#[test]
fn generated_tables_equal_the_committed_data_plus_x3270_overrides() {
    let overrides = std::fs::read_to_string(format!(
        "{}/../tools/codepages/data/x3270_overrides.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let overrides: Vec<(&str, u8, char)> = overrides
        .lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut w = l.split_whitespace();
            let page = w.next().unwrap();
            let byte = u8::from_str_radix(&w.next().unwrap()[2..], 16).unwrap();
            let u = u32::from_str_radix(&w.next().unwrap()[2..], 16).unwrap();
            (page, byte, char::from_u32(u).unwrap())
        })
        .collect();
    assert_eq!(overrides.len(), 17);
    for cp in ALL {
        let data = data_file(cp.name);
        assert_eq!(data.len(), 256, "{}", cp.name);
        for (byte, vendor) in data {
            let want = overrides
                .iter()
                .find(|&&(p, b, _)| p == cp.name && b == byte)
                .map(|&(_, _, c)| c)
                .or(vendor)
                .unwrap_or(UNASSIGNED);
            assert_eq!(cp.decode(byte), want, "{} X'{byte:02X}'", cp.name);
        }
    }
    for (byte, shown) in data_file("apl310") {
        assert_eq!(apl::decode(byte), shown.unwrap_or(UNASSIGNED));
    }
}
