#!/usr/bin/env python3
"""Generates tn3270/src/codepage/tables.rs from committed EBCDIC mapping data.

Python 3.11, standard library only. Run from anywhere:

    python3 tools/codepages/gen.py            # write tn3270/src/codepage/tables.rs
    python3 tools/codepages/gen.py --check    # exit 1 if the committed file is stale
    python3 tools/codepages/gen.py extract    # refresh data/*.txt from the system's sources
    python3 tools/codepages/gen.py crosscheck # compare data/*.txt with every other source here

`generate` and `--check` read only data/*.txt (committed), so they are reproducible on any
machine. `extract` and `crosscheck` need the sources described in README.md: ICU's `uconv`
(Debian `icu-devtools`), glibc's iconv (libc gconv modules), OpenJDK (`java`), Python's own
codecs and, optionally, the PyPI `ebcdic` package.
"""

from __future__ import annotations

import argparse
import codecs
import ctypes
import ctypes.util
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DATA = HERE / "data"
OUT = REPO / "tn3270" / "src" / "codepage" / "tables.rs"

# x3270 reports GCSGID 697 for a bare CPGID (its DEFAULT_CGEN); see README.md.
G697 = 697


@dataclass
class Page:
    """One code page: identity, x3270 names, and where its mapping comes from."""

    name: str  # canonical name (x3270's)
    aliases: list[str]  # x3270's aliases (what `s3270 -codepage NAME` accepts)
    gcsgid: int
    cpgid: int
    source: str  # primary source, "kind:name"
    description: str
    checks: list[str] = field(default_factory=list)  # secondary sources for crosscheck


PAGES: list[Page] = [
    Page("cp037", ["cp37", "us", "us-intl"], G697, 37, "icu:ibm-37_P100-1995",
         "USA, Canada, Netherlands, Portugal, Brazil (CECP)",
         ["glibc:IBM037", "java:IBM037", "python:cp037", "pypi:cp037"]),
    Page("cp273", ["german"], G697, 273, "icu:ibm-273_P100-1995", "Austria, Germany",
         ["glibc:IBM273", "java:IBM273", "python:cp273", "pypi:cp273"]),
    Page("cp275", ["brazilian"], G697, 275, "glibc:IBM275", "Brazil (old)", []),
    Page("cp277", ["norwegian"], G697, 277, "icu:ibm-277_P100-1995", "Denmark, Norway",
         ["glibc:IBM277", "java:IBM277", "pypi:cp277"]),
    Page("cp278", ["finnish", "swedish"], G697, 278, "icu:ibm-278_P100-1995", "Finland, Sweden",
         ["glibc:IBM278", "java:IBM278", "pypi:cp278"]),
    Page("cp280", ["italian"], G697, 280, "icu:ibm-280_P100-1995", "Italy",
         ["glibc:IBM280", "java:IBM280", "pypi:cp280"]),
    Page("cp284", ["spanish"], G697, 284, "icu:ibm-284_P100-1995", "Spain, Latin America",
         ["glibc:IBM284", "java:IBM284", "pypi:cp284"]),
    Page("cp285", ["uk"], G697, 285, "icu:ibm-285_P100-1995", "United Kingdom",
         ["glibc:IBM285", "java:IBM285", "pypi:cp285"]),
    Page("cp297", ["french"], G697, 297, "icu:ibm-297_P100-1995", "France",
         ["glibc:IBM297", "java:IBM297", "pypi:cp297"]),
    Page("cp424", ["hebrew"], 1349, 424, "icu:ibm-424_P100-1995", "Hebrew",
         ["glibc:IBM424", "java:IBM424", "pypi:cp424"]),
    Page("cp500", ["belgian"], G697, 500, "icu:ibm-500_P100-1995",
         "International Latin-1 (Belgium, Switzerland)",
         ["glibc:IBM500", "java:IBM500", "python:cp500", "pypi:cp500"]),
    Page("cp803", ["hebrew-old"], 1147, 803, "icu:ibm-803_P100-1999", "Hebrew (old, set A)",
         ["glibc:IBM803"]),
    Page("cp870", ["polish", "slovenian"], 959, 870, "icu:ibm-870_P100-1995",
         "Latin-2 multilingual",
         ["glibc:IBM870", "java:IBM870", "pypi:cp870"]),
    Page("cp871", ["icelandic"], G697, 871, "icu:ibm-871_P100-1995", "Iceland",
         ["glibc:IBM871", "java:IBM871", "pypi:cp871"]),
    Page("cp875", ["greek"], 925, 875, "icu:ibm-875_P100-1995", "Greek",
         ["glibc:IBM875", "java:x-IBM875", "python:cp875", "pypi:cp875"]),
    Page("cp880", ["russian"], 959, 880, "glibc:IBM880", "Cyrillic multilingual (old)", []),
    Page("cp1026", ["turkish"], 1152, 1026, "icu:ibm-1026_P100-1995", "Turkish (Latin-5)",
         ["glibc:IBM1026", "java:IBM1026", "python:cp1026"]),
    Page("cp1047", [], G697, 1047, "icu:ibm-1047_P100-1995", "Latin-1 open systems (z/OS UNIX)",
         ["glibc:IBM1047", "java:IBM1047", "pypi:cp1047"]),
    Page("cp1123", ["ukrainian"], G697, 1123, "icu:ibm-1123_P100-1995", "Ukraine",
         ["glibc:IBM1123", "java:x-IBM1123", "pypi:cp1123"]),
    Page("cp1140", ["us-euro"], 695, 1140, "icu:ibm-1140_P100-1997", "cp037 with euro",
         ["glibc:IBM1140", "java:IBM01140", "python:cp1140", "pypi:cp1140"]),
    Page("cp1141", ["german-euro"], 695, 1141, "icu:ibm-1141_P100-1997", "cp273 with euro",
         ["glibc:IBM1141", "java:IBM01141", "pypi:cp1141"]),
    Page("cp1142", ["norwegian-euro"], 695, 1142, "icu:ibm-1142_P100-1997", "cp277 with euro",
         ["glibc:IBM1142", "java:IBM01142", "pypi:cp1142"]),
    Page("cp1143", ["finnish-euro", "swedish-euro"], 695, 1143, "icu:ibm-1143_P100-1997",
         "cp278 with euro", ["glibc:IBM1143", "java:IBM01143", "pypi:cp1143"]),
    Page("cp1144", ["italian-euro"], 695, 1144, "icu:ibm-1144_P100-1997", "cp280 with euro",
         ["glibc:IBM1144", "java:IBM01144", "pypi:cp1144"]),
    Page("cp1145", ["spanish-euro"], 695, 1145, "icu:ibm-1145_P100-1997", "cp284 with euro",
         ["glibc:IBM1145", "java:IBM01145", "pypi:cp1145"]),
    Page("cp1146", ["uk-euro"], 695, 1146, "icu:ibm-1146_P100-1997", "cp285 with euro",
         ["glibc:IBM1146", "java:IBM01146", "pypi:cp1146"]),
    Page("cp1147", ["french-euro"], 695, 1147, "icu:ibm-1147_P100-1997", "cp297 with euro",
         ["glibc:IBM1147", "java:IBM01147", "pypi:cp1147"]),
    Page("cp1148", ["belgian-euro"], 695, 1148, "icu:ibm-1148_P100-1997", "cp500 with euro",
         ["glibc:IBM1148", "java:IBM01148", "pypi:cp1148"]),
    Page("cp1149", ["icelandic-euro"], 695, 1149, "icu:ibm-1149_P100-1997", "cp871 with euro",
         ["glibc:IBM1149", "java:IBM01149", "pypi:cp1149"]),
    Page("cp1158", ["ukrainian-euro"], G697, 1158, "icu:ibm-1158_P100-1999", "cp1123 with euro",
         ["glibc:IBM1158"]),
    Page("cp1160", ["thai"], 1395, 1160, "icu:ibm-1160_P100-1999", "Thai with euro",
         ["glibc:IBM1160"]),
    Page("bracket", ["oldibm", "bracket437"], G697, 37, "bracket:cp037",
         "cp037 with [ ] at X'AD'/X'BD' (x3270's default)", []),
    # Not offered by x3270; CGCSGIDs from IBM CDRA (see README.md).
    Page("cp924", [], 1353, 924, "latin9:cp1047", "Latin-9 open systems (cp1047 layout, euro)",
         []),
    Page("cp1025", [], 1150, 1025, "icu:ibm-1025_P100-1995", "Cyrillic multilingual",
         ["glibc:IBM1025", "java:x-IBM1025", "pypi:cp1025"]),
    Page("cp1154", [], 1381, 1154, "icu:ibm-1154_P100-1999", "cp1025 with euro",
         ["glibc:IBM1154"]),
]

Table = list  # 256 entries: int code point, or None when the byte is unassigned

# ---------------------------------------------------------------- sources (extract only)


def src_icu(conv: str) -> Table:
    """ICU via `uconv`: all 256 bytes in one run, unassigned bytes escaped as %XNN."""
    with tempfile.NamedTemporaryFile() as f:
        f.write(bytes(range(256)))
        f.flush()
        out = subprocess.run(
            ["uconv", "--from-callback", "escape", "-f", conv, "-t", "UTF-32BE", f.name],
            check=True, capture_output=True).stdout
    text = out.decode("utf-32-be")
    table: Table = []
    pos = 0
    for b in range(256):
        esc = f"%X{b:02X}"
        if text.startswith(esc, pos):
            table.append(None)
            pos += len(esc)
        else:
            table.append(ord(text[pos]))
            pos += 1
    if pos != len(text):
        raise SystemExit(f"uconv {conv}: {len(text) - pos} code points left over")
    return table


def src_glibc(name: str) -> Table:
    """glibc iconv through ctypes, one byte at a time (EILSEQ/EINVAL = unassigned)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.iconv_open.restype = ctypes.c_void_p
    libc.iconv_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.iconv.restype = ctypes.c_size_t
    libc.iconv.argtypes = [ctypes.c_void_p] + [ctypes.c_void_p] * 4
    libc.iconv_close.argtypes = [ctypes.c_void_p]
    cd = libc.iconv_open(b"UTF-32BE", name.encode())
    if cd in (None, ctypes.c_void_p(-1).value):
        raise LookupError(f"glibc iconv has no {name}")
    table: Table = []
    try:
        for b in range(256):
            libc.iconv(cd, None, None, None, None)  # reset shift state
            inbuf = ctypes.create_string_buffer(bytes([b]), 1)
            outbuf = ctypes.create_string_buffer(16)
            inp = ctypes.c_char_p(ctypes.addressof(inbuf))
            outp = ctypes.c_char_p(ctypes.addressof(outbuf))
            inleft = ctypes.c_size_t(1)
            outleft = ctypes.c_size_t(16)
            r = libc.iconv(cd, ctypes.byref(inp), ctypes.byref(inleft),
                           ctypes.byref(outp), ctypes.byref(outleft))
            n = 16 - outleft.value
            if r == ctypes.c_size_t(-1).value or n != 4:
                table.append(None)
            else:
                table.append(int.from_bytes(outbuf.raw[:4], "big"))
    finally:
        libc.iconv_close(cd)
    return table


_JAVA_CACHE: dict[str, Table] = {}


def src_java(name: str) -> Table:
    """OpenJDK charsets via JavaDump.java (all requested charsets in one JVM run)."""
    if name not in _JAVA_CACHE:
        wanted = sorted({s.split(":", 1)[1] for p in PAGES for s in [p.source, *p.checks]
                         if s.startswith("java:")} | {name})
        out = subprocess.run(["java", str(HERE / "JavaDump.java"), *wanted],
                             check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if parts[1] == "missing":
                _JAVA_CACHE[parts[0]] = []
                continue
            t = _JAVA_CACHE.setdefault(parts[0], [])
            t.append(None if parts[2] == "-" else int(parts[2], 16))
    t = _JAVA_CACHE[name]
    if len(t) != 256:
        raise LookupError(f"java has no {name}")
    return t


def src_python(name: str) -> Table:
    """Python's own codecs (strict; a UnicodeDecodeError = unassigned)."""
    table: Table = []
    for b in range(256):
        try:
            table.append(ord(bytes([b]).decode(name)))
        except UnicodeDecodeError:
            table.append(None)
    return table


def src_pypi(name: str) -> Table:
    """The PyPI `ebcdic` package's codecs (optional; registers on import)."""
    import ebcdic  # noqa: F401  (registers the codecs)

    return src_python(name)


def read_data(name: str) -> Table:
    """A committed data/<name>.txt: lines `0xNN U+XXXX` or `0xNN -` (unassigned)."""
    table: Table = [None] * 256
    seen = set()
    for line in (DATA / f"{name}.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"0x([0-9A-F]{2})\s+(?:U\+([0-9A-F]{4,6})|-)", line)
        if not m:
            raise SystemExit(f"data/{name}.txt: bad line {line!r}")
        b = int(m.group(1), 16)
        seen.add(b)
        table[b] = int(m.group(2), 16) if m.group(2) else None
    if len(seen) != 256:
        raise SystemExit(f"data/{name}.txt: {256 - len(seen)} bytes missing")
    return table


def read_overrides() -> dict[str, dict[int, int]]:
    """data/x3270_overrides.txt: `<page> 0xNN U+XXXX  # comment` (x3270's display wins)."""
    path = DATA / "x3270_overrides.txt"
    result: dict[str, dict[int, int]] = {}
    if not path.exists():
        return result
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"(\S+)\s+0x([0-9A-F]{2})\s+U\+([0-9A-F]{4,6})", line)
        if not m:
            raise SystemExit(f"x3270_overrides.txt: bad line {line!r}")
        result.setdefault(m.group(1), {})[int(m.group(2), 16)] = int(m.group(3), 16)
    return result


def apply_overrides(name: str, table: Table, overrides: dict[str, dict[int, int]]) -> Table:
    t = list(table)
    for b, u in overrides.get(name, {}).items():
        t[b] = u
    return t


def src_bracket(base: str) -> Table:
    """x3270's "bracket" page: cp037 with [ at X'AD' and ] at X'BD' (swaps with Ý and ¨)."""
    t = list(read_data(base))
    t[0xAD], t[0xBA] = t[0xBA], t[0xAD]
    t[0xBB], t[0xBD] = t[0xBD], t[0xBB]
    return t


# ISO 8859-1 positions that ISO 8859-15 reassigns; CCSID 924 is 1047's layout over Latin-9.
def src_latin9(base: str) -> Table:
    """CCSID 924: each cp1047 Latin-1 character replaced by the Latin-9 one at its position."""
    t: Table = []
    for u in read_data(base):
        if u is not None and 0xA0 <= u <= 0xFF:
            u = ord(bytes([u]).decode("iso8859_15"))
        t.append(u)
    return t


SOURCES = {"icu": src_icu, "glibc": src_glibc, "java": src_java, "python": src_python,
           "pypi": src_pypi, "bracket": src_bracket, "latin9": src_latin9}


def load(spec: str) -> Table:
    kind, name = spec.split(":", 1)
    return SOURCES[kind](name)


def write_data(page: Page, table: Table) -> None:
    lines = [f"# {page.name}: EBCDIC byte -> Unicode. Source: {page.source}.",
             "# Written by `python3 tools/codepages/gen.py extract`; '-' = unassigned."]
    for b, u in enumerate(table):
        lines.append(f"0x{b:02X} -" if u is None else f"0x{b:02X} U+{u:04X}")
    (DATA / f"{page.name}.txt").write_text("\n".join(lines) + "\n")


def cmd_extract() -> None:
    DATA.mkdir(exist_ok=True)
    # Derived pages read their base from data/, so extract real sources first.
    for page in sorted(PAGES, key=lambda p: p.source.split(":")[0] in ("bracket", "latin9")):
        write_data(page, load(page.source))
        print(f"{page.name}: {page.source}")


def describe(u: int | None) -> str:
    return "unassigned" if u is None else f"U+{u:04X} {chr(u)!r}"


def cmd_crosscheck() -> int:
    """Prints every disagreement between data/ and the secondary sources."""
    problems = 0
    for page in PAGES:
        ours = read_data(page.name)
        for spec in page.checks:
            try:
                other = load(spec)
            except (LookupError, ImportError, OSError, subprocess.CalledProcessError) as e:
                print(f"{page.name}: {spec} unavailable ({e})")
                continue
            diffs = [b for b in range(256) if ours[b] != other[b]]
            if not diffs:
                print(f"{page.name}: {spec} agrees on all 256 bytes")
            for b in diffs:
                problems += 1
                print(f"{page.name}: {spec} X'{b:02X}': ours {describe(ours[b])}, "
                      f"theirs {describe(other[b])}")
    return problems


# ---------------------------------------------------------------- generation

HEADER = """\
// @generated by tools/codepages/gen.py from tools/codepages/data/*.txt -- DO NOT EDIT.
// Regenerate: `python3 tools/codepages/gen.py`; verify: `python3 tools/codepages/gen.py --check`.
// Sources and cross-checks: tools/codepages/README.md.
"""

QUIET = False  # set by --check: no notes about one-way mappings
UNASSIGNED = 0xFFFD  # what decode() returns for a byte the code page leaves unassigned


def rust_char(u: int) -> str:
    return f"'\\u{{{u:04X}}}'"


def gen_page(page: Page, table: Table) -> str:
    ident = page.name.upper()
    dec = [UNASSIGNED if u is None else u for u in table]
    mapped = {}
    for b, u in enumerate(table):
        if u is None:
            continue
        if u in mapped:  # one-way vendor mapping (cp1160): the lowest byte encodes, like x3270
            if not QUIET:
                print(f"note: {page.name}: U+{u:04X} at X'{mapped[u]:02X}' and X'{b:02X}'",
                      file=sys.stderr)
            continue
        mapped[u] = b
    latin = [mapped.get(u, 0x100) for u in range(256)]
    other = sorted((u, b) for u, b in mapped.items() if u >= 0x100)
    aliases = ", ".join(f'"{a}"' for a in page.aliases)
    out = [f"/// {page.description}: CGCSGID {page.gcsgid}/{page.cpgid}"
           f" (x3270 names: {', '.join([page.name, *page.aliases])}).",
           f"/// Mapping source: `{page.source}`.",
           f"pub static {ident}: CodePage = CodePage {{",
           f'    name: "{page.name}",',
           f"    aliases: &[{aliases}],",
           f"    cgcsgid: ({page.gcsgid} << 16) | {page.cpgid},",
           f"    to_unicode: &{ident}_TO_UNICODE,",
           f"    from_latin1: &{ident}_FROM_LATIN1,",
           f"    from_other: &{ident}_FROM_OTHER,",
           "};", "",
           f"static {ident}_TO_UNICODE: [char; 256] = ["]
    for row in range(0, 256, 8):
        out.append("    " + ", ".join(rust_char(u) for u in dec[row:row + 8]) + ",")
    out += ["];", "", f"static {ident}_FROM_LATIN1: [u16; 256] = ["]
    for row in range(0, 256, 16):
        out.append("    " + ", ".join(f"0x{v:03X}" for v in latin[row:row + 16]) + ",")
    out += ["];", "", f"static {ident}_FROM_OTHER: [(char, u8); {len(other)}] = ["]
    for i in range(0, len(other), 6):
        out.append("    " + ", ".join(f"({rust_char(u)}, 0x{b:02X})"
                                      for u, b in other[i:i + 6]) + ",")
    out += ["];", ""]
    return "\n".join(out)


def gen_apl() -> str:
    table = read_data("apl310")
    dec = [UNASSIGNED if u is None else u for u in table]
    pairs = sorted({u: b for b, u in reversed(list(enumerate(table))) if u is not None}.items())
    out = ["/// Character set 310 (APL2 graphic escape set) as x3270 displays it: GE byte -> Unicode.",
           "/// Unassigned and control positions are U+FFFD. Source: `data/apl310.txt`.",
           "pub(crate) static APL310_TO_UNICODE: [char; 256] = ["]
    for row in range(0, 256, 8):
        out.append("    " + ", ".join(rust_char(u) for u in dec[row:row + 8]) + ",")
    out += ["];", "",
            "/// Reverse of [`APL310_TO_UNICODE`], sorted by character (lowest byte wins).",
            f"pub(crate) static APL310_FROM_UNICODE: [(char, u8); {len(pairs)}] = ["]
    for i in range(0, len(pairs), 6):
        out.append("    " + ", ".join(f"({rust_char(u)}, 0x{b:02X})"
                                      for u, b in pairs[i:i + 6]) + ",")
    out += ["];", ""]
    return "\n".join(out)


def generate() -> str:
    parts = [HEADER,
             "//! Generated EBCDIC code page tables (see the header comment for provenance).",
             "",
             "use super::CodePage;",
             "",
             "/// Every single-byte code page, in x3270's order (then the ones x3270 lacks).",
             "pub static ALL: &[&CodePage] = &["]
    parts += [f"    &{p.name.upper()}," for p in PAGES]
    parts += ["];", ""]
    overrides = read_overrides()
    for page in PAGES:
        parts.append(gen_page(page, apply_overrides(page.name, read_data(page.name), overrides)))
    if (DATA / "apl310.txt").exists():
        parts.append(gen_apl())
    return "\n".join(parts).rstrip("\n") + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", nargs="?", default="generate",
                    choices=["generate", "extract", "crosscheck"])
    ap.add_argument("--check", action="store_true",
                    help="verify the committed tables.rs equals fresh output")
    args = ap.parse_args()
    if args.command == "extract":
        cmd_extract()
        return 0
    if args.command == "crosscheck":
        return 1 if cmd_crosscheck() else 0
    global QUIET
    QUIET = args.check
    fresh = generate()
    if args.check:
        current = OUT.read_text() if OUT.exists() else ""
        if current != fresh:
            print(f"{OUT.relative_to(REPO)} is stale: run python3 tools/codepages/gen.py",
                  file=sys.stderr)
            return 1
        print(f"{OUT.relative_to(REPO)} is up to date")
        return 0
    OUT.write_text(fresh)
    print(f"wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
