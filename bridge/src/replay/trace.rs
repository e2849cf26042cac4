//! Reading x3270/s3270 trace files (`-trace -tracefile F`): the bytes the host sent.
//!
//! In a trace, each network read from the host is logged as one or more lines
//! `< 0xOFFSET   HEX` (the offset restarts at 0 at each read); bytes sent to the host are
//! `> 0xOFFSET   HEX`. Lines starting with `< ` that are not hex (s3270's own decoding of a
//! record, e.g. `< EraseWrite(...)`) and every other line are ignored.

/// The direction of a traced chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Host to terminal (`<`).
    FromHost,
    /// Terminal to host (`>`).
    ToHost,
}

/// One traced network read or write, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Who sent it.
    pub direction: Direction,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// A malformed data line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceError {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong.
    pub reason: &'static str,
}

impl std::fmt::Display for TraceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "trace line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for TraceError {}

/// Parses a trace's text into chunks: consecutive data lines of one direction whose offsets
/// continue form one chunk; an offset of 0 starts a new one.
pub fn parse(text: &str) -> Result<Vec<Chunk>, TraceError> {
    let mut chunks: Vec<Chunk> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let direction = if let Some(rest) = line.strip_prefix("< 0x") {
            (Direction::FromHost, rest)
        } else if let Some(rest) = line.strip_prefix("> 0x") {
            (Direction::ToHost, rest)
        } else {
            continue;
        };
        let (direction, rest) = direction;
        let Some((offset, hex)) = rest.split_once(char::is_whitespace) else {
            continue;
        };
        let Ok(offset) = usize::from_str_radix(offset, 16) else {
            continue;
        };
        let hex = hex.trim();
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let bytes = decode_hex(hex).ok_or(TraceError {
            line: i + 1,
            reason: "odd number of hex digits",
        })?;
        match chunks.last_mut() {
            Some(last) if offset != 0 && last.direction == direction => {
                last.bytes.extend_from_slice(&bytes)
            }
            _ => chunks.push(Chunk { direction, bytes }),
        }
    }
    Ok(chunks)
}

/// The host's bytes only, in order, one entry per network read.
pub fn host_reads(text: &str) -> Result<Vec<Vec<u8>>, TraceError> {
    Ok(parse(text)?
        .into_iter()
        .filter(|c| c.direction == Direction::FromHost)
        .map(|c| c.bytes)
        .collect())
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    hex.as_bytes()
        .chunks(2)
        .map(|p| {
            let s = std::str::from_utf8(p).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
20261203.171345.151 Host socket read complete nr=3
< 0x0   fffd18
20261203.171345.151 RCVD DO TERMINAL TYPE
> 0x0   fffb18
< 0x0   f5c31140401d60
< 0x7   c8c5ffef
< EraseWrite(reset,restore,resetMDT) SetBufferAddress(1,1) StartField(prote ...
> 0x0   7dc1d411c1d1818283ffef
";

    #[test]
    fn joins_continued_reads_and_skips_decodings() {
        let chunks = parse(SAMPLE).unwrap();
        assert_eq!(chunks.len(), 4);
        assert_eq!(chunks[2].direction, Direction::FromHost);
        assert_eq!(
            chunks[2].bytes,
            vec![0xf5, 0xc3, 0x11, 0x40, 0x40, 0x1d, 0x60, 0xc8, 0xc5, 0xff, 0xef]
        );
        let host = host_reads(SAMPLE).unwrap();
        assert_eq!(host.len(), 2);
        assert_eq!(host[0], vec![0xff, 0xfd, 0x18]);
    }

    #[test]
    fn odd_hex_is_an_error_with_line_number() {
        let err = parse("x\n< 0x0   fff\n").unwrap_err();
        assert_eq!(err.line, 2);
    }
}
