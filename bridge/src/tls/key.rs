//! Private keys from PEM files: plain (PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`, SEC1
//! `EC PRIVATE KEY`) through rustls-pki-types, and password-encrypted PKCS#8 (`ENCRYPTED
//! PRIVATE KEY`, RFC 5958 / PKCS#5 PBES2: PBKDF2 or scrypt with AES-CBC or 3DES, what
//! `openssl genpkey -aes-256-cbc` and `openssl pkcs8 -topk8` write) through the `pkcs8`
//! crate. OpenSSL's legacy PEM encryption (`Proc-Type: 4,ENCRYPTED` + `DEK-Info`, an MD5 key
//! derivation) is refused with the command that converts it.
//!
//! Does not own: where the password comes from (`tls.key_password`,
//! `endpoints[].tls.client_key_password`: a [`crate::config::Secret`])
//! or what the key is used for (`super::server_config`, `super::TlsClient`).

use std::path::Path;

use pkcs8::der::Document;
use pkcs8::EncryptedPrivateKeyInfoRef;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use super::error::TlsConfigError;

const ENCRYPTED_BEGIN: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
const ENCRYPTED_END: &str = "-----END ENCRYPTED PRIVATE KEY-----";
/// The header of OpenSSL's legacy encrypted PEM.
const LEGACY_ENCRYPTED: &str = "Proc-Type: 4,ENCRYPTED";

/// Where a key's password is configured, for the error that asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordKey {
    /// The listeners' key: `tls.key_password`.
    Listener,
    /// An endpoint's client key: `endpoints[].tls.client_key_password`.
    Endpoint,
}

impl PasswordKey {
    /// The setting that holds the password, as messages name it.
    pub fn setting(self) -> &'static str {
        match self {
            PasswordKey::Listener => "tls.key_password",
            PasswordKey::Endpoint => "the endpoint's tls.client_key_password",
        }
    }

    /// What to tell a user whose key is encrypted and has no password.
    pub fn hint(self) -> &'static str {
        match self {
            PasswordKey::Listener => "set tls.key_password",
            PasswordKey::Endpoint => "set the endpoint's tls.client_key_password",
        }
    }
}

/// Reads the first private key of the PEM file `pem` (read from `path`): the encrypted
/// PKCS#8 key decrypted with `password` when the file holds one, else the first plain key.
/// A password with a plain key is not an error (a warning is logged).
pub fn parse(
    path: &Path,
    pem: &[u8],
    password: Option<&str>,
    key: PasswordKey,
) -> Result<PrivateKeyDer<'static>, TlsConfigError> {
    let text = String::from_utf8_lossy(pem);
    if let Some(block) = encrypted_block(&text) {
        let Some(password) = password else {
            return Err(TlsConfigError::EncryptedKey {
                path: path.to_owned(),
                hint: key.hint(),
            });
        };
        return decrypt(block, password).ok_or_else(|| TlsConfigError::KeyPassword {
            path: path.to_owned(),
            setting: key.setting(),
        });
    }
    if text.contains(LEGACY_ENCRYPTED) {
        return Err(TlsConfigError::EncryptedKey {
            path: path.to_owned(),
            hint: "legacy PEM encryption (Proc-Type: 4,ENCRYPTED) is not read; convert it \
                   (openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out NEW)",
        });
    }
    let plain = PrivateKeyDer::from_pem_slice(pem).map_err(|_| TlsConfigError::NoPrivateKey {
        path: path.to_owned(),
    })?;
    if password.is_some() {
        tracing::warn!(path = %path.display(), "{} is set but the key is not encrypted", key.setting());
    }
    Ok(plain)
}

/// The first `ENCRYPTED PRIVATE KEY` block of `text`, markers included.
fn encrypted_block(text: &str) -> Option<&str> {
    let start = text.find(ENCRYPTED_BEGIN)?;
    let end = start + text[start..].find(ENCRYPTED_END)? + ENCRYPTED_END.len();
    text.get(start..end)
}

/// The PKCS#8 key inside an encrypted block, or `None` when the block is malformed, the
/// password is wrong (the padding or the decrypted structure does not check out) or the
/// scheme is one the `pkcs8` crate does not read.
fn decrypt(block: &str, password: &str) -> Option<PrivateKeyDer<'static>> {
    let (_label, document) = Document::from_pem(block).ok()?;
    let info = EncryptedPrivateKeyInfoRef::try_from(document.as_bytes()).ok()?;
    let plain = info.decrypt(password.as_bytes()).ok()?;
    Some(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        plain.as_bytes().to_vec(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Ed25519 key encrypted by `openssl genpkey -algorithm ed25519 -aes-256-cbc -pass
    /// pass:secret` (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC).
    const ENCRYPTED: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAglthT6FLy6UAICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEFZHyRT1mPRrKaBBvBg86YoEQHjx
k51UU5ddzkCFTYsmCrcONo/qv9z6SBbyTeipunSfGTOVpenHPx4mKsCN7G4jm9se
YXsuNEKmrjx1G0DcrfU=
-----END ENCRYPTED PRIVATE KEY-----
";

    fn key(pem: &str, password: Option<&str>) -> Result<PrivateKeyDer<'static>, TlsConfigError> {
        parse(
            Path::new("k.pem"),
            pem.as_bytes(),
            password,
            PasswordKey::Listener,
        )
    }

    #[test]
    fn an_encrypted_key_is_read_with_its_password_only() {
        assert!(matches!(
            key(ENCRYPTED, Some("secret")),
            Ok(PrivateKeyDer::Pkcs8(_))
        ));
        assert_eq!(
            key(ENCRYPTED, Some("wrong")).unwrap_err().code(),
            "TLS_CONFIG_KEY_PASSWORD"
        );
        let e = key(ENCRYPTED, None).unwrap_err();
        assert_eq!(e.code(), "TLS_CONFIG_ENCRYPTED_KEY");
        assert!(e.to_string().contains("set tls.key_password"), "{e}");
    }

    #[test]
    fn a_damaged_or_legacy_encrypted_key_is_refused_by_name() {
        // One base64 digit of the ciphertext changed: the padding or the key no longer checks.
        let damaged = ENCRYPTED.replace("YXsu", "YXtu");
        assert_eq!(
            key(&damaged, Some("secret")).unwrap_err().code(),
            "TLS_CONFIG_KEY_PASSWORD"
        );
        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
                      DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n\
                      -----END RSA PRIVATE KEY-----\n";
        let e = key(legacy, Some("secret")).unwrap_err();
        assert_eq!(e.code(), "TLS_CONFIG_ENCRYPTED_KEY");
        assert!(e.to_string().contains("openssl pkcs8 -topk8"), "{e}");
        assert_eq!(
            key("no key here", None).unwrap_err().code(),
            "TLS_CONFIG_NO_PRIVATE_KEY"
        );
    }
}
