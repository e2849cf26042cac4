//! Parsers for the byte traces the peers write: what the host sent and what it received.
//!
//! - s3270's `-trace -tracefile F`: lines `< 0x<offset>  <hex>` are bytes from the host and
//!   `> 0x<offset>  <hex>` bytes to the host; the offset restarts at 0 at each socket read or
//!   write, so each run of lines starting at `0x0` is one [`Chunk`]. s3270's own decoding lines
//!   (`< WriteStructuredField ...`, `> QueryReply(...)`) are skipped. ([`S3270Trace`])
//! - mfmock's `--trace`: `event=send bytes=N` / `event=recv bytes=N` followed by a hex dump
//!   (`  0000  f5 c3 11 ...  |...|`), one 3270 record each, after telnet framing and with the
//!   TN3270E header when TN3270E is on. ([`mfmock_records`])
//!
//! [`telnet_records`] splits a raw telnet byte stream at IAC EOR for assertions. It is a test
//! helper, not the protocol parser (that is `tn3270::telnet`): it drops option negotiation and
//! undoubles IAC IAC, nothing more.

use std::path::Path;

use crate::HarnessError;

/// Which way bytes went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Host to client (`<` in s3270's trace, `send` in mfmock's).
    FromHost,
    /// Client to host (`>` in s3270's trace, `recv` in mfmock's).
    ToHost,
}

/// The bytes of one socket read or write, as s3270 traced them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Which way.
    pub direction: Direction,
    /// The bytes, telnet escapes included.
    pub bytes: Vec<u8>,
}

/// An s3270 trace file, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S3270Trace {
    /// Every read and write, in order.
    pub chunks: Vec<Chunk>,
    /// Every script action s3270 read (`s3stdin read '...'`), with the number of complete host
    /// records (IAC EOR) received before it: where a snapshot sits in the host stream.
    pub actions: Vec<TracedAction>,
}

/// A script action as s3270 traced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracedAction {
    /// The action text, e.g. `Ascii()`.
    pub action: String,
    /// Host records (ending in IAC EOR) complete before s3270 ran it.
    pub host_records_before: usize,
}

impl S3270Trace {
    /// Reads and parses a trace file.
    pub fn load(path: &Path) -> Result<Self, HarnessError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| HarnessError::io(format!("reading trace {}", path.display()), e))?;
        Self::parse(&text)
    }

    /// Parses trace text; a hex line that does not decode is an error.
    pub fn parse(text: &str) -> Result<Self, HarnessError> {
        let mut chunks: Vec<Chunk> = Vec::new();
        let mut actions = Vec::new();
        let mut host_records = 0;
        let mut after_iac = false;
        for (n, line) in text.lines().enumerate() {
            if let Some(action) = line
                .split_once(" s3stdin read '")
                .and_then(|(_, a)| a.strip_suffix('\''))
            {
                actions.push(TracedAction {
                    action: action.to_string(),
                    host_records_before: host_records,
                });
                continue;
            }
            let Some((direction, offset, hex)) = split_hex_line(line) else {
                continue;
            };
            let bytes = decode_hex(hex).ok_or_else(|| {
                HarnessError::parse("s3270 trace", format!("line {}: {line:?}", n + 1))
            })?;
            if direction == Direction::FromHost {
                // Count IAC EOR (not IAC IAC EOR) across chunk boundaries.
                for &b in &bytes {
                    if after_iac {
                        host_records += usize::from(b == EOR);
                        after_iac = false;
                    } else {
                        after_iac = b == IAC;
                    }
                }
            }
            match chunks.last_mut() {
                Some(last) if offset != 0 && last.direction == direction => {
                    last.bytes.extend(bytes)
                }
                _ => chunks.push(Chunk { direction, bytes }),
            }
        }
        Ok(Self { chunks, actions })
    }

    /// All bytes that went one way, concatenated (the raw telnet stream).
    pub fn stream(&self, direction: Direction) -> Vec<u8> {
        self.chunks
            .iter()
            .filter(|c| c.direction == direction)
            .flat_map(|c| c.bytes.iter().copied())
            .collect()
    }

    /// The telnet records (split at IAC EOR) that went one way.
    pub fn records(&self, direction: Direction) -> Vec<Vec<u8>> {
        telnet_records(&self.stream(direction))
    }
}

/// `< 0x20  e2c9...` -> (FromHost, 0x20, "e2c9..."); `None` for any other line.
fn split_hex_line(line: &str) -> Option<(Direction, usize, &str)> {
    let direction = match line.get(..2)? {
        "< " => Direction::FromHost,
        "> " => Direction::ToHost,
        _ => return None,
    };
    let mut parts = line.get(2..)?.split_whitespace();
    let offset = usize::from_str_radix(parts.next()?.strip_prefix("0x")?, 16).ok()?;
    let hex = parts.next()?;
    parts.next().is_none().then_some((direction, offset, hex))
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// One 3270 record from mfmock's `--trace` log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfMockRecord {
    /// The LU (session) name, e.g. `TERM0001`.
    pub lu: String,
    /// Which way.
    pub direction: Direction,
    /// The record (TN3270E header included when TN3270E is on; no IAC EOR).
    pub bytes: Vec<u8>,
}

/// Parses mfmock's log; lines that are not part of a send/recv dump are skipped.
pub fn mfmock_records(log: &str) -> Vec<MfMockRecord> {
    let mut records: Vec<MfMockRecord> = Vec::new();
    let mut open = false;
    for line in log.lines() {
        if line.contains(" event=send bytes=") || line.contains(" event=recv bytes=") {
            let direction = if line.contains("event=send") {
                Direction::FromHost
            } else {
                Direction::ToHost
            };
            let lu = line
                .split_whitespace()
                .find_map(|w| w.strip_prefix("lu="))
                .unwrap_or_default()
                .to_string();
            records.push(MfMockRecord {
                lu,
                direction,
                bytes: Vec::new(),
            });
            open = true;
        } else if open && line.starts_with("  ") {
            // "  0010  88 95 a1 ...  |ascii|": the offset, then up to 16 hex bytes.
            let dump = line.split("  |").next().unwrap_or_default();
            let bytes = dump
                .split_whitespace()
                .skip(1)
                .filter_map(|h| u8::from_str_radix(h, 16).ok());
            if let Some(last) = records.last_mut() {
                last.bytes.extend(bytes);
            }
        } else {
            open = false;
        }
    }
    records
}

/// Telnet IAC.
const IAC: u8 = 0xff;
/// Telnet EOR (end of record, RFC 885).
const EOR: u8 = 0xef;
/// Telnet SB (subnegotiation begin).
const SB: u8 = 0xfa;
/// Telnet SE (subnegotiation end).
const SE: u8 = 0xf0;
/// Telnet WILL/WONT/DO/DONT: the commands followed by one option byte.
const WILL_TO_DONT: std::ops::RangeInclusive<u8> = 0xfb..=0xfe;

/// Splits a telnet stream into records ending in IAC EOR, dropping option negotiation and
/// undoubling IAC IAC. Bytes after the last IAC EOR are not returned.
pub fn telnet_records(stream: &[u8]) -> Vec<Vec<u8>> {
    let mut records = Vec::new();
    let mut current = Vec::new();
    let mut i = 0;
    while i < stream.len() {
        let byte = stream.get(i).copied().unwrap_or_default();
        let next = stream.get(i + 1).copied();
        if byte != IAC {
            current.push(byte);
            i += 1;
            continue;
        }
        match next {
            Some(IAC) => {
                current.push(IAC);
                i += 2;
            }
            Some(EOR) => {
                records.push(std::mem::take(&mut current));
                i += 2;
            }
            Some(cmd) if WILL_TO_DONT.contains(&cmd) => i += 3,
            Some(SB) => {
                // Skip to IAC SE.
                let end = stream
                    .get(i..)
                    .and_then(|s| s.windows(2).position(|w| w == [IAC, SE]));
                i = end.map(|e| i + e + 2).unwrap_or(stream.len());
            }
            _ => i += 2,
        }
    }
    records
}

/// The telnet commands in a raw stream, in order: each `IAC WILL/WONT/DO/DONT opt`, each
/// `IAC SB ... IAC SE` (the negotiation) and each other two-byte command such as `IAC IP` or
/// `IAC BREAK` (ATTN), with record data, `IAC IAC` and `IAC EOR` left out. The complement of
/// [`telnet_records`]; an unterminated SB runs to the end of the stream.
pub fn telnet_commands(stream: &[u8]) -> Vec<Vec<u8>> {
    let mut commands = Vec::new();
    let mut i = 0;
    while i < stream.len() {
        if stream.get(i) != Some(&IAC) {
            i += 1;
            continue;
        }
        match stream.get(i + 1).copied() {
            Some(cmd) if WILL_TO_DONT.contains(&cmd) => {
                let end = (i + 3).min(stream.len());
                commands.push(stream.get(i..end).unwrap_or_default().to_vec());
                i = end;
            }
            Some(SB) => {
                let end = stream
                    .get(i..)
                    .and_then(|s| s.windows(2).position(|w| w == [IAC, SE]))
                    .map(|e| i + e + 2)
                    .unwrap_or(stream.len());
                commands.push(stream.get(i..end).unwrap_or_default().to_vec());
                i = end;
            }
            Some(IAC | EOR) | None => i += 2,
            Some(cmd) => {
                commands.push(vec![IAC, cmd]);
                i += 2;
            }
        }
    }
    commands
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3270_trace_chunks_restart_at_offset_zero() {
        let text = "\
20261203.171544.703 s3stdin read 'Connect(127.0.0.1:13275)'
20261203.171544.779 Host socket read complete nr=3
< 0x0   fffd28
> 0x0   fffb28
< 0x0   0000000000f5c3
< 0x7   11c1c1ffef
< WriteStructuredField ReadPartition(0xff) Query
< 0x0   0000000001ffef
20261203.171544.790 s3stdin read 'Ascii()'
";
        let t = S3270Trace::parse(text).unwrap();
        assert_eq!(t.chunks.len(), 4);
        assert_eq!(
            t.chunks[2].bytes,
            vec![0, 0, 0, 0, 0, 0xf5, 0xc3, 0x11, 0xc1, 0xc1, 0xff, 0xef]
        );
        assert_eq!(t.chunks[1].direction, Direction::ToHost);
        let records = t.records(Direction::FromHost);
        assert_eq!(
            records,
            vec![
                vec![0, 0, 0, 0, 0, 0xf5, 0xc3, 0x11, 0xc1, 0xc1],
                vec![0, 0, 0, 0, 1]
            ]
        );
        assert_eq!(t.actions.len(), 2);
        assert_eq!(
            (
                t.actions[0].action.as_str(),
                t.actions[0].host_records_before
            ),
            ("Connect(127.0.0.1:13275)", 0)
        );
        assert_eq!(
            (
                t.actions[1].action.as_str(),
                t.actions[1].host_records_before
            ),
            ("Ascii()", 2)
        );
        assert!(S3270Trace::parse("< 0x0   fff").is_err());
    }

    #[test]
    fn telnet_records_drop_negotiation_and_undouble_iac() {
        // IAC DO TTYPE, IAC SB TTYPE SEND IAC SE, then a record with a doubled IAC.
        let stream = [
            0xff, 0xfd, 0x18, 0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0, 0xf5, 0xff, 0xff, 0x40, 0xff,
            0xef, 0x7d,
        ];
        assert_eq!(telnet_records(&stream), vec![vec![0xf5, 0xff, 0x40]]);
    }

    #[test]
    fn mfmock_log_dumps_become_records() {
        let log = "\
2026-12-03T17:15:44 level=DEBUG logger=mfmock.session lu=TERM0001 event=send bytes=6
  0000  f3 00 05 01 ff 02                                |3.....|
2026-12-03T17:15:44 level=DEBUG logger=mfmock.session lu=TERM0001 event=recv bytes=18
  0000  00 00 00 00 00 7d c9 4d 11 c9 c8 81 93 89 83 85  |.....'I(.IHalice|
  0010  40 40                                            |  |
2026-12-03T17:15:44 level=INFO logger=mfmock.session lu=TERM0001 event=aid aid=ENTER
";
        let records = mfmock_records(log);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].direction, Direction::FromHost);
        assert_eq!(records[0].bytes, vec![0xf3, 0, 5, 1, 0xff, 2]);
        assert_eq!(records[1].lu, "TERM0001");
        assert_eq!(records[1].bytes.len(), 18);
        assert_eq!(records[1].bytes.get(5), Some(&0x7d));
    }

    #[test]
    fn telnet_commands_keep_negotiation_and_drop_records() {
        // IAC WILL TTYPE, a record "f5 ff ff" + IAC EOR, IAC SB TTYPE IS "A" IAC SE, IAC IP.
        let stream = [
            0xff, 0xfb, 0x18, 0xf5, 0xff, 0xff, 0xff, 0xef, 0xff, 0xfa, 0x18, 0x00, 0xc1, 0xff,
            0xf0, 0xff, 0xf4,
        ];
        assert_eq!(
            telnet_commands(&stream),
            vec![
                vec![0xff, 0xfb, 0x18],
                vec![0xff, 0xfa, 0x18, 0x00, 0xc1, 0xff, 0xf0],
                vec![0xff, 0xf4]
            ]
        );
    }
}
