//! The key the server signs its alerts with: kept in a file only its owner
//! can read, made on first start.

use std::path::Path;

use forewarn_stix::SecretKey;

/// The key file in the data directory.
pub const KEY_FILE: &str = "server-signing.key";

/// Why the signing key cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    /// The file cannot be read or written.
    #[error("signing key file `{path}`: {source}")]
    File {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file does not hold a key.
    #[error("signing key file `{path}`: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// The key in `path`, made when the file does not exist.
pub fn load_or_create(path: &Path) -> Result<SecretKey, SigningKeyError> {
    let shown = path.display().to_string();
    if !path.exists() {
        let key = SecretKey::generate().map_err(|e| SigningKeyError::Invalid {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        crate::evidence::write_private(path, &format!("{}\n", key.to_text())).map_err(
            |source| SigningKeyError::File {
                path: shown.clone(),
                source,
            },
        )?;
    }
    let text = std::fs::read_to_string(path).map_err(|source| SigningKeyError::File {
        path: shown.clone(),
        source,
    })?;
    SecretKey::from_text(text.trim()).map_err(|e| SigningKeyError::Invalid {
        path: shown,
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE);
        let first = load_or_create(&path).unwrap();
        let again = load_or_create(&path).unwrap();
        assert_eq!(first.public().fingerprint(), again.public().fingerprint());
        std::fs::write(&path, "garbage").unwrap();
        assert!(load_or_create(&path).is_err());
    }
}
