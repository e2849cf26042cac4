#!/usr/bin/env python3
"""Compares our code page tables with what s3270 (x3270's scripting front end) displays.

Python 3.11 stdlib only; needs `s3270` on PATH (Debian package `s3270`, 4.1 tested).

    python3 tools/codepages/s3270_oracle.py           # report differences, exit 1 if any matter
    python3 tools/codepages/s3270_oracle.py --write   # rewrite data/x3270_overrides.txt and
                                                      # data/apl310.txt from s3270's display

How: a tiny mock TN3270 host on 127.0.0.1 negotiates TERMINAL-TYPE, EOR and BINARY (RFC 1091,
885, 856) and sends one Erase/Write (GA23-0059 3.4): buffer address 0 gets the bytes X'40'-X'FF'
(X'00'-X'3F' are orders and controls, not characters); address 400 gets Graphic Escape (GE,
X'08') followed by each of X'40'-X'FE'. s3270 then runs `ReadBuffer(Unicode)`, which prints every
cell as the Unicode code point x3270 displays (0000 = nothing shown).

The rule we apply (README.md): where s3270 shows a printable character, our table shows the same
one (an override when the vendor table differs); where s3270 shows nothing, we keep the vendor
mapping.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen  # noqa: E402  (sibling module)

IAC, SB, SE, DO, WILL, EOR_CMD = 255, 250, 240, 253, 251, 239
TTYPE, EOR, BINARY, TTYPE_SEND = 24, 25, 0, 1
ERASE_WRITE, WCC_RESTORE, SBA, GE = 0xF5, 0xC2, 0x11, 0x08
GE_START = 400  # buffer address of the GE row (row 5 of 80 columns)
SPECIAL_START = 1000  # buffer address of the controls and special cells below
# Byte -> what CodePage::display returns for it (0 = blank): NUL, DUP, FM, SUB, NL, LF, CR.
SPECIALS = {0x00: 0, 0x1C: ord("*"), 0x1E: ord(";"), 0x3F: 0x25A0, 0x15: 0, 0x25: 0, 0x0D: 0}
# 12-bit buffer address code table (GA23-0059 Figure "Buffer address conversion").
ADDR6 = bytes.fromhex("40C1C2C3C4C5C6C7C8C94A4B4C4D4E4F50D1D2D3D4D5D6D7D8D95A5B5C5D5E5F"
                      "6061E2E3E4E5E6E7E8E96A6B6C6D6E6FF0F1F2F3F4F5F6F7F8F97A7B7C7D7E7F")
# Code pages s3270 4.1 offers (cp1123/cp1158 arrived later; 924/1025/1154 not in x3270).
S3270_PAGES = ["cp037", "cp273", "cp275", "cp277", "cp278", "cp280", "cp284", "cp285", "cp297",
               "cp424", "cp500", "cp803", "cp870", "cp871", "cp875", "cp880", "cp1026", "cp1047",
               "cp1140", "cp1141", "cp1142", "cp1143", "cp1144", "cp1145", "cp1146", "cp1147",
               "cp1148", "cp1149", "cp1160", "bracket"]


def record() -> bytes:
    def sba(addr: int) -> bytes:
        return bytes([SBA, ADDR6[addr >> 6], ADDR6[addr & 63]])

    rec = bytes([ERASE_WRITE, WCC_RESTORE]) + sba(0) + bytes(range(0x40, 0x100))
    rec += sba(GE_START) + b"".join(bytes([GE, b]) for b in range(0x40, 0xFF))
    rec += sba(SPECIAL_START) + bytes(SPECIALS)
    return rec.replace(b"\xff", b"\xff\xff") + bytes([IAC, EOR_CMD])


def host(srv: socket.socket) -> None:
    conn, _ = srv.accept()
    with conn:
        conn.settimeout(5)
        for msg in (bytes([IAC, DO, TTYPE]), bytes([IAC, SB, TTYPE, TTYPE_SEND, IAC, SE]),
                    bytes([IAC, DO, EOR, IAC, WILL, EOR, IAC, DO, BINARY, IAC, WILL, BINARY])):
            conn.sendall(msg)
            time.sleep(0.2)
            conn.recv(4096)
        conn.sendall(record())
        try:
            while conn.recv(4096):
                pass
        except OSError:
            pass


def s3270_cells(codepage: str) -> list[int]:
    """Every cell's code point as s3270 displays it with `-codepage codepage`."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    t = threading.Thread(target=host, args=(srv,), daemon=True)
    t.start()
    script = f"Connect(127.0.0.1:{port})\nWait(5,Output)\nReadBuffer(Unicode)\nQuit()\n"
    out = subprocess.run(["s3270", "-codepage", codepage], input=script, text=True,
                         capture_output=True, timeout=30, env={"LANG": "C.UTF-8"}).stdout
    t.join(5)
    srv.close()
    cells = [int(w, 16) for line in out.splitlines() if line.startswith("data: ")
             for w in line[6:].split()]
    if len(cells) != 24 * 80:
        raise SystemExit(f"{codepage}: s3270 returned {len(cells)} cells:\n{out}")
    return cells


def printable(u: int) -> bool:
    return u >= 0x20 and not 0x7F <= u < 0xA0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true", help="rewrite the override and APL data")
    args = ap.parse_args()
    overrides = []
    report = []
    apl = None
    for name in S3270_PAGES:
        cells = s3270_cells(name)
        vendor = gen.read_data(name)
        final = gen.apply_overrides(name, vendor, gen.read_overrides())
        # X'FF' is EO (GA23-0059 4.3.3), a special cell x3270 draws as U+25CF, not a character.
        for b in range(0x40, 0xFF):
            shown = cells[b - 0x40]
            if printable(shown) and vendor[b] != shown:
                overrides.append(f"{name} 0x{b:02X} U+{shown:04X}  # vendor: "
                                 f"{gen.describe(vendor[b])}")
            if printable(shown) and final[b] != shown:
                report.append(f"{name} X'{b:02X}': MISMATCH s3270 {gen.describe(shown)}, "
                              f"ours {gen.describe(final[b])}")
            elif not printable(shown) and final[b] is not None and printable(final[b]):
                report.append(f"{name} X'{b:02X}': s3270 shows nothing (U+{shown:04X}), "
                              f"ours {gen.describe(final[b])}")
        for i, (b, want) in enumerate(SPECIALS.items()):
            if cells[SPECIAL_START + i] != want:
                report.append(f"{name} special X'{b:02X}': MISMATCH s3270 "
                              f"U+{cells[SPECIAL_START + i]:04X}, display() U+{want:04X}")
        ge = [cells[GE_START + b - 0x40] for b in range(0x40, 0xFF)]
        if apl is None:
            apl = ge
        elif ge != apl:
            report.append(f"{name}: GE display differs from cp037's: MISMATCH")
    for line in report:
        print(line)
    if args.write:
        head = ["# Cells where x3270 (s3270 4.1 ReadBuffer(Unicode)) displays a printable",
                "# character other than the vendor table's. Written by s3270_oracle.py --write.",
                "# Format: <page> 0xNN U+XXXX  # vendor value"]
        (gen.DATA / "x3270_overrides.txt").write_text("\n".join(head + overrides) + "\n")
        lines = ["# Character set 310 (APL, reached by GE X'08'): GE byte -> Unicode as x3270",
                 "# displays it (s3270 4.1 ReadBuffer(Unicode)); '-' = x3270 shows nothing.",
                 "# Written by `python3 tools/codepages/s3270_oracle.py --write`."]
        assert apl is not None
        for b in range(256):
            u = apl[b - 0x40] if 0x40 <= b <= 0xFE else 0
            lines.append(f"0x{b:02X} U+{u:04X}" if printable(u) else f"0x{b:02X} -")
        (gen.DATA / "apl310.txt").write_text("\n".join(lines) + "\n")
        print(f"wrote {len(overrides)} overrides and apl310.txt")
    return 1 if any("MISMATCH" in r for r in report) else 0


if __name__ == "__main__":
    sys.exit(main())
