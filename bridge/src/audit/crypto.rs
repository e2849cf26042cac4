//! `audit.encrypt_logs`: each audit line sealed on its own with AES-256-GCM (NIST SP 800-38D)
//! through `ring::aead`, so a line can be read back without the lines around it and a
//! changed line fails authentication.
//!
//! An encrypted line is itself a JSON object:
//! `{"enc":"A256GCM","kid":"<8 hex>","nonce":"<24 hex>","data":"<base64 ciphertext+tag>"}` —
//! `kid` is the first 4 bytes of SHA-256(key) in hex (which key, never the key), `nonce` 96
//! random bits from the OS CSPRNG per line, the associated data is [`AAD`].
//!
//! The key: 32 bytes as 64 hex digits, from the environment variable [`KEY_ENV`], or from the
//! file named by [`KEY_FILE_ENV`] (its first line; the file should be mode 0400). No key with
//! `encrypt_logs: true` stops the bridge at start ([`AuditKey::from_env`]); a key is never
//! logged. Random nonces keep the GCM collision bound for 2^32 lines per key: rotate the key
//! well before that (docs/SECURITY.md).
//!
//! Owns: key loading, sealing and opening lines, `web3270 audit decrypt`. Does not own: the
//! file (see [`super::writer`]).

use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

use crate::auth::password::hex_decode;

/// Environment variable holding the key (64 hex digits).
pub const KEY_ENV: &str = "WEB3270_AUDIT_KEY";
/// Environment variable naming a file whose first line is the key (64 hex digits).
pub const KEY_FILE_ENV: &str = "WEB3270_AUDIT_KEY_FILE";
/// Associated data of every sealed line (binds the ciphertext to this format).
pub const AAD: &[u8] = b"web3270-audit-v1";
/// The `enc` value of a sealed line.
pub const ALGORITHM: &str = "A256GCM";
/// Key length in bytes.
pub const KEY_LEN: usize = 32;

/// An audit encryption key. `Debug` shows only its id.
pub struct AuditKey {
    key: LessSafeKey,
    kid: String,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey(kid {})", self.kid)
    }
}

/// A sealed line as written.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Sealed {
    enc: String,
    kid: String,
    nonce: String,
    data: String,
}

impl AuditKey {
    /// A key from 64 hex digits (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<AuditKey, String> {
        let bytes = hex_decode(text.trim()).ok_or("the audit key must be 64 hex digits")?;
        if bytes.len() != KEY_LEN {
            return Err("the audit key must be 64 hex digits (32 bytes)".into());
        }
        let kid = ring::digest::digest(&ring::digest::SHA256, &bytes);
        let kid = hex(kid.as_ref().get(..4).unwrap_or_default());
        let key = UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| "bad audit key")?;
        Ok(AuditKey {
            key: LessSafeKey::new(key),
            kid,
        })
    }

    /// The key from [`KEY_ENV`] or the file named by [`KEY_FILE_ENV`].
    pub fn from_env() -> Result<AuditKey, String> {
        if let Some(v) = std::env::var_os(KEY_ENV).filter(|v| !v.is_empty()) {
            let v = v.to_str().ok_or(format!("{KEY_ENV} is not UTF-8"))?;
            return AuditKey::from_hex(v).map_err(|e| format!("{KEY_ENV}: {e}"));
        }
        if let Some(path) = std::env::var_os(KEY_FILE_ENV).filter(|v| !v.is_empty()) {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("{KEY_FILE_ENV} ({}): {e}", path.to_string_lossy()))?;
            let first = text.lines().next().unwrap_or_default();
            return AuditKey::from_hex(first).map_err(|e| format!("{KEY_FILE_ENV}: {e}"));
        }
        Err(format!(
            "audit.encrypt_logs is true but neither {KEY_ENV} nor {KEY_FILE_ENV} is set"
        ))
    }

    /// The key id (first 4 bytes of SHA-256 of the key, hex).
    pub fn id(&self) -> &str {
        &self.kid
    }

    /// Seals one line (without its newline); `None` if the OS gave no randomness.
    pub fn seal(&self, line: &str) -> Option<String> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).ok()?;
        let mut data = line.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(AAD),
                &mut data,
            )
            .ok()?;
        let sealed = Sealed {
            enc: ALGORITHM.into(),
            kid: self.kid.clone(),
            nonce: hex(&nonce),
            data: base64::engine::general_purpose::STANDARD.encode(data),
        };
        serde_json::to_string(&sealed).ok()
    }

    /// Opens a line: a sealed line is decrypted; a plain line (not sealed) is returned as
    /// is. Errors name the cause (other key, tampered, malformed).
    pub fn open(&self, line: &str) -> Result<String, String> {
        open_with(Some(self), line)
    }
}

/// The sealed form of a line, if it is one (a JSON object with exactly the sealed fields).
fn sealed(line: &str) -> Option<Sealed> {
    serde_json::from_str(line).ok()
}

/// Whether a line is a sealed audit line.
pub fn is_sealed(line: &str) -> bool {
    sealed(line).is_some()
}

/// Opens a line with `key` (see [`AuditKey::open`]); a sealed line without a key is an error.
pub fn open_with(key: Option<&AuditKey>, line: &str) -> Result<String, String> {
    let Some(sealed) = sealed(line) else {
        return Ok(line.to_owned());
    };
    let key = key.ok_or("the line is encrypted and no audit key is set")?;
    if sealed.enc != ALGORITHM {
        return Err(format!("unknown algorithm {:?}", sealed.enc));
    }
    if sealed.kid != key.kid {
        return Err(format!(
            "sealed with key {}, not with this key ({})",
            sealed.kid, key.kid
        ));
    }
    let nonce: [u8; NONCE_LEN] = hex_decode(&sealed.nonce)
        .and_then(|n| n.try_into().ok())
        .ok_or("bad nonce")?;
    let mut data = base64::engine::general_purpose::STANDARD
        .decode(sealed.data.as_bytes())
        .map_err(|_| "bad base64")?;
    let plain = key
        .key
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(AAD),
            &mut data,
        )
        .map_err(|_| "authentication failed: the line was changed or the key is wrong")?;
    String::from_utf8(plain.to_vec()).map_err(|_| "not UTF-8".into())
}

/// `web3270 audit decrypt FILE...`: prints each file's lines decrypted (plain lines as
/// they are) to `out`; the key comes from the environment as for the bridge. Returns the
/// number of lines that could not be opened (each reported on `err`).
pub fn decrypt_files(
    paths: &[std::path::PathBuf],
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
) -> Result<usize, String> {
    let key = AuditKey::from_env()?;
    let mut bad = 0;
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            match key.open(line) {
                Ok(plain) => writeln!(out, "{plain}").map_err(|e| e.to_string())?,
                Err(e) => {
                    bad += 1;
                    writeln!(err, "{}:{}: {e}", path.display(), n + 1)
                        .map_err(|e| e.to_string())?;
                }
            }
        }
    }
    Ok(bad)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn a_sealed_line_hides_the_text_and_opens_back() {
        let key = AuditKey::from_hex(KEY).unwrap();
        let line = r#"{"event_type":"data_sent","details":{"text":"zoe"}}"#;
        let sealed = key.seal(line).unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("zoe"), "{sealed}");
        assert!(!sealed.contains(KEY));
        assert_eq!(key.open(&sealed).unwrap(), line);
        // Two seals of one line differ (fresh nonce).
        assert_ne!(key.seal(line).unwrap(), sealed);
        // Plain lines pass through.
        assert_eq!(key.open(line).unwrap(), line);
    }

    #[test]
    fn tampering_and_other_keys_are_refused() {
        let key = AuditKey::from_hex(KEY).unwrap();
        let sealed = key.seal("hello").unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&sealed).unwrap();
        let data = v["data"].as_str().unwrap().to_owned();
        // Flip one base64 character of the ciphertext.
        let flipped: String = data
            .char_indices()
            .map(|(i, c)| {
                if i == 0 {
                    if c == 'A' {
                        'B'
                    } else {
                        'A'
                    }
                } else {
                    c
                }
            })
            .collect();
        v["data"] = serde_json::json!(flipped);
        let err = key.open(&v.to_string()).unwrap_err();
        assert!(err.contains("authentication failed"), "{err}");
        let other = AuditKey::from_hex(&KEY.replace("00", "ff")).unwrap();
        assert!(other
            .open(&sealed)
            .unwrap_err()
            .contains("not with this key"));
        assert!(open_with(None, &sealed).is_err());
    }

    #[test]
    fn malformed_keys_are_refused() {
        for bad in [
            "",
            "00",
            &KEY[..62],
            &format!("{KEY}00"),
            &KEY.replace('0', "g"),
        ] {
            assert!(AuditKey::from_hex(bad).is_err(), "{bad}");
        }
        assert!(!format!("{:?}", AuditKey::from_hex(KEY).unwrap()).contains(KEY));
    }
}
