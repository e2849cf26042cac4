//! Credential comparison: constant-time equality of secrets, and the password check of
//! `authentication.users` (plain secrets, or PBKDF2-HMAC-SHA256 hashes, RFC 8018 §5.2).
//!
//! A stored password is either the password itself (a secret, usually `${VAR}`), or
//! `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>` (docs/SECURITY.md shows how to make
//! one). Both comparisons take time independent of where the inputs differ: secrets are
//! compared as SHA-256 digests with a branch-free fold (so their lengths do not leak either);
//! hashes with `ring::pbkdf2::verify`. Iterations above [`MAX_ITERATIONS`] are refused at start
//! (a typo must not turn every login into a minute of CPU).

use std::num::NonZeroU32;

/// The prefix of a hashed password.
pub const PBKDF2_PREFIX: &str = "pbkdf2-sha256$";
/// Most PBKDF2 iterations accepted in a stored hash.
pub const MAX_ITERATIONS: u32 = 10_000_000;

/// A stored password.
#[derive(Clone)]
pub enum StoredPassword {
    /// The SHA-256 digest of the password itself.
    Plain([u8; 32]),
    /// A PBKDF2-HMAC-SHA256 hash.
    Pbkdf2 {
        /// Iterations.
        iterations: NonZeroU32,
        /// Salt.
        salt: Vec<u8>,
        /// Derived key.
        hash: Vec<u8>,
    },
}

impl std::fmt::Debug for StoredPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StoredPassword::Plain(_) => "StoredPassword::Plain(********)",
            StoredPassword::Pbkdf2 { .. } => "StoredPassword::Pbkdf2(********)",
        })
    }
}

impl StoredPassword {
    /// Parses a configured password: a `pbkdf2-sha256$...` hash, else the password itself.
    pub fn parse(text: &str) -> Result<StoredPassword, String> {
        let Some(rest) = text.strip_prefix(PBKDF2_PREFIX) else {
            return Ok(StoredPassword::Plain(digest(text.as_bytes())));
        };
        let mut parts = rest.split('$');
        let (Some(iter), Some(salt), Some(hash), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(
                "a pbkdf2-sha256 password is pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX".into(),
            );
        };
        let iterations = iter
            .parse::<u32>()
            .ok()
            .filter(|&n| n <= MAX_ITERATIONS)
            .and_then(NonZeroU32::new)
            .ok_or(format!(
                "pbkdf2-sha256 iterations must be 1..={MAX_ITERATIONS}"
            ))?;
        let salt = hex_decode(salt).ok_or("pbkdf2-sha256 salt is not hex")?;
        let hash = hex_decode(hash)
            .filter(|h| !h.is_empty())
            .ok_or("pbkdf2-sha256 hash is not hex")?;
        Ok(StoredPassword::Pbkdf2 {
            iterations,
            salt,
            hash,
        })
    }

    /// Whether `password` matches.
    pub fn verify(&self, password: &str) -> bool {
        match self {
            StoredPassword::Plain(d) => ct_eq(d, &digest(password.as_bytes())),
            StoredPassword::Pbkdf2 {
                iterations,
                salt,
                hash,
            } => ring::pbkdf2::verify(
                ring::pbkdf2::PBKDF2_HMAC_SHA256,
                *iterations,
                salt,
                password.as_bytes(),
                hash,
            )
            .is_ok(),
        }
    }
}

/// SHA-256 of `bytes`.
pub fn digest(bytes: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// Equality of two digests without an early exit.
pub fn ct_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Whether two secrets are equal, in time independent of their contents and lengths.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    ct_eq(&digest(a.as_bytes()), &digest(b.as_bytes()))
}

/// Lowercase or uppercase hex digits to bytes; `None` for an odd length or a non-hex digit.
pub(crate) fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_passwords_compare_whole() {
        let p = StoredPassword::parse("s3cret").unwrap();
        assert!(p.verify("s3cret"));
        for wrong in ["", "s3cre", "s3cret ", "S3cret"] {
            assert!(!p.verify(wrong), "{wrong:?}");
        }
        assert!(!format!("{p:?}").contains("s3cret"));
    }

    #[test]
    fn pbkdf2_hashes_verify() {
        // python3 -c 'import hashlib;print(hashlib.pbkdf2_hmac("sha256",b"hunter2",bytes.fromhex("00112233445566778899aabbccddeeff"),1000).hex())'
        let stored = "pbkdf2-sha256$1000$00112233445566778899aabbccddeeff$\
                      7565f4d66ef6cfaafc300808e5b75c36c3201244948697acfbd349ae21c10d63";
        let p = StoredPassword::parse(stored).unwrap();
        assert!(matches!(p, StoredPassword::Pbkdf2 { .. }));
        assert!(p.verify("hunter2"));
        assert!(!p.verify("hunter3"));
    }

    #[test]
    fn malformed_hashes_are_refused() {
        for bad in [
            "pbkdf2-sha256$",
            "pbkdf2-sha256$0$00$00",
            "pbkdf2-sha256$99999999999$00$00",
            "pbkdf2-sha256$1000$0g$00",
            "pbkdf2-sha256$1000$00$",
            "pbkdf2-sha256$1000$00$00$00",
        ] {
            assert!(StoredPassword::parse(bad).is_err(), "{bad}");
        }
    }
}
