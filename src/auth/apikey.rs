//! Partner API keys: random secrets shown once, stored only as a SHA-256 digest.
//! (A fast digest is enough: the keys carry 192 bits of randomness, unlike passwords.)

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Every key starts with this, so a bearer credential can be told from an access token.
pub const KEY_PREFIX: &str = "itk_";

/// How many characters of a key are kept in clear to recognise it in a list.
const SHOWN_CHARS: usize = 12;

/// A freshly generated key: the secret (shown once) and what is stored.
pub struct GeneratedKey {
    pub secret: String,
    pub prefix: String,
    pub digest: String,
}

/// A random secret of 192 bits in hex behind a prefix that says what it is for.
pub fn random_secret(prefix: &str) -> Result<String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    Ok(format!("{prefix}{}", hex(&bytes)))
}

/// Generates a new random key.
pub fn generate() -> Result<GeneratedKey> {
    let secret = random_secret(KEY_PREFIX)?;
    Ok(GeneratedKey {
        prefix: secret.chars().take(SHOWN_CHARS).collect(),
        digest: digest(&secret),
        secret,
    })
}

/// Hex SHA-256 of a key, the value stored and looked up.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_prefixed_and_digested() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(a.secret, b.secret);
        assert!(a.secret.starts_with(KEY_PREFIX));
        assert_eq!(a.secret.len(), KEY_PREFIX.len() + 48);
        assert!(a.secret.starts_with(&a.prefix));
        assert_eq!(a.digest, digest(&a.secret));
        assert_eq!(a.digest.len(), 64);
    }
}
