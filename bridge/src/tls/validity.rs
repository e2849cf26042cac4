//! When a certificate expires: the `notAfter` of an X.509 certificate (RFC 5280 §4.1.2.5),
//! read from its DER by walking the few TLVs before it, for the listeners' expiry gauge
//! (`web3270_tls_certificate_not_after_seconds`) and the log line of each (re)load.
//!
//! Owns: a bounds-checked DER TLV reader (definite lengths up to 4 length octets, low tag
//! numbers: all that precedes `validity` in a certificate) and UTCTime / GeneralizedTime
//! in their DER form (`YYMMDDHHMMSSZ`, `YYYYMMDDHHMMSSZ`). Returns `None` for anything else;
//! never panics on any input. Does not own: verifying certificates (rustls does).

use crate::audit::time::days_from_civil;

const SEQUENCE: u8 = 0x30;
const VERSION: u8 = 0xa0;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;

/// Seconds since the Unix epoch of the certificate's `notAfter`, or `None` when `der` is not
/// a certificate this reader understands (or expires before 1970).
pub fn not_after(der: &[u8]) -> Option<u64> {
    let (tag, certificate, _) = tlv(der)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, mut tbs, _) = tlv(certificate)?;
    if tag != SEQUENCE {
        return None;
    }
    // [0] version (optional), serialNumber, signature, issuer, then validity.
    if tbs.first() == Some(&VERSION) {
        tbs = tlv(tbs)?.2;
    }
    for _ in 0..3 {
        tbs = tlv(tbs)?.2;
    }
    let (tag, validity, _) = tlv(tbs)?;
    if tag != SEQUENCE {
        return None;
    }
    let (_, _, rest) = tlv(validity)?; // notBefore
    let (tag, time, _) = tlv(rest)?;
    parse_time(tag, time)
}

/// One TLV of `input`: (tag, contents, what follows).
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None; // high tag numbers do not occur before notAfter
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let octets = usize::from(first & 0x7f);
        if octets == 0 || octets > 4 || rest.len() < octets {
            return None;
        }
        let (len, after) = rest.split_at(octets);
        rest = after;
        len.iter().fold(0usize, |n, &b| (n << 8) | usize::from(b))
    };
    if rest.len() < len {
        return None;
    }
    let (contents, after) = rest.split_at(len);
    Some((tag, contents, after))
}

/// A DER UTCTime (years 1950–2049) or GeneralizedTime, to the second, in UTC.
fn parse_time(tag: u8, text: &[u8]) -> Option<u64> {
    let digits = |s: &[u8]| -> Option<u64> {
        s.iter().try_fold(0u64, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
        })
    };
    let (year, rest) = match (tag, text.len()) {
        (UTC_TIME, 13) => {
            let yy = digits(&text[..2])?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &text[2..])
        }
        (GENERALIZED_TIME, 15) => (digits(&text[..4])?, &text[4..]),
        _ => return None,
    };
    if rest.last() != Some(&b'Z') {
        return None;
    }
    let field = |i: usize| digits(&rest[i..i + 2]);
    let (month, day, hour, minute, second) =
        (field(0)?, field(2)?, field(4)?, field(6)?, field(8)?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day)?;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_and_generalized_times() {
        assert_eq!(parse_time(UTC_TIME, b"261204223000Z"), Some(1_796_423_400));
        assert_eq!(parse_time(UTC_TIME, b"700101000000Z"), Some(0));
        assert_eq!(
            parse_time(GENERALIZED_TIME, b"20261204223000Z"),
            Some(1_796_423_400)
        );
        assert_eq!(parse_time(UTC_TIME, b"261204223000+0100"), None);
        assert_eq!(parse_time(UTC_TIME, b"26120422300Z"), None);
        assert_eq!(parse_time(GENERALIZED_TIME, b"20261304223000Z"), None);
        assert_eq!(parse_time(UTC_TIME, b"2612042230x0Z"), None);
    }

    /// A certificate made with rcgen with a known `not_after` gives that time; every cut
    /// of it and a few byte flips give `None` or a time, never a panic.
    #[test]
    fn a_certificate_s_not_after() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.not_after = rcgen::date_time_ymd(2031, 7, 15);
        let der = params.self_signed(&key).unwrap().der().to_vec();
        // 2031-07-15T00:00:00Z
        assert_eq!(not_after(&der), Some(1_941_840_000));
        params.not_after = rcgen::date_time_ymd(2060, 1, 2); // GeneralizedTime from 2050
        let der60 = params.self_signed(&key).unwrap().der().to_vec();
        assert_eq!(not_after(&der60), Some(2_840_227_200));
        for cut in 0..der.len() {
            let _ = not_after(&der[..cut]);
        }
        for i in 0..der.len().min(64) {
            let mut bad = der.clone();
            bad[i] ^= 0xff;
            let _ = not_after(&bad);
        }
        assert_eq!(not_after(b""), None);
        assert_eq!(not_after(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), None);
    }
}
