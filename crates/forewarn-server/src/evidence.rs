//! Evidence encrypted at rest.
//!
//! Every approach, verdict and original submission is sealed with
//! XChaCha20-Poly1305 before it reaches the database, under the current key
//! of the configuration, with a random nonce and the value's label (such as
//! `report:ID:approach`) as associated data, so that a sealed value cannot be
//! moved to another place undetected. A sealed value names its key, so older
//! keys can stay configured for reading while [`EvidenceKeys::reseal`]
//! (`forewarn evidence rotate`) moves everything to the current one.
//!
//! A key is written `ID:BASE64` (32 random bytes); the first key of the list
//! is the current one.

use std::path::Path;

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// Version byte of the sealed format.
const VERSION: u8 = 1;
/// Nonce length of XChaCha20-Poly1305.
const NONCE: usize = 24;

/// Why keys or sealed values cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvidenceError {
    /// A key is not `ID:BASE64` of 32 bytes.
    #[error(
        "evidence key {0}: write it as ID:BASE64 of 32 random bytes (`forewarn evidence new-key`)"
    )]
    BadKey(usize),
    /// Two keys have the same id.
    #[error("evidence key id `{0}` is given twice")]
    DuplicateId(String),
    /// No key is given.
    #[error("no evidence key given")]
    NoKey,
    /// The key file cannot be read or written.
    #[error("evidence key file `{path}`: {source}")]
    KeyFile {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A value was sealed under a key that is not configured.
    #[error("sealed under key `{0}`, which is not configured")]
    UnknownKey(String),
    /// A sealed value is damaged, was moved, or the key is wrong.
    #[error("the sealed value does not open: damaged, moved, or the wrong key")]
    Damaged,
    /// The random number generator failed.
    #[error("no randomness: {0}")]
    Random(String),
}

struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
}

/// The configured keys: the first seals, all of them open.
pub struct EvidenceKeys {
    keys: Vec<Key>,
}

impl std::fmt::Debug for EvidenceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("EvidenceKeys").field("ids", &ids).finish()
    }
}

impl EvidenceKeys {
    /// Keys written `ID:BASE64`, the current one first.
    pub fn parse(lines: &[String]) -> Result<EvidenceKeys, EvidenceError> {
        let mut keys: Vec<Key> = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            let (id, encoded) = line
                .trim()
                .split_once(':')
                .ok_or(EvidenceError::BadKey(n + 1))?;
            let valid_id = !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .map_err(|_| EvidenceError::BadKey(n + 1))?;
            if !valid_id || bytes.len() != 32 {
                return Err(EvidenceError::BadKey(n + 1));
            }
            if keys.iter().any(|k| k.id == id) {
                return Err(EvidenceError::DuplicateId(id.to_owned()));
            }
            let cipher = XChaCha20Poly1305::new_from_slice(&bytes)
                .map_err(|_| EvidenceError::BadKey(n + 1))?;
            keys.push(Key {
                id: id.to_owned(),
                cipher,
            });
        }
        if keys.is_empty() {
            return Err(EvidenceError::NoKey);
        }
        Ok(EvidenceKeys { keys })
    }

    /// A new key line, `ID:BASE64`, with an id from the date and a random
    /// suffix.
    pub fn new_key_line() -> Result<String, EvidenceError> {
        let mut bytes = [0u8; 36];
        getrandom::fill(&mut bytes).map_err(|e| EvidenceError::Random(e.to_string()))?;
        let (key, suffix) = bytes.split_at(32);
        let day = crate::now().get(..10).unwrap_or("key").replace('-', "");
        let suffix: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
        Ok(format!(
            "k{day}-{suffix}:{}",
            base64::engine::general_purpose::STANDARD.encode(key)
        ))
    }

    /// The key of the file `path`, made (readable by its owner only) when
    /// it does not exist: the default when no key is configured.
    pub fn from_file_or_new(path: &Path) -> Result<EvidenceKeys, EvidenceError> {
        let error = |source| EvidenceError::KeyFile {
            path: path.display().to_string(),
            source,
        };
        if !path.exists() {
            let line = EvidenceKeys::new_key_line()?;
            write_private(path, &format!("{line}\n")).map_err(error)?;
        }
        let text = std::fs::read_to_string(path).map_err(error)?;
        let lines: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        EvidenceKeys::parse(&lines)
    }

    /// The id of the current key.
    pub fn current_id(&self) -> &str {
        self.keys.first().map_or("", |k| k.id.as_str())
    }

    /// Seals `plain` under the current key, bound to `label`.
    pub fn seal(&self, label: &str, plain: &[u8]) -> Result<Vec<u8>, EvidenceError> {
        let key = self.keys.first().ok_or(EvidenceError::NoKey)?;
        let mut nonce = [0u8; NONCE];
        getrandom::fill(&mut nonce).map_err(|e| EvidenceError::Random(e.to_string()))?;
        let sealed = key
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: label.as_bytes(),
                },
            )
            .map_err(|_| EvidenceError::Damaged)?;
        let mut out = Vec::with_capacity(2 + key.id.len() + NONCE + sealed.len());
        out.push(VERSION);
        // Ids are at most 64 bytes (checked when parsed).
        out.push(key.id.len() as u8);
        out.extend_from_slice(key.id.as_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The key id and the parts of a sealed value.
    fn split(sealed: &[u8]) -> Result<(&str, &[u8], &[u8]), EvidenceError> {
        let (&version, rest) = sealed.split_first().ok_or(EvidenceError::Damaged)?;
        let (&id_len, rest) = rest.split_first().ok_or(EvidenceError::Damaged)?;
        if version != VERSION || rest.len() < usize::from(id_len) + NONCE {
            return Err(EvidenceError::Damaged);
        }
        let (id, rest) = rest.split_at(usize::from(id_len));
        let (nonce, body) = rest.split_at(NONCE);
        let id = std::str::from_utf8(id).map_err(|_| EvidenceError::Damaged)?;
        Ok((id, nonce, body))
    }

    /// Opens a sealed value that was bound to `label`.
    pub fn open(&self, label: &str, sealed: &[u8]) -> Result<Vec<u8>, EvidenceError> {
        let (id, nonce, body) = EvidenceKeys::split(sealed)?;
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| EvidenceError::UnknownKey(id.to_owned()))?;
        key.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: label.as_bytes(),
                },
            )
            .map_err(|_| EvidenceError::Damaged)
    }

    /// The value sealed again under the current key, or `None` when it
    /// already is.
    pub fn reseal(&self, label: &str, sealed: &[u8]) -> Result<Option<Vec<u8>>, EvidenceError> {
        let (id, _, _) = EvidenceKeys::split(sealed)?;
        if id == self.current_id() {
            return Ok(None);
        }
        let plain = self.open(label, sealed)?;
        self.seal(label, &plain).map(Some)
    }
}

/// Writes a file only its owner can read (failing if it exists).
pub(crate) fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(lines: &[&str]) -> EvidenceKeys {
        EvidenceKeys::parse(&lines.iter().map(|l| (*l).to_owned()).collect::<Vec<_>>()).unwrap()
    }

    const K1: &str = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const K2: &str = "k2:Hx4dHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=";

    #[test]
    fn sealed_values_open_only_with_their_key_and_label() {
        let k1 = keys(&[K1]);
        let sealed = k1.seal("report:a:approach", b"secret text").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(
            k1.open("report:a:approach", &sealed).unwrap(),
            b"secret text"
        );
        assert!(matches!(
            k1.open("report:b:approach", &sealed),
            Err(EvidenceError::Damaged)
        ));
        let mut tampered = sealed.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert!(matches!(
            k1.open("report:a:approach", &tampered),
            Err(EvidenceError::Damaged)
        ));
        assert!(matches!(
            keys(&[K2]).open("report:a:approach", &sealed),
            Err(EvidenceError::UnknownKey(_))
        ));
        assert!(matches!(k1.open("x", b""), Err(EvidenceError::Damaged)));
        assert_ne!(
            sealed,
            k1.seal("report:a:approach", b"secret text").unwrap(),
            "random nonces"
        );
    }

    #[test]
    fn rotation_reseals_under_the_current_key() {
        let old = keys(&[K1]);
        let sealed = old.seal("l", b"x").unwrap();
        let both = keys(&[K2, K1]);
        let fresh = both.reseal("l", &sealed).unwrap().unwrap();
        assert_eq!(both.reseal("l", &fresh).unwrap(), None, "already current");
        assert_eq!(keys(&[K2]).open("l", &fresh).unwrap(), b"x");
    }

    #[test]
    fn bad_keys_are_refused_with_their_position() {
        let parse = |lines: &[&str]| {
            EvidenceKeys::parse(&lines.iter().map(|l| (*l).to_owned()).collect::<Vec<_>>())
        };
        assert!(matches!(parse(&[]), Err(EvidenceError::NoKey)));
        assert!(matches!(
            parse(&[K1, "k3:c2hvcnQ="]),
            Err(EvidenceError::BadKey(2))
        ));
        assert!(matches!(
            parse(&["no-colon"]),
            Err(EvidenceError::BadKey(1))
        ));
        assert!(matches!(
            parse(&[K1, K1]),
            Err(EvidenceError::DuplicateId(_))
        ));
        let line = EvidenceKeys::new_key_line().unwrap();
        assert!(parse(&[&line]).is_ok(), "{line}");
    }

    #[test]
    fn a_missing_key_file_is_made_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("evidence.key");
        let first = EvidenceKeys::from_file_or_new(&path).unwrap();
        let again = EvidenceKeys::from_file_or_new(&path).unwrap();
        assert_eq!(first.current_id(), again.current_id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
