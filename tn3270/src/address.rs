//! Buffer addresses: the 12-bit, 14-bit and 16-bit encodings of a 3270 buffer address.
//!
//! Spec: GA23-0059 (3270 Data Stream Programmer's Reference) §3.3.1 "Buffer Addressing"
//! and Figure 3-1 (the 6-bit address translation table); 16-bit addressing per §3.3.1.3,
//! usable only when the terminal advertised it (Usable Area query reply) and the host selected it.
//!
//! This module owns only the byte encodings; what an address *means* (row/column, wrap) is
//! the screen's business.

/// Addressing in force for outbound orders (SBA, RA, EUA, MF...) and inbound records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AddressingMode {
    /// 12-bit or 14-bit, told apart by the two high bits of the first byte (the default).
    #[default]
    TwelveFourteen,
    /// 16-bit binary addresses (both bytes are the address).
    Sixteen,
}

/// The encoding the terminal uses for an address it sends (cursor address, SBA in Read Modified).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressEncoding {
    /// 6-bit coded halves (buffer ≤ 4096 cells).
    Twelve,
    /// 14-bit binary, first byte's high bits `00` (buffer ≤ 16384 cells).
    Fourteen,
    /// 16-bit binary (only when 16-bit addressing is in force).
    Sixteen,
}

/// The largest address a 12-bit coded address can carry, plus one.
pub const MAX_12BIT_CELLS: usize = 1 << 12;
/// The largest buffer a 14-bit address can cover.
pub const MAX_14BIT_CELLS: usize = 1 << 14;
/// The largest buffer a 16-bit address can cover.
pub const MAX_16BIT_CELLS: usize = 1 << 16;

/// GA23-0059 Figure 3-1: the EBCDIC graphic for each 6-bit value of a 12-bit address half.
pub const ADDRESS_CODE_TABLE: [u8; 64] = [
    0x40, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F,
    0x50, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F,
    0x60, 0x61, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F,
    0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F,
];

/// Decodes a two-byte buffer address. The result may lie past the buffer; callers decide
/// what that means (see the datastream module's documented behaviour).
pub fn decode(bytes: [u8; 2], mode: AddressingMode) -> usize {
    let [b0, b1] = bytes;
    match mode {
        AddressingMode::Sixteen => (usize::from(b0) << 8) | usize::from(b1),
        AddressingMode::TwelveFourteen => {
            if b0 & 0xC0 == 0 {
                (usize::from(b0 & 0x3F) << 8) | usize::from(b1)
            } else {
                (usize::from(b0 & 0x3F) << 6) | usize::from(b1 & 0x3F)
            }
        }
    }
}

/// Encodes an address. Returns `None` when the address does not fit the encoding.
pub fn encode(addr: usize, encoding: AddressEncoding) -> Option<[u8; 2]> {
    match encoding {
        AddressEncoding::Twelve if addr < MAX_12BIT_CELLS => Some([
            ADDRESS_CODE_TABLE[(addr >> 6) & 0x3F],
            ADDRESS_CODE_TABLE[addr & 0x3F],
        ]),
        AddressEncoding::Fourteen if addr < MAX_14BIT_CELLS => {
            Some([((addr >> 8) & 0x3F) as u8, (addr & 0xFF) as u8])
        }
        AddressEncoding::Sixteen if addr < MAX_16BIT_CELLS => {
            Some([((addr >> 8) & 0xFF) as u8, (addr & 0xFF) as u8])
        }
        _ => None,
    }
}

/// The encoding a terminal uses for inbound addresses, given the buffer size and the
/// addressing mode in force: 12-bit while the buffer fits, as IBM terminals and x3270 do.
pub fn inbound_encoding(buffer_cells: usize, mode: AddressingMode) -> AddressEncoding {
    match mode {
        AddressingMode::Sixteen => AddressEncoding::Sixteen,
        AddressingMode::TwelveFourteen if buffer_cells <= MAX_12BIT_CELLS => {
            AddressEncoding::Twelve
        }
        AddressingMode::TwelveFourteen => AddressEncoding::Fourteen,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn row_1_col_1_of_model_2_is_4040() {
        assert_eq!(encode(0, AddressEncoding::Twelve), Some([0x40, 0x40]));
        // Row 24, col 80 of a 24x80 screen: address 1919 = 0x77F -> 0x5D 0x7F.
        assert_eq!(encode(1919, AddressEncoding::Twelve), Some([0x5D, 0x7F]));
        assert_eq!(decode([0x5D, 0x7F], AddressingMode::TwelveFourteen), 1919);
    }

    #[test]
    fn fourteen_bit_is_recognised_by_high_bits() {
        // 27x132 = 3564 cells still fits 12-bit; 62x160 = 9920 needs 14-bit.
        assert_eq!(decode([0x26, 0xBF], AddressingMode::TwelveFourteen), 0x26BF);
        assert_eq!(encode(9919, AddressEncoding::Twelve), None);
    }

    proptest! {
        #[test]
        fn twelve_bit_round_trips(addr in 0usize..MAX_12BIT_CELLS) {
            let b = encode(addr, AddressEncoding::Twelve).unwrap();
            prop_assert_eq!(decode(b, AddressingMode::TwelveFourteen), addr);
        }
        #[test]
        fn fourteen_bit_round_trips(addr in 0usize..MAX_14BIT_CELLS) {
            let b = encode(addr, AddressEncoding::Fourteen).unwrap();
            prop_assert_eq!(decode(b, AddressingMode::TwelveFourteen), addr);
        }
        #[test]
        fn sixteen_bit_round_trips(addr in 0usize..MAX_16BIT_CELLS) {
            let b = encode(addr, AddressEncoding::Sixteen).unwrap();
            prop_assert_eq!(decode(b, AddressingMode::Sixteen), addr);
        }
    }
}
