#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into
fuzz/corpus/<target>/seed-*.bin, from the recorded s3270 sessions in tests/fixtures/traces
(the host's `<` bytes and the client's `>` bytes) plus hand-made malformed cases.

Run from the repository root: `python3 fuzz/make-seeds.py`. It only (re)writes files named
`seed-*`; minimised crashers and `cargo fuzz cmin` survivors next to them are kept. The
layout of each input (configuration bytes first) is documented in tn3270/src/fuzzing.rs.
"""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
TRACES = ROOT / "tests" / "fixtures" / "traces"
CORPUS = ROOT / "fuzz" / "corpus"

IAC, SB, SE, EOR, DO, WILL = 0xFF, 0xFA, 0xF0, 0xEF, 0xFD, 0xFB

# TN3270E data types a record header may start with (RFC 2355 §8.1).
TN3270E_DATA_TYPES = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}
# 3270 commands (GA23-0059 §3.3), to tell a headerless record from a TN3270E one.
COMMANDS = {0x01, 0xF1, 0x02, 0xF2, 0x03, 0x05, 0xF5, 0x06, 0xF6, 0x0D, 0x7E, 0x0E, 0x6E,
            0x0F, 0x6F, 0x11, 0xF3}


def trace_streams(text):
    """(host bytes, client bytes, s3270 command line) of one trace."""
    host, client = bytearray(), bytearray()
    for line in text.splitlines():
        m = re.match(r"^([<>]) 0x[0-9a-f]+\s+([0-9a-f]+)$", line)
        if m:
            (host if m.group(1) == "<" else client).extend(bytes.fromhex(m.group(2)))
    command = next((l for l in text.splitlines() if l.startswith(" Command: ")), "")
    return bytes(host), bytes(client), command


def records(stream):
    """The IAC-EOR-framed records of a telnet stream, IAC undoubled, negotiation dropped."""
    out, cur, i = [], bytearray(), 0
    while i < len(stream):
        b = stream[i]
        if b != IAC:
            cur.append(b)
            i += 1
            continue
        nxt = stream[i + 1] if i + 1 < len(stream) else None
        if nxt == IAC:
            cur.append(IAC)
            i += 2
        elif nxt == EOR:
            out.append(bytes(cur))
            cur = bytearray()
            i += 2
        elif nxt == SB:
            end = stream.find(bytes([IAC, SE]), i)
            i = len(stream) if end < 0 else end + 2
        elif nxt in (0xFB, 0xFC, 0xFD, 0xFE):
            i += 3
        else:
            i += 2
    return out


def strip_header(rec):
    """A record without its TN3270E header, when it has one (3270-DATA only)."""
    if len(rec) > 5 and rec[0] in TN3270E_DATA_TYPES and rec[0] not in COMMANDS:
        return rec[5:] if rec[0] == 0x00 else None
    return rec


def model_config(command):
    words = command.split()
    model, oversize = "4", None
    for k, w in enumerate(words):
        if w == "-model":
            model = words[k + 1]
        if w == "-oversize":
            oversize = words[k + 1]
    num = int(re.search(r"([2-5])", model.split("-")[-2] if "-" in model else model).group(1))
    color = not model.startswith("3278")
    return num, color, oversize


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"seed-{name}.bin").write_bytes(data)


def caps_bytes(num, color, sixteen=False, alt=None, code_page=0):
    b = (num - 2) | (4 if color else 0) | 8 | (16 if sixteen else 0)
    if alt:
        return bytes([b | 32, code_page, alt[0], alt[1]])
    return bytes([b, code_page])


def main():
    for old in CORPUS.glob("*/seed-*.bin"):
        old.unlink()
    for trc in sorted(TRACES.glob("*.trc")):
        name = trc.stem
        host, client, command = trace_streams(trc.read_text(errors="replace"))
        num, color, oversize = model_config(command)
        tn3270e = 1
        # Whole sessions.
        tb = (num - 2) | (4 if color else 0) | (tn3270e << 3) | 64
        term = bytes([tb, 0])
        if oversize:
            cols, rows = (int(x) for x in oversize.split("x"))
            term = bytes([tb | 128, 0, cols, rows])
        write("terminal", name, term + bytes([len(name)]) + host)
        write("tn3270e_client", name, bytes([0x01 | 0x10, 0x15, len(name)]) + host)
        write("tn3270e_host", name, bytes([0x05, 0x15, len(name)]) + client)
        write("telnet", name + "-host", bytes([0x00]) + host[:4096])
        write("telnet", name + "-client", bytes([0x01]) + client[:4096])
        # Records.
        alt = None
        if oversize:
            cols, rows = (int(x) for x in oversize.split("x"))
            alt = (rows, cols)
        caps = caps_bytes(num, color, alt=alt)
        host_recs = [r for r in (strip_header(r) for r in records(host)) if r]
        client_recs = [r for r in (strip_header(r) for r in records(client)) if r]
        joined = bytes([IAC, EOR]).join(host_recs)
        write("datastream", name, caps + joined)
        for k, rec in enumerate(host_recs):
            if rec[0] in (0x11, 0xF3):
                write("structured_fields", f"{name}-{k}", caps + rec[1:])
        for k, rec in enumerate(client_recs[:6]):
            write("inbound", f"{name}-{k}", bytes([0]) + rec)
        # The keyboard on the session's last full screen: tab around, type, erase, enter.
        screens = [r for r in host_recs if r[0] in (0xF5, 0x05, 0x7E, 0x0D)]
        if screens:
            prefix = screens[-1]
            script = bytes([1, 40, 41, 44, 2, 3, 5, 1, 20, 45, 46, 11, 7, 4, 36, 37, 9, 10,
                            19, 17, 18, 32, 40, 41, 22, 31, 21, 23, 3, 24, 2, 25, 22])
            write("keyboard", name, caps + len(prefix).to_bytes(2, "big") + prefix + script)

    # Hand-made malformed and edge cases.
    ew = 0xF5
    cases = {
        "datastream": {
            "sba-truncated": bytes([0, 0, ew, 0xC3, 0x11, 0x40]),
            "sba-out-of-range": bytes([0, 0, ew, 0xC3, 0x11, 0x3F, 0xFF, 0xC1]),
            "ra-wrap": bytes([0, 0, ew, 0xC3, 0x11, 0x5D, 0x7F, 0x3C, 0x40, 0x40, 0xC1]),
            "eua-to-self": bytes([0, 0, ew, 0xC3, 0x1D, 0x40, 0x12, 0x40, 0x40]),
            "sfe-many-pairs": bytes([0, 0, ew, 0xC3, 0x29, 0xFF] + [0x41, 0xF2] * 8),
            "mf-unformatted": bytes([0, 0, 0xF1, 0xC3, 0x2C, 0x02, 0x41, 0xF4]),
            "ge-at-end": bytes([0, 0, ew, 0xC3, 0x08]),
            "sixteen-bit-sba": bytes([16, 0, 0x7E, 0xC3, 0x11, 0x0D, 0x7F, 0xC1]),
            "dynamic-255x255": bytes([32, 0, 255, 255, 0x7E, 0xC3, 0x11, 0xFF, 0xFF, 0xC1]),
            "read-commands": bytes([0, 0, ew, 0xC3, 0x1D, 0x40, 0xC1, IAC, EOR, 0xF2,
                                    IAC, EOR, 0xF6, IAC, EOR, 0x6E]),
            "eau-then-write": bytes([0, 0, ew, 0xC3, 0x1D, 0x40, IAC, EOR, 0x6F,
                                     IAC, EOR, 0xF1, 0xC2, 0x13]),
            "unknown-command": bytes([0, 0, 0x42, 0x00]),
            "empty-records": bytes([0, 0, IAC, EOR, IAC, EOR]),
        },
        "structured_fields": {
            "query": bytes([0, 0, 0x00, 0x05, 0x01, 0xFF, 0x02]),
            "query-list-all": bytes([0, 0, 0x00, 0x06, 0x01, 0xFF, 0x03, 0x80]),
            "query-list": bytes([0, 0, 0x00, 0x09, 0x01, 0xFF, 0x03, 0x00, 0x81, 0x86, 0xA6]),
            "len-zero": bytes([0, 0, 0x00, 0x00, 0x01, 0xFF, 0x02]),
            "len-short": bytes([0, 0, 0x00, 0x02, 0x01]),
            "len-past-end": bytes([0, 0, 0x01, 0x00, 0x01, 0xFF, 0x02]),
            "set-reply-mode-char": bytes([0, 0, 0x00, 0x07, 0x09, 0x00, 0x02, 0x43, 0x45]),
            "erase-reset-alt": bytes([0, 0, 0x00, 0x04, 0x03, 0x80]),
            "outbound-3270ds": bytes([0, 0, 0x00, 0x09, 0x40, 0x00, 0xF5, 0xC3, 0x11, 0x40, 0x40]),
            "five-queries": bytes([0, 0] + [0x00, 0x05, 0x01, 0xFF, 0x02] * 5),
            "single-byte": bytes([0, 0, 0x00]),
        },
        "inbound": {
            "enter-fields": bytes([0, 0x7D, 0x40, 0x40, 0x11, 0x40, 0x41, 0xC1, 0xC2,
                                   0x11, 0x5D, 0x7F, 0xF1]),
            "short-read": bytes([0, 0x6D]),
            "test-request": bytes([0, 0x01, 0x6C, 0x61, 0x02, 0x11, 0x40, 0x40, 0xC1]),
            "truncated-cursor": bytes([0, 0x7D, 0x40]),
            "truncated-sba": bytes([0, 0x7D, 0x40, 0x40, 0x11, 0x40]),
            "sa-and-ge": bytes([0, 0x7D, 0x40, 0x40, 0x28, 0x42, 0xF2, 0x08, 0xAD, 0x28]),
            "sixteen": bytes([1, 0x7D, 0xFF, 0xFF, 0x11, 0xFF, 0xFE, 0xC1]),
            "unknown-aid": bytes([0, 0x99, 0x40, 0x40]),
        },
        "telnet": {
            "long-sub": bytes([0, IAC, SB, 24]) + b"x" * 2000 + bytes([IAC, SE]),
            "sub-unterminated": bytes([0, IAC, SB, 24, 1, IAC, 0xF1, 0x41]),
            "nvt-cr-nul": bytes([0]) + b"a\r\0b\r\nc\r" + bytes([0, IAC, IAC, 0x41]),
            "record-iac-iac": bytes([1, 0xF5, IAC, IAC, 0xC3, IAC, EOR, IAC]),
            "commands": bytes([1, IAC, 0xF1, IAC, 0xF9, IAC, SE, IAC, 0x01, IAC, DO]),
        },
        "tn3270e_client": {
            "tn3270e-bind": bytes([0x11, 0x15, 3, IAC, DO, 40, IAC, SB, 40, 8, 2, IAC, SE,
                                   IAC, SB, 40, 2, 4]) + b"IBM-3278-2-E" + bytes([1])
            + b"LU1" + bytes([IAC, SE, IAC, SB, 40, 3, 4, 0, 2, 4, IAC, SE,
                              0x03, 0, 0, 0, 0, 0x31, 0x01, 0x03, 0x03, 0xB1, 0x90, 0x30,
                              0x80] + [0] * 12 + [0x7F, 0xFF, 0xFF, IAC, EOR]),
            "tn3270-plain": bytes([0, 0, 7, IAC, DO, 24, IAC, SB, 24, 1, IAC, SE, IAC, DO, 25,
                                   IAC, WILL, 25, IAC, DO, 0, IAC, WILL, 0, 0xF5, 0xC3, IAC,
                                   EOR]),
            "start-tls": bytes([0x04, 0, 1, IAC, DO, 46, IAC, SB, 46, 1, IAC, SE, 0x16, 0x03]),
            "environ": bytes([0x08, 0, 1, IAC, DO, 39, IAC, SB, 39, 1, 0, IAC, SE]),
            "timing-mark": bytes([0, 0, 1, IAC, DO, 6, IAC, WILL, 6]),
        },
        "tn3270e_host": {
            "device-request": bytes([0x01, 0x15, 2, IAC, WILL, 40, IAC, SB, 40, 2, 7])
            + b"IBM-3278-2-E" + bytes([1]) + b"LU9" + bytes([IAC, SE]),
            "ttype": bytes([0x00, 0, 2, IAC, WILL, 24, IAC, SB, 24, 0]) + b"IBM-3279-2-E@LU"
            + bytes([IAC, SE, IAC, WILL, 25, IAC, DO, 25, IAC, WILL, 0, IAC, DO, 0,
                     0x7D, 0x40, 0x40, IAC, EOR]),
        },
        "keyboard": {
            "numeric-field": bytes([0, 0, 0, 9, ew, 0xC3, 0x1D, 0x50, 0x13, 0x11, 0x40, 0x50,
                                    0x1D, 0x60, 40, 44, 45, 46, 20, 40, 41, 22]),
            "typeahead": bytes([0, 0, 0, 3, ew, 0xC3, 0x1D, 32] + [40] * 300 + [31, 21]),
            "sscp-lu": bytes([0, 0, 0, 0, 35, 40, 41, 42, 22, 35, 26, 27]),
            "host-write": bytes([0, 0, 0, 0, 33, 4, ew, 0xC2, 0x1D, 0x40, 40, 22, 31, 1]),
            "unicode": bytes([0, 0, 0, 0, 30, 0x20, 0xAC, 30, 0xD8, 0x00, 29, 0xAD, 23, 25]),
        },
        "terminal": {
            "nvt": bytes([0, 0, 1]) + b"login: " + bytes([IAC, 0xF9]) + b"\r\n",
            "bind-bad": bytes([8, 0, 1, IAC, DO, 40, IAC, SB, 40, 8, 2, IAC, SE,
                               IAC, SB, 40, 2, 4]) + b"IBM-3278-2-E" + bytes([IAC, SE,
                               IAC, SB, 40, 3, 4, 0, 2, 4, IAC, SE, 0x03, 0, 0, 0, 0, 0x31,
                               IAC, EOR, 0x07, 0, 0, 0, 1, 0xC1, 0x15, 0xC2, IAC, EOR]),
        },
    }
    for target, items in cases.items():
        for name, data in items.items():
            write(target, name, data)
    for d in sorted(CORPUS.iterdir()):
        files = list(d.iterdir())
        print(f"{d.name}: {len(files)} files, {sum(f.stat().st_size for f in files)} bytes")


if __name__ == "__main__":
    main()
