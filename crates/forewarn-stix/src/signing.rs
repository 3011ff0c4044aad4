//! Signed alerts: a bundle's exact bytes and a detached Ed25519 signature.
//!
//! Keys and signatures are one line of text each, so they can be pasted into
//! an e-mail or a configuration file:
//!
//! ```text
//! forewarn-ed25519-public <base64 of the 32-byte public key>
//! forewarn-ed25519-secret <base64 of the 32-byte secret key>
//! forewarn-ed25519-signature <key fingerprint> <base64 of the 64-byte signature>
//! ```
//!
//! A key's fingerprint is the first 16 hexadecimal digits of the SHA-256 of
//! its public key. The signature covers the bundle file byte for byte: any
//! change, even of white space, makes it fail.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

const PUBLIC_TAG: &str = "forewarn-ed25519-public";
const SECRET_TAG: &str = "forewarn-ed25519-secret";
const SIGNATURE_TAG: &str = "forewarn-ed25519-signature";

/// Why a key or signature cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SigningError {
    /// The text is not a key or signature of the expected kind.
    #[error("not a {expected} (it should read `{tag} ...`)")]
    Format {
        /// What was expected.
        expected: &'static str,
        /// The tag it should start with.
        tag: &'static str,
    },
    /// The operating system gave no randomness for a new key.
    #[error("cannot get randomness for a new key: {0}")]
    Random(String),
    /// The signature does not match the bytes and key.
    #[error(
        "the signature does not match: the bundle was changed after signing, or signed with another key"
    )]
    Mismatch,
}

/// A public key that verifies alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

/// A secret key that signs alerts.
#[derive(Debug, Clone)]
pub struct SecretKey(SigningKey);

/// A detached signature and the fingerprint of the key that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetachedSignature {
    /// Fingerprint of the signing key.
    pub fingerprint: String,
    signature: Signature,
}

impl SecretKey {
    /// A new random key.
    pub fn generate() -> Result<SecretKey, SigningError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| SigningError::Random(e.to_string()))?;
        Ok(SecretKey(SigningKey::from_bytes(&bytes)))
    }

    /// Reads a key written by [`SecretKey::to_text`]; lines starting with
    /// `#` are comments.
    pub fn from_text(text: &str) -> Result<SecretKey, SigningError> {
        let bytes = tagged(text, SECRET_TAG, "forewarn secret key")?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| SigningError::Format {
            expected: "forewarn secret key",
            tag: SECRET_TAG,
        })?;
        Ok(SecretKey(SigningKey::from_bytes(&bytes)))
    }

    /// The key as one line of text.
    pub fn to_text(&self) -> String {
        format!("{SECRET_TAG} {}", STANDARD.encode(self.0.to_bytes()))
    }

    /// The matching public key.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Signs `bytes`.
    pub fn sign(&self, bytes: &[u8]) -> DetachedSignature {
        DetachedSignature {
            fingerprint: self.public().fingerprint(),
            signature: self.0.sign(bytes),
        }
    }
}

impl PublicKey {
    /// Reads a key written by [`PublicKey::to_text`].
    pub fn from_text(text: &str) -> Result<PublicKey, SigningError> {
        let format = || SigningError::Format {
            expected: "forewarn public key",
            tag: PUBLIC_TAG,
        };
        let bytes = tagged(text, PUBLIC_TAG, "forewarn public key")?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| format())?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| format())
    }

    /// The key as one line of text.
    pub fn to_text(&self) -> String {
        format!("{PUBLIC_TAG} {}", STANDARD.encode(self.0.to_bytes()))
    }

    /// The key's raw bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The first 16 hexadecimal digits of the SHA-256 of the key.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.0.to_bytes());
        digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }

    /// Checks `signature` over `bytes`.
    pub fn verify(&self, bytes: &[u8], signature: &DetachedSignature) -> Result<(), SigningError> {
        self.0
            .verify(bytes, &signature.signature)
            .map_err(|_| SigningError::Mismatch)
    }
}

impl DetachedSignature {
    /// Reads a signature written by [`DetachedSignature::to_text`].
    pub fn from_text(text: &str) -> Result<DetachedSignature, SigningError> {
        let format = || SigningError::Format {
            expected: "forewarn signature",
            tag: SIGNATURE_TAG,
        };
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .ok_or_else(format)?;
        let mut parts = line.split_whitespace();
        if parts.next() != Some(SIGNATURE_TAG) {
            return Err(format());
        }
        let fingerprint = parts.next().ok_or_else(format)?.to_owned();
        let bytes = STANDARD
            .decode(parts.next().ok_or_else(format)?)
            .map_err(|_| format())?;
        let bytes: [u8; 64] = bytes.try_into().map_err(|_| format())?;
        if parts.next().is_some() || fingerprint.len() != 16 {
            return Err(format());
        }
        Ok(DetachedSignature {
            fingerprint,
            signature: Signature::from_bytes(&bytes),
        })
    }

    /// The signature as one line of text.
    pub fn to_text(&self) -> String {
        format!(
            "{SIGNATURE_TAG} {} {}",
            self.fingerprint,
            STANDARD.encode(self.signature.to_bytes())
        )
    }
}

/// The bytes after `tag` on the first line that is not a comment.
fn tagged(text: &str, tag: &'static str, expected: &'static str) -> Result<Vec<u8>, SigningError> {
    let format = || SigningError::Format { expected, tag };
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .ok_or_else(format)?;
    let rest = line.strip_prefix(tag).ok_or_else(format)?.trim();
    STANDARD.decode(rest).map_err(|_| format())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify_exact_bytes() {
        let key = SecretKey::generate().unwrap();
        let public = PublicKey::from_text(&key.public().to_text()).unwrap();
        let bundle = br#"{"type":"bundle","id":"bundle--1","objects":[]}"#;
        let signature = DetachedSignature::from_text(&key.sign(bundle).to_text()).unwrap();
        assert_eq!(signature.fingerprint, public.fingerprint());
        public.verify(bundle, &signature).unwrap();
        // One byte of white space more is another bundle.
        let changed = br#"{"type":"bundle", "id":"bundle--1","objects":[]}"#;
        assert!(matches!(
            public.verify(changed, &signature),
            Err(SigningError::Mismatch)
        ));
        let other = SecretKey::generate().unwrap().public();
        assert!(other.verify(bundle, &signature).is_err());
    }

    #[test]
    fn keys_round_trip_as_text() {
        let key = SecretKey::generate().unwrap();
        let again = SecretKey::from_text(&format!("# a comment\n{}\n", key.to_text())).unwrap();
        assert_eq!(again.public(), key.public());
        assert!(PublicKey::from_text(&key.to_text()).is_err());
        assert!(DetachedSignature::from_text("forewarn-ed25519-signature abc !!").is_err());
    }
}
